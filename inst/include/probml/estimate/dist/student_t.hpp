#pragma once
// Student t (location, scale, df): location + scale * T_df. The MLE is
// Newton's method in (location, log scale, log df) from the median, the
// scaled MAD and df = 5. On data with Gaussian tails the likelihood keeps
// rising as df grows: the fit then reports that it did not converge.
#include "../../util/random.hpp"
#include <vector>
#include "distribution.hpp"

namespace probml {

class StudentTDist : public DistributionOf<StudentTDist> {
 public:
  StudentTDist()
      : DistributionOf({"student_t",
                        {{"location", ParamKind::real}, {"scale", ParamKind::positive}, {"df", ParamKind::positive}},
                        Support::real, "finite numbers",
                        /* needs_spread */ true, /* min_n */ 3, /* discrete */ false, /* regular */ true,
                        /* label */ "Student t"}) {}

  struct Context {
    double m, s, nu;
    double constant;  // lgamma((nu + 1) / 2) - lgamma(nu / 2) - log(nu pi) / 2 - log s
    double dpsi;      // digamma((nu + 1) / 2) - digamma(nu / 2) - 1 / nu
    double tpsi;      // (trigamma((nu + 1) / 2) - trigamma(nu / 2)) / 2 + 1 / nu^2
  };
  Context context(const double* p) const {
    const double nu = p[2];
    return {p[0], p[1], nu,
            std::lgamma(0.5 * (nu + 1)) - std::lgamma(0.5 * nu) - 0.5 * std::log(nu * math::kPi) - std::log(p[1]),
            math::digamma(0.5 * (nu + 1)) - math::digamma(0.5 * nu) - 1 / nu,
            0.5 * (math::trigamma(0.5 * (nu + 1)) - math::trigamma(0.5 * nu)) + 1 / (nu * nu)};
  }
  double log_density_at(double x, const Context& c) const {
    const double r = (x - c.m) / c.s;
    return c.constant - 0.5 * (c.nu + 1) * std::log1p(r * r / c.nu);
  }
  void derivatives_at(double x, const Context& c, double* g, double* h) const {
    const double nu = c.nu, s = c.s, r = (x - c.m) / s, r2 = r * r, D = nu + r2, D2 = D * D;
    const double w = (nu + 1) / D, nuD = nu * D;
    g[0] = w * r / s;
    g[1] = (w * r2 - 1) / s;
    g[2] = 0.5 * (c.dpsi - std::log1p(r2 / nu) + (nu + 1) * r2 / nuD);
    h[0] = -(nu + 1) * (nu - r2) / (s * s * D2);                                  // m m
    h[1] = -2 * nu * (nu + 1) * r / (s * s * D2);                                 // s m
    h[2] = -2 * nu * (nu + 1) * r2 / (s * s * D2) - (w * r2 - 1) / (s * s);       // s s
    h[3] = (r / s) * (r2 - 1) / D2;                                               // nu m
    h[4] = (r2 / s) * (r2 - 1) / D2;                                              // nu s
    h[5] = 0.5 * (c.tpsi + r2 / nuD + r2 * (nuD - (nu + 1) * (2 * nu + r2)) / (nuD * nuD));  // nu nu
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    const double s = p[1], v = p[2];
    const double i_ss = 2 * v / ((v + 3) * s * s), i_sv = -2 / ((v + 1) * (v + 3) * s);
    const double i_vv = (math::trigamma(v / 2) - math::trigamma((v + 1) / 2)) / 4 -
                        (v + 5) / (2 * v * (v + 1) * (v + 3));
    Eigen::MatrixXd I(3, 3);
    I << (v + 1) / ((v + 3) * s * s), 0, 0, 0, i_ss, i_sv, 0, i_sv, i_vv;
    return I;
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    const double nu = p[2], nan = std::numeric_limits<double>::quiet_NaN();
    const double var = nu > 2 ? p[1] * p[1] * nu / (nu - 2) : (nu > 1 ? math::kInf : nan);
    return {nu > 1 ? p[0] : nan, var, p[0], true};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = p[0] + p[1] * random::student_t(g, p[2]);
  }

  DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    Eigen::VectorXd theta(3);
    if (use_start) {
      theta << p[0], std::log(p[1]), std::log(p[2]);
    } else {
      std::vector<double> copy(x.x, x.x + x.n);
      const double med = median_in_place(copy.data(), x.n);
      for (auto& v : copy) v = std::abs(v - med);
      double s = 1.482602218505602 * median_in_place(copy.data(), x.n);
      if (!(s > 0)) s = std::sqrt(sum_of(x, [&](double v) { return (v - med) * (v - med); }) / x.n);
      theta << med, std::log(s), std::log(5.0);
    }
    const auto f = [&](const Eigen::VectorXd& th, int order, Eigen::VectorXd& g, Eigen::MatrixXd& H) {
      if (!(std::abs(th[1]) < 700 && std::abs(th[2]) < 700)) return std::nan("");
      Eigen::VectorXd q(3);
      q << th[0], std::exp(th[1]), std::exp(th[2]);
      const double value = loglik(x, q);
      if (order >= 2) {
        sum_derivatives(x, q.data(), g, H);
        const Eigen::Vector3d J(1, q[1], q[2]);  // d natural / d theta
        H = J.asDiagonal() * H * J.asDiagonal();
        H(1, 1) += q[1] * g[1];
        H(2, 2) += q[2] * g[2];
        g = J.cwiseProduct(g);
      }
      return value;
    };
    DistFit out = newton_maximize(f, theta);
    out.params = Eigen::Vector3d(out.params[0], std::exp(out.params[1]), std::exp(out.params[2]));
    if (out.params[2] > 1e6) out.converged = false;  // df heads for infinity: Gaussian tails
    return out;
  }

};

}  // namespace probml
