#pragma once
// Stable order of doubles by an LSD radix sort of their IEEE-754 bits:
// four passes of 16-bit digits, linear in n. Isotonic calibration sorts its
// scores once per fit, and this is several times faster than std::sort on
// large inputs. NaN must not occur (callers check).
#include <Eigen/Dense>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

namespace probml {

// Maps a double to an unsigned integer with the same order.
inline std::uint64_t sortable_bits(double v) {
  if (v == 0) v = 0;  // -0 sorts with +0
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

inline std::vector<Eigen::Index> radix_order(const double* x, Eigen::Index n) {
  std::vector<Eigen::Index> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (std::is_sorted(x, x + n)) return order;  // scores often arrive sorted
  if (n < 2048) {
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return x[a] < x[b]; });
    return order;
  }
  std::vector<std::uint64_t> key(n), key_tmp(n);
  std::vector<Eigen::Index> order_tmp(n);
  for (Eigen::Index i = 0; i < n; ++i) key[i] = sortable_bits(x[i]);
  std::vector<Eigen::Index> count(65536);
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (Eigen::Index i = 0; i < n; ++i) ++count[(key[i] >> shift) & 0xFFFF];
    if (*std::max_element(count.begin(), count.end()) == n) continue;  // one digit value: nothing to do
    Eigen::Index total = 0;
    for (auto& c : count) {
      const Eigen::Index here = c;
      c = total;
      total += here;
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      const Eigen::Index slot = count[(key[i] >> shift) & 0xFFFF]++;
      key_tmp[slot] = key[i];
      order_tmp[slot] = order[i];
    }
    key.swap(key_tmp);
    order.swap(order_tmp);
  }
  return order;
}

}  // namespace probml
