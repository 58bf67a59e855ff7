"""Benchmark: start-up cost of the package and the command line (issue 16). Plain script.

    python benchmarks/bench_startup.py [--repeat 15]

Each command runs in a fresh interpreter (``subprocess``), ``--repeat`` times, interleaved so that
a change of machine load hits every command alike; the script prints the median wall time of
each and its ratio to two baselines measured in the same rounds: an empty interpreter
(``python -c pass``) and ``python -c "import numpy"``. On a machine shared with other jobs the
ratios are the stable numbers (the medians move with the load); the targets of issue 16 are
absolute: ``import grok_theory`` ≤ 0.2 s, ``--help`` ≤ 0.3 s, ``grok-time`` ≤ 0.5 s.

A second table gives the cumulative import time that ``python -X importtime`` reports for the
package's top-level modules loaded by each command (the part the package controls).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

PY = sys.executable
CLI = [PY, "-m", "grok_theory"]

#: label -> argv; the first two are the baselines
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    "python -c 'import numpy'": [PY, "-c", "import numpy"],
    "import grok_theory": [PY, "-c", "import grok_theory"],
    "grok-theory --version": [*CLI, "--version"],
    "grok-theory --help": [*CLI, "--help"],
    "grok-theory grok-time --lam 0.9": [*CLI, "grok-time", "--lam", "0.9"],
    "grok-theory curves --lam 0.9 --t 1e3": [*CLI, "curves", "--lam", "0.9", "--t", "1e3"],
}

#: the issue's targets (seconds)
TARGETS = {"import grok_theory": 0.2, "grok-theory --help": 0.3, "grok-theory grok-time --lam 0.9": 0.5}


def wall(argv: list[str]) -> float:
    """Wall time of one run (NaN if the command fails, e.g. ``--version`` on an older checkout)."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0 if done.returncode == 0 else float("nan")


def import_seconds(argv: list[str]) -> float:
    """Cumulative ``-X importtime`` of the top-level modules the command imports (seconds)."""
    err = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr
    total = 0
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)  # top level: no leading spaces
        if m:
            total += int(m.group(1))
    return total / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    env_note = f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    for argv in COMMANDS.values():  # warm the file cache and the bytecode caches
        wall(argv)
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(args.repeat):
        for label, argv in COMMANDS.items():
            times[label].append(wall(argv))
    med = {k: statistics.median(v) for k, v in times.items()}
    base, numpy_base = med["python -c pass"], med["python -c 'import numpy'"]
    print(f"{args.repeat} rounds, {env_note} at start, {os.getloadavg()[0]:.1f} at end" if env_note else "")
    print(f"{'command':42s} {'median s':>9s} {'/ python':>9s} {'/ numpy':>8s} {'target':>7s}  import s")
    for label, argv in COMMANDS.items():
        target = f"{TARGETS[label]:.1f}" if label in TARGETS else ""
        imp = import_seconds(argv)
        print(f"{label:42s} {med[label]:9.3f} {med[label] / base:9.2f} {med[label] / numpy_base:8.2f} "
              f"{target:>7s}  {imp:7.3f}")


if __name__ == "__main__":
    main()
