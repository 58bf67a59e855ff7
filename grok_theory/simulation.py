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

__all__ = ["Progress", "SeedStats", "accuracy_fraction", "log_steps", "seed_tuple", "train_size", "gd_stable",
           "LAM_RTOL", "MAX_SEEDS"]

#: largest relative difference ``|λ_eff − λ|/λ`` allowed between the requested λ and the one a finite
#: sample realises, λ_eff = d_in/N_tr with N_tr = round(d_in/λ) (see :func:`train_size`)
LAM_RTOL = 0.05

#: largest training-set size a simulation accepts (N_tr × d_in inputs are held in memory)
MAX_TRAIN = 10**7

#: most seeds one simulation call accepts (each seed is one full training run)
MAX_SEEDS = 100_000


def seed_tuple(seeds: object) -> tuple[int, ...]:
    """The seeds of a simulation: an int ``n`` means the ``n`` seeds ``0, 1, …, n−1`` (``range(n)``);
    an iterable gives the seeds themselves (non-negative integers). At least one, at most
    :data:`MAX_SEEDS` seeds.
    """
    if isinstance(seeds, (bool, np.bool_)):
        raise TypeError(f"seeds must be a number of seeds or an iterable of integer seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        n = _validate.positive_int("seeds", seeds)
        if n > MAX_SEEDS:
            raise ValueError(f"seeds must be at most {MAX_SEEDS} seeds, got {n}")
        return tuple(range(n))
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a number of seeds or an iterable of integer seeds, got {seeds!r}")
    out = []
    for s in seeds:
        out.append(_validate.nonnegative_int("seeds", s))
        if len(out) > MAX_SEEDS:
            raise ValueError(f"seeds must be at most {MAX_SEEDS} seeds")
    if not out:
        raise ValueError("seeds must hold at least one seed, got none")
    return tuple(out)


def train_size(d_in: int, lam: object, rtol: float = LAM_RTOL) -> int:
    """N_tr = round(d_in/λ) for a requested λ = d_in/N_tr.

    Raises ``ValueError`` when no sample size ≥ 1 realises λ within relative tolerance ``rtol``
    (default :data:`LAM_RTOL` = 5%): the realised λ_eff = d_in/N_tr is what a simulation reports
    in its ``params["lam"]``; give ``n_train`` directly, or a larger ``d_in``, to choose it exactly.
    """
    lam_f = _validate.positive("lam", lam)
    if d_in / lam_f > MAX_TRAIN:
        raise ValueError(f"lam={lam!r} is too small for d_in={d_in}: N_tr = d_in/lam must be <= {MAX_TRAIN:g}")
    n = round(d_in / lam_f)
    if n < 1:
        raise ValueError(f"lam={lam!r} is too large for d_in={d_in}: N_tr = round(d_in/lam) must be >= 1 "
                         f"(lam < 2*d_in = {2 * d_in})")
    eff = d_in / n
    if abs(eff - lam_f) > rtol * lam_f:
        raise ValueError(f"lam={lam!r} is not realisable with d_in={d_in}: N_tr = {n} gives lam = {eff:.6g} "
                         f"(relative difference {abs(eff - lam_f) / lam_f:.3g} > {rtol}); use a larger d_in or give "
                         f"n_train")
    return n


def gd_stable(curvature: float, lr: float, d_out: int = 1, weight_decay: float = 0.0) -> None:
    """Raise ``ValueError`` unless full-batch GD on a quadratic of largest curvature ``curvature``
    (the top eigenvalue of the sample covariance, plus any input-noise variance) is stable:
    c(ν_max + γ/2) < 2 with c = 2η/d_out, i.e. ``lr < d_out/(ν_max + weight_decay/2)``.
    """
    a = 2 * lr / d_out * (curvature + weight_decay / 2)
    if not a < 2:
        bound = d_out / (curvature + weight_decay / 2)
        raise ValueError(f"lr={lr!r} is unstable for GD on this sample (it diverges): need lr < d_out/(nu_max + weight_decay/2) "
                         f"= {bound:.6g} (nu_max = {curvature:.6g})")



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
    """Progress of long work on stderr, one :meth:`step` per unit (a seed, a row, a figure).

    Drawn by `tqdm <https://tqdm.github.io>`_ when it is installed (``pip install tqdm``; the
    ``test`` extra has it), which throttles the terminal writes (at most ~10 a second, whatever the
    step rate); without tqdm an enabled bar prints at most one plain line a second, and an automatic
    one stays quiet.

    Parameters
    ----------
    total : int
        Number of units.
    enabled : bool or None
        True: always show; False: never; None: show only on a terminal, and only once the work has
        lasted ``after`` seconds.
    after : float
        Delay (seconds) before an automatic bar appears.
    label, unit : str
        Text before the bar and the name of one unit.
    """

    def __init__(self, total: int, enabled: bool | None, after: float = 3.0, label: str = "simulate",
                 unit: str = "seeds") -> None:
        self.total, self.enabled, self.after, self.label, self.unit = total, enabled, after, label, unit
        self.start, self.done, self._last = time.perf_counter(), 0, -math.inf
        self._bar = None
        if enabled is not False:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=label, unit=f" {unit}", file=sys.stderr, leave=False,
                                 disable=None if enabled is None else False, delay=0 if enabled else after,
                                 mininterval=0.1, dynamic_ncols=True)

    def step(self, n: int = 1) -> None:
        """``n`` more units done."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            if self.done >= self.total:
                self.close()
        elif self.enabled:  # plain fallback: throttled to one line a second, and the last one
            now = time.perf_counter()
            if now - self._last >= 1.0 or self.done >= self.total:
                self._last = now
                sys.stderr.write(f"{self.label}: {self.done}/{self.total} {self.unit} {now - self.start:6.1f}s\n")
                sys.stderr.flush()

    def close(self) -> None:
        """Remove the bar (also done automatically when the last unit is stepped)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
