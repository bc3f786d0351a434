#pragma once
// The Mehrotra predictor-corrector interior point for the quantile (check-loss) programme.
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
#include "vertex.hpp"

namespace probml {
namespace lad_detail {

using Index = Eigen::Index;

// Largest step t in (0, inf] with u + t du >= 0, folded into `cap` (u > 0).
// The multiply-compare screens out the common case without a division.
inline void ratio_test(double u, double du, double& cap) {
  if (u + cap * du < 0.0) cap = -u / du;
}

struct IpmOut {
  Eigen::VectorXd beta;  // final dual iterate (the coefficients)
  Eigen::VectorXd a;     // final primal iterate, 0 < a < w
  Eigen::VectorXd r;     // y - X beta
  double loss = 0.0;     // sum w rho_tau(r)
  int iterations = 0;
  bool gap_ok = false;   // relative duality gap <= tol with a primal feasible
  bool singular = false; // X'WX (least-squares start) is numerically singular
  bool breakdown = false;
  Vertex found;          // a certified vertex, if try_vertices found one
};

// Mehrotra predictor-corrector for  min -y'a  s.t. X'a = b, 0 <= a <= w
// (b = (1 - tau) X'w for the full problem; the preprocessed problem has rows
// fixed at their bounds folded into b, so a = (1 - tau) w need not be
// feasible and the primal residual r_p is carried in the Newton equations).
inline IpmOut ipm_solve(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& w, const Eigen::VectorXd& b,
                        const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed, double tau,
                        double tol, int max_iter, bool try_vertices,
                        const std::function<void()>& check_interrupt) {
  using Eigen::MatrixXd;
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  IpmOut out;
  MatrixXd Bt(bs, p);  // sqrt(theta)-scaled block of X for the SYRK
  MatrixXd M(p, p);
  SpdSolver solver;

  // Starting point: a = (1 - tau) w, s = tau w meets the bounds and, for
  // the full problem, X'a = b; beta is the w-weighted
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
  const double loss0 = residuals(X, y, w, beta, tau, r);
  const double sum_w = w.sum();
  const double sum_wy = (w.array() * y.array().abs()).sum();
  const double delta = std::max(0.5 * loss0 / sum_w, 1e-10 * sum_wy / sum_w);
  VectorXd a = (1.0 - tau) * w, s = tau * w, z(n), v(n);
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
  const double loss_floor = 1e-12 * std::min(tau, 1.0 - tau) * sum_wy;
  const double step_frac = 0.99995;
  const double centrality = 1e-3;
  const double feas_scale = std::max(b.cwiseAbs().maxCoeff(), 0.5 * wx.cwiseAbs().maxCoeff());
  double prev_gap = std::numeric_limits<double>::infinity();
  double next_try = 1e-6;  // relative gap at which to try to jump to the vertex
  double loss = 0.0;
  int slow = 0, it = 0;

  for (;;) {
    if (check_interrupt) check_interrupt();

    // Pass 1: take the pending step; residuals, Newton weights, X' Theta X
    // and the predictor's right-hand side.
    M.setZero();
    q1.setZero();
    q2.setZero();
    CompensatedSum loss_sum;
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
        part += W[i] * check_loss(ri, tau);
        const double pa = ai * zi, ps = si * vi;
        gap += pa + ps;
        min_prod = std::min(min_prod, std::min(pa, ps));
      }
      loss_sum.add(part);
      Bt.topRows(m) = sq.head(m).asDiagonal() * Xb;
      M.selfadjointView<Eigen::Lower>().rankUpdate(Bt.topRows(m).transpose());
      q1.noalias() += Xb.transpose() * a.segment(i0, m);
      q2.noalias() += Xb.transpose() * tb.head(m);
    }
    ap = ad = 0.0;
    loss = loss_sum.value();
    if (!std::isfinite(gap) || !std::isfinite(loss)) {
      out.breakdown = true;
      break;
    }
    const VectorXd rp = b - q1;
    // With a primal residual the duality gap gains the term beta' r_p (the
    // first-order change of the optimum when b moves by r_p); counting it
    // keeps the stopping rule honest when beta is large. The gap bounds the
    // excess check loss of beta.
    const double total_gap = gap + std::abs(beta.dot(rp));
    const double rel_gap = total_gap / std::max(loss, loss_floor);
    const bool feasible = rp.cwiseAbs().maxCoeff() <= 1e-9 * feas_scale;

    if (feasible && rel_gap <= tol) {
      out.gap_ok = true;
      break;
    }
    // Once the gap is small the rows with the smallest |r| usually are the
    // optimal basis: try the vertex, and stop if it is certified optimal.
    const double rel_comp = gap / std::max(loss, loss_floor);
    if (try_vertices && rel_comp <= next_try) {
      next_try = 0.1 * rel_comp;
      Vertex c = polish(X, y, w, a, colscale, g_fixed, tau, r);
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
  // Every exit follows pass 1 with no step pending, so r, a and loss belong to beta.
  out.iterations = it;
  out.beta = std::move(beta);
  out.a = std::move(a);
  out.r = std::move(r);
  out.loss = loss;
  return out;
}

}  // namespace lad_detail
}  // namespace probml
