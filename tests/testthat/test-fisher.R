# fisher_information() and cramer_rao_bound(): closed forms, Monte Carlo
# variance of the score, and classed errors.

fisher_cases <- list(
  gaussian = list(mean = 1, sd = 2),
  bernoulli = list(prob = 0.3),
  binomial = list(size = 8, prob = 0.35),
  poisson = list(lambda = 3.5),
  exponential = list(rate = 1.7),
  gamma = list(shape = 2.5, rate = 1.5),
  beta = list(shape1 = 2, shape2 = 3.5),
  laplace = list(location = 0.5, scale = 1.5),
  student_t = list(location = 1, scale = 2, df = 6),
  lognormal = list(meanlog = 0.3, sdlog = 0.6),
  weibull = list(shape = 1.8, scale = 2.5)
)

test_that("expected information agrees with the Monte Carlo covariance of the score to 2%", {
  set.seed(2024)
  reps <- 4e5
  for (fam in names(fisher_cases)) {
    p <- fisher_cases[[fam]]
    # The df score of the t is heavy-tailed: its second moment needs more draws.
    m <- if (fam == "student_t") 10 * reps else reps
    x <- draw_dist(fam, m, p)
    score <- dist_score(fam, x, p)
    # The score has mean zero at the true parameters.
    expect_true(all(abs(colMeans(score)) < 5 * sqrt(diag(cov(score)) / m)), info = fam)
    info <- fisher_information(fam, p)
    mc <- crossprod(score) / m
    # Compare entrywise relative to the diagonal scale (off-diagonals may be 0).
    scale <- sqrt(outer(diag(info), diag(info)))
    expect_lt(max(abs(mc - info) / scale), 0.02, label = paste(fam, "relative error"))
  }
})

test_that("the score is the gradient of the log-likelihood", {
  set.seed(3)
  for (fam in setdiff(names(fisher_cases), "laplace")) {
    p <- fisher_cases[[fam]]
    x <- draw_dist(fam, 20, p)
    nm <- probml:::dist_estimated(fam)
    fixed <- p[setdiff(names(p), nm)]
    f <- function(v) dist_loglik(fam, x, c(fixed, setNames(as.list(v), nm))[names(p)])
    expect_equal(unname(colSums(dist_score(fam, x, p))), fd_gradient(f, unlist(p[nm])),
                 tolerance = 1e-6, info = fam)
  }
})

test_that("closed forms", {
  expect_equal(fisher_information("gaussian", c(mean = 0, sd = 2)),
               diag(c(1 / 4, 2 / 4)) |> `dimnames<-`(list(c("mean", "sd"), c("mean", "sd"))))
  expect_equal(fisher_information("gaussian", c(0, 2), n = 10)[2, 2], 5)
  expect_equal(fisher_information("poisson", list(lambda = 4), n = 20)[1, 1], 5)
  expect_equal(fisher_information("bernoulli", c(prob = 0.2))[1, 1], 1 / 0.16)
  expect_equal(fisher_information("binomial", c(size = 10, prob = 0.2))[1, 1], 10 / 0.16)
  expect_equal(fisher_information("exponential", c(rate = 2))[1, 1], 1 / 4)
  expect_equal(dim(fisher_information("student_t", c(location = 0, scale = 1, df = 4))), c(3L, 3L))
  # Order of a named input does not matter.
  expect_equal(fisher_information("gamma", c(rate = 2, shape = 3)),
               fisher_information("gamma", list(shape = 3, rate = 2)))
  expect_true(isSymmetric(fisher_information("weibull", c(shape = 2, scale = 3))))
})

test_that("the Cramer-Rao bound inverts the information", {
  expect_equal(cramer_rao_bound("gaussian", c(mean = 3.5, sd = 1.2), n = 1000),
               c(mean = 1.44 / 1000, sd = 1.44 / 2000))
  expect_equal(cramer_rao_bound("bernoulli", c(prob = 0.3), n = 100), c(prob = 0.0021))
  expect_equal(cramer_rao_bound("poisson", c(lambda = 3), n = 30, parameter = "lambda"), 0.1)
  info <- fisher_information("gamma", c(shape = 2, rate = 1), n = 50)
  expect_equal(cramer_rao_bound("gamma", c(shape = 2, rate = 1), n = 50),
               diag(solve(info)) |> setNames(c("shape", "rate")))
  # With the rate unknown, the bound for the shape exceeds 1 / I_shape,shape.
  expect_gt(cramer_rao_bound("gamma", c(shape = 2, rate = 1), 50, "shape"), 1 / info[1, 1])
  expect_equal(cramer_rao_bound("bernoulli", c(prob = 0), n = 10), c(prob = 0))
})

test_that("the variance of the MLE approaches the bound", {
  set.seed(31)
  est <- replicate(2000, coef(fit_dist(rexp(200, 2), "exponential")))
  expect_equal(var(est), cramer_rao_bound("exponential", c(rate = 2), 200)[[1]], tolerance = 0.15)
})

test_that("parameters outside the support give classed errors", {
  expect_probml_error(fisher_information("gaussian", c(mean = 0, sd = 0)), "probml_error")
  expect_probml_error(fisher_information("gaussian", c(mean = 0, sd = -1)), "probml_error")
  expect_probml_error(fisher_information("bernoulli", c(prob = 1.2)), "probml_error")
  expect_probml_error(fisher_information("bernoulli", c(prob = -0.1)), "probml_error")
  expect_probml_error(fisher_information("poisson", c(lambda = 0)), "probml_error")
  expect_probml_error(fisher_information("exponential", c(rate = -2)), "probml_error")
  expect_probml_error(fisher_information("gamma", c(shape = 1, rate = 0)), "probml_error")
  expect_probml_error(fisher_information("binomial", c(size = 2.5, prob = 0.3)), "probml_error")
  expect_probml_error(fisher_information("student_t", c(location = 0, scale = 1, df = Inf)),
                      "probml_error")
  expect_probml_error(fisher_information("gaussian", c(mean = NA, sd = 1)), "probml_error")
  expect_probml_error(fisher_information("gaussian", c(mu = 0, sd = 1)), "probml_error")
  expect_probml_error(fisher_information("gaussian", 1), "probml_error")
  expect_probml_error(fisher_information("gaussian", "a"), "probml_error")
  expect_probml_error(fisher_information("cauchy", c(0, 1)), "probml_error")
  expect_probml_error(fisher_information("gaussian", c(0, 1), n = 0), "probml_error")
  expect_probml_error(cramer_rao_bound("gaussian", c(0, 1), 10, parameter = "var"),
                      "probml_error")
})

test_that("fisher_information's messages", {
  expect_condition_snapshot({
    cramer_rao_bound("gaussian", c(0, 1))
    cramer_rao_bound("gaussian", c(0, 1), n = 10, parameter = "variance")
    fisher_information("gaussian", c(0, 1), n = 0)
  })
})
