// The likelihood families: every family's local gradient and Hessian
// against finite differences, the expected information against the
// expected observed information, and a family that exists nowhere but in
// this file, fitted by the same engine through its capabilities alone.
#include <gtest/gtest.h>

#include <probml/family/make_family.hpp>
#include <probml/optim/fit.hpp>
#include <probml/util/random.hpp>

#include <vector>

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Case {
  probml::FamilySpec spec;
  std::vector<double> aux;
  // Linear predictors in the link's domain, from a standard normal draw z:
  // eta > 0 for the positive-mean links but the log, eta < 0 for the
  // Bernoulli log link.
  double (*eta_of)(double z) = [](double z) { return 0.8 * z; };
};

double positive_eta(double z) { return std::exp(0.5 * z); }
double negative_eta(double z) { return -0.05 - std::exp(0.5 * z); }

std::vector<Case> cases() {
  auto spec = [](std::string name, std::string link = "", int k = 2) {
    probml::FamilySpec s;
    s.name = std::move(name);
    s.link = std::move(link);
    s.n_classes = k;
    return s;
  };
  probml::FamilySpec t4 = spec("student_t");
  t4.df = 4.0;
  probml::FamilySpec smooth = spec("categorical", "", 3);
  smooth.label_smoothing = 0.1;
  probml::FamilySpec q10 = spec("quantile"), q75 = spec("quantile");
  q10.tau = 0.1;
  q75.tau = 0.75;
  probml::FamilySpec beta2 = spec("beta");
  beta2.formula_parts = 2;
  probml::FamilySpec nb2 = spec("negbin");
  nb2.theta = 2.5;
  probml::FamilySpec gauss_log_fixed = spec("gaussian", "log");
  gauss_log_fixed.sigma = 0.7;
  std::vector<Case> out = {
      {spec("gaussian", "log"), {0.3}},
      {spec("gaussian", "inverse"), {0.3}, positive_eta},
      {gauss_log_fixed, {}},
      {spec("bernoulli", "log"), {}, negative_eta},
      {spec("bernoulli", "cauchit"), {}},
      {spec("bernoulli", "loglog"), {}},
      {spec("poisson", "identity"), {}, positive_eta},
      {spec("poisson", "sqrt"), {}, positive_eta},
      {spec("gamma", "log"), {0.4}},
      {spec("gamma", "inverse"), {0.4}, positive_eta},
      {spec("gamma", "identity"), {0.4}, positive_eta},
      {spec("inverse_gaussian", "1/mu^2"), {0.2}, positive_eta},
      {spec("inverse_gaussian", "inverse"), {0.2}, positive_eta},
      {spec("inverse_gaussian", "log"), {0.2}},
      {spec("inverse_gaussian", "identity"), {0.2}, positive_eta},
      {spec("negbin", "log"), {0.9}},
      {spec("negbin", "sqrt"), {0.9}, positive_eta},
      {spec("negbin", "identity"), {0.9}, positive_eta},
      {nb2, {}},
      {q10, {-0.4}},
      {q75, {0.3}},
      {beta2, {}},
      {spec("ordinal", "cloglog", 4), {-1, 0.2, 1.5}},
      {spec("ordinal", "loglog", 4), {-1, 0.2, 1.5}},
      {spec("ordinal", "cauchit", 4), {-1, 0.2, 1.5}}};
  std::vector<Case> base = {{spec("gaussian"), {0.3}},           {spec("laplace"), {-0.2}},
          {spec("huber"), {0.1}},              {t4, {0.2}},
          {spec("student_t"), {0.2, 1.4}},     {spec("bernoulli", "logit"), {}},
          {spec("bernoulli", "probit"), {}},   {spec("bernoulli", "cloglog"), {}},
          {spec("categorical", "", 3), {}},    {smooth, {}},
          {spec("poisson"), {}},               {spec("beta"), {1.6}},
          {spec("ordinal", "logit", 4), {-1, 0.2, 1.5}}, {spec("ordinal", "probit", 4), {-1, 0.2, 1.5}},
          {spec("gaussian_hetero"), {}}};
  out.insert(out.begin(), base.begin(), base.end());
  return out;
}

// A response in the family's support, drawn by its kind.
double draw_response(const probml::Family& f, probml::Xoshiro256& g, int k) {
  const std::string kind = f.response_kind();
  if (kind == "binary") return g.uniform() < 0.5 ? 1 : 0;
  if (kind == "classes" || kind == "ordered") return std::floor(g.uniform() * k);
  if (kind == "count") return probml::random::poisson(g, 3);
  if (kind == "unit") return probml::random::beta(g, 2, 3);
  if (kind == "positive") return probml::random::gamma(g, 2) / 2;
  return probml::random::normal(g);
}

TEST(Families, LocalDerivativesMatchFiniteDifferences) {
  probml::Xoshiro256 g(11, 0);
  for (const auto& c : cases()) {
    const auto f = probml::make_family(c.spec);
    const int m = f->n_linear(), q = f->n_aux(), d = m + q;
    for (int row = 0; row < 25; ++row) {
      const VectorXd y = VectorXd::Constant(1, draw_response(*f, g, c.spec.n_classes));
      VectorXd v(d);
      for (int j = 0; j < m; ++j) v[j] = c.eta_of(probml::random::normal(g));
      for (int a = 0; a < q; ++a) v[m + a] = c.aux[static_cast<size_t>(a)];
      auto local = [&](const VectorXd& at, int order) {
        probml::LocalDerivs ld;
        f->local(at.head(m).transpose(), y, at.tail(q), order, ld);
        return ld;
      };
      const probml::LocalDerivs ld = local(v, 2);
      for (int a = 0; a < d; ++a) {
        const double h = 1e-6 * std::max(1.0, std::abs(v[a]));
        VectorXd up = v, dn = v;
        up[a] += h;
        dn[a] -= h;
        if (f->location_is_lad() && a == 0) continue;  // the check loss has no curvature in mu
        const double fd = (local(up, 0).value[0] - local(dn, 0).value[0]) / (2 * h);
        EXPECT_NEAR(ld.d1(0, a), fd, 1e-5 * std::max(1.0, std::abs(fd))) << f->label() << " gradient " << a;
        const probml::LocalDerivs lu = local(up, 1), ldn = local(dn, 1);
        for (int b = 0; b < d; ++b) {
          if (f->location_is_lad() && b == 0) continue;
          const double fd2 = (lu.d1(0, b) - ldn.d1(0, b)) / (2 * h);
          EXPECT_NEAR(ld.d2(0, probml::packed_index(a, b, d)), fd2, 1e-4 * std::max(1.0, std::abs(fd2)))
              << f->label() << " Hessian " << a << "," << b;
        }
      }
    }
  }
}

TEST(Families, ExpectedInformationIsTheMeanObservedInformation) {
  // Average the observed curvature over y drawn from the model itself.
  probml::Xoshiro256 g(5, 0);
  for (const std::string link : {"logit", "probit", "cloglog"}) {
    probml::FamilySpec s;
    s.name = "bernoulli";
    s.link = link;
    const auto f = probml::make_family(s);
    for (const double eta : {-3.0, -0.4, 0.0, 1.2, 4.0}) {
      const MatrixXd U = MatrixXd::Constant(1, 1, eta);
      MatrixXd mean(1, 1), info;
      f->mean(U, VectorXd(), mean);
      probml::LocalDerivs one, zero;
      f->local(U, VectorXd::Ones(1), VectorXd(), 2, one);
      f->local(U, VectorXd::Zero(1), VectorXd(), 2, zero);
      f->local_expected(U, VectorXd(), info);
      const double p = mean(0, 0);
      EXPECT_NEAR(info(0, 0), p * one.d2(0, 0) + (1 - p) * zero.d2(0, 0), 1e-10) << link << " " << eta;
    }
  }
}

TEST(Families, ExpectedInformationOfTheNewLinksAndCountFamilies) {
  // Bernoulli: the mean over y in {0, 1}.
  for (const std::string link : {"log", "cauchit", "loglog"}) {
    probml::FamilySpec s;
    s.name = "bernoulli";
    s.link = link;
    const auto f = probml::make_family(s);
    for (const double eta0 : {-3.0, -0.4, 0.0, 1.2, 4.0}) {
      const double eta = link == "log" ? -std::exp(eta0) : eta0;  // log link: p = exp(eta) < 1
      const MatrixXd U = MatrixXd::Constant(1, 1, eta);
      MatrixXd mean(1, 1), info;
      f->mean(U, VectorXd(), mean);
      probml::LocalDerivs one, zero;
      f->local(U, VectorXd::Ones(1), VectorXd(), 2, one);
      f->local(U, VectorXd::Zero(1), VectorXd(), 2, zero);
      f->local_expected(U, VectorXd(), info);
      const double p = mean(0, 0);
      EXPECT_NEAR(info(0, 0), p * one.d2(0, 0) + (1 - p) * zero.d2(0, 0), 1e-10 * std::max(1.0, info(0, 0)))
          << link << " " << eta;
    }
  }
  // Poisson and negative binomial: exact sums over the counts.
  struct CountCase {
    std::string name, link;
    double eta;
    std::vector<double> aux;
  };
  for (const CountCase& c : std::vector<CountCase>{{"poisson", "identity", 2.5, {}},
                                                   {"poisson", "sqrt", 1.7, {}},
                                                   {"negbin", "log", 1.1, {std::log(2.0)}},
                                                   {"negbin", "sqrt", 2.0, {std::log(0.6)}},
                                                   {"negbin", "identity", 6.0, {std::log(15.0)}}}) {
    probml::FamilySpec s;
    s.name = c.name;
    s.link = c.link;
    const auto f = probml::make_family(s);
    const int d = f->n_local();
    const VectorXd aux = Eigen::Map<const VectorXd>(c.aux.data(), static_cast<Eigen::Index>(c.aux.size()));
    const MatrixXd U = MatrixXd::Constant(1, 1, c.eta);
    MatrixXd mean(1, 1), info;
    f->mean(U, aux, mean);
    f->local_expected(U, aux, info);
    const double mu = mean(0, 0), theta = c.name == "negbin" ? std::exp(c.aux[0]) : 0;
    VectorXd avg = VectorXd::Zero(probml::packed_size(d));
    double total = 0;
    for (int k = 0; k < 400; ++k) {
      const double log_p = c.name == "poisson"
                               ? k * std::log(mu) - mu - std::lgamma(k + 1.0)
                               : std::lgamma(k + theta) - std::lgamma(theta) - std::lgamma(k + 1.0) +
                                     theta * std::log(theta / (theta + mu)) + k * std::log(mu / (theta + mu));
      probml::LocalDerivs ld;
      f->local(U, VectorXd::Constant(1, k), aux, 2, ld);
      avg += std::exp(log_p) * ld.d2.row(0).transpose();
      total += std::exp(log_p);
    }
    EXPECT_NEAR(total, 1.0, 1e-12) << c.name << " " << c.link;
    for (int a = 0; a < avg.size(); ++a)
      EXPECT_NEAR(info(0, a), avg[a], 1e-9 * std::max(1.0, std::abs(avg[a]))) << c.name << " " << c.link << " " << a;
  }
}

// Exponential regression: y > 0 with mean mu = exp(eta), nll = eta + y exp(-eta).
// It is defined here only; the engine fits it through its capabilities.
class ExponentialRegression : public probml::Family {
 public:
  std::string name() const override { return "exponential_regression"; }
  std::string label() const override { return "Exponential (log link)"; }
  bool positive_curvature() const override { return false; }
  std::string response_kind() const override { return "numeric"; }
  std::string support_text() const override { return "positive"; }
  Eigen::Index first_outside_support(const Eigen::Ref<const VectorXd>& y) const override {
    for (Eigen::Index i = 0; i < y.size(); ++i)
      if (!(y[i] > 0) || !std::isfinite(y[i])) return i;
    return -1;
  }
  void local(const Eigen::Ref<const MatrixXd>& U, const Eigen::Ref<const VectorXd>& y, const VectorXd&, int order,
             probml::LocalDerivs& out) const override {
    out.resize(U.rows(), 1, order);
    for (Eigen::Index i = 0; i < U.rows(); ++i) {
      const double r = y[i] * std::exp(-U(i, 0));
      out.value[i] = U(i, 0) + r;
      if (order >= 1) out.d1(i, 0) = 1 - r;
      if (order >= 2) out.d2(i, 0) = r;
    }
  }
  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const MatrixXd>& U, const VectorXd&, MatrixXd& info) const override {
    info = MatrixXd::Ones(U.rows(), 1);
  }
  double start_eta(int, double y, double) const override { return std::log(y); }
  void mean(const Eigen::Ref<const MatrixXd>& U, const VectorXd&, Eigen::Ref<MatrixXd> out) const override {
    out.col(0) = U.col(0).array().exp().matrix();
  }
  void variance(const Eigen::Ref<const MatrixXd>& U, const VectorXd&, Eigen::Ref<VectorXd> out) const override {
    out = (2 * U.col(0).array()).exp().matrix();
  }
  void saturated_nll(const Eigen::Ref<const MatrixXd>&, const Eigen::Ref<const VectorXd>& y, const VectorXd&,
                     Eigen::Ref<VectorXd> out) const override {
    out = (y.array().log() + 1).matrix();
  }
};

TEST(Families, ANewFamilyIsFittedThroughItsCapabilitiesAlone) {
  const long n = 4000;
  probml::Xoshiro256 g(3, 0);
  MatrixXd X(n, 2);
  VectorXd y(n);
  for (long i = 0; i < n; ++i) {
    X(i, 0) = 1;
    X(i, 1) = probml::random::normal(g);
    y[i] = std::exp(0.5 - 0.8 * X(i, 1)) * probml::random::exponential(g);
  }
  const ExponentialRegression family;
  const probml::Model model(family, {probml::Design(probml::ConstMatrixMap(X.data(), n, 2))}, 0);
  const VectorXd w = VectorXd::Ones(n);
  probml::FitOptions opt;
  const probml::FitResult fit = probml::fit_model(model, probml::ConstVectorMap(y.data(), n),
                                                  probml::ConstVectorMap(w.data(), n), model.offsets(VectorXd()),
                                                  VectorXd(), {}, probml::Prior(), opt, probml::Callbacks());
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.theta[0], 0.5, 0.05);
  EXPECT_NEAR(fit.theta[1], -0.8, 0.05);
  EXPECT_LT(fit.gradient.cwiseAbs().maxCoeff(), 1e-8);
  // Its information is X'X here (Fisher information 1 per row).
  const MatrixXd XtX = X.transpose() * X;
  EXPECT_TRUE(fit.covariance.isApprox(XtX.inverse(), 0.1));
  EXPECT_EQ(model.names({{"(Intercept)", "x"}}), (std::vector<std::string>{"(Intercept)", "x"}));
}

TEST(Families, AnIdentityLinkStartsInsideTheMeansSpace) {
  // Gamma with the identity link: least squares of y on x gives negative
  // means at the far left, where the nll is +Inf; the fit moves the start
  // toward the intercept-only one, and the line search keeps every step
  // inside, so it converges to the interior maximum.
  const long n = 3000;
  probml::Xoshiro256 g(4, 0);
  MatrixXd X(n, 2);
  VectorXd y(n);
  for (long i = 0; i < n; ++i) {
    X(i, 0) = 1;
    X(i, 1) = g.uniform() * 10;
    const double mu = 0.05 + 0.8 * X(i, 1);
    y[i] = mu * probml::random::gamma(g, 0.5) / 0.5;
  }
  const VectorXd ols = (X.transpose() * X).ldlt().solve(X.transpose() * y);
  ASSERT_LT((X * ols).minCoeff(), 0);  // the least-squares start is outside
  probml::FamilySpec s;
  s.name = "gamma";
  s.link = "identity";
  const auto family = probml::make_family(s);
  const probml::Model model(*family, {probml::Design(probml::ConstMatrixMap(X.data(), n, 2))}, 0);
  const VectorXd w = VectorXd::Ones(n);
  const probml::FitResult fit =
      probml::fit_model(model, probml::ConstVectorMap(y.data(), n), probml::ConstVectorMap(w.data(), n),
                        model.offsets(VectorXd()), VectorXd(), {}, probml::Prior(), probml::FitOptions(),
                        probml::Callbacks());
  EXPECT_TRUE(fit.converged) << fit.message;
  EXPECT_GT(fit.mean.minCoeff(), 0);
  EXPECT_LT(fit.gradient.cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_NEAR(fit.theta[1], 0.8, 0.1);
}

TEST(Families, FitsAreIdenticalForAnyNumberOfThreads) {
  const long n = 50000;
  probml::Xoshiro256 g(8, 0);
  MatrixXd X(n, 3);
  VectorXd y(n), w(n);
  for (long i = 0; i < n; ++i) {
    X(i, 0) = 1;
    X(i, 1) = probml::random::normal(g);
    X(i, 2) = g.uniform();
    y[i] = g.uniform() < 1 / (1 + std::exp(-(0.3 + X(i, 1) - X(i, 2)))) ? 1 : 0;
    w[i] = 0.5 + g.uniform();
  }
  probml::FamilySpec s;
  s.name = "bernoulli";
  s.link = "logit";
  const auto family = probml::make_family(s);
  const probml::Model model(*family, {probml::Design(probml::ConstMatrixMap(X.data(), n, 3))}, 0);
  VectorXd first;
  for (int threads : {1, 2, 3}) {
    probml::FitOptions opt;
    opt.n_threads = threads;
    const probml::FitResult fit =
        probml::fit_model(model, probml::ConstVectorMap(y.data(), n), probml::ConstVectorMap(w.data(), n),
                          model.offsets(VectorXd()), VectorXd(), {}, probml::Prior(), opt, probml::Callbacks());
    if (threads == 1) first = fit.theta;
    else EXPECT_EQ(fit.theta, first) << threads << " threads";
  }
}

}  // namespace
