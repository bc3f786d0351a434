// The bootstrap by multinomial reweighting (optim/bootstrap.hpp): the counts
// of a member, a member against a direct refit on its weights (ridge: its
// closed form), independence of the thread count and of the round size,
// interrupts between rounds, and failed members.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include <probml/family/make_family.hpp>
#include <probml/optim/bootstrap.hpp>
#include <probml/util/random.hpp>

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Data {
  MatrixXd X;
  VectorXd y, w;
};

Data make_data(long n, int seed, bool binary) {
  probml::Xoshiro256 g(static_cast<std::uint64_t>(seed), 7);
  Data d;
  d.X.resize(n, 3);
  d.y.resize(n);
  d.w = VectorXd::Ones(n);
  for (long i = 0; i < n; ++i) {
    d.X(i, 0) = 1;
    d.X(i, 1) = probml::random::normal(g);
    d.X(i, 2) = probml::random::uniform(g);
    const double eta = 0.5 + 1.2 * d.X(i, 1) - 0.8 * d.X(i, 2);
    d.y[i] = binary ? (g.uniform() < 1 / (1 + std::exp(-eta)) ? 1.0 : 0.0) : eta + 0.5 * probml::random::normal(g);
  }
  return d;
}

std::unique_ptr<probml::Family> family(const std::string& name, double sigma = 0) {
  probml::FamilySpec s;
  s.name = name;
  if (sigma > 0) s.sigma = sigma;
  return probml::make_family(s);
}

probml::ConstVectorMap vmap(const VectorXd& v) { return probml::ConstVectorMap(v.data(), v.size()); }

TEST(Bootstrap, CountsAreAMultinomialOverRowsOfPositiveWeight) {
  VectorXd w = VectorXd::Ones(50);
  for (int i = 0; i < 50; i += 5) w[i] = 0;  // 10 rows of weight zero
  VectorXd c(50), c2(50), other(50);
  probml::bootstrap_counts(vmap(w), 42, 3, c);
  probml::bootstrap_counts(vmap(w), 42, 3, c2);
  probml::bootstrap_counts(vmap(w), 42, 4, other);
  EXPECT_DOUBLE_EQ(c.sum(), 40.0);
  EXPECT_TRUE(c == c2);      // the same stream, the same counts
  EXPECT_FALSE(c == other);  // another member, another stream
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(c[i], std::floor(c[i]));
    if (w[i] == 0) {
      EXPECT_EQ(c[i], 0.0);
    }
  }
  // Over many members each row's mean count is 1 (Multinomial(m, 1/m)).
  VectorXd total = VectorXd::Zero(50);
  const int members = 4000;
  for (int b = 0; b < members; ++b) {
    probml::bootstrap_counts(vmap(w), 1, static_cast<std::uint64_t>(b), c);
    total += c;
  }
  for (int i = 0; i < 50; ++i)
    if (w[i] > 0) {
      EXPECT_NEAR(total[i] / members, 1.0, 5 * std::sqrt((1 - 1.0 / 40) / members));
    }
}

TEST(Bootstrap, MemberEqualsTheClosedFormRidgeOnItsWeights) {
  const Data d = make_data(200, 1, false);
  const auto fam = family("gaussian", 1.0);
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, 3))}, 0);
  std::vector<probml::PriorTerm> terms(3, probml::PriorTerm{0, 2.0, 0, 0});
  terms[0] = probml::PriorTerm();
  const probml::Prior prior(terms);
  const probml::FitResult full = probml::fit_model(model, vmap(d.y), vmap(d.w), model.offsets(VectorXd()),
                                                   VectorXd(), {}, prior, probml::FitOptions(), probml::Callbacks());
  probml::BootstrapOptions opt;
  opt.members = 12;
  opt.seed = 99;
  opt.n_threads = 2;
  const probml::BootstrapResult r = probml::bootstrap_fit(model, vmap(d.y), vmap(d.w), model.offsets(VectorXd()),
                                                          full.theta, prior, opt, probml::Callbacks());
  ASSERT_EQ(r.coefficients.rows(), 12);
  EXPECT_EQ(r.n_failed, 0);
  for (long b : {0L, 5L, 11L}) {
    VectorXd c(n);
    probml::bootstrap_counts(vmap(d.w), 99, static_cast<std::uint64_t>(b), c);
    MatrixXd A = d.X.transpose() * c.asDiagonal() * d.X;
    A.diagonal().tail(2).array() += 2.0;
    const VectorXd closed = A.ldlt().solve(d.X.transpose() * c.asDiagonal() * d.y);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(r.coefficients(b, k), closed[k], 1e-9) << "member " << b;
  }
}

TEST(Bootstrap, IdenticalForAnyThreadCountAndRoundSize) {
  const Data d = make_data(300, 2, true);
  const auto fam = family("bernoulli");
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, 3))}, 0);
  const probml::FitResult full = probml::fit_model(model, vmap(d.y), vmap(d.w), model.offsets(VectorXd()),
                                                   VectorXd(), {}, probml::Prior(), probml::FitOptions(),
                                                   probml::Callbacks());
  probml::BootstrapOptions opt;
  opt.members = 23;
  opt.seed = 5;
  std::vector<MatrixXd> results;
  int reports = 0;
  probml::Callbacks cb;
  cb.progress = [&](double, double) { ++reports; };
  for (int threads : {1, 2, 4}) {
    for (long round : {0L, 1L, 7L}) {
      opt.n_threads = threads;
      opt.round_size = round;
      results.push_back(probml::bootstrap_fit(model, vmap(d.y), vmap(d.w), model.offsets(VectorXd()), full.theta,
                                              probml::Prior(), opt, cb)
                            .coefficients);
    }
  }
  for (size_t k = 1; k < results.size(); ++k) EXPECT_TRUE(results[k] == results[0]) << "run " << k;
  EXPECT_GT(reports, 0);
  // The members differ from each other and scatter around the estimate.
  EXPECT_GT((results[0].row(0) - results[0].row(1)).norm(), 0);
  const VectorXd centre = results[0].colwise().mean();
  EXPECT_NEAR(centre[1], full.theta[1], 0.3);
}

TEST(Bootstrap, InterruptsBetweenRounds) {
  const Data d = make_data(100, 3, false);
  const auto fam = family("gaussian");
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, 3))}, 0);
  probml::BootstrapOptions opt;
  opt.members = 40;
  opt.round_size = 5;
  opt.n_threads = 2;
  int checks = 0;
  probml::Callbacks cb;
  cb.check_interrupt = [&] {
    if (++checks == 3) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(probml::bootstrap_fit(model, vmap(d.y), vmap(d.w), model.offsets(VectorXd()), VectorXd(),
                                     probml::Prior(), opt, cb),
               std::runtime_error);
  EXPECT_EQ(checks, 3);
}

TEST(Bootstrap, FailedMembersAreCountedAndLeftNaN) {
  // Two rows of positive weight: a member that draws the same row twice has
  // no spread in y, where the Gaussian MLE of sigma is 0 (the fit fails or
  // does not converge); members with both rows are exact fits too. Either
  // way, a member that fails leaves its row NaN and is counted.
  MatrixXd X(2, 1);
  X << 1, 1;
  VectorXd y(2), w(2);
  y << 0.0, 1.0;
  w << 1, 1;
  const auto fam = family("gaussian");
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(X.data(), 2, 1))}, 0);
  probml::BootstrapOptions opt;
  opt.members = 16;
  const probml::BootstrapResult r = probml::bootstrap_fit(model, vmap(y), vmap(w), model.offsets(VectorXd()),
                                                          VectorXd(), probml::Prior(), opt, probml::Callbacks());
  long failed = 0;
  for (long b = 0; b < 16; ++b) {
    const std::string& s = r.status[static_cast<size_t>(b)];
    if (s == "failed" || s == "not converged") {
      ++failed;
      EXPECT_TRUE(std::isnan(r.coefficients(b, 0)));
      EXPECT_FALSE(r.messages[static_cast<size_t>(b)].empty());
    }
  }
  EXPECT_EQ(failed, r.n_failed);
  EXPECT_GT(failed, 0);
}

}  // namespace
