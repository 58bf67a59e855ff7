"""Time ``grok-theory formula ID`` and ``verify --id ID`` in fresh interpreters (the lazy registry, issue 15).

    python benchmarks/bench_lazy_registry.py [--checkout DIR] [--repeat 3]

Runs ``python -m grok_theory ...`` with DIR (default: this checkout) as the working directory, so
DIR's ``grok_theory`` package is the one imported. Reports the median wall time and the median CPU
time (user + system of the child, from ``resource.getrusage``) per command; ``--help`` is the
import-only baseline.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--help"], ["formula", "levi2024.eq9"], ["formula", "levi2024.eq9", "--latex"],
            ["formula", "nosuch.id"], ["verify", "--id", "levi2024.eq10", "--quick"], ["verify", "--id", "levi2024.eq9", "--quick"],
            ["formula", "--list"])


def measure(cwd: Path, argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grok_theory", *argv], cwd=cwd, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(f"checkout {args.checkout}")
    print(f"{'command':45s} {'wall (s)':>9s} {'CPU (s)':>8s}")
    for argv in COMMANDS:
        runs = [measure(args.checkout, argv) for _ in range(args.repeat)]
        print(f"{' '.join(argv):45s} {statistics.median(r[0] for r in runs):9.2f} {statistics.median(r[1] for r in runs):8.2f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
