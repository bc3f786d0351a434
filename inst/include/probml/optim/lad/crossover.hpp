#pragma once
// Vertex-to-vertex descent (simplex pivots) after a stalled interior point,
// and the final step shared by every route.
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
#include "interior_point.hpp"

namespace probml {
namespace lad_detail {

using Index = Eigen::Index;

// Vertex-to-vertex descent, the simplex method for LAD in the manner of
// Barrodale & Roberts (here for the check loss rho_tau), used when the
// interior point stalled (e.g. a nearly collinear X) and polishing did not
// reach a certified vertex. At a vertex with basis B, releasing basic row k
// in direction d = sigma X_B^-1 e_k (so r_k = -sigma t) keeps the other basic
// rows interpolated; along beta + t d the objective is convex piecewise
// linear with initial slope
//   w_k rho_tau(-sigma) + sigma u_k + sum_{degenerate i} w_i rho_tau(-x_i' d),
//   u = -X_B'^-1 sum_{i not in B, r_i != 0} w_i psi_tau(r_i) x_i,
// and each non-basic row whose residual reaches zero adds w_i |x_i' d|. The
// step goes to the breakpoint where the slope turns non-negative (the best
// point on the edge), which brings that row into the basis. Every pivot
// strictly decreases the objective, so the method cannot cycle; it stops when
// no edge descends, which proves optimality unless the vertex is degenerate.
inline void crossover(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                      const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                      const Eigen::VectorXd& colscale, double tau, Vertex& vx, int max_pivots,
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
        ws[i] = (basic || deg) ? 0.0 : w[i] * (ri > 0.0 ? tau : tau - 1.0);
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
    // D_k(sigma) = sum_deg w_i rho_tau(-sigma c_ik), c_ik = x_i' X_B^-1 e_k = (x_i C)' XBs^-1 e_k:
    // Dp for sigma = +1, Dm for sigma = -1.
    VectorXd Dp = VectorXd::Zero(p), Dm = VectorXd::Zero(p);
    if (!deg_rows.empty()) {
      MatrixXd Xd(static_cast<Index>(deg_rows.size()), p);
      for (std::size_t q = 0; q < deg_rows.size(); ++q)
        Xd.row(static_cast<Index>(q)) = X.row(deg_rows[q]).cwiseProduct(colscale.transpose());
      const MatrixXd Cd = lut.solve(Xd.transpose()).transpose();  // rows: c_i'
      for (std::size_t q = 0; q < deg_rows.size(); ++q) {
        const double wq = w[deg_rows[q]];
        for (Index k = 0; k < p; ++k) {
          const double c = Cd(static_cast<Index>(q), k);
          Dp[k] += wq * check_loss(-c, tau);
          Dm[k] += wq * check_loss(c, tau);
        }
      }
    }
    Index kbest = -1;
    double best_slope = 0.0, sigma = 1.0;
    for (Index k = 0; k < p; ++k) {
      const double wk = w[vx.basis[static_cast<std::size_t>(k)]];
      // Both directions; on a tie the one against the sign of u_k.
      const double first = u[k] > 0.0 ? -1.0 : 1.0;
      for (const double sg : {first, -first}) {
        const double base = wk * check_loss(-sg, tau), Dk = sg > 0.0 ? Dp[k] : Dm[k];
        const double slope = base + sg * u[k] + Dk;
        if (slope < -1e-12 * (base + std::abs(u[k]) + Dk) && slope < best_slope) {
          best_slope = slope;
          kbest = k;
          sigma = sg;
        }
      }
    }
    for (Index i : vx.basis) in_basis[static_cast<std::size_t>(i)] = 0;
    if (kbest < 0) break;  // no descending edge

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
      if (r[i] * c[i] > 0.0) brk.push_back({r[i] / c[i], w[i] * std::abs(c[i]), i});
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
  evaluate_vertex(X, y, w, a_ipm, colscale, Eigen::VectorXd(), tau, vx);
}

struct CoreResult {
  Eigen::VectorXd beta;
  double loss = 0.0;  // sum w rho_tau(r)
  int iterations = 0;
  bool converged = false;
};

// Final step shared by both routes: polish the interior-point solution
// (beta, with multipliers a and residuals r on all rows) to a vertex, keep
// the better of the two, and decide convergence.
inline CoreResult finish(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& w, const Eigen::VectorXd& colscale,
                         const Eigen::VectorXd& beta, const Eigen::VectorXd& a,
                         const Eigen::VectorXd& r, double loss, double tau, bool gap_ok, int iterations,
                         const std::function<void()>& check_interrupt) {
  CoreResult out;
  out.iterations = iterations;
  Vertex c = polish(X, y, w, a, colscale, Eigen::VectorXd(), tau, r);
  if (!c.certified && !gap_ok && !c.basis.empty()) {
    const int max_pivots = 2 * static_cast<int>(X.cols()) + 50;
    crossover(X, y, w, a, colscale, tau, c, max_pivots, check_interrupt);
  }
  // Prefer the vertex on a near-tie: it is an exact LP solution.
  if (c.certified || (!c.basis.empty() && c.loss <= loss * (1.0 + 1e-14))) {
    out.beta = c.beta;
    out.loss = c.loss;
  } else {
    out.beta = beta;
    out.loss = loss;
  }
  out.converged = gap_ok || c.certified;
  return out;
}

}  // namespace lad_detail
}  // namespace probml
