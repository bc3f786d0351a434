#pragma once
// A minimal fork-join loop over independent tasks. The calling thread works
// too; the first exception from any task is rethrown on the calling thread,
// so callers (the R glue) only ever see errors on the main thread.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>
#include "callbacks.hpp"
#if !defined(_WIN32)
#include <signal.h>
#endif

namespace probml {

// Worker threads block asynchronous signals (an interrupt from the
// console), so that the host's handler always runs on the calling thread,
// which is the one that checks for interrupts.
inline void block_signals_in_this_thread() {
#if !defined(_WIN32)
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
#endif
}

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
    if (worker > 0) block_signals_in_this_thread();
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

// Long jobs that advance in slices: step(job) runs one slice of the job
// (a few epochs) and returns true once the job is finished. Each worker
// claims the unfinished, idle job with the fewest slices done, so the jobs
// progress evenly and no thread idles while a job is left. The calling
// thread works too and, between its slices (or every 50 ms while it waits),
// checks for interrupts and reports progress(done slices); an interrupt
// stops the other workers after their current slice and is rethrown here.
// A job's result depends on its own slices only, never on which thread ran them.
template <class Step>
void run_sliced(int n_jobs, int n_threads, Step&& step, const Callbacks& cb,
                const std::function<void()>& report = {}) {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<char> busy(static_cast<size_t>(n_jobs), 0), done(static_cast<size_t>(n_jobs), 0);
  std::vector<long> slices(static_cast<size_t>(n_jobs), 0);
  int n_done = 0;
  bool stop = false;
  std::exception_ptr error;
  // The next job to run, or -1 when none is idle (n_done tells whether any is left).
  auto claim = [&]() -> int {
    int best = -1;
    for (int j = 0; j < n_jobs; ++j)
      if (!busy[static_cast<size_t>(j)] && !done[static_cast<size_t>(j)] &&
          (best < 0 || slices[static_cast<size_t>(j)] < slices[static_cast<size_t>(best)]))
        best = j;
    if (best >= 0) busy[static_cast<size_t>(best)] = 1;
    return best;
  };
  auto run_one = [&](int j) {
    bool finished = false;
    try {
      finished = step(j);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
    std::lock_guard<std::mutex> lock(mutex);
    busy[static_cast<size_t>(j)] = 0;
    ++slices[static_cast<size_t>(j)];
    if (finished) {
      done[static_cast<size_t>(j)] = 1;
      ++n_done;
    }
    changed.notify_all();
  };
  auto worker = [&] {
    block_signals_in_this_thread();
    for (;;) {
      int j = -1;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || n_done == n_jobs || (j = claim()) >= 0; });
        if (stop || n_done == n_jobs) return;
      }
      run_one(j);
    }
  };
  const int n_workers = std::max(1, std::min(n_threads, n_jobs));
  std::vector<std::thread> threads;
  for (int w = 1; w < n_workers; ++w) threads.emplace_back(worker);
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    changed.notify_all();
    for (auto& t : threads) t.join();
  };
  try {
    for (;;) {
      int j = -1;
      {
        std::unique_lock<std::mutex> lock(mutex);
        if (stop || n_done == n_jobs) break;
        j = claim();
        if (j < 0) changed.wait_for(lock, std::chrono::milliseconds(50));
      }
      if (j >= 0) run_one(j);
      cb.interrupt_point();
      if (report) report();
    }
  } catch (...) {
    finish();
    throw;
  }
  finish();
  if (error) std::rethrow_exception(error);
}

}  // namespace probml
