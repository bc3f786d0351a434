# Bootstrap ensembles of a probml_fit: members refitted in C++ on
# multinomial bootstrap weights (optim/bootstrap.hpp), kept as a B x p
# matrix of coefficients; their predictions go through uncertainty_table().

#' Bootstrap ensemble of a fitted model
#'
#' `bootstrap_ensemble()` refits a [fit_mle()] or [fit_map()] model on `B`
#' bootstrap resamples of its data: each member reweights the observations
#' by multinomial counts (`n` draws with replacement among the `n` rows of
#' positive weight, so a member's weights are the prior weights times the
#' counts) and is refitted by the same engine with the same prior and
#' [fit_control()] settings, starting from the full-data estimate. The fits
#' run in C++ on `n_threads` threads without copying the data, and only the
#' `B x p` matrix of member coefficients is kept, so memory does not grow
#' with `B` beyond it.
#'
#' The spread of the members is the *epistemic* uncertainty of the fit (how
#' much the estimate would change with other data), and
#' `predict(type = "uncertainty")` sets it beside the *aleatoric* noise the
#' family predicts; see [probml_uncertainty].
#'
#' Randomness: one seed (drawn from R's generator when `seed = NULL`, so
#' [set.seed()] governs it) gives each member its own random stream, so the
#' result is the same for any `n_threads`, and the same when, under a
#' [future::plan()] other than sequential, the members run as one future
#' per worker through \pkg{future.apply}. Members whose fit fails or does
#' not converge are left out (with a warning) and counted; members whose
#' maximum lies at infinity (separation) are kept and counted.
#'
#' @param fit A `probml_fit` from [fit_mle()], [fit_map()] or their matrix
#'   entries; a formula fit needs its model frame (`model = TRUE`, the
#'   default).
#' @param B The number of bootstrap members, at least 2.
#' @param ... Not used: a misspelled argument is an error.
#' @param seed A whole number, or `NULL` to draw one from R's generator.
#' @param n_threads Threads for the members. Results do not depend on it.
#' @return An object of class `probml_bootstrap`: `fit` (the original fit),
#'   `coefficients` (the `B x p` matrix of member coefficients, `NA` rows
#'   for members that failed), `B`, `seed`, `status` (a factor: `ok`,
#'   `separation`, `not converged`, `failed`), `n_failed` and
#'   `n_separation`. Use [coef()][coef.probml_bootstrap()], [vcov()],
#'   [confint()] and [predict()][predict.probml_bootstrap()].
#' @seealso [predict.probml_bootstrap()] for predictions with their
#'   uncertainty, [probml_uncertainty] for the decomposition, [fit_map()]
#'   and [fit_mle()] for the fits, [posterior_draws()] for the Laplace
#'   approximation of a MAP fit's posterior.
#' @examples
#' fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
#' ens <- bootstrap_ensemble(fit, B = 100, seed = 1)
#' ens
#' confint(ens)
#' sqrt(diag(vcov(ens)))     # bootstrap standard errors
#' sqrt(diag(vcov(fit)))     # beside those of the observed information
#'
#' # A logistic MAP fit
#' mfit <- fit_map(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli(),
#'                 prior = prior_gaussian(1))
#' head(predict(bootstrap_ensemble(mfit, B = 50, seed = 2), type = "uncertainty"))
#' @export
bootstrap_ensemble <- function(fit, B = 200, ..., seed = NULL, n_threads = getOption("probml.threads", 2L)) {
  check_dots_empty(...)
  if (!inherits(fit, "probml_fit")) {
    abort_probml("type", "{.arg fit} must be a {.cls probml_fit} from {.fn fit_mle} or {.fn fit_map}, not {.obj_type_friendly {fit}}.")
  }
  check_number(B, "B", lower = 2, upper = 1e7, integer = TRUE)
  seed <- core_seed(seed)
  n_threads <- check_threads(n_threads)
  parts <- model_parts(fit)
  ctrl <- list(max_iter = fit$control$max_iter, tol = fit$control$tol, rank_tol = fit$control$rank_tol,
               n_threads = 1L)
  # members [first + 1, first + size], from streams first, first + 1, ...
  refit <- function(first, size, tick = NULL) {
    call_core(cpp_bootstrap(core_model(fit, parts), fit$y, fit$prior_weights, fit$offset, unname(fit$coefficients),
                            ctrl, fit$prior_spec, size, seed, first, n_threads, tick))
  }
  res <- if (isTRUE(getOption("probml.use_future", TRUE)) && parallel_plan()) {
    # one future per share of the members, under the user's future::plan()
    shares <- split(seq_len(B), cut(seq_len(B), min(B, future::nbrOfWorkers()), labels = FALSE))
    runs <- future.apply::future_lapply(shares, function(m) refit(m[1] - 1, length(m)), future.seed = NULL)
    list(coefficients = do.call(rbind, lapply(runs, `[[`, "coefficients")),
         status = unlist(lapply(runs, `[[`, "status"), use.names = FALSE),
         messages = unlist(lapply(runs, `[[`, "messages"), use.names = FALSE))
  } else {
    with_progress("Bootstrapping", B, function(tick) refit(0, B, tick))
  }
  coefs <- res$coefficients
  dimnames(coefs) <- list(NULL, names(fit$coefficients))
  status <- factor(res$status, levels = c("ok", "separation", "not converged", "failed"))
  failed <- which(status %in% c("not converged", "failed"))
  out <- structure(list(fit = fit, coefficients = coefs, B = as.integer(B), seed = seed, status = status,
                        n_failed = length(failed), n_separation = sum(status == "separation"),
                        messages = stats::setNames(res$messages[failed], failed)),
                   class = "probml_bootstrap")
  if (B - length(failed) < 2L) {
    abort_probml("convergence", c("Only {B - length(failed)} of {B} bootstrap members could be fitted; an ensemble needs at least 2.",
                                  x = "First failure: {res$messages[failed[1]]}."))
  }
  if (length(failed)) {
    warn_probml("convergence", c("{length(failed)} of {B} bootstrap member{?s} did not converge or failed; {?it is/they are} left out.",
                                 i = "First: {res$messages[failed[1]]}."))
  }
  out
}

# The rows of the members that were fitted.
bootstrap_kept <- function(object) which(!object$status %in% c("not converged", "failed"))

#' @export
print.probml_bootstrap <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  fit <- x$fit
  cat("Bootstrap ensemble of a ", fit_family_info(fit)$label, " fit", if (is_map_fit(fit)) " (MAP)", "\n", sep = "")
  if (!is.null(fit$call)) cat("Call: ", paste(deparse(fit$call), collapse = "\n"), "\n", sep = "")
  cat(x$B, " members (seed ", format(x$seed), "); ", x$n_failed, " failed",
      if (x$n_separation) paste0(", ", x$n_separation, " at a separation boundary (kept)"), "\n\n", sep = "")
  est <- fit$coefficients
  M <- coef(x)
  ci <- confint(x)
  tab <- cbind(Estimate = est, `Boot SE` = apply(M, 2L, stats::sd), ci)
  print(tab, digits = digits)
  invisible(x)
}

#' Methods for bootstrap ensembles
#'
#' `coef()` gives the member coefficients (one row per fitted member, named
#' by its number), `vcov()` their covariance (the bootstrap covariance of the
#' estimate) and `confint()` percentile intervals: the `(1 - level) / 2`
#' and `(1 + level) / 2` quantiles of the members.
#'
#' @param object A `probml_bootstrap` from [bootstrap_ensemble()].
#' @param parm Coefficients (names or positions); all by default.
#' @param level The confidence level.
#' @param ... Not used: a misspelled argument is an error.
#' @return `coef()`: a matrix, members by coefficients; `vcov()`: a
#'   covariance matrix (`NA` for aliased coefficients); `confint()`: a
#'   matrix with a lower and an upper column.
#' @seealso [bootstrap_ensemble()], [predict.probml_bootstrap()],
#'   [confint.probml_fit()] for Wald and profile intervals.
#' @examples
#' ens <- bootstrap_ensemble(fit_mle(mpg ~ wt, data = mtcars), B = 200, seed = 3)
#' head(coef(ens))
#' vcov(ens)
#' confint(ens, level = 0.9)
#' @name probml_bootstrap_methods
NULL

#' @rdname probml_bootstrap_methods
#' @export
coef.probml_bootstrap <- function(object, ...) {
  check_dots_empty(...)
  kept <- bootstrap_kept(object)
  out <- object$coefficients[kept, , drop = FALSE]
  rownames(out) <- kept
  out
}

#' @rdname probml_bootstrap_methods
#' @export
vcov.probml_bootstrap <- function(object, ...) {
  check_dots_empty(...)
  M <- coef(object)
  nm <- colnames(M)
  V <- matrix(NA_real_, length(nm), length(nm), dimnames = list(nm, nm))
  est <- which(colSums(is.na(M)) == 0L)
  V[est, est] <- stats::cov(M[, est, drop = FALSE])
  V
}

#' @rdname probml_bootstrap_methods
#' @export
confint.probml_bootstrap <- function(object, parm, level = 0.95, ...) {
  check_dots_empty(...)
  check_level(level)
  M <- coef(object)
  nm <- colnames(M)
  if (!missing(parm)) {
    if (is.numeric(parm)) parm <- nm[parm]
    bad <- setdiff(parm, nm)
    if (length(bad) || anyNA(parm)) {
      abort_probml("value", "{.arg parm} must name coefficients of the fit; {.val {bad}} {?is/are} not among them.")
    }
    M <- M[, parm, drop = FALSE]
  }
  a <- c((1 - level) / 2, (1 + level) / 2)
  out <- t(apply(M, 2L, function(v) if (anyNA(v)) c(NA_real_, NA_real_) else stats::quantile(v, a, names = FALSE)))
  dimnames(out) <- list(colnames(M), paste(format(100 * a, trim = TRUE, scientific = FALSE, digits = 3), "%"))
  out
}

#' Predictions of a bootstrap ensemble, with their uncertainty
#'
#' @param object A `probml_bootstrap` from [bootstrap_ensemble()].
#' @param newdata New data as for [predict.probml_fit()]; omitted: the
#'   fitted data.
#' @param type `"response"`: the ensemble's mean of y (class probabilities
#'   for the categorical and ordinal families, P(y = 1) for the Bernoulli);
#'   `"uncertainty"`: a [probml_uncertainty] table (mean, total, aleatoric and
#'   epistemic sd and a mixture interval for regression families; class
#'   probabilities, entropies and mutual information for discrete ones);
#'   `"members"`: each member's mean, an `n x B` matrix (for discrete
#'   families an `n x K x B` array of class probabilities).
#' @param level The level of the mixture interval (`type = "uncertainty"`).
#' @param ... Not used: a misspelled argument is an error.
#' @return As `type` says.
#' @seealso [bootstrap_ensemble()], [probml_uncertainty] for the table and its plot.
#' @examples
#' set.seed(4)
#' d <- data.frame(x = runif(80, 0, 10))
#' d$y <- rpois(80, exp(0.5 + 0.15 * d$x))
#' ens <- bootstrap_ensemble(fit_mle(y ~ x, data = d, family = lik_poisson()), B = 100)
#' nd <- data.frame(x = c(0, 5, 10, 15))
#' predict(ens, nd)
#' predict(ens, nd, type = "uncertainty")
#' dim(predict(ens, nd, type = "members"))
#' @export
predict.probml_bootstrap <- function(object, newdata, type = c("response", "uncertainty", "members"),
                                     level = 0.95, ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "response" else check_choice(type, c("response", "uncertainty", "members"), "type")
  check_level(level)
  fit <- object$fit
  nd <- if (missing(newdata)) NULL else newdata
  new <- prediction_inputs(fit, nd, stats::na.pass)
  members <- bootstrap_members(object, new)
  if (type == "members") return(if (members$kind == "regression") members$mean else members$prob)
  if (type == "response") {
    if (members$kind == "regression") return(rowMeans(members$mean))
    p <- rowMeans(members$prob, dims = 2L)
    if (fit_family_info(fit)$response == "binary") return(p[, 2L])
    return(p)
  }
  if (is.null(nd)) nd <- training_inputs(fit)
  uncertainty_table(members, level = level, newdata = nd,
                    method = sprintf("a bootstrap ensemble (%s)", fit_family_info(fit)$label))
}

# The members' predictive means and variances (regression) or class
# probabilities (discrete families) at the prediction inputs `new`.
bootstrap_members <- function(object, new) {
  fit <- object$fit
  M <- coef(object)
  preds <- lapply(seq_len(nrow(M)), function(s) core_predict(fit, new, M[s, ]))
  n <- design_nrow(new$parts[[1]])
  c <- ncol(preds[[1]]$mean)
  means <- array(vapply(preds, function(p) p$mean, matrix(0, n, c)), c(n, c, nrow(M)))
  info <- fit_family_info(fit)
  discrete <- info$response %in% c("binary", "classes", "ordered")
  variances <- if (!discrete) matrix(vapply(preds, function(p) as.double(p$variance), numeric(n)), n)
  ensemble_members(means, variances, info, class_labels(fit, info), rownames(M))
}

# The fitted data's inputs, for plotting against: the plain numeric and
# factor variables of the model frame without the response.
training_inputs <- function(fit) {
  if (!is.null(fit[["x"]])) return(fit[["x"]][[1L]])
  mf <- fit$model
  if (is.null(mf)) return(NULL)
  keep <- vapply(mf, function(v) is.null(dim(v)), logical(1))
  keep[1L] <- FALSE
  as.data.frame(mf[keep])
}
