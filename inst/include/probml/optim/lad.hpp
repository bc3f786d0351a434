#pragma once
// Exact weighted least-absolute-deviations (median) regression:
//   minimise  sum_i w_i |y_i - offset_i - x_i' beta|.
//
// Formulation. With r = y - X beta, the LAD problem is the LP dual of
//   (P)  min_a  -y'a   s.t.  X'a = X'w / 2,   0 <= a <= w,
// the bounded "rank score" LP that quantreg's Frisch-Newton solver
// (rq.fit.fnb, tau = 1/2) works on. Putting the weights into the upper bounds
// instead of scaling the rows of X is equivalent: substituting a = w * a~ turns
// it into the row-scaled problem with 0 <= a~ <= 1, and every product x_i z_i
// below is invariant under that substitution, so the interior-point iterates
// coincide. It avoids an n x p copy of X. Rows with w_i == 0 would pin a_i to
// a degenerate box [0, 0] and are dropped before the solve.
//
// With slack s = w - a and dual slacks z, v >= 0 for the two bounds, the dual of
// (P) is
//   (D)  max_beta  -b'beta - w'v   s.t.  v - z = y - X beta,   b = X'w / 2,
// so at the optimum v = r^+, z = r^- and -(D) = (w'y + sum w|r|) / 2. For any
// primal/dual feasible pair, sum w|r(beta)| - min <= 2 * gap with
// gap = a'z + s'v: the duality gap bounds the suboptimality of beta directly,
// which is the stopping rule.
//
// Algorithm. Mehrotra predictor-corrector on the perturbed KKT system
//   X'a = b,  a + s = w,  v - z = y - X beta,  a z = mu,  s v = mu.
// Eliminating dz, dv and ds (= r_u - da) from the Newton equations leaves
//   da = theta * (-X dbeta + h),   theta = 1 / (z/a + v/s),
//   (X' Theta X) dbeta = X'(theta h) - r_p,     r_p = b - X'a,
// where h collects the complementarity and residual right-hand sides. For the
// affine (mu = 0) step h = r + v r_u / s, i.e. dbeta is a theta-weighted least
// squares fit to the current residuals: an IRLS step whose weights the barrier
// keeps bounded. Each iteration therefore costs one p x p Cholesky of
// X' Theta X, formed by a row-blocked SYRK, plus a few passes over X; the
// passes are fused per block of rows so that X is streamed from memory three
// times per iteration.
//
// Polishing. The LP optimum is attained at a vertex where p observations are
// interpolated. Near the end of the interior-point phase those are the rows
// with the smallest |r_i|; solving X_B beta = y_B exactly on the best-conditioned
// such set removes the O(mu) error of the interior point. The vertex is kept
// only if its objective is not worse, and it is certified optimal when its
// subgradient condition holds.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

namespace probml {

struct LadResult {
  Eigen::VectorXd beta;  // coefficients
  double sum_abs;        // sum_i w_i |y_i - offset_i - x_i' beta|
  int iterations;
  bool converged;
};

namespace lad_detail {

using Index = Eigen::Index;

// Rows per block: about 256 KiB of X, so that a block read by a GEMV is still
// in cache when the SYRK / transposed GEMV of the same pass reuses it.
inline Index rows_per_block(Index p) {
  const Index bs = 32768 / std::max<Index>(p, 1);
  return std::max<Index>(64, std::min<Index>(bs, 8192));
}

// Cholesky of a symmetric positive definite p x p matrix (lower triangle used)
// after symmetric Jacobi scaling: the scaling makes the factorisation
// insensitive to the units of the columns of X, and a tiny diagonal shift is
// the fallback when the interior point has pushed the matrix to the edge of
// numerical definiteness (the Newton direction only needs to be a descent
// direction there; the next iteration recomputes all residuals).
class SpdSolver {
 public:
  bool factor(const Eigen::MatrixXd& M) {
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

 private:
  Eigen::VectorXd d_;
  Eigen::MatrixXd S_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

// Largest step t in (0, inf] with u + t du >= 0, folded into `cap` (u > 0).
// The multiply-compare screens out the common case without a division.
inline void ratio_test(double u, double du, double& cap) {
  if (u + cap * du < 0.0) cap = -u / du;
}

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

@@CORE@@
}  // namespace lad_detail

// X: n x p, full column rank (the caller removes aliased columns); w >= 0.
// check_interrupt is called once per iteration (may throw; be exception safe, RAII only).
inline LadResult lad_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                         const Eigen::Ref<const Eigen::VectorXd>& y,
                         const Eigen::Ref<const Eigen::VectorXd>& w,
                         const Eigen::Ref<const Eigen::VectorXd>& offset, double tol = 1e-12,
                         int max_iter = 200, const std::function<void()>& check_interrupt = {}) {
  using Index = Eigen::Index;
  const Index n = X.rows(), p = X.cols();
  if (y.size() != n || w.size() != n || offset.size() != n)
    throw std::invalid_argument("lad_fit: X, y, w and offset have inconsistent dimensions");
  if (!(tol >= 0.0)) throw std::invalid_argument("lad_fit: tol must be non-negative");

  std::vector<Index> keep;
  keep.reserve(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    if (!(w[i] >= 0.0) || !std::isfinite(w[i]))
      throw std::invalid_argument("lad_fit: weights must be finite and non-negative");
    if (w[i] > 0.0) keep.push_back(i);
  }
  const Index nk = static_cast<Index>(keep.size());
  Eigen::VectorXd yk(nk), wk(nk);
  for (Index k = 0; k < nk; ++k) {
    const Index i = keep[static_cast<std::size_t>(k)];
    yk[k] = y[i] - offset[i];
    wk[k] = w[i];
    if (!std::isfinite(yk[k]))
      throw std::invalid_argument("lad_fit: y - offset must be finite where w > 0");
  }

  LadResult res;
  if (p == 0) {
    res.beta = Eigen::VectorXd(0);
    res.sum_abs = (wk.array() * yk.array().abs()).sum();
    res.iterations = 0;
    res.converged = true;
    return res;
  }

  lad_detail::CoreResult core;
  if (nk == n) {
    if (!X.allFinite()) throw std::invalid_argument("lad_fit: X must be finite");
    core = lad_detail::lad_core(X, yk, wk, tol, max_iter, check_interrupt);
  } else {
    Eigen::MatrixXd Xk(nk, p);
    for (Index j = 0; j < p; ++j)
      for (Index k = 0; k < nk; ++k) Xk(k, j) = X(keep[static_cast<std::size_t>(k)], j);
    if (!Xk.allFinite()) throw std::invalid_argument("lad_fit: X must be finite where w > 0");
    core = lad_detail::lad_core(Xk, yk, wk, tol, max_iter, check_interrupt);
  }
  res.beta = core.beta;
  res.sum_abs = core.sum_abs;
  res.iterations = core.iterations;
  res.converged = core.converged;
  return res;
}

}  // namespace probml
