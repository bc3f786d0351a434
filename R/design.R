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
design_colnames <- function(d) {
  if (inherits(d, "probml_columns")) return(d$names)
  colnames(d) %||% sprintf("x%d", seq_len(ncol(d)))
}

# The designs of a fit's formula parts: kept (matrix fits) or rebuilt from
# the model frame (formula fits).
model_parts <- function(fit, call = rlang::caller_env()) {
  if (!is.null(fit[["x"]])) return(fit[["x"]])
  if (is.null(fit$model)) {
    abort_probml("model", "This fit was made with {.code model = FALSE}; refit with {.code model = TRUE}.", call = call)
  }
  lapply(seq_along(fit$terms), function(j) frame_design(fit$terms[[j]], fit$model, fit$contrasts[[j]]))
}
