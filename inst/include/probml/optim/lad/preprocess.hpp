#pragma once
// Portnoy & Koenker's preprocessing of large quantile (check-loss) problems.
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
#include "crossover.hpp"
#include "../../util/rng.hpp"

namespace probml {
namespace lad_detail {

using Index = Eigen::Index;

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
// fit, 0 below; at any tau) removes them from the LP and leaves a problem on the middle
// band only. If the reduced solution leaves every fixed row on its assumed
// side, the full primal-dual pair is feasible with the same duality gap, so
// it solves the full problem; rows on the wrong side are moved into the band
// (or, if there are many, the band is re-centred on the new fit) and the
// reduced problem is solved again. Returns false to request the plain
// interior point on all rows.
inline bool solve_preprocessed(const Eigen::Ref<const Eigen::MatrixXd>& X,
                               const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                               const Eigen::VectorXd& colscale, double tau, double tol, int max_iter,
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
  std::uint64_t rng_state = 0x5DEECE66DULL ^ static_cast<std::uint64_t>(n);
  for (Index k = 0; k < m; ++k) {
    const Index j = k + static_cast<Index>(splitmix64(rng_state) % static_cast<std::uint64_t>(n - k));
    std::swap(rows[static_cast<std::size_t>(k)], rows[static_cast<std::size_t>(j)]);
  }
  rows.resize(static_cast<std::size_t>(m));
  std::sort(rows.begin(), rows.end());
  MatrixXd Xs;
  VectorXd ys, ws;
  gather_rows(X, y, w, rows, Xs, ys, ws);
  const VectorXd b_sub = (1.0 - tau) * (Xs.transpose() * ws);
  IpmOut sub =
      ipm_solve(Xs, ys, ws, b_sub, colscale, VectorXd(), tau, 1e-5, max_iter, false, check_interrupt);
  iterations += sub.iterations;
  if (sub.singular || sub.breakdown || !sub.beta.allFinite()) return false;
  // Centre on the subsample's vertex: with ties (integer y, repeated rows)
  // the rows it interpolates are then recognisably on the fit (see below).
  VectorXd centre = sub.beta;
  {
    const Vertex vx = polish(Xs, ys, ws, sub.a, colscale, VectorXd(), tau, sub.r);
    if (!vx.basis.empty() && vx.loss <= sub.loss * (1.0 + 1e-12)) centre = vx.beta;
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
  residuals(X, y, w, centre, tau, r);
  centre_band();

  // 3. Solve the reduced problem; repair and repeat while fixed rows are on
  // the wrong side.
  for (int round = 0; round < 6; ++round) {
    std::vector<Index> band;
    VectorXd fixed_w(n);  // w_i psi_tau(side_i): tau w above, (tau - 1) w below, 0 in the band
    for (Index i = 0; i < n; ++i) {
      const signed char sd = side[static_cast<std::size_t>(i)];
      fixed_w[i] = sd > 0 ? tau * w[i] : sd < 0 ? (tau - 1.0) * w[i] : 0.0;
      if (sd == 0) band.push_back(i);
    }
    if (static_cast<Index>(band.size()) <= p || 2 * static_cast<Index>(band.size()) > n)
      return false;  // degenerate band, or no longer worth it
    // The fixed rows contribute X_H' w_H to X'a; with b = (1 - tau) X'w this leaves
    //   X_B' a_B = (1 - tau) X_B' w_B - (tau X_H' w_H - (1 - tau) X_L' w_L)   for the band.
    VectorXd g_fixed = VectorXd::Zero(p);
    for (Index i0 = 0; i0 < n; i0 += bs) {
      const Index mm = std::min(bs, n - i0);
      g_fixed.noalias() += X.middleRows(i0, mm).transpose() * fixed_w.segment(i0, mm);
    }
    MatrixXd Xb;
    VectorXd yb, wb;
    gather_rows(X, y, w, band, Xb, yb, wb);
    const VectorXd b_red = (1.0 - tau) * (Xb.transpose() * wb) - g_fixed;
    IpmOut red =
        ipm_solve(Xb, yb, wb, b_red, colscale, g_fixed, tau, tol, max_iter, true, check_interrupt);
    iterations += red.iterations;
    if (red.singular || !red.beta.allFinite()) return false;

    const bool have_vertex = red.found.certified;
    // A reduced problem that did not converge is usually infeasible: too
    // many rows on the hyperplane were fixed at a bound. Give up on it.
    if (!red.gap_ok && !have_vertex) return false;
    const VectorXd& beta_red = have_vertex ? red.found.beta : red.beta;
    const double loss = residuals(X, y, w, beta_red, tau, r);
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
      evaluate_vertex(X, y, w, a, colscale, VectorXd(), tau, vx);
      if (vx.certified) {
        out.beta = vx.beta;
        out.loss = vx.loss;
        out.iterations = iterations;
        out.converged = true;
        return true;
      }
    }
    out = finish(X, y, w, colscale, beta_red, a, r, loss, tau, true, iterations, check_interrupt);
    return true;
  }
  return false;
}

}  // namespace lad_detail
}  // namespace probml
