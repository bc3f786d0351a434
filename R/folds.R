# Folds for cross-fitting (calibrate_cv() today, cv_map() next): given by
# the user or stratified and drawn from the job's seed.

check_folds <- function(folds, n, call = rlang::caller_env()) {
  if (length(folds) > 1L || is.factor(folds) || is.character(folds)) {
    if (length(folds) != n) {
      abort_probml("length", "{.arg folds} given as fold labels must have one label per row of {.arg data} ({n}), not {length(folds)}.", call = call)
    }
    if (anyNA(folds)) abort_probml("missing", "{.arg folds} given as fold labels contains missing values.", call = call)
    ids <- as.integer(factor(folds))
    if (max(ids) < 2L) abort_probml("value", "{.arg folds} given as fold labels has a single fold; cross-fitting needs at least two.", call = call)
    return(list(k = max(ids), ids = ids))
  }
  if (!is.numeric(folds) || length(folds) != 1L) {
    abort_probml("type", "{.arg folds} must be a whole number of folds or one fold label per row of {.arg data}.", call = call)
  }
  if (is.na(folds) || !is.finite(folds) || folds != round(folds)) {
    abort_probml("value", "{.arg folds} must be a whole number of folds, not {folds}.", call = call)
  }
  if (folds < 2L) abort_probml("value", "{.arg folds} must be at least 2, not {folds}.", call = call)
  if (folds > n) abort_probml("value", "{.arg folds} ({folds}) must not exceed the number of rows of {.arg data} ({n}).", call = call)
  list(k = as.integer(folds), ids = NULL)
}

# Stratified folds: shuffle the rows of each class and deal them to the
# folds in turn, continuing where the previous class stopped so that the
# fold sizes differ by at most one.
stratified_folds <- function(code, k) {
  id <- integer(length(code))
  start <- 0L
  for (cls in sort(unique(code))) {
    rows <- which(code == cls)
    rows <- rows[sample.int(length(rows))]
    id[rows] <- (start + seq_along(rows) - 1L) %% k + 1L
    start <- (start + length(rows)) %% k
  }
  id
}

