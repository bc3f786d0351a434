# fit_evidence(): empirical Bayes, exact for a Gaussian likelihood and by
# the Laplace approximation otherwise.

# The evidence evaluated directly: log of the integral of exp(sum w_i log
# N(y_i; x_i beta, sigma^2)) over the flat columns (Lebesgue measure) and
# the penalised ones (prior N(0, tau^2 / d_j^2), d_j the weighted
# population sd of column j), from the n x n marginal covariance.
direct_log_evidence <- function(X, y, tau, sigma, w = rep(1, nrow(X)), flat = 1L) {
  n <- nrow(X)
  W <- sum(w)
  pen <- setdiff(seq_len(ncol(X)), flat)
  d <- apply(X[, pen, drop = FALSE], 2, function(x) {
    m <- sum(w * x) / W
    sqrt(sum(w * (x - m)^2) / W)
  })
  XP <- X[, pen, drop = FALSE]
  S <- sigma^2 * diag(1 / w, n) + XP %*% (t(XP) * (tau^2 / d^2))
  Si <- solve(S)
  k0 <- length(flat)
  out <- -n / 2 * log(2 * pi) - as.numeric(determinant(S)$modulus) / 2 + (n - W) / 2 * log(2 * pi * sigma^2) -
    sum(log(w)) / 2
  if (k0 == 0L) return(out - drop(t(y) %*% Si %*% y) / 2)
  X0 <- X[, flat, drop = FALSE]
  M <- crossprod(X0, Si %*% X0)
  P <- Si - Si %*% X0 %*% solve(M, crossprod(X0, Si))
  out + k0 / 2 * log(2 * pi) - as.numeric(determinant(M)$modulus) / 2 - drop(t(y) %*% P %*% y) / 2
}

cars_x <- cbind("(Intercept)" = 1, as.matrix(mtcars[, c("wt", "hp", "qsec", "drat", "disp")]))
rel <- function(a, b) abs(a - b) / abs(b)

test_that("the Gaussian evidence equals the marginal likelihood evaluated directly", {
  fit <- fit_evidence(mpg ~ wt + hp + qsec + drat + disp, data = mtcars)
  expect_s3_class(fit, c("probml_evidence", "probml_fit"))
  expect_lt(rel(fit$log_evidence, direct_log_evidence(cars_x, mtcars$mpg, fit$prior_scale, fit$sigma)), 1e-8)
  # The matrix entry gives the same fit.
  xy <- fit_evidence_xy(cars_x, mtcars$mpg)
  expect_equal(xy$log_evidence, fit$log_evidence, tolerance = 1e-10)
  expect_equal(coef(xy), coef(fit), tolerance = 1e-8)
  # Other tau and sigma: the Laplace formula at a MAP fit with sigma known is exact here.
  for (ts in list(c(0.3, 2), c(1, 3), c(5, 1.5))) {
    map <- fit_map_xy(cars_x, mtcars$mpg, family = lik_gaussian(sigma = ts[2]), prior = prior_gaussian(ts[1]))
    expect_lt(rel(laplace_log_evidence(map), direct_log_evidence(cars_x, mtcars$mpg, ts[1], ts[2])), 1e-8)
  }
  # A fixed sigma: tau chosen given it.
  known <- fit_evidence_xy(cars_x, mtcars$mpg, family = lik_gaussian(sigma = 3))
  expect_equal(known$sigma, 3)
  expect_lt(rel(known$log_evidence, direct_log_evidence(cars_x, mtcars$mpg, known$prior_scale, 3)), 1e-8)
  expect_lt(known$log_evidence, fit$log_evidence)
  # Weights enter as the likelihood exp(sum w_i log p(y_i | theta)) that logLik() reports.
  w <- seq(0.2, 3, length.out = 32)
  wfit <- fit_evidence_xy(cars_x, mtcars$mpg, weights = w)
  expect_lt(rel(wfit$log_evidence, direct_log_evidence(cars_x, mtcars$mpg, wfit$prior_scale, wfit$sigma, w)), 1e-8)
})

test_that("the chosen tau and sigma maximise the evidence", {
  fit <- fit_evidence_xy(cars_x, mtcars$mpg)
  f <- function(lt, ls) direct_log_evidence(cars_x, mtcars$mpg, exp(lt), exp(ls))
  lt <- log(fit$prior_scale)
  ls <- log(fit$sigma)
  top <- f(lt, ls)
  for (h in c(-1e-3, 1e-3)) {
    expect_lt(f(lt + h, ls), top)
    expect_lt(f(lt, ls + h), top)
  }
  h <- 1e-4
  grad <- c((f(lt + h, ls) - f(lt - h, ls)) / (2 * h), (f(lt, ls + h) - f(lt, ls - h)) / (2 * h))
  expect_lt(max(abs(grad)), 1e-6)
})

test_that("the Gaussian evidence agrees with MacKay's fixed-point updates", {
  # An independent implementation on centred data with the prior on raw
  # coefficients: alpha = gamma / |m|^2, sigma^2 = RSS / (n - 1 - gamma).
  X <- scale(cars_x[, -1], scale = FALSE)
  y <- mtcars$mpg - mean(mtcars$mpg)
  e <- eigen(crossprod(X), symmetric = TRUE)
  alpha <- 1
  beta <- 1 / var(y)
  for (i in 1:5000) {
    A <- beta * crossprod(X) + alpha * diag(ncol(X))
    m <- beta * solve(A, crossprod(X, y))
    gamma <- sum(beta * e$values / (beta * e$values + alpha))
    alpha <- gamma / sum(m^2)
    beta <- (nrow(X) - 1 - gamma) / sum((y - X %*% m)^2)
  }
  fit <- fit_evidence_xy(cars_x, mtcars$mpg, prior = prior_gaussian(standardize = FALSE))
  expect_equal(fit$prior_scale, 1 / sqrt(alpha), tolerance = 1e-8)
  expect_equal(fit$sigma, 1 / sqrt(beta), tolerance = 1e-8)
  expect_equal(unname(coef(fit)[-1]), unname(drop(m)), tolerance = 1e-8)
  expect_equal(fit$effective_parameters, gamma + 1, tolerance = 1e-8)
})

test_that("ARD prunes irrelevant coefficients and has at least the single-scale evidence", {
  set.seed(11)
  n <- 120
  X <- matrix(rnorm(n * 10), n, 10, dimnames = list(NULL, paste0("x", 1:10)))
  y <- 3 * X[, 1] - 2 * X[, 2] + X[, 3] + rnorm(n)
  X1 <- cbind("(Intercept)" = 1, X)
  one <- fit_evidence_xy(X1, y)
  ard <- fit_evidence_xy(X1, y, ard = TRUE)
  expect_gte(ard$log_evidence, one$log_evidence)
  expect_length(ard$prior_scale, 10)
  expect_true(all(ard$prior_scale[1:3] > 0.5))
  expect_true(all(ard$prior_scale[4:10] < 0.1 * min(ard$prior_scale[1:3])))
  expect_gte(length(ard$evidence$pruned), 3L)
  expect_true(all(ard$evidence$pruned %in% paste0("x", 4:10)))
  expect_lt(max(abs(coef(ard)[5:11])), 0.05)
  # The ARD evidence is exact too.
  map <- fit_map_xy(X1, y, family = lik_gaussian(sigma = ard$sigma), prior = ard$prior)
  expect_equal(laplace_log_evidence(map), ard$log_evidence, tolerance = 1e-8)
  expect_equal(ard$prior$scale, ard$prior_scale)
})

test_that("the Laplace evidence of a logistic model matches numerical integration and is maximal", {
  set.seed(3)
  n <- 150
  x <- rnorm(n)
  y <- rbinom(n, 1, plogis(0.3 + 0.8 * x))
  d <- data.frame(x = x, y = y)
  fit <- fit_evidence(y ~ x, data = d, family = lik_bernoulli())
  expect_equal(fit$evidence$method, "laplace")
  tau <- fit$prior_scale
  sdx <- sqrt(mean((x - mean(x))^2))
  # The posterior on a fine grid (Lebesgue measure on the intercept, prior
  # N(0, (tau / sdx)^2) on the slope); the log integrand in closed form.
  log_post <- function(b0, b1) {
    eta <- outer(b0, rep(1, n)) + outer(b1, x)
    drop(eta %*% y) - rowSums(log1p(exp(eta)))
  }
  V <- vcov(fit)
  b <- coef(fit)
  g0 <- b[1] + seq(-8, 8, length.out = 201) * sqrt(V[1, 1])
  g1 <- b[2] + seq(-8, 8, length.out = 201) * sqrt(V[2, 2])
  grid <- expand.grid(b0 = g0, b1 = g1)
  lv <- log_post(grid$b0, grid$b1) + dnorm(grid$b1, 0, tau / sdx, log = TRUE)
  top <- max(lv)
  brute <- top + log(sum(exp(lv - top)) * diff(g0[1:2]) * diff(g1[1:2]))
  # The Laplace approximation's error is O(1/n) in the log evidence.
  expect_lt(abs(fit$log_evidence - brute), 0.02)
  # At a maximum of the Laplace evidence over log tau.
  at <- function(t) laplace_log_evidence(fit_map(y ~ x, data = d, family = lik_bernoulli(), prior = prior_gaussian(t)))
  expect_equal(at(tau), fit$log_evidence, tolerance = 1e-10)
  expect_lt(at(tau * exp(1e-3)), fit$log_evidence)
  expect_lt(at(tau * exp(-1e-3)), fit$log_evidence)
  expect_equal(fit$effective_parameters, fit$df)
})

test_that("rescaling the response rescales tau, sigma and the fit", {
  fit <- fit_evidence(mpg ~ wt + hp + qsec + drat + disp, data = mtcars)
  for (k in c(1e-3, 7, 1e4)) {
    d <- transform(mtcars, mpg = k * mpg)
    fk <- fit_evidence(mpg ~ wt + hp + qsec + drat + disp, data = d)
    expect_equal(fk$sigma, k * fit$sigma, tolerance = 1e-8)
    expect_equal(fk$prior_scale, k * fit$prior_scale, tolerance = 1e-8)
    expect_equal(fitted(fk), k * fitted(fit), tolerance = 1e-8)
    expect_equal(coef(fk), k * coef(fit), tolerance = 1e-8)
    expect_equal(fk$effective_parameters, fit$effective_parameters, tolerance = 1e-8)
    expect_equal(fk$log_evidence, fit$log_evidence - (32 - 1) * log(k), tolerance = 1e-8)
  }
})

test_that("p > n: the evidence and the posterior covariance are right", {
  set.seed(5)
  n <- 15
  p <- 40
  X <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
  y <- drop(X[, 1:3] %*% c(2, -1, 1)) + rnorm(n)
  X1 <- cbind("(Intercept)" = 1, X)
  fit <- fit_evidence_xy(X1, y)
  expect_lt(rel(fit$log_evidence, direct_log_evidence(X1, y, fit$prior_scale, fit$sigma)), 1e-8)
  d <- apply(X, 2, function(x) sqrt(mean((x - mean(x))^2)))
  H <- crossprod(X1) / fit$sigma^2 + diag(c(0, d^2 / fit$prior_scale^2))
  expect_equal(unname(vcov(fit)), unname(solve(H)), tolerance = 1e-8)
  # Without an intercept, the Woodbury form of the posterior covariance.
  fit0 <- fit_evidence_xy(X, y)
  expect_lt(rel(fit0$log_evidence, direct_log_evidence(X, y, fit0$prior_scale, fit0$sigma, flat = integer())), 1e-8)
  P0 <- diag(fit0$prior_scale^2 / d^2)
  woodbury <- P0 - P0 %*% t(X) %*% solve(fit0$sigma^2 * diag(n) + X %*% P0 %*% t(X), X %*% P0)
  expect_equal(unname(vcov(fit0)), unname(woodbury), tolerance = 1e-8)
  expect_lt(fit0$effective_parameters, n)
})

test_that("the probml_fit methods work on an evidence fit", {
  fit <- fit_evidence(mpg ~ wt + hp + qsec, data = mtcars)
  expect_equal(sigma(fit), fit$sigma)
  expect_equal(attr(logLik(fit), "df"), fit$effective_parameters + 1)
  expect_equal(unname(predict(fit, newdata = mtcars[1:3, ])), unname(fitted(fit)[1:3]), tolerance = 1e-10)
  expect_s3_class(summary(fit), "summary.probml_fit")
  expect_equal(dim(vcov(fit)), c(4L, 4L))
  expect_snapshot(print(fit))
  expect_snapshot(print(fit_evidence_xy(cars_x, mtcars$mpg, ard = TRUE)))
  expect_snapshot(print(fit_evidence(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())))
})

test_that("bad input gives classed errors", {
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, prior = prior_laplace()))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, prior = prior_flat()))
  expect_condition_snapshot(fit_evidence(mpg ~ wt + hp, data = mtcars, prior = prior_gaussian(c(1, 2))))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, prior = prior_gaussian(intercept = prior_gaussian(10))))
  expect_condition_snapshot(fit_evidence(am ~ wt, data = mtcars, family = lik_bernoulli(), ard = TRUE))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, family = lik_laplace()))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, ard = "yes"))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, adr = TRUE))
  expect_condition_snapshot(fit_evidence(mpg ~ 1, data = mtcars))
  expect_condition_snapshot(fit_evidence_xy(cbind("(Intercept)" = 1, a = 1, x = mtcars$wt), mtcars$mpg,
                                            prior = prior_gaussian(penalty_factor = c(0, 1))))
  expect_condition_snapshot(fit_evidence(mpg ~ wt, data = mtcars, weights = -cyl))
})

test_that("evidence messages at the edges", {
  set.seed(8)
  n <- 60
  noise <- data.frame(y = rnorm(n), a = rnorm(n), b = rnorm(n))
  exact <- data.frame(a = rnorm(n), b = rnorm(n))
  exact$y <- 100 * exact$a - 50 * exact$b + rnorm(n, sd = 1e-3)
  many <- as.data.frame(matrix(rnorm(n * 40), n, 40))
  many$y <- drop(as.matrix(many) %*% rnorm(40, sd = 0.3)) + rnorm(n)
  expect_condition_snapshot({
    fit_evidence(y ~ a + b, data = noise)
    fit_evidence(y ~ a + b, data = exact)
    fit_evidence(y ~ ., data = many, ard = TRUE, control = fit_control(max_iter = 1))
    fit_evidence_xy(cbind(`(Intercept)` = 1, a = c(1, 2), b = c(3, 1)), c(1, 2), prior = prior_gaussian(penalty_factor = c(0, 1)))
    fit_evidence_xy(cbind(`(Intercept)` = 1, a = rnorm(5), b = 2), rnorm(5), prior = prior_gaussian(penalty_factor = c(0, 1)))
  }, error = TRUE)
})
