#pragma once
// Categorical (multinomial logit) with the first class as reference:
// v = (eta_1..eta_{K-1}), eta_0 = 0, nll = logsumexp(eta) - sum_k t_k eta_k where
// t is the one-hot target, optionally smoothed to (1 - eps) onehot + eps / K.
#include <cmath>
#include <sstream>
#include "classes.hpp"

namespace probml {

class CategoricalFamily : public ClassResponseFamily {
 public:
  CategoricalFamily(std::vector<std::string> levels, int n_classes, double label_smoothing)
      : ClassResponseFamily(n_classes), eps_(label_smoothing), levels_(class_labels(levels, n_classes)) {
    if (k_ < 2) throw DomainError("the categorical family needs at least 2 classes");
    if (!(eps_ >= 0 && eps_ < 1)) throw DomainError("label_smoothing must be in [0, 1)");
  }
  std::string name() const override { return "categorical"; }
  std::string label() const override {
    if (eps_ == 0) return "Categorical (softmax)";
    std::ostringstream os;
    os << "Categorical (label smoothing " << eps_ << ")";
    return os.str();
  }
  int n_linear() const override { return k_ - 1; }
  bool positive_curvature() const override { return true; }

  std::string response_kind() const override { return "classes"; }
  std::vector<std::string> linear_predictor_names() const override {
    return std::vector<std::string>(levels_.begin() + 1, levels_.end());
  }
  std::string coefficient_prefix(int j) const override { return levels_[static_cast<size_t>(j + 1)] + ":"; }
  bool accepts_offset() const override { return false; }
  bool logits_against_first_class() const override { return true; }
  // A point mass on the observed class: nll 0 (the smoothed target's
  // entropy with label smoothing).
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>&,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    const double on = 1 - eps_ + eps_ / k_, off = eps_ / k_;
    const double h = -(on * std::log(on) + (k_ - 1) * (off > 0 ? off * std::log(off) : 0.0));
    out.setConstant(h);
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd&, int order, LocalDerivs& out) const override {
    const int m = k_ - 1;
    out.resize(U.rows(), m, order);
    Eigen::VectorXd p(k_);
    for (Index i = 0; i < U.rows(); ++i) {
      const double lse = probabilities(U.row(i), p);
      const int cls = static_cast<int>(y[i]);
      // sum_k t_k eta_k with eta_0 = 0.
      double target_dot = (1 - eps_) * (cls > 0 ? U(i, cls - 1) : 0.0);
      if (eps_ > 0) target_dot += eps_ / k_ * U.row(i).sum();
      out.value[i] = lse - target_dot;
      if (order < 1) continue;
      for (int j = 0; j < m; ++j) out.d1(i, j) = p[j + 1] - target(cls, j + 1);
      if (order < 2) continue;
      for (int j = 0; j < m; ++j)
        for (int l = j; l < m; ++l)
          out.d2(i, packed_index(j, l, m)) = p[j + 1] * ((j == l) - p[l + 1]);
    }
  }

  bool has_expected() const override { return true; }
  void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                      Eigen::MatrixXd& info) const override {
    const int m = k_ - 1;
    info.resize(U.rows(), packed_size(m));
    Eigen::VectorXd p(k_);
    for (Index i = 0; i < U.rows(); ++i) {
      probabilities(U.row(i), p);
      for (int j = 0; j < m; ++j)
        for (int l = j; l < m; ++l) info(i, packed_index(j, l, m)) = p[j + 1] * ((j == l) - p[l + 1]);
    }
    (void)aux;
  }

  double start_eta(int, double, double) const override { return std::nan(""); }

  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd&,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    Eigen::VectorXd p(k_);
    for (Index i = 0; i < U.rows(); ++i) {
      probabilities(U.row(i), p);
      out.row(i) = p.transpose();
    }
  }

 private:
  double target(int cls, int k) const { return (1 - eps_) * (cls == k) + eps_ / k_; }

  // Softmax of (0, eta) into p; returns log-sum-exp.
  template <typename Row>
  double probabilities(const Row& eta, Eigen::VectorXd& p) const {
    double mx = 0.0;
    for (int j = 0; j < k_ - 1; ++j) mx = std::max(mx, eta[j]);
    p[0] = std::exp(-mx);
    double total = p[0];
    for (int j = 0; j < k_ - 1; ++j) {
      p[j + 1] = std::exp(eta[j] - mx);
      total += p[j + 1];
    }
    p /= total;
    return mx + std::log(total);
  }

  double eps_;
  std::vector<std::string> levels_;
};

}  // namespace probml
