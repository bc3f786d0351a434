#pragma once
// The Newton direction, safeguarded where the Hessian is not positive
// definite: the Hessian with its eigenvalues reflected and floored is
// positive definite, so the step is always a descent direction. Shared by
// the regression fits (newton.hpp) and the distribution fits (estimate/dist).
#include <Eigen/Dense>
#include <algorithm>

namespace probml {

// Solves H d = -g, or its safeguarded version when H is not positive definite.
inline Eigen::VectorXd descent_direction(const Eigen::MatrixXd& H, const Eigen::VectorXd& g,
                                         bool& safeguarded) {
  safeguarded = false;
  Eigen::LLT<Eigen::MatrixXd> llt(H);
  if (llt.info() == Eigen::Success) {
    Eigen::VectorXd d = -llt.solve(g);
    if (d.allFinite()) return d;
  }
  safeguarded = true;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(H);
  Eigen::VectorXd lambda = eig.eigenvalues().cwiseAbs();
  const double floor = std::max(1e-10 * lambda.maxCoeff(), 1e-12);
  lambda = lambda.cwiseMax(floor);
  return -eig.eigenvectors() * (eig.eigenvectors().transpose() * g).cwiseQuotient(lambda);
}

}  // namespace probml
