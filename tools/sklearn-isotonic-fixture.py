# Reference isotonic fits from scikit-learn for tests/testthat/test-isotonic.R.
# Run from the package root with a Python that has scikit-learn:
#   python3 tools/sklearn-isotonic-fixture.py
# Writes tests/testthat/fixtures/isotonic-sklearn-{cases,train,predict}.csv;
# the tests read them and need no Python.
import csv
import numpy as np
import sklearn
from sklearn.isotonic import IsotonicRegression

rng = np.random.default_rng(20261201)
out = "tests/testthat/fixtures/isotonic-sklearn"


def case_data(kind):
    n = 80
    if kind == "distinct_weighted":
        x = rng.uniform(0, 1, n)
        y = x + rng.normal(0, 0.3, n)
        w = rng.exponential(1, n)
    elif kind in ("ties_zero", "decreasing", "bounds"):
        x = rng.integers(0, 25, n).astype(float)
        y = np.sqrt(x) + rng.normal(0, 1, n)
        if kind == "decreasing":
            y = -y
        w = rng.exponential(1, n)
        w[rng.choice(n, 8, replace=False)] = 0.0
    elif kind == "auto_decreasing":
        x = rng.integers(0, 30, n).astype(float)
        y = -0.1 * x + rng.normal(0, 1, n)
        w = np.ones(n)
    return x, y, w


cases = [
    ("distinct_weighted", True, None, None),
    ("ties_zero", True, None, None),
    ("decreasing", False, None, None),
    ("auto_decreasing", "auto", None, None),
    ("bounds", True, 1.0, 3.5),
]

with open(out + "-cases.csv", "w", newline="") as fc, open(out + "-train.csv", "w", newline="") as ft, \
        open(out + "-predict.csv", "w", newline="") as fp:
    c, t, p = csv.writer(fc), csv.writer(ft), csv.writer(fp)
    c.writerow(["case", "increasing", "y_min", "y_max", "increasing_fitted", "sklearn"])
    t.writerow(["case", "x", "y", "w", "fitted"])
    p.writerow(["case", "x", "clip", "nan"])
    for name, inc, lo, hi in cases:
        x, y, w = case_data(name)
        kw = dict(increasing=inc, y_min=lo, y_max=hi)
        sw = None if name == "auto_decreasing" else w
        clip = IsotonicRegression(out_of_bounds="clip", **kw).fit(x, y, sample_weight=sw)
        nan = IsotonicRegression(out_of_bounds="nan", **kw).fit(x, y, sample_weight=sw)
        c.writerow([name, str(inc), "" if lo is None else lo, "" if hi is None else hi,
                    str(bool(clip.increasing_)), sklearn.__version__])
        fitted = clip.predict(x)
        for i in range(len(x)):
            t.writerow([name, repr(float(x[i])), repr(float(y[i])), repr(float(w[i])), repr(float(fitted[i]))])
        lo_x, hi_x = x[w > 0].min(), x[w > 0].max()
        new = np.concatenate([[lo_x - 1, hi_x + 1], rng.uniform(lo_x, hi_x, 20), [lo_x, hi_x]])
        for v, a, b in zip(new, clip.predict(new), nan.predict(new)):
            p.writerow([name, repr(float(v)), repr(float(a)), "NA" if np.isnan(b) else repr(float(b))])
