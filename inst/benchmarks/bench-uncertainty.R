# Times a deep ensemble in probml beside the same training in PyTorch on the
# CPU, in one run (issue 9, "Speed"):
#
#   5 members of an MLP 8-64-64-2 (ReLU) with a heteroscedastic Gaussian
#   head (lik_gaussian_hetero(): mean and log-variance), n = 1e4 rows,
#   300 full-batch Adam epochs (lr 1e-3), 2 threads.
#
#   probml  deep_ensemble(y ~ ., d, members = 5, family = lik_gaussian_hetero(),
#                         hidden = c(64, 64), epochs = 300, batch_size = NULL,
#                         lr = 1e-3, n_threads = 2)
#   torch   inst/benchmarks/torch_ensemble.py --data <csv> --members 5 --epochs 300
#                         --threads 2 --dtype float32|float64
#
#   Rscript inst/benchmarks/bench-uncertainty.R              # ~10 min (torch's two runs take most)
#   Rscript inst/benchmarks/bench-uncertainty.R --quick      # 30 epochs: a smoke test
#   Rscript inst/benchmarks/bench-uncertainty.R --no-torch   # probml only
#   Rscript inst/benchmarks/bench-uncertainty.R --dtype=float32   # one torch run
#
# Uses the installed probml (PROBML_LIB: a library to put first) and the
# first of $PROBML_PYTHON, /usr/bin/python3, python3 that can `import
# torch` (Debian's python3-torch lives under /usr/bin/python3, which a pyenv
# python3 on PATH may hide); without one the table says torch is
# unavailable. The data (x ~ N(0, I_8), y = sin(x1) + 0.5 x2 +
# N(0, (0.1 + 0.3 |x3|)^2), seed 1) are written to a temporary CSV that
# both sides read. Torch members train one after another, each on 2
# intra-op threads; probml's members train 2 at a time, one thread each.
# The torch script times its training loops only; probml's time is the
# whole deep_ensemble() call (model frame, scaling, training, assembly).
#
# GFLOP/s use issue 9's count: members x epochs x n x 3 x 2 x P with
# P = 8*64 + 64*64 + 64*2 = 4736 weights (forward 2nP, backward 4nP),
# 4.26e11 for the full workload. The final training nll (mean over
# members, original scale of y) shows both sides reach a similar loss.

args <- commandArgs(trailingOnly = TRUE)
probml_lib <- Sys.getenv("PROBML_LIB")
if (nzchar(probml_lib)) .libPaths(c(probml_lib, .libPaths()))
suppressPackageStartupMessages(library(probml))
`%||%` <- function(x, y) if (is.null(x)) y else x

quick <- "--quick" %in% args
no_torch <- "--no-torch" %in% args
dtype_arg <- grep("^--dtype=", args, value = TRUE)
dtypes <- if (length(dtype_arg)) strsplit(sub("^--dtype=", "", dtype_arg), ",")[[1]] else c("float32", "float64")
unknown <- setdiff(args, c("--quick", "--no-torch", dtype_arg))
if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)
if (!all(dtypes %in% c("float32", "float64"))) stop("--dtype= takes float32 and/or float64", call. = FALSE)

members <- 5L
epochs <- if (quick) 30L else 300L
n <- 1e4L
threads <- 2L
P <- 8 * 64 + 64 * 64 + 64 * 2
flops <- members * epochs * n * 3 * 2 * P

find_script <- function() {
  here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))),
                   error = function(e) NA_character_)
  candidates <- c(if (!is.na(here)) file.path(here, "torch_ensemble.py"), "inst/benchmarks/torch_ensemble.py",
                  system.file("benchmarks", "torch_ensemble.py", package = "probml"))
  hit <- candidates[nzchar(candidates) & file.exists(candidates)]
  if (length(hit)) hit[1] else NA_character_
}

find_python <- function() {
  candidates <- unique(c(Sys.getenv("PROBML_PYTHON"), "/usr/bin/python3", "python3"))
  for (py in candidates[nzchar(candidates)]) {
    ok <- suppressWarnings(tryCatch(system2(py, c("-c", shQuote("import torch")), stdout = FALSE, stderr = FALSE),
                                    error = function(e) 1L))
    if (identical(as.integer(ok), 0L)) return(py)
  }
  NA_character_
}

set.seed(1)
X <- matrix(rnorm(n * 8), n, 8, dimnames = list(NULL, paste0("x", 1:8)))
d <- as.data.frame(X)
d$y <- sin(X[, 1]) + 0.5 * X[, 2] + rnorm(n, sd = 0.1 + 0.3 * abs(X[, 3]))
csv <- tempfile("probml-uncertainty-", fileext = ".csv")
on.exit(unlink(csv), add = TRUE)
utils::write.csv(d, csv, row.names = FALSE)

cat(sprintf("Deep ensemble: %d members, MLP 8-64-64-2 (ReLU, lik_gaussian_hetero), n = %d, %d full-batch Adam epochs, lr 1e-3, %d threads\n",
            members, n, epochs, threads))
cat(sprintf("Workload: %.3g flops (members x epochs x n x 6 x %d weights)\n\n", flops, P))

# probml: read the same CSV, so both sides train on identical numbers.
dd <- utils::read.csv(csv)
t_probml <- system.time(
  ens <- deep_ensemble(y ~ ., data = dd, members = members, family = lik_gaussian_hetero(), hidden = c(64L, 64L),
                       epochs = epochs, batch_size = NULL, lr = 1e-3, n_threads = threads, seed = 1L),
  gcFirst = TRUE
)[["elapsed"]]
# Final training loss: the core records the mean nll on the standardised
# scale of y; the original scale adds log(sd(y)).
final_probml <- mean(vapply(ens$history, function(h) h$train[h$epochs_run], 0)) + log(ens$scaling$y_scale)

rows <- list(data.frame(engine = "probml (float32 layers)", seconds = t_probml, per_member = t_probml / members,
                        ratio_torch_over_probml = 1, gflops = flops / t_probml / 1e9,
                        final_train_nll = final_probml))

script <- find_script()
python <- if (no_torch) NA_character_ else find_python()
torch_note <- NULL
if (no_torch) {
  torch_note <- "torch: not run (--no-torch)"
} else if (is.na(script)) {
  torch_note <- "torch: torch_ensemble.py not found"
} else if (is.na(python)) {
  torch_note <- "torch: unavailable (no python3 that can `import torch`; Debian: apt-get install python3-torch)"
} else {
  for (dt in dtypes) {
    out <- system2(python, c(shQuote(script), "--data", shQuote(csv), "--members", members, "--epochs", epochs,
                             "--threads", threads, "--dtype", dt), stdout = TRUE, stderr = TRUE)
    status <- attr(out, "status") %||% 0L
    json <- grep("^\\{", out, value = TRUE)
    if (status != 0L || !length(json)) {
      torch_note <- c(torch_note, sprintf("torch %s failed: %s", dt, paste(utils::tail(out, 3), collapse = " | ")))
      next
    }
    j <- json[length(json)]
    field <- function(name) as.numeric(sub(sprintf('.*"%s": *([-0-9.eE+]+).*', name), "\\1", j))
    nlls <- as.numeric(strsplit(sub('.*"final_train_nll": *\\[([^]]*)\\].*', "\\1", j), ", *")[[1]])
    secs <- field("seconds_total")
    rows[[length(rows) + 1L]] <- data.frame(engine = sprintf("torch %s (%s)", sub('.*"torch": *"([^"]*)".*', "\\1", j), dt),
                                            seconds = secs, per_member = secs / members,
                                            ratio_torch_over_probml = secs / t_probml, gflops = flops / secs / 1e9,
                                            final_train_nll = mean(nlls))
  }
}

tab <- do.call(rbind, rows)
print(format(tab, digits = 4), row.names = FALSE)
if (length(torch_note)) cat("\n", paste(torch_note, collapse = "\n"), "\n", sep = "")
cat(sprintf("\nprobml: %.1f s for %d members (target: under ~45 s%s); %.2f GFLOP/s\n", t_probml, members,
            if (nrow(tab) > 1) sprintf(" and >= 5x faster than torch: %s",
                                       paste(sprintf("%.1fx", tab$ratio_torch_over_probml[-1]), collapse = " / ")) else "",
            flops / t_probml / 1e9))
