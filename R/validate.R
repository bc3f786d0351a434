# One coder for what users pass in: outcomes, probabilities, logits,
# weights and class matrices. Every function that takes one of these calls
# the coder here, so the rules are the same everywhere:
#
# * Outcomes: no missing values; one column. A binary outcome is 0/1 (double
#   or integer), logical, or a two-level factor whose second level is the
#   event. Classes are a factor (its levels name and order them), or whole
#   numbers 1..K where K is known from elsewhere (the columns of a
#   probability matrix). A character vector is coded as factor() codes it
#   (levels sorted) for binary and class outcomes; an ordered outcome needs
#   an ordered factor, as the order of its levels cannot be guessed.
# * Grouped binomial responses (model fits only, `grouped = TRUE`):
#   cbind(successes, failures), or a proportion with weights = trials, as
#   glm() takes them; see code_binomial().
# * Probabilities: numbers in [0, 1]; the rows of a probability matrix sum
#   to 1 within `prob_tolerance`.
# * Logits: finite numbers. Declared logits that all lie in (0, 1) get a
#   warning: they look like probabilities.
# * Weights: non-negative, finite, not all zero; relative, so weights whose
#   sum would overflow are rescaled by their largest value.

prob_tolerance <- 1e-6

# Outcomes --------------------------------------------------------------------

# Codes an outcome for `kind`: "binary" (0/1), "classes" (0-based class
# index), "ordered" (0-based index of an ordered factor), or "numeric",
# "count" and "unit" (the values; their support is the likelihood's to
# check). `levels` (classes) are the ones the outcome must have; `n_classes`
# allows whole numbers 1..K. With `grouped` (a model's response) a binary
# outcome may also be cbind(successes, failures) or proportions. Returns
# list(y, levels, n_classes, trials), `trials` the row totals of a cbind()
# response (else NULL).
code_outcome <- function(y, kind, arg, levels = NULL, n_classes = length(levels), n = NULL,
                         n_arg = NULL, grouped = FALSE, call = rlang::caller_env()) {
  if (is.null(y)) abort_probml("missing", "{.arg {arg}} is missing: there is no outcome.", call = call)
  counts <- grouped && kind == "binary" && is.matrix(y) && ncol(y) == 2L
  if (is.data.frame(y) || is.matrix(y) && ncol(y) != 1L && !counts) {
    abort_probml("response", c("{.arg {arg}} must be a single column, not {.obj_type_friendly {y}}.",
                               i = if (grouped && kind == "binary" && is.matrix(y)) "A grouped binomial response has two columns, {.code cbind(successes, failures)}; this one has {ncol(y)}."),
                 call = call)
  }
  if (is.matrix(y) && !counts) y <- y[, 1L]
  if (!is.null(n) && NROW(y) != n) {
    against <- if (is.null(n_arg)) "there are {n} observations" else "{.arg {n_arg}} has {n}"
    abort_probml("length", paste0("{.arg {arg}} has length {NROW(y)} but ", against, "."), call = call)
  }
  if (length(y) == 0L) abort_probml("length", "{.arg {arg}} is empty.", call = call)
  if (anyNA(y)) {
    abort_probml("missing", "{.arg {arg}} contains missing values (element {which(is.na(y))[1]}).", call = call)
  }
  if (counts) return(code_counts(y, arg, call))
  if (is.character(y) && kind %in% c("binary", "classes")) {
    y <- if (!is.null(levels) && all(y %in% levels)) factor(y, levels = levels) else factor(y)
  }
  if (is.character(y) && kind == "ordered") {
    abort_probml("response", c("{.arg {arg}} must be an ordered factor, not a character vector.",
                               i = "Use {.code factor(y, levels = ..., ordered = TRUE)} with the levels in order."),
                 call = call)
  }
  switch(kind,
    binary = code_binary(y, arg, grouped, call),
    classes = , ordered = code_classes(y, kind, arg, levels, n_classes, call),
    code_values(y, kind, arg, call))
}

code_binary <- function(y, arg, grouped, call) {
  if (is.factor(y)) {
    if (nlevels(y) != 2L) {
      abort_probml("response", c("A factor {.arg {arg}} must have two levels for a binary outcome, not {nlevels(y)}.",
                                 i = "The second level is the event; for more classes use a probability matrix or {.fn lik_categorical}."),
                   call = call)
    }
    return(list(y = as.double(as.integer(y) - 1L), levels = levels(y), n_classes = 2L))
  }
  if (is.logical(y)) return(list(y = as.double(y), levels = NULL, n_classes = 2L))
  if (!is.numeric(y) || is.object(y) && !inherits(y, "AsIs")) {
    what <- if (grouped) "0/1, logical, a two-level factor, a proportion or {.code cbind(successes, failures)}" else "0/1, logical or a two-level factor"
    abort_probml("response", paste0("{.arg {arg}} must be ", what, ", not {.obj_type_friendly {y}}."), call = call)
  }
  y <- unclass(y)
  bad <- if (grouped) which(!(y >= 0 & y <= 1)) else which(y != 0 & y != 1)
  if (length(bad)) {
    what <- if (grouped) "0 or 1 (or logical, or a two-level factor), or a proportion in [0, 1]" else "0 or 1 (or logical, or a two-level factor)"
    abort_probml("support", c("{.arg {arg}} must be {what}.", x = "Element {bad[1]} is {.val {y[bad[1]]}}."), call = call)
  }
  list(y = as.double(y), levels = NULL, n_classes = 2L)
}

# Counts within this (relative) distance of a whole number are whole.
count_tolerance <- 1e-7
not_whole <- function(x) abs(x - round(x)) > count_tolerance * pmax(1, abs(x))

# cbind(successes, failures): whole, non-negative counts; y is the share of
# successes (0 where there are no trials, as glm() sets it).
code_counts <- function(y, arg, call) {
  if (!is.numeric(y)) {
    abort_probml("response", "{.arg {arg}} must hold numbers of successes and failures, not {.obj_type_friendly {y}}.", call = call)
  }
  what <- c("successes (column 1)", "failures (column 2)")
  for (j in 1:2) {
    v <- y[, j]
    bad <- which(!is.finite(v) | v < 0 | not_whole(v))
    if (length(bad)) {
      i <- bad[1]
      problem <- if (!is.finite(v[i])) "is not finite" else if (v[i] < 0) "is negative" else "is not a whole number"
      hint <- if (j == 2L && is.finite(v[i]) && v[i] < 0) "There are more successes than trials in that row; the columns are successes and failures, not successes and trials."
      abort_probml("support", c("{.arg {arg}} must hold whole, non-negative counts of successes and failures.",
                                x = "Row {i}: the number of {what[j]}, {.val {v[i]}}, {problem}.", i = hint), call = call)
    }
  }
  trials <- as.double(y[, 1L] + y[, 2L])
  list(y = ifelse(trials > 0, y[, 1L] / trials, 0), levels = NULL, n_classes = 2L, trials = trials)
}

# The prior weights and log-likelihood constant of a grouped binomial
# response, as glm() reads it: with cbind(s, f) the weights are the trials
# times `weights`; a proportion y (not 0 or 1) takes its trials from
# `weights`, so y x weights must be a whole number of successes (glm only
# warns). The constant is the sum of weight / trials x lchoose(trials, s),
# which glm's logLik() includes and the core's nll (per trial) leaves out.
# Returns list(weights, constant).
code_binomial <- function(resp, w, arg, call = rlang::caller_env()) {
  if (!is.null(resp$trials)) {
    s <- round(resp$y * resp$trials)
    return(list(weights = w * resp$trials, constant = sum((w * lchoose(resp$trials, s))[resp$trials > 0])))
  }
  share <- which(resp$y > 0 & resp$y < 1 & w > 0)
  if (!length(share)) return(list(weights = w, constant = 0))
  m <- resp$y[share] * w[share]
  bad <- which(not_whole(m))
  if (length(bad)) {
    i <- share[bad[1]]
    abort_probml("support", c("A proportion {.arg {arg}} needs {.arg weights} = the number of trials, so that {.arg {arg}} x {.arg weights} is a whole number of successes.",
                              x = "Row {i}: {.arg {arg}} is {format(resp$y[i], digits = 7)} and {.arg weights} is {format(w[i], digits = 7)}, which make {format(m[bad[1]], digits = 7)} successes.",
                              i = "Or give the counts as {.code cbind(successes, failures)}."), call = call)
  }
  list(weights = w, constant = sum(lchoose(w[share], round(m))))
}

code_classes <- function(y, kind, arg, levels, n_classes, call) {
  if (kind == "ordered" && !is.ordered(y)) {
    abort_probml("response", c("{.arg {arg}} must be an ordered factor, not {.obj_type_friendly {y}}.",
                               i = "Use {.code factor(y, levels = ..., ordered = TRUE)} with the levels in order."),
                 call = call)
  }
  if (is.factor(y)) {
    if (!is.null(levels) && !identical(levels(y), levels)) {
      abort_probml("response", c("The levels of {.arg {arg}} must be the classes {.val {levels}}, in that order.",
                                 x = "They are {.val {levels(y)}}."), call = call)
    }
    if (nlevels(y) < 2L) {
      abort_probml("response", "{.arg {arg}} has {nlevels(y)} level{?s}; at least two classes are needed.", call = call)
    }
    return(list(y = as.double(as.integer(y) - 1L), levels = levels(y), n_classes = nlevels(y)))
  }
  if (!is.numeric(y) || is.object(y) || n_classes < 2L) {
    abort_probml("response", "{.arg {arg}} must be a factor, not {.obj_type_friendly {y}}.", call = call)
  }
  bad <- which(y < 1 | y > n_classes | y != round(y))
  if (length(bad)) {
    abort_probml("support", c("{.arg {arg}} given as class numbers must hold whole numbers in 1..{n_classes}.",
                              x = "Element {bad[1]} is {y[bad[1]]}."), call = call)
  }
  list(y = as.double(y - 1), levels = levels, n_classes = as.integer(n_classes))
}

code_values <- function(y, kind, arg, call) {
  if (is.logical(y)) y <- as.double(y)
  if (!is.numeric(y) || is.object(y) && !inherits(y, "AsIs")) {
    abort_probml("response", "{.arg {arg}} must be numeric for this likelihood, not {.obj_type_friendly {y}}.",
                 call = call)
  }
  list(y = as.double(y), levels = NULL, n_classes = 2L)
}

# At least two classes among the rows with positive weight.
check_two_classes <- function(code, w, arg, call = rlang::caller_env()) {
  present <- unique(code[w > 0])
  if (length(present) < 2L) {
    abort_probml("response", "{.arg {arg}} has a single class among the observations with positive weight; at least two are needed.",
                 call = call)
  }
  invisible(present)
}

# Probabilities -----------------------------------------------------------------

# A binary problem, y and p checked in one pass of the core; y keeps its
# storage (double, integer or logical) so nothing is copied.
check_binary_problem <- function(y, p, weights, y_arg = "y", p_arg = "p", call = rlang::caller_env()) {
  if (!is.numeric(p) || is.object(p) || !is.null(dim(p)) && NCOL(p) != 1L) {
    abort_probml("type", "{.arg {p_arg}} must be a numeric vector of probabilities, not {.obj_type_friendly {p}}.",
                 call = call)
  }
  if (is.factor(y) || is.character(y) || !(is.numeric(y) || is.logical(y)) || is.object(y)) {
    y <- code_outcome(y, "binary", y_arg, call = call)$y
  }
  if (length(y) != length(p)) {
    abort_probml("length", "{.arg {y_arg}} has length {length(y)} but {.arg {p_arg}} has length {length(p)}.", call = call)
  }
  if (length(y) == 0L) abort_probml("length", "{.arg {y_arg}} is empty.", call = call)
  if (is.integer(p)) p <- as.double(p)
  found <- cpp_check_binary(y, p)
  row <- found$row
  switch(found$problem,
    p_missing = abort_probml("missing", "{.arg {p_arg}} contains missing values (element {row}).", call = call),
    p_range = abort_probml("value", "{.arg {p_arg}} must lie in [0, 1]; element {row} is {p[row]}.", call = call),
    y_missing = abort_probml("missing", "{.arg {y_arg}} contains missing values (element {row}).", call = call),
    y_value = abort_probml("support", c("{.arg {y_arg}} must be 0 or 1 (or logical, or a two-level factor).",
                                        x = "Element {row} is {.val {y[row]}}."), call = call))
  w <- if (is.null(weights)) numeric(0) else check_weights(weights, length(p), call = call)
  list(y = y, p = p, w = w)
}

# A matrix of class probabilities (or one distribution as a vector): each
# row in [0, 1] and summing to 1. Returns the matrix.
check_probability_matrix <- function(p, arg, call = rlang::caller_env()) {
  if (is.data.frame(p) || !is.numeric(p) || is.object(p) || !(is.null(dim(p)) || is.matrix(p))) {
    abort_probml("type", "{.arg {arg}} must be a numeric vector or matrix of probabilities, not {.obj_type_friendly {p}}.",
                 call = call)
  }
  m <- if (is.matrix(p)) p else matrix(as.double(p), nrow = 1L)
  if (length(m) == 0L) abort_probml("length", "{.arg {arg}} is empty.", call = call)
  if (anyNA(m)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (any(!is.finite(m))) abort_probml("nonfinite", "{.arg {arg}} contains infinite values.", call = call)
  if (any(m < 0 | m > 1)) {
    abort_probml("value", "{.arg {arg}} must hold probabilities in [0, 1]; it contains {format(m[m < 0 | m > 1][1], digits = 10)}.",
                 call = call)
  }
  sums <- rowSums(m)
  bad <- which(abs(sums - 1) > prob_tolerance)
  if (length(bad)) {
    where <- if (is.matrix(p)) paste0(" (row ", bad[1], ")") else ""
    abort_probml("value", "{.arg {arg}} must sum to 1 (within {prob_tolerance}); it sums to {format(sums[bad[1]], digits = 10)}{where}.",
                 call = call)
  }
  storage.mode(m) <- "double"
  m
}

# A multiclass problem: a probability matrix and a factor (or class numbers)
# whose classes are its columns. Returns list(p, y (0-based), levels).
check_class_problem <- function(y, p, weights, y_arg = "y", p_arg = "p", call = rlang::caller_env()) {
  p <- check_probability_matrix(p, p_arg, call = call)
  out <- code_outcome(y, "classes", y_arg, levels = class_names(p), n_classes = ncol(p), n = nrow(p),
                      n_arg = paste0(p_arg, " (rows)"), call = call)
  if (is.null(class_names(p)) && !is.null(out$levels) && length(out$levels) != ncol(p)) {
    abort_probml("response", "{.arg {y_arg}} has {length(out$levels)} levels but {.arg {p_arg}} has {ncol(p)} columns.",
                 call = call)
  }
  list(p = p, y = out$y, levels = out$levels %||% class_names(p),
       w = check_weights(weights, nrow(p), call = call))
}

# The class names of a matrix's columns: its column names when every
# column has one (cbind(1 - p, p) names only the second).
class_names <- function(m) {
  nm <- colnames(m)
  if (is.null(nm) || !all(nzchar(nm))) NULL else nm
}

# Numbers -----------------------------------------------------------------------

# A vector of finite numbers (a one-column matrix counts as a vector).
check_real <- function(x, arg, call = rlang::caller_env()) {
  if (!is.numeric(x) || is.object(x) || !is.null(dim(x)) && NCOL(x) != 1L) {
    abort_probml("type", "{.arg {arg}} must be a numeric vector, not {.obj_type_friendly {x}}.", call = call)
  }
  if (length(x) == 0L) abort_probml("length", "{.arg {arg}} is empty.", call = call)
  if (anyNA(x)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (any(!is.finite(x))) abort_probml("nonfinite", "{.arg {arg}} contains infinite values.", call = call)
  as.double(x)
}

# Logits and scores -------------------------------------------------------------

check_logits <- function(z, arg, call = rlang::caller_env()) {
  if (!is.numeric(z) || is.object(z)) {
    abort_probml("type", "{.arg {arg}} must be numeric logits, not {.obj_type_friendly {z}}.", call = call)
  }
  if (length(z) == 0L) abort_probml("length", "{.arg {arg}} is empty.", call = call)
  if (anyNA(z)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (any(!is.finite(z))) abort_probml("nonfinite", "{.arg {arg}} must be finite logits; it contains infinite values.",
                                       call = call)
  if (all(z > 0 & z < 1)) {
    warn_probml("scale", c("Every value of {.arg {arg}}, declared as logits, lies in (0, 1): these look like probabilities.",
                           i = "Give probabilities as probabilities, or convert them with {.fn qlogis} (two classes) or {.fn log}."))
  }
  storage.mode(z) <- "double"
  z
}

# Weights -----------------------------------------------------------------------

check_weights <- function(w, n, arg = "weights", call = rlang::caller_env()) {
  if (is.null(w)) return(rep(1, n))
  if (!is.numeric(w) || is.object(w) || is.matrix(w) && ncol(w) != 1L) {
    abort_probml("type", "{.arg {arg}} must be a numeric vector, not {.obj_type_friendly {w}}.", call = call)
  }
  if (length(w) != n) abort_probml("length", "{.arg {arg}} has length {length(w)} but there are {n} observations.", call = call)
  if (anyNA(w)) abort_probml("missing", "{.arg {arg}} contains missing values (element {which(is.na(w))[1]}).", call = call)
  if (any(!is.finite(w))) abort_probml("nonfinite", "{.arg {arg}} must be finite (element {which(!is.finite(w))[1]}).", call = call)
  if (any(w < 0)) {
    abort_probml("value", "{.arg {arg}} must be non-negative; element {which(w < 0)[1]} is {w[which(w < 0)[1]]}.", call = call)
  }
  if (all(w == 0)) abort_probml("value", "{.arg {arg}} are all zero: there is nothing to fit.", call = call)
  w <- as.double(w)
  if (!is.finite(sum(w))) w <- w / max(w)
  w
}
