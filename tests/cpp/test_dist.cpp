// The distribution table: derivatives against finite differences, Fisher
// information against the expected Hessian, MLEs at a stationary point,
// samplers against the moments.
#include <gtest/gtest.h>

#include <probml/estimate/dist/table.hpp>
#include <vector>

namespace {

using probml::Distribution;
using probml::find_distribution;
using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Case {
  std::string name;
  std::vector<double> params;
};

// Parameters for each distribution, away from any boundary.
std::vector<Case> cases() {
  return {{"gaussian", {1.5, 2}},      {"bernoulli", {0.3}},        {"binomial", {12, 0.35}},
          {"poisson", {4.2}},          {"exponential", {1.7}},      {"gamma", {2.5, 1.5}},
          {"beta", {2.5, 4}},          {"laplace", {-1, 0.8}},      {"student_t", {0.5, 1.3, 4.5}},
          {"lognormal", {0.2, 0.6}},   {"weibull", {1.6, 2.2}},     {"uniform", {-1, 2}}};
}

VectorXd vec(const std::vector<double>& v) { return Eigen::Map<const VectorXd>(v.data(), v.size()); }

std::vector<double> draw(const Distribution& d, const VectorXd& p, long n, std::uint64_t seed) {
  std::vector<double> x(static_cast<size_t>(n));
  probml::Xoshiro256 g(seed, 0);
  d.sample(p, g, x.data(), n);
  return x;
}

// Indices of the estimated parameters in the full parameter vector.
std::vector<int> estimated(const Distribution& d) {
  std::vector<int> out;
  const auto ps = d.params();
  for (size_t k = 0; k < ps.size(); ++k)
    if (ps[k].estimated()) out.push_back(static_cast<int>(k));
  return out;
}

TEST(Distributions, ScoreAndHessianMatchFiniteDifferences) {
  for (const auto& c : cases()) {
    const Distribution& d = find_distribution(c.name);
    if (!d.regular()) continue;
    const VectorXd p = vec(c.params);
    const auto est = estimated(d);
    const auto x = draw(d, p, 25, 11);
    const long n = static_cast<long>(x.size());
    const MatrixXd S = d.score({x.data(), n}, p);
    const MatrixXd I = d.observed_information({x.data(), n}, p);
    for (size_t a = 0; a < est.size(); ++a) {
      const double h = 1e-6 * std::max(1.0, std::abs(p[est[a]]));
      VectorXd up = p, dn = p;
      up[est[a]] += h;
      dn[est[a]] -= h;
      // score = d log f / d theta_a, per observation
      for (long i = 0; i < n; ++i) {
        if (c.name == "laplace" && a == 0) continue;  // not differentiable in the location at x
        const double fd = (d.log_density(x[i], up) - d.log_density(x[i], dn)) / (2 * h);
        EXPECT_NEAR(S(i, static_cast<Eigen::Index>(a)), fd, 1e-6 * std::max(1.0, std::abs(fd))) << c.name;
      }
      // observed information = - d score / d theta
      const VectorXd su = d.score({x.data(), n}, up).colwise().sum().transpose();
      const VectorXd sd = d.score({x.data(), n}, dn).colwise().sum().transpose();
      const VectorXd fd = -(su - sd) / (2 * h);
      for (size_t b = 0; b < est.size(); ++b) {
        if (c.name == "laplace" && (a == 0 || b == 0)) continue;
        EXPECT_NEAR(I(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(a)), fd[static_cast<Eigen::Index>(b)],
                    1e-5 * std::max(1.0, std::abs(fd[static_cast<Eigen::Index>(b)])))
            << c.name << " " << a << " " << b;
      }
    }
  }
}

TEST(Distributions, FisherInformationIsTheVarianceOfTheScore) {
  for (const auto& c : cases()) {
    const Distribution& d = find_distribution(c.name);
    if (!d.regular()) continue;
    const VectorXd p = vec(c.params);
    const long n = 400000;
    const auto x = draw(d, p, n, 7);
    const MatrixXd S = d.score({x.data(), n}, p);
    const MatrixXd V = (S.transpose() * S) / static_cast<double>(n);
    const MatrixXd F = d.fisher(p);
    for (Eigen::Index a = 0; a < F.rows(); ++a)
      for (Eigen::Index b = 0; b < F.cols(); ++b)
        EXPECT_NEAR(V(a, b), F(a, b), 0.03 * std::sqrt(F(a, a) * F(b, b))) << c.name << " " << a << " " << b;
  }
}

TEST(Distributions, SamplersMatchTheMoments) {
  for (const auto& c : cases()) {
    const Distribution& d = find_distribution(c.name);
    const VectorXd p = vec(c.params);
    const long n = 400000;
    const auto x = draw(d, p, n, 3);
    double m = 0, v = 0;
    for (double xi : x) m += xi;
    m /= n;
    for (double xi : x) v += (xi - m) * (xi - m);
    v /= n - 1;
    const probml::Moments mo = d.moments(p);
    const double se = std::sqrt(mo.variance / n);
    EXPECT_NEAR(m, mo.mean, 5 * se) << c.name;
    EXPECT_NEAR(v, mo.variance, 0.02 * mo.variance) << c.name;
    // The median splits the distribution in half.
    long below = 0, at_or_below = 0;
    for (double xi : x) {
      below += xi < mo.median;
      at_or_below += xi <= mo.median;
    }
    EXPECT_LE(static_cast<double>(below) / n, 0.5 + 0.005) << c.name;
    EXPECT_GE(static_cast<double>(at_or_below) / n, 0.5 - 0.005) << c.name;
  }
}

TEST(Distributions, MleIsAStationaryPointNearTheTruth) {
  for (const auto& c : cases()) {
    const Distribution& d = find_distribution(c.name);
    const VectorXd p = vec(c.params);
    const long n = 20000;
    const auto x = draw(d, p, n, 5);
    const probml::DistFit f = d.fit({x.data(), n}, p, false);
    EXPECT_TRUE(f.converged) << c.name;
    for (Eigen::Index k = 0; k < p.size(); ++k) EXPECT_NEAR(f.params[k], p[k], 0.05 * std::max(1.0, std::abs(p[k]))) << c.name;
    EXPECT_NEAR(f.loglik, d.loglik({x.data(), n}, f.params), 1e-8 * std::abs(f.loglik)) << c.name;
    if (!d.regular() || c.name == "laplace") continue;
    const VectorXd g = d.score({x.data(), n}, f.params).colwise().sum().transpose();
    const MatrixXd I = d.observed_information({x.data(), n}, f.params);
    for (Eigen::Index k = 0; k < g.size(); ++k) EXPECT_NEAR(g[k], 0, 1e-7 * std::sqrt(n * I(k, k))) << c.name;
    EXPECT_TRUE(f.observed.isApprox(I, 1e-8)) << c.name;
  }
}

TEST(Distributions, DiscreteSamplersMatchThePmf) {
  // Chi-square-like check of P(X = k) for the count samplers, including
  // both branches of each (small and large means).
  const std::vector<Case> discrete = {{"poisson", {3.5}},          {"poisson", {40}},
                                      {"binomial", {20, 0.2}},     {"binomial", {200, 0.4}},
                                      {"binomial", {200, 0.93}}};
  for (const auto& c : discrete) {
    const Distribution& d = find_distribution(c.name);
    const VectorXd p = vec(c.params);
    const long n = 500000;
    const auto x = draw(d, p, n, 19);
    const probml::Moments mo = d.moments(p);
    const double sd = std::sqrt(mo.variance);
    for (double k = std::max(0.0, std::floor(mo.mean - 2 * sd)); k <= mo.mean + 2 * sd; k += 1) {
      long count = 0;
      for (double xi : x) count += xi == k;
      const double prob = std::exp(d.log_density(k, p));
      EXPECT_NEAR(static_cast<double>(count) / n, prob, 5 * std::sqrt(prob * (1 - prob) / n) + 1e-4)
          << c.name << " k = " << k;
    }
  }
}

TEST(Distributions, HugeCountsAreSampledQuicklyOrRefused) {
  const Distribution& pois = find_distribution("poisson");
  const VectorXd big = VectorXd::Constant(1, 1e15);
  const auto x = draw(pois, big, 1000, 1);
  double m = 0;
  for (double v : x) m += v;
  EXPECT_NEAR(m / 1000, 1e15, 5 * std::sqrt(1e15 / 1000));
  const VectorXd huge = VectorXd::Constant(1, 1e300);
  std::vector<double> y(10);
  probml::Xoshiro256 g(1, 0);
  EXPECT_THROW(pois.sample(huge, g, y.data(), 10), probml::DomainError);
  const Distribution& binom = find_distribution("binomial");
  VectorXd pb(2);
  pb << 1e18, 0.3;
  EXPECT_THROW(binom.check_params(pb), probml::DomainError);
  pb << 1e15, 0.3;
  const auto z = draw(binom, pb, 1000, 2);
  for (double v : z) EXPECT_EQ(v, std::floor(v));
}

// Passes over a sample combine fixed chunks in order: fits, log-likelihoods
// and information are the same to the bit for any number of threads.
TEST(Distributions, FitsDoNotDependOnThreads) {
  for (const auto& c : cases()) {
    const Distribution& d = find_distribution(c.name);
    const VectorXd p = vec(c.params);
    const long n = 5 * probml::kSampleChunk + 123;
    const auto x = draw(d, p, n, 9);
    const probml::DistFit one = d.fit({x.data(), n, 1}, p, false);
    for (int threads : {2, 3}) {
      const probml::Sample s{x.data(), n, threads};
      const probml::DistFit many = d.fit(s, p, false);
      EXPECT_EQ(one.params, many.params) << c.name << " " << threads;
      EXPECT_EQ(one.loglik, many.loglik) << c.name << " " << threads;
      EXPECT_EQ(one.observed, many.observed) << c.name << " " << threads;
      EXPECT_EQ(d.loglik({x.data(), n, 1}, p), d.loglik(s, p)) << c.name;
      EXPECT_EQ(d.check_sample(s, p).problem, "") << c.name;
      if (d.regular()) {
        EXPECT_EQ(d.score({x.data(), n, 1}, p), d.score(s, p)) << c.name;
      }
    }
  }
}

TEST(Distributions, SampleChecksNameTheProblem) {
  const Distribution& g = find_distribution("gamma");
  const VectorXd p = vec({2, 1});
  const std::vector<double> ok = {1, 2, 3}, neg = {1, -2, 3}, nan = {1, std::nan(""), 3}, same = {2, 2, 2};
  EXPECT_EQ(g.check_sample({ok.data(), 3}, p).problem, "");
  EXPECT_EQ(g.check_sample({neg.data(), 3}, p).problem, "support");
  EXPECT_EQ(g.check_sample({neg.data(), 3}, p).row, 1);
  EXPECT_EQ(g.check_sample({nan.data(), 3}, p).problem, "missing");
  EXPECT_EQ(g.check_sample({same.data(), 3}, p).problem, "no_spread");
  // A bad value in a later chunk, found by any thread.
  std::vector<double> big(3 * probml::kSampleChunk, 1.5);
  big[2 * probml::kSampleChunk + 7] = -1;
  const probml::SampleProblem found = g.check_sample({big.data(), static_cast<long>(big.size()), 2}, p);
  EXPECT_EQ(found.problem, "support");
  EXPECT_EQ(found.row, 2 * probml::kSampleChunk + 7);
  EXPECT_THROW(find_distribution("nope"), probml::DomainError);
}

}  // namespace
