#pragma once
// The negative log-likelihood of a model, sum_i w_i nll_i(v_i), plus the
// negative log prior (prior/prior.hpp; none for maximum likelihood), where
// v_i stacks the linear predictors u_ij = x_ij' beta_j + offset_ij and the
// auxiliary parameters. Parameters are laid out as
//   theta = (beta_1, ..., beta_m, aux).
// The prior is added after the block sum, so it is counted once.
// Rows are split into blocks fixed by n and the parameter count only, and
// block sums are added in block order, so results do not depend on the
// number of threads. With chunk_stride k > 1 the objective covers only every
// k-th chunk of kChunkRows rows: a systematic subsample, used for cheap
// starting values on large data.
#include <cmath>
#include <vector>
#include "../family/family.hpp"
#include "../prior/prior.hpp"
#include "../util/parallel.hpp"
#include "design.hpp"

namespace probml {

// value and derivatives of the whole objective; prior_value is the prior's
// part of value (value - prior_value is the nll). With an L1 prior the
// gradient and Hessian are those of the smooth part.
// Weighted Gram matrix X' W X, summed over blocks of rows fixed by n (so
// the same for any number of threads).
inline Eigen::MatrixXd weighted_gram(const Design& X, ConstVectorMap w, int n_threads) {
  constexpr Index kRows = 1024;
  if (X.cols() == 0) return Eigen::MatrixXd(0, 0);
  const Index n = X.rows(), block_rows = kRows * std::max<Index>(4, ((n + kRows - 1) / kRows + 255) / 256);
  const Index n_blocks = (n + block_rows - 1) / block_rows;
  std::vector<Eigen::MatrixXd> parts(static_cast<size_t>(n_blocks));
  parallel_for(n_blocks, n_threads, [&](long b, int) {
    const Index r0 = b * block_rows, r1 = std::min(n, r0 + block_rows);
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(X.cols(), X.cols());
    Eigen::MatrixXd rows_of_x;
    for (Index c0 = r0; c0 < r1; c0 += kRows) {
      const Index rows = std::min(kRows, r1 - c0);
      X.gather(c0, rows, rows_of_x);
      rows_of_x.array().colwise() *= w.segment(c0, rows).array().sqrt();
      G.selfadjointView<Eigen::Lower>().rankUpdate(rows_of_x.transpose());
    }
    parts[static_cast<size_t>(b)] = std::move(G);
  });
  Eigen::MatrixXd G = Eigen::MatrixXd::Zero(X.cols(), X.cols());
  for (const auto& part : parts) G += part;
  G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
  return G;
}

struct Evaluation {
  double value = 0;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  double prior_value = 0;
};

// Per-row derivatives of the weighted nll at given linear predictors, for
// coordinate descent: value[i] = w_i nll_i, d1 = w_i dnll_i/dv, d2 packed
// (observed or expected curvature).
struct RowDerivatives {
  double value = 0;
  Eigen::MatrixXd d1, d2;
};

class Objective {
 public:
  static constexpr Index kChunkRows = 1024;

  Objective(const Family& family, std::vector<Design> designs, ConstVectorMap y,
            ConstVectorMap w, ConstMatrixMap offset, int n_threads, Index chunk_stride = 1,
            Prior prior = Prior())
      : family_(family), designs_(std::move(designs)), y_(y), w_(w), offset_(offset),
        n_threads_(std::max(1, n_threads)), chunk_stride_(std::max<Index>(1, chunk_stride)),
        prior_(std::move(prior)) {
    const Index n = y_.size();
    if (static_cast<int>(designs_.size()) != family_.n_linear())
      throw std::invalid_argument("the family needs " + std::to_string(family_.n_linear()) +
                                  " design matrices");
    for (const auto& X : designs_)
      if (X.rows() != n) throw std::invalid_argument("design rows do not match the length of y");
    if (w_.size() != n) throw std::invalid_argument("weights do not match the length of y");
    if (offset_.rows() != n || offset_.cols() != family_.n_linear())
      throw std::invalid_argument("offset must have one row per observation and one column per linear predictor");
    for (Index i = 0; i < n; ++i) {
      has_zero_weights_ |= w_[i] == 0;
      weight_sum_ += w_[i];
    }
    weight_sum_ /= static_cast<double>(chunk_stride_);
    start_.push_back(0);
    for (const auto& X : designs_) start_.push_back(start_.back() + static_cast<int>(X.cols()));
    if (prior_.size() != 0 && prior_.size() != n_params())
      throw std::invalid_argument("the prior has " + std::to_string(prior_.size()) + " terms for " +
                                  std::to_string(n_params()) + " parameters");
    // Linear predictors that share a design (categorical) share its gathered rows.
    for (size_t j = 0; j < designs_.size(); ++j) {
      source_.push_back(static_cast<int>(j));
      for (size_t k = 0; k < j; ++k)
        if (designs_[k].same_columns(designs_[j])) {
          source_[j] = static_cast<int>(k);
          break;
        }
    }
    const double per_block = static_cast<double>(n_params()) * (n_params() + 1) + 1;
    const Index max_blocks = std::max<Index>(1, std::min<Index>(256, static_cast<Index>(2e7 / per_block)));
    // Whole chunks per block, so that a chunk's index does not depend on the blocks.
    const Index chunks = (n + kChunkRows - 1) / kChunkRows;
    block_rows_ = kChunkRows * std::max<Index>(4, (chunks + max_blocks - 1) / max_blocks);
  }

  Index n() const { return y_.size(); }
  // The total weight (of the rows covered): the scale of the nll against
  // which tolerances are relative, so that they do not depend on the units
  // of the weights.
  double weight_sum() const { return weight_sum_; }
  Index n_chunks() const { return (n() + kChunkRows - 1) / kChunkRows; }
  int n_linear() const { return family_.n_linear(); }
  int n_params() const { return start_.back() + family_.n_aux(); }
  int beta_start(int j) const { return start_[j]; }
  int aux_start() const { return start_.back(); }
  const Family& family() const { return family_; }
  const Design& design(int j) const { return designs_[j]; }
  const Prior& prior() const { return prior_; }
  int n_threads() const { return n_threads_; }
  ConstVectorMap weights() const { return w_; }

  Eigen::VectorXd aux(const Eigen::VectorXd& theta) const {
    return theta.tail(family_.n_aux());
  }

  // All linear predictors (n x m), one design column at a time per block.
  Eigen::MatrixXd linear_predictors(const Eigen::VectorXd& theta) const {
    Eigen::MatrixXd U = offset_;
    const Index n_blocks = (n() + block_rows_ - 1) / block_rows_;
    parallel_for(n_blocks, n_threads_, [&](long b, int) {
      const Index r0 = b * block_rows_, len = std::min(n(), r0 + block_rows_) - r0;
      for (int j = 0; j < n_linear(); ++j)
        designs_[j].multiply_add(r0, len, theta.segment(start_[j], designs_[j].cols()),
                                 U.col(j).segment(r0, len));
    });
    return U;
  }

  // The family's mean of y (class probabilities) for every row, in parallel.
  Eigen::MatrixXd means(const Eigen::MatrixXd& U, const Eigen::VectorXd& theta) const {
    Eigen::MatrixXd out(n(), family_.n_mean_columns());
    const Eigen::VectorXd aux_values = aux(theta);
    const Index n_blocks = (n() + block_rows_ - 1) / block_rows_;
    parallel_for(n_blocks, n_threads_, [&](long b, int) {
      const Index r0 = b * block_rows_, len = std::min(n(), r0 + block_rows_) - r0;
      family_.mean(U.middleRows(r0, len), aux_values, out.middleRows(r0, len));
    });
    return out;
  }

  double value(const Eigen::VectorXd& theta) const {
    return evaluate(theta, 0, Curvature::observed).value;
  }

  // order 0: value; 1: + gradient; 2: + Hessian (observed or expected).
  Evaluation evaluate(const Eigen::VectorXd& theta, int order, Curvature curvature) const {
    const Index n_blocks = (n() + block_rows_ - 1) / block_rows_;
    std::vector<Evaluation> parts(n_blocks);
    parallel_for(n_blocks, n_threads_, [&](long b, int) {
      const Index r0 = b * block_rows_, r1 = std::min(n(), r0 + block_rows_);
      parts[b] = evaluate_rows(theta, r0, r1, order, curvature);
    });
    Evaluation total = zero(order);
    for (const auto& part : parts) {
      total.value += part.value;
      if (order >= 1) total.gradient += part.gradient;
      if (order >= 2) total.hessian += part.hessian;
    }
    if (order >= 2) total.hessian.triangularView<Eigen::StrictlyUpper>() = total.hessian.transpose();
    if (!prior_.flat()) {
      total.prior_value = prior_.value(theta);
      total.value += total.prior_value;
      if (order >= 1) prior_.add_gradient(theta, total.gradient);
      if (order >= 2) prior_.add_hessian(theta, total.hessian);
    }
    return total;
  }

  // The weighted nll and its per-row derivatives at linear predictors U
  // (n x m) and auxiliary parameters aux, in parallel blocks (the value is
  // summed in block order). Curvature::expected uses the family's Fisher
  // information per row.
  RowDerivatives row_derivatives(const Eigen::MatrixXd& U, const Eigen::VectorXd& aux, int order,
                                 Curvature curvature) const {
    const int d = family_.n_local();
    RowDerivatives out;
    if (order >= 1) out.d1.resize(n(), d);
    if (order >= 2) out.d2.resize(n(), packed_size(d));
    const Index n_blocks = (n() + block_rows_ - 1) / block_rows_;
    std::vector<double> values(static_cast<size_t>(n_blocks), 0.0);
    parallel_for(n_blocks, n_threads_, [&](long b, int) {
      const Index r0 = b * block_rows_, r1 = std::min(n(), r0 + block_rows_);
      LocalDerivs ld;
      Eigen::MatrixXd expected;
      double v = 0;
      for (Index c0 = r0; c0 < r1; c0 += kChunkRows) {
        const Index rows = std::min(kChunkRows, r1 - c0);
        const auto Uc = U.middleRows(c0, rows);
        const auto w = w_.segment(c0, rows);
        family_.local(Uc, y_.segment(c0, rows), aux, std::min(order, curvature == Curvature::observed ? 2 : 1), ld);
        if (has_zero_weights_) mask_zero_weights(w, ld);
        v += w.dot(ld.value);
        if (order >= 1) out.d1.middleRows(c0, rows) = ld.d1.array().colwise() * w.array();
        if (order >= 2) {
          if (curvature == Curvature::expected) {
            family_.local_expected(Uc, aux, expected);
            out.d2.middleRows(c0, rows) = expected.array().colwise() * w.array();
          } else {
            out.d2.middleRows(c0, rows) = ld.d2.array().colwise() * w.array();
          }
        }
      }
      values[static_cast<size_t>(b)] = v;
    });
    for (double v : values) out.value += v;
    return out;
  }

  // The offset of linear predictor j, for callers that keep their own linear predictors.
  const ConstMatrixMap& offset() const { return offset_; }

  // Weighted Gram matrix X_j' W X_j.
  Eigen::MatrixXd gram(int j) const { return weighted_gram(designs_[j], w_, n_threads_); }

 private:
  // Rows of weight zero take no part, even where their nll is infinite
  // (0 * Inf would be NaN).
  static void mask_zero_weights(const Eigen::Ref<const Eigen::VectorXd>& w, LocalDerivs& ld) {
    for (Index i = 0; i < w.size(); ++i) {
      if (w[i] != 0) continue;
      ld.value[i] = 0;
      if (ld.d1.rows() == w.size()) ld.d1.row(i).setZero();
      if (ld.d2.rows() == w.size()) ld.d2.row(i).setZero();
    }
  }

  Evaluation zero(int order) const {
    Evaluation e;
    if (order >= 1) e.gradient = Eigen::VectorXd::Zero(n_params());
    if (order >= 2) e.hessian = Eigen::MatrixXd::Zero(n_params(), n_params());
    return e;
  }

  Evaluation evaluate_rows(const Eigen::VectorXd& theta, Index r0, Index r1, int order,
                           Curvature curvature) const {
    const int m = n_linear(), q = family_.n_aux(), d = m + q, a0 = aux_start();
    const Eigen::VectorXd aux_values = aux(theta);
    Evaluation acc = zero(order);
    std::vector<Eigen::MatrixXd> rows_of(m);  // each design's rows of this chunk
    Eigen::MatrixXd U, scaled, expected;
    Eigen::VectorXd coef;
    LocalDerivs ld;
    for (Index c0 = r0; c0 < r1; c0 += kChunkRows) {
      if ((c0 / kChunkRows) % chunk_stride_ != 0) continue;
      const Index rows = std::min(kChunkRows, r1 - c0);
      U.resize(rows, m);
      for (int j = 0; j < m; ++j) {
        if (source_[j] == j) designs_[j].gather(c0, rows, rows_of[j]);
        const Eigen::MatrixXd& X = rows_of[source_[j]];
        U.col(j) = offset_.col(j).segment(c0, rows);
        if (X.cols() > 0) U.col(j).noalias() += X * theta.segment(start_[j], X.cols());
      }
      const auto y = y_.segment(c0, rows);
      const auto w = w_.segment(c0, rows);
      family_.local(U, y, aux_values, std::min(order, curvature == Curvature::observed ? 2 : 1), ld);
      if (has_zero_weights_) mask_zero_weights(w, ld);
      acc.value += w.dot(ld.value);
      if (order < 1) continue;
      for (int j = 0; j < m; ++j) {
        const Eigen::MatrixXd& X = rows_of[source_[j]];
        if (X.cols() > 0)
          acc.gradient.segment(start_[j], X.cols()).noalias() +=
              X.transpose() * (w.array() * ld.d1.col(j).array()).matrix();
      }
      for (int r = 0; r < q; ++r) acc.gradient[a0 + r] += w.dot(ld.d1.col(m + r));
      if (order < 2) continue;
      const Eigen::MatrixXd* curv = &ld.d2;
      if (curvature == Curvature::expected) {
        family_.local_expected(U, aux_values, expected);
        if (has_zero_weights_)
          for (Index i = 0; i < rows; ++i)
            if (w[i] == 0) expected.row(i).setZero();
        curv = &expected;
      }
      for (int j = 0; j < m; ++j) {
        Eigen::MatrixXd& Xj = rows_of[source_[j]];
        const int pj = static_cast<int>(Xj.cols());
        if (pj == 0) continue;
        for (int r = 0; r < q; ++r) {
          coef = w.array() * curv->col(packed_index(j, m + r, d)).array();
          acc.hessian.row(a0 + r).segment(start_[j], pj).noalias() += (Xj.transpose() * coef).transpose();
        }
        for (int k = j; k < m; ++k) {
          const Eigen::MatrixXd& Xk = rows_of[source_[k]];
          const int pk = static_cast<int>(Xk.cols());
          if (pk == 0) continue;
          coef = w.array() * curv->col(packed_index(j, k, d)).array();
          auto block = acc.hessian.block(start_[k], start_[j], pk, pj);
          if (j == k && (coef.array() >= 0).all()) {
            // Symmetric rank update on sqrt weights: half the flops of a GEMM.
            // With one linear predictor this is the chunk's last use of its
            // rows, so they are scaled in place.
            if (m == 1) {
              Xj.array().colwise() *= coef.array().sqrt();
              block.selfadjointView<Eigen::Lower>().rankUpdate(Xj.transpose());
            } else {
              scaled = Xj.array().colwise() * coef.array().sqrt();
              block.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
            }
          } else {
            scaled = Xk.array().colwise() * coef.array();
            block.noalias() += scaled.transpose() * Xj;
          }
        }
      }
      for (int r = 0; r < q; ++r)
        for (int s = r; s < q; ++s)
          acc.hessian(a0 + s, a0 + r) += w.dot(curv->col(packed_index(m + r, m + s, d)));
    }
    return acc;
  }

  const Family& family_;
  std::vector<Design> designs_;
  std::vector<int> source_;  // first design with the same columns as design j
  ConstVectorMap y_, w_;
  ConstMatrixMap offset_;
  int n_threads_;
  Index chunk_stride_;
  Prior prior_;
  bool has_zero_weights_ = false;
  double weight_sum_ = 0;
  std::vector<int> start_;
  Index block_rows_ = 0;
};

}  // namespace probml
