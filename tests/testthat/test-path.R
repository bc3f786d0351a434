path_data <- function(n = 400, p = 12, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("v", seq_len(p))))
  x[, 2] <- x[, 2] * 10 + 3 # scales differ, so standardisation matters
  beta <- c(1, -0.8, 0.6, 0.5, rep(0, p - 4)) * c(1, 0.1, rep(1, p - 2))
  list(x = x, eta = drop(x %*% beta), n = n, p = p)
}

# glmnet's objective: the mean nll plus lambda times the penalty on the
# standardised coefficients (population sds).
glmnet_objective <- function(nll_mean, B, x, lambda) {
  sx <- apply(x, 2, function(v) sqrt(mean((v - mean(v))^2)))
  nll_mean + lambda * sum(abs(B) * sx)
}

expect_path_matches_glmnet <- function(path, g, objective) {
  ours <- vapply(seq_along(path$lambda), function(l) objective(path$coefficients[, l], l), 0)
  theirs <- vapply(seq_along(path$lambda), function(l) objective(g[, l], l), 0)
  expect_length(ours, 100L)
  expect_true(all((ours - theirs) / abs(theirs) <= 1e-6))
}

test_that("lasso paths reach glmnet's penalised objective at every strength (gaussian, binomial, poisson)", {
  skip_if_not_installed("glmnet")
  glmnet::glmnet.control(fdev = 0)
  on.exit(glmnet::glmnet.control(factory = TRUE))
  d <- path_data()
  x <- d$x
  cases <- list(
    gaussian = list(y = d$eta + rnorm(d$n), family = lik_gaussian(sigma = 1), glmnet = "gaussian",
                    nll = function(eta, y) mean((y - eta)^2) / 2),
    binomial = list(y = rbinom(d$n, 1, plogis(d$eta)), family = lik_bernoulli(), glmnet = "binomial",
                    nll = function(eta, y) mean(log1p(exp(eta)) - y * eta)),
    poisson = list(y = rpois(d$n, exp(0.5 * d$eta)), family = lik_poisson(), glmnet = "poisson",
                   nll = function(eta, y) mean(exp(eta) - y * eta)))
  for (case in cases) {
    path <- map_path_xy(x, case$y, family = case$family)
    g <- glmnet::glmnet(x, case$y, family = case$glmnet, lambda = path$lambda)
    G <- as.matrix(coef(g))
    objective <- function(b, l) {
      glmnet_objective(case$nll(b[1] + drop(x %*% b[-1]), case$y), b[-1], x, path$lambda[l])
    }
    expect_path_matches_glmnet(path, G, objective)
    # The same point as glmnet's: coefficients agree to glmnet's accuracy.
    expect_lt(max(abs(G[, 50] - path$coefficients[, 50])), 1e-3)
    expect_equal(unname(path$df), unname(colSums(path$coefficients[-1, ] != 0)))
  }
})

test_that("a multinomial lasso path is at least as good as glmnet's solution mapped to reference coding", {
  skip_if_not_installed("glmnet")
  glmnet::glmnet.control(fdev = 0)
  on.exit(glmnet::glmnet.control(factory = TRUE))
  d <- path_data(n = 300, p = 6)
  x <- d$x
  eta <- cbind(0, d$eta, -0.5 * d$eta + x[, 3])
  y <- factor(apply(exp(eta) / rowSums(exp(eta)), 1, function(pr) sample(3, 1, prob = pr)), labels = c("a", "b", "c"))
  path <- map_path_xy(x, y, family = lik_categorical())
  # glmnet's symmetric coefficients, as contrasts with the first class (the
  # parametrisation probml fits), under probml's penalty on the contrasts.
  g <- glmnet::glmnet(x, y, family = "multinomial", lambda = path$lambda)
  B <- lapply(coef(g), as.matrix)
  sx <- apply(x, 2, function(v) sqrt(mean((v - mean(v))^2)))
  objective <- function(b, l) {
    b <- matrix(b, ncol = 2) # (Intercept), v1..vp for classes b and c
    eta <- cbind(0, b[1, 1] + x %*% b[-1, 1], b[1, 2] + x %*% b[-1, 2])
    nll <- mean(log(rowSums(exp(eta))) - eta[cbind(seq_along(y), as.integer(y))])
    nll + path$lambda[l] * sum(abs(b[-1, ]) * sx)
  }
  mapped <- vapply(seq_along(path$lambda), function(l) c(B$b[, l] - B$a[, l], B$c[, l] - B$a[, l]), numeric(2 * 7))
  ours <- vapply(seq_along(path$lambda), function(l) objective(path$coefficients[, l], l), 0)
  theirs <- vapply(seq_along(path$lambda), function(l) objective(mapped[, l], l), 0)
  expect_length(ours, 100L)
  expect_true(all(ours <= theirs * (1 + 1e-6)))
  expect_identical(rownames(path$coefficients)[1:2], c("b:(Intercept)", "b:v1"))
})

test_that("a path point equals fit_map() at that strength, and a ridge path the closed form", {
  d <- path_data(n = 200, p = 5)
  y <- d$eta + rnorm(d$n)
  path <- map_path_xy(d$x, y, family = lik_gaussian(sigma = 1), n_lambda = 20)
  l <- 12
  one <- fit_map_xy(cbind(`(Intercept)` = 1, d$x), y, family = lik_gaussian(sigma = 1),
                    prior = prior_laplace(scale = 1 / (d$n * path$lambda[l])))
  expect_equal(unname(coef(one)), unname(path$coefficients[, l]), tolerance = 1e-7)
  expect_equal(unname(coef(path, s = path$lambda[l])), unname(coef(one)), tolerance = 1e-7)
  # Ridge with raw coefficients and a flat intercept: centred normal equations.
  ridge <- map_path_xy(d$x, y, family = lik_gaussian(sigma = 1), prior = prior_gaussian(standardize = FALSE),
                       lambda = c(1, 0.1))
  xc <- scale(d$x, scale = FALSE)
  for (k in 1:2) {
    b <- solve(crossprod(xc) + d$n * ridge$lambda[k] * diag(d$p), crossprod(xc, y - mean(y)))
    expect_equal(unname(ridge$coefficients[-1, k]), unname(drop(b)), tolerance = 1e-8)
  }
})

test_that("the path is the same for any thread count and its methods agree", {
  d <- path_data(n = 300, p = 8)
  y <- rbinom(d$n, 1, plogis(d$eta))
  df <- data.frame(d$x, y = y)
  p2 <- map_path(y ~ ., data = df, family = lik_bernoulli(), n_threads = 2)
  p1 <- map_path(y ~ ., data = df, family = lik_bernoulli(), n_threads = 1)
  expect_identical(p1$coefficients, p2$coefficients)
  expect_identical(p1$lambda, p2$lambda)
  expect_s3_class(p2, "probml_path")
  expect_identical(p2$df[1], 0L)
  expect_true(all(diff(p2$deviance_ratio) >= -1e-10))
  # coef(s =) interpolates linearly in lambda between path points
  s <- mean(p2$lambda[10:11])
  expect_equal(coef(p2, s = s), (p2$coefficients[, 10] + p2$coefficients[, 11]) / 2, tolerance = 1e-12)
  # predict() at a strength equals the linear predictor from coef() there
  eta <- predict(p2, df[1:5, ], s = s)
  b <- coef(p2, s = s)
  expect_equal(unname(eta), unname(b[1] + drop(d$x[1:5, ] %*% b[-1])), tolerance = 1e-12)
  pr <- predict(p2, df[1:5, ], s = p2$lambda[c(5, 20)], type = "response")
  expect_identical(dim(pr), c(5L, 2L))
  expect_equal(unname(pr[, 2]), unname(plogis(predict(p2, df[1:5, ], s = p2$lambda[20]))), tolerance = 1e-12)
  expect_identical(nrow(as.data.frame(p2)), length(p2$lambda))
  # an xy path predicts from a matrix
  pxy <- map_path_xy(d$x, y, family = lik_bernoulli())
  expect_equal(pxy$coefficients[, 30], unname(p2$coefficients[, 30]) |> stats::setNames(rownames(pxy$coefficients)),
               tolerance = 1e-6)
  expect_equal(predict(pxy, d$x[1:3, ], s = pxy$lambda[30]), unname(predict(p2, df[1:3, ], s = p2$lambda[30])),
               tolerance = 1e-6, ignore_attr = TRUE)
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(p2, label = TRUE), p2)
})

test_that("elastic-net and per-coefficient penalty factors follow glmnet", {
  skip_if_not_installed("glmnet")
  d <- path_data(n = 300, p = 6)
  y <- rbinom(d$n, 1, plogis(d$eta))
  pf <- c(0, 1, 1, 2, 1, 1)
  path <- map_path_xy(d$x, y, family = lik_bernoulli(), prior = prior_elastic_net(mixing = 0.3, penalty_factor = pf),
                      n_lambda = 30)
  g <- glmnet::glmnet(d$x, y, family = "binomial", alpha = 0.3, penalty.factor = pf, lambda = path$lambda, thresh = 1e-14)
  # glmnet rescales penalty factors to sum to the number of variables.
  expect_equal(coef(g)[, 30], path$coefficients[, 30], tolerance = 1e-5, ignore_attr = TRUE)
  expect_true(all(path$coefficients["v1", ] != 0)) # unpenalised
})

test_that("paths refuse bad settings with classed errors", {
  x <- as.matrix(mtcars[, c("wt", "hp", "qsec")])
  y <- mtcars$mpg
  expect_probml_error(map_path_xy(x, y, lambda = c(1, 2)), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, lambda = c(1, -1)), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, lambda = c(1, NA)), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, lambda = "a"), "probml_error_type")
  expect_probml_error(map_path_xy(x, y, n_lambda = 0), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, lambda_min_ratio = 1), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, prior = prior_student_t()), "probml_error_unsupported")
  expect_probml_error(map_path_xy(x, y, prior = prior_laplace(scale = 2)), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, prior = prior_laplace(penalty_factor = 0)), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, prior = prior_laplace(penalty_factor = c(1, 1))), "probml_error")
  expect_probml_error(map_path_xy(cbind(`(Intercept)` = 1, x), y), "probml_error_value")
  expect_probml_error(map_path_xy(x, y, control = fit_control()), "probml_error_type")
  expect_probml_error(map_path_xy(x, y, lamda = 1), "probml_error")
  expect_probml_error(path_control(max_deviance_ratio = 2), "probml_error_value")
  p <- map_path_xy(x, y, family = lik_gaussian(sigma = 1), n_lambda = 10)
  expect_probml_error(coef(p, s = 1e-9), "probml_error_value")
  expect_probml_error(coef(p, s = "a"), "probml_error_type")
  expect_probml_error(predict(p, x, s = 1e9), "probml_error_value")
})

test_that("a path that stops early warns and says where", {
  set.seed(3)
  x <- matrix(rnorm(40 * 30), 40, 30)
  y <- x[, 1] + rnorm(40, sd = 0.01)
  expect_warning(p <- map_path_xy(x, y, family = lik_gaussian(sigma = 1)), class = "probml_warning_path_stopped")
  expect_lt(length(p$lambda), 100L)
  expect_gte(p$deviance_ratio[length(p$lambda)], 0.999)
})

test_that("path messages", {
  x <- as.matrix(mtcars[, c("wt", "hp", "qsec")])
  y <- mtcars$mpg
  set.seed(3)
  x2 <- matrix(rnorm(40 * 30), 40, 30)
  y2 <- x2[, 1] + rnorm(40, sd = 0.01)
  expect_snapshot({
    map_path(mpg ~ wt + hp + qsec + drat, data = mtcars, n_lambda = 8)
  })
  expect_condition_snapshot({
    map_path_xy(x, y, lambda = c(1, 2))
    map_path_xy(x, y, lambda = c(1, -1))
    map_path_xy(x, y, lambda = "a")
    map_path_xy(x, y, lambda_min_ratio = 1)
    map_path_xy(x, y, prior = prior_student_t())
    map_path_xy(x, y, prior = prior_laplace(scale = 2))
    map_path_xy(x, y, prior = prior_laplace(penalty_factor = 0))
    map_path_xy(x, y, prior = prior_laplace(intercept = prior_gaussian()))
    map_path_xy(cbind(`(Intercept)` = 1, x), y)
    map_path_xy(x, y, control = fit_control())
    coef(map_path_xy(x, y, n_lambda = 5), s = 1e-9)
    map_path_xy(x2, y2, family = lik_gaussian(sigma = 1))
  })
})

test_that("a path whose last fit does not converge warns", {
  d <- path_data(n = 200, p = 6)
  y <- rbinom(d$n, 1, plogis(d$eta))
  expect_condition_snapshot(map_path_xy(d$x, y, family = lik_bernoulli(), lambda = 1e-4, intercept = FALSE,
                                        control = path_control(max_iter = 1)), error = FALSE)
})

test_that("sparse matrices are checked, then refused", {
  skip_if_not_installed("Matrix")
  x <- Matrix::sparseMatrix(i = c(1, 2, 3, 5), j = c(1, 1, 2, 2), x = c(1, NA, 2, 3), dims = c(6, 2))
  y <- c(1, 2, 3, 4, 5, 6)
  expect_probml_error(map_path_xy(x, y), "probml_error_missing")
  x@x[2] <- 4
  expect_probml_error(map_path_xy(x, y), "probml_error_unsupported")
  expect_condition_snapshot({
    map_path_xy(Matrix::sparseMatrix(i = 1:2, j = 1:2, x = c(NA, 1), dims = c(3, 2)), 1:3)
    map_path_xy(Matrix::sparseMatrix(i = 1:2, j = 1:2, x = c(Inf, 1), dims = c(3, 2)), 1:3)
    map_path_xy(Matrix::sparseMatrix(i = 1:2, j = 1:2, x = c(2, 1), dims = c(3, 2)), 1:3)
  })
})
