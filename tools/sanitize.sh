#!/usr/bin/env bash
# The testthat suite on a build of probml with AddressSanitizer and
# UndefinedBehaviorSanitizer. Any finding stops the run with its report
# (-fno-sanitize-recover) and makes this script fail.
#
#   tools/sanitize.sh [build/sanitize]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/build/sanitize}" && cd "${1:-$root/build/sanitize}" && pwd)"
lib="$out/lib"
rm -rf "$lib" && mkdir -p "$lib"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
cat > "$out/Makevars" <<MAKEVARS
CXXFLAGS = $flags
CXX17FLAGS = $flags
LDFLAGS = -fsanitize=address,undefined
MAKEVARS
echo "sanitize: building probml with $flags"
R_MAKEVARS_USER="$out/Makevars" MAKEFLAGS=-j2 R CMD INSTALL --preclean --no-test-load --library="$lib" "$root" \
  > "$out/install.log" 2>&1 || { tail -40 "$out/install.log"; exit 1; }
asan="$(gcc -print-file-name=libasan.so)"
echo "sanitize: running the testthat suite with $asan preloaded"
set +e
(cd "$root/tests/testthat" && \
  LD_PRELOAD="$asan" \
  ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  NOT_CRAN=true PROBML_LIB="$lib" \
  Rscript --no-init-file -e '
    suppressMessages(library(testthat))
    library(probml, lib.loc = Sys.getenv("PROBML_LIB"))
    res <- as.data.frame(test_dir(".", reporter = "summary", stop_on_failure = FALSE, load_package = "none"))
    cat("\nsanitize: tests:", sum(res$passed), "passed,", sum(res$failed), "failed,", sum(res$error), "errors\n")
    quit(status = as.integer(sum(res$failed) + sum(res$error) > 0))' ) > "$out/tests.log" 2>&1
rc=$?
set -e
tail -5 "$out/tests.log"
if grep -qE "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer" "$out/tests.log"; then
  grep -E -A30 "ERROR: AddressSanitizer|runtime error:" "$out/tests.log" | head -60
  echo "sanitize: FINDINGS (full log: $out/tests.log)"
  exit 1
fi
if [ "$rc" -ne 0 ]; then echo "sanitize: the test run failed (exit $rc; log: $out/tests.log)"; exit 1; fi
echo "sanitize: no ASAN or UBSAN finding (log: $out/tests.log)"
