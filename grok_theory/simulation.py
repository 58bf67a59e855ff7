"""Family-independent simulation helpers: record-time grids, seed statistics, accuracy fractions, progress.

Every simulation module of the toolkit (linear, dichotomy, and the families built on them) records
its curves at integer GD steps from :func:`log_steps` and returns records whose array attributes
have a leading seed axis (:class:`SeedStats`).
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from grok_theory import _validate

__all__ = ["Progress", "SeedStats", "accuracy_fraction", "log_steps"]


def log_steps(t_max: float, n: int = 48, include_zero: bool = False) -> np.ndarray:
    """Integer GD steps from 1 to ``t_max``, roughly log-spaced (at most ``n`` distinct values).

    Parameters
    ----------
    t_max : float
        Last step (rounded to the nearest integer; ≥ 1).
    n : int
        Number of log-spaced points before rounding; rounding merges the early ones, so the grid
        holds every step 1, 2, … up to where the log spacing exceeds one step.
    include_zero : bool
        Prepend step 0 (the initial state).

    Returns
    -------
    numpy.ndarray of int64, strictly increasing.
    """
    t_max = _validate.positive("t_max", t_max)
    if round(t_max) < 1:
        raise ValueError(f"t_max={t_max!r} must round to at least one GD step")
    n = _validate.positive_int("n", n)
    steps = np.unique(np.round(np.geomspace(1, round(t_max), max(n, 1))).astype(np.int64))
    return np.concatenate([[0], steps]) if include_zero else steps


def accuracy_fraction(sq_err: np.ndarray, eps: float, d_out: int, convention: str) -> np.ndarray:
    """Fraction of samples with (per-output mean or total) squared error below eps; axis −1 = samples."""
    per = sq_err / d_out if convention == "mean" else sq_err
    return (per < eps).mean(axis=-1)


class Progress:
    """A minimal stderr progress bar, shown only for runs longer than ``after`` seconds."""

    def __init__(self, total: int, enabled: bool | None, after: float = 3.0, label: str = "simulate",
                 unit: str = "seeds") -> None:
        self.total, self.enabled, self.after, self.label, self.unit = total, enabled, after, label, unit
        self.start, self.done = time.perf_counter(), 0

    def step(self) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        if self.enabled is False or (self.enabled is None and elapsed < self.after):
            return
        frac = self.done / self.total
        bar = "#" * int(30 * frac)
        sys.stderr.write(f"\r{self.label} [{bar:<30}] {self.done}/{self.total} {self.unit} {elapsed:6.1f}s")
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class SeedStats:
    """Mixin for result records whose array attributes have shape (n_seeds, ...): seed mean and SEM."""

    def mean(self, name: str) -> np.ndarray:
        """Seed mean of an array attribute (the seed axis removed)."""
        return getattr(self, name).mean(axis=0)

    def sem(self, name: str) -> np.ndarray:
        """Standard error of the seed mean (ddof = 1); NaN for a single seed."""
        x = getattr(self, name)
        if x.shape[0] < 2:
            return np.full(x.shape[1:], np.nan)
        return x.std(axis=0, ddof=1) / math.sqrt(x.shape[0])
