# Priors. A regulariser is a prior: a probml_prior is its kind and
# settings, and prior_terms() resolves it against a model's coefficients
# into the per-coefficient terms the core adds to the negative
# log-likelihood (inst/include/probml/prior/prior.hpp).

#' Priors on regression coefficients
#'
#' A prior turns a maximum-likelihood fit into a maximum a posteriori (MAP)
#' fit: [fit_map()] minimises the negative log-likelihood plus the negative
#' log prior density, and every familiar penalty is one of these priors.
#'
#' * `prior_flat()`: no prior; [fit_map()] with it is [fit_mle()].
#' * `prior_gaussian(scale)`: \eqn{\beta_j \sim N(0, \tau^2)}{beta_j ~ N(0, tau^2)}
#'   with \eqn{\tau}{tau} = `scale`: ridge regression. For a Gaussian
#'   likelihood with noise \eqn{\sigma}{sigma} the MAP is the ridge estimate
#'   minimising \eqn{RSS + \lambda \|\beta\|^2}{RSS + lambda ||beta||^2} with
#'   \eqn{\lambda = \sigma^2 / \tau^2}{lambda = sigma^2 / tau^2}.
#' * `prior_laplace(scale)`: \eqn{\beta_j}{beta_j} Laplace with scale
#'   \eqn{b}{b} = `scale`, density \eqn{\exp(-|\beta|/b) / (2b)}{exp(-|beta| / b) / (2 b)}:
#'   the lasso, whose MAP sets coefficients exactly to zero.
#' * `prior_elastic_net(scale, mixing)`: negative log density
#'   \eqn{(\alpha|\beta| + (1-\alpha)\beta^2/2) / s}{(alpha |beta| + (1 - alpha) beta^2 / 2) / s}
#'   with \eqn{\alpha}{alpha} = `mixing` and \eqn{s}{s} = `scale`: glmnet's
#'   elastic-net penalty with its `lambda` equal to \eqn{1 / (n s)}{1 / (n s)}.
#'   `mixing = 1` is `prior_laplace(scale)` and `mixing = 0` is
#'   `prior_gaussian(sqrt(scale))`.
#' * `prior_student_t(df, scale)`: Student t with `df` degrees of freedom
#'   (the Cauchy for `df = 1`), a heavy-tailed prior that shrinks small
#'   coefficients and leaves large ones nearly alone. Its defaults are those
#'   of `arm::bayesglm()`: Cauchy with scale 2.5 (4 for a probit link) on
#'   inputs scaled by two standard deviations, and a Cauchy(0, 10) prior on
#'   the intercept.
#'
#' @section What is penalised: The prior applies to every regression
#'   coefficient except the intercepts, whose prior is `intercept` (flat by
#'   default), and except each family's auxiliary parameters (log sigma,
#'   cut-points, ...), which stay flat. `penalty_factor` multiplies the
#'   negative log prior of each coefficient, as glmnet's `penalty.factor`
#'   does (not rescaled); a factor of 0 leaves a coefficient unpenalised.
#'   `scale` may also give one scale per coefficient. Either is one value,
#'   one value per penalised coefficient in the order of [coef()], or a
#'   vector named by those coefficients.
#'
#' @section Standardised or raw coefficients: With `standardize = TRUE`
#'   (or `"sd"`, the default of the Gaussian, Laplace and elastic-net
#'   priors) the prior is on the coefficient of each predictor divided by
#'   its (weighted, population) standard deviation, as in glmnet: a scale
#'   then means the same for a predictor in metres and in millimetres. With
#'   `"2sd"` (the Student t default, Gelman et al. 2008) predictors with more
#'   than two distinct values are divided by two sample standard deviations
#'   and binary ones by their range, and for a Gaussian likelihood every
#'   scale is multiplied by two standard deviations of the response. With
#'   `FALSE` (`"none"`) the prior is on the coefficients as they are.
#'   Coefficients are always reported on the scale of the data; an intercept
#'   prior applies to the intercept at the mean of the predictors when they
#'   are standardised.
#'
#' @param scale The prior scale: the standard deviation of the Gaussian,
#'   the scale of the Laplace and Student t, `s` of the elastic net; one
#'   positive value or one per penalised coefficient. `NULL` in
#'   `prior_student_t()` takes bayesglm's default for the likelihood (2.5,
#'   or 4 for a probit link).
#' @param mixing The elastic-net mixing \eqn{\alpha \in [0, 1]}{alpha in [0, 1]}
#'   (glmnet's `alpha`).
#' @param df Degrees of freedom of the Student t prior.
#' @param standardize `TRUE`/`"sd"`, `"2sd"` or `FALSE`/`"none"`; see below.
#' @param penalty_factor Non-negative multipliers of each coefficient's
#'   negative log prior (0: unpenalised), or `NULL` for 1. For
#'   `prior_student_t()` each factor must be 0 or 1.
#' @param intercept The prior of the intercept(s): a smooth prior
#'   (`prior_flat()`, `prior_gaussian()` or `prior_student_t()`), of which
#'   only the scale and df are used.
#' @return An object of class `probml_prior`.
#' @seealso [fit_map()], [map_path()], [cv_map()], [fit_evidence()].
#' @examples
#' prior_gaussian(scale = 2)
#' prior_laplace(scale = 0.05)
#' prior_elastic_net(scale = 0.1, mixing = 0.5)
#' prior_student_t()
#'
#' # Ridge with lambda = sigma^2 / tau^2
#' fit <- fit_map(mpg ~ wt + hp + qsec, data = mtcars,
#'                prior = prior_gaussian(scale = 1))
#' fit
#' @name priors
NULL

#' @rdname priors
#' @export
prior_flat <- function() new_prior("flat")

#' @rdname priors
#' @export
prior_gaussian <- function(scale = 1, standardize = TRUE, penalty_factor = NULL, intercept = prior_flat()) {
  new_prior("gaussian", scale = check_prior_scale(scale), standardize = check_standardize(standardize),
            penalty_factor = check_penalty_factor(penalty_factor), intercept = check_intercept_prior(intercept))
}

#' @rdname priors
#' @export
prior_laplace <- function(scale = 1, standardize = TRUE, penalty_factor = NULL, intercept = prior_flat()) {
  new_prior("laplace", scale = check_prior_scale(scale), standardize = check_standardize(standardize),
            penalty_factor = check_penalty_factor(penalty_factor), intercept = check_intercept_prior(intercept))
}

#' @rdname priors
#' @export
prior_elastic_net <- function(scale = 1, mixing = 0.5, standardize = TRUE, penalty_factor = NULL,
                              intercept = prior_flat()) {
  check_number(mixing, "mixing", lower = 0, upper = 1)
  new_prior("elastic_net", scale = check_prior_scale(scale), mixing = mixing,
            standardize = check_standardize(standardize), penalty_factor = check_penalty_factor(penalty_factor),
            intercept = check_intercept_prior(intercept))
}

#' @rdname priors
#' @export
prior_student_t <- function(df = 1, scale = NULL, standardize = "2sd", penalty_factor = NULL,
                            intercept = prior_student_t(df = 1, scale = 10, standardize = "none",
                                                        intercept = prior_flat())) {
  check_number(df, "df", lower = .Machine$double.eps)
  if (!is.null(scale)) scale <- check_prior_scale(scale)
  pf <- check_penalty_factor(penalty_factor)
  if (!is.null(pf) && any(!pf %in% c(0, 1))) {
    abort_probml("value", c("{.arg penalty_factor} of a Student t prior must be 0 or 1 for each coefficient.",
                            i = "A Student t density times a factor is not a Student t density; change {.arg scale} instead."))
  }
  new_prior("student_t", scale = scale, df = df, standardize = check_standardize(standardize),
            penalty_factor = pf, intercept = check_intercept_prior(intercept))
}

new_prior <- function(kind, scale = NULL, mixing = NULL, df = NULL, standardize = "none", penalty_factor = NULL,
                      intercept = NULL) {
  structure(list(kind = kind, scale = scale, mixing = mixing, df = df, standardize = standardize,
                 penalty_factor = penalty_factor, intercept = intercept), class = "probml_prior")
}

check_prior_scale <- function(scale, arg = "scale", call = rlang::caller_env()) {
  if (!is.numeric(scale) || length(scale) == 0L || is.object(scale) && !is.null(dim(scale))) {
    abort_probml("type", "{.arg {arg}} must be a positive number or one per coefficient, not {.obj_type_friendly {scale}}.", call = call)
  }
  if (anyNA(scale)) abort_probml("missing", "{.arg {arg}} contains missing values.", call = call)
  if (any(!is.finite(scale) | scale <= 0)) {
    bad <- scale[!is.finite(scale) | scale <= 0][1]
    abort_probml("value", "{.arg {arg}} must be positive and finite, not {bad}.", call = call)
  }
  stats::setNames(as.double(scale), names(scale))
}

check_penalty_factor <- function(pf, call = rlang::caller_env()) {
  if (is.null(pf)) return(NULL)
  if (!is.numeric(pf) || length(pf) == 0L) {
    abort_probml("type", "{.arg penalty_factor} must be a numeric vector, not {.obj_type_friendly {pf}}.", call = call)
  }
  if (anyNA(pf)) abort_probml("missing", "{.arg penalty_factor} contains missing values.", call = call)
  if (any(!is.finite(pf) | pf < 0)) {
    abort_probml("value", "{.arg penalty_factor} must be non-negative and finite, not {pf[!is.finite(pf) | pf < 0][1]}.", call = call)
  }
  stats::setNames(as.double(pf), names(pf))
}

check_standardize <- function(standardize, call = rlang::caller_env()) {
  if (isTRUE(standardize)) return("sd")
  if (isFALSE(standardize)) return("none")
  if (is.character(standardize) && length(standardize) == 1L && !is.na(standardize)) {
    return(check_choice(standardize, c("sd", "2sd", "none"), "standardize", call = call))
  }
  abort_probml("type", "{.arg standardize} must be {.code TRUE}, {.code FALSE}, {.val sd}, {.val 2sd} or {.val none}.", call = call)
}

check_intercept_prior <- function(intercept, call = rlang::caller_env()) {
  if (!inherits(intercept, "probml_prior")) {
    abort_probml("type", "{.arg intercept} must be a prior such as {.fn prior_flat} or {.fn prior_student_t}, not {.obj_type_friendly {intercept}}.",
                 call = call)
  }
  if (!intercept$kind %in% c("flat", "gaussian", "student_t")) {
    abort_probml("unsupported", c("{.arg intercept} must be a smooth prior: {.fn prior_flat}, {.fn prior_gaussian} or {.fn prior_student_t}.",
                                  i = "An intercept is not shrunk to exactly zero."), call = call)
  }
  if (length(intercept$scale) > 1L) abort_probml("length", "{.arg intercept} takes one scale, not {length(intercept$scale)}.", call = call)
  intercept
}

as_probml_prior <- function(prior, arg = "prior", call = rlang::caller_env()) {
  if (!inherits(prior, "probml_prior")) {
    abort_probml("type", "{.arg {arg}} must be a prior such as {.fn prior_gaussian} or {.fn prior_laplace}, not {.obj_type_friendly {prior}}.",
                 call = call)
  }
  prior
}

prior_label <- function(prior) {
  switch(prior$kind,
    flat = "flat",
    gaussian = "Gaussian",
    laplace = "Laplace",
    elastic_net = paste0("elastic net (mixing = ", format(prior$mixing), ")"),
    student_t = paste0("Student t (df = ", format(prior$df), ")")
  )
}

prior_scale_text <- function(scale) {
  if (is.null(scale)) return("the default scale")
  if (length(scale) == 1L) return(paste0("scale = ", format(scale, digits = 4)))
  paste0("per-coefficient scales (", length(scale), ")")
}

#' @export
print.probml_prior <- function(x, ...) {
  check_dots_empty(...)
  cat("<probml_prior> ", prior_label(x), sep = "")
  if (x$kind == "flat") {
    cat(": no prior (maximum likelihood)\n")
    return(invisible(x))
  }
  cat(", ", prior_scale_text(x$scale), "\n", sep = "")
  cat("  on ", switch(x$standardize, sd = "coefficients of predictors divided by their standard deviation",
                      `2sd` = "coefficients of inputs scaled by two standard deviations (binary ones by their range)",
                      none = "the coefficients as they are"), "\n", sep = "")
  if (!is.null(x$penalty_factor)) cat("  penalty factors: ", paste(format(x$penalty_factor), collapse = " "), "\n", sep = "")
  cat("  intercept: ", if (x$intercept$kind == "flat") "flat" else paste(prior_label(x$intercept), prior_scale_text(x$intercept$scale)),
      "; auxiliary parameters: flat\n", sep = "")
  s <- x$scale
  if (length(s) == 1L) {
    lambda <- switch(x$kind,
      gaussian = sprintf("sum(beta^2) / (2 * %s^2), ridge with lambda = sigma^2 / %s for a Gaussian likelihood (RSS + lambda ||beta||^2); glmnet's lambda = 1 / (n * %s), alpha = 0 (times sigma^2 for a Gaussian likelihood)",
                         format(s, digits = 4), format(s^2, digits = 4), format(s^2, digits = 4)),
      laplace = sprintf("sum(|beta|) / %s, the lasso; glmnet's lambda = 1 / (n * %s), alpha = 1 (times sigma^2 for a Gaussian likelihood)",
                        format(s, digits = 4), format(s, digits = 4)),
      elastic_net = sprintf("glmnet's elastic net with lambda = 1 / (n * %s), alpha = %s (times sigma^2 for a Gaussian likelihood)", format(s, digits = 4), format(x$mixing)),
      student_t = NULL)
    if (!is.null(lambda)) cat(paste(strwrap(paste0("As a penalty: ", lambda, "."), width = getOption("width") - 2, exdent = 2, prefix = "  "), collapse = "\n"), "\n", sep = "")
  }
  invisible(x)
}

# ---- resolution against a model ---------------------------------------------

# The core's view of a prior for a model: per-coefficient L1, L2 and
# Student t terms (and the centred-intercept combination), or NULL when
# flat. `layout` is cpp_model_layout(); `designs` the formula parts; `w`
# the weights; `y` the coded response; `info` the family's capabilities.
# With `unit = TRUE` the terms are those of a path at lambda = 1 (glmnet's
# per-observation scaling), and `screen` gives lambda_max's divisors.
prior_terms <- function(prior, layout, designs, w, y, family, info, unit = FALSE, call = rlang::caller_env()) {
  if (prior$kind == "flat") return(NULL)
  nm <- layout$names
  P <- length(nm)
  roles <- coefficient_roles(layout, lapply(designs, design_colnames))
  is_aux <- roles$aux
  is_intercept <- roles$intercept
  pen <- roles$penalisable
  pen_names <- nm[pen]
  pf <- expand_per_coefficient(prior$penalty_factor %||% 1, pen_names, "penalty_factor", call)
  scale <- prior$scale %||% bayesglm_scale(family)
  scale <- expand_per_coefficient(scale, pen_names, "scale", call)
  d <- column_scales(designs, layout, w, prior$standardize)[pen]
  if (prior$standardize == "2sd" && info$least_squares) scale <- scale * 2 * stats::sd(y)
  l1 <- l2 <- t_df <- t_scale <- numeric(P)
  W <- sum(w)
  switch(prior$kind,
    gaussian = {
      l2[pen] <- if (unit) W * pf * d^2 else pf * d^2 / scale^2
    },
    laplace = {
      l1[pen] <- if (unit) W * pf * d else pf * d / scale
    },
    elastic_net = {
      a <- prior$mixing
      l1[pen] <- if (unit) W * a * pf * d else a * pf * d / scale
      l2[pen] <- if (unit) W * (1 - a) * pf * d^2 else (1 - a) * pf * d^2 / scale
    },
    student_t = {
      on <- pen
      on[pen] <- pf > 0
      t_df[on] <- prior$df
      t_scale[on] <- (scale / d)[pf > 0]
    })
  out <- list(l1 = l1, l2 = l2, t_df = t_df, t_scale = t_scale, combination = NULL, combination_term = NULL)
  if (unit) {
    out$screen <- numeric(P)
    out$screen[pen] <- W * max(prior$mixing %||% (prior$kind == "laplace"), 1e-3) * pf * d
    out$screen[pen][pf == 0] <- 0
  }
  ip <- prior$intercept
  if (!is.null(ip) && ip$kind != "flat" && any(is_intercept)) {
    iscale <- ip$scale %||% bayesglm_scale(family, intercept = TRUE)
    if (prior$standardize == "2sd" && info$least_squares) iscale <- iscale * 2 * stats::sd(y)
    term <- list(l2 = if (ip$kind == "gaussian") 1 / iscale^2 else 0,
                 t_df = if (ip$kind == "student_t") ip$df else 0, t_scale = if (ip$kind == "student_t") iscale else 0)
    if (prior$standardize == "none") {
      k <- which(is_intercept)
      out$l2[k] <- term$l2
      out$t_df[k] <- term$t_df
      out$t_scale[k] <- term$t_scale
    } else {
      if (sum(is_intercept) > 1L) {
        abort_probml("unsupported", c("An intercept prior on standardised predictors is available for one linear predictor, not {sum(is_intercept)}.",
                                      i = "Use {.code standardize = FALSE}, or a flat intercept prior."), call = call)
      }
      # The intercept at the means of the predictors: intercept + sum(mean_j beta_j).
      means <- column_means(designs, layout, w, weighted = prior$standardize == "sd")
      a <- numeric(P)
      a[is_intercept] <- 1
      same_lp <- !is_aux & layout$linear == layout$linear[is_intercept]
      a[pen & same_lp] <- means[pen & same_lp]
      out$combination <- a
      out$combination_term <- term
    }
  }
  out
}

# What each coefficient of a layout is: an auxiliary parameter, an
# intercept, or a regression coefficient a prior can penalise.
coefficient_roles <- function(layout, part_names) {
  aux <- layout$linear < 0L
  intercept <- !aux
  intercept[!aux] <- mapply(function(part, column) part_names[[part + 1L]][column + 1L] == "(Intercept)",
                            layout$part[!aux], layout$column[!aux])
  list(penalisable = !aux & !intercept, aux = aux, intercept = intercept, names = layout$names)
}

# bayesglm's default scales: 2.5 for coefficients and 10 for the
# intercept, times 1.6 for a probit link.
bayesglm_scale <- function(family, intercept = FALSE) {
  (if (intercept) 10 else 2.5) * (if (identical(family$link, "probit")) 1.6 else 1)
}

# One value per penalised coefficient, from one value, one per coefficient
# in order, or a vector named by the coefficients.
expand_per_coefficient <- function(x, names, arg, call) {
  if (length(x) == 1L && is.null(names(x))) return(rep(x, length(names)))
  if (!is.null(names(x))) {
    unknown <- setdiff(names(x), names)
    missing_names <- setdiff(names, names(x))
    if (length(unknown) || length(missing_names)) {
      abort_probml("length", c("{.arg {arg}} must name every penalised coefficient once.",
                               x = if (length(unknown)) "Not penalised coefficients of the model: {.val {unknown}}.",
                               x = if (length(missing_names)) "Missing: {.val {missing_names}}."), call = call)
    }
    return(unname(x[names]))
  }
  if (length(x) != length(names)) {
    abort_probml("length", c("{.arg {arg}} has {length(x)} value{?s} but the model has {length(names)} penalised coefficient{?s}.",
                             i = "Give one value, one per penalised coefficient ({.val {names}}), or a named vector."), call = call)
  }
  x
}

# Per-coefficient divisors of the standardisation (1 for none, for the
# intercept, for auxiliary parameters and for constant columns).
column_scales <- function(designs, layout, w, standardize) {
  P <- length(layout$names)
  out <- rep(1, P)
  if (standardize == "none") return(out)
  for (k in which(layout$linear >= 0L)) {
    x <- design_column(designs[[layout$part[k] + 1L]], layout$column[k] + 1L)
    if (is.null(x)) next
    s <- if (standardize == "sd") {
      m <- sum(w * x) / sum(w)
      sqrt(sum(w * (x - m)^2) / sum(w))
    } else {
      u <- unique(x)
      if (length(u) == 2L) diff(range(u)) else if (length(u) > 2L) 2 * stats::sd(x) else 1
    }
    if (is.finite(s) && s > 0) out[k] <- s
  }
  out
}

column_means <- function(designs, layout, w, weighted) {
  P <- length(layout$names)
  out <- numeric(P)
  for (k in which(layout$linear >= 0L)) {
    x <- design_column(designs[[layout$part[k] + 1L]], layout$column[k] + 1L)
    if (!is.null(x)) out[k] <- if (weighted) sum(w * x) / sum(w) else mean(x)
  }
  out
}

# Column j of a design: a numeric vector, or NULL for the intercept of a
# column list.
design_column <- function(d, j) {
  if (inherits(d, "probml_columns")) return(d$columns[[j]])
  d[, j]
}
