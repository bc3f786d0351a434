#pragma once
// A minimal fork-join loop over independent tasks. The calling thread works
// too; the first exception from any task is rethrown on the calling thread,
// so callers (the R glue) only ever see errors on the main thread.
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>
#include "callbacks.hpp"

namespace probml {

// fn(task, worker) for task in [0, n_tasks); worker in [0, n_workers).
template <class Fn>
void parallel_for(long n_tasks, int n_threads, Fn&& fn) {
  const int n_workers = static_cast<int>(std::max<long>(1, std::min<long>(n_threads, n_tasks)));
  if (n_workers <= 1) {
    for (long t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    try {
      for (long t = next++; t < n_tasks && !failed; t = next++) fn(t, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(n_workers - 1);
  for (int w = 1; w < n_workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace probml
