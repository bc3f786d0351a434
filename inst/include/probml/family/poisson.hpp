#pragma once
// Poisson with log link: v = (eta), nll = exp(eta) - y eta + log y!.
#include <cmath>
#include <vector>
#include "family.hpp"

namespace probml {

// log(y!) for the counts most data hold, computed once.
inline double log_factorial(double y) {
  static const std::vector<double> table = [] {
    std::vector<double> t(1024);
    for (size_t k = 0; k < t.size(); ++k) t[k] = std::lgamma(static_cast<double>(k) + 1.0);
    return t;
  }();
  return y < 1024 ? table[static_cast<size_t>(y)] : std::lgamma(y + 1.0);
}

class PoissonFamily : public Family {
 public:
  std::string name() const override { return "poisson"; }
  bool positive_curvature() const override { return true; }

  void check_response(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    for (Index i = 0; i < y.size(); ++i)
      if (!(y[i] >= 0) || !std::isfinite(y[i]) || y[i] != std::floor(y[i]))
        throw std::invalid_argument("y must be a non-negative whole number for the Poisson family (" +
                                    row_label(i) + ")");
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd&, int order, LocalDerivs& out) const override {
    out.resize(U.rows(), 1, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double eta = U(i, 0), mu = std::exp(eta);
      out.value[i] = mu - y[i] * eta + log_factorial(y[i]);
      if (order >= 1) out.d1(i, 0) = mu - y[i];
      if (order >= 2) out.d2(i, 0) = mu;
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                      Eigen::MatrixXd& info) const override {
    info = U.col(0).array().exp().matrix();
  }

  double start_eta(int, double y, double) const override { return std::log(y + 0.1); }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    out.col(0) = U.col(0).array().exp().matrix();
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    out = U.col(0).array().exp().matrix();
  }
};

}  // namespace probml
