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
#' @param information For Wald intervals, see [vcov.probml_fit()].
#' @param ... Not used: a misspelled argument is an error.
#' @return A matrix with one row per parameter and the lower and upper limits.
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
#' confint(fit)
#' confint(fit, "glu", method = "profile")
#' @export
confint.probml_fit <- function(object, parm, level = 0.95, method = c("wald", "profile"),
                               information = c("observed", "expected"), ...) {
  check_dots_empty(...)
  method <- if (missing(method)) "wald" else check_choice(method, c("wald", "profile"), "method")
  information <- if (missing(information)) "observed" else check_choice(information, c("observed", "expected"), "information")
  check_number(level, "level", lower = 1e-8, upper = 1 - 1e-8)
  nm <- names(object$coefficients)
  if (missing(parm)) parm <- nm[object$estimated]
  parm <- resolve_parm(parm, nm)
  a <- (1 - level) / 2
  labels <- paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
  out <- matrix(NA_real_, length(parm), 2L, dimnames = list(parm, labels))
  if (method == "wald") {
    se <- sqrt(diag(vcov(object, information = information)))[parm]
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
    lr <- 2 * ((object$log_posterior %||% object$loglik) + res$value)
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

#' Analysis of deviance for probml fits
#'
#' `anova()` gives `glm()`'s analysis-of-deviance tables, with the residual
#' deviance of [deviance()][deviance.probml_fit()]:
#' * **One fit**: the terms of its (first) formula part added sequentially,
#'   first to last, from the null model (intercept only, or the offset alone
#'   without an intercept; a second formula part, as of
#'   [lik_gaussian_hetero()], is kept as fitted), each step refitted (with
#'   the fit's prior, for a [fit_map()] fit); rows
#'   `NULL`, then one per term, with columns `Df`, `Deviance`, `Resid. Df`
#'   and `Resid. Dev`, as `anova(glm_fit)`.
#' * **Several fits** of the same family to the same observations, nested in
#'   one another, in the order given: columns `Resid. Df`, `Resid. Dev`, `Df`
#'   and `Deviance`, each model against the previous one, as
#'   `anova(glm_fit1, glm_fit2)`.
#'
#' The test (`test = "Chisq"`, or its synonym `"LRT"`) is `glm()`'s: for a
#' family whose dispersion is estimated (Gaussian) the deviance change over
#' the dispersion of the largest model (`glm()`'s moment estimate, Pearson's
#' chi-squared over the residual degrees of freedom) is referred to
#' chi-squared, and `test = "F"` gives `anova.glm(test = "F")`'s F test.
#' For the other families the statistic is the likelihood-ratio statistic
#' \eqn{2 \Delta \log L}{2 diff(logLik)}, which for families with a fixed
#' dispersion and a saturated model that does not depend on the fit
#' (Bernoulli, Poisson, categorical, ordinal) is the deviance change, so the
#' p-values are `glm()`'s; where the saturated model does depend on the fit
#' (its scale or shape, as in the Laplace, Huber, Student t and beta
#' families) the table adds the statistic as a column `LR stat`. The default
#' test is R 4.4's: `"Chisq"`, or `"F"` where the dispersion is estimated;
#' `test = FALSE` gives no test.
#'
#' Fits that are not nested are refused: formula fits whose terms are not
#' contained in the next larger fit's, and any pair where the larger fit has
#' the smaller log-likelihood.
#'
#' @param object,... Fits ([fit_mle()], [fit_map()]); for several, of the
#'   same family to the same observations, nested in one another.
#' @param test `"Chisq"` (or `"LRT"`), `"F"` (families with an estimated
#'   dispersion), or `FALSE` for none; `NULL` chooses as described above.
#' @param dispersion For a family with an estimated dispersion, the value
#'   to use instead of the moment estimate of the largest model; as in
#'   `anova.glm()`, it is then treated as known (infinite degrees of freedom
#'   in the F test).
#' @return An `anova` data frame, printed with its heading.
#' @seealso [drop1()][drop1.probml_fit()] for single-term deletions,
#'   [deviance()][deviance.probml_fit()].
#' @examples
#' small <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' big <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
#' anova(big)
#' anova(small, big)
#' anova(fit_mle(mpg ~ wt + hp, data = mtcars), test = "F")
#' @export
anova.probml_fit <- function(object, ..., test = NULL, dispersion = NULL) {
  fits <- c(list(object), list(...))
  if (!all(vapply(fits, inherits, TRUE, "probml_fit"))) {
    abort_probml("type", "Every model given to {.fn anova} must be a {.cls probml_fit}.")
  }
  test <- anova_test(test, object)
  check_number(dispersion, "dispersion", positive = TRUE, allow_null = TRUE)
  if (length(fits) == 1L) return(anova_sequential(object, test, dispersion))
  fams <- vapply(fits, function(f) fit_family_info(f)$label, "")
  if (length(unique(fams)) > 1L) abort_probml("value", "The fits use different families ({.val {unique(fams)}}); they are not nested.")
  n <- vapply(fits, function(f) f$nobs, 1)
  if (length(unique(n)) > 1L) abort_probml("value", "The fits use different numbers of observations ({n}); they are not comparable.")
  ys <- lapply(fits, function(f) f$y)
  if (!all(vapply(ys[-1], identical, TRUE, ys[[1]]))) abort_probml("value", "The fits have different responses.")
  ord <- order(vapply(fits, function(f) f$df, 1))
  check_nested(fits[ord], vapply(fits[ord], function(f) f$loglik, 1))
  forms <- vapply(fits, function(f) paste(deparse(f$formula %||% f$call), collapse = " "), "")
  table <- deviance_table(fits, test, dispersion, sequential = FALSE)
  structure(table, heading = c("Analysis of Deviance Table\n", paste0("Model ", seq_along(fits), ": ", forms, collapse = "\n")),
            class = c("anova", "data.frame"))
}

# The test of anova(): NULL chooses glm's default of R >= 4.4.
anova_test <- function(test, object, call = rlang::caller_env()) {
  free <- fit_family_info(object)$free_dispersion
  if (is.null(test)) return(if (free) "F" else "Chisq")
  if (isFALSE(test)) return("none")
  test <- check_choice(test, c("Chisq", "LRT", "F"), "test", call = call)
  if (test == "F") check_free_dispersion(object, "anova", call = call)
  if (test == "LRT") "Chisq" else test
}

# The terms of the first formula part added one at a time, each refitted.
anova_sequential <- function(object, test, dispersion, call = rlang::caller_env()) {
  if (is.null(object$terms)) {
    abort_probml("model", c("{.fn anova} of one fit adds its terms sequentially, which needs a formula fit.",
                            i = "Compare matrix fits with {.code anova(fit1, fit2)}."), call = call)
  }
  X <- model.matrix(object)
  labels <- attr(object$terms[[1L]], "term.labels")
  assign <- attr(X, "assign")
  designs <- model_parts(object, call = call)
  if (object$intercept_col < 0L) designs[[1L]] <- X[, 0L, drop = FALSE]
  steps <- lapply(seq_along(labels) - 1L, function(i) {
    parts <- designs
    parts[[1L]] <- X[, assign <= i, drop = FALSE]
    refit_designs(object, parts, call = call)
  })
  fits <- c(steps, list(object))
  table <- deviance_table(fits, test, dispersion, sequential = TRUE)
  rownames(table) <- c("NULL", labels)
  info <- fit_family_info(object)
  heading <- c("Analysis of Deviance Table\n", paste0("Model: ", info$label, "\n"),
               paste0("Response: ", deparse1(object$formula[[2L]]), "\n"),
               "Terms added sequentially (first to last)\n\n")
  structure(table, heading = heading, class = c("anova", "data.frame"))
}

# glm's table of residual df and deviances of `fits`, each against the
# previous one, with the test; the dispersion is the largest model's.
deviance_table <- function(fits, test, dispersion, sequential) {
  resdf <- vapply(fits, df.residual, 1)
  resdev <- vapply(fits, deviance, 1)
  ll <- vapply(fits, function(f) f$loglik, 1)
  df <- c(NA, -diff(resdf))
  dev <- c(NA, -diff(resdev))
  table <- if (sequential) {
    data.frame(Df = df, Deviance = dev, `Resid. Df` = resdf, `Resid. Dev` = resdev, check.names = FALSE)
  } else {
    data.frame(`Resid. Df` = resdf, `Resid. Dev` = resdev, Df = df, Deviance = dev, check.names = FALSE)
  }
  if (test == "none") return(table)
  big <- fits[[which.min(resdf)]]
  if (fit_family_info(big)$free_dispersion) {
    phi <- dispersion %||% glm_dispersion(big)
    if (test == "F") {
      Fs <- (dev / df) / phi
      Fs[df %in% 0 | (!is.na(Fs) & Fs < 0)] <- NA
      table$F <- Fs
      # as glm: a dispersion given is known, so its df are infinite
      df_phi <- if (is.null(dispersion)) df.residual(big) else Inf
      table[["Pr(>F)"]] <- stats::pf(Fs, abs(df), df_phi, lower.tail = FALSE)
      return(table)
    }
    stat <- dev / phi * sign(df)
  } else {
    lr <- c(NA, 2 * diff(ll))
    # Where the saturated likelihood differs between the fits, the deviance
    # change is not the likelihood-ratio statistic: show the statistic.
    phi <- vapply(fits, function(f) family_moments(f)$dispersion, 1)
    saturated <- -ll - resdev / (2 * phi)
    if (diff(range(saturated)) > 1e-8 * (1 + max(abs(saturated)))) table[["LR stat"]] <- lr
    stat <- lr * sign(df)
  }
  stat[df %in% 0 | (!is.na(stat) & stat < 0)] <- NA
  table[["Pr(>Chi)"]] <- stats::pchisq(stat, abs(df), lower.tail = FALSE)
  table
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
