glm_pairs <- function() {
  set.seed(11)
  n <- 80
  d <- data.frame(x = rnorm(n), g = factor(sample(letters[1:3], n, TRUE)), w = runif(n, 0.5, 2))
  d$y_gauss <- 1 + d$x + rnorm(n)
  d$y_bin <- rbinom(n, 1, plogis(0.3 + d$x))
  d$y_pois <- rpois(n, exp(0.5 + 0.4 * d$x))
  # glm's working weights are those of its last iteration, one step before
  # its estimate: started at probml's estimate, that step is ~1e-12.
  ctl <- glm.control(epsilon = 1e-14, maxit = 100)
  start <- function(fit) coef(fit)[seq_len(4)]
  gauss <- fit_mle(y_gauss ~ x + g, data = d, weights = w)
  probit <- fit_mle(y_bin ~ x + g, data = d, family = lik_bernoulli("probit"))
  pois <- fit_mle(y_pois ~ x + g, data = d, weights = w, family = lik_poisson())
  list(gaussian = list(gauss, glm(y_gauss ~ x + g, data = d, weights = w, start = start(gauss), control = ctl)),
       probit = list(probit, glm(y_bin ~ x + g, data = d, family = binomial("probit"), start = start(probit), control = ctl)),
       poisson = list(pois, glm(y_pois ~ x + g, data = d, weights = w, family = poisson(), start = start(pois), control = ctl)))
}

test_that("working weights, working residuals and leverages equal glm's", {
  for (name in names(glm_pairs())) {
    pair <- glm_pairs()[[name]]
    expect_equal(unname(weights(pair[[1]], "working")), unname(weights(pair[[2]], "working")), tolerance = 1e-8, info = name)
    expect_equal(unname(weights(pair[[1]])), unname(weights(pair[[2]])), tolerance = 1e-12, info = name)
    expect_equal(unname(probml:::working_residuals(pair[[1]])), unname(residuals(pair[[2]], "working")),
                 tolerance = 1e-8, info = name)
    expect_equal(unname(hatvalues(pair[[1]])), unname(hatvalues(pair[[2]])), tolerance = 1e-8, info = name)
  }
})

test_that("leverages leave out rows of weight zero and are NA for rows excluded, as glm's", {
  d <- transform(mtcars, w = c(0, rep(1, 31)))
  d$hp[3] <- NA
  fit <- fit_mle(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  ref <- glm(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  h <- hatvalues(fit)
  expect_identical(names(h), rownames(d)[-1])
  expect_true(is.na(h[["Datsun 710"]]))
  kept <- names(h)[!is.na(h)]
  expect_equal(h[kept], hatvalues(ref)[kept], tolerance = 1e-10)
  expect_equal(sum(hatvalues(fit), na.rm = TRUE), 3, tolerance = 1e-10)
})

test_that("leverages are refused where glm has no such concept", {
  ord <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  expect_snapshot(error = TRUE, hatvalues(ord))
  map <- fit_map(mpg ~ wt, data = mtcars, prior = prior_gaussian(1))
  expect_snapshot(error = TRUE, hatvalues(map))
  expect_snapshot(error = TRUE, weights(ord, type = "work"))
})

test_that("df.residual() and glm's dispersion equal glm's", {
  for (name in names(glm_pairs())) {
    pair <- glm_pairs()[[name]]
    expect_identical(df.residual(pair[[1]]), df.residual(pair[[2]]), info = name)
    expect_equal(probml:::glm_dispersion(pair[[1]]), summary(pair[[2]])$dispersion, tolerance = 1e-8, info = name)
  }
  d <- transform(mtcars, w = c(0, rep(1, 31)))
  expect_identical(df.residual(fit_mle(mpg ~ wt, data = d, weights = w)), df.residual(glm(mpg ~ wt, data = d, weights = w)))
})

test_that("influence(), rstandard(), rstudent() and cooks.distance() equal glm's", {
  for (name in names(glm_pairs())) {
    pair <- glm_pairs()[[name]]
    ours <- influence(pair[[1]])
    ref <- influence(pair[[2]])
    for (k in c("hat", "coefficients", "sigma", "dev.res", "pear.res")) {
      expect_equal(unname(ours[[k]]), unname(ref[[k]]), tolerance = 1e-8, info = paste(name, k))
    }
    expect_identical(dimnames(ours$coefficients), dimnames(ref$coefficients))
    expect_null(influence(pair[[1]], do.coef = FALSE)$coefficients)
    expect_equal(rstandard(pair[[1]]), rstandard(pair[[2]]), tolerance = 1e-8, info = name)
    expect_equal(rstandard(pair[[1]], type = "pearson"), rstandard(pair[[2]], type = "pearson"), tolerance = 1e-8, info = name)
    expect_equal(rstudent(pair[[1]]), rstudent(pair[[2]]), tolerance = 1e-8, info = name)
    expect_equal(cooks.distance(pair[[1]]), cooks.distance(pair[[2]]), tolerance = 1e-8, info = name)
    expect_equal(unname(residuals(pair[[1]], "pearson")), unname(residuals(pair[[2]], "pearson")), tolerance = 1e-8, info = name)
    expect_equal(unname(residuals(pair[[1]], "working")), unname(residuals(pair[[2]], "working")), tolerance = 1e-8, info = name)
  }
})

test_that("influence measures pad excluded rows and leave out rows of weight zero, as glm's", {
  d <- transform(mtcars, w = c(0, rep(1, 31)))
  d$hp[3] <- NA
  fit <- fit_mle(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  ref <- glm(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  ours <- influence(fit)
  # summary.glm() warns that the row of weight zero is left out of the dispersion
  glm_rstandard <- suppressWarnings(rstandard(ref))
  glm_rstudent <- suppressWarnings(rstudent(ref))
  glm_cooks <- suppressWarnings(cooks.distance(ref))
  theirs <- influence(ref)
  for (k in c("hat", "coefficients", "sigma", "dev.res", "pear.res")) {
    expect_equal(ours[[k]], theirs[[k]], tolerance = 1e-8, info = k)
  }
  expect_equal(rstandard(fit), glm_rstandard, tolerance = 1e-8)
  expect_equal(rstudent(fit), glm_rstudent, tolerance = 1e-8)
  expect_equal(cooks.distance(fit), glm_cooks, tolerance = 1e-8)
})

test_that("influence measures are refused where glm has no such concept", {
  ord <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  map <- fit_map(mpg ~ wt, data = mtcars, prior = prior_gaussian(1))
  expect_snapshot(error = TRUE, influence(map))
  expect_snapshot(error = TRUE, cooks.distance(ord))
  expect_probml_error(rstandard(ord), "probml_error_unsupported")
  expect_probml_error(rstudent(map), "probml_error_unsupported")
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  expect_snapshot(error = TRUE, rstandard(fit, type = "response"))
  expect_snapshot(error = TRUE, influence(fit, do.coef = NA))
  expect_snapshot(error = TRUE, rstudent(fit, type = "deviance"))
  expect_snapshot(error = TRUE, cooks.distance(fit, infl = hatvalues(fit)))
  # influence() computed once and reused, as with the glm methods
  infl <- influence(fit, do.coef = FALSE)
  expect_identical(rstandard(fit, infl = infl, type = "pearson"), rstandard(fit, type = "pearson"))
  expect_identical(rstudent(fit, infl), rstudent(fit))
  expect_identical(cooks.distance(fit, infl = infl), cooks.distance(fit))
})

test_that("plot() draws the diagnostic panels for every family", {
  pdf(NULL)
  on.exit(dev.off())
  set.seed(3)
  d <- transform(MASS::Pima.tr, w = c(0, rep(1, 199)))
  fits <- list(
    gaussian = fit_mle(mpg ~ wt + hp, data = mtcars),
    weighted = fit_mle(glu ~ bmi, data = d, weights = w),
    probit = fit_mle(type ~ glu + bmi, data = d, family = lik_bernoulli("probit")),
    poisson = fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson()),
    student_t = fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t(4)),
    ordinal = fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal()),
    categorical = fit_mle(Species ~ Sepal.Length, data = iris, family = lik_categorical()),
    hetero = fit_mle(mpg ~ wt | wt, data = mtcars, family = lik_gaussian_hetero()),
    map = fit_map(mpg ~ wt, data = mtcars, prior = prior_gaussian(1)))
  for (name in names(fits)) {
    fit <- fits[[name]]
    expect_identical(plot(fit), fit, info = name)
    expect_silent(plot(fit, which = 2, id.n = 0, add.smooth = FALSE))
  }
  expect_silent(plot(fits$poisson, which = 1:5, ask = FALSE))
  expect_silent(plot(fits$gaussian, which = 4, labels.id = rownames(mtcars)))
  mt <- mtcars
  mt$hp[2] <- NA
  expect_silent(plot(fit_mle(mpg ~ wt + hp, data = mt, na.action = na.exclude), which = 1:5))
})

test_that("plot() refuses panels it cannot draw", {
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  expect_snapshot(error = TRUE, plot(fit, which = 7))
  expect_snapshot(error = TRUE, plot(fit, which = "qq"))
  ord <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  expect_snapshot(error = TRUE, plot(ord, which = 5))
  expect_snapshot(error = TRUE, plot(fit, labels.id = letters))
  expect_probml_error(plot(fit, id.n = -1), "probml_error")
})

test_that("a glm diagnostics workflow runs unchanged with fit_mle() in place of glm()", {
  run <- function(fitter, ...) {
    fit <- fitter(Days ~ Eth + Sex + Age + Lrn, data = MASS::quine, family = poisson(), ...)
    pdf(NULL)
    on.exit(dev.off())
    plot(fit, which = c(1, 2, 3, 5))
    set.seed(4)
    list(
      deviance = residuals(fit), pearson = residuals(fit, type = "pearson"),
      working = residuals(fit, type = "working"), response = residuals(fit, type = "response"),
      hat = hatvalues(fit), cooks = cooks.distance(fit), std = rstandard(fit),
      std_pearson = rstandard(fit, type = "pearson"), student = rstudent(fit),
      infl = influence(fit)[c("hat", "coefficients", "sigma", "dev.res", "pear.res")],
      weights = weights(fit, type = "working"),
      tidy = if (requireNamespace("broom", quietly = TRUE)) as.data.frame(broom::tidy(fit)[, 2:5]),
      glance = if (requireNamespace("broom", quietly = TRUE)) unlist(broom::glance(fit)),
      augment = if (requireNamespace("broom", quietly = TRUE)) as.data.frame(broom::augment(fit))[, c(".fitted", ".resid", ".hat", ".sigma", ".cooksd", ".std.resid")]
    )
  }
  ours <- run(fit_mle)
  theirs <- run(glm, control = glm.control(epsilon = 1e-14, maxit = 100))
  for (nm in names(theirs)) expect_equal(ours[[nm]], theirs[[nm]], tolerance = 1e-8, ignore_attr = TRUE, label = nm)
})
