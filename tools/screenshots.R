# Screenshots of every plot() and autoplot() method of the installed probml,
# on small shipped or simulated data, one PNG per method under
# tools/screenshots/ (named by the method). Run from the package root:
#   Rscript tools/screenshots.R [name ...]   (names: draw only those)
# To add a method, add a named closure to `shots`: it draws on the open
# device (base graphics) or returns a ggplot (which is printed). Variants of
# one method get a suffix (plot.probml_calibrator_beta).
suppressPackageStartupMessages(library(probml))
`%||%` <- function(a, b) if (is.null(a)) b else a
has_ggplot <- requireNamespace("ggplot2", quietly = TRUE)

out_dir <- file.path("tools", "screenshots")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# Shared data: an overconfident and a calibrated binary model, three classes.
set.seed(11)
z <- rnorm(3000)
y <- rbinom(3000, 1, plogis(z))
p_models <- list(overconfident = plogis(3 * z), calibrated = plogis(z))
curve_two <- cal_curve(y, p_models, bins = 10, consistency = TRUE, n_resamples = 300)
# Three classes: an overconfident model (logits tripled) and a milder one.
Z <- matrix(rnorm(3000 * 3), 3000, 3, dimnames = list(NULL, c("a", "b", "c")))
cls <- factor(apply(exp(Z), 1, function(e) sample(colnames(Z), 1, prob = e)), levels = colnames(Z))
softmax <- function(U) exp(U) / rowSums(exp(U))
P_over <- softmax(3 * Z)
P_mild <- softmax(1.5 * Z)
curve_classwise <- cal_curve(cls, P_over, bins = 10)
curve_top <- cal_curve(cls, P_over, bins = 10, type = "top-label")
curve_two_models <- cal_curve(cls, list(overconfident = P_over, milder = P_mild), bins = 10)
# A data frame of binary predictions from three sites.
frame <- data.frame(outcome = y, .pred = p_models$overconfident, site = rep(c("A", "B", "C"), 1000))
reg <- local({
  mu <- rnorm(1000)
  list(mu = mu, y = rnorm(1000, mu, 1))
})

shots <- list(
  plot.probml_cal_curve = function() plot(curve_two),
  autoplot.probml_cal_curve = function() ggplot2::autoplot(curve_two),
  plot.probml_calibrator = function() plot(calibrate(y, p_models$overconfident, method = "isotonic")),
  plot.probml_calibrator_beta = function() plot(calibrate(y, p_models$overconfident, method = "beta")),
  plot.probml_calibrator_temperature = function() plot(calibrate(y, 3 * z, method = "temperature")),
  plot.probml_cal_curve_classwise = function() plot(curve_classwise),
  autoplot.probml_cal_curve_classwise = function() ggplot2::autoplot(curve_classwise),
  plot.probml_cal_curve_top_label = function() plot(curve_top),
  autoplot.probml_cal_curve_top_label = function() ggplot2::autoplot(curve_top),
  plot.probml_cal_curve_two_models = function() plot(curve_two_models),
  autoplot.probml_cal_curve_two_models = function() ggplot2::autoplot(curve_two_models),
  plot.probml_cal_curve_grouped = function() plot(cal_curve(frame, outcome, .pred, .by = site)),
  autoplot.probml_cal_curve_grouped = function() ggplot2::autoplot(cal_curve(frame, outcome, .pred, .by = site)),
  plot.probml_calibrator_one_vs_rest = function() plot(calibrate(cls, P_over, method = "isotonic")),
  plot.probml_calibrator_temperature_multiclass = function() plot(calibrate(cls, 3 * Z, method = "temperature")),
  plot.probml_calibrator_vector = function() plot(calibrate(cls, 3 * Z, method = "vector")),
  plot.probml_calibrator_matrix = function() plot(calibrate(cls, 3 * Z, method = "matrix")),
  plot.probml_calibrator_dirichlet = function() plot(calibrate(cls, P_over, method = "dirichlet", lambda = 1e-3)),
  plot.probml_calibrator_dirichlet_8_classes = function() {
    set.seed(12)
    Z8 <- matrix(rnorm(3000 * 8), 3000, 8, dimnames = list(NULL, letters[1:8]))
    y8 <- factor(apply(exp(Z8), 1, function(e) sample(colnames(Z8), 1, prob = e)), levels = colnames(Z8))
    plot(calibrate(y8, softmax(3 * Z8), method = "dirichlet", lambda = 1e-3))
  },
  plot.probml_isotonic = function() {
    set.seed(3)
    x <- runif(200, 0, 10)
    plot(pava(x, sqrt(x) + rnorm(200, sd = 0.5)))
  },
  plot.probml_isotonic_bounded = function() {
    set.seed(3)
    x <- runif(200, 0, 10)
    plot(pava(x, -sqrt(x) + rnorm(200, sd = 0.5), increasing = FALSE, y_min = -2.5, y_max = -0.5), type = "step")
  },
  plot.probml_cv = function() plot(cv_map(mpg ~ ., data = mtcars, folds = 4, seed = 1)),
  plot.probml_path = function() plot(map_path(mpg ~ ., data = mtcars), label = TRUE),
  plot.probml_fit = function() {
    op <- par(mfrow = c(2, 2))
    on.exit(par(op))
    set.seed(1)
    plot(fit_mle(breaks ~ wool + tension, data = warpbreaks, family = lik_poisson()))
  },
  plot.probml_mlp = function() {
    plot(fit_mlp(dist ~ speed, data = cars, hidden = 8, epochs = 60, lr = 0.01, validation = 0.2, seed = 1))
  },
  plot.probml_pit = function() plot(pit_values(reg$y, reg$mu, 0.5)),
  plot.probml_regression_calibrator = function() plot(recalibrate_regression(reg$y, reg$mu, 0.5)),
  plot.probml_regression_calibrator_isotonic = function() {
    plot(recalibrate_regression(reg$y, reg$mu, 0.5, method = "isotonic"))
  },
  plot.probml_uncertainty = function() {
    set.seed(1)
    d <- data.frame(x = c(runif(30, 0, 3), runif(30, 7, 10)))
    d$y <- sin(d$x) + 0.1 * d$x + rnorm(60, sd = 0.3)
    fit <- fit_map(y ~ poly(x, 3), data = d, prior = prior_gaussian())
    ens <- bootstrap_ensemble(fit, B = 50, seed = 1)
    plot(predict(ens, data.frame(x = seq(0, 10, by = 0.25)), type = "uncertainty"))
  },
  plot.probml_uncertainty_classification = function() {
    set.seed(1)
    fit <- fit_mle(type ~ glu, data = MASS::Pima.tr, family = lik_bernoulli())
    ens <- bootstrap_ensemble(fit, B = 50, seed = 1)
    plot(predict(ens, data.frame(glu = seq(50, 200, by = 2)), type = "uncertainty"))
  },
  plot.probml_dist_fit = function() {
    set.seed(2)
    plot(fit_dist(rweibull(500, shape = 1.5, scale = 2), "weibull"))
  },
  plot.probml_dist_fit_discrete = function() {
    set.seed(2)
    plot(fit_dist(rpois(200, 2.5), "poisson"))
  },
  plot.probml_estimator_study = function() {
    plot(simulate_estimator("var_mle", "gaussian", c(mean = 0, sd = 1), n = c(5, 20, 100, 1000),
                            reps = 500, seed = 1))
  }
)

# Sizes other than the default 1280 x 800 px.
sizes <- list(plot.probml_fit = c(1280, 1000), plot.probml_estimator_study = c(1280, 640))

wanted <- commandArgs(trailingOnly = TRUE)
if (length(wanted)) shots <- shots[names(shots) %in% wanted]
for (name in names(shots)) {
  if (startsWith(name, "autoplot") && !has_ggplot) next
  size <- sizes[[name]] %||% c(1280, 800)
  file <- file.path(out_dir, paste0(name, ".png"))
  grDevices::png(file, width = size[1], height = size[2], res = 110)
  result <- tryCatch(withVisible(shots[[name]]()), finally = NULL)
  if (inherits(result$value, "ggplot")) print(result$value)
  grDevices::dev.off()
  cat("wrote", file, "\n")
}
