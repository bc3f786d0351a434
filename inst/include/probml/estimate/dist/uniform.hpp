#pragma once
// Uniform (min, max): not a regular family (the support moves with the
// parameters), so it has no Fisher information; its MLE is (min x, max x).
// It is here for estimator studies of non-regular models.
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

class UniformDist : public DistributionOf<UniformDist> {
 public:
  UniformDist()
      : DistributionOf({"uniform",
                        {{"min", ParamKind::real}, {"max", ParamKind::real}},
                        Support::real, "finite numbers",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ false,
                        /* label */ "uniform"}) {}
  void check_relations(const Eigen::VectorXd& p) const override {
    if (!(p[0] < p[1])) throw DomainError("parameter min of the uniform distribution must be less than max");
  }

  double log_density_at(double x, const double* p) const {
    return x >= p[0] && x <= p[1] ? -std::log(p[1] - p[0]) : -math::kInf;
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    (void)x;
    const double w = p[1] - p[0];
    s[0] = 1 / w;
    s[1] = -1 / w;
    h[0] = 1 / (w * w);
    h[1] = -1 / (w * w);
    h[2] = 1 / (w * w);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd&) const override {
    throw DomainError(
        "the uniform distribution is not regular (its support depends on min and max), so it has no "
        "Fisher information");
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    const double w = p[1] - p[0];
    return {0.5 * (p[0] + p[1]), w * w / 12, 0.5 * (p[0] + p[1]), true};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = p[0] + (p[1] - p[0]) * g.uniform();
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    DistFit f;
    f.params.resize(2);
    f.params << *std::min_element(x.x, x.x + x.n), *std::max_element(x.x, x.x + x.n);
    return f;
  }
};

}  // namespace probml
