#pragma once
// Weighted isotonic (non-decreasing) regression by pool-adjacent-violators.
// Observations with equal x are pooled first (weights summed, outcomes
// averaged), so the fit is a function of x; blocks of adjacent knots whose
// means violate the order are then merged into their weighted mean. O(n log n)
// for the sort, O(n) for the pooling.
#include <Eigen/Dense>
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace probml {

struct IsotonicFit {
  Eigen::VectorXd x;        // sorted distinct x (knots)
  Eigen::VectorXd y;        // fitted value at each knot, non-decreasing
  Eigen::VectorXd w;        // summed weight at each knot
  Eigen::VectorXd block_x;  // weighted mean x of each PAVA block
  Eigen::VectorXd block_y;  // value of each block, strictly increasing
  Eigen::VectorXd block_w;  // weight of each block
};

inline IsotonicFit isotonic_pava(const Eigen::Ref<const Eigen::VectorXd>& x,
                                 const Eigen::Ref<const Eigen::VectorXd>& y,
                                 const Eigen::Ref<const Eigen::VectorXd>& w) {
  const Eigen::Index n = x.size();
  if (y.size() != n || w.size() != n) throw std::invalid_argument("x, y and w must have the same length");
  std::vector<Eigen::Index> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return x[a] < x[b]; });

  // Pool ties in x.
  std::vector<double> kx, ky, kw;
  for (Eigen::Index idx : order) {
    if (!(w[idx] > 0)) continue;
    if (!kx.empty() && x[idx] == kx.back()) {
      ky.back() += w[idx] * y[idx];
      kw.back() += w[idx];
    } else {
      kx.push_back(x[idx]);
      ky.push_back(w[idx] * y[idx]);
      kw.push_back(w[idx]);
    }
  }
  const size_t m = kx.size();
  if (m == 0) throw std::invalid_argument("no observation has positive weight");
  for (size_t k = 0; k < m; ++k) ky[k] /= kw[k];

  // Blocks as a stack: mean value, weight, weighted x sum, first knot.
  std::vector<double> bv, bw, bxw;
  std::vector<size_t> bfirst;
  for (size_t k = 0; k < m; ++k) {
    bv.push_back(ky[k]);
    bw.push_back(kw[k]);
    bxw.push_back(kw[k] * kx[k]);
    bfirst.push_back(k);
    while (bv.size() > 1 && bv[bv.size() - 2] >= bv.back()) {
      const size_t t = bv.size() - 1;
      const double wsum = bw[t - 1] + bw[t];
      bv[t - 1] = (bw[t - 1] * bv[t - 1] + bw[t] * bv[t]) / wsum;
      bw[t - 1] = wsum;
      bxw[t - 1] += bxw[t];
      bv.pop_back();
      bw.pop_back();
      bxw.pop_back();
      bfirst.pop_back();
    }
  }

  IsotonicFit fit;
  fit.x = Eigen::Map<const Eigen::VectorXd>(kx.data(), m);
  fit.w = Eigen::Map<const Eigen::VectorXd>(kw.data(), m);
  fit.y.resize(m);
  const size_t nb = bv.size();
  fit.block_x.resize(nb);
  fit.block_y = Eigen::Map<const Eigen::VectorXd>(bv.data(), nb);
  fit.block_w = Eigen::Map<const Eigen::VectorXd>(bw.data(), nb);
  for (size_t b = 0; b < nb; ++b) {
    const size_t end = b + 1 < nb ? bfirst[b + 1] : m;
    for (size_t k = bfirst[b]; k < end; ++k) fit.y[k] = bv[b];
    fit.block_x[b] = bxw[b] / bw[b];
  }
  return fit;
}

}  // namespace probml
