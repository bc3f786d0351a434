# probml — developer entry points.
#
#   make demo      install everything, build and install the package (with its
#                  vignettes), render the report
#   make test      install what checks need; C++ unit tests, snapshot coverage,
#                  R CMD build + R CMD check --as-cran, generated files up to date
#   make bench     Google Benchmark suite of the C++ core + R timing scripts
#   make sanitize  the testthat suite on a build with ASAN + UBSAN
#
# Works from a fresh clone, non-interactively (CI=true, no stdin).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

R        ?= R
RSCRIPT  ?= Rscript
PKG      := probml
VERSION   = $(shell sed -n 's/^Version:[[:space:]]*//p' DESCRIPTION)
TARBALL   = $(PKG)_$(VERSION).tar.gz

REPORT_DIR   ?= probml-report
CHECK_DIR    ?= build/check
BENCH_DIR    ?= build/bench
CPPTEST_DIR  ?= build/cpptest
SANITIZE_DIR ?= build/sanitize
INSTALL_DIR  ?= build/install

# Environment of R CMD build/check (see tools/Makevars.check). --as-cran
# forces _R_CHECK_FUTURE_FILE_TIMESTAMPS_ on; _R_CHECK_SYSTEM_CLOCK_=FALSE
# keeps that check off the internet (no "unable to verify current time").
CHECK_ENV := _R_CHECK_CRAN_INCOMING_=FALSE \
             _R_CHECK_CRAN_INCOMING_REMOTE_=FALSE \
             _R_CHECK_FUTURE_FILE_TIMESTAMPS_=FALSE \
             _R_CHECK_SYSTEM_CLOCK_=FALSE \
             NOT_CRAN=true \
             MAKEFLAGS=-j2 \
             R_MAKEVARS_USER="$(CURDIR)/tools/Makevars.check"

.PHONY: help deps deps-test document install demo test cpp-test check-snapshots check-generated \
        bench sanitize clean

help:
	@echo "make demo       deps + install (with vignettes) + render the report to $(REPORT_DIR)/"
	@echo "make test       deps + C++ unit tests + snapshot coverage + R CMD check --as-cran"
	@echo "                + generated files (RcppExports, NAMESPACE, man/) up to date"
	@echo "make bench      deps + install + C++ benchmarks ($(BENCH_DIR)/) + R timings"
	@echo "make sanitize   the testthat suite on an ASAN + UBSAN build (in $(SANITIZE_DIR)/)"
	@echo "make install    deps + R CMD build + R CMD INSTALL of the tarball (vignettes included)"
	@echo "make deps       install system and R dependencies (tools/install-deps.sh)"
	@echo "make document   Rcpp::compileAttributes() + roxygen2::roxygenise()"
	@echo "make clean      remove build products"

deps:
	tools/install-deps.sh all

deps-test:
	tools/install-deps.sh test

# roxygen reads the installed package (a source load would need pkgbuild
# and a second compile).
document:
	$(RSCRIPT) -e 'Rcpp::compileAttributes()'
	$(R) CMD INSTALL --no-test-load --library="$$($(RSCRIPT) -e 'cat(.libPaths()[1])')" . > /dev/null
	$(RSCRIPT) -e 'roxygen2::roxygenise(load_code = "installed")'

# Built first, so that the vignettes are built and installed with it.
install: deps
	rm -rf "$(INSTALL_DIR)" && mkdir -p "$(INSTALL_DIR)"
	cd "$(INSTALL_DIR)" && MAKEFLAGS=-j2 $(R) CMD build "$(CURDIR)"
	MAKEFLAGS=-j2 $(R) CMD INSTALL "$(INSTALL_DIR)/$(TARBALL)"
	$(RSCRIPT) -e 'library(probml); cat("probml", format(packageVersion("probml")), "installed in", dirname(find.package("probml")), "with vignettes:", paste(vignette(package = "probml")$$results[, "Item"], collapse = ", "), "\n")'

# Render from the installed package, in a fresh R process, with every
# intermediate file in a temporary directory (the installed copy may be
# read-only); only the HTML lands in REPORT_DIR.
define RENDER_REPORT
src <- system.file("report", "probml-report.Rmd", package = "probml", mustWork = TRUE)
tmp <- tempfile("probml-report-")
dir.create(tmp)
invisible(file.copy(list.files(dirname(src), full.names = TRUE), tmp, recursive = TRUE))
out <- rmarkdown::render(file.path(tmp, basename(src)),
  output_dir = Sys.getenv("PROBML_REPORT_DIR"), intermediates_dir = tmp,
  knit_root_dir = tmp, envir = new.env(), quiet = TRUE)
unlink(tmp, recursive = TRUE)
cat("\nReport written to:\n", normalizePath(out), "\n", sep = "")
endef
export RENDER_REPORT

demo: install
	mkdir -p "$(REPORT_DIR)"
	PROBML_REPORT_DIR="$$(cd "$(REPORT_DIR)" && pwd)" $(RSCRIPT) --no-init-file -e "$$RENDER_REPORT"

# The C++ core without R: GoogleTest unit tests (tests/cpp/).
cpp-test:
	cmake -S tests/cpp -B "$(CPPTEST_DIR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	cmake --build "$(CPPTEST_DIR)" -j2
	"$(CPPTEST_DIR)/probml_core_tests" --gtest_brief=1

# Every abort/warn site in R/ has a snapshot test.
check-snapshots:
	$(RSCRIPT) tools/check-snapshots.R

# RcppExports, NAMESPACE and man/ regenerated from the sources (with the
# package R CMD check installed) must equal the committed ones.
check-generated:
	tools/check-generated.sh "$(CHECK_DIR)/$(PKG).Rcheck"

# R CMD check exits 0 on WARNINGs; the Status line decides. NOTEs are shown
# but do not fail. The testthat counts are echoed as "N passed, N failed".
test: deps-test cpp-test check-snapshots
	rm -rf "$(CHECK_DIR)" && mkdir -p "$(CHECK_DIR)"
	cd "$(CHECK_DIR)" && $(CHECK_ENV) $(R) CMD build "$(CURDIR)"
	cd "$(CHECK_DIR)" && rc=0 && { $(CHECK_ENV) $(R) CMD check --as-cran --no-manual $(TARBALL) || rc=$$?; } && echo $$rc > check.rc
	@log="$(CHECK_DIR)/$(PKG).Rcheck/00check.log"; \
	 rc=$$(cat "$(CHECK_DIR)/check.rc"); \
	 if [ ! -f "$$log" ]; then echo "make test: no $$log (R CMD check exit $$rc)"; exit 1; fi; \
	 echo; echo "==== tail of $$log ===="; tail -n 25 "$$log"; \
	 echo; echo "==== NOTEs, WARNINGs and ERRORs ===="; \
	 awk '/^\* / { p = ($$0 ~ /\.\.\. *(NOTE|WARNING|ERROR)$$/) } p' "$$log"; \
	 for f in "$(CHECK_DIR)/$(PKG).Rcheck/tests/testthat.Rout" "$(CHECK_DIR)/$(PKG).Rcheck/tests/testthat.Rout.fail"; do \
	   if [ -f "$$f" ]; then \
	     tail -n 40 "$$f" | grep -E '^\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' | tail -n 1 | \
	       sed -E 's/^\[ FAIL ([0-9]+) \| WARN ([0-9]+) \| SKIP ([0-9]+) \| PASS ([0-9]+) \]/testthat: \4 passed, \1 failed, \3 skipped/' || true; \
	   fi; \
	 done; \
	 status=$$(grep -E '^Status:' "$$log" | tail -n 1 || true); \
	 echo; echo "R CMD check $$status"; \
	 if [ -z "$$status" ] || [ "$$rc" -ne 0 ] || echo "$$status" | grep -qE 'ERROR|WARNING'; then \
	   echo "make test: FAILED (see $(CHECK_DIR)/$(PKG).Rcheck/)"; exit 1; \
	 fi
	$(MAKE) --no-print-directory check-generated

bench: install
	cmake -S inst/benchmarks -B "$(BENCH_DIR)" -DCMAKE_BUILD_TYPE=Release
	cmake --build "$(BENCH_DIR)" -j2
	"$(BENCH_DIR)/probml_bench"
	$(RSCRIPT) inst/benchmarks/bench-fit.R
	$(RSCRIPT) inst/benchmarks/bench-calibrate.R
	$(RSCRIPT) inst/benchmarks/bench-estimate.R
	$(RSCRIPT) inst/benchmarks/bench-map.R
	$(RSCRIPT) inst/benchmarks/bench-uncertainty.R
	$(RSCRIPT) inst/benchmarks/bench-boston.R

# The package built with -fsanitize=address,undefined (no recovery: the
# first finding stops the run) into a private library, then the testthat
# suite in an R that preloads the ASAN runtime. Leak detection is off: R
# itself does not free everything at exit.
sanitize: deps-test
	tools/sanitize.sh "$(SANITIZE_DIR)"

clean:
	rm -rf build "$(REPORT_DIR)" $(PKG).Rcheck $(PKG)_*.tar.gz inst/benchmarks/build
	rm -f src/*.o src/*.so src/*.dll
