#pragma once
// A prior as a term of the objective: the negative log prior density of the
// parameters, added to the negative log-likelihood. Each parameter t has
// its own term
//   l1 |t| + l2 t^2 / 2 + (df + 1) / 2 log(1 + t^2 / (df s^2))
// (none: a flat prior; l2 alone: Gaussian; l1 alone: Laplace; both: elastic
// net; the last part: Student t with df degrees of freedom and scale s),
// and one more term may act on a linear combination a't of the
// parameters (the intercept at the centre of the predictors, where a
// prior is put on standardised predictors). Normalising constants are left
// out of value() and given by log_normaliser(), which the evidence needs.
//
// The smooth part has a gradient and a Hessian; the L1 part has a
// proximal operator (soft thresholding), used by coordinate descent.
#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <vector>
#include "../util/errors.hpp"
#include "../util/math.hpp"

namespace probml {

struct PriorTerm {
  double l1 = 0, l2 = 0;        // Laplace and Gaussian parts
  double t_df = 0, t_scale = 0;  // Student t part; df = 0: none

  bool has_t() const { return t_df > 0; }
  bool flat() const { return l1 == 0 && l2 == 0 && !has_t(); }
  bool smooth() const { return l1 == 0; }
  // Proper in this parameter: the posterior cannot run off to infinity along it.
  bool proper() const { return !flat(); }

  double value(double t) const {
    double v = l1 * std::abs(t) + 0.5 * l2 * t * t;
    if (has_t()) v += 0.5 * (t_df + 1) * std::log1p(t * t / (t_df * t_scale * t_scale));
    return v;
  }
  // Gradient and second derivative of the smooth part.
  double gradient(double t) const {
    double g = l2 * t;
    if (has_t()) g += (t_df + 1) * t / (t_df * t_scale * t_scale + t * t);
    return g;
  }
  double hessian(double t) const {
    double h = l2;
    if (has_t()) {
      const double c = t_df * t_scale * t_scale, d = c + t * t;
      h += (t_df + 1) * (c - t * t) / (d * d);
    }
    return h;
  }
  // A positive curvature of the smooth part for coordinate descent: the
  // Student t term is majorised by the quadratic whose curvature is its
  // gradient over t (the weight of its scale-mixture representation), so
  // a step on it never goes uphill.
  double majorising_curvature(double t) const {
    double h = l2;
    if (has_t()) h += (t_df + 1) / (t_df * t_scale * t_scale + t * t);
    return h;
  }
  // The term of t' = t / f.
  PriorTerm rescaled(double f) const {
    PriorTerm out = *this;
    out.l1 *= f;
    out.l2 *= f * f;
    if (has_t()) out.t_scale /= f;
    return out;
  }
};

class Prior {
 public:
  Prior() = default;
  explicit Prior(std::vector<PriorTerm> terms) : terms_(std::move(terms)) {}
  Prior(std::vector<PriorTerm> terms, Eigen::VectorXd combination, PriorTerm combination_term)
      : terms_(std::move(terms)), a_(std::move(combination)), a_term_(combination_term) {
    if (a_term_.l1 != 0) throw DomainError("the prior on a combination of parameters must be smooth");
    if (a_.size() != static_cast<Eigen::Index>(terms_.size()))
      throw DomainError("the prior's combination does not match its parameters");
  }

  // A flat prior over n parameters.
  static Prior flat_over(int n) { return Prior(std::vector<PriorTerm>(static_cast<size_t>(n))); }

  int size() const { return static_cast<int>(terms_.size()); }
  const PriorTerm& term(int k) const { return terms_[static_cast<size_t>(k)]; }
  bool has_combination() const { return a_.size() > 0 && !a_term_.flat(); }
  bool flat() const {
    if (has_combination()) return false;
    for (const auto& t : terms_)
      if (!t.flat()) return false;
    return true;
  }
  bool has_l1() const {
    for (const auto& t : terms_)
      if (t.l1 > 0) return true;
    return false;
  }
  // The multiplier of every term (a subsample of 1/k of the rows carries 1/k of the prior).
  double weight() const { return weight_; }

  double value(const Eigen::VectorXd& theta) const {
    if (terms_.empty()) return 0;
    double v = 0;
    for (int k = 0; k < size(); ++k) v += terms_[k].value(theta[k]);
    if (has_combination()) v += a_term_.value(a_.dot(theta));
    return weight_ * v;
  }
  // Smooth parts only: the L1 part has no gradient at 0.
  void add_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& g) const {
    if (terms_.empty()) return;
    for (int k = 0; k < size(); ++k) g[k] += weight_ * terms_[k].gradient(theta[k]);
    if (has_combination()) g += weight_ * a_term_.gradient(a_.dot(theta)) * a_;
  }
  void add_hessian(const Eigen::VectorXd& theta, Eigen::MatrixXd& H) const {
    if (terms_.empty()) return;
    for (int k = 0; k < size(); ++k) H(k, k) += weight_ * terms_[k].hessian(theta[k]);
    if (has_combination()) H.noalias() += (weight_ * a_term_.hessian(a_.dot(theta))) * a_ * a_.transpose();
  }
  Eigen::MatrixXd hessian(const Eigen::VectorXd& theta) const {
    Eigen::MatrixXd H = Eigen::MatrixXd::Zero(theta.size(), theta.size());
    add_hessian(theta, H);
    return H;
  }
  double l1(int k) const { return terms_.empty() ? 0.0 : weight_ * terms_[static_cast<size_t>(k)].l1; }
  double smooth_gradient(int k, double t) const {
    return terms_.empty() ? 0.0 : weight_ * terms_[static_cast<size_t>(k)].gradient(t);
  }
  double majorising_curvature(int k, double t) const {
    return terms_.empty() ? 0.0 : weight_ * terms_[static_cast<size_t>(k)].majorising_curvature(t);
  }
  const Eigen::VectorXd& combination() const { return a_; }
  const PriorTerm& combination_term() const { return a_term_; }

  // The prior of the kept parameters (aliased ones dropped).
  Prior select(const std::vector<int>& kept) const {
    if (terms_.empty()) return *this;
    Prior out;
    out.weight_ = weight_;
    for (int k : kept) out.terms_.push_back(terms_[static_cast<size_t>(k)]);
    if (a_.size()) {
      out.a_.resize(static_cast<Eigen::Index>(kept.size()));
      for (size_t r = 0; r < kept.size(); ++r) out.a_[static_cast<Eigen::Index>(r)] = a_[kept[r]];
      out.a_term_ = a_term_;
    }
    return out;
  }
  // The prior of internal parameters t' with t = factor .* t'.
  Prior rescaled(const Eigen::VectorXd& factor) const {
    if (terms_.empty() || factor.size() == 0) return *this;
    Prior out = *this;
    for (int k = 0; k < size(); ++k) out.terms_[static_cast<size_t>(k)] = terms_[static_cast<size_t>(k)].rescaled(factor[k]);
    if (a_.size()) out.a_ = a_.cwiseProduct(factor);
    return out;
  }
  Prior weighted(double c) const {
    Prior out = *this;
    out.weight_ *= c;
    return out;
  }
  // The L1 and L2 weights times c: a point on a path of prior strengths.
  Prior with_strength(double c) const {
    Prior out = *this;
    for (auto& t : out.terms_) {
      t.l1 *= c;
      t.l2 *= c;
    }
    return out;
  }

  // log of the normalising constant of each proper term's density (the
  // log prior density is minus value() plus this), for the evidence. Only
  // Gaussian (l2) and Laplace (l1) terms without a t part, and t terms
  // alone, have a closed form; elastic-net terms are refused.
  double log_normaliser() const {
    double c = 0;
    for (const auto& t : terms_) c += term_log_normaliser(t);
    if (has_combination()) c += term_log_normaliser(a_term_);
    return c;
  }

 private:
  static double term_log_normaliser(const PriorTerm& t) {
    if (t.flat()) return 0;
    if (t.has_t()) {
      if (t.l1 != 0 || t.l2 != 0) throw DomainError("a Student t prior combined with another prior has no closed-form normaliser");
      const double v = t.t_df;
      return std::lgamma(0.5 * (v + 1)) - std::lgamma(0.5 * v) - 0.5 * std::log(v * math::kPi) - std::log(t.t_scale);
    }
    if (t.l1 > 0 && t.l2 > 0) throw DomainError("the elastic-net prior has no closed-form normaliser here");
    if (t.l1 > 0) return std::log(0.5 * t.l1);                   // Laplace(1 / l1)
    return 0.5 * std::log(t.l2) - math::kLogSqrt2Pi;             // N(0, 1 / l2)
  }

  std::vector<PriorTerm> terms_;
  Eigen::VectorXd a_;
  PriorTerm a_term_;
  double weight_ = 1.0;
};

}  // namespace probml
