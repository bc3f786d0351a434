// The random streams: xoshiro256** as published, streams that depend on
// (seed, stream) only, and estimator studies identical for any number of
// threads.
#include <gtest/gtest.h>

#include <probml/estimate/simulate.hpp>
#include <probml/util/rng.hpp>

#include <set>
#include <vector>

namespace {

TEST(Rng, SplitMixAndXoshiroMatchTheirReferenceValues) {
  // splitmix64 from state 0: the reference implementation's first output.
  std::uint64_t state = 0;
  EXPECT_EQ(probml::splitmix64(state), 0xE220A8397B1DCDAFULL);
  // Stream (seed, stream) is a pure function of the two.
  probml::Xoshiro256 a(1, 2), b(1, 2), c(1, 3), d(2, 2);
  const std::uint64_t first = a();
  EXPECT_EQ(first, b());
  EXPECT_NE(first, c());
  EXPECT_NE(first, d());
}

TEST(Rng, UniformsAreInRangeAndNeighbouringStreamsAreUnrelated) {
  std::vector<double> u0, u1;
  probml::Xoshiro256 g0(7, 0), g1(7, 1);
  for (int i = 0; i < 20000; ++i) {
    const double a = g0.uniform(), b = g1.uniform();
    ASSERT_GE(a, 0.0);
    ASSERT_LT(a, 1.0);
    ASSERT_GT(g0.uniform_pos(), 0.0);
    u0.push_back(a);
    u1.push_back(b);
  }
  double m0 = 0, m1 = 0, c01 = 0;
  for (size_t i = 0; i < u0.size(); ++i) {
    m0 += u0[i];
    m1 += u1[i];
  }
  m0 /= u0.size();
  m1 /= u1.size();
  for (size_t i = 0; i < u0.size(); ++i) c01 += (u0[i] - m0) * (u1[i] - m1);
  c01 /= u0.size();
  EXPECT_NEAR(m0, 0.5, 0.01);
  EXPECT_NEAR(c01 / (1.0 / 12), 0.0, 0.03);  // correlation of the two streams
}

TEST(Rng, StudiesAreIdenticalForAnyNumberOfThreads) {
  for (const std::string estimator : {"mean", "median", "mle"}) {
    probml::StudySpec s;
    s.estimator = probml::parse_estimator(estimator);
    s.dist = &probml::find_distribution("gamma");
    s.params = Eigen::Vector2d(2.0, 3.0);
    s.sizes = {5, 50};
    s.reps = 500;
    s.seed = 123;
    std::vector<double> first;
    for (int threads : {1, 2, 3}) {
      s.n_threads = threads;
      const probml::StudyResult r = probml::run_study(s);
      if (threads == 1) first = r.estimates;
      else EXPECT_EQ(r.estimates, first) << estimator << ", " << threads << " threads";
    }
  }
}

TEST(Rng, ProgressIsReportedAndReachesTheTotal) {
  probml::StudySpec s;
  s.estimator = probml::Estimator::mean;
  s.dist = &probml::find_distribution("gaussian");
  s.params = Eigen::Vector2d(0.0, 1.0);
  s.sizes = {1000};
  s.reps = 20000;
  s.seed = 1;
  s.n_threads = 2;
  std::vector<double> seen;
  probml::Callbacks cb;
  cb.progress = [&](double done, double total) {
    EXPECT_EQ(total, 20000);
    seen.push_back(done);
  };
  probml::run_study(s, cb);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.back(), 20000);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
}

}  // namespace
