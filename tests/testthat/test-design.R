test_that("numeric columns are read in place and give exactly the model-matrix fit", {
  set.seed(9)
  n <- 3000
  d <- data.frame(a = rnorm(n), b = runif(n), k = sample(1:5, n, TRUE))
  d$y <- rbinom(n, 1, plogis(0.3 + d$a - d$b + 0.1 * d$k))
  tt <- terms(y ~ a + b + k + I(a^2))
  mf <- model.frame(tt, d)
  des <- probml:::frame_design(tt, mf)
  expect_s3_class(des, "probml_columns")
  expect_identical(probml:::design_colnames(des), c("(Intercept)", "a", "b", "k", "I(a^2)"))
  dense <- vapply(des$columns, function(v) if (is.null(v)) rep(1, des$n) else v, numeric(des$n))
  expect_equal(unname(dense), unname(model.matrix(tt, mf)), ignore_attr = TRUE)
  fit <- fit_mle(y ~ a + b + k + I(a^2), data = d, family = lik_bernoulli())
  fit_xy <- fit_mle_xy(model.matrix(tt, mf), d$y, family = lik_bernoulli())
  expect_identical(unname(coef(fit)), unname(coef(fit_xy)))
  expect_identical(unname(vcov(fit)), unname(vcov(fit_xy)))
  # Without an intercept, and with zero weights (read in place as well).
  fit0 <- fit_mle(y ~ 0 + a + b, data = d, family = lik_bernoulli())
  expect_equal(unname(coef(fit0)), unname(coef(glm(y ~ 0 + a + b, binomial, d))), tolerance = 1e-7)
  w <- rep(c(0, 1, 1), length.out = n)
  fitw <- fit_mle(y ~ a + b, data = d, family = lik_bernoulli(), weights = w)
  expect_equal(unname(coef(fitw)), unname(coef(glm(y ~ a + b, binomial, d, weights = w))), tolerance = 1e-7)
})

test_that("factors, interactions and matrix terms use the model matrix", {
  d <- data.frame(a = rnorm(20), f = factor(rep(c("u", "v"), 10)))
  for (f in list(~ a + f, ~ a:f, ~ poly(a, 2), ~ a * a + f)) {
    tt <- terms(f)
    mf <- model.frame(tt, d)
    expect_true(is.matrix(probml:::frame_design(tt, mf)), info = deparse(f))
  }
  tt <- terms(~ 1)
  expect_true(is.matrix(probml:::frame_design(tt, model.frame(tt, d))))
})

test_that("ordinal fits drop the intercept from a column design", {
  h <- MASS::housing
  h$x <- as.numeric(h$Infl)
  fit <- fit_mle(Sat ~ x, data = h, weights = Freq, family = lik_ordinal())
  ref <- MASS::polr(Sat ~ x, data = h, weights = Freq)
  expect_equal(unname(coef(fit)), unname(c(coef(ref), ref$zeta)), tolerance = 1e-5)
})
