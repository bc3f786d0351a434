# Multiclass calibration: one-vs-rest maps, vector/matrix scaling and
# Dirichlet calibration, multiclass calibration curves.

softmax_rows <- function(U) {
  E <- exp(U - apply(U, 1, max))
  E / rowSums(E)
}

# An overconfident 3-class model: true probabilities softmax(Z), the model's
# scores 3 Z plus a class bias.
sim_overconfident <- function(n, seed) {
  set.seed(seed)
  Z <- matrix(rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- factor(colnames(Z)[apply(softmax_rows(Z), 1, function(p) sample(3, 1, prob = p))], levels = colnames(Z))
  S <- 3 * Z + rep(c(0.6, 0, -0.6), each = n)
  list(y = y, S = S, P = softmax_rows(S))
}

# The scikit-learn fixture (tools/sklearn-ovr-isotonic.py).
read_sklearn_ovr <- function() {
  d <- utils::read.csv(test_path("fixtures", "sklearn-ovr-isotonic.csv"), stringsAsFactors = FALSE)
  cols <- function(tab, prefix) {
    m <- as.matrix(tab[paste0(prefix, c("a", "b", "c"))])
    dimnames(m) <- list(NULL, c("a", "b", "c"))
    m
  }
  tr <- d[d$set == "train", ]
  nw <- d[d$set == "new", ]
  list(P = cols(tr, "p_"), y = factor(tr$y, levels = c("a", "b", "c")), w = tr$w, P_new = cols(nw, "p_"),
       train = tr, new = nw, cols = cols)
}

test_that("one-vs-rest isotonic equals scikit-learn's per-class isotonic maps before renormalisation", {
  sk <- read_sklearn_ovr()
  cal <- calibrate(sk$y, sk$P, method = "isotonic")
  calw <- calibrate(sk$y, sk$P, method = "isotonic", weights = sk$w)
  for (set in c("train", "new")) {
    X <- if (set == "train") sk$P else sk$P_new
    ref <- sk[[set]]
    # IsotonicRegression(out_of_bounds = "clip") per class, unweighted and weighted.
    expect_equal(predict(cal, X, normalize = FALSE), sk$cols(ref, "iso_"), tolerance = 1e-8, label = set)
    expect_equal(predict(calw, X, normalize = FALSE), sk$cols(ref, "isow_"), tolerance = 1e-8, label = set)
    # CalibratedClassifierCV's renormalised probabilities.
    expect_equal(predict(cal, X), sk$cols(ref, "cccv_"), tolerance = 1e-8, label = set)
  }
  # The new points include scores beyond the training range (clipped).
  expect_true(any(sk$P_new < min(sk$P)) && any(sk$P_new > max(sk$P)))
})

test_that("smoothed-target Platt equals scikit-learn's sigmoid calibration on the logits", {
  sk <- read_sklearn_ovr()
  ref <- utils::read.csv(test_path("fixtures", "sklearn-ovr-sigmoid.csv"), stringsAsFactors = FALSE)
  cal <- calibrate(sk$y, sk$P, method = "platt", platt_targets = "smoothed")
  calw <- calibrate(sk$y, sk$P, method = "platt", platt_targets = "smoothed", weights = sk$w)
  for (k in c("a", "b", "c")) {
    for (weighted in 0:1) {
      r <- ref[ref$class == k & ref$weighted == weighted, ]
      got <- (if (weighted == 1) calw else cal)$classes[[k]]$coefficients
      # P = 1 / (1 + exp(A f + B)): intercept -B, slope -A. scikit-learn
      # stops BFGS at a gradient norm of 1e-5.
      expect_equal(unname(got), -c(r$B, r$A), tolerance = 1e-6, label = paste(k, weighted))
    }
  }
  # The smoothed targets shrink the map towards 1/2 against the hard fit.
  hard <- calibrate(sk$y, sk$P, method = "platt")
  expect_false(isTRUE(all.equal(hard$classes$a$coefficients, cal$classes$a$coefficients)))
})

test_that("smoothed Platt is the weighted fit to Platt's targets, binary too", {
  set.seed(7)
  z <- rnorm(60)
  y <- rbinom(60, 1, plogis(z))
  cal <- calibrate(y, 3 * z, method = "platt", platt_targets = "smoothed")
  n1 <- sum(y)
  t <- ifelse(y == 1, (n1 + 1) / (n1 + 2), 1 / (60 - n1 + 2))
  ref <- suppressWarnings(glm(t ~ I(3 * z), family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
  expect_equal(unname(cal$coefficients), unname(coef(ref)), tolerance = 1e-8)
  expect_output(print(cal), "smoothed targets")
})

test_that("one-vs-rest calibrators are exactly the binary calibrators of each class", {
  d <- sim_overconfident(600, 1)
  fit <- 1:400
  w <- rep(c(1, 2, 0.5), 200)[fit]
  for (method in c("platt", "isotonic", "beta", "histogram")) {
    cal <- calibrate(d$y[fit], d$P[fit, ], method = method, weights = w, bins = 8)
    expect_s3_class(cal, "probml_calibrator")
    expect_identical(cal$n_classes, 3L)
    expect_identical(cal$levels, c("a", "b", "c"))
    expect_named(cal$classes, c("a", "b", "c"))
    Q <- predict(cal, d$P[-fit, ], normalize = FALSE)
    for (k in c("a", "b", "c")) {
      binary <- calibrate(as.numeric(d$y[fit] == k), d$P[fit, k], method = method, weights = w, bins = 8)
      expect_identical(cal$classes[[k]][names(cal$classes[[k]]) != "call"], binary[names(binary) != "call"],
                       label = paste(method, k))
      expect_identical(Q[, k], predict(binary, d$P[-fit, k]), label = paste(method, k))
    }
    P_cal <- predict(cal, d$P[-fit, ])
    expect_identical(colnames(P_cal), c("a", "b", "c"))
    expect_equal(rowSums(P_cal), rep(1, nrow(P_cal)))
    expect_equal(P_cal, Q / rowSums(Q))
  }
  # (b) of the acceptance: Platt per class, exactly.
  platt <- calibrate(d$y[fit], d$P[fit, ], method = "platt")
  for (k in c("a", "b", "c")) {
    expect_identical(platt$classes[[k]]$coefficients,
                     calibrate(as.numeric(d$y[fit] == k), d$P[fit, k], method = "platt")$coefficients)
  }
  # Arguments reach the binary calibrators.
  iso <- calibrate(d$y[fit], d$P[fit, ], method = "isotonic", isotonic_predict = "step")
  expect_identical(iso$classes$b$isotonic_type, "step")
  expect_output(print(platt), "one-vs-rest Platt scaling, 3 classes")
  expect_output(print(iso), "blocks")
  expect_output(print(calibrate(d$y[fit], d$P[fit, ], method = "histogram", bins = 4)), "bins")
  expect_output(print(calibrate(d$y[fit], d$P[fit, ], method = "beta")), "class")
})

test_that("a row whose K calibrated values are all 0 becomes uniform", {
  # Histogram maps with bins [0, 1/3), [1/3, 2/3), [2/3, 1]: no class is
  # ever observed when its probability is in the middle bin.
  P <- rbind(c(0.8, 0.1, 0.1), c(0.1, 0.8, 0.1), c(0.1, 0.1, 0.8),
             c(0.5, 0.4, 0.1), c(0.1, 0.5, 0.4), c(0.4, 0.1, 0.5))
  P <- P[rep(1:6, 5), ]
  colnames(P) <- c("a", "b", "c")
  y <- factor(c("a", "b", "c", "c", "a", "b")[rep(1:6, 5)], levels = c("a", "b", "c"))
  cal <- calibrate(y, P, method = "histogram", bins = 3)
  new <- rbind(c(1, 1, 1) / 3, c(0.8, 0.1, 0.1), c(0.45, 0.45, 0.1))
  Q <- predict(cal, new, normalize = FALSE)
  expect_equal(unname(Q[1, ]), c(0, 0, 0))
  expect_equal(unname(Q[3, ]), c(0, 0, 1 / 3))
  P_cal <- predict(cal, new)
  expect_equal(unname(P_cal[1, ]), rep(1 / 3, 3))
  expect_equal(unname(P_cal[2, ]), unname(Q[2, ] / sum(Q[2, ])))
  expect_equal(unname(P_cal[3, ]), c(0, 0, 1))
})

test_that("the scaling objectives' gradients equal finite differences", {
  set.seed(3)
  n <- 50
  K <- 4
  X <- matrix(rnorm(n * K), n, K)
  idx <- cbind(seq_len(n), sample(K, n, TRUE))
  w <- runif(n, 0.2, 2)
  for (method in c("vector", "matrix", "dirichlet")) {
    theta <- rnorm(if (method == "vector") 2 * K else K * K + K)
    for (pen in list(c(0, 0), c(0.7, 0.3))) {
      f <- function(th) probml:::scaling_objective(th, X, idx, w, method, pen[1], pen[2])
      g <- probml:::scaling_objective(theta, X, idx, w, method, pen[1], pen[2], gradient = TRUE)
      expect_equal(g, fd_gradient(f, theta), tolerance = 1e-7, label = paste(method, pen[1]))
    }
  }
})

# The ODIR objective written out independently: mean NLL of
# softmax(X W' + b) plus lambda / (K (K - 1)) sum of squared off-diagonal
# entries and mu / K sum of squared intercepts.
odir_objective <- function(theta, X, y, lambda, mu, diagonal = FALSE) {
  K <- ncol(X)
  W <- if (diagonal) diag(theta[1:K]) else matrix(theta[1:(K * K)], K, K)
  b <- utils::tail(theta, K)
  U <- X %*% t(W) + matrix(b, nrow(X), K, byrow = TRUE)
  nll <- mean(log(rowSums(exp(U))) - U[cbind(seq_len(nrow(X)), as.integer(y))])
  nll + lambda * sum((W - diag(diag(W)))^2) / (K * (K - 1)) + mu * sum(b^2) / K
}

central_gradient <- function(f, x, h = 1e-5, ...) {
  vapply(seq_along(x), function(k) {
    e <- replace(numeric(length(x)), k, h)
    (f(x + e, ...) - f(x - e, ...)) / (2 * h)
  }, numeric(1))
}

test_that("vector, matrix and Dirichlet calibration lower the held-out log loss of an overconfident model", {
  d <- sim_overconfident(4000, 2)
  fit <- 1:2000
  raw <- log_loss(d$y[-fit], d$P[-fit, ])
  temp <- log_loss(d$y[-fit], predict(calibrate(d$y[fit], d$P[fit, ], method = "temperature"), d$P[-fit, ]))
  for (method in c("vector", "matrix", "dirichlet")) {
    cal <- calibrate(d$y[fit], d$P[fit, ], method = method)
    P_cal <- predict(cal, d$P[-fit, ])
    expect_identical(colnames(P_cal), c("a", "b", "c"))
    expect_equal(rowSums(P_cal), rep(1, nrow(P_cal)))
    held_out <- log_loss(d$y[-fit], P_cal)
    expect_lt(held_out, raw - 0.3)
    # The class bias is what temperature scaling cannot remove.
    expect_lt(held_out, temp)
    expect_lt(cal$nll[["after"]], cal$nll[["before"]])
  }
})

test_that("vector, matrix and Dirichlet calibration equal a direct optimisation of their objectives", {
  d <- sim_overconfident(1500, 4)
  L <- log(d$P)
  start <- list(vector = c(1, 1, 1, 0, 0, 0), matrix = c(diag(3), 0, 0, 0))
  cases <- list(list("vector", 0, 0), list("vector", 0, 0.1), list("matrix", 0, 0), list("matrix", 0.05, 0.02),
                list("dirichlet", 0, 0), list("dirichlet", 0.05, 0.02), list("dirichlet", 1, 0))
  for (case in cases) {
    method <- case[[1]]
    lambda <- case[[2]]
    mu <- case[[3]]
    # Vector and matrix scaling take the logits; Dirichlet the probabilities.
    X <- if (method == "dirichlet") L else d$S
    cal <- calibrate(d$y, if (method == "dirichlet") d$P else d$S, method = method, lambda = lambda, mu = mu)
    diagonal <- method == "vector"
    ref <- stats::optim(start[[if (diagonal) "vector" else "matrix"]], odir_objective,
                        function(th, ...) central_gradient(odir_objective, th, ...),
                        X = X, y = d$y, lambda = lambda, mu = mu, diagonal = diagonal,
                        method = "BFGS", control = list(reltol = 1e-15, maxit = 5000))
    label <- paste(method, lambda, mu)
    theta <- unname(c(if (diagonal) diag(cal$W) else cal$W, cal$b))
    expect_equal(cal$objective, odir_objective(theta, X, d$y, lambda, mu, diagonal), tolerance = 1e-12, label = label)
    expect_lte(cal$objective, ref$value + 1e-12)
    # The predictions are unique; the parameters too once both penalties act
    # (or for vector scaling, whose slopes are identified, once mu does).
    U <- X %*% t(if (diagonal) diag(ref$par[1:3]) else matrix(ref$par[1:9], 3)) + matrix(utils::tail(ref$par, 3), nrow(X), 3, byrow = TRUE)
    expect_equal(predict(cal, if (method == "dirichlet") d$P else d$S), softmax_rows(U), tolerance = 1e-6,
                 ignore_attr = TRUE, label = label)
    if (mu > 0) expect_equal(theta, ref$par, tolerance = 1e-6, label = label)
  }
})

test_that("unregularised Dirichlet and matrix scaling equal nnet::multinom", {
  skip_if_not_installed("nnet")
  d <- sim_overconfident(1200, 5)
  fit <- 1:800
  L <- as.data.frame(log(d$P))
  cal <- calibrate(d$y[fit], d$P[fit, ], method = "dirichlet")
  ref <- nnet::multinom(y ~ a + b + c, data = cbind(y = d$y, L)[fit, ], trace = FALSE, reltol = 1e-14,
                        abstol = 1e-300, maxit = 10000)
  expect_equal(predict(cal, d$P[-fit, ]), predict(ref, L[-fit, ], type = "probs"), tolerance = 1e-6, ignore_attr = TRUE)
  S <- as.data.frame(d$S)
  calm <- calibrate(d$y[fit], d$S[fit, ], method = "matrix")
  refm <- nnet::multinom(y ~ a + b + c, data = cbind(y = d$y, S)[fit, ], trace = FALSE, reltol = 1e-14,
                         abstol = 1e-300, maxit = 10000)
  expect_equal(predict(calm, d$S[-fit, ]), predict(refm, S[-fit, ], type = "probs"), tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("Dirichlet calibration reads logits as their log-probabilities; weights act as copies", {
  d <- sim_overconfident(900, 6)
  fit <- 1:600
  a <- calibrate(d$y[fit], d$S[fit, ], method = "dirichlet", lambda = 0.1)
  b <- calibrate(d$y[fit], d$P[fit, ], method = "dirichlet", lambda = 0.1)
  expect_identical(a$scores_are, "logit")
  expect_equal(predict(a, d$S[-fit, ]), predict(b, d$P[-fit, ]), tolerance = 1e-8)
  expect_equal(a$W, b$W, tolerance = 1e-6)
  # Vector scaling of logits is another model than of log-probabilities.
  expect_false(isTRUE(all.equal(predict(calibrate(d$y[fit], d$S[fit, ], method = "vector"), d$S[-fit, ]),
                                predict(calibrate(d$y[fit], d$P[fit, ], method = "vector"), d$P[-fit, ]))))
  w <- rep(c(2, 0, 1), 200)
  twice <- c(which(w == 2), which(w > 0))
  for (method in c("vector", "matrix", "dirichlet", "platt", "isotonic")) {
    cw <- calibrate(d$y[fit], d$P[fit, ], method = method, weights = w, lambda = if (method %in% c("platt", "isotonic")) 0 else 0.1)
    cc <- calibrate(d$y[fit][twice], d$P[fit, ][twice, ], method = method, lambda = if (method %in% c("platt", "isotonic")) 0 else 0.1)
    expect_equal(predict(cw, d$P[-fit, ]), predict(cc, d$P[-fit, ]), tolerance = 1e-6, label = method)
  }
  expect_output(print(a), "Dirichlet calibration")
  expect_output(print(a), "lambda = 0.1, mu = 0.1")
  expect_output(print(calibrate(d$y[fit], d$S[fit, ], method = "vector")), "z = the logits")
  expect_output(print(calibrate(d$y[fit], d$P[fit, ], method = "matrix")), "z = log\\(p\\)")
})

test_that("calibrate_cv takes the scaling methods for a multiclass model", {
  set.seed(9)
  n <- 900
  dd <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
  dd$cls <- cut(dd$x1 + 0.5 * dd$x2 + rnorm(n), c(-Inf, -0.5, 0.5, Inf), labels = c("lo", "mid", "hi"))
  model <- fit_mle(cls ~ x1 + x2, data = dd[1:600, ], family = lik_categorical())
  cm <- calibrate_cv(dd[1:600, ], model = model, method = "dirichlet", folds = 3, seed = 1)
  P <- predict(cm, dd[-(1:600), ])
  expect_identical(colnames(P), c("lo", "mid", "hi"))
  expect_equal(unname(rowSums(P)), rep(1, 300))
  expect_output(print(cm), "Calibration: dirichlet, 3 classes")
})

test_that("classwise curves are the binary curves per class; ECE agrees with them", {
  d <- sim_overconfident(1000, 7)
  w <- rep(c(1, 3), 500)
  for (weights in list(NULL, w)) {
    curve <- cal_curve(d$y, d$P, bins = 6, weights = weights)
    expect_s3_class(curve, "probml_cal_curve")
    expect_identical(curve$type, "classwise")
    expect_identical(curve$curve_by, "class")
    tab <- curve$table
    expect_identical(unique(tab$class), c("a", "b", "c"))
    per_class <- vapply(c("a", "b", "c"), function(k) {
      binary <- cal_curve(as.numeric(d$y == k), d$P[, k], bins = 6, weights = weights)$table
      mine <- tab[tab$class == k, ]
      expect_equal(mine[names(binary)], binary, ignore_attr = TRUE, label = k)
      ece(as.numeric(d$y == k), d$P[, k], bins = 6, weights = weights)
    }, numeric(1))
    from_curve <- vapply(split(tab, tab$class), function(t) {
      t <- t[t$weight > 0, ]
      sum(t$weight * abs(t$mean_predicted - t$observed)) / sum(t$weight)
    }, numeric(1))
    classwise <- ece(d$y, d$P, bins = 6, weights = weights, type = "classwise")
    expect_equal(classwise, mean(per_class), tolerance = 1e-12)
    expect_equal(classwise, mean(from_curve), tolerance = 1e-12)
  }
})

test_that("the top-label curve scores the confidence against the top class being right", {
  d <- sim_overconfident(1000, 8)
  curve <- cal_curve(d$y, d$P, bins = 5, type = "top-label", strategy = "quantile")
  expect_identical(curve$type, "top-label")
  expect_identical(unique(curve$table$class), "top-label")
  top <- max.col(d$P, ties.method = "first")
  right <- as.numeric(top == as.integer(d$y))
  conf <- d$P[cbind(1:1000, top)]
  ref <- cal_curve(right, conf, bins = 5, strategy = "quantile")$table
  expect_equal(curve$table[names(ref)], ref, ignore_attr = TRUE)
  t <- curve$table[curve$table$weight > 0, ]
  expect_equal(sum(t$weight * abs(t$mean_predicted - t$observed)) / sum(t$weight),
               ece(d$y, d$P, bins = 5, strategy = "quantile", type = "top-label"), tolerance = 1e-12)
  # Several models: one curve per model and class; consistency bands pass through.
  set.seed(1)
  two <- cal_curve(d$y, list(raw = d$P, flat = softmax_rows(log(d$P) / 3)), bins = 4, consistency = TRUE, n_resamples = 50)
  expect_identical(two$curve_by, c("model", "class"))
  expect_identical(unique(two$table[c("model", "class")])$model, rep(c("raw", "flat"), each = 3))
  expect_true(all(c("band_lower", "band_upper") %in% names(two$table)))
  expect_output(print(two), "class")
})

test_that("multiclass calibration refuses bad input with classed errors", {
  P <- rbind(c(0.7, 0.2, 0.1), c(0.1, 0.8, 0.1), c(0.2, 0.2, 0.6), c(0.3, 0.3, 0.4), c(0.5, 0.25, 0.25), c(0.2, 0.5, 0.3))
  colnames(P) <- c("a", "b", "c")
  y <- factor(c("a", "b", "c", "c", "a", "b"), levels = c("a", "b", "c"))
  P_bad <- P
  P_bad[2, ] <- c(0.1, 0.8, 0.2)
  expect_snapshot(error = TRUE, {
    # Rows that do not sum to 1.
    calibrate(y, P_bad, method = "isotonic")
    calibrate(y, P_bad, method = "dirichlet", scores_are = "probability")
    cal_curve(y, P_bad)
    # Levels that do not match the columns.
    calibrate(factor(c("a", "b", "c", "c", "a", "b")), cbind(P[, 1], 1 - P[, 1]), method = "platt")
    calibrate(factor(c("x", "b", "c", "c", "x", "b")), P, method = "isotonic")
    calibrate(factor(c("a", "b", "c", "c", "a", "b"), levels = c("a", "b", "c", "d")), unname(P), method = "dirichlet")
    cal_curve(factor(c("c", "b", "a", "c", "a", "b"), levels = c("c", "b", "a")), P)
    # Negative penalties, and penalties or targets a method does not use.
    calibrate(y, P, method = "dirichlet", lambda = -1)
    calibrate(y, P, method = "matrix", mu = -0.1)
    calibrate(y, P, method = "isotonic", lambda = 1)
    calibrate(y, P, method = "isotonic", platt_targets = "smoothed")
    calibrate(y, P, method = "platt", platt_targets = "soft")
    # A class absent from the calibration data.
    calibrate(factor(c("a", "b", "b", "a", "a", "b"), levels = c("a", "b", "c")), P, method = "platt")
    calibrate(y, P, method = "dirichlet", weights = c(1, 1, 0, 0, 1, 1))
    # Logits for one-vs-rest, vectors for scaling.
    calibrate(y, log(P), method = "isotonic")
    calibrate(y, log(P), method = "platt", scores_are = "logit")
    calibrate(c(0, 1, 1, 0, 1, 0), P[, 1], method = "dirichlet")
    # A binary calibrator that fails names its class.
    calibrate(y, cbind(a = 0.5, b = c(0.3, 0.2, 0.1, 0.3, 0.2, 0.1), c = c(0.2, 0.3, 0.4, 0.2, 0.3, 0.4)), method = "platt")
  })
  ovr <- calibrate(y, P, method = "histogram", bins = 2)
  dir <- calibrate(y, P, method = "dirichlet", lambda = 1)
  expect_snapshot(error = TRUE, {
    predict(ovr, P[, 1])
    predict(ovr, P[, 1:2])
    predict(ovr, P_bad)
    predict(ovr, P, normalize = NA)
    predict(dir, P, normalize = FALSE)
    predict(dir, P[, 1])
    cal_curve(y, P, type = "both")
    cal_curve(y, list(m1 = P, m2 = P[, 1]))
  })
  expect_probml_error(calibrate(y, P_bad, method = "isotonic"), "probml_error_value")
  expect_probml_error(calibrate(factor(c("x", "b", "c", "c", "x", "b")), P, method = "isotonic"), "probml_error_response")
  expect_probml_error(calibrate(factor(c("a", "b", "c", "c", "a", "b"), levels = c("a", "b", "c", "d")), unname(P), method = "dirichlet"),
                      "probml_error_response")
  expect_probml_error(calibrate(y, P, method = "dirichlet", lambda = -1), "probml_error_value")
  expect_probml_error(calibrate(y, P, method = "dirichlet", mu = -1), "probml_error_value")
  expect_probml_error(calibrate(factor(c("a", "b", "b", "a", "a", "b"), levels = c("a", "b", "c")), P, method = "isotonic"),
                      "probml_error_response")
  expect_probml_error(calibrate(y, P, method = "vector", weights = c(1, 1, 0, 0, 1, 1)), "probml_error_response")
  expect_probml_error(calibrate(y, P, method = "isotonic", lambda = 1), "probml_error_unsupported")
})

test_that("a fit the scores separate warns that it did not converge", {
  set.seed(12)
  Z <- matrix(rnorm(300 * 3), 300, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- factor(colnames(Z)[max.col(Z)], levels = colnames(Z))
  expect_snapshot(cal <- calibrate(y, Z, method = "matrix"))
  # ODIR leaves the diagonal of W free, so it does not stop the divergence.
  expect_warning(calibrate(y, Z, method = "dirichlet", lambda = 1, mu = 1), class = "probml_warning_convergence")
  # Noisy outcomes: no warning.
  y_noisy <- factor(colnames(Z)[apply(softmax_rows(Z), 1, function(p) sample(3, 1, prob = p))], levels = colnames(Z))
  expect_no_warning(calibrate(y_noisy, Z, method = "matrix"))
})
