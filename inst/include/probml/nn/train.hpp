#pragma once
// Training an MLP whose output layer is a likelihood of the family core:
// the network predicts the family's linear predictors for each row, the
// loss is the weighted mean negative log-likelihood (plus a Gaussian prior
// on the weights, `weight_decay`), minimised by minibatch Adam or SGD.
// Inputs, and a response on a location-scale (Gaussian heads), are
// standardised; Scaling maps the outputs back to the original scale.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>
#include "../family/make_family.hpp"
#include "../util/callbacks.hpp"
#include "../util/parallel.hpp"
#include "network.hpp"

namespace probml {
namespace nn {

enum class Optimizer { adam, sgd };

inline Optimizer parse_optimizer(const std::string& s) {
  if (s == "adam") return Optimizer::adam;
  if (s == "sgd") return Optimizer::sgd;
  throw DomainError("unknown optimizer '" + s + "'; the optimizers are adam and sgd");
}

struct TrainOptions {
  Optimizer optimizer = Optimizer::adam;
  double lr = 1e-3;
  double momentum = 0.0;                             // sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;     // adam, as torch.optim.Adam
  double weight_decay = 0.0;                         // on weights, not biases
  int epochs = 100;
  long batch_size = 0;                               // 0: the whole training set
  double validation = 0.0;                           // fraction held out for early stopping
  int patience = 20;                                 // epochs without improvement before stopping
  double beta_nll = 0.0;                             // beta-NLL: row gradients times variance^beta
  int warmup_epochs = 0;                             // first predictor only, the others held at 0

  void check() const {
    if (!(lr > 0) || !std::isfinite(lr)) throw DomainError("lr must be positive");
    if (!(momentum >= 0 && momentum < 1)) throw DomainError("momentum must be in [0, 1)");
    if (!(weight_decay >= 0)) throw DomainError("weight_decay must be non-negative");
    if (epochs < 1) throw DomainError("epochs must be at least 1");
    if (batch_size < 0) throw DomainError("batch_size must be positive");
    if (!(validation >= 0 && validation < 1)) throw DomainError("validation must be in [0, 1)");
    if (patience < 1) throw DomainError("patience must be at least 1");
    if (!(beta_nll >= 0 && beta_nll <= 1)) throw DomainError("beta_nll must be in [0, 1]");
    if (warmup_epochs < 0) throw DomainError("warmup_epochs must be non-negative");
  }
};

// How inputs and outputs are standardised: x_std = (x - center) / scale;
// output j on the original scale is out_shift[j] + out_scale[j] * output j.
struct Scaling {
  Vector x_center, x_scale;
  double y_center = 0.0, y_scale = 1.0;
  bool y_standardised = false;
  Vector out_shift, out_scale;
};

// Column means and standard deviations (n - 1) of the rows with positive
// weight; a constant column keeps scale 1. The response is standardised
// where the family says how its linear predictors follow (Gaussian heads).
inline Scaling make_scaling(const Eigen::Ref<const Matrix>& X, const Eigen::Ref<const Vector>& y,
                            const Eigen::Ref<const Vector>& w, const Family& head, bool standardize_x,
                            bool standardize_y) {
  const Index n = X.rows(), p = X.cols();
  Scaling s;
  s.x_center = Vector::Zero(p);
  s.x_scale = Vector::Ones(p);
  double used = 0;
  for (Index i = 0; i < n; ++i) used += w[i] > 0;
  auto moments = [&](const auto& col, double& center, double& scale) {
    double sum = 0, ss = 0;
    for (Index i = 0; i < n; ++i)
      if (w[i] > 0) sum += col[i];
    center = sum / used;
    for (Index i = 0; i < n; ++i)
      if (w[i] > 0) ss += (col[i] - center) * (col[i] - center);
    scale = used > 1 ? std::sqrt(ss / (used - 1)) : 0.0;
    if (!(scale > 0) || !std::isfinite(scale)) scale = 1.0;
  };
  if (standardize_x)
    for (Index j = 0; j < p; ++j) moments(X.col(j), s.x_center[j], s.x_scale[j]);
  const int m = head.n_linear();
  s.out_shift = Vector::Zero(m);
  s.out_scale = Vector::Ones(m);
  double a, b;
  if (standardize_y && head.standardised_response(0, 0.0, 1.0, a, b)) {
    moments(y, s.y_center, s.y_scale);
    s.y_standardised = true;
    for (int j = 0; j < m; ++j) {
      head.standardised_response(j, s.y_center, s.y_scale, a, b);
      s.out_shift[j] = a;
      s.out_scale[j] = b;
    }
  }
  return s;
}

// The inputs, standardised and transposed: one column per row of X.
inline Matrix standardised_inputs(const Eigen::Ref<const Matrix>& X, const Scaling& s) {
  return ((X.rowwise() - s.x_center.transpose()).array().rowwise() / s.x_scale.transpose().array())
      .matrix()
      .transpose();
}

// The head on the standardised scale: a known sigma shrinks with y.
inline std::unique_ptr<Family> training_head(FamilySpec spec, const Scaling& s) {
  if (s.y_standardised && spec.sigma) spec.sigma = *spec.sigma / s.y_scale;
  return make_family(spec);
}

inline void check_head(const Family& head) {
  if (!head.network_head())
    throw DomainError("the " + head.label() +
                      " family cannot be a network's output: it has parameters shared by all rows");
}

// A trained network and how it got there.
struct Member {
  Parameters params;
  std::vector<double> train_loss, valid_loss;  // per epoch, weighted mean nll (standardised scale)
  int best_epoch = 0;                          // the epoch whose parameters are kept (1-based)
  int epochs_run = 0;
  bool stopped_early = false;
};

// One network's training, advanced an epoch at a time so that a driver can
// interleave several networks and stop between epochs. Everything random
// (initial weights, validation split, shuffles, dropout masks) comes from
// stream `stream` of `seed`.
class Trainer {
 public:
  Trainer(const Architecture& arch, const Family& head, const Matrix& X, const Vector& y, const Vector& w,
          const TrainOptions& opt, std::uint64_t seed, std::uint64_t stream)
      : arch_(arch), head_(head), opt_(opt), g_(seed, stream) {
    arch_.check();
    opt_.check();
    check_head(head_);
    if (arch_.n_outputs != head_.n_linear()) throw DomainError("the network's outputs do not match its head");
    const Index n = X.cols();
    member_.params = Parameters::initial(arch_, g_);
    grad_ = Parameters::zeros(arch_);
    m1_ = Parameters::zeros(arch_);
    m2_ = Parameters::zeros(arch_);
    // Validation rows: a random subset of the rows with positive weight.
    std::vector<Index> rows;
    for (Index i = 0; i < n; ++i)
      if (w[i] > 0) rows.push_back(i);
    const Index n_valid = opt_.validation > 0
                              ? std::max<Index>(1, static_cast<Index>(std::llround(opt_.validation * rows.size())))
                              : 0;
    if (static_cast<Index>(rows.size()) - n_valid < 1)
      throw DomainError("no rows are left to train on after the validation split");
    if (n_valid > 0) shuffle(rows);
    std::vector<Index> valid(rows.begin(), rows.begin() + n_valid), train(rows.begin() + n_valid, rows.end());
    if (n_valid > 0) std::sort(train.begin(), train.end());
    gather(X, y, w, train, Xt_, yt_, wt_);
    if (n_valid > 0) gather(X, y, w, valid, Xv_, yv_, wv_);
    order_.resize(static_cast<size_t>(Xt_.cols()));
    std::iota(order_.begin(), order_.end(), Index(0));
    best_ = member_.params;
  }

  // Epochs until `seconds` have passed or training ends; true once it has.
  bool run_for(double seconds) {
    const auto start = std::chrono::steady_clock::now();
    while (!finished_) {
      epoch();
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds) break;
    }
    return finished_;
  }

  Member take_result() {
    if (Xv_.cols() > 0) member_.params = best_;
    return std::move(member_);
  }

  int epochs_run() const { return member_.epochs_run; }

 private:
  void shuffle(std::vector<Index>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(g_() % i);
      std::swap(v[i - 1], v[j]);
    }
  }

  static void gather(const Matrix& X, const Vector& y, const Vector& w, const std::vector<Index>& idx,
                     MatrixT<Real>& Xo, Vector& yo, Vector& wo) {
    Xo.resize(X.rows(), static_cast<Index>(idx.size()));
    yo.resize(static_cast<Index>(idx.size()));
    wo.resize(static_cast<Index>(idx.size()));
    for (size_t k = 0; k < idx.size(); ++k) {
      Xo.col(static_cast<Index>(k)) = X.col(idx[k]).cast<Real>();
      yo[static_cast<Index>(k)] = y[idx[k]];
      wo[static_cast<Index>(k)] = w[idx[k]];
    }
  }

  // Sum over the rows of w_i * nll_i, and d loss / d outputs with each
  // row's weight divided by `total` (the weight of its whole batch).
  template <class YType, class WType>
  double head_loss(const MatrixT<Real>& out, const YType& yb, const WType& wb, double total, bool warmup,
                   MatrixT<Real>* d_out) {
    U_ = out.transpose().cast<double>();
    if (warmup && U_.cols() > 1) U_.rightCols(U_.cols() - 1).setZero();
    head_.local(U_, yb, empty_aux_, d_out ? 1 : 0, derivs_);
    const double value = wb.dot(derivs_.value);
    if (!d_out) return value;
    if (warmup && U_.cols() > 1) derivs_.d1.rightCols(U_.cols() - 1).setZero();
    Vector row_w = wb / total;
    if (opt_.beta_nll > 0 && !warmup) {
      var_.resize(U_.rows());
      head_.variance(U_, empty_aux_, var_);
      row_w.array() *= var_.array().pow(opt_.beta_nll);
    }
    *d_out = (derivs_.d1.array().colwise() * row_w.array()).matrix().transpose().cast<Real>();
    return value;
  }

  void update(long t) {
    const int L = arch_.n_layers();
    for (int l = 0; l < L; ++l) {
      const size_t ul = static_cast<size_t>(l);
      if (opt_.weight_decay > 0) grad_.W[ul] += Real(opt_.weight_decay) * member_.params.W[ul];
    }
    if (opt_.optimizer == Optimizer::adam) {
      const double c1 = 1.0 - std::pow(opt_.beta1, static_cast<double>(t));
      const double c2 = 1.0 - std::pow(opt_.beta2, static_cast<double>(t));
      const Real step = Real(opt_.lr / c1), inv_root_c2 = Real(1.0 / std::sqrt(c2)), eps = Real(opt_.eps);
      const Real b1 = Real(opt_.beta1), b2 = Real(opt_.beta2);
      auto adam = [&](auto& p, const auto& g, auto& m, auto& v) {
        m = b1 * m + (Real(1) - b1) * g;
        v = b2 * v.array() + (Real(1) - b2) * g.array().square();
        p.array() -= step * m.array() / (v.array().sqrt() * inv_root_c2 + eps);
      };
      for (int l = 0; l < L; ++l) {
        const size_t ul = static_cast<size_t>(l);
        adam(member_.params.W[ul], grad_.W[ul], m1_.W[ul], m2_.W[ul]);
        adam(member_.params.b[ul], grad_.b[ul], m1_.b[ul], m2_.b[ul]);
      }
    } else {
      const Real lr = Real(opt_.lr), momentum = Real(opt_.momentum);
      auto sgd = [&](auto& p, const auto& g, auto& velocity) {
        if (opt_.momentum > 0) {
          velocity = momentum * velocity + g;
          p -= lr * velocity;
        } else {
          p -= lr * g;
        }
      };
      for (int l = 0; l < L; ++l) {
        const size_t ul = static_cast<size_t>(l);
        sgd(member_.params.W[ul], grad_.W[ul], m1_.W[ul]);
        sgd(member_.params.b[ul], grad_.b[ul], m1_.b[ul]);
      }
    }
  }

  void epoch() {
    const Index n = Xt_.cols();
    const Index batch = opt_.batch_size <= 0 ? n : std::min<Index>(opt_.batch_size, n);
    const bool warmup = member_.epochs_run < opt_.warmup_epochs;
    if (batch < n) shuffle(order_);
    double loss = 0;
    for (Index start = 0; start < n; start += batch) {
      const Index m = std::min(batch, n - start);
      const bool whole = m == n;
      if (!whole) {
        Xb_.resize(Xt_.rows(), m);
        yb_.resize(m);
        wb_.resize(m);
        for (Index k = 0; k < m; ++k) {
          const Index i = order_[static_cast<size_t>(start + k)];
          Xb_.col(k) = Xt_.col(i);
          yb_[k] = yt_[i];
          wb_[k] = wt_[i];
        }
      }
      const MatrixT<Real>& Xb = whole ? Xt_ : Xb_;
      const Vector& yb = whole ? yt_ : yb_;
      const Vector& wb = whole ? wt_ : wb_;
      const double total = wb.sum();
      if (!(total > 0)) continue;
      // Large batches in column blocks whose activations stay in cache;
      // their gradients add up to the batch's.
      for (Index c0 = 0; c0 < m; c0 += kBlockColumns) {
        const Index mb = std::min(kBlockColumns, m - c0);
        const auto Xc = Xb.middleCols(c0, mb);
        forward(arch_, member_.params, Xc, true, &g_, ws_);
        const double value = head_loss(ws_.out, yb.segment(c0, mb), wb.segment(c0, mb), total, warmup, &d_out_);
        if (!std::isfinite(value))
          throw NumericalError("training diverged in epoch " + std::to_string(member_.epochs_run + 1) +
                               ": the loss is not finite; try a smaller lr");
        loss += value;
        backward(arch_, member_.params, Xc, ws_, d_out_, grad_, c0 > 0);
      }
      update(++steps_);
    }
    ++member_.epochs_run;
    member_.train_loss.push_back(loss / wt_.sum());
    if (Xv_.cols() > 0) {
      double v = 0;
      for (Index c0 = 0; c0 < Xv_.cols(); c0 += kBlockColumns) {
        const Index mb = std::min(kBlockColumns, Xv_.cols() - c0);
        forward(arch_, member_.params, Xv_.middleCols(c0, mb), false, nullptr, ws_);
        v += head_loss(ws_.out, yv_.segment(c0, mb), wv_.segment(c0, mb), 1.0, warmup, nullptr);
      }
      v /= wv_.sum();
      member_.valid_loss.push_back(v);
      // Early stopping watches the full loss, so it starts after the warm-up.
      if (!warmup && (v < best_value_ || member_.best_epoch == 0)) {
        best_value_ = v;
        best_ = member_.params;
        member_.best_epoch = member_.epochs_run;
        since_best_ = 0;
      } else if (!warmup && ++since_best_ >= opt_.patience) {
        member_.stopped_early = true;
        finished_ = true;
      }
    } else {
      member_.best_epoch = member_.epochs_run;
    }
    if (member_.epochs_run >= opt_.epochs) finished_ = true;
  }

  Architecture arch_;
  const Family& head_;
  TrainOptions opt_;
  Xoshiro256 g_;
  Member member_;
  Parameters grad_, m1_, m2_, best_;
  MatrixT<Real> Xt_, Xv_, Xb_, d_out_;
  Matrix U_;
  Vector yt_, wt_, yv_, wv_, yb_, wb_, var_;
  static constexpr Index kBlockColumns = 512;
  Vector empty_aux_ = Vector(0);
  std::vector<Index> order_;
  Workspace ws_;
  LocalDerivs derivs_;
  long steps_ = 0;
  double best_value_ = 0;
  int since_best_ = 0;
  bool finished_ = false;
};

// Trains one network per entry of `streams` on the same data, from that
// stream of `seed` (so a member is the same whether trained here with the
// others or alone), interleaved over n_threads threads in slices of about 0.1 s:
// interrupts are checked and progress reported (epochs done, out of
// members * epochs) between slices, on the calling thread.
inline std::vector<Member> train_members(const Architecture& arch, const Family& head, const Matrix& X,
                                         const Vector& y, const Vector& w, const TrainOptions& opt,
                                         std::uint64_t seed, const std::vector<std::uint64_t>& streams,
                                         int n_threads, const Callbacks& cb = Callbacks()) {
  const int n_members = static_cast<int>(streams.size());
  if (n_members < 1) throw DomainError("at least one member is needed");
  std::vector<std::unique_ptr<Trainer>> trainers(static_cast<size_t>(n_members));
  std::vector<std::atomic<int>> epochs(static_cast<size_t>(n_members));
  const double total = static_cast<double>(n_members) * opt.epochs;
  run_sliced(
      n_members, n_threads,
      [&](int k) {
        auto& t = trainers[static_cast<size_t>(k)];
        if (!t) t = std::make_unique<Trainer>(arch, head, X, y, w, opt, seed, streams[static_cast<size_t>(k)]);
        const bool done = t->run_for(0.1);
        // A member that stops early counts as all its epochs done.
        epochs[static_cast<size_t>(k)] = done ? opt.epochs : t->epochs_run();
        return done;
      },
      cb,
      [&] {
        double d = 0;
        for (auto& e : epochs) d += e;
        cb.report(d, total);
      });
  std::vector<Member> out;
  for (auto& t : trainers) out.push_back(t->take_result());
  return out;
}

// Outputs of the networks on X (n x p, original scale), on the original
// scale of the response, one n x n_outputs matrix per (parameter set,
// sample): with dropout on, `samples` draws per set (MC dropout), sample s
// of set k from stream k * samples + s of `seed`; else one per set.
inline std::vector<Matrix> predict_outputs(const Architecture& arch, const std::vector<Parameters>& sets,
                                           const Scaling& s, const Eigen::Ref<const Matrix>& X, int samples,
                                           bool dropout_on, std::uint64_t seed, int n_threads,
                                           const Callbacks& cb = Callbacks()) {
  if (X.cols() != arch.n_inputs) throw DomainError("newdata has the wrong number of inputs");
  const int per_set = dropout_on ? samples : 1;
  if (per_set < 1) throw DomainError("samples must be positive");
  const Matrix Xs = standardised_inputs(X, s);
  const long n_jobs = static_cast<long>(sets.size()) * per_set;
  std::vector<Matrix> out(static_cast<size_t>(n_jobs));
  const Index chunk = 512;  // columns per forward pass: activations stay in cache
  std::vector<Workspace> ws(static_cast<size_t>(std::max(1, n_threads)));
  // Rounds of a few jobs so that interrupts are checked now and then.
  const long per_round = std::max<long>(n_threads, 8);
  for (long j0 = 0; j0 < n_jobs; j0 += per_round) {
    parallel_for(std::min(per_round, n_jobs - j0), n_threads, [&](long t, int worker) {
      const long job = j0 + t;
      Xoshiro256 g(seed, static_cast<std::uint64_t>(job));
      const Parameters& p = sets[static_cast<size_t>(job / per_set)];
      Matrix& U = out[static_cast<size_t>(job)];
      U.resize(X.rows(), arch.n_outputs);
      Workspace& w = ws[static_cast<size_t>(worker)];
      for (Index c0 = 0; c0 < Xs.cols(); c0 += chunk) {
        const Index m = std::min(chunk, Xs.cols() - c0);
        const MatrixT<Real> Xc = Xs.middleCols(c0, m).cast<Real>();
        forward(arch, p, Xc, dropout_on, &g, w);
        U.middleRows(c0, m) = w.out.transpose().cast<double>();
      }
      for (Index j = 0; j < U.cols(); ++j) U.col(j) = (s.out_shift[j] + s.out_scale[j] * U.col(j).array()).matrix();
    });
    cb.interrupt_point();
  }
  return out;
}

}  // namespace nn
}  // namespace probml
