#' Control the maximum-likelihood fit
#'
#' @param max_iter Maximum number of Newton iterations.
#' @param tol Convergence tolerance on the Newton decrement (the predicted
#'   decrease of the negative log-likelihood), relative to `|nll|` plus the
#'   total weight, so that it does not depend on the units of the weights.
#' @param rank_tol Tolerance for declaring a design column aliased, as in
#'   R's QR: the part of a column not explained by earlier columns must have
#'   norm at least `rank_tol` times the column's norm.
#' @param ... Not used: a misspelled setting (`maxit`) is an error that
#'   names the setting meant.
#' @return A list of class `probml_control`.
#' @examples
#' fit_control(max_iter = 50)
#' @export
fit_control <- function(max_iter = 100L, tol = 1e-12, rank_tol = 1e-7, ...) {
  check_dots_empty(...)
  check_number(max_iter, "max_iter", lower = 1, upper = .Machine$integer.max, integer = TRUE)
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
#' Laplace median and the [lik_quantile()] quantile, the exact check-loss
#' (least-absolute-deviations) linear programme.
#' `fit_mle_xy()` is the matrix entry point for data that are already
#' numeric.
#'
#' What a fit does where the data are awkward:
#' * **Aliased columns** (linearly dependent on earlier ones) get `NA`
#'   coefficients and a `probml_warning_rank_deficient` warning, as in
#'   `glm()`.
#' * **An MLE that does not exist**, because a coefficient heads to infinity
#'   (separation in the Bernoulli, categorical or ordinal families: fitted
#'   probabilities numerically 0 or 1; a group of only zero counts in the
#'   Poisson family: fitted means numerically 0), gives a
#'   `probml_warning_separation` warning and sets `fit$separation`.
#' * **Reaching `max_iter`** always warns (`probml_warning_convergence`).
#' * **Observations of weight zero** do not enter the fit, but they are
#'   predicted: [fitted()] covers every row, as in `glm()`.
#' * **Columns of extreme magnitude** (1e200) are rescaled inside the fit, so
#'   they are estimated as `lm()` estimates them.
#' * **Grouped binomial responses**, `cbind(successes, failures) ~ x` or a
#'   proportion with `weights = trials`, are fitted as `glm()` fits them:
#'   `y` is the proportion, the prior weights are the trials, [fitted()]
#'   values are probabilities, [nobs()] counts the groups, and [logLik()]
#'   includes the binomial coefficients \eqn{\sum \log{n \choose s}}{sum
#'   lchoose(n, s)}, so it equals glm's (and `AIC()` too). The coefficients
#'   are those of the expanded 0/1 data. A proportion whose `y * weights` is
#'   not a whole number of successes is refused (glm only warns).
#' * **A character outcome** is a factor with its levels sorted, as
#'   `factor()` makes it (binary and categorical families).
#' * **Bad input** is refused with an error whose class says what was wrong
#'   (see [probml_conditions]); a misspelled argument is one of them.
#'
#' @param formula A model formula. For [lik_gaussian_hetero()] use
#'   `y ~ mean terms | log-variance terms`; for a precision model with
#'   [lik_beta()], `y ~ mean terms | log-precision terms`.
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
#' @param y The response: numeric, 0/1 or a factor, as the family needs
#'   (for [lik_bernoulli()] also `cbind(successes, failures)`).
#' @param z For [lik_gaussian_hetero()]: the design of the log-variance; for
#'   [lik_beta()], the design of the log-precision (`NULL`: one precision).
#' @param ... Not used: a misspelled argument (`wieghts =`) is an error.
#' @return An object of class `probml_fit` with components `coefficients`
#'   (regression coefficients, then scale, shape or cut-point parameters),
#'   `vcov` (from the observed information), `loglik`, `converged`,
#'   `iterations`, `grad_norm`, `aliased`, `separation`,
#'   `linear_predictors`, `fitted_values`, `terms`, `xlevels` and
#'   `contrasts`; use the accessor methods ([coef()], [vcov()],
#'   [predict()], ...) rather than the components.
#' @seealso [families] for the likelihoods, [fit_control()] for the
#'   optimiser, and the methods [summary()][summary.probml_fit()],
#'   [predict()][predict.probml_fit()], [confint()][confint.probml_fit()],
#'   [vcov()][vcov.probml_fit()], [residuals()][residuals.probml_fit()],
#'   [anova()][anova.probml_fit()] and [sigma()][sigma.probml_fit()].
#' @examples
#' fit <- fit_mle(type ~ glu + bmi + age, data = MASS::Pima.tr,
#'                family = lik_bernoulli())
#' summary(fit)
#' head(predict(fit, type = "response"))
#'
#' # The same model from a design matrix
#' X <- cbind(1, as.matrix(MASS::Pima.tr[, c("glu", "bmi", "age")]))
#' coef(fit_mle_xy(X, MASS::Pima.tr$type, family = lik_bernoulli()))
#'
#' # Grouped binomial data, as glm() takes them
#' grouped <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph,
#'                    family = binomial())
#' logLik(grouped)
#' @export
fit_mle <- function(formula, data, family = lik_gaussian(), weights, offset, subset,
                    na.action, control = fit_control(), model = TRUE,
                    n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  if (missing(data)) data <- NULL
  fit_formula(match.call(), parent.frame(), formula, data, family, prior_flat(),
              control, model, n_threads, missing_na_action = missing(na.action), na.action = if (!missing(na.action)) na.action)
}

# The formula fits (fit_mle(), fit_map()): model frame, designs, response,
# then fit_design(). `mf_call` is the caller's match.call(); `env` the
# environment its arguments are evaluated in.
fit_formula <- function(mf_call, env, formula, data, family, prior, control, model, n_threads,
                        missing_na_action, na.action, call = rlang::caller_env()) {
  family <- with_formula_parts(as_probml_family(family, call = call), formula_has_bar(if (!missing(formula)) formula))
  control <- check_control(control, call = call)
  n_threads <- check_threads(n_threads, call = call)
  check_flag(model, "model", call = call)
  fr <- formula_frame(mf_call, env, formula, data, family_info(family), missing_na_action, na.action, call = call)
  fit <- fit_design(fr$designs, fr$y, family, weights = fr$weights, offset = fr$offset, control = control, prior = prior,
                    n_threads = n_threads, arg_y = fr$arg_y, call = call)
  with_formula(fit, fr, mf_call, formula, model)
}

# The model frame of a formula entry (fits, paths, cross-validation): the
# designs of the formula parts, the response, weights and offset.
formula_frame <- function(mf_call, env, formula, data, info, missing_na_action, na.action, call = rlang::caller_env()) {
  if (missing(formula) || !inherits(formula, "formula")) {
    abort_probml("formula", "{.arg formula} must be a model formula such as {.code y ~ x}.", call = call)
  }
  no_data <- is.null(data)
  if (no_data) data <- environment(formula)
  if (!is.data.frame(data) && !is.list(data) && !is.environment(data)) {
    abort_probml("type", "{.arg data} must be a data frame, not {.obj_type_friendly {data}}.", call = call)
  }
  parts <- split_formula(formula, info, call = call)

  mf <- mf_call
  keep <- match(c("formula", "data", "subset", "weights", "na.action", "offset"), names(mf), 0L)
  mf <- mf[c(1L, keep)]
  mf$formula <- parts$combined
  if (no_data) mf$data <- NULL
  mf$drop.unused.levels <- TRUE
  mf[[1L]] <- quote(stats::model.frame)
  # Missing values are handled after the frame is built: na.omit() copies
  # every column even when no row is incomplete, which for a large frame
  # costs more than the fit.
  na_fun <- if (missing_na_action) getOption("na.action", "na.omit") else na.action
  mf$na.action <- quote(stats::na.pass)
  frame_error <- function(e) {
    abort_probml("data", c("Could not build the model frame from {.arg formula} and {.arg data}.",
                           x = conditionMessage(e)), call = call)
  }
  mf <- tryCatch(eval(mf, env), error = frame_error)
  if (anyNA(mf, recursive = TRUE)) {
    mf <- tryCatch(match.fun(na_fun)(mf), error = frame_error)
  }
  if (nrow(mf) == 0L) abort_probml("data", "{.arg data} has no complete rows to fit.", call = call)
  check_frame_columns(mf, call = call)

  term_list <- lapply(parts$parts, part_terms, mf = mf)
  designs <- tryCatch(lapply(term_list, frame_design, mf = mf), error = frame_error)
  if (info$absorbs_intercept && attr(term_list[[1]], "intercept") == 0L) {
    abort_probml("formula", "{.arg formula} must keep the intercept for {info$label}: its cut-points replace it.", call = call)
  }
  # The response column itself: model.response() would also attach the row
  # names, which for a million rows costs more time and memory than the fit.
  if (attr(attr(mf, "terms"), "response") != 1L) {
    abort_probml("formula", "{.arg formula} needs a response on the left of {.code ~}.", call = call)
  }
  off <- tryCatch(model.offset(mf), error = function(e) {
    abort_probml("type", "The offset must be numeric.", call = call)
  })
  list(designs = designs, y = mf[[1L]], weights = model.weights(mf), offset = off, terms = term_list, frame = mf,
       arg_y = deparse1(formula[[2L]]))
}

# What a formula result keeps for predict(), update() and printing.
with_formula <- function(object, fr, mf_call, formula, model) {
  object$call <- mf_call
  object$formula <- formula
  object$terms <- fr$terms
  object$frame_terms <- attr(fr$frame, "terms")
  object$xlevels <- .getXlevels(attr(fr$frame, "terms"), fr$frame)
  object$contrasts <- lapply(fr$designs, attr, "contrasts")
  object$na.action <- attr(fr$frame, "na.action")
  if (isTRUE(model)) object$model <- fr$frame
  object
}

#' @rdname fit_mle
#' @export
fit_mle_xy <- function(x, y, family = lik_gaussian(), weights = NULL, offset = NULL, z = NULL,
                       control = fit_control(), n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  fit_xy(match.call(), x, y, family, prior_flat(), weights, offset, z, control, n_threads)
}

# The matrix fits (fit_mle_xy(), fit_map_xy()).
fit_xy <- function(mcall, x, y, family, prior, weights, offset, z, control, n_threads, call = rlang::caller_env()) {
  family <- with_formula_parts(as_probml_family(family, call = call), !is.null(z))
  control <- check_control(control, call = call)
  n_threads <- check_threads(n_threads, call = call)
  inp <- xy_inputs(x, y, z, family_info(family), call = call)
  fit <- fit_design(inp$designs, inp$y, family, weights = weights, offset = offset, control = control, prior = prior,
                    n_threads = n_threads, arg_y = "y", call = call)
  fit$call <- mcall
  fit[["x"]] <- inp$designs
  fit
}

# The designs and response of a matrix entry (fits, paths, cross-validation).
xy_inputs <- function(x, y, z, info, call = rlang::caller_env()) {
  designs <- list(check_design(x, "x", call = call))
  if (info$n_formula_parts == 2L) {
    if (is.null(z)) z <- matrix(1, nrow(designs[[1]]), 1L, dimnames = list(NULL, "(Intercept)"))
    designs[[2]] <- check_design(z, "z", call = call)
    if (nrow(designs[[2]]) != nrow(designs[[1]])) {
      abort_probml("length", "{.arg z} has {nrow(designs[[2]])} rows but {.arg x} has {nrow(designs[[1]])}.", call = call)
    }
  } else if (!is.null(z)) {
    abort_probml("unsupported", "{.arg z} is only used by a family with a second design, such as {.fn lik_gaussian_hetero} or {.fn lik_beta}.", call = call)
  }
  if (is.data.frame(y)) y <- y[[1L]]
  if (NROW(y) != nrow(designs[[1]])) {
    abort_probml("length", "{.arg y} has length {NROW(y)} but {.arg x} has {nrow(designs[[1]])} rows.", call = call)
  }
  list(designs = designs, y = y)
}

# Sparse matrices are checked for what they hold, then refused: the core
# reads dense columns only.
check_sparse_design <- function(x, arg, call) {
  values <- tryCatch(x@x, error = function(e) numeric(0)) # pattern matrices hold no values
  if (anyNA(values)) abort_probml("missing", "{.arg {arg}} is a sparse matrix with missing values.", call = call)
  if (any(!is.finite(values))) abort_probml("nonfinite", "{.arg {arg}} is a sparse matrix with infinite values.", call = call)
  abort_probml("unsupported", c("{.arg {arg}} is a sparse matrix; the core reads dense matrices only.",
                                i = "Use {.code as.matrix({arg})}, which needs {format(prod(dim(x)) * 8 / 2^20, digits = 3)} MiB."),
               call = call)
}

check_control <- function(control, call = rlang::caller_env()) {
  if (!inherits(control, "probml_control")) {
    if (is.list(control)) return(do.call(fit_control, control))
    abort_probml("type", "{.arg control} must come from {.fn fit_control}, not {.obj_type_friendly {control}}.", call = call)
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
  if (inherits(x, "sparseMatrix")) check_sparse_design(x, arg, call)
  if (is.data.frame(x)) {
    abort_probml("type", "{.arg {arg}} must be a numeric matrix, not a data frame; use {.fn fit_mle} with a formula for data frames.",
                 call = call)
  }
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x))) {
    abort_probml("type", "{.arg {arg}} must be a numeric matrix, not {.obj_type_friendly {x}}.", call = call)
  }
  if (nrow(x) == 0L) abort_probml("length", "{.arg {arg}} has zero rows.", call = call)
  if (storage.mode(x) != "double") storage.mode(x) <- "double"
  # Unnamed columns are named by position, as coefficients need names.
  cn <- colnames(x)
  blank <- if (is.null(cn)) rep(TRUE, ncol(x)) else is.na(cn) | cn == ""
  if (any(blank)) {
    cn <- cn %||% character(ncol(x))
    cn[blank] <- sprintf("x%d", which(blank))
    colnames(x) <- cn
  }
  x
}

# A factor with a single level among the rows used has no contrasts.
check_frame_columns <- function(mf, call = rlang::caller_env()) {
  for (v in names(mf)[-1L]) {
    col <- mf[[v]]
    if (is.factor(col) && nlevels(col) < 2L && v != "(weights)") {
      abort_probml("degenerate", c("The factor {.field {v}} has a single level among the rows used; a factor term needs at least two.",
                                   i = "Drop the term, or fit the rows of each level separately."), call = call)
    }
  }
}

# Whether the right-hand side of a formula is `a | b`.
formula_has_bar <- function(formula) {
  if (!inherits(formula, "formula")) return(FALSE)
  rhs <- formula[[length(formula)]]
  is.call(rhs) && identical(rhs[[1L]], as.name("|"))
}

# The formula's parts: one, or for a family with a design per linear
# predictor `y ~ a | b`, whose combined formula `y ~ a + b` builds one model frame.
split_formula <- function(formula, info, call = rlang::caller_env()) {
  rhs <- formula[[length(formula)]]
  has_bar <- formula_has_bar(formula)
  if (info$n_formula_parts == 1L) {
    if (has_bar) abort_probml("formula", "{.arg formula} may use {.code |} only with a family that models the variance or the precision, such as {.fn lik_gaussian_hetero} or {.fn lik_beta}.", call = call)
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
  # `.` stands for the data's variables, not the weights and offset columns
  # model.frame() adds.
  tt <- terms(part, data = mf[0L, setdiff(names(mf), c("(weights)", "(offset)")), drop = FALSE])
  frame_terms <- attr(mf, "terms")
  all_vars <- vapply(as.list(attr(frame_terms, "variables"))[-1L], deparse1, "")
  pred <- as.list(attr(frame_terms, "predvars"))[-1L]
  vars <- vapply(as.list(attr(tt, "variables"))[-1L], deparse1, "")
  attr(tt, "predvars") <- as.call(c(quote(list), pred[match(vars, all_vars)]))
  attr(tt, "dataClasses") <- attr(frame_terms, "dataClasses")[vars]
  tt
}

# The offset of the first linear predictor: numeric(0) for none.
check_offset <- function(off, n, info, call = rlang::caller_env()) {
  if (is.null(off)) return(numeric(0))
  if (!info$accepts_offset) {
    abort_probml("unsupported", "{.arg offset} is not supported by {info$label}.", call = call)
  }
  if (!is.numeric(off) || is.object(off) && !inherits(off, "AsIs")) {
    abort_probml("type", "{.arg offset} must be numeric, not {.obj_type_friendly {off}}.", call = call)
  }
  if (NROW(off) != n || NCOL(off) != 1L) {
    abort_probml("length", "{.arg offset} has length {length(off)} but there are {n} observations.", call = call)
  }
  if (anyNA(off)) abort_probml("missing", "{.arg offset} contains missing values.", call = call)
  if (any(!is.finite(off))) abort_probml("nonfinite", "{.arg offset} must be finite.", call = call)
  as.double(off)
}

# The core's view of a fit's model: the family with its class labels, the
# designs of the formula parts and where the intercept is.
core_model <- function(fit, parts = model_parts(fit), scales = fit$scales) {
  list(family = family_spec(fit$family, fit$levels), parts = parts, intercept_col = fit$intercept_col,
       scales = scales %||% list())
}

intercept_column <- function(designs) match("(Intercept)", design_colnames(designs[[1]]), nomatch = 0L) - 1L

# Shared by the formula and matrix entries: validate, fit in C++, and
# assemble the probml_fit.
fit_design <- function(designs, y, family, weights, offset, control, n_threads, arg_y,
                       prior = prior_flat(), call = rlang::caller_env()) {
  inp <- design_inputs(designs, y, family, weights, offset, arg_y, call = call)
  resp <- inp$response
  info <- inp$info
  w <- inp$weights
  off <- inp$offset
  fit <- inp$template
  model <- inp$model
  part_names <- inp$part_names
  ctrl <- list(max_iter = control$max_iter, tol = control$tol, rank_tol = control$rank_tol, n_threads = n_threads)
  spec <- if (prior$kind == "flat") NULL else prior_terms(prior, inp$layout, designs, w, resp$y, family, info, call = call)
  if (!is.null(spec) && info$least_squares && is.null(family$sigma) && sum(w > 0) <= sum(inp$layout$linear >= 0L)) {
    abort_probml("degenerate", c("With {sum(w > 0)} observation{?s} and {sum(inp$layout$linear >= 0L)} coefficients the fit can be exact, so the posterior of an estimated sigma has no mode (sigma heads to 0).",
                                 i = "Give the noise level, {.code lik_gaussian(sigma = )}, or choose it with {.fn fit_evidence}."), call = call)
  }
  core <- call_core(cpp_fit(model, resp$y, w, off, numeric(), logical(), ctrl, part_names, spec), call = call)

  coefs <- core$theta
  coefs[!core$estimated] <- NA_real_
  fit <- structure(c(unclass(fit), list(
    coefficients = coefs, aliased = stats::setNames(core$aliased, names(coefs)),
    estimated = stats::setNames(core$estimated, names(coefs)),
    loglik = resp$loglik_constant - (core$value - core$prior_value), loglik_constant = resp$loglik_constant,
    df = sum(core$estimated), nobs = sum(w > 0),
    converged = core$converged, iterations = core$iterations,
    grad_norm = max(abs(core$gradient), 0), message = core$message,
    safeguarded_steps = core$safeguarded_steps, separation = core$separation,
    linear_predictors = core$linear_predictors, fitted_values = label_means(core$mean, resp$levels),
    y = resp$y, response_class = class(y), prior_weights = w, offset = off,
    n_classes = resp$n_classes, control = control, n_threads = n_threads,
    information = info$information, prior = prior, prior_spec = spec
  )), class = "probml_fit")
  if (!is.null(spec)) fit <- map_summaries(fit, core)
  # The Laplace nll has no curvature in the location, so its standard errors
  # come from the expected information (the asymptotic LAD variance).
  fit$vcov <- if (info$information == "observed") named_covariance(core$covariance, fit)
              else information_covariance(fit, designs, expected = TRUE)
  if (!is.null(spec) && has_l1(spec)) fit$vcov <- l1_covariance(fit, core$hessian, parts = designs)
  if (any(core$aliased)) {
    aliased <- names(coefs)[core$aliased]
    warn_probml("rank_deficient", c("The design is rank deficient: {length(aliased)} coefficient{?s} {?is/are} not estimable and set to NA: {.val {aliased}}.",
                                    i = "Fitted values are those of the model without the aliased terms."))
  }
  if (!core$converged) {
    warn_probml("convergence", c("The fit did not converge: {core$message}.",
                                 i = "Try a larger {.code fit_control(max_iter = )}; the estimates may be unreliable."))
  }
  if (core$separation) {
    warn_probml("separation", c("The {info$label} fit: {info$boundary_message}.",
                                i = "Coefficients and standard errors of the terms involved are unreliable; a proper prior keeps them finite: {.code fit_map(..., prior = prior_student_t())}."))
  }
  if (is.null(fit$vcov)) {
    warn_probml("information", "The observed information is singular at the estimate; standard errors are not available.")
  }
  fit
}

# The covariance over the estimated parameters, named; NULL if singular.
named_covariance <- function(V, fit) {
  nm <- names(fit$coefficients)[fit$estimated]
  if (length(nm) && length(V) == 0L) return(NULL)
  V <- matrix(V, length(nm), length(nm))
  dimnames(V) <- list(nm, nm)
  V
}

# The checked inputs of the core (fits, paths, cross-validation): the
# coded response, weights, offset, the core's model and its coefficient
# layout, and the start of a result object.
design_inputs <- function(designs, y, family, weights, offset, arg_y, call = rlang::caller_env()) {
  n <- design_nrow(designs[[1]])
  scan <- scan_designs(designs, "predictor", call = call)
  out <- outcome_inputs(y, family, weights, n, arg_y, call = call)
  resp <- out$response
  info <- out$info
  w <- out$weights
  off <- check_offset(offset, n, info, call = call)
  template <- structure(list(family = family, levels = resp$levels, intercept_col = intercept_column(designs),
                             scales = scan$scales), class = "probml_fit")
  model <- core_model(template, designs)
  part_names <- lapply(designs, design_colnames)
  list(response = resp, info = info, weights = w, offset = off, template = template, model = model,
       part_names = part_names, layout = call_core(cpp_model_layout(model, part_names), call = call))
}

# One pass over the designs (in C++) for missing and infinite values, which
# are refused naming the column (a `noun`: "predictor", "input"); returns
# the scan, with the column scales the fit needs.
scan_designs <- function(designs, noun, call = rlang::caller_env()) {
  scan <- cpp_scan_design(designs)
  if (nzchar(scan$problem)) {
    column <- design_colnames(designs[[scan$part]])[scan$column]
    kind <- if (scan$problem == "missing") "missing" else "nonfinite"
    abort_probml(kind, "The {noun} {.field {column}} has {if (kind == 'missing') 'a missing' else 'an infinite'} value (row {scan$row}).",
                 call = call)
  }
  scan
}

# The response coded for the family and checked against its support, and
# the weights: list(response, info (with the class labels), weights). A
# grouped binomial response's trials enter the weights here, and its
# binomial coefficients become `loglik_constant`: the core's nll is per
# trial and never sees the trials, so the constant is added on the R side,
# once, to `fit$loglik` and `fit$log_posterior` (paths subtract it from
# `nll`; profiles, deviances and LR tests take differences, where it cancels).
outcome_inputs <- function(y, family, weights, n, arg_y, call = rlang::caller_env()) {
  kind <- family_info(family)$response
  resp <- code_outcome(y, kind, arg_y, n = n, grouped = TRUE, call = call)
  info <- family_info(family, resp$levels)
  check_support(resp$y, family, resp$levels, arg_y, call = call)
  w <- check_weights(weights, n, call = call)
  resp$loglik_constant <- 0
  if (kind == "binary") {
    grouped <- code_binomial(resp, w, arg_y, call = call)
    w <- grouped$weights
    resp$loglik_constant <- grouped$constant
    if (all(w == 0)) abort_probml("value", "{.arg {arg_y}} has no trials: there is nothing to fit.", call = call)
  }
  # A proportion strictly between 0 and 1 holds both outcomes.
  mixed <- any(resp$y > 0 & resp$y < 1 & w > 0)
  if (info$response %in% c("binary", "classes", "ordered") && !mixed) check_two_classes(resp$y, w, arg_y, call = call)
  list(response = resp, info = info, weights = w)
}

# Covariance from the observed or expected information at the estimate.
information_covariance <- function(fit, parts = model_parts(fit), expected = FALSE) {
  out <- call_core(cpp_evaluate(core_model(fit, parts), fit$y, fit$prior_weights, fit$offset,
                                unname(fit$coefficients), 2L, expected, fit$n_threads, fit$prior_spec))
  named_covariance(out$covariance, fit)
}

label_means <- function(mean, levels) {
  if (ncol(mean) == 1L) return(drop(mean))
  colnames(mean) <- levels
  mean
}
