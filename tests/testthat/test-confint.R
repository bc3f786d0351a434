test_that("Wald intervals are estimate +- z * se", {
  fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
  ci <- confint(fit)
  se <- sqrt(diag(vcov(fit)))
  expect_equal(ci[, 1], coef(fit) - qnorm(0.975) * se)
  expect_equal(ci[, 2], coef(fit) + qnorm(0.975) * se)
  expect_identical(colnames(ci), c("2.5 %", "97.5 %"))
  expect_equal(confint(fit, "glu", level = 0.9)[1, 2], coef(fit)[["glu"]] + qnorm(0.95) * se[["glu"]])
})

test_that("profile intervals agree with MASS's profile of glm and of polr", {
  pima <- MASS::Pima.tr
  fit <- fit_mle(type ~ glu + bmi, data = pima, family = lik_bernoulli())
  ref <- glm(type ~ glu + bmi, data = pima, family = binomial())
  ours <- confint(fit, c("glu", "bmi"), method = "profile")
  theirs <- suppressMessages(confint(ref, c("glu", "bmi")))
  expect_equal(unname(ours), unname(theirs), tolerance = 1e-3)
  # The profile interval's end points have the stated likelihood-ratio.
  lr_at <- function(value) {
    f <- fit_mle(type ~ bmi + offset(value * glu), data = pima, family = lik_bernoulli())
    2 * (as.numeric(logLik(fit)) - as.numeric(logLik(f)))
  }
  expect_equal(lr_at(ours["glu", 1]), qchisq(0.95, 1), tolerance = 1e-6)
  expect_equal(lr_at(ours["glu", 2]), qchisq(0.95, 1), tolerance = 1e-6)

  fo <- fit_mle(Sat ~ Infl + Type + Cont, data = MASS::housing, weights = Freq, family = lik_ordinal())
  po <- MASS::polr(Sat ~ Infl + Type + Cont, data = MASS::housing, weights = Freq, Hess = TRUE)
  ours <- confint(fo, c("InflHigh", "ContHigh"), method = "profile")
  theirs <- suppressMessages(confint(po, c("InflHigh", "ContHigh")))
  expect_equal(unname(ours), unname(theirs), tolerance = 1e-3)
})

test_that("profile intervals work for scale parameters and the Laplace location", {
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  ci <- confint(fit, "log(sigma)", method = "profile")
  expect_lt(ci[1], coef(fit)[["log(sigma)"]])
  expect_gt(ci[2], coef(fit)[["log(sigma)"]])
  # For sigma with mu fixed at the MLE the profile is exact: n (log s + RSS / (2 n s^2)).
  fl <- fit_mle(stack.loss ~ Air.Flow, data = stackloss, family = lik_laplace())
  cl <- confint(fl, "Air.Flow", method = "profile")
  expect_true(cl[1] < coef(fl)[["Air.Flow"]] && coef(fl)[["Air.Flow"]] < cl[2])
})

test_that("confint refuses bad arguments", {
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  expect_probml_error(confint(fit, "nope"), "probml_error")
  expect_probml_error(confint(fit, 10), "probml_error")
  expect_probml_error(confint(fit, level = 1.5), "probml_error")
  expect_probml_error(confint(fit, level = NA), "probml_error")
  expect_probml_error(confint(fit, method = "bootstrap"), "probml_error")
})

test_that("confint refuses more bad arguments", {
  fit <- fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli())
  expect_probml_error(confint(fit, level = 0), "probml_error")
  expect_probml_error(confint(fit, level = "a"), "probml_error")
  expect_probml_error(confint(fit, level = c(0.9, 0.95)), "probml_error")
  expect_probml_error(confint(fit, parm = 0), "probml_error")
  expect_probml_error(confint(fit, parm = 1.5), "probml_error")
  expect_probml_error(confint(fit, parm = TRUE), "probml_error")
  expect_probml_error(confint(fit, method = NA), "probml_error")
  expect_probml_error(confint(fit, vcov = "hessian"), "probml_error")
  fit_nomodel <- fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli(), model = FALSE)
  expect_probml_error(confint(fit_nomodel, method = "profile"), "probml_error_model")
})
