#pragma once
// A design matrix held column by column: each column is a pointer to n
// contiguous doubles, or nullptr for a column of ones (the intercept). A
// column-major matrix is the case of equally spaced columns; the numeric
// columns of an R data frame are another, so a fit can read them in place
// without an n x p model matrix. Selecting columns copies no data.
#include <Eigen/Dense>
#include <cmath>
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
  const std::vector<const double*>& columns() const { return cols_; }
  bool same_columns(const Design& other) const {
    return n_ == other.n_ && cols_ == other.cols_ && scale_ == other.scale_;
  }

  // Multiplies column k by scale[k] wherever the design is read: powers of
  // two that bring columns of extreme magnitude (1e200, 1e-200) near 1, so
  // that X'WX neither overflows nor underflows; exact, and undone on the
  // coefficients by the fit. Empty: no scaling.
  Design scaled(std::vector<double> scale) const {
    Design out = *this;
    out.scale_ = std::move(scale);
    return out;
  }
  double scale(Index k) const { return scale_.empty() ? 1.0 : scale_[static_cast<size_t>(k)]; }

  // Rows [r0, r0 + len) into out (len x p, column-major).
  void gather(Index r0, Index len, Eigen::MatrixXd& out) const {
    out.resize(len, cols());
    for (Index k = 0; k < cols(); ++k) {
      if (cols_[k]) out.col(k) = scale(k) * ConstVectorMap(cols_[k] + r0, len);
      else out.col(k).setConstant(scale(k));
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
      const double b = beta[k] * scale(k);
      if (b == 0) continue;
      if (cols_[k]) out.noalias() += b * ConstVectorMap(cols_[k] + r0, len);
      else out.array() += b;
    }
  }

  // X' v over all rows.
  Eigen::VectorXd transpose_times(const Eigen::Ref<const Eigen::VectorXd>& v) const {
    Eigen::VectorXd out(cols());
    for (Index k = 0; k < cols(); ++k)
      out[k] = scale(k) * (cols_[k] ? ConstVectorMap(cols_[k], n_).dot(v) : v.sum());
    return out;
  }

  Design select(const std::vector<int>& keep) const {
    std::vector<const double*> picked;
    std::vector<double> scales;
    for (int k : keep) {
      picked.push_back(cols_[k]);
      if (!scale_.empty()) scales.push_back(scale_[static_cast<size_t>(k)]);
    }
    Design out(std::move(picked), n_);
    out.scale_ = std::move(scales);
    return out;
  }

  // Powers of two 2^-e, e the binary exponent of each column's largest
  // magnitude, for columns that need them (|e| > 60); empty if none does.
  std::vector<double> extreme_column_scales() const {
    std::vector<double> out(static_cast<size_t>(cols()), 1.0);
    bool any = false;
    for (Index k = 0; k < cols(); ++k) {
      if (!cols_[k] || n_ == 0) continue;
      const double m = ConstVectorMap(cols_[k], n_).cwiseAbs().maxCoeff();
      int e = 0;
      if (m > 0 && std::isfinite(m)) std::frexp(m, &e);
      if (std::abs(e) > 60) {
        out[static_cast<size_t>(k)] = std::ldexp(1.0, -e);
        any = true;
      }
    }
    if (!any) out.clear();
    return out;
  }

 private:
  Index n_ = 0;
  std::vector<const double*> cols_;
  std::vector<double> scale_;
};

}  // namespace probml
