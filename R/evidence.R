# fit_evidence(): empirical Bayes. The scale of a Gaussian prior (and the
# noise sd of a Gaussian likelihood) chosen by maximising the marginal
# likelihood; the result is the fit_map() fit at the chosen prior.

#' Choose the prior by the evidence (empirical Bayes)
#'
#' `fit_evidence()` chooses the scale \eqn{\tau}{tau} of a Gaussian prior on
#' the coefficients -- and, for a Gaussian likelihood whose \eqn{\sigma}{sigma}
#' is not fixed, the noise sd \eqn{\sigma}{sigma} -- by maximising the
#' marginal likelihood of the data (the evidence, type-II maximum
#' likelihood), and returns the [fit_map()] fit at the chosen values. With
#' `ard = TRUE` every penalised coefficient gets its own scale (automatic
#' relevance determination): the scales of irrelevant coefficients shrink
#' towards zero, which removes them. `fit_evidence_xy()` is the matrix entry
#' point (as for [fit_map_xy()], `x` is the whole design).
#'
#' @section The evidence: The evidence is
#'   \deqn{p(y \mid \tau) = \int p(y \mid \theta)\, p(\beta \mid \tau)\, d\theta,}{p(y | tau) = integral of p(y | theta) p(beta | tau) d theta,}
#'   where \eqn{p(y \mid \theta)}{p(y | theta)} is the likelihood that
#'   [logLik()] reports (with weights, \eqn{\exp \sum_i w_i \log p(y_i \mid
#'   \theta)}{exp(sum w_i log p(y_i | theta))}), the penalised coefficients
#'   have the prior's Gaussian density, normalising constant included, and
#'   the coefficients the prior leaves flat (the intercept, coefficients with
#'   a penalty factor of 0, auxiliary parameters such as log sigma or
#'   cut-points) are integrated against Lebesgue measure (a flat prior of
#'   density 1) on the scale of [coef()]. Integrating out a flat intercept
#'   is the same as centring: for a Gaussian likelihood with unit weights,
#'   \eqn{\log p(y \mid \tau, \sigma)}{log p(y | tau, sigma)} is \eqn{\log
#'   N(y; 0, \sigma^2 I + X \Lambda^{-1} X^T)}{log N(y; 0, sigma^2 I + X Lambda^-1 X')} on
#'   centred data, plus \eqn{\frac12 \log(2\pi\sigma^2/n)}{log(2 pi sigma^2 / n) / 2}.
#'   A flat prior is improper, so the value is defined up to the choice of
#'   that measure (it changes by a constant if a flat column is rescaled);
#'   differences between values of \eqn{\tau}{tau} and \eqn{\sigma}{sigma},
#'   and the choice they make, are not.
#'
#' @section Computation: For a Gaussian likelihood the evidence is exact. The
#'   Gram matrix \eqn{X^T W X}{X'WX} is computed once, in C++ (one pass over
#'   the data); the flat coefficients are integrated out in closed form, and
#'   an eigendecomposition of what remains makes each evaluation of the
#'   evidence cost \eqn{O(p)}{O(p)}: \eqn{\sigma}{sigma} is profiled out
#'   exactly and the evidence maximised over \eqn{\log(\tau/\sigma)}{log(tau /
#'   sigma)} on a grid refined to a root of its derivative. This holds for
#'   any \eqn{p}{p}, also \eqn{p > n}{p > n}. With `ard = TRUE` the scales
#'   and \eqn{\sigma}{sigma} are found by MacKay's fixed-point updates
#'   started from the single-scale optimum, keeping the iterate of largest
#'   evidence, so the ARD evidence is never below the single-scale one.
#'
#'   For every other family the evidence is the Laplace approximation at the
#'   MAP estimate \eqn{\hat\theta}{theta_hat},
#'   \deqn{\log p(y \mid \hat\theta) + \log p(\hat\beta \mid \tau) + \frac{k}{2}\log 2\pi - \frac12 \log |H|,}{log p(y | theta_hat) + log p(beta_hat | tau) + (k / 2) log(2 pi) - log|H| / 2,}
#'   with \eqn{H}{H} the Hessian of the negative log posterior (the inverse
#'   of [vcov()]) and \eqn{k}{k} the number of estimated parameters,
#'   maximised over \eqn{\log\tau}{log tau} by a grid and [stats::optimize()];
#'   each evaluation is one [fit_map()] fit. The Laplace likelihood, whose
#'   log-likelihood has no curvature in the location, is not supported, nor
#'   is `ard = TRUE`.
#'
#' @section Scale: The prior is on the coefficients as `prior` says
#'   (standardised predictors by default), so \eqn{\tau}{tau} is in the units
#'   of the response divided by those of the (standardised) predictors.
#'   Multiplying the response by \eqn{c}{c} multiplies the chosen
#'   \eqn{\tau}{tau}, \eqn{\sigma}{sigma}, the coefficients and the fitted
#'   values by \eqn{c}{c}, and leaves everything else unchanged: there is no
#'   hyperprior to break the equivariance.
#'
#' @inheritParams fit_map
#' @param prior A [prior_gaussian()]: its `standardize` and
#'   `penalty_factor` settings say which coefficients are penalised and on
#'   which scale; its `scale` is what `fit_evidence()` chooses (it must be a
#'   single value and is otherwise ignored). The intercept prior must be
#'   flat.
#' @param ard One prior scale per penalised coefficient (automatic relevance
#'   determination) instead of one for all. Gaussian likelihood only.
#' @param control A [fit_control()] list for the MAP fits.
#' @return A `probml_fit` of class `c("probml_evidence", "probml_fit")`: the
#'   [fit_map()] fit at the chosen prior, so that [coef()], [vcov()] (the
#'   posterior covariance given the chosen values), [predict()],
#'   [summary()][summary.probml_fit()] and [logLik()] work as for any fit,
#'   with in addition
#'   * `log_evidence`: the log marginal likelihood at the chosen values;
#'   * `prior_scale`: the chosen \eqn{\tau}{tau} (one per penalised
#'     coefficient with `ard = TRUE`); the prior of the fit is
#'     `prior_gaussian(prior_scale, ...)`;
#'   * `sigma`: for a Gaussian likelihood, the noise sd (chosen by the
#'     evidence, or the fixed one). With \eqn{\sigma}{sigma} chosen, the fit
#'     is the posterior given it: its family is
#'     `lik_gaussian(sigma = sigma)`, [coef()] has no `log(sigma)` and
#'     [sigma()][sigma.probml_fit()] returns it. `logLik()` counts it as one
#'     more parameter;
#'   * `effective_parameters`: the effective number of regression
#'     coefficients, \eqn{tr(H^{-1} H_{data})}{tr(H^-1 H_data)} over them, in
#'     MacKay's notation \eqn{\gamma = \sum_i \lambda_i / (\lambda_i +
#'     \alpha)}{gamma = sum lambda_i / (lambda_i + alpha)} plus one per flat
#'     coefficient;
#'   * `evidence`: how it was computed (`method` `"exact"` or `"laplace"`,
#'     `ard`, `sigma_estimated`, `iterations`, and `pruned`, the coefficients
#'     whose ARD prior precision exceeds the data's by a factor of 1e4 or
#'     more, so that they are shrunk to nearly zero).
#' @seealso [fit_map()] for a fit at a given prior, [map_path()] for the
#'   whole path of prior scales and [cv_map()] to choose the scale by
#'   cross-validation instead; [priors].
#' @examples
#' # Ridge with tau and sigma chosen by the evidence (as BayesianRidge)
#' fit <- fit_evidence(mpg ~ wt + hp + qsec + drat + disp, data = mtcars)
#' fit
#' fit$prior_scale
#' fit$effective_parameters
#'
#' # One scale per coefficient: irrelevant predictors are switched off
#' set.seed(1)
#' X <- matrix(rnorm(200 * 8), 200, 8, dimnames = list(NULL, paste0("x", 1:8)))
#' y <- 2 * X[, 1] - X[, 2] + rnorm(200)
#' ard <- fit_evidence_xy(cbind("(Intercept)" = 1, X), y, ard = TRUE)
#' round(ard$prior_scale, 4)
#'
#' # A logistic regression: the Laplace approximation of the evidence
#' fit_evidence(type ~ glu + bmi + ped + age, data = MASS::Pima.tr,
#'              family = lik_bernoulli())
#' @export
fit_evidence <- function(formula, data, family = lik_gaussian(), prior = prior_gaussian(), ard = FALSE, weights,
                         offset, subset, na.action, control = fit_control(), model = TRUE,
                         n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  if (missing(data)) data <- NULL
  mc <- match.call()
  call <- rlang::current_env()
  family <- with_formula_parts(as_probml_family(family, call = call), formula_has_bar(if (!missing(formula)) formula))
  check_flag(model, "model", call = call)
  fr <- formula_frame(mc, parent.frame(), formula, data, family_info(family), missing(na.action),
                      if (!missing(na.action)) na.action, call = call)
  fit <- evidence_design(fr$designs, fr$y, family, prior, ard, fr$weights, fr$offset, control, n_threads, fr$arg_y, call)
  with_formula(fit, fr, mc, formula, model)
}

#' @rdname fit_evidence
#' @param x A numeric design matrix (include a column of ones named
#'   `"(Intercept)"` for an intercept, which the prior leaves flat).
#' @param y The response.
#' @param z For [lik_gaussian_hetero()]: the design of the log-variance.
#' @export
fit_evidence_xy <- function(x, y, family = lik_gaussian(), prior = prior_gaussian(), ard = FALSE, weights = NULL,
                            offset = NULL, z = NULL, control = fit_control(),
                            n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  call <- rlang::current_env()
  family <- with_formula_parts(as_probml_family(family, call = call), !is.null(z))
  inp <- xy_inputs(x, y, z, family_info(family), call = call)
  fit <- evidence_design(inp$designs, inp$y, family, prior, ard, weights, offset, control, n_threads, "y", call)
  fit$call <- match.call()
  fit[["x"]] <- inp$designs
  fit
}

# Shared by both entries: the data resolved once, the evidence maximised,
# and the MAP fit at the chosen prior.
evidence_design <- function(designs, y, family, prior, ard, weights, offset, control, n_threads, arg_y, call) {
  info <- family_info(family)
  prior <- check_evidence_prior(prior, call = call)
  check_flag(ard, "ard", call = call)
  control <- check_control(control, call = call)
  n_threads <- check_threads(n_threads, call = call)
  exact <- info$least_squares && info$n_linear == 1L && info$n_formula_parts == 1L && identical(family$link, "identity")
  if (!exact && info$information == "expected") {
    abort_probml("unsupported", c("{.fn fit_evidence} does not support {info$label}: the Laplace approximation of the evidence needs the curvature of the log-likelihood, which it lacks.",
                                  i = "Choose the prior scale with {.fn cv_map} instead."), call = call)
  }
  if (ard && !exact) {
    abort_probml("unsupported", c("{.code ard = TRUE} is available for a Gaussian likelihood only, not {info$label}.",
                                  i = "For other families {.fn fit_evidence} chooses one prior scale (Laplace approximation)."), call = call)
  }
  sigma_estimated <- exact && is.null(family$sigma)
  inp <- design_inputs(designs, y, family, weights, offset, arg_y, call = call)
  # At scale 1 the prior's curvature is each coefficient's base precision:
  # base / tau^2 at scale tau.
  base <- prior_terms(set_scale(prior, 1), inp$layout, designs, inp$weights, inp$response$y, family, inp$info,
                      call = call)$l2
  roles <- coefficient_roles(inp$layout, inp$part_names)
  prec <- roles$penalisable & base > 0
  if (!any(prec)) {
    abort_probml("degenerate", "The model has no penalised coefficients: there is no prior scale to choose.", call = call)
  }
  fitter <- function(family, prior) {
    fit_design(designs, y, family, weights = weights, offset = offset, control = control, n_threads = n_threads,
               arg_y = arg_y, prior = prior, call = call)
  }
  found <- if (exact) {
    lin <- !roles$aux
    prob <- gaussian_problem(designs[[1L]], inp, base[lin], prec[lin], roles$names[lin], family$sigma,
                             control$rank_tol, n_threads, call)
    one <- evidence_one_scale(prob, call)
    # ARD's fixed-point updates are cheap (p x p): ten per Newton step allowed.
    if (ard) evidence_ard(prob, one, max_iter = 10L * control$max_iter) else one
  } else {
    sd <- column_scales(designs, inp$layout, inp$weights, "sd")
    laplace_evidence(fitter, family, prior, base, prec, sd, roles$names)
  }
  scale <- stats::setNames(rep(1, sum(roles$penalisable)), roles$names[roles$penalisable])
  scale[names(found$tau)] <- found$tau
  final_family <- if (sigma_estimated) lik_gaussian(sigma = found$sigma) else family
  fit <- fitter(final_family, set_scale(prior, if (ard) scale else found$tau[[1L]]))

  fit$log_evidence <- if (exact) found$log_evidence else laplace_log_evidence(fit)
  fit$prior_scale <- if (ard) found$tau else found$tau[[1L]]
  if (exact) fit$sigma <- found$sigma
  fit$effective_parameters <- fit$df - sum(fit$estimated[names(fit$estimated) %in% roles$names[roles$aux]])
  if (sigma_estimated) fit$df <- fit$df + 1
  fit$evidence <- list(method = if (exact) "exact" else "laplace", ard = ard, sigma_estimated = sigma_estimated,
                       iterations = found$iterations, pruned = found$pruned, boundary = found$boundary,
                       n_coefficients = sum(!roles$aux), family_label = info$label)
  class(fit) <- c("probml_evidence", class(fit))
  fit
}

check_evidence_prior <- function(prior, call) {
  prior <- as_probml_prior(prior, call = call)
  if (prior$kind != "gaussian") {
    abort_probml("unsupported", c("{.arg prior} must be a Gaussian prior ({.fn prior_gaussian}), not a {prior_label(prior)} prior.",
                                  i = "The evidence is computed for a Gaussian prior on the coefficients; {.fn cv_map} chooses the scale of other priors."),
                 call = call)
  }
  if (length(prior$scale) != 1L) {
    abort_probml("length", c("{.arg prior} must have a single scale: {.fn fit_evidence} chooses it.",
                             i = "Use {.arg penalty_factor} for relative scales, or {.code ard = TRUE} for one scale per coefficient."),
                 call = call)
  }
  if (prior$intercept$kind != "flat") {
    abort_probml("unsupported", c("The intercept prior of {.arg prior} must be flat in {.fn fit_evidence}.",
                                  i = "The evidence integrates a flat intercept out; drop {.arg intercept} from {.fn prior_gaussian}."),
                 call = call)
  }
  prior
}

set_scale <- function(prior, scale) {
  prior$scale <- scale
  prior
}

# The search fits' warnings (convergence or separation at extreme scales)
# belong to the final fit, which raises its own.
quietly <- function(expr) {
  withCallingHandlers(expr, probml_warning = function(w) invokeRestart("muffleWarning"))
}

# ---- Gaussian likelihood: exact ----------------------------------------------

# The exact evidence of a Gaussian likelihood. In the coordinates
# u_j = sqrt(base_j) beta_j of the penalised coefficients the prior is
# N(0, tau^2 I); the flat coefficients (F) are integrated out in closed
# form, leaving the Gram matrix Gt, cross product bt and residual sum of
# squares R of the penalised part given them, and N = sum(w) - |F|.
gaussian_problem <- function(X, inp, base, prec, names, sigma, rank_tol, n_threads, call) {
  flat <- !prec
  w <- inp$weights
  y <- inp$response$y - if (length(inp$offset)) inp$offset else 0
  if (inp$template$intercept_col >= 0L) y <- y - sum(w * y) / sum(w)  # absorbed by the flat intercept; avoids cancellation
  G <- cpp_weighted_gram(X, w, n_threads)
  b <- if (is.matrix(X)) drop(crossprod(X, w * y)) else {
    vapply(X$columns, function(col) if (is.null(col)) sum(w * y) else sum(w * y * col), 0)
  }
  yy <- sum(w * y^2)
  s <- 1 / sqrt(base[prec])
  Gpp <- G[prec, prec, drop = FALSE]
  bp <- b[prec]
  logdet_flat <- 0
  if (any(flat)) {
    Gff <- G[flat, flat, drop = FALSE]
    Rf <- tryCatch(chol(Gff), error = function(e) NULL)
    # Aliased as in the fits: a column whose part not explained by the
    # earlier ones is below rank_tol of its norm.
    if (is.null(Rf) || any(diag(Rf) < rank_tol * sqrt(diag(Gff)))) {
      abort_probml("degenerate", "The unpenalised columns of the design are collinear: the evidence with a flat prior on them is infinite.",
                   call = call)
    }
    Q <- backsolve(Rf, G[flat, prec, drop = FALSE], transpose = TRUE)
    qb <- backsolve(Rf, b[flat], transpose = TRUE)
    Gpp <- Gpp - crossprod(Q)
    bp <- bp - drop(crossprod(Q, qb))
    yy <- yy - sum(qb^2)
    logdet_flat <- 2 * sum(log(diag(Rf)))
  }
  prob <- list(G = s * t(s * Gpp), b = s * bp, R = max(yy, 0), N = sum(w) - sum(flat), logdet_flat = logdet_flat,
               sigma = sigma, names = names[prec])
  if (prob$N <= 0) {
    abort_probml("degenerate", "The data have no residual degrees of freedom once the unpenalised coefficients are fitted.", call = call)
  }
  prob
}

# One scale: eigendecomposition Gt = V diag(d) V', z = V' bt. With
# rho = tau^2 / sigma^2 the evidence is
#   -N/2 log(2 pi sigma^2) - logdet_flat / 2 - Q(rho) / (2 sigma^2) - sum(log(1 + rho d)) / 2,
#   Q(rho) = R - sum(z^2 rho / (1 + rho d)),
# and sigma^2 = Q / N maximises it for given rho.
evidence_one_scale <- function(prob, call) {
  e <- eigen(prob$G, symmetric = TRUE)
  d <- pmax(e$values, 0)
  z <- drop(crossprod(e$vectors, prob$b))
  if (d[1L] <= 0) abort_probml("degenerate", "The penalised columns of the design are constant once the unpenalised ones are fitted.", call = call)
  N <- prob$N
  known <- !is.null(prob$sigma)
  Qf <- function(rho) prob$R - sum(z^2 * rho / (1 + rho * d))
  value <- function(x) {
    rho <- exp(x)
    Q <- max(Qf(rho), .Machine$double.xmin)
    s2 <- if (known) prob$sigma^2 else Q / N
    -N / 2 * log(2 * pi * s2) - prob$logdet_flat / 2 - Q / (2 * s2) - sum(log1p(rho * d)) / 2
  }
  # d/dlog(rho); for sigma profiled out, by the envelope theorem.
  slope <- function(x) {
    rho <- exp(x)
    dQ <- -sum(z^2 / (1 + rho * d)^2)
    s2 <- if (known) prob$sigma^2 else Qf(rho) / N
    rho * (-dQ / (2 * s2) - sum(d / (1 + rho * d)) / 2)
  }
  # log(rho * max(d)) over [-25, 25] in steps of 1/4, then the root of the
  # derivative between the neighbours of the best grid point.
  grid <- -log(d[1L]) + seq(-25, 25, by = 1 / 4)
  vals <- vapply(grid, value, 0)
  best <- which.max(vals)
  boundary <- if (best == 1L) "lower" else if (best == length(grid)) "upper" else "none"
  x <- grid[best]
  if (boundary == "none") {
    lo <- grid[best - 1L]
    hi <- grid[best + 1L]
    x <- if (slope(lo) > 0 && slope(hi) < 0) {
      stats::uniroot(slope, c(lo, hi), tol = 1e-13, maxiter = 200L)$root
    } else {
      stats::optimize(value, c(lo, hi), maximum = TRUE, tol = 1e-12)$maximum
    }
  } else {
    warn_boundary(boundary)
  }
  rho <- exp(x)
  sigma <- if (known) prob$sigma else sqrt(max(Qf(rho), .Machine$double.xmin) / N)
  tau <- sqrt(rho) * sigma
  list(tau = stats::setNames(rep(tau, length(d)), prob$names), sigma = sigma, log_evidence = value(x),
       gamma = sum(rho * d / (1 + rho * d)), iterations = 0L, pruned = character(), boundary = boundary)
}

warn_boundary <- function(boundary) {
  if (boundary == "lower") {
    warn_probml("convergence", c("The evidence is largest at the smallest prior scale searched: the data give no evidence for the penalised coefficients.",
                                 i = "The fit shrinks them to (nearly) zero."))
  } else {
    warn_probml("convergence", c("The evidence is largest at the largest prior scale searched: the prior is (nearly) flat.",
                                 i = "The fit is close to the unpenalised one."))
  }
}

# Log evidence with per-coefficient precisions alpha (u coordinates):
#   -N/2 log(2 pi s2) - logdet_flat / 2 - R / (2 s2) + sum(log alpha) / 2
#   - log|A| / 2 + bt' m / (2 s2),   A = Gt / s2 + diag(alpha), m = A^-1 bt / s2.
ard_state <- function(prob, alpha, s2) {
  A <- prob$G / s2
  diag(A) <- diag(A) + alpha
  U <- chol(A)
  Sigma <- chol2inv(U)
  m <- drop(Sigma %*% prob$b) / s2
  value <- -prob$N / 2 * log(2 * pi * s2) - prob$logdet_flat / 2 - prob$R / (2 * s2) + sum(log(alpha)) / 2 -
    sum(log(diag(U))) + sum(prob$b * m) / (2 * s2)
  list(alpha = alpha, s2 = s2, Sigma = Sigma, m = m, gamma = 1 - alpha * diag(Sigma), value = value)
}

# One scale per coefficient, from the single-scale optimum. Each step sets
# every alpha_j to the maximiser of the evidence in alpha_j alone, given
# the current state (Tipping and Faul's closed form, infinite when the
# coefficient's quality q_j^2 does not exceed its sparsity s_j), and sigma^2
# to MacKay's RSS / (N - sum gamma); where that lowers the evidence, it
# takes MacKay's alpha_j = gamma_j / m_j^2 instead. An infinite precision
# is held at 1e10 times the data's precision of its coefficient (the
# coefficient is pruned). The state of largest evidence is kept.
evidence_ard <- function(prob, one, max_iter = 1000L, tol = 1e-9) {
  known <- !is.null(prob$sigma)
  k <- length(prob$b)
  state <- ard_state(prob, rep(1 / one$tau[[1L]]^2, k), one$sigma^2)
  iter <- 0L
  repeat {
    iter <- iter + 1L
    cap <- 1e10 * pmax(diag(prob$G), .Machine$double.eps) / state$s2
    GS <- prob$G %*% state$Sigma
    S <- diag(prob$G) / state$s2 - rowSums(GS * prob$G) / state$s2^2
    Q <- prob$b / state$s2 - drop(GS %*% prob$b) / state$s2^2
    a <- state$alpha
    sj <- a * S / (a - S)
    qj <- a * Q / (a - S)
    tf <- ifelse(qj^2 > sj, sj^2 / (qj^2 - sj), cap)
    mk <- pmax(state$gamma, 0) / state$m^2
    s2 <- state$s2
    if (!known) {
      rss <- prob$R - 2 * sum(prob$b * state$m) + sum(state$m * (prob$G %*% state$m))
      s2 <- max(rss, .Machine$double.xmin) / max(prob$N - sum(state$gamma), .Machine$double.eps)
    }
    clean <- function(alpha) {
      bad <- !is.finite(alpha) | alpha <= 0 | alpha > cap
      alpha[bad] <- cap[bad]
      alpha
    }
    nxt <- ard_state(prob, clean(tf), s2)
    if (nxt$value < state$value) nxt <- ard_state(prob, clean(mk), s2)
    if (nxt$value < state$value) break
    change <- nxt$value - state$value
    state <- nxt
    if (change < tol * max(1, abs(state$value))) break
    if (iter >= max_iter) {
      warn_probml("convergence", "The ARD updates stopped after {max_iter} iteration{?s} without converging; the scales are those of largest evidence so far.")
      break
    }
  }
  # Pruned: the prior's precision outweighs the data's by 1e4 or more, so
  # the coefficient is shrunk to (nearly) zero.
  shrunk <- state$alpha * state$s2 / pmax(diag(prob$G), .Machine$double.eps) >= 1e4
  list(tau = stats::setNames(1 / sqrt(state$alpha), prob$names), sigma = sqrt(state$s2), log_evidence = state$value,
       gamma = sum(state$gamma), iterations = iter, pruned = prob$names[shrunk],
       boundary = "none")
}

# ---- other families: Laplace approximation -----------------------------------

# log p(y | theta) + log p(beta | tau) + k/2 log(2 pi) - log|H| / 2 at the
# MAP, with H^-1 = vcov(fit) and the Gaussian prior's normaliser added to
# fit$prior_value (which leaves it out).
laplace_log_evidence <- function(fit) {
  V <- fit$vcov
  if (is.null(V) || anyNA(V)) return(-Inf)
  ld <- determinant(V, logarithm = TRUE)
  if (ld$sign <= 0) return(-Inf)
  l2 <- fit$prior_spec$l2[fit$estimated]
  k <- sum(fit$estimated)
  fit$loglik - fit$prior_value + sum(log(l2[l2 > 0] / (2 * pi))) / 2 + k / 2 * log(2 * pi) + as.numeric(ld$modulus) / 2
}

# The Laplace evidence over log tau: a grid of steps 2 over +-10 around the
# scale at which the standardised coefficients have prior sd 1, then
# optimize() between the neighbours of the best point.
laplace_evidence <- function(fitter, family, prior, base, prec, sd, names) {
  centre <- mean(log(sqrt(base[prec]) / sd[prec]))
  n_fits <- 0L
  value <- function(x) {
    n_fits <<- n_fits + 1L
    fit <- quietly(fitter(family, set_scale(prior, exp(x))))
    laplace_log_evidence(fit)
  }
  grid <- centre + seq(-10, 10, by = 2)
  vals <- vapply(grid, value, 0)
  best <- which.max(vals)
  boundary <- if (best == 1L) "lower" else if (best == length(grid)) "upper" else "none"
  x <- grid[best]
  if (boundary == "none") {
    x <- stats::optimize(value, grid[best + c(-1L, 1L)], maximum = TRUE, tol = 1e-7)$maximum
  } else {
    warn_boundary(boundary)
  }
  nm <- names[prec]
  list(tau = stats::setNames(rep(exp(x), length(nm)), nm), sigma = NULL, iterations = n_fits,
       pruned = character(), boundary = boundary)
}

# ---- methods -----------------------------------------------------------------

#' @export
print.probml_evidence <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  ev <- x$evidence
  cat("probml empirical Bayes fit: ", ev$family_label, " likelihood, Gaussian prior\n", sep = "")
  cat("Chosen by ", if (ev$method == "exact") "the exact marginal likelihood" else "the Laplace approximation of the marginal likelihood",
      " (type-II maximum likelihood):\n", sep = "")
  on <- switch(x$prior$standardize, sd = " on standardised predictors", `2sd` = " on inputs scaled by 2 sd", none = "")
  tau <- x$prior_scale
  if (ev$ard) {
    cat("  prior scales (ARD)", on, ": ", length(tau), " coefficients, from ", format(min(tau), digits = digits),
        " to ", format(max(tau), digits = digits), "; ", length(ev$pruned), " pruned",
        if (length(ev$pruned)) paste0(" (", paste(utils::head(ev$pruned, 5L), collapse = ", "),
                                      if (length(ev$pruned) > 5L) ", ...", ")"), "\n", sep = "")
  } else {
    cat("  prior scale tau = ", format(tau, digits = digits), on, "\n", sep = "")
  }
  if (!is.null(x$sigma)) {
    cat("  sigma = ", format(x$sigma, digits = digits), if (ev$sigma_estimated) " (chosen with tau)" else " (fixed)", "\n", sep = "")
  }
  if (ev$boundary != "none") cat("  at the ", ev$boundary, " end of the scales searched\n", sep = "")
  cat("log evidence ", format(x$log_evidence, digits = digits + 3L), "; effective parameters ",
      format(x$effective_parameters, digits = digits), " of ", ev$n_coefficients, " coefficients\n\n", sep = "")
  NextMethod()
}
