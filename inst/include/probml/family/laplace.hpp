#pragma once
// Laplace: v = (mu, log b); nll = log 2 + log b + |y - mu| / b. It is the
// asymmetric Laplace family at tau = 1/2 with b = 2 sigma: the median is the
// location, the fit solves the LAD problem exactly (optim/lad/) and standard
// errors use the expected information.
#include "asymmetric_laplace.hpp"

namespace probml {

class LaplaceFamily : public AsymmetricLaplaceFamily {
 public:
  LaplaceFamily() : AsymmetricLaplaceFamily(0.5, 2.0) {}
  std::string name() const override { return "laplace"; }
  std::string predictive_distribution() const override { return "laplace"; }
  std::string label() const override { return "Laplace"; }
};

}  // namespace probml
