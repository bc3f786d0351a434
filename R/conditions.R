# Classed conditions. Every error probml raises on bad input has class
# c("probml_error_<what>", "probml_error") and names the offending argument.

abort_probml <- function(what, message, ..., call = rlang::caller_env()) {
  cli::cli_abort(message, ..., class = c(paste0("probml_error_", what), "probml_error"),
                 call = call, .envir = parent.frame())
}

warn_probml <- function(what, message, ...) {
  cli::cli_warn(message, ..., class = c(paste0("probml_warning_", what), "probml_warning"),
                .envir = parent.frame())
}

# Errors raised by the C++ core are a safety net behind the R checks; they
# become classed R errors too, and never reach the user as bare strings.
call_core <- function(expr, call = rlang::caller_env()) {
  tryCatch(expr, error = function(e) {
    cli::cli_abort(c("The probml core stopped: {conditionMessage(e)}"),
                   class = c("probml_error_core", "probml_error"), call = call)
  })
}

check_number <- function(x, arg, lower = -Inf, upper = Inf, allow_null = FALSE,
                         integer = FALSE, call = rlang::caller_env()) {
  if (is.null(x) && allow_null) return(invisible(x))
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x >= lower && x <= upper && (!integer || x == round(x))
  if (!ok) {
    range_txt <- if (is.finite(lower) || is.finite(upper))
      paste0(" in [", lower, ", ", upper, "]") else ""
    kind <- if (integer) "a whole number" else "a single finite number"
    abort_probml("argument", "{.arg {arg}} must be {kind}{range_txt}, not {.obj_type_friendly {x}}.",
                 call = call)
  }
  invisible(x)
}

check_choice <- function(x, choices, arg, call = rlang::caller_env()) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    abort_probml("argument", "{.arg {arg}} must be one of {.val {choices}}.", call = call)
  }
  x
}
