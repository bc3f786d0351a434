# Multiclass calibration. calibrate() and predict() (R/calibrate.R) send a
# matrix of scores here: one-vs-rest Platt, isotonic, beta and histogram
# maps with renormalisation, and vector scaling, matrix scaling and
# Dirichlet calibration (multinomial logistic models on the scores) beside
# temperature scaling. cal_curve() (R/cal_curve.R) sends probability
# matrices to cal_curve_multiclass().

one_vs_rest_methods <- c("platt", "isotonic", "beta", "histogram")
scaling_methods <- c("vector", "matrix", "dirichlet")

#' @rdname calibrate
#' @section Multiclass calibration:
#' With an n x K matrix of scores and a factor `y` whose levels are its
#' columns (or class numbers 1..K):
#' * One-vs-rest `"platt"`, `"isotonic"`, `"beta"` and `"histogram"`: the
#'   scores must be probabilities (rows summing to 1). Class k's map is
#'   exactly the binary calibrator `calibrate(y == k, scores[, k], method,
#'   ...)` with the same arguments; they are kept, named by class, in
#'   `$classes`. [predict()][predict.probml_calibrator] applies each map to
#'   its column and divides every row by its sum so that it sums to 1 (as
#'   scikit-learn's `CalibratedClassifierCV` does). Where all K calibrated
#'   values of a row are 0 (isotonic and histogram maps can reach 0) the
#'   row becomes the uniform distribution, 1/K each. `predict(normalize =
#'   FALSE)` returns the K maps' values before renormalisation.
#' * `"vector"`: vector scaling (Guo et al. 2017), \eqn{q =
#'   \mathrm{softmax}(a \odot z + b)}, a slope and an intercept per class.
#' * `"matrix"`: matrix scaling, \eqn{q = \mathrm{softmax}(W z + b)} with a
#'   full K x K matrix \eqn{W}.
#' * `"dirichlet"`: Dirichlet calibration (Kull et al. 2019), matrix scaling
#'   of the log-probabilities: \eqn{q = \mathrm{softmax}(W \log p + b)}, a
#'   multinomial logistic regression on \eqn{\log p}. Logits are turned into
#'   log-probabilities (the log-softmax) first, so the fit is the same for
#'   a matrix of logits and for its probabilities.
#'
#' For vector and matrix scaling \eqn{z} are the logits, or \eqn{\log p}
#' when the scores are probabilities (as for temperature scaling). The
#' three are fitted by [stats::optim()] (BFGS with the analytic gradient,
#' starting from the identity map), minimising the weighted mean negative
#' log-likelihood plus the ODIR penalty (off-diagonal and intercept
#' regularisation) of Kull et al. (2019),
#' \deqn{\frac{\lambda}{K(K-1)} \sum_{i \ne j} W_{ij}^2 + \frac{\mu}{K}
#' \sum_j b_j^2.}{lambda / (K (K - 1)) sum_{i != j} W_ij^2 + mu / K sum_j b_j^2.}
#' The defaults \eqn{\lambda = \mu = 0} give the maximum-likelihood fit; Kull
#' et al. choose them by cross-validation. Vector scaling has no
#' off-diagonal entries, so only `mu` acts on it. Without the penalty the
#' softmax does not identify \eqn{W} and \eqn{b} (adding the same vector to
#' every row of \eqn{W}, or a constant to \eqn{b}, changes no prediction):
#' the predictions are unique, and the parameters reported are those
#' reached from the identity. Every class must occur among the calibration
#' observations with positive weight, for these methods and for
#' one-vs-rest calibration (a class without observations cannot be
#' calibrated).
#'
#' @section Platt's targets:
#' By default Platt scaling is the maximum-likelihood logistic regression
#' on the observed 0/1 outcomes (`platt_targets = "hard"`): the same model
#' as `glm(y ~ qlogis(p), family = binomial)`, for binary and one-vs-rest
#' calibration alike. This is the default because it is the likelihood of
#' the data, which the rest of probml (scores, decompositions, model
#' comparison) measures. `platt_targets = "smoothed"` fits to Platt's (1999)
#' targets instead, \eqn{(N_+ + 1) / (N_+ + 2)} for an event and
#' \eqn{1 / (N_- + 2)} otherwise (\eqn{N_+} and \eqn{N_-} the weighted
#' numbers of events and non-events), as scikit-learn's sigmoid calibration
#' does: a little shrinkage away from 0 and 1 that matters for small
#' calibration sets and vanishes for large ones. (Beware that
#' scikit-learn's `CalibratedClassifierCV` fits the sigmoid to a model's
#' probabilities themselves when it has no decision function, where
#' probml uses their logits.)
#' @param platt_targets For `"platt"`: fit to the observed outcomes
#'   (`"hard"`, the default: maximum likelihood) or to Platt's smoothed
#'   targets (`"smoothed"`, as scikit-learn does); see the section on
#'   Platt's targets.
#' @param lambda,mu For `"vector"`, `"matrix"` and `"dirichlet"`: the
#'   non-negative weights of the ODIR penalty on the off-diagonal entries of
#'   \eqn{W} (`lambda`) and on the intercepts (`mu`, which defaults to
#'   `lambda`).
#' @references
#' Kull, M., Perello-Nieto, M., Kängsepp, M., Silva Filho, T., Song, H. and
#' Flach, P. (2019). Beyond temperature scaling: obtaining well-calibrated
#' multi-class probabilities with Dirichlet calibration. NeurIPS.
#' @examples
#'
#' # Multiclass: an overconfident 3-class model
#' set.seed(5)
#' n <- 2000
#' logits <- matrix(rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
#' truth <- factor(apply(exp(logits), 1, function(e) sample(colnames(logits), 1, prob = e)),
#'                 levels = colnames(logits))
#' P <- exp(3 * logits) / rowSums(exp(3 * logits))
#' fit <- 1:1000
#' ovr <- calibrate(truth[fit], P[fit, ], method = "isotonic")
#' ovr$classes$a                              # class "a" against the rest
#' head(predict(ovr, P[-fit, ]))              # rows sum to 1
#' head(predict(ovr, P[-fit, ], normalize = FALSE))
#' dir <- calibrate(truth[fit], P[fit, ], method = "dirichlet", lambda = 1e-3)
#' dir
#' c(raw = log_loss(truth[-fit], P[-fit, ]),
#'   dirichlet = log_loss(truth[-fit], predict(dir, P[-fit, ])))
#' @name calibrate
NULL

# Arguments that only some methods use, refused where they would be ignored.
check_multiclass_args <- function(method, platt_targets, lambda, mu, call = rlang::caller_env()) {
  check_number(lambda, "lambda", lower = 0, call = call)
  check_number(mu, "mu", lower = 0, call = call)
  if (platt_targets != "hard" && method != "platt") {
    abort_probml("unsupported", "{.arg platt_targets} is used by {.code method = \"platt\"} only, not {.val {method}}.", call = call)
  }
  if ((lambda != 0 || mu != 0) && !method %in% scaling_methods) {
    abort_probml("unsupported", c("{.arg lambda} and {.arg mu} regularise vector and matrix scaling and Dirichlet calibration, not {.val {method}}.",
                                  i = "Use {.code method = \"dirichlet\"}, {.code \"matrix\"} or {.code \"vector\"}, or leave them at 0."),
                 call = call)
  }
  invisible()
}

# A matrix of scores and the classes of y: one class per column, and for
# the scaling methods every class present.
check_classes_match <- function(out, scores, w, method, call = rlang::caller_env()) {
  if (out$n_classes != ncol(scores)) {
    abort_probml("response", c("{.arg y} has {out$n_classes} levels but {.arg scores} has {ncol(scores)} columns.",
                               i = "The levels of {.arg y} name the columns of {.arg scores}, in order."), call = call)
  }
  if (method %in% scaling_methods) check_all_classes(out$y, w, class_names_or_numbers(out$levels, ncol(scores)), method, call)
  invisible()
}

check_all_classes <- function(code, w, labels, method, call) {
  absent <- setdiff(seq_along(labels) - 1L, code[w > 0])
  if (length(absent)) {
    abort_probml("response", c("Every class must occur in the calibration data for {method} calibration of a matrix of scores; {cli::qty(length(absent))}class{?es} {.val {labels[absent + 1L]}} do{?es/} not.",
                               i = "A class without observations cannot be calibrated: use more calibration data, or drop the class (its column, renormalising the rows) first."),
                 call = call)
  }
  invisible()
}

# The names of K classes: the levels, or 1..K for class numbers.
class_names_or_numbers <- function(levels, K) levels %||% as.character(seq_len(K))

# One-vs-rest -----------------------------------------------------------------

# calibrate()'s arguments that the user gave, with their checked values from
# its frame `env`, for the binary calibrators.
binary_args <- function(cl, env) {
  given <- setdiff(names(cl)[-1L], c("y", "scores", "method", "weights", "scores_are", "lambda", "mu", ""))
  mget(given, envir = env)
}

calibrate_one_vs_rest <- function(y, scores, method, weights, scores_are, cl, env) {
  if (scores_are == "logit") {
    abort_probml("unsupported", c("One-vs-rest {method} calibration of a matrix needs probabilities, not logits.",
                                  i = "Convert logits to probabilities with the softmax, or use {.code method = \"temperature\"}, {.code \"vector\"}, {.code \"matrix\"} or {.code \"dirichlet\"}, which take logits."),
                 call = env)
  }
  m <- check_class_problem(y, scores, weights, "y", "scores", call = env)
  K <- ncol(m$p)
  problems <- multiclass_binary_problems(m, "classwise")
  labels <- names(problems)
  check_all_classes(m$y, m$w, labels, method, env)
  args <- binary_args(cl, env)
  fit_class <- function(k) {
    yk <- problems[[k]]$y
    sk <- problems[[k]]$p
    wk <- weights
    call_args <- c(list(y = quote(yk), scores = quote(sk), method = method, weights = if (!is.null(weights)) quote(wk),
                        scores_are = "probability"), args)
    withCallingHandlers(do.call("calibrate", Filter(Negate(is.null), call_args), envir = environment()),
      probml_error = function(e) {
        abort_probml(sub("^probml_error_", "", class(e)[1L]), "Calibrating class {.val {labels[k]}} against the rest failed.",
                     parent = e, call = env)
      })
  }
  classes <- stats::setNames(lapply(seq_len(K), fit_class), labels)
  cl[[1L]] <- quote(calibrate)  # not a method's name, once calibrate() is generic
  structure(list(method = method, scores_are = "probability", n = nrow(m$p), weight_sum = sum(m$w),
                 levels = m$levels, n_classes = K, eps = args$eps, matrix_input = TRUE, score_range = NULL,
                 one_vs_rest = TRUE, classes = classes, call = cl),
            class = "probml_calibrator")
}

check_normalize <- function(object, normalize, call = rlang::caller_env()) {
  check_flag(normalize, "normalize", call = call)
  if (!normalize && !isTRUE(object$one_vs_rest)) {
    abort_probml("unsupported", c("{.code normalize = FALSE} applies to one-vs-rest calibrators of a matrix of probabilities.",
                                  i = "This {object$method} calibrator's predictions are probabilities by construction."), call = call)
  }
  invisible()
}

predict_one_vs_rest <- function(object, newdata, normalize, call = rlang::caller_env()) {
  P <- check_scores(newdata, object$method, "newdata", matrix_input = TRUE, n_classes = object$n_classes, call = call)
  P <- check_probability_matrix(P, "newdata", call = call)
  Q <- vapply(seq_len(object$n_classes), function(k) stats::predict(object$classes[[k]], P[, k]), numeric(nrow(P)))
  Q <- matrix(Q, nrow(P), dimnames = list(rownames(newdata), object$levels))
  if (normalize) normalize_rows(Q) else Q
}

# Each row divided by its sum; a row of zeros becomes uniform (1/K each),
# as in scikit-learn's CalibratedClassifierCV.
normalize_rows <- function(Q) {
  s <- rowSums(Q)
  zero <- s <= 0
  Q <- Q / ifelse(zero, 1, s)
  Q[zero, ] <- 1 / ncol(Q)
  Q
}

print_one_vs_rest <- function(x, label, digits) {
  cat("probml calibrator: one-vs-rest ", label, ", ", x$n_classes, " classes\n", sep = "")
  cat("Fitted on ", x$n, " probability vectors; predictions are renormalised to sum to 1 (uniform where all K maps are 0)\n", sep = "")
  fmt <- function(v) format(signif(v, digits))
  cal <- x$classes
  if (x$method %in% c("platt", "beta")) {
    tab <- do.call(rbind, lapply(cal, function(cl) cl$coefficients))
    names(dimnames(tab)) <- c("class", "")
    if (x$method == "platt" && identical(cal[[1L]]$targets, "smoothed")) cat("Platt's smoothed targets\n")
    print.default(fmt(tab), quote = FALSE, print.gap = 2L)
  } else {
    summary_of <- function(cl) {
      if (x$method == "isotonic") c(blocks = length(cl$isotonic$block_x), from = min(cl$isotonic$y), to = max(cl$isotonic$y))
      else c(bins = length(cl$bin_means), from = min(cl$bin_means), to = max(cl$bin_means))
    }
    tab <- do.call(rbind, lapply(cal, summary_of))
    out <- data.frame(class = names(cal), tab[, 1L], fmt(tab[, 2L]), fmt(tab[, 3L]))
    names(out) <- c("class", colnames(tab)[1L], "lowest", "highest")
    print(out, row.names = FALSE)
  }
  cat("The binary maps: $classes\n")
  invisible(x)
}

# Vector and matrix scaling, Dirichlet calibration -------------------------------

# The features x of q = softmax(W x + b): the logits, or log p for
# probabilities (resolve_scores() has taken the log); Dirichlet calibration
# always works on log p, the log-softmax of logits.
scaling_features <- function(values, scores_are, method) {
  if (method != "dirichlet" || scores_are == "probability") return(values)
  values - row_logsumexp(values)
}

# theta holds a (vector scaling) or W by columns (matrix, Dirichlet), then b.
scaling_parameters <- function(theta, K, method) {
  W <- if (method == "vector") diag(theta[seq_len(K)], K) else matrix(theta[seq_len(K * K)], K, K)
  list(W = W, b = theta[length(theta) - K + seq_len(K)])
}

# The objective: the weighted mean negative log-likelihood of
# q_i = softmax(u_i), u_i = W x_i + b, plus the ODIR penalty
# lambda / (K (K - 1)) sum_{k != j} W_kj^2 + mu / K sum_k b_k^2.
# Gradient: row i's loss is logsumexp(u_i) - u_{i, y_i}, whose derivative in
# u_i is q_i - e_{y_i} (the derivative of logsumexp is the softmax). With
# r_i = w_i (q_i - e_{y_i}) / sum(w) and u_ik = sum_j W_kj x_ij + b_k, the
# chain rule gives dL/dW_kj = sum_i r_ik x_ij (R^T X), dL/db_k = sum_i r_ik
# and, for vector scaling (W = diag(a)), dL/da_k = sum_i r_ik x_ik. The
# penalty adds 2 lambda W_kj / (K (K - 1)) off the diagonal and 2 mu b_k / K.
scaling_objective <- function(theta, X, idx, w, method, lambda, mu, gradient = FALSE) {
  K <- ncol(X)
  par <- scaling_parameters(theta, K, method)
  U <- if (method == "vector") X * rep(diag(par$W), each = nrow(X)) else X %*% t(par$W)
  U <- U + rep(par$b, each = nrow(X))
  off <- row(par$W) != col(par$W)
  lse <- row_logsumexp(U)
  sw <- sum(w)
  if (!gradient) {
    return(sum(w * (lse - U[idx])) / sw + lambda * sum(par$W[off]^2) / (K * (K - 1)) + mu * sum(par$b^2) / K)
  }
  R <- exp(U - lse)
  R[idx] <- R[idx] - 1
  R <- R * (w / sw)
  g_b <- colSums(R) + 2 * mu * par$b / K
  g_W <- if (method == "vector") colSums(R * X) else as.vector(crossprod(R, X) + 2 * lambda * par$W * off / (K * (K - 1)))
  c(g_W, g_b)
}

fit_scaling <- function(sc, out, w, method, lambda, mu) {
  used <- w > 0
  y <- out$y
  X <- scaling_features(sc$values, sc$scores_are, method)[used, , drop = FALSE]
  y <- y[used]
  w <- w[used]
  K <- ncol(X)
  idx <- cbind(seq_along(y), as.integer(y) + 1L)
  theta0 <- c(if (method == "vector") rep(1, K) else as.vector(diag(K)), rep(0, K))
  f <- function(theta, lambda, mu) scaling_objective(theta, X, idx, w, method, lambda, mu)
  g <- function(theta, lambda, mu) scaling_objective(theta, X, idx, w, method, lambda, mu, gradient = TRUE)
  # BFGS keeps a dense inverse Hessian; beyond 2550 parameters (K > 50 for
  # matrix scaling, 50 MB) the limited-memory variant, which needs many
  # more iterations.
  big <- length(theta0) > 2550L
  ctrl <- if (big) list(maxit = 5000L, factr = 10) else list(maxit = 1000L, reltol = 1e-15)
  opt <- stats::optim(theta0, f, g, lambda = lambda, mu = mu, method = if (big) "L-BFGS-B" else "BFGS", control = ctrl)
  grad_max <- max(abs(g(opt$par, lambda, mu)))
  if (opt$convergence != 0L || !is.finite(opt$value)) {
    warn_probml("convergence", c("The {method} fit stopped at its iteration limit without converging.",
                                 i = "The scores may separate the classes (every calibration prediction right), so that the likelihood keeps growing as the map sharpens; the penalty ({.arg lambda}, {.arg mu}) leaves the diagonal of W free.",
                                 i = "Use more calibration data, or temperature scaling, whose search interval is bounded."))
  }
  par <- scaling_parameters(opt$par, K, method)
  labels <- class_names_or_numbers(out$levels, K)
  dimnames(par$W) <- list(labels, labels)
  names(par$b) <- labels
  list(W = par$W, b = par$b, lambda = lambda, mu = mu, objective = opt$value, gradient_max = grad_max,
       nll = c(before = f(theta0, 0, 0), after = f(opt$par, 0, 0)))
}

predict_scaling <- function(object, values) {
  X <- scaling_features(values, object$scores_are, object$method)
  U <- X %*% t(object$W) + rep(object$b, each = nrow(X))
  P <- row_softmax(U)
  dimnames(P) <- list(rownames(values), object$levels)
  P
}

print_scaling <- function(x, fmt) {
  form <- switch(x$method, vector = "softmax(a * z + b)", matrix = "softmax(W z + b)", dirichlet = "softmax(W log(p) + b)")
  cat("q = ", form, if (x$method != "dirichlet") paste0(", z = ", if (x$scores_are == "probability") "log(p)" else "the logits"),
      "\n", sep = "")
  if (x$method == "vector") {
    print.default(fmt(rbind(a = diag(x$W), b = x$b)), quote = FALSE, print.gap = 2L)
  } else {
    cat("W (row: calibrated class; column: score of class):\n")
    print.default(fmt(x$W), quote = FALSE, print.gap = 2L)
    cat("b:\n")
    print.default(fmt(x$b), quote = FALSE, print.gap = 2L)
  }
  if (x$lambda != 0 || x$mu != 0) cat("ODIR penalty: lambda = ", fmt(x$lambda), ", mu = ", fmt(x$mu), "\n", sep = "")
  cat("Mean NLL on the calibration data: ", fmt(x$nll[["before"]]), " before, ", fmt(x$nll[["after"]]), " after\n", sep = "")
}

# Multiclass calibration curves --------------------------------------------------

# cal_curve() of probability matrices (one per model): classwise, one curve
# per class on its one-vs-rest problem; top-label, the confidence (largest
# probability) against whether the top class was right, as ece() scores
# them. Each curve is cal_curve() of that binary problem.
cal_curve_multiclass <- function(y, models, type, weights, curve_args, call = rlang::caller_env()) {
  tables <- lapply(names(models), function(model) {
    arg <- if (length(models) > 1L) paste0("p$", model) else "p"
    if (!is.matrix(models[[model]]) || ncol(models[[model]]) < 2L) {
      abort_probml("type", "{.arg {arg}} must be a matrix of class probabilities like the other models.", call = call)
    }
    m <- check_class_problem(y, models[[model]], weights, p_arg = arg, call = call)
    wt <- if (is.null(weights)) NULL else m$w
    curve <- function(b, label) {
      tab <- do.call(cal_curve, c(list(y = b$y, p = b$p, weights = wt), curve_args))$table
      tab$model <- model
      cbind(tab[1L], class = label, tab[-1L])
    }
    problems <- multiclass_binary_problems(m, type)
    do.call(rbind, Map(curve, problems, names(problems)))
  })
  tab <- do.call(rbind, tables)
  rownames(tab) <- NULL
  structure(list(table = tab, bins = curve_args$bins, strategy = curve_args$strategy, ci = curve_args$ci,
                 level = curve_args$level, type = type, curve_by = c(if (length(models) > 1L) "model", "class")),
            class = "probml_cal_curve")
}

#' @rdname predict.probml_calibrator
#' @param normalize For a one-vs-rest calibrator of a matrix of
#'   probabilities: `TRUE` (the default) divides each row of the K
#'   calibrated values by its sum (a row of zeros becomes uniform); `FALSE`
#'   returns the K binary maps' values as they are (see the `$classes` of
#'   [calibrate()]'s result).
#' @name predict.probml_calibrator
NULL

#' @rdname cal_curve
#' @section Multiclass curves:
#' For a matrix `p` of class probabilities (one column per class, rows
#' summing to 1; or a named list of such matrices) and a factor `y` whose
#' levels are its columns, `type = "classwise"` (the default) gives one
#' curve per class, the curve of the one-vs-rest problem `(y == k, p[, k])`,
#' and `type = "top-label"` one curve of the confidence (the largest
#' probability) against whether the top class was right, the binned
#' quantities that [ece()] averages for the same `type`. The table gains a
#' `class` column (`"top-label"` for the top-label curve); the result's
#' `type` says which curves these are and `curve_by` names the columns
#' that identify a curve (`"class"`, and `"model"` first for several
#' models).
#' @param type For a matrix `p`: `"classwise"` or `"top-label"` curves (see
#'   the section on multiclass curves).
#' @examples
#'
#' # Multiclass: classwise and top-label curves of a probability matrix
#' set.seed(6)
#' Z <- matrix(rnorm(1500 * 3), 1500, 3, dimnames = list(NULL, c("a", "b", "c")))
#' cls <- factor(apply(exp(Z), 1, function(e) sample(colnames(Z), 1, prob = e)), levels = colnames(Z))
#' P <- exp(2 * Z) / rowSums(exp(2 * Z))
#' cal_curve(cls, P, bins = 5)
#' cal_curve(cls, P, bins = 5, type = "top-label")
#' @name cal_curve
NULL
