"""Parameter validation shared by every public function.

All checks raise ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value
outside its domain; both messages name the parameter, the value and the allowed range.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import mpmath
import numpy as np

__all__ = [
    "real_scalar",
    "positive",
    "nonnegative",
    "nonnegative_int",
    "positive_int",
    "dps_value",
    "real_array",
    "gd_times",
    "choice",
    "int_in_range",
    "square_finite",
    "at_most",
    "MAGNITUDE_MAX",
    "tolerance",
    "ODE_RTOL_MIN",
    "DPS_MAX",
]

#: the largest ``dps`` any high-precision path accepts (a TeacherStudent curve costs ~0.15 s at dps = 100,
#: ~5 s at dps = 800; see docs/user_guide.md, "Errors and limits")
DPS_MAX = 1000


def real_scalar(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(
        value, (numbers.Real, mpmath.mpf, np.floating, np.integer)
    ):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def square_finite(*named: tuple[str, Any]) -> None:
    """Each (name, value): value² must be a finite float64 (|value| < 1.3e154), else ValueError."""
    for name, value in named:
        if not math.isfinite(float(value) ** 2 if abs(float(value)) < 1e154 else math.inf):
            raise ValueError(f"{name} must be below 1e154 in magnitude (its square must be a finite float), got {value!r}")


def positive(name: str, value: Any) -> float:
    """Finite real > 0."""
    x = real_scalar(name, value)
    if x <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return x


def nonnegative(name: str, value: Any) -> float:
    """Finite real >= 0."""
    x = real_scalar(name, value)
    if x < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def nonnegative_int(name: str, value: Any) -> int:
    """Integer >= 0 (bool rejected)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """Integer >= 1 (bool rejected)."""
    k = nonnegative_int(name, value)
    if k < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return k


def dps_value(dps: Any) -> int | None:
    """``None`` (float64 path) or a number of decimal digits in 1 … :data:`DPS_MAX`."""
    if dps is None:
        return None
    return int_in_range("dps", dps, 1, DPS_MAX)


def int_in_range(name: str, value: Any, lo: int, hi: int) -> int:
    """Integer with lo <= value <= hi (bool rejected): bounds a cost that grows with ``value``."""
    k = _integer(name, value)
    if not lo <= k <= hi:
        side = f">= {lo}" if k < lo else f"<= {hi}"
        raise ValueError(f"{name} must be {side} (an integer in [{lo}, {hi}]), got {value!r}")
    return k


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    return int(value)


def tolerance(name: str, value: Any, allow_zero: bool = False, minimum: float = 0.0) -> float:
    """A solver tolerance: a finite real in [minimum, 1) (> 0 unless ``allow_zero``)."""
    x = nonnegative(name, value) if allow_zero else positive(name, value)
    if x >= 1 or (x < minimum and not (allow_zero and x == 0)):
        raise ValueError(f"{name} must be a tolerance in [{minimum:g}, 1){' or 0' if allow_zero else ''}, got {value!r}")
    return x


#: the largest time, rate or scale the float64 model paths accept (keeps every exponent e^{−sν} in range)
MAGNITUDE_MAX = 1e100

#: smallest relative tolerance of scipy's ODE solvers (they raise it to 100·eps with a warning)
ODE_RTOL_MIN = 100 * np.finfo(float).eps


def real_array(name: str, value: Any, *, lower: float | None = None, upper: float | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array of finite reals (>= ``lower``, <= ``upper`` if given)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be real numbers, got {value!r}") from None
    if np.iscomplexobj(value):
        raise TypeError(f"{name} must be real numbers, got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if lower is not None and np.any(arr < lower):
        raise ValueError(f"{name} must be >= {lower}, got {value!r}")
    if upper is not None and np.any(arr > upper):
        raise ValueError(f"{name} must be <= {upper:g}, got {value!r}")
    return arr


def at_most(bound: float, *named: tuple[str, Any]) -> None:
    """Each (name, value): |value| <= bound (a documented range), else ValueError."""
    for name, value in named:
        if abs(float(value)) > bound:
            raise ValueError(f"{name} must be at most {bound:g} in magnitude, got {value!r}")


def gd_times(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a 1-D int64 array of whole GD step counts >= 0.

    Float values that are whole numbers (``1e3``) are accepted; ``2.7`` is rejected rather than truncated.
    """
    arr = np.atleast_1d(real_array(name, value, lower=0.0)).ravel()
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole GD steps, got {value!r}")
    if np.any(arr > np.iinfo(np.int64).max):
        raise ValueError(f"{name} must be at most {np.iinfo(np.int64).max} GD steps, got {value!r}")
    return arr.astype(np.int64)


def choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """One of a fixed set of strings."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
