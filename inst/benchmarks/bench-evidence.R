# Times fit_evidence() (empirical Bayes ridge, exact Gaussian evidence)
# beside one stats::lm.fit() on the same data, in one R run.
#
#   Rscript inst/benchmarks/bench-evidence.R           # n = 1e5, p = 200
#   Rscript inst/benchmarks/bench-evidence.R --quick   # n = 1e4 (smoke test)
#
# Uses the installed probml; set PROBML_LIB to time a copy installed elsewhere.
#
# fit_evidence_xy() computes X'WX once in C++ and maximises the exact log
# evidence over (tau, sigma) on p x p quantities, then makes the MAP fit
# at the chosen prior; lm.fit() is one QR of the same design. Target: the
# ratio fit_evidence / lm.fit is at most 2. Times are medians of 3 runs.

args <- commandArgs(trailingOnly = TRUE)
probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))

quick <- "--quick" %in% args
unknown <- setdiff(args, "--quick")
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

n <- if (quick) 1e4 else 1e5
p <- 200L
reps <- 3L
threads <- getOption("probml.threads", 2L)

set.seed(20240611L)
X <- cbind("(Intercept)" = 1, matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p)))))
beta <- c(1, rnorm(20), rep(0, p - 20))
y <- drop(X %*% beta) + rnorm(n, sd = 2)

median_time <- function(f) {
  times <- numeric(reps)
  for (r in seq_len(reps)) times[r] <- system.time(value <- f(), gcFirst = TRUE)[["elapsed"]]
  list(time = stats::median(times), value = value)
}

cat("probml evidence benchmark, ", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n", sep = "")
cat("  R:        ", R.version.string, "\n", sep = "")
cat("  probml:   ", format(utils::packageVersion("probml")), " (", dirname(find.package("probml")), ")\n", sep = "")
cat("  threads:  probml n_threads = ", threads, "; lm.fit is single-threaded\n", sep = "")
cat("  BLAS:     ", extSoftVersion()[["BLAS"]], "\n", sep = "")
cat("  data:     Gaussian, n = ", format(n, big.mark = ",", scientific = FALSE), ", p = ", p, " + intercept\n\n", sep = "")

invisible(fit_evidence_xy(X[1:2000, ], y[1:2000]))  # first-call costs off the clock
te <- median_time(function() fit_evidence_xy(X, y))
tl <- median_time(function() lm.fit(X, y))
ev <- te$value
cat(sprintf("  fit_evidence_xy(X, y)  %7.3f s   (tau = %.4g, sigma = %.4g, effective parameters %.1f)\n",
            te$time, ev$prior_scale, ev$sigma, ev$effective_parameters))
cat(sprintf("  lm.fit(X, y)           %7.3f s\n", tl$time))
cat(sprintf("  ratio fit_evidence / lm.fit = %.2f (target <= 2)\n", te$time / tl$time))
cat(sprintf("  max |coef difference| to lm.fit: %.2g (shrinkage of a weak prior at n = %s)\n",
            max(abs(coef(ev) - tl$value$coefficients)), format(n, big.mark = ",", scientific = FALSE)))
invisible(list(fit_evidence = te$time, lm_fit = tl$time, ratio = te$time / tl$time))
