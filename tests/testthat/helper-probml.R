# Shared helpers for the probml tests.

# An error of the given probml class (every mismatch in a test is reported,
# not only the first).
expect_probml_error <- function(expr, class = "probml_error") {
  err <- tryCatch({
    expr
    NULL
  }, error = function(e) e)
  if (is.null(err)) {
    fail(sprintf("`%s` did not throw an error.", deparse1(substitute(expr))))
    return(invisible(NULL))
  }
  expect(inherits(err, class), sprintf("`%s` threw <%s>, not <%s>: %s", deparse1(substitute(expr)),
                                       class(err)[1], class, conditionMessage(err)))
  invisible(err)
}

# Central finite differences of a scalar function, and of a vector function.
fd_gradient <- function(f, x, h = 1e-6) {
  vapply(seq_along(x), function(k) {
    e <- replace(numeric(length(x)), k, h * max(1, abs(x[k])))
    (f(x + e) - f(x - e)) / (2 * e[k])
  }, numeric(1))
}

fd_jacobian <- function(f, x, h = 1e-6) {
  do.call(cbind, lapply(seq_along(x), function(k) {
    e <- replace(numeric(length(x)), k, h * max(1, abs(x[k])))
    (f(x + e) - f(x - e)) / (2 * e[k])
  }))
}

# Family test cases: a family, a response, local linear predictors and aux.
family_cases <- function(n = 40, seed = 1) {
  set.seed(seed)
  u <- rnorm(n)
  list(
    gaussian = list(fam = lik_gaussian(), y = rnorm(n), U = cbind(u), aux = 0.3),
    laplace = list(fam = lik_laplace(), y = rnorm(n), U = cbind(u), aux = -0.2),
    quantile_10 = list(fam = lik_quantile(0.1), y = rnorm(n), U = cbind(u), aux = -0.4),
    quantile_75 = list(fam = lik_quantile(0.75), y = rnorm(n), U = cbind(u), aux = 0.3),
    huber = list(fam = lik_huber(1.1), y = rnorm(n, sd = 2), U = cbind(u), aux = 0.1),
    student_t = list(fam = lik_student_t(3), y = rt(n, 3), U = cbind(u), aux = 0.2),
    student_t_df = list(fam = lik_student_t(), y = rt(n, 3), U = cbind(u), aux = c(0.2, log(4))),
    logit = list(fam = lik_bernoulli("logit"), y = rbinom(n, 1, 0.5), U = cbind(3 * u), aux = numeric()),
    probit = list(fam = lik_bernoulli("probit"), y = rbinom(n, 1, 0.5), U = cbind(3 * u), aux = numeric()),
    cloglog = list(fam = lik_bernoulli("cloglog"), y = rbinom(n, 1, 0.5), U = cbind(2 * u), aux = numeric()),
    categorical = list(fam = lik_categorical(), y = factor(sample(letters[1:3], n, TRUE)),
                       U = cbind(u, rnorm(n)), aux = numeric()),
    smoothed = list(fam = lik_categorical(label_smoothing = 0.1), y = factor(sample(letters[1:3], n, TRUE)),
                    U = cbind(u, rnorm(n)), aux = numeric()),
    # Grouped binomial rows: proportions of 5 trials.
    logit_share = list(fam = lik_bernoulli("logit"), y = rbinom(n, 5, 0.4) / 5, U = cbind(3 * u), aux = numeric()),
    probit_share = list(fam = lik_bernoulli("probit"), y = rbinom(n, 5, 0.4) / 5, U = cbind(2 * u), aux = numeric()),
    cloglog_share = list(fam = lik_bernoulli("cloglog"), y = rbinom(n, 5, 0.4) / 5, U = cbind(2 * u), aux = numeric()),
    poisson = list(fam = lik_poisson(), y = rpois(n, 3), U = cbind(u), aux = numeric()),
    beta = list(fam = lik_beta(), y = rbeta(n, 2, 3), U = cbind(0.5 * u), aux = log(5)),
    beta_precision = list(fam = probml:::with_formula_parts(lik_beta(), TRUE), y = rbeta(n, 2, 3),
                          U = cbind(0.5 * u, log(5) + 0.5 * rnorm(n)), aux = numeric()),
    ordinal = list(fam = lik_ordinal("logit"), y = factor(sample(1:4, n, TRUE), ordered = TRUE),
                   U = cbind(u), aux = c(-1, 0.2, 1.5)),
    ordinal_probit = list(fam = lik_ordinal("probit"), y = factor(sample(1:4, n, TRUE), ordered = TRUE),
                          U = cbind(u), aux = c(-1, 0.2, 1.5)),
    ordinal_cloglog = list(fam = lik_ordinal("cloglog"), y = factor(sample(1:4, n, TRUE), ordered = TRUE),
                           U = cbind(u), aux = c(-1, 0.2, 1.5)),
    ordinal_loglog = list(fam = lik_ordinal("loglog"), y = factor(sample(1:4, n, TRUE), ordered = TRUE),
                          U = cbind(u), aux = c(-1, 0.2, 1.5)),
    ordinal_cauchit = list(fam = lik_ordinal("cauchit"), y = factor(sample(1:4, n, TRUE), ordered = TRUE),
                           U = cbind(u), aux = c(-1, 0.2, 1.5)),
    hetero = list(fam = lik_gaussian_hetero(), y = rnorm(n), U = cbind(u, 0.3 * rnorm(n)), aux = numeric()),
    # Links whose mean must stay in its space get linear predictors inside it
    # (`shift` moves the objective test's linear predictors there too).
    gaussian_log = list(fam = lik_gaussian(link = "log"), y = rnorm(n, 1), U = cbind(0.5 * u), aux = 0.3),
    gaussian_inverse = list(fam = lik_gaussian(link = "inverse"), y = rnorm(n, 1), U = cbind(exp(0.5 * u)),
                            aux = -0.2, shift = 3),
    gaussian_log_fixed = list(fam = lik_gaussian(0.8, link = "log"), y = rnorm(n, 1), U = cbind(0.5 * u),
                              aux = numeric()),
    bernoulli_log = list(fam = lik_bernoulli("log"), y = rbinom(n, 1, 0.4), U = cbind(-0.05 - exp(u)),
                         aux = numeric(), shift = -3),
    cauchit = list(fam = lik_bernoulli("cauchit"), y = rbinom(n, 1, 0.5), U = cbind(3 * u), aux = numeric()),
    loglog = list(fam = lik_bernoulli("loglog"), y = rbinom(n, 1, 0.5), U = cbind(2 * u), aux = numeric()),
    poisson_identity = list(fam = lik_poisson("identity"), y = rpois(n, 3), U = cbind(3 * exp(0.5 * u)),
                            aux = numeric(), shift = 3),
    poisson_sqrt = list(fam = lik_poisson("sqrt"), y = rpois(n, 3), U = cbind(exp(0.5 * u)), aux = numeric(),
                        shift = 3),
    gamma_inverse = list(fam = lik_gamma("inverse"), y = rgamma(n, 2), U = cbind(exp(0.5 * u)), aux = 0.4,
                         shift = 3),
    gamma_log = list(fam = lik_gamma("log"), y = rgamma(n, 2), U = cbind(u), aux = 0.4),
    gamma_identity = list(fam = lik_gamma("identity"), y = rgamma(n, 2), U = cbind(exp(0.5 * u)), aux = 0.4,
                          shift = 3),
    invgauss = list(fam = lik_inverse_gaussian(), y = rgamma(n, 2), U = cbind(exp(0.5 * u)), aux = 0.2,
                    shift = 3),
    invgauss_inverse = list(fam = lik_inverse_gaussian("inverse"), y = rgamma(n, 2), U = cbind(exp(0.5 * u)),
                            aux = 0.2, shift = 3),
    invgauss_log = list(fam = lik_inverse_gaussian("log"), y = rgamma(n, 2), U = cbind(u), aux = 0.2),
    invgauss_identity = list(fam = lik_inverse_gaussian("identity"), y = rgamma(n, 2), U = cbind(exp(0.5 * u)),
                             aux = 0.2, shift = 3),
    negbin = list(fam = lik_negbin(), y = rnbinom(n, size = 2, mu = 3), U = cbind(u), aux = log(2)),
    negbin_sqrt = list(fam = lik_negbin(link = "sqrt"), y = rnbinom(n, size = 2, mu = 3), U = cbind(exp(0.5 * u)),
                       aux = log(0.7), shift = 3),
    negbin_identity = list(fam = lik_negbin(link = "identity"), y = rnbinom(n, size = 2, mu = 3),
                           U = cbind(3 * exp(0.5 * u)), aux = log(4), shift = 3),
    negbin_fixed = list(fam = lik_negbin(theta = 1.5), y = rnbinom(n, size = 1.5, mu = 3), U = cbind(u),
                        aux = numeric())
  )
}

# Coded response and core spec of a test case.
case_core <- function(case) {
  kind <- probml:::family_info(case$fam)$response
  resp <- probml:::code_outcome(case$y, kind, "y", grouped = TRUE)
  list(spec = probml:::family_spec(case$fam, resp$levels), y = resp$y)
}

# The core's objective for design X (shared by every linear predictor, or
# one per formula part), with an offset on the first linear predictor.
core_objective <- function(spec, X, y, w, off, theta, order, expected = FALSE) {
  info <- probml:::cpp_family_info(spec)
  model <- list(family = spec, parts = rep(list(X), info$n_formula_parts), intercept_col = -1L)
  probml:::cpp_evaluate(model, y, w, off, theta, order, expected, 2L, NULL)
}

# Draws and log-likelihoods from the core's distribution table, seeded
# from R's generator.
draw_dist <- function(dist, n, params) {
  probml:::cpp_dist_sample(dist, unlist(params), n, sample.int(.Machine$integer.max, 1L), 0)
}
dist_loglik <- function(dist, x, params) sum(probml:::cpp_dist_log_density(dist, x, unlist(params)))
dist_score <- function(dist, x, params) probml:::cpp_dist_score(dist, x, unlist(params))

# Snapshot of an error (or warning), its class included, for one or more
# calls: each call's condition is recorded in _snaps/.
expect_condition_snapshot <- function(code, error = TRUE) {
  eval(bquote(testthat::expect_snapshot(.(substitute(code)), error = .(error), cnd_class = TRUE)),
       envir = parent.frame())
}

# Unpack a packed lower triangle (one row of d2) into a symmetric matrix.
unpack_symmetric <- function(v, d) {
  M <- matrix(0, d, d)
  M[lower.tri(M, diag = TRUE)] <- v
  M[upper.tri(M)] <- t(M)[upper.tri(M)]
  M
}
