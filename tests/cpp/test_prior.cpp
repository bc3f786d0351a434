// Priors as terms of the objective: derivatives against finite differences,
// ridge against its closed form, the L1 optimality conditions of the
// proximal Newton solver, the path against single fits, and thread
// independence.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <probml/family/make_family.hpp>
#include <probml/optim/path.hpp>
#include <probml/util/random.hpp>

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Data {
  MatrixXd X;  // intercept + p columns
  VectorXd y, w;
};

Data regression(long n, int p, int seed, bool binary) {
  probml::Xoshiro256 g(static_cast<std::uint64_t>(seed), 0);
  Data d;
  d.X.resize(n, p + 1);
  d.y.resize(n);
  d.w = VectorXd::Ones(n);
  for (long i = 0; i < n; ++i) {
    d.X(i, 0) = 1;
    double eta = 0.3;
    for (int j = 1; j <= p; ++j) {
      d.X(i, j) = probml::random::normal(g) + (j == 2 ? 3.0 : 0.0);  // one column far from 0
      if (j <= 3) eta += (j == 2 ? -0.7 : 0.9) * d.X(i, j) * (j == 2 ? 0.3 : 1.0);
    }
    d.y[i] = binary ? (g.uniform() < 1 / (1 + std::exp(-eta)) ? 1.0 : 0.0) : eta + probml::random::normal(g);
  }
  return d;
}

std::unique_ptr<probml::Family> family(const std::string& name, double sigma = 0) {
  probml::FamilySpec s;
  s.name = name;
  if (sigma > 0) s.sigma = sigma;
  return probml::make_family(s);
}

probml::Prior slopes(int n_coef, probml::PriorTerm t) {
  std::vector<probml::PriorTerm> terms(static_cast<size_t>(n_coef), t);
  terms[0] = probml::PriorTerm();  // the intercept is flat
  return probml::Prior(terms);
}

TEST(Priors, GradientAndHessianMatchFiniteDifferences) {
  std::vector<probml::PriorTerm> terms = {{0, 2.0, 0, 0}, {0, 0, 3.0, 0.7}, {0, 0.5, 1.0, 2.5}, {}};
  VectorXd a(4);
  a << 1, 0.3, -0.2, 0.5;
  const probml::Prior prior(terms, a, probml::PriorTerm{0, 0.1, 1.0, 10.0});
  VectorXd theta(4);
  theta << 0.4, -1.3, 2.2, 0.9;
  VectorXd g = VectorXd::Zero(4);
  prior.add_gradient(theta, g);
  const MatrixXd H = prior.hessian(theta);
  for (int k = 0; k < 4; ++k) {
    const double h = 1e-5;
    VectorXd up = theta, dn = theta;
    up[k] += h;
    dn[k] -= h;
    EXPECT_NEAR(g[k], (prior.value(up) - prior.value(dn)) / (2 * h), 1e-7);
    VectorXd gu = VectorXd::Zero(4), gd = VectorXd::Zero(4);
    prior.add_gradient(up, gu);
    prior.add_gradient(dn, gd);
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(H(j, k), (gu[j] - gd[j]) / (2 * h), 1e-6);
  }
  // The majoriser of the t term lies above it, touching at the current point.
  const probml::PriorTerm t{0, 0, 3.0, 0.7};
  const double t0 = 1.1, c = t.majorising_curvature(t0);
  for (double x : {-3.0, -0.5, 0.0, 0.8, 1.1, 2.0, 5.0})
    EXPECT_GE(t0 == x ? 0.0 : t.value(t0) + t.gradient(t0) * (x - t0) + 0.5 * c * (x - t0) * (x - t0) - t.value(x), -1e-12);
}

TEST(Priors, RidgeIsTheClosedForm) {
  const Data d = regression(300, 5, 1, false);
  const auto fam = family("gaussian", 1.0);
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
  const probml::Prior prior = slopes(6, {0, 4.0, 0, 0});
  const probml::FitResult fit =
      probml::fit_model(model, probml::ConstVectorMap(d.y.data(), n), probml::ConstVectorMap(d.w.data(), n),
                        model.offsets(VectorXd()), VectorXd(), {}, prior, probml::FitOptions(), probml::Callbacks());
  MatrixXd A = d.X.transpose() * d.X;
  A.diagonal().tail(5).array() += 4.0;
  const VectorXd closed = A.ldlt().solve(d.X.transpose() * d.y);
  EXPECT_TRUE(fit.converged);
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(fit.theta[k], closed[k], 1e-10);
  // The posterior Hessian is X'X + D; its prior part is D.
  EXPECT_TRUE(fit.hessian.isApprox(A, 1e-10));
  EXPECT_NEAR(fit.prior_hessian(3, 3), 4.0, 1e-12);
  EXPECT_NEAR(fit.prior_value, 0.5 * 4.0 * closed.tail(5).squaredNorm(), 1e-9);
}

// KKT at an L1 MAP: |gradient| <= l1 where a coefficient is 0, and
// gradient = -l1 sign(coefficient) elsewhere.
void expect_kkt(const probml::FitResult& fit, const probml::Prior& prior, double tol) {
  for (int k = 0; k < prior.size(); ++k) {
    const double l1 = prior.l1(k), g = fit.gradient[k];
    if (fit.theta[k] == 0) EXPECT_LE(std::abs(g), l1 * (1 + 1e-6) + tol) << k;
    else EXPECT_NEAR(g, -l1 * (fit.theta[k] > 0 ? 1 : -1), tol + 1e-6 * l1) << k;
  }
}

TEST(Priors, LassoSatisfiesItsOptimalityConditions) {
  for (const char* name : {"gaussian", "bernoulli", "poisson"}) {
    Data d = regression(500, 8, 2, std::string(name) == "bernoulli");
    if (std::string(name) == "poisson")
      for (long i = 0; i < d.y.size(); ++i) d.y[i] = std::floor(std::abs(d.y[i]) * 2);
    const auto fam = std::string(name) == "gaussian" ? family(name, 1.0) : family(name);
    const long n = d.X.rows();
    const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
    const double l1 = std::string(name) == "poisson" ? 60.0 : 25.0;
    const probml::Prior prior = slopes(9, {l1, 0, 0, 0});
    const probml::FitResult fit =
        probml::fit_model(model, probml::ConstVectorMap(d.y.data(), n), probml::ConstVectorMap(d.w.data(), n),
                          model.offsets(VectorXd()), VectorXd(), {}, prior, probml::FitOptions(), probml::Callbacks());
    EXPECT_TRUE(fit.converged) << name << ": " << fit.message;
    int zeros = 0;
    for (int k = 1; k < 9; ++k) zeros += fit.theta[k] == 0;
    EXPECT_GT(zeros, 0) << name;
    EXPECT_LT(zeros, 8) << name;
    expect_kkt(fit, prior, 1e-6 * n);
  }
}

TEST(Priors, PathPointsAreTheSingleFits) {
  const Data d = regression(400, 10, 3, true);
  const auto fam = family("bernoulli");
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
  // Elastic net, mixing 0.5, glmnet's scaling: per-observation lambda.
  const probml::Prior unit = slopes(11, {0.5 * n, 0.5 * n, 0, 0});
  probml::PathOptions opt;
  opt.n_lambda = 20;
  opt.screen = VectorXd::Constant(11, 0.5 * n);
  opt.screen[0] = 0;
  const probml::PathResult path =
      probml::fit_path(model, probml::ConstVectorMap(d.y.data(), n), probml::ConstVectorMap(d.w.data(), n),
                       model.offsets(VectorXd()), unit, opt, probml::Callbacks());
  ASSERT_EQ(path.lambda.size(), 20u);
  EXPECT_EQ(path.n_nonzero.front(), 0);  // lambda_max: everything penalised is zero
  EXPECT_GT(path.n_nonzero.back(), 5);
  for (int l : {3, 10, 19}) {
    const probml::FitResult fit = probml::fit_model(
        model, probml::ConstVectorMap(d.y.data(), n), probml::ConstVectorMap(d.w.data(), n), model.offsets(VectorXd()),
        VectorXd(), {}, unit.with_strength(path.lambda[static_cast<size_t>(l)]), probml::FitOptions(), probml::Callbacks());
    const double f_path = path.nll[static_cast<size_t>(l)] + path.prior_value[static_cast<size_t>(l)];
    // The path stops at 1e-9 of the objective, the single fit at 1e-12; a
    // gap d in the objective moves coefficients by about sqrt(2 d / curvature).
    EXPECT_LE(f_path - fit.value, 1e-8 * std::abs(fit.value)) << l;
    EXPECT_GE(f_path - fit.value, -1e-10 * std::abs(fit.value)) << l;
    for (int k = 0; k < 11; ++k) EXPECT_NEAR(path.coefficients(k, l), fit.theta[k], 1e-3) << l << " " << k;
  }
}

// A path on all rows and its cross-validation folds are the same, bit for
// bit, on 1, 2 and 3 threads: coefficients, nll and held-out deviance.
void expect_paths_thread_invariant(const probml::Model& model, const Data& d, int n_lambda, int n_folds,
                                   int min_nonzero, const std::string& label) {
  const long n = d.X.rows();
  const int P = static_cast<int>(d.X.cols());
  const probml::Prior unit = slopes(P, {static_cast<double>(n), 0, 0, 0});
  probml::PathOptions opt;
  opt.n_lambda = n_lambda;
  opt.screen = VectorXd::Constant(P, static_cast<double>(n));
  opt.screen[0] = 0;
  std::vector<int> fold(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) fold[static_cast<size_t>(i)] = static_cast<int>(i % n_folds);
  const probml::ConstVectorMap y(d.y.data(), n), w(d.w.data(), n);
  probml::PathResult first;
  std::vector<probml::PathResult> first_cv;
  for (int threads : {1, 2, 3}) {
    opt.n_threads = threads;
    opt.lambda.clear();
    const probml::PathResult p = probml::fit_path(model, y, w, model.offsets(VectorXd()), unit, opt, probml::Callbacks());
    EXPECT_GT(p.n_nonzero.back(), min_nonzero) << label;
    opt.lambda = p.lambda;
    const auto cv = probml::cv_path(model, y, w, model.offsets(VectorXd()), unit, fold, n_folds, opt, probml::Callbacks());
    if (threads == 1) {
      first = p;
      first_cv = cv;
      continue;
    }
    EXPECT_EQ(p.coefficients, first.coefficients) << label << " " << threads;
    EXPECT_EQ(p.nll, first.nll) << label << " " << threads;
    for (size_t f = 0; f < static_cast<size_t>(n_folds); ++f) {
      EXPECT_EQ(cv[f].coefficients, first_cv[f].coefficients) << label << " " << threads;
      ASSERT_EQ(cv[f].holdout.size(), first_cv[f].holdout.size());
      for (size_t l = 0; l < cv[f].holdout.size(); ++l) EXPECT_EQ(cv[f].holdout[l].deviance, first_cv[f].holdout[l].deviance);
    }
  }
}

TEST(Priors, PathsAndFoldsDoNotDependOnThreads) {
  const Data d = regression(3000, 12, 4, true);
  const auto fam = family("bernoulli");
  const long n = d.X.rows();
  const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
  expect_paths_thread_invariant(model, d, 15, 4, 0, "bernoulli");
}

}  // namespace

namespace {

// The Gaussian family with sigma known, declared without constant
// curvature: the solver takes the naive mode (passes over the rows).
class NaiveGaussian : public probml::GaussianFamily {
 public:
  explicit NaiveGaussian(double sigma) : probml::GaussianFamily(sigma) {}
  bool constant_curvature() const override { return false; }
};

TEST(Priors, CovarianceModeIsTheNaiveMode) {
  const Data d = regression(2000, 15, 5, false);
  const long n = d.X.rows();
  const probml::GaussianFamily cov(1.5);
  const NaiveGaussian naive(1.5);
  ASSERT_TRUE(cov.constant_curvature());
  // Lasso and elastic net, glmnet's scaling.
  for (const probml::PriorTerm& t : {probml::PriorTerm{double(n), 0, 0, 0}, probml::PriorTerm{0.7 * n, 0.3 * n, 0, 0}}) {
    const probml::Prior unit = slopes(16, t);
    probml::PathOptions opt;
    opt.n_lambda = 30;
    opt.screen = VectorXd::Constant(16, t.l1);
    opt.screen[0] = 0;
    opt.prox.tol = 1e-14;
    opt.prox.sweep_tol = 1e-20;
    std::vector<probml::PathResult> paths;
    for (const probml::Family* f : {static_cast<const probml::Family*>(&cov), static_cast<const probml::Family*>(&naive)}) {
      const probml::Model model(*f, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
      paths.push_back(probml::fit_path(model, probml::ConstVectorMap(d.y.data(), n), probml::ConstVectorMap(d.w.data(), n),
                                       model.offsets(VectorXd()), unit, opt, probml::Callbacks()));
    }
    ASSERT_EQ(paths[0].lambda.size(), paths[1].lambda.size());
    EXPECT_GT(paths[0].n_nonzero.back(), 10);
    for (size_t l = 0; l < paths[0].lambda.size(); ++l) {
      EXPECT_EQ(paths[0].lambda[l], paths[1].lambda[l]);
      EXPECT_EQ(paths[0].n_nonzero[l], paths[1].n_nonzero[l]) << l;
      const double f0 = paths[0].nll[l] + paths[0].prior_value[l], f1 = paths[1].nll[l] + paths[1].prior_value[l];
      EXPECT_NEAR(f0, f1, 1e-10 * std::abs(f1)) << l;
      EXPECT_NEAR(paths[0].deviance_ratio[l], paths[1].deviance_ratio[l], 1e-7) << l;  // the nll and prior split within solver tolerance
      for (int k = 0; k < 16; ++k) EXPECT_NEAR(paths[0].coefficients(k, static_cast<Eigen::Index>(l)), paths[1].coefficients(k, static_cast<Eigen::Index>(l)), 1e-6) << l;
    }
  }
}

// Large enough that a coordinate visit is shared out over parts of the rows
// (covariance mode for the Gaussian family, row parts for the Bernoulli).
TEST(Priors, LargePathsDoNotDependOnThreads) {
  for (const char* name : {"gaussian", "bernoulli"}) {
    const bool binary = std::string(name) == "bernoulli";
    const Data d = regression(40000, 6, 6, binary);
    const auto fam = binary ? family(name) : family(name, 1.0);
    const long n = d.X.rows();
    const probml::Model model(*fam, {probml::Design(probml::ConstMatrixMap(d.X.data(), n, d.X.cols()))}, 0);
    expect_paths_thread_invariant(model, d, 8, 3, 2, name);
  }
}

}  // namespace
