#' Confidence intervals for the parameters of a probml fit
#'
#' Wald intervals use the standard errors of [vcov.probml_fit()]. Profile
#' likelihood intervals invert the likelihood-ratio test: for each parameter
#' they find the two values at which the log-likelihood, maximised over the
#' other parameters, is `qchisq(level, 1) / 2` below its maximum. They are
#' not symmetric and do not depend on the parameterisation.
#'
#' @param object A `probml_fit`.
#' @param parm Parameters: names or indices (default: all).
#' @param level The confidence level.
#' @param method `"wald"` or `"profile"`.
#' @param vcov For Wald intervals, the covariance behind the standard
#'   errors: a `type` of [vcov()][vcov.probml_fit()] (`"observed"`, the
#'   default, `"expected"`, `"sandwich"`, `"HC0"` to `"HC3"`) or a
#'   covariance matrix of the coefficients, as in
#'   [summary()][summary.probml_fit()].
#' @param ... Not used: a misspelled argument is an error.
#' @return A matrix with one row per parameter and the lower and upper limits.
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
#' confint(fit)
#' confint(fit, "glu", method = "profile")
#' @export
confint.probml_fit <- function(object, parm, level = 0.95, method = c("wald", "profile"),
                               vcov = "observed", ...) {
  check_dots_empty(...)
  method <- if (missing(method)) "wald" else check_choice(method, c("wald", "profile"), "method")
  check_number(level, "level", lower = 1e-8, upper = 1 - 1e-8)
  nm <- names(object$coefficients)
  if (missing(parm)) parm <- nm[object$estimated]
  parm <- resolve_parm(parm, nm)
  a <- (1 - level) / 2
  labels <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  out <- matrix(NA_real_, length(parm), 2L, dimnames = list(parm, labels))
  if (method == "wald") {
    se <- sqrt(diag(chosen_covariance(object, vcov)$V))[parm]
    est <- object$coefficients[parm]
    out[] <- cbind(est + qnorm(a) * se, est + qnorm(1 - a) * se)
    return(out)
  }
  for (p in parm) {
    if (!object$estimated[[p]]) next
    out[p, ] <- profile_interval(object, p, level)
  }
  out
}

# Signed root of the likelihood-ratio statistic along parameter `p`,
# solved for +-qnorm((1 + level) / 2) on each side of the estimate: each
# point refits the model by the core with `p` fixed.
profile_interval <- function(object, p, level) {
  parts <- model_parts(object)
  model <- core_model(object, parts)
  part_names <- lapply(parts, design_colnames)
  ctrl <- list(max_iter = object$control$max_iter, tol = object$control$tol,
               rank_tol = object$control$rank_tol, n_threads = object$n_threads)
  est <- object$coefficients
  k <- match(p, names(est))
  fixed <- seq_along(est) == k
  z_target <- qnorm((1 + level) / 2)
  se <- sqrt(object$vcov[p, p])
  if (!is.finite(se) || se <= 0) se <- max(abs(est[[p]]), 1) * 0.1
  signed_root <- function(value) {
    start <- est
    start[k] <- value
    res <- call_core(cpp_fit(model, object$y, object$prior_weights, object$offset, unname(start), fixed,
                             ctrl, part_names, object$prior_spec))
    lr <- 2 * ((object$log_posterior %||% object$loglik) - object$loglik_constant + res$value)
    sign(value - est[[k]]) * sqrt(max(lr, 0))
  }
  limit <- function(direction) {
    step <- se * z_target
    lo <- est[[k]]
    for (i in 1:30) {
      hi <- est[[k]] + direction * step
      z <- tryCatch(signed_root(hi), probml_error = function(e) NA_real_)
      if (is.na(z)) return(NA_real_)
      if (abs(z) >= z_target) break
      lo <- hi
      step <- step * 2
      if (i == 30) return(direction * Inf)
    }
    uniroot(function(v) abs(signed_root(v)) - z_target, sort(c(lo, hi)), tol = 1e-10 * max(1, abs(hi)))$root
  }
  c(limit(-1), limit(1))
}

#' Likelihood-ratio tests of nested probml fits
#'
#' @param object,... Fits of the same family to the same observations,
#'   nested in one another.
#' @return An `anova` table: log-likelihood, number of parameters, the
#'   likelihood-ratio statistic, its degrees of freedom and the chi-squared
#'   p-value, each model against the previous one (ordered by df). Fits
#'   that are not nested are refused: formula fits whose terms are not
#'   contained in the next larger fit's, and any pair where the larger fit
#'   has the smaller log-likelihood (a negative statistic).
#' @examples
#' small <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' big <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
#' anova(small, big)
#' @export
anova.probml_fit <- function(object, ...) {
  fits <- c(list(object), list(...))
  if (length(fits) < 2L) {
    abort_probml("missing", "{.fn anova} compares two or more nested fits; give it another {.cls probml_fit}.")
  }
  if (!all(vapply(fits, inherits, TRUE, "probml_fit"))) {
    abort_probml("type", "Every model given to {.fn anova} must be a {.cls probml_fit}.")
  }
  fams <- vapply(fits, function(f) fit_family_info(f)$label, "")
  if (length(unique(fams)) > 1L) abort_probml("value", "The fits use different families ({.val {unique(fams)}}); they are not nested.")
  n <- vapply(fits, function(f) f$nobs, 1)
  if (length(unique(n)) > 1L) abort_probml("value", "The fits use different numbers of observations ({n}); they are not comparable.")
  ys <- lapply(fits, function(f) f$y)
  if (!all(vapply(ys[-1], identical, TRUE, ys[[1]]))) abort_probml("value", "The fits have different responses.")
  df <- vapply(fits, function(f) f$df, 1)
  ord <- order(df)
  fits <- fits[ord]
  df <- df[ord]
  ll <- vapply(fits, function(f) f$loglik, 1)
  check_nested(fits, ll)
  lr <- c(NA, 2 * diff(ll))
  ddf <- c(NA, diff(df))
  p <- ifelse(ddf > 0, pchisq(lr, ddf, lower.tail = FALSE), NA)
  forms <- vapply(fits, function(f) paste(deparse(f$formula %||% f$call), collapse = " "), "")
  table <- data.frame(`logLik` = ll, `Df` = df, `LR stat` = lr, `Df diff` = ddf, `Pr(>Chi)` = p,
                      check.names = FALSE, row.names = paste("Model", seq_along(fits)))
  structure(table, heading = c("Likelihood-ratio tests\n", paste0("Model ", seq_along(fits), ": ", forms, collapse = "\n"), "\n"),
            class = c("anova", "data.frame"))
}

# Fits ordered by size are nested if each formula's terms are among the
# next one's, and a larger fit never has the smaller log-likelihood.
check_nested <- function(fits, ll, call = rlang::caller_env()) {
  labels <- lapply(fits, function(f) if (is.null(f$terms)) NULL else unlist(lapply(f$terms, attr, "term.labels")))
  for (i in seq_along(fits)[-1L]) {
    small <- labels[[i - 1L]]
    big <- labels[[i]]
    if (!is.null(small) && !is.null(big) && !all(small %in% big)) {
      missing_terms <- setdiff(small, big)
      abort_probml("value", c("Model {i - 1} is not nested in model {i}: {cli::qty(missing_terms)}term{?s} {.val {missing_terms}} {?is/are} not in the larger model.",
                              i = "A likelihood-ratio test compares nested models; compare non-nested ones with {.fn AIC}."),
                   call = call)
    }
    if (ll[i] < ll[i - 1L] - 1e-8 * (1 + abs(ll[i]))) {
      abort_probml("value", c("Model {i} has more parameters but a lower log-likelihood than model {i - 1}: the fits are not nested.",
                              i = "A likelihood-ratio test compares nested models; compare non-nested ones with {.fn AIC}."),
                   call = call)
    }
  }
}

# `parm` of a confint() method as parameter names, from names or indices.
resolve_parm <- function(parm, nm, call = rlang::caller_env()) {
  if (is.numeric(parm)) {
    if (any(parm < 1 | parm > length(nm) | parm != round(parm))) {
      abort_probml("value", "{.arg parm} indices must be between 1 and {length(nm)}.", call = call)
    }
    parm <- nm[parm]
  }
  if (!is.character(parm) || !all(parm %in% nm)) {
    abort_probml("choice", "{.arg parm} must name parameters of the fit: {.val {setdiff(parm, nm)}} {?is/are} not.", call = call)
  }
  parm
}
