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
// an addition per element, four are not. The order is fixed, so results do
// not depend on threads or scheduling.
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

// Sums of (log x - shift) and of its square, the logs taken in blocks by
// Eigen's vectorised log (the log is most of the cost of a pass).
struct LogSums {
  double sum = 0, sum_sq = 0;
};
inline LogSums log_sums(const double* x, long n, double shift) {
  constexpr long kBlock = 2048;
  LogSums out;
  Eigen::ArrayXd r(kBlock);
  for (long i0 = 0; i0 < n; i0 += kBlock) {
    const long len = std::min(kBlock, n - i0);
    r.head(len) = Eigen::Map<const Eigen::ArrayXd>(x + i0, len).log() - shift;
    out.sum += r.head(len).sum();
    out.sum_sq += r.head(len).square().sum();
  }
  return out;
}

inline double mean_of(const double* x, long n) {
  return sum4(x, n, [](double v) { return v; }) / static_cast<double>(n);
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
};

class Distribution {
 private:
  // A branch-free pass answers "is anything wrong?" (and finds the range);
  // only then is the first bad row searched for.
  template <class InSupport>
  SampleProblem scan(const double* x, long n, InSupport in_support) const {
    bool bad = false;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (long i = 0; i < n; ++i) {
      bad |= !(std::isfinite(x[i]) && in_support(x[i]));
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    if (bad) {
      for (long i = 0; i < n; ++i) {
        if (std::isnan(x[i])) return {"missing", i};
        if (!std::isfinite(x[i])) return {"infinite", i};
        if (!in_support(x[i])) return {"support", i};
      }
    }
    if (n < min_n()) return {"too_few", -1};
    if (needs_spread() && n > 0 && lo == hi) return {"no_spread", -1};
    return {};
  }

 public:
  explicit Distribution(DistFacts facts) : facts_(std::move(facts)) {}
  virtual ~Distribution() = default;
  const std::string& name() const { return facts_.name; }
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
  // value, too few values, or no spread where the MLE needs one.
  SampleProblem check_sample(const double* x, long n, const Eigen::VectorXd& p) const {
    const double trials = support() == Support::count_to_trials ? p[0] : 0.0;
    switch (support()) {
      case Support::real:
      case Support::interval: return scan(x, n, [](double) { return true; });
      case Support::positive: return scan(x, n, [](double v) { return v > 0; });
      case Support::unit_open: return scan(x, n, [](double v) { return v > 0 && v < 1; });
      case Support::binary: return scan(x, n, [](double v) { return v == 0 || v == 1; });
      case Support::count: return scan(x, n, [](double v) { return v >= 0 && v == std::floor(v); });
      case Support::count_to_trials:
        return scan(x, n, [trials](double v) { return v >= 0 && v <= trials && v == std::floor(v); });
    }
    return {};
  }

  virtual double log_density(double x, const Eigen::VectorXd& p) const = 0;
  virtual double loglik(const double* x, long n, const Eigen::VectorXd& p) const = 0;
  // Per-observation score: n x (estimated parameters).
  virtual Eigen::MatrixXd score(const double* x, long n, const Eigen::VectorXd& p) const = 0;
  // Minus the Hessian of the summed log-likelihood.
  virtual Eigen::MatrixXd observed_information(const double* x, long n, const Eigen::VectorXd& p) const = 0;
  // Expected information of one observation.
  virtual Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const = 0;
  virtual Moments moments(const Eigen::VectorXd& p) const = 0;
  virtual void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const = 0;

  // The MLE, with p holding the fixed parameters (and, with use_start,
  // starting values for the iterative fits). x is not modified.
  virtual DistFit mle(const double* x, long n, const Eigen::VectorXd& p, bool use_start) const = 0;

  // The MLE with its log-likelihood and observed information, for fit_dist().
  virtual DistFit fit(const double* x, long n, const Eigen::VectorXd& p, bool use_start) const {
    DistFit f = mle(x, n, p, use_start);
    f.loglik = loglik(x, n, f.params);
    f.observed = observed_information(x, n, f.params);
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

  double loglik(const double* x, long n, const Eigen::VectorXd& p) const override {
    const auto c = self().context(p.data());
    return sum4(x, n, [&](double v) { return self().log_density_at(v, c); });
  }

  Eigen::MatrixXd score(const double* x, long n, const Eigen::VectorXd& p) const override {
    const int k = n_estimated();
    Eigen::MatrixXd out(n, k);
    const auto c = self().context(p.data());
    double s[4] = {}, h[10] = {};
    for (long i = 0; i < n; ++i) {
      self().derivatives_at(x[i], c, s, h);
      for (int a = 0; a < k; ++a) out(i, a) = s[a];
    }
    return out;
  }

  Eigen::MatrixXd observed_information(const double* x, long n, const Eigen::VectorXd& p) const override {
    Eigen::VectorXd g;
    Eigen::MatrixXd H;
    sum_derivatives(x, n, p.data(), g, H);
    return -H;
  }

  // Summed score and Hessian of the log-likelihood.
  void sum_derivatives(const double* x, long n, const double* p, Eigen::VectorXd& g,
                       Eigen::MatrixXd& H) const {
    const int k = n_estimated(), packed = k * (k + 1) / 2;
    const auto c = self().context(p);
    double s[4] = {}, h[10] = {}, gs[4] = {0, 0, 0, 0}, hs[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (long i = 0; i < n; ++i) {
      self().derivatives_at(x[i], c, s, h);
      for (int a = 0; a < k; ++a) gs[a] += s[a];
      for (int a = 0; a < packed; ++a) hs[a] += h[a];
    }
    g.resize(k);
    H.resize(k, k);
    int pos = 0;
    for (int a = 0; a < k; ++a) {
      g[a] = gs[a];
      for (int b = 0; b <= a; ++b) H(a, b) = H(b, a) = hs[pos++];
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
