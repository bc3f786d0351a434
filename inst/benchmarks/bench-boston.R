# The UCI regression protocol of the MC-dropout (Gal & Ghahramani 2016) and
# deep-ensemble (Lakshminarayanan, Pritzel & Blundell 2017) papers, on
# MASS::Boston (response medv, 13 inputs, 506 rows):
#
#   20 random 90/10 train/test splits drawn after set.seed(1) (the test rows
#   of split s are sort(sample.int(506, 51)), the s-th draw; the same splits
#   torch_boston.py reads), one hidden layer of 50 ReLU units, 40 epochs.
#
#   MC dropout     fit_mlp(medv ~ ., train, family, hidden = 50, dropout = p,
#                          weight_decay, lr, epochs = 40, batch_size = 32)
#                  and predict(type = "uncertainty", samples = 100)
#   deep ensemble  deep_ensemble(medv ~ ., train, members = 5,
#                          family = lik_gaussian_hetero(), hidden = 50,
#                          epochs = 40, batch_size = 100 or 32, lr)
#
# Test RMSE is that of the predictive mean (the mean over samples or
# members); test NLL is the mean over test rows of
# -log( mean_s N(y | mean_s, sigma_s^2) ), the predictive mixture, on medv's
# own scale ($1000s). For a lik_gaussian() head sigma_s is the ML sigma
# estimated after training (the same for every sample); for
# lik_gaussian_hetero() it is each sample's / member's predicted sd.
#
# Tuning (MC dropout): on each split, the last-drawn 20% of the training rows
# are a validation set; every configuration of the grid is trained on the
# other 80% and scored by validation NLL, and the best one is refitted on
# the whole training split and scored on the test rows (the papers' scheme:
# Gal & Ghahramani picked dropout and the prior precision this way). The
# grid, the fixed configurations reported beside it and the deep-ensemble
# configurations are all listed in the output.
#
#   Rscript inst/benchmarks/bench-boston.R            # ~2-3 min on 2 cores
#   Rscript inst/benchmarks/bench-boston.R --quick    # 3 splits, no tuning: a smoke test
#   Rscript inst/benchmarks/bench-boston.R --splits-csv=/tmp/boston_splits.csv   # also write the splits
#
# Writes inst/benchmarks/results/boston.csv (method, split, rmse, nll) and
# boston-summary.csv (method, mean rmse, se, mean nll, se, paper rmse,
# paper nll), relative to the working directory (the package root), unless
# --quick or --no-write. The methods written there are the configuration
# named `mc_dropout` (the tuned one) and `deep_ensemble`; the other
# configurations are printed (and written with --all) for the record.
#
# The per-sample nll of the predictive mixture needs each sample's mean and
# sd, which the public predict() summarises away (it returns the mixture's
# mean and sds); the script reads them through the same internal function
# predict() calls, probml:::mlp_core_predict(), with the same seed, so the
# samples are the ones predict(type = "uncertainty") used (checked below).

args <- commandArgs(trailingOnly = TRUE)
probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))

quick <- "--quick" %in% args
no_write <- "--no-write" %in% args || quick
write_all <- "--all" %in% args
splits_csv <- sub("^--splits-csv=", "", grep("^--splits-csv=", args, value = TRUE))
unknown <- setdiff(args, c("--quick", "--no-write", "--all", grep("^--splits-csv=", args, value = TRUE)))
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

options(probml.threads = 2L, probml.progress = FALSE, width = 200)
boston <- MASS::Boston
n <- nrow(boston)
n_splits <- if (quick) 3L else 20L
epochs <- 40L
samples <- 100L

set.seed(1)
test_rows <- lapply(seq_len(20L), function(s) sort(sample.int(n, round(0.1 * n))))
if (length(splits_csv)) {
  utils::write.csv(do.call(rbind, lapply(seq_along(test_rows), function(s) data.frame(split = s, row = test_rows[[s]]))),
                   splits_csv, row.names = FALSE)
}
split_seed <- function(s, k = 0L) 1000L * s + k  # fit seeds: fixed per split and configuration

# Per-sample (or per-member) means and sds of a fit on new data, and the
# per-sample nll at y: n x S matrices. `dropout` = MC dropout with `samples`.
sample_moments <- function(fit, newdata, y, dropout, seed) {
  X <- probml:::mlp_newdata(fit, newdata, stats::na.pass)$X
  core <- probml:::mlp_core_predict(fit, X, dropout = dropout, samples = if (dropout) samples else 1L,
                                    seed = seed, y = y, w = rep(1, length(y)))
  list(mean = matrix(core$mean[, 1L, ], nrow(X)), nll = matrix(core$nll, nrow(X)))
}

# RMSE of the predictive mean and NLL of the predictive mixture.
scores <- function(mom, y) {
  mu <- rowMeans(mom$mean)
  lp <- -mom$nll
  m <- apply(lp, 1L, max)
  c(rmse = sqrt(mean((y - mu)^2)), nll = -mean(m + log(rowMeans(exp(lp - m)))))
}

fit_dropout <- function(train, cfg, seed) {
  fit_mlp(medv ~ ., data = train, family = cfg$family(), hidden = 50L, dropout = cfg$p, epochs = epochs,
          batch_size = cfg$batch, lr = cfg$lr, weight_decay = cfg$wd, control = cfg$control %||% mlp_control(),
          seed = seed)
}
score_dropout <- function(fit, test, seed, check = FALSE) {
  mom <- sample_moments(fit, test, test$medv, dropout = TRUE, seed = seed)
  if (check) {
    u <- predict(fit, test, type = "uncertainty", samples = samples, seed = seed)
    stopifnot(isTRUE(all.equal(u$mean, rowMeans(mom$mean), tolerance = 1e-12)))
  }
  scores(mom, test$medv)
}
fit_ensemble <- function(train, cfg, seed) {
  deep_ensemble(medv ~ ., data = train, members = 5L, family = lik_gaussian_hetero(), hidden = 50L, epochs = epochs,
                batch_size = cfg$batch, lr = cfg$lr, weight_decay = cfg$wd, control = cfg$control %||% mlp_control(),
                seed = seed)
}
score_ensemble <- function(fit, test) scores(sample_moments(fit, test, test$medv, dropout = FALSE, seed = 0), test$medv)
`%||%` <- function(x, y) if (is.null(x)) y else x

# --- configurations -----------------------------------------------------------
# MC dropout, fixed settings (reported for the record) ...
dropout_fixed <- list(
  "mcd_gauss_p0.05_lr1e-3" = list(family = lik_gaussian, p = 0.05, lr = 1e-3, wd = 0, batch = 32L),
  "mcd_gauss_p0.05_lr1e-2" = list(family = lik_gaussian, p = 0.05, lr = 1e-2, wd = 0, batch = 32L),
  "mcd_gauss_p0.01_lr1e-2_wd1e-4" = list(family = lik_gaussian, p = 0.01, lr = 1e-2, wd = 1e-4, batch = 32L),
  "mcd_hetero_p0.05_lr1e-2" = list(family = lik_gaussian_hetero, p = 0.05, lr = 1e-2, wd = 0, batch = 32L)
)
# ... and the grid tuned per split on a validation fifth of the training rows.
dropout_grid <- do.call(c, lapply(c(0.005, 0.01, 0.05, 0.1), function(p) {
  do.call(c, lapply(c(3e-3, 1e-2), function(lr) {
    lapply(stats::setNames(c(0, 1e-4, 1e-3), paste0("wd", c(0, 1e-4, 1e-3))), function(wd)
      list(family = lik_gaussian, p = p, lr = lr, wd = wd, batch = 32L))
  }))
}))
names(dropout_grid) <- vapply(dropout_grid, function(c) sprintf("p%g_lr%g_wd%g", c$p, c$lr, c$wd), "")
ensemble_cfgs <- list(
  deep_ensemble = list(batch = 32L, lr = 1e-2, wd = 0),
  "ens_b100_lr1e-2" = list(batch = 100L, lr = 1e-2, wd = 0),
  "ens_b100_lr3e-2" = list(batch = 100L, lr = 3e-2, wd = 0),
  "ens_b32_lr3e-3" = list(batch = 32L, lr = 3e-3, wd = 0),
  "ens_b32_lr1e-2_beta0.5" = list(batch = 32L, lr = 1e-2, wd = 0, control = mlp_control(beta_nll = 0.5)),
  "ens_b32_lr1e-2_warm10" = list(batch = 32L, lr = 1e-2, wd = 0, control = mlp_control(warmup_epochs = 10L))
)
if (quick) {
  dropout_grid <- dropout_grid[1:2]
  ensemble_cfgs <- ensemble_cfgs[1:2]
}

# --- the splits ---------------------------------------------------------------
results <- list()
chosen <- character(0)
add <- function(method, s, sc) results[[length(results) + 1L]] <<- data.frame(method = method, split = s, rmse = sc[["rmse"]], nll = sc[["nll"]])
t0 <- proc.time()[["elapsed"]]
for (s in seq_len(n_splits)) {
  test <- boston[test_rows[[s]], ]
  train <- boston[-test_rows[[s]], ]
  # MC dropout, tuned: validation = the last fifth of a fixed shuffle of the training rows.
  set.seed(100L + s)
  perm <- sample.int(nrow(train))
  n_val <- round(0.2 * nrow(train))
  inner <- train[perm[seq_len(nrow(train) - n_val)], ]
  valid <- train[perm[nrow(train) - n_val + seq_len(n_val)], ]
  val_nll <- vapply(seq_along(dropout_grid), function(k) {
    fit <- fit_dropout(inner, dropout_grid[[k]], split_seed(s, 100L + k))
    score_dropout(fit, valid, seed = split_seed(s, 500L + k))[["nll"]]
  }, 0)
  best <- which.min(val_nll)
  chosen[s] <- names(dropout_grid)[best]
  fit <- fit_dropout(train, dropout_grid[[best]], split_seed(s, 1L))
  add("mc_dropout", s, score_dropout(fit, test, seed = split_seed(s, 2L), check = s == 1L))
  for (k in seq_along(dropout_fixed)) {
    fit <- fit_dropout(train, dropout_fixed[[k]], split_seed(s, 10L + k))
    add(names(dropout_fixed)[k], s, score_dropout(fit, test, seed = split_seed(s, 20L + k)))
  }
  for (k in seq_along(ensemble_cfgs)) {
    fit <- fit_ensemble(train, ensemble_cfgs[[k]], split_seed(s, 30L + k))
    add(names(ensemble_cfgs)[k], s, score_ensemble(fit, test))
  }
  cat(sprintf("split %2d done (%.0f s; MC dropout chose %s)\n", s, proc.time()[["elapsed"]] - t0, chosen[s]))
}
elapsed <- proc.time()[["elapsed"]] - t0
res <- do.call(rbind, results)

paper <- data.frame(method = c("mc_dropout", "deep_ensemble"), paper_rmse = c(2.97, 3.28), paper_nll = c(2.46, 2.41))
se <- function(x) stats::sd(x) / sqrt(length(x))
summ <- do.call(rbind, lapply(split(res, factor(res$method, levels = unique(res$method))), function(r)
  data.frame(method = r$method[1], mean_rmse = mean(r$rmse), se_rmse = se(r$rmse), mean_nll = mean(r$nll), se_nll = se(r$nll))))
summ <- merge(summ, paper, by = "method", all.x = TRUE, sort = FALSE)
summ <- summ[order(match(summ$method, unique(res$method))), ]
rownames(summ) <- NULL

cat(sprintf("\nBoston housing, %d splits, 40 epochs, %d MC-dropout samples; %.0f s in all\n\n", n_splits, samples, elapsed))
print(format(summ, digits = 3), row.names = FALSE)
cat("\nMC dropout's choice per split (validation NLL): \n")
print(table(chosen))
cat("\nMC dropout grid: p in {0.005, 0.01, 0.05, 0.1} x lr in {3e-3, 1e-2} x weight_decay in {0, 1e-4, 1e-3},",
    "lik_gaussian() (ML sigma), batch 32, Adam\n")
de <- summ[summ$method == "deep_ensemble", ]
mc <- summ[summ$method == "mc_dropout", ]
cat(sprintf("\nTargets: deep ensemble NLL %.2f <= 2.6: %s; RMSE %.2f <= 3.6: %s; MC dropout RMSE %.2f <= 3.4: %s\n",
            de$mean_nll, de$mean_nll <= 2.6, de$mean_rmse, de$mean_rmse <= 3.6, mc$mean_rmse, mc$mean_rmse <= 3.4))

if (!no_write) {
  dir.create("inst/benchmarks/results", recursive = TRUE, showWarnings = FALSE)
  keep <- if (write_all) unique(res$method) else c("mc_dropout", "deep_ensemble")
  utils::write.csv(res[res$method %in% keep, ], "inst/benchmarks/results/boston.csv", row.names = FALSE)
  utils::write.csv(summ[summ$method %in% keep, ], "inst/benchmarks/results/boston-summary.csv", row.names = FALSE)
  cat("Wrote inst/benchmarks/results/boston.csv and boston-summary.csv\n")
}
