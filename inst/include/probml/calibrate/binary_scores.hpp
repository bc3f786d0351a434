#pragma once
// One-pass kernels for binary outcomes y in {0, 1} and probabilities p:
// input checks, Brier score, log loss and per-bin sums for calibration
// curves, ECE and the Brier decomposition. Weights are optional (nullptr
// means 1). y may be stored as double or int, as R stores it.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace probml {

// The first problem found, for the caller to report.
enum class BinaryProblem { none, p_missing, p_range, y_missing, y_value };

inline const char* binary_problem_name(BinaryProblem p) {
  switch (p) {
    case BinaryProblem::none: return "";
    case BinaryProblem::p_missing: return "p_missing";
    case BinaryProblem::p_range: return "p_range";
    case BinaryProblem::y_missing: return "y_missing";
    case BinaryProblem::y_value: return "y_value";
  }
  return "";
}

struct BinaryCheck {
  BinaryProblem problem = BinaryProblem::none;
  Eigen::Index row = -1;
};

template <class Y>
inline bool is_missing(Y v) {
  if constexpr (std::is_floating_point<Y>::value) return std::isnan(v);
  else return v == std::numeric_limits<int>::min();  // R's NA_integer_
}

template <class Y>
BinaryCheck check_binary(const Y* y, const double* p, Eigen::Index n) {
  // A branch-free pass answers "is anything wrong?"; only then is the first
  // bad row searched for. (NaN fails every comparison, so it counts as bad.)
  bool bad = false;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double yi = static_cast<double>(y[i]);
    bad |= !(p[i] >= 0) | !(p[i] <= 1) | !((yi == 0) | (yi == 1));
  }
  if (!bad) return {};
  for (Eigen::Index i = 0; i < n; ++i) {
    if (std::isnan(p[i])) return {BinaryProblem::p_missing, i};
    if (!(p[i] >= 0 && p[i] <= 1)) return {BinaryProblem::p_range, i};
    if (is_missing(y[i])) return {BinaryProblem::y_missing, i};
    if (!(y[i] == 0 || y[i] == 1)) return {BinaryProblem::y_value, i};
  }
  return {};
}

template <class Y>
double brier_binary(const Y* y, const double* p, const double* w, Eigen::Index n) {
  double num = 0, den = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double wi = w ? w[i] : 1.0, r = p[i] - static_cast<double>(y[i]);
    num += wi * r * r;
    den += wi;
  }
  return num / den;
}

// Mean of -log P(observed); Inf when an observed outcome had probability 0
// (unless eps clips), never NaN. Zero-weight rows do not count.
template <class Y>
double log_loss_binary(const Y* y, const double* p, const double* w, Eigen::Index n, double eps) {
  double num = 0, den = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double wi = w ? w[i] : 1.0;
    den += wi;
    if (wi == 0) continue;
    double q = y[i] == 1 ? p[i] : 1.0 - p[i];
    if (eps > 0) q = std::min(std::max(q, eps), 1.0 - eps);
    if (q <= 0) return std::numeric_limits<double>::infinity();
    num -= wi * std::log(q);
  }
  return num / den;
}

// Weighted sums per bin. Bin k holds edges[k] <= p < edges[k+1], the last
// bin also p == 1 (a prediction of exactly 1.0 is never dropped). With
// `uniform`, edges are k / B and the bin is found by arithmetic.
struct BinSums {
  Eigen::VectorXd count, weight, weight2, sum_p, sum_y, sum_pp, sum_py;
  explicit BinSums(Eigen::Index bins)
      : count(Eigen::VectorXd::Zero(bins)), weight(count), weight2(count), sum_p(count),
        sum_y(count), sum_pp(count), sum_py(count) {}
};

template <class Y>
BinSums bin_binary(const Y* y, const double* p, const double* w, Eigen::Index n,
                   const Eigen::VectorXd& edges, bool uniform) {
  const Eigen::Index bins = edges.size() - 1;
  BinSums s(bins);
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Index k;
    if (uniform) {
      k = static_cast<Eigen::Index>(p[i] * bins);
    } else {
      k = std::upper_bound(edges.data() + 1, edges.data() + bins, p[i]) - (edges.data() + 1);
    }
    k = std::min(std::max<Eigen::Index>(k, 0), bins - 1);
    const double wi = w ? w[i] : 1.0, yi = static_cast<double>(y[i]);
    s.count[k] += 1;
    s.weight[k] += wi;
    s.weight2[k] += wi * wi;
    s.sum_p[k] += wi * p[i];
    s.sum_y[k] += wi * yi;
    s.sum_pp[k] += wi * p[i] * p[i];
    s.sum_py[k] += wi * p[i] * yi;
  }
  return s;
}

}  // namespace probml
