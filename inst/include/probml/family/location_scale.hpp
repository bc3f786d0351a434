#pragma once
// Shared pieces of the location-scale families with v = (mu, log scale[, ...]).
#include <cmath>
#include "family.hpp"

namespace probml {

class LocationScaleFamily : public Family {
 public:
  void check_response(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    for (Index i = 0; i < y.size(); ++i)
      if (!std::isfinite(y[i])) throw std::invalid_argument("y must be finite (" + row_label(i) + ")");
  }
  double start_eta(int, double y, double) const override { return y; }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    out.col(0) = U.col(0);
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setConstant(std::exp(2.0 * aux[0]) * standardised_variance(aux));
  }

 protected:
  // Var(y) / scale^2; NaN where it does not exist.
  virtual double standardised_variance(const Eigen::VectorXd& aux) const = 0;
  // log of the weighted mean absolute residual: a robust start for log scale.
  static double log_mean_abs(const Eigen::Ref<const Eigen::MatrixXd>& U,
                             const Eigen::Ref<const Eigen::VectorXd>& y,
                             const Eigen::Ref<const Eigen::VectorXd>& w) {
    const double m = (w.array() * (y - U.col(0)).array().abs()).sum() / w.sum();
    return std::log(std::max(m, 1e-300));
  }
};

}  // namespace probml
