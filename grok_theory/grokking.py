"""Crossing times, grokking times, phase diagrams and the output dimension of slowest grokking.

Levi et al. (2024, §3.1.3) define the grokking time as the gap between the times at which the
training and the generalisation accuracies reach erf(√2) ≈ 95.45 %, i.e. the losses reach
eps/4 (d_out = 1). Since accuracy is a decreasing function of the loss (Eqs. 10, 13), every
criterion is a loss threshold: ``criterion="loss"`` uses L(t*) = eps/4, and
``criterion="accuracy"`` uses the loss at which the accuracy equals ``level``
(:func:`grok_theory.model.loss_at_accuracy`).

The *first* crossing is found by scanning log t on a fixed grid (``GRID_PER_DECADE`` points per
decade from 1e-3 to 1e13 steps) and refining the first bracket by Brent's method on log L
(float64, relative 1e-12 in t) or by bisection at ``dps`` digits. A curve that dips below the
threshold and back up between two grid points closer than 1/GRID_PER_DECADE decades apart would be
missed; the noise-free curves are monotone, and the non-monotone ones (label noise, large
initialisation with weight decay) vary on scales of decades.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.model import TeacherStudent, loss_at_accuracy

__all__ = ["crossing_time", "grokking_time", "GrokkingTime", "phase_diagram", "PhaseDiagram", "d_out_max", "threshold"]

GRID_PER_DECADE = 8
T_MIN, T_MAX = 1e-3, 1e13
_CRITERIA = ("loss", "accuracy")


def threshold(model: TeacherStudent, eps: float, criterion: str = "loss", level: float = 0.95,
              convention: str = "mean") -> float:
    """The loss value whose crossing defines the time: eps/4 ("loss") or the loss at ``level``."""
    eps = _validate.positive("eps", eps)
    _validate.choice("criterion", criterion, _CRITERIA)
    if criterion == "loss":
        return eps / 4
    return loss_at_accuracy(_validate.real_scalar("level", level), eps, model.d_out, convention)


def _computable_horizon(model: TeacherStudent) -> float:
    """Largest t (≤ T_MAX) at which the fastest decay e^{−2s ν} has κ = 2·(2s)√λ ≤ 1e11."""
    rate = model._decay_rate(2, 1.0)  # s per unit t for h²
    return float(min(T_MAX, 1e11 / (2 * rate * math.sqrt(model.lam))))


def _log_curve(model: TeacherStudent, which: str):
    _validate.choice("which", which, ("train", "gen"))
    return model.log_train_loss if which == "train" else model.log_gen_loss


def crossing_time(model: TeacherStudent, which: str, eps: float, criterion: str = "loss", level: float = 0.95,
                  convention: str = "mean", dps: int | None = None) -> Any:
    """First time t* at which the train or generalisation loss reaches the threshold.

    Parameters
    ----------
    model : TeacherStudent
    which : {"train", "gen"}
    eps : float > 0
        Accuracy threshold ε.
    criterion : {"loss", "accuracy"}
        "loss": L(t*) = eps/4 (Levi §3.1.3); "accuracy": accuracy(t*) = ``level``.
    level : float in (0, 1)
    convention : {"mean", "total"}
        Accuracy convention (see :func:`grok_theory.model.accuracy_from_loss`).
    dps : int, optional
        Digits of an mpmath result.

    Returns
    -------
    float or mpf
        0.0 if the criterion holds at t = 0; ``math.inf`` if it is never met.
    """
    dps = _validate.dps_value(dps)
    level_loss = threshold(model, eps, criterion, level, convention)
    log_thr = math.log(level_loss)
    curve = _log_curve(model, which)
    if curve(0.0) <= log_thr:
        return 0.0 if dps is None else mpmath.mpf(0)
    t_hi = _computable_horizon(model)
    grid = np.geomspace(T_MIN, t_hi, max(2, int(GRID_PER_DECADE * math.log10(t_hi / T_MIN)) + 1))
    vals = curve(grid) - log_thr
    below = np.flatnonzero(vals <= 0)
    if below.size == 0:
        limit = model.train_loss_limit() if which == "train" else model.gen_loss_limit()
        if limit >= level_loss:
            return math.inf if dps is None else mpmath.inf
        raise ValueError(
            f"the {which} loss reaches {level_loss:.3g} only after t = {t_hi:.3g} steps, beyond the range the "
            "quadrature resolves (kappa = 4 s sqrt(lam) <= 1e11); use the late-time asymptotics"
        )
    i = int(below[0])
    lo = 0.0 if i == 0 else float(np.log(grid[i - 1]))
    hi = float(np.log(grid[i]))
    if i == 0:  # crossing in (0, T_MIN]: bisect on t itself
        root = optimize.brentq(lambda x: curve(x) - log_thr, 0.0, grid[0], xtol=1e-300, rtol=1e-14)
    else:
        root = math.exp(optimize.brentq(lambda x: curve(math.exp(x)) - log_thr, lo, hi, xtol=1e-14, rtol=1e-15))
    if dps is None:
        return root
    # refine at precision: bisection in t on the bracket, at dps + 10 digits
    with mpmath.workdps(dps + 10):
        thr = mpmath.log(mpmath.mpf(level_loss))
        a = mpmath.mpf(grid[i - 1]) if i else mpmath.mpf(0)
        b = mpmath.mpf(grid[i])
        fa = curve(a, dps=dps + 5) - thr if a > 0 else mpmath.mpf(1)
        x0 = mpmath.mpf(root)
        # shrink the bracket around the float root first
        for scale in (mpmath.mpf(10) ** -8, mpmath.mpf(10) ** -5):
            la, lb = x0 * (1 - scale), x0 * (1 + scale)
            if la > a and lb < b and curve(la, dps=dps + 5) - thr > 0 and curve(lb, dps=dps + 5) - thr <= 0:
                a, b = la, lb
                break
        del fa
        tol = mpmath.mpf(10) ** (-dps - 2)
        while (b - a) > tol * b:
            m = (a + b) / 2
            if curve(m, dps=dps + 5) - thr > 0:
                a = m
            else:
                b = m
        out = (a + b) / 2
    with mpmath.workdps(dps):
        return +out


@dataclass(frozen=True)
class GrokkingTime:
    """Train and generalisation crossing times and their difference Δt = t_gen − t_train."""

    t_train: Any
    t_gen: Any
    delta: Any

    def __repr__(self) -> str:
        def f(x: Any) -> str:
            return mpmath.nstr(x, 15) if isinstance(x, mpmath.mpf) else f"{x:.10g}"

        return f"GrokkingTime(t_train={f(self.t_train)}, t_gen={f(self.t_gen)}, delta={f(self.delta)})"

    def _repr_latex_(self) -> str:
        """Jupyter display: t*_tr, t*_gen and Δt in GD steps."""
        def f(x: Any) -> str:
            if (mpmath.isinf(x) if isinstance(x, mpmath.mpf) else math.isinf(x)):
                return r"\infty"
            return mpmath.nstr(x, 10) if isinstance(x, mpmath.mpf) else f"{x:.6g}"

        return (rf"$t^*_{{\mathrm{{tr}}}} = {f(self.t_train)},\quad t^*_{{\mathrm{{gen}}}} = {f(self.t_gen)},"
                rf"\quad \Delta t = {f(self.delta)}$ (GD steps)")


def grokking_time(model: TeacherStudent, eps: float, criterion: str = "loss", level: float = 0.95,
                  convention: str = "mean", dps: int | None = None) -> GrokkingTime:
    """Both crossing times and Δt (``inf`` when the model never generalises; see crossing_time)."""
    tt = crossing_time(model, "train", eps, criterion, level, convention, dps)
    tg = crossing_time(model, "gen", eps, criterion, level, convention, dps)
    never = (mpmath.isinf(tg) if dps is not None else math.isinf(tg))
    return GrokkingTime(tt, tg, (mpmath.inf if dps is not None else math.inf) if never else tg - tt)


_AXES = ("lam", "d_out", "weight_decay", "init_scale", "eps")


@dataclass(frozen=True)
class PhaseDiagram:
    """Δt on a grid: ``delta[i, j]`` at ``x_values[i]``, ``y_values[j]``; ``inf`` = no grokking."""

    x_name: str
    x_values: np.ndarray
    y_name: str
    y_values: np.ndarray
    delta: np.ndarray
    t_train: np.ndarray
    t_gen: np.ndarray

    def __repr__(self) -> str:
        def axis(name: str, v: np.ndarray) -> str:
            return f"{name}: {v.size} values in [{v.min():.4g}, {v.max():.4g}]"

        finite = self.delta[np.isfinite(self.delta)]
        rng = f"delta in [{finite.min():.4g}, {finite.max():.4g}]" if finite.size else "no finite delta"
        return (f"PhaseDiagram({axis(self.x_name, self.x_values)}; {axis(self.y_name, self.y_values)}; {rng}; "
                f"{int(self.no_grokking.sum())}/{self.delta.size} cells never generalise)")

    @property
    def no_grokking(self) -> np.ndarray:
        """Mask of cells where generalisation never reaches the criterion."""
        return ~np.isfinite(self.t_gen)


def phase_diagram(x: tuple[str, Any], y: tuple[str, Any], eps: float = 1e-3, base: TeacherStudent | None = None,
                  criterion: str = "loss", level: float = 0.95) -> PhaseDiagram:
    """Grokking time over a grid of two of (lam, d_out, weight_decay, init_scale, eps) (Levi Fig. 4).

    ``x`` and ``y`` are ``(name, values)``; every other parameter comes from ``base``
    (default ``TeacherStudent(0.9)``) and ``eps``.
    """
    base = base if base is not None else TeacherStudent(0.9)
    (xn, xv), (yn, yv) = x, y
    for name in (xn, yn):
        _validate.choice("axis", name, _AXES)
    if xn == yn:
        raise ValueError(f"the two axes must differ, got {xn!r} twice")
    xv, yv = np.asarray(xv, dtype=float).ravel(), np.asarray(yv, dtype=float).ravel()
    shape = (xv.size, yv.size)
    tt, tg = np.empty(shape), np.empty(shape)
    for i, a in enumerate(xv):
        for j, b in enumerate(yv):
            params = {xn: a, yn: b}
            e = params.pop("eps", eps)
            if "d_out" in params:
                params["d_out"] = int(round(params["d_out"]))
            model = replace(base, **params)
            tt[i, j] = crossing_time(model, "train", e, criterion, level)
            tg[i, j] = crossing_time(model, "gen", e, criterion, level)
    with np.errstate(invalid="ignore"):
        delta = np.where(np.isfinite(tg), tg - tt, np.inf)
    return PhaseDiagram(xn, xv, yn, yv, delta, tt, tg)


def d_out_max(lam: float, eps: float, lr: float = 0.01, criterion: str = "accuracy", level: float = 0.95,
              **model_args: Any) -> tuple[int, float]:
    """The output dimension maximising Δt, and that maximum (Levi Fig. 2).

    Complete search: at d_out ≥ D the initial generalisation loss L_gen(0) = (α² + τ²)/(2 d_out)
    (plus nothing else at t = 0) is already below the threshold loss, so both crossing times are
    0 and Δt = 0; every d_out < D is evaluated. D is found by doubling.
    """
    def delta(d: int) -> float:
        m = TeacherStudent(lam, d_out=d, lr=lr, **model_args)
        return grokking_time(m, eps, criterion, level).delta

    d_hi = 1
    while True:
        m = TeacherStudent(lam, d_out=d_hi, lr=lr, **model_args)
        if m.gen_loss(0.0) <= threshold(m, eps, criterion, level) and m.train_loss(0.0) <= threshold(m, eps, criterion, level):
            break
        d_hi *= 2
        if d_hi > 1 << 22:
            raise ValueError("no output dimension up to 4e6 makes the initial loss meet the criterion")
    values = np.array([delta(d) for d in range(1, d_hi + 1)])
    finite = np.where(np.isfinite(values), values, -np.inf)
    best = int(np.argmax(finite))
    return best + 1, float(values[best])
