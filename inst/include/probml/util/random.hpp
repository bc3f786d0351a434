#pragma once
// Random variates drawn from one Xoshiro256 stream by the core's own
// algorithms, never by std:: distributions, whose algorithms differ between
// standard libraries: a seed gives the same draws everywhere. Every sampler
// takes a fixed, bounded expected number of uniforms whatever its
// parameters, so no call can run away.
#include <cmath>
#include <stdexcept>
#include "errors.hpp"
#include "math.hpp"
#include "rng.hpp"

namespace probml {
namespace random {

inline double uniform(Xoshiro256& g) { return g.uniform(); }
inline double normal(Xoshiro256& g) { return draw_std_normal(g); }
inline double exponential(Xoshiro256& g) { return -std::log(g.uniform_pos()); }

// log of a Gamma(shape, 1) variate. Marsaglia & Tsang (2000) for shape >= 1;
// below 1, Gamma(a) = Gamma(a + 1) U^(1/a), on the log scale so that tiny
// shapes do not underflow to 0.
inline double log_gamma_variate(Xoshiro256& g, double shape) {
  if (shape < 1) return log_gamma_variate(g, shape + 1) + std::log(g.uniform_pos()) / shape;
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = draw_std_normal(g);
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = g.uniform_pos(), x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v)))
      return std::log(d * v);
  }
}

inline double gamma(Xoshiro256& g, double shape) { return std::exp(log_gamma_variate(g, shape)); }

// Beta(a, b) as Ga / (Ga + Gb), with the two gammas on the log scale.
inline double beta(Xoshiro256& g, double a, double b) {
  const double la = log_gamma_variate(g, a), lb = log_gamma_variate(g, b);
  return 1.0 / (1.0 + std::exp(lb - la));
}

// Student t with df degrees of freedom: Z / sqrt(chi2_df / df).
inline double student_t(Xoshiro256& g, double df) {
  const double z = draw_std_normal(g);
  return z / std::sqrt(2.0 * gamma(g, 0.5 * df) / df);
}

inline void check_count_parameter(double value, const char* what) {
  if (!(value <= math::kMaxExactCount))
    throw DomainError(std::string(what) +
                      " is above 2^53, the largest count a double holds exactly; the draws "
                      "would not be whole numbers");
}

// Poisson(lambda), lambda <= 2^53. Below 10: Knuth's product of uniforms
// (about lambda + 1 of them); above: Hoermann's (1993) transformed rejection
// with squeeze (PTRS), about 1.2 pairs of uniforms, with the acceptance test
// on log probabilities computed without cancellation (math::log_dpois).
inline double poisson(Xoshiro256& g, double lambda) {
  if (lambda < 10) {
    const double limit = std::exp(-lambda);
    double k = 0, prod = g.uniform_pos();
    while (prod > limit) {
      prod *= g.uniform_pos();
      k += 1;
    }
    return k;
  }
  const double slam = std::sqrt(lambda);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = std::log(1.1239 + 1.1328 / (b - 3.4)), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = g.uniform() - 0.5, v = g.uniform_pos(), us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
    if (k < 0) continue;
    if (us >= 0.07 && v <= vr) return k;
    if (us < 0.013 && v > us) continue;
    if (std::log(v) + log_inv_alpha - std::log(a / (us * us) + b) <= math::log_dpois(k, lambda))
      return k;
  }
}

// Binomial(n, p), n a whole number <= 2^53. For n min(p, 1 - p) < 10,
// inversion by sequential search; otherwise Hoermann's (1993) BTRS, with
// the acceptance ratio f(k) / f(mode) from math::log_dbinom.
inline double binomial(Xoshiro256& g, double n, double p) {
  if (p <= 0 || n == 0) return 0;
  if (p >= 1) return n;
  const bool flip = p > 0.5;
  const double pp = flip ? 1 - p : p, q = 1 - pp;
  double k = 0;
  if (n * pp < 10) {
    const double s = pp / q, a = (n + 1) * s, r0 = std::exp(n * std::log1p(-pp));
    for (;;) {
      double u = g.uniform(), r = r0;
      k = 0;
      while (u > r && k <= n) {
        u -= r;
        k += 1;
        r *= a / k - s;
      }
      if (k <= n) break;  // rounding left u unexhausted: draw again
    }
  } else {
    const double spq = std::sqrt(n * pp * q);
    const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * pp, c = n * pp + 0.5;
    const double alpha = (2.83 + 5.1 / b) * spq, vr = 0.92 - 4.2 / b;
    const double mode = std::floor((n + 1) * pp), log_f_mode = math::log_dbinom(mode, n, pp);
    for (;;) {
      const double u = g.uniform() - 0.5, v = g.uniform_pos(), us = 0.5 - std::fabs(u);
      k = std::floor((2 * a / us + b) * u + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) break;
      if (std::log(v * alpha / (a / (us * us) + b)) <= math::log_dbinom(k, n, pp) - log_f_mode) break;
    }
  }
  return flip ? n - k : k;
}

}  // namespace random
}  // namespace probml
