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
#include "../util/errors.hpp"
#include "../util/radix_sort.hpp"

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
  if (y.size() != n || w.size() != n) throw DomainError("x, y and w must have the same length");
  // Pool ties in x, in x order.
  const std::vector<Eigen::Index> order = radix_order(x.data(), n);
  std::vector<double> kx, ky, kw;
  kx.reserve(n);
  ky.reserve(n);
  kw.reserve(n);
  for (const Eigen::Index idx : order) {
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
  if (m == 0) throw DomainError("no observation has positive weight");
  for (size_t k = 0; k < m; ++k) ky[k] /= kw[k];

  // Blocks as a stack: mean value, weight, weighted x sum, first knot.
  struct Block {
    double value, weight, x_weight;
    size_t first;
  };
  std::vector<Block> blocks;
  blocks.reserve(m);
  for (size_t k = 0; k < m; ++k) {
    blocks.push_back({ky[k], kw[k], kw[k] * kx[k], k});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].value >= blocks.back().value) {
      const Block top = blocks.back();
      blocks.pop_back();
      Block& below = blocks.back();
      const double wsum = below.weight + top.weight;
      below.value = (below.weight * below.value + top.weight * top.value) / wsum;
      below.weight = wsum;
      below.x_weight += top.x_weight;
    }
  }
  IsotonicFit fit;
  fit.x = Eigen::Map<const Eigen::VectorXd>(kx.data(), m);
  fit.w = Eigen::Map<const Eigen::VectorXd>(kw.data(), m);
  fit.y.resize(m);
  const size_t nb = blocks.size();
  fit.block_x.resize(nb);
  fit.block_y.resize(nb);
  fit.block_w.resize(nb);
  for (size_t b = 0; b < nb; ++b) {
    const size_t end = b + 1 < nb ? blocks[b + 1].first : m;
    for (size_t k = blocks[b].first; k < end; ++k) fit.y[k] = blocks[b].value;
    fit.block_x[b] = blocks[b].x_weight / blocks[b].weight;
    fit.block_y[b] = blocks[b].value;
    fit.block_w[b] = blocks[b].weight;
  }
  return fit;
}

}  // namespace probml
