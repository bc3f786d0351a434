#pragma once
// Shared pieces of the location-scale families with v = (mu, log scale[, ...]).
#include <cmath>
#include <sstream>
#include "family.hpp"

namespace probml {

class LocationScaleFamily : public Family {
 public:
  std::string response_kind() const override { return "numeric"; }
  std::string support_text() const override { return "finite"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_finite(y);
  }
  int log_scale_aux() const override { return 0; }
  double start_eta(int, double y, double) const override { return y; }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    out.col(0) = U.col(0);
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setConstant(std::exp(2.0 * log_scale_of(aux)) * standardised_variance(aux));
  }
  // The location at y: the nll of a zero residual at the estimated scale.
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    Eigen::MatrixXd at_y = U;
    at_y.col(0) = y;
    LocalDerivs ld;
    local(at_y, y, aux, 0, ld);
    out = ld.value;
  }

 protected:
  // log scale from the auxiliary parameters (a family may fix it).
  virtual double log_scale_of(const Eigen::VectorXd& aux) const { return aux[0]; }
  // Var(y) / scale^2; NaN where it does not exist.
  virtual double standardised_variance(const Eigen::VectorXd& aux) const = 0;
  // log of the weighted mean absolute residual: a robust start for log
  // scale. Zero residuals everywhere leave no scale to estimate.
  double log_mean_abs(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
                      const Eigen::Ref<const Eigen::VectorXd>& w) const {
    const double m = (w.array() * (y - U.col(0)).array().abs()).sum() / w.sum();
    if (!(m > 0))
      throw DomainError("every residual is zero at the start (the response is constant, or the design fits it "
                        "exactly), so the scale of the " + label() + " family has no maximum-likelihood estimate");
    return std::log(m);
  }
  static std::string format_number(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }
};

}  // namespace probml
