test_that("log_loss is the mean Bernoulli and categorical NLL", {
  y <- c(1, 0, 1, 1, 0)
  p <- c(0.9, 0.1, 0.8, 0.7, 0.3)
  expect_equal(log_loss(y, p), 0.2294429, tolerance = 1e-7)
  expect_equal(log_loss(y, p), family_nll(lik_bernoulli(), y, qlogis(p)), tolerance = 1e-14)
  expect_equal(log_loss(factor(c("b", "a", "b", "b", "a")), p), log_loss(y, p))
  expect_equal(log_loss(as.logical(y), p), log_loss(y, p))
  # A confident mistake costs -log(0.01).
  expect_equal(log_loss(0, 0.99), -log(0.01))
  # Weights
  w <- c(1, 2, 0, 1, 3)
  expect_equal(log_loss(y, p, weights = w), sum(w * -log(ifelse(y == 1, p, 1 - p))) / sum(w))
  # Multiclass
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.6))
  yc <- factor(c("a", "b", "c"))
  expect_equal(log_loss(yc, P), mean(-log(c(0.7, 0.8, 0.6))))
})

test_that("log_loss returns Inf, never NaN, for impossible outcomes unless eps is given", {
  expect_identical(log_loss(c(1, 0), c(0, 0)), Inf)
  expect_identical(log_loss(c(1, 0), c(1, 1)), Inf)
  expect_equal(log_loss(c(1, 0), c(1, 0)), 0)
  expect_equal(log_loss(1, 0, eps = 1e-15), -log(1e-15))
  expect_false(is.nan(log_loss(c(0, 1), c(0, 1))))
  # A zero-weight impossible outcome does not count.
  expect_equal(log_loss(c(1, 1), c(0, 0.5), weights = c(0, 1)), -log(0.5))
})

test_that("log_loss refuses bad input with classed errors", {
  y <- c(1, 0, 1)
  p <- c(0.2, 0.5, 0.9)
  expect_probml_error(log_loss(y, c(0.2, 1.5, 0.9)), "probml_error")
  expect_probml_error(log_loss(y, c(-0.1, 0.5, 0.9)), "probml_error")
  expect_probml_error(log_loss(y, c(NA, 0.5, 0.9)), "probml_error_missing")
  expect_probml_error(log_loss(c(NA, 0, 1), p), "probml_error_missing")
  expect_probml_error(log_loss(y, p[-1]), "probml_error_length")
  expect_probml_error(log_loss(c(2, 0, 1), p), "probml_error")
  expect_probml_error(log_loss(y, "a"), "probml_error")
  expect_probml_error(log_loss(factor(letters[1:3]), p), "probml_error")
  expect_probml_error(log_loss(y, p, eps = 0.7), "probml_error")
  expect_probml_error(log_loss(y, p, eps = -1), "probml_error")
  expect_probml_error(log_loss(y, p, weights = c(1, -1, 1)), "probml_error")
  expect_probml_error(log_loss(y, p, weights = c(1, 1)), "probml_error_length")
  expect_probml_error(log_loss(numeric(0), numeric(0)), "probml_error_length")
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.7))
  expect_probml_error(log_loss(factor(c("a", "b", "c")), P), "probml_error")
  # Class numbers 1..K are classes, as everywhere a probability matrix gives K.
  expect_equal(log_loss(c(1, 2, 3), P / rowSums(P)), log_loss(factor(c("a", "b", "c")), P / rowSums(P)))
  expect_probml_error(log_loss(factor(c("a", "b"), levels = c("a", "b", "c")), P / rowSums(P)), "probml_error_length")
  expect_probml_error(log_loss(factor(c("a", "b", "c"), levels = c("a", "b", "c", "d")), P / rowSums(P)),
                      "probml_error")
  Q <- P / rowSums(P)
  colnames(Q) <- c("x", "y", "z")
  expect_probml_error(log_loss(factor(c("a", "b", "c")), Q), "probml_error")
})

test_that("brier_score matches the definition, binary and multiclass, with weights", {
  set.seed(11)
  y <- rbinom(300, 1, 0.4)
  p <- runif(300)
  w <- runif(300)
  expect_equal(brier_score(y, p), mean((p - y)^2), tolerance = 1e-14)
  expect_equal(brier_score(as.logical(y), p, weights = w), sum(w * (p - y)^2) / sum(w), tolerance = 1e-14)
  expect_equal(brier_score(y, rep(0.5, 300)), 0.25)
  # Claim 9: a confident wrong prediction.
  expect_equal(brier_score(0, 0.99), 0.9801)
  expect_equal(log_loss(0, 0.99), 4.60517, tolerance = 1e-6)
  P <- matrix(runif(300 * 3), 300)
  P <- P / rowSums(P)
  yc <- factor(sample(c("a", "b", "c"), 300, TRUE))
  onehot <- outer(as.integer(yc), 1:3, `==`)
  expect_equal(brier_score(yc, P), mean(rowSums((P - onehot)^2)))
  expect_probml_error(brier_score(y, p + 1), "probml_error")
  expect_probml_error(brier_score(c(y[-1], 2), p), "probml_error")
})

test_that("ece and mce: always-0.5 predictions, the last bin and multiclass", {
  set.seed(12)
  y <- rbinom(1000, 1, 0.3)
  expect_equal(ece(y, rep(0.5, 1000)), abs(0.5 - mean(y)))
  expect_equal(mce(y, rep(0.5, 1000)), abs(0.5 - mean(y)))
  # Predictions of exactly 1 are kept (in the last bin), not dropped.
  expect_equal(ece(c(1, 1, 0), c(1, 1, 1)), 1 / 3)
  p <- runif(1000)
  yy <- rbinom(1000, 1, p)
  bins <- pmin(floor(p * 10), 9)
  gaps <- tapply(seq_along(p), bins, function(i) abs(mean(p[i]) - mean(yy[i])))
  counts <- tabulate(bins + 1, 10)
  expect_equal(ece(yy, p), sum(counts[counts > 0] * gaps) / 1000, tolerance = 1e-12)
  expect_equal(mce(yy, p), max(gaps), tolerance = 1e-12)
  # Quantile bins hold about equal counts.
  expect_equal(ece(yy, p, strategy = "quantile", bins = 4),
               mean(tapply(seq_along(p), cut(p, quantile(p, 0:4 / 4), include.lowest = TRUE),
                           function(i) abs(mean(p[i]) - mean(yy[i])))), tolerance = 1e-2)
  P <- matrix(runif(600), 200)
  P <- P / rowSums(P)
  yc <- factor(sample(letters[1:3], 200, TRUE), levels = letters[1:3])
  top <- max.col(P, "first")
  expect_equal(ece(yc, P), ece(as.integer(top == as.integer(yc)), P[cbind(1:200, top)]))
  expect_equal(ece(yc, P, type = "classwise"),
               mean(sapply(1:3, function(k) ece(as.integer(as.integer(yc) == k), P[, k]))))
  for (bad in list(0, -1, 2.5, NA, "a", Inf)) expect_probml_error(ece(y, rep(0.5, 1000), bins = bad), "probml_error")
  expect_probml_error(ece(y, rep(0.5, 1000), strategy = "equal"), "probml_error")
  expect_probml_error(mce(y, rep(0.5, 1000), type = "top"), "probml_error")
  expect_probml_error(ece(y, rep(1.5, 1000)), "probml_error")
  expect_probml_error(ece(y, rep(NA_real_, 1000)), "probml_error_missing")
  expect_probml_error(ece(y[-1], rep(0.5, 1000)), "probml_error_length")
  expect_probml_error(ece(yc, P[, 1:2] / rowSums(P[, 1:2]) ), "probml_error")
})

test_that("the Brier decomposition sums to the Brier score exactly", {
  set.seed(13)
  p <- runif(3000)
  y <- rbinom(3000, 1, plogis(2 * qlogis(p)))
  w <- rexp(3000)
  for (args in list(list(), list(bins = 7, strategy = "quantile"), list(weights = w), list(bins = 1))) {
    d <- do.call(brier_decomp, c(list(y, p), args))
    total <- d$reliability - d$resolution + d$uncertainty + d$within_bin_variance - 2 * d$within_bin_covariance
    expect_equal(total, d$brier, tolerance = 1e-12)
    expect_equal(d$brier, brier_score(y, p, weights = args$weights), tolerance = 1e-14)
  }
  d <- brier_decomp(y, p, method = "corp")
  expect_equal(d$reliability - d$resolution + d$uncertainty, d$brier, tolerance = 1e-12)
  expect_gte(d$reliability, 0)
  expect_gte(d$resolution, 0)
  expect_equal(d$uncertainty, mean(y) * (1 - mean(y)))
  # Always 0.5: Brier 0.25, no resolution.
  d <- brier_decomp(y, rep(0.5, 3000))
  expect_equal(d$brier, 0.25)
  expect_equal(d$resolution, 0)
  expect_output(print(d), "within_bin_variance")
  expect_probml_error(brier_decomp(y, p, method = "murphy"), "probml_error")
  expect_probml_error(brier_decomp(y, cbind(p, 1 - p)), "probml_error")
})

test_that("the scores' messages", {
  P <- rbind(c(0.7, 0.3), c(0.4, 0.6))
  expect_condition_snapshot({
    brier_decomp(factor(c("a", "b")), P)
    ece(c(0, 1), c(0.2, 0.9), strategy = "equal")
    log_loss(c(0, 1), c(0.2, 0.9), eps = 0.7)
  })
})

test_that("quantile bins are weighted: a weight acts as that many copies of its row", {
  set.seed(31)
  for (i in 1:20) {
    n <- 60
    y <- rbinom(n, 1, 0.5)
    p <- runif(n)
    w <- sample(1:4, n, TRUE)
    expect_equal(ece(y, p, weights = w, strategy = "quantile", bins = 5),
                 ece(rep(y, w), rep(p, w), strategy = "quantile", bins = 5), tolerance = 1e-12)
    expect_equal(mce(y, p, weights = w, strategy = "quantile", bins = 4),
                 mce(rep(y, w), rep(p, w), strategy = "quantile", bins = 4), tolerance = 1e-12)
  }
})

test_that("the CORP decomposition ignores rows of weight zero", {
  set.seed(32)
  for (i in 1:30) {
    y <- rbinom(80, 1, 0.5)
    p <- runif(80)
    w <- rbinom(80, 1, 0.7) * runif(80)
    d <- brier_decomp(y, p, weights = w, method = "corp")
    keep <- w > 0
    ref <- brier_decomp(y[keep], p[keep], weights = w[keep], method = "corp")
    expect_gte(d$reliability, -1e-12)
    expect_gte(d$resolution, -1e-12)
    expect_equal(d[c("brier", "reliability", "resolution", "uncertainty")],
                 ref[c("brier", "reliability", "resolution", "uncertainty")], tolerance = 1e-12)
  }
})

test_that("brier_decomp() prints its terms as the equation, to significant digits", {
  set.seed(2)
  p <- runif(500)
  y <- rbinom(500, 1, p)
  expect_snapshot(print(brier_decomp(y, p)))
  expect_snapshot(print(brier_decomp(y, p, method = "corp")))
  expect_snapshot(print(brier_decomp(y, p), digits = 2))
  # format_signif(): significant digits, decimal points aligned.
  expect_identical(probml:::format_signif(c(0.1646, -0.003391, 12.5, NA), 3),
                   c(" 0.165  ", "-0.00339", "12.5    ", "NA      "))
})
