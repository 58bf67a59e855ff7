"""Loss fluctuations, the effective dimension they reveal, and temperature-shifted grokking times.

Equipartition (derivation ``jules2023.equipartition``): in the stationary state of the Langevin
flow each eigenmode with ν + g > 0 holds a loss T/2 per output in the objective F. For the train
loss alone (γ = 0) the stiff modes are the ν > 0 ones, so

    ⟨L_tr⟩ − L_min = (T/2) D,   Var L_tr = (T²/2) D,   D = d_out · rank Σ_tr = d_out · min(d_in, N),

and the flat directions (the null space of X, dimension d_out(d_in − N) for λ > 1) are invisible
in the train loss. Two estimators of D follow: D_mean = 2(⟨L⟩ − L_min)/T and D_var = 2 Var L / T².
With weight decay the train loss sees the ridge spectrum (``jules2023.ridge_dimension``):

    D_mean = d_out d_in E[ν/(ν+g)],   D_var = d_out d_in E[ν²/(ν+g)²] + (4/T) E[g²(λσ²ν + τ²ν²/(2d_out))/(ν+g)³]

(the last term: the gradient of L_tr at the minimum of F is g(…) ≠ 0, so the fluctuations are
linear in the displacement and D_var grows like 1/T as T → 0). SGLD at step η biases both:
each mode holds T/(2 − c(ν+g)) instead of T/2.

Temperature and grokking: the mean losses are the noiseless curves plus positive thermal
excesses, so each mean crosses a fixed level later (or never); without weight decay and for λ > 1
the null-space diffusion makes ⟨L_gen⟩ grow linearly, 2ηT d_in (1 − 1/λ) per step, so a model
that generalised un-generalises again at :func:`regression_time`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.thermal.langevin import LangevinTeacherStudent
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx

__all__ = ["effective_dimension", "stationary_dimension", "rank_dimension", "ridge_dimensions", "crossing_time",
           "grokking_time", "regression_time", "critical_temperatures", "autocovariance", "integrated_time"]

_ESTIMATORS = ("var", "mean")
_WHICH = ("train", "gen")


def effective_dimension(model: LangevinTeacherStudent, t: Any, which: str = "train", estimator: str = "var",
                        dps: int | None = None) -> Any:
    """D(t) = 2 Var L(t) / T² (``estimator="var"``) or 2(⟨L(t)⟩ − L^{T=0}(t)) / T (``"mean"``).

    The quantity an experimenter computes from the fluctuations of the train (or generalisation)
    loss, here exactly at time ``t`` (``t = inf``: the stationary value).
    """
    _validate.choice("which", which, _WHICH)
    _validate.choice("estimator", estimator, _ESTIMATORS)
    if model.T == 0:
        raise ValueError("temperature must be > 0 for an effective dimension, got 0")
    dps = _validate.dps_value(dps)
    if isinstance(t, (int, float)) and math.isinf(t):
        num = model.statistic(f"{which}_var" if estimator == "var" else f"{which}_mean", math.inf, dps)
    elif estimator == "var":
        num = model.train_loss_var(t, dps) if which == "train" else model.gen_loss_var(t, dps)
    else:
        num = model.thermal_train_mean(t, dps) if which == "train" else model.thermal_gen_mean(t, dps)
    if dps is None:
        return 2 * num / model.T**2 if estimator == "var" else 2 * num / model.T
    ctx = context(prec_of(dps + 10))
    temp = model._k(ctx)["T"]
    num = ctx.convert(num)
    return result(2 * num / temp**2 if estimator == "var" else 2 * num / temp, dps)


def stationary_dimension(model: LangevinTeacherStudent, which: str = "train", estimator: str = "var",
                         dps: int | None = None) -> Any:
    """The stationary (t → ∞) effective dimension; ``inf`` for the gen loss with free modes."""
    return effective_dimension(model, math.inf, which, estimator, dps)


def rank_dimension(model: LangevinTeacherStudent) -> int:
    """d_out · min(d_in, N_tr): the number of stiff directions of L_tr (γ = 0), N_tr = round(d_in/λ)."""
    n_train = max(1, round(model.d_in / model.model.lam))
    return model.model.d_out * min(model.d_in, n_train)


def ridge_dimensions(model: LangevinTeacherStudent, dps: int | None = None) -> tuple[Any, Any]:
    """(d_out d_in E[ν/(ν+g)], d_out d_in E[ν²/(ν+g)²]) in closed form from the Stieltjes transform m.

    E[ν/(ν+g)] = 1 − g m(−g), E[ν²/(ν+g)²] = 1 − 2g m(−g) + g² m′(−g), with
    m′ = −(λm² + m)/(2λzm + z + λ − 1) from λzm² + (z+λ−1)m + 1 = 0 (derivation ``jules2023.ridge_dimension``).
    For g = 0 both are d_out d_in (1 − atom) = d_out·rank in the continuum limit.
    """
    dps = _validate.dps_value(dps)
    law, m = model.model.law, model.model
    scale = m.d_out * model.d_in
    if m.weight_decay == 0:
        val = scale * (1 - law.atom)
        return (val, val) if dps is None else (result(val, dps), result(val, dps))
    ctx = context(prec_of((dps or 15) + 10))
    g = to_ctx(m.exact["weight_decay"], ctx) / 2
    lam = to_ctx(m.exact["lam"], ctx)
    z = -g
    st = law.stieltjes(float(z)) if dps is None else law.stieltjes(z, dps=dps + 10)
    st = ctx.re(ctx.convert(st))  # real on the negative axis
    dst = -(lam * st**2 + st) / (2 * lam * z * st + z + lam - 1)
    d1 = scale * (1 - g * st)
    d2 = scale * (1 - 2 * g * st + g**2 * dst)
    if dps is None:
        return float(d1), float(d2)
    return result(d1, dps), result(d2, dps)


# -- crossing and grokking times at temperature T ---------------------------------------------------
def _mean_curve(model: LangevinTeacherStudent, which: str):
    return model.train_loss_mean if which == "train" else model.gen_loss_mean


def crossing_time(model: LangevinTeacherStudent, which: str, level: float, t_max: float = 1e12) -> float:
    """First t at which the mean loss ⟨L(t)⟩ (train or gen) falls to ``level``; ``inf`` if it never does.

    The mean curve is scanned on a log grid (16 points per decade from t = 1e-2) and the first
    bracket is refined by Brent's method in log t.
    """
    _validate.choice("which", which, _WHICH)
    level = _validate.positive("level", level)
    t_max = _validate.positive("t_max", t_max)
    f = _mean_curve(model, which)
    if model.model.dynamics == "gd":
        grid = np.unique(np.round(np.logspace(0, math.log10(t_max), int(16 * math.log10(t_max)) + 1)))
    else:
        grid = np.logspace(-2, math.log10(t_max), int(16 * (math.log10(t_max) + 2)) + 1)
    vals = np.asarray(f(grid)) - level
    below = np.flatnonzero(vals <= 0)
    if below.size == 0:
        return math.inf
    j = int(below[0])
    if j == 0:
        return float(grid[0])
    if model.model.dynamics == "gd":  # whole SGLD steps: the first step at which the mean is below the level
        lo, hi = int(grid[j - 1]), int(grid[j])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if float(f(mid)) - level <= 0:
                hi = mid
            else:
                lo = mid
        return float(hi)
    g = lambda u: float(f(math.exp(u))) - level  # noqa: E731
    return math.exp(optimize.brentq(g, math.log(grid[j - 1]), math.log(grid[j]), xtol=1e-12, rtol=1e-12))


def regression_time(model: LangevinTeacherStudent, level: float, t_max: float = 1e12) -> float:
    """After ⟨L_gen⟩ first reaches ``level``, the first later t at which it exceeds it again (``inf`` if never).

    Without weight decay and for λ > 1 the null-space diffusion makes ⟨L_gen⟩ grow without bound,
    so every generalisation at T > 0 is eventually undone.
    """
    t_in = crossing_time(model, "gen", level, t_max)
    if math.isinf(t_in):
        return math.inf
    f = model.gen_loss_mean
    start = math.log10(max(t_in, 1e-2)) + 1e-6  # just after the crossing (the mean there equals the level)
    if start >= math.log10(t_max):
        return math.inf
    grid = np.logspace(start, math.log10(t_max), int(16 * (math.log10(t_max) - start)) + 2)
    if model.model.dynamics == "gd":
        grid = np.unique(np.ceil(grid))
    vals = np.asarray(f(grid)) - level
    above = np.flatnonzero(vals > 0)
    if above.size == 0:
        return math.inf
    j = int(above[0])
    if j == 0:
        return float(grid[0])
    if model.model.dynamics == "gd":
        return float(grid[j])  # SGLD: whole steps (resolution of the grid)
    g = lambda u: float(f(math.exp(u))) - level  # noqa: E731
    return math.exp(optimize.brentq(g, math.log(grid[j - 1]), math.log(grid[j]), xtol=1e-12, rtol=1e-12))


def critical_temperatures(model: LangevinTeacherStudent, eps: float) -> dict[str, float]:
    """Temperatures above which the stationary mean loss stays above Levi's level ε/4 (Langevin flow).

    ``train``: the T at which L_tr(∞) + (T/2)·D_mean^{(1)} = ε/4 and ``gen`` likewise, where
    D_mean^{(1)} = 2·thermal excess/T at T = 1 is temperature-independent (the thermal means are
    linear in T); ``0`` where the T = 0 floor is already above ε/4 and ``inf``
    if the thermal excess vanishes. For γ = σ = 0 and λ < 1 these are ε/(2 d_out d_in) and
    ε(1 − λ)/(2 d_out d_in): between them the model memorises but never generalises
    (derivation ``jules2023.critical_temperature``).
    """
    eps = _validate.positive("eps", eps)
    unit = LangevinTeacherStudent(model.model, 1.0, model.d_in)
    out = {}
    for which in _WHICH:
        gap = eps / 4 - (model.model.train_loss_limit() if which == "train" else model.model.gen_loss_limit())
        per_t = unit.statistic(f"{which}_mean", math.inf)
        out[which] = 0.0 if gap <= 0 else (gap / per_t if per_t > 0 else math.inf)
    return out


def grokking_time(model: LangevinTeacherStudent, eps: float, t_max: float = 1e12) -> dict[str, float]:
    """Crossing times of the mean losses at Levi's level ε/4 and their difference Δt = t_gen − t_tr.

    Returns ``{"t_train", "t_gen", "delta", "t_regress"}`` (``t_regress``: :func:`regression_time`).
    """
    eps = _validate.positive("eps", eps)
    level = eps / 4
    t_tr = crossing_time(model, "train", level, t_max)
    t_gen = crossing_time(model, "gen", level, t_max)
    return {"t_train": t_tr, "t_gen": t_gen, "delta": t_gen - t_tr if math.isfinite(t_gen) else math.inf,
            "t_regress": regression_time(model, level, t_max) if math.isfinite(t_gen) else math.inf}


# -- time correlations: how long a run must be to read the dimension ----------------------------------
def autocovariance(model: LangevinTeacherStudent, lag: Any, dps: int | None = None) -> Any:
    """Stationary autocovariance Cov(L_tr(t), L_tr(t + s)) of the train loss under the Langevin flow.

    Per mode the stationary OU covariance is v∞ e^{−as}, so (derivation ``jules2023.autocorrelation``)

        C(s) = (2/d_out) d_in E[ν² v∞² e^{−2as}] + (4/d_out) E[d_in G∞² v∞ e^{−as}],

    with G∞ the train-loss gradient at the noiseless fixed point (zero for γ = 0); C(0) = Var L_tr.
    ``lag`` in steps (float64: an array; ``dps``: a scalar).
    """
    if model.model.dynamics != "flow":
        raise ValueError(f"autocovariance is implemented for dynamics='flow', got {model.model.dynamics!r}")
    dps = _validate.dps_value(dps)
    law = model.model.law
    inf = math.inf

    def kernel(nu: Any, s: Any, mp: Any) -> Any:
        k = model._k(mp)
        a = k["c"] * (nu + k["g"])
        v = model._v(nu, mp.inf if mp else inf, mp)
        _, grad_ms = model._mean_squares(nu, mp.inf if mp else inf, mp)
        exp = mp.exp if mp else np.exp
        if not mp:
            with np.errstate(invalid="ignore"):
                val = 2 * k["n"] * nu * nu * v * v * np.exp(-2 * a * s) / k["d"] + 4 * grad_ms * v * np.exp(-a * s) / k["d"]
            return np.where(nu > 0, val, 0.0)
        val = 2 * k["n"] * nu * nu * v * v * exp(-2 * a * s) / k["d"] + 4 * grad_ms * v * exp(-a * s) / k["d"]
        if mp:
            return val if nu > 0 else 0 * nu
        return np.where(nu > 0, val, 0.0)  # null modes (v = ∞ at γ = 0) never enter L_tr

    if dps is not None:
        lag_kept = exact_scalar("lag", lag, lower=0.0)[0]
        # nu is a number of the engine's private context: the kernel works in that context
        return result(law.expect(lambda nu: kernel(nu, to_ctx(lag_kept, nu.context), nu.context), dps=dps + 5), dps)
    lags = _validate.real_array("lag", lag, lower=0.0)
    out = np.array([float(law.expect(lambda nu, s=s: kernel(nu, s, False))) for s in np.atleast_1d(lags).ravel()])
    out = out.reshape(lags.shape)
    return float(out) if out.ndim == 0 else out


def integrated_time(model: LangevinTeacherStudent, dps: int | None = None) -> Any:
    """∫_0^∞ C(s)/C(0) ds: the stationary correlation time of L_tr (in steps, Langevin flow).

    For γ = 0 every stiff mode contributes equally to Var, with correlation time 1/(2cν), so
    τ = E[1/(2cν) | ν > 0] = d_out/(4η|1 − λ|): a run must be much longer than this to read D from
    its fluctuations, and the time diverges at the interpolation threshold λ = 1.
    """
    if model.model.dynamics != "flow":
        raise ValueError(f"integrated_time is implemented for dynamics='flow', got {model.model.dynamics!r}")
    dps = _validate.dps_value(dps)
    law = model.model.law

    def kernel(nu: Any, mp: Any) -> Any:
        k = model._k(mp)
        a = k["c"] * (nu + k["g"])
        v = model._v(nu, mp.inf if mp else math.inf, mp)
        _, grad_ms = model._mean_squares(nu, mp.inf if mp else math.inf, mp)
        if mp:
            return (2 * k["n"] * nu * nu * v * v / (2 * a) + 4 * grad_ms * v / a) / k["d"] if nu > 0 else 0 * nu
        safe = np.where(nu > 0, a, 1.0)
        with np.errstate(invalid="ignore"):
            val = (2 * k["n"] * nu * nu * v * v / (2 * safe) + 4 * grad_ms * v / safe) / k["d"]
        return np.where(nu > 0, val, 0.0)

    var = model.statistic("train_var", math.inf, dps)
    if dps is not None:
        ctx = context(prec_of(dps + 10))
        num = ctx.convert(law.expect(lambda nu: kernel(nu, nu.context), dps=dps + 5))
        return result(num / ctx.convert(var), dps)
    return float(law.expect(lambda nu: kernel(nu, False))) / var
