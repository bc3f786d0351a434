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
    # ... and a character vector is refused, by every one of them, the same way.
    err <- expect_error(coded[[nm]](ychr), class = "probml_error_response")
    expect_match(conditionMessage(err), "must be a factor, not a character vector", info = nm)
  }
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
    fit_mle(y ~ x, data.frame(y = c("a", "b", "a"), x = 1:3), family = lik_bernoulli())
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
