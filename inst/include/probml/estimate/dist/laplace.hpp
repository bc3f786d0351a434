#pragma once
// Laplace (location, scale). The MLE is the median (R's, the midpoint of the
// two middle values for even n) and the mean absolute deviation from it.
// The log-likelihood is not differentiable in the location, so the observed
// information is taken to be the expected one, whose location entry
// 1 / scale^2 is the variance of the score.
#include <vector>
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

class LaplaceDist : public DistributionOf<LaplaceDist> {
 public:
  LaplaceDist()
      : DistributionOf({"laplace",
                        {{"location", ParamKind::real}, {"scale", ParamKind::positive}},
                        Support::real, "finite numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "Laplace"}) {}

  double log_density_at(double x, const double* p) const {
    return -std::log(2 * p[1]) - std::abs(x - p[0]) / p[1];
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    const double r = x - p[0], sg = (r > 0) - (r < 0), b = p[1];
    s[0] = sg / b;
    s[1] = -1 / b + std::abs(r) / (b * b);
    h[0] = 0;
    h[1] = -sg / (b * b);
    h[2] = 1 / (b * b) - 2 * std::abs(r) / (b * b * b);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    return Eigen::MatrixXd::Identity(2, 2) / (p[1] * p[1]);
  }
  Moments moments(const Eigen::VectorXd& p) const override { return {p[0], 2 * p[1] * p[1], p[0], true}; }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) {
      const double u = g.uniform() - 0.5;         // [-0.5, 0.5)
      const double m = 1.0 - 2.0 * std::fabs(u);  // (0, 1]
      x[i] = p[0] - p[1] * (u < 0 ? -1.0 : 1.0) * std::log(m);
    }
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    std::vector<double> copy(x.x, x.x + x.n);
    const double med = median_in_place(copy.data(), x.n);
    DistFit f;
    f.params.resize(2);
    f.params << med, sum_of(x, [med](double v) { return std::abs(v - med); }) / x.n;
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    f.loglik = -x.n * (std::log(2 * f.params[1]) + 1);
    f.observed = x.n * fisher(f.params);
    return f;
  }
};

}  // namespace probml
