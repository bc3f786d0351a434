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
// insensitive to the units of the columns of X. In strict mode (the
// least-squares start) a pivot below 1e-14 of its unit diagonal means X is
// numerically rank deficient. Otherwise a tiny diagonal shift is the fallback
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

// A vertex of the LP: beta interpolating the rows in `basis`.
struct Vertex {
  std::vector<Index> basis;
  Eigen::VectorXd beta;
  double sum_abs = std::numeric_limits<double>::infinity();
  bool certified = false;
};

// Objective of a vertex and a sufficient optimality test, in one blocked pass
// over X. Optimality: 0 must be a subgradient, i.e.
//   X_B'(w_B t_B) = -sum_{i not in B} w_i sgn(r_i) x_i   for some |t_B| <= 1.
// Non-basic rows that are interpolated too (a degenerate vertex) may take any
// sign in [-1, 1]; the interior-point multipliers 2 a_i / w_i - 1 are used for
// them, which makes the test sufficient rather than exact in that case.
inline void evaluate_vertex(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                            const Eigen::VectorXd& colscale, Vertex& vx) {
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p);
  const Eigen::VectorXd abs_beta = vx.beta.cwiseAbs();
  const bool have_a = a_ipm.size() == n;
  // Sign of r_i, with |r_i| below rounding of the fitted value treated as 0.
  const auto sign_of = [&](Index i, double ri, double fit_mag) {
    const double zero_tol = 1e-11 * (std::abs(y[i]) + fit_mag);
    if (ri > zero_tol) return 1.0;
    if (ri < -zero_tol) return -1.0;
    return have_a ? std::min(1.0, std::max(-1.0, 2.0 * a_ipm[i] / w[i] - 1.0)) : 0.0;
  };
  Eigen::VectorXd t(bs), mag(bs), ws(bs), g = Eigen::VectorXd::Zero(p);
  CompensatedSum total;
  for (Index i0 = 0; i0 < n; i0 += bs) {
    const Index m = std::min(bs, n - i0);
    const auto Xb = X.middleRows(i0, m);
    t.head(m).noalias() = Xb * vx.beta;
    mag.head(m).setZero();
    for (Index j = 0; j < p; ++j) mag.head(m) += abs_beta[j] * Xb.col(j).cwiseAbs();
    double part = 0.0;
    for (Index k = 0; k < m; ++k) {
      const Index i = i0 + k;
      const double ri = y[i] - t[k];
      part += w[i] * std::abs(ri);
      ws[k] = w[i] * sign_of(i, ri, mag[k]);
    }
    total.add(part);
    g.noalias() += Xb.transpose() * ws.head(m);
  }
  const double sar = total.value();
  vx.sum_abs = sar;
  vx.certified = false;
  if (!std::isfinite(sar)) return;
  // Basic rows were included in g above; take them out again.
  Eigen::MatrixXd XBt(p, p);
  for (Index k = 0; k < p; ++k) {
    const Index i = vx.basis[static_cast<std::size_t>(k)];
    const double ri = y[i] - X.row(i).dot(vx.beta);
    const double mi = X.row(i).cwiseAbs().dot(abs_beta);
    g -= (w[i] * sign_of(i, ri, mi)) * X.row(i).transpose();
    XBt.col(k) = X.row(i).transpose().cwiseProduct(colscale);
  }
  Eigen::FullPivLU<Eigen::MatrixXd> lu(XBt);
  if (!lu.isInvertible()) return;
  const Eigen::VectorXd u = lu.solve(-colscale.cwiseProduct(g));
  if (!u.allFinite()) return;
  for (Index k = 0; k < p; ++k) {
    if (std::abs(u[k]) > (1.0 + 1e-8) * w[vx.basis[static_cast<std::size_t>(k)]]) return;
  }
  vx.certified = true;
}

// Vertices through the rows with the smallest |r|: a strict conditioning
// threshold first, a loose one in case the optimal basis is itself
// ill-conditioned. Returns the first certified one, else the best (the
// returned basis is empty if no vertex could be formed).
inline Vertex polish(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                     const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                     const Eigen::VectorXd& colscale, const Eigen::VectorXd& r) {
  const Index n = X.rows(), p = X.cols();
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  const auto by_abs_r = [&r](Index i, Index j) { return std::abs(r[i]) < std::abs(r[j]); };
  const Index head = std::min<Index>(n, 8 * p + 64);
  std::nth_element(order.begin(), order.begin() + (head - 1), order.end(), by_abs_r);
  std::sort(order.begin(), order.begin() + head, by_abs_r);
  std::vector<Index> top(order.begin(), order.begin() + head);
  bool fully_sorted = (head == n);
  Vertex best;
  std::vector<Index> prev;
  static const double etas[] = {1e-3, 1e-9};
  for (double eta : etas) {
    std::vector<Index> basis = greedy_basis(X, colscale, top, eta);
    if (static_cast<Index>(basis.size()) < p && !fully_sorted) {
      std::sort(order.begin() + head, order.end(), by_abs_r);
      top = order;
      fully_sorted = true;
      basis = greedy_basis(X, colscale, top, eta);
    }
    if (static_cast<Index>(basis.size()) < p || basis == prev) continue;
    prev = basis;
    Vertex c;
    c.basis = std::move(basis);
    if (!solve_vertex(X, y, colscale, c.basis, c.beta)) continue;
    evaluate_vertex(X, y, w, a_ipm, colscale, c);
    if (c.certified) return c;
    if (c.sum_abs < best.sum_abs) best = std::move(c);
  }
  return best;
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
