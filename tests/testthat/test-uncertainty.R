# uncertainty_table(): the one aleatoric/epistemic decomposition.

regression_members <- function(n = 7, S = 9, dist = "normal", seed = 1) {
  set.seed(seed)
  M <- matrix(rnorm(n * S, sd = 2), n, S)
  V <- matrix(rexp(n * S, 1) + 0.05, n, S)
  if (dist == "poisson") {
    M <- exp(M / 2) + 0.5
    V <- M
  }
  if (dist == "beta") {
    M <- plogis(M)
    V <- M * (1 - M) / (1 + rexp(n * S, 0.1) + 1)
  }
  if (dist %in% c("gamma", "inverse_gaussian")) {
    M <- exp(M / 2)
    V <- V * M^2
  }
  if (dist == "negbin") {
    M <- exp(M / 2) + 0.5
    V <- M + M^2 / rexp(n * S, 0.5)
  }
  list(kind = "regression", mean = M, variance = V, distribution = dist)
}

test_that("regression: total variance is aleatoric plus epistemic, and the mixture's variance", {
  mem <- regression_members()
  u <- probml:::uncertainty_table(mem, level = 0.9, method = "test")
  expect_s3_class(u, c("probml_uncertainty", "data.frame"))
  expect_named(u, c("mean", "sd_total", "sd_aleatoric", "sd_epistemic", "lower", "upper"))
  expect_equal(u$sd_total^2, u$sd_aleatoric^2 + u$sd_epistemic^2, tolerance = 1e-10)
  M <- mem$mean
  V <- mem$variance
  S <- ncol(M)
  # The mixture directly: E[X^2] - E[X]^2 with E[X^2] = mean(v + m^2).
  mix_mean <- rowMeans(M)
  mix_var <- rowMeans(V + M^2) - mix_mean^2
  expect_equal(u$mean, mix_mean, tolerance = 1e-12)
  expect_equal(u$sd_total^2, mix_var, tolerance = 1e-10)
  expect_equal(u$sd_aleatoric^2, rowMeans(V), tolerance = 1e-12)
  # population variance of the member means (divides by S, not S - 1)
  expect_equal(u$sd_epistemic^2, apply(M, 1, var) * (S - 1) / S, tolerance = 1e-10)
  expect_equal(attr(u, "level"), 0.9)
  expect_equal(attr(u, "method"), "test")
  expect_equal(attr(u, "members"), S)
})

test_that("normal mixture quantiles solve the mixture cdf", {
  mem <- regression_members(n = 25, S = 13)
  for (level in c(0.5, 0.9, 0.95, 0.999)) {
    u <- probml:::uncertainty_table(mem, level = level)
    F <- function(q) rowMeans(pnorm(q, mem$mean, sqrt(mem$variance)))
    expect_equal(F(u$lower), rep((1 - level) / 2, 25), tolerance = 1e-8)
    expect_equal(F(u$upper), rep((1 + level) / 2, 25), tolerance = 1e-8)
    expect_lt(max(abs(F(u$lower) - (1 - level) / 2)), 1e-8)
  }
  # Members that agree: the mixture is one normal.
  one <- list(kind = "regression", mean = matrix(3, 2, 4), variance = matrix(4, 2, 4), distribution = "normal")
  u <- probml:::uncertainty_table(one)
  expect_equal(u$lower, rep(qnorm(0.025, 3, 2), 2), tolerance = 1e-12)
  expect_equal(u$upper, rep(qnorm(0.975, 3, 2), 2), tolerance = 1e-12)
  expect_equal(u$sd_epistemic, c(0, 0))
})

test_that("other continuous mixtures (Laplace, beta) are solved too", {
  lap <- regression_members(n = 6, S = 5, dist = "laplace")
  u <- probml:::uncertainty_table(lap, level = 0.8)
  cdf <- probml:::predictive_distributions$laplace$cdf
  expect_equal(rowMeans(cdf(u$lower, lap$mean, lap$variance)), rep(0.1, 6), tolerance = 1e-8)
  expect_equal(rowMeans(cdf(u$upper, lap$mean, lap$variance)), rep(0.9, 6), tolerance = 1e-8)
  # the Laplace cdf of the table against a direct integral of its density
  dens <- probml:::predictive_distributions$laplace$density
  expect_equal(integrate(function(q) dens(q, 1, 2), -Inf, 0.3)$value, cdf(0.3, 1, 2), tolerance = 1e-8)
  bet <- regression_members(n = 6, S = 5, dist = "beta")
  u <- probml:::uncertainty_table(bet)
  phi <- bet$mean * (1 - bet$mean) / bet$variance - 1
  Fb <- function(q) rowMeans(pbeta(q, bet$mean * phi, (1 - bet$mean) * phi))
  expect_equal(Fb(u$lower), rep(0.025, 6), tolerance = 1e-8)
  expect_equal(Fb(u$upper), rep(0.975, 6), tolerance = 1e-8)
})

test_that("the asymmetric Laplace entry: given by mean, variance and the family's tau as its shape", {
  d <- probml:::predictive_distributions$asymmetric_laplace
  for (tau in c(0.1, 0.5, 0.8)) {
    # The family's own moments and density at a location and scale.
    spec <- probml:::family_spec(lik_quantile(tau))
    mu <- c(-1, 0.5)
    log_s <- log(0.7)
    mom <- probml:::cpp_family_moments(spec, cbind(mu), log_s)
    m <- drop(mom$mean)
    v <- drop(mom$variance)
    q <- c(-2.1, 1.3)
    dens_family <- exp(-family_nll(lik_quantile(tau), q, mu, aux = log_s, reduce = "none"))
    expect_equal(d$density(q, m, v, shape = tau), dens_family, tolerance = 1e-12)
    # Its location is the tau-quantile; the cdf integrates the density and
    # inverts the quantile function.
    expect_equal(d$quantile(tau, m, v, shape = tau), mu, tolerance = 1e-12)
    expect_equal(d$cdf(mu, m, v, shape = tau), rep(tau, 2), tolerance = 1e-12)
    for (p in c(0.01, 0.3, 0.95)) expect_equal(d$cdf(d$quantile(p, m, v, shape = tau), m, v, shape = tau), rep(p, 2),
                                               tolerance = 1e-12)
    expect_equal(integrate(function(x) d$density(x, m[1], v[1], shape = tau), -Inf, q[1], rel.tol = 1e-12)$value,
                 d$cdf(q[1], m[1], v[1], shape = tau), tolerance = 1e-8)
  }
  # tau = 1/2 is the Laplace entry; the core gives tau as the shape, and
  # an ensemble member (mean and variance alone) has no interval.
  lap <- probml:::predictive_distributions$laplace
  expect_equal(d$cdf(c(-1, 0.2, 3), 0.5, 2, shape = 0.5), lap$cdf(c(-1, 0.2, 3), 0.5, 2), tolerance = 1e-14)
  spec <- probml:::family_spec(lik_quantile(0.3))
  expect_identical(probml:::cpp_family_moments(spec, cbind(0), 0)$shape, 0.3)
  expect_false(d$moments)
})

test_that("the Gamma, inverse Gaussian and negative binomial entries: cdf, density, quantile, sampler", {
  d <- probml:::predictive_distributions
  set.seed(12)
  # each entry's moments are the ones it is given
  for (dist in c("gamma", "inverse_gaussian", "negbin")) {
    x <- d[[dist]]$random(2e5, 2.5, 3)
    expect_equal(mean(x), 2.5, tolerance = 0.01, info = dist)
    expect_equal(var(x), 3, tolerance = 0.03, info = dist)
    expect_equal(mean(x <= 1.7), d[[dist]]$cdf(1.7, 2.5, 3), tolerance = 0.01, info = dist)
  }
  expect_true(all(d$negbin$random(100, 2, 6) %% 1 == 0))
  expect_true(all(d$inverse_gaussian$random(1000, c(0.1, 30), c(0.5, 1e4)) > 0))
  # the inverse Gaussian cdf against the integral of its density, and its quantile inverting the cdf
  dens <- d$inverse_gaussian$density
  for (q in c(0.05, 0.7, 2, 9)) {
    expect_equal(integrate(function(y) dens(y, 1.4, 2.2), 0, q, rel.tol = 1e-12)$value,
                 d$inverse_gaussian$cdf(q, 1.4, 2.2), tolerance = 1e-9)
  }
  M <- matrix(c(0.5, 1, 3, 8), 2)
  V <- matrix(c(0.1, 4, 2, 50), 2)
  for (p in c(1e-6, 0.025, 0.5, 0.975)) {
    Q <- d$inverse_gaussian$quantile(p, M, V)
    expect_identical(dim(Q), dim(M))
    expect_equal(d$inverse_gaussian$cdf(Q, M, V), matrix(p, 2, 2), tolerance = 1e-10)
  }
  expect_equal(d$inverse_gaussian$cdf(c(-1, 0), 1, 1), c(0, 0))
  # the gamma and negative binomial entries are R's, by mean and variance
  expect_equal(d$gamma$cdf(1.3, 2, 0.5), pgamma(1.3, shape = 8, rate = 4))
  expect_equal(d$negbin$cdf(3, 2, 6), pnbinom(3, size = 1, mu = 2))
  expect_equal(d$negbin$quantile(0.9, 2, 6), qnbinom(0.9, size = 1, mu = 2))
  expect_equal(d$negbin$cdf(3, 2, 2), ppois(3, 2))  # no overdispersion: the Poisson
  # mixtures of each are solved like the others
  for (dist in c("gamma", "inverse_gaussian")) {
    mem <- regression_members(n = 6, S = 5, dist = dist)
    u <- probml:::uncertainty_table(mem, level = 0.8)
    F <- function(q) rowMeans(d[[dist]]$cdf(q, mem$mean, mem$variance))
    expect_equal(F(u$lower), rep(0.1, 6), tolerance = 1e-8, info = dist)
    expect_equal(F(u$upper), rep(0.9, 6), tolerance = 1e-8, info = dist)
  }
  mem <- regression_members(n = 20, S = 6, dist = "negbin")
  u <- probml:::uncertainty_table(mem, level = 0.9)
  F <- function(q) rowMeans(d$negbin$cdf(q, mem$mean, mem$variance))
  expect_true(all(u$lower == round(u$lower)))
  expect_true(all(F(u$lower) >= 0.05 - 1e-12) && all(F(u$lower - 1) < 0.05))
  expect_true(all(F(u$upper) >= 0.95 - 1e-12) && all(F(u$upper - 1) < 0.95))
})

test_that("Poisson mixture quantiles are the smallest counts reaching the level", {
  mem <- regression_members(n = 30, S = 8, dist = "poisson")
  u <- probml:::uncertainty_table(mem, level = 0.9)
  F <- function(q) rowMeans(ppois(q, mem$mean))
  expect_true(all(u$lower == round(u$lower)))
  expect_true(all(F(u$lower) >= 0.05 - 1e-12))
  expect_true(all(F(u$lower - 1) < 0.05))
  expect_true(all(F(u$upper) >= 0.95 - 1e-12))
  expect_true(all(F(u$upper - 1) < 0.95))
})

test_that("rows with missing predictions stay missing; no distribution gives no interval", {
  mem <- regression_members(n = 4, S = 3)
  mem$mean[2, 1] <- NA
  u <- probml:::uncertainty_table(mem)
  expect_true(is.na(u$mean[2]) && is.na(u$lower[2]) && is.na(u$upper[2]))
  expect_false(anyNA(u$lower[-2]))
  mem$distribution <- NA_character_
  u <- probml:::uncertainty_table(mem)
  expect_true(all(is.na(u$lower)) && all(is.na(u$upper)))
  # Huber's and Student t's distributions need a shape and a scale, which a
  # member's mean and variance do not give: no ensemble interval
  expect_equal(probml:::family_info(lik_huber())$predictive_distribution, "huber")
  expect_identical(probml:::member_distribution("huber"), NA_character_)
  expect_identical(probml:::member_distribution("student_t"), NA_character_)
  expect_identical(probml:::member_distribution(""), NA_character_)
  expect_identical(probml:::member_distribution("poisson"), "poisson")
  expect_equal(probml:::family_info(lik_gaussian_hetero())$predictive_distribution, "normal")
  # every distribution a family declares in the core is in R's table
  fams <- list(lik_gaussian(), lik_laplace(), lik_huber(), lik_student_t(), lik_bernoulli(), lik_categorical(),
               lik_poisson(), lik_beta(), lik_ordinal(), lik_gaussian_hetero(), lik_quantile(0.2), lik_gamma(),
               lik_inverse_gaussian(), lik_negbin())
  declared <- vapply(fams, function(f) probml:::family_info(f, c("a", "b", "c"))$predictive_distribution, "")
  expect_true(all(declared[nzchar(declared)] %in% names(probml:::predictive_distributions)))
  expect_setequal(declared[nzchar(declared)], names(probml:::predictive_distributions))
})

classification_members <- function(n = 10, K = 3, S = 6, seed = 2) {
  set.seed(seed)
  P <- array(rexp(n * K * S), c(n, K, S))
  for (s in seq_len(S)) P[, , s] <- P[, , s] / rowSums(P[, , s])
  P[1, , ] <- c(1, 0, 0)  # a certain row: zero entropy, 0 log 0 = 0
  dimnames(P) <- list(NULL, c("a", "b", "c"), NULL)
  list(kind = "classification", prob = P)
}

test_that("classification: total entropy is aleatoric entropy plus mutual information", {
  mem <- classification_members()
  u <- probml:::uncertainty_table(mem)
  expect_named(u, c("prob_a", "prob_b", "prob_c", "entropy_total", "entropy_aleatoric", "mutual_information"))
  P <- mem$prob
  H <- function(p) -sum(ifelse(p > 0, p * log(p), 0))
  for (i in seq_len(nrow(u))) {
    pbar <- unname(rowMeans(P[i, , ]))
    expect_equal(unname(unlist(u[i, 1:3])), pbar, tolerance = 1e-12)
    expect_equal(u$entropy_total[i], H(pbar), tolerance = 1e-12)
    expect_equal(u$entropy_aleatoric[i], mean(apply(P[i, , ], 2, H)), tolerance = 1e-12)
    # MI directly: the mean KL divergence of the members from the mixture
    kl <- mean(apply(P[i, , ], 2, function(p) sum(ifelse(p > 0, p * log(p / pbar), 0))))
    expect_equal(u$mutual_information[i], kl, tolerance = 1e-10)
  }
  expect_equal(u$entropy_total, u$entropy_aleatoric + u$mutual_information, tolerance = 1e-10)
  expect_true(all(u$mutual_information >= 0))
  expect_equal(u$entropy_total[1], 0)
  # members that agree carry no epistemic uncertainty
  same <- mem
  same$prob[] <- rep(same$prob[, , 1], 6)
  expect_equal(probml:::uncertainty_table(same)$mutual_information, rep(0, 10), tolerance = 1e-12)
  # entropy() agrees
  expect_equal(u$entropy_total, unname(entropy(as.matrix(u[1:3]))), tolerance = 1e-12)
})

test_that("print shows the method, members and level", {
  u <- probml:::uncertainty_table(regression_members(n = 8, S = 4), method = "a test ensemble")
  expect_snapshot(print(u, n = 3))
  v <- probml:::uncertainty_table(classification_members(n = 2, S = 2), level = 0.9, method = "a test ensemble")
  expect_snapshot(v)
  expect_snapshot(error = TRUE, probml:::uncertainty_table(regression_members(), level = 1))
  expect_snapshot(error = TRUE, print(u, digits = 3))
})

test_that("plot draws over one input, and says which input it needs", {
  mem <- regression_members(n = 8, S = 4)
  nd <- data.frame(x = seq(0, 1, length.out = 8), g = letters[1:8])
  u <- probml:::uncertainty_table(mem, newdata = nd)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(u))
  expect_invisible(plot(u, band = "interval", main = "intervals"))
  expect_invisible(plot(u, along = 8:1))
  cl <- probml:::uncertainty_table(classification_members(n = 8), newdata = nd)
  expect_invisible(plot(cl))
  expect_invisible(plot(cl, what = "entropy"))
  nd2 <- data.frame(x = 1:8, z = 8:1)
  u2 <- probml:::uncertainty_table(mem, newdata = nd2)
  expect_invisible(plot(u2, along = "z"))
  expect_snapshot(error = TRUE, plot(u2))
  expect_snapshot(error = TRUE, plot(u2, along = "w"))
  expect_snapshot(error = TRUE, plot(u2, along = 1:3))
  expect_snapshot(error = TRUE, plot(u2, along = TRUE))
  expect_snapshot(error = TRUE, plot(u2, along = "z", band = "box"))
})
