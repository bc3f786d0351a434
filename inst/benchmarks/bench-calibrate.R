# Times probml's calibration functions beside their base-R counterparts in
# one R run.
#
#   Rscript inst/benchmarks/bench-calibrate.R           # full run (about a minute)
#   Rscript inst/benchmarks/bench-calibrate.R --quick   # small n only (smoke test, seconds)
#
# Uses the installed probml (`make bench` installs it first). To time a
# development copy installed elsewhere, set PROBML_LIB to that library:
#   PROBML_LIB=/path/to/lib Rscript inst/benchmarks/bench-calibrate.R
#
# 1. Isotonic calibration of a miscalibrated model: scores p ~ U(0, 1)
#    (distinct), y ~ Bernoulli(p^2) (overconfident in the middle, the
#    example of ?ece):
#      calibrate(y, p, method = "isotonic")  vs  stats::isoreg(p, y)
#    at n = 1e4 and 1e5, and calibrate() alone at n = 1e6. isoreg() costs
#    O(n) per knot it finds, and it makes every point of a run of equal
#    cumulative slope a knot (here the long run of y = 0 at small p), so it
#    is quadratic on these data: about 1.5 s at 1e5 and 100 s at 1e6, which
#    is not run. On already-calibrated data (y ~ Bernoulli(p)) it finds far
#    fewer knots and is several times faster; one row at n = 1e5 shows that
#    case for information. Until calibrate() exists the internal
#    probml:::isotonic_pava(p, y) is timed instead; the output says which.
#    The two fits must agree: max_abs_diff is the largest difference of the
#    fitted values at the (sorted, distinct) scores.
#    Targets (issue 3): >= 100x faster than isoreg at 1e5; < 1 s at 1e6.
# 2. Scores at n = 1e7, p ~ U(0, 1), y ~ Bernoulli(p), with y stored as a
#    double and as an integer (what rbinom() returns):
#      brier_score(y, p), log_loss(y, p), ece(y, p), cal_curve(y, p)
#    each beside mean((y - p)^2) on the same vectors. ratio = probml / base;
#    target: each within 2x (ratio <= 2). ece(strategy = "quantile") is shown
#    for information (no target). cal_curve() is skipped with a note until it
#    exists.
#
# Times are median elapsed seconds (wall clock, Sys.time()) over repetitions in which
# the probml call and its reference alternate, so a change in the machine's
# load hits both; every function is called once off the clock first.

args <- commandArgs(trailingOnly = TRUE)
quick <- "--quick" %in% args
unknown <- setdiff(args, "--quick")
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))

SEED <- 20240611L
ns <- asNamespace("probml")
has <- function(name) exists(name, envir = ns, inherits = FALSE)
probml_fun <- function(name) get(name, envir = ns, inherits = FALSE)

# Isotonic cases: n, the true event probability as a function of the score
# ("p^2": a miscalibrated model, the case a calibrator is for; "p": already
# calibrated), and whether isoreg runs too. The n = 1e5 "p" row is for
# information: isoreg's cost depends on the data (see above).
iso_cases <- if (quick) {
  list(list(n = 1e4, truth = "p^2", isoreg = TRUE))
} else {
  list(list(n = 1e4, truth = "p^2", isoreg = TRUE),
       list(n = 1e5, truth = "p^2", isoreg = TRUE),
       list(n = 1e5, truth = "p", isoreg = TRUE),
       list(n = 1e6, truth = "p^2", isoreg = FALSE))
}
score_n <- if (quick) 1e5 else 1e7
iso_reps <- function(n) if (n <= 1e4) 11L else if (n <= 1e5) 5L else 5L
isoreg_reps <- function(n) if (n <= 1e4) 11L else 3L
score_reps <- if (quick) 3L else 5L

cpu_model <- local({
  out <- tryCatch(system2("lscpu", stdout = TRUE, stderr = FALSE), error = function(e) character(),
                  warning = function(w) character())
  line <- grep("^Model name:", out, value = TRUE)
  if (length(line)) trimws(sub("^Model name:", "", line[[1L]])) else "unknown"
})
threads <- getOption("probml.threads", 2L)

use_calibrate <- has("calibrate")
if (!use_calibrate && !has("isotonic_pava")) {
  stop("this probml (", find.package("probml"), ") has neither calibrate() nor the internal ",
       "isotonic_pava(); is it being reinstalled?", call. = FALSE)
}
iso_label <- if (use_calibrate) 'calibrate(y, p, method = "isotonic")' else "probml:::isotonic_pava(p, y)"
iso_run <- if (use_calibrate) {
  cal_fun <- probml_fun("calibrate")
  function(y, p) cal_fun(y, p, method = "isotonic")
} else {
  pava_fun <- probml_fun("isotonic_pava")
  function(y, p) pava_fun(p, y)
}
# Fitted values at the sorted distinct scores, from either return value.
iso_fitted <- function(v) {
  fit <- if (inherits(v, "probml_calibrator")) v$isotonic else v
  if (is.list(fit) && is.numeric(fit$y)) fit$y else NULL
}

cat("probml calibration benchmark, ", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n", sep = "")
cat("  R:        ", R.version.string, "\n", sep = "")
cat("  probml:   ", format(utils::packageVersion("probml")), " (", dirname(find.package("probml")), ")\n", sep = "")
cat("  CPU:      ", cpu_model, ", ", parallel::detectCores(), " logical cores\n", sep = "")
cat("  threads:  probml n_threads = ", threads, " (getOption(\"probml.threads\", 2)); the score kernels and PAVA are single-threaded\n", sep = "")
cat("  BLAS:     ", extSoftVersion()[["BLAS"]], "\n", sep = "")
cat("  mode:     ", if (quick) "--quick (small n only)" else "full", "\n", sep = "")
cat("  isotonic: timing ", iso_label,
    if (use_calibrate) "" else "  (calibrate() does not exist yet in this build)", "\n", sep = "")
cat("  cal_curve: ", if (has("cal_curve")) "timed" else "does not exist yet in this build: skipped", "\n\n", sep = "")

# Median elapsed time of each function in `funs`, repetitions interleaved.
time_alternating <- function(funs, reps) {
  times <- matrix(NA_real_, reps, length(funs), dimnames = list(NULL, names(funs)))
  values <- vector("list", length(funs))
  names(values) <- names(funs)
  for (r in seq_len(reps)) {
    for (k in seq_along(funs)) {
      if (r > attr(funs[[k]], "reps") %||% reps) next
      invisible(gc(full = FALSE))
      t0 <- Sys.time()  # microsecond resolution (system.time() has 1 ms)
      v <- funs[[k]]()
      times[r, k] <- as.numeric(Sys.time()) - as.numeric(t0)
      if (r == 1L) values[[k]] <- v
      rm(v)
    }
  }
  list(time = apply(times, 2L, stats::median, na.rm = TRUE),
       reps = colSums(!is.na(times)), value = values)
}
`%||%` <- function(a, b) if (is.null(a)) b else a
with_reps <- function(f, reps) structure(f, reps = reps)
fmt_n <- function(n) format(n, big.mark = ",", scientific = FALSE, trim = TRUE)

simulate <- function(n, truth = "p", seed = SEED) {
  set.seed(seed)
  p <- runif(n)
  y <- as.numeric(runif(n) < switch(truth, p = p, "p^2" = p^2))
  list(p = p, y = y)
}

# Warm-up, off the clock.
local({
  d <- simulate(2000)
  invisible(iso_run(d$y, d$p))
  invisible(stats::isoreg(d$p, d$y))
  invisible(brier_score(d$y, d$p)); invisible(log_loss(d$y, d$p)); invisible(ece(d$y, d$p))
  if (has("cal_curve")) invisible(probml_fun("cal_curve")(d$y, d$p))
})

# ---------------------------------------------------------------------------
# 1. Isotonic calibration.
iso_rows <- list()
for (ic in iso_cases) {
  n <- ic$n
  d <- simulate(n, ic$truth)
  with_isoreg <- ic$isoreg
  target_row <- ic$truth == "p^2"
  cat(sprintf("  isotonic n = %-9s P(y = 1) = %-3s ...", fmt_n(n), ic$truth))
  funs <- list(probml = with_reps(function() iso_run(d$y, d$p), iso_reps(n)))
  if (with_isoreg) funs$isoreg <- with_reps(function() stats::isoreg(d$p, d$y), isoreg_reps(n))
  tm <- time_alternating(funs, max(vapply(funs, attr, 1L, "reps")))
  diff <- NA_real_
  if (with_isoreg) {
    ours <- iso_fitted(tm$value$probml)
    ir <- tm$value$isoreg
    theirs <- ir$yf  # fitted values in increasing-x order (sorted or not)
    if (!is.null(ours) && length(ours) == length(theirs)) diff <- max(abs(ours - theirs))
  }
  cat(sprintf(" probml %.4f s%s\n", tm$time[["probml"]],
              if (with_isoreg) sprintf(", isoreg %.3f s", tm$time[["isoreg"]]) else ""))
  iso_rows[[length(iso_rows) + 1L]] <- data.frame(
    n = fmt_n(n), "P(y=1)" = ic$truth, probml_s = sprintf("%.4f", tm$time[["probml"]]),
    isoreg_s = if (with_isoreg) sprintf("%.3f", tm$time[["isoreg"]]) else "(not run)",
    speedup = if (with_isoreg) sprintf("%.0fx", tm$time[["isoreg"]] / tm$time[["probml"]]) else "-",
    target = if (!target_row) "(info)" else if (n == 1e5) ">= 100x" else if (n == 1e6) "< 1 s" else "-",
    met = if (!target_row) ""
          else if (n == 1e5) (if (tm$time[["isoreg"]] / tm$time[["probml"]] >= 100) "yes" else "NO")
          else if (n == 1e6) (if (tm$time[["probml"]] < 1) "yes" else "NO") else "",
    max_abs_diff = if (with_isoreg) sprintf("%.1e", diff) else "",
    reps = paste(tm$reps, collapse = "/"),
    stringsAsFactors = FALSE, check.names = FALSE)
  rm(d, tm, funs)
  invisible(gc())
}
iso_table <- do.call(rbind, iso_rows)

# ---------------------------------------------------------------------------
# 2. Scores at n = 1e7 against mean((y - p)^2).
score_cases <- list(
  list(label = "brier_score(y, p)", f = function(y, p) brier_score(y, p), target = TRUE),
  list(label = "log_loss(y, p)", f = function(y, p) log_loss(y, p), target = TRUE),
  list(label = "ece(y, p)", f = function(y, p) ece(y, p), target = TRUE),
  list(label = "cal_curve(y, p)", f = if (has("cal_curve")) {
    cc <- probml_fun("cal_curve")
    function(y, p) cc(y, p)
  }, target = TRUE),
  list(label = 'ece(y, p, strategy = "quantile")', f = function(y, p) ece(y, p, strategy = "quantile"),
       target = FALSE)
)
d <- simulate(score_n)
score_rows <- list()
for (storage in c("double", "integer")) {
  y <- if (storage == "double") d$y else as.integer(d$y)
  p <- d$p
  base_value <- mean((y - p)^2)
  for (case in score_cases) {
    if (is.null(case$f)) {
      score_rows[[length(score_rows) + 1L]] <- data.frame(
        y = storage, expression = case$label, probml_s = "(skipped)", base_s = "", ratio = "",
        target = "<= 2x", met = "", check = "does not exist yet", stringsAsFactors = FALSE)
      next
    }
    cat(sprintf("  n = %s, y %-7s %-34s ...", fmt_n(score_n), storage, case$label))
    f <- case$f
    tm <- time_alternating(list(probml = function() f(y, p), base = function() mean((y - p)^2)), score_reps)
    ratio <- tm$time[["probml"]] / tm$time[["base"]]
    check <- if (case$label == "brier_score(y, p)") {
      sprintf("|brier - base| = %.1e", abs(tm$value$probml - base_value))
    } else if (is.numeric(tm$value$probml) && length(tm$value$probml) == 1L) {
      sprintf("value %.6g", tm$value$probml)
    } else paste("class", class(tm$value$probml)[1])
    cat(sprintf(" probml %.4f s, base %.4f s\n", tm$time[["probml"]], tm$time[["base"]]))
    score_rows[[length(score_rows) + 1L]] <- data.frame(
      y = storage, expression = case$label,
      probml_s = sprintf("%.4f", tm$time[["probml"]]), base_s = sprintf("%.4f", tm$time[["base"]]),
      ratio = sprintf("%.2fx", ratio),
      target = if (!case$target) "(info)" else if (quick) "(at 1e7)" else "<= 2x",
      met = if (case$target && !quick) (if (ratio <= 2) "yes" else "NO") else "",
      check = check, stringsAsFactors = FALSE)
    rm(tm)
    invisible(gc())
  }
}
score_table <- do.call(rbind, score_rows)
rm(d, y, p)

# ---------------------------------------------------------------------------
# Report.
options(width = 160)
cat("\nIsotonic calibration: ", iso_label, " vs stats::isoreg(p, y)\n", sep = "")
cat("(median elapsed s; speedup = isoreg / probml; reps probml/isoreg)\n\n")
print(iso_table, row.names = FALSE, right = FALSE)
cat("\nScores at n = ", fmt_n(score_n), ", each beside base = mean((y - p)^2) on the same vectors\n", sep = "")
cat("(median elapsed s of ", score_reps, " reps; ratio = probml / base)\n\n", sep = "")
print(score_table, row.names = FALSE, right = FALSE)
invisible(list(isotonic = iso_table, scores = score_table))
