#pragma once
// A multilayer perceptron: affine layers with ReLU or tanh between them and
// (inverted) dropout after each hidden activation. Activations are stored
// one column per observation (units x batch), so every layer is one matrix
// product over the batch.
#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>
#include "../util/errors.hpp"
#include "../util/rng.hpp"

namespace probml {
namespace nn {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Index = Eigen::Index;

enum class Activation { relu, tanh };

inline Activation parse_activation(const std::string& s) {
  if (s == "relu") return Activation::relu;
  if (s == "tanh") return Activation::tanh;
  throw DomainError("unknown activation '" + s + "'; the activations are relu and tanh");
}

struct Architecture {
  int n_inputs = 0;
  std::vector<int> hidden;  // units per hidden layer; empty: a linear model
  int n_outputs = 1;
  Activation activation = Activation::relu;
  double dropout = 0.0;  // probability of dropping a hidden unit

  int n_layers() const { return static_cast<int>(hidden.size()) + 1; }
  int fan_in(int l) const { return l == 0 ? n_inputs : hidden[static_cast<size_t>(l - 1)]; }
  int fan_out(int l) const { return l == n_layers() - 1 ? n_outputs : hidden[static_cast<size_t>(l)]; }
  void check() const {
    if (n_inputs < 1) throw DomainError("the network needs at least one input");
    if (n_outputs < 1) throw DomainError("the network needs at least one output");
    for (int h : hidden)
      if (h < 1) throw DomainError("hidden layers need at least one unit");
    if (!(dropout >= 0 && dropout < 1)) throw DomainError("dropout must be in [0, 1)");
  }
};

// The parameters: W[l] is fan_out x fan_in, b[l] has fan_out entries. The
// same type holds gradients and optimiser moments.
struct Parameters {
  std::vector<Matrix> W;
  std::vector<Vector> b;

  static Parameters zeros(const Architecture& a) {
    Parameters p;
    for (int l = 0; l < a.n_layers(); ++l) {
      p.W.push_back(Matrix::Zero(a.fan_out(l), a.fan_in(l)));
      p.b.push_back(Vector::Zero(a.fan_out(l)));
    }
    return p;
  }
  // PyTorch's default for linear layers: weights and biases uniform on
  // +-1/sqrt(fan_in), so that probml and torch start from the same law.
  static Parameters initial(const Architecture& a, Xoshiro256& g) {
    Parameters p = zeros(a);
    for (int l = 0; l < a.n_layers(); ++l) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(a.fan_in(l)));
      for (Index k = 0; k < p.W[l].size(); ++k) p.W[l].data()[k] = bound * (2.0 * g.uniform() - 1.0);
      for (Index k = 0; k < p.b[l].size(); ++k) p.b[l][k] = bound * (2.0 * g.uniform() - 1.0);
    }
    return p;
  }
  void set_zero() {
    for (auto& m : W) m.setZero();
    for (auto& v : b) v.setZero();
  }
  long size() const {
    long n = 0;
    for (size_t l = 0; l < W.size(); ++l) n += static_cast<long>(W[l].size() + b[l].size());
    return n;
  }
};

// What a forward pass keeps for the backward pass.
struct Workspace {
  std::vector<Matrix> H;     // hidden activations before dropout (units x batch)
  std::vector<Matrix> A;     // the same after dropout: the next layer's input
  std::vector<Matrix> keep;  // dropout masks, 0 or 1/(1 - p)
  Matrix out;                // outputs (n_outputs x batch)
  Matrix delta, delta_next;  // backward scratch
};

// One forward pass over the columns of X (n_inputs x batch). With
// `dropout_on`, hidden units are dropped with the architecture's
// probability, the kept ones scaled by 1/(1 - p), from generator g.
template <class XType>
void forward(const Architecture& a, const Parameters& p, const XType& X, bool dropout_on, Xoshiro256* g,
             Workspace& ws) {
  const int L = a.n_layers();
  const Index m = X.cols();
  ws.H.resize(static_cast<size_t>(L - 1));
  ws.A.resize(static_cast<size_t>(L - 1));
  ws.keep.resize(static_cast<size_t>(L - 1));
  const bool drop = dropout_on && a.dropout > 0;
  const double scale = drop ? 1.0 / (1.0 - a.dropout) : 1.0;
  for (int l = 0; l < L; ++l) {
    Matrix& Z = l == L - 1 ? ws.out : ws.H[static_cast<size_t>(l)];
    Z.resize(a.fan_out(l), m);
    if (l == 0) Z.noalias() = p.W[0] * X;
    else Z.noalias() = p.W[static_cast<size_t>(l)] * ws.A[static_cast<size_t>(l - 1)];
    Z.colwise() += p.b[static_cast<size_t>(l)];
    if (l == L - 1) break;
    if (a.activation == Activation::relu) Z = Z.cwiseMax(0.0);
    else Z = Z.array().tanh().matrix();
    Matrix& Aout = ws.A[static_cast<size_t>(l)];
    if (drop) {
      Matrix& K = ws.keep[static_cast<size_t>(l)];
      K.resize(Z.rows(), m);
      for (Index k = 0; k < K.size(); ++k) K.data()[k] = g->uniform() < a.dropout ? 0.0 : scale;
      Aout = Z.cwiseProduct(K);
    } else {
      ws.keep[static_cast<size_t>(l)].resize(0, 0);
      Aout = Z;
    }
  }
}

// Gradients of sum over the batch of the loss, given d loss / d outputs
// (n_outputs x batch) after forward() on the same X; overwrites `grad`.
template <class XType>
void backward(const Architecture& a, const Parameters& p, const XType& X, Workspace& ws, const Matrix& d_out,
              Parameters& grad) {
  const int L = a.n_layers();
  ws.delta = d_out;
  for (int l = L - 1; l >= 0; --l) {
    const size_t ul = static_cast<size_t>(l);
    if (l == 0) grad.W[0].noalias() = ws.delta * X.transpose();
    else grad.W[ul].noalias() = ws.delta * ws.A[ul - 1].transpose();
    // Row sums as a matrix-vector product: a contiguous pass over delta
    // (rowwise().sum() on this column-major matrix is a strided scalar loop).
    grad.b[ul].noalias() = ws.delta * Vector::Ones(ws.delta.cols());
    if (l == 0) break;
    // Back through layer l's input: A = act(Z) * keep.
    ws.delta_next.noalias() = p.W[ul].transpose() * ws.delta;
    const Matrix& H = ws.H[ul - 1];
    if (a.activation == Activation::relu) {
      ws.delta_next = (H.array() > 0).select(ws.delta_next, 0.0);
    } else {
      ws.delta_next.array() *= 1.0 - H.array().square();
    }
    if (ws.keep[ul - 1].size() > 0) ws.delta_next.array() *= ws.keep[ul - 1].array();
    ws.delta.swap(ws.delta_next);
  }
}

}  // namespace nn
}  // namespace probml
