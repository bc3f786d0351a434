#!/usr/bin/python3
"""PyTorch reference for probml's deep-ensemble speed benchmark (issue 9).

Trains K members (default 5), one after another, of an MLP 8-64-64-2 (ReLU)
with a heteroscedastic Gaussian head: output 0 is the mean mu, output 1 the
log-variance s. The loss is the mean Gaussian negative log-likelihood

    0.5*log(2*pi) + 0.5*s + 0.5*(y - mu)^2 * exp(-s)

over all n rows, minimised by full-batch Adam (lr 1e-3, betas (0.9, 0.999),
eps 1e-8, no weight decay) for 300 epochs. Torch parallelises inside each
operation over `torch.set_num_threads(T)` threads (--threads, default 2);
inter-op parallelism is set to 1 thread.

Usage (Debian's python3-torch lives under /usr/bin/python3, not a pyenv
python that may come first on PATH):

    /usr/bin/python3 inst/benchmarks/torch_ensemble.py [--data FILE.csv]
        [--members 5] [--epochs 300] [--threads 2] [--dtype float32|float64]
        [--n 10000] [--seed 1] [--save-data FILE.csv]

Data, --data FILE.csv: a CSV with a header row holding (at least) the
columns x1, x2, ..., x8 and y, in any order, one row per observation, no
missing values (R: write.csv(df, FILE, row.names = FALSE); quoted header
names are fine). Without --data, the data are simulated with numpy's
default_rng(seed): x ~ N(0, I_8), n rows, and
y = sin(x1) + 0.5*x2 + e, e ~ N(0, (0.1 + 0.3*|x3|)^2);
--save-data writes those simulated data in the same CSV format.
The inputs are standardised (column mean 0, population sd 1); y is left on
its own scale.

Member k (k = 0..K-1) is initialised with torch.manual_seed(seed + k) and
PyTorch's default nn.Linear initialisation.

Timing: time.perf_counter() around the training loops only (not the import
of torch, reading the data or building the networks). final_train_nll is the
loss of each member on the whole training data after its last Adam step.

Output: one JSON line
  {"members", "n", "epochs", "threads", "dtype", "seconds_total",
   "seconds_per_member", "final_train_nll": [...],
   "seconds_members": [...], "flops", "gflops_per_second", "torch"}
where flops = 6*n*P*epochs*members with P = 8*64 + 64*64 + 64*2 = 4736
weights (forward 2nP, backward 4nP: the convention of issue 9's 4.2e11 for
the default workload; autograd skips the 2*n*8*64 of the gradient with
respect to the inputs, so the exact count is 1.6% lower).

Measured on this project's 2-core machine (Debian torch 1.13, which does its
matrix products through the system libblas.so.3 -- the reference BLAS unless
an optimised BLAS is selected with update-alternatives -- while other jobs
loaded the machine, load average 2-6): 5 members, n = 1e4, 300 epochs,
2 threads: float32 281 s (56 s a member, 1.5 GFLOP/s), float64 364 s
(73 s a member, 1.2 GFLOP/s).
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import torch

P_IN, H1, H2, P_OUT = 8, 64, 64, 2


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="CSV with columns x1..x8, y")
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--n", type=int, default=10000,
                    help="rows to simulate when --data is not given")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--save-data", default=None,
                    help="write the simulated data to this CSV")
    a = ap.parse_args(argv)
    if a.members < 1 or a.epochs < 1 or a.threads < 1 or a.n < 2:
        ap.error("members, epochs and threads must be >= 1 and n >= 2")
    return a


def read_csv(path):
    with open(path, "r", newline="") as f:
        header = [h.strip().strip('"').strip("'") for h in f.readline().split(",")]
    want = ["x%d" % j for j in range(1, P_IN + 1)] + ["y"]
    missing = [w for w in want if w not in header]
    if missing:
        sys.exit("torch_ensemble: %s lacks column(s) %s" % (path, ", ".join(missing)))
    cols = [header.index(w) for w in want]
    d = np.loadtxt(path, delimiter=",", skiprows=1, usecols=cols, dtype=np.float64,
                   ndmin=2)
    if not np.all(np.isfinite(d)):
        sys.exit("torch_ensemble: %s has missing or non-finite values" % path)
    return d[:, :P_IN], d[:, P_IN]


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, P_IN))
    sd = 0.1 + 0.3 * np.abs(x[:, 2])
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] + sd * rng.standard_normal(n)
    return x, y


def write_csv(path, x, y):
    names = ["x%d" % j for j in range(1, P_IN + 1)] + ["y"]
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=",".join(names),
               comments="", fmt="%.17g")


def make_net(dtype):
    return torch.nn.Sequential(
        torch.nn.Linear(P_IN, H1), torch.nn.ReLU(),
        torch.nn.Linear(H1, H2), torch.nn.ReLU(),
        torch.nn.Linear(H2, P_OUT),
    ).to(dtype)


HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def gaussian_nll(out, y):
    mu, s = out[:, 0], out[:, 1]
    return (HALF_LOG_2PI + 0.5 * s + 0.5 * (y - mu) ** 2 * torch.exp(-s)).mean()


def main(argv):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    dtype = torch.float32 if a.dtype == "float32" else torch.float64

    if a.data is not None:
        x, y = read_csv(a.data)
    else:
        x, y = simulate(a.n, a.seed)
        if a.save_data:
            write_csv(a.save_data, x, y)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    x = (x - x.mean(axis=0)) / sd
    n = x.shape[0]
    X = torch.from_numpy(np.ascontiguousarray(x)).to(dtype)
    Y = torch.from_numpy(np.ascontiguousarray(y)).to(dtype)

    seconds, final = [], []
    for k in range(a.members):
        torch.manual_seed(a.seed + k)
        net = make_net(dtype)
        opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.999),
                               eps=1e-8, weight_decay=0.0)
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            opt.zero_grad(set_to_none=True)
            loss = gaussian_nll(net(X), Y)
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
        with torch.no_grad():
            final.append(float(gaussian_nll(net(X), Y)))

    total = sum(seconds)
    n_weights = P_IN * H1 + H1 * H2 + H2 * P_OUT
    flops = 6.0 * n * n_weights * a.epochs * a.members
    print(json.dumps({
        "members": a.members, "n": n, "epochs": a.epochs, "threads": a.threads,
        "dtype": a.dtype, "seconds_total": round(total, 4),
        "seconds_per_member": round(total / a.members, 4),
        "final_train_nll": [round(v, 6) for v in final],
        "seconds_members": [round(s, 4) for s in seconds],
        "flops": flops, "gflops_per_second": round(flops / total / 1e9, 4),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
