#pragma once
// Ordinal cumulative link: P(Y <= k) = F(theta_k - eta), k = 1..K-1, with
// ordered cut-points theta as auxiliary parameters; v = (eta, theta_1..theta_{K-1}).
// For class c the nll is -log(F(b) - F(a)), b = theta_{c+1} - eta, a = theta_c - eta
// (theta_0 = -inf, theta_K = +inf), computed in log space in whichever tail is safer.
#include "../util/math.hpp"
#include "classes.hpp"

namespace probml {

enum class OrdinalLink { logit, probit };

class OrdinalFamily : public ClassResponseFamily {
 public:
  OrdinalFamily(std::vector<std::string> levels, int n_classes, OrdinalLink link)
      : ClassResponseFamily(n_classes), link_(link), levels_(class_labels(levels, n_classes)) {
    if (k_ < 2) throw DomainError("the ordinal family needs at least 2 classes");
  }
  std::string name() const override { return "ordinal"; }
  std::string label() const override {
    return std::string("Ordinal cumulative ") + (link_ == OrdinalLink::logit ? "logit" : "probit");
  }
  int n_aux() const override { return k_ - 1; }
  bool absorbs_intercept() const override { return true; }
  // Cut-points "a|b" between consecutive classes, as MASS::polr names them.
  std::vector<std::string> aux_names() const override {
    std::vector<std::string> out;
    for (int k = 0; k + 1 < k_; ++k) out.push_back(levels_[static_cast<size_t>(k)] + "|" + levels_[static_cast<size_t>(k + 1)]);
    return out;
  }

  std::string response_kind() const override { return "ordered"; }
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>&,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setZero();
  }

  bool aux_feasible(const Eigen::VectorXd& aux) const override {
    for (Index k = 0; k < aux.size(); ++k) {
      if (!std::isfinite(aux[k])) return false;
      if (k > 0 && !(aux[k] > aux[k - 1])) return false;
    }
    return true;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const int d = k_;
    out.resize(U.rows(), d, order);
    if (order >= 1) out.d1.setZero();
    if (order >= 2) out.d2.setZero();
    for (Index i = 0; i < U.rows(); ++i) {
      const int c = static_cast<int>(y[i]);
      const double eta = U(i, 0);
      const bool has_a = c > 0, has_b = c < k_ - 1;
      const double a = has_a ? aux[c - 1] - eta : -math::kInf;
      const double b = has_b ? aux[c] - eta : math::kInf;
      const double log_pi = log_interval(a, b);
      out.value[i] = -log_pi;
      if (order < 1) continue;
      // r_x = f(x) / pi and s_x = f'(x) / pi at the two ends of the interval.
      const double ra = has_a ? std::exp(log_density(a) - log_pi) : 0.0;
      const double rb = has_b ? std::exp(log_density(b) - log_pi) : 0.0;
      const double la = ra, lb = -rb;  // d nll / da, d nll / db
      const int ia = c, ib = c + 1;     // positions of theta_c, theta_{c+1} in v
      out.d1(i, 0) = -(la + lb);
      if (has_a) out.d1(i, ia) = la;
      if (has_b) out.d1(i, ib) = lb;
      if (order < 2) continue;
      const double haa = has_a ? density_slope(a) * ra + ra * ra : 0.0;
      const double hbb = has_b ? -density_slope(b) * rb + rb * rb : 0.0;
      const double hab = -ra * rb;
      out.d2(i, packed_index(0, 0, d)) = haa + 2 * hab + hbb;
      if (has_a) {
        out.d2(i, packed_index(0, ia, d)) = -(haa + hab);
        out.d2(i, packed_index(ia, ia, d)) = haa;
      }
      if (has_b) {
        out.d2(i, packed_index(0, ib, d)) = -(hab + hbb);
        out.d2(i, packed_index(ib, ib, d)) = hbb;
      }
      if (has_a && has_b) out.d2(i, packed_index(ia, ib, d)) = hab;
    }
  }

  double start_eta(int, double, double) const override { return std::nan(""); }
  // Cut-points at the quantiles of the weighted cumulative class proportions.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>&,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(k_);
    for (Index i = 0; i < y.size(); ++i) counts[static_cast<int>(y[i])] += w[i];
    // Half a pseudo-observation per class keeps empty classes finite and ordered.
    counts.array() += 0.5;
    const double total = counts.sum();
    Eigen::VectorXd theta(k_ - 1);
    double cum = 0;
    for (int k = 0; k < k_ - 1; ++k) {
      cum += counts[k];
      theta[k] = quantile(cum / total);
    }
    return theta;
  }

  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i)
      for (int c = 0; c < k_; ++c) {
        const double a = c > 0 ? aux[c - 1] - U(i, 0) : -math::kInf;
        const double b = c < k_ - 1 ? aux[c] - U(i, 0) : math::kInf;
        out(i, c) = std::exp(log_interval(a, b));
      }
  }

 private:
  double log_cdf(double x) const {
    if (x == math::kInf) return 0.0;
    if (x == -math::kInf) return -math::kInf;
    return link_ == OrdinalLink::logit ? -math::log1pexp(-x) : math::log_pnorm(x);
  }
  double log_density(double x) const {
    if (link_ == OrdinalLink::logit) return -std::abs(x) - 2.0 * math::log1pexp(-std::abs(x));
    return math::log_dnorm(x);
  }
  // f'(x) / f(x).
  double density_slope(double x) const {
    return link_ == OrdinalLink::logit ? 1.0 - 2.0 * math::expit(x) : -x;
  }
  double quantile(double p) const {
    if (link_ == OrdinalLink::logit) return std::log(p / (1 - p));
    // Acklam-free: Newton on Phi from the logistic approximation.
    double x = std::log(p / (1 - p)) / 1.702;
    for (int it = 0; it < 50; ++it) {
      const double step = (math::pnorm(x) - p) / math::dnorm(x);
      x -= step;
      if (std::abs(step) < 1e-14) break;
    }
    return x;
  }
  // log(F(b) - F(a)) for a < b; F symmetric, so the upper tail is F(-x).
  double log_interval(double a, double b) const {
    if (!(b > a)) return -math::kInf;
    if (a + b <= 0) return log_cdf(b) + (a == -math::kInf ? 0.0 : math::log1mexp(log_cdf(a) - log_cdf(b)));
    return log_cdf(-a) + (b == math::kInf ? 0.0 : math::log1mexp(log_cdf(-b) - log_cdf(-a)));
  }

  OrdinalLink link_;
  std::vector<std::string> levels_;
};

}  // namespace probml
