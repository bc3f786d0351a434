#!/usr/bin/python3
"""Reference for probml's one-vs-rest calibration (tests/testthat/test-calibrate_multiclass.R).

Simulates an overconfident 3-class model on fixed data (numpy seed), fits
scikit-learn's per-class isotonic maps, IsotonicRegression(out_of_bounds="clip")
on (y == k, P[:, k]), which is what CalibratedClassifierCV(method="isotonic")
fits before it renormalises, and writes the data, the maps at the training
points and at new points (some outside the training range), the
renormalised CalibratedClassifierCV predictions, and scikit-learn's
smoothed-target sigmoid (_sigmoid_calibration) on the logits of each column.

Run from the package root:  /usr/bin/python3 tools/sklearn-ovr-isotonic.py
(scikit-learn 1.2.1 wrote the committed fixtures.)
"""
import csv
import os

import numpy as np
import sklearn
from scipy.special import logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV, _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression

OUT = os.path.join("tests", "testthat", "fixtures")
CLASSES = np.array(["a", "b", "c"])


def softmax(u):
    e = np.exp(u - u.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Passthrough(ClassifierMixin, BaseEstimator):
    """A 'fitted model' whose predicted probabilities are its input."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.asarray(X, dtype=float)


rng = np.random.default_rng(20261201)
n = 400
z = rng.normal(size=(n, 3))
truth = softmax(z)
y = np.array([rng.choice(3, p=p) for p in truth])
P = softmax(2.5 * z + np.array([0.4, 0.0, -0.4]))
# Exact ties: 40 rows repeated, with their outcomes redrawn.
dup = rng.choice(n, size=40, replace=False)
P = np.vstack([P, P[dup]])
y = np.concatenate([y, [rng.choice(3, p=truth[i]) for i in dup]])
w = rng.uniform(0.2, 2.0, size=len(y))

z_new = rng.normal(size=(60, 3))
P_new = softmax(2.5 * z_new + np.array([0.4, 0.0, -0.4]))
extreme = np.array([[1 - 2e-9, 1e-9, 1e-9], [1e-9, 1 - 2e-9, 1e-9], [1e-9, 1e-9, 1 - 2e-9],
                    [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
P_new = np.vstack([P_new, extreme])
labels = CLASSES[y]


def per_class_maps(sample_weight):
    maps = []
    for k in range(3):
        iso = IsotonicRegression(out_of_bounds="clip")
        iso.fit(P[:, k], (y == k).astype(float), sample_weight=sample_weight)
        maps.append(iso)
    return maps


maps = per_class_maps(None)
maps_w = per_class_maps(w)

# CalibratedClassifierCV fits the same maps, then renormalises.
cccv = CalibratedClassifierCV(Passthrough().fit(P, labels), method="isotonic", cv="prefit").fit(P, labels)
inner = cccv.calibrated_classifiers_[0].calibrators
for k in range(3):
    for X in (P, P_new):
        assert np.array_equal(inner[k].predict(X[:, k]), maps[k].predict(X[:, k]))

rows = []
for name, X in (("train", P), ("new", P_new)):
    iso = np.column_stack([maps[k].predict(X[:, k]) for k in range(3)])
    iso_w = np.column_stack([maps_w[k].predict(X[:, k]) for k in range(3)])
    cal = cccv.predict_proba(X)
    for i in range(X.shape[0]):
        rows.append([name, *X[i], labels[i] if name == "train" else "", w[i] if name == "train" else "",
                     *iso[i], *iso_w[i], *cal[i]])

os.makedirs(OUT, exist_ok=True)
header = ["set", "p_a", "p_b", "p_c", "y", "w", "iso_a", "iso_b", "iso_c",
          "isow_a", "isow_b", "isow_c", "cccv_a", "cccv_b", "cccv_c"]
with open(os.path.join(OUT, "sklearn-ovr-isotonic.csv"), "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(header)
    for r in rows:
        out.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])

# Smoothed-target Platt on the logits: P(y = k) = 1 / (1 + exp(A f + B)),
# f = logit(P[:, k]); probml's intercept is -B and slope -A.
with open(os.path.join(OUT, "sklearn-ovr-sigmoid.csv"), "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["class", "weighted", "A", "B"])
    for k in range(3):
        for weighted, sw in ((0, None), (1, w)):
            A, B = _sigmoid_calibration(logit(P[:, k]), (y == k).astype(float), sample_weight=sw)
            out.writerow([CLASSES[k], weighted, repr(float(A)), repr(float(B))])

print("scikit-learn", sklearn.__version__, "wrote", OUT)
