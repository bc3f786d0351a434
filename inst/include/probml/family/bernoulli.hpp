#pragma once
// Bernoulli with logit, probit, complementary log-log, log, cauchit or
// log-log link; v = (eta). Each nll is written in log space so that no
// log(0) can occur. The log link's probability exp(eta) leaves (0, 1) at
// eta >= 0: the nll is +Inf there (glm's validmu), which the Newton line
// search rejects, so a fit stays inside.
#include "../util/math.hpp"
#include "family.hpp"

namespace probml {

enum class BinaryLink { logit, probit, cloglog, log, cauchit, loglog };

inline BinaryLink parse_binary_link(const std::string& link) {
  if (link == "logit") return BinaryLink::logit;
  if (link == "probit") return BinaryLink::probit;
  if (link == "cloglog") return BinaryLink::cloglog;
  if (link == "log") return BinaryLink::log;
  if (link == "cauchit") return BinaryLink::cauchit;
  if (link == "loglog") return BinaryLink::loglog;
  throw DomainError("unknown Bernoulli link '" + link +
                    "'; the links are logit, probit, cloglog, log, cauchit and loglog");
}

// Success probability and the pieces of its derivatives for one link.
struct BinaryLinkEval {
  double nll, d1, d2;
};

class BernoulliFamily : public Family {
 public:
  explicit BernoulliFamily(BinaryLink link) : link_(link) {}
  std::string name() const override { return "bernoulli"; }
  std::string label() const override { return "Bernoulli (" + link_name() + " link)"; }
  std::string predictive_distribution() const override { return "binomial"; }
  // Log-concave F and 1 - F; not the log link (no curvature at y = 1) nor
  // the cauchit (heavy tails).
  bool positive_curvature() const override { return link_ != BinaryLink::log && link_ != BinaryLink::cauchit; }
  // (dp/deta)^2 / (p (1 - p)) > 0 for every link.
  bool positive_expected_curvature() const override { return true; }

  std::string response_kind() const override { return "binary"; }
  // A proportion y = successes / trials with prior weight = trials is a
  // grouped binomial row (R checks that y * weight is a whole number).
  std::string support_text() const override { return "0 or 1 (or a two-level factor), or a proportion in [0, 1]"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    for (Index i = 0; i < y.size(); ++i)
      if (!(y[i] >= 0.0 && y[i] <= 1.0)) return i;
    return -1;
  }
  double probability_of_observed(const Eigen::Ref<const Eigen::RowVectorXd>& mean, double y) const override {
    if (y == 1) return mean[0];
    if (y == 0) return 1 - mean[0];
    return std::numeric_limits<double>::quiet_NaN();  // a proportion: no single observed value
  }
  std::string boundary_message() const override {
    return "fitted probabilities numerically 0 or 1 occurred: the data are (quasi-)separated, so the MLE may not exist";
  }
  // 0 for y = 0 or 1; for a proportion, the binary entropy of y (p = y).
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Index i = 0; i < y.size(); ++i)
      out[i] = y[i] > 0 && y[i] < 1 ? -(y[i] * std::log(y[i]) + (1 - y[i]) * std::log1p(-y[i])) : 0.0;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd&, int order, LocalDerivs& out) const override {
    out.resize(U.rows(), 1, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const BinaryLinkEval e = y[i] == 0.0 || y[i] == 1.0 ? eval(U(i, 0), y[i] != 0.0) : eval_proportion(U(i, 0), y[i]);
      out.value[i] = e.nll;
      if (order >= 1) out.d1(i, 0) = e.d1;
      if (order >= 2) out.d2(i, 0) = e.d2;
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 1);
    for (Index i = 0; i < U.rows(); ++i) info(i, 0) = expected(U(i, 0));
  }

  double start_eta(int, double y, double) const override {
    const double p = (y + 0.5) / 2.0;
    switch (link_) {
      case BinaryLink::logit: return std::log(p / (1 - p));
      case BinaryLink::probit: return y > 0.5 ? 0.6744897501960817 : -0.6744897501960817;
      case BinaryLink::cloglog: return std::log(-std::log1p(-p));
      case BinaryLink::log: return std::log(p);
      case BinaryLink::cauchit: return std::tan(math::kPi * (p - 0.5));
      case BinaryLink::loglog: return -std::log(-std::log(p));
    }
    return 0.0;
  }

  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) out(i, 0) = probability(U(i, 0));
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) {
      const double p = probability(U(i, 0));
      out[i] = p * (1 - p);
    }
  }

  double probability(double eta) const {
    switch (link_) {
      case BinaryLink::logit: return math::expit(eta);
      case BinaryLink::probit: return math::pnorm(eta);
      case BinaryLink::cloglog: return -std::expm1(-std::exp(eta));
      case BinaryLink::log: return std::exp(eta);
      case BinaryLink::cauchit: return std::atan2(1.0, -eta) / math::kPi;
      case BinaryLink::loglog: return std::exp(-std::exp(-eta));
    }
    return 0.0;
  }

  // nll, d nll / d eta and d2 nll / d eta2 for one observation.
  BinaryLinkEval eval(double eta, bool success) const {
    switch (link_) {
      case BinaryLink::logit: {
        // With e = exp(-|eta|): p = 1 / (1 + e) or e / (1 + e), and
        // log(1 + exp(+-eta)) = log1p(e) + max(+-eta, 0): one exp, one log1p.
        const double e = std::exp(-std::abs(eta)), inv = 1.0 / (1.0 + e);
        const double p = eta >= 0 ? inv : e * inv;
        const double margin = success ? -eta : eta;
        // log(1 + e) is exact to 1e-16 absolute; log1p is needed only for tiny e.
        const double log1p_e = e < 1e-4 ? std::log1p(e) : std::log(1.0 + e);
        return {log1p_e + std::max(margin, 0.0), p - success, p * (1 - p)};
      }
      case BinaryLink::probit: {
        // nll = -log Phi(s eta), s = +-1; with l = phi/Phi at s eta,
        // d/deta = -s l and d2/deta2 = l (s eta + l).
        const double s = success ? 1.0 : -1.0, x = s * eta;
        const double l = math::dnorm_over_pnorm(x);
        return {-math::log_pnorm(x), -s * l, l * (x + l)};
      }
      case BinaryLink::cloglog: return cloglog_eval(eta, success);
      case BinaryLink::loglog: {
        // p(eta) = 1 - p_cloglog(-eta): the mirror image.
        const BinaryLinkEval e = cloglog_eval(-eta, !success);
        return {e.nll, -e.d1, e.d2};
      }
      case BinaryLink::log: {
        // p = exp(eta) < 1: nll = -eta, or -log(1 - p) with d/deta = p / (1 - p).
        if (!(eta < 0)) return {math::kInf, std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::quiet_NaN()};
        if (success) return {-eta, -1.0, 0.0};
        const double odds = 1.0 / std::expm1(-eta);  // p / (1 - p)
        return {-math::log1mexp(eta), odds, odds * (1.0 + odds)};
      }
      case BinaryLink::cauchit: {
        // nll = -log F(x), x = s eta, F the Cauchy cdf atan2(1, -x) / pi
        // (accurate in both tails); f = 1 / (pi (1 + x^2)), f' / f = -2x / (1 + x^2).
        const double s = success ? 1.0 : -1.0, x = s * eta, F = std::atan2(1.0, -x) / math::kPi;
        const double l = 1.0 / (math::kPi * (1.0 + x * x)) / F;
        return {-std::log(F), -s * l, l * (2.0 * x / (1.0 + x * x) + l)};
      }
    }
    return {0, 0, 0};
  }

  // A proportion y: the nll per trial, y nll(success) + (1 - y) nll(failure).
  BinaryLinkEval eval_proportion(double eta, double y) const {
    const BinaryLinkEval s = eval(eta, true), f = eval(eta, false);
    return {y * s.nll + (1 - y) * f.nll, y * s.d1 + (1 - y) * f.d1, y * s.d2 + (1 - y) * f.d2};
  }

  // Fisher information of eta: (dp/deta)^2 / (p (1 - p)).
  double expected(double eta) const {
    switch (link_) {
      case BinaryLink::logit: {
        const double p = math::expit(eta);
        return p * (1 - p);
      }
      case BinaryLink::probit:  // phi^2 / (Phi(eta) Phi(-eta)) as a product of two stable ratios
        return math::dnorm_over_pnorm(eta) * math::dnorm_over_pnorm(-eta);
      case BinaryLink::cloglog: return cloglog_expected(eta);
      case BinaryLink::loglog: return cloglog_expected(-eta);
      case BinaryLink::log: {
        if (!(eta < 0)) return std::numeric_limits<double>::quiet_NaN();
        return 1.0 / std::expm1(-eta);  // p / (1 - p)
      }
      case BinaryLink::cauchit: {
        const double f = 1.0 / (math::kPi * (1.0 + eta * eta));
        return f * f / (std::atan2(1.0, -eta) / math::kPi * (std::atan2(1.0, eta) / math::kPi));
      }
    }
    return 0.0;
  }

 private:
  std::string link_name() const {
    switch (link_) {
      case BinaryLink::logit: return "logit";
      case BinaryLink::probit: return "probit";
      case BinaryLink::cloglog: return "cloglog";
      case BinaryLink::log: return "log";
      case BinaryLink::cauchit: return "cauchit";
      case BinaryLink::loglog: return "loglog";
    }
    return "";
  }
  static BinaryLinkEval cloglog_eval(double eta, bool success) {
    // log(1 - p) = -m and log p = log(1 - exp(-m)) with m = exp(eta).
    const double m = std::exp(eta);
    if (!success) return {m, m, m};
    const double one_minus_r = -std::expm1(-m);  // 1 - exp(-m) = p
    const double q = m * std::exp(-m) / one_minus_r;  // m / expm1(m)
    // m / (1 - exp(-m)) - 1, by its series for small m to avoid cancellation.
    const double excess = m < 1e-3 ? m / 2 + m * m / 12 - m * m * m * m / 720
                                   : m / one_minus_r - 1.0;
    return {-math::log1mexp(-m), -q, q * excess};
  }
  static double cloglog_expected(double eta) {
    const double m = std::exp(eta);
    return m * m * std::exp(-m) / -std::expm1(-m);
  }
  BinaryLink link_;
};

}  // namespace probml
