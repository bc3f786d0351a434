# Jobs, their random streams and progress (R/jobs.R).

test_that("jobs run in their own streams and leave the caller's random state alone", {
  set.seed(3)
  before <- .Random.seed
  seeds <- lapply(1:3, probml:::lecuyer_seed)
  out <- probml:::run_jobs(1:3, seeds, function(job) runif(1))
  expect_identical(.Random.seed, before)
  again <- probml:::run_jobs(1:3, seeds, function(job) runif(1))
  expect_identical(out, again)
  expect_length(unique(unlist(out)), 3L)
})

test_that("without a random state to restore, the caller's generator kind is kept", {
  kind <- RNGkind()
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  old <- if (had) .Random.seed
  on.exit(if (had) assign(".Random.seed", old, envir = globalenv()), add = TRUE)
  if (had) rm(".Random.seed", envir = globalenv())
  seed <- probml:::lecuyer_seed(1)
  probml:::run_jobs(1:2, list(seed, seed), function(job) runif(1))
  expect_identical(RNGkind(), kind)
  expect_false(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
})

test_that("progress bars: shown in interactive sessions, quiet when asked or not interactive", {
  expect_false(probml:::progress_enabled())  # tests are not interactive
  rlang::local_interactive(TRUE)
  expect_true(probml:::progress_enabled())
  withr_opts <- options(probml.progress = FALSE)
  expect_false(probml:::progress_enabled())
  options(withr_opts)
  # With a bar, work() gets a tick function; cli draws it (here immediately).
  old <- options(cli.progress_show_after = 0, cli.dynamic = FALSE, cli.progress_clear = FALSE)
  on.exit(options(old), add = TRUE)
  ticks <- 0
  out <- capture.output(result <- probml:::with_progress("Working", 3, function(tick) {
    expect_true(is.function(tick))
    for (i in 1:3) {
      tick(i, 3)
      ticks <<- ticks + 1
    }
    "done"
  }), type = "message")
  expect_equal(ticks, 3)
  expect_equal(result, "done")
  expect_true(any(grepl("Working", out)))
  # The core reports progress through the same tick.
  seen <- numeric(0)
  probml:::cpp_run_study(list(estimator = "mean", dist = "gaussian", params = c(0, 1), n = 1000, reps = 20000,
                              seed = 1, n_threads = 1L, trim = 0, parameter = 0L),
                         function(done, total) seen <<- c(seen, done))
  expect_gt(length(seen), 1)
  expect_equal(max(seen), 20000)
})
