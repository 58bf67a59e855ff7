"""Large-initialisation grokking (Omnigrok §2, Fig. 2) solved exactly in the linear model.

With weight decay γ, the null space of the training inputs (λ = d_in/N_tr > 1: a fraction
a = 1 − 1/λ of the modes, the MP atom at ν = 0) receives no data gradient. Levi Eq. 3 then gives,
exactly and for every sample,

    P_null S_t = (1 − ηγ/d_out)^t P_null S_0          (discrete GD; e^{−ηγt/d_out} for the flow),

so the initialisation's null component — of squared norm a·α²/2 for ``init_scale`` α — is forgotten
only at the rate ηγ/d_out, while the training loss is fitted at the rate set by the lower MP
edge, 2η(λ₋ + γ/2)/d_out, independent of γ when γ ≪ 2λ₋. This is Omnigrok's mechanism with
w(t) = w₀ e^{−γt} made literal (w = ‖P_null S‖) and the learning rate restored.

**Definition of generalisation used here** (reachable for λ > 1, where the teacher's null
component makes L_gen(∞) ≥ r²(1 − 1/λ) > 0): the *excess* criterion
``L_gen(t) − L_gen(∞) ≤ delta`` (default), or the *absolute* criterion ``L_gen(t) ≤ delta``,
reachable only while L_gen(∞) < delta (this one has a critical data size).

The exact times come from the MP curves of :class:`grok_theory.linear.model.TeacherStudent`; the
closed-form law keeps only the null modes:

    t_gen ≈ ln(a α²/(2 d_out δ)) / (−2 ln(1 − ηγ/d_out)) ≈ d_out ln(w₀/w_c)/(ηγ),
    w₀ = ‖P_null S₀‖ = α√(a/2),   w_c = √(d_out δ),

(``omnigrok.null_decay``, ``omnigrok.generalisation_time``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.linear.grokking import crossing_time
from grok_theory.linear.model import TeacherStudent

__all__ = ["null_rate", "null_norm2", "gen_excess", "generalisation_time", "generalisation_time_law",
           "omnigrok_time", "train_time", "critical_lam", "TradeOff", "trade_off"]

_CRITERIA = ("excess", "absolute")
T_MAX = 1e13


def _rate(lr: float, weight_decay: float, d_out: int, dynamics: str) -> float:
    """−ln(1 − ηγ/d_out) for discrete GD, ηγ/d_out for the flow (arguments already validated)."""
    x = lr * weight_decay / d_out
    if dynamics == "flow":
        return x
    if x >= 1:
        raise ValueError(f"discrete GD needs lr*weight_decay/d_out < 1 for the null modes to decay, got {x!r}")
    return -math.log1p(-x)


def null_rate(model: TeacherStudent) -> float:
    """Per-step log-decay of the null component: −ln(1 − ηγ/d_out) (GD) or ηγ/d_out (flow)."""
    return _rate(model.lr, model.weight_decay, model.d_out, model.dynamics)


def null_norm2(model: TeacherStudent, t: Any) -> Any:
    """E‖P_null S_t‖²_F = a α²/2 · (1 − ηγ/d_out)^{2t} (exact per sample up to the sample's ‖P_null S₀‖²)."""
    tt = _validate.real_array("t", t, lower=0.0)
    out = model.law.atom * model.init_scale**2 / 2 * np.exp(-2 * null_rate(model) * tt)
    return float(out) if out.ndim == 0 else out


def gen_excess(model: TeacherStudent, t: Any) -> Any:
    """L_gen(t) − L_gen(∞) from the exact MP curves (float64)."""
    return model.gen_loss(t) - model.gen_loss_limit()


def _first_time(f, level: float, t_max: float) -> float:
    """First t on a log grid (16/decade from 1e-2) with f(t) ≤ level, refined by Brent."""
    grid = np.geomspace(1e-2, t_max, int(16 * math.log10(t_max / 1e-2)) + 1)
    vals = np.asarray(f(grid), dtype=float) - level
    hit = np.flatnonzero(vals <= 0)
    if hit.size == 0:
        return math.inf
    i = int(hit[0])
    if i == 0:
        return 0.0 if float(f(0.0)) <= level else float(optimize.brentq(lambda x: float(f(x)) - level, 0.0, grid[0]))
    return float(optimize.brentq(lambda x: float(f(x)) - level, grid[i - 1], grid[i], xtol=1e-12, rtol=1e-13))


def generalisation_time(model: TeacherStudent, delta: float, criterion: str = "excess") -> float:
    """Exact time (GD steps) at which generalisation is reached, from the MP curves.

    ``criterion="excess"``: L_gen(t) − L_gen(∞) ≤ delta (always reachable);
    ``criterion="absolute"``: L_gen(t) ≤ delta (``inf`` if L_gen(∞) ≥ delta).
    """
    delta = _validate.positive("delta", delta)
    _validate.choice("criterion", criterion, _CRITERIA)
    if criterion == "absolute":
        return float(crossing_time(model, "gen", 4 * delta))
    limit = model.gen_loss_limit()
    return _first_time(lambda t: model.gen_loss(t) - limit, delta, T_MAX)


def generalisation_time_law(model: TeacherStudent, delta: float) -> float:
    """Null-space law t = ln(a α²/(2 d_out δ))/(2·null_rate) (0 if the null part is already below δ).

    Exact for the null modes; the range modes add a correction that vanishes when their
    decay (rate ≥ 2η(λ₋+γ/2)/d_out) is fast compared with the null rate ηγ/d_out.
    """
    delta = _validate.positive("delta", delta)
    if model.weight_decay == 0:
        return math.inf
    amp = model.law.atom * model.init_scale**2 / (2 * model.d_out)
    if amp <= delta:
        return 0.0
    return math.log(amp / delta) / (2 * null_rate(model))


def omnigrok_time(w0: float, wc: float, lr: float, weight_decay: float, d_out: int = 1, dynamics: str = "gd") -> float:
    """Omnigrok's t ≈ ln(w₀/w_c)/γ with the learning rate restored: ln(w₀/w_c)/(−ln(1 − ηγ/d_out)).

    In the linear model w is the null-space norm ‖P_null S‖, w₀ = α√(a/2), w_c = √(d_out δ)
    (then this equals :func:`generalisation_time_law`). ``dynamics="flow"`` gives d_out ln(w₀/w_c)/(ηγ).
    ``inf`` if w₀ > w_c and γ = 0 (nothing decays).
    """
    w0, wc = _validate.positive("w0", w0), _validate.positive("wc", wc)
    lr, weight_decay = _validate.positive("lr", lr), _validate.nonnegative("weight_decay", weight_decay)
    d_out = _validate.positive_int("d_out", d_out)
    _validate.choice("dynamics", dynamics, ("flow", "gd"))
    if w0 <= wc:
        return 0.0
    rate = _rate(lr, weight_decay, d_out, dynamics)
    return math.log(w0 / wc) / rate if rate > 0 else math.inf


def train_time(model: TeacherStudent, eps: float) -> float:
    """Levi's memorisation time: first t with L_tr ≤ eps/4 (``grokking.crossing_time``)."""
    return float(crossing_time(model, "train", eps))


def critical_lam(model: TeacherStudent, delta: float, lam_max: float = 1e3) -> float:
    """λ_c at which L_gen(∞) = delta: the absolute criterion is unreachable for λ ≥ λ_c.

    The critical data size is N_c = d_in/λ_c; as N ↓ N_c the generalisation time diverges
    logarithmically, t_gen ≈ ln(A/(delta − L_gen(∞)))/(2·null_rate).
    """
    delta = _validate.positive("delta", delta)

    def f(lam: float) -> float:
        # the t → ∞ limit does not depend on the dynamics; the flow skips the GD stability check at this λ
        return replace(model, lam=lam, dynamics="flow").gen_loss_limit() - delta

    lo, hi = 1e-6, 1.0
    if f(lo) >= 0:
        raise ValueError(f"delta={delta!r} is below L_gen(inf) even at lam -> 0; no finite critical data size")
    while f(hi) < 0:
        hi *= 2
        if hi > lam_max:
            raise ValueError(f"delta={delta!r} is reached for every lam <= lam_max={lam_max!r}")
    return float(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-13))


@dataclass(frozen=True)
class TradeOff:
    """Generalisation time and final test loss against weight decay (speed vs accuracy)."""

    weight_decay: np.ndarray
    t_gen: np.ndarray
    t_train: np.ndarray
    gen_limit: np.ndarray


def trade_off(model: TeacherStudent, weight_decays: Any, delta: float, eps: float) -> TradeOff:
    """For each γ: excess-criterion t_gen, train time (L_tr ≤ eps/4) and the plateau L_gen(∞) = ridge(μ = γ/2).

    Larger γ forgets the initialisation faster (t_gen ∝ 1/γ) but lands on a more biased ridge
    solution: without label noise L_gen(∞) increases with γ (``omnigrok.goldilocks``).
    """
    gs = np.atleast_1d(_validate.real_array("weight_decays", weight_decays, lower=0.0)).ravel()
    tg, tt, lim = (np.empty(gs.size) for _ in range(3))
    for i, g in enumerate(gs):
        m = replace(model, weight_decay=float(g))
        tg[i] = generalisation_time(m, delta)
        tt[i] = train_time(m, eps)
        lim[i] = m.gen_loss_limit()
    return TradeOff(gs, tg, tt, lim)
