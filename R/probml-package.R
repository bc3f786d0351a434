#' probml: the probabilistic view of machine learning
#'
#' Every loss is a likelihood, every predicted probability can be checked
#' for calibration, and every estimator can be studied by simulation. probml
#' fits models by maximum likelihood on a header-only C++ core, with a
#' formula interface that behaves like [stats::glm()]'s.
#'
#' @section Start here:
#' * **Fit a model.** [fit_mle()] with one of ten likelihoods ([families]):
#'   [lik_gaussian()] (least squares), [lik_laplace()] (median regression),
#'   [lik_huber()], [lik_student_t()], [lik_bernoulli()] (logistic, probit,
#'   cloglog), [lik_categorical()] (softmax), [lik_poisson()], [lik_beta()],
#'   [lik_ordinal()] (cumulative link) and [lik_gaussian_hetero()] (a model
#'   for the variance too). Then [summary()][summary.probml_fit],
#'   [predict()][predict.probml_fit], [confint()][confint.probml_fit]
#'   (Wald or profile), [vcov()][vcov.probml_fit],
#'   [residuals()][residuals.probml_fit] and [anova()][anova.probml_fit].
#'   [fit_mle_xy()] takes a design matrix instead of a formula.
#' * **Evaluate a loss as a likelihood.** [family_nll()].
#' * **Check and fix calibration.** Scores: [brier_score()], [log_loss()],
#'   [ece()], [mce()], [brier_decomp()]; reliability diagrams:
#'   [cal_curve()] (binary, classwise or top-label); recalibration:
#'   [calibrate()] (Platt, isotonic, temperature, beta, histogram, and for
#'   several classes one-vs-rest, vector and matrix scaling and Dirichlet
#'   calibration) and [calibrate_cv()] (cross-fitted, for any model); each
#'   takes vectors or a data frame of predictions, grouped by `.by`;
#'   isotonic regression: [pava()]; regression: [recalibrate_regression()],
#'   [interval_coverage()], [pit_values()].
#' * **Information theory.** [entropy()], [cross_entropy()],
#'   [kl_divergence()], [kl_gaussian()], [smooth_labels()],
#'   [label_smoothing_loss()].
#' * **Estimation theory.** [fit_dist()] (eleven distributions),
#'   [fisher_information()], [cramer_rao_bound()] and
#'   [simulate_estimator()] (bias, variance, MSE and efficiency by Monte
#'   Carlo).
#'
#' The vignettes derive each idea with probml doing the work:
#' `vignette("likelihood", package = "probml")` (every loss is a
#' likelihood), `vignette("calibration", package = "probml")`,
#' `vignette("information-theory", package = "probml")` and
#' `vignette("estimation-theory", package = "probml")`; or
#' `browseVignettes("probml")`.
#'
#' @section Errors, threads and progress:
#' Bad input is refused with an error whose class says what was wrong (see
#' [probml_conditions]); a misspelled argument is an error too. The core
#' runs on `getOption("probml.threads", 2)` threads, and results do not
#' depend on the number. Long simulations show a progress bar in
#' interactive sessions unless `options(probml.progress = FALSE)`; every
#' long loop can be interrupted.
#'
#' @examples
#' # Least squares is the Gaussian likelihood
#' fit <- fit_mle(mpg ~ wt + hp, data = mtcars)
#' summary(fit)
#'
#' # Logistic regression is the Bernoulli likelihood; are its probabilities calibrated?
#' pima <- fit_mle(type ~ glu + bmi + age, data = MASS::Pima.tr, family = lik_bernoulli())
#' p <- predict(pima, newdata = MASS::Pima.te, type = "response")
#' brier_score(MASS::Pima.te$type, p)
#' ece(MASS::Pima.te$type, p, bins = 5)
#'
#' # The MLE of a variance is biased: a Monte Carlo study
#' simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 2), n = c(5, 50),
#'                    reps = 2000, seed = 1)
#' @aliases probml-package
#' @useDynLib probml, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom rlang .data
#' @importFrom stats AIC BIC as.formula coef confint delete.response fitted
#'   logLik model.frame model.matrix model.offset model.response model.weights
#'   na.omit nobs pchisq pnorm predict qchisq qnorm residuals sigma terms
#'   vcov uniroot .getXlevels napredict naresid na.pass anova cooks.distance
#'   deviance df.residual hatvalues influence rstandard rstudent weights
#' @importFrom graphics abline hist lines plot points
"_PACKAGE"
