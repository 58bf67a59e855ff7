"""Exact sampling of real-Gaussian sample-covariance spectra (the finite-d_in counterpart of MP).

Σ_tr = XᵀX / N_tr with X an N_tr × d_in matrix of iid N(0, 1) entries (THEORY.md §1), so
λ = d_in/N_tr. Its d_in eigenvalues are sampled without forming X, by the bidiagonal model of
Dumitriu & Edelman ("Matrix models for beta ensembles", J. Math. Phys. 43, 5830 (2002), §3,
β = 1): Householder reflections from the left and the right reduce X to an upper bidiagonal
matrix with independent entries

    B = bidiag( diagonal  χ_m, χ_{m−1}, …, χ_{m−n+1};  superdiagonal  χ_{n−1}, χ_{n−2}, …, χ_1 ),

m = max(N_tr, d_in), n = min(N_tr, d_in) (a reflection leaves the remaining entries iid Gaussian,
so each new entry is the norm of a fresh Gaussian vector). The nonzero eigenvalues of XᵀX and
XXᵀ coincide, so the n squared singular values of B, divided by N_tr, are the nonzero eigenvalues
of Σ_tr; for λ > 1 the other d_in − N_tr eigenvalues are exactly 0 (the MP atom).

Cost per sample: 2n − 1 χ variates and one symmetric tridiagonal eigenvalue problem BᵀB —
O(n²) for all eigenvalues (LAPACK ``dsterf``), O(n·k) for the k smallest (bisection,
``dstebz``) — instead of O(N_tr d_in²) to form Σ_tr and O(d_in³) for a dense ``eigvalsh``.
Forming BᵀB squares the singular values: eigenvalues carry an absolute error ≲ 1e-15·ν_max,
i.e. relative 1e-8 even at the hard edge λ = 1, d_in = 2000 where ν_min ~ 1/d_in².
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from grok_theory import _validate

__all__ = ["n_train_for", "sample_spectrum", "dense_spectrum", "bidiagonal"]


def n_train_for(d_in: int, lam: float) -> int:
    """N_tr = round(d_in/λ) (≥ 1), the convention of :func:`grok_theory.linear.simulate.simulate_linear`."""
    d_in = _validate.positive_int("d_in", d_in)
    return max(1, round(d_in / _validate.positive("lam", lam)))


def _check(d_in: Any, n_train: Any, size: Any) -> tuple[int, int, int]:
    return (_validate.positive_int("d_in", d_in), _validate.positive_int("n_train", n_train),
            _validate.positive_int("size", size))


def bidiagonal(d_in: int, n_train: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(diagonal, superdiagonal) of one Dumitriu–Edelman bidiagonal B for β = 1 (unscaled: the
    squared singular values of B are the nonzero eigenvalues of XᵀX)."""
    m, n = max(n_train, d_in), min(n_train, d_in)
    diag = np.sqrt(rng.chisquare(np.arange(m, m - n, -1, dtype=float)))
    sup = np.sqrt(rng.chisquare(np.arange(n - 1, 0, -1, dtype=float))) if n > 1 else np.zeros(0)
    return diag, sup


def sample_spectrum(d_in: int, n_train: int, size: int = 1, rng: Any = None, smallest: int | None = None) -> np.ndarray:
    """Eigenvalues of Σ_tr = XᵀX/N_tr for ``size`` independent Gaussian data sets, ascending.

    Parameters
    ----------
    d_in, n_train : int ≥ 1
        Input dimension and number of training samples (λ = d_in/n_train).
    size : int ≥ 1
        Number of independent data sets.
    rng : numpy Generator, int seed or None
    smallest : int or None
        Return only the ``smallest`` smallest *nonzero* eigenvalues (bisection, O(n·k)); the
        d_in − N_tr zeros of λ > 1 are then left out. None: all d_in eigenvalues, zeros included.

    Returns
    -------
    ndarray, shape (size, d_in) or (size, smallest)
    """
    d_in, n_train, size = _check(d_in, n_train, size)
    rng = np.random.default_rng(rng)
    n = min(d_in, n_train)
    if smallest is not None:
        smallest = _validate.positive_int("smallest", smallest)
        if smallest > n:
            raise ValueError(f"smallest must be <= min(d_in, n_train) = {n}, got {smallest!r}")
    zeros = d_in - n
    out = np.zeros((size, d_in if smallest is None else smallest))
    for i in range(size):
        diag, sup = bidiagonal(d_in, n_train, rng)
        a = diag * diag
        a[1:] += sup * sup
        b = diag[:-1] * sup
        if smallest is None:
            w, info = lapack.dsterf(a, b)
            if info != 0:  # pragma: no cover - LAPACK failure
                raise RuntimeError(f"dsterf failed to converge (info={info})")
            out[i, zeros:] = np.sort(w)
        else:
            out[i] = linalg.eigvalsh_tridiagonal(a, b, select="i", select_range=(0, smallest - 1))
    np.maximum(out, 0.0, out=out)  # BᵀB is positive semi-definite; round-off only
    out /= n_train
    return out


def dense_spectrum(d_in: int, n_train: int, size: int = 1, rng: Any = None) -> np.ndarray:
    """The naive reference: sample X, form Σ_tr = XᵀX/N_tr, numpy ``eigvalsh`` (ascending, clipped at 0)."""
    d_in, n_train, size = _check(d_in, n_train, size)
    rng = np.random.default_rng(rng)
    out = np.empty((size, d_in))
    for i in range(size):
        x = rng.standard_normal((n_train, d_in))
        out[i] = np.linalg.eigvalsh(x.T @ x / n_train)
    np.maximum(out, 0.0, out=out)
    if d_in > n_train:
        out[:, : d_in - n_train] = 0.0  # exact zeros (round-off gives ±1e-16)
    return out
