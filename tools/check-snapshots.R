# Every abort_probml()/warn_probml() call site in R/ has a snapshot test:
# its message must appear, rendered, in tests/testthat/_snaps/.
#
#   Rscript tools/check-snapshots.R        (from the package root; `make test` runs it)
#
# A site's message template (the first bullet, glue and cli markup in
# braces) becomes a pattern: its literal text in order, anything in
# braces matching anything. Messages that are built elsewhere, or whose
# literal text is too short to identify them, count as covered when a
# snapshot records a condition of the site's class. Exit status 1 lists
# the sites without a snapshot.

args <- commandArgs(trailingOnly = TRUE)
root <- if (length(args)) args[1] else "."

sites <- list()
for (file in list.files(file.path(root, "R"), pattern = "[.]R$", full.names = TRUE)) {
  pd <- utils::getParseData(parse(file, keep.source = TRUE), includeText = TRUE)
  calls <- pd[pd$token == "SYMBOL_FUNCTION_CALL" & pd$text %in% c("abort_probml", "warn_probml"), ]
  for (i in seq_len(nrow(calls))) {
    # SYMBOL_FUNCTION_CALL -> expr (the function) -> expr (the call)
    call_id <- pd$parent[pd$id == pd$parent[pd$id == calls$id[i]]]
    text <- pd$text[pd$id == call_id]
    cl <- tryCatch(parse(text = text, keep.source = FALSE)[[1]], error = function(e) NULL)
    if (is.null(cl) || length(cl) < 3L || !is.character(cl[[2]])) next
    sites[[length(sites) + 1L]] <- list(file = basename(file), line = calls$line1[i],
                                        fun = calls$text[i], kind = cl[[2]], message = cl[[3]])
  }
}

# The headline of a message: a string, the first element of c(...), or the
# literal pieces of a paste0(); NULL when it is computed elsewhere.
headline <- function(m) {
  if (is.character(m)) return(m[1])
  if (!is.call(m)) return(NULL)
  f <- deparse1(m[[1]])
  if (f == "c") return(headline(m[[2]]))
  if (f %in% c("paste0", "paste", "sprintf")) {
    parts <- vapply(as.list(m)[-1], function(a) if (is.character(a)) a else "{}", "")
    return(paste(parts, collapse = ""))
  }
  NULL
}

# Literal text of a template, with every top-level {...} a gap.
literal_pieces <- function(template) {
  chars <- strsplit(template, "")[[1]]
  pieces <- character()
  current <- ""
  depth <- 0L
  for (ch in chars) {
    if (ch == "{") {
      if (depth == 0L) {
        pieces <- c(pieces, current)
        current <- ""
      }
      depth <- depth + 1L
    } else if (ch == "}") {
      depth <- max(0L, depth - 1L)
    } else if (depth == 0L) {
      current <- paste0(current, ch)
    }
  }
  pieces <- c(pieces, current)
  pieces <- gsub("\\s+", " ", pieces)
  pieces[nzchar(trimws(pieces))]
}

snap_files <- list.files(file.path(root, "tests", "testthat", "_snaps"), pattern = "[.]md$", full.names = TRUE)
lines <- unlist(lapply(snap_files, readLines, warn = FALSE))
classes <- unique(regmatches(lines, regexpr("probml_(error|warning)_[a-z_]+", lines)))
body <- sub("^\\s*([!xiv*]|\u2716|\u2139|\u2022|\u2714) ", "", trimws(lines))
text <- gsub("\\s+", " ", paste(body, collapse = " "))

covered <- vapply(sites, function(s) {
  class <- paste0(if (s$fun == "abort_probml") "probml_error_" else "probml_warning_", s$kind)
  h <- headline(s$message)
  pieces <- if (is.null(h)) character() else literal_pieces(h)
  if (sum(nchar(trimws(pieces))) < 12L) return(class %in% classes)
  pattern <- paste(vapply(trimws(pieces), function(p) gsub("([][{}()+*^$.|?\\\\])", "\\\\\\1", p), ""), collapse = ".*?")
  grepl(pattern, text, perl = TRUE)
}, TRUE)

cat(sprintf("check-snapshots: %d of %d abort/warn sites have a snapshot\n", sum(covered), length(covered)))
if (!all(covered)) {
  for (s in sites[!covered]) {
    h <- headline(s$message)
    cat(sprintf("  %s:%d  %s(\"%s\")  %s\n", s$file, s$line, s$fun, s$kind, if (is.null(h)) "<computed message>" else substr(h, 1, 90)))
  }
  quit(status = 1)
}
