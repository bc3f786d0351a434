cv_data <- function(n = 300, p = 8, seed = 5) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("v", seq_len(p))))
  eta <- drop(x[, 1:3] %*% c(1, -0.7, 0.5))
  data.frame(x, y = rbinom(n, 1, plogis(eta)), z = eta + rnorm(n))
}

test_that("cv_map agrees with cv.glmnet on the same folds", {
  skip_if_not_installed("glmnet")
  d <- cv_data()
  x <- as.matrix(d[paste0("v", 1:8)])
  # Raw-scale prior: glmnet standardises within each fold, probml over all the rows.
  # Both fitted tightly: the standard errors are differences of fold scores.
  cv <- cv_map_xy(x, d$y, family = lik_bernoulli(), prior = prior_laplace(standardize = FALSE), folds = 5, seed = 1,
                  control = path_control(tol = 1e-12))
  g <- glmnet::cv.glmnet(x, d$y, family = "binomial", foldid = cv$folds, lambda = cv$path$lambda,
                         standardize = FALSE, thresh = 1e-14)
  expect_equal(cv$cvm, g$cvm, tolerance = 1e-5)
  expect_equal(cv$cvsd, g$cvsd, tolerance = 1e-5)
  expect_identical(cv$lambda_min, g$lambda.min)
  expect_identical(cv$lambda_1se, g$lambda.1se)
  cvc <- cv_map_xy(x, d$y, family = lik_bernoulli(), prior = prior_laplace(standardize = FALSE), folds = cv$folds,
                   measure = "misclassification")
  gc <- glmnet::cv.glmnet(x, d$y, family = "binomial", foldid = cv$folds, lambda = cv$path$lambda,
                          standardize = FALSE, thresh = 1e-14, type.measure = "class")
  expect_equal(cvc$cvm, gc$cvm, tolerance = 1e-8)
  cvm <- cv_map_xy(x, d$z, family = lik_gaussian(sigma = 1), prior = prior_laplace(standardize = FALSE), folds = cv$folds,
                   measure = "mse")
  gm <- glmnet::cv.glmnet(x, d$z, foldid = cv$folds, lambda = cvm$path$lambda, standardize = FALSE, thresh = 1e-14)
  expect_equal(cvm$cvm, gm$cvm, tolerance = 1e-5)
})

test_that("folds are seeded, stratified and the same for any thread count", {
  d <- cv_data()
  set.seed(10)
  a <- cv_map(y ~ v1 + v2 + v3 + v4, data = d, family = lik_bernoulli(), folds = 4, n_lambda = 20, n_threads = 2)
  after <- runif(1)
  set.seed(10)
  b <- cv_map(y ~ v1 + v2 + v3 + v4, data = d, family = lik_bernoulli(), folds = 4, n_lambda = 20, n_threads = 1)
  expect_identical(runif(1), after) # the caller's stream moves by the one seed draw only
  expect_identical(a$folds, b$folds)
  expect_identical(a$cvm, b$cvm)
  expect_identical(a$seed, b$seed)
  # stratified: each fold's class counts differ by at most one
  counts <- table(a$folds, d$y)
  expect_lte(max(apply(counts, 2, function(v) diff(range(v)))), 1)
  # a given seed gives the same folds regardless of the global state
  c1 <- cv_map(y ~ v1 + v2, data = d, family = lik_bernoulli(), folds = 4, n_lambda = 5, seed = 99)
  set.seed(123)
  c2 <- cv_map(y ~ v1 + v2, data = d, family = lik_bernoulli(), folds = 4, n_lambda = 5, seed = 99)
  expect_identical(c1$folds, c2$folds)
  expect_true(a$lambda_1se >= a$lambda_min)
  expect_identical(a$cvm[a$index_min], min(a$cvm))
  expect_true(a$cvm[a$index_1se] <= a$cvm[a$index_min] + a$cvsd[a$index_min])
})

test_that("folds run through future.apply under a plan, with the same results", {
  skip_if_not_installed("future.apply")
  skip_on_cran()
  d <- cv_data(n = 150)
  a <- cv_map(y ~ v1 + v2 + v3, data = d, family = lik_bernoulli(), folds = 3, n_lambda = 10, seed = 4)
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old))
  b <- cv_map(y ~ v1 + v2 + v3, data = d, family = lik_bernoulli(), folds = 3, n_lambda = 10, seed = 4)
  expect_equal(b$cvm, a$cvm, tolerance = 1e-12)
  expect_identical(b$folds, a$folds)
})

test_that("cv_map's methods follow the chosen strength", {
  d <- cv_data()
  cv <- cv_map(z ~ v1 + v2 + v3 + v4 + v5, data = d, folds = 5, seed = 2, measure = "mae")
  expect_s3_class(cv, "probml_cv")
  expect_identical(coef(cv), coef(cv$path, s = cv$lambda_1se))
  expect_identical(coef(cv, s = "lambda_min"), coef(cv$path, s = cv$lambda_min))
  expect_identical(predict(cv, d[1:4, ]), predict(cv$path, d[1:4, ], s = cv$lambda_1se))
  expect_identical(dim(cv$fold_scores), c(5L, length(cv$lambda)))
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(cv), cv)
  for (m in c("deviance", "misclassification", "brier", "mse", "mae")) {
    r <- cv_map(y ~ v1 + v2, data = d, family = lik_bernoulli(), folds = 3, n_lambda = 5, seed = 1, measure = m)
    expect_true(all(is.finite(r$cvm)))
  }
})

test_that("cv_map refuses bad folds and measures with classed errors", {
  d <- cv_data(n = 40)
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = 1), "probml_error_value")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = 41), "probml_error_value")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = 2.5), "probml_error_value")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = rep(1:2, 10)), "probml_error_length")
  expect_probml_error(cv_map(z ~ v1, data = d, measure = "misclassification"), "probml_error_choice")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), measure = "auc"), "probml_error_choice")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), seed = -1), "probml_error_value")
  expect_probml_error(cv_map(y ~ v1, data = d, family = lik_bernoulli(), flods = 3), "probml_error")
  expect_snapshot({
    cv_map(z ~ v1 + v2, data = d, folds = 4, seed = 1, n_lambda = 10)
  })
  expect_condition_snapshot({
    cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = 1)
    cv_map(y ~ v1, data = d, family = lik_bernoulli(), folds = 41)
    cv_map(z ~ v1, data = d, measure = "misclassification")
    coef(cv_map(z ~ v1, data = d, folds = 3, n_lambda = 5), s = "best")
  })
})

test_that("cv_map messages at the edges", {
  d <- cv_data(n = 60)
  w <- rep(1, 60)
  folds <- rep(1:3, 20)
  w[folds == 2] <- 0
  expect_condition_snapshot({
    cv_map(y ~ v1 + v2, data = d, family = lik_bernoulli(), folds = folds, weights = w)
    cv_map_xy(as.matrix(d[1:3]), d$y, family = lik_bernoulli(), folds = 3, seed = 1, n_lambda = 30,
              intercept = FALSE, control = path_control(max_iter = 1))
  })
})
