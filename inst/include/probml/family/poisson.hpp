#pragma once
// Poisson with log link: v = (eta), nll = exp(eta) - y eta + log y!.
#include <cmath>
#include "../util/math.hpp"
#include "family.hpp"

namespace probml {

class PoissonFamily : public Family {
 public:
  std::string name() const override { return "poisson"; }
  std::string label() const override { return "Poisson (log link)"; }
  bool positive_curvature() const override { return true; }

  std::string response_kind() const override { return "count"; }
  std::string predictive_distribution() const override { return "poisson"; }
  std::string support_text() const override { return "a non-negative whole number"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    for (Index i = 0; i < y.size(); ++i)
      if (!(y[i] >= 0) || !std::isfinite(y[i]) || y[i] != std::floor(y[i])) return i;
    return -1;
  }
  // P(Y = 0) = exp(-mu) is numerically 1 only when the mean heads to 0.
  double probability_of_observed(const Eigen::Ref<const Eigen::RowVectorXd>& mean, double y) const override {
    return y == 0 ? std::exp(-mean[0]) : 0.0;
  }
  std::string boundary_message() const override {
    return "fitted means numerically 0 occurred for zero counts: a group of observations has only zero counts, so "
           "the MLE does not exist";
  }
  // mu = y: y - y log y + log y!, and 0 for y = 0.
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Index i = 0; i < y.size(); ++i)
      out[i] = y[i] == 0 ? 0.0 : y[i] - y[i] * std::log(y[i]) + math::log_factorial(y[i]);
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd&, int order, LocalDerivs& out) const override {
    out.resize(U.rows(), 1, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double eta = U(i, 0), mu = std::exp(eta);
      out.value[i] = mu - y[i] * eta + math::log_factorial(y[i]);
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
