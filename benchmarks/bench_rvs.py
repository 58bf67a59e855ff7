"""Benchmark: ``MarchenkoPastur.rvs`` (issue 14) against the bisection it replaced.

    python benchmarks/bench_rvs.py [--repeat 5] [--size 10000]

The previous sampler inverted the CDF by 60 bisection steps on u = sin²(φ/2), each a call of the
float64 ``cdf``, whose closed form is evaluated with mpmath at 30 digits within u < 1e-3 of the
lower edge: near λ = 1 many draws land there and each costs an mpmath evaluation per step. The
new sampler inverts F(φ) in the angle variable by safeguarded Newton steps from a tabulated start
(closed-form F and F′, float64 throughout). Median CPU time of ``size`` draws, BLAS pinned to one
thread (threadpoolctl). Results are recorded by hand in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import platform

import numpy as np
from _timing import median_cpu_time, pinned_blas

from grok_theory.mp.law import MarchenkoPastur

LAMS = (1e-3, 0.5, 0.999, 1.0, 1.001, 3.0, 1e3)


def bisection_rvs(law: MarchenkoPastur, size: int, rng: int) -> np.ndarray:
    """The previous sampler (inverse CDF by bisection on u, 60 steps), kept here as the baseline."""
    v = np.random.default_rng(rng).random(size)
    out = np.zeros(size)
    cont = v >= law.atom
    target = v[cont] - law.atom
    lo, hi = np.zeros_like(target), np.ones_like(target)
    sq = np.sqrt(law.lam)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = law.cdf(law.lower + 4 * sq * mid) - law.atom < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    out[cont] = law.lower + 4 * sq * 0.5 * (lo + hi)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    with pinned_blas():
        print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, {args.size} draws")
        print("| λ | bisection (ms) | angle Newton (ms) | speed-up | max |Δx| between the two |")
        print("| --- | --- | --- | --- | --- |")
        for lam in LAMS:
            law = MarchenkoPastur(lam)
            old = median_cpu_time(lambda: bisection_rvs(law, args.size, 1), max(1, args.repeat // 2))
            new = median_cpu_time(lambda: law.rvs(args.size, rng=1), args.repeat)
            diff = float(np.max(np.abs(bisection_rvs(law, args.size, 1) - law.rvs(args.size, rng=1))))
            print(f"| {lam:g} | {1e3 * old:.1f} | {1e3 * new:.2f} | {old / new:.0f} | {diff:.1e} |")


if __name__ == "__main__":
    main()
