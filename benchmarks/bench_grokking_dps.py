"""Benchmark: high-precision grokking times against the float64 ones (issue 14).

    python benchmarks/bench_grokking_dps.py [--repeat 5]

For a few models, the median CPU time of ``grokking_time(model, eps)`` (float64: grid scan and
Illinois refinement) and of ``grokking_time(model, eps, dps=30 / 50)`` (the float64 root, then
the secant method on log L(t) − log L* at the working precision), and their ratio. BLAS threads
are pinned to 1 with threadpoolctl when it is installed. Results are recorded by hand in
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import platform
from contextlib import nullcontext

from _timing import median_cpu_time

from grok_theory.linear.grokking import grokking_time
from grok_theory.linear.model import TeacherStudent

MODELS = {
    "λ=0.9 (Levi Fig. 1)": TeacherStudent(0.9),
    "λ=0.5, d_out=3": TeacherStudent(0.5, d_out=3),
    "λ=0.9, γ=1e-3, σ=0.01": TeacherStudent(0.9, weight_decay=1e-3, label_noise=0.01),  # t_gen = inf
    "λ=0.9, γ=1e-4, σ=1e-3": TeacherStudent(0.9, weight_decay=1e-4, label_noise=1e-3),
    "λ=0.5, γ=1e-3, σ=0.01": TeacherStudent(0.5, weight_decay=1e-3, label_noise=0.01),
    "λ=0.9, discrete GD": TeacherStudent(0.9, dynamics="gd"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits
        pin = threadpool_limits(limits=1)
    except ImportError:
        pin = nullcontext()
    with pin:
        print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
        print("| model | float64 (ms) | dps=30 (ms) | ratio | dps=50 (ms) | ratio |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name, m in MODELS.items():
            grokking_time(m, 1e-3, dps=30)  # warm the per-precision caches once
            f64 = median_cpu_time(lambda: grokking_time(m, 1e-3), args.repeat)
            d30 = median_cpu_time(lambda: grokking_time(m, 1e-3, dps=30), args.repeat)
            d50 = median_cpu_time(lambda: grokking_time(m, 1e-3, dps=50), args.repeat)
            print(f"| {name} | {1e3 * f64:.1f} | {1e3 * d30:.1f} | {d30 / f64:.1f} | {1e3 * d50:.1f} | {d50 / f64:.1f} |")


if __name__ == "__main__":
    main()
