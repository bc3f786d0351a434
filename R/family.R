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
#' * `lik_gaussian(sigma, link)`: \eqn{y \sim N(\mu, \sigma^2)}{y ~ N(mu, sigma^2)}, the
#'   likelihood behind least squares, with the mean \eqn{\mu = \eta}{mu = eta}
#'   (`"identity"`), \eqn{e^\eta}{exp(eta)} (`"log"`) or \eqn{1/\eta}{1/eta}
#'   (`"inverse"`), as `gaussian(link)`. The ML estimate of sigma is
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
#' * `lik_bernoulli(link)`: binary y with a logit, probit, cloglog, log,
#'   cauchit or loglog link (\eqn{p = e^{-e^{-\eta}}}{p = exp(-exp(-eta))});
#'   the negative log-likelihood is the binary cross-entropy. Under the log
#'   link \eqn{p = e^\eta}{p = exp(eta)} (the log of a relative risk) must
#'   stay below 1: the likelihood is zero outside, and the fit keeps every
#'   step inside, so no starting values are needed where `glm()` asks for them.
#'   It is also the binomial likelihood of grouped data, given as `glm()`
#'   takes them: `cbind(successes, failures) ~ x`, or the proportion of
#'   successes with `weights = trials` (see [fit_mle()]).
#' * `lik_categorical(label_smoothing)`: multinomial logit (softmax) with the
#'   first level of the response as reference; the NLL is the softmax
#'   cross-entropy, optionally against smoothed labels.
#' * `lik_poisson(link)`: counts with a log, identity or sqrt link (the
#'   mean must stay positive, as in `poisson(link)`).
#' * `lik_negbin(theta, link)`: negative binomial counts (NB2),
#'   \eqn{\mathrm{Var}(y) = \mu + \mu^2/\theta}{Var(y) = mu + mu^2/theta}, with
#'   \eqn{\theta}{theta} estimated with the coefficients (as `log(theta)`),
#'   as `MASS::glm.nb()`, or fixed at `theta`, as `MASS::negative.binomial(theta)`.
#' * `lik_gamma(link)`: positive y with mean \eqn{\mu}{mu} and shape
#'   \eqn{a}{a} estimated by maximum likelihood (as `log(shape)`), so
#'   \eqn{\mathrm{Var}(y) = \mu^2/a}{Var(y) = mu^2/a}; links inverse (`Gamma()`'s
#'   default), log and identity. The coefficients are `glm()`'s; glm's
#'   dispersion is \eqn{1/a}{1/a}, but `glm()` estimates it by moments.
#' * `lik_inverse_gaussian(link)`: positive y with mean \eqn{\mu}{mu} and
#'   shape \eqn{\lambda}{lambda} (as `log(shape)`),
#'   \eqn{\mathrm{Var}(y) = \mu^3/\lambda}{Var(y) = mu^3/lambda}; links `"1/mu^2"`
#'   (`inverse.gaussian()`'s default), inverse, log and identity.
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
#' The stats family objects `gaussian()`, `binomial()`, `poisson()`,
#' `Gamma()` and `inverse.gaussian()`, each with any of the links above, and
#' `MASS::negative.binomial(theta)` are accepted wherever a family is, so
#' `fit_mle(y ~ x, data, family = Gamma("log"))` fits what
#' `glm(y ~ x, data = data, family = Gamma("log"))` fits; so is a family's
#' name (`"poisson"`, `"gamma"`, `"student_t"`, ...).
#'
#' Where a link can take the mean out of its space (a negative Poisson or
#' Gamma mean under the identity link, a probability above 1 under the
#' Bernoulli log link) the likelihood is zero there: the fit starts inside
#' and its line search never steps outside.
#'
#' What each family can do (its linear predictors, auxiliary parameters,
#' expected information, whether it takes an offset, ...) is declared once,
#' in the C++ core; the R functions read it from there.
#'
#' @param ... None: these families have no settings (passing any is an error).
#' @param sigma The known noise standard deviation, or `NULL` to estimate it.
#' @param theta The negative binomial's known \eqn{\theta}{theta}, or `NULL` to estimate it.
#' @param delta Huber's threshold, in units of the scale; `NULL` for the
#'   default, 1.345.
#' @param df Degrees of freedom, or `NULL` to estimate them.
#' @param link The link function, by the name `make.link()` gives it; the
#'   first choice is the default.
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
#'
#' # Gamma regression: glm's coefficients, the shape by maximum likelihood
#' fit <- fit_mle(mpg ~ wt, data = mtcars, family = Gamma("log"))
#' coef(fit)
#' coef(glm(mpg ~ wt, data = mtcars, family = Gamma("log")))
#'
#' # Negative binomial with theta estimated, as MASS::glm.nb
#' fit <- fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_negbin())
#' exp(coef(fit)[["log(theta)"]])
#' @name families
NULL

#' @rdname families
#' @export
lik_gaussian <- function(sigma = NULL, link = c("identity", "log", "inverse"), ...) {
  check_dots_empty(...)
  check_number(sigma, "sigma", positive = TRUE, allow_null = TRUE)
  new_family("gaussian", link = check_link(link, missing(link)), sigma = sigma)
}

#' @rdname families
#' @export
lik_laplace <- function(...) {
  check_no_settings(..., hint = "The scale is estimated")
  new_family("laplace", link = "identity")
}

#' @rdname families
#' @export
lik_quantile <- function(tau = 0.5) {
  check_level(tau, "tau")
  new_family("quantile", link = "identity", tau = tau)
}

#' @rdname families
#' @export
lik_huber <- function(delta = NULL) {
  check_number(delta, "delta", lower = .Machine$double.eps, allow_null = TRUE)
  new_family("huber", link = "identity", delta = delta)
}

#' @rdname families
#' @export
lik_student_t <- function(df = NULL) {
  check_number(df, "df", lower = .Machine$double.eps, allow_null = TRUE)
  new_family("student_t", link = "identity", df = df)
}

#' @rdname families
#' @export
lik_bernoulli <- function(link = c("logit", "probit", "cloglog", "log", "cauchit", "loglog")) {
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
lik_poisson <- function(link = c("log", "identity", "sqrt")) {
  new_family("poisson", link = check_link(link, missing(link)))
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
  new_family("gaussian_hetero", link = "identity")
}

#' @rdname families
#' @export
lik_gamma <- function(link = c("inverse", "log", "identity")) {
  new_family("gamma", link = check_link(link, missing(link)))
}

#' @rdname families
#' @export
lik_inverse_gaussian <- function(link = c("1/mu^2", "inverse", "log", "identity")) {
  new_family("inverse_gaussian", link = check_link(link, missing(link)))
}

#' @rdname families
#' @export
lik_negbin <- function(theta = NULL, link = c("log", "sqrt", "identity")) {
  check_number(theta, "theta", positive = TRUE, allow_null = TRUE)
  new_family("negbin", link = check_link(link, missing(link)), theta = theta)
}

# A family is its core name and settings; like a stats family object it has
# $family and $link ("" for the core's default). Everything else about it
# comes from family_info(). `formula_parts` is set by with_formula_parts(),
# from the formula.
new_family <- function(name, link = "", delta = NULL, df = NULL, sigma = NULL, tau = NULL, theta = NULL,
                       label_smoothing = 0) {
  structure(list(family = name, link = link, delta = delta, df = df, sigma = sigma, tau = tau, theta = theta,
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
  list(name = family$family, link = family$link %||% "", delta = family$delta, df = family$df, sigma = family$sigma,
       tau = family$tau, theta = family$theta, formula_parts = family$formula_parts,
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

# The stats family objects that have a probml equivalent: the probml
# constructor of each, whose `link` choices say which links map.
# MASS::negative.binomial(theta) is the negative binomial with theta fixed.
stats_families <- c(gaussian = "lik_gaussian", binomial = "lik_bernoulli", poisson = "lik_poisson",
                    Gamma = "lik_gamma", inverse.gaussian = "lik_inverse_gaussian",
                    "Negative Binomial" = "lik_negbin")

from_stats_family <- function(family, arg, call) {
  fam <- family$family
  link <- family$link
  theta <- NULL
  if (is.character(fam) && startsWith(fam, "Negative Binomial(") && is.function(family$variance)) {
    theta <- get0(".Theta", envir = environment(family$variance), inherits = FALSE)
    fam <- "Negative Binomial"
  }
  ctor <- if (is.character(fam) && length(fam) == 1L && fam %in% names(stats_families)) stats_families[[fam]]
  links <- if (!is.null(ctor)) eval(formals(get(ctor, mode = "function"))$link)
  if (!is.null(ctor) && is.character(link) && length(link) == 1L && link %in% links) {
    if (!is.null(theta)) return(lik_negbin(theta = theta, link = link))
    return(get(ctor, mode = "function")(link = link))
  }
  supported <- vapply(names(stats_families), function(f) {
    links <- eval(formals(get(stats_families[[f]], mode = "function"))$link)
    if (f == "binomial") links <- setdiff(links, "loglog")  # make.link() has no loglog
    paste0(if (f == "Negative Binomial") "MASS::negative.binomial" else f, "(", paste(links, collapse = ", "), ")")
  }, "")
  abort_probml("unsupported", c("{.arg {arg}} {.code {fam}({link})} has no probml equivalent.",
                                i = "Supported: {paste(supported, collapse = '; ')}."),
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
