# S3 methods for probml_fit.

#' @export
print.probml_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("probml fit: ", x$family$label, "\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
  print.default(format(x$coefficients, digits = digits), print.gap = 2L, quote = FALSE)
  cat("\nlogLik ", format(x$loglik, digits = digits + 3L), " (df = ", x$df, "), n = ", x$nobs,
      if (x$converged) "" else ", NOT CONVERGED", if (isTRUE(x$separation)) ", separation" else "",
      "\n", sep = "")
  invisible(x)
}

# Designs in the layout passed to the core (before the ordinal intercept is
# dropped; the categorical design repeated once per non-reference class).
model_designs <- function(fit, call = rlang::caller_env()) {
  designs <- fit[["x"]]
  if (is.null(designs)) {
    if (is.null(fit$model)) {
      abort_probml("model", "This fit was made with {.code model = FALSE}; refit with {.code model = TRUE}.", call = call)
    }
    designs <- lapply(seq_along(fit$terms), function(j) model.matrix(fit$terms[[j]], fit$model, fit$contrasts[[j]]))
  }
  if (fit$family$family == "categorical") designs <- rep(designs[1], fit$n_classes - 1L)
  designs
}

#' Covariance matrix of the estimates
#'
#' @param object A `probml_fit`.
#' @param information `"observed"` (the default: the negative Hessian of the
#'   log-likelihood at the estimate) or `"expected"` (the Fisher
#'   information, `glm()`'s choice, available for the Gaussian, Laplace,
#'   Student t with fixed df, Bernoulli, categorical, Poisson, beta and
#'   heteroscedastic Gaussian families). The Laplace family always uses the
#'   expected information, since its log-likelihood has no curvature in the
#'   location.
#' @param complete Include rows and columns of `NA` for aliased coefficients.
#' @param ... Not used.
#' @return A named covariance matrix.
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr,
#'                family = lik_bernoulli("probit"))
#' vcov(fit)
#' vcov(fit, information = "expected")
#' @export
vcov.probml_fit <- function(object, information = c("observed", "expected"), complete = TRUE, ...) {
  information <- check_choice(information[1], c("observed", "expected"), "information")
  V <- object$vcov
  if (information == "expected" && object$information != "expected") {
    if (!object$family$family %in% families_with_expected(object)) {
      abort_probml("unsupported", "The expected information is not available for the {object$family$label} family.")
    }
    designs <- effective_designs(model_designs(object), object$family)
    H <- information_matrix(object, designs, expected = TRUE)
    V <- invert_information(H, names(object$coefficients)[object$estimated])
  }
  if (is.null(V)) {
    V <- matrix(NA_real_, sum(object$estimated), sum(object$estimated),
                dimnames = rep(list(names(object$coefficients)[object$estimated]), 2))
  }
  if (!complete) return(V)
  nm <- names(object$coefficients)
  out <- matrix(NA_real_, length(nm), length(nm), dimnames = list(nm, nm))
  out[rownames(V), colnames(V)] <- V
  out
}

families_with_expected <- function(fit) {
  out <- c("gaussian", "laplace", "bernoulli", "categorical", "poisson", "beta", "gaussian_hetero")
  if (fit$family$family == "student_t" && !is.na(fit$family$df)) out <- c(out, "student_t")
  out
}

#' @export
coef.probml_fit <- function(object, ...) object$coefficients

#' @export
logLik.probml_fit <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = object$nobs, class = "logLik")
}

#' @export
nobs.probml_fit <- function(object, ...) object$nobs

#' @export
deviance.probml_fit <- function(object, ...) -2 * object$loglik

#' @export
fitted.probml_fit <- function(object, ...) {
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
#' @param ... Not used.
#' @return A number.
#' @examples
#' fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
#' c(ml = sigma(fit), unbiased = sigma(fit, unbiased = TRUE),
#'   lm = summary(lm(mpg ~ wt + hp, data = mtcars))$sigma)
#' @export
sigma.probml_fit <- function(object, unbiased = FALSE, ...) {
  fam <- object$family$family
  if (!fam %in% c("gaussian", "laplace", "huber", "student_t")) {
    abort_probml("unsupported", "{.fn sigma} is defined for location-scale families, not {object$family$label}.")
  }
  if (isTRUE(unbiased)) {
    if (fam != "gaussian") abort_probml("unsupported", "{.arg unbiased} applies to the Gaussian family only.")
    w <- object$prior_weights
    rss <- sum(w * (object$y - object$fitted_values)^2)
    p <- sum(object$estimated) - 1L
    return(sqrt(rss / (object$nobs - p)))
  }
  unname(exp(object$coefficients[length(object$coefficients) - (fam == "student_t" && is.na(object$family$df))]))
}

#' Summarise a probml fit
#'
#' @param object A `probml_fit`.
#' @param information Which information gives the standard errors; see
#'   [vcov.probml_fit()].
#' @param x A `summary.probml_fit`.
#' @param digits Digits to print.
#' @param ... Not used.
#' @return An object of class `summary.probml_fit`: the coefficient table
#'   (estimate, standard error, z and two-sided p-value), the
#'   log-likelihood, AIC, BIC, convergence information and, for the
#'   Gaussian family, the ML and unbiased residual standard deviations.
#' @examples
#' summary(fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson()))
#' @export
summary.probml_fit <- function(object, information = c("observed", "expected"), ...) {
  V <- vcov(object, information = information[1])
  est <- object$coefficients
  se <- sqrt(pmax(diag(V), 0))
  z <- est / se
  table <- cbind(Estimate = est, `Std. Error` = se, `z value` = z,
                 `Pr(>|z|)` = 2 * pnorm(-abs(z)))
  out <- list(call = object$call, family = object$family, coefficients = table,
              loglik = logLik(object), aic = AIC(object), bic = BIC(object),
              nobs = object$nobs, converged = object$converged, iterations = object$iterations,
              grad_norm = object$grad_norm, separation = isTRUE(object$separation),
              information = if (object$information == "expected") "expected" else information[1])
  if (object$family$family == "gaussian") {
    out$sigma <- c(ml = sigma(object), unbiased = sigma(object, unbiased = TRUE))
  }
  structure(out, class = "summary.probml_fit")
}

#' @rdname summary.probml_fit
#' @export
print.summary.probml_fit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("probml fit: ", x$family$label, "\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients (standard errors from the ", x$information, " information):\n", sep = "")
  stats::printCoefmat(x$coefficients, digits = digits, na.print = "NA")
  if (!is.null(x$sigma)) {
    cat("\nResidual sd: ", format(x$sigma[["ml"]], digits = digits), " (ML, RSS/n); ",
        format(x$sigma[["unbiased"]], digits = digits), " (unbiased, RSS/(n - p))\n", sep = "")
  }
  cat("\nlogLik: ", format(as.numeric(x$loglik), digits = digits + 3L), " (df = ", attr(x$loglik, "df"),
      ")  AIC: ", format(x$aic, digits = digits + 2L), "  BIC: ", format(x$bic, digits = digits + 2L),
      "  n = ", x$nobs, "\n", sep = "")
  cat(if (x$converged) "Converged" else "NOT converged", " in ", x$iterations,
      " iterations (max |gradient| ", format(x$grad_norm, digits = 2L), ")\n", sep = "")
  if (x$separation) cat("Warning: the data are (quasi-)separated; the MLE may not exist.\n")
  invisible(x)
}
