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

# Data frames ---------------------------------------------------------------

test_that("data-frame calls give exactly the vector calls' numbers", {
  d <- sim_frame()
  P <- frame_prob_matrix(d)
  for (truth in c("yb", "yf", "yl")) {
    y <- d[[truth]]
    expect_identical(log_loss(d, !!truth, pb), log_loss(y, d$pb))
    expect_identical(log_loss(d, !!truth, pb, weights = w), log_loss(y, d$pb, weights = d$w))
    expect_identical(log_loss(d, !!truth, pb, eps = 1e-3), log_loss(y, d$pb, eps = 1e-3))
    expect_identical(brier_score(d, !!truth, pb), brier_score(y, d$pb))
    expect_identical(brier_score(d, !!truth, pb, weights = "w"), brier_score(y, d$pb, weights = d$w))
    expect_identical(ece(d, !!truth, pb), ece(y, d$pb))
    expect_identical(ece(d, !!truth, pb, weights = w, bins = 7, strategy = "quantile"),
                     ece(y, d$pb, weights = d$w, bins = 7, strategy = "quantile"))
    expect_identical(mce(d, !!truth, pb), mce(y, d$pb))
    expect_identical(mce(d, !!truth, pb, weights = w, bins = 5), mce(y, d$pb, weights = d$w, bins = 5))
    expect_identical(brier_decomp(d, !!truth, pb), brier_decomp(y, d$pb))
    expect_identical(brier_decomp(d, !!truth, pb, weights = w, method = "corp"),
                     brier_decomp(y, d$pb, weights = d$w, method = "corp"))
  }
  # Multiclass: the probability columns in any order, put in the order of the levels.
  for (sel in list(quote(c(c, a, b)), quote(c:b), quote(tidyselect::all_of(c("b", "a", "c"))))) {
    expect_identical(log_loss(d, cls, !!sel), log_loss(d$cls, P))
    expect_identical(log_loss(d, cls, !!sel, weights = w), log_loss(d$cls, P, weights = d$w))
    expect_identical(brier_score(d, cls, !!sel), brier_score(d$cls, P))
    expect_identical(brier_score(d, cls, !!sel, weights = w), brier_score(d$cls, P, weights = d$w))
    expect_identical(ece(d, cls, !!sel, type = "classwise"), ece(d$cls, P, type = "classwise"))
    expect_identical(ece(d, cls, !!sel, weights = w), ece(d$cls, P, weights = d$w))
    expect_identical(mce(d, cls, !!sel), mce(d$cls, P))
    expect_identical(mce(d, cls, !!sel, weights = w, type = "classwise"), mce(d$cls, P, weights = d$w, type = "classwise"))
  }
  # Two columns for a binary factor: the matrix form of the vector call.
  d$no <- 1 - d$pb
  d$yes <- d$pb
  expect_identical(log_loss(d, yf, c(yes, no)), log_loss(d$yf, cbind(no = d$no, yes = d$yes)))
  expect_identical(brier_score(d, yf, c(yes, no)), brier_score(d$yf, cbind(no = d$no, yes = d$yes)))
})

test_that("grouped data-frame calls equal the vector calls per group", {
  d <- sim_frame()
  P <- frame_prob_matrix(d)
  rows <- frame_group_rows(d)
  key <- unique(d[c("g1", "g2")])
  rownames(key) <- NULL
  per_group <- function(f) vapply(rows, f, numeric(1), USE.NAMES = FALSE)
  check <- function(res, name, expected) {
    expect_s3_class(res, "data.frame")
    expect_identical(names(res), c("g1", "g2", name))
    expect_identical(res[c("g1", "g2")], key)     # groups in order of first appearance
    expect_identical(res[[name]], expected)
  }
  check(log_loss(d, yb, pb, .by = c(g1, g2)), "log_loss", per_group(function(r) log_loss(d$yb[r], d$pb[r])))
  check(log_loss(d, cls, c(a, b, c), weights = w, .by = c(g1, g2)), "log_loss",
        per_group(function(r) log_loss(d$cls[r], P[r, ], weights = d$w[r])))
  check(brier_score(d, yf, pb, weights = w, .by = c("g1", "g2")), "brier_score",
        per_group(function(r) brier_score(d$yf[r], d$pb[r], weights = d$w[r])))
  check(brier_score(d, cls, c(a, b, c), .by = c(g1, g2)), "brier_score",
        per_group(function(r) brier_score(d$cls[r], P[r, ])))
  check(ece(d, yb, pb, bins = 5, .by = c(g1, g2)), "ece", per_group(function(r) ece(d$yb[r], d$pb[r], bins = 5)))
  check(ece(d, cls, c(a, b, c), weights = w, type = "classwise", .by = c(g1, g2)), "ece",
        per_group(function(r) ece(d$cls[r], P[r, ], weights = d$w[r], type = "classwise")))
  check(mce(d, yl, pb, weights = w, .by = c(g1, g2)), "mce", per_group(function(r) mce(d$yl[r], d$pb[r], weights = d$w[r])))
  check(mce(d, cls, c(a, b, c), .by = c(g1, g2)), "mce", per_group(function(r) mce(d$cls[r], P[r, ])))
  # brier_decomp: one column per component.
  res <- brier_decomp(d, yb, pb, weights = w, .by = c(g1, g2))
  parts <- c("brier", "reliability", "resolution", "uncertainty", "within_bin_variance", "within_bin_covariance")
  expect_identical(names(res), c("g1", "g2", parts))
  for (i in seq_along(rows)) {
    r <- rows[[i]]
    expect_identical(unlist(res[i, parts]), unlist(unclass(brier_decomp(d$yb[r], d$pb[r], weights = d$w[r]))[parts]))
  }
  corp <- brier_decomp(d, yb, pb, method = "corp", .by = g1)
  expect_identical(names(corp), c("g1", parts[1:4]))
  expect_identical(corp$reliability, vapply(c("x", "y"), function(g) brier_decomp(d$yb[d$g1 == g], d$pb[d$g1 == g], method = "corp")$reliability,
                                            numeric(1), USE.NAMES = FALSE))
})

test_that("a dplyr grouped data frame gives the same groups, in its order, as a tibble", {
  skip_if_not_installed("dplyr")
  d <- sim_frame()
  gd <- dplyr::group_by(d, g1, g2)
  res <- log_loss(gd, yb, pb, weights = w)
  expect_s3_class(res, "tbl_df")
  by <- log_loss(d, yb, pb, weights = w, .by = c(g1, g2))
  o <- order(by$g1, by$g2)
  expect_identical(as.data.frame(res), {
    x <- by[o, ]
    rownames(x) <- NULL
    x
  })
  expect_identical(brier_decomp(gd, yb, pb)$brier,
                   vapply(attr(gd, "groups")$.rows, function(r) brier_score(d$yb[r], d$pb[r]), numeric(1)))
  expect_identical(ece(gd, cls, c(a, b, c))$ece,
                   vapply(attr(gd, "groups")$.rows, function(r) ece(d$cls[r], frame_prob_matrix(d)[r, ]), numeric(1)))
  # A tibble in, a tibble out; a data frame in, a data frame out.
  skip_if_not_installed("tibble")
  expect_s3_class(brier_score(tibble::as_tibble(d), yb, pb, .by = g1), "tbl_df")
  expect_false(inherits(brier_score(d, yb, pb, .by = g1), "tbl_df"))
})

test_that("data-frame calls refuse bad columns with classed errors", {
  d <- sim_frame(30)
  d$chr <- as.character(d$yf)
  d$three <- rep(0:2, 10)
  expect_probml_error(log_loss(d, nope, pb), "probml_error_missing")
  expect_probml_error(log_loss(d, yb, nope), "probml_error_missing")
  expect_probml_error(log_loss(d, estimate = pb), "probml_error_missing")
  expect_probml_error(log_loss(d, yb), "probml_error_missing")
  expect_probml_error(log_loss(d, chr, pb), "probml_error_response")
  expect_probml_error(log_loss(d, three, pb), "probml_error_response")
  expect_probml_error(log_loss(d, c(yb, yf), pb), "probml_error_length")
  expect_probml_error(log_loss(d, cls, c(a, b)), "probml_error_length")
  expect_probml_error(log_loss(d, cls, pb), "probml_error_length")
  expect_probml_error(log_loss(d, yb, c(a, b, c)), "probml_error_length")
  expect_probml_error(log_loss(d, yb, c(a, b)), "probml_error_response")
  expect_probml_error(brier_score(d, cls, c(a, b, pb)), "probml_error_response")
  expect_probml_error(ece(d, yb, pb, weights = c(w, pb)), "probml_error_length")
  expect_probml_error(ece(d, yb, pb, binz = 3), "probml_error_unused_argument")
  expect_probml_error(ece(d, yb, pb, 3), "probml_error_type")  # 3 is `weights`, not a position
  expect_probml_error(ece(d, yb, pb, p = d$pb), "probml_error_unused_argument")
  expect_probml_error(mce(d, d$yb, pb), "probml_error_type")
  d$pb[3] <- 1.2
  expect_probml_error(brier_decomp(d, yb, pb), "probml_error_value")
})

test_that("the data-frame calls' messages", {
  d <- sim_frame(30)
  d$chr <- as.character(d$yf)
  d$three <- rep(0:2, 10)
  d$bad <- replace(d$pb, 4, 1.5)
  expect_condition_snapshot({
    log_loss(d, nope, pb)
    log_loss(d, yb, c(pb, nope))
    log_loss(d, estimate = pb)
    log_loss(d, yb)
    log_loss(d, chr, pb)
    log_loss(d, three, pb)
    log_loss(d, c(yb, yf), pb)
    brier_score(d, cls, c(a, b))
    brier_score(d, yb, c(a, b, c))
    ece(d, cls, c(a, b, pb))
    ece(d, yb, c(a, b))
    mce(d, cls, starts_with("zzz"))
    mce(d, yb, pb, 3)
    mce(d, yb, pb, p = 1)
    brier_decomp(d, d$yb, pb)
    brier_decomp(d, yb, pb, weights = 1.5)
    brier_decomp(d, yb, bad, .by = g1)
    log_loss(d, yb, TRUE)
    log_loss(d, yb, pb, w, 1e-3)
    log_loss(transform(d, a = as.character(a)), cls, c(a, b, c))
  })
  skip_if_not_installed("dplyr")
  expect_condition_snapshot(log_loss(dplyr::group_by(d, g1), yb, pb, .by = g2))
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
