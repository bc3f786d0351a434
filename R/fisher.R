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
#' The formulas live in the C++ core's distribution table, with the
#' likelihoods [fit_dist()] maximises and the samplers [simulate_estimator()]
#' draws from. The binomial `size` is known, not estimated, so the binomial
#' information is the 1 x 1 matrix for `prob`. For the Laplace family the location score is
#' not differentiable; its information `1 / scale^2` is the variance of the
#' score.
#'
#' @param family A family name, see the table.
#' @param params The natural parameters: a named list or named numeric vector
#'   (an unnamed vector is read in the order of the table).
#' @param n The number of observations (a positive number).
#' @param parameter For `cramer_rao_bound()`, `NULL` for the bounds of all
#'   parameters, or the name of one parameter.
#' @param ... Not used: a misspelled argument is an error.
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
fisher_information <- function(family, params, n = 1, ...) {
  check_dots_empty(...)
  family <- check_dist(family, "family", regular_only = TRUE)
  params <- check_dist_params(family, params)
  check_number(n, "n", lower = .Machine$double.eps)
  n * named_square(cpp_dist_fisher(family, params), dist_estimated(family))
}

#' @rdname fisher_information
#' @export
cramer_rao_bound <- function(family, params, n, parameter = NULL, ...) {
  check_dots_empty(...)
  if (missing(n)) {
    abort_probml("missing", c("{.arg n}, the number of observations, must be given.",
                              i = "The bound is the inverse information of {.arg n} observations."))
  }
  info <- fisher_information(family, params, n)
  if (!is.null(parameter)) check_choice(parameter, colnames(info), "parameter")
  bound <- diag(dist_info_inverse(info))
  names(bound) <- colnames(info)
  if (is.null(parameter)) bound else bound[[parameter]]
}
