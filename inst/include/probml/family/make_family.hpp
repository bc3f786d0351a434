#pragma once
// Builds a family from a plain description (what the R glue passes in).
// The registry is the one list of families: a new family is a Family
// subclass and one entry here.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "bernoulli.hpp"
#include "asymmetric_laplace.hpp"
#include "beta.hpp"
#include "categorical.hpp"
#include "gamma.hpp"
#include "gaussian.hpp"
#include "gaussian_hetero.hpp"
#include "huber.hpp"
#include "inverse_gaussian.hpp"
#include "laplace.hpp"
#include "negbin.hpp"
#include "ordinal.hpp"
#include "poisson.hpp"
#include "student_t.hpp"

namespace probml {

struct FamilySpec {
  std::string name;
  std::string link;                  // empty for the family's default; families without a choice ignore it
  std::optional<double> delta;       // huber; the family's default when absent
  std::optional<double> df;          // student_t; estimated when absent
  std::optional<double> sigma;       // gaussian; estimated when absent
  std::optional<double> tau;         // quantile; the median when absent
  int formula_parts = 0;             // beta: 2 for a precision model; 0 for the family's default
  std::optional<double> theta;       // negbin; estimated when absent
  double label_smoothing = 0.0;      // categorical
  int n_classes = 2;                 // categorical, ordinal
  std::vector<std::string> levels;   // class labels, for names
};

struct FamilyEntry {
  std::string name;
  std::function<std::unique_ptr<Family>(const FamilySpec&)> make;
};

inline const std::vector<FamilyEntry>& family_registry() {
  static const std::vector<FamilyEntry> registry = {
      {"gaussian", [](const FamilySpec& s) {
         const GaussianLink link = parse_gaussian_link(s.link);
         return s.sigma ? std::make_unique<GaussianFamily>(*s.sigma, link) : std::make_unique<GaussianFamily>(link);
       }},
      {"laplace", [](const FamilySpec&) { return std::make_unique<LaplaceFamily>(); }},
      {"quantile", [](const FamilySpec& s) { return std::make_unique<AsymmetricLaplaceFamily>(s.tau.value_or(0.5)); }},
      {"huber", [](const FamilySpec& s) {
         return std::make_unique<HuberFamily>(s.delta.value_or(HuberFamily::kDefaultDelta));
       }},
      {"student_t", [](const FamilySpec& s) -> std::unique_ptr<Family> {
         if (s.df) return std::make_unique<StudentTFamily>(*s.df);
         return std::make_unique<StudentTFamily>(StudentTFamily::estimated());
       }},
      {"bernoulli", [](const FamilySpec& s) {
         return std::make_unique<BernoulliFamily>(parse_binary_link(s.link.empty() ? "logit" : s.link));
       }},
      {"categorical", [](const FamilySpec& s) {
         return std::make_unique<CategoricalFamily>(s.levels, s.n_classes, s.label_smoothing);
       }},
      {"poisson", [](const FamilySpec& s) {
         return std::make_unique<PoissonFamily>(PoissonFamily::parse_link(s.link));
       }},
      {"beta", [](const FamilySpec& s) { return std::make_unique<BetaFamily>(s.formula_parts == 2); }},
      {"ordinal", [](const FamilySpec& s) {
         return std::make_unique<OrdinalFamily>(s.levels, s.n_classes,
                                                parse_cumulative_link(s.link.empty() ? "logit" : s.link));
       }},
      {"gaussian_hetero", [](const FamilySpec&) { return std::make_unique<GaussianHeteroFamily>(); }},
      {"gamma", [](const FamilySpec& s) { return std::make_unique<GammaFamily>(GammaFamily::parse_link(s.link)); }},
      {"inverse_gaussian", [](const FamilySpec& s) {
         return std::make_unique<InverseGaussianFamily>(InverseGaussianFamily::parse_link(s.link));
       }},
      {"negbin", [](const FamilySpec& s) {
         const PositiveLink link = NegBinFamily::parse_link(s.link);
         return s.theta ? std::make_unique<NegBinFamily>(link, *s.theta) : std::make_unique<NegBinFamily>(link);
       }},
  };
  return registry;
}

inline std::unique_ptr<Family> make_family(const FamilySpec& s) {
  std::string known;
  for (const auto& e : family_registry()) {
    if (e.name == s.name) return e.make(s);
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw DomainError("unknown family '" + s.name + "'; the families are " + known);
}

}  // namespace probml
