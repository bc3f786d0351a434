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
