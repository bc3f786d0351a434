# Weighted isotonic regression (PAVA in C++), shared by calibrate(),
# brier_decomp(method = "corp") and the recalibration of predictive
# distributions. Observations with zero weight are ignored; ties in x are
# pooled by summing their weights.
isotonic_pava <- function(x, y, w = NULL) {
  if (is.null(w)) w <- rep(1, length(x))
  cpp_isotonic(as.double(x), as.double(y), as.double(w))
}

# The fitted isotonic map at new x: linear interpolation between the knots
# (or a right-continuous step function), constant outside the knots.
isotonic_predict <- function(fit, x, type = c("linear", "step", "strict")) {
  type <- type[1]
  if (type == "strict") {
    if (length(fit$block_x) == 1L) return(rep(fit$block_y, length(x)))
    return(stats::approx(fit$block_x, fit$block_y, xout = x, rule = 2, ties = "ordered")$y)
  }
  if (length(fit$x) == 1L) return(rep(fit$y, length(x)))
  stats::approx(fit$x, fit$y, xout = x, method = if (type == "step") "constant" else "linear",
                rule = 2, f = 0, ties = "ordered")$y
}
