# map_path(): the MAP fits over a decreasing sequence of prior strengths
# (a regularisation path), in one call to the core's path driver.

#' Settings of a regularisation path
#'
#' @param tol Convergence tolerance of each fit on the path (on the
#'   predicted decrease of the objective, relative to its size); `NULL` takes
#'   the path's default, 1e-9, which keeps the penalised objective within
#'   about 1e-9 (relative) of its minimum; glmnet's default stops nearer
#'   1e-7. [fit_map()] fits to 1e-12.
#' @param max_iter Most proximal Newton steps per fit.
#' @param max_deviance_ratio The path stops once the fraction of the null
#'   deviance explained reaches this (glmnet's `devmax`); 1 to never stop
#'   for it.
#' @param rank_tol Tolerance of the aliasing check among unpenalised
#'   columns (as in [fit_control()]).
#' @param ... Not used: a misspelled argument is an error.
#' @return A list of class `probml_path_control`.
#' @seealso [map_path()], [cv_map()].
#' @examples
#' path_control(max_deviance_ratio = 0.99)
#' @export
path_control <- function(tol = NULL, max_iter = 200L, max_deviance_ratio = 0.999, rank_tol = 1e-7, ...) {
  check_dots_empty(...)
  check_number(tol, "tol", lower = 0, upper = 1, allow_null = TRUE)
  check_number(max_iter, "max_iter", lower = 1, integer = TRUE)
  check_number(max_deviance_ratio, "max_deviance_ratio", lower = 0, upper = 1)
  check_number(rank_tol, "rank_tol", lower = 0, upper = 1)
  structure(list(tol = tol, max_iter = as.integer(max_iter), max_deviance_ratio = max_deviance_ratio,
                 rank_tol = rank_tol), class = "probml_path_control")
}

#' Regularisation paths: MAP fits over a sequence of prior strengths
#'
#' `map_path()` fits a model by MAP at each strength \eqn{\lambda}{lambda} of
#' a decreasing sequence, for a Laplace (lasso), elastic-net or Gaussian
#' (ridge) [prior][priors], as `glmnet::glmnet()` does for its families, but
#' for any of the probml [families]. Each fit starts from the previous one
#' (warm starts) and looks only at the coefficients the strong rule keeps,
#' checked afterwards by the optimality (KKT) conditions, so the whole path
#' costs a few single fits. `map_path_xy()` takes a numeric matrix of
#' predictors (without an intercept column: `intercept = TRUE` adds one).
#'
#' @section Strength and scale: At strength \eqn{\lambda}{lambda} the prior
#'   is the one given with scale \eqn{1 / (W \lambda)}{1 / (W lambda)} for the
#'   Laplace and elastic-net priors and \eqn{1 / \sqrt{W \lambda}}{1 / sqrt(W lambda)}
#'   for the Gaussian, with \eqn{W}{W} the total weight (the number of
#'   observations without weights): the objective is then glmnet's, the
#'   mean negative log-likelihood plus \eqn{\lambda}{lambda} times the
#'   penalty, and `lambda` means what glmnet's `lambda` means. The prior's
#'   kind, `mixing`, `standardize` and `penalty_factor` are used; its scale
#'   must be left at its default, since the path sets it.
#'
#' @inheritParams fit_map
#' @param prior The shape of the prior along the path: [prior_laplace()]
#'   (the default), [prior_elastic_net()] or [prior_gaussian()].
#' @param lambda A decreasing sequence of positive strengths, or `NULL` for
#'   `n_lambda` values from the smallest strength that sets every penalised
#'   coefficient to zero down to `lambda_min_ratio` times it, evenly spaced
#'   on the log scale.
#' @param n_lambda The number of strengths when `lambda` is `NULL`.
#' @param lambda_min_ratio The last strength as a fraction of the first;
#'   `NULL`: 1e-4 when there are more observations than coefficients, else
#'   1e-2 (glmnet's defaults).
#' @param control Settings from [path_control()].
#' @param ... Not used: a misspelled argument is an error.
#' @return An object of class `probml_path`: `lambda`, `coefficients` (a
#'   matrix, one column per strength, on the scale of the data), `df` (the
#'   number of non-zero penalised coefficients), `deviance_ratio` (the
#'   fraction of the null deviance explained), `nll` (the negative
#'   log-likelihood, with a grouped binomial response's binomial
#'   coefficients as in [fit_mle()]), `prior_value` (both totals, at each
#'   strength), `converged`, `null_deviance` and
#'   `stop_reason`, with methods [coef()][coef.probml_path()],
#'   [predict()][predict.probml_path()], [plot()][plot.probml_path()],
#'   `print` and `as.data.frame`. A path that stops before its last strength
#'   (the fit explains `max_deviance_ratio` of the deviance, or did not
#'   converge) warns and says where.
#' @seealso [cv_map()] to choose the strength by cross-validation,
#'   [fit_map()] for one strength, [priors].
#' @examples
#' path <- map_path(mpg ~ ., data = mtcars)
#' path
#' coef(path, s = 0.05)
#' plot(path)
#'
#' # A logistic lasso path; predictions at two strengths
#' lp <- map_path(type ~ ., data = MASS::Pima.tr, family = lik_bernoulli())
#' predict(lp, MASS::Pima.te[1:3, ], s = c(0.05, 0.01), type = "response")
#' @export
map_path <- function(formula, data, family = lik_gaussian(), prior = prior_laplace(), lambda = NULL,
                     n_lambda = 100L, lambda_min_ratio = NULL, weights, offset, subset, na.action,
                     control = path_control(), model = TRUE, n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  if (missing(data)) data <- NULL
  mcall <- match.call()
  family <- with_formula_parts(as_probml_family(family), formula_has_bar(if (!missing(formula)) formula))
  settings <- path_settings(prior, lambda, n_lambda, lambda_min_ratio, control, n_threads)
  check_flag(model, "model")
  fr <- formula_frame(mcall, parent.frame(), formula, data, family_info(family), missing(na.action),
                      if (!missing(na.action)) na.action)
  path <- path_design(fr$designs, fr$y, family, fr$weights, fr$offset, settings, fr$arg_y)
  with_formula(path, fr, mcall, formula, model)
}

#' @rdname map_path
#' @param x A numeric matrix of predictors.
#' @param y The response.
#' @param intercept Add an (unpenalised) intercept column.
#' @param weights,offset Prior weights and an offset for the linear
#'   predictor (`NULL`: none).
#' @export
map_path_xy <- function(x, y, family = lik_gaussian(), prior = prior_laplace(), lambda = NULL,
                        n_lambda = 100L, lambda_min_ratio = NULL, weights = NULL, offset = NULL, intercept = TRUE,
                        control = path_control(), n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  family <- as_probml_family(family)
  settings <- path_settings(prior, lambda, n_lambda, lambda_min_ratio, control, n_threads)
  x <- with_intercept(x, intercept)
  inp <- xy_inputs(x, y, NULL, family_info(family))
  path <- path_design(inp$designs, inp$y, family, weights, offset, settings, "y")
  path$call <- match.call()
  path[["x"]] <- inp$designs
  path$added_intercept <- intercept
  path
}

# x with a leading column of ones named "(Intercept)", if asked for.
with_intercept <- function(x, intercept, call = rlang::caller_env()) {
  check_flag(intercept, "intercept", call = call)
  x <- check_design(x, "x", call = call)
  if (is.null(colnames(x))) colnames(x) <- sprintf("x%d", seq_len(ncol(x)))
  if (!intercept) return(x)
  if ("(Intercept)" %in% colnames(x)) {
    abort_probml("value", c("{.arg x} already has an {.val (Intercept)} column.",
                            i = "Drop it, or use {.code intercept = FALSE}."), call = call)
  }
  cbind(`(Intercept)` = 1, x)
}

# The checked settings shared by map_path() and cv_map().
path_settings <- function(prior, lambda, n_lambda, lambda_min_ratio, control, n_threads, call = rlang::caller_env()) {
  prior <- as_probml_prior(prior, call = call)
  if (!prior$kind %in% c("laplace", "elastic_net", "gaussian")) {
    abort_probml("unsupported", c("A path needs a Laplace, elastic-net or Gaussian prior, not a {prior_label(prior)} one.",
                                  i = "Use {.fn fit_map} for one fit with this prior."), call = call)
  }
  if (!identical(prior$scale, 1)) {
    abort_probml("value", c("{.arg prior} must keep its default scale: the path sets the scale from each strength {.arg lambda}.",
                            i = "Use {.arg penalty_factor} for different strengths per coefficient."), call = call)
  }
  if (prior$intercept$kind != "flat") {
    abort_probml("unsupported", "A path needs a flat intercept prior; its strength would change along the path.", call = call)
  }
  if (!is.null(lambda)) {
    if (!is.numeric(lambda) || !length(lambda) || is.object(lambda)) {
      abort_probml("type", "{.arg lambda} must be a numeric vector of strengths, not {.obj_type_friendly {lambda}}.", call = call)
    }
    if (anyNA(lambda) || any(!is.finite(lambda)) || any(lambda <= 0)) {
      abort_probml("value", "{.arg lambda} must hold positive, finite strengths.", call = call)
    }
    if (any(diff(lambda) >= 0)) {
      abort_probml("value", c("{.arg lambda} must be strictly decreasing.", i = "Use {.code sort(unique(lambda), decreasing = TRUE)}."),
                   call = call)
    }
  }
  check_number(n_lambda, "n_lambda", lower = 1, integer = TRUE, call = call)
  check_number(lambda_min_ratio, "lambda_min_ratio", lower = .Machine$double.xmin, upper = 1, allow_null = TRUE, call = call)
  if (!is.null(lambda_min_ratio) && lambda_min_ratio >= 1) {
    abort_probml("value", "{.arg lambda_min_ratio} must be below 1, not {lambda_min_ratio}.", call = call)
  }
  if (!inherits(control, "probml_path_control")) {
    if (!is.list(control) || inherits(control, "probml_control")) {
      abort_probml("type", "{.arg control} must come from {.fn path_control}, not {.obj_type_friendly {control}}.", call = call)
    }
    control <- do.call(path_control, control)
  }
  list(prior = prior, lambda = if (!is.null(lambda)) as.double(lambda), n_lambda = as.integer(n_lambda),
       lambda_min_ratio = lambda_min_ratio, control = control, n_threads = check_threads(n_threads, call = call))
}

# The core's inputs of a path (shared by map_path() and cv_map()): checked
# data, the prior at unit strength and the driver's settings.
path_problem <- function(designs, y, family, weights, offset, settings, arg_y, call = rlang::caller_env()) {
  inp <- design_inputs(designs, y, family, weights, offset, arg_y, call = call)
  unit <- prior_terms(settings$prior, inp$layout, designs, inp$weights, inp$response$y, family, inp$info,
                      unit = TRUE, call = call)
  penalised <- unit$l1 > 0 | unit$l2 > 0
  if (!any(penalised)) {
    abort_probml("value", c("The prior penalises no coefficient: the path would be a single maximum-likelihood fit.",
                            i = "Check {.arg penalty_factor}, or use {.fn fit_mle}."), call = call)
  }
  ctl <- settings$control
  lmr <- settings$lambda_min_ratio %||% (if (sum(inp$weights > 0) > length(unit$l1)) 1e-4 else 1e-2)
  core_control <- list(n_lambda = settings$n_lambda, lambda_min_ratio = lmr, max_deviance_ratio = ctl$max_deviance_ratio,
                       rank_tol = ctl$rank_tol, n_threads = settings$n_threads, max_iter = ctl$max_iter,
                       tol = ctl$tol %||% NA_real_)
  c(inp, list(unit = unit[c("l1", "l2", "t_df", "t_scale", "combination", "combination_term")], screen = unit$screen,
              core_control = core_control, lambda_min_ratio = lmr))
}

path_design <- function(designs, y, family, weights, offset, settings, arg_y, call = rlang::caller_env()) {
  pr <- path_problem(designs, y, family, weights, offset, settings, arg_y, call = call)
  fit_path_problem(pr, settings, call)
}

fit_path_problem <- function(pr, settings, call) {
  n_requested <- if (length(settings$lambda)) length(settings$lambda) else settings$n_lambda
  core <- with_progress("Fitting the path", n_requested, function(tick) {
    call_core(cpp_path(pr$model, pr$response$y, pr$weights, pr$offset, pr$unit, settings$lambda %||% numeric(),
                       pr$screen, pr$core_control, tick), call = call)
  })
  path <- new_path(core, pr, settings)
  check_path_end(path, n_requested, call = call)
  path
}

new_path <- function(core, pr, settings) {
  nm <- pr$layout$names
  L <- length(core$lambda)
  coefs <- matrix(core$coefficients, length(nm), L, dimnames = list(nm, paste0("s", seq_len(L) - 1L)))
  coefs[core$aliased, ] <- NA_real_
  structure(c(unclass(pr$template), list(
    lambda = core$lambda, coefficients = coefs, df = core$n_nonzero, deviance_ratio = core$deviance_ratio,
    nll = core$nll - pr$response$loglik_constant, prior_value = core$prior_value, iterations = core$iterations, converged = core$converged,
    aliased = stats::setNames(core$aliased, nm), null_deviance = core$null_deviance, stop_reason = core$stop_reason,
    penalised = stats::setNames(pr$unit$l1 > 0 | pr$unit$l2 > 0, nm), total_weight = sum(pr$weights),
    nobs = sum(pr$weights > 0), prior = settings$prior, lambda_min_ratio = pr$lambda_min_ratio,
    control = settings$control, n_threads = settings$n_threads, offset = pr$offset
  )), class = "probml_path")
}

check_path_end <- function(path, n_requested, call) {
  L <- length(path$lambda)
  if (nzchar(path$stop_reason)) {
    warn_probml("path_stopped", c("The path stopped early, at strength {L} of {n_requested} (lambda = {format(path$lambda[L], digits = 4)}): {path$stop_reason}.",
                                  i = if (!all(path$converged)) "Try a larger {.code path_control(max_iter = )}." else
                                    "Strengths below this one would fit the data almost exactly; {.code path_control(max_deviance_ratio = 1)} goes on."),
                call = call)
  } else if (!all(path$converged)) {
    warn_probml("convergence", "The fit at the last strength (lambda = {format(path$lambda[L], digits = 4)}) did not converge.", call = call)
  }
}

# ---- methods -----------------------------------------------------------------

#' Coefficients and predictions along a regularisation path
#'
#' At strengths `s` between two of the path's, the coefficients are
#' interpolated linearly in \eqn{\lambda}{lambda} (as glmnet's `coef()` does);
#' to get an exact fit at a strength, give it in `lambda` to [map_path()]
#' or use [fit_map()]. Strengths outside the path's range are an error.
#'
#' @param object A `probml_path`.
#' @param s Strengths (glmnet's `lambda`) at which to report; `NULL`: every
#'   strength of the path.
#' @param newdata,type As in [predict.probml_fit()].
#' @param ... Not used: a misspelled argument is an error.
#' @return `coef()`: a matrix with one column per strength (a named vector
#'   for a single `s`). `predict()`: for one `s`, what
#'   [predict.probml_fit()] returns; for several, a matrix with one column
#'   per strength (an array with strengths last when each prediction is a
#'   row of class probabilities, a data frame of factors for `type =
#'   "class"`).
#' @seealso [map_path()], [cv_map()].
#' @examples
#' path <- map_path(mpg ~ wt + hp + qsec, data = mtcars)
#' coef(path, s = c(0.1, 0.01))
#' predict(path, mtcars[1:3, ], s = 0.01)
#' @export
coef.probml_path <- function(object, s = NULL, ...) {
  check_dots_empty(...)
  if (is.null(s)) return(object$coefficients)
  out <- interpolate_path(object, check_strengths(object, s))
  if (length(s) == 1L) drop(out) else out
}

check_strengths <- function(object, s, call = rlang::caller_env()) {
  if (!is.numeric(s) || !length(s) || anyNA(s) || is.object(s)) {
    abort_probml("type", "{.arg s} must be a numeric vector of strengths, not {.obj_type_friendly {s}}.", call = call)
  }
  lo <- min(object$lambda)
  hi <- max(object$lambda)
  out <- s < lo * (1 - 1e-12) | s > hi * (1 + 1e-12)
  if (any(out)) {
    abort_probml("value", c("{.arg s} = {format(s[out][1], digits = 4)} is outside the path's strengths [{format(lo, digits = 4)}, {format(hi, digits = 4)}].",
                            i = "Refit with a {.arg lambda} sequence that reaches it."), call = call)
  }
  pmin(pmax(as.double(s), lo), hi)
}

# Coefficients at strengths s, linear in lambda between path points.
interpolate_path <- function(object, s) {
  lam <- object$lambda
  B <- object$coefficients
  out <- vapply(s, function(v) {
    if (length(lam) == 1L) return(B[, 1L])
    hi <- max(which(lam >= v))
    if (lam[hi] == v || hi == length(lam)) return(B[, hi])
    f <- (lam[hi] - v) / (lam[hi] - lam[hi + 1L])
    (1 - f) * B[, hi] + f * B[, hi + 1L]
  }, numeric(nrow(B)))
  out <- matrix(out, nrow(B), length(s), dimnames = list(rownames(B), format(s, digits = 4)))
  out
}

#' @rdname coef.probml_path
#' @export
predict.probml_path <- function(object, newdata, s = NULL, type = c("link", "response", "prob", "class"), ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "link" else check_choice(type, c("link", "response", "prob", "class"), "type")
  if (is.null(s)) s <- object$lambda
  B <- interpolate_path(object, check_strengths(object, s))
  info <- fit_family_info(object)
  if (type %in% c("prob", "class") && !info$response %in% c("binary", "classes", "ordered")) {
    abort_probml("unsupported", "{.code type = \"{type}\"} needs a discrete response; {info$label} has a continuous one.")
  }
  if (missing(newdata)) newdata <- NULL
  if (isTRUE(object$added_intercept) && !is.null(newdata)) newdata <- with_intercept(newdata, TRUE)
  new <- prediction_inputs(object, newdata, stats::na.pass)
  values <- lapply(seq_len(ncol(B)), function(k) {
    coefs <- B[, k]
    coefs[is.na(coefs)] <- 0
    pad_prediction(prediction_value(object, new, type, coefs, info), new$na.action)
  })
  if (length(values) == 1L) return(values[[1L]])
  labels <- format(s, digits = 4)
  if (type == "class") return(stats::setNames(as.data.frame(values), labels))
  if (is.matrix(values[[1L]])) {
    return(array(unlist(values), c(dim(values[[1L]]), length(values)),
                 dimnames = list(rownames(values[[1L]]), colnames(values[[1L]]), labels)))
  }
  out <- do.call(cbind, values)
  colnames(out) <- labels
  out
}

#' @export
as.data.frame.probml_path <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_dots_empty(...)
  data.frame(lambda = x$lambda, scale = path_scales(x), df = x$df, deviance_ratio = x$deviance_ratio,
             converged = x$converged, row.names = row.names)
}

# The prior scale each strength amounts to (see map_path()'s "Strength and scale").
path_scales <- function(x) {
  if (x$prior$kind == "gaussian") 1 / sqrt(x$total_weight * x$lambda) else 1 / (x$total_weight * x$lambda)
}

#' @export
print.probml_path <- function(x, digits = max(3L, getOption("digits") - 3L), n = 12L, ...) {
  check_dots_empty(...)
  L <- length(x$lambda)
  cat("probml path: ", fit_family_info(x)$label, ", ", prior_label(x$prior), " prior",
      switch(x$prior$standardize, sd = " on standardised predictors", `2sd` = " on inputs scaled by 2 sd", none = ""),
      "\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat(L, " strength", if (L != 1L) "s", " from ", format(x$lambda[1], digits = digits), " to ",
      format(x$lambda[L], digits = digits), "; ", sum(x$penalised), " penalised coefficient",
      if (sum(x$penalised) != 1L) "s", "\n", sep = "")
  if (nzchar(x$stop_reason)) cat("Stopped early: ", x$stop_reason, "\n", sep = "")
  tab <- as.data.frame(x)
  tab$deviance_ratio <- round(100 * tab$deviance_ratio, 2)
  names(tab)[4] <- "%dev"
  if (all(tab$converged)) tab$converged <- NULL
  rows <- if (L <= n) seq_len(L) else unique(round(seq(1, L, length.out = n)))
  cat("\n")
  print(format(tab[rows, , drop = FALSE], digits = digits), right = TRUE)
  if (length(rows) < L) cat("(", length(rows), " of ", L, " strengths shown; as.data.frame() has all)\n", sep = "")
  invisible(x)
}

#' Plot a regularisation path
#'
#' The penalised coefficients against \eqn{\log\lambda}{log(lambda)}, with
#' the number of non-zero coefficients along the top axis, as glmnet's
#' `plot()`.
#'
#' @param x A `probml_path`.
#' @param label Label the curves with the coefficient names, left of their
#'   ends at the weakest penalty.
#' @param ... Graphical parameters passed to [graphics::matplot()].
#' @return `x`, invisibly.
#' @seealso [map_path()], [plot.probml_cv()].
#' @examples
#' plot(map_path(mpg ~ ., data = mtcars), label = TRUE)
#' @export
plot.probml_path <- function(x, label = FALSE, ...) {
  check_flag(label, "label")
  B <- x$coefficients[x$penalised, , drop = FALSE]
  loglam <- log(x$lambda)
  # Labels go beyond the weakest penalty (the left end), clear of the curves.
  room <- if (label) 0.1 * diff(range(loglam)) else 0
  args <- utils::modifyList(list(x = loglam, y = t(B), type = "l", lty = 1, col = path_palette(nrow(B)),
                                 xlim = range(loglam) - c(room, 0),
                                 xlab = expression(log(lambda)), ylab = "Coefficient"),
                            list(...))
  plot_against_lambda(graphics::matplot, args, loglam, x$df, function() {
    graphics::abline(h = 0, col = "grey70", lty = 3)
    if (label) {
      # At the weakest penalty, spread apart vertically so that none overlap.
      weakest <- which.min(loglam)
      at <- B[, weakest]
      spread <- spread_labels(at, 1.3 * graphics::strheight("M", cex = 0.7))
      x0 <- loglam[weakest]
      dx <- 0.02 * diff(graphics::par("usr")[1:2])
      graphics::segments(x0, at, x0 - dx, spread, col = args$col, lwd = 0.7)
      graphics::text(x0 - dx, spread, rownames(B), pos = 2, cex = 0.7, offset = 0.2)
    }
  })
  invisible(x)
}

# A plot against log(lambda) (paths, cross-validation) with the number of
# non-zero coefficients along the top axis, room above it for a title, and
# `more()` drawing the rest; the caller's par() is restored afterwards.
plot_against_lambda <- function(fun, args, loglam, df, more) {
  main <- args$main
  args$main <- NULL
  op <- graphics::par(mar = pmax(graphics::par("mar"), c(0, 0, if (is.null(main)) 4.1 else 5.6, 0)))
  on.exit(graphics::par(op))
  do.call(fun, args)
  if (!is.null(main)) graphics::title(main = main, line = 4)
  at <- pretty(loglam)
  at <- at[at >= min(loglam) & at <= max(loglam)]
  graphics::axis(3, at = at, labels = df[vapply(at, function(a) which.min(abs(loglam - a)), 1L)], cex.axis = 0.8)
  graphics::mtext("Non-zero coefficients", side = 3, line = 2, cex = 0.8)
  more()
}

path_palette <- function(k) probml_palette(max(k, 1L))

# Label positions near `y`, in the same order, at least `gap` apart.
spread_labels <- function(y, gap) {
  o <- order(y)
  s <- y[o]
  for (i in seq_along(s)[-1L]) s[i] <- max(s[i], s[i - 1L] + gap)
  # Centre the moved labels on the original ones.
  s <- s - (mean(s) - mean(y[o])) * (s != y[o])
  for (i in seq_along(s)[-1L]) s[i] <- max(s[i], s[i - 1L] + gap)
  out <- y
  out[o] <- s
  out
}
