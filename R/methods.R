# S3 methods for probml_fit.

#' @export
print.probml_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  cat("probml fit: ", fit_family_info(x)$label, "\n", sep = "")
  if (is_map_fit(x)) cat(prior_line(x), "\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients", if (is_map_fit(x)) " (MAP)", ":\n", sep = "")
  print.default(format(x$coefficients, digits = digits), print.gap = 2L, quote = FALSE)
  cat("\nlogLik ", format(x$loglik, digits = digits + 3L), " (df = ", x$df, "), n = ", x$nobs,
      if (x$converged) "" else ", NOT CONVERGED", if (isTRUE(x$separation)) ", separation" else "",
      "\n", sep = "")
  if (is_map_fit(x)) cat("log posterior ", format(x$log_posterior, digits = digits + 3L), " (unnormalised)\n", sep = "")
  invisible(x)
}

#' @export
coef.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  object$coefficients
}

#' @export
logLik.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  structure(object$loglik, df = object$df, nobs = object$nobs, class = "logLik")
}

# `use.fallback` is accepted for step() and drop1(), which pass it; a fit
# always knows its number of observations.
#' @export
nobs.probml_fit <- function(object, use.fallback = FALSE, ...) {
  check_dots_empty(...)
  check_flag(use.fallback, "use.fallback")
  object$nobs
}

#' @export
fitted.probml_fit <- function(object, ...) {
  check_dots_empty(...)
  out <- object$fitted_values
  if (is.null(object$na.action)) return(out)
  napredict(object$na.action, out)
}

#' Residual standard deviation (scale) of a fit
#'
#' For the Gaussian family `sigma()` returns the maximum-likelihood estimate
#' \eqn{\sqrt{RSS/n}}{sqrt(RSS/n)} (weighted), and with `unbiased = TRUE`
#' the estimate \eqn{\sqrt{RSS/(n-p)}}{sqrt(RSS/(n-p))} that `lm()` and
#' `glm()` report. For the Laplace, Huber and Student t families it returns
#' the estimated scale parameter.
#' @param object A `probml_fit`.
#' @param unbiased Divide the residual sum of squares by `n - p` (Gaussian only).
#' @param ... Not used: a misspelled argument is an error.
#' @return A number.
#' @examples
#' fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
#' c(ml = sigma(fit), unbiased = sigma(fit, unbiased = TRUE),
#'   lm = summary(lm(mpg ~ wt + hp, data = mtcars))$sigma)
#' @export
sigma.probml_fit <- function(object, unbiased = FALSE, ...) {
  check_dots_empty(...)
  check_flag(unbiased, "unbiased")
  info <- fit_family_info(object)
  if (!is.null(object$family$sigma) && !unbiased) return(object$family$sigma)
  if (info$log_scale_aux < 0L && !(info$least_squares && unbiased)) {
    abort_probml("unsupported", "{.fn sigma} is defined for location-scale families, not {info$label}.")
  }
  if (unbiased) {
    if (!info$least_squares) abort_probml("unsupported", "{.arg unbiased} applies to least-squares (Gaussian) fits, not {info$label}.")
    w <- object$prior_weights
    rss <- sum(w * (object$y - object$fitted_values)^2)
    p <- sum(object$estimated) - info$n_aux
    return(sqrt(rss / (object$nobs - p)))
  }
  aux <- utils::tail(object$coefficients, info$n_aux)
  unname(exp(aux[[info$log_scale_aux + 1L]]))
}

#' Summarise a probml fit
#'
#' @param object A `probml_fit`.
#' @param vcov The covariance behind the standard errors: a `type` of
#'   [vcov()][vcov.probml_fit()] (`"observed"`, the default, `"expected"`,
#'   `"sandwich"`, `"HC0"` to `"HC3"`) or a covariance matrix of the
#'   coefficients, such as `vcov(fit, cluster = ~ id)`. The printed summary
#'   says which it is.
#' @param dispersion With a `vcov` type: `NULL`, `"pearson"` or a number,
#'   as in [vcov()][vcov.probml_fit()] (`"pearson"` gives quasi-likelihood
#'   standard errors).
#' @param x A `summary.probml_fit`.
#' @param digits Digits to print.
#' @param ... Not used: a misspelled argument is an error.
#' @return An object of class `summary.probml_fit`: the coefficient table
#'   (estimate, standard error, z and two-sided p-value; normal tests
#'   throughout, where `summary.glm()` uses t tests on [stats::df.residual()]
#'   degrees of freedom for a family whose dispersion it estimates), which covariance
#'   gave the standard errors (`vcov_label`), the log-likelihood, AIC, BIC,
#'   convergence information and, for the Gaussian family, the ML and
#'   unbiased residual standard deviations.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' summary(fit)
#' summary(fit, vcov = "HC1")
#' summary(fit, dispersion = "pearson")
#' @export
summary.probml_fit <- function(object, vcov = "observed", dispersion = NULL, ...) {
  check_dots_empty(...)
  chosen <- chosen_covariance(object, vcov, dispersion)
  est <- object$coefficients
  se <- sqrt(pmax(diag(chosen$V), 0))
  z <- est / se
  table <- cbind(Estimate = est, `Std. Error` = se, `z value` = z,
                 `Pr(>|z|)` = 2 * pnorm(-abs(z)))
  map <- is_map_fit(object)
  out <- list(call = object$call, family = object$family, levels = object$levels, coefficients = table,
              loglik = logLik(object), aic = AIC(object), bic = BIC(object),
              nobs = object$nobs, converged = object$converged, iterations = object$iterations,
              grad_norm = object$grad_norm, separation = isTRUE(object$separation),
              vcov_label = chosen$label,
              prior_line = if (map) prior_line(object), log_posterior = object$log_posterior,
              l1 = map && has_l1(object$prior_spec), n_zero = if (map) sum(object$prior_spec$l1 > 0 & est == 0, na.rm = TRUE))
  if (fit_family_info(object)$least_squares) {
    out$sigma <- c(ml = sigma(object), unbiased = sigma(object, unbiased = TRUE))
  }
  structure(out, class = "summary.probml_fit")
}

#' @rdname summary.probml_fit
#' @export
print.summary.probml_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  cat("probml fit: ", family_info(x$family, x$levels)$label, "\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  if (!is.null(x$prior_line)) {
    cat(x$prior_line, "\n", sep = "")
    cat("\nCoefficients: MAP estimates; standard errors are posterior sds of the Laplace approximation\n",
        "(", x$vcov_label, " plus the prior's curvature):\n", sep = "")
  } else {
    cat("\nCoefficients (standard errors from ", x$vcov_label, "):\n", sep = "")
  }
  stats::printCoefmat(x$coefficients, digits = digits, na.print = "NA")
  if (!is.null(x$sigma)) {
    cat("\nResidual sd: ", format(x$sigma[["ml"]], digits = digits), " (ML, RSS/n); ",
        format(x$sigma[["unbiased"]], digits = digits), " (unbiased, RSS/(n - p))\n", sep = "")
  }
  cat("\nlogLik: ", format(as.numeric(x$loglik), digits = digits + 3L), " (df = ", attr(x$loglik, "df"),
      ")  AIC: ", format(x$aic, digits = digits + 2L), "  BIC: ", format(x$bic, digits = digits + 2L),
      "  n = ", x$nobs, "\n", sep = "")
  cat(if (x$converged) "Converged" else "NOT converged", " in ", x$iterations,
      if (x$iterations == 1) " iteration" else " iterations", " (max |gradient| ", format(x$grad_norm, digits = 2L), ")\n", sep = "")
  if (isTRUE(x$l1) && x$n_zero > 0) {
    cat(paste(strwrap(paste0("Note: the Laplace prior sets ", x$n_zero, " coefficient", if (x$n_zero > 1) "s",
                             " exactly to zero; ", if (x$n_zero > 1) "they have" else "it has",
                             " no standard error (the posterior has a kink there), and the others' are conditional on ",
                             "that selection: they ignore its uncertainty."), width = getOption("width")), collapse = "\n"), "\n", sep = "")
  }
  if (!is.null(x$log_posterior)) cat("log posterior: ", format(x$log_posterior, digits = digits + 3L), " (unnormalised)\n", sep = "")
  if (x$separation) cat("Warning: the data are (quasi-)separated; the MLE may not exist.\n")
  invisible(x)
}
