# Times probml's maximum-likelihood fits beside stats::glm in one R run.
#
#   Rscript inst/benchmarks/bench-fit.R           # full run (a few minutes)
#   Rscript inst/benchmarks/bench-fit.R --quick   # small-n cases only (smoke test)
#
# Uses the installed probml (`make bench` installs it first). To time a
# development copy installed elsewhere, set PROBML_LIB to that library:
#   PROBML_LIB=/path/to/lib Rscript inst/benchmarks/bench-fit.R
#
# Cases (simulated data, fixed seed; p = 20 numeric predictors + intercept):
#   logistic, formula  fit_mle(y ~ ., dat, lik_bernoulli())  vs glm(y ~ ., binomial, dat)
#   logistic, matrix   fit_mle_xy(cbind(1, X), y, lik_bernoulli())  vs glm.fit(cbind(1, X), y, family = binomial())
#   Poisson, formula   fit_mle(y ~ ., dat, lik_poisson())  vs glm(y ~ ., poisson, dat)
# at n = 1e6 and at n = 1e4 (where fixed overhead shows). Times are the
# median elapsed seconds of several repetitions; "speedup" is glm time /
# probml time. The two fits must agree: the largest relative difference of
# the coefficients is printed beside each time.
#
# Peak memory: each formula fit also runs in a fresh Rscript child that
# simulates the same data (same seed), reads VmHWM (peak resident set size)
# from /proc/self/status, fits, and reads VmHWM again; the increase is the
# extra peak memory the fit needed. Peak RSS sees C++ allocations, which
# R's gc() does not.
#
# The child mode is internal:  Rscript bench-fit.R --child <engine> <family> <n> <p>

args <- commandArgs(trailingOnly = TRUE)

probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))

P <- 20L
SEED <- 20240611L

# ---------------------------------------------------------------------------
# Data: a data frame (y, x1..xp) built column by column, so that building
# it never holds a second copy of the predictors (the peak before a fit is
# then close to the data's own size).
simulate_data <- function(family, n, p = P, seed = SEED) {
  set.seed(seed)
  signs <- rep_len(c(1, -1), p)
  beta <- switch(family,
    bernoulli = signs * seq(0.1, 0.5, length.out = p),
    poisson = signs * seq(0.05, 0.15, length.out = p)
  )
  intercept <- switch(family, bernoulli = -0.5, poisson = 0.3)
  cols <- vector("list", p)
  eta <- rep(intercept, n)
  for (j in seq_len(p)) {
    cols[[j]] <- rnorm(n)
    eta <- eta + beta[j] * cols[[j]]
  }
  names(cols) <- paste0("x", seq_len(p))
  y <- switch(family,
    bernoulli = as.numeric(runif(n) < plogis(eta)),
    poisson = as.numeric(rpois(n, exp(eta)))
  )
  rm(eta)
  structure(c(list(y = y), cols), class = "data.frame", row.names = c(NA_integer_, -n))
}

fit_formula <- function(engine, family, dat) {
  switch(paste(engine, family),
    "probml bernoulli" = fit_mle(y ~ ., data = dat, family = lik_bernoulli()),
    "glm bernoulli" = glm(y ~ ., family = binomial, data = dat),
    "probml poisson" = fit_mle(y ~ ., data = dat, family = lik_poisson()),
    "glm poisson" = glm(y ~ ., family = poisson, data = dat)
  )
}

# Peak (VmHWM) and current (VmRSS) resident set size in MB; NA off Linux.
proc_status_mb <- function(field) {
  status <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  line <- grep(paste0("^", field, ":"), status, value = TRUE)
  if (length(line) != 1L) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) / 1024  # kB -> MB
}

# ---------------------------------------------------------------------------
# Child mode: one fit in a fresh process, print the memory line and exit.
if (length(args) >= 1L && args[[1L]] == "--child") {
  engine <- args[[2L]]
  family <- args[[3L]]
  n <- as.integer(args[[4L]])
  p <- as.integer(args[[5L]])
  dat <- simulate_data(family, n, p)
  invisible(gc())
  hwm_before <- proc_status_mb("VmHWM")
  rss_before <- proc_status_mb("VmRSS")
  elapsed <- system.time(fit <- fit_formula(engine, family, dat))[["elapsed"]]
  hwm_after <- proc_status_mb("VmHWM")
  cat(sprintf("PROBML_BENCH_MEMORY %s %s %.1f %.1f %.1f %.3f\n", engine, family,
              hwm_before, rss_before, hwm_after, elapsed))
  quit(save = "no", status = 0L)
}

# ---------------------------------------------------------------------------
# Main mode.
quick <- "--quick" %in% args
unknown <- setdiff(args, "--quick")
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

script_path <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) normalizePath(sub("^--file=", "", file_arg))
  else system.file("benchmarks", "bench-fit.R", package = "probml", mustWork = TRUE)
})
rscript <- file.path(R.home("bin"), "Rscript")

n_large <- 1e6
n_small <- 1e4
sizes <- if (quick) n_small else c(n_small, n_large)
memory_n <- if (quick) n_small else n_large
# Small fits take milliseconds, so more repetitions; glm takes several
# seconds at n = 1e6, so 3 there (the full run stays near two minutes).
reps_for <- function(n) if (n <= 1e5) 11L else 3L
threads <- getOption("probml.threads", 2L)

median_time <- function(expr_fun, reps) {
  times <- numeric(reps)
  for (r in seq_len(reps)) {
    times[r] <- system.time(value <- expr_fun(), gcFirst = TRUE)[["elapsed"]]
  }
  list(time = stats::median(times), value = value, reps = reps)
}

max_rel_diff <- function(a, b) {
  a <- unname(a)
  b <- unname(b)
  if (length(a) != length(b)) return(NA_real_)
  max(abs(a - b) / abs(b))
}

cpu_model <- local({
  out <- tryCatch(system2("lscpu", stdout = TRUE, stderr = FALSE), error = function(e) character(),
                  warning = function(w) character())
  line <- grep("^Model name:", out, value = TRUE)
  if (length(line)) trimws(sub("^Model name:", "", line[[1L]])) else "unknown"
})

cat("probml fit benchmark, ", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n", sep = "")
cat("  R:        ", R.version.string, "\n", sep = "")
cat("  probml:   ", format(utils::packageVersion("probml")), " (", dirname(find.package("probml")), ")\n", sep = "")
cat("  CPU:      ", cpu_model, ", ", parallel::detectCores(), " logical cores\n", sep = "")
cat("  threads:  probml n_threads = ", threads, " (getOption(\"probml.threads\", 2)); glm is single-threaded\n", sep = "")
cat("  BLAS:     ", extSoftVersion()[["BLAS"]], "\n", sep = "")
cat("  mode:     ", if (quick) "--quick (small n only)" else "full", "\n\n", sep = "")

# Warm up both engines (namespace loading, first-call costs) off the clock.
local({
  dat <- simulate_data("bernoulli", 2000L)
  invisible(fit_formula("probml", "bernoulli", dat))
  invisible(fit_formula("glm", "bernoulli", dat))
})

# ---------------------------------------------------------------------------
# Timings.
cases <- list(
  list(label = "logistic, formula", family = "bernoulli", entry = "formula",
       probml = "fit_mle(y ~ ., dat, family = lik_bernoulli())",
       ref = "glm(y ~ ., family = binomial, data = dat)"),
  list(label = "logistic, matrix", family = "bernoulli", entry = "matrix",
       probml = "fit_mle_xy(cbind(1, X), y, lik_bernoulli())",
       ref = "glm.fit(cbind(1, X), y, family = binomial())"),
  list(label = "Poisson, formula", family = "poisson", entry = "formula",
       probml = "fit_mle(y ~ ., dat, family = lik_poisson())",
       ref = "glm(y ~ ., family = poisson, data = dat)")
)

rows <- list()
for (n in sizes) {
  for (fam in c("bernoulli", "poisson")) {
    dat <- simulate_data(fam, n)
    for (case in Filter(function(cs) cs$family == fam, cases)) {
      if (case$entry == "formula") {
        run_probml <- function() fit_formula("probml", fam, dat)
        run_ref <- function() fit_formula("glm", fam, dat)
      } else {
        Xd <- cbind(1, as.matrix(dat[-1L]))  # built once, outside the clock
        y <- dat$y
        run_probml <- function() fit_mle_xy(Xd, y, lik_bernoulli())
        run_ref <- function() glm.fit(Xd, y, family = binomial())
      }
      cat(sprintf("  %-18s n = %-8s ...", case$label, format(n, big.mark = ",", scientific = FALSE)))
      tp <- median_time(run_probml, reps_for(n))
      tr <- median_time(run_ref, reps_for(n))
      cat(sprintf(" probml %.3f s, glm %.3f s\n", tp$time, tr$time))
      rows[[length(rows) + 1L]] <- data.frame(
        case = case$label, n = n, p = P,
        probml_s = tp$time, glm_s = tr$time, speedup = tr$time / tp$time,
        iter = paste0(tp$value$iterations, "/", tr$value$iter),
        max_rel_diff = max_rel_diff(coef(tp$value), coef(tr$value)),
        reps = paste0(tp$reps, "/", tr$reps),
        stringsAsFactors = FALSE
      )
      rm(tp, tr)
      if (exists("Xd", inherits = FALSE)) rm(Xd, y)
      invisible(gc())
    }
    rm(dat)
    invisible(gc())
  }
}
timings <- do.call(rbind, rows)

# ---------------------------------------------------------------------------
# Peak memory of the formula fits, each in a fresh process.
run_child <- function(engine, family, n) {
  out <- suppressWarnings(system2(rscript,
    c("--vanilla", shQuote(script_path), "--child", engine, family, format(n, scientific = FALSE), P),
    stdout = TRUE, stderr = TRUE))
  line <- grep("^PROBML_BENCH_MEMORY ", out, value = TRUE)
  if (length(line) != 1L) {
    warning("child process failed (", engine, ", ", family, "):\n", paste(out, collapse = "\n"), call. = FALSE)
    return(c(hwm_before = NA, rss_before = NA, hwm_after = NA, elapsed = NA))
  }
  f <- strsplit(line, " ", fixed = TRUE)[[1L]]
  stats::setNames(as.numeric(f[4:7]), c("hwm_before", "rss_before", "hwm_after", "elapsed"))
}

mem_rows <- list()
if (is.na(proc_status_mb("VmHWM"))) {
  cat("\n/proc/self/status has no VmHWM (not Linux?): peak memory skipped.\n")
} else {
  for (fam in c("bernoulli", "poisson")) {
    label <- if (fam == "bernoulli") "logistic, formula" else "Poisson, formula"
    cat(sprintf("  memory: %-18s n = %s ...", label, format(memory_n, big.mark = ",", scientific = FALSE)))
    mp <- run_child("probml", fam, memory_n)
    mg <- run_child("glm", fam, memory_n)
    cat(" done\n")
    mem_rows[[length(mem_rows) + 1L]] <- data.frame(
      case = label, n = memory_n, p = P,
      data_peak_MB = mp[["hwm_before"]],
      probml_MB = mp[["hwm_after"]] - mp[["hwm_before"]],
      glm_MB = mg[["hwm_after"]] - mg[["hwm_before"]],
      glm_over_probml = (mg[["hwm_after"]] - mg[["hwm_before"]]) / (mp[["hwm_after"]] - mp[["hwm_before"]]),
      stringsAsFactors = FALSE
    )
  }
}
memory <- if (length(mem_rows)) do.call(rbind, mem_rows) else NULL

# ---------------------------------------------------------------------------
# Report.
options(width = 160)
fmt_n <- function(n) format(n, big.mark = ",", scientific = FALSE, trim = TRUE)
cat("\nElapsed time (median of reps; speedup = glm / probml)\n\n")
shown <- transform(timings,
  n = fmt_n(n),
  probml_s = sprintf("%.3f", probml_s), glm_s = sprintf("%.3f", glm_s),
  speedup = sprintf("%.1fx", speedup), max_rel_diff = sprintf("%.1e", max_rel_diff))
names(shown)[names(shown) == "iter"] <- "iter(probml/glm)"
names(shown)[names(shown) == "reps"] <- "reps(probml/glm)"
print(shown, row.names = FALSE, right = FALSE)

if (!is.null(memory)) {
  cat("\nPeak RSS increase during the fit (fresh process each; MB)\n\n")
  shown_mem <- transform(memory,
    n = fmt_n(n),
    data_peak_MB = sprintf("%.0f", data_peak_MB),
    probml_MB = sprintf("%.0f", probml_MB), glm_MB = sprintf("%.0f", glm_MB),
    glm_over_probml = sprintf("%.1fx", glm_over_probml))
  names(shown_mem)[names(shown_mem) == "data_peak_MB"] <- "peak_before_fit_MB"
  print(shown_mem, row.names = FALSE, right = FALSE)
  cat("\n(peak_before_fit_MB: the child's peak RSS after simulating the data, before fitting.)\n")
}
invisible(list(timings = timings, memory = memory))
