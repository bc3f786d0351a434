#pragma once
// A multilayer perceptron: affine layers with ReLU or tanh between them and
// (inverted) dropout after each hidden activation. Activations are stored
// one column per observation (units x batch), so every layer is one matrix
// product over the batch. The network computes in `Real` (single
// precision, as PyTorch does by default: twice the arithmetic per vector
// instruction); heads, losses and outputs are double (train.hpp). The
// templates also run in double, which the derivative tests use.
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
using Real = float;
template <class S>
using MatrixT = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using VectorT = Eigen::Matrix<S, Eigen::Dynamic, 1>;

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
template <class S>
struct ParametersT {
  std::vector<MatrixT<S>> W;
  std::vector<VectorT<S>> b;

  static ParametersT zeros(const Architecture& a) {
    ParametersT p;
    for (int l = 0; l < a.n_layers(); ++l) {
      p.W.push_back(MatrixT<S>::Zero(a.fan_out(l), a.fan_in(l)));
      p.b.push_back(VectorT<S>::Zero(a.fan_out(l)));
    }
    return p;
  }
  // PyTorch's default for linear layers: weights and biases uniform on
  // +-1/sqrt(fan_in), so that probml and torch start from the same law.
  static ParametersT initial(const Architecture& a, Xoshiro256& g) {
    ParametersT p = zeros(a);
    for (int l = 0; l < a.n_layers(); ++l) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(a.fan_in(l)));
      for (Index k = 0; k < p.W[l].size(); ++k) p.W[l].data()[k] = static_cast<S>(bound * (2.0 * g.uniform() - 1.0));
      for (Index k = 0; k < p.b[l].size(); ++k) p.b[l][k] = static_cast<S>(bound * (2.0 * g.uniform() - 1.0));
    }
    return p;
  }
  template <class T>
  ParametersT<T> cast() const {
    ParametersT<T> out;
    for (const auto& m : W) out.W.push_back(m.template cast<T>());
    for (const auto& v : b) out.b.push_back(v.template cast<T>());
    return out;
  }
};

using Parameters = ParametersT<Real>;

// What a forward pass keeps for the backward pass.
template <class S>
struct WorkspaceT {
  std::vector<MatrixT<S>> H;     // hidden activations before dropout (units x batch)
  std::vector<MatrixT<S>> A;     // the same after dropout (only with dropout on)
  std::vector<MatrixT<S>> keep;  // dropout masks, 0 or 1/(1 - p)
  MatrixT<S> out;                // outputs (n_outputs x batch)
  MatrixT<S> delta, delta_next;  // backward scratch
};
using Workspace = WorkspaceT<Real>;

// The input of layer l >= 1: the previous hidden layer, after dropout if any.
template <class S>
const MatrixT<S>& layer_input(const WorkspaceT<S>& ws, int l) {
  const size_t k = static_cast<size_t>(l - 1);
  return ws.keep[k].size() > 0 ? ws.A[k] : ws.H[k];
}

// One forward pass over the columns of X (n_inputs x batch). With
// `dropout_on`, hidden units are dropped with the architecture's
// probability, the kept ones scaled by 1/(1 - p), from generator g.
template <class S, class XType>
void forward(const Architecture& a, const ParametersT<S>& p, const XType& X, bool dropout_on, Xoshiro256* g,
             WorkspaceT<S>& ws) {
  const int L = a.n_layers();
  const Index m = X.cols();
  ws.H.resize(static_cast<size_t>(L - 1));
  ws.A.resize(static_cast<size_t>(L - 1));
  ws.keep.resize(static_cast<size_t>(L - 1));
  const bool drop = dropout_on && a.dropout > 0;
  const S scale = static_cast<S>(drop ? 1.0 / (1.0 - a.dropout) : 1.0);
  for (int l = 0; l < L; ++l) {
    const size_t ul = static_cast<size_t>(l);
    MatrixT<S>& Z = l == L - 1 ? ws.out : ws.H[ul];
    Z.resize(a.fan_out(l), m);
    if (l == 0) Z.noalias() = p.W[0] * X;
    else Z.noalias() = p.W[ul] * layer_input(ws, l);
    // bias and activation in one pass
    if (l == L - 1) Z.colwise() += p.b[ul];
    else if (a.activation == Activation::relu) Z = (Z.colwise() + p.b[ul]).cwiseMax(S(0));
    else Z = (Z.colwise() + p.b[ul]).array().tanh().matrix();
    if (l == L - 1) break;
    if (drop) {
      MatrixT<S>& K = ws.keep[ul];
      K.resize(Z.rows(), m);
      for (Index k = 0; k < K.size(); ++k) K.data()[k] = g->uniform() < a.dropout ? S(0) : scale;
      ws.A[ul] = Z.cwiseProduct(K);
    } else {
      ws.keep[ul].resize(0, 0);  // no mask: the next layer reads H itself
    }
  }
}

// Gradients of the sum over the batch of the loss, given d loss / d outputs
// (n_outputs x batch) after forward() on the same X: written to `grad`, or
// added to it (`accumulate`, for a batch taken in column blocks).
template <class S, class XType>
void backward(const Architecture& a, const ParametersT<S>& p, const XType& X, WorkspaceT<S>& ws,
              const MatrixT<S>& d_out, ParametersT<S>& grad, bool accumulate = false) {
  const int L = a.n_layers();
  const MatrixT<S>* delta = &d_out;
  for (int l = L - 1; l >= 0; --l) {
    const size_t ul = static_cast<size_t>(l);
    const MatrixT<S>& D = *delta;
    if (accumulate) {
      if (l == 0) grad.W[0].noalias() += D * X.transpose();
      else grad.W[ul].noalias() += D * layer_input(ws, l).transpose();
      // Row sums as a matrix-vector product: a contiguous pass over delta
      // (rowwise().sum() on this column-major matrix is a strided scalar loop).
      grad.b[ul].noalias() += D * VectorT<S>::Ones(D.cols());
    } else {
      if (l == 0) grad.W[0].noalias() = D * X.transpose();
      else grad.W[ul].noalias() = D * layer_input(ws, l).transpose();
      grad.b[ul].noalias() = D * VectorT<S>::Ones(D.cols());
    }
    if (l == 0) break;
    // Back through layer l's input: A = act(Z) * keep.
    MatrixT<S>& next = delta == &ws.delta ? ws.delta_next : ws.delta;
    next.noalias() = p.W[ul].transpose() * D;
    const MatrixT<S>& H = ws.H[ul - 1];
    if (a.activation == Activation::relu) {
      next = (H.array() > S(0)).select(next, S(0));
    } else {
      next.array() *= S(1) - H.array().square();
    }
    if (ws.keep[ul - 1].size() > 0) next.array() *= ws.keep[ul - 1].array();
    delta = &next;
  }
}

}  // namespace nn
}  // namespace probml
