# Times simulate_estimator() beside the same Monte Carlo study written with
# base R's replicate(), in one R run.
#
#   Rscript inst/benchmarks/bench-estimate.R           # full run
#   Rscript inst/benchmarks/bench-estimate.R --quick   # fewer repetitions
#
# Uses the installed probml. To time a development copy installed elsewhere:
#   PROBML_LIB=/path/to/lib Rscript inst/benchmarks/bench-estimate.R
#
# Case: the MLE of a Gaussian variance (divide by n), n = 1000, 1e4 data sets:
#   probml  simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 1), n = 1000, reps = 1e4)
#   base R  replicate(1e4, { x <- rnorm(1000); mean((x - mean(x))^2) })
# Times are the median elapsed seconds of several repetitions; "speedup" is
# base time / probml time. probml runs with getOption("probml.threads", 2)
# threads (and single-threaded for reference). The two studies must agree in
# distribution: the mean and variance of the estimates are printed beside
# each other.

args <- commandArgs(trailingOnly = TRUE)
quick <- "--quick" %in% args

probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))

REPS <- 1e4
N <- 1000
TIMES <- if (quick) 3L else 7L
threads <- getOption("probml.threads", 2L)

time_median <- function(expr_fn, times = TIMES) {
  t <- vapply(seq_len(times), function(i) {
    gc(FALSE)
    system.time(expr_fn())[["elapsed"]]
  }, numeric(1))
  stats::median(t)
}

base_study <- function() {
  set.seed(1)
  replicate(REPS, { x <- rnorm(N); mean((x - mean(x))^2) })
}
probml_study <- function(t) {
  function() simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 1), n = N, reps = REPS,
                                seed = 1, n_threads = t)
}

est_base <- base_study()
est_probml <- probml_study(threads)()$estimates[, 1]

t_base <- time_median(base_study, times = max(2L, TIMES %/% 2L))
t_p <- time_median(probml_study(threads))
t_p1 <- time_median(probml_study(1L))

cat(sprintf("simulate_estimator(var_mle, gaussian), n = %d, reps = %g\n", N, REPS))
cat(sprintf("R %s, %s\n\n", getRversion(), R.version$platform))
res <- data.frame(
  engine = c("replicate() base R", sprintf("probml, %d thread(s)", threads), "probml, 1 thread"),
  seconds = c(t_base, t_p, t_p1),
  speedup = c(1, t_base / t_p, t_base / t_p1),
  mean_est = c(mean(est_base), mean(est_probml), mean(est_probml)),
  var_est = c(var(est_base), var(est_probml), var(est_probml))
)
print(format(res, digits = 4), row.names = FALSE)
cat(sprintf("\nTheory: E = (n-1)/n = %.4f, Var = 2(n-1)/n^2 = %.3g\n", (N - 1) / N, 2 * (N - 1) / N^2))
cat(sprintf("Speedup (probml, %d threads) vs replicate(): %.1fx (target >= 20x)\n", threads, t_base / t_p))

# ---- fit_dist() beside MASS::fitdistr, n = 1e6 ------------------------------
# The same sample for both, every family both support; "speedup" is
# fitdistr time / fit_dist time (target >= 10x), with fit_dist on
# getOption("probml.threads", 2) threads and on one. fitdistr's iterative
# fits (gamma, beta, Weibull, t) run optim() with its default tolerance, and
# it is timed once for them (tens of seconds each); the rest, and fit_dist,
# are the median of several runs. The estimates are compared.
if (requireNamespace("MASS", quietly = TRUE)) {
  N_FIT <- if (quick) 2e5 else 1e6
  set.seed(2)
  samples <- list(
    gaussian = list(rnorm(N_FIT, 3, 2), "normal", NULL),
    exponential = list(rexp(N_FIT, 2), "exponential", NULL),
    poisson = list(rpois(N_FIT, 3), "poisson", NULL),
    lognormal = list(rlnorm(N_FIT, 0.5, 0.8), "lognormal", NULL),
    gamma = list(rgamma(N_FIT, 2, 3), "gamma", NULL),
    beta = list(rbeta(N_FIT, 2, 3), "beta", list(shape1 = 1, shape2 = 1)),
    weibull = list(rweibull(N_FIT, 1.5, 2), "weibull", NULL),
    student_t = list(1 + 2 * rt(N_FIT, 5), "t", list(m = 0, s = 1, df = 5))
  )
  rows <- lapply(names(samples), function(fam) {
    x <- samples[[fam]][[1]]
    ref <- NULL
    ref_fit <- function() {
      st <- samples[[fam]][[3]]
      ref <<- suppressWarnings(if (is.null(st)) MASS::fitdistr(x, samples[[fam]][[2]])
                               else MASS::fitdistr(x, samples[[fam]][[2]], start = st))
    }
    iterative <- fam %in% c("gamma", "beta", "weibull", "student_t")
    t_ref <- time_median(ref_fit, times = if (iterative) 1L else TIMES)
    t_ours <- time_median(function() fit_dist(x, fam, n_threads = threads))
    t_ours1 <- time_median(function() fit_dist(x, fam, n_threads = 1L))
    ours <- unname(coef(fit_dist(x, fam)))
    data.frame(family = fam, fitdistr_s = t_ref, fit_dist_s = t_ours, speedup = t_ref / t_ours,
               fit_dist_1thread_s = t_ours1, speedup_1thread = t_ref / t_ours1,
               max_rel_diff_estimates = max(abs(ours - unname(ref$estimate)) / abs(unname(ref$estimate))))
  })
  cat(sprintf("\nfit_dist() (%d threads, and 1) vs MASS::fitdistr(), n = %g (%s)\n", threads, N_FIT,
              if (quick) "quick" else "full"))
  tab <- do.call(rbind, rows)
  tab[c("fitdistr_s", "fit_dist_s", "fit_dist_1thread_s")] <- lapply(tab[c("fitdistr_s", "fit_dist_s", "fit_dist_1thread_s")], signif, 3)
  print(format(tab, digits = 3), row.names = FALSE)
}
