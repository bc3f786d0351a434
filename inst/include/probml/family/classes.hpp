#pragma once
// Shared pieces of the families whose response is a class (categorical,
// ordinal): the support, coded 0..K-1 by R, and the boundary where a fitted
// class probability is numerically 1.
#include "family.hpp"

namespace probml {

class ClassResponseFamily : public Family {
 public:
  explicit ClassResponseFamily(int n_classes) : k_(n_classes) {}

  std::string support_text() const override { return "a class index"; }
  Index first_outside_support(const Eigen::Ref<const Eigen::VectorXd>& y) const override {
    return first_non_class(y, k_);
  }
  double probability_of_observed(const Eigen::Ref<const Eigen::RowVectorXd>& mean, double y) const override {
    return mean[static_cast<Index>(y)];
  }
  std::string boundary_message() const override {
    return "fitted probabilities numerically 0 or 1 occurred: the classes are (quasi-)separated, so the MLE may not exist";
  }
  int n_mean_columns() const override { return k_; }
  std::string predictive_distribution() const override { return "categorical"; }
  void variance(const Eigen::Ref<const Eigen::MatrixXd>&, const Eigen::VectorXd&,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    out.setConstant(std::numeric_limits<double>::quiet_NaN());
  }

 protected:
  int k_;
};

}  // namespace probml
