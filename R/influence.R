# glm's working quantities and leverages of a fit with one linear predictor.
# For a row with local nll l(eta), glm's working weight is the prior weight
# times (dmu/deta)^2 / V(mu), which is the expected curvature of l in eta
# times the dispersion; the working residual (y - mu) deta/dmu is
# -l'(eta) / (expected curvature). Families without an expected information
# use the observed curvature.

# The local first and second derivatives in the (single) linear predictor at
# the estimate, and the dispersion: list(d1, curvature, dispersion).
# glm's working quantities exist for one linear predictor with the intercept
# in its design (not several, nor cut-points).
has_working_quantities <- function(info) info$n_linear == 1L && !info$absorbs_intercept

working_parts <- function(object, call = rlang::caller_env()) {
  info <- fit_family_info(object)
  if (!has_working_quantities(info)) {
    abort_probml("unsupported", c("glm's working weights, working residuals and leverages are defined for a family with one linear predictor and an intercept in its design, not {info$label}.",
                                  i = "With several linear predictors or cut-points they have no single meaning."),
                 call = call)
  }
  spec <- family_spec(object$family, object$levels)
  local <- cpp_family_local(spec, object$linear_predictors, object$y, aux_values(object, info), 2L)
  curvature <- if (info$has_expected) local$expected[, 1L] else local$d2[, 1L]
  list(d1 = local$d1[, 1L], curvature = curvature, dispersion = family_moments(object)$dispersion)
}

# glm's working weights: prior weight x (dmu/deta)^2 / V(mu).
working_weights <- function(object, call = rlang::caller_env()) {
  parts <- working_parts(object, call = call)
  object$prior_weights * parts$curvature * parts$dispersion
}

# glm's working residuals: (y - mu) deta/dmu.
working_residuals <- function(object, call = rlang::caller_env()) {
  parts <- working_parts(object, call = call)
  -parts$d1 / parts$curvature
}

# The design of the linear predictor as a matrix, without aliased columns.
estimated_design <- function(object, call = rlang::caller_env()) {
  X <- model_parts(object, call = call)[[1L]]
  if (inherits(X, "probml_columns")) X <- model.matrix(object$terms[[1L]], object$model, object$contrasts[[1L]])
  keep <- object$estimated[colnames(X)]
  X[, keep, drop = FALSE]
}

#' Leverages of a probml fit
#'
#' The diagonal of the hat matrix
#' \eqn{H = W^{1/2} X (X' W X)^{-1} X' W^{1/2}}{H = W^(1/2) X (X'WX)^-1 X' W^(1/2)}
#' of the fit's last iteratively reweighted least-squares step, with `W`
#' glm's working weights (see [weights()][weights.probml_fit()]): the same
#' numbers as `hatvalues()` of the corresponding `glm()` fit. Defined for
#' maximum-likelihood fits of families with one linear predictor.
#'
#' @param model A `probml_fit`.
#' @param ... Not used: a misspelled argument is an error.
#' @return A vector of leverages, one per observation of positive weight
#'   (rows of weight zero are left out, as `glm()` leaves them out; rows
#'   omitted with `na.exclude` are `NA`).
#' @seealso [residuals()][residuals.probml_fit()], [stats::hatvalues()].
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' head(hatvalues(fit))
#' @export
hatvalues.probml_fit <- function(model, ...) {
  check_dots_empty(...)
  lev <- leverage_parts(model)
  h <- numeric(length(lev$used))
  h[lev$used] <- lev$hat
  names(h) <- lev$names
  used <- lev$used
  if (!is.null(model$na.action)) {
    h <- naresid(model$na.action, h)
    used <- naresid(model$na.action, used)
  }
  h[is.na(used) | used]
}

# The QR decomposition of W^(1/2) X over the rows of positive weight (glm's
# last IRLS step) and its leverages; refused for MAP fits.
leverage_parts <- function(model, call = rlang::caller_env()) {
  if (is_map_fit(model)) {
    abort_probml("unsupported", c("Leverages and influence measures are defined for maximum-likelihood fits, not MAP fits.",
                                  i = "A prior shrinks the fit, so the leverages of the unpenalised least-squares step do not describe it."),
                 call = call)
  }
  used <- model$prior_weights > 0
  sw <- sqrt(working_weights(model, call = call))[used]
  X <- estimated_design(model, call = call)
  qr <- qr(X[used, , drop = FALSE] * sw)
  list(used = used, qr = qr, hat = rowSums(qr.Q(qr)^2), names = rownames(X))
}

#' Regression diagnostics of a probml fit
#'
#' glm's influence measures for a maximum-likelihood fit of a family with
#' one linear predictor, computed from the fit's last iteratively
#' reweighted least-squares step: the same numbers as the functions of the
#' corresponding `glm()` fit.
#'
#' * `influence()`: [stats::influence.measures()]' raw material, as
#'   [stats::lm.influence()] gives it for a glm: `hat` (the leverages),
#'   `coefficients` (with `do.coef = TRUE`: the approximate change in each
#'   coefficient when the row is dropped, one row per observation),
#'   `sigma` (the leave-one-out estimate of the residual standard deviation,
#'   from the deviance residuals), `dev.res` and `pear.res` (deviance and
#'   Pearson residuals).
#' * `rstandard()`: standardized residuals, the deviance (or Pearson)
#'   residual over \eqn{\sqrt{\phi (1 - h_i)}}{sqrt(phi (1 - h_i))}, with
#'   \eqn{\phi}{phi} glm's dispersion (1 for the Bernoulli and Poisson
#'   families; for the Gaussian family the moment estimate, Pearson
#'   \eqn{\chi^2}{chi^2} over [df.residual()][stats::df.residual()],
#'   as `summary.glm()` uses).
#' * `rstudent()`: studentized (leave-one-out) residuals, `rstudent.glm()`'s
#'   approximation: the signed root of \eqn{d_i^2 + h_i r_i^2 / (1 - h_i)}{d_i^2 + h_i r_i^2 / (1 - h_i)}
#'   (deviance residual d, Pearson residual r), divided by the leave-one-out
#'   sigma where the dispersion is estimated, by \eqn{\sqrt\phi}{sqrt(phi)}
#'   otherwise.
#' * `cooks.distance()`: \eqn{(r_i / (1 - h_i))^2 h_i / (\phi p)}{(r_i / (1 - h_i))^2 h_i / (phi p)},
#'   with p the number of estimated regression coefficients.
#'
#' Rows of weight zero are left out, as `glm()` leaves them out; rows
#' omitted with `na.exclude` are `NA` (in `influence()`, as
#' [stats::lm.influence()] pads them: leverage and coefficient changes 0).
#'
#' @param model A `probml_fit` (a maximum-likelihood fit of a family with
#'   one linear predictor; MAP fits and families with several linear
#'   predictors or cut-points are refused).
#' @param do.coef Also return the coefficient changes (`influence()`).
#' @param infl The fit's `influence()`, to reuse it (as for the glm methods).
#' @param type `"deviance"` or `"pearson"` residuals to standardize.
#' @param ... Not used: a misspelled argument is an error.
#' @return `influence()`: a list with `hat`, `coefficients` (with
#'   `do.coef = TRUE`), `sigma`, `dev.res` and `pear.res`. The others: a
#'   vector with one value per observation.
#' @seealso [hatvalues()][hatvalues.probml_fit()], [residuals()][residuals.probml_fit()],
#'   [plot()][plot.probml_fit()] for the diagnostic plots.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' head(rstandard(fit))
#' head(rstudent(fit))
#' head(cooks.distance(fit))
#' str(influence(fit, do.coef = FALSE))
#' @name probml_influence
NULL

#' @rdname probml_influence
#' @export
influence.probml_fit <- function(model, do.coef = TRUE, ...) {
  check_dots_empty(...)
  check_flag(do.coef, "do.coef")
  lev <- leverage_parts(model)
  used <- lev$used
  dev <- residuals(model, "deviance")
  pear <- residuals(model, "pearson")
  if (!is.null(model$na.action)) {
    dev <- stats::na.omit(dev)
    pear <- stats::na.omit(pear)
  }
  e <- unname(dev[used])
  e[abs(e) < 100 * .Machine$double.eps * stats::median(abs(e))] <- 0
  h <- lev$hat
  h[h > 1 - 10 * .Machine$double.eps] <- 1
  n <- sum(used)
  p <- lev$qr$rank
  drop_i <- ifelse(h < 1, e^2 / (1 - h), 0)
  sigma <- sqrt((sum(e^2) - drop_i) / (n - p - 1))
  nm <- lev$names[used]
  out <- list(hat = stats::setNames(h, nm))
  if (do.coef) {
    Q <- qr.Q(lev$qr)
    R <- qr.R(lev$qr)
    cf <- t(backsolve(R, t(Q))) * ifelse(h == 1, 0, e / (1 - h))
    dimnames(cf) <- list(nm, colnames(R))
    out$coefficients <- cf
  }
  out$sigma <- stats::setNames(sigma, nm)
  out$dev.res <- stats::setNames(e, nm)
  out$pear.res <- stats::setNames(unname(pear[used]), nm)
  if (!is.null(model$na.action)) {
    pad <- function(x, fill) {
      x <- naresid(model$na.action, x)
      if (!missing(fill)) x[is.na(x)] <- fill
      x
    }
    out$hat <- pad(out$hat, 0)
    if (do.coef) out$coefficients <- pad(out$coefficients, 0)
    out$sigma <- pad(out$sigma, sqrt(sum(e^2) / df.residual(model)))
    out$dev.res <- pad(out$dev.res)
    out$pear.res <- pad(out$pear.res)
  }
  out
}

# The list influence() returns, as the glm methods' `infl`.
check_influence <- function(infl, call = rlang::caller_env()) {
  if (!is.list(infl) || !all(c("hat", "sigma", "dev.res", "pear.res") %in% names(infl))) {
    abort_probml("type", "{.arg infl} must be the list {.fn influence} returns for the fit, with {.field hat}, {.field sigma}, {.field dev.res} and {.field pear.res}.",
                 call = call)
  }
  invisible(infl)
}

#' @rdname probml_influence
#' @export
rstandard.probml_fit <- function(model, infl = influence(model, do.coef = FALSE), type = c("deviance", "pearson"), ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "deviance" else check_choice(type, c("deviance", "pearson"), "type")
  check_influence(infl)
  res <- if (type == "pearson") infl$pear.res else infl$dev.res
  res <- res / sqrt(glm_dispersion(model) * (1 - infl$hat))
  res[is.infinite(res)] <- NaN
  res
}

#' @rdname probml_influence
#' @export
rstudent.probml_fit <- function(model, infl = influence(model, do.coef = FALSE), ...) {
  check_dots_empty(...)
  check_influence(infl)
  r <- infl$dev.res
  r <- sign(r) * sqrt(r^2 + (infl$hat * infl$pear.res^2) / (1 - infl$hat))
  r[is.infinite(r)] <- NaN
  if (fit_family_info(model)$free_dispersion) r / infl$sigma else r / sqrt(glm_dispersion(model))
}

#' @rdname probml_influence
#' @export
cooks.distance.probml_fit <- function(model, infl = influence(model, do.coef = FALSE), ...) {
  check_dots_empty(...)
  check_influence(infl)
  res <- (infl$pear.res / (1 - infl$hat))^2 * infl$hat / (glm_dispersion(model) * regression_rank(model))
  res[is.infinite(res)] <- NaN
  res
}

#' Observation weights of a probml fit
#'
#' @param object A `probml_fit`.
#' @param type `"prior"`: the weights given to the fit (1 where none were);
#'   `"working"`: glm's working weights of the last iteratively reweighted
#'   least-squares step, the prior weight times
#'   \eqn{(d\mu/d\eta)^2 / V(\mu)}{(dmu/deta)^2 / V(mu)} (for families with
#'   one linear predictor).
#' @param ... Not used: a misspelled argument is an error.
#' @return A vector of weights, one per observation.
#' @seealso [hatvalues()][hatvalues.probml_fit()].
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli("probit"))
#' head(weights(fit, "working"))
#' @export
weights.probml_fit <- function(object, type = c("prior", "working"), ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "prior" else check_choice(type, c("prior", "working"), "type")
  w <- if (type == "prior") object$prior_weights else working_weights(object)
  if (is.null(object$na.action)) return(w)
  naresid(object$na.action, w)
}

# The number of estimated regression coefficients (auxiliary parameters such
# as sigma or a shape are not counted, as glm does not count its dispersion).
regression_rank <- function(object) sum(object$estimated) - fit_family_info(object)$n_aux

#' @export
df.residual.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  object$nobs - regression_rank(object)
}

# glm's dispersion: for a family whose dispersion glm estimates (Gaussian,
# Gamma, inverse Gaussian; see Family::free_dispersion()) the moment estimate
# Pearson chi^2 / df.residual, which summary.glm() uses; otherwise the
# family's own (1 for the Bernoulli and Poisson families). `moment = TRUE`
# gives the moment estimate for any family (the quasi-likelihood dispersion).
glm_dispersion <- function(object, moment = fit_family_info(object)$free_dispersion, call = rlang::caller_env()) {
  if (!moment) return(family_moments(object)$dispersion)
  # Pearson's chi^2 terms: working weight x working residual^2.
  parts <- working_parts(object, call = call)
  pearson <- object$prior_weights * parts$dispersion * parts$d1^2 / parts$curvature
  sum(pearson[object$prior_weights > 0]) / df.residual(object)
}

#' Diagnostic plots of a probml fit
#'
#' The panels of [stats::plot.lm()], numbered as there: 1 residuals against
#' the linear predictor, 2 a normal Q-Q plot, 3 scale-location (the root of
#' the absolute residuals against the linear predictor), 4 Cook's distances
#' by observation and 5 residuals against leverage with contours of equal
#' Cook's distance.
#'
#' For a maximum-likelihood Gaussian fit (least squares) the residuals are
#' those of `plot.lm()`: deviance residuals in panel 1, standardized ones
#' ([rstandard()][rstandard.probml_fit()]) in 2 and 3. For every other fit
#' panels 1 to 3 show randomized quantile
#' residuals ([residuals()][residuals.probml_fit()] with `type =
#' "quantile"`), which are N(0, 1) for a correctly specified model whatever
#' the family; they are drawn once per call, so call [set.seed()] first to
#' reproduce a plot. Panel 5 shows standardized Pearson residuals, which
#' the Cook's distance contours are drawn for. Panels 4 and 5 need
#' leverages, so they are only drawn (and by default only offered) for
#' maximum-likelihood fits of families with one linear predictor.
#'
#' @param x A `probml_fit`.
#' @param which The panels to draw, a subset of 1:5; by default 1, 2, 3 and
#'   (where leverages are defined) 5, as `plot.lm()`.
#' @param ask Prompt before each new page of panels.
#' @param id.n The number of most extreme points to label in each panel.
#' @param labels.id Labels for the points: by default the row names.
#' @param cook.levels The Cook's distances of the contours in panel 5.
#' @param add.smooth Add a [stats::lowess()] smoother to panels 1, 3 and 5.
#' @param ... Further graphical parameters for [graphics::plot()].
#' @return `x`, invisibly.
#' @seealso [residuals()][residuals.probml_fit()],
#'   [cooks.distance()][cooks.distance.probml_fit()], [hatvalues()][hatvalues.probml_fit()].
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' op <- par(mfrow = c(2, 2))
#' set.seed(1)
#' plot(fit)
#' par(op)
#' plot(fit_mle(mpg ~ wt + hp, data = mtcars), which = 5)
#' @export
plot.probml_fit <- function(x, which = NULL, ask = NULL, id.n = 3, labels.id = NULL,
                            cook.levels = c(0.5, 1), add.smooth = getOption("add.smooth", TRUE), ...) {
  info <- fit_family_info(x)
  has_leverage <- !is_map_fit(x) && has_working_quantities(info)
  if (is.null(which)) {
    which <- if (has_leverage) c(1L, 2L, 3L, 5L) else 1:3
  } else if (!is.numeric(which) || !length(which)) {
    abort_probml("type", "{.arg which} must be panel numbers in 1 to 5, not {.obj_type_friendly {which}}.")
  } else if (anyNA(which) || any(!which %in% 1:5)) {
    bad <- which[is.na(which) | !which %in% 1:5]
    abort_probml("value", "{.arg which} must be panel numbers in 1 to 5, not {.val {bad}}.")
  }
  which <- sort(unique(as.integer(which)))
  if (any(which %in% 4:5) && !has_leverage) {
    abort_probml("unsupported", c("Panels 4 and 5 need leverages, which are not defined for this fit.",
                                  i = "They need a maximum-likelihood fit of a family with one linear predictor; draw {.code which = 1:3}."))
  }
  check_number(id.n, "id.n", lower = 0, integer = TRUE)
  check_flag(add.smooth, "add.smooth")
  if (is.null(ask)) ask <- prod(graphics::par("mfcol")) < length(which) && grDevices::dev.interactive()
  check_flag(ask, "ask")
  gaussian <- info$least_squares && has_leverage
  eta <- x$linear_predictors[, 1L]
  if (gaussian) {
    r <- residuals(x, "deviance")
    rs <- rep(NA_real_, length(x$prior_weights))
    rs[x$prior_weights > 0] <- stats::na.omit(rstandard(x))  # rows of weight zero have none
    r_label <- "Residuals"
    rs_label <- "Std. deviance resid."
  } else {
    r <- rs <- residuals(x, "quantile")
    r_label <- rs_label <- "Randomized quantile residuals"
  }
  if (!is.null(x$na.action)) r <- stats::na.omit(r)
  if (!gaussian && !is.null(x$na.action)) rs <- stats::na.omit(rs)
  r <- as.vector(r)
  rs <- as.vector(rs)
  labels.id <- labels.id %||% names(x$prior_weights) %||% rownames(x$model) %||% as.character(seq_along(eta))
  if (length(labels.id) != length(eta)) {
    abort_probml("value", "{.arg labels.id} must have one label per observation used in the fit ({length(eta)}), not {length(labels.id)}.")
  }
  if (any(which %in% 4:5)) {
    lev <- leverage_parts(x)
    used <- which(lev$used)
    h <- lev$hat
    cook <- cooks.distance(x)
    if (!is.null(x$na.action)) cook <- stats::na.omit(cook)
    rp <- as.vector(stats::na.omit(rstandard(x, type = "pearson")))
  }
  x_label <- paste0("Predicted values (", info$linear_predictor_names[1L], ")")
  smooth_col <- probml_palette(4L)[4L]
  smooth <- function(u, v) if (add.smooth) graphics::lines(stats::lowess(u, v), col = smooth_col)
  label_extremes <- function(u, v, score, ids) {
    if (id.n < 1) return(invisible())
    top <- utils::head(order(score, decreasing = TRUE), id.n)
    graphics::text(u[top], v[top], ids[top], pos = 4, cex = 0.75, xpd = TRUE)
  }
  if (ask) {
    old <- grDevices::devAskNewPage(TRUE)
    on.exit(grDevices::devAskNewPage(old), add = TRUE)
  }
  if (1L %in% which) {
    graphics::plot(eta, r, xlab = x_label, ylab = r_label, main = "Residuals vs Fitted", ...)
    graphics::abline(h = 0, lty = 3, col = "grey")
    smooth(eta, r)
    label_extremes(eta, r, abs(r), labels.id)
  }
  if (2L %in% which) {
    qq <- stats::qqnorm(rs, xlab = "Theoretical Quantiles", ylab = rs_label, main = "Q-Q Residuals", ...)
    stats::qqline(rs, lty = 3, col = "grey50")
    label_extremes(qq$x, qq$y, abs(rs), labels.id)
  }
  if (3L %in% which) {
    s <- sqrt(abs(rs))
    graphics::plot(eta, s, xlab = x_label, ylab = paste0("sqrt(|", rs_label, "|)"), main = "Scale-Location", ...)
    smooth(eta, s)
    label_extremes(eta, s, s, labels.id)
  }
  if (4L %in% which) {
    graphics::plot(seq_along(cook), cook, type = "h", xlab = "Obs. number", ylab = "Cook's distance",
                   main = "Cook's distance", ...)
    label_extremes(seq_along(cook), cook, cook, labels.id[used])
  }
  if (5L %in% which) {
    graphics::plot(h, rp, xlim = c(0, max(h, na.rm = TRUE)), xlab = "Leverage", ylab = "Std. Pearson resid.",
                   main = "Residuals vs Leverage", ...)
    graphics::abline(h = 0, v = 0, lty = 3, col = "grey")
    smooth(h, rp)
    p <- regression_rank(x)
    hh <- seq(min(0.01, max(h) / 100), max(h), length.out = 101)
    for (level in cook.levels) {
      band <- sqrt(level * p * (1 - hh) / hh)
      graphics::lines(hh, band, lty = 2, col = smooth_col)
      graphics::lines(hh, -band, lty = 2, col = smooth_col)
    }
    graphics::legend("bottomleft", legend = "Cook's distance", lty = 2, col = smooth_col, bty = "n")
    label_extremes(h, rp, cook, labels.id[used])
  }
  invisible(x)
}
