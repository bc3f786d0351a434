map_logistic_data <- function(n = 500, seed = 11) {
  set.seed(seed)
  d <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.4), x3 = runif(n, 0, 10))
  d$y <- rbinom(n, 1, plogis(-0.5 + 0.8 * d$x1 - 0.6 * d$x2 + 0.15 * d$x3))
  d
}

test_that("ridge with a known sigma is the closed form", {
  set.seed(1)
  n <- 60
  x <- cbind(`(Intercept)` = 1, a = rnorm(n), b = rnorm(n, 5, 3), c = rnorm(n))
  y <- drop(x %*% c(1, 2, -1, 0.5)) + rnorm(n, sd = 2)
  tau <- 0.7
  sigma <- 2
  fit <- fit_map_xy(x, y, family = lik_gaussian(sigma = sigma), prior = prior_gaussian(scale = tau, standardize = FALSE))
  # A flat intercept: ridge of the centred data, lambda = sigma^2 / tau^2.
  xc <- scale(x[, -1], scale = FALSE)
  b <- solve(crossprod(xc) + sigma^2 / tau^2 * diag(3), crossprod(xc, y - mean(y)))
  expect_equal(unname(coef(fit)[-1]), unname(drop(b)), tolerance = 1e-8)
  expect_equal(unname(coef(fit)[1]), mean(y) - sum(colMeans(x[, -1]) * b), tolerance = 1e-8)
  # The posterior covariance is the inverse of X'X / sigma^2 + the prior precision.
  P <- crossprod(x) / sigma^2 + diag(c(0, rep(1 / tau^2, 3)))
  expect_equal(unname(vcov(fit)), unname(solve(P)), tolerance = 1e-8)
  # logLik stays the likelihood; the prior is kept apart.
  expect_equal(as.numeric(logLik(fit)), sum(dnorm(y, fitted(fit), sigma, log = TRUE)), tolerance = 1e-10)
  expect_equal(fit$prior_value, sum(coef(fit)[-1]^2) / (2 * tau^2), tolerance = 1e-10)
  expect_equal(fit$log_posterior, as.numeric(logLik(fit)) - fit$prior_value, tolerance = 1e-10)
  expect_equal(fit$df, sum(diag(solve(P, crossprod(x) / sigma^2))), tolerance = 1e-8)
  expect_equal(fit$lambda, sigma^2 / (n * tau^2), tolerance = 1e-12)
})

test_that("a flat prior is fit_mle, through the same engine", {
  d <- map_logistic_data(200)
  a <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_flat())
  b <- fit_mle(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli())
  expect_identical(coef(a), coef(b))
  expect_identical(vcov(a), vcov(b))
  expect_null(a$prior_spec)
})

test_that("the Student t prior agrees with arm::bayesglm, and its Gaussian limit exactly", {
  skip_if_not_installed("arm")
  d <- map_logistic_data()
  b <- arm::bayesglm(y ~ x1 + x2 + x3, data = d, family = binomial())
  f <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_student_t())
  # bayesglm's scale updates add each coefficient's posterior variance, so it
  # stops near, not at, the mode: the gap shrinks with n (5e-5 here).
  expect_equal(coef(f), coef(b), tolerance = 1e-4)
  expect_gte(f$log_posterior, -f$prior_value + as.numeric(logLik(glm(y ~ x1 + x2 + x3, binomial, d))) - 10)
  g <- arm::bayesglm(y ~ x1 + x2 + x3, data = d, family = binomial(), prior.df = Inf, prior.df.for.intercept = Inf)
  h <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(),
               prior = prior_gaussian(scale = 2.5, standardize = "2sd", intercept = prior_gaussian(10)))
  expect_equal(coef(h), coef(g), tolerance = 1e-8)
  pr <- arm::bayesglm(y ~ x1 + x2 + x3, data = d, family = binomial(link = "probit"))
  fp <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli("probit"), prior = prior_student_t())
  expect_equal(coef(fp), coef(pr), tolerance = 1e-4)
})

test_that("the lasso and elastic net match glmnet at one strength", {
  skip_if_not_installed("glmnet")
  d <- map_logistic_data(300)
  x <- as.matrix(d[c("x1", "x2", "x3")])
  s <- 0.5
  f <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_elastic_net(scale = s, mixing = 0.4))
  g <- glmnet::glmnet(x, d$y, family = "binomial", alpha = 0.4, lambda = 1 / (nrow(d) * s), thresh = 1e-14)
  expect_equal(unname(coef(f)), unname(as.matrix(coef(g))[, 1]), tolerance = 1e-6)
  expect_equal(f$lambda, g$lambda)
  l <- fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_laplace(scale = 0.02))
  expect_true(any(coef(l)[-1] == 0))
  expect_lt(l$grad_norm, 1e-6)
  # Standard errors: none at exact zeros, the smooth part's inverse Hessian elsewhere.
  V <- vcov(l)
  zero <- names(coef(l))[coef(l) == 0]
  expect_true(all(is.na(V[zero, ])))
  keep <- setdiff(names(coef(l)), zero)
  X <- cbind(`(Intercept)` = 1, x)[, keep, drop = FALSE]
  p <- fitted(l)
  expect_equal(V[keep, keep], solve(crossprod(X * (p * (1 - p)), X)), tolerance = 1e-6, ignore_attr = TRUE)
  expect_identical(dim(vcov(l, type = "expected")), dim(V))
})

test_that("a Laplace prior on a quantile or Laplace location is the exact penalised check-loss fit", {
  skip_if_not_installed("quantreg")
  # For the fitted scale sigma the location minimises sum rho_tau(r) + sum lambda_k |beta_k|
  # with lambda = sigma l1: quantreg's simplex on the data with rows +-lambda_k e_k
  # appended (rho_tau(b) + rho_tau(-b) = |b|) is the reference; sigma is the mean check loss.
  check_loss <- function(r, tau) sum(r * (tau - (r < 0)))
  X <- model.matrix(stack.loss ~ ., stackloss)
  y <- stackloss$stack.loss
  for (tau in c(0.3, 0.8, 0.5)) {
    for (scale in c(1, 5)) {
      fam <- if (tau == 0.5) lik_laplace() else lik_quantile(tau)
      fit <- fit_map(stack.loss ~ ., data = stackloss, family = fam, prior = prior_laplace(scale))
      sigma <- sigma(fit) / if (tau == 0.5) 2 else 1  # Laplace b = 2 sigma
      beta <- coef(fit)[1:4]
      lam <- sigma * fit$prior_spec$l1[1:4]
      P <- diag(lam)[lam > 0, , drop = FALSE]
      ref <- quantreg::rq.fit.br(rbind(X, P, -P), c(y, rep(0, 2 * nrow(P))), tau = tau)$coefficients
      objective <- function(b) check_loss(y - X %*% b, tau) + sum(lam * abs(b))
      expect_lt(abs(objective(beta) - objective(ref)), 1e-8)
      expect_lt(max(abs(beta - ref)), 1e-8)
      expect_equal(sigma, check_loss(y - X %*% beta, tau) / nrow(X), tolerance = 1e-12)
      # zeros are exact zeros
      expect_identical(beta[abs(ref) < 1e-10], rep(0, sum(abs(ref) < 1e-10)), ignore_attr = TRUE)
    }
  }
})

test_that("priors make p > n and separated designs estimable", {
  set.seed(2)
  n <- 20
  x <- matrix(rnorm(n * 40), n, 40)
  y <- x[, 1] + rnorm(n)
  expect_probml_error(fit_map_xy(cbind(`(Intercept)` = 1, x), y, prior = prior_gaussian(scale = 0.5)), "probml_error_degenerate")
  fit <- fit_map_xy(cbind(`(Intercept)` = 1, x), y, family = lik_gaussian(sigma = 1), prior = prior_gaussian(scale = 0.5))
  expect_false(anyNA(coef(fit)))
  expect_identical(names(coef(fit))[2:3], c("x2", "x3"))
  expect_true(all(is.finite(diag(vcov(fit)))))
  d <- data.frame(x = c(1, 2, 3, 4, 5, 6), y = c(0, 0, 0, 1, 1, 1))
  expect_warning(fit_mle(y ~ x, data = d, family = lik_bernoulli()), class = "probml_warning_separation")
  m <- expect_no_warning(fit_map(y ~ x, data = d, family = lik_bernoulli(), prior = prior_student_t()))
  expect_true(all(is.finite(coef(m))))
})

test_that("posterior_draws samples the Laplace approximation", {
  d <- map_logistic_data(200)
  fit <- fit_map(y ~ x1 + x2, data = d, family = lik_bernoulli(), prior = prior_gaussian(scale = 1))
  a <- posterior_draws(fit, 20000, seed = 3)
  expect_identical(a, posterior_draws(fit, 20000, seed = 3))
  expect_identical(dim(a), c(20000L, 3L))
  se <- sqrt(diag(vcov(fit)))
  expect_true(all(abs(colMeans(a) - coef(fit)) < 4 * se / sqrt(20000)))
  expect_equal(cov(a), vcov(fit), tolerance = 0.05)
  set.seed(1)
  b1 <- posterior_draws(fit, 10)
  set.seed(1)
  expect_identical(posterior_draws(fit, 10), b1)
  lasso <- fit_map(y ~ x1 + x2, data = d, family = lik_bernoulli(), prior = prior_laplace(scale = 1))
  expect_probml_error(posterior_draws(lasso, 10), "probml_error_unsupported")
  expect_probml_error(posterior_draws(fit, 0), "probml_error_value")
  expect_probml_error(posterior_draws(1, 10), "probml_error_type")
  expect_probml_error(posterior_draws(fit, 10, sed = 1), "probml_error")
})

test_that("every fit method works on a MAP fit", {
  d <- map_logistic_data(200)
  fit <- fit_map(y ~ x1 + x2, data = d, family = lik_bernoulli(), prior = prior_gaussian(scale = 1))
  expect_length(predict(fit, d[1:3, ], type = "response"), 3L)
  expect_identical(dim(confint(fit)), c(3L, 2L))
  expect_true(is.finite(AIC(fit)))
  expect_s3_class(summary(fit), "summary.probml_fit")
  expect_length(residuals(fit, type = "response"), 200L)
})

test_that("MAP messages", {
  d <- map_logistic_data(100)
  expect_snapshot({
    fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_gaussian(scale = 1))
    summary(fit_map(y ~ x1 + x2 + x3, data = d, family = lik_bernoulli(), prior = prior_laplace(scale = 0.02)))
  })
  expect_condition_snapshot({
    fit_map(y ~ x1, data = d, prior = "ridge")
    fit_map(y ~ x1 + x2, data = d, prior = prior_gaussian(scale = c(1, 2, 3)))
    fit_map(y ~ x1 + x2, data = d, prior = prior_gaussian(scale = c(x1 = 1, x4 = 2)))
    fit_map(y ~ x1 + x2, data = d, prior = prior_laplace(penalty_factor = c(1, -1)))
    fit_map(y ~ x1, data = d, priors = prior_flat())
    fit_map_xy(matrix(rnorm(20), 4, 5), 1:4, prior = prior_gaussian())
    posterior_draws(fit_map(y ~ x1, data = d, family = lik_bernoulli(), prior = prior_laplace()), 5)
  })
})

test_that("posterior_draws needs a fit with a covariance", {
  d <- data.frame(x = c(1, 2, 3, 4, 5, 6), y = c(0, 0, 0, 1, 1, 1))
  sep <- suppressWarnings(fit_mle(y ~ x, data = d, family = lik_bernoulli()))
  sep$vcov <- NULL # what a fit whose information is singular carries
  expect_condition_snapshot({
    posterior_draws(sep, 5)
    posterior_draws(lm(y ~ x, d), 5)
  })
})
