# Covariance matrices of a fit's estimates: model-based (observed or
# expected information), sandwich (HC0-HC3), cluster-robust, and scaled by a
# dispersion; and the choice summary() and confint() make among them.

vcov_types <- c("observed", "expected", "sandwich", "HC0", "HC1", "HC2", "HC3")

#' Covariance matrix of the estimates
#'
#' The model-based covariance is the inverse of the information at the
#' estimate; the sandwich (heteroscedasticity-consistent) covariances do not
#' trust the likelihood's variance and estimate it from the per-row scores.
#'
#' * `"observed"` (the default): the inverse of the negative Hessian of the
#'   log-likelihood at the estimate.
#' * `"expected"`: the inverse Fisher information, `glm()`'s choice
#'   (available for the Gaussian, Laplace, Student t with fixed df,
#'   Bernoulli, categorical, Poisson, beta and heteroscedastic Gaussian
#'   families). For canonical links (logit, log, identity) it equals the
#'   observed one. The Laplace family always uses the expected information,
#'   since its log-likelihood has no curvature in the location.
#' * `"sandwich"` or `"HC0"`: \eqn{B^{-1} M B^{-1}}{B^-1 M B^-1}, with
#'   \eqn{M = \sum_i s_i s_i'}{M = sum_i s_i s_i'} over the rows' weighted
#'   scores \eqn{s_i}{s_i} of every parameter and the bread \eqn{B} the
#'   expected information where the family has one (as `glm()`'s IRLS
#'   does) and the observed one otherwise. For the families `glm()` has this
#'   is `sandwich::vcovHC(type = "HC0")` of the `glm()` fit; for the others
#'   it is the same estimator over all parameters, scale and shape
#'   included.
#' * `"HC1"`: HC0 times \eqn{n / (n - p)}{n / (n - p)}, with `n - p` =
#'   [stats::df.residual()] (`p` counts the regression coefficients).
#' * `"HC2"`, `"HC3"`: each row's score divided by
#'   \eqn{\sqrt{1 - h_i}}{sqrt(1 - h_i)} or \eqn{1 - h_i}{1 - h_i}, with
#'   the leverages \eqn{h_i}{h_i} of [hatvalues()][hatvalues.probml_fit()]
#'   (families with one linear predictor).
#'
#' With `cluster`, the scores are summed within clusters before the meat is
#' formed, and multiplied by \eqn{G / (G - 1)}{G / (G - 1)} for `G`
#' clusters: `sandwich::vcovCL()` with its defaults for a `glm()` fit
#' (`type = "HC0"`, `cadjust = TRUE`); `type = "HC1"` multiplies by
#' \eqn{(n - 1) / (n - p)}{(n - 1) / (n - p)} as well, as `vcovCL(type =
#' "HC1")` does (its default for an `lm()` fit). Without a `type`, a
#' `cluster` means `"HC0"`.
#'
#' `dispersion` gives quasi-likelihood standard errors: the rows and
#' columns of the regression coefficients are scaled so that their block is
#' the unscaled covariance times the dispersion, as `summary.glm(dispersion
#' = )` does. `"pearson"` is the moment estimate
#' \eqn{\sum_i w_i r_i^2 / (n - p)}{sum_i w_i r_i^2 / (n - p)} over glm's
#' working weights and residuals: a Poisson fit then has the standard
#' errors of `glm(family = quasipoisson)`, a Bernoulli fit those of
#' `quasibinomial`, and a Gaussian fit those of `glm()` and `lm()` (the
#' unbiased \eqn{RSS / (n - p)}{RSS / (n - p)} in place of the ML
#' \eqn{RSS / n}{RSS / n}).
#'
#' Rows of weight zero are not observations: they add nothing to the
#' meat and do not count in `n` (nor in `G`). `sandwich::vcovHC()` of a
#' `glm()` fit with zero weights counts them in `n`, which scales its
#' estimate by \eqn{(n_+ / n)^2}{(n+ / n)^2}; it agrees with probml on the
#' fit without those rows.
#'
#' Sandwich and dispersion-scaled covariances are defined for
#' maximum-likelihood fits; for a MAP fit only the model-based ones (the
#' Laplace approximation's posterior covariance) are.
#'
#' @param object A `probml_fit`.
#' @param type `"observed"`, `"expected"`, `"sandwich"` (= `"HC0"`),
#'   `"HC0"`, `"HC1"`, `"HC2"` or `"HC3"`; see Details.
#' @param cluster `NULL`, or the cluster of each row for cluster-robust
#'   standard errors: a vector with one element per row of the fit (or per
#'   row of the data, when rows with missing values were omitted), or a
#'   one-sided formula such as `~ id` of one variable, evaluated in the
#'   fit's `data`. Only with a sandwich `type` (HC0 or HC1).
#' @param dispersion `NULL` (the likelihood's own), `"pearson"` (the moment
#'   estimate) or a positive number: the dispersion that scales the
#'   regression coefficients' block. Only with `"observed"` or
#'   `"expected"`.
#' @param complete Include rows and columns of `NA` for aliased coefficients.
#' @param ... Not used: a misspelled argument is an error.
#' @return A named covariance matrix.
#' @seealso [summary()][summary.probml_fit()] and
#'   [confint()][confint.probml_fit()], which take the choice as `vcov`.
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr,
#'                family = lik_bernoulli("probit"))
#' vcov(fit)
#' vcov(fit, type = "expected")
#' vcov(fit, type = "HC3")
#'
#' # Overdispersed counts: quasi-Poisson standard errors
#' pois <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' sqrt(diag(vcov(pois, dispersion = "pearson")))
#'
#' # Cluster-robust: the groups of one tobacco level share a cluster
#' cancer <- fit_mle(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph,
#'                   family = binomial())
#' sqrt(diag(vcov(cancer, cluster = ~ tobgp)))
#' summary(cancer, vcov = vcov(cancer, cluster = ~ tobgp))
#' @export
vcov.probml_fit <- function(object, type = c("observed", "expected", "sandwich", "HC0", "HC1", "HC2", "HC3"),
                            cluster = NULL, dispersion = NULL, complete = TRUE, ...) {
  check_dots_empty(...)
  type <- if (missing(type)) if (is.null(cluster)) "observed" else "HC0" else check_choice(type, vcov_types, "type")
  check_flag(complete, "complete")
  V <- fit_covariance(object, type, cluster, dispersion)
  if (!complete) return(V)
  nm <- names(object$coefficients)
  out <- matrix(NA_real_, length(nm), length(nm), dimnames = list(nm, nm))
  out[rownames(V), colnames(V)] <- V
  out
}

# The covariance over the estimated parameters.
fit_covariance <- function(object, type, cluster, dispersion, call = rlang::caller_env()) {
  if (type == "sandwich") type <- "HC0"
  robust <- !type %in% c("observed", "expected")
  if (!is.null(cluster) && !robust) {
    abort_probml("unsupported", c("{.arg cluster} needs a sandwich {.arg type} (\"HC0\" or \"HC1\"), not {.val {type}}.",
                                  i = "Leave {.arg type} out for {.fn sandwich::vcovCL}'s default, HC0."), call = call)
  }
  if (!is.null(dispersion) && robust) {
    abort_probml("unsupported", c("{.arg dispersion} scales a model-based covariance; the {type} sandwich does not depend on it.",
                                  i = "Use {.code type = \"observed\"} or {.code \"expected\"} with {.arg dispersion}."), call = call)
  }
  if (is_map_fit(object) && (robust || !is.null(dispersion))) {
    what <- if (robust) "Sandwich covariances are" else "A dispersion-scaled covariance is"
    abort_probml("unsupported", c("{what} defined for maximum-likelihood fits, not MAP fits.",
                                  i = "A MAP fit's covariance is the Laplace approximation's posterior covariance: {.code type = \"observed\"} or {.code \"expected\"}."),
                 call = call)
  }
  if (robust) return(sandwich_covariance(object, type, cluster, call))
  V <- model_covariance(object, type, call)
  if (is.null(dispersion)) V else scale_dispersion(object, V, dispersion, call)
}

# The inverse observed or expected information at the estimate.
model_covariance <- function(object, type, call = rlang::caller_env()) {
  V <- object$vcov
  if (type == "expected" && object$information != "expected") {
    info <- fit_family_info(object)
    if (!info$has_expected) {
      abort_probml("unsupported", "The expected information is not available for the {info$label} family.", call = call)
    }
    V <- if (has_l1(object$prior_spec)) l1_covariance(object, expected = TRUE) else information_covariance(object, expected = TRUE)
  }
  if (is.null(V)) {
    V <- matrix(NA_real_, sum(object$estimated), sum(object$estimated),
                dimnames = rep(list(names(object$coefficients)[object$estimated]), 2))
  }
  V
}

# The regression block scaled to dispersion phi: the covariance is the
# likelihood's dispersion times an unscaled matrix, so the block is
# multiplied by phi / (the likelihood's dispersion) and the cross terms with
# the auxiliary parameters by its square root.
scale_dispersion <- function(object, V, dispersion, call) {
  phi <- if (identical(dispersion, "pearson")) {
    glm_dispersion(object, moment = TRUE, call = call)
  } else {
    if (is.character(dispersion)) check_choice(dispersion, "pearson", "dispersion", call = call)
    check_number(dispersion, "dispersion", positive = TRUE, call = call)
    dispersion
  }
  d <- rep(1, nrow(V))
  d[regression_parameters(object)[object$estimated]] <- sqrt(phi / family_moments(object)$dispersion)
  V * outer(d, d)
}

# Which coefficients are regression coefficients (the auxiliary ones come last).
regression_parameters <- function(object) {
  k <- length(object$coefficients)
  seq_len(k) <= k - fit_family_info(object)$n_aux
}

# B^-1 (sum of the outer products of the rows' or clusters' scores) B^-1.
sandwich_covariance <- function(object, type, cluster, call) {
  info <- fit_family_info(object)
  bread <- model_covariance(object, if (info$has_expected) "expected" else "observed", call = call)
  S <- row_scores(object, call = call)
  used <- object$prior_weights > 0
  n <- object$nobs
  if (type %in% c("HC2", "HC3")) {
    if (!is.null(cluster)) {
      abort_probml("unsupported", "{.arg cluster} is available with {.code type = \"HC0\"} or {.code \"HC1\"}, not {.val {type}}.", call = call)
    }
    h <- numeric(length(used))
    hv <- stats::hatvalues(object)
    h[used] <- hv[!is.na(hv)]
    S <- S / if (type == "HC2") sqrt(1 - h) else 1 - h
  }
  adjust <- if (type == "HC1") n / stats::df.residual(object) else 1
  if (!is.null(cluster)) {
    g <- cluster_values(object, cluster, call)[used]
    S <- rowsum(S[used, , drop = FALSE], g, reorder = FALSE)
    G <- nrow(S)
    if (G < 2L) abort_probml("degenerate", "{.arg cluster} puts every observation in one cluster; at least two are needed.", call = call)
    adjust <- G / (G - 1) * if (type == "HC1") (n - 1) / stats::df.residual(object) else 1
  }
  V <- bread %*% crossprod(S) %*% bread * adjust
  dimnames(V) <- dimnames(bread)
  V
}

# Per-row scores of the estimated parameters (n x k): the prior weight times
# the gradient of the row's log-likelihood, chained from the family's local
# derivatives through the designs by the core's coefficient layout.
row_scores <- function(object, call = rlang::caller_env()) {
  info <- fit_family_info(object)
  parts <- model_parts(object, call = call)
  layout <- call_core(cpp_model_layout(core_model(object, parts), lapply(parts, design_colnames)), call = call)
  d1 <- cpp_family_local(family_spec(object$family, object$levels), object$linear_predictors, object$y,
                         aux_values(object, info), 1L)$d1
  X <- lapply(parts, dense_design)
  est <- which(object$estimated)
  n_coef <- length(object$coefficients)
  S <- vapply(est, function(k) {
    j <- layout$linear[k]
    if (j >= 0L) d1[, j + 1L] * X[[layout$part[k] + 1L]][, layout$column[k] + 1L]
    else d1[, info$n_linear + k - (n_coef - info$n_aux)]
  }, numeric(nrow(d1)))
  S <- -object$prior_weights * matrix(S, nrow(d1), length(est))
  S[object$prior_weights == 0, ] <- 0
  colnames(S) <- names(object$coefficients)[est]
  S
}

# A design as a dense matrix (columns read in place are bound; NULL is the intercept).
dense_design <- function(d) {
  if (!inherits(d, "probml_columns")) return(d)
  do.call(cbind, lapply(d$columns, function(v) if (is.null(v)) rep(1, d$n) else v))
}

# The cluster of each row of the fit: a vector, or a one-sided formula of
# one variable evaluated in the fit's data (with its subset; rows the fit
# omitted for missing values are dropped).
cluster_values <- function(object, cluster, call) {
  n <- length(object$y)
  omitted <- object$na.action
  if (inherits(cluster, "formula")) {
    if (length(cluster) != 2L || length(all.vars(cluster)) != 1L) {
      abort_probml("formula", "{.arg cluster} must be a one-sided formula of one variable, such as {.code ~ id}.", call = call)
    }
    if (is.null(object$formula)) {
      abort_probml("unsupported", "{.arg cluster} as a formula needs a formula fit; give this matrix fit a vector of clusters.", call = call)
    }
    mf <- object$call[c(1L, match(c("data", "subset"), names(object$call), 0L))]
    mf$formula <- cluster
    mf$na.action <- quote(stats::na.pass)
    mf[[1L]] <- quote(stats::model.frame)
    fr <- tryCatch(eval(mf, environment(object$formula)), error = function(e) {
      abort_probml("data", c("Could not evaluate {.arg cluster} in the fit's data.", x = conditionMessage(e)), call = call)
    })
    cluster <- fr[[1L]]
  } else if (!is.atomic(cluster) || !is.null(dim(cluster)) && NCOL(cluster) != 1L) {
    abort_probml("type", "{.arg cluster} must be a vector of cluster labels or a formula such as {.code ~ id}, not {.obj_type_friendly {cluster}}.",
                 call = call)
  }
  cluster <- as.vector(if (is.factor(cluster)) as.character(cluster) else cluster)
  if (!is.null(omitted) && length(cluster) == n + length(omitted)) cluster <- cluster[-omitted]
  if (length(cluster) != n) {
    abort_probml("length", "{.arg cluster} has length {length(cluster)} but the fit has {n} observations.", call = call)
  }
  if (anyNA(cluster)) {
    abort_probml("missing", "{.arg cluster} contains missing values (observation {which(is.na(cluster))[1]}); every observation needs a cluster.",
                 call = call)
  }
  cluster
}

# The covariance summary() and confint() use: a type of vcov.probml_fit()
# (with a dispersion) or a matrix over the coefficients. Returns list(V, label).
chosen_covariance <- function(object, vcov, dispersion = NULL, call = rlang::caller_env()) {
  if (is.matrix(vcov)) {
    if (!is.null(dispersion)) {
      abort_probml("unsupported", "{.arg dispersion} applies to a {.arg vcov} type, not to a given matrix.", call = call)
    }
    return(list(V = given_covariance(object, vcov, call), label = "the covariance matrix given as `vcov`"))
  }
  type <- check_choice(vcov, vcov_types, "vcov", call = call)
  V <- vcov.probml_fit(object, type = type, dispersion = dispersion)
  if (type %in% c("observed", "expected")) {
    label <- paste0("the ", if (object$information == "expected") "expected" else type, " information")
  } else {
    label <- paste0("the sandwich estimator (", if (type == "sandwich") "HC0" else type, ")")
  }
  if (identical(dispersion, "pearson")) {
    label <- paste0(label, ", scaled by the Pearson dispersion ", format(glm_dispersion(object, moment = TRUE), digits = 4))
  } else if (!is.null(dispersion)) {
    label <- paste0(label, ", scaled to dispersion ", format(dispersion, digits = 4))
  }
  list(V = V, label = label)
}

# A covariance matrix given for the coefficients: square, numeric, over all
# coefficients (or the estimated ones), in their order where it has names.
given_covariance <- function(object, V, call) {
  nm <- names(object$coefficients)
  ok_dim <- is.numeric(V) && nrow(V) == ncol(V) && nrow(V) %in% c(length(nm), sum(object$estimated))
  if (!ok_dim) {
    abort_probml("type", "{.arg vcov} must be a type name or a numeric {length(nm)} x {length(nm)} covariance matrix of the coefficients, not a {nrow(V)} x {ncol(V)} {typeof(V)} matrix.",
                 call = call)
  }
  keep <- if (nrow(V) == length(nm)) nm else nm[object$estimated]
  if (!is.null(rownames(V)) && !identical(rownames(V), keep) || !is.null(colnames(V)) && !identical(colnames(V), keep)) {
    abort_probml("value", "The names of {.arg vcov}'s rows and columns must be the coefficients', in order.", call = call)
  }
  dimnames(V) <- list(keep, keep)
  out <- matrix(NA_real_, length(nm), length(nm), dimnames = list(nm, nm))
  out[keep, keep] <- V
  out
}
