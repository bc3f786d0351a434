#pragma once
// The Gaussian (mean, sd) and the lognormal (meanlog, sdlog), whose log is
// Gaussian. Closed-form MLEs: the mean and the root mean squared deviation
// (dividing by n).
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

namespace detail {

// Derivatives of log N(z; m, s) in (m, s); the lognormal adds -log x only.
inline void normal_derivatives(double z, double m, double s, double* score, double* hess) {
  const double r = z - m, s2 = s * s;
  score[0] = r / s2;
  score[1] = -1 / s + r * r / (s2 * s);
  hess[0] = -1 / s2;
  hess[1] = -2 * r / (s2 * s);
  hess[2] = 1 / s2 - 3 * r * r / (s2 * s2);
}

inline Eigen::MatrixXd normal_fisher(double s) {
  Eigen::MatrixXd I = Eigen::MatrixXd::Zero(2, 2);
  I(0, 0) = 1 / (s * s);
  I(1, 1) = 2 / (s * s);
  return I;
}

// Mean and root mean squared deviation, two passes.
inline Eigen::VectorXd normal_mle(const Sample& x) {
  const double m = mean_of(x);
  const double ss = sum_of(x, [m](double v) { return (v - m) * (v - m); });
  Eigen::VectorXd p(2);
  p << m, std::sqrt(ss / x.n);
  return p;
}

}  // namespace detail

class GaussianDist : public DistributionOf<GaussianDist> {
 public:
  GaussianDist()
      : DistributionOf({"gaussian",
                        {{"mean", ParamKind::real}, {"sd", ParamKind::positive}},
                        Support::real, "finite numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "Gaussian"}) {}

  double log_density_at(double x, const double* p) const {
    const double z = (x - p[0]) / p[1];
    return -math::kLogSqrt2Pi - std::log(p[1]) - 0.5 * z * z;
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    detail::normal_derivatives(x, p[0], p[1], s, h);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override { return detail::normal_fisher(p[1]); }
  Moments moments(const Eigen::VectorXd& p) const override { return {p[0], p[1] * p[1], p[0], true}; }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    const auto& z = detail::ziggurat_tables();
    for (long i = 0; i < n; ++i) x[i] = p[0] + p[1] * draw_std_normal(g, z);
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    DistFit f;
    f.params = detail::normal_mle(x);
    return f;
  }
  // At the MLE the log-likelihood and the observed information are closed
  // forms of the estimates: no further pass over the data.
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    const double s = f.params[1], n = static_cast<double>(x.n);
    f.loglik = -0.5 * n * (std::log(2 * math::kPi * s * s) + 1);
    f.observed = n * detail::normal_fisher(s);
    return f;
  }
};

class LognormalDist : public DistributionOf<LognormalDist> {
 public:
  LognormalDist()
      : DistributionOf({"lognormal",
                        {{"meanlog", ParamKind::real}, {"sdlog", ParamKind::positive}},
                        Support::positive, "positive numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "log-normal"}) {}

  double log_density_at(double x, const double* p) const {
    const double lx = std::log(x), z = (lx - p[0]) / p[1];
    return -math::kLogSqrt2Pi - std::log(p[1]) - lx - 0.5 * z * z;
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    detail::normal_derivatives(std::log(x), p[0], p[1], s, h);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override { return detail::normal_fisher(p[1]); }
  Moments moments(const Eigen::VectorXd& p) const override {
    const double s2 = p[1] * p[1];
    return {std::exp(p[0] + s2 / 2), std::expm1(s2) * std::exp(2 * p[0] + s2), std::exp(p[0]), false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    const auto& z = detail::ziggurat_tables();
    for (long i = 0; i < n; ++i) x[i] = std::exp(p[0] + p[1] * draw_std_normal(g, z));
  }
  // One pass over the logs, with sums shifted by the first log so that the
  // variance loses no digits to cancellation.
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    const double c = std::log(x.x[0]);
    const LogSums ls = log_sums(x, c);
    const double m = ls.sum / x.n, v = ls.sum_sq / x.n - m * m;
    DistFit f;
    f.params.resize(2);
    f.params << c + m, std::sqrt(std::max(v, 0.0));
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    const double s = f.params[1], n = static_cast<double>(x.n), sum_log = f.params[0] * n;
    f.loglik = -0.5 * n * (std::log(2 * math::kPi * s * s) + 1) - sum_log;
    f.observed = n * detail::normal_fisher(s);
    return f;
  }
};

}  // namespace probml
