#pragma once
// Gaussian: v = (mu, log sigma), or v = mu with sigma known (fixed).
#include <cmath>
#include "../util/math.hpp"
#include "location_scale.hpp"

namespace probml {

class GaussianFamily : public LocationScaleFamily {
 public:
  GaussianFamily() = default;
  explicit GaussianFamily(double sigma) : fixed_log_sigma_(std::log(sigma)), fixed_(true) {
    if (!(sigma > 0) || !std::isfinite(sigma)) throw DomainError("sigma must be positive and finite");
  }
  std::string name() const override { return "gaussian"; }
  std::string label() const override {
    return fixed_ ? "Gaussian (sigma = " + format_number(std::exp(fixed_log_sigma_)) + ")" : "Gaussian";
  }
  int n_aux() const override { return fixed_ ? 0 : 1; }
  std::vector<std::string> aux_names() const override {
    return fixed_ ? std::vector<std::string>() : std::vector<std::string>{"log(sigma)"};
  }
  int log_scale_aux() const override { return fixed_ ? -1 : 0; }
  bool least_squares() const override { return true; }
  double deviance_dispersion(const Eigen::VectorXd& aux) const override {
    return std::exp(2.0 * log_sigma_of(aux));
  }
  bool free_dispersion() const override { return !fixed_; }
  // With sigma known the nll is a quadratic in mu: positive curvature.
  bool positive_curvature() const override { return fixed_; }
  bool constant_curvature() const override { return fixed_; }
  bool sigma_fixed() const { return fixed_; }
  std::string predictive_distribution() const override { return "normal"; }
  bool standardised_response(int j, double center, double scale, double& a, double& b) const override {
    if (j != 0) return false;
    a = center;
    b = scale;
    return true;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double log_sigma = log_sigma_of(aux), inv_var = std::exp(-2.0 * log_sigma);
    out.resize(U.rows(), n_local(), order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double r = y[i] - U(i, 0), r2s = r * r * inv_var;
      out.value[i] = math::kLogSqrt2Pi + log_sigma + 0.5 * r2s;
      if (order >= 1) {
        out.d1(i, 0) = -r * inv_var;
        if (!fixed_) out.d1(i, 1) = 1.0 - r2s;
      }
      if (order >= 2) {
        out.d2(i, 0) = inv_var;
        if (!fixed_) {
          out.d2(i, 1) = 2.0 * r * inv_var;
          out.d2(i, 2) = 2.0 * r2s;
        }
      }
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), packed_size(n_local()));
    info.col(0).setConstant(std::exp(-2.0 * log_sigma_of(aux)));
    if (fixed_) return;
    info.col(1).setZero();
    info.col(2).setConstant(2.0);
  }

  // The ML scale given the means: the root mean squared residual.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    if (fixed_) return Eigen::VectorXd(0);
    const double ms = (w.array() * (y - U.col(0)).array().square()).sum() / w.sum();
    if (!(ms > 0)) return Eigen::VectorXd::Constant(1, log_mean_abs(U, y, w));  // throws: no scale
    return Eigen::VectorXd::Constant(1, 0.5 * std::log(ms));
  }

 protected:
  double standardised_variance(const Eigen::VectorXd&) const override { return 1.0; }
  double log_scale_of(const Eigen::VectorXd& aux) const override { return log_sigma_of(aux); }

 private:
  double log_sigma_of(const Eigen::VectorXd& aux) const { return fixed_ ? fixed_log_sigma_ : aux[0]; }
  double fixed_log_sigma_ = 0;
  bool fixed_ = false;
};

}  // namespace probml
