# glm's working quantities and leverages of a fit with one linear predictor.
# For a row with local nll l(eta), glm's working weight is the prior weight
# times (dmu/deta)^2 / V(mu), which is the expected curvature of l in eta
# times the dispersion; the working residual (y - mu) deta/dmu is
# -l'(eta) / (expected curvature). Families without an expected information
# use the observed curvature.

# The local first and second derivatives in the (single) linear predictor at
# the estimate, and the dispersion: list(d1, curvature, dispersion).
working_parts <- function(object, call = rlang::caller_env()) {
  info <- fit_family_info(object)
  if (info$n_linear != 1L || info$absorbs_intercept) {
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
  if (is_map_fit(model)) {
    abort_probml("unsupported", c("{.fn hatvalues} is defined for maximum-likelihood fits, not MAP fits.",
                                  i = "A prior shrinks the fit, so the leverages of the unpenalised least-squares step do not describe it."))
  }
  used <- model$prior_weights > 0
  sw <- sqrt(working_weights(model))[used]
  X <- estimated_design(model)
  h <- numeric(nrow(X))
  h[used] <- rowSums(qr.Q(qr(X[used, , drop = FALSE] * sw))^2)
  names(h) <- rownames(X)
  if (!is.null(model$na.action)) {
    h <- naresid(model$na.action, h)
    used <- naresid(model$na.action, used)
  }
  h[is.na(used) | used]
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
  pearson <- working_weights(object, call = call) * working_residuals(object, call = call)^2
  sum(pearson[object$prior_weights > 0]) / df.residual(object)
}
