# Likelihood families. A probml_family is a small list the R code reads and
# the C++ core rebuilds from (see family_spec()).

new_family <- function(name, label, link = "identity", response,
                       aux = function(levels) character(), delta = NA_real_,
                       df = NA_real_, label_smoothing = 0, n_linear = 1L) {
  structure(list(family = name, label = label, link = link, response = response,
                 aux = aux, delta = delta, df = df, label_smoothing = label_smoothing,
                 n_linear = n_linear),
            class = "probml_family")
}

#' Likelihood families
#'
#' Each constructor returns a `probml_family`: a likelihood whose negative
#' log-likelihood, gradient and Hessian (and, where it is known in closed
#' form, the expected Fisher information) are computed by the C++ core. Scale,
#' shape and cut-point parameters are estimated with the regression
#' coefficients, on an unconstrained scale (`log(sigma)`, `log(phi)`, ...).
#'
#' * `lik_gaussian()`: \eqn{y \sim N(\mu, \sigma^2)}{y ~ N(mu, sigma^2)}, the
#'   likelihood behind least squares. The ML estimate of sigma is
#'   \eqn{\sqrt{RSS/n}}{sqrt(RSS/n)}; `sigma(fit, unbiased = TRUE)` gives
#'   `lm`'s \eqn{\sqrt{RSS/(n-p)}}{sqrt(RSS/(n-p))}.
#' * `lik_laplace()`: Laplace errors with scale `b`; the MLE of the mean
#'   coefficients is median (least absolute deviations) regression, solved
#'   exactly as a linear programme. Like any LAD fit it need not be unique:
#'   with an even number of observations an intercept-only fit may return
#'   any point between the two middle order statistics, not `median()`'s
#'   midpoint. The MLE of `b` is the mean absolute residual.
#' * `lik_huber(delta)`: the normalised density
#'   \eqn{\exp(-\rho_\delta(z)) / (s\,c(\delta))}{exp(-rho(z)) / (s c(delta))}
#'   with Huber's \eqn{\rho}{rho}, quadratic for \eqn{|z| \le \delta}{|z| <= delta},
#'   linear beyond, and its scale `s` estimated.
#' * `lik_student_t(df)`: Student t errors with scale sigma; `df = NULL`
#'   estimates the degrees of freedom too (as `log(df)`).
#' * `lik_bernoulli(link)`: binary y with a logit, probit or cloglog link;
#'   the negative log-likelihood is the binary cross-entropy.
#' * `lik_categorical(label_smoothing)`: multinomial logit (softmax) with the
#'   first level of the response as reference; the NLL is the softmax
#'   cross-entropy, optionally against smoothed labels.
#' * `lik_poisson()`: counts with a log link.
#' * `lik_beta()`: y in (0, 1), logit link for the mean and precision
#'   `phi` estimated as `log(phi)`.
#' * `lik_ordinal(link)`: cumulative link model for an ordered factor,
#'   \eqn{P(Y \le k) = F(\theta_k - x'\beta)}{P(Y <= k) = F(theta_k - x'beta)},
#'   with ordered cut-points, parameterised as in `MASS::polr`.
#' * `lik_gaussian_hetero()`: Gaussian with its own linear model for the log
#'   variance; write the formula as `y ~ mean terms | log-variance terms`.
#'
#' `gaussian()`, `binomial()` (logit, probit, cloglog) and `poisson()` (log)
#' from \pkg{stats} are accepted wherever a family is.
#'
#' @param ... None: these families have no settings (passing any is an error).
#' @param delta Huber's threshold, in units of the scale.
#' @param df Degrees of freedom, or `NULL` to estimate them.
#' @param link The link function.
#' @param label_smoothing Mix the one-hot target with the uniform
#'   distribution: targets \eqn{(1-\epsilon)\,onehot + \epsilon/K}{(1 - eps) onehot + eps / K}.
#' @return An object of class `probml_family`.
#' @examples
#' lik_bernoulli("probit")
#' fit <- fit_mle(dist ~ speed, data = cars, family = lik_laplace())
#' coef(fit)
#' @name families
NULL

#' @rdname families
#' @export
lik_gaussian <- function(...) {
  check_no_arguments(..., fn = "lik_gaussian", hint = "sigma is estimated")
  new_family("gaussian", "Gaussian", response = "numeric", aux = function(levels) "log(sigma)")
}

#' @rdname families
#' @export
lik_laplace <- function(...) {
  check_no_arguments(..., fn = "lik_laplace", hint = "the scale is estimated")
  new_family("laplace", "Laplace", response = "numeric", aux = function(levels) "log(scale)")
}

#' @rdname families
#' @export
lik_huber <- function(delta = 1.345) {
  check_number(delta, "delta", lower = .Machine$double.eps)
  new_family("huber", sprintf("Huber (delta = %g)", delta), response = "numeric",
             aux = function(levels) "log(scale)", delta = delta)
}

#' @rdname families
#' @export
lik_student_t <- function(df = NULL) {
  check_number(df, "df", lower = .Machine$double.eps, allow_null = TRUE)
  if (is.null(df)) {
    return(new_family("student_t", "Student t (df estimated)", response = "numeric",
                      aux = function(levels) c("log(sigma)", "log(df)")))
  }
  new_family("student_t", sprintf("Student t (df = %g)", df), response = "numeric",
             aux = function(levels) "log(sigma)", df = df)
}

#' @rdname families
#' @export
lik_bernoulli <- function(link = c("logit", "probit", "cloglog")) {
  link <- if (missing(link)) "logit" else check_choice(link, c("logit", "probit", "cloglog"), "link")
  new_family("bernoulli", sprintf("Bernoulli (%s link)", link), link = link, response = "binary")
}

#' @rdname families
#' @export
lik_categorical <- function(label_smoothing = 0) {
  check_number(label_smoothing, "label_smoothing", lower = 0, upper = 1 - 1e-12)
  label <- if (label_smoothing > 0) sprintf("Categorical (label smoothing %g)", label_smoothing)
           else "Categorical (softmax)"
  new_family("categorical", label, link = "softmax", response = "factor",
             label_smoothing = label_smoothing)
}

#' @rdname families
#' @export
lik_poisson <- function(...) {
  check_no_arguments(..., fn = "lik_poisson", hint = "the log link is the only one")
  new_family("poisson", "Poisson (log link)", link = "log", response = "count")
}

#' @rdname families
#' @export
lik_beta <- function(...) {
  check_no_arguments(..., fn = "lik_beta", hint = "phi is estimated")
  new_family("beta", "Beta (logit link for the mean)", link = "logit", response = "unit",
             aux = function(levels) "log(phi)")
}

#' @rdname families
#' @export
lik_ordinal <- function(link = c("logit", "probit")) {
  link <- if (missing(link)) "logit" else check_choice(link, c("logit", "probit"), "link")
  new_family("ordinal", sprintf("Ordinal cumulative %s", link), link = link, response = "ordered",
             aux = function(levels) paste(utils::head(levels, -1), utils::tail(levels, -1), sep = "|"))
}

#' @rdname families
#' @export
lik_gaussian_hetero <- function(...) {
  check_no_arguments(..., fn = "lik_gaussian_hetero", hint = "give the log-variance terms after | in the formula")
  new_family("gaussian_hetero", "Heteroscedastic Gaussian (log-variance model)",
             response = "numeric", n_linear = 2L)
}

#' @export
print.probml_family <- function(x, ...) {
  cat("<probml_family> ", x$label, "\n", sep = "")
  invisible(x)
}

# Accepts a probml_family, a stats family object or generator, or a name.
as_probml_family <- function(family, call = rlang::caller_env()) {
  if (inherits(family, "probml_family")) return(family)
  if (is.function(family)) {
    generated <- tryCatch(family(), error = function(e) NULL)
    if (!inherits(generated, c("family", "probml_family"))) {
      abort_probml("family", "{.arg family} must be a family object or a family generator such as {.fn binomial}.", call = call)
    }
    family <- generated
    if (inherits(family, "probml_family")) return(family)
  }
  if (is.character(family) && length(family) == 1L) {
    ctor <- switch(family, gaussian = lik_gaussian, laplace = lik_laplace, huber = lik_huber,
                   student_t = lik_student_t, bernoulli = lik_bernoulli, binomial = lik_bernoulli,
                   categorical = lik_categorical, poisson = lik_poisson, beta = lik_beta,
                   ordinal = lik_ordinal, gaussian_hetero = lik_gaussian_hetero, NULL)
    if (is.null(ctor)) abort_probml("family", "{.arg family} {.val {family}} is not a probml family.", call = call)
    return(ctor())
  }
  if (inherits(family, "family")) {
    fam <- family$family
    link <- family$link
    if (fam == "gaussian" && link == "identity") return(lik_gaussian())
    if (fam == "binomial" && link %in% c("logit", "probit", "cloglog")) return(lik_bernoulli(link))
    if (fam == "poisson" && link == "log") return(lik_poisson())
    abort_probml("family", c("{.arg family} {.code {fam}({link})} has no probml equivalent.",
                             i = "Supported: gaussian(identity), binomial(logit, probit, cloglog), poisson(log)."),
                 call = call)
  }
  abort_probml("family", "{.arg family} must be a probml family such as {.fn lik_gaussian}, not {.obj_type_friendly {family}}.",
               call = call)
}

# The plain description the C++ core builds its family from.
family_spec <- function(family, n_classes = 2L) {
  list(name = family$family, link = family$link,
       delta = if (is.na(family$delta)) 1.345 else family$delta,
       df = if (is.na(family$df)) 0 else family$df,
       n_classes = as.integer(n_classes), label_smoothing = family$label_smoothing)
}

#' Negative log-likelihood of a family at given parameters
#'
#' Evaluates the family's per-observation negative log-likelihood in the
#' C++ core, at linear predictors you supply: the loss a model with those
#' predictions would incur. It is how probml shows that each familiar loss
#' (squared error, absolute error, binary and softmax cross-entropy, Poisson
#' deviance) is a negative log-likelihood.
#'
#' @param family A probml family, e.g. [lik_bernoulli()].
#' @param y The response, coded as [fit_mle()] accepts it.
#' @param eta Linear predictor(s): a vector, or a matrix with one column per
#'   linear predictor (categorical: the `K - 1` logits against the first
#'   class, or all `K` logits, which are then centred on the first;
#'   heteroscedastic Gaussian: mean and log-variance).
#' @param aux Auxiliary parameters on the scale [coef()] reports them
#'   (`log(sigma)`, `log(phi)`, cut-points, ...).
#' @param weights Optional observation weights.
#' @param reduce `"none"` for the per-observation values, `"sum"` or
#'   `"mean"` (weighted).
#' @return A number, or a vector with `reduce = "none"`.
#' @examples
#' # Binary cross-entropy is the Bernoulli NLL
#' y <- c(1, 0, 1, 1, 0)
#' p <- c(0.9, 0.1, 0.8, 0.7, 0.3)
#' family_nll(lik_bernoulli(), y, qlogis(p), reduce = "mean")
#' -mean(y * log(p) + (1 - y) * log(1 - p))
#' @export
family_nll <- function(family, y, eta, aux = NULL, weights = NULL,
                       reduce = c("mean", "sum", "none")) {
  family <- as_probml_family(family)
  reduce <- check_choice(reduce[1], c("mean", "sum", "none"), "reduce")
  resp <- prepare_response(y, family, "y")
  n <- length(resp$y)
  K <- if (is.null(resp$levels)) 2L else length(resp$levels)
  if (!is.numeric(eta)) abort_probml("argument", "{.arg eta} must be numeric, not {.obj_type_friendly {eta}}.")
  eta <- as.matrix(eta)
  if (nrow(eta) != n) abort_probml("length", "{.arg eta} has {nrow(eta)} rows but {.arg y} has length {n}.")
  if (any(!is.finite(eta))) abort_probml("nonfinite", "{.arg eta} must be finite.")
  m <- if (family$family == "categorical") K - 1L else family$n_linear
  if (family$family == "categorical" && ncol(eta) == K) eta <- eta[, -1L, drop = FALSE] - eta[, 1L]
  if (ncol(eta) != m) abort_probml("length", "{.arg eta} needs {m} column{?s} for {family$label}, not {ncol(eta)}.")
  q <- length(family$aux(resp$levels))
  aux <- if (is.null(aux)) numeric(0) else aux
  if (!is.numeric(aux) || length(aux) != q || any(!is.finite(aux))) {
    abort_probml("argument", "{.arg aux} must hold {q} finite value{?s} ({.val {family$aux(resp$levels)}}) for {family$label}.")
  }
  if (family$family == "ordinal" && is.unsorted(aux, strictly = TRUE)) {
    abort_probml("argument", "{.arg aux} cut-points must be strictly increasing.")
  }
  w <- check_weights(weights, n)
  value <- cpp_local(family_spec(family, K), eta, resp$y, as.numeric(aux), 0L)$value
  switch(reduce, none = value, sum = sum(w * value), mean = sum(w * value) / sum(w))
}

check_no_arguments <- function(..., fn, hint, call = rlang::caller_env()) {
  if (...length() > 0L) {
    abort_probml("argument", c("{.fn {fn}} takes no arguments.", i = "{hint}."), call = call)
  }
}
