#pragma once
// Fitting a model by maximum likelihood or, with a prior, maximum a
// posteriori: drop aliased columns (among those the prior leaves flat),
// find starting values, then minimise the nll plus the negative log prior
// (Newton for smooth priors, proximal Newton with coordinate descent for
// priors with an L1 part, the exact check-loss programme for the quantile
// and Laplace locations), and check that the maximum exists. fit_model() reports
// parameters in the model's coefficient layout (model.hpp), with NaN for
// aliased columns. Maximum likelihood is the flat prior: the same code.
#include <limits>
#include <memory>
#include <vector>
#include "../family/family.hpp"
#include "descent.hpp"
#include "lad/lad.hpp"
#include "model.hpp"
#include "newton.hpp"
#include "objective.hpp"
#include "prox_newton.hpp"
#include "rank.hpp"

namespace probml {

struct FitOptions {
  NewtonOptions newton;
  ProxNewtonOptions prox;
  double rank_tol = 1e-7;
  int n_threads = 1;
  bool detect_aliasing = true;
};

struct FitResult {
  Eigen::VectorXd theta;             // full layout in the core, coefficient layout from fit_model()
  std::vector<bool> estimated;       // false for aliased or dropped
  std::vector<bool> aliased;         // true for aliased design columns
  Eigen::VectorXd gradient;          // 0 where not estimated (smooth part of the objective)
  Eigen::MatrixXd hessian;           // observed, of nll + smooth prior, over estimated parameters only
  Eigen::MatrixXd prior_hessian;     // the prior's part of it
  double prior_value = 0;            // the negative log prior's part of value
  Eigen::MatrixXd covariance;        // its inverse (empty if singular), from fit_model()
  bool separation = false;           // the MLE does not exist (Family::boundary_message)
  double value = 0;
  int iterations = 0;
  bool converged = false;
  int safeguarded_steps = 0;
  std::string message;
  Eigen::MatrixXd linear_predictors;  // n x m
  Eigen::MatrixXd mean;               // n x (1 or classes): the family's mean of y
};

// The design is scanned for non-finite values by the caller (R does it
// once); a non-finite design would make the nll non-finite, which Newton refuses.
inline void check_inputs(const Family& family, const ConstVectorMap& y, const ConstVectorMap& w,
                         const ConstMatrixMap& offset) {
  family.check_response(y);
  for (Index i = 0; i < w.size(); ++i)
    if (!(w[i] >= 0) || !std::isfinite(w[i]))
      throw DomainError("weights must be finite and non-negative (" + row_label(i) + ")");
  if (!(w.sum() > 0)) throw DomainError("the weights are all zero: there is nothing to fit");
  if (!offset.allFinite()) throw DomainError("the offset must be finite");
}

// Every k-th chunk of rows for the warm start: about 1/20 of the data but
// never fewer than 20 chunks; none below 80 chunks.
inline Index warm_start_stride(Index n_chunks) {
  const Index k = std::min<Index>(20, n_chunks / 20);
  return k >= 4 ? k : 1;
}

// All coefficients zero but the intercept, set to the weighted mean of the
// family's working response; aux from the family's own start.
inline Eigen::VectorXd simple_start(const Family& family, const Objective& obj,
                                    const Design& X, const ConstVectorMap& y,
                                    const ConstVectorMap& w, const ConstMatrixMap& offset,
                                    int intercept_col) {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(obj.n_params());
  if (intercept_col >= 0 && intercept_col < X.cols()) {
    double num = 0;
    for (Index i = 0; i < y.size(); ++i) num += w[i] * (family.start_eta(0, y[i], 0.0) - offset(i, 0));
    const double level = num / w.sum();
    if (std::isfinite(level)) theta[obj.beta_start(0) + intercept_col] = level;
  }
  const Eigen::MatrixXd U = obj.linear_predictors(theta);
  theta.tail(family.n_aux()) = family.start_aux(U, y, w);
  return theta;
}

// A working-response start can put a mean outside its space (a negative
// mean under an identity link, a probability above 1 under the log link),
// where the nll is +Inf. The intercept-only start averages feasible working
// responses, so it lies inside wherever that space is convex in eta: move
// from theta toward it until the nll is finite.
inline Eigen::VectorXd feasible_start(const Family& family, const Objective& obj, const Design& X0,
                                      const ConstVectorMap& y, const ConstVectorMap& w,
                                      const ConstMatrixMap& offset, int intercept_col, const Eigen::VectorXd& theta) {
  const Eigen::VectorXd inside = simple_start(family, obj, X0, y, w, offset, intercept_col);
  const Index p = theta.size() - family.n_aux();
  Eigen::VectorXd cand = inside;
  double t = 0.5;
  for (int k = 0; k < 20; ++k, t *= 0.5) {
    cand.head(p) = inside.head(p) + t * (theta.head(p) - inside.head(p));
    cand.tail(family.n_aux()) = family.start_aux(obj.linear_predictors(cand), y, w);
    if (std::isfinite(obj.value(cand))) return cand;
  }
  return inside;
}

inline bool heads_to_infinity(const Objective& obj, const NewtonResult& nr, const std::vector<bool>& free,
                              const ConstVectorMap& y, const ConstVectorMap& w, const FitResult& res);

// The intercept's position among the kept columns of design 0, or -1.
inline int intercept_col_in(const std::vector<int>& kept_cols, int intercept_col) {
  for (size_t c = 0; c < kept_cols.size(); ++c)
    if (kept_cols[c] == intercept_col) return static_cast<int>(c);
  return -1;
}

// The MAP location of a check-loss likelihood (Laplace, quantile) under a
// Laplace prior, exactly: for a fixed scale the location minimises
// sum_i w_i rho_tau(r_i) + c sum_k l1_k |beta_k| with c =
// location_check_scale(aux), a check-loss programme with two extra rows per
// penalised coefficient (x = +e_k and -e_k, y = 0, weight c l1_k: since
// rho_tau(b) + rho_tau(-b) = |b|); the scale is then its ML value given the
// location, and the two alternate until it settles. Each step lowers the
// objective, which is convex in the location for a fixed scale.
inline Eigen::VectorXd lad_map_location(const Family& family, const Objective& obj, const Design& X0,
                                        const ConstVectorMap& y, const ConstVectorMap& w,
                                        const ConstMatrixMap& offset, const Prior& prior,
                                        Eigen::VectorXd theta, const Callbacks& callbacks) {
  const int p0 = static_cast<int>(X0.cols()), q = family.n_aux();
  for (int k = 0; k < obj.n_params(); ++k) {
    const PriorTerm& t = prior.term(k);
    if (k >= p0 && !t.flat()) throw DomainError("the " + family.label() + " likelihood takes no prior on its scale");
    if (t.l2 != 0 || t.has_t() || prior.has_combination())
      throw DomainError("the " + family.label() + " likelihood's location takes a flat or a Laplace (L1) prior, solved "
                        "exactly as a linear programme; for a smooth prior on a robust location use the Huber likelihood");
  }
  std::vector<int> pen;
  for (int k = 0; k < p0; ++k)
    if (prior.l1(k) > 0) pen.push_back(k);
  const Index n = y.size(), np = static_cast<Index>(pen.size()), na = n + 2 * np;
  Eigen::MatrixXd Xa = Eigen::MatrixXd::Zero(na, p0);
  Xa.topRows(n) = X0.dense();
  Eigen::VectorXd ya = Eigen::VectorXd::Zero(na), wa(na), oa = Eigen::VectorXd::Zero(na);
  ya.head(n) = y;
  wa.head(n) = w;
  oa.head(n) = offset.col(0);
  for (Index r = 0; r < np; ++r) {
    Xa(n + 2 * r, pen[static_cast<size_t>(r)]) = 1.0;
    Xa(n + 2 * r + 1, pen[static_cast<size_t>(r)]) = -1.0;
  }
  const double tau = family.location_quantile();
  Eigen::VectorXd abs_col(p0);  // sum_i w_i |x_ik|: how far the loss moves with beta_k
  for (int k = 0; k < p0; ++k) abs_col[k] = (w.array() * Xa.col(k).head(n).array().abs()).sum();
  double b = std::exp(theta[p0]);
  for (int it = 0; it < 200; ++it) {
    callbacks.interrupt_point();
    const double c = family.location_check_scale(theta.tail(q));
    for (Index r = 0; r < np; ++r)
      wa[n + 2 * r] = wa[n + 2 * r + 1] = c * prior.l1(pen[static_cast<size_t>(r)]);
    QuantileFitResult lad = quantile_fit(Xa, ya, wa, oa, tau, 1e-12, 500, callbacks.check_interrupt);
    // A vertex that interpolates a coefficient's penalty rows has it at 0;
    // the least-squares polish of a degenerate vertex (both rows +e_k and
    // -e_k interpolated) can leave rounding there (1e-30), which is zero.
    for (int k : pen) {
      const double moves = std::abs(lad.beta[k]) * (abs_col[k] + 2.0 * c * prior.l1(k));
      if (moves <= 1e-13 * lad.loss) lad.beta[k] = 0.0;
    }
    theta.head(p0) = lad.beta;
    const Eigen::MatrixXd U = obj.linear_predictors(theta);
    theta.tail(q) = family.start_aux(U, y, w);
    const double b_new = std::exp(theta[p0]);
    const bool settled = std::abs(b_new - b) <= 1e-13 * b;
    b = b_new;
    if (settled) break;
  }
  return theta;
}

// The rest of a fit with an L1 prior: proximal Newton from theta (reduced
// layout), then the smooth part's gradient and Hessian at the mode.
inline FitResult finish_l1_fit(const Objective& obj, const Prior& prior, const Eigen::VectorXd& theta,
                               const std::vector<bool>& free, const std::vector<int>& kept, int P,
                               const FitOptions& opt, const Callbacks& callbacks, FitResult res) {
  const int Pr = obj.n_params();
  const ProxNewton solver(obj, prior, free);
  ProxState st = solver.state(theta);
  std::vector<bool> active(static_cast<size_t>(Pr), false);
  const ProxNewtonResult pr = solver.solve(st, active, opt.prox, callbacks);
  const Eigen::VectorXd g = solver.gradient(st);
  Evaluation e = obj.evaluate(st.theta, 2, Curvature::observed);
  prior.add_hessian(st.theta, e.hessian);
  res.theta = Eigen::VectorXd::Constant(P, std::numeric_limits<double>::quiet_NaN());
  res.gradient = Eigen::VectorXd::Zero(P);
  for (int r = 0; r < Pr; ++r) {
    res.theta[kept[r]] = st.theta[r];
    res.gradient[kept[r]] = free[r] ? g[r] : 0.0;
  }
  res.hessian = e.hessian;
  res.prior_hessian = prior.hessian(st.theta);
  res.prior_value = st.prior_value;
  res.value = st.value();
  res.iterations = pr.iterations;
  res.converged = pr.converged;
  res.message = pr.message;
  res.linear_predictors = st.U;
  res.mean = obj.means(st.U, st.theta);
  return res;
}

// The fit in the full layout (model.hpp): every design column, then aux.
inline FitResult fit_full_layout(const Family& family, const std::vector<Design>& designs,
                                 ConstVectorMap y, ConstVectorMap w, ConstMatrixMap offset,
                                 const Eigen::VectorXd& start_full, const std::vector<bool>& fixed_full,
                                 int intercept_col, int absorbed, const Prior& prior_full, const FitOptions& opt,
                                 const Callbacks& callbacks) {
  check_inputs(family, y, w, offset);
  const int m = family.n_linear(), q = family.n_aux();
  // Smooth priors go into the objective Newton minimises; an L1 prior stays
  // with the proximal Newton solver, which needs the objective without it.
  const bool l1 = prior_full.has_l1();
  const Prior& newton_prior = l1 ? Prior() : prior_full;
  const Objective full(family, designs, y, w, offset, opt.n_threads, 1, newton_prior);
  const int P = full.n_params();
  if (prior_full.size() != 0 && prior_full.size() != P) throw std::invalid_argument("the prior does not match the model");
  // Columns the prior leaves flat; only these can be aliased (a proper
  // prior term keeps every direction that involves its parameter proper).
  std::vector<bool> flat(P, true);
  if (prior_full.size())
    for (int k = 0; k < P; ++k)
      flat[k] = prior_full.term(k).flat() && !(prior_full.has_combination() && prior_full.combination()[k] != 0);
  FitResult res;
  res.aliased.assign(P, false);
  res.estimated.assign(P, true);

  // 1. Aliased columns, and the intercept that cut-points absorb. Where the
  // curvature is positive the Hessian at a simple start (all zero but the
  // intercept) screens the design as well as X'WX does, and is the first
  // Newton evaluation too: one pass over the data instead of two.
  //
  // On large data the screen and the starting values come from a systematic
  // subsample (every k-th chunk of rows): exact aliasing in the full design
  // is exact aliasing in any subset of its rows, and near-aliasing that the
  // subsample cannot rule out sends the decision to the exact QR on all rows.
  const bool have_start = start_full.size() == P;
  // Families whose observed curvature can vanish but whose expected
  // information is positive (GLM links other than the canonical ones)
  // screen with the expected information instead.
  const bool observed_screen = family.positive_curvature();
  const bool quick = !have_start && opt.detect_aliasing && !l1 &&
                     (observed_screen || family.positive_expected_curvature());
  const Index stride = quick ? warm_start_stride(full.n_chunks()) : 1;
  std::unique_ptr<Objective> sub;
  Evaluation first;
  Eigen::VectorXd quick_theta;
  std::vector<Eigen::MatrixXd> grams(m);
  if (quick) {
    quick_theta = simple_start(family, full, designs[0], y, w, offset, intercept_col);
    if (stride > 1)
      sub = std::make_unique<Objective>(family, designs, y, w, offset, opt.n_threads, stride,
                                        newton_prior.weighted(1.0 / static_cast<double>(stride)));
    first = (sub ? *sub : full).evaluate(quick_theta, 2, observed_screen ? Curvature::observed : Curvature::expected);
  }
  for (int j = 0; j < m; ++j) {
    const Index pj = designs[j].cols();
    grams[j] = quick ? Eigen::MatrixXd(first.hessian.block(full.beta_start(j), full.beta_start(j), pj, pj))
                     : full.gram(j);
    if (!opt.detect_aliasing) continue;
    std::vector<int> flat_cols;
    for (Index c = 0; c < pj; ++c)
      if (flat[full.beta_start(j) + c]) flat_cols.push_back(static_cast<int>(c));
    if (flat_cols.empty()) continue;
    Eigen::MatrixXd G(flat_cols.size(), flat_cols.size());
    for (size_t a = 0; a < flat_cols.size(); ++a)
      for (size_t b = 0; b < flat_cols.size(); ++b) G(a, b) = grams[j](flat_cols[a], flat_cols[b]);
    const std::vector<bool> al = aliased_columns(designs[j].select(flat_cols), w, G, opt.rank_tol);
    for (size_t a = 0; a < flat_cols.size(); ++a)
      if (al[a]) {
        res.aliased[full.beta_start(j) + flat_cols[a]] = true;
        res.estimated[full.beta_start(j) + flat_cols[a]] = false;
      }
  }
  if (absorbed >= 0) {
    res.aliased[absorbed] = false;
    res.estimated[absorbed] = false;
  }

  // 2. The reduced problem over estimated parameters.
  std::vector<int> kept;
  for (int k = 0; k < P; ++k)
    if (res.estimated[k]) kept.push_back(k);
  std::vector<Design> reduced;
  std::vector<std::vector<int>> kept_cols(m);
  for (int j = 0; j < m; ++j) {
    for (Index c = 0; c < designs[j].cols(); ++c)
      if (res.estimated[full.beta_start(j) + c]) kept_cols[j].push_back(static_cast<int>(c));
    reduced.push_back(designs[j].select(kept_cols[j]));
  }
  const Prior prior = prior_full.size() ? prior_full.select(kept) : Prior();
  const Objective obj(family, reduced, y, w, offset, opt.n_threads, 1, l1 ? Prior() : prior);
  const int Pr = obj.n_params();

  // 3. Starting values: given, the simple start, or weighted least squares
  // on working responses.
  Eigen::VectorXd theta(Pr);
  if (l1 && !have_start) {
    // Every penalised coefficient at zero: the path's starting point.
    theta = simple_start(family, obj, reduced[0], y, w, offset, intercept_col_in(kept_cols[0], intercept_col));
  } else if (have_start || quick) {
    const Eigen::VectorXd& from = have_start ? start_full : quick_theta;
    for (int r = 0; r < Pr; ++r) theta[r] = from[kept[r]];
  } else {
    Eigen::MatrixXd U0 = Eigen::MatrixXd::Zero(y.size(), m);
    Eigen::VectorXd z(y.size());
    for (int j = 0; j < m; ++j) {
      const auto& X = reduced[j];
      auto beta = theta.segment(obj.beta_start(j), X.cols());
      beta.setZero();
      for (Index i = 0; i < y.size(); ++i) z[i] = family.start_eta(j, y[i], U0(i, 0)) - offset(i, j);
      if (X.cols() > 0 && z.allFinite()) {
        Eigen::MatrixXd G(X.cols(), X.cols());
        for (size_t a = 0; a < kept_cols[j].size(); ++a)
          for (size_t b = 0; b < kept_cols[j].size(); ++b) G(a, b) = grams[j](kept_cols[j][a], kept_cols[j][b]);
        Eigen::LDLT<Eigen::MatrixXd> ldlt(G);
        Eigen::VectorXd sol = ldlt.solve(X.transpose_times((w.array() * z.array()).matrix()));
        if (sol.allFinite()) beta = sol;
      }
      U0.col(j) = offset.col(j);
      X.multiply_add(0, y.size(), beta, U0.col(j));
    }
    if (family.location_is_lad() && reduced[0].cols() > 0) {
      const Eigen::MatrixXd X = reduced[0].dense();
      const QuantileFitResult lad =
          quantile_fit(X, y, w, offset.col(0), family.location_quantile(), 1e-12, 500, callbacks.check_interrupt);
      theta.segment(0, X.cols()) = lad.beta;
      U0.col(0) = offset.col(0) + X * lad.beta;
    }
    theta.tail(q) = family.start_aux(U0, y, w);
  }

  std::vector<bool> free(Pr, true);
  if (static_cast<int>(fixed_full.size()) == P)
    for (int r = 0; r < Pr; ++r) free[r] = !fixed_full[kept[r]];

  // 4. Minimise. The LAD location is exact, so only the scale is left to Newton.
  if (family.location_is_lad() && !prior.flat()) {
    theta = lad_map_location(family, obj, reduced[0], y, w, offset, prior, theta, callbacks);
    std::fill(free.begin(), free.end(), false);
  } else if (family.location_is_lad()) {
    const int p0 = static_cast<int>(reduced[0].cols());
    std::vector<int> free_cols;
    for (int c = 0; c < p0; ++c)
      if (free[c]) free_cols.push_back(c);
    if (have_start && !free_cols.empty()) {
      std::vector<int> fixed_cols;
      Eigen::VectorXd fixed_beta;
      for (int c = 0; c < p0; ++c)
        if (!free[c]) fixed_cols.push_back(c);
      fixed_beta.resize(fixed_cols.size());
      for (size_t c = 0; c < fixed_cols.size(); ++c) fixed_beta[c] = theta[fixed_cols[c]];
      Eigen::VectorXd off = offset.col(0);
      reduced[0].select(fixed_cols).multiply_add(0, y.size(), fixed_beta, off);
      const Eigen::MatrixXd Xf = reduced[0].select(free_cols).dense();
      const QuantileFitResult lad =
          quantile_fit(Xf, y, w, off, family.location_quantile(), 1e-12, 500, callbacks.check_interrupt);
      for (size_t c = 0; c < free_cols.size(); ++c) theta[free_cols[c]] = lad.beta[c];
    }
    for (int c = 0; c < p0; ++c) free[c] = false;
    if (free[Pr - 1]) {
      const Eigen::MatrixXd U = obj.linear_predictors(theta);
      theta.tail(q) = family.start_aux(U, y, w);
    }
    std::fill(free.begin(), free.end(), false);
  }
  if (l1 && !family.location_is_lad()) return finish_l1_fit(obj, prior, theta, free, kept, P, opt, callbacks, std::move(res));
  bool reuse_first = quick && observed_screen && Pr == P && !sub;
  if (quick && Pr == P && sub) {
    // Converge loosely on the subsample; its estimate is within sampling
    // error of the full one, so a few full Newton steps remain.
    NewtonOptions loose = opt.newton;
    loose.tol = 1e-8;
    try {
      const NewtonResult warm =
          newton_minimize(*sub, theta, free, loose, callbacks, observed_screen ? &first : nullptr);
      if (warm.converged && warm.theta.allFinite()) theta = warm.theta;
    } catch (const std::exception&) {
      // A subsample the model cannot fit (say, one class only) is just a bad start.
    }
  }
  Evaluation start_eval;
  if (!reuse_first) {
    start_eval = obj.evaluate(theta, 2, Curvature::observed);
    if (!std::isfinite(start_eval.value) && !have_start && !family.location_is_lad()) {
      theta = feasible_start(family, obj, reduced[0], y, w, offset, intercept_col_in(kept_cols[0], intercept_col),
                             theta);
      start_eval = obj.evaluate(theta, 2, Curvature::observed);
    }
  }
  NewtonResult nr = newton_minimize(obj, theta, free, opt.newton, callbacks, reuse_first ? &first : &start_eval);

  // 5. Back to the full layout.
  res.theta = Eigen::VectorXd::Constant(P, std::numeric_limits<double>::quiet_NaN());
  res.gradient = Eigen::VectorXd::Zero(P);
  for (int r = 0; r < Pr; ++r) {
    res.theta[kept[r]] = nr.theta[r];
    res.gradient[kept[r]] = free[r] ? nr.eval.gradient[r] : 0.0;
  }
  res.hessian = nr.eval.hessian;
  res.prior_hessian = prior.hessian(nr.theta);
  res.prior_value = l1 ? prior.value(nr.theta) : nr.eval.prior_value;  // LAD: the L1 prior is outside obj
  res.value = nr.eval.value + (l1 ? res.prior_value : 0.0);
  res.iterations = nr.iterations;
  res.converged = nr.converged;
  res.safeguarded_steps = nr.safeguarded_steps;
  res.message = nr.message;
  res.linear_predictors = obj.linear_predictors(nr.theta);
  res.mean = obj.means(res.linear_predictors, nr.theta);
  res.separation = heads_to_infinity(obj, nr, free, y, w, res);
  return res;
}

// Does the MLE fail to exist? Where it does not, Newton's method heads off
// to infinity along a direction in which the likelihood keeps improving: at
// the returned estimate the gradient is tiny, but the Newton step that
// would still be taken moves some linear predictor a long way (at a true
// maximum that step is negligible), and the fit gives some observed value
// a probability numerically 1. Both are required.
inline bool heads_to_infinity(const Objective& obj, const NewtonResult& nr, const std::vector<bool>& free,
                              const ConstVectorMap& y, const ConstVectorMap& w, const FitResult& res) {
  const Family& family = obj.family();
  bool at_boundary = false;
  for (Index i = 0; i < y.size() && !at_boundary; ++i)
    at_boundary = w[i] > 0 && family.probability_of_observed(res.mean.row(i), y[i]) > 1 - 1e-8;
  if (!at_boundary) return false;
  std::vector<Index> idx;
  for (Index k = 0; k < static_cast<Index>(free.size()); ++k)
    if (free[static_cast<size_t>(k)]) idx.push_back(k);
  if (idx.empty()) return false;
  Eigen::VectorXd g(idx.size());
  Eigen::MatrixXd H(idx.size(), idx.size());
  for (size_t a = 0; a < idx.size(); ++a) {
    g[static_cast<Index>(a)] = nr.eval.gradient[idx[a]];
    for (size_t b = 0; b < idx.size(); ++b) H(static_cast<Index>(a), static_cast<Index>(b)) = nr.eval.hessian(idx[a], idx[b]);
  }
  bool safeguarded = false;
  const Eigen::VectorXd d = descent_direction(H, g, safeguarded);
  Eigen::VectorXd step = nr.theta;
  for (size_t a = 0; a < idx.size(); ++a) step[idx[a]] += d[static_cast<Index>(a)];
  const Eigen::MatrixXd moved = obj.linear_predictors(step) - res.linear_predictors;
  double largest = 0;
  for (Index i = 0; i < y.size(); ++i)
    if (w[i] > 0) largest = std::max(largest, moved.row(i).cwiseAbs().maxCoeff());
  return !(largest <= 1e-2);
}

// Inverse of an observed information over the estimated parameters, by
// Cholesky; empty when it is not positive definite.
inline Eigen::MatrixXd invert_information(const Eigen::MatrixXd& H) {
  if (H.rows() == 0) return H;
  const Eigen::LLT<Eigen::MatrixXd> llt(H);
  if (llt.info() != Eigen::Success) return Eigen::MatrixXd();
  Eigen::MatrixXd V = llt.solve(Eigen::MatrixXd::Identity(H.rows(), H.cols()));
  if (!V.allFinite()) return Eigen::MatrixXd();
  return 0.5 * (V + V.transpose());
}

// Per-parameter factors of the full layout for designs whose columns are
// scaled (Design::scaled): theta_internal = theta / factor. Empty if none.
inline Eigen::VectorXd layout_scales(const Model& model) {
  Eigen::VectorXd f = Eigen::VectorXd::Ones(model.n_full());
  bool any = false;
  int pos = 0;
  for (const auto& X : model.designs())
    for (Index k = 0; k < X.cols(); ++k, ++pos) {
      f[pos] = X.scale(k);
      any |= f[pos] != 1.0;
    }
  return any ? f : Eigen::VectorXd();
}

// A prior over the coefficient layout, in the full layout (a flat term at
// the absorbed intercept) of the internal parameters (scales: as
// layout_scales()). An empty prior is flat.
inline Prior prior_in_full_layout(const Model& model, const Prior& prior, const Eigen::VectorXd& scales) {
  if (prior.size() == 0) return Prior();
  if (prior.size() != model.n_coef())
    throw DomainError("the prior has " + std::to_string(prior.size()) + " terms but the model has " +
                      std::to_string(model.n_coef()) + " coefficients");
  std::vector<PriorTerm> terms;
  for (int k = 0; k < prior.size(); ++k) {
    if (k == model.absorbed()) terms.emplace_back();
    terms.push_back(prior.term(k));
  }
  if (model.absorbed() == prior.size()) terms.emplace_back();
  Prior out = prior.has_combination()
                  ? Prior(terms, model.to_full(prior.combination(), 0.0), prior.combination_term())
                  : Prior(terms);
  out = out.weighted(prior.weight());
  return scales.size() ? out.rescaled(scales) : out;
}

// The fit of a model, in its coefficient layout. `start` and `fixed` are
// empty or in the coefficient layout, and so is `prior` (empty: flat,
// maximum likelihood); `offset` is n x (linear predictors).
inline FitResult fit_model(const Model& model, ConstVectorMap y, ConstVectorMap w, const Eigen::MatrixXd& offset,
                           const Eigen::VectorXd& start, const std::vector<bool>& fixed, const Prior& prior,
                           const FitOptions& opt, const Callbacks& callbacks) {
  const Eigen::VectorXd scales = layout_scales(model);
  Eigen::VectorXd start_full;
  if (start.size() == model.n_coef()) {
    start_full = model.to_full(start, 0.0);
    if (scales.size()) start_full = start_full.cwiseQuotient(scales);
  }
  const std::vector<bool> fixed_full =
      static_cast<int>(fixed.size()) == model.n_coef() ? model.to_full(fixed, false) : std::vector<bool>();
  const ConstMatrixMap off(offset.data(), offset.rows(), offset.cols());
  FitResult r = fit_full_layout(model.family(), model.designs(), y, w, off, start_full, fixed_full,
                                model.intercept_col(), model.absorbed(), prior_in_full_layout(model, prior, scales),
                                opt, callbacks);
  r.covariance = invert_information(r.hessian);
  if (scales.size()) {
    // Back to the caller's scale: theta = factor theta_internal, the
    // gradient and the information divide by the factors, the covariance
    // multiplies by them (computed internally, where nothing overflows).
    Eigen::VectorXd est_scales(r.hessian.rows());
    for (int k = 0, e = 0; k < model.n_full(); ++k)
      if (r.estimated[static_cast<size_t>(k)]) est_scales[e++] = scales[k];
    r.theta = r.theta.cwiseProduct(scales);
    r.gradient = r.gradient.cwiseQuotient(scales);
    r.hessian = est_scales.cwiseInverse().asDiagonal() * r.hessian * est_scales.cwiseInverse().asDiagonal();
    if (r.prior_hessian.size())
      r.prior_hessian = est_scales.cwiseInverse().asDiagonal() * r.prior_hessian * est_scales.cwiseInverse().asDiagonal();
    if (r.covariance.size()) r.covariance = est_scales.asDiagonal() * r.covariance * est_scales.asDiagonal();
  }
  r.theta = model.to_coef(r.theta);
  r.gradient = model.to_coef(r.gradient);
  r.estimated = model.to_coef(r.estimated);
  r.aliased = model.to_coef(r.aliased);
  return r;
}

// The objective at given coefficients (coefficient layout, NaN for those not
// estimated), with the prior if one is given: its value and, by order,
// gradient and Hessian (observed or expected; of the smooth part) over the
// estimated ones, with the inverse of the Hessian.
struct ModelEvaluation {
  double value = 0;
  double prior_value = 0;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
  Eigen::MatrixXd covariance;
};

inline ModelEvaluation evaluate_model(const Model& model, ConstVectorMap y, ConstVectorMap w,
                                      const Eigen::MatrixXd& offset, const Eigen::VectorXd& theta, int order,
                                      Curvature curvature, int n_threads, const Prior& prior = Prior()) {
  const Family& family = model.family();
  family.check_response(y);
  const Eigen::VectorXd full = model.to_full(theta, std::numeric_limits<double>::quiet_NaN());
  const Eigen::VectorXd scales = layout_scales(model);
  std::vector<Design> reduced;
  std::vector<double> kept_values, kept_scales;
  std::vector<int> kept;
  int pos = 0;
  for (const auto& X : model.designs()) {
    std::vector<int> cols;
    for (Index k = 0; k < X.cols(); ++k, ++pos)
      if (std::isfinite(full[pos])) {
        cols.push_back(static_cast<int>(k));
        kept.push_back(pos);
        kept_scales.push_back(scales.size() ? scales[pos] : 1.0);
        kept_values.push_back(full[pos] / kept_scales.back());
      }
    reduced.push_back(X.select(cols));
  }
  for (int a = 0; a < family.n_aux(); ++a, ++pos) {
    if (!std::isfinite(full[pos])) throw DomainError("the auxiliary parameters must be finite");
    kept_values.push_back(full[pos]);
    kept_scales.push_back(1.0);
    kept.push_back(pos);
  }
  const Eigen::Map<const Eigen::VectorXd> th(kept_values.data(), static_cast<Index>(kept_values.size()));
  const Eigen::Map<const Eigen::VectorXd> sc(kept_scales.data(), static_cast<Index>(kept_scales.size()));
  const ConstMatrixMap off(offset.data(), offset.rows(), offset.cols());
  const Prior full_prior = prior_in_full_layout(model, prior, Eigen::VectorXd());
  const Objective obj(family, reduced, y, w, off, n_threads, 1,
                      full_prior.size() ? full_prior.select(kept).rescaled(sc) : Prior());
  if (!family.aux_feasible(obj.aux(th))) throw DomainError("the auxiliary parameters are outside their space");
  const Evaluation e = obj.evaluate(th, order, curvature);
  ModelEvaluation out;
  out.value = e.value;
  out.prior_value = e.prior_value;
  if (order >= 1) out.gradient = e.gradient.cwiseQuotient(sc);
  if (order >= 2) {
    const Eigen::MatrixXd V = invert_information(e.hessian);
    out.hessian = sc.cwiseInverse().asDiagonal() * e.hessian * sc.cwiseInverse().asDiagonal();
    if (V.size()) out.covariance = sc.asDiagonal() * V * sc.asDiagonal();
  }
  return out;
}

// Linear predictors (n x m), means (n x mean columns) and variances of y at
// given coefficients (coefficient layout; NaN, aliased, counts as 0).
struct Prediction {
  Eigen::MatrixXd linear_predictors, mean;
  Eigen::VectorXd variance;
};

inline Prediction predict_model(const Model& model, const Eigen::VectorXd& theta, const Eigen::MatrixXd& offset,
                                int n_threads) {
  const Family& family = model.family();
  Eigen::VectorXd full = model.to_full(theta, 0.0);
  for (Index k = 0; k < full.size() - family.n_aux(); ++k)
    if (!std::isfinite(full[k])) full[k] = 0;
  const Eigen::VectorXd aux = full.tail(family.n_aux());
  if (!aux.allFinite() || !family.aux_feasible(aux)) throw DomainError("the auxiliary parameters are outside their space");
  const Index n = model.rows(), block = 4096, n_blocks = (n + block - 1) / block;
  Prediction out;
  out.linear_predictors = offset;
  out.mean.resize(n, family.n_mean_columns());
  out.variance.resize(n);
  parallel_for(n_blocks, n_threads, [&](long b, int) {
    const Index r0 = b * block, len = std::min(n, r0 + block) - r0;
    int pos = 0;
    for (int j = 0; j < family.n_linear(); ++j) {
      const Design& X = model.designs()[static_cast<size_t>(j)];
      X.multiply_add(r0, len, full.segment(pos, X.cols()), out.linear_predictors.col(j).segment(r0, len));
      pos += static_cast<int>(X.cols());
    }
    const auto U = out.linear_predictors.middleRows(r0, len);
    family.mean(U, aux, out.mean.middleRows(r0, len));
    family.variance(U, aux, out.variance.segment(r0, len));
  });
  return out;
}

}  // namespace probml
