# fit_dist(): closed forms, agreement with MASS::fitdistr, standard errors,
# methods and classed errors on bad input.

mass_compare <- function(x, family, mass_family, tol = 1e-5, ...) {
  ours <- fit_dist(x, family)
  ref <- suppressWarnings(MASS::fitdistr(x, mass_family, ...))
  expect_equal(unname(coef(ours)), unname(ref$estimate), tolerance = tol)
  expect_equal(unname(ours$se), unname(ref$sd), tolerance = tol)
  expect_equal(as.numeric(logLik(ours)), ref$loglik, tolerance = tol)
}

test_that("fit_dist agrees with MASS::fitdistr on every family both support", {
  skip_if_not_installed("MASS")
  set.seed(101)
  tight <- list(reltol = 1e-14)
  mass_compare(rnorm(150, 2, 3), "gaussian", "normal")
  mass_compare(rexp(150, 2), "exponential", "exponential")
  mass_compare(rpois(150, 4), "poisson", "poisson")
  mass_compare(rlnorm(150, 1, 0.5), "lognormal", "lognormal")
  mass_compare(rgamma(300, shape = 2, rate = 3), "gamma", "gamma", control = tight)
  mass_compare(rbeta(300, 2, 5), "beta", "beta", start = list(shape1 = 1, shape2 = 1), control = tight)
  mass_compare(rweibull(300, 1.7, 3), "weibull", "weibull", control = tight)
  mass_compare(3 + 2 * rt(400, 4), "student_t", "t", control = tight)
})

test_that("iterative fits solve the score equations", {
  set.seed(7)
  cases <- list(gamma = rgamma(200, 0.7, 2), beta = rbeta(200, 0.5, 0.8),
                weibull = rweibull(200, 0.8, 5), student_t = rt(300, 2.5))
  for (fam in names(cases)) {
    fit <- fit_dist(cases[[fam]], fam)
    expect_true(fit$converged)
    score <- colSums(dist_score(fam, cases[[fam]], coef(fit)))
    expect_lt(max(abs(score)), 1e-6)
  }
})

test_that("fits do not depend on the number of threads", {
  set.seed(12)
  n <- 2e5  # several chunks of the core's passes
  cases <- list(gaussian = rnorm(n), lognormal = rlnorm(n), gamma = rgamma(n, 2),
                weibull = rweibull(n, 1.5), beta = rbeta(n, 2, 3), poisson = rpois(n, 3))
  for (fam in names(cases)) {
    one <- fit_dist(cases[[fam]], fam, n_threads = 1)
    for (t in 2:3) expect_identical(fit_dist(cases[[fam]], fam, n_threads = t)[c("estimate", "se", "loglik")],
                                    one[c("estimate", "se", "loglik")])
  }
  bad <- cases$gamma
  bad[n - 5] <- -1
  expect_condition_snapshot(fit_dist(bad, "gamma", n_threads = 2), error = TRUE)
})

test_that("claim 16: the Gaussian MLE variance divides by n", {
  x <- c(2.1, 2.5, 3.0, 2.8, 2.3, 3.1, 2.7)
  fit <- fit_dist(x, "gaussian")
  v_mle <- coef(fit)[["sd"]]^2
  expect_equal(v_mle, 0.1138776, tolerance = 1e-6)
  expect_equal(v_mle * 7 / 6, 0.1328571, tolerance = 1e-6)
  expect_equal(v_mle * 7 / 6, var(x), tolerance = 1e-12)
  out <- capture.output(print(fit))
  expect_true(any(grepl("0.1138776", out, fixed = TRUE)))
  expect_true(any(grepl("0.1328571", out, fixed = TRUE)))
  expect_true(any(grepl("7/6", out, fixed = TRUE)))
})

test_that("claim 18: Gaussian MLE from 1000 draws, with SEs from Fisher information", {
  set.seed(18)
  x <- rnorm(1000, 3.5, 1.2)
  fit <- fit_dist(x, "gaussian")
  expect_equal(coef(fit)[["mean"]], mean(x), tolerance = 1e-12)
  expect_equal(coef(fit)[["sd"]]^2, sum((x - mean(x))^2) / 1000, tolerance = 1e-12)
  s <- coef(fit)[["sd"]]
  expect_equal(unname(fit$se_expected), c(s / sqrt(1000), s / sqrt(2000)), tolerance = 1e-12)
  expect_equal(unname(fit$se), unname(fit$se_expected), tolerance = 1e-6)
  expect_equal(vcov(fit, type = "expected"),
               solve(fisher_information("gaussian", coef(fit), n = 1000)), tolerance = 1e-12)
  expect_lt(abs(coef(fit)[["mean"]] - 3.5), 4 * fit$se[["mean"]])
  expect_lt(abs(s - 1.2), 4 * fit$se[["sd"]])
})

test_that("claim 19: the Bernoulli MLE is the sample proportion", {
  set.seed(19)
  x <- rbinom(250, 1, 0.3)
  fit <- fit_dist(x, "bernoulli")
  p <- mean(x)
  expect_equal(coef(fit)[["prob"]], p)
  expect_equal(fit$se[["prob"]], sqrt(p * (1 - p) / 250), tolerance = 1e-6)
  expect_equal(fit$se_expected[["prob"]], sqrt(p * (1 - p) / 250), tolerance = 1e-12)
  expect_equal(coef(fit_dist(x == 1, "bernoulli"))[["prob"]], p)
})

test_that("other closed forms: binomial, Laplace, lognormal", {
  x <- c(3, 5, 2, 7, 4)
  fit <- fit_dist(x, "binomial", size = 10)
  expect_equal(coef(fit), c(prob = 0.42))
  expect_equal(fit$fixed, c(size = 10))
  expect_equal(fit$se_expected[["prob"]], sqrt(0.42 * 0.58 / 50), tolerance = 1e-12)
  expect_equal(fit$loglik, sum(dbinom(x, 10, 0.42, log = TRUE)))

  set.seed(3)
  y <- rexp(101) - rexp(101)
  lap <- fit_dist(y, "laplace")
  expect_equal(coef(lap)[["location"]], median(y))
  expect_equal(coef(lap)[["scale"]], mean(abs(y - median(y))))
  # No other location/scale does better.
  ll <- function(m, s) dist_loglik("laplace", y, list(location = m, scale = s))
  expect_gt(lap$loglik, ll(median(y) + 0.01, coef(lap)[["scale"]]))
  expect_gt(lap$loglik, ll(median(y), coef(lap)[["scale"]] * 1.01))

  z <- rlnorm(60, 1, 0.4)
  ln <- fit_dist(z, "lognormal")
  g <- fit_dist(log(z), "gaussian")
  expect_equal(unname(coef(ln)), unname(coef(g)))
  expect_equal(ln$loglik, g$loglik - sum(log(z)))
})

test_that("boundary estimates have zero standard errors", {
  expect_equal(fit_dist(c(0, 0, 0), "poisson")$se[["lambda"]], 0)
  expect_equal(fit_dist(c(1, 1, 1), "bernoulli")$se_expected[["prob"]], 0)
})

test_that("vcov, confint, logLik, AIC, nobs", {
  set.seed(5)
  x <- rgamma(150, shape = 3, rate = 2)
  fit <- fit_dist(x, "gamma")
  expect_equal(vcov(fit), fit$vcov)
  expect_equal(vcov(fit, type = "expected"), fit$vcov_expected)
  expect_equal(vcov(fit, type = "expected"),
               solve(fisher_information("gamma", coef(fit), n = 150)), tolerance = 1e-10)
  expect_probml_error(vcov(fit, type = "fisher"), "probml_error")
  expect_equal(nobs(fit), 150)
  expect_equal(attr(logLik(fit), "df"), 2)
  expect_equal(AIC(fit), -2 * fit$loglik + 4)
  expect_equal(BIC(fit), -2 * fit$loglik + 2 * log(150))
  expect_equal(fit$loglik, sum(dgamma(x, coef(fit)[["shape"]], coef(fit)[["rate"]], log = TRUE)))

  ci <- confint(fit)
  z <- qnorm(0.975)
  expect_equal(unname(ci[, 1]), unname(coef(fit) - z * fit$se))
  expect_equal(unname(ci[, 2]), unname(coef(fit) + z * fit$se))
  expect_equal(colnames(ci), c("2.5 %", "97.5 %"))
  ci_log <- confint(fit, "shape", level = 0.9, scale = "log", vcov = "expected")
  est <- coef(fit)[["shape"]]
  se <- fit$se_expected[["shape"]]
  expect_equal(unname(ci_log[1, ]), est * exp(c(-1, 1) * qnorm(0.95) * se / est))
  expect_equal(rownames(confint(fit, 2)), "rate")
  expect_probml_error(confint(fit, "mean"), "probml_error")
  expect_probml_error(confint(fit, scale = "logit"), "probml_error")

  # Log scale leaves real parameters on the natural scale.
  g <- fit_dist(rnorm(30), "gaussian")
  expect_equal(confint(g, "mean", scale = "log"), confint(g, "mean"))
  expect_true(all(confint(g, "sd", scale = "log") > 0))
})

test_that("print and plot run for continuous and discrete families", {
  set.seed(9)
  fits <- list(fit_dist(rweibull(80, 2, 1), "weibull"),
               fit_dist(rbeta(80, 2, 2), "beta"),
               fit_dist(rpois(80, 3), "poisson"),
               fit_dist(rbinom(40, 6, 0.4), "binomial", size = 6),
               fit_dist(rbinom(40, 1, 0.4), "bernoulli"))
  pdf(NULL)
  on.exit(dev.off())
  for (fit in fits) {
    expect_output(print(fit), fit$family)
    expect_identical(plot(fit), fit)
  }
})

test_that("a user start value is used and validated", {
  set.seed(11)
  x <- rbeta(100, 2, 3)
  a <- fit_dist(x, "beta")
  b <- fit_dist(x, "beta", start = list(shape1 = 1, shape2 = 1))
  expect_equal(coef(a), coef(b), tolerance = 1e-8)
  expect_probml_error(fit_dist(x, "beta", start = c(shape1 = -1, shape2 = 1)), "probml_error")
})

test_that("bad inputs give classed errors", {
  expect_probml_error(fit_dist(c(1, 2), "normal"), "probml_error")
  expect_probml_error(fit_dist(c(1, NA, 3), "gaussian"), "probml_error_missing")
  expect_probml_error(fit_dist("a", "gaussian"), "probml_error_type")
  expect_probml_error(fit_dist(1, "gaussian"), "probml_error_length")
  expect_probml_error(fit_dist(c(1, 2), "student_t"), "probml_error_length")
  expect_probml_error(fit_dist(c(2, 2, 2), "gaussian"), "probml_error_degenerate")
  expect_probml_error(fit_dist(c(1, -1, 3), "poisson"), "probml_error_support")
  expect_probml_error(fit_dist(c(1, 1.5, 3), "poisson"), "probml_error_support")
  expect_probml_error(fit_dist(c(1, -1, 3), "exponential"), "probml_error_support")
  expect_probml_error(fit_dist(c(1, 0, 3), "gamma"), "probml_error_support")
  expect_probml_error(fit_dist(c(0.2, 1, 0.5), "beta"), "probml_error_support")
  expect_probml_error(fit_dist(c(0, 1, 2), "bernoulli"), "probml_error_support")
  expect_probml_error(fit_dist(c(0, 3, 11), "binomial", size = 10), "probml_error_support")
  expect_probml_error(fit_dist(c(0, 3, 2.5), "binomial", size = 10), "probml_error_support")
  expect_probml_error(fit_dist(c(0, 3, 2), "binomial"), "probml_error")
  expect_probml_error(fit_dist(c(0, 3, 2), "binomial", size = 2.5), "probml_error")
  expect_probml_error(fit_dist(c(0, 3, 2), "poisson", size = 4), "probml_error")
  expect_probml_error(fit_dist(c(1, Inf), "gaussian"), "probml_error_nonfinite")
})

test_that("the core's samplers and log-likelihoods cover every family", {
  set.seed(13)
  params <- list(gaussian = c(mean = 1, sd = 2), bernoulli = c(prob = 0.3),
                 binomial = c(size = 5, prob = 0.4), poisson = c(lambda = 3),
                 exponential = c(rate = 2), gamma = c(shape = 2, rate = 3),
                 beta = c(shape1 = 2, shape2 = 3), laplace = c(location = 1, scale = 2),
                 student_t = c(location = 1, scale = 2, df = 5),
                 lognormal = c(meanlog = 0, sdlog = 0.5), weibull = c(shape = 2, scale = 3))
  for (fam in names(params)) {
    x <- draw_dist(fam, 2000, params[[fam]])
    expect_length(x, 2000)
    ll <- probml:::cpp_dist_log_density(fam, x, params[[fam]])
    expect_true(all(is.finite(ll)))
    expect_equal(dist_loglik(fam, x, params[[fam]]), sum(ll))
    expect_equal(fit_dist(x, fam, size = if (fam == "binomial") 5)$loglik,
                 dist_loglik(fam, x, c(params[[fam]][setdiff(names(params[[fam]]), names(coef(fit_dist(x, fam, size = if (fam == "binomial") 5))))],
                                       coef(fit_dist(x, fam, size = if (fam == "binomial") 5)))[names(params[[fam]])]),
                 tolerance = 1e-10)
    fit <- fit_dist(x, fam, size = if (fam == "binomial") 5)
    est <- coef(fit)
    truth <- params[[fam]][names(est)]
    expect_true(all(abs(est - truth) < 5 * fit$se), info = fam)
  }
  # The Laplace density integrates to one and has the right variance.
  f <- function(z) exp(probml:::cpp_dist_log_density("laplace", z, c(location = 1, scale = 2)))
  expect_equal(integrate(f, -Inf, Inf)$value, 1, tolerance = 1e-6)
  expect_equal(var(draw_dist("laplace", 1e5, c(location = 1, scale = 2))), 8, tolerance = 0.03)
})

test_that("fit_dist's messages", {
  expect_condition_snapshot({
    fit_dist(c(0, 3, 2), "binomial")
    fit_dist(c(0, 3, 2), "poisson", size = 4)
    fit_dist(c(1, 2, 3), "uniform")
  })
  expect_condition_snapshot(fit <- fit_dist(qnorm(ppoints(200)), "student_t"), error = FALSE)
})

test_that("plot() picks the larger of Sturges' and the Freedman-Diaconis bin counts, within 5 to 60", {
  x <- stats::qnorm(stats::ppoints(1000))
  sturges <- ceiling(log2(1000) + 1)
  fd <- ceiling(diff(range(x)) / (2 * stats::IQR(x) * 1000^(-1 / 3)))
  expect_identical(dist_fit_bins(x), as.integer(max(sturges, fd)))
  expect_gt(fd, sturges)                         # FD wins for a large sample
  expect_identical(dist_fit_bins(c(1, 2, 3, 4, 10)), 5L)                  # at least 5
  expect_identical(dist_fit_bins(stats::qcauchy(stats::ppoints(1e5))), 60L) # at most 60
  # plot() draws that many equal-width bins over the range of the data.
  br <- dist_fit_breaks(x)
  expect_length(br, dist_fit_bins(x) + 1L)
  expect_identical(range(br), range(x))
  expect_equal(diff(range(diff(br))), 0, tolerance = 1e-12)
  expect_identical(dist_fit_breaks(rep(2, 5)), "Sturges")   # no range: hist() decides
  expect_identical(dist_info("gaussian")$label, "Gaussian")    # the core's table names it
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  fit <- fit_dist(x, "gaussian")
  expect_identical(plot(fit), fit)
  expect_identical(plot(fit, breaks = 7), fit)
})
