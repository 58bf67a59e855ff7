"""Benchmark: grokking-time phase diagrams (Levi Fig. 4 style). Plain script, prints timings.

    python benchmarks/bench_phase_diagram.py [--n 100] [--repeat 1]

Times phase_diagram on an n×n grid of (lam, weight_decay) at eps = 1e-3, lr = 0.01, flow,
and a single crossing_time call for reference.
"""
from __future__ import annotations

import argparse
import numpy as np

from _timing import median_time

from grok_theory.grokking import crossing_time, phase_diagram
from grok_theory.model import TeacherStudent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    m = TeacherStudent(0.7, weight_decay=1e-4)
    one = median_time(lambda: crossing_time(m, "gen", 1e-3), 20)
    print(f"one crossing_time (lam=0.7, weight_decay=1e-4): median {one*1e3:.1f} ms")
    grid = (("lam", np.linspace(0.05, 0.95, args.n)), ("weight_decay", np.geomspace(1e-6, 1e-2, args.n)))
    total = median_time(lambda: phase_diagram(*grid, eps=1e-3), args.repeat)
    print(f"phase_diagram {args.n}x{args.n} (lam x weight_decay): median {total:.1f} s over {args.repeat} run(s)")


if __name__ == "__main__":
    main()
