// Rcpp glue for the likelihood core: converts R objects to Eigen maps (no
// copies of the design), calls the core, and converts results back. No
// statistics here; core exceptions become R errors via RcppExports, with
// the core's exception class as the R condition's class.
// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>
#include <probml/family/make_family.hpp>
#include <probml/optim/bootstrap.hpp>
#include <probml/optim/path.hpp>

#include "glue_common.h"
#include "glue_family.h"

using probml_glue::to_spec;

namespace {

// A design is a double matrix, or a list(columns = list(NULL | double vector), n = n):
// the columns of a data frame read in place, NULL standing for the intercept.
probml::Design as_design(SEXP x) {
  if (TYPEOF(x) == REALSXP && Rf_isMatrix(x)) return probml::Design(REAL(x), Rf_nrows(x), Rf_ncols(x));
  if (TYPEOF(x) != VECSXP) Rcpp::stop("internal: a design must be a double matrix or a column list");
  const Rcpp::List spec(x);
  const Rcpp::List columns = spec["columns"];
  const R_xlen_t n = Rcpp::as<R_xlen_t>(spec["n"]);
  std::vector<const double*> pointers;
  for (R_xlen_t k = 0; k < columns.size(); ++k) {
    SEXP col = columns[k];
    if (Rf_isNull(col)) {
      pointers.push_back(nullptr);
      continue;
    }
    if (TYPEOF(col) != REALSXP || Rf_xlength(col) != n) Rcpp::stop("internal: design columns must be double vectors of length n");
    pointers.push_back(REAL(col));
  }
  return probml::Design(std::move(pointers), n);
}

probml::ConstVectorMap as_vmap(const Rcpp::NumericVector& x) {
  return probml::ConstVectorMap(x.begin(), x.size());
}

Rcpp::LogicalVector as_logical(const std::vector<bool>& v) {
  Rcpp::LogicalVector out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i];
  return out;
}

// A model from R: list(family = spec, parts = list(design, ...),
// intercept_col = 0-based or -1, scales = list(numeric(0) | per-column scales)).
// The family and the designs outlive the Model (they are owned here).
struct ModelFromR {
  std::unique_ptr<probml::Family> family;
  std::vector<probml::Design> parts;
  std::unique_ptr<probml::Model> model;

  explicit ModelFromR(const Rcpp::List& m) : family(probml::make_family(to_spec(m["family"]))) {
    const Rcpp::List designs = m["parts"];
    for (R_xlen_t j = 0; j < designs.size(); ++j) parts.push_back(as_design(designs[j]));
    std::vector<std::vector<double>> scales;
    if (m.containsElementNamed("scales")) {
      const Rcpp::List sc = m["scales"];
      for (R_xlen_t j = 0; j < sc.size(); ++j) scales.push_back(Rcpp::as<std::vector<double>>(sc[j]));
    }
    model = std::make_unique<probml::Model>(*family, parts, Rcpp::as<int>(m["intercept_col"]), scales);
  }
};

// A prior from R over the coefficient layout: list(l1, l2, t_df, t_scale,
// combination, combination_term = list(l2, t_df, t_scale)), each numeric of
// one value per coefficient; NULL or list() is flat.
probml::Prior as_prior(SEXP x) {
  if (Rf_isNull(x) || Rf_xlength(x) == 0) return probml::Prior();
  const Rcpp::List p(x);
  const Rcpp::NumericVector l1 = p["l1"], l2 = p["l2"], t_df = p["t_df"], t_scale = p["t_scale"];
  std::vector<probml::PriorTerm> terms(static_cast<size_t>(l1.size()));
  for (R_xlen_t k = 0; k < l1.size(); ++k) terms[k] = {l1[k], l2[k], t_df[k], t_scale[k]};
  if (!p.containsElementNamed("combination") || Rf_isNull(p["combination"])) return probml::Prior(terms);
  const Rcpp::List ct = p["combination_term"];
  const probml::PriorTerm term{0.0, Rcpp::as<double>(ct["l2"]), Rcpp::as<double>(ct["t_df"]),
                               Rcpp::as<double>(ct["t_scale"])};
  return probml::Prior(terms, Rcpp::as<Eigen::VectorXd>(p["combination"]), term);
}

// The offset of the first linear predictor (numeric(0): none) as n x m.
Eigen::MatrixXd offset_matrix(const probml::Model& model, const Rcpp::NumericVector& offset) {
  const probml::ConstVectorMap o(offset.begin(), offset.size());
  return model.offsets(o);
}

// The options of a fit from R: list(max_iter, tol, rank_tol, n_threads).
probml::FitOptions fit_options(const Rcpp::List& control) {
  probml::FitOptions opt;
  opt.newton.max_iter = Rcpp::as<int>(control["max_iter"]);
  opt.newton.tol = Rcpp::as<double>(control["tol"]);
  opt.rank_tol = Rcpp::as<double>(control["rank_tol"]);
  opt.n_threads = Rcpp::as<int>(control["n_threads"]);
  return opt;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector cpp_family_names() {
  Rcpp::CharacterVector out;
  for (const auto& e : probml::family_registry()) out.push_back(e.name);
  return out;
}

// What a family can do: read by R instead of switching on names.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_family_info(Rcpp::List family) {
  const auto f = probml::make_family(to_spec(family));
  std::vector<std::string> prefixes;
  for (int j = 0; j < f->n_linear(); ++j) prefixes.push_back(f->coefficient_prefix(j));
  Rcpp::List info = Rcpp::List::create(
      Rcpp::Named("name") = f->name(), Rcpp::Named("label") = f->label(),
      Rcpp::Named("response") = f->response_kind(), Rcpp::Named("support") = f->support_text(),
      Rcpp::Named("n_linear") = f->n_linear(), Rcpp::Named("n_aux") = f->n_aux(),
      Rcpp::Named("n_formula_parts") = f->n_formula_parts(), Rcpp::Named("n_mean_columns") = f->n_mean_columns(),
      Rcpp::Named("aux_names") = f->aux_names(), Rcpp::Named("linear_predictor_names") = f->linear_predictor_names(),
      Rcpp::Named("coefficient_prefixes") = prefixes, Rcpp::Named("has_expected") = f->has_expected(),
      Rcpp::Named("absorbs_intercept") = f->absorbs_intercept(), Rcpp::Named("accepts_offset") = f->accepts_offset(),
      Rcpp::Named("log_scale_aux") = f->log_scale_aux(), Rcpp::Named("least_squares") = f->least_squares(),
      Rcpp::Named("logits_against_first_class") = f->logits_against_first_class(),
      Rcpp::Named("information") = f->location_is_lad() ? "expected" : "observed",
      Rcpp::Named("boundary_message") = f->boundary_message(), Rcpp::Named("network_head") = f->network_head());
  info.push_back(f->predictive_distribution(), "predictive_distribution");  // create() takes 20 at most
  info.push_back(f->free_dispersion(), "free_dispersion");
  info.push_back(f->max_formula_parts(), "max_formula_parts");
  info.push_back(f->location_quantile(), "location_quantile");  // NaN (NA in R) unless a quantile location
  return info;
}

// The first (1-based) row of y outside the family's support, or NA.
// [[Rcpp::export(rng = false)]]
double cpp_family_first_outside_support(Rcpp::List family, Rcpp::NumericVector y) {
  const auto f = probml::make_family(to_spec(family));
  const Eigen::Index i = f->first_outside_support(as_vmap(y));
  return i < 0 ? NA_REAL : static_cast<double>(i + 1);
}

// One pass over the designs of the formula parts: the first missing or
// infinite value (problem "missing"/"infinite", 1-based part, column and
// row; problem "" if none), and the column scales the fit needs for
// columns of extreme magnitude.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_scan_design(Rcpp::List parts) {
  Rcpp::List scales(parts.size());
  for (R_xlen_t j = 0; j < parts.size(); ++j) {
    const probml::Design X = as_design(parts[j]);
    for (Eigen::Index k = 0; k < X.cols(); ++k) {
      const double* c = X.columns()[static_cast<size_t>(k)];
      if (!c) continue;
      const probml::ConstVectorMap col(c, X.rows());
      if (col.allFinite()) continue;
      for (Eigen::Index i = 0; i < X.rows(); ++i)
        if (!std::isfinite(c[i]))
          return Rcpp::List::create(Rcpp::Named("problem") = std::isnan(c[i]) ? "missing" : "infinite",
                                    Rcpp::Named("part") = j + 1, Rcpp::Named("column") = static_cast<double>(k + 1),
                                    Rcpp::Named("row") = static_cast<double>(i + 1));
    }
    scales[j] = X.extreme_column_scales();
  }
  return Rcpp::List::create(Rcpp::Named("problem") = "", Rcpp::Named("scales") = scales);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_fit(Rcpp::List model, Rcpp::NumericVector y, Rcpp::NumericVector w, Rcpp::NumericVector offset,
                   Rcpp::NumericVector start, Rcpp::LogicalVector fixed, Rcpp::List control,
                   Rcpp::List part_names, SEXP prior) {
  const ModelFromR m(model);
  const probml::FitOptions opt = fit_options(control);
  std::vector<bool> fixed_coef(fixed.size());
  for (R_xlen_t k = 0; k < fixed.size(); ++k) fixed_coef[k] = fixed[k] == TRUE;
  std::vector<std::vector<std::string>> names;
  for (R_xlen_t j = 0; j < part_names.size(); ++j) names.push_back(Rcpp::as<std::vector<std::string>>(part_names[j]));
  const probml::FitResult r =
      probml::fit_model(*m.model, as_vmap(y), as_vmap(w), offset_matrix(*m.model, offset),
                        Rcpp::as<Eigen::VectorXd>(start), fixed_coef, as_prior(prior), opt, probml_glue::r_callbacks());
  Rcpp::NumericVector theta(r.theta.data(), r.theta.data() + r.theta.size());
  theta.names() = m.model->names(names);
  return Rcpp::List::create(
      Rcpp::Named("theta") = theta, Rcpp::Named("estimated") = as_logical(r.estimated),
      Rcpp::Named("aliased") = as_logical(r.aliased), Rcpp::Named("gradient") = r.gradient,
      Rcpp::Named("hessian") = r.hessian, Rcpp::Named("prior_hessian") = r.prior_hessian,
      Rcpp::Named("covariance") = r.covariance, Rcpp::Named("value") = r.value,
      Rcpp::Named("prior_value") = r.prior_value,
      Rcpp::Named("iterations") = r.iterations, Rcpp::Named("converged") = r.converged,
      Rcpp::Named("safeguarded_steps") = r.safeguarded_steps, Rcpp::Named("message") = r.message,
      Rcpp::Named("separation") = r.separation, Rcpp::Named("linear_predictors") = r.linear_predictors,
      Rcpp::Named("mean") = r.mean);
}

// Value, gradient and Hessian (observed or expected) at coefficients in the
// coefficient layout, NaN for those not estimated.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_evaluate(Rcpp::List model, Rcpp::NumericVector y, Rcpp::NumericVector w, Rcpp::NumericVector offset,
                        Rcpp::NumericVector theta, int order, bool expected, int n_threads, SEXP prior) {
  const ModelFromR m(model);
  if (theta.size() != m.model->n_coef()) Rcpp::stop("internal: theta has the wrong length");
  const probml::ModelEvaluation e = probml::evaluate_model(
      *m.model, as_vmap(y), as_vmap(w), offset_matrix(*m.model, offset), Rcpp::as<Eigen::VectorXd>(theta), order,
      expected ? probml::Curvature::expected : probml::Curvature::observed, n_threads, as_prior(prior));
  return Rcpp::List::create(Rcpp::Named("value") = e.value, Rcpp::Named("prior_value") = e.prior_value,
                            Rcpp::Named("gradient") = e.gradient,
                            Rcpp::Named("hessian") = e.hessian, Rcpp::Named("covariance") = e.covariance);
}

// Linear predictors, means (class probabilities) and variances of y.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_predict(Rcpp::List model, Rcpp::NumericVector theta, Rcpp::NumericVector offset, int n_threads) {
  const ModelFromR m(model);
  if (theta.size() != m.model->n_coef()) Rcpp::stop("internal: theta has the wrong length");
  const probml::Prediction p = probml::predict_model(*m.model, Rcpp::as<Eigen::VectorXd>(theta),
                                                     offset_matrix(*m.model, offset), n_threads);
  return Rcpp::List::create(Rcpp::Named("linear_predictors") = p.linear_predictors, Rcpp::Named("mean") = p.mean,
                            Rcpp::Named("variance") = p.variance);
}

// Per-observation nll and its local derivatives (packed second derivatives),
// with the expected information where the family has it.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_family_local(Rcpp::List family, Rcpp::NumericMatrix U, Rcpp::NumericVector y,
                            Rcpp::NumericVector aux, int order) {
  const auto fam = probml::make_family(to_spec(family));
  const Eigen::MatrixXd Ue = Rcpp::as<Eigen::MatrixXd>(U);
  const Eigen::VectorXd a = Rcpp::as<Eigen::VectorXd>(aux);
  if (Ue.cols() != fam->n_linear() || a.size() != fam->n_aux()) Rcpp::stop("internal: wrong number of parameters");
  if (!fam->aux_feasible(a)) throw probml::DomainError("the auxiliary parameters are outside their space");
  fam->check_response(as_vmap(y));
  probml::LocalDerivs ld;
  fam->local(Ue, as_vmap(y), a, order, ld);
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("value") = ld.value);
  if (order >= 1) out["d1"] = ld.d1;
  if (order >= 2) out["d2"] = ld.d2;
  if (order >= 2 && fam->has_expected()) {
    Eigen::MatrixXd info;
    fam->local_expected(Ue, a, info);
    out["expected"] = info;
  }
  return out;
}

// Per-observation nll of the saturated model (the mean moved onto y).
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_family_saturated(Rcpp::List family, Rcpp::NumericMatrix U, Rcpp::NumericVector y,
                                     Rcpp::NumericVector aux) {
  const auto fam = probml::make_family(to_spec(family));
  const Eigen::MatrixXd Ue = Rcpp::as<Eigen::MatrixXd>(U);
  Eigen::VectorXd out(Ue.rows());
  fam->saturated_nll(Ue, as_vmap(y), Rcpp::as<Eigen::VectorXd>(aux), out);
  return out;
}

// Mean (or class probabilities) and variance of y given the local parameters,
// glm's dispersion and the predictive distribution's shape.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_family_moments(Rcpp::List family, Rcpp::NumericMatrix U, Rcpp::NumericVector aux) {
  const auto fam = probml::make_family(to_spec(family));
  const Eigen::MatrixXd Ue = Rcpp::as<Eigen::MatrixXd>(U);
  const Eigen::VectorXd a = Rcpp::as<Eigen::VectorXd>(aux);
  Eigen::MatrixXd mean(Ue.rows(), fam->n_mean_columns());
  Eigen::VectorXd variance(Ue.rows());
  fam->mean(Ue, a, mean);
  fam->variance(Ue, a, variance);
  return Rcpp::List::create(Rcpp::Named("mean") = mean, Rcpp::Named("variance") = variance,
                            Rcpp::Named("dispersion") = fam->deviance_dispersion(a),
                            Rcpp::Named("shape") = fam->predictive_shape(a));
}

namespace {

probml::PathOptions path_options(const Rcpp::List& control, const Rcpp::NumericVector& lambda,
                                 const Rcpp::NumericVector& screen) {
  probml::PathOptions opt;
  opt.lambda = Rcpp::as<std::vector<double>>(lambda);
  opt.n_lambda = Rcpp::as<int>(control["n_lambda"]);
  opt.lambda_min_ratio = Rcpp::as<double>(control["lambda_min_ratio"]);
  opt.max_deviance_ratio = Rcpp::as<double>(control["max_deviance_ratio"]);
  opt.rank_tol = Rcpp::as<double>(control["rank_tol"]);
  opt.n_threads = Rcpp::as<int>(control["n_threads"]);
  opt.prox.max_iter = Rcpp::as<int>(control["max_iter"]);
  const double tol = Rcpp::as<double>(control["tol"]);
  if (!std::isnan(tol)) opt.prox.tol = tol;  // NA: the core's default
  opt.screen = Rcpp::as<Eigen::VectorXd>(screen);
  return opt;
}

Rcpp::List path_list(const probml::PathResult& r) {
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("lambda") = r.lambda, Rcpp::Named("coefficients") = r.coefficients,
      Rcpp::Named("nll") = r.nll, Rcpp::Named("prior_value") = r.prior_value,
      Rcpp::Named("deviance_ratio") = r.deviance_ratio, Rcpp::Named("iterations") = r.iterations,
      Rcpp::Named("n_nonzero") = r.n_nonzero, Rcpp::Named("converged") = as_logical(r.converged),
      Rcpp::Named("aliased") = as_logical(r.aliased), Rcpp::Named("null_deviance") = r.null_deviance,
      Rcpp::Named("stop_reason") = r.stop_reason);
  if (!r.holdout.empty()) {
    const size_t L = r.holdout.size();
    Rcpp::NumericVector weight(L), deviance(L), se(L), ae(L), mis(L), brier(L);
    for (size_t l = 0; l < L; ++l) {
      weight[l] = r.holdout[l].weight;
      deviance[l] = r.holdout[l].deviance;
      se[l] = r.holdout[l].squared_error;
      ae[l] = r.holdout[l].absolute_error;
      mis[l] = r.holdout[l].misclassified;
      brier[l] = r.holdout[l].brier;
    }
    out["holdout"] = Rcpp::List::create(Rcpp::Named("weight") = weight, Rcpp::Named("deviance") = deviance,
                                        Rcpp::Named("squared_error") = se, Rcpp::Named("absolute_error") = ae,
                                        Rcpp::Named("misclassified") = mis, Rcpp::Named("brier") = brier);
  }
  return out;
}

}  // namespace

// The MAP path along lambda (empty: generated from lambda_max); `unit` is
// the prior at lambda = 1, `screen` the per-coefficient divisors of the
// gradient that give lambda_max.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_path(Rcpp::List model, Rcpp::NumericVector y, Rcpp::NumericVector w, Rcpp::NumericVector offset,
                    SEXP unit, Rcpp::NumericVector lambda, Rcpp::NumericVector screen, Rcpp::List control,
                    Rcpp::Nullable<Rcpp::Function> progress) {
  const ModelFromR m(model);
  const probml::PathResult r =
      probml::fit_path(*m.model, as_vmap(y), as_vmap(w), offset_matrix(*m.model, offset), as_prior(unit),
                       path_options(control, lambda, screen), probml_glue::r_callbacks(progress));
  return path_list(r);
}

// Cross-validation of the path: `fold` holds each row's fold, 1..K.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cv_path(Rcpp::List model, Rcpp::NumericVector y, Rcpp::NumericVector w, Rcpp::NumericVector offset,
                       SEXP unit, Rcpp::NumericVector lambda, Rcpp::NumericVector screen, Rcpp::IntegerVector fold,
                       int n_folds, Rcpp::List control, Rcpp::Nullable<Rcpp::Function> progress) {
  const ModelFromR m(model);
  std::vector<int> f(fold.size());
  for (R_xlen_t i = 0; i < fold.size(); ++i) f[i] = fold[i] - 1;
  const std::vector<probml::PathResult> r =
      probml::cv_path(*m.model, as_vmap(y), as_vmap(w), offset_matrix(*m.model, offset), as_prior(unit), f, n_folds,
                      path_options(control, lambda, screen), probml_glue::r_callbacks(progress));
  Rcpp::List out(r.size());
  for (size_t k = 0; k < r.size(); ++k) out[k] = path_list(r[k]);
  return out;
}

// What each coefficient is: its name, linear predictor (0-based; -1 for an
// auxiliary parameter), formula part and column there (0-based).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_model_layout(Rcpp::List model, Rcpp::List part_names) {
  const ModelFromR m(model);
  std::vector<std::vector<std::string>> names;
  for (R_xlen_t j = 0; j < part_names.size(); ++j) names.push_back(Rcpp::as<std::vector<std::string>>(part_names[j]));
  const auto layout = m.model->layout();
  Rcpp::IntegerVector linear(layout.size()), part(layout.size()), column(layout.size());
  for (size_t k = 0; k < layout.size(); ++k) {
    linear[k] = layout[k].linear;
    part[k] = layout[k].part;
    column[k] = layout[k].column;
  }
  return Rcpp::List::create(Rcpp::Named("names") = m.model->names(names), Rcpp::Named("linear") = linear,
                            Rcpp::Named("part") = part, Rcpp::Named("column") = column);
}

// X'WX of a design (a double matrix or a column list), on n_threads with a
// fixed block order (identical for any thread count).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_weighted_gram(SEXP x, Rcpp::NumericVector w, int n_threads) {
  return Rcpp::wrap(probml::weighted_gram(as_design(x), as_vmap(w), n_threads));
}

// The bootstrap of a fit by multinomial reweighting (optim/bootstrap.hpp):
// `start` is the full-data estimate, `prior` and `control` the fit's own;
// `seed` is a whole number in [0, 2^32) drawn in R.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bootstrap(Rcpp::List model, Rcpp::NumericVector y, Rcpp::NumericVector w, Rcpp::NumericVector offset,
                         Rcpp::NumericVector start, Rcpp::List control, SEXP prior, double members, double seed,
                         double first_member, int n_threads, Rcpp::Nullable<Rcpp::Function> progress) {
  const ModelFromR m(model);
  probml::BootstrapOptions opt;
  opt.members = static_cast<long>(members);
  opt.seed = static_cast<std::uint64_t>(seed);
  opt.first_member = static_cast<std::uint64_t>(first_member);
  opt.n_threads = n_threads;
  opt.fit = fit_options(control);
  const probml::BootstrapResult r =
      probml::bootstrap_fit(*m.model, as_vmap(y), as_vmap(w), offset_matrix(*m.model, offset),
                            Rcpp::as<Eigen::VectorXd>(start), as_prior(prior), opt, probml_glue::r_callbacks(progress));
  return Rcpp::List::create(Rcpp::Named("coefficients") = r.coefficients, Rcpp::Named("status") = r.status,
                            Rcpp::Named("messages") = r.messages, Rcpp::Named("n_failed") = static_cast<double>(r.n_failed),
                            Rcpp::Named("n_separation") = static_cast<double>(r.n_separation));
}

// The counts of bootstrap member `member` (0-based) of `seed` over rows of weight w.
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_bootstrap_counts(Rcpp::NumericVector w, double seed, double member) {
  Eigen::VectorXd out(w.size());
  probml::bootstrap_counts(as_vmap(w), static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(member), out);
  return out;
}
