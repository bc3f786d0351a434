#pragma once
// Counts: Bernoulli (prob), binomial (size fixed, prob) and Poisson (lambda).
// Their MLEs are sample proportions and means. At an MLE on the boundary
// (a proportion of 0 or 1, a Poisson mean of 0) the information is
// infinite: the estimate has variance zero.
#include "../../util/random.hpp"
#include "distribution.hpp"

namespace probml {

class BernoulliDist : public DistributionOf<BernoulliDist> {
 public:
  BernoulliDist()
      : DistributionOf({"bernoulli",
                        {{"prob", ParamKind::probability}},
                        Support::binary, "0 or 1",
                        /* needs_spread */ false, /* min_n */ 1, /* discrete */ true, /* regular */ true,
                        /* label */ "Bernoulli"}) {}

  double log_density_at(double x, const double* p) const {
    return x == 1 ? std::log(p[0]) : std::log1p(-p[0]);
  }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    const double q = 1 - p[0];
    s[0] = x / p[0] - (1 - x) / q;
    h[0] = -x / (p[0] * p[0]) - (1 - x) / (q * q);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    return Eigen::MatrixXd::Constant(1, 1, 1 / (p[0] * (1 - p[0])));
  }
  // The median in R's sense (qbinom(0.5, 1, prob)): the smallest k with P(X <= k) >= 1/2.
  Moments moments(const Eigen::VectorXd& p) const override {
    return {p[0], p[0] * (1 - p[0]), p[0] <= 0.5 ? 0.0 : 1.0, false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = g.uniform() < p[0] ? 1.0 : 0.0;
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    DistFit f;
    f.params = Eigen::VectorXd::Constant(1, mean_of(x));
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    const double ph = f.params[0], n = static_cast<double>(x.n);
    f.loglik = n * ((ph > 0 ? ph * std::log(ph) : 0.0) + (ph < 1 ? (1 - ph) * std::log1p(-ph) : 0.0));
    f.observed = n * fisher(f.params);
    return f;
  }
};

class BinomialDist : public DistributionOf<BinomialDist> {
 public:
  BinomialDist()
      : DistributionOf({"binomial",
                        {{"size", ParamKind::trials}, {"prob", ParamKind::probability}},
                        Support::count_to_trials, "whole numbers from 0 to size",
                        /* needs_spread */ false, /* min_n */ 1, /* discrete */ true, /* regular */ true,
                        /* label */ "binomial"}) {}

  double log_density_at(double x, const double* p) const { return math::log_dbinom(x, p[0], p[1]); }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    const double q = 1 - p[1];
    s[0] = x / p[1] - (p[0] - x) / q;
    h[0] = -x / (p[1] * p[1]) - (p[0] - x) / (q * q);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    return Eigen::MatrixXd::Constant(1, 1, p[0] / (p[1] * (1 - p[1])));
  }
  // Every median lies in [floor(n p), ceil(n p)] (Kaas & Buhrman 1980); R's
  // is the smaller one if P(X <= floor(n p)) >= 1/2.
  Moments moments(const Eigen::VectorXd& p) const override {
    const double n = p[0], pr = p[1], lo = std::floor(n * pr);
    double median = lo;
    if (lo < n && lo != n * pr) {
      const double cdf = lo < 0 ? 0 : 1 - math::beta_i(pr, lo + 1, n - lo);  // P(X <= lo)
      if (cdf < 0.5) median = lo + 1;
    }
    return {n * pr, n * pr * (1 - pr), median, false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    for (long i = 0; i < n; ++i) x[i] = random::binomial(g, p[0], p[1]);
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd& p, bool) const override {
    DistFit f;
    f.params = p;
    f.params[1] = mean_of(x) / p[0];
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    const double size = p[0], ph = f.params[1], n = static_cast<double>(x.n);
    const double log_choose = math::log_factorial(size) * n -
                              sum_of(x, [&](double v) { return math::log_factorial(v) + math::log_factorial(size - v); });
    const double k = ph * size * n;  // successes
    f.loglik = log_choose + (k > 0 ? k * std::log(ph) : 0.0) + (ph < 1 ? (size * n - k) * std::log1p(-ph) : 0.0);
    f.observed = n * fisher(f.params);
    return f;
  }
};

class PoissonDist : public DistributionOf<PoissonDist> {
 public:
  PoissonDist()
      : DistributionOf({"poisson",
                        {{"lambda", ParamKind::positive}},
                        Support::count, "non-negative whole numbers",
                        /* needs_spread */ false, /* min_n */ 1, /* discrete */ true, /* regular */ true,
                        /* label */ "Poisson"}) {}

  double log_density_at(double x, const double* p) const { return math::log_dpois(x, p[0]); }
  void derivatives_at(double x, const double* p, double* s, double* h) const {
    s[0] = x / p[0] - 1;
    h[0] = -x / (p[0] * p[0]);
  }
  Eigen::MatrixXd fisher(const Eigen::VectorXd& p) const override {
    return Eigen::MatrixXd::Constant(1, 1, 1 / p[0]);
  }
  // Every median lies in [lambda - log 2, lambda + 1/3) (Choi 1994): at most
  // two whole numbers, told apart by P(X <= k) = Q(k + 1, lambda).
  Moments moments(const Eigen::VectorXd& p) const override {
    const double lambda = p[0];
    double k = std::max(0.0, std::ceil(lambda - 0.6931471805599453));
    if (math::gamma_q(k + 1, lambda) < 0.5) k += 1;
    return {lambda, lambda, k, false};
  }
  void sample(const Eigen::VectorXd& p, Xoshiro256& g, double* x, long n) const override {
    random::check_count_parameter(p[0], "the Poisson mean lambda");
    for (long i = 0; i < n; ++i) x[i] = random::poisson(g, p[0]);
  }
  DistFit mle(const Sample& x, const Eigen::VectorXd&, bool) const override {
    DistFit f;
    f.params = Eigen::VectorXd::Constant(1, mean_of(x));
    return f;
  }
  DistFit fit(const Sample& x, const Eigen::VectorXd& p, bool use_start) const override {
    DistFit f = mle(x, p, use_start);
    const double lam = f.params[0], n = static_cast<double>(x.n);
    const double log_fact = sum_of(x, [](double v) { return math::log_factorial(v); });
    f.loglik = (lam > 0 ? n * lam * std::log(lam) : 0.0) - n * lam - log_fact;
    f.observed = n * fisher(f.params);
    return f;
  }
};

}  // namespace probml
