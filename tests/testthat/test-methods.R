test_that("print and summary show the estimates and the fit's state", {
  fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
  expect_output(print(fit), "Gaussian")
  expect_output(print(fit), "log\\(sigma\\)")
  s <- summary(fit)
  expect_s3_class(s, "summary.probml_fit")
  expect_identical(colnames(s$coefficients), c("Estimate", "Std. Error", "z value", "Pr(>|z|)"))
  expect_equal(s$coefficients[, "z value"], s$coefficients[, 1] / s$coefficients[, 2])
  expect_equal(unname(s$sigma), c(sigma(fit), sigma(fit, unbiased = TRUE)))
  expect_output(print(s), "unbiased")
  expect_output(print(s), "Converged")
})

test_that("logLik, AIC, BIC, nobs and deviance agree with glm", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  ref <- glm(breaks ~ wool + tension, data = warpbreaks, family = poisson())
  expect_equal(nobs(fit), nobs(ref))
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-8)
  expect_equal(BIC(fit), BIC(ref), tolerance = 1e-8)
  # deviance() is glm's residual deviance; -2 logLik stays with logLik().
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-8)
  expect_equal(-2 * as.numeric(logLik(fit)), -2 * as.numeric(logLik(ref)), tolerance = 1e-8)
  # Zero weights drop observations from the fit and from nobs.
  w <- rep(c(0, 1), length.out = nrow(warpbreaks))
  fit_w <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson(), weights = w)
  ref_w <- glm(breaks ~ wool + tension, data = warpbreaks, family = poisson(), weights = w)
  expect_equal(nobs(fit_w), sum(w > 0))
  expect_equal(coef(fit_w), coef(ref_w), tolerance = 1e-8)
  expect_equal(unname(fitted(fit_w)), unname(fitted(ref_w)), tolerance = 1e-8)
})

test_that("residuals match glm's response, pearson and deviance residuals", {
  pima <- MASS::Pima.tr
  for (spec in list(list(lik_bernoulli(), binomial()), list(lik_poisson(), poisson()))) {
    if (spec[[1]]$family == "poisson") {
      f <- breaks ~ wool + tension
      d <- warpbreaks
    } else {
      f <- type ~ glu + bmi
      d <- pima
    }
    fit <- fit_mle(f, data = d, family = spec[[1]])
    ref <- glm(f, data = d, family = spec[[2]], control = glm.control(epsilon = 1e-14))
    for (type in c("response", "pearson", "deviance")) {
      expect_equal(unname(residuals(fit, type)), unname(residuals(ref, type)), tolerance = 1e-6,
                   info = paste(spec[[1]]$family, type))
    }
  }
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  expect_equal(unname(residuals(fit, "deviance")), unname(residuals(lm(mpg ~ wt, mtcars))), tolerance = 1e-8)
  expect_equal(unname(residuals(fit, "pearson")), unname(residuals(glm(mpg ~ wt, data = mtcars), "pearson")), tolerance = 1e-8)
  # Deviance residuals square to twice the NLL above the saturated fit.
  fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_student_t(4))
  r <- residuals(fit, "deviance")
  expect_equal(sum(r^2), 2 * (-as.numeric(logLik(fit)) -
    sum(family_nll(lik_student_t(4), stackloss$stack.loss, stackloss$stack.loss,
                   aux = coef(fit)[["log(sigma)"]], reduce = "none"))), tolerance = 1e-10)
})

test_that("rank deficiency gives NA coefficients, a warning and the reduced fit", {
  d <- mtcars
  d$wt2 <- 2 * d$wt
  d$both <- d$wt + d$hp
  expect_warning(fit <- fit_mle(mpg ~ wt + wt2 + hp + both, data = d), class = "probml_warning_rank_deficient")
  ref <- lm(mpg ~ wt + wt2 + hp + both, data = d)
  expect_identical(is.na(coef(fit)[1:5]), is.na(coef(ref)))
  expect_equal(unname(fitted(fit)), unname(fitted(lm(mpg ~ wt + hp, data = d))), tolerance = 1e-10)
  expect_true(all(is.na(vcov(fit)["wt2", ])))
  expect_identical(dim(vcov(fit, complete = FALSE)), c(4L, 4L))
  expect_equal(fit$df, 4L)
  # Same for a bernoulli fit and for the ordinal family (cut-points absorb the intercept).
  pima <- MASS::Pima.tr
  pima$glu2 <- pima$glu * 3
  expect_warning(fb <- fit_mle(type ~ glu + glu2 + bmi, data = pima, family = lik_bernoulli()),
                 class = "probml_warning_rank_deficient")
  expect_equal(unname(fitted(fb)), unname(fitted(fit_mle(type ~ glu + bmi, data = pima, family = lik_bernoulli()))),
               tolerance = 1e-10)
  h <- MASS::housing
  h$const <- 1
  expect_warning(fo <- fit_mle(Sat ~ Infl + const, data = h, weights = Freq, family = lik_ordinal()),
                 class = "probml_warning_rank_deficient")
  expect_true(is.na(coef(fo)[["const"]]))
})

test_that("separation gives a classed warning and a flag", {
  d <- data.frame(x = c(1, 2, 3, 4, 5, 6), y = c(0, 0, 0, 1, 1, 1))
  expect_warning(fit <- fit_mle(y ~ x, data = d, family = lik_bernoulli()), class = "probml_warning_separation")
  expect_true(fit$separation)
  # quasi-complete separation
  d <- data.frame(x = c(1, 2, 3, 3, 4, 5), y = c(0, 0, 0, 1, 1, 1))
  expect_warning(fit <- fit_mle(y ~ x, data = d, family = lik_bernoulli("probit")), class = "probml_warning_separation")
  expect_true(fit$separation)
  # categorical: setosa is separable by sepal width and length
  expect_warning(fit <- fit_mle(Species ~ Sepal.Length + Sepal.Width, data = iris, family = lik_categorical()),
                 class = "probml_warning_separation")
  # ordinal
  d <- data.frame(x = 1:9, y = factor(rep(c("a", "b", "c"), each = 3), ordered = TRUE))
  expect_warning(fit <- fit_mle(y ~ x, data = d, family = lik_ordinal()), class = "probml_warning_separation")
  # No false alarm for an ordinary fit with extreme but finite probabilities (cloglog saturates fast).
  set.seed(1)
  n <- 500
  x1 <- rnorm(n)
  x2 <- rnorm(n)
  y <- rbinom(n, 1, plogis(0.5 + x1 - 2 * x2))
  expect_no_warning(fit <- fit_mle(y ~ x1 + x2, family = lik_bernoulli("cloglog")))
  expect_false(fit$separation)
})

test_that("hitting the iteration limit always warns", {
  expect_warning(fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli(),
                                control = fit_control(max_iter = 1)),
                 class = "probml_warning_convergence")
  expect_false(fit$converged)
  expect_output(print(fit), "NOT CONVERGED")
})

test_that("anova gives likelihood-ratio tests of nested fits", {
  small <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  big <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
  a <- anova(small, big)
  ref <- anova(glm(breaks ~ wool + tension, poisson, warpbreaks), glm(breaks ~ wool * tension, poisson, warpbreaks),
               test = "LRT")
  expect_equal(a[2, "Deviance"], ref[2, "Deviance"], tolerance = 1e-8)
  expect_equal(a[2, "Df"], ref[2, "Df"])
  expect_equal(a[2, "Pr(>Chi)"], ref[2, "Pr(>Chi)"], tolerance = 1e-6)
  # as glm, the rows keep the order given: the reversed comparison has
  # the opposite signs and the same p-value
  expect_equal(anova(big, small)[2, "Deviance"], -a[2, "Deviance"])
  expect_equal(anova(big, small)[2, "Pr(>Chi)"], a[2, "Pr(>Chi)"])
  expect_probml_error(anova(small, fit_mle(breaks ~ wool, data = warpbreaks)), "probml_error")
  expect_probml_error(anova(small, fit_mle(breaks ~ wool, data = warpbreaks[-1, ], family = lik_poisson())),
                      "probml_error")
  expect_probml_error(anova(small, lm(breaks ~ wool, warpbreaks)), "probml_error")
})

test_that("vcov's expected information is refused where it is not available", {
  fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_huber())
  expect_probml_error(vcov(fit, type = "expected"), "probml_error_unsupported")
  expect_probml_error(vcov(fit, type = "fisher"), "probml_error")
  expect_probml_error(sigma(fit_mle(breaks ~ wool, data = warpbreaks, family = lik_poisson())),
                      "probml_error_unsupported")
  expect_probml_error(sigma(fit, unbiased = TRUE), "probml_error_unsupported")
})

test_that("methods refuse bad arguments with classed errors", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_probml_error(residuals(fit, type = "work"), "probml_error")
  expect_probml_error(residuals(fit, type = 1), "probml_error")
  expect_probml_error(residuals(fit, type = NA), "probml_error")
  expect_probml_error(summary(fit, vcov = "hessian"), "probml_error")
  expect_probml_error(summary(fit, vcov = NA), "probml_error")
  expect_probml_error(vcov(fit, type = 2), "probml_error")
  expect_probml_error(vcov(fit, type = NA), "probml_error")
  expect_probml_error(predict(fit, type = NA), "probml_error")
  expect_probml_error(predict(fit, newdata = 1:3), "probml_error_type")
  expect_probml_error(predict(fit, newdata = data.frame(wool = "Z", tension = "L")), "probml_error")
  expect_probml_error(anova(fit, "a"), "probml_error")
  fit_nomodel <- fit_mle(breaks ~ wool, data = warpbreaks, family = lik_poisson(), model = FALSE)
  expect_probml_error(predict(fit_nomodel), "probml_error_model")
  expect_probml_error(vcov(fit_mle(breaks ~ wool, data = warpbreaks, family = lik_student_t(), model = FALSE),
                           type = "expected"), "probml_error_unsupported")
})

test_that("the methods' messages", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  small <- fit_mle(breaks ~ wool, data = warpbreaks, family = lik_poisson())
  nb <- fit_mle(mpg ~ wt, data = mtcars)
  expect_condition_snapshot({
    vcov(fit_mle(stack.loss ~ ., data = stackloss, family = lik_huber()), type = "expected")
    sigma(fit)
    sigma(fit_mle(stack.loss ~ ., data = stackloss, family = lik_laplace()), unbiased = TRUE)
    anova(fit_mle_xy(cbind(1, mtcars$wt), mtcars$mpg))
    anova(fit, lm(breaks ~ wool, warpbreaks))
    anova(fit, fit_mle(breaks ~ wool, data = warpbreaks, family = lik_gaussian()))
    anova(fit, fit_mle(breaks ~ wool, data = warpbreaks[-1, ], family = lik_poisson()))
    anova(small, fit_mle(breaks ~ tension, data = warpbreaks, family = lik_poisson()))
    anova(fit_mle(mpg ~ wt, data = mtcars), fit_mle(qsec ~ wt, data = mtcars))
    anova(fit_mle_xy(cbind(1, mtcars$wt), mtcars$mpg), fit_mle_xy(cbind(1, mtcars$drat, mtcars$gear), mtcars$mpg))
    confint(fit, 10)
    confint(fit, "nope")
    predict(fit_mle(breaks ~ wool, data = warpbreaks, model = FALSE))
  })
})

test_that("the iteration count is printed in the singular for one iteration", {
  one <- fit_mle(mpg ~ wt, data = mtcars)
  expect_identical(one$iterations, 1L)
  expect_output(print(summary(one)), "Converged in 1 iteration \\(")
  many <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_gt(many$iterations, 1L)
  expect_output(print(summary(many)), sprintf("Converged in %d iterations \\(", many$iterations))
})
