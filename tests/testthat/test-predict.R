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
  expect_length(residuals(fit, type = "response"), 32)
  fit <- fit_mle(mpg ~ wt, data = d)
  expect_length(residuals(fit, type = "response"), 31)
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
  expect_length(residuals(fit, type = "response"), 32)
})
