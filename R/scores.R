#' Log loss (cross-entropy) of predicted probabilities
#'
#' The mean negative log-probability that the predictions gave the observed
#' outcomes: the binary or softmax cross-entropy, which is the Bernoulli or
#' categorical negative log-likelihood per observation.
#'
#' A probability of exactly 0 for an observed outcome costs `Inf` (the
#' honest answer: the model said it could not happen). Give `eps` to clip
#' probabilities into `[eps, 1 - eps]` first, as scikit-learn once did. The
#' result is never `NaN`.
#'
#' @section Data frames:
#' Like yardstick's metrics, the function also takes a data frame `y` of
#' outcomes and predictions: `f(y, truth, estimate, ...)`, where `truth`
#' and `estimate` select columns (tidy-eval: bare names, strings or
#' tidyselect helpers such as `starts_with(".pred_")`). `truth` is a factor,
#' logical or 0/1 column (the event is `TRUE`, 1, or the second level of a
#' factor, as in [glm()]); `estimate` selects one column of probabilities of
#' the event, or one column per level of `truth`, named after the levels in
#' any order (they are put in the order of the levels). `weights` may name
#' a column too. The result is exactly that of the vector call on those
#' columns.
#'
#' Grouping gives one result per group: `.by` selects grouping columns
#' (tidyselect, as in dplyr 1.1: the groups come in order of first
#' appearance), or `y` is a dplyr grouped data frame (its groups, in its
#' order; `.by` cannot be given as well). A grouped call returns a data
#' frame (a tibble when `y` is one) with the group columns and one row per
#' group, the value in a column named after the function.
#'
#' @param y Outcomes: 0/1 (numeric or logical) or a two-level factor for a
#'   vector `p`; a factor whose levels match the columns of a matrix `p`.
#'   Or a data frame holding outcomes and predictions (see the section
#'   Data frames).
#' @param truth For a data frame `y`: the column of outcomes (tidy-eval).
#' @param estimate For a data frame `y`: the column of probabilities of the
#'   event, or one column per class named after the levels of `truth`
#'   (tidy-eval).
#' @param .by For a data frame `y`: optional grouping columns (tidy-eval).
#' @param p Predicted probabilities: of the event (`y == 1`, or the second
#'   factor level) for binary outcomes, or a matrix with one column per
#'   class whose rows sum to 1.
#' @param weights Optional non-negative observation weights; for a data
#'   frame `y`, a column of it (tidy-eval).
#' @param eps Optional clipping constant in `(0, 0.5)`.
#' @param ... Further arguments of the vector method (for a data frame `y`,
#'   such as `eps`; they must be named). Otherwise not used: a misspelled
#'   argument is an error.
#' @return A number; for a grouped data frame, a data frame with one row
#'   per group.
#' @examples
#' log_loss(c(1, 0, 1, 1, 0), c(0.9, 0.1, 0.8, 0.7, 0.3))
#' # A confident mistake
#' log_loss(0, 0.99)
#'
#' # A data frame of predictions, as yardstick takes them
#' d <- data.frame(y = factor(c("no", "yes", "yes", "no", "yes", "no")),
#'                 .pred_yes = c(0.2, 0.9, 0.6, 0.4, 0.7, 0.1),
#'                 model = rep(c("a", "b"), each = 3))
#' log_loss(d, y, .pred_yes)
#' log_loss(d, y, .pred_yes, .by = model)
#' if (requireNamespace("dplyr", quietly = TRUE)) {
#'   log_loss(dplyr::group_by(d, model), y, .pred_yes)
#' }
#' @export
log_loss <- function(y, ...) UseMethod("log_loss")

#' @rdname log_loss
#' @export
log_loss.default <- function(y, p, weights = NULL, eps = NULL, ...) {
  check_dots_empty(...)
  check_number(eps, "eps", lower = .Machine$double.xmin, upper = 0.5 - 1e-12, allow_null = TRUE)
  if (!is.matrix(p) || ncol(p) == 1L) {
    b <- check_binary_problem(y, drop_one_column(p), weights)
    return(cpp_log_loss_binary(b$y, b$p, b$w, if (is.null(eps)) 0 else eps))
  }
  m <- check_class_problem(y, p, weights)
  prob <- m$p[cbind(seq_along(m$y), m$y + 1L)]
  w <- m$w
  if (!is.null(eps)) prob <- pmin(pmax(prob, eps), 1 - eps)
  counted <- w > 0
  loss <- ifelse(prob[counted] > 0, -log(prob[counted]), Inf)
  if (any(is.infinite(loss))) return(Inf)
  sum(w[counted] * loss) / sum(w)
}

#' @rdname log_loss
#' @export
log_loss.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  frame_metric(y, f, "log_loss", function(y, p, w) log_loss(y, p, weights = w, ...))
}

#' Brier score
#'
#' The mean squared difference between predicted probabilities and
#' outcomes: for binary outcomes \eqn{\frac1n\sum_i (p_i - y_i)^2}{mean((p - y)^2)};
#' for a probability matrix the squared error summed over the classes
#' (so a binary problem written as two columns scores twice its vector form).
#' A model that always says 0.5 scores 0.25.
#'
#' @inheritParams log_loss
#' @inheritSection log_loss Data frames
#' @return A number; for a grouped data frame, a data frame with one row
#'   per group.
#' @examples
#' brier_score(c(1, 0, 1, 1, 0), c(0.9, 0.1, 0.8, 0.7, 0.3))
#' brier_score(rbinom(100, 1, 0.3), rep(0.5, 100))  # 0.25
#'
#' # A data frame with a probability column per class
#' d <- data.frame(class = factor(c("a", "b", "c", "b")),
#'                 b = c(0.1, 0.7, 0.2, 0.5), a = c(0.8, 0.2, 0.2, 0.3),
#'                 c = c(0.1, 0.1, 0.6, 0.2))
#' brier_score(d, class, c(a, b, c))
#' @export
brier_score <- function(y, ...) UseMethod("brier_score")

#' @rdname brier_score
#' @export
brier_score.default <- function(y, p, weights = NULL, ...) {
  check_dots_empty(...)
  if (!is.matrix(p) || ncol(p) == 1L) {
    b <- check_binary_problem(y, drop_one_column(p), weights)
    return(cpp_brier_binary(b$y, b$p, b$w))
  }
  m <- check_class_problem(y, p, weights)
  onehot <- outer(m$y, seq_len(ncol(m$p)) - 1, `==`)
  sum(m$w * rowSums((m$p - onehot)^2)) / sum(m$w)
}

#' @rdname brier_score
#' @export
brier_score.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  frame_metric(y, f, "brier_score", function(y, p, w) brier_score(y, p, weights = w, ...))
}

# A one-column matrix of probabilities is a vector.
drop_one_column <- function(p) if (is.matrix(p) && ncol(p) == 1L) p[, 1L] else p

#' Expected and maximum calibration error
#'
#' Predictions are grouped into bins; within each bin the mean prediction is
#' compared with the observed frequency. `ece()` averages the absolute gaps
#' weighted by the bins' shares of the data, `mce()` takes the largest gap
#' over the non-empty bins. A prediction of exactly 1 falls in the last bin.
#'
#' For a probability matrix, `type = "top-label"` scores the confidence
#' (largest probability) against whether the top class was right, and
#' `type = "classwise"` averages the binary calibration errors of the K
#' one-vs-rest problems.
#'
#' @inheritParams log_loss
#' @param bins The number of bins.
#' @param strategy `"uniform"`: bins of equal width on \[0, 1\];
#'   `"quantile"`: bins holding about equal numbers of predictions.
#' @param type For multiclass `p`: `"top-label"` or `"classwise"`.
#' @param ... Further arguments of the vector method (for a data frame `y`,
#'   such as `bins`; they must be named). Otherwise not used: a
#'   misspelled argument is an error.
#' @inheritSection log_loss Data frames
#' @return A number; for a grouped data frame, a data frame with one row
#'   per group.
#' @examples
#' set.seed(1)
#' p <- runif(1000)
#' y <- rbinom(1000, 1, p^2)  # overconfident in the middle
#' ece(y, p)
#' mce(y, p, bins = 5)
#' ece(y, rep(0.5, 1000))  # |0.5 - mean(y)|
#'
#' d <- data.frame(y = y, p = p, half = rep(c("first", "second"), each = 500))
#' ece(d, y, p)
#' mce(d, y, p, bins = 5, .by = half)
#' @export
ece <- function(y, ...) UseMethod("ece")

#' @rdname ece
#' @export
ece.default <- function(y, p, bins = 10L, strategy = c("uniform", "quantile"), weights = NULL,
                type = c("top-label", "classwise"), ...) {
  check_dots_empty(...)
  calibration_error(y, p, bins, if (missing(strategy)) "uniform" else strategy, weights,
                    if (missing(type)) "top-label" else type, summary = "mean")
}

#' @rdname ece
#' @export
ece.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  frame_metric(y, f, "ece", function(y, p, w) ece(y, p, weights = w, ...))
}

#' @rdname ece
#' @export
mce <- function(y, ...) UseMethod("mce")

#' @rdname ece
#' @export
mce.default <- function(y, p, bins = 10L, strategy = c("uniform", "quantile"), weights = NULL,
                type = c("top-label", "classwise"), ...) {
  check_dots_empty(...)
  calibration_error(y, p, bins, if (missing(strategy)) "uniform" else strategy, weights,
                    if (missing(type)) "top-label" else type, summary = "max")
}

#' @rdname ece
#' @export
mce.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  frame_metric(y, f, "mce", function(y, p, w) mce(y, p, weights = w, ...))
}

calibration_error <- function(y, p, bins, strategy, weights, type, summary, call = rlang::caller_env()) {
  check_number(bins, "bins", lower = 1, upper = 1e6, integer = TRUE, call = call)
  strategy <- check_choice(strategy, c("uniform", "quantile"), "strategy", call = call)
  type <- check_choice(type, c("top-label", "classwise"), "type", call = call)
  gap <- function(b) {
    tab <- bin_table(b, bins, strategy)
    tab <- tab[tab$weight > 0, , drop = FALSE]
    gaps <- abs(tab$mean_predicted - tab$observed)
    if (summary == "max") max(gaps) else sum(tab$weight * gaps) / sum(tab$weight)
  }
  if (!is.matrix(p) || ncol(p) == 1L) return(gap(check_binary_problem(y, drop_one_column(p), weights, call = call)))
  m <- check_class_problem(y, p, weights, call = call)
  w <- if (is.null(weights)) numeric(0) else m$w
  # One problem for top-label, K for classwise, whose errors are averaged.
  mean(vapply(multiclass_binary_problems(m, type), function(b) gap(c(b, list(w = w))), numeric(1)))
}

# The binary problems of a checked class problem `m` (check_class_problem()),
# named by class: for "classwise" the K one-vs-rest problems (y == k, p[, k]);
# for "top-label" one, the confidence (largest probability) against whether
# the top class was right. ece(), mce(), cal_curve() and one-vs-rest
# calibrate() all use them.
multiclass_binary_problems <- function(m, type) {
  if (type == "top-label") {
    top <- max.col(m$p, ties.method = "first")
    return(list(`top-label` = list(y = as.double(top == m$y + 1L), p = m$p[cbind(seq_along(top), top)])))
  }
  labels <- class_names_or_numbers(m$levels, ncol(m$p))
  stats::setNames(lapply(seq_along(labels), function(k) list(y = as.double(m$y == k - 1L), p = m$p[, k])), labels)
}

# Bin edges and per-bin sums of a checked binary problem. Quantile bins
# use the weighted quantiles, so that a weight acts as that many copies of
# its row.
bin_table <- function(b, bins, strategy) {
  if (strategy == "uniform") {
    edges <- seq(0, 1, length.out = bins + 1L)
  } else {
    edges <- unique(c(0, weighted_quantile(b$p, b$w, seq_len(bins - 1L) / bins), 1))
  }
  s <- cpp_bin_binary(b$y, b$p, b$w, edges, strategy == "uniform")
  with_weight <- s$weight > 0
  data.frame(
    bin = seq_along(s$count), lower = utils::head(edges, -1L), upper = utils::tail(edges, -1L),
    count = as.integer(s$count), weight = s$weight, weight2 = s$weight2,
    mean_predicted = ifelse(with_weight, s$sum_p / s$weight, NA_real_),
    observed = ifelse(with_weight, s$sum_y / s$weight, NA_real_),
    sum_p = s$sum_p, sum_y = s$sum_y, sum_pp = s$sum_pp, sum_py = s$sum_py
  )
}

# Weighted quantiles that equal R's type-7 quantiles of the data with each
# row repeated w times when the weights are whole numbers: the quantile at
# probability q sits at position h = (W - 1) q + 1 of the expanded sample,
# W the total weight, interpolated between the order statistics around it.
weighted_quantile <- function(x, w, probs) {
  if (!length(w)) return(stats::quantile(x, probs = probs, names = FALSE, type = 7))
  keep <- w > 0
  x <- x[keep]
  w <- w[keep]
  o <- order(x)
  x <- x[o]
  cum <- cumsum(w[o])
  total <- cum[length(cum)]
  h <- (total - 1) * probs + 1
  # The order statistic at (1-based) position t of the expanded sample.
  at <- function(t) x[pmin(findInterval(t - 1e-9 * total, cum) + 1L, length(x))]
  lo <- floor(h)
  at(lo) + (h - lo) * (at(lo + 1) - at(lo))
}

#' Decompose the Brier score
#'
#' Splits the Brier score of binary predictions into reliability
#' (miscalibration: lower is better), resolution (how far the calibrated
#' predictions move from the base rate: higher is better) and uncertainty
#' (the base rate's own Brier score, \eqn{\bar y(1 - \bar y)}{ybar (1 - ybar)}).
#'
#' * `method = "binned"` (Murphy's decomposition on bins of the predictions)
#'   holds only up to two within-bin terms, which are reported, not hidden:
#'   \deqn{BS = REL - RES + UNC + WBV - 2\,WBC,}{BS = REL - RES + UNC + WBV - 2 WBC,}
#'   with WBV the within-bin variance of the predictions and WBC their
#'   within-bin covariance with the outcomes. The parts sum to the Brier
#'   score exactly. A prediction of exactly 1 falls in the last bin.
#' * `method = "corp"` (Dimitriadis, Gneiting and Jordan 2021) recalibrates
#'   the predictions by isotonic regression (PAV) instead of binning; then
#'   \eqn{BS = REL - RES + UNC}{BS = REL - RES + UNC} exactly, with no
#'   within-bin terms and no choice of bins.
#'
#' @inheritParams ece
#' @param method `"binned"` or `"corp"`.
#' @inheritSection log_loss Data frames
#' @return An object of class `probml_brier_decomp`: a list with `brier`,
#'   `reliability`, `resolution`, `uncertainty` and, for the binned method,
#'   `within_bin_variance` and `within_bin_covariance`. For a grouped data
#'   frame, a data frame with the group columns and one column per
#'   component, one row per group.
#' @examples
#' set.seed(2)
#' p <- runif(500)
#' y <- rbinom(500, 1, p)
#' brier_decomp(y, p)
#' brier_decomp(y, p, method = "corp")
#'
#' d <- data.frame(y = y, p = p, g = rep(c("a", "b"), 250))
#' brier_decomp(d, y, p, method = "corp", .by = g)
#' @export
brier_decomp <- function(y, ...) UseMethod("brier_decomp")

#' @rdname brier_decomp
#' @export
brier_decomp.default <- function(y, p, bins = 10L, strategy = c("uniform", "quantile"), weights = NULL,
                         method = c("binned", "corp"), ...) {
  check_dots_empty(...)
  method <- if (missing(method)) "binned" else check_choice(method, c("binned", "corp"), "method")
  check_number(bins, "bins", lower = 1, upper = 1e6, integer = TRUE)
  strategy <- if (missing(strategy)) "uniform" else check_choice(strategy, c("uniform", "quantile"), "strategy")
  if (is.matrix(p) && ncol(p) > 1L) abort_probml("unsupported", "{.fn brier_decomp} takes binary predictions: a vector {.arg p}.")
  b <- check_binary_problem(y, drop_one_column(p), weights)
  w <- if (length(b$w)) b$w else rep(1, length(b$p))
  total <- sum(w)
  base_rate <- sum(w * b$y) / total
  uncertainty <- base_rate * (1 - base_rate)
  brier <- cpp_brier_binary(b$y, b$p, b$w)
  if (method == "corp") {
    # Rows of weight zero take no part in the PAV fit; they are given its
    # value at their prediction (any would do: they carry no weight).
    fit <- isotonic_pava(b$p, b$y, w)
    recalibrated <- isotonic_predict(fit, b$p, "step")
    bs_recal <- sum(w * (recalibrated - b$y)^2) / total
    out <- list(brier = brier, reliability = brier - bs_recal, resolution = uncertainty - bs_recal,
                uncertainty = uncertainty)
  } else {
    tab <- bin_table(b, bins, strategy)
    tab <- tab[tab$weight > 0, , drop = FALSE]
    out <- list(
      brier = brier,
      reliability = sum(tab$weight * (tab$mean_predicted - tab$observed)^2) / total,
      resolution = sum(tab$weight * (tab$observed - base_rate)^2) / total,
      uncertainty = uncertainty,
      within_bin_variance = sum(tab$sum_pp - tab$weight * tab$mean_predicted^2) / total,
      within_bin_covariance = sum(tab$sum_py - tab$weight * tab$mean_predicted * tab$observed) / total
    )
  }
  structure(c(out, list(method = method, bins = if (method == "binned") bins)), class = "probml_brier_decomp")
}

#' @rdname brier_decomp
#' @export
brier_decomp.data.frame <- function(y, truth, estimate, weights = NULL, ..., .by = NULL) {
  check_forwarded_dots(..., reserved = c("p", "y"))
  f <- tidy_frame(y, rlang::enquo(truth), rlang::enquo(estimate), rlang::enquo(weights), rlang::enquo(.by),
                  call = rlang::current_env())
  one <- function(y, p, w) brier_decomp(y, p, weights = w, ...)
  if (is.null(f$groups)) return(one(f$y, f$p, f$w))
  values <- lapply(f$groups$rows, function(rows) {
    r <- frame_rows(f, rows)
    d <- one(r$y, r$p, r$w)
    unclass(d)[setdiff(names(d), c("method", "bins"))]
  })
  frame_result(y, f$groups$key, values)
}

#' @export
print.probml_brier_decomp <- function(x, digits = 4L, ...) {
  check_dots_empty(...)
  cat("Brier score decomposition (", x$method, if (!is.null(x$bins)) paste0(", ", x$bins, " bins"), ")\n", sep = "")
  # The terms laid out as the equation they satisfy.
  terms <- c("  brier" = x$brier, "= reliability" = x$reliability, "- resolution" = x$resolution,
             "+ uncertainty" = x$uncertainty)
  if (x$method == "binned") {
    terms <- c(terms, "+ within_bin_variance" = x$within_bin_variance,
               "- 2 * within_bin_covariance" = x$within_bin_covariance)
  }
  cat(paste0("  ", format(names(terms)), "  ", sub(" +$", "", format_signif(terms, digits)), "\n"), sep = "")
  invisible(x)
}

# Each value to `digits` significant digits, as strings of equal width
# with the decimal points aligned by spaces (a common number of decimals
# would pad values with digits they do not have). Used by the print
# methods of brier_decomp() and simulate_estimator().
format_signif <- function(v, digits) {
  s <- vapply(v, function(u) {
    if (is.na(u)) return("NA")
    format(signif(u, digits), digits = digits, scientific = u != 0 && (abs(u) < 1e-4 || abs(u) >= 1e7))
  }, "")
  point <- regexpr(".", s, fixed = TRUE)
  whole <- ifelse(point > 0, substr(s, 1L, point - 1L), s)
  frac <- ifelse(point > 0, substring(s, point), "")
  paste0(formatC(whole, width = max(nchar(whole))), formatC(frac, width = max(nchar(frac)), flag = "-"))
}
