#' Expected Fisher information and the Cramer-Rao bound
#'
#' `fisher_information()` gives the expected (analytic) Fisher information
#' matrix of a univariate family at its natural parameters: the information
#' of one observation multiplied by `n`. `cramer_rao_bound()` inverts it: the
#' diagonal of the inverse is the smallest variance an unbiased estimator of
#' each parameter can have from `n` observations (when the other parameters
#' are estimated too).
#'
#' The families and their parameters (in this order) are those of
#' [fit_dist()]:
#'
#' | family | parameters |
#' |---|---|
#' | `"gaussian"` | `mean`, `sd` |
#' | `"bernoulli"` | `prob` |
#' | `"binomial"` | `size` (fixed), `prob` |
#' | `"poisson"` | `lambda` |
#' | `"exponential"` | `rate` |
#' | `"gamma"` | `shape`, `rate` |
#' | `"beta"` | `shape1`, `shape2` |
#' | `"laplace"` | `location`, `scale` |
#' | `"student_t"` | `location`, `scale`, `df` |
#' | `"lognormal"` | `meanlog`, `sdlog` |
#' | `"weibull"` | `shape`, `scale` |
#'
#' The binomial `size` is known, not estimated, so the binomial information is
#' the 1 x 1 matrix for `prob`. For the Laplace family the location score is
#' not differentiable; its information `1 / scale^2` is the variance of the
#' score.
#'
#' @param family A family name, see the table.
#' @param params The natural parameters: a named list or named numeric vector
#'   (an unnamed vector is read in the order of the table).
#' @param n The number of observations (a positive number).
#' @param parameter For `cramer_rao_bound()`, `NULL` for the bounds of all
#'   parameters, or the name of one parameter.
#' @return `fisher_information()`: a symmetric matrix with one row and column
#'   per estimated parameter. `cramer_rao_bound()`: a named vector of
#'   variance bounds (or one number if `parameter` is given).
#' @seealso [fit_dist()], whose standard errors use this information.
#' @examples
#' fisher_information("gaussian", c(mean = 0, sd = 2))
#' fisher_information("poisson", list(lambda = 3), n = 50)
#' cramer_rao_bound("bernoulli", c(prob = 0.3), n = 100)
#' cramer_rao_bound("gamma", c(shape = 2, rate = 1), n = 200, parameter = "shape")
#' @export
fisher_information <- function(family, params, n = 1) {
  family <- check_dist_family(family)
  params <- check_dist_params(family, params)
  check_number(n, "n", lower = .Machine$double.eps)
  n * dist_fisher_unit(family, params)
}

#' @rdname fisher_information
#' @export
cramer_rao_bound <- function(family, params, n, parameter = NULL) {
  info <- fisher_information(family, params, n)
  if (!is.null(parameter)) check_choice(parameter, colnames(info), "parameter")
  bound <- diag(dist_info_inverse(info))
  names(bound) <- colnames(info)
  if (is.null(parameter)) bound else bound[[parameter]]
}

# Inverse of an information matrix. A parameter on the boundary of its space
# (a proportion of 0 or 1, a Poisson mean of 0) has infinite information and
# a variance of zero.
dist_info_inverse <- function(info) {
  nm <- colnames(info)
  if (any(!is.finite(info))) {
    out <- matrix(0, nrow(info), ncol(info), dimnames = list(nm, nm))
    ok <- apply(is.finite(info), 1L, all)
    if (any(ok)) out[ok, ok] <- solve(info[ok, ok, drop = FALSE])
    return(out)
  }
  out <- tryCatch(solve(info), error = function(e) NULL)
  if (is.null(out)) {
    abort_probml("degenerate", "The Fisher information is singular at these parameters.",
                 call = rlang::caller_env(2))
  }
  dimnames(out) <- list(nm, nm)
  (out + t(out)) / 2
}

# Expected information of one observation, unvalidated (internal callers may
# pass boundary values such as prob = 0).
dist_fisher_unit <- function(family, p) {
  nm <- dist_estimated_names(family)
  m <- switch(family,
    gaussian = , lognormal = {
      s <- if (family == "gaussian") p$sd else p$sdlog
      diag(c(1 / s^2, 2 / s^2))
    },
    bernoulli = matrix(1 / (p$prob * (1 - p$prob))),
    binomial = matrix(p$size / (p$prob * (1 - p$prob))),
    poisson = matrix(1 / p$lambda),
    exponential = matrix(1 / p$rate^2),
    gamma = matrix(c(trigamma(p$shape), -1 / p$rate,
                     -1 / p$rate, p$shape / p$rate^2), 2L),
    beta = {
      t0 <- trigamma(p$shape1 + p$shape2)
      matrix(c(trigamma(p$shape1) - t0, -t0, -t0, trigamma(p$shape2) - t0), 2L)
    },
    laplace = diag(c(1, 1) / p$scale^2),
    student_t = {
      s <- p$scale
      v <- p$df
      i_ss <- 2 * v / ((v + 3) * s^2)
      i_sv <- -2 / ((v + 1) * (v + 3) * s)
      i_vv <- (trigamma(v / 2) - trigamma((v + 1) / 2)) / 4 -
        (v + 5) / (2 * v * (v + 1) * (v + 3))
      matrix(c((v + 1) / ((v + 3) * s^2), 0, 0,
               0, i_ss, i_sv,
               0, i_sv, i_vv), 3L)
    },
    weibull = {
      g <- -digamma(1) # Euler's constant
      k <- p$shape
      lam <- p$scale
      matrix(c(((1 - g)^2 + pi^2 / 6) / k^2, -(1 - g) / lam,
               -(1 - g) / lam, k^2 / lam^2), 2L)
    }
  )
  dimnames(m) <- list(nm, nm)
  m
}

# Analytic score of each observation: an n x p matrix, one column per
# estimated parameter. Unvalidated.
dist_score <- function(family, x, p) {
  s <- switch(family,
    gaussian = , lognormal = {
      z <- if (family == "gaussian") x else log(x)
      mu <- if (family == "gaussian") p$mean else p$meanlog
      sg <- if (family == "gaussian") p$sd else p$sdlog
      cbind((z - mu) / sg^2, -1 / sg + (z - mu)^2 / sg^3)
    },
    bernoulli = cbind(x / p$prob - (1 - x) / (1 - p$prob)),
    binomial = cbind(x / p$prob - (p$size - x) / (1 - p$prob)),
    poisson = cbind(x / p$lambda - 1),
    exponential = cbind(1 / p$rate - x),
    gamma = cbind(log(p$rate) - digamma(p$shape) + log(x), p$shape / p$rate - x),
    beta = {
      d0 <- digamma(p$shape1 + p$shape2)
      cbind(log(x) - digamma(p$shape1) + d0, log1p(-x) - digamma(p$shape2) + d0)
    },
    laplace = cbind(sign(x - p$location) / p$scale,
                    -1 / p$scale + abs(x - p$location) / p$scale^2),
    student_t = {
      v <- p$df
      r <- (x - p$location) / p$scale
      w <- (v + 1) / (v + r^2)
      cbind(w * r / p$scale,
            (w * r^2 - 1) / p$scale,
            (digamma((v + 1) / 2) - digamma(v / 2) - 1 / v - log1p(r^2 / v) +
               (v + 1) * r^2 / (v * (v + r^2))) / 2)
    },
    weibull = {
      k <- p$shape
      lam <- p$scale
      lz <- log(x / lam)
      z <- exp(k * lz)
      cbind(1 / k + lz - z * lz, (k / lam) * (z - 1))
    }
  )
  colnames(s) <- dist_estimated_names(family)
  s
}
