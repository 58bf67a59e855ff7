"""Benchmark: simulation of GD (issue: simulations). Plain script, prints medians.

    python benchmarks/bench_simulate.py

d_in = 1000, lam = 0.9, 1e5 GD steps, 200 record times, one seed: the spectral method, one
eigendecomposition (its floor), and the literal loop timed on 2000 steps and extrapolated
linearly to 1e5 (its cost per step is constant).
"""
from __future__ import annotations


import numpy as np

from _timing import median_time

from grok_theory.linear.simulate import simulate_linear




def main() -> None:
    d_in, lam = 1000, 0.9
    t = np.linspace(0, 100_000, 200).astype(int)  # 200 distinct record times
    spectral = median_time(lambda: simulate_linear(d_in, lam=lam, t=t, seeds=[0], n_test=1000), 5)
    x = np.random.default_rng(0).standard_normal((round(d_in / lam), d_in))
    eig = median_time(lambda: np.linalg.eigh(x.T @ x / x.shape[0]), 5)
    loop_2000 = median_time(lambda: simulate_linear(d_in, lam=lam, t=[0, 2000], seeds=[0], n_test=1000, method="loop"), 3)
    loop = loop_2000 * (1e5 / 2000)
    print(f"spectral, 1e5 steps, {len(t)} record times: median {spectral:.3f} s")
    print(f"one eigendecomposition (Gram + eigh): median {eig:.3f} s")
    print(f"loop, 2000 steps: median {loop_2000:.2f} s -> 1e5 steps extrapolated {loop:.0f} s; ratio loop/spectral {loop / spectral:.0f}x")


if __name__ == "__main__":
    main()
