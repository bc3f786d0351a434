# Univariate distributions: their parameters, log-likelihoods, random draws
# and maximum likelihood fits.

# Parameters of each family in order; `size` of the binomial is fixed.
dist_param_names <- list(
  gaussian = c("mean", "sd"),
  bernoulli = "prob",
  binomial = c("size", "prob"),
  poisson = "lambda",
  exponential = "rate",
  gamma = c("shape", "rate"),
  beta = c("shape1", "shape2"),
  laplace = c("location", "scale"),
  student_t = c("location", "scale", "df"),
  lognormal = c("meanlog", "sdlog"),
  weibull = c("shape", "scale")
)

dist_families <- names(dist_param_names)
dist_discrete <- c("bernoulli", "binomial", "poisson")
# Parameters that are real numbers; all others (but prob) are positive.
dist_real_params <- c("mean", "location", "meanlog")

dist_estimated_names <- function(family) setdiff(dist_param_names[[family]], "size")

check_dist_family <- function(family, call = rlang::caller_env()) {
  check_choice(family, dist_families, "family", call = call)
}

# Validate parameters and return them as a named list in the family's order.
check_dist_params <- function(family, params, arg = "params", call = rlang::caller_env()) {
  nm <- dist_param_names[[family]]
  if (is.list(params)) {
    if (!all(vapply(params, function(v) is.numeric(v) && length(v) == 1L, logical(1)))) {
      abort_probml("parameter", "Each element of {.arg {arg}} must be a single number.", call = call)
    }
    params <- unlist(params)
  }
  if (!is.numeric(params)) {
    abort_probml("parameter", "{.arg {arg}} must be a named numeric vector or list, not {.obj_type_friendly {params}}.",
                 call = call)
  }
  if (is.null(names(params)) || all(names(params) == "")) {
    if (length(params) != length(nm)) {
      abort_probml("parameter", "{.arg {arg}} for family {.val {family}} needs {length(nm)} value{?s}: {.field {nm}}.",
                   call = call)
    }
    names(params) <- nm
  }
  missing_nm <- setdiff(nm, names(params))
  extra_nm <- setdiff(names(params), nm)
  if (length(missing_nm) || length(extra_nm) || anyDuplicated(names(params))) {
    abort_probml("parameter", c("{.arg {arg}} for family {.val {family}} must name {.field {nm}}.",
                                i = if (length(missing_nm)) "Missing: {.field {missing_nm}}.",
                                i = if (length(extra_nm)) "Unknown: {.field {extra_nm}}."),
                 call = call)
  }
  params <- as.list(params[nm])
  for (p in nm) {
    v <- params[[p]]
    if (is.na(v) || !is.finite(v)) {
      abort_probml("parameter", "Parameter {.field {p}} must be finite, not {v}.", call = call)
    }
    bad <- if (p == "prob") v < 0 || v > 1
      else if (p == "size") v < 1 || v != round(v)
      else if (p %in% dist_real_params) FALSE
      else v <= 0
    if (bad) {
      need <- if (p == "prob") "in [0, 1]" else if (p == "size") "a positive whole number" else "positive"
      abort_probml("parameter", "Parameter {.field {p}} of family {.val {family}} must be {need}, not {v}.",
                   call = call)
    }
  }
  params
}

# Log-likelihood of data `x` at parameters `params` (a named list or vector,
# as in fisher_information()); the sum, or one term per observation with
# `sum = FALSE`. Internal: used by fit_dist() and the estimator studies.
dist_loglik <- function(family, x, params, sum = TRUE) {
  p <- if (is.list(params)) params else as.list(params)
  ll <- switch(family,
    gaussian = stats::dnorm(x, p$mean, p$sd, log = TRUE),
    bernoulli = stats::dbinom(x, 1L, p$prob, log = TRUE),
    binomial = stats::dbinom(x, p$size, p$prob, log = TRUE),
    poisson = stats::dpois(x, p$lambda, log = TRUE),
    exponential = stats::dexp(x, p$rate, log = TRUE),
    gamma = stats::dgamma(x, shape = p$shape, rate = p$rate, log = TRUE),
    beta = stats::dbeta(x, p$shape1, p$shape2, log = TRUE),
    laplace = -log(2 * p$scale) - abs(x - p$location) / p$scale,
    student_t = stats::dt((x - p$location) / p$scale, p$df, log = TRUE) - log(p$scale),
    lognormal = stats::dlnorm(x, p$meanlog, p$sdlog, log = TRUE),
    weibull = stats::dweibull(x, p$shape, p$scale, log = TRUE)
  )
  if (sum) base::sum(ll) else ll
}

# `n` random draws at `params` with R's generators (so set.seed() governs
# them). Internal: used by the estimator studies and the tests.
dist_random <- function(family, n, params) {
  p <- if (is.list(params)) params else as.list(params)
  switch(family,
    gaussian = stats::rnorm(n, p$mean, p$sd),
    bernoulli = stats::rbinom(n, 1L, p$prob),
    binomial = stats::rbinom(n, p$size, p$prob),
    poisson = stats::rpois(n, p$lambda),
    exponential = stats::rexp(n, p$rate),
    gamma = stats::rgamma(n, shape = p$shape, rate = p$rate),
    beta = stats::rbeta(n, p$shape1, p$shape2),
    laplace = p$location + p$scale * (stats::rexp(n) - stats::rexp(n)),
    student_t = p$location + p$scale * stats::rt(n, p$df),
    lognormal = stats::rlnorm(n, p$meanlog, p$sdlog),
    weibull = stats::rweibull(n, p$shape, p$scale)
  )
}

# Density (or mass) of the fitted distribution, for plots.
dist_density <- function(family, x, params) exp(dist_loglik(family, x, params, sum = FALSE))

#' Maximum likelihood fit of a univariate distribution
#'
#' Fits one of eleven families to a sample by maximum likelihood. Closed forms
#' are used where they exist: the Gaussian (the mean and the square root of
#' the variance that divides by n), Bernoulli and binomial (the proportion),
#' Poisson (the mean), exponential (one over the mean), lognormal (the
#' Gaussian fit of `log(x)`) and Laplace (the median, and the mean absolute
#' deviation from it). The gamma, beta, Weibull and Student t families are
#' fitted by BFGS on an unconstrained scale (positive parameters on the log
#' scale) with analytic gradients, polished by Newton steps.
#'
#' Standard errors come both from the expected Fisher information at the
#' estimates ([fisher_information()] times n) and from the observed
#' information (the negative Hessian of the log-likelihood, from finite
#' differences of the analytic score). For the Laplace family the
#' log-likelihood is not differentiable in the location, and the observed
#' information is taken to be the expected one.
#'
#' @param x A numeric vector of observations, without missing values. It must
#'   lie in the family's support: 0/1 for `"bernoulli"`, whole numbers in
#'   `[0, size]` for `"binomial"`, non-negative whole numbers for
#'   `"poisson"`, positive numbers for `"exponential"`, `"gamma"`,
#'   `"lognormal"` and `"weibull"`, and numbers in (0, 1) for `"beta"`.
#' @param family One of `"gaussian"`, `"bernoulli"`, `"binomial"`,
#'   `"poisson"`, `"exponential"`, `"gamma"`, `"beta"`, `"laplace"`,
#'   `"student_t"`, `"lognormal"` or `"weibull"`. The parameters of each are
#'   listed in [fisher_information()].
#' @param size The number of trials of the `"binomial"` family (required
#'   there, not used otherwise).
#' @param start Optional starting values for the iterative families (a named
#'   list or vector of all parameters); by default they come from moments.
#' @return An object of class `probml_dist_fit`: a list with `family`,
#'   `estimate` (named natural parameters), `se` (from the observed
#'   information), `se_expected`, `vcov` (observed), `vcov_expected`,
#'   `information` and `information_expected` (for the whole sample),
#'   `loglik`, `n`, `fixed` (the binomial size), `x`, `converged` and
#'   `iterations`. Methods: `print`, `coef`, `vcov`, `confint`, `logLik` (so
#'   `AIC()` and `BIC()` work), `nobs` and `plot`.
#' @seealso [fisher_information()], [cramer_rao_bound()].
#' @examples
#' x <- c(2.1, 2.5, 3.0, 2.8, 2.3, 3.1, 2.7)
#' fit <- fit_dist(x, "gaussian")
#' fit
#' confint(fit)
#'
#' set.seed(1)
#' g <- fit_dist(rgamma(200, shape = 2, rate = 3), "gamma")
#' coef(g)
#' vcov(g, information = "expected")
#' confint(g, scale = "log")
#' AIC(g)
#'
#' fit_dist(c(3, 5, 2, 7, 4), "binomial", size = 10)
#' @export
fit_dist <- function(x, family, size = NULL, start = NULL) {
  family <- check_dist_family(family)
  x <- check_dist_data(x, family, size)
  fixed <- if (family == "binomial") list(size = size) else list()
  n <- length(x)
  converged <- TRUE
  iterations <- 0L
  est <- switch(family,
    gaussian = list(mean = mean(x), sd = sqrt(mean((x - mean(x))^2))),
    bernoulli = list(prob = mean(x)),
    binomial = list(prob = mean(x) / size),
    poisson = list(lambda = mean(x)),
    exponential = list(rate = 1 / mean(x)),
    lognormal = {
      lx <- log(x)
      list(meanlog = mean(lx), sdlog = sqrt(mean((lx - mean(lx))^2)))
    },
    laplace = {
      m <- stats::median(x)
      list(location = m, scale = mean(abs(x - m)))
    },
    NULL
  )
  if (is.null(est)) {
    init <- if (is.null(start)) dist_start(family, x) else check_dist_params(family, start, "start")
    res <- dist_optimise(family, x, init)
    est <- res$estimate
    converged <- res$converged
    iterations <- res$iterations
  }
  params <- c(fixed, est)
  info_exp <- n * dist_fisher_unit(family, params)
  info_obs <- if (family == "laplace") info_exp else dist_observed_information(family, x, params)
  vc_exp <- dist_info_inverse(info_exp)
  vc_obs <- dist_info_inverse(info_obs)
  estimate <- unlist(est)
  structure(list(
    family = family,
    estimate = estimate,
    se = sqrt(pmax(diag(vc_obs), 0)),
    se_expected = sqrt(pmax(diag(vc_exp), 0)),
    vcov = vc_obs,
    vcov_expected = vc_exp,
    information = info_obs,
    information_expected = info_exp,
    loglik = dist_loglik(family, x, params),
    n = n,
    fixed = unlist(fixed),
    x = x,
    converged = converged,
    iterations = iterations
  ), class = "probml_dist_fit")
}

check_dist_data <- function(x, family, size, call = rlang::caller_env()) {
  if (!is.numeric(x) && !is.logical(x)) {
    abort_probml("data", "{.arg x} must be a numeric vector, not {.obj_type_friendly {x}}.", call = call)
  }
  x <- as.numeric(x)
  if (anyNA(x)) {
    abort_probml("missing", "{.arg x} has {sum(is.na(x))} missing value{?s}; remove them first.", call = call)
  }
  if (any(!is.finite(x))) {
    abort_probml("nonfinite", "{.arg x} has infinite values.", call = call)
  }
  if (family == "binomial") {
    if (is.null(size)) {
      abort_probml("argument", "{.arg size} (the number of trials) is required for the binomial family.",
                   call = call)
    }
    check_number(size, "size", lower = 1, integer = TRUE, call = call)
  } else if (!is.null(size)) {
    abort_probml("argument", "{.arg size} is only used by the binomial family, not {.val {family}}.", call = call)
  }
  n_min <- switch(family, student_t = 3L, 2L)
  if (length(x) < n_min) {
    abort_probml("data", "{.arg x} needs at least {n_min} observations for family {.val {family}}, not {length(x)}.",
                 call = call)
  }
  whole <- all(x == round(x))
  bad <- switch(family,
    bernoulli = if (!all(x %in% c(0, 1))) "must be 0 or 1",
    binomial = if (!whole || any(x < 0) || any(x > size)) "must be whole numbers in [0, {size}]",
    poisson = if (!whole || any(x < 0)) "must be non-negative whole numbers (counts)",
    exponential = , gamma = , lognormal = , weibull = if (any(x <= 0)) "must be positive",
    beta = if (any(x <= 0 | x >= 1)) "must lie strictly between 0 and 1",
    NULL
  )
  if (!is.null(bad)) {
    abort_probml("data", paste0("The values of {.arg x} ", bad, " for family {.val {family}}."), call = call)
  }
  needs_spread <- c("gaussian", "lognormal", "gamma", "beta", "weibull", "laplace", "student_t")
  if (family %in% needs_spread && stats::var(x) == 0) {
    abort_probml("data", "All values of {.arg x} are equal; family {.val {family}} needs spread to estimate a scale.",
                 call = call)
  }
  x
}

dist_start <- function(family, x) {
  m <- mean(x)
  v <- stats::var(x)
  switch(family,
    gamma = list(shape = m^2 / v, rate = m / v),
    beta = {
      k <- m * (1 - m) / v - 1
      if (k <= 0) k <- 1
      list(shape1 = m * k, shape2 = (1 - m) * k)
    },
    weibull = {
      k <- pi / (sqrt(6) * stats::sd(log(x)))
      list(shape = k, scale = exp(mean(log(x)) - digamma(1) / k))
    },
    student_t = {
      s <- stats::mad(x)
      if (s <= 0) s <- stats::sd(x)
      list(location = stats::median(x), scale = s, df = 5)
    }
  )
}

# Maximise the log-likelihood over theta: real parameters as they are,
# positive ones on the log scale. BFGS with the analytic gradient, then
# Newton steps (Hessian from differences of the gradient) to polish.
dist_optimise <- function(family, x, init) {
  nm <- names(init)
  is_log <- !nm %in% dist_real_params
  to_params <- function(theta) {
    v <- theta
    v[is_log] <- exp(theta[is_log])
    stats::setNames(as.list(v), nm)
  }
  nll <- function(theta) {
    val <- suppressWarnings(-dist_loglik(family, x, to_params(theta)))
    if (is.finite(val)) val else .Machine$double.xmax
  }
  grad <- function(theta) {
    p <- to_params(theta)
    g <- -colSums(dist_score(family, x, p))
    g[is_log] <- g[is_log] * unlist(p)[is_log]
    g
  }
  theta <- unlist(init)
  theta[is_log] <- log(theta[is_log])
  opt <- stats::optim(theta, nll, grad, method = "BFGS",
                      control = list(maxit = 1000L, reltol = 1e-14))
  theta <- opt$par
  iterations <- unname(opt$counts[["gradient"]])
  for (it in seq_len(50L)) {
    g <- grad(theta)
    if (max(abs(g)) < 1e-10 * max(1, length(x))) break
    h <- dist_numeric_jacobian(grad, theta)
    h <- (h + t(h)) / 2
    step <- tryCatch(solve(h, g), error = function(e) NULL)
    if (is.null(step) || any(!is.finite(step))) break
    f0 <- nll(theta)
    lambda <- 1
    while (lambda > 1e-8 && nll(theta - lambda * step) > f0 + 1e-12 * abs(f0)) lambda <- lambda / 2
    if (lambda <= 1e-8) break
    theta <- theta - lambda * step
    iterations <- iterations + 1L
  }
  converged <- opt$convergence == 0L || max(abs(grad(theta))) < 1e-6 * max(1, length(x))
  if (!converged) {
    warn_probml("convergence", "The fit of family {.val {family}} did not converge; the estimates may be inaccurate.")
  }
  list(estimate = to_params(theta), converged = converged, iterations = iterations)
}

dist_numeric_jacobian <- function(f, x) {
  do.call(cbind, lapply(seq_along(x), function(k) {
    h <- 1e-5 * max(1, abs(x[k]))
    e <- replace(numeric(length(x)), k, h)
    (f(x + e) - f(x - e)) / (2 * h)
  }))
}

# Observed information of the whole sample at `params`: minus the Jacobian of
# the summed analytic score, by central differences in the natural scale.
dist_observed_information <- function(family, x, params) {
  nm <- dist_estimated_names(family)
  fixed <- params[setdiff(names(params), nm)]
  est <- unlist(params[nm])
  if (family %in% c("bernoulli", "binomial") && (est[["prob"]] <= 0 || est[["prob"]] >= 1) ||
      family == "poisson" && est[["lambda"]] <= 0) {
    return(length(x) * dist_fisher_unit(family, params))
  }
  score <- function(v) colSums(dist_score(family, x, c(fixed, stats::setNames(as.list(v), nm))))
  # Steps relative to each parameter keep positive ones positive.
  h_of <- function(v) 1e-5 * pmax(abs(v), 1e-3)
  j <- do.call(cbind, lapply(seq_along(est), function(k) {
    h <- h_of(est)[k]
    h <- min(h, if (!nm[k] %in% dist_real_params) est[k] / 2 else h,
             if (nm[k] == "prob") (1 - est[k]) / 2 else h)
    e <- replace(numeric(length(est)), k, h)
    (score(est + e) - score(est - e)) / (2 * h)
  }))
  info <- -(j + t(j)) / 2
  dimnames(info) <- list(nm, nm)
  info
}

#' Methods for distribution fits
#'
#' Methods for the `probml_dist_fit` objects returned by [fit_dist()].
#' `vcov()` and `confint()` use the observed information by default and the
#' expected Fisher information with `information = "expected"`. `confint()`
#' gives Wald intervals on the natural scale or, with `scale = "log"`, Wald
#' intervals for the logarithm of each positive parameter mapped back (they
#' stay positive and are not symmetric); real-valued parameters and
#' probabilities keep natural-scale intervals. `plot()` draws the fitted
#' density over a histogram, or, for discrete families, the observed
#' relative frequencies beside the fitted probabilities.
#'
#' @param object,x A `probml_dist_fit`.
#' @param information `"observed"` or `"expected"`.
#' @param parm Parameters: names or indices (default: all).
#' @param level The confidence level.
#' @param scale `"natural"` or `"log"`.
#' @param digits Significant digits to print.
#' @param breaks Histogram breaks (continuous families).
#' @param main,xlab Plot title and axis label.
#' @param ... Further arguments to the graphics functions in `plot()`;
#'   otherwise not used.
#' @return `coef()`: named estimates. `vcov()`: a matrix. `confint()`: a
#'   matrix with one row per parameter. `logLik()`: a `logLik` object.
#'   `nobs()`: the sample size. `print()` and `plot()` return `x`
#'   invisibly.
#' @examples
#' set.seed(2)
#' fit <- fit_dist(rweibull(100, shape = 1.5, scale = 2), "weibull")
#' vcov(fit)
#' vcov(fit, information = "expected")
#' confint(fit, level = 0.9, scale = "log")
#' logLik(fit)
#' BIC(fit)
#' plot(fit)
#' plot(fit_dist(rpois(80, 2.5), "poisson"))
#' @name probml_dist_fit-methods
NULL

#' @rdname probml_dist_fit-methods
#' @export
coef.probml_dist_fit <- function(object, ...) object$estimate

#' @rdname probml_dist_fit-methods
#' @export
vcov.probml_dist_fit <- function(object, information = c("observed", "expected"), ...) {
  information <- check_choice(information[1], c("observed", "expected"), "information")
  if (information == "observed") object$vcov else object$vcov_expected
}

#' @rdname probml_dist_fit-methods
#' @export
confint.probml_dist_fit <- function(object, parm, level = 0.95, information = c("observed", "expected"),
                                    scale = c("natural", "log"), ...) {
  scale <- check_choice(scale[1], c("natural", "log"), "scale")
  check_number(level, "level", lower = 1e-8, upper = 1 - 1e-8)
  nm <- names(object$estimate)
  if (missing(parm)) parm <- nm
  parm <- resolve_parm(parm, nm)
  se <- sqrt(pmax(diag(vcov(object, information = information)), 0))[parm]
  est <- object$estimate[parm]
  a <- (1 - level) / 2
  z <- stats::qnorm(1 - a)
  lower <- est - z * se
  upper <- est + z * se
  if (scale == "log") {
    pos <- !parm %in% c(dist_real_params, "prob") & est > 0
    lower[pos] <- est[pos] * exp(-z * se[pos] / est[pos])
    upper[pos] <- est[pos] * exp(z * se[pos] / est[pos])
  }
  labels <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  matrix(c(lower, upper), ncol = 2L, dimnames = list(parm, labels))
}

#' @rdname probml_dist_fit-methods
#' @export
logLik.probml_dist_fit <- function(object, ...) {
  structure(object$loglik, df = length(object$estimate), nobs = object$n, class = "logLik")
}

#' @rdname probml_dist_fit-methods
#' @export
nobs.probml_dist_fit <- function(object, ...) object$n

#' @rdname probml_dist_fit-methods
#' @export
print.probml_dist_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Maximum likelihood fit of the ", x$family, " distribution", sep = "")
  if (length(x$fixed)) cat(" (", paste(names(x$fixed), x$fixed, sep = " = ", collapse = ", "), ")", sep = "")
  cat("\nn = ", x$n, ", log-likelihood = ", format(x$loglik, digits = digits),
      ", AIC = ", format(stats::AIC(x), digits = digits), "\n\n", sep = "")
  tab <- cbind(Estimate = x$estimate, `SE (observed)` = x$se, `SE (expected)` = x$se_expected)
  print(signif(tab, digits))
  if (x$family == "gaussian") {
    v_mle <- x$estimate[["sd"]]^2
    v_unb <- v_mle * x$n / (x$n - 1)
    cat("\nVariance: MLE (divides by n) = ", format(v_mle, digits = digits + 3L),
        ", unbiased (divides by n - 1) = ", format(v_unb, digits = digits + 3L),
        "\n          ratio n/(n - 1) = ", x$n, "/", x$n - 1L, " = ",
        format(x$n / (x$n - 1), digits = digits + 3L), "\n", sep = "")
  }
  if (!x$converged) cat("\nThe optimiser did not converge.\n")
  invisible(x)
}

#' @rdname probml_dist_fit-methods
#' @export
plot.probml_dist_fit <- function(x, breaks = "Sturges", main = NULL, xlab = "x", ...) {
  params <- c(as.list(x$fixed), as.list(x$estimate))
  if (is.null(main)) main <- paste("Fitted", x$family, "distribution")
  if (x$family %in% dist_discrete) {
    upper <- if (x$family == "poisson") max(x$x, stats::qpois(0.999, x$estimate[["lambda"]]))
      else if (x$family == "binomial") x$fixed[["size"]] else 1
    k <- 0:upper
    observed <- tabulate(x$x + 1L, nbins = length(k)) / x$n
    fitted <- dist_density(x$family, k, params)
    graphics::barplot(rbind(observed, fitted), beside = TRUE, names.arg = k,
                      col = c("grey70", "steelblue"), main = main, xlab = xlab,
                      ylab = "Probability", legend.text = c("observed", "fitted"),
                      args.legend = list(bty = "n"), ...)
  } else {
    h <- graphics::hist(x$x, breaks = breaks, plot = FALSE)
    grid <- seq(min(h$breaks), max(h$breaks), length.out = 301L)
    if (x$family == "beta") grid <- grid[grid > 0 & grid < 1]
    if (x$family %in% c("exponential", "gamma", "lognormal", "weibull")) grid <- grid[grid > 0]
    dens <- dist_density(x$family, grid, params)
    ylim <- c(0, max(h$density, dens[is.finite(dens)]))
    graphics::plot(h, freq = FALSE, col = "grey85", border = "white", main = main, xlab = xlab,
                   ylim = ylim, ...)
    graphics::lines(grid, dens, col = "steelblue", lwd = 2)
  }
  invisible(x)
}
