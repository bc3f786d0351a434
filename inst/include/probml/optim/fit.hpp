#pragma once
// Fitting a model by maximum likelihood: drop aliased columns, find starting
// values, then minimise the nll (Newton, or the exact LAD programme for the
// Laplace location). Parameters are reported in the "full" layout
// (every design column, then aux), with NaN for aliased or dropped columns.
#include <limits>
#include <memory>
#include <vector>
#include "../family/family.hpp"
#include "lad.hpp"
#include "newton.hpp"
#include "objective.hpp"
#include "rank.hpp"

namespace probml {

struct FitOptions {
  NewtonOptions newton;
  double rank_tol = 1e-7;
  int n_threads = 1;
  bool detect_aliasing = true;
  int intercept_col = -1;  // column of design 0 holding the intercept, or -1
};

struct FitResult {
  Eigen::VectorXd theta;             // full layout
  std::vector<bool> estimated;       // full layout: false for aliased or dropped
  std::vector<bool> aliased;         // full layout: true for aliased design columns
  Eigen::VectorXd gradient;          // full layout (0 where not estimated)
  Eigen::MatrixXd hessian;           // observed, over estimated parameters only
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
      throw std::invalid_argument("weights must be finite and non-negative (" + row_label(i) + ")");
  if (!(w.sum() > 0)) throw std::invalid_argument("weights must not all be zero");
  if (!offset.allFinite()) throw std::invalid_argument("offset must be finite");
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

inline FitResult fit_model(const Family& family, const std::vector<Design>& designs,
                           ConstVectorMap y, ConstVectorMap w, ConstMatrixMap offset,
                           const Eigen::VectorXd& start_full, const std::vector<bool>& fixed_full,
                           const FitOptions& opt, const Callbacks& callbacks) {
  check_inputs(family, y, w, offset);
  const int m = family.n_linear(), q = family.n_aux();
  const Objective full(family, designs, y, w, offset, opt.n_threads);
  const int P = full.n_params();
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
  const bool quick = !have_start && opt.detect_aliasing && family.positive_curvature();
  const Index stride = quick ? warm_start_stride(full.n_chunks()) : 1;
  std::unique_ptr<Objective> sub;
  Evaluation first;
  Eigen::VectorXd quick_theta;
  std::vector<Eigen::MatrixXd> grams(m);
  if (quick) {
    quick_theta = simple_start(family, full, designs[0], y, w, offset, opt.intercept_col);
    if (stride > 1) sub = std::make_unique<Objective>(family, designs, y, w, offset, opt.n_threads, stride);
    first = (sub ? *sub : full).evaluate(quick_theta, 2, Curvature::observed);
  }
  for (int j = 0; j < m; ++j) {
    const Index pj = designs[j].cols();
    grams[j] = quick ? Eigen::MatrixXd(first.hessian.block(full.beta_start(j), full.beta_start(j), pj, pj))
                     : full.gram(j);
    if (!opt.detect_aliasing) continue;
    const std::vector<bool> al = aliased_columns(designs[j], w, grams[j], opt.rank_tol);
    for (Index c = 0; c < pj; ++c)
      if (al[c]) {
        res.aliased[full.beta_start(j) + c] = true;
        res.estimated[full.beta_start(j) + c] = false;
      }
  }
  if (family.absorbs_intercept() && opt.intercept_col >= 0) {
    res.aliased[opt.intercept_col] = false;
    res.estimated[opt.intercept_col] = false;
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
  const Objective obj(family, reduced, y, w, offset, opt.n_threads);
  const int Pr = obj.n_params();

  // 3. Starting values: given, the simple start, or weighted least squares
  // on working responses.
  Eigen::VectorXd theta(Pr);
  if (have_start || quick) {
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
      const LadResult lad = lad_fit(X, y, w, offset.col(0), 1e-12, 500, callbacks.check_interrupt);
      theta.segment(0, X.cols()) = lad.beta;
      U0.col(0) = offset.col(0) + X * lad.beta;
    }
    theta.tail(q) = family.start_aux(U0, y, w);
  }

  std::vector<bool> free(Pr, true);
  if (static_cast<int>(fixed_full.size()) == P)
    for (int r = 0; r < Pr; ++r) free[r] = !fixed_full[kept[r]];

  // 4. Minimise. The LAD location is exact, so only the scale is left to Newton.
  if (family.location_is_lad()) {
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
      const LadResult lad = lad_fit(Xf, y, w, off, 1e-12, 500, callbacks.check_interrupt);
      for (size_t c = 0; c < free_cols.size(); ++c) theta[free_cols[c]] = lad.beta[c];
    }
    for (int c = 0; c < p0; ++c) free[c] = false;
    if (free[Pr - 1]) {
      const Eigen::MatrixXd U = obj.linear_predictors(theta);
      theta.tail(q) = family.start_aux(U, y, w);
    }
    std::fill(free.begin(), free.end(), false);
  }
  bool reuse_first = quick && Pr == P && !sub;
  if (quick && Pr == P && sub) {
    // Converge loosely on the subsample; its estimate is within sampling
    // error of the full one, so a few full Newton steps remain.
    NewtonOptions loose = opt.newton;
    loose.tol = 1e-8;
    try {
      const NewtonResult warm = newton_minimize(*sub, theta, free, loose, callbacks, &first);
      if (warm.converged && warm.theta.allFinite()) theta = warm.theta;
    } catch (const std::runtime_error&) {
      // A subsample the model cannot fit (say, one class only) is just a bad start.
    }
  }
  NewtonResult nr = newton_minimize(obj, theta, free, opt.newton, callbacks, reuse_first ? &first : nullptr);

  // 5. Back to the full layout.
  res.theta = Eigen::VectorXd::Constant(P, std::numeric_limits<double>::quiet_NaN());
  res.gradient = Eigen::VectorXd::Zero(P);
  for (int r = 0; r < Pr; ++r) {
    res.theta[kept[r]] = nr.theta[r];
    res.gradient[kept[r]] = free[r] ? nr.eval.gradient[r] : 0.0;
  }
  res.hessian = nr.eval.hessian;
  res.value = nr.eval.value;
  res.iterations = nr.iterations;
  res.converged = nr.converged;
  res.safeguarded_steps = nr.safeguarded_steps;
  res.message = nr.message;
  res.linear_predictors = obj.linear_predictors(nr.theta);
  res.mean = obj.means(res.linear_predictors, nr.theta);
  return res;
}

}  // namespace probml
