# Claims 16-24 of seed-claims.md (estimation theory), asserted numerically.
# The figures mirror vignettes/estimation-theory.Rmd.

test_that("claim 16: MLE and unbiased variance of the seven observations, ratio 7/6", {
  x <- c(2.1, 2.5, 3.0, 2.8, 2.3, 3.1, 2.7)
  fit <- fit_dist(x, "gaussian")
  v_mle <- unname(fit$estimate["sd"])^2
  v_unb <- var(x)
  expect_lt(abs(v_mle - 0.1138776), 1e-7)
  expect_lt(abs(v_unb - 0.1328571), 1e-7)
  expect_lt(abs(v_unb / v_mle - 7 / 6), 1e-7)
  expect_output(print(fit), "0.1138776")
  expect_output(print(fit), "0.1328571")
})

test_that("claim 17: MSE = bias^2 + variance; E[var_mle] = (n - 1)/n sigma^2", {
  n <- 10
  sig2 <- 4
  for (est in c("var_mle", "var_unbiased")) {
    s <- simulate_estimator(est, "gaussian", c(mean = 0, sd = 2), n = n,
                            reps = 10000, seed = 17)$summary
    expect_lt(abs(s$mse - (s$bias^2 + s$variance)), 1e-10)
    expect_lt(abs(s$mse_check), 1e-10)
    target <- if (est == "var_mle") (n - 1) / n else 1
    expect_lt(abs(s$mean / sig2 / target - 1), 0.03)
  }
})

test_that("claim 18: Gaussian MLE is the sample mean and the divide-by-n variance; SEs from Fisher information", {
  set.seed(18)
  x <- rnorm(1000, mean = 3.5, sd = 1.2)
  fit <- fit_dist(x, "gaussian")
  expect_equal(unname(fit$estimate["mean"]), mean(x), tolerance = 1e-10)
  expect_equal(unname(fit$estimate["sd"])^2, mean((x - mean(x))^2), tolerance = 1e-10)
  info <- fisher_information("gaussian", fit$estimate, n = length(x))
  expect_equal(unname(fit$se_expected), unname(sqrt(diag(solve(info)))), tolerance = 1e-10)
  expect_equal(unname(fit$se_expected),
               unname(fit$estimate["sd"]) / sqrt(c(1000, 2000)), tolerance = 1e-10)
  expect_lt(abs(fit$estimate[["mean"]] - 3.5), 4 * 1.2 / sqrt(1000))
})

test_that("claim 19: Bernoulli MLE is the sample proportion", {
  set.seed(19)
  y <- rbinom(250, 1, 0.3)
  expect_equal(unname(fit_dist(y, "bernoulli")$estimate), mean(y), tolerance = 1e-10)
  expect_equal(unname(fit_dist(c(1, 0, 0, 1, 1), "bernoulli")$estimate), 0.6, tolerance = 1e-10)
})

test_that("claim 20: binary cross-entropy = Bernoulli NLL per observation = 0.2294429", {
  y <- c(1, 0, 1, 1, 0)
  p <- c(0.9, 0.1, 0.8, 0.7, 0.3)
  expect_lt(abs(log_loss(y, p) - 0.2294429), 1e-7)
  expect_lt(abs(family_nll(lik_bernoulli(), y, qlogis(p), reduce = "mean") - 0.2294429), 1e-7)
  expect_equal(family_nll(lik_bernoulli(), y, qlogis(p), reduce = "sum") / 5, log_loss(y, p),
               tolerance = 1e-12)
})

test_that("claim 21: ridge MAP (lambda = 1) has a smaller weight norm than the MLE", {
  set.seed(21)
  n <- 100; d <- 50; lambda <- 1
  w_true <- c(1, -0.5, 0.8, -1.2, 0.3, rep(0, d - 5))
  X <- matrix(rnorm(n * d), n, d)
  y <- drop(X %*% w_true) + rnorm(n, sd = 0.1)
  w_ml <- coef(fit_mle_xy(X, y))[seq_len(d)]
  w_map <- coef(fit_mle_xy(rbind(X, sqrt(lambda) * diag(d)), c(y, rep(0, d))))[seq_len(d)]
  ridge <- drop(solve(crossprod(X) + lambda * diag(d), crossprod(X, y)))
  expect_equal(unname(w_map), ridge, tolerance = 1e-8)
  expect_lt(sqrt(sum(w_map^2)), sqrt(sum(w_ml^2)))
  err_ml <- sqrt(sum((w_ml - w_true)^2))
  err_map <- sqrt(sum((w_map - w_true)^2))
  expect_true(is.finite(err_ml) && is.finite(err_map))
  expect_lt(err_ml, 0.5)
  expect_lt(err_map, 0.5)
})

test_that("claim 22: variance of the sample mean / (sigma^2/n) within 5% of 1 (Cramer-Rao)", {
  ns <- c(10, 50, 100, 500, 1000)
  s <- simulate_estimator("mean", "gaussian", c(mean = 0, sd = 2), n = ns,
                          reps = 10000, seed = 22)$summary
  expect_equal(s$crb, 4 / ns, tolerance = 1e-12)
  expect_true(all(abs(s$variance / (4 / ns) - 1) < 0.05))
  expect_true(all(abs(s$efficiency - 1) < 0.05))
  expect_equal(cramer_rao_bound("gaussian", c(mean = 0, sd = 2), n = 50, parameter = "mean"),
               4 / 50, tolerance = 1e-12, ignore_attr = TRUE)
})

test_that("claim 23: logistic NLL falls during training, estimates near truth, penalty gives MAP", {
  set.seed(23)
  N <- 500
  theta <- c(0.5, 1.2, -0.8)
  X <- cbind(1, matrix(rnorm(N * 2), N, 2))
  y <- rbinom(N, 1, plogis(drop(X %*% theta)))
  dat <- data.frame(y = y, x1 = X[, 2], x2 = X[, 3])
  nll <- vapply(1:6, function(k) {
    f <- suppressWarnings(fit_mle(y ~ x1 + x2, data = dat, family = lik_bernoulli(),
                                  control = fit_control(max_iter = k)))
    -as.numeric(logLik(f))
  }, numeric(1))
  nll <- c(N * log(2), nll)
  expect_true(all(diff(nll) <= 1e-8))
  expect_lt(nll[7], nll[2])
  fit <- fit_mle(y ~ x1 + x2, data = dat, family = lik_bernoulli())
  expect_true(all(abs(unname(coef(fit)) - theta) < 0.3))
  nlp <- function(th, lambda) {
    family_nll(lik_bernoulli(), y, X %*% th, reduce = "sum") + lambda * sum(th^2)
  }
  map0 <- optim(c(0, 0, 0), nlp, lambda = 0, method = "BFGS")$par
  map5 <- optim(c(0, 0, 0), nlp, lambda = 5, method = "BFGS")$par
  expect_equal(map0, unname(coef(fit)), tolerance = 1e-3)
  expect_lt(sum(map5^2), sum(coef(fit)^2))
})

test_that("claim 24: var_mle bias ~ -sigma^2/n shrinking in n; sample mean efficient", {
  ns <- c(10, 30, 100, 300, 1000)
  reps <- 40000
  s <- simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 2), n = ns,
                          reps = reps, seed = 24)$summary
  expect_true(all(diff(abs(s$bias)) < 0))
  mc_se <- sqrt(s$variance / reps)
  expect_true(all(abs(s$bias + 4 / ns) < 4 * mc_se))
  m <- simulate_estimator("mean", "gaussian", c(mean = 0, sd = 2), n = ns,
                          reps = 10000, seed = 24)$summary
  expect_true(all(abs(m$efficiency - 1) < 0.05))
  expect_true(all(diff(m$mse) < 0))
})
