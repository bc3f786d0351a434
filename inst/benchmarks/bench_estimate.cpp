// Google Benchmark cases for the Monte Carlo estimator kernels of the probml
// core (inst/include/probml/estimate/), compiled without R. Linked into the
// same executable as bench_core.cpp (which holds main()).
//
//   BM_sim_draw/<dist>/<n>      sample_dist(): n draws from one replicate's
//                               stream (gaussian = ziggurat normal).
//   BM_sim_study/<estimator>/<n>/threads:<t>
//                               simulate_estimator() on gaussian(0, 1) data,
//                               1e3 replicates of size n: stream set-up,
//                               draws and the estimator.
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

probml::SimDistSpec dist_of(const std::string& name) {
  if (name == "gaussian") return {probml::SimDist::gaussian, {0.0, 1.0}};
  if (name == "bernoulli") return {probml::SimDist::bernoulli, {0.3}};
  if (name == "binomial") return {probml::SimDist::binomial, {10.0, 0.3}};
  if (name == "poisson") return {probml::SimDist::poisson, {4.0}};
  if (name == "exponential") return {probml::SimDist::exponential, {2.0}};
  if (name == "uniform") return {probml::SimDist::uniform, {0.0, 1.0}};
  return {probml::SimDist::laplace, {0.0, 1.0}};
}

void BM_sim_draw(benchmark::State& state, std::string dist) {
  const long n = state.range(0);
  const probml::SimDistSpec spec = dist_of(dist);
  std::vector<double> x(static_cast<std::size_t>(n));
  probml::Xoshiro256 g(20240611, 0);
  for (auto _ : state) {
    probml::sample_dist(spec, g, x.data(), n);
    benchmark::DoNotOptimize(x.data());
    benchmark::ClobberMemory();
  }
  set_draw_counters(state, static_cast<double>(n));
}

void BM_sim_study(benchmark::State& state, std::string estimator) {
  const long n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  probml::SimEstimatorSpec est;
  est.estimator = probml::parse_sim_estimator(estimator);
  est.trim = 0.1;
  const probml::SimDistSpec spec = dist_of("gaussian");
  probml::SimStudyOptions opt;
  opt.reps = 1000;
  opt.seed = 20240611;
  opt.n_threads = threads;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    opt.seed = ++seed;
    auto out = probml::simulate_estimator(est, spec, {n}, opt);
    benchmark::DoNotOptimize(out.data());
  }
  set_draw_counters(state, static_cast<double>(n) * opt.reps);
}

const int registered = [] {
  for (const char* d : {"gaussian", "bernoulli", "binomial", "poisson", "exponential", "uniform", "laplace"}) {
    benchmark::RegisterBenchmark((std::string("BM_sim_draw/") + d).c_str(), BM_sim_draw, std::string(d))
        ->Arg(1000)
        ->Arg(100000);
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
