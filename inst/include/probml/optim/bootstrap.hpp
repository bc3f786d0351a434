#pragma once
// The nonparametric bootstrap of a fit by reweighting: member b draws
// counts ~ Multinomial(m, 1/m) over the m rows of positive weight from its
// own stream Xoshiro256(seed, b), and refits the model with weights
// w_i * count_i, warm-started at the full-data estimate, with the prior and
// options of the original fit. The data are never copied (a member is a
// weight vector over the same designs), and only the B x p matrix of member
// coefficients is kept, so memory is flat in B.
//
// Members run in rounds of parallel tasks (parallel_for); between rounds
// the calling thread checks for interrupts and reports progress. A member's
// fit runs on one thread and sees only its own stream, so the result is the
// same for any number of threads.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>
#include "../util/callbacks.hpp"
#include "../util/parallel.hpp"
#include "../util/rng.hpp"
#include "fit.hpp"

namespace probml {

// Member counts: a multinomial draw of m = #{w_i > 0} rows, uniformly with
// replacement, from stream `member` of `seed`; rows of weight zero get 0.
// `out` has the length of w.
inline void bootstrap_counts(const ConstVectorMap& w, std::uint64_t seed, std::uint64_t member,
                             Eigen::Ref<Eigen::VectorXd> out) {
  if (out.size() != w.size()) throw std::invalid_argument("bootstrap_counts: the output has the wrong length");
  out.setZero();
  std::vector<Index> rows;
  rows.reserve(static_cast<size_t>(w.size()));
  for (Index i = 0; i < w.size(); ++i)
    if (w[i] > 0) rows.push_back(i);
  const Index m = static_cast<Index>(rows.size());
  if (m == 0) return;
  Xoshiro256 g(seed, member);
  for (Index k = 0; k < m; ++k) {
    Index j = static_cast<Index>(g.uniform() * static_cast<double>(m));
    if (j >= m) j = m - 1;  // guards the rounding of u * m just below 1
    out[rows[static_cast<size_t>(j)]] += 1.0;
  }
}

struct BootstrapOptions {
  long members = 200;
  std::uint64_t seed = 0;
  std::uint64_t first_member = 0;  // member b draws from stream first_member + b (a share of a larger ensemble)
  int n_threads = 1;    // members in parallel; each member's fit uses one thread
  long round_size = 0;  // members between interrupt checks; 0: 4 per thread
  FitOptions fit;       // the original fit's options (its n_threads is ignored)
};

// Member status, in order of severity: "ok", "separation" (the member's
// maximum lies at infinity; its estimate is kept), "not converged" and
// "failed" (the fit threw; the message says why). The last two leave the
// member's row NaN.
struct BootstrapResult {
  Eigen::MatrixXd coefficients;  // members x coefficients (coefficient layout; NaN: aliased or failed)
  std::vector<std::string> status;
  std::vector<std::string> messages;
  long n_failed = 0;      // not converged or failed
  long n_separation = 0;  // kept, but at the boundary
};

inline BootstrapResult bootstrap_fit(const Model& model, ConstVectorMap y, ConstVectorMap w,
                                     const Eigen::MatrixXd& offset, const Eigen::VectorXd& start,
                                     const Prior& prior, const BootstrapOptions& opt, const Callbacks& callbacks) {
  if (opt.members < 1) throw DomainError("the bootstrap needs at least one member");
  if (w.size() != y.size()) throw std::invalid_argument("bootstrap_fit: y and w differ in length");
  const long B = opt.members;
  const int p = model.n_coef();
  const int n_workers = static_cast<int>(std::max<long>(1, std::min<long>(std::max(1, opt.n_threads), B)));
  const long round = opt.round_size > 0 ? opt.round_size : 4L * n_workers;
  FitOptions member_opt = opt.fit;
  member_opt.n_threads = 1;
  const Callbacks none;  // no host calls from worker threads

  BootstrapResult res;
  res.coefficients = Eigen::MatrixXd::Constant(B, p, std::numeric_limits<double>::quiet_NaN());
  res.status.assign(static_cast<size_t>(B), "");
  res.messages.assign(static_cast<size_t>(B), "");
  std::vector<Eigen::VectorXd> weights(static_cast<size_t>(n_workers), Eigen::VectorXd(w.size()));
  const std::vector<bool> no_fixed;

  auto member = [&](long b, int worker) {
    Eigen::VectorXd& wb = weights[static_cast<size_t>(worker)];
    bootstrap_counts(w, opt.seed, opt.first_member + static_cast<std::uint64_t>(b), wb);
    wb.array() *= w.array();
    std::string& status = res.status[static_cast<size_t>(b)];
    try {
      const ConstVectorMap wmap(wb.data(), wb.size());
      const FitResult r = fit_model(model, y, wmap, offset, start, no_fixed, prior, member_opt, none);
      if (!r.converged) {
        status = "not converged";
        res.messages[static_cast<size_t>(b)] = r.message;
        return;
      }
      res.coefficients.row(b) = r.theta.transpose();
      status = r.separation ? "separation" : "ok";
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      status = "failed";
      res.messages[static_cast<size_t>(b)] = e.what();
    }
  };

  for (long b0 = 0; b0 < B; b0 += round) {
    callbacks.interrupt_point();
    const long len = std::min(round, B - b0);
    parallel_for(len, n_workers, [&](long t, int worker) { member(b0 + t, worker); });
    callbacks.report(static_cast<double>(b0 + len), static_cast<double>(B));
  }
  for (const auto& s : res.status) {
    if (s == "not converged" || s == "failed") ++res.n_failed;
    if (s == "separation") ++res.n_separation;
  }
  return res;
}

}  // namespace probml
