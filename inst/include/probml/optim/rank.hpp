#pragma once
// Which columns of a design are aliased (linear combinations of earlier
// columns), decided in column order as R's QR (dqrdc2) does: a column is
// dropped when the part of it not explained by the kept earlier columns has
// norm below tol times its own norm.
#include <cmath>
#include <vector>
#include <Eigen/Dense>
#include "design.hpp"

namespace probml {

// Exact decision by Householder QR of sqrt(w) X with R's limited pivoting.
inline std::vector<bool> aliased_by_qr(const Eigen::Ref<const Eigen::MatrixXd>& X,
                                       const Eigen::Ref<const Eigen::VectorXd>& w, double tol) {
  const Eigen::Index n = X.rows(), p = X.cols();
  Eigen::MatrixXd A = X.array().colwise() * w.array().sqrt();
  const Eigen::VectorXd norm0 = A.colwise().norm().transpose();
  std::vector<bool> aliased(p, false);
  std::vector<Eigen::Index> kept;
  Eigen::VectorXd essential, workspace(p);
  Eigen::Index k = 0;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (k >= n || !(A.col(j).tail(n - k).norm() > tol * norm0[j])) {
      aliased[j] = true;
      continue;
    }
    double tau = 0, beta = 0;
    essential.resize(n - k - 1);
    A.col(j).tail(n - k).makeHouseholder(essential, tau, beta);
    if (j + 1 < p)
      A.block(k, j + 1, n - k, p - j - 1).applyHouseholderOnTheLeft(essential, tau, workspace.data());
    ++k;
  }
  return aliased;
}

// Fast screen on the weighted Gram matrix G = X' W X: a sequential Cholesky
// in column order gives each column's squared residual ratio. Only when one
// is small enough to be in doubt is the exact QR run.
inline std::vector<bool> aliased_columns(const Design& X, const Eigen::Ref<const Eigen::VectorXd>& w,
                                         const Eigen::MatrixXd& gram, double tol) {
  const Eigen::Index p = gram.rows();
  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(p, p);
  bool doubtful = false;
  for (Eigen::Index j = 0; j < p && !doubtful; ++j) {
    const double gjj = gram(j, j);
    if (!(gjj > 0)) {
      doubtful = true;
      break;
    }
    double resid = gjj - L.row(j).head(j).squaredNorm();
    if (!(resid > 1e-8 * gjj)) {
      doubtful = true;
      break;
    }
    L(j, j) = std::sqrt(resid);
    for (Eigen::Index i = j + 1; i < p; ++i)
      L(i, j) = (gram(i, j) - L.row(i).head(j).dot(L.row(j).head(j))) / L(j, j);
  }
  if (!doubtful) return std::vector<bool>(p, false);
  return aliased_by_qr(X.dense(), w, tol);
}

}  // namespace probml
