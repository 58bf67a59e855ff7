"""Certified enclosures of Marchenko–Pastur expectations (``certified=True``), by Arb.

With ``ν = 1 + λ − 2√λ cos θ`` the continuous part of the law is ``(2/π) sin²θ/ν dθ`` on
``[0, π]`` (module :mod:`grok_theory.mp.angle_rule`, derivation ``mp.semicircle``), so

    E[F(ν)] = (2/π) ∫₀^π F(ν(θ)) sin²θ/ν dθ + (1 − 1/λ)⁺ F_atom(0).

The integral is computed by Arb's rigorous integrator (``flint.acb.integral``: Gauss–Legendre
with error bounds from the integrand's enclosure on complex ellipses, adaptive bisection),
in ball arithmetic from the parameters as given (floats, ints, fractions and decimal strings
enter as exact or rigorously enclosed balls). The result is an :class:`Interval` that contains
the exact value; its width is at most ``10^(−dps)`` times the value (else ``QuadratureError``).
At λ = 1 exactly the weight is written ``sin²θ/ν = (λ₊ − ν)/4``, entire. For ``0 < |λ − 1| < 1e-3``
the pole of 1/ν at distance ``|ln λ|/2`` from the path makes Arb's integration fail or take minutes
(measured at λ = 1 ± 1e-6: no enclosure after 70 s, also with the subtracted integrand
(F(ν) − F(0))/ν); ``QuadratureError`` says so at once.

Needs python-flint (the ``certified`` extra: ``pip install 'grok-theory[certified]'``). Arb's
working precision is python-flint's global ``flint.ctx``; it is set for the call and restored
afterwards, but two threads computing certified values at once share it (not thread-safe).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
from mpmath.libmp import from_man_exp

from grok_theory.mp.angle_rule import QuadratureError
from grok_theory.mp.precision import prec_of, to_fraction

__all__ = ["Interval", "require_flint", "to_arb", "arb_expect", "interval_of"]


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lower, upper]`` (mpmath numbers) rigorously containing a value."""

    lower: Any
    upper: Any

    @property
    def mid(self) -> Any:
        return (self.lower + self.upper) / 2

    @property
    def width(self) -> Any:
        return self.upper - self.lower

    def __contains__(self, x: Any) -> bool:
        return self.lower <= x <= self.upper

    def to_mpi(self) -> Any:
        """As an ``mpmath.mpi`` interval."""
        return mpmath.mpi(self.lower, self.upper)

    def __repr__(self) -> str:
        return f"Interval({mpmath.nstr(self.lower, 20)}, {mpmath.nstr(self.upper, 20)})"

    def _repr_html_(self) -> str:
        """Jupyter: the endpoints and the width."""
        return (f"<code>[{mpmath.nstr(self.lower, 20)}, {mpmath.nstr(self.upper, 20)}]</code> "
                f"(width {mpmath.nstr(self.width, 3)})")


def require_flint() -> Any:
    """The ``flint`` module, or an ImportError naming the extra that provides it."""
    try:
        import flint
    except ImportError:
        raise ImportError("certified=True needs python-flint (Arb): pip install 'grok-theory[certified]'") from None
    return flint


def to_arb(value: Any, flint: Any) -> Any:
    """A kept parameter (float, int, Fraction, str, mpf, SymPy number) as an Arb ball containing it."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a parameter value")
    if isinstance(value, int):
        return flint.arb(value)
    if isinstance(value, float):
        return flint.arb(value)  # exact: a float is a dyadic number
    if isinstance(value, Fraction):
        return flint.arb(value.numerator) / value.denominator
    if isinstance(value, str):
        return flint.arb(value)  # decimal strings are enclosed rigorously
    if isinstance(value, mpmath.mpf):
        q = to_fraction(value)  # exact, sign included
        return flint.arb(q.numerator) / q.denominator
    if hasattr(value, "is_Rational") and value.is_Rational:
        return flint.arb(int(value.p)) / int(value.q)
    if hasattr(value, "evalf"):  # an irrational SymPy number: its decimals, with a radius covering them
        digits = int(flint.ctx.dps) + 20
        return flint.arb(str(value.evalf(digits)), f"1e-{digits - 5}") * 1
    return flint.arb(value)


def interval_of(ball: Any) -> Interval:
    """The exact endpoints of an Arb ball as an :class:`Interval` of mpmath numbers."""
    ends = []
    for end in (ball.lower(), ball.upper()):
        man, exp = end.man_exp()
        ends.append(mpmath.mp.make_mpf(from_man_exp(int(man), int(exp))))  # exact (no rounding)
    return Interval(*ends)


def arb_expect(lam: Any, make_F: Callable[[Any], tuple[Callable[[Any], Any], Any]], dps: int,
               scale: float = 1.0) -> Interval:
    """Enclosure of ``E_cont[F] + (1 − 1/λ)⁺·F_atom(0) + constant`` with width ≤ 10^(−dps) times the value.

    ``make_F(flint)`` (called at each working precision) returns ``(F, F_atom, constant)``:
    ``F`` maps an acb ball ν to an acb ball (it must be analytic near the support, apart from
    poles), ``F_atom`` gives the value at the atom (``None``: ``F``), ``constant`` an arb ball
    (or 0), and optionally a fourth item, an arb factor multiplying the integral (F then
    carries ``e^{−s(ν−λ₋)}`` and the factor ``e^{−sλ₋}``). ``lam`` is a kept parameter. ``scale``: a rough size of the integral (sets the
    absolute tolerance; 0: estimated by a quick low-precision enclosure). The precision is
    raised until the width is small enough.
    """
    flint = require_flint()
    old = flint.ctx.prec
    try:
        for extra in (15, 40, 100):
            flint.ctx.prec = prec_of(dps + extra)
            lam_b = to_arb(lam, flint)
            sq = lam_b.sqrt()
            upper = (1 + sq) ** 2
            critical = lam_b == 1  # exactly 1 (a ball of radius 0)
            if not critical and abs(float(lam_b.mid()) - 1) < 1e-3:
                raise QuadratureError(
                    f"certified=True is not available for 0 < |lam - 1| < 1e-3 (lam={lam!r}): the pole of 1/nu "
                    "is too close to the integration path for Arb; use dps= (certified by the nested rule)")
            F, F_atom, const, *rest = make_F(flint)
            factor = rest[0] if rest else None  # multiplies the integral (a late-time e^{−sλ₋})

            def integrand(theta: Any, analytic: bool) -> Any:
                nu = 1 + lam_b - 2 * sq * theta.cos()
                weight = (upper - nu) / 4 if critical else theta.sin() ** 2 / nu
                return F(nu) * weight

            tol = flint.arb(10) ** (-dps - 5)
            if not scale > 0:  # the value's size, from a quick low-precision enclosure
                rough = flint.acb.integral(integrand, 0, flint.arb.pi(), rel_tol=flint.arb(10) ** -6,
                                           abs_tol=flint.arb(10) ** -300, eval_limit=10**5).real
                scale = abs(float(rough.mid())) if rough.is_finite() and rough.mid() != 0 else 1.0
            abs_tol = tol * flint.arb(scale)
            val = flint.acb.integral(integrand, 0, flint.arb.pi(), rel_tol=tol, abs_tol=abs_tol,
                                     eval_limit=10**6).real * 2 / flint.arb.pi()
            if factor is not None:
                val *= factor
            if lam_b > 1:
                val += (1 - 1 / lam_b) * (F_atom or F)(flint.acb(0)).real
            val += const
            if val.is_finite() and 2 * val.rad() <= flint.arb(10) ** (-dps) * abs(val.mid()):
                return interval_of(val)
        raise QuadratureError(f"Arb could not enclose the value to {dps} digits (got {val})")
    finally:
        flint.ctx.prec = old
