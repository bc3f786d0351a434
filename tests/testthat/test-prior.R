test_that("prior constructors keep their settings", {
  p <- prior_elastic_net(scale = 0.3, mixing = 0.2, penalty_factor = c(a = 1, b = 0))
  expect_s3_class(p, "probml_prior")
  expect_identical(p$kind, "elastic_net")
  expect_identical(p$mixing, 0.2)
  expect_identical(p$penalty_factor, c(a = 1, b = 0))
  expect_identical(prior_gaussian(standardize = FALSE)$standardize, "none")
  expect_identical(prior_student_t()$standardize, "2sd")
  expect_identical(prior_student_t()$intercept$scale, 10)
  expect_null(prior_student_t()$scale) # bayesglm's 2.5 (or 4 for probit) when resolved
})

test_that("prior constructors refuse bad settings with classed errors", {
  for (s in list(0, -1, Inf, NA, c(1, -1))) expect_probml_error(prior_gaussian(scale = s), "probml_error")
  expect_probml_error(prior_laplace(scale = "a"), "probml_error_type")
  expect_probml_error(prior_elastic_net(mixing = 1.5), "probml_error_value")
  expect_probml_error(prior_elastic_net(mixing = -0.1), "probml_error_value")
  expect_probml_error(prior_student_t(df = 0), "probml_error_value")
  expect_probml_error(prior_student_t(penalty_factor = c(1, 2)), "probml_error_value")
  expect_probml_error(prior_gaussian(penalty_factor = -1), "probml_error_value")
  expect_probml_error(prior_gaussian(standardize = "3sd"), "probml_error_choice")
  expect_probml_error(prior_gaussian(intercept = prior_laplace()), "probml_error_unsupported")
  expect_probml_error(prior_gaussian(intercept = prior_gaussian(scale = c(1, 2))), "probml_error_length")
  expect_probml_error(prior_gaussian(intercept = 1), "probml_error_type")
})

test_that("the intercept prior on standardised predictors needs one linear predictor", {
  expect_probml_error(fit_map(Species ~ Sepal.Length, data = iris, family = lik_categorical(),
                              prior = prior_gaussian(intercept = prior_gaussian(5))), "probml_error_unsupported")
  fit <- fit_map(Species ~ Sepal.Length, data = iris, family = lik_categorical(),
                 prior = prior_gaussian(standardize = FALSE, intercept = prior_gaussian(5)))
  expect_true(all(is.finite(coef(fit))))
})

test_that("prior messages", {
  expect_snapshot({
    prior_flat()
    prior_gaussian(scale = 2)
    prior_laplace(scale = 0.05, standardize = FALSE)
    prior_elastic_net(scale = 0.1, mixing = 0.5, penalty_factor = c(1, 0, 2))
    prior_student_t()
  })
  expect_condition_snapshot({
    prior_gaussian(scale = -1)
    prior_gaussian(scale = "a")
    prior_gaussian(scale = c(1, NA))
    prior_elastic_net(mixing = 1.5)
    prior_student_t(penalty_factor = c(1, 2))
    prior_gaussian(standardize = "3sd")
    prior_gaussian(intercept = prior_laplace())
    prior_gaussian(intercept = prior_gaussian(scale = c(1, 2)))
    fit_map(Species ~ Sepal.Length, data = iris, family = lik_categorical(),
            prior = prior_gaussian(intercept = prior_gaussian(5)))
  })
})
