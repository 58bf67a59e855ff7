"""Benchmark: grokking-time phase diagrams (Levi Fig. 4 style). Plain script, prints timings.

    python benchmarks/bench_phase_diagram.py [--n 100] [--repeat 3] [--n-ref 10]

Times phase_diagram on an n×n grid of (lam, weight_decay) at eps = 1e-3, lr = 0.01, flow
(median wall and CPU time of ``--repeat`` runs), a single crossing_time call, and the previous
per-cell algorithm (log-t scan + Brent on the model's curves, one cell at a time; the reference
of tests/test_phase_diagram_vectorised.py) on an n_ref×n_ref sub-grid, extrapolated per cell to
n×n, with the largest relative difference between the two on that sub-grid.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from _timing import median_time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_phase_diagram_vectorised import _reference_crossing  # noqa: E402

from grok_theory.linear.grokking import crossing_time, phase_diagram  # noqa: E402
from grok_theory.linear.model import TeacherStudent  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-ref", type=int, default=10)
    args = ap.parse_args()
    m = TeacherStudent(0.7, weight_decay=1e-4)
    one = median_time(lambda: crossing_time(m, "gen", 1e-3), 20)
    print(f"one crossing_time (lam=0.7, weight_decay=1e-4): median {one*1e3:.2f} ms")
    lams, wds = np.linspace(0.05, 0.95, args.n), np.geomspace(1e-6, 1e-2, args.n)
    walls, cpus = [], []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        pd = phase_diagram(("lam", lams), ("weight_decay", wds), eps=1e-3)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"phase_diagram {args.n}x{args.n} (lam x weight_decay): median wall {statistics.median(walls):.2f} s, "
          f"CPU {statistics.median(cpus):.2f} s over {args.repeat} runs (walls {', '.join(f'{x:.2f}' for x in walls)}); "
          f"{int(pd.no_grokking.sum())} no-grokking cells")
    pick = np.unique(np.linspace(0, args.n - 1, args.n_ref).round().astype(int))
    worst, t0 = 0.0, time.perf_counter()
    base = TeacherStudent(0.9)
    for i in pick:
        for j in pick:
            model = replace(base, lam=lams[i], weight_decay=wds[j])
            for which, got in (("train", pd.t_train[i, j]), ("gen", pd.t_gen[i, j])):
                ref = _reference_crossing(model, which, 1e-3 / 4)
                if math.isfinite(ref) and ref > 0:
                    worst = max(worst, abs(got / ref - 1))
                elif got != ref:
                    worst = math.inf
    per_cell = (time.perf_counter() - t0) / pick.size**2
    loop = per_cell * args.n**2
    print(f"per-cell reference loop: {per_cell*1e3:.1f} ms per cell on {pick.size}x{pick.size} cells -> "
          f"{loop:.0f} s for {args.n}x{args.n}; ratio {loop / statistics.median(walls):.0f}x (wall); "
          f"largest relative difference {worst:.2e}")


if __name__ == "__main__":
    main()
