#pragma once
// Student t location-scale: v = (mu, log sigma[, log df]); df fixed or estimated.
#include "../util/math.hpp"
#include "location_scale.hpp"

namespace probml {

class StudentTFamily : public LocationScaleFamily {
 public:
  // Fixed degrees of freedom; estimated(): df is the second auxiliary
  // parameter, log df.
  explicit StudentTFamily(double df) : df_(df), estimate_df_(false) {
    if (!(df > 0) || !std::isfinite(df)) throw DomainError("the degrees of freedom df must be positive and finite");
  }
  static StudentTFamily estimated() { return StudentTFamily(); }
  std::string name() const override { return "student_t"; }
  std::string label() const override {
    return estimate_df_ ? "Student t (df estimated)" : "Student t (df = " + format_number(df_) + ")";
  }
  int n_aux() const override { return estimate_df_ ? 2 : 1; }
  std::string predictive_distribution() const override { return "student_t"; }
  double predictive_shape(const Eigen::VectorXd& aux) const override { return df(aux); }
  std::vector<std::string> aux_names() const override {
    if (estimate_df_) return {"log(sigma)", "log(df)"};
    return {"log(sigma)"};
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const int d = n_local();
    const double log_s = aux[0], inv_s = std::exp(-log_s), nu = df(aux);
    const double log_const = std::lgamma(0.5 * nu) - std::lgamma(0.5 * (nu + 1)) +
                             0.5 * std::log(nu * math::kPi);
    double dconst_dnu = 0, d2const_dnu2 = 0;
    if (estimate_df_) {
      dconst_dnu = 0.5 * (math::digamma(0.5 * nu) - math::digamma(0.5 * (nu + 1)) + 1.0 / nu);
      d2const_dnu2 = 0.25 * (math::trigamma(0.5 * nu) - math::trigamma(0.5 * (nu + 1))) - 0.5 / (nu * nu);
    }
    out.resize(U.rows(), d, order);
    for (Index i = 0; i < U.rows(); ++i) {
      const double z = (y[i] - U(i, 0)) * inv_s, z2 = z * z, den = nu + z2;
      const double log_q = std::log1p(z2 / nu);
      out.value[i] = log_const + log_s + 0.5 * (nu + 1) * log_q;
      if (order < 1) continue;
      const double g = (nu + 1) * z / den;  // d nll / dz
      out.d1(i, 0) = -g * inv_s;
      out.d1(i, 1) = 1.0 - g * z;
      // d nll / d nu, then chained to log nu.
      const double h = (nu + 1) * z2 / (nu * den);
      const double dnu = dconst_dnu + 0.5 * (log_q - h);
      if (estimate_df_) out.d1(i, 2) = nu * dnu;
      if (order < 2) continue;
      const double dg = (nu + 1) * (nu - z2) / (den * den);
      out.d2(i, packed_index(0, 0, d)) = dg * inv_s * inv_s;
      out.d2(i, packed_index(0, 1, d)) = (dg * z + g) * inv_s;
      out.d2(i, packed_index(1, 1, d)) = dg * z2 + g * z;
      if (estimate_df_) {
        const double dg_dnu = z * (z2 - 1.0) / (den * den);
        const double dlogq_dnu = 1.0 / den - 1.0 / nu;
        const double nd = nu * nu + nu * z2;
        const double dh_dnu = z2 * (nd - (nu + 1) * (2 * nu + z2)) / (nd * nd);
        const double dnu2 = d2const_dnu2 + 0.5 * (dlogq_dnu - dh_dnu);
        out.d2(i, packed_index(0, 2, d)) = -dg_dnu * inv_s * nu;
        out.d2(i, packed_index(1, 2, d)) = -dg_dnu * z * nu;
        out.d2(i, packed_index(2, 2, d)) = nu * dnu + nu * nu * dnu2;
      }
    }
  }

  bool has_expected() const override { return !estimate_df_; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    if (estimate_df_) Family::local_expected(U, aux, info);
    const double nu = df_;
    info.resize(U.rows(), 3);
    info.col(0).setConstant((nu + 1) / ((nu + 3) * std::exp(2.0 * aux[0])));
    info.col(1).setZero();
    info.col(2).setConstant(2.0 * nu / (nu + 3));
  }

  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& U,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    Eigen::VectorXd a(n_aux());
    a[0] = log_mean_abs(U, y, w);
    if (estimate_df_) a[1] = std::log(10.0);
    return a;
  }

 protected:
  double standardised_variance(const Eigen::VectorXd& aux) const override {
    const double nu = df(aux);
    return nu > 2 ? nu / (nu - 2) : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  StudentTFamily() : df_(std::numeric_limits<double>::quiet_NaN()), estimate_df_(true) {}
  double df(const Eigen::VectorXd& aux) const { return estimate_df_ ? std::exp(aux[1]) : df_; }
  double df_;
  bool estimate_df_;
};

}  // namespace probml
