#!/usr/bin/env bash
# Install everything probml needs on a Debian (bookworm) machine.
#
#   tools/install-deps.sh [test|all]      (default: all)
#
#   test  what `make test` needs: the R packages, pandoc, qpdf, and cmake with
#         GoogleTest for the C++ unit tests.
#   all   test + what the benchmarks need: Google Benchmark, Eigen, and
#         Debian's PyTorch (python3-torch, for the torch_*.py reference
#         scripts run with /usr/bin/python3).
#
# Idempotent: Debian packages already installed are skipped (and apt is not
# touched at all when nothing is missing); an R package is installed from
# CRAN only when requireNamespace() fails for it. Any failure exits non-zero.
set -euo pipefail

mode="${1:-all}"
case "$mode" in
  test | all) ;;
  -h | --help)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-deps: unknown mode '$mode' (use 'test' or 'all')" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cran="${CRAN_MIRROR:-https://cloud.r-project.org}"

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Debian ----
# Debian's prebuilt R packages: far faster than compiling from CRAN.
# flexmix, Formula, sandwich, lmtest, zoo and modeltools are betareg's
# dependencies (betareg itself is not packaged for Debian); broom (with
# generics and tibble) and statmod are the references of the tidiers and of
# the quantile residuals; tidyselect reads the data-frame calls' columns and
# dplyr (Suggests) makes the grouped data frames they are tested on.
deb_r=(
  r-cran-rcpp r-cran-rcppeigen r-cran-cli r-cran-rlang r-cran-tidyselect r-cran-roxygen2
  r-cran-rmarkdown r-cran-knitr r-cran-testthat r-cran-quantreg
  r-cran-glmnet r-cran-future r-cran-future.apply r-cran-ggplot2
  r-cran-randomforest r-cran-e1071 r-cran-flexmix r-cran-formula
  r-cran-sandwich r-cran-lmtest r-cran-zoo r-cran-modeltools r-cran-arm
  r-cran-matrix r-cran-broom r-cran-generics r-cran-tibble r-cran-statmod
  r-cran-dplyr
)
deb_tools=(pandoc qpdf cmake libgtest-dev)
# Benchmark-only: python3-torch is the PyTorch reference of the deep-ensemble
# and Boston benchmarks (inst/benchmarks/torch_*.py); never needed by make test.
deb_bench=(libbenchmark-dev libeigen3-dev python3-torch)

want=("${deb_r[@]}" "${deb_tools[@]}")
if [ "$mode" = all ]; then want+=("${deb_bench[@]}"); fi

deb_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for p in "${want[@]}"; do
  deb_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all ${#want[@]} Debian packages already installed"
elif ! command -v apt-get >/dev/null 2>&1; then
  say "apt-get not found (not Debian?): skipping Debian packages: ${missing[*]}"
  say "R packages will come from CRAN; system tools are checked at the end"
elif [ "$(id -u)" -ne 0 ]; then
  say "not root (uid $(id -u)): cannot run apt-get; skipping: ${missing[*]}"
  say "as root run: apt-get install -y --no-install-recommends ${missing[*]}"
  say "R packages will come from CRAN; system tools are checked at the end"
else
  say "apt-get install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
  for p in "${missing[@]}"; do
    deb_installed "$p" || die "Debian package $p is still not installed"
  done
fi

# ------------------------------------------------------------------- CRAN ---
# Every package named in DESCRIPTION (Depends, Imports, LinkingTo, Suggests),
# the packages of the Debian list above (so a non-root run still gets them),
# betareg, and for `all` whatever the benchmark scripts and the report load.
command -v Rscript >/dev/null 2>&1 || die "Rscript not found: install R first (Debian: r-base-dev)"

PROBML_ROOT="$root" PROBML_MODE="$mode" PROBML_CRAN="$cran" \
Rscript --no-init-file - <<'RSCRIPT' || die "R package installation failed"
root <- Sys.getenv("PROBML_ROOT")
mode <- Sys.getenv("PROBML_MODE")
repos <- c(CRAN = Sys.getenv("PROBML_CRAN"))

base_pkgs <- c("R", "base", "compiler", "datasets", "graphics", "grDevices",
               "grid", "methods", "parallel", "splines", "stats", "stats4",
               "tcltk", "tools", "utils")

deps_of_description <- function(path) {
  if (!file.exists(path)) return(character())
  d <- read.dcf(path, fields = c("Depends", "Imports", "LinkingTo", "Suggests"))
  x <- unlist(strsplit(d[!is.na(d)], ","))
  x <- trimws(sub("\\(.*$", "", gsub("\\s+", " ", x)))
  x[nzchar(x)]
}

# Packages that R scripts / R Markdown files load: library(x), require(x),
# requireNamespace("x") and x::f. Quoted or bare names only, no variables.
deps_of_scripts <- function(files) {
  name <- "([A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])"
  res <- c(paste0("(?:library|require)\\(\\s*[\"']?", name, "[\"']?\\s*[,)]"),
           paste0("requireNamespace\\(\\s*[\"']", name, "[\"']"),
           paste0("(?<![A-Za-z0-9._$@])", name, ":::?[A-Za-z._]"))
  out <- character()
  for (f in files) {
    txt <- sub("#.*$", "", readLines(f, warn = FALSE))
    for (re in res) {
      m <- regmatches(txt, gregexpr(re, txt, perl = TRUE))
      out <- c(out, sub(re, "\\1", unlist(m), perl = TRUE))
    }
  }
  # C++ namespaces that can appear in Rcpp chunks
  setdiff(unique(out), c("std", "Eigen", "boost", "benchmark", "Rcpp", "probml"))
}

pkgs <- c(deps_of_description(file.path(root, "DESCRIPTION")),
          "Rcpp", "RcppEigen", "cli", "rlang", "roxygen2", "rmarkdown",
          "knitr", "testthat", "quantreg", "glmnet", "future",
          "future.apply", "ggplot2", "randomForest", "e1071", "flexmix",
          "Formula", "sandwich", "lmtest", "zoo", "modeltools",
          "betareg", "MASS", "nnet", "arm", "Matrix")
if (mode == "all") {
  scripts <- c(Sys.glob(file.path(root, "inst", "benchmarks", "*.R")),
               Sys.glob(file.path(root, "inst", "report", "*.Rmd")))
  pkgs <- c(pkgs, deps_of_scripts(scripts))
}
pkgs <- setdiff(unique(pkgs), c(base_pkgs, "probml"))

have <- function(p) suppressWarnings(suppressMessages(
  requireNamespace(p, quietly = TRUE)))
need <- pkgs[!vapply(pkgs, have, logical(1))]

if (length(need) == 0L) {
  cat(sprintf("install-deps: all %d R packages available\n", length(pkgs)))
  quit(status = 0)
}

lib <- .libPaths()[file.access(.libPaths(), 2) == 0][1]
if (is.na(lib)) {
  lib <- strsplit(Sys.getenv("R_LIBS_USER"), .Platform$path.sep)[[1]][1]
  dir.create(lib, recursive = TRUE, showWarnings = FALSE)
  .libPaths(c(lib, .libPaths()))
}
cat("install-deps: from CRAN into", lib, ":", need, "\n")
if (!nzchar(Sys.getenv("MAKEFLAGS"))) Sys.setenv(MAKEFLAGS = "-j2")
install.packages(need, lib = lib, repos = repos, Ncpus = 2L,
                 dependencies = c("Depends", "Imports", "LinkingTo"),
                 quiet = TRUE)
still <- need[!vapply(need, have, logical(1))]
if (length(still) > 0L) {
  message("install-deps: ERROR: could not install R package(s): ",
          paste(still, collapse = ", "))
  quit(status = 1)
}
cat("install-deps: installed", need, "\n")
RSCRIPT

# ------------------------------------------------------- system tools ------
command -v pandoc >/dev/null 2>&1 || die "pandoc not found (needed for vignettes and the report)"
command -v qpdf >/dev/null 2>&1 || say "note: qpdf not found (R CMD check --as-cran may note it)"
command -v cmake >/dev/null 2>&1 || die "cmake not found (needed by the C++ unit tests)"
[ -f /usr/include/gtest/gtest.h ] || [ -f /usr/local/include/gtest/gtest.h ] \
  || die "GoogleTest headers not found (Debian: libgtest-dev)"
if [ "$mode" = all ]; then
  [ -f /usr/include/benchmark/benchmark.h ] || [ -f /usr/local/include/benchmark/benchmark.h ] \
    || die "Google Benchmark headers not found (Debian: libbenchmark-dev)"
fi
say "done ($mode)"
