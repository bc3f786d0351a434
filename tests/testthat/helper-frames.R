# Data frames of predictions for the data-frame front end's tests: a binary
# outcome with a probability column, a three-class outcome with one
# probability column per class (deliberately not in the order of the
# levels), weights, and two grouping columns.
sim_frame <- function(n = 240, seed = 1) {
  set.seed(seed)
  z <- rnorm(n)
  P <- exp(cbind(a = z, b = -z, c = 0.5 * z^2 - 0.5))
  P <- P / rowSums(P)
  d <- data.frame(
    g1 = rep(c("x", "y"), length.out = n),
    g2 = rep(c(2L, 1L, 1L), length.out = n),
    yb = rbinom(n, 1, plogis(1.5 * z)),
    pb = plogis(2.5 * z),
    zb = 2.5 * z,
    w = runif(n, 0.2, 2),
    stringsAsFactors = FALSE
  )
  d$yf <- factor(ifelse(d$yb == 1, "yes", "no"), levels = c("no", "yes"))
  d$yl <- d$yb == 1
  d$cls <- factor(apply(P, 1, function(p) sample(c("a", "b", "c"), 1, prob = p)), levels = c("a", "b", "c"))
  d$c <- P[, "c"]
  d$a <- P[, "a"]
  d$b <- P[, "b"]
  d
}

# The class probabilities of sim_frame() as a matrix in the order of the levels.
frame_prob_matrix <- function(d) as.matrix(d[c("a", "b", "c")])

# The row groups of sim_frame() by (g1, g2), in order of first appearance.
frame_group_rows <- function(d) {
  key <- paste(d$g1, d$g2)
  split(seq_len(nrow(d)), factor(key, levels = unique(key)))
}
