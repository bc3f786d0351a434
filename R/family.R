# Likelihood families. A probml_family is a name and settings; what the
# family can do comes from the core (family_info()).

#' Likelihood families
#'
#' Each constructor returns a `probml_family`: a likelihood whose negative
#' log-likelihood, gradient and Hessian (and, where it is known in closed
#' form, the expected Fisher information) are computed by the C++ core. Scale,
#' shape and cut-point parameters are estimated with the regression
#' coefficients, on an unconstrained scale (`log(sigma)`, `log(phi)`, ...).
#'
#' * `lik_gaussian(sigma)`: \eqn{y \sim N(\mu, \sigma^2)}{y ~ N(mu, sigma^2)}, the
#'   likelihood behind least squares. The ML estimate of sigma is
#'   \eqn{\sqrt{RSS/n}}{sqrt(RSS/n)}; `sigma(fit, unbiased = TRUE)` gives
#'   `lm`'s \eqn{\sqrt{RSS/(n-p)}}{sqrt(RSS/(n-p))}. With `sigma` given the
#'   noise is known and only the mean is fitted: the negative
#'   log-likelihood is then \eqn{RSS / (2\sigma^2)}{RSS / (2 sigma^2)} plus a
#'   constant, and with `sigma = 1` a MAP path is glmnet's Gaussian path.
#' * `lik_laplace()`: Laplace errors with scale `b`; the MLE of the mean
#'   coefficients is median (least absolute deviations) regression, solved
#'   exactly as a linear programme. Like any LAD fit it need not be unique:
#'   with an even number of observations an intercept-only fit may return
#'   any point between the two middle order statistics, not `median()`'s
#'   midpoint. The MLE of `b` is the mean absolute residual. It is
#'   `lik_quantile(0.5)` with the scale counted as `b = 2 * sigma`.
#' * `lik_quantile(tau)`: the asymmetric Laplace likelihood of quantile
#'   regression,
#'   \eqn{f(y) = \tau(1-\tau)/\sigma \exp(-\rho_\tau(y - \mu)/\sigma)}{f(y) = tau (1 - tau) / sigma exp(-rho_tau(y - mu) / sigma)}
#'   with the check loss \eqn{\rho_\tau(r) = r(\tau - [r < 0])}{rho_tau(r) = r (tau - [r < 0])}:
#'   the linear predictor \eqn{\mu}{mu} is the `tau`-quantile of y, the MLE
#'   of its coefficients minimises the weighted check loss, exactly (a
#'   linear programme, the solver of `lik_laplace()`), as
#'   `quantreg::rq(tau = )` does, and the MLE of the scale sigma is the
#'   mean check loss. Standard errors come from the expected information,
#'   \eqn{\sigma^2/(\tau(1-\tau)) (X'WX)^{-1}}{sigma^2 / (tau (1 - tau)) (X'WX)^-1}
#'   for the location: the asymptotic variance of a quantile regression
#'   whose density at the quantile is the model's. `predict(fit)` (the
#'   linear predictor) is the fitted quantile; `type = "response"`,
#'   [fitted()] and the response and Pearson residuals use the mean of the asymmetric Laplace
#'   distribution,
#'   \eqn{\mu + \sigma(1 - 2\tau)/(\tau(1-\tau))}{mu + sigma (1 - 2 tau) / (tau (1 - tau))}.
#' * `lik_huber(delta)`: the normalised density
#'   \eqn{\exp(-\rho_\delta(z)) / (s\,c(\delta))}{exp(-rho(z)) / (s c(delta))}
#'   with Huber's \eqn{\rho}{rho}, quadratic for \eqn{|z| \le \delta}{|z| <= delta},
#'   linear beyond, and its scale `s` estimated. The default `delta` is
#'   1.345, which gives 95% efficiency at the Gaussian.
#' * `lik_student_t(df)`: Student t errors with scale sigma; `df = NULL`
#'   estimates the degrees of freedom too (as `log(df)`).
#' * `lik_bernoulli(link)`: binary y with a logit, probit or cloglog link;
#'   the negative log-likelihood is the binary cross-entropy. It is also
#'   the binomial likelihood of grouped data, given as `glm()` takes them:
#'   `cbind(successes, failures) ~ x`, or the proportion of successes with
#'   `weights = trials` (see [fit_mle()]).
#' * `lik_categorical(label_smoothing)`: multinomial logit (softmax) with the
#'   first level of the response as reference; the NLL is the softmax
#'   cross-entropy, optionally against smoothed labels.
#' * `lik_poisson()`: counts with a log link.
#' * `lik_beta()`: y in (0, 1), logit link for the mean and precision
#'   `phi` estimated as `log(phi)`. With a formula `y ~ x | z` (or `z =` in
#'   [fit_mle_xy()]) the precision has its own linear model with a log link,
#'   \eqn{\log\phi_i = z_i'\gamma}{log(phi_i) = z_i' gamma}, as
#'   `betareg::betareg(y ~ x | z)`; its coefficients are named
#'   `log(phi):<term>`. `y ~ x` keeps one precision, `log(phi)`.
#' * `lik_ordinal(link)`: cumulative link model for an ordered factor,
#'   \eqn{P(Y \le k) = F(\theta_k - x'\beta)}{P(Y <= k) = F(theta_k - x'beta)},
#'   with ordered cut-points, parameterised as in `MASS::polr`. `F` is the
#'   logistic (`"logit"`, polr's `"logistic"`), normal (`"probit"`), Cauchy
#'   (`"cauchit"`), \eqn{1 - \exp(-e^x)}{1 - exp(-exp(x))} (`"cloglog"`)
#'   or \eqn{\exp(-e^{-x})}{exp(-exp(-x))} (`"loglog"`), the distributions
#'   polr's methods of the same names use.
#' * `lik_gaussian_hetero()`: Gaussian with its own linear model for the log
#'   variance; write the formula as `y ~ mean terms | log-variance terms`.
#'
#' `gaussian()`, `binomial()` (logit, probit, cloglog) and `poisson()` (log)
#' from \pkg{stats} are accepted wherever a family is, and so is a family's
#' name (`"poisson"`, `"student_t"`, ...).
#'
#' What each family can do (its linear predictors, auxiliary parameters,
#' expected information, whether it takes an offset, ...) is declared once,
#' in the C++ core; the R functions read it from there.
#'
#' @param ... None: these families have no settings (passing any is an error).
#' @param sigma The known noise standard deviation, or `NULL` to estimate it.
#' @param delta Huber's threshold, in units of the scale; `NULL` for the
#'   default, 1.345.
#' @param df Degrees of freedom, or `NULL` to estimate them.
#' @param link The link function.
#' @param tau The quantile, a number strictly between 0 and 1.
#' @param label_smoothing Mix the one-hot target with the uniform
#'   distribution: targets \eqn{(1-\epsilon)\,onehot + \epsilon/K}{(1 - eps) onehot + eps / K}.
#' @return An object of class `probml_family`: the family's name and settings,
#'   which [fit_mle()] and [family_nll()] hand to the core.
#' @seealso [fit_mle()] to fit a model, [family_nll()] to evaluate a
#'   likelihood at given parameters.
#' @examples
#' lik_bernoulli("probit")
#' fit <- fit_mle(dist ~ speed, data = cars, family = lik_laplace())
#' coef(fit)
#'
#' # The 90% quantile of stopping distance given speed
#' fit90 <- fit_mle(dist ~ speed, data = cars, family = lik_quantile(0.9))
#' coef(fit90)
#' mean(cars$dist <= predict(fit90))
#'
#' # An ordinal model with a complementary log-log link
#' fit_mle(Sat ~ Infl + Type + Cont, data = MASS::housing, weights = Freq,
#'         family = lik_ordinal("cloglog"))
#'
#' # Beta regression with a model for the precision: log(phi) = 1 + 2 z
#' set.seed(1)
#' d <- data.frame(x = runif(300), z = runif(300))
#' mu <- plogis(-1 + 2 * d$x)
#' phi <- exp(1 + 2 * d$z)
#' d$y <- rbeta(300, mu * phi, (1 - mu) * phi)
#' coef(fit_mle(y ~ x | z, data = d, family = lik_beta()))
#' @name families
NULL

#' @rdname families
#' @export
lik_gaussian <- function(sigma = NULL, ...) {
  check_dots_empty(...)
  check_number(sigma, "sigma", positive = TRUE, allow_null = TRUE)
  new_family("gaussian", sigma = sigma)
}

#' @rdname families
#' @export
lik_laplace <- function(...) {
  check_no_settings(..., hint = "The scale is estimated")
  new_family("laplace")
}

#' @rdname families
#' @export
lik_quantile <- function(tau = 0.5) {
  check_level(tau, "tau")
  new_family("quantile", tau = tau)
}

#' @rdname families
#' @export
lik_huber <- function(delta = NULL) {
  check_number(delta, "delta", lower = .Machine$double.eps, allow_null = TRUE)
  new_family("huber", delta = delta)
}

#' @rdname families
#' @export
lik_student_t <- function(df = NULL) {
  check_number(df, "df", lower = .Machine$double.eps, allow_null = TRUE)
  new_family("student_t", df = df)
}

#' @rdname families
#' @export
lik_bernoulli <- function(link = c("logit", "probit", "cloglog")) {
  new_family("bernoulli", link = check_link(link, missing(link)))
}

#' @rdname families
#' @export
lik_categorical <- function(label_smoothing = 0) {
  check_number(label_smoothing, "label_smoothing", lower = 0, upper = 1 - 1e-12)
  new_family("categorical", link = "softmax", label_smoothing = label_smoothing)
}

#' @rdname families
#' @export
lik_poisson <- function(...) {
  check_no_settings(..., hint = "The log link is the only one")
  new_family("poisson", link = "log")
}

#' @rdname families
#' @export
lik_beta <- function(...) {
  check_no_settings(..., hint = "The precision phi is estimated")
  new_family("beta", link = "logit")
}

#' @rdname families
#' @export
lik_ordinal <- function(link = c("logit", "probit", "cloglog", "loglog", "cauchit")) {
  new_family("ordinal", link = check_link(link, missing(link)))
}

#' @rdname families
#' @export
lik_gaussian_hetero <- function(...) {
  check_no_settings(..., hint = "Give the log-variance terms after | in the formula")
  new_family("gaussian_hetero")
}

# A family is its core name and settings; like a stats family object it has
# $family and $link. Everything else about it comes from family_info().
# `formula_parts` is set by with_formula_parts(), from the formula.
new_family <- function(name, link = "identity", delta = NULL, df = NULL, sigma = NULL, tau = NULL,
                       label_smoothing = 0) {
  structure(list(family = name, link = link, delta = delta, df = df, sigma = sigma, tau = tau,
                 label_smoothing = label_smoothing),
            class = "probml_family")
}

# A family whose second formula part is optional (lik_beta(): the precision
# model) takes it when the formula has one (`two_parts`, from `|` or `z =`).
with_formula_parts <- function(family, two_parts) {
  if (!two_parts) return(family)
  info <- family_info(family)
  if (info$n_formula_parts == 1L && info$max_formula_parts == 2L) family$formula_parts <- 2L
  family
}

# The description the core builds the family from; `levels` are the class
# labels of a categorical or ordinal response (for names and the class count).
family_spec <- function(family, levels = NULL) {
  link <- if (identical(family$link, "identity") || identical(family$link, "softmax")) "" else family$link
  list(name = family$family, link = link, delta = family$delta, df = family$df, sigma = family$sigma,
       tau = family$tau, formula_parts = family$formula_parts,
       label_smoothing = family$label_smoothing, levels = as.character(levels %||% character()))
}

# What the family can do, from the core (see Family in family/family.hpp).
family_info <- function(family, levels = NULL) call_core(cpp_family_info(family_spec(family, levels)))

# The family of a fit, with the fit's class labels.
fit_family_info <- function(fit) family_info(fit$family, fit$levels)

#' @export
print.probml_family <- function(x, ...) {
  check_dots_empty(...)
  cat("<probml_family> ", family_info(x)$label, "\n", sep = "")
  invisible(x)
}

# Accepts a probml_family, a stats family object or generator, or a name.
as_probml_family <- function(family, arg = "family", call = rlang::caller_env()) {
  if (inherits(family, "probml_family")) return(family)
  if (is.function(family)) {
    generated <- tryCatch(family(), error = function(e) NULL)
    if (!inherits(generated, c("family", "probml_family"))) {
      abort_probml("type", "{.arg {arg}} must be a family object or a family generator such as {.fn binomial}.", call = call)
    }
    family <- generated
    if (inherits(family, "probml_family")) return(family)
  }
  if (is.character(family) && length(family) == 1L && !is.na(family)) {
    name <- if (family == "binomial") "bernoulli" else family
    check_choice(name, cpp_family_names(), arg, call = call)
    return(get(paste0("lik_", name), envir = asNamespace("probml"), mode = "function")())
  }
  if (inherits(family, "family")) return(from_stats_family(family, arg, call))
  abort_probml("type", "{.arg {arg}} must be a probml family such as {.fn lik_gaussian}, not {.obj_type_friendly {family}}.",
               call = call)
}

# The stats family objects that have a probml equivalent.
from_stats_family <- function(family, arg, call) {
  fam <- family$family
  link <- family$link
  if (fam == "gaussian" && link == "identity") return(lik_gaussian())
  if (fam == "binomial" && link %in% c("logit", "probit", "cloglog")) return(lik_bernoulli(link))
  if (fam == "poisson" && link == "log") return(lik_poisson())
  abort_probml("unsupported", c("{.arg {arg}} {.code {fam}({link})} has no probml equivalent.",
                                i = "Supported: gaussian(identity), binomial(logit, probit, cloglog), poisson(log)."),
               call = call)
}

check_link <- function(link, default, call = rlang::caller_env()) {
  choices <- eval(formals(sys.function(sys.parent()))$link)
  if (default) return(choices[1])
  check_choice(link, choices, "link", call = call)
}

check_no_settings <- function(..., hint, call = rlang::caller_env()) {
  if (...length() > 0L) {
    fn <- call_name(sys.call(sys.parent()))
    abort_probml("unused_argument", c("{.fn {fn}} takes no arguments.", i = "{hint}."), call = call)
  }
}

#' Negative log-likelihood of a family at given parameters
#'
#' Evaluates the family's per-observation negative log-likelihood in the
#' C++ core, at linear predictors you supply: the loss a model with those
#' predictions would incur. It is how probml shows that each familiar loss
#' (squared error, absolute error, binary and softmax cross-entropy, Poisson
#' deviance) is a negative log-likelihood.
#'
#' @param family A probml family, e.g. [lik_bernoulli()] (see [families]).
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
  reduce <- if (missing(reduce)) "mean" else check_choice(reduce, c("mean", "sum", "none"), "reduce")
  kind <- family_info(family)$response
  resp <- code_outcome(y, kind, "y")
  info <- family_info(family, resp$levels)
  check_support(resp$y, family, resp$levels, "y")
  n <- length(resp$y)
  if (!is.numeric(eta) || is.object(eta)) abort_probml("type", "{.arg eta} must be numeric, not {.obj_type_friendly {eta}}.")
  eta <- as.matrix(eta)
  if (nrow(eta) != n) abort_probml("length", "{.arg eta} has {nrow(eta)} rows but {.arg y} has length {n}.")
  if (anyNA(eta)) abort_probml("missing", "{.arg eta} contains missing values.")
  if (any(!is.finite(eta))) abort_probml("nonfinite", "{.arg eta} must be finite.")
  m <- info$n_linear
  if (info$logits_against_first_class && ncol(eta) == m + 1L) eta <- eta[, -1L, drop = FALSE] - eta[, 1L]
  if (ncol(eta) != m) abort_probml("length", "{.arg eta} needs {m} column{?s} for {info$label}, not {ncol(eta)}.")
  q <- info$n_aux
  aux <- if (is.null(aux)) numeric(0) else aux
  if (!is.numeric(aux) || length(aux) != q || any(!is.finite(aux))) {
    abort_probml("value", "{.arg aux} must hold {q} finite value{?s} ({.val {info$aux_names}}) for {info$label}.")
  }
  w <- check_weights(weights, n)
  value <- tryCatch(cpp_family_local(family_spec(family, resp$levels), eta, resp$y, as.double(aux), 0L)$value,
                    error = function(e) {
                      abort_probml("value", c("{.arg aux} lies outside the parameter space of {info$label}.", x = "{core_message(e)}."))
                    })
  switch(reduce, none = value, sum = sum(w * value), mean = sum(w * value) / sum(w))
}

# The coded response against the family's support, checked by the core.
check_support <- function(y, family, levels, arg, call = rlang::caller_env()) {
  row <- cpp_family_first_outside_support(family_spec(family, levels), y)
  if (!is.na(row)) {
    info <- family_info(family, levels)
    abort_probml("support", c("The response must be {info$support} for the {info$label} family.",
                              x = "Row {row} of {.arg {arg}} is {.val {y[row]}}."), call = call)
  }
  invisible(y)
}
