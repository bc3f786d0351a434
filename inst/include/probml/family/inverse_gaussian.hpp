#pragma once
// Inverse Gaussian with mean mu and shape lambda = exp(s) (glm's dispersion
// is 1 / lambda): v = (eta, s). With D = (y - mu)^2 / (y mu^2), glm's unit
// deviance, written (r - 1)^2 / y with r = y / mu, the nll is
//   (log(2 pi) + 3 log y - s) / 2 + lambda D / 2.
#include "../util/math.hpp"
#include "log_mean.hpp"

namespace probml {

class InverseGaussianFamily : public PositiveMeanFamily {
 public:
  explicit InverseGaussianFamily(PositiveLink link) : PositiveMeanFamily(link) {}
  static PositiveLink parse_link(const std::string& link) {
    return parse_positive_link(link,
                               {PositiveLink::inverse_square, PositiveLink::inverse, PositiveLink::log,
                                PositiveLink::identity},
                               "inverse Gaussian");
  }
  std::string name() const override { return "inverse_gaussian"; }
  std::string label() const override { return "Inverse Gaussian (" + link_name() + " link)"; }
  int n_aux() const override { return 1; }
  std::vector<std::string> aux_names() const override { return {"log(shape)"}; }
  std::string response_kind() const override { return "positive"; }
  std::string support_text() const override { return "positive"; }
  std::string predictive_distribution() const override { return "inverse_gaussian"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_positive(y);
  }
  double deviance_dispersion(const Eigen::VectorXd& aux) const override { return std::exp(-aux[0]); }
  bool free_dispersion() const override { return true; }
  // lambda / (4 mu eta^2) (1/mu^2 link), lambda y / eta^2 (inverse link).
  bool positive_curvature() const override {
    return link_ == PositiveLink::inverse_square || link_ == PositiveLink::inverse;
  }

  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Index i = 0; i < y.size(); ++i) out[i] = constant(y[i], aux[0]);
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double s = aux[0], lambda = std::exp(s);
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok) {
        set_infeasible(out, i, order);
        continue;
      }
      const double inv_mu = 1.0 / m.mu, rm1 = y[i] * inv_mu - 1, half_ld = 0.5 * lambda * rm1 * rm1 / y[i];
      out.value[i] = constant(y[i], s) + half_ld;
      if (order < 1) continue;
      const double f_l = -lambda * rm1 * inv_mu;
      out.d1(i, 0) = f_l * m.L1;
      out.d1(i, 1) = half_ld - 0.5;
      if (order < 2) continue;
      out.d2(i, 0) = lambda * (1 + 2 * rm1) * inv_mu * m.L1 * m.L1 + f_l * m.L2;
      out.d2(i, 1) = f_l * m.L1;
      out.d2(i, 2) = half_ld;
    }
  }

  // E[r] = 1 and lambda D ~ chi^2_1: E[f_ll] = lambda / mu, E[d2 / ds2] = 1/2.
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    const double lambda = std::exp(aux[0]);
    info.resize(U.rows(), 3);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      info(i, 0) = lambda * std::exp(-m.l) * m.L1 * m.L1;
    }
    info.col(1).setZero();
    info.col(2).setConstant(0.5);
  }

  double start_eta(int, double y, double) const override { return positive_link(link_, y); }
  // The ML shape given the starting means, in closed form: 1 / mean D.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    double sd = 0, sw = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok || !std::isfinite(m.l)) continue;
      const double rm1 = std::expm1(std::log(y[i]) - m.l), d = rm1 * rm1 / y[i];
      if (!std::isfinite(d)) continue;
      sd += w[i] * d;
      sw += w[i];
    }
    const double lambda = sd > 0 ? sw / sd : 1.0;
    return Eigen::VectorXd::Constant(1, std::log(lambda));
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    const double lambda = std::exp(aux[0]);
    for (Index i = 0; i < U.rows(); ++i) {
      const double mu = positive_link_inverse(link_, U(i, 0));
      out[i] = mu * mu * mu / lambda;
    }
  }

 private:
  static double constant(double y, double s) { return math::kLogSqrt2Pi + 1.5 * std::log(y) - 0.5 * s; }
};

}  // namespace probml
