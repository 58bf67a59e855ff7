"""Shared timing helper for the benchmark scripts."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_cpu_time(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``repeat`` calls of ``fn`` (seconds; this process only, so less
    disturbed than wall time when other jobs share the cores)."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)
