#pragma once
// Ordinal cumulative link: P(Y <= k) = F(theta_k - eta), k = 1..K-1, with
// ordered cut-points theta as auxiliary parameters; v = (eta, theta_1..theta_{K-1})
// and F one of the links of cumulative_link.hpp.
// For class c the nll is -log(F(b) - F(a)), b = theta_{c+1} - eta, a = theta_c - eta
// (theta_0 = -inf, theta_K = +inf). The probability and its derivatives are
// computed in whichever tail holds the interval: in the lower tail from
// F(b) - F(a) = F(b) (1 - q), q = F(a) / F(b), in the upper from
// S(a) - S(b) = S(a) (1 - q), q = S(b) / S(a), S = 1 - F, so that nothing
// cancels however far out the interval lies.
#include "classes.hpp"
#include "cumulative_link.hpp"

namespace probml {

class OrdinalFamily : public ClassResponseFamily {
 public:
  OrdinalFamily(std::vector<std::string> levels, int n_classes, CumulativeLink link)
      : ClassResponseFamily(n_classes), link_(link), levels_(class_labels(levels, n_classes)) {
    if (k_ < 2) throw DomainError("the ordinal family needs at least 2 classes");
  }
  std::string name() const override { return "ordinal"; }
  std::string label() const override { return "Ordinal cumulative " + cumulative_link_name(link_); }
  int n_aux() const override { return k_ - 1; }
  bool absorbs_intercept() const override { return true; }
  // Cut-points "a|b" between consecutive classes, as MASS::polr names them.
  std::vector<std::string> aux_names() const override {
    std::vector<std::string> out;
    for (int k = 0; k + 1 < k_; ++k) out.push_back(levels_[static_cast<size_t>(k)] + "|" + levels_[static_cast<size_t>(k + 1)]);
    return out;
  }

  std::string response_kind() const override { return "ordered"; }
  void saturated_nll(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::Ref<const Eigen::VectorXd>&,
                     const Eigen::VectorXd&, Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setZero();
  }

  bool aux_feasible(const Eigen::VectorXd& aux) const override {
    for (Index k = 0; k < aux.size(); ++k) {
      if (!std::isfinite(aux[k])) return false;
      if (k > 0 && !(aux[k] > aux[k - 1])) return false;
    }
    return true;
  }

  void local(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::Ref<const Eigen::VectorXd>& y,
             const Eigen::VectorXd& aux, int order, LocalDerivs& out) const override {
    const int d = k_;
    out.resize(U.rows(), d, order);
    if (order >= 1) out.d1.setZero();
    if (order >= 2) out.d2.setZero();
    for (Index i = 0; i < U.rows(); ++i) {
      const int c = static_cast<int>(y[i]);
      const double eta = U(i, 0);
      const bool has_a = c > 0, has_b = c < k_ - 1;
      const Interval iv = interval(has_a ? aux[c - 1] - eta : -math::kInf, has_b ? aux[c] - eta : math::kInf, order);
      out.value[i] = -iv.log_prob;
      if (order < 1) continue;
      const double la = iv.ra, lb = -iv.rb;  // d nll / da, d nll / db
      const int ia = c, ib = c + 1;          // positions of theta_c, theta_{c+1} in v
      out.d1(i, 0) = -(la + lb);
      if (has_a) out.d1(i, ia) = la;
      if (has_b) out.d1(i, ib) = lb;
      if (order < 2) continue;
      const double haa = iv.haa, hbb = iv.hbb, hab = -iv.ra * iv.rb;
      out.d2(i, packed_index(0, 0, d)) = haa + 2 * hab + hbb;
      if (has_a) {
        out.d2(i, packed_index(0, ia, d)) = -(haa + hab);
        out.d2(i, packed_index(ia, ia, d)) = haa;
      }
      if (has_b) {
        out.d2(i, packed_index(0, ib, d)) = -(hab + hbb);
        out.d2(i, packed_index(ib, ib, d)) = hbb;
      }
      if (has_a && has_b) out.d2(i, packed_index(ia, ib, d)) = hab;
    }
  }

  double start_eta(int, double, double) const override { return std::nan(""); }
  // Cut-points at the quantiles of the weighted cumulative class proportions.
  Eigen::VectorXd start_aux(const Eigen::Ref<const Eigen::MatrixXd>&,
                            const Eigen::Ref<const Eigen::VectorXd>& y,
                            const Eigen::Ref<const Eigen::VectorXd>& w) const override {
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(k_);
    for (Index i = 0; i < y.size(); ++i) counts[static_cast<int>(y[i])] += w[i];
    // Half a pseudo-observation per class keeps empty classes finite and ordered.
    counts.array() += 0.5;
    const double total = counts.sum();
    Eigen::VectorXd theta(k_ - 1);
    double cum = 0;
    for (int k = 0; k < k_ - 1; ++k) {
      cum += counts[k];
      theta[k] = cumulative_quantile(link_, cum / total);
    }
    return theta;
  }

  void mean(const Eigen::Ref<const Eigen::MatrixXd>& U, const Eigen::VectorXd& aux,
            Eigen::Ref<Eigen::MatrixXd> out) const override {
    for (Index i = 0; i < U.rows(); ++i)
      for (int c = 0; c < k_; ++c) {
        const double a = c > 0 ? aux[c - 1] - U(i, 0) : -math::kInf;
        const double b = c < k_ - 1 ? aux[c] - U(i, 0) : math::kInf;
        out(i, c) = std::exp(interval(a, b, 0).log_prob);
      }
  }

 private:
  // log pi = log(F(b) - F(a)); for order >= 1, r_a = f(a) / pi and r_b =
  // f(b) / pi; for order >= 2, haa = d2 nll / da2 = r_a (f'(a) / f(a) + r_a)
  // and hbb = d2 nll / db2 = r_b (r_b - f'(b) / f(b)), written through the
  // tail forms so that large terms never cancel (f'/f is dlog_ratio + ratio
  // in the lower tail and dlog_ratio - ratio in the upper). A density that
  // underflows to 0 contributes 0.
  struct Interval {
    double log_prob = -math::kInf, ra = 0, rb = 0, haa = 0, hbb = 0;
  };
  Interval interval(double a, double b, int order) const {
    Interval iv;
    if (!(b > a)) return iv;
    const bool has_a = a > -math::kInf, has_b = b < math::kInf;
    // The lower tail when F(b) <= S(a), i.e. the interval lies mostly below the median.
    TailForms tb, ta;
    bool lower = !has_a;
    if (has_a && has_b) {
      tb = lower_tail(link_, b);
      ta = upper_tail(link_, a);
      lower = tb.log_cdf <= ta.log_cdf;
    }
    if (lower) {
      if (has_a) ta = lower_tail(link_, a);
      else tb = lower_tail(link_, b);
      const double log_q = has_a ? ta.log_cdf - tb.log_cdf : -math::kInf;
      const double log1mq = has_a ? math::log1mexp(log_q) : 0.0;
      iv.log_prob = tb.log_cdf + log1mq;
      if (order < 1) return iv;
      iv.rb = std::exp(tb.log_ratio - log1mq);
      if (has_a) iv.ra = std::exp(ta.log_ratio + log_q - log1mq);
      if (order < 2) return iv;
      if (iv.rb > 0) iv.hbb = iv.rb * (iv.rb * std::exp(log_q) - tb.dlog_ratio);
      if (iv.ra > 0) iv.haa = iv.ra * (ta.dlog_ratio + std::exp(ta.log_ratio - log1mq));
    } else {
      if (has_b) tb = upper_tail(link_, b);
      else ta = upper_tail(link_, a);
      const double log_q = has_b ? tb.log_cdf - ta.log_cdf : -math::kInf;
      const double log1mq = has_b ? math::log1mexp(log_q) : 0.0;
      iv.log_prob = ta.log_cdf + log1mq;
      if (order < 1) return iv;
      iv.ra = std::exp(ta.log_ratio - log1mq);
      if (has_b) iv.rb = std::exp(tb.log_ratio + log_q - log1mq);
      if (order < 2) return iv;
      if (iv.ra > 0) iv.haa = iv.ra * (ta.dlog_ratio + iv.ra * std::exp(log_q));
      if (iv.rb > 0) iv.hbb = iv.rb * (std::exp(tb.log_ratio - log1mq) - tb.dlog_ratio);
    }
    return iv;
  }

  CumulativeLink link_;
  std::vector<std::string> levels_;
};

}  // namespace probml
