#pragma once
// One table of univariate distributions: for each, its parameters, support,
// log-likelihood, score and Hessian, expected Fisher information, moments,
// sampler and maximum-likelihood fit. fit_dist(), fisher_information(),
// cramer_rao_bound() and simulate_estimator() all read it (table.hpp).
//
// Parameters are the natural ones, in R's order (rnorm's mean and sd,
// rgamma's shape and rate, ...), as one vector p that also holds fixed
// parameters (the binomial size). Derivatives are taken with respect to
// the estimated parameters only.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>
#include "../../optim/descent.hpp"
#include "../../util/errors.hpp"
#include "../../util/math.hpp"
#include "../../util/parallel.hpp"
#include "../../util/rng.hpp"

namespace probml {

using Index = Eigen::Index;

enum class ParamKind { real, positive, probability, trials };  // trials: a fixed whole number

struct DistParam {
  std::string name;
  ParamKind kind;
  bool estimated() const { return kind != ParamKind::trials; }
};

enum class Support { real, positive, unit_open, binary, count, count_to_trials, interval };

struct Moments {
  double mean, variance, median;
  bool symmetric;
};

// The first problem in a sample, named for the caller to report; "" if none.
struct SampleProblem {
  std::string problem;  // "missing", "infinite", "support", "too_few", "no_spread"
  Index row = -1;       // 0-based, for "missing", "infinite" and "support"
};

struct DistFit {
  Eigen::VectorXd params;    // all parameters, fixed ones included
  double loglik = 0;
  Eigen::MatrixXd observed;  // observed information of the sample (estimated parameters)
  bool converged = true;
  int iterations = 0;
};

// Sum of f(x[i]) in four lanes: one running sum is bound by the latency of
// an addition per element, four are not.
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

// A sample the engine reads, and how many threads its passes may use. A
// pass works on fixed chunks of kSampleChunk values and combines them in
// chunk order, so its result does not depend on the number of threads.
struct Sample {
  const double* x;
  long n;
  int threads = 1;
  Sample part(const double* y) const { return {y, n, threads}; }  // another array of the same length
};
constexpr long kSampleChunk = 1L << 15;

// zero + chunk(x + i0, len) + ... over the chunks, in order; T has +=.
template <class T, class ChunkFn>
T sum_chunks(const Sample& s, const T& zero, ChunkFn chunk) {
  const long n_chunks = (s.n + kSampleChunk - 1) / kSampleChunk;
  const auto run = [&](long c) {
    const long i0 = c * kSampleChunk;
    return chunk(s.x + i0, std::min(kSampleChunk, s.n - i0));
  };
  T total = zero;
  if (s.threads <= 1 || n_chunks <= 1) {
    for (long c = 0; c < n_chunks; ++c) total += run(c);
    return total;
  }
  std::vector<T> parts(static_cast<size_t>(n_chunks), zero);
  parallel_for(n_chunks, s.threads, [&](long c, int) { parts[static_cast<size_t>(c)] = run(c); });
  for (const T& p : parts) total += p;
  return total;
}

// fn(i0, len) for each chunk, for passes that write per-row results.
template <class ChunkFn>
void for_chunks(const Sample& s, ChunkFn fn) {
  const long n_chunks = (s.n + kSampleChunk - 1) / kSampleChunk;
  parallel_for(n_chunks, s.threads, [&](long c, int) {
    const long i0 = c * kSampleChunk;
    fn(i0, std::min(kSampleChunk, s.n - i0));
  });
}

template <class F>
inline double sum_of(const Sample& s, F f) {
  return sum_chunks(s, 0.0, [&](const double* x, long len) { return sum4(x, len, f); });
}

inline double mean_of(const Sample& s) {
  return sum_of(s, [](double v) { return v; }) / static_cast<double>(s.n);
}

// K running sums, for passes that accumulate several at once.
template <int K>
struct Sums {
  double v[K] = {};
  Sums& operator+=(const Sums& o) {
    for (int k = 0; k < K; ++k) v[k] += o.v[k];
    return *this;
  }
};

// Sums of (log x - shift) and of its square, in one pass: the log is most
// of the cost of a pass over positive data.
struct LogSums {
  double sum = 0, sum_sq = 0;
  LogSums& operator+=(const LogSums& o) {
    sum += o.sum;
    sum_sq += o.sum_sq;
    return *this;
  }
};
inline LogSums log_sums(const Sample& s, double shift) {
  return sum_chunks(s, LogSums(), [shift](const double* x, long len) {
    double a0 = 0, a1 = 0, q0 = 0, q1 = 0;
    long i = 0;
    for (; i + 2 <= len; i += 2) {
      const double r0 = std::log(x[i]) - shift, r1 = std::log(x[i + 1]) - shift;
      a0 += r0;
      a1 += r1;
      q0 += r0 * r0;
      q1 += r1 * r1;
    }
    for (; i < len; ++i) {
      const double r = std::log(x[i]) - shift;
      a0 += r;
      q0 += r * r;
    }
    LogSums out;
    out.sum = a0 + a1;
    out.sum_sq = q0 + q1;
    return out;
  });
}

// R's median of x[0..n); x is reordered.
inline double median_in_place(double* x, long n) {
  const long h = n / 2;
  std::nth_element(x, x + h, x + n);
  if (n % 2 == 1) return x[h];
  return 0.5 * (x[h] + *std::max_element(x, x + h));
}

// What a distribution is, declared once per distribution (see table.hpp).
struct DistFacts {
  std::string name;
  std::vector<DistParam> params;
  Support support;
  std::string support_text;   // for messages: "positive numbers"
  bool needs_spread = false;  // the MLE needs two distinct values (a scale to estimate)
  long min_n = 1;
  bool discrete = false;
  bool regular = true;        // Fisher information exists (the support does not depend on the parameters)
  std::string label;          // as a title writes it: "Gaussian", "Student t"
};

class Distribution {
 private:
  // The range of a sample, and whether every value is finite (v * 0 sums to
  // 0 only then) and, where asked, whole. Four lanes, no branches: a pass is
  // as cheap as a sum.
  struct Scan {
    double zero = 0, lo = math::kInf, hi = -math::kInf;
    bool whole = true;
    Scan& operator+=(const Scan& o) {
      zero += o.zero;
      lo = std::min(lo, o.lo);
      hi = std::max(hi, o.hi);
      whole = whole && o.whole;
      return *this;
    }
  };
  static Scan scan_chunk(const double* x, long len, bool check_whole) {
    double z[4] = {0, 0, 0, 0}, lo[4], hi[4];
    std::fill(lo, lo + 4, math::kInf);
    std::fill(hi, hi + 4, -math::kInf);
    long i = 0;
    for (; i + 4 <= len; i += 4) {
      for (int k = 0; k < 4; ++k) {
        const double v = x[i + k];
        z[k] += v * 0.0;
        lo[k] = v < lo[k] ? v : lo[k];
        hi[k] = v > hi[k] ? v : hi[k];
      }
    }
    for (; i < len; ++i) {
      const double v = x[i];
      z[0] += v * 0.0;
      lo[0] = v < lo[0] ? v : lo[0];
      hi[0] = v > hi[0] ? v : hi[0];
    }
    Scan c;
    c.zero = (z[0] + z[1]) + (z[2] + z[3]);
    c.lo = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
    c.hi = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
    if (check_whole) {
      for (long j = 0; j < len; ++j) c.whole = c.whole && x[j] == std::floor(x[j]);
    }
    return c;
  }
  bool whole_number_support() const {
    return support() == Support::binary || support() == Support::count || support() == Support::count_to_trials;
  }
  // A finite value in the support.
  bool in_support(double v, double trials) const {
    switch (support()) {
      case Support::real:
      case Support::interval: return true;
      case Support::positive: return v > 0;
      case Support::unit_open: return v > 0 && v < 1;
      case Support::binary: return v == 0 || v == 1;
      case Support::count: return v >= 0 && v == std::floor(v);
      case Support::count_to_trials: return v >= 0 && v <= trials && v == std::floor(v);
    }
    return false;
  }
  // The same question of the whole sample, from its scan.
  bool in_support(const Scan& c, double trials) const {
    switch (support()) {
      case Support::real:
      case Support::interval: return true;
      case Support::positive: return c.lo > 0;
      case Support::unit_open: return c.lo > 0 && c.hi < 1;
      case Support::binary: return c.whole && c.lo >= 0 && c.hi <= 1;
      case Support::count: return c.whole && c.lo >= 0;
      case Support::count_to_trials: return c.whole && c.lo >= 0 && c.hi <= trials;
    }
    return false;
  }

 public:
  explicit Distribution(DistFacts facts) : facts_(std::move(facts)) {}
  virtual ~Distribution() = default;
  const std::string& name() const { return facts_.name; }
  const std::string& label() const { return facts_.label; }
  const std::vector<DistParam>& params() const { return facts_.params; }
  Support support() const { return facts_.support; }
  const std::string& support_text() const { return facts_.support_text; }
  bool regular() const { return facts_.regular; }
  bool discrete() const { return facts_.discrete; }
  bool needs_spread() const { return facts_.needs_spread; }
  long min_n() const { return facts_.min_n; }

  int n_params() const { return static_cast<int>(params().size()); }
  int n_estimated() const {
    int k = 0;
    for (const auto& q : params()) k += q.estimated();
    return k;
  }

  // Throws DomainError naming the first parameter outside its space.
  void check_params(const Eigen::VectorXd& p) const {
    const auto ps = params();
    if (p.size() != static_cast<Index>(ps.size()))
      throw DomainError("the " + name() + " distribution has " + std::to_string(ps.size()) +
                        " parameters, not " + std::to_string(p.size()));
    for (size_t k = 0; k < ps.size(); ++k) {
      const double v = p[static_cast<Index>(k)];
      const std::string what = "parameter " + ps[k].name + " of the " + name() + " distribution";
      if (!std::isfinite(v)) throw DomainError(what + " must be finite");
      switch (ps[k].kind) {
        case ParamKind::real: break;
        case ParamKind::positive:
          if (!(v > 0)) throw DomainError(what + " must be positive");
          break;
        case ParamKind::probability:
          if (!(v >= 0 && v <= 1)) throw DomainError(what + " must lie in [0, 1]");
          break;
        case ParamKind::trials:
          if (!(v >= 1) || v != std::floor(v)) throw DomainError(what + " must be a positive whole number");
          if (v > math::kMaxExactCount)
            throw DomainError(what + " is above 2^53, the largest count a double holds exactly");
          break;
      }
    }
    check_relations(p);
  }

  // Constraints between parameters (the uniform's min < max).
  virtual void check_relations(const Eigen::VectorXd&) const {}

  // One pass over the sample: the first missing, infinite or unsupported
  // value, too few values, or no spread where the MLE needs one. Only if
  // something is wrong is the first bad row searched for.
  SampleProblem check_sample(const Sample& x, const Eigen::VectorXd& p) const {
    const double trials = support() == Support::count_to_trials ? p[0] : 0.0;
    const bool whole = whole_number_support();
    const Scan found = sum_chunks(x, Scan(), [whole](const double* v, long len) { return scan_chunk(v, len, whole); });
    if (!(found.zero == 0 && in_support(found, trials))) {
      for (long i = 0; i < x.n; ++i) {
        const double v = x.x[i];
        if (std::isnan(v)) return {"missing", i};
        if (!std::isfinite(v)) return {"infinite", i};
        if (!in_support(v, trials)) return {"support", i};
      }
    }
    if (x.n < min_n()) return {"too_few", -1};
    if (needs_spread() && x.n > 0 && found.lo == found.hi) return {"no_spread", -1};
    return {};
  }

  virtual double log_density(double x, const Eigen::VectorXd& p) const = 0;
  virtual double loglik(const Sample& x, const Eigen::VectorXd& p) const = 0;
  // Per-observation score: n x (estimated parameters).
  virtual Eigen::MatrixXd score(const Sample& x, const Eigen::VectorXd& p) const = 0;
  // Minus the Hessian of the summed log-likelihood.
  virtual Eigen::MatrixXd observed_information(const Sample& x, const Eigen::VectorXd& p) const = 0;
  // Expected information of one observation.
  virtual Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const = 0;
  virtual Moments moments(const Eigen::VectorXd& p) const = 0;
  virtual void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const = 0;

  // The MLE, with p holding the fixed parameters (and, with use_start,
  // starting values for the iterative fits). x is not modified.
  virtual DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool use_start) const = 0;

  // The MLE with its log-likelihood and observed information, for fit_dist().
  virtual DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const {
    DistFit f = mle(x, p, use_start);
    f.loglik = loglik(x, f.params);
    f.observed = observed_information(x, f.params);
    return f;
  }

 private:
  DistFacts facts_;
};

// The loops over a sample, written once on top of a distribution's inline
// per-observation kernels: D provides
//   Context context(const double* p) const;   // what the kernels reuse per row
//   double log_density_at(double x, const Context& c) const;
//   void derivatives_at(double x, const Context& c, double* score, double* hessian) const;
// (hessian: the lower triangle, packed by rows: (0,0), (1,0), (1,1), ...).
// Distributions with nothing to precompute keep the default context, the
// parameter vector itself.
template <class D>
class DistributionOf : public Distribution {
 public:
  using Distribution::Distribution;
  using Context = const double*;
  Context context(const double* p) const { return p; }

  double log_density(double x, const Eigen::VectorXd& p) const override {
    return self().log_density_at(x, self().context(p.data()));
  }

  double loglik(const Sample& x, const Eigen::VectorXd& p) const override {
    const auto c = self().context(p.data());
    return sum_of(x, [&](double v) { return self().log_density_at(v, c); });
  }

  Eigen::MatrixXd score(const Sample& x, const Eigen::VectorXd& p) const override {
    const int k = n_estimated();
    Eigen::MatrixXd out(x.n, k);
    const auto c = self().context(p.data());
    for_chunks(x, [&](long i0, long len) {
      double s[4] = {}, h[10] = {};
      for (long i = i0; i < i0 + len; ++i) {
        self().derivatives_at(x.x[i], c, s, h);
        for (int a = 0; a < k; ++a) out(i, a) = s[a];
      }
    });
    return out;
  }

  Eigen::MatrixXd observed_information(const Sample& x, const Eigen::VectorXd& p) const override {
    Eigen::VectorXd g;
    Eigen::MatrixXd H;
    sum_derivatives(x, p.data(), g, H);
    return -H;
  }

  // Summed score and Hessian of the log-likelihood.
  void sum_derivatives(const Sample& x, const double* p, Eigen::VectorXd& g, Eigen::MatrixXd& H) const {
    const int k = n_estimated(), packed = k * (k + 1) / 2;
    const auto c = self().context(p);
    const Sums<14> total = sum_chunks(x, Sums<14>(), [&](const double* v, long len) {
      Sums<14> part;  // the score in [0, 4), the packed Hessian from 4
      double s[4] = {}, h[10] = {};
      for (long i = 0; i < len; ++i) {
        self().derivatives_at(v[i], c, s, h);
        for (int a = 0; a < k; ++a) part.v[a] += s[a];
        for (int a = 0; a < packed; ++a) part.v[4 + a] += h[a];
      }
      return part;
    });
    g.resize(k);
    H.resize(k, k);
    int pos = 4;
    for (int a = 0; a < k; ++a) {
      g[a] = total.v[a];
      for (int b = 0; b <= a; ++b) H(a, b) = H(b, a) = total.v[pos++];
    }
  }

 private:
  const D& self() const { return static_cast<const D&>(*this); }
};

// Maximises a log-likelihood over an unconstrained theta by Newton's method
// with a backtracking line search (safeguarded where the Hessian of minus
// the log-likelihood is not positive definite). f(theta, order, g, H)
// returns the log-likelihood and, for order 2, its gradient and Hessian
// in theta; a non-finite value marks theta infeasible.
template <class F>
DistFit newton_maximize(F f, Eigen::VectorXd theta, int max_iter = 200, double tol = 1e-13) {
  DistFit out;
  Eigen::VectorXd g;
  Eigen::MatrixXd H;
  double value = f(theta, 2, g, H);
  if (!std::isfinite(value)) throw NumericalError("the log-likelihood is not finite at the starting values");
  out.converged = false;
  for (out.iterations = 0; out.iterations < max_iter;) {
    bool safeguarded = false;
    const Eigen::VectorXd d = descent_direction(-H, -g, safeguarded);  // minimise -loglik
    const double decrement = g.dot(d);
    if (!std::isfinite(decrement)) throw NumericalError("the Newton step is not finite");
    const bool last = decrement <= 2 * tol * (1 + std::abs(value));
    double t = 1;
    bool accepted = false;
    Eigen::VectorXd cand;
    double cand_value = 0;
    for (int halving = 0; halving < 60; ++halving, t *= 0.5) {
      cand = theta + t * d;
      Eigen::VectorXd g0;
      Eigen::MatrixXd H0;
      cand_value = f(cand, 0, g0, H0);
      if (!std::isfinite(cand_value)) continue;
      const double slack = last ? 1e-12 * (1 + std::abs(value)) : -1e-4 * t * decrement;
      if (cand_value >= value - slack) {
        accepted = true;
        break;
      }
    }
    ++out.iterations;
    if (!accepted) {
      out.converged = decrement <= 1e-6 * (1 + std::abs(value));
      break;
    }
    theta = cand;
    value = f(theta, 2, g, H);
    if (last) {
      out.converged = true;
      break;
    }
  }
  out.params = theta;  // the caller maps theta back to the natural parameters
  out.loglik = value;
  return out;
}

}  // namespace probml
