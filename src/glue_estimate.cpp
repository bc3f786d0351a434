// Rcpp glue for the Monte Carlo estimator studies (probml/estimate/).
// The seed is drawn in R; no R RNG is used here.
#include <Rcpp.h>

#include <cstdint>
#include <vector>

#include <probml/estimate/simulate.hpp>

// Estimates as a reps x length(n) matrix.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_simulate_estimator(std::string estimator, std::string dist, std::vector<double> params,
                                           std::vector<double> n, double reps, double seed, double trim,
                                           double size, int param, int n_threads) {
  probml::SimEstimatorSpec est;
  est.estimator = probml::parse_sim_estimator(estimator);
  est.trim = trim;
  est.size = size;
  est.param = param;
  const probml::SimDistSpec spec(probml::parse_sim_dist(dist), params);
  est.family = spec.dist;
  std::vector<long> sizes(n.begin(), n.end());
  probml::SimStudyOptions opt;
  opt.reps = static_cast<long>(reps);
  opt.seed = static_cast<std::uint64_t>(seed);
  opt.n_threads = n_threads;
  probml::Callbacks cb;
  cb.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
  const std::vector<double> out = probml::simulate_estimator(est, spec, sizes, opt, cb);
  Rcpp::NumericMatrix m(static_cast<int>(opt.reps), static_cast<int>(sizes.size()));
  std::copy(out.begin(), out.end(), m.begin());
  return m;
}
