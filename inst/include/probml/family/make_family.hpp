#pragma once
// Builds a family from a plain description (what the R glue passes in).
#include <memory>
#include "bernoulli.hpp"
#include "beta.hpp"
#include "categorical.hpp"
#include "gaussian.hpp"
#include "gaussian_hetero.hpp"
#include "huber.hpp"
#include "laplace.hpp"
#include "ordinal.hpp"
#include "poisson.hpp"
#include "student_t.hpp"

namespace probml {

struct FamilySpec {
  std::string name;
  std::string link = "identity";
  double delta = 1.345;            // huber
  double df = 0.0;                 // student_t; <= 0 means estimated
  int n_classes = 2;               // categorical, ordinal
  double label_smoothing = 0.0;    // categorical
};

inline std::unique_ptr<Family> make_family(const FamilySpec& s) {
  if (s.name == "gaussian") return std::make_unique<GaussianFamily>();
  if (s.name == "laplace") return std::make_unique<LaplaceFamily>();
  if (s.name == "huber") return std::make_unique<HuberFamily>(s.delta);
  if (s.name == "student_t") return std::make_unique<StudentTFamily>(s.df);
  if (s.name == "bernoulli") return std::make_unique<BernoulliFamily>(parse_binary_link(s.link));
  if (s.name == "categorical") return std::make_unique<CategoricalFamily>(s.n_classes, s.label_smoothing);
  if (s.name == "poisson") return std::make_unique<PoissonFamily>();
  if (s.name == "beta") return std::make_unique<BetaFamily>();
  if (s.name == "ordinal") {
    if (s.link != "logit" && s.link != "probit")
      throw std::invalid_argument("unknown ordinal link '" + s.link + "'");
    return std::make_unique<OrdinalFamily>(s.n_classes,
                                           s.link == "logit" ? OrdinalLink::logit : OrdinalLink::probit);
  }
  if (s.name == "gaussian_hetero") return std::make_unique<GaussianHeteroFamily>();
  throw std::invalid_argument("unknown family '" + s.name + "'");
}

}  // namespace probml
