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
  expect_probml_error(log_loss(y, c(0.2, 1.5, 0.9)), "probml_error_probability")
  expect_probml_error(log_loss(y, c(-0.1, 0.5, 0.9)), "probml_error_probability")
  expect_probml_error(log_loss(y, c(NA, 0.5, 0.9)), "probml_error_missing")
  expect_probml_error(log_loss(c(NA, 0, 1), p), "probml_error_missing")
  expect_probml_error(log_loss(y, p[-1]), "probml_error_length")
  expect_probml_error(log_loss(c(2, 0, 1), p), "probml_error_outcome")
  expect_probml_error(log_loss(y, "a"), "probml_error_probability")
  expect_probml_error(log_loss(factor(letters[1:3]), p), "probml_error_outcome")
  expect_probml_error(log_loss(y, p, eps = 0.7), "probml_error_argument")
  expect_probml_error(log_loss(y, p, eps = -1), "probml_error_argument")
  expect_probml_error(log_loss(y, p, weights = c(1, -1, 1)), "probml_error_weights")
  expect_probml_error(log_loss(y, p, weights = c(1, 1)), "probml_error_length")
  expect_probml_error(log_loss(numeric(0), numeric(0)), "probml_error_length")
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.7))
  expect_probml_error(log_loss(factor(c("a", "b", "c")), P), "probml_error_probability")
  expect_probml_error(log_loss(c(1, 2, 3), P / rowSums(P)), "probml_error_outcome")
  expect_probml_error(log_loss(factor(c("a", "b"), levels = c("a", "b", "c")), P / rowSums(P)), "probml_error_length")
  expect_probml_error(log_loss(factor(c("a", "b", "c"), levels = c("a", "b", "c", "d")), P / rowSums(P)),
                      "probml_error_outcome")
  Q <- P / rowSums(P)
  colnames(Q) <- c("x", "y", "z")
  expect_probml_error(log_loss(factor(c("a", "b", "c")), Q), "probml_error_outcome")
})
