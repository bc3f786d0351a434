# The distribution table of the core (inst/include/probml/estimate/dist/):
# the names, parameters and support of every distribution, read once per
# session. fit_dist(), fisher_information(), cramer_rao_bound() and
# simulate_estimator() all go through it; no distribution is named here.

probml_cache <- new.env(parent = emptyenv())

dist_table <- function() {
  if (is.null(probml_cache$dist_table)) probml_cache$dist_table <- cpp_dist_table()
  probml_cache$dist_table
}

dist_info <- function(dist) dist_table()[[dist]]

# Names of the estimated parameters (all but a fixed number of trials).
dist_estimated <- function(dist) {
  info <- dist_info(dist)
  info$params[info$kinds != "trials"]
}

dist_names <- function(regular_only = FALSE) {
  tab <- dist_table()
  names(tab)[!regular_only | vapply(tab, `[[`, TRUE, "regular")]
}

check_dist <- function(dist, arg, regular_only = FALSE, call = rlang::caller_env()) {
  check_choice(dist, dist_names(regular_only), arg, call = call)
}

# Parameters as a named double vector in the table's order. Accepts a named
# numeric vector, a named list of single numbers, or an unnamed vector in
# the table's order; the core decides whether they lie in the parameter space.
check_dist_params <- function(dist, params, arg = "params", call = rlang::caller_env()) {
  nm <- dist_info(dist)$params
  if (is.list(params) && !is.data.frame(params)) {
    single <- vapply(params, function(v) is.numeric(v) && length(v) == 1L, TRUE)
    if (!all(single)) {
      abort_probml("type", "Each element of {.arg {arg}} must be a single number.", call = call)
    }
    params <- unlist(params)
  }
  if (!is.numeric(params) || !is.null(dim(params))) {
    abort_probml("type", "{.arg {arg}} must be a named numeric vector or list, not {.obj_type_friendly {params}}.",
                 call = call)
  }
  if (is.null(names(params)) || all(names(params) == "")) {
    if (length(params) != length(nm)) {
      abort_probml("length", "{.arg {arg}} for {.val {dist}} needs {length(nm)} value{?s}: {.field {nm}}.",
                   call = call)
    }
    names(params) <- nm
  }
  absent <- setdiff(nm, names(params))
  unknown <- setdiff(names(params), nm)
  if (length(absent) || length(unknown) || anyDuplicated(names(params))) {
    abort_probml("value", c("{.arg {arg}} for {.val {dist}} must name {.field {nm}}, each once.",
                            i = if (length(absent)) "Missing: {.field {absent}}.",
                            i = if (length(unknown)) "Unknown: {.field {unknown}}."),
                 call = call)
  }
  params <- stats::setNames(as.double(params[nm]), nm)
  if (anyNA(params)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  tryCatch(cpp_dist_check_params(dist, params), error = function(e) {
    abort_probml("value", c("{.arg {arg}} lie outside the parameter space.", x = "{core_message(e)}."),
                 call = call)
  })
  params
}

# The sample checked against the distribution's support, in one core pass.
check_dist_sample <- function(x, dist, params, n_threads = 1L, arg = "x", call = rlang::caller_env()) {
  if (!(is.numeric(x) || is.logical(x)) || !is.null(dim(x)) && NCOL(x) != 1L) {
    abort_probml("type", "{.arg {arg}} must be a numeric vector, not {.obj_type_friendly {x}}.", call = call)
  }
  x <- as.double(x)
  found <- cpp_dist_check_sample(dist, x, params, n_threads)
  info <- dist_info(dist)
  switch(found$problem,
    missing = abort_probml("missing", "{.arg {arg}} has a missing value (element {found$row}); remove missing values first.",
                           call = call),
    infinite = abort_probml("nonfinite", "{.arg {arg}} has an infinite value (element {found$row}).", call = call),
    support = abort_probml("support", c("{.arg {arg}} must hold {info$support} for {.val {dist}}.",
                                        x = "Element {found$row} is {x[found$row]}."), call = call),
    too_few = abort_probml("length", "{.arg {arg}} needs at least {info$min_n} observations for {.val {dist}}, not {length(x)}.",
                           call = call),
    no_spread = abort_probml("degenerate", "All values of {.arg {arg}} are equal; {.val {dist}} needs spread to estimate a scale.",
                             call = call))
  x
}

# Inverse of an information matrix. A parameter on the boundary of its space
# (a proportion of 0 or 1, a Poisson mean of 0) has infinite information and
# a variance of zero. A singular matrix is an error, or with
# `singular = "na"` a matrix of NA (the caller then says so).
dist_info_inverse <- function(info, singular = c("error", "na"), call = rlang::caller_env()) {
  nm <- colnames(info)
  if (any(!is.finite(info))) {
    out <- matrix(0, nrow(info), ncol(info), dimnames = list(nm, nm))
    ok <- apply(is.finite(info), 1L, all)
    if (any(ok)) out[ok, ok] <- solve(info[ok, ok, drop = FALSE])
    return(out)
  }
  out <- tryCatch(solve(info), error = function(e) NULL)
  if (is.null(out)) {
    if (identical(singular[1], "na")) return(matrix(NA_real_, nrow(info), ncol(info), dimnames = list(nm, nm)))
    abort_probml("degenerate", "The Fisher information is singular at these parameters.", call = call)
  }
  dimnames(out) <- list(nm, nm)
  (out + t(out)) / 2
}

named_square <- function(m, nm) {
  dimnames(m) <- list(nm, nm)
  m
}
