#pragma once
// Heteroscedastic Gaussian: two linear predictors, the mean mu and the
// log-variance zeta; v = (mu, zeta), nll = log sqrt(2 pi) + zeta / 2 + (y - mu)^2 / (2 exp(zeta)).
#include "../util/math.hpp"
#include "family.hpp"

namespace probml {

class GaussianHeteroFamily : public Family {
 public:
  std::string name() const override { return "gaussian_hetero"; }
  std::string label() const override { return "Heteroscedastic Gaussian (log-variance model)"; }
  int n_linear() const override { return 2; }
  int n_formula_parts() const override { return 2; }
  std::vector<std::string> linear_predictor_names() const override { return {"mean", "logvar"}; }
  std::string coefficient_prefix(int j) const override { return j == 0 ? "" : "logvar:"; }

  std::string response_kind() const override { return "numeric"; }
  std::string predictive_distribution() const override { return "normal"; }
  // The mean moves with y; the log-variance shifts by 2 log(scale).
  bool standardised_response(int j, double center, double scale, double& a, double& b) const override {
    a = j == 0 ? center : 2.0 * std::log(scale);
    b = j == 0 ? scale : 1.0;
    return true;
  }
  std::string support_text() const override { return "finite"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_finite(y);
  }
  // The mean at y, the fitted log-variance kept.
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>&,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    out = (math::kLogSqrt2Pi + 0.5 * U.col(1).array()).matrix();
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd&, int order, LocalDerivs& out) const override {
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double r = y[i] - U(i, 0), zeta = U(i, 1), prec = std::exp(-zeta), r2p = r * r * prec;
      out.value[i] = math::kLogSqrt2Pi + 0.5 * zeta + 0.5 * r2p;
      if (order >= 1) {
        out.d1(i, 0) = -r * prec;
        out.d1(i, 1) = 0.5 - 0.5 * r2p;
      }
      if (order >= 2) {
        out.d2(i, 0) = prec;
        out.d2(i, 1) = r * prec;
        out.d2(i, 2) = 0.5 * r2p;
      }
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 3);
    info.col(0) = (-U.col(1)).array().exp().matrix();
    info.col(1).setZero();
    info.col(2).setConstant(0.5);
  }

  // The mean starts at least squares; the log-variance at a regression of
  // log squared residuals, shifted by E[log chi2_1] = -1.27.
  double start_eta(int j, double y, double u_first) const override {
    if (j == 0) return y;
    const double r = y - u_first;
    return std::log(r * r + 1e-8) + 1.2703628454614782;
  }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    out.col(0) = U.col(0);
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    out = U.col(1).array().exp().matrix();
  }
};

}  // namespace probml
