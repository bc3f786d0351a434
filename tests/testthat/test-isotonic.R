# A direct O(n^2) weighted PAVA, as a reference: repeatedly pool the first
# adjacent violating pair.
reference_pava <- function(y, w) {
  blocks <- lapply(seq_along(y), function(i) list(v = y[i], w = w[i], n = 1L))
  repeat {
    vals <- vapply(blocks, `[[`, 0, "v")
    bad <- which(diff(vals) < 0)
    if (!length(bad)) break
    i <- bad[1]
    a <- blocks[[i]]
    b <- blocks[[i + 1]]
    blocks[[i]] <- list(v = (a$v * a$w + b$v * b$w) / (a$w + b$w), w = a$w + b$w, n = a$n + b$n)
    blocks[[i + 1]] <- NULL
  }
  unlist(lapply(blocks, function(b) rep(b$v, b$n)))
}

test_that("PAVA equals isoreg on distinct x", {
  set.seed(14)
  x <- runif(500)
  y <- x + rnorm(500, sd = 0.3)
  fit <- probml:::isotonic_pava(x, y)
  ref <- isoreg(x, y)
  expect_equal(fit$x, sort(x))
  expect_equal(fit$y, ref$yf, tolerance = 1e-12)
  expect_false(is.unsorted(fit$y))
})

test_that("PAVA pools ties and honours weights: the weighted least-squares monotone fit", {
  set.seed(15)
  x <- sample(1:40, 300, TRUE)
  y <- rbinom(300, 1, plogis((x - 20) / 8))
  w <- rexp(300)
  fit <- probml:::isotonic_pava(x, y, w)
  # Pool ties by hand, then the reference PAVA on the pooled means.
  ux <- sort(unique(x))
  uw <- tapply(w, x, sum)[as.character(ux)]
  uy <- tapply(w * y, x, sum)[as.character(ux)] / uw
  expect_equal(fit$x, ux)
  expect_equal(unname(fit$w), as.vector(uw))
  uy <- as.vector(uy)
  uw <- as.vector(uw)
  expect_equal(fit$y, reference_pava(uy, uw), tolerance = 1e-12)
  # It minimises the weighted squared error among monotone fits: no small
  # monotone perturbation does better.
  sse <- function(f) sum(uw * (uy - f)^2)
  for (k in 1:20) {
    g <- sort(fit$y + rnorm(length(fit$y), sd = 0.01))
    expect_gte(sse(g), sse(fit$y))
  }
  # Zero weights are ignored.
  fit0 <- probml:::isotonic_pava(c(x, 100), c(y, -50), c(w, 0))
  expect_equal(fit0$y, fit$y)
})

test_that("isotonic predictions interpolate, step or increase strictly", {
  fit <- probml:::isotonic_pava(c(0.1, 0.2, 0.3, 0.4), c(0, 1, 0, 1))
  expect_equal(fit$y, c(0, 0.5, 0.5, 1))
  expect_equal(probml:::isotonic_predict(fit, c(0, 0.15, 0.5)), c(0, 0.25, 1))
  expect_equal(probml:::isotonic_predict(fit, c(0.15, 0.25), "step"), c(0, 0.5))
  strict <- probml:::isotonic_predict(fit, c(0.2, 0.25, 0.3), "strict")
  expect_true(all(diff(strict) > 0))
})

# Brute force for the (bounded, weighted, tied) isotonic problem on few
# distinct x: replicate each row by its integer weight, then try every
# partition of the distinct x into runs, each run valued at the clipped
# mean of its replicated responses (every optimum has this form), and keep
# the monotone candidate of least squared error.
brute_isotonic <- function(x, y, w, increasing = TRUE, y_min = -Inf, y_max = Inf) {
  xr <- rep(x, w)
  yr <- rep(y, w)
  ux <- sort(unique(xr))
  m <- length(ux)
  best <- NULL
  best_sse <- Inf
  for (code in 0:(2^(m - 1) - 1)) {
    cuts <- bitwAnd(code, 2^(seq_len(m - 1) - 1)) > 0
    run <- cumsum(c(TRUE, cuts))
    run_of_obs <- run[match(xr, ux)]
    value <- pmin(pmax(vapply(seq_len(max(run)), function(r) mean(yr[run_of_obs == r]), 0), y_min), y_max)
    f <- value[run]
    if (if (increasing) is.unsorted(f) else is.unsorted(rev(f))) next
    sse <- sum((yr - f[match(xr, ux)])^2)
    if (sse < best_sse) {
      best_sse <- sse
      best <- f
    }
  }
  list(x = ux, fitted = best)
}

test_that("pava() equals isoreg on distinct x, and fitted() and residuals() follow", {
  set.seed(21)
  x <- runif(300)
  y <- sin(3 * x) + rnorm(300, sd = 0.3)
  fit <- pava(x, y)
  ref <- isoreg(x, y)
  expect_s3_class(fit, "probml_isotonic")
  expect_equal(fit$knots$x, sort(x))
  expect_equal(fit$knots$fitted, ref$yf, tolerance = 1e-12)
  expect_equal(fitted(fit), ref$yf[order(ref$ord)], tolerance = 1e-12)
  expect_equal(residuals(fit), y - fitted(fit))
  expect_equal(predict(fit), fitted(fit))
  # The step function holds each knot's value up to the next knot; it is
  # as.stepfun(isoreg()) at the data (which jumps right after a block's
  # last point instead of at the next block's first).
  new <- c(-0.5, runif(50), 1.5)
  expect_equal(predict(fit, new, type = "step"), stepfun(fit$knots$x[-1], fit$knots$fitted)(new), tolerance = 1e-12)
  expect_equal(predict(fit, x, type = "step"), as.stepfun(ref)(x), tolerance = 1e-12)
  # Decreasing: isoreg of -y, negated.
  dec <- pava(x, y, increasing = FALSE)
  expect_equal(dec$knots$fitted, -isoreg(x, -y)$yf, tolerance = 1e-12)
  expect_false(fit$auto)
  expect_true(fit$increasing)
  expect_false(dec$increasing)
})

test_that("pava() with weights and ties equals a brute force on the replicated data", {
  set.seed(22)
  for (rep in 1:15) {
    n <- 30
    x <- sample(c(0.5, 1, 2, 3.5, 4, 6, 7, 9), n, TRUE)
    y <- rnorm(n, mean = sqrt(x))
    w <- sample(0:3, n, TRUE)
    w[1] <- 1
    for (inc in c(TRUE, FALSE)) {
      fit <- pava(x, y, weights = w, increasing = inc)
      ref <- brute_isotonic(x, y, w, increasing = inc)
      expect_equal(fit$knots$x, ref$x)
      expect_equal(fit$knots$fitted, ref$fitted, tolerance = 1e-12)
      expect_equal(fit$knots$weight, as.vector(tapply(w, x, sum)[as.character(ref$x)]))
      # Blocks are the runs of equal fitted value.
      expect_equal(sum(fit$blocks$n_knots), nrow(fit$knots))
      expect_equal(sum(fit$blocks$weight), sum(w))
      expect_equal(rep(fit$blocks$fitted, fit$blocks$n_knots), fit$knots$fitted)
    }
  }
})

test_that("a decreasing fit is the increasing fit of -y, negated", {
  set.seed(23)
  x <- sample(1:20, 100, TRUE)
  y <- -log(x) + rnorm(100)
  w <- rexp(100)
  dec <- pava(x, y, weights = w, increasing = FALSE)
  inc <- pava(x, -y, weights = w)
  expect_equal(dec$knots$fitted, -inc$knots$fitted, tolerance = 0)
  expect_equal(dec$blocks$fitted, -inc$blocks$fitted, tolerance = 0)
  expect_false(is.unsorted(rev(dec$knots$fitted)))
  expect_equal(fitted(dec), -fitted(inc), tolerance = 0)
})

test_that("bounds clip the fit, which is the exact bounded least-squares solution", {
  set.seed(24)
  for (rep in 1:15) {
    n <- 25
    x <- sample(1:8, n, TRUE)
    y <- rnorm(n, mean = x / 2)
    w <- sample(1:3, n, TRUE)
    lim <- sort(sample(seq(0.5, 3.5, by = 0.25), 2))
    for (inc in c(TRUE, FALSE)) {
      free <- pava(x, y, weights = w, increasing = inc)
      fit <- pava(x, y, weights = w, increasing = inc, y_min = lim[1], y_max = lim[2])
      expect_equal(fit$knots$fitted, pmin(pmax(free$knots$fitted, lim[1]), lim[2]), tolerance = 0)
      ref <- brute_isotonic(x, y, w, increasing = inc, y_min = lim[1], y_max = lim[2])
      expect_equal(fit$knots$fitted, ref$fitted, tolerance = 1e-12)
      # Blocks clipped to the same bound are one block.
      expect_false(any(diff(fit$blocks$fitted) == 0))
      expect_equal(rep(fit$blocks$fitted, fit$blocks$n_knots), fit$knots$fitted)
    }
  }
  # No feasible perturbation of a larger example does better.
  x <- runif(200)
  y <- x + rnorm(200, sd = 0.4)
  fit <- pava(x, y, y_min = 0.2, y_max = 0.8)
  sse <- function(f) sum((y[order(x)] - f)^2)
  for (k in 1:30) {
    g <- pmin(pmax(sort(fit$knots$fitted + rnorm(200, sd = 0.01)), 0.2), 0.8)
    expect_gte(sse(g), sse(fit$knots$fitted))
  }
  expect_equal(range(fitted(fit)), c(0.2, 0.8))
  # y_min = y_max is a constant fit.
  expect_equal(unique(fitted(pava(x, y, y_min = 0.5, y_max = 0.5))), 0.5)
})

test_that("increasing = \"auto\" follows the sign of the (weighted) Spearman correlation", {
  set.seed(25)
  x <- sample(1:30, 120, TRUE)
  y <- -0.1 * x + rnorm(120)
  fit <- pava(x, y, increasing = "auto")
  expect_true(fit$auto)
  expect_false(fit$increasing)
  expect_equal(fit$spearman, cor(x, y, method = "spearman"), tolerance = 1e-12)
  expect_equal(fit$knots$fitted, pava(x, y, increasing = FALSE)$knots$fitted)
  expect_true(pava(x, -y, increasing = "auto")$increasing)
  # Integer weights act as copies of their rows; zero weights take no part.
  w <- sample(0:3, 120, TRUE)
  fw <- pava(c(x, 100), c(y, 100), weights = c(w, 0), increasing = "auto")
  expect_equal(fw$spearman, cor(rep(x, w), rep(y, w), method = "spearman"), tolerance = 1e-12)
  # Constant y: the correlation is undefined, both directions fit the same.
  flat <- pava(x, rep(2, 120), increasing = "auto")
  expect_true(is.na(flat$spearman))
  expect_true(flat$increasing)
  expect_equal(unique(fitted(flat)), 2)
})

test_that("pava() and calibrate() agree with scikit-learn's IsotonicRegression", {
  cases <- read.csv(test_path("fixtures", "isotonic-sklearn-cases.csv"), stringsAsFactors = FALSE)
  train <- read.csv(test_path("fixtures", "isotonic-sklearn-train.csv"))
  pred <- read.csv(test_path("fixtures", "isotonic-sklearn-predict.csv"))
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    d <- train[train$case == cs$case, ]
    p <- pred[pred$case == cs$case, ]
    inc <- switch(cs$increasing, True = TRUE, False = FALSE, auto = "auto")
    fit <- pava(d$x, d$y, weights = d$w, increasing = inc,
                y_min = if (is.na(cs$y_min)) -Inf else cs$y_min, y_max = if (is.na(cs$y_max)) Inf else cs$y_max)
    expect_identical(fit$increasing, cs$increasing_fitted == "True", label = cs$case)
    expect_equal(fitted(fit), d$fitted, tolerance = 1e-12, label = cs$case)
    expect_equal(predict(fit, p$x), p$clip, tolerance = 1e-12, label = cs$case)
    expect_equal(predict(fit, p$x, out_of_range = "na"), p$nan, tolerance = 1e-12, label = cs$case)
  }
})

test_that("predict() handles newdata out of range by clipping, NA or an error", {
  fit <- pava(c(1, 2, 3, 4), c(1, 3, 2, 4))
  expect_equal(fit$knots$fitted, c(1, 2.5, 2.5, 4))
  expect_equal(predict(fit, c(0, 1.5, 5)), c(1, 1.75, 4))
  expect_equal(predict(fit, c(0, 1.5, 5), out_of_range = "na"), c(NA, 1.75, NA))
  expect_equal(predict(fit, c(0, 1.5, 5), type = "step"), c(1, 1, 4))
  expect_equal(predict(fit, c(1, 4, NA), out_of_range = "error"), c(1, 4, NA))
  expect_probml_error(predict(fit, c(2, 4.5), out_of_range = "error"), "probml_error_newdata")
  # A single knot predicts its value.
  one <- pava(c(2, 2), c(1, 3))
  expect_equal(predict(one, c(1, 2, 3)), c(2, 2, 2))
  expect_equal(predict(one, c(1, 2, 3), out_of_range = "na"), c(NA, 2, NA))
})

test_that("print() and plot() of pava()", {
  set.seed(26)
  x <- round(runif(40, 0, 10), 1)
  y <- log1p(x) + rnorm(40, sd = 0.3)
  expect_snapshot(print(pava(x, y, weights = rep(c(1, 0, 2, 3), 10), increasing = "auto", y_min = 0.5, y_max = 2)))
  expect_snapshot(print(pava(1:3, c(3, 2, 1), increasing = FALSE)))
  pdf(NULL)
  on.exit(dev.off())
  fit <- pava(x, y, y_min = 0.5)
  expect_identical(plot(fit), fit)
  expect_identical(plot(pava(x, -y, increasing = FALSE), type = "step"), pava(x, -y, increasing = FALSE))
})

test_that("pava()'s messages", {
  fit <- pava(1:4, c(1, 3, 2, 4))
  expect_condition_snapshot({
    pava(1:3, 1:2)
    pava(c(1, NA, 3), 1:3)
    pava(c(1, Inf, 3), 1:3)
    pava(1:3, c("a", "b", "c"))
    pava(1:3, 1:3, y_min = 2, y_max = 1)
    pava(1:3, 1:3, y_min = NA)
    pava(1:3, 1:3, increasing = "up")
    pava(1:3, 1:3, increasing = NA)
    pava(1:3, 1:3, weights = c(1, -1, 1))
    pava(1:3, 1:3, incresing = FALSE)
    predict(fit, c(0, 2, 9), out_of_range = "error")
    predict(fit, 2, out_of_range = "nan")
    predict(fit, "2")
  })
})
