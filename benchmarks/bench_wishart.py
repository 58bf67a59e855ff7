"""Benchmark: one Wishart spectrum by the bidiagonal model vs sampling X and numpy eigvalsh.

    python benchmarks/bench_wishart.py [--repeat 5] [--d 200 500 1000 2000] [--lam 0.5 1.5]

Per data set: ``sample_spectrum(d_in, N_tr)`` (2n − 1 χ variates + LAPACK dsterf, all d_in
eigenvalues), ``sample_spectrum(..., smallest=10)`` (bisection for the 10 smallest), and the naive
``dense_spectrum`` (X ~ N(0,1)^{N_tr × d_in}, Σ_tr = XᵀX/N_tr, numpy.linalg.eigvalsh). BLAS is
pinned to one thread with threadpoolctl when it is installed (said in the output), so the ratio
compares algorithms rather than core counts. Medians of wall and CPU time; ratio = dense/bidiagonal.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_cpu_time, median_time  # noqa: E402

from grok_theory.mp.wishart import dense_spectrum, n_train_for, sample_spectrum  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--d", type=int, nargs="*", default=[200, 500, 1000, 2000])
    ap.add_argument("--lam", type=float, nargs="*", default=[0.5, 1.5])
    args = ap.parse_args()
    try:
        from threadpoolctl import threadpool_limits
        pin = threadpool_limits(limits=1)
        pinned = "BLAS pinned to 1 thread (threadpoolctl)"
    except ImportError:
        pin = contextlib.nullcontext()
        pinned = "threadpoolctl not installed: BLAS threads not pinned"
    print(pinned)
    print("| d_in | λ | bidiagonal all (ms wall / CPU) | bidiagonal 10 smallest (ms wall / CPU) | "
          "dense eigvalsh (ms wall / CPU) | ratio dense/bidiagonal (CPU) |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    with pin:
        for d in args.d:
            for lam in args.lam:
                n = n_train_for(d, lam)
                fns = (lambda: sample_spectrum(d, n, 1, rng), lambda: sample_spectrum(d, n, 1, rng, smallest=10),
                       lambda: dense_spectrum(d, n, 1, rng))
                wall = [1e3 * median_time(f, args.repeat) for f in fns]
                cpu = [1e3 * median_cpu_time(f, args.repeat) for f in fns]
                print(f"| {d} | {lam} | {wall[0]:.3g} / {cpu[0]:.3g} | {wall[1]:.3g} / {cpu[1]:.3g} | "
                      f"{wall[2]:.3g} / {cpu[2]:.3g} | {cpu[2] / cpu[0]:.3g} (10 smallest: {cpu[2] / cpu[1]:.3g}) |", flush=True)


if __name__ == "__main__":
    main()
