# Calibration of regression models that predict a Gaussian distribution,
# given as a mean and a standard deviation per observation: recalibration
# (variance scaling, isotonic recalibration of the PIT) and its metrics.

# Shared checks: y, mean and sd numeric, finite, sd > 0; mean and sd of
# length 1 are recycled to the length of y.
check_predictive <- function(y, mean, sd, call = rlang::caller_env(), y_arg = "y") {
  y <- check_real(y, y_arg, call = call)
  mean <- check_real(mean, "mean", call = call)
  sd <- check_real(sd, "sd", call = call)
  n <- length(y)
  for (arg in c("mean", "sd")) {
    len <- length(get(arg))
    if (len != n && len != 1L) {
      abort_probml("length", "{.arg {arg}} has length {len} but {.arg {y_arg}} has length {n}; give one value per observation or a single value.",
                   call = call)
    }
  }
  if (any(sd <= 0)) {
    bad <- which(sd <= 0)[1]
    abort_probml("value", "{.arg sd} must be positive; element {bad} is {sd[bad]}.", call = call)
  }
  list(y = y, mean = rep_len(mean, n), sd = rep_len(sd, n), n = n)
}

#' Recalibrate Gaussian predictive distributions
#'
#' A regression model that predicts a mean \eqn{\mu_i} and a standard
#' deviation \eqn{\sigma_i} says \eqn{y_i \sim N(\mu_i, \sigma_i^2)}.
#' `recalibrate_regression()` learns, on held-out data, how to correct
#' those distributions so that their stated uncertainty matches the errors
#' the model makes; [predict()][predict.probml_regression_calibrator]
#' applies the correction to new predictions.
#'
#' The methods:
#' * `"scale"`: variance scaling. One factor \eqn{s} multiplies every
#'   standard deviation; it minimises the (weighted) Gaussian negative
#'   log-likelihood of \eqn{y_i} under \eqn{N(\mu_i, (s\sigma_i)^2)}, which
#'   has the closed form \eqn{s^2 = \sum_i w_i z_i^2 / \sum_i w_i} with
#'   \eqn{z_i = (y_i - \mu_i)/\sigma_i}. The recalibrated distributions are
#'   Gaussian again.
#' * `"isotonic"`: isotonic recalibration of the probability integral
#'   transform (Kuleshov, Fenner and Ermon, 2018). The PIT values
#'   \eqn{u_i = \Phi((y_i - \mu_i)/\sigma_i)} of a calibrated model are
#'   uniform. A non-decreasing map \eqn{R: [0, 1] \to [0, 1]} is fitted by
#'   isotonic regression (PAVA) of the empirical distribution function of
#'   the PITs on the PITs: the target of \eqn{u_i} is its weighted
#'   mid-rank, \eqn{(\sum_{j: u_j < u_i} w_j + w_i / 2) / \sum_j w_j}
#'   (rank \eqn{- 1/2}, over \eqn{n}, with unit weights and distinct PITs;
#'   tied PITs are pooled). \eqn{R} interpolates linearly between the
#'   fitted points and the anchors \eqn{(0, 0)} and \eqn{(1, 1)}, so it is
#'   a continuous, strictly increasing distribution function on \[0, 1\].
#'   The recalibrated predictive CDF is \eqn{F'_i(y) = R(F_i(y))}, its
#'   quantile function \eqn{\mu_i + \sigma_i \Phi^{-1}(R^{-1}(p))}. These
#'   distributions are no longer Gaussian, but they remain a location-scale
#'   family in \eqn{(\mu_i, \sigma_i)}, so their exact mean and standard
#'   deviation are \eqn{\mu_i + \sigma_i m} and \eqn{\sigma_i s} for two
#'   constants computed in closed form from \eqn{R}.
#'
#' PIT values numerically 0 or 1 are moved to `1e-12` and `1 - 1e-12`.
#'
#' @param y Observed outcomes on held-out data (not used to fit the model).
#' @param mean,sd The model's predictive means and standard deviations for
#'   `y`: numeric vectors of the length of `y` (or single numbers); `sd`
#'   must be positive.
#' @param method `"scale"` (the default) or `"isotonic"`.
#' @param weights Optional non-negative observation weights.
#' @return An object of class `probml_regression_calibrator`: a list with
#'   `method`, `n`, `scale` (for `"scale"`), `knots` (for `"isotonic"`: a
#'   data frame of the map's points `pit` and `cdf`, anchors included),
#'   `location` and `spread` (the constants \eqn{m} and \eqn{s} above;
#'   0 and the scale factor for `"scale"`) and `nll` (the weighted mean
#'   Gaussian NLL before recalibration, and after it for `"scale"`). Use
#'   [predict()], [print()] and [plot()] on it.
#' @references
#' Kuleshov, V., Fenner, N. and Ermon, S. (2018). Accurate uncertainties for
#' deep learning using calibrated regression. ICML.
#'
#' Levi, D., Gispan, L., Giladi, N. and Fetaya, E. (2019). Evaluating and
#' calibrating uncertainty prediction in regression tasks. arXiv:1905.11659.
#' @seealso [predict.probml_regression_calibrator()], [interval_coverage()],
#'   [pit_values()], [gaussian_nll()], [ence()]
#' @examples
#' set.seed(1)
#' n <- 1000
#' mu <- rnorm(n)
#' sigma <- exp(rnorm(n, sd = 0.3))
#' y <- rnorm(n, mu, sigma)
#' half <- 1:500
#'
#' # A model that reports half the true standard deviation
#' cal <- recalibrate_regression(y[half], mu[half], sigma[half] / 2)
#' cal                                   # scale factor near 2
#' interval_coverage(y[-half], mu[-half], sigma[-half] / 2)   # far below 0.9
#' fixed <- predict(cal, mu[-half], sigma[-half] / 2)
#' interval_coverage(y[-half], fixed$mean, fixed$sd)          # near 0.9
#'
#' # Isotonic recalibration of the PIT
#' iso <- recalibrate_regression(y[half], mu[half], sigma[half] / 2, method = "isotonic")
#' predict(iso, mu[-half][1:3], sigma[-half][1:3] / 2, type = "quantile", probs = c(0.05, 0.95))
#' @export
recalibrate_regression <- function(y, mean, sd, method = c("scale", "isotonic"), weights = NULL) {
  method <- if (missing(method)) "scale" else check_choice(method, c("scale", "isotonic"), "method")
  d <- check_predictive(y, mean, sd)
  w <- check_weights(weights, d$n)
  z <- (d$y - d$mean) / d$sd
  nll_before <- gaussian_nll_core(z, d$sd, w)
  out <- list(method = method, n = d$n, weight_sum = sum(w))
  if (method == "scale") {
    s <- sqrt(sum(w * z^2) / sum(w))
    if (s == 0) abort_probml("degenerate", "Every residual is 0: there is no spread to calibrate the standard deviations to.")
    out$scale <- s
    out$location <- 0
    out$spread <- s
    out$nll <- c(before = nll_before, after = gaussian_nll_core(z / s, d$sd * s, w))
  } else {
    used <- w > 0
    u <- clamp_pit(stats::pnorm(z))[used]
    wu <- w[used]
    o <- order(u)
    cum <- cumsum(wu[o])
    target <- numeric(length(u))
    target[o] <- (cum - wu[o] / 2) / sum(wu)
    fit <- isotonic_pava(u, target, wu)
    knots <- data.frame(pit = c(0, fit$x, 1), cdf = c(0, fit$y, 1))
    out$knots <- knots
    mom <- pit_map_moments(knots$pit, knots$cdf)
    out$location <- mom[["mean"]]
    out$spread <- mom[["sd"]]
    out$nll <- c(before = nll_before)
  }
  out$call <- match.call()
  structure(out, class = "probml_regression_calibrator")
}

clamp_pit <- function(u) pmin(pmax(u, 1e-12), 1 - 1e-12)

# Weighted mean Gaussian NLL from standardised residuals z and sd.
gaussian_nll_core <- function(z, sd, w) {
  sum(w * (0.5 * log(2 * pi) + log(sd) + 0.5 * z^2)) / sum(w)
}

# Mean and sd of Z' = qnorm(V), V with the piecewise linear CDF R through
# (x_j, r_j). On [z_j, z_{j+1}] = qnorm of a segment, Z' has density
# b_j dnorm(z), b_j the segment's slope, whence the closed forms
# E Z' = sum b_j (dnorm(z_j) - dnorm(z_{j+1})) and
# E Z'^2 = sum b_j [pnorm(z) - z dnorm(z)] from z_j to z_{j+1}.
pit_map_moments <- function(x, r) {
  b <- diff(r) / diff(x)
  z <- stats::qnorm(x)
  phi <- stats::dnorm(z)
  zphi <- ifelse(is.finite(z), z * phi, 0)
  m1 <- sum(b * (phi[-length(phi)] - phi[-1L]))
  g <- stats::pnorm(z) - zphi
  m2 <- sum(b * diff(g))
  c(mean = m1, sd = sqrt(max(m2 - m1^2, 0)))
}

#' Apply a regression recalibration to new predictions
#'
#' @param object A `probml_regression_calibrator` from
#'   [recalibrate_regression()].
#' @param mean,sd The model's predictive means and standard deviations for
#'   new observations.
#' @param type What to return:
#'   * `"parameters"` (the default): a data frame with the recalibrated
#'     `mean` and `sd` of each predictive distribution (for `"isotonic"`,
#'     the exact mean and standard deviation of the recalibrated,
#'     non-Gaussian distribution);
#'   * `"cdf"`: the recalibrated predictive CDF at `y`, one value per
#'     observation (this is the recalibrated PIT when `y` is observed);
#'   * `"quantile"`: the recalibrated quantiles at `probs`, a matrix with
#'     one row per observation and one column per probability.
#' @param y For `type = "cdf"`: the values at which to evaluate the CDFs,
#'   one per observation.
#' @param probs For `type = "quantile"`: probabilities in \[0, 1\].
#' @param ... Not used.
#' @return A data frame, a numeric vector or a matrix, by `type`.
#' @examples
#' set.seed(2)
#' mu <- rnorm(400)
#' y <- rnorm(400, mu, 1)
#' cal <- recalibrate_regression(y, mu, 0.5)
#' predict(cal, mu[1:3], 0.5)
#' predict(cal, mu[1:3], 0.5, type = "quantile", probs = c(0.05, 0.5, 0.95))
#' iso <- recalibrate_regression(y, mu, 0.5, method = "isotonic")
#' predict(iso, mu[1:3], 0.5, type = "cdf", y = y[1:3])
#' @export
predict.probml_regression_calibrator <- function(object, mean, sd, type = c("parameters", "cdf", "quantile"),
                                                 y = NULL, probs = c(0.05, 0.5, 0.95), ...) {
  check_dots_empty(...)
  type <- check_choice(type[1], c("parameters", "cdf", "quantile"), "type")
  if (missing(mean) || missing(sd)) abort_probml("missing", "{.arg mean} and {.arg sd} must be given.")
  if (type == "cdf") {
    if (is.null(y)) abort_probml("missing", "{.code type = \"cdf\"} needs {.arg y}, the values at which to evaluate the CDFs.")
    d <- check_predictive(y, mean, sd)
  } else {
    d <- check_predictive(mean, mean, sd, y_arg = "mean")
  }
  if (type == "parameters") {
    return(data.frame(mean = d$mean + d$sd * object$location, sd = d$sd * object$spread))
  }
  if (type == "cdf") {
    z <- (d$y - d$mean) / d$sd
    if (object$method == "scale") return(stats::pnorm(z / object$scale))
    return(stats::approx(object$knots$pit, object$knots$cdf, xout = stats::pnorm(z), rule = 2, ties = "ordered")$y)
  }
  if (!is.numeric(probs) || !length(probs) || anyNA(probs) || any(probs < 0 | probs > 1)) {
    abort_probml("value", "{.arg probs} must be probabilities in [0, 1].")
  }
  zq <- if (object$method == "scale") {
    object$scale * stats::qnorm(probs)
  } else {
    stats::qnorm(stats::approx(object$knots$cdf, object$knots$pit, xout = probs, rule = 2, ties = "ordered")$y)
  }
  q <- outer(d$mean, rep(1, length(probs))) + outer(d$sd, zq)
  colnames(q) <- paste0(format(100 * probs, trim = TRUE), "%")
  q
}

#' @export
print.probml_regression_calibrator <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  fmt <- function(v) format(signif(v, digits))
  cat("probml regression calibrator: ",
      if (x$method == "scale") "variance scaling" else "isotonic recalibration of the PIT (Kuleshov et al. 2018)",
      "\nFitted on ", x$n, " observations\n", sep = "")
  if (x$method == "scale") {
    cat("Scale factor for the standard deviations: s = ", fmt(x$scale), "\n", sep = "")
    cat("Mean Gaussian NLL on the calibration data: ", fmt(x$nll[["before"]]), " before, ",
        fmt(x$nll[["after"]]), " after\n", sep = "")
  } else {
    cat("Map R from PIT to calibrated probability: ", nrow(x$knots), " points (anchors (0, 0) and (1, 1) included)\n", sep = "")
    cat("Recalibrated distribution: mean = mean ", if (x$location < 0) "- " else "+ ", fmt(abs(x$location)),
        " * sd, sd = ", fmt(x$spread), " * sd\n", sep = "")
  }
  invisible(x)
}

#' Plot a regression recalibration map
#'
#' Draws the map from the model's PIT value to the recalibrated predictive
#' CDF, with the identity (no change) dashed: a map steeper than the
#' identity in the middle widens overconfident predictive distributions.
#'
#' @param x A `probml_regression_calibrator` from [recalibrate_regression()].
#' @param n_grid Number of grid points at which the map is evaluated.
#' @param main Plot title; by default it names the method.
#' @param ... Graphical parameters passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @examples
#' set.seed(2)
#' mu <- rnorm(400)
#' y <- rnorm(400, mu, 1)
#' plot(recalibrate_regression(y, mu, 0.5))
#' @export
plot.probml_regression_calibrator <- function(x, n_grid = 201L, main = NULL, ...) {
  check_number(n_grid, "n_grid", lower = 2, upper = 1e6, integer = TRUE)
  u <- seq(0, 1, length.out = n_grid)
  r <- if (x$method == "scale") stats::pnorm(stats::qnorm(u) / x$scale)
       else stats::approx(x$knots$pit, x$knots$cdf, xout = u, rule = 2, ties = "ordered")$y
  if (is.null(main)) {
    main <- paste("Recalibration map:", if (x$method == "scale") "variance scaling" else "isotonic recalibration of the PIT")
  }
  graphics::plot(u, r, type = "l", lwd = 2, col = probml_palette(1L), xlim = c(0, 1), ylim = c(0, 1),
                 xlab = "PIT of the model", ylab = "Recalibrated CDF", main = main, las = 1, ...)
  graphics::abline(0, 1, lty = probml_look$reference_lty, col = probml_look$reference)
  base_legend("bottomright", inset = 0.02, legend = c("recalibration map", "identity (no change)"),
              col = c(probml_palette(1L), probml_look$reference), lty = c(1, probml_look$reference_lty), lwd = c(2, 1))
  invisible(x)
}

#' Coverage of central prediction intervals
#'
#' The (weighted) fraction of observations inside the central `level`
#' interval \eqn{\mu_i \pm \Phi^{-1}((1 + \mathrm{level})/2)\,\sigma_i} of
#' their Gaussian predictive distribution. A calibrated model covers a
#' fraction `level`.
#'
#' @inheritParams recalibrate_regression
#' @param level Nominal coverage: one or more numbers in (0, 1).
#' @return The coverage, one number per `level` (named by the levels when
#'   there are several).
#' @examples
#' set.seed(1)
#' mu <- rnorm(1000)
#' y <- rnorm(1000, mu)
#' interval_coverage(y, mu, 1)                       # near 0.9
#' interval_coverage(y, mu, 0.5, level = c(0.5, 0.9)) # overconfident
#' @export
interval_coverage <- function(y, mean, sd, level = 0.9, weights = NULL) {
  if (!is.numeric(level) || !length(level) || anyNA(level) || any(level <= 0 | level >= 1)) {
    abort_probml("value", "{.arg level} must be one or more numbers strictly between 0 and 1.")
  }
  d <- check_predictive(y, mean, sd)
  w <- check_weights(weights, d$n)
  az <- abs(d$y - d$mean) / d$sd
  cov <- vapply(level, function(l) sum(w * (az <= stats::qnorm((1 + l) / 2))) / sum(w), 0)
  if (length(level) > 1L) names(cov) <- format(level)
  cov
}

#' Probability integral transform of Gaussian predictions
#'
#' The PIT value \eqn{u_i = \Phi((y_i - \mu_i)/\sigma_i)} is where
#' the observation falls in its predictive distribution. For a calibrated
#' model the PITs are uniform on \[0, 1\]: a U-shaped histogram means the
#' predictive distributions are too narrow (overconfident), a hump too wide,
#' a slope biased means. `plot()` draws the PIT histogram.
#'
#' @inheritParams recalibrate_regression
#' @param x A `probml_pit` object.
#' @param bins Number of histogram bins, a whole number >= 1.
#' @param main Plot title.
#' @param ... Passed to [graphics::hist()] by `plot()`; not used by `print()`.
#' @return A numeric vector of class `probml_pit`.
#' @examples
#' set.seed(1)
#' mu <- rnorm(2000)
#' y <- rnorm(2000, mu)
#' u <- pit_values(y, mu, 0.5)   # sd too small: U-shaped
#' u
#' plot(u)
#' plot(pit_values(y, mu, 1))    # flat
#' @export
pit_values <- function(y, mean, sd) {
  d <- check_predictive(y, mean, sd)
  structure(stats::pnorm((d$y - d$mean) / d$sd), class = "probml_pit")
}

#' @rdname pit_values
#' @export
plot.probml_pit <- function(x, bins = 10L, main = "PIT histogram", ...) {
  check_number(bins, "bins", lower = 1, integer = TRUE)
  h <- graphics::hist(unclass(x), breaks = seq(0, 1, length.out = bins + 1L), plot = FALSE)
  top <- max(h$density, 1)
  labels <- c(sprintf("PIT values (%d bins)", bins), "uniform: a calibrated model")
  # The legend's entries side by side when they fit the panel (about 0.8 in
  # for the keys and gaps), else one above the other with more room above
  # the bars, as in a panel of par(mfrow = c(1, 2)).
  horiz <- sum(graphics::strwidth(labels, units = "inches", cex = 0.85)) + 0.8 <= graphics::par("pin")[1]
  graphics::plot(h, freq = FALSE, main = main, xlab = "PIT value", ylab = "Density", col = probml_look$fill,
                 border = "white", ylim = c(0, (if (horiz) 1.25 else 1.5) * top), las = 1, ...)
  graphics::abline(h = 1, lty = probml_look$reference_lty, col = probml_look$reference)
  base_legend("top", legend = labels, fill = c(probml_look$fill, NA), border = NA,
              lty = c(NA, probml_look$reference_lty), col = c(NA, probml_look$reference), horiz = horiz)
  invisible(x)
}

#' @rdname pit_values
#' @export
print.probml_pit <- function(x, ...) {
  check_dots_empty(...)
  u <- sort(unclass(x))
  n <- length(u)
  ks <- max(seq_len(n) / n - u, u - (seq_len(n) - 1) / n)
  cat("PIT values of ", n, " observations (uniform if calibrated)\n", sep = "")
  cat("Kolmogorov-Smirnov distance from uniform: ", format(signif(ks, 4)), "\n", sep = "")
  q <- stats::quantile(u, c(0.05, 0.25, 0.5, 0.75, 0.95), names = TRUE)
  print(signif(q, 4))
  invisible(x)
}

#' Gaussian negative log-likelihood
#'
#' The (weighted) mean negative log-likelihood of the observations under
#' their predictive distributions \eqn{N(\mu_i, \sigma_i^2)}:
#' \eqn{\frac{1}{2}\log(2\pi) + \log\sigma_i + (y_i - \mu_i)^2 / (2\sigma_i^2)},
#' averaged. Lower is better; it rewards both accurate means and honest
#' standard deviations.
#'
#' @inheritParams recalibrate_regression
#' @return A number.
#' @examples
#' set.seed(1)
#' mu <- rnorm(500)
#' y <- rnorm(500, mu)
#' gaussian_nll(y, mu, 1)
#' gaussian_nll(y, mu, 0.5)  # overconfident: worse
#' @export
gaussian_nll <- function(y, mean, sd, weights = NULL) {
  d <- check_predictive(y, mean, sd)
  w <- check_weights(weights, d$n)
  gaussian_nll_core((d$y - d$mean) / d$sd, d$sd, w)
}

#' Expected normalised calibration error
#'
#' ENCE (Levi et al., 2019) checks that the predicted standard deviations
#' match the errors at every level of predicted uncertainty. The
#' observations are sorted by predicted `sd` and split into `bins` bins of
#' equal count (sizes differing by at most one); in bin \eqn{j} the root
#' mean variance \eqn{\mathrm{RMV}_j = \sqrt{\mathrm{mean}(\sigma_i^2)}} is
#' compared with the root mean squared error \eqn{\mathrm{RMSE}_j =
#' \sqrt{\mathrm{mean}((y_i - \mu_i)^2)}}, and
#' \eqn{\mathrm{ENCE} = \frac{1}{B}\sum_j |\mathrm{RMV}_j - \mathrm{RMSE}_j| / \mathrm{RMV}_j}.
#' It is 0 for perfect calibration (up to sampling noise).
#'
#' @inheritParams recalibrate_regression
#' @param bins The number of bins, a whole number from 1 to the number of
#'   observations.
#' @param by_bin Return the table of bins instead of the summary.
#' @return A number; with `by_bin = TRUE`, a data frame with one row per bin:
#'   `n`, `sd_min`, `sd_max`, `rmv`, `rmse` and `nce` (the bin's
#'   \eqn{|\mathrm{RMV} - \mathrm{RMSE}| / \mathrm{RMV}}).
#' @references
#' Levi, D., Gispan, L., Giladi, N. and Fetaya, E. (2019). Evaluating and
#' calibrating uncertainty prediction in regression tasks. arXiv:1905.11659.
#' @examples
#' set.seed(1)
#' sigma <- exp(rnorm(2000, sd = 0.5))
#' mu <- rnorm(2000)
#' y <- rnorm(2000, mu, sigma)
#' ence(y, mu, sigma)       # small
#' ence(y, mu, sigma / 2)   # about 1: errors twice the stated sd
#' ence(y, mu, sigma, bins = 5, by_bin = TRUE)
#' @export
ence <- function(y, mean, sd, bins = 10L, by_bin = FALSE) {
  check_number(bins, "bins", lower = 1, integer = TRUE)
  check_flag(by_bin, "by_bin")
  d <- check_predictive(y, mean, sd)
  if (bins > d$n) abort_probml("value", "{.arg bins} ({bins}) must not exceed the number of observations ({d$n}).")
  o <- order(d$sd)
  bin <- integer(d$n)
  bin[o] <- floor((seq_len(d$n) - 1) * bins / d$n) + 1L
  sq_err <- (d$y - d$mean)^2
  rmv <- sqrt(as.numeric(tapply(d$sd^2, bin, mean)))
  rmse <- sqrt(as.numeric(tapply(sq_err, bin, mean)))
  nce <- abs(rmv - rmse) / rmv
  if (!by_bin) return(mean(nce))
  data.frame(bin = seq_len(bins), n = tabulate(bin, bins), sd_min = as.numeric(tapply(d$sd, bin, min)),
             sd_max = as.numeric(tapply(d$sd, bin, max)), rmv = rmv, rmse = rmse, nce = nce)
}
