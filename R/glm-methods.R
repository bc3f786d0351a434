# The accessors a glm() user's script calls on a fit (family(), formula(),
# terms(), model.frame(), model.matrix(), the null deviance, extractAIC()
# and drop1()), with glm's semantics. Every refit goes through fit_design().

#' The glm accessors of a probml fit
#'
#' A `probml_fit` answers the accessors a `glm()` user's script calls, with
#' `glm()`'s meaning:
#' * `family()` returns the fit's [probml family][families]. When its link
#'   is one [stats::make.link()] knows and the mean of y is one column, the
#'   family also carries `linkfun`, `linkinv` and `mu.eta`, so
#'   `family(fit)$linkinv(eta)` works as for a `glm` fit.
#' * `formula()` returns the model formula, with `.` expanded (as
#'   `formula(glm_fit)`); `terms()` the terms object of the model frame.
#' * `model.frame()` returns the stored model frame (`fit_mle(model = TRUE)`,
#'   the default) or rebuilds it from the call, like `model.frame(glm_fit)`.
#' * `model.matrix()` returns the design of the (first) linear predictor,
#'   with aliased columns kept, as `model.matrix(glm_fit)`; for a matrix fit
#'   ([fit_mle_xy()]) the `x` it was given.
#' * [update()] refits from [getCall()] and `formula()`: `update(fit, . ~ . - x)`.
#' * `fit$null.deviance` and `fit$df.null` are computed when asked: the
#'   deviance of the intercept-only fit with the same weights and offset
#'   (and, for a [fit_map()] fit, prior) (without an intercept, the fit with the linear
#'   predictor equal to the offset), and its residual degrees of freedom,
#'   as `glm()` reports them. `fit$deviance`, `fit$df.residual` and `fit$aic`
#'   are [deviance()][deviance.probml_fit()], [df.residual()] and [AIC()].
#'
#' `formula()`, `terms()` and `model.frame()` need a formula fit: on a matrix
#' fit they are errors of class `probml_error_model`.
#'
#' @param x,formula,object A `probml_fit`.
#' @param env Not used: the formula keeps the environment it was fitted in
#'   (accepted because [stats::as.formula()] passes it).
#' @param ... Not used: a misspelled argument is an error.
#' @return `family()`: a `probml_family`; `formula()`: a formula; `terms()`:
#'   a `terms` object; `model.frame()`: a data frame; `model.matrix()`: a
#'   matrix with attributes `assign` and `contrasts`.
#' @seealso [deviance()][deviance.probml_fit()], [extractAIC()][extractAIC.probml_fit()],
#'   [anova()][anova.probml_fit()], [simulate()][simulate.probml_fit()].
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = poisson())
#' family(fit)$linkinv(predict(fit))[1:3]
#' formula(fit)
#' head(model.matrix(fit))
#' c(fit$null.deviance, fit$df.null)
#' coef(update(fit, . ~ . - wool))
#' @name glm_accessors
#' @importFrom stats family formula update extractAIC drop1 add1 drop.scope make.link pf simulate
NULL

#' @rdname glm_accessors
#' @export
family.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  fam <- object$family
  if (fit_family_info(object)$n_mean_columns == 1L) {
    link <- tryCatch(make.link(fam$link), error = function(e) NULL)
    if (!is.null(link)) fam[c("linkfun", "linkinv", "mu.eta")] <- link[c("linkfun", "linkinv", "mu.eta")]
  }
  fam
}

#' @rdname glm_accessors
#' @export
formula.probml_fit <- function(x, env = NULL, ...) {
  check_dots_empty(...)
  check_formula_fit(x, "formula")
  # A formula with several parts (`y ~ a | b`) is returned as written; a
  # one-part one with `.` expanded, as formula.glm() does.
  if (length(x$terms) > 1L) return(x$formula)
  out <- formula(x$frame_terms)
  environment(out) <- environment(x$formula)
  out
}

#' @rdname glm_accessors
#' @export
terms.probml_fit <- function(x, ...) {
  check_dots_empty(...)
  check_formula_fit(x, "terms")
  x$frame_terms
}

#' @rdname glm_accessors
#' @export
model.frame.probml_fit <- function(formula, ...) {
  check_dots_empty(...)
  object <- formula
  check_formula_fit(object, "model.frame")
  if (!is.null(object$model)) return(object$model)
  cl <- object$call
  env <- environment(object$formula)
  data <- if (is.null(cl$data)) NULL else eval(cl$data, env)
  na_action <- if (is.null(cl$na.action)) NULL else eval(cl$na.action, env)
  formula_frame(cl, env, object$formula, data, fit_family_info(object), is.null(cl$na.action), na_action)$frame
}

#' @rdname glm_accessors
#' @export
model.matrix.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  if (!is.null(object[["x"]])) return(object[["x"]][[1L]])
  model.matrix(object$terms[[1L]], model.frame(object), contrasts.arg = object$contrasts[[1L]])
}

# A concept that needs the formula of a formula fit.
check_formula_fit <- function(object, fn, call = rlang::caller_env()) {
  if (is.null(object$frame_terms)) {
    abort_probml("model", c("{.fn {fn}} needs a formula fit; this one was fitted from a matrix by {.fn {call_name(object$call)}}.",
                            i = "Refit with {.fn fit_mle} and a formula, or use {.fn model.matrix} for the design."),
                 call = call)
  }
  invisible(object)
}

#' @export
`$.probml_fit` <- function(x, name) {
  # glm's components that probml computes when they are asked for.
  lazy <- c("null.deviance", "df.null", "deviance", "df.residual", "aic")
  if (name %in% lazy && !name %in% names(unclass(x))) {
    return(switch(name,
                  null.deviance = null_deviance(x)$deviance,
                  df.null = null_deviance(x)$df,
                  deviance = deviance(x),
                  df.residual = df.residual(x),
                  aic = AIC(x)))
  }
  .subset2(x, name, exact = FALSE)
}

# glm's null deviance and its degrees of freedom: the intercept-only ML fit
# (intercept-only in every formula part) with the fit's weights and
# offset, or without an intercept the linear predictor at the offset.
null_deviance <- function(object, call = rlang::caller_env()) {
  n <- length(object$y)
  intercept <- object$intercept_col >= 0L
  ones <- matrix(1, n, 1L, dimnames = list(NULL, "(Intercept)"))
  first <- if (intercept) ones else matrix(0, n, 0L)
  designs <- c(list(first), rep(list(ones), length(model_design_count(object)) - 1L))
  null_fit <- refit_designs(object, designs, call = call)
  list(deviance = deviance(null_fit), df = object$nobs - as.integer(intercept))
}

model_design_count <- function(object) if (!is.null(object[["x"]])) object[["x"]] else object$terms %||% list(NULL)

# The fit's response as fit_design() takes it: the class labels put back.
fit_response <- function(object) {
  if (is.null(object$levels)) return(object$y)
  factor(object$levels[object$y + 1], levels = object$levels,
         ordered = fit_family_info(object)$response == "ordered")
}

# The fit's family, prior, response, weights, offset and control, with
# other designs: the one engine.
refit_designs <- function(object, designs, call = rlang::caller_env()) {
  fit_design(designs, fit_response(object), object$family, weights = object$prior_weights,
             offset = if (length(object$offset)) object$offset, control = object$control,
             n_threads = object$n_threads, arg_y = "y", prior = object$prior %||% prior_flat(), call = call)
}

#' The residual deviance of a probml fit
#'
#' `deviance()` is `glm()`'s residual deviance: twice the weighted
#' difference between the saturated and the fitted log-likelihood, on
#' `glm()`'s scale,
#' \deqn{D = \phi \sum_i 2 w_i (\ell_i(\mathrm{saturated}) - \ell_i(\hat\theta)),}{D = phi sum 2 w_i (l_i(saturated) - l_i(fit)),}
#' where the saturated model puts each mean at its y and keeps the
#' estimated scale, shape or cut-points, and \eqn{\phi}{phi} is the
#' dispersion that makes a row's contribution glm's unit deviance (the ML
#' \eqn{\sigma^2}{sigma^2} for the Gaussian, so `deviance()` is the residual
#' sum of squares; 1 for the Bernoulli and Poisson families). For families
#' whose saturated model gives each observation probability one (Bernoulli
#' with 0/1 data, categorical, ordinal) it equals \eqn{-2 \log L}{-2 logLik}.
#' The minus twice log-likelihood stays available as `-2 * logLik(fit)`.
#'
#' @param object A `probml_fit`.
#' @param ... Not used: a misspelled argument is an error.
#' @return A number.
#' @seealso [glm_accessors] for the null deviance, [anova()][anova.probml_fit()].
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' deviance(fit)
#' deviance(glm(breaks ~ wool + tension, data = warpbreaks, family = poisson()))
#' -2 * logLik(fit)
#' @export
deviance.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  used <- object$prior_weights > 0
  sum((object$prior_weights * unit_deviance(object))[used])
}

#' AIC of a probml fit for drop1(), add1() and step()
#'
#' `extractAIC()` is what [stats::drop1()], [stats::add1()], [stats::step()]
#' and `MASS::stepAIC()` compare models by: `c(edf, -2 logLik + k edf +
#' 2 q)`, with `edf` the number of estimated regression coefficients (the
#' residual degrees of freedom are `nobs - edf`, as for `glm()`) and `q` the
#' number of estimated scale, shape or cut-point parameters, counted at 2
#' each whatever `k`, as `glm()` counts the Gaussian dispersion. So with the
#' default `k = 2` the value is [AIC()], and the models `step()` chooses and
#' its AIC path are `glm()`'s. `drop1()` and `add1()` on a fit give
#' `glm()`'s tables: the deviance of each smaller (larger) fit and, with
#' `test = "LRT"` (or `"Chisq"`), the likelihood-ratio statistic and its
#' chi-squared p-value; `test = "F"` is `glm()`'s F test (families with an
#' estimated dispersion). `drop1()` refits on the columns of the design;
#' `add1()` refits through [update()], in the formula's environment.
#'
#' @param fit,object A `probml_fit`.
#' @param scale Not used by likelihood fits; must be 0 (as `glm()` ignores it).
#' @param k The penalty per regression coefficient (2 for AIC, `log(n)` for BIC).
#' @param scope,test,trace As in [stats::drop1()] and [stats::add1()]: the
#'   terms to drop (by default those whose removal respects marginality) or
#'   add (a formula or term labels), the test, and whether to print each refit.
#' @param ... Not used: a misspelled argument is an error.
#' @return `extractAIC()`: a numeric vector `c(edf, AIC)`. `drop1()` and
#'   `add1()`: an `anova` data frame with columns `Df`, `Deviance`, `AIC`
#'   and the test's.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' extractAIC(fit)
#' drop1(fit, test = "LRT")
#' add1(update(fit, . ~ wool), ~ . + tension, test = "LRT")
#' step(fit, trace = 0)$formula
#' @export
extractAIC.probml_fit <- function(fit, scale = 0, k = 2, ...) {
  check_dots_empty(...)
  check_number(scale, "scale")
  if (scale != 0) {
    abort_probml("unsupported", c("{.arg scale} must be 0 for a likelihood fit, not {format(scale)}.",
                                  i = "Mallows' Cp applies to least-squares fits with a known variance; use {.fn lik_gaussian} with {.arg sigma} for a known noise level."))
  }
  check_number(k, "k", lower = 0)
  edf <- regression_rank(fit)
  c(edf, -2 * fit$loglik + k * edf + 2 * (fit$df - edf))
}

#' @rdname extractAIC.probml_fit
#' @export
drop1.probml_fit <- function(object, scope, scale = 0, test = c("none", "LRT", "Chisq", "F"), k = 2,
                             trace = FALSE, ...) {
  check_dots_empty(...)
  test <- if (missing(test)) "none" else check_choice(test, c("none", "LRT", "Chisq", "F"), "test")
  trace <- check_trace(trace)
  extractAIC(object, scale, k = k)
  X <- model.matrix(object)
  tt <- if (is.null(object$terms)) NULL else object$terms[[1L]]
  if (is.null(tt)) check_formula_fit(object, "drop1")
  labels <- attr(tt, "term.labels")
  if (missing(scope)) {
    scope <- drop.scope(tt)
  } else {
    if (!is.character(scope)) scope <- attr(terms(stats::update.formula(tt, scope)), "term.labels")
    if (!all(scope %in% labels)) {
      abort_probml("value", "{.arg scope} must name terms of the model: {.val {setdiff(scope, labels)}} {?is/are} not.")
    }
  }
  assign <- attr(X, "assign")
  designs <- model_parts(object)
  fits <- lapply(scope, function(term) {
    if (trace) message("trying - ", term)
    designs[[1L]] <- X[, assign != match(term, labels), drop = FALSE]
    refit_designs(object, designs)
  })
  heading <- c("Single term deletions", "\nModel:", deparse(formula(object)))
  single_term_table(object, fits, scope, test, scale, k, heading, added = FALSE)
}

#' @rdname extractAIC.probml_fit
#' @export
add1.probml_fit <- function(object, scope, scale = 0, test = c("none", "LRT", "Chisq", "F"), k = 2,
                            trace = FALSE, ...) {
  check_dots_empty(...)
  test <- if (missing(test)) "none" else check_choice(test, c("none", "LRT", "Chisq", "F"), "test")
  trace <- check_trace(trace)
  extractAIC(object, scale, k = k)
  check_formula_fit(object, "add1")
  if (missing(scope) || is.null(scope)) abort_probml("missing", "{.arg scope} must give the terms {.fn add1} may add.")
  if (!is.character(scope)) scope <- stats::add.scope(object, stats::update.formula(object, scope))
  if (!length(scope)) abort_probml("value", "{.arg scope} holds no terms that are not in the model already.")
  env <- environment(formula(object))
  fits <- lapply(scope, function(term) {
    if (trace) message("trying + ", term)
    refit <- update(object, as.formula(paste("~ . +", term)), evaluate = FALSE)
    refit <- eval(refit, envir = env)
    if (refit$nobs != object$nobs) {
      abort_probml("data", "Adding {.field {term}} changes the number of rows used ({object$nobs} to {refit$nobs}): remove the missing values first.")
    }
    refit
  })
  heading <- c("Single term additions", "\nModel:", deparse(formula(object)))
  single_term_table(object, fits, scope, test, scale, k, heading, added = TRUE)
}

check_trace <- function(trace, call = rlang::caller_env()) {
  # step() passes its trace level, a number
  if (!(is.logical(trace) || is.numeric(trace)) || length(trace) != 1L || is.na(trace)) {
    abort_probml("type", "{.arg trace} must be {.code TRUE}, {.code FALSE} or a number, not {.obj_type_friendly {trace}}.",
                 call = call)
  }
  trace > 0
}

# drop1.glm()'s and add1.glm()'s table: the fit, then one refit per term.
single_term_table <- function(object, fits, scope, test, scale, k, heading, added, call = rlang::caller_env()) {
  all_fits <- c(list(object), fits)
  aic <- vapply(all_fits, function(f) extractAIC(f, scale, k = k)[2L], 1)
  edf <- vapply(all_fits, function(f) extractAIC(f, scale, k = k)[1L], 1)
  dev <- vapply(all_fits, deviance, 1)
  ll <- vapply(all_fits, function(f) f$loglik, 1)
  sign <- if (added) -1 else 1
  df <- c(NA, sign * (edf[1L] - edf[-1L]))
  aod <- data.frame(Df = df, Deviance = dev, AIC = aic, row.names = c("<none>", scope), check.names = FALSE)
  if (test %in% c("LRT", "Chisq")) {
    lr <- c(NA, pmax(0, sign * 2 * (ll[1L] - ll[-1L])))
    # glm's name for the statistic when the dispersion is estimated
    aod[[if (fit_family_info(object)$free_dispersion) "scaled dev." else "LRT"]] <- lr
    aod[["Pr(>Chi)"]] <- c(NA, stats::pchisq(lr[-1L], df[-1L], lower.tail = FALSE))
  } else if (test == "F") {
    check_free_dispersion(object, if (added) "add1" else "drop1", call = call)
    rdf <- df.residual(object)
    # drop1.glm(): over the fit's deviance per df; add1.glm(): over each larger fit's
    Fs <- if (added) (pmax(0, dev[1L] - dev) / df) / (dev / (rdf - df)) else (pmax(0, dev - dev[1L]) / df) / (dev[1L] / rdf)
    Fs[1L] <- NA
    aod[["F value"]] <- Fs
    aod[["Pr(>F)"]] <- c(NA, pf(Fs[-1L], df[-1L], if (added) rdf - df[-1L] else rdf, lower.tail = FALSE))
  }
  structure(aod, heading = heading, class = c("anova", "data.frame"))
}

# An F test needs a dispersion the data estimate.
check_free_dispersion <- function(object, fn, call = rlang::caller_env()) {
  info <- fit_family_info(object)
  if (!info$free_dispersion) {
    abort_probml("unsupported", c("An F test needs a family whose dispersion is estimated (Gaussian), not {info$label}.",
                                  i = "Use {.code test = \"Chisq\"}: the {info$label} dispersion is fixed."),
                 call = call)
  }
  invisible(object)
}
