# Times probml's MAP machinery beside its peers in one R run, and checks
# that they reach the same optimum:
#
#   lasso logistic path  map_path_xy(x, y, lik_bernoulli())   vs glmnet(x, y, "binomial")
#   lasso Gaussian path  map_path_xy(x, y, lik_gaussian(1))   vs glmnet(x, y)
#   5-fold CV, logistic  cv_map_xy(x, y, lik_bernoulli())     vs cv.glmnet(x, y, "binomial")
#   empirical Bayes      fit_evidence_xy(x, y)                vs one lm.fit(x, y)
#
#   Rscript inst/benchmarks/bench-map.R           # n = 1e5, p = 200 (CV: n = 2e4)
#   Rscript inst/benchmarks/bench-map.R --quick   # n = 1e4 (smoke test)
#
# Uses the installed probml; set PROBML_LIB to time a copy installed
# elsewhere. Both sides use n_threads = 2 where they can (glmnet is
# single-threaded); glmnet runs with glmnet.control(fdev = 0), so that it
# fits all 100 strengths as probml does. probml runs at glmnet's own lambda
# sequence (the same lambda_max and spacing as its default), so the
# penalised objectives can be compared point by point: at every lambda the
# relative gap (probml - glmnet) / glmnet must be <= 1e-6 (negative: probml
# is lower). Times are medians of `reps` runs; the ratio is probml / peer
# (targets: <= 1 for the paths and CV, <= 2 for fit_evidence / lm.fit).

args <- commandArgs(trailingOnly = TRUE)
probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages({
  library(probml)
  library(glmnet)
})

quick <- "--quick" %in% args
unknown <- setdiff(args, "--quick")
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

n <- if (quick) 1e4 else 1e5
n_cv <- if (quick) 5e3 else 2e4
p <- 200L
reps <- if (quick) 1L else 3L
threads <- 2L
options(probml.threads = threads)
glmnet.control(fdev = 0)

median_time <- function(f) {
  times <- numeric(reps)
  for (r in seq_len(reps)) times[r] <- system.time(value <- f(), gcFirst = TRUE)[["elapsed"]]
  list(time = stats::median(times), value = value)
}

simulate <- function(n, family, seed = 20240611L) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p))))
  beta <- c(0.5 * rnorm(20), rep(0, p - 20))
  eta <- drop(x %*% beta)
  y <- if (family == "binomial") rbinom(n, 1, plogis(eta)) else eta + rnorm(n)
  list(x = x, y = y)
}

# glmnet's objective: mean nll + lambda * sum(sd_j |beta_j|) (population sds).
objective_gap <- function(B_ours, B_glmnet, x, y, lambda, family) {
  sx <- sqrt(colMeans(x^2) - colMeans(x)^2)
  obj <- function(b, l) {
    eta <- b[1] + drop(x %*% b[-1])
    nll <- if (family == "binomial") mean(log1p(exp(-abs(eta))) + pmax(eta, 0) - y * eta) else mean((y - eta)^2) / 2
    nll + l * sum(sx * abs(b[-1]))
  }
  gaps <- vapply(seq_along(lambda), function(k) {
    ours <- obj(B_ours[, k], lambda[k])
    theirs <- obj(B_glmnet[, k], lambda[k])
    (ours - theirs) / abs(theirs)
  }, 0)
  gaps
}

cat("probml MAP benchmark, ", format(Sys.time(), "%Y-%m-%d %H:%M %Z"), "\n", sep = "")
cat("  R:        ", R.version.string, "\n", sep = "")
cat("  probml:   ", format(utils::packageVersion("probml")), " (", dirname(find.package("probml")), ")\n", sep = "")
cat("  glmnet:   ", format(utils::packageVersion("glmnet")), " (single-threaded, fdev = 0)\n", sep = "")
cat("  threads:  probml n_threads = ", threads, "\n", sep = "")
cat("  BLAS:     ", extSoftVersion()[["BLAS"]], "\n\n", sep = "")

results <- list()
report <- function(label, ours, theirs, peer, target, extra = "") {
  ratio <- ours / theirs
  cat(sprintf("  %-28s probml %7.2f s   %-10s %7.2f s   ratio %.2f (target <= %g)%s\n",
              label, ours, peer, theirs, ratio, target, extra))
  results[[label]] <<- c(probml = ours, peer = theirs, ratio = ratio)
}

invisible(map_path_xy(matrix(rnorm(2000), 200), rnorm(200), family = lik_gaussian(sigma = 1)))  # warm-up

for (family in c("binomial", "gaussian")) {
  d <- simulate(n, family)
  tg <- median_time(function() glmnet(d$x, d$y, family = family))
  g <- tg$value
  lik <- if (family == "binomial") lik_bernoulli() else lik_gaussian(sigma = 1)
  tp <- median_time(function() map_path_xy(d$x, d$y, family = lik, lambda = g$lambda))
  gaps <- objective_gap(tp$value$coefficients, as.matrix(coef(g)), d$x, d$y, g$lambda, family)
  report(sprintf("lasso %s path, n = %g", if (family == "binomial") "logistic" else "Gaussian", n),
         tp$time, tg$time, "glmnet", 1,
         sprintf("\n%32s %d lambdas; objective gap vs glmnet: max %.1e, median %.1e (<= 1e-6: %s)", "",
                 length(g$lambda), max(gaps), stats::median(gaps), all(gaps <= 1e-6)))
}

d <- simulate(n_cv, "binomial")
folds <- rep_len(1:5, n_cv)[sample.int(n_cv)]
tg <- median_time(function() cv.glmnet(d$x, d$y, family = "binomial", foldid = folds))
tp <- median_time(function() cv_map_xy(d$x, d$y, family = lik_bernoulli(), folds = folds, lambda = tg$value$lambda))
report(sprintf("5-fold CV logistic, n = %g", n_cv), tp$time, tg$time, "cv.glmnet", 1,
       sprintf("\n%32s lambda_min: probml %.4g, glmnet %.4g", "", tp$value$lambda_min, tg$value$lambda.min))

set.seed(20240611L)
X <- cbind("(Intercept)" = 1, matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p)))))
y <- drop(X %*% c(1, rnorm(20), rep(0, p - 20))) + rnorm(n, sd = 2)
invisible(fit_evidence_xy(X[1:2000, ], y[1:2000]))
te <- median_time(function() fit_evidence_xy(X, y))
tl <- median_time(function() lm.fit(X, y))
report(sprintf("fit_evidence, n = %g", n), te$time, tl$time, "lm.fit", 2,
       sprintf("\n%32s tau = %.4g, sigma = %.4g, effective parameters %.1f", "", te$value$prior_scale, te$value$sigma,
               te$value$effective_parameters))
invisible(results)
