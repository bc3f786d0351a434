# Multilayer perceptrons whose output layer is a likelihood of the family
# core, trained in C++ (nn/): fit_mlp() for one network, deep_ensemble() for
# several trained from derived seeds, MC dropout through predict().

#' Training settings of an MLP beyond the common ones
#'
#' @param patience With `validation > 0`: stop after this many epochs
#'   without a lower validation loss, and keep the best epoch's weights.
#' @param momentum Momentum of `optimizer = "sgd"` (0: plain gradient steps).
#' @param beta_nll The \eqn{\beta}{beta}-NLL weighting of Seitzer et al.
#'   (2022) for heads that predict a variance: each row's gradient is
#'   multiplied by its predicted variance to the power `beta_nll` (held
#'   constant), so that rows with a large predicted variance are not
#'   ignored by the mean. 0 is the plain negative log-likelihood, 0.5 the
#'   authors' recommendation.
#' @param warmup_epochs For heads with several outputs
#'   ([lik_gaussian_hetero()]): the first `warmup_epochs` epochs fit the
#'   first output (the mean) alone, the others held at 0 (a unit variance
#'   on the standardised scale, so least squares), before the variance is
#'   learned.
#' @param standardize Standardise the inputs, and a Gaussian response, to
#'   mean 0 and sd 1 before training; predictions are on the original scale
#'   either way.
#' @param ... Not used: a misspelled setting is an error.
#' @return A list of class `probml_mlp_control`.
#' @seealso [fit_mlp()]
#' @examples
#' mlp_control(patience = 10, beta_nll = 0.5)
#' @export
mlp_control <- function(patience = 20L, momentum = 0, beta_nll = 0, warmup_epochs = 0L, standardize = TRUE, ...) {
  check_dots_empty(...)
  check_number(patience, "patience", lower = 1, upper = .Machine$integer.max, integer = TRUE)
  check_number(momentum, "momentum", lower = 0, upper = 0.999)
  check_number(beta_nll, "beta_nll", lower = 0, upper = 1)
  check_number(warmup_epochs, "warmup_epochs", lower = 0, upper = .Machine$integer.max, integer = TRUE)
  check_flag(standardize, "standardize")
  structure(list(patience = as.integer(patience), momentum = momentum, beta_nll = beta_nll,
                 warmup_epochs = as.integer(warmup_epochs), standardize = standardize),
            class = "probml_mlp_control")
}

#' Fit a multilayer perceptron with a likelihood head
#'
#' `fit_mlp()` trains a small fully connected network in C++: affine layers
#' with ReLU or tanh activations, optional dropout after each hidden layer,
#' and an output layer that predicts the linear predictors of a probml
#' likelihood (its "head"). The loss is that likelihood's mean negative
#' log-likelihood, minimised by minibatch Adam or SGD; nothing is
#' downloaded and no deep-learning framework is needed.
#'
#' Heads are the families whose every parameter the network can predict
#' per row: [lik_gaussian()] (with `sigma` given, or estimated after
#' training as the root mean squared training residual, the ML estimate
#' given the network), [lik_gaussian_hetero()] (a mean and a log-variance
#' per row), [lik_bernoulli()], [lik_categorical()] and [lik_poisson()].
#'
#' **Weight decay is a prior.** The objective is the mean negative
#' log-likelihood plus `weight_decay / 2` times the sum of squared weights
#' (biases are not penalised), so training finds the MAP estimate under
#' independent \eqn{N(0, 1 / (n \cdot weight\_decay))}{N(0, 1 / (n * weight_decay))}
#' priors on the weights of the standardised network, \eqn{n} being the
#' total training weight.
#'
#' Inputs (and a Gaussian response) are standardised with the training
#' rows' means and standard deviations (see [mlp_control()]); the scaling
#' is stored and undone by [predict()][predict.probml_mlp()]. With
#' `validation > 0` a random fraction of the rows is held out, the
#' validation loss is recorded each epoch, and training stops when it has
#' not improved for `patience` epochs, keeping the best weights.
#'
#' Everything random (initial weights, the validation split, minibatch
#' order, dropout masks) comes from one stream of `seed`, so a fit is
#' reproducible and does not depend on `n_threads`.
#'
#' The network's layers compute in single precision (float32, PyTorch's
#' default), which doubles the arithmetic per vector instruction; the
#' likelihood head, the loss, the optimiser's step sizes and every
#' prediction are double precision. Weights are therefore accurate to about
#' 1e-6 relative, far below the sampling error of any network.
#'
#' @param formula A model formula `y ~ x1 + x2`; factors are expanded by
#'   [model.matrix()] and the intercept is the output layer's bias.
#' @param data A data frame holding the variables.
#' @param family The likelihood of the output layer (see Details).
#' @param hidden Units in each hidden layer; `integer(0)` (or 0) for none,
#'   which makes the network a generalised linear model.
#' @param activation `"relu"` or `"tanh"`.
#' @param dropout Probability of dropping each hidden unit during training
#'   (inverted dropout), in \[0, 1). Needed for MC dropout
#'   (`predict(type = "uncertainty")`).
#' @param epochs Passes over the training rows.
#' @param batch_size Rows per gradient step; `NULL` or at least the number
#'   of rows for full-batch training.
#' @param optimizer `"adam"` (as `torch.optim.Adam`) or `"sgd"`.
#' @param lr Learning rate.
#' @param weight_decay Strength of the Gaussian prior on the weights (see
#'   Details).
#' @param validation Fraction of rows held out for early stopping, in \[0, 1).
#' @param seed A whole number, or `NULL` to draw one from R's generator (so
#'   [set.seed()] governs the fit).
#' @param weights Optional non-negative observation weights, evaluated in `data`.
#' @param subset,na.action As in [stats::model.frame()]. Rows with missing
#'   values are dropped by the default `na.omit`; with `na.action = na.pass`
#'   they are an error.
#' @param control Further settings from [mlp_control()].
#' @param n_threads Threads for the C++ core (members of an ensemble train
#'   in parallel); results do not depend on it.
#' @param x,y For `fit_mlp_xy()`: a numeric input matrix (no intercept
#'   column needed) and the response.
#' @param ... Not used: a misspelled argument is an error.
#' @return An object of class `probml_mlp`. Use [predict()][predict.probml_mlp()],
#'   [logLik()], [plot()][plot.probml_mlp()] (training curves) and
#'   [coef()][coef.probml_mlp()].
#' @seealso [deep_ensemble()] for several networks and their disagreement,
#'   [predict.probml_mlp()] for MC dropout, [bootstrap_ensemble()] for the
#'   uncertainty of a [fit_mle()] fit.
#' @examples
#' set.seed(1)
#' d <- data.frame(x = runif(200, -3, 3))
#' d$y <- sin(d$x) + rnorm(200, sd = 0.1)
#' fit <- fit_mlp(y ~ x, data = d, hidden = c(32, 32), epochs = 200, lr = 0.01)
#' fit
#' head(predict(fit, data.frame(x = c(-1, 0, 1))))
#' @export
fit_mlp <- function(formula, data, family = lik_gaussian(), hidden = c(64L, 64L), activation = c("relu", "tanh"),
                    dropout = 0, epochs = 100L, batch_size = 32L, optimizer = c("adam", "sgd"), lr = 1e-3,
                    weight_decay = 0, validation = 0, seed = NULL, weights, subset, na.action,
                    control = mlp_control(), n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  if (missing(data)) data <- NULL
  settings <- mlp_settings(family, hidden, if (missing(activation)) "relu" else activation, dropout, epochs,
                           batch_size, if (missing(optimizer)) "adam" else optimizer, lr, weight_decay, validation,
                           control, n_threads)
  inp <- mlp_formula_inputs(match.call(), parent.frame(), formula, data, settings, missing(na.action),
                            if (!missing(na.action)) na.action)
  mlp_train(inp, settings, members = 1L, seed = seed, call = match.call())
}

#' @rdname fit_mlp
#' @export
fit_mlp_xy <- function(x, y, family = lik_gaussian(), hidden = c(64L, 64L), activation = c("relu", "tanh"),
                       dropout = 0, epochs = 100L, batch_size = 32L, optimizer = c("adam", "sgd"), lr = 1e-3,
                       weight_decay = 0, validation = 0, seed = NULL, weights = NULL, control = mlp_control(),
                       n_threads = getOption("probml.threads", 2L), ...) {
  check_dots_empty(...)
  settings <- mlp_settings(family, hidden, if (missing(activation)) "relu" else activation, dropout, epochs,
                           batch_size, if (missing(optimizer)) "adam" else optimizer, lr, weight_decay, validation,
                           control, n_threads)
  inp <- mlp_xy_inputs(x, y, weights, settings)
  mlp_train(inp, settings, members = 1L, seed = seed, call = match.call())
}

#' Deep ensembles: several networks and their disagreement
#'
#' `deep_ensemble()` trains `members` networks of the same architecture
#' (Lakshminarayanan et al. 2017), each from its own random stream of one
#' seed (initial weights, minibatch order, dropout), in parallel threads.
#' Their average is the ensemble's prediction and their disagreement its
#' epistemic uncertainty: `predict(ens, newdata, type = "uncertainty")`
#' splits the predictive variance (or entropy) into the part the members
#' agree is noise (aleatoric) and the part they disagree on (epistemic).
#'
#' Members run in threads of the C++ core, interleaved in slices of about
#' 0.1 s: an interrupt (Esc or Ctrl-C) returns to the prompt within a
#' second, with no threads left running. A progress bar is shown in
#' interactive sessions (`options(probml.progress = FALSE)` hides it).
#' Under a [future::plan()] other than sequential, members run as one
#' future each through \pkg{future.apply} (so a cluster plan takes them
#' across machines); the members are the same either way.
#'
#' @inheritParams fit_mlp
#' @param members Number of networks, at least 2.
#' @param ... Arguments of [fit_mlp()] (`family`, `hidden`, `epochs`, ...);
#'   any other name is an error.
#' @return An object of class `probml_deep_ensemble` (also a `probml_mlp`).
#' @seealso [predict.probml_mlp()], [bootstrap_ensemble()], [fit_mlp()].
#' @examples
#' set.seed(2)
#' d <- data.frame(x = c(runif(100, -3, -1), runif(100, 1, 3)))
#' d$y <- d$x + rnorm(200, sd = 0.2 + 0.2 * abs(d$x))
#' ens <- deep_ensemble(y ~ x, data = d, members = 3, family = lik_gaussian_hetero(),
#'                      hidden = 16, epochs = 100, lr = 0.01)
#' u <- predict(ens, data.frame(x = seq(-4, 4, by = 2)), type = "uncertainty")
#' u
#' @export
deep_ensemble <- function(formula, data, members = 5L, ...) {
  # weights and subset are columns of data: left for model.frame() to evaluate.
  exprs <- eval(substitute(alist(...)))
  mlp_dots(exprs, "deep_ensemble")
  env <- parent.frame()
  args <- lapply(exprs[setdiff(names(exprs), c("weights", "subset"))], eval, envir = env)
  check_number(members, "members", lower = 2, upper = 10000, integer = TRUE)
  if (missing(data)) data <- NULL
  settings <- do.call(mlp_settings_from, args)
  mcall <- match.call()
  inp <- mlp_formula_inputs(mcall, env, formula, data, settings, is.null(args$na.action), args$na.action)
  mlp_train(inp, settings, members = as.integer(members), seed = args$seed, call = mcall)
}

#' @rdname deep_ensemble
#' @export
deep_ensemble_xy <- function(x, y, members = 5L, ...) {
  args <- mlp_dots(list(...), "deep_ensemble_xy", formula_args = FALSE)
  check_number(members, "members", lower = 2, upper = 10000, integer = TRUE)
  settings <- do.call(mlp_settings_from, args)
  inp <- mlp_xy_inputs(x, y, args$weights, settings)
  mlp_train(inp, settings, members = as.integer(members), seed = args$seed, call = match.call())
}

# The arguments of fit_mlp() given through `...`, checked by name.
mlp_dots <- function(dots, fn, formula_args = TRUE, call = rlang::caller_env()) {
  allowed <- setdiff(names(formals(fit_mlp)), c("formula", "data", "...", if (!formula_args) c("subset", "na.action")))
  given <- names(dots) %||% rep("", length(dots))
  if (any(!nzchar(given))) {
    abort_probml("unused_argument", "{.fn {fn}} takes the arguments of {.fn fit_mlp} by name; {sum(!nzchar(given))} {?is/are} unnamed.",
                 call = call)
  }
  bad <- setdiff(given, allowed)
  if (length(bad)) {
    abort_probml("unused_argument", c("{.arg {bad}} {?is/are} not {?an argument/arguments} of {.fn {fn}} or {.fn fit_mlp}.",
                                      did_you_mean(bad, allowed)), call = call)
  }
  dots
}

# mlp_settings() from fit_mlp()'s defaults overridden by `...`.
mlp_settings_from <- function(family = lik_gaussian(), hidden = c(64L, 64L), activation = "relu", dropout = 0,
                              epochs = 100L, batch_size = 32L, optimizer = "adam", lr = 1e-3, weight_decay = 0,
                              validation = 0, control = mlp_control(), n_threads = getOption("probml.threads", 2L),
                              seed = NULL, weights = NULL, subset = NULL, na.action = NULL) {
  mlp_settings(family, hidden, activation, dropout, epochs, batch_size, optimizer, lr, weight_decay, validation,
               control, n_threads, call = rlang::caller_env(2))
}

# Every setting checked, once, for all the entry points.
mlp_settings <- function(family, hidden, activation, dropout, epochs, batch_size, optimizer, lr, weight_decay,
                         validation, control, n_threads, call = rlang::caller_env()) {
  family <- as_probml_family(family, call = call)
  info <- family_info(family)
  # A Gaussian sigma to estimate is fitted after the network (see mlp_train()).
  head_info <- if (info$least_squares && is.null(family$sigma)) family_info(utils::modifyList(family, list(sigma = 1))) else info
  if (!head_info$network_head) {
    abort_probml("unsupported", c("{info$label} cannot be the output of a network: it has parameters shared by all rows.",
                                  i = "The heads are {.fn lik_gaussian}, {.fn lik_gaussian_hetero}, {.fn lik_bernoulli}, {.fn lik_categorical} and {.fn lik_poisson}."),
                 call = call)
  }
  if (!is.numeric(hidden) || anyNA(hidden) || any(hidden != round(hidden)) || is.object(hidden)) {
    abort_probml("type", "{.arg hidden} must be whole numbers of units per hidden layer, not {.obj_type_friendly {hidden}}.", call = call)
  }
  if (length(hidden) == 1L && hidden == 0) hidden <- integer(0)
  if (any(hidden <= 0)) {
    abort_probml("value", "{.arg hidden} must give at least one unit per hidden layer, not {hidden[hidden <= 0][1]}; use {.code hidden = 0} for none.",
                 call = call)
  }
  check_choice(activation, c("relu", "tanh"), "activation", call = call)
  check_number(dropout, "dropout", call = call)
  if (dropout < 0 || dropout >= 1) abort_probml("value", "{.arg dropout} must be in [0, 1), not {dropout}: it is the probability of dropping a unit, and a network that drops every unit predicts nothing.", call = call)
  if (dropout > 0 && !length(hidden)) abort_probml("unsupported", "{.arg dropout} needs a hidden layer to act on.", call = call)
  check_number(epochs, "epochs", lower = 1, upper = .Machine$integer.max, integer = TRUE, call = call)
  check_number(batch_size, "batch_size", lower = 1, upper = 2^52, integer = TRUE, allow_null = TRUE, call = call)
  check_choice(optimizer, c("adam", "sgd"), "optimizer", call = call)
  check_number(lr, "lr", positive = TRUE, call = call)
  check_number(weight_decay, "weight_decay", lower = 0, call = call)
  check_number(validation, "validation", call = call)
  if (validation < 0 || validation >= 1) abort_probml("value", "{.arg validation} must be in [0, 1), not {validation}: it is the fraction of rows held out, and some must be left to train on.", call = call)
  if (!inherits(control, "probml_mlp_control")) {
    if (!is.list(control)) abort_probml("type", "{.arg control} must come from {.fn mlp_control}, not {.obj_type_friendly {control}}.", call = call)
    control <- do.call(mlp_control, control)
  }
  if (control$warmup_epochs > 0 && info$n_linear < 2L) {
    abort_probml("unsupported", "{.code warmup_epochs} needs a head with several outputs, such as {.fn lik_gaussian_hetero}; {info$label} has one.", call = call)
  }
  n_threads <- check_threads(n_threads, call = call)
  list(family = family, info = info, n_threads = n_threads,
       architecture = list(hidden = as.integer(hidden), activation = activation, dropout = dropout),
       options = list(optimizer = optimizer, lr = lr, momentum = control$momentum, weight_decay = weight_decay,
                      epochs = as.integer(epochs), batch_size = as.double(batch_size %||% 0), validation = validation,
                      patience = control$patience, beta_nll = control$beta_nll, warmup_epochs = control$warmup_epochs),
       control = control)
}

# Inputs of a formula entry: the design without its intercept (the output
# bias plays that part), the response and the weights.
mlp_formula_inputs <- function(mcall, env, formula, data, settings, missing_na_action, na.action, call = rlang::caller_env()) {
  info <- settings$info
  if (inherits(formula, "formula")) {
    rhs <- formula[[length(formula)]]
    if (is.call(rhs) && identical(rhs[[1L]], as.name("|"))) {
      abort_probml("formula", "{.arg formula} must not use {.code |}: every output of the network is predicted from the same inputs.", call = call)
    }
  }
  fr <- formula_frame(mcall, env, formula, data, utils::modifyList(info, list(n_formula_parts = 1L)),
                      missing_na_action, na.action, call = call)
  if (length(fr$offset)) abort_probml("unsupported", "{.fn fit_mlp} does not take an offset.", call = call)
  X <- fr$designs[[1]]
  if (inherits(X, "probml_columns")) X <- model.matrix(fr$terms[[1]], fr$frame)
  inp <- mlp_inputs(X, fr$y, fr$weights, settings, fr$arg_y, call = call)
  inp$formula <- formula
  inp$terms <- fr$terms
  inp$frame_terms <- attr(fr$frame, "terms")
  inp$xlevels <- .getXlevels(attr(fr$frame, "terms"), fr$frame)
  inp$contrasts <- list(attr(X, "contrasts"))
  inp$na.action <- attr(fr$frame, "na.action")
  inp
}

mlp_xy_inputs <- function(x, y, weights, settings, call = rlang::caller_env()) {
  inp <- xy_inputs(x, y, NULL, utils::modifyList(settings$info, list(n_formula_parts = 1L)), call = call)
  inp <- mlp_inputs(inp$designs[[1]], inp$y, weights, settings, "y", call = call)
  inp$xy <- TRUE
  inp
}

# The checked, coded inputs shared by both entries.
mlp_inputs <- function(X, y, weights, settings, arg_y, call) {
  scan_designs(list(X), "input", call = call)
  input_names <- setdiff(design_colnames(X), "(Intercept)")
  X <- X[, input_names, drop = FALSE]
  if (!length(input_names)) abort_probml("formula", "The network needs at least one input; the formula has none.", call = call)
  out <- outcome_inputs(y, settings$family, weights, nrow(X), arg_y, call = call)
  attr(X, "assign") <- NULL
  attr(X, "contrasts") <- NULL
  list(X = X, y = out$response$y, levels = out$response$levels, weights = out$weights, input_names = input_names,
       response_class = class(y))
}

# Trains the members (threads in the core, or one future each under a
# parallel plan) and assembles the probml_mlp.
mlp_train <- function(inp, settings, members, seed, call, env = rlang::caller_env()) {
  seed <- core_seed(seed, call = env)
  family <- settings$family
  info <- family_info(family, inp$levels)
  # A Gaussian head with sigma to estimate trains on squared error (a unit
  # sigma on the standardised scale); sigma is its ML value afterwards.
  estimate_sigma <- info$least_squares && is.null(family$sigma)
  train_family <- family
  if (estimate_sigma) train_family$sigma <- if (settings$control$standardize) stats::sd(inp$y[inp$weights > 0]) else 1
  if (estimate_sigma && !(train_family$sigma > 0)) train_family$sigma <- 1
  spec <- family_spec(train_family, inp$levels)
  arch <- c(list(n_inputs = ncol(inp$X), n_outputs = info$n_linear), settings$architecture)
  std <- settings$control$standardize
  train <- function(streams, progress = NULL) {
    call_core(cpp_mlp_train(inp$X, inp$y, inp$weights, spec, arch, settings$options, std, std, streams, seed,
                            settings$n_threads, progress), call = env)
  }
  streams <- seq_len(members) - 1L
  if (members > 1L && isTRUE(getOption("probml.use_future", TRUE)) && parallel_plan()) {
    runs <- future.apply::future_lapply(streams, train, future.seed = NULL)
    core <- list(scaling = runs[[1]]$scaling, members = lapply(runs, function(r) r$members[[1]]))
  } else {
    core <- with_progress(if (members > 1L) sprintf("Training %d networks", members) else "Training the network",
                          members * settings$options$epochs, function(tick) train(streams, tick))
  }
  fit <- structure(list(
    call = call, family = family, levels = inp$levels, architecture = arch, options = settings$options,
    control = settings$control, n_threads = settings$n_threads, seed = seed, scaling = core$scaling,
    members = lapply(core$members, `[[`, "params"),
    history = lapply(core$members, function(m) list(train = m$train_loss, valid = m$valid_loss, best_epoch = m$best_epoch,
                                                    epochs_run = m$epochs_run, stopped_early = m$stopped_early)),
    input_names = inp$input_names, y = inp$y, prior_weights = inp$weights, design = inp$X, x = if (isTRUE(inp$xy)) list(inp$X),
    formula = inp$formula, terms = inp$terms, frame_terms = inp$frame_terms, xlevels = inp$xlevels,
    contrasts = inp$contrasts, na.action = inp$na.action, response_class = inp$response_class, nobs = sum(inp$weights > 0)
  ), class = c(if (members > 1L) "probml_deep_ensemble", "probml_mlp"))
  if (estimate_sigma) {
    # The ML sigma of each member given its network.
    fit$sigma <- rep(train_family$sigma, members)
    pred <- mlp_core_predict(fit, fit$design, dropout = FALSE)
    r2 <- (fit$y - matrix(pred$outputs[, 1L, ], nrow(fit$design)))^2
    fit$sigma <- sqrt(colSums(r2 * fit$prior_weights) / sum(fit$prior_weights))
  }
  fit
}

# The family of each member as the core evaluates it: a sigma estimated
# after training is filled in per member.
member_family_spec <- function(object, k) {
  fam <- object$family
  if (!is.null(object$sigma)) fam$sigma <- object$sigma[[k]]
  family_spec(fam, object$levels)
}

# Core predictions on a design (rows with missing inputs excluded by the
# caller): outputs (n x m x S), means (n x c x S) and variances (n x S) per
# member, or per member and MC dropout sample (member k's sample s is draw
# (k - 1) * samples + s), and with y given each row's weighted nll (n x S).
mlp_core_predict <- function(object, X, dropout, samples = 1L, seed = 0, y = NULL, w = NULL) {
  families <- lapply(seq_along(object$members), member_family_spec, object = object)
  call_core(cpp_mlp_predict(families, object$architecture, object$scaling, object$members, X, as.integer(samples),
                            dropout, seed, object$n_threads, y, w))
}


#' Predict from an MLP or a deep ensemble, with MC dropout
#'
#' For a deep ensemble the prediction is the members' average; for a
#' single network it is the network with dropout off. `type =
#' "uncertainty"` returns the decomposition of [probml_uncertainty]:
#' for a deep ensemble over its members; for a network trained with
#' dropout by **MC dropout** (Gal & Ghahramani 2016): dropout stays on and
#' `samples` stochastic forward passes are the members. A deep ensemble of
#' dropout networks with `samples` given uses `samples` passes per member.
#'
#' @param object A `probml_mlp` from [fit_mlp()] or [deep_ensemble()].
#' @param newdata A data frame with the inputs (formula fits) or a numeric
#'   matrix with the columns of `x` (matrix fits). Omitted: the training data.
#' @param type `"response"`: the mean of y (class probabilities for the
#'   categorical head, P(y = 1) for the Bernoulli); `"prob"`, `"class"` as
#'   for [predict.probml_fit()]; `"link"`: the network's outputs (a single
#'   network only); `"members"`: each member's (or sample's) mean;
#'   `"uncertainty"`: a `probml_uncertainty` data frame with the mean and the
#'   total, aleatoric and epistemic standard deviations and a prediction
#'   interval (regression), or the probabilities, total entropy, expected
#'   entropy (aleatoric) and mutual information (epistemic) (classification).
#' @param samples MC dropout passes (at least 2); `NULL`: 100 for a single
#'   network, none (members only) for an ensemble.
#' @param level Coverage of the prediction interval.
#' @param seed Seed of the dropout masks, or `NULL` to draw one from R's
#'   generator.
#' @param na.action What to do with missing inputs in `newdata`; `na.pass`
#'   returns `NA` for those rows.
#' @param ... Not used: a misspelled argument is an error.
#' @return A vector, a matrix, an array (`"members"`) or a `probml_uncertainty`
#'   data frame.
#' @seealso [fit_mlp()], [deep_ensemble()], [plot.probml_uncertainty()].
#' @examples
#' set.seed(3)
#' d <- data.frame(x = runif(100, -3, 3))
#' d$y <- sin(d$x) + rnorm(100, sd = 0.1)
#' fit <- fit_mlp(y ~ x, data = d, hidden = c(32, 32), dropout = 0.2, epochs = 100, lr = 0.01)
#' u <- predict(fit, data.frame(x = c(0, 4)), type = "uncertainty", samples = 50)
#' u
#' @export
predict.probml_mlp <- function(object, newdata, type = c("response", "link", "prob", "class", "members", "uncertainty"),
                               samples = NULL, level = 0.95, seed = NULL, na.action = na.pass, ...) {
  check_dots_empty(...)
  type <- if (missing(type)) "response" else check_choice(type, c("response", "link", "prob", "class", "members", "uncertainty"), "type")
  info <- family_info(object$family, object$levels)
  discrete <- info$response %in% c("binary", "classes")
  if (type %in% c("prob", "class") && !discrete) {
    abort_probml("unsupported", "{.code type = \"{type}\"} needs a discrete response; {info$label} has a continuous one.")
  }
  K <- length(object$members)
  if (type == "link" && K > 1L) {
    abort_probml("unsupported", "{.code type = \"link\"} is for a single network; the members of an ensemble have one each ({.code type = \"members\"}).")
  }
  check_number(samples, "samples", lower = 2, upper = 1e6, integer = TRUE, allow_null = TRUE)
  check_level(level)
  dropout <- object$architecture$dropout
  mc <- type %in% c("uncertainty", "members") && (K == 1L || !is.null(samples))
  if (mc && dropout == 0) {
    abort_probml("unsupported", c(if (K == 1L) "A single network without dropout has no spread to show." else "{.arg samples} needs networks trained with dropout.",
                                  i = "Train with {.code dropout > 0} for MC dropout, or use {.fn deep_ensemble}."))
  }
  if (!is.null(samples) && !mc) abort_probml("unsupported", "{.arg samples} is used by {.code type = \"uncertainty\"} and {.code \"members\"} only.")
  if (mc && is.null(samples)) samples <- 100L
  if (missing(newdata)) newdata <- NULL
  new <- mlp_newdata(object, newdata, na.action)
  ok <- stats::complete.cases(new$X)
  mc_seed <- if (mc) core_seed(seed) else 0
  core <- mlp_core_predict(object, new$X[ok, , drop = FALSE], dropout = mc, samples = if (mc) samples else 1L, seed = mc_seed)
  n <- nrow(new$X)
  S <- dim(core$mean)[3]
  pad_rows <- function(m) {
    d <- dim(m)
    full <- array(NA_real_, c(n, d[-1]))
    if (length(d) == 2L) full[ok, ] <- m else full[ok, , ] <- m
    full
  }
  means <- pad_rows(core$mean)
  labels <- class_labels(object, info)
  if (type == "uncertainty") {
    members <- ensemble_members(means, pad_rows(core$variance), info, labels)
    method <- if (mc && K > 1L) sprintf("deep ensemble of %d networks with MC dropout (%d passes each)", K, samples)
              else if (mc) sprintf("MC dropout (%d passes)", samples) else sprintf("deep ensemble (%d networks)", K)
    # plot() draws the bands over an input of these rows
    shown <- if (is.data.frame(newdata)) newdata else as.data.frame(if (is.null(newdata)) object$design else newdata)
    out <- uncertainty_table(members, level = level, newdata = shown, method = method)
    return(out)
  }
  if (type == "members") return(if (dim(means)[2] == 1L) matrix(means[, 1L, ], n) else means)
  if (type == "link") {
    U <- pad_rows(core$outputs)[, , 1L]
    U <- matrix(U, n)
    if (ncol(U) == 1L) return(drop(U))
    colnames(U) <- info$linear_predictor_names
    return(U)
  }
  avg <- apply(means, c(1L, 2L), mean)
  if (ncol(avg) > 1L) colnames(avg) <- labels
  value <- if (ncol(avg) == 1L) avg[, 1L] else avg
  value <- pad_prediction(value, new$na.action)
  if (type != "class") return(value)
  cls <- if (is.matrix(value)) max.col(replace(value, is.na(value), -Inf), ties.method = "first")
         else as.integer(value > 0.5) + 1L
  cls[if (is.matrix(value)) is.na(value[, 1L]) else is.na(value)] <- NA
  factor(labels[cls], levels = labels)
}

# The input matrix for new data (or the training data), and the na.action
# that puts omitted rows back.
mlp_newdata <- function(object, newdata, na.action, call = rlang::caller_env()) {
  if (is.null(newdata)) return(list(X = object$design, na.action = object$na.action))
  if (is.data.frame(newdata) && is.null(object[["x"]])) {
    missing_vars <- setdiff(all.vars(delete.response(object$frame_terms)), names(newdata))
    if (length(missing_vars)) {
      abort_probml("newdata", "{.arg newdata} lacks the variable{?s} {.field {missing_vars}} the network was trained on.", call = call)
    }
  }
  new <- prediction_inputs(object, newdata, na.action, call = call)
  X <- new$parts[[1]]
  list(X = X[, object$input_names, drop = FALSE], na.action = new$na.action)
}

#' @export
print.probml_mlp <- function(x, digits = 4L, ...) {
  check_dots_empty(...)
  a <- x$architecture
  info <- family_info(x$family, x$levels)
  K <- length(x$members)
  head_label <- if (!is.null(x$sigma)) sprintf("%s (sigma estimated: %s)", info$label, paste(format(x$sigma, digits = 3), collapse = ", ")) else info$label
  cat(if (K > 1L) sprintf("A deep ensemble of %d multilayer perceptrons\n", K) else "A multilayer perceptron\n")
  cat(sprintf("  layers: %d input%s -> %s -> %d output%s (%s)\n", a$n_inputs, if (a$n_inputs == 1L) "" else "s",
              if (length(a$hidden)) paste(a$hidden, collapse = " -> ") else "no hidden layer",
              a$n_outputs, if (a$n_outputs == 1L) "" else "s", a$activation))
  cat(sprintf("  head: %s\n", head_label))
  if (a$dropout > 0) cat(sprintf("  dropout: %s after each hidden layer\n", format(a$dropout)))
  o <- x$options
  cat(sprintf("  training: %s, lr = %s, %s, weight decay %s, %d observations\n", o$optimizer, format(o$lr),
              if (o$batch_size > 0 && o$batch_size < x$nobs) sprintf("batches of %d", as.integer(o$batch_size)) else "full batch",
              format(o$weight_decay), as.integer(x$nobs)))
  epochs <- vapply(x$history, `[[`, 0L, "epochs_run")
  train <- vapply(x$history, function(h) h$train[h$epochs_run], 0)
  cat(sprintf("  epochs: %s%s\n", paste(unique(range(epochs)), collapse = "-"),
              if (any(vapply(x$history, `[[`, TRUE, "stopped_early"))) " (early stopping)" else ""))
  cat(sprintf("  final training loss (mean nll, standardised scale): %s\n", paste(unique(format(range(train), digits = digits)), collapse = " to ")))
  if (length(x$history[[1]]$valid)) {
    best <- vapply(x$history, function(h) h$valid[h$best_epoch], 0)
    cat(sprintf("  best validation loss: %s\n", paste(unique(format(range(best), digits = digits)), collapse = " to ")))
  }
  invisible(x)
}

#' @export
nobs.probml_mlp <- function(object, ...) object$nobs

#' Log-likelihood of an MLP on its training data
#'
#' For a single network, the log-likelihood of the training data under its
#' predictions; for a deep ensemble, under the ensemble's predictive
#' distribution, the equal mixture of the members' (the likelihood that
#' the ensemble is judged by). `df` counts every weight and bias (of all
#' members), so AIC and BIC are not the usual trade-offs for networks.
#'
#' @param object A `probml_mlp`.
#' @param ... Not used.
#' @return A `logLik` object.
#' @seealso [fit_mlp()]
#' @examples
#' fit <- fit_mlp(dist ~ speed, data = cars, hidden = 8, epochs = 50, lr = 0.01, seed = 1)
#' logLik(fit)
#' @export
logLik.probml_mlp <- function(object, ...) {
  check_dots_empty(...)
  w <- object$prior_weights
  core <- mlp_core_predict(object, object$design, dropout = FALSE, y = object$y, w = w)
  used <- w > 0
  nll <- core$nll[used, , drop = FALSE] / w[used]
  # log of the mean of exp(-nll) over members, stably
  m <- apply(-nll, 1L, max)
  ll <- sum(w[used] * (m + log(rowMeans(exp(-nll - m)))))
  n_par <- sum(vapply(object$members, function(p) sum(lengths(p$W)) + sum(lengths(p$b)), 0)) + length(object$sigma)
  structure(ll, df = n_par, nobs = object$nobs, class = "logLik")
}

#' Coefficients of a network without hidden layers
#'
#' A network with `hidden = 0` is a generalised linear model; `coef()`
#' returns its coefficients on the original scale of the inputs and
#' response (so they compare with [fit_mle()] or [glm()]), one row per
#' member for an ensemble. For networks with hidden layers the weights have
#' no such reading; `coef()` returns each member's weight matrices and
#' bias vectors (standardised scale) as lists.
#'
#' @param object A `probml_mlp`.
#' @param ... Not used.
#' @return A named vector, a matrix (one row per member) or a list.
#' @seealso [fit_mlp()]
#' @examples
#' fit <- fit_mlp(dist ~ speed, data = cars, hidden = 0, optimizer = "sgd", lr = 0.1,
#'                batch_size = NULL, epochs = 500, seed = 1)
#' rbind(mlp = coef(fit), lm = coef(lm(dist ~ speed, data = cars)))
#' @export
coef.probml_mlp <- function(object, ...) {
  check_dots_empty(...)
  if (length(object$architecture$hidden)) return(object$members)
  info <- family_info(object$family, object$levels)
  s <- object$scaling
  one <- function(p) {
    W <- p$W[[1]]
    out <- lapply(seq_len(nrow(W)), function(j) {
      slope <- s$out_scale[j] * W[j, ] / s$x_scale
      c(s$out_shift[j] + s$out_scale[j] * p$b[[1]][j] - sum(slope * s$x_center), slope)
    })
    nm <- c("(Intercept)", object$input_names)
    prefixes <- if (length(info$coefficient_prefixes) == nrow(W)) info$coefficient_prefixes else paste0(info$linear_predictor_names, ":")
    stats::setNames(unlist(out), unlist(lapply(seq_len(nrow(W)), function(j) paste0(prefixes[j], nm))))
  }
  coefs <- lapply(object$members, one)
  if (length(coefs) == 1L) return(coefs[[1]])
  do.call(rbind, coefs)
}

#' Training curves of an MLP
#'
#' Plots the training loss (mean negative log-likelihood per epoch, on the
#' standardised scale, with dropout on) of each member and, with a
#' validation split, the validation loss, marking the epoch whose weights
#' were kept.
#'
#' @param x A `probml_mlp`.
#' @param log Log scale for the loss axis (`"y"`) or none (`""`).
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @seealso [fit_mlp()]
#' @examples
#' fit <- fit_mlp(dist ~ speed, data = cars, hidden = 8, epochs = 60, lr = 0.01,
#'                validation = 0.2, seed = 1)
#' plot(fit)
#' @export
plot.probml_mlp <- function(x, log = "", ...) {
  h <- x$history
  train <- lapply(h, `[[`, "train")
  valid <- lapply(h, `[[`, "valid")
  all <- unlist(c(train, valid))
  all <- all[is.finite(all)]
  if (log == "y") all <- all[all > 0]
  has_valid <- length(unlist(valid)) > 0L
  graphics::plot(NA, xlim = c(1, max(lengths(train))), ylim = range(all), log = log, xlab = "Epoch",
                 ylab = "Mean negative log-likelihood (standardised scale)", main = "Training curves",
                 sub = if (length(h) > 1L) sprintf("one colour per member (%d members)", length(h)), ...)
  cols <- probml_palette(length(h))
  for (k in seq_along(h)) {
    graphics::lines(seq_along(train[[k]]), train[[k]], col = cols[k])
    if (has_valid) {
      graphics::lines(seq_along(valid[[k]]), valid[[k]], col = cols[k], lty = 2)
      graphics::points(h[[k]]$best_epoch, valid[[k]][h[[k]]$best_epoch], col = cols[k], pch = 19)
    }
  }
  graphics::legend("topright", bty = "n",
                   legend = c(if (x$architecture$dropout > 0) "training (dropout on)" else "training",
                              if (has_valid) c("validation", "kept epoch")),
                   lty = c(1, if (has_valid) c(2, NA)), pch = c(NA, if (has_valid) c(NA, 19)),
                   col = if (length(h) == 1L) cols[1] else "black")
  invisible(x)
}
