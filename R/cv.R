# cv_map(): K-fold cross-validation of a regularisation path. The folds
# run in the core's path driver (in parallel threads, one fold each), or as
# future.apply jobs under a user's future::plan().

#' Cross-validation of a regularisation path
#'
#' `cv_map()` fits the [regularisation path][map_path()] on all the data,
#' then on each of K folds' complements with the same strengths, and scores
#' each held-out fold, as `glmnet::cv.glmnet()` does. The strength with the
#' best mean score is `lambda_min`; the largest strength whose mean score is
#' within one standard error of that best is `lambda_1se` (a sparser model
#' that predicts about as well).
#'
#' @section Folds: Folds are drawn from `seed`: for a binary, categorical
#'   or ordinal response they are stratified (each class's rows are shuffled
#'   and dealt to the folds in turn), otherwise the rows are shuffled and
#'   dealt. With `seed = NULL` one number is drawn from R's generator, so
#'   [set.seed()] before the call makes the folds reproducible; the caller's
#'   random number stream is left as it was. The folds do not depend on the
#'   number of threads, nor do the results. They are returned as `folds`.
#'
#' @section Where the folds run: With no `future::plan()` set (or the
#'   default sequential plan), the folds run in one call to the C++ core, in
#'   `n_threads` threads, with a progress bar in interactive sessions. With
#'   a plan such as `future::plan(multisession)` or a cluster plan, each fold
#'   is a `future.apply` job, so folds can run in other R sessions or on
#'   other machines; the results are the same.
#'
#' @section Scores: The penalty of each fold's fit is `lambda` times the
#'   fold's own total weight, so a strength means the same on a fold as on
#'   all the data. With a standardised prior, every fold's fit divides the
#'   predictors by the standard deviations of all the rows (only the
#'   predictors' spread, never the response, crosses the fold boundary);
#'   `cv.glmnet()` standardises within each fold, so its scores differ
#'   slightly, and agree with those of a prior with `standardize = FALSE`. Each fold's score is the weighted mean over its held-out
#'   rows; the cross-validated score is the mean of the fold scores weighted
#'   by the folds' weights, and its standard error their weighted standard
#'   deviation over \eqn{\sqrt{K - 1}}{sqrt(K - 1)}.
#'
#'   * `"deviance"`: the family's deviance, twice the negative
#'     log-likelihood less that of the saturated model (every family);
#'   * `"misclassification"`: the share of rows whose most probable class is
#'     wrong (discrete responses);
#'   * `"brier"`: the Brier score, the squared distance between the
#'     predicted class probabilities and the observed class (discrete
#'     responses);
#'   * `"mse"`, `"mae"`: the mean squared and absolute error of the
#'     predicted mean (numeric and binary responses).
#'
#' @inheritParams map_path
#' @param folds The number of folds K (from 2 to the number of rows), or one
#'   fold label per row.
#' @param measure The score to minimise: `"deviance"`,
#'   `"misclassification"`, `"brier"`, `"mse"` or `"mae"`; see "Scores".
#'   `NULL`: `"mse"` for a Gaussian likelihood (whose deviance with an
#'   estimated sigma is scaled by each fit's own sigma), else `"deviance"`.
#' @param seed `NULL` (draw one from R's generator) or a whole number: the
#'   seed of the folds.
#' @return An object of class `probml_cv`: `lambda`, `cvm` (the
#'   cross-validated score at each strength), `cvsd` (its standard error),
#'   `fold_scores` (a folds x strengths matrix), `lambda_min`, `lambda_1se`,
#'   `index_min`, `index_1se`, `measure`, `folds`, `k`, `seed` and `path`
#'   (the [map_path()] fit on all the data), with methods `print`,
#'   [plot()][plot.probml_cv()], [coef()][coef.probml_cv()] and `predict`.
#' @seealso [map_path()], [fit_map()], [fit_evidence()] for a choice of
#'   the prior by the marginal likelihood instead.
#' @examples
#' set.seed(1)
#' cv <- cv_map(type ~ ., data = MASS::Pima.tr, family = lik_bernoulli(), folds = 5)
#' cv
#' coef(cv)
#' plot(cv)
#' @export
cv_map <- function(formula, data, family = lik_gaussian(), prior = prior_laplace(), folds = 10L,
                   measure = NULL, lambda = NULL, n_lambda = 100L, lambda_min_ratio = NULL, seed = NULL,
                   weights, offset, subset, na.action, control = path_control(), model = TRUE,
                   n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  if (missing(data)) data <- NULL
  mcall <- match.call()
  family <- with_formula_parts(as_probml_family(family), formula_has_bar(if (!missing(formula)) formula))
  settings <- path_settings(prior, lambda, n_lambda, lambda_min_ratio, control, n_threads)
  check_flag(model, "model")
  check_number(seed, "seed", lower = 0, upper = .Machine$integer.max, integer = TRUE, allow_null = TRUE)
  fr <- formula_frame(mcall, parent.frame(), formula, data, family_info(family), missing(na.action),
                      if (!missing(na.action)) na.action)
  out <- cv_design(fr$designs, fr$y, family, fr$weights, fr$offset, settings, fr$arg_y, folds, measure, seed)
  out$path <- with_formula(out$path, fr, mcall, formula, model)
  out$call <- mcall
  out
}

#' @rdname cv_map
#' @inheritParams map_path_xy
#' @export
cv_map_xy <- function(x, y, family = lik_gaussian(), prior = prior_laplace(), folds = 10L, measure = NULL,
                      lambda = NULL, n_lambda = 100L, lambda_min_ratio = NULL, seed = NULL, weights = NULL,
                      offset = NULL, intercept = TRUE, control = path_control(),
                      n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  family <- as_probml_family(family)
  settings <- path_settings(prior, lambda, n_lambda, lambda_min_ratio, control, n_threads)
  check_number(seed, "seed", lower = 0, upper = .Machine$integer.max, integer = TRUE, allow_null = TRUE)
  x <- with_intercept(x, intercept)
  inp <- xy_inputs(x, y, NULL, family_info(family))
  out <- cv_design(inp$designs, inp$y, family, weights, offset, settings, "y", folds, measure, seed)
  out$path$call <- out$call <- match.call()
  out$path[["x"]] <- inp$designs
  out$path$added_intercept <- intercept
  out
}

cv_measures <- function(response) {
  switch(response,
    binary = c("deviance", "misclassification", "brier", "mse", "mae"),
    classes = , ordered = c("deviance", "misclassification", "brier"),
    c("deviance", "mse", "mae"))
}

cv_design <- function(designs, y, family, weights, offset, settings, arg_y, folds, measure, seed,
                      call = rlang::caller_env()) {
  pr <- path_problem(designs, y, family, weights, offset, settings, arg_y, call = call)
  path <- fit_path_problem(pr, settings, call)
  measure <- measure %||% if (pr$info$least_squares) "mse" else "deviance"
  measure <- check_choice(measure, cv_measures(pr$info$response), "measure", call = call)
  n <- length(pr$weights)
  fold_spec <- check_folds(folds, n, call = call)
  if (is.null(seed)) seed <- sample.int(.Machine$integer.max, 1L)
  seed <- as.integer(seed)
  fold_id <- fold_spec$ids %||% with_preserved_rng({
    set.seed(seed)
    discrete <- pr$info$response %in% c("binary", "classes", "ordered")
    stratified_folds(if (discrete) pr$response$y else rep(0, n), fold_spec$k)
  })
  k <- max(fold_id)
  held_weight <- vapply(seq_len(k), function(f) sum(pr$weights[fold_id == f]), 0)
  if (any(held_weight <= 0)) {
    empty <- which(held_weight <= 0)
    abort_probml("degenerate", "Fold{?s} {empty} {?has/have} no rows of positive weight to score.", call = call)
  }
  ctl <- pr$core_control
  fold_paths <- run_cv_folds(pr, path$lambda, fold_id, k, ctl, call)

  L <- min(vapply(fold_paths, function(p) length(p$lambda), 1L))
  if (L < length(path$lambda)) {
    warn_probml("path_stopped", "Some fold fits stopped early; the scores cover the first {L} of {length(path$lambda)} strengths.",
                call = call)
  }
  column <- switch(measure, deviance = "deviance", misclassification = "misclassified", brier = "brier",
                   mse = "squared_error", mae = "absolute_error")
  scores <- t(vapply(fold_paths, function(p) p$holdout[[column]][seq_len(L)] / p$holdout$weight[seq_len(L)], numeric(L)))
  scores <- matrix(scores, k, L)
  fw <- vapply(fold_paths, function(p) p$holdout$weight[1L], 0)
  cvm <- colSums(scores * fw) / sum(fw)
  cvsd <- if (k > 1L) sqrt(colSums(fw * sweep(scores, 2L, cvm)^2) / sum(fw) / (k - 1L)) else rep(NA_real_, L)
  lam <- path$lambda[seq_len(L)]
  i_min <- which.min(cvm)
  i_1se <- min(which(cvm <= cvm[i_min] + cvsd[i_min]))
  structure(list(lambda = lam, cvm = cvm, cvsd = cvsd, fold_scores = scores, df = path$df[seq_len(L)],
                 measure = measure, lambda_min = lam[i_min], lambda_1se = lam[i_1se], index_min = i_min,
                 index_1se = i_1se, folds = fold_id, k = k, seed = seed, path = path), class = "probml_cv")
}

# The fold paths: one call to the core (folds in threads), or one
# future.apply job per fold under a non-sequential future::plan().
run_cv_folds <- function(pr, lambda, fold_id, k, ctl, call) {
  cv_call <- function(fold, n_folds, tick = NULL) {
    call_core(cpp_cv_path(pr$model, pr$response$y, pr$weights, pr$offset, pr$unit, lambda, pr$screen, fold,
                          n_folds, ctl, tick), call = call)
  }
  if (isTRUE(getOption("probml.use_future", TRUE)) && parallel_plan()) {
    # A job holds out its fold (label 1) and trains on the rest (label 2,
    # beyond the single fold run).
    ctl$n_threads <- 1L
    jobs <- lapply(seq_len(k), function(f) ifelse(fold_id == f, 1L, 2L))
    return(lapply(future.apply::future_lapply(jobs, cv_call, n_folds = 1L, future.seed = NULL), `[[`, 1L))
  }
  with_progress("Cross-validating", k, function(tick) cv_call(as.integer(fold_id), k, tick))
}

#' @export
print.probml_cv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  p <- x$path
  cat("probml cross-validation: ", fit_family_info(p)$label, ", ", prior_label(p$prior), " prior\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  sizes <- tabulate(x$folds, x$k)
  cat(x$k, " folds of ", min(sizes), if (min(sizes) != max(sizes)) paste0("-", max(sizes)), " rows (seed ", x$seed,
      "), ", length(x$lambda), " strength", if (length(x$lambda) != 1L) "s", "; measure: ", x$measure, "\n\n", sep = "")
  rows <- c(x$index_min, x$index_1se)
  tab <- data.frame(lambda = x$lambda[rows], scale = path_scales(p)[rows], score = x$cvm[rows], se = x$cvsd[rows],
                    df = x$df[rows], row.names = c("min", "1se"))
  names(tab)[3] <- x$measure
  print(format(tab, digits = digits), right = TRUE)
  invisible(x)
}

#' Coefficients and predictions of a cross-validated path
#'
#' @param object A `probml_cv`.
#' @param s `"lambda_1se"` (the default, as glmnet), `"lambda_min"`, or
#'   strengths within the path's.
#' @param newdata,type As in [predict.probml_path()].
#' @param ... Not used: a misspelled argument is an error.
#' @return As [coef.probml_path()] and [predict.probml_path()] at `s`.
#' @seealso [cv_map()].
#' @examples
#' set.seed(2)
#' cv <- cv_map(mpg ~ ., data = mtcars, folds = 4)
#' coef(cv, s = "lambda_min")
#' predict(cv, mtcars[1:2, ])
#' @export
coef.probml_cv <- function(object, s = "lambda_1se", ...) {
  check_dots_empty(...)
  coef(object$path, s = cv_strength(object, s))
}

#' @rdname coef.probml_cv
#' @export
predict.probml_cv <- function(object, newdata, s = "lambda_1se", type = c("link", "response", "prob", "class"), ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "link" else type
  if (missing(newdata)) return(predict(object$path, s = cv_strength(object, s), type = type))
  predict(object$path, newdata, s = cv_strength(object, s), type = type)
}

cv_strength <- function(object, s, call = rlang::caller_env()) {
  if (is.character(s)) return(object[[check_choice(s, c("lambda_1se", "lambda_min"), "s", call = call)]])
  s
}

#' Plot a cross-validated path
#'
#' The cross-validated score against \eqn{\log\lambda}{log(lambda)}, with
#' error bars of one standard error, a dotted line at `lambda_min` and a
#' dashed one at `lambda_1se`, and the number of non-zero coefficients
#' along the top axis, as glmnet's `plot.cv.glmnet()`. The legend goes
#' where it hides fewest bars.
#'
#' @param x A `probml_cv`.
#' @param ... Graphical parameters passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @seealso [cv_map()], [plot.probml_path()].
#' @examples
#' set.seed(1)
#' plot(cv_map(mpg ~ ., data = mtcars, folds = 4))
#' @export
plot.probml_cv <- function(x, ...) {
  loglam <- log(x$lambda)
  up <- x$cvm + x$cvsd
  lo <- x$cvm - x$cvsd
  label <- switch(x$measure, deviance = "Deviance", misclassification = "Misclassification rate", brier = "Brier score",
                  mse = "Mean squared error", mae = "Mean absolute error")
  args <- utils::modifyList(list(x = loglam, y = x$cvm, ylim = range(lo, up, na.rm = TRUE),
                                 type = "n", xlab = expression(log(lambda)), ylab = paste("Cross-validated", tolower(label))),
                            list(...))
  plot_against_lambda(graphics::plot, args, loglam, x$df, function() {
    graphics::segments(loglam, lo, loglam, up, col = "grey60")
    graphics::points(loglam, x$cvm, pch = 20, col = probml_palette(1L))
    marked <- log(c(x$lambda_min, x$lambda_1se))
    graphics::abline(v = marked, lty = c(3, 2))
    # The legend goes where neither the bars nor the two lines are.
    usr <- graphics::par("usr")
    bars <- along_segments(loglam, lo, loglam, up)
    vlines <- along_segments(marked, usr[3], marked, usr[4], n = 50L)
    base_legend_free(c(bars$x, vlines$x), c(bars$y, vlines$y),
                     legend = c("mean over folds", "\u00b1 1 standard error", "lambda_min", "lambda_1se"),
                     pch = c(20, NA, NA, NA), lty = c(NA, 1, 3, 2), col = c(probml_palette(1L), "grey60", "black", "black"))
  })
  invisible(x)
}
