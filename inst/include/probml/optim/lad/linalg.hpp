#pragma once
// Dense linear algebra of the LAD solver: row blocking, a scaled Cholesky,
// compensated sums, and exact solves on a basis of rows.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace probml {
namespace lad_detail {

using Index = Eigen::Index;

// Rows per block: about 256 KiB of X, so that a block read by a GEMV is still
// in cache when the SYRK / transposed GEMV of the same pass reuses it.
inline Index rows_per_block(Index p, Index n) {
  const Index bs = std::max<Index>(64, std::min<Index>(32768 / std::max<Index>(p, 1), 8192));
  return std::max<Index>(1, std::min(bs, n));
}

// Cholesky of a symmetric positive definite p x p matrix (lower triangle used)
// after symmetric Jacobi scaling: the scaling makes the factorisation
// insensitive to the units of the columns of X. In strict mode (the
// least-squares start) a pivot L_jj < 1e-7 means column j is within 1e-7
// (relative, in the W-metric) of the span of the others: numerically rank
// deficient by the rule of R's qr() default tolerance. Otherwise a tiny
// diagonal shift is the fallback
// when the interior point has pushed the matrix to the edge of numerical
// definiteness: the Newton direction only needs to be a good direction there,
// and the next iteration recomputes all residuals.
class SpdSolver {
 public:
  bool factor(const Eigen::MatrixXd& M, bool strict = false) {
    const Index p = M.rows();
    d_.resize(p);
    for (Index j = 0; j < p; ++j) {
      const double mjj = M(j, j);
      if (!(mjj > 0.0) || !std::isfinite(mjj)) return false;
      d_[j] = 1.0 / std::sqrt(mjj);
    }
    S_.resize(p, p);
    for (Index j = 0; j < p; ++j) {
      for (Index i = j; i < p; ++i) {
        const double sij = M(i, j) * d_[i] * d_[j];
        if (!std::isfinite(sij)) return false;
        S_(i, j) = sij;
        S_(j, i) = sij;
      }
    }
    llt_.compute(S_);
    if (strict) {
      if (llt_.info() != Eigen::Success) return false;
      const Eigen::MatrixXd& L = llt_.matrixLLT();
      for (Index j = 0; j < p; ++j)
        if (!(L(j, j) * L(j, j) >= 1e-14)) return false;
      return true;
    }
    if (llt_.info() == Eigen::Success) return true;
    static const double shifts[] = {1e-14, 1e-12, 1e-10, 1e-8};
    for (double eps : shifts) {
      Eigen::MatrixXd T = S_;
      T.diagonal().array() += eps;
      llt_.compute(T);
      if (llt_.info() == Eigen::Success) return true;
    }
    return false;
  }

  Eigen::VectorXd solve(const Eigen::VectorXd& rhs) const {
    return d_.cwiseProduct(llt_.solve(d_.cwiseProduct(rhs)));
  }

  // One step of iterative refinement against the full symmetric M, which
  // recovers the accuracy the factorisation loses on an ill-conditioned M.
  Eigen::VectorXd solve_refined(const Eigen::MatrixXd& M, const Eigen::VectorXd& rhs) const {
    Eigen::VectorXd x = solve(rhs);
    const Eigen::VectorXd res = rhs - M * x;
    x += solve(res);
    return x;
  }

 private:
  Eigen::VectorXd d_;
  Eigen::MatrixXd S_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

// Compensated (Neumaier) sum: the objective of a million rows is summed
// block by block and the block sums are added without losing digits.
struct CompensatedSum {
  double sum = 0.0, comp = 0.0;
  void add(double x) {
    const double t = sum + x;
    comp += (std::abs(sum) >= std::abs(x)) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  double value() const { return sum + comp; }
};

// Visits rows in `order` and keeps a row when its component orthogonal to the
// rows already kept is at least eta (rows are column-equilibrated and
// normalised first, so eta bounds how ill-conditioned X_B can be). Stops at p rows.
inline std::vector<Index> greedy_basis(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                       const Eigen::VectorXd& colscale,
                                       const std::vector<Index>& order, double eta) {
  const Index p = X.cols();
  Eigen::MatrixXd Q(p, p);
  Eigen::VectorXd a(p);
  std::vector<Index> basis;
  basis.reserve(static_cast<std::size_t>(p));
  Index k = 0;
  for (Index i : order) {
    a = X.row(i).transpose().cwiseProduct(colscale);
    const double nrm = a.norm();
    if (!(nrm > 0.0)) continue;
    a /= nrm;
    for (int pass = 0; pass < 2 && k > 0; ++pass) {  // twice is enough (Kahan)
      const Eigen::VectorXd c = Q.leftCols(k).transpose() * a;
      a.noalias() -= Q.leftCols(k) * c;
    }
    const double e = a.norm();
    if (e > eta) {
      Q.col(k) = a / e;
      basis.push_back(i);
      if (++k == p) break;
    }
  }
  return basis;
}

// Solves X_B beta = y_B (columns equilibrated, full-pivot LU, one step of
// iterative refinement so the basic residuals are zero to rounding).
inline bool solve_vertex(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& colscale, const std::vector<Index>& basis,
                         Eigen::VectorXd& beta) {
  const Index p = X.cols();
  if (static_cast<Index>(basis.size()) != p) return false;
  Eigen::MatrixXd XB(p, p);
  Eigen::VectorXd yB(p);
  for (Index k = 0; k < p; ++k) {
    XB.row(k) = X.row(basis[static_cast<std::size_t>(k)]).cwiseProduct(colscale.transpose());
    yB[k] = y[basis[static_cast<std::size_t>(k)]];
  }
  Eigen::FullPivLU<Eigen::MatrixXd> lu(XB);
  if (!lu.isInvertible()) return false;
  Eigen::VectorXd u = lu.solve(yB);
  const Eigen::VectorXd res = yB - XB * u;
  u += lu.solve(res);
  beta = colscale.cwiseProduct(u);
  return beta.allFinite();
}

// Least-squares fit to the given rows (columns equilibrated, pivoted QR, one
// step of iterative refinement).
inline bool solve_least_squares(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                const Eigen::VectorXd& y, const Eigen::VectorXd& colscale,
                                const std::vector<Index>& rows, Eigen::VectorXd& beta) {
  const Index m = static_cast<Index>(rows.size()), p = X.cols();
  Eigen::MatrixXd XZ(m, p);
  Eigen::VectorXd yZ(m);
  for (Index j = 0; j < p; ++j)
    for (Index k = 0; k < m; ++k) XZ(k, j) = X(rows[static_cast<std::size_t>(k)], j) * colscale[j];
  for (Index k = 0; k < m; ++k) yZ[k] = y[rows[static_cast<std::size_t>(k)]];
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(XZ);
  if (qr.rank() < p) return false;
  Eigen::VectorXd u = qr.solve(yZ);
  const Eigen::VectorXd res = yZ - XZ * u;
  u += qr.solve(res);
  beta = colscale.cwiseProduct(u);
  return beta.allFinite();
}

}  // namespace lad_detail
}  // namespace probml
