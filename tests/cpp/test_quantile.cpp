// The exact quantile (check-loss) solver of optim/lad/: its solutions
// certified by the subgradient condition, checked here independently of the
// solver, at several tau, with weights, on a small problem, on one large
// enough for the preprocessed route and on integer data with ties; and
// refusing a tau outside (0, 1).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <probml/optim/lad/lad.hpp>
#include <probml/util/random.hpp>

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Problem {
  MatrixXd X;
  VectorXd y, w;
};

// y = 1 + x1 - 2 x2 + heavy-tailed, skewed noise; integer y (many ties) if `round`.
Problem problem(long n, int seed, bool weighted, bool round) {
  probml::Xoshiro256 g(static_cast<std::uint64_t>(seed), 0);
  Problem d;
  d.X.resize(n, 3);
  d.y.resize(n);
  d.w = VectorXd::Ones(n);
  for (long i = 0; i < n; ++i) {
    d.X(i, 0) = 1;
    d.X(i, 1) = probml::random::normal(g);
    d.X(i, 2) = g.uniform();
    const double e = probml::random::normal(g) / std::max(0.05, std::sqrt(g.uniform()));
    d.y[i] = 1 + d.X(i, 1) - 2 * d.X(i, 2) + (e > 0 ? 2 * e : e);
    if (round) d.y[i] = std::round(d.y[i]);
    if (weighted) d.w[i] = 0.5 + 1.5 * g.uniform();
  }
  return d;
}

double check_loss(const Problem& d, const VectorXd& beta, double tau) {
  const VectorXd r = d.y - d.X * beta;
  double total = 0;
  for (long i = 0; i < r.size(); ++i) total += d.w[i] * r[i] * (tau - (r[i] < 0 ? 1.0 : 0.0));
  return total;
}

// The largest violation of the optimality condition at beta: with psi_tau(r)
// = tau - [r < 0] on the rows off the fit, the rows on it (|r| tiny) need
// multipliers t_i in [tau - 1, tau] with sum_on w_i t_i x_i = -sum_off w_i psi_i x_i.
// With exactly p rows on the fit (the generic case) t is determined; the
// violation is how far it leaves the interval, relative to the weights.
double certificate_violation(const Problem& d, const VectorXd& beta, double tau) {
  const VectorXd r = d.y - d.X * beta;
  const long p = d.X.cols();
  std::vector<long> on;
  VectorXd g = VectorXd::Zero(p);
  const double zero = 1e-9 * (1 + d.y.cwiseAbs().maxCoeff());
  for (long i = 0; i < r.size(); ++i) {
    if (std::abs(r[i]) <= zero) {
      on.push_back(i);
    } else {
      g += d.w[i] * (tau - (r[i] < 0 ? 1.0 : 0.0)) * d.X.row(i).transpose();
    }
  }
  if (static_cast<long>(on.size()) != p) return std::numeric_limits<double>::infinity();
  MatrixXd A(p, p);
  for (long k = 0; k < p; ++k) A.col(k) = d.w[on[static_cast<size_t>(k)]] * d.X.row(on[static_cast<size_t>(k)]).transpose();
  const VectorXd t = A.fullPivLu().solve(-g);
  double worst = 0;
  for (long k = 0; k < p; ++k) worst = std::max({worst, t[k] - tau, (tau - 1) - t[k]});
  return worst;
}

probml::QuantileFitResult fit(const Problem& d, double tau) {
  return probml::quantile_fit(d.X, d.y, d.w, VectorXd::Zero(d.y.size()), tau);
}

TEST(QuantileSolver, SolutionsSatisfyTheSubgradientCondition) {
  for (const bool weighted : {false, true}) {
    const Problem d = problem(500, weighted ? 3 : 4, weighted, false);
    for (const double tau : {0.05, 0.1, 0.5, 0.75, 0.95}) {
      const probml::QuantileFitResult q = fit(d, tau);
      EXPECT_TRUE(q.converged) << tau;
      EXPECT_LE(certificate_violation(d, q.beta, tau), 1e-9) << "tau " << tau << " weighted " << weighted;
      EXPECT_NEAR(q.loss, check_loss(d, q.beta, tau), 1e-10 * q.loss);
      // The fitted quantile splits the weight: at most tau below it, at most 1 - tau above.
      const VectorXd r = d.y - d.X * q.beta;
      double below = 0, above = 0;
      for (long i = 0; i < r.size(); ++i) {
        if (r[i] < -1e-9) below += d.w[i];
        if (r[i] > 1e-9) above += d.w[i];
      }
      EXPECT_LE(below / d.w.sum(), tau + 1e-12);
      EXPECT_LE(above / d.w.sum(), 1 - tau + 1e-12);
    }
  }
}

TEST(QuantileSolver, LargeProblemsTakeThePreprocessedRouteToTheSameOptimum) {
  // n >= 20000 engages the Portnoy-Koenker preprocessing (rows far from a
  // subsample fit fixed at their bounds); the answer is certified on all rows.
  const Problem d = problem(60000, 7, true, false);
  for (const double tau : {0.02, 0.3, 0.9}) {
    const probml::QuantileFitResult q = fit(d, tau);
    EXPECT_TRUE(q.converged) << tau;
    EXPECT_LE(certificate_violation(d, q.beta, tau), 1e-9) << tau;
  }
}

TEST(QuantileSolver, IntegerResponsesWithTiesReachTheOptimum) {
  // Many rows can sit on the optimal hyperplane (a degenerate vertex), where
  // the certificate above does not apply: no move along a coordinate, small
  // or large, may lower the check loss (it is convex, so this is necessary).
  const Problem d = problem(3000, 9, false, true);
  for (const double tau : {0.25, 0.5, 0.8}) {
    const probml::QuantileFitResult q = fit(d, tau);
    const double best = check_loss(d, q.beta, tau);
    for (long j = 0; j < d.X.cols(); ++j)
      for (const double h : {1e-4, -1e-4, 1e-2, -1e-2}) {
        VectorXd b = q.beta;
        b[j] += h;
        EXPECT_GE(check_loss(d, b, tau), best - 1e-9 * best) << tau << " " << j << " " << h;
      }
  }
}

TEST(QuantileSolver, IntegerWeightsEqualRepeatedRows) {
  Problem d = problem(300, 12, false, false);
  Problem rep;
  std::vector<long> copies(300);
  long total = 0;
  for (long i = 0; i < 300; ++i) total += (copies[static_cast<size_t>(i)] = 1 + i % 3);
  rep.X.resize(total, 3);
  rep.y.resize(total);
  rep.w = VectorXd::Ones(total);
  long k = 0;
  for (long i = 0; i < 300; ++i) {
    d.w[i] = static_cast<double>(copies[static_cast<size_t>(i)]);
    for (long c = 0; c < copies[static_cast<size_t>(i)]; ++c, ++k) {
      rep.X.row(k) = d.X.row(i);
      rep.y[k] = d.y[i];
    }
  }
  for (const double tau : {0.2, 0.7}) {
    const probml::QuantileFitResult a = fit(d, tau), b = fit(rep, tau);
    EXPECT_NEAR(a.loss, b.loss, 1e-10 * a.loss) << tau;
    EXPECT_LE((a.beta - b.beta).cwiseAbs().maxCoeff(), 1e-8) << tau;
  }
}

TEST(QuantileSolver, MedianIsTheLadFitAndTauOutsideTheUnitIntervalIsRefused) {
  const Problem d = problem(400, 5, true, false);
  const probml::QuantileFitResult q = fit(d, 0.5);
  // At tau = 1/2 the check loss is half the weighted sum of absolute residuals.
  const VectorXd r = d.y - d.X * q.beta;
  EXPECT_NEAR(q.loss, 0.5 * (d.w.array() * r.array().abs()).sum(), 1e-10 * q.loss);
  for (const double tau : {0.0, 1.0, -0.1, 1.5, std::nan("")})
    EXPECT_THROW(fit(d, tau), probml::DomainError) << tau;
}

}  // namespace
