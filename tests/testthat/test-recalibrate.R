# Heteroscedastic Gaussian data whose model reports half the true sd.
sim_overconfident <- function(n, seed) {
  set.seed(seed)
  mu <- rnorm(n)
  sigma <- exp(rnorm(n, sd = 0.4))
  list(y = rnorm(n, mu, sigma), mean = mu, sd = sigma / 2, true_sd = sigma)
}

ks_uniform <- function(u) {
  u <- sort(u)
  n <- length(u)
  max(seq_len(n) / n - u, u - (seq_len(n) - 1) / n)
}

test_that("variance scaling has its closed form and minimises the Gaussian NLL", {
  d <- sim_overconfident(500, 1)
  w <- rep(c(1, 2, 0.5), length.out = 500)
  cal <- recalibrate_regression(d$y, d$mean, d$sd, weights = w)
  z <- (d$y - d$mean) / d$sd
  expect_equal(cal$scale, sqrt(sum(w * z^2) / sum(w)), tolerance = 1e-14)
  nll_at <- function(s) gaussian_nll(d$y, d$mean, s * d$sd, weights = w)
  best <- optimize(nll_at, c(0.1, 10), tol = 1e-10)$minimum
  expect_equal(cal$scale, best, tolerance = 1e-6)
  expect_equal(cal$nll[["after"]], nll_at(cal$scale), tolerance = 1e-14)
  expect_equal(cal$nll[["before"]], nll_at(1), tolerance = 1e-14)
  p <- predict(cal, d$mean, d$sd)
  expect_equal(p$mean, d$mean)
  expect_equal(p$sd, cal$scale * d$sd)
  expect_equal(predict(cal, d$mean, d$sd, type = "cdf", y = d$y), pnorm(d$y, d$mean, cal$scale * d$sd))
  q <- predict(cal, d$mean[1:4], d$sd[1:4], type = "quantile", probs = c(0.1, 0.9))
  expect_equal(unname(q[, 2]), qnorm(0.9, d$mean[1:4], cal$scale * d$sd[1:4]))
  expect_identical(colnames(q), c("10%", "90%"))
})

test_that("variance scaling recovers a factor of 2 and fixes held-out coverage and ENCE", {
  d <- sim_overconfident(6000, 2)
  fit_rows <- 1:2000
  cal <- recalibrate_regression(d$y[fit_rows], d$mean[fit_rows], d$sd[fit_rows])
  expect_equal(cal$scale, 2, tolerance = 0.05)
  y <- d$y[-fit_rows]
  mu <- d$mean[-fit_rows]
  s <- d$sd[-fit_rows]
  p <- predict(cal, mu, s)
  expect_lt(interval_coverage(y, mu, s, level = 0.9), 0.7)
  expect_equal(interval_coverage(y, p$mean, p$sd, level = 0.9), 0.9, tolerance = 0.015)
  expect_equal(unname(interval_coverage(y, p$mean, p$sd, level = c(0.5, 0.8))), c(0.5, 0.8), tolerance = 0.03)
  expect_lt(ence(y, p$mean, p$sd), 0.1)
  expect_lt(ence(y, p$mean, p$sd), ence(y, mu, s) / 5)
  expect_lt(gaussian_nll(y, p$mean, p$sd), gaussian_nll(y, mu, s))
  expect_output(print(cal), "s = ")
})

test_that("isotonic recalibration of the PIT makes held-out PITs uniform", {
  d <- sim_overconfident(6000, 3)
  fit_rows <- 1:2000
  iso <- recalibrate_regression(d$y[fit_rows], d$mean[fit_rows], d$sd[fit_rows], method = "isotonic")
  y <- d$y[-fit_rows]
  mu <- d$mean[-fit_rows]
  s <- d$sd[-fit_rows]
  raw_pit <- pit_values(y, mu, s)
  new_pit <- predict(iso, mu, s, type = "cdf", y = y)
  expect_gt(ks_uniform(unclass(raw_pit)), 0.1)
  expect_lt(ks_uniform(new_pit), 0.03)
  expect_lt(ks_uniform(new_pit), ks_uniform(unclass(raw_pit)) / 4)
  # The recalibrated 5% and 95% quantiles bound a 90% interval.
  q <- predict(iso, mu, s, type = "quantile", probs = c(0.05, 0.95))
  expect_equal(mean(y >= q[, 1] & y <= q[, 2]), 0.9, tolerance = 0.015)
  # The quantile function inverts the CDF.
  qq <- predict(iso, mu[1:5], s[1:5], type = "quantile", probs = c(0.2, 0.7))
  for (j in 1:2) {
    expect_equal(predict(iso, mu[1:5], s[1:5], type = "cdf", y = qq[, j]), rep(c(0.2, 0.7)[j], 5), tolerance = 1e-10)
  }
  expect_output(print(iso), "isotonic")
})

test_that("the isotonic map fits the mid-ranks of the PITs and is a distribution function", {
  set.seed(4)
  n <- 50
  mu <- rnorm(n)
  y <- rnorm(n, mu)
  iso <- recalibrate_regression(y, mu, 0.7, method = "isotonic")
  u <- pnorm(y, mu, 0.7)
  k <- iso$knots
  expect_equal(k$pit, c(0, sort(u), 1), tolerance = 1e-15)
  expect_equal(k$cdf, c(0, (seq_len(n) - 0.5) / n, 1), tolerance = 1e-14)
  expect_true(all(diff(k$cdf) > 0))
  # Weight 2 is the same as a duplicated row.
  w <- rep(1, n)
  w[1:10] <- 2
  iso_w <- recalibrate_regression(y, mu, 0.7, method = "isotonic", weights = w)
  idx <- c(1:n, 1:10)
  iso_d <- recalibrate_regression(y[idx], mu[idx], 0.7, method = "isotonic")
  expect_equal(iso_w$knots, iso_d$knots, tolerance = 1e-14)
  # The mean and sd of the recalibrated distribution: closed form against
  # numerical integration of its quantile function.
  zq <- function(p) qnorm(approx(k$cdf, k$pit, xout = p)$y)
  piecewise <- function(f) {
    sum(vapply(seq_len(nrow(k) - 1L), function(j) integrate(f, k$cdf[j], k$cdf[j + 1L], rel.tol = 1e-10)$value, 0))
  }
  m1 <- piecewise(zq)
  m2 <- piecewise(function(p) zq(p)^2)
  expect_equal(iso$location, m1, tolerance = 1e-7)
  expect_equal(iso$spread, sqrt(m2 - m1^2), tolerance = 1e-7)
  p <- predict(iso, c(1, 2), c(0.5, 2))
  expect_equal(p$mean, c(1, 2) + c(0.5, 2) * iso$location)
  expect_equal(p$sd, c(0.5, 2) * iso$spread)
  # An identity map has the moments of N(0, 1).
  expect_equal(unname(probml:::pit_map_moments(c(0, 1), c(0, 1))), c(0, 1), tolerance = 1e-14)
})

test_that("the metrics have their closed forms", {
  y <- c(0, 1, 2, 3, -1, 0.5)
  mu <- c(0.2, 0.8, 1, 3.5, 0, 0)
  s <- c(1, 0.5, 0.5, 2, 0.8, 0.25)
  w <- c(1, 2, 1, 0, 3, 1)
  z <- (y - mu) / s
  expect_equal(gaussian_nll(y, mu, s), -mean(dnorm(y, mu, s, log = TRUE)), tolerance = 1e-14)
  expect_equal(gaussian_nll(y, mu, s, weights = w), -sum(w * dnorm(y, mu, s, log = TRUE)) / sum(w), tolerance = 1e-14)
  expect_equal(interval_coverage(y, mu, s, level = 0.9), mean(abs(z) <= qnorm(0.95)))
  expect_equal(interval_coverage(y, mu, s, level = 0.5, weights = w), sum(w * (abs(z) <= qnorm(0.75))) / sum(w))
  expect_named(interval_coverage(y, mu, s, level = c(0.5, 0.9)))
  expect_equal(unclass(pit_values(y, mu, s)), pnorm(y, mu, s))
  expect_s3_class(pit_values(y, mu, s), "probml_pit")
  # ENCE by hand: bins of the sd-sorted rows {6, 2, 3} and {5, 1, 4}.
  b1 <- c(6, 2, 3)
  b2 <- c(5, 1, 4)
  nce <- function(b) abs(sqrt(mean(s[b]^2)) - sqrt(mean((y[b] - mu[b])^2))) / sqrt(mean(s[b]^2))
  expect_equal(ence(y, mu, s, bins = 2), mean(c(nce(b1), nce(b2))), tolerance = 1e-14)
  tab <- ence(y, mu, s, bins = 2, by_bin = TRUE)
  expect_equal(tab$n, c(3L, 3L))
  expect_equal(tab$nce, c(nce(b1), nce(b2)), tolerance = 1e-14)
  expect_equal(ence(y, mu, s, bins = 1), nce(1:6), tolerance = 1e-14)
  # mean and sd of length 1 are recycled.
  expect_equal(gaussian_nll(y, 0, 1), -mean(dnorm(y, log = TRUE)))
})

test_that("print and plot methods run", {
  d <- sim_overconfident(300, 5)
  u <- pit_values(d$y, d$mean, d$sd)
  expect_output(print(u), "Kolmogorov-Smirnov")
  pdf(NULL)
  on.exit(dev.off())
  expect_invisible(plot(u, bins = 20))
  expect_invisible(plot(recalibrate_regression(d$y, d$mean, d$sd)))
  expect_invisible(plot(recalibrate_regression(d$y, d$mean, d$sd, method = "isotonic")))
})

test_that("regression recalibration and its metrics refuse bad input with classed errors", {
  y <- c(1, 2, 3, 4)
  mu <- c(1.1, 2.2, 2.9, 3.5)
  s <- c(1, 1, 0.5, 2)
  expect_probml_error(recalibrate_regression(y, mu, c(1, 0, 1, 1)), "probml_error")
  expect_probml_error(recalibrate_regression(y, mu, -1), "probml_error")
  expect_probml_error(gaussian_nll(y, mu, c(1, -2, 1, 1)), "probml_error")
  expect_probml_error(recalibrate_regression(c(1, NA, 3, 4), mu, s), "probml_error_missing")
  expect_probml_error(interval_coverage(y, c(1, NA, 3, 4), s), "probml_error_missing")
  expect_probml_error(ence(y, mu, c(1, NA, 1, 1)), "probml_error_missing")
  expect_probml_error(recalibrate_regression(y, mu[1:3], s), "probml_error_length")
  expect_probml_error(pit_values(y, mu, s[1:2]), "probml_error_length")
  expect_probml_error(gaussian_nll(y, c(1, Inf, 3, 4), s), "probml_error_nonfinite")
  expect_probml_error(recalibrate_regression(as.character(y), mu, s), "probml_error")
  expect_probml_error(recalibrate_regression(y, mu, s, method = "quantile"), "probml_error")
  expect_probml_error(recalibrate_regression(y, mu, s, weights = c(1, -1, 1, 1)), "probml_error")
  expect_probml_error(recalibrate_regression(y, mu, s, weights = 1:2), "probml_error_length")
  expect_probml_error(recalibrate_regression(y, y, s), "probml_error_degenerate")
  expect_probml_error(interval_coverage(y, mu, s, level = 1), "probml_error")
  expect_probml_error(interval_coverage(y, mu, s, level = 0), "probml_error")
  expect_probml_error(interval_coverage(y, mu, s, level = c(0.5, 1.2)), "probml_error")
  expect_probml_error(ence(y, mu, s, bins = 0), "probml_error")
  expect_probml_error(ence(y, mu, s, bins = 2.5), "probml_error")
  expect_probml_error(ence(y, mu, s, bins = 5), "probml_error")
  expect_probml_error(plot(pit_values(y, mu, s), bins = 0), "probml_error")
  cal <- recalibrate_regression(y, mu, s)
  expect_probml_error(predict(cal, mu, s, type = "cdf"), "probml_error")
  expect_probml_error(predict(cal, mu, s, type = "quantile", probs = 1.5), "probml_error")
  expect_probml_error(predict(cal, mu, s, type = "density"), "probml_error")
  expect_probml_error(predict(cal, mu, 0), "probml_error")
  expect_probml_error(predict(cal, mu), "probml_error")
})

test_that("regression recalibration's messages", {
  y <- c(1, 2, 3, 4)
  mu <- c(1.1, 2.2, 2.9, 3.5)
  s <- c(1, 1, 0.5, 2)
  cal <- recalibrate_regression(y, mu, s)
  expect_condition_snapshot({
    recalibrate_regression(as.character(y), mu, s)
    pit_values(numeric(0), mu, s)
    recalibrate_regression(c(1, NA, 3, 4), mu, s)
    gaussian_nll(y, c(1, Inf, 3, 4), s)
    recalibrate_regression(y, mu[1:3], s)
    recalibrate_regression(y, mu, c(1, 0, 1, 1))
    recalibrate_regression(y, y, s)
    predict(cal, mu)
    predict(cal, mu, s, type = "cdf")
    predict(cal, mu, s, type = "quantile", probs = 1.5)
    interval_coverage(y, mu, s, level = 1)
    ence(y, mu, s, bins = 5)
  })
})
