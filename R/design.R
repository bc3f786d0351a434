# Designs passed to the C++ core: a numeric matrix, or, when every term of
# a formula is a plain numeric column, those columns of the model frame
# read in place (class probml_columns; NULL stands for the intercept). The
# second skips building an n x p model matrix, which for large data costs
# as much time and memory as the fit itself.

# A design for one formula part: columns in place when possible.
frame_design <- function(tt, mf, contrasts = NULL) {
  labels <- attr(tt, "term.labels")
  simple <- length(labels) > 0L && all(attr(tt, "order") == 1L) && all(labels %in% names(mf))
  if (simple) {
    cols <- lapply(labels, function(v) mf[[v]])
    simple <- all(vapply(cols, function(v) (is.double(v) || is.integer(v)) && is.null(dim(v)) && !is.factor(v), TRUE))
  }
  if (!simple) return(model.matrix(tt, mf, contrasts))
  cols <- lapply(cols, function(v) if (is.double(v)) unclass(v) else as.double(v))
  names(cols) <- labels
  if (attr(tt, "intercept") == 1L) cols <- c(list(`(Intercept)` = NULL), cols)
  structure(list(columns = unname(cols), n = nrow(mf), names = c(if (attr(tt, "intercept") == 1L) "(Intercept)", labels)),
            class = "probml_columns")
}

design_nrow <- function(d) if (inherits(d, "probml_columns")) d$n else nrow(d)
design_ncol <- function(d) if (inherits(d, "probml_columns")) length(d$columns) else ncol(d)
design_colnames <- function(d) {
  if (inherits(d, "probml_columns")) return(d$names)
  colnames(d) %||% paste0("x", seq_len(ncol(d)))
}

design_all_finite <- function(d) {
  if (!inherits(d, "probml_columns")) return(cpp_all_finite(d))
  all(vapply(d$columns, function(v) is.null(v) || cpp_all_finite(v), TRUE))
}

as_design_matrix <- function(d) {
  if (!inherits(d, "probml_columns")) return(d)
  X <- vapply(d$columns, function(v) if (is.null(v)) rep(1, d$n) else v, numeric(d$n))
  X <- matrix(X, nrow = d$n)
  colnames(X) <- d$names
  X
}

# Drop columns by name (the ordinal intercept).
design_drop <- function(d, drop) {
  if (!inherits(d, "probml_columns")) return(d[, !design_colnames(d) %in% drop, drop = FALSE])
  keep <- !d$names %in% drop
  d$columns <- d$columns[keep]
  d$names <- d$names[keep]
  d
}

# X %*% b.
design_multiply <- function(d, b) {
  if (!inherits(d, "probml_columns")) return(drop(d %*% b))
  out <- numeric(d$n)
  for (k in seq_along(d$columns)) {
    out <- out + b[k] * if (is.null(d$columns[[k]])) 1 else d$columns[[k]]
  }
  out
}
