// Google Benchmark cases of the MLP core (nn/network.hpp, nn/train.hpp),
// for the network of the deep-ensemble speed benchmark: 8 inputs, two
// hidden ReLU layers of 64 units, 2 outputs (a heteroscedastic Gaussian
// head: mean and log-variance), no dropout; P = 8*64 + 64*64 + 64*2 = 4736
// weights. Inputs x ~ N(0, I_8), y = sin(x1) + 0.5 x2 + N(0, (0.1 + 0.3|x3|)^2),
// as torch_ensemble.py simulates them.
//
//   BM_nn_forward/<batch>
//       nn::forward() over a batch (one column per row), dropout off.
//   BM_nn_backward/<batch>
//       nn::backward() after one forward() on the same batch (outside the
//       timed loop), given d loss / d outputs: the gradients of all layers.
//   BM_nn_adam_step/<batch>/threads:<t>
//       One full-batch Adam step of the Trainer (lr 1e-3, batch_size = the
//       whole set): forward, the head's nll and gradient, backward, the
//       Adam update, as one epoch of deep_ensemble(batch_size = NULL) does.
//       The Trainer is built once outside the timed loop with epochs = 2^30
//       and advanced one epoch per iteration by run_for(0) (an epoch, then
//       the time check stops it), so no core code changes. With t = 2, two
//       members step at once on two threads (the ensemble's parallelism).
//   BM_nn_train_members/<n>/threads:<t>
//       train_members(): 5 members x 6 full-batch epochs on n rows, the
//       whole of what cpp_mlp_train runs for deep_ensemble(), sliced
//       scheduler included (Trainer construction: data gathered per member).
//
// Counters: GFLOP/s with the conventional count of issue 9, forward
// 2*P flops per row, backward 2x forward (4*P), an Adam step or epoch 6*P
// per row (times members and threads where several run); time/row. The
// biases, activations, head and Adam update are not counted.
//
//   probml_bench --benchmark_filter='BM_nn_'
//   probml_bench --benchmark_filter='BM_nn_' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <probml/family/make_family.hpp>
#include <probml/nn/network.hpp>
#include <probml/nn/train.hpp>
#include <probml/util/parallel.hpp>
#include <probml/util/random.hpp>

namespace {

constexpr int kInputs = 8, kHidden = 64, kOutputs = 2;
constexpr double kWeights = kInputs * kHidden + kHidden * kHidden + kHidden * kOutputs;  // 4736
constexpr std::uint64_t kSeed = 20240611;

probml::nn::Architecture architecture() {
  probml::nn::Architecture a;
  a.n_inputs = kInputs;
  a.hidden = {kHidden, kHidden};
  a.n_outputs = kOutputs;
  a.activation = probml::nn::Activation::relu;
  return a;
}

// Inputs stored as the core trains on them: one column per row (8 x n).
struct NnData {
  Eigen::MatrixXd X;  // kInputs x n
  Eigen::VectorXd y, w;
};

NnData nn_data(long n) {
  probml::Xoshiro256 g(kSeed, 0);
  NnData d;
  d.X.resize(kInputs, n);
  d.y.resize(n);
  for (long i = 0; i < n; ++i) {
    for (int j = 0; j < kInputs; ++j) d.X(j, i) = probml::random::normal(g);
    const double sd = 0.1 + 0.3 * std::abs(d.X(2, i));
    d.y[i] = std::sin(d.X(0, i)) + 0.5 * d.X(1, i) + sd * probml::random::normal(g);
  }
  d.w = Eigen::VectorXd::Ones(n);
  return d;
}

std::unique_ptr<probml::Family> hetero_head() {
  probml::FamilySpec s;
  s.name = "gaussian_hetero";
  return probml::make_family(s);
}

void set_counters(benchmark::State& state, double flops_per_iteration, double rows_per_iteration) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["time/row"] = benchmark::Counter(
      rows_per_iteration, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_nn_forward(benchmark::State& state) {
  const long n = state.range(0);
  const NnData d = nn_data(n);
  const probml::nn::Architecture a = architecture();
  probml::Xoshiro256 g(kSeed, 1);
  const probml::nn::Parameters p = probml::nn::Parameters::initial(a, g);
  const probml::nn::MatrixT<probml::nn::Real> X = d.X.cast<probml::nn::Real>();  // the network's precision
  probml::nn::Workspace ws;
  for (auto _ : state) {
    probml::nn::forward(a, p, X, false, nullptr, ws);
    benchmark::DoNotOptimize(ws.out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, 2 * kWeights * static_cast<double>(n), static_cast<double>(n));
}

void BM_nn_backward(benchmark::State& state) {
  const long n = state.range(0);
  const NnData d = nn_data(n);
  const probml::nn::Architecture a = architecture();
  probml::Xoshiro256 g(kSeed, 1);
  const probml::nn::Parameters p = probml::nn::Parameters::initial(a, g);
  probml::nn::Parameters grad = probml::nn::Parameters::zeros(a);
  probml::nn::Workspace ws;
  const probml::nn::MatrixT<probml::nn::Real> X = d.X.cast<probml::nn::Real>();
  probml::nn::forward(a, p, X, false, nullptr, ws);
  // d (mean loss) / d outputs of some loss: any values do, the cost is the same.
  probml::nn::MatrixT<probml::nn::Real> d_out(kOutputs, n);
  for (long k = 0; k < d_out.size(); ++k)
    d_out.data()[k] = static_cast<probml::nn::Real>(probml::random::normal(g) / static_cast<double>(n));
  for (auto _ : state) {
    probml::nn::backward(a, p, X, ws, d_out, grad);
    benchmark::DoNotOptimize(grad.W[0].data());
    benchmark::ClobberMemory();
  }
  set_counters(state, 4 * kWeights * static_cast<double>(n), static_cast<double>(n));
}

probml::nn::TrainOptions adam_full_batch(int epochs) {
  probml::nn::TrainOptions opt;
  opt.optimizer = probml::nn::Optimizer::adam;
  opt.lr = 1e-3;
  opt.epochs = epochs;
  opt.batch_size = 0;  // the whole training set
  return opt;
}

void BM_nn_adam_step(benchmark::State& state) {
  const long n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const NnData d = nn_data(n);
  const probml::nn::Architecture a = architecture();
  const auto head = hetero_head();
  const probml::nn::TrainOptions opt = adam_full_batch(1 << 30);
  std::vector<std::unique_ptr<probml::nn::Trainer>> trainers;
  for (int t = 0; t < threads; ++t)
    trainers.push_back(std::make_unique<probml::nn::Trainer>(a, *head, d.X, d.y, d.w, opt, kSeed,
                                                             static_cast<std::uint64_t>(t)));
  for (auto _ : state) {
    // run_for(0): exactly one epoch, i.e. one full-batch step, per call.
    probml::parallel_for(threads, threads, [&](long t, int) { trainers[static_cast<size_t>(t)]->run_for(0.0); });
  }
  const double rows = static_cast<double>(n) * threads;
  set_counters(state, 6 * kWeights * rows, rows);
  state.counters["epochs"] = static_cast<double>(trainers[0]->epochs_run());
}

void BM_nn_train_members(benchmark::State& state) {
  const long n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  constexpr int kMembers = 5, kEpochs = 6;
  const NnData d = nn_data(n);
  const probml::nn::Architecture a = architecture();
  const auto head = hetero_head();
  const probml::nn::TrainOptions opt = adam_full_batch(kEpochs);
  const std::vector<std::uint64_t> streams = {0, 1, 2, 3, 4};
  for (auto _ : state) {
    std::vector<probml::nn::Member> m = probml::nn::train_members(a, *head, d.X, d.y, d.w, opt, kSeed, streams, threads);
    benchmark::DoNotOptimize(m.data());
  }
  const double rows = static_cast<double>(n) * kMembers * kEpochs;
  set_counters(state, 6 * kWeights * rows, rows);
}

// With --benchmark_repetitions=N, the fastest repetition beside mean/median
// (as in bench_core.cpp): on a shared machine the least disturbed.
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_nn_forward)->Arg(1000)->Arg(10000)->ComputeStatistics("min", min_of)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_nn_backward)->Arg(1000)->Arg(10000)->ComputeStatistics("min", min_of)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_nn_adam_step)
    ->ArgNames({"", "threads"})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({1000, 2})
    ->Args({10000, 2})
    ->UseRealTime()  // two members on two threads: time by the wall clock
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_nn_train_members)
    ->ArgNames({"", "threads"})
    ->Args({10000, 1})
    ->Args({10000, 2})
    ->UseRealTime()
    ->ComputeStatistics("min", min_of)
    ->Unit(benchmark::kMillisecond);

}  // namespace
