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
#'   most probable class.
#' @param se.fit Also return standard errors (delta method, from
#'   `vcov(object)`), for types `"link"` and `"response"`.
#' @param na.action What to do with missing values in `newdata`; the
#'   default `na.pass` returns `NA` predictions for those rows.
#' @param ... Not used.
#' @return A vector or, for several linear predictors or classes, a matrix;
#'   with `se.fit = TRUE` a list with `fit` and `se.fit`.
#' @examples
#' fit <- fit_mle(Sat ~ Infl + Type + Cont, data = MASS::housing,
#'                weights = Freq, family = lik_ordinal())
#' nd <- data.frame(Infl = "High", Type = "Tower", Cont = "Low")
#' predict(fit, nd, type = "prob")
#' predict(fit, nd, type = "class")
#' @export
predict.probml_fit <- function(object, newdata, type = c("link", "response", "prob", "class"),
                               se.fit = FALSE, na.action = na.pass, ...) {
  type <- check_choice(type[1], c("link", "response", "prob", "class"), "type")
  fam <- object$family$family
  discrete <- object$family$response %in% c("binary", "factor", "ordered")
  if (type %in% c("prob", "class") && !discrete) {
    abort_probml("argument", "{.code type = \"{type}\"} needs a discrete response; {object$family$label} has a continuous one.")
  }
  if (isTRUE(se.fit) && type == "class") abort_probml("argument", "{.arg se.fit} is not available for {.code type = \"class\"}.")
  new <- prediction_inputs(object, newdata, na.action)
  U <- linear_predictors_for(new$designs, object$coefficients, new$offset)
  value <- prediction_value(object, U, type, object$coefficients)
  if (!isTRUE(se.fit)) return(pad_prediction(value, new$na.action))
  se <- prediction_se(object, new, type)
  list(fit = pad_prediction(value, new$na.action), se.fit = pad_prediction(se, new$na.action))
}

# Designs (coefficient layout) and offsets for new data or the fitted data.
prediction_inputs <- function(object, newdata, na.action, call = rlang::caller_env()) {
  fam <- object$family
  if (missing(newdata) || is.null(newdata)) {
    designs <- effective_designs(model_designs(object, call = call), fam)
    return(list(designs = designs, offset = object$offset, na.action = NULL))
  }
  if (!is.null(object[["x"]])) return(prediction_inputs_xy(object, newdata, call))
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    abort_probml("newdata", "{.arg newdata} must be a data frame, not {.obj_type_friendly {newdata}}.", call = call)
  }
  mf <- tryCatch(
    model.frame(delete.response(object$frame_terms), newdata, na.action = na.action,
                xlev = object$xlevels),
    error = function(e) {
      msg <- conditionMessage(e)
      what <- if (grepl("new level", msg)) "newdata_level" else "newdata"
      abort_probml(what, c("{.arg newdata} does not fit the model.", x = msg), call = call)
    })
  check_new_levels(mf, object$xlevels, call)
  designs <- lapply(seq_along(object$terms), function(j) {
    model.matrix(delete.response(object$terms[[j]]), mf, contrasts.arg = object$contrasts[[j]])
  })
  if (fam$family == "categorical") designs <- rep(designs[1], object$n_classes - 1L)
  offset <- matrix(0, nrow(mf), length(designs))
  off <- model.offset(mf)
  if (!is.null(object$call$offset)) {
    extra <- eval(object$call$offset, as.data.frame(newdata), environment(object$formula))
    if (length(extra) != nrow(newdata)) {
      abort_probml("newdata", "The offset evaluated in {.arg newdata} has length {length(extra)}, not {nrow(newdata)}.", call = call)
    }
    omitted <- attr(mf, "na.action")
    if (!is.null(omitted)) extra <- extra[-omitted]
    off <- (if (is.null(off)) 0 else off) + extra
  }
  if (!is.null(off)) offset[, 1] <- off
  list(designs = effective_designs(designs, fam), offset = offset, na.action = attr(mf, "na.action"))
}

`%||%` <- function(a, b) if (is.null(a)) b else a

check_new_levels <- function(mf, xlevels, call) {
  for (v in intersect(names(xlevels), names(mf))) {
    bad <- setdiff(unique(as.character(mf[[v]][!is.na(mf[[v]])])), xlevels[[v]])
    if (length(bad)) {
      abort_probml("newdata_level", "{.arg newdata} has level{?s} {.val {bad}} of {.field {v}} that the fit never saw.", call = call)
    }
  }
}

prediction_inputs_xy <- function(object, newdata, call) {
  fam <- object$family
  if (fam$family == "gaussian_hetero") {
    if (!is.list(newdata) || is.data.frame(newdata) || is.null(newdata$x)) {
      abort_probml("newdata", "{.arg newdata} must be {.code list(x = , z = )} for a heteroscedastic matrix fit.", call = call)
    }
    x <- newdata$x
    z <- newdata$z %||% matrix(1, NROW(x), 1L)
    designs <- list(check_design(x, "newdata$x", call = call), check_design(z, "newdata$z", call = call))
  } else {
    designs <- list(check_design(newdata, "newdata", call = call))
    if (fam$family == "ordinal") {
      designs[[1]] <- cbind(`(Intercept)` = 1, designs[[1]][, design_colnames(designs[[1]]) != "(Intercept)", drop = FALSE])
    }
  }
  for (j in seq_along(designs)) {
    used <- ncol(object[["x"]][[j]])
    if (ncol(designs[[j]]) != used) {
      abort_probml("newdata", "{.arg newdata} has {ncol(designs[[j]])} column{?s}; the fit used {used}.", call = call)
    }
  }
  if (fam$family == "categorical") designs <- rep(designs[1], object$n_classes - 1L)
  list(designs = effective_designs(designs, fam), offset = matrix(0, nrow(designs[[1]]), length(designs)),
       na.action = NULL)
}

prediction_value <- function(object, U, type, coefs) {
  fam <- object$family$family
  if (type == "link") {
    if (ncol(U) == 1L) return(drop(U))
    colnames(U) <- if (fam == "categorical") object$levels[-1L] else c("mean", "logvar")
    return(U)
  }
  mu <- family_moments(object, U, coefs)$mean
  if (type %in% c("response", "prob")) return(mu)
  # class
  if (is.matrix(mu)) {
    cls <- rep(NA_integer_, nrow(mu))
    ok <- stats::complete.cases(mu)
    cls[ok] <- max.col(mu[ok, , drop = FALSE], ties.method = "first")
    return(factor(object$levels[cls], levels = object$levels, ordered = fam == "ordinal"))
  }
  hit <- as.integer(mu > 0.5)
  if (!is.null(object$levels)) return(factor(object$levels[hit + 1L], levels = object$levels))
  hit
}

# Delta-method standard errors: exact for the linear predictor, a central
# difference Jacobian in the parameters for the mean.
prediction_se <- function(object, new, type) {
  V <- vcov(object, complete = FALSE)
  est <- object$estimated
  theta <- object$coefficients[est]
  predict_at <- function(th) {
    coefs <- object$coefficients
    coefs[est] <- th
    U <- linear_predictors_for(new$designs, coefs, new$offset)
    as.matrix(prediction_value(object, U, type, coefs))
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
#' @param type `"response"`: y minus its fitted mean (for the categorical and
#'   ordinal families a matrix: the one-hot response minus the fitted class
#'   probabilities); `"pearson"`: the response residual over the fitted
#'   standard deviation of y; `"deviance"`: the signed square root of each
#'   observation's (weighted) deviance contribution,
#'   \eqn{2 w_i (\ell_i(\mathrm{saturated}) - \ell_i(\hat\theta))}{2 w_i (l_i(saturated) - l_i(fit))},
#'   with the saturated model putting the mean at y and keeping the
#'   estimated scale; for the Gaussian family it is `y - mu`, as in `glm()`,
#'   and for the categorical and ordinal families it is unsigned.
#' @param ... Not used.
#' @return A vector (or matrix) of residuals.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' head(residuals(fit, "deviance"))
#' @export
residuals.probml_fit <- function(object, type = c("response", "pearson", "deviance"), ...) {
  type <- check_choice(type[1], c("response", "pearson", "deviance"), "type")
  fam <- object$family$family
  mu <- object$fitted_values
  y <- object$y
  if (is.matrix(mu)) {
    onehot <- outer(y, seq_len(ncol(mu)) - 1, `==`) * 1
    res <- switch(type,
                  response = onehot - mu,
                  pearson = (onehot - mu) / sqrt(mu * (1 - mu)),
                  deviance = sqrt(2 * object$prior_weights * pointwise_nll(object)))
    if (is.matrix(res)) colnames(res) <- object$levels
  } else {
    r <- y - mu
    res <- switch(type,
                  response = r,
                  pearson = r * sqrt(object$prior_weights) / sqrt(family_moments(object, object$linear_predictors)$variance),
                  deviance = if (fam == "gaussian") r * sqrt(object$prior_weights)
                             else sign(r) * sqrt(pmax(2 * object$prior_weights * (pointwise_nll(object) - pointwise_nll(object, saturated = TRUE)), 0)))
  }
  if (is.null(object$na.action)) return(res)
  naresid(object$na.action, res)
}

# nll_i at the estimate, or with the mean moved onto y (the saturated fit).
pointwise_nll <- function(object, saturated = FALSE) {
  U <- object$linear_predictors
  if (saturated) {
    y <- object$y
    U[, 1] <- switch(object$family$family,
                     bernoulli = ifelse(y == 1, Inf, -Inf),
                     poisson = log(y),
                     beta = stats::qlogis(y),
                     y)
    if (object$family$family %in% c("bernoulli")) return(rep(0, length(y)))
    if (object$family$family == "poisson") return(ifelse(y == 0, 0, y - y * log(y) + lgamma(y + 1)))
  }
  spec <- family_spec(object$family, object$n_classes)
  cpp_local(spec, U, object$y, aux_values(object), 0L)$value
}
