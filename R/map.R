# fit_map(): maximum a posteriori fits, on the same engine as fit_mle()
# (which is fit_map() with a flat prior: fit_formula() and fit_xy() in
# R/fit.R, fit_model() in the core).

#' Fit a model by maximum a posteriori (MAP)
#'
#' `fit_map()` maximises the log-likelihood of one of the probml [families]
#' plus the log density of a [prior][priors] on the coefficients: a
#' Gaussian prior is ridge regression, a Laplace prior the lasso, an
#' elastic-net prior glmnet's penalty, a Student t prior `arm::bayesglm()`.
#' It is [fit_mle()] with a prior, through the same code: `fit_map(...,
#' prior = prior_flat())` is `fit_mle(...)`. `fit_map_xy()` is the matrix
#' entry point (like [fit_mle_xy()], `x` is the whole design: include a
#' column of ones named `"(Intercept)"` for an intercept).
#'
#' The fit runs in C++. With a smooth prior (Gaussian, Student t) it is
#' Newton's method on the negative log posterior; with a Laplace or
#' elastic-net prior it is proximal Newton with coordinate descent and soft
#' thresholding on an active set checked by the optimality (KKT)
#' conditions; for the Laplace likelihood with a Laplace prior the location
#' is an exact linear programme.
#'
#' What the result means:
#' * [logLik()] is the log-likelihood at the MAP estimate (without the
#'   prior); `fit$log_posterior` is the (unnormalised) log posterior. `AIC()`
#'   and `BIC()` use the effective number of parameters, `fit$df`:
#'   \eqn{tr(H^{-1} H_{data})}{tr(H^-1 H_data)} for a smooth prior, and the
#'   number of non-zero coefficients (plus the unpenalised ones) for a
#'   Laplace or elastic-net prior.
#' * [vcov()] is the inverse Hessian of the negative log posterior: the
#'   covariance of the Laplace approximation to the posterior, so
#'   [confint()] gives approximate credible intervals and
#'   [posterior_draws()] samples from it. Under a Laplace or elastic-net
#'   prior the posterior has a kink at zero: coefficients estimated as
#'   exactly zero get no standard error (`NA`), and those of the others are
#'   conditional on the zeros (they ignore the uncertainty of the
#'   selection); [summary()][summary.probml_fit()] says so.
#' * Aliased columns are only looked for among coefficients the prior
#'   leaves flat: a proper prior makes every direction it touches
#'   estimable, so ridge fits `p > n` designs and collinear predictors.
#'
#' @inheritParams fit_mle
#' @param prior A [prior][priors] such as [prior_gaussian()],
#'   [prior_laplace()], [prior_elastic_net()] or [prior_student_t()].
#' @param ... Not used: a misspelled argument is an error.
#' @return A `probml_fit` (see [fit_mle()]) with, in addition, `prior`,
#'   `log_posterior`, `prior_value` (the negative log prior at the
#'   estimate, without its normalising constant), `lambda` (glmnet's
#'   per-observation `lambda` that the prior amounts to, where there is one)
#'   and `df_nominal` (the number of estimated parameters).
#' @seealso [priors], [map_path()] for a whole regularisation path,
#'   [cv_map()] to choose the prior's scale by cross-validation and
#'   [fit_evidence()] to choose it by the marginal likelihood.
#' @examples
#' # Ridge: a Gaussian prior on the standardised slopes
#' ridge <- fit_map(mpg ~ wt + hp + qsec + drat, data = mtcars,
#'                  prior = prior_gaussian(scale = 1))
#' coef(ridge)
#' summary(ridge)
#'
#' # The lasso sets coefficients exactly to zero
#' lasso <- fit_map(mpg ~ wt + hp + qsec + drat, data = mtcars,
#'                  prior = prior_laplace(scale = 0.1))
#' coef(lasso)
#'
#' # bayesglm's default: a Cauchy prior keeps separated data finite
#' d <- data.frame(x = c(1, 2, 3, 4, 5, 6), y = c(0, 0, 0, 1, 1, 1))
#' coef(fit_map(y ~ x, data = d, family = lik_bernoulli(), prior = prior_student_t()))
#' @export
fit_map <- function(formula, data, family = lik_gaussian(), prior = prior_gaussian(), weights, offset, subset,
                    na.action, control = fit_control(), model = TRUE,
                    n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  prior <- as_probml_prior(prior)
  if (missing(data)) data <- NULL
  fit_formula(match.call(), parent.frame(), formula, data, family, prior,
              control, model, n_threads, missing_na_action = missing(na.action), na.action = if (!missing(na.action)) na.action)
}

#' @rdname fit_map
#' @param x A numeric design matrix (include a column of ones named
#'   `"(Intercept)"` for an unpenalised intercept).
#' @param y The response.
#' @param z For [lik_gaussian_hetero()]: the design of the log-variance.
#' @export
fit_map_xy <- function(x, y, family = lik_gaussian(), prior = prior_gaussian(), weights = NULL, offset = NULL,
                       z = NULL, control = fit_control(), n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  prior <- as_probml_prior(prior)
  fit_xy(match.call(), x, y, family, prior, weights, offset, z, control, n_threads)
}

has_l1 <- function(spec) !is.null(spec) && any(spec$l1 > 0)

# What a MAP fit adds: the log posterior, the effective number of
# parameters and the lambda the prior amounts to.
map_summaries <- function(fit, core) {
  fit$prior_value <- core$prior_value
  fit$log_posterior <- fit$loglik_constant - core$value
  fit$df_nominal <- sum(core$estimated)
  spec <- fit$prior_spec
  est <- core$estimated
  if (has_l1(spec)) {
    pen <- spec$l1 > 0 & est
    fit$df <- sum(est & !pen) + sum(core$theta[pen] != 0)
  } else if (length(core$covariance)) {
    fit$df <- sum(est) - sum(core$covariance * core$prior_hessian)
  }
  fit$lambda <- prior_lambda(fit$prior, sum(fit$prior_weights))
  # glmnet's Gaussian objective is RSS / (2 n): its lambda carries sigma^2.
  if (!is.null(fit$lambda) && fit_family_info(fit)$least_squares) fit$lambda <- fit$lambda * sigma(fit)^2
  if (has_l1(spec)) fit$grad_norm <- kkt_residual(core$gradient, core$theta, spec$l1, est)
  fit
}

# The largest violation of the optimality conditions of an L1 fit: the
# gradient of the smooth part plus a subgradient of the L1 part.
kkt_residual <- function(g, theta, l1, estimated) {
  g <- g[estimated]
  theta <- theta[estimated]
  l1 <- l1[estimated]
  r <- ifelse(theta != 0, abs(g + l1 * sign(theta)), pmax(abs(g) - l1, 0))
  max(r, 0)
}

# glmnet's per-observation lambda for a prior with one scale.
prior_lambda <- function(prior, W) {
  s <- prior$scale
  if (length(s) != 1L) return(NULL)
  switch(prior$kind, gaussian = 1 / (W * s^2), laplace = 1 / (W * s), elastic_net = 1 / (W * s), NULL)
}

is_map_fit <- function(fit) !is.null(fit$prior_spec)

# Covariance of a fit with an L1 prior: the inverse of the smooth part's
# Hessian over the coefficients that are not exactly zero; NA for the zeros.
l1_covariance <- function(fit, H = NULL, expected = fit$information == "expected", parts = model_parts(fit)) {
  nm <- names(fit$coefficients)[fit$estimated]
  pen <- (fit$prior_spec$l1 > 0)[fit$estimated]
  keep <- !(pen & fit$coefficients[fit$estimated] == 0)
  if (expected || is.null(H)) {
    H <- call_core(cpp_evaluate(core_model(fit, parts), fit$y, fit$prior_weights, fit$offset,
                                unname(fit$coefficients), 2L, expected, fit$n_threads, fit$prior_spec))$hessian
  }
  H <- matrix(H, length(nm), length(nm))
  V <- matrix(NA_real_, length(nm), length(nm), dimnames = list(nm, nm))
  if (any(keep)) {
    inv <- tryCatch(solve(H[keep, keep, drop = FALSE]), error = function(e) NULL)
    if (is.null(inv)) return(NULL)
    V[keep, keep] <- (inv + t(inv)) / 2
  }
  V
}

# A line describing a fit's prior, with the lambda it amounts to.
prior_line <- function(fit, digits = 4L) {
  p <- fit$prior
  out <- paste0("Prior: ", prior_label(p), ", ", prior_scale_text(p$scale),
                switch(p$standardize, sd = ", on standardised predictors", `2sd` = ", on inputs scaled by 2 sd", none = ""))
  if (!is.null(fit$lambda)) out <- paste0(out, "; glmnet lambda = ", format(fit$lambda, digits = digits))
  info <- fit_family_info(fit)
  if (p$kind == "gaussian" && info$least_squares && length(p$scale) == 1L && p$standardize == "none") {
    sigma2 <- if (info$log_scale_aux >= 0L) sigma(fit)^2 else fit$family$sigma^2
    out <- paste0(out, "; ridge lambda = sigma^2 / tau^2 = ", format(sigma2 / p$scale^2, digits = digits))
  }
  out
}

#' Draws from the Laplace approximation of the posterior
#'
#' The Laplace approximation of a MAP fit's posterior is the Gaussian
#' centred at the estimate with covariance [vcov()], the inverse Hessian of
#' the negative log posterior. `posterior_draws()` samples from it (for an
#' MLE fit, from the asymptotic sampling distribution, the same Gaussian
#' with a flat prior). Aliased coefficients are `NA` in every draw.
#'
#' @param fit A `probml_fit`, from [fit_map()] with a smooth prior (Gaussian,
#'   Student t), [fit_evidence()] or [fit_mle()].
#' @param n The number of draws.
#' @param seed `NULL` (use R's generator, so [set.seed()] governs the
#'   draws) or a whole number.
#' @param ... Not used: a misspelled argument is an error.
#' @return A matrix with `n` rows and one column per coefficient.
#' @seealso [fit_map()], [vcov()][vcov.probml_fit()].
#' @examples
#' fit <- fit_map(am ~ wt + hp, data = mtcars, family = lik_bernoulli(),
#'                prior = prior_gaussian(scale = 1))
#' draws <- posterior_draws(fit, 1000, seed = 1)
#' colMeans(draws)
#' apply(draws, 2, sd)
#' sqrt(diag(vcov(fit)))
#' @export
posterior_draws <- function(fit, n = 1000L, seed = NULL, ...) {
  check_dots_empty(...)
  if (!inherits(fit, "probml_fit")) {
    abort_probml("type", "{.arg fit} must be a probml fit, not {.obj_type_friendly {fit}}.")
  }
  check_number(n, "n", lower = 1, integer = TRUE)
  check_number(seed, "seed", lower = 0, upper = .Machine$integer.max, integer = TRUE, allow_null = TRUE)
  if (has_l1(fit$prior_spec)) {
    abort_probml("unsupported", c("The posterior of a Laplace or elastic-net prior has a kink at zero; its Laplace approximation does not exist.",
                                  i = "Use a Gaussian or Student t prior to sample from a Laplace approximation."))
  }
  V <- vcov(fit, complete = FALSE)
  R <- if (!anyNA(V)) tryCatch(chol(V), error = function(e) NULL)
  if (is.null(R)) abort_probml("degenerate", "The fit has no positive definite covariance (its information is singular); there is nothing to sample.")
  est <- fit$coefficients[fit$estimated]
  z <- if (is.null(seed)) stats::rnorm(n * length(est)) else with_preserved_rng({
    set.seed(seed)
    stats::rnorm(n * length(est))
  })
  draws <- matrix(z, n, length(est)) %*% R
  draws <- sweep(draws, 2L, est, `+`)
  out <- matrix(NA_real_, n, length(fit$coefficients), dimnames = list(NULL, names(fit$coefficients)))
  out[, fit$estimated] <- draws
  out
}
