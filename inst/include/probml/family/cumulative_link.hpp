#pragma once
// The latent distribution F of a cumulative link model, P(Y <= k) =
// F(theta_k - eta), named as MASS::polr and glm name the links: logit,
// probit, cauchit, cloglog (F(x) = 1 - exp(-exp(x))) and loglog
// (F(x) = exp(-exp(-x))). The nll and its derivatives need F in the forms
// each tail can give without cancellation: in the lower tail log F, the log
// reverse hazard log(f / F) and its slope; in the upper tail log(1 - F), the
// log hazard log(f / (1 - F)) and its slope, which are the lower-tail forms
// of the mirrored distribution 1 - F(-x) at -x (the same F for the symmetric
// links; cloglog and loglog mirror each other).
#include <string>
#include "../util/errors.hpp"
#include "../util/math.hpp"

namespace probml {

enum class CumulativeLink { logit, probit, cloglog, loglog, cauchit };

inline CumulativeLink parse_cumulative_link(const std::string& link) {
  if (link == "logit") return CumulativeLink::logit;
  if (link == "probit") return CumulativeLink::probit;
  if (link == "cloglog") return CumulativeLink::cloglog;
  if (link == "loglog") return CumulativeLink::loglog;
  if (link == "cauchit") return CumulativeLink::cauchit;
  throw DomainError("unknown ordinal link '" + link + "'; the links are logit, probit, cloglog, loglog and cauchit");
}

inline std::string cumulative_link_name(CumulativeLink link) {
  switch (link) {
    case CumulativeLink::logit: return "logit";
    case CumulativeLink::probit: return "probit";
    case CumulativeLink::cloglog: return "cloglog";
    case CumulativeLink::loglog: return "loglog";
    case CumulativeLink::cauchit: return "cauchit";
  }
  return "";
}

// log F(x), log(f(x) / F(x)) and d/dx log(f(x) / F(x)) at a finite x.
struct TailForms {
  double log_cdf = 0, log_ratio = 0, dlog_ratio = 0;
};

inline TailForms lower_tail(CumulativeLink link, double x) {
  switch (link) {
    case CumulativeLink::logit:  // f / F = 1 - F
      return {-math::log1pexp(-x), -math::log1pexp(x), -math::expit(x)};
    case CumulativeLink::probit: {
      const double lr = math::log_dnorm(x) - math::log_pnorm(x);
      return {math::log_pnorm(x), lr, -x - std::exp(lr)};
    }
    case CumulativeLink::cauchit: {
      // F(x) = atan2(1, -x) / pi keeps its relative accuracy as x -> -inf.
      const double lf = std::abs(x) > 1e150 ? -2.0 * std::log(std::abs(x)) : -std::log1p(x * x);
      const double lF = std::log(std::atan2(1.0, -x)) - std::log(math::kPi);
      const double lr = lf - std::log(math::kPi) - lF;
      const double slope = std::abs(x) > 1e150 ? -2.0 / x : -2.0 * x / (1.0 + x * x);
      return {lF, lr, slope - std::exp(lr)};
    }
    case CumulativeLink::cloglog: {  // f = t (1 - F), t = e^x
      const double t = std::exp(x);
      const double lF = x < -30.0 ? x - 0.5 * t : std::log(-std::expm1(-t));
      const double one_minus_ratio = x < -30.0 ? -0.5 * t : 1.0 - t / -std::expm1(-t);
      return {lF, x - t - lF, one_minus_ratio};
    }
    case CumulativeLink::loglog: {  // f = t F, t = e^-x
      return {-std::exp(-x), -x, -1.0};
    }
  }
  return {0, 0, 0};
}

inline CumulativeLink mirror(CumulativeLink link) {
  if (link == CumulativeLink::cloglog) return CumulativeLink::loglog;
  if (link == CumulativeLink::loglog) return CumulativeLink::cloglog;
  return link;
}

// log(1 - F(x)), log(f / (1 - F)) and its slope d/dx, from the mirror.
inline TailForms upper_tail(CumulativeLink link, double x) {
  const TailForms m = lower_tail(mirror(link), -x);
  return {m.log_cdf, m.log_ratio, -m.dlog_ratio};
}

// F^-1(p) for 0 < p < 1.
inline double cumulative_quantile(CumulativeLink link, double p) {
  switch (link) {
    case CumulativeLink::logit: return std::log(p / (1 - p));
    case CumulativeLink::cloglog: return std::log(-std::log1p(-p));
    case CumulativeLink::loglog: return -std::log(-std::log(p));
    case CumulativeLink::cauchit: return std::tan(math::kPi * (p - 0.5));
    case CumulativeLink::probit: {
      // Newton on Phi from the logistic approximation.
      double x = std::log(p / (1 - p)) / 1.702;
      for (int it = 0; it < 50; ++it) {
        const double step = (math::pnorm(x) - p) / math::dnorm(x);
        x -= step;
        if (std::abs(step) < 1e-14) break;
      }
      return x;
    }
  }
  return 0;
}

}  // namespace probml
