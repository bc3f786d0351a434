#pragma once
// Side effects the core needs from its host, injected by the glue: an
// interrupt check (which may throw to unwind) and a progress report. Both
// are called on the calling thread only, never from a worker.
#include <functional>

namespace probml {

struct Callbacks {
  std::function<void()> check_interrupt;
  std::function<void(double done, double total)> progress;

  void interrupt_point() const {
    if (check_interrupt) check_interrupt();
  }
  void report(double done, double total) const {
    if (progress) progress(done, total);
  }
};

}  // namespace probml
