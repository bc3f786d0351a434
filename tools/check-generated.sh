#!/usr/bin/env bash
# The generated files (src/RcppExports.cpp, R/RcppExports.R, NAMESPACE and
# man/) must be what the sources generate: regenerate them in a copy of the
# tree, reading the package installed in the given library (by R CMD check),
# and compare.
#
#   tools/check-generated.sh build/check/probml.Rcheck
set -euo pipefail
lib="$(cd "$1" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$root/DESCRIPTION" "$root/NAMESPACE" "$root/R" "$root/src" "$root/man" "$root/inst" "$tmp/"
rm -f "$tmp"/src/*.o "$tmp"/src/*.so
(cd "$tmp" && PROBML_LIB="$lib" Rscript --no-init-file -e '
  .libPaths(c(Sys.getenv("PROBML_LIB"), .libPaths()))
  Rcpp::compileAttributes()
  suppressMessages(roxygen2::roxygenise(load_code = "installed"))' > "$tmp/roxygen.log" 2>&1) || {
  cat "$tmp/roxygen.log"; echo "check-generated: regenerating failed"; exit 1; }
status=0
for f in NAMESPACE R/RcppExports.R src/RcppExports.cpp man; do
  if ! diff -r -q "$root/$f" "$tmp/$f" > /dev/null; then
    echo "check-generated: $f is out of date; run 'make document' and commit:"
    diff -r -u "$root/$f" "$tmp/$f" | head -40 || true
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "check-generated: RcppExports, NAMESPACE and man/ are up to date"
exit "$status"
