// Google Benchmark suite of the probml C++ core, compiled without R.
//
//   BM_family_kernel/<family>/<n>
//       Family::local(U, y, aux, order = 2) over n rows, in blocks of 1024
//       rows as the objective calls it: the per-observation nll, gradient
//       and packed Hessian, nothing else.
//   BM_objective/<family>/<n>/threads:<t>
//       Objective::evaluate(theta, 2, Curvature::observed) with a design of
//       p = 10 columns (intercept + 9 N(0,1)): linear predictors, the family
//       kernel, and the reduction to the summed nll, gradient and Hessian.
//       One Newton iteration of fit_mle costs about one of these.
//
// Counters: time/row (seconds per row, shown as e.g. "37.3ns": wall clock
// for the objective, CPU time for the single-threaded kernel) and rows/s.
// Data are simulated from each family at the true parameters (fixed seed),
// once per size and outside the timed loop; one size is held in memory at a
// time (the n = 1e7, p = 10 design is 800 MB).
//
// Examples:
//   probml_bench --benchmark_filter='BM_family_kernel/.*/1000000$'
//   probml_bench --benchmark_filter='BM_objective/bernoulli_logit/' --benchmark_min_time=0.2
//   probml_bench --benchmark_format=json --benchmark_out=core.json
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <probml/util/rng.hpp>
#include <probml/family/make_family.hpp>
#include <probml/optim/objective.hpp>

#ifndef PROBML_BENCH_CXX_FLAGS
#define PROBML_BENCH_CXX_FLAGS "unknown"
#endif
#ifndef PROBML_BENCH_BUILD_TYPE
#define PROBML_BENCH_BUILD_TYPE "unknown"
#endif

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr Index kBlockRows = probml::Objective::kChunkRows;  // 1024
constexpr int kDesignCols = 10;                             // intercept + 9 N(0,1)
constexpr std::uint64_t kSeed = 20240611;

// The core's xoshiro256** (stream 0 of each seed): a fast engine for the std
// distributions, so simulating 1e8 design entries takes about a second; plus
// an open-interval uniform for inverse-CDF sampling.
class Xoshiro256 : public probml::Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) : probml::Xoshiro256(seed, 0) {}
  double uniform_open() { return (((*this)() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
};

// One benchmarked family: its spec, how many linear predictors and
// auxiliary parameters it has, the true auxiliary parameters, and the
// scale of each linear predictor.
struct Case {
  std::string label;
  probml::FamilySpec spec;
};

probml::FamilySpec spec_of(const std::string& name, const std::string& link = "identity",
                           int n_classes = 2) {
  probml::FamilySpec s;
  s.name = name;
  s.link = link;
  s.n_classes = n_classes;
  return s;
}

// The ten families, Bernoulli with each link: twelve cases. Student t
// estimates df (as lik_student_t() does by default); categorical has 3
// classes (2 linear predictors); ordinal 4 classes (3 cut-points).
const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"gaussian", spec_of("gaussian")},
      {"laplace", spec_of("laplace")},
      {"huber", spec_of("huber")},
      {"student_t", spec_of("student_t")},
      {"bernoulli_logit", spec_of("bernoulli", "logit")},
      {"bernoulli_probit", spec_of("bernoulli", "probit")},
      {"bernoulli_cloglog", spec_of("bernoulli", "cloglog")},
      {"categorical", spec_of("categorical", "identity", 3)},
      {"poisson", spec_of("poisson")},
      {"beta", spec_of("beta")},
      {"ordinal", spec_of("ordinal", "logit", 4)},
      {"gaussian_hetero", spec_of("gaussian_hetero")},
  };
  return all;
}

// True auxiliary parameters, on the family's unconstrained scale.
VectorXd true_aux(const Case& c) {
  const std::string& f = c.spec.name;
  if (f == "gaussian" || f == "laplace" || f == "huber") return VectorXd::Zero(1);  // log scale 0
  if (f == "student_t") return (VectorXd(2) << 0.0, std::log(5.0)).finished();    // log sigma, log df
  if (f == "beta") return VectorXd::Constant(1, std::log(10.0));                    // log phi
  if (f == "ordinal") return (VectorXd(3) << -1.0, 0.0, 1.0).finished();           // cut-points
  return VectorXd(0);
}

// Scale of linear predictor j when it is drawn directly (kernel benchmark).
double predictor_scale(const Case& c, int j) {
  if (c.spec.name == "gaussian_hetero" && j == 1) return 0.5;  // log-variance
  return 1.0;
}

double expit(double x) { return 1.0 / (1.0 + std::exp(-x)); }

enum class Kind { gaussian, laplace, huber, student_t, bernoulli, categorical, poisson, beta, ordinal, hetero };

Kind kind_of(const probml::FamilySpec& s) {
  if (s.name == "gaussian") return Kind::gaussian;
  if (s.name == "laplace") return Kind::laplace;
  if (s.name == "huber") return Kind::huber;
  if (s.name == "student_t") return Kind::student_t;
  if (s.name == "bernoulli") return Kind::bernoulli;
  if (s.name == "categorical") return Kind::categorical;
  if (s.name == "poisson") return Kind::poisson;
  if (s.name == "beta") return Kind::beta;
  if (s.name == "ordinal") return Kind::ordinal;
  return Kind::hetero;
}

// y drawn from the family at linear predictors U (n x m) and aux.
VectorXd simulate_response(const Case& c, const MatrixXd& U, const VectorXd& aux, Xoshiro256& rng) {
  const Index n = U.rows();
  const Kind kind = kind_of(c.spec);
  const probml::BinaryLink link =
      kind == Kind::bernoulli ? probml::parse_binary_link(c.spec.link) : probml::BinaryLink::logit;
  const int k = c.spec.n_classes;
  VectorXd y(n);
  std::normal_distribution<double> norm(0.0, 1.0);
  std::chi_squared_distribution<double> chi2(kind == Kind::student_t ? std::exp(aux[1]) : 1.0);
  std::vector<double> p(k);
  for (Index i = 0; i < n; ++i) {
    const double u = U(i, 0);
    double v = 0;
    switch (kind) {
      case Kind::gaussian:
      case Kind::huber:
        v = u + norm(rng);
        break;
      case Kind::laplace: {
        const double e = -std::log(rng.uniform_open());
        v = u + (rng.uniform() < 0.5 ? -e : e);
        break;
      }
      case Kind::student_t: {
        const double df = chi2.n();
        v = u + norm(rng) / std::sqrt(chi2(rng) / df);
        break;
      }
      case Kind::bernoulli: {
        v = rng.uniform() < probml::BernoulliFamily(link).probability(u) ? 1.0 : 0.0;
        break;
      }
      case Kind::categorical: {
        p[0] = 1.0;
        double total = 1.0;
        for (int j = 1; j < k; ++j) total += (p[j] = std::exp(U(i, j - 1)));
        double r = rng.uniform() * total;
        int cls = 0;
        while (cls < k - 1 && r >= p[cls]) r -= p[cls++];
        v = cls;
        break;
      }
      case Kind::poisson: {
        std::poisson_distribution<int> pois(std::exp(u));
        v = pois(rng);
        break;
      }
      case Kind::beta: {
        const double phi = std::exp(aux[0]), mu = expit(u);
        std::gamma_distribution<double> ga(mu * phi, 1.0), gb((1 - mu) * phi, 1.0);
        const double a = ga(rng), b = gb(rng);
        v = std::min(std::max(a / (a + b), 1e-12), 1 - 1e-12);
        break;
      }
      case Kind::ordinal: {
        const double uu = rng.uniform_open(), z = u + std::log(uu / (1 - uu));  // logistic latent
        int cls = 0;
        while (cls < aux.size() && z > aux[cls]) ++cls;
        v = cls;
        break;
      }
      case Kind::hetero:
        v = u + std::exp(0.5 * U(i, 1)) * norm(rng);
        break;
    }
    y[i] = v;
  }
  return y;
}

std::uint64_t seed_for(const Case& c, Index n, std::uint64_t salt) {
  std::uint64_t h = kSeed ^ (static_cast<std::uint64_t>(n) * 0x9e3779b97f4a7c15ULL) ^ salt;
  for (char ch : c.label) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
  return h;
}

void set_counters(benchmark::State& state, Index n) {
  // A rate counter is divided by the measured time (CPU time, or wall-clock
  // time under UseRealTime); inverted, it is seconds per row, shown with an
  // SI prefix (e.g. "37.6ns").
  state.counters["time/row"] = benchmark::Counter(static_cast<double>(n),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(n),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// ---------------------------------------------------------------------------
// BM_family_kernel: one size of one family held at a time.

struct KernelData {
  std::string label;
  Index n = -1;
  std::unique_ptr<probml::Family> family;
  MatrixXd U;
  VectorXd y, aux;
};

KernelData& kernel_data(const Case& c, Index n) {
  static KernelData d;
  if (d.label == c.label && d.n == n) return d;
  d = KernelData();  // free the previous size first
  d.label = c.label;
  d.n = n;
  d.family = probml::make_family(c.spec);
  d.aux = true_aux(c);
  Xoshiro256 rng(seed_for(c, n, 1));
  std::normal_distribution<double> norm(0.0, 1.0);
  d.U.resize(n, d.family->n_linear());
  for (Index j = 0; j < d.U.cols(); ++j)
    for (Index i = 0; i < n; ++i) d.U(i, j) = predictor_scale(c, static_cast<int>(j)) * norm(rng);
  d.y = simulate_response(c, d.U, d.aux, rng);
  d.family->check_response(d.y);
  return d;
}

void BM_family_kernel(benchmark::State& state, const Case& c) {
  const Index n = state.range(0);
  const KernelData& d = kernel_data(c, n);
  probml::LocalDerivs ld;
  for (auto _ : state) {
    double acc = 0;
    for (Index r0 = 0; r0 < n; r0 += kBlockRows) {
      const Index rows = std::min(kBlockRows, n - r0);
      d.family->local(d.U.middleRows(r0, rows), d.y.segment(r0, rows), d.aux, 2, ld);
      acc += ld.value[0] + ld.d1(0, 0) + ld.d2(0, 0);
      benchmark::DoNotOptimize(ld.d2.data());
    }
    benchmark::DoNotOptimize(acc);
    benchmark::ClobberMemory();
  }
  set_counters(state, n);
}

// ---------------------------------------------------------------------------
// BM_objective: the design (shared by all families) and the family's data
// for one size at a time.

struct Design {
  Index n = -1;
  MatrixXd X;       // n x 10: intercept, 9 N(0, 1)
  VectorXd w;       // ones
  MatrixXd offset;  // zeros, n x 2 (enough for any family here)
};

struct ObjectiveData {
  std::string label;
  Index n = -1;
  std::unique_ptr<probml::Family> family;
  VectorXd y, theta;
};

Design& design(Index n) {
  static Design d;
  if (d.n == n) return d;
  d = Design();  // free the previous size first
  d.n = n;
  d.X.resize(n, kDesignCols);
  d.X.col(0).setOnes();
  Xoshiro256 rng(kSeed + static_cast<std::uint64_t>(n));
  std::normal_distribution<double> norm(0.0, 1.0);
  for (Index j = 1; j < kDesignCols; ++j)
    for (Index i = 0; i < n; ++i) d.X(i, j) = norm(rng);
  d.w = VectorXd::Ones(n);
  d.offset = MatrixXd::Zero(n, 2);
  return d;
}

// True coefficients of linear predictor j: intercept plus 9 slopes of size
// 1/3 with alternating signs, so each predictor has variance about 1
// (0.25 for the log-variance of gaussian_hetero).
VectorXd true_beta(const Case& c, int j) {
  VectorXd b(kDesignCols);
  const double scale = predictor_scale(c, j) / 3.0;
  b[0] = c.spec.name == "ordinal" ? 0.0 : 0.2;  // the cut-points absorb the intercept
  for (int k = 1; k < kDesignCols; ++k) b[k] = ((k + j) % 2 ? 1.0 : -1.0) * scale;
  return b;
}

ObjectiveData& objective_data(const Case& c, const Design& x) {
  static ObjectiveData d;
  if (d.label == c.label && d.n == x.n) return d;
  d = ObjectiveData();
  d.label = c.label;
  d.n = x.n;
  d.family = probml::make_family(c.spec);
  const int m = d.family->n_linear();
  const VectorXd aux = true_aux(c);
  d.theta.resize(m * kDesignCols + aux.size());
  MatrixXd U(x.n, m);
  for (int j = 0; j < m; ++j) {
    const VectorXd b = true_beta(c, j);
    d.theta.segment(j * kDesignCols, kDesignCols) = b;
    U.col(j).noalias() = x.X * b;
  }
  d.theta.tail(aux.size()) = aux;
  Xoshiro256 rng(seed_for(c, x.n, 2));
  d.y = simulate_response(c, U, aux, rng);
  d.family->check_response(d.y);
  return d;
}

void BM_objective(benchmark::State& state, const Case& c) {
  const Index n = state.range(0);
  const int n_threads = static_cast<int>(state.range(1));
  const Design& x = design(n);
  const ObjectiveData& d = objective_data(c, x);
  const int m = d.family->n_linear();
  // Every linear predictor uses the same n x 10 design (categorical: one
  // copy per non-reference class, as fit_mle passes it; no extra memory).
  std::vector<probml::Design> designs;
  for (int j = 0; j < m; ++j) designs.emplace_back(x.X.data(), n, kDesignCols);
  const probml::Objective obj(*d.family, designs, probml::ConstVectorMap(d.y.data(), n),
                              probml::ConstVectorMap(x.w.data(), n),
                              probml::ConstMatrixMap(x.offset.data(), n, m), n_threads);
  {
    const probml::Evaluation e = obj.evaluate(d.theta, 2, probml::Curvature::observed);
    if (!std::isfinite(e.value) || !e.gradient.allFinite() || !e.hessian.allFinite()) {
      state.SkipWithError("the objective is not finite at the true parameters");
      return;
    }
  }
  for (auto _ : state) {
    probml::Evaluation e = obj.evaluate(d.theta, 2, probml::Curvature::observed);
    benchmark::DoNotOptimize(e.value);
    benchmark::DoNotOptimize(e.hessian.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n);
}

// ---------------------------------------------------------------------------

const std::vector<std::int64_t>& sizes() {
  static const std::vector<std::int64_t> s = {1000, 10000, 100000, 1000000, 10000000};
  return s;
}

// With --benchmark_repetitions=N, report the fastest repetition beside
// mean/median: on a shared machine the minimum is the least disturbed.
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void register_benchmarks() {
  for (const Case& c : cases()) {
    benchmark::RegisterBenchmark(("BM_family_kernel/" + c.label).c_str(), BM_family_kernel, c)
        ->RangeMultiplier(10)
        ->Range(1000, 10000000)
        ->ComputeStatistics("min", min_of)
        ->Unit(benchmark::kMicrosecond);
  }
  // Size outermost, so the 800 MB design at n = 1e7 is simulated once and
  // shared by all families (it is freed before the next size is built).
  for (std::int64_t n : sizes())
    for (const Case& c : cases())
      for (int t : {1, 2})
        benchmark::RegisterBenchmark(("BM_objective/" + c.label).c_str(), BM_objective, c)
            ->Args({n, t})
            ->ArgNames({"", "threads"})
            ->UseRealTime()  // the evaluation runs on t threads: time by the wall clock
            ->ComputeStatistics("min", min_of)
            ->Unit(benchmark::kMicrosecond);
}

std::string eigen_version() {
  return std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("probml_build_type", PROBML_BENCH_BUILD_TYPE);
  benchmark::AddCustomContext("probml_cxx_flags", PROBML_BENCH_CXX_FLAGS);
  benchmark::AddCustomContext("eigen_version", eigen_version());
  benchmark::AddCustomContext("hardware_threads", std::to_string(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("objective_design", "p = 10 (intercept + 9 N(0,1)) per linear predictor");
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
