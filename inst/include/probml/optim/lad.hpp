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
// times per iteration. No n x n matrix is ever formed.
//
// Finishing. The LP optimum is attained at a vertex where p observations are
// interpolated. Once the gap is small those are the rows with the smallest
// |r_i|: solving X_B beta = y_B exactly on a well-conditioned such set removes
// the O(mu) error of the interior point, and the vertex is certified optimal
// when 0 is a subgradient there. The iteration stops at a certified vertex or
// at a relative gap below tol; if it stalls instead (rounding on a nearly
// collinear X), simplex pivots from the best vertex finish the job.
//
// Large n. Following Portnoy & Koenker (1997), a fit on a subsample predicts
// the sign of most residuals; those rows are fixed at their bounds and the
// interior point runs on the remaining band only. The result is checked
// against every fixed row, and the plain method on all rows is the fallback,
// so the answer never depends on the heuristic.
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

// A vertex of the LP: beta interpolating the rows in `basis`.
struct Vertex {
  std::vector<Index> basis;
  Eigen::VectorXd beta;
  double sum_abs = std::numeric_limits<double>::infinity();    // over the rows of X
  double objective = std::numeric_limits<double>::infinity();  // sum_abs - g_fixed' beta
  bool certified = false;
};

// For a block of rows Xb: the fitted values t = Xb beta and their scale
// mag = |Xb| |beta|, the size against which a residual counts as zero.
template <class Block>
inline void block_fit(const Block& Xb, const Eigen::VectorXd& beta, const Eigen::VectorXd& abs_beta,
                      Eigen::VectorXd& t, Eigen::VectorXd& mag) {
  const Index m = Xb.rows();
  t.head(m).noalias() = Xb * beta;
  mag.head(m).setZero();
  for (Index j = 0; j < Xb.cols(); ++j) mag.head(m) += abs_beta[j] * Xb.col(j).cwiseAbs();
}

// Objective of a vertex and a sufficient optimality test, in one blocked pass
// over X. Optimality: 0 must be a subgradient, i.e.
//   X_B'(w_B t_B) = -sum_{i not in B} w_i sgn(r_i) x_i   for some |t_B| <= 1.
// Non-basic rows that are interpolated too (a degenerate vertex) may take any
// sign in [-1, 1]; the interior-point multipliers 2 a_i / w_i - 1 are used for
// them, which makes the test sufficient rather than exact in that case.
// g_fixed (empty for none) is the subgradient contribution sum_i w_i sgn_i x_i
// of rows outside X whose signs are fixed (see solve_preprocessed); their
// objective is linear, -g_fixed' beta up to a constant.
// Rows with |r_i| <= 1e-11 (|y_i| + sum_j |x_ij beta_j|) are returned in
// *near_zero when it is given (candidates for a degenerate vertex).
inline void evaluate_vertex(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                            const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed,
                            Vertex& vx, std::vector<Index>* near_zero = nullptr) {
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  const Eigen::VectorXd abs_beta = vx.beta.cwiseAbs();
  const bool have_a = a_ipm.size() == n;
  // Sign of r_i, with |r_i| at the rounding level of y_i - x_i' beta treated as 0.
  const auto sign_of = [&](Index i, double ri, double fit_mag) {
    const double zero_tol = 64.0 * std::numeric_limits<double>::epsilon() * (std::abs(y[i]) + fit_mag);
    if (ri > zero_tol) return 1.0;
    if (ri < -zero_tol) return -1.0;
    return have_a ? std::min(1.0, std::max(-1.0, 2.0 * a_ipm[i] / w[i] - 1.0)) : 0.0;
  };
  Eigen::VectorXd t(bs), mag(bs), ws(bs), g = Eigen::VectorXd::Zero(p);
  const bool have_fixed = g_fixed.size() == p;
  if (have_fixed) g = g_fixed;
  CompensatedSum total;
  for (Index i0 = 0; i0 < n; i0 += bs) {
    const Index m = std::min(bs, n - i0);
    const auto Xb = X.middleRows(i0, m);
    block_fit(Xb, vx.beta, abs_beta, t, mag);
    double part = 0.0;
    for (Index k = 0; k < m; ++k) {
      const Index i = i0 + k;
      const double ri = y[i] - t[k];
      part += w[i] * std::abs(ri);
      ws[k] = w[i] * sign_of(i, ri, mag[k]);
      if (near_zero && std::abs(ri) <= 1e-11 * (std::abs(y[i]) + mag[k])) near_zero->push_back(i);
    }
    total.add(part);
    g.noalias() += Xb.transpose() * ws.head(m);
  }
  const double sar = total.value();
  vx.sum_abs = sar;
  vx.objective = have_fixed ? sar - g_fixed.dot(vx.beta) : sar;
  vx.certified = false;
  if (!std::isfinite(vx.objective)) return;
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
                     const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed,
                     const Eigen::VectorXd& r) {
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
    std::vector<Index> near_zero;
    evaluate_vertex(X, y, w, a_ipm, colscale, g_fixed, c, &near_zero);
    if (static_cast<Index>(near_zero.size()) > p) {
      // Degenerate vertex: more than p rows are interpolated. Their least
      // squares fit is the same hyperplane with the rounding of p rows
      // averaged out, which matters when many rows sit on it.
      Vertex d;
      d.basis = c.basis;
      if (solve_least_squares(X, y, colscale, near_zero, d.beta)) {
        evaluate_vertex(X, y, w, a_ipm, colscale, g_fixed, d);
        if ((d.certified && !c.certified) ||
            (d.certified == c.certified && d.objective <= c.objective))
          c = std::move(d);
      }
    }
    if (c.certified) return c;
    if (c.objective < best.objective) best = std::move(c);
  }
  return best;
}

// r = y - X beta; returns sum_i w_i |r_i| (blocked, compensated).
inline double residuals(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& w, const Eigen::VectorXd& beta, Eigen::VectorXd& r) {
  const Index n = X.rows(), bs = rows_per_block(X.cols(), n);
  r.resize(n);
  CompensatedSum total;
  for (Index i0 = 0; i0 < n; i0 += bs) {
    const Index m = std::min(bs, n - i0);
    r.segment(i0, m) = y.segment(i0, m);
    r.segment(i0, m).noalias() -= X.middleRows(i0, m) * beta;
    total.add((w.segment(i0, m).array() * r.segment(i0, m).array().abs()).sum());
  }
  return total.value();
}

struct IpmOut {
  Eigen::VectorXd beta;  // final dual iterate (the coefficients)
  Eigen::VectorXd a;     // final primal iterate, 0 < a < w
  Eigen::VectorXd r;     // y - X beta
  double sar = 0.0;      // sum w |r|
  int iterations = 0;
  bool gap_ok = false;   // relative duality gap <= tol with a primal feasible
  bool singular = false; // X'WX (least-squares start) is numerically singular
  bool breakdown = false;
  Vertex found;          // a certified vertex, if try_vertices found one
};

// Mehrotra predictor-corrector for  min -y'a  s.t. X'a = b, 0 <= a <= w
// (b = X'w/2 for the full problem; the preprocessed problem below has rows
// fixed at their bounds folded into b, so a = w/2 need not be feasible and
// the primal residual r_p is carried in the Newton equations).
inline IpmOut ipm_solve(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& w, const Eigen::VectorXd& b,
                        const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed,
                        double tol, int max_iter, bool try_vertices,
                        const std::function<void()>& check_interrupt) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  IpmOut out;
  MatrixXd Bt(bs, p);  // sqrt(theta)-scaled block of X for the SYRK
  MatrixXd M(p, p);
  SpdSolver solver;

  // Starting point: a = s = w/2 is central; beta is the w-weighted
  // least-squares fit, and v - z = r is met exactly by splitting r into its
  // parts and shifting both by delta > 0 (Mehrotra's heuristic scale: a
  // fraction of the mean absolute residual, floored by the scale of y).
  VectorXd beta(p), wx = VectorXd::Zero(p);
  {
    M.setZero();
    VectorXd rhs = VectorXd::Zero(p);
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      const auto Xb = X.middleRows(i0, m);
      Bt.topRows(m) = w.segment(i0, m).cwiseSqrt().asDiagonal() * Xb;
      M.selfadjointView<Eigen::Lower>().rankUpdate(Bt.topRows(m).transpose());
      rhs.noalias() += Xb.transpose() * w.segment(i0, m).cwiseProduct(y.segment(i0, m));
      wx.noalias() += Xb.transpose() * w.segment(i0, m);
    }
    if (!solver.factor(M, true)) {
      out.singular = true;
      return out;
    }
    beta = solver.solve(rhs);
    if (!beta.allFinite()) {
      out.singular = true;
      return out;
    }
  }
  VectorXd r;
  const double sar0 = residuals(X, y, w, beta, r);
  const double sum_w = w.sum();
  const double sum_wy = (w.array() * y.array().abs()).sum();
  const double delta = std::max(0.25 * sar0 / sum_w, 1e-10 * sum_wy / sum_w);
  VectorXd a = 0.5 * w, s = 0.5 * w, z(n), v(n);
  for (Index i = 0; i < n; ++i) {
    z[i] = std::max(-r[i], 0.0) + delta;
    v[i] = std::max(r[i], 0.0) + delta;
  }

  // Work vectors: theta, affine rhs h, bound residual r_u, 1/a, 1/s, the
  // second-order products da*dz, ds*dv of the predictor, and the step (applied
  // lazily at the start of the next pass 1 to save a sweep over memory).
  VectorXd theta(n), h(n), ru(n), inv_a(n), inv_s(n), cz(n), cv(n);
  VectorXd da = VectorXd::Zero(n), ds = VectorXd::Zero(n), dz = VectorXd::Zero(n),
           dv = VectorXd::Zero(n);
  VectorXd tb(bs), sq(bs), q1(p), q2(p), q3(p), q4(p);
  double ap = 0.0, ad = 0.0;  // pending primal / dual step lengths

  // Raw pointers in the O(n) loops: no index checks even without NDEBUG.
  const double* const Y = y.data();
  const double* const W = w.data();
  double *const A = a.data(), *const S = s.data(), *const Z = z.data(), *const V = v.data();
  double *const R = r.data(), *const TH = theta.data(), *const H = h.data(), *const RU = ru.data();
  double *const IA = inv_a.data(), *const IS = inv_s.data(), *const CZ = cz.data(),
               *const CV = cv.data();
  double *const DA = da.data(), *const DS = ds.data(), *const DZ = dz.data(), *const DV = dv.data();
  double *const TB = tb.data(), *const SQ = sq.data();

  // If the true optimum is an exact fit the relative gap is meaningless; the
  // floor stops the iteration at rounding level and polishing finishes.
  const double sar_floor = 1e-12 * sum_wy;
  const double step_frac = 0.99995;
  const double centrality = 1e-3;
  const double feas_scale = std::max(b.cwiseAbs().maxCoeff(), 0.5 * wx.cwiseAbs().maxCoeff());
  double prev_gap = std::numeric_limits<double>::infinity();
  double next_try = 1e-6;  // relative gap at which to try to jump to the vertex
  double sar = 0.0;
  int slow = 0, it = 0;

  for (;;) {
    if (check_interrupt) check_interrupt();

    // Pass 1: take the pending step; residuals, Newton weights, X' Theta X
    // and the predictor's right-hand side.
    M.setZero();
    q1.setZero();
    q2.setZero();
    CompensatedSum sar_sum;
    double gap = 0.0, min_prod = std::numeric_limits<double>::infinity();
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      const auto Xb = X.middleRows(i0, m);
      tb.head(m).noalias() = Xb * beta;
      double part = 0.0;
      for (Index k = 0; k < m; ++k) {
        const Index i = i0 + k;
        const double ai = A[i] + ap * DA[i], si = S[i] + ap * DS[i];
        const double zi = Z[i] + ad * DZ[i], vi = V[i] + ad * DV[i];
        A[i] = ai;
        S[i] = si;
        Z[i] = zi;
        V[i] = vi;
        const double ri = Y[i] - TB[k];
        R[i] = ri;
        const double rui = W[i] - ai - si;
        RU[i] = rui;
        const double iai = 1.0 / ai, isi = 1.0 / si;
        IA[i] = iai;
        IS[i] = isi;
        const double th = 1.0 / (zi * iai + vi * isi);
        TH[i] = th;
        SQ[k] = std::sqrt(th);
        const double hi = ri + vi * rui * isi;
        H[i] = hi;
        TB[k] = th * hi;
        part += W[i] * std::abs(ri);
        const double pa = ai * zi, ps = si * vi;
        gap += pa + ps;
        min_prod = std::min(min_prod, std::min(pa, ps));
      }
      sar_sum.add(part);
      Bt.topRows(m) = sq.head(m).asDiagonal() * Xb;
      M.selfadjointView<Eigen::Lower>().rankUpdate(Bt.topRows(m).transpose());
      q1.noalias() += Xb.transpose() * a.segment(i0, m);
      q2.noalias() += Xb.transpose() * tb.head(m);
    }
    ap = ad = 0.0;
    sar = sar_sum.value();
    if (!std::isfinite(gap) || !std::isfinite(sar)) {
      out.breakdown = true;
      break;
    }
    const VectorXd rp = b - q1;
    // With a primal residual the duality gap gains the term beta' r_p (the
    // first-order change of the optimum when b moves by r_p); counting it
    // keeps the stopping rule honest when beta is large.
    const double total_gap = gap + std::abs(beta.dot(rp));
    const double rel_gap = 2.0 * total_gap / std::max(sar, sar_floor);
    const bool feasible = rp.cwiseAbs().maxCoeff() <= 1e-9 * feas_scale;

    if (feasible && rel_gap <= tol) {
      out.gap_ok = true;
      break;
    }
    // Once the gap is small the rows with the smallest |r| usually are the
    // optimal basis: try the vertex, and stop if it is certified optimal.
    const double rel_comp = 2.0 * gap / std::max(sar, sar_floor);
    if (try_vertices && rel_comp <= next_try) {
      next_try = 0.1 * rel_comp;
      Vertex c = polish(X, y, w, a, colscale, g_fixed, r);
      if (c.certified) {
        out.found = std::move(c);
        break;
      }
    }
    if (it >= max_iter) break;
    // Stagnation: the gap normally shrinks by orders of magnitude per step;
    // when rounding stops that, further iterations cannot help.
    slow = (total_gap > 0.9 * prev_gap) ? slow + 1 : 0;
    if (slow >= 10) break;
    prev_gap = total_gap;

    M.triangularView<Eigen::StrictlyUpper>() = M.transpose();  // SYRK filled the lower half
    if (!solver.factor(M)) {
      out.breakdown = true;
      break;
    }

    // Pass 2: predictor (affine scaling, mu = 0); only its step lengths,
    // complementarity and second-order terms are needed.
    const VectorXd dbeta_aff = solver.solve_refined(M, q2 - rp);
    if (!dbeta_aff.allFinite()) {
      out.breakdown = true;
      break;
    }
    double ap_max = std::numeric_limits<double>::infinity(), ad_max = ap_max;
    double s1 = 0.0, s2 = 0.0, s3 = 0.0;
    q3.setZero();
    q4.setZero();
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      const auto Xb = X.middleRows(i0, m);
      tb.head(m).noalias() = Xb * dbeta_aff;
      for (Index k = 0; k < m; ++k) {
        const Index i = i0 + k;
        const double ai = A[i], si = S[i], zi = Z[i], vi = V[i], iai = IA[i], isi = IS[i];
        const double th = TH[i], hi = H[i];
        const double dai = th * (hi - TB[k]);
        const double dsi = RU[i] - dai;
        const double dzi = -zi * (1.0 + dai * iai);
        const double dvi = -vi * (1.0 + dsi * isi);
        ratio_test(ai, dai, ap_max);
        ratio_test(si, dsi, ap_max);
        ratio_test(zi, dzi, ad_max);
        ratio_test(vi, dvi, ad_max);
        s1 += ai * dzi + si * dvi;
        s2 += dai * zi + dsi * vi;
        const double czi = dai * dzi, cvi = dsi * dvi;
        s3 += czi + cvi;
        CZ[i] = czi;
        CV[i] = cvi;
        // The corrector's h is mu (1/a - 1/s) + h_aff + (cv/s - cz/a); X'(theta
        // h_aff) is q2 from pass 1, and the other two products are
        // accumulated here, before mu is known.
        SQ[k] = th * (iai - isi);
        TB[k] = th * (cvi * isi - czi * iai);
      }
      q3.noalias() += Xb.transpose() * sq.head(m);
      q4.noalias() += Xb.transpose() * tb.head(m);
    }

    // Pass 3: corrector. Centre with sigma = (gap_aff / gap)^3 and compensate
    // the second-order term da*dz of the predictor (Mehrotra).
    const double apa = std::min(1.0, ap_max), ada = std::min(1.0, ad_max);
    const double gap_aff = gap + ada * s1 + apa * s2 + apa * ada * s3;
    const double sigma = std::min(1.0, std::max(0.0, gap_aff / gap));
    const double mu = sigma * sigma * sigma * gap / (2.0 * static_cast<double>(n));
    const VectorXd dbeta = solver.solve_refined(M, mu * q3 + q2 + q4 - rp);
    if (!dbeta.allFinite()) {
      out.breakdown = true;
      break;
    }
    ap_max = ad_max = std::numeric_limits<double>::infinity();
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      tb.head(m).noalias() = X.middleRows(i0, m) * dbeta;
      for (Index k = 0; k < m; ++k) {
        const Index i = i0 + k;
        const double iai = IA[i], isi = IS[i], zi = Z[i], vi = V[i];
        const double czi = CZ[i], cvi = CV[i];
        const double hc = mu * (iai - isi) + H[i] - czi * iai + cvi * isi;
        const double dai = TH[i] * (hc - TB[k]);
        const double dsi = RU[i] - dai;
        const double dzi = (mu - czi - zi * dai) * iai - zi;
        const double dvi = (mu - cvi - vi * dsi) * isi - vi;
        DA[i] = dai;
        DS[i] = dsi;
        DZ[i] = dzi;
        DV[i] = dvi;
        ratio_test(A[i], dai, ap_max);
        ratio_test(S[i], dsi, ap_max);
        ratio_test(zi, dzi, ad_max);
        ratio_test(vi, dvi, ad_max);
      }
    }
    // Separate primal and dual step lengths, stopping short of the boundary;
    // a, s, z, v move at the start of the next pass 1.
    ap = std::min(1.0, step_frac * ap_max);
    ad = std::min(1.0, step_frac * ad_max);
    // Mehrotra's steps can leave a few products a_i z_i, s_i v_i far below
    // the rest, after which progress crawls (typical of degenerate data such
    // as integer y). Shorten the step until every product is at least
    // 1e-3 times their mean (a wide neighbourhood of the central path), or
    // half the current ratio if the point is not that central (unequal
    // weights); this costs a few iterations on easy problems and avoids
    // stalls of tens of iterations on degenerate ones (quantreg's rq.fit.fnb
    // shows the same stalls without it).
    const double gamma =
        std::min(centrality, 0.5 * min_prod / (gap / (2.0 * static_cast<double>(n))));
    for (int backtrack = 0; backtrack < 30; ++backtrack) {
      double sum_new = 0.0, min_new = std::numeric_limits<double>::infinity();
      for (Index i = 0; i < n; ++i) {
        const double p1 = (A[i] + ap * DA[i]) * (Z[i] + ad * DZ[i]);
        const double p2 = (S[i] + ap * DS[i]) * (V[i] + ad * DV[i]);
        sum_new += p1 + p2;
        min_new = std::min(min_new, std::min(p1, p2));
      }
      if (min_new >= gamma * sum_new / (2.0 * static_cast<double>(n))) break;
      ap *= 0.8;
      ad *= 0.8;
    }
    if (!(ap > 0.0) || !(ad > 0.0)) {
      ap = ad = 0.0;
      break;
    }
    beta += ad * dbeta;
    ++it;
  }
  // Every exit follows pass 1 with no step pending, so r, a and sar belong to beta.
  out.iterations = it;
  out.beta = std::move(beta);
  out.a = std::move(a);
  out.r = std::move(r);
  out.sar = sar;
  return out;
}

// Vertex-to-vertex descent, the simplex method for LAD in the manner of
// Barrodale & Roberts, used when the interior point stalled (e.g. a nearly
// collinear X) and polishing did not reach a certified vertex. At a vertex
// with basis B, releasing basic row k in direction d = sigma X_B^-1 e_k keeps
// the other basic rows interpolated; along beta + t d the objective is convex
// piecewise linear with initial slope
//   w_k - |u_k| + sum_{degenerate i} w_i |x_i' d|,   u = -X_B'^-1 sum_{i not in B, r_i != 0} w_i sgn(r_i) x_i,
// and each non-basic row whose residual reaches zero adds 2 w_i |x_i' d|. The
// step goes to the breakpoint where the slope turns non-negative (the best
// point on the edge), which brings that row into the basis. Every pivot
// strictly decreases the objective, so the method cannot cycle; it stops when
// no edge descends, which proves optimality unless the vertex is degenerate.
inline void crossover(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                      const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                      const Eigen::VectorXd& colscale, Vertex& vx, int max_pivots,
                      const std::function<void()>& check_interrupt) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  const double zero_rel = 64.0 * std::numeric_limits<double>::epsilon();
  VectorXd r(n), c(n), t(bs), mag(bs), ws(n);
  std::vector<char> in_basis(static_cast<std::size_t>(n), 0);
  struct Breakpoint {
    double at, slope;  // step length where r_i reaches 0, and the slope it adds
    Index row;
    bool operator<(const Breakpoint& o) const { return at < o.at; }
  };
  std::vector<Breakpoint> brk;
  for (int pivot = 0; pivot < max_pivots; ++pivot) {
    if (check_interrupt) check_interrupt();
    for (Index i : vx.basis) in_basis[static_cast<std::size_t>(i)] = 1;
    const VectorXd abs_beta = vx.beta.cwiseAbs();
    std::vector<Index> deg_rows;
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      block_fit(X.middleRows(i0, m), vx.beta, abs_beta, t, mag);
      for (Index k = 0; k < m; ++k) {
        const Index i = i0 + k;
        const double ri = y[i] - t[k];
        r[i] = ri;
        const bool basic = in_basis[static_cast<std::size_t>(i)] != 0;
        const bool deg = !basic && std::abs(ri) <= zero_rel * (std::abs(y[i]) + mag[k]);
        if (deg) deg_rows.push_back(i);
        ws[i] = (basic || deg) ? 0.0 : (ri > 0.0 ? w[i] : -w[i]);
      }
    }
    VectorXd G = VectorXd::Zero(p);
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      G.noalias() += X.middleRows(i0, m).transpose() * ws.segment(i0, m);
    }
    // X_B C = XBs with C = diag(colscale); X_B^-1 = C XBs^-1.
    MatrixXd XBs(p, p);
    for (Index k = 0; k < p; ++k)
      XBs.row(k) = X.row(vx.basis[static_cast<std::size_t>(k)]).cwiseProduct(colscale.transpose());
    Eigen::FullPivLU<MatrixXd> lu(XBs);
    if (!lu.isInvertible()) break;
    const Eigen::FullPivLU<MatrixXd> lut(XBs.transpose());
    const VectorXd u = -lut.solve(colscale.cwiseProduct(G));
    // D_k = sum_deg w_i |x_i' X_B^-1 e_k| = sum_deg w_i |(x_i C)' XBs^-1 e_k|.
    VectorXd D = VectorXd::Zero(p);
    if (!deg_rows.empty()) {
      MatrixXd Xd(static_cast<Index>(deg_rows.size()), p);
      for (std::size_t q = 0; q < deg_rows.size(); ++q)
        Xd.row(static_cast<Index>(q)) = X.row(deg_rows[q]).cwiseProduct(colscale.transpose());
      const MatrixXd Cd = lut.solve(Xd.transpose()).transpose();  // rows: c_i'
      for (std::size_t q = 0; q < deg_rows.size(); ++q)
        D += w[deg_rows[q]] * Cd.row(static_cast<Index>(q)).transpose().cwiseAbs();
    }
    Index kbest = -1;
    double best_slope = 0.0;
    for (Index k = 0; k < p; ++k) {
      const double wk = w[vx.basis[static_cast<std::size_t>(k)]];
      const double slope = wk - std::abs(u[k]) + D[k];
      if (slope < -1e-12 * (wk + std::abs(u[k]) + D[k]) && slope < best_slope) {
        best_slope = slope;
        kbest = k;
      }
    }
    for (Index i : vx.basis) in_basis[static_cast<std::size_t>(i)] = 0;
    if (kbest < 0) break;  // no descending edge

    const double sigma = u[kbest] > 0.0 ? -1.0 : 1.0;
    VectorXd ek = VectorXd::Zero(p);
    ek[kbest] = sigma;
    const VectorXd d = colscale.cwiseProduct(lu.solve(ek));
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      c.segment(i0, m).noalias() = X.middleRows(i0, m) * d;
    }
    brk.clear();
    for (Index i = 0; i < n; ++i) {
      if (ws[i] == 0.0) continue;  // basic or degenerate: already in the slope
      if (r[i] * c[i] > 0.0) brk.push_back({r[i] / c[i], 2.0 * w[i] * std::abs(c[i]), i});
    }
    // Walk the breakpoints in increasing order until the slope turns
    // non-negative, selecting a growing prefix instead of sorting them all.
    double slope = best_slope;
    Index enter = -1;
    std::size_t done = 0, want = 64;
    while (enter < 0 && done < brk.size()) {
      const std::size_t upto = std::min(brk.size(), done + want);
      if (upto < brk.size())
        std::nth_element(brk.begin() + static_cast<std::ptrdiff_t>(done),
                         brk.begin() + static_cast<std::ptrdiff_t>(upto - 1), brk.end());
      std::sort(brk.begin() + static_cast<std::ptrdiff_t>(done),
                brk.begin() + static_cast<std::ptrdiff_t>(upto));
      for (std::size_t q = done; q < upto; ++q) {
        slope += brk[q].slope;
        if (slope >= 0.0) {
          enter = brk[q].row;
          break;
        }
      }
      done = upto;
      want *= 4;
    }
    if (enter < 0) break;
    Vertex next;
    next.basis = vx.basis;
    next.basis[static_cast<std::size_t>(kbest)] = enter;
    if (!solve_vertex(X, y, colscale, next.basis, next.beta)) break;
    vx.basis = std::move(next.basis);
    vx.beta = std::move(next.beta);
  }
  evaluate_vertex(X, y, w, a_ipm, colscale, Eigen::VectorXd(), vx);
}

struct CoreResult {
  Eigen::VectorXd beta;
  double sum_abs = 0.0;
  int iterations = 0;
  bool converged = false;
};

// Final step shared by both routes: polish the interior-point solution
// (beta, with multipliers a and residuals r on all rows) to a vertex, keep
// the better of the two, and decide convergence.
inline CoreResult finish(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& w, const Eigen::VectorXd& colscale,
                         const Eigen::VectorXd& beta, const Eigen::VectorXd& a,
                         const Eigen::VectorXd& r, double sar, bool gap_ok, int iterations,
                         const std::function<void()>& check_interrupt) {
  CoreResult out;
  out.iterations = iterations;
  Vertex c = polish(X, y, w, a, colscale, Eigen::VectorXd(), r);
  if (!c.certified && !gap_ok && !c.basis.empty()) {
    const int max_pivots = 2 * static_cast<int>(X.cols()) + 50;
    crossover(X, y, w, a, colscale, c, max_pivots, check_interrupt);
  }
  // Prefer the vertex on a near-tie: it is an exact LP solution.
  if (c.certified || (!c.basis.empty() && c.sum_abs <= sar * (1.0 + 1e-14))) {
    out.beta = c.beta;
    out.sum_abs = c.sum_abs;
  } else {
    out.beta = beta;
    out.sum_abs = sar;
  }
  out.converged = gap_ok || c.certified;
  return out;
}

// Deterministic pseudo-random numbers (splitmix64), so that fits are
// reproducible across platforms.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t x = (state += 0x9E3779B97F4A7C15ULL);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  }
};

inline void gather_rows(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& w, const std::vector<Index>& rows,
                        Eigen::MatrixXd& Xs, Eigen::VectorXd& ys, Eigen::VectorXd& ws) {
  const Index m = static_cast<Index>(rows.size()), p = X.cols();
  Xs.resize(m, p);
  ys.resize(m);
  ws.resize(m);
  for (Index j = 0; j < p; ++j)
    for (Index k = 0; k < m; ++k) Xs(k, j) = X(rows[static_cast<std::size_t>(k)], j);
  for (Index k = 0; k < m; ++k) {
    ys[k] = y[rows[static_cast<std::size_t>(k)]];
    ws[k] = w[rows[static_cast<std::size_t>(k)]];
  }
}

// Portnoy & Koenker's (1997) preprocessing for large n. Most rows lie far
// from the optimal hyperplane and their residual signs are known from a fit on
// a subsample; fixing their multipliers at the bounds (a_i = w_i above the
// fit, 0 below) removes them from the LP and leaves a problem on the middle
// band only. If the reduced solution leaves every fixed row on its assumed
// side, the full primal-dual pair is feasible with the same duality gap, so
// it solves the full problem; rows on the wrong side are moved into the band
// (or, if there are many, the band is re-centred on the new fit) and the
// reduced problem is solved again. Returns false to request the plain
// interior point on all rows.
inline bool solve_preprocessed(const Eigen::Ref<const Eigen::MatrixXd>& X,
                               const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                               const Eigen::VectorXd& colscale, double tol, int max_iter,
                               const std::function<void()>& check_interrupt, CoreResult& out,
                               int& iterations) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  const double nd = static_cast<double>(n);
  // Subsample size ~ sqrt(p) n^(2/3) balances the subsample fit against the
  // band width it implies (Portnoy & Koenker); the band keeps twice as many.
  const Index m = static_cast<Index>(std::ceil(std::sqrt(static_cast<double>(p)) * std::cbrt(nd * nd)));
  if (n < 20000 || 5 * m > n) return false;
  // A uniform subsample represents the weighted problem only if no small
  // group of rows carries most of the weight (Kish's effective sample size).
  const double sum_w = w.sum(), sum_w2 = w.squaredNorm();
  if (sum_w * sum_w < 0.25 * nd * sum_w2) return false;

  // 1. Fit on a random subsample (moderate accuracy is enough).
  std::vector<Index> rows(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = i;
  SplitMix64 rng{0x5DEECE66DULL ^ static_cast<std::uint64_t>(n)};
  for (Index k = 0; k < m; ++k) {
    const Index j = k + static_cast<Index>(rng.next() % static_cast<std::uint64_t>(n - k));
    std::swap(rows[static_cast<std::size_t>(k)], rows[static_cast<std::size_t>(j)]);
  }
  rows.resize(static_cast<std::size_t>(m));
  std::sort(rows.begin(), rows.end());
  MatrixXd Xs;
  VectorXd ys, ws;
  gather_rows(X, y, w, rows, Xs, ys, ws);
  const VectorXd b_sub = 0.5 * (Xs.transpose() * ws);
  IpmOut sub =
      ipm_solve(Xs, ys, ws, b_sub, colscale, VectorXd(), 1e-5, max_iter, false, check_interrupt);
  iterations += sub.iterations;
  if (sub.singular || sub.breakdown || !sub.beta.allFinite()) return false;
  // Centre on the subsample's vertex: with ties (integer y, repeated rows)
  // the rows it interpolates are then recognisably on the fit (see below).
  VectorXd centre = sub.beta;
  {
    const Vertex vx = polish(Xs, ys, ws, sub.a, colscale, VectorXd(), sub.r);
    if (!vx.basis.empty() && vx.sum_abs <= sub.sar * (1.0 + 1e-12)) centre = vx.beta;
  }

  // 2. Standardise residuals by scale_i = sum_j |x_ij| sd_j with
  // sd_j^2 = [(Xs'Xs)^-1]_jj: a cheap bound on how much x_i' beta can move
  // between the subsample fit and the full fit, up to a common factor (the
  // exact leverage x_i' (Xs'Xs)^-1 x_i costs as much as an interior-point
  // iteration).
  VectorXd scale(n);
  {
    // Columns equilibrated by colscale (C): [(Xs'Xs)^-1]_jj = C_j^2 [(C Xs'Xs C)^-1]_jj.
    const MatrixXd gram_c = colscale.asDiagonal() * (Xs.transpose() * Xs) * colscale.asDiagonal();
    Eigen::LLT<MatrixXd> gram(gram_c);
    if (gram.info() != Eigen::Success) return false;
    const VectorXd sd = colscale.cwiseProduct(
        gram.solve(MatrixXd::Identity(p, p)).diagonal().cwiseMax(0.0).cwiseSqrt());
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index mm = std::min(bs, n - i0);
      scale.segment(i0, mm).setZero();
      for (Index j = 0; j < p; ++j)
        scale.segment(i0, mm) += sd[j] * X.col(j).segment(i0, mm).cwiseAbs();
    }
  }
  ys.resize(0);
  Xs.resize(0, 0);
  const Index keep = std::min<Index>(n, 2 * m);
  // side: 0 in the band, +1 fixed above the fit (a = w), -1 fixed below (a = 0).
  std::vector<signed char> side(static_cast<std::size_t>(n));
  VectorXd r;
  // Band around a fit with residuals r: every row the fit interpolates up to
  // rounding (with ties, e.g. integer y, many rows can sit exactly on the
  // hyperplane, and fixing those at a bound would make the reduced problem
  // infeasible), plus the `keep` other rows with the smallest |r_i| / scale_i.
  const auto centre_band = [&]() {
    std::vector<double> u(static_cast<std::size_t>(n)), us;
    us.reserve(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) {
      const bool on_fit = std::abs(r[i]) <= 1e-10 * (std::abs(y[i]) + std::abs(y[i] - r[i]));
      u[static_cast<std::size_t>(i)] =
          on_fit ? -1.0 : std::abs(r[i]) / std::max(scale[i], std::numeric_limits<double>::min());
      if (!on_fit) us.push_back(u[static_cast<std::size_t>(i)]);
    }
    double cut = std::numeric_limits<double>::infinity();
    if (static_cast<Index>(us.size()) > keep) {
      std::nth_element(us.begin(), us.begin() + (keep - 1), us.end());
      cut = us[static_cast<std::size_t>(keep - 1)];
    }
    for (Index i = 0; i < n; ++i)
      side[static_cast<std::size_t>(i)] =
          (u[static_cast<std::size_t>(i)] <= cut) ? 0 : (r[i] > 0.0 ? 1 : -1);
  };
  residuals(X, y, w, centre, r);
  centre_band();

  // 3. Solve the reduced problem; repair and repeat while fixed rows are on
  // the wrong side.
  for (int round = 0; round < 6; ++round) {
    std::vector<Index> band;
    VectorXd fixed_w(n);  // w_i * side_i: +w above, -w below, 0 in the band
    for (Index i = 0; i < n; ++i) {
      const signed char sd = side[static_cast<std::size_t>(i)];
      fixed_w[i] = sd * w[i];
      if (sd == 0) band.push_back(i);
    }
    if (static_cast<Index>(band.size()) <= p || 2 * static_cast<Index>(band.size()) > n)
      return false;  // degenerate band, or no longer worth it
    // The fixed rows contribute X_H' w_H to X'a; with b = X'w/2 this leaves
    //   X_B' a_B = X_B' w_B / 2 - (X_H' w_H - X_L' w_L) / 2   for the band.
    VectorXd g_fixed = VectorXd::Zero(p);
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index mm = std::min(bs, n - i0);
      g_fixed.noalias() += X.middleRows(i0, mm).transpose() * fixed_w.segment(i0, mm);
    }
    MatrixXd Xb;
    VectorXd yb, wb;
    gather_rows(X, y, w, band, Xb, yb, wb);
    const VectorXd b_red = 0.5 * (Xb.transpose() * wb - g_fixed);
    IpmOut red =
        ipm_solve(Xb, yb, wb, b_red, colscale, g_fixed, tol, max_iter, true, check_interrupt);
    iterations += red.iterations;
    if (red.singular || !red.beta.allFinite()) return false;

    const bool have_vertex = red.found.certified;
    // A reduced problem that did not converge is usually infeasible: too
    // many rows on the hyperplane were fixed at a bound. Give up on it.
    if (!red.gap_ok && !have_vertex) return false;
    const VectorXd& beta_red = have_vertex ? red.found.beta : red.beta;
    const double sar = residuals(X, y, w, beta_red, r);
    Index wrong = 0;
    for (Index i = 0; i < n; ++i) {
      const signed char sd = side[static_cast<std::size_t>(i)];
      if ((sd > 0 && r[i] < 0.0) || (sd < 0 && r[i] > 0.0)) ++wrong;
    }
    if (wrong > 0) {
      if (4 * wrong > static_cast<Index>(band.size())) {
        centre_band();  // the subsample fit was poor: start again from this one
      } else {
        for (Index i = 0; i < n; ++i) {
          signed char& sd = side[static_cast<std::size_t>(i)];
          if ((sd > 0 && r[i] < 0.0) || (sd < 0 && r[i] > 0.0)) sd = 0;
        }
      }
      continue;
    }

    // Every fixed row is on its side: assemble the full multipliers.
    VectorXd a(n);
    for (Index i = 0; i < n; ++i) {
      const signed char sd = side[static_cast<std::size_t>(i)];
      a[i] = sd > 0 ? w[i] : 0.0;
    }
    for (std::size_t k = 0; k < band.size(); ++k) a[band[k]] = red.a[static_cast<Index>(k)];
    if (have_vertex) {
      // Certified for the reduced problem with the fixed signs confirmed:
      // re-evaluate on all rows (objective and certificate).
      Vertex vx;
      vx.beta = beta_red;
      for (Index k : red.found.basis) vx.basis.push_back(band[static_cast<std::size_t>(k)]);
      evaluate_vertex(X, y, w, a, colscale, VectorXd(), vx);
      if (vx.certified) {
        out.beta = vx.beta;
        out.sum_abs = vx.sum_abs;
        out.iterations = iterations;
        out.converged = true;
        return true;
      }
    }
    out = finish(X, y, w, colscale, beta_red, a, r, sar, true, iterations, check_interrupt);
    return true;
  }
  return false;
}

// The solver proper, on rows with w > 0 and y already net of the offset.
inline CoreResult lad_core(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& w, double tol, int max_iter,
                           const std::function<void()>& check_interrupt) {
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols();
  CoreResult out;
  if (n < p) {
    throw std::runtime_error(
        "lad_fit: fewer observations with positive weight than coefficients (X'WX is singular)");
  }
  VectorXd colscale(p);
  for (Index j = 0; j < p; ++j) {
    const double c = X.col(j).norm();
    if (!(c > 0.0)) throw std::runtime_error("lad_fit: X has a zero column (X'WX is singular)");
    colscale[j] = 1.0 / c;
  }
  if ((w.array() * y.array().abs()).sum() == 0.0) {  // y == 0: beta = 0 fits every row
    out.beta = VectorXd::Zero(p);
    out.converged = true;
    return out;
  }
  if (n == p) {  // square system: the optimum interpolates every row
    Vertex vx;
    vx.basis.resize(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) vx.basis[static_cast<std::size_t>(i)] = i;
    if (!solve_vertex(X, y, colscale, vx.basis, vx.beta))
      throw std::runtime_error("lad_fit: X is singular");
    evaluate_vertex(X, y, w, VectorXd(), colscale, VectorXd(), vx);
    out.beta = vx.beta;
    out.sum_abs = vx.sum_abs;
    out.converged = true;
    return out;
  }

  int iterations = 0;
  if (solve_preprocessed(X, y, w, colscale, tol, max_iter, check_interrupt, out, iterations))
    return out;

  const VectorXd b = 0.5 * (X.transpose() * w);
  IpmOut full =
      ipm_solve(X, y, w, b, colscale, VectorXd(), tol, max_iter, true, check_interrupt);
  iterations += full.iterations;
  if (full.singular)
    throw std::runtime_error("lad_fit: X'WX is not positive definite (X not of full column rank)");
  if (full.breakdown && full.iterations == 0)
    throw std::runtime_error("lad_fit: the Newton system broke down");
  if (full.found.certified) {
    out.beta = full.found.beta;
    out.sum_abs = full.found.sum_abs;
    out.iterations = iterations;
    out.converged = true;
    return out;
  }
  return finish(X, y, w, colscale, full.beta, full.a, full.r, full.sar, full.gap_ok, iterations,
                check_interrupt);
}

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
  res.iterations = 0;
  res.converged = true;
  if (p == 0) {
    res.beta = Eigen::VectorXd(0);
    lad_detail::CompensatedSum total;
    for (Index k = 0; k < nk; ++k) total.add(wk[k] * std::abs(yk[k]));
    res.sum_abs = total.value();
    return res;
  }

  // Powers of two bring y, w and the columns of X to unit magnitude without
  // rounding, so no intermediate quantity overflows or underflows whatever
  // the units; the solution maps back exactly. X is copied only when rows are
  // dropped or a column is extreme enough to need it.
  const auto exponent_of = [](double v) {
    int e = 0;
    if (v > 0.0 && std::isfinite(v)) std::frexp(v, &e);
    return e;
  };
  const int ey = exponent_of(nk > 0 ? yk.cwiseAbs().maxCoeff() : 0.0);
  const int ew = exponent_of(nk > 0 ? wk.maxCoeff() : 0.0);
  for (Index k = 0; k < nk; ++k) {
    yk[k] = std::ldexp(yk[k], -ey);
    wk[k] = std::ldexp(wk[k], -ew);
  }
  std::vector<int> ex(static_cast<std::size_t>(p), 0);
  bool rescale_x = false;
  for (Index j = 0; j < p; ++j) {
    double cmax = 0.0;
    if (nk == n) {
      if (!X.col(j).allFinite()) throw std::invalid_argument("lad_fit: X must be finite");
      if (n > 0) cmax = X.col(j).cwiseAbs().maxCoeff();
    } else {
      for (Index k = 0; k < nk; ++k) {
        const double v = std::abs(X(keep[static_cast<std::size_t>(k)], j));
        if (!std::isfinite(v)) throw std::invalid_argument("lad_fit: X must be finite where w > 0");
        cmax = std::max(cmax, v);
      }
    }
    ex[static_cast<std::size_t>(j)] = exponent_of(cmax);
    if (std::abs(ex[static_cast<std::size_t>(j)]) > 60) rescale_x = true;
  }

  lad_detail::CoreResult core;
  if (nk == n && !rescale_x) {
    core = lad_detail::lad_core(X, yk, wk, tol, max_iter, check_interrupt);
  } else {
    Eigen::MatrixXd Xk(nk, p);
    for (Index j = 0; j < p; ++j) {
      const int e = rescale_x ? ex[static_cast<std::size_t>(j)] : 0;
      for (Index k = 0; k < nk; ++k) Xk(k, j) = std::ldexp(X(keep[static_cast<std::size_t>(k)], j), -e);
    }
    core = lad_detail::lad_core(Xk, yk, wk, tol, max_iter, check_interrupt);
  }
  res.beta.resize(p);
  for (Index j = 0; j < p; ++j)
    res.beta[j] = std::ldexp(core.beta[j], ey - (rescale_x ? ex[static_cast<std::size_t>(j)] : 0));
  res.sum_abs = std::ldexp(core.sum_abs, ey + ew);
  res.iterations = core.iterations;
  res.converged = core.converged;
  return res;
}

}  // namespace probml
