"""Helpers shared by the simulation modules: accuracy fractions and a stderr progress bar."""
from __future__ import annotations

import math
import sys
import time

import numpy as np

__all__ = ["Progress", "SeedStats", "accuracy_fraction"]


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
