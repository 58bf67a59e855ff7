"""Per-call precision and exact parameters for the arbitrary-precision (``dps=``) paths.

mpmath's global context ``mpmath.mp`` (and ``workdps``/``workprec``, which set it) is state
shared by every thread, so the engine never touches it. Every ``dps=`` call instead works in a
private :class:`mpmath.ctx_mp.MPContext` of fixed binary precision, one per (thread, precision)
(:func:`context`): arithmetic between its numbers and all of its functions run at that
precision whatever ``mpmath.mp.dps`` is, and whatever other threads do. Results are handed
back as ordinary ``mpmath.mpf`` numbers rounded to the requested digits (:func:`result`).

Parameters given exactly — ``int``, :class:`fractions.Fraction`, ``str`` (``"0.9"`` is 9/10),
``mpmath.mpf`` and SymPy numbers (``Rational(9, 10)``, ``sqrt(2)``) — are kept as given and
converted at the working precision of each call (:func:`to_ctx`); a ``float`` is taken as the
binary number it is.
"""
from __future__ import annotations

import math
import numbers
import threading
from fractions import Fraction
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
from mpmath.ctx_mp import MPContext
from mpmath.ctx_mp_python import _mpf as _MPF  # the mpf of every context (mpmath.mpf and private ones)
from mpmath.libmp import dps_to_prec, from_rational, mpf_pos, round_nearest

__all__ = ["context", "prec_of", "exact_scalar", "to_ctx", "to_fraction", "result", "vectorize", "takes_context", "sum_cancelling",
           "EXACT_TYPES"]

_local = threading.local()


def context(prec: int) -> MPContext:
    """This thread's private mpmath context at ``prec`` bits (created once, never re-precisioned).

    mpmath functions may raise a context's precision temporarily (and restore it), so a context
    is never shared between threads; within a thread, callers must not change ``ctx.prec``.
    """
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    ctx = pool.get(prec)
    if ctx is None:
        ctx = MPContext()
        ctx.prec = prec
        pool[prec] = ctx
    return ctx


def prec_of(dps: int) -> int:
    """Binary precision (bits) carrying ``dps`` decimal digits (mpmath's own conversion)."""
    return int(dps_to_prec(int(dps)))


def _is_sympy(value: Any) -> bool:
    return type(value).__module__.startswith("sympy")


#: kinds of numbers kept exactly
EXACT_TYPES = (numbers.Rational, Fraction, str, _MPF)


def exact_scalar(name: str, value: Any, lower: float | None = 0.0, strict: bool = False) -> tuple[Any, float]:
    """Validate a real scalar parameter and return ``(kept, as_float)``.

    ``kept`` is the value to convert at each call's precision: an ``int``, ``Fraction``,
    ``mpmath.mpf`` (raw, any precision), a SymPy number, or a ``str`` that parses as a real;
    floats (and numpy scalars) are kept as floats. ``lower``: the allowed minimum (``strict``:
    exclusive). Raises TypeError/ValueError naming the parameter, the value and the range.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {value!r} of type bool")
    if isinstance(value, str):
        try:
            x = mpmath.mpf(value.strip()) if value.strip() else None
        except (ValueError, TypeError):
            x = None
        if x is None:
            raise ValueError(f"{name} must be a real number (a str such as '0.9' is read exactly), got {value!r}")
        kept: Any = value.strip()
        f = float(Fraction(kept)) if _decimal(kept) else float(x)
    elif _is_sympy(value):
        if not (getattr(value, "is_number", False) and value.is_real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if value.is_Rational:
            kept = Fraction(int(value.p), int(value.q))
            f = float(kept)
        else:
            kept, f = value, float(value)
    elif isinstance(value, _MPF):  # of any context: kept with its full mantissa
        kept, f = mpmath.mp.make_mpf(value._mpf_), float(value)
    elif isinstance(value, (Fraction, numbers.Integral, np.integer)):
        kept = Fraction(value) if isinstance(value, Fraction) else int(value)
        f = float(kept) if abs(kept) < 1e308 else math.copysign(math.inf, kept)
    elif isinstance(value, (numbers.Real, np.floating)):
        kept = f = float(value)
    else:
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if lower is not None and (f < lower or (strict and f <= lower)):
        # compare exactly where float rounding could decide it
        exact = to_fraction(kept) if not _is_sympy(kept) else None
        bad = (exact < lower or (strict and exact <= lower)) if exact is not None else (f < lower or (strict and f <= lower))
        if bad:
            raise ValueError(f"{name} must be {'>' if strict else '>='} {lower}, got {value!r}")
    return kept, f


def _decimal(text: str) -> bool:
    try:
        Fraction(text)
        return True
    except (ValueError, ZeroDivisionError):
        return False


def _dyadic(value: Any) -> Fraction:
    """The exact value of a finite mpf as a Fraction (``man_exp`` drops the sign: use ``_mpf_``)."""
    sign, man, exp, _ = value._mpf_
    if not man:
        return Fraction(0)
    out = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -out if sign else out


def to_fraction(value: Any) -> Fraction | None:
    """The exact rational value of a kept parameter (None for an irrational SymPy number)."""
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            return _dyadic(mpmath.mpf(value))
    if isinstance(value, _MPF):
        return _dyadic(value)
    if _is_sympy(value):
        return Fraction(int(value.p), int(value.q)) if value.is_Rational else None
    return Fraction(value)


def to_ctx(value: Any, ctx: MPContext) -> Any:
    """A kept parameter as a number of ``ctx``, correctly rounded to its precision."""
    if isinstance(value, float):
        return ctx.mpf(value)
    if isinstance(value, int):
        return ctx.mpf(value)
    if isinstance(value, Fraction):
        return ctx.make_mpf(from_rational(value.numerator, value.denominator, ctx.prec, round_nearest))
    if isinstance(value, str):
        return ctx.mpf(value)
    if isinstance(value, _MPF):
        return ctx.make_mpf(mpf_pos(value._mpf_, ctx.prec, round_nearest))
    if _is_sympy(value):
        return ctx.make_mpf(mpf_pos(value.evalf(int(ctx.dps) + 10)._mpf_, ctx.prec, round_nearest))
    if hasattr(value, "_mpf_"):
        return ctx.make_mpf(mpf_pos(value._mpf_, ctx.prec, round_nearest))
    return ctx.mpf(value)


def result(x: Any, dps: int) -> Any:
    """``x`` (a number of any context) as a global-context ``mpmath.mpf``/``mpc`` rounded to ``dps``.

    The returned number carries the requested precision whatever ``mpmath.mp.dps`` is
    (mpmath numbers keep their own mantissa).
    """
    prec = prec_of(dps)
    if hasattr(x, "_mpf_"):
        return mpmath.mp.make_mpf(mpf_pos(x._mpf_, prec, round_nearest))
    if hasattr(x, "_mpc_"):
        re, im = x._mpc_
        return mpmath.mp.make_mpc((mpf_pos(re, prec, round_nearest), mpf_pos(im, prec, round_nearest)))
    if isinstance(x, (int, float)):
        return mpmath.mp.make_mpf(mpf_pos(mpmath.mpf(x)._mpf_, prec, round_nearest)) if isinstance(x, float) \
            else mpmath.mp.make_mpf(mpmath.libmp.from_int(x, prec, round_nearest))
    raise TypeError(f"cannot return {x!r} as an mpmath number")


def vectorize(name: str, value: Any, fn: Callable[[Any], Any]) -> Any:
    """Apply the scalar ``dps`` evaluation ``fn`` to a scalar, or to each entry of a list/array
    (returning a list, or an object array of the input's shape)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fn(value.item())
        out = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(value.shape):
            out[idx] = fn(value[idx].item() if hasattr(value[idx], "item") else value[idx])
        return out
    if isinstance(value, (list, tuple)):
        return [fn(v) for v in value]
    return fn(value)


def takes_context(f: Callable[..., Any]) -> bool:
    """True if the user function ``f`` has (at least) two required positional parameters, i.e. is
    ``f(nu, ctx)``: it is then called with the working context (numpy on float64 paths, the private
    mpmath context on ``dps`` paths), so that ``ctx.exp`` etc. run at the working precision."""
    import inspect

    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: f(nu)
        return False
    required = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    return len(required) >= 2


def sum_cancelling(evaluate: Callable[[int], list[Any]], dps: int, guard: int = 3, what: str = "the parts",
                   error: type[ArithmeticError] = ArithmeticError) -> Any:
    """The sum of parts that may cancel, to ``dps`` significant digits.

    ``evaluate(digits)`` returns the parts, each good to ``digits`` significant digits. They are
    first evaluated to ``dps + guard`` digits; where the sum's magnitude is ``10^lost`` times
    below the sum of the parts' magnitudes, they are evaluated once more to
    ``dps + guard + lost + 2`` digits. Returns the sum as a number of a context of ``digits + 5``
    digits (``0`` at ``dps`` digits for no parts). Raises ``error`` ("``what`` cancel … digits")
    where the parts cancel more than ``4·dps + 20`` digits.
    """
    digits = dps + guard
    while True:
        values = evaluate(digits)
        if not values:
            return context(prec_of(dps)).mpf(0)
        ctx = context(prec_of(digits + 5))
        vals = [ctx.convert(v) for v in values]
        total = ctx.fsum(vals)
        lost = float(ctx.log10(ctx.fsum(abs(v) for v in vals) / abs(total))) if total != 0 else math.inf
        if digits - lost >= dps + 1:  # (the parts carry the digits their cancellation costs)
            return total
        if not math.isfinite(lost) or lost > 4 * dps + 20:
            if total == 0:
                return total
            raise error(f"{what} cancel {lost:.1f} digits")
        digits = dps + guard + int(lost) + 2

