"""The Marchenko–Pastur law of the training-covariance eigenvalues.

For inputs ``x ~ N(0, I_{d_in})`` and ``N_tr`` samples, the eigenvalues ``ν`` of
``Σ_tr = XᵀX/N_tr`` follow, as ``d_in, N_tr → ∞`` at fixed ``λ = d_in/N_tr``, the law
(Levi et al. 2024, Eq. 6)

    p(ν) = √((λ₊ − ν)(ν − λ₋)) / (2πλν)  on [λ₋, λ₊],  λ± = (1 ± √λ)²,

plus an atom of mass ``(1 − 1/λ)⁺`` at ``ν = 0``. Every learning curve of the linear
teacher–student model is an expectation over this law; :class:`MarchenkoPastur` computes
them exactly, in float64 (vectorised) or at any precision (``dps=``).

Closed forms (derivations in ``derivations/mp/mp_law.py``):

* moments: ``E[ν^k] = Σ_{r=0}^{k−1} λ^r/(r+1) C(k,r) C(k−1,r)`` (Narayana polynomials);
* Stieltjes transform ``m(z) = E[1/(ν − z)] = −2 / (z + λ − 1 + √(z − λ₊)√(z − λ₋))``,
  the root of ``λ z m² + (z + λ − 1) m + 1 = 0`` with ``m ~ −1/z`` at infinity;
* CDF in the angle ``φ = arccos((1 + λ − x)/(2√λ))``:
  ``F(x) = atom + (1/π)[sin φ/√λ + (1+λ)φ/(2λ) − (|1−λ|/λ) arctan((1+√λ)/|1−√λ| · tan(φ/2))]``;
* ``E[ν e^{−sν}] = e^{−s(1+λ)} I₁(2s√λ)/(s√λ)`` (Levi Eq. 9).

Laplace-type expectations ``E[f(ν) e^{−sν}]`` are computed by the angle rule
(:mod:`grok_theory.mp.angle_rule`), which keeps full relative precision at late times.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np

from grok_theory import _validate
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, takes_context, to_ctx, to_fraction
from grok_theory.mp.precision import vectorize as _vector_mp
from grok_theory.mp.angle_rule import (
    LN10,
    MAX_EVALUATED,
    MAX_NODES,
    NODE_COUNTS,
    TOO_MANY,
    Majorant,
    QuadratureError,
    error_bound,
    edge_rule_mp,
    evaluated_nodes,
    log_pole_correction,
    node_count,
    node_u,
    pole_corrected_count,
    rule_float,
    rule_mp,
)

__all__ = ["MarchenkoPastur", "narayana_moment", "QuadratureError"]

#: decimal digits targeted by the float64 paths (one more than float64 carries)
_F64_DIGITS = 17
#: guard digits used internally by the arbitrary-precision paths
_GUARD = 8


def _is_sympy(x: Any) -> bool:
    """True for a SymPy object; SymPy is imported only by code that uses it (import-time cost),
    and if it is not loaded no argument can be a SymPy object."""
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(x, sympy.Basic)


#: the range of λ the engine accepts (documented in docs/user_guide.md, "Errors and limits")
LAM_RANGE = (1e-8, 1e8)

#: the largest s of the float64 transforms (beyond ~1e20 they raise QuadratureError; past 1e290
#: even the double-double product s·λ₋ overflows)
S_MAX = 1e250

#: most draws one :meth:`MarchenkoPastur.rvs` call makes (a draw costs ~1 µs; the cap bounds memory)
MAX_RVS = 10**6

#: the largest moment order accepted (the exact Narayana polynomial costs ~0.5 s at k = 1000)
MOMENT_K_MAX = 1000


def narayana_moment(k: int, lam: Any) -> Any:
    """``E[ν^k]`` of the Marchenko–Pastur law as the Narayana polynomial in ``lam``.

    ``E[ν^k] = Σ_{r=0}^{k−1} lam^r/(r+1) · C(k, r) · C(k−1, r)`` for ``k ≥ 1`` and 1 for
    ``k = 0`` (derivation ``mp.moments``). ``lam`` may be a number, an mpmath number or a
    SymPy expression (e.g. ``sympy.Symbol('lam', positive=True)``); the result has its type.
    """
    k = _validate.int_in_range("k", k, 0, MOMENT_K_MAX)
    if _is_sympy(lam):
        import sympy
    if not (_is_sympy(lam) or isinstance(lam, (mpmath.mpf, Fraction))):
        _validate.real_scalar("lam", lam)  # NaN/inf would give a NaN polynomial; a str has no arithmetic
    if k == 0:
        return sympy.Integer(1) if _is_sympy(lam) else 1
    terms = [
        Fraction(math.comb(k, r) * math.comb(k - 1, r), r + 1) for r in range(k)
    ]
    if _is_sympy(lam):
        return sympy.expand(sum(sympy.Rational(c.numerator, c.denominator) * lam**r for r, c in enumerate(terms)))
    # Horner in lam with exact integer coefficients (c_r are integers: Narayana numbers)
    acc = 0
    for c in reversed(terms):
        acc = acc * lam + int(c)
    return acc


def _lam_input(lam: Any) -> Any:
    """Validate ``lam`` and keep the caller's value so it can be re-read at any precision."""
    if type(lam).__module__.startswith("sympy") and not getattr(lam, "is_number", True):
        raise TypeError(
            f"lam must be a real number, got {lam!r}; for a symbolic lam use "
            "moment(k, exact=True, symbolic=True) or narayana_moment(k, Symbol)"
        )
    try:
        kept, _ = exact_scalar("lam", lam, lower=0.0, strict=True)
    except ValueError:
        raise ValueError(f"lam must be a finite real > 0, got {lam!r}") from None
    return kept


def _to_mpf(value: Any, ctx: Any = None) -> Any:
    """Exact conversion of a kept scalar to a number of ``ctx`` (default: the global context)."""
    return to_ctx(value, ctx if ctx is not None else mpmath.mp)


def _scalar_mp(name: str, value: Any, lower: float | None = 0.0) -> Any:
    """Validate a scalar argument of an arbitrary-precision call (returned as kept exactly)."""
    if isinstance(value, np.ndarray) or (hasattr(value, "__len__") and not isinstance(value, str)):
        raise TypeError(f"{name} must be a scalar here, got {type(value).__name__}")
    kept, _ = exact_scalar(name, value, lower=lower)
    return kept


class MarchenkoPastur:
    """Marchenko–Pastur law with ratio ``lam = d_in/N_tr`` (any ``lam > 0``).

    Parameters
    ----------
    lam : real > 0
        Aspect ratio λ. A ``str``, :class:`fractions.Fraction`, SymPy number or mpmath number
        is kept exactly and re-read at the working precision of every ``dps=`` call (so
        ``MarchenkoPastur("0.1")`` means exactly 1/10; ``MarchenkoPastur(0.1)`` means the
        binary float nearest to it).

    Attributes
    ----------
    lam, lower, upper, atom : float
        λ, the edges ``(1 ∓ √λ)²`` and the mass ``(1 − 1/λ)⁺`` of the atom at 0.

    Notes
    -----
    Source: Levi, Beck & Bar-Sinai (2024), Eq. 6; Marchenko & Pastur (1967).

    Examples
    --------
    >>> mp = MarchenkoPastur(0.5)
    >>> round(float(mp.laplace(1.0, power=1)), 12)  # E[ν e^{-ν}]
    0.355237221455
    >>> mp.moment(2)  # 1 + λ
    1.5
    """

    __slots__ = ("_lam", "lam", "lower", "upper", "atom", "_lower_lo", "_log_lam", "_log_pole_weight")

    def __init__(self, lam: Any) -> None:
        self._lam = _lam_input(lam)
        p = self._params(context(128))
        self.lam = float(p["lam"])
        if not LAM_RANGE[0] <= self.lam <= LAM_RANGE[1]:
            raise ValueError(f"lam must lie in [{LAM_RANGE[0]:g}, {LAM_RANGE[1]:g}], got {lam!r}")
        self.lower, self.upper, self.atom = float(p["lower"]), float(p["upper"]), float(p["atom"])
        self._lower_lo = float(p["lower"] - self.lower)  # λ₋ = lower + _lower_lo (double-double)
        # log λ and log(|1 − λ|/λ) from λ as given: the float64 λ's 1 − λ cancels near λ = 1
        ctx = context(128)
        lam_m = to_ctx(self._lam, ctx)
        self._log_lam = float(ctx.log(lam_m))
        self._log_pole_weight = float(ctx.log(abs(1 - lam_m) / lam_m)) if lam_m != 1 else -math.inf

    # -- parameters at a working precision ----------------------------------------------
    def _params(self, ctx: Any = None) -> dict[str, Any]:
        """λ, √λ, λ₋, λ₊ and the atom as numbers of ``ctx`` (cached per precision).

        Without ``ctx``: mpmath numbers at the global precision (for callers that manage it).
        """
        if ctx is None:
            return {k: mpmath.mp.make_mpf(v) for k, v in _params_at(self._lam, mpmath.mp.prec).items()}
        return {k: ctx.make_mpf(v) for k, v in _params_at(self._lam, ctx.prec).items()}

    @property
    def _sqrt(self) -> float:
        return math.sqrt(self.lam)

    @property
    def _pole_gap(self) -> float:
        """Distance of the pole of 1/ν from the real θ axis: |ln λ|/2 (inf at λ = 1)."""
        return abs(self._log_lam) / 2 if self._log_pole_weight > -math.inf else math.inf

    def __repr__(self) -> str:
        return f"MarchenkoPastur(lam={self._lam!r})"

    def _repr_latex_(self) -> str:
        """Jupyter display: λ, the support [λ₋, λ₊] and the atom at 0 (Levi Eq. 6)."""
        return (rf"$\mathrm{{MP}}(\lambda = {float(self.lam):g}):\ \nu \in [{self.lower:.6g}, {self.upper:.6g}],"
                rf"\ \text{{atom at 0: }} {self.atom:.6g}$")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MarchenkoPastur) and self._lam == other._lam

    def __hash__(self) -> int:
        return hash(("MarchenkoPastur", self._lam))

    # -- density and distribution -------------------------------------------------------
    def pdf(self, x: Any, dps: int | None = None) -> Any:
        """Density of the continuous part, ``√((λ₊ − x)(x − λ₋))/(2πλx)`` on ``[λ₋, λ₊]``.

        Zero outside the support; the atom at 0 (λ > 1) is not part of the density.
        """
        dps = _validate.dps_value(dps)
        if dps is None:
            x = _validate.real_array("x", x)
            lam = self.lam
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.sqrt(np.maximum((self.upper - x) * (x - self.lower), 0.0)) / (2 * np.pi * lam * x)
            val = np.where((x > self.lower) & (x < self.upper), val, 0.0)
            if self.lam == 1:
                val = np.where(x == 0, np.inf, val)
            return _unwrap(val)
        return _vector_mp("x", x, lambda xi: self._pdf_mp(xi, dps))

    def _pdf_mp(self, x: Any, dps: int) -> Any:
        x = _scalar_mp("x", x, lower=None)
        ctx = context(prec_of(dps + _GUARD))
        p = self._params(ctx)
        xm = to_ctx(x, ctx)
        if xm <= p["lower"] or xm >= p["upper"]:
            out = ctx.inf if (xm == 0 and p["lower"] == 0) else ctx.mpf(0)
        else:
            out = ctx.sqrt((p["upper"] - xm) * (xm - p["lower"])) / (2 * ctx.pi * p["lam"] * xm)
        return result(out, dps)

    def _cdf_continuous_mp(self, ctx: Any, x: Any, p: dict[str, Any]) -> Any:
        """Closed-form CDF of the continuous part (derivation ``mp.cdf``), in ``ctx``."""
        if x <= p["lower"]:
            return ctx.mpf(0)
        if x >= p["upper"]:
            return min(ctx.mpf(1), 1 / p["lam"])
        lam, sq = p["lam"], p["sqrt"]
        u = (x - p["lower"]) / (4 * sq)
        phi = 2 * ctx.asin(ctx.sqrt(u))
        val = 2 * ctx.sqrt(u * (1 - u)) / sq + (1 + lam) * phi / (2 * lam)
        if lam != 1:
            a = (1 + sq) / abs(1 - sq)
            val -= abs(1 - lam) / lam * ctx.atan2(a * ctx.sqrt(u), ctx.sqrt(1 - u))
        return val / ctx.pi

    def cdf(self, x: Any, dps: int | None = None) -> Any:
        """Distribution function ``P(ν ≤ x)``, atom included (jump of ``atom`` at 0).

        Closed form in the angle variable (see the module docstring; derivation ``mp.cdf``).
        The float64 path evaluates the closed form in float64 except within
        ``u = (x − λ₋)/(4√λ) < 1e-3`` of the lower edge, where its terms cancel and the
        same closed form is evaluated with mpmath at 30 digits.
        """
        dps = _validate.dps_value(dps)
        if dps is not None:
            return _vector_mp("x", x, lambda xi: self._cdf_mp(xi, dps))
        x_in = _validate.real_array("x", x)
        x = np.atleast_1d(x_in)
        lam, sq = self.lam, self._sqrt
        u = np.clip((x - self.lower) / (4 * sq), 0.0, 1.0)
        phi = 2 * np.arcsin(np.sqrt(u))
        val = 2 * np.sqrt(u * (1 - u)) / sq + (1 + lam) * phi / (2 * lam)
        if lam != 1:
            a = (1 + sq) / abs(1 - sq)
            val = val - math.exp(self._log_pole_weight) * np.arctan2(a * np.sqrt(u), np.sqrt(1 - u))
        val = val / np.pi
        near = (u > 0) & (u < 1e-3)
        if np.any(near):
            ctx = context(prec_of(30))
            p = self._params(ctx)
            val[near] = [float(self._cdf_continuous_mp(ctx, ctx.mpf(float(xi)), p)) for xi in x[near]]
        val = np.where(x >= self.upper, min(1.0, 1.0 / lam), np.where(x <= self.lower, 0.0, val))
        val = val + np.where(x >= 0, self.atom, 0.0)
        return _unwrap(np.clip(val, 0.0, 1.0).reshape(x_in.shape))

    def _cdf_mp(self, x: Any, dps: int) -> Any:
        x = _scalar_mp("x", x, lower=None)
        ctx = context(prec_of(dps + _GUARD))
        p = self._params(ctx)
        xm = to_ctx(x, ctx)
        return result(self._cdf_continuous_mp(ctx, xm, p) + (p["atom"] if xm >= 0 else 0), dps)

    def rvs(self, size: int | tuple[int, ...] | None = None, rng: Any = None) -> Any:
        """Independent draws from the law, atom included.

        Inverse-CDF sampling: with probability ``atom`` the draw is 0, otherwise the continuous
        CDF is inverted in the angle variable φ ∈ [0, π], ``ν = 1 + λ − 2√λ cos φ``, where both the
        CDF and its derivative are closed forms (derivation ``mp.cdf``)::

            F(φ) = (1/π)[sin φ/√λ + (1+λ)φ/(2λ) − (abs(1−λ)/λ) arctan((1+√λ)/abs(1−√λ) · tan(φ/2))],
            F′(φ) = 2 sin²φ / (π ν(φ))

        (ν p(ν) dν = (2/π) sin²φ dφ). A start from a tabulated F (monotone linear interpolation
        on 1025 angles) is refined by Newton steps kept inside their table cell (bisection where a
        step would leave it) until ``|Δφ| ≤ 4e-16 π`` or F(φ) equals the target to its own rounding
        (~1e-16 absolute: a probability error no sample can resolve); the draw is ``λ₋ + 4√λ sin²(φ/2)``, accurate
        to float64 also near the lower edge and at λ = 1 (where F′ stays finite at φ = 0).
        ``rng`` is anything :func:`numpy.random.default_rng` accepts.
        """
        gen = np.random.default_rng(rng)
        shape = () if size is None else size
        if not isinstance(shape, tuple):
            shape = (_validate.nonnegative_int("size", shape),)
        if math.prod(_validate.nonnegative_int("size", n) for n in shape) > MAX_RVS:
            raise ValueError(f"size must hold at most {MAX_RVS} draws, got {size!r}")
        v = gen.random(shape)
        out = np.zeros(np.shape(v))
        cont = v >= self.atom
        target = np.asarray(v)[cont] - self.atom
        phi = self._angle_quantile(target)
        out[cont] = self.lower + 4 * self._sqrt * np.sin(phi / 2) ** 2
        return _unwrap(out)

    def _angle_cdf(self, phi: np.ndarray) -> np.ndarray:
        """Continuous part of the CDF as a function of the angle φ (float64, closed form)."""
        lam, sq = self.lam, self._sqrt
        half_s, half_c = np.sin(phi / 2), np.cos(phi / 2)
        val = 2 * half_s * half_c / sq + (1 + lam) * phi / (2 * lam)
        if self._log_pole_weight > -math.inf:
            a = (1 + sq) / abs(1 - sq)
            val = val - math.exp(self._log_pole_weight) * np.arctan2(a * half_s, half_c)
        return val / np.pi

    def _angle_quantile(self, target: np.ndarray) -> np.ndarray:
        """φ with F(φ) = target (vectorised; see :meth:`rvs`)."""
        grid = np.linspace(0.0, np.pi, 1025)
        table = np.maximum.accumulate(self._angle_cdf(grid))
        cell = np.clip(np.searchsorted(table, target, side="right") - 1, 0, len(grid) - 2)
        lo, hi = grid[cell], grid[cell + 1]
        f_lo, f_hi = table[cell], table[cell + 1]
        width = np.where(f_hi > f_lo, f_hi - f_lo, 1.0)
        phi = lo + (hi - lo) * np.clip((target - f_lo) / width, 0.0, 1.0)
        lam, sq = self.lam, self._sqrt
        # F's terms are O(1/√λ + 1/λ + 1): its absolute rounding error bounds how well any φ solves
        # F(φ) = target (a probability error of ~1e-16, far below what a sample can resolve)
        f_tol = 8e-16 * (1 / sq + (1 + lam) / lam + 1)
        for _ in range(60):
            g = self._angle_cdf(phi) - target
            lo = np.where(g <= 0, phi, lo)
            hi = np.where(g > 0, phi, hi)
            nu = (1 - sq) ** 2 + 4 * sq * np.sin(phi / 2) ** 2  # 1 + λ − 2√λ cos φ without cancellation
            dens = 2 * np.sin(phi) ** 2 / (np.pi * nu) if lam != 1 else 2 * np.cos(phi / 2) ** 2 / np.pi
            with np.errstate(divide="ignore", invalid="ignore"):
                step = g / dens
            done = (np.abs(step) <= 4e-16 * np.pi) | (np.abs(g) <= f_tol) | (hi - lo <= 4e-16 * np.pi)
            new = phi - np.where(done, 0.0, step)
            bad = ~done & ~((new >= lo) & (new <= hi))
            phi = np.where(bad, 0.5 * (lo + hi), new)
            if np.all(done):
                break
        return phi

    # -- moments and transforms ---------------------------------------------------------
    def moment(self, k: int, exact: bool = False, symbolic: bool = False) -> Any:
        """``E[ν^k]`` (Narayana polynomial, derivation ``mp.moments``).

        Parameters
        ----------
        k : int, 0 ≤ k ≤ :data:`MOMENT_K_MAX` (= 1000)
            The float result is ``inf`` where E[ν^k] exceeds the float64 range.
        exact : bool
            Return a SymPy number: λ is read exactly (a float such as 0.3 as the decimal
            ``3/10`` it prints as; a ``str``/``Fraction`` as written).
        symbolic : bool
            Return the polynomial in ``Symbol('lam', positive=True)`` (implies exact).
        """
        k = _validate.int_in_range("k", k, 0, MOMENT_K_MAX)
        if symbolic or exact:
            import sympy
        if symbolic:
            return narayana_moment(k, sympy.Symbol("lam", positive=True))
        if exact:
            lam = self._lam
            if _is_sympy(lam):
                exact_lam = sympy.nsimplify(lam, rational=False) if lam.is_Float else lam
            elif isinstance(lam, Fraction):
                exact_lam = sympy.Rational(lam.numerator, lam.denominator)
            elif isinstance(lam, mpmath.mpf):
                q = to_fraction(lam)
                exact_lam = sympy.Rational(q.numerator, q.denominator)
            else:
                exact_lam = sympy.Rational(str(lam))
            return sympy.nsimplify(narayana_moment(k, sympy.Rational(exact_lam)))
        exact = isinstance(self._lam, (str, Fraction))
        try:
            return float(narayana_moment(k, Fraction(self._lam) if exact else self.lam))
        except OverflowError:  # huge Narayana coefficients (large k): sum exactly, then round
            try:
                return float(narayana_moment(k, Fraction(self._lam) if exact else Fraction(self.lam)))
            except OverflowError:
                return math.inf

    def stieltjes(self, z: Any, dps: int | None = None) -> Any:
        """Stieltjes transform ``m(z) = E[1/(ν − z)]`` (atom included).

        ``m(z) = −2 / (z + λ − 1 + √(z − λ₊)·√(z − λ₋))`` with principal square roots: the
        product has its cut exactly on the support ``[λ₋, λ₊]``, so this is the analytic
        branch with ``m(z) ~ −1/z`` at infinity and ``m(z̄) = conj m(z)``. On the support
        (real ``z`` in ``[λ₋, λ₊]``) the boundary value from the upper half-plane is returned
        (``Im m = π p(z) > 0``). At ``z = 0`` it is ``1/(1 − λ)`` for λ < 1 and infinite
        otherwise (the atom, or the ν^{-1/2} edge at λ = 1).
        """
        dps = _validate.dps_value(dps)
        if dps is not None:
            ctx = context(prec_of(dps + _GUARD))
            p = self._params(ctx)
            if isinstance(z, complex) or hasattr(z, "_mpc_"):
                zz = ctx.convert(z)
            else:
                zz = to_ctx(_scalar_mp("z", z, lower=None), ctx)
            if not ctx.isfinite(zz):
                raise ValueError(f"z must be finite, got {z!r}")
            zz = ctx.mpc(zz)
            denom = zz + p["lam"] - 1 + ctx.sqrt(zz - p["upper"]) * ctx.sqrt(zz - p["lower"])
            out = ctx.mpc(ctx.inf) if denom == 0 else -2 / denom
            return result(out, dps)
        try:
            zz = np.asarray(z, dtype=complex)
        except (TypeError, ValueError):
            raise TypeError(f"z must be (complex) numbers, got {z!r}") from None
        if not np.all(np.isfinite(zz)):
            raise ValueError(f"z must be finite, got {z!r}")
        # +0j keeps real z on the upper side of the cut
        zz = zz + 0j
        with np.errstate(divide="ignore", invalid="ignore"):
            denom = zz + self.lam - 1 + np.sqrt(zz - self.upper) * np.sqrt(zz - self.lower)
            out = np.where(denom == 0, complex(np.inf, 0.0), -2 / np.where(denom == 0, 1, denom))
        return _unwrap(out)

    # -- expectations ---------------------------------------------------------------------
    def _check_power(self, power: Any) -> int:
        return _validate.nonnegative_int("power", power)

    def laplace(self, s: Any, power: int = 0, dps: int | None = None, certified: bool = False) -> Any:
        """``E[ν^power e^{−sν}]`` over the full law (atom included).

        ``certified=True`` (needs ``dps`` and python-flint, the ``certified`` extra): an
        :class:`~grok_theory.mp.certified.Interval` rigorously containing the value, of width
        ≤ 10^(−dps) times it (Arb; module :mod:`grok_theory.mp.certified`).

        The workhorse of every learning curve: ``L_gen = E[e^{−4ηνt}]`` and
        ``L_tr = E[ν e^{−4ηνt}]`` (Levi Eqs. 7–8).

        Parameters
        ----------
        s : float or array_like of float ≥ 0 (scalar, str or mpf when ``dps`` is given)
        power : int ≥ 0
        dps : int, optional
            If given, return an mpmath number correct to ``dps`` significant digits
            (certified; :class:`QuadratureError` if it cannot be).

        Returns
        -------
        float, ndarray or mpf
            Full relative precision for all ``s`` up to 1e8 and beyond; values below the
            float64 range underflow to 0 — use :meth:`log_laplace` there.

        Notes
        -----
        Computed by the angle rule (:mod:`grok_theory.mp.angle_rule`): with
        ``ν = λ₋ + 4√λ sin²(θ/2)``, ``E[ν^p e^{−sν}] = atom·[p=0] + e^{−sλ₋}(2/π)∫₀^π
        ν^{p−1} sin²θ e^{−4s√λ sin²(θ/2)} dθ``. For ``p = 1`` this equals Levi's Eq. 9,
        ``e^{−s(1+λ)} I₁(2s√λ)/(s√λ)``.
        """
        if certified:
            k = _validate.int_in_range("power", power, 0, MOMENT_K_MAX)
            return self._certified_expect(lambda nu: nu**k, dps, s)
        power = self._check_power(power)
        return self._laplace(s, power, _validate.dps_value(dps), log=False)

    def log_laplace(self, s: Any, power: int = 0, dps: int | None = None) -> Any:
        """Natural logarithm of :meth:`laplace`, accurate where the value underflows float64.

        ``log E[ν^p e^{−sν}] = −sλ₋ + log T(s)`` with the scaled angle-rule sum ``T``; for
        ``p = 0`` and ``λ > 1`` the atom is added in log space. For ``p ≥ 1`` at ``λ > 1`` the
        value is that of the continuous part only (the atom contributes ``0^p = 0``).
        """
        power = self._check_power(power)
        return self._laplace(s, power, _validate.dps_value(dps), log=True)

    def _weight(self, power: int, lower: Any, c: Any) -> Callable[[Any], Any]:
        """``u ↦ ν^{p−1} sin²θ`` (``sin²θ/ν`` for p = 0) with ``ν = lower + c·u``; numpy or mpmath."""

        def weight(u: Any) -> Any:
            nu = lower + c * u
            sin2 = 4 * u * (1 - u)
            return sin2 / nu if power == 0 else sin2 * nu ** (power - 1)

        return weight

    def _node_weights(self, ctx: Any, power: int | None, n: int, count: int) -> tuple:
        """Weights ``ν^{p−1} sin²θ`` (``sin²θ/ν`` for p = 0, and for ``power=None`` the
        subtracted form's ``sin²θ/ν``) at the nodes j = 1..count, raw, at ``ctx``'s precision."""
        return _node_weights(self._lam, 0 if power is None else power, n, count, ctx.prec)

    def _weight_bound(self, power: int) -> float:
        """Upper bound of ν^{p−1} sin²θ on the support (4u(1−u)/ν ≤ 1/√λ for p = 0)."""
        return 1 / self._sqrt if power == 0 else max(1.0, self.upper ** (power - 1))

    def _edge(self, power: int) -> float:
        """Limit of the weight at the lower edge u = 0: 1 for p = 0 at λ = 1, else 0."""
        return 1.0 if (power == 0 and self.lower == 0) else 0.0

    def _direct_counts(self, s: np.ndarray, power: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Interval counts of the float64 form (A), and where the pole-corrected rule (C) is used.

        For p = 0 and λ ≠ 1 each s uses the cheaper of the plain rule (pole resolved: strips
        inside it) and (C) (strips beyond it). At late times the peak forces narrow strips and
        the plain rule wins; near the pole it is (C). The count of (C) here is the strip bound's
        only: :meth:`_scaled_direct_float` raises it until the pole term is at most the value.
        Returns the counts, the mask of rows using (C) and the plain rule's counts.
        """
        kappa = 2 * self._sqrt * s
        n = tabulated_counts(self.lam, power, kappa)
        if power != 0 or self.lam == 1:
            return n, np.zeros(n.shape, dtype=bool), n
        n_c = tabulated_counts(self.lam, power, kappa, corrected=True)
        corrected = n_c < n
        return np.where(corrected, n_c, n), corrected, n

    def _scaled_direct_float(self, s: np.ndarray, power: int,
                             counts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Scaled angle-rule sum T(s) of form (A) in float64, E = atom·[p=0] + e^{−sλ₋} T.

        Rows using the pole-corrected rule (C) are checked a posteriori: where the pole term
        exceeds half the value (digits would cancel), n is raised to make it at most half the
        value found, or the plain rule is used if that is cheaper.
        """
        n, corrected, plain = self._direct_counts(s, power) if counts is None else (c.copy() for c in counts)
        out = self._rule_direct_float(s, power, n, corrected)
        if np.any(corrected):
            with np.errstate(divide="ignore", invalid="ignore"):
                log_pole = log_pole_correction(self._log_pole_weight, self._log_lam, self.lower, s, n)
                trusted = corrected & (out > 0) & (log_pole <= np.log(out) + math.log(0.5))
                # the value found is good to ~ε·(pole term): enough to size n when that is < 1e-3
                usable = corrected & ~trusted & (out > 0) & (log_pole < np.log(out) + 3 * LN10)
            redo = np.flatnonzero(corrected & ~trusted)
            if redo.size:
                need = np.full(redo.size, np.inf)
                ok = usable[redo]
                need[ok] = pole_corrected_count(self._log_pole_weight, self._log_lam, self.lower, s[redo[ok]], np.log(out[redo[ok]]) + math.log(0.25))
                n2 = COARSE_COUNTS[np.searchsorted(COARSE_COUNTS, np.minimum(need, COARSE_COUNTS[-1]))]
                n2 = np.maximum(n2, n[redo])
                use_c = np.isfinite(need) & (n2 < plain[redo])
                n[redo] = np.where(use_c, n2, plain[redo])
                corrected[redo] = use_c
                out[redo] = self._rule_direct_float(s[redo], power, n[redo], corrected[redo])
        return out

    def _rule_direct_float(self, s: np.ndarray, power: int, n: np.ndarray, corrected: np.ndarray) -> np.ndarray:
        """Form (A) with counts ``n``, plus the pole term of (C) where ``corrected``."""
        kappa = 2 * self._sqrt * s
        tail = float64_nepers(kappa) + math.log(2 * self._weight_bound(power))
        weight = self._weight(power, self.lower, 4 * self._sqrt)
        out = rule_float(kappa, weight, n, tail, self._edge(power))
        if np.any(corrected):
            out[corrected] += np.exp(log_pole_correction(self._log_pole_weight, self._log_lam, self.lower, s[corrected], n[corrected]))
        return out

    def _subtracted_float(self, s: np.ndarray, factor: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """``E[e^{−sν}] − 1`` by the pole-free form (B), float64, vectorised over s.

        Returns the value and the sum of the terms' magnitudes (the scale of the cancellation).
        ``factor`` multiplies the digits the node count aims at (2 where digits will cancel).
        """
        out, mag = np.empty_like(s), np.empty_like(s)
        n = tabulated_counts(self.lam, None, s, factor)
        lower, c = self.lower, 4 * self._sqrt
        for nn in np.unique(n):
            rows = np.flatnonzero(n == nn)
            u = np.sin(np.arange(1, nn) * (np.pi / (2 * nn))) ** 2
            nu = lower + c * u
            vals = np.expm1(-np.outer(s[rows], nu)) / nu * (4 * u * (1 - u))
            out[rows] = vals.sum(axis=1) * (2.0 / nn)  # the integrand vanishes at both ends
            mag[rows] = np.abs(vals).sum(axis=1) * (2.0 / nn)
        return out, mag

    def _expect_direct_float(self, f: Callable[[Any], Any], s: np.ndarray, log: bool, with_atom: bool = True) -> np.ndarray:
        """E[f e^{−sν}] by form (A) with the late-time peak resolved (float64, vectorised in s);
        ``with_atom=False``: its continuous part."""
        lower, c = self.lower, 4 * self._sqrt

        def weight(u: np.ndarray) -> np.ndarray:
            nu = lower + c * u
            vals = np.asarray(f(nu), dtype=float)
            if vals.shape != nu.shape:
                raise ValueError(f"f must be vectorised: f(array of shape {nu.shape}) returned shape {vals.shape}")
            return vals * (4 * u * (1 - u)) / nu

        f0 = float(np.asarray(f(np.zeros(1)), dtype=float).ravel()[0]) if (self.atom > 0 or lower == 0) else 0.0
        scaled = _expect_float(self.lam, 2 * self._sqrt * s, weight, f0 if lower == 0 else 0.0)
        atom_term = self.atom * f0 if with_atom else 0.0
        hi, lo = _two_product(s, lower)
        lo = lo + s * self._lower_lo
        if log:
            if np.any(scaled < 0) or atom_term < 0:
                raise ValueError("log_expect needs f >= 0 (the expectation came out negative)")
            with np.errstate(divide="ignore"):
                out = (np.log(scaled) - lo) - hi
            return np.logaddexp(math.log(atom_term), out) if atom_term > 0 else out
        return scaled * np.exp(-lo) * np.exp(-hi) + atom_term

    def _expect_subtracted_float(self, f: Callable[[Any], Any], s: np.ndarray, log: bool, with_atom: bool = True) -> np.ndarray:
        """E[f e^{−sν}] by the subtracted form, for small s near λ = 1 (float64, nested doubling).

        With E_sc[1/ν] = 1 − atom, E = atom·f(0) + (1 − atom)·b + (2/π)∫(f(ν)e^{−sν} − b)/ν sin²θ dθ
        for any constant b. With an atom, b is the continuous edge value f(λ₋)e^{−sλ₋} and the
        remaining pole at ν = 0 has residue O(λ₋), tiny near λ = 1. Without one, the subtracted
        function is f(0)e^{−sν}: E = f(0)·E[e^{−sν}] (the certified Laplace transform) +
        (2/π)∫(f(ν) − f(0))e^{−sν}/ν sin²θ dθ, an entire integrand that decays with e^{−sν} like
        f itself (a constant b cancelled O(1/√s) of the digits at late times). The cancellation
        between the terms is measured and capped at 4 digits.
        """
        lower, c, atom = self.lower, 4 * self._sqrt, self.atom
        f_zero = float(np.asarray(f(np.zeros(1)), dtype=float).ravel()[0])
        f_atom = f_zero if atom > 0 and with_atom else 0.0
        # without an atom f(0) continues the continuous part: subtracting it leaves an entire
        # integrand; with one, f(0) may be the null modes' own value, so use the edge value
        f_edge = f_zero if atom == 0 else float(np.asarray(f(np.full(1, lower)), dtype=float).ravel()[0])
        out = np.empty_like(s)
        # the subtracted part's expectation: b = (1 − atom)·b₀ with b₀ = f(λ₋)e^{−sλ₋} (atom)
        # or f(0)·E[e^{−sν}] (no atom; one vectorised Laplace transform for every s)
        laplace = None if atom > 0 else np.atleast_1d(self._laplace(s, 0, None, False))
        for i, si in enumerate(s):
            b = f_edge * math.exp(-si * lower) if atom > 0 else f_edge * float(laplace[i])
            n = int(tabulated_counts(self.lam, None, np.array([max(si, 1e-300)]), factor=2)[0])
            while n <= MAX_EVALUATED:
                u = np.sin(np.arange(1, n) * (np.pi / (2 * n))) ** 2
                nu = lower + c * u
                if atom > 0:
                    vals = (np.asarray(f(nu), dtype=float) * np.exp(-si * nu) - b) / nu * (4 * u * (1 - u))
                else:
                    vals = (np.asarray(f(nu), dtype=float) - f_edge) * np.exp(-si * nu) / nu * (4 * u * (1 - u))
                full, half = vals.sum() * 2.0 / n, vals[1::2].sum() * 4.0 / n
                value = atom * f_atom + ((1 - atom) * b if atom > 0 else b) + full
                if abs(full - half) <= 1e-8 * max(abs(value), 1e-300):
                    break
                n *= 2
            else:
                raise QuadratureError(f"E[f] did not converge near lam={self.lam} (subtracted form, s={si})")
            terms = np.abs(vals).sum() * 2.0 / n + abs(atom * f_atom) + abs(b)
            if terms > 1e4 * abs(value):  # more than 4 of float64's 16 digits cancelled
                raise QuadratureError(
                    f"E[f e^(-s nu)] at lam={self.lam}, s={si} cancels {np.log10(terms / abs(value)):.1f} digits "
                    "in float64 near lam = 1; use dps="
                )
            out[i] = value
        if log:
            if np.any(out < 0):
                raise ValueError("log_expect needs f >= 0 (the expectation came out negative)")
            with np.errstate(divide="ignore"):
                return np.log(out)
        return out

    def _laplace(self, s: Any, power: int, dps: int | None, log: bool) -> Any:
        if dps is not None:
            return _vector_mp("s", s, lambda si: self._laplace_mp(si, power, dps, log))
        s = _validate.real_array("s", s, lower=0.0, upper=S_MAX)
        flat = s.ravel()
        # p = 0 at s <= 2: the subtracted form (B) loses < 1 digit (E ≥ e^{-s}) and needs no
        # pole resolution; elsewhere the direct form (A) with its peak-adapted node set.
        small = (flat <= 2.0) if power == 0 else np.zeros(flat.shape, dtype=bool)
        out = np.empty_like(flat)
        zero = flat == 0  # the moments, exactly
        if np.any(zero) and power > 0:
            m = float(narayana_moment(power, Fraction(self._lam) if isinstance(self._lam, (int, Fraction)) else self.lam))
            out[zero] = math.log(m) if log else m
        if np.any(small):
            sub, _ = self._subtracted_float(flat[small])
            out[small] = np.log1p(sub) if log else 1.0 + sub
        big = ~small & ~(zero if power > 0 else np.zeros(flat.shape, dtype=bool))
        if power == 0 and np.any(big):
            # where the direct form is pole-limited (many nodes), form (B) is cheaper; keep its
            # result where it cancels at most 3 digits (1 + Σ|terms| ≤ 1e3·E)
            kappa = 2 * self._sqrt * flat
            direct = self._direct_counts(flat[big], 0)
            counts = evaluated_nodes(direct[0], kappa[big], float64_nepers(kappa[big]))
            mid = np.flatnonzero(big)[counts > 256]
            if mid.size:
                sub, mag = self._subtracted_float(flat[mid], factor=2)
                value = 1.0 + sub
                ok = (value > 0) & (1.0 + mag <= 1e3 * value)
                out[mid[ok]] = np.log(value[ok]) if log else value[ok]
                # where (B) cancelled more than one digit, float64 keeps < 15: those few entries
                # (near λ = 1 only) are recomputed by the certified dps path at 17 digits
                for i in mid[ok & (1.0 + mag > 10 * value)]:
                    out[i] = float(self._laplace_mp(float(flat[i]), 0, _F64_DIGITS, log))
                keep = ~np.isin(np.flatnonzero(big), mid[ok])
                direct = tuple(c[keep] for c in direct)
                big[mid[ok]] = False
        else:
            direct = None
        scaled = None
        if np.any(big):
            try:
                scaled = self._scaled_direct_float(flat[big], power, direct)
            except QuadratureError:  # near λ = 1 (p = 0): entries the direct form cannot afford use form (B)
                if power != 0:
                    raise
                for i in np.flatnonzero(big):
                    try:
                        self._scaled_direct_float(flat[i : i + 1], 0)
                    except QuadratureError:
                        out[i] = self._expect_subtracted_float(np.ones_like, flat[i : i + 1], log)[0]
                        big[i] = False
        if np.any(big):
            if scaled is None or len(scaled) != np.count_nonzero(big):
                scaled = self._scaled_direct_float(flat[big], power)
            hi, lo = _two_product(flat[big], self.lower)
            lo = lo + flat[big] * self._lower_lo
            atom = self.atom if power == 0 else 0.0
            if log:
                with np.errstate(divide="ignore"):
                    val = (np.log(scaled) - lo) - hi
                out[big] = np.logaddexp(math.log(atom), val) if atom > 0 else val
            else:
                out[big] = scaled * np.exp(-lo) * np.exp(-hi) + atom
        out = out.reshape(s.shape)
        return _unwrap(out)

    def _laplace_mp(self, s: Any, power: int, dps: int, log: bool) -> Any:
        s = _scalar_mp("s", s)
        digits = dps + 2
        ctx = context(prec_of(dps + _GUARD))
        p = self._params(ctx)
        sm = to_ctx(s, ctx)
        sf = float(sm)
        if sm == 0:  # the moments, exactly
            m = narayana_moment(power, p["lam"]) if power else ctx.mpf(1)
            return result(ctx.log(m) if log else m, dps)
        kappa = 2 * p["sqrt"] * sm
        kf = float(kappa)
        # float64 estimates choose node counts; the results are certified below
        try:
            log_t = float(np.log(self._scaled_direct_float(np.array([sf]), power))[0])
        except QuadratureError:
            # near λ = 1 the a priori count of the direct form can exceed the table (e.g.
            # λ = 1 + 1.4e-7, s = 0.04): the certified edge rule needs no such estimate
            return self._expect_mp(lambda nu: nu**power, dps, s, log)
        nepers = digits * LN10 - log_t + math.log(2.0)
        maj = Majorant(self.lam, np.array([kf]), power)
        tail_nepers = nepers + math.log(2 * self._weight_bound(power))
        corrected, n = False, 0
        if power == 0 and self.lam != 1:
            # the pole-corrected rule (C) when it needs fewer intervals (pole term ≤ value/2);
            # for sλ₋ ≤ 1 its strips beyond the pole grow by at most e, so it is the one
            maj_c = Majorant(self.lam, np.array([kf]), 0, pole_corrected=True)
            n_c = int(node_count(maj_c, nepers, strict=False)[0])
            n_p = float(pole_corrected_count(self._log_pole_weight, self._log_lam, self.lower, np.array([sf]), np.array([log_t - math.log(2.0)]))[0])
            if n_c != TOO_MANY and n_p < NODE_COUNTS[-1]:
                n_c = max(n_c, int(NODE_COUNTS[np.searchsorted(NODE_COUNTS, n_p)]))
                n_plain = TOO_MANY if sf * self.lower <= 1.0 else int(node_count(maj, nepers, strict=False)[0])
                if n_plain == TOO_MANY or n_c < n_plain:
                    n, maj, corrected = n_c, maj_c, True
                else:
                    n = n_plain
        if not n:
            n = int(node_count(maj, nepers)[0])
        count = int(evaluated_nodes(n, kf, tail_nepers))
        use_subtracted = False
        if power == 0:
            # form (B) cancels `loss` digits; worth it only when that is cheap
            log_e = log_t - sf * self.lower  # log E[e^{-sν}] from the estimate above
            if self.atom > 0:
                log_e = float(np.logaddexp(math.log(self.atom), log_e))
            loss = max(0.0, -log_e / LN10)
            if sf > 0 and loss < 4 * dps and count > 48:  # (B) is only considered for long sums
                maj_s = Majorant(self.lam, np.zeros(1), None, np.array([sf]))
                try:
                    n_s = int(node_count(maj_s, (digits + loss) * LN10)[0])
                except QuadratureError:
                    n_s = MAX_NODES
                use_subtracted = n_s * (1 + loss / dps) < count
        if use_subtracted:
            # re-read λ and s at the raised precision: the sum cancels `loss` digits
            ctx_hi = context(prec_of(dps + _GUARD + int(loss) + 3))
            p_hi = self._params(ctx_hi)
            s_hi = to_ctx(s, ctx_hi)
            shift = ctx_hi.exp(-s_hi * p_hi["lower"])
            while True:
                weights = self._node_weights(ctx_hi, None, n_s, n_s - 1)
                sub, _, _ = rule_mp(ctx_hi, 2 * p_hi["sqrt"] * s_hi, weights, n_s, shift=shift)
                value = 1 + sub
                if value > 0 and error_bound(maj_s, n_s) <= float(ctx_hi.log(value)) - digits * LN10:
                    break
                n_s = _next_count(n_s)
            out = ctx_hi.log(value) if log else value
        else:
            bound_w = self._weight_bound(power)
            while True:
                weights = self._node_weights(ctx, power, n, count)
                scaled, _, decay = rule_mp(ctx, kappa, weights, n, self._edge(power))
                pole = self._pole_term_mp(ctx, p, sm, n) if corrected else 0
                scaled += pole
                target = float(ctx.log(scaled)) - digits * LN10 if scaled > 0 else math.inf
                if error_bound(maj, n) > target or pole > scaled / 2:
                    n = _next_count(n)
                    count = int(evaluated_nodes(n, kf, tail_nepers))
                elif decay and float(ctx.log(2 * bound_w * decay)) > target:
                    tail_nepers += 5 * LN10
                    count = int(evaluated_nodes(n, kf, tail_nepers))
                else:
                    break
            atom = p["atom"] if power == 0 else ctx.mpf(0)
            if log:
                out = -sm * p["lower"] + ctx.log(scaled)
                if atom > 0:
                    out = ctx.log(atom + ctx.exp(out))
            else:
                out = scaled * ctx.exp(-sm * p["lower"]) + atom
        return result(out, dps)

    def _pole_term_mp(self, ctx: Any, p: dict[str, Any], s: Any, n: int) -> Any:
        """Pole term of the corrected rule (C), ``(|1 − λ|/λ) e^{sλ₋} qⁿ/(1 − qⁿ)``, q = min(λ, 1/λ)."""
        lam = p["lam"]
        qn = (lam if lam < 1 else 1 / lam) ** n
        return abs(1 - lam) / lam * ctx.exp(s * p["lower"]) * qn / (1 - qn)

    def expect(self, f: Callable[[Any], Any], dps: int | None = None, *, s: Any = 0.0, certified: bool = False,
               continuous: bool = False) -> Any:
        """``E[f(ν) e^{−sν}]`` over the full law (atom included) for a user function ``f``.

        For λ > 1 the continuous part is averaged through the dual law :attr:`dual`:
        ``E[F] = (1 − 1/λ)·F(0) + λ⁻¹ E_{MP(1/λ)}[F(λμ)]``, so that no rule integrates across the
        step between the atom and a continuous part starting at λ₋ ≈ 0 (next to λ = 1 the direct
        float64 rule lost up to 4e-10: ``log_expect`` at λ = 1 + 1e-6, s = 1e4).

        Parameters
        ----------
        f : callable ``f(nu)`` or ``f(nu, ctx)``
            On the float64 path ``f`` is called with a 1-D float64 array of nodes and must
            return an array of the same shape (vectorised); on the ``dps`` path it is called
            with one mpmath number at a time, a number of a private mpmath context at the working
            precision. It is evaluated at 0 only when λ > 1 (atom). ``f`` should be smooth on the
            support; singularities near the support cost nodes.

            Precision: arithmetic on ``nu`` (``1/(1 + nu)``, ``nu**2``) runs at the working
            precision, but module functions such as ``mpmath.exp(nu)`` run at the *global*
            precision ``mpmath.mp`` (15 digits by default), which limits the result to those
            digits. Give ``f`` a second parameter to get the functions of the working context:
            ``f(nu, ctx)`` is called with ``ctx`` = :mod:`numpy` on the float64 path and the
            private mpmath context on the ``dps`` path, so ``lambda nu, ctx: ctx.exp(-nu)`` is
            correct to the requested digits in both (a second parameter with a default value is
            not used for this).
        dps : int, optional
            Significant digits of an mpmath result; the accuracy is certified by a nested
            rule comparison, else :class:`QuadratureError` is raised.
        s : float ≥ 0 or array of them (float64 path), keyword-only
            Exponential decay ``e^{−sν}``, applied by the rule itself so that late times (a
            narrow peak at the lower edge) are resolved with a bounded number of nodes. Put
            decaying factors here rather than into ``f``. An array of ``s`` is evaluated with
            one call of ``f`` per node set (vectorised), returning an array.
        certified : bool, keyword-only
            Return an :class:`~grok_theory.mp.certified.Interval` rigorously containing the
            value, of width ≤ 10^(−dps) times it (needs ``dps`` and python-flint, the
            ``certified`` extra). ``f`` is then called with Arb balls (``flint.acb``): write it
            with arithmetic and acb methods (``nu.exp()``), analytic near the support.
        continuous : bool, keyword-only
            The continuous part only, ``E[f(ν) e^{−sν}; ν > 0]`` (the atom's term left out; for
            λ ≤ 1 the same as the full law). ``f(0)`` then still enters as the continuation of
            ``f`` to the pole of ``1/ν`` (the rule's pole correction). Not with ``certified``.
        """
        if certified:
            if continuous:
                raise ValueError("continuous=True is not available with certified=True")
            return self._certified_expect(f, dps, s)
        return self._expect(f, _validate.dps_value(dps), s, log=False, continuous=continuous)

    def _certified_expect(self, f: Callable[[Any], Any], dps: int | None, s: Any) -> Any:
        """Arb enclosure of E[f(ν) e^{−sν}] (module grok_theory.mp.certified)."""
        from grok_theory.mp.certified import arb_expect, require_flint, to_arb

        if not callable(f):
            raise TypeError(f"f must be callable, got {f!r}")
        dps = _validate.dps_value(dps)
        if dps is None:
            raise ValueError("certified=True needs dps (the digits the interval must carry)")
        require_flint()
        s_kept = _scalar_mp("s", s)

        def make(flint: Any) -> tuple:
            sb = to_arb(s_kept, flint)
            lam_b = to_arb(self._lam, flint)
            lower = ((1 - lam_b) / (1 + lam_b.sqrt())) ** 2  # λ₋ without cancellation
            # the late-time peak e^{−sν} = e^{−sλ₋}·e^{−s(ν−λ₋)}: the first factor taken out
            return ((lambda nu: f(nu) * (-sb * (nu - lower)).exp()), (lambda nu: f(nu)), flint.arb(0),
                    (-sb * lower).exp())

        return arb_expect(self._lam, make, dps)

    def log_expect(self, f: Callable[[Any], Any], dps: int | None = None, *, s: Any = 0.0, continuous: bool = False) -> Any:
        """Natural logarithm of :meth:`expect` for ``f ≥ 0`` (no underflow at late times)."""
        return self._expect(f, _validate.dps_value(dps), s, log=True, continuous=continuous)

    @property
    def dual(self) -> MarchenkoPastur:
        """MP(1/λ), with λ as given (exact where it is rational): for λ > 1 the continuous part of
        MP(λ) is MP(1/λ) scaled by λ, with mass 1/λ (the nonzero eigenvalues of XᵀX/N are those of
        XXᵀ/N)."""
        return _dual_law(self._lam)

    def _expect(self, f: Callable[..., Any], dps: int | None, s: Any, log: bool, continuous: bool = False) -> Any:
        if not callable(f):
            raise TypeError(f"f must be callable, got {f!r}")
        if not isinstance(continuous, (bool, np.bool_)):
            raise TypeError(f"continuous must be True or False, got {continuous!r}")
        if takes_context(f):
            f_ctx = f
            if dps is None:
                f = lambda nu: f_ctx(nu, np)  # noqa: E731
            else:
                f = lambda nu: f_ctx(nu, nu.context)  # noqa: E731  (nu: a number of the private context)
        if dps is None:
            s_arr = _validate.real_array("s", s, lower=0.0, upper=S_MAX)
            out = self._expect_float(f, np.atleast_1d(s_arr).ravel(), log, continuous)
            return _unwrap(out.reshape(s_arr.shape))
        return _vector_mp("s", s, lambda si: self._expect_mp(f, dps, si, log, continuous))

    def _expect_float(self, f: Callable[[Any], Any], s: np.ndarray, log: bool, continuous: bool = False) -> np.ndarray:
        """E[f e^{−sν}] (or its continuous part) in float64 for the array ``s``."""
        if self.atom > 0:
            # λ > 1: atom·f(0) + λ⁻¹ E_{MP(1/λ)}[f(λμ) e^{−λsμ}] (see expect); where the dual law's
            # rule cannot certify a value (|λ − 1| ≲ 1e-7), the direct rule
            lam = self.lam
            try:
                cont = self.dual._expect_float(lambda mu: f(lam * mu), lam * s, log)
            except QuadratureError:
                return self._expect_float_rule(f, s, log, with_atom=not continuous)
            atom_term = 0.0 if continuous else self.atom * float(np.asarray(f(np.zeros(1)), dtype=float).ravel()[0])
            if not log:
                return cont / lam + atom_term
            if atom_term < 0:
                raise ValueError("log_expect needs f >= 0 (the expectation came out negative)")
            cont = cont - self._log_lam
            return np.logaddexp(math.log(atom_term), cont) if atom_term > 0 else cont
        return self._expect_float_rule(f, s, log)

    def _expect_float_rule(self, f: Callable[[Any], Any], s: np.ndarray, log: bool, with_atom: bool = True) -> np.ndarray:
        """E[f e^{−sν}] by the direct form (A) on this law's support (atom added exactly unless
        ``with_atom`` is false)."""
        try:
            return self._expect_direct_float(f, s, log, with_atom)
        except QuadratureError:
            # near λ = 1 the pole of 1/ν costs O(1/|ln λ|) nodes: entries the direct form
            # cannot afford use the pole-free form (B), whose cancellation is measured
            out = np.empty_like(s)
            for i in range(s.size):
                try:
                    out[i] = self._expect_direct_float(f, s[i : i + 1], log, with_atom)[0]
                except QuadratureError:
                    out[i] = self._expect_subtracted_float(f, s[i : i + 1], log, with_atom)[0]
            return out

    def _expect_mp(self, f: Callable[[Any], Any], dps: int, s: Any, log: bool, continuous: bool = False) -> Any:
        s = _scalar_mp("s", s)

        def make(ctx: Any) -> Callable[[Any], Any]:
            sm = to_ctx(s, ctx)
            return lambda nu: ctx.convert(f(nu)) * ctx.exp(-sm * nu)

        def atom(ctx: Any) -> Any:
            return ctx.mpf(0) if continuous else ctx.convert(f(ctx.mpf(0)))

        value, atom_term = self.edge_expect_mp(make, dps + 2, s_lo=float(s if not isinstance(s, str) else mpmath.mpf(s)),
                                               make_atom=atom)
        if log:
            if value < 0 or atom_term < 0:
                raise ValueError("log_expect needs f >= 0 (the expectation came out negative)")
            return result(value.context.log(value), dps)
        return result(value, dps)

    def edge_expect_mp(self, make_F: Callable[[Any], Callable[[Any], Any]], digits: int, s_lo: float = 0.0,
                       s_hi: float = 0.0, make_atom: Callable[[Any], Any] | None = None,
                       pole_correct: bool = True, s_scale: float = 0.0) -> tuple[Any, Any]:
        """``E[F(ν)]`` to ``digits`` significant digits for an integrand analytic near ``[0, λ₊]``.

        ``make_F(ctx)`` returns ``F`` working in the mpmath context ``ctx`` (it receives and
        returns numbers of ``ctx``). The continuous part is computed by the certified
        pole-corrected rule with late-time node skipping
        (:func:`~grok_theory.mp.angle_rule.edge_rule_mp`: ``F`` decays like ``e^{−s_lo(ν−λ₋)}``
        from the lower edge and, for ``s_hi > 0``, like ``e^{−s_hi(λ₊−ν)}`` from the upper one),
        plus ``atom·make_atom(ctx)`` (default ``F(0)``). Where the terms cancel more digits than
        the guard digits, the sum is redone at a precision raised by the digits lost. Returns
        ``(value, atom term)`` as numbers of the context used. ``pole_correct=False`` where
        ``F`` is itself singular at ν = 0 (its value there is not the analytic continuation).
        ``s_scale``: rate of the fastest exponential inside an ``F`` that does not decay as a whole
        (sets the initial node count only; see :func:`~grok_theory.mp.angle_rule.edge_rule_mp`).
        """
        extra = _GUARD
        while True:
            ctx = context(prec_of(digits + extra))
            p = self._params(ctx)
            F = make_F(ctx)
            cont, mag = edge_rule_mp(ctx, F, self.lam, p, digits, s_lo, s_hi, pole_correct=pole_correct,
                                     s_scale=s_scale)
            atom_term = ctx.mpf(0)
            if p["atom"] > 0:
                atom_term = p["atom"] * (make_atom(ctx) if make_atom is not None else F(ctx.mpf(0)))
            value = cont + atom_term
            if value == 0 and mag == 0 and atom_term == 0:
                # F vanished at every node and at the atom: the integrand is identically 0 (an
                # analytic F that is 0 on a whole rule is 0; mpmath numbers do not underflow)
                return value, atom_term
            lost = float(ctx.log10((mag + abs(atom_term)) / abs(value))) if value != 0 else math.inf
            if lost <= extra - 3:
                return value, atom_term
            if not math.isfinite(lost) or lost > 4 * digits + 20:
                raise QuadratureError(f"E[F] cancels {lost:.1f} digits at lam={self.lam}; cannot certify {digits} digits")
            extra = int(lost) + _GUARD


@lru_cache(maxsize=256)
def _dual_law(lam: Any) -> MarchenkoPastur:
    exact = to_fraction(lam)
    return MarchenkoPastur(1 / exact if exact is not None else 1 / lam)  # (None: an irrational SymPy number)


def float64_nepers(kappa: np.ndarray) -> np.ndarray:
    """Float64 target in nepers for the scaled sum (its size decreases like (1+κ)^{−3/2})."""
    return _F64_DIGITS * LN10 + 1.5 * np.log1p(kappa) + 3.0


COARSE_COUNTS = np.array(sorted({c * 2**k for k in range(2, 41) for c in (2, 3)}), dtype=np.int64)
_TABLE_X = np.concatenate(([0.0], np.geomspace(1e-6, 1e10, 321)))


@lru_cache(maxsize=128)
def _count_table(lam: float, power: int | None, factor: int = 1, corrected: bool = False) -> np.ndarray:
    """Float64 node counts on the grid ``_TABLE_X`` (κ for form (A), s for form (B)), for
    ``factor`` times the float64 digits (2 when a nested half must also be accurate);
    ``corrected``: for the remainder of the pole-corrected rule (C)."""
    if power is None:
        x = np.maximum(_TABLE_X, 1e-300)
        return node_count(Majorant(lam, np.zeros_like(x), None, x), factor * _F64_DIGITS * LN10 + 3.0, strict=False)
    maj = Majorant(lam, _TABLE_X, power, pole_corrected=corrected)
    return node_count(maj, factor * float64_nepers(_TABLE_X), strict=False)


def tabulated_counts(lam: float, power: int | None, x: np.ndarray, factor: int = 1, corrected: bool = False) -> np.ndarray:
    """Node counts for many κ (or s) at once: the count at the next grid point up.

    The a priori count is non-decreasing in κ (and in s for form (B)), so the next grid
    point's count is sufficient; the table is computed once per (λ, power).
    """
    table = _count_table(lam, power, factor, corrected)
    idx = np.minimum(np.searchsorted(_TABLE_X, x), len(_TABLE_X) - 1)
    beyond = x > _TABLE_X[-1]
    if np.any(beyond):
        if power is None:
            raise QuadratureError("s beyond 1e10 is not supported by the subtracted form")
        n = table[idx].copy()
        maj = Majorant(lam, x[beyond], power, pole_corrected=corrected)
        n[beyond] = node_count(maj, factor * float64_nepers(x[beyond]))
    else:
        n = table[idx]
    if np.any(n == TOO_MANY):
        raise QuadratureError(f"the angle rule would need more than {MAX_NODES} nodes at lam={lam}")
    # coarsen to {2^k, 3·2^(k−1)}: at most 1.5× the nodes, but few distinct node sets per call
    return COARSE_COUNTS[np.searchsorted(COARSE_COUNTS, n)]


def _unwrap(arr: np.ndarray) -> Any:
    """A 0-d result as a Python float/complex, arrays unchanged."""
    if arr.ndim:
        return arr
    return complex(arr) if np.iscomplexobj(arr) else float(arr)


def _two_product(a: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's exact product: ``a·b = hi + lo`` with ``hi = fl(a·b)`` (float64)."""
    split = 134217729.0  # 2^27 + 1
    hi = a * b
    ta = split * a
    a_hi = ta - (ta - a)
    a_lo = a - a_hi
    tb = split * b
    b_hi = tb - (tb - b)
    b_lo = b - b_hi
    lo = ((a_hi * b_hi - hi) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return hi, lo


@lru_cache(maxsize=256)
def _node_weights(lam: Any, power: int, n: int, count: int, prec: int) -> tuple:
    """Cached static node weights of the angle rule as raw ``_mpf_`` tuples (see
    ``MarchenkoPastur._node_weights``)."""
    ctx = context(prec)
    law = MarchenkoPastur(lam)
    p = law._params(ctx)
    weight = law._weight(power, p["lower"], 4 * p["sqrt"])
    return tuple(weight(ctx.make_mpf(u))._mpf_ for u in node_u(n, count, prec)[1 : count + 1])


@lru_cache(maxsize=512)
def _params_at(lam: Any, prec: int) -> dict[str, tuple]:
    """Raw (``_mpf_``) λ, √λ, λ₋, λ₊, atom at ``prec`` bits (computed with 10 guard bits)."""
    ctx = context(prec + 10)
    lam_m = to_ctx(lam, ctx)
    sq = ctx.sqrt(lam_m)
    gap = (1 - lam_m) / (1 + sq)  # 1 - √λ without cancellation
    vals = {
        "lam": to_ctx(lam, context(prec)),
        "sqrt": sq,
        "lower": gap * gap,
        "upper": (1 + sq) ** 2,
        "atom": max(ctx.mpf(0), 1 - 1 / lam_m),
    }
    from mpmath.libmp import mpf_pos, round_nearest
    return {k: mpf_pos(v._mpf_, prec, round_nearest) for k, v in vals.items()}


def _next_count(n: int) -> int:
    return int(NODE_COUNTS[np.searchsorted(NODE_COUNTS, n + 1)])


def _expect_float(lam: float, kappa: np.ndarray, weight: Callable[[np.ndarray], np.ndarray], edge: float) -> np.ndarray:
    """Angle-rule sums for many κ in float64 (one weight function), doubling the nodes until
    the rule and its nested half agree to 1e-8 relative for every κ (so the finer rule, with
    geometric convergence, is good to ~1e-16)."""
    nepers = float64_nepers(kappa) + 7.0
    n = tabulated_counts(lam, 0, kappa, factor=2)
    for _ in range(14):
        full = rule_float(kappa, weight, n, nepers, edge)
        half = rule_float(kappa, weight, n // 2, nepers, edge)
        bad = ~((full == half) | (np.abs(full - half) <= 1e-8 * np.abs(full)))
        if not np.any(bad):
            return full
        n = np.where(bad, 2 * n, n)
        if np.any(n > MAX_NODES):
            break
    raise QuadratureError("E[f] did not converge in float64; f may be singular or discontinuous on the support")
