#pragma once
// Monte Carlo studies of an estimator: for each sample size n, `reps` data
// sets of size n are drawn from a distribution and the estimator is applied
// to each. Replicate r of sample size n_k draws from its own stream
// Xoshiro256(seed, stream_id(k, r)), so the estimates do not depend on the
// number of threads or on how replicates are scheduled.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <probml/estimate/rng.hpp>
#include <probml/util/math.hpp>
#include <probml/util/parallel.hpp>

namespace probml {

enum class SimDist { gaussian, bernoulli, binomial, poisson, exponential, uniform, laplace, gamma, lognormal, weibull };
enum class SimEstimator { mean, median, trimmed_mean, var_mle, var_unbiased, sd, proportion, mle };

inline SimDist parse_sim_dist(const std::string& s) {
  if (s == "gaussian") return SimDist::gaussian;
  if (s == "bernoulli") return SimDist::bernoulli;
  if (s == "binomial") return SimDist::binomial;
  if (s == "poisson") return SimDist::poisson;
  if (s == "exponential") return SimDist::exponential;
  if (s == "uniform") return SimDist::uniform;
  if (s == "laplace") return SimDist::laplace;
  if (s == "gamma") return SimDist::gamma;
  if (s == "lognormal") return SimDist::lognormal;
  if (s == "weibull") return SimDist::weibull;
  throw std::invalid_argument("unknown distribution '" + s + "'");
}

inline SimEstimator parse_sim_estimator(const std::string& s) {
  if (s == "mean") return SimEstimator::mean;
  if (s == "median") return SimEstimator::median;
  if (s == "trimmed_mean") return SimEstimator::trimmed_mean;
  if (s == "var_mle") return SimEstimator::var_mle;
  if (s == "var_unbiased") return SimEstimator::var_unbiased;
  if (s == "sd") return SimEstimator::sd;
  if (s == "proportion") return SimEstimator::proportion;
  if (s == "mle") return SimEstimator::mle;
  throw std::invalid_argument("unknown estimator '" + s + "'");
}

// Distribution with its parameters, in R's parameterisations:
// gaussian (mean, sd), bernoulli (prob), binomial (size, prob),
// poisson (lambda), exponential (rate), uniform (min, max),
// laplace (location, scale), gamma (shape, rate), lognormal (meanlog,
// sdlog), weibull (shape, scale).
struct SimDistSpec {
  SimDist dist = SimDist::gaussian;
  double a = 0.0;
  double b = 1.0;

  SimDistSpec() = default;
  SimDistSpec(SimDist d, const std::vector<double>& p) : dist(d) {
    const std::size_t need = (d == SimDist::bernoulli || d == SimDist::poisson || d == SimDist::exponential) ? 1 : 2;
    if (p.size() != need) throw std::invalid_argument("wrong number of distribution parameters");
    for (double v : p)
      if (!std::isfinite(v)) throw std::invalid_argument("distribution parameters must be finite");
    a = p[0];
    b = need == 2 ? p[1] : 0.0;
    bool ok = true;
    switch (d) {
      case SimDist::gaussian: ok = b > 0; break;
      case SimDist::bernoulli: ok = a >= 0 && a <= 1; break;
      case SimDist::binomial: ok = a >= 0 && a == std::floor(a) && b >= 0 && b <= 1; break;
      case SimDist::poisson: ok = a > 0; break;
      case SimDist::exponential: ok = a > 0; break;
      case SimDist::uniform: ok = a < b; break;
      case SimDist::laplace: ok = b > 0; break;
      case SimDist::gamma: ok = a > 0 && b > 0; break;
      case SimDist::lognormal: ok = b > 0; break;
      case SimDist::weibull: ok = a > 0 && b > 0; break;
    }
    if (!ok) throw std::invalid_argument("distribution parameters outside their support");
  }
};

// Fills x[0..n) with draws from `spec` using generator g.
inline void sample_dist(const SimDistSpec& spec, Xoshiro256& g, double* x, long n) {
  switch (spec.dist) {
    case SimDist::gaussian: {
      const auto& z = detail::ziggurat_tables();
      for (long i = 0; i < n; ++i) x[i] = spec.a + spec.b * draw_std_normal(g, z);
      break;
    }
    case SimDist::bernoulli:
      for (long i = 0; i < n; ++i) x[i] = g.uniform() < spec.a ? 1.0 : 0.0;
      break;
    case SimDist::binomial: {
      std::binomial_distribution<long> d(static_cast<long>(spec.a), spec.b);
      for (long i = 0; i < n; ++i) x[i] = static_cast<double>(d(g));
      break;
    }
    case SimDist::poisson: {
      std::poisson_distribution<long> d(spec.a);
      for (long i = 0; i < n; ++i) x[i] = static_cast<double>(d(g));
      break;
    }
    case SimDist::exponential:
      for (long i = 0; i < n; ++i) x[i] = -std::log(g.uniform_pos()) / spec.a;
      break;
    case SimDist::uniform:
      for (long i = 0; i < n; ++i) x[i] = spec.a + (spec.b - spec.a) * g.uniform();
      break;
    case SimDist::laplace:
      for (long i = 0; i < n; ++i) {
        const double u = g.uniform() - 0.5;  // [-0.5, 0.5)
        const double m = 1.0 - 2.0 * std::fabs(u);  // (0, 1]
        x[i] = spec.a - spec.b * (u < 0 ? -1.0 : 1.0) * std::log(m);
      }
      break;
    case SimDist::gamma: {
      std::gamma_distribution<double> d(spec.a, 1.0 / spec.b);
      for (long i = 0; i < n; ++i) x[i] = d(g);
      break;
    }
    case SimDist::lognormal: {
      const auto& z = detail::ziggurat_tables();
      for (long i = 0; i < n; ++i) x[i] = std::exp(spec.a + spec.b * draw_std_normal(g, z));
      break;
    }
    case SimDist::weibull:
      for (long i = 0; i < n; ++i) x[i] = spec.b * std::pow(-std::log(g.uniform_pos()), 1.0 / spec.a);
      break;
  }
}

// Estimator with its tuning: `trim` for the trimmed mean (R's mean(x, trim)),
// `size` divides the proportion (binomial counts -> success proportion).
struct SimEstimatorSpec {
  SimEstimator estimator = SimEstimator::mean;
  double trim = 0.0;
  double size = 1.0;
  SimDist family = SimDist::gaussian;  // for mle: the model fitted (the sampling distribution)
  int param = 0;                       // for mle: which parameter, in the order above
};

// Applies the estimator to x[0..n); x may be reordered.
// sum of f(x[i]) with four accumulators: a single running sum is bound by
// the latency of one addition per element; four independent ones are not.
// The order of summation is fixed, so results do not depend on threads.
template <class F>
inline double sum4(const double* x, long n, F f) {
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += f(x[i]);
    a1 += f(x[i + 1]);
    a2 += f(x[i + 2]);
    a3 += f(x[i + 3]);
  }
  for (; i < n; ++i) a0 += f(x[i]);
  return (a0 + a1) + (a2 + a3);
}

// R's median (mean of the two middle values for even n); x is reordered.
inline double median_of(double* x, long n) {
  const long h = n / 2;
  std::nth_element(x, x + h, x + n);
  if (n % 2 == 1) return x[h];
  return 0.5 * (x[h] + *std::max_element(x, x + h));
}

// Maximum-likelihood estimate of parameter `param` of `family` from x:
// closed forms where they exist, Newton's method on the one equation left
// for the gamma and Weibull shapes. x may be overwritten.
inline double mle_estimate(SimDist family, int param, double size, double* x, long n) {
  const auto mean = [&] { return sum4(x, n, [](double v) { return v; }) / n; };
  switch (family) {
    case SimDist::gaussian: {
      const double m = mean();
      return param == 0 ? m : std::sqrt(sum4(x, n, [m](double v) { return (v - m) * (v - m); }) / n);
    }
    case SimDist::bernoulli:
    case SimDist::poisson: return mean();
    case SimDist::binomial: return mean() / size;
    case SimDist::exponential: return 1.0 / mean();
    case SimDist::uniform: return param == 0 ? *std::min_element(x, x + n) : *std::max_element(x, x + n);
    case SimDist::laplace: {
      const double med = median_of(x, n);
      return param == 0 ? med : sum4(x, n, [med](double v) { return std::fabs(v - med); }) / n;
    }
    case SimDist::lognormal: {
      for (long i = 0; i < n; ++i) x[i] = std::log(x[i]);
      const double m = mean();
      return param == 0 ? m : std::sqrt(sum4(x, n, [m](double v) { return (v - m) * (v - m); }) / n);
    }
    case SimDist::gamma: {
      // log k - digamma(k) = log(mean) - mean(log x), started from Minka's approximation.
      const double m = mean(), mean_log = sum4(x, n, [](double v) { return std::log(v); }) / n;
      const double s = std::log(m) - mean_log;
      double k = (3.0 - s + std::sqrt((s - 3.0) * (s - 3.0) + 24.0 * s)) / (12.0 * s);
      for (int it = 0; it < 50 && std::isfinite(k); ++it) {
        const double step = (std::log(k) - math::digamma(k) - s) / (1.0 / k - math::trigamma(k));
        k = std::max(k - step, 0.5 * k);
        if (std::fabs(step) < 1e-12 * k) break;
      }
      return param == 0 ? k : k / m;
    }
    case SimDist::weibull: {
      // sum x^k log x / sum x^k - 1/k = mean(log x), by Newton from a log-moment start.
      for (long i = 0; i < n; ++i) x[i] = std::log(x[i]);
      const double mean_log = mean();
      const double sd_log = std::sqrt(sum4(x, n, [mean_log](double v) { return (v - mean_log) * (v - mean_log); }) / n);
      double k = 1.2825 / sd_log;
      for (int it = 0; it < 100 && std::isfinite(k); ++it) {
        double a = 0, b = 0, c = 0;  // sums of x^k log x, x^k, x^k (log x)^2, scaled by max(x^k)
        double top = -std::numeric_limits<double>::infinity();
        for (long i = 0; i < n; ++i) top = std::max(top, k * x[i]);
        for (long i = 0; i < n; ++i) {
          const double e = std::exp(k * x[i] - top);
          b += e;
          a += e * x[i];
          c += e * x[i] * x[i];
        }
        const double gval = a / b - 1.0 / k - mean_log;
        const double gder = (c * b - a * a) / (b * b) + 1.0 / (k * k);
        const double step = gval / gder;
        k = std::max(k - step, 0.5 * k);
        if (std::fabs(step) < 1e-12 * k) break;
      }
      if (param == 0) return k;
      double top = -std::numeric_limits<double>::infinity();
      for (long i = 0; i < n; ++i) top = std::max(top, k * x[i]);
      double b = 0;
      for (long i = 0; i < n; ++i) b += std::exp(k * x[i] - top);
      return std::exp((top + std::log(b / n)) / k);
    }
  }
  return std::nan("");
}

inline double apply_estimator(const SimEstimatorSpec& e, double* x, long n) {
  switch (e.estimator) {
    case SimEstimator::mle:
      return mle_estimate(e.family, e.param, e.size, x, n);
    case SimEstimator::mean:
    case SimEstimator::proportion: {
      const double s = sum4(x, n, [](double v) { return v; });
      return e.estimator == SimEstimator::proportion ? s / n / e.size : s / n;
    }
    case SimEstimator::median: {
      const long h = n / 2;
      std::nth_element(x, x + h, x + n);
      if (n % 2 == 1) return x[h];
      const double lo = *std::max_element(x, x + h);
      return 0.5 * (lo + x[h]);
    }
    case SimEstimator::trimmed_mean: {
      // As R's mean(x, trim): drop floor(n * trim) from each end; trim >= 0.5
      // gives the median.
      if (e.trim >= 0.5) return apply_estimator({SimEstimator::median, 0.0, 1.0}, x, n);
      const long lo = static_cast<long>(std::floor(n * e.trim));
      if (lo == 0) return apply_estimator({SimEstimator::mean, 0.0, 1.0}, x, n);
      const long hi = n - lo;  // keep [lo, hi)
      std::nth_element(x, x + lo, x + n);
      std::nth_element(x + lo, x + hi - 1, x + n);
      double s = 0.0;
      for (long i = lo; i < hi; ++i) s += x[i];
      return s / (hi - lo);
    }
    case SimEstimator::var_mle:
    case SimEstimator::var_unbiased:
    case SimEstimator::sd: {
      if (n < 2) throw std::invalid_argument("variance estimators need n >= 2");
      const double m = sum4(x, n, [](double v) { return v; }) / n;
      const double ss = sum4(x, n, [m](double v) { return (v - m) * (v - m); });
      if (e.estimator == SimEstimator::var_mle) return ss / n;
      const double v = ss / (n - 1);
      return e.estimator == SimEstimator::sd ? std::sqrt(v) : v;
    }
  }
  return 0.0;
}

// Stream of replicate `rep` at the `k`-th sample size.
inline std::uint64_t sim_stream_id(long k, long rep) {
  return (static_cast<std::uint64_t>(k) << 40) ^ static_cast<std::uint64_t>(rep);
}

struct SimStudyOptions {
  long reps = 1000;
  std::uint64_t seed = 0;
  int n_threads = 1;
  long block_size = 64;  // replicates per parallel task
};

// Runs the study. Returns the estimates column-major: reps x n_sizes, column
// k for sample size sizes[k]. Interrupts are checked on the calling thread
// between rounds of blocks.
inline std::vector<double> simulate_estimator(const SimEstimatorSpec& est, const SimDistSpec& dist,
                                              const std::vector<long>& sizes, const SimStudyOptions& opt,
                                              const Callbacks& cb = Callbacks()) {
  if (opt.reps < 1) throw std::invalid_argument("reps must be positive");
  for (long n : sizes)
    if (n < 1) throw std::invalid_argument("sample sizes must be positive");
  const long reps = opt.reps;
  const long bs = std::max<long>(1, opt.block_size);
  const long blocks_per_size = (reps + bs - 1) / bs;
  const int n_threads = std::max(1, opt.n_threads);
  std::vector<double> out(static_cast<std::size_t>(reps) * sizes.size());
  std::vector<std::vector<double>> scratch(n_threads);

  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const long n = sizes[k];
    for (auto& s : scratch) s.resize(static_cast<std::size_t>(n));
    double* col = out.data() + static_cast<std::size_t>(reps) * k;
    // Rounds of a few blocks per thread, with an interrupt check between.
    const long per_round = std::max<long>(static_cast<long>(n_threads) * 4,
                                          std::min<long>(blocks_per_size, (1L << 22) / std::max<long>(1, n * bs)));
    for (long b0 = 0; b0 < blocks_per_size; b0 += per_round) {
      const long nb = std::min(per_round, blocks_per_size - b0);
      parallel_for(nb, n_threads, [&](long t, int worker) {
        double* x = scratch[static_cast<std::size_t>(worker)].data();
        const long r0 = (b0 + t) * bs;
        const long r1 = std::min(reps, r0 + bs);
        for (long r = r0; r < r1; ++r) {
          Xoshiro256 g(opt.seed, sim_stream_id(static_cast<long>(k), r));
          sample_dist(dist, g, x, n);
          col[r] = apply_estimator(est, x, n);
        }
      });
      cb.interrupt_point();
    }
  }
  return out;
}

}  // namespace probml
