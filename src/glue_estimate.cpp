// Rcpp glue for the distribution table and the estimator studies
// (probml/estimate/). Seeds are drawn in R; no R RNG is used here.
#include <Rcpp.h>

#include <cstdint>
#include <vector>

#include <probml/estimate/dist/table.hpp>
#include <probml/estimate/simulate.hpp>

#include "glue_common.h"

namespace {

Eigen::VectorXd as_params(const Rcpp::NumericVector& p) {
  return Eigen::Map<const Eigen::VectorXd>(p.begin(), p.size());
}

Rcpp::NumericMatrix as_r_matrix(const Eigen::MatrixXd& m) {
  Rcpp::NumericMatrix out(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
  std::copy(m.data(), m.data() + m.size(), out.begin());
  return out;
}

const char* kind_name(probml::ParamKind k) {
  switch (k) {
    case probml::ParamKind::real: return "real";
    case probml::ParamKind::positive: return "positive";
    case probml::ParamKind::probability: return "probability";
    case probml::ParamKind::trials: return "trials";
  }
  return "";
}

}  // namespace

// The distribution table, one list per distribution.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_dist_table() {
  Rcpp::List out;
  for (const auto& d : probml::distribution_table()) {
    Rcpp::CharacterVector names, kinds;
    for (const auto& q : d->params()) {
      names.push_back(q.name);
      kinds.push_back(kind_name(q.kind));
    }
    out[d->name()] = Rcpp::List::create(
        Rcpp::Named("label") = d->label(), Rcpp::Named("params") = names, Rcpp::Named("kinds") = kinds,
        Rcpp::Named("support") = d->support_text(), Rcpp::Named("regular") = d->regular(),
        Rcpp::Named("discrete") = d->discrete(), Rcpp::Named("needs_spread") = d->needs_spread(),
        Rcpp::Named("min_n") = static_cast<double>(d->min_n()));
  }
  return out;
}

// Throws the core's DomainError naming a parameter outside its space.
// [[Rcpp::export(rng = false)]]
void cpp_dist_check_params(std::string dist, Rcpp::NumericVector params) {
  probml::find_distribution(dist).check_params(as_params(params));
}

// The first problem of a sample: list(problem = "" or its name, row = 1-based or NA).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_dist_check_sample(std::string dist, Rcpp::NumericVector x, Rcpp::NumericVector params,
                                 int n_threads) {
  const probml::SampleProblem p =
      probml::find_distribution(dist).check_sample({x.begin(), x.size(), n_threads}, as_params(params));
  return Rcpp::List::create(Rcpp::Named("problem") = p.problem,
                            Rcpp::Named("row") = p.row < 0 ? NA_REAL : static_cast<double>(p.row + 1));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_dist_fit(std::string dist, Rcpp::NumericVector x, Rcpp::NumericVector params, bool use_start,
                        int n_threads) {
  const probml::Distribution& d = probml::find_distribution(dist);
  const probml::DistFit f = d.fit({x.begin(), x.size(), n_threads}, as_params(params), use_start);
  const double n = static_cast<double>(x.size());
  return Rcpp::List::create(
      Rcpp::Named("params") = Rcpp::NumericVector(f.params.data(), f.params.data() + f.params.size()),
      Rcpp::Named("loglik") = f.loglik, Rcpp::Named("observed") = as_r_matrix(f.observed),
      Rcpp::Named("expected") = as_r_matrix(n * d.fisher(f.params)),
      Rcpp::Named("converged") = f.converged, Rcpp::Named("iterations") = f.iterations);
}

// Expected information of one observation.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_dist_fisher(std::string dist, Rcpp::NumericVector params) {
  return as_r_matrix(probml::find_distribution(dist).fisher(as_params(params)));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_dist_moments(std::string dist, Rcpp::NumericVector params) {
  const probml::Moments m = probml::find_distribution(dist).moments(as_params(params));
  return Rcpp::List::create(Rcpp::Named("mean") = m.mean, Rcpp::Named("variance") = m.variance,
                            Rcpp::Named("median") = m.median, Rcpp::Named("symmetric") = m.symmetric);
}

// Log density (or mass) at each x.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_dist_log_density(std::string dist, Rcpp::NumericVector x, Rcpp::NumericVector params) {
  const probml::Distribution& d = probml::find_distribution(dist);
  const Eigen::VectorXd p = as_params(params);
  Rcpp::NumericVector out(x.size());
  for (R_xlen_t i = 0; i < x.size(); ++i) out[i] = d.log_density(x[i], p);
  return out;
}

// Per-observation score (n x estimated parameters).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_dist_score(std::string dist, Rcpp::NumericVector x, Rcpp::NumericVector params) {
  return as_r_matrix(probml::find_distribution(dist).score({x.begin(), x.size()}, as_params(params)));
}

// Minus the Hessian of the summed log-likelihood.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_dist_observed(std::string dist, Rcpp::NumericVector x, Rcpp::NumericVector params) {
  return as_r_matrix(
      probml::find_distribution(dist).observed_information({x.begin(), x.size()}, as_params(params)));
}

// n draws from stream `stream` of `seed`: the data set of one replicate.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_dist_sample(std::string dist, Rcpp::NumericVector params, double n, double seed,
                                    double stream) {
  const probml::Distribution& d = probml::find_distribution(dist);
  const Eigen::VectorXd p = as_params(params);
  d.check_params(p);
  Rcpp::NumericVector out(static_cast<R_xlen_t>(n));
  probml::Xoshiro256 g(static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(stream));
  d.sample(p, g, out.begin(), static_cast<long>(n));
  return out;
}

// The stream of replicate `rep` (0-based) at the k-th (0-based) sample size.
// [[Rcpp::export(rng = false)]]
double cpp_study_stream(double k, double rep) {
  return static_cast<double>(probml::study_stream(static_cast<long>(k), static_cast<long>(rep)));
}

// A study from its named specification: estimates (reps x sizes) and the
// number of replicates whose fit did not converge.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_run_study(Rcpp::List study, Rcpp::Nullable<Rcpp::Function> progress) {
  probml::StudySpec s;
  s.estimator = probml::parse_estimator(Rcpp::as<std::string>(study["estimator"]));
  s.dist = &probml::find_distribution(Rcpp::as<std::string>(study["dist"]));
  s.params = as_params(study["params"]);
  const Rcpp::NumericVector sizes = study["n"];
  for (double v : sizes) s.sizes.push_back(static_cast<long>(v));
  s.reps = static_cast<long>(Rcpp::as<double>(study["reps"]));
  s.seed = static_cast<std::uint64_t>(Rcpp::as<double>(study["seed"]));
  s.n_threads = Rcpp::as<int>(study["n_threads"]);
  s.trim = Rcpp::as<double>(study["trim"]);
  s.parameter = Rcpp::as<int>(study["parameter"]);
  const probml::StudyResult r = probml::run_study(s, probml_glue::r_callbacks(progress));
  Rcpp::NumericMatrix est(static_cast<int>(s.reps), static_cast<int>(s.sizes.size()));
  std::copy(r.estimates.begin(), r.estimates.end(), est.begin());
  return Rcpp::List::create(Rcpp::Named("estimates") = est,
                            Rcpp::Named("not_converged") = static_cast<double>(r.not_converged));
}
