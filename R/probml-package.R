#' probml: the probabilistic view of machine learning
#'
#' Every loss is a likelihood: probml fits regression models by maximum
#' likelihood for ten likelihood families with a formula interface, on a
#' header-only C++ core.
#'
#' The number of threads used by the core defaults to
#' `getOption("probml.threads", 2)`.
#'
#' @keywords internal
#' @useDynLib probml, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom rlang .data
#' @importFrom stats AIC BIC as.formula coef confint delete.response fitted
#'   logLik model.frame model.matrix model.offset model.response model.weights
#'   na.omit nobs pchisq pnorm predict qchisq qnorm residuals sigma terms
#'   vcov uniroot .getXlevels napredict naresid na.pass
#' @importFrom graphics abline hist lines plot points
"_PACKAGE"
