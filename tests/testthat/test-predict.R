test_that("predict matches glm for link and response, with standard errors", {
  pima <- MASS::Pima.tr
  fit <- fit_mle(type ~ glu + bmi + age, data = pima, family = lik_bernoulli("probit"))
  ref <- glm(type ~ glu + bmi + age, data = pima, family = binomial("probit"),
             control = glm.control(epsilon = 1e-14))
  nd <- MASS::Pima.te[1:20, ]
  for (type in c("link", "response")) {
    ours <- predict(fit, nd, type = type, se.fit = TRUE)
    theirs <- predict(ref, nd, type = type, se.fit = TRUE)
    expect_equal(unname(ours$fit), unname(theirs$fit), tolerance = 1e-7)
    # glm's standard errors use the expected information.
    expect_equal(unname(ours$se.fit), unname(theirs$se.fit), tolerance = 0.05)
  }
  expect_equal(predict(fit, nd, type = "prob"), predict(fit, nd, type = "response"))
  cls <- predict(fit, nd, type = "class")
  expect_s3_class(cls, "factor")
  expect_identical(levels(cls), levels(pima$type))
  expect_identical(as.character(cls), unname(ifelse(predict(ref, nd, type = "response") > 0.5, "Yes", "No")))
})

test_that("predict without newdata gives the fitted values; the link se is exact", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_equal(predict(fit, type = "response"), fitted(fit))
  se <- predict(fit, se.fit = TRUE)$se.fit
  X <- model.matrix(~ wool + tension, warpbreaks)
  expect_equal(unname(se), unname(sqrt(rowSums((X %*% vcov(fit)) * X))), tolerance = 1e-7)
})

test_that("predict handles categorical, ordinal and heteroscedastic fits", {
  fit <- fit_mle(Sat ~ Infl + Type + Cont, data = MASS::housing, weights = Freq, family = lik_ordinal())
  nd <- MASS::housing[c(1, 30, 60), c("Infl", "Type", "Cont")]
  p <- predict(fit, nd, type = "prob")
  ref <- MASS::polr(Sat ~ Infl + Type + Cont, data = MASS::housing, weights = Freq)
  expect_equal(unname(p), unname(predict(ref, nd, type = "probs")), tolerance = 1e-5)
  expect_equal(rowSums(p), rep(1, 3), ignore_attr = TRUE)
  cls <- predict(fit, nd, type = "class")
  expect_true(is.ordered(cls))
  expect_identical(as.character(cls), as.character(predict(ref, nd, type = "class")))
  sp <- predict(fit, nd, type = "prob", se.fit = TRUE)
  expect_identical(dim(sp$se.fit), c(3L, 3L))
  expect_true(all(sp$se.fit > 0))

  fc <- fit_mle(Sat ~ Infl + Type, data = MASS::housing, weights = Freq, family = lik_categorical())
  expect_identical(colnames(predict(fc, nd, type = "link")), c("Medium", "High"))
  expect_identical(colnames(predict(fc, nd, type = "prob")), c("Low", "Medium", "High"))

  fh <- fit_mle(accel ~ poly(times, 4) | times, data = MASS::mcycle, family = lik_gaussian_hetero())
  nd <- data.frame(times = c(5, 20, 40))
  lp <- predict(fh, nd, type = "link")
  expect_identical(colnames(lp), c("mean", "logvar"))
  # poly() must be rebuilt with the training basis
  expect_equal(unname(predict(fh, MASS::mcycle[1:5, ], type = "response")), unname(fitted(fh)[1:5]), tolerance = 1e-10)
})

test_that("predict keeps rows with missing values as NA and refuses bad newdata", {
  fit <- fit_mle(Sat ~ Infl + Type, data = MASS::housing, weights = Freq, family = lik_ordinal())
  nd <- data.frame(Infl = c("Low", NA, "High"), Type = c("Tower", "Tower", "Atrium"))
  p <- predict(fit, nd, type = "prob")
  expect_true(all(is.na(p[2, ])))
  expect_false(anyNA(p[c(1, 3), ]))
  expect_probml_error(predict(fit, data.frame(Infl = "Huge", Type = "Tower")), "probml_error")
  expect_probml_error(predict(fit, data.frame(Infl = "Low")), "probml_error_newdata")
  expect_probml_error(predict(fit, "a"), "probml_error_type")
  expect_probml_error(predict(fit, nd, type = "median"), "probml_error")
  expect_probml_error(predict(fit, nd, type = "class", se.fit = TRUE), "probml_error")
  fg <- fit_mle(mpg ~ wt, data = mtcars)
  expect_probml_error(predict(fg, mtcars, type = "prob"), "probml_error")
  expect_probml_error(predict(fg, mtcars, type = "class"), "probml_error")
  X <- cbind(1, mtcars$wt)
  fx <- fit_mle_xy(X, mtcars$mpg)
  expect_probml_error(predict(fx, cbind(1, 2, 3)), "probml_error_newdata")
  expect_probml_error(predict(fx, data.frame(a = 1, b = 2)), "probml_error")
  expect_probml_error(predict(fx, matrix("a", 1, 2)), "probml_error")
})

test_that("formula fits drop NA rows and pad with na.exclude", {
  d <- mtcars
  d$wt[3] <- NA
  fit <- fit_mle(mpg ~ wt, data = d, na.action = na.exclude)
  expect_equal(nobs(fit), 31)
  expect_true(is.na(fitted(fit)[3]))
  expect_length(residuals(fit), 32)
  fit <- fit_mle(mpg ~ wt, data = d)
  expect_length(residuals(fit), 31)
})

test_that("predict's messages", {
  fit <- fit_mle(mpg ~ wt + offset(log(hp)), data = mtcars)
  fit_off <- fit_mle(mpg ~ wt, data = mtcars, offset = log(hp))
  hetero <- fit_mle_xy(cbind(1, mtcars$wt), mtcars$mpg, family = lik_gaussian_hetero())
  ord <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  expect_condition_snapshot({
    predict(fit, type = "class")
    predict(ord, type = "class", se.fit = TRUE)
    predict(fit, "a")
    predict(fit, data.frame(wt = 3))
    predict(fit, data.frame(wt = c("a", "b"), hp = 100))
    predict(ord, data.frame(Infl = "Huge"))
    predict(fit_off, data.frame(wt = 3))
    predict(fit_mle(mpg ~ wt, data = mtcars, offset = rep(1, 32)), data.frame(wt = 3))
    predict(fit_mle(mpg ~ wt, data = mtcars, offset = hp / 100), data.frame(wt = 3, hp = "100"))
    predict(fit_mle(mpg ~ wt, data = mtcars, offset = hp), data.frame(wt = 3, hp = "100"))
    predict(ord, data.frame(Infl = factor("Huge")))
    predict(hetero, cbind(1, 3))
    predict(hetero, list(x = cbind(1, 3, 4)))
  })
})

test_that("newdata of the wrong type is refused, never predicted from", {
  f <- fit_mle(mpg ~ wt, mtcars)
  expect_error(predict(f, data.frame(wt = as.character(mtcars$wt[1:3]))), class = "probml_error_newdata")
  expect_error(predict(f, data.frame(wt = factor(mtcars$wt[1:3]))), class = "probml_error_newdata")
  # glm refuses the same inputs.
  g <- glm(mpg ~ wt, data = mtcars)
  expect_error(predict(g, data.frame(wt = as.character(mtcars$wt[1:3]))))
})

test_that("predict() without newdata honours the fit's na.exclude, as fitted() does", {
  mt <- mtcars
  mt$mpg[3] <- NA
  fit <- fit_mle(mpg ~ wt, mt, na.action = na.exclude)
  ref <- glm(mpg ~ wt, data = mt, na.action = na.exclude)
  expect_length(predict(fit), 32)
  expect_true(is.na(predict(fit)[3]))
  expect_equal(unname(predict(fit)), unname(predict(ref)), tolerance = 1e-10)
  expect_equal(unname(predict(fit, se.fit = TRUE)$fit), unname(predict(ref)), tolerance = 1e-10)
  expect_length(fitted(fit), 32)
  expect_length(residuals(fit), 32)
})

test_that("Gaussian intervals are predict.lm's", {
  fit <- fit_mle(mpg ~ wt + factor(cyl), data = mtcars)
  ref <- lm(mpg ~ wt + factor(cyl), data = mtcars)
  nd <- data.frame(wt = c(2, 3.2, 4.5), cyl = c(4, 6, 8))
  for (interval in c("confidence", "prediction")) {
    for (level in c(0.9, 0.95)) {
      ours <- predict(fit, nd, interval = interval, level = level)
      theirs <- predict(ref, nd, interval = interval, level = level)
      expect_identical(colnames(ours), c("fit", "lwr", "upr"))
      expect_equal(unname(ours), unname(theirs), tolerance = 1e-8)
    }
  }
  # on the fitted data (predict.lm warns that these refer to future responses)
  expect_equal(unname(predict(fit, interval = "confidence")), unname(predict(ref, interval = "confidence")), tolerance = 1e-8)
  theirs <- suppressWarnings(predict(ref, interval = "prediction"))
  expect_equal(unname(predict(fit, interval = "prediction")), unname(theirs), tolerance = 1e-8)
  # a known sigma: normal quantiles and sigma^2
  known <- fit_mle(mpg ~ wt, data = mtcars, family = lik_gaussian(sigma = 3))
  p <- predict(known, nd, interval = "prediction", se.fit = TRUE)
  expect_equal(p$fit[, "upr"] - p$fit[, "fit"], qnorm(0.975) * sqrt(p$se.fit^2 + 9), tolerance = 1e-12)
})

test_that("confidence intervals are formed on the link scale, as for glm", {
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  cases <- list(
    list(fit = fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson()),
         ref = glm(breaks ~ wool + tension, data = warpbreaks, family = poisson(), control = tight),
         nd = data.frame(wool = c("A", "B"), tension = c("L", "H"))),
    list(fit = fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli()),
         ref = glm(type ~ glu + bmi, data = MASS::Pima.tr, family = binomial(), control = tight),
         nd = data.frame(glu = c(90, 150), bmi = c(25, 35)))
  )
  for (case in cases) {
    p <- predict(case$ref, case$nd, se.fit = TRUE)
    z <- qnorm(0.95)
    link <- predict(case$fit, case$nd, interval = "confidence", level = 0.9)
    expect_equal(unname(link), unname(cbind(p$fit, p$fit - z * p$se.fit, p$fit + z * p$se.fit)), tolerance = 1e-6)
    resp <- predict(case$fit, case$nd, type = "response", interval = "confidence", level = 0.9)
    expect_equal(unname(resp), unname(family(case$ref)$linkinv(link)), tolerance = 1e-12)
    expect_equal(unname(resp[, "fit"]), unname(predict(case$ref, case$nd, type = "response")), tolerance = 1e-8)
  }
  # a non-canonical link: the standard errors are the fit's (observed information)
  probit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli("probit"))
  nd <- data.frame(glu = c(90, 150), bmi = c(25, 35))
  p <- predict(probit, nd, se.fit = TRUE)
  ci <- predict(probit, nd, type = "response", interval = "confidence")
  expect_equal(unname(ci), unname(pnorm(cbind(p$fit, p$fit - qnorm(0.975) * p$se.fit, p$fit + qnorm(0.975) * p$se.fit))),
               tolerance = 1e-12)
})

test_that("prediction intervals are the fitted likelihood's quantiles", {
  counts <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  nd <- data.frame(wool = c("A", "B"), tension = c("L", "H"))
  mu <- predict(counts, nd, type = "response")
  p <- predict(counts, nd, type = "response", interval = "prediction", level = 0.8)
  expect_identical(unname(p[, "lwr"]), qpois(0.1, mu))
  expect_identical(unname(p[, "upr"]), qpois(0.9, mu))
  # beta: the mean and precision phi
  set.seed(2)
  d <- data.frame(x = rnorm(60))
  d$y <- rbeta(60, 4 * plogis(d$x), 4 * (1 - plogis(d$x)))
  beta <- fit_mle(y ~ x, data = d, family = lik_beta())
  m <- predict(beta, data.frame(x = c(-1, 1)), type = "response")
  phi <- exp(coef(beta)[["log(phi)"]])
  p <- predict(beta, data.frame(x = c(-1, 1)), type = "response", interval = "prediction")
  expect_equal(unname(p[, "lwr"]), qbeta(0.025, m * phi, (1 - m) * phi), tolerance = 1e-10)
  expect_equal(unname(p[, "upr"]), qbeta(0.975, m * phi, (1 - m) * phi), tolerance = 1e-10)
  # Laplace: location and scale b
  lap <- fit_mle(stack.loss ~ Air.Flow, data = stackloss, family = lik_laplace())
  b <- sigma(lap)
  loc <- predict(lap, data.frame(Air.Flow = 60))
  p <- predict(lap, data.frame(Air.Flow = 60), interval = "prediction", level = 0.9)
  expect_equal(unname(p[, c("lwr", "upr")]), loc + c(b * log(2 * 0.05), -b * log(2 * 0.05)), tolerance = 1e-10)
  # heteroscedastic Gaussian: each row's own variance
  het <- fit_mle(mpg ~ wt | hp, data = mtcars, family = lik_gaussian_hetero())
  nd <- data.frame(wt = c(2, 4), hp = c(80, 250))
  U <- predict(het, nd)
  p <- predict(het, nd, type = "response", interval = "prediction")
  expect_equal(unname(p[, "upr"]), U[, 1] + qnorm(0.975) * exp(U[, 2] / 2), tolerance = 1e-10)
  ci <- predict(het, nd, type = "response", interval = "confidence", se.fit = TRUE)
  expect_equal(unname(ci$fit[, "lwr"]), U[, 1] - qnorm(0.975) * ci$se.fit, tolerance = 1e-12)
})

test_that("type = \"terms\" is predict.glm's", {
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  fit <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
  ref <- glm(breaks ~ wool * tension, data = warpbreaks, family = poisson(), control = tight)
  nd <- data.frame(wool = c("A", "B", "B"), tension = c("L", "M", "H"))
  for (args in list(list(), list(newdata = nd))) {
    ours <- do.call(predict, c(list(fit, type = "terms", se.fit = TRUE), args))
    theirs <- do.call(predict, c(list(ref, type = "terms", se.fit = TRUE), args))
    expect_equal(unname(ours$fit), unname(theirs$fit), tolerance = 1e-8, ignore_attr = TRUE)
    expect_identical(colnames(ours$fit), colnames(theirs$fit))
    expect_equal(attr(ours$fit, "constant"), attr(theirs$fit, "constant"), tolerance = 1e-8)
    expect_equal(unname(ours$se.fit), unname(theirs$se.fit), tolerance = 1e-6)
  }
  # the terms and the constant add up to the linear predictor
  tm <- predict(fit, nd, type = "terms")
  expect_equal(rowSums(tm) + attr(tm, "constant"), predict(fit, nd), tolerance = 1e-12, ignore_attr = TRUE)
  # numeric terms, without an intercept: no centring
  g <- fit_mle(mpg ~ 0 + wt + hp, data = mtcars)
  gr <- glm(mpg ~ 0 + wt + hp, data = mtcars)
  expect_equal(unname(predict(g, type = "terms")), unname(predict(gr, type = "terms")), tolerance = 1e-8, ignore_attr = TRUE)
  expect_identical(attr(predict(g, type = "terms"), "constant"), 0)
})

test_that("intervals and terms refuse what they cannot give", {
  cat_fit <- fit_mle(Species ~ Sepal.Length, data = iris, family = lik_categorical())
  t_fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t(4))
  counts <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_condition_snapshot({
    predict(cat_fit, interval = "confidence")
    predict(t_fit, interval = "prediction")
    predict(counts, interval = "prediction")
    predict(counts, type = "terms", interval = "confidence")
    predict(counts, interval = "conf")
    predict(counts, interval = "confidence", level = 2)
    predict(fit_mle_xy(cbind(1, mtcars$wt), mtcars$mpg), type = "terms")
    predict(cat_fit, type = "terms")
    predict(fit_mle(mpg ~ wt | hp, data = mtcars, family = lik_gaussian_hetero()), interval = "confidence")
  })
})
