"""The paper's late-time and small-ε formulas, implemented exactly as printed.

Levi, Beck & Bar-Sinai (ICLR 2024): d_out = 1, γ = 0, gradient flow, default initialisation,
η = ``lr``. Each function carries its formula id. Where a printed formula disagrees with the
model beyond its stated approximation, the corrected form sits beside it (docs/errata.md).
The measured relative errors against the exact values are in docs/asymptotics.md
(``python scripts/asymptotics_table.py``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from grok_theory import _validate

__all__ = [
    "levi2024_eq11_train", "levi2024_eq11_gen", "levi2024_eq12", "levi2024_eq16_train_floor",
    "levi2024_eq16_gen_floor", "levi2024_eq16_delta", "levi2024_eq16_train_floor_corrected",
    "levi2024_eq16_gen_floor_corrected", "levi2024_eq22", "levi2024_eq23", "levi2024_eq24_train",
    "levi2024_eq24_gen", "levi2024_eq26", "FORMULA_IDS",
]


_UNSET = object()


def _check(lam: float, lr: Any = _UNSET, t: Any = _UNSET, eps: Any = _UNSET, gamma: Any = _UNSET) -> float:
    """Validate the arguments given (lam in (0, 1), lr > 0, t > 0, eps > 0, gamma >= 0); return √λ."""
    lam = _validate.real_scalar("lam", lam)
    if not 0 < lam < 1:
        raise ValueError(f"lam must be in (0, 1) for the late-time formulas, got {lam!r}")
    for name, value, check in (("lr", lr, _validate.positive), ("t", t, _validate.positive),  # forms diverge at t = 0
                               ("eps", eps, _validate.positive), ("gamma", gamma, _validate.nonnegative)):
        if value is not _UNSET:
            check(name, value)
    return math.sqrt(lam)


def _div(a: float, b: float) -> float:
    with np.errstate(divide="ignore", over="ignore"):
        return float(np.divide(np.float64(a), np.float64(b)))


def _exp(x: float) -> float:
    with np.errstate(over="ignore", under="ignore"):
        return float(np.exp(np.float64(x)))


def levi2024_eq22(t: float, lam: float, lr: float) -> float:
    """Eq. 22 (= Eq. 11, train): L_tr ≃ e^{−4η(1−√λ)²t} / (16√π λ^{3/4} (ηt)^{3/2})."""
    q = _check(lam, lr=lr, t=t)
    # in logs: (ηt)^{3/2} and e^{−x} may leave the float range separately while their ratio does not
    with np.errstate(over="ignore"):
        x = 4 * np.float64(lr) * (1 - q) ** 2 * t
        log_lrt = math.log(lr) + math.log(t)
    return _exp(-x - math.log(16 * math.sqrt(math.pi)) - 0.75 * math.log(lam) - 1.5 * log_lrt)


def levi2024_eq11_train(t: float, lam: float, lr: float) -> float:
    """Eq. 11, training loss (identical to Eq. 22)."""
    return levi2024_eq22(t, lam, lr)


def levi2024_eq11_gen(t: float, lam: float, lr: float) -> float:
    """Eq. 11, generalisation loss: L_gen ≃ L_tr (1 − √λ)^{−2}."""
    return _div(levi2024_eq22(t, lam, lr), (1 - _check(lam)) ** 2)


def levi2024_eq23(t: float, lam: float, lr: float) -> float:
    """Eq. 23: √(ηt) e^{−4η(1−√λ)²t}/(2√π ηt λ^{3/4}) − (1−√λ) Γ(1/2, 4ηt(1−√λ)²)/(√π λ^{3/4})."""
    q = _check(lam, lr=lr, t=t)
    with np.errstate(over="ignore"):
        lrt = np.float64(lr) * t
        x = 4 * lrt * (1 - q) ** 2
    upper_gamma = special.gammaincc(0.5, x) * math.sqrt(math.pi)
    # √(ηt)/(ηt) = (ηt)^{−1/2}, kept in logs so that neither factor overflows
    first = _exp(-x - 0.5 * (math.log(lr) + math.log(t)) - math.log(2 * math.sqrt(math.pi)) - 0.75 * math.log(lam))
    return first - (1 - q) * upper_gamma / (math.sqrt(math.pi) * lam**0.75)


def _w(z: float) -> float:
    return float(special.lambertw(z).real)


def levi2024_eq24_train(eps: float, lam: float, lr: float) -> float:
    """Eq. 24, t*_tr = 3/(8η(1−√λ)²) W(2·2^{2/3} ∛(λ^{3/2}/π + 1/(πλ^{3/2}) − 6λ/π + 15√λ/π − 6/(πλ) + 15/(π√λ) − 20/π) / (3ε^{2/3}))."""
    q = _check(lam, lr=lr, eps=eps)
    inner = (lam**1.5 / math.pi + 1 / (math.pi * lam**1.5) - 6 * lam / math.pi + 15 * q / math.pi
             - 6 / (math.pi * lam) + 15 / (math.pi * q) - 20 / math.pi)
    z = _div(2 * 2 ** (2 / 3) * np.cbrt(inner), 3 * eps ** (2 / 3))
    return _div(3, 8 * lr * (1 - q) ** 2) * _w(z)


def levi2024_eq24_gen(eps: float, lam: float, lr: float) -> float:
    """Eq. 24, t*_gen = 3/(8η(1−√λ)²) W(2^{5/3} ∛(1/(πλ^{3/2}) + 1/(π√λ) − 2/(πλ)) / (3ε^{2/3}))."""
    q = _check(lam, lr=lr, eps=eps)
    inner = 1 / (math.pi * lam**1.5) + 1 / (math.pi * q) - 2 / (math.pi * lam)
    z = _div(2 ** (5 / 3) * np.cbrt(inner), 3 * eps ** (2 / 3))
    return _div(3, 8 * lr * (1 - q) ** 2) * _w(z)


def levi2024_eq12(lam: float, lr: float) -> float:
    """Eq. 12, Δt ≃ log(1/(1−√λ)) / (2η(1−√λ)²) (the ε → 0 leading term; no ε dependence)."""
    q = _check(lam, lr=lr)
    return _div(-math.log1p(-q), 2 * lr * (1 - q) ** 2)


def levi2024_eq26(eps: float, lam: float, lr: float) -> float:
    """Eq. 26: Eq. 12 + 3/(8η(1−√λ)²) log(1 + log((1−√λ)^{4/3}) / log(2(2−2√λ)^{2/3}/(3∛π √λ ε^{2/3}))).

    Returns NaN where the argument of the outer logarithm is ≤ 0 (e.g. λ = 0.9, ε = 1e-3).
    """
    q = _check(lam, lr=lr, eps=eps)
    denom = (math.log(2 * (2 - 2 * q) ** (2 / 3) / (3 * math.pi ** (1 / 3) * q)) - (2 / 3) * math.log(eps))
    arg = 1 + math.log((1 - q) ** (4 / 3)) / denom if denom != 0 else -math.inf
    if arg <= 0:  # the printed correction is undefined here (its expansion has broken down)
        return math.nan
    return levi2024_eq12(lam, lr) + _div(3, 8 * lr * (1 - q) ** 2) * math.log(arg)


def levi2024_eq16_train_floor(gamma: float, lam: float) -> float:
    """Eq. 16 as printed: L_tr(∞) ≃ γ²/(4(1−λ))."""
    _check(lam, gamma=gamma)
    return gamma**2 / (4 * (1 - lam))


def levi2024_eq16_gen_floor(gamma: float, lam: float) -> float:
    """Eq. 16 as printed: L_gen(∞) ≃ γ²/(4(1−λ)³)."""
    _check(lam, gamma=gamma)
    return gamma**2 / (4 * (1 - lam) ** 3)


def levi2024_eq16_train_floor_corrected(gamma: float, lam: float) -> float:
    """Corrected Eq. 16: L_tr(∞) = ½E[ν(γ/2)²/(ν+γ/2)²] ≃ γ²/(8(1−λ)) (E[1/ν] = 1/(1−λ))."""
    _check(lam, gamma=gamma)
    return gamma**2 / (8 * (1 - lam))


def levi2024_eq16_gen_floor_corrected(gamma: float, lam: float) -> float:
    """Corrected Eq. 16: L_gen(∞) = ½E[(γ/2)²/(ν+γ/2)²] ≃ γ²/(8(1−λ)³) (E[1/ν²] = 1/(1−λ)³)."""
    _check(lam, gamma=gamma)
    return gamma**2 / (8 * (1 - lam) ** 3)


def levi2024_eq16_delta(lam: float, lr: float) -> float:
    """Eq. 16 as printed: Δt ≃ log(1+√λ)/(2η(1−√λ)²) (weight decay, ε above the floors)."""
    q = _check(lam, lr=lr)
    return _div(math.log1p(q), 2 * lr * (1 - q) ** 2)


#: formula id -> the function(s) of this module implementing that printed formula
FORMULA_IDS = {
    "levi2024.eq11": (levi2024_eq11_train, levi2024_eq11_gen),
    "levi2024.eq12": levi2024_eq12,
    "levi2024.eq16": (levi2024_eq16_train_floor, levi2024_eq16_gen_floor, levi2024_eq16_delta),
    "levi2024.eq22": levi2024_eq22,
    "levi2024.eq23": levi2024_eq23,
    "levi2024.eq24": (levi2024_eq24_train, levi2024_eq24_gen),
    "levi2024.eq26": levi2024_eq26,
}


def levi2024_eq26_corrected(eps: float, lam: float, lr: float) -> float:
    """Consistent O(1/x) grokking time (derivation ``levi2024.eq26``), replacing the printed Eq. 26.

    Δt ≃ [D − 3(D+1)/(2x)] / (4ηλ₋),  D = 2 log(1/(1−√λ)),  x = λ₋ s*_tr = 4ηλ₋ t*_tr (Eq. 24).
    The printed Eq. 26 keeps the −3D/(2x) part (from W(z) ≈ log z − log log z) but drops the
    −3/(2x) from the 1/s corrections of the two late-time series, which are of the same order.
    """
    q = _check(lam, lr=lr, eps=eps)
    lower = (1 - q) ** 2
    d = -2 * math.log1p(-q)
    x = 4 * lr * lower * levi2024_eq24_train(eps, lam, lr)  # = 3/2 W(z): depends on eps and lam only
    return _div(d - _div(1.5 * (d + 1), x), 4 * lr * lower)
