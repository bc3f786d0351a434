# Times probml's fits of the GLM families beside stats::glm and MASS::glm.nb
# in one R run (the companion of bench-fit.R, which times the logistic and
# Poisson fits).
#
#   Rscript inst/benchmarks/bench-glm-families.R           # full run (several minutes)
#   Rscript inst/benchmarks/bench-glm-families.R --quick   # n = 1e4 only (smoke test)
#
# Uses the installed probml; to time a copy installed elsewhere:
#   PROBML_LIB=/path/to/lib Rscript inst/benchmarks/bench-glm-families.R
#
# Cases (simulated data, fixed seed; p = 20 numeric predictors + intercept):
#   Gamma, log link         fit_mle(y ~ ., dat, Gamma("log"))             vs glm(y ~ ., Gamma("log"), dat)
#   inverse Gaussian, log   fit_mle(y ~ ., dat, inverse.gaussian("log"))  vs glm(y ~ ., inverse.gaussian("log"), dat)
#   negative binomial       fit_mle(y ~ ., dat, lik_negbin())             vs MASS::glm.nb(y ~ ., dat)
#   Poisson, log link       fit_mle(y ~ ., dat, poisson())                vs glm(y ~ ., poisson, dat)
# (the Poisson row, also in bench-fit.R, is the yardstick: the same data
# sizes and the same machine load as the families it sits beside)
# at n = 1e6 and n = 1e4. Times are the median elapsed seconds of several
# repetitions; "speedup" is the reference's time / probml's. The fits must
# agree: the largest relative difference of the regression coefficients
# (and, for the negative binomial, of theta) is printed beside each time.

args <- commandArgs(trailingOnly = TRUE)

probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))
if (!requireNamespace("MASS", quietly = TRUE)) stop("this benchmark needs MASS (for glm.nb)", call. = FALSE)

quick <- "--quick" %in% args
unknown <- setdiff(args, "--quick")
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

P <- 20L
SEED <- 20240611L

# ---------------------------------------------------------------------------
# Data: y and x1..xp, built column by column (no second copy of the predictors).
simulate_data <- function(family, n, p = P, seed = SEED) {
  set.seed(seed)
  beta <- rep_len(c(1, -1), p) * seq(0.05, 0.15, length.out = p)
  cols <- vector("list", p)
  eta <- rep(0.3, n)
  for (j in seq_len(p)) {
    cols[[j]] <- rnorm(n)
    eta <- eta + beta[j] * cols[[j]]
  }
  names(cols) <- paste0("x", seq_len(p))
  mu <- exp(eta)
  rm(eta)
  y <- switch(family,
    gamma = rgamma(n, shape = 2, scale = mu / 2),
    inverse_gaussian = {
      # Michael, Schucany and Haas (1976), shape lambda = 2
      a <- mu * rnorm(n)^2 / 4
      x <- mu / (1 + a + sqrt(a * (a + 2)))
      ifelse(runif(n) <= mu / (mu + x), x, mu^2 / x)
    },
    negbin = as.numeric(rnbinom(n, size = 2, mu = mu)),
    poisson = as.numeric(rpois(n, mu))
  )
  structure(c(list(y = y), cols), class = "data.frame", row.names = c(NA_integer_, -n))
}

cases <- list(
  list(label = "Gamma, log link", family = "gamma",
       probml = function(dat) fit_mle(y ~ ., data = dat, family = Gamma("log")),
       ref = function(dat) glm(y ~ ., family = Gamma("log"), data = dat), ref_name = "glm"),
  list(label = "inverse Gaussian, log", family = "inverse_gaussian",
       probml = function(dat) fit_mle(y ~ ., data = dat, family = inverse.gaussian("log")),
       ref = function(dat) glm(y ~ ., family = inverse.gaussian("log"), data = dat), ref_name = "glm"),
  list(label = "negative binomial", family = "negbin",
       probml = function(dat) fit_mle(y ~ ., data = dat, family = lik_negbin()),
       ref = function(dat) MASS::glm.nb(y ~ ., data = dat), ref_name = "glm.nb"),
  list(label = "Poisson, log link", family = "poisson",
       probml = function(dat) fit_mle(y ~ ., data = dat, family = poisson()),
       ref = function(dat) glm(y ~ ., family = poisson(), data = dat), ref_name = "glm")
)

n_large <- 1e6
n_small <- 1e4
sizes <- if (quick) n_small else c(n_small, n_large)
# glm takes seconds at n = 1e6 and glm.nb several times that: fewer repetitions there.
reps_for <- function(n, engine) if (n <= 1e5) 7L else if (engine == "glm.nb") 1L else 3L
threads <- getOption("probml.threads", 2L)

median_time <- function(expr_fun, reps) {
  times <- numeric(reps)
  for (r in seq_len(reps)) times[r] <- system.time(value <- expr_fun(), gcFirst = TRUE)[["elapsed"]]
  list(time = stats::median(times), value = value, reps = reps)
}

rel_diff <- function(a, b) max(abs(unname(a) - unname(b)) / abs(unname(b)))

cpu_model <- local({
  out <- tryCatch(system2("lscpu", stdout = TRUE, stderr = FALSE), error = function(e) character(),
                  warning = function(w) character())
  line <- grep("^Model name:", out, value = TRUE)
  if (length(line)) trimws(sub("^Model name:", "", line[[1L]])) else "unknown"
})

cat("probml GLM-family benchmark, ", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n", sep = "")
cat("  R:        ", R.version.string, "\n", sep = "")
cat("  probml:   ", format(utils::packageVersion("probml")), " (", dirname(find.package("probml")), ")\n", sep = "")
cat("  MASS:     ", format(utils::packageVersion("MASS")), "\n", sep = "")
cat("  CPU:      ", cpu_model, ", ", parallel::detectCores(), " logical cores\n", sep = "")
cat("  threads:  probml n_threads = ", threads, "; glm and glm.nb are single-threaded\n", sep = "")
cat("  BLAS:     ", extSoftVersion()[["BLAS"]], "\n", sep = "")
cat("  mode:     ", if (quick) "--quick (small n only)" else "full", "\n\n", sep = "")

# Warm up (namespace loading, first-call costs) off the clock.
local({
  for (case in cases) {
    dat <- simulate_data(case$family, 2000L)
    invisible(case$probml(dat))
    invisible(suppressWarnings(case$ref(dat)))
  }
})

rows <- list()
for (n in sizes) {
  for (case in cases) {
    dat <- simulate_data(case$family, n)
    cat(sprintf("  %-22s n = %-9s ...", case$label, format(n, big.mark = ",", scientific = FALSE)))
    tp <- median_time(function() case$probml(dat), reps_for(n, "probml"))
    tr <- median_time(function() case$ref(dat), reps_for(n, case$ref_name))
    cat(sprintf(" probml %.3f s, %s %.3f s\n", tp$time, case$ref_name, tr$time))
    beta_p <- coef(tp$value)[names(coef(tr$value))]
    diff <- rel_diff(beta_p, coef(tr$value))
    if (case$family == "negbin") diff <- max(diff, rel_diff(exp(coef(tp$value)[["log(theta)"]]), tr$value$theta))
    rows[[length(rows) + 1L]] <- data.frame(
      case = case$label, n = n, p = P, reference = case$ref_name,
      probml_s = tp$time, ref_s = tr$time, speedup = tr$time / tp$time,
      iter = paste0(tp$value$iterations, "/", tr$value$iter),
      max_rel_diff = diff, reps = paste0(tp$reps, "/", tr$reps),
      stringsAsFactors = FALSE
    )
    rm(tp, tr, dat)
    invisible(gc())
  }
}
timings <- do.call(rbind, rows)

options(width = 160)
cat("\nElapsed time (median of reps; speedup = reference / probml)\n\n")
shown <- transform(timings,
  n = format(n, big.mark = ",", scientific = FALSE, trim = TRUE),
  probml_s = sprintf("%.3f", probml_s), ref_s = sprintf("%.3f", ref_s),
  speedup = sprintf("%.1fx", speedup), max_rel_diff = sprintf("%.1e", max_rel_diff))
names(shown)[names(shown) == "iter"] <- "iter(probml/ref)"
names(shown)[names(shown) == "reps"] <- "reps(probml/ref)"
print(shown, row.names = FALSE, right = FALSE)
cat("\n(glm.nb's iterations are its outer alternations of glm fits and theta.ml.)\n")
invisible(timings)
