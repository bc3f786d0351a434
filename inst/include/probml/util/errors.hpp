#pragma once
// The core's exceptions. Each says what about the input or the data caused
// it, in words an R user can act on; the glue maps the four kinds to
// distinct R condition classes (see R/conditions.R).
//   DomainError       input outside the model's domain: a parameter outside
//                     its space, data outside the support, a size too large
//   ConvergenceError  an iterative method did not reach its optimum
//   SeparationError   the likelihood has no finite maximiser (a class that
//                     never occurs, perfectly separated outcomes)
//   NumericalError    the computation broke down in floating point (a
//                     non-finite step, a singular system)
// Any other std::exception reaching R is a bug and is reported as one.
#include <stdexcept>
#include <string>

namespace probml {

class DomainError : public std::invalid_argument {
 public:
  explicit DomainError(const std::string& what) : std::invalid_argument(what) {}
};

class ConvergenceError : public std::runtime_error {
 public:
  explicit ConvergenceError(const std::string& what) : std::runtime_error(what) {}
};

class SeparationError : public std::runtime_error {
 public:
  explicit SeparationError(const std::string& what) : std::runtime_error(what) {}
};

class NumericalError : public std::runtime_error {
 public:
  explicit NumericalError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace probml
