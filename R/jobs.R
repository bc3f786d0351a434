# Independent jobs (cross-fitting folds today; bootstrap replicates and
# ensemble members next), their random streams and progress reporting.
#
# Randomness: R draws one seed, so set.seed() governs everything, and each
# job runs in its own L'Ecuyer-CMRG stream derived from it; results do not
# depend on whether jobs run one after another or in parallel. Nothing here
# leaves the caller's random number state changed.

# Evaluate expr and put the caller's random number state (and kind) back.
# Without a .Random.seed to restore, the kind is reset explicitly: removing
# the seed alone would leave R's generator at L'Ecuyer-CMRG.
with_preserved_rng <- function(expr) {
  genv <- globalenv()
  had <- exists(".Random.seed", envir = genv, inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = genv, inherits = FALSE)
  kind <- RNGkind()
  on.exit({
    if (had) {
      assign(".Random.seed", old, envir = genv)
    } else {
      suppressWarnings(RNGkind(kind[1], kind[2], kind[3]))
      if (exists(".Random.seed", envir = genv, inherits = FALSE)) rm(".Random.seed", envir = genv)
    }
  })
  expr
}

# The L'Ecuyer-CMRG state a job runs in, from its integer seed.
lecuyer_seed <- function(s) {
  with_preserved_rng({
    set.seed(s, kind = "L'Ecuyer-CMRG")
    get(".Random.seed", envir = globalenv(), inherits = FALSE)
  })
}

# Run FUN over the jobs, each in its own random number stream: through
# future.apply under the user's future::plan() (multisession, cluster, a
# scheduler), else in this session with a progress bar. The streams are
# the same either way, so the results agree.
run_jobs <- function(jobs, seeds, FUN, ..., label = "Running jobs") {
  use_future <- isTRUE(getOption("probml.use_future", TRUE)) && parallel_plan()
  with_preserved_rng({
    if (use_future) {
      future.apply::future_lapply(jobs, FUN, ..., future.seed = seeds)
    } else {
      with_progress(label, length(jobs), function(tick) {
        lapply(seq_along(jobs), function(i) {
          assign(".Random.seed", seeds[[i]], envir = globalenv())
          out <- FUN(jobs[[i]], ...)
          if (!is.null(tick)) tick(i, length(jobs))
          out
        })
      })
    }
  })
}

# A future plan other than the default (sequential) one is set.
parallel_plan <- function() {
  requireNamespace("future.apply", quietly = TRUE) && !inherits(future::plan(), "sequential")
}

# Progress bars: shown in interactive sessions unless
# options(probml.progress = FALSE); cli decides when a bar is worth drawing
# (it waits a moment before showing one, so quick work stays quiet).
progress_enabled <- function() {
  isTRUE(getOption("probml.progress", TRUE)) && rlang::is_interactive()
}

# Calls work(tick), where tick(done, total) advances a progress bar, or is
# NULL when no bar is shown. The bar is closed however work() ends.
with_progress <- function(label, total, work) {
  if (!progress_enabled()) return(work(NULL))
  id <- cli::cli_progress_bar(label, total = total)
  on.exit(cli::cli_progress_done(id = id))
  work(function(done, total) {
    cli::cli_progress_update(set = done, id = id)
    invisible()
  })
}

# The seed the core derives its streams from: the user's whole number, or
# one drawn from R's generator (so set.seed() governs it), as a double the
# glue reads as a 64-bit integer.
core_seed <- function(seed, call = rlang::caller_env()) {
  if (is.null(seed)) return(as.double(sample.int(.Machine$integer.max, 1L)))
  check_number(seed, "seed", lower = -.Machine$integer.max, upper = .Machine$integer.max, integer = TRUE, call = call)
  as.double(seed %% 2^32)
}
