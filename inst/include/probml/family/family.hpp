#pragma once
// A likelihood family: the negative log-likelihood of one observation as a
// function of a short "local" parameter vector v = (u_1..u_m, a_1..a_q):
// m linear predictors (u_j = x_ij' beta_j + offset_ij) and q auxiliary
// parameters shared by all rows (scale, shape, cut-points), on an
// unconstrained scale. The objective (objective.hpp) chains these local
// derivatives through the design matrices, so a family never sees X.
#include <cmath>
#include <Eigen/Dense>
#include <stdexcept>
#include <string>
#include <vector>

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

// Which curvature the objective assembles.
enum class Curvature { observed, expected };

class Family {
 public:
  virtual ~Family() = default;
  virtual std::string name() const = 0;
  virtual int n_linear() const { return 1; }
  virtual int n_aux() const { return 0; }
  int n_local() const { return n_linear() + n_aux(); }

  // Throws std::invalid_argument naming the first row outside the support.
  virtual void check_response(const Eigen::Ref<const Eigen::VectorXd>& y) const = 0;

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
    throw std::invalid_argument("expected information is not available for the " + name() +
                                " family");
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

  // The first linear predictor's intercept is absorbed by the aux parameters
  // (cut-points of the ordinal family), so the design must not carry one.
  virtual bool absorbs_intercept() const { return false; }

  // Every diagonal block of the curvature in the linear predictors is
  // positive for every row at any parameter value, so the Hessian at the
  // start reveals aliased design columns as well as X'WX would.
  virtual bool positive_curvature() const { return false; }

  // The location coefficients minimise a weighted sum of absolute residuals
  // (Laplace), which the fit solves as a linear programme, not by Newton.
  virtual bool location_is_lad() const { return false; }
};

// Row index in an error message, 1-based as R users count.
inline std::string row_label(Index i) { return "row " + std::to_string(i + 1); }

// A class response is coded 0..k-1.
inline void check_class_index(const Eigen::Ref<const Eigen::VectorXd>& y, int k) {
  for (Index i = 0; i < y.size(); ++i)
    if (!(y[i] >= 0 && y[i] < k) || y[i] != std::floor(y[i]))
      throw std::invalid_argument("y must be a class index in 0.." + std::to_string(k - 1) + " (" +
                                  row_label(i) + ")");
}

}  // namespace probml
