# Claims 7, 8, 9 and 15 of the calibration vignette ("Calibration"). The
# references are written out in base R where a closed form exists, so the
# comparisons are with independent computations.

test_that("claim 9: p = 0.99 for y = 0 costs log loss 4.60517 and Brier 0.9801", {
  expect_lt(abs(log_loss(0, 0.99) - 4.60517), 1e-5)
  expect_equal(log_loss(0, 0.99), -log(0.01), tolerance = 1e-14)
  expect_equal(brier_score(0, 0.99), 0.9801, tolerance = 1e-14)
  # The same mistake inside a data set: one term of the means.
  y <- c(1, 0, 1, 0)
  p <- c(0.9, 0.99, 0.8, 0.2)
  expect_equal(log_loss(y, p), mean(-log(c(0.9, 0.01, 0.8, 0.8))), tolerance = 1e-14)
  expect_equal(brier_score(y, p), mean((y - p)^2), tolerance = 1e-14)
  # Confidence in the wrong outcome is unbounded for log loss, not for Brier.
  expect_identical(log_loss(0, 1), Inf)
  expect_identical(brier_score(0, 1), 1)
})

test_that("claim 8: always-0.5 has Brier 0.25; the Brier decompositions add up to 1e-12", {
  set.seed(808)
  y <- rbinom(1000, 1, 0.3)
  expect_identical(brier_score(y, rep(0.5, 1000)), 0.25)
  expect_equal(ece(y, rep(0.5, 1000)), abs(0.5 - mean(y)), tolerance = 1e-12)

  # Miscalibrated predictions, including some equal to exactly 0 and 1.
  z <- rnorm(2000)
  y <- rbinom(2000, 1, plogis(z))
  p <- plogis(2.5 * z + 0.3)
  p[1:20] <- 1
  p[21:30] <- 0
  w <- runif(2000, 0.5, 2)
  for (bins in c(1L, 7L, 10L)) {
    for (strategy in c("uniform", "quantile")) {
      d <- brier_decomp(y, p, bins = bins, strategy = strategy)
      expect_equal(d$brier, mean((y - p)^2), tolerance = 1e-12)
      expect_lt(abs(d$reliability - d$resolution + d$uncertainty + d$within_bin_variance -
                      2 * d$within_bin_covariance - d$brier), 1e-12)
      dw <- brier_decomp(y, p, bins = bins, strategy = strategy, weights = w)
      expect_lt(abs(dw$reliability - dw$resolution + dw$uncertainty + dw$within_bin_variance -
                      2 * dw$within_bin_covariance - dw$brier), 1e-12)
    }
  }
  # The binned terms against a direct computation with closed last bin.
  bin <- pmin(floor(p * 10), 9) + 1
  pk <- ave(p, bin)
  ok <- ave(y, bin)
  d <- brier_decomp(y, p, bins = 10)
  expect_equal(d$reliability, mean((pk - ok)^2), tolerance = 1e-12)
  expect_equal(d$resolution, mean((ok - mean(y))^2), tolerance = 1e-12)
  expect_equal(d$uncertainty, mean(y) * (1 - mean(y)), tolerance = 1e-12)
  expect_equal(d$within_bin_variance, mean((p - pk)^2), tolerance = 1e-12)
  expect_equal(d$within_bin_covariance, mean((p - pk) * (y - ok)), tolerance = 1e-12)
  # Without the within-bin terms the three-part identity would be off.
  expect_gt(abs(d$reliability - d$resolution + d$uncertainty - d$brier), 1e-6)

  # CORP: exact three-part identity, and REL = Brier - Brier(PAV recalibration).
  k <- brier_decomp(y, p, method = "corp")
  expect_lt(abs(k$reliability - k$resolution + k$uncertainty - k$brier), 1e-12)
  pav <- stats::isoreg(p[order(p)], y[order(p)])$yf
  recal <- numeric(length(p))
  recal[order(p)] <- pav
  expect_equal(k$reliability, k$brier - mean((recal - y)^2), tolerance = 1e-10)
  expect_gte(k$reliability, 0)

  # Predictions equal to 1.0 stay in the last bin (the text's half-open rule drops them).
  curve <- cal_curve(y, p, bins = 10)$table
  expect_equal(sum(curve$count), length(p))
  expect_equal(curve$count[10], sum(p >= 0.9))
  edges <- seq(0, 1, by = 0.1)
  half_open <- sum(vapply(1:10, function(b) sum(p >= edges[b] & p < edges[b + 1]), numeric(1)))
  expect_identical(as.integer(half_open), length(p) - sum(p == 1))
})

# A binary problem with a train / calibration / test split.
calibration_split <- function(n, seed) {
  set.seed(seed)
  X <- matrix(rnorm(n * 6), n, 6)
  eta <- drop(X %*% c(1, -0.8, 0.6, 0.5, 0, 0)) - 0.2
  d <- data.frame(y = rbinom(n, 1, plogis(eta)), X)
  split(d, rep(c("train", "calib", "test"), length.out = n))
}

test_that("claim 7: isotonic calibration lowers the held-out Brier score of an overconfident model", {
  s <- calibration_split(3000, 707)
  fit <- fit_mle(y ~ ., data = s$train, family = lik_bernoulli())
  logit <- function(d) as.numeric(predict(fit, d, type = "link"))
  # Deliberately overconfident: logits stretched threefold.
  over <- function(d) plogis(3 * logit(d))
  p_cal <- over(s$calib)
  p_test <- over(s$test)
  expect_gt(ece(s$test$y, p_test), 0.05)

  iso <- calibrate(s$calib$y, p_cal, method = "isotonic")
  platt <- calibrate(s$calib$y, p_cal, method = "platt")
  p_iso <- predict(iso, p_test)
  p_platt <- predict(platt, p_test)
  before <- brier_score(s$test$y, p_test)
  expect_lt(brier_score(s$test$y, p_iso), before - 0.005)
  expect_lt(brier_score(s$test$y, p_platt), before - 0.005)
  expect_lt(ece(s$test$y, p_iso), ece(s$test$y, p_test))
  # Platt undoes the stretch exactly: its slope is a third of the slope
  # Platt finds for the unstretched model, the intercept the same.
  platt_raw <- calibrate(s$calib$y, plogis(logit(s$calib)), method = "platt")
  expect_equal(coef(platt)[["slope"]], coef(platt_raw)[["slope"]] / 3, tolerance = 1e-6)
  expect_equal(coef(platt)[["intercept"]], coef(platt_raw)[["intercept"]], tolerance = 1e-6)
  # The calibrated maps are monotone, so the ranking is not reversed.
  o <- order(p_test)
  expect_true(all(diff(p_iso[o]) >= -1e-12))
  expect_true(all(diff(p_platt[o]) >= 0))

  # The logistic model itself is close to calibrated; the claim is about
  # the poorly calibrated one, so the stretched model is worse before.
  expect_lt(brier_score(s$test$y, plogis(logit(s$test))), before)
})

test_that("claim 7: isotonic calibration lowers naive Bayes's held-out Brier score", {
  skip_if_not_installed("e1071")
  # Eight noisy copies of one latent signal: naive Bayes counts the same
  # evidence eight times and is overconfident.
  set.seed(717)
  n <- 3000
  z <- rnorm(n)
  X <- z + matrix(rnorm(n * 8), n, 8)
  d <- data.frame(y = factor(rbinom(n, 1, plogis(1.5 * z))), X)
  part <- rep(c("train", "calib", "test"), length.out = n)
  nb <- e1071::naiveBayes(y ~ ., data = d[part == "train", ])
  prob <- function(rows) predict(nb, d[rows, ], type = "raw")[, "1"]
  p_cal <- prob(part == "calib")
  p_test <- prob(part == "test")
  y_cal <- as.integer(d$y[part == "calib"]) - 1L
  y_test <- as.integer(d$y[part == "test"]) - 1L
  expect_gt(ece(y_test, p_test), 0.05)

  iso <- calibrate(y_cal, p_cal, method = "isotonic")
  before <- brier_score(y_test, p_test)
  after <- brier_score(y_test, predict(iso, p_test))
  expect_lt(after, before - 0.005)
  expect_lt(ece(y_test, predict(iso, p_test)), ece(y_test, p_test))
})

test_that("claim 15: temperature scaling keeps the argmax and lowers the NLL of an overconfident model", {
  set.seed(1515)
  three_classes <- function(n) {
    X <- matrix(rnorm(n * 30), n, 30)
    B <- matrix(0, 30, 3)
    B[1:4, 2] <- c(1, -1, 0.5, 0.8)
    B[1:4, 3] <- c(-0.5, 1, 1, -0.7)
    eta <- X %*% B
    prob <- exp(eta) / rowSums(exp(eta))
    y <- apply(prob, 1, function(q) sample(3, 1, prob = q))
    data.frame(y = factor(c("a", "b", "c")[y]), X)
  }
  train <- three_classes(200)
  valid <- three_classes(1000)
  test <- three_classes(2000)
  # 62 coefficients from 200 cases: overfitted, hence overconfident.
  fit <- fit_mle(y ~ ., data = train, family = lik_categorical())
  logits <- function(d) cbind(a = 0, predict(fit, d, type = "link"))
  softmax <- function(z) {
    e <- exp(z - apply(z, 1, max))
    e / rowSums(e)
  }
  z_valid <- logits(valid)
  z_test <- logits(test)

  temp <- calibrate(valid$y, z_valid, method = "temperature")
  expect_gt(temp$temperature, 1)
  expect_null(temp$at_bound)

  # T minimises the validation NLL of softmax(z / T).
  nll <- function(t, z, y) -mean(log(softmax(z / t)[cbind(seq_along(y), as.integer(y))]))
  t_ref <- optimize(nll, c(0.05, 20), z = z_valid, y = valid$y, tol = 1e-10)$minimum
  expect_equal(temp$temperature, t_ref, tolerance = 1e-4)

  p_before <- softmax(z_test)
  p_after <- predict(temp, z_test)
  expect_equal(unname(p_after), unname(softmax(z_test / temp$temperature)), tolerance = 1e-12)
  expect_identical(max.col(p_after, ties.method = "first"), max.col(p_before, ties.method = "first"))
  expect_lt(log_loss(test$y, p_after), log_loss(test$y, p_before) - 0.05)
  expect_lt(log_loss(valid$y, predict(temp, z_valid)), log_loss(valid$y, softmax(z_valid)))
  expect_lt(ece(test$y, p_after), ece(test$y, p_before))

  # Binary logits: the same, with a vector of logits.
  s <- calibration_split(2000, 1516)
  fit2 <- fit_mle(y ~ ., data = s$train, family = lik_bernoulli())
  zc <- 4 * as.numeric(predict(fit2, s$calib, type = "link"))
  zt <- 4 * as.numeric(predict(fit2, s$test, type = "link"))
  t2 <- calibrate(s$calib$y, zc, method = "temperature")
  expect_gt(t2$temperature, 2)
  expect_identical(predict(t2, zt) > 0.5, zt > 0)
  expect_lt(log_loss(s$test$y, predict(t2, zt)), log_loss(s$test$y, plogis(zt)))
})
