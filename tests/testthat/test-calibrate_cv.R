# Simulated binary data whose probabilities are bounded in [0.15, 0.85]: a
# logistic regression cannot express the floor and ceiling, so its
# predictions are miscalibrated (too extreme) at both ends.
sim_bounded <- function(n, seed) {
  set.seed(seed)
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
  d$y <- rbinom(n, 1, 0.15 + 0.7 * plogis(3 * d$x1 - 2 * d$x2))
  d
}

glm_fit <- function(train) glm(y ~ x1 + x2, family = binomial, data = train)
glm_prob <- function(m, newdata) unname(predict(m, newdata, type = "response"))

test_that("update() refits a probml fit on new data", {
  d <- sim_bounded(300, 1)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli())
  half <- d[1:150, ]
  expect_equal(coef(stats::update(fit, data = half)),
               coef(fit_mle(y ~ x1 + x2, data = half, family = lik_bernoulli())))
})

test_that("cross-fitted calibration of a probml fit improves held-out scores", {
  d <- sim_bounded(6000, 11)
  train <- d[1:2000, ]
  test <- d[-(1:2000), ]
  fit <- fit_mle(y ~ x1 + x2, data = train, family = lik_bernoulli())
  raw <- predict(fit, test, type = "prob")

  iso <- calibrate_cv(train, model = fit, seed = 1)
  expect_s3_class(iso, "probml_calibrated_model")
  p_iso <- predict(iso, test)
  expect_length(p_iso, nrow(test))
  expect_true(all(p_iso >= 0 & p_iso <= 1))
  expect_lt(brier_score(test$y, p_iso), brier_score(test$y, raw))
  expect_lt(log_loss(test$y, p_iso, eps = 1e-3), log_loss(test$y, raw))
  expect_lt(ece(test$y, p_iso), ece(test$y, raw))
  # The raw type averages the uncalibrated fold models.
  expect_equal(predict(iso, test, type = "raw"),
               Reduce(`+`, lapply(iso$members, function(m) predict(m$model, test, type = "prob"))) / 5)

  pooled <- calibrate_cv(train, model = fit, ensemble = FALSE, seed = 1)
  p_pooled <- predict(pooled, test)
  expect_lt(brier_score(test$y, p_pooled), brier_score(test$y, raw))
  expect_lt(log_loss(test$y, p_pooled, eps = 1e-3), log_loss(test$y, raw))
  expect_lt(ece(test$y, p_pooled), ece(test$y, raw))
  # ensemble = FALSE: one calibrator on the pooled out-of-fold predictions,
  # over the model refitted on all rows.
  expect_equal(coef(pooled$model), coef(fit))
  direct <- calibrate(train$y, pooled$oof, method = "isotonic")
  expect_equal(p_pooled, predict(direct, raw))
})

test_that("a user model given as fit and predict functions is calibrated", {
  d <- sim_bounded(6000, 12)
  train <- d[1:2000, ]
  test <- d[-(1:2000), ]
  # An underconfident model: its probabilities squashed towards 1/2.
  squash <- function(m, newdata) 0.5 + 0.4 * (glm_prob(m, newdata) - 0.5)
  raw <- squash(glm_fit(train), test)
  for (method in c("platt", "isotonic", "beta", "histogram", "temperature")) {
    cm <- calibrate_cv(train, truth = "y", fit = glm_fit, predict_fn = squash, method = method, seed = 2)
    p <- predict(cm, test)
    expect_lt(brier_score(test$y, p), brier_score(test$y, raw) - 0.003)
    expect_lt(log_loss(test$y, p, eps = 1e-3), log_loss(test$y, raw))
  }
  # The outcome column may be 0/1, logical or a factor, named by a string
  # or a bare name (tidy-eval).
  a <- calibrate_cv(train, truth = "y", fit = glm_fit, predict_fn = squash, seed = 3)
  train$y_lgl <- train$y == 1
  train$y_fct <- factor(train$y, labels = c("no", "yes"))
  b <- calibrate_cv(train, y_lgl, fit = glm_fit, predict_fn = squash, seed = 3)
  f <- calibrate_cv(train, truth = y_fct, fit = glm_fit, predict_fn = squash, seed = 3)
  expect_identical(predict(a, test), predict(b, test))
  expect_identical(predict(a, test), predict(f, test))
  # The arguments in the order of calibrate(): data, truth, model, method, weights.
  expect_identical(predict(calibrate_cv(train, y, NULL, "platt", fit = glm_fit, predict_fn = squash, seed = 3), test),
                   predict(calibrate_cv(train, truth = "y", method = "platt", fit = glm_fit, predict_fn = squash, seed = 3), test))
  # Weights reach the calibrators.
  w <- rep(1, nrow(train))
  expect_equal(predict(calibrate_cv(train, truth = "y", fit = glm_fit, predict_fn = squash, seed = 3, weights = w), test),
               predict(a, test))
  train$w <- ifelse(train$x1 > 0, 2, 1)
  wc <- calibrate_cv(train, truth = "y", fit = glm_fit, predict_fn = squash, seed = 3, weights = "w", method = "platt")
  j <- wc$folds == 1
  direct <- calibrate(train$y[j], wc$oof[j], method = "platt", weights = train$w[j])
  expect_equal(wc$members[[1]]$calibrator$calibrator$coefficients, direct$coefficients)
})

test_that("arguments in ... reach calibrate()", {
  d <- sim_bounded(400, 4)
  cm <- calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, method = "histogram", bins = 4L, folds = 2, seed = 1)
  expect_length(cm$members[[1]]$calibrator$calibrator$bin_means, 4L)
})

test_that("the seed governs folds and fits; set.seed() governs the seed", {
  d <- sim_bounded(500, 5)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli())
  set.seed(10)
  a <- calibrate_cv(d, model = fit)
  after_a <- runif(1)
  set.seed(10)
  b <- calibrate_cv(d, model = fit)
  expect_identical(a$seed, b$seed)
  expect_identical(a$folds, b$folds)
  expect_identical(predict(a, d), predict(b, d))
  # Exactly one draw from the caller's stream when seed = NULL ...
  set.seed(10)
  expect_identical(a$seed, sample.int(.Machine$integer.max, 1L))
  expect_identical(after_a, runif(1))
  # ... and none when the seed is given.
  set.seed(10)
  calibrate_cv(d, model = fit, seed = 99)
  after_c <- runif(1)
  set.seed(10)
  expect_identical(after_c, runif(1))
  # Another seed, other folds.
  expect_false(identical(calibrate_cv(d, model = fit, seed = 1)$folds, calibrate_cv(d, model = fit, seed = 2)$folds))
  expect_identical(calibrate_cv(d, model = fit, seed = 1)$folds, calibrate_cv(d, model = fit, seed = 1)$folds)
})

test_that("randomness inside the fits is seeded per fold, the same in this session and under a future plan", {
  d <- sim_bounded(300, 6)
  noisy_fit <- function(train) list(m = glm_fit(train), draw = runif(1))
  noisy_prob <- function(m, newdata) glm_prob(m$m, newdata)
  draws <- function(cm) vapply(cm$members, function(m) m$model$draw, 0)
  a <- calibrate_cv(d, truth = "y", fit = noisy_fit, predict_fn = noisy_prob, seed = 7)
  b <- calibrate_cv(d, truth = "y", fit = noisy_fit, predict_fn = noisy_prob, seed = 7)
  expect_identical(draws(a), draws(b))
  expect_length(unique(draws(a)), 5L)
  skip_if_not_installed("future.apply")
  skip_if_not(future::supportsMulticore(), "forked workers are not available here")
  old <- future::plan(future::multicore, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  expect_true(probml:::parallel_plan())
  c <- calibrate_cv(d, truth = "y", fit = noisy_fit, predict_fn = noisy_prob, seed = 7)
  expect_identical(draws(a), draws(c))
  expect_identical(predict(a, d), predict(c, d))
})

test_that("folds are stratified by class", {
  d <- sim_bounded(503, 7)
  cm <- calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, folds = 4, seed = 1)
  tab <- table(cm$folds, d$y)
  expect_lte(max(apply(tab, 2, function(x) diff(range(x)))), 1)
  expect_lte(diff(range(tabulate(cm$folds))), 1)
  # User-given fold labels are used as given.
  labels <- rep(c("a", "b", "c"), length.out = nrow(d))
  cu <- calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, folds = labels, seed = 1)
  expect_identical(cu$folds, as.integer(factor(labels)))
  expect_identical(cu$k, 3L)
})

test_that("a held-out fold lacking a class falls back to the identity with a classed warning", {
  d <- sim_bounded(60, 8)
  d$y <- 0
  d$y[c(5, 20, 41)] <- 1  # three events, five folds: two folds have none
  expect_warning(cm <- calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, folds = 5, seed = 1),
                 class = "probml_warning_fold_class")
  expect_length(cm$fallback_folds, 2L)
  lacking <- which(tapply(d$y, cm$folds, max) == 0)
  expect_equal(cm$fallback_folds, unname(lacking))
  for (j in lacking) expect_null(cm$members[[j]]$calibrator$calibrator)
  p <- predict(cm, d)
  expect_true(all(is.finite(p) & p >= 0 & p <= 1))
  # Pooled out-of-fold predictions hold every class: no fallback.
  expect_no_warning(calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, folds = 5, seed = 1,
                                 ensemble = FALSE))
})

test_that("multiclass models are calibrated one class against the rest or by temperature", {
  set.seed(9)
  n <- 1500
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
  d$cls <- cut(d$x1 + 0.5 * d$x2 + rnorm(n), c(-Inf, -0.5, 0.5, Inf), labels = c("lo", "mid", "hi"))
  train <- d[1:1000, ]
  test <- d[-(1:1000), ]
  fit <- fit_mle(cls ~ x1 + x2, data = train, family = lik_categorical())
  for (method in c("isotonic", "temperature", "platt")) {
    cm <- calibrate_cv(train, model = fit, method = method, folds = 3, seed = 1)
    P <- predict(cm, test)
    expect_equal(dim(P), c(nrow(test), 3L))
    expect_identical(colnames(P), c("lo", "mid", "hi"))
    expect_equal(unname(rowSums(P)), rep(1, nrow(test)))
  }
  expect_output(print(cm), "3 classes")
  # A user model returning a probability matrix.
  fit_fn <- function(train) fit_mle(cls ~ x1 + x2, data = train, family = lik_categorical())
  pred_fn <- function(m, newdata) predict(m, newdata, type = "prob")
  cu <- calibrate_cv(train, truth = "cls", fit = fit_fn, predict_fn = pred_fn, method = "temperature", folds = 3, seed = 1)
  expect_equal(predict(cu, test), predict(calibrate_cv(train, model = fit, method = "temperature", folds = 3, seed = 1), test))
})

test_that("data may be omitted for a probml fit, and print describes the result", {
  d <- sim_bounded(300, 10)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli())
  expect_identical(predict(calibrate_cv(model = fit, seed = 1), d), predict(calibrate_cv(d, model = fit, seed = 1), d))
  cm <- calibrate_cv(d, model = fit, seed = 1)
  expect_output(print(cm), "5 stratified folds")
  expect_output(print(cm), "Ensemble of 5")
  expect_output(print(calibrate_cv(d, model = fit, seed = 1, ensemble = FALSE)), "pooled out-of-fold")
})

test_that("calibrate_cv refuses bad input with classed errors", {
  d <- sim_bounded(50, 11)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli())
  user <- function(...) calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, ...)
  expect_probml_error(calibrate_cv(d), "probml_error_model")
  expect_probml_error(calibrate_cv(d, fit = glm_fit), "probml_error_model")
  expect_probml_error(calibrate_cv(d, fit = "glm", predict_fn = glm_prob, truth = "y"), "probml_error_model")
  expect_probml_error(calibrate_cv(d, model = fit, fit = glm_fit, predict_fn = glm_prob), "probml_error_model")
  expect_probml_error(calibrate_cv(d, model = glm_fit(d)), "probml_error_model")
  expect_probml_error(calibrate_cv(d, model = fit_mle(x1 ~ x2, data = d)), "probml_error_model")
  xy <- fit_mle_xy(cbind(1, d$x1), d$y, family = lik_bernoulli())
  expect_probml_error(calibrate_cv(d, model = xy), "probml_error_model")
  expect_probml_error(calibrate_cv(as.list(d), model = fit), "probml_error_type")
  expect_probml_error(calibrate_cv(as.matrix(d), truth = "y", fit = glm_fit, predict_fn = glm_prob), "probml_error_type")
  expect_probml_error(user(folds = 1), "probml_error")
  expect_probml_error(user(folds = 51), "probml_error")
  expect_probml_error(user(folds = 2.5), "probml_error")
  expect_probml_error(user(folds = rep(1:2, 10)), "probml_error")
  expect_probml_error(user(method = "spline"), "probml_error")
  expect_probml_error(user(weights = -rep(1, 50)), "probml_error")
  expect_probml_error(user(weights = rep(1, 10)), "probml_error_length")
  expect_probml_error(user(weights = "nope"), "probml_error")
  expect_probml_error(user(seed = 1.5), "probml_error")
  expect_probml_error(user(ensemble = NA), "probml_error")
  expect_probml_error(calibrate_cv(d, "y", NULL, "isotonic", NULL, 0.01, fit = glm_fit, predict_fn = glm_prob),
                      "probml_error_unused_argument")      # unnamed ... argument
  expect_probml_error(user(binz = 3), "probml_error")      # not an argument of calibrate()
  expect_probml_error(calibrate_cv(d, fit = glm_fit, predict_fn = glm_prob), "probml_error")
  expect_probml_error(calibrate_cv(d, truth = "z", fit = glm_fit, predict_fn = glm_prob), "probml_error")
  bad <- transform(d, three = rep(0:2, length.out = 50), na = replace(y, 3, NA), one = replace(numeric(50), 7, 1))
  expect_probml_error(calibrate_cv(bad, three, fit = glm_fit, predict_fn = glm_prob), "probml_error")
  expect_probml_error(calibrate_cv(bad, c(y, one), fit = glm_fit, predict_fn = glm_prob), "probml_error_length")
  expect_probml_error(calibrate_cv(bad, na, fit = glm_fit, predict_fn = glm_prob), "probml_error_missing")
  expect_probml_error(calibrate_cv(bad, one, fit = glm_fit, predict_fn = glm_prob), "probml_error")
  expect_probml_error(calibrate_cv(d, d$y, fit = glm_fit, predict_fn = glm_prob), "probml_error")
  expect_probml_error(calibrate_cv(d, model = fit, truth = "y"), "probml_error")
  # What predict_fn returns is checked.
  expect_probml_error(calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) 1.5 + numeric(nrow(nd))),
                      "probml_error")
  expect_probml_error(calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) 0.5),
                      "probml_error")
  expect_probml_error(calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) stop("boom")),
                      "probml_error")
  expect_probml_error(calibrate_cv(d, truth = "y", fit = function(train) stop("boom"), predict_fn = glm_prob),
                      "probml_error")
  cm <- user(seed = 1)
  expect_probml_error(predict(cm, as.matrix(d)), "probml_error_type")
  expect_probml_error(predict(cm, d, type = "odds"), "probml_error")
})

test_that("calibrate_cv's messages", {
  d <- sim_bounded(50, 11)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli())
  user <- function(...) calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = glm_prob, ...)
  dm <- sim_bounded(60, 12)
  dm$k <- factor(sample(c("a", "b", "c"), 60, TRUE))
  k_fit <- function(train) nnet::multinom(k ~ x1, data = train, trace = FALSE)
  rare <- d
  rare$y <- replace(numeric(50), c(7, 9), 1)
  yy <- d$y
  xx <- d$x1
  fit_no_data <- fit_mle(yy ~ xx, family = lik_bernoulli())
  lost <- d
  fit_lost_data <- fit_mle(y ~ x1, data = lost, family = lik_bernoulli())
  rm(lost)
  expect_condition_snapshot({
    calibrate_cv(fit = glm_fit, predict_fn = glm_prob, truth = "y")
    calibrate_cv(as.list(d), model = fit)
    calibrate_cv(d[1, ], truth = "y", fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, model = fit, truth = "y")
    user(weights = "nope")
    calibrate_cv(rare, truth = "y", fit = glm_fit, predict_fn = glm_prob, folds = 4, seed = 3)
    calibrate_cv(d, "y", NULL, "isotonic", NULL, 0.01, fit = glm_fit, predict_fn = glm_prob)
    user(binz = 3)
    calibrate_cv(d, model = fit, fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, model = glm_fit(d))
    calibrate_cv(d, model = fit_mle_xy(cbind(1, d$x1), d$y, family = lik_bernoulli()))
    calibrate_cv(d, model = fit_mle(x1 ~ x2, data = d))
    calibrate_cv(d)
    calibrate_cv(d, fit = "glm", predict_fn = glm_prob, truth = "y")
    calibrate_cv(d, fit = glm_fit, truth = "y")
    calibrate_cv(d, fit = glm_fit, predict_fn = "predict", truth = "y")
    calibrate_cv(model = fit_no_data)
    calibrate_cv(model = fit_lost_data)
    calibrate_cv(d[, c("x1", "x2")], model = fit)
    calibrate_cv(d, fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, truth = "z", fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(transform(d, zero = numeric(50)), zero, fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(transform(d, one = replace(numeric(50), 7, 1)), one, fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, c(y, x1), fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, d$y, fit = glm_fit, predict_fn = glm_prob)
    calibrate_cv(d, truth = "y", fit = function(train) stop("boom"), predict_fn = glm_prob)
    calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) stop("boom"))
    calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) rep("a", nrow(nd)))
    calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) 0.5)
    calibrate_cv(dm, truth = "k", fit = k_fit, predict_fn = function(m, nd) predict(m, nd, type = "probs")[, 1:2])
    calibrate_cv(dm, truth = "k", fit = k_fit, predict_fn = function(m, nd) predict(m, nd, type = "probs")[, c(2, 1, 3)])
    calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) replace(glm_prob(m, nd), 1, NA))
    calibrate_cv(d, truth = "y", fit = glm_fit, predict_fn = function(m, nd) 1.5 + numeric(nrow(nd)))
    calibrate_cv(dm, truth = "k", fit = k_fit, predict_fn = function(m, nd) predict(m, nd, type = "probs") * 0.9)
    predict(user(seed = 1), as.matrix(d))
    user(folds = rep(1:2, 10))
    user(folds = c(NA, rep(1:2, length.out = 49)))
    user(folds = rep(1, 50))
    user(folds = 2.5)
    user(folds = TRUE)
    predict(user(seed = 1))
    user(folds = 1)
    user(folds = 51)
  })
})
