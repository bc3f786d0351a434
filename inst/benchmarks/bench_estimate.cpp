// Google Benchmark cases for the Monte Carlo estimator kernels of the probml
// core (inst/include/probml/estimate/), compiled without R. Linked into the
// same executable as bench_core.cpp (which holds main()).
//
//   BM_sim_draw/<dist>/<n>      Distribution::sample(): n draws from one
//                               replicate's stream (gaussian = ziggurat
//                               normal; the core's own count samplers).
//   BM_sim_study/<estimator>/<n>/threads:<t>
//                               run_study() on gaussian(0, 1) data, 1e3
//                               replicates of size n: stream set-up, draws
//                               and the estimator.
//   BM_dist_fit/<dist>/n:<n>/threads:<t>
//                               Distribution::check_sample() and fit(): the
//                               support check, the MLE with its
//                               log-likelihood and observed information,
//                               what fit_dist() runs in the core.
// Counters: time/draw (seconds per simulated observation) and draws/s.
//
// Examples:
//   probml_bench --benchmark_filter='BM_sim_'
//   probml_bench --benchmark_filter='BM_sim_study/var_mle/1000/'
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <probml/estimate/simulate.hpp>

namespace {

void set_draw_counters(benchmark::State& state, double draws) {
  state.counters["time/draw"] =
      benchmark::Counter(draws, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["draws/s"] = benchmark::Counter(draws, benchmark::Counter::kIsIterationInvariantRate);
}

// A distribution of the table with parameters for the benchmarks.
struct Case {
  const probml::Distribution* dist;
  Eigen::VectorXd params;
};

Case case_of(const std::string& name) {
  const std::vector<std::pair<std::string, std::vector<double>>> params = {
      {"gaussian", {0.0, 1.0}}, {"bernoulli", {0.3}},       {"binomial", {10.0, 0.3}}, {"poisson", {4.0}},
      {"exponential", {2.0}},   {"uniform", {0.0, 1.0}},    {"laplace", {0.0, 1.0}},   {"gamma", {2.0, 3.0}},
      {"beta", {2.0, 3.0}},     {"weibull", {1.5, 2.0}},    {"lognormal", {0.0, 0.5}}, {"student_t", {0.0, 1.0, 5.0}}};
  for (const auto& p : params)
    if (p.first == name)
      return {&probml::find_distribution(name), Eigen::Map<const Eigen::VectorXd>(p.second.data(), p.second.size())};
  return {&probml::find_distribution(name), Eigen::VectorXd()};
}

void BM_sim_draw(benchmark::State& state, std::string dist) {
  const long n = state.range(0);
  const Case c = case_of(dist);
  std::vector<double> x(static_cast<std::size_t>(n));
  probml::Xoshiro256 g(20240611, 0);
  for (auto _ : state) {
    c.dist->sample(c.params, g, x.data(), n);
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  set_draw_counters(state, static_cast<double>(n));
}

void BM_sim_study(benchmark::State& state, std::string estimator) {
  const long n = state.range(0);
  probml::StudySpec s;
  s.estimator = probml::parse_estimator(estimator);
  s.trim = 0.1;
  const Case c = case_of("gaussian");
  s.dist = c.dist;
  s.params = c.params;
  s.sizes = {n};
  s.reps = 1000;
  s.n_threads = static_cast<int>(state.range(1));
  std::uint64_t seed = 0;
  for (auto _ : state) {
    s.seed = ++seed;
    auto out = probml::run_study(s);
    benchmark::DoNotOptimize(out.estimates.data());
  }
  set_draw_counters(state, static_cast<double>(n) * s.reps);
}

void BM_dist_fit(benchmark::State& state, std::string dist) {
  const long n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const Case c = case_of(dist);
  std::vector<double> x(static_cast<std::size_t>(n));
  probml::Xoshiro256 g(7, 0);
  c.dist->sample(c.params, g, x.data(), n);
  const probml::Sample sample{x.data(), n, threads};
  for (auto _ : state) {
    const probml::SampleProblem problem = c.dist->check_sample(sample, c.params);
    const probml::DistFit f = c.dist->fit(sample, c.params, false);
    benchmark::DoNotOptimize(problem.row);
    benchmark::DoNotOptimize(f.loglik);
  }
  set_draw_counters(state, static_cast<double>(n));
}

const int registered = [] {
  for (const char* d : {"gaussian", "bernoulli", "binomial", "poisson", "exponential", "uniform", "laplace", "gamma",
                        "beta", "student_t"}) {
    benchmark::RegisterBenchmark((std::string("BM_sim_draw/") + d).c_str(), BM_sim_draw, std::string(d))
        ->Arg(1000)
        ->Arg(100000);
  }
  for (const char* d : {"gaussian", "exponential", "poisson", "lognormal", "gamma", "beta", "weibull", "student_t"}) {
    benchmark::RegisterBenchmark((std::string("BM_dist_fit/") + d).c_str(), BM_dist_fit, std::string(d))
        ->ArgNames({"n", "threads"})
        ->Args({1000000, 1})
        ->Args({1000000, 2})
        ->Unit(benchmark::kMillisecond);
  }
  for (const char* e : {"mean", "median", "trimmed_mean", "var_mle"}) {
    benchmark::RegisterBenchmark((std::string("BM_sim_study/") + e).c_str(), BM_sim_study, std::string(e))
        ->ArgNames({"n", "threads"})
        ->Args({100, 1})
        ->Args({1000, 1})
        ->Args({1000, 2})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
