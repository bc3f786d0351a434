# Classed conditions. Every error probml raises has classes
# c("probml_error_<kind>", "probml_error"), every warning
# c("probml_warning_<kind>", "probml_warning"). The kind says what was
# wrong; the message names the argument. The kinds are listed once, here,
# and documented from this list on ?probml_conditions.

probml_error_kinds <- c(
  type = "An argument has the wrong type or class: not numeric, not a data frame, not a function.",
  value = "A value lies outside what the argument allows: a negative weight, a probability above 1, a count that is not whole, a parameter outside its space.",
  choice = "A string is not one of the allowed choices (a method, a family or distribution name); the message lists them.",
  length = "Lengths or dimensions do not match, or an input is empty.",
  missing = "Missing values (`NA`) where none are allowed, or a required argument is absent.",
  nonfinite = "Infinite values where finite ones are needed.",
  response = "The outcome does not fit the model: the wrong type, levels that do not match, a single class where two are needed.",
  support = "Data outside the support of the likelihood or distribution: a count that is negative, a proportion outside (0, 1).",
  degenerate = "The data carry no information for what is asked: constant scores, a response without spread, a singular information matrix.",
  formula = "The formula cannot be used as written.",
  data = "The model frame cannot be built from the formula and the data.",
  newdata = "New data do not match the fitted model: missing variables, columns of another type, factor levels the fit never saw.",
  unsupported = "The request is valid in general but not for this model, family or method.",
  unused_argument = "An argument in `...` is misspelled or not used by the function.",
  dependency = "A suggested package is needed and not installed.",
  model = "The fitted object lacks what is needed (fitted with `model = FALSE`) or is not the kind of model required.",
  user_function = "A function supplied by the user failed or returned something unusable.",
  resource = "The request would need more memory than is reasonable.",
  domain = "The C++ core found an input outside the model's domain (safety net behind the R checks).",
  convergence = "An iterative method in the core could not reach its optimum.",
  separation = "The likelihood has no finite maximiser (the data are separated).",
  numerical = "The computation broke down in floating point; the message says what about the data caused it.",
  internal = "An unexpected failure inside probml: a bug, please report it."
)

probml_warning_kinds <- c(
  rank_deficient = "Aliased design columns: their coefficients are `NA`, as in `glm()`.",
  convergence = "A fit stopped at its iteration limit or its optimum lies at the edge of the parameter space.",
  separation = "The maximum-likelihood estimate does not exist: a coefficient heads to infinity (separated classes, or a group of zero counts).",
  information = "The information matrix is singular at the estimate: no standard errors.",
  temperature_bound = "The fitted temperature lies at a bound of its search interval.",
  fold_class = "A held-out fold lacked a class; its calibrator fell back to the identity.",
  scale = "Scores declared as logits all lie in (0, 1): they look like probabilities.",
  path_stopped = "A regularisation path ended before its last strength (the fit explains nearly all the deviance, or did not converge); the message says where."
)

abort_probml <- function(kind, message, ..., call = rlang::caller_env(), .envir = parent.frame()) {
  if (!kind %in% names(probml_error_kinds)) stop("internal: undocumented error kind ", kind)
  cli::cli_abort(message, ..., class = c(paste0("probml_error_", kind), "probml_error"),
                 call = call, .envir = .envir)
}

warn_probml <- function(kind, message, ..., .envir = parent.frame()) {
  if (!kind %in% names(probml_warning_kinds)) stop("internal: undocumented warning kind ", kind)
  cli::cli_warn(message, ..., class = c(paste0("probml_warning_", kind), "probml_warning"),
                .envir = .envir)
}

# The core throws DomainError, ConvergenceError, SeparationError and
# NumericalError (inst/include/probml/util/errors.hpp); Rcpp gives the R
# condition the C++ class as its first class. Each becomes its probml kind,
# with the core's message; anything else from C++ is a bug.
core_error_kinds <- c("probml::DomainError" = "domain", "probml::ConvergenceError" = "convergence",
                      "probml::SeparationError" = "separation", "probml::NumericalError" = "numerical")

call_core <- function(expr, call = rlang::caller_env()) {
  tryCatch(expr, error = function(e) {
    kind <- core_error_kinds[intersect(class(e), names(core_error_kinds))]
    if (length(kind)) {
      abort_probml(kind[[1]], "{core_message(e)}.", call = call)
    }
    abort_probml("internal", c("The probml core failed unexpectedly: {core_message(e)}.",
                               i = "This is a bug in probml; please report it."), call = call)
  })
}

# The core's message, first letter up, without a trailing full stop.
core_message <- function(e) {
  msg <- sub("[.]$", "", conditionMessage(e))
  paste0(toupper(substr(msg, 1L, 1L)), substring(msg, 2L))
}

# `...` of the calling function must be empty: a misspelled or unsupported
# argument is an error naming it, with the closest real argument suggested.
check_dots_empty <- function(..., call = rlang::caller_env()) {
  n <- ...length()
  if (n == 0L) return(invisible())
  given <- ...names() %||% rep("", n)
  fn <- sys.function(sys.parent())
  formal <- setdiff(names(formals(fn)), "...")
  # A default method is named as its generic, the function the user called.
  fn_name <- sub("[.]default$", "", call_name(sys.call(sys.parent())))
  named <- given[nzchar(given)]
  bullets <- c(
    if (length(named)) "{.arg {named}} {?is/are} not {?an argument/arguments} of {.fn {fn_name}}.",
    if (any(!nzchar(given))) "{.fn {fn_name}} does not use {sum(!nzchar(given))} unnamed argument{?s} in {.arg ...}."
  )
  msg <- c(bullets[1], if (length(bullets) > 1) c(x = bullets[2]), did_you_mean(named, formal))
  abort_probml("unused_argument", msg, call = call)
}

# "Did you mean" bullets for the unknown argument names that are close to
# one of the `candidates`.
did_you_mean <- function(names, candidates) {
  hints <- vapply(names, closest_argument, "", candidates = candidates)
  suggest <- hints[nzchar(hints)]
  stats::setNames(sprintf("Did you mean {.arg %s} for {.arg %s}?", suggest, names(suggest)), rep("i", length(suggest)))
}

call_name <- function(cl) {
  f <- cl[[1L]]
  if (is.name(f)) return(as.character(f))
  if (is.call(f) && identical(f[[1L]], as.name("::"))) return(as.character(f[[3L]]))
  deparse1(f)
}

# The candidate an argument name was most likely meant to be, or "".
closest_argument <- function(name, candidates) {
  if (!length(candidates)) return("")
  squash <- function(x) gsub("[._]", "", tolower(x))
  d <- utils::adist(squash(name), squash(candidates))[1, ]
  prefix <- startsWith(squash(candidates), squash(name)) | startsWith(squash(name), squash(candidates))
  ok <- prefix | d <= pmax(2, nchar(name) %/% 3)
  if (!any(ok)) return("")
  candidates[ok][which.min(d[ok])]
}

check_number <- function(x, arg, lower = -Inf, upper = Inf, allow_null = FALSE,
                         integer = FALSE, positive = FALSE, call = rlang::caller_env()) {
  if (is.null(x) && allow_null) return(invisible(x))
  kind <- if (integer) "a whole number" else if (positive) "a single positive number" else "a single number"
  if (positive) lower <- .Machine$double.xmin
  range_txt <- if (!positive && (is.finite(lower) || is.finite(upper))) paste0(" in [", format(lower), ", ", format(upper), "]") else ""
  if (!is.numeric(x) || length(x) != 1L || is.object(x)) {
    abort_probml("type", "{.arg {arg}} must be {kind}{range_txt}, not {.obj_type_friendly {x}}.", call = call)
  }
  if (is.na(x)) abort_probml("missing", "{.arg {arg}} must be {kind}{range_txt}, not {.val {x}}.", call = call)
  if (!is.finite(x)) abort_probml("nonfinite", "{.arg {arg}} must be {kind}{range_txt}, not {x}.", call = call)
  if (x < lower || x > upper || (integer && x != round(x))) {
    abort_probml("value", "{.arg {arg}} must be {kind}{range_txt}, not {format(x, digits = 15)}.", call = call)
  }
  invisible(x)
}

check_choice <- function(x, choices, arg, call = rlang::caller_env()) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    got <- if (is.character(x) && length(x) == 1L) "{.val {x}}" else "{.obj_type_friendly {x}}"
    abort_probml("choice", c(paste0("{.arg {arg}} must be one of {.val {choices}}, not ", got, ".")),
                 call = call)
  }
  x
}

check_flag <- function(x, arg, call = rlang::caller_env()) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort_probml("type", "{.arg {arg}} must be {.code TRUE} or {.code FALSE}, not {.obj_type_friendly {x}}.", call = call)
  }
  invisible(x)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# A suggested package that a function needs.
check_installed <- function(pkg, what, call = rlang::caller_env()) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    abort_probml("dependency", c("{what} needs the {.pkg {pkg}} package.", i = "Install it with {.code install.packages(\"{pkg}\")}."),
                 call = call)
  }
  invisible(TRUE)
}

# The kinds as a markdown table, for ?probml_conditions.
conditions_table <- function(kinds, prefix) {
  paste(c("| class | what was wrong |", "|---|---|",
          sprintf("| `%s%s` | %s |", prefix, names(kinds), kinds)), collapse = "\n")
}

#' Conditions: the classes of probml's errors and warnings
#'
#' Every error probml raises inherits from `probml_error` and from one
#' `probml_error_<kind>` class below; every warning from `probml_warning`
#' and one `probml_warning_<kind>` class. The kind says what was wrong, so
#' that code can handle a kind of problem with [tryCatch()] or
#' [withCallingHandlers()]; the message says which argument, and why. Bad
#' input is refused, never quietly "fixed".
#'
#' The kinds `domain`, `convergence`, `separation` and `numerical` come from
#' the C++ core, which has a matching exception for each; the R checks run
#' first, so on bad input the core's errors are a safety net. An
#' interrupt (Ctrl-C, Esc) is always honoured and is R's own `interrupt`
#' condition.
#'
#' @section Errors:
#' `r conditions_table(probml_error_kinds, "probml_error_")`
#'
#' @section Warnings:
#' `r conditions_table(probml_warning_kinds, "probml_warning_")`
#'
#' @examples
#' err <- tryCatch(fit_mle(mpg ~ wt, data = mtcars, wieghts = cyl),
#'                 error = function(e) e)
#' class(err)
#' conditionMessage(err)
#'
#' # Handle one kind of problem, let the others through
#' tryCatch(brier_score(c(0, 1), c(0.2, 1.3)),
#'          probml_error_value = function(e) NA_real_)
#' @name probml_conditions
#' @aliases probml_error probml_warning
NULL
