#pragma once
// A design matrix held column by column: each column is a pointer to n
// contiguous doubles, or nullptr for a column of ones (the intercept). A
// column-major matrix is the case of equally spaced columns; the numeric
// columns of an R data frame are another, so a fit can read them in place
// without an n x p model matrix. Selecting columns copies no data.
#include <Eigen/Dense>
#include <vector>

namespace probml {

using Index = Eigen::Index;
using ConstMatrixMap = Eigen::Map<const Eigen::MatrixXd>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;

class Design {
 public:
  Design() = default;
  Design(const double* data, Index n, Index p) : n_(n) {
    for (Index k = 0; k < p; ++k) cols_.push_back(data + k * n);
  }
  // Implicit on purpose: a column-major matrix is a design.
  Design(const ConstMatrixMap& X) : Design(X.data(), X.rows(), X.cols()) {}  // NOLINT
  Design(std::vector<const double*> columns, Index n) : n_(n), cols_(std::move(columns)) {}

  Index rows() const { return n_; }
  Index cols() const { return static_cast<Index>(cols_.size()); }
  bool same_columns(const Design& other) const { return n_ == other.n_ && cols_ == other.cols_; }

  // Rows [r0, r0 + len) into out (len x p, column-major).
  void gather(Index r0, Index len, Eigen::MatrixXd& out) const {
    out.resize(len, cols());
    for (Index k = 0; k < cols(); ++k) {
      if (cols_[k]) out.col(k) = ConstVectorMap(cols_[k] + r0, len);
      else out.col(k).setOnes();
    }
  }

  Eigen::MatrixXd dense() const {
    Eigen::MatrixXd out;
    gather(0, n_, out);
    return out;
  }

  // out[i] += x_i' beta for rows [r0, r0 + len), one column at a time.
  void multiply_add(Index r0, Index len, const Eigen::Ref<const Eigen::VectorXd>& beta,
                    Eigen::Ref<Eigen::VectorXd> out) const {
    for (Index k = 0; k < cols(); ++k) {
      if (beta[k] == 0) continue;
      if (cols_[k]) out.noalias() += beta[k] * ConstVectorMap(cols_[k] + r0, len);
      else out.array() += beta[k];
    }
  }

  // X' v over all rows.
  Eigen::VectorXd transpose_times(const Eigen::Ref<const Eigen::VectorXd>& v) const {
    Eigen::VectorXd out(cols());
    for (Index k = 0; k < cols(); ++k) out[k] = cols_[k] ? ConstVectorMap(cols_[k], n_).dot(v) : v.sum();
    return out;
  }

  bool all_finite() const {
    for (const double* c : cols_)
      if (c && !ConstVectorMap(c, n_).allFinite()) return false;
    return true;
  }

  Design select(const std::vector<int>& keep) const {
    std::vector<const double*> picked;
    for (int k : keep) picked.push_back(cols_[k]);
    return Design(std::move(picked), n_);
  }

 private:
  Index n_ = 0;
  std::vector<const double*> cols_;
};

}  // namespace probml
