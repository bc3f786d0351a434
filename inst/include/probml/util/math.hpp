#pragma once
// Numerically stable scalar helpers shared by the likelihood families.
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

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

// log(k!) for whole k >= 0: a table for the counts most data hold.
inline double log_factorial(double k) {
  static const std::vector<double> table = [] {
    std::vector<double> t(1024);
    for (std::size_t j = 0; j < t.size(); ++j) t[j] = std::lgamma(static_cast<double>(j) + 1.0);
    return t;
  }();
  return k < 1024 ? table[static_cast<std::size_t>(k)] : std::lgamma(k + 1.0);
}

// Stirling's error log(n!) - (n + 1/2) log n + n - log sqrt(2 pi), n >= 1.
// With bd0() it evaluates Poisson and binomial log probabilities without
// the cancellation of lgamma differences, accurately for any count a
// double holds exactly (Loader 2000).
inline double stirling_error(double n) {
  if (n <= 15.0) {
    const double lf = n == std::floor(n) ? log_factorial(n) : std::lgamma(n + 1.0);
    return lf - (n + 0.5) * std::log(n) + n - kLogSqrt2Pi;
  }
  const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
  const double nn = n * n;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// x log(x / m) + m - x, the deviance term, by its series when x is near m.
inline double bd0(double x, double m) {
  if (std::abs(x - m) < 0.1 * (x + m)) {
    double v = (x - m) / (x + m), s = (x - m) * v, ej = 2 * x * v;
    const double v2 = v * v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v2;
      const double next = s + ej / (2 * j + 1);
      if (next == s) return next;
      s = next;
    }
    return s;
  }
  return x * std::log(x / m) + m - x;
}

// log P(X = k) for X ~ Poisson(lambda) and X ~ Binomial(n, p), whole k.
inline double log_dpois(double k, double lambda) {
  if (k == 0) return -lambda;
  return -stirling_error(k) - bd0(k, lambda) - 0.5 * std::log(2 * kPi * k);
}

inline double log_dbinom(double k, double n, double p) {
  if (p == 0) return k == 0 ? 0.0 : -kInf;
  if (p == 1) return k == n ? 0.0 : -kInf;
  if (k == 0) return n * std::log1p(-p);
  if (k == n) return n * std::log(p);
  const double q = 1 - p;
  return stirling_error(n) - stirling_error(k) - stirling_error(n - k) - bd0(k, n * p) -
         bd0(n - k, n * q) + 0.5 * std::log(n / (2 * kPi * k * (n - k)));
}

// Regularised incomplete gamma P(a, x) and Q(a, x) = 1 - P(a, x), a > 0, x >= 0:
// the series for x < a + 1, else Lentz's continued fraction for Q; the
// prefactor x^a exp(-x) / Gamma(a) in the cancellation-free form
// exp(-bd0(a, x) - stirling_error(a)) sqrt(a / (2 pi)).
inline double log_gamma_prefactor(double a, double x) {
  return -bd0(a, x) - stirling_error(a) + 0.5 * std::log(a / (2 * kPi));
}

inline double gamma_p_series(double a, double x) {
  double term = 1.0 / a, sum = term;
  for (long n = 1; n < 100000000L; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::abs(term) < std::abs(sum) * 1e-16) break;
  }
  return sum * std::exp(log_gamma_prefactor(a, x));
}

inline double gamma_q_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (long i = 1; i < 100000000L; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < 1e-16) break;
  }
  return std::exp(log_gamma_prefactor(a, x)) * h;
}

inline double gamma_p(double a, double x) {
  if (x <= 0) return 0;
  return x < a + 1 ? gamma_p_series(a, x) : 1 - gamma_q_fraction(a, x);
}

inline double gamma_q(double a, double x) {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

// Regularised incomplete beta I_x(a, b) by Lentz's continued fraction on
// the side where it converges, with the prefactor
// x^a (1 - x)^b / B(a, b) written through bd0() and stirling_error().
inline double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300, qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (long m = 1; m < 100000000L; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < 1e-16) break;
  }
  return h;
}

inline double beta_i(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double n = a + b;
  const double log_front = -bd0(a, x * n) - bd0(b, (1 - x) * n) + stirling_error(n) -
                           stirling_error(a) - stirling_error(b) + 0.5 * std::log(a * b / (2 * kPi * n));
  const double front = std::exp(log_front);
  if (x < (a + 1) / (n + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

// The largest count a double holds exactly (2^53): bigger sizes and rates
// would give counts that are not whole numbers.
constexpr double kMaxExactCount = 9007199254740992.0;

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
