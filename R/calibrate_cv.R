# Cross-fitted calibration of any model: the model is refitted on K - 1
# folds and its predictions on the held-out fold train the calibrator, so
# that no calibrator ever sees predictions of a model fitted on the same
# rows. The folds are independent jobs run through future.apply.

#' Cross-fitted calibration of any model
#'
#' `calibrate_cv()` calibrates a probabilistic classifier without a separate
#' calibration set. The data are split into `folds` stratified folds; the
#' model is refitted on each set of K - 1 folds, predicts the held-out fold,
#' and those out-of-fold predictions train a [calibrate()] calibrator. The
#' result predicts calibrated probabilities for new data.
#'
#' The model is given in one of two ways:
#' * `model`: a probml formula fit of a discrete family (from [fit_mle()],
#'   for example with [lik_bernoulli()] or [lik_categorical()]). Its call is
#'   re-evaluated on each training set with `data` replaced, as
#'   `update(model, data = train)` would do; the formula, family and
#'   control of the fit are taken from the fit itself. Variables named in
#'   the call's `weights`, `subset` or `offset` must be columns of `data`,
#'   so that they are split with it. The response is the left-hand side of
#'   the formula. Predictions are `predict(fit, newdata, type = "prob")`.
#' * `fit` and `predict_fn`: any model. `fit(train)` fits it to a data
#'   frame of training rows and returns anything; `predict_fn(model,
#'   newdata)` returns the probability of the event for each row of
#'   `newdata` (binary outcomes) or a matrix with one column per class
#'   whose rows sum to 1 (multiclass outcomes). The outcome is the
#'   column `truth` of `data`.
#'
#' Binary outcomes are 0/1, logical or a two-level factor whose second level
#' is the event. Multiclass outcomes are factors whose levels match the
#' columns of the predicted matrix; `method = "temperature"`, `"vector"`,
#' `"matrix"` and `"dirichlet"` then map the whole matrix (a fold lacking a
#' class they need gets the identity), and the other methods calibrate each
#' column one class against the rest and renormalise the rows to sum to 1
#' (as scikit-learn does).
#'
#' @section Ensemble or single calibrator:
#' With `ensemble = TRUE` (the default) the result holds K pairs of a model
#' fitted on K - 1 folds and a calibrator fitted on that model's
#' predictions for the remaining fold; a prediction is the average of the K
#' calibrated predictions. With `ensemble = FALSE` the out-of-fold
#' predictions of the K models are pooled into one calibrator, which is
#' applied on top of one model refitted on all the data (K + 1 fits).
#'
#' @section Folds and randomness:
#' Folds are stratified by class: the rows of each class are shuffled and
#' dealt to the folds in turn, so every fold has nearly the same class
#' mix. All randomness derives from `seed`. When `seed = NULL`, one number
#' is drawn from R's random number generator, so [set.seed()] before the
#' call makes the result reproducible; nothing else touches the caller's
#' random number stream. From the seed come the fold assignment and one
#' L'Ecuyer-CMRG stream per fit, in which `fit()` runs; results are the same
#' whether the fits run sequentially or in parallel.
#'
#' The fits are independent jobs. Under a `future::plan()` set by the user
#' (multisession, cluster, a scheduler) they run through
#' `future.apply::future_lapply()` and spread out; under the default
#' sequential plan they run one after another in this session, with a
#' progress bar in interactive sessions (`options(probml.progress = FALSE)`
#' turns it off). The results are the same either way.
#'
#' @section A fold that lacks a class:
#' With a rare class and several folds, a held-out fold may contain no
#' example of a class (every class needs at least two examples, so that
#' every training set contains it). That fold's calibrator cannot be
#' fitted; it falls back to the identity map (the model's predictions are
#' used uncalibrated in that fold's member of the ensemble; for a
#' one-versus-rest multiclass calibrator, only the columns concerned), and a
#' warning of class `probml_warning_fold_class` says which folds. Folds are
#' not re-drawn. With `ensemble = FALSE` the pooled predictions contain
#' every class, so this cannot happen.
#'
#' @section Arguments in order:
#' `calibrate_cv()` and [calibrate()] take their arguments in the same
#' order: the data (`data`), the truth (`truth`), the estimate (here the
#' model, `model`), then `method`, then `weights`, then the rest (`...`
#' passed to [calibrate()], then `fit`, `predict_fn`, `folds`, `ensemble`
#' and `seed`), which must be named.
#'
#' @param data A data frame holding the outcome and the predictors. For a
#'   `model`, it may be omitted to use the data the model was fitted on.
#' @param truth With `fit`: the outcome column of `data` (tidy-eval: a bare
#'   name or a string). Not used with `model`, whose outcome is the
#'   response of its formula.
#' @param ... Further arguments to [calibrate()], such as `eps`, `bins` or
#'   `strictly_increasing`; they must be named.
#' @param model A probml fit from [fit_mle()] with a formula, of a discrete
#'   family.
#' @param fit A function of one argument, a data frame of training rows,
#'   that fits the model and returns it. Give `predict_fn` with it.
#' @param predict_fn A function `(model, newdata)` returning predicted
#'   probabilities: a vector of event probabilities, or a matrix with one
#'   column per class.
#' @param method The calibration method, one of `"isotonic"` (the
#'   default), `"platt"`, `"temperature"`, `"beta"`, `"histogram"`, or for
#'   multiclass outcomes `"vector"`, `"matrix"` or `"dirichlet"`; see
#'   [calibrate()].
#' @param folds The number of folds K, a whole number from 2 to the number
#'   of rows; or a vector with one fold label per row, for folds chosen by
#'   the user (grouped data, for example), which are then used as given.
#' @param ensemble Average K calibrated models (`TRUE`) or calibrate the
#'   pooled out-of-fold predictions once (`FALSE`); see the section below.
#' @param seed `NULL` (draw one from R's generator) or a whole number.
#' @param weights Optional non-negative weights of the rows in the
#'   calibrators' fits: a numeric vector or the name of a column of `data`.
#'   They do not enter the model fits; give a probml fit its own `weights`.
#' @return An object of class `probml_calibrated_model`: a list with
#'   `members` (for `ensemble = TRUE`, K lists of `model` and `calibrator`),
#'   `model` and `calibrator` (for `ensemble = FALSE`), `folds` (the fold of
#'   each row), `oof` (the uncalibrated out-of-fold predictions), `y`,
#'   `levels`, `method`, `ensemble`, `seed` and `fallback_folds` (folds
#'   whose calibrator fell back to the identity). Use [predict()] and
#'   [print()] on it.
#' @seealso [calibrate()], [predict.probml_calibrated_model()]
#' @examples
#' set.seed(1)
#' n <- 600
#' d <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
#' d$y <- rbinom(n, 1, plogis(1.5 * d$x1 - d$x2))
#'
#' # A probml fit with the wrong link, calibrated by cross-fitting
#' fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_bernoulli("cloglog"))
#' cm <- calibrate_cv(d, model = fit, folds = 3)
#' cm
#' head(predict(cm, d))
#'
#' # Any model, as a fit function and a predict function
#' squashed <- calibrate_cv(
#'   d, truth = y, method = "platt", folds = 3, seed = 42,
#'   fit = function(train) glm(y ~ x1 + x2, family = binomial, data = train),
#'   predict_fn = function(m, newdata) {
#'     0.25 + 0.5 * predict(m, newdata, type = "response")  # underconfident
#'   }
#' )
#' predict(squashed, d[1:5, ])
#' @export
calibrate_cv <- function(data, truth = NULL, model = NULL, method = "isotonic", weights = NULL, ...,
                         fit = NULL, predict_fn = NULL, folds = 5L, ensemble = TRUE, seed = NULL) {
  truth <- rlang::enquo(truth)
  cal_args <- check_calibrate_dots(list(...))
  method <- check_choice(method, calibration_methods, "method")
  check_flag(ensemble, "ensemble")
  check_number(seed, "seed", lower = 0, upper = .Machine$integer.max, integer = TRUE, allow_null = TRUE)

  spec <- model_spec(model, fit, predict_fn)
  if (missing(data)) {
    if (spec$kind != "probml") abort_probml("missing", "{.arg data} must be given: a data frame with the outcome and the predictors.")
    data <- model_data(model)
  }
  if (!is.data.frame(data)) {
    abort_probml("type", "{.arg data} must be a data frame, not {.obj_type_friendly {data}}.")
  }
  n <- nrow(data)
  if (n < 2L) abort_probml("length", "{.arg data} has {n} row{?s}; cross-fitting needs at least two.")
  outcome <- if (spec$kind == "probml") {
    if (!rlang::quo_is_null(truth)) abort_probml("unsupported", "{.arg truth} is not used with {.arg model}: the outcome is the response of its formula.")
    model_outcome(model, data)
  } else {
    user_outcome(truth, data)
  }
  check_class_counts(outcome)
  w <- if (is.character(weights) && length(weights) == 1L) {
    if (!weights %in% names(data)) abort_probml("choice", "{.arg weights} names a column {.val {weights}} that {.arg data} does not have.")
    check_weights(data[[weights]], n)
  } else {
    check_weights(weights, n)
  }
  fold_spec <- check_folds(folds, n)

  if (is.null(seed)) seed <- sample.int(.Machine$integer.max, 1L)
  seed <- as.integer(seed)
  rng <- with_preserved_rng({
    set.seed(seed)
    fold_id <- if (is.null(fold_spec$ids)) stratified_folds(outcome$code, fold_spec$k) else fold_spec$ids
    list(fold_id = fold_id, job_seeds = sample.int(.Machine$integer.max, fold_spec$k + 1L))
  })
  fold_id <- rng$fold_id
  k <- max(fold_id)

  # Jobs: one per fold, plus the refit on all rows for ensemble = FALSE.
  jobs <- lapply(seq_len(k), function(j) list(fold = j, train = which(fold_id != j), test = which(fold_id == j)))
  if (!ensemble) jobs[[k + 1L]] <- list(fold = 0L, train = seq_len(n), test = integer(0))
  seeds <- lapply(rng$job_seeds[seq_along(jobs)], lecuyer_seed)
  results <- run_jobs(jobs, seeds, cross_fit_job, data = data, fit_fun = spec$fit, predict_fun = spec$predict,
                      n_classes = outcome$n_classes, levels = outcome$levels)

  oof <- if (outcome$n_classes > 2L) matrix(NA_real_, n, outcome$n_classes, dimnames = list(NULL, outcome$levels))
         else rep(NA_real_, n)
  for (j in seq_len(k)) {
    if (is.matrix(oof)) oof[jobs[[j]]$test, ] <- results[[j]]$pred else oof[jobs[[j]]$test] <- results[[j]]$pred
  }

  out <- list(method = method, ensemble = ensemble, k = k, seed = seed, folds = fold_id, oof = oof,
              y = outcome$y, levels = outcome$levels, n_classes = outcome$n_classes, n = n,
              kind = spec$kind, predict_fn = spec$predict, cal_args = cal_args,
              model_label = spec$label, fallback_folds = integer(0))
  if (ensemble) {
    fallback <- integer(0)
    out$members <- lapply(seq_len(k), function(j) {
      test <- jobs[[j]]$test
      pred <- if (is.matrix(oof)) oof[test, , drop = FALSE] else oof[test]
      cal <- fit_fold_calibrator(outcome$code[test], pred, w[test], method, cal_args, outcome$n_classes)
      if (length(cal$identity)) fallback <<- c(fallback, j)
      list(model = results[[j]]$model, calibrator = cal)
    })
    out$fallback_folds <- fallback
    if (length(fallback)) {
      folds_txt <- as.character(fallback)
      warn_probml("fold_class", c("Held-out fold{?s} {folds_txt} lack{?s/} a class among the rows with positive weight; {?its/their} calibrator{?s} fell back to the identity map.",
                                  i = "Use fewer {.arg folds}, or {.code ensemble = FALSE} to calibrate the pooled out-of-fold predictions."))
    }
  } else {
    out$model <- results[[k + 1L]]$model
    out$calibrator <- fit_fold_calibrator(outcome$code, oof, w, method, cal_args, outcome$n_classes)
  }
  out$call <- match.call()
  structure(out, class = "probml_calibrated_model")
}

# Arguments passed on to calibrate(): named, and not ones calibrate_cv sets.
check_calibrate_dots <- function(dots, call = rlang::caller_env()) {
  if (!length(dots)) return(dots)
  nm <- names(dots)
  if (is.null(nm) || any(nm == "")) {
    abort_probml("unused_argument", c("Arguments in {.arg ...} must be named; they are passed to {.fn calibrate}.",
                               i = "Give the model as {.code model = } or as {.code fit = } and {.code predict_fn = }."),
                 call = call)
  }
  allowed <- setdiff(names(formals(calibrate.default)), c("y", "scores", "method", "weights", "..."))
  bad <- setdiff(nm, allowed)
  if (length(bad)) {
    abort_probml("unused_argument", c("{.arg {bad}} {?is/are} not {?an argument/arguments} of {.fn calibrate}.",
                               i = "Arguments in {.arg ...} are passed to {.fn calibrate}: {.arg {allowed}}."),
                 call = call)
  }
  dots
}

# How to fit and predict: from a probml fit, or from the user's functions.
model_spec <- function(model, fit, predict_fn, call = rlang::caller_env()) {
  if (!is.null(model)) {
    if (!is.null(fit) || !is.null(predict_fn)) {
      abort_probml("model", "Give either {.arg model} or {.arg fit} with {.arg predict_fn}, not both.", call = call)
    }
    if (!inherits(model, "probml_fit")) {
      abort_probml("model", c("{.arg model} must be a probml fit from {.fn fit_mle}, not {.obj_type_friendly {model}}.",
                              i = "For any other model, give {.arg fit} and {.arg predict_fn}."), call = call)
    }
    if (is.null(model$formula) || is.null(model$call)) {
      abort_probml("model", c("{.arg model} must be a formula fit: a fit from {.fn fit_mle_xy} cannot be refitted on folds of a data frame.",
                              i = "Fit it with {.fn fit_mle} and a formula, or give {.arg fit} and {.arg predict_fn}."), call = call)
    }
    info <- fit_family_info(model)
    if (!info$response %in% c("binary", "classes", "ordered")) {
      abort_probml("model", "{.arg model} must have a discrete response (Bernoulli, categorical or ordinal family) to be calibrated, not {info$label}.",
                   call = call)
    }
    return(list(kind = "probml", fit = refit_function(model), predict = predict_probml_prob,
                label = paste0("probml fit: ", deparse1(model$formula), ", ", info$label)))
  }
  if (is.null(fit)) {
    abort_probml("model", "Give the model: {.arg model} (a probml fit) or {.arg fit} and {.arg predict_fn} (functions).", call = call)
  }
  if (!is.function(fit)) abort_probml("model", "{.arg fit} must be a function of the training data, not {.obj_type_friendly {fit}}.", call = call)
  if (is.null(predict_fn)) {
    abort_probml("model", "{.arg fit} needs {.arg predict_fn}: a function {.code (model, newdata)} returning predicted probabilities.", call = call)
  }
  if (!is.function(predict_fn)) {
    abort_probml("model", "{.arg predict_fn} must be a function {.code (model, newdata)}, not {.obj_type_friendly {predict_fn}}.", call = call)
  }
  list(kind = "user", fit = fit, predict = predict_fn, label = "user model (fit and predict_fn)")
}

predict_probml_prob <- function(model, newdata) stats::predict(model, newdata, type = "prob")

# A function refitting a probml fit on new data: its call with `data`
# replaced, and with the formula, family and control taken from the fit, so
# that it needs nothing from the environment it was first called in.
refit_function <- function(model) {
  cl <- model$call
  fun <- cl[[1L]]
  if (is.name(fun) && exists(as.character(fun), envir = asNamespace("probml"), inherits = FALSE)) {
    cl[[1L]] <- call("::", as.name("probml"), fun)
  }
  cl$formula <- model$formula
  cl$family <- model$family
  cl$control <- model$control
  cl$n_threads <- model$n_threads
  if (!is.null(cl$na.action)) cl$na.action <- eval(cl$na.action, environment(model$formula))
  cl$data <- quote(.probml_fold_data)
  env <- environment(model$formula)
  function(train) {
    eval_env <- new.env(parent = if (is.null(env)) baseenv() else env)
    assign(".probml_fold_data", train, envir = eval_env)
    eval(cl, eval_env)
  }
}

model_data <- function(model, call = rlang::caller_env()) {
  expr <- model$call$data
  if (is.null(expr)) abort_probml("missing", "{.arg data} must be given: {.arg model} was fitted without a {.arg data} argument.", call = call)
  tryCatch(eval(expr, environment(model$formula)), error = function(e) {
    abort_probml("missing", c("{.arg data} must be given: the data {.arg model} was fitted on ({.code {deparse1(expr)}}) cannot be found.",
                           x = conditionMessage(e)), call = call)
  })
}

# The outcome of a probml fit: the left-hand side of its formula in data,
# coded as the fit codes it.
model_outcome <- function(model, data, call = rlang::caller_env()) {
  f <- model$formula
  yv <- tryCatch(eval(f[[2L]], data, environment(f)), error = function(e) {
    abort_probml("data", c("The response {.code {deparse1(f[[2L]])}} of {.arg model} cannot be evaluated in {.arg data}.",
                           x = conditionMessage(e)), call = call)
  })
  kind <- fit_family_info(model)$response
  cv_outcome(code_outcome(yv, kind, "the response of `model`", levels = model$levels, n = nrow(data), call = call))
}

user_outcome <- function(truth, data, call = rlang::caller_env()) {
  if (rlang::quo_is_null(truth)) {
    abort_probml("missing", c("{.arg truth} must be given with {.arg fit}: the outcome column of {.arg data}.",
                              i = "The columns of {.arg data} are {.val {names(data)}}."), call = call)
  }
  col <- select_one(data, truth, "truth", call, data_arg = "data")
  y <- data[[col]]
  kind <- if (is.factor(y) && nlevels(y) > 2L) "classes" else "binary"
  cv_outcome(code_outcome(y, kind, "truth", n = nrow(data), call = call))
}

# The coded outcome as the calibrators take it: 0/1 for two classes, a
# factor for more; `code` is the 0-based class index.
cv_outcome <- function(coded) {
  code <- as.integer(coded$y)
  if (coded$n_classes == 2L) return(list(y = coded$y, code = code, levels = coded$levels, n_classes = 2L))
  list(y = factor(coded$levels[code + 1L], levels = coded$levels), code = code, levels = coded$levels,
       n_classes = coded$n_classes)
}

check_class_counts <- function(outcome, call = rlang::caller_env()) {
  counts <- tabulate(outcome$code + 1L, outcome$n_classes)
  labels <- outcome$levels %||% c("0", "1")
  if (sum(counts > 0) < 2L) abort_probml("response", "The outcome has a single class; calibration needs at least two.", call = call)
  rare <- which(counts < 2L)
  if (length(rare)) {
    abort_probml("response", c("Class{?es} {.val {labels[rare]}} ha{?s/ve} fewer than two rows.",
                              i = "Every class needs at least two rows, so that every training set contains it."), call = call)
  }
  invisible(counts)
}

# One fold: fit on the training rows, predict the held-out rows.
cross_fit_job <- function(job, data, fit_fun, predict_fun, n_classes, levels) {
  where <- if (job$fold == 0L) "all rows" else paste("the training rows of fold", job$fold)
  model <- tryCatch(fit_fun(data[job$train, , drop = FALSE]), error = function(e) {
    abort_probml("user_function", "Fitting the model on {where} failed.", parent = e, call = NULL)
  })
  pred <- NULL
  if (length(job$test)) {
    pred <- predict_checked(predict_fun, model, data[job$test, , drop = FALSE], n_classes, levels,
                            paste("the held-out rows of fold", job$fold))
  }
  list(model = model, pred = pred)
}

# Call predict_fn and check what it returned.
predict_checked <- function(predict_fun, model, newdata, n_classes, levels, where, call = NULL) {
  p <- tryCatch(predict_fun(model, newdata), error = function(e) {
    abort_probml("user_function", "Predicting {where} failed.", parent = e, call = call)
  })
  m <- nrow(newdata)
  if (is.data.frame(p)) p <- as.matrix(p)
  if (!is.numeric(p)) abort_probml("user_function", "The predictions for {where} must be numeric, not {.obj_type_friendly {p}}.", call = call)
  if (n_classes == 2L && is.matrix(p) && ncol(p) == 2L) p <- p[, 2L]
  if (n_classes == 2L) {
    if (is.matrix(p) && ncol(p) != 1L || length(p) != m) {
      abort_probml("user_function", "The predictions for {where} must be one probability of the event per row ({m}), not {.obj_type_friendly {p}} of length {length(p)}.",
                   call = call)
    }
    p <- as.numeric(p)
  } else {
    if (!is.matrix(p) || nrow(p) != m || ncol(p) != n_classes) {
      abort_probml("user_function", "The predictions for {where} must be a matrix with {m} row{?s} and {n_classes} columns, one per class.", call = call)
    }
    if (!is.null(colnames(p)) && !identical(colnames(p), levels)) {
      abort_probml("user_function", "The columns of the predictions ({.val {colnames(p)}}) must be the classes {.val {levels}}, in that order.", call = call)
    }
    storage.mode(p) <- "double"
    colnames(p) <- levels
  }
  if (anyNA(p)) abort_probml("user_function", "The predictions for {where} contain missing values; remove incomplete rows from the data.", call = call)
  if (any(p < 0 | p > 1)) abort_probml("user_function", "The predictions for {where} must be probabilities in [0, 1].", call = call)
  if (is.matrix(p) && any(abs(rowSums(p) - 1) > 1e-6)) {
    abort_probml("user_function", "Each row of the predictions for {where} must sum to 1.", call = call)
  }
  p
}

# A calibrator for held-out predictions, or the identity where a class is
# missing. Multiclass: temperature scales the matrix; the other methods
# calibrate each column one class against the rest.
fit_fold_calibrator <- function(code, p, w, method, cal_args, n_classes) {
  fit_one <- function(yy, scores) {
    present <- unique(yy[w > 0])
    if (length(present) < 2L) return(NULL)
    args <- c(list(y = yy, scores = scores, method = method, weights = w), cal_args)
    if (is.null(args$scores_are)) args$scores_are <- "probability"
    do.call(calibrate, args)
  }
  if (n_classes == 2L) {
    cal <- fit_one(as.numeric(code), p)
    return(list(type = "binary", calibrator = cal, identity = if (is.null(cal)) 1L else integer(0)))
  }
  if (method %in% c("temperature", scaling_methods)) {
    present <- unique(code[w > 0])
    # The scaling methods need every class (R/calibrate_multiclass.R).
    cal <- if (length(present) < (if (method == "temperature") 2L else n_classes)) NULL
           else fit_one(factor(code, levels = seq_len(n_classes) - 1L, labels = colnames(p)), p)
    return(list(type = "temperature", calibrator = cal, identity = if (is.null(cal)) 1L else integer(0)))
  }
  cals <- lapply(seq_len(n_classes), function(j) fit_one(as.numeric(code == j - 1L), p[, j]))
  list(type = "ovr", calibrators = cals, identity = which(vapply(cals, is.null, TRUE)))
}

apply_fold_calibrator <- function(cal, p) {
  switch(cal$type,
    binary = ,
    temperature = if (is.null(cal$calibrator)) p else stats::predict(cal$calibrator, p),
    ovr = {
      q <- p
      for (j in seq_len(ncol(p))) {
        if (!is.null(cal$calibrators[[j]])) q[, j] <- stats::predict(cal$calibrators[[j]], p[, j])
      }
      normalize_rows(q)
    })
}

#' Calibrated probabilities from a cross-fitted calibrated model
#'
#' @param object A `probml_calibrated_model` from [calibrate_cv()].
#' @param newdata A data frame with the predictors (the outcome is not
#'   needed).
#' @param type `"calibrated"` (the default) or `"raw"`: the uncalibrated
#'   predictions (for `ensemble = TRUE`, averaged over the K models), for
#'   comparison.
#' @param ... Not used.
#' @return Calibrated probabilities of the event (binary outcomes) or a
#'   matrix with one column per class.
#' @examples
#' set.seed(3)
#' d <- data.frame(x = rnorm(400))
#' d$y <- rbinom(400, 1, plogis(2 * d$x))
#' fit <- fit_mle(y ~ x, data = d, family = lik_bernoulli("cloglog"))
#' cm <- calibrate_cv(d, model = fit, folds = 3, seed = 1)
#' nd <- data.frame(x = c(-2, 0, 2))
#' cbind(raw = predict(cm, nd, type = "raw"), calibrated = predict(cm, nd))
#' @export
predict.probml_calibrated_model <- function(object, newdata, type = c("calibrated", "raw"), ...) {
  check_dots_empty(...)
  type <- check_choice(type[1], c("calibrated", "raw"), "type")
  if (missing(newdata) || !is.data.frame(newdata)) {
    if (missing(newdata)) abort_probml("missing", "{.arg newdata} must be given: a data frame with the predictors.")
    abort_probml("type", "{.arg newdata} must be a data frame with the predictors, not {.obj_type_friendly {newdata}}.")
  }
  frame <- environment()
  one <- function(model, cal) {
    p <- predict_checked(object$predict_fn, model, newdata, object$n_classes, object$levels, "newdata",
                         call = frame)
    if (type == "raw") p else apply_fold_calibrator(cal, p)
  }
  if (!object$ensemble) return(one(object$model, object$calibrator))
  preds <- lapply(object$members, function(m) one(m$model, m$calibrator))
  Reduce(`+`, preds) / length(preds)
}

#' @export
print.probml_calibrated_model <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  check_dots_empty(...)
  cat("probml cross-fitted calibrated model\n")
  cat("Model: ", x$model_label, "\n", sep = "")
  classes <- if (x$n_classes > 2L) paste(x$n_classes, "classes") else "binary"
  cat("Calibration: ", x$method, if (x$n_classes > 2L && x$method %in% one_vs_rest_methods) " (one class vs rest)" else "",
      ", ", classes, "\n", sep = "")
  sizes <- tabulate(x$folds, x$k)
  cat(x$k, " stratified folds of ", min(sizes), if (min(sizes) != max(sizes)) paste0("-", max(sizes)) else "",
      " rows (", x$n, " in all), seed ", x$seed, "\n", sep = "")
  if (x$ensemble) {
    cat("Ensemble of ", x$k, " (model, calibrator) pairs; predictions are their average\n", sep = "")
    if (length(x$fallback_folds)) {
      cat("Identity calibrator (fold lacked a class) in fold", if (length(x$fallback_folds) > 1L) "s" else "", ": ",
          paste(x$fallback_folds, collapse = ", "), "\n", sep = "")
    }
  } else {
    cat("One calibrator on the pooled out-of-fold predictions, over a model refitted on all rows\n")
  }
  cat("Out-of-fold Brier score of the uncalibrated model: ", format(signif(brier_score(x$y, x$oof), digits)), "\n", sep = "")
  invisible(x)
}
