#' Calibration (reliability) curve
#'
#' Bins the predictions and reports, per bin, the mean prediction, the
#' observed frequency of the event, the number of predictions and a
#' confidence interval for the observed frequency. A calibrated model's
#' points lie on the diagonal. Predictions of exactly 1 fall in the last bin.
#'
#' Intervals use the bin's effective sample size
#' \eqn{(\sum w)^2 / \sum w^2}{sum(w)^2 / sum(w^2)} (its count when
#' unweighted). Consistency bands (Broecker and Smith 2007) show where the
#' observed frequencies of a perfectly calibrated model would fall: outcomes
#' are redrawn as \eqn{y^* \sim Bernoulli(p)}{y* ~ Bernoulli(p)}
#' `n_resamples` times and the band is the central `level` range of each
#' bin's frequency; they use R's random numbers, so `set.seed()` makes them
#' reproducible.
#'
#' @inheritParams ece
#' @param p Predicted probabilities of the event: a vector, or a named list
#'   of vectors (one per model) to compare several models; or a matrix of
#'   class probabilities (or a named list of them), see the section on
#'   multiclass curves.
#' @param ci `"wilson"` or `"clopper-pearson"` intervals.
#' @param level Confidence level of the intervals and bands.
#' @param consistency Add consistency bands.
#' @param n_resamples Resamples for the consistency bands.
#' @param ... Not used: a misspelled argument is an error.
#' @return An object of class `probml_cal_curve`: a list whose `table` is a
#'   data frame with one row per model and bin (`model`, `bin`, `lower`,
#'   `upper`, `count`, `mean_predicted`, `observed`, `ci_lower`, `ci_upper`
#'   and, with `consistency = TRUE`, `band_lower`, `band_upper`).
#' @seealso [plot.probml_cal_curve()], [ece()], [calibrate()]
#' @examples
#' set.seed(3)
#' p <- runif(2000)
#' y <- rbinom(2000, 1, p^2)
#' curve <- cal_curve(y, list(raw = p, squared = p^2), bins = 8)
#' curve
#' plot(curve)
#' @export
cal_curve <- function(y, p, bins = 10L, strategy = c("uniform", "quantile"), weights = NULL,
                      ci = c("wilson", "clopper-pearson"), level = 0.95, consistency = FALSE,
                      n_resamples = 1000L, type = c("classwise", "top-label"), ...) {
  check_dots_empty(...)
  check_number(bins, "bins", lower = 1, upper = 1e6, integer = TRUE)
  strategy <- if (missing(strategy)) "uniform" else check_choice(strategy, c("uniform", "quantile"), "strategy")
  ci <- if (missing(ci)) "wilson" else check_choice(ci, c("wilson", "clopper-pearson"), "ci")
  check_number(level, "level", lower = 1e-6, upper = 1 - 1e-6)
  check_number(n_resamples, "n_resamples", lower = 10, upper = 1e6, integer = TRUE)
  check_flag(consistency, "consistency")
  models <- if (is.list(p) && !is.data.frame(p)) p else list(p)
  if (length(models) == 0L) abort_probml("length", "{.arg p} must be a vector or a named list of vectors, not an empty list.")
  if (is.null(names(models))) names(models) <- if (length(models) == 1L) "model" else paste0("model", seq_along(models))
  if (any(names(models) == "")) abort_probml("type", "{.arg p} must be a vector or a named list of vectors: name every element.")
  if (is.matrix(models[[1L]]) && ncol(models[[1L]]) > 1L) {
    # Probability matrices: R/calibrate_multiclass.R.
    type <- if (missing(type)) "classwise" else check_choice(type, c("classwise", "top-label"), "type")
    return(cal_curve_multiclass(y, models, type, weights, list(bins = bins, strategy = strategy, ci = ci, level = level,
                                                               consistency = consistency, n_resamples = n_resamples)))
  }
  tables <- lapply(names(models), function(m) {
    b <- check_binary_problem(y, models[[m]], weights, p_arg = if (length(models) > 1L) paste0("p$", m) else "p")
    tab <- bin_table(b, bins, strategy)
    n_eff <- ifelse(tab$weight2 > 0, tab$weight^2 / tab$weight2, 0)
    bounds <- proportion_interval(tab$observed, n_eff, level, ci)
    out <- data.frame(model = m, tab[c("bin", "lower", "upper", "count", "weight", "mean_predicted", "observed")],
                      ci_lower = bounds$lower, ci_upper = bounds$upper)
    if (consistency) out <- cbind(out, consistency_band(b, tab, strategy, level, n_resamples))
    out
  })
  structure(list(table = do.call(rbind, tables), bins = bins, strategy = strategy, ci = ci, level = level),
            class = "probml_cal_curve")
}

# Wilson or Clopper-Pearson interval for a proportion from n (effective) trials.
proportion_interval <- function(phat, n, level, method) {
  z <- qnorm((1 + level) / 2)
  lower <- upper <- rep(NA_real_, length(phat))
  ok <- n > 0 & !is.na(phat)
  if (method == "wilson") {
    nn <- n[ok]
    centre <- (phat[ok] + z^2 / (2 * nn)) / (1 + z^2 / nn)
    half <- z / (1 + z^2 / nn) * sqrt(phat[ok] * (1 - phat[ok]) / nn + z^2 / (4 * nn^2))
    lower[ok] <- pmax(centre - half, 0)
    upper[ok] <- pmin(centre + half, 1)
  } else {
    x <- phat[ok] * n[ok]
    a <- (1 - level) / 2
    lower[ok] <- ifelse(x <= 0, 0, stats::qbeta(a, x, n[ok] - x + 1))
    upper[ok] <- ifelse(x >= n[ok], 1, stats::qbeta(1 - a, x + 1, n[ok] - x))
  }
  list(lower = lower, upper = upper)
}

# Bins' observed frequencies under perfect calibration, by resampling outcomes.
consistency_band <- function(b, tab, strategy, level, n_resamples) {
  edges <- c(tab$lower, utils::tail(tab$upper, 1L))
  freq <- vapply(seq_len(n_resamples), function(r) {
    ystar <- as.integer(stats::runif(length(b$p)) < b$p)
    s <- cpp_bin_binary(ystar, b$p, b$w, edges, strategy == "uniform")
    ifelse(s$weight > 0, s$sum_y / s$weight, NA_real_)
  }, numeric(nrow(tab)))
  freq <- matrix(freq, nrow = nrow(tab))
  a <- (1 - level) / 2
  data.frame(band_lower = apply(freq, 1, stats::quantile, probs = a, na.rm = TRUE, names = FALSE),
             band_upper = apply(freq, 1, stats::quantile, probs = 1 - a, na.rm = TRUE, names = FALSE))
}

#' @export
print.probml_cal_curve <- function(x, digits = 3L, ...) {
  check_dots_empty(...)
  cat("Calibration curve: ", x$bins, " ", x$strategy, " bins, ", x$ci, " ", format(100 * x$level), "% intervals\n", sep = "")
  tab <- x$table
  tab <- tab[tab$count > 0, setdiff(names(tab), "weight"), drop = FALSE]
  print(format(tab, digits = digits), row.names = FALSE)
  invisible(x)
}

#' Plot a reliability diagram
#'
#' Draws the observed frequency against the mean prediction for each bin,
#' with confidence intervals (and consistency bands when computed), the
#' diagonal of perfect calibration and, below, the number of predictions per
#' bin. Several models are overlaid. `autoplot()` draws the same with
#' ggplot2.
#'
#' @param x,object A `probml_cal_curve`.
#' @param histogram Draw the counts below the diagram.
#' @param main,xlab,ylab Title and axis labels.
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly (`autoplot()`: a ggplot object).
#' @examples
#' set.seed(4)
#' p <- runif(1000)
#' plot(cal_curve(rbinom(1000, 1, p), p, consistency = TRUE, n_resamples = 200))
#' @export
plot.probml_cal_curve <- function(x, histogram = TRUE, main = "Reliability diagram",
                                  xlab = "Mean predicted probability", ylab = "Observed frequency", ...) {
  tab <- x$table[x$table$count > 0, , drop = FALSE]
  models <- unique(tab$model)
  # Okabe-Ito colours without black and yellow, which is hard to see on white.
  colours <- rep(grDevices::palette.colors(9L)[c(2, 3, 4, 6, 7, 8)], length.out = length(models))
  if (histogram) {
    old <- graphics::par(no.readonly = TRUE)
    on.exit(graphics::par(old))
    graphics::layout(matrix(1:2), heights = c(3, 1.3))
    graphics::par(mar = c(2, 4, 2, 1))
  }
  plot(c(0, 1), c(0, 1), type = "n", xlab = if (histogram) "" else xlab, ylab = ylab, main = main, ...)
  abline(0, 1, lty = 2, col = "grey50")
  for (i in seq_along(models)) {
    t <- tab[tab$model == models[i], ]
    if (!is.null(t$band_lower)) {
      graphics::polygon(c(t$mean_predicted, rev(t$mean_predicted)), c(t$band_lower, rev(t$band_upper)),
                        col = grDevices::adjustcolor(colours[i], 0.15), border = NA)
    }
    graphics::segments(t$mean_predicted, t$ci_lower, t$mean_predicted, t$ci_upper, col = colours[i])
    lines(t$mean_predicted, t$observed, col = colours[i])
    points(t$mean_predicted, t$observed, pch = 19, col = colours[i])
  }
  if (length(models) > 1L) graphics::legend("topleft", legend = models, col = colours[seq_along(models)], pch = 19, bty = "n")
  if (histogram) {
    graphics::par(mar = c(4, 4, 1, 1))
    plot(c(0, 1), c(0, max(tab$count)), type = "n", xlab = xlab, ylab = "Count")
    width <- (x$table$upper - x$table$lower)[x$table$model == models[1]] / (length(models) + 1)
    for (i in seq_along(models)) {
      t <- x$table[x$table$model == models[i], ]
      graphics::rect(t$lower + (i - 1) * width, 0, t$lower + i * width, t$count, col = colours[i], border = NA)
    }
  }
  invisible(x)
}

#' @rdname plot.probml_cal_curve
#' @exportS3Method ggplot2::autoplot
autoplot.probml_cal_curve <- function(object, ...) {
  check_dots_empty(...)
  check_installed("ggplot2", "{.fn autoplot}")
  tab <- object$table[object$table$count > 0, , drop = FALSE]
  # Two facets share the x axis: the diagram above, the counts per bin below.
  tab$panel <- factor("Observed frequency", levels = c("Observed frequency", "Count"))
  counts <- transform(tab, panel = factor("Count", levels = levels(tab$panel)),
                      mid = (tab$lower + tab$upper) / 2)
  aes <- ggplot2::aes
  diagonal <- data.frame(panel = tab$panel[1], x = c(0, 1), y = c(0, 1))
  g <- ggplot2::ggplot(tab, aes(x = .data$mean_predicted, y = .data$observed, colour = .data$model)) +
    ggplot2::geom_line(data = diagonal, aes(x = .data$x, y = .data$y), inherit.aes = FALSE,
                       linetype = 2, colour = "grey50")
  if (!is.null(tab$band_lower)) {
    g <- g + ggplot2::geom_ribbon(aes(ymin = .data$band_lower, ymax = .data$band_upper, fill = .data$model),
                                  alpha = 0.15, colour = NA)
  }
  g + ggplot2::geom_errorbar(aes(ymin = .data$ci_lower, ymax = .data$ci_upper), width = 0.01) +
    ggplot2::geom_line() + ggplot2::geom_point() +
    ggplot2::geom_col(data = counts, aes(x = .data$mid, y = .data$count, fill = .data$model),
                      position = "dodge", inherit.aes = FALSE, width = min(counts$upper - counts$lower)) +
    ggplot2::facet_grid(rows = ggplot2::vars(.data$panel), scales = "free_y") +
    ggplot2::coord_cartesian(xlim = c(0, 1)) +
    ggplot2::labs(x = "Mean predicted probability", y = NULL, title = "Reliability diagram")
}
