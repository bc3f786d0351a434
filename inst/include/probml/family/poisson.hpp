#pragma once
// Poisson with log, identity or sqrt link: v = (eta),
// nll = mu - y log mu + log y!, written in l = log mu (log_mean.hpp).
#include <cmath>
#include "../util/math.hpp"
#include "log_mean.hpp"

namespace probml {

class PoissonFamily : public PositiveMeanFamily {
 public:
  explicit PoissonFamily(PositiveLink link = PositiveLink::log) : PositiveMeanFamily(link) {}
  static PositiveLink parse_link(const std::string& link) {
    return parse_positive_link(link, {PositiveLink::log, PositiveLink::identity, PositiveLink::sqrt}, "Poisson");
  }
  std::string name() const override { return "poisson"; }
  std::string label() const override { return "Poisson (" + link_name() + " link)"; }
  // mu in log mu; 2 + 2 y / eta^2 with the sqrt link.
  bool positive_curvature() const override { return link_ == PositiveLink::log || link_ == PositiveLink::sqrt; }

  std::string response_kind() const override { return "count"; }
  std::string predictive_distribution() const override { return "poisson"; }
  std::string support_text() const override { return "a non-negative whole number"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_count(y);
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
    if (link_ == PositiveLink::log) {  // the common case, without the chain rule
      for (Index i = 0; i < U.rows(); ++i) {
        const double eta = U(i, 0), mu = std::exp(eta);
        out.value[i] = mu - y[i] * eta + math::log_factorial(y[i]);
        if (order >= 1) out.d1(i, 0) = mu - y[i];
        if (order >= 2) out.d2(i, 0) = mu;
      }
      return;
    }
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      if (!m.ok) {
        set_infeasible(out, i, order);
        continue;
      }
      out.value[i] = m.mu - (y[i] == 0 ? 0.0 : y[i] * m.l) + math::log_factorial(y[i]);
      const double f_l = m.mu - y[i];
      if (order >= 1) out.d1(i, 0) = f_l * m.L1;
      if (order >= 2) out.d2(i, 0) = m.mu * m.L1 * m.L1 + f_l * m.L2;
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 1);
    for (Index i = 0; i < U.rows(); ++i) {
      const LogMean m = log_mean(link_, U(i, 0));
      info(i, 0) = m.mu * m.L1 * m.L1;
    }
  }

  double start_eta(int, double y, double) const override { return positive_link(link_, y + 0.1); }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    Eigen::MatrixXd mu(U.rows(), 1);
    mean(U, aux, mu);
    out = mu.col(0);
  }
};

}  // namespace probml
