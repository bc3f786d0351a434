#' Control the maximum-likelihood fit
#'
#' @param max_iter Maximum number of Newton iterations.
#' @param tol Convergence tolerance on the Newton decrement (the predicted
#'   decrease of the negative log-likelihood), relative to `1 + |nll|`.
#' @param rank_tol Tolerance for declaring a design column aliased, as in
#'   R's QR: the part of a column not explained by earlier columns must have
#'   norm at least `rank_tol` times the column's norm.
#' @return A list of class `probml_control`.
#' @examples
#' fit_control(max_iter = 50)
#' @export
fit_control <- function(max_iter = 100L, tol = 1e-12, rank_tol = 1e-7) {
  check_number(max_iter, "max_iter", lower = 1, integer = TRUE)
  check_number(tol, "tol", lower = 0)
  check_number(rank_tol, "rank_tol", lower = 0, upper = 1)
  structure(list(max_iter = as.integer(max_iter), tol = tol, rank_tol = rank_tol),
            class = "probml_control")
}

#' Fit a model by maximum likelihood
#'
#' `fit_mle()` fits a regression model by maximising the likelihood of one of
#' the probml [families]; every loss it minimises is a negative
#' log-likelihood. The fit runs in C++: Newton's method with a line search
#' (safeguarded where the Hessian is not positive definite), or, for the
#' Laplace mean, the exact least-absolute-deviations linear programme.
#' `fit_mle_xy()` is the matrix entry point for data that are already
#' numeric.
#'
#' Aliased (linearly dependent) columns of the design get `NA` coefficients
#' with a warning, as in `glm()`. Separation in the Bernoulli, categorical or
#' ordinal families (fitted probabilities numerically 0 or 1, so the MLE may
#' not exist) gives a `probml_warning_separation` warning and sets
#' `fit$separation`. Reaching `max_iter` always warns.
#'
#' @param formula A model formula. For [lik_gaussian_hetero()] use
#'   `y ~ mean terms | log-variance terms`.
#' @param data A data frame (or list or environment) holding the variables.
#' @param family A probml family such as [lik_bernoulli()], or `gaussian()`,
#'   `binomial()` or `poisson()`.
#' @param weights Optional non-negative observation weights (evaluated in
#'   `data`, like `glm()`); observations with weight 0 do not enter the fit.
#' @param offset Optional offset added to the (first) linear predictor.
#' @param subset,na.action As in [stats::model.frame()].
#' @param control A [fit_control()] list.
#' @param model Keep the model frame in the result (needed by `predict()`
#'   without `newdata`, `confint(method = "profile")` and the expected
#'   information).
#' @param n_threads Threads for the C++ core. Results do not depend on it.
#' @param x A numeric design matrix (include a column of ones for an intercept).
#' @param y The response: numeric, 0/1 or a factor, as the family needs.
#' @param z For [lik_gaussian_hetero()]: the design of the log-variance.
#' @param ... Not used.
#' @return An object of class `probml_fit` with components `coefficients`
#'   (regression coefficients, then scale, shape or cut-point parameters),
#'   `vcov` (from the observed information), `loglik`, `converged`,
#'   `iterations`, `grad_norm`, `aliased`, `separation`,
#'   `linear_predictors`, `fitted_values`, `terms`, `xlevels` and
#'   `contrasts`; use the accessor methods ([coef()], [vcov()],
#'   [predict()], ...) rather than the components.
#' @seealso [summary.probml_fit()], [predict.probml_fit()], [confint.probml_fit()]
#' @examples
#' fit <- fit_mle(type ~ glu + bmi + age, data = MASS::Pima.tr,
#'                family = lik_bernoulli())
#' summary(fit)
#' head(predict(fit, type = "response"))
#'
#' # The same model from a design matrix
#' X <- cbind(1, as.matrix(MASS::Pima.tr[, c("glu", "bmi", "age")]))
#' coef(fit_mle_xy(X, MASS::Pima.tr$type, family = lik_bernoulli()))
#' @export
fit_mle <- function(formula, data, family = lik_gaussian(), weights, offset, subset,
                    na.action, control = fit_control(), model = TRUE,
                    n_threads = getOption("probml.threads", 2L), ...) {
  family <- as_probml_family(family)
  control <- check_control(control)
  n_threads <- check_threads(n_threads)
  if (missing(formula) || !inherits(formula, "formula")) {
    abort_probml("formula", "{.arg formula} must be a model formula such as {.code y ~ x}.")
  }
  if (missing(data)) data <- environment(formula)
  if (!is.data.frame(data) && !is.list(data) && !is.environment(data)) {
    abort_probml("data", "{.arg data} must be a data frame, not {.obj_type_friendly {data}}.")
  }
  parts <- split_formula(formula, family)

  mf <- match.call(expand.dots = FALSE)
  keep <- match(c("formula", "data", "subset", "weights", "na.action", "offset"), names(mf), 0L)
  mf <- mf[c(1L, keep)]
  mf$formula <- parts$combined
  if (missing(data)) mf$data <- NULL
  mf$drop.unused.levels <- TRUE
  mf[[1L]] <- quote(stats::model.frame)
  # Missing values are handled after the frame is built: na.omit() copies
  # every column even when no row is incomplete, which for a large frame
  # costs more than the fit.
  na_fun <- if (missing(na.action)) getOption("na.action", "na.omit") else na.action
  mf$na.action <- quote(stats::na.pass)
  frame_error <- function(e) {
    abort_probml("data", c("Could not build the model frame from {.arg formula} and {.arg data}.",
                           x = conditionMessage(e)), call = rlang::caller_env(5))
  }
  mf <- tryCatch(eval(mf, parent.frame()), error = frame_error)
  if (anyNA(mf, recursive = TRUE)) {
    mf <- tryCatch(match.fun(na_fun)(mf), error = frame_error)
  }
  if (nrow(mf) == 0L) abort_probml("data", "{.arg data} has no complete rows to fit.")

  term_list <- lapply(parts$parts, part_terms, mf = mf)
  contrasts_arg <- NULL
  designs <- lapply(term_list, frame_design, mf = mf, contrasts = contrasts_arg)
  if (family$family == "ordinal" && attr(term_list[[1]], "intercept") == 0L) {
    abort_probml("formula", "{.arg formula} must keep the intercept for {.fn lik_ordinal}: the cut-points replace it.")
  }
  # The response column itself: model.response() would also attach the row
  # names, which for a million rows costs more time and memory than the fit.
  if (attr(attr(mf, "terms"), "response") != 1L) abort_probml("formula", "{.arg formula} needs a response on the left of {.code ~}.")
  y <- mf[[1L]]
  w <- model.weights(mf)
  off <- model.offset(mf)

  fit <- fit_design(designs, y, family, weights = w, offset = off, control = control,
                    n_threads = n_threads, arg_y = "formula")
  fit$call <- match.call()
  fit$formula <- formula
  fit$terms <- term_list
  fit$frame_terms <- attr(mf, "terms")
  fit$xlevels <- .getXlevels(attr(mf, "terms"), mf)
  fit$contrasts <- lapply(designs, attr, "contrasts")
  fit$na.action <- attr(mf, "na.action")
  if (isTRUE(model)) fit$model <- mf
  fit
}

#' @rdname fit_mle
#' @export
fit_mle_xy <- function(x, y, family = lik_gaussian(), weights = NULL, offset = NULL, z = NULL,
                       control = fit_control(), n_threads = getOption("probml.threads", 2L)) {
  family <- as_probml_family(family)
  control <- check_control(control)
  n_threads <- check_threads(n_threads)
  designs <- list(check_design(x, "x"))
  if (family$family == "gaussian_hetero") {
    if (is.null(z)) z <- matrix(1, nrow(designs[[1]]), 1L, dimnames = list(NULL, "(Intercept)"))
    designs[[2]] <- check_design(z, "z")
    if (nrow(designs[[2]]) != nrow(designs[[1]])) {
      abort_probml("length", "{.arg z} has {nrow(designs[[2]])} rows but {.arg x} has {nrow(designs[[1]])}.")
    }
  } else if (!is.null(z)) {
    abort_probml("argument", "{.arg z} is only used by {.fn lik_gaussian_hetero}.")
  }
  if (is.data.frame(y)) y <- y[[1L]]
  if (NROW(y) != nrow(designs[[1]])) {
    abort_probml("length", "{.arg y} has length {NROW(y)} but {.arg x} has {nrow(designs[[1]])} rows.")
  }
  if (family$family == "ordinal") {
    designs[[1]] <- cbind(`(Intercept)` = 1, designs[[1]][, design_colnames(designs[[1]]) != "(Intercept)", drop = FALSE])
  }
  fit <- fit_design(designs, y, family, weights = weights, offset = offset, control = control,
                    n_threads = n_threads, arg_y = "y", designs_checked = TRUE)
  fit$call <- match.call()
  fit[["x"]] <- designs
  fit
}

check_control <- function(control, call = rlang::caller_env()) {
  if (!inherits(control, "probml_control")) {
    if (is.list(control)) return(do.call(fit_control, control))
    abort_probml("argument", "{.arg control} must come from {.fn fit_control}.", call = call)
  }
  control
}

check_threads <- function(n_threads, call = rlang::caller_env()) {
  check_number(n_threads, "n_threads", lower = 1, upper = 1024, integer = TRUE, call = call)
  as.integer(n_threads)
}

# Unnamed columns are named by design_colnames(): naming them here would copy
# the whole matrix.
check_design <- function(x, arg, call = rlang::caller_env()) {
  if (is.data.frame(x)) {
    abort_probml("design", "{.arg {arg}} must be a numeric matrix, not a data frame; use {.fn fit_mle} with a formula for data frames.",
                 call = call)
  }
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x))) {
    abort_probml("design", "{.arg {arg}} must be a numeric matrix, not {.obj_type_friendly {x}}.", call = call)
  }
  if (nrow(x) == 0L) abort_probml("data", "{.arg {arg}} has zero rows.", call = call)
  if (storage.mode(x) != "double") storage.mode(x) <- "double"
  kind <- cpp_nonfinite_kind(x)
  if (kind == 1L) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (kind == 2L) abort_probml("nonfinite", "{.arg {arg}} contains infinite values.", call = call)
  x
}

# For the heteroscedastic family, `y ~ a | b` has a mean part and a
# log-variance part; the combined formula `y ~ a + b` builds one model frame.
split_formula <- function(formula, family, call = rlang::caller_env()) {
  rhs <- formula[[length(formula)]]
  has_bar <- is.call(rhs) && identical(rhs[[1L]], as.name("|"))
  if (family$family != "gaussian_hetero") {
    if (has_bar) abort_probml("formula", "{.arg formula} may use {.code |} only with {.fn lik_gaussian_hetero}.", call = call)
    return(list(combined = formula, parts = list(formula)))
  }
  if (length(formula) != 3L) abort_probml("formula", "{.arg formula} needs a response.", call = call)
  lhs <- formula[[2L]]
  mean_rhs <- if (has_bar) rhs[[2L]] else rhs
  var_rhs <- if (has_bar) rhs[[3L]] else 1
  env <- environment(formula)
  mean_f <- stats::as.formula(call("~", lhs, mean_rhs), env = env)
  var_f <- stats::as.formula(call("~", var_rhs), env = env)
  combined <- stats::as.formula(call("~", lhs, call("+", mean_rhs, var_rhs)), env = env)
  list(combined = combined, parts = list(mean_f, var_f))
}

# Terms of one formula part, carrying the model frame's predvars (the data
# dependent bases of poly(), ns(), scale() ...) so that predict() with
# newdata rebuilds the same design.
part_terms <- function(part, mf) {
  tt <- terms(part, data = mf)
  frame_terms <- attr(mf, "terms")
  all_vars <- vapply(as.list(attr(frame_terms, "variables"))[-1L], deparse1, "")
  pred <- as.list(attr(frame_terms, "predvars"))[-1L]
  vars <- vapply(as.list(attr(tt, "variables"))[-1L], deparse1, "")
  attr(tt, "predvars") <- as.call(c(quote(list), pred[match(vars, all_vars)]))
  attr(tt, "dataClasses") <- attr(frame_terms, "dataClasses")[vars]
  tt
}

# Code the response for the family; refuse anything outside its support.
prepare_response <- function(y, family, arg, call = rlang::caller_env()) {
  kind <- family$response
  if (is.null(y)) abort_probml("response", "{.arg {arg}} has no response.", call = call)
  if (is.matrix(y) && ncol(y) != 1L) {
    abort_probml("response", "The response must be a single column for {family$label}.", call = call)
  }
  if (anyNA(y)) abort_probml("missing", "The response contains missing values.", call = call)
  levels <- NULL
  if (kind %in% c("factor", "ordered")) {
    if (kind == "ordered" && !is.ordered(y)) {
      abort_probml("response", c("The response must be an ordered factor for {.fn lik_ordinal}.",
                                 i = "Use {.code factor(y, ordered = TRUE)} with the levels in order."), call = call)
    }
    if (is.character(y)) y <- factor(y)
    if (!is.factor(y)) {
      abort_probml("response", "The response must be a factor for {family$label}, not {.obj_type_friendly {y}}.", call = call)
    }
    levels <- levels(y)
    if (length(levels) < 2L) abort_probml("response", "The response has only one level; at least two are needed.", call = call)
    return(list(y = as.numeric(as.integer(y) - 1L), levels = levels))
  }
  if (kind == "binary") {
    if (is.factor(y)) {
      if (nlevels(y) != 2L) {
        abort_probml("response", c("A factor response for {.fn lik_bernoulli} must have exactly two levels, not {nlevels(y)}.",
                                   i = "Use {.fn lik_categorical} for more classes."), call = call)
      }
      levels <- levels(y)
      y <- as.numeric(as.integer(y) - 1L)
    } else if (is.logical(y)) {
      y <- as.numeric(y)
    }
  }
  if (is.factor(y) || !(is.numeric(y) || is.logical(y))) {
    abort_probml("response", "The response must be numeric for {family$label}, not {.obj_type_friendly {y}}.", call = call)
  }
  y <- as.numeric(y)
  bad <- switch(kind,
                numeric = which(!is.finite(y)),
                binary = if (any(y != 0 & y != 1)) which(y != 0 & y != 1) else integer(0),
                count = which(!is.finite(y) | y < 0 | y != round(y)),
                unit = which(!(y > 0 & y < 1)))
  if (length(bad)) {
    support <- switch(kind, numeric = "finite", binary = "0 or 1 (or a two-level factor)",
                      count = "a non-negative whole number", unit = "strictly between 0 and 1")
    abort_probml("response", c("The response must be {support} for {family$label}.",
                               x = "Row {bad[1]} has {.val {y[bad[1]]}}{if (length(bad) > 1) paste0(' (and ', length(bad) - 1, ' more)') else ''}."),
                 call = call)
  }
  list(y = y, levels = levels)
}

check_weights <- function(w, n, call = rlang::caller_env()) {
  if (is.null(w)) return(rep(1, n))
  if (!is.numeric(w) || is.matrix(w) && ncol(w) != 1L) {
    abort_probml("weights", "{.arg weights} must be a numeric vector, not {.obj_type_friendly {w}}.", call = call)
  }
  if (length(w) != n) abort_probml("length", "{.arg weights} has length {length(w)} but there are {n} observations.", call = call)
  if (anyNA(w) || any(!is.finite(w))) abort_probml("weights", "{.arg weights} must be finite and not missing.", call = call)
  if (any(w < 0)) abort_probml("weights", "{.arg weights} must be non-negative; row {which(w < 0)[1]} is {w[which(w < 0)[1]]}.", call = call)
  if (all(w == 0)) abort_probml("weights", "{.arg weights} are all zero: there is nothing to fit.", call = call)
  as.numeric(w)
}

check_offset <- function(off, n, family, n_linear, call = rlang::caller_env()) {
  out <- matrix(0, n, n_linear)
  if (is.null(off)) return(out)
  if (family$family == "categorical") {
    abort_probml("offset", "{.arg offset} is not supported by {.fn lik_categorical}.", call = call)
  }
  if (!is.numeric(off)) abort_probml("offset", "{.arg offset} must be numeric, not {.obj_type_friendly {off}}.", call = call)
  if (length(off) != n) abort_probml("length", "{.arg offset} has length {length(off)} but there are {n} observations.", call = call)
  if (any(!is.finite(off))) abort_probml("offset", "{.arg offset} must be finite and not missing.", call = call)
  out[, 1] <- off
  out
}

# Shared by the formula and matrix entries: validate, fit in C++, and
# assemble the probml_fit.
fit_design <- function(designs, y, family, weights, offset, control, n_threads, arg_y,
                       designs_checked = FALSE, call = rlang::caller_env()) {
  n <- design_nrow(designs[[1]])
  for (X in designs) {
    if (!designs_checked && !design_all_finite(X)) {
      abort_probml("nonfinite", "The model matrix contains missing or infinite values; check the predictors in {.arg {arg_y}}.", call = call)
    }
  }
  resp <- prepare_response(y, family, arg_y, call = call)
  w <- check_weights(weights, n, call = call)
  n_classes <- if (is.null(resp$levels)) 2L else length(resp$levels)
  if (family$family == "categorical") designs <- rep(designs[1], n_classes - 1L)
  off <- check_offset(offset, n, family, length(designs), call = call)
  used <- w > 0
  all_used <- all(used)
  subset_rows <- function(v) if (all_used) v else if (is.matrix(v)) v[used, , drop = FALSE] else v[used]
  if (family$response %in% c("binary", "factor", "ordered")) {
    y_used <- subset_rows(resp$y)
    if (min(y_used) == max(y_used)) {
      abort_probml("response", "The response has a single class among the weighted observations; the likelihood has no finite maximum.",
                   call = call)
    }
  }
  fit_designs <- if (all_used) designs else lapply(designs, function(X) as_design_matrix(X)[used, , drop = FALSE])
  spec <- family_spec(family, n_classes)
  intercept_col <- match("(Intercept)", design_colnames(designs[[1]]), nomatch = 0L) - 1L
  ctrl <- list(max_iter = control$max_iter, tol = control$tol, rank_tol = control$rank_tol,
               n_threads = n_threads, detect_aliasing = TRUE, intercept_col = intercept_col)
  core <- call_core(cpp_fit(spec, fit_designs, subset_rows(resp$y), subset_rows(w), subset_rows(off),
                            numeric(), logical(), ctrl), call = call)

  names_full <- parameter_names(designs, family, resp$levels)
  keep <- !(family$family == "ordinal" & seq_along(names_full) == intercept_col + 1L)
  coefs <- stats::setNames(core$theta, names_full)[keep]
  coefs[!core$estimated[keep]] <- NA_real_
  aliased <- stats::setNames(core$aliased, names_full)[keep]
  estimated <- core$estimated[keep]
  eff_designs <- effective_designs(designs, family)
  U <- if (all(used)) core$linear_predictors else linear_predictors_for(eff_designs, coefs, off)
  fit <- structure(list(
    coefficients = coefs, aliased = aliased, estimated = stats::setNames(estimated, names(coefs)),
    loglik = -core$value, df = sum(estimated), nobs = sum(used),
    converged = core$converged, iterations = core$iterations,
    grad_norm = max(abs(core$gradient), 0), message = core$message,
    safeguarded_steps = core$safeguarded_steps,
    linear_predictors = U, y = resp$y, levels = resp$levels, response_class = class(y),
    prior_weights = w, offset = off, family = family, n_classes = n_classes,
    control = control, n_threads = n_threads
  ), class = "probml_fit")
  fit$fitted_values <- if (all_used) label_means(core$mean, resp$levels) else family_moments(fit, U)$mean
  # The Laplace nll has no curvature in the location, so its standard errors
  # come from the expected information (the asymptotic LAD variance).
  fit$information <- if (family$family == "laplace") "expected" else "observed"
  H <- if (fit$information == "observed") core$hessian
       else information_matrix(fit, eff_designs, used, expected = TRUE)
  fit$vcov <- invert_information(H, names(coefs)[estimated])
  fit$separation <- detect_separation(fit, eff_designs, core, keep, used)
  if (any(aliased)) {
    n_aliased <- sum(aliased)
    warn_probml("rank_deficient", c("The design is rank deficient: {n_aliased} coefficient{?s} {?is/are} not estimable and set to NA: {.val {names(coefs)[aliased]}}.",
                                    i = "Fitted values are those of the model without the aliased terms."))
  }
  if (!core$converged) {
    warn_probml("convergence", c("The fit did not converge: {core$message}.",
                                 i = "Try a larger {.code fit_control(max_iter = )}; the estimates may be unreliable."))
  }
  if (fit$separation) {
    warn_probml("separation", c("Fitted probabilities numerically 0 or 1 occurred: the data are (quasi-)separated, so the MLE may not exist.",
                                i = "Coefficients and standard errors of the separating terms are unreliable; consider a prior (MAP fit)."))
  }
  if (is.null(fit$vcov)) {
    warn_probml("information", "The observed information is singular at the estimate; standard errors are not available.")
  }
  fit
}

# Regression coefficient names, then the family's auxiliary parameters.
parameter_names <- function(designs, family, levels) {
  cols <- lapply(designs, design_colnames)
  beta <- switch(family$family,
                 categorical = unlist(lapply(seq_along(cols), function(j) paste0(levels[j + 1L], ":", cols[[j]]))),
                 gaussian_hetero = c(cols[[1]], paste0("logvar:", cols[[2]])),
                 cols[[1]])
  c(beta, family$aux(levels))
}

invert_information <- function(H, nm, call = rlang::caller_env()) {
  if (length(nm) == 0L) return(matrix(numeric(0), 0, 0))
  R <- tryCatch(chol(H), error = function(e) NULL)
  if (is.null(R)) return(NULL)
  V <- chol2inv(R)
  dimnames(V) <- list(nm, nm)
  V
}

# Designs in the layout of the coefficients: the ordinal cut-points absorb
# the intercept column, which the fit uses only to detect aliasing.
effective_designs <- function(designs, family) {
  if (family$family != "ordinal") return(designs)
  list(design_drop(designs[[1]], "(Intercept)"))
}

# Linear predictors (n x m) at the estimated coefficients (NA, aliased, as 0).
linear_predictors_for <- function(designs, coefs, off) {
  U <- off[, seq_along(designs), drop = FALSE]
  pos <- 0L
  for (j in seq_along(designs)) {
    p <- design_ncol(designs[[j]])
    b <- coefs[pos + seq_len(p)]
    b[is.na(b)] <- 0
    if (p > 0) U[, j] <- U[, j] + design_multiply(designs[[j]], b)
    pos <- pos + p
  }
  U
}

aux_values <- function(fit, coefs = fit$coefficients) {
  q <- length(fit$family$aux(fit$levels))
  if (q == 0L) return(numeric(0))
  unname(utils::tail(coefs, q))
}

label_means <- function(mean, levels) {
  if (ncol(mean) == 1L) return(drop(mean))
  colnames(mean) <- levels
  mean
}

# Mean (class probabilities) and variance of y; NA where U has NA.
family_moments <- function(fit, U, coefs = fit$coefficients) {
  spec <- family_spec(fit$family, fit$n_classes)
  aux <- aux_values(fit, coefs)
  if (!anyNA(U)) {
    core <- cpp_family_moments(spec, U, aux)
    mean <- core$mean
    variance <- core$variance
  } else {
    ok <- stats::complete.cases(U)
    core <- cpp_family_moments(spec, U[ok, , drop = FALSE], aux)
    mean <- matrix(NA_real_, nrow(U), ncol(core$mean))
    mean[ok, ] <- core$mean
    variance <- rep(NA_real_, nrow(U))
    variance[ok] <- core$variance
  }
  list(mean = label_means(mean, fit$levels), variance = variance)
}

# Information matrix (observed or expected) over the estimated parameters.
information_matrix <- function(fit, designs, used = fit$prior_weights > 0, expected = FALSE) {
  est <- fit$estimated
  theta <- fit$coefficients[est]
  pos <- c(0L, cumsum(vapply(designs, design_ncol, 1L)))
  keep_cols <- function(X, j) {
    as_design_matrix(X)[used, est[pos[j] + seq_len(design_ncol(X))], drop = FALSE]
  }
  reduced <- lapply(seq_along(designs), function(j) keep_cols(designs[[j]], j))
  out <- call_core(cpp_objective(family_spec(fit$family, fit$n_classes), reduced, fit$y[used],
                                 fit$prior_weights[used], fit$offset[used, , drop = FALSE],
                                 unname(theta), 2L, expected, fit$n_threads))
  out$hessian
}

# Separation: the MLE does not exist, and Newton's method heads off to
# infinity along a direction in which the likelihood keeps improving. At
# the returned estimate the gradient is tiny but the Newton step that would
# still be taken moves some linear predictor a long way; at a true
# maximum that step is negligible. Both that and a fitted probability
# numerically 1 for an observed class are required.
detect_separation <- function(fit, designs, core, keep, used) {
  if (!fit$family$response %in% c("binary", "factor", "ordered")) return(FALSE)
  mu <- fit$fitted_values
  if (!is.matrix(mu) && !any(mu < 1e-8 | mu > 1 - 1e-8)) return(FALSE)
  p_obs <- if (is.matrix(mu)) mu[cbind(seq_len(nrow(mu)), fit$y + 1L)]
           else ifelse(fit$y == 1, mu, 1 - mu)
  if (!any(p_obs[used] > 1 - 1e-8)) return(FALSE)
  g <- core$gradient[core$estimated]
  step <- tryCatch(solve(core$hessian, -g), error = function(e) NULL)
  if (is.null(step)) return(TRUE)
  full_step <- rep(0, length(core$estimated))
  full_step[core$estimated] <- step
  beta_len <- sum(vapply(designs, design_ncol, 1L))
  moved <- linear_predictors_for(designs, full_step[keep][seq_len(beta_len)],
                                 matrix(0, length(fit$y), length(designs)))
  max(abs(moved[used, ])) > 1e-2
}
