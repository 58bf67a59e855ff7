"""Shared timing helper for the benchmark scripts."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of ``repeat`` calls of ``fn`` (seconds; wall clock unless ``clock`` is given)."""
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def median_cpu_time(fn: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``repeat`` calls of ``fn`` (this process only, so less disturbed than
    wall time when other jobs share the cores)."""
    return median_time(fn, repeat, time.process_time)


def pinned_blas():
    """A context manager limiting BLAS to one thread (threadpoolctl), or a no-op without it."""
    from contextlib import nullcontext

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1)
