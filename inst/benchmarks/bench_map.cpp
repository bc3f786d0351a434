// Google Benchmark cases of the L1 solver (optim/prox_newton.hpp, path.hpp).
//
//   BM_lasso_point/<mode>/<n>/threads:<t>
//       One lasso fit (ProxNewton::solve from zero) at lambda = lambda_max / 10
//       on n rows, p = 50 N(0,1) columns + intercept, 10 true non-zeros:
//       mode 0 the Bernoulli family (naive coordinate descent, a pass over the
//       rows per visit), mode 1 the Gaussian with sigma known (covariance
//       mode, the Gram columns computed inside the timed loop).
//   BM_lasso_path/<mode>/<n>/threads:<t>
//       fit_path over 30 lambdas down to lambda_max / 100, same data.
//
// Counters: visits (coordinate visits of one iteration) and time/visit.
//
//   probml_bench --benchmark_filter='BM_lasso_'
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include <probml/family/make_family.hpp>
#include <probml/optim/path.hpp>
#include <probml/util/random.hpp>

namespace {

constexpr int kSlopes = 50;

struct LassoData {
  Eigen::MatrixXd X;
  Eigen::VectorXd y, w;
  std::unique_ptr<probml::Family> family;
};

LassoData lasso_data(long n, bool gaussian) {
  probml::Xoshiro256 g(7, 0);
  LassoData d;
  d.X.resize(n, kSlopes + 1);
  d.X.col(0).setOnes();
  for (int j = 1; j <= kSlopes; ++j)
    for (long i = 0; i < n; ++i) d.X(i, j) = probml::random::normal(g);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(kSlopes);
  for (int j = 0; j < 10; ++j) beta[j] = 0.5 * probml::random::normal(g);
  const Eigen::VectorXd eta = d.X.rightCols(kSlopes) * beta;
  d.y.resize(n);
  for (long i = 0; i < n; ++i)
    d.y[i] = gaussian ? eta[i] + probml::random::normal(g) : (g.uniform() < 1 / (1 + std::exp(-eta[i])) ? 1.0 : 0.0);
  d.w = Eigen::VectorXd::Ones(n);
  probml::FamilySpec s;
  s.name = gaussian ? "gaussian" : "bernoulli";
  if (gaussian) s.sigma = 1.0;
  d.family = probml::make_family(s);
  return d;
}

// Unit L1 prior in glmnet's scaling (lambda per observation), intercept flat.
probml::Prior unit_prior(long n) {
  std::vector<probml::PriorTerm> t(kSlopes + 1, probml::PriorTerm{static_cast<double>(n), 0, 0, 0});
  t[0] = probml::PriorTerm();
  return probml::Prior(t);
}

probml::PathOptions path_options(long n, int threads, int n_lambda) {
  probml::PathOptions opt;
  opt.n_threads = threads;
  opt.n_lambda = n_lambda;
  opt.lambda_min_ratio = 1e-2;
  opt.screen = Eigen::VectorXd::Constant(kSlopes + 1, static_cast<double>(n));
  opt.screen[0] = 0;
  return opt;
}

void set_counters(benchmark::State& state, long visits) {
  state.counters["visits"] = static_cast<double>(visits);
  state.counters["time/visit"] = benchmark::Counter(static_cast<double>(visits) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_lasso_point(benchmark::State& state) {
  const bool gaussian = state.range(0) == 1;
  const long n = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const LassoData d = lasso_data(n, gaussian);
  const probml::Model model(*d.family, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
  const probml::ConstVectorMap y(d.y.data(), n), w(d.w.data(), n);
  // lambda_max from a one-point path, outside the timed loop.
  const Eigen::MatrixXd offset = model.offsets(Eigen::VectorXd());
  const probml::PathResult null_path =
      probml::fit_path(model, y, w, offset, unit_prior(n), path_options(n, threads, 1), probml::Callbacks());
  const double lambda = null_path.lambda[0] / 10;
  const probml::Objective obj(*d.family, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, y, w,
                              probml::ConstMatrixMap(offset.data(), n, 1), threads);
  Eigen::VectorXd theta0 = Eigen::VectorXd::Zero(kSlopes + 1);
  theta0[0] = null_path.coefficients(0, 0);
  long visits = 0;
  for (auto _ : state) {
    // A fresh solver: covariance mode computes its Gram columns each time.
    const probml::ProxNewton solver(obj, unit_prior(n).with_strength(lambda), std::vector<bool>(kSlopes + 1, true));
    probml::ProxState st = solver.state(theta0);
    std::vector<bool> active(kSlopes + 1, false);
    const probml::ProxNewtonResult r = solver.solve(st, active, probml::ProxNewtonOptions(), probml::Callbacks());
    if (!r.converged) state.SkipWithError(r.message.c_str());
    visits = r.updates;
    benchmark::DoNotOptimize(st.nll);
  }
  set_counters(state, visits);
}

void BM_lasso_path(benchmark::State& state) {
  const bool gaussian = state.range(0) == 1;
  const long n = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const LassoData d = lasso_data(n, gaussian);
  const probml::Model model(*d.family, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
  const probml::ConstVectorMap y(d.y.data(), n), w(d.w.data(), n);
  const Eigen::MatrixXd offset = model.offsets(Eigen::VectorXd());
  const probml::PathOptions opt = path_options(n, threads, 30);
  long visits = 0;
  for (auto _ : state) {
    const probml::PathResult r = probml::fit_path(model, y, w, offset, unit_prior(n), opt, probml::Callbacks());
    visits = 0;
    for (long v : r.updates) visits += v;
    benchmark::DoNotOptimize(r.nll.back());
  }
  set_counters(state, visits);
}

void lasso_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"mode", "n", "threads"});
  for (int mode : {0, 1})
    for (long n : {20000L, 100000L})
      for (int threads : {1, 2}) b->Args({mode, n, threads});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_lasso_point)->Apply(lasso_args);
BENCHMARK(BM_lasso_path)->Apply(lasso_args);
