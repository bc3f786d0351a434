#pragma once
// A likelihood family: the negative log-likelihood of one observation as a
// function of a short "local" parameter vector v = (u_1..u_m, a_1..a_q):
// m linear predictors (u_j = x_ij' beta_j + offset_ij) and q auxiliary
// parameters shared by all rows (scale, shape, cut-points), on an
// unconstrained scale. The objective (objective.hpp) chains these local
// derivatives through the design matrices, so a family never sees X.
#include <cmath>
#include <Eigen/Dense>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>
#include "../util/errors.hpp"

namespace probml {

using Index = Eigen::Index;

// Position of (a, b), a <= b, in the packed lower triangle of a d x d matrix.
inline int packed_index(int a, int b, int d) {
  if (a > b) std::swap(a, b);
  return a * d - a * (a - 1) / 2 + (b - a);
}
inline int packed_size(int d) { return d * (d + 1) / 2; }

// Per-observation derivatives for a block of rows.
struct LocalDerivs {
  Eigen::VectorXd value;  // n: nll_i
  Eigen::MatrixXd d1;     // n x d: d nll_i / d v
  Eigen::MatrixXd d2;     // n x d(d+1)/2: packed second derivatives

  void resize(Index n, int d, int order) {
    value.resize(n);
    if (order >= 1) d1.resize(n, d);
    if (order >= 2) d2.resize(n, packed_size(d));
  }
};

// Row index in an error message, 1-based as R users count.
inline std::string row_label(Index i) { return "row " + std::to_string(i + 1); }

// The first row that is not finite, or -1.
inline Index first_non_finite(const Eigen::Ref<const Eigen::VectorXd>& y) {
  for (Index i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i])) return i;
  return -1;
}

// The first row that is not a class index in 0..k-1, or -1.
inline Index first_non_class(const Eigen::Ref<const Eigen::VectorXd>& y, int k) {
  for (Index i = 0; i < y.size(); ++i)
    if (!(y[i] >= 0 && y[i] < k) || y[i] != std::floor(y[i])) return i;
  return -1;
}

// Class labels for names: the given ones, else 1..k.
inline std::vector<std::string> class_labels(const std::vector<std::string>& given, int k) {
  if (static_cast<int>(given.size()) == k) return given;
  std::vector<std::string> out;
  for (int c = 1; c <= k; ++c) out.push_back(std::to_string(c));
  return out;
}

// Which curvature the objective assembles.
enum class Curvature { observed, expected };

// What a family can do is declared here, once: the R side reads these
// capabilities (cpp_family_info) and never switches on a family's name.
class Family {
 public:
  virtual ~Family() = default;
  virtual std::string name() const = 0;
  // How print() names the family, settings included ("Huber (delta = 1.345)").
  virtual std::string label() const = 0;
  virtual int n_linear() const { return 1; }
  virtual int n_aux() const { return 0; }
  int n_local() const { return n_linear() + n_aux(); }

  // The response: its kind ("numeric", "positive", "binary", "classes",
  // "ordered", "count" or "unit"; R codes factors as 0-based class indices) and its
  // support, in words for messages.
  virtual std::string response_kind() const = 0;
  virtual std::string support_text() const = 0;
  // The first row outside the support, or -1.
  virtual Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const = 0;
  void check_response(const Eigen::Ref<const Eigen::VectorXd>& y) const {
    const Index i = first_outside_support(y);
    if (i >= 0)
      throw DomainError("the response must be " + support_text() + " for the " + label() + " family (" +
                        row_label(i) + ")");
  }

  // Formula parts: one design shared by every linear predictor, or one
  // design per linear predictor (`y ~ mean terms | log-variance terms`).
  virtual int n_formula_parts() const { return 1; }
  // A family whose second part is optional (the beta precision model) is
  // built with it from FamilySpec::formula_parts = 2 when the formula has one.
  virtual int max_formula_parts() const { return n_formula_parts(); }
  int part_of_linear(int j) const { return n_formula_parts() == 1 ? 0 : j; }
  // Names of the linear predictors, the prefix of each one's coefficients
  // and the names of the auxiliary parameters; class labels where needed.
  virtual std::vector<std::string> linear_predictor_names() const { return {"link"}; }
  virtual std::string coefficient_prefix(int /*j*/) const { return ""; }
  virtual std::vector<std::string> aux_names() const { return {}; }

  // An offset may enter the first linear predictor.
  virtual bool accepts_offset() const { return true; }
  // The auxiliary parameter that is log(scale), or -1: what sigma() reports.
  virtual int log_scale_aux() const { return -1; }
  // The ML location is least squares, so RSS / (n - p) is the unbiased variance.
  virtual bool least_squares() const { return false; }
  // The linear predictors are the logits of classes 2..K against class 1.
  virtual bool logits_against_first_class() const { return false; }

  // The probability the fit gives the observed value, where it can be
  // numerically 1 (discrete families); NaN elsewhere. With a Newton step
  // that still moves the linear predictors, a probability of 1 means the
  // MLE does not exist, which boundary_message() describes.
  virtual double probability_of_observed(const Eigen::Ref<const Eigen::RowVectorXd>& /*mean*/, double /*y*/) const {
    return std::numeric_limits<double>::quiet_NaN();
  }
  virtual std::string boundary_message() const { return ""; }

  // The nll of each row with its mean moved onto y and the rest kept: the
  // saturated model of the deviance residuals.
  virtual void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>& U,
                             const Eigen::Ref<const Eigen::VectorXd>& y, const Eigen::VectorXd& aux,
                             Eigen::Ref<Eigen::VectorXd> out) const = 0;

  // Local nll and (order >= 1) gradient and (order >= 2) Hessian for each
  // row of U (n x m) given the auxiliary parameters.
  virtual void local(const Eigen::Ref<const Eigen::MatrixXd>& U,
                     const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::VectorXd& aux, int order, LocalDerivs& out) const = 0;

  // Expected (Fisher) information per row, packed like LocalDerivs::d2.
  virtual bool has_expected() const { return false; }
  virtual void local_expected(const Eigen::Ref<const Eigen::MatrixXd>& /*U*/,
                              const Eigen::VectorXd& /*aux*/,
                              Eigen::MatrixXd& /*info*/) const {
    throw DomainError("the expected information is not available for the " + label() + " family");
  }

  // Whether aux lies in the parameter space (e.g. ordered cut-points).
  virtual bool aux_feasible(const Eigen::VectorXd& /*aux*/) const { return true; }

  // Starting values: a working response for linear predictor j, regressed on
  // its design by weighted least squares (u_first is the fitted first
  // predictor, for j > 0). NaN means "start that predictor at zero".
  virtual double start_eta(int j, double y, double u_first) const = 0;
  // Auxiliary starting values given the starting linear predictors (none by default).
  virtual Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>& /*U*/,
                                    const Eigen::Ref<const Eigen::VectorXd>& /*y*/,
                                    const Eigen::Ref<const Eigen::VectorXd>& /*w*/) const {
    return Eigen::VectorXd(0);
  }

  // The mean of y (or class probabilities, one column per class) per row.
  virtual int n_mean_columns() const { return 1; }
  virtual void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                    Eigen::Ref<Eigen::MatrixXd> out) const = 0;
  // Variance of y given the local parameters (for Pearson residuals); NaN if undefined.
  virtual void variance(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
                        Eigen::Ref<Eigen::VectorXd> out) const = 0;

  // glm's dispersion phi at aux: a row's unit deviance is phi * 2 (nll -
  // saturated nll), so deviance() is on glm's scale (the RSS for the
  // Gaussian, sum 2 (-log(y / mu) + (y - mu) / mu) for the Gamma). 1 where
  // the nll has no scale of its own (Bernoulli, Poisson, ...).
  virtual double deviance_dispersion(const Eigen::VectorXd& /*aux*/) const { return 1.0; }
  // glm estimates the dispersion of this family (Gaussian, Gamma, inverse
  // Gaussian): its moment estimate, Pearson chi^2 / df.residual, scales the
  // glm-style standard errors, Cook's distances and standardised residuals.
  // Otherwise glm's dispersion is deviance_dispersion() (1, or sigma^2 given).
  virtual bool free_dispersion() const { return false; }

  // The first linear predictor's intercept is absorbed by the aux parameters
  // (cut-points of the ordinal family), so the design must not carry one.
  virtual bool absorbs_intercept() const { return false; }

  // Every diagonal block of the curvature in the linear predictors is
  // positive for every row at any parameter value, so the Hessian at the
  // start reveals aliased design columns as well as X'WX would.
  virtual bool positive_curvature() const { return false; }

  // The expected information's block in the linear predictors is positive
  // for every row at any parameter value, though the observed curvature
  // need not be (non-canonical GLM links): it screens the design instead.
  virtual bool positive_expected_curvature() const { return false; }

  // The curvature in the linear predictors does not depend on the
  // parameters (the nll is quadratic in them): one weighted Gram matrix of
  // the design is the exact Hessian everywhere.
  virtual bool constant_curvature() const { return false; }

  // The location is the tau-quantile of y: the location coefficients
  // minimise a weighted check loss sum w rho_tau(r), rho_tau(r) = r (tau -
  // [r < 0]) (the median and absolute residuals for the Laplace family,
  // tau = 1/2), which the fit solves exactly as a linear programme, not by
  // Newton. NaN for the other families.
  virtual double location_quantile() const { return std::numeric_limits<double>::quiet_NaN(); }
  bool location_is_lad() const { return !std::isnan(location_quantile()); }
  // Where location_is_lad(): the nll's part in the location is
  // rho_tau(r) / location_check_scale(aux), which weighs a prior on the
  // location against the check loss.
  virtual double location_check_scale(const Eigen::VectorXd& /*aux*/) const {
    return std::numeric_limits<double>::quiet_NaN();
  }

  // The distribution of y given the fit, by the name of R's table of
  // predictive distributions (R/uncertainty.R): "normal", "laplace",
  // "poisson", "beta", "binomial", "gamma", "inverse_gaussian", "negbin"
  // (given by the mean and variance); "student_t", "huber",
  // "asymmetric_laplace" (also predictive_shape()); "categorical" (class
  // probabilities, in level order).
  virtual std::string predictive_distribution() const { return ""; }
  // The shape of the predictive distribution at aux (Student t: df; Huber:
  // delta); NaN where it has none.
  virtual double predictive_shape(const Eigen::VectorXd& /*aux*/) const {
    return std::numeric_limits<double>::quiet_NaN();
  }

  // The family can be the output layer of a network (nn/): a network
  // predicts every parameter per row, so none may be shared auxiliaries,
  // and the intercept must stay in the linear predictors.
  bool network_head() const { return n_aux() == 0 && !absorbs_intercept(); }

  // For a response standardised as y = center + scale * y_std: linear
  // predictor j on the original scale is a + b * (its value on the
  // standardised scale). false where the family's response cannot be
  // standardised (counts, classes).
  virtual bool standardised_response(int /*j*/, double /*center*/, double /*scale*/, double& /*a*/,
                                     double& /*b*/) const {
    return false;
  }
};


}  // namespace probml
