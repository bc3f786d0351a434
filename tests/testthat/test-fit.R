# Agreement with trusted references, at the stated tolerances.

tight_glm <- function(...) glm(..., control = glm.control(epsilon = 1e-14, maxit = 100))

# glm stops on the relative change in deviance, which leaves an error of
# about sqrt(epsilon) in the coefficients; for non-canonical links (Fisher
# scoring converges only linearly) even epsilon = 1e-14 leaves ~1e-7. So
# the reference is glm restarted from its own estimate until its
# coefficients stop moving.
converged_glm <- function(formula, data, family, start = NULL, weights = NULL) {
  fit_glm <- function(start) {
    do.call(glm, list(formula, data = data, family = family, start = start, weights = weights,
                      control = glm.control(epsilon = 1e-14, maxit = 100)))
  }
  ref <- fit_glm(start)
  for (i in 1:50) {
    old <- coef(ref)
    ref <- fit_glm(old)
    if (max(abs(coef(ref) - old) / abs(old)) < 1e-13) break
  }
  ref
}

rel_diff <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

test_that("gaussian matches lm: coefficients, ML sigma and the unbiased sigma", {
  fit <- fit_mle(mpg ~ wt + hp + factor(cyl), data = mtcars)
  ref <- lm(mpg ~ wt + hp + factor(cyl), data = mtcars)
  beta <- coef(fit)[names(coef(ref))]
  expect_lt(rel_diff(beta, coef(ref)), 1e-8)
  n <- nrow(mtcars)
  expect_equal(sigma(fit), sqrt(sum(resid(ref)^2) / n), tolerance = 1e-10)
  expect_equal(sigma(fit, unbiased = TRUE), summary(ref)$sigma, tolerance = 1e-10)
  # ML standard errors are the lm ones scaled by sqrt((n - p) / n).
  p <- length(coef(ref))
  se <- sqrt(diag(vcov(fit)))[names(coef(ref))]
  expect_equal(se, sqrt(diag(vcov(ref))) * sqrt((n - p) / n), tolerance = 1e-6)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
})

test_that("bernoulli matches glm for the logit, probit and cloglog links", {
  pima <- MASS::Pima.tr
  for (link in c("logit", "probit", "cloglog")) {
    fit <- fit_mle(type ~ npreg + glu + bp + bmi + ped + age, data = pima, family = lik_bernoulli(link))
    ref <- converged_glm(type ~ npreg + glu + bp + bmi + ped + age, data = pima, family = binomial(link))
    expect_lt(rel_diff(coef(fit), coef(ref)), 1e-8)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
    # glm's standard errors come from the expected information.
    expect_lt(rel_diff(sqrt(diag(vcov(fit, type = "expected"))), sqrt(diag(vcov(ref)))), 1e-6)
    expect_true(fit$converged)
    expect_false(fit$separation)
  }
  # For the canonical logit link observed and expected information agree.
  fit <- fit_mle(type ~ glu + bmi, data = pima, family = binomial())
  expect_equal(vcov(fit), vcov(fit, type = "expected"), tolerance = 1e-10)
})

test_that("poisson matches glm", {
  fit <- fit_mle(breaks ~ wool * tension, data = warpbreaks, family = lik_poisson())
  ref <- tight_glm(breaks ~ wool * tension, data = warpbreaks, family = poisson())
  expect_lt(rel_diff(coef(fit), coef(ref)), 1e-8)
  expect_lt(rel_diff(sqrt(diag(vcov(fit))), sqrt(diag(vcov(ref)))), 1e-6)
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-10)
  expect_equal(BIC(fit), BIC(ref), tolerance = 1e-10)
  # Weights and offsets as glm reads them.
  set.seed(4)
  d <- data.frame(x = rnorm(200), t = runif(200, 1, 5), w = runif(200, 0.2, 3))
  d$y <- rpois(200, d$t * exp(0.3 + 0.5 * d$x))
  fit <- fit_mle(y ~ x, data = d, family = poisson(), offset = log(t), weights = w)
  ref <- glm(y ~ x, data = d, family = poisson(), offset = log(t), weights = w,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  expect_lt(rel_diff(coef(fit), coef(ref)), 1e-8)
  fit2 <- fit_mle(y ~ x + offset(log(t)), data = d, family = poisson(), weights = w)
  expect_equal(coef(fit2), coef(fit), tolerance = 1e-12)
})

test_that("categorical matches nnet::multinom", {
  housing <- MASS::housing
  fit <- fit_mle(Sat ~ Infl + Type + Cont, data = housing, weights = Freq,
                 family = lik_categorical())
  ref <- nnet::multinom(Sat ~ Infl + Type + Cont, data = housing, weights = Freq,
                        trace = FALSE, reltol = 1e-14, maxit = 1000)
  expect_gte(as.numeric(logLik(fit)), as.numeric(logLik(ref)) - 1e-8)
  ref_coef <- coef(ref)
  ours <- matrix(coef(fit), nrow = nrow(ref_coef), byrow = TRUE)
  expect_lt(max(abs(ours - ref_coef)), 1e-4)
  expect_identical(names(coef(fit))[1], "Medium:(Intercept)")
  probs <- predict(fit, type = "prob")
  expect_equal(unname(probs), unname(fitted(ref)), tolerance = 1e-4)
})

test_that("ordinal matches MASS::polr on housing", {
  housing <- MASS::housing
  fit <- fit_mle(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, family = lik_ordinal())
  ref <- MASS::polr(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, Hess = TRUE)
  ref_coef <- c(coef(ref), ref$zeta)
  expect_lt(max(abs(coef(fit) - ref_coef)), 1e-4)
  expect_lt(max(abs(sqrt(diag(vcov(fit))) - sqrt(diag(vcov(ref))))), 1e-4)
  expect_equal(deviance(fit), 3479.149, tolerance = 1e-7)
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-8)
  for (link in "probit") {
    fit <- fit_mle(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, family = lik_ordinal(link))
    ref <- MASS::polr(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, method = link)
    expect_gte(as.numeric(logLik(fit)), as.numeric(logLik(ref)) - 1e-6)
    expect_lt(max(abs(coef(fit) - c(coef(ref), ref$zeta))), 1e-4)
  }
})

test_that("beta matches betareg on GasolineYield", {
  skip_if_not_installed("betareg")
  data("GasolineYield", package = "betareg", envir = environment())
  fit <- fit_mle(yield ~ batch + temp, data = GasolineYield, family = lik_beta())
  ref <- betareg::betareg(yield ~ batch + temp, data = GasolineYield)
  beta <- coef(fit)[1:11]
  expect_lt(max(abs(beta - coef(ref)[1:11])), 1e-6)
  expect_equal(exp(coef(fit)[["log(phi)"]]), coef(ref)[["(phi)"]], tolerance = 1e-6)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
  # betareg reports expected-information standard errors of the mean model.
  se <- sqrt(diag(vcov(fit, type = "expected")))[1:11]
  expect_lt(rel_diff(se, sqrt(diag(vcov(ref)))[1:11]), 1e-4)
})

test_that("laplace is median regression: same sum of absolute residuals as quantreg::rq", {
  skip_if_not_installed("quantreg")
  fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_laplace())
  ref <- quantreg::rq(stack.loss ~ ., data = stackloss, tau = 0.5)
  sar <- sum(abs(stackloss$stack.loss - fitted(fit)))
  expect_lt(abs(sar / sum(abs(resid(ref))) - 1), 1e-6)
  expect_equal(sigma(fit), sar / nrow(stackloss), tolerance = 1e-12)
  set.seed(5)
  n <- 2000
  d <- data.frame(x1 = rnorm(n), x2 = runif(n), w = runif(n, 0.5, 2))
  d$y <- 1 + d$x1 - 2 * d$x2 + rt(n, 2)
  fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_laplace(), weights = w)
  ref <- quantreg::rq(y ~ x1 + x2, data = d, tau = 0.5, weights = w)
  expect_lt(abs(sum(d$w * abs(d$y - fitted(fit))) / sum(d$w * abs(resid(ref))) - 1), 1e-6)
  # Standard errors from the expected information: b^2 (X'WX)^-1.
  X <- model.matrix(~ x1 + x2, d)
  V <- sigma(fit)^2 * solve(crossprod(X * sqrt(d$w)))
  expect_equal(unname(vcov(fit)[1:3, 1:3]), unname(V), tolerance = 1e-8)
})

# sum w rho_tau(r), the check loss quantreg::rq minimises.
check_loss <- function(r, tau, w = 1) sum(w * r * (tau - (r < 0)))
# Whether coefficients with residuals r are the unique minimum of the check
# loss: exactly p residuals are zero and the multipliers that make 0 a
# subgradient there lie strictly inside ((tau - 1) w, tau w).
unique_check_minimum <- function(X, r, tau, w) {
  zero <- abs(r) <= 1e-9 * (1 + max(abs(r)))
  if (sum(zero) != ncol(X)) return(FALSE)
  g <- colSums(X[!zero, , drop = FALSE] * (w * (tau - (r < 0)))[!zero])
  t <- solve(t(X[zero, , drop = FALSE]), -g) / w[zero]
  all(t > tau - 1 + 1e-9 & t < tau - 1e-9)
}

test_that("lik_quantile is quantile regression: the check loss of quantreg::rq, with and without weights", {
  skip_if_not_installed("quantreg")
  X <- model.matrix(stack.loss ~ ., stackloss)
  set.seed(5)
  n <- 2000
  d <- data.frame(x1 = rnorm(n), x2 = runif(n), w = runif(n, 0.5, 2))
  d$y <- 1 + d$x1 - 2 * d$x2 + rt(n, 2)
  Xd <- model.matrix(~ x1 + x2, d)
  for (tau in c(0.1, 0.75)) {
    fit <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_quantile(tau))
    ref <- quantreg::rq(stack.loss ~ ., data = stackloss, tau = tau)
    beta <- coef(fit)[1:4]
    r <- stackloss$stack.loss - drop(X %*% beta)
    expect_lt(abs(check_loss(r, tau) - check_loss(resid(ref), tau)), 1e-8)
    expect_true(unique_check_minimum(X, r, tau, rep(1, nrow(X))), info = tau)
    expect_lt(max(abs(beta - coef(ref))), 1e-8)
    # The ML scale is the mean check loss; the location is the linear predictor.
    expect_equal(sigma(fit), check_loss(r, tau) / nrow(X), tolerance = 1e-12)
    expect_equal(unname(predict(fit)), unname(drop(X %*% beta)), tolerance = 1e-12)
    expect_equal(as.numeric(logLik(fit)), -nrow(X) * (log(sigma(fit)) - log(tau * (1 - tau)) + 1), tolerance = 1e-12)

    fit <- fit_mle(y ~ x1 + x2, data = d, family = lik_quantile(tau), weights = w)
    ref <- quantreg::rq(y ~ x1 + x2, data = d, tau = tau, weights = w)
    beta <- coef(fit)[1:3]
    r <- d$y - drop(Xd %*% beta)
    expect_lt(abs(check_loss(r, tau, d$w) - check_loss(resid(ref), tau, d$w)), 1e-8)
    expect_true(unique_check_minimum(Xd, r, tau, d$w), info = tau)
    expect_lt(max(abs(beta - coef(ref))), 1e-8)
    # Standard errors from the expected information: sigma^2 / (tau (1 - tau)) (X'WX)^-1.
    V <- sigma(fit)^2 / (tau * (1 - tau)) * solve(crossprod(Xd * sqrt(d$w)))
    expect_equal(unname(vcov(fit)[1:3, 1:3]), unname(V), tolerance = 1e-8)
    # The matrix entry is the same fit.
    expect_equal(coef(fit_mle_xy(Xd, d$y, family = lik_quantile(tau), weights = d$w)), coef(fit))
  }
  # Large data (the preprocessed solver): the same check loss as rq's simplex.
  set.seed(9)
  n <- 40000
  big <- data.frame(x1 = rnorm(n), x2 = runif(n), w = runif(n, 0.5, 2))
  big$y <- round(1 + big$x1 - 2 * big$x2 + rt(n, 2) * (1 + big$x2), 1)
  Xb <- model.matrix(~ x1 + x2, big)
  for (tau in c(0.02, 0.9)) {
    fit <- fit_mle(y ~ x1 + x2, data = big, family = lik_quantile(tau), weights = w)
    ref <- quantreg::rq(y ~ x1 + x2, data = big, tau = tau, weights = w, method = "br")
    obj <- check_loss(big$y - drop(Xb %*% coef(fit)[1:3]), tau, big$w)
    expect_lt(abs(obj - check_loss(resid(ref), tau, big$w)) / obj, 1e-12)
  }
})

test_that("lik_laplace is the tau = 1/2 quantile family with scale b = 2 sigma", {
  fl <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_laplace())
  fq <- fit_mle(stack.loss ~ ., data = stackloss, family = lik_quantile(0.5))
  expect_equal(coef(fl)[1:4], coef(fq)[1:4], tolerance = 1e-12)
  expect_equal(sigma(fl), 2 * sigma(fq), tolerance = 1e-12)
  expect_equal(as.numeric(logLik(fl)), as.numeric(logLik(fq)), tolerance = 1e-12)
  expect_equal(vcov(fl)[1:4, 1:4], vcov(fq)[1:4, 1:4], tolerance = 1e-10)
})

test_that("ordinal links match MASS::polr; cauchit matches the exact likelihood, which polr truncates", {
  housing <- MASS::housing
  polr_method <- c(logit = "logistic", probit = "probit", cloglog = "cloglog", loglog = "loglog")
  for (link in names(polr_method)) {
    fit <- fit_mle(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, family = lik_ordinal(link))
    ref <- MASS::polr(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, method = polr_method[[link]],
                      control = list(reltol = 1e-15, maxit = 1000))
    expect_lt(max(abs(coef(fit) - c(coef(ref), ref$zeta))), 1e-6)
    expect_lt(abs(as.numeric(logLik(fit)) - as.numeric(logLik(ref))), 1e-6)
    expect_identical(names(coef(fit)), c(names(coef(ref)), names(ref$zeta)))
  }
  # polr evaluates F at min(z, 100) and max(z, -100), so its cauchit
  # likelihood leaves out the Cauchy mass beyond 100 (0.3% in each tail):
  # compare with a direct optimisation of the exact likelihood instead.
  fit <- fit_mle(Sat ~ Infl + Type + Cont, data = housing, weights = Freq, family = lik_ordinal("cauchit"))
  X <- model.matrix(Sat ~ Infl + Type + Cont, housing)[, -1]
  k <- as.integer(housing$Sat)
  w <- housing$Freq
  p <- ncol(X)
  ends <- function(th) {
    eta <- drop(X %*% th[1:p])
    z <- c(-Inf, th[p + 1:2], Inf)
    list(b = z[k + 1] - eta, a = z[k] - eta)
  }
  nll <- function(th) {
    e <- ends(th)
    pr <- pcauchy(e$b) - pcauchy(e$a)
    if (any(!(pr > 0))) return(Inf)
    -sum(w * log(pr))
  }
  grad <- function(th) {
    e <- ends(th)
    pr <- pcauchy(e$b) - pcauchy(e$a)
    rb <- w * dcauchy(e$b) / pr
    ra <- w * dcauchy(e$a) / pr
    c(colSums(X * (rb - ra)), -sum(rb[k == 1]) + sum(ra[k == 2]), -sum(rb[k == 2]) + sum(ra[k == 3]))
  }
  start <- MASS::polr(Sat ~ Infl + Type + Cont, data = housing, weights = Freq)
  opt <- optim(c(coef(start), start$zeta), nll, grad, method = "BFGS", control = list(reltol = 1e-16, maxit = 5000))
  expect_lt(max(abs(coef(fit) - opt$par)), 1e-6)
  expect_lt(abs(as.numeric(logLik(fit)) + opt$value), 1e-6)
  expect_lt(max(abs(grad(coef(fit)))), 1e-6)
})

test_that("beta with a precision model (y ~ x | z) matches betareg, and predicts from new data", {
  skip_if_not_installed("betareg")
  data("GasolineYield", package = "betareg", envir = environment())
  data("ReadingSkills", package = "betareg", envir = environment())
  ctrl <- betareg::betareg.control(fstol = 1e-12)
  cases <- list(list(f = yield ~ batch + temp | temp, data = GasolineYield),
                list(f = accuracy ~ dyslexia * iq | dyslexia + iq, data = ReadingSkills))
  for (case in cases) {
    fit <- fit_mle(case$f, data = case$data, family = lik_beta())
    ref <- betareg::betareg(case$f, data = case$data, control = ctrl)
    expect_lt(max(abs(coef(fit) - coef(ref))), 1e-6)
    expect_lt(abs(as.numeric(logLik(fit)) - as.numeric(logLik(ref))), 1e-6)
    # betareg's standard errors are the expected information's.
    expect_lt(max(abs(sqrt(diag(vcov(fit, type = "expected"))) - sqrt(diag(vcov(ref))))), 1e-6)
    # The data's factors carry contrasts, which the precision part does not
    # use: model.frame() warns of it in both packages' predict().
    nd <- case$data[c(2, 7, 11, 19), ]
    mu <- suppressWarnings(list(predict(fit, nd, type = "response"), predict(ref, nd, type = "response")))
    expect_equal(unname(mu[[1]]), unname(mu[[2]]), tolerance = 1e-8)
    link <- suppressWarnings(predict(fit, nd))
    expect_identical(colnames(link), c("mean", "log(phi)"))
    phi <- suppressWarnings(predict(ref, nd, type = "precision"))
    expect_equal(unname(exp(link[, 2])), unname(phi), tolerance = 1e-8)
    expect_equal(fitted(fit), fitted(ref), tolerance = 1e-8, ignore_attr = TRUE)
  }
  expect_identical(names(coef(fit)), sub("^\\(phi\\)_", "log(phi):", names(coef(ref))))
  # y ~ x keeps one precision, named log(phi), as before.
  one <- fit_mle(yield ~ batch + temp, data = GasolineYield, family = lik_beta())
  expect_identical(names(coef(one))[12], "log(phi)")
  expect_equal(coef(fit_mle(yield ~ batch + temp | 1, data = GasolineYield, family = lik_beta())),
               stats::setNames(coef(one), c(names(coef(one))[1:11], "log(phi):(Intercept)")), tolerance = 1e-8)
  # The matrix entry: z = the precision design.
  X <- model.matrix(~ batch + temp, GasolineYield)
  Z <- cbind(`(Intercept)` = 1, temp = GasolineYield$temp)
  two <- fit_mle(yield ~ batch + temp | temp, data = GasolineYield, family = lik_beta())
  expect_equal(coef(fit_mle_xy(X, GasolineYield$yield, family = lik_beta(), z = Z)), coef(two), tolerance = 1e-10)
})

test_that("student t and huber match a direct optim of the same likelihood", {
  set.seed(6)
  n <- 300
  d <- data.frame(x = rnorm(n))
  d$y <- 1 + 2 * d$x + 0.7 * rt(n, 4)
  X <- cbind(1, d$x)
  t_nll <- function(th, df) {
    s <- exp(th[3])
    -sum(dt((d$y - X %*% th[1:2]) / s, df, log = TRUE) - log(s))
  }
  huber_nll <- function(th, delta) {
    s <- exp(th[3])
    z <- (d$y - X %*% th[1:2]) / s
    rho <- ifelse(abs(z) <= delta, z^2 / 2, delta * abs(z) - delta^2 / 2)
    c_delta <- sqrt(2 * pi) * (2 * pnorm(delta) - 1) + 2 * exp(-delta^2 / 2) / delta
    sum(rho) + n * (th[3] + log(c_delta))
  }
  opt <- function(f, ...) optim(c(0, 0, 0), f, ..., method = "BFGS",
                                control = list(reltol = 1e-15, maxit = 1000))
  fit <- fit_mle(y ~ x, data = d, family = lik_student_t(4))
  ref <- opt(t_nll, df = 4)
  expect_equal(unname(coef(fit)), ref$par, tolerance = 1e-5)
  expect_lte(-as.numeric(logLik(fit)), ref$value + 1e-8)
  fit <- fit_mle(y ~ x, data = d, family = lik_huber(1.2))
  ref <- opt(huber_nll, delta = 1.2)
  expect_equal(unname(coef(fit)), ref$par, tolerance = 1e-5)
  expect_lte(-as.numeric(logLik(fit)), ref$value + 1e-8)
  # df estimated
  t_nll_df <- function(th) t_nll(th[1:3], exp(th[4]))
  fit <- fit_mle(y ~ x, data = d, family = lik_student_t())
  ref <- optim(c(0, 0, 0, log(5)), t_nll_df, method = "BFGS", control = list(reltol = 1e-15, maxit = 2000))
  expect_equal(unname(coef(fit)), ref$par, tolerance = 1e-4)
  expect_lte(-as.numeric(logLik(fit)), ref$value + 1e-8)
})

test_that("the heteroscedastic gaussian matches a direct optim and recovers the variance model", {
  set.seed(7)
  n <- 2000
  d <- data.frame(x = runif(n, -1, 1))
  d$y <- 1 + d$x + exp(0.5 * (-1 + 1.5 * d$x)) * rnorm(n)
  fit <- fit_mle(y ~ x | x, data = d, family = lik_gaussian_hetero())
  X <- cbind(1, d$x)
  nll <- function(th) -sum(dnorm(d$y, X %*% th[1:2], exp(0.5 * X %*% th[3:4]), log = TRUE))
  ref <- optim(c(0, 0, 0, 0), nll, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))
  expect_equal(unname(coef(fit)), ref$par, tolerance = 1e-5)
  expect_equal(unname(coef(fit)[3:4]), c(-1, 1.5), tolerance = 0.15)
  expect_named(coef(fit), c("(Intercept)", "x", "logvar:(Intercept)", "logvar:x"))
})

test_that("results do not depend on the number of threads", {
  set.seed(8)
  n <- 30000
  X <- cbind(1, matrix(rnorm(n * 5), n))
  y <- rbinom(n, 1, plogis(X %*% c(0.2, 1, -1, 0.5, 0, 0.3)))
  fits <- lapply(1:3, function(t) fit_mle_xy(X, y, lik_bernoulli(), n_threads = t))
  expect_identical(coef(fits[[1]]), coef(fits[[2]]))
  expect_identical(coef(fits[[1]]), coef(fits[[3]]))
  expect_identical(vcov(fits[[1]]), vcov(fits[[3]]))
})

test_that("the matrix entry agrees with the formula entry", {
  pima <- MASS::Pima.tr
  fit <- fit_mle(type ~ glu + bmi, data = pima, family = lik_bernoulli())
  X <- model.matrix(~ glu + bmi, pima)
  fit_xy <- fit_mle_xy(X, pima$type, family = lik_bernoulli())
  expect_equal(coef(fit_xy), coef(fit), tolerance = 1e-12)
  expect_equal(vcov(fit_xy), vcov(fit), tolerance = 1e-12)
  expect_identical(predict(fit_xy, X[1:5, ], type = "class"), predict(fit, pima[1:5, ], type = "class"))
})

test_that("fit_mle refuses bad input with classed errors that name the argument", {
  d <- data.frame(x = c(0.1, 0.5, 0.9, 0.3, 0.7, 0.2), y = c(0, 1, 1, 0, 1, 0), k = c(1, 3, 2, 0, 4, 1))
  expect_probml_error(fit_mle(y ~ x, data = transform(d, y = c(0, 2, 1, 0, 1, 0)), family = lik_bernoulli()),
                      "probml_error_support")
  expect_probml_error(fit_mle(k ~ x, data = transform(d, k = c(-1, 3, 2, 0, 4, 1)), family = lik_poisson()),
                      "probml_error_support")
  expect_probml_error(fit_mle(k ~ x, data = transform(d, k = c(1.5, 3, 2, 0, 4, 1)), family = lik_poisson()),
                      "probml_error_support")
  expect_probml_error(fit_mle(x ~ y, data = transform(d, x = c(0, 0.5, 0.9, 0.3, 0.7, 0.2)), family = lik_beta()),
                      "probml_error_support")
  expect_probml_error(fit_mle(x ~ y, data = transform(d, x = c(1, 0.5, 0.9, 0.3, 0.7, 0.2)), family = lik_beta()),
                      "probml_error_support")
  expect_probml_error(fit_mle(y ~ x, data = transform(d, y = 1), family = lik_bernoulli()), "probml_error_response")
  expect_probml_error(fit_mle(y ~ x, data = d, family = lik_ordinal()), "probml_error_response")
  expect_probml_error(fit_mle(f ~ x, data = transform(d, f = factor(k)), family = lik_ordinal()), "probml_error_response")
  expect_probml_error(fit_mle(f ~ x, data = transform(d, f = factor(k)), family = lik_bernoulli()), "probml_error_response")
  expect_probml_error(fit_mle(f ~ x, data = transform(d, f = "a"), family = lik_categorical()), "probml_error_response")
  expect_probml_error(fit_mle(f ~ x, data = transform(d, f = factor(k)), family = lik_gaussian()), "probml_error_response")
  expect_probml_error(fit_mle(y ~ x, data = transform(d, x = c(Inf, 1, 2, 3, 4, 5))), "probml_error_nonfinite")
  expect_probml_error(fit_mle(y ~ x, data = transform(d, y = c(Inf, 1, 2, 3, 4, 5))), "probml_error_support")
  expect_probml_error(fit_mle(y ~ x, data = d[0, ]), "probml_error_data")
  expect_probml_error(fit_mle(y ~ x, data = d, subset = "a"), "probml_error_data")
  expect_probml_error(fit_mle(y ~ x, data = transform(d, x = NA), na.action = na.fail), "probml_error_data")
  expect_probml_error(fit_mle(y ~ x, data = d, weights = c(-1, 1, 1, 1, 1, 1)), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, weights = rep(0, 6)), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, weights = c(1, 1)), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, weights = rep("a", 6)), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, offset = c(1, 2)), "probml_error")
  expect_probml_error(fit_mle("y ~ x", data = d), "probml_error_formula")
  expect_probml_error(fit_mle(data = d), "probml_error_formula")
  expect_probml_error(fit_mle(y ~ x, data = "d"), "probml_error_type")
  expect_probml_error(fit_mle(y ~ nope, data = d), "probml_error_data")
  expect_probml_error(fit_mle(y ~ x, data = d, family = "nope"), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, family = Gamma()), "probml_error")
  expect_probml_error(fit_mle(y ~ x | x, data = d), "probml_error_formula")
  expect_probml_error(fit_mle(y ~ 0 + x, data = transform(d, y = factor(k, ordered = TRUE)), family = lik_ordinal()),
                      "probml_error_formula")
  expect_probml_error(fit_mle(f ~ x, data = transform(d, f = factor(k)), family = lik_categorical(), offset = x),
                      "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, control = "fast"), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, n_threads = 0), "probml_error")
  expect_probml_error(fit_mle(y ~ x, data = d, n_threads = 1.5), "probml_error")
})

test_that("fit_mle_xy refuses bad input with classed errors", {
  X <- cbind(1, c(0.1, 0.5, 0.9, 0.3, 0.7, 0.2))
  y <- c(0, 1, 1, 0, 1, 0)
  expect_probml_error(fit_mle_xy(as.data.frame(X), y), "probml_error")
  expect_probml_error(fit_mle_xy(matrix("a", 6, 2), y), "probml_error")
  expect_probml_error(fit_mle_xy(X[0, ], y[0]), "probml_error_length")
  expect_probml_error(fit_mle_xy(replace(X, 3, NA), y), "probml_error_missing")
  expect_probml_error(fit_mle_xy(replace(X, 3, Inf), y), "probml_error_nonfinite")
  expect_probml_error(fit_mle_xy(X, y[-1]), "probml_error_length")
  expect_probml_error(fit_mle_xy(X, replace(y, 2, NA), lik_bernoulli()), "probml_error_missing")
  expect_probml_error(fit_mle_xy(X, replace(y, 2, 2), lik_bernoulli()), "probml_error_support")
  expect_probml_error(fit_mle_xy(X, y, lik_bernoulli(), weights = -y), "probml_error")
  expect_probml_error(fit_mle_xy(X, y, lik_bernoulli(), weights = c(NA, y[-1])), "probml_error")
  expect_probml_error(fit_mle_xy(X, y, lik_bernoulli(), offset = c(NA, y[-1])), "probml_error")
  expect_probml_error(fit_mle_xy(X, y, z = X), "probml_error")
  expect_probml_error(fit_mle_xy(X, y, lik_gaussian_hetero(), z = X[-1, ]), "probml_error_length")
  expect_probml_error(fit_mle_xy(X, y, control = fit_control(max_iter = 0)), "probml_error")
  expect_probml_error(fit_mle_xy(X, list(1, 2)), "probml_error")
  expect_probml_error(fit_mle_xy(X, factor(letters[1:6]), lik_bernoulli()), "probml_error_response")
})

test_that("fit_control validates its arguments", {
  for (b in list(0, -1, 1.5, NA, "a", Inf, c(1, 2), TRUE, NULL, list(5))) {
    expect_probml_error(fit_control(max_iter = b), "probml_error")
  }
  for (b in list(-1, NA, "a", Inf, c(1, 2), NULL, list(1), NaN, -Inf, TRUE)) {
    expect_probml_error(fit_control(tol = b), "probml_error")
    expect_probml_error(fit_control(rank_tol = b), "probml_error")
  }
  expect_s3_class(fit_control(), "probml_control")
})

test_that("large fits (warm start on a subsample) agree with glm and detect aliasing", {
  set.seed(10)
  n <- 120000
  d <- data.frame(a = rnorm(n), b = rnorm(n), c = runif(n))
  d$y <- rbinom(n, 1, plogis(-0.5 + d$a - 0.5 * d$b + d$c))
  d$k <- rpois(n, exp(0.2 + 0.3 * d$a))
  fit <- fit_mle(y ~ a + b + c, data = d, family = lik_bernoulli())
  ref <- converged_glm(y ~ a + b + c, data = d, family = binomial())
  expect_lt(rel_diff(coef(fit), coef(ref)), 1e-8)
  fit <- fit_mle(k ~ a + b, data = d, family = lik_poisson())
  ref <- converged_glm(k ~ a + b, data = d, family = poisson())
  expect_lt(rel_diff(coef(fit), coef(ref)), 1e-8)
  # Identical for any number of threads.
  f1 <- fit_mle(y ~ a + b + c, data = d, family = lik_bernoulli(), n_threads = 1)
  f3 <- fit_mle(y ~ a + b + c, data = d, family = lik_bernoulli(), n_threads = 3)
  expect_identical(coef(f1), coef(f3))
  # An aliased column is found from the subsample's screen and the exact QR.
  d$ab <- d$a - 2 * d$b
  expect_warning(fa <- fit_mle(y ~ a + b + ab + c, data = d, family = lik_bernoulli()),
                 class = "probml_warning_rank_deficient")
  expect_true(is.na(coef(fa)[["ab"]]))
  expect_equal(coef(fa)[c("a", "b", "c")], coef(f1)[c("a", "b", "c")], tolerance = 1e-10)
  # A column that is zero on every sampled row is not mistaken for aliased.
  d$rare <- 0
  d$rare[seq(2000, n, by = 997)] <- 1
  fr <- fit_mle(y ~ a + rare, data = d, family = lik_bernoulli())
  expect_false(anyNA(coef(fr)))
  expect_equal(unname(coef(fr)), unname(coef(glm(y ~ a + rare, binomial, d))), tolerance = 1e-6)
})

test_that("fit_mle's messages", {
  d <- data.frame(x = c(0.1, 0.5, 0.9, 0.3, 0.7, 0.2), y = c(0, 1, 1, 0, 1, 0), k = c(1, 3, 2, 0, 4, 1))
  X <- cbind(1, d$x)
  expect_condition_snapshot({
    fit_mle("y ~ x", data = d)
    fit_mle(y ~ x, data = "d")
    fit_mle(y ~ nope, data = d)
    fit_mle(y ~ x, data = d[0, ])
    fit_mle(f ~ x, data = transform(d, f = factor(k, ordered = TRUE)), family = lik_ordinal(), subset = k < 0)
    fit_mle(f ~ 0 + x, data = transform(d, f = factor(k, ordered = TRUE)), family = lik_ordinal())
    fit_mle(~ x, data = d)
    fit_mle(y ~ x, data = d, offset = rep("a", 6))
    fit_mle_xy(X, d$y, family = lik_gaussian_hetero(), z = X[-1, ])
    fit_mle_xy(X, d$y, z = X)
    fit_mle_xy(X, d$y[-1])
    fit_mle(y ~ x, data = d, control = "fast")
    fit_mle_xy(as.data.frame(X), d$y)
    fit_mle_xy(matrix("a", 6, 2), d$y)
    fit_mle_xy(X[0, ], d$y[0])
    fit_mle(y ~ x + f, data = transform(d, f = factor("a")))
    fit_mle(y ~ x | x, data = d)
    fit_mle(~ x | x, data = d, family = lik_gaussian_hetero())
    fit_mle(f ~ x, data = transform(d, f = factor(k)), family = lik_categorical(), offset = x)
    fit_mle_xy(X, d$y, offset = letters[1:6])
    fit_mle_xy(X, d$y, offset = 1:2)
    fit_mle_xy(X, d$y, offset = c(NA, 1:5))
    fit_mle_xy(X, d$y, offset = c(Inf, 1:5))
    fit_mle_xy(replace(X, 3, NA), d$y)
    fit_mle_xy(replace(X, 3, Inf), d$y)
  })
})

test_that("fit_mle's warnings", {
  d <- mtcars
  d$wt2 <- 2 * d$wt
  sep <- data.frame(x = c(1:5, 6:10), y = rep(0:1, each = 5))
  zero <- data.frame(g = factor(rep(c("a", "b"), each = 6)), y = c(2, 3, 1, 4, 2, 3, rep(0, 6)))
  expect_condition_snapshot({
    fit <- fit_mle(mpg ~ wt + wt2, data = d)
    fit <- fit_mle(am ~ wt + hp, data = mtcars, family = lik_bernoulli(), control = fit_control(max_iter = 1))
    fit <- fit_mle(y ~ x, data = sep, family = lik_bernoulli())
    fit <- fit_mle(y ~ g, data = zero, family = lik_poisson())
    fit <- fit_mle(y ~ 1, data = data.frame(y = qnorm(ppoints(50))), family = lik_student_t())
  }, error = FALSE)
})

test_that("convergence does not depend on the units of the weights", {
  ref <- fit_mle(am ~ wt, mtcars, family = lik_bernoulli())
  for (s in c(1e-12, 1e-6, 1e6)) {
    fit <- fit_mle(am ~ wt, mtcars, family = lik_bernoulli(), weights = rep(s, 32))
    expect_equal(coef(fit), coef(ref), tolerance = 1e-8, info = s)
  }
  glm_ref <- glm(am ~ wt, binomial, mtcars)
  expect_equal(unname(coef(ref)), unname(coef(glm_ref)), tolerance = 1e-6)
})

test_that("columns of extreme magnitude are estimated as lm estimates them", {
  set.seed(41)
  d <- data.frame(x = c(rnorm(19), 1e200), y = rnorm(20))
  expect_equal(unname(coef(fit_mle(y ~ x, d))[1:2]), unname(coef(lm(y ~ x, d))), tolerance = 1e-8)
  for (s in c(1e155, 1e-155)) {
    d2 <- data.frame(x = rnorm(20) * s, z = rnorm(20))
    d2$y <- 1 + d2$x / s - d2$z + rnorm(20)
    fit <- fit_mle(y ~ x + z, d2)
    expect_false(any(fit$aliased))
    expect_equal(unname(coef(fit)[1:3]), unname(coef(lm(y ~ x + z, d2))), tolerance = 1e-8, info = s)
    se_lm <- sqrt(diag(vcov(lm(y ~ x + z, d2)))) * sqrt(17 / 20)
    expect_equal(unname(sqrt(diag(vcov(fit)))[1:3]), unname(se_lm), tolerance = 1e-6, info = s)
  }
  expect_equal(unname(coef(fit_mle(am ~ wt, transform(mtcars, wt = wt * 1e160), family = lik_bernoulli()))),
               unname(coef(glm(am ~ wt, binomial, transform(mtcars, wt = wt * 1e160)))), tolerance = 1e-6)
})

test_that("a design with no columns fits the scale alone", {
  fit <- fit_mle(mpg ~ 0, mtcars)
  expect_equal(sigma(fit), sqrt(mean(mtcars$mpg^2)), tolerance = 1e-10)
  expect_equal(as.numeric(logLik(fit)), sum(dnorm(mtcars$mpg, 0, sqrt(mean(mtcars$mpg^2)), log = TRUE)), tolerance = 1e-10)
  expect_equal(coef(fit_mle_xy(matrix(numeric(0), 32, 0), mtcars$mpg)), coef(fit))
})

test_that("a Poisson MLE that does not exist (a group of zero counts) warns, as separation does", {
  d <- data.frame(g = factor(rep(c("a", "b", "c"), each = 10)), y = c(rpois(20, 3), rep(0, 10)))
  expect_warning(fit <- fit_mle(y ~ g, d, family = lik_poisson()), class = "probml_warning_separation")
  expect_true(fit$separation)
  expect_false(fit_mle(breaks ~ wool, warpbreaks, family = lik_poisson())$separation)
})

test_that("zero weights take no part in the fit but are predicted, as in glm", {
  w <- rep(c(0, 1, 1), length.out = 54)
  fit <- fit_mle(breaks ~ wool + tension, warpbreaks, family = lik_poisson(), weights = w)
  ref <- glm(breaks ~ wool + tension, poisson, warpbreaks, weights = w)
  expect_equal(coef(fit), coef(ref), tolerance = 1e-8)
  expect_equal(unname(fitted(fit)), unname(fitted(ref)), tolerance = 1e-8)
  expect_equal(nobs(fit), sum(w > 0))
  expect_equal(unname(residuals(fit, "deviance")), unname(residuals(ref, "deviance")), tolerance = 1e-6)
})

test_that("`.` in a formula means the data's variables, not the weights or offset", {
  set.seed(4)
  w <- runif(32)
  fit <- fit_mle(mpg ~ ., data = mtcars, weights = w)
  ref <- lm(mpg ~ ., data = mtcars, weights = w)
  expect_identical(names(coef(fit))[-12], names(coef(ref)))
  expect_equal(coef(fit)[-12], coef(ref), tolerance = 1e-8)
  expect_equal(predict(fit, mtcars[1:3, ]), unname(predict(ref, mtcars[1:3, ])), tolerance = 1e-8)
  pois <- fit_mle(carb ~ ., data = mtcars, family = lik_poisson(), offset = log(wt))
  expect_false("(offset)" %in% names(coef(pois)))
})

# The GLM families and links ----------------------------------------------

# glm's deviance from a fit: sum 2 w (nll - saturated nll) times glm's dispersion.
glm_deviance <- function(fit) {
  2 * sum(fit$prior_weights * (probml:::pointwise_nll(fit) - probml:::pointwise_nll(fit, saturated = TRUE))) *
    probml:::family_moments(fit)$dispersion
}

# Draws of the inverse Gaussian (Michael, Schucany and Haas).
rinvgauss_test <- function(n, mu, lambda) {
  a <- mu * rnorm(n)^2 / (2 * lambda)
  x <- mu / (1 + a + sqrt(a * (a + 2)))
  ifelse(runif(n) <= mu / (mu + x), x, mu^2 / x)
}

test_that("Gamma matches glm for the inverse, log and identity links, the shape by maximum likelihood", {
  skip_if_not_installed("MASS")
  set.seed(31)
  n <- 300
  d <- data.frame(x = runif(n), z = rnorm(n), w = runif(n, 0.5, 2), t = runif(n, 1, 3))
  mu <- list(inverse = 1 / (0.4 + 0.8 * d$x + 0.1 * d$z + 0.3), log = exp(0.5 + 0.8 * d$x - 0.3 * d$z),
             identity = 0.5 + 2 * d$x + 0.2 * d$z + 0.6)
  for (link in names(mu)) {
    d$y <- rgamma(n, shape = 2.5, scale = mu[[link]] / 2.5)
    fit <- fit_mle(y ~ x + z, data = d, family = lik_gamma(link))
    ref <- converged_glm(y ~ x + z, data = d, family = Gamma(link))
    expect_true(fit$converged, info = link)
    expect_lt(max(abs(coef(fit)[names(coef(ref))] - coef(ref))), 1e-8)
    expect_lt(rel_diff(unname(fitted(fit)), unname(fitted(ref))), 1e-8)
    expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10, info = link)
    # glm's family object maps to the same fit.
    expect_identical(coef(fit_mle(y ~ x + z, data = d, family = Gamma(link))), coef(fit))
    # The ML shape at glm's means is MASS::gamma.shape's.
    shape <- MASS::gamma.shape(ref, it.lim = 100, eps.max = 1e-12)$alpha
    expect_equal(exp(coef(fit)[["log(shape)"]]), shape, tolerance = 1e-8, info = link)
  }
  # Weights and an offset as glm reads them.
  d$y <- rgamma(n, shape = 2, scale = d$t * exp(0.2 + 0.5 * d$x) / 2)
  fit <- fit_mle(y ~ x + z, data = d, family = Gamma("log"), weights = w, offset = log(t))
  ref <- converged_glm(y ~ x + z + offset(log(t)), data = d, family = Gamma("log"), weights = d$w)
  expect_lt(max(abs(coef(fit)[names(coef(ref))] - coef(ref))), 1e-8)
  expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10)
})

test_that("inverse Gaussian matches glm for every link, the shape by maximum likelihood", {
  set.seed(32)
  n <- 300
  d <- data.frame(x = runif(n), z = rnorm(n))
  mu <- list("1/mu^2" = 1 / sqrt(0.5 + 0.8 * d$x + 0.1 * d$z + 0.4), inverse = 1 / (0.5 + 0.8 * d$x + 0.1 * d$z + 0.4),
             log = exp(0.5 + 0.8 * d$x - 0.3 * d$z), identity = 1 + 2 * d$x + 0.1 * d$z + 0.4)
  for (link in names(mu)) {
    d$y <- rinvgauss_test(n, mu[[link]], 4)
    fit <- fit_mle(y ~ x + z, data = d, family = lik_inverse_gaussian(link))
    ref <- converged_glm(y ~ x + z, data = d, family = inverse.gaussian(link))
    expect_true(fit$converged, info = link)
    expect_lt(max(abs(coef(fit)[names(coef(ref))] - coef(ref))), 1e-8)
    expect_lt(rel_diff(unname(fitted(fit)), unname(fitted(ref))), 1e-8)
    expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10, info = link)
    # The ML shape in closed form: n / (glm's deviance).
    expect_equal(exp(coef(fit)[["log(shape)"]]), n / deviance(ref), tolerance = 1e-10, info = link)
  }
})

test_that("the negative binomial matches MASS::glm.nb: coefficients, theta and logLik", {
  skip_if_not_installed("MASS")
  nb_control <- glm.control(epsilon = 1e-14, maxit = 200)
  fit <- fit_mle(Days ~ Sex / (Age + Eth * Lrn), data = MASS::quine, family = lik_negbin())
  ref <- MASS::glm.nb(Days ~ Sex / (Age + Eth * Lrn), data = MASS::quine, control = nb_control)
  beta <- coef(fit)[names(coef(ref))]
  expect_true(fit$converged)
  expect_lt(max(abs(beta - coef(ref))), 1e-6)
  expect_equal(exp(coef(fit)[["log(theta)"]]), ref$theta, tolerance = 1e-6)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-8)
  # sqrt and identity links
  set.seed(33)
  n <- 400
  d <- data.frame(x = runif(n), z = rnorm(n))
  for (link in c("sqrt", "identity")) {
    m <- if (link == "sqrt") (1.5 + d$x + 0.2 * d$z)^2 else 2 + 3 * d$x + 0.3 * d$z
    d$k <- rnbinom(n, size = 3, mu = m)
    fit <- fit_mle(k ~ x + z, data = d, family = lik_negbin(link = link))
    ref <- eval(bquote(MASS::glm.nb(k ~ x + z, data = d, link = .(as.name(link)), control = nb_control)))
    expect_lt(max(abs(coef(fit)[names(coef(ref))] - coef(ref))), 1e-6)
    expect_equal(exp(coef(fit)[["log(theta)"]]), ref$theta, tolerance = 1e-6, info = link)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10, info = link)
  }
  # theta fixed: glm with MASS::negative.binomial(theta), for which the fit reads theta.
  fit <- fit_mle(Days ~ Sex + Age + Eth, data = MASS::quine, family = MASS::negative.binomial(1.3))
  ref <- converged_glm(Days ~ Sex + Age + Eth, data = MASS::quine, family = MASS::negative.binomial(1.3))
  expect_identical(names(coef(fit)), names(coef(ref)))
  expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
  expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10)
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-10)
})

test_that("the Bernoulli log, cauchit and loglog links match glm", {
  pima <- MASS::Pima.tr
  f <- type ~ npreg + glu + bp + bmi + ped + age
  fit <- fit_mle(f, data = pima, family = lik_bernoulli("cauchit"))
  ref <- converged_glm(f, data = pima, family = binomial("cauchit"))
  expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
  expect_identical(coef(fit_mle(f, data = pima, family = binomial("cauchit"))), coef(fit))
  # loglog, which make.link() lacks: P(y = 1) = exp(-exp(-eta)) is
  # 1 - P(y = 0) under the cloglog link with eta negated.
  fit <- fit_mle(f, data = pima, family = lik_bernoulli("loglog"))
  ref <- converged_glm(I(type == "No") ~ npreg + glu + bp + bmi + ped + age, data = pima, family = binomial("cloglog"))
  expect_lt(max(abs(coef(fit) + coef(ref))), 1e-8)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
  # The log link (relative risks), with the risks inside (0, 1) at the MLE.
  set.seed(34)
  d <- data.frame(x = runif(400), z = runif(400))
  d$y <- rbinom(400, 1, exp(-2 + 1.2 * d$x - 0.5 * d$z))
  fit <- fit_mle(y ~ x + z, data = d, family = lik_bernoulli("log"))
  expect_true(fit$converged)
  ref <- converged_glm(y ~ x + z, data = d, family = binomial("log"), start = c(-2, 0, 0))
  expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
})

test_that("links that can leave the mean's space need no starting values where glm needs them", {
  # A risk near 1: glm's start takes it outside at once.
  set.seed(35)
  n <- 300
  d <- data.frame(x = runif(n))
  d$y <- rbinom(n, 1, exp(-0.05 - 1.2 * (1 - d$x)))
  expect_error(suppressWarnings(glm(y ~ x, family = binomial("log"), data = d)), "valid set of coefficients")
  fit <- fit_mle(y ~ x, data = d, family = lik_bernoulli("log"))
  ref <- converged_glm(y ~ x, data = d, family = binomial("log"), start = c(-1, 0.5))
  expect_true(fit$converged)
  expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
  expect_lt(max(fitted(fit)), 1)
  # A Poisson identity link whose least-squares start has negative means:
  # the start moves inside, and no Newton step leaves.
  set.seed(35)
  d <- data.frame(x = runif(n))
  d$k <- rpois(n, 0.5 + 3 * d$x^3)
  expect_lt(min(fitted(lm(k ~ x, data = d))), 0)
  expect_error(suppressWarnings(glm(k ~ x, family = poisson("identity"), data = d)), "valid set of coefficients")
  fit <- fit_mle(k ~ x, data = d, family = lik_poisson("identity"))
  ref <- suppressWarnings(converged_glm(k ~ x, data = d, family = poisson("identity"), start = c(0.5, 1)))  # glm halves steps at the edge
  expect_true(fit$converged)
  expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
  expect_gt(min(fitted(fit)), 0)
  # A start given outside the space is refused, as glm refuses it.
  expect_error(fit_mle(k ~ x, data = d, family = lik_poisson("identity"), start = c(-1, 0)), class = "probml_error")
})

test_that("the Gaussian log and inverse links and the Poisson identity and sqrt links match glm", {
  set.seed(36)
  n <- 300
  d <- data.frame(x = runif(n), z = rnorm(n))
  for (link in c("log", "inverse")) {
    d$y <- (if (link == "log") exp(1 + 0.5 * d$x - 0.2 * d$z) else 1 / (0.5 + d$x + 0.1 * d$z + 0.3)) +
      rnorm(n, sd = 0.3)
    fit <- fit_mle(y ~ x + z, data = d, family = gaussian(link))
    ref <- converged_glm(y ~ x + z, data = d, family = gaussian(link))
    expect_lt(max(abs(coef(fit)[names(coef(ref))] - coef(ref))), 1e-8)
    expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10, info = link)
    # The ML sigma is sqrt(RSS / n).
    expect_equal(exp(coef(fit)[["log(sigma)"]]), sqrt(deviance(ref) / n), tolerance = 1e-10, info = link)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10, info = link)
  }
  for (link in c("identity", "sqrt")) {
    d$k <- rpois(n, if (link == "identity") 1 + 3 * d$x + 0.3 * d$z + 1 else (1 + d$x + 0.1 * d$z + 0.5)^2)
    fit <- fit_mle(k ~ x + z, data = d, family = poisson(link))
    ref <- converged_glm(k ~ x + z, data = d, family = poisson(link))
    expect_lt(max(abs(coef(fit) - coef(ref))), 1e-8)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10, info = link)
    expect_equal(glm_deviance(fit), deviance(ref), tolerance = 1e-10, info = link)
  }
})
