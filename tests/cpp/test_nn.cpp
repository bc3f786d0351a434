// The MLP core: backpropagation against finite differences for every head
// and both activations (with a fixed dropout mask), standardisation undone
// on the outputs, a linear network reaching least squares, and members
// identical for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <probml/family/make_family.hpp>
#include <probml/nn/train.hpp>
#include <probml/util/random.hpp>

namespace {

using probml::nn::Architecture;
using probml::nn::Matrix;
using probml::nn::Parameters;  // single precision, as trained
using ParamsD = probml::nn::ParametersT<double>;  // double, for finite differences
using probml::nn::Vector;

struct Data {
  Matrix X;  // n x p, original scale
  Vector y, w;
};

Data sample(long n, int p, const std::string& kind, int seed) {
  probml::Xoshiro256 g(static_cast<std::uint64_t>(seed), 0);
  Data d;
  d.X.resize(n, p);
  d.y.resize(n);
  d.w = Vector::Ones(n);
  for (long i = 0; i < n; ++i) {
    double eta = 0.2;
    for (int j = 0; j < p; ++j) {
      d.X(i, j) = probml::random::normal(g) * (j + 1) + j;
      eta += (j % 2 ? -0.5 : 0.8) * (d.X(i, j) - j) / (j + 1);
    }
    if (kind == "numeric") d.y[i] = 3 + 2 * eta + probml::random::normal(g);
    else if (kind == "binary") d.y[i] = g.uniform() < 1 / (1 + std::exp(-eta)) ? 1 : 0;
    else if (kind == "count") d.y[i] = std::floor(std::exp(0.5 * eta) * 3 * g.uniform());
    else d.y[i] = static_cast<double>(static_cast<int>(3 * g.uniform()));
    d.w[i] = 0.5 + g.uniform();
  }
  return d;
}

probml::FamilySpec spec(const std::string& name) {
  probml::FamilySpec s;
  s.name = name;
  if (name == "gaussian") s.sigma = 1.5;
  if (name == "categorical") s.n_classes = 3;
  return s;
}

// Weighted mean nll of the outputs with the head, as Trainer minimises it.
double mean_nll(const Architecture& a, const ParamsD& p, const probml::Family& f, const Matrix& Xs,
                const Vector& y, const Vector& w, probml::nn::WorkspaceT<double>& ws, const std::vector<Matrix>& masks) {
  // The forward pass by hand, with the masks of the analytic pass.
  (void)ws;
  const int L = a.n_layers();
  Matrix A = Xs;
  for (int l = 0; l < L; ++l) {
    Matrix Z = p.W[l] * A;
    Z.colwise() += p.b[l];
    if (l == L - 1) {
      A = Z;
      break;
    }
    Z = a.activation == probml::nn::Activation::relu ? Matrix(Z.cwiseMax(0.0)) : Matrix(Z.array().tanh().matrix());
    A = masks.empty() ? Z : Matrix(Z.cwiseProduct(masks[l]));
  }
  probml::LocalDerivs d;
  Matrix U = A.transpose();
  f.local(U, y, Vector(0), 0, d);
  return w.dot(d.value) / w.sum();
}

class Backprop : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(Backprop, MatchesFiniteDifferences) {
  const auto [family_name, activation] = GetParam();
  auto f = probml::make_family(spec(family_name));
  const std::string kind = f->response_kind();
  Data d = sample(40, 3, kind == "classes" ? "classes" : kind, 3);
  Architecture a;
  a.n_inputs = 3;
  a.hidden = {5, 4};
  a.n_outputs = f->n_linear();
  a.activation = probml::nn::parse_activation(activation);
  a.dropout = 0.3;
  probml::Xoshiro256 g(7, 1);
  ParamsD p = ParamsD::initial(a, g);
  const Matrix Xs = d.X.transpose();
  probml::nn::WorkspaceT<double> ws;
  probml::nn::forward(a, p, Xs, true, &g, ws);  // draws the masks
  std::vector<Matrix> masks = ws.keep;
  // Analytic gradient of the weighted mean nll with these masks.
  probml::LocalDerivs der;
  Matrix U = ws.out.transpose();
  f->local(U, d.y, Vector(0), 1, der);
  Matrix d_out = (der.d1.array().colwise() * (d.w / d.w.sum()).array()).matrix().transpose();
  ParamsD grad = ParamsD::zeros(a);
  probml::nn::backward(a, p, Xs, ws, d_out, grad);
  probml::nn::WorkspaceT<double> ws2;
  const double h = 1e-6;
  double worst = 0;
  for (size_t l = 0; l < p.W.size(); ++l) {
    for (Eigen::Index k = 0; k < p.W[l].size(); ++k) {
      ParamsD q = p;
      q.W[l].data()[k] += h;
      const double up = mean_nll(a, q, *f, Xs, d.y, d.w, ws2, masks);
      q.W[l].data()[k] -= 2 * h;
      const double down = mean_nll(a, q, *f, Xs, d.y, d.w, ws2, masks);
      worst = std::max(worst, std::fabs((up - down) / (2 * h) - grad.W[l].data()[k]));
    }
    for (Eigen::Index k = 0; k < p.b[l].size(); ++k) {
      ParamsD q = p;
      q.b[l][k] += h;
      const double up = mean_nll(a, q, *f, Xs, d.y, d.w, ws2, masks);
      q.b[l][k] -= 2 * h;
      const double down = mean_nll(a, q, *f, Xs, d.y, d.w, ws2, masks);
      worst = std::max(worst, std::fabs((up - down) / (2 * h) - grad.b[l][k]));
    }
  }
  EXPECT_LT(worst, 1e-7) << family_name << " " << activation;
}

INSTANTIATE_TEST_SUITE_P(Heads, Backprop,
                         ::testing::Combine(::testing::Values("gaussian", "gaussian_hetero", "bernoulli",
                                                              "categorical", "poisson"),
                                            ::testing::Values("relu", "tanh")));

TEST(Network, HeadsWithSharedParametersAreRefused) {
  probml::FamilySpec s;
  s.name = "gaussian";  // sigma estimated: an auxiliary parameter
  auto f = probml::make_family(s);
  EXPECT_FALSE(f->network_head());
  Architecture a;
  a.n_inputs = 1;
  Data d = sample(10, 1, "numeric", 1);
  EXPECT_THROW(probml::nn::Trainer(a, *f, d.X.transpose(), d.y, d.w, probml::nn::TrainOptions(), 1, 0),
               probml::DomainError);
}

// No hidden layer, full-batch gradient descent: the weighted least-squares
// fit, once the standardisation is undone (to single precision, in which
// the network computes).
TEST(Network, LinearNetworkReachesLeastSquares) {
  Data d = sample(200, 3, "numeric", 5);
  auto head = probml::make_family(spec("gaussian"));
  probml::nn::Scaling s = probml::nn::make_scaling(d.X, d.y, d.w, *head, true, true);
  auto train_head = probml::nn::training_head(spec("gaussian"), s);
  Architecture a;
  a.n_inputs = 3;
  probml::nn::TrainOptions o;
  o.optimizer = probml::nn::Optimizer::sgd;
  o.lr = 0.5;
  o.epochs = 3000;
  const Matrix Xs = probml::nn::standardised_inputs(d.X, s);
  probml::nn::Trainer t(a, *train_head, Xs, (d.y.array() - s.y_center).matrix() / s.y_scale, d.w, o, 1, 0);
  t.run_for(1e9);
  const Parameters p = t.take_result().params;
  // Weighted least squares directly.
  Matrix X1(d.X.rows(), 4);
  X1 << Vector::Ones(d.X.rows()), d.X;
  const Vector sw = d.w.array().sqrt();
  const Vector beta = (sw.asDiagonal() * X1).colPivHouseholderQr().solve(sw.cwiseProduct(d.y));
  // The network's predictions on the original scale are X1 beta.
  const auto U = probml::nn::predict_outputs(a, {p}, s, d.X, 1, false, 0, 1);
  EXPECT_LT((U[0].col(0) - X1 * beta).cwiseAbs().maxCoeff(), 1e-4);
}

TEST(Network, MembersDoNotDependOnThreads) {
  Data d = sample(300, 4, "numeric", 9);
  auto head = probml::make_family(spec("gaussian_hetero"));
  probml::nn::Scaling s = probml::nn::make_scaling(d.X, d.y, d.w, *head, true, true);
  Architecture a;
  a.n_inputs = 4;
  a.hidden = {8, 8};
  a.n_outputs = 2;
  a.dropout = 0.1;
  probml::nn::TrainOptions o;
  o.epochs = 30;
  o.batch_size = 32;
  o.validation = 0.2;
  const Matrix Xs = probml::nn::standardised_inputs(d.X, s);
  const Vector ys = (d.y.array() - s.y_center).matrix() / s.y_scale;
  auto one = probml::nn::train_members(a, *head, Xs, ys, d.w, o, 42, {0, 1, 2}, 1);
  auto two = probml::nn::train_members(a, *head, Xs, ys, d.w, o, 42, {0, 1, 2}, 2);
  for (size_t k = 0; k < one.size(); ++k) {
    for (size_t l = 0; l < one[k].params.W.size(); ++l) EXPECT_EQ(one[k].params.W[l], two[k].params.W[l]);
    EXPECT_EQ(one[k].train_loss, two[k].train_loss);
  }
  EXPECT_NE(one[0].params.W[0], one[1].params.W[0]);  // members differ
  auto alone = probml::nn::train_members(a, *head, Xs, ys, d.w, o, 42, {2}, 1);
  EXPECT_EQ(alone[0].params.W[1], one[2].params.W[1]);  // a member trained alone
  std::vector<Parameters> sets{one[0].params};
  auto mc1 = probml::nn::predict_outputs(a, sets, s, d.X, 5, true, 3, 1);
  auto mc2 = probml::nn::predict_outputs(a, sets, s, d.X, 5, true, 3, 2);
  for (size_t k = 0; k < mc1.size(); ++k) EXPECT_EQ(mc1[k], mc2[k]);
  EXPECT_NE(mc1[0], mc1[1]);
}

}  // namespace
