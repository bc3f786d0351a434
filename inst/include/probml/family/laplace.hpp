#pragma once
// Laplace: v = (mu, log b); nll = log 2 + log b + |y - mu| / b.
// The nll is not differentiable in mu where y == mu, so its observed Hessian
// in mu is zero almost everywhere: the fit solves the LAD problem exactly
// (optim/lad/) and standard errors use the expected information.
#include "location_scale.hpp"

namespace probml {

class LaplaceFamily : public LocationScaleFamily {
 public:
  std::string name() const override { return "laplace"; }
  std::string predictive_distribution() const override { return "laplace"; }
  std::string label() const override { return "Laplace"; }
  int n_aux() const override { return 1; }
  std::vector<std::string> aux_names() const override { return {"log(scale)"}; }
  bool location_is_lad() const override { return true; }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double log_b = aux[0], inv_b = std::exp(-log_b);
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double r = y[i] - U(i, 0), sign = (r > 0) - (r < 0), z = std::abs(r) * inv_b;
      out.value[i] = 0.6931471805599453 + log_b + z;
      if (order >= 1) {
        out.d1(i, 0) = -sign * inv_b;
        out.d1(i, 1) = 1.0 - z;
      }
      if (order >= 2) {
        out.d2(i, 0) = 0.0;
        out.d2(i, 1) = sign * inv_b;
        out.d2(i, 2) = z;
      }
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 3);
    info.col(0).setConstant(std::exp(-2.0 * aux[0]));
    info.col(1).setZero();
    info.col(2).setConstant(1.0);
  }

  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    return Eigen::VectorXd::Constant(1, log_mean_abs(U, y, w));
  }

 protected:
  double standardised_variance(const Eigen::VectorXd&) const override { return 2.0; }
};

}  // namespace probml
