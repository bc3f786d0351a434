// Rcpp glue for the calibration core: outcome vectors stay in R's storage
// (double, integer or logical) and are read in place.
// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>
#include <probml/calibrate/binary_scores.hpp>
#include <probml/calibrate/pava.hpp>

namespace {

const double* weights_or_null(const Rcpp::NumericVector& w) { return w.size() ? w.begin() : nullptr; }

// Calls fn(const Y* y) with y's storage type.
template <class Fn>
auto with_outcome(SEXP y, Fn fn) {
  switch (TYPEOF(y)) {
    case REALSXP: return fn(REAL(y));
    case INTSXP: return fn(INTEGER(y));
    case LGLSXP: return fn(LOGICAL(y));
    default: throw std::invalid_argument("internal: y must be double, integer or logical");
  }
}

}  // namespace

// The first invalid element: list(problem = "" (none), "p_missing",
// "p_range", "y_missing" or "y_value", row = 1-based or NA).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_check_binary(SEXP y, Rcpp::NumericVector p) {
  const probml::BinaryCheck c =
      with_outcome(y, [&](const auto* yy) { return probml::check_binary(yy, p.begin(), p.size()); });
  return Rcpp::List::create(Rcpp::Named("problem") = probml::binary_problem_name(c.problem),
                            Rcpp::Named("row") = c.row < 0 ? NA_REAL : static_cast<double>(c.row + 1));
}

// [[Rcpp::export(rng = false)]]
double cpp_brier_binary(SEXP y, Rcpp::NumericVector p, Rcpp::NumericVector w) {
  return with_outcome(y, [&](const auto* yy) {
    return probml::brier_binary(yy, p.begin(), weights_or_null(w), p.size());
  });
}

// [[Rcpp::export(rng = false)]]
double cpp_log_loss_binary(SEXP y, Rcpp::NumericVector p, Rcpp::NumericVector w, double eps) {
  return with_outcome(y, [&](const auto* yy) {
    return probml::log_loss_binary(yy, p.begin(), weights_or_null(w), p.size(), eps);
  });
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bin_binary(SEXP y, Rcpp::NumericVector p, Rcpp::NumericVector w,
                          Rcpp::NumericVector edges, bool uniform) {
  const Eigen::VectorXd e = Rcpp::as<Eigen::VectorXd>(edges);
  const probml::BinSums s = with_outcome(y, [&](const auto* yy) {
    return probml::bin_binary(yy, p.begin(), weights_or_null(w), p.size(), e, uniform);
  });
  return Rcpp::List::create(Rcpp::Named("count") = s.count, Rcpp::Named("weight") = s.weight,
                            Rcpp::Named("weight2") = s.weight2, Rcpp::Named("sum_p") = s.sum_p,
                            Rcpp::Named("sum_y") = s.sum_y, Rcpp::Named("sum_pp") = s.sum_pp,
                            Rcpp::Named("sum_py") = s.sum_py);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_isotonic(Rcpp::NumericVector x, Rcpp::NumericVector y, Rcpp::NumericVector w) {
  const probml::IsotonicFit f = probml::isotonic_pava(
      Eigen::Map<const Eigen::VectorXd>(x.begin(), x.size()), Eigen::Map<const Eigen::VectorXd>(y.begin(), y.size()),
      Eigen::Map<const Eigen::VectorXd>(w.begin(), w.size()));
  return Rcpp::List::create(Rcpp::Named("x") = f.x, Rcpp::Named("y") = f.y, Rcpp::Named("w") = f.w,
                            Rcpp::Named("block_x") = f.block_x, Rcpp::Named("block_y") = f.block_y,
                            Rcpp::Named("block_w") = f.block_w);
}
