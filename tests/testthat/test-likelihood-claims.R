# Claims 1-5 of the likelihood vignette ("Every loss is a likelihood"),
# with the vignette's data generation. Each loss is written in base R, so
# the comparisons with probml are between independent computations.

test_that("claim 1: the Gaussian MLE is least squares and NLL/n = MSE/(2 sigma^2) + log(2 pi sigma^2)/2", {
  set.seed(101)
  gauss <- data.frame(x = seq(0, 10, length.out = 50))
  gauss$y <- 2 * gauss$x + 1 + rnorm(50, sd = 2)
  fit <- fit_mle(y ~ x, data = gauss, family = lik_gaussian())
  ols <- lm(y ~ x, data = gauss)

  beta <- coef(fit)[c("(Intercept)", "x")]
  expect_lt(max(abs(beta - coef(ols))), 1e-10)

  n <- nrow(gauss)
  mse <- mean(residuals(ols)^2)
  sigma2 <- sigma(fit)^2
  expect_equal(sigma2, mse, tolerance = 1e-10)
  expect_equal(unname(exp(2 * coef(fit)[["log(sigma)"]])), mse, tolerance = 1e-10)
  expect_equal(sigma(fit, unbiased = TRUE)^2, summary(ols)$sigma^2, tolerance = 1e-10)

  nll_n <- -as.numeric(logLik(fit)) / n
  expect_equal(nll_n, mse / (2 * sigma2) + 0.5 * log(2 * pi * sigma2), tolerance = 1e-12)
  expect_equal(nll_n, -mean(dnorm(gauss$y, fitted(ols), sqrt(mse), log = TRUE)), tolerance = 1e-12)
  expect_equal(family_nll(lik_gaussian(), gauss$y, fitted(fit), aux = log(sigma(fit))), nll_n,
               tolerance = 1e-12)
})

test_that("claim 2: Bernoulli NLL per observation is the log loss, and the MLE is near (0, 2, -1.5)", {
  set.seed(202)
  n <- 1000
  bern <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
  bern$y <- rbinom(n, size = 1, prob = plogis(2 * bern$x1 - 1.5 * bern$x2))
  fit <- fit_mle(y ~ x1 + x2, data = bern, family = lik_bernoulli())

  p <- fitted(fit)
  expect_equal(log_loss(bern$y, p), -as.numeric(logLik(fit)) / n, tolerance = 1e-12)
  by_hand <- -mean(bern$y * log(p) + (1 - bern$y) * log(1 - p))
  expect_equal(log_loss(bern$y, p), by_hand, tolerance = 1e-12)

  # The MLE itself: the same optimum glm() reaches, and near the truth for
  # n = 1000 (standard errors about 0.1; allow four of them).
  ref <- glm(y ~ x1 + x2, family = binomial, data = bern, control = glm.control(epsilon = 1e-12))
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-7)
  truth <- c(0, 2, -1.5)
  se <- sqrt(diag(vcov(fit)))
  expect_equal(unname(se), unname(sqrt(diag(vcov(ref)))), tolerance = 1e-4)
  expect_true(all(abs(coef(fit) - truth) < 4 * se))
  expect_true(all(abs(coef(fit) - truth) < 0.5))
  ci <- confint(fit)
  expect_equal(unname(ci[, 2] - ci[, 1]), unname(2 * qnorm(0.975) * se), tolerance = 1e-10)
})

test_that("claim 3: categorical NLL of the three logit rows is the softmax cross-entropy 0.2177352", {
  logits <- rbind(c(2.0, 1.0, -0.5),
                  c(0.5, 3.0, 0.1),
                  c(-1.0, 0.5, 2.5))
  labels <- factor(1:3)
  nll_k <- family_nll(lik_categorical(), labels, logits)
  nll_km1 <- family_nll(lik_categorical(), labels, logits[, -1] - logits[, 1])
  expect_lt(abs(nll_k - 0.2177352), 1e-7)
  expect_equal(nll_km1, nll_k, tolerance = 1e-14)

  probs <- exp(logits) / rowSums(exp(logits))
  expect_equal(log_loss(labels, probs), nll_k, tolerance = 1e-14)
  by_hand <- -mean(logits[cbind(1:3, 1:3)] - log(rowSums(exp(logits))))
  expect_equal(family_nll(lik_categorical(), labels, logits, reduce = "none"),
               -(logits[cbind(1:3, 1:3)] - log(rowSums(exp(logits)))), tolerance = 1e-14)
  expect_equal(nll_k, by_hand, tolerance = 1e-14)
  # Shifting every logit of a row by the same amount changes nothing.
  expect_equal(family_nll(lik_categorical(), labels, logits + c(5, -3, 10)), nll_k, tolerance = 1e-12)
})

test_that("claim 4: each loss equals its family's NLL up to a parameter-free constant", {
  huber_rho <- function(r, delta) ifelse(abs(r) <= delta, r^2 / 2, delta * abs(r) - delta^2 / 2)
  huber_c <- function(delta) sqrt(2 * pi) * (2 * pnorm(delta) - 1) + 2 * exp(-delta^2 / 2) / delta
  softmax <- function(z) exp(z - apply(z, 1, max)) / rowSums(exp(z - apply(z, 1, max)))
  delta <- 1.345

  set.seed(404)
  n <- 201
  x <- rnorm(n)
  lines <- list(c(0.2, 0.8), c(-0.5, 1.5))
  eta_at <- function(j) lines[[j]][1] + lines[[j]][2] * x
  y_cont <- 1 + x + rt(n, df = 3)
  y_bin <- rbinom(n, 1, plogis(x))
  y_cat <- factor(sample(c("a", "b", "c"), n, replace = TRUE))
  y_count <- rpois(n, exp(1 + 0.5 * x))
  y_unit <- rbeta(n, 2, 5)
  y_ord <- factor(sample(1:4, n, replace = TRUE), ordered = TRUE)
  logit_mats <- list(matrix(rnorm(3 * n), n), matrix(rnorm(3 * n, sd = 2), n))
  log_phi <- c(log(3), log(10))
  cuts <- list(c(-1, 0, 1), c(-2, 0.5, 1.5))

  ordinal_loss <- function(y, eta, cuts) {
    k <- as.integer(y)
    -mean(log(plogis(c(cuts, Inf)[k] - eta) - plogis(c(-Inf, cuts)[k] - eta)))
  }
  gap <- list(
    mse = function(j) mean((y_cont - eta_at(j))^2) -
      family_nll(lik_gaussian(), y_cont, eta_at(j), aux = log(sqrt(1 / 2))),
    mae = function(j) mean(abs(y_cont - eta_at(j))) -
      family_nll(lik_laplace(), y_cont, eta_at(j), aux = 0),
    huber = function(j) mean(huber_rho(y_cont - eta_at(j), delta)) -
      family_nll(lik_huber(delta), y_cont, eta_at(j), aux = 0),
    bce = function(j) -mean(y_bin * log(plogis(eta_at(j))) + (1 - y_bin) * log(plogis(-eta_at(j)))) -
      family_nll(lik_bernoulli(), y_bin, eta_at(j)),
    softmax_ce = function(j) -mean(log(softmax(logit_mats[[j]])[cbind(1:n, as.integer(y_cat))])) -
      family_nll(lik_categorical(), y_cat, logit_mats[[j]]),
    poisson = function(j) mean(exp(eta_at(j)) - y_count * eta_at(j)) -
      family_nll(lik_poisson(), y_count, eta_at(j)),
    beta = function(j) {
      mu <- plogis(eta_at(j))
      phi <- exp(log_phi[j])
      -mean(dbeta(y_unit, mu * phi, (1 - mu) * phi, log = TRUE)) -
        family_nll(lik_beta(), y_unit, eta_at(j), aux = log_phi[j])
    },
    ordinal = function(j) ordinal_loss(y_ord, eta_at(j), cuts[[j]]) -
      family_nll(lik_ordinal(), y_ord, eta_at(j), aux = cuts[[j]])
  )
  closed_form <- c(mse = -0.5 * log(pi), mae = -log(2), huber = -log(huber_c(delta)),
                   bce = 0, softmax_ce = 0, poisson = -mean(lgamma(y_count + 1)),
                   beta = 0, ordinal = 0)
  for (name in names(gap)) {
    g1 <- gap[[name]](1)
    g2 <- gap[[name]](2)
    expect_lt(abs(g1 - g2), 1e-10, label = paste(name, ": |gap(theta1) - gap(theta2)|"))
    expect_lt(abs(g1 - closed_form[[name]]), 1e-10, label = paste(name, ": |gap - closed form|"))
  }
  # The two parameter settings are genuinely different: the losses differ.
  expect_gt(abs(mean((y_cont - eta_at(1))^2) - mean((y_cont - eta_at(2))^2)), 0.1)

  # What the intercept-only fits predict.
  set.seed(505)
  skewed <- rexp(201, rate = 1)
  fit0 <- function(y, family) fit_mle(y ~ 1, data = data.frame(y = y), family = family)
  f_gauss <- fit0(skewed, lik_gaussian())
  f_laplace <- fit0(skewed, lik_laplace())
  f_huber <- fit0(skewed, lik_huber(delta))
  expect_equal(coef(f_gauss)[[1]], mean(skewed), tolerance = 1e-10)
  expect_equal(coef(f_laplace)[[1]], median(skewed), tolerance = 1e-10)
  m_h <- coef(f_huber)[[1]]
  s_h <- sigma(f_huber)
  expect_lt(abs(mean(pmin(pmax((skewed - m_h) / s_h, -delta), delta))), 1e-8)
  expect_gt(m_h, median(skewed))
  expect_lt(m_h, mean(skewed))
  # The Huber scale is its ML estimate too: the profile NLL in log(scale) is flat there.
  h <- 1e-4
  nll_s <- function(ls) family_nll(lik_huber(delta), skewed, rep(m_h, length(skewed)), aux = ls)
  ls_hat <- coef(f_huber)[["log(scale)"]]
  expect_lt(abs((nll_s(ls_hat + h) - nll_s(ls_hat - h)) / (2 * h)), 1e-6)

  expect_equal(plogis(coef(fit0(y_bin, lik_bernoulli()))[[1]]), mean(y_bin), tolerance = 1e-10)
  f_cat <- fit0(y_cat, lik_categorical())
  expect_equal(unname(predict(f_cat, type = "prob")[1, ]), as.numeric(table(y_cat)) / n,
               tolerance = 1e-9)
  expect_equal(exp(coef(fit0(y_count, lik_poisson()))[[1]]), mean(y_count), tolerance = 1e-10)
  f_ord <- fit0(y_ord, lik_ordinal())
  expect_equal(unname(plogis(coef(f_ord)[c("1|2", "2|3", "3|4")])),
               as.numeric(cumsum(table(y_ord)))[1:3] / n, tolerance = 1e-9)

  f_beta <- fit0(y_unit, lik_beta())
  beta_loss <- function(p) -mean(dbeta(y_unit, plogis(p[1]) * exp(p[2]), (1 - plogis(p[1])) * exp(p[2]), log = TRUE))
  opt <- optim(c(0, 1), beta_loss, method = "BFGS", control = list(reltol = 1e-14))
  expect_equal(unname(coef(f_beta)), opt$par, tolerance = 1e-5)
  expect_lte(-as.numeric(logLik(f_beta)) / n, opt$value + 1e-12)
  expect_equal(unname(fitted(f_beta)[1]), plogis(coef(f_beta)[[1]]), tolerance = 1e-12)
})

test_that("claim 5: a Gaussian fit predicts negative counts, the Poisson fit never does, and has lower MAE", {
  set.seed(606)
  counts <- data.frame(t = runif(1000, 1, 24))
  rate <- function(t) 5 + 20 * exp(-0.5 * ((t - 12) / 3)^2)
  counts$y <- rpois(nrow(counts), rate(counts$t))
  grid <- data.frame(t = seq(0, 30, by = 0.1))

  fit_line <- fit_mle(y ~ t, data = counts, family = lik_gaussian())
  fit_quad <- fit_mle(y ~ poly(t, 2), data = counts, family = lik_gaussian())
  fit_pois <- fit_mle(y ~ poly(t, 2), data = counts, family = lik_poisson())

  # probml's predictions (including poly() rebuilt on new data) match lm/glm.
  lm_line <- lm(y ~ t, data = counts)
  lm_quad <- lm(y ~ poly(t, 2), data = counts)
  glm_pois <- glm(y ~ poly(t, 2), family = poisson, data = counts,
                  control = glm.control(epsilon = 1e-12))
  pred_line <- predict(fit_line, grid, type = "response")
  pred_quad <- predict(fit_quad, grid, type = "response")
  pred_pois <- predict(fit_pois, grid, type = "response")
  expect_equal(unname(pred_line), unname(predict(lm_line, grid)), tolerance = 1e-8)
  expect_equal(unname(pred_quad), unname(predict(lm_quad, grid)), tolerance = 1e-8)
  expect_equal(unname(pred_pois), unname(predict(glm_pois, grid, type = "response")), tolerance = 1e-7)

  # The straight line is nearly flat here and stays positive on [0, 30];
  # the Gaussian with the Poisson fit's flexible mean goes negative.
  expect_equal(sum(pred_line < 0), sum(predict(lm_line, grid) < 0))
  expect_gt(sum(pred_quad < 0), 0)
  expect_gt(sum(fitted(fit_quad) < 0), 0)
  expect_true(all(pred_pois > 0))
  expect_true(all(fitted(fit_pois) > 0))

  mae <- function(fit) mean(abs(counts$y - fitted(fit)))
  expect_lt(mae(fit_pois), mae(fit_quad))
  expect_lt(mae(fit_pois), mae(fit_line))
  expect_equal(mae(fit_line), mean(abs(residuals(lm_line))), tolerance = 1e-10)
})
