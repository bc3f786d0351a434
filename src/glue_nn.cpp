// Rcpp glue for the MLP core (nn/): networks and their scaling to and from
// R lists, training of one or more members, predictions. No statistics here.
// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>
#include <probml/nn/train.hpp>

#include "glue_common.h"
#include "glue_family.h"

namespace {

using probml::nn::Matrix;
using probml::nn::Vector;

// list(n_inputs, hidden, n_outputs, activation, dropout)
probml::nn::Architecture as_architecture(const Rcpp::List& a) {
  probml::nn::Architecture out;
  out.n_inputs = Rcpp::as<int>(a["n_inputs"]);
  out.hidden = Rcpp::as<std::vector<int>>(a["hidden"]);
  out.n_outputs = Rcpp::as<int>(a["n_outputs"]);
  out.activation = probml::nn::parse_activation(Rcpp::as<std::string>(a["activation"]));
  out.dropout = Rcpp::as<double>(a["dropout"]);
  out.check();
  return out;
}

probml::nn::TrainOptions as_options(const Rcpp::List& o) {
  probml::nn::TrainOptions out;
  out.optimizer = probml::nn::parse_optimizer(Rcpp::as<std::string>(o["optimizer"]));
  out.lr = Rcpp::as<double>(o["lr"]);
  out.momentum = Rcpp::as<double>(o["momentum"]);
  out.weight_decay = Rcpp::as<double>(o["weight_decay"]);
  out.epochs = Rcpp::as<int>(o["epochs"]);
  out.batch_size = static_cast<long>(Rcpp::as<double>(o["batch_size"]));
  out.validation = Rcpp::as<double>(o["validation"]);
  out.patience = Rcpp::as<int>(o["patience"]);
  out.beta_nll = Rcpp::as<double>(o["beta_nll"]);
  out.warmup_epochs = Rcpp::as<int>(o["warmup_epochs"]);
  out.check();
  return out;
}

Rcpp::List scaling_to_r(const probml::nn::Scaling& s) {
  return Rcpp::List::create(Rcpp::Named("x_center") = Rcpp::wrap(s.x_center), Rcpp::Named("x_scale") = Rcpp::wrap(s.x_scale),
                            Rcpp::Named("y_center") = s.y_center, Rcpp::Named("y_scale") = s.y_scale,
                            Rcpp::Named("y_standardised") = s.y_standardised,
                            Rcpp::Named("out_shift") = Rcpp::wrap(s.out_shift),
                            Rcpp::Named("out_scale") = Rcpp::wrap(s.out_scale));
}

probml::nn::Scaling scaling_from_r(const Rcpp::List& r) {
  probml::nn::Scaling s;
  s.x_center = Rcpp::as<Vector>(r["x_center"]);
  s.x_scale = Rcpp::as<Vector>(r["x_scale"]);
  s.y_center = Rcpp::as<double>(r["y_center"]);
  s.y_scale = Rcpp::as<double>(r["y_scale"]);
  s.y_standardised = Rcpp::as<bool>(r["y_standardised"]);
  s.out_shift = Rcpp::as<Vector>(r["out_shift"]);
  s.out_scale = Rcpp::as<Vector>(r["out_scale"]);
  return s;
}

Rcpp::List params_to_r(const probml::nn::Parameters& p) {
  Rcpp::List W(p.W.size()), b(p.b.size());
  for (size_t l = 0; l < p.W.size(); ++l) {
    W[l] = Rcpp::wrap(Matrix(p.W[l].cast<double>()));
    b[l] = Rcpp::wrap(Vector(p.b[l].cast<double>()));
  }
  return Rcpp::List::create(Rcpp::Named("W") = W, Rcpp::Named("b") = b);
}

probml::nn::Parameters params_from_r(const Rcpp::List& r) {
  probml::nn::Parameters p;
  const Rcpp::List W = r["W"], b = r["b"];
  for (R_xlen_t l = 0; l < W.size(); ++l) {
    p.W.push_back(Rcpp::as<Matrix>(W[l]).cast<probml::nn::Real>());
    p.b.push_back(Rcpp::as<Vector>(b[l]).cast<probml::nn::Real>());
  }
  return p;
}

}  // namespace

// Trains one network per stream of seed on x (n x p)
// and y with weights w. Returns the scaling and, per member, its
// parameters and training curves.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mlp_train(const Eigen::Map<Eigen::MatrixXd> x, const Eigen::Map<Eigen::VectorXd> y,
                         const Eigen::Map<Eigen::VectorXd> w, Rcpp::List family, Rcpp::List architecture,
                         Rcpp::List options, bool standardize_x, bool standardize_y, Rcpp::IntegerVector streams, double seed,
                         int n_threads, Rcpp::Nullable<Rcpp::Function> progress = R_NilValue) {
  const probml::FamilySpec spec = probml_glue::to_spec(family);
  const auto head = probml::make_family(spec);
  probml::nn::check_head(*head);
  head->check_response(y);
  const auto arch = as_architecture(architecture);
  const auto opt = as_options(options);
  const probml::nn::Scaling s = probml::nn::make_scaling(x, y, w, *head, standardize_x, standardize_y);
  const auto train_head = probml::nn::training_head(spec, s);
  const Matrix Xs = probml::nn::standardised_inputs(x, s);
  const Vector ys = ((y.array() - s.y_center) / s.y_scale).matrix();
  const auto trained = probml::nn::train_members(arch, *train_head, Xs, ys, w, opt, static_cast<std::uint64_t>(seed),
                                                 std::vector<std::uint64_t>(streams.begin(), streams.end()), n_threads, probml_glue::r_callbacks(progress));
  Rcpp::List out(trained.size());
  for (size_t k = 0; k < trained.size(); ++k) {
    const auto& m = trained[k];
    out[k] = Rcpp::List::create(Rcpp::Named("params") = params_to_r(m.params),
                                Rcpp::Named("train_loss") = Rcpp::wrap(m.train_loss),
                                Rcpp::Named("valid_loss") = Rcpp::wrap(m.valid_loss),
                                Rcpp::Named("best_epoch") = m.best_epoch, Rcpp::Named("epochs_run") = m.epochs_run,
                                Rcpp::Named("stopped_early") = m.stopped_early);
  }
  return Rcpp::List::create(Rcpp::Named("scaling") = scaling_to_r(s), Rcpp::Named("members") = out);
}

// Predictions of the parameter sets `params` on x, set k with the head
// `families[k]`: per set (and, with dropout on, per MC sample) the outputs
// on the response scale (n x m), the family's mean (n x c) and variance
// (n), and with y given each row's weighted nll (n).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mlp_predict(Rcpp::List families, Rcpp::List architecture, Rcpp::List scaling, Rcpp::List params,
                           const Eigen::Map<Eigen::MatrixXd> x, int samples, bool dropout, double seed, int n_threads,
                           Rcpp::Nullable<Rcpp::NumericVector> y = R_NilValue,
                           Rcpp::Nullable<Rcpp::NumericVector> w = R_NilValue) {
  const auto arch = as_architecture(architecture);
  std::vector<probml::nn::Parameters> sets;
  std::vector<std::unique_ptr<probml::Family>> heads;
  for (R_xlen_t k = 0; k < params.size(); ++k) {
    sets.push_back(params_from_r(params[k]));
    heads.push_back(probml::make_family(probml_glue::to_spec(families[k])));
    probml::nn::check_head(*heads.back());
  }
  const auto outputs = probml::nn::predict_outputs(arch, sets, scaling_from_r(scaling), x, samples, dropout,
                                                   static_cast<std::uint64_t>(seed), n_threads,
                                                   probml_glue::r_callbacks());
  const size_t S = outputs.size(), per_set = S / sets.size();
  const Eigen::Index n = x.rows(), m = arch.n_outputs, c = heads[0]->n_mean_columns();
  Rcpp::NumericVector U(Rcpp::Dimension(n, m, S)), mean(Rcpp::Dimension(n, c, S));
  Rcpp::NumericMatrix variance(n, S), nll(y.isNotNull() ? n : 0, y.isNotNull() ? S : 0);
  Matrix mu(n, c);
  Vector v(n);
  const Vector no_aux(0);
  for (size_t k = 0; k < S; ++k) {
    const probml::Family& head = *heads[k / per_set];
    std::copy(outputs[k].data(), outputs[k].data() + n * m, U.begin() + k * n * m);
    head.mean(outputs[k], no_aux, mu);
    head.variance(outputs[k], no_aux, v);
    std::copy(mu.data(), mu.data() + n * c, mean.begin() + k * n * c);
    std::copy(v.data(), v.data() + n, variance.begin() + k * n);
    if (y.isNotNull()) {
      const Rcpp::NumericVector yr = Rcpp::as<Rcpp::NumericVector>(y), wr = Rcpp::as<Rcpp::NumericVector>(w);
      const Eigen::Map<const Vector> ym(yr.begin(), n), wm(wr.begin(), n);
      probml::LocalDerivs d;
      head.local(outputs[k], ym, no_aux, 0, d);
      const Vector row = wm.cwiseProduct(d.value);
      std::copy(row.data(), row.data() + n, nll.begin() + k * n);
    }
  }
  return Rcpp::List::create(Rcpp::Named("outputs") = U, Rcpp::Named("mean") = mean,
                            Rcpp::Named("variance") = variance, Rcpp::Named("nll") = nll);
}
