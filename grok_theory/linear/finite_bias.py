"""Finite-d_in predictions for the simulation checks: the d → ∞ curves plus their 1/d_in bias.

A simulation at finite d_in averages over data sets whose spectra are not Marchenko–Pastur; the
seed mean of a loss therefore sits O(1/d_in) away from the MP curve. The first-order correction
c₁(t)/d_in of :func:`grok_theory.linear.finite_size.mean_curve_correction` (Bai & Silverstein 2004,
Thm 1.1, β = 1; any weight decay, label noise, d_out, flow or discrete GD, since it acts on
:meth:`TeacherStudent.mode_curve`) gives the prediction at the simulated size. This module turns it
into the quantities the checks compare:

* :func:`finite_curves` — several curves of one model at finite d_in, concatenated as a check
  returns them, together with the MP curves;
* :func:`finite_excess` — L(t) − L(t_ref) at finite d_in (excess over a late reference step);
* :func:`finite_crossing_time` — the first t at which L_MP + c₁/d_in falls to a level. For the
  data-averaged loss L(t | X) = L_MP + δ(t) with E δ = c₁/d_in + o(1/d_in) and δ fluctuating by
  O(1/d_in) (a linear spectral statistic), E t*(X) = t*(L_MP + c₁/d_in) + O(1/d_in²): this is the
  mean crossing time to first order. Single runs add teacher/initialisation noise of relative size
  O(1/√(d_in d_out)) whose curvature term is also O(1/d_in) and is *not* included (the checks that
  use it say so).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grok_theory import _validate
from grok_theory.linear.finite_size import crossing_times, mean_curve
from grok_theory.linear.model import TeacherStudent

__all__ = ["CURVE_NAMES", "finite_curves", "finite_excess", "finite_crossing_time"]

CURVE_NAMES = {"train_loss": "train", "gen_loss": "gen", "weight_norm": "norm"}
"""Simulation result attribute → :meth:`TeacherStudent.mode_curve` name."""


def _curve_name(name: str) -> str:
    if name in CURVE_NAMES:
        return CURVE_NAMES[name]
    return _validate.choice("name", name, ("train", "gen", "norm"))


def finite_curves(model: TeacherStudent, names: Sequence[str], t: Any, d_in: int) -> tuple[np.ndarray, np.ndarray]:
    """(MP, MP + c₁/d_in) of the curves ``names`` at times ``t``, each concatenated in that order.

    ``names`` are simulation attributes (``"train_loss"``, ``"gen_loss"``, ``"weight_norm"``) or
    mode-curve names (``"train"``, ``"gen"``, ``"norm"``); ``model.lam`` must be the realised
    λ = d_in/N_tr of the simulation.
    """
    t = np.atleast_1d(_validate.real_array("t", t, lower=0.0))
    mp, fin = [], []
    for name in names:
        which = _curve_name(name)
        base = {"train": model.train_loss, "gen": model.gen_loss, "norm": model.weight_norm}[which](t)
        mp.append(np.asarray(base, dtype=float))
        fin.append(np.asarray(mean_curve(model, which, t, d_in), dtype=float))
    return np.concatenate(mp), np.concatenate(fin)


def finite_excess(model: TeacherStudent, name: str, t: Any, t_ref: float, d_in: int) -> np.ndarray:
    """L(t) − L(t_ref) at finite d_in, to first order in 1/d_in (``t_ref`` e.g. the last recorded step)."""
    which = _curve_name(name)
    t = np.atleast_1d(_validate.real_array("t", t, lower=0.0))
    t_ref = _validate.real_scalar("t_ref", t_ref)
    return np.asarray(mean_curve(model, which, t, d_in) - mean_curve(model, which, np.array([t_ref]), d_in)[0])


def finite_crossing_time(model: TeacherStudent, name: str, level: float, d_in: int | None,
                         offset: float = 0.0, t_guess: float = math.nan) -> float:
    """First t with L(t) − ``offset`` ≤ ``level`` for L = L_MP + c₁/d_in (``d_in=None``: the MP curve).

    Found by :func:`grok_theory.linear.finite_size.crossing_times` (scan on a log grid, then Illinois
    regula falsi); ``inf`` if never before its T_MAX.
    """
    which = _curve_name(name)
    level = _validate.positive("level", level)

    def curve(rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        tt = np.asarray(t, dtype=float)
        if d_in is None:
            v = {"train": model.train_loss, "gen": model.gen_loss, "norm": model.weight_norm}[which](tt.ravel())
        else:
            v = mean_curve(model, which, tt.ravel(), d_in)
        return np.asarray(v, dtype=float).reshape(tt.shape) - offset

    return float(crossing_times(curve, 1, level, t_guess)[0])
