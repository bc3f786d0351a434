# broom's tidiers for fits, registered for the generics package when it is
# loaded (generics is in Suggests, not a dependency): tidy(), glance() and
# augment() return tibbles when tibble is installed (broom always has it),
# plain data frames otherwise.

tidy_table <- function(df) {
  if (requireNamespace("tibble", quietly = TRUE)) return(tibble::as_tibble(df))
  df
}

#' Tidy summaries of a probml fit (broom)
#'
#' Methods for the generics of \pkg{generics} (re-exported by \pkg{broom}), so
#' `broom::tidy(fit)`, `glance(fit)` and `augment(fit)` work on a fit as on a
#' `glm()` fit, with broom's column names. They are registered when
#' \pkg{generics} is loaded; probml does not depend on it. Each returns a
#' tibble when \pkg{tibble} is installed, otherwise a data frame.
#'
#' * `tidy()`: one row per parameter, as [summary()][summary.probml_fit()]'s
#'   coefficient table (auxiliary parameters such as `log(sigma)` and
#'   cut-points included): `term`, `estimate`, `std.error`, `statistic` (the
#'   Wald z), `p.value`; with `conf.int = TRUE` also `conf.low` and
#'   `conf.high`, Wald intervals from the same standard errors
#'   ([confint()][confint.probml_fit()] gives profile ones). With
#'   `exponentiate = TRUE` the estimates and interval limits are
#'   exponentiated (odds ratios, rate ratios), as broom does for `glm()`.
#' * `glance()`: one row: `null.deviance`, `df.null`, `logLik`, `AIC`, `BIC`,
#'   `deviance`, `df.residual`, `nobs`.
#' * `augment()`: the data with `.fitted` (and `.se.fit` with
#'   `se_fit = TRUE`), `.resid` and, where glm's influence measures are
#'   defined ([influence()][influence.probml_fit()]: maximum-likelihood fits of
#'   families with one linear predictor), `.hat`, `.sigma`, `.cooksd` and
#'   `.std.resid` (standardized deviance residuals whatever
#'   `type.residuals`, which is what broom's glm method returns). Rows of
#'   weight zero get `NA` in these columns (broom's glm method: 0). For `newdata` only
#'   `.fitted` (and `.se.fit`). A prediction with several columns (class
#'   probabilities) gives one `.fitted_<column>` column each.
#'
#' @param x A `probml_fit`.
#' @param conf.int Add confidence limits.
#' @param conf.level Their level.
#' @param exponentiate Exponentiate estimates and limits.
#' @param data The data to augment: by default the fit's model frame. It
#'   must have one row per observation of the fit (with `na.exclude`, the
#'   rows of the original data).
#' @param newdata New data to predict for, instead of `data`.
#' @param type.predict The `type` of [predict()][predict.probml_fit()] for
#'   `.fitted`.
#' @param type.residuals The `type` of [residuals()][residuals.probml_fit()]
#'   for `.resid`.
#' @param se_fit Add the standard errors of `.fitted` as `.se.fit`.
#' @param ... `tidy()`: passed to [summary()][summary.probml_fit()] (e.g.
#'   `information = "expected"`); `glance()` and `augment()`: not used (a
#'   misspelled argument is an error).
#' @return A tibble or data frame.
#' @seealso [summary()][summary.probml_fit()], [residuals()][residuals.probml_fit()],
#'   [influence()][influence.probml_fit()].
#' @examples
#' fit <- fit_mle(type ~ glu + bmi, data = MASS::Pima.tr, family = lik_bernoulli())
#' if (requireNamespace("generics", quietly = TRUE)) {
#'   generics::tidy(fit, conf.int = TRUE, exponentiate = TRUE)
#'   generics::glance(fit)
#'   head(generics::augment(fit, type.predict = "response"))
#' }
#' @name probml_tidiers
NULL

#' @rdname probml_tidiers
#' @exportS3Method generics::tidy
tidy.probml_fit <- function(x, conf.int = FALSE, conf.level = 0.95, exponentiate = FALSE, ...) {
  check_flag(conf.int, "conf.int")
  check_level(conf.level, "conf.level")
  check_flag(exponentiate, "exponentiate")
  tab <- summary(x, ...)$coefficients
  out <- data.frame(term = rownames(tab), estimate = unname(tab[, 1L]), std.error = unname(tab[, 2L]),
                    statistic = unname(tab[, 3L]), p.value = unname(tab[, 4L]), stringsAsFactors = FALSE)
  if (conf.int) {
    z <- stats::qnorm((1 + conf.level) / 2)
    out$conf.low <- out$estimate - z * out$std.error
    out$conf.high <- out$estimate + z * out$std.error
  }
  if (exponentiate) {
    out$estimate <- exp(out$estimate)
    if (conf.int) {
      out$conf.low <- exp(out$conf.low)
      out$conf.high <- exp(out$conf.high)
    }
  }
  tidy_table(out)
}

#' @rdname probml_tidiers
#' @exportS3Method generics::glance
glance.probml_fit <- function(x, ...) {
  check_dots_empty(...)
  null <- null_deviance(x)
  ll <- logLik(x)
  tidy_table(data.frame(null.deviance = null$deviance, df.null = null$df, logLik = as.numeric(ll),
                        AIC = stats::AIC(x), BIC = stats::BIC(x), deviance = stats::deviance(x),
                        df.residual = stats::df.residual(x), nobs = stats::nobs(x)))
}

#' @rdname probml_tidiers
#' @exportS3Method generics::augment
augment.probml_fit <- function(x, data = NULL, newdata = NULL, type.predict = c("link", "response", "prob", "class"),
                               type.residuals = c("deviance", "pearson", "response", "working", "quantile"),
                               se_fit = FALSE, ...) {
  check_dots_empty(...)
  type.predict <- if (missing(type.predict)) "link" else check_choice(type.predict, c("link", "response", "prob", "class"), "type.predict")
  type.residuals <- if (missing(type.residuals)) "deviance" else {
    check_choice(type.residuals, c("deviance", "pearson", "response", "working", "quantile"), "type.residuals")
  }
  check_flag(se_fit, "se_fit")
  if (!is.null(newdata)) {
    if (!is.null(data)) abort_probml("unsupported", "Give {.arg data} or {.arg newdata}, not both.")
    pred <- predict(x, newdata, type = type.predict, se.fit = se_fit)
    return(tidy_table(add_fitted(as.data.frame(newdata), pred, se_fit)))
  }
  if (is.null(data)) {
    data <- x$model
    if (is.null(data)) {
      abort_probml("unsupported", "This fit keeps no model frame (a matrix fit, or {.code model = FALSE}): give {.arg data}.")
    }
  }
  if (!is.data.frame(data)) abort_probml("type", "{.arg data} must be a data frame, not {.obj_type_friendly {data}}.")
  pred <- predict(x, type = type.predict, se.fit = se_fit)
  n <- NROW(if (se_fit) pred$fit else pred)
  if (nrow(data) != n) {
    abort_probml("value", c("{.arg data} has {nrow(data)} row{?s}; the fit's predictions have {n}.",
                            i = "Give the data the model was fitted to (with {.code na.exclude}, all its rows)."))
  }
  out <- add_fitted(data, pred, se_fit)
  res <- residuals(x, type.residuals)
  if (is.matrix(res)) {
    for (j in seq_len(ncol(res))) out[[paste0(".resid_", colnames(res)[j])]] <- unname(res[, j])
  } else {
    out$.resid <- unname(res)
  }
  info <- fit_family_info(x)
  if (!is_map_fit(x) && has_working_quantities(info)) {
    # glm's measures cover the rows of positive weight (padded to the
    # original rows with na.exclude): NA for the others
    infl <- influence(x, do.coef = FALSE)
    keep <- if (is.null(x$na.action)) rep(TRUE, length(infl$dev.res)) else !is.na(infl$dev.res)
    by_row <- function(v) {
      full <- rep(NA_real_, length(x$prior_weights))
      full[x$prior_weights > 0] <- v[keep]
      if (is.null(x$na.action)) full else naresid(x$na.action, full)
    }
    hat <- infl$hat
    sig <- infl$sigma
    out$.hat <- unname(by_row(hat))
    out$.sigma <- unname(by_row(sig))
    out$.cooksd <- unname(by_row(cooks.distance(x)))
    out$.std.resid <- unname(by_row(rstandard(x)))
  }
  tidy_table(out)
}

# `data` with the predictions as .fitted (.fitted_<column> for a matrix, as
# class probabilities) and .se.fit.
add_fitted <- function(data, pred, se_fit) {
  add <- function(df, value, name) {
    if (is.matrix(value)) {
      for (j in seq_len(ncol(value))) df[[paste0(name, "_", colnames(value)[j])]] <- unname(value[, j])
    } else {
      df[[name]] <- unname(value)
    }
    df
  }
  if (!se_fit) return(add(data, pred, ".fitted"))
  add(add(data, pred$fit, ".fitted"), pred$se.fit, ".se.fit")
}

#' probml results as data frames
#'
#' The table a result holds, as a plain data frame:
#'
#' * a [summary()][summary.probml_fit()] of a fit: its coefficient table
#'   (`Estimate`, `Std. Error`, `z value`, `Pr(>|z|)`), one row per parameter;
#' * a [cal_curve()]: one row per model and bin (`model`, `bin`, `lower`,
#'   `upper`, `count`, `weight`, `mean_predicted`, `observed`, `ci_lower`,
#'   `ci_upper`, and the consistency band when computed);
#' * a [cv_map()] result: one row per strength (`lambda`, `scale`, the
#'   cross-validated score `cvm`, its standard error `cvsd`, `df`);
#' * a [simulate_estimator()] study: one row per sample size (`n`, `mean`,
#'   `bias`, `variance`, `mse`, `mse_check`, `crb`, `efficiency`).
#'
#' ([map_path()] results have their own method, one row per strength.)
#'
#' @param x The result.
#' @param row.names,optional As for [base::as.data.frame()]: `row.names`
#'   replaces the row names; `optional` is ignored.
#' @param ... Not used: a misspelled argument is an error.
#' @return A data frame.
#' @examples
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson())
#' as.data.frame(summary(fit))
#' set.seed(1)
#' y <- rbinom(200, 1, 0.4)
#' as.data.frame(cal_curve(y, runif(200), bins = 5))
#' @name probml_as_data_frame
NULL

as_plain_frame <- function(df, row.names) {
  if (!is.null(row.names)) rownames(df) <- row.names
  df
}

#' @rdname probml_as_data_frame
#' @export
as.data.frame.summary.probml_fit <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_dots_empty(...)
  as_plain_frame(as.data.frame(x$coefficients, optional = TRUE), row.names)
}

#' @rdname probml_as_data_frame
#' @export
as.data.frame.probml_cal_curve <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_dots_empty(...)
  as_plain_frame(x$table, row.names)
}

#' @rdname probml_as_data_frame
#' @export
as.data.frame.probml_cv <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_dots_empty(...)
  as_plain_frame(data.frame(lambda = x$lambda, scale = path_scales(x$path)[seq_along(x$lambda)], cvm = x$cvm,
                            cvsd = x$cvsd, df = x$df), row.names)
}

#' @rdname probml_as_data_frame
#' @export
as.data.frame.probml_estimator_study <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_dots_empty(...)
  as_plain_frame(x$summary, row.names)
}
