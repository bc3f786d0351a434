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
  double sar = 0.0;
  for (Index i0 = 0; i0 < n; i0 += bs) {
    const Index m = std::min(bs, n - i0);
    const auto Xb = X.middleRows(i0, m);
    t.head(m).noalias() = Xb * vx.beta;
    mag.head(m).setZero();
    for (Index j = 0; j < p; ++j) mag.head(m) += abs_beta[j] * Xb.col(j).cwiseAbs();
    for (Index k = 0; k < m; ++k) {
      const Index i = i0 + k;
      const double ri = y[i] - t[k];
      sar += w[i] * std::abs(ri);
      ws[k] = w[i] * sign_of(i, ri, mag[k]);
    }
    g.noalias() += Xb.transpose() * ws.head(m);
  }
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

struct CoreResult {
  Eigen::VectorXd beta;
  double sum_abs = 0.0;
  int iterations = 0;
  bool converged = false;
};

// The solver proper, on rows with w > 0 and y already net of the offset.
inline CoreResult lad_core(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& w, double tol, int max_iter,
                           const std::function<void()>& check_interrupt) {
  using Eigen::MatrixXd;
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
  const double sum_w = w.sum();
  const double sum_wy = (w.array() * y.array().abs()).sum();
  if (sum_wy == 0.0) {  // y == 0: beta = 0 fits every row exactly
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
    evaluate_vertex(X, y, w, VectorXd(), colscale, vx);
    out.beta = vx.beta;
    out.sum_abs = vx.sum_abs;
    out.converged = true;
    return out;
  }

  const Index bs = rows_per_block(p);
  MatrixXd Bt(bs, p);  // sqrt(theta)-scaled block of X for the SYRK
  MatrixXd M(p, p);
  SpdSolver solver;

  // Starting point: a = s = w/2 is primal feasible and central; beta is the
  // w-weighted least-squares fit, and v - z = r is met exactly by splitting r
  // into its parts and shifting both by delta > 0 (Mehrotra's heuristic scale:
  // a fraction of the mean absolute residual, floored by the scale of y).
  const VectorXd b = 0.5 * (X.transpose() * w);
  VectorXd beta(p);
  {
    M.setZero();
    VectorXd rhs = VectorXd::Zero(p);
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      const auto Xb = X.middleRows(i0, m);
      Bt.topRows(m) = w.segment(i0, m).cwiseSqrt().asDiagonal() * Xb;
      M.selfadjointView<Eigen::Lower>().rankUpdate(Bt.topRows(m).transpose());
      rhs.noalias() += Xb.transpose() * w.segment(i0, m).cwiseProduct(y.segment(i0, m));
    }
    if (!solver.factor(M))
      throw std::runtime_error("lad_fit: X'WX is not positive definite (X not of full column rank)");
    beta = solver.solve(rhs);
    if (!beta.allFinite()) throw std::runtime_error("lad_fit: least-squares start is not finite");
  }
  VectorXd r = y;
  r.noalias() -= X * beta;
  const double sar0 = (w.array() * r.array().abs()).sum();
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

  // Raw pointers in the O(n) loops: Eigen's operator[] carries a bounds
  // assertion unless NDEBUG is set, which R does not do by default.
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
  const double b_norm = b.cwiseAbs().maxCoeff();
  double prev_gap = std::numeric_limits<double>::infinity();
  double next_try = 1e-6;  // relative gap at which to try to jump to the vertex
  double sar = 0.0;
  int slow = 0, it = 0;
  bool gap_ok = false;
  Vertex found;

  for (;;) {
    if (check_interrupt) check_interrupt();

    // Pass 1: take the pending step; residuals, Newton weights, X' Theta X
    // and the predictor's right-hand side.
    M.setZero();
    q1.setZero();
    q2.setZero();
    sar = 0.0;
    double gap = 0.0;
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      const auto Xb = X.middleRows(i0, m);
      tb.head(m).noalias() = Xb * beta;
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
        sar += W[i] * std::abs(ri);
        gap += ai * zi + si * vi;
      }
      Bt.topRows(m) = sq.head(m).asDiagonal() * Xb;
      M.selfadjointView<Eigen::Lower>().rankUpdate(Bt.topRows(m).transpose());
      q1.noalias() += Xb.transpose() * a.segment(i0, m);
      q2.noalias() += Xb.transpose() * tb.head(m);
    }
    ap = ad = 0.0;
    if (!std::isfinite(gap) || !std::isfinite(sar)) break;
    const VectorXd rp = b - q1;
    const double rel_gap = 2.0 * gap / std::max(sar, sar_floor);

    if (rp.cwiseAbs().maxCoeff() <= 1e-9 * b_norm && rel_gap <= tol) {
      gap_ok = true;
      break;
    }
    // Once the gap is small the rows with the smallest |r| usually are the
    // optimal basis: try the vertex, and stop if it is certified optimal.
    if (rel_gap <= next_try) {
      next_try = 0.1 * rel_gap;
      Vertex c = polish(X, y, w, a, colscale, r);
      if (c.certified) {
        found = std::move(c);
        break;
      }
    }
    if (it >= max_iter) break;
    // Stagnation: the gap normally shrinks by orders of magnitude per step;
    // when rounding stops that, further iterations cannot help.
    slow = (gap > 0.9 * prev_gap) ? slow + 1 : 0;
    if (slow >= 5) break;
    prev_gap = gap;

    if (!solver.factor(M)) {
      if (it == 0) throw std::runtime_error("lad_fit: X' Theta X is not positive definite");
      break;
    }

    // Pass 2: predictor (affine scaling, mu = 0); only its step lengths,
    // complementarity and second-order terms are needed.
    const VectorXd dbeta_aff = solver.solve(q2 - rp);
    if (!dbeta_aff.allFinite()) {
      if (it == 0) throw std::runtime_error("lad_fit: Newton system breakdown");
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
        // Corrector rhs, split as mu * (1/a - 1/s) + (h - cz/a + cv/s) so that
        // both X' products can be accumulated before mu is known.
        SQ[k] = th * (iai - isi);
        TB[k] = th * (hi - czi * iai + cvi * isi);
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
    const VectorXd dbeta = solver.solve(mu * q3 + q4 - rp);
    if (!dbeta.allFinite()) break;
    ap_max = ad_max = std::numeric_limits<double>::infinity();
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index m = std::min(bs, n - i0);
      tb.head(m).noalias() = X.middleRows(i0, m) * dbeta;
      for (Index k = 0; k < m; ++k) {
        const Index i = i0 + k;
        const double iai = IA[i], isi = IS[i], zi = Z[i], vi = V[i];
        const double hc = mu * (iai - isi) + H[i] - CZ[i] * iai + CV[i] * isi;
        const double dai = TH[i] * (hc - TB[k]);
        const double dsi = RU[i] - dai;
        const double dzi = (mu - CZ[i] - zi * dai) * iai - zi;
        const double dvi = (mu - CV[i] - vi * dsi) * isi - vi;
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
    if (!(ap > 0.0) || !(ad > 0.0)) {
      ap = ad = 0.0;
      break;
    }
    beta += ad * dbeta;
    ++it;
  }
  out.iterations = it;

  // Polish: move to the vertex through the rows with the smallest residuals,
  // unless that was already done and certified. r, a and sar belong to the
  // current beta here (every exit above follows pass 1 with no step pending).
  if (!found.certified) {
    Vertex c = polish(X, y, w, a, colscale, r);
    // Prefer the vertex on a near-tie: it is an exact LP solution.
    if (c.certified || (!c.basis.empty() && c.sum_abs <= sar * (1.0 + 1e-14))) {
      found = std::move(c);
    } else {
      found.basis.clear();
      found.beta = beta;
      found.sum_abs = sar;
      found.certified = false;
    }
  }
  out.beta = found.beta;
  out.sum_abs = found.sum_abs;
  out.converged = gap_ok || found.certified;
  return out;
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
