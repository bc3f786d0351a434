# Monte Carlo studies of an estimator: bias, variance, MSE, Cramér–Rao bound.
# Built-in estimators run in the C++ core (probml/estimate/simulate.hpp) with
# one stream per replicate derived from a single seed drawn here; an R
# function as the estimator runs in R with R's RNG after set.seed(seed).

# Parameters of each distribution, in R's parameterisations (rnorm, rbinom,
# rpois, rexp, runif); laplace is location + scale * (Exp(1) - Exp(1)).
# The fit_dist() families the core can sample (not beta or Student t), and
# the uniform.
sim_dist_params <- c(
  dist_param_names[c("gaussian", "bernoulli", "binomial", "poisson", "exponential")],
  list(uniform = c("min", "max")),
  dist_param_names[c("laplace", "gamma", "lognormal", "weibull")]
)

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
#' parameter (`parameter` in `...`, by default the first) of the sampling
#' distribution, as [fit_dist()] defines it (closed forms, and Newton's method
#' for the gamma and Weibull shapes), with its Cramér–Rao bound from
#' [cramer_rao_bound()]. Replicates run in `n_threads` threads; each replicate draws
#' from its own random stream derived from `seed` and its index, so results
#' are identical for any number of threads.
#'
#' Any R function of the data may be given instead (`estimator = function(x)
#' ...`, further arguments through `...`). It must return one number per data
#' set. Data are then simulated with R's generator after `set.seed(seed)` and
#' the loop runs in R; supply `true_value` to get bias and MSE.
#'
#' The variance of the estimates is their population variance (divided by
#' `reps`), so that MSE = bias² + variance holds exactly; column `mse_check`
#' holds MSE − (bias² + variance), zero up to rounding.
#'
#' @param estimator A built-in estimator name (see Details) or an R function.
#' @param dist The distribution: `"gaussian"` (`mean`, `sd`), `"bernoulli"`
#'   (`prob`), `"binomial"` (`size`, `prob`), `"poisson"` (`lambda`),
#'   `"exponential"` (`rate`), `"uniform"` (`min`, `max`), `"laplace"`
#'   (`location`, `scale`), `"gamma"` (`shape`, `rate`), `"lognormal"`
#'   (`meanlog`, `sdlog`) or `"weibull"` (`shape`, `scale`).
#' @param params Numeric vector of the distribution's parameters, named as
#'   above or in that order.
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
  call <- rlang::current_env()
  is_fun <- is.function(estimator)
  if (!is_fun) {
    if (!is.character(estimator) || length(estimator) != 1L || is.na(estimator) ||
        !estimator %in% sim_builtin_estimators) {
      abort_probml("estimator", c("{.arg estimator} must be an R function or one of {.val {sim_builtin_estimators}}.",
                                  x = if (is.character(estimator) && length(estimator) == 1L)
                                    "Unknown estimator {.val {estimator}}."),
                   call = call)
    }
  }
  if (!is.character(dist) || length(dist) != 1L || is.na(dist) || !dist %in% names(sim_dist_params)) {
    abort_probml("distribution", "{.arg dist} must be one of {.val {names(sim_dist_params)}}.", call = call)
  }
  params <- sim_check_params(dist, params, call = call)
  reps <- sim_check_reps(reps, call = call)
  n <- sim_check_n(n, call = call)
  if (!is_fun && estimator %in% c("var_mle", "var_unbiased", "sd") && any(n < 2)) {
    abort_probml("argument", "{.arg n} must be at least 2 for estimator {.val {estimator}}, not {min(n)}.",
                 call = call)
  }
  if (!is_fun && estimator == "proportion" && !dist %in% c("bernoulli", "binomial")) {
    abort_probml("estimator", "Estimator {.val proportion} needs {.arg dist} {.val bernoulli} or {.val binomial}, not {.val {dist}}.",
                 call = call)
  }
  check_number(true_value, "true_value", allow_null = TRUE, call = call)
  n_threads <- check_threads(n_threads, call = call)
  if (is.null(seed)) {
    seed <- sample.int(.Machine$integer.max, 1L)
  } else {
    check_number(seed, "seed", lower = -.Machine$integer.max, upper = .Machine$integer.max,
                 integer = TRUE, call = call)
  }
  dots <- list(...)

  if (is_fun) {
    est <- sim_run_r(estimator, dist, params, n, reps, seed, dots, call = call)
    label <- "R function"
    target <- if (is.null(true_value)) NA_real_ else true_value
    crb <- rep(NA_real_, length(n))
  } else {
    trim <- 0
    param_name <- sim_dist_params[[dist]][1]
    if (estimator == "mle" && length(dots)) {
      if (!identical(names(dots), "parameter")) {
        abort_probml("argument", "Built-in estimator {.val mle} takes only {.arg parameter} in {.arg ...}.", call = call)
      }
      param_name <- check_choice(dots$parameter, sim_dist_params[[dist]], "parameter", call = call)
      if (dist == "binomial" && param_name == "size") {
        abort_probml("argument", "The binomial {.field size} is fixed, not estimated; use {.code parameter = \"prob\"}.", call = call)
      }
      dots <- list()
    }
    if (estimator == "mle" && dist == "binomial") param_name <- "prob"
    if (length(dots)) {
      if (estimator != "trimmed_mean" || !identical(names(dots), "trim")) {
        abort_probml("argument", "Built-in estimator {.val {estimator}} takes no further arguments{if (estimator == 'trimmed_mean') ' but {.arg trim}' else ''}; got {.arg {names(dots)}}.",
                     call = call)
      }
      trim <- dots$trim
      check_number(trim, "trim", lower = 0, upper = 0.5, call = call)
    }
    size <- if (estimator %in% c("proportion", "mle") && dist == "binomial") params[["size"]] else 1
    param_index <- match(param_name, sim_dist_params[[dist]]) - 1L
    est <- call_core(cpp_simulate_estimator(estimator, dist, unname(as.double(params)), as.double(n),
                                            as.double(reps), as.double(seed %% 2^32), as.double(trim),
                                            as.double(size), param_index, n_threads),
                     call = call)
    label <- switch(estimator, trimmed_mean = sprintf("trimmed_mean (trim = %g)", trim),
                    mle = sprintf("mle of %s", param_name), estimator)
    if (estimator == "mle") {
      natural <- params[[param_name]]
      crb <- if (dist == "uniform") rep(NA_real_, length(n))
             else vapply(n, function(k) unname(cramer_rao_bound(dist, params, k, parameter = param_name)), 1)
    } else {
      natural <- sim_target(estimator, dist, params)
      crb <- sim_crb(estimator, dist, params, n)
    }
    target <- if (is.null(true_value)) natural else true_value
  }
  colnames(est) <- paste0("n=", n)

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

sim_check_params <- function(dist, params, call) {
  nms <- sim_dist_params[[dist]]
  if (!is.numeric(params) || length(params) != length(nms) || anyNA(params) || !all(is.finite(params))) {
    abort_probml("argument", "{.arg params} must be {length(nms)} finite number{?s} for {.val {dist}}: {.field {nms}}.",
                 call = call)
  }
  if (!is.null(names(params)) && any(nzchar(names(params)))) {
    if (!setequal(names(params), nms)) {
      abort_probml("argument", "{.arg params} for {.val {dist}} must be named {.field {nms}}, not {.field {names(params)}}.",
                   call = call)
    }
    params <- params[nms]
  }
  params <- stats::setNames(as.double(params), nms)
  bad <- switch(dist,
    gaussian = if (params[["sd"]] <= 0) "{.field sd} must be positive",
    bernoulli = if (params[["prob"]] < 0 || params[["prob"]] > 1) "{.field prob} must be in [0, 1]",
    binomial = if (params[["prob"]] < 0 || params[["prob"]] > 1) "{.field prob} must be in [0, 1]"
               else if (params[["size"]] < 1 || params[["size"]] != round(params[["size"]]))
                 "{.field size} must be a positive whole number",
    poisson = if (params[["lambda"]] <= 0) "{.field lambda} must be positive",
    exponential = if (params[["rate"]] <= 0) "{.field rate} must be positive",
    uniform = if (params[["min"]] >= params[["max"]]) "{.field min} must be less than {.field max}",
    laplace = if (params[["scale"]] <= 0) "{.field scale} must be positive",
    gamma = if (params[["shape"]] <= 0 || params[["rate"]] <= 0) "{.field shape} and {.field rate} must be positive",
    lognormal = if (params[["sdlog"]] <= 0) "{.field sdlog} must be positive",
    weibull = if (params[["shape"]] <= 0 || params[["scale"]] <= 0) "{.field shape} and {.field scale} must be positive"
  )
  if (!is.null(bad)) {
    abort_probml("support", c("{.arg params} are outside the support of {.val {dist}}.", x = bad), call = call)
  }
  params
}

sim_check_reps <- function(reps, call) {
  if (!is.numeric(reps) || length(reps) != 1L || is.na(reps) || !is.finite(reps) ||
      reps != round(reps) || reps < 2) {
    abort_probml("argument", "{.arg reps} must be a whole number of at least 2, not {.obj_type_friendly {reps}}{if (is.numeric(reps) && length(reps) == 1L) paste0(' (', reps, ')') else ''}.",
                 call = call)
  }
  if (reps > .Machine$integer.max) abort_probml("argument", "{.arg reps} is too large.", call = call)
  as.integer(reps)
}

sim_check_n <- function(n, call) {
  if (!is.numeric(n) || length(n) == 0L || anyNA(n) || !all(is.finite(n)) || any(n < 1) ||
      any(n != round(n))) {
    abort_probml("argument", "{.arg n} must be a vector of positive whole numbers.", call = call)
  }
  if (any(n > .Machine$integer.max)) abort_probml("argument", "{.arg n} is too large.", call = call)
  as.double(n)
}

# Mean, variance and median of a distribution; symmetric ones flagged.
sim_moments <- function(dist, p) {
  switch(dist,
    gaussian = list(mean = p[["mean"]], var = p[["sd"]]^2, median = p[["mean"]], symmetric = TRUE),
    bernoulli = list(mean = p[["prob"]], var = p[["prob"]] * (1 - p[["prob"]]),
                     median = stats::qbinom(0.5, 1, p[["prob"]]), symmetric = FALSE),
    binomial = list(mean = p[["size"]] * p[["prob"]], var = p[["size"]] * p[["prob"]] * (1 - p[["prob"]]),
                    median = stats::qbinom(0.5, p[["size"]], p[["prob"]]), symmetric = FALSE),
    poisson = list(mean = p[["lambda"]], var = p[["lambda"]], median = stats::qpois(0.5, p[["lambda"]]),
                   symmetric = FALSE),
    exponential = list(mean = 1 / p[["rate"]], var = 1 / p[["rate"]]^2, median = log(2) / p[["rate"]],
                       symmetric = FALSE),
    uniform = list(mean = (p[["min"]] + p[["max"]]) / 2, var = (p[["max"]] - p[["min"]])^2 / 12,
                   median = (p[["min"]] + p[["max"]]) / 2, symmetric = TRUE),
    laplace = list(mean = p[["location"]], var = 2 * p[["scale"]]^2, median = p[["location"]], symmetric = TRUE),
    gamma = list(mean = p[["shape"]] / p[["rate"]], var = p[["shape"]] / p[["rate"]]^2,
                 median = stats::qgamma(0.5, p[["shape"]], p[["rate"]]), symmetric = FALSE),
    lognormal = list(mean = exp(p[["meanlog"]] + p[["sdlog"]]^2 / 2),
                     var = (exp(p[["sdlog"]]^2) - 1) * exp(2 * p[["meanlog"]] + p[["sdlog"]]^2),
                     median = exp(p[["meanlog"]]), symmetric = FALSE),
    weibull = list(mean = p[["scale"]] * gamma(1 + 1 / p[["shape"]]),
                   var = p[["scale"]]^2 * (gamma(1 + 2 / p[["shape"]]) - gamma(1 + 1 / p[["shape"]])^2),
                   median = p[["scale"]] * log(2)^(1 / p[["shape"]]), symmetric = FALSE)
  )
}

# The quantity a built-in estimator targets.
sim_target <- function(estimator, dist, p) {
  mo <- sim_moments(dist, p)
  switch(estimator,
    mean = mo$mean,
    median = mo$median,
    trimmed_mean = if (mo$symmetric) mo$mean else NA_real_,
    var_mle = , var_unbiased = mo$var,
    sd = sqrt(mo$var),
    proportion = p[["prob"]]
  )
}

# Cramér–Rao bound for unbiased estimators of the targeted quantity from n
# i.i.d. observations: g'(theta)^2 / (n I(theta)) with I the Fisher
# information per observation. NA where the model is not regular (uniform)
# or the target is not a smooth function of the parameter.
sim_crb <- function(estimator, dist, p, n) {
  kind <- switch(estimator, mean = , median = , trimmed_mean = "location", var_mle = , var_unbiased = "var",
                 sd = "sd", proportion = "prop")
  per_obs <- switch(dist,
    gaussian = { s2 <- p[["sd"]]^2; switch(kind, location = s2, var = 2 * s2^2, sd = s2 / 2, NA_real_) },
    bernoulli = { q <- p[["prob"]] * (1 - p[["prob"]]); switch(kind, location = , prop = q, NA_real_) },
    binomial = { q <- p[["prob"]] * (1 - p[["prob"]])
                 switch(kind, location = if (estimator == "mean") p[["size"]] * q else NA_real_,
                        prop = q / p[["size"]], NA_real_) },
    poisson = { l <- p[["lambda"]]
                switch(kind, location = if (estimator == "mean") l else NA_real_, var = l, sd = 1 / 4, NA_real_) },
    exponential = { r <- p[["rate"]]
                    switch(kind, location = switch(estimator, mean = 1 / r^2, median = log(2)^2 / r^2, NA_real_),
                           var = 4 / r^4, sd = 1 / r^2, NA_real_) },
    uniform = NA_real_,
    laplace = switch(kind, location = p[["scale"]]^2, NA_real_),
    NA_real_
  )
  per_obs / n
}

sim_draw_r <- function(dist, p, n) {
  switch(dist,
    gaussian = stats::rnorm(n, p[["mean"]], p[["sd"]]),
    bernoulli = stats::rbinom(n, 1L, p[["prob"]]),
    binomial = stats::rbinom(n, p[["size"]], p[["prob"]]),
    poisson = stats::rpois(n, p[["lambda"]]),
    exponential = stats::rexp(n, p[["rate"]]),
    uniform = stats::runif(n, p[["min"]], p[["max"]]),
    laplace = p[["location"]] + p[["scale"]] * (stats::rexp(n) - stats::rexp(n)),
    gamma = stats::rgamma(n, p[["shape"]], p[["rate"]]),
    lognormal = stats::rlnorm(n, p[["meanlog"]], p[["sdlog"]]),
    weibull = stats::rweibull(n, p[["shape"]], p[["scale"]])
  )
}

sim_run_r <- function(fn, dist, p, n, reps, seed, dots, call) {
  set.seed(seed)
  est <- matrix(NA_real_, reps, length(n))
  for (k in seq_along(n)) {
    for (r in seq_len(reps)) {
      val <- do.call(fn, c(list(sim_draw_r(dist, p, n[k])), dots))
      if (!is.numeric(val) || length(val) != 1L || is.na(val)) {
        abort_probml("estimator_value",
                     "{.arg estimator} must return a single non-missing number; it returned {.obj_type_friendly {val}}{if (is.numeric(val) && length(val) == 1L) ' (NA)' else ''} for replicate {r} at n = {n[k]}.",
                     call = call)
      }
      est[r, k] <- val
    }
  }
  est
}

#' @export
print.probml_estimator_study <- function(x, digits = 4, ...) {
  p <- paste(sprintf("%s = %s", names(x$params), format(x$params, digits = digits)), collapse = ", ")
  cat(sprintf("Monte Carlo study of %s: %s(%s), %d replicates, seed %s\n", x$estimator, x$dist, p,
              x$reps, format(x$seed)))
  cat(sprintf("True value: %s\n", format(x$true_value, digits = digits)))
  print(format(x$summary, digits = digits), row.names = FALSE)
  cat("variance = population variance of the estimates; mse_check = MSE - (bias^2 + variance).\n")
  invisible(x)
}

#' @export
plot.probml_estimator_study <- function(x, ...) {
  s <- x$summary
  y <- cbind(`|bias|` = abs(s$bias), variance = s$variance, MSE = s$mse)
  keep <- colSums(is.finite(y) & y > 0) > 0
  y[!is.finite(y) | y <= 0] <- NA
  y <- y[, keep, drop = FALSE]
  cols <- c(`|bias|` = "firebrick", variance = "steelblue", MSE = "black")[colnames(y)]
  graphics::matplot(s$n, y, type = "b", pch = 19, lty = 1, col = cols, log = if (length(s$n) > 1L) "xy" else "y",
                    xlab = "n", ylab = "", main = sprintf("%s, %s", x$estimator, x$dist), ...)
  if (any(is.finite(s$crb))) graphics::lines(s$n, s$crb, lty = 2, col = "grey40")
  graphics::legend("topright", legend = c(colnames(y), if (any(is.finite(s$crb))) "CRB"),
                   col = c(cols, if (any(is.finite(s$crb))) "grey40"),
                   lty = c(rep(1, ncol(y)), if (any(is.finite(s$crb))) 2), bty = "n")
  invisible(x)
}
