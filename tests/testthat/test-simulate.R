test_that("simulate() makes glm's draws for the Poisson and Bernoulli families", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  ref <- glm(breaks ~ wool + tension, data = warpbreaks, family = poisson())
  ours <- simulate(fit, nsim = 3, seed = 1)
  theirs <- simulate(ref, nsim = 3, seed = 1)
  expect_identical(names(ours), c("sim_1", "sim_2", "sim_3"))
  expect_identical(unname(as.list(ours)), unname(as.list(theirs)))
  expect_identical(attr(ours, "seed"), attr(theirs, "seed"))
  # a two-level factor response gives factor columns, as glm's
  pima <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
  pima_ref <- glm(type ~ glu + bmi, data = MASS::Pima.tr, family = binomial())
  ours <- simulate(pima, nsim = 2, seed = 3)
  theirs <- simulate(pima_ref, nsim = 2, seed = 3)
  expect_s3_class(ours$sim_1, "factor")
  expect_identical(unname(as.list(ours)), unname(as.list(theirs)))
  # 0/1 data give 0/1 draws
  d <- data.frame(y = as.integer(MASS::Pima.tr$type == "Yes"), glu = MASS::Pima.tr$glu)
  ours <- simulate(fit_mle(y ~ glu, data = d, family = lik_bernoulli()), 2, seed = 4)
  theirs <- simulate(glm(y ~ glu, data = d, family = binomial()), 2, seed = 4)
  expect_equal(unname(as.list(ours)), unname(as.list(theirs)))
})

test_that("Gaussian draws are glm's standard normals scaled by the ML sigma", {
  fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
  ref <- glm(mpg ~ wt + hp, data = mtcars)
  ours <- as.matrix(simulate(fit, nsim = 2, seed = 5)) - fitted(fit)
  theirs <- as.matrix(simulate(ref, nsim = 2, seed = 5)) - fitted(ref)
  ratio <- sigma(fit) / sigma(fit, unbiased = TRUE)
  expect_lt(max(abs(ours - theirs * ratio)), 1e-10)
})

test_that("simulate() follows simulate.lm's seeding", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  set.seed(10)
  a <- simulate(fit, 2)
  set.seed(10)
  b <- simulate(fit, 2)
  expect_identical(a, b)
  set.seed(10)
  expect_identical(attr(a, "seed"), .Random.seed)
  # a seed leaves the global generator as it was
  set.seed(11)
  before <- .Random.seed
  s <- simulate(fit, seed = 99)
  expect_identical(.Random.seed, before)
  expect_identical(attr(s, "seed"), structure(99, kind = as.list(RNGkind())))
  expect_identical(simulate(fit, seed = 99), s)
  # rows omitted with na.exclude come back as NA
  aq <- airquality[1:40, ]
  ex <- fit_mle(Ozone ~ Wind, data = aq, family = lik_gaussian(), na.action = na.exclude)
  sims <- simulate(ex, 2, seed = 1)
  expect_identical(nrow(sims), nrow(aq))
  expect_identical(is.na(sims$sim_1), is.na(aq$Ozone))
})

test_that("draws of every family have the fitted moments", {
  set.seed(1)
  n <- 30
  x <- rnorm(n)
  d <- data.frame(x = x, y_norm = 1 + x + rnorm(n), y_count = rpois(n, exp(1 + 0.3 * x)),
                  y_unit = plogis(0.3 * x + rnorm(n, sd = 0.5)), z = rnorm(n))
  fits <- list(
    fit_mle(y_norm ~ x, data = d),
    fit_mle(y_norm ~ x | z, data = d, family = lik_gaussian_hetero()),
    fit_mle(y_norm ~ x, data = d, family = lik_laplace()),
    fit_mle(y_count ~ x, data = d, family = lik_poisson()),
    fit_mle(y_unit ~ x, data = d, family = lik_beta()),
    fit_mle(y_norm ~ x, data = d, family = lik_student_t(5)),
    fit_mle(y_norm ~ x, data = d, family = lik_huber(1))
  )
  nsim <- 4000
  for (fit in fits) {
    m <- probml:::family_moments(fit)
    mu <- m$mean[, 1]
    v <- rep(m$variance, length.out = n)
    expect_true(all(is.finite(v)))
    sims <- as.matrix(simulate(fit, nsim, seed = 2))
    z <- (sims - mu) / sqrt(v)
    # pooled over rows: mean 0 and variance 1, to a few standard errors
    expect_lt(abs(mean(z)), 4 / sqrt(length(z)))
    expect_lt(abs(var(as.vector(z)) - 1), 0.05)
    # row by row, the means
    expect_lt(max(abs(rowMeans(sims) - mu) / sqrt(v / nsim)), 4.5)
  }
})

test_that("Student t and Huber draws have the families' distributions", {
  fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t(3))
  z <- (as.matrix(simulate(fit, 200, seed = 3)) - fitted(fit)) / sigma(fit)
  expect_gt(suppressWarnings(ks.test(as.vector(z), "pt", df = 3))$p.value, 0.001)
  # estimated df: the scale and df from the coefficients
  est <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t())
  df <- exp(coef(est)[["log(df)"]])
  z <- (as.matrix(simulate(est, 200, seed = 3)) - fitted(est)) / sigma(est)
  expect_gt(suppressWarnings(ks.test(as.vector(z), "pt", df = df))$p.value, 0.001)
  # Huber: its cdf by integrating the family's density
  hub <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_huber(1.2))
  dens <- function(u) exp(-family_nll(lik_huber(1.2), u, numeric(length(u)), aux = 0, reduce = "none"))
  cdf <- function(q) vapply(q, function(v) integrate(dens, -Inf, v)$value, 1)
  z <- (as.matrix(simulate(hub, 100, seed = 4)) - fitted(hub)) / sigma(hub)
  expect_gt(ks.test(as.vector(z), cdf)$p.value, 0.001)
})

test_that("class families draw classes from the fitted probabilities", {
  housing <- MASS::housing
  fit <- fit_mle(Sat ~ Infl + Type, data = housing, weights = Freq, family = lik_ordinal())
  sims <- simulate(fit, 3000, seed = 5)
  expect_s3_class(sims$sim_1, "ordered")
  expect_identical(levels(sims$sim_1), levels(housing$Sat))
  P <- fitted(fit)
  freq <- t(vapply(seq_len(nrow(P)), function(i) tabulate(as.integer(unlist(sims[i, ])), 3) / 3000, numeric(3)))
  expect_lt(max(abs(freq - P) / sqrt(P * (1 - P) / 3000)), 4.5)
  cat_fit <- fit_mle(Species ~ Sepal.Length, data = iris, family = lik_categorical())
  sims <- simulate(cat_fit, 2000, seed = 6)
  expect_false(is.ordered(sims$sim_1))
  P <- fitted(cat_fit)
  freq <- t(vapply(seq_len(nrow(P)), function(i) tabulate(as.integer(unlist(sims[i, ])), 3) / 2000, numeric(3)))
  ok <- P > 0.01
  expect_lt(max((abs(freq - P) / sqrt(P * (1 - P) / 2000))[ok]), 4.5)
})

test_that("simulate()'s messages", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_condition_snapshot({
    simulate(fit, nsim = 0)
    simulate(fit, seed = "a")
    simulate(fit, nsims = 2)
    simulate(fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t(0.5)))
  })
})

test_that("simulate() of a grouped binomial fit draws counts of the trials, as glm", {
  fit <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph, family = binomial())
  ref <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph, family = binomial(),
             control = glm.control(epsilon = 1e-16, maxit = 100))
  ours <- simulate(fit, nsim = 3, seed = 7)
  theirs <- simulate(ref, nsim = 3, seed = 7)
  for (j in 1:3) expect_equal(unname(ours[[j]]), unname(theirs[[j]]), tolerance = 1e-12)
  expect_identical(colnames(ours$sim_1), c("ncases", "ncontrols"))
  expect_equal(rowSums(ours$sim_2), esoph$ncases + esoph$ncontrols)
  # A proportion with weights = trials is simulated as a proportion.
  prop <- fit_mle(ncases / (ncases + ncontrols) ~ agegp + alcgp, data = esoph, weights = ncases + ncontrols,
                  family = binomial())
  expect_equal(simulate(prop, seed = 7)$sim_1, ours$sim_1[, 1] / (esoph$ncases + esoph$ncontrols))
})
