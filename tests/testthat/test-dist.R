# The core's distribution table (R/dist.R) and how R reads it.

test_that("the table lists every distribution with its parameters and support", {
  tab <- probml:::dist_table()
  expect_setequal(names(tab), c("gaussian", "bernoulli", "binomial", "poisson", "exponential", "gamma", "beta",
                                "laplace", "student_t", "lognormal", "weibull", "uniform"))
  expect_identical(tab$gamma$params, c("shape", "rate"))
  expect_identical(tab$binomial$kinds, c("trials", "probability"))
  expect_false(tab$uniform$regular)
  expect_identical(probml:::dist_estimated("binomial"), "prob")
})

test_that("parameters are taken the same way everywhere: named vector, named list or in order", {
  forms <- list(c(shape = 2, rate = 3), list(shape = 2, rate = 3), c(2, 3), list(rate = 3, shape = 2))
  for (p in forms) {
    expect_equal(fisher_information("gamma", p), fisher_information("gamma", c(shape = 2, rate = 3)))
    expect_equal(cramer_rao_bound("gamma", p, n = 10), cramer_rao_bound("gamma", c(2, 3), n = 10))
    expect_identical(simulate_estimator("mean", "gamma", p, n = 5, reps = 20, seed = 1)$estimates,
                     simulate_estimator("mean", "gamma", c(2, 3), n = 5, reps = 20, seed = 1)$estimates)
    expect_identical(coef(fit_dist(c(0.5, 1.2, 2.3, 0.7), "gamma", start = p)),
                     coef(fit_dist(c(0.5, 1.2, 2.3, 0.7), "gamma", start = c(2, 3))))
  }
})

test_that("the samplers are the core's: one seed, the same draws on any platform", {
  # The core's own algorithms, not a C++ standard library's (whose Poisson,
  # binomial and gamma samplers differ between libstdc++ and libc++): these
  # draws of seed 42 are the same on every platform. Both branches of the
  # count samplers (small and large means) are pinned.
  draw <- function(d, p) probml:::cpp_dist_sample(d, p, 4, 42, 0)
  expect_identical(draw("poisson", 3.5), c(2, 2, 4, 6))
  expect_identical(draw("poisson", 250), c(229, 253, 249, 263))
  expect_identical(draw("binomial", c(30, 0.3)), c(6, 8, 9, 10))
  expect_identical(draw("binomial", c(5000, 0.6)), c(3046, 2994, 3003, 2973))
  expect_equal(draw("gamma", c(4, 1)), c(4.85656292939343, 2.24329443045138, 9.94523409072202, 2.2557218018972),
               tolerance = 1e-12)
  x <- probml:::cpp_dist_sample("poisson", c(lambda = 3.5), 5, 42, 0)
  expect_identical(x, probml:::cpp_dist_sample("poisson", c(lambda = 3.5), 5, 42, 0))
  expect_true(all(x == round(x)))
  expect_false(identical(x, probml:::cpp_dist_sample("poisson", c(lambda = 3.5), 5, 42, 1)))
  for (d in list(list("binomial", c(size = 30, prob = 0.3)), list("gamma", c(shape = 0.3, rate = 2)),
                 list("beta", c(shape1 = 0.2, shape2 = 0.4)), list("student_t", c(0, 1, 3)))) {
    x <- probml:::cpp_dist_sample(d[[1]], d[[2]], 2000, 7, 0)
    m <- probml:::cpp_dist_moments(d[[1]], d[[2]])
    expect_lt(abs(mean(x) - m$mean), 5 * sqrt(m$variance / 2000), label = d[[1]])
  }
})

test_that("the table's messages", {
  expect_condition_snapshot({
    fisher_information("gamma", list(shape = 1:2, rate = 1))
    fisher_information("gamma", "a")
    fisher_information("gamma", c(1, 2, 3))
    fisher_information("gamma", c(shape = 1, scale = 2))
    fisher_information("gamma", c(shape = NA, rate = 2))
    fisher_information("gamma", c(shape = -1, rate = 2))
    fit_dist("a", "gamma")
    fit_dist(c(1, NA, 3), "gamma")
    fit_dist(c(1, Inf, 3), "gamma")
    fit_dist(c(1, -2, 3), "gamma")
    fit_dist(c(1, 2), "student_t")
    fit_dist(c(2, 2, 2), "gamma")
    cramer_rao_bound("gamma", c(shape = 1e15, rate = 1), n = 1)
  })
})
