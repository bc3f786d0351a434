# Weighted isotonic regression (PAVA in C++), shared by pava(), calibrate(),
# brier_decomp(method = "corp") and the recalibration of predictive
# distributions. Observations with zero weight are ignored; ties in x are
# pooled by summing their weights.
#
# A decreasing fit is the increasing fit of -y, negated: it is the same
# least-squares problem, and negation is exact in floating point.
#
# Bounds are applied by clipping the PAVA solution f, which is the exact
# solution of the bounded problem (squared error, y_min <= f_i <= y_max):
# keep the multipliers of f's order constraints, and give the lower bound
# the multiplier w_i (y_min - f_i) >= 0 where f_i < y_min (the upper bound
# w_i (f_i - y_max) where f_i > y_max). Stationarity holds at clip(f)
# because the clipped knots form whole blocks of f, whose residuals sum to
# zero; every multiplier is non-negative and active only where its
# constraint binds, so clip(f) satisfies the KKT conditions of the convex
# bounded problem. Blocks clipped to the same bound merge into one.
isotonic_pava <- function(x, y, w = NULL, increasing = TRUE, y_min = -Inf, y_max = Inf) {
  if (is.null(w)) w <- rep(1, length(x))
  sign <- if (increasing) 1 else -1
  fit <- cpp_isotonic(as.double(x), sign * as.double(y), as.double(w))
  if (!increasing) {
    fit$y <- -fit$y
    fit$block_y <- -fit$block_y
  }
  if (y_min > -Inf || y_max < Inf) {
    fit$y <- pmin(pmax(fit$y, y_min), y_max)
    value <- pmin(pmax(fit$block_y, y_min), y_max)
    group <- cumsum(c(TRUE, diff(value) != 0))
    weight <- as.vector(rowsum(fit$block_w, group))
    fit$block_x <- as.vector(rowsum(fit$block_w * fit$block_x, group)) / weight
    fit$block_y <- value[!duplicated(group)]
    fit$block_w <- weight
  }
  fit
}

# The direction to fit: TRUE or FALSE as given, or for "auto" the sign of
# the weighted Spearman correlation (rho >= 0 is increasing, as
# scikit-learn's check_increasing()). Weighted mid-ranks differ from
# average ranks by a constant under equal weights, so with equal weights
# this is scikit-learn's unweighted rho. rho is NaN when x or y is
# constant, where either direction gives the same (constant) fit:
# increasing then.
isotonic_direction <- function(x, y, w, increasing = "auto") {
  if (!identical(increasing, "auto")) return(list(increasing = increasing, auto = FALSE, spearman = NULL))
  keep <- w > 0
  x <- x[keep]
  y <- y[keep]
  w <- w[keep]
  mid_rank <- function(v) {
    u <- sort(unique(v))
    k <- match(v, u)
    total <- as.vector(rowsum(w, k, reorder = TRUE))
    (cumsum(total) - total / 2)[k]
  }
  rx <- mid_rank(x) - sum(w * mid_rank(x)) / sum(w)
  ry <- mid_rank(y) - sum(w * mid_rank(y)) / sum(w)
  rho <- sum(w * rx * ry) / sqrt(sum(w * rx^2) * sum(w * ry^2))
  list(increasing = is.na(rho) || rho >= 0, auto = TRUE, spearman = rho)
}

# The fitted isotonic map at new x: linear interpolation between the knots
# (or a right-continuous step function), constant outside the knots;
# out_of_range says what happens beyond the range of the knots.
isotonic_predict <- function(fit, x, type = c("linear", "step", "strict"), out_of_range = "clip",
                             arg = "newdata", training = "x", call = rlang::caller_env()) {
  type <- type[1]
  lo <- fit$x[1L]
  hi <- fit$x[length(fit$x)]
  outside <- which(x < lo | x > hi)
  if (out_of_range == "error" && length(outside)) {
    abort_probml("newdata", c("{.arg {arg}} has {length(outside)} value{?s} outside the range of the training {training}, [{format(lo)}, {format(hi)}].",
                              x = "Element {outside[1]} is {format(x[outside[1]])}.",
                              i = "{.code out_of_range = \"error\"} refuses them; {.val clip} extends the fit as constant, {.val na} gives {.code NA}."),
                 call = call)
  }
  pred <- if (type == "strict") {
    if (length(fit$block_x) == 1L) rep(fit$block_y, length(x))
    else stats::approx(fit$block_x, fit$block_y, xout = x, rule = 2, ties = "ordered")$y
  } else if (length(fit$x) == 1L) {
    rep(fit$y, length(x))
  } else {
    stats::approx(fit$x, fit$y, xout = x, method = if (type == "step") "constant" else "linear",
                  rule = 2, f = 0, ties = "ordered")$y
  }
  pred[is.na(x)] <- NA_real_
  if (out_of_range == "na") pred[outside] <- NA_real_
  pred
}

out_of_range_choices <- c("clip", "na", "error")

# How print() reports a direction chosen by increasing = "auto".
spearman_note <- function(rho, digits) {
  paste0(" (chosen by the sign of the Spearman correlation, ",
         if (is.na(rho)) "undefined: x or y is constant" else format(signif(rho, digits)), ")")
}

# increasing: TRUE, FALSE or "auto".
check_increasing <- function(increasing, arg = "increasing", call = rlang::caller_env()) {
  if (is.character(increasing) && length(increasing) == 1L && !identical(increasing, "auto")) {
    abort_probml("choice", "{.arg {arg}} must be {.code TRUE}, {.code FALSE} or {.val auto}, not {.val {increasing}}.", call = call)
  }
  if (identical(increasing, "auto")) return(increasing)
  if (!is.logical(increasing) || length(increasing) != 1L || is.na(increasing)) {
    abort_probml("type", "{.arg {arg}} must be {.code TRUE}, {.code FALSE} or {.val auto}, not {.obj_type_friendly {increasing}}.",
                 call = call)
  }
  increasing
}

# Bounds on the fitted values: numbers (y_min may be -Inf, y_max Inf) with
# y_min <= y_max, inside [lower, upper].
check_fit_bounds <- function(y_min, y_max, lower = -Inf, upper = Inf, call = rlang::caller_env()) {
  is_inf <- function(v, inf) is.numeric(v) && length(v) == 1L && !is.object(v) && isTRUE(v == inf)
  if (!(lower == -Inf && is_inf(y_min, -Inf))) check_number(y_min, "y_min", lower = lower, upper = upper, call = call)
  if (!(upper == Inf && is_inf(y_max, Inf))) check_number(y_max, "y_max", lower = lower, upper = upper, call = call)
  if (y_min > y_max) {
    abort_probml("value", "{.arg y_min} ({format(y_min)}) must not exceed {.arg y_max} ({format(y_max)}).", call = call)
  }
  invisible(TRUE)
}

#' Isotonic regression by pool-adjacent-violators
#'
#' `pava()` fits the monotone step function of `x` closest to `y` in
#' weighted least squares,
#' \deqn{\min_f \sum_i w_i (y_i - f(x_i))^2 \quad \text{subject to } f
#' \text{ non-decreasing (or non-increasing)},\; y_{\min} \le f \le y_{\max},}{min sum w_i (y_i - f(x_i))^2, f monotone, y_min <= f <= y_max,}
#' by the pool-adjacent-violators algorithm in probml's C++ core (the one
#' [calibrate()] and [brier_decomp()] use).
#'
#' * Ties in `x` are pooled first: tied observations get one fitted value,
#'   fitted to their weighted mean with their summed weight (the
#'   "secondary" approach to ties, as [scikit-learn's
#'   IsotonicRegression](https://scikit-learn.org/stable/modules/isotonic.html);
#'   [stats::isoreg()] has no weights and does not pool ties).
#' * Observations with zero weight take no part in the fit.
#' * `increasing = FALSE` fits a non-increasing function: the increasing fit
#'   of `-y`, negated. `increasing = "auto"` chooses the direction by the
#'   sign of the weighted Spearman correlation of `x` and `y` among the
#'   observations with positive weight: increasing when it is \eqn{\ge 0}
#'   (or undefined, for constant `x` or `y`, when both directions give the
#'   same fit). With equal weights this is scikit-learn's rule
#'   (`increasing = "auto"`, which ignores the weights there). Where
#'   scikit-learn warns that a 95% confidence interval of the correlation
#'   includes 0, `pava()` keeps the correlation in `spearman` and prints it,
#'   so that a direction chosen by a correlation near 0 can be seen.
#' * `y_min` and `y_max` bound the fitted values. For squared error the
#'   bounded solution is exactly the unbounded one clipped into
#'   \[`y_min`, `y_max`\] (its KKT conditions hold at the clipped fit), as
#'   scikit-learn computes it.
#'
#' Predictions at new `x` interpolate linearly between the knots (the
#' fitted points, as scikit-learn does) or follow the right-continuous step
#' function (`type = "step"`: each knot's value holds up to the next knot);
#' outside the range
#' of the training `x` they are constant (`out_of_range = "clip"`), `NA` or
#' an error.
#'
#' @param x,y Numeric vectors of the same length: the predictor (only its
#'   order matters) and the real-valued response. No missing or infinite
#'   values.
#' @param weights Optional non-negative weights, one per observation.
#' @param increasing `TRUE` (the default) for a non-decreasing fit, `FALSE`
#'   for a non-increasing one, or `"auto"` to choose by the sign of the
#'   Spearman correlation.
#' @param y_min,y_max Bounds on the fitted values (`-Inf` and `Inf`, no
#'   bounds, by default).
#' @param ... Not used: a misspelled argument is an error.
#' @return An object of class `probml_isotonic`: a list with
#'   * `knots`: a data frame with one row per distinct `x` of positive
#'     weight: `x`, `fitted` (the fitted value there) and `weight` (the
#'     summed weight);
#'   * `blocks`: the pieces of constant fitted value: `x_min`, `x_max` (the
#'     first and last knot), `x_centre` (the weighted mean `x`), `fitted`,
#'     `weight` and `n_knots`;
#'   * `increasing` (the direction fitted), `auto` (whether it was chosen
#'     by `increasing = "auto"`), `spearman` (the correlation that chose
#'     it, or `NULL`), `bounds` (`y_min`, `y_max`);
#'   * `data`: the data (`x`, `y`, `weight`) for [fitted()], [residuals()]
#'     and [plot()]; `call`.
#'
#'   Methods: [print()], [predict()][predict.probml_isotonic], [fitted()],
#'   [residuals()], [plot()].
#' @references
#' Barlow, R. E., Bartholomew, D. J., Bremner, J. M. and Brunk, H. D. (1972).
#' Statistical Inference under Order Restrictions. Wiley.
#'
#' de Leeuw, J., Hornik, K. and Mair, P. (2009). Isotone optimization in R:
#' pool-adjacent-violators algorithm (PAVA) and active set methods. Journal
#' of Statistical Software 32(5).
#' @seealso [stats::isoreg()], [calibrate()] with `method = "isotonic"`.
#' @examples
#' set.seed(1)
#' x <- sort(runif(60, 0, 10))
#' y <- log1p(x) + rnorm(60, sd = 0.3)
#' fit <- pava(x, y)
#' fit
#' predict(fit, c(-1, 2.5, 5, 12))
#' predict(fit, c(-1, 2.5, 5, 12), out_of_range = "na", type = "step")
#'
#' # Weights, ties and a decreasing fit chosen automatically
#' xt <- round(x)
#' fit_dec <- pava(xt, -y, weights = rep(1:3, 20), increasing = "auto")
#' fit_dec$increasing
#' fit_dec$blocks
#'
#' # Bounded fitted values
#' fit_b <- pava(x, y, y_min = 0.5, y_max = 2)
#' range(fitted(fit_b))
#' plot(fit_b)
#' @export
pava <- function(x, y, weights = NULL, increasing = TRUE, y_min = -Inf, y_max = Inf, ...) {
  check_dots_empty(...)
  x <- check_real(x, "x")
  y <- check_real(y, "y")
  if (length(y) != length(x)) {
    abort_probml("length", "{.arg y} has length {length(y)} but {.arg x} has length {length(x)}; they must match.")
  }
  w <- check_weights(weights, length(x))
  increasing <- check_increasing(increasing)
  check_fit_bounds(y_min, y_max)

  dir <- isotonic_direction(x, y, w, increasing)
  fit <- isotonic_pava(x, y, w, dir$increasing, y_min, y_max)
  run <- cumsum(c(TRUE, diff(fit$y) != 0))
  blocks <- data.frame(x_min = fit$x[!duplicated(run)], x_max = fit$x[!duplicated(run, fromLast = TRUE)],
                       x_centre = fit$block_x, fitted = fit$block_y, weight = fit$block_w,
                       n_knots = tabulate(run))
  structure(list(knots = data.frame(x = fit$x, fitted = fit$y, weight = fit$w), blocks = blocks,
                 increasing = dir$increasing, auto = dir$auto, spearman = dir$spearman,
                 bounds = c(y_min = y_min, y_max = y_max),
                 data = data.frame(x = x, y = y, weight = w), call = match.call()),
            class = "probml_isotonic")
}

# The fit as isotonic_predict() reads it.
isotonic_knots <- function(object) {
  list(x = object$knots$x, y = object$knots$fitted, block_x = object$blocks$x_centre,
       block_y = object$blocks$fitted)
}

#' Predictions, fitted values and residuals of an isotonic regression
#'
#' @param object,x A `probml_isotonic` from [pava()].
#' @param newdata Numeric values of the predictor. If missing, the fitted
#'   values of the training data.
#' @param out_of_range What to return at `newdata` outside the range of the
#'   training `x` (of positive weight): `"clip"` (the default) the fitted
#'   value at the nearest end, `"na"` `NA`, `"error"` an error of class
#'   `probml_error_newdata`. Missing `newdata` give `NA`.
#' @param type `"linear"` (the default) interpolates linearly between the
#'   knots; `"step"` is the right-continuous step function through them.
#' @param digits Significant digits to print.
#' @param xlab,ylab,main Axis labels and title of the plot.
#' @param ... Not used by `predict()`, `fitted()`, `residuals()` and
#'   `print()` (a misspelled argument is an error); passed to [plot()] by
#'   `plot()`.
#' @return `predict()`: a numeric vector of predictions. `fitted()`: the
#'   fitted value of each training observation, in their order
#'   (observations of zero weight get the fitted function's value at their
#'   `x`, by linear interpolation and clipping); `residuals()`: `y` minus
#'   it. `print()` and `plot()` return `x` invisibly.
#' @details `plot()` draws the data (grey points, their area proportional
#'   to the weight when the weights differ), the fitted function (by
#'   `type`) with its knots, and the bounds when they are finite, in base
#'   graphics.
#' @examples
#' set.seed(2)
#' x <- runif(40)
#' fit <- pava(x, x^2 + rnorm(40, sd = 0.1))
#' predict(fit, c(0, 0.5, 1))
#' head(residuals(fit))
#' plot(fit, type = "step")
#' @export
predict.probml_isotonic <- function(object, newdata, out_of_range = c("clip", "na", "error"),
                                    type = c("linear", "step"), ...) {
  check_dots_empty(...)
  out_of_range <- if (missing(out_of_range)) "clip" else check_choice(out_of_range, out_of_range_choices, "out_of_range")
  type <- if (missing(type)) "linear" else check_choice(type, c("linear", "step"), "type")
  if (missing(newdata)) {
    newdata <- object$data$x
  } else if (!is.numeric(newdata) || is.object(newdata) || !is.null(dim(newdata)) && NCOL(newdata) != 1L) {
    abort_probml("type", "{.arg newdata} must be a numeric vector, not {.obj_type_friendly {newdata}}.")
  }
  isotonic_predict(isotonic_knots(object), as.double(newdata), type, out_of_range)
}

#' @rdname predict.probml_isotonic
#' @export
fitted.probml_isotonic <- function(object, ...) {
  check_dots_empty(...)
  isotonic_predict(isotonic_knots(object), object$data$x, "linear")
}

#' @rdname predict.probml_isotonic
#' @export
residuals.probml_isotonic <- function(object, ...) {
  check_dots_empty(...)
  object$data$y - fitted(object)
}

#' @rdname predict.probml_isotonic
#' @export
print.probml_isotonic <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  fmt <- function(v) format(signif(v, digits))
  direction <- if (x$increasing) "non-decreasing" else "non-increasing"
  how <- if (x$auto) spearman_note(x$spearman, digits) else ""
  cat("Isotonic regression (PAVA): ", direction, how, "\n", sep = "")
  n <- nrow(x$data)
  used <- sum(x$data$weight > 0)
  cat(n, " observation", if (n != 1L) "s", if (used < n) paste0(" (", used, " of positive weight)"), " at ",
      nrow(x$knots), " distinct x in ", nrow(x$blocks), " block", if (nrow(x$blocks) != 1L) "s", "\n", sep = "")
  bounded <- is.finite(x$bounds)
  if (any(bounded)) {
    cat("Bounds on the fitted values: [", fmt(x$bounds[["y_min"]]), ", ", fmt(x$bounds[["y_max"]]), "]\n", sep = "")
  }
  cat("Fitted values in [", fmt(min(x$knots$fitted)), ", ", fmt(max(x$knots$fitted)), "] over x in [",
      fmt(min(x$knots$x)), ", ", fmt(max(x$knots$x)), "]\n", sep = "")
  shown <- utils::head(x$blocks, 6L)
  shown[] <- lapply(shown, function(v) if (is.double(v)) signif(v, digits) else v)
  print(shown, row.names = FALSE)
  if (nrow(x$blocks) > 6L) cat("... and ", nrow(x$blocks) - 6L, " more blocks in $blocks\n", sep = "")
  invisible(x)
}

#' @rdname predict.probml_isotonic
#' @export
plot.probml_isotonic <- function(x, type = c("linear", "step"), xlab = "x", ylab = "y",
                                 main = "Isotonic regression", ...) {
  type <- if (missing(type)) "linear" else check_choice(type, c("linear", "step"), "type")
  cols <- probml_palette(2L)
  d <- x$data[x$data$weight > 0, , drop = FALSE]
  cex <- if (diff(range(d$weight)) > 0) 0.4 + 1.2 * sqrt(d$weight / max(d$weight)) else 0.8
  k <- x$knots
  ylim <- range(d$y, k$fitted, x$bounds[is.finite(x$bounds)])
  graphics::plot(d$x, d$y, pch = 19, cex = cex, col = grDevices::adjustcolor("grey50", 0.6),
                 xlab = xlab, ylab = ylab, main = main, ylim = ylim, ...)
  graphics::lines(k$x, k$fitted, type = if (type == "step") "s" else "l", lwd = 2, col = cols[1L])
  graphics::points(k$x, k$fitted, pch = 19, cex = 0.5, col = cols[1L])
  bounded <- is.finite(x$bounds)
  if (any(bounded)) graphics::abline(h = x$bounds[bounded], lty = 3, col = cols[2L])
  fit <- along_segments(utils::head(k$x, -1L), utils::head(k$fitted, -1L), k$x[-1L], k$fitted[-1L])
  usr <- graphics::par("usr")
  b <- x$bounds[bounded]
  flat <- along_segments(rep(usr[1], length(b)), b, rep(usr[2], length(b)), b, n = 50L)
  base_legend_free(c(d$x, fit$x, flat$x), c(d$y, fit$y, flat$y), legend = c("data", paste0("isotonic fit (", type, ")"), if (any(bounded)) "bounds on the fitted values"),
              pch = c(19, 19, if (any(bounded)) NA), lty = c(NA, 1, if (any(bounded)) 3),
              col = c("grey50", cols[1L], if (any(bounded)) cols[2L]))
  invisible(x)
}
