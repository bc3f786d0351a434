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
#'   coefficients is median (least absolute deviations) regression.
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
lik_gaussian <- function() {
  new_family("gaussian", "Gaussian", response = "numeric", aux = function(levels) "log(sigma)")
}

#' @rdname families
#' @export
lik_laplace <- function() {
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
lik_poisson <- function() {
  new_family("poisson", "Poisson (log link)", link = "log", response = "count")
}

#' @rdname families
#' @export
lik_beta <- function() {
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
lik_gaussian_hetero <- function() {
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
  if (is.function(family)) family <- family()
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
