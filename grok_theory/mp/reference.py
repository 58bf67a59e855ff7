"""Independent reference quadrature for Marchenko–Pastur expectations (slow, for checks only).

The engine (:mod:`grok_theory.mp.law`) integrates in the angle variable with a certified
periodic trapezoid rule. This module is deliberately different: ``mpmath.quad`` on the *raw*
density p(ν) = √((λ₊ − ν)(ν − λ₋))/(2πλν) (Levi et al. 2024, Eq. 6) in the variable ν, with
the square-root edges removed by ν = λ₋ + w² and ν = λ₊ − v². It imports nothing from the
engine, so agreement between the two is evidence for both. Used by
``scripts/precompute_mp_reference.py`` (stored reference values) and by the numeric checks of
``grok-theory verify``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath

__all__ = ["edges", "integrate", "expect", "laplace", "cdf"]


def edges(lam: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The support edges λ∓ = (1 ∓ √λ)² at the working precision (λ₋ without cancellation)."""
    lam = mpmath.mpf(lam)
    sq = mpmath.sqrt(lam)
    lo = ((1 - lam) / (1 + sq)) ** 2
    return lo, (1 + sq) ** 2


def integrate(lam: Any, g: Callable[[Any], Any], method: str = "tanh-sinh", s: Any = None,
              nu_points: Mapping[Any, Any] | None = None) -> Any:
    """∫ g(ν) p(ν) dν over the continuous part of the MP law, edge singularities removed.

    [λ₋, m] with ν = λ₋ + w² and [m, λ₊] with ν = λ₊ − v² (m the midpoint), so both
    square-root edges become analytic. Splits: geometric in w from √λ₋/16 (the scale of
    1/ν near λ = 1), at w = 2^{k/2}/√s for a late-time peak e^{−sν} (``s``), and around the
    given ν (``nu_points`` maps a near-singular point of g to its distance scale).
    """
    lam = mpmath.mpf(lam)
    lo, hi = edges(lam)
    mid = (lo + hi) / 2
    wmax, vmax = mpmath.sqrt(mid - lo), mpmath.sqrt(hi - mid)

    def lower(w: Any) -> Any:
        nu = lo + w * w
        return g(nu) * w * mpmath.sqrt(hi - nu) / (2 * mpmath.pi * lam * nu) * 2 * w

    def upper(v: Any) -> Any:
        nu = hi - v * v
        return g(nu) * v * mpmath.sqrt(nu - lo) / (2 * mpmath.pi * lam * nu) * 2 * v

    wpts = {mpmath.mpf(0), wmax}
    if lo > 0:
        x = mpmath.sqrt(lo) / 16
        while x < wmax:
            wpts.add(x)
            x *= 2
    if s:
        x = 1 / mpmath.sqrt(s)
        while x < wmax:
            wpts.add(x)
            x *= mpmath.sqrt(2)
    vpts = {mpmath.mpf(0), vmax}
    for nu, scale in (nu_points or {}).items():
        for d in (0, 1, 10, 100):
            for sign in (-1, 1):
                x = nu + sign * d * scale
                if lo < x < mid:
                    wpts.add(mpmath.sqrt(x - lo))
                elif mid <= x < hi:
                    vpts.add(mpmath.sqrt(hi - x))
    return mpmath.quad(lower, sorted(wpts), method=method) + mpmath.quad(upper, sorted(vpts), method=method)


def expect(lam: Any, f: Callable[[Any], Any], s: Any = 0, method: str = "tanh-sinh") -> Any:
    """E[f(ν) e^{−sν}] over the full MP law (atom (1 − 1/λ)⁺ at ν = 0 included).

    ``f`` takes and returns mpmath numbers; it is evaluated at ν = 0 only when λ > 1. The
    factor e^{−sλ₋} is taken out analytically so the late-time peak is resolved.
    """
    lam, s = mpmath.mpf(lam), mpmath.mpf(s)
    lo, _ = edges(lam)
    val = integrate(lam, lambda nu: f(nu) * mpmath.exp(-s * (nu - lo)), method, s=s) * mpmath.exp(-s * lo)
    atom = 1 - 1 / lam
    if atom > 0:
        val += atom * f(mpmath.mpf(0))
    return val


def laplace(lam: Any, s: Any, power: int = 0, method: str = "tanh-sinh") -> Any:
    """E[ν^power e^{−sν}] over the full MP law (the atom contributes only for power = 0)."""
    return expect(lam, lambda nu: nu**power, s, method)


def cdf(lam: Any, x: Any, method: str = "tanh-sinh") -> Any:
    """P(ν ≤ x) over the full MP law, atom included, by quadrature of the raw density up to x."""
    lam, x = mpmath.mpf(lam), mpmath.mpf(x)
    lo, hi = edges(lam)
    atom = max(mpmath.mpf(0), 1 - 1 / lam)
    jump = atom if x >= 0 else mpmath.mpf(0)
    if x <= lo:
        return jump
    if x >= hi:
        return jump + min(mpmath.mpf(1), 1 / lam)
    mid = (lo + hi) / 2
    if x <= mid:
        wx = mpmath.sqrt(x - lo)
        f = lambda w: 2 * w * w * mpmath.sqrt(hi - lo - w * w) / (2 * mpmath.pi * lam * (lo + w * w))
        pts = sorted({mpmath.mpf(0), wx} | ({mpmath.sqrt(lo) / 16 * 2**k for k in range(40) if mpmath.sqrt(lo) / 16 * 2**k < wx} if lo > 0 else set()))
        return jump + mpmath.quad(f, pts, method=method)
    vx = mpmath.sqrt(hi - x)
    total = min(mpmath.mpf(1), 1 / lam)
    f = lambda v: 2 * v * v * mpmath.sqrt(hi - v * v - lo) / (2 * mpmath.pi * lam * (hi - v * v))
    return jump + total - mpmath.quad(f, [0, vx], method=method)
