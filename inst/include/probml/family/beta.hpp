#pragma once
// Beta regression: mean mu = expit(eta), precision phi = exp(s); v = (eta, s).
// The precision is one auxiliary parameter shared by all rows, or, with a
// precision model (`y ~ x | z`, as betareg), a second linear predictor with
// its own formula part (log link). With a = mu phi and b = (1 - mu) phi the nll is
//   -lgamma(phi) + lgamma(a) + lgamma(b) - (a - 1) log y - (b - 1) log(1 - y),
// and the derivatives in v follow from those in (a, b) by the chain rule.
#include "../util/math.hpp"
#include "family.hpp"

namespace probml {

class BetaFamily : public Family {
 public:
  explicit BetaFamily(bool precision_model = false) : model_(precision_model) {}
  std::string name() const override { return "beta"; }
  std::string label() const override {
    return model_ ? "Beta (logit link for the mean, log link for the precision)" : "Beta (logit link for the mean)";
  }
  int n_linear() const override { return model_ ? 2 : 1; }
  int n_aux() const override { return model_ ? 0 : 1; }
  int n_formula_parts() const override { return model_ ? 2 : 1; }
  int max_formula_parts() const override { return 2; }
  std::vector<std::string> linear_predictor_names() const override {
    return model_ ? std::vector<std::string>{"mean", "log(phi)"} : std::vector<std::string>{"link"};
  }
  std::string coefficient_prefix(int j) const override { return j == 0 ? "" : "log(phi):"; }
  std::vector<std::string> aux_names() const override {
    return model_ ? std::vector<std::string>{} : std::vector<std::string>{"log(phi)"};
  }

  std::string response_kind() const override { return "unit"; }
  std::string predictive_distribution() const override { return "beta"; }
  std::string support_text() const override { return "strictly between 0 and 1"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    for (Index i = 0; i < y.size(); ++i)
      if (!(y[i] > 0 && y[i] < 1)) return i;
    return -1;
  }
  // The mean at y, the precision kept.
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    Eigen::MatrixXd at_y = U;
    for (Index i = 0; i < y.size(); ++i) at_y(i, 0) = std::log(y[i] / (1 - y[i]));
    LocalDerivs ld;
    local(at_y, y, aux, 0, ld);
    out = ld.value;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    out.resize(U.rows(), 2, order);
    Precision shared;
    if (!model_) shared = Precision(aux[0], order);
    for (Index i = 0; i < U.rows(); ++i) {
      const Precision pr = model_ ? Precision(U(i, 1), order) : shared;
      const double phi = pr.phi;
      const double mu = math::expit(U(i, 0)), a = mu * phi, b = (1 - mu) * phi;
      const double log_y = std::log(y[i]), log_1my = std::log1p(-y[i]);
      out.value[i] = -pr.lgamma + std::lgamma(a) + std::lgamma(b) - (a - 1) * log_y - (b - 1) * log_1my;
      if (order < 1) continue;
      const double la = math::digamma(a) - pr.digamma - log_y, lb = math::digamma(b) - pr.digamma - log_1my;
      const double m = mu * (1 - mu);
      // Jacobian of (a, b) in (eta, s).
      const double a_eta = phi * m, b_eta = -phi * m, a_s = a, b_s = b;
      out.d1(i, 0) = la * a_eta + lb * b_eta;
      out.d1(i, 1) = la * a_s + lb * b_s;
      if (order < 2) continue;
      const double haa = math::trigamma(a) - pr.trigamma, hbb = math::trigamma(b) - pr.trigamma, hab = -pr.trigamma;
      const double a_ee = phi * m * (1 - 2 * mu), a_es = phi * m;
      out.d2(i, 0) = haa * a_eta * a_eta + 2 * hab * a_eta * b_eta + hbb * b_eta * b_eta +
                     (la - lb) * a_ee;
      out.d2(i, 1) = haa * a_eta * a_s + hab * (a_eta * b_s + b_eta * a_s) + hbb * b_eta * b_s +
                     (la - lb) * a_es;
      out.d2(i, 2) = haa * a_s * a_s + 2 * hab * a_s * b_s + hbb * b_s * b_s + la * a + lb * b;
    }
  }

  // The score has mean zero, so E[Hessian] keeps only the J' H_ab J part.
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    info.resize(U.rows(), 3);
    for (Index i = 0; i < U.rows(); ++i) {
      const double phi = std::exp(model_ ? U(i, 1) : aux[0]), tg_phi = math::trigamma(phi);
      const double mu = math::expit(U(i, 0)), a = mu * phi, b = (1 - mu) * phi, m = mu * (1 - mu);
      const double haa = math::trigamma(a) - tg_phi, hbb = math::trigamma(b) - tg_phi, hab = -tg_phi;
      const double a_eta = phi * m, b_eta = -phi * m;
      info(i, 0) = haa * a_eta * a_eta + 2 * hab * a_eta * b_eta + hbb * b_eta * b_eta;
      info(i, 1) = haa * a_eta * a + hab * (a_eta * b + b_eta * a) + hbb * b_eta * b;
      info(i, 2) = haa * a * a + 2 * hab * a * b + hbb * b * b;
    }
  }

  // The mean starts at logit(y); a precision model at a per-row moment
  // estimate log(mu (1 - mu) / r^2 - 1), r = y - mu (1.27 undoes the mean
  // of log chi2_1, as for the log-variance), floored at phi = 1.
  double start_eta(int j, double y, double u_first) const override {
    if (j == 0) return std::log(y / (1 - y));
    const double mu = math::expit(u_first), r = y - mu;
    const double log_1p_phi = std::min(std::log(mu * (1 - mu)) - std::log(r * r + 1e-10) - 1.2703628454614782, 30.0);
    return std::log(std::max(std::expm1(log_1p_phi), 1.0));
  }
  // Method of moments on the starting means: phi = mean(mu (1 - mu) / (y - mu)^2) - 1.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    if (model_) return Eigen::VectorXd(0);
    double var_sum = 0, mv_sum = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const double mu = math::expit(U(i, 0)), r = y[i] - mu;
      var_sum += w[i] * r * r;
      mv_sum += w[i] * mu * (1 - mu);
    }
    const double phi = var_sum > 0 ? std::max(mv_sum / var_sum - 1.0, 1.0) : 10.0;
    return Eigen::VectorXd::Constant(1, std::log(phi));
  }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) out(i, 0) = math::expit(U(i, 0));
  }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) {
      const double mu = math::expit(U(i, 0)), phi = std::exp(model_ ? U(i, 1) : aux[0]);
      out[i] = mu * (1 - mu) / (1 + phi);
    }
  }

 private:
  // phi = exp(s) and the functions of it the nll and its derivatives need.
  struct Precision {
    double phi = 0, lgamma = 0, digamma = 0, trigamma = 0;
    Precision() = default;
    Precision(double s, int order)
        : phi(std::exp(s)), lgamma(std::lgamma(phi)), digamma(order >= 1 ? math::digamma(phi) : 0),
          trigamma(order >= 2 ? math::trigamma(phi) : 0) {}
  };
  bool model_;
};

}  // namespace probml
