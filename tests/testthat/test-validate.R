# One coder for outcomes, probabilities, logits and weights (R/validate.R):
# the same rules everywhere, and every message it gives.

test_that("every function codes a binary outcome by the same rules", {
  set.seed(1)
  p <- runif(40, 0.05, 0.95)
  y01 <- rbinom(40, 1, p)
  yfac <- factor(c("no", "yes")[y01 + 1L], levels = c("no", "yes"))
  ylgl <- y01 == 1
  ychr <- as.character(yfac)
  d <- data.frame(x = qlogis(p), y01 = y01, yfac = yfac, ylgl = ylgl, ychr = ychr,
                  stringsAsFactors = FALSE)
  coded <- list(
    brier = function(y) brier_score(y, p),
    log_loss = function(y) log_loss(y, p),
    ece = function(y) ece(y, p, bins = 4),
    calibrate = function(y) predict(calibrate(y, p, method = "platt"), 0.5),
    fit_mle = function(y) coef(fit_mle_xy(cbind(1, d$x), y, family = lik_bernoulli())),
    family_nll = function(y) family_nll(lik_bernoulli(), y, d$x)
  )
  for (nm in names(coded)) {
    ref <- coded[[nm]](y01)
    # 0/1, logical and a two-level factor (second level = event) agree ...
    expect_equal(coded[[nm]](ylgl), ref, info = nm)
    expect_equal(coded[[nm]](yfac), ref, info = nm)
    # ... and so does a character vector, coded as factor() codes it.
    expect_equal(coded[[nm]](ychr), ref, info = nm)
  }
})

test_that("a character outcome is coded like a factor, levels sorted", {
  d <- data.frame(x = iris$Sepal.Length, chr = as.character(iris$Species), fac = iris$Species,
                  two = ifelse(iris$Petal.Width > 1, "wide", "narrow"), stringsAsFactors = FALSE)
  expect_equal(coef(fit_mle(chr ~ x, data = d, family = lik_categorical())),
               coef(fit_mle(fac ~ x, data = d, family = lik_categorical())))
  bin <- fit_mle(two ~ x, data = d, family = lik_bernoulli())
  expect_identical(bin$levels, c("narrow", "wide"))
  expect_equal(coef(bin), coef(fit_mle(factor(two) ~ x, data = d, family = lik_bernoulli())))
  expect_equal(coef(bin), coef(glm(factor(two) ~ x, data = d, family = binomial())), tolerance = 1e-8)
  # An ordered outcome still needs an ordered factor: its order cannot be guessed.
  expect_probml_error(fit_mle(chr ~ x, data = d, family = lik_ordinal()), "probml_error_response")
})

test_that("class outcomes: a factor whose levels are the columns, or class numbers 1..K", {
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.6))
  colnames(P) <- c("a", "b", "c")
  y <- factor(c("a", "b", "c"), levels = c("a", "b", "c"))
  expect_equal(brier_score(y, P), brier_score(1:3, unname(P)))
  expect_equal(log_loss(y, P), log_loss(c(1, 2, 3), unname(P)))
  expect_equal(label_smoothing_loss(log(P), y, 0.1), label_smoothing_loss(log(unname(P)), 1:3, 0.1))
  # Levels in another order are refused rather than silently matched by position.
  expect_error(brier_score(factor(c("a", "b", "c"), levels = c("b", "a", "c")), P), class = "probml_error_response")
})

test_that("weights are relative: huge weights give the unweighted scores, never NaN", {
  set.seed(2)
  p <- runif(50)
  y <- rbinom(50, 1, p)
  big <- rep(1e308, 50)
  expect_equal(brier_score(y, p, weights = big), brier_score(y, p), tolerance = 1e-12)
  expect_equal(log_loss(y, p, weights = big), log_loss(y, p), tolerance = 1e-12)
  expect_equal(ece(y, p, weights = big), ece(y, p), tolerance = 1e-12)
  P <- cbind(1 - p, p)
  expect_equal(brier_score(factor(y), P, weights = big), brier_score(factor(y), P), tolerance = 1e-12)
})

test_that("probabilities declared as logits draw a warning", {
  set.seed(3)
  y <- rbinom(60, 1, 0.5)
  expect_warning(calibrate(y, runif(60), method = "platt", scores_are = "logit"), class = "probml_warning_scale")
  expect_warning(label_smoothing_loss(matrix(runif(6), 2, 3), c(1, 3)), class = "probml_warning_scale")
  # Real logits, and probabilities read as probabilities, are quiet.
  expect_no_warning(calibrate(y, rnorm(60), method = "platt", scores_are = "logit"))
  expect_no_warning(calibrate(y, runif(60), method = "platt"))
})

test_that("the coder's messages", {
  p <- c(0.2, 0.7, 0.4)
  P <- rbind(c(0.7, 0.3), c(0.4, 0.6), c(0.5, 0.5))
  expect_condition_snapshot({
    family_nll(lik_gaussian(), NULL, 1)
    family_nll(lik_gaussian(), cbind(1:3, 1:3), 1:3)
    brier_score(factor(c("a", "b")), P)
    family_nll(lik_gaussian(), numeric(0), numeric(0))
    brier_score(c(1, NA, 0), p)
    fit_mle(y ~ x, data.frame(y = c("a", "b", "a"), x = 1:3), family = lik_ordinal())
    calibrate(factor(c("a", "b", "c")), p)
    brier_score(list(1, 0, 1), p)
    calibrate(c(0, 2, 1), p)
    fit_mle(y ~ x, data.frame(y = factor(c("a", "b", "c")), x = 1:3), family = lik_ordinal())
    brier_score(factor(c("b", "a", "b"), levels = c("b", "a")), `colnames<-`(P, c("a", "b")))
    fit_mle(y ~ x, data.frame(y = factor(c("a", "a", "a")), x = 1:3), family = lik_categorical())
    brier_score(c(TRUE, FALSE, TRUE), P)
    brier_score(c(1, 2, 4), P)
    family_nll(lik_gaussian(), factor(c("a", "b", "c")), 1:3)
    calibrate(c(1, 1, 0), p, weights = c(1, 1, 0))
  })
})

test_that("the probability checks' messages", {
  p <- c(0.2, 0.7, 0.4)
  expect_condition_snapshot({
    brier_score(c(1, 0, 1), c("a", "b", "c"))
    brier_score(c(1, 0), p)
    brier_score(numeric(0), numeric(0))
    brier_score(c(1, 0, 1), c(0.2, NA, 0.4))
    brier_score(c(1, 0, 1), c(0.2, 1.3, 0.4))
    brier_score(c(1, NA, 1), p)
    brier_score(c(1, 0.5, 1), p)
    entropy("a")
    entropy(numeric(0))
    entropy(c(0.5, NA))
    entropy(c(0.5, Inf))
    entropy(c(1.5, -0.5))
    entropy(c(0.5, 0.4))
    entropy(rbind(c(0.5, 0.5), c(0.5, 0.4)))
    brier_score(factor(c("a", "b", "a"), levels = c("a", "b", "c")), cbind(c(0.5, 0.5, 0.5), c(0.5, 0.5, 0.5)))
  })
})

test_that("the logit and weight checks' messages", {
  y <- c(0, 1, 1, 0)
  expect_condition_snapshot({
    label_smoothing_loss(matrix("a", 2, 2), c(1, 2))
    label_smoothing_loss(matrix(numeric(0), 0, 3), integer(0))
    label_smoothing_loss(matrix(c(1, NA, 3, 4), 2), c(1, 2))
    label_smoothing_loss(matrix(c(1, Inf, 3, 4), 2), c(1, 2))
    calibrate(c(0, 1, 1, 0, 1), c(0.2, 0.9, 0.6, 0.3, 0.8), scores_are = "logit")
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = "a")
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = 1:3)
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = c(1, NA, 1, 1))
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = c(1, Inf, 1, 1))
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = c(1, -1, 1, 1))
    brier_score(y, c(0.1, 0.8, 0.6, 0.3), weights = c(0, 0, 0, 0))
  })
})

# Grouped binomial responses ------------------------------------------------------

# esoph as one 0/1 row per subject.
expanded_esoph <- function() {
  d <- esoph
  rows <- rep(seq_len(nrow(d)), d$ncases + d$ncontrols)
  e <- d[rows, ]
  e$case <- unlist(lapply(seq_len(nrow(d)), function(i) rep(c(1, 0), c(d$ncases[i], d$ncontrols[i]))))
  e
}

# A glm fit run on from its own estimate until exact (glm stops at a
# relative change in deviance of 1e-8); its call is evaluated in `env`.
glm_exact <- function(ref, env = parent.frame()) {
  cl <- ref$call
  cl$start <- coef(ref)
  cl$control <- glm.control(epsilon = 1e-14, maxit = 100)
  eval(cl, env)
}

test_that("cbind(successes, failures) equals the expanded 0/1 fit and glm's, logLik included", {
  d <- esoph
  d$trials <- d$ncases + d$ncontrols
  d$share <- d$ncases / d$trials
  grouped <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, data = d, family = binomial())
  e <- expanded_esoph()
  flat <- fit_mle(case ~ agegp + alcgp + tobgp, data = e, family = lik_bernoulli())
  expect_lt(max(abs(coef(grouped) - coef(flat))), 1e-10)
  expect_lt(max(abs(vcov(grouped) - vcov(flat))), 1e-10)
  # The log-likelihoods differ by the binomial coefficients, which glm includes.
  expect_equal(as.numeric(logLik(grouped)) - as.numeric(logLik(flat)), sum(lchoose(d$trials, d$ncases)), tolerance = 1e-10)
  ref <- glm_exact(glm(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, data = d, family = binomial()))
  expect_lt(max(abs(coef(grouped) - coef(ref))), 1e-8)
  expect_lt(abs(as.numeric(logLik(grouped)) - as.numeric(logLik(ref))), 1e-8)
  expect_lt(abs(AIC(grouped) - AIC(ref)), 1e-8)
  expect_lt(abs(BIC(grouped) - BIC(ref)), 1e-8)
  expect_identical(nobs(grouped), nobs(ref))
  expect_equal(weights(grouped), unname(weights(ref)))
  expect_lt(max(abs(fitted(grouped) - fitted(ref))), 1e-8)
  expect_lt(max(abs(predict(grouped, d) - predict(ref, d))), 1e-8)
  expect_lt(max(abs(predict(grouped, d, type = "response") - predict(ref, d, type = "response"))), 1e-8)
  expect_lt(max(abs(residuals(grouped, type = "deviance") - residuals(ref, type = "deviance"))), 1e-8)
  expect_lt(max(abs(residuals(grouped, type = "pearson") - residuals(ref, type = "pearson"))), 1e-8)
  expect_lt(max(abs(residuals(grouped, type = "response") - residuals(ref, type = "response"))), 1e-8)
  expect_lt(max(abs(hatvalues(grouped) - hatvalues(ref))), 1e-8)
  # The matrix entry takes the same response.
  xy <- fit_mle_xy(model.matrix(ref), cbind(d$ncases, d$ncontrols), family = lik_bernoulli())
  expect_equal(unname(coef(xy)), unname(coef(grouped)), tolerance = 1e-12)
  expect_equal(as.numeric(logLik(xy)), as.numeric(logLik(grouped)), tolerance = 1e-12)
  # The proportion with weights = trials is the same fit.
  share <- fit_mle(share ~ agegp + alcgp + tobgp, data = d, family = lik_bernoulli(), weights = trials)
  ref_share <- glm_exact(glm(share ~ agegp + alcgp + tobgp, data = d, family = binomial(), weights = trials))
  expect_lt(max(abs(coef(share) - coef(ref_share))), 1e-8)
  expect_lt(abs(as.numeric(logLik(share)) - as.numeric(logLik(ref_share))), 1e-8)
  expect_equal(coef(share), coef(grouped), tolerance = 1e-12)
  expect_equal(as.numeric(logLik(share)), as.numeric(logLik(grouped)), tolerance = 1e-12)
  expect_lt(max(abs(residuals(share, type = "deviance") - residuals(ref_share, type = "deviance"))), 1e-8)
})

test_that("grouped binomial fits with other links, weights and empty groups follow glm", {
  set.seed(21)
  d <- data.frame(x = rnorm(40), w = rep(1:2, 20))
  d$n <- rpois(40, 6)
  d$n[c(3, 17)] <- 0
  d$s <- rbinom(40, d$n, pnorm(0.2 + 0.7 * d$x))
  for (link in c("probit", "cloglog")) {
    fit <- fit_mle(cbind(s, n - s) ~ x, data = d, family = lik_bernoulli(link), weights = w)
    ref <- glm_exact(glm(cbind(s, n - s) ~ x, data = d, family = binomial(link), weights = w))
    expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8, label = link)
    expect_lt(abs(as.numeric(logLik(fit)) - as.numeric(logLik(ref))), 1e-8, label = link)
    expect_identical(nobs(fit), nobs(ref))
    expect_lt(max(abs(residuals(fit, type = "deviance") - residuals(ref, type = "deviance"))), 1e-8, label = link)
  }
  expect_true(any(d$n == 0))
  # Groups that all have the same share still hold both outcomes.
  same <- data.frame(s = c(2, 3, 1), f = c(2, 3, 1))
  one <- fit_mle(cbind(s, f) ~ 1, data = same, family = lik_bernoulli())
  expect_equal(unname(coef(one)), 0, tolerance = 1e-12)
  expect_equal(as.numeric(logLik(one)), sum(dbinom(same$s, same$s + same$f, 0.5, log = TRUE)), tolerance = 1e-12)
})

test_that("the binomial coefficient is one constant for MAP fits, paths, profiles and LR tests", {
  d <- esoph
  e <- expanded_esoph()
  const <- sum(lchoose(d$ncases + d$ncontrols, d$ncases))
  g_map <- fit_map(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d, family = lik_bernoulli())
  e_map <- fit_map(case ~ agegp + alcgp, data = e, family = lik_bernoulli())
  expect_lt(max(abs(coef(g_map) - coef(e_map))), 1e-10)
  expect_equal(g_map$log_posterior - e_map$log_posterior, const, tolerance = 1e-12)
  expect_equal(g_map$log_posterior, g_map$loglik - g_map$prior_value, tolerance = 1e-12)
  ctl <- path_control(tol = 1e-14)
  g_path <- map_path(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d, family = lik_bernoulli(), lambda = c(0.1, 0.01), control = ctl)
  e_path <- map_path(case ~ agegp + alcgp, data = e, family = lik_bernoulli(), lambda = c(0.1, 0.01), control = ctl)
  expect_lt(max(abs(coef(g_path) - coef(e_path))), 1e-8)
  expect_equal(g_path$nll, e_path$nll - const, tolerance = 1e-10)
  g_fit <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d, family = lik_bernoulli())
  e_fit <- fit_mle(case ~ agegp + alcgp, data = e, family = lik_bernoulli())
  expect_lt(max(abs(confint(g_fit, "alcgp.L", method = "profile") - confint(e_fit, "alcgp.L", method = "profile"))), 1e-8)
  small <- fit_mle(cbind(ncases, ncontrols) ~ agegp, data = d, family = lik_bernoulli())
  ref_lr <- anova(glm(cbind(ncases, ncontrols) ~ agegp, data = d, family = binomial()),
                  glm(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d, family = binomial()))
  expect_equal(2 * (g_fit$loglik - small$loglik), ref_lr$Deviance[2], tolerance = 1e-8)
  cv <- cv_map(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d, family = lik_bernoulli(), folds = 4, seed = 1)
  expect_true(all(is.finite(cv$cvm)))
})

test_that("bad grouped binomial responses are refused, naming the argument", {
  d <- data.frame(s = c(3, 1, 4, 2), f = c(1, 2, 0, 5), n = c(4, 3, 4, 7), x = 1:4)
  d$p <- d$s / d$n
  expect_probml_error(fit_mle(cbind(s, n - s - 2) ~ x, data = d, family = lik_bernoulli()), "probml_error_support")
  expect_condition_snapshot({
    fit_mle(cbind(s, n - s - 2) ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s - 2, f) ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s + 0.5, f) ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s, f, n) ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s > 1, f > 1) ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s, f) ~ x, data = d, family = lik_poisson())
    fit_mle(p ~ x, data = d, family = lik_bernoulli())
    fit_mle(p ~ x, data = d, family = lik_bernoulli(), weights = n + 1)
    fit_mle(I(p + 1) ~ x, data = d, family = lik_bernoulli(), weights = n)
    fit_mle(I(p - 1) ~ x, data = d, family = lik_bernoulli(), weights = n)
    fit_mle(as.Date(x, origin = "2000-01-01") ~ x, data = d, family = lik_bernoulli())
    fit_mle(cbind(s * 0, f * 0) ~ x, data = d, family = lik_bernoulli())
    brier_score(d$p, d$p)
  })
})
