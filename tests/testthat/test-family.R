test_that("every family's local gradient and Hessian match finite differences", {
  for (name in names(family_cases())) {
    case <- family_cases()[[name]]
    core <- case_core(case)
    m <- ncol(case$U)
    q <- length(case$aux)
    d <- m + q
    out <- probml:::cpp_family_local(core$spec, case$U, core$y, case$aux, 2L)
    for (i in seq_len(nrow(case$U))) {
      local_value <- function(v) {
        probml:::cpp_family_local(core$spec, matrix(v[seq_len(m)], 1), core$y[i], v[m + seq_len(q)], 0L)$value
      }
      local_grad <- function(v) {
        drop(probml:::cpp_family_local(core$spec, matrix(v[seq_len(m)], 1), core$y[i], v[m + seq_len(q)], 1L)$d1)
      }
      v <- c(case$U[i, ], case$aux)
      expect_equal(out$d1[i, ], fd_gradient(local_value, v), tolerance = 1e-6,
                   info = paste(name, "gradient, row", i))
      H <- fd_jacobian(local_grad, v)
      expect_equal(unpack_symmetric(out$d2[i, ], d), (H + t(H)) / 2, tolerance = 1e-5,
                   info = paste(name, "Hessian, row", i))
    }
  }
})

test_that("the summed gradient and Hessian of the objective match finite differences", {
  set.seed(2)
  n <- 60
  X <- cbind(1, rnorm(n), runif(n))
  for (name in names(family_cases(n))) {
    case <- family_cases(n)[[name]]
    core <- case_core(case)
    m <- ncol(case$U)
    w <- runif(n, 0.5, 2)
    off <- rnorm(n, sd = 0.1) + (case$shift %||% 0)
    theta <- c(rnorm(3 * m, sd = 0.3), case$aux)
    f <- function(th) core_objective(core$spec, X, core$y, w, off, th, 0L)$value
    g <- function(th) core_objective(core$spec, X, core$y, w, off, th, 1L)$gradient
    out <- core_objective(core$spec, X, core$y, w, off, theta, 2L)
    expect_equal(out$gradient, fd_gradient(f, theta), tolerance = 1e-6, info = name)
    H <- fd_jacobian(g, theta)
    expect_equal(out$hessian, (H + t(H)) / 2, tolerance = 1e-5, info = name)
  }
})

test_that("the expected information is the expectation of the observed one", {
  # Bernoulli, every link: average the observed curvature over y in {0, 1}.
  eta <- c(-30, -8, -2, -0.3, 0, 0.7, 2, 8, 30)
  for (link in c("logit", "probit", "cloglog")) {
    spec <- probml:::family_spec(lik_bernoulli(link))
    U <- cbind(eta)
    p <- drop(probml:::cpp_family_moments(spec, U, numeric())$mean)
    one <- probml:::cpp_family_local(spec, U, rep(1, length(eta)), numeric(), 2L)
    zero <- probml:::cpp_family_local(spec, U, rep(0, length(eta)), numeric(), 2L)
    expect_equal(drop(one$expected), drop(p * one$d2 + (1 - p) * zero$d2), tolerance = 1e-8, info = link)
    expect_true(all(is.finite(one$d2)) && all(is.finite(zero$d2)), info = link)
  }
  # Poisson: the curvature does not depend on y.
  spec <- probml:::family_spec(lik_poisson())
  out <- probml:::cpp_family_local(spec, cbind(c(-1, 0, 2)), c(0, 3, 10), numeric(), 2L)
  expect_equal(out$expected, out$d2)
  # Gaussian: E[(y - mu)^2] = sigma^2 gives diag(1 / sigma^2, 2).
  spec <- probml:::family_spec(lik_gaussian())
  out <- probml:::cpp_family_local(spec, cbind(0), 0, log(2), 2L)
  expect_equal(drop(out$expected), c(1 / 4, 0, 2))
})

# E over y of the observed information (packed), for one row with mean mu:
# an integral over the density of a continuous family, a sum over counts.
expected_observed <- function(fam, eta, aux, density = NULL, pmf = NULL) {
  spec <- probml:::family_spec(fam)
  d2 <- function(y) probml:::cpp_family_local(spec, matrix(eta, length(y)), y, aux, 2L)$d2
  if (!is.null(pmf)) {
    k <- 0:2000
    return(colSums(pmf(k) * d2(k)))
  }
  vapply(seq_len(ncol(d2(1))), function(j) {
    integrate(function(y) density(y) * d2(y)[, j], 0, Inf, rel.tol = 1e-11, subdivisions = 1000L)$value
  }, 0)
}

test_that("the expected information of the Gamma, inverse Gaussian and negative binomial families", {
  for (link in c("inverse", "log", "identity")) {
    for (eta in c(0.4, 1.3, 3)) {
      fam <- lik_gamma(link)
      shape <- 2.5
      mu <- drop(probml:::cpp_family_moments(probml:::family_spec(fam), cbind(eta), log(shape))$mean)
      info <- drop(probml:::cpp_family_local(probml:::family_spec(fam), cbind(eta), 1, log(shape), 2L)$expected)
      ref <- expected_observed(fam, eta, log(shape), density = function(y) dgamma(y, shape, scale = mu / shape))
      expect_equal(info, ref, tolerance = 1e-8, info = paste("gamma", link, eta))
    }
  }
  dinvgauss <- function(y, mu, lambda) sqrt(lambda / (2 * pi * y^3)) * exp(-lambda * (y - mu)^2 / (2 * mu^2 * y))
  for (link in c("1/mu^2", "inverse", "log", "identity")) {
    for (eta in c(0.4, 1.3, 3)) {
      fam <- lik_inverse_gaussian(link)
      lambda <- 1.7
      mu <- drop(probml:::cpp_family_moments(probml:::family_spec(fam), cbind(eta), log(lambda))$mean)
      info <- drop(probml:::cpp_family_local(probml:::family_spec(fam), cbind(eta), 1, log(lambda), 2L)$expected)
      ref <- expected_observed(fam, eta, log(lambda), density = function(y) dinvgauss(y, mu, lambda))
      expect_equal(info, ref, tolerance = 1e-7, info = paste("inverse gaussian", link, eta))
    }
  }
  for (link in c("log", "sqrt", "identity")) {
    for (theta in c(0.3, 2, 40)) {
      for (fam in list(lik_negbin(link = link), lik_negbin(theta, link = link))) {
        eta <- 1.2
        aux <- if (is.null(fam$theta)) log(theta) else numeric()
        mu <- drop(probml:::cpp_family_moments(probml:::family_spec(fam), cbind(eta), aux)$mean)
        info <- drop(probml:::cpp_family_local(probml:::family_spec(fam), cbind(eta), 1, aux, 2L)$expected)
        ref <- expected_observed(fam, eta, aux, pmf = function(k) dnbinom(k, size = theta, mu = mu))
        expect_equal(info, ref, tolerance = 1e-9, info = paste("negbin", link, theta))
      }
    }
  }
  # The new Bernoulli links (the mean over y in {0, 1}) and Poisson links
  # (the curvature's expectation over the counts).
  for (link in c("log", "cauchit", "loglog")) {
    eta <- if (link == "log") -c(30, 8, 2, 0.3, 1e-3) else c(-30, -8, -2, -0.3, 0, 0.7, 2, 8, 30)
    spec <- probml:::family_spec(lik_bernoulli(link))
    p <- drop(probml:::cpp_family_moments(spec, cbind(eta), numeric())$mean)
    one <- probml:::cpp_family_local(spec, cbind(eta), rep(1, length(eta)), numeric(), 2L)
    zero <- probml:::cpp_family_local(spec, cbind(eta), rep(0, length(eta)), numeric(), 2L)
    expect_equal(drop(one$expected), drop(p * one$d2 + (1 - p) * zero$d2), tolerance = 1e-8, info = link)
    expect_true(all(is.finite(one$d2)) && all(is.finite(zero$d2)), info = link)
  }
  for (link in c("identity", "sqrt")) {
    fam <- lik_poisson(link)
    mu <- drop(probml:::cpp_family_moments(probml:::family_spec(fam), cbind(2.2), numeric())$mean)
    info <- drop(probml:::cpp_family_local(probml:::family_spec(fam), cbind(2.2), 1, numeric(), 2L)$expected)
    expect_equal(info, expected_observed(fam, 2.2, numeric(), pmf = function(k) dpois(k, mu)), tolerance = 1e-10,
                 info = link)
  }
})

test_that("the NLL is finite where naive formulas give log(0)", {
  for (link in c("logit", "probit", "cloglog")) {
    v1 <- family_nll(lik_bernoulli(link), c(1, 0, 1, 0), c(-60, 60, 60, -60), reduce = "none")
    expect_true(all(is.finite(v1)), info = link)
    expect_true(v1[1] > 20 && v1[2] > 20, info = link)
    expect_true(v1[3] < 1e-20 && v1[4] < 1e-20, info = link)
  }
  # Probit far tail: -log Phi(-40) from the asymptotic series.
  expect_equal(family_nll(lik_bernoulli("probit"), 1, -40, reduce = "sum"),
               -pnorm(-40, log.p = TRUE), tolerance = 1e-10)
  expect_equal(family_nll(lik_bernoulli("cloglog"), 1, -40, reduce = "sum"),
               -log(-expm1(-exp(-40))), tolerance = 1e-10)
  for (link in c("cauchit", "loglog")) {
    v1 <- family_nll(lik_bernoulli(link), c(1, 0, 1, 0), c(-60, 60, 60, -60), reduce = "none")
    expect_true(all(is.finite(v1)), info = link)
    expect_true(v1[1] > 4 && v1[2] > 4, info = link)
  }
  expect_equal(family_nll(lik_bernoulli("cauchit"), c(1, 0), c(-1e8, 1e8), reduce = "none"),
               rep(-pcauchy(-1e8, log.p = TRUE), 2), tolerance = 1e-12)
  expect_equal(family_nll(lik_bernoulli("loglog"), 0, 40, reduce = "sum"), -log(-expm1(-exp(-40))),
               tolerance = 1e-10)
  # The Bernoulli log link: p = exp(eta) near 1, and no probability beyond.
  expect_equal(family_nll(lik_bernoulli("log"), c(0, 1), c(-1e-12, -60), reduce = "none"),
               c(-log(-expm1(-1e-12)), 60), tolerance = 1e-12)
  expect_identical(family_nll(lik_bernoulli("log"), c(1, 0), c(0, 0.1), reduce = "none"), c(Inf, Inf))
  # Means outside their space have likelihood zero; far means stay finite.
  expect_identical(family_nll(lik_gamma("identity"), c(1, 2), c(-1, 0), aux = 0, reduce = "none"), c(Inf, Inf))
  expect_identical(family_nll(lik_poisson("sqrt"), c(1, 0), c(-1, 0), reduce = "none"), c(Inf, Inf))
  expect_identical(family_nll(lik_gaussian(link = "inverse"), 1, 0, aux = 0, reduce = "none"), Inf)
  expect_equal(family_nll(lik_gamma("log"), c(3, 3), c(800, -30), aux = 0, reduce = "none"),
               c(800 + 3 * exp(-800), -30 + 3 * exp(30)), tolerance = 1e-14)
  expect_equal(family_nll(lik_negbin(), c(0, 3), c(-700, 700), aux = log(2), reduce = "none"),
               -dnbinom(c(0, 3), size = 2, mu = exp(c(-700, 700)), log = TRUE), tolerance = 1e-12)
  # Ordinal extreme categories.
  v <- family_nll(lik_ordinal(), factor(c(1, 3), levels = 1:3, ordered = TRUE), c(50, -50),
                  aux = c(-1, 1), reduce = "none")
  expect_equal(v, -plogis(c(-1 - 50, -(1 + 50)), log.p = TRUE), tolerance = 1e-10)
})

test_that("ordinal links: the nll and its derivatives stay finite and accurate in the tails", {
  # R's own log-scale distribution functions, lower and upper tail, as the reference.
  log_cdf <- list(
    logit = function(x, lower) stats::plogis(x, lower.tail = lower, log.p = TRUE),
    probit = function(x, lower) stats::pnorm(x, lower.tail = lower, log.p = TRUE),
    cauchit = function(x, lower) stats::pcauchy(x, lower.tail = lower, log.p = TRUE),
    cloglog = function(x, lower) if (lower) log(-expm1(-exp(x))) else -exp(x),
    loglog = function(x, lower) if (lower) -exp(-x) else log(-expm1(-exp(-x))))
  log1mexp <- function(x) ifelse(x < log(2), log(-expm1(-x)), log1p(-exp(-x)))  # log(1 - e^-x), x > 0
  reference_nll <- function(link, a, b) {
    F <- log_cdf[[link]]
    if (a == -Inf) return(-F(b, TRUE))
    if (b == Inf) return(-F(a, FALSE))
    lFb <- F(b, TRUE)
    lSa <- F(a, FALSE)
    if (lFb <= lSa) -(lFb + log1mexp(lFb - F(a, TRUE))) else -(lSa + log1mexp(lSa - F(b, FALSE)))
  }
  theta <- c(-1, 1)
  eta <- c(-200, -60, -25, -5, 0, 5, 25, 60, 200)
  y <- factor(1:3, levels = 1:3, ordered = TRUE)
  for (link in names(log_cdf)) {
    spec <- probml:::family_spec(lik_ordinal(link), levels(y))
    for (e in eta) {
      out <- probml:::cpp_family_local(spec, cbind(rep(e, 3)), 0:2, theta, 2L)
      expect_true(all(is.finite(out$value)) && all(is.finite(out$d1)) && all(is.finite(out$d2)),
                  info = paste(link, e))
      ref <- c(reference_nll(link, -Inf, theta[1] - e), reference_nll(link, theta[1] - e, theta[2] - e),
               reference_nll(link, theta[2] - e, Inf))
      expect_equal(out$value, ref, tolerance = 1e-10, info = paste(link, e))
      if (abs(e) > 25) next
      # Derivatives against finite differences in (eta, theta), each class.
      for (k in 1:3) {
        v <- c(e, theta)
        val <- function(v) probml:::cpp_family_local(spec, matrix(v[1], 1), k - 1, v[2:3], 0L)$value
        grad <- function(v) drop(probml:::cpp_family_local(spec, matrix(v[1], 1), k - 1, v[2:3], 1L)$d1)
        expect_equal(drop(out$d1[k, ]), fd_gradient(val, v), tolerance = 1e-6, info = paste(link, e, k))
        H <- fd_jacobian(grad, v)
        expect_equal(unpack_symmetric(out$d2[k, ], 3), (H + t(H)) / 2, tolerance = 1e-5, info = paste(link, e, k))
      }
    }
  }
  # Far in a Gumbel tail the nll is exp(.): its derivatives in eta are exact there.
  a <- 150
  cl <- probml:::cpp_family_local(probml:::family_spec(lik_ordinal("cloglog"), c("a", "b")), cbind(-a), 1, 0, 2L)
  expect_equal(c(cl$value, cl$d1[1, 1], cl$d2[1, 1]), c(exp(a), -exp(a), exp(a)), tolerance = 1e-12)
  ll <- probml:::cpp_family_local(probml:::family_spec(lik_ordinal("loglog"), c("a", "b")), cbind(a), 0, 0, 2L)
  expect_equal(c(ll$value, ll$d1[1, 1], ll$d2[1, 1]), c(exp(a), exp(a), exp(a)), tolerance = 1e-12)
  # The links are polr's: cloglog F = 1 - exp(-exp(x)), loglog F = exp(-exp(-x)).
  p <- function(link, e) drop(probml:::cpp_family_moments(probml:::family_spec(lik_ordinal(link), c("a", "b")),
                                                          cbind(e), 0)$mean[, 1])
  expect_equal(p("cloglog", c(-2, 0.5, 3)), 1 - exp(-exp(-c(-2, 0.5, 3))), tolerance = 1e-14)
  expect_equal(p("loglog", c(-2, 0.5, 3)), exp(-exp(c(-2, 0.5, 3))), tolerance = 1e-14)
  expect_equal(p("cauchit", c(-2, 0.5, 3)), pcauchy(-c(-2, 0.5, 3)), tolerance = 1e-14)
})

test_that("the quantile family is the asymmetric Laplace: a density whose location is the tau-quantile", {
  for (tau in c(0.1, 0.5, 0.75)) {
    fam <- lik_quantile(tau)
    spec <- probml:::family_spec(fam)
    mu <- 0.7
    log_s <- log(1.3)
    dens <- function(y) exp(-family_nll(fam, y, rep(mu, length(y)), aux = log_s, reduce = "none"))
    expect_equal(integrate(dens, -Inf, Inf, rel.tol = 1e-12)$value, 1, tolerance = 1e-9)
    expect_equal(integrate(dens, -Inf, mu, rel.tol = 1e-12)$value, tau, tolerance = 1e-9)
    # The nll is log(sigma) - log(tau (1 - tau)) + rho_tau(y - mu) / sigma.
    y <- c(-3, 0.2, 0.7, 1, 4)
    r <- y - mu
    expect_equal(family_nll(fam, y, rep(mu, 5), aux = log_s, reduce = "none"),
                 log_s - log(tau * (1 - tau)) + r * (tau - (r < 0)) / exp(log_s))
    # Mean and variance of y.
    mom <- probml:::cpp_family_moments(spec, cbind(mu), log_s)
    m1 <- integrate(function(y) y * dens(y), -Inf, Inf, rel.tol = 1e-12)$value
    m2 <- integrate(function(y) (y - m1)^2 * dens(y), -Inf, Inf, rel.tol = 1e-12)$value
    expect_equal(drop(mom$mean), m1, tolerance = 1e-8)
    expect_equal(drop(mom$variance), m2, tolerance = 1e-8)
    # The expected information is the variance of the score (the nll has no
    # curvature in mu): diag(tau (1 - tau) / sigma^2, 1).
    score <- function(y) probml:::cpp_family_local(spec, cbind(rep(mu, length(y))), y, log_s, 1L)$d1
    info <- probml:::cpp_family_local(spec, cbind(mu), mu + 1, log_s, 2L)$expected
    for (k in 1:3) {
      ij <- list(c(1, 1), c(1, 2), c(2, 2))[[k]]
      e <- integrate(function(y) { g <- score(y); g[, ij[1]] * g[, ij[2]] * dens(y) }, -Inf, Inf, rel.tol = 1e-12)$value
      expect_equal(info[1, k], e, tolerance = 1e-8, info = paste(tau, k))
    }
    expect_equal(info[1, 1], tau * (1 - tau) / exp(2 * log_s))
  }
  # lik_laplace() is tau = 1/2 with the scale b = 2 sigma.
  y <- c(-2, 0.1, 3)
  expect_equal(family_nll(lik_laplace(), y, rep(0.4, 3), aux = log(2 * 1.7), reduce = "none"),
               family_nll(lik_quantile(0.5), y, rep(0.4, 3), aux = log(1.7), reduce = "none"), tolerance = 1e-14)
})

test_that("beta with a precision model: its expected information is the mean observed information", {
  spec <- probml:::family_spec(probml:::with_formula_parts(lik_beta(), TRUE))
  for (U in list(c(-0.4, log(3)), c(1.2, log(40)), c(0, log(2.5)))) {
    a <- plogis(U[1]) * exp(U[2])
    b <- (1 - plogis(U[1])) * exp(U[2])
    d2 <- function(y) probml:::cpp_family_local(spec, matrix(U, length(y), 2, byrow = TRUE), y, numeric(), 2L)$d2
    info <- probml:::cpp_family_local(spec, matrix(U, 1), 0.5, numeric(), 2L)$expected
    for (k in 1:3) {
      e <- integrate(function(y) d2(y)[, k] * dbeta(y, a, b), 0, 1, rel.tol = 1e-11)$value
      expect_equal(info[1, k], e, tolerance = 1e-7, info = paste(U, k))
    }
    # the constant-precision family at the same phi gives the same local values
    one <- probml:::cpp_family_local(probml:::family_spec(lik_beta()), matrix(U[1], 1), 0.3, U[2], 2L)
    two <- probml:::cpp_family_local(spec, matrix(U, 1), 0.3, numeric(), 2L)
    expect_equal(two$d2, one$d2)
    expect_equal(two$value, one$value)
  }
})

test_that("family_nll reproduces the textbook losses", {
  set.seed(3)
  y <- rnorm(20)
  mu <- rnorm(20)
  expect_equal(family_nll(lik_gaussian(), y, mu, aux = 0, reduce = "none"),
               0.5 * log(2 * pi) + 0.5 * (y - mu)^2)
  expect_equal(family_nll(lik_laplace(), y, mu, aux = 0, reduce = "none"), log(2) + abs(y - mu))
  k <- rpois(20, 4)
  expect_equal(family_nll(lik_poisson(), k, log(3 + mu^2), reduce = "none"),
               -dpois(k, 3 + mu^2, log = TRUE))
  yb <- rbeta(20, 2, 5)
  expect_equal(family_nll(lik_beta(), yb, rep(qlogis(0.3), 20), aux = log(7), reduce = "none"),
               -dbeta(yb, 0.3 * 7, 0.7 * 7, log = TRUE))
  expect_equal(family_nll(lik_student_t(5), y, mu, aux = log(1.5), reduce = "none"),
               -(dt((y - mu) / 1.5, 5, log = TRUE) - log(1.5)))
  expect_equal(family_nll(lik_gaussian(link = "log"), y, mu, aux = 0.2, reduce = "none"),
               -dnorm(y, exp(mu), exp(0.2), log = TRUE))
  expect_equal(family_nll(lik_gaussian(link = "inverse"), y, mu, aux = 0.2, reduce = "none"),
               -dnorm(y, 1 / mu, exp(0.2), log = TRUE))
  expect_equal(family_nll(lik_poisson("sqrt"), k, 1 + mu^2, reduce = "none"), -dpois(k, (1 + mu^2)^2, log = TRUE))
  expect_equal(family_nll(lik_poisson("identity"), k, 1 + mu^2, reduce = "none"), -dpois(k, 1 + mu^2, log = TRUE))
  expect_equal(family_nll(lik_bernoulli("cauchit"), k > 3, mu, reduce = "none"),
               -dbinom(k > 3, 1, pcauchy(mu), log = TRUE))
  expect_equal(family_nll(lik_bernoulli("loglog"), k > 3, mu, reduce = "none"),
               -dbinom(k > 3, 1, exp(-exp(-mu)), log = TRUE))
  expect_equal(family_nll(lik_bernoulli("log"), k > 3, -exp(mu), reduce = "none"),
               -dbinom(k > 3, 1, exp(-exp(mu)), log = TRUE))
  yp <- rgamma(20, 2)
  for (link in c("inverse", "log", "identity")) {
    eta <- exp(mu / 3)
    m <- switch(link, inverse = 1 / eta, log = exp(eta), identity = eta)
    expect_equal(family_nll(lik_gamma(link), yp, eta, aux = log(3), reduce = "none"),
                 -dgamma(yp, shape = 3, scale = m / 3, log = TRUE), info = link)
  }
  for (link in c("1/mu^2", "inverse", "log", "identity")) {
    eta <- exp(mu / 3)
    m <- switch(link, "1/mu^2" = 1 / sqrt(eta), inverse = 1 / eta, log = exp(eta), identity = eta)
    expect_equal(family_nll(lik_inverse_gaussian(link), yp, eta, aux = log(3), reduce = "none"),
                 -(0.5 * log(3 / (2 * pi * yp^3)) - 3 * (yp - m)^2 / (2 * m^2 * yp)), info = link)
  }
  for (link in c("log", "sqrt", "identity")) {
    eta <- exp(mu / 3)
    m <- switch(link, log = exp(eta), sqrt = eta^2, identity = eta)
    expect_equal(family_nll(lik_negbin(link = link), k, eta, aux = log(1.7), reduce = "none"),
                 -dnbinom(k, size = 1.7, mu = m, log = TRUE), info = link)
    expect_equal(family_nll(lik_negbin(0.6, link = link), k, eta, reduce = "none"),
                 -dnbinom(k, size = 0.6, mu = m, log = TRUE), info = link)
  }
  # Huber: integrates to one, so it is a density.
  dens <- function(x) exp(-family_nll(lik_huber(1.345), x, rep(0, length(x)), aux = 0, reduce = "none"))
  expect_equal(integrate(dens, -Inf, Inf, rel.tol = 1e-12)$value, 1, tolerance = 1e-8)
})

test_that("stats family objects map to probml families", {
  expect_identical(probml:::as_probml_family(binomial("probit"))$link, "probit")
  expect_identical(probml:::as_probml_family(poisson())$family, "poisson")
  expect_identical(probml:::as_probml_family(gaussian)$family, "gaussian")
  # every link of every family that maps
  for (link in c("logit", "probit", "cloglog", "log", "cauchit")) {
    expect_identical(probml:::as_probml_family(binomial(link)), lik_bernoulli(link))
  }
  for (link in c("identity", "log", "inverse")) {
    expect_identical(probml:::as_probml_family(gaussian(link)), lik_gaussian(link = link))
  }
  for (link in c("log", "identity", "sqrt")) expect_identical(probml:::as_probml_family(poisson(link)), lik_poisson(link))
  for (link in c("inverse", "log", "identity")) expect_identical(probml:::as_probml_family(Gamma(link)), lik_gamma(link))
  for (link in c("1/mu^2", "inverse", "log", "identity")) {
    expect_identical(probml:::as_probml_family(inverse.gaussian(link)), lik_inverse_gaussian(link))
  }
  expect_identical(probml:::as_probml_family(Gamma), lik_gamma())
  expect_identical(probml:::as_probml_family("gamma"), lik_gamma())
  expect_identical(probml:::as_probml_family("negbin"), lik_negbin())
  skip_if_not_installed("MASS")
  # MASS::negative.binomial(theta) is the negative binomial with theta fixed (exactly, not as printed).
  for (link in c("log", "sqrt", "identity")) {
    expect_identical(probml:::as_probml_family(MASS::negative.binomial(2.123456789, link = link)),
                     lik_negbin(2.123456789, link = link))
  }
  expect_probml_error(probml:::as_probml_family(binomial("identity")), "probml_error_unsupported")
  expect_probml_error(probml:::as_probml_family(quasipoisson()), "probml_error_unsupported")
})

test_that("family constructors refuse bad settings with classed errors", {
  bad_numbers <- list("a", -1, 0, NA, Inf, c(1, 2), TRUE, list(1), NaN, -Inf, numeric(0))
  for (b in bad_numbers) {
    expect_probml_error(lik_huber(b), "probml_error")
    if (!is.null(b)) expect_probml_error(lik_student_t(b), "probml_error")
  }
  for (b in list(-0.1, 1, 2, NA, "a", c(0.1, 0.2), Inf, TRUE, list(0.1), NaN)) {
    expect_probml_error(lik_categorical(b), "probml_error")
  }
  for (b in list("identity", 1, NA, c("logit", "probit"), "", "LOGIT", TRUE, list("logit"),
                 character(0), "sqrt")) {
    expect_probml_error(lik_bernoulli(b), "probml_error")
    expect_probml_error(lik_ordinal(b), "probml_error")
  }
  for (b in list(0, 1, -0.5, 1.5, NA, NaN, Inf, "a", c(0.1, 0.2), TRUE, list(0.5), numeric(0), NULL)) {
    expect_probml_error(lik_quantile(b), "probml_error")
  }
  # An unknown link: a classed error naming `link`, from every constructor with links.
  for (b in list("logit", 1, NA, c("log", "identity"), "", "LOG", TRUE, list("log"), character(0), "probit")) {
    expect_probml_error(lik_poisson(b), "probml_error")
    expect_probml_error(lik_gamma(b), "probml_error")
    expect_probml_error(lik_inverse_gaussian(b), "probml_error")
    expect_probml_error(lik_negbin(link = b), "probml_error")
    expect_probml_error(lik_gaussian(link = b), "probml_error")
  }
  # theta of the negative binomial: NULL (estimated) or a positive number.
  for (b in bad_numbers) expect_probml_error(lik_negbin(b), "probml_error")
  for (ctor in list(lik_laplace, lik_beta, lik_gaussian_hetero)) {
    for (b in list(1, "a", NA, NULL, TRUE, list(), 0, -1, Inf, c(1, 2))) {
      expect_probml_error(ctor(b), "probml_error")
    }
  }
  # lik_gaussian's one argument is a known sigma
  for (b in list("a", NA, TRUE, list(), 0, -1, Inf, NaN, c(1, 2))) {
    expect_probml_error(lik_gaussian(b), "probml_error")
  }
  expect_probml_error(lik_gaussian(sigma = 1, 2), "probml_error")
  for (b in list(1, "nope", NA, NULL, TRUE, list(), binomial("identity"), quasibinomial(), matrix(1), mean)) {
    expect_error(probml:::as_probml_family(b), class = "probml_error")
  }
})

test_that("family_nll refuses bad input", {
  y <- c(0, 1, 1)
  expect_probml_error(family_nll(lik_bernoulli(), y, "a"), "probml_error")
  expect_probml_error(family_nll(lik_bernoulli(), y, 1:2), "probml_error_length")
  expect_probml_error(family_nll(lik_bernoulli(), y, c(1, NA, 2)), "probml_error_missing")
  expect_probml_error(family_nll(lik_bernoulli(), c(0, 2, 1), 1:3), "probml_error_support")
  expect_probml_error(family_nll(lik_gaussian(), 1:3, 1:3), "probml_error")
  expect_probml_error(family_nll(lik_gaussian(), 1:3, 1:3, aux = c(1, 2)), "probml_error")
  expect_probml_error(family_nll(lik_ordinal(), factor(1:3, ordered = TRUE), 1:3, aux = c(1, 0)),
                      "probml_error")
  expect_probml_error(family_nll(lik_bernoulli(), y, 1:3, reduce = "median"), "probml_error")
  expect_probml_error(family_nll(lik_bernoulli(), y, 1:3, weights = c(-1, 1, 1)), "probml_error")
  expect_probml_error(family_nll(lik_categorical(), factor(c("a", "b", "c")), matrix(0, 3, 4)),
                      "probml_error_length")
  expect_probml_error(family_nll("nope", y, 1:3), "probml_error")
})

test_that("R works from the capabilities alone: every family of the core, built from its name", {
  # R's fit, methods and predictions know no family by name: a family is its
  # core name and settings, and the capabilities come from the core. So any
  # family in the core's registry, made by the internal constructor from
  # its name alone, goes through the same code; response data are drawn by
  # the kind the core declares. (A family new to the core is added in C++
  # only: tests/cpp/test_family.cpp fits one that exists nowhere else.)
  set.seed(21)
  n <- 120
  x <- rnorm(n)
  response_for <- list(
    # overdispersed counts, so that the negative binomial's theta has a finite MLE
    numeric = 1 + x + rnorm(n), binary = rbinom(n, 1, plogis(x)), count = rnbinom(n, size = 3, mu = exp(0.5 + 0.3 * x)),
    unit = rbeta(n, 2 * exp(0.3 * x), 2), classes = factor(sample(c("a", "b", "c"), n, TRUE)),
    positive = rgamma(n, 3, scale = exp(0.2 + 0.3 * x) / 3),
    ordered = factor(sample(c("lo", "mid", "hi"), n, TRUE), levels = c("lo", "mid", "hi"), ordered = TRUE))
  for (name in probml:::cpp_family_names()) {
    fam <- probml:::new_family(name)
    info <- probml:::family_info(fam)
    d <- data.frame(x = x, z = runif(n))
    d$y <- response_for[[info$response]]
    f <- if (info$n_formula_parts == 2L) y ~ x | z else y ~ x
    fit <- fit_mle(f, data = d, family = fam)
    expect_true(fit$converged, info = name)
    expect_length(coef(fit), length(names(coef(fit))))
    expect_equal(nrow(vcov(fit)), length(coef(fit)), info = name)
    expect_equal(NROW(predict(fit, d[1:4, ], type = "response")), 4, info = name)
    expect_equal(NROW(predict(fit, type = "link", se.fit = TRUE)$fit), n, info = name)
    r <- residuals(fit, "deviance")
    expect_true(all(is.finite(r)), info = name)
    expect_true(is.finite(as.numeric(logLik(fit))), info = name)
    expect_output(print(summary(fit)), info$label, fixed = TRUE)
  }
  # The capabilities themselves come from the core.
  info <- probml:::family_info(lik_ordinal(), c("lo", "mid", "hi"))
  expect_true(info$absorbs_intercept)
  expect_identical(info$aux_names, c("lo|mid", "mid|hi"))
  expect_false(probml:::family_info(lik_categorical())$accepts_offset)
  expect_false(probml:::family_info(lik_student_t())$has_expected)
  expect_true(probml:::family_info(lik_student_t(4))$has_expected)
  expect_identical(probml:::family_info(lik_huber())$label, "Huber (delta = 1.345)")
  expect_identical(probml:::family_info(lik_gaussian_hetero())$n_formula_parts, 2L)
  expect_identical(probml:::family_info(lik_quantile(0.3))$location_quantile, 0.3)
  expect_identical(probml:::family_info(lik_laplace())$location_quantile, 0.5)
  expect_true(is.na(probml:::family_info(lik_gaussian())$location_quantile))
  expect_identical(probml:::family_info(lik_quantile(0.3))$information, "expected")
  # lik_beta() takes a second part (the precision model) only when the formula has one.
  expect_identical(probml:::family_info(lik_beta())$n_formula_parts, 1L)
  expect_identical(probml:::family_info(lik_beta())$max_formula_parts, 2L)
  two <- probml:::with_formula_parts(lik_beta(), TRUE)
  expect_identical(probml:::family_info(two)$n_formula_parts, 2L)
  expect_identical(probml:::family_info(two)$n_aux, 0L)
  expect_identical(probml:::with_formula_parts(lik_gaussian(), TRUE), lik_gaussian())
})

test_that("family messages", {
  y <- c(0, 1, 1)
  expect_condition_snapshot({
    fit_mle(mpg ~ wt, mtcars, family = function() 1)
    fit_mle(mpg ~ wt, mtcars, family = 3)
    fit_mle(mpg ~ wt, mtcars, family = quasibinomial())
    fit_mle(mpg ~ wt, mtcars, family = "nope")
    lik_gaussian(-1)
    lik_laplace(1)
    lik_gaussian(sigma = 1, "log", 2)
    lik_bernoulli("identity")
    lik_huber(-1)
    family_nll(lik_bernoulli(), y, "a")
    family_nll(lik_bernoulli(), y, 1:2)
    family_nll(lik_bernoulli(), y, c(1, NA, 2))
    family_nll(lik_bernoulli(), y, c(1, Inf, 2))
    family_nll(lik_categorical(), factor(c("a", "b", "c")), matrix(0, 3, 4))
    family_nll(lik_gaussian(), 1:3, 1:3)
    family_nll(lik_ordinal(), factor(1:3, ordered = TRUE), 1:3, aux = c(1, 0))
    family_nll(lik_poisson(), c(1, -2, 3), 1:3)
    lik_quantile(0)
    lik_quantile(1)
    lik_quantile(NA)
    lik_quantile(NA_real_)
    lik_quantile("a")
    lik_quantile(c(0.1, 0.9))
    lik_ordinal("probitt")
  })
})

test_that("messages of the GLM families and links", {
  d <- data.frame(x = c(0.1, 0.5, 0.9, 0.3, 0.7, 0.2), y = c(1.2, 0.4, 2.5, -1, 0.8, 1.1), k = c(1, 3, 2, 0, 4, 1))
  expect_condition_snapshot({
    lik_gamma("sqrt")
    lik_inverse_gaussian("mu^2")
    lik_negbin(link = "inverse")
    lik_poisson("inverse")
    lik_gaussian(link = "sqrt")
    lik_bernoulli("probability")
    lik_negbin(theta = 0)
    lik_negbin(theta = -2)
    lik_negbin(theta = "a")
    lik_negbin(theta = Inf)
    fit_mle(y ~ x, data = d, family = Gamma())
    fit_mle(y ~ x, data = transform(d, y = abs(y) - 0.8), family = inverse.gaussian("log"))
    fit_mle(y ~ x, data = transform(d, y = c(-1, 3, 2, 0, 4, 1)), family = lik_negbin())
    fit_mle(y ~ x, data = transform(d, y = c(1, 3.5, 2, 0, 4, 1)), family = lik_negbin(2))
    fit_mle(y ~ x, data = d, family = binomial("identity"))
  })
})
