#pragma once
// Vertices of the quantile (check-loss) linear programme: evaluation, the
// optimality certificate, and polishing an interior-point solution to a vertex.
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
#include "linalg.hpp"

namespace probml {
namespace lad_detail {

using Index = Eigen::Index;

// The check loss rho_tau(r) = r (tau - [r < 0]) of one residual; at tau =
// 1/2 it is |r| / 2 exactly.
inline double check_loss(double r, double tau) { return r > 0.0 ? tau * r : (tau - 1.0) * r; }

// A vertex of the LP: beta interpolating the rows in `basis`.
struct Vertex {
  std::vector<Index> basis;
  Eigen::VectorXd beta;
  double loss = std::numeric_limits<double>::infinity();       // sum w rho_tau(r) over the rows of X
  double objective = std::numeric_limits<double>::infinity();  // loss - g_fixed' beta
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
// over X. With psi_tau(r) = tau - [r < 0], the slope of rho_tau, optimality
// means that 0 is a subgradient, i.e.
//   X_B'(w_B t_B) = -sum_{i not in B} w_i psi_tau(r_i) x_i   for some t_B in [tau - 1, tau].
// Non-basic rows that are interpolated too (a degenerate vertex) may take any
// slope in [tau - 1, tau]; the interior-point multipliers a_i / w_i - (1 - tau)
// are used for them, which makes the test sufficient rather than exact in
// that case. g_fixed (empty for none) is the subgradient contribution
// sum_i w_i psi_tau(r_i) x_i of rows outside X whose signs are fixed (see
// solve_preprocessed); their loss is linear, -g_fixed' beta up to a constant.
// Rows with |r_i| <= 1e-11 (|y_i| + sum_j |x_ij beta_j|) are returned in
// *near_zero when it is given (candidates for a degenerate vertex).
inline void evaluate_vertex(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                            const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed, double tau,
                            Vertex& vx, std::vector<Index>* near_zero = nullptr) {
  const Index n = X.rows(), p = X.cols(), bs = rows_per_block(p, n);
  const Eigen::VectorXd abs_beta = vx.beta.cwiseAbs();
  const bool have_a = a_ipm.size() == n;
  // psi_tau(r_i), with |r_i| at the rounding level of y_i - x_i' beta treated as 0.
  const auto psi_of = [&](Index i, double ri, double fit_mag) {
    const double zero_tol = 64.0 * std::numeric_limits<double>::epsilon() * (std::abs(y[i]) + fit_mag);
    if (ri > zero_tol) return tau;
    if (ri < -zero_tol) return tau - 1.0;
    return have_a ? std::min(tau, std::max(tau - 1.0, a_ipm[i] / w[i] - (1.0 - tau))) : tau - 0.5;
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
      part += w[i] * check_loss(ri, tau);
      ws[k] = w[i] * psi_of(i, ri, mag[k]);
      if (near_zero && std::abs(ri) <= 1e-11 * (std::abs(y[i]) + mag[k])) near_zero->push_back(i);
    }
    total.add(part);
    g.noalias() += Xb.transpose() * ws.head(m);
  }
  const double loss = total.value();
  vx.loss = loss;
  vx.objective = have_fixed ? loss - g_fixed.dot(vx.beta) : loss;
  vx.certified = false;
  if (!std::isfinite(vx.objective)) return;
  // Basic rows were included in g above; take them out again.
  Eigen::MatrixXd XBt(p, p);
  for (Index k = 0; k < p; ++k) {
    const Index i = vx.basis[static_cast<std::size_t>(k)];
    const double ri = y[i] - X.row(i).dot(vx.beta);
    const double mi = X.row(i).cwiseAbs().dot(abs_beta);
    g -= (w[i] * psi_of(i, ri, mi)) * X.row(i).transpose();
    XBt.col(k) = X.row(i).transpose().cwiseProduct(colscale);
  }
  Eigen::FullPivLU<Eigen::MatrixXd> lu(XBt);
  if (!lu.isInvertible()) return;
  const Eigen::VectorXd u = lu.solve(-colscale.cwiseProduct(g));
  if (!u.allFinite()) return;
  for (Index k = 0; k < p; ++k) {
    const double wk = w[vx.basis[static_cast<std::size_t>(k)]];
    if (u[k] > (tau + 0.5e-8) * wk || u[k] < (tau - 1.0 - 0.5e-8) * wk) return;
  }
  vx.certified = true;
}

// Vertices through the rows with the smallest |r|: a strict conditioning
// threshold first, a loose one in case the optimal basis is itself
// ill-conditioned. Returns the first certified one, else the best (the
// returned basis is empty if no vertex could be formed).
inline Vertex polish(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                     const Eigen::VectorXd& w, const Eigen::VectorXd& a_ipm,
                     const Eigen::VectorXd& colscale, const Eigen::VectorXd& g_fixed, double tau,
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
    evaluate_vertex(X, y, w, a_ipm, colscale, g_fixed, tau, c, &near_zero);
    if (static_cast<Index>(near_zero.size()) > p) {
      // Degenerate vertex: more than p rows are interpolated. Their least
      // squares fit is the same hyperplane with the rounding of p rows
      // averaged out, which matters when many rows sit on it.
      Vertex d;
      d.basis = c.basis;
      if (solve_least_squares(X, y, colscale, near_zero, d.beta)) {
        evaluate_vertex(X, y, w, a_ipm, colscale, g_fixed, tau, d);
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

// r = y - X beta; returns sum_i w_i rho_tau(r_i) (blocked, compensated).
inline double residuals(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::VectorXd& y,
                        const Eigen::VectorXd& w, const Eigen::VectorXd& beta, double tau, Eigen::VectorXd& r) {
  const Index n = X.rows(), bs = rows_per_block(X.cols(), n);
  r.resize(n);
  CompensatedSum total;
  for (Index i0 = 0; i0 < n; i0 += bs) {
    const Index m = std::min(bs, n - i0);
    r.segment(i0, m) = y.segment(i0, m);
    r.segment(i0, m).noalias() -= X.middleRows(i0, m) * beta;
    double part = 0.0;
    for (Index i = i0; i < i0 + m; ++i) part += w[i] * check_loss(r[i], tau);
    total.add(part);
  }
  return total.value();
}

}  // namespace lad_detail
}  // namespace probml
