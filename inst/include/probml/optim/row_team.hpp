#pragma once
// A team of threads for a long sequence of short tasks over the same fixed
// parts of the rows (one task per coordinate visit of coordinate descent):
// the threads live as long as the team and wait between tasks by spinning,
// then yielding, which costs microseconds where starting threads per task
// would cost more than the task. Thread t takes parts t, t + T, ...; the
// parts are fixed by the caller, not by the thread count, so per-part sums
// added in part order are the same for any number of threads.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace probml {

class RowTeam {
 public:
  RowTeam(int n_threads, int n_parts) : n_parts_(n_parts) {
    const int t = std::max(1, std::min(n_threads, n_parts));
    for (int w = 1; w < t; ++w) threads_.emplace_back([this, w, t] { work(w, t); });
  }
  RowTeam(const RowTeam&) = delete;
  RowTeam& operator=(const RowTeam&) = delete;
  ~RowTeam() {
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    for (auto& t : threads_) t.join();
  }

  // fn(part) for every part; returns when all are done. fn must not throw.
  template <class Fn>
  void run(Fn& fn) {
    const int t = static_cast<int>(threads_.size()) + 1;
    if (t == 1) {
      for (int p = 0; p < n_parts_; ++p) fn(p);
      return;
    }
    task_ = &fn;
    call_ = [](void* f, int p) { (*static_cast<Fn*>(f))(p); };
    pending_.store(t - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    for (int p = 0; p < n_parts_; p += t) fn(p);
    wait([&] { return pending_.load(std::memory_order_acquire) == 0; });
  }

 private:
  template <class Ready>
  static void wait(Ready ready) {
    for (int spin = 0; !ready(); ++spin)
      if (spin > 2000) std::this_thread::yield();
  }

  void work(int w, int t) {
    long seen = 0;
    for (;;) {
      wait([&] { return generation_.load(std::memory_order_acquire) != seen; });
      seen = generation_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_acquire)) return;
      for (int p = w; p < n_parts_; p += t) call_(task_, p);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int n_parts_;
  void* task_ = nullptr;
  void (*call_)(void*, int) = nullptr;
  std::atomic<long> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace probml
