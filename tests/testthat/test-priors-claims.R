# Claims 6, 21 and 23 of seed-claims.md, and the coverage of the Laplace
# posterior, as shown in vignettes/priors.Rmd ("Priors are regularisers").
# Same data generation as the vignette; every MAP fit is fit_map(), and
# the references (closed-form ridge, lasso optimality conditions, optim on
# a hand-written objective, glmnet, bayesglm) are computed independently.

claim6_data <- function() {
  set.seed(6)
  n <- 100; p <- 50
  X <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
  beta <- numeric(p)
  beta[sample(p, 10)] <- 100 * runif(10)
  dat <- data.frame(y = drop(X %*% beta) + rnorm(n, sd = 15), X)
  list(train = dat[1:80, ], test = dat[81:100, ], beta = beta)
}

claim6_priors <- function(n_train) {
  list(
    mle = prior_flat(),
    ridge1 = prior_gaussian(scale = 1, standardize = FALSE),
    ridge10 = prior_gaussian(scale = 1 / sqrt(10), standardize = FALSE),
    lasso01 = prior_laplace(scale = 1 / (n_train * 0.1), standardize = FALSE),
    lasso1 = prior_laplace(scale = 1 / (n_train * 1), standardize = FALSE)
  )
}

test_that("claim 6: MLE, ridge and lasso on 100 x 50 with 10 informative features", {
  d <- claim6_data()
  tr <- d$train
  te <- d$test
  n_train <- nrow(tr)
  fits <- lapply(claim6_priors(n_train), function(pr)
    fit_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), prior = pr))
  rmse <- function(obs, pred) sqrt(mean((obs - pred)^2))
  train_rmse <- vapply(fits, function(f) rmse(tr$y, predict(f)), 0)
  test_rmse <- vapply(fits, function(f) rmse(te$y, predict(f, te)), 0)
  nnz <- vapply(fits, function(f) sum(abs(coef(f)[-1]) > 1e-6), 0)

  # the lasso zeroes coefficients, more of them when stronger; ridge and MLE do not
  expect_equal(unname(nnz[c("mle", "ridge1", "ridge10")]), c(50, 50, 50))
  expect_lt(nnz[["lasso01"]], 50)
  expect_lt(nnz[["lasso1"]], nnz[["lasso01"]])
  expect_equal(sum(coef(fits$lasso1)[-1] == 0), 50 - nnz[["lasso1"]]) # exact zeros
  expect_true(all(coef(fits$lasso1)[-1][d$beta != 0] != 0))            # signal kept
  # the MLE has the lowest training error and not the lowest test error
  expect_equal(names(which.min(train_rmse)), "mle")
  expect_true(all(train_rmse[-1] > train_rmse[["mle"]] + 1e-3))
  expect_false(names(which.min(test_rmse)) == "mle")
  expect_lt(test_rmse[["lasso1"]], test_rmse[["mle"]] - 1)
  # the per-observation lambda reported back (sigma = 1)
  expect_equal(fits$lasso1$lambda, 1, tolerance = 1e-12)
  expect_equal(fits$lasso01$lambda, 0.1, tolerance = 1e-12)

  # ridge (intercept flat) against the closed form on centred data, lambda = 10
  X <- as.matrix(tr[, -1])
  Xc <- scale(X, scale = FALSE)
  b <- drop(solve(crossprod(Xc) + 10 * diag(ncol(X)), crossprod(Xc, tr$y - mean(tr$y))))
  b0 <- mean(tr$y) - sum(colMeans(X) * b)
  expect_equal(unname(coef(fits$ridge10)), unname(c(b0, b)), tolerance = 1e-8)

  # lasso: the optimality (KKT) conditions of RSS/2 + ||beta||_1 / b, to a
  # relative 1e-5 of the penalty (the coordinate descent stops at ~4e-6)
  for (nm in c("lasso01", "lasso1")) {
    f <- fits[[nm]]
    pen <- 1 / f$prior$scale
    beta_hat <- coef(f)
    g <- drop(crossprod(cbind(1, X), tr$y - drop(cbind(1, X) %*% beta_hat)))
    on <- beta_hat[-1] != 0
    expect_lt(abs(g[1]), 1e-8 * pen)
    expect_lt(max(abs(g[-1][on] - pen * sign(beta_hat[-1][on]))), 1e-5 * pen)
    expect_true(all(abs(g[-1][!on]) <= pen * (1 + 1e-5)))
  }
})

test_that("claim 6: the lasso objective is no worse than glmnet's at the same lambda", {
  skip_if_not_installed("glmnet")
  d <- claim6_data()
  tr <- d$train
  X <- as.matrix(tr[, -1])
  n_train <- nrow(X)
  obj <- function(beta, lambda) sum((tr$y - drop(cbind(1, X) %*% beta))^2) / (2 * n_train) +
    lambda * sum(abs(beta[-1]))
  g <- glmnet::glmnet(X, tr$y, alpha = 1, lambda = c(1, 0.1), standardize = FALSE, thresh = 1e-14)
  for (k in 1:2) {
    lambda <- g$lambda[k]
    f <- fit_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1),
                 prior = prior_laplace(scale = 1 / (n_train * lambda), standardize = FALSE))
    ours <- obj(coef(f), lambda)
    theirs <- obj(as.matrix(stats::coef(g))[, k], lambda)
    expect_lte(ours, theirs * (1 + 1e-8))
    expect_lt(max(abs(coef(f) - as.matrix(stats::coef(g))[, k])), 1e-2)
  }
})

test_that("claim 21: ridge MAP (lambda = sigma^2 / tau^2 = 1) is the closed form, with a smaller norm than the MLE", {
  set.seed(21)
  n <- 100; d <- 50; sigma <- 0.1; tau <- 0.1
  w_true <- c(1, -0.5, 0.8, -1.2, 0.3, rep(0, d - 5))
  X <- matrix(rnorm(n * d), n, d, dimnames = list(NULL, paste0("x", 1:d)))
  y <- drop(X %*% w_true) + rnorm(n, sd = sigma)
  ml <- fit_map_xy(X, y, family = lik_gaussian(sigma = sigma), prior = prior_flat())
  mp <- fit_map_xy(X, y, family = lik_gaussian(sigma = sigma),
                   prior = prior_gaussian(scale = tau, standardize = FALSE))
  lambda <- sigma^2 / tau^2
  A <- crossprod(X) + lambda * diag(d)
  expect_equal(unname(coef(mp)), unname(drop(solve(A, crossprod(X, y)))), tolerance = 1e-8)
  expect_equal(unname(coef(ml)), unname(coef(lm(y ~ X - 1))), tolerance = 1e-8)

  norm2 <- function(v) sqrt(sum(v^2))
  expect_lt(norm2(coef(mp)), norm2(coef(ml)))
  # estimation errors against their expectations given X: the OLS error^2
  # has mean sigma^2 tr((X'X)^-1); the ridge error^2 has the squared bias
  # (lambda A^-1 w)^2 plus sigma^2 tr(A^-1 X'X A^-1). Each is a weighted sum
  # of ~50 chi-square(1) terms (relative sd ~ 0.2), so 0.5-1.5 is 2.5 sd.
  err_ml <- norm2(coef(ml) - w_true)
  err_mp <- norm2(coef(mp) - w_true)
  e_ml <- sigma^2 * sum(diag(solve(crossprod(X))))
  Ai <- solve(A)
  e_mp <- sum((lambda * Ai %*% w_true)^2) + sigma^2 * sum(diag(Ai %*% crossprod(X) %*% Ai))
  expect_gt(err_ml^2 / e_ml, 0.5)
  expect_lt(err_ml^2 / e_ml, 1.5)
  expect_gt(err_mp^2 / e_mp, 0.5)
  expect_lt(err_mp^2 / e_mp, 1.5)

  # the parts of the log posterior
  expect_equal(mp$prior_value, sum(coef(mp)^2) / (2 * tau^2), tolerance = 1e-10)
  expect_equal(mp$log_posterior, as.numeric(logLik(mp)) - mp$prior_value, tolerance = 1e-10)
  expect_lt(as.numeric(logLik(mp)), as.numeric(logLik(ml)))
  expect_gt(mp$df, 40)
  expect_lt(mp$df, 50)

  # with sigma estimated, the coefficients are ridge with lambda = sigma_hat^2 / tau^2
  mf <- fit_map_xy(X, y, prior = prior_gaussian(scale = tau, standardize = FALSE))
  lh <- sigma(mf)^2 / tau^2
  expect_equal(unname(coef(mf)[1:d]), unname(drop(solve(crossprod(X) + lh * diag(d), crossprod(X, y)))),
               tolerance = 1e-8)
  expect_equal(sigma(mf)^2, sum((y - X %*% coef(mf)[1:d])^2) / n, tolerance = 1e-8)
})

test_that("claim 23: logistic NLL falls, MLE near truth, lambda ||theta||^2 makes it MAP", {
  set.seed(23)
  N <- 500
  theta <- c(0.5, 1.2, -0.8)
  x1 <- rnorm(N); x2 <- rnorm(N)
  dat <- data.frame(x1 = x1, x2 = x2, y = rbinom(N, 1, plogis(0.5 + 1.2 * x1 - 0.8 * x2)))
  X <- model.matrix(~ x1 + x2, dat)

  nll <- vapply(1:6, function(k) {
    f <- suppressWarnings(fit_map(y ~ x1 + x2, data = dat, family = lik_bernoulli(),
                                  prior = prior_flat(), control = fit_control(max_iter = k)))
    -as.numeric(logLik(f))
  }, 0)
  nll <- c(N * log(2), nll)
  expect_true(all(diff(nll) <= 1e-8))
  expect_lt(nll[7], nll[1] - 50)

  ml <- fit_map(y ~ x1 + x2, data = dat, family = lik_bernoulli(), prior = prior_flat())
  expect_equal(unname(coef(ml)), unname(coef(glm(y ~ x1 + x2, binomial, dat))), tolerance = 1e-8)
  z <- (coef(ml) - theta) / sqrt(diag(vcov(ml)))
  expect_true(all(abs(z) < 3)) # each estimate within 3 standard errors of the truth

  map_prior <- function(lambda) {
    tau <- 1 / sqrt(2 * N * lambda)
    prior_gaussian(scale = tau, standardize = FALSE, intercept = prior_gaussian(scale = tau))
  }
  lambdas <- c(0.001, 0.01, 0.1)
  fits <- lapply(lambdas, function(l)
    fit_map(y ~ x1 + x2, data = dat, family = lik_bernoulli(), prior = map_prior(l)))
  nlls <- c(-as.numeric(logLik(ml)), vapply(fits, function(f) -as.numeric(logLik(f)), 0))
  norms <- c(sum(coef(ml)^2), vapply(fits, function(f) sum(coef(f)^2), 0))
  expect_true(all(diff(nlls) > 0))
  expect_true(all(diff(norms) < 0))

  # lambda = 0.01: the minimiser of mean NLL + lambda ||theta||^2
  f <- fits[[2]]
  tau <- 1 / sqrt(2 * N * 0.01)
  penalised <- function(th, lambda)
    -mean(dbinom(dat$y, 1, plogis(drop(X %*% th)), log = TRUE)) + lambda * sum(th^2)
  opt <- optim(c(0, 0, 0), penalised, lambda = 0.01, method = "BFGS", control = list(reltol = 1e-14))
  expect_lt(max(abs(opt$par - coef(f))), 1e-5)
  expect_lte(penalised(coef(f), 0.01), opt$value + 1e-12)
  score <- drop(crossprod(X, dat$y - plogis(drop(X %*% coef(f))))) - coef(f) / tau^2
  expect_lt(max(abs(score)), 1e-8)
  expect_equal(f$prior_value, sum(coef(f)^2) / (2 * tau^2), tolerance = 1e-10)
  expect_equal(f$log_posterior, -N * penalised(coef(f), 0.01), tolerance = 1e-10)
  expect_gt(f$log_posterior, -N * penalised(coef(ml), 0.01))

  # vcov of a MAP fit: the inverse Hessian of the negative log posterior
  p <- plogis(drop(X %*% coef(f)))
  H <- crossprod(X, X * (p * (1 - p))) + diag(3) / tau^2
  expect_equal(unname(vcov(f)), unname(solve(H)), tolerance = 1e-8)
})

test_that("a Cauchy prior (bayesglm's default) keeps separated logistic data finite", {
  sep <- data.frame(x = c(-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2), y = c(0, 0, 0, 0, 1, 1, 1, 1))
  expect_warning(ml <- fit_map(y ~ x, data = sep, family = lik_bernoulli(), prior = prior_flat()),
                 class = "probml_warning_separation")
  expect_gt(coef(ml)[["x"]], 20)
  ft <- expect_no_warning(fit_map(y ~ x, data = sep, family = lik_bernoulli(), prior = prior_student_t()))
  expect_true(all(is.finite(coef(ft))))
  expect_lt(abs(coef(ft)[["x"]]), 5)
  expect_true(all(is.finite(confint(ft))))
  # the exact mode of the hand-written log posterior: Cauchy(0, 10) intercept,
  # Cauchy(0, 2.5 / (2 sd(x))) slope
  s_x <- 2.5 / (2 * sd(sep$x))
  nlp <- function(th) -sum(dbinom(sep$y, 1, plogis(th[1] + th[2] * sep$x), log = TRUE)) -
    dcauchy(th[1], 0, 10, log = TRUE) - dcauchy(th[2], 0, s_x, log = TRUE)
  opt <- optim(c(0, 1), nlp, method = "BFGS", control = list(reltol = 1e-15))
  expect_lt(max(abs(coef(ft) - opt$par)), 1e-5)
  expect_lte(nlp(coef(ft)), opt$value + 1e-10)
  # prior_value drops the Cauchy normalising constants log(pi * scale)
  expect_equal(ft$prior_value, sum(log1p((coef(ft) / c(10, s_x))^2)), tolerance = 1e-10)
  expect_equal(ft$log_posterior, -nlp(unname(coef(ft))) + 2 * log(pi) + log(10) + log(s_x), tolerance = 1e-8)

  skip_if_not_installed("arm")
  bg <- arm::bayesglm(y ~ x, data = sep, family = binomial())
  expect_true(all(is.finite(coef(bg))))
  expect_lte(nlp(coef(ft)), nlp(coef(bg)))  # fit_map's mode is at least as good
  expect_lt(max(abs(coef(ft) - coef(bg))), 0.5)
})

test_that("Laplace-posterior 95% intervals cover the truth in 93-97% of intervals over 500 data sets from the prior", {
  # theta ~ N(0, I_4) (intercept + 3 slopes), n = 200, fitted with the same
  # N(0, 1) prior on all four. The acceptance figure is the pooled coverage
  # of all 4 x 500 = 2000 intervals (Monte Carlo se ~ 0.5 points); each
  # coefficient's own rate (500 intervals, se ~ 1 point) must be in 91-99%,
  # and the 50% intervals must cover about half the time, so that wide
  # intervals cannot pass.
  set.seed(2024)
  n_sets <- 500; n_obs <- 200; k <- 3
  pr <- prior_gaussian(scale = 1, standardize = FALSE, intercept = prior_gaussian(scale = 1))
  res <- replicate(n_sets, {
    theta <- rnorm(k + 1)
    X <- cbind("(Intercept)" = 1, matrix(rnorm(n_obs * k), n_obs, k, dimnames = list(NULL, paste0("x", 1:k))))
    y <- rbinom(n_obs, 1, plogis(drop(X %*% theta)))
    f <- fit_map_xy(X, y, family = lik_bernoulli(), prior = pr)
    ci95 <- confint(f)
    ci50 <- confint(f, level = 0.5)
    c(ci95[, 1] <= theta & theta <= ci95[, 2], ci50[, 1] <= theta & theta <= ci50[, 2])
  })
  cover95 <- res[1:4, ]
  cover50 <- res[5:8, ]
  expect_gte(mean(cover95), 0.93)
  expect_lte(mean(cover95), 0.97)
  expect_true(all(rowMeans(cover95) >= 0.91 & rowMeans(cover95) <= 0.99))
  expect_gte(mean(cover50), 0.46)
  expect_lte(mean(cover50), 0.54)
})

# ---- sections 7-9: map_path(), cv_map(), fit_evidence() ----------------------

test_that("map_path: the lasso path on claim 6's data starts empty at lambda_max and fills in", {
  d <- claim6_data()
  tr <- d$train
  n_train <- nrow(tr)
  path <- map_path(y ~ ., data = tr, family = lik_gaussian(sigma = 1), prior = prior_laplace())
  L <- length(path$lambda)
  expect_equal(L, 100L)
  expect_true(all(diff(path$lambda) < 0))
  expect_equal(path$lambda[L] / path$lambda[1], 1e-4, tolerance = 1e-10) # n > p: glmnet's default ratio
  expect_true(all(path$converged))

  # lambda_max: max |x_j'(y - ybar)| / n over predictors standardised by their population sd
  X <- as.matrix(tr[, -1])
  Xc <- scale(X, scale = FALSE)
  sd_pop <- sqrt(colMeans(Xc^2))
  lambda_max <- max(abs(crossprod(Xc, tr$y - mean(tr$y))) / sd_pop) / n_train
  expect_equal(path$lambda[1], lambda_max, tolerance = 1e-10)
  expect_equal(path$df[1], 0)
  expect_true(all(coef(path)[-1, 1] == 0))
  expect_equal(unname(coef(path)[1, 1]), mean(tr$y), tolerance = 1e-10)
  # ... and it is the smallest such strength: 0.1% below it, a slope is non-zero
  just_below <- map_path(y ~ ., data = tr, family = lik_gaussian(sigma = 1), lambda = lambda_max * c(1, 0.999))
  expect_gte(just_below$df[2], 1)

  # the number of non-zero slopes grows along the path (lasso paths may drop a
  # coefficient now and then: allow 5 decreases of 99 steps) and reaches all 50 (p < n)
  expect_lte(sum(diff(path$df) < 0), 5)
  expect_equal(path$df[L], 50)
  expect_equal(path$df, unname(colSums(coef(path)[-1, ] != 0)))
  expect_true(all(diff(path$deviance_ratio) >= -1e-10))
  # the nine large effects (> 10) enter before any irrelevant feature
  first_in <- apply(coef(path)[-1, ] != 0, 1, function(nz) which(nz)[1])
  expect_lt(max(first_in[d$beta > 10]), min(first_in[d$beta == 0]))

  # the same engine as fit_map(): section 3's lasso fits (raw scale), to the
  # solver's tolerance on coefficients of size up to 100
  pr <- map_path(y ~ ., data = tr, family = lik_gaussian(sigma = 1), prior = prior_laplace(standardize = FALSE),
                 lambda = c(1, 0.1))
  for (lam in c(1, 0.1)) {
    f <- fit_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1),
                 prior = prior_laplace(scale = 1 / (n_train * lam), standardize = FALSE))
    expect_lt(max(abs(coef(pr, s = lam) - coef(f))), 1e-4)
  }

  # predict() at a path strength is the design times coef() at it
  k <- 40
  expect_equal(unname(predict(path, d$test, s = path$lambda[k])),
               unname(drop(cbind(1, as.matrix(d$test[, -1])) %*% coef(path)[, k])), tolerance = 1e-10)
  expect_equal(dim(predict(path, d$test)), c(nrow(d$test), L))
  # as.data.frame(): one row per strength
  expect_equal(nrow(as.data.frame(path)), L)

  # glmnet's objective at the same strengths: probml's is no worse (1e-6 relative)
  skip_if_not_installed("glmnet")
  g <- glmnet::glmnet(X, tr$y, lambda = path$lambda, standardize = TRUE, thresh = 1e-14)
  obj <- function(beta, lambda) sum((tr$y - drop(cbind(1, X) %*% beta))^2) / (2 * n_train) +
    lambda * sum(sd_pop * abs(beta[-1]))
  B_g <- as.matrix(stats::coef(g))
  ours <- vapply(seq_len(L), function(k) obj(coef(path)[, k], path$lambda[k]), 0)
  theirs <- vapply(seq_len(L), function(k) obj(B_g[, k], path$lambda[k]), 0)
  expect_true(all(ours <= theirs * (1 + 1e-6)))
})

test_that("cv_map: seeded folds, lambda_1se >= lambda_min, a sparse model that beats the MLE on the test rows", {
  d <- claim6_data()
  tr <- d$train
  te <- d$test
  cv <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), prior = prior_laplace(), folds = 10, seed = 1)
  expect_s3_class(cv, "probml_cv")
  expect_equal(sort(unique(cv$folds)), 1:10)
  expect_equal(as.vector(table(cv$folds)), rep(8L, 10))
  expect_gte(cv$lambda_1se, cv$lambda_min)
  expect_equal(cv$cvm[cv$index_min], min(cv$cvm))
  bound <- cv$cvm[cv$index_min] + cv$cvsd[cv$index_min]
  expect_lte(cv$cvm[cv$index_1se], bound)
  if (cv$index_1se > 1) expect_true(all(cv$cvm[seq_len(cv$index_1se - 1)] > bound))
  # the score by hand: fold 3 refitted on the other folds, its mean held-out
  # deviance (squared error, sigma = 1) at every strength; and the
  # cross-validated score is the mean of the (equal-sized) folds' scores.
  # (With the prior on raw coefficients: with standardize = TRUE the fold
  # fits use the standard deviations of all 80 rows, not of the fold's 72.)
  raw <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), prior = prior_laplace(standardize = FALSE),
                folds = 10, seed = 1)
  expect_identical(raw$folds, cv$folds)
  held <- raw$folds == 3
  p3 <- map_path(y ~ ., data = tr[!held, ], family = lik_gaussian(sigma = 1),
                 prior = prior_laplace(standardize = FALSE), lambda = raw$lambda)
  by_hand <- colMeans((tr$y[held] - predict(p3, tr[held, ]))^2)
  expect_equal(unname(raw$fold_scores[3, ]), unname(by_hand), tolerance = 1e-6)
  expect_equal(cv$cvm, colMeans(cv$fold_scores), tolerance = 1e-12)
  expect_equal(cv$cvsd, apply(cv$fold_scores, 2, sd) / sqrt(10), tolerance = 1e-10)

  # reproducible: same seed, same folds and scores; same for one thread
  again <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), folds = 10, seed = 1)
  expect_identical(again$folds, cv$folds)
  expect_identical(again$cvm, cv$cvm)
  one <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), folds = 10, seed = 1, n_threads = 1)
  expect_identical(one$folds, cv$folds)
  expect_equal(one$cvm, cv$cvm, tolerance = 1e-12)
  # seed = NULL takes the seed from set.seed()
  set.seed(5)
  a <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), folds = 10)
  set.seed(5)
  b <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), folds = 10)
  expect_identical(a$folds, b$folds)
  expect_false(identical(a$folds, cv$folds))

  # sparser than the MLE, keeps the nine large effects, and predicts the test rows better
  nnz <- function(s) sum(coef(cv, s = s)[-1] != 0)
  expect_lt(nnz("lambda_1se"), 50)
  expect_lte(nnz("lambda_1se"), nnz("lambda_min"))
  expect_true(all(coef(cv)[-1][d$beta > 10] != 0))
  expect_true(all(coef(cv, s = "lambda_min")[-1][d$beta > 10] != 0))
  rmse <- function(obs, pred) sqrt(mean((obs - pred)^2))
  mle <- fit_mle(y ~ ., data = tr)
  rmse_mle <- rmse(te$y, predict(mle, te))
  expect_lt(rmse(te$y, predict(cv, te)), rmse_mle - 2)
  expect_lt(rmse(te$y, predict(cv, te, s = "lambda_min")), rmse_mle - 2)
  expect_equal(unname(predict(cv, te)), unname(predict(cv$path, te, s = cv$lambda_1se)))
})

test_that("fit_evidence recovers tau and sigma when the coefficients are drawn from the prior", {
  # n = 2000, p = 100, beta ~ N(0, 2^2), noise sd 3, prior on the raw
  # coefficients. The 100 draws alone make tau_hat / tau vary with relative sd
  # ~ 1 / sqrt(2p) = 0.07 (0.066 over 100 simulated data sets), so a factor of
  # 2 is a sanity bound ~10 sd wide on the log scale; against the root mean
  # square of the coefficients actually drawn the sd is ~0.004, and 5% is over
  # 10 sd. sigma_hat / sigma has sd ~ 1 / sqrt(2 (n - p)) = 0.016: 10% is ~6 sd.
  set.seed(77)
  n <- 2000; p <- 100; tau <- 2; sigma <- 3
  X <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
  beta <- rnorm(p, sd = tau)
  dat <- data.frame(y = 1 + drop(X %*% beta) + rnorm(n, sd = sigma), X)
  ev <- fit_evidence(y ~ ., data = dat, prior = prior_gaussian(standardize = FALSE))
  expect_s3_class(ev, "probml_evidence")
  expect_gt(ev$prior_scale, tau / 2)
  expect_lt(ev$prior_scale, tau * 2)
  expect_lt(abs(ev$prior_scale / sqrt(mean(beta^2)) - 1), 0.05)
  expect_lt(abs(ev$sigma / sigma - 1), 0.10)
  expect_equal(sigma(ev), ev$sigma)

  # at the joint maximum MacKay's fixed-point equations hold exactly:
  # sigma^2 = RSS / (n - gamma - 1) and tau^2 = ||beta||^2 / gamma, with gamma
  # the effective number of penalised coefficients (the intercept is the 1)
  gam <- ev$effective_parameters - 1
  expect_gt(gam, p - 1)
  expect_lt(gam, p)
  expect_equal(ev$sigma^2, sum(residuals(ev, type = "response")^2) / (n - ev$effective_parameters), tolerance = 1e-6)
  expect_equal(ev$prior_scale^2, sum(coef(ev)[-1]^2) / gam, tolerance = 1e-6)
  # the coefficients are the ridge solution at lambda = sigma^2 / tau^2 (intercept flat)
  Xc <- scale(X, scale = FALSE)
  b <- drop(solve(crossprod(Xc) + (ev$sigma / ev$prior_scale)^2 * diag(p), crossprod(Xc, dat$y - mean(dat$y))))
  expect_equal(unname(coef(ev)[-1]), unname(b), tolerance = 1e-8)

  # the log evidence written out: log N(yc; 0, sigma^2 I + tau^2 Xc Xc') + log(2 pi sigma^2 / n) / 2,
  # through the SVD of Xc; it is at a maximum in tau and in sigma
  log_ev <- function(tau, sigma) {
    yc <- dat$y - mean(dat$y)
    s <- svd(Xc)
    z <- drop(crossprod(s$u, yc))
    v <- sigma^2 + tau^2 * s$d^2
    -0.5 * (n * log(2 * pi) + sum(log(v)) + (n - p) * log(sigma^2) + sum(z^2 / v) +
              (sum(yc^2) - sum(z^2)) / sigma^2) + 0.5 * log(2 * pi * sigma^2 / n)
  }
  best <- log_ev(ev$prior_scale, ev$sigma)
  expect_equal(ev$log_evidence, best, tolerance = 1e-10)
  for (f in c(0.98, 1.02)) {
    expect_lt(log_ev(ev$prior_scale * f, ev$sigma), best)
    expect_lt(log_ev(ev$prior_scale, ev$sigma * f), best)
  }
})

test_that("claim 6's data: the evidence's ridge is near the MLE; the CV lasso and ARD predict better", {
  d <- claim6_data()
  tr <- d$train
  te <- d$test
  rmse <- function(obs, pred) sqrt(mean((obs - pred)^2))
  ev <- fit_evidence(y ~ ., data = tr)
  ard <- fit_evidence(y ~ ., data = tr, ard = TRUE)
  cv <- cv_map(y ~ ., data = tr, family = lik_gaussian(sigma = 1), folds = 10, seed = 1)
  mle <- fit_mle(y ~ ., data = tr)
  r <- c(mle = rmse(te$y, predict(mle, te)), ev = rmse(te$y, predict(ev, te)), ard = rmse(te$y, predict(ard, te)),
         lasso = rmse(te$y, predict(cv, te)))
  # one wide scale for ten large and forty zero coefficients: hardly any shrinkage
  expect_gt(ev$prior_scale, 5)
  expect_gt(ev$effective_parameters, 45)
  expect_lt(abs(r[["ev"]] - r[["mle"]]), 1)
  # the sigma of the evidence is MacKay's RSS / (n - effective parameters), near the OLS one
  expect_equal(ev$sigma^2, sum(residuals(ev, type = "response")^2) / (nrow(tr) - ev$effective_parameters), tolerance = 1e-6)
  expect_lt(abs(ev$sigma / sigma(lm(y ~ ., data = tr)) - 1), 0.05)
  # the sparse choices beat it by more than 2 RMSE units
  expect_lt(r[["lasso"]], r[["ev"]] - 2)
  expect_lt(r[["ard"]], r[["ev"]] - 2)
  # ARD switches most irrelevant coefficients off (scales at the bottom of its range)
  expect_gte(sum(ard$prior_scale < 1e-3), 20)
  expect_true(all(ard$prior_scale[d$beta > 10] > 1))
  expect_gt(ard$log_evidence, ev$log_evidence)
})
