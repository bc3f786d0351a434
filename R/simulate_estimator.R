# Monte Carlo studies of an estimator: bias, variance, MSE, Cramér–Rao bound.
# Data sets come from the core's distribution table (R/dist.R), one random
# stream per replicate derived from a single seed drawn here; built-in
# estimators run in the core, an R function as the estimator in R on the
# same data sets.

sim_builtin_estimators <- c("mean", "median", "trimmed_mean", "var_mle", "var_unbiased", "sd", "proportion", "mle")

#' Monte Carlo study of an estimator
#'
#' Simulates `reps` data sets of size `n` from a distribution, applies an
#' estimator to each and reports the mean of the estimates, their bias,
#' variance and mean squared error, a check that MSE = bias² + variance, the
#' Cramér–Rao bound (CRB) for the parameter the estimator targets and the
#' efficiency CRB / variance. With several `n` the rows trace how the
#' estimator behaves as the sample grows (`plot()` draws the consistency
#' curves).
#'
#' Built-in estimators (a string) run in the C++ core: `"mean"`, `"median"`,
#' `"trimmed_mean"` (argument `trim` in `...`, as [mean()]'s), `"var_mle"`
#' (sum of squares divided by n), `"var_unbiased"` (divided by n − 1), `"sd"`
#' (as [stats::sd()]), `"proportion"` (the share of successes; bernoulli and
#' binomial data) and `"mle"`: the maximum-likelihood estimate of one
#' parameter (`parameter` in `...`, by default the first estimated one) of
#' the sampling distribution, computed exactly as [fit_dist()] computes it
#' (the same C++ distribution table), for every distribution, with its
#' Cramér–Rao bound from [cramer_rao_bound()]. Replicates run in `n_threads`
#' threads; each replicate draws from its own random stream derived from
#' `seed` and its index, so results are identical for any number of
#' threads.
#'
#' Any R function of the data may be given instead (`estimator = function(x)
#' ...`, further arguments through `...`). It must return one number per
#' data set. It sees exactly the data sets a built-in estimator would (the
#' same streams of the same seed), so the two can be compared replicate by
#' replicate; the loop runs in R, with a progress bar in interactive
#' sessions (`options(probml.progress = FALSE)` turns it off). If the
#' function itself draws random numbers, it runs after `set.seed(seed)`;
#' either way the caller's random number state is left as it was. Supply
#' `true_value` to get bias and MSE.
#'
#' The Cramér–Rao bound of a built-in estimator is the bound for unbiased
#' estimators of the quantity it targets, \eqn{g(\theta)}:
#' \eqn{\nabla g' (n I(\theta))^{-1} \nabla g}, with the gradient of the
#' target (the mean, median, variance or standard deviation as a function of
#' the parameters) taken numerically. It is `NA` where it is not defined: a
#' distribution that is not regular (the uniform), and a target that is not
#' a smooth function of the parameters (the median of a discrete
#' distribution).
#'
#' The variance of the estimates is their population variance (divided by
#' `reps`), so that MSE = bias² + variance holds exactly; column `mse_check`
#' holds MSE − (bias² + variance), zero up to rounding (`print(x, check =
#' TRUE)` shows it).
#'
#' @param estimator A built-in estimator name (see Details) or an R function.
#' @param dist The distribution: any family of [fit_dist()] (their
#'   parameters are listed in [fisher_information()]), or `"uniform"`
#'   (`min`, `max`).
#' @param params The distribution's parameters: a named numeric vector or a
#'   named list (or an unnamed vector in the order of the table), as in
#'   [fisher_information()].
#' @param n Sample sizes: positive whole numbers; one row of results each.
#' @param reps Number of simulated data sets per sample size (at least 2).
#' @param seed A whole number, or `NULL` to draw one from R's generator (so
#'   [set.seed()] governs the study).
#' @param true_value The value the estimator should estimate. By default the
#'   parameter a built-in estimator targets: the distribution's mean, median,
#'   variance, standard deviation or success probability (`NA`, and no bias,
#'   for the trimmed mean of an asymmetric distribution and for R functions).
#' @param n_threads Threads for the C++ core. Results do not depend on it.
#' @param ... `trim` for `"trimmed_mean"`; `parameter` (a name) for `"mle"`;
#'   further arguments to an R function estimator.
#' @return An object of class `probml_estimator_study`: a list with `summary`
#'   (a data frame with columns `n`, `mean`, `bias`, `variance`, `mse`,
#'   `mse_check`, `crb`, `efficiency`), `estimates` (a `reps` x `length(n)`
#'   matrix), and the settings of the study.
#' @examples
#' st <- simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 2),
#'                          n = c(10, 100), reps = 2000, seed = 1)
#' st
#' simulate_estimator("mean", "gaussian", c(0, 2), n = c(10, 50, 200),
#'                    reps = 2000, seed = 1)$summary
#' simulate_estimator(function(x) max(x), "uniform", c(min = 0, max = 1),
#'                    n = 20, reps = 500, seed = 1, true_value = 1)
#' plot(simulate_estimator("median", "laplace", c(0, 1), n = c(10, 30, 100, 300),
#'                         reps = 1000, seed = 2))
#' @export
simulate_estimator <- function(estimator, dist, params, n, reps = 1000, seed = NULL, true_value = NULL,
                               n_threads = getOption("probml.threads", 2), ...) {
  is_fun <- is.function(estimator)
  if (!is_fun) estimator <- check_choice(estimator, sim_builtin_estimators, "estimator")
  dist <- check_dist(dist, "dist")
  params <- check_dist_params(dist, params)
  reps <- sim_check_reps(reps)
  n <- sim_check_n(n)
  check_number(true_value, "true_value", allow_null = TRUE)
  n_threads <- check_threads(n_threads)
  if (is.null(seed)) {
    seed <- sample.int(.Machine$integer.max, 1L)
  } else {
    check_number(seed, "seed", lower = -.Machine$integer.max, upper = .Machine$integer.max, integer = TRUE)
  }
  core_seed <- as.double(seed %% 2^32)

  if (is_fun) {
    est <- sim_run_r(estimator, dist, params, n, reps, seed, core_seed, list(...))
    label <- "R function"
    target <- if (is.null(true_value)) NA_real_ else true_value
    crb <- rep(NA_real_, length(n))
    counts <- list(not_converged = 0)
  } else {
    opts <- sim_builtin_options(estimator, dist, n, ...)
    study <- list(estimator = estimator, dist = dist, params = params, n = n, reps = reps,
                  seed = core_seed, n_threads = n_threads, trim = opts$trim,
                  parameter = match(opts$parameter, dist_info(dist)$params) - 1L)
    counts <- with_progress("Simulating", reps * length(n), function(tick) run_study(study, tick))
    est <- counts$estimates
    label <- switch(estimator, trimmed_mean = sprintf("trimmed_mean (trim = %g)", opts$trim),
                    mle = sprintf("mle of %s", opts$parameter), estimator)
    natural <- sim_target(estimator, dist, params, opts$parameter)
    crb <- sim_crb(estimator, dist, params, n, opts$parameter)
    target <- if (is.null(true_value)) natural else true_value
  }
  colnames(est) <- paste0("n=", n)
  if (counts$not_converged > 0) {
    warn_probml("convergence", "The maximum-likelihood fit did not converge on {counts$not_converged} of {reps * length(n)} simulated data sets; their estimates are kept.")
  }

  m <- colMeans(est)
  v <- colMeans(sweep(est, 2L, m)^2)
  bias <- m - target
  mse <- colMeans((est - target)^2)
  summary <- data.frame(n = n, mean = m, bias = bias, variance = v, mse = mse,
                        mse_check = mse - (bias^2 + v), crb = crb, efficiency = crb / v,
                        row.names = NULL)
  structure(list(summary = summary, estimates = est, estimator = label, dist = dist, params = params,
                 reps = reps, seed = seed, true_value = target, n_threads = n_threads),
            class = "probml_estimator_study")
}

# The study in the core; parameters it cannot sample from (counts beyond
# 2^53) are the caller's `params`.
run_study <- function(study, tick, call = rlang::caller_env(2)) {
  tryCatch(call_core(cpp_run_study(study, tick), call = call), probml_error_domain = function(e) {
    abort_probml("value", c("{.arg params} cannot be simulated from.", x = conditionMessage(e)), call = call)
  })
}

# The options of a built-in estimator, from `...`: trim for the trimmed
# mean, parameter for the MLE; nothing else is accepted.
sim_builtin_options <- function(estimator, dist, n, ..., call = rlang::caller_env()) {
  allowed <- switch(estimator, trimmed_mean = "trim", mle = "parameter", character())
  dots <- list(...)
  unknown <- setdiff(names(dots) %||% rep("", length(dots)), allowed)
  if (length(unknown) || (length(dots) && is.null(names(dots)))) {
    shown <- if (length(unknown) && all(nzchar(unknown))) unknown else "(unnamed)"
    abort_probml("unused_argument", c("{.arg {shown}} {?is/are} not {?an option/options} of the built-in estimator {.val {estimator}}.",
                                      i = if (length(allowed)) "Its option is {.arg {allowed}}." else "It takes no options."),
                 call = call)
  }
  est_names <- dist_estimated(dist)
  info <- dist_info(dist)
  if (estimator %in% c("var_mle", "var_unbiased", "sd") && any(n < 2)) {
    abort_probml("value", "{.arg n} must be at least 2 for estimator {.val {estimator}}, not {min(n)}.", call = call)
  }
  if (estimator == "mle" && any(n < info$min_n)) {
    abort_probml("value", "{.arg n} must be at least {info$min_n} for the MLE of {.val {dist}}, not {min(n)}.", call = call)
  }
  if (estimator == "proportion" && !"probability" %in% info$kinds) {
    abort_probml("unsupported", "Estimator {.val proportion} needs a distribution with a success probability ({.val bernoulli}, {.val binomial}), not {.val {dist}}.",
                 call = call)
  }
  trim <- dots$trim %||% 0
  check_number(trim, "trim", lower = 0, upper = 0.5, call = call)
  parameter <- dots$parameter %||% est_names[1]
  if (!is.character(parameter) || length(parameter) != 1L || !parameter %in% info$params) {
    abort_probml("choice", "{.arg parameter} must be one of {.val {est_names}}.", call = call)
  }
  if (!parameter %in% est_names) {
    abort_probml("value", "The {.field {parameter}} of {.val {dist}} is fixed, not estimated; use {.code parameter = {.val {est_names[1]}}}.",
                 call = call)
  }
  list(trim = trim, parameter = parameter)
}

sim_check_reps <- function(reps, call = rlang::caller_env()) {
  check_number(reps, "reps", lower = 2, upper = .Machine$integer.max, integer = TRUE, call = call)
  as.integer(reps)
}

sim_check_n <- function(n, call = rlang::caller_env()) {
  if (!is.numeric(n) || length(n) == 0L || anyNA(n) || !all(is.finite(n)) || any(n < 1) ||
      any(n != round(n)) || any(n > .Machine$integer.max)) {
    largest <- .Machine$integer.max
    abort_probml("value", "{.arg n} must be a vector of positive whole numbers (at most {largest}).",
                 call = call)
  }
  as.double(n)
}

# The quantity a built-in estimator targets, from the table's moments.
sim_target <- function(estimator, dist, params, parameter) {
  if (estimator == "mle") return(params[[parameter]])
  if (estimator == "proportion") return(params[[dist_info(dist)$params[dist_info(dist)$kinds == "probability"]]])
  mo <- cpp_dist_moments(dist, params)
  switch(estimator,
    mean = mo$mean,
    median = mo$median,
    trimmed_mean = if (mo$symmetric) mo$mean else NA_real_,
    var_mle = , var_unbiased = mo$variance,
    sd = sqrt(mo$variance)
  )
}

# Cramér–Rao bound for unbiased estimators of the target g(theta) from n
# observations: grad g' (n I)^-1 grad g, the gradient by central
# differences in the estimated parameters. NA where it is not defined.
sim_crb <- function(estimator, dist, params, n, parameter) {
  info <- dist_info(dist)
  na <- rep(NA_real_, length(n))
  if (!info$regular || (estimator == "median" && info$discrete)) return(na)
  per_obs_inverse <- dist_info_inverse(fisher_information(dist, params), singular = "na")
  if (estimator == "mle") return(per_obs_inverse[parameter, parameter] / n)
  est_names <- dist_estimated(dist)
  target_at <- function(p) sim_target(estimator, dist, p, parameter)
  if (!is.finite(target_at(params))) return(na)
  grad <- vapply(est_names, function(nm) {
    h <- 1e-5 * max(abs(params[[nm]]), 1e-3)
    up <- params
    dn <- params
    up[[nm]] <- up[[nm]] + h
    dn[[nm]] <- dn[[nm]] - h
    (target_at(up) - target_at(dn)) / (2 * h)
  }, 1)
  per_obs <- drop(t(grad) %*% per_obs_inverse %*% grad)
  per_obs / n
}

# An R function as the estimator: the core's data sets (the streams the
# built-in estimators see), the loop in R. The function's own randomness
# runs after set.seed(seed); the caller's random number state is restored.
sim_run_r <- function(fn, dist, params, n, reps, seed, core_seed, dots, call = rlang::caller_env()) {
  with_preserved_rng({
    set.seed(seed)
    with_progress("Simulating", reps * length(n), function(tick) {
      est <- matrix(NA_real_, reps, length(n))
      for (k in seq_along(n)) {
        for (r in seq_len(reps)) {
          x <- cpp_dist_sample(dist, params, n[k], core_seed, cpp_study_stream(k - 1, r - 1))
          val <- tryCatch(do.call(fn, c(list(x), dots)), error = function(e) {
            abort_probml("user_function", "{.arg estimator} failed on replicate {r} at n = {n[k]}.",
                         parent = e, call = call)
          })
          if (!is.numeric(val) || length(val) != 1L || is.na(val)) {
            abort_probml("user_function",
                         "{.arg estimator} must return a single non-missing number; it returned {.obj_type_friendly {val}}{if (is.numeric(val) && length(val) == 1L) ' (NA)' else ''} for replicate {r} at n = {n[k]}.",
                         call = call)
          }
          est[r, k] <- val
          if (!is.null(tick)) tick((k - 1) * reps + r, reps * length(n))
        }
      }
      est
    })
  })
}

# The Monte Carlo standard error of the bias (of the mean estimate) at each n,
# which print() and plot() use to tell a bias from simulation noise.
bias_mc_se <- function(x) sqrt(x$summary$variance / x$reps)

#' Print a Monte Carlo study
#'
#' @param x A `probml_estimator_study` from [simulate_estimator()].
#' @param digits Significant digits of each number.
#' @param check Show the column `mse_check`, MSE - (bias² + variance), which
#'   is zero up to rounding.
#' @param ... Not used: a misspelled argument is an error.
#' @return `x`, invisibly.
#' @details A note explains an efficiency above 1: for an estimator whose
#'   bias exceeds twice its Monte Carlo standard error (\eqn{\sqrt{v / reps}}),
#'   that the Cramér–Rao bound holds for unbiased estimators only; otherwise,
#'   that the variance is itself estimated.
#' @examples
#' st <- simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 2),
#'                          n = c(5, 50), reps = 1000, seed = 1)
#' print(st, check = TRUE)
#' @export
print.probml_estimator_study <- function(x, digits = 4, check = FALSE, ...) {
  check_dots_empty(...)
  check_flag(check, "check")
  p <- paste(sprintf("%s = %s", names(x$params), format(x$params, digits = digits)), collapse = ", ")
  cat(sprintf("Monte Carlo study of %s: %s(%s), %d replicates, seed %s\n", x$estimator, x$dist, p,
              x$reps, format(x$seed)))
  cat(sprintf("True value: %s\n", format(x$true_value, digits = digits)))
  s <- x$summary
  shown <- if (check) s else s[names(s) != "mse_check"]
  shown[] <- lapply(names(shown), function(nm) if (nm == "n") shown[[nm]] else format_signif(shown[[nm]], digits))
  print(shown, row.names = FALSE)
  cat("variance: population variance of the estimates; efficiency = crb / variance",
      if (check) "; mse_check = MSE - (bias^2 + variance)", ".\n", sep = "")
  above <- which(is.finite(s$efficiency) & s$efficiency > 1)
  if (length(above)) {
    biased <- is.finite(s$bias[above]) & abs(s$bias[above]) > 2 * bias_mc_se(x)[above]
    at <- function(i) paste0("n = ", paste(s$n[i], collapse = ", "))
    if (any(biased)) {
      cat(paste(strwrap(paste0("Note: efficiency above 1 (", at(above[biased]), ") is no contradiction: the Cramer-Rao ",
                               "bound limits unbiased estimators, and a biased one can have a variance below it."),
                        width = getOption("width")), collapse = "\n"), "\n", sep = "")
    }
    if (any(!biased)) {
      cat(paste(strwrap(paste0("Note: efficiency above 1 (", at(above[!biased]), ") without a detectable bias is ",
                               "Monte Carlo error: the variance is estimated from ", x$reps, " replicates."),
                        width = getOption("width")), collapse = "\n"), "\n", sep = "")
    }
  }
  invisible(x)
}

#' Plot a Monte Carlo estimator study
#'
#' Two panels against the sample size: the bias of the estimator, with
#' error bars of two Monte Carlo standard errors
#' (\eqn{2\sqrt{\mathrm{variance}/\mathrm{reps}}}) and a line at zero; and its
#' variance and mean squared error beside the Cramér–Rao bound (where
#' defined), on log scales. The sample-size axis is logarithmic when the
#' sizes span a factor of ten or more.
#'
#' @param x A `probml_estimator_study` from [simulate_estimator()].
#' @param ... Graphical parameters passed to [graphics::plot()] for both
#'   panels.
#' @return `x`, invisibly.
#' @seealso [simulate_estimator()], [cramer_rao_bound()]
#' @examples
#' plot(simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 1),
#'                         n = c(5, 20, 100, 500), reps = 500, seed = 1))
#' @export
plot.probml_estimator_study <- function(x, ...) {
  s <- x$summary
  n <- s$n
  log_n <- length(n) > 1L && max(n) / min(n) >= 10
  old <- graphics::par(mfrow = c(1L, 2L), oma = c(0, 0, 2, 0), mar = c(4.1, 5.6, 2.2, 1))
  on.exit(graphics::par(old))
  cols <- probml_palette(3L)
  n_axis <- function() {
    at <- if (length(n) <= 8L) n else graphics::axTicks(1)
    graphics::axis(1, at = at, labels = format(at, big.mark = ",", scientific = FALSE, trim = TRUE))
  }
  # Tick labels without padding zeros (0.002, 0.01, 2), the axis title clear of them.
  y_axis <- function(label) {
    at <- graphics::axTicks(2)
    graphics::axis(2, at = at, labels = formatC(at, format = "g", digits = 3), las = 1)
    graphics::title(ylab = label, line = 4.3)
  }
  # Bias, with two Monte Carlo standard errors.
  mc_se <- bias_mc_se(x)
  has_bias <- any(is.finite(s$bias))
  bias <- if (has_bias) s$bias else rep(0, length(n))
  lim <- range(0, bias - 2 * mc_se, bias + 2 * mc_se, na.rm = TRUE)
  graphics::plot(n, bias, type = if (has_bias) "b" else "n", pch = 19, col = cols[1], log = if (log_n) "x" else "",
                 ylim = lim + c(0, 0.25 * diff(lim)), xaxt = "n", yaxt = "n", xlab = "Sample size n", ylab = "",
                 main = "Bias", ...)
  n_axis()
  y_axis("Bias")
  graphics::abline(h = 0, lty = probml_look$reference_lty, col = probml_look$reference)
  if (has_bias) {
    ok <- is.finite(mc_se) & mc_se > 0
    graphics::arrows(n[ok], (bias - 2 * mc_se)[ok], n[ok], (bias + 2 * mc_se)[ok], angle = 90, code = 3,
                     length = 0.03, col = cols[1])
    base_legend("topright", legend = c("bias (mean estimate - true value)", "\u00b1 2 Monte Carlo standard errors", "no bias"),
                col = c(cols[1], cols[1], probml_look$reference), pch = c(19, NA, NA),
                lty = c(1, 1, probml_look$reference_lty))
  } else {
    graphics::text(stats::median(n), 0, "No true value given: bias not defined", pos = 3)
  }
  # Variance, MSE and the Cramer-Rao bound on a log scale.
  y <- cbind(Variance = s$variance, MSE = s$mse, CRB = s$crb)
  y[!is.finite(y) | y <= 0] <- NA
  keep <- colSums(!is.na(y)) > 0
  y <- y[, keep, drop = FALSE]
  series <- c(Variance = cols[2], MSE = cols[3], CRB = probml_look$reference)[colnames(y)]
  ltys <- c(Variance = 1, MSE = 1, CRB = probml_look$reference_lty)[colnames(y)]
  pchs <- c(Variance = 19, MSE = 17, CRB = NA)[colnames(y)]
  top <- range(y, na.rm = TRUE)
  graphics::plot(n, y[, 1L], type = "n", log = if (log_n) "xy" else "y", ylim = c(top[1], top[2] * max(3, (top[2] / top[1])^0.4)),
                 xaxt = "n", yaxt = "n", xlab = "Sample size n", ylab = "",
                 main = "Variance, MSE and Cram\u00e9r-Rao bound", ...)
  n_axis()
  y_axis("Squared error (log scale)")
  for (j in seq_len(ncol(y))) {
    graphics::lines(n, y[, j], col = series[j], lty = ltys[j], lwd = 1.5)
    if (!is.na(pchs[j])) graphics::points(n, y[, j], col = series[j], pch = pchs[j])
  }
  labels <- c(Variance = "variance of the estimates", MSE = "mean squared error",
              CRB = "Cram\u00e9r-Rao bound (unbiased estimators)")[colnames(y)]
  base_legend("topright", legend = labels, col = series, lty = ltys, pch = pchs, lwd = 1.5)
  graphics::mtext(sprintf("Monte Carlo study of %s under the %s distribution, %d replicates per n",
                          x$estimator, dist_info(x$dist)$label, x$reps), side = 3, outer = TRUE, line = 0.5, font = 2)
  invisible(x)
}
