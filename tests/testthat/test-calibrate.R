# A reference isotonic regression that does not use PAVA: pool tied x (weights
# summed, outcomes averaged), then the min-max formula
#   f_i = max_{j <= i} min_{k >= i} (weighted mean of y_j..y_k),
# which characterises the weighted least-squares non-decreasing fit.
isotonic_pava_r <- function(x, y, w = rep(1, length(x))) {
  keep <- w > 0
  x <- x[keep]
  y <- y[keep]
  w <- w[keep]
  ux <- sort(unique(x))
  g <- match(x, ux)
  uw <- as.vector(tapply(w, g, sum))
  uy <- as.vector(tapply(w * y, g, sum)) / uw
  m <- length(ux)
  cw <- c(0, cumsum(uw))
  cwy <- c(0, cumsum(uw * uy))
  block_mean <- function(j, k) (cwy[k + 1] - cwy[j]) / (cw[k + 1] - cw[j])
  f <- vapply(seq_len(m), function(i) {
    max(vapply(seq_len(i), function(j) min(block_mean(j, i:m)), 0))
  }, 0)
  list(x = ux, y = f, w = uw)
}

# Simulated held-out data: true logit z, outcome from it.
sim_binary <- function(n, seed) {
  set.seed(seed)
  z <- rnorm(n, sd = 1.5)
  list(z = z, y = rbinom(n, 1, plogis(z)))
}

softmax_rows <- function(U) {
  E <- exp(U - apply(U, 1, max))
  E / rowSums(E)
}

test_that("Platt scaling equals glm(binomial) on the logit scores", {
  d <- sim_binary(400, 1)
  s <- 2.5 * d$z + 0.4                       # overconfident, shifted logits
  ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
  ref <- glm(d$y ~ s, family = binomial, control = ctrl)
  cal <- calibrate(d$y, s, method = "platt")
  expect_s3_class(cal, "probml_calibrator")
  expect_identical(cal$scores_are, "logit")
  expect_equal(unname(cal$coefficients), unname(coef(ref)), tolerance = 1e-8)
  s_new <- c(-4, -1, 0, 2, 7)
  expect_equal(predict(cal, s_new), unname(predict(ref, data.frame(s = s_new), type = "response")),
               tolerance = 1e-8)

  # Probabilities are converted with qlogis: the same model as on the logits
  # (sklearn#34312), and equal to glm on qlogis(p).
  p <- plogis(s)
  cal_p <- calibrate(d$y, p, method = "platt")
  expect_identical(cal_p$scores_are, "probability")
  lp <- qlogis(p)
  ref_p <- glm(d$y ~ lp, family = binomial, control = ctrl)
  expect_equal(unname(cal_p$coefficients), unname(coef(ref_p)), tolerance = 1e-8)
  expect_equal(predict(cal_p, plogis(s_new)), predict(cal, s_new), tolerance = 1e-8)

  # Weights, as glm's prior weights (integer so glm does not warn).
  set.seed(2)
  w <- sample(0:3, 400, TRUE)
  ref_w <- glm(d$y ~ s, family = binomial, weights = w, control = ctrl)
  cal_w <- calibrate(d$y, s, method = "platt", weights = w)
  expect_equal(unname(cal_w$coefficients), unname(coef(ref_w)), tolerance = 1e-8)

  # y as logical or a two-level factor (event = second level) is the same.
  expect_equal(calibrate(d$y == 1, s)$coefficients, cal$coefficients)
  expect_equal(calibrate(factor(d$y, labels = c("no", "yes")), s)$coefficients, cal$coefficients)

  # scores_are = "logit" keeps logits that happen to lie in [0, 1] as
  # logits, with a warning that they look like probabilities.
  s01 <- 0.05 + 0.9 * (s - min(s)) / diff(range(s))
  expect_warning(cal_l <- calibrate(d$y, s01, scores_are = "logit"), class = "probml_warning_scale")
  ref_l <- glm(d$y ~ s01, family = binomial, control = ctrl)
  expect_equal(unname(cal_l$coefficients), unname(coef(ref_l)), tolerance = 1e-8)
  expect_false(isTRUE(all.equal(cal_l$coefficients, calibrate(d$y, s01)$coefficients)))
})

test_that("Platt scaling of probabilities 0 or 1 needs eps, and then clips", {
  d <- sim_binary(200, 3)
  p <- plogis(3 * d$z)
  p[1:2] <- c(0, 1)
  expect_error(calibrate(d$y, p, method = "platt"), class = "probml_error_value")
  cal <- calibrate(d$y, p, method = "platt", eps = 1e-6)
  pc <- pmin(pmax(p, 1e-6), 1 - 1e-6)
  lp <- qlogis(pc)
  ref <- glm(d$y ~ lp, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  expect_equal(unname(cal$coefficients), unname(coef(ref)), tolerance = 1e-8)
  expect_equal(predict(cal, c(0, 1)), predict(cal, c(1e-6, 1 - 1e-6)))
})

test_that("isotonic fitted values equal stats::isoreg on distinct scores", {
  set.seed(4)
  x <- runif(300)
  y <- rbinom(300, 1, x^2)
  cal <- calibrate(y, x, method = "isotonic")
  ref <- isoreg(x, y)
  expect_equal(predict(cal, sort(x)), ref$yf, tolerance = 1e-12)
  expect_equal(predict(cal, x), ref$yf[order(ref$ord)], tolerance = 1e-12)
  # and the reference PAVA agrees with isoreg as well
  expect_equal(isotonic_pava_r(x, y)$y, ref$yf, tolerance = 1e-12)
  # The step option is isoreg's step function (right-continuous).
  cal_step <- calibrate(y, x, method = "isotonic", isotonic_predict = "step")
  xs <- c(sort(x)[c(5, 50, 200)] + 1e-9, sort(x)[c(10, 100)], runif(20, min(x), max(x)))
  expect_equal(predict(cal_step, xs), as.stepfun(ref)(xs), tolerance = 1e-12)
})

test_that("isotonic calibration with ties and weights is the weighted monotone least-squares fit", {
  set.seed(5)
  x <- sample(seq(0.025, 0.975, by = 0.05), 250, TRUE)   # many ties
  y <- rbinom(250, 1, x)
  w <- rexp(250)
  w[1:10] <- 0
  cal <- calibrate(y, x, method = "isotonic", weights = w)
  ref <- isotonic_pava_r(x, y, w)
  expect_equal(predict(cal, ref$x), ref$y, tolerance = 1e-12)
  expect_false(is.unsorted(predict(cal, ref$x)))
  # No monotone perturbation of the fit has a smaller weighted squared error.
  fit <- predict(cal, ref$x)
  pooled_y <- as.vector(tapply((w * y)[w > 0], x[w > 0], sum)) / ref$w
  sse <- function(f) sum(ref$w * (pooled_y - f)^2)
  set.seed(6)
  for (k in 1:25) expect_gte(sse(sort(fit + rnorm(length(fit), sd = 0.02))), sse(fit))
  # Integer weights are the same as repeated rows.
  wi <- rep(1:3, length.out = 250)
  expect_equal(predict(calibrate(y, x, method = "isotonic", weights = wi), ref$x),
               predict(calibrate(rep(y, wi), rep(x, wi), method = "isotonic"), ref$x),
               tolerance = 1e-12)
})

test_that("isotonic predictions interpolate linearly and are clipped outside the range", {
  x <- c(0.1, 0.2, 0.3, 0.4)
  y <- c(0, 1, 0, 1)
  cal <- calibrate(y, x, method = "isotonic")   # fit: 0, 0.5, 0.5, 1
  expect_equal(predict(cal, x), c(0, 0.5, 0.5, 1))
  expect_equal(predict(cal, c(0.15, 0.35, 0.38)), c(0.25, 0.75, 0.9))
  expect_equal(predict(cal, c(0, 0.05, 0.45, 1)), c(0, 0, 1, 1))
  step <- calibrate(y, x, method = "isotonic", isotonic_predict = "step")
  expect_equal(predict(step, c(0.05, 0.15, 0.2, 0.35, 0.9)), c(0, 0, 0.5, 0.5, 1))
})

test_that("strictly increasing isotonic calibration keeps the ranking of distinct scores", {
  set.seed(7)
  x <- runif(400)
  y <- rbinom(400, 1, x)
  plain <- calibrate(y, x, method = "isotonic")
  strict <- calibrate(y, x, method = "isotonic", strictly_increasing = TRUE)
  ref <- isotonic_pava_r(x, y)
  # Block centres: weighted mean x of each run of equal fitted values.
  block <- cumsum(c(TRUE, diff(ref$y) != 0))
  centres <- as.vector(tapply(ref$w * ref$x, block, sum) / tapply(ref$w, block, sum))
  values <- ref$y[!duplicated(block)]
  expect_gt(length(centres), 2)
  expect_equal(predict(strict, centres), values, tolerance = 1e-12)
  inside <- sort(x[x > min(centres) & x < max(centres)])
  expect_true(all(diff(predict(strict, inside)) > 0))
  # The plain fit collapses many of the same scores into ties.
  expect_gt(sum(diff(predict(plain, inside)) == 0), 100)
  # Constant outside the outer centres, and still within [0, 1].
  expect_lt(min(centres), min(x) + 0.05)
  expect_equal(predict(strict, c(0, min(x), max(x), 1)), values[c(1, 1, length(values), length(values))])
})

test_that("temperature scaling lowers the NLL of an overconfident binary model and keeps the class", {
  d <- sim_binary(3000, 8)
  logits <- 3 * d$z                          # overconfident by a factor 3
  train <- 1:1500
  test <- 1501:3000
  cal <- calibrate(d$y[train], logits[train], method = "temperature")
  expect_gt(cal$temperature, 2.4)
  expect_lt(cal$temperature, 3.6)
  # It is the minimiser of the NLL (check against a direct one-dimensional search).
  nll <- function(t) log_loss(d$y[train], plogis(logits[train] / t))
  ref_t <- optimize(function(s) nll(exp(s)), c(log(0.01), log(100)), tol = 1e-12)$minimum
  expect_equal(cal$temperature, exp(ref_t), tolerance = 1e-5)
  expect_lt(nll(cal$temperature), nll(cal$temperature * 1.01))
  expect_lt(nll(cal$temperature), nll(cal$temperature / 1.01))
  # Lower NLL on held-out data; the predicted class never changes.
  p_new <- predict(cal, logits[test])
  expect_lt(log_loss(d$y[test], p_new), log_loss(d$y[test], plogis(logits[test])) - 0.05)
  expect_identical(p_new > 0.5, logits[test] > 0)
  expect_equal(p_new, plogis(logits[test] / cal$temperature))
  # The same from probabilities (converted with qlogis).
  cal_p <- calibrate(d$y[train], plogis(logits[train]), method = "temperature")
  expect_equal(cal_p$temperature, cal$temperature, tolerance = 1e-6)
})

test_that("multiclass temperature scaling never changes the argmax and lowers the NLL", {
  set.seed(9)
  n <- 2000
  Z <- matrix(rnorm(n * 4, sd = 1.2), n, 4, dimnames = list(NULL, c("a", "b", "c", "d")))
  P <- softmax_rows(Z)
  y <- factor(apply(P, 1, function(p) sample(colnames(Z), 1, prob = p)), levels = colnames(Z))
  over <- 3 * Z
  cal <- calibrate(y[1:1000], over[1:1000, ], method = "temperature")
  expect_gt(cal$temperature, 2.4)
  expect_lt(cal$temperature, 3.6)
  nll <- function(t) log_loss(y[1:1000], softmax_rows(over[1:1000, ] / t))
  ref_s <- optimize(function(s) nll(exp(s)), c(log(0.01), log(100)), tol = 1e-12)$minimum
  expect_equal(cal$temperature, exp(ref_s), tolerance = 1e-5)
  Pn <- predict(cal, over[1001:n, ])
  expect_true(is.matrix(Pn))
  expect_identical(colnames(Pn), levels(y))
  expect_equal(rowSums(Pn), rep(1, n - 1000))
  expect_identical(max.col(Pn, "first"), max.col(over[1001:n, ], "first"))
  expect_equal(Pn, softmax_rows(over[1001:n, ] / cal$temperature), ignore_attr = TRUE)
  expect_lt(log_loss(y[1001:n], Pn), log_loss(y[1001:n], softmax_rows(over[1001:n, ])) - 0.05)
  # A probability matrix gives the same temperature as its logits.
  Po <- softmax_rows(over[1:1000, ])
  colnames(Po) <- colnames(Z)
  cal_p <- calibrate(y[1:1000], Po, method = "temperature")
  expect_identical(cal_p$scores_are, "probability")
  expect_equal(cal_p$temperature, cal$temperature, tolerance = 1e-6)
  # Weights: zero weight is the same as dropping the row.
  w <- rep(c(1, 0), 500)
  expect_equal(calibrate(y[1:1000], over[1:1000, ], method = "temperature", weights = w)$temperature,
               calibrate(y[seq(1, 999, 2)], over[seq(1, 999, 2), ], method = "temperature")$temperature,
               tolerance = 1e-8)
})

test_that("temperature at a bound of log T gives a classed warning", {
  # Every held-out prediction correct: the NLL keeps falling as T -> 0.
  z <- c(-3, -2, -1, 1, 2, 3)
  y <- c(0, 0, 0, 1, 1, 1)
  expect_warning(cal <- calibrate(y, z, method = "temperature"), class = "probml_warning_temperature_bound")
  expect_equal(cal$temperature, 1e-2)
  expect_identical(cal$at_bound, "lower")
  # The same for a matrix of multiclass logits that are all right.
  Z <- rbind(c(2, 0, 0), c(0, 2, 0), c(0, 0, 2), c(3, 1, 0))
  expect_warning(calm <- calibrate(factor(c("a", "b", "c", "a")), Z, method = "temperature"),
                 class = "probml_warning_temperature_bound")
  expect_equal(calm$temperature, 1e-2)
  # The upper bound, when the bounds are too tight.
  d <- sim_binary(500, 10)
  expect_warning(cal_hi <- calibrate(d$y, 4 * d$z, method = "temperature", log_t_bounds = c(-1, 0.5)),
                 class = "probml_warning_temperature_bound")
  expect_equal(cal_hi$temperature, exp(0.5))
  # An interior optimum does not warn.
  expect_no_warning(calibrate(d$y, 4 * d$z, method = "temperature"))
})

test_that("beta calibration recovers a known beta-calibration map and is monotone", {
  set.seed(11)
  n <- 20000
  p <- rbeta(n, 2, 2)
  truth <- function(s) plogis(0.3 + 2 * log(s) - 0.5 * log(1 - s))   # a = 2, b = 0.5, c = 0.3
  y <- rbinom(n, 1, truth(p))
  cal <- calibrate(y, p, method = "beta")
  expect_equal(unname(cal$coefficients), c(2, 0.5, 0.3), tolerance = 0.15)
  # It is the maximum-likelihood logistic regression on (log p, -log(1 - p)).
  f1 <- log(p)
  f2 <- -log(1 - p)
  ref <- glm(y ~ f1 + f2, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  expect_equal(unname(cal$coefficients), unname(coef(ref)[c(2, 3, 1)]), tolerance = 1e-8)
  grid <- seq(0.001, 0.999, length.out = 999)
  expect_equal(predict(cal, grid), truth(grid), tolerance = 0.03)
  expect_false(is.unsorted(predict(cal, grid)))
  # From logits, the same map.
  expect_equal(calibrate(y, qlogis(p), method = "beta")$coefficients, cal$coefficients, tolerance = 1e-8)
})

test_that("beta calibration drops a negative coefficient and refits, staying monotone", {
  set.seed(12)
  n <- 5000
  p <- runif(n, 0.01, 0.99)
  # A decreasing dependence on log p: a free fit would give a < 0.
  y <- rbinom(n, 1, plogis(-0.5 - 0.5 * log(p) + 2 * -log(1 - p)))
  f1 <- log(p)
  f2 <- -log(1 - p)
  ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
  expect_lt(coef(glm(y ~ f1 + f2, family = binomial, control = ctrl))[["f1"]], 0)
  cal <- calibrate(y, p, method = "beta")
  expect_identical(cal$coefficients[["a"]], 0)
  ref <- glm(y ~ f2, family = binomial, control = ctrl)
  expect_equal(unname(cal$coefficients[c("b", "c")]), unname(coef(ref)[c(2, 1)]), tolerance = 1e-8)
  expect_false(is.unsorted(predict(cal, seq(0.001, 0.999, length.out = 500))))
  expect_output(print(cal), "dropped")
  # A decreasing relation: both terms are dropped and the map is constant.
  y2 <- rbinom(n, 1, plogis(1 - 2 * qlogis(p)))
  cal2 <- calibrate(y2, p, method = "beta")
  expect_identical(unname(cal2$coefficients[c("a", "b")]), c(0, 0))
  expect_equal(cal2$coefficients[["c"]], qlogis(mean(y2)), tolerance = 1e-8)
  expect_equal(predict(cal2, c(0.1, 0.9)), rep(mean(y2), 2), tolerance = 1e-8)
})

test_that("histogram binning predicts the weighted mean outcome of each bin", {
  set.seed(13)
  p <- c(runif(300), 1, 0)                 # 1.0 falls in the last bin
  y <- rbinom(302, 1, p)
  w <- rexp(302)
  cal <- calibrate(y, p, method = "histogram", bins = 5, weights = w)
  bin <- pmin(floor(p * 5), 4) + 1
  ref <- as.vector(tapply(w * y, bin, sum) / tapply(w, bin, sum))
  expect_equal(cal$bin_means, ref, tolerance = 1e-12)
  expect_equal(predict(cal, c(0, 0.1, 0.2, 0.5, 0.99, 1)), ref[c(1, 1, 2, 3, 5, 5)], tolerance = 1e-12)
  expect_equal(predict(cal, 1), ref[5])
  # An empty bin predicts the overall (weighted) mean.
  q <- c(runif(50, 0, 0.4), runif(50, 0.6, 1))
  yq <- rbinom(100, 1, q)
  cal_e <- calibrate(yq, q, method = "histogram", bins = 5)
  expect_equal(predict(cal_e, 0.5), mean(yq))
  expect_equal(cal_e$bin_weights[3], 0)
  # Quantile bins hold about equal numbers of scores.
  cal_q <- calibrate(y, p, method = "histogram", bins = 4, strategy = "quantile")
  expect_equal(cal_q$bin_weights, rep(302 / 4, 4), tolerance = 0.02)
  expect_equal(cal_q$breaks, c(0, quantile(p, 1:3 / 4, names = FALSE), 1))
  # Logits are binned as probabilities.
  expect_equal(predict(calibrate(y[1:300], qlogis(p[1:300]), method = "histogram", bins = 5), c(-3, 0, 0.1)),
               predict(calibrate(y[1:300], p[1:300], method = "histogram", bins = 5), plogis(c(-3, 0, 0.1))))
})

test_that("a zero weight is the same as leaving the observation out", {
  d <- sim_binary(300, 14)
  p <- plogis(2 * d$z)
  w <- rep(c(1, 1, 0), 100)
  keep <- w > 0
  for (m in c("platt", "beta", "isotonic", "histogram", "temperature")) {
    a <- calibrate(d$y, p, method = m, weights = w)
    b <- calibrate(d$y[keep], p[keep], method = m)
    grid <- c(0.01, 0.2, 0.5, 0.77, 0.99)
    expect_equal(predict(a, grid), predict(b, grid), tolerance = 1e-8, label = m)
  }
})

test_that("calibrate() refuses bad input with classed errors", {
  y <- c(0, 1, 0, 1, 1, 0)
  p <- c(0.1, 0.8, 0.3, 0.6, 0.9, 0.4)
  expect_probml_error(calibrate(y, c(p[-1], 1.2), scores_are = "probability"), "probml_error")
  expect_probml_error(calibrate(y, c(p[-1], -0.1), method = "isotonic", scores_are = "probability"), "probml_error")
  expect_probml_error(calibrate(y, replace(p, 2, NA)), "probml_error_missing")
  expect_probml_error(calibrate(replace(y, 3, NA), p), "probml_error_missing")
  expect_probml_error(calibrate(y, p[-1]), "probml_error_length")
  expect_probml_error(calibrate(y[-1], p, method = "isotonic"), "probml_error_length")
  expect_probml_error(calibrate(c(0, 1, 2, 1, 1, 0), p), "probml_error")
  expect_probml_error(calibrate(c("a", "b", "c", "a", "b", "c"), p), "probml_error_response")
  expect_probml_error(calibrate(factor(c("a", "b", "c", "a", "b", "c")), p), "probml_error")
  expect_probml_error(calibrate(rep(1, 6), p), "probml_error")
  expect_probml_error(calibrate(y, p, weights = c(0, 1, 0, 1, 1, 0)), "probml_error")
  expect_probml_error(calibrate(y, p, method = "histogram", bins = 0), "probml_error")
  expect_probml_error(calibrate(y, p, method = "histogram", bins = 2.5), "probml_error")
  expect_probml_error(calibrate(y, p, method = "sigmoid"), "probml_error")
  expect_probml_error(calibrate(y, p, scores_are = "prob"), "probml_error")
  expect_probml_error(calibrate(y, p, method = "isotonic", isotonic_predict = "spline"), "probml_error")
  expect_probml_error(calibrate(y, p, method = "isotonic", strictly_increasing = NA), "probml_error")
  expect_probml_error(calibrate(y, c(-1, 2, Inf, 0, 1, 3)), "probml_error_nonfinite")
  expect_probml_error(calibrate(y, c(-1, 2, -Inf, 0, 1, 3), method = "temperature"), "probml_error_nonfinite")
  expect_probml_error(calibrate(y, replace(p, 1, 0), method = "beta"), "probml_error_value")
  expect_probml_error(calibrate(y, as.character(p)), "probml_error")
  expect_probml_error(calibrate(y, numeric(0)), "probml_error_length")
  expect_probml_error(calibrate(y, cbind(p, 1 - p), method = "platt"), "probml_error")
  expect_probml_error(calibrate(y, p, weights = c(1, 1, -1, 1, 1, 1)), "probml_error")
  expect_probml_error(calibrate(y, p, weights = c(1, 1)), "probml_error_length")
  expect_probml_error(calibrate(y, p, method = "temperature", log_t_bounds = c(1, -1)), "probml_error")
  expect_probml_error(calibrate(y, p, eps = 0.7), "probml_error")
  # Multiclass temperature scaling: y must be a factor matching the columns.
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.6), c(0.3, 0.3, 0.4))
  colnames(P) <- c("a", "b", "c")
  yc <- factor(c("a", "b", "c", "a"), levels = c("a", "b", "c"))
  # Class numbers 1..K are classes, as wherever a matrix gives K.
  expect_equal(calibrate(c(1, 2, 3, 1), P, method = "temperature")$temperature,
               calibrate(yc, P, method = "temperature")$temperature)
  expect_probml_error(calibrate(factor(c("a", "b", "b", "a")), P, method = "temperature"), "probml_error")
  expect_probml_error(calibrate(factor(c("x", "y", "z", "x")), P, method = "temperature"), "probml_error")
  expect_probml_error(calibrate(yc[-1], P, method = "temperature"), "probml_error_length")
  P_bad <- P
  P_bad[1, 1] <- 0.9
  expect_probml_error(calibrate(yc, P_bad, method = "temperature", scores_are = "probability"), "probml_error")
  expect_probml_error(calibrate(factor(rep("a", 4), levels = c("a", "b", "c")), P, method = "temperature"),
                      "probml_error")
  # The messages name the argument.
  expect_error(calibrate(y, p[-1]), "scores")
  expect_error(calibrate(y, p, method = "histogram", bins = 0), "bins")
  expect_error(calibrate(y, p, method = "sigmoid"), "method")
})

test_that("predict() refuses bad new scores with classed errors", {
  d <- sim_binary(100, 15)
  cal_p <- calibrate(d$y, plogis(d$z), method = "platt")
  cal_l <- calibrate(d$y, 2 * d$z, method = "isotonic")
  Z <- cbind(a = d$z, b = -d$z, c = 0)
  yc <- factor(c("a", "b", "c")[max.col(Z + matrix(rnorm(300), 100), "first")], levels = c("a", "b", "c"))
  cal_m <- calibrate(yc, Z, method = "temperature")
  expect_probml_error(predict(cal_p), "probml_error")
  expect_probml_error(predict(cal_p, c(0.2, NA)), "probml_error_missing")
  expect_probml_error(predict(cal_p, c(0.2, 1.5)), "probml_error")
  expect_probml_error(predict(cal_p, c(0.2, 1)), "probml_error_value")
  expect_probml_error(predict(cal_p, "0.2"), "probml_error")
  expect_probml_error(predict(cal_p, cbind(0.2, 0.8)), "probml_error")
  expect_probml_error(predict(cal_l, c(0, Inf)), "probml_error_nonfinite")
  expect_probml_error(predict(cal_m, Z[, 1:2]), "probml_error")
  expect_probml_error(predict(cal_m, d$z), "probml_error")
  expect_error(predict(cal_p, c(0.2, 1.5)), "newdata")
})

test_that("print shows the method and its parameters; plot draws the map", {
  d <- sim_binary(300, 16)
  p <- plogis(2 * d$z)
  cal <- calibrate(d$y, p, method = "platt")
  expect_output(print(cal), "Platt scaling")
  expect_output(print(cal), format(signif(cal$coefficients[["slope"]], 4)))
  tmp <- suppressWarnings(calibrate(d$y, 2 * d$z, method = "temperature"))
  expect_output(print(tmp), paste0("T = ", format(signif(tmp$temperature, 4))))
  expect_output(print(calibrate(d$y, p, method = "isotonic")), "blocks")
  expect_output(print(calibrate(d$y, p, method = "histogram", bins = 3)), "3 uniform bins")
  expect_output(print(calibrate(d$y, p, method = "beta")), "beta calibration")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  for (m in c("platt", "isotonic", "beta", "histogram")) {
    cal_m <- calibrate(d$y, p, method = m)
    expect_identical(plot(cal_m), cal_m)
    usr <- graphics::par("usr")
    expect_true(usr[1] < 0.01 && usr[2] > 0.99, label = m)   # drawn over [0, 1]
  }
  expect_identical(plot(tmp), tmp)
  expect_lt(graphics::par("usr")[1], min(2 * d$z) + 0.5)      # over the logit range
})

test_that("calibrate's messages", {
  set.seed(4)
  y <- rbinom(40, 1, 0.5)
  p <- runif(40, 0.05, 0.95)
  P <- cbind(a = 1 - p, b = p)
  cal <- calibrate(y, p, method = "platt")
  cal_t <- calibrate(factor(c("a", "b")[y + 1L]), P, method = "temperature")
  expect_condition_snapshot({
    calibrate(y, p, log_t_bounds = c(2, 1))
    calibrate(y, rep(0.3, 40), method = "beta")
    calibrate(y, as.character(p))
    calibrate(y, P, method = "isotonic")
    calibrate(y, numeric(0))
    calibrate(y, replace(p, 3, NA))
    predict(cal, P)
    predict(cal_t, p)
    calibrate(y, replace(p, 1, 1.5), scores_are = "probability")
    calibrate(y, replace(qlogis(p), 1, Inf), scores_are = "logit")
    predict(calibrate(y, qlogis(p), scores_are = "logit"), c(0, Inf))
    calibrate(y, replace(p, 1, 0), method = "platt")
    calibrate(c(0, 1), c(0.2, 0.7), method = "beta")
    predict(cal)
  })
  expect_condition_snapshot(cal2 <- calibrate(c(rep(1, 30), rep(0, 10)), c(runif(30, 0.6, 0.9), runif(10, 0.1, 0.4)),
                                              method = "temperature"), error = FALSE)
})

test_that("constant scores are refused by the maps they cannot identify", {
  y <- rep(c(0, 1), 20)
  expect_error(calibrate(y, rep(0.4, 40), method = "platt"), class = "probml_error_degenerate")
  expect_error(calibrate(y, rep(0.4, 40), method = "beta"), class = "probml_error_degenerate")
  # Isotonic and histogram maps of constant scores are the base rate.
  expect_equal(predict(calibrate(y, rep(0.4, 40), method = "isotonic"), 0.4), 0.5)
  expect_equal(predict(calibrate(y, rep(0.4, 40), method = "histogram", bins = 3), 0.4), 0.5)
})

# Data frames ---------------------------------------------------------------

# A calibrator without what only a data-frame call records.
strip_frame <- function(cal) cal[setdiff(names(cal), c("call", "truth", "estimate"))]

test_that("a data-frame calibrate() fits the vector call's calibrator", {
  d <- sim_frame()
  P <- frame_prob_matrix(d)
  for (method in c("platt", "isotonic", "beta", "histogram", "temperature")) {
    for (truth in c("yb", "yf", "yl")) {
      a <- calibrate(d, !!truth, pb, method = method)
      expect_identical(strip_frame(a), strip_frame(calibrate(d[[truth]], d$pb, method = method)))
      expect_identical(a$truth, truth)
      expect_identical(a$estimate, "pb")
      b <- calibrate(d, !!truth, "pb", method, w)     # positional: method, then weights
      expect_identical(strip_frame(b), strip_frame(calibrate(d[[truth]], d$pb, method, d$w)))
    }
    expect_identical(strip_frame(calibrate(d, yb, zb, method = method, weights = w, scores_are = "logit")),
                     strip_frame(calibrate(d$yb, d$zb, method = method, weights = d$w, scores_are = "logit")))
  }
  # The default method, as in the vector call.
  expect_identical(strip_frame(calibrate(d, yb, pb)), strip_frame(calibrate(d$yb, d$pb)))
  # Multiclass temperature scaling: the columns in any order.
  m <- calibrate(d, cls, c(c, a, b), method = "temperature", weights = w)
  expect_identical(strip_frame(m), strip_frame(calibrate(d$cls, P, method = "temperature", weights = d$w)))
  expect_identical(m$estimate, c("a", "b", "c"))
  expect_identical(calibrate(d, yb, pb, method = "platt")$call, quote(calibrate(y = d, truth = yb, estimate = pb, method = "platt")))
})

test_that("predict() on a data frame replaces the estimate columns by the vector predictions", {
  d <- sim_frame()
  nd <- sim_frame(50, seed = 2)
  for (method in c("platt", "isotonic", "beta", "histogram", "temperature")) {
    cal <- calibrate(d, yf, pb, method = method, weights = w)
    out <- predict(cal, nd)
    expect_identical(out$pb, predict(cal, nd$pb))
    expect_identical(out[setdiff(names(nd), "pb")], nd[setdiff(names(nd), "pb")])
    # A calibrator fitted on vectors needs `estimate`; then it is the same.
    vec <- calibrate(d$yf, d$pb, method = method, weights = d$w)
    expect_identical(predict(vec, nd, estimate = pb), out)
    # Other columns can be chosen.
    nd$other <- nd$pb
    expect_identical(predict(cal, nd, estimate = other)$other, out$pb)
    nd$other <- NULL
  }
  m <- calibrate(d, cls, c(c, a, b), method = "temperature")
  pm <- predict(m, nd)
  ref <- predict(m, frame_prob_matrix(nd))
  expect_identical(as.matrix(pm[c("a", "b", "c")]), ref)
  expect_identical(pm[c("g1", "pb")], nd[c("g1", "pb")])
  vm <- calibrate(d$cls, frame_prob_matrix(d), method = "temperature")
  expect_identical(predict(vm, nd, estimate = c(b, c, a)), pm)
  skip_if_not_installed("tibble")
  tb <- predict(cal, tibble::as_tibble(nd))
  expect_s3_class(tb, "tbl_df")
  expect_identical(tb$pb, predict(cal, nd$pb))
})

test_that("grouped calibrate() fits one calibrator per group; predict() applies each row's group's", {
  d <- sim_frame(360)
  rows <- frame_group_rows(d)
  set <- calibrate(d, yb, pb, method = "platt", weights = w, .by = c(g1, g2))
  expect_s3_class(set, "probml_calibrator_set")
  expect_identical(length(set$calibrators), length(rows))
  key <- unique(d[c("g1", "g2")])
  rownames(key) <- NULL
  expect_identical(set$key, key)
  for (i in seq_along(rows)) {
    r <- rows[[i]]
    expect_identical(strip_frame(set$calibrators[[i]]), strip_frame(calibrate(d$yb[r], d$pb[r], method = "platt", weights = d$w[r])))
  }
  nd <- sim_frame(90, seed = 3)
  out <- predict(set, nd)
  expected <- nd$pb
  for (i in seq_len(nrow(key))) {
    r <- which(nd$g1 == key$g1[i] & nd$g2 == key$g2[i])
    expected[r] <- predict(set$calibrators[[i]], nd$pb[r])
  }
  expect_identical(out$pb, expected)
  expect_identical(out[setdiff(names(nd), "pb")], nd[setdiff(names(nd), "pb")])
  # Multiclass, grouped by one column.
  ms <- calibrate(d, cls, c(a, b, c), method = "temperature", .by = g1)
  pm <- predict(ms, nd)
  x <- nd$g1 == "x"
  expect_identical(as.matrix(pm[x, c("a", "b", "c")]), predict(ms$calibrators[[1]], frame_prob_matrix(nd)[x, ]),
                   ignore_attr = TRUE)
  skip_if_not_installed("dplyr")
  gd <- dplyr::group_by(d, g2, g1)
  gs <- calibrate(gd, yb, pb, method = "isotonic")
  g <- attr(gd, "groups")
  for (i in seq_len(nrow(g))) {
    r <- g$.rows[[i]]
    expect_identical(strip_frame(gs$calibrators[[i]]), strip_frame(calibrate(d$yb[r], d$pb[r], method = "isotonic")))
  }
  expect_identical(predict(gs, nd)$pb, {
    e <- nd$pb
    for (i in seq_len(nrow(g))) {
      r <- which(nd$g2 == g$g2[i] & nd$g1 == g$g1[i])
      e[r] <- predict(gs$calibrators[[i]], nd$pb[r])
    }
    e
  })
})

test_that("calibrate()'s data-frame messages", {
  d <- sim_frame(120)
  cal <- calibrate(d, yb, pb)
  vec <- calibrate(d$yb, d$pb)
  m <- calibrate(d$cls, frame_prob_matrix(d), method = "temperature")
  set <- calibrate(d, yb, pb, .by = g1)
  nd <- d
  nd$g1[5] <- "new"
  expect_condition_snapshot({
    calibrate(d, yb, nope)
    calibrate(d, cls, c(a, b))
    calibrate(d, yb, pb, scores = 1)
    predict(vec, d)
    predict(cal, d[c("yb", "g1")])
    predict(cal, d, estimate = c(pb, zb))
    predict(m, d, estimate = c(a, b, pb))
    predict(cal, d$pb, estimate = pb)
    predict(set, nd)
    predict(set, d[c("pb", "yb")])
    predict(set, d$pb)
    print(set)
  })
})

test_that("a calibrator keeps its training scores, thinned, for plot()'s rug", {
  d <- sim_binary(300, 21)
  p <- plogis(2 * d$z)
  w <- rep(1:0, c(250, 50))
  cal <- calibrate(d$y, p, method = "platt", weights = w)
  expect_identical(as.vector(cal$train_scores), sort(p[w > 0]))
  expect_identical(attr(cal$train_scores, "n"), 250L)
  tmp <- suppressWarnings(calibrate(d$y, p, method = "temperature"))
  expect_equal(as.vector(tmp$train_scores), sort(stats::qlogis(p)), tolerance = 1e-12)  # on the plot's logit axis
  set.seed(5)
  big <- runif(5000)
  iso <- calibrate(rbinom(5000, 1, big), big, method = "isotonic")
  expect_length(iso$train_scores, 2000L)
  expect_identical(range(iso$train_scores), range(big))
  expect_false(is.unsorted(iso$train_scores))
})

test_that("isotonic calibration: direction, bounds and out-of-range scores", {
  set.seed(41)
  z <- rnorm(400)
  y <- rbinom(400, 1, plogis(z))
  s <- plogis(-2 * z)              # scores that fall as the event grows likelier
  w <- rexp(400)
  # The default map is pava() of y on the scores.
  cal <- calibrate(y, plogis(2 * z), method = "isotonic", weights = w)
  ref <- pava(plogis(2 * z), y, weights = w)
  expect_equal(cal$isotonic$y, ref$knots$fitted)
  expect_equal(cal$out_of_range, "clip")
  dec <- calibrate(y, s, method = "isotonic", weights = w, increasing = FALSE)
  ref_dec <- pava(s, y, weights = w, increasing = FALSE)
  new <- runif(50)
  expect_equal(predict(dec, new), predict(ref_dec, new), tolerance = 1e-12)
  expect_false(is.unsorted(rev(predict(dec, sort(new)))))
  auto <- calibrate(y, s, method = "isotonic", weights = w, increasing = "auto")
  expect_false(auto$increasing)
  expect_equal(predict(auto, new), predict(dec, new))
  # Bounds keep calibrated probabilities off 0 and 1.
  b <- calibrate(y, s, method = "isotonic", increasing = FALSE, y_min = 0.01, y_max = 0.99)
  expect_equal(range(predict(b, new)), range(pmin(pmax(predict(calibrate(y, s, method = "isotonic", increasing = FALSE), new), 0.01), 0.99)))
  expect_true(all(predict(b, c(0, 1)) >= 0.01 & predict(b, c(0, 1)) <= 0.99))
  # Scores outside the training range: clip (the default), NA or an error.
  rng <- range(s)
  out <- c(rng[1] / 2, mean(rng), (1 + rng[2]) / 2)
  expect_equal(predict(dec, out)[c(1, 3)], predict(dec, rng))
  na <- calibrate(y, s, method = "isotonic", increasing = FALSE, out_of_range = "na")
  expect_equal(is.na(predict(na, out)), c(TRUE, FALSE, TRUE))
  err <- calibrate(y, s, method = "isotonic", increasing = FALSE, out_of_range = "error")
  expect_equal(predict(err, rng), predict(dec, rng))
  expect_probml_error(predict(err, out), "probml_error_newdata")
  # The strictly monotone map of a decreasing fit decreases strictly.
  st <- calibrate(y, s, method = "isotonic", increasing = FALSE, strictly_increasing = TRUE)
  expect_true(all(diff(predict(st, seq(0.3, 0.7, by = 0.05))) < 0))
  expect_snapshot(print(calibrate(y, s, method = "isotonic", increasing = "auto", y_min = 0.01, y_max = 0.99,
                                  out_of_range = "na")))
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(err), err)
})

test_that("isotonic calibration options: messages", {
  y <- c(0, 1, 0, 1)
  p <- c(0.2, 0.4, 0.6, 0.8)
  err <- calibrate(y, p, method = "isotonic", out_of_range = "error")
  expect_condition_snapshot({
    calibrate(y, p, method = "isotonic", increasing = "down")
    calibrate(y, p, method = "isotonic", y_min = -0.1)
    calibrate(y, p, method = "isotonic", y_min = 0.6, y_max = 0.4)
    calibrate(y, p, method = "isotonic", out_of_range = "nan")
    predict(err, c(0.1, 0.5))
  })
})
