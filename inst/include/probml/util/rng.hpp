#pragma once
// Random streams. One 64-bit seed (drawn in R, so that set.seed() governs
// it) and a stream index (a replicate, an ensemble member, a fold) give an
// independent xoshiro256** generator, seeded through SplitMix64, so stream r
// sees the same numbers whichever thread runs it. The samplers of
// random.hpp draw from these generators only.
#include <cmath>
#include <cstdint>
#include <limits>

namespace probml {

// SplitMix64 (Steele, Lea & Flood 2014): a counter-based mixer used to
// expand (seed, stream) into generator state.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna 2018). Satisfies UniformRandomBitGenerator,
// so it also drives std:: distributions.
class Xoshiro256 {
 public:
  using result_type = std::uint64_t;

  Xoshiro256(std::uint64_t seed, std::uint64_t stream) {
    // Mix the stream index through its own SplitMix64 step before combining,
    // so neighbouring (seed, stream) pairs give unrelated states.
    std::uint64_t s_stream = stream;
    std::uint64_t mixed = splitmix64(s_stream);
    std::uint64_t sm = seed ^ mixed;
    for (auto& w : s_) w = splitmix64(sm);
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // never all zero
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe for log().
  double uniform_pos() { return (static_cast<double>((*this)() >> 11) + 1.0) * 0x1.0p-53; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

namespace detail {

// Tables of a 128-layer ziggurat for the standard normal (Marsaglia & Tsang
// 2000, in the double-precision form of Doornik 2005).
struct ZigguratTables {
  static constexpr int C = 128;
  static constexpr double R = 3.442619855899;
  static constexpr double V = 9.91256303526217e-3;
  double x[C + 1];
  double ratio[C];
  ZigguratTables() {
    double f = std::exp(-0.5 * R * R);
    x[0] = V / f;
    x[1] = R;
    x[C] = 0.0;
    for (int i = 2; i < C; ++i) {
      x[i] = std::sqrt(-2.0 * std::log(V / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < C; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

inline const ZigguratTables& ziggurat_tables() {
  static const ZigguratTables tables;  // thread-safe initialisation (C++11)
  return tables;
}

}  // namespace detail

#if defined(__GNUC__)
#define PROBML_NOINLINE __attribute__((noinline))
#else
#define PROBML_NOINLINE
#endif

namespace detail {

// One ziggurat proposal: the top 53 bits of a 64-bit draw as a signed
// integer give u in [-1, 1) (one signed conversion; unsigned 64-bit to
// double takes several instructions on x86-64), the low 7 bits the layer.
struct ZigguratDraw {
  double u;
  int layer;
};
inline ZigguratDraw ziggurat_propose(Xoshiro256& g) {
  const std::uint64_t bits = g();
  return {static_cast<double>(static_cast<std::int64_t>(bits) >> 11) * 0x1.0p-52,
          static_cast<int>(bits & (ZigguratTables::C - 1))};
}

// The rare rest of the algorithm (about 1% of draws): the tail beyond R, the
// wedges, and new proposals after a rejection. Kept out of line so the
// common path stays small enough to inline into sampling loops.
PROBML_NOINLINE inline double ziggurat_slow(Xoshiro256& g, const ZigguratTables& z, ZigguratDraw d) {
  constexpr double R = ZigguratTables::R;
  for (;;) {
    const int i = d.layer;
    const double u = d.u;
    if (std::fabs(u) < z.ratio[i]) return u * z.x[i];
    if (i == 0) {  // the tail beyond R
      double xt, yt;
      do {
        xt = std::log(g.uniform_pos()) / R;
        yt = std::log(g.uniform_pos());
      } while (-2.0 * yt < xt * xt);
      return u < 0 ? xt - R : R - xt;
    }
    const double xx = u * z.x[i];
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - xx * xx));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - xx * xx));
    if (f1 + g.uniform() * (f0 - f1) < 1.0) return xx;
    d = ziggurat_propose(g);
  }
}

}  // namespace detail

// Standard normal draw by the ziggurat method (Marsaglia & Tsang 2000,
// Doornik 2005): one 64-bit draw and a table comparison in ~99% of calls.
inline double draw_std_normal(Xoshiro256& g, const detail::ZigguratTables& z) {
  const detail::ZigguratDraw d = detail::ziggurat_propose(g);
  if (std::fabs(d.u) < z.ratio[d.layer]) return d.u * z.x[d.layer];
  return detail::ziggurat_slow(g, z, d);
}

inline double draw_std_normal(Xoshiro256& g) { return draw_std_normal(g, detail::ziggurat_tables()); }

}  // namespace probml
