# glm's accessors, deviance, null deviance, extractAIC(), drop1() and step().
# glm is run with glm.control(epsilon = 1e-14) where its own stopping rule
# (relative deviance change 1e-8) would limit the agreement.
tight <- glm.control(epsilon = 1e-14, maxit = 100)

glm_cases <- function() {
  list(
    gaussian = list(f = mpg ~ wt + hp + qsec + drat + disp, data = quote(mtcars), fam = quote(lik_gaussian()), ref = quote(gaussian())),
    logit = list(f = type ~ npreg + glu + bp + skin + bmi + ped + age, data = quote(MASS::Pima.tr),
                 fam = quote(lik_bernoulli()), ref = quote(binomial())),
    probit = list(f = type ~ npreg + glu + bmi + ped + age, data = quote(MASS::Pima.tr),
                  fam = quote(lik_bernoulli("probit")), ref = quote(binomial("probit"))),
    poisson = list(f = Days ~ Eth + Sex + Age + Lrn, data = quote(MASS::quine), fam = quote(lik_poisson()), ref = quote(poisson()))
  )
}

# The fits of a case, with calls that step() and MASS::stepAIC() can
# re-evaluate in the formula's environment (they refit from the call).
case_fits <- function(case) {
  list(fit = eval(bquote(fit_mle(.(case$f), data = .(case$data), family = .(case$fam)))),
       ref = eval(bquote(glm(.(case$f), data = .(case$data), family = .(case$ref),
                             control = glm.control(epsilon = 1e-14, maxit = 100)))))
}

test_that("deviance() is glm's residual deviance, -2 logLik stays with logLik()", {
  for (case in glm_cases()) {
    fits <- case_fits(case)
    fit <- fits$fit
    ref <- fits$ref
    expect_equal(deviance(fit), deviance(ref), tolerance = 1e-8)
    expect_equal(fit$deviance, deviance(ref), tolerance = 1e-8)
    expect_equal(df.residual(fit), df.residual(ref))
    expect_equal(fit$df.residual, df.residual(ref))
    expect_equal(fit$aic, AIC(ref), tolerance = 1e-8)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-8)
  }
  # the issue's example: Poisson on warpbreaks, 210.39 (glm), not 485.06 (-2 logLik)
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  ref <- glm(breaks ~ wool + tension, data = warpbreaks, family = poisson())
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-8)
  expect_gt(abs(deviance(fit) - (-2 * as.numeric(logLik(fit)))), 100)
  # weights (with zeros) and an offset
  w <- rep(c(0, 1, 2), length.out = nrow(warpbreaks))
  off <- log(seq(1, 2, length.out = nrow(warpbreaks)))
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson(), weights = w, offset = off)
  ref <- glm(breaks ~ wool + tension, data = warpbreaks, family = poisson(), weights = w, offset = off, control = tight)
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-8)
  # a Gaussian with a known sigma: the residual sum of squares too
  fit <- fit_mle(mpg ~ wt, data = mtcars, family = lik_gaussian(sigma = 2))
  expect_equal(deviance(fit), deviance(lm(mpg ~ wt, data = mtcars)), tolerance = 1e-8)
})

test_that("the null deviance and its df are glm's, with weights, offsets and without an intercept", {
  d <- warpbreaks
  d$off <- log(seq(1, 2, length.out = nrow(d)))
  d$w <- rep(c(0, 1, 2), length.out = nrow(d))
  specs <- list(
    list(f = breaks ~ wool + tension, fam = lik_poisson(), ref = poisson(), args = list()),
    list(f = breaks ~ wool + tension, fam = lik_poisson(), ref = poisson(), args = list(offset = quote(off), weights = quote(w))),
    list(f = breaks ~ 0 + wool + tension, fam = lik_poisson(), ref = poisson(), args = list(offset = quote(off))),
    list(f = breaks ~ 0 + tension, fam = lik_gaussian(), ref = gaussian(), args = list()),
    list(f = breaks ~ wool + tension, fam = lik_gaussian(), ref = gaussian(), args = list(weights = quote(w)))
  )
  for (s in specs) {
    fit <- do.call(fit_mle, c(list(s$f, data = d, family = s$fam), s$args))
    ref <- do.call(glm, c(list(s$f, data = d, family = s$ref, control = tight), s$args))
    expect_equal(fit$null.deviance, ref$null.deviance, tolerance = 1e-8)
    expect_equal(fit$df.null, ref$df.null)
    expect_identical(probml:::null_deviance(fit), list(deviance = fit$null.deviance, df = fit$df.null))
  }
  pima <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
  ref <- glm(type ~ glu + bmi, data = MASS::Pima.tr, family = binomial())
  expect_equal(pima$null.deviance, ref$null.deviance, tolerance = 1e-8)
  # stored components are not recomputed
  expect_identical(pima$coefficients, coef(pima))
})

test_that("family() carries the link functions of stats::make.link()", {
  fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli("cloglog"))
  fam <- family(fit)
  expect_s3_class(fam, "probml_family")
  link <- make.link("cloglog")
  eta <- seq(-3, 2, by = 0.25)
  expect_identical(fam$linkinv(eta), link$linkinv(eta))
  expect_identical(fam$linkfun(0.3), link$linkfun(0.3))
  expect_identical(fam$mu.eta(eta), link$mu.eta(eta))
  expect_equal(fam$linkinv(predict(fit)), fitted(fit), tolerance = 1e-12)
  # the family refits the model
  expect_equal(coef(fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = fam)), coef(fit))
  # class probabilities are no inverse link of one predictor
  cat_fit <- fit_mle(Species ~ Sepal.Length, data = iris, family = lik_categorical())
  expect_null(family(cat_fit)$linkinv)
})

test_that("formula(), terms(), model.frame(), model.matrix() and update() are glm's", {
  d <- airquality
  fit <- fit_mle(Ozone ~ ., data = d, family = lik_gaussian(), subset = Month != 5)
  ref <- glm(Ozone ~ ., data = d, subset = Month != 5)
  expect_identical(formula(fit), formula(ref))
  expect_s3_class(terms(fit), "terms")
  expect_identical(attr(terms(fit), "term.labels"), attr(terms(ref), "term.labels"))
  expect_identical(model.frame(fit), model.frame(ref))
  expect_identical(model.matrix(fit), model.matrix(ref))
  # without the stored frame, rebuilt from the call
  nomodel <- fit_mle(Ozone ~ ., data = d, family = lik_gaussian(), subset = Month != 5, model = FALSE)
  expect_identical(model.frame(nomodel), model.frame(ref))
  expect_identical(model.matrix(nomodel), model.matrix(ref))
  # factors and interactions
  wb <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
  expect_identical(model.matrix(wb), model.matrix(glm(breaks ~ wool * tension, poisson, warpbreaks)))
  # update() refits through getCall() and formula()
  smaller <- update(wb, . ~ . - wool:tension)
  expect_equal(coef(smaller), coef(fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())))
  expect_identical(formula(smaller), breaks ~ wool + tension, ignore_attr = TRUE)
  expect_equal(coef(update(wb, family = lik_gaussian()))[1:6],
               coef(lm(breaks ~ wool * tension, warpbreaks)), tolerance = 1e-8)
  # matrix fits: the design is model.matrix(); no formula
  X <- cbind(1, wt = mtcars$wt)
  xy <- fit_mle_xy(X, mtcars$mpg)
  expect_identical(model.matrix(xy), probml:::check_design(X, "x"))
  expect_probml_error(formula(xy), "probml_error_model")
  expect_probml_error(terms(xy), "probml_error_model")
  expect_probml_error(model.frame(xy), "probml_error_model")
})

test_that("extractAIC() is glm's, so drop1(), add1(), step() and stepAIC() choose glm's models", {
  skip_if_not_installed("MASS")
  for (case in glm_cases()) {
    fits <- case_fits(case)
    fit <- fits$fit
    ref <- fits$ref
    n <- nobs(ref)
    for (k in c(2, log(n))) expect_equal(extractAIC(fit, k = k), extractAIC(ref, k = k), tolerance = 1e-8)
    for (k in c(2, log(n))) {
      ours <- step(fit, trace = 0, k = k)
      theirs <- step(ref, trace = 0, k = k)
      expect_identical(formula(ours), formula(theirs), ignore_attr = TRUE)
      expect_identical(ours$anova$Step, theirs$anova$Step)
      for (col in c("Df", "Deviance", "Resid. Df", "Resid. Dev", "AIC")) {
        expect_equal(ours$anova[[col]], theirs$anova[[col]], tolerance = 1e-8)
      }
    }
    ours <- MASS::stepAIC(fit, trace = 0)
    theirs <- MASS::stepAIC(ref, trace = 0)
    expect_identical(formula(ours), formula(theirs), ignore_attr = TRUE)
    expect_equal(ours$anova$AIC, theirs$anova$AIC, tolerance = 1e-8)
    # forward from the intercept, with add1()
    null <- update(fit, . ~ 1)
    null_ref <- update(ref, . ~ 1)
    scope <- list(lower = ~1, upper = case$f)
    ours <- step(null, scope = scope, direction = "both", trace = 0)
    theirs <- step(null_ref, scope = scope, direction = "both", trace = 0)
    expect_identical(formula(ours), formula(theirs), ignore_attr = TRUE)
    expect_equal(ours$anova$AIC, theirs$anova$AIC, tolerance = 1e-8)
    expect_equal(ours$anova$Deviance, theirs$anova$Deviance, tolerance = 1e-8)
  }
})

test_that("drop1() gives glm's deviances, AIC and LRT, Chisq and F tests", {
  for (case in glm_cases()) {
    fits <- case_fits(case)
    fit <- fits$fit
    ref <- fits$ref
    tests <- if (fit$family$family == "gaussian") c("LRT", "Chisq", "F") else c("LRT", "Chisq")
    for (test in tests) {
      ours <- drop1(fit, test = test)
      theirs <- drop1(ref, test = test)
      expect_identical(names(ours), names(theirs))
      expect_identical(rownames(ours), rownames(theirs))
      for (col in names(theirs)) expect_equal(ours[[col]], theirs[[col]], tolerance = 1e-8)
    }
    expect_equal(drop1(fit)$AIC, drop1(ref)$AIC, tolerance = 1e-8)
    # add1() from the first term
    small <- update(fit, as.formula(paste(". ~", attr(terms(fit), "term.labels")[1])))
    small_ref <- update(ref, as.formula(paste(". ~", attr(terms(ref), "term.labels")[1])))
    for (test in tests) {
      ours <- add1(small, case$f, test = test)
      theirs <- add1(small_ref, case$f, test = test)
      expect_identical(names(ours), names(theirs))
      expect_identical(rownames(ours), rownames(theirs))
      for (col in names(theirs)) expect_equal(ours[[col]], theirs[[col]], tolerance = 1e-8)
    }
  }
  fit <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
  ref <- glm(breaks ~ wool * tension, data = warpbreaks, family = poisson(), control = tight)
  # marginality: only the interaction can go; an explicit scope
  expect_identical(rownames(drop1(fit)), rownames(drop1(ref)))
  expect_equal(drop1(fit, ~ wool:tension, test = "LRT")[["Pr(>Chi)"]], drop1(ref, ~ wool:tension, test = "LRT")[["Pr(>Chi)"]],
               tolerance = 1e-8)
})

test_that("the glm methods' messages", {
  xy <- fit_mle_xy(cbind(1, wt = mtcars$wt), mtcars$mpg)
  fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
  expect_condition_snapshot({
    formula(xy)
    terms(xy)
    model.frame(xy)
    drop1(xy)
    extractAIC(fit, scale = 2)
    extractAIC(fit, k = -1)
    drop1(fit, test = "F")
    drop1(fit, test = "Rao")
    drop1(fit, "nope")
    drop1(fit, trace = "yes")
    add1(fit)
    add1(fit, ~ .)
    add1(xy, ~ . + x)
    add1(fit_mle(Ozone ~ Wind, data = airquality), ~ . + Solar.R)
    nobs(fit, use.fallback = NA)
    formula(fit, envir = globalenv())
    family(fit, 1)
  })
})

test_that("the refits of a MAP fit keep its prior", {
  m <- fit_map(mpg ~ wt + hp + qsec, data = mtcars, prior = prior_gaussian(1))
  d <- drop1(m)
  smaller <- fit_map(mpg ~ wt + hp, data = mtcars, prior = prior_gaussian(1))
  expect_equal(d["qsec", "Deviance"], deviance(smaller), tolerance = 1e-8)
  expect_equal(d["qsec", "AIC"], extractAIC(smaller)[2], tolerance = 1e-8)
  expect_equal(anova(m, test = FALSE)["hp", "Resid. Dev"], deviance(smaller), tolerance = 1e-8)
})

test_that("a glm workflow runs unchanged with fit_mle() in place of glm()", {
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  run <- function(fitter, ...) {
    fit <- fitter(Days ~ Eth + Sex + Age + Lrn, data = MASS::quine, family = poisson(), ...)
    nd <- MASS::quine[1:5, ]
    list(
      dev = c(deviance(fit), fit$null.deviance, df.residual(fit), fit$df.null, AIC(fit)),
      anova = anova(fit, test = "Chisq")[["Pr(>Chi)"]],
      drop1 = drop1(fit, test = "LRT")[["Pr(>Chi)"]],
      step = deparse(formula(step(fit, trace = 0))),
      smaller = deviance(update(fit, . ~ . - Lrn)),
      link = family(fit)$linkinv(predict(fit, nd)),
      se = predict(fit, nd, se.fit = TRUE)$se.fit,
      terms = unname(predict(fit, nd, type = "terms")),
      X = model.matrix(fit),
      sims = simulate(fit, nsim = 2, seed = 1),
      coefs = summary(fit)$coefficients[, 1:2],
      residuals = sapply(c("deviance", "pearson", "working", "response"), function(t) residuals(fit, type = t)),
      influence = cbind(hatvalues(fit), cooks.distance(fit), rstandard(fit), rstudent(fit), influence(fit)$hat),
      plot = {
        grDevices::pdf(NULL)
        plot(fit)
        grDevices::dev.off()
      }
    )
  }
  ours <- run(fit_mle)
  # glm's working quantities are those of its last iteration, one step
  # before its estimate: it iterates until the deviance stops changing.
  theirs <- run(glm, control = glm.control(epsilon = 1e-16, maxit = 100))
  ours_fit <- fit_mle(Days ~ Eth + Sex + Age + Lrn, data = MASS::quine, family = poisson())
  for (nm in names(theirs)) expect_equal(ours[[nm]], theirs[[nm]], tolerance = 1e-8, ignore_attr = TRUE, label = nm)
  # What glm has no concept of runs too: intervals, quantile residuals, the tidiers.
  nd <- MASS::quine[1:5, ]
  pi <- predict(ours_fit, nd, type = "response", interval = "prediction")
  expect_equal(colnames(pi), c("fit", "lwr", "upr"))
  expect_true(all(pi[, "lwr"] <= pi[, "fit"] & pi[, "fit"] <= pi[, "upr"]))
  expect_length(residuals(ours_fit, type = "quantile"), nrow(MASS::quine))
  skip_if_not_installed("broom")
  ref <- glm(Days ~ Eth + Sex + Age + Lrn, data = MASS::quine, family = poisson(), control = tight, start = coef(ours_fit))
  expect_equal(as.data.frame(generics::tidy(ours_fit))[, 2:5], as.data.frame(broom::tidy(ref))[, 2:5], tolerance = 1e-8)
  expect_equal(as.data.frame(generics::glance(ours_fit))[, c("null.deviance", "deviance", "df.residual", "AIC")],
               as.data.frame(broom::glance(ref))[, c("null.deviance", "deviance", "df.residual", "AIC")], tolerance = 1e-8)
})

test_that("a grouped binomial glm workflow runs unchanged with fit_mle()", {
  run <- function(fitter, ...) {
    fit <- fitter(cbind(ncases, ncontrols) ~ agegp + tobgp, data = esoph, family = binomial(), ...)
    list(logLik = as.numeric(logLik(fit)), dev = c(deviance(fit), fit$null.deviance, df.residual(fit)),
         step = deparse(formula(step(fit, trace = 0))), anova = anova(fit, test = "Chisq")[["Pr(>Chi)"]],
         residuals = sapply(c("deviance", "pearson", "working", "response"), function(t) residuals(fit, type = t)),
         influence = cbind(hatvalues(fit), cooks.distance(fit), rstandard(fit), rstudent(fit)),
         fitted = fitted(fit), sims = simulate(fit, nsim = 2, seed = 3))
  }
  ours <- run(fit_mle)
  theirs <- run(glm, control = glm.control(epsilon = 1e-16, maxit = 100))
  for (nm in names(theirs)) expect_equal(ours[[nm]], theirs[[nm]], tolerance = 1e-8, ignore_attr = TRUE, label = nm)
})
