#pragma once
// Numerically stable scalar helpers shared by the likelihood families.
#include <cmath>
#include <limits>

namespace probml {
namespace math {

constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kPi = 3.14159265358979323846;
constexpr double kInf = std::numeric_limits<double>::infinity();

// log(1 + exp(x)) without overflow.
inline double log1pexp(double x) {
  if (x > 35.0) return x + std::exp(-x);
  if (x < -35.0) return std::exp(x);
  return std::log1p(std::exp(x));
}

// 1 / (1 + exp(-x)).
inline double expit(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

// log(1 - exp(x)) for x <= 0 (Maechler's log1mexp).
inline double log1mexp(double x) {
  if (x > -0.6931471805599453) return std::log(-std::expm1(x));
  return std::log1p(-std::exp(x));
}

inline double dnorm(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }
inline double log_dnorm(double x) { return -kLogSqrt2Pi - 0.5 * x * x; }
inline double pnorm(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

// log Phi(x); erfc underflows below about -37, so use the asymptotic series there.
inline double log_pnorm(double x) {
  if (x > 5.0) return std::log1p(-pnorm(-x));
  if (x > -30.0) return std::log(pnorm(x));
  double z = 1.0 / (x * x);
  double series = 1.0 - z * (1.0 - 3.0 * z * (1.0 - 5.0 * z * (1.0 - 7.0 * z)));
  return log_dnorm(x) - std::log(-x) + std::log(series);
}

// Mills-type ratio phi(x) / Phi(x), stable in both tails.
inline double dnorm_over_pnorm(double x) {
  if (x > -30.0) return dnorm(x) / pnorm(x);
  return std::exp(log_dnorm(x) - log_pnorm(x));
}

// digamma and trigamma by recurrence up to x >= 6, then the asymptotic series.
inline double digamma(double x) {
  double result = 0.0;
  while (x < 6.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  double f = 1.0 / (x * x);
  double series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
  return result + std::log(x) - 0.5 / x - series;
}

inline double trigamma(double x) {
  double result = 0.0;
  while (x < 6.0) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  double f = 1.0 / (x * x);
  double series = 1.0 / x + f / 2.0 +
                  f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30))));
  return result + series;
}

// Normalising constant of the Huber density exp(-rho_delta(z)).
inline double huber_log_norm(double delta) {
  double inner = std::sqrt(2.0 * kPi) * (2.0 * pnorm(delta) - 1.0);
  double tails = 2.0 * std::exp(-0.5 * delta * delta) / delta;
  return std::log(inner + tails);
}

// Variance of the standardised Huber density.
inline double huber_variance(double delta) {
  double d2 = delta * delta;
  double inner = std::sqrt(2.0 * kPi) * (2.0 * pnorm(delta) - 1.0) -
                 2.0 * delta * std::exp(-0.5 * d2);
  double tails = 2.0 * std::exp(-0.5 * d2) * (delta + 2.0 / delta + 2.0 / (d2 * delta));
  return (inner + tails) / std::exp(huber_log_norm(delta));
}

}  // namespace math
}  // namespace probml
