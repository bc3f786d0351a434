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
#' @param y Outcomes: 0/1 (numeric or logical) or a two-level factor for a
#'   vector `p`; a factor whose levels match the columns of a matrix `p`.
#' @param p Predicted probabilities: of the event (`y == 1`, or the second
#'   factor level) for binary outcomes, or a matrix with one column per
#'   class whose rows sum to 1.
#' @param weights Optional non-negative observation weights.
#' @param eps Optional clipping constant in `(0, 0.5)`.
#' @return A number.
#' @examples
#' log_loss(c(1, 0, 1, 1, 0), c(0.9, 0.1, 0.8, 0.7, 0.3))
#' # A confident mistake
#' log_loss(0, 0.99)
#' @export
log_loss <- function(y, p, weights = NULL, eps = NULL) {
  check_number(eps, "eps", lower = .Machine$double.xmin, upper = 0.5 - 1e-12, allow_null = TRUE)
  prob <- probability_of_outcome(y, p)
  w <- check_weights(weights, length(prob))
  if (!is.null(eps)) prob <- pmin(pmax(prob, eps), 1 - eps)
  counted <- w > 0
  loss <- ifelse(prob[counted] > 0, -log(prob[counted]), Inf)
  if (any(is.infinite(loss))) return(Inf)
  sum(w[counted] * loss) / sum(w)
}

# The predicted probability of each observed outcome, with y and p checked.
probability_of_outcome <- function(y, p, call = rlang::caller_env()) {
  if (!is.numeric(p)) abort_probml("probability", "{.arg p} must be numeric probabilities, not {.obj_type_friendly {p}}.", call = call)
  if (anyNA(p)) abort_probml("missing", "{.arg p} contains missing values.", call = call)
  if (any(p < 0 | p > 1)) abort_probml("probability", "{.arg p} must lie in [0, 1].", call = call)
  if (anyNA(y)) abort_probml("missing", "{.arg y} contains missing values.", call = call)
  if (is.matrix(p) && ncol(p) > 1L) {
    if (!is.factor(y)) abort_probml("outcome", "{.arg y} must be a factor whose levels match the columns of {.arg p}.", call = call)
    if (nlevels(y) != ncol(p)) {
      abort_probml("outcome", "{.arg y} has {nlevels(y)} levels but {.arg p} has {ncol(p)} columns.", call = call)
    }
    if (!is.null(colnames(p)) && !identical(colnames(p), levels(y))) {
      abort_probml("outcome", "The columns of {.arg p} ({.val {colnames(p)}}) must match the levels of {.arg y}.", call = call)
    }
    if (length(y) != nrow(p)) abort_probml("length", "{.arg y} has length {length(y)} but {.arg p} has {nrow(p)} rows.", call = call)
    if (any(abs(rowSums(p) - 1) > 1e-6)) {
      abort_probml("probability", "Each row of {.arg p} must sum to 1 (within 1e-6).", call = call)
    }
    return(p[cbind(seq_along(y), as.integer(y))])
  }
  p <- as.numeric(p)
  if (is.factor(y)) {
    if (nlevels(y) != 2L) abort_probml("outcome", "A factor {.arg y} needs exactly two levels with a vector {.arg p}.", call = call)
    y <- as.integer(y) - 1L
  }
  if (is.logical(y)) y <- as.integer(y)
  if (!is.numeric(y) || any(!y %in% c(0, 1))) abort_probml("outcome", "{.arg y} must be 0 or 1 (or a two-level factor).", call = call)
  if (length(y) != length(p)) abort_probml("length", "{.arg y} has length {length(y)} but {.arg p} has length {length(p)}.", call = call)
  if (length(y) == 0L) abort_probml("length", "{.arg y} is empty.", call = call)
  ifelse(y == 1, p, 1 - p)
}
