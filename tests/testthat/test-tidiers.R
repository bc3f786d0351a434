# glm's standard errors use the working weights of its last iteration, one
# step before its estimate: started at probml's estimate, that step is ~1e-12.
tidier_pairs <- function() {
  ctl <- glm.control(epsilon = 1e-14, maxit = 100)
  pima <- MASS::Pima.tr
  logit <- fit_mle(type ~ glu + bmi, data = pima, family = lik_bernoulli())
  pois <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  list(
    logit = list(logit, glm(type ~ glu + bmi, data = pima, family = binomial(), start = coef(logit), control = ctl)),
    poisson = list(pois, glm(breaks ~ wool + tension, data = warpbreaks, family = poisson(), start = coef(pois),
                             control = ctl)))
}

test_that("tidy() equals broom's glm tidier (canonical links, whose observed and expected information agree)", {
  skip_if_not_installed("broom")
  for (name in names(tidier_pairs())) {
    pair <- tidier_pairs()[[name]]
    for (expo in c(FALSE, TRUE)) {
      ours <- broom::tidy(pair[[1]], conf.int = TRUE, conf.level = 0.9, exponentiate = expo)
      ref <- broom::tidy(pair[[2]], exponentiate = expo)
      expect_s3_class(ours, "tbl_df")
      expect_identical(names(ours), c("term", "estimate", "std.error", "statistic", "p.value", "conf.low", "conf.high"))
      expect_identical(ours$term, ref$term)
      for (k in c("estimate", "std.error", "statistic", "p.value")) {
        expect_equal(ours[[k]], ref[[k]], tolerance = 1e-8, info = paste(name, k, expo))
      }
      # Wald limits (broom's glm limits are profile ones)
      lims <- confint.default(pair[[2]], level = 0.9)
      if (expo) lims <- exp(lims)
      expect_equal(ours$conf.low, unname(lims[, 1]), tolerance = 1e-8)
      expect_equal(ours$conf.high, unname(lims[, 2]), tolerance = 1e-8)
    }
  }
})

test_that("tidy() passes its options to summary() and keeps auxiliary parameters", {
  skip_if_not_installed("generics")
  pima <- MASS::Pima.tr
  fit <- fit_mle(type ~ glu + bmi, data = pima, family = lik_bernoulli("probit"))
  ref <- glm(type ~ glu + bmi, data = pima, family = binomial("probit"), start = coef(fit),
             control = glm.control(epsilon = 1e-14, maxit = 100))
  td <- generics::tidy(fit, vcov = "expected")
  expect_equal(td$std.error, unname(summary(ref)$coefficients[, 2]), tolerance = 1e-8)
  expect_equal(td$p.value, unname(summary(ref)$coefficients[, 4]), tolerance = 1e-8)
  gauss <- generics::tidy(fit_mle(mpg ~ wt, data = mtcars))
  expect_identical(gauss$term, c("(Intercept)", "wt", "log(sigma)"))
  expect_snapshot(error = TRUE, generics::tidy(fit, conf.level = 95))
  expect_snapshot(error = TRUE, generics::tidy(fit, vcv = "expected"))
  expect_snapshot(error = TRUE, generics::tidy(fit, exponentiate = "yes"))
})

test_that("glance() equals broom's glm glance", {
  skip_if_not_installed("broom")
  for (name in names(tidier_pairs())) {
    pair <- tidier_pairs()[[name]]
    ours <- generics::glance(pair[[1]])
    ref <- broom::glance(pair[[2]])
    expect_identical(names(ours), names(ref))
    for (k in names(ref)) expect_equal(as.numeric(ours[[k]]), as.numeric(ref[[k]]), tolerance = 1e-8, info = paste(name, k))
  }
  expect_snapshot(error = TRUE, generics::glance(tidier_pairs()$logit[[1]], extra = 1))
})

test_that("augment() equals broom's glm augment", {
  skip_if_not_installed("broom")
  for (name in names(tidier_pairs())) {
    pair <- tidier_pairs()[[name]]
    for (tp in c("link", "response")) {
      ours <- generics::augment(pair[[1]], type.predict = tp, se_fit = TRUE)
      ref <- broom::augment(pair[[2]], type.predict = tp, se_fit = TRUE)
      expect_setequal(names(ours), names(ref))
      for (k in c(".fitted", ".resid", ".hat", ".sigma", ".cooksd", ".std.resid")) {
        expect_equal(ours[[k]], ref[[k]], tolerance = 1e-8, info = paste(name, tp, k))
      }
      expect_equal(ours$.se.fit, ref$.se.fit, tolerance = 1e-6)
    }
    ours <- generics::augment(pair[[1]], type.residuals = "pearson")
    ref <- broom::augment(pair[[2]], type.residuals = "pearson")
    expect_equal(ours$.resid, ref$.resid, tolerance = 1e-8)
    expect_equal(ours$.std.resid, ref$.std.resid, tolerance = 1e-8)  # deviance ones, as broom's
    nd <- pair[[1]]$model[1:5, -1, drop = FALSE]
    ours <- generics::augment(pair[[1]], newdata = nd, type.predict = "response")
    expect_equal(ours$.fitted, unname(predict(pair[[2]], nd, type = "response")), tolerance = 1e-8)
  }
})

test_that("augment() keeps the data's rows: weights of zero and excluded rows are NA", {
  skip_if_not_installed("generics")
  d <- transform(mtcars, w = c(0, rep(1, 31)))
  d$hp[3] <- NA
  fit <- fit_mle(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  ref <- glm(mpg ~ wt + hp, data = d, weights = w, na.action = na.exclude)
  au <- generics::augment(fit, data = d)
  expect_identical(nrow(au), nrow(d))
  expect_true(is.na(au$.hat[1]) && is.na(au$.hat[3]) && is.na(au$.fitted[3]))
  kept <- -c(1, 3)
  expect_equal(au$.hat[kept], unname(hatvalues(ref)[rownames(d)[kept]]), tolerance = 1e-8)
  expect_equal(au$.cooksd[kept], unname(suppressWarnings(cooks.distance(ref))[rownames(d)[kept]]), tolerance = 1e-8)
  expect_equal(au$.std.resid[kept], unname(suppressWarnings(rstandard(ref))[rownames(d)[kept]]), tolerance = 1e-8)
  expect_equal(au$.fitted, unname(fitted(ref)), tolerance = 1e-8)
  # families without leverages: the fitted values and residuals, one column per class
  ord <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  au <- generics::augment(ord, type.predict = "prob")
  expect_identical(grep("^\\.", names(au), value = TRUE), c(".fitted_Low", ".fitted_Medium", ".fitted_High", ".resid"))
  expect_snapshot(error = TRUE, generics::augment(fit, data = d[1:5, ]))
  expect_snapshot(error = TRUE, generics::augment(fit, data = d, newdata = d))
  expect_snapshot(error = TRUE, generics::augment(fit, type.residuals = "studentized"))
  expect_snapshot(error = TRUE, generics::augment(fit, data = as.matrix(d)))
})

test_that("results holding a table convert to data frames", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  s <- summary(fit)
  df <- as.data.frame(s)
  expect_identical(class(df), "data.frame")
  expect_identical(rownames(df), rownames(s$coefficients))
  expect_identical(names(df), colnames(s$coefficients))
  expect_equal(as.matrix(df), s$coefficients)
  set.seed(1)
  y <- rbinom(200, 1, 0.4)
  cc <- cal_curve(y, runif(200), bins = 5)
  expect_identical(as.data.frame(cc), cc$table)
  cv <- cv_map(type ~ glu + bmi + age, data = MASS::Pima.tr, family = lik_bernoulli(), prior = prior_laplace(), folds = 3, seed = 1)
  cdf <- as.data.frame(cv)
  expect_identical(names(cdf), c("lambda", "scale", "cvm", "cvsd", "df"))
  expect_equal(cdf$cvm, cv$cvm)
  expect_equal(cdf$scale, as.data.frame(cv$path)$scale[seq_along(cv$lambda)])
  st <- simulate_estimator("mean", "gaussian", c(mean = 0, sd = 1), n = c(10, 20), reps = 50, seed = 1)
  expect_identical(as.data.frame(st, row.names = c("a", "b"))$mse, st$summary$mse)
  expect_identical(rownames(as.data.frame(st, row.names = c("a", "b"))), c("a", "b"))
  expect_snapshot(error = TRUE, as.data.frame(s, stringsAsFactors = TRUE))
})

test_that("augment() of a fit without a model frame needs the data", {
  skip_if_not_installed("generics")
  fit <- fit_mle_xy(cbind(1, mtcars$wt), mtcars$mpg)
  expect_snapshot(error = TRUE, generics::augment(fit))
  au <- generics::augment(fit, data = mtcars["wt"])
  expect_equal(au$.fitted, unname(fitted(fit)))
})
