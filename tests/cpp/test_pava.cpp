// PAVA against the brute-force least-squares solution of small problems,
// with ties and weights.
#include <gtest/gtest.h>

#include <probml/calibrate/pava.hpp>
#include <probml/util/rng.hpp>

#include <vector>

namespace {

using Eigen::VectorXd;

// The weighted isotonic fit at distinct x by the max-min formula:
// f(x_i) = max_{a <= i} min_{b >= i} mean(y[a..b]) (weighted).
VectorXd brute_force(const VectorXd& y, const VectorXd& w) {
  const Eigen::Index m = y.size();
  VectorXd out(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    double best = -1e300;
    for (Eigen::Index a = 0; a <= i; ++a) {
      double low = 1e300;
      for (Eigen::Index b = i; b < m; ++b) {
        const double mean = (w.segment(a, b - a + 1).array() * y.segment(a, b - a + 1).array()).sum() /
                            w.segment(a, b - a + 1).sum();
        low = std::min(low, mean);
      }
      best = std::max(best, low);
    }
    out[i] = best;
  }
  return out;
}

TEST(Pava, MatchesTheMaxMinFormulaWithTiesAndWeights) {
  probml::Xoshiro256 g(2, 0);
  for (int rep = 0; rep < 200; ++rep) {
    const int n = 2 + static_cast<int>(g.uniform() * 15);
    VectorXd x(n), y(n), w(n);
    for (int i = 0; i < n; ++i) {
      x[i] = std::floor(g.uniform() * 6);  // many ties
      y[i] = g.uniform() < 0.5 ? 0 : g.uniform();
      w[i] = g.uniform() < 0.1 ? 0 : 0.2 + g.uniform();
    }
    if (w.sum() == 0) w[0] = 1;
    const probml::IsotonicFit fit = probml::isotonic_pava(x, y, w);
    // Pool ties by hand, then compare with the brute force at the knots.
    std::vector<double> kx, ky, kw;
    for (double v = 0; v < 6; ++v) {
      double sw = 0, swy = 0;
      for (int i = 0; i < n; ++i)
        if (x[i] == v && w[i] > 0) {
          sw += w[i];
          swy += w[i] * y[i];
        }
      if (sw > 0) {
        kx.push_back(v);
        ky.push_back(swy / sw);
        kw.push_back(sw);
      }
    }
    const VectorXd expected = brute_force(Eigen::Map<VectorXd>(ky.data(), ky.size()),
                                          Eigen::Map<VectorXd>(kw.data(), kw.size()));
    ASSERT_EQ(fit.x.size(), static_cast<Eigen::Index>(kx.size()));
    for (Eigen::Index k = 0; k < fit.x.size(); ++k) {
      EXPECT_EQ(fit.x[k], kx[static_cast<size_t>(k)]);
      EXPECT_NEAR(fit.y[k], expected[k], 1e-12);
      if (k > 0) {
        EXPECT_GE(fit.y[k], fit.y[k - 1]);
      }
    }
  }
}

TEST(Pava, RefusesInputWithoutWeight) {
  const VectorXd x = VectorXd::LinSpaced(3, 0, 1), y = VectorXd::Zero(3), w = VectorXd::Zero(3);
  EXPECT_THROW(probml::isotonic_pava(x, y, w), probml::DomainError);
  EXPECT_THROW(probml::isotonic_pava(x, y, VectorXd::Ones(2)), probml::DomainError);
}

}  // namespace
