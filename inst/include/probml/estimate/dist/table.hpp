#pragma once
// The distribution table: every distribution by name.
#include <memory>
#include <string>
#include <vector>
#include "beta.hpp"
#include "discrete.hpp"
#include "laplace.hpp"
#include "normal.hpp"
#include "positive.hpp"
#include "student_t.hpp"
#include "uniform.hpp"

namespace probml {

inline const std::vector<std::unique_ptr<Distribution>>& distribution_table() {
  static const std::vector<std::unique_ptr<Distribution>> table = [] {
    std::vector<std::unique_ptr<Distribution>> t;
    t.push_back(std::make_unique<GaussianDist>());
    t.push_back(std::make_unique<BernoulliDist>());
    t.push_back(std::make_unique<BinomialDist>());
    t.push_back(std::make_unique<PoissonDist>());
    t.push_back(std::make_unique<ExponentialDist>());
    t.push_back(std::make_unique<GammaDist>());
    t.push_back(std::make_unique<BetaDist>());
    t.push_back(std::make_unique<LaplaceDist>());
    t.push_back(std::make_unique<StudentTDist>());
    t.push_back(std::make_unique<LognormalDist>());
    t.push_back(std::make_unique<WeibullDist>());
    t.push_back(std::make_unique<UniformDist>());
    return t;
  }();
  return table;
}

inline const Distribution& find_distribution(const std::string& name) {
  std::string known;
  for (const auto& d : distribution_table()) {
    if (d->name() == name) return *d;
    known += (known.empty() ? "" : ", ") + d->name();
  }
  throw DomainError("unknown distribution '" + name + "'; the distributions are " + known);
}

}  // namespace probml
