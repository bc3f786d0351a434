#pragma once
// Negative binomial (NB2): Var(y) = mu + mu^2 / theta, theta = exp(s)
// estimated (v = (eta, s)) or fixed (v = eta). The nll is
//   lgamma(theta) - lgamma(y + theta) + log y! + theta log(1 + mu / theta)
//   + y log(1 + theta / mu),
// each log1p term finite for any mu > 0 and theta > 0.
#include <sstream>
#include "../util/math.hpp"
#include "log_mean.hpp"

namespace probml {

class NegBinFamily : public PositiveMeanFamily {
 public:
  // theta estimated
  explicit NegBinFamily(PositiveLink link) : PositiveMeanFamily(link) {}
  NegBinFamily(PositiveLink link, double theta) : PositiveMeanFamily(link), theta_(theta), fixed_(true) {
    if (!(theta > 0) || !std::isfinite(theta)) throw DomainError("theta must be positive and finite");
  }
  static PositiveLink parse_link(const std::string& link) {
    return parse_positive_link(link, {PositiveLink::log, PositiveLink::sqrt, PositiveLink::identity},
                               "negative binomial");
  }
  std::string name() const override { return "negbin"; }
  std::string label() const override {
    std::ostringstream os;
    os << "Negative binomial (";
    if (fixed_) os << "theta = " << theta_ << ", ";
    os << link_name() << " link)";
    return os.str();
  }
  int n_aux() const override { return fixed_ ? 0 : 1; }
  std::vector<std::string> aux_names() const override {
    return fixed_ ? std::vector<std::string>() : std::vector<std::string>{"log(theta)"};
  }
  std::string response_kind() const override { return "count"; }
  std::string support_text() const override { return "a non-negative whole number"; }
  std::string predictive_distribution() const override { return "negbin"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_count(y);
  }
  // theta mu (theta + y) / (theta + mu)^2 in log mu.
  bool positive_curvature() const override { return link_ == PositiveLink::log; }
  // P(Y = 0) = (1 + mu / theta)^(-theta) is numerically 1 only when the mean
  // heads to 0. Without aux (theta estimated) its lower bound exp(-mu) serves:
  // both reach 1 together.
  double probability_of_observed(const Eigen::Ref<const Eigen::RowVectorXd>& mean, double y) const override {
    if (y != 0 || !(mean[0] >= 0)) return 0.0;
    return fixed_ ? std::exp(-theta_ * std::log1p(mean[0] / theta_)) : std::exp(-mean[0]);
  }
  std::string boundary_message() const override {
    return "fitted means numerically 0 occurred for zero counts: a group of observations has only zero counts, so "
           "the MLE does not exist";
  }

  // mu = y, theta kept: 0 for y = 0.
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    const double theta = theta_of(aux), lg = std::lgamma(theta);
    for (Index i = 0; i < y.size(); ++i)
      out[i] = y[i] == 0 ? 0.0 : nll(y[i], y[i], theta, lg);
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double theta = theta_of(aux), lg = std::lgamma(theta);
    const double dg = !fixed_ && order >= 1 ? math::digamma(theta) : 0;
    const double tg = !fixed_ && order >= 2 ? math::trigamma(theta) : 0;
    out.resize(U.rows(), n_local(), order);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok) {
        set_infeasible(out, i, order);
        continue;
      }
      const double yi = y[i], mu = m.mu;
      out.value[i] = nll(yi, mu, theta, lg);
      if (order < 1) continue;
      const double tm = theta + mu, f_l = theta * (mu - yi) / tm;
      out.d1(i, 0) = f_l * m.L1;
      // d nll / d theta, chained to s = log theta.
      const double f_t = fixed_ ? 0 : digamma_gap(yi, theta, dg) + std::log1p(mu / theta) + (yi - mu) / tm;
      if (!fixed_) out.d1(i, 1) = theta * f_t;
      if (order < 2) continue;
      const double f_ll = theta * mu * (theta + yi) / (tm * tm);
      out.d2(i, 0) = f_ll * m.L1 * m.L1 + f_l * m.L2;
      if (fixed_) continue;
      const double f_tt = trigamma_gap(yi, theta, tg) - mu / (theta * tm) - (yi - mu) / (tm * tm);
      out.d2(i, 1) = theta * mu * (mu - yi) / (tm * tm) * m.L1;
      out.d2(i, 2) = theta * f_t + theta * theta * f_tt;
    }
  }

  // E[f_ll] = theta mu / (theta + mu); the s curvature needs
  // E[trigamma(theta) - trigamma(y + theta)], summed over the distribution.
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    const double theta = theta_of(aux);
    info.resize(U.rows(), packed_size(n_local()));
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      const double tm = theta + m.mu;
      info(i, 0) = theta * m.mu / tm * m.L1 * m.L1;
      if (fixed_) continue;
      info(i, 1) = 0;
      info(i, 2) = theta * theta * expected_trigamma_gap(m.mu, theta) - theta * m.mu / tm;
    }
  }

  // glm.nb starts from a Poisson fit, which starts at mu = y + (y == 0) / 6.
  double start_eta(int, double y, double) const override {
    return positive_link(link_, y + (y == 0 ? 1.0 / 6 : 0.0));
  }
  // theta by moments at the starting means: sum mu^2 / sum ((y - mu)^2 - mu),
  // kept within [0.01, 1e4] (no overdispersion at the start: 1e4).
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    if (fixed_) return Eigen::VectorXd(0);
    double num = 0, den = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok || !std::isfinite(m.mu)) continue;
      const double r = y[i] - m.mu;
      num += w[i] * m.mu * m.mu;
      den += w[i] * (r * r - m.mu);
    }
    const double theta = den > 0 && num > 0 ? std::min(std::max(num / den, 0.01), 1e4) : 1e4;
    return Eigen::VectorXd::Constant(1, std::log(theta));
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    const double theta = theta_of(aux);
    for (Index i = 0; i < U.rows(); ++i) {
      const double mu = positive_link_inverse(link_, U(i, 0));
      out[i] = mu + mu * mu / theta;
    }
  }

  // E[trigamma(theta) - trigamma(Y + theta)] = sum_y P(y) T(y) with
  // T(y) = sum_{k < y} 1 / (theta + k)^2, P(y) by its recursion (in logs
  // while it would underflow). Past the mean the tail is bounded by a
  // geometric series times T(y) + 1 / (theta + y - 1); the sum stops when
  // that bound is below 1e-14 of it. The cost grows with the mean's spread.
  static double expected_trigamma_gap(double mu, double theta) {
    if (!(mu > 0) || !std::isfinite(mu)) return 0.0;
    const double q = mu / (theta + mu), log_q = std::log(q);
    double log_p = -theta * std::log1p(mu / theta), p = log_p > -700 ? std::exp(log_p) : 0.0;
    double sum = 0, T = 0;
    for (double y = 0;; y += 1) {
      sum += p * T;
      const double ratio = (y + theta) / (y + 1) * q;
      T += 1.0 / ((theta + y) * (theta + y));
      if (p > 0) {
        p *= ratio;
      } else {
        log_p += std::log((y + theta) / (y + 1)) + log_q;
        if (log_p > -700) p = std::exp(log_p);
      }
      const double rho = theta < 1 ? q : (y + 1 + theta) / (y + 2) * q;
      if (y + 1 > mu && rho < 1 && p > 0) {
        const double tail = p / (1 - rho) * (T + 1.0 / std::max(theta + y, 1e-300));
        if (tail <= 1e-14 * sum) break;
      }
    }
    return sum;
  }

 private:
  double theta_of(const Eigen::VectorXd& aux) const { return fixed_ ? theta_ : std::exp(aux[0]); }

  static double nll(double y, double mu, double theta, double lgamma_theta) {
    double v = theta * std::log1p(mu / theta);
    if (y > 0) v += lgamma_theta - std::lgamma(y + theta) + math::log_factorial(y) + y * std::log1p(theta / mu);
    return v;
  }
  // digamma(theta) - digamma(y + theta) and trigamma(theta) - trigamma(y +
  // theta): exact finite sums for small counts (no cancellation when theta
  // is large), the functions otherwise.
  static double digamma_gap(double y, double theta, double dg_theta) {
    if (y > 64) return dg_theta - math::digamma(y + theta);
    double s = 0;
    for (double k = 0; k < y; k += 1) s -= 1.0 / (theta + k);
    return s;
  }
  static double trigamma_gap(double y, double theta, double tg_theta) {
    if (y > 64) return tg_theta - math::trigamma(y + theta);
    double s = 0;
    for (double k = 0; k < y; k += 1) s += 1.0 / ((theta + k) * (theta + k));
    return s;
  }

  double theta_ = 0;
  bool fixed_ = false;
};

}  // namespace probml
