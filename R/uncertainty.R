# The one aleatoric/epistemic decomposition of an ensemble's predictions,
# shared by every ensemble kind (bootstrap ensembles, deep ensembles, MC
# dropout). Each ensemble gives its members' predictive distributions at
# the new points; uncertainty_table() mixes them with equal weights.
#
#   uncertainty_table(members, level = 0.95, newdata = NULL, method = "<label>")
#
# with `members` either
#   list(kind = "regression", mean = n x S member means,
#        variance = n x S member (aleatoric) variances,
#        distribution = a name in predictive_distributions, or NA for none)
# or
#   list(kind = "classification", prob = n x K x S member class
#        probabilities, dimnames(prob)[[2]] the class labels).
#
# Regression: the mixture's variance is the mean of the member variances
# (aleatoric: the noise each member predicts) plus the population variance
# of the member means (epistemic: the members' disagreement), so
# sd_total^2 = sd_aleatoric^2 + sd_epistemic^2 exactly. The interval is the
# mixture's (1 - level)/2 and (1 + level)/2 quantiles.
# Classification: the entropy of the mean probabilities (total) is the mean
# of the member entropies (aleatoric) plus the mutual information between
# the prediction and the member (epistemic), which is >= 0.

# The predictive distributions of the families, by the name each family
# declares in the core (family_info()$predictive_distribution): the one
# table of them, used by the ensembles' intervals (uncertainty_table()) and
# by quantile residuals. Every function takes
#   (q or p, mean, variance, weight = 1, scale = NA, shape = NA):
# the mean and variance of y for a weight of 1 (class probabilities, n x K,
# as the mean of "categorical"), the prior weight (a precision for the
# families with a scale, the number of trials for "binomial"; ignored by
# "poisson", "beta" and "categorical", whose mean fixes the distribution),
# and, for "student_t" and "huber", the location's scale and the family's
# shape (df, delta); an entry may take (q, mean, variance) alone.
# `moments`: given by mean and variance alone (what an ensemble member has;
# TRUE where absent). `discrete`: its quantiles are whole numbers (class
# indices, or proportions of `weight` trials), and `below` is P(Y < q).
# `upper` is P(Y > q) and, for a discrete entry, `upper_from` P(Y >= q),
# accurate in the upper tail (1 - cdf where absent).
# `random(n, ...)` draws with R's generator, the parameters recycled to n
# (simulate() uses it; the class families have their own sampler).
predictive_distributions <- list(
  normal = list(
    discrete = FALSE, moments = TRUE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pnorm(q, mean, sqrt(variance / weight)),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pnorm(q, mean, sqrt(variance / weight), lower.tail = FALSE),
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::dnorm(q, mean, sqrt(variance / weight)),
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) stats::qnorm(p, mean, sqrt(variance / weight)),
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) stats::rnorm(n, mean, sqrt(variance / weight))
  ),
  laplace = list(
    discrete = FALSE, moments = TRUE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      z <- (q - mean) / sqrt(variance / (2 * weight))
      ifelse(z < 0, 0.5 * exp(pmin(z, 0)), 1 - 0.5 * exp(-pmax(z, 0)))
    },
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      z <- (q - mean) / sqrt(variance / (2 * weight))
      ifelse(z > 0, 0.5 * exp(-pmax(z, 0)), 1 - 0.5 * exp(pmin(z, 0)))
    },
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      b <- sqrt(variance / (2 * weight))
      exp(-abs(q - mean) / b) / (2 * b)
    },
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) {
      b <- sqrt(variance / (2 * weight))
      if (p < 0.5) mean + b * log(2 * p) else mean - b * log(2 * (1 - p))
    },
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) {
      # inversion of the cdf
      u <- stats::runif(n) - 0.5
      mean - sqrt(variance / (2 * weight)) * sign(u) * log1p(-2 * abs(u))
    }
  ),
  # The asymmetric Laplace of lik_quantile(tau): location mu (the
  # tau-quantile) and scale sigma from the mean mu + sigma (1 - 2 tau) /
  # (tau (1 - tau)) and the variance sigma^2 (1 - 2 tau + 2 tau^2) /
  # (tau (1 - tau))^2. A mean and variance do not fix tau: these functions
  # take it as `tau`, the family's location_quantile (family_info()), and
  # refuse to guess it.
  asymmetric_laplace = list(
    # shape = tau (Family::predictive_shape()); mean and variance alone do
    # not fix it, so an ensemble member of this family has no interval.
    discrete = FALSE, moments = FALSE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      p <- ald_parameters(mean, variance / weight, shape)
      z <- (q - p$mu) / p$sigma
      ifelse(z <= 0, shape * exp((1 - shape) * pmin(z, 0)), 1 - (1 - shape) * exp(-shape * pmax(z, 0)))
    },
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      p <- ald_parameters(mean, variance / weight, shape)
      r <- q - p$mu
      shape * (1 - shape) / p$sigma * exp(-r * (shape - (r < 0)) / p$sigma)
    },
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) {
      a <- ald_parameters(mean, variance / weight, shape)
      a$mu + a$sigma * ifelse(p <= shape, log(p / shape) / (1 - shape), -log((1 - p) / (1 - shape)) / shape)
    },
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) {
      a <- ald_parameters(mean, variance / weight, shape)
      u <- stats::runif(n)
      a$mu + a$sigma * ifelse(u <= shape, log(u / shape) / (1 - shape), -log((1 - u) / (1 - shape)) / shape)
    }
  ),
  poisson = list(
    discrete = TRUE, moments = TRUE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::ppois(q, mean),
    below = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::ppois(q - 1, mean),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::ppois(q, mean, lower.tail = FALSE),
    upper_from = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::ppois(q - 1, mean, lower.tail = FALSE),
    density = NULL,
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) stats::qpois(p, mean),
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) stats::rpois(n, mean)
  ),
  binomial = list(
    # a proportion of `weight` trials (a Bernoulli response: one trial)
    discrete = TRUE, moments = TRUE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pbinom(round(q * weight), weight, mean),
    below = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pbinom(round(q * weight) - 1, weight, mean),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pbinom(round(q * weight), weight, mean, lower.tail = FALSE),
    upper_from = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pbinom(round(q * weight) - 1, weight, mean, lower.tail = FALSE),
    density = NULL,
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) stats::qbinom(p, weight, mean) / weight,
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) stats::rbinom(n, weight, mean) / weight
  ),
  beta = list(
    # mean m and precision phi: variance m (1 - m) / (1 + phi)
    discrete = FALSE, moments = TRUE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      phi <- mean * (1 - mean) / variance - 1
      stats::pbeta(q, mean * phi, (1 - mean) * phi)
    },
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      phi <- mean * (1 - mean) / variance - 1
      stats::pbeta(q, mean * phi, (1 - mean) * phi, lower.tail = FALSE)
    },
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      phi <- mean * (1 - mean) / variance - 1
      stats::dbeta(q, mean * phi, (1 - mean) * phi)
    },
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) {
      phi <- mean * (1 - mean) / variance - 1
      stats::qbeta(p, mean * phi, (1 - mean) * phi)
    },
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) {
      phi <- mean * (1 - mean) / variance - 1
      stats::rbeta(n, mean * phi, (1 - mean) * phi)
    }
  ),
  student_t = list(
    # location mean, scale `scale`, `shape` degrees of freedom
    discrete = FALSE, moments = FALSE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pt((q - mean) * sqrt(weight) / scale, shape),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) stats::pt((q - mean) * sqrt(weight) / scale, shape, lower.tail = FALSE),
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      s <- scale / sqrt(weight)
      stats::dt((q - mean) / s, shape) / s
    },
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) mean + scale / sqrt(weight) * stats::qt(p, shape),
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) mean + scale / sqrt(weight) * stats::rt(n, shape)
  ),
  huber = list(
    # location mean, scale `scale`, Huber's threshold `shape` (delta)
    discrete = FALSE, moments = FALSE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) huber_cdf((q - mean) * sqrt(weight) / scale, shape),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) huber_cdf((mean - q) * sqrt(weight) / scale, shape),
    density = function(q, mean, variance, weight = 1, scale = NA, shape = NA) {
      s <- scale / sqrt(weight)
      z <- abs(q - mean) / s
      rho <- ifelse(z <= shape, z^2 / 2, shape * z - shape^2 / 2)
      exp(-rho) / (huber_norm(shape) * s)
    },
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) {
      mean + scale / sqrt(weight) * huber_quantile(p, shape)
    },
    random = function(n, mean, variance, weight = 1, scale = NA, shape = NA) mean + scale / sqrt(weight) * huber_quantile(stats::runif(n), shape)
  ),
  categorical = list(
    # class probabilities (n x K) as the mean; y is the 0-based class index
    discrete = TRUE, moments = FALSE,
    cdf = function(q, mean, variance, weight = 1, scale = NA, shape = NA) rowSums(mean * (col(mean) <= q + 1)),
    below = function(q, mean, variance, weight = 1, scale = NA, shape = NA) rowSums(mean * (col(mean) <= q)),
    upper = function(q, mean, variance, weight = 1, scale = NA, shape = NA) rowSums(mean * (col(mean) > q + 1)),
    upper_from = function(q, mean, variance, weight = 1, scale = NA, shape = NA) rowSums(mean * (col(mean) > q)),
    density = NULL,
    quantile = function(p, mean, variance, weight = 1, scale = NA, shape = NA) {
      rowSums(t(apply(mean, 1L, cumsum)) < p)
    }
  ),
  gamma = list(
    # shape mean^2 / variance, scale variance / mean
    discrete = FALSE,
    cdf = function(q, mean, variance) stats::pgamma(q, shape = mean^2 / variance, scale = variance / mean),
    density = function(q, mean, variance) stats::dgamma(q, shape = mean^2 / variance, scale = variance / mean),
    quantile = function(p, mean, variance) stats::qgamma(p, shape = mean^2 / variance, scale = variance / mean),
    random = function(n, mean, variance) stats::rgamma(n, shape = mean^2 / variance, scale = variance / mean)
  ),
  inverse_gaussian = list(
    # mean m and shape lambda = m^3 / variance
    discrete = FALSE,
    cdf = function(q, mean, variance) {
      lambda <- mean^3 / variance
      q <- pmax(q + 0 * mean, 0)  # as a matrix like mean; 0 below the support
      a <- sqrt(lambda / q)
      out <- stats::pnorm(a * (q / mean - 1)) +
        exp(2 * lambda / mean + stats::pnorm(-a * (q / mean + 1), log.p = TRUE))
      out[q == 0] <- 0
      out
    },
    density = function(q, mean, variance) {
      lambda <- mean^3 / variance
      q <- q + 0 * mean
      out <- sqrt(lambda / (2 * pi * q^3)) * exp(-lambda * (q - mean)^2 / (2 * mean^2 * q))
      out[q <= 0] <- 0
      out
    },
    # Numeric inversion: a bracket [lo, 2 lo] by halving and doubling from
    # the mean, then bisection in log q to full precision.
    quantile = function(p, mean, variance) {
      cdf <- predictive_distributions$inverse_gaussian$cdf
      if (p <= 0) return(0 * mean)
      if (p >= 1) return(0 * mean + Inf)
      lo <- mean
      while (any(up <- cdf(lo, mean, variance) > p)) lo[up] <- lo[up] / 2
      while (any(down <- cdf(2 * lo, mean, variance) < p)) lo[down] <- 2 * lo[down]
      hi <- 2 * lo
      for (i in seq_len(64)) {
        mid <- sqrt(lo * hi)
        below <- cdf(mid, mean, variance) < p
        lo[below] <- mid[below]
        hi[!below] <- mid[!below]
      }
      sqrt(lo * hi)
    },
    # Michael, Schucany and Haas (1976), the smaller root in a form without
    # cancellation.
    random = function(n, mean, variance) {
      mean <- rep_len(mean, n)
      lambda <- mean^3 / rep_len(variance, n)
      a <- mean * stats::rnorm(n)^2 / (2 * lambda)
      x <- mean / (1 + a + sqrt(a * (a + 2)))
      ifelse(stats::runif(n) <= mean / (mean + x), x, mean^2 / x)
    }
  ),
  negbin = list(
    # NB2: size theta = mean^2 / (variance - mean), the Poisson at variance <= mean
    discrete = TRUE,
    cdf = function(q, mean, variance) stats::pnbinom(q, size = mean^2 / pmax(variance - mean, 0), mu = mean),
    density = NULL,
    quantile = function(p, mean, variance) stats::qnbinom(p, size = mean^2 / pmax(variance - mean, 0), mu = mean),
    random = function(n, mean, variance) stats::rnbinom(n, size = mean^2 / pmax(variance - mean, 0), mu = mean)
  )
)

# The standardised Huber density exp(-rho(z)) / c(delta): its normalising
# constant, cdf (Gaussian in the middle, exponential tails) and quantiles.
huber_norm <- function(delta) sqrt(2 * pi) * (2 * stats::pnorm(delta) - 1) + 2 * exp(-delta^2 / 2) / delta
huber_cdf <- function(z, delta) {
  c0 <- huber_norm(delta)
  tail <- function(a) exp(-delta * a + delta^2 / 2) / (delta * c0)  # P(Z < -a), a >= delta
  lower <- function(a) ifelse(a >= delta, tail(a), tail(delta) + sqrt(2 * pi) * (stats::pnorm(delta) - stats::pnorm(pmin(a, delta))) / c0)
  ifelse(z <= 0, lower(-z), 1 - lower(z))
}
huber_quantile <- function(p, delta) {
  c0 <- huber_norm(delta)
  p_tail <- exp(-delta^2 / 2) / (delta * c0)
  lower <- pmin(p, 1 - p)  # the quantile z <= 0 with P(Z < z) = lower, then the sign
  z <- rep(NA_real_, length(p))
  tail <- !is.na(lower) & lower <= p_tail
  mid <- !is.na(lower) & !tail
  z[tail] <- log(lower[tail] * delta * c0) / delta - delta / 2
  z[mid] <- stats::qnorm(stats::pnorm(-delta) + (lower[mid] - p_tail) * c0 / sqrt(2 * pi))
  ifelse(p <= 0.5, z, -z)
}

# Location and scale of an asymmetric Laplace distribution from its mean,
# variance and tau.
ald_parameters <- function(mean, variance, tau) {
  k <- tau * (1 - tau)
  sigma <- sqrt(variance) * k / sqrt(1 - 2 * tau + 2 * tau^2)
  list(mu = mean - sigma * (1 - 2 * tau) / k, sigma = sigma)
}

# A confidence or prediction level: one number strictly inside (0, 1).
check_level <- function(level, arg = "level", call = rlang::caller_env()) {
  check_number(level, arg, call = call)
  if (level <= 0 || level >= 1) {
    abort_probml("value", "{.arg {arg}} must be a single number strictly between 0 and 1, not {format(level, digits = 15)}.",
                 call = call)
  }
  invisible(level)
}

# The members of an ensemble as uncertainty_table() takes them, from each
# member's mean (n x c x S: P(y = 1) for a binary family, class
# probabilities, or the mean of y) and variance (n x S); `members` names
# them.
ensemble_members <- function(means, variances, info, labels, members = NULL) {
  if (info$response %in% c("binary", "classes", "ordered")) {
    return(list(kind = "classification", prob = member_probabilities(means, labels, members)))
  }
  mean <- matrix(means[, 1L, ], dim(means)[1], dimnames = list(NULL, members))
  dimnames(variances) <- list(NULL, members)
  list(kind = "regression", mean = mean, variance = variances,
       distribution = member_distribution(info$predictive_distribution))
}

# A member's predictive distribution: the family's, where its mean and
# variance fix it (not Student t or Huber, whose members may differ in shape).
member_distribution <- function(name) {
  if (nzchar(name) && !isFALSE(predictive_distributions[[name]]$moments)) name else NA_character_
}

# Class labels of a discrete fit or network: the response's levels, else 0/1 or 1..K.
class_labels <- function(object, info) {
  if (!is.null(object$levels)) return(object$levels)
  if (info$response == "binary") c("0", "1") else as.character(seq_len(info$n_mean_columns))
}

# Member class probabilities, n x K x S, from the heads' means (P(y = 1)
# for a binary head); `members` names the third dimension.
member_probabilities <- function(means, labels, members = NULL) {
  d <- dim(means)
  if (d[2] == 1L) {
    p1 <- means[, 1L, , drop = FALSE]
    prob <- array(c(1 - p1, p1), c(d[1], d[3], 2L))
    prob <- aperm(prob, c(1L, 3L, 2L))
  } else {
    prob <- means
  }
  dimnames(prob) <- list(NULL, labels, members)
  prob
}

uncertainty_table <- function(members, level = 0.95, newdata = NULL, method = "ensemble") {
  check_level(level)
  if (!is.list(members) || is.null(members$kind)) stop("internal: `members` must be a list with a `kind`")
  out <- switch(members$kind,
    regression = uncertainty_regression(members, level),
    classification = uncertainty_classification(members),
    stop("internal: unknown kind of members: ", members$kind))
  S <- if (members$kind == "regression") ncol(members$mean) else dim(members$prob)[3]
  structure(out, class = c("probml_uncertainty", "data.frame"), level = level, method = method,
            newdata = newdata, members = S, kind = members$kind,
            distribution = if (members$kind == "regression") members$distribution %||% NA_character_)
}

uncertainty_regression <- function(members, level) {
  M <- members$mean
  V <- members$variance
  if (!is.matrix(M) || !is.matrix(V) || !identical(dim(M), dim(V))) {
    stop("internal: member means and variances must be n x S matrices of the same shape")
  }
  mu <- rowMeans(M)
  var_aleatoric <- rowMeans(V)
  var_epistemic <- rowMeans((M - mu)^2)
  dist <- members$distribution %||% NA_character_
  if (!is.na(dist) && !dist %in% names(predictive_distributions)) {
    stop("internal: unknown predictive distribution ", dist)
  }
  lower <- upper <- rep(NA_real_, nrow(M))
  if (!is.na(dist)) {
    d <- predictive_distributions[[dist]]
    lower <- mixture_quantile((1 - level) / 2, M, V, d)
    upper <- mixture_quantile((1 + level) / 2, M, V, d)
  }
  data.frame(mean = mu, sd_total = sqrt(var_aleatoric + var_epistemic), sd_aleatoric = sqrt(var_aleatoric),
             sd_epistemic = sqrt(var_epistemic), lower = lower, upper = upper, row.names = rownames(M))
}

# The p-quantile of each row's equal-weight mixture of the members'
# distributions d (mean M, variance V: n x S). It lies between the smallest
# and the largest member quantile; within that bracket a safeguarded Newton
# iteration (bisection whenever Newton leaves the bracket), for all rows at
# once, for a continuous d; a bisection on whole numbers for a discrete d
# (the smallest q with F(q) >= p).
mixture_quantile <- function(p, M, V, d) {
  n <- nrow(M)
  out <- rep(NA_real_, n)
  ok <- which(stats::complete.cases(M) & stats::complete.cases(V))
  if (!length(ok)) return(out)
  M <- M[ok, , drop = FALSE]
  V <- V[ok, , drop = FALSE]
  Q <- d$quantile(p, M, V)
  lo <- apply(Q, 1L, min)
  hi <- apply(Q, 1L, max)
  cdf <- function(x, rows) rowMeans(d$cdf(x, M[rows, , drop = FALSE], V[rows, , drop = FALSE]))
  if (d$discrete) {
    active <- which(hi > lo)
    while (length(active)) {
      mid <- floor((lo[active] + hi[active]) / 2)
      above <- cdf(mid, active) >= p
      hi[active][above] <- mid[above]
      lo[active][!above] <- mid[!above] + 1
      active <- active[hi[active] > lo[active]]
    }
    out[ok] <- hi
    return(out)
  }
  x <- (lo + hi) / 2
  active <- which(hi > lo)
  for (iter in seq_len(200L)) {
    if (!length(active)) break
    xa <- x[active]
    f <- cdf(xa, active) - p
    lo[active][f < 0] <- xa[f < 0]
    hi[active][f > 0] <- xa[f > 0]
    dens <- rowMeans(d$density(xa, M[active, , drop = FALSE], V[active, , drop = FALSE]))
    step <- xa - f / dens
    bisect <- !is.finite(step) | step <= lo[active] | step >= hi[active]
    step[bisect] <- (lo[active][bisect] + hi[active][bisect]) / 2
    x[active] <- step
    tol <- 1e-13 * pmax(1, abs(xa))
    done <- f == 0 | abs(step - xa) <= tol | hi[active] - lo[active] <= tol
    x[active][f == 0] <- xa[f == 0]
    active <- active[!done]
  }
  out[ok] <- x
  out
}

uncertainty_classification <- function(members) {
  P <- members$prob
  if (!is.array(P) || length(dim(P)) != 3L) stop("internal: member probabilities must be an n x K x S array")
  K <- dim(P)[2]
  labels <- dimnames(P)[[2]] %||% as.character(seq_len(K))
  mean_p <- rowMeans(P, dims = 2L)
  total <- row_entropy(matrix(mean_p, nrow(mean_p)))
  # member entropies: one per row and member (n x S), their mean over members
  member_h <- row_entropy(matrix(aperm(P, c(1L, 3L, 2L)), ncol = K))
  aleatoric <- rowMeans(matrix(member_h, dim(P)[1]))
  probs <- as.data.frame(matrix(mean_p, nrow(mean_p), dimnames = list(NULL, paste0("prob_", labels))),
                         optional = TRUE)
  out <- cbind(probs, data.frame(entropy_total = total, entropy_aleatoric = aleatoric,
                                 mutual_information = pmax(total - aleatoric, 0)))
  rownames(out) <- dimnames(P)[[1]]
  out
}

#' Aleatoric and epistemic uncertainty of an ensemble's predictions
#'
#' `predict(..., type = "uncertainty")` of an ensemble ([bootstrap_ensemble()]
#' today) returns a `probml_uncertainty` table: a data frame with one row per
#' new observation, splitting the uncertainty of the prediction into the
#' part the data cannot remove (aleatoric: the noise each member predicts)
#' and the part more data would remove (epistemic: how much the members
#' disagree). The members' predictive distributions are mixed with equal
#' weights.
#'
#' * **Regression**: `mean` (of the mixture), `sd_total`, `sd_aleatoric`,
#'   `sd_epistemic`, with
#'   \eqn{sd_{total}^2 = sd_{aleatoric}^2 + sd_{epistemic}^2}{sd_total^2 = sd_aleatoric^2 + sd_epistemic^2}:
#'   the mean of the member variances plus the variance of the member means
#'   (over the members, dividing by their number). `lower` and `upper` are
#'   the quantiles of the mixture at `(1 - level) / 2` and `(1 + level) / 2`
#'   (exact, by root finding; whole numbers for counts); they are `NA` for
#'   families whose predictive distribution a member's mean and variance do
#'   not fix (Huber, Student t: their members may differ in shape).
#' * **Classification**: `prob_<class>` (the mean probabilities),
#'   `entropy_total` (the entropy of the mean probabilities),
#'   `entropy_aleatoric` (the mean of the members' entropies) and
#'   `mutual_information` (their difference, the epistemic part, never
#'   negative), all in nats.
#'
#' `plot()` draws the table over one numeric input: the mean with bands at
#' plus and minus the total, aleatoric and epistemic standard deviations
#' (`band = "sd"`) or the mixture interval (`band = "interval"`); for
#' classification, the probability of each class (`what = "prob"`) or the
#' three entropies (`what = "entropy"`).
#'
#' @param x A `probml_uncertainty` table.
#' @param n Rows to print.
#' @param along The input to plot against: the name of a column of the
#'   `newdata` the table was computed for, or a numeric vector with one
#'   value per row. `NULL`: the only numeric column of `newdata`.
#' @param band For regression, `"sd"` or `"interval"`.
#' @param what For classification, `"prob"` or `"entropy"`.
#' @param ... Further graphical parameters for [graphics::plot()] (`main`,
#'   `xlab`, `ylab`, `ylim`, ...) in `plot()`; not used by `print()`.
#' @return `print()` and `plot()` return `x` invisibly.
#' @seealso [bootstrap_ensemble()] and [predict.probml_bootstrap()], which make
#'   these tables; [entropy()] for the entropies.
#' @examples
#' set.seed(1)
#' d <- data.frame(x = c(runif(30, 0, 3), runif(30, 7, 10)))
#' d$y <- sin(d$x) + 0.1 * d$x + rnorm(60, sd = 0.3)
#' fit <- fit_map(y ~ poly(x, 3), data = d, prior = prior_gaussian())
#' ens <- bootstrap_ensemble(fit, B = 50)
#' u <- predict(ens, data.frame(x = seq(0, 10, by = 0.25)), type = "uncertainty")
#' u
#' plot(u)
#' plot(u, band = "interval")
#' @name probml_uncertainty
NULL

#' @rdname probml_uncertainty
#' @export
print.probml_uncertainty <- function(x, n = 6L, ...) {
  check_dots_empty(...)
  check_number(n, "n", lower = 0, integer = TRUE)
  kind <- attr(x, "kind")
  cat("Uncertainty of ", attr(x, "method"), ": ", attr(x, "members"), " members, ",
      format(100 * attr(x, "level")), "% level\n", sep = "")
  if (identical(kind, "regression")) {
    dist <- attr(x, "distribution")
    cat("Regression: sd_total^2 = sd_aleatoric^2 + sd_epistemic^2; ",
        if (is.na(dist)) "no interval (the members' predictive distributions are not given by mean and variance)"
        else paste0("lower/upper: quantiles of the mixture of ", dist, " members"), "\n", sep = "")
  } else {
    cat("Classification: entropy_total = entropy_aleatoric + mutual_information (nats)\n")
  }
  df <- as.data.frame(unclass_uncertainty(x))
  print(utils::head(df, n))
  if (nrow(df) > n) cat("... ", nrow(df) - n, " more row", if (nrow(df) - n > 1) "s", "\n", sep = "")
  invisible(x)
}

unclass_uncertainty <- function(x) {
  attributes(x)[c("level", "method", "newdata", "members", "kind", "distribution")] <- NULL
  class(x) <- "data.frame"
  x
}

#' @rdname probml_uncertainty
#' @export
plot.probml_uncertainty <- function(x, along = NULL, band = c("sd", "interval"), what = c("prob", "entropy"), ...) {
  band <- if (missing(band)) "sd" else check_choice(band, c("sd", "interval"), "band")
  what <- if (missing(what)) "prob" else check_choice(what, c("prob", "entropy"), "what")
  xv <- uncertainty_along(x, along)
  o <- order(xv$values)
  xs <- xv$values[o]
  tab <- unclass_uncertainty(x)[o, , drop = FALSE]
  dots <- list(...)
  if (identical(attr(x, "kind"), "regression")) {
    plot_uncertainty_regression(xs, tab, band, xv$name, attr(x, "level"), dots)
  } else {
    plot_uncertainty_classification(xs, tab, what, xv$name, dots)
  }
  invisible(x)
}

# The values (and label) of the input to plot against.
uncertainty_along <- function(x, along, call = rlang::caller_env()) {
  nd <- attr(x, "newdata")
  if (is.matrix(nd)) nd <- as.data.frame(nd)
  if (is.list(nd) && !is.data.frame(nd) && !is.null(nd$x)) nd <- as.data.frame(nd$x)
  if (is.numeric(along) && !is.object(along)) {
    if (length(along) != nrow(x)) {
      abort_probml("length", "{.arg along} has length {length(along)} but the table has {nrow(x)} rows.", call = call)
    }
    return(list(values = along, name = "along"))
  }
  numeric_cols <- if (is.data.frame(nd)) {
    names(nd)[vapply(nd, function(v) is.numeric(v) && is.null(dim(v)), logical(1))]
  } else character()
  numeric_cols <- setdiff(numeric_cols, c("(weights)", "(offset)"))
  if (is.null(along)) {
    if (length(numeric_cols) != 1L) {
      abort_probml("missing", c("{.arg along} is needed: the new data have {length(numeric_cols)} numeric column{?s}, not one.",
                                i = "Give {.arg along} as a column name or a numeric vector with one value per row."),
                   call = call)
    }
    along <- numeric_cols
  }
  if (!is.character(along) || length(along) != 1L) {
    abort_probml("type", "{.arg along} must be a column name or a numeric vector, not {.obj_type_friendly {along}}.", call = call)
  }
  if (!along %in% numeric_cols) {
    abort_probml("value", "{.arg along} must name a numeric column of the new data ({.val {numeric_cols}}), not {.val {along}}.",
                 call = call)
  }
  list(values = nd[[along]], name = along)
}

plot_uncertainty_regression <- function(xs, tab, band, xlab, level, dots) {
  ok <- is.finite(xs) & is.finite(tab$mean)
  if (band == "sd") {
    half <- list(total = tab$sd_total, aleatoric = tab$sd_aleatoric, epistemic = tab$sd_epistemic)
    ylim <- range(c(tab$mean - tab$sd_total, tab$mean + tab$sd_total)[c(ok, ok)], na.rm = TRUE)
  } else {
    ylim <- range(c(tab$lower, tab$upper, tab$mean)[c(ok, ok, ok)], na.rm = TRUE)
  }
  if (!all(is.finite(ylim))) ylim <- range(tab$mean[ok])
  ylim[2] <- ylim[2] + legend_room(ylim, if (band == "sd") 4 else 2)
  args <- utils::modifyList(list(x = xs[ok], y = tab$mean[ok], type = "n", xlab = xlab, ylab = "Prediction", las = 1,
                                 ylim = ylim, main = "Predictive uncertainty"), dots)
  do.call(graphics::plot, args)
  polygon_band <- function(lower, upper, col) {
    keep <- ok & is.finite(lower) & is.finite(upper)
    graphics::polygon(c(xs[keep], rev(xs[keep])), c(lower[keep], rev(upper[keep])), col = col, border = NA)
  }
  if (band == "sd") {
    pal <- probml_palette(3L)
    cols <- c(total = grDevices::adjustcolor(pal[1], 0.25), aleatoric = grDevices::adjustcolor(pal[2], 0.5),
              epistemic = grDevices::adjustcolor(pal[3], 0.7))
    for (nm in names(half)) polygon_band(tab$mean - half[[nm]], tab$mean + half[[nm]], cols[[nm]])
    graphics::lines(xs[ok], tab$mean[ok], lwd = 2)
    graphics::legend("topleft", bty = "n", lwd = c(2, 8, 8, 8), col = c("black", cols),
                     legend = c("mean of the members",
                                "\u00b1 total sd (all uncertainty)",
                                "\u00b1 aleatoric sd (noise the members predict)",
                                "\u00b1 epistemic sd (disagreement of the members)"))
  } else {
    col <- grDevices::adjustcolor(probml_palette(1L), 0.3)
    polygon_band(tab$lower, tab$upper, col)
    graphics::lines(xs[ok], tab$mean[ok], lwd = 2)
    graphics::legend("topleft", bty = "n", lwd = c(2, 8), col = c("black", col),
                     legend = c("mean of the members",
                                sprintf("%s%% interval of the mixture of the members", format(100 * level))))
  }
}

# Head room above the curves for a legend of `lines` entries.
legend_room <- function(ylim, lines) diff(ylim) * 0.08 * lines

plot_uncertainty_classification <- function(xs, tab, what, xlab, dots) {
  if (what == "prob") {
    cols <- grep("^prob_", names(tab), value = TRUE)
    Y <- as.matrix(tab[cols])
    labels <- sub("^prob_", "P(", cols)
    labels <- paste0(labels, ")")
    ylab <- "Mean class probability"
    ylim <- c(0, 1 + legend_room(c(0, 1), ncol(Y)))
  } else {
    Y <- as.matrix(tab[c("entropy_total", "entropy_aleatoric", "mutual_information")])
    labels <- c("total entropy (of the mean probabilities)", "aleatoric: mean entropy of the members",
                "epistemic: mutual information")
    ylab <- "nats"
    top <- max(Y, 1e-12, na.rm = TRUE)
    ylim <- c(0, top + legend_room(c(0, top), 3))
  }
  cols <- probml_palette(ncol(Y))
  args <- utils::modifyList(list(x = xs, y = Y[, 1], type = "n", xlab = xlab, ylab = ylab, ylim = ylim, las = 1,
                                 yaxt = if (what == "prob") "n" else "s",
                                 main = if (what == "prob") "Predicted class probabilities" else "Predictive entropy"),
                            dots)
  do.call(graphics::plot, args)
  # Probabilities: ticks in [0, 1] only, the room above is the legend's.
  if (what == "prob" && identical(args$yaxt, "n")) graphics::axis(2, at = seq(0, 1, 0.2), las = 1)
  for (k in seq_len(ncol(Y))) graphics::lines(xs, Y[, k], col = cols[k], lwd = 2, lty = k)
  graphics::legend("topright", bty = "n", col = cols, lwd = 2, lty = seq_len(ncol(Y)), legend = labels)
}
