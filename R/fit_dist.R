# fit_dist(): maximum likelihood fits of univariate distributions, in the
# core's distribution table (R/dist.R).

#' Maximum likelihood fit of a univariate distribution
#'
#' Fits one of eleven families to a sample by maximum likelihood, in the C++
#' core's distribution table (the one [fisher_information()] and
#' [simulate_estimator()] use). Closed forms are used where they exist: the
#' Gaussian (the mean and the square root of the variance that divides by
#' n), Bernoulli and binomial (the proportion), Poisson (the mean),
#' exponential (one over the mean), lognormal (the Gaussian fit of
#' `log(x)`) and Laplace (the median, and the mean absolute deviation from
#' it). The gamma and Weibull shapes solve their one-dimensional likelihood
#' equations by Newton's method (the rate or scale then has a closed form);
#' the beta shapes and the Student t parameters are found by Newton's method
#' with a line search on an unconstrained scale (positive parameters on the
#' log scale), with analytic gradients and Hessians.
#'
#' Standard errors come both from the expected Fisher information at the
#' estimates ([fisher_information()] times n) and from the observed
#' information (the negative analytic Hessian of the log-likelihood). For
#' the Laplace family the log-likelihood is not differentiable in the
#' location, and the observed information is taken to be the expected one.
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
#'   list or vector of all parameters, as `params` of
#'   [fisher_information()]); by default they come from moments.
#' @param n_threads Threads for the passes over `x`. Results do not depend
#'   on it.
#' @param ... Not used: a misspelled argument is an error.
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
#' vcov(g, type = "expected")
#' confint(g, scale = "log")
#' AIC(g)
#'
#' fit_dist(c(3, 5, 2, 7, 4), "binomial", size = 10)
#' @export
fit_dist <- function(x, family, size = NULL, start = NULL,
                     n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  n_threads <- check_threads(n_threads)
  family <- check_dist(family, "family", regular_only = TRUE)
  info <- dist_info(family)
  trials <- info$params[info$kinds == "trials"]
  if (length(trials)) {
    if (is.null(size)) {
      abort_probml("value", "{.arg size} (the number of trials) is required for {.val {family}}.")
    }
    check_number(size, "size", lower = 1, upper = 2^53, integer = TRUE)
  } else if (!is.null(size)) {
    abort_probml("unsupported", "{.arg size} is only used by {.val binomial}, not {.val {family}}.")
  }
  fixed <- stats::setNames(as.double(size), trials)
  # Placeholders for the estimated parameters: any point of the space.
  params <- if (is.null(start)) {
    c(fixed, stats::setNames(rep(0.5, length(dist_estimated(family))), dist_estimated(family)))[info$params]
  } else {
    check_dist_params(family, c(as.list(fixed), as.list(start)), "start")
  }
  x <- check_dist_sample(x, family, params, n_threads)
  core <- call_core(cpp_dist_fit(family, x, params, use_start = !is.null(start), n_threads))
  est_names <- dist_estimated(family)
  estimate <- stats::setNames(core$params, info$params)[est_names]
  info_obs <- named_square(core$observed, est_names)
  info_exp <- named_square(core$expected, est_names)
  vc_obs <- dist_info_inverse(info_obs, singular = "na")
  vc_exp <- dist_info_inverse(info_exp, singular = "na")
  if (anyNA(vc_obs) || anyNA(vc_exp)) {
    warn_probml("information", "The information is singular at the estimate; standard errors are not available.")
  }
  if (!core$converged) {
    warn_probml("convergence", c("The fit of {.val {family}} did not converge in {core$iterations} iteration{?s}; the estimates may be inaccurate.",
                                 i = "A parameter may be heading for the edge of its space (for a Student t, df growing without bound: Gaussian tails)."))
  }
  structure(list(
    family = family,
    estimate = estimate,
    se = sqrt(pmax(diag(vc_obs), 0)),
    se_expected = sqrt(pmax(diag(vc_exp), 0)),
    vcov = vc_obs,
    vcov_expected = vc_exp,
    information = info_obs,
    information_expected = info_exp,
    loglik = core$loglik,
    n = length(x),
    fixed = fixed,
    x = x,
    converged = core$converged,
    iterations = core$iterations
  ), class = "probml_dist_fit")
}

#' Methods for distribution fits
#'
#' Methods for the `probml_dist_fit` objects returned by [fit_dist()].
#' `vcov()` and `confint()` use the observed information by default and the
#' expected Fisher information with `vcov(type = "expected")` and
#' `confint(vcov = "expected")`, as for model fits ([vcov.probml_fit()]). `confint()`
#' gives Wald intervals on the natural scale or, with `scale = "log"`, Wald
#' intervals for the logarithm of each positive parameter mapped back (they
#' stay positive and are not symmetric); real-valued parameters and
#' probabilities keep natural-scale intervals. `plot()` draws the fitted
#' density over a histogram, or, for discrete families, the observed
#' relative frequencies beside the fitted probabilities.
#'
#' @param object,x A `probml_dist_fit`.
#' @param type For `vcov()`: `"observed"` or `"expected"`.
#' @param vcov For `confint()`: `"observed"` or `"expected"`.
#' @param parm Parameters: names or indices (default: all).
#' @param level The confidence level.
#' @param scale `"natural"` or `"log"`.
#' @param digits Significant digits to print.
#' @param breaks Histogram breaks (continuous families): `NULL` (the
#'   default) for equal-width bins, as many as the larger of Sturges' and
#'   the Freedman-Diaconis rule suggest, kept within 5 to 60; or anything
#'   [graphics::hist()] accepts.
#' @param main,xlab Plot title and axis label.
#' @param ... Graphical parameters passed to [graphics::plot()] (continuous
#'   families) or [graphics::barplot()] (discrete families) by `plot()`;
#'   otherwise not used.
#' @return `coef()`: named estimates. `vcov()`: a matrix. `confint()`: a
#'   matrix with one row per parameter. `logLik()`: a `logLik` object.
#'   `nobs()`: the sample size. `print()` and `plot()` return `x`
#'   invisibly.
#' @examples
#' set.seed(2)
#' fit <- fit_dist(rweibull(100, shape = 1.5, scale = 2), "weibull")
#' vcov(fit)
#' vcov(fit, type = "expected")
#' confint(fit, level = 0.9, scale = "log")
#' logLik(fit)
#' BIC(fit)
#' plot(fit)
#' plot(fit_dist(rpois(80, 2.5), "poisson"))
#' @name probml_dist_fit-methods
NULL

#' @rdname probml_dist_fit-methods
#' @export
coef.probml_dist_fit <- function(object, ...) {
  check_dots_empty(...)
  object$estimate
}

#' @rdname probml_dist_fit-methods
#' @export
vcov.probml_dist_fit <- function(object, type = c("observed", "expected"), ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "observed" else check_choice(type, c("observed", "expected"), "type")
  if (type == "observed") object$vcov else object$vcov_expected
}

#' @rdname probml_dist_fit-methods
#' @export
confint.probml_dist_fit <- function(object, parm, level = 0.95, vcov = c("observed", "expected"),
                                    scale = c("natural", "log"), ...) {
  check_dots_empty(...)
  scale <- check_choice(scale[1], c("natural", "log"), "scale")
  check_number(level, "level", lower = 1e-8, upper = 1 - 1e-8)
  nm <- names(object$estimate)
  if (missing(parm)) parm <- nm
  parm <- resolve_parm(parm, nm)
  vcov <- if (missing(vcov)) "observed" else check_choice(vcov, c("observed", "expected"), "vcov")
  se <- sqrt(pmax(diag(vcov.probml_dist_fit(object, type = vcov)), 0))[parm]
  est <- object$estimate[parm]
  a <- (1 - level) / 2
  z <- stats::qnorm(1 - a)
  lower <- est - z * se
  upper <- est + z * se
  if (scale == "log") {
    kinds <- stats::setNames(dist_info(object$family)$kinds, dist_info(object$family)$params)
    pos <- kinds[parm] == "positive" & est > 0
    lower[pos] <- est[pos] * exp(-z * se[pos] / est[pos])
    upper[pos] <- est[pos] * exp(z * se[pos] / est[pos])
  }
  labels <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  matrix(c(lower, upper), ncol = 2L, dimnames = list(parm, labels))
}

#' @rdname probml_dist_fit-methods
#' @export
logLik.probml_dist_fit <- function(object, ...) {
  check_dots_empty(...)
  structure(object$loglik, df = length(object$estimate), nobs = object$n, class = "logLik")
}

#' @rdname probml_dist_fit-methods
#' @export
nobs.probml_dist_fit <- function(object, ...) {
  check_dots_empty(...)
  object$n
}

#' @rdname probml_dist_fit-methods
#' @export
print.probml_dist_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
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
plot.probml_dist_fit <- function(x, breaks = NULL, main = NULL, xlab = "x", ...) {
  params <- c(x$fixed, x$estimate)[dist_info(x$family)$params]
  density <- function(at) exp(cpp_dist_log_density(x$family, as.double(at), params))
  if (is.null(main)) main <- paste("Fitted", dist_info(x$family)$label, "distribution")
  cols <- probml_palette(1L)
  if (dist_info(x$family)$discrete) {
    spread <- cpp_dist_moments(x$family, params)
    upper <- if (length(x$fixed)) x$fixed[[1L]] else max(x$x, ceiling(spread$mean + 4 * sqrt(spread$variance)))
    k <- 0:upper
    observed <- tabulate(x$x + 1L, nbins = length(k)) / x$n
    graphics::barplot(rbind(observed, density(k)), beside = TRUE, names.arg = k,
                      col = c(probml_look$fill, cols), border = NA, main = main, xlab = xlab,
                      ylab = "Probability", legend.text = c("observed relative frequency", "fitted probability"),
                      args.legend = list(bty = "n", border = NA), ...)
  } else {
    if (is.null(breaks)) breaks <- dist_fit_breaks(x$x)
    h <- graphics::hist(x$x, breaks = breaks, plot = FALSE)
    grid <- seq(min(h$breaks), max(h$breaks), length.out = 301L)
    dens <- suppressWarnings(density(grid))
    grid <- grid[is.finite(dens)]
    dens <- dens[is.finite(dens)]
    ylim <- c(0, 1.15 * max(h$density, dens))
    graphics::plot(h, freq = FALSE, col = probml_look$fill, border = "white", main = main, xlab = xlab,
                   ylab = "Density", ylim = ylim, las = 1, ...)
    graphics::lines(grid, dens, col = cols, lwd = 2)
    base_legend("topright", legend = c(sprintf("data (%d bins)", length(h$counts)), "fitted density"),
                fill = c(probml_look$fill, NA), border = NA, col = c(NA, cols), lwd = c(NA, 2))
  }
  invisible(x)
}

# The number of equal-width histogram bins: the larger of Sturges' rule
# (too few for large n) and the Freedman-Diaconis rule (too few for heavy
# tails, where the IQR is small next to the range), as numpy's "auto",
# kept within 5 to 60 so that the histogram reads at any n.
dist_fit_bins <- function(x) {
  k <- max(grDevices::nclass.Sturges(x), grDevices::nclass.FD(x))
  as.integer(min(max(k, 5L), 60L))
}

# Equal-width breaks, dist_fit_bins() of them, over the range of the data.
dist_fit_breaks <- function(x) {
  r <- range(x)
  if (r[1] == r[2]) return("Sturges")
  seq(r[1], r[2], length.out = dist_fit_bins(x) + 1L)
}

