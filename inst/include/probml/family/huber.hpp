#pragma once
// Huber: the normalised density exp(-rho_delta(z)) / (s c(delta)), z = (y - mu) / s,
// rho quadratic for |z| <= delta and linear beyond; v = (mu, log s).
#include "../util/math.hpp"
#include "location_scale.hpp"

namespace probml {

class HuberFamily : public LocationScaleFamily {
 public:
  // Huber's threshold for 95% efficiency at the Gaussian.
  static constexpr double kDefaultDelta = 1.345;

  explicit HuberFamily(double delta = kDefaultDelta) : delta_(delta), log_norm_(math::huber_log_norm(delta)) {
    if (!(delta > 0) || !std::isfinite(delta)) throw DomainError("the Huber threshold delta must be positive and finite");
  }
  std::string name() const override { return "huber"; }
  std::string label() const override { return "Huber (delta = " + format_number(delta_) + ")"; }
  int n_aux() const override { return 1; }
  std::string predictive_distribution() const override { return "huber"; }
  double predictive_shape(const Eigen::VectorXd&) const override { return delta_; }
  std::vector<std::string> aux_names() const override { return {"log(scale)"}; }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const double log_s = aux[0], inv_s = std::exp(-log_s);
    out.resize(U.rows(), 2, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double z = (y[i] - U(i, 0)) * inv_s;
      const bool inner = std::abs(z) <= delta_;
      const double psi = inner ? z : (z > 0 ? delta_ : -delta_);
      const double rho = inner ? 0.5 * z * z : delta_ * std::abs(z) - 0.5 * delta_ * delta_;
      out.value[i] = log_s + rho + log_norm_;
      if (order >= 1) {
        out.d1(i, 0) = -psi * inv_s;
        out.d1(i, 1) = 1.0 - psi * z;
      }
      if (order >= 2) {
        const double dpsi = inner ? 1.0 : 0.0;
        out.d2(i, 0) = dpsi * inv_s * inv_s;
        out.d2(i, 1) = (dpsi * z + psi) * inv_s;
        out.d2(i, 2) = dpsi * z * z + psi * z;
      }
    }
  }

  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    return Eigen::VectorXd::Constant(1, log_mean_abs(U, y, w));
  }

 protected:
  double standardised_variance(const Eigen::VectorXd&) const override {
    return math::huber_variance(delta_);
  }

 private:
  double delta_, log_norm_;
};

}  // namespace probml
