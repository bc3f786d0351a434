# simulate_estimator(): Monte Carlo studies of estimators (C++ core and R path).

test_that("claim 22: variance of the sample mean attains the Cramér–Rao bound sigma^2/n", {
  n <- c(10, 50, 100, 500, 1000)
  st <- simulate_estimator("mean", "gaussian", c(mean = 0, sd = 2), n = n, reps = 10000, seed = 22)
  s <- st$summary
  expect_equal(s$n, n)
  expect_equal(s$crb, 4 / n)
  ratio <- s$variance / (4 / n)
  expect_true(all(abs(ratio - 1) < 0.05))
  expect_equal(s$efficiency, (4 / n) / s$variance)
  if (exists("cramer_rao_bound", envir = asNamespace("probml"))) {
    crb <- probml:::cramer_rao_bound("gaussian", c(mean = 0, sd = 2), n = 10)
    expect_equal(s$crb[1], unname(crb[["mean"]]))
  }
})

test_that("claim 17: E[var_mle] = (n-1)/n sigma^2, MSE = bias^2 + variance, var_mle trades bias for MSE", {
  n <- 10
  mle <- simulate_estimator("var_mle", "gaussian", c(mean = 1, sd = 2), n = n, reps = 10000, seed = 17)$summary
  unb <- simulate_estimator("var_unbiased", "gaussian", c(mean = 1, sd = 2), n = n, reps = 10000, seed = 17)$summary
  expect_equal(mle$mean, (n - 1) / n * 4, tolerance = 0.02)
  expect_equal(unb$mean, 4, tolerance = 0.02)
  for (s in list(mle, unb)) {
    expect_lt(abs(s$mse_check), 1e-12)
    expect_equal(s$mse, s$bias^2 + s$variance, tolerance = 1e-12)
  }
  expect_lt(mle$bias, -0.3)                 # true bias is -sigma^2/n = -0.4
  expect_lt(abs(unb$bias), 0.1)
  expect_lt(mle$mse, unb$mse)
  # Same data sets for both (same seed and streams): var_mle = (n-1)/n var_unbiased exactly.
  expect_equal(mle$mean, (n - 1) / n * unb$mean, tolerance = 1e-12)
  expect_equal(mle$crb, 2 * 16 / n)
})

test_that("results are identical for any thread count and for the same seed", {
  run <- function(t, est = "median") simulate_estimator(est, "exponential", c(rate = 2), n = c(7, 40),
                                                        reps = 1003, seed = 99, n_threads = t)
  a <- run(1); b <- run(2); c3 <- run(3)
  expect_identical(a$estimates, b$estimates)
  expect_identical(a$estimates, c3$estimates)
  expect_identical(a$summary, c3$summary)
  for (d in list(list("poisson", 3), list("binomial", c(12, 0.4)), list("bernoulli", 0.2),
                 list("uniform", c(-1, 2)), list("laplace", c(0, 1)), list("gaussian", c(0, 1)))) {
    x1 <- simulate_estimator("mean", d[[1]], d[[2]], n = 25, reps = 500, seed = 4, n_threads = 1)$estimates
    x3 <- simulate_estimator("mean", d[[1]], d[[2]], n = 25, reps = 500, seed = 4, n_threads = 3)$estimates
    expect_identical(x1, x3)
  }
  d <- simulate_estimator("median", "exponential", c(rate = 2), n = c(7, 40), reps = 1003, seed = 100)
  expect_false(identical(a$estimates, d$estimates))
})

test_that("set.seed() governs the study when seed = NULL", {
  set.seed(5); a <- simulate_estimator("sd", "gaussian", c(0, 1), n = 20, reps = 200)
  set.seed(5); b <- simulate_estimator("sd", "gaussian", c(0, 1), n = 20, reps = 200)
  set.seed(6); c6 <- simulate_estimator("sd", "gaussian", c(0, 1), n = 20, reps = 200)
  expect_identical(a$estimates, b$estimates)
  expect_false(identical(a$estimates, c6$estimates))
  set.seed(5); f1 <- simulate_estimator(function(x) sd(x), "gaussian", c(0, 1), n = 20, reps = 50)
  set.seed(5); f2 <- simulate_estimator(function(x) sd(x), "gaussian", c(0, 1), n = 20, reps = 50)
  expect_identical(f1$estimates, f2$estimates)
})

test_that("an R function estimator agrees in distribution with the built-in one", {
  p <- c(mean = 3, sd = 2)
  r <- simulate_estimator(function(x) mean(x), "gaussian", p, n = 30, reps = 4000, seed = 1, true_value = 3)$summary
  b <- simulate_estimator("mean", "gaussian", p, n = 30, reps = 4000, seed = 1)$summary
  expect_lt(abs(r$mean - b$mean), 4 * sqrt(2 * 4 / 30 / 4000))
  expect_equal(r$variance, b$variance, tolerance = 0.1)
  expect_equal(r$mse, r$bias^2 + r$variance, tolerance = 1e-12)
  expect_true(is.na(r$crb))
  # Without true_value an R function has no bias.
  f <- simulate_estimator(function(x, k) mean(x) * k, "poisson", c(lambda = 2), n = 10, reps = 20, seed = 1, k = 2)
  expect_true(is.na(f$summary$bias))
  expect_equal(f$summary$mean, mean(f$estimates))
})

test_that("built-in estimators match their R definitions on the same data", {
  base <- simulate_estimator("mean", "gaussian", c(0, 1), n = c(9, 10), reps = 50, seed = 3)$estimates
  t0 <- simulate_estimator("trimmed_mean", "gaussian", c(0, 1), n = c(9, 10), reps = 50, seed = 3, trim = 0)$estimates
  med <- simulate_estimator("median", "gaussian", c(0, 1), n = c(9, 10), reps = 50, seed = 3)$estimates
  t5 <- simulate_estimator("trimmed_mean", "gaussian", c(0, 1), n = c(9, 10), reps = 50, seed = 3, trim = 0.5)$estimates
  expect_equal(unname(t0), unname(base), tolerance = 1e-14)
  expect_identical(unname(t5), unname(med))
  # Trimmed mean of the uniform sits between mean and median targets, unbiased.
  tm <- simulate_estimator("trimmed_mean", "uniform", c(0, 1), n = 25, reps = 4000, seed = 1, trim = 0.2)
  expect_equal(tm$true_value, 0.5)
  expect_lt(abs(tm$summary$bias), 0.01)
  pr <- simulate_estimator("proportion", "binomial", c(size = 10, prob = 0.3), n = 40, reps = 4000, seed = 2)$summary
  expect_equal(pr$mean, 0.3, tolerance = 0.01)
  expect_equal(pr$crb, 0.3 * 0.7 / 400)
  pb <- simulate_estimator("proportion", "bernoulli", c(prob = 0.3), n = 40, reps = 4000, seed = 2)$summary
  expect_equal(pb$crb, 0.3 * 0.7 / 40)
  expect_equal(pb$variance / pb$crb, 1, tolerance = 0.06)
})

test_that("bad inputs give classed errors", {
  g <- c(mean = 0, sd = 1)
  expect_error(simulate_estimator("mean", "gaussian", g, n = 10, reps = 1), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 10, reps = 2.5), class = "probml_error")
  expect_error(simulate_estimator("var_mle", "gaussian", g, n = c(1, 10)), class = "probml_error")
  expect_error(simulate_estimator("var_unbiased", "gaussian", g, n = 1), class = "probml_error")
  expect_error(simulate_estimator("sd", "gaussian", g, n = 1), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 2.5), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 0), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = NA), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", c(mean = 0, sd = 0), n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "gaussian", c(0, -1), n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "bernoulli", 1.2, n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "binomial", c(5, -0.1), n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "poisson", 0, n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "exponential", -1, n = 5), class = "probml_error_value")
  expect_error(simulate_estimator("mean", "gaussian", c(mu = 0, sd = 1), n = 5), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", 1, n = 5), class = "probml_error")
  expect_error(simulate_estimator("mode", "gaussian", g, n = 5), class = "probml_error")
  expect_error(simulate_estimator("proportion", "gaussian", g, n = 5), class = "probml_error")
  expect_error(simulate_estimator("mean", "cauchy", g, n = 5), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 5, trim = 0.1), class = "probml_error")
  expect_error(simulate_estimator("trimmed_mean", "gaussian", g, n = 5, trim = 0.7), class = "probml_error")
  expect_error(simulate_estimator(function(x) "a", "gaussian", g, n = 5, reps = 3),
               class = "probml_error")
  expect_error(simulate_estimator(function(x) NA_real_, "gaussian", g, n = 5, reps = 3),
               class = "probml_error")
  expect_error(simulate_estimator(function(x) x, "gaussian", g, n = 5, reps = 3),
               class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 5, n_threads = 0), class = "probml_error")
  expect_error(simulate_estimator("mean", "gaussian", g, n = 5, seed = 1.5), class = "probml_error")
})

test_that("print and plot work", {
  st <- simulate_estimator("var_mle", "gaussian", c(0, 1), n = c(10, 100, 1000), reps = 200, seed = 1)
  expect_s3_class(st, "probml_estimator_study")
  expect_output(print(st), "Monte Carlo study of var_mle")
  pdf(NULL)
  on.exit(dev.off())
  expect_invisible(plot(st))
  expect_invisible(plot(simulate_estimator("mean", "uniform", c(0, 1), n = 5, reps = 20, seed = 1)))
})

test_that("the built-in MLE of every family is consistent and attains the Cramer-Rao bound", {
  cases <- list(
    list("gaussian", c(mean = 1, sd = 2), "sd"),
    list("bernoulli", c(prob = 0.3), "prob"),
    list("binomial", c(size = 5, prob = 0.4), "prob"),
    list("poisson", c(lambda = 3), "lambda"),
    list("exponential", c(rate = 2), "rate"),
    list("laplace", c(location = 1, scale = 2), "scale"),
    list("gamma", c(shape = 2.5, rate = 3), "shape"),
    list("gamma", c(shape = 2.5, rate = 3), "rate"),
    list("lognormal", c(meanlog = 0.5, sdlog = 0.8), "sdlog"),
    list("weibull", c(shape = 1.7, scale = 2), "shape"),
    list("weibull", c(shape = 1.7, scale = 2), "scale")
  )
  for (cs in cases) {
    st <- simulate_estimator("mle", cs[[1]], cs[[2]], n = 2000, reps = 400, seed = 3, parameter = cs[[3]])
    s <- st$summary
    info <- paste(cs[[1]], cs[[3]])
    expect_equal(st$true_value, cs[[2]][[cs[[3]]]], info = info)
    # Unbiased to within Monte Carlo error, and efficient (variance near the CRB).
    expect_lt(abs(s$bias), 4 * sqrt(s$variance / 400), label = info)
    expect_equal(s$efficiency, 1, tolerance = 0.25, info = info)
  }
})

test_that("the built-in MLE agrees in distribution with fit_dist run through the R path", {
  a <- simulate_estimator("mle", "gamma", c(shape = 2, rate = 1), n = 300, reps = 300, seed = 5, parameter = "shape")
  b <- simulate_estimator(function(x) unname(coef(fit_dist(x, "gamma"))[["shape"]]), "gamma",
                          c(shape = 2, rate = 1), n = 300, reps = 300, seed = 5, true_value = 2)
  expect_equal(a$summary$mean, b$summary$mean, tolerance = 0.02)
  expect_equal(a$summary$variance, b$summary$variance, tolerance = 0.3)
  expect_identical(simulate_estimator("mle", "weibull", c(2, 1), n = 50, reps = 64, seed = 1, n_threads = 1)$estimates,
                   simulate_estimator("mle", "weibull", c(2, 1), n = 50, reps = 64, seed = 1, n_threads = 3)$estimates)
  expect_probml_error(simulate_estimator("mle", "gamma", c(2, 1), n = 10, parameter = "scale"), "probml_error")
  expect_probml_error(simulate_estimator("mle", "binomial", c(5, 0.3), n = 10, parameter = "size"), "probml_error")
  expect_probml_error(simulate_estimator("mle", "gamma", c(-2, 1), n = 10), "probml_error_value")
  expect_probml_error(simulate_estimator("mle", "gamma", c(2, 1), n = 10, trim = 0.1), "probml_error")
})

test_that("simulate_estimator's messages", {
  g <- c(mean = 0, sd = 1)
  expect_condition_snapshot({
    simulate_estimator("mode", "gaussian", g, n = 5)
    simulate_estimator("mean", "poisson", c(lambda = 1e300), n = 10, reps = 10, seed = 1)
    simulate_estimator("mean", "gaussian", g, n = 5, trim = 0.1)
    simulate_estimator("var_mle", "gaussian", g, n = c(1, 10))
    simulate_estimator("mle", "student_t", c(0, 1, 3), n = 2)
    simulate_estimator("proportion", "gaussian", g, n = 5)
    simulate_estimator("mle", "gamma", c(2, 1), n = 10, parameter = "scale")
    simulate_estimator("mle", "binomial", c(10, 0.3), n = 10, parameter = "size")
    simulate_estimator("mean", "gaussian", g, n = 2.5)
    simulate_estimator(function(x) stop("boom"), "gaussian", g, n = 5, reps = 3, seed = 1)
    simulate_estimator(function(x) x, "gaussian", g, n = 5, reps = 3, seed = 1)
  })
  expect_condition_snapshot(st <- simulate_estimator("mle", "student_t", c(0, 1, 1e6), n = 30, reps = 20, seed = 1),
                            error = FALSE)
})

test_that("the built-in MLE covers every fit_dist family, identically for 1, 2 and 3 threads", {
  params <- list(gaussian = c(1, 2), bernoulli = 0.3, binomial = c(10, 0.4), poisson = 3,
                 exponential = 2, gamma = c(2, 3), beta = c(2, 3), laplace = c(0, 1),
                 student_t = c(0, 1, 4), lognormal = c(0, 0.5), weibull = c(1.5, 2))
  expect_setequal(names(params), probml:::dist_names(regular_only = TRUE))
  for (d in names(params)) {
    # (The t fit may not converge on small samples: df heads to infinity.)
    runs <- lapply(1:3, function(k) suppressWarnings(
      simulate_estimator("mle", d, params[[d]], n = c(20, 60), reps = 150, seed = 9, n_threads = k)))
    expect_identical(runs[[2]]$estimates, runs[[1]]$estimates, info = d)
    expect_identical(runs[[3]]$estimates, runs[[1]]$estimates, info = d)
    # ... and each replicate's estimate is fit_dist's on the same data set.
    x <- probml:::cpp_dist_sample(d, probml:::check_dist_params(d, params[[d]]), 60, 9,
                                  probml:::cpp_study_stream(1, 0))
    est <- coef(fit_dist(x, d, size = if (d == "binomial") 10))[[1]]
    expect_equal(unname(runs[[1]]$estimates[1, 2]), est, tolerance = 1e-8, info = d)
  }
})

test_that("an R function sees the built-in estimators' data sets and leaves the caller's RNG alone", {
  p <- c(mean = 3, sd = 2)
  set.seed(42)
  before <- .Random.seed
  r <- simulate_estimator(function(x) mean(x), "gaussian", p, n = c(5, 30), reps = 200, seed = 1)
  expect_identical(.Random.seed, before)
  b <- simulate_estimator("mean", "gaussian", p, n = c(5, 30), reps = 200, seed = 1)
  expect_equal(r$estimates, b$estimates, tolerance = 1e-12)
  # The function's own randomness is reproducible too.
  noisy <- function(x) mean(x) + runif(1)
  expect_identical(simulate_estimator(noisy, "gaussian", p, n = 5, reps = 20, seed = 3)$estimates,
                   simulate_estimator(noisy, "gaussian", p, n = 5, reps = 20, seed = 3)$estimates)
})

test_that("counts too large to simulate are refused at once, not looped on", {
  expect_error(simulate_estimator("proportion", "binomial", c(size = 1e18, prob = 0.3), n = 10, reps = 10, seed = 1),
               class = "probml_error_value")
  expect_error(simulate_estimator("mean", "poisson", c(lambda = 1e300), n = 10, reps = 10, seed = 1),
               class = "probml_error_value")
  # Large but representable counts are simulated exactly and quickly.
  s <- simulate_estimator("mean", "poisson", c(lambda = 1e12), n = 10, reps = 50, seed = 1)$summary
  expect_lt(abs(s$bias), 5 * sqrt(1e12 / 10 / 50))
  s <- simulate_estimator("proportion", "binomial", c(size = 1e15, prob = 0.3), n = 10, reps = 50, seed = 1)$summary
  expect_lt(abs(s$bias), 5 * sqrt(0.21 / 1e15 / 10 / 50))
})

test_that("print() shows significant digits, hides mse_check and explains an efficiency above 1", {
  # var_mle is biased, and its variance lies below the bound for unbiased
  # estimators of the variance.
  st <- simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 2), n = c(10, 100), reps = 2000, seed = 1)
  expect_true(all(st$summary$efficiency > 1))
  expect_snapshot(print(st))
  expect_snapshot(print(st, check = TRUE))
  out <- capture.output(print(st))
  expect_false(any(grepl("mse_check", out)))
  expect_true(any(grepl("mse_check", capture.output(print(st, check = TRUE)))))
  # The sample mean is unbiased: an efficiency above 1 is Monte Carlo error.
  mu <- simulate_estimator("mean", "gaussian", c(0, 2), n = c(10, 50, 200), reps = 2000, seed = 3)
  expect_true(any(mu$summary$efficiency > 1))
  expect_snapshot(print(mu))
  # No note without an efficiency above 1, nor without a bound.
  expect_false(any(grepl("Note", capture.output(print(simulate_estimator("median", "gaussian", c(0, 1), n = 50, reps = 500, seed = 1))))))
  expect_snapshot(print(simulate_estimator(function(x) max(x), "uniform", c(min = 0, max = 1), n = 20, reps = 500,
                                           seed = 1, true_value = 1)))
  expect_condition_snapshot(print(st, check = "yes"))
})
