"""An exactly solvable exponential-tail loss: why fluctuations look quadratic while curvature grows with T.

[R] This is OUR tractable model, built from the abstract of Jules et al. 2023 ("the exponential
nature of the decision boundary and the flatness of the low-loss region"); the paper's own
simplified model could not be read (docs/models/thermal.md says what was read).

A classifier with a logistic-type loss puts on training point i the loss ℓ_i = e^{−u_i} once its
margin u_i is large (log(1 + e^{−u}) ~ e^{−u}). Along u_i the landscape is flat at large margin;
what keeps the margin finite is the bounded weight norm: we model it by a hard cap u_i ≤ M_i
(point i's largest attainable margin; ``floor`` ℓ_min,i = e^{−M_i}). Each margin is an independent
coordinate with flat measure, so the Gibbs density of u_i at temperature T is ∝ exp(−e^{−u}/T) on
(−∞, M_i], i.e. ℓ has density ∝ ℓ^{−1} e^{−ℓ/T} on [ℓ_min, ∞). With x = ℓ_min/T and
r(x) = e^{−x}/E₁(x) (derivation ``jules2023.exponential_wall``):

    ⟨ℓ⟩ = T r,   ⟨ℓ²⟩ = T²(1 + x) r,   Var ℓ = T²[(1 + x) r − r²],   ⟨ℓ − ℓ_min⟩ = T(r − x).

Consequences, per point: the equipartition estimators D_mean = 2⟨ℓ − ℓ_min⟩/T = 2(r − x) and
D_var = 2 Var/T² = 2[(1+x)r − r²] both go from 2 (x ≫ 1: the point sits at its cap, a linear
wall — it is *near the decision boundary*: even its best margin leaves a loss ≫ T) to
≈ 2/ln(1/x) → 0 (x ≪ 1: the point is deep inside its class and contributes almost nothing).
So the effective dimension counts the points near the boundary, and it depends on T only through
which points are "near". The ratio Q = Var/(T⟨ℓ − ℓ_min⟩) equals 1 for every quadratic well (any
number of directions); here it tends to 1 at both ends and dips to ≈ 0.75 near x ≈ 0.3, so at
each T the statistics are those of a quadratic well of dimension D(T), to within 25 per cent, —
while the sampled curvature ∂²ℓ/∂u² = ℓ has mean ⟨ℓ⟩ = T r, which grows with T.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from grok_theory import _validate
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx
from grok_theory.simulation import SeedStats, seed_tuple
from grok_theory._display import field_html, field_repr

__all__ = ["ExponentialWall", "scaled_e1", "point_statistics", "WallSimulation", "simulate_wall", "LogisticSimulation",
           "simulate_logistic"]


def scaled_e1(x: Any) -> np.ndarray:
    """e^{x} E₁(x) for x > 0 in float64 (continued fraction for x > 50, where e^{x} overflows first)."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    small = x <= 50
    out[small] = np.exp(x[small]) * special.exp1(x[small])
    xl = x[~small]
    if xl.size:
        # E₁(x) = e^{−x} / (x + 1 − 1²/(x + 3 − 2²/(x + 5 − …))), evaluated bottom-up (converged for x > 50)
        acc = xl + 41.0
        for k in range(20, 0, -1):
            acc = xl + (2 * k - 1) - k * k / acc
        out[~small] = 1.0 / acc
    return out


def point_statistics(x: Any, dps: int | None = None) -> dict[str, Any]:
    """Per-point statistics in units of T as functions of x = ℓ_min/T > 0.

    Returns ``mean`` = ⟨ℓ⟩/T = r, ``second`` = ⟨ℓ²⟩/T², ``var`` = Var ℓ/T², ``excess`` = ⟨ℓ − ℓ_min⟩/T,
    ``d_mean`` = 2·excess, ``d_var`` = 2·var and ``q`` = var/excess.
    """
    dps = _validate.dps_value(dps)
    if dps is not None:
        ctx = context(prec_of(dps + 10))
        xm = to_ctx(exact_scalar("x", x, lower=None)[0], ctx)
        if not xm > 0:
            raise ValueError(f"x must be > 0, got {x!r}")
        r = 1 / (ctx.exp(xm) * ctx.e1(xm))
        second = (1 + xm) * r
        var = second - r * r
        exc = r - xm
        vals = {"mean": r, "second": second, "var": var, "excess": exc, "d_mean": 2 * exc, "d_var": 2 * var,
                "q": var / exc}
        return {k: result(v, dps) for k, v in vals.items()}
    xa = np.asarray(x, dtype=float)
    if np.any(~(xa > 0)) or not np.all(np.isfinite(xa)):
        raise ValueError(f"x must be finite and > 0, got {x!r}")
    r = 1.0 / scaled_e1(xa)
    second = (1 + xa) * r
    var = second - r * r
    exc = r - xa
    out = {"mean": r, "second": second, "var": var, "excess": exc, "d_mean": 2 * exc, "d_var": 2 * var, "q": var / exc}
    return {k: (float(v) if np.ndim(v) == 0 else v) for k, v in out.items()}


@dataclass(frozen=True)
class ExponentialWall:
    """n independent margins with losses e^{−u_i}, caps u_i ≤ M_i, sampled at temperature T.

    Parameters
    ----------
    caps : array_like of float
        Largest attainable margins M_i (the floor of point i's loss is e^{−M_i}).

    Examples
    --------
    >>> w = ExponentialWall([0.0, 5.0, 10.0])
    >>> s = w.statistics(1e-2)
    >>> round(s["d_var"], 2)   # the point with floor 1 ≫ T counts ≈ 2, the others 1.0 and 0.27
    3.27
    """

    caps: Any

    def __post_init__(self) -> None:
        caps = _validate.real_array("caps", self.caps)
        if caps.ndim != 1 or caps.size == 0:
            raise ValueError(f"caps must be a non-empty 1-D array of margins, got shape {caps.shape}")
        object.__setattr__(self, "caps", caps)

    @property
    def floor(self) -> float:
        """L_min = Σ e^{−M_i}, the loss at the caps (the minimum)."""
        return float(np.exp(-self.caps).sum())

    def statistics(self, temperature: float) -> dict[str, float]:
        """Totals at temperature T: ``mean`` ⟨L⟩, ``var`` Var L, ``excess`` ⟨L⟩ − L_min, ``curvature``
        ⟨Σ ∂²ℓ_i/∂u_i²⟩ = ⟨L⟩, ``d_mean`` = 2·excess/T, ``d_var`` = 2 Var/T², ``q`` = Var/(T·excess)."""
        T = _validate.positive("temperature", temperature)
        p = point_statistics(np.exp(-self.caps) / T)
        mean, var, exc = T * np.sum(p["mean"]), T**2 * np.sum(p["var"]), T * np.sum(p["excess"])
        out = {"mean": mean, "var": var, "excess": exc, "curvature": mean, "d_mean": 2 * exc / T,
               "d_var": 2 * var / T**2, "q": var / (T * exc)}
        return {k: float(v) for k, v in out.items()}

    def near_boundary_count(self, temperature: float) -> int:
        """#{i : e^{−M_i} ≥ T}: points whose best loss is still above the temperature."""
        T = _validate.positive("temperature", temperature)
        return int(np.sum(np.exp(-self.caps) >= T))

    def quadratic_curvature(self) -> float:
        """Curvature Σ e^{−M_i} at the minimum: what a quadratic expansion there would use for every T."""
        return self.floor


@dataclass(frozen=True)
class WallSimulation(SeedStats):
    """Langevin runs of :class:`ExponentialWall`; arrays (n_seeds,): walker means of L, its variance, and ⟨L⟩ curvature."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    seeds: tuple[int, ...]
    params: dict
    mean_loss: np.ndarray
    var_loss: np.ndarray


def simulate_wall(caps: Any, temperature: float, lr: float = 1e-3, steps: int = 20000, walkers: int = 500,
                  seeds: Any = (0,)) -> WallSimulation:
    """Euler–Maruyama Langevin dynamics u ← u + η e^{−u} + √(2ηT) ξ with reflection at the caps.

    All walkers start at their caps (the minimum). After ``steps`` steps the walkers of a seed
    give one estimate of ⟨L⟩ and Var L (over walkers); seeds give the spread. The step bias is
    O(η) (the exact law is the η → 0 limit).
    """
    wall = ExponentialWall(caps)
    T = _validate.positive("temperature", temperature)
    lr = _validate.positive("lr", lr)
    steps = _validate.positive_int("steps", steps)
    walkers = _validate.positive_int("walkers", walkers)
    seeds = seed_tuple(seeds)
    caps = wall.caps
    amp = math.sqrt(2 * lr * T)
    means, vars_ = np.empty(len(seeds)), np.empty(len(seeds))
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng([seed, 7])
        u = np.broadcast_to(caps, (walkers, caps.size)).copy()
        for _ in range(steps):
            u += lr * np.exp(-u) + amp * rng.standard_normal(u.shape)
            u = np.where(u > caps, 2 * caps - u, u)
        loss = np.exp(-u).sum(axis=1)
        means[i], vars_[i] = loss.mean(), loss.var(ddof=1)
    return WallSimulation(seeds=seeds, params=dict(caps=caps, temperature=T, lr=lr, steps=steps, walkers=walkers),
                          mean_loss=means, var_loss=vars_)


@dataclass(frozen=True)
class LogisticSimulation(SeedStats):
    """Projected-Langevin runs of a norm-bounded logistic classifier on random labels; arrays (n_seeds,).

    ``d_var`` = 2 Var L/T² and ``d_mean`` = 2(⟨L⟩ − L_min)/T over walkers; ``near`` = 2·#{i : ℓ_i(w*) ≥ T}
    at the constrained minimiser w* (the exponential-wall prediction's leading term); ``floor`` = L_min.
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    seeds: tuple[int, ...]
    params: dict
    d_var: np.ndarray
    d_mean: np.ndarray
    near: np.ndarray
    floor: np.ndarray


def simulate_logistic(n: int, d: int, radius: float, temperature: float, lr: float = 1e-2, steps: int = 20000,
                      walkers: int = 100, seeds: Any = (0,), descent_steps: int = 20000) -> LogisticSimulation:
    """Langevin sampling of L(w) = Σ_i log(1 + e^{−y_i w·x_i}) on the ball ‖w‖ ≤ ``radius`` (simulation only).

    Random data: x_i ~ N(0, I_d/d), labels ±1 at random, n < d (separable). The minimiser w* on the
    ball is found by projected gradient descent; walkers start there and run
    w ← Π(w − η∇L + √(2ηT) ξ), Π the projection on the ball (the norm bound plays the role of the
    exponential wall's caps). Not exactly solvable: the margins are coupled through the ball.
    """
    n = _validate.positive_int("n", n)
    d = _validate.positive_int("d", d)
    R = _validate.positive("radius", radius)
    T = _validate.positive("temperature", temperature)
    lr = _validate.positive("lr", lr)
    steps = _validate.positive_int("steps", steps)
    walkers = _validate.positive_int("walkers", walkers)
    seeds = seed_tuple(seeds)
    out = {k: np.empty(len(seeds)) for k in ("d_var", "d_mean", "near", "floor")}

    def project(w: np.ndarray) -> np.ndarray:
        norm = np.linalg.norm(w, axis=-1, keepdims=True)
        return np.where(norm > R, w * (R / np.maximum(norm, 1e-300)), w)

    for i, seed in enumerate(seeds):
        rng = np.random.default_rng([seed, 11])
        a = rng.standard_normal((n, d)) / math.sqrt(d) * rng.choice([-1.0, 1.0], size=(n, 1))  # rows y_i x_i
        w = np.zeros(d)
        for _ in range(descent_steps):
            w = project(w + lr * a.T @ special.expit(-(a @ w)))
        losses = np.logaddexp(0.0, -(a @ w))
        floor = losses.sum()
        ws = np.broadcast_to(w, (walkers, d)).copy()
        amp = math.sqrt(2 * lr * T)
        for _ in range(steps):
            ws = project(ws + lr * special.expit(-(ws @ a.T)) @ a + amp * rng.standard_normal(ws.shape))
        total = np.logaddexp(0.0, -(ws @ a.T)).sum(axis=1)
        out["d_var"][i] = 2 * total.var(ddof=1) / T**2
        out["d_mean"][i] = 2 * (total.mean() - floor) / T
        out["near"][i] = 2 * np.sum(losses >= T)
        out["floor"][i] = floor
    return LogisticSimulation(seeds=seeds, params=dict(n=n, d=d, radius=R, temperature=T, lr=lr, steps=steps,
                                                       walkers=walkers), **out)
