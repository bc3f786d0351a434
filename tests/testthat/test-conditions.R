# Classed conditions (R/conditions.R): the documented taxonomy, the core's
# typed exceptions, argument checks and `...` that is never ignored.

test_that("every class used is documented, and the help page lists them all", {
  rd <- tools::Rd_db("probml")[["probml_conditions.Rd"]]
  text <- paste(as.character(rd), collapse = "")
  for (kind in names(probml:::probml_error_kinds)) expect_match(text, paste0("probml_error_", kind), fixed = TRUE)
  for (kind in names(probml:::probml_warning_kinds)) expect_match(text, paste0("probml_warning_", kind), fixed = TRUE)
  expect_error(probml:::abort_probml("no_such_kind", "x"), "undocumented")
})

test_that("the core's exceptions arrive as distinct classes", {
  # DomainError: a scale with no estimate; the message says why.
  e <- expect_error(fit_mle(y ~ 1, data.frame(y = rep(1, 10)), family = lik_student_t()),
                    class = "probml_error_domain")
  expect_match(conditionMessage(e), "response is constant")
  # Any other failure inside C++ is reported as a bug, not as the user's fault.
  e <- expect_error(probml:::call_core(stop("boom")), class = "probml_error_internal")
  expect_match(conditionMessage(e), "bug")
  expect_s3_class(tryCatch(probml:::call_core(probml:::cpp_dist_check_params("gamma", c(-1, 1))),
                           error = identity), "probml_error_domain")
})

test_that("a misspelled argument is an error naming it, with the argument meant", {
  e <- expect_error(fit_mle(mpg ~ wt, data = mtcars, wieghts = cyl), class = "probml_error_unused_argument")
  expect_match(conditionMessage(e), "wieghts")
  expect_match(conditionMessage(e), "Did you mean `weights`")
  fit <- fit_mle(mpg ~ wt, data = mtcars)
  for (call in list(quote(fit_control(maxit = 50)),
                    quote(predict(fit, mtcars, intervl = "prediction")),
                    quote(calibrate(c(0, 1, 1, 0), c(0.2, 0.7, 0.6, 0.4), methd = "platt")),
                    quote(cal_curve(c(0, 1, 1, 0), c(0.2, 0.7, 0.6, 0.4), binz = 3)),
                    quote(fit_dist(c(1, 2, 3), "gaussian", strat = 1)),
                    quote(simulate_estimator("mean", "gaussian", c(0, 1), n = 5, sead = 10)),
                    quote(summary(fit, vcv = "HC0")),
                    quote(coef(fit, 1)))) {
    expect_error(eval(call), class = "probml_error_unused_argument", info = deparse(call))
  }
})

test_that("argument checks' messages", {
  expect_condition_snapshot({
    fit_control(max_iter = "a")
    fit_control(max_iter = NA)
    fit_control(tol = Inf)
    fit_control(max_iter = 1e10)
    fit_control(max_iter = 2.5)
    predict(fit_mle(mpg ~ wt, data = mtcars), type = "probability")
    predict(fit_mle(mpg ~ wt, data = mtcars), se.fit = "yes")
    fit_mle(mpg ~ wt, data = mtcars, wieghts = cyl)
    fit_mle(mpg ~ wt, mtcars, lik_gaussian(), NULL)
    fit_control(maxit = 50)
    probml:::call_core(stop("boom"))
    probml:::check_installed("surely.not.a.package", "This example")
  })
})
