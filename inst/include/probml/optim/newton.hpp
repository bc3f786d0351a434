#pragma once
// Newton's method with a backtracking (Armijo) line search. Where the
// Hessian is not positive definite (non-convex families: Student t, Huber
// or scale parameters far from the optimum) the step uses a safeguarded
// quasi-Newton matrix: the Hessian with its eigenvalues reflected and floored,
// which is positive definite, so every step is a descent direction.
// Where the full step left the parameter space (a mean outside its range:
// the nll is +Inf there) the next direction uses the expected information
// if the family has it (Fisher scoring, as glm's IRLS): its weights grow
// as a mean nears the edge of its range, which keeps the step inside, where
// the observed curvature can vanish (the Bernoulli log link at y = 1) and
// the steps would stall against the edge.
#include <cmath>
#include <string>
#include <vector>
#include "../util/errors.hpp"
#include "../util/parallel.hpp"
#include "descent.hpp"
#include "objective.hpp"

namespace probml {

struct NewtonOptions {
  int max_iter = 100;
  double tol = 1e-12;  // on the Newton decrement, relative to |nll| + the total weight
};

struct NewtonResult {
  Eigen::VectorXd theta;
  Evaluation eval;  // value, gradient and observed Hessian at theta
  int iterations = 0;
  bool converged = false;
  int safeguarded_steps = 0;
  std::string message;
};

// Minimises obj over the parameters with free[k] true; the others stay fixed.
// `initial`, if given, is the evaluation (order 2) at theta already made.
inline NewtonResult newton_minimize(const Objective& obj, Eigen::VectorXd theta,
                                    const std::vector<bool>& free, const NewtonOptions& opt,
                                    const Callbacks& callbacks, const Evaluation* initial = nullptr) {
  const Family& family = obj.family();
  std::vector<Eigen::Index> idx;
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    if (free[k]) idx.push_back(k);
  const Eigen::Index nf = static_cast<Eigen::Index>(idx.size());

  NewtonResult res;
  auto feasible = [&](const Eigen::VectorXd& t) { return t.allFinite() && family.aux_feasible(obj.aux(t)); };
  if (!feasible(theta))
    throw DomainError("the starting values are outside the parameter space (ordinal cut-points must increase)");
  res.eval = initial ? *initial : obj.evaluate(theta, 2, Curvature::observed);
  if (!std::isfinite(res.eval.value))
    throw NumericalError(
        "the negative log-likelihood is not finite at the starting values: they give some observation a "
        "probability of 0");

  Eigen::VectorXd g(nf), d(nf), cand;
  Eigen::MatrixXd H(nf, nf);
  bool left_space = false;  // the last full step was outside the parameter space
  for (res.iterations = 0; res.iterations < opt.max_iter;) {
    callbacks.interrupt_point();
    const Eigen::MatrixXd* curvature = &res.eval.hessian;
    Eigen::MatrixXd fisher;
    if (left_space && family.has_expected() && nf > 0) {
      fisher = obj.evaluate(theta, 2, Curvature::expected).hessian;
      if (fisher.allFinite()) curvature = &fisher;
    }
    for (Eigen::Index a = 0; a < nf; ++a) {
      g[a] = res.eval.gradient[idx[a]];
      for (Eigen::Index b = 0; b < nf; ++b) H(a, b) = (*curvature)(idx[a], idx[b]);
    }
    if (nf == 0) {
      res.converged = true;
      break;
    }
    bool safeguarded = false;
    d = descent_direction(H, g, safeguarded);
    res.safeguarded_steps += safeguarded;
    const double f = res.eval.value, decrement = -g.dot(d);
    if (!std::isfinite(decrement))
      throw NumericalError(
          "the Newton step is not finite at iteration " + std::to_string(res.iterations + 1) +
          ": a parameter diverges, typically a scale heading to 0 because many observations are fitted exactly");
    // Tolerances are relative to the nll and the total weight, so that
    // rescaling the weights rescales nothing but the nll.
    const double scale = obj.weight_sum() + std::abs(f);
    const bool last = decrement <= 2 * opt.tol * scale;

    // Backtracking line search; the final, tiny step needs only not to
    // increase f. The full step is usually accepted, so it is evaluated with
    // its gradient and Hessian in one pass over the data.
    double t = 1.0;
    bool accepted = false;
    Evaluation trial;
    left_space = false;
    for (int halving = 0; halving < 60; ++halving, t *= 0.5) {
      cand = theta;
      for (Eigen::Index a = 0; a < nf; ++a) cand[idx[a]] += t * d[a];
      if (!feasible(cand)) {
        left_space |= halving == 0;
        continue;
      }
      trial = halving == 0 ? obj.evaluate(cand, 2, Curvature::observed) : Evaluation{obj.value(cand), {}, {}};
      if (!std::isfinite(trial.value)) {
        left_space |= halving == 0;
        continue;
      }
      const double slack = last ? 1e-12 * scale : -1e-4 * t * decrement;
      if (trial.value <= f + slack) {
        accepted = true;
        break;
      }
    }
    ++res.iterations;
    if (!accepted) {
      // No decrease along a descent direction: f is flat to rounding here.
      if (decrement <= 1e-6 * scale) {
        res.converged = true;
        res.message = "converged (no further decrease representable)";
      } else {
        res.message = "line search failed to decrease the negative log-likelihood";
      }
      break;
    }
    theta = cand;
    res.eval = trial.hessian.size() ? std::move(trial) : obj.evaluate(theta, 2, Curvature::observed);
    if (last) {
      res.converged = true;
      break;
    }
  }
  if (!res.converged && res.message.empty())
    res.message = "iteration limit (" + std::to_string(opt.max_iter) + ") reached";
  if (res.converged && res.message.empty()) res.message = "converged";
  res.theta = theta;
  return res;
}

}  // namespace probml
