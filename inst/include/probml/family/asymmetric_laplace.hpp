#pragma once
// Asymmetric Laplace: the likelihood of quantile regression. With the check
// loss rho_tau(r) = r (tau - [r < 0]) and v = (mu, log s), s = k sigma,
//   nll = log sigma - log(tau (1 - tau)) + rho_tau(y - mu) / sigma,
// so mu is the tau-quantile of y, the MLE of the location coefficients
// minimises the weighted check loss (solved exactly as a linear programme,
// optim/lad/) and the ML sigma is the mean check loss. The Laplace family is
// tau = 1/2 with its scale b = 2 sigma (k = 2): the same code.
// The nll has no curvature in mu, so standard errors use the expected
// information: tau (1 - tau) / sigma^2 for the location, which is
// f(mu)^2 / (tau (1 - tau)), the asymptotic variance of a quantile
// regression with the model's density at the quantile.
#include "location_scale.hpp"

namespace probml {

class AsymmetricLaplaceFamily : public LocationScaleFamily {
 public:
  explicit AsymmetricLaplaceFamily(double tau) : AsymmetricLaplaceFamily(tau, 1.0) {}

  std::string name() const override { return "quantile"; }
  std::string label() const override { return "Asymmetric Laplace (quantile tau = " + format_number(tau_) + ")"; }
  std::string predictive_distribution() const override { return "asymmetric_laplace"; }
  double predictive_shape(const Eigen::VectorXd&) const override { return tau_; }
  int n_aux() const override { return 1; }
  std::vector<std::string> aux_names() const override { return {"log(scale)"}; }
  double location_quantile() const override { return tau_; }
  double location_check_scale(const Eigen::VectorXd& aux) const override { return std::exp(aux[0]) / k_; }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double log_s = aux[0], inv_s = std::exp(-log_s);
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double r = y[i] - U(i, 0), z = k_ * check(r) * inv_s;
      // k psi_tau(r): the slope of k rho_tau, the midpoint of the subgradient at r = 0.
      const double kpsi = k_ * (r > 0 ? tau_ : r < 0 ? tau_ - 1.0 : tau_ - 0.5);
      out.value[i] = log_norm_ + log_s + z;
      if (order >= 1) {
        out.d1(i, 0) = -kpsi * inv_s;
        out.d1(i, 1) = 1.0 - z;
      }
      if (order >= 2) {
        out.d2(i, 0) = 0.0;
        out.d2(i, 1) = kpsi * inv_s;
        out.d2(i, 2) = z;
      }
    }
  }

  // E[psi_tau^2] = tau (1 - tau), E[psi_tau] = 0 and rho_tau / sigma ~ Exp(1).
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 3);
    info.col(0).setConstant(tau_ * (1.0 - tau_) * k_ * k_ * std::exp(-2.0 * aux[0]));
    info.col(1).setZero();
    info.col(2).setConstant(1.0);
  }

  // E[y] = mu + sigma (1 - 2 tau) / (tau (1 - tau)).
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    const double shift = std::exp(aux[0]) / k_ * (1.0 - 2.0 * tau_) / (tau_ * (1.0 - tau_));
    out.col(0) = (U.col(0).array() + shift).matrix();
  }

  // log(k * the weighted mean check loss): the ML scale at the start.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    double total = 0;
    for (Index i = 0; i < y.size(); ++i) total += w[i] * check(y[i] - U(i, 0));
    const double m = k_ * total / w.sum();
    if (!(m > 0))
      throw DomainError("every residual is zero at the start (the response is constant, or the design fits it "
                        "exactly), so the scale of the " + label() + " family has no maximum-likelihood estimate");
    return Eigen::VectorXd::Constant(1, std::log(m));
  }

 protected:
  // k: the scale s = k sigma the auxiliary parameter is the log of.
  AsymmetricLaplaceFamily(double tau, double k)
      : tau_(tau), k_(k), log_norm_(-std::log(k * tau * (1.0 - tau))) {
    if (!(tau > 0 && tau < 1)) throw DomainError("the quantile level tau must lie strictly between 0 and 1");
  }
  double check(double r) const { return r > 0 ? tau_ * r : (tau_ - 1.0) * r; }
  // Var(y) / s^2 = (1 - 2 tau + 2 tau^2) / (k tau (1 - tau))^2.
  double standardised_variance(const Eigen::VectorXd&) const override {
    const double t = k_ * tau_ * (1.0 - tau_);
    return (1.0 - 2.0 * tau_ + 2.0 * tau_ * tau_) / (t * t);
  }

  double tau_, k_, log_norm_;
};

}  // namespace probml
