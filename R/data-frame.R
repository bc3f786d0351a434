# The data-frame front end of the calibration functions, in the manner of
# yardstick and probably: `f(data, truth, estimate, ..., .by = NULL)` with
# tidy-eval column selections, grouping by `.by` (dplyr 1.1 semantics:
# groups in order of first appearance) or by a dplyr grouped data frame
# (read from its "groups" attribute, so dplyr is not needed). Each method
# resolves the columns here, then calls the vector method per group.

# Positions of the columns a tidy-eval selection picks, with probml errors.
select_columns <- function(data, quo, arg, call, data_arg = "y") {
  # A vector such as `d$y`, or a number given for `weights`, would be read
  # as column positions.
  if (rlang::quo_is_call(quo, c("$", "[[", "[")) || is.numeric(rlang::quo_get_expr(quo))) {
    abort_probml("type", c("{.arg {arg}} must select columns of {.arg {data_arg}} by name (tidy-eval), not give values or positions.",
                           x = "It is {.code {rlang::as_label(quo)}}.",
                           i = "Use the column name, bare or as a string."), call = call)
  }
  # One tryCatch() per handler: R nests them, so a handler's own error
  # would be caught by the next.
  pos <- tryCatch(tidyselect::eval_select(quo, data, allow_rename = FALSE, error_call = call),
                  error = function(e) e)
  if (!inherits(pos, "error")) return(pos)
  if (inherits(pos, "vctrs_error_subscript_oob")) {
    abort_probml("missing", c("{.arg {arg}} selects column{?s} {.val {as.character(pos$i)}}, which {.arg {data_arg}} does not have.",
                              i = "The columns of {.arg {data_arg}} are {.val {names(data)}}."), call = call)
  }
  abort_probml("type", "{.arg {arg}} must select columns of {.arg {data_arg}} by name (tidy-eval).", parent = pos, call = call)
}

# One column, named by a selection or a string; NULL when not given.
select_one <- function(data, quo, arg, call, required = TRUE, data_arg = "y") {
  if (rlang::quo_is_missing(quo) || rlang::quo_is_null(quo)) {
    if (!required) return(NULL)
    abort_probml("missing", c("{.arg {arg}} must be given: the column of {.arg {data_arg}} holding the {arg}.",
                              i = "The columns of {.arg {data_arg}} are {.val {names(data)}}."), call = call)
  }
  pos <- select_columns(data, quo, arg, call, data_arg)
  if (length(pos) != 1L) {
    abort_probml("length", "{.arg {arg}} must select one column of {.arg {data_arg}}, not {length(pos)}{if (length(pos)) ': ' else ''}{.val {names(pos)}}.",
                 call = call)
  }
  names(pos)
}

# The outcome, the estimate (a vector, or a matrix whose columns are the
# truth's levels in order) and the weights of a data-frame call, and its
# groups: NULL, or list(key = data frame of group values, rows = list of row
# indices). `probabilities` checks the estimate as probabilities on the
# whole data, so that errors name `truth`/`estimate` and the data's rows.
tidy_frame <- function(data, truth, estimate, weights, by, call, probabilities = TRUE) {
  truth_col <- select_one(data, truth, "truth", call)
  if (rlang::quo_is_missing(estimate)) {
    abort_probml("missing", c("{.arg estimate} must be given: the column(s) of {.arg y} holding the predictions.",
                              i = "The columns of {.arg y} are {.val {names(data)}}."), call = call)
  }
  est_cols <- names(select_columns(data, estimate, "estimate", call))
  weight_col <- select_one(data, weights, "weights", call, required = FALSE)
  y <- data[[truth_col]]
  check_truth_column(y, truth_col, call)
  levels <- if (is.factor(y)) levels(y)
  k <- length(levels)
  one_ok <- k <= 2L
  if (!length(est_cols) || length(est_cols) == 1L && !one_ok || length(est_cols) > 1L && length(est_cols) != max(k, 2L)) {
    want <- if (one_ok) "1 column (the probability or score of the event) or 2 (one per class)" else paste(k, "columns, one per level of", "{.arg truth}")
    abort_probml("length", c(paste0("{.arg estimate} must select ", want, ", not {length(est_cols)}."),
                             i = if (length(est_cols)) "It selects {.val {est_cols}}."), call = call)
  }
  if (length(est_cols) == 1L) {
    p <- data[[est_cols]]
  } else {
    if (is.null(levels) || !setequal(est_cols, levels)) {
      abort_probml("response", c("The columns {.arg estimate} selects must be named after the levels of {.arg truth}, in any order.",
                                 x = "{.arg estimate} selects {.val {est_cols}}.",
                                 x = if (is.null(levels)) "{.arg truth} ({.field {truth_col}}) is not a factor."
                                     else "{.arg truth} ({.field {truth_col}}) has levels {.val {levels}}."),
                   call = call)
    }
    est_cols <- est_cols[match(levels, est_cols)]
    p <- as.matrix(data[est_cols])
    if (!is.numeric(p)) abort_probml("type", "The columns {.arg estimate} selects must be numeric: {.val {est_cols}}.", call = call)
  }
  w <- if (!is.null(weight_col)) data[[weight_col]]
  if (probabilities) {
    if (is.matrix(p)) check_class_problem(y, p, w, "truth", "estimate", call = call)
    else check_binary_problem(y, p, w, "truth", "estimate", call = call)
  }
  list(y = y, p = p, w = w, truth = truth_col, estimate = est_cols, groups = frame_groups(data, by, call))
}

# A truth column is a factor, logical, or numeric 0/1.
check_truth_column <- function(y, col, call) {
  ok <- is.factor(y) || is.logical(y) || is.numeric(y) && !is.object(y) && all(y[!is.na(y)] %in% c(0, 1))
  if (!ok) {
    what <- if (is.numeric(y) && !is.object(y)) "numeric with values other than 0 and 1" else "{.obj_type_friendly {y}}"
    abort_probml("response", paste0("{.arg truth} ({.field {col}}) must be a factor, logical or 0/1, not ", what, "."), call = call)
  }
}

# Groups from `.by` or a grouped data frame; NULL when ungrouped.
frame_groups <- function(data, by, call) {
  by_cols <- if (rlang::quo_is_null(by)) character() else names(select_columns(data, by, ".by", call))
  g <- attr(data, "groups")
  if (inherits(data, "grouped_df") && is.data.frame(g)) {
    if (length(by_cols)) {
      abort_probml("value", c("{.arg .by} cannot be given with a grouped data frame.",
                              i = "{.arg y} is already grouped by {.field {setdiff(names(g), '.rows')}}; ungroup it or drop {.arg .by}."),
                   call = call)
    }
    key <- as.data.frame(g[setdiff(names(g), ".rows")])
    return(list(key = key, rows = lapply(g[[".rows"]], as.integer)))
  }
  if (!length(by_cols)) return(NULL)
  id <- group_ids(data[by_cols])
  first <- match(seq_len(max(id, 0L)), id)
  key <- data[first, by_cols, drop = FALSE]
  key <- as.data.frame(key)
  rownames(key) <- NULL
  list(key = key, rows = split(seq_len(nrow(data)), factor(id, levels = seq_along(first))))
}

# Group ids of the rows of a list of columns, in order of first appearance
# (exact matching, NA a value of its own), one column at a time.
group_ids <- function(columns) {
  n <- length(columns[[1L]])
  id <- rep(1, n)
  for (x in columns) {
    id <- (id - 1) * n + match(x, unique(x))
    id <- match(id, unique(id))
  }
  id
}

# The rows of one group of a tidy_frame().
frame_rows <- function(f, rows) {
  list(y = f$y[rows], p = if (is.matrix(f$p)) f$p[rows, , drop = FALSE] else f$p[rows], w = f$w[rows])
}

# A grouped result: the group columns, then the values; a tibble when the
# input was one and tibble is installed.
frame_result <- function(data, key, values) {
  out <- cbind(key, as.data.frame(do.call(rbind, lapply(values, as.data.frame))))
  rownames(out) <- NULL
  if (inherits(data, "tbl_df") && requireNamespace("tibble", quietly = TRUE)) out <- tibble::as_tibble(out)
  out
}

# Arguments in `...` of a data-frame method go on to the vector method: they
# must be named, and not the vector method's own data arguments.
check_forwarded_dots <- function(..., reserved, call = rlang::caller_env()) {
  n <- ...length()
  if (!n) return(invisible())
  nm <- ...names() %||% rep("", n)
  if (any(!nzchar(nm))) {
    abort_probml("unused_argument", c("Arguments in {.arg ...} must be named: {sum(!nzchar(nm))} {?is/are} not.",
                                      i = "Columns are chosen with {.arg truth} and {.arg estimate}."), call = call)
  }
  bad <- intersect(nm, reserved)
  if (length(bad)) {
    abort_probml("unused_argument", c("{.arg {bad}} cannot be given with a data frame {.arg y}.",
                                      i = "Choose the columns with {.arg truth} and {.arg estimate}."), call = call)
  }
  invisible()
}

# A scalar metric on a data frame: the vector call, or one row per group.
frame_metric <- function(data, f, name, one) {
  if (is.null(f$groups)) return(one(f$y, f$p, f$w))
  values <- lapply(f$groups$rows, function(rows) {
    r <- frame_rows(f, rows)
    stats::setNames(list(one(r$y, r$p, r$w)), name)
  })
  frame_result(data, f$groups$key, values)
}
