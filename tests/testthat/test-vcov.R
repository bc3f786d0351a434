# Covariances of the estimates (R/vcov.R): model-based, sandwich HC0-HC3,
# cluster-robust and dispersion-scaled, against sandwich and glm.

sandwich_cases <- function() {
  set.seed(10)
  n <- 120
  d <- data.frame(x = rnorm(n), z = runif(n), g = sample(letters[1:6], n, TRUE), id = rep(1:30, each = 4))
  d$count <- rpois(n, exp(0.5 + 0.4 * d$x + rnorm(n, sd = 0.5)))
  d$bin <- rbinom(n, 1, plogis(-0.3 + d$x - d$z))
  d$y <- 1 + 2 * d$x - d$z + rnorm(n) * (1 + abs(d$x))
  list(
    poisson = list(f = count ~ x + z + g, fam = lik_poisson(), glm = poisson(), d = d),
    logit = list(f = bin ~ x + z, fam = lik_bernoulli(), glm = binomial(), d = d),
    probit = list(f = bin ~ x + z + g, fam = lik_bernoulli("probit"), glm = binomial("probit"), d = d),
    gaussian = list(f = y ~ x + z, fam = lik_gaussian(), glm = gaussian(), d = d)
  )
}

# glm stops at a relative change in deviance of 1e-8 and reports the
# covariance at its last-but-one iterate, so the references run glm's IRLS
# on from its own estimate until it is exact (a probit score of 6e-8
# otherwise).
tight <- glm.control(epsilon = 1e-14, maxit = 100)
glm_ref <- function(formula, data, family) {
  first <- glm(formula, data = data, family = family, control = tight)
  glm(formula, data = data, family = family, control = tight, start = coef(first))
}

# The regression block of a probml covariance (the Gaussian adds log(sigma)).
regression_block <- function(V, ref) V[rownames(ref), colnames(ref)]

test_that("HC0-HC3 equal sandwich::vcovHC of the glm fit", {
  skip_if_not_installed("sandwich")
  worst <- 0
  for (nm in names(sandwich_cases())) {
    case <- sandwich_cases()[[nm]]
    d <- case$d
    fit <- fit_mle(case$f, data = d, family = case$fam)
    ref <- glm_ref(case$f, d, case$glm)
    for (type in c("HC0", "HC1", "HC2", "HC3")) {
      V <- regression_block(vcov(fit, type = type), vcov(ref))
      diff <- max(abs(V - sandwich::vcovHC(ref, type = type)))
      worst <- max(worst, diff)
      expect_lt(diff, 1e-8, label = paste(nm, type))
    }
    expect_identical(vcov(fit, type = "sandwich"), vcov(fit, type = "HC0"))
  }
  expect_lt(worst, 1e-8)
})

test_that("cluster-robust covariances equal sandwich::vcovCL, by vector or formula", {
  skip_if_not_installed("sandwich")
  for (nm in names(sandwich_cases())) {
    case <- sandwich_cases()[[nm]]
    d <- case$d
    fit <- fit_mle(case$f, data = d, family = case$fam)
    ref <- glm_ref(case$f, d, case$glm)
    # vcovCL's defaults for a glm fit: HC0 with the G / (G - 1) adjustment.
    V <- regression_block(vcov(fit, cluster = case$d$id), vcov(ref))
    expect_lt(max(abs(V - sandwich::vcovCL(ref, cluster = d$id))), 1e-8, label = nm)
    expect_equal(vcov(fit, cluster = ~ id), vcov(fit, cluster = case$d$id), tolerance = 1e-14)
    V1 <- regression_block(vcov(fit, type = "HC1", cluster = ~ g), vcov(ref))
    expect_lt(max(abs(V1 - sandwich::vcovCL(ref, cluster = d$g, type = "HC1"))), 1e-8, label = nm)
  }
})

test_that("rows of weight zero are not observations of the sandwich", {
  skip_if_not_installed("sandwich")
  d <- sandwich_cases()$poisson$d
  d$w <- rep(c(1, 0, 2), 40)
  fit <- fit_mle(count ~ x + z + g, data = d, family = lik_poisson(), weights = w)
  kept <- d[d$w > 0, ]
  ref <- glm_ref(count ~ x + z + g, kept, poisson())
  # glm_ref() has no weights: refit with them, from its own estimate.
  ref <- glm(count ~ x + z + g, data = kept, family = poisson(), weights = w, control = tight, start = coef(ref))
  ref <- glm(count ~ x + z + g, data = kept, family = poisson(), weights = w, control = tight, start = coef(ref))
  for (type in c("HC0", "HC1", "HC2", "HC3")) {
    expect_lt(max(abs(vcov(fit, type = type) - sandwich::vcovHC(ref, type = type))), 1e-8, label = type)
  }
  expect_lt(max(abs(vcov(fit, cluster = d$id) - sandwich::vcovCL(ref, cluster = kept$id))), 1e-8)
})

test_that("a cluster formula follows the fit's subset and omitted rows", {
  skip_if_not_installed("sandwich")
  d <- sandwich_cases()$poisson$d
  d$x[c(3, 50)] <- NA
  fit <- fit_mle(count ~ x + z, data = d, family = lik_poisson(), subset = z > 0.1)
  ref <- glm(count ~ x + z, data = d, family = poisson(), subset = z > 0.1, control = tight)
  expect_lt(max(abs(vcov(fit, cluster = ~ id) - sandwich::vcovCL(ref, cluster = ~ id))), 1e-8)
})

test_that("the general sandwich covers families glm does not have", {
  skip_if_not_installed("sandwich")
  set.seed(11)
  d <- data.frame(x = rnorm(200))
  d$y <- 1 + d$x + rt(200, df = 4)
  fit <- fit_mle(y ~ x, data = d, family = lik_student_t(df = 4))
  # By hand: the bread is the expected information, the meat the rows' scores.
  V <- vcov(fit, type = "HC0")
  expect_identical(dim(V), c(3L, 3L))
  S <- probml:::row_scores(fit)
  B <- vcov(fit, type = "expected")
  expect_equal(V, B %*% crossprod(S) %*% B, tolerance = 1e-12, ignore_attr = TRUE)
  # The scores sum to zero at the MLE.
  expect_lt(max(abs(colSums(S))), 1e-6)
  # The cluster-robust covariance with one row per cluster is HC0 times n / (n - 1).
  expect_equal(vcov(fit, cluster = seq_len(200)), V * 200 / 199, tolerance = 1e-12)
  # Several linear predictors (categorical) have HC0 and HC1 but no leverages.
  cat_fit <- fit_mle(Species ~ Sepal.Length, data = iris[c(1:40, 51:90, 101:140), ], family = lik_categorical())
  expect_true(all(is.finite(vcov(cat_fit, type = "HC1"))))
  expect_probml_error(vcov(cat_fit, type = "HC3"), "probml_error_unsupported")
})

test_that("dispersion = 'pearson' gives quasipoisson's and the Gaussian glm's standard errors", {
  case <- sandwich_cases()$poisson
  d <- case$d
  fit <- fit_mle(case$f, data = d, family = lik_poisson())
  qp <- glm(case$f, data = d, family = quasipoisson(), control = tight)
  expect_lt(max(abs(vcov(fit, dispersion = "pearson") - vcov(qp))), 1e-8)
  expect_lt(max(abs(summary(fit, dispersion = "pearson")$coefficients[, 2] - summary(qp)$coefficients[, 2])), 1e-8)
  qb <- glm(bin ~ x + z, data = d, family = quasibinomial(), control = tight)
  fb <- fit_mle(bin ~ x + z, data = d, family = lik_bernoulli())
  expect_lt(max(abs(vcov(fb, dispersion = "pearson") - vcov(qb))), 1e-8)
  g <- sandwich_cases()$gaussian
  fg <- fit_mle(g$f, data = g$d)
  ref <- glm(g$f, data = g$d, control = tight)
  expect_lt(max(abs(regression_block(vcov(fg, dispersion = "pearson"), vcov(ref)) - vcov(ref))), 1e-8)
  # A given dispersion, as summary.glm(dispersion = ).
  expect_lt(max(abs(vcov(fit, dispersion = 2.5) - summary(glm(case$f, data = d, family = poisson(), control = tight), dispersion = 2.5)$cov.scaled)), 1e-8)
  # The expected information with a dispersion (probit: not the observed one).
  pr <- fit_mle(bin ~ x + z, data = d, family = lik_bernoulli("probit"))
  pq <- glm_ref(bin ~ x + z, d, quasibinomial("probit"))
  expect_lt(max(abs(vcov(pr, type = "expected", dispersion = "pearson") - vcov(pq))), 1e-8)
})

test_that("summary() and confint() use the chosen covariance and say which", {
  skip_if_not_installed("sandwich")
  case <- sandwich_cases()$poisson
  d <- case$d
  fit <- fit_mle(case$f, data = d, family = lik_poisson())
  ref <- glm(case$f, data = d, family = poisson(), control = tight)
  s <- summary(fit, vcov = "HC3")
  expect_equal(unname(s$coefficients[, 2]), unname(sqrt(diag(sandwich::vcovHC(ref, type = "HC3")))), tolerance = 1e-8)
  expect_match(s$vcov_label, "HC3")
  expect_output(print(s), "standard errors from the sandwich estimator \\(HC3\\)")
  Vcl <- vcov(fit, cluster = ~ id)
  s2 <- summary(fit, vcov = Vcl)
  expect_equal(s2$coefficients[, 2], sqrt(diag(Vcl)))
  expect_output(print(s2), "the covariance matrix given as `vcov`")
  expect_output(print(summary(fit, dispersion = "pearson")), "scaled by the Pearson dispersion")
  expect_output(print(summary(fit)), "standard errors from the observed information")
  # An unnamed matrix over the estimated coefficients is accepted too.
  expect_equal(summary(fit, vcov = unname(Vcl))$coefficients, s2$coefficients)
  ci <- confint(fit, vcov = "HC1")
  se <- sqrt(diag(vcov(fit, type = "HC1")))
  expect_equal(ci[, 2] - ci[, 1], 2 * qnorm(0.975) * se, tolerance = 1e-12)
  expect_equal(confint(fit, vcov = Vcl), confint(fit, vcov = vcov(fit, cluster = case$d$id)))
})

test_that("sandwich covariances of a grouped binomial fit equal glm's", {
  skip_if_not_installed("sandwich")
  fit <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph, family = binomial())
  ref <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph, family = binomial(), control = tight)
  for (type in c("HC0", "HC1", "HC3")) {
    expect_lt(max(abs(vcov(fit, type = type) - sandwich::vcovHC(ref, type = type))), 1e-8, label = type)
  }
  expect_lt(max(abs(vcov(fit, cluster = ~ tobgp) - sandwich::vcovCL(ref, cluster = ~ tobgp))), 1e-8)
})

test_that("bad covariance requests are refused with classed errors", {
  case <- sandwich_cases()$poisson
  d <- case$d
  fit <- fit_mle(case$f, data = d, family = lik_poisson())
  map <- fit_map(case$f, data = d, family = lik_poisson())
  xy <- fit_mle_xy(cbind(1, case$d$x), case$d$count, family = lik_poisson())
  expect_probml_error(vcov(fit, type = "HC4"), "probml_error_choice")
  expect_probml_error(vcov(fit, cluster = 1:3), "probml_error_length")
  expect_probml_error(vcov(fit, cluster = replace(case$d$id, 5, NA)), "probml_error_missing")
  expect_probml_error(vcov(fit, dispersion = -1), "probml_error_value")
  expect_probml_error(summary(fit, vcov = diag(2)), "probml_error_type")
  expect_condition_snapshot({
    vcov(fit, type = "HC4")
    vcov(fit, cluster = 1:3)
    vcov(fit, cluster = replace(case$d$id, 5, NA))
    vcov(fit, cluster = list(1, 2))
    vcov(fit, cluster = ~ id + g)
    vcov(fit, cluster = ~ nonexistent)
    vcov(xy, cluster = ~ id)
    vcov(fit, cluster = rep(1, nrow(case$d)))
    vcov(fit, type = "expected", cluster = ~ id)
    vcov(fit, type = "HC3", cluster = ~ id)
    vcov(fit, type = "HC1", dispersion = "pearson")
    vcov(fit, dispersion = "deviance")
    vcov(fit, dispersion = -1)
    vcov(map, type = "HC0")
    vcov(map, dispersion = "pearson")
    summary(fit, vcov = "HC4")
    summary(fit, vcov = diag(2))
    summary(fit, vcov = `dimnames<-`(vcov(fit), rep(list(letters[1:8]), 2)))
    summary(fit, vcov = vcov(fit), dispersion = "pearson")
    confint(fit, vcov = "fisher")
  })
})

test_that("the rows' scores are the core objective's per-row gradients, for every layout", {
  set.seed(12)
  n <- 60
  d <- data.frame(x = rnorm(n), z = runif(n))
  d$ord <- cut(d$x + rnorm(n), c(-Inf, -0.5, 0.3, Inf), ordered_result = TRUE)
  d$cls <- factor(sample(c("a", "b", "c"), n, TRUE))
  d$het <- 1 + d$x + rnorm(n) * exp(0.5 * d$z)
  d$share <- rbeta(n, 2, 3)
  d$w <- runif(n, 0.5, 2)
  fits <- list(
    ordinal = fit_mle(ord ~ x + z, data = d, family = lik_ordinal(), weights = w),
    categorical = fit_mle(cls ~ x, data = d, family = lik_categorical(), weights = w),
    hetero = fit_mle(het ~ x | z, data = d, family = lik_gaussian_hetero(), weights = w),
    beta = fit_mle(share ~ x, data = d, family = lik_beta(), weights = w),
    student_t = fit_mle(het ~ x, data = d, family = lik_student_t(), weights = w)
  )
  for (nm in names(fits)) {
    fit <- fits[[nm]]
    S <- probml:::row_scores(fit)
    model <- probml:::core_model(fit)
    for (i in c(1, 17, 60)) {
      wi <- replace(numeric(n), i, fit$prior_weights[i])
      g <- probml:::cpp_evaluate(model, fit$y, wi, fit$offset, unname(fit$coefficients), 1L, FALSE, 1L, NULL)$gradient
      expect_equal(S[i, ], -g, tolerance = 1e-10, ignore_attr = TRUE, label = paste(nm, "row", i))
    }
    expect_lt(max(abs(colSums(S))), 1e-6, label = nm)
    V <- vcov(fit, type = "HC0")
    expect_true(all(is.finite(V)) && isSymmetric(V, tol = 1e-10), label = nm)
  }
})
