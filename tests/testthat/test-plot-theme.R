# The shared look of the plots (R/plot-theme.R) and, across files, that
# every plot method draws on a null device and returns its input invisibly.

test_that("probml_palette() is Okabe-Ito without black and yellow, distinct beyond six", {
  oi <- unname(grDevices::palette.colors(9L, "Okabe-Ito"))
  six <- probml_palette(6)
  expect_setequal(toupper(six), toupper(oi[c(2, 3, 4, 6, 7, 8)]))
  expect_false(any(toupper(six) %in% toupper(oi[c(1, 5)])))   # black, yellow
  expect_identical(probml_palette(2), six[1:2])
  expect_length(unique(probml_palette(9)), 9L)
  expect_length(probml_palette(0), 0L)
})

test_that("reliability captions explain every mark that is drawn", {
  a <- reliability_caption("wilson", 0.9, consistency = TRUE)
  expect_match(a, "90% Wilson intervals", fixed = TRUE)
  expect_match(a, "90% consistency band", fixed = TRUE)
  expect_match(a, "dashed: perfect calibration", fixed = TRUE)
  b <- reliability_caption("clopper-pearson", 0.95, consistency = FALSE, counts = FALSE)
  expect_match(b, "95% Clopper-Pearson intervals", fixed = TRUE)
  expect_no_match(b, "consistency|lower panel")
})

test_that("captions wrap at '; ' to the device width; labels are spread apart in order", {
  grDevices::pdf(NULL, width = 4)
  on.exit(grDevices::dev.off())
  text <- reliability_caption("wilson", 0.95, TRUE)
  lines <- wrap_caption(text)
  expect_gt(length(lines), 1L)
  expect_identical(paste(lines, collapse = "; "), text)
  expect_true(all(graphics::strwidth(lines, "inches", cex = probml_look$caption_cex) <= 0.95 * 4))
  y <- c(1, 1.01, 0.5, 1.02, -2)
  s <- spread_labels(y, 0.1)
  expect_identical(order(s), order(y, seq_along(y)))
  expect_true(all(diff(sort(s)) >= 0.1 - 1e-12))
  expect_identical(s[c(3, 5)], y[c(3, 5)])   # labels with room stay put
})

test_that("reliability plot data: one series per curve_by combination, classes as facets, bars inside bins", {
  set.seed(1)
  p <- runif(400)
  y <- rbinom(400, 1, p)
  cc <- cal_curve(y, list(a = p, b = p^2), bins = 5)
  d <- cal_curve_plot_data(cc)
  expect_identical(levels(d$table$series), c("a", "b"))
  expect_false(d$faceted)
  expect_true(d$legend)
  tab <- d$table
  expect_true(all(tab$bar_left >= tab$lower & tab$bar_right <= tab$upper & tab$bar_left < tab$bar_right))
  # Bars of the two series in one bin do not overlap.
  both <- merge(tab[tab$series == "a", c("bin", "bar_right")], tab[tab$series == "b", c("bin", "bar_left")], by = "bin")
  expect_true(all(both$bar_right <= both$bar_left))
  # A classwise table (as multiclass curves will have): the classes become facets.
  mc <- cc
  mc$table <- rbind(transform(cc$table, class = "x"), transform(cc$table, class = "z"))
  mc$curve_by <- c("model", "class")
  dm <- cal_curve_plot_data(mc)
  expect_true(dm$faceted)
  expect_identical(levels(dm$table$facet), c("x", "z"))
  expect_identical(levels(dm$table$series), c("a", "b"))
  # One unnamed model: no legend.
  expect_false(cal_curve_plot_data(cal_curve(y, p))$legend)
  # curve_by naming group columns.
  g <- cc
  g$table$site <- rep(c("north", "south"), length.out = nrow(g$table))
  g$curve_by <- c("model", "site")
  expect_setequal(levels(cal_curve_plot_data(g)$table$series), c("a, north", "a, south", "b, north", "b, south"))
})

test_that("every plot method draws on a null device and returns its input invisibly", {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  set.seed(2)
  z <- rnorm(300)
  y <- rbinom(300, 1, plogis(z))
  cc <- cal_curve(y, list(a = plogis(2 * z), b = plogis(z)), bins = 6, consistency = TRUE, n_resamples = 50)
  mc <- cc
  mc$table <- rbind(transform(cc$table, class = "x"), transform(cc$table, class = "z"))
  mc$curve_by <- c("model", "class")
  mu <- rnorm(200)
  yr <- rnorm(200, mu)
  objects <- list(
    cal_curve = cc, cal_curve_classes = mc,
    calibrator = calibrate(y, plogis(2 * z), method = "isotonic"),
    temperature = calibrate(y, 2 * z, method = "temperature"),
    estimator = simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 1), n = c(5, 50), reps = 50, seed = 1),
    estimator_one_n = simulate_estimator("mean", "gaussian", c(0, 1), n = 10, reps = 50, seed = 1),
    estimator_no_truth = simulate_estimator(function(x) max(x), "uniform", c(min = 0, max = 1), n = c(5, 50),
                                            reps = 50, seed = 1),
    dist = fit_dist(rexp(100), "exponential"),
    dist_discrete = fit_dist(rpois(100, 2), "poisson"),
    pit = pit_values(yr, mu, 0.5),
    regression_calibrator = recalibrate_regression(yr, mu, 0.5),
    path = map_path(mpg ~ ., data = mtcars)
  )
  par_before <- graphics::par(c("mfrow", "mar", "oma"))
  for (nm in names(objects)) {
    obj <- objects[[nm]]
    expect_invisible(res <- plot(obj))
    expect_identical(res, obj, label = nm)
    expect_identical(graphics::par(c("mfrow", "mar", "oma")), par_before, label = nm)   # par restored
  }
  expect_invisible(plot(objects$path, label = TRUE))
  expect_invisible(plot(cc, histogram = FALSE))
})

test_that("plot(calibrator) draws one map per class of a one-vs-rest calibrator", {
  set.seed(3)
  Z <- matrix(rnorm(300 * 3), 300, 3, dimnames = list(NULL, c("a", "b", "c")))
  P <- exp(Z) / rowSums(exp(Z))
  cls <- factor(apply(P, 1, function(p) sample(colnames(Z), 1, prob = p)), levels = colnames(Z))
  ovr <- calibrate(cls, 2 * Z, method = "temperature")
  ovr$method <- "isotonic"
  ovr$classes <- lapply(stats::setNames(nm = colnames(Z)), function(k) calibrate(as.integer(cls == k), P[, k], method = "isotonic"))
  expect_identical(names(calibrator_maps(ovr)), colnames(Z))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(ovr), ovr)
  expect_probml_error(plot(calibrate(cls, 2 * Z, method = "temperature"), n_grid = 1), "probml_error_value")
})

test_that("plot() of vector, matrix and Dirichlet calibrators draws each class over at most 2000 kept training rows", {
  set.seed(8)
  n <- 2500
  Z <- matrix(rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  cls <- factor(apply(exp(Z), 1, function(e) sample(colnames(Z), 1, prob = e)), levels = colnames(Z))
  P <- exp(3 * Z) / rowSums(exp(3 * Z))
  w <- rep(1, n)
  w[1:10] <- 0
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  for (method in c("vector", "matrix", "dirichlet")) {
    cal <- calibrate(cls, P, method = method, weights = w)
    kept <- cal$train_scores
    # Evenly spaced rows of positive weight, as given (probabilities here).
    expect_identical(dim(kept), c(2000L, 3L), label = method)
    expect_identical(attr(kept, "n"), 2490L)
    key <- function(M) apply(M, 1, paste, collapse = ",")
    expect_true(all(key(kept) %in% key(P[w > 0, ])))
    expect_false(anyDuplicated(key(kept)) > 0)
    expect_invisible(res <- plot(cal))
    expect_identical(res, cal)
  }
  # Logits: the rows kept are the logits; a small fit keeps them all.
  cal <- calibrate(cls[1:300], 2 * Z[1:300, ], method = "vector")
  expect_identical(unclass(cal$train_scores)[, ], 2 * Z[1:300, ])
  expect_identical(plot(cal, main = "Vector scaling of logits"), cal)
  # More classes than the palette's distinct colours: a panel per class, par() restored.
  Z7 <- matrix(rnorm(700 * 7), 700, 7)
  y7 <- factor(apply(exp(Z7), 1, function(e) sample(7, 1, prob = e)), levels = 1:7)
  cal7 <- calibrate(y7, Z7, method = "vector")
  before <- graphics::par(c("mfrow", "mar", "oma"))
  expect_invisible(res <- plot(cal7))
  expect_identical(res, cal7)
  expect_identical(graphics::par(c("mfrow", "mar", "oma")), before)
})

test_that("autoplot() of a reliability curve: its layers, caption, and a count panel a third as tall", {
  skip_if_not_installed("ggplot2")
  set.seed(4)
  p <- runif(600)
  y <- rbinom(600, 1, p)
  cc <- cal_curve(y, list(raw = p, squared = p^2), bins = 8, consistency = TRUE, n_resamples = 50)
  g <- ggplot2::autoplot(cc)
  expect_s3_class(g, "ggplot")
  geoms <- vapply(g$layers, function(l) class(l$geom)[1], "")
  expect_true(all(c("GeomRibbon", "GeomErrorbar", "GeomPoint", "GeomLine", "GeomRect") %in% geoms))
  expect_match(g$labels$caption, "95% Wilson intervals", fixed = TRUE)
  expect_match(g$labels$caption, "consistency band", fixed = TRUE)
  # Without bands, no ribbon and no mention of one.
  g0 <- ggplot2::autoplot(cal_curve(y, p))
  expect_false("GeomRibbon" %in% vapply(g0$layers, function(l) class(l$geom)[1], ""))
  expect_no_match(g0$labels$caption, "consistency")
  # Panel heights 3 : 1; the count panel's labels are counts.
  gt <- ggplot2::ggplotGrob(g)
  h <- as.numeric(gt$heights[gt$layout$t[grepl("^panel", gt$layout$name)]])
  expect_equal(h[1] / h[2], 3, tolerance = 1e-8)
  b <- ggplot2::ggplot_build(g)
  labels <- b$layout$panel_params[[2]]$y$get_labels()
  top <- max(cc$table$count)
  expect_identical(labels, format(pretty(c(0, top), 3)[pretty(c(0, top), 3) <= top], trim = TRUE))
  expect_snapshot(error = TRUE, ggplot2::autoplot(cc, colour = "red"))
})

test_that("base_legend_free() puts the legend where it covers fewest marks", {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  graphics::plot(c(0, 1), c(0, 1), type = "n")
  # Marks everywhere but the bottom right quarter.
  g <- expand.grid(x = seq(0, 1, 0.02), y = seq(0, 1, 0.02))
  g <- g[!(g$x > 0.5 & g$y < 0.5), ]
  r <- base_legend_free(g$x, g$y, legend = c("one", "two"), lty = 1)$rect
  expect_gt(r$left, 0.5)
  expect_lt(r$top, 0.5)
  # along_segments(): n points on each segment, ends included.
  ax <- along_segments(c(0, 0.3), c(1, 0), c(1, 1), c(1, 0), n = 5L)
  expect_length(ax$x, 10L)
  expect_equal(sort(ax$x[ax$y == 1]), seq(0, 1, 0.25))
  expect_equal(sort(ax$x[ax$y == 0]), seq(0.3, 1, length.out = 5))
})
