# The shared look of probml's plots: one palette and one layout, read by the
# base graphics plot() methods and the ggplot2 autoplot() methods alike.

# Okabe-Ito colours without black and yellow (yellow is hard to see on
# white), ordered so that the first two (blue, orange) contrast most. More
# than six series get an HCL palette instead of recycled colours, so that no
# two series share a colour.
probml_okabe_ito <- c("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7")

probml_palette <- function(n) {
  n <- as.integer(n)
  if (n <= length(probml_okabe_ito)) return(probml_okabe_ito[seq_len(n)])
  grDevices::hcl.colors(n, "Dark 3")
}

# Colours and sizes that are not series: reference lines (identity,
# perfect calibration, uniform density), neutral fills, band opacity.
probml_look <- list(
  reference = "grey40",
  reference_lty = 2L,
  fill = "grey82",
  band_alpha = 0.2,
  caption_cex = 0.8
)

# A reliability diagram over a count panel: the heights of the two panels
# (the diagram three times the counts) and the base graphics margins of
# each (the diagram has no x axis labels of its own; the count panel below
# shares its x axis), with an outer bottom margin for the caption.
reliability_layout <- list(
  heights = c(3, 1),
  mar_top = c(0.5, 4.1, 2.2, 1),
  mar_bottom = c(4.1, 4.1, 0.3, 1),
  mar_single = c(4.1, 4.1, 2.2, 1),  # the diagram alone (no count panel)
  oma = c(1.8, 0, 0, 0)
)

# The caption that explains every mark of a reliability diagram.
reliability_caption <- function(ci, level, consistency, counts = TRUE) {
  pct <- paste0(format(100 * level), "%")
  ci_name <- if (identical(ci, "clopper-pearson")) "Clopper-Pearson" else "Wilson"
  paste0("Points: observed frequency per bin; bars: ", pct, " ", ci_name, " intervals",
         if (consistency) paste0("; shaded: ", pct, " consistency band of a calibrated model"),
         "; dashed: perfect calibration",
         if (counts) "; lower panel: predictions per bin", ".")
}

# Set up base graphics for a stack of panels (one row per entry of
# `heights`, `cols` columns, filled row by row), with an outer margin below
# for the caption and `top` lines above for an overall title: returns the
# par() to restore.
base_panel_stack <- function(heights, cols = 1L, caption = NULL, top = 0) {
  old <- graphics::par(no.readonly = TRUE)
  m <- matrix(seq_len(length(heights) * cols), nrow = length(heights), byrow = TRUE)
  graphics::layout(m, heights = heights)
  lines <- length(wrap_caption(caption))
  # layout() shrinks text to 0.66 for three or more rows or columns, too
  # small for the panels' legends and count axes at screen sizes.
  graphics::par(oma = c(if (lines) lines + 0.8 else 0, 0, top, 0), cex = max(graphics::par("cex"), 0.83))
  old
}

# A caption split at its "; " into lines that fit the device's width.
wrap_caption <- function(text) {
  if (is.null(text)) return(character())
  pieces <- strsplit(text, "; ", fixed = TRUE)[[1L]]
  room <- 0.95 * graphics::par("din")[1]
  # mtext()'s cex is absolute, strwidth()'s relative to par("cex").
  cex <- probml_look$caption_cex / graphics::par("cex")
  fits <- function(s) graphics::strwidth(s, units = "inches", cex = cex) <= room
  out <- pieces[1L]
  for (p in pieces[-1L]) {
    joined <- paste0(out[length(out)], "; ", p)
    if (fits(joined)) out[length(out)] <- joined else out <- c(out, p)
  }
  out
}

# A caption in the outer bottom margin of a base graphics figure.
base_caption <- function(text) {
  lines <- wrap_caption(text)
  for (i in seq_along(lines)) {
    graphics::mtext(lines[i], side = 1, line = i - 0.6, outer = TRUE, cex = probml_look$caption_cex)
  }
}

# The legend of a base graphics plot: inside the plot, without a box.
base_legend <- function(position, ...) {
  graphics::legend(position, bty = "n", cex = 0.85, ...)
}

# A legend placed, among the corners and the top and bottom of the plot
# region, where it covers fewest of the marks at (x, y) (in user
# coordinates: points, and points along lines and bars), so that it does not
# hide the data. Arguments as base_legend().
base_legend_free <- function(x, y, ..., inset = 0.02) {
  places <- c("topleft", "topright", "bottomright", "bottomleft", "top", "bottom")
  ok <- is.finite(x) & is.finite(y)
  x <- x[ok]
  y <- y[ok]
  covered <- vapply(places, function(where) {
    r <- base_legend(where, inset = inset, plot = FALSE, ...)$rect
    sum(x >= r$left & x <= r$left + r$w & y <= r$top & y >= r$top - r$h)
  }, 0)
  base_legend(places[which.min(covered)], inset = inset, ...)
}

# Points along line segments from (x0, y0) to (x1, y1), for base_legend_free().
along_segments <- function(x0, y0, x1, y1, n = 20L) {
  t <- rep(seq(0, 1, length.out = n), each = length(x0))
  list(x = x0 + t * (x1 - x0), y = y0 + t * (y1 - y0))
}
