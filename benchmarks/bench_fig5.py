"""Benchmark: the paper-size Levi Fig. 5 (two-layer 1000-d_h-5 networks, 2·10⁴ GD steps, 3 seeds).

    python benchmarks/bench_fig5.py              # parts 1 and 2 (a few minutes)
    python benchmarks/bench_fig5.py --full       # also the whole figure, serial vs 2 workers (hours)

Part 1: one GD step (median of ``--repeat`` steps, BLAS pinned to one thread with threadpoolctl)
at the paper's size, d_in = 1000, N = 2000, d_out = 5: the literal loop (linear and tanh, before
and after evaluating tanh once per step) and the linear network's step in the eigenbasis of Σ.
Part 2: the linear row of Fig. 5 (d_h = 50 and 200, 3 seeds, 2·10⁴ steps, spectral) serially and
on ``ProcessPoolExecutor(2)`` (one BLAS thread per worker), through the figure's own runner;
wall and CPU seconds (CPU includes the workers; on a shared machine it is the stabler number).
"""
from __future__ import annotations

import argparse
import math
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import median_time

from grok_theory.figures import levi
from grok_theory.linear.two_layer import _ACT, gradients, spectral_gradients
from grok_theory.parallel import _init_worker
from grok_theory.simulation import log_steps

D_IN, LAM, D_OUT, STEPS, SEEDS = 1000, 0.5, 5, 20_000, 3


def part1(repeat: int) -> dict:
    rng = np.random.default_rng(0)
    n = round(D_IN / LAM)
    x = rng.standard_normal((n, D_IN))
    y = rng.standard_normal((n, D_OUT))
    out = {}
    with threadpool_limits(limits=1):
        nu, basis = np.linalg.eigh(x.T @ x / n)
        out["eigh"] = median_time(lambda: np.linalg.eigh(x.T @ x / n), max(3, repeat // 3))
        for d_h in (50, 200):
            s0 = rng.standard_normal((D_IN, d_h)) / math.sqrt(2 * D_IN * d_h)
            s1 = rng.standard_normal((d_h, D_OUT)) / math.sqrt(2 * D_OUT * d_h)
            teacher = rng.standard_normal((D_IN, D_OUT))
            lin, tanh = _ACT["linear"], _ACT["tanh"]
            old_dtanh = (np.tanh, lambda z: 1 - np.tanh(z) ** 2)  # the former step: tanh evaluated twice

            def old_tanh_step():
                pre = x @ s0
                err = np.tanh(pre) @ s1 - y
                return x.T @ ((err @ s1.T) * old_dtanh[1](pre)), np.tanh(pre).T @ err

            out[d_h] = {
                "loop linear": median_time(lambda: gradients(x, y, s0, s1, *lin), repeat),
                "loop tanh (tanh twice, before)": median_time(old_tanh_step, repeat),
                "loop tanh (tanh once, now)": median_time(lambda: gradients(x, y, s0, s1, *tanh), repeat),
                "spectral linear": median_time(lambda: spectral_gradients(nu, teacher, s0, s1), repeat * 20),
            }
    return out


def fig5_row(workers: int, activation: str = "linear", steps: int = STEPS) -> tuple[float, float]:
    """Wall and CPU seconds (this process + its workers) of one row of Fig. 5 (d_h = 50 and 200, 3 seeds)."""
    t = log_steps(steps, 24, include_zero=True) if steps >= 1000 else np.array([0, steps])
    runs = {(activation, d_h): dict(d_in=D_IN, lam=LAM, d_h=d_h, d_out=D_OUT, lr=0.01, activation=activation, t=t,
                                    eps=1e-4) for d_h in (50, 200)}
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p0, start = time.process_time(), time.perf_counter()
    if workers == 1:
        with threadpool_limits(limits=1):
            levi._two_layer_runs(runs, SEEDS, None)
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:  # started inside the timing
            levi._two_layer_runs(runs, SEEDS, pool)
    wall = time.perf_counter() - start
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - p0 + (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
    return wall, cpu


def print_part1(p1: dict | None) -> None:
    if p1 is None:
        return
    print(f"Part 1: one GD step, d_in = {D_IN}, N = {round(D_IN / LAM)}, d_out = {D_OUT}, 1 BLAS thread (median s)")
    print(f"  eigendecomposition of Σ (Gram + eigh): {p1['eigh']:.3f} s")
    for d_h in (50, 200):
        row = p1[d_h]
        print(f"  d_h = {d_h}: " + "; ".join(f"{k} {v * 1e3:.3f} ms" for k, v in row.items())
              + f"; loop/spectral (linear) {row['loop linear'] / row['spectral linear']:.0f}x")
        for k, v in row.items():
            print(f"      {k}: {STEPS} steps x {SEEDS} seeds = {v * STEPS * SEEDS:.0f} s (extrapolated from the step)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--tanh-steps", type=int, default=0, help="also time the tanh row for this many steps")
    ap.add_argument("--skip-steps", action="store_true", help="skip part 1")
    args = ap.parse_args()
    p1 = None if args.skip_steps else part1(args.repeat)
    print_part1(p1)
    rows = [("linear", STEPS, "Part 2: linear row of Fig. 5, spectral")]
    if args.tanh_steps:
        rows.append(("tanh", args.tanh_steps, "Part 2b: tanh row of Fig. 5, loop"))
    for activation, steps, title in rows:
        serial, pooled = [], []
        for _ in range(args.rounds):  # interleaved rounds
            serial.append(fig5_row(1, activation, steps))
            pooled.append(fig5_row(2, activation, steps))
            print(f"  round: serial wall {serial[-1][0]:.1f} s CPU {serial[-1][1]:.1f} s; "
                  f"2 workers wall {pooled[-1][0]:.1f} s CPU {pooled[-1][1]:.1f} s", flush=True)
        for label, res in (("serial (1 BLAS thread)", serial), ("ProcessPoolExecutor(2)", pooled)):
            wall, cpu = np.array(res).T
            print(f"{title} (d_h = 50, 200; {SEEDS} seeds; {steps} steps), {label}: wall median {np.median(wall):.1f} s "
                  f"{np.round(wall, 1).tolist()}, CPU median {np.median(cpu):.1f} s")
        print(f"  wall ratio serial / 2 workers: {np.median(np.array(serial)[:, 0]) / np.median(np.array(pooled)[:, 0]):.2f}")
    if args.full:
        from grok_theory.figures.reproduce import render

        for label, ex in (("serial", None), ("2 workers", "pool")):
            start = time.perf_counter()
            if ex is None:
                with threadpool_limits(limits=1):
                    render(["fig5"], "/tmp/bench_fig5", formats=("png",))
            else:
                with ProcessPoolExecutor(2, initializer=_init_worker) as pool:
                    render(["fig5"], "/tmp/bench_fig5", formats=("png",), executor=pool)
            print(f"Part 3: whole paper-size Fig. 5, {label}: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
