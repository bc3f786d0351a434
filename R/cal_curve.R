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
#' @inheritSection log_loss Data frames
#' @param p Predicted probabilities of the event: a vector, or a named list
#'   of vectors (one per model) to compare several models; or a matrix of
#'   class probabilities (or a named list of them), see the section on
#'   multiclass curves.
#' @param ci `"wilson"` or `"clopper-pearson"` intervals.
#' @param level Confidence level of the intervals and bands.
#' @param consistency Add consistency bands.
#' @param n_resamples Resamples for the consistency bands.
#' @param ... Further arguments of the vector method (for a data frame `y`,
#'   such as `bins`; they must be named). Otherwise not used: a
#'   misspelled argument is an error.
#' @return An object of class `probml_cal_curve`: a list whose `table` is a
#'   data frame with one row per model and bin (`model`, `bin`, `lower`,
#'   `upper`, `count`, `mean_predicted`, `observed`, `ci_lower`, `ci_upper`
#'   and, with `consistency = TRUE`, `band_lower`, `band_upper`), and whose
#'   `curve_by` names the columns of `table` that identify a curve
#'   (`"model"`). For a grouped data frame, one curve per group: the table
#'   begins with the group columns instead of `model`, and `curve_by` names
#'   them.
#' @seealso [plot.probml_cal_curve()], [ece()], [calibrate()]
#' @examples
#' set.seed(3)
#' p <- runif(2000)
#' y <- rbinom(2000, 1, p^2)
#' curve <- cal_curve(y, list(raw = p, squared = p^2), bins = 8)
#' curve
#' plot(curve)
#'
#' # From a data frame, one curve per group
#' d <- data.frame(y = y, p = p, half = rep(c("first", "second"), each = 1000))
#' cal_curve(d, y, p, bins = 5, .by = half)
#' @export
cal_curve <- function(y, ...) UseMethod("cal_curve")

#' @rdname cal_curve
#' @export
cal_curve.default <- function(y, p, bins = 10L, strategy = c("uniform", "quantile"), weights = NULL,
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
  structure(list(table = do.call(rbind, tables), bins = bins, strategy = strategy, ci = ci, level = level,
                 curve_by = "model"),
            class = "probml_cal_curve")
}

#' @rdname cal_curve
#' @export
cal_curve.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  one <- function(y, p, w) cal_curve(y, p, weights = w, ...)
  if (is.null(f$groups)) return(one(f$y, f$p, f$w))
  curves <- lapply(f$groups$rows, function(rows) {
    r <- frame_rows(f, rows)
    one(r$y, r$p, r$w)
  })
  # The group columns identify the curves in place of the single "model".
  key <- f$groups$key
  inner_by <- setdiff(curves[[1L]]$curve_by, "model")
  tables <- lapply(seq_along(curves), function(i) {
    tab <- curves[[i]]$table
    tab <- tab[setdiff(names(tab), "model")]
    cbind(key[rep(i, nrow(tab)), , drop = FALSE], tab)
  })
  out <- curves[[1L]]
  out$table <- do.call(rbind, tables)
  rownames(out$table) <- NULL
  out$curve_by <- c(names(key), inner_by)
  out
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
#' diagonal of perfect calibration and, below it in a panel a third as
#' tall that shares its x axis, the number of predictions per bin. A caption
#' explains every mark. One curve is drawn per distinct combination of the
#' columns listed in the curve's `curve_by` (by default `model`), labelled
#' by them; curves with a `class` column are drawn one class per column of
#' panels. `autoplot()` draws the same with ggplot2, with the same palette
#' and layout.
#'
#' @param x,object A `probml_cal_curve`.
#' @param histogram Draw the counts below the diagram.
#' @param main,xlab,ylab Title and axis labels.
#' @param ... For `plot()`, graphical parameters passed to [graphics::plot()]
#'   for the diagram's panel(s); for `autoplot()`, not used (a misspelled
#'   argument is an error).
#' @return `plot()`: `x`, invisibly. `autoplot()`: a ggplot object whose
#'   count panel is drawn on a rescaled axis (labelled in counts) so that it
#'   is a third as tall as the diagram; add to it with `+`, but do not
#'   replace its y scale.
#' @examples
#' set.seed(4)
#' p <- runif(1000)
#' plot(cal_curve(rbinom(1000, 1, p), p, consistency = TRUE, n_resamples = 200))
#' @export
plot.probml_cal_curve <- function(x, histogram = TRUE, main = "Reliability diagram",
                                  xlab = NULL, ylab = "Observed frequency", ...) {
  check_flag(histogram, "histogram")
  d <- cal_curve_plot_data(x)
  xlab <- xlab %||% d$xlab
  series <- levels(d$table$series)
  cols <- stats::setNames(probml_palette(length(series)), series)
  facets <- levels(d$table$facet)
  multi <- length(facets) > 1L
  caption <- reliability_caption(x$ci, x$level, d$consistency, histogram)
  old <- base_panel_stack(if (histogram) reliability_layout$heights else 1, cols = length(facets),
                          caption = caption, top = if (multi) 2 else 0)
  on.exit(graphics::par(old))
  lay <- reliability_layout
  for (f in facets) {
    graphics::par(mar = if (histogram) lay$mar_top else lay$mar_single)
    graphics::plot(c(0, 1), c(0, 1), type = "n", xlab = if (histogram) "" else xlab, ylab = ylab,
                   xaxt = if (histogram) "n" else "s", main = if (multi) paste("Class", f) else main, ...)
    if (histogram) graphics::axis(1, labels = FALSE)
    graphics::abline(0, 1, lty = probml_look$reference_lty, col = probml_look$reference)
    for (s in series) {
      t <- d$table[d$table$series == s & d$table$facet == f & d$table$count > 0, , drop = FALSE]
      if (!nrow(t)) next
      if (d$consistency) {
        graphics::polygon(c(t$mean_predicted, rev(t$mean_predicted)), c(t$band_lower, rev(t$band_upper)),
                          col = grDevices::adjustcolor(cols[[s]], probml_look$band_alpha), border = NA)
      }
      graphics::arrows(t$mean_predicted, t$ci_lower, t$mean_predicted, t$ci_upper, col = cols[[s]],
                       angle = 90, code = 3, length = 0.02)
      graphics::lines(t$mean_predicted, t$observed, col = cols[[s]], lwd = 1.5)
      graphics::points(t$mean_predicted, t$observed, pch = 19, col = cols[[s]])
    }
    if (f == facets[1L] && d$legend) {
      base_legend("topleft", legend = series, col = cols, pch = 19, lty = 1, inset = 0.02,
                  title = d$legend_title, title.adj = 0)
    }
  }
  if (multi) graphics::mtext(main, side = 3, line = 0.5, outer = TRUE, font = 2, cex = 1.2)
  if (histogram) {
    top <- max(d$table$count)
    for (f in facets) {
      graphics::par(mar = lay$mar_bottom)
      t <- d$table[d$table$facet == f, , drop = FALSE]
      graphics::plot(c(0, 1), c(0, top), type = "n", xlab = xlab, ylab = "Count", yaxt = "n")
      # Two ticks, 0 and a round count: the panel is a quarter as tall as the diagram.
      at <- pretty(c(0, top), 2)
      at <- at[at <= top]
      graphics::axis(2, at = at[c(1L, length(at))], las = 1, cex.axis = 0.8)
      graphics::rect(t$bar_left, 0, t$bar_right, t$count, col = cols[as.character(t$series)], border = NA)
    }
  }
  base_caption(caption)
  invisible(x)
}

#' @rdname plot.probml_cal_curve
#' @exportS3Method ggplot2::autoplot
autoplot.probml_cal_curve <- function(object, ...) {
  check_dots_empty(...)
  check_installed("ggplot2", "{.fn autoplot}")
  d <- cal_curve_plot_data(object)
  aes <- ggplot2::aes
  panels <- c("Observed frequency", "Predictions per bin")
  rel <- d$table[d$table$count > 0, , drop = FALSE]
  rel$panel <- factor(panels[1], levels = panels)
  # The count panel lives on [2, 2 + 1/3] of the shared y scale, so that with
  # space = "free_y" it is a third as tall as the diagram on [0, 1]; the
  # breaks and labels of that panel are counts. (No extra package needed.)
  top <- max(d$table$count)
  to_y <- function(count) 2 + count / top / 3
  cnt <- d$table
  cnt$panel <- factor(panels[2], levels = panels)
  cnt$y <- to_y(cnt$count)
  limits <- data.frame(panel = factor(panels[c(1, 1, 2, 2)], levels = panels), x = 0.5, y = c(0, 1, 2, 2 + 1 / 3))
  diagonal <- data.frame(panel = factor(panels[1], levels = panels), x = c(0, 1), y = c(0, 1))
  if (d$faceted) {
    facets <- levels(d$table$facet)
    limits <- merge(limits, data.frame(facet = factor(facets, levels = facets)))
    diagonal <- merge(diagonal, data.frame(facet = factor(facets, levels = facets)))
  }
  breaks <- function(lim) if (lim[1] >= 1.5) to_y(pretty(c(0, top), 3)[pretty(c(0, top), 3) <= top]) else seq(0, 1, 0.25)
  labels <- function(b) ifelse(b >= 1.5, format(round((b - 2) * 3 * top), trim = TRUE), format(b, trim = TRUE))
  g <- ggplot2::ggplot(rel, aes(x = .data$mean_predicted, y = .data$observed, colour = .data$series)) +
    ggplot2::geom_blank(data = limits, aes(x = .data$x, y = .data$y), inherit.aes = FALSE) +
    ggplot2::geom_line(data = diagonal, aes(x = .data$x, y = .data$y), inherit.aes = FALSE,
                       linetype = probml_look$reference_lty, colour = probml_look$reference)
  if (d$consistency) {
    g <- g + ggplot2::geom_ribbon(aes(ymin = .data$band_lower, ymax = .data$band_upper, fill = .data$series),
                                  alpha = probml_look$band_alpha, colour = NA)
  }
  series <- levels(d$table$series)
  palette <- stats::setNames(probml_palette(length(series)), series)
  g <- g + ggplot2::geom_errorbar(aes(ymin = .data$ci_lower, ymax = .data$ci_upper), width = 0.015) +
    ggplot2::geom_line() + ggplot2::geom_point() +
    ggplot2::geom_rect(data = cnt, aes(xmin = .data$bar_left, xmax = .data$bar_right, ymin = 2, ymax = .data$y,
                                       fill = .data$series), inherit.aes = FALSE) +
    ggplot2::scale_colour_manual(values = palette, aesthetics = c("colour", "fill"), name = d$legend_title,
                                 guide = if (d$legend) "legend" else "none") +
    ggplot2::scale_y_continuous(breaks = breaks, labels = labels, expand = ggplot2::expansion(mult = 0.04)) +
    ggplot2::facet_grid(rows = ggplot2::vars(.data$panel), cols = if (d$faceted) ggplot2::vars(.data$facet),
                        scales = "free_y", space = "free_y",
                        labeller = ggplot2::labeller(.cols = function(v) paste("Class", v))) +
    # Short labels and wider gaps, so that "1" of one class's panel and "0"
    # of the next do not run together.
    ggplot2::scale_x_continuous(breaks = seq(0, 1, 0.25), labels = c("0", "0.25", "0.5", "0.75", "1")) +
    ggplot2::coord_cartesian(xlim = c(0, 1)) +
    ggplot2::labs(x = d$xlab, y = NULL, title = "Reliability diagram",
                  caption = paste(strwrap(reliability_caption(object$ci, object$level, d$consistency), 110), collapse = "\n")) +
    ggplot2::theme_bw() +
    ggplot2::theme(legend.position = "bottom", plot.caption = ggplot2::element_text(hjust = 0),
                   panel.spacing.x = ggplot2::unit(1.2, "lines"))
  g
}

# The table a reliability plot draws: a `series` (one per distinct
# combination of the curve_by columns but `class`, labelled by them), a
# `facet` (the class, when there are several) and the left and right edges
# of each bin's count bar, the series side by side within the bin.
cal_curve_plot_data <- function(x) {
  tab <- x$table
  by <- intersect(x$curve_by %||% "model", names(tab))
  faceted <- "class" %in% by && length(unique(tab$class)) > 1L
  top_label <- identical(x$type, "top-label")
  # The top-label curve is named by its x axis, not by a legend entry.
  keys <- setdiff(by, if (faceted || top_label) "class")
  label <- if (length(keys)) do.call(paste, c(lapply(tab[keys], as.character), sep = ", ")) else rep("all", nrow(tab))
  tab$series <- factor(label, levels = unique(label))
  tab$facet <- if (faceted) factor(tab$class, levels = unique(tab$class)) else factor("all")
  k <- nlevels(tab$series)
  width <- (tab$upper - tab$lower) / k
  slot <- as.integer(tab$series) - 1L
  # A little space between the bins' groups of bars.
  tab$bar_left <- tab$lower + width * (slot + 0.05)
  tab$bar_right <- tab$lower + width * (slot + 0.95)
  list(table = tab, faceted = faceted, consistency = !is.null(tab$band_lower),
       legend = k > 1L || (length(keys) > 0L && !identical(label[1], "model")),
       legend_title = if (length(keys)) paste(keys, collapse = ", ") else NULL,
       xlab = if (top_label) "Mean predicted probability of the top label" else "Mean predicted probability")
}
