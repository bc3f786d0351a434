# Post-hoc calibration of predicted scores: calibrate() fits a map from
# scores to probabilities on held-out data; predict() applies it.

# The methods, as print() and plot() name them; print() adds the source.
calibration_method_labels <- c(platt = "Platt scaling", isotonic = "isotonic regression",
                               temperature = "temperature scaling", beta = "beta calibration",
                               histogram = "histogram binning", vector = "vector scaling",
                               matrix = "matrix scaling", dirichlet = "Dirichlet calibration")
calibration_methods <- names(calibration_method_labels)
calibration_method_sources <- c(isotonic = "PAVA", beta = "Kull et al. 2017", dirichlet = "Kull et al. 2019")

#' Calibrate predicted scores
#'
#' `calibrate()` learns a map from a model's scores to calibrated
#' probabilities on held-out data (data the model was not fitted on), and
#' [predict()][predict.probml_calibrator] applies it to new scores.
#'
#' The methods:
#' * `"platt"`: Platt scaling, a logistic regression of `y` on the logit of
#'   the scores, \eqn{P(y = 1) = \mathrm{plogis}(a + b\,\mathrm{logit}(s))}.
#'   Scores given as probabilities are converted to logits with
#'   [stats::qlogis()] first, so that Platt scaling of probabilities is the
#'   same model as Platt scaling of the logits they came from. The fit is
#'   probml's own maximum-likelihood engine, [fit_mle_xy()] with
#'   [lik_bernoulli()].
#' * `"isotonic"`: isotonic regression of `y` on the scores (the
#'   pool-adjacent-violators algorithm of [pava()]), a non-decreasing map
#'   (non-increasing with `increasing = FALSE`, or chosen by the sign of the
#'   Spearman correlation with `"auto"`), its values bounded by `y_min` and
#'   `y_max`. Tied scores are pooled, their weights summed. On new scores it interpolates
#'   linearly between the fitted points (`isotonic_predict = "linear"`, as
#'   scikit-learn does) or uses the right-continuous step function
#'   (`"step"`: each fitted value holds up to the next training score, so
#'   that it equals `as.stepfun(isoreg())` at the training scores, which
#'   jumps right after a block's last score instead); outside the range of the
#'   training scores it is constant (`out_of_range = "clip"`), `NA` or an
#'   error. With `strictly_increasing = TRUE` it
#'   interpolates linearly between the weighted centres (weighted mean
#'   scores) of the PAVA blocks instead, so that between the centres of
#'   the first and last blocks the map is strictly monotone and distinct
#'   scores keep their ranking instead of collapsing into ties (outside
#'   those centres it is constant).
#' * `"temperature"`: temperature scaling, one \eqn{T > 0} minimising the
#'   negative log-likelihood of \eqn{\mathrm{softmax}(z / T)} for a matrix
#'   of logits (one column per class, `y` a factor whose levels match the
#'   columns) or \eqn{\mathrm{plogis}(z / T)} for a vector of binary logits.
#'   \eqn{\log T} is found by [stats::optimize()] within `log_t_bounds`; if
#'   the optimum lies at a bound (for example when every held-out
#'   prediction is correct, so that the likelihood keeps growing as
#'   \eqn{T \to 0}), a warning of class `probml_warning_temperature_bound`
#'   says so. Dividing by \eqn{T} never changes the predicted class.
#' * `"beta"`: beta calibration (Kull, Silva Filho and Flach, 2017), a
#'   logistic regression of `y` on \eqn{\log s} and \eqn{-\log(1 - s)}:
#'   \eqn{\mathrm{logit}\,P(y = 1) = c + a \log s - b \log(1 - s)}. If a
#'   fitted \eqn{a} or \eqn{b} is negative, the model is refitted without
#'   that term (the authors' recommendation), so the map is monotone.
#' * `"histogram"`: histogram binning: `bins` uniform or quantile bins of the
#'   probabilities (logits are converted with [stats::plogis()]), each
#'   predicting the weighted mean outcome of its training scores (an empty
#'   bin predicts the overall weighted mean of `y`). The bins are those of
#'   [ece()]: closed on the left, and a probability equal to the upper edge
#'   (1.0) falls in the last bin. Tied quantiles are merged, so quantile
#'   binning may give fewer than `bins` bins.
#'
#' @section Probabilities of exactly 0 or 1:
#' Platt, beta and temperature scaling work on the log or logit scale, where
#' a probability of exactly 0 or 1 is infinite. `calibrate()` refuses such
#' scores unless `eps` is given, in which case probabilities are clipped
#' into `[eps, 1 - eps]` first, at fitting and at prediction.
#'
#' @section Arguments in order:
#' `calibrate()` and [calibrate_cv()] take their arguments in the same
#' order: the data (here the outcomes `y`, or a data frame `y`), the truth
#' (for a data frame, `truth`), the estimate (`scores`, or for a data
#' frame `estimate`), then `method`, then `weights`, then the rest, which
#' are best named.
#'
#' @section Data frames:
#' `calibrate(y, truth, estimate, ...)` with a data frame `y` fits on its
#' columns, chosen by tidy-eval as in [log_loss()]: `truth` a factor,
#' logical or 0/1 column; `estimate` the column of scores, or for
#' multiclass scores one column per level of `truth`, named after the
#' levels (in any order). The calibrator is the one the vector call fits
#' on those columns, and it remembers the estimate column names, so that
#' `predict(calibrator, newdata = <data frame>)` returns the data frame
#' with those columns replaced by the calibrated probabilities (as
#' probably's `cal_apply()` does).
#'
#' With groups (`.by`, or a dplyr grouped data frame) one calibrator is
#' fitted per group: the result is a `probml_calibrator_set`, whose
#' `predict()` applies to each row of a data frame the calibrator of its
#' group (a group not seen at fitting is an error).
#'
#' @param y Observed outcomes: 0/1 (numeric or logical) or a two-level
#'   factor (the event is the second level) for a vector of scores; for a
#'   matrix of scores, a factor whose levels match the columns (or class
#'   numbers 1..K). Or a data frame holding outcomes and scores (see
#'   the section Data frames).
#' @param truth For a data frame `y`: the column of outcomes (tidy-eval).
#' @param estimate For a data frame `y`: the column of scores, or one
#'   column per class named after the levels of `truth` (tidy-eval).
#' @param .by For a data frame `y`: optional grouping columns (tidy-eval).
#' @param scores Held-out scores: a numeric vector of probabilities of the
#'   event or of logits (or, for `"isotonic"` and `"histogram"`, any
#'   real-valued score); for `"temperature"`, `"vector"`, `"matrix"` and
#'   `"dirichlet"` an n x K matrix of logits or of probabilities (rows
#'   summing to 1); for one-vs-rest `"platt"`, `"isotonic"`, `"beta"` and
#'   `"histogram"` an n x K matrix of probabilities.
#' @param method One of `"platt"` (the default), `"isotonic"`,
#'   `"temperature"`, `"beta"`, `"histogram"`, or for a matrix of scores
#'   `"vector"`, `"matrix"` or `"dirichlet"` (see the section on multiclass
#'   calibration).
#' @param weights Optional non-negative observation weights; for a data
#'   frame `y`, a column of it (tidy-eval).
#' @param scores_are `"auto"` (the default), `"probability"` or `"logit"`.
#'   `"auto"` reads the scores as probabilities when all lie in \[0, 1\]
#'   (and, for a matrix, every row sums to 1 within 1e-6), as logits
#'   otherwise; say `"logit"` for logits that all happen to lie in \[0, 1\]
#'   (a warning of class `probml_warning_scale` then says that they look like
#'   probabilities).
#'   For `"isotonic"`, `"logit"` means any real-valued score (used as it
#'   is); beta calibration and histogram binning convert logits to
#'   probabilities with [stats::plogis()].
#' @param isotonic_predict For `"isotonic"`: `"linear"` interpolation
#'   between the fitted points (the default) or the `"step"` function.
#' @param strictly_increasing For `"isotonic"`: interpolate between the
#'   weighted centres of the PAVA blocks so that the map is strictly
#'   increasing (see Details). Overrides `isotonic_predict`.
#' @param increasing For `"isotonic"`: `TRUE` (the default) for a
#'   non-decreasing map, `FALSE` for a non-increasing one (scores that fall
#'   as the event grows likelier), or `"auto"` to choose by the sign of the
#'   weighted Spearman correlation of scores and outcomes, as in [pava()].
#' @param y_min,y_max For `"isotonic"`: bounds on the calibrated
#'   probabilities, in \[0, 1\]. The defaults 0 and 1 change nothing (the
#'   fit of 0/1 outcomes lies in \[0, 1\]); narrower bounds such as
#'   `y_min = 1e-3, y_max = 1 - 1e-3` keep calibrated probabilities off 0
#'   and 1, where one wrong prediction makes the log loss infinite. The
#'   bounded fit is the unbounded one clipped (exact for squared error, see
#'   [pava()]).
#' @param out_of_range For `"isotonic"`: what `predict()` returns for scores
#'   outside the range of the training scores: `"clip"` (the default) the
#'   calibrated value at the nearest end, `"na"` `NA`, `"error"` an error of
#'   class `probml_error_newdata`.
#' @param bins For `"histogram"`: the number of bins, a whole number >= 1.
#' @param strategy For `"histogram"`: `"uniform"` bins of equal width on
#'   \[0, 1\] or `"quantile"` bins holding about equal numbers of training
#'   scores.
#' @param log_t_bounds For `"temperature"`: the search interval for
#'   \eqn{\log T}, two increasing finite numbers.
#' @param eps Optional clipping constant in (0, 0.5) for probabilities of
#'   exactly 0 or 1 (see the section below).
#' @param ... For a data frame `y`: further arguments of the vector method
#'   (`scores_are`, `eps`, ...), named. Otherwise not used: a misspelled
#'   argument is an error.
#' @return An object of class `probml_calibrator`: a list with `method`,
#'   `scores_are` (as resolved), the fitted parameters (`coefficients` for
#'   Platt and beta, `temperature` for temperature scaling, `isotonic` (the
#'   knots and blocks of the PAVA fit) for isotonic, `breaks` and
#'   `bin_means` for histogram, `W` and `b` for vector and matrix scaling
#'   and Dirichlet calibration, `classes` (the binary calibrators) for
#'   one-vs-rest calibration), `n`, `n_classes`, `levels`, `eps` and
#'   `train_scores` (at most 2000 of the training scores, for the rug of
#'   [plot()][plot.probml_calibrator()]; for vector and matrix scaling and
#'   Dirichlet calibration, at most 2000 rows of the score matrix); fitted on a data frame, also
#'   `truth` and `estimate` (the column names). Use [predict()], [print()]
#'   and [plot()] on it. For grouped data, a `probml_calibrator_set`.
#' @references
#' Platt, J. (1999). Probabilistic outputs for support vector machines.
#'
#' Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). On calibration
#' of modern neural networks. ICML.
#'
#' Kull, M., Silva Filho, T. and Flach, P. (2017). Beta calibration: a
#' well-founded and easily implemented improvement on logistic calibration
#' for binary classifiers. AISTATS.
#'
#' Zadrozny, B. and Elkan, C. (2002). Transforming classifier scores into
#' accurate multiclass probability estimates. KDD.
#' @seealso [predict.probml_calibrator()], [log_loss()]
#' @examples
#' set.seed(1)
#' z <- rnorm(500)
#' y <- rbinom(500, 1, plogis(z))
#' p_over <- plogis(3 * z)          # an overconfident model
#'
#' cal <- calibrate(y, p_over, method = "platt")
#' cal                             # slope near 1/3
#' predict(cal, c(0.1, 0.5, 0.9))
#'
#' iso <- calibrate(y, p_over, method = "isotonic")
#' predict(iso, c(0.1, 0.5, 0.9))
#'
#' tmp <- calibrate(y, 3 * z, method = "temperature")
#' tmp$temperature                 # near 3
#'
#' # Multiclass temperature scaling of a matrix of logits
#' Z <- matrix(rnorm(300 * 3), 300, 3, dimnames = list(NULL, c("a", "b", "c")))
#' P <- exp(Z) / rowSums(exp(Z))
#' cls <- factor(apply(P, 1, function(p) sample(colnames(Z), 1, prob = p)),
#'               levels = colnames(Z))
#' calibrate(cls, 2 * Z, method = "temperature")   # T near 2
#'
#' plot(calibrate(y, p_over, method = "beta"))
#'
#' # On a data frame of predictions; predict() replaces the score column
#' d <- data.frame(outcome = y, .pred = p_over, site = rep(c("A", "B"), 250))
#' cal_d <- calibrate(d, outcome, .pred, method = "platt")
#' head(predict(cal_d, d))
#'
#' # One calibrator per site
#' by_site <- calibrate(d, outcome, .pred, method = "isotonic", .by = site)
#' by_site
#' head(predict(by_site, d))
#' @export
calibrate <- function(y, ...) UseMethod("calibrate")

#' @rdname calibrate
#' @export
calibrate.default <- function(y, scores, method = c("platt", "isotonic", "temperature", "beta", "histogram",
                                                    "vector", "matrix", "dirichlet"),
                      weights = NULL, scores_are = c("auto", "probability", "logit"),
                      isotonic_predict = c("linear", "step"), strictly_increasing = FALSE,
                      increasing = TRUE, y_min = 0, y_max = 1, out_of_range = c("clip", "na", "error"),
                      bins = 10L, strategy = c("uniform", "quantile"),
                      log_t_bounds = c(log(1e-2), log(1e2)), eps = NULL,
                      platt_targets = c("hard", "smoothed"), lambda = 0, mu = lambda, ...) {
  check_dots_empty(...)
  method <- if (missing(method)) "platt" else check_choice(method, calibration_methods, "method")
  scores_are <- if (missing(scores_are)) "auto" else check_choice(scores_are, c("auto", "probability", "logit"), "scores_are")
  isotonic_predict <- if (missing(isotonic_predict)) "linear" else check_choice(isotonic_predict, c("linear", "step"), "isotonic_predict")
  strategy <- if (missing(strategy)) "uniform" else check_choice(strategy, c("uniform", "quantile"), "strategy")
  check_flag(strictly_increasing, "strictly_increasing")
  increasing <- check_increasing(increasing)
  check_fit_bounds(y_min, y_max, lower = 0, upper = 1)
  out_of_range <- if (missing(out_of_range)) "clip" else check_choice(out_of_range, out_of_range_choices, "out_of_range")
  check_number(bins, "bins", lower = 1, upper = 1e6, integer = TRUE)
  check_number(eps, "eps", lower = .Machine$double.xmin, upper = 0.5 - 1e-12, allow_null = TRUE)
  if (!is.numeric(log_t_bounds) || length(log_t_bounds) != 2L || any(!is.finite(log_t_bounds)) ||
      log_t_bounds[1] >= log_t_bounds[2]) {
    abort_probml("value", "{.arg log_t_bounds} must be two finite increasing numbers, such as {.code c(log(1e-2), log(1e2))}.")
  }

  platt_targets <- if (missing(platt_targets)) "hard" else check_choice(platt_targets, c("hard", "smoothed"), "platt_targets")
  check_multiclass_args(method, platt_targets, lambda, mu)

  raw <- check_scores(scores, method, "scores")
  if (is.matrix(raw) && method %in% one_vs_rest_methods) {
    # One-vs-rest (R/calibrate_multiclass.R): the binary calibrate() per class.
    return(calibrate_one_vs_rest(y, raw, method, weights, scores_are, match.call(), environment()))
  }
  out <- code_outcome(y, if (is.matrix(raw)) "classes" else "binary", "y", levels = class_names(raw),
                      n_classes = NCOL(raw) + !is.matrix(raw), n = NROW(raw), n_arg = "scores")
  n <- length(out$y)
  w <- check_weights(weights, n)
  used <- w > 0
  check_two_classes(out$y, w, "y")
  if (is.matrix(raw)) check_classes_match(out, raw, w, method)
  sc <- resolve_scores(raw, scores_are, method, eps, "scores")
  if (method %in% c("platt", "beta") && length(unique(raw[used])) < 2L) {
    abort_probml("degenerate", c("{.arg scores} are constant among the observations with positive weight: a {method} map needs scores that vary.",
                                 i = "Constant scores carry no information about the outcome; their calibrated probability is the base rate."))
  }

  cal <- list(method = method, scores_are = sc$scores_are, n = n, weight_sum = sum(w),
              levels = out$levels, n_classes = out$n_classes, eps = eps,
              matrix_input = is.matrix(raw), score_range = if (is.matrix(raw)) NULL else range(raw[used]),
              train_scores = plot_scores(raw, sc$values, method, used))
  fitted <- switch(method,
    platt = fit_platt(sc$values, out$y, w, platt_targets),
    beta = fit_beta(sc, out$y, w),
    isotonic = fit_isotonic(sc$values, out$y, w, isotonic_predict, strictly_increasing, increasing,
                            y_min, y_max, out_of_range),
    histogram = fit_histogram(sc$values, out$y, w, bins, strategy),
    temperature = fit_temperature(sc$values, out$y, w, log_t_bounds),
    vector = , matrix = , dirichlet = fit_scaling(sc, out, w, method, lambda, mu)
  )
  cal <- c(cal, fitted)
  cal$call <- match.call()
  cal$call[[1L]] <- quote(calibrate)  # not the method's name
  structure(cal, class = "probml_calibrator")
}

#' @rdname calibrate
#' @export
calibrate.data.frame <- function(y, truth, estimate, method = c("platt", "isotonic", "temperature", "beta", "histogram",
                                                       "vector", "matrix", "dirichlet"),
                                 weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("scores", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env(), probabilities = FALSE)
  # The vector method's default method applies unless one was given.
  given <- if (missing(method)) list() else list(method = method)
  one <- function(y, scores, w) {
    cal <- rlang::inject(calibrate(y, scores, !!!given, weights = w, ...))
    cal$truth <- f$truth
    cal$estimate <- f$estimate
    cal
  }
  call <- match.call()
  call[[1L]] <- quote(calibrate)  # not the method's name
  if (is.null(f$groups)) {
    cal <- one(f$y, f$p, f$w)
    cal$call <- call
    return(cal)
  }
  cals <- lapply(f$groups$rows, function(rows) {
    r <- frame_rows(f, rows)
    one(r$y, r$p, r$w)
  })
  structure(list(calibrators = cals, key = f$groups$key, truth = f$truth, estimate = f$estimate,
                 n = lengths(f$groups$rows), call = call),
            class = "probml_calibrator_set")
}

# The training scores on the x axis of plot()'s map, for its rug: logits
# (temperature scaling; for several classes the margin of the top logit
# over the runner-up) or the scores as given; thinned to at most `keep`
# evenly spaced order statistics, so that a calibrator stays small.
plot_scores <- function(raw, values, method, used, keep = 2000L) {
  evenly <- function(v) if (length(v) > keep) v[round(seq(1, length(v), length.out = keep))] else v
  if (is.matrix(raw) && method %in% scaling_methods) {
    # Vector, matrix and Dirichlet maps are not functions of one score:
    # evenly spaced training rows of the score matrix instead.
    return(structure(raw[evenly(which(used)), , drop = FALSE], n = sum(used)))
  }
  v <- if (method != "temperature") raw[used]
       else if (!is.matrix(values)) values[used]
       else apply(values[used, , drop = FALSE], 1L, function(z) -diff(sort(z, decreasing = TRUE)[1:2]))
  structure(evenly(sort(v)), n = sum(used))
}

# Shape, type and missingness of scores; a one-column matrix is a vector.
check_scores <- function(scores, method, arg, matrix_input = NULL, n_classes = NULL, call = rlang::caller_env()) {
  if (!is.numeric(scores) || is.data.frame(scores) || (!is.null(dim(scores)) && !is.matrix(scores))) {
    abort_probml("type", "{.arg {arg}} must be a numeric {if (method %in% scaling_methods) 'matrix' else 'vector or matrix'}, not {.obj_type_friendly {scores}}.",
                 call = call)
  }
  if (is.matrix(scores) && ncol(scores) == 1L) scores <- scores[, 1L]
  if (!is.matrix(scores) && method %in% scaling_methods && is.null(matrix_input)) {
    abort_probml("unsupported", c("{.arg {arg}} must be a matrix of scores with one column per class for method {.val {method}}.",
                                  i = "For binary scores use {.code method = \"platt\"} or {.code \"beta\"}, or give the two columns {.code cbind(1 - p, p)} with a two-level factor {.arg y}."),
                 call = call)
  }
  if (length(scores) == 0L) abort_probml("length", "{.arg {arg}} is empty.", call = call)
  if (anyNA(scores)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (!is.null(matrix_input)) {
    k <- if (is.matrix(scores)) ncol(scores) else 2L
    if (is.matrix(scores) != matrix_input || k != n_classes) {
      what <- if (matrix_input) paste("a matrix with", n_classes, "columns") else "a vector of scores"
      abort_probml("length", "{.arg {arg}} must be {what}, like the scores the calibrator was fitted on.", call = call)
    }
  }
  storage.mode(scores) <- "double"
  scores
}

# Decide whether scores are probabilities or logits, check their range, and
# return the values on the scale the method works on: logits for Platt and
# temperature, raw scores for isotonic and histogram; beta keeps both logs.
resolve_scores <- function(scores, scores_are, method, eps, arg, declared = TRUE, call = rlang::caller_env()) {
  in_unit <- all(scores >= 0 & scores <= 1)
  rows_ok <- !is.matrix(scores) || all(abs(rowSums(scores) - 1) <= prob_tolerance)
  if (scores_are == "auto") scores_are <- if (in_unit && rows_ok) "probability" else "logit"
  if (scores_are == "probability") {
    if (is.matrix(scores)) {
      check_probability_matrix(scores, arg, call = call)
    } else if (!in_unit) {
      bad <- which(!(scores >= 0 & scores <= 1))[1]
      abort_probml("value", c("{.arg {arg}} given as probabilities must lie in [0, 1].",
                              x = "Element {bad} is {scores[bad]}."), call = call)
    }
  } else if (declared) {
    check_logits(scores, arg, call = call)
  } else if (any(!is.finite(scores))) {
    abort_probml("nonfinite", "{.arg {arg}} contains infinite values; logits and scores must be finite.", call = call)
  }
  values <- scores
  needs_log <- method %in% c("platt", "temperature", "beta", scaling_methods)
  if (scores_are == "probability" && needs_log) {
    if (is.null(eps)) {
      if (any(scores == 0 | scores == 1)) {
        abort_probml("value", c("{.arg {arg}} contains probabilities of exactly 0 or 1, whose logits are infinite.",
                                    i = "Give {.arg eps} (for example {.code eps = 1e-12}) to clip them into [eps, 1 - eps]."),
                     call = call)
      }
    } else {
      values <- pmin(pmax(scores, eps), 1 - eps)
      if (is.matrix(scores)) dim(values) <- dim(scores)
    }
    if (method != "beta") values <- if (is.matrix(values)) log(values) else stats::qlogis(values)
  } else if (scores_are == "logit" && method == "histogram") {
    values <- stats::plogis(scores)
  }
  list(values = values, scores_are = scores_are)
}

# Platt: a logistic regression on the logit, by probml's own engine.
# Smoothed targets (Platt 1999): the cross-entropy against t+ = (N+ + 1) /
# (N+ + 2) for events and t- = 1 / (N- + 2) otherwise (N+ and N- the weighted
# counts, as scikit-learn has them) is the log-likelihood of two copies of
# the rows, y = 1 with weight w t and y = 0 with weight w (1 - t).
fit_platt <- function(logit, y, w, targets = "hard") {
  X <- cbind(`(Intercept)` = 1, logit = logit)
  if (targets == "smoothed") {
    n_pos <- sum(w[y == 1])
    n_neg <- sum(w[y == 0])
    t <- ifelse(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    X <- rbind(X, X)
    y <- rep(c(1, 0), each = length(t))
    w <- c(w * t, w * (1 - t))
  }
  fit <- calibration_glm(X, y, w)
  list(coefficients = stats::setNames(coef(fit), c("intercept", "slope")), loglik = fit$loglik, targets = targets)
}

# The logistic regressions of Platt and beta calibration. A map the
# scores cannot identify (too few distinct scores) is refused, not
# returned with NA coefficients.
calibration_glm <- function(X, y, w, call = rlang::caller_env(2)) {
  fit <- withCallingHandlers(fit_mle_xy(X, y, family = lik_bernoulli(), weights = w),
                             probml_warning_rank_deficient = function(cnd) rlang::cnd_muffle(cnd))
  if (any(fit$aliased)) {
    abort_probml("degenerate", c("{.arg scores} cannot identify the calibration map: too few distinct scores among the observations with positive weight.",
                                 i = "Use more calibration data, or {.code method = \"isotonic\"}."), call = call)
  }
  fit
}

# Beta calibration features: log s and -log(1 - s), from probabilities or
# (exactly, without forming s) from logits.
beta_features <- function(values, scores_are) {
  if (scores_are == "probability") {
    cbind(log_s = log(values), neg_log_1ms = -log1p(-values))
  } else {
    cbind(log_s = stats::plogis(values, log.p = TRUE), neg_log_1ms = -stats::plogis(-values, log.p = TRUE))
  }
}

fit_beta <- function(sc, y, w) {
  X <- beta_features(sc$values, sc$scores_are)
  keep <- c(TRUE, TRUE)
  repeat {
    fit <- calibration_glm(cbind(`(Intercept)` = 1, X[, keep, drop = FALSE]), y, w, call = rlang::caller_env())
    slopes <- coef(fit)[-1L]
    if (!length(slopes) || all(slopes >= 0)) break
    # Drop the first negative term (a before b, as in the authors' code) and
    # refit; repeat in case the remaining one turns negative too.
    keep[which(keep)[which(slopes < 0)[1]]] <- FALSE
  }
  ab <- c(a = 0, b = 0)
  ab[keep] <- slopes
  list(coefficients = c(a = ab[["a"]], b = ab[["b"]], c = coef(fit)[[1L]]), loglik = fit$loglik)
}

# Isotonic regression by the package's PAVA (R/isotonic.R), which drops
# zero weights and pools tied scores; predictions by isotonic_predict().
fit_isotonic <- function(x, y, w, isotonic_predict, strictly_increasing, increasing = TRUE,
                         y_min = 0, y_max = 1, out_of_range = "clip") {
  dir <- isotonic_direction(x, y, w, increasing)
  fit <- isotonic_pava(x, y, w, dir$increasing, y_min, y_max)
  type <- if (strictly_increasing) "strict" else isotonic_predict
  list(isotonic = fit, isotonic_type = type, increasing = dir$increasing, increasing_auto = dir$auto,
       spearman = dir$spearman, bounds = c(y_min = y_min, y_max = y_max), out_of_range = out_of_range)
}

# Histogram binning on the probability scale, with the bins of ece() and
# brier_decomp() (bin_table() in R/scores.R): bin k holds
# edges[k] <= p < edges[k + 1], the last bin also p == 1.
fit_histogram <- function(p, y, w, bins, strategy) {
  tab <- bin_table(list(y = y, p = p, w = w), bins, strategy)
  prior <- sum(w * y) / sum(w)
  means <- ifelse(tab$weight > 0, tab$observed, prior)
  list(breaks = c(tab$lower, tab$upper[nrow(tab)]), bin_means = means, bin_weights = tab$weight,
       prior = prior, strategy = strategy)
}

# The bin of each probability, by the rule of the C++ binning kernel.
histogram_bin <- function(p, breaks, strategy) {
  bins <- length(breaks) - 1L
  k <- if (strategy == "uniform") floor(p * bins) else findInterval(p, breaks[-c(1L, bins + 1L)])
  pmin(pmax(k, 0), bins - 1L) + 1L
}

# Temperature scaling: a matrix of logits Z with the 1-based class index
# matrix idx, or binary logits z (the softmax of the row (0, z)) with y 0/1.
# Weighted mean NLL of softmax(Z exp(-s)) and its derivative in s = log T,
# d/ds (logsumexp(U) - u_y) = u_y - E_p[u] since dU/ds = -U.
temperature_nll <- function(s, Z, idx, w, gradient = FALSE) {
  if (!is.matrix(Z)) {
    u <- Z * exp(-s)
    # y - plogis(u) without cancellation, so that the sign survives far out.
    if (gradient) return(sum(w * (idx * stats::plogis(-u) - (1 - idx) * stats::plogis(u)) * u) / sum(w))
    softplus <- pmax(u, 0) + log1p(exp(-abs(u)))
    return(sum(w * (softplus - idx * u)) / sum(w))
  }
  U <- Z * exp(-s)
  m <- row_max(U)
  E <- exp(U - m)
  den <- rowSums(E)
  u_y <- U[idx]
  if (!gradient) return(sum(w * (m + log(den) - u_y)) / sum(w))
  # u_y - E_p[u] as sum_k p_k (u_y - u_k), without cancellation.
  sum(w * rowSums(E * (u_y - U)) / den) / sum(w)
}

fit_temperature <- function(values, y, w, log_t_bounds) {
  used <- w > 0
  if (!all(used)) {
    values <- if (is.matrix(values)) values[used, , drop = FALSE] else values[used]
    y <- y[used]
    w <- w[used]
  }
  Z <- values
  idx <- if (is.matrix(Z)) cbind(seq_along(y), as.integer(y) + 1L) else y
  lo <- log_t_bounds[1]
  hi <- log_t_bounds[2]
  at_bound <- NULL
  if (temperature_nll(lo, Z, idx, w, gradient = TRUE) > 0) {
    s <- lo
    at_bound <- "lower"
  } else if (temperature_nll(hi, Z, idx, w, gradient = TRUE) < 0) {
    s <- hi
    at_bound <- "upper"
  } else {
    s <- stats::optimize(temperature_nll, c(lo, hi), Z = Z, idx = idx, w = w, tol = 1e-10)$minimum
  }
  temp <- exp(s)
  if (!is.null(at_bound)) {
    why <- if (at_bound == "lower") "The held-out predictions may be (nearly) all correct, so the likelihood keeps growing as T goes to 0."
           else "The scores may carry (almost) no information about the outcome, so the likelihood keeps growing with T."
    warn_probml("temperature_bound", c("The fitted temperature is at the {at_bound} bound of {.arg log_t_bounds}: T = {signif(temp, 4)}.",
                                       i = why,
                                       i = "The optimum may lie beyond the bound: widen {.arg log_t_bounds} or use more held-out data."))
  }
  list(temperature = temp, log_temperature = s, at_bound = at_bound,
       nll = c(before = temperature_nll(0, Z, idx, w), after = temperature_nll(s, Z, idx, w)))
}

#' Calibrated probabilities from a calibrator
#'
#' Applies a map fitted by [calibrate()] to new scores, which must be on
#' the scale the calibrator was fitted on (probabilities or logits, as
#' resolved by `calibrate()`'s `scores_are`).
#'
#' @param object A `probml_calibrator` from [calibrate()].
#' @param newdata New scores: a numeric vector, or for multiclass
#'   temperature scaling a matrix with one column per class. Or a data
#'   frame: the result is then the data frame with the estimate columns
#'   replaced by the calibrated probabilities.
#' @param estimate For a data frame `newdata`: the column(s) of scores
#'   (tidy-eval). By default the columns the calibrator was fitted on, when
#'   it was fitted on a data frame; a calibrator fitted on vectors needs
#'   it. For several columns, they are named after the classes.
#' @param x A `probml_calibrator`.
#' @param digits Significant digits to print.
#' @param n_grid Number of grid points at which `plot()` evaluates the map.
#' @param main Plot title.
#' @param ... Not used by `predict()` and `print()` (a misspelled argument
#'   is an error); graphical parameters passed to [graphics::plot()] by
#'   `plot()`.
#' @details `print()` shows the method and its fitted parameters. `plot()`
#'   draws the calibration map, score to calibrated probability, in base
#'   graphics, with a rug of the training scores (a calibrator keeps at most
#'   2000 of them, evenly spaced order statistics, for this rug) and a
#'   dashed reference: the identity over \[0, 1\] for probability scores,
#'   \eqn{\mathrm{plogis}(s)}{plogis(s)} over the range of the training
#'   scores for logits; for temperature scaling the map of a logit,
#'   \eqn{\mathrm{plogis}(z / T)} beside \eqn{\mathrm{plogis}(z)} (for
#'   several classes, of the margin of the top logit over the runner-up). A
#'   one-vs-rest multiclass calibrator draws one map per class. Vector and
#'   matrix scaling and Dirichlet calibration map the whole vector of
#'   scores, so a class's calibrated probability is not a function of its
#'   own score: `plot()` draws, for each class, the calibrated against the
#'   uncalibrated probability of that class (the softmax of logits) on the
#'   training rows (at most 2000, evenly spaced, kept in `train_scores`),
#'   beside the identity (in one panel for up to six classes, a panel per
#'   class for more). `n_grid` is not used for these. The legend goes where
#'   it hides fewest marks.
#' @return `predict()`: calibrated probabilities of the event (the second level of a
#'   factor `y`): a vector, or for a calibrator of a matrix of scores a
#'   matrix with one column per class (named by the levels), whose rows sum
#'   to 1 (unless `normalize = FALSE`); for a data frame `newdata`, the data
#'   frame with the estimate columns replaced. `print()` and `plot()` return `x`
#'   invisibly.
#' @examples
#' set.seed(2)
#' z <- rnorm(300)
#' y <- rbinom(300, 1, plogis(z))
#' cal <- calibrate(y, plogis(2 * z), method = "isotonic")
#' predict(cal, c(0.05, 0.5, 0.95))
#'
#' # Strictly increasing isotonic map: no ties among distinct scores
#' cal2 <- calibrate(y, plogis(2 * z), method = "isotonic", strictly_increasing = TRUE)
#' predict(cal2, c(0.4, 0.45, 0.5))
#' cal2
#' plot(cal)
#'
#' # Applied to a data frame of predictions
#' d <- data.frame(y = y, .pred = plogis(2 * z))
#' head(predict(cal, d, estimate = .pred))
#' @export
predict.probml_calibrator <- function(object, newdata, estimate = NULL, normalize = TRUE, ...) {
  check_dots_empty(...)
  if (missing(newdata)) {
    abort_probml("missing", "{.arg newdata} must be given: the scores to calibrate.")
  }
  check_normalize(object, normalize)
  estimate <- rlang::enquo(estimate)
  if (is.data.frame(newdata)) return(predict_frame(object, newdata, estimate, rlang::current_env(), normalize))
  if (!rlang::quo_is_null(estimate)) {
    abort_probml("unsupported", "{.arg estimate} chooses columns of a data frame {.arg newdata}, not of {.obj_type_friendly {newdata}}.")
  }
  if (isTRUE(object$one_vs_rest)) return(predict_one_vs_rest(object, newdata, normalize))
  sc <- check_scores(newdata, object$method, "newdata", matrix_input = object$matrix_input, n_classes = object$n_classes)
  sc <- resolve_scores(sc, object$scores_are, object$method, object$eps, "newdata", declared = FALSE)
  x <- sc$values
  switch(object$method,
    platt = {
      cf <- object$coefficients
      stats::plogis(cf[["intercept"]] + cf[["slope"]] * x)
    },
    beta = {
      cf <- object$coefficients
      X <- beta_features(x, sc$scores_are)
      lin <- rep(cf[["c"]], length(x))
      if (cf[["a"]] != 0) lin <- lin + cf[["a"]] * X[, 1L]
      if (cf[["b"]] != 0) lin <- lin + cf[["b"]] * X[, 2L]
      stats::plogis(lin)
    },
    isotonic = isotonic_predict(object$isotonic, x, object$isotonic_type, object$out_of_range %||% "clip",
                                training = "scores"),
    histogram = object$bin_means[histogram_bin(x, object$breaks, object$strategy)],
    temperature = {
      if (object$n_classes == 2L && !is.matrix(x)) return(stats::plogis(x / object$temperature))
      P <- row_softmax(x / object$temperature)
      colnames(P) <- object$levels
      P
    },
    vector = , matrix = , dirichlet = predict_scaling(object, x))
}

# A data frame with the estimate columns replaced by calibrated
# probabilities; the columns are those the calibrator was fitted on, or the
# `estimate` selection.
predict_frame <- function(object, newdata, estimate, call, normalize = TRUE) {
  k <- if (isTRUE(object$matrix_input) || isTRUE(object$n_classes > 2L)) object$n_classes else 1L
  if (rlang::quo_is_null(estimate)) {
    cols <- object$estimate
    if (is.null(cols)) {
      abort_probml("missing", c("{.arg estimate} must be given: the calibrator was fitted on vectors, so it does not know which column(s) of {.arg newdata} hold the scores.",
                                i = "The columns of {.arg newdata} are {.val {names(newdata)}}."), call = call)
    }
    absent <- setdiff(cols, names(newdata))
    if (length(absent)) {
      abort_probml("missing", c("{.arg newdata} lacks the column{?s} {.val {absent}} the calibrator was fitted on.",
                                i = "The columns of {.arg newdata} are {.val {names(newdata)}}.",
                                i = "Give {.arg estimate} to choose other columns."), call = call)
    }
  } else {
    cols <- names(select_columns(newdata, estimate, "estimate", call, data_arg = "newdata"))
    if (length(cols) != k) {
      abort_probml("length", "{.arg estimate} must select {k} column{?s}, like the scores the calibrator was fitted on, not {length(cols)}.",
                   call = call)
    }
    if (k > 1L) {
      if (!setequal(cols, object$levels)) {
        abort_probml("response", c("The columns {.arg estimate} selects must be named after the classes of the calibrator, in any order.",
                                   x = "{.arg estimate} selects {.val {cols}}; the classes are {.val {object$levels}}."), call = call)
      }
      cols <- cols[match(object$levels, cols)]
    }
  }
  if (k == 1L) {
    newdata[[cols]] <- stats::predict(object, newdata[[cols]])
    return(newdata)
  }
  P <- stats::predict(object, as.matrix(newdata[cols]), normalize = normalize)
  for (j in seq_along(cols)) newdata[[cols[j]]] <- P[, j]
  newdata
}

#' Calibrators fitted per group
#'
#' [calibrate()] on grouped data (`.by`, or a dplyr grouped data frame)
#' fits one calibrator per group and returns them as a
#' `probml_calibrator_set`. `predict()` applies to each row of a data frame
#' the calibrator of its group, replacing the estimate columns by the
#' calibrated probabilities.
#'
#' @param object,x A `probml_calibrator_set` from [calibrate()].
#' @param newdata A data frame with the group columns and the estimate
#'   columns the calibrators were fitted on. A row whose group was not seen
#'   at fitting is an error.
#' @param ... Not used: a misspelled argument is an error.
#' @return `predict()`: `newdata` with the estimate columns replaced.
#'   `print()`: `x`, invisibly.
#' @examples
#' set.seed(5)
#' d <- data.frame(site = rep(c("A", "B"), each = 300), z = rnorm(600))
#' d$y <- rbinom(600, 1, plogis(d$z))
#' d$.pred <- plogis(ifelse(d$site == "A", 3, 0.5) * d$z)
#' cals <- calibrate(d, y, .pred, method = "platt", .by = site)
#' cals
#' head(predict(cals, d))
#' @export
predict.probml_calibrator_set <- function(object, newdata, ...) {
  check_dots_empty(...)
  if (missing(newdata) || !is.data.frame(newdata)) {
    abort_probml("type", "{.arg newdata} must be a data frame with the group columns {.field {names(object$key)}} and the scores.")
  }
  by <- names(object$key)
  absent <- setdiff(by, names(newdata))
  if (length(absent)) {
    abort_probml("missing", c("{.arg newdata} lacks the group column{?s} {.val {absent}}.",
                              i = "The columns of {.arg newdata} are {.val {names(newdata)}}."))
  }
  # Ids over the fitted groups followed by the new rows: a new row's id
  # beyond the fitted groups is a group not seen at fitting.
  g <- nrow(object$key)
  plain <- function(v) if (is.factor(v)) as.character(v) else v
  id <- group_ids(lapply(by, function(col) c(plain(object$key[[col]]), plain(newdata[[col]]))))[-seq_len(g)]
  unseen <- which(id > g)
  if (length(unseen)) {
    row <- unseen[1]
    what <- paste(by, vapply(by, function(col) format(newdata[[col]][row]), ""), sep = " = ", collapse = ", ")
    abort_probml("newdata", c("Row {row} of {.arg newdata} is in a group the calibrators were not fitted on: {what}.",
                              i = "{length(unseen)} row{?s} of {.arg newdata} {?is/are} in unseen groups."))
  }
  out <- newdata
  for (j in unique(id)) {
    rows <- which(id == j)
    part <- predict_frame(object$calibrators[[j]], newdata[rows, object$estimate, drop = FALSE], rlang::quo(NULL),
                          rlang::current_env())
    for (col in object$estimate) out[[col]][rows] <- part[[col]]
  }
  out
}

#' @rdname predict.probml_calibrator_set
#' @export
print.probml_calibrator_set <- function(x, ...) {
  check_dots_empty(...)
  first <- x$calibrators[[1L]]
  cat("probml calibrator set: ", first$method, ", one calibrator per group of ",
      paste(names(x$key), collapse = ", "), " (", length(x$calibrators), " groups)\n", sep = "")
  cat("Truth ", x$truth, ", estimate ", paste(x$estimate, collapse = ", "), "\n", sep = "")
  tab <- x$key
  tab$n <- x$n
  print(tab, row.names = FALSE)
  invisible(x)
}

#' @rdname predict.probml_calibrator
#' @export
print.probml_calibrator <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  label <- calibration_method_labels[[x$method]]
  source <- calibration_method_sources[x$method]
  if (!is.na(source)) label <- paste0(label, " (", source, ")")
  if (isTRUE(x$one_vs_rest)) return(print_one_vs_rest(x, label, digits))
  cat("probml calibrator: ", label, "\n", sep = "")
  classes <- if (x$n_classes > 2L) paste0(x$n_classes, " classes") else "binary"
  cat("Fitted on ", x$n, " scores (", x$scores_are, ", ", classes, ")\n", sep = "")
  fmt <- function(v) format(signif(v, digits))
  switch(x$method,
    platt = {
      cat("P(y = 1) = plogis(intercept + slope * logit(score))",
          if (identical(x$targets, "smoothed")) ", fitted to Platt's smoothed targets", "\n", sep = "")
      print.default(fmt(x$coefficients), quote = FALSE, print.gap = 2L)
    },
    beta = {
      cat("logit P(y = 1) = c + a * log(score) - b * log(1 - score)\n")
      print.default(fmt(x$coefficients), quote = FALSE, print.gap = 2L)
      dropped <- names(x$coefficients)[1:2][x$coefficients[1:2] == 0]
      if (length(dropped)) cat("Term(s) dropped to keep the map monotone: ", paste(dropped, collapse = ", "), "\n", sep = "")
    },
    temperature = {
      cat("Temperature T = ", fmt(x$temperature), if (!is.null(x$at_bound)) paste0(" (at the ", x$at_bound, " bound)") else "",
          "\n", sep = "")
      cat("Mean NLL on the calibration data: ", fmt(x$nll[["before"]]), " before, ", fmt(x$nll[["after"]]), " after\n", sep = "")
    },
    isotonic = {
      iso <- x$isotonic
      decreasing <- identical(x$increasing, FALSE)
      mode <- if (x$isotonic_type == "strict") paste("strictly", if (decreasing) "decreasing" else "increasing", "between block centres") else x$isotonic_type
      cat(length(iso$x), " distinct scores in ", length(iso$block_x), " blocks; prediction: ", mode, "\n", sep = "")
      if (decreasing || isTRUE(x$increasing_auto)) {
        cat("Map: ", if (decreasing) "non-increasing" else "non-decreasing",
            if (isTRUE(x$increasing_auto)) spearman_note(x$spearman, digits), "\n", sep = "")
      }
      if (!is.null(x$bounds) && any(x$bounds != c(0, 1))) cat("Bounds: [", fmt(x$bounds[[1]]), ", ", fmt(x$bounds[[2]]), "]\n", sep = "")
      if (!is.null(x$out_of_range) && x$out_of_range != "clip") {
        cat("Scores outside the training range: ", if (x$out_of_range == "na") "NA" else "an error", "\n", sep = "")
      }
      cat("Fitted range: [", fmt(min(iso$y)), ", ", fmt(max(iso$y)), "] over scores [",
          fmt(x$score_range[1]), ", ", fmt(x$score_range[2]), "]\n", sep = "")
    },
    histogram = {
      cat(length(x$bin_means), " ", x$strategy, " bins\n", sep = "")
      b <- x$breaks
      tab <- data.frame(from = fmt(b[-length(b)]), to = fmt(b[-1L]), weight = fmt(x$bin_weights), mean = fmt(x$bin_means))
      print(tab, row.names = FALSE)
    },
    vector = , matrix = , dirichlet = print_scaling(x, fmt))
  invisible(x)
}

#' @rdname predict.probml_calibrator
#' @export
plot.probml_calibrator <- function(x, n_grid = 501L, main = NULL, ...) {
  check_number(n_grid, "n_grid", lower = 2, upper = 1e6, integer = TRUE)
  if (x$method %in% scaling_methods) return(plot_scaling_map(x, main, ...))
  maps <- calibrator_maps(x)
  curves <- lapply(maps, calibrator_curve, n_grid = n_grid)
  first <- curves[[1L]]
  k <- length(curves)
  cols <- probml_palette(k)
  if (is.null(main)) {
    main <- paste0("Calibration map: ", calibration_method_labels[[x$method]], if (k > 1L) " (one vs rest)")
  }
  xlim <- range(unlist(lapply(curves, `[[`, "grid")))
  graphics::plot(xlim, c(0, 1), type = "n", xlab = first$xlab, ylab = first$ylab %||% "Calibrated probability", main = main, ...)
  if (!is.null(first$ref)) graphics::lines(first$grid, first$ref, lty = probml_look$reference_lty, col = probml_look$reference)
  for (i in seq_len(k)) {
    cv <- curves[[i]]
    graphics::lines(cv$grid, cv$p, col = cols[i], lwd = 2)
    if (length(cv$rug)) graphics::rug(cv$rug, col = grDevices::adjustcolor(cols[i], 0.5), ticksize = 0.025)
  }
  shown <- any(lengths(lapply(curves, `[[`, "rug")) > 0L)
  thinned <- any(vapply(curves, function(cv) length(cv$rug) < (attr(cv$rug, "n") %||% 0L), TRUE))
  has_ref <- !is.null(first$ref)
  # The legend avoids the maps, the reference curve and the rug.
  usr <- graphics::par("usr")
  marks <- lapply(curves, function(cv) {
    list(x = c(cv$grid, cv$grid, cv$rug), y = c(cv$p, cv$ref %||% cv$p, rep(usr[3] + 0.01 * diff(usr[3:4]), length(cv$rug))))
  })
  base_legend_free(unlist(lapply(marks, `[[`, "x")), unlist(lapply(marks, `[[`, "y")),
              legend = c(if (k > 1L) paste("class", names(maps)) else "calibration map",
                         if (has_ref) first$ref_label,
                         if (shown) paste0("rug: training scores", if (thinned) " (thinned to 2000)")),
              col = c(cols, if (has_ref) probml_look$reference, if (shown) "grey50"),
              lty = c(rep(1L, k), if (has_ref) probml_look$reference_lty, if (shown) NA),
              lwd = c(rep(2, k), if (has_ref) 1, if (shown) NA),
              pch = c(rep(NA, k), if (has_ref) NA, if (shown) "|"))
  invisible(x)
}

# The binary maps plot() draws: the calibrator itself or, for a one-vs-rest
# multiclass calibrator, the calibrator of each class.
calibrator_maps <- function(x) {
  if (is.list(x$classes) && length(x$classes) && all(vapply(x$classes, inherits, TRUE, "probml_calibrator"))) {
    maps <- x$classes
    if (is.null(names(maps))) names(maps) <- x$levels %||% seq_along(maps)
    return(maps)
  }
  list(x)
}

# Vector and matrix scaling and Dirichlet calibration map a whole vector of
# scores, so each class's calibrated probability is not a function of its
# uncalibrated one: a cloud per class over the training rows kept at fit.
plot_scaling_map <- function(x, main, ...) {
  rows <- x$train_scores
  p <- if (x$scores_are == "probability") rows else row_softmax(rows)
  q <- stats::predict(x, rows)
  K <- ncol(q)
  labels <- class_names_or_numbers(x$levels, K)
  if (is.null(main)) main <- paste("Calibration map:", calibration_method_labels[[x$method]])
  n <- attr(rows, "n") %||% nrow(rows)
  title <- paste0("Training rows", if (nrow(rows) < n) paste0(" (", nrow(rows), " of ", n, ")"))
  diag_pts <- seq(0, 1, length.out = 200)
  xlab <- "Uncalibrated probability of the class"
  ylab <- "Calibrated probability of the class"
  # Up to six classes share one panel (the palette's distinct colours);
  # more get a panel each, as their clouds would be unreadable together.
  panels <- K > length(probml_okabe_ito)
  cols <- if (panels) rep(probml_palette(1L), K) else probml_palette(K)
  # Short labels in small panels, whose titles name the class.
  if (panels) {
    xlab <- "Uncalibrated probability"
    ylab <- "Calibrated probability"
  }
  if (panels) {
    old <- graphics::par(mfrow = grDevices::n2mfrow(K, asp = 1.6), oma = c(0, 0, 2, 0), mar = c(4.1, 4.1, 2, 1))
    on.exit(graphics::par(old))
  }
  for (k in if (panels) seq_len(K) else 1L) {
    graphics::plot(c(0, 1), c(0, 1), type = "n", xlab = xlab, ylab = ylab,
                   main = if (panels) paste("Class", labels[k]) else main, ...)
    graphics::abline(0, 1, lty = probml_look$reference_lty, col = probml_look$reference)
    for (j in if (panels) k else seq_len(K)) {
      graphics::points(p[, j], q[, j], pch = 16, cex = 0.5, col = grDevices::adjustcolor(cols[j], 0.4))
    }
    if (k == 1L) {
      shown <- if (panels) 1L else seq_len(K)
      base_legend_free(c(p[, shown], diag_pts), c(q[, shown], diag_pts),
                       legend = c(if (panels) "training row" else paste("class", labels), "identity (no change)"),
                       col = c(cols[shown], probml_look$reference), pch = c(rep(16, length(shown)), NA),
                       lty = c(rep(NA, length(shown)), probml_look$reference_lty), title = title, title.adj = 0)
    }
  }
  if (panels) graphics::mtext(main, side = 3, outer = TRUE, line = 0.5, font = 2, cex = 1.2)
  invisible(x)
}

# One map on a grid of scores, its reference curve (the identity for
# probability scores, T = 1 for temperature scaling, plogis for logits) and
# the rug of its training scores.
calibrator_curve <- function(cal, n_grid) {
  rug <- cal$train_scores
  prob <- cal$scores_are == "probability"
  if (cal$method == "temperature") {
    multi <- cal$n_classes > 2L || isTRUE(cal$matrix_input)
    span <- max(5, 2 * cal$temperature, abs(rug))
    grid <- seq(if (multi) 0 else -span, span, length.out = n_grid)
    return(list(grid = grid, p = stats::plogis(grid / cal$temperature), ref = stats::plogis(grid),
                ref_label = "uncalibrated (T = 1)", rug = rug,
                ylab = if (multi) "Calibrated probability: top class vs runner-up",
                xlab = if (multi) "Logit margin (top class minus runner-up)" else "Logit"))
  }
  lims <- if (prob) c(0, 1) else cal$score_range
  grid <- seq(lims[1], lims[2], length.out = n_grid)
  # Platt and beta maps are not defined at probabilities of exactly 0 and 1.
  at <- if (prob && cal$method %in% c("platt", "beta")) pmin(pmax(grid, 1e-6), 1 - 1e-6) else grid
  shown <- cal
  if (identical(cal$out_of_range, "error")) shown$out_of_range <- "na"  # gaps beyond the training scores
  p <- stats::predict(shown, at)
  plain <- cal$method == "isotonic" && !prob
  list(grid = grid, p = p, rug = rug,
       ref = if (prob) grid else if (!plain) stats::plogis(grid),
       ref_label = if (prob) "identity (no change)" else if (!plain) "uncalibrated: plogis(score)",
       xlab = if (prob) "Score (probability)" else if (plain) "Score" else "Score (logit)")
}
