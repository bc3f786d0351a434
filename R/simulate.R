#' Simulate responses from a probml fit
#'
#' Draws new responses from the fitted likelihood, with the semantics of
#' `simulate()` for `lm` and `glm` fits: `nsim` columns `sim_1`, `sim_2`,
#' ... of a data frame with one row per fitted value, and an attribute
#' `"seed"` holding the generator state (or the `seed` given, with
#' [RNGkind()]), so that the draws can be repeated; with `seed` the global
#' generator is restored afterwards. Every draw uses R's generator, so
#' [set.seed()] makes them reproducible.
#'
#' Each row is drawn from its fitted distribution, at the estimate:
#' * families with a predictive distribution (Gaussian, heteroscedastic
#'   Gaussian, Laplace, Poisson, beta, and the others the core declares one
#'   for) from that distribution at the row's fitted mean and variance. For
#'   the Poisson family these are `simulate(glm_fit)`'s draws. For the
#'   Gaussian family the noise is the maximum-likelihood
#'   \eqn{\sigma^2 = RSS/n}{sigma^2 = RSS/n} of the likelihood, where `glm()`
#'   draws with \eqn{RSS/(n - p)}{RSS/(n - p)}: the same standard normal
#'   draws, scaled by the other estimate.
#' * the Bernoulli family by `rbinom()` at the fitted probabilities (the
#'   draws of `simulate(glm_fit)` for 0/1 data), the categorical and ordinal
#'   families by drawing a class from each row's fitted class probabilities;
#'   the columns are factors when the response was one.
#' * location-scale families without a predictive distribution of the mean
#'   and variance (Student t, whose variance need not exist, and Huber) by
#'   rejection sampling from the family's own density at the fitted
#'   location, scale and shape (a Cauchy proposal); a Student t with fewer
#'   than one degree of freedom, whose tails are heavier than the
#'   proposal's, is refused (`probml_error_unsupported`).
#'
#' Prior weights do not change the distribution of a row (a probml weight
#' counts how often a row enters the likelihood), where `glm()` divides a
#' Gaussian variance by them. Rows omitted with `na.exclude` are `NA`.
#'
#' @param object A `probml_fit`.
#' @param nsim The number of response vectors to draw.
#' @param seed `NULL`, or a number given to [set.seed()] before drawing.
#' @param ... Not used: a misspelled argument is an error.
#' @return A data frame with `nsim` columns and attribute `"seed"`.
#' @seealso [predict()][predict.probml_fit()] for prediction intervals from
#'   the same distributions.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' sims <- simulate(fit, nsim = 3, seed = 1)
#' head(sims)
#' # refit each simulated response: a parametric bootstrap of the coefficients
#' sapply(sims, function(y) coef(fit_mle(y ~ wool + tension, data = warpbreaks,
#'                                        family = lik_poisson())))
#' @export
simulate.probml_fit <- function(object, nsim = 1, seed = NULL, ...) {
  check_dots_empty(...)
  check_number(nsim, "nsim", lower = 1, upper = .Machine$integer.max, integer = TRUE)
  check_number(seed, "seed", allow_null = TRUE)
  # As simulate.lm(): the generator's state, or the seed with its kind.
  if (!exists(".Random.seed", envir = globalenv(), inherits = FALSE)) stats::runif(1)
  if (is.null(seed)) {
    rng_state <- get(".Random.seed", envir = globalenv())
  } else {
    old <- get(".Random.seed", envir = globalenv())
    on.exit(assign(".Random.seed", old, envir = globalenv()))
    set.seed(seed)
    rng_state <- structure(seed, kind = as.list(RNGkind()))
  }
  draws <- simulate_draws(object, as.integer(nsim))
  n <- length(draws) / nsim
  trials <- attr(draws, "trials")
  cols <- lapply(seq_len(nsim), function(j) {
    rows <- (j - 1L) * n + seq_len(n)
    col <- draws[rows]
    # A cbind(successes, failures) response is simulated as one, as glm does.
    if (!is.null(trials)) {
      col <- cbind(col, trials[rows] - col)
      colnames(col) <- colnames(object$model[[1L]]) %||% c("successes", "failures")
    }
    if (is.null(object$na.action)) col else napredict(object$na.action, col)
  })
  names(cols) <- paste0("sim_", seq_len(nsim))
  val <- if (is.null(trials)) as.data.frame(cols, optional = TRUE)
         else structure(cols, class = "data.frame", row.names = seq_len(NROW(cols[[1L]])))
  attr(val, "seed") <- rng_state
  val
}

# n x nsim draws (column by column, as one vector or factor) from the
# fitted likelihood of every row.
simulate_draws <- function(object, nsim, call = rlang::caller_env()) {
  info <- fit_family_info(object)
  if (info$response %in% c("binary", "classes", "ordered")) return(simulate_classes(object, info, nsim))
  moments <- family_moments(object)
  mean <- moments$mean[, 1L]
  total <- length(mean) * nsim
  if (!is.na(member_distribution(info$predictive_distribution))) {
    dist <- predictive_distributions[[info$predictive_distribution]]
    return(dist$random(total, rep(mean, nsim), rep(moments$variance, length.out = length(mean))[rep(seq_along(mean), nsim)]))
  }
  simulate_location_scale(object, info, nsim, call)
}

# Classes drawn from the fitted probabilities: rbinom() for a binary
# response (glm's draws), inversion of the cumulative probabilities for
# several classes; a factor where the response was one.
simulate_classes <- function(object, info, nsim) {
  P <- object$fitted_values
  if (!is.matrix(P)) {
    if (!is.null(object$levels)) {
      hit <- stats::rbinom(length(P) * nsim, 1L, rep(P, nsim))
      return(factor(object$levels[hit + 1L], levels = object$levels))
    }
    # As glm: whole-number prior weights are trials (a proportion of them
    # is drawn; 0/1 for one trial); other weights are not counts.
    w <- object$prior_weights
    trials <- rep(if (all(w == round(w))) w else 1, nsim)
    successes <- stats::rbinom(length(P) * nsim, trials, rep(P, nsim))
    if ("matrix" %in% object$response_class) return(structure(successes, trials = trials))
    return(successes / trials)
  }
  n <- nrow(P)
  u <- stats::runif(n * nsim)
  cum <- t(apply(P, 1L, cumsum))[rep(seq_len(n), nsim), , drop = FALSE]
  k <- 1L + rowSums(u > cum[, -ncol(cum), drop = FALSE])
  factor(object$levels[k], levels = object$levels, ordered = info$response == "ordered")
}

# Location-scale families without a predictive distribution (Student t,
# Huber): the standardised density is the family's own, exp(-nll(z)) at
# location 0 and scale 1, sampled by rejection from a standard Cauchy
# proposal; the draws are shifted and scaled row by row.
simulate_location_scale <- function(object, info, nsim, call) {
  refuse <- function(reason) {
    abort_probml("unsupported", c("{.fn simulate} cannot draw from this {info$label} fit: {reason}.",
                                  i = "Its sampler draws from a predictive distribution, class probabilities or a location-scale density with at least Cauchy tails."),
                 call = call)
  }
  if (info$log_scale_aux < 0L || info$n_linear != 1L) refuse("the family has no predictive distribution and no location and scale")
  spec <- family_spec(object$family, object$levels)
  aux <- aux_values(object, info)
  k <- info$log_scale_aux + 1L
  scale <- exp(aux[k])
  aux[k] <- 0
  log_ratio <- function(z) {
    -cpp_family_local(spec, matrix(0, length(z), 1L), z, aux, 0L)$value - stats::dcauchy(z, log = TRUE)
  }
  positive <- 10^seq(-3, 8, by = 0.05)
  grid <- c(-rev(positive), 0, positive)
  values <- log_ratio(grid)
  m <- length(grid)
  if (values[m] > values[m - 20L] + 1e-9 || values[1L] > values[21L] + 1e-9) refuse("its tails are heavier than a Cauchy's")
  top <- which.max(values)
  lo <- grid[max(top - 1L, 1L)]
  hi <- grid[min(top + 1L, m)]
  bound <- max(values[top], stats::optimize(log_ratio, c(lo, hi), maximum = TRUE)$objective) + 1e-10
  location <- object$linear_predictors[, 1L]
  total <- length(location) * nsim
  z <- numeric(0)
  while (length(z) < total) {
    m <- 2L * (total - length(z)) + 10L
    proposal <- stats::rcauchy(m)
    keep <- log(stats::runif(m)) < log_ratio(proposal) - bound
    z <- c(z, proposal[keep])
  }
  rep(location, nsim) + scale * z[seq_len(total)]
}
