#pragma once
// Proximal Newton for priors with an L1 part (Laplace, elastic net): at the
// current parameters the nll is replaced by its quadratic model, built from
// per-row derivatives (Objective::row_derivatives), the smooth part of the
// prior by its quadratic (a majoriser for the Student t part), and the L1
// part is kept exact; coordinate descent with soft thresholding minimises
// that model over an active set of coordinates, and a backtracking line
// search on the true objective takes the step. Penalised coordinates join
// the active set when they break the optimality (KKT) condition
// |d nll / d t_k| <= l1_k at zero. This is glmnet's IRLS + coordinate
// descent, for any family: per row, the model couples the family's local
// parameters (linear predictors and auxiliary parameters) through their
// packed second derivatives.
//
// Linear predictors are kept and updated from the coordinates that moved,
// so a step costs O(n) per active coordinate, not O(n p).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>
#include "../util/callbacks.hpp"
#include "../util/errors.hpp"
#include "objective.hpp"
#include "row_team.hpp"

namespace probml {

struct ProxNewtonOptions {
  int max_iter = 200;       // proximal Newton steps per active set
  int max_sweeps = 100000;  // coordinate-descent sweeps per step
  double tol = 1e-12;       // on the predicted decrease, relative to the total weight + |objective|
  double sweep_tol = 1e-16; // on the largest h delta^2 of a sweep, relative likewise
};

struct ProxNewtonResult {
  int iterations = 0;  // proximal Newton steps, over all active-set rounds
  int sweeps = 0;      // coordinate-descent sweeps
  long updates = 0;    // coordinate visits (each a pass over the rows)
  bool converged = false;
  std::string message;
};

// Where the solver stands: the parameters, the linear predictors they give
// and the objective there.
struct ProxState {
  Eigen::VectorXd theta;
  Eigen::MatrixXd U;  // n x m linear predictors, offsets included
  Eigen::VectorXd grad;  // gradient of the nll at theta, every parameter (empty: not computed yet)
  double nll = 0, prior_value = 0;
  double value() const { return nll + prior_value; }
};

inline double soft_threshold(double z, double t) { return z > t ? z - t : (z < -t ? z + t : 0.0); }

class ProxNewton {
 public:
  // `data` must carry no prior of its own; `prior` is over its parameters.
  ProxNewton(const Objective& data, Prior prior, std::vector<bool> free)
      : obj_(data), prior_(std::move(prior)), free_(std::move(free)) {
    if (!obj_.prior().flat()) throw std::invalid_argument("prox-Newton: the objective must not carry the prior");
    if (prior_.size() != obj_.n_params()) throw std::invalid_argument("prox-Newton: the prior does not match");
    const int m = obj_.n_linear();
    for (int j = 0; j < m; ++j) {
      const Design& X = obj_.design(j);
      for (Index c = 0; c < X.cols(); ++c) coords_.push_back({j, X.columns()[static_cast<size_t>(c)], X.scale(c)});
    }
    for (int r = 0; r < obj_.family().n_aux(); ++r) coords_.push_back({m + r, nullptr, 1.0});
    const Family& f = obj_.family();
    curvature_ = f.positive_curvature() || !f.has_expected() ? Curvature::observed : Curvature::expected;
    project_rows_ = !f.positive_curvature() && !f.has_expected();
  }

  const Prior& prior() const { return prior_; }
  const Objective& objective() const { return obj_; }
  void set_prior(Prior p) { prior_ = std::move(p); }
  int n_params() const { return obj_.n_params(); }
  // A coordinate the prior is not flat in: it starts inactive at zero.
  bool penalised(int k) const { return !prior_.term(k).flat(); }
  bool is_free(int k) const { return free_[static_cast<size_t>(k)]; }

  ProxState state(const Eigen::VectorXd& theta) const {
    ProxState s;
    s.theta = theta;
    s.U = obj_.linear_predictors(theta);
    s.nll = obj_.row_derivatives(s.U, obj_.aux(theta), 0, curvature_).value;
    s.prior_value = prior_.value(theta);
    if (!std::isfinite(s.nll))
      throw NumericalError("the negative log-likelihood is not finite at the starting values: they give some "
                           "observation a probability of 0");
    return s;
  }

  // Gradient of the nll plus the prior's smooth part, for every free
  // coordinate (0 for the others); the state's nll gradient if it has one.
  Eigen::VectorXd gradient(const ProxState& s) const {
    Eigen::VectorXd g = s.grad.size() == n_params() ? s.grad : nll_gradient(s);
    for (int k = 0; k < n_params(); ++k)
      g[k] = free_[static_cast<size_t>(k)] ? g[k] + prior_.smooth_gradient(k, s.theta[k]) : 0.0;
    if (prior_.has_combination()) add_combination_gradient(s.theta, g);
    return g;
  }

  // Gradient of the nll for every free coordinate (0 for the others), in
  // parallel over coordinates.
  Eigen::VectorXd nll_gradient(const ProxState& s) const {
    const RowDerivatives rd = obj_.row_derivatives(s.U, obj_.aux(s.theta), 1, curvature_);
    Eigen::VectorXd g = Eigen::VectorXd::Zero(n_params());
    parallel_for(n_params(), obj_.n_threads(), [&](long k, int) {
      if (free_[static_cast<size_t>(k)])
        g[k] = column_dot(coords_[static_cast<size_t>(k)], rd.d1.col(coords_[static_cast<size_t>(k)].local));
    });
    return g;
  }

  // Minimises over the free coordinates, starting from `active` (updated
  // in place): converge on the active set, then admit every penalised
  // coordinate that breaks its KKT condition, until none does.
  // With check_kkt false the inactive coordinates stay at their values
  // (the null model of a path: every penalised coordinate at zero).
  ProxNewtonResult solve(ProxState& s, std::vector<bool>& active, const ProxNewtonOptions& opt,
                         const Callbacks& cb, bool check_kkt = true) const {
    ProxNewtonResult res;
    for (int k = 0; k < n_params(); ++k)
      if (free_[static_cast<size_t>(k)] && (!penalised(k) || s.theta[k] != 0)) active[static_cast<size_t>(k)] = true;
    if (covariance_mode()) return solve_covariance(s, active, opt, cb, check_kkt);
    for (int round = 0; round < 1000; ++round) {
      converge_active(s, active, opt, cb, res);
      if (!res.converged || !check_kkt) return res;
      if (s.grad.size() != n_params()) s.grad = nll_gradient(s);
      const Eigen::VectorXd g = gradient(s);
      int added = 0;
      for (int k = 0; k < n_params(); ++k) {
        if (!free_[static_cast<size_t>(k)] || active[static_cast<size_t>(k)]) continue;
        if (std::abs(g[k]) > prior_.l1(k) * (1 + 1e-9)) {
          active[static_cast<size_t>(k)] = true;
          ++added;
        }
      }
      if (added == 0) return res;
    }
    res.converged = false;
    res.message = "the active set did not settle";
    return res;
  }

 private:
  struct Coord {
    int local;             // local parameter: linear predictor j, or m + aux index
    const double* column;  // design column; nullptr: a column of ones (intercept, aux)
    double scale;
  };

  // Rows in cache-sized blocks for the row work of a coordinate visit.
  static constexpr Index kCacheRows = 2048;
  // Parts of the rows for row work in parallel: fixed by n (never by the
  // thread count), and one part where a visit is too short to share.
  int row_parts() const { return obj_.n() >= 8192 ? 4 : 1; }

  // sum_i x_ik v_i.
  double column_dot(const Coord& c, const Eigen::Ref<const Eigen::VectorXd>& v) const {
    if (!c.column) return c.scale * v.sum();
    return c.scale * ConstVectorMap(c.column, v.size()).dot(v);
  }
  // sum_i x_ik^2 v_i.
  double column_square_dot(const Coord& c, const Eigen::Ref<const Eigen::VectorXd>& v) const {
    if (!c.column) return c.scale * c.scale * v.sum();
    const ConstVectorMap x(c.column, v.size());
    return c.scale * c.scale * (x.array().square() * v.array()).sum();
  }

  void add_combination_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& g) const {
    const Eigen::VectorXd& a = prior_.combination();
    const double gt = prior_.weight() * prior_.combination_term().gradient(a.dot(theta));
    for (int k = 0; k < n_params(); ++k)
      if (free_[static_cast<size_t>(k)]) g[k] += gt * a[k];
  }

  // Per-row curvature made positive semi-definite where the family's is not
  // (each row's small d x d block, eigenvalues floored at zero).
  static void project_psd(Eigen::MatrixXd& d2, int d) {
    Eigen::MatrixXd B(d, d);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig;
    for (Index i = 0; i < d2.rows(); ++i) {
      for (int a = 0; a < d; ++a)
        for (int b = a; b < d; ++b) B(a, b) = B(b, a) = d2(i, packed_index(a, b, d));
      if (d == 1) {
        d2(i, 0) = std::max(d2(i, 0), 0.0);
        continue;
      }
      eig.compute(B);
      if (eig.eigenvalues().minCoeff() >= 0) continue;
      B = eig.eigenvectors() * eig.eigenvalues().cwiseMax(0.0).asDiagonal() * eig.eigenvectors().transpose();
      for (int a = 0; a < d; ++a)
        for (int b = a; b < d; ++b) d2(i, packed_index(a, b, d)) = B(a, b);
    }
  }

  // Proximal Newton steps on the active set until the predicted decrease is
  // negligible. A column coordinate of a linear predictor with an active,
  // flat-prior intercept moves in its centred form, x_k - m_k (m_k the
  // curvature-weighted mean of x_k), with the intercept taking up -m_k
  // times its step: coordinate descent on centred columns, which does not
  // zigzag between the intercept and a column far from zero.
  void converge_active(ProxState& s, const std::vector<bool>& active, const ProxNewtonOptions& opt,
                       const Callbacks& cb, ProxNewtonResult& res) const {
    const int m = obj_.n_linear(), q = obj_.family().n_aux(), d = m + q, P = n_params();
    const Index n = obj_.n();
    std::vector<int> act;
    for (int k = 0; k < P; ++k)
      if (active[static_cast<size_t>(k)] && free_[static_cast<size_t>(k)]) act.push_back(k);
    // The intercept coordinate of each linear predictor, if it can absorb centring.
    std::vector<int> intercept(static_cast<size_t>(m), -1);
    if (!prior_.has_combination())
      for (int k : act) {
        const Coord& c = coords_[static_cast<size_t>(k)];
        if (c.local < m && !c.column && prior_.term(k).flat()) intercept[static_cast<size_t>(c.local)] = k;
      }
    std::vector<char> centred(static_cast<size_t>(d), 0);
    for (int l = 0; l < m; ++l) centred[static_cast<size_t>(l)] = intercept[static_cast<size_t>(l)] >= 0;
    res.converged = false;
    Eigen::VectorXd h(P), delta(P), centre = Eigen::VectorXd::Zero(P);
    // sum_i A_{l l'} (x_k - m_k) for the centred predictors l', per coordinate: the
    // change of their sum of model gradients when coordinate k moves.
    Eigen::MatrixXd cross = Eigen::MatrixXd::Zero(d, P);
    Eigen::VectorXd zsum(d), asum(packed_size(d));
    std::vector<int> moving;
    double full_step = 0;  // the predicted decrease of the previous step if it was taken whole
    for (int step = 0; step < opt.max_iter; ++step) {
      cb.interrupt_point();
      const Eigen::VectorXd aux = obj_.aux(s.theta);
      RowDerivatives rd = obj_.row_derivatives(s.U, aux, 2, curvature_);
      if (project_rows_) project_psd(rd.d2, d);
      const Eigen::MatrixXd& A = rd.d2;
      Eigen::MatrixXd Z = rd.d1;  // gradient of the model in the local parameters, per row
      for (int l = 0; l < d; ++l) zsum[l] = Z.col(l).sum();
      for (Index c = 0; c < asum.size(); ++c) asum[c] = A.col(c).sum();
      // Row work runs on a team over fixed parts of the rows (row_parts):
      // per-part sums are added in part order, whatever the thread count.
      const int parts = row_parts();
      std::optional<RowTeam> team;  // only while coordinate descent runs: its threads spin
      team.emplace(obj_.n_threads(), parts);
      // With one local parameter a coordinate's sums over the rows come with
      // its first visit of the step (one pass over its column, not two).
      const bool fused = d == 1;
      auto part_rows = [&](int part, Index& r0, Index& len) {
        r0 = n * part / parts;
        len = n * (part + 1) / parts - r0;
      };
      // Per coordinate: sum_i x_ik A_{l k} for every l, and sum_i x_ik^2 A_kk.
      const Index na = static_cast<Index>(act.size());
      std::vector<Eigen::MatrixXd> pre(static_cast<size_t>(parts));
      auto pre_pass = [&](int part) {
        Index r0, len;
        part_rows(part, r0, len);
        Eigen::MatrixXd& out = pre[static_cast<size_t>(part)];
        out.setZero(na, d + 1);
        for (Index j = 0; j < na; ++j) {
          const Coord& c = coords_[static_cast<size_t>(act[static_cast<size_t>(j)])];
          if (!c.column) continue;
          const ConstVectorMap x(c.column + r0, len);
          for (int l = 0; l < d; ++l)
            if (l == c.local || centred[static_cast<size_t>(l)])
              out(j, l) = c.scale * x.dot(A.col(packed_index(c.local, l, d)).segment(r0, len));
          out(j, d) = c.scale * c.scale * (x.array().square() * A.col(packed_index(c.local, c.local, d)).segment(r0, len).array()).sum();
        }
      };
      if (!fused) team->run(pre_pass);
      Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(na, d + 1);
      if (!fused)
        for (const auto& part : pre) sums += part;
      std::vector<char> unknown(static_cast<size_t>(P), 0);  // h and centre come with the first visit
      auto set_curvature = [&](int k, double sx, double sxx) {
        const Coord& c = coords_[static_cast<size_t>(k)];
        const double total = asum[packed_index(c.local, c.local, d)];
        const int ic = c.local < m ? intercept[static_cast<size_t>(c.local)] : -1;
        centre[k] = 0;
        h[k] = c.column ? sxx : c.scale * c.scale * total;
        if (c.column && ic >= 0 && total > 0) {
          centre[k] = sx / total;
          h[k] = sxx - centre[k] * sx;
        }
        h[k] = std::max(h[k], 0.0) + prior_.majorising_curvature(k, s.theta[k]);
      };
      for (Index j = 0; j < na; ++j) {
        const int k = act[static_cast<size_t>(j)];
        const Coord& c = coords_[static_cast<size_t>(k)];
        if (fused) {
          if (c.column) unknown[static_cast<size_t>(k)] = 1;
          else set_curvature(k, 0, 0);
          continue;
        }
        const double total = asum[packed_index(c.local, c.local, d)];
        const int ic = c.local < m ? intercept[static_cast<size_t>(c.local)] : -1;
        centre[k] = 0;
        if (!c.column) {
          h[k] = c.scale * c.scale * total;
        } else {
          const double sx = sums(j, c.local), sxx = sums(j, d);
          h[k] = sxx;
          if (ic >= 0 && total > 0) {
            centre[k] = sx / total;
            h[k] = sxx - centre[k] * sx;
          }
        }
        if (d > 1)
          for (int l = 0; l < d; ++l) {
            if (!centred[static_cast<size_t>(l)]) continue;
            const double sxl = c.column ? sums(j, l) : c.scale * asum[packed_index(c.local, l, d)];
            cross(l, k) = sxl - centre[k] * asum[packed_index(c.local, l, d)];
          }
        h[k] = std::max(h[k], 0.0) + prior_.majorising_curvature(k, s.theta[k]);
      }
      // The combination term's quadratic model, in s_a = a' delta.
      const bool comb = prior_.has_combination();
      const Eigen::VectorXd& a = prior_.combination();
      const double a_theta = comb ? a.dot(s.theta) : 0.0;
      const double comb_g = comb ? prior_.weight() * prior_.combination_term().gradient(a_theta) : 0.0;
      const double comb_h = comb ? prior_.weight() * prior_.combination_term().majorising_curvature(a_theta) : 0.0;
      double s_a = 0;
      delta.setZero();
      const double scale = obj_.weight_sum() + std::abs(s.value());
      // Coordinate descent converges linearly: its own stopping rule is tighter.
      const double sweep_tol = opt.sweep_tol * scale;
      bool swept_out = false;
      // A coordinate's move reaches Z on the rows lazily: it is applied in the
      // same task as the next coordinate's sum over the rows, block by block
      // while the rows are in cache.
      int pending = -1;
      double pending_dk = 0;
      Eigen::MatrixXd partial(parts, 3);  // per part: x'Z, and x'A, (x^2)'A on a first visit
      Eigen::MatrixXd dU = Eigen::MatrixXd::Zero(n, m);  // the step in the linear predictors
      int visit = -1;
      auto apply_rows = [&](int k, double dk, Index r0, Index len) {
        const Coord& c = coords_[static_cast<size_t>(k)];
        const double mk = centre[k], f = dk * c.scale;
        for (int l = 0; l < d; ++l) {
          const auto Al = A.col(packed_index(c.local, l, d)).segment(r0, len);
          auto Zl = Z.col(l).segment(r0, len);
          if (!c.column) Zl.noalias() += f * Al;
          else if (mk == 0) Zl.array() += f * (ConstVectorMap(c.column + r0, len).array() * Al.array());
          else Zl.array() += (f * ConstVectorMap(c.column + r0, len).array() - dk * mk) * Al.array();
        }
        if (c.local >= m) return;
        auto du = dU.col(c.local).segment(r0, len);
        if (!c.column) du.array() += f;
        else if (mk == 0) du.noalias() += f * ConstVectorMap(c.column + r0, len);
        else du.array() += f * ConstVectorMap(c.column + r0, len).array() - dk * mk;
      };
      auto visit_rows = [&](int part) {
        Index r0, len;
        part_rows(part, r0, len);
        double acc = 0, ax = 0, axx = 0;
        for (Index b0 = r0; b0 < r0 + len; b0 += kCacheRows) {
          const Index bl = std::min(kCacheRows, r0 + len - b0);
          if (pending >= 0) apply_rows(pending, pending_dk, b0, bl);
          if (visit < 0) continue;
          const Coord& c = coords_[static_cast<size_t>(visit)];
          const auto zb = Z.col(c.local).segment(b0, bl);
          if (!c.column) {
            acc += zb.sum();
            continue;
          }
          const ConstVectorMap xb(c.column + b0, bl);
          acc += xb.dot(zb);
          if (unknown[static_cast<size_t>(visit)]) {
            const auto ab = A.col(0).segment(b0, bl);
            ax += xb.dot(ab);
            axx += (xb.array().square() * ab.array()).sum();
          }
        }
        const double sc = visit >= 0 ? coords_[static_cast<size_t>(visit)].scale : 1.0;
        partial.row(part) << sc * acc, sc * ax, sc * sc * axx;
      };
      // One coordinate update; returns h delta^2.
      auto update = [&](int k) -> double {
        ++res.updates;
        const Coord& c = coords_[static_cast<size_t>(k)];
        visit = k;
        team->run(visit_rows);
        pending = -1;
        double zk = 0, sx = 0, sxx = 0;
        for (int r = 0; r < parts; ++r) {
          zk += partial(r, 0);
          sx += partial(r, 1);
          sxx += partial(r, 2);
        }
        if (unknown[static_cast<size_t>(k)]) {
          set_curvature(k, sx, sxx);
          unknown[static_cast<size_t>(k)] = 0;
        }
        const double hk = h[k] + (comb ? comb_h * a[k] * a[k] : 0.0);
        if (!(hk > 0)) return 0.0;  // no curvature and no penalty: nothing the model can say
        const double mk = centre[k];
        double grad = zk - mk * zsum[c.local] + prior_.smooth_gradient(k, s.theta[k]) +
                      prior_.majorising_curvature(k, s.theta[k]) * delta[k];
        if (comb) grad += a[k] * (comb_g + comb_h * s_a);
        const double b = s.theta[k] + delta[k];
        const double b_new = soft_threshold(b - grad / hk, prior_.l1(k) / hk);
        const double dk = b_new - b;
        if (dk == 0) return 0.0;
        delta[k] += dk;
        if (mk != 0) delta[intercept[static_cast<size_t>(c.local)]] -= mk * dk;
        if (comb) s_a += a[k] * dk;
        for (int l = 0; l < d; ++l) {
          const int pl = packed_index(c.local, l, d);
          if (!c.column) zsum[l] += dk * c.scale * asum[pl];
          else if (centred[static_cast<size_t>(l)] && d > 1) zsum[l] += dk * cross(l, k);
        }
        pending = k;
        pending_dk = dk;
        return hk * dk * dk;
      };
      // Sweeps over the whole active set alternate with sweeps over the
      // coordinates that are not at zero, until a whole sweep changes
      // nothing. The model need not be solved far beyond what this step
      // gains (an inexact Newton step): a sweep whose largest change is
      // below 1e-3 of the model's decrease so far also ends it.
      double gained = 0;
      auto done = [&](double biggest) { return biggest <= std::max(sweep_tol, 1e-3 * gained); };
      for (int sweep = 0;;) {
        if (sweep >= opt.max_sweeps) {
          swept_out = true;
          break;
        }
        ++sweep;
        ++res.sweeps;
        double biggest = 0;
        moving.clear();
        for (int k : act) {
          const double change = update(k);
          gained += 0.5 * change;
          biggest = std::max(biggest, change);
          if (s.theta[k] + delta[k] != 0) moving.push_back(k);
        }
        if (done(biggest)) break;
        while (sweep < opt.max_sweeps) {
          ++sweep;
          ++res.sweeps;
          double inner = 0;
          for (int k : moving) {
            const double change = update(k);
            gained += 0.5 * change;
            inner = std::max(inner, change);
          }
          if (done(inner)) break;
        }
      }

      // The step in the linear predictors, and the predicted decrease
      // (first-order part of the smooth terms plus the change of the L1 part).
      visit = -1;  // the last move reaches dU
      if (pending >= 0) team->run(visit_rows);
      team.reset();
      Eigen::VectorXd daux = Eigen::VectorXd::Zero(q);
      double predicted = 0;
      for (int k : act) {
        if (delta[k] == 0) continue;
        const Coord& c = coords_[static_cast<size_t>(k)];
        if (c.local >= m) daux[c.local - m] += delta[k];
        predicted += prior_.smooth_gradient(k, s.theta[k]) * delta[k] +
                     prior_.l1(k) * (std::abs(s.theta[k] + delta[k]) - std::abs(s.theta[k]));
      }
      if (comb) predicted += comb_g * a.dot(delta);
      for (int l = 0; l < m; ++l) predicted += rd.d1.col(l).dot(dU.col(l));
      for (int r = 0; r < q; ++r) predicted += rd.d1.col(m + r).sum() * daux[r];
      ++res.iterations;
      if (!(predicted < 0) || -predicted <= opt.tol * scale) {
        // No descent left (the model's minimum is where we are).
        res.converged = !swept_out;
        res.message = swept_out ? "coordinate descent did not converge" : "converged";
        return;
      }

      // Backtracking line search on the true objective.
      const double f0 = s.value();
      double t = 1;
      bool accepted = false;
      ProxState cand;
      for (int halving = 0; halving < 60; ++halving, t *= 0.5) {
        cand.theta = s.theta + t * delta;
        const Eigen::VectorXd aux_t = aux + t * daux;
        if (!obj_.family().aux_feasible(aux_t)) continue;
        cand.U = s.U + t * dU;
        cand.nll = obj_.row_derivatives(cand.U, aux_t, 0, curvature_).value;
        if (!std::isfinite(cand.nll)) continue;
        cand.prior_value = prior_.value(cand.theta);
        if (cand.value() <= f0 + 1e-4 * t * predicted) {
          accepted = true;
          break;
        }
      }
      if (!accepted) {
        res.converged = -predicted <= 1e-6 * scale;
        res.message = res.converged ? "converged (no further decrease representable)"
                                    : "line search failed to decrease the negative log posterior";
        return;
      }
      // Full steps converge at least linearly, so after two of them the next
      // decrease is about predicted^2 / previous predicted (an overestimate
      // once convergence is quadratic): below tolerance, this step is the last.
      const bool last = t == 1 && (-predicted <= 2 * opt.tol * scale ||
                                   (full_step < 0 && predicted * predicted <= -full_step * opt.tol * scale));
      full_step = t == 1 ? predicted : 0.0;
      s = std::move(cand);
      if (last) {
        res.converged = true;
        res.message = "converged";
        return;
      }
    }
    res.message = "iteration limit (" + std::to_string(opt.max_iter) + ") reached";
  }

  // Covariance mode (glmnet's name): with constant curvature and one local
  // parameter the nll is an exact quadratic whose Hessian is the weighted
  // Gram matrix G of the design, so coordinate descent runs on the gradient
  // g = X'd1 alone: a coordinate's step costs O(P) (g += step * G_k) instead
  // of a pass over the rows, and the KKT check reads g. Columns of G are
  // computed as coordinates become active; G is P x (computed columns),
  // so P is bounded.
  static constexpr int kCovarianceMaxParams = 2000;
  bool covariance_mode() const {
    return obj_.family().constant_curvature() && obj_.family().n_local() == 1 && !prior_.has_combination() &&
           n_params() <= kCovarianceMaxParams;
  }

  struct GramCache {
    Eigen::VectorXd rows;   // per-row curvature (weights included)
    Eigen::MatrixXd G;      // column slot[k]: sum_i rows_i x_i x_ik, every parameter
    std::vector<int> slot;  // -1: not computed
    Index used = 0;
  };

  // Rows in fixed blocks (a function of n only), so sums over rows add
  // their block parts in the same order for any thread count.
  Index row_block() const {
    const Index chunks = (obj_.n() + Objective::kChunkRows - 1) / Objective::kChunkRows;
    return Objective::kChunkRows * std::max<Index>(4, (chunks + 63) / 64);
  }

  // Columns of G for the coordinates `need` that lack one; batches at least
  // as large as what is already there (the next most likely to enter, by
  // |g_k| / l1_k), so the design is read O(log P) times over a path.
  void ensure_gram(const ProxState& s, const std::vector<int>& need) const {
    GramCache& c = gram_;
    const int P = n_params();
    if (c.slot.empty()) {
      c.slot.assign(static_cast<size_t>(P), -1);
      RowDerivatives rd = obj_.row_derivatives(s.U, obj_.aux(s.theta), 2, curvature_);
      if (project_rows_) project_psd(rd.d2, 1);
      c.rows = rd.d2.col(0);
    }
    std::vector<int> batch;
    for (int k : need)
      if (c.slot[static_cast<size_t>(k)] < 0) batch.push_back(k);
    if (batch.empty()) return;
    const size_t want = std::max<size_t>({batch.size(), static_cast<size_t>(c.used), 8});
    std::vector<int> rest;
    for (int k = 0; k < P; ++k)
      if (c.slot[static_cast<size_t>(k)] < 0 && free_[static_cast<size_t>(k)] &&
          std::find(batch.begin(), batch.end(), k) == batch.end())
        rest.push_back(k);
    auto score = [&](int k) {
      const double l1 = prior_.l1(k);
      return l1 > 0 ? std::abs(s.grad[k]) / l1 : std::numeric_limits<double>::infinity();
    };
    const size_t extra = std::min(rest.size(), want - batch.size());
    std::partial_sort(rest.begin(), rest.begin() + static_cast<long>(extra), rest.end(),
                      [&](int a, int b) { return score(a) > score(b) || (score(a) == score(b) && a < b); });
    batch.insert(batch.end(), rest.begin(), rest.begin() + static_cast<long>(extra));

    // Rows of G already known by symmetry (G_jk = G_kj for j with a column)
    // are copied; the others come from one pass over the rows.
    std::vector<int> fresh, pos_in_fresh(static_cast<size_t>(P), -1);
    for (int k = 0; k < P; ++k)
      if (c.slot[static_cast<size_t>(k)] < 0) {
        pos_in_fresh[static_cast<size_t>(k)] = static_cast<int>(fresh.size());
        fresh.push_back(k);
      }
    const Design X = obj_.design(0).select(fresh);
    const Index n = obj_.n(), b = static_cast<Index>(batch.size()), nf = static_cast<Index>(fresh.size());
    const Index block = row_block(), n_blocks = (n + block - 1) / block;
    std::vector<Eigen::MatrixXd> parts(static_cast<size_t>(n_blocks));
    parallel_for(n_blocks, obj_.n_threads(), [&](long blk, int) {
      const Index r0 = blk * block, r1 = std::min(n, r0 + block);
      Eigen::MatrixXd part = Eigen::MatrixXd::Zero(nf, b), Xc, XB;
      for (Index c0 = r0; c0 < r1; c0 += Objective::kChunkRows) {
        const Index rows = std::min(Objective::kChunkRows, r1 - c0);
        X.gather(c0, rows, Xc);
        XB.resize(rows, b);
        for (Index j = 0; j < b; ++j)
          XB.col(j) = Xc.col(pos_in_fresh[static_cast<size_t>(batch[static_cast<size_t>(j)])])
                          .cwiseProduct(c.rows.segment(c0, rows));
        part.noalias() += Xc.transpose() * XB;
      }
      parts[static_cast<size_t>(blk)] = std::move(part);
    });
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(nf, b);
    for (const auto& part : parts) sum += part;
    c.G.conservativeResize(P, c.used + b);
    for (Index j = 0; j < b; ++j) {
      const int k = batch[static_cast<size_t>(j)];
      auto out = c.G.col(c.used + j);
      for (int r = 0; r < P; ++r) {
        const int sr = c.slot[static_cast<size_t>(r)];
        out[r] = sr >= 0 ? c.G(k, sr) : sum(pos_in_fresh[static_cast<size_t>(r)], j);
      }
    }
    for (Index j = 0; j < b; ++j) c.slot[static_cast<size_t>(batch[static_cast<size_t>(j)])] = static_cast<int>(c.used + j);
    c.used += b;
  }

  // The whole solve in covariance mode: coordinate descent on the exact
  // quadratic (the smooth prior majorised at the coordinate's current
  // value, so every step decreases the objective), active-set rounds
  // against the KKT condition read from g, then the linear predictors and
  // the nll from the rows once.
  ProxNewtonResult solve_covariance(ProxState& s, std::vector<bool>& active, const ProxNewtonOptions& opt,
                                    const Callbacks& cb, bool check_kkt) const {
    ProxNewtonResult res;
    const int P = n_params();
    if (s.grad.size() != P) s.grad = nll_gradient(s);
    const Eigen::VectorXd theta0 = s.theta;
    Eigen::VectorXd& g = s.grad;
    Eigen::VectorXd& theta = s.theta;
    const double tol = opt.sweep_tol * (obj_.weight_sum() + std::abs(s.value()));
    std::vector<int> act, moving;
    std::vector<double> centre(static_cast<size_t>(P), 0.0);
    for (int round = 0; round < 1000 && !res.converged; ++round) {
      cb.interrupt_point();
      act.clear();
      for (int k = 0; k < P; ++k)
        if (active[static_cast<size_t>(k)] && free_[static_cast<size_t>(k)]) act.push_back(k);
      ensure_gram(s, act);
      const Eigen::MatrixXd& G = gram_.G;
      auto col = [&](int k) { return G.col(gram_.slot[static_cast<size_t>(k)]); };
      // A flat, active intercept takes up the centring of every column (as in converge_active).
      int i0 = -1;
      for (int k : act)
        if (!coords_[static_cast<size_t>(k)].column && prior_.term(k).flat()) i0 = k;
      const double g00 = i0 >= 0 ? col(i0)[i0] : 0.0;
      for (int k : act) centre[static_cast<size_t>(k)] = i0 >= 0 && k != i0 && g00 > 0 ? col(k)[i0] / g00 : 0.0;
      auto update = [&](int k) -> double {
        ++res.updates;
        const double m = centre[static_cast<size_t>(k)], hn = col(k)[k] - m * (i0 >= 0 ? col(i0)[k] : 0.0);
        const double hk = std::max(hn, 0.0) + prior_.majorising_curvature(k, theta[k]);
        if (!(hk > 0)) return 0.0;
        const double gn = g[k] - (m != 0 ? m * g[i0] : 0.0);
        const double b_new = soft_threshold(theta[k] - (gn + prior_.smooth_gradient(k, theta[k])) / hk, prior_.l1(k) / hk);
        const double dk = b_new - theta[k];
        if (dk == 0) return 0.0;
        theta[k] = b_new;
        if (m != 0) {
          theta[i0] -= m * dk;
          g.noalias() += dk * (col(k) - m * col(i0));
        } else {
          g.noalias() += dk * col(k);
        }
        s.nll += dk * (gn + 0.5 * dk * hn);
        return hk * dk * dk;
      };
      bool swept_out = false;
      for (int sweep = 0;;) {
        if (sweep >= opt.max_sweeps) {
          swept_out = true;
          break;
        }
        ++sweep;
        ++res.sweeps;
        double biggest = 0;
        moving.clear();
        for (int k : act) {
          biggest = std::max(biggest, update(k));
          if (theta[k] != 0) moving.push_back(k);
        }
        if (biggest <= tol) break;
        while (sweep < opt.max_sweeps) {
          ++sweep;
          ++res.sweeps;
          if (sweep % 256 == 0) cb.interrupt_point();
          double inner = 0;
          for (int k : moving) inner = std::max(inner, update(k));
          if (inner <= tol) break;
        }
      }
      ++res.iterations;
      if (swept_out) {
        res.message = "coordinate descent did not converge";
        break;
      }
      int added = 0;
      if (check_kkt)
        for (int k = 0; k < P; ++k) {
          if (!free_[static_cast<size_t>(k)] || active[static_cast<size_t>(k)]) continue;
          if (std::abs(g[k] + prior_.smooth_gradient(k, theta[k])) > prior_.l1(k) * (1 + 1e-9)) {
            active[static_cast<size_t>(k)] = true;
            ++added;
          }
        }
      res.converged = added == 0;
      res.message = res.converged ? "converged" : "the active set did not settle";
    }
    // The linear predictors follow the coordinates that moved, row block by row block.
    const Eigen::VectorXd step = theta - theta0;
    const Index n = obj_.n(), block = row_block();
    parallel_for((n + block - 1) / block, obj_.n_threads(), [&](long blk, int) {
      const Index r0 = blk * block, len = std::min(n, r0 + block) - r0;
      obj_.design(0).multiply_add(r0, len, step, s.U.col(0).segment(r0, len));
    });
    s.nll = obj_.row_derivatives(s.U, obj_.aux(theta), 0, curvature_).value;
    s.prior_value = prior_.value(theta);
    return res;
  }

  const Objective& obj_;
  Prior prior_;
  std::vector<bool> free_;
  std::vector<Coord> coords_;
  Curvature curvature_ = Curvature::observed;
  bool project_rows_ = false;
  mutable GramCache gram_;  // covariance mode: prior-free, so it serves a whole path
};

}  // namespace probml
