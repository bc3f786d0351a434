#pragma once
// Gaussian: v = (eta, log sigma), or v = eta with sigma known (fixed); the
// mean is mu = eta (identity link), exp(eta) (log) or 1 / eta (inverse; the
// nll is +Inf at eta = 0, where the mean does not exist).
#include <cmath>
#include "../util/math.hpp"
#include "location_scale.hpp"

namespace probml {

enum class GaussianLink { identity, log, inverse };

inline GaussianLink parse_gaussian_link(const std::string& link) {
  if (link.empty() || link == "identity") return GaussianLink::identity;
  if (link == "log") return GaussianLink::log;
  if (link == "inverse") return GaussianLink::inverse;
  throw DomainError("unknown Gaussian link '" + link + "'; the links are identity, log and inverse");
}

class GaussianFamily : public LocationScaleFamily {
 public:
  explicit GaussianFamily(GaussianLink link = GaussianLink::identity) : link_(link) {}
  explicit GaussianFamily(double sigma, GaussianLink link = GaussianLink::identity)
      : fixed_log_sigma_(std::log(sigma)), fixed_(true), link_(link) {
    if (!(sigma > 0) || !std::isfinite(sigma)) throw DomainError("sigma must be positive and finite");
  }
  std::string name() const override { return "gaussian"; }
  std::string label() const override {
    std::string settings;
    if (fixed_) settings = "sigma = " + format_number(std::exp(fixed_log_sigma_));
    if (link_ != GaussianLink::identity) settings += (fixed_ ? ", " : "") + link_name() + " link";
    return settings.empty() ? "Gaussian" : "Gaussian (" + settings + ")";
  }
  int n_aux() const override { return fixed_ ? 0 : 1; }
  std::vector<std::string> aux_names() const override {
    return fixed_ ? std::vector<std::string>() : std::vector<std::string>{"log(sigma)"};
  }
  int log_scale_aux() const override { return fixed_ ? -1 : 0; }
  bool least_squares() const override { return link_ == GaussianLink::identity; }
  double deviance_dispersion(const Eigen::VectorXd& aux) const override {
    return std::exp(2.0 * log_sigma_of(aux));
  }
  bool free_dispersion() const override { return !fixed_; }
  // With sigma known and the identity link the nll is a quadratic in mu:
  // positive curvature.
  bool positive_curvature() const override { return fixed_ && link_ == GaussianLink::identity; }
  bool constant_curvature() const override { return fixed_ && link_ == GaussianLink::identity; }
  bool sigma_fixed() const { return fixed_; }
  std::string predictive_distribution() const override { return "normal"; }
  bool standardised_response(int j, double center, double scale, double& a, double& b) const override {
    if (j != 0 || link_ != GaussianLink::identity) return false;
    a = center;
    b = scale;
    return true;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double log_sigma = log_sigma_of(aux), inv_var = std::exp(-2.0 * log_sigma);
    out.resize(U.rows(), n_local(), order);
    for (Index i = 0; i < U.rows(); ++i) {
      // mu and its derivatives in eta.
      double mu = U(i, 0), m1 = 1, m2 = 0;
      if (link_ != GaussianLink::identity && !inverse_link(U(i, 0), mu, m1, m2)) {
        out.value[i] = math::kInf;
        if (order >= 1) out.d1.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
        if (order >= 2) out.d2.row(i).setConstant(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      const double r = y[i] - mu, r2s = r * r * inv_var;
      out.value[i] = math::kLogSqrt2Pi + log_sigma + 0.5 * r2s;
      if (order >= 1) {
        out.d1(i, 0) = -r * inv_var * m1;
        if (!fixed_) out.d1(i, 1) = 1.0 - r2s;
      }
      if (order >= 2) {
        out.d2(i, 0) = (m1 * m1 - r * m2) * inv_var;
        if (!fixed_) {
          out.d2(i, 1) = 2.0 * r * inv_var * m1;
          out.d2(i, 2) = 2.0 * r2s;
        }
      }
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    const double inv_var = std::exp(-2.0 * log_sigma_of(aux));
    info.resize(U.rows(), packed_size(n_local()));
    if (link_ == GaussianLink::identity) {
      info.col(0).setConstant(inv_var);
    } else {
      for (Index i = 0; i < U.rows(); ++i) {
        double mu, m1, m2;
        inverse_link(U(i, 0), mu, m1, m2);
        info(i, 0) = m1 * m1 * inv_var;
      }
    }
    if (fixed_) return;
    info.col(1).setZero();
    info.col(2).setConstant(2.0);
  }

  // glm's start, mu = y; where g(y) does not exist (y <= 0 for the log
  // link, y = 0 for the inverse) the predictor starts at zero.
  double start_eta(int, double y, double) const override {
    switch (link_) {
      case GaussianLink::identity: return y;
      case GaussianLink::log: return y > 0 ? std::log(y) : std::numeric_limits<double>::quiet_NaN();
      case GaussianLink::inverse: return y != 0 ? 1.0 / y : std::numeric_limits<double>::quiet_NaN();
    }
    return y;
  }
  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i) {
      double mu = U(i, 0), m1, m2;
      if (link_ != GaussianLink::identity) inverse_link(U(i, 0), mu, m1, m2);
      out(i, 0) = mu;
    }
  }
  // The location at y: a zero residual at the estimated scale (glm's
  // deviance is the RSS for every link).
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>&,
                     const Eigen::VectorXd& aux, Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setConstant(math::kLogSqrt2Pi + log_sigma_of(aux));
  }

  // The ML scale given the means: the root mean squared residual.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    if (fixed_) return Eigen::VectorXd(0);
    Eigen::MatrixXd mu(U.rows(), 1);
    mean(U, Eigen::VectorXd(), mu);
    double ss = 0, sw = 0;
    for (Index i = 0; i < y.size(); ++i) {
      const double r = y[i] - mu(i, 0);
      if (!std::isfinite(r)) continue;
      ss += w[i] * r * r;
      sw += w[i];
    }
    const double ms = sw > 0 ? ss / sw : 0.0;
    if (!(ms > 0)) return Eigen::VectorXd::Constant(1, log_mean_abs(mu, y, w));  // throws: no scale
    return Eigen::VectorXd::Constant(1, 0.5 * std::log(ms));
  }

 protected:
  double standardised_variance(const Eigen::VectorXd&) const override { return 1.0; }
  double log_scale_of(const Eigen::VectorXd& aux) const override { return log_sigma_of(aux); }

 private:
  std::string link_name() const {
    return link_ == GaussianLink::log ? "log" : link_ == GaussianLink::inverse ? "inverse" : "identity";
  }
  // mu and its first two derivatives in eta; false where mu does not exist
  // (eta = 0 for the inverse link) or is not finite.
  bool inverse_link(double eta, double& mu, double& m1, double& m2) const {
    if (link_ == GaussianLink::log) {
      mu = m1 = m2 = std::exp(eta);
    } else if (link_ == GaussianLink::inverse) {
      mu = 1.0 / eta;
      m1 = -mu * mu;
      m2 = -2.0 * m1 * mu;
    } else {
      mu = eta;
      m1 = 1;
      m2 = 0;
    }
    return std::isfinite(mu) && std::isfinite(m2);
  }
  double log_sigma_of(const Eigen::VectorXd& aux) const { return fixed_ ? fixed_log_sigma_ : aux[0]; }
  double fixed_log_sigma_ = 0;
  bool fixed_ = false;
  GaussianLink link_ = GaussianLink::identity;
};

}  // namespace probml
