# probml — developer entry points.
#
#   make demo    install everything, build the package, render the report
#   make test    install what checks need, R CMD build + R CMD check --as-cran
#   make bench   Google Benchmark suite of the C++ core + R timing script
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

REPORT_DIR ?= probml-report
CHECK_DIR  ?= build/check
BENCH_DIR  ?= build/bench

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

.PHONY: help deps deps-test document install demo test bench clean

help:
	@echo "make demo      deps + install + render the report to $(REPORT_DIR)/ (REPORT_DIR=...)"
	@echo "make test      deps + R CMD build + R CMD check --as-cran in $(CHECK_DIR)/"
	@echo "make bench     deps + install + C++ benchmarks ($(BENCH_DIR)/) + R timings"
	@echo "make install   deps + R CMD INSTALL ."
	@echo "make deps      install system and R dependencies (tools/install-deps.sh)"
	@echo "make document  Rcpp::compileAttributes() + roxygen2::roxygenise()"
	@echo "make clean     remove build products"

deps:
	tools/install-deps.sh all

deps-test:
	tools/install-deps.sh test

document:
	$(RSCRIPT) -e 'Rcpp::compileAttributes(); roxygen2::roxygenise()'

install: deps
	MAKEFLAGS=-j2 $(R) CMD INSTALL --preclean . && \
	  $(RSCRIPT) -e 'library(probml); cat("probml", format(packageVersion("probml")), "installed in", dirname(find.package("probml")), "\n")'

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

# R CMD check exits 0 on WARNINGs; the Status line decides. NOTEs are shown
# but do not fail. The testthat counts are echoed as "N passed, N failed".
test: deps-test
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

bench: install
	cmake -S inst/benchmarks -B "$(BENCH_DIR)" -DCMAKE_BUILD_TYPE=Release
	cmake --build "$(BENCH_DIR)" -j2
	"$(BENCH_DIR)/probml_bench"
	$(RSCRIPT) inst/benchmarks/bench-fit.R
	$(RSCRIPT) inst/benchmarks/bench-calibrate.R

clean:
	rm -rf build "$(REPORT_DIR)" $(PKG).Rcheck $(PKG)_*.tar.gz inst/benchmarks/build
	rm -f src/*.o src/*.so src/*.dll
