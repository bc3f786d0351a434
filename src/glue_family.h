// Shared by the glue translation units that build families from R.
#pragma once
#include <RcppEigen.h>
#include <probml/family/make_family.hpp>

namespace probml_glue {

// A family description from R: list(name, link, delta, df, sigma, tau, theta,
// formula_parts, label_smoothing, levels); delta, df, sigma, tau and theta are
// NULL for the family's default (df, sigma and theta: estimated; tau: the
// median), formula_parts NULL or 0 for the default.
inline probml::FamilySpec to_spec(const Rcpp::List& spec) {
  probml::FamilySpec s;
  s.name = Rcpp::as<std::string>(spec["name"]);
  s.link = Rcpp::as<std::string>(spec["link"]);
  if (!Rf_isNull(spec["delta"])) s.delta = Rcpp::as<double>(spec["delta"]);
  if (!Rf_isNull(spec["df"])) s.df = Rcpp::as<double>(spec["df"]);
  if (spec.containsElementNamed("sigma") && !Rf_isNull(spec["sigma"])) s.sigma = Rcpp::as<double>(spec["sigma"]);
  if (spec.containsElementNamed("tau") && !Rf_isNull(spec["tau"])) s.tau = Rcpp::as<double>(spec["tau"]);
  if (spec.containsElementNamed("formula_parts") && !Rf_isNull(spec["formula_parts"]))
    s.formula_parts = Rcpp::as<int>(spec["formula_parts"]);
  if (spec.containsElementNamed("theta") && !Rf_isNull(spec["theta"])) s.theta = Rcpp::as<double>(spec["theta"]);
  s.label_smoothing = Rcpp::as<double>(spec["label_smoothing"]);
  s.levels = Rcpp::as<std::vector<std::string>>(spec["levels"]);
  if (!s.levels.empty()) s.n_classes = static_cast<int>(s.levels.size());
  return s;
}

}  // namespace probml_glue
