// Shared by the glue translation units: the host callbacks of the core.
#pragma once
#include <Rcpp.h>
#include <probml/util/callbacks.hpp>

namespace probml_glue {

// Interrupts through R; progress through an R function (done, total) when
// the R side shows a progress bar, else none.
inline probml::Callbacks r_callbacks(Rcpp::Nullable<Rcpp::Function> progress = R_NilValue) {
  probml::Callbacks cb;
  cb.check_interrupt = [] { Rcpp::checkUserInterrupt(); };
  if (progress.isNotNull()) {
    const Rcpp::Function tick(progress);
    cb.progress = [tick](double done, double total) { tick(done, total); };
  }
  return cb;
}

}  // namespace probml_glue
