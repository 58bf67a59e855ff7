"""Late-time asymptotic series of the learning curves, and the crossing and grokking times they give.

Every noise-free curve of :class:`~grok_theory.linear.model.TeacherStudent` is
``L(t) = L(∞) + Σ_k E[C_k(ν) h(ν, t)^k]`` (k = 1, 2; ``C_k ≥ 0``; derivation ``levi2024.eq15``).
At late times each expectation is dominated by the lower Marchenko–Pastur edge λ₋. Writing
the mode factor as ``h^k = ρ₀^{kt} e^{−σ w}`` with a variable ``w ≥ 0`` that vanishes at the
edge (flow: ``w = ν − λ₋``, ``ρ₀^{kt} = e^{−kc(λ₋+g)t}``, ``σ = kct``; discrete GD:
``w = −(ρ₀/c) log(1 − c(ν−λ₋)/ρ₀)``, ``ρ₀ = 1 − c(λ₋+g)``, ``σ = ktc/ρ₀``), the MP measure is
``C_k(ν) p(ν) dν = w^β A(w) dw`` with ``β = 1/2`` (``β = −1/2`` at λ = 1) and ``A`` analytic
at 0. Watson's lemma then gives the complete asymptotic series (derivation
``levi2024.late_time_series``):

    E[C_k h^k] ~ ρ₀^{kt} Σ_{n≥0} A_n Γ(n+β+1) σ^{−(n+β+1)}.

Near λ = 1 the density's factor 1/ν has its pole at ``w = −a`` close to the edge
(``a = λ₋`` for flow), and the plain series is useful only once ``σa ≫ 1``. The *uniform*
series (default) subtracts that pole, ``A(w) = R/(w+a) + A_reg(w)``, and integrates it
exactly,

    ∫₀^∞ w^{1/2} e^{−σw}/(w+a) dw = Γ(3/2) a^{1/2} e^{aσ} Γ(−1/2, aσ),

so the remainder series (in ``A_reg``, radius ≥ min(4√λ, λ₋+g) instead of λ₋) is uniform as
λ → 1. For d_out = 1, γ = 0 the pole term of L_gen is Levi's Eq. 23 and the leading plain
terms are Eqs. 11, 22 (``derivations/linear/asymptotics.py``). For λ > 1 the atom at ν = 0 adds the
plateau (γ = 0) or the terms ``(1−1/λ) C_k(0) h(0, t)^k`` (γ > 0) exactly.

Crossing times solve ``log(L(t) − L(∞)) = log(thr − L(∞))`` on the truncated series by Newton's
method started at the Lambert-W solution of the leading term (Levi Eq. 24 is that start for
d_out = 1, γ = 0). The decaying part is completely monotone in t, so its logarithm is convex and
Newton converges monotonically after the first step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
from mpmath.ctx_mp import MPContext

from grok_theory import _validate
from grok_theory.linear.grokking import threshold
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx

__all__ = ["EdgeTerm", "LateTimeSeries", "late_time_series", "crossing_time_approx", "grokking_time_approx",
           "critical_gen_time", "pole_integrals"]

_WHICH = ("train", "gen")


@dataclass(frozen=True)
class EdgeTerm:
    """One lower-edge contribution ``e^{−rate·t} [Σ_poles Σ_m R_m J_m(b, σ) + Σ_n A_n Γ(n+β+1) σ^{−(n+β+1)}]``.

    σ = ``sigma_rate``·t; ``J_m(b, σ) = ∫₀^∞ w^β e^{−σw}/(w+b)^m dw`` integrates the principal
    part ``R_m/(w+b)^m`` of the smooth factor at a pole ``w = −b`` exactly; ``poles`` is a tuple of
    ``(b, (R_1, R_2, …))``, empty for the plain (non-uniform) series.
    """

    k: int
    beta: mpmath.mpf
    rate: mpmath.mpf
    sigma_rate: mpmath.mpf
    coefficients: tuple[mpmath.mpf, ...]
    poles: tuple[tuple[mpmath.mpf, tuple[mpmath.mpf, ...]], ...] = ()


def pole_integrals(beta: Any, b: Any, sigma: Any, ctx: Any = None) -> tuple[Any, Any, Any]:
    """(J_0, J_1, J_2) with J_m = ∫₀^∞ w^β e^{−σw}/(w+b)^m dw, b > 0, β > −1.

    J_0 = Γ(β+1)σ^{−β−1};  J_1 = Γ(β+1) b^β e^{bσ} Γ(−β, bσ);  J_2 = −∂J_1/∂b
    = −Γ(β+1)[e^{bσ}Γ(−β, bσ)(β b^{β−1} + σ b^β) − b^{−1}σ^{−β}] (derivation ``levi2024.late_time_series``).
    Computed in the private mpmath context ``ctx`` (default: one carrying the arguments' precision,
    at least 53 bits); the results are numbers of that context.
    """
    if ctx is None:
        ctx = context(max([53] + [int(x._mpf_[3]) for x in (beta, b, sigma) if hasattr(x, "_mpf_")]))
    beta, b, sigma = (ctx.convert(x) for x in (beta, b, sigma))
    g1 = ctx.gamma(beta + 1)
    z = b * sigma
    eg = ctx.exp(z) * ctx.gammainc(-beta, z)
    j0 = g1 * sigma ** (-beta - 1)
    j1 = g1 * b**beta * eg
    j2 = -g1 * (eg * (beta * b ** (beta - 1) + sigma * b**beta) - sigma ** (-beta) / b)
    return j0, j1, j2


class LateTimeSeries:
    """The truncated late-time series of one curve of a model (see the module docstring).

    Attributes
    ----------
    terms : tuple of EdgeTerm
    atom_terms : tuple of (rate, coefficient)
        ``coefficient·e^{−rate·t}`` from the null modes (λ > 1 with weight decay).
    floor : mpf
        ``L(∞)`` (exact, :meth:`TeacherStudent.train_loss_limit` / ``gen_loss_limit``).
    optimal : bool
        Truncate each Watson sum before its smallest term (optimal truncation of a divergent
        asymptotic series; matters only at early times). ``False`` sums all ``order`` terms.
    """

    def __init__(self, terms: tuple[EdgeTerm, ...], atom_terms: tuple[tuple[Any, Any], ...], floor: Any, dps: int,
                 optimal: bool = True):
        self.terms, self.atom_terms, self.floor, self.dps = terms, atom_terms, floor, dps
        self.optimal = optimal

    def _ctx(self) -> Any:
        """This thread's private context at the series' precision."""
        return context(prec_of(self.dps))

    def __repr__(self) -> str:
        edges = ", ".join(f"rate {mpmath.nstr(term.rate, 6)} ({len(term.coefficients)} terms)" for term in self.terms)
        atoms = f", {len(self.atom_terms)} null-mode terms" if self.atom_terms else ""
        return (f"LateTimeSeries({edges or 'no edge term'}{atoms}; floor {mpmath.nstr(self.floor, 10)}; "
                f"{self.dps} digits, {'optimal' if self.optimal else 'full'} truncation)")

    def _parts(self, t: Any) -> tuple[Any, Any]:
        """(decaying part L(t) − L(∞), its t-derivative) at t, a number of a private context
        (everything is computed in that context)."""
        ctx = t.context
        C = ctx.convert
        val, der = ctx.mpf(0), ctx.mpf(0)
        for term in self.terms:
            beta, rate, sigma_rate = C(term.beta), C(term.rate), C(term.sigma_rate)
            sig = sigma_rate * t
            pref = ctx.exp(-rate * t)
            s, ds = ctx.mpf(0), ctx.mpf(0)
            prev = None
            for n, a_n in enumerate(term.coefficients):
                p = n + beta + 1
                g = C(a_n) * ctx.gamma(p) * sig ** (-p)
                if self.optimal and prev is not None and g != 0 and abs(g) > prev:
                    break  # optimal truncation: stop before the terms start to grow
                if g != 0:
                    prev = abs(g)
                s += g
                ds -= p * g / sig
            for b, res in term.poles:
                b = C(b)
                j = pole_integrals(beta, b, sig, ctx)
                for m, r_m in enumerate(res, 1):
                    s += C(r_m) * j[m]
                    ds -= C(r_m) * (j[m - 1] - b * j[m])  # ∂σ J_m = −(J_{m−1} − b J_m)
            val += pref * s
            der += pref * (-rate * s + sigma_rate * ds)
        for rate, coef in self.atom_terms:
            e = C(coef) * ctx.exp(-C(rate) * t)
            val += e
            der -= C(rate) * e
        return val, der

    def mp_value(self, t: Any, decaying_only: bool = False) -> Any:
        """L(t) (or L(t) − L(∞)) at the series' precision for a scalar t (mpmath number)."""
        ctx = self._ctx()
        tm = to_ctx(exact_scalar("t", t, lower=None)[0], ctx)
        if not tm > 0:
            raise ValueError(f"t must be > 0 for the late-time series, got {t!r}")
        val = self._parts(tm)[0]
        return result(val if decaying_only else ctx.convert(self.floor) + val, self.dps)

    def decaying(self, t: Any) -> Any:
        """L(t) − L(∞) from the series (float64, vectorised over t)."""
        return self._map(t, lambda tm: self._parts(tm)[0])

    def __call__(self, t: Any) -> Any:
        """L(t) from the series (float64, vectorised over t > 0)."""
        return self._map(t, lambda tm: tm.context.convert(self.floor) + self._parts(tm)[0])

    def log_value(self, t: Any) -> Any:
        """log L(t), valid below the float64 range (vectorised over t > 0)."""
        return self._map(t, lambda tm: tm.context.log(tm.context.convert(self.floor) + self._parts(tm)[0]))

    def _map(self, t: Any, f: Any) -> Any:
        arr = _validate.real_array("t", t, lower=0.0)
        if np.any(arr <= 0):
            raise ValueError(f"t must be > 0 for the late-time series, got {t!r}")
        ctx = self._ctx()
        out = np.array([float(f(ctx.mpf(float(x)))) for x in arr.ravel()]).reshape(arr.shape)
        return float(out) if out.ndim == 0 else out

    def leading_start(self, level: Any) -> Any:
        """Lambert-W solution of ``leading term = level`` (the Newton start; Levi Eq. 24 for the flow).

        Computed in the context of ``level`` if it is a number of a private context, else at the
        series' precision; returns a number of that context (None if no term reaches ``level``).
        """
        ctx = level.context if isinstance(getattr(level, "context", None), MPContext) and level.context is not mpmath.mp \
            else self._ctx()
        C = ctx.convert
        level = C(level)
        best = None
        for term in self.terms:
            n0 = next((n for n, c in enumerate(term.coefficients) if c != 0), None)
            amp = ctx.mpf(0)
            if n0 is not None:
                amp += C(term.coefficients[n0])
            if term.poles and n0 in (0, None):  # R_m/(w+b)^m contributes R_m/b^m at w = 0
                n0 = 0
                amp += ctx.fsum(C(r) / C(b)**m for b, res in term.poles for m, r in enumerate(res, 1))
            if n0 is None or amp <= 0:
                continue
            p = n0 + C(term.beta) + 1
            rate = C(term.rate)
            P = amp * ctx.gamma(p) * C(term.sigma_rate) ** (-p)
            if rate > 0:
                x = rate / p * (P / level) ** (1 / p)
                cand = p / rate * ctx.lambertw(x).real
            else:
                cand = (P / level) ** (1 / p)
            best = cand if best is None else max(best, cand)
        for rate, coef in self.atom_terms:
            if C(coef) > level:
                cand = ctx.log(C(coef) / level) / C(rate)
                best = cand if best is None else max(best, cand)
        return best


def _smooth_factor(model: TeacherStudent, coef: Any, w_of: Any, ctx: Any) -> Any:
    """A(w) with C(ν)p(ν)dν = w^β A(w) dw near the lower edge (in the private context ``ctx``)."""
    law = model.law._params(ctx)
    lam, lower, upper = law["lam"], law["lower"], law["upper"]
    critical = model.lam == 1

    def A(w: Any) -> Any:
        x, dx = w_of(w)
        nu = lower + x
        ratio = x / w if w != 0 else dx  # x(w)/w → x'(0) = 1
        base = coef(nu) * ctx.sqrt(upper - nu) * dx / (2 * ctx.pi * lam)
        if critical:  # p dν = √(4−ν)/(2π√ν) dν, √ν = √x = w^{1/2}√(x/w)
            return base / ctx.sqrt(ratio)
        return base * ctx.sqrt(ratio) / nu

    return A


def _edge_map(model: TeacherStudent, k: int, ctx: Any) -> tuple[Any, Any, Any, Any]:
    """(w ↦ (x(w), x'(w)), rate, σ per unit t, ν ↦ w(ν)) for h^k in the private context ``ctx``."""
    kk = model._k(ctx)
    c, g, lower = kk["c"], kk["g"], kk["lower"]
    if model.dynamics == "flow":
        return (lambda w: (w, ctx.mpf(1))), k * c * (lower + g), k * c, (lambda nu: nu - lower)
    rho0 = 1 - c * (lower + g)
    if rho0 <= 0:
        raise ValueError(f"lr={model.lr!r}: the edge mode overshoots (1 − c(λ₋+γ/2) = {float(rho0):.3g} ≤ 0); "
                         "the edge expansion needs 0 < 1 − (2 lr/d_out)(λ₋ + weight_decay/2)")
    if c * (model.law._params(ctx)["upper"] + lower + 2 * g) >= 2:
        raise ValueError(f"lr={model.lr!r}: |1 − c(λ₊+γ/2)| ≥ 1 − c(λ₋+γ/2), the upper edge decays as slowly as the "
                         "lower one and the lower-edge series does not apply")
    b = c / rho0

    def w_of(w: Any) -> tuple[Any, Any]:
        e = ctx.exp(-b * w)
        return (1 - e) / b, e

    return w_of, -k * ctx.log(rho0), k * b, (lambda nu: -ctx.log(1 - b * (nu - lower)) / b)


def _cauchy(ctx: Any, f: Any, center: Any, radius: Any, n_pts: int, powers: range) -> list[Any]:
    """(1/2π)∮ f(center + r e^{iθ}) (r e^{iθ})^p dθ for p in ``powers`` (trapezoid rule, n_pts nodes).

    p = −n gives the n-th Taylor coefficient at ``center``; p = j ≥ 1 the coefficient of
    (w − center)^{−j} of a pole there. The rule converges geometrically (analytic integrand).
    """
    vals = []
    for i in range(n_pts):
        z = radius * ctx.expjpi(2 * ctx.mpf(i) / n_pts)
        vals.append((z, f(center + z)))
    return [ctx.re(ctx.fsum(v * z**p for z, v in vals) / n_pts) for p in powers]


@lru_cache(maxsize=256)
def _build(model: TeacherStudent, which: str, order: int, uniform: bool, dps: int) -> LateTimeSeries:
    if model.label_noise > 0:
        raise ValueError(f"label_noise={model.label_noise!r}: the late-time series covers noise-free curves only (need 0)")
    terms = []
    atoms = []
    work = dps + 15
    ctx = context(prec_of(work))
    half = ctx.mpf(1) / 2
    kk = model._k(ctx)
    law = model.law._params(ctx)
    atom, g = law["atom"], kk["g"]
    if g == 0:  # the null modes keep h = 1: floor = atom · Σ_k C_k(0)
        floor = atom * ctx.fsum(coef(ctx.mpf(0)) for _, coef in model.mode_coefficients(which, mp=ctx))
    else:
        floor = ctx.convert((model.train_loss_limit if which == "train" else model.gen_loss_limit)(dps=dps + 10))
    for k, coef in model.mode_coefficients(which, mp=ctx):
        if k == 0:
            continue
        w_of, rate, sig_rate, w_at = _edge_map(model, k, ctx)
        A = _smooth_factor(model, coef, w_of, ctx)
        beta = -half if model.lam == 1 else half
        # poles of A on the negative w axis: ν = 0 (density, λ ≠ 1, simple) and ν = −g (weight decay, double)
        cand = ([(ctx.mpf(0), 1)] if model.lam != 1 else []) + ([(-g, 2)] if g > 0 else [])
        locs = [(-w_at(nu), m) for nu, m in cand]
        # the plain series keeps the poles in A: its Taylor circle must stay inside them
        r_plain = min([b for b, _ in locs], default=ctx.inf)
        if not uniform:
            locs = []
        # radius of convergence of the regular part: the upper edge, ν(w) = λ₊ (|w| ≈ 4√λ)
        r_conv = abs(w_at(law["upper"]))
        n_pts = int(3.5 * work) + 2 * order  # trapezoid error ≈ 2^{−n_pts} (circles at half the distance)
        poles = []
        for i, (b, m) in enumerate(locs):
            others = [abs(b - b2) for j, (b2, _) in enumerate(locs) if j != i] + [r_conv - b, b]
            rad = min(others) / 2
            res = _cauchy(ctx, A, -b, rad, n_pts, range(1, m + 1))
            poles.append((b, tuple(res)))

        def reg(w: Any, A=A, poles=tuple(poles)) -> Any:
            return A(w) - sum(r / (w + b) ** m for b, res in poles for m, r in enumerate(res, 1))

        rad0 = min(r_conv, r_plain) / 2 if not uniform else r_conv / 2
        for b, _ in poles:  # keep the circle away from the (cancelled) poles
            if abs(b - rad0) < rad0 / 10:
                rad0 = rad0 * 0.8
        coeffs = _cauchy(ctx, reg, ctx.mpf(0), rad0, n_pts, range(0, -order, -1)) if order > 0 else []
        big = max([abs(c_) for c_ in coeffs], default=0)
        coeffs = [c_ if abs(c_) > ctx.mpf(10) ** (-dps) * big else ctx.mpf(0) for c_ in coeffs]  # exact zeros
        terms.append(EdgeTerm(k, beta, rate, sig_rate, tuple(coeffs), tuple(poles)))
        if atom > 0 and g > 0:
            c0 = coef(ctx.mpf(0))
            if c0 != 0:
                h0 = model.mode_factor(ctx.mpf(1), ctx.mpf(0), mp=ctx)  # h(0, t=1): e^{−cg} or 1 − cg
                atoms.append((-k * ctx.log(h0), atom * c0))

    def r(x: Any) -> Any:  # rounded to dps digits, as a number of no private context
        return result(x, dps)

    terms = tuple(EdgeTerm(t.k, r(t.beta), r(t.rate), r(t.sigma_rate), tuple(r(c) for c in t.coefficients),
                           tuple((r(b), tuple(r(x) for x in res)) for b, res in t.poles)) for t in terms)
    return LateTimeSeries(terms, tuple((r(x), r(c)) for x, c in atoms), r(floor), dps)


#: the highest series order accepted (order 30 costs ~2 s; the series is asymptotic, so high orders rarely help)
ORDER_MAX = 60


def late_time_series(model: TeacherStudent, which: str = "gen", order: int = 6, uniform: bool = True,
                     dps: int = 30, optimal: bool = True) -> LateTimeSeries:
    """Truncated late-time (lower-edge) asymptotic series of L_tr or L_gen.

    Parameters
    ----------
    model : TeacherStudent
        Any λ > 0, d_out, weight decay, init/teacher scale, flow or discrete GD; no label noise.
    which : {"train", "gen"}
    order : int ≥ 0
        Number of Watson terms A_0 … A_{order−1} per edge term (the error is
        O(σ^{−order}) relative to the leading term).
    uniform : bool
        Subtract the pole of the density at ν = 0 and integrate it exactly (incomplete gamma),
        making the series uniform as λ → 1 (generalisation loss only; the training loss has no
        such pole). ``False`` gives the plain Watson series (Levi Eqs. 11, 22 are its first term).
    dps : int
        Digits used for the coefficients and the evaluation.
    optimal : bool
        Optimal truncation (stop each sum before its smallest term); ``False`` sums all terms.

    Returns
    -------
    LateTimeSeries
        Callable on t (GD steps); ``.terms`` holds the coefficients A_n.

    Examples
    --------
    >>> from grok_theory.linear.model import TeacherStudent
    >>> m = TeacherStudent(0.5)
    >>> ser = late_time_series(m, "train", order=8)
    >>> abs(ser(2000.0) / m.train_loss(2000.0) - 1) < 1e-9
    True
    """
    _validate.choice("which", which, _WHICH)
    order = _validate.int_in_range("order", order, 0, ORDER_MAX)
    dps = _validate.int_in_range("dps", dps, 1, _validate.DPS_MAX)
    ser = _build(model, which, order, bool(uniform), dps)
    if not optimal:
        ser = LateTimeSeries(ser.terms, ser.atom_terms, ser.floor, ser.dps, optimal=False)
    return ser


def crossing_time_approx(model: TeacherStudent, which: str, eps: Any, order: int = 6, newton: int | None = None,
                         criterion: str = "loss", level: float = 0.95, uniform: bool = True,
                         convention: str = "mean") -> Any:
    """Crossing time t* from the late-time series: Lambert-W start, then Newton steps.

    Parameters
    ----------
    model : TeacherStudent
    which : {"train", "gen"}
    eps : float or array_like of float > 0
    order : int
        Terms of the series (:func:`late_time_series`). ``order=1, newton=0`` with
        ``uniform=False`` is Levi's Eq. 24 (d_out = 1, γ = 0, flow).
    newton : int, optional
        Number of Newton steps on ``log(L(t) − L(∞)) = log(thr − L(∞))``; ``None`` iterates to a
        relative change < 1e-13 (at most 60 steps).
    criterion, level, convention
        As in :func:`grok_theory.linear.grokking.crossing_time`.

    Returns
    -------
    float or ndarray
        ``inf`` where the threshold is at or below the floor L(∞).
    """
    ser = late_time_series(model, which, order, uniform)
    eps_arr = _validate.real_array("eps", eps, lower=0.0)
    out = np.empty(eps_arr.shape)
    steps = 60 if newton is None else _validate.nonnegative_int("newton", newton)
    ctx = context(prec_of(ser.dps))
    floor = ctx.convert(ser.floor)
    for idx, e in np.ndenumerate(eps_arr):
        thr = ctx.mpf(threshold(model, float(e), criterion, level, convention))
        y = thr - floor
        if y <= 0:
            out[idx] = math.inf
            continue
        t = ser.leading_start(y)
        if t is None or not t > 0:
            raise ValueError(f"eps={float(e)!r}: no late-time crossing (the leading term never reaches the threshold)")
        target = ctx.log(y)
        for _ in range(steps):
            v, d = ser._parts(t)
            if v <= 0 or d >= 0:
                raise ValueError(f"eps={float(e)!r}: the truncated series is not decreasing at t = {float(t):.4g} "
                                 "(the crossing is too early for the late-time expansion); "
                                 "use grok_theory.linear.grokking.crossing_time")
            step = (ctx.log(v) - target) * v / d
            t_new = t - step
            if t_new <= t / 10:  # a step from far right of the root: stay positive
                t_new = t / 10
            if abs(t_new - t) <= ctx.mpf(10) ** -13 * t:
                t = t_new
                break
            t = t_new
        out[idx] = float(t)
    return float(out) if out.ndim == 0 else out


def grokking_time_approx(lam: float, eps: Any, lr: float = 0.01, d_out: int = 1, weight_decay: float = 0.0,
                         dynamics: str = "flow", order: int = 6, newton: int | None = None) -> Any:
    """Grokking time Δt = t*_gen − t*_tr from the late-time series (criterion "loss": L(t*) = eps/4).

    Derived, not fitted: both crossing times are the roots of the truncated lower-edge
    series (:func:`crossing_time_approx`). Vectorised over ``eps``.

    Parameters
    ----------
    lam : float > 0
    eps : float or array_like of float > 0
    lr, d_out, weight_decay, dynamics
        As in :class:`~grok_theory.linear.model.TeacherStudent`.
    order : int
        Terms of the series.
    newton : int, optional
        Newton steps from the Lambert-W start (``None``: to convergence).

    Returns
    -------
    float or ndarray
        Δt in GD steps; ``inf`` where generalisation never reaches the threshold.

    Examples
    --------
    >>> round(grokking_time_approx(0.5, 1e-3), 1)
    431.3
    """
    model = TeacherStudent(lam, d_out=d_out, lr=lr, weight_decay=weight_decay, dynamics=dynamics)
    tg = np.asarray(crossing_time_approx(model, "gen", eps, order, newton))
    tt = np.asarray(crossing_time_approx(model, "train", eps, order, newton))
    out = np.where(np.isinf(tg), math.inf, tg - np.where(np.isinf(tg), 0.0, tt))
    return float(out) if out.ndim == 0 else out


def critical_gen_time(lam: Any, eps: Any, lr: float = 0.01) -> Any:
    """Generalisation crossing time near λ = 1 in closed form (derivation ``levi2024.critical_scaling``).

    t*_gen ≃ 4 / (π η (λ^{3/4} ε + 4(1 − √λ))²)   (d_out = 1, γ = 0, flow; criterion L = ε/4),

    from the first uniform term B₀ δ Γ(−1/2, δ² s) = ε/4 (δ = 1 − √λ) with Γ(−1/2, X) ≈ 2X^{−1/2} − 2√π,
    valid while δ² s*_gen ≪ 1, i.e. 1 − √λ ≲ ε. At λ = 1 it is the power-law crossing 4/(πηε²):
    Δt stays finite as λ → 1 at fixed ε (it diverges only in the ε → 0-first limit, Eq. 12).
    Vectorised over ``lam`` and ``eps``.
    """
    lam = _validate.real_array("lam", lam)
    eps = _validate.real_array("eps", eps)
    lr = _validate.positive("lr", lr)
    if np.any(lam <= 0) or np.any(eps <= 0):
        raise ValueError(f"lam and eps must be > 0, got lam={lam!r}, eps={eps!r}")
    with np.errstate(over="ignore", divide="ignore", under="ignore"):  # out of float range: 0 or inf
        out = 4 / (math.pi * lr * (lam**0.75 * eps + 4 * np.abs(1 - np.sqrt(lam))) ** 2)
    return float(out) if out.ndim == 0 else out
