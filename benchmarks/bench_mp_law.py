"""Benchmark of the Marchenko–Pastur engine (issue: foundation). Plain script, prints medians.

    python benchmarks/bench_mp_law.py [--repeat 7] [--part 1 2 3]

Measures, on this machine:
1. ``laplace(s, dps=50)`` for single s in the bulk (s ≤ 1e3) and at late times, against the
   naive alternative a user would otherwise write: ``mpmath.quad`` of e^{−sν} p(ν) over the
   raw density on [λ₋, λ₊] at the same working precision (with its error estimate; the
   digits it actually gets right are reported by comparison with our certified value).
2. float64 ``laplace`` on 10⁴ values of s (log-spaced 1e-3 … 1e8).
3. the worst cases: largest s, λ → 1.
Results are recorded by hand in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import platform

import mpmath
import numpy as np

from _timing import median_cpu_time, median_time

from grok_theory import MarchenkoPastur




def naive_quad(lam: str, s: str, dps: int):
    with mpmath.workdps(dps):
        lm, sm = mpmath.mpf(lam), mpmath.mpf(s)
        lo, hi = (1 - mpmath.sqrt(lm)) ** 2, (1 + mpmath.sqrt(lm)) ** 2
        dens = lambda x: mpmath.exp(-sm * x) * mpmath.sqrt((hi - x) * (x - lo)) / (2 * mpmath.pi * lm * x)
        val = mpmath.quad(dens, [lo, hi])
        return val + max(0, 1 - 1 / lm)


def digits_right(value, ref) -> float:
    with mpmath.workdps(80):
        err = abs(mpmath.mpf(value) - ref) / abs(ref)
        return float(-mpmath.log10(err)) if err > 0 else 80.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--part", type=int, nargs="*", default=[1, 2, 3], help="which sections to run")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"mpmath {mpmath.__version__} (backend {mpmath.libmp.BACKEND}), numpy {np.__version__}")
    if 1 in args.part:
        part1(args)
    if 2 in args.part:
        part2(args)
    if 3 in args.part:
        part3(args)


def part1(args: argparse.Namespace) -> None:
    print("\n1. one value at dps=50: grok-theory vs mpmath.quad on the raw density")
    print(f"{'lam':>5} {'s':>6} {'ours ms':>8} {'CPU ms':>7} {'digits/ms':>9} {'quad ms':>8} {'quad digits':>11} {'ratio':>6}")
    for lam in ["0.5", "0.9", "0.99", "1", "1.5"]:
        mp = MarchenkoPastur(lam)
        for s in ["1", "10", "100", "1000", "1e6"]:
            ref = mp.laplace(s, dps=70)
            t_ours = median_time(lambda: mp.laplace(s, dps=50), args.repeat)
            c_ours = median_cpu_time(lambda: mp.laplace(s, dps=50), args.repeat)
            q = naive_quad(lam, s, 50)
            t_quad = median_time(lambda: naive_quad(lam, s, 50), max(1, args.repeat // 3))
            print(f"{lam:>5} {s:>6} {t_ours*1e3:8.2f} {c_ours*1e3:7.2f} {50/(t_ours*1e3):9.1f} {t_quad*1e3:8.1f} "
                  f"{digits_right(q, ref):11.1f} {t_quad/t_ours:6.1f}")


def part2(args: argparse.Namespace) -> None:
    print("\n2. float64 laplace on 1e4 values of s (log-spaced 1e-3..1e8)")
    s = np.geomspace(1e-3, 1e8, 10_000)
    for lam in [0.5, 0.9, 0.99, 0.999, 1.0, 1.01, 4.0]:
        mp = MarchenkoPastur(lam)
        mp.laplace(s)  # warm caches
        for power in (0, 1):
            t = median_time(lambda: mp.laplace(s, power=power), args.repeat)
            c = median_cpu_time(lambda: mp.laplace(s, power=power), args.repeat)
            print(f"  lam={lam:<5} power={power}: {t*1e3:8.2f} ms wall, {c*1e3:8.2f} ms CPU")


def part3(args: argparse.Namespace) -> None:
    print("\n3. worst cases, dps=50")
    for lam, s in [("0.99", "1000"), ("1.01", "1000"), ("0.999", "100"), ("0.5", "1e8"), ("1", "1e8")]:
        mp = MarchenkoPastur(lam)
        t = median_time(lambda: mp.laplace(s, dps=50), max(1, args.repeat // 2))
        c = median_cpu_time(lambda: mp.laplace(s, dps=50), max(1, args.repeat // 2))
        print(f"  lam={lam:<6} s={s:<6}: {t*1e3:8.2f} ms wall, {c*1e3:8.2f} ms CPU")


if __name__ == "__main__":
    main()
