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
  expect_probml_error(confint(fit, information = "hessian"), "probml_error")
  fit_nomodel <- fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli(), model = FALSE)
  expect_probml_error(confint(fit_nomodel, method = "profile"), "probml_error_model")
})

# glm is run with glm.control(epsilon = 1e-14): its own stopping rule would
# limit the agreement of the deviances to about 1e-8.
test_that("anova() of one fit is glm's sequential analysis of deviance", {
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  d <- warpbreaks
  d$off <- log(seq(1, 2, length.out = nrow(d)))
  cases <- list(
    list(f = breaks ~ wool * tension, fam = lik_poisson(), ref = poisson(), data = d, tests = "Chisq"),
    list(f = breaks ~ wool + tension + offset(off), fam = lik_poisson(), ref = poisson(), data = d, tests = c("Chisq", "LRT")),
    list(f = type ~ glu + bmi + age, fam = lik_bernoulli(), ref = binomial(), data = MASS::Pima.tr, tests = "Chisq"),
    list(f = mpg ~ wt + hp + qsec, fam = lik_gaussian(), ref = gaussian(), data = mtcars, tests = c("F", "Chisq"))
  )
  for (case in cases) {
    fit <- fit_mle(case$f, data = case$data, family = case$fam)
    ref <- glm(case$f, data = case$data, family = case$ref, control = tight)
    for (test in case$tests) {
      ours <- anova(fit, test = test)
      theirs <- anova(ref, test = test)
      expect_identical(names(ours), names(theirs))
      expect_identical(rownames(ours), rownames(theirs))
      for (col in names(theirs)) expect_equal(ours[[col]], theirs[[col]], tolerance = 1e-8)
    }
    # no test
    expect_identical(names(anova(fit, test = FALSE)), c("Df", "Deviance", "Resid. Df", "Resid. Dev"))
    # the default test: R 4.4's, F where the dispersion is estimated
    expect_identical(names(anova(fit))[5], if (case$fam$family == "gaussian") "F" else "Pr(>Chi)")
  }
  # without an intercept the null model is the offset alone
  fit <- fit_mle(breaks ~ 0 + tension, data = d, family = lik_poisson(), offset = off)
  ref <- glm(breaks ~ 0 + tension, data = d, family = poisson(), offset = off, control = tight)
  expect_equal(anova(fit, test = "Chisq")[["Resid. Dev"]], anova(ref, test = "Chisq")[["Resid. Dev"]], tolerance = 1e-8)
  expect_equal(anova(fit, test = "Chisq")[["Pr(>Chi)"]], anova(ref, test = "Chisq")[["Pr(>Chi)"]], tolerance = 1e-8)
  # a supplied dispersion replaces the moment estimate
  g <- fit_mle(mpg ~ wt + hp, data = mtcars)
  # (glm warns that an F test with a known dispersion is a chi-squared test)
  ref <- suppressWarnings(anova(glm(mpg ~ wt + hp, data = mtcars), test = "F", dispersion = 4))
  expect_equal(anova(g, test = "F", dispersion = 4)$F, ref$F, tolerance = 1e-8)
  expect_equal(anova(g, test = "F", dispersion = 4)[["Pr(>F)"]], ref[["Pr(>F)"]], tolerance = 1e-8)
})

test_that("anova() of several fits is glm's comparison", {
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  for (spec in list(list(fam = lik_gaussian(), ref = gaussian(), tests = c("F", "Chisq")),
                    list(fam = lik_poisson(), ref = poisson(), tests = "Chisq"))) {
    forms <- list(breaks ~ wool, breaks ~ wool + tension, breaks ~ wool * tension)
    fits <- lapply(forms, fit_mle, data = warpbreaks, family = spec$fam)
    refs <- lapply(forms, glm, data = warpbreaks, family = spec$ref, control = tight)
    for (test in spec$tests) {
      for (ord in list(1:3, 3:1)) {
        ours <- do.call(anova, c(fits[ord], test = test))
        theirs <- do.call(anova, c(refs[ord], test = test))
        expect_identical(names(ours), names(theirs))
        for (col in names(theirs)) expect_equal(ours[[col]], theirs[[col]], tolerance = 1e-8)
      }
    }
  }
})

test_that("anova() tests families outside glm by the likelihood ratio", {
  small <- fit_mle(stack.loss ~ Air.Flow, data = stackloss, family = lik_laplace())
  big <- fit_mle(stack.loss ~ Air.Flow + Water.Temp, data = stackloss, family = lik_laplace())
  a <- anova(small, big)
  lr <- 2 * (as.numeric(logLik(big)) - as.numeric(logLik(small)))
  expect_equal(a[["LR stat"]][2], lr, tolerance = 1e-12)
  expect_equal(a[["Pr(>Chi)"]][2], pchisq(lr, 1, lower.tail = FALSE), tolerance = 1e-12)
  expect_equal(a[["Resid. Dev"]], c(deviance(small), deviance(big)))
  # where the deviance change is the statistic, no extra column
  expect_false("LR stat" %in% names(anova(fit_mle(breaks ~ wool, data = warpbreaks, family = lik_poisson()),
                                           fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson()))))
  # ordinal: the deviance is -2 logLik, so the table is the LR test of polr
  skip_if_not_installed("MASS")
  o1 <- fit_mle(Sat ~ Infl, data = MASS::housing, weights = Freq, family = lik_ordinal())
  o2 <- fit_mle(Sat ~ Infl + Type, data = MASS::housing, weights = Freq, family = lik_ordinal())
  r1 <- MASS::polr(Sat ~ Infl, data = MASS::housing, weights = Freq)
  r2 <- MASS::polr(Sat ~ Infl + Type, data = MASS::housing, weights = Freq)
  expect_equal(anova(o1, o2)[["Pr(>Chi)"]][2], anova(r1, r2)[["Pr(Chi)"]][2], tolerance = 1e-6)
})

test_that("anova()'s messages", {
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_condition_snapshot({
    anova(fit, test = "F")
    anova(fit, test = "Rao")
    anova(fit, dispersion = -1)
  })
})
