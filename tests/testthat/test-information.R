# entropy(), cross_entropy(), kl_divergence(), kl_gaussian(), kl_bernoulli(),
# smooth_labels() and label_smoothing_loss().

# Log-softmax written the naive way, for logits small enough not to overflow.
naive_log_softmax <- function(z) z - log(rowSums(exp(z)))

test_that("claim 13: H(P) = 0 and KL = H(P, Q) = -log 0.7 for P = (1,0,0), Q = (0.7,0.2,0.1)", {
  p <- c(1, 0, 0)
  q <- c(0.7, 0.2, 0.1)
  expect_identical(entropy(p), 0)
  # the claim gives 7 decimals
  expect_lt(abs(cross_entropy(p, q) - 0.3566749), 5e-8)
  expect_lt(abs(kl_divergence(p, q) - 0.3566749), 5e-8)
  expect_equal(kl_divergence(p, q), -log(0.7), tolerance = 1e-15)
  expect_equal(cross_entropy(p, q), entropy(p) + kl_divergence(p, q), tolerance = 1e-15)
})

test_that("H(P, Q) = H(P) + KL(P || Q) row by row, in any base", {
  set.seed(11)
  P <- matrix(rexp(40 * 6), 40)
  P <- P / rowSums(P)
  Q <- matrix(rexp(40 * 6), 40)
  Q <- Q / rowSums(Q)
  P[1:5, 2] <- 0
  P[1:5, ] <- P[1:5, ] / rowSums(P[1:5, ])
  for (b in c(exp(1), 2, 10)) {
    expect_equal(cross_entropy(P, Q, base = b), entropy(P, base = b) + kl_divergence(P, Q, base = b),
                 tolerance = 1e-12)
  }
  expect_equal(entropy(P), -rowSums(ifelse(P > 0, P * log(P), 0)), tolerance = 1e-14)
  expect_equal(kl_divergence(P, Q), rowSums(ifelse(P > 0, P * log(P / Q), 0)), tolerance = 1e-14)
  expect_equal(entropy(P, base = 2), entropy(P) / log(2), tolerance = 1e-14)
})

test_that("known values, the 0 log 0 convention, and Inf rather than NaN", {
  expect_equal(entropy(rep(1 / 8, 8), base = 2), 3)
  expect_equal(entropy(c(0.5, 0.5, 0)), log(2))
  expect_identical(kl_divergence(c(0.2, 0.8), c(0.2, 0.8)), 0)
  expect_identical(kl_divergence(c(0.5, 0.5), c(1, 0)), Inf)
  expect_identical(cross_entropy(c(0.5, 0.5), c(1, 0)), Inf)
  # q = 0 where p = 0 is harmless
  expect_equal(kl_divergence(c(1, 0), c(0.5, 0.5)), log(2))
  expect_equal(cross_entropy(c(0, 1), c(0, 1)), 0)
  out <- kl_divergence(rbind(c(0.5, 0.5), c(1, 0)), rbind(c(1, 0), c(1, 0)))
  expect_identical(out, c(Inf, 0))
  expect_false(anyNA(out))
  # integer input is numeric too
  expect_identical(entropy(c(1L, 0L)), 0)
})

test_that("row-wise results: shapes, broadcasting and names", {
  P <- rbind(a = c(0.5, 0.5), b = c(0.9, 0.1), c = c(1, 0))
  h <- entropy(P)
  expect_named(h, c("a", "b", "c"))
  expect_length(h, 3)
  u <- c(0.5, 0.5)
  expect_equal(kl_divergence(P, u), kl_divergence(P, rbind(u, u, u)), ignore_attr = TRUE)
  expect_equal(unname(kl_divergence(P, u)), c(0, kl_divergence(c(0.9, 0.1), u), log(2)))
  expect_length(kl_divergence(u, P), 3)
  expect_length(entropy(c(0.3, 0.7)), 1)
  # a sum off by less than the 1e-8 tolerance is accepted
  expect_silent(entropy(c(0.3, 0.7 + 5e-9)))
})

test_that("kl_gaussian agrees with numerical integration", {
  cases <- rbind(c(0, 1, 0, 1), c(0, 1, 1, 2), c(1, 2, 0, 1), c(-3, 0.5, 2, 3))
  for (i in seq_len(nrow(cases))) {
    m1 <- cases[i, 1]; s1 <- cases[i, 2]; m2 <- cases[i, 3]; s2 <- cases[i, 4]
    integrand <- function(x) dnorm(x, m1, s1) * (dnorm(x, m1, s1, log = TRUE) - dnorm(x, m2, s2, log = TRUE))
    numeric <- integrate(integrand, m1 - 12 * s1, m1 + 12 * s1, rel.tol = 1e-12)$value
    expect_equal(kl_gaussian(m1, s1, m2, s2), numeric, tolerance = 1e-8)
  }
  # vectorised with recycling, and the base
  expect_equal(kl_gaussian(c(0, 1, 2), 1, 0, 1), c(0, 0.5, 2))
  expect_equal(kl_gaussian(0, 1, 1, 2, base = 2), kl_gaussian(0, 1, 1, 2) / log(2))
  expect_identical(kl_gaussian(1.5, 2, 1.5, 2), 0)
})

test_that("kl_bernoulli agrees with the discrete formula", {
  p1 <- c(0, 0.1, 0.5, 0.9, 1, 0.3)
  p2 <- c(0.4, 0.7, 0.5, 0.2, 0.6, 1)
  discrete <- kl_divergence(cbind(p1, 1 - p1), cbind(p2, 1 - p2))
  expect_equal(kl_bernoulli(p1, p2), unname(discrete), tolerance = 1e-14)
  expect_identical(kl_bernoulli(0.3, 1), Inf)
  expect_identical(kl_bernoulli(1, 1), 0)
  expect_identical(kl_bernoulli(0, 0), 0)
  expect_equal(kl_bernoulli(0.9, 0.5, base = 2), kl_divergence(c(0.9, 0.1), c(0.5, 0.5), base = 2))
})

test_that("smooth_labels builds (1 - eps) onehot + eps / K", {
  y <- factor(c("b", "a", "c", "b"), levels = c("a", "b", "c"))
  s <- smooth_labels(y, 0.3)
  expect_equal(dim(s), c(4L, 3L))
  expect_identical(colnames(s), c("a", "b", "c"))
  onehot <- diag(3)[as.integer(y), ]
  expect_equal(s, 0.7 * onehot + 0.1, ignore_attr = TRUE)
  expect_equal(rowSums(s), rep(1, 4))
  expect_equal(smooth_labels(c(2, 1), 0, K = 4), rbind(c(0, 1, 0, 0), c(1, 0, 0, 0)), ignore_attr = TRUE)
  expect_identical(smooth_labels(y, 0.3, K = 3), s)
  # factor levels that do not occur still get columns
  expect_equal(ncol(smooth_labels(factor("a", levels = c("a", "b", "c", "d")), 0.2)), 4L)
})

test_that("claim 14: the smoothed loss is the cross-entropy against smoothed targets (eps = 0.1, K = 10)", {
  set.seed(14)
  n <- 200
  K <- 10
  eps <- 0.1
  logits <- matrix(rnorm(n * K, sd = 2), n, K)
  y <- sample.int(K, n, replace = TRUE)
  targets <- smooth_labels(y, eps, K = K)
  explicit <- -rowSums(targets * naive_log_softmax(logits))
  expect_equal(label_smoothing_loss(logits, y, eps, reduction = "none"), explicit, tolerance = 1e-12)
  expect_equal(label_smoothing_loss(logits, y, eps), mean(explicit), tolerance = 1e-12)
  expect_equal(label_smoothing_loss(logits, y, eps, reduction = "sum"), sum(explicit), tolerance = 1e-12)
  # (1 - eps) NLL + eps mean_k(-log p_k), written as the claim states it
  lp <- naive_log_softmax(logits)
  two_terms <- (1 - eps) * -lp[cbind(seq_len(n), y)] + eps * rowMeans(-lp)
  expect_equal(label_smoothing_loss(logits, y, eps, reduction = "none"), two_terms, tolerance = 1e-12)
  # and it is cross_entropy() row by row
  expect_equal(label_smoothing_loss(logits, y, eps, reduction = "none"),
               cross_entropy(targets, exp(lp)), tolerance = 1e-12)
  # eps = 0 is the plain softmax cross-entropy
  expect_equal(label_smoothing_loss(logits, y), mean(-lp[cbind(seq_len(n), y)]), tolerance = 1e-12)
})

test_that("label_smoothing_loss equals the categorical likelihood with smoothing", {
  set.seed(15)
  n <- 150
  K <- 10
  logits <- matrix(rnorm(n * K, sd = 2), n, K)
  lev <- paste0("class", 1:K)
  y <- factor(sample(lev, n, replace = TRUE), levels = lev)
  for (eps in c(0, 0.1, 0.5)) {
    expect_equal(label_smoothing_loss(logits, y, eps),
                 family_nll(lik_categorical(label_smoothing = eps), y, logits, reduce = "mean"),
                 tolerance = 1e-12)
  }
  w <- runif(n)
  expect_equal(label_smoothing_loss(logits, y, 0.1, weights = w),
               family_nll(lik_categorical(label_smoothing = 0.1), y, logits, weights = w, reduce = "mean"),
               tolerance = 1e-12)
})

test_that("label_smoothing_loss is stable for huge logits and shift invariant", {
  logits <- rbind(c(1000, 0, -1000), c(-800, 800, 799))
  y <- c(1, 3)
  out <- label_smoothing_loss(logits, y, 0.1, reduction = "none")
  expect_true(all(is.finite(out)))
  expect_equal(out[1], 0.9 * 0 + 0.1 * mean(c(0, 1000, 2000)), tolerance = 1e-12)
  expect_equal(label_smoothing_loss(logits + 5e3, y, 0.1, reduction = "none"), out, tolerance = 1e-12)
})

test_that("a label-smoothed fit_mle minimises the smoothed loss and shrinks the coefficients", {
  eps <- 0.1
  # three overlapping classes drawn from a softmax model, so that the
  # unsmoothed MLE exists too
  set.seed(21)
  n <- 300
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
  eta <- cbind(0, 0.5 + 1.5 * d$x1 - d$x2, -0.5 + 0.8 * d$x1 + 1.2 * d$x2)
  pr <- exp(eta - log(rowSums(exp(eta))))
  d$y <- factor(apply(pr, 1, function(p) sample(c("a", "b", "c"), 1, prob = p)))
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_categorical(label_smoothing = eps))
  plain <- fit_mle(y ~ x1 + x2, data = d, family = lik_categorical())
  X <- model.matrix(~ x1 + x2, d)
  B <- matrix(coef(fit), ncol(X))
  loss_at <- function(b) {
    label_smoothing_loss(cbind(0, X %*% matrix(b, ncol(X))), d$y, eps, reduction = "sum")
  }
  # the analytic gradient of the summed loss, X' (softmax - targets), vanishes
  logits <- cbind(0, X %*% B)
  probs <- exp(naive_log_softmax(logits))
  grad <- crossprod(X, (probs - smooth_labels(d$y, eps))[, -1])
  expect_lt(max(abs(grad)), 1e-6)
  # and the fit is a minimum: moving any coefficient raises the loss
  base <- loss_at(coef(fit))
  for (j in seq_along(coef(fit))) {
    step <- replace(numeric(length(coef(fit))), j, 1e-3)
    expect_gt(loss_at(coef(fit) + step), base)
    expect_gt(loss_at(coef(fit) - step), base)
  }
  # the unsmoothed MLE does not minimise it
  expect_gt(loss_at(coef(plain)), base)
  expect_lt(sum(abs(coef(fit))), sum(abs(coef(plain))))
})

test_that("label smoothing keeps the logits finite on separable data", {
  d <- data.frame(x = c(-3, -2.5, -2, -1.5, 1.5, 2, 2.5, 3), y = factor(rep(c("a", "b"), each = 4)))
  smooth <- fit_mle(y ~ x, data = d, family = lik_categorical(label_smoothing = 0.1))
  expect_true(all(is.finite(coef(smooth))))
  expect_lt(max(abs(coef(smooth))), 10)
  # the optimum predicts 1 - eps + eps / K for every point far from the boundary
  p <- predict(smooth, type = "response")
  expect_lt(max(p), 1 - 1e-3)
})

test_that("bad inputs give classed errors naming the argument", {
  q <- c(0.7, 0.2, 0.1)
  expect_error(entropy(c(0.5, -0.1, 0.6)), class = "probml_error")
  expect_error(entropy(c(0.5, NA)), class = "probml_error_missing")
  expect_error(entropy(c(0.5, 0.6)), "sum to 1", class = "probml_error")
  expect_error(entropy(c(0.3, 0.7 + 1e-5)), class = "probml_error_value")
  expect_equal(entropy(c(0.3, 0.7 + 1e-7)), entropy(c(0.3, 0.7)), tolerance = 1e-5)  # within the tolerance
  expect_error(entropy("a"), class = "probml_error")
  expect_error(entropy(numeric(0)), class = "probml_error_length")
  expect_error(entropy(c(Inf, 0)), class = "probml_error")
  expect_error(entropy(data.frame(a = 0.5, b = 0.5)), class = "probml_error")
  expect_error(kl_divergence(c(0.5, 0.5), q), "`p` has length 2 but `q` has length 3", class = "probml_error_length")
  expect_error(cross_entropy(q, c(0.7, -0.1, 0.4)), "`q`", class = "probml_error")
  expect_error(kl_divergence(rbind(q, q), rbind(q, q, q)), class = "probml_error_length")
  expect_error(kl_divergence(rbind(q, q), c(0.5, 0.5)), class = "probml_error_length")
  expect_error(entropy(q, base = 1), "base", class = "probml_error")
  expect_error(entropy(q, base = 0), "base", class = "probml_error")
  expect_error(entropy(q, base = -2), class = "probml_error")
  expect_error(kl_divergence(q, q, base = c(2, 10)), class = "probml_error")
  expect_error(kl_gaussian(0, 0, 0, 1), "sd1", class = "probml_error")
  expect_error(kl_gaussian(0, 1, 0, -1), "sd2", class = "probml_error")
  expect_error(kl_gaussian(c(0, 1), 1, c(0, 1, 2), 1), class = "probml_error_length")
  expect_error(kl_gaussian(NA_real_, 1, 0, 1), class = "probml_error_missing")
  expect_error(kl_bernoulli(1.2, 0.5), "p1", class = "probml_error")
  expect_error(kl_bernoulli(0.5, -0.1), "p2", class = "probml_error")

  y <- factor(c("a", "b", "c"))
  logits <- matrix(0, 3, 3)
  expect_error(smooth_labels(y, 1), "epsilon", class = "probml_error")
  expect_error(smooth_labels(y, -0.1), "epsilon", class = "probml_error")
  expect_error(smooth_labels(y, 0.1, K = 4), class = "probml_error")
  expect_error(smooth_labels(c(1, 2), 0.1), "K", class = "probml_error")
  expect_error(smooth_labels(c(1, 5), 0.1, K = 4), class = "probml_error")
  expect_error(smooth_labels(c(1, 1.5), 0.1, K = 4), class = "probml_error")
  expect_error(smooth_labels(c(1, NA), 0.1, K = 4), class = "probml_error_missing")
  expect_error(label_smoothing_loss(logits, y, epsilon = 1), class = "probml_error")
  expect_error(label_smoothing_loss(replace(logits, 2, Inf), y), class = "probml_error_nonfinite")
  expect_error(label_smoothing_loss(replace(logits, 2, NA), y), class = "probml_error_missing")
  expect_error(label_smoothing_loss(matrix(0, 3, 4), y), "columns", class = "probml_error")
  expect_error(label_smoothing_loss(logits, c(1, 2, 4)), class = "probml_error")
  expect_error(label_smoothing_loss(matrix(0, 4, 3), y), class = "probml_error_length")
  expect_error(label_smoothing_loss(c(1, 2, 3), y), "logits", class = "probml_error")
  expect_error(label_smoothing_loss(matrix(0, 3, 1), c(1, 1, 1)), class = "probml_error")
  expect_error(label_smoothing_loss(`colnames<-`(logits, c("x", "y", "z")), y), class = "probml_error")
  expect_error(label_smoothing_loss(logits, y, reduction = "max"), class = "probml_error")
  expect_error(label_smoothing_loss(logits, y, weights = c(1, -1, 1)), class = "probml_error")
  expect_error(label_smoothing_loss(logits, y, weights = 1:2), class = "probml_error_length")
})

test_that("the information functions' messages", {
  q <- c(0.7, 0.2, 0.1)
  expect_condition_snapshot({
    smooth_labels(c(1, 2), 0.1, K = 1e9)
    label_smoothing_loss(c(1, 2), c(1, 2))
    label_smoothing_loss(matrix(c(1, 2), 2, 1), c(1, 1))
    label_smoothing_loss(matrix(1:6 + 0.5, 2), factor(c("a", "b")))
    entropy(q, base = 1)
    smooth_labels(factor(c("a", "b")), epsilon = 1)
    kl_divergence(c(0.5, 0.5), q)
    kl_divergence(rbind(q, q), rbind(q, q, q))
    kl_gaussian(0, -1, 0, 1)
    kl_bernoulli(1.5, 0.5)
    kl_gaussian(c(0, 1), 1, c(0, 1, 2), 1)
    kl_gaussian("a", 1, 0, 1)
    smooth_labels(c(1, 2), 0.1)
    smooth_labels(factor(c("a", "b")), 0.1, K = 3)
  })
})
