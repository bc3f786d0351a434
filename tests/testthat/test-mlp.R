# fit_mlp(), deep_ensemble() and predict(): agreement with lm/glm where the
# network is linear, weight decay as a Gaussian prior, invariance to the
# units of the data, reproducibility, the uncertainty decomposition,
# interrupts and bad input.

sim_regression <- function(n = 200, seed = 1) {
  set.seed(seed)
  d <- data.frame(x1 = rnorm(n), x2 = runif(n, 0, 5), g = factor(sample(c("a", "b", "c"), n, TRUE)))
  d$y <- 1 + 2 * d$x1 - 0.7 * d$x2 + c(a = 0, b = 0.5, c = -1)[as.character(d$g)] + rnorm(n)
  d$b <- rbinom(n, 1, plogis(0.3 + d$x1 - 0.4 * d$x2))
  d$k <- rpois(n, exp(0.2 + 0.3 * d$x1))
  d
}

test_that("a linear network with a Gaussian head is least squares (1e-4)", {
  d <- sim_regression()
  fit <- fit_mlp(y ~ x1 + x2 + g, data = d, hidden = 0, optimizer = "sgd", lr = 0.5, batch_size = NULL,
                 epochs = 2000, seed = 1)
  ref <- lm(y ~ x1 + x2 + g, data = d)
  expect_equal(coef(fit), coef(ref), tolerance = 1e-4)
  # sigma is the ML value given the network: sqrt(RSS / n)
  expect_equal(fit$sigma, sqrt(mean(residuals(ref)^2)), tolerance = 1e-6)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-6)
  expect_equal(predict(fit, d[1:5, ]), predict(ref, d[1:5, ]), tolerance = 1e-4, ignore_attr = TRUE)
})

test_that("a linear network with a Bernoulli head is logistic regression (1e-3)", {
  d <- sim_regression()
  fit <- fit_mlp(b ~ x1 + x2, data = d, family = lik_bernoulli(), hidden = 0, optimizer = "sgd", lr = 1,
                 batch_size = NULL, epochs = 3000, seed = 1)
  ref <- glm(b ~ x1 + x2, family = binomial, data = d)
  expect_equal(coef(fit), coef(ref), tolerance = 1e-3)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-6)
  expect_equal(unname(predict(fit, d, type = "prob")), unname(fitted(ref)), tolerance = 1e-4)
  expect_equal(predict(fit, d, type = "class"), factor(as.integer(fitted(ref) > 0.5), levels = c("0", "1")))
})

test_that("linear Poisson and categorical heads match glm and multinom", {
  d <- sim_regression()
  fit <- fit_mlp(k ~ x1, data = d, family = lik_poisson(), hidden = 0, optimizer = "sgd", lr = 0.3,
                 batch_size = NULL, epochs = 2000, seed = 1)
  expect_equal(coef(fit), coef(glm(k ~ x1, family = poisson, data = d)), tolerance = 1e-4)
  skip_if_not_installed("nnet")
  cat_fit <- fit_mlp(g ~ x1 + x2, data = d, family = lik_categorical(), hidden = 0, optimizer = "sgd", lr = 1,
                     batch_size = NULL, epochs = 3000, seed = 1)
  ref <- nnet::multinom(g ~ x1 + x2, data = d, trace = FALSE, reltol = 1e-14, maxit = 1000)
  expect_equal(unname(coef(cat_fit)), unname(c(t(coef(ref)))), tolerance = 1e-3)
  p <- predict(cat_fit, d, type = "prob")
  expect_equal(colnames(p), c("a", "b", "c"))
  expect_equal(rowSums(p), rep(1, nrow(d)), tolerance = 1e-12)
})

test_that("weight decay is a Gaussian prior: a linear network reaches the ridge estimate", {
  d <- sim_regression()
  wd <- 0.3
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = 0, optimizer = "sgd", lr = 0.5, batch_size = NULL,
                 epochs = 3000, weight_decay = wd, seed = 1)
  # On the standardised scale: (X'X / n + wd I) w = X'y / n (columns and y centred).
  Xs <- scale(d[, c("x1", "x2")])
  ys <- (d$y - mean(d$y)) / sd(d$y)
  w <- solve(crossprod(Xs) / nrow(d) + wd * diag(2), crossprod(Xs, ys) / nrow(d))
  slopes <- drop(w) * sd(d$y) / attr(Xs, "scaled:scale")
  expect_equal(unname(coef(fit)[-1]), unname(slopes), tolerance = 1e-6)
})

test_that("predictions follow the units of the response and the inputs exactly", {
  d <- sim_regression(100)
  args <- list(hidden = c(8, 8), epochs = 20, lr = 0.01, seed = 3)
  fit <- do.call(fit_mlp, c(list(y ~ x1 + x2, data = d), args))
  d2 <- transform(d, y = 1000 * y - 5, x2 = 0.01 * x2 + 3)
  fit2 <- do.call(fit_mlp, c(list(y ~ x1 + x2, data = d2), args))
  expect_equal(predict(fit2, d2), 1000 * predict(fit, d) - 5, tolerance = 1e-10)
  expect_equal(fit2$sigma, 1000 * fit$sigma, tolerance = 1e-10)
})

test_that("the same seed gives the same network, set.seed() governs a NULL seed, threads do not matter", {
  d <- sim_regression(150)
  a <- fit_mlp(y ~ x1 + x2, data = d, hidden = 16, dropout = 0.1, epochs = 5, seed = 11)
  b <- fit_mlp(y ~ x1 + x2, data = d, hidden = 16, dropout = 0.1, epochs = 5, seed = 11, n_threads = 1)
  expect_identical(a$members, b$members)
  set.seed(5); c1 <- fit_mlp(y ~ x1 + x2, data = d, hidden = 16, epochs = 5)
  set.seed(5); c2 <- fit_mlp(y ~ x1 + x2, data = d, hidden = 16, epochs = 5)
  expect_identical(c1$members, c2$members)
  expect_false(identical(a$members, c1$members))
  e1 <- deep_ensemble(y ~ x1 + x2, data = d, members = 3, hidden = 8, epochs = 5, seed = 2, n_threads = 1)
  e2 <- deep_ensemble(y ~ x1 + x2, data = d, members = 3, hidden = 8, epochs = 5, seed = 2, n_threads = 2)
  expect_identical(e1$members, e2$members)
  expect_false(identical(e1$members[[1]], e1$members[[2]]))
  # member 1 of an ensemble is the network fit_mlp() trains from the same seed
  single <- fit_mlp(y ~ x1 + x2, data = d, hidden = 8, epochs = 5, seed = 2)
  expect_identical(single$members[[1]], e1$members[[1]])
})

test_that("members run through future.apply under a parallel plan, with the same result", {
  skip_on_cran()
  skip_if_not_installed("future.apply")
  d <- sim_regression(120)
  threads <- deep_ensemble(y ~ x1 + x2, data = d, members = 2, hidden = 8, epochs = 5, seed = 9)
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  futures <- deep_ensemble(y ~ x1 + x2, data = d, members = 2, hidden = 8, epochs = 5, seed = 9)
  expect_identical(futures$members, threads$members)
})

test_that("deep_ensemble() takes weights and subset as columns of data, like fit_mlp()", {
  d <- sim_regression(100)
  d$w <- rep(c(1, 2), 50)
  ens <- deep_ensemble(y ~ x1, data = d, members = 2, weights = w, subset = x2 > 1, hidden = 4, epochs = 3, seed = 1)
  single <- fit_mlp(y ~ x1, data = d, weights = w, subset = x2 > 1, hidden = 4, epochs = 3, seed = 1)
  expect_identical(ens$members[[1]], single$members[[1]])
  expect_identical(ens$prior_weights, d$w[d$x2 > 1])
})

test_that("early stopping keeps the epoch with the lowest validation loss", {
  d <- sim_regression(200)
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = c(32, 32), epochs = 400, lr = 0.05, validation = 0.3,
                 control = mlp_control(patience = 5), seed = 4)
  h <- fit$history[[1]]
  expect_true(h$stopped_early)
  expect_lt(h$epochs_run, 400)
  expect_equal(h$best_epoch, which.min(h$valid))
  expect_equal(h$epochs_run - h$best_epoch, 5L)
})

test_that("logLik of a deep ensemble is that of the members' mixture", {
  d <- sim_regression(80)
  ens <- deep_ensemble(y ~ x1 + x2, data = d, members = 3, family = lik_gaussian_hetero(), hidden = 8,
                       epochs = 10, lr = 0.01, seed = 1)
  core <- probml:::mlp_core_predict(ens, ens$design, dropout = FALSE)
  mu <- core$outputs[, 1, ]
  sdv <- sqrt(exp(core$outputs[, 2, ]))
  dens <- sapply(1:3, function(k) dnorm(d$y, mu[, k], sdv[, k]))
  expect_equal(as.numeric(logLik(ens)), sum(log(rowMeans(dens))), tolerance = 1e-10)
  expect_equal(attr(logLik(ens), "df"), 3 * (2 * 8 + 8 + 8 * 2 + 2))
})

test_that("the uncertainty of a deep ensemble decomposes exactly (regression and classes)", {
  d <- sim_regression(150)
  ens <- deep_ensemble(y ~ x1 + x2, data = d, members = 4, family = lik_gaussian_hetero(), hidden = 8,
                       epochs = 20, lr = 0.01, seed = 1)
  u <- predict(ens, d, type = "uncertainty")
  core <- probml:::mlp_core_predict(ens, ens$design, dropout = FALSE)
  M <- core$mean[, 1, ]
  V <- core$variance
  expect_equal(u$mean, rowMeans(M), tolerance = 1e-12)
  expect_equal(u$sd_aleatoric^2, rowMeans(V), tolerance = 1e-10)
  expect_equal(u$sd_epistemic^2, rowMeans((M - rowMeans(M))^2), tolerance = 1e-10)
  expect_equal(u$sd_total^2, u$sd_aleatoric^2 + u$sd_epistemic^2, tolerance = 1e-10)
  expect_equal(predict(ens, d), u$mean, tolerance = 1e-12)

  cls <- deep_ensemble(g ~ x1 + x2, data = d, members = 3, family = lik_categorical(), hidden = 8,
                       epochs = 10, lr = 0.01, seed = 1)
  uc <- predict(cls, d, type = "uncertainty")
  P <- predict(cls, d, type = "members")
  pbar <- apply(P, c(1, 2), mean)
  H <- function(p) -rowSums(ifelse(p > 0, p * log(p), 0))
  expect_equal(uc$entropy_total, H(pbar), tolerance = 1e-10)
  expect_equal(uc$entropy_aleatoric, rowMeans(sapply(1:3, function(k) H(P[, , k]))), tolerance = 1e-10)
  expect_equal(uc$mutual_information, uc$entropy_total - uc$entropy_aleatoric, tolerance = 1e-10)
  expect_true(all(uc$mutual_information >= -1e-12))
  expect_equal(unname(as.matrix(uc[, c("prob_a", "prob_b", "prob_c")])), unname(pbar), tolerance = 1e-12)
})

test_that("MC dropout: seeded, reproducible, spread from dropout alone", {
  d <- sim_regression(100)
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = c(16, 16), dropout = 0.2, epochs = 20, lr = 0.01, seed = 1)
  u1 <- predict(fit, d[1:10, ], type = "uncertainty", samples = 30, seed = 4)
  u2 <- predict(fit, d[1:10, ], type = "uncertainty", samples = 30, seed = 4)
  u3 <- predict(fit, d[1:10, ], type = "uncertainty", samples = 30, seed = 5)
  expect_identical(u1, u2)
  expect_false(identical(u1$mean, u3$mean))
  expect_true(all(u1$sd_epistemic > 0))
  # a Gaussian head with one sigma: the aleatoric part is that sigma
  expect_equal(u1$sd_aleatoric, rep(fit$sigma, 10), tolerance = 1e-12)
  draws <- predict(fit, d[1:10, ], type = "members", samples = 30, seed = 4)
  expect_equal(dim(draws), c(10L, 30L))
  expect_equal(rowMeans(draws), u1$mean, tolerance = 1e-12)
  # dropout off: the deterministic network
  expect_false(isTRUE(all.equal(predict(fit, d[1:10, ]), u1$mean)))
})

test_that("predictions keep rows with missing inputs as NA, and the training rows by default", {
  d <- sim_regression(60)
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = 4, epochs = 3, seed = 1)
  nd <- d[1:4, ]
  nd$x1[2] <- NA
  p <- predict(fit, nd)
  expect_true(is.na(p[2]))
  expect_equal(p[-2], predict(fit, d[c(1, 3, 4), ]), ignore_attr = TRUE)
  expect_equal(predict(fit), predict(fit, d), ignore_attr = TRUE)
  xy <- fit_mlp_xy(as.matrix(d[, c("x1", "x2")]), d$y, hidden = 4, epochs = 3, seed = 1)
  expect_equal(predict(xy, as.matrix(d[1:3, c("x1", "x2")])), predict(fit, d[1:3, ]), ignore_attr = TRUE)
})

test_that("print and plot of networks", {
  d <- sim_regression(60)
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = c(4, 3), dropout = 0.1, epochs = 4, validation = 0.25, seed = 1)
  expect_snapshot(print(fit))
  ens <- deep_ensemble(b ~ x1, data = d, members = 2, family = lik_bernoulli(), hidden = 3, epochs = 2, seed = 1)
  expect_snapshot(print(ens))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(fit), fit)
})

test_that("an interrupt stops a deep ensemble within a second, leaving no threads", {
  skip_on_cran()
  skip_on_os("windows")
  lib <- dirname(system.file(package = "probml"))
  stamp <- tempfile()
  script <- tempfile(fileext = ".R")
  writeLines(c(
    sprintf(".libPaths(c(%s, .libPaths())); library(probml)", deparse(lib)),
    "set.seed(1); n <- 5000; x <- matrix(rnorm(n * 8), n); y <- rnorm(n)",
    "threads <- function() length(list.files('/proc/self/task'))",
    "before <- threads()",
    # the whole sequence in the background: system() ignores SIGINT while it waits
    sprintf("system(sprintf('(sleep 2; date +%%%%s.%%%%N > %s; kill -INT %%d)', Sys.getpid()), wait = FALSE)", stamp),
    "res <- tryCatch(deep_ensemble_xy(x, y, members = 4, hidden = c(64, 64), epochs = 100000, batch_size = NULL),",
    "  interrupt = function(e) 'interrupted')",
    sprintf("sent <- as.numeric(readLines(%s))", deparse(stamp)),
    "cat(res, as.numeric(Sys.time()) - sent, threads() - before, '\\n')"
  ), script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script), stdout = TRUE, stderr = TRUE,
                                  timeout = 60))
  res <- strsplit(trimws(tail(out, 1)), " +")[[1]]
  expect_identical(res[1], "interrupted")
  expect_lt(as.numeric(res[2]), 1)
  expect_identical(as.numeric(res[3]), 0)
})

test_that("bad input gives classed errors that name the argument", {
  d <- sim_regression(40)
  expect_snapshot(error = TRUE, {
    fit_mlp(y ~ x1, data = d, hidden = c(8, 0))
    fit_mlp(y ~ x1, data = d, hidden = -2)
    fit_mlp(y ~ x1, data = d, hidden = "a")
    fit_mlp(y ~ x1, data = d, dropout = 1)
    fit_mlp(y ~ x1, data = d, dropout = -0.1)
    fit_mlp(y ~ x1, data = d, hidden = 0, dropout = 0.2)
    fit_mlp(y ~ x1, data = d, epochs = 0)
    fit_mlp(y ~ x1, data = d, lr = 0)
    fit_mlp(y ~ x1, data = d, validation = 1)
    fit_mlp(y ~ x1, data = d, optimizer = "rmsprop")
    fit_mlp(y ~ x1, data = d, activation = "gelu")
    fit_mlp(y ~ x1, data = d, family = lik_laplace())
    fit_mlp(y ~ x1, data = d, family = lik_bernoulli())
    fit_mlp(g ~ x1, data = d, family = lik_poisson())
    fit_mlp(y ~ x1 | x2, data = d, family = lik_gaussian_hetero())
    fit_mlp(y ~ x1, data = d, control = mlp_control(warmup_epochs = 5))
    fit_mlp(y ~ x1, data = d, epoks = 5)
    mlp_control(patience = 0)
    mlp_control(pateince = 3)
    deep_ensemble(y ~ x1, data = d, members = 1)
    deep_ensemble(y ~ x1, data = d, epoks = 3)
    deep_ensemble(y ~ x1, d, 3, 4)
    fit_mlp(y ~ x1 + offset(x2), data = d)
    fit_mlp(y ~ 1, data = d)
  })
  x <- as.matrix(d[, c("x1", "x2")])
  x[3, 2] <- NA
  expect_snapshot(error = TRUE, {
    fit_mlp_xy(x, d$y)
    fit_mlp_xy(as.matrix(d[, "x1", drop = FALSE]), d$y[-1])
    fit_mlp(y ~ x1 + x2, data = transform(d, x2 = replace(x2, 2, NA)), na.action = na.pass)
  })
  fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = 4, epochs = 2, seed = 1)
  ens <- deep_ensemble(y ~ x1 + x2, data = d, members = 2, hidden = 4, epochs = 2, seed = 1)
  drop_fit <- fit_mlp(y ~ x1 + x2, data = d, hidden = 4, dropout = 0.2, epochs = 2, seed = 1)
  expect_snapshot(error = TRUE, {
    predict(fit, d, type = "uncertainty")
    predict(drop_fit, d, type = "uncertainty", samples = 1)
    predict(drop_fit, d, type = "uncertainty", samples = 2.5)
    predict(drop_fit, d[, c("x1", "y")])
    predict(ens, d, type = "link")
    predict(ens, d, type = "uncertainty", samples = 10)
    predict(fit, d, samples = 10)
    predict(fit, d, type = "prob")
    predict(fit, d, level = 1, type = "members")
    predict(fit, d, typo = "members")
  })
  expect_error(fit_mlp(y ~ x1, data = d, hidden = 0, dropout = 0.2), class = "probml_error_unsupported")
  expect_error(deep_ensemble(y ~ x1, data = d, members = 1), class = "probml_error_value")
  expect_error(predict(drop_fit, d[, c("x1", "y")]), class = "probml_error_newdata")
})
