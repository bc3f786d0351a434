#' Predict from a probml fit
#'
#' @param object A `probml_fit`.
#' @param newdata A data frame (for formula fits) or a numeric matrix with
#'   the columns of `x` (for [fit_mle_xy()] fits; a list `list(x =, z =)`
#'   for the heteroscedastic family). It needs no response. Omitted: the
#'   fitted data.
#' @param type `"link"`: the linear predictor(s); `"response"`: the mean of
#'   y (class probabilities for the categorical and ordinal families);
#'   `"prob"`: class probabilities (Bernoulli: P(y = 1)); `"class"`: the
#'   most probable class; `"terms"`: as `predict.glm(type = "terms")`, each
#'   term's contribution to the (first) linear predictor, centred on the
#'   fitted data's column means when the model has an intercept, with the
#'   centring constant as attribute `"constant"` (a matrix with a column
#'   per term; families with one linear predictor, formula fits).
#' @param se.fit Also return standard errors (delta method, from
#'   `vcov(object)`), for types `"link"`, `"response"` and `"terms"`.
#' @param interval `"none"`, `"confidence"` or `"prediction"`: with an
#'   interval the fit is a matrix with columns `fit`, `lwr` and `upr`
#'   (types `"link"` and `"response"`, families with one mean). Confidence
#'   intervals for the mean are formed on the link scale from the standard
#'   errors, `eta +- qnorm((1 + level) / 2) se`, and for `type =
#'   "response"` carried through the inverse link, as for a `glm` fit.
#'   Prediction intervals for a new response are the `(1 - level) / 2` and
#'   `(1 + level) / 2` quantiles of the fitted likelihood's predictive
#'   distribution (Poisson, beta, Laplace, heteroscedastic Gaussian, ...) at
#'   the row's fitted mean and variance; they include the noise but not the
#'   uncertainty of the estimates. For the Gaussian family (least squares)
#'   both intervals are `predict.lm()`'s: the t quantile on the residual
#'   degrees of freedom, with the unbiased \eqn{\sigma^2 = RSS/(n - p)}{sigma^2 = RSS/(n - p)}
#'   in the standard errors and, for prediction, added to their square
#'   (with `lik_gaussian(sigma =)`, the normal quantile and the known
#'   \eqn{\sigma^2}{sigma^2}). Families without a predictive distribution of
#'   their mean and variance (Student t, Huber, and the discrete-class
#'   families) have no prediction intervals (`probml_error_unsupported`).
#' @param level The confidence or coverage level of the interval.
#' @param na.action What to do with missing values in `newdata`; the
#'   default `na.pass` returns `NA` predictions for those rows. Without
#'   `newdata`, the fit's own `na.action` applies: with `na.exclude`, the
#'   omitted rows come back as `NA`, as from [fitted()].
#' @param ... Not used: a misspelled or unsupported argument is an error.
#' @return A vector or, for several linear predictors or classes, a matrix;
#'   a matrix `fit`, `lwr`, `upr` with an interval; with `se.fit = TRUE` a
#'   list with `fit` and `se.fit`.
#' @examples
#' fit <- fit_mle(Sat ~ Infl + Type + Cont, data = MASS::housing,
#'                weights = Freq, family = lik_ordinal())
#' nd <- data.frame(Infl = "High", Type = "Tower", Cont = "Low")
#' predict(fit, nd, type = "prob")
#' predict(fit, nd, type = "class")
#'
#' counts <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' nd <- data.frame(wool = c("A", "B"), tension = "M")
#' predict(counts, nd, type = "response", interval = "confidence")
#' predict(counts, nd, type = "response", interval = "prediction")
#' head(predict(counts, type = "terms"))
#' @export
predict.probml_fit <- function(object, newdata, type = c("link", "response", "prob", "class", "terms"),
                               se.fit = FALSE, interval = c("none", "confidence", "prediction"), level = 0.95,
                               na.action = na.pass, ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "link" else check_choice(type, c("link", "response", "prob", "class", "terms"), "type")
  interval <- if (missing(interval)) "none" else check_choice(interval, c("none", "confidence", "prediction"), "interval")
  check_level(level)
  check_flag(se.fit, "se.fit")
  info <- fit_family_info(object)
  discrete <- info$response %in% c("binary", "classes", "ordered")
  if (type %in% c("prob", "class") && !discrete) {
    abort_probml("unsupported", "{.code type = \"{type}\"} needs a discrete response; {info$label} has a continuous one.")
  }
  if (se.fit && type == "class") abort_probml("unsupported", "{.arg se.fit} is not available for {.code type = \"class\"}.")
  new <- prediction_inputs(object, if (missing(newdata)) NULL else newdata, na.action)
  if (type == "terms") {
    if (interval != "none") abort_probml("unsupported", "{.arg interval} is not available for {.code type = \"terms\"}.")
    out <- predict_terms(object, new, info, se.fit)
    if (!se.fit) return(pad_prediction(out, new$na.action))
    return(list(fit = pad_prediction(out$fit, new$na.action), se.fit = pad_prediction(out$se.fit, new$na.action)))
  }
  if (interval != "none") {
    out <- prediction_interval(object, new, type, interval, level, info)
    if (!se.fit) return(pad_prediction(out$fit, new$na.action))
    return(list(fit = pad_prediction(out$fit, new$na.action), se.fit = pad_prediction(out$se.fit, new$na.action)))
  }
  value <- prediction_value(object, new, type, object$coefficients, info)
  if (!se.fit) return(pad_prediction(value, new$na.action))
  se <- prediction_se(object, new, type, info)
  list(fit = pad_prediction(value, new$na.action), se.fit = pad_prediction(se, new$na.action))
}

# fit/lwr/upr: confidence intervals on the link scale through the inverse
# link; prediction intervals from the predictive distribution's quantiles;
# lm's intervals for least squares.
prediction_interval <- function(object, new, type, interval, level, info, call = rlang::caller_env()) {
  if (!type %in% c("link", "response") || (type == "link" && info$n_linear != 1L) || info$n_mean_columns != 1L ||
      info$response %in% c("classes", "ordered")) {
    abort_probml("unsupported", c("{.arg interval} needs the mean of a family with one mean ({.code type = \"response\"}, or {.code \"link\"} with one linear predictor), not {.code type = \"{type}\"} of {info$label}.",
                                  i = if (info$n_mean_columns > 1L) "For class probabilities use {.arg se.fit}."), call = call)
  }
  # the first linear predictor is the mean's
  U <- as.matrix(prediction_value(object, new, "link", object$coefficients, info))
  eta <- U[, 1L]
  se <- as.matrix(prediction_se(object, new, "link", info))[, 1L]
  a <- (1 - level) / 2
  lsq <- info$least_squares
  if (lsq) {
    # predict.lm(): the unbiased variance and the t quantile, or a known sigma.
    ml <- family_moments(object)$dispersion
    phi <- glm_dispersion(object, call = call)
    se <- se * sqrt(phi / ml)
    q <- if (info$free_dispersion) stats::qt(1 - a, df.residual(object)) else stats::qnorm(1 - a)
  }
  if (interval == "confidence") {
    if (!lsq) q <- stats::qnorm(1 - a)
    lims <- cbind(fit = eta, lwr = eta - q * se, upr = eta + q * se)
    if (type == "response") {
      ends <- cbind(mean_at(object, U, lims[, "lwr"]), mean_at(object, U, lims[, "upr"]))
      lims <- cbind(fit = mean_at(object, U, eta), lwr = pmin(ends[, 1L], ends[, 2L]), upr = pmax(ends[, 1L], ends[, 2L]))
    }
    return(list(fit = lims, se.fit = se))
  }
  if (type == "link" && !identical(object$family$link, "identity")) {
    abort_probml("unsupported", "A prediction interval is for a new response: use {.code type = \"response\"}.", call = call)
  }
  if (lsq) {
    half <- q * sqrt(se^2 + glm_dispersion(object, call = call))
    return(list(fit = cbind(fit = eta, lwr = eta - half, upr = eta + half), se.fit = se))
  }
  if (is.na(member_distribution(info$predictive_distribution))) {
    abort_probml("unsupported", c("The {info$label} family has no predictive distribution given by its mean and variance, so no prediction interval.",
                                  i = "{.fn simulate} draws from the fitted likelihood."), call = call)
  }
  dist <- predictive_distributions[[info$predictive_distribution]]
  core <- core_predict(object, new, object$coefficients)
  mu <- core$mean[, 1L]
  v <- rep(core$variance, length.out = length(mu))
  fit <- if (type == "response") mu else eta
  list(fit = cbind(fit = fit, lwr = dist$quantile(a, mu, v), upr = dist$quantile(1 - a, mu, v)), se.fit = se)
}

# The mean of y (the inverse link, by the core) with the first linear
# predictor at `eta` and the others as in U; NA rows stay NA.
mean_at <- function(object, U, eta) {
  U[, 1L] <- eta
  ok <- stats::complete.cases(U)
  out <- rep(NA_real_, nrow(U))
  out[ok] <- call_core(cpp_family_moments(family_spec(object$family, object$levels), U[ok, , drop = FALSE],
                                          aux_values(object)))$mean[, 1L]
  out
}

# predict.glm(type = "terms"): each term's columns times its coefficients,
# centred on the fitted design's column means when there is an intercept.
predict_terms <- function(object, new, info, se.fit, call = rlang::caller_env()) {
  if (is.null(object$terms)) {
    abort_probml("model", "{.code type = \"terms\"} needs a formula fit: a matrix fit has no terms.", call = call)
  }
  if (info$n_linear != 1L && length(object$terms) == 1L) {
    abort_probml("unsupported", "{.code type = \"terms\"} needs a family with one linear predictor per formula part, not {info$label}.",
                 call = call)
  }
  X <- new$parts[[1L]]
  fitted_X <- model.matrix(object)
  if (inherits(X, "probml_columns")) X <- fitted_X
  beta <- object$coefficients[paste0(info$coefficient_prefixes[1L], colnames(X))]
  has <- !is.na(beta)
  beta[!has] <- 0
  intercept <- "(Intercept)" %in% colnames(X) && has[match("(Intercept)", colnames(X))]
  avx <- colMeans(fitted_X)
  if (intercept) X <- sweep(X, 2L, avx, check.margin = FALSE)
  labels <- attr(object$terms[[1L]], "term.labels")
  assign <- attr(fitted_X, "assign")
  V <- if (se.fit) vcov(object)
  cols <- lapply(seq_along(labels), function(i) which(assign == i & has))
  fit <- vapply(cols, function(j) drop(X[, j, drop = FALSE] %*% beta[j]), numeric(nrow(X)))
  fit <- matrix(fit, nrow(X), length(labels), dimnames = list(rownames(X), labels))
  attr(fit, "constant") <- if (intercept) sum(avx[has] * beta[has]) else 0
  if (!se.fit) return(fit)
  se <- vapply(cols, function(j) {
    Xj <- X[, j, drop = FALSE]
    nm <- names(beta)[j]
    sqrt(pmax(rowSums((Xj %*% V[nm, nm, drop = FALSE]) * Xj), 0))
  }, numeric(nrow(X)))
  se <- matrix(se, nrow(X), length(labels), dimnames = dimnames(fit))
  list(fit = fit, se.fit = se)
}

# The designs of the formula parts and the offset for new data, or for the
# fitted data (whose omitted rows the fit's na.action puts back).
prediction_inputs <- function(object, newdata, na.action, call = rlang::caller_env()) {
  if (is.null(newdata)) {
    return(list(parts = model_parts(object, call = call), offset = object$offset, na.action = object$na.action))
  }
  if (!is.null(object[["x"]])) return(prediction_inputs_xy(object, newdata, call))
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    abort_probml("type", "{.arg newdata} must be a data frame, not {.obj_type_friendly {newdata}}.", call = call)
  }
  tt <- delete.response(object$frame_terms)
  check_new_levels(newdata, object$xlevels, call)
  mf <- tryCatch(
    model.frame(tt, newdata, na.action = na.action, xlev = object$xlevels),
    error = function(e) {
      abort_probml("newdata", c("{.arg newdata} does not fit the model.", x = conditionMessage(e)), call = call)
    })
  check_newdata_classes(tt, mf, call)
  parts <- lapply(seq_along(object$terms), function(j) {
    model.matrix(delete.response(object$terms[[j]]), mf, contrasts.arg = object$contrasts[[j]])
  })
  list(parts = parts, offset = newdata_offset(object, newdata, mf, call), na.action = attr(mf, "na.action"))
}

# The variables of newdata must have the classes the fit saw (as lm() and
# glm() check them): a number given as a string, or a factor where a
# number was, would give silently wrong predictions.
check_newdata_classes <- function(tt, mf, call) {
  classes <- attr(tt, "dataClasses")
  if (is.null(classes)) return(invisible())
  tryCatch(stats::.checkMFClasses(classes, mf), error = function(e) {
    abort_probml("newdata", c("{.arg newdata} does not have the variable types the model was fitted with.",
                              x = conditionMessage(e)), call = call)
  })
}

# Factor levels in newdata that the fit never saw, named before the model
# frame is built.
check_new_levels <- function(newdata, xlevels, call) {
  for (v in intersect(names(xlevels), names(newdata))) {
    x <- newdata[[v]]
    if (!is.factor(x) && !is.character(x)) next
    bad <- setdiff(unique(as.character(x[!is.na(x)])), xlevels[[v]])
    if (length(bad)) {
      n_bad <- length(bad)
      abort_probml("newdata", "{.arg newdata} has {cli::qty(n_bad)}level{?s} {.val {bad}} of {.field {v}} that the fit never saw.",
                   call = call)
    }
  }
}

# Offsets for new data: those in the formula (in the model frame) plus the
# `offset` argument of the call, evaluated in newdata.
newdata_offset <- function(object, newdata, mf, call) {
  off <- model.offset(mf)
  if (!is.null(object$call$offset)) {
    extra <- tryCatch(eval(object$call$offset, as.data.frame(newdata), environment(object$formula)),
                      error = function(e) {
                        abort_probml("newdata", c("The offset {.code {deparse1(object$call$offset)}} cannot be evaluated in {.arg newdata}.",
                                                  x = conditionMessage(e)), call = call)
                      })
    if (!is.numeric(extra)) {
      abort_probml("newdata", "The offset evaluated in {.arg newdata} must be numeric, not {.obj_type_friendly {extra}}.", call = call)
    }
    if (length(extra) != nrow(newdata)) {
      abort_probml("newdata", "The offset evaluated in {.arg newdata} has length {length(extra)}, not {nrow(newdata)}.", call = call)
    }
    omitted <- attr(mf, "na.action")
    if (!is.null(omitted)) extra <- extra[-omitted]
    off <- (if (is.null(off)) 0 else off) + extra
  }
  if (is.null(off)) return(numeric(0))
  as.double(off)
}

prediction_inputs_xy <- function(object, newdata, call) {
  two_parts <- length(object[["x"]]) == 2L
  if (two_parts) {
    if (!is.list(newdata) || is.data.frame(newdata) || is.null(newdata$x)) {
      abort_probml("newdata", "{.arg newdata} must be {.code list(x = , z = )} for a matrix fit with two designs.", call = call)
    }
    x <- newdata$x
    z <- newdata$z %||% matrix(1, NROW(x), 1L)
    parts <- list(check_design(x, "newdata$x", call = call), check_design(z, "newdata$z", call = call))
  } else {
    parts <- list(check_design(newdata, "newdata", call = call))
  }
  for (j in seq_along(parts)) {
    used <- ncol(object[["x"]][[j]])
    if (ncol(parts[[j]]) != used) {
      abort_probml("newdata", "{.arg newdata} has {ncol(parts[[j]])} column{?s}; the fit used {used}.", call = call)
    }
  }
  list(parts = parts, offset = numeric(0), na.action = NULL)
}

# Linear predictors, means and variances at coefficients `coefs`, by the
# core; rows with missing predictors (kept by na.pass) are NA.
core_predict <- function(object, new, coefs) {
  n <- design_nrow(new$parts[[1]])
  ok <- Reduce(`&`, lapply(new$parts, function(X) if (inherits(X, "probml_columns")) rep(TRUE, X$n) else stats::complete.cases(X)))
  if (length(new$offset)) ok <- ok & !is.na(new$offset)
  if (all(ok)) {
    return(call_core(cpp_predict(core_model(object, new$parts, scales = list()), unname(coefs), new$offset, object$n_threads)))
  }
  parts <- lapply(new$parts, function(X) X[ok, , drop = FALSE])
  out <- call_core(cpp_predict(core_model(object, parts, scales = list()), unname(coefs),
                               if (length(new$offset)) new$offset[ok] else numeric(0), object$n_threads))
  pad <- function(m) {
    full <- matrix(NA_real_, n, NCOL(m))
    full[ok, ] <- m
    full
  }
  list(linear_predictors = pad(out$linear_predictors), mean = pad(out$mean), variance = drop(pad(out$variance)))
}

prediction_value <- function(object, new, type, coefs, info) {
  core <- core_predict(object, new, coefs)
  if (type == "link") {
    U <- core$linear_predictors
    if (ncol(U) == 1L) return(drop(U))
    colnames(U) <- info$linear_predictor_names
    return(U)
  }
  mu <- label_means(core$mean, object$levels)
  if (type %in% c("response", "prob")) return(mu)
  # class
  if (is.matrix(mu)) {
    cls <- rep(NA_integer_, nrow(mu))
    ok <- stats::complete.cases(mu)
    cls[ok] <- max.col(mu[ok, , drop = FALSE], ties.method = "first")
    return(factor(object$levels[cls], levels = object$levels, ordered = info$response == "ordered"))
  }
  hit <- as.integer(mu > 0.5)
  if (!is.null(object$levels)) return(factor(object$levels[hit + 1L], levels = object$levels))
  hit
}

# Delta-method standard errors: a central difference Jacobian in the
# parameters (exact for the linear predictor, which is linear in them).
prediction_se <- function(object, new, type, info) {
  V <- vcov(object, complete = FALSE)
  est <- object$estimated
  theta <- object$coefficients[est]
  predict_at <- function(th) {
    coefs <- object$coefficients
    coefs[est] <- th
    as.matrix(prediction_value(object, new, type, coefs, info))
  }
  base <- predict_at(theta)
  se <- matrix(0, nrow(base), ncol(base), dimnames = dimnames(base))
  J <- array(0, c(nrow(base), ncol(base), length(theta)))
  for (k in seq_along(theta)) {
    h <- 1e-6 * max(1, abs(theta[k]))
    up <- theta
    dn <- theta
    up[k] <- up[k] + h
    dn[k] <- dn[k] - h
    J[, , k] <- (predict_at(up) - predict_at(dn)) / (2 * h)
  }
  for (col in seq_len(ncol(base))) {
    Jc <- matrix(J[, col, ], nrow(base))
    se[, col] <- sqrt(pmax(rowSums((Jc %*% V) * Jc), 0))
  }
  if (ncol(se) == 1L) drop(se) else se
}

pad_prediction <- function(x, na_action) {
  if (is.null(na_action)) return(x)
  napredict(na_action, x)
}

#' Residuals of a probml fit
#'
#' @param object A `probml_fit`.
#' @param type `"deviance"` (the default, as for `glm()`): the signed square
#'   root of each observation's (weighted) deviance contribution,
#'   \eqn{2 w_i (\ell_i(\mathrm{saturated}) - \ell_i(\hat\theta))}{2 w_i (l_i(saturated) - l_i(fit))},
#'   on glm's scale (for the Gaussian family `y - mu`), with the saturated
#'   model putting the mean at y and keeping the estimated scale; for the
#'   categorical and ordinal families it is unsigned.
#'   `"pearson"`: the response residual over the fitted standard deviation
#'   of y, on glm's scale: where glm has a dispersion (Gaussian), over
#'   \eqn{\sqrt{V(\mu)}}{sqrt(V(mu))} without it, so for the Gaussian
#'   family `sqrt(w) (y - mu)`, as `glm()` gives. `"response"`: y minus its fitted mean (for the categorical and
#'   ordinal families a matrix: the one-hot response minus the fitted class
#'   probabilities). `"working"`: glm's working residuals
#'   \eqn{(y - \mu)\, d\eta/d\mu}{(y - mu) deta/dmu} of the last
#'   iteratively reweighted least-squares step (families with one linear
#'   predictor). `"quantile"`: randomized quantile residuals (Dunn and
#'   Smyth, 1996), see Details.
#' @param ... Not used: a misspelled argument is an error.
#' @details
#' A quantile residual is \eqn{\Phi^{-1}(F(y_i))}{qnorm(F(y_i))}, with
#' \eqn{F} the fitted predictive distribution of observation i; for a
#' discrete response it is \eqn{\Phi^{-1}(u_i)}{qnorm(u_i)} with \eqn{u_i}
#' drawn uniformly between \eqn{F(y_i^-)} and \eqn{F(y_i)} by R's random
#' number generator (so [set.seed()] makes them reproducible; they are the
#' draws of `statmod::qresid()`). For a correctly specified model they are
#' a sample from N(0, 1) for every family, which makes them the residuals
#' to plot for non-Gaussian families ([plot()][plot.probml_fit()] does).
#' The categorical and ordinal families use the cumulative fitted class
#' probabilities in level order. Prior weights enter as in `glm()`: as the
#' number of trials of a Bernoulli/binomial response (they must then be
#' whole numbers), as precisions (variance / weight) for families with a
#' scale; the Poisson, beta, categorical and ordinal distributions do not
#' depend on them. For the families whose dispersion `glm()` estimates
#' (Gaussian) the dispersion is glm's moment estimate, as in
#' `statmod::qresid()`.
#' @return A vector (or matrix) of residuals.
#' @references Dunn, P. K. and Smyth, G. K. (1996). Randomized quantile
#'   residuals. *Journal of Computational and Graphical Statistics* 5,
#'   236--244.
#' @seealso [rstandard()][rstandard.probml_fit()] for standardized residuals,
#'   [plot()][plot.probml_fit()] for the diagnostic plots.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' head(residuals(fit))
#' set.seed(1)
#' r <- residuals(fit, "quantile")
#' ks.test(r, "pnorm")  # warpbreaks are overdispersed for a Poisson fit
#' @export
residuals.probml_fit <- function(object, type = c("deviance", "pearson", "response", "working", "quantile"), ...) {
  check_dots_empty(...)
  types <- c("deviance", "pearson", "response", "working", "quantile")
  type <- if (missing(type)) "deviance" else check_choice(type, types, "type")
  mu <- object$fitted_values
  y <- object$y
  w <- object$prior_weights
  if (type == "working") {
    res <- working_residuals(object)
  } else if (type == "quantile") {
    res <- quantile_residuals(object)
  } else if (is.matrix(mu)) {
    onehot <- outer(y, seq_len(ncol(mu)) - 1, `==`) * 1
    res <- switch(type,
                  response = onehot - mu,
                  pearson = (onehot - mu) / sqrt(mu * (1 - mu)),
                  deviance = sqrt(pmax(w * unit_deviance(object), 0)))
    if (is.matrix(res)) colnames(res) <- object$levels
  } else {
    r <- y - mu
    res <- switch(type,
                  response = r,
                  pearson = {
                    m <- family_moments(object)
                    r * sqrt(w * m$dispersion / m$variance)
                  },
                  # abs(): where the mode is not the mean (beta) the mean at y
                  # need not be a row's best fit; betareg takes |difference| too.
                  deviance = sign(r) * sqrt(abs(w * unit_deviance(object))))
  }
  if (is.null(object$na.action)) return(res)
  naresid(object$na.action, res)
}

# Randomized quantile residuals from the family's predictive distribution
# (the table in R/uncertainty.R) at the fit: one uniform draw per row for a
# discrete response, in row order, as statmod::qresid() draws them.
quantile_residuals <- function(object, info = fit_family_info(object), call = rlang::caller_env()) {
  d <- predictive_distributions[[info$predictive_distribution]]
  if (is.null(d)) {
    abort_probml("unsupported", "Quantile residuals need the predictive distribution of the {info$label} family, which probml does not tabulate.",
                 call = call)
  }
  args <- predictive_arguments(object, info)
  if (d$discrete && isTRUE(info$response == "binary")) {
    trials <- args$weight
    if (any(abs(trials - round(trials)) > 1e-8 * pmax(1, trials)) ||
        any(abs(object$y * trials - round(object$y * trials)) > 1e-8 * pmax(1, trials))) {
      abort_probml("unsupported", c("Quantile residuals of a {info$label} fit take the weights as numbers of trials, so they must be whole numbers of trials and successes.",
                                    i = "This fit has weights that are not."),
                   call = call)
    }
    args$weight <- round(trials)
  }
  y <- object$y
  at <- function(name, q, fallback) {
    if (is.null(d[[name]])) fallback() else call_distribution(d[[name]], q, args)
  }
  # Each tail from its own function, so that residuals far out in the upper
  # tail stay finite (1 - cdf rounds to 0 there).
  if (!d$discrete) {
    p <- call_distribution(d$cdf, y, args)
    s <- at("upper", y, function() 1 - p)
    return(ifelse(p <= 0.5, stats::qnorm(p), stats::qnorm(s, lower.tail = FALSE)))
  }
  # u uniform on (P(Y < y), P(Y <= y)); in the upper half 1 - u is drawn
  # on (P(Y > y), P(Y >= y)) from the same uniform. One draw per row with
  # positive probability, in row order, as runif(n, lo, hi) in
  # statmod::qresid() draws them.
  lo <- at("below", y, function() call_distribution(d$cdf, y - 1, args))
  hi <- call_distribution(d$cdf, y, args)
  s_lo <- at("upper_from", y, function() 1 - lo)
  s_hi <- at("upper", y, function() 1 - hi)
  upper <- lo + hi > 1
  mass <- ifelse(upper, s_lo - s_hi, hi - lo)
  u <- numeric(length(y))
  draw <- mass > 0
  u[draw] <- stats::runif(sum(draw))
  ifelse(upper, stats::qnorm(s_lo - (s_lo - s_hi) * u, lower.tail = FALSE), stats::qnorm(lo + (hi - lo) * u))
}

# A function of the table at x with the arguments it takes (entries given
# by mean and variance alone take no weight, scale or shape).
call_distribution <- function(f, x, args) {
  takes <- names(formals(f))
  do.call(f, c(list(x), if ("..." %in% takes) args else args[intersect(names(args), takes)]))
}

# The arguments of the fit's predictive distribution (see
# predictive_distributions): the mean and variance of y for a weight of 1,
# the prior weights, the scale and shape. Where glm estimates the
# dispersion, the variance is at glm's moment estimate of it.
predictive_arguments <- function(object, info = fit_family_info(object)) {
  m <- family_moments(object)
  variance <- m$variance
  if (isTRUE(info$free_dispersion)) variance <- variance * glm_dispersion(object) / m$dispersion
  scale <- if (info$log_scale_aux >= 0L) exp(aux_values(object, info)[info$log_scale_aux + 1L]) else NA_real_
  list(mean = label_means(m$mean, NULL), variance = variance, weight = object$prior_weights, scale = scale,
       shape = m$shape)
}

aux_values <- function(object, info = fit_family_info(object)) {
  unname(utils::tail(object$coefficients, info$n_aux))
}

# Mean and variance of y at the fitted linear predictors, and glm's
# dispersion at the estimate (deviance residuals are on glm's scale: for
# the Gaussian, y - mu).
family_moments <- function(object) {
  call_core(cpp_family_moments(family_spec(object$family, object$levels), object$linear_predictors,
                               aux_values(object)))
}

# glm's unit deviance of each row: dispersion x 2 (nll_i - saturated nll_i);
# deviance() sums it with the prior weights, deviance residuals are its roots.
unit_deviance <- function(object) {
  2 * family_moments(object)$dispersion * (pointwise_nll(object) - pointwise_nll(object, saturated = TRUE))
}

# nll_i at the estimate, or with the mean moved onto y (the saturated fit).
pointwise_nll <- function(object, saturated = FALSE) {
  spec <- family_spec(object$family, object$levels)
  if (saturated) return(cpp_family_saturated(spec, object$linear_predictors, object$y, aux_values(object)))
  cpp_family_local(spec, object$linear_predictors, object$y, aux_values(object), 0L)$value
}
