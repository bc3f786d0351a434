#pragma once
// A model: a family and the designs of its formula parts. The model maps
// the parts to one design per linear predictor (the categorical family
// shares one design among its K - 1 logits; the heteroscedastic Gaussian has
// one per part) and owns the two parameter layouts:
//   full layout: every column of every linear predictor's design, then aux;
//   coefficient layout: the same without the intercept that the family's
//     auxiliary parameters absorb (the ordinal cut-points), which is what R
//     sees. A design without that intercept gets a virtual one (a column of
//     ones), so that aliasing with the cut-points is still detected.
#include <string>
#include <vector>
#include "../family/family.hpp"
#include "design.hpp"

namespace probml {

class Model {
 public:
  // intercept_col: the column of part 0 holding the intercept, or -1.
  // part_scales: per part, the column scales of Design::scaled (or empty).
  Model(const Family& family, const std::vector<Design>& parts, int intercept_col,
        const std::vector<std::vector<double>>& part_scales = {})
      : family_(family) {
    if (static_cast<int>(parts.size()) != family.n_formula_parts())
      throw DomainError("the " + family.label() + " family needs " + std::to_string(family.n_formula_parts()) +
                        " formula part(s), not " + std::to_string(parts.size()));
    std::vector<Design> local = parts;
    for (size_t k = 0; k < part_scales.size() && k < local.size(); ++k)
      if (!part_scales[k].empty()) local[k] = local[k].scaled(part_scales[k]);
    if (family.absorbs_intercept()) {
      if (intercept_col < 0) {
        std::vector<const double*> cols = {nullptr};
        std::vector<double> scales = {1.0};
        for (Index k = 0; k < local[0].cols(); ++k) {
          cols.push_back(local[0].columns()[static_cast<size_t>(k)]);
          scales.push_back(local[0].scale(k));
        }
        local[0] = Design(std::move(cols), local[0].rows()).scaled(std::move(scales));
        intercept_col = 0;
      }
      absorbed_ = intercept_col;  // design 0 starts at position 0 of the full layout
    }
    intercept_col_ = intercept_col;
    for (int j = 0; j < family.n_linear(); ++j) designs_.push_back(local[static_cast<size_t>(family.part_of_linear(j))]);
    for (const auto& X : designs_) n_full_ += static_cast<int>(X.cols());
    n_full_ += family.n_aux();
    virtual_intercept_ = family.absorbs_intercept() && parts[0].cols() + 1 == designs_[0].cols();
  }

  const Family& family() const { return family_; }
  const std::vector<Design>& designs() const { return designs_; }
  Index rows() const { return designs_.empty() ? 0 : designs_[0].rows(); }
  int absorbed() const { return absorbed_; }
  int intercept_col() const { return intercept_col_; }
  int n_full() const { return n_full_; }
  int n_coef() const { return n_full_ - (absorbed_ >= 0 ? 1 : 0); }

  // Coefficient layout -> full layout, `fill` at the absorbed intercept.
  Eigen::VectorXd to_full(const Eigen::VectorXd& coef, double fill) const {
    if (absorbed_ < 0) return coef;
    Eigen::VectorXd out(n_full_);
    out.head(absorbed_) = coef.head(absorbed_);
    out[absorbed_] = fill;
    out.tail(n_full_ - absorbed_ - 1) = coef.tail(n_full_ - absorbed_ - 1);
    return out;
  }
  std::vector<bool> to_full(const std::vector<bool>& coef, bool fill) const {
    if (absorbed_ < 0) return coef;
    std::vector<bool> out(coef);
    out.insert(out.begin() + absorbed_, fill);
    return out;
  }
  Eigen::VectorXd to_coef(const Eigen::VectorXd& full) const {
    if (absorbed_ < 0) return full;
    Eigen::VectorXd out(n_full_ - 1);
    out.head(absorbed_) = full.head(absorbed_);
    out.tail(n_full_ - absorbed_ - 1) = full.tail(n_full_ - absorbed_ - 1);
    return out;
  }
  std::vector<bool> to_coef(std::vector<bool> full) const {
    if (absorbed_ >= 0) full.erase(full.begin() + absorbed_);
    return full;
  }

  // What each coefficient is: a column of a formula part in a linear
  // predictor (linear, part and column 0-based), or an auxiliary parameter
  // (linear = -1, column = its index among them).
  struct Coefficient {
    int linear, part, column;
  };
  std::vector<Coefficient> layout() const {
    std::vector<Coefficient> out;
    for (int j = 0; j < family_.n_linear(); ++j) {
      const int part = family_.part_of_linear(j);
      const int cols = static_cast<int>(designs_[static_cast<size_t>(j)].cols()) - (j == 0 && virtual_intercept_ ? 1 : 0);
      const int skip = j == 0 && absorbed_ >= 0 && !virtual_intercept_ ? absorbed_ : -1;
      for (int c = 0; c < cols; ++c)
        if (c != skip) out.push_back({j, part, c});
    }
    for (int a = 0; a < family_.n_aux(); ++a) out.push_back({-1, -1, a});
    return out;
  }

  // Coefficient names from the column names of each formula part.
  std::vector<std::string> names(const std::vector<std::vector<std::string>>& part_names) const {
    std::vector<std::string> out;
    const auto aux = family_.aux_names();
    for (const Coefficient& c : layout())
      out.push_back(c.linear < 0 ? aux[static_cast<size_t>(c.column)]
                                 : family_.coefficient_prefix(c.linear) +
                                       part_names[static_cast<size_t>(c.part)][static_cast<size_t>(c.column)]);
    return out;
  }

  // The n x m offset matrix: `first` in the first linear predictor.
  Eigen::MatrixXd offsets(const Eigen::Ref<const Eigen::VectorXd>& first) const {
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(rows(), family_.n_linear());
    if (first.size() > 0) out.col(0) = first;
    return out;
  }

 private:
  const Family& family_;
  std::vector<Design> designs_;
  int absorbed_ = -1;
  int intercept_col_ = -1;
  int n_full_ = 0;
  bool virtual_intercept_ = false;
};

}  // namespace probml
