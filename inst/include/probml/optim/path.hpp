#pragma once
// The MAP fit along a decreasing sequence of prior strengths lambda: the
// prior at lambda is `unit` with its L1 and L2 weights times lambda (a
// Gaussian, Laplace or elastic-net prior whose scale shrinks as lambda
// grows). Each point starts from the previous one (warm start) with the
// coordinates that the strong rule keeps (previous non-zeros, and those
// whose gradient was within 2 lambda_k - lambda_{k-1} of their
// threshold), and the proximal Newton solver admits every coordinate that
// then breaks its KKT condition, so the rule only saves work. The path
// stops early when the fit explains a fraction max_deviance_ratio of the
// null deviance (the rest of the path would interpolate the data) or a
// point does not converge, and says so.
//
// Cross-validation (cv_path) fits the path once per fold on the other
// folds' rows (the held-out rows get weight 0, so no data are copied),
// with the same lambda sequence, and sums each measure of fit over the
// held-out rows at every point. Folds run in parallel, one thread each;
// every number is the same for any thread count.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <string>
#include <vector>
#include "fit.hpp"

namespace probml {

struct PathOptions {
  std::vector<double> lambda;     // decreasing, positive; empty: generated
  int n_lambda = 100;
  double lambda_min_ratio = -1;   // lambda_min / lambda_max; < 0: 1e-4 if n > p, else 1e-2
  Eigen::VectorXd screen;         // coefficient layout: lambda_max = max_k |gradient_k| / screen_k (0: not penalised)
  double max_deviance_ratio = 0.999;
  double rank_tol = 1e-7;
  int n_threads = 1;
  // Looser than a single fit's: the objective stays within ~1e-9 of its
  // minimum (glmnet's default stops near 1e-7) at a quarter less work.
  ProxNewtonOptions prox = path_prox_options();

  static ProxNewtonOptions path_prox_options() {
    ProxNewtonOptions o;
    o.tol = 1e-9;
    o.sweep_tol = 1e-12;
    return o;
  }
};

// Sums over held-out rows at one point of a path.
struct HoldoutSums {
  double weight = 0, deviance = 0, squared_error = 0, absolute_error = 0, misclassified = 0, brier = 0;
};

struct PathResult {
  std::vector<double> lambda;
  Eigen::MatrixXd coefficients;  // n_coef x points, coefficient layout (NaN: aliased)
  std::vector<double> nll, prior_value, deviance_ratio;
  std::vector<int> iterations, n_nonzero;
  std::vector<long> updates;     // coordinate visits per point (the unit of work)
  std::vector<bool> converged, aliased;
  double null_deviance = 0;
  std::string stop_reason;       // why the path ended before its last lambda ("" if it did not)
  std::vector<HoldoutSums> holdout;
};

namespace detail {

// The model of a path, reduced once: the columns the prior leaves flat are
// checked for aliasing, parameters are internal (column scales), and the
// unit prior is over the kept parameters.
struct PathProblem {
  std::vector<Design> reduced;
  std::vector<int> kept;      // full-layout index of each kept parameter
  Eigen::VectorXd scales;     // full layout (empty: none)
  std::vector<bool> aliased;  // full layout
  Prior unit;                 // over the kept parameters
  Eigen::VectorXd screen;     // over the kept parameters
  int P = 0;                  // full-layout size
};

inline PathProblem reduce_path_problem(const Model& model, ConstVectorMap w, const Prior& unit_coef,
                                       const Eigen::VectorXd& screen_coef, double rank_tol, int n_threads) {
  const Family& family = model.family();
  PathProblem pp;
  pp.scales = layout_scales(model);
  const Prior unit_full = prior_in_full_layout(model, unit_coef, pp.scales);
  Eigen::VectorXd screen_full = model.to_full(screen_coef, 0.0);
  if (pp.scales.size()) screen_full = screen_full.cwiseProduct(pp.scales);
  pp.P = model.n_full();
  pp.aliased.assign(static_cast<size_t>(pp.P), false);
  std::vector<bool> estimated(static_cast<size_t>(pp.P), true);
  if (model.absorbed() >= 0) estimated[static_cast<size_t>(model.absorbed())] = false;
  int start = 0;
  for (const Design& X : model.designs()) {
    std::vector<int> flat_cols;
    for (Index c = 0; c < X.cols(); ++c) {
      const int k = start + static_cast<int>(c);
      if (k != model.absorbed() && unit_full.term(k).flat()) flat_cols.push_back(static_cast<int>(c));
    }
    if (!flat_cols.empty()) {
      const Design F = X.select(flat_cols);
      const std::vector<bool> al = aliased_columns(F, w, weighted_gram(F, w, n_threads), rank_tol);
      for (size_t a = 0; a < flat_cols.size(); ++a)
        if (al[a]) {
          pp.aliased[static_cast<size_t>(start + flat_cols[a])] = true;
          estimated[static_cast<size_t>(start + flat_cols[a])] = false;
        }
    }
    start += static_cast<int>(X.cols());
  }
  int pos = 0;
  std::vector<std::vector<int>> kept_cols(model.designs().size());
  for (size_t j = 0; j < model.designs().size(); ++j) {
    for (Index c = 0; c < model.designs()[j].cols(); ++c, ++pos)
      if (estimated[static_cast<size_t>(pos)]) {
        kept_cols[j].push_back(static_cast<int>(c));
        pp.kept.push_back(pos);
      }
    pp.reduced.push_back(model.designs()[j].select(kept_cols[j]));
  }
  for (int r = 0; r < family.n_aux(); ++r, ++pos) pp.kept.push_back(pos);
  pp.unit = unit_full.select(pp.kept);
  pp.screen.resize(static_cast<Index>(pp.kept.size()));
  for (size_t r = 0; r < pp.kept.size(); ++r) pp.screen[static_cast<Index>(r)] = screen_full[pp.kept[r]];
  return pp;
}

// Internal parameters (kept) -> the coefficient layout (NaN: not estimated).
inline Eigen::VectorXd to_coefficients(const Model& model, const PathProblem& pp, const Eigen::VectorXd& theta) {
  Eigen::VectorXd full = Eigen::VectorXd::Constant(pp.P, std::numeric_limits<double>::quiet_NaN());
  for (size_t r = 0; r < pp.kept.size(); ++r) full[pp.kept[r]] = theta[static_cast<Index>(r)];
  if (pp.scales.size()) full = full.cwiseProduct(pp.scales);
  return model.to_coef(full);
}

// sum_i w_i (nll_i - saturated nll_i) at the auxiliary parameters `aux`: half the deviance.
inline double half_deviance(const Objective& obj, const Eigen::MatrixXd& U, const Eigen::VectorXd& aux,
                            ConstVectorMap y, ConstVectorMap w) {
  const Family& f = obj.family();
  const Index n = U.rows(), block = 4096, n_blocks = (n + block - 1) / block;
  std::vector<double> parts(static_cast<size_t>(n_blocks), 0.0);
  parallel_for(n_blocks, obj.n_threads(), [&](long b, int) {
    const Index r0 = b * block, len = std::min(n, r0 + block) - r0;
    LocalDerivs ld;
    f.local(U.middleRows(r0, len), y.segment(r0, len), aux, 0, ld);
    Eigen::VectorXd sat(len);
    f.saturated_nll(U.middleRows(r0, len), y.segment(r0, len), aux, sat);
    double v = 0;
    for (Index i = 0; i < len; ++i)
      if (w[r0 + i] != 0) v += w[r0 + i] * (ld.value[i] - sat[i]);
    parts[static_cast<size_t>(b)] = v;
  });
  double total = 0;
  for (double v : parts) total += v;
  return total;
}

// Measures of fit summed over the rows with holdout[i] true (weights `w0`).
inline HoldoutSums holdout_sums(const Family& f, const Eigen::MatrixXd& U, const Eigen::VectorXd& aux,
                                ConstVectorMap y, ConstVectorMap w0, const std::vector<char>& holdout) {
  HoldoutSums s;
  const Index n = U.rows();
  std::vector<Index> rows;
  for (Index i = 0; i < n; ++i)
    if (holdout[static_cast<size_t>(i)] && w0[i] > 0) rows.push_back(i);
  if (rows.empty()) return s;
  const Index h = static_cast<Index>(rows.size());
  Eigen::MatrixXd Uh(h, U.cols());
  Eigen::VectorXd yh(h), wh(h);
  for (Index r = 0; r < h; ++r) {
    Uh.row(r) = U.row(rows[static_cast<size_t>(r)]);
    yh[r] = y[rows[static_cast<size_t>(r)]];
    wh[r] = w0[rows[static_cast<size_t>(r)]];
  }
  LocalDerivs ld;
  f.local(Uh, yh, aux, 0, ld);
  Eigen::VectorXd sat(h);
  f.saturated_nll(Uh, yh, aux, sat);
  Eigen::MatrixXd mean(h, f.n_mean_columns());
  f.mean(Uh, aux, mean);
  const std::string kind = f.response_kind();
  const bool classes = kind == "classes" || kind == "ordered";
  for (Index r = 0; r < h; ++r) {
    const double wi = wh[r];
    s.weight += wi;
    s.deviance += 2 * wi * (ld.value[r] - sat[r]);
    if (classes) {
      const int yc = static_cast<int>(yh[r]);
      Eigen::Index best = 0;
      mean.row(r).maxCoeff(&best);
      s.misclassified += wi * (best != yc);
      double b = 0;
      for (Index c = 0; c < mean.cols(); ++c) {
        const double e = mean(r, c) - (c == yc ? 1.0 : 0.0);
        b += e * e;
      }
      s.brier += wi * b;
    } else {
      const double e = yh[r] - mean(r, 0);
      s.squared_error += wi * e * e;
      s.absolute_error += wi * std::abs(e);
      if (kind == "binary") {
        s.misclassified += wi * ((mean(r, 0) > 0.5) != (yh[r] == 1));
        s.brier += wi * e * e;
      }
    }
  }
  return s;
}

// The path of one problem with weights w (zero on held-out rows); sums
// over the held-out rows (weights w0) if `holdout` is not empty.
inline PathResult run_path(const Model& model, const PathProblem& pp, ConstVectorMap y, ConstVectorMap w,
                           const Eigen::MatrixXd& offset, const PathOptions& opt, const Callbacks& cb,
                           ConstVectorMap w0, const std::vector<char>& holdout) {
  const Family& family = model.family();
  check_inputs(family, y, w, ConstMatrixMap(offset.data(), offset.rows(), offset.cols()));
  const ConstMatrixMap off(offset.data(), offset.rows(), offset.cols());
  const Objective obj(family, pp.reduced, y, w, off, opt.n_threads);
  const int Pr = obj.n_params();
  std::vector<bool> free(static_cast<size_t>(Pr), true);
  ProxNewton solver(obj, pp.unit.with_strength(1.0), free);

  // The null model: every penalised coordinate at zero, the rest at their optimum.
  const Index icol = [&] {
    for (size_t r = 0; r < pp.kept.size(); ++r)
      if (pp.kept[r] == model.intercept_col()) return static_cast<Index>(r);
    return static_cast<Index>(-1);
  }();
  Eigen::VectorXd theta0 = simple_start(family, obj, pp.reduced[0], y, w, off, static_cast<int>(icol));
  ProxState st = solver.state(theta0);
  std::vector<bool> active(static_cast<size_t>(Pr), false);
  ProxNewtonResult null_fit = solver.solve(st, active, opt.prox, cb, false);
  if (!null_fit.converged) throw ConvergenceError("the model without penalised coefficients did not converge: " + null_fit.message);
  const Eigen::VectorXd aux_null = obj.aux(st.theta);
  PathResult out;
  out.aliased = model.to_coef(pp.aliased);
  out.null_deviance = 2 * half_deviance(obj, st.U, aux_null, y, w);
  Eigen::VectorXd g = solver.gradient(st);

  std::vector<double> lambda = opt.lambda;
  if (lambda.empty()) {
    double lmax = 0;
    for (int k = 0; k < Pr; ++k)
      if (pp.screen[k] > 0) lmax = std::max(lmax, std::abs(g[k]) / pp.screen[k]);
    if (!(lmax > 0)) lmax = 1;  // nothing to shrink: any strength gives the null model
    const double ratio = opt.lambda_min_ratio > 0 ? opt.lambda_min_ratio
                                                  : (obj.n() > static_cast<Index>(Pr) ? 1e-4 : 1e-2);
    const int L = std::max(1, opt.n_lambda);
    for (int l = 0; l < L; ++l)
      lambda.push_back(lmax * std::pow(ratio, L == 1 ? 0.0 : static_cast<double>(l) / (L - 1)));
  }
  const int L = static_cast<int>(lambda.size());
  double previous = lambda[0];
  for (int l = 0; l < L; ++l) {
    cb.interrupt_point();
    const double lam = lambda[static_cast<size_t>(l)];
    solver.set_prior(pp.unit.with_strength(lam));
    // Strong rule: keep what is non-zero, and what was close to entering.
    std::fill(active.begin(), active.end(), false);
    for (int k = 0; k < Pr; ++k) {
      const double u = pp.unit.term(k).l1;
      if (!solver.penalised(k) || st.theta[k] != 0 || std::abs(g[k]) >= u * (2 * lam - previous))
        active[static_cast<size_t>(k)] = true;
    }
    st.prior_value = solver.prior().value(st.theta);
    const ProxNewtonResult r = solver.solve(st, active, opt.prox, cb);
    g = solver.gradient(st);
    previous = lam;
    int nonzero = 0;
    for (int k = 0; k < Pr; ++k) nonzero += solver.penalised(k) && st.theta[k] != 0;
    const double dev = 2 * half_deviance(obj, st.U, aux_null, y, w);
    const double ratio = out.null_deviance > 0 ? 1 - dev / out.null_deviance : 0.0;
    out.lambda.push_back(lam);
    out.coefficients.conservativeResize(model.n_coef(), l + 1);
    out.coefficients.col(l) = to_coefficients(model, pp, st.theta);
    out.nll.push_back(st.nll);
    out.prior_value.push_back(st.prior_value);
    out.deviance_ratio.push_back(ratio);
    out.iterations.push_back(r.iterations);
    out.updates.push_back(r.updates);
    out.n_nonzero.push_back(nonzero);
    out.converged.push_back(r.converged);
    if (!holdout.empty()) out.holdout.push_back(holdout_sums(family, st.U, obj.aux(st.theta), y, w0, holdout));
    cb.report(l + 1, L);
    if (!r.converged) {
      if (l + 1 < L) out.stop_reason = "the fit did not converge (" + r.message + ")";
      break;
    }
    if (ratio >= opt.max_deviance_ratio && l + 1 < L) {
      out.stop_reason = "the fit explains " + std::to_string(ratio) + " of the null deviance";
      break;
    }
  }
  return out;
}

}  // namespace detail

// The path of a model; `unit` is the prior at lambda = 1 over the coefficient layout.
inline PathResult fit_path(const Model& model, ConstVectorMap y, ConstVectorMap w, const Eigen::MatrixXd& offset,
                           const Prior& unit, const PathOptions& opt, const Callbacks& cb) {
  const detail::PathProblem pp =
      detail::reduce_path_problem(model, w, unit, opt.screen, opt.rank_tol, opt.n_threads);
  return detail::run_path(model, pp, y, w, offset, opt, cb, w, {});
}

// Cross-validation of the path: fold[i] in 0..K-1 is row i's fold; opt.lambda is the sequence.
inline std::vector<PathResult> cv_path(const Model& model, ConstVectorMap y, ConstVectorMap w,
                                       const Eigen::MatrixXd& offset, const Prior& unit,
                                       const std::vector<int>& fold, int n_folds, const PathOptions& opt,
                                       const Callbacks& cb) {
  if (opt.lambda.empty()) throw std::invalid_argument("cv_path needs the lambda sequence");
  const detail::PathProblem pp =
      detail::reduce_path_problem(model, w, unit, opt.screen, opt.rank_tol, opt.n_threads);
  std::vector<PathResult> out(static_cast<size_t>(n_folds));
  PathOptions one = opt;
  one.n_threads = 1;
  one.max_deviance_ratio = 2;  // every fold covers the whole sequence
  // Interrupts are checked on the calling thread (worker 0); the other
  // folds then stop at their next check, and the interrupt is rethrown here.
  struct Cancelled {};
  std::atomic<bool> cancelled{false};
  std::exception_ptr interrupt;
  std::atomic<int> done{0};
  parallel_for(n_folds, opt.n_threads, [&](long f, int worker) {
    if (cancelled) return;
    Callbacks local;
    local.check_interrupt = [&, worker] {
      if (cancelled) throw Cancelled{};
      if (worker != 0) return;
      try {
        cb.interrupt_point();
      } catch (...) {
        interrupt = std::current_exception();
        cancelled = true;
        throw Cancelled{};
      }
    };
    Eigen::VectorXd wf = w;
    std::vector<char> holdout(static_cast<size_t>(y.size()), 0);
    for (Index i = 0; i < y.size(); ++i)
      if (fold[static_cast<size_t>(i)] == f) {
        wf[i] = 0;
        holdout[static_cast<size_t>(i)] = 1;
      }
    // The penalty of a fold is lambda times its own total weight (the
    // objective is the fold's mean nll plus lambda times the penalty).
    PathOptions fold_opt = one;
    const double ratio = wf.sum() / w.sum();
    for (double& l : fold_opt.lambda) l *= ratio;
    try {
      out[static_cast<size_t>(f)] =
          detail::run_path(model, pp, y, ConstVectorMap(wf.data(), wf.size()), offset, fold_opt, local, w, holdout);
    } catch (const Cancelled&) {
      return;
    }
    ++done;
    if (worker == 0) cb.report(done, n_folds);
  });
  if (interrupt) std::rethrow_exception(interrupt);
  return out;
}

}  // namespace probml
