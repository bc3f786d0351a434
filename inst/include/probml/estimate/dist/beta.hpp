#pragma once
// Beta (shape1, shape2) on (0, 1). Its log-likelihood depends on the data
// through mean(log x) and mean(log(1 - x)) only, and is concave in the
// shapes: the MLE is Newton's method on those two sums.
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

class BetaDist : public DistributionOf<BetaDist> {
 public:
  BetaDist()
      : DistributionOf({"beta",
                        {{"shape1", ParamKind::positive}, {"shape2", ParamKind::positive}},
                        Support::unit_open, "numbers strictly between 0 and 1",
                        /* needs_spread */ true, /* min_n */ 2, /* discrete */ false, /* regular */ true,
                        /* label */ "beta"}) {}

  struct Context {
    const double* p;
    double log_norm;  // lgamma(a + b) - lgamma(a) - lgamma(b)
  };
  Context context(const double* p) const { return {p, log_norm(p[0], p[1])}; }
  double log_density_at(double x, const Context& c) const {
    return c.log_norm + (c.p[0] - 1) * std::log(x) + (c.p[1] - 1) * std::log1p(-x);
  }
  void derivatives_at(double x, const Context& c, double* s, double* h) const {
    const double a = c.p[0], b = c.p[1], d0 = math::digamma(a + b), t0 = math::trigamma(a + b);
    s[0] = d0 - math::digamma(a) + std::log(x);
    s[1] = d0 - math::digamma(b) + std::log1p(-x);
    h[0] = t0 - math::trigamma(a);
    h[1] = t0;
    h[2] = t0 - math::trigamma(b);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    const double t0 = math::trigamma(p[0] + p[1]);
    Eigen::MatrixXd I(2, 2);
    I << math::trigamma(p[0]) - t0, -t0, -t0, math::trigamma(p[1]) - t0;
    return I;
  }
  Moments moments(const Eigen::VectorXd& p) const override {
    const double a = p[0], b = p[1], s = a + b;
    return {a / s, a * b / (s * s * (s + 1)), median(a, b), a == b};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = random::beta(g, p[0], p[1]);
  }

  DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    const Stats st = stats(x);
    const double n = static_cast<double>(x.n);
    Eigen::VectorXd start(2);
    if (use_start) {
      start << std::log(p[0]), std::log(p[1]);
    } else {
      // Method of moments, floored so that the start is feasible.
      double k = st.mean * (1 - st.mean) / st.var - 1;
      if (!(k > 0)) k = 1;
      start << std::log(st.mean * k), std::log((1 - st.mean) * k);
    }
    const auto f = [&](const Eigen::VectorXd& th, int order, Eigen::VectorXd& g, Eigen::MatrixXd& H) {
      const double a = std::exp(th[0]), b = std::exp(th[1]);
      const double value = n * (log_norm(a, b) + (a - 1) * st.mean_log + (b - 1) * st.mean_log1m);
      if (order >= 2) {
        const double d0 = math::digamma(a + b), t0 = math::trigamma(a + b);
        const double ga = n * (d0 - math::digamma(a) + st.mean_log), gb = n * (d0 - math::digamma(b) + st.mean_log1m);
        g.resize(2);
        g << a * ga, b * gb;
        H.resize(2, 2);
        H(0, 0) = a * a * n * (t0 - math::trigamma(a)) + a * ga;
        H(1, 1) = b * b * n * (t0 - math::trigamma(b)) + b * gb;
        H(0, 1) = H(1, 0) = a * b * n * t0;
      }
      return value;
    };
    DistFit out = newton_maximize(f, start);
    out.params = out.params.array().exp().matrix();
    return out;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    f.observed = x.n * fisher(f.params);  // the Hessian does not involve the data
    return f;                           // f.loglik is the maximised value
  }

 private:
  struct Stats {
    double mean, var, mean_log, mean_log1m;
  };
  static Stats stats(const Sample& x) {
    Stats s;
    const double n = static_cast<double>(x.n);
    s.mean = mean_of(x);
    s.var = sum_of(x, [&](double v) { return (v - s.mean) * (v - s.mean); }) / (n - 1);
    s.mean_log = sum_of(x, [](double v) { return std::log(v); }) / n;
    s.mean_log1m = sum_of(x, [](double v) { return std::log1p(-v); }) / n;
    return s;
  }
  static double log_norm(double a, double b) { return std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b); }
  // Bisection-safeguarded Newton on I_t(a, b) = 1/2.
  static double median(double a, double b) {
    double lo = 0, hi = 1, t = a >= 1 && b >= 1 ? (a - 1.0 / 3) / (a + b - 2.0 / 3) : a / (a + b);
    for (int it = 0; it < 200; ++it) {
      const double f = math::beta_i(t, a, b) - 0.5;
      if (f > 0) hi = t; else lo = t;
      const double dens = std::exp(log_norm(a, b) + (a - 1) * std::log(t) + (b - 1) * std::log1p(-t));
      double next = t - f / dens;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (std::abs(next - t) <= 1e-15 * std::max(t, 1e-300)) return next;
      t = next;
    }
    return t;
  }
};

}  // namespace probml
