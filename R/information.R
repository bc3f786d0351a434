# Information theory: entropy, cross-entropy and Kullback-Leibler divergence
# of discrete distributions (vectors, or row-wise for matrices), closed-form
# KL for Gaussians and Bernoullis, and label smoothing.
#
# Everything here is a handful of vectorised passes over the input (the
# row-wise sums are R's own C loops), so there is no C++ kernel: a kernel
# would save no passes and would cost a translation unit of compile time.

#' Entropy, cross-entropy and Kullback-Leibler divergence
#'
#' For discrete distributions \eqn{P} and \eqn{Q} over the same \eqn{K}
#' outcomes,
#' \deqn{H(P) = -\sum_k p_k \log p_k, \quad
#'       H(P, Q) = -\sum_k p_k \log q_k, \quad
#'       KL(P \| Q) = \sum_k p_k \log(p_k / q_k),}{H(P) = -sum p log p,
#'       H(P, Q) = -sum p log q,  KL(P || Q) = sum p log(p / q),}
#' so that \eqn{H(P, Q) = H(P) + KL(P \| Q)}{H(P, Q) = H(P) + KL(P || Q)}:
#' the cross-entropy is the entropy of \eqn{P} plus the price of coding it
#' with \eqn{Q}. Minimising a cross-entropy loss over \eqn{Q} is therefore
#' minimising the KL divergence from the data's distribution, since
#' \eqn{H(P)} does not depend on the model.
#'
#' The convention \eqn{0 \log 0 = 0}{0 log 0 = 0} is used throughout: an
#' outcome with \eqn{p_k = 0} contributes nothing, whatever \eqn{q_k} is.
#' Where \eqn{q_k = 0} but \eqn{p_k > 0} the cross-entropy and the
#' divergence are `Inf` (never `NaN`): \eqn{Q} says impossible what
#' \eqn{P} says happens.
#'
#' @param p,q Probability distributions: numeric vectors of the same length,
#'   or matrices with one distribution per row (same dimensions). A vector
#'   may be paired with a matrix whose number of columns is its length; it
#'   is then compared with every row. Entries must be non-negative, finite
#'   and not missing, and each distribution must sum to 1 within `1e-6`
#'   (the tolerance of every probability check in probml); nothing is
#'   renormalised.
#' @param base Base of the logarithm: `exp(1)` (the default) gives nats,
#'   `2` bits. Must be positive and not 1.
#' @return A number for vector input, otherwise a vector with one value per
#'   row (named by the row names of `p`, if any). The divergence is clamped
#'   at zero, so rounding never makes it negative.
#' @seealso [kl_gaussian()] and [kl_bernoulli()] for closed forms,
#'   [label_smoothing_loss()] for the cross-entropy of a softmax classifier.
#' @examples
#' p <- c(1, 0, 0)
#' q <- c(0.7, 0.2, 0.1)
#' entropy(p)                        # 0: a certain outcome
#' cross_entropy(p, q)               # -log(0.7)
#' kl_divergence(p, q)               # the same, since H(p) = 0
#' entropy(rep(1 / 4, 4), base = 2)  # 2 bits
#'
#' # Row-wise: one value per distribution
#' P <- rbind(c(0.5, 0.5), c(0.9, 0.1), c(1, 0))
#' entropy(P, base = 2)
#' kl_divergence(P, c(0.5, 0.5))
#' kl_divergence(c(0.5, 0.5), c(1, 0))  # Inf: q rules out an outcome p allows
#' @name information
NULL

#' @rdname information
#' @export
entropy <- function(p, base = exp(1)) {
  log_base <- info_check_log_base(base)
  p <- info_check_distribution(p, "p")
  info_finish_rows(row_entropy(p$x) / log_base, p)
}

# The entropy in nats of each row of a probability matrix (0 log 0 = 0);
# rows with missing values give NA.
row_entropy <- function(P) {
  plogp <- P * log(P)
  plogp[P == 0] <- 0
  -rowSums(plogp)
}

#' @rdname information
#' @export
cross_entropy <- function(p, q, base = exp(1)) {
  log_base <- info_check_log_base(base)
  pq <- info_check_pair(p, q)
  terms <- -pq$p * log(pq$q)       # Inf where q = 0
  terms[pq$p == 0] <- 0            # 0 log 0 = 0, and 0 log q = 0
  info_finish_rows(rowSums(terms) / log_base, pq$shape)
}

#' @rdname information
#' @export
kl_divergence <- function(p, q, base = exp(1)) {
  log_base <- info_check_log_base(base)
  pq <- info_check_pair(p, q)
  terms <- pq$p * (log(pq$p) - log(pq$q))  # Inf where q = 0 < p
  terms[pq$p == 0] <- 0
  info_finish_rows(pmax(rowSums(terms), 0) / log_base, pq$shape)
}

#' Kullback-Leibler divergence in closed form
#'
#' `kl_gaussian()` is the divergence of \eqn{N(\mu_1, \sigma_1^2)} from
#' \eqn{N(\mu_2, \sigma_2^2)}{N(mu2, sd2^2)},
#' \deqn{\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12,}{log(sd2 / sd1) + (sd1^2 + (mean1 - mean2)^2) / (2 sd2^2) - 1/2,}
#' and `kl_bernoulli()` that of Bernoulli(\eqn{p_1}) from
#' Bernoulli(\eqn{p_2}), \eqn{p_1 \log(p_1/p_2) + (1-p_1)\log((1-p_1)/(1-p_2))},
#' with \eqn{0 \log 0 = 0} and `Inf` where \eqn{p_2} gives zero
#' probability to an outcome \eqn{p_1} allows. Both are vectorised: the
#' arguments are recycled to a common length (each must have length 1 or
#' that length).
#'
#' @param mean1,sd1 Mean and standard deviation of the first Gaussian
#'   (`sd1 > 0`).
#' @param mean2,sd2 Mean and standard deviation of the second (`sd2 > 0`).
#' @param p1,p2 Success probabilities in \[0, 1\].
#' @inheritParams information
#' @return A numeric vector of divergences.
#' @seealso [kl_divergence()] for discrete distributions.
#' @examples
#' kl_gaussian(0, 1, 1, 2)
#' # KL is not symmetric
#' kl_gaussian(1, 2, 0, 1)
#' kl_bernoulli(c(0.5, 0.9, 1), 0.5, base = 2)
#' kl_divergence(c(0.9, 0.1), c(0.5, 0.5), base = 2)  # the second value above
#' @export
kl_gaussian <- function(mean1, sd1, mean2, sd2, base = exp(1)) {
  log_base <- info_check_log_base(base)
  args <- info_check_parameters(list(mean1 = mean1, sd1 = sd1, mean2 = mean2, sd2 = sd2),
                           positive = c("sd1", "sd2"))
  kl <- with(args, log(sd2 / sd1) + (sd1^2 + (mean1 - mean2)^2) / (2 * sd2^2) - 0.5)
  pmax(kl, 0) / log_base
}

#' @rdname kl_gaussian
#' @export
kl_bernoulli <- function(p1, p2, base = exp(1)) {
  log_base <- info_check_log_base(base)
  args <- info_check_parameters(list(p1 = p1, p2 = p2), unit = c("p1", "p2"))
  p1 <- args$p1
  p2 <- args$p2
  one <- p1 * (log(p1) - log(p2))
  one[p1 == 0] <- 0
  zero <- (1 - p1) * (log1p(-p1) - log1p(-p2))
  zero[p1 == 1] <- 0
  pmax(one + zero, 0) / log_base
}

#' Label smoothing
#'
#' Label smoothing trains a classifier against the targets
#' \eqn{(1 - \epsilon)\,\mathrm{onehot}(y) + \epsilon / K}{(1 - eps) onehot(y) + eps / K}
#' instead of the one-hot labels. `smooth_labels()` builds that target
#' matrix. `label_smoothing_loss()` is the cross-entropy of softmax
#' predictions against it, per observation
#' \deqn{(1 - \epsilon)\,(-\log s_{y}) + \epsilon \cdot \frac1K \sum_{k=1}^K (-\log s_k),}{(1 - eps) (-log s[y]) + eps mean_k(-log s[k]),}
#' where \eqn{s = \mathrm{softmax}(z)}{s = softmax(z)} of the row of logits
#' \eqn{z}. This is the definition of PyTorch's
#' `torch.nn.functional.cross_entropy(label_smoothing = eps)` (without
#' class weights). Probabilistically the second term is the cross-entropy
#' from the uniform distribution, so the loss keeps the predicted
#' distribution from collapsing onto one class: with \eqn{\epsilon > 0}
#' its minimiser has finite logits even for separable data.
#'
#' The log-softmax is computed stably (the log-sum-exp shifted by the row
#' maximum), so logits in the thousands are fine. The same loss is the
#' negative log-likelihood of [lik_categorical()] with `label_smoothing`,
#' which [fit_mle()] minimises.
#'
#' @param y Class labels: a factor (its levels are the classes), or whole
#'   numbers in `1..K`. No missing values.
#' @param epsilon Smoothing weight in \[0, 1); 0 gives the one-hot labels
#'   and the ordinary cross-entropy.
#' @param K Number of classes. Taken from the levels of a factor `y` (if
#'   given too, it must agree); required for integer `y`.
#' @param ... Not used: a misspelled argument is an error.
#' @return `smooth_labels()`: an `n x K` matrix whose rows sum to 1, with
#'   the levels of a factor `y` as column names.
#' @seealso [cross_entropy()], [lik_categorical()], [family_nll()].
#' @examples
#' y <- factor(c("a", "c", "b"), levels = c("a", "b", "c"))
#' smooth_labels(y, epsilon = 0.3)
#' smooth_labels(c(2, 1), epsilon = 0.1, K = 4)
#'
#' logits <- rbind(c(2, 0, -1), c(0.5, 0.5, 3), c(-1, 4, 0))
#' label_smoothing_loss(logits, y, epsilon = 0.1)
#' # the cross-entropy against the smoothed labels, written out
#' log_softmax <- logits - log(rowSums(exp(logits)))
#' mean(-rowSums(smooth_labels(y, 0.1) * log_softmax))
#' label_smoothing_loss(logits, y, epsilon = 0.1, reduction = "none")
#' @export
smooth_labels <- function(y, epsilon, K = NULL, ...) {
  check_dots_empty(...)
  info_check_epsilon(epsilon)
  cls <- info_classes(y, K, "K")
  n <- length(cls$y)
  if (as.double(n) * cls$n_classes > 2^28) {
    abort_probml("resource", c("{.fn smooth_labels} would build a {n} x {cls$n_classes} matrix ({format(8 * n * cls$n_classes / 2^30, digits = 3)} GiB).",
                               i = "Use {.fn label_smoothing_loss}, which never forms the smoothed targets."))
  }
  out <- matrix(epsilon / cls$n_classes, n, cls$n_classes, dimnames = list(names(y), cls$levels))
  out[cbind(seq_len(n), cls$y + 1L)] <- 1 - epsilon + epsilon / cls$n_classes
  out
}

#' @rdname smooth_labels
#' @param logits An `n x K` numeric matrix of finite logits (unnormalised
#'   log-probabilities), one row per observation and one column per class.
#'   With a factor `y` and column names, the names must be the levels.
#' @param weights Optional non-negative observation weights (length `n`,
#'   positive sum); `"mean"` is then the weighted mean.
#' @param reduction `"mean"` (the default), `"sum"`, or `"none"` for the
#'   per-observation losses.
#' @return `label_smoothing_loss()`: a number, or a vector of length `n`
#'   with `reduction = "none"`.
#' @export
label_smoothing_loss <- function(logits, y, epsilon = 0, weights = NULL,
                                 reduction = c("mean", "sum", "none"), ...) {
  check_dots_empty(...)
  reduction <- if (missing(reduction)) "mean" else check_choice(reduction, c("mean", "sum", "none"), "reduction")
  info_check_epsilon(epsilon)
  if (!is.matrix(logits)) {
    abort_probml("type", "{.arg logits} must be a numeric matrix with one column per class, not {.obj_type_friendly {logits}}.")
  }
  logits <- check_logits(logits, "logits")
  K <- ncol(logits)
  n <- nrow(logits)
  if (K < 2L) abort_probml("length", "{.arg logits} needs at least 2 columns (classes), not {K}.")
  cls <- code_outcome(y, "classes", "y", levels = class_names(logits), n_classes = K, n = n)
  if (cls$n_classes != K) {
    abort_probml("response", "{.arg y} has {cls$n_classes} levels but {.arg logits} has {K} columns.")
  }
  w <- if (is.null(weights)) NULL else check_weights(weights, n)

  lse <- row_logsumexp(logits)
  nll <- lse - logits[cbind(seq_len(n), cls$y + 1L)]  # -log softmax_y
  loss <- if (epsilon > 0) (1 - epsilon) * nll + epsilon * (lse - rowMeans(logits)) else nll
  switch(reduction,
         none = loss,
         sum = if (is.null(w)) sum(loss) else sum(w * loss),
         mean = if (is.null(w)) mean(loss) else sum(w * loss) / sum(w))
}

# ---- rows of logits ----------------------------------------------------------

# Row maxima, log-sum-exp and softmax of a matrix of logits, shifted by the
# row maximum so that nothing overflows. Shared by label smoothing and the
# multiclass calibrators.
row_max <- function(U) {
  m <- U[, 1L]
  for (k in seq_len(ncol(U))[-1L]) m <- pmax(m, U[, k])
  m
}

row_logsumexp <- function(U) {
  m <- row_max(U)
  m + log(rowSums(exp(U - m)))
}

row_softmax <- function(U) {
  E <- exp(U - row_max(U))
  E / rowSums(E)
}

# ---- checks -----------------------------------------------------------------

info_check_log_base <- function(base, call = rlang::caller_env()) {
  check_number(base, "base", lower = 0, call = call)
  if (base <= 0 || base == 1) {
    abort_probml("value", "{.arg base} must be positive and not 1, not {base}.", call = call)
  }
  log(base)
}

info_check_epsilon <- function(epsilon, call = rlang::caller_env()) {
  check_number(epsilon, "epsilon", lower = 0, upper = 1, call = call)
  if (epsilon >= 1) abort_probml("value", "{.arg epsilon} must be in [0, 1), not {epsilon}.", call = call)
  invisible(epsilon)
}

# A distribution as a matrix with one row per distribution; `vector`
# remembers whether the user gave a single vector.
info_check_distribution <- function(x, arg, call = rlang::caller_env()) {
  m <- check_probability_matrix(x, arg, call = call)
  list(x = m, vector = !is.matrix(x), names = if (is.matrix(x)) rownames(x))
}

# p and q checked and brought to the same dimensions (a vector paired with
# a matrix is compared with every row).
info_check_pair <- function(p, q, call = rlang::caller_env()) {
  p <- info_check_distribution(p, "p", call = call)
  q <- info_check_distribution(q, "q", call = call)
  if (ncol(p$x) != ncol(q$x)) {
    what <- function(d, arg) if (d$vector) sprintf("{.arg %s} has length %d", arg, ncol(d$x))
                             else sprintf("{.arg %s} has %d columns", arg, ncol(d$x))
    abort_probml("length", paste0(what(p, "p"), " but ", what(q, "q"), "; both must cover the same outcomes."),
                 call = call)
  }
  np <- nrow(p$x)
  nq <- nrow(q$x)
  if (!p$vector && !q$vector && np != nq) {
    abort_probml("length", "{.arg p} has {np} rows but {.arg q} has {nq}.", call = call)
  }
  n <- max(np, nq)
  if (np < n) p$x <- p$x[rep(1L, n), , drop = FALSE]
  if (nq < n) q$x <- q$x[rep(1L, n), , drop = FALSE]
  shape <- list(vector = p$vector && q$vector, names = if (!p$vector) p$names else q$names)
  list(p = p$x, q = q$x, shape = shape)
}

info_finish_rows <- function(value, shape) {
  if (shape$vector) return(value[[1L]])
  names(value) <- shape$names
  value
}

# Numeric parameter vectors recycled to a common length.
info_check_parameters <- function(args, positive = character(), unit = character(),
                             call = rlang::caller_env()) {
  for (nm in names(args)) {
    x <- check_real(args[[nm]], nm, call = call)
    if (nm %in% positive && any(x <= 0)) {
      abort_probml("value", "{.arg {nm}} must be positive; it contains {min(x)}.", call = call)
    }
    if (nm %in% unit && any(x < 0 | x > 1)) {
      abort_probml("value", "{.arg {nm}} must lie in [0, 1].", call = call)
    }
    args[[nm]] <- x
  }
  lens <- lengths(args)
  n <- max(lens)
  if (any(lens != 1L & lens != n)) {
    abort_probml("length", c("The arguments must have length 1 or a common length.",
                             i = "Lengths: {paste(names(args), lens, sep = ' = ', collapse = ', ')}."),
                 call = call)
  }
  lapply(args, rep_len, length.out = n)
}

# Class labels for smooth_labels(): a factor, or whole numbers 1..K with K given.
info_classes <- function(y, K, arg_k, call = rlang::caller_env()) {
  if (!is.null(K)) check_number(K, arg_k, lower = 2, upper = .Machine$integer.max, integer = TRUE, call = call)
  if (!is.factor(y) && is.null(K)) {
    abort_probml("missing", "{.arg K} is needed with integer class labels {.arg y}; a factor {.arg y} supplies it.",
                 call = call)
  }
  cls <- code_outcome(y, "classes", "y", n_classes = K %||% 0L, call = call)
  if (!is.null(K) && cls$n_classes != K) {
    abort_probml("response", "{.arg y} has {cls$n_classes} level{?s} but {.arg K} is {K}.", call = call)
  }
  cls
}
