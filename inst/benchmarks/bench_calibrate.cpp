// Google Benchmark cases for the calibration kernels of the probml core
// (inst/include/probml/calibrate/), compiled without R. Linked into the
// same executable as bench_core.cpp (which holds main()); the cases
// register themselves at static initialisation.
//
//   BM_pava/<x>/<n>        isotonic_pava(x, y, w = 1): sort, pool ties, PAVA,
//                          build the IsotonicFit. <x> is
//                            unsorted       x ~ U(0, 1), distinct, random order
//                            sorted         the same x, already increasing
//                            ties_unsorted  x rounded to 0.001 (1001 values)
//                            ties_sorted    the same, already increasing
//                          y ~ Bernoulli(x): a calibration problem.
//   BM_brier/<n>           brier_binary(y, p, w = nullptr)
//   BM_log_loss/<n>        log_loss_binary(y, p, w = nullptr, eps = 0)
//   BM_bin_uniform/<n>     bin_binary(..., 10 uniform bins, by arithmetic)
//   BM_bin_quantile/<n>    bin_binary(..., 10 bins, the deciles of p given
//                          as edges: a binary search per row)
//   BM_check_binary/<n>    check_binary(y, p): the input check every R score
//                          function runs first
// p ~ U(0, 1), y ~ Bernoulli(p) stored as double (R's numeric). The score
// kernels are templated on y's storage; the `_yint` variants
// (BM_brier_yint/<n>, ...) read y as int, as rbinom() and factors give it.
// n = 1e3 ... 1e7. All single-threaded, timed by CPU time.
//
// Counters as in bench_core.cpp: time/row (seconds per row, shown as e.g.
// "1.2ns") and rows/s. Data are simulated once per size (fixed seed),
// outside the timed loop; one size is held at a time.
//
// Examples:
//   probml_bench --benchmark_filter='BM_(pava|brier|log_loss|bin_|check_binary)'
//   probml_bench --benchmark_filter='BM_pava/.*/1000000$'
//   probml_bench --benchmark_filter='BM_(brier|log_loss|bin_|check)[a-z_]*/10000000$'
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <probml/calibrate/binary_scores.hpp>
#include <probml/calibrate/pava.hpp>

namespace {

using Eigen::Index;
using Eigen::VectorXd;

constexpr std::uint64_t kCalSeed = 20240611;
constexpr int kBins = 10;

void set_row_counters(benchmark::State& state, Index n) {
  state.counters["time/row"] = benchmark::Counter(static_cast<double>(n),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(n),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// 53-bit uniform on [0, 1) from a 64-bit engine.
double unif(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// ---------------------------------------------------------------------------
// PAVA

enum class XKind { unsorted, sorted, ties_unsorted, ties_sorted };

struct PavaData {
  int kind = -1;
  Index n = -1;
  VectorXd x, y, w;
};

const PavaData& pava_data(XKind kind, Index n) {
  static PavaData d;
  if (d.kind == static_cast<int>(kind) && d.n == n) return d;
  d = PavaData();  // free the previous size first
  d.kind = static_cast<int>(kind);
  d.n = n;
  std::mt19937_64 rng(kCalSeed + static_cast<std::uint64_t>(n));
  d.x.resize(n);
  d.y.resize(n);
  const bool ties = kind == XKind::ties_unsorted || kind == XKind::ties_sorted;
  for (Index i = 0; i < n; ++i) {
    double xi = unif(rng);
    if (ties) xi = std::round(xi * 1000.0) / 1000.0;
    d.x[i] = xi;
  }
  if (kind == XKind::sorted || kind == XKind::ties_sorted) std::sort(d.x.data(), d.x.data() + n);
  for (Index i = 0; i < n; ++i) d.y[i] = unif(rng) < d.x[i] ? 1.0 : 0.0;
  d.w = VectorXd::Ones(n);  // what the R glue passes without weights
  return d;
}

void BM_pava(benchmark::State& state, XKind kind) {
  const Index n = state.range(0);
  const PavaData& d = pava_data(kind, n);
  Index knots = 0, blocks = 0;
  for (auto _ : state) {
    probml::IsotonicFit fit = probml::isotonic_pava(d.x, d.y, d.w);
    knots = fit.x.size();
    blocks = fit.block_y.size();
    benchmark::DoNotOptimize(fit.y.data());
    benchmark::ClobberMemory();
  }
  set_row_counters(state, n);
  state.counters["knots"] = static_cast<double>(knots);
  state.counters["blocks"] = static_cast<double>(blocks);
}

// ---------------------------------------------------------------------------
// Binary score kernels: p ~ U(0, 1), y ~ Bernoulli(p) in both storages.

struct ScoreData {
  Index n = -1;
  VectorXd p, y;
  std::vector<int> y_int;
  VectorXd uniform_edges, quantile_edges;
};

const ScoreData& score_data(Index n) {
  static ScoreData d;
  if (d.n == n) return d;
  d = ScoreData();
  d.n = n;
  std::mt19937_64 rng(kCalSeed ^ (static_cast<std::uint64_t>(n) * 0x9e3779b97f4a7c15ULL));
  d.p.resize(n);
  d.y.resize(n);
  d.y_int.resize(n);
  for (Index i = 0; i < n; ++i) {
    d.p[i] = unif(rng);
    d.y_int[i] = unif(rng) < d.p[i] ? 1 : 0;
    d.y[i] = d.y_int[i];
  }
  d.uniform_edges = VectorXd::LinSpaced(kBins + 1, 0.0, 1.0);
  // Deciles of p as the edges (computed here, not timed: ece(strategy =
  // "quantile") computes them in R with stats::quantile()).
  std::vector<double> sorted(d.p.data(), d.p.data() + n);
  std::sort(sorted.begin(), sorted.end());
  d.quantile_edges.resize(kBins + 1);
  d.quantile_edges[0] = 0.0;
  d.quantile_edges[kBins] = 1.0;
  for (int k = 1; k < kBins; ++k) d.quantile_edges[k] = sorted[static_cast<size_t>(k * (n - 1) / kBins)];
  return d;
}

template <class Y>
const Y* outcome(const ScoreData& d);
template <>
const double* outcome<double>(const ScoreData& d) { return d.y.data(); }
template <>
const int* outcome<int>(const ScoreData& d) { return d.y_int.data(); }

template <class Y>
void BM_brier(benchmark::State& state) {
  const Index n = state.range(0);
  const ScoreData& d = score_data(n);
  for (auto _ : state) {
    double v = probml::brier_binary(outcome<Y>(d), d.p.data(), nullptr, n);
    benchmark::DoNotOptimize(v);
  }
  set_row_counters(state, n);
}

template <class Y>
void BM_log_loss(benchmark::State& state) {
  const Index n = state.range(0);
  const ScoreData& d = score_data(n);
  for (auto _ : state) {
    double v = probml::log_loss_binary(outcome<Y>(d), d.p.data(), nullptr, n, 0.0);
    benchmark::DoNotOptimize(v);
  }
  set_row_counters(state, n);
}

template <class Y>
void BM_bin(benchmark::State& state, bool uniform) {
  const Index n = state.range(0);
  const ScoreData& d = score_data(n);
  const VectorXd& edges = uniform ? d.uniform_edges : d.quantile_edges;
  for (auto _ : state) {
    probml::BinSums s = probml::bin_binary(outcome<Y>(d), d.p.data(), nullptr, n, edges, uniform);
    benchmark::DoNotOptimize(s.sum_y.data());
    benchmark::ClobberMemory();
  }
  set_row_counters(state, n);
}

template <class Y>
void BM_check_binary(benchmark::State& state) {
  const Index n = state.range(0);
  const ScoreData& d = score_data(n);
  for (auto _ : state) {
    probml::BinaryCheck c = probml::check_binary(outcome<Y>(d), d.p.data(), n);
    benchmark::DoNotOptimize(c);
  }
  set_row_counters(state, n);
}

template <class Fn>
void add(const std::string& name, Fn fn) {
  benchmark::RegisterBenchmark(name.c_str(), fn)
      ->RangeMultiplier(10)
      ->Range(1000, 10000000)
      ->ComputeStatistics("min", min_of)
      ->Unit(benchmark::kMicrosecond);
}

// Registered before main() runs (bench_core.cpp registers its own cases
// inside main()), so these come first in a full run.
const bool registered = [] {
  add("BM_pava/unsorted", [](benchmark::State& s) { BM_pava(s, XKind::unsorted); });
  add("BM_pava/sorted", [](benchmark::State& s) { BM_pava(s, XKind::sorted); });
  add("BM_pava/ties_unsorted", [](benchmark::State& s) { BM_pava(s, XKind::ties_unsorted); });
  add("BM_pava/ties_sorted", [](benchmark::State& s) { BM_pava(s, XKind::ties_sorted); });
  // Score kernels: size innermost per kernel, both storages.
  add("BM_check_binary", BM_check_binary<double>);
  add("BM_brier", BM_brier<double>);
  add("BM_log_loss", BM_log_loss<double>);
  add("BM_bin_uniform", [](benchmark::State& s) { BM_bin<double>(s, true); });
  add("BM_bin_quantile", [](benchmark::State& s) { BM_bin<double>(s, false); });
  add("BM_check_binary_yint", BM_check_binary<int>);
  add("BM_brier_yint", BM_brier<int>);
  add("BM_log_loss_yint", BM_log_loss<int>);
  add("BM_bin_uniform_yint", [](benchmark::State& s) { BM_bin<int>(s, true); });
  add("BM_bin_quantile_yint", [](benchmark::State& s) { BM_bin<int>(s, false); });
  return true;
}();

}  // namespace
