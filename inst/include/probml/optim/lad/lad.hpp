#pragma once
// Exact weighted quantile regression, the least-absolute-deviations (median)
// fit at tau = 1/2:
//   minimise  sum_i w_i rho_tau(y_i - offset_i - x_i' beta),   rho_tau(r) = r (tau - [r < 0]).
//
// Formulation. With r = y - X beta, the problem is the LP dual of
//   (P)  min_a  -y'a   s.t.  X'a = (1 - tau) X'w,   0 <= a <= w,
// the bounded "rank score" LP that quantreg's Frisch-Newton solver
// (rq.fit.fnb) works on. Putting the weights into the upper bounds instead of
// scaling the rows of X is equivalent: substituting a = w * a~ turns it into
// the row-scaled problem with 0 <= a~ <= 1, and every product x_i z_i below
// is invariant under that substitution, so the interior-point iterates
// coincide. It avoids an n x p copy of X. Rows with w_i == 0 would pin a_i to
// a degenerate box [0, 0] and are dropped before the solve.
//
// With slack s = w - a and dual slacks z, v >= 0 for the two bounds, the dual of
// (P) is
//   (D)  max_beta  -b'beta - w'v   s.t.  v - z = y - X beta,   b = (1 - tau) X'w,
// so at the optimum v = r^+, z = r^- and -(D) = sum w rho_tau(r) + (1 - tau) w'y.
// For any primal/dual feasible pair, sum w rho_tau(r(beta)) - min <= gap with
// gap = a'z + s'v: the duality gap bounds the suboptimality of beta directly,
// which is the stopping rule. Only b (and the starting point) depend on tau;
// the optimality certificate of a vertex uses psi_tau = tau - [r < 0].
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
#include "../../util/errors.hpp"
#include "preprocess.hpp"

namespace probml {

struct QuantileFitResult {
  Eigen::VectorXd beta;  // coefficients
  double loss;           // sum_i w_i rho_tau(y_i - offset_i - x_i' beta)
  int iterations;
  bool converged;
};

namespace lad_detail {

// The solver proper, on rows with w > 0 and y already net of the offset.
inline CoreResult quantile_core(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                                const Eigen::VectorXd& w, double tau, double tol, int max_iter,
                           const std::function<void()>& check_interrupt) {
  using Eigen::VectorXd;
  const Index n = X.rows(), p = X.cols();
  CoreResult out;
  if (n < p) {
    throw DomainError("the quantile (check-loss) fit has fewer observations with positive weight (" + std::to_string(n) +
                      ") than coefficients (" + std::to_string(p) + ")");
  }
  VectorXd colscale(p);
  for (Index j = 0; j < p; ++j) {
    const double c = X.col(j).norm();
    if (!(c > 0.0))
      throw NumericalError("a design column is zero on every observation with positive weight (the design is rank deficient)");
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
      throw NumericalError("the design is singular on the observations with positive weight");
    evaluate_vertex(X, y, w, VectorXd(), colscale, VectorXd(), tau, vx);
    out.beta = vx.beta;
    out.loss = vx.loss;
    out.converged = true;
    return out;
  }

  int iterations = 0;
  if (solve_preprocessed(X, y, w, colscale, tau, tol, max_iter, check_interrupt, out, iterations))
    return out;

  const VectorXd b = (1.0 - tau) * (X.transpose() * w);
  IpmOut full =
      ipm_solve(X, y, w, b, colscale, VectorXd(), tau, tol, max_iter, true, check_interrupt);
  iterations += full.iterations;
  if (full.singular)
    throw NumericalError("the design is numerically rank deficient on the observations with positive weight");
  if (full.breakdown && full.iterations == 0)
    throw NumericalError("the interior-point Newton system of the quantile (check-loss) fit broke down at its first step");
  if (full.found.certified) {
    out.beta = full.found.beta;
    out.loss = full.found.loss;
    out.iterations = iterations;
    out.converged = true;
    return out;
  }
  return finish(X, y, w, colscale, full.beta, full.a, full.r, full.loss, tau, full.gap_ok, iterations,
                check_interrupt);
}


}  // namespace lad_detail

// X: n x p, full column rank (the caller removes aliased columns); w >= 0;
// 0 < tau < 1. check_interrupt is called once per iteration (may throw; be
// exception safe, RAII only).
inline QuantileFitResult quantile_fit(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                      const Eigen::Ref<const Eigen::VectorXd>& y,
                                      const Eigen::Ref<const Eigen::VectorXd>& w,
                                      const Eigen::Ref<const Eigen::VectorXd>& offset, double tau,
                                      double tol = 1e-12, int max_iter = 200,
                                      const std::function<void()>& check_interrupt = {}) {
  using Index = Eigen::Index;
  const Index n = X.rows(), p = X.cols();
  if (y.size() != n || w.size() != n || offset.size() != n)
    throw std::invalid_argument("quantile_fit: X, y, w and offset have inconsistent dimensions");
  if (!(tol >= 0.0)) throw std::invalid_argument("quantile_fit: tol must be non-negative");
  if (!(tau > 0.0 && tau < 1.0)) throw DomainError("the quantile level tau must lie strictly between 0 and 1");

  std::vector<Index> keep;
  keep.reserve(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    if (!(w[i] >= 0.0) || !std::isfinite(w[i]))
      throw DomainError("weights must be finite and non-negative");
    if (w[i] > 0.0) keep.push_back(i);
  }
  const Index nk = static_cast<Index>(keep.size());
  Eigen::VectorXd yk(nk), wk(nk);
  for (Index k = 0; k < nk; ++k) {
    const Index i = keep[static_cast<std::size_t>(k)];
    yk[k] = y[i] - offset[i];
    wk[k] = w[i];
    if (!std::isfinite(yk[k]))
      throw DomainError("the response minus the offset must be finite");
  }

  QuantileFitResult res;
  res.iterations = 0;
  res.converged = true;
  if (p == 0) {
    res.beta = Eigen::VectorXd(0);
    lad_detail::CompensatedSum total;
    for (Index k = 0; k < nk; ++k) total.add(wk[k] * lad_detail::check_loss(yk[k], tau));
    res.loss = total.value();
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
      if (!X.col(j).allFinite()) throw DomainError("the design must be finite");
      if (n > 0) cmax = X.col(j).cwiseAbs().maxCoeff();
    } else {
      for (Index k = 0; k < nk; ++k) {
        const double v = std::abs(X(keep[static_cast<std::size_t>(k)], j));
        if (!std::isfinite(v)) throw DomainError("the design must be finite");
        cmax = std::max(cmax, v);
      }
    }
    ex[static_cast<std::size_t>(j)] = exponent_of(cmax);
    if (std::abs(ex[static_cast<std::size_t>(j)]) > 60) rescale_x = true;
  }

  lad_detail::CoreResult core;
  if (nk == n && !rescale_x) {
    core = lad_detail::quantile_core(X, yk, wk, tau, tol, max_iter, check_interrupt);
  } else {
    Eigen::MatrixXd Xk(nk, p);
    for (Index j = 0; j < p; ++j) {
      const int e = rescale_x ? ex[static_cast<std::size_t>(j)] : 0;
      for (Index k = 0; k < nk; ++k) Xk(k, j) = std::ldexp(X(keep[static_cast<std::size_t>(k)], j), -e);
    }
    core = lad_detail::quantile_core(Xk, yk, wk, tau, tol, max_iter, check_interrupt);
  }
  res.beta.resize(p);
  for (Index j = 0; j < p; ++j)
    res.beta[j] = std::ldexp(core.beta[j], ey - (rescale_x ? ex[static_cast<std::size_t>(j)] : 0));
  res.loss = std::ldexp(core.loss, ey + ew);
  res.iterations = core.iterations;
  res.converged = core.converged;
  return res;
}

}  // namespace probml
