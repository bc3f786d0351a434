#pragma once
// Monte Carlo studies of an estimator: for each sample size n, `reps` data
// sets of size n are drawn from a distribution of the table (dist/table.hpp)
// and the estimator is applied to each. Replicate r of sample size n_k
// draws from its own stream Xoshiro256(seed, study_stream(k, r)), so the
// estimates do not depend on the number of threads or on scheduling.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../util/callbacks.hpp"
#include "../util/errors.hpp"
#include "../util/parallel.hpp"
#include "../util/rng.hpp"
#include "dist/table.hpp"

namespace probml {

enum class Estimator { mean, median, trimmed_mean, var_mle, var_unbiased, sd, proportion, mle };

inline Estimator parse_estimator(const std::string& s) {
  if (s == "mean") return Estimator::mean;
  if (s == "median") return Estimator::median;
  if (s == "trimmed_mean") return Estimator::trimmed_mean;
  if (s == "var_mle") return Estimator::var_mle;
  if (s == "var_unbiased") return Estimator::var_unbiased;
  if (s == "sd") return Estimator::sd;
  if (s == "proportion") return Estimator::proportion;
  if (s == "mle") return Estimator::mle;
  throw DomainError("unknown estimator '" + s + "'");
}

struct StudySpec {
  Estimator estimator = Estimator::mean;
  const Distribution* dist = nullptr;
  Eigen::VectorXd params;    // all parameters of the distribution, in its order
  std::vector<long> sizes;   // sample sizes
  long reps = 1000;
  std::uint64_t seed = 0;
  int n_threads = 1;
  double trim = 0;           // trimmed_mean: as R's mean(x, trim)
  int parameter = 0;         // mle: which parameter, an index into params
};

struct StudyResult {
  std::vector<double> estimates;  // reps x sizes, column-major
  long not_converged = 0;         // mle: replicates whose fit did not converge (estimate kept)
};

// Stream of replicate `rep` at the k-th sample size.
inline std::uint64_t study_stream(long k, long rep) {
  return (static_cast<std::uint64_t>(k) << 40) ^ static_cast<std::uint64_t>(rep);
}

// The estimate from x[0..n); x may be reordered. Sets *converged for mle.
inline double apply_estimator(const StudySpec& s, double* x, long n, bool* converged) {
  switch (s.estimator) {
    case Estimator::mean: return mean_of(Sample{x, n});
    case Estimator::proportion: {
      const auto ps = s.dist->params();
      const double trials = ps[0].kind == ParamKind::trials ? s.params[0] : 1.0;
      return mean_of(Sample{x, n}) / trials;
    }
    case Estimator::median: return median_in_place(x, n);
    case Estimator::trimmed_mean: {
      // As R's mean(x, trim): drop floor(n * trim) from each end; trim >= 0.5 gives the median.
      if (s.trim >= 0.5) return median_in_place(x, n);
      const long lo = static_cast<long>(std::floor(n * s.trim));
      if (lo == 0) return mean_of(Sample{x, n});
      const long hi = n - lo;  // keep [lo, hi)
      std::nth_element(x, x + lo, x + n);
      std::nth_element(x + lo, x + hi - 1, x + n);
      return mean_of(Sample{x + lo, hi - lo});
    }
    case Estimator::var_mle:
    case Estimator::var_unbiased:
    case Estimator::sd: {
      const double m = mean_of(Sample{x, n});
      const double ss = sum4(x, n, [m](double v) { return (v - m) * (v - m); });
      if (s.estimator == Estimator::var_mle) return ss / n;
      const double v = ss / (n - 1);
      return s.estimator == Estimator::sd ? std::sqrt(v) : v;
    }
    case Estimator::mle: {
      const DistFit f = s.dist->mle(Sample{x, n}, s.params, false);
      *converged = f.converged;
      return f.params[s.parameter];
    }
  }
  return std::nan("");
}

// Runs the study; progress is reported and interrupts are checked on the
// calling thread between rounds of replicate blocks.
inline StudyResult run_study(const StudySpec& s, const Callbacks& cb = Callbacks()) {
  if (!s.dist) throw DomainError("the study has no distribution");
  s.dist->check_params(s.params);
  if (s.reps < 1) throw DomainError("reps must be positive");
  for (long n : s.sizes)
    if (n < 1) throw DomainError("sample sizes must be positive");
  const bool variance = s.estimator == Estimator::var_mle || s.estimator == Estimator::var_unbiased ||
                        s.estimator == Estimator::sd;
  for (long n : s.sizes)
    if ((variance && n < 2) || (s.estimator == Estimator::mle && n < s.dist->min_n()))
      throw DomainError("the estimator needs samples of at least " +
                        std::to_string(variance ? 2L : s.dist->min_n()) + " observations");

  const long reps = s.reps, block = 64, blocks_per_size = (reps + block - 1) / block;
  const int n_threads = std::max(1, s.n_threads);
  StudyResult out;
  out.estimates.assign(static_cast<size_t>(reps) * s.sizes.size(), 0.0);
  std::vector<std::vector<double>> scratch(static_cast<size_t>(n_threads));
  std::vector<long> not_converged(static_cast<size_t>(n_threads), 0);
  const double total = static_cast<double>(reps) * static_cast<double>(s.sizes.size());
  double done = 0;

  for (size_t k = 0; k < s.sizes.size(); ++k) {
    const long n = s.sizes[k];
    for (auto& v : scratch) v.resize(static_cast<size_t>(n));
    double* col = out.estimates.data() + static_cast<size_t>(reps) * k;
    // Rounds of about 2^22 draws (at least one block per thread), so that
    // interrupts and progress are never more than a fraction of a second apart.
    const long per_round = std::max<long>(n_threads, std::min<long>(blocks_per_size, (1L << 22) / std::max<long>(1, n * block)));
    for (long b0 = 0; b0 < blocks_per_size; b0 += per_round) {
      const long nb = std::min(per_round, blocks_per_size - b0);
      parallel_for(nb, n_threads, [&](long t, int worker) {
        double* x = scratch[static_cast<size_t>(worker)].data();
        const long r0 = (b0 + t) * block, r1 = std::min(reps, r0 + block);
        for (long r = r0; r < r1; ++r) {
          Xoshiro256 g(s.seed, study_stream(static_cast<long>(k), r));
          s.dist->sample(s.params, g, x, n);
          bool converged = true;
          try {
            col[r] = apply_estimator(s, x, n, &converged);
          } catch (const NumericalError& e) {
            throw NumericalError("the estimator failed on replicate " + std::to_string(r + 1) + " at n = " +
                                 std::to_string(n) + ": " + e.what());
          }
          if (!converged) ++not_converged[static_cast<size_t>(worker)];
        }
      });
      done += static_cast<double>(std::min(reps, (b0 + nb) * block) - b0 * block);
      cb.interrupt_point();
      cb.report(done, total);
    }
  }
  for (int w = 0; w < n_threads; ++w) out.not_converged += not_converged[static_cast<size_t>(w)];
  return out;
}

}  // namespace probml
