#pragma once
// Gamma with mean mu and shape a = exp(s) (glm's dispersion is 1 / a):
// v = (eta, s). With r = y / mu and u = r - 1 - log r (half glm's unit
// deviance, >= 0) the nll is
//   lgamma(a) - a log a + a (u + 1) + log y,
// so the saturated model (u = 0) and glm's deviance follow at once.
#include "../util/math.hpp"
#include "log_mean.hpp"

namespace probml {

class GammaFamily : public PositiveMeanFamily {
 public:
  explicit GammaFamily(PositiveLink link) : PositiveMeanFamily(link) {}
  static PositiveLink parse_link(const std::string& link) {
    return parse_positive_link(link, {PositiveLink::inverse, PositiveLink::log, PositiveLink::identity}, "Gamma");
  }
  std::string name() const override { return "gamma"; }
  std::string label() const override { return "Gamma (" + link_name() + " link)"; }
  int n_aux() const override { return 1; }
  std::vector<std::string> aux_names() const override { return {"log(shape)"}; }
  std::string response_kind() const override { return "positive"; }
  std::string support_text() const override { return "positive"; }
  std::string predictive_distribution() const override { return "gamma"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_positive(y);
  }
  double deviance_dispersion(const Eigen::VectorXd& aux) const override { return std::exp(-aux[0]); }
  bool free_dispersion() const override { return true; }
  // a y / mu (log link), a / eta^2 (inverse link): positive for every y > 0.
  bool positive_curvature() const override { return link_ == PositiveLink::log || link_ == PositiveLink::inverse; }

  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    const double s = aux[0], a = std::exp(s), c = std::lgamma(a) - a * s + a;
    for (Index i = 0; i < y.size(); ++i) out[i] = c + std::log(y[i]);
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double s = aux[0], a = std::exp(s), c = std::lgamma(a) - a * s + a;
    const double psi = order >= 1 ? math::digamma(a) - s : 0;
    const double curv_s = order >= 2 ? a * a * math::trigamma(a) - a : 0;
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok) {
        set_infeasible(out, i, order);
        continue;
      }
      // r = y / mu and one log per row (log y = log r + l), in logs where
      // mu itself over- or underflows.
      double r, log_r;
      if (m.mu > 0 && m.mu < math::kInf) {
        r = y[i] / m.mu;
        log_r = std::log(r);
      } else {
        log_r = std::log(y[i]) - m.l;
        r = std::exp(log_r);
      }
      const double u = (r - 1) - log_r;
      out.value[i] = c + a * u + log_r + m.l;
      if (order < 1) continue;
      const double f_l = a * (1 - r), f_s = a * (psi + u);
      out.d1(i, 0) = f_l * m.L1;
      out.d1(i, 1) = f_s;
      if (order < 2) continue;
      out.d2(i, 0) = a * r * m.L1 * m.L1 + f_l * m.L2;
      out.d2(i, 1) = f_l * m.L1;
      out.d2(i, 2) = f_s + curv_s;
    }
  }

  // E[r] = 1: the score in s has mean zero, and E[f_ll] = a.
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    const double a = std::exp(aux[0]);
    info.resize(U.rows(), 3);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      info(i, 0) = a * m.L1 * m.L1;
    }
    info.col(1).setZero();
    info.col(2).setConstant(a * a * math::trigamma(a) - a);
  }

  // glm's start, mu = y.
  double start_eta(int, double y, double) const override { return positive_link(link_, y); }
  // The ML shape given the starting means: log a - digamma(a) = mean u,
  // by Minka's closed-form approximation (within 1.5% of the root).
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    double su = 0, sw = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok || !std::isfinite(m.l)) continue;
      const double log_r = std::log(y[i]) - m.l, u = std::expm1(log_r) - log_r;
      if (!std::isfinite(u)) continue;
      su += w[i] * u;
      sw += w[i];
    }
    const double ubar = sw > 0 ? su / sw : 0.5;
    const double a = ubar > 1e-12 ? (3 - ubar + std::sqrt((ubar - 3) * (ubar - 3) + 24 * ubar)) / (12 * ubar) : 1e12;
    return Eigen::VectorXd::Constant(1, std::log(a));
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    const double a = std::exp(aux[0]);
    for (Index i = 0; i < U.rows(); ++i) {
      const double mu = positive_link_inverse(link_, U(i, 0));
      out[i] = mu * mu / a;
    }
  }
};

}  // namespace probml
