// Rcpp glue for the likelihood core: converts R objects to Eigen maps (no
// copies of the design), calls the core, and converts results back. No
// statistics here; core exceptions become R errors via RcppExports.
// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>
#include <probml/family/make_family.hpp>
#include <probml/optim/fit.hpp>

namespace {

probml::FamilySpec to_spec(const Rcpp::List& spec) {
  probml::FamilySpec s;
  s.name = Rcpp::as<std::string>(spec["name"]);
  s.link = Rcpp::as<std::string>(spec["link"]);
  s.delta = Rcpp::as<double>(spec["delta"]);
  s.df = Rcpp::as<double>(spec["df"]);
  s.n_classes = Rcpp::as<int>(spec["n_classes"]);
  s.label_smoothing = Rcpp::as<double>(spec["label_smoothing"]);
  return s;
}

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

std::vector<probml::Design> as_designs(const Rcpp::List& designs) {
  std::vector<probml::Design> out;
  for (R_xlen_t j = 0; j < designs.size(); ++j) out.push_back(as_design(designs[j]));
  return out;
}

probml::Callbacks r_callbacks() {
  probml::Callbacks cb;
  cb.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
  return cb;
}

Rcpp::LogicalVector as_logical(const std::vector<bool>& v) {
  Rcpp::LogicalVector out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i];
  return out;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_fit(Rcpp::List family, Rcpp::List designs, Rcpp::NumericVector y,
                   Rcpp::NumericVector w, Rcpp::NumericMatrix offset, Rcpp::NumericVector start,
                   Rcpp::LogicalVector fixed, Rcpp::List control) {
  const auto fam = probml::make_family(to_spec(family));
  probml::FitOptions opt;
  opt.newton.max_iter = Rcpp::as<int>(control["max_iter"]);
  opt.newton.tol = Rcpp::as<double>(control["tol"]);
  opt.rank_tol = Rcpp::as<double>(control["rank_tol"]);
  opt.n_threads = Rcpp::as<int>(control["n_threads"]);
  opt.detect_aliasing = Rcpp::as<bool>(control["detect_aliasing"]);
  opt.intercept_col = Rcpp::as<int>(control["intercept_col"]);
  const Eigen::VectorXd start_full = Rcpp::as<Eigen::VectorXd>(start);
  std::vector<bool> fixed_full(fixed.size());
  for (R_xlen_t k = 0; k < fixed.size(); ++k) fixed_full[k] = fixed[k] == TRUE;
  const probml::FitResult r =
      probml::fit_model(*fam, as_designs(designs), as_vmap(y), as_vmap(w),
                        probml::ConstMatrixMap(offset.begin(), offset.nrow(), offset.ncol()),
                        start_full, fixed_full, opt, r_callbacks());
  return Rcpp::List::create(
      Rcpp::Named("theta") = r.theta, Rcpp::Named("estimated") = as_logical(r.estimated),
      Rcpp::Named("aliased") = as_logical(r.aliased), Rcpp::Named("gradient") = r.gradient,
      Rcpp::Named("hessian") = r.hessian, Rcpp::Named("value") = r.value,
      Rcpp::Named("iterations") = r.iterations, Rcpp::Named("converged") = r.converged,
      Rcpp::Named("safeguarded_steps") = r.safeguarded_steps, Rcpp::Named("message") = r.message,
      Rcpp::Named("linear_predictors") = r.linear_predictors, Rcpp::Named("mean") = r.mean);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_objective(Rcpp::List family, Rcpp::List designs, Rcpp::NumericVector y,
                         Rcpp::NumericVector w, Rcpp::NumericMatrix offset, Rcpp::NumericVector theta,
                         int order, bool expected, int n_threads) {
  const auto fam = probml::make_family(to_spec(family));
  const probml::Objective obj(*fam, as_designs(designs), as_vmap(y), as_vmap(w),
                              probml::ConstMatrixMap(offset.begin(), offset.nrow(), offset.ncol()),
                              n_threads);
  if (theta.size() != obj.n_params()) Rcpp::stop("internal: theta has the wrong length");
  const probml::Evaluation e = obj.evaluate(Rcpp::as<Eigen::VectorXd>(theta), order,
                                            expected ? probml::Curvature::expected : probml::Curvature::observed);
  return Rcpp::List::create(Rcpp::Named("value") = e.value, Rcpp::Named("gradient") = e.gradient,
                            Rcpp::Named("hessian") = e.hessian);
}

// Per-observation nll and its local derivatives (packed second derivatives).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_local(Rcpp::List family, Rcpp::NumericMatrix U, Rcpp::NumericVector y,
                     Rcpp::NumericVector aux, int order) {
  const auto fam = probml::make_family(to_spec(family));
  probml::LocalDerivs ld;
  fam->local(Rcpp::as<Eigen::MatrixXd>(U), Rcpp::as<Eigen::VectorXd>(y), Rcpp::as<Eigen::VectorXd>(aux),
             order, ld);
  Rcpp::List out = Rcpp::List::create(Rcpp::Named("value") = ld.value);
  if (order >= 1) out["d1"] = ld.d1;
  if (order >= 2) out["d2"] = ld.d2;
  if (order >= 2 && fam->has_expected()) {
    Eigen::MatrixXd info;
    fam->local_expected(Rcpp::as<Eigen::MatrixXd>(U), Rcpp::as<Eigen::VectorXd>(aux), info);
    out["expected"] = info;
  }
  return out;
}

// Mean (or class probabilities) and variance of y given the local parameters.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_family_moments(Rcpp::List family, Rcpp::NumericMatrix U, Rcpp::NumericVector aux) {
  const auto fam = probml::make_family(to_spec(family));
  const Eigen::MatrixXd Ue = Rcpp::as<Eigen::MatrixXd>(U);
  const Eigen::VectorXd a = Rcpp::as<Eigen::VectorXd>(aux);
  Eigen::MatrixXd mean(Ue.rows(), fam->n_mean_columns());
  Eigen::VectorXd variance(Ue.rows());
  fam->mean(Ue, a, mean);
  fam->variance(Ue, a, variance);
  return Rcpp::List::create(Rcpp::Named("mean") = mean, Rcpp::Named("variance") = variance);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_lad(Rcpp::NumericMatrix X, Rcpp::NumericVector y, Rcpp::NumericVector w,
                   Rcpp::NumericVector offset) {
  const probml::LadResult r =
      probml::lad_fit(probml::ConstMatrixMap(X.begin(), X.nrow(), X.ncol()), as_vmap(y), as_vmap(w),
                      as_vmap(offset), 1e-12, 500, r_callbacks().check_interrupt);
  return Rcpp::List::create(Rcpp::Named("beta") = r.beta, Rcpp::Named("sum_abs") = r.sum_abs,
                            Rcpp::Named("iterations") = r.iterations,
                            Rcpp::Named("converged") = r.converged);
}

// TRUE when every element of a double vector or matrix is finite: a scan
// that R itself could only do by allocating a logical copy of the data.
// [[Rcpp::export(rng = false)]]
bool cpp_all_finite(Rcpp::NumericVector x) {
  return probml::ConstVectorMap(x.begin(), x.size()).allFinite();
}

// 0 when every element is finite, 1 when one is NA or NaN, 2 when one is
// infinite (and none is missing): one scan where anyNA() and a finiteness
// check would take two.
// [[Rcpp::export(rng = false)]]
int cpp_nonfinite_kind(Rcpp::NumericVector x) {
  int kind = 0;
  for (const double v : x) {
    if (std::isnan(v)) return 1;
    if (!std::isfinite(v)) kind = 2;
  }
  return kind;
}
