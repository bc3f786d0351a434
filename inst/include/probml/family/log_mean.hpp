#pragma once
// Links of the families with a positive mean (Poisson, Gamma, inverse
// Gaussian, negative binomial), by R's names. Each of these families writes
// its nll in l = log mu; the link gives l and its derivatives L1 = dl/deta
// and L2 = d2l/deta2, so one chain rule serves every link:
//   d nll / d eta = f_l L1,   d2 nll / d eta2 = f_ll L1^2 + f_l L2.
// For the log link l = eta exactly (L1 = 1, L2 = 0). Where eta gives no
// positive finite mean (eta <= 0 for the identity, inverse, 1/mu^2 and sqrt
// links, as glm's valideta / validmu) `ok` is false: the family's nll is
// then +Inf, which the Newton line search rejects, so a fit never leaves
// the mean's space.
#include <cmath>
#include <limits>
#include <string>
#include <vector>
#include "family.hpp"

namespace probml {

enum class PositiveLink { log, identity, inverse, inverse_square, sqrt };

inline std::string positive_link_name(PositiveLink link) {
  switch (link) {
    case PositiveLink::log: return "log";
    case PositiveLink::identity: return "identity";
    case PositiveLink::inverse: return "inverse";
    case PositiveLink::inverse_square: return "1/mu^2";
    case PositiveLink::sqrt: return "sqrt";
  }
  return "";
}

// The link called `link` among a family's links (the first is its default,
// taken for an empty name).
inline PositiveLink parse_positive_link(const std::string& link, const std::vector<PositiveLink>& links,
                                        const std::string& family) {
  if (link.empty()) return links.front();
  std::string known;
  for (size_t k = 0; k < links.size(); ++k) {
    const std::string name = positive_link_name(links[k]);
    if (name == link) return links[k];
    known += (k == 0 ? "" : k + 1 == links.size() ? " and " : ", ") + name;
  }
  throw DomainError("unknown " + family + " link '" + link + "'; the links are " + known);
}

struct LogMean {
  double mu, l, L1, L2;
  bool ok;
};

inline LogMean log_mean(PositiveLink link, double eta) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (link == PositiveLink::log) return {std::exp(eta), eta, 1.0, 0.0, std::isfinite(eta)};
  if (!(eta > 0) || !std::isfinite(eta)) return {nan, nan, nan, nan, false};
  const double log_eta = std::log(eta), inv = 1.0 / eta, inv2 = inv * inv;
  switch (link) {
    case PositiveLink::identity: return {eta, log_eta, inv, -inv2, true};
    case PositiveLink::inverse: return {inv, -log_eta, -inv, inv2, true};
    case PositiveLink::inverse_square: return {1.0 / std::sqrt(eta), -0.5 * log_eta, -0.5 * inv, 0.5 * inv2, true};
    case PositiveLink::sqrt: return {eta * eta, 2.0 * log_eta, 2.0 * inv, -2.0 * inv2, true};
    default: break;
  }
  return {nan, nan, nan, nan, false};
}

// The inverse link as R's linkinv, also outside the mean's space (the
// identity link's mean of a negative eta is that eta): what predict() reports.
inline double positive_link_inverse(PositiveLink link, double eta) {
  switch (link) {
    case PositiveLink::log: return std::exp(eta);
    case PositiveLink::identity: return eta;
    case PositiveLink::inverse: return 1.0 / eta;
    case PositiveLink::inverse_square: return 1.0 / std::sqrt(eta);
    case PositiveLink::sqrt: return eta * eta;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// g(mu), for starting values.
inline double positive_link(PositiveLink link, double mu) {
  switch (link) {
    case PositiveLink::log: return std::log(mu);
    case PositiveLink::identity: return mu;
    case PositiveLink::inverse: return 1.0 / mu;
    case PositiveLink::inverse_square: return 1.0 / (mu * mu);
    case PositiveLink::sqrt: return std::sqrt(mu);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// The first row that is not a positive finite number, or -1.
inline Index first_non_positive(const Eigen::Ref<const Eigen::VectorXd>& y) {
  for (Index i = 0; i < y.size(); ++i)
    if (!(y[i] > 0) || !std::isfinite(y[i])) return i;
  return -1;
}

// The first row that is not a non-negative whole number, or -1.
inline Index first_non_count(const Eigen::Ref<const Eigen::VectorXd>& y) {
  for (Index i = 0; i < y.size(); ++i)
    if (!(y[i] >= 0) || !std::isfinite(y[i]) || y[i] != std::floor(y[i])) return i;
  return -1;
}

// A row whose eta gives no mean: nll +Inf, so the line search rejects the step.
inline void set_infeasible(LocalDerivs& out, Index i, int order) {
  out.value[i] = std::numeric_limits<double>::infinity();
  if (order >= 1) out.d1.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
  if (order >= 2) out.d2.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
}

// Base of the positive-mean families: the link, its mean, its curvature
// sign and the start; a family supplies its nll in l.
class PositiveMeanFamily : public Family {
 public:
  explicit PositiveMeanFamily(PositiveLink link) : link_(link) {}
  PositiveLink link() const { return link_; }
  // mu'^2 / Var(y) > 0 for every link (the log-link value of L1 is 1).
  bool positive_expected_curvature() const override { return true; }
  std::string link_name() const { return positive_link_name(link_); }

  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) out(i, 0) = positive_link_inverse(link_, U(i, 0));
  }

 protected:
  PositiveLink link_;
};

}  // namespace probml
