# bootstrap_ensemble(): members refitted in C++ on multinomial weights.

member_counts <- function(ens, b) {
  probml:::cpp_bootstrap_counts(ens$fit$prior_weights, ens$seed %% 2^32, b - 1)
}

test_that("members are the fits on their bootstrap counts (glm with weights = counts)", {
  fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
  ens <- bootstrap_ensemble(fit, B = 25, seed = 11)
  expect_s3_class(ens, "probml_bootstrap")
  M <- coef(ens)
  expect_equal(dim(M), c(25L, 4L))
  expect_equal(colnames(M), names(coef(fit)))
  for (b in c(1, 7, 25)) {
    cnt <- member_counts(ens, b)
    expect_equal(sum(cnt), nrow(mtcars))
    expect_true(all(cnt == round(cnt)))
    g <- glm(mpg ~ wt + hp, data = mtcars, weights = cnt)
    expect_equal(unname(M[b, 1:3]), unname(coef(g)), tolerance = 1e-8)
    # the ML sigma of the reweighted data
    rss <- sum(cnt * residuals(g, type = "response")^2)
    expect_equal(unname(M[b, 4]), log(sqrt(rss / sum(cnt))), tolerance = 1e-8)
    refit <- fit_mle(mpg ~ wt + hp, data = cbind(mtcars, cnt = cnt), weights = cnt)
    expect_equal(M[b, ], coef(refit), tolerance = 1e-8)
  }
  # the bootstrap covariance against a slow loop over the same counts
  slow <- t(vapply(seq_len(25), function(b) {
    coef(glm(mpg ~ wt + hp, data = mtcars, weights = member_counts(ens, b)))
  }, numeric(3)))
  expect_equal(unname(vcov(ens)[1:3, 1:3]), unname(cov(slow)), tolerance = 1e-7)
  ci <- confint(ens, level = 0.8)
  expect_equal(unname(ci[2, ]), unname(quantile(slow[, 2], c(0.1, 0.9))), tolerance = 1e-7)
  expect_equal(colnames(ci), c("10 %", "90 %"))
})

test_that("prior weights multiply the counts; rows of weight zero are never drawn", {
  w <- rep(c(1, 2, 0, 1), 8)
  fit <- fit_mle(mpg ~ wt, data = cbind(mtcars, w = w), weights = w)
  ens <- bootstrap_ensemble(fit, B = 5, seed = 3)
  cnt <- member_counts(ens, 2)
  expect_true(all(cnt[w == 0] == 0))
  expect_equal(sum(cnt), sum(w > 0))
  g <- glm(mpg ~ wt, data = mtcars, weights = w * cnt)
  expect_equal(unname(coef(ens)[2, 1:2]), unname(coef(g)), tolerance = 1e-8)
})

test_that("results are identical for any thread count, and follow the seed and set.seed()", {
  fit <- fit_mle(type ~ glu + bmi + age, data = MASS::Pima.tr, family = lik_bernoulli())
  a <- bootstrap_ensemble(fit, B = 30, seed = 5, n_threads = 1)
  b <- bootstrap_ensemble(fit, B = 30, seed = 5, n_threads = 2)
  c <- bootstrap_ensemble(fit, B = 30, seed = 5, n_threads = 3)
  expect_identical(coef(a), coef(b))
  expect_identical(coef(a), coef(c))
  expect_false(identical(coef(a), coef(bootstrap_ensemble(fit, B = 30, seed = 6))))
  # the first members do not depend on B
  expect_identical(coef(bootstrap_ensemble(fit, B = 10, seed = 5))[1:10, ], coef(a)[1:10, ])
  set.seed(42)
  s1 <- bootstrap_ensemble(fit, B = 10)
  set.seed(42)
  s2 <- bootstrap_ensemble(fit, B = 10)
  expect_identical(coef(s1), coef(s2))
  expect_identical(s1$seed, s2$seed)
  expect_false(identical(coef(s1), coef(bootstrap_ensemble(fit, B = 10))))
  # the logistic members: glm on the counts
  cnt <- member_counts(a, 4)
  g <- suppressWarnings(glm(type ~ glu + bmi + age, data = MASS::Pima.tr, family = binomial(), weights = cnt,
                            control = glm.control(epsilon = 1e-14, maxit = 100)))
  expect_equal(unname(coef(a)[4, ]), unname(coef(g)), tolerance = 1e-7)
})

test_that("a MAP fit's members use the fit's prior: ridge in closed form", {
  fit <- fit_map(mpg ~ wt + hp + qsec, data = mtcars, family = lik_gaussian(sigma = 3), prior = prior_gaussian(0.5))
  ens <- bootstrap_ensemble(fit, B = 8, seed = 9)
  X <- model.matrix(~ wt + hp + qsec, mtcars)
  l2 <- fit$prior_spec$l2
  for (b in c(1, 8)) {
    cnt <- member_counts(ens, b)
    A <- crossprod(X, cnt * X) / 9 + diag(l2)
    closed <- solve(A, crossprod(X, cnt * mtcars$mpg) / 9)
    expect_equal(unname(coef(ens)[b, ]), unname(drop(closed)), tolerance = 1e-8)
  }
  u <- predict(ens, mtcars[1:4, ], type = "uncertainty")
  expect_equal(u$sd_aleatoric, rep(3, 4))
  expect_equal(u$sd_total^2, u$sd_aleatoric^2 + u$sd_epistemic^2, tolerance = 1e-10)
})

test_that("a categorical fit: members match fit_mle on the counts, predictions are class probabilities", {
  fit <- fit_mle(Species ~ Sepal.Length, data = iris, family = lik_categorical())
  ens <- bootstrap_ensemble(fit, B = 12, seed = 2)
  cnt <- member_counts(ens, 3)
  refit <- fit_mle(Species ~ Sepal.Length, data = cbind(iris, cnt = cnt), weights = cnt,
                   family = lik_categorical())
  expect_equal(unname(coef(ens)[3, ]), unname(coef(refit)), tolerance = 1e-7)
  nd <- iris[c(1, 51, 101), ]
  P <- predict(ens, nd, type = "members")
  expect_equal(dim(P), c(3L, 3L, 12L))
  expect_equal(dimnames(P)[[2]], levels(iris$Species))
  expect_equal(P[, , 3], predict(refit, nd, type = "prob"), tolerance = 1e-6, ignore_attr = TRUE)
  u <- predict(ens, nd, type = "uncertainty")
  expect_named(u, c("prob_setosa", "prob_versicolor", "prob_virginica", "entropy_total", "entropy_aleatoric",
                    "mutual_information"))
  expect_equal(as.matrix(u[1:3]), predict(ens, nd), ignore_attr = TRUE)
  expect_equal(u$entropy_total, u$entropy_aleatoric + u$mutual_information, tolerance = 1e-10)
  expect_true(all(u$mutual_information >= 0))
})

test_that("Poisson and Bernoulli predictions", {
  set.seed(4)
  d <- data.frame(x = runif(60, 0, 10))
  d$y <- rpois(60, exp(0.5 + 0.15 * d$x))
  ens <- bootstrap_ensemble(fit_mle(y ~ x, data = d, family = lik_poisson()), B = 40, seed = 1)
  nd <- data.frame(x = c(0, 5, 10))
  M <- predict(ens, nd, type = "members")
  expect_equal(dim(M), c(3L, 40L))
  expect_equal(predict(ens, nd), rowMeans(M))
  expect_equal(M[, 5], exp(coef(ens)[5, 1] + coef(ens)[5, 2] * nd$x))
  u <- predict(ens, nd, type = "uncertainty", level = 0.8)
  expect_equal(u$sd_aleatoric^2, rowMeans(M))  # Poisson: variance = mean
  expect_true(all(u$lower == round(u$lower)))
  expect_equal(attr(u, "level"), 0.8)
  b <- bootstrap_ensemble(fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli()), B = 10, seed = 1)
  ub <- predict(b, MASS::Pima.te[1:5, ], type = "uncertainty")
  expect_named(ub, c("prob_No", "prob_Yes", "entropy_total", "entropy_aleatoric", "mutual_information"))
  expect_equal(ub$prob_Yes, predict(b, MASS::Pima.te[1:5, ]))
  # without newdata: the fitted data, with its inputs kept for plot()
  ut <- predict(b, type = "uncertainty")
  expect_equal(nrow(ut), nrow(MASS::Pima.tr))
  expect_equal(names(attr(ut, "newdata")), "glu")
})

test_that("a matrix fit and a fit with an aliased column", {
  X <- cbind(1, as.matrix(mtcars[c("wt", "hp")]))
  ens <- bootstrap_ensemble(fit_mle_xy(X, mtcars$mpg), B = 6, seed = 1)
  expect_equal(dim(predict(ens, X[1:3, ], type = "members")), c(3L, 6L))
  d <- transform(mtcars, wt2 = 2 * wt)
  fit <- suppressWarnings(fit_mle(mpg ~ wt + wt2, data = d))
  ens <- bootstrap_ensemble(fit, B = 6, seed = 1)
  expect_true(all(is.na(coef(ens)[, "wt2"])))
  expect_true(all(is.na(vcov(ens)["wt2", ])))
  expect_false(anyNA(vcov(ens)["wt", c("(Intercept)", "wt")]))
})

test_that("failed members are left out, counted and reported", {
  g <- fit_mle_xy(matrix(1, 3, 1, dimnames = list(NULL, "(Intercept)")), c(0, 0, 1))
  expect_snapshot(ens <- bootstrap_ensemble(g, B = 10, seed = 1))
  expect_equal(ens$n_failed, sum(ens$status %in% c("failed", "not converged")))
  expect_gt(ens$n_failed, 0)
  expect_equal(nrow(coef(ens)), 10 - ens$n_failed)
  f <- suppressWarnings(fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli(),
                                control = fit_control(max_iter = 1)))
  expect_snapshot(error = TRUE, bootstrap_ensemble(f, B = 5, seed = 1))
})

test_that("print shows the members and the bootstrap table", {
  ens <- bootstrap_ensemble(fit_mle(mpg ~ wt, data = mtcars), B = 20, seed = 1)
  expect_snapshot(ens)
  expect_snapshot(print(predict(ens, data.frame(wt = c(2, 3.5)), type = "uncertainty")))
})

test_that("bad input gives classed errors", {
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  ens <- bootstrap_ensemble(fit, B = 5, seed = 1)
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit, B = 1))
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit, B = 2.5))
  expect_snapshot(error = TRUE, bootstrap_ensemble(lm(mpg ~ wt, mtcars)))
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit, b = 10))
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit, seed = "a"))
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit, n_threads = 0))
  expect_snapshot(error = TRUE, bootstrap_ensemble(fit_mle(mpg ~ wt, data = mtcars, model = FALSE)))
  expect_snapshot(error = TRUE, predict(ens, data.frame(hp = 1), type = "uncertainty"))
  expect_snapshot(error = TRUE, predict(ens, mtcars, type = "uncertainty", level = 95))
  expect_snapshot(error = TRUE, predict(ens, mtcars, type = "interval"))
  expect_snapshot(error = TRUE, predict(ens, mtcars, levle = 0.9))
  expect_snapshot(error = TRUE, confint(ens, "hp"))
  expect_snapshot(error = TRUE, confint(ens, level = 0))
  expect_snapshot(error = TRUE, coef(ens, 1))
  expect_snapshot(error = TRUE, vcov(ens, complete = TRUE))
  expect_snapshot(error = TRUE, print(ens, width = 80))
})

test_that("memory grows only with B * p: the members' coefficients", {
  fit <- fit_mle(mpg ~ wt + hp + qsec, data = mtcars)
  p <- length(coef(fit))
  size <- function(B) as.numeric(object.size(bootstrap_ensemble(fit, B = B, seed = 1)))
  growth <- size(2000) - size(1000)
  # per member: p doubles and one status code (4 bytes)
  expect_lt(growth, 1000 * (8 * p + 4) + 2000)
  expect_gt(growth, 1000 * 8 * p)
})

test_that("claim 10: the bootstrap spread is larger between the data-rich parts", {
  set.seed(1)
  x <- c(runif(40, 0, 3), runif(40, 7, 10))
  d <- data.frame(x = x, y = sin(x) + 0.1 * x + rnorm(80, sd = 0.3))
  fit <- fit_map(y ~ poly(x, 5), data = d, prior = prior_gaussian())
  ens <- bootstrap_ensemble(fit, B = 200)
  expect_equal(ens$n_failed, 0)
  grid <- data.frame(x = seq(0, 10, by = 0.05))
  u <- predict(ens, grid, type = "uncertainty")
  gap <- mean(u$sd_epistemic[grid$x >= 4 & grid$x <= 6])
  left <- mean(u$sd_epistemic[grid$x <= 3])
  right <- mean(u$sd_epistemic[grid$x >= 7])
  expect_gt(gap / left, 1.5)
  expect_gt(gap / right, 1.5)
  # the aleatoric part is the fitted noise everywhere
  expect_equal(u$sd_aleatoric, rep(u$sd_aleatoric[1], nrow(grid)), tolerance = 0.2)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(u))
})

test_that("members run through future.apply under a parallel plan, with the same result", {
  skip_on_cran()
  skip_if_not_installed("future.apply")
  fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
  threads <- bootstrap_ensemble(fit, B = 30, seed = 5)
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  futures <- bootstrap_ensemble(fit, B = 30, seed = 5)
  expect_identical(futures$coefficients, threads$coefficients)
  expect_identical(futures$status, threads$status)
})
