test_that("cal_curve reports each bin's mean prediction, frequency and count", {
  set.seed(16)
  p <- runif(2000)
  y <- rbinom(2000, 1, p^2)
  curve <- cal_curve(y, p, bins = 5)
  tab <- curve$table
  bins <- pmin(floor(p * 5), 4) + 1
  expect_equal(tab$count, tabulate(bins, 5))
  expect_equal(tab$mean_predicted, as.vector(tapply(p, bins, mean)), tolerance = 1e-12)
  expect_equal(tab$observed, as.vector(tapply(y, bins, mean)), tolerance = 1e-12)
  expect_true(all(tab$ci_lower <= tab$observed & tab$observed <= tab$ci_upper))
  # Wilson interval for one bin, by hand.
  k <- 3
  n <- tab$count[k]
  ph <- tab$observed[k]
  z <- qnorm(0.975)
  centre <- (ph + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z / (1 + z^2 / n) * sqrt(ph * (1 - ph) / n + z^2 / (4 * n^2))
  expect_equal(c(tab$ci_lower[k], tab$ci_upper[k]), c(centre - half, centre + half), tolerance = 1e-12)
  # Clopper-Pearson agrees with binom.test.
  cp <- cal_curve(y, p, bins = 5, ci = "clopper-pearson")$table
  bt <- binom.test(sum(y[bins == k]), n)$conf.int
  expect_equal(c(cp$ci_lower[k], cp$ci_upper[k]), as.vector(bt), tolerance = 1e-10)
  # ECE is the weighted mean gap of the curve.
  expect_equal(ece(y, p, bins = 5), sum(tab$count * abs(tab$mean_predicted - tab$observed)) / 2000)
})

test_that("predictions of exactly 1 are counted, several models overlay, bands contain a calibrated model", {
  curve <- cal_curve(c(1, 1, 0, 1), c(1, 1, 1, 0.05), bins = 10)
  expect_equal(sum(curve$table$count), 4)
  expect_equal(curve$table$count[10], 3)
  set.seed(17)
  p <- runif(3000)
  y <- rbinom(3000, 1, p)
  two <- cal_curve(y, list(good = p, bad = p^3), bins = 10, consistency = TRUE, n_resamples = 200)
  expect_identical(unique(two$table$model), c("good", "bad"))
  good <- two$table[two$table$model == "good", ]
  bad <- two$table[two$table$model == "bad", ]
  expect_gte(mean(good$observed >= good$band_lower & good$observed <= good$band_upper), 0.8)
  expect_lt(mean(bad$observed >= bad$band_lower & bad$observed <= bad$band_upper), 0.5)
  set.seed(1)
  a <- cal_curve(y, p, consistency = TRUE, n_resamples = 50)
  set.seed(1)
  b <- cal_curve(y, p, consistency = TRUE, n_resamples = 50)
  expect_identical(a, b)
  expect_output(print(two), "Calibration curve")
  pdf(NULL)
  on.exit(dev.off())
  expect_invisible(plot(two))
  expect_invisible(plot(a, histogram = FALSE))
  skip_if_not_installed("ggplot2")
  expect_s3_class(ggplot2::autoplot(two), "ggplot")
})

test_that("cal_curve refuses bad input with classed errors", {
  y <- c(0, 1, 1, 0)
  p <- c(0.1, 0.7, 0.8, 0.4)
  expect_probml_error(cal_curve(y, p, bins = 0), "probml_error")
  expect_probml_error(cal_curve(y, p, bins = 2.5), "probml_error")
  expect_probml_error(cal_curve(y, p, strategy = "x"), "probml_error")
  expect_probml_error(cal_curve(y, p, ci = "exact"), "probml_error")
  expect_probml_error(cal_curve(y, p, level = 1), "probml_error")
  expect_probml_error(cal_curve(y, p, consistency = NA), "probml_error")
  expect_probml_error(cal_curve(y, p, n_resamples = 1), "probml_error")
  expect_probml_error(cal_curve(y, c(p[-1], 1.2)), "probml_error")
  expect_probml_error(cal_curve(c(y[-1], 3), p), "probml_error")
  expect_probml_error(cal_curve(y, p[-1]), "probml_error_length")
  expect_probml_error(cal_curve(y, list(p, p[-1])), "probml_error")
  expect_probml_error(cal_curve(y, p, weights = c(1, 1, -1, 1)), "probml_error")
})

test_that("cal_curve's messages", {
  expect_condition_snapshot({
    cal_curve(c(0, 1, 1), list())
    cal_curve(c(0, 1, 1), list(a = c(0.2, 0.8, 0.6), c(0.2, 0.8, 0.6)))
    cal_curve(c(0, 1, 1), c(0.2, 0.8, 0.6), consistency = NA)
    cal_curve(c(0, 1, 1), list(a = c(0.2, 0.8, 0.6), b = c(0.2, 1.8, 0.6)))
  })
})

test_that("a data-frame cal_curve is the vector call's curve; curve_by names the curve columns", {
  d <- sim_frame()
  v <- cal_curve(d$yb, d$pb, bins = 6)
  expect_identical(v$curve_by, "model")
  expect_identical(cal_curve(d, yb, pb, bins = 6), v)
  expect_identical(cal_curve(d, "yf", "pb", weights = w, ci = "clopper-pearson", strategy = "quantile"),
                   cal_curve(d$yf, d$pb, weights = d$w, ci = "clopper-pearson", strategy = "quantile"))
  expect_identical(cal_curve(d, yl, pb, weights = "w"), cal_curve(d$yl, d$pb, weights = d$w))
  set.seed(9)
  a <- cal_curve(d, yb, pb, consistency = TRUE, n_resamples = 50)
  set.seed(9)
  expect_identical(a, cal_curve(d$yb, d$pb, consistency = TRUE, n_resamples = 50))
})

test_that("a grouped cal_curve has one curve per group, equal to the per-group vector curves", {
  d <- sim_frame()
  rows <- frame_group_rows(d)
  check <- function(curve, weighted, consistency = FALSE) {
    expect_s3_class(curve, "probml_cal_curve")
    expect_identical(curve$curve_by, c("g1", "g2"))
    tab <- curve$table
    expect_false("model" %in% names(tab))
    keys <- unique(tab[c("g1", "g2")])
    expect_identical(nrow(keys), length(rows))
    if (consistency) set.seed(10)
    for (i in seq_along(rows)) {
      r <- rows[[i]]
      one <- cal_curve(d$yb[r], d$pb[r], bins = 5, weights = if (weighted) d$w[r], consistency = consistency,
                       n_resamples = 40)$table
      part <- tab[tab$g1 == keys$g1[i] & tab$g2 == keys$g2[i], setdiff(names(tab), c("g1", "g2"))]
      rownames(part) <- NULL
      expect_identical(part, one[setdiff(names(one), "model")])
    }
  }
  check(cal_curve(d, yb, pb, bins = 5, .by = c(g1, g2)), FALSE)
  check(cal_curve(d, yb, pb, weights = w, bins = 5, .by = c(g1, g2)), TRUE)
  set.seed(10)
  check(cal_curve(d, yb, pb, bins = 5, consistency = TRUE, n_resamples = 40, .by = c(g1, g2)), FALSE, TRUE)
  skip_if_not_installed("dplyr")
  gd <- dplyr::group_by(d, g2, g1)
  curve <- cal_curve(gd, yb, pb, bins = 5)
  expect_identical(curve$curve_by, c("g2", "g1"))
  g <- attr(gd, "groups")
  for (i in seq_len(nrow(g))) {
    r <- g$.rows[[i]]
    part <- curve$table[curve$table$g2 == g$g2[i] & curve$table$g1 == g$g1[i], ]
    expect_identical(part$observed, cal_curve(d$yb[r], d$pb[r], bins = 5)$table$observed)
  }
})

test_that("cal_curve's data-frame messages", {
  d <- sim_frame(30)
  expect_condition_snapshot({
    cal_curve(d, yb, nope)
    cal_curve(d, yb, pb, binz = 4)
  })
})
