"""Separability of a sample from the origin: Wendel's and Cover's counting, exact in integers.

Beck, Levi & Bar-Sinai (arXiv 2410.04489, Prop. 3.3): the constant-label logistic model
generalises perfectly iff its training set is *not* linearly separable from the origin, i.e. iff
0 ∈ conv{x_i}. For N points drawn from any distribution symmetric under x → −x and in general
position in R^d (Wendel 1962),

    P_sep(d, N) = 2^{1−N} Σ_{k=0}^{d−1} C(N−1, k) = P[Bin(N−1, ½) ≤ d − 1],

the same number as Cover's (1965) fraction C(N, d)/2^N of the 2^N labellings of N points that
are homogeneously linearly separable, C(N, d) = 2 Σ_{k<d} C(N−1, k). With λ = d/N the threshold
is λ_c = ½: P_sep(N/2, N) = ½ exactly for even N, and the de Moivre–Laplace limit of the
binomial gives the finite-size width, P_sep ≈ Φ((2d − N)/√(N − 1)) = Φ((λ − ½)/w_N) with
w_N = √(N − 1)/(2N).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from grok_theory import _validate as v
from grok_theory.mp.precision import context, prec_of, result, to_ctx

__all__ = ["cover_count", "separability_probability", "separability_normal", "width", "is_separable"]


def _sizes(d: Any, n_points: Any) -> tuple[int, int]:
    d = v.positive_int("d", d)
    n_points = v.positive_int("n_points", n_points)
    return d, n_points


def cover_count(d: int, n_points: int) -> int:
    """Cover's count C(N, d) = 2 Σ_{k=0}^{d−1} C(N−1, k) of homogeneously separable labellings.

    The number of the 2^N sign patterns of N points in general position in R^d that a
    hyperplane through the origin realises (Cover 1965, Thm 1); exact Python integer.
    """
    d, n_points = _sizes(d, n_points)
    top = min(d - 1, n_points - 1)
    total, term = 0, 1  # term = C(N−1, k)
    for k in range(top + 1):
        total += term
        term = term * (n_points - 1 - k) // (k + 1)
    return 2 * total


def separability_probability(d: int, n_points: int, dps: int | None = None) -> Fraction | mpmath.mpf:
    """Probability that N symmetric random points in R^d are linearly separable from the origin.

    P_sep(d, N) = 2^{1−N} Σ_{k=0}^{d−1} C(N−1, k)  (Wendel 1962; Beck et al. 2024, Prop. 3.3).

    Parameters
    ----------
    d : int >= 1
        Dimension.
    n_points : int >= 1
        Number of points N.
    dps : int, optional
        ``None`` (default): the exact value as a :class:`fractions.Fraction`. Otherwise an
        ``mpmath.mpf`` correct to ``dps`` digits (the exact fraction, rounded once).

    Returns
    -------
    Fraction or mpmath.mpf
        1 when d >= N (every N <= d points in general position are separable).
    """
    d, n_points = _sizes(d, n_points)
    dps = v.dps_value(dps)
    p = Fraction(cover_count(d, n_points), 2**n_points)
    if dps is None:
        return p
    return result(to_ctx(p, context(prec_of(dps))), dps)  # the exact fraction, rounded once


def separability_normal(d: Any, n_points: Any) -> np.ndarray:
    """De Moivre–Laplace approximation Φ((2d − N)/√(N − 1)) of P_sep (continuity-corrected).

    float64, vectorised in ``d`` and ``n_points`` (N >= 2). Its error against
    :func:`separability_probability` is O(1/N) at fixed (2d − N)/√N (measured by the
    derivation ``beck2025.wendel``, not assumed).
    """
    d = v.real_array("d", d, lower=1.0)
    n = v.real_array("n_points", n_points, lower=2.0)
    from scipy.special import ndtr

    return ndtr((2 * d - n) / np.sqrt(n - 1))


def width(n_points: Any) -> np.ndarray:
    """Finite-size width of the separability transition in λ = d/N: w_N = √(N − 1)/(2N).

    P_sep ≈ Φ((λ − ½)/w_N); the transition from 16% to 84% spans λ ∈ ½ ± w_N.
    """
    n = v.real_array("n_points", n_points, lower=2.0)
    return np.sqrt(n - 1) / (2 * n)


def is_separable(x: Any) -> bool:
    """Is the sample linearly separable from the origin? (a linear program, scipy HiGHS).

    Solves the bounded LP  max t  subject to  Sᵀx_i + t <= 0 (all i), S ∈ [−1, 1]^d, t <= 1. Its
    optimum t* is > 0 iff some hyperplane through the origin has every x_i strictly on one side,
    i.e. iff 0 ∉ conv{x_i}; t* = 0 otherwise. The LP is always feasible and bounded; t* is
    compared with 1e-9·max|x_ij|.

    Parameters
    ----------
    x : array (N, d)
        The sample, one point per row.
    """
    from scipy.optimize import linprog

    x = _sample(x)
    n, d = x.shape
    c = np.zeros(d + 1)
    c[-1] = -1.0
    a_ub = np.hstack([x, np.ones((n, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed on the separability LP: {res.message}")
    return bool(-res.fun > 1e-9 * float(np.abs(x).max()))


def _sample(x: Any) -> np.ndarray:
    x = v.real_array("x", x)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must be a 2-D array (N points, d dims) with N, d >= 1, got shape {x.shape}")
    return x
