#pragma once
// Positive data: exponential (rate), gamma (shape, rate) and Weibull
// (shape, scale). The gamma and Weibull shapes solve one equation each by
// Newton's method; the rate and scale then follow in closed form.
#include <vector>
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

class ExponentialDist : public DistributionOf<ExponentialDist> {
 public:
  ExponentialDist()
      : DistributionOf({"exponential",
                        {{"rate", ParamKind::positive}},
                        Support::positive, "positive numbers",
                        /* needs_spread */ false, /* min_n */ 1, /* discrete */ false, /* regular */ true,
                        /* label */ "exponential"}) {}

  double log_density_at(double x, const double* p) const { return std::log(p[0]) - p[0] * x; }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    s[0] = 1 / p[0] - x;
    h[0] = -1 / (p[0] * p[0]);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    return Eigen::MatrixXd::Constant(1, 1, 1 / (p[0] * p[0]));
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    return {1 / p[0], 1 / (p[0] * p[0]), 0.6931471805599453 / p[0], false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = random::exponential(g) / p[0];
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    DistFit f;
    f.params = Eigen::VectorXd::Constant(1, 1 / mean_of(x));
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    f.loglik = x.n * (std::log(f.params[0]) - 1);
    f.observed = x.n * fisher(f.params);
    return f;
  }
};

class GammaDist : public DistributionOf<GammaDist> {
 public:
  GammaDist()
      : DistributionOf({"gamma",
                        {{"shape", ParamKind::positive}, {"rate", ParamKind::positive}},
                        Support::positive, "positive numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "gamma"}) {}

  struct Context {
    const double* p;
    double constant;  // shape log(rate) - lgamma(shape)
  };
  Context context(const double* p) const { return {p, p[0] * std::log(p[1]) - std::lgamma(p[0])}; }
  double log_density_at(double x, const Context& c) const {
    return c.constant + (c.p[0] - 1) * std::log(x) - c.p[1] * x;
  }
  void derivatives_at(double x, const Context& c, double* s, double* h) const {
    const double k = c.p[0], r = c.p[1];
    s[0] = std::log(r) - math::digamma(k) + std::log(x);
    s[1] = k / r - x;
    h[0] = -math::trigamma(k);
    h[1] = 1 / r;
    h[2] = -k / (r * r);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    Eigen::MatrixXd I(2, 2);
    I << math::trigamma(p[0]), -1 / p[1], -1 / p[1], p[0] / (p[1] * p[1]);
    return I;
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    return {p[0] / p[1], p[0] / (p[1] * p[1]), median(p[0]) / p[1], false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = random::gamma(g, p[0]) / p[1];
  }

  // log k - digamma(k) = log(mean) - mean(log x), from Minka's approximation
  // (or the given start), then rate = k / mean.
  DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    return mle_from(mean_of(x), log_sums(x, 0).sum / x.n, p, use_start);
  }
  // The log-likelihood depends on the data through mean(x) and mean(log x)
  // only, and its Hessian not at all: one pass of logs for the whole fit.
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    const double m = mean_of(x), mean_log = log_sums(x, 0).sum / x.n, n = static_cast<double>(x.n);
    DistFit f = mle_from(m, mean_log, p, use_start);
    const double k = f.params[0], r = f.params[1];
    f.loglik = n * (k * std::log(r) - std::lgamma(k) + (k - 1) * mean_log - r * m);
    f.observed = n * fisher(f.params);
    return f;
  }

 private:
  DistFit mle_from(double m, double mean_log, const Eigen::VectorXd& p, bool use_start) const {
    const double s = std::log(m) - mean_log;
    double k = use_start ? p[0] : (3.0 - s + std::sqrt((s - 3.0) * (s - 3.0) + 24.0 * s)) / (12.0 * s);
    DistFit f;
    f.converged = false;
    for (f.iterations = 0; f.iterations < 100 && std::isfinite(k);) {
      const double step = (std::log(k) - math::digamma(k) - s) / (1.0 / k - math::trigamma(k));
      k = std::max(k - step, 0.5 * k);
      ++f.iterations;
      if (std::abs(step) <= 1e-14 * k) {
        f.converged = true;
        break;
      }
    }
    if (!std::isfinite(k)) throw NumericalError("the gamma shape diverged: the data may be too close to constant");
    f.params.resize(2);
    f.params << k, k / m;
    return f;
  }

  // Median of Gamma(k, 1): Newton on P(k, t) = 1/2 from Wilson-Hilferty.
  static double median(double k) {
    double t = k * std::pow(1 - 1 / (9 * k), 3);
    if (!(t > 0)) t = k * std::pow(0.5, 1 / k);
    for (int it = 0; it < 100; ++it) {
      const double dens = std::exp(math::log_gamma_prefactor(k, t)) / t;
      const double step = (math::gamma_p(k, t) - 0.5) / dens;
      t = std::max(t - step, 0.5 * t);
      if (std::abs(step) <= 1e-14 * t) break;
    }
    return t;
  }
};

class WeibullDist : public DistributionOf<WeibullDist> {
 public:
  WeibullDist()
      : DistributionOf({"weibull",
                        {{"shape", ParamKind::positive}, {"scale", ParamKind::positive}},
                        Support::positive, "positive numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "Weibull"}) {}

  double log_density_at(double x, const double* p) const {
    const double k = p[0], lz = std::log(x / p[1]);
    return std::log(k / p[1]) + (k - 1) * lz - std::exp(k * lz);
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    const double k = p[0], lam = p[1], lz = std::log(x / lam), z = std::exp(k * lz);
    s[0] = 1 / k + lz - z * lz;
    s[1] = (k / lam) * (z - 1);
    h[0] = -1 / (k * k) - z * lz * lz;
    h[1] = (-1 + z + k * z * lz) / lam;
    h[2] = -(k / (lam * lam)) * (z - 1 + k * z);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    const double g = 0.5772156649015329, k = p[0], lam = p[1];
    Eigen::MatrixXd I(2, 2);
    I << ((1 - g) * (1 - g) + math::kPi * math::kPi / 6) / (k * k), -(1 - g) / lam,
        -(1 - g) / lam, k * k / (lam * lam);
    return I;
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    const double k = p[0], lam = p[1], g1 = std::tgamma(1 + 1 / k), g2 = std::tgamma(1 + 2 / k);
    return {lam * g1, lam * lam * (g2 - g1 * g1), lam * std::pow(0.6931471805599453, 1 / k), false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = p[1] * std::pow(random::exponential(g), 1.0 / p[0]);
  }

  // sum x^k log x / sum x^k - 1/k = mean(log x), by Newton from a
  // log-moment start (or the given one); scale = mean(x^k)^(1/k). Sums of
  // x^k are scaled by the largest, so nothing overflows.
  DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    const long n = x.n;
    std::vector<double> lx(static_cast<size_t>(n));
    for_chunks(x, [&](long i0, long len) {
      for (long i = i0; i < i0 + len; ++i) lx[static_cast<size_t>(i)] = std::log(x.x[i]);
    });
    const Sample l = x.part(lx.data());
    const double mean_log = mean_of(l);
    const double sd_log = std::sqrt(sum_of(l, [&](double v) { return (v - mean_log) * (v - mean_log); }) / n);
    const double lmax = *std::max_element(lx.begin(), lx.end());
    double k = use_start ? p[0] : 1.2825 / sd_log;
    DistFit f;
    f.converged = false;
    for (f.iterations = 0; f.iterations < 100 && std::isfinite(k);) {
      const Sums<3> t = sum_chunks(l, Sums<3>(), [&](const double* v, long len) {
        Sums<3> part;  // sum of e, e log x, e (log x)^2, with e = (x / max x)^k
        for (long i = 0; i < len; ++i) {
          const double e = std::exp(k * (v[i] - lmax));
          part.v[0] += e;
          part.v[1] += e * v[i];
          part.v[2] += e * v[i] * v[i];
        }
        return part;
      });
      const double b = t.v[0], a = t.v[1], c = t.v[2];
      const double value = a / b - 1.0 / k - mean_log;
      const double slope = (c * b - a * a) / (b * b) + 1.0 / (k * k);
      const double step = value / slope;
      k = std::max(k - step, 0.5 * k);
      ++f.iterations;
      if (std::abs(step) <= 1e-14 * k) {
        f.converged = true;
        break;
      }
    }
    if (!std::isfinite(k)) throw NumericalError("the Weibull shape diverged: the data may be too close to constant");
    const double b = sum_of(l, [&](double v) { return std::exp(k * (v - lmax)); });
    f.params.resize(2);
    f.params << k, std::exp(lmax + std::log(b / n) / k);
    return f;
  }
};

}  // namespace probml
