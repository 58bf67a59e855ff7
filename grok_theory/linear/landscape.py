"""Omnigrok's reduced landscape, solved exactly in the linear teacher–student model.

Omnigrok (Liu, Michaud & Tegmark, arXiv 2210.01117, Eq. 1) defines the *reduced* losses
at weight norm w as the losses of ``argmin_{‖S‖ = w} L_tr(S)``. In the linear model
(THEORY.md §1; teacher τT, label noise σ) the constrained minimiser satisfies the Lagrange
condition ``(Σ_tr + μ) S = XᵀY/N`` with ``Σ_tr + μ ⪰ 0`` (the trust-region subproblem), so the
reduced landscape is the **ridge path** parametrised by the multiplier μ (= γ/2 of Levi's
weight decay). Per output, with ``r² = τ²/(2 d_out)`` and the continuous-part resolvents

    k₁(μ) = E_c[1/(ν+μ)],   k₂(μ) = E_c[1/(ν+μ)²]   (E_c: MP law without its atom at 0),

the self-averaging limit gives (``derivations/linear/omnigrok.py``, ids ``omnigrok.ridge_path`` …)

    q(μ)     = ‖S‖²/d_out = r²(w − 2μk₁ + μ²k₂) + λσ²(k₁ − μk₂),
    L_tr(μ)  = r²μ²(k₁ − μk₂) + σ²[1 − λ(w − μ²k₂)],
    L_gen(μ) = r²(a + μ²k₂) + λσ²(k₁ − μk₂),

with ``w = 1 − a`` the continuous mass and ``a = (1 − 1/λ)⁺`` the atom. For λ ≤ 1 the resolvents
are the MP Stieltjes transform ``m(−μ)`` and its derivative; for λ > 1 the continuous part is
``λ⁻¹·MP(1/λ)`` rescaled by λ (the companion matrix XXᵀ/N), so k₁ = m̃(−μ/λ)/λ², k₂ = m̃′(−μ/λ)/λ³
with m̃ the transform of MP(1/λ) — free of the 1/μ atom cancellation at the knee.

Branches of the reduced curve (``q`` from 0 upwards):

* μ ∈ (μ_min, ∞) with μ_min = −λ₋ for λ < 1 (the norm grows without bound as μ → −λ₋: **both**
  curves are U-shaped), μ_min = 0 for λ ≥ 1;
* λ ≥ 1: beyond the knee q_k = q(0) (the minimum-norm interpolator, r²/λ + σ²/(λ−1)) the minimum is
  degenerate: S = S_mn + V with V in null(X). L_tr stays at its knee value (0) and
  ``L_gen = L_gen(q_k) + (q − q_k)`` when V is independent of the teacher (random direction, e.g.
  the initialisation's null component), between ``(√(r²a) ∓ √(q − q_k))² + noise`` for V
  aligned/anti-aligned with the teacher's null component.
"""
from __future__ import annotations

import math
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.simulation import SeedStats, seed_tuple, train_size
from grok_theory.mp.law import MarchenkoPastur
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx, to_fraction
from grok_theory.linear.simulate import sample_dataset
from grok_theory._display import field_html, field_repr

__all__ = ["ReducedLandscape", "LandscapePoint", "sample_landscape", "SampleLandscape", "resolvent_pair"]

_NULL_PARTS = ("random", "best", "worst")


def resolvent_pair(law: MarchenkoPastur, z: Any, dps: int | None = None) -> tuple[Any, Any]:
    """``(m(z), m′(z)) = (E[1/(ν−z)], E[1/(ν−z)²])`` for real ``z`` below the support.

    ``m`` is :meth:`MarchenkoPastur.stieltjes`; ``m′`` follows by differentiating
    ``λ z m² + (z + λ − 1) m + 1 = 0``: ``m′ = −(λm² + m)/(2λzm + z + λ − 1)``.
    """
    if dps is not None:
        # z kept exactly (Fraction, str, mpf, ...): m(z) by the engine, m′ in a private context
        ctx = context(prec_of(dps + 10))
        z_kept = exact_scalar("z", z, lower=None)[0]
        lam = law._params(ctx)["lam"]
        zz = to_ctx(z_kept, ctx)
        m = ctx.re(ctx.convert(law.stieltjes(z_kept, dps=dps + 10)))
        dm = -(lam * m * m + m) / (2 * lam * zz * m + zz + lam - 1)
        return result(m, dps + 10), result(dm, dps + 10)
    zz = np.asarray(z, dtype=float)
    m = np.real(np.asarray(law.stieltjes(zz)))
    lam = law.lam
    dm = -(lam * m * m + m) / (2 * lam * zz * m + zz + lam - 1)
    return m, dm


def _exact_multiplier(mu: Any) -> Any:
    """A multiplier as given, as an exact Fraction where it is rational (float, int, str, Fraction,
    mpf, SymPy Rational), else as kept (an irrational SymPy number)."""
    kept = exact_scalar("mu", mu, lower=None)[0]
    q = to_fraction(kept)
    return kept if q is None else q


@dataclass(frozen=True)
class LandscapePoint:
    """A point (or array of points) of the reduced landscape.

    ``mu`` is the Lagrange multiplier (ridge parameter; ``0`` on the flat branch), ``norm2`` the
    squared Frobenius norm ‖S‖²_F (as :meth:`TeacherStudent.weight_norm`), ``train`` and ``gen``
    Levi's L_tr (on the noisy training labels) and L_gen (per output, clean).
    """

    mu: Any
    norm2: Any
    train: Any
    gen: Any


@dataclass(frozen=True)
class ReducedLandscape:
    """Reduced train/test losses at fixed weight norm (Omnigrok Eq. 1) in the linear model.

    Parameters
    ----------
    lam : float > 0
        d_in/N_tr.
    d_out : int ≥ 1
    teacher_scale : float ≥ 0
        τ (teacher entries N(0, τ²/(2 d_in d_out)), ‖τT‖² ≈ τ²/2).
    label_noise : float ≥ 0
        σ, std of the training-label noise.
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    lam: float
    d_out: int = 1
    teacher_scale: float = 1.0
    label_noise: float = 0.0
    law: MarchenkoPastur = field(init=False, repr=False, compare=False)
    # MP(1/λ) of the companion matrix XXᵀ/N, float64 path of :meth:`resolvents` (λ > 1 only)
    _companion: MarchenkoPastur | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "lam", _validate.positive("lam", self.lam))
        set_(self, "d_out", _validate.positive_int("d_out", self.d_out))
        set_(self, "teacher_scale", _validate.nonnegative("teacher_scale", self.teacher_scale))
        set_(self, "label_noise", _validate.nonnegative("label_noise", self.label_noise))
        set_(self, "law", MarchenkoPastur(self.lam))
        set_(self, "_companion", MarchenkoPastur(1 / self.lam) if self.lam > 1 else None)

    # -- constants ----------------------------------------------------------------------------
    @property
    def r2(self) -> float:
        """Per-output teacher norm r² = τ²/(2 d_out)."""
        return self.teacher_scale**2 / (2 * self.d_out)

    @property
    def mu_min(self) -> float:
        """Lower end of the multiplier range: −λ₋ for λ < 1, else 0."""
        return -self.law.lower if self.lam < 1 else 0.0

    @property
    def has_flat_branch(self) -> bool:
        """λ ≥ 1: the train loss is flat (interpolation) beyond the knee."""
        return self.lam >= 1

    def _consts(self, mp: Any) -> tuple[Any, Any, Any, Any]:
        """(λ, atom, r², σ²) as floats (``mp`` false) or as numbers of the private context ``mp``."""
        conv = (lambda x: to_ctx(x, mp)) if mp else float
        lam = conv(self.lam)
        atom = max(conv(0), 1 - 1 / lam)
        return lam, atom, conv(self.teacher_scale) ** 2 / (2 * self.d_out), conv(self.label_noise) ** 2

    def resolvents(self, mu: Any, dps: int | None = None) -> tuple[Any, Any]:
        """``(k₁, k₂) = (E_c[1/(ν+μ)], E_c[1/(ν+μ)²])`` over the continuous part of the MP law."""
        dps = _validate.dps_value(dps)
        if dps is not None:
            mu_q = _exact_multiplier(mu)  # exact rational where possible
            if self.lam <= 1:
                return resolvent_pair(self.law, -mu_q, dps)
            lam_q = Fraction(self.lam)  # the float λ as the binary number it is
            comp = MarchenkoPastur(1 / lam_q)
            m, dm = resolvent_pair(comp, -mu_q / lam_q, dps + 5)
            ctx = context(prec_of(dps + 10))
            lam = to_ctx(lam_q, ctx)
            return result(ctx.convert(m) / lam**2, dps + 10), result(ctx.convert(dm) / lam**3, dps + 10)
        if self.lam <= 1:
            return resolvent_pair(self.law, -mu, dps)
        m, dm = resolvent_pair(self._companion, -np.asarray(mu, dtype=float) / self.lam)
        return m / self.lam**2, dm / self.lam**3

    # -- the ridge path ------------------------------------------------------------------------
    def at_multiplier(self, mu: Any, dps: int | None = None) -> LandscapePoint:
        """The reduced landscape at Lagrange multiplier ``mu`` (vectorised; scalar with ``dps``).

        ``mu`` must exceed :attr:`mu_min` (μ = 0 is allowed for λ ≠ 1: the knee for λ > 1,
        ordinary least squares for λ < 1).
        """
        dps = _validate.dps_value(dps)
        if dps is None:
            mu_arr = _validate.real_array("mu", mu)
            self._check_mu(np.min(mu_arr) if mu_arr.size else 0.0)
            out = self._formulas(mu_arr, *self._a12_float(mu_arr), mp=False)
            return LandscapePoint(*(float(v) if np.ndim(v) == 0 else v for v in out))
        if not isinstance(mu, (str, mpmath.mpf)):
            _validate.real_scalar("mu", mu)
        mu_kept, mu_f = exact_scalar("mu", mu, lower=None)
        self._check_mu(mu_f)
        # w − 2μk₁ + μ²k₂ cancels ~2 log10(μ) digits for large μ: carry them as guard digits
        extra = 2 * max(0, int(math.log10(abs(mu_f)))) if mu_f != 0 else 0
        ctx = context(prec_of(dps + 10 + extra))
        m = to_ctx(mu_kept, ctx)
        k1, k2 = (ctx.convert(k) for k in self.resolvents(mu_kept, dps + 5 + extra))
        w = 1 - self._consts(ctx)[1]
        out = self._formulas(m, k1 - m * k2, w - 2 * m * k1 + m * m * k2, mp=ctx)
        return LandscapePoint(*(result(v, dps) for v in out))

    def _check_mu(self, mu: float) -> None:
        lo = self.mu_min
        if mu < lo or (mu == lo and self.lam <= 1):
            raise ValueError(f"mu must be > {lo:.6g} (the lower MP edge bound for lam={self.lam}), got {mu!r}")

    def _a12_float(self, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(A₁, A₂) = (E_c[ν/(ν+μ)²], E_c[ν²/(ν+μ)²]) in float64.

        From the resolvents, A₁ = k₁ − μk₂ and A₂ = w − 2μk₁ + μ²k₂, which cancel ~2 log10 μ digits
        for large μ; there (μ ≥ 10 λ₊) the convergent moment series
        A_j = Σ_k (−1)^k (k+1) E[ν^{k+j}] μ^{−(k+2)} (Narayana moments) is used instead.
        """
        mu = np.asarray(mu, dtype=float)
        k1, k2 = self.resolvents(mu)
        w = 1 - self._consts(False)[1]
        big = mu >= 10 * self.law.upper
        with np.errstate(over="ignore", invalid="ignore"):  # overflowing entries are big ones, replaced below
            a1, a2 = np.asarray(k1 - mu * k2, dtype=float), np.asarray(w - 2 * mu * k1 + mu * mu * k2, dtype=float)
        if np.any(big):
            x = 1 / mu[big]
            moments = [self.law.moment(k) for k in range(1, 43)]  # E[ν^1..ν^42]
            s1, s2 = np.zeros_like(x), np.zeros_like(x)
            for k in range(40):
                coef = (-1) ** k * (k + 1) * x ** (k + 2)
                s1 += coef * moments[k]
                s2 += coef * moments[k + 1]
            a1 = np.where(big, 0.0, a1)
            a2 = np.where(big, 0.0, a2)
            a1[big], a2[big] = s1, s2
        return a1, a2

    def _formulas(self, mu: Any, a1: Any, a2: Any, mp: bool) -> tuple[Any, Any, Any, Any]:
        """(μ, ‖S‖²_F, L_tr, L_gen) from A₁ = E_c[ν/(ν+μ)²] = k₁ − μk₂ and A₂ = E_c[ν²/(ν+μ)²] = w − 2μk₁ + μ²k₂."""
        lam, _, r2, s2 = self._consts(mp)
        q = r2 * a2 + lam * s2 * a1
        train = r2 * mu * (mu * a1) + s2 * (1 - lam * (a2 + 2 * mu * a1))  # μ·(μA₁): no μ² overflow at tiny norms
        gen = r2 * (1 - a2 - 2 * mu * a1) + lam * s2 * a1
        if not mp:  # exact zeros (least squares, the knee) come out as ±1e-17: clip round-off only
            train, gen = _clip_roundoff(train, r2 + s2), _clip_roundoff(gen, r2 + s2)
        return mu, q * self.d_out, train, gen

    # -- the knee -------------------------------------------------------------------------------
    def knee(self, dps: int | None = None) -> LandscapePoint:
        """μ = 0: the minimum-norm interpolator (λ > 1) or least squares (λ < 1).

        For λ > 1: ‖S‖²/d_out = r²/λ + σ²/(λ−1), L_tr = 0, L_gen = r²(1 − 1/λ) + σ²/(λ−1).
        At λ = 1 the noiseless limit μ → 0⁺ is returned (infinite norm with label noise).
        """
        if self.lam == 1:
            if self.label_noise > 0:
                inf = math.inf if dps is None else result(mpmath.inf, dps)
                return LandscapePoint(0.0, inf, 0.0, inf)
            q = self.teacher_scale**2 / 2
            return LandscapePoint(0.0, q, 0.0, 0.0)
        return self.at_multiplier(0.0 if dps is None else "0", dps=dps)

    def knee_expansion(self) -> dict[str, float]:
        """Leading behaviour at the knee in q = ‖S‖²/d_out (λ ≠ 1), with Δ = q_k − q:

        * ``train_curvature`` c: L_tr − L_tr(knee) ≈ c Δ² (on the ridge side; both sides for λ < 1),
          c = 1/(2|q′(0)|), q′(0) = −2(r² k₁(0) + λσ² k₂(0));
        * ``gen_slope_left`` s: dL_gen/dq at the knee from the ridge side
          = λσ² k₂(0)/(r² k₁(0) + λσ² k₂(0)) (0 without noise; the right flat branch has slope 1);
        * ``gen_curvature`` (σ = 0 only): L_gen − L_gen(knee) ≈ r² k₂(0)/q′(0)² · Δ²,
          i.e. λ²Δ²/(4r²(λ−1)) for λ > 1 and Δ²/(4r²(1−λ)) for λ < 1;
        * ``gen_over_train`` (σ = 0): the ratio of the two curvatures, λ/(λ−1)² resp. (1−λ)⁻².
        """
        if self.lam == 1:
            raise ValueError("lam=1 has no finite knee expansion (E[1/nu] diverges); need lam != 1")
        lam, _, r2, s2 = self._consts(False)
        k1, k2 = (float(v) for v in self.resolvents(0.0))
        dq = -2 * (r2 * k1 + lam * s2 * k2)
        out = {"train_curvature": 1 / (2 * abs(dq)), "gen_slope_left": lam * s2 * k2 / (r2 * k1 + lam * s2 * k2)}
        if s2 == 0:
            out["gen_curvature"] = r2 * k2 / dq**2
            out["gen_over_train"] = out["gen_curvature"] / out["train_curvature"]
        return out

    # -- the Goldilocks norm --------------------------------------------------------------------
    def goldilocks(self, dps: int | None = None) -> LandscapePoint:
        """Minimum of the reduced test loss: μ_opt = λσ²/r² (``omnigrok.goldilocks``).

        Without label noise μ_opt = 0: the bottom of the U is the knee of the L (λ > 1), or the
        least-squares point where both curves vanish (λ < 1).
        """
        if self.r2 == 0:
            raise ValueError("teacher_scale=0: the test loss is minimised at S = 0 (norm 0)")
        if self.label_noise == 0:
            return self.knee(dps)
        if dps is not None:  # μ_opt exactly, from the parameters as the binary numbers they are
            mu = Fraction(self.lam) * Fraction(self.label_noise) ** 2 * 2 * self.d_out / Fraction(self.teacher_scale) ** 2
            return self.at_multiplier(mu, dps=dps)
        lam, _, r2, s2 = self._consts(False)
        return self.at_multiplier(lam * s2 / r2, dps=dps)

    # -- at a given norm ------------------------------------------------------------------------
    def multiplier_at_norm(self, norm2: float) -> float:
        """μ with ‖S(μ)‖²_F = ``norm2`` on the ridge branch (0 on the flat branch, λ ≥ 1)."""
        norm2 = _validate.nonnegative("norm2", norm2)
        if norm2 == 0:
            return math.inf
        if self.r2 == 0 and self.label_noise == 0:
            raise ValueError(f"norm2={norm2!r} > 0 is off the ridge path: with teacher_scale=0 and label_noise=0 the "
                             "labels vanish and every ridge minimiser is S = 0")
        if self.lam >= 1:
            knee = self.knee().norm2
            if norm2 >= knee:
                return 0.0
        lo = self.mu_min

        def f(u: float) -> float:
            return math.log(max(self.at_multiplier(lo + math.exp(u)).norm2 / norm2, 1e-300))

        a, b = -1.0, 1.0
        while f(a) < 0:
            a -= 2.0
            if a < -700:
                raise ValueError(f"norm2={norm2!r} is beyond the reach of the ridge branch")
        while f(b) > 0:
            b += 2.0
            if b > 700:
                raise ValueError(f"norm2={norm2!r} is too small to resolve")
        u = optimize.brentq(f, a, b, xtol=1e-15, rtol=1e-14)
        return lo + math.exp(u)

    def at_norm(self, norm2: Any, null_part: str = "random") -> LandscapePoint:
        """The reduced landscape at squared norm(s) ``norm2`` = ‖S‖²_F (float64, vectorised).

        On the flat branch (λ ≥ 1, beyond the knee) ``null_part`` selects the null-space component
        V of the minimiser: ``"random"`` (independent of the teacher: L_gen = L_gen(knee) + excess),
        ``"best"``/``"worst"`` (aligned against/with the teacher's null component).
        """
        _validate.choice("null_part", null_part, _NULL_PARTS)
        arr = _validate.real_array("norm2", norm2, lower=0.0)
        flat_in = np.atleast_1d(arr).ravel()
        rows = [self._at_norm_scalar(float(v), null_part) for v in flat_in]
        cols = [np.array(c).reshape(arr.shape) for c in zip(*rows)]
        return LandscapePoint(*(float(c) if c.ndim == 0 else c for c in cols))

    def _at_norm_scalar(self, norm2: float, null_part: str) -> tuple[float, float, float, float]:
        if norm2 == 0:  # S = 0: μ = ∞, L_tr = r² + σ², L_gen = r²
            return math.inf, 0.0, self._zero_train(), self.r2
        mu = self.multiplier_at_norm(norm2)
        if mu > 0 or not self.has_flat_branch:
            p = self.at_multiplier(mu)
            return p.mu, norm2, p.train, p.gen
        knee = self.knee()
        excess = (norm2 - knee.norm2) / self.d_out
        if null_part == "random":
            gen = knee.gen + excess
        else:
            lam, atom, r2, s2 = self._consts(False)
            teacher_null = r2 * atom
            sign = -1 if null_part == "best" else 1
            gen = knee.gen - teacher_null + (math.sqrt(teacher_null) + sign * math.sqrt(excess)) ** 2
        return 0.0, norm2, knee.train, gen

    def _zero_train(self) -> float:
        """L_tr at S = 0: the mean squared label, r² + σ²."""
        _, _, r2, s2 = self._consts(False)
        return r2 + s2

    def gd_endpoint_norm(self, init_scale: float) -> float:
        """‖S_∞‖²_F of plain GD (γ = 0) from α·S₀ (λ > 1): the knee plus the initial null part,
        q_k·d_out + α²(1 − 1/λ)/2 — Omnigrok's α picks the position on the flat branch."""
        alpha = _validate.nonnegative("init_scale", init_scale)
        _validate.square_finite(("init_scale", alpha))
        _, atom, _, _ = self._consts(False)
        return self.knee().norm2 + alpha**2 * atom / 2


#: a float64 loss in [−ROUNDOFF_RTOL·scale, 0) is round-off of an exact 0 and is reported as 0
#: (scale = r² + σ², the size of the cancelling terms); a more negative value is left visible
ROUNDOFF_RTOL = 1e-14


def _clip_roundoff(value: Any, scale: float) -> Any:
    v = np.asarray(value, dtype=float)
    out = np.where((v < 0) & (v >= -ROUNDOFF_RTOL * max(scale, 1e-300)), 0.0, v)
    return float(out) if out.ndim == 0 else out


# -- finite-d: the exact constrained minimiser on sampled data ------------------------------------
@dataclass(frozen=True)
class SampleLandscape(SeedStats):
    """Finite-d reduced landscape, arrays of shape (n_seeds, n_norms)."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    norm2: np.ndarray
    mu: np.ndarray
    train: np.ndarray
    gen: np.ndarray


def _secular_minimiser(nu: np.ndarray, b: np.ndarray, norm2: float, null_dir: np.ndarray | None) -> tuple[float, np.ndarray]:
    """argmin of Σ_i ν_i‖s_i‖² − 2⟨b_i, s_i⟩ over Σ‖s_i‖² = norm2 in the eigenbasis (trust region).

    Returns (μ, s) with s_i = b_i/(ν_i + μ) on the range; for the hard case (norm beyond the
    minimum-norm point, null modes with b_i = 0) μ = 0 and the excess goes along ``null_dir``.
    """
    if norm2 == 0:  # S = 0: μ = ∞ (as ReducedLandscape.at_norm)
        return math.inf, np.zeros_like(b)
    null = nu <= 1e-10 * nu.max()
    bb = (b**2).sum(axis=1)
    rng_nu, rng_b = nu[~null], bb[~null]

    def q(mu: float) -> float:
        return float((rng_b / (rng_nu + mu) ** 2).sum())

    if null.any():
        q0 = q(0.0)
        if norm2 >= q0:
            s = np.zeros_like(b)
            s[~null] = b[~null] / nu[~null, None]
            if norm2 > q0:
                nd = null_dir * null[:, None]
                s += math.sqrt(norm2 - q0) * nd / np.linalg.norm(nd)
            return 0.0, s
        lo = 0.0
    else:
        lo = -float(rng_nu.min())
    f = lambda u: math.log(q(lo + math.exp(u)) / norm2)  # noqa: E731  decreasing in u
    a, c = -1.0, 1.0
    while f(a) < 0:
        a -= 2.0
    while f(c) > 0:
        c += 2.0
    mu = lo + math.exp(optimize.brentq(f, a, c, xtol=1e-14, rtol=1e-14))
    s = np.zeros_like(b)
    s[~null] = b[~null] / (nu[~null] + mu)[:, None]
    return mu, s


def sample_landscape(d_in: int, lam: float, norm2: Any, seeds: Any = (0, 1, 2, 3), d_out: int = 1,
                     teacher_scale: float = 1.0, label_noise: float = 0.0) -> SampleLandscape:
    """Exact reduced landscape of sampled data: the global minimiser of L_tr on ‖S‖²_F = norm2.

    Data are drawn exactly as in :func:`grok_theory.linear.simulate.simulate_linear` (same seed stream);
    on the flat branch the null-space part of the minimiser points along the null component of
    the sampled initialisation S₀ (Omnigrok's rescaled-training procedure keeps that direction).
    The minimiser is found by the secular equation ‖(Σ_tr + μ)⁻¹XᵀY/N‖² = norm2 (trust-region
    subproblem; global because Σ_tr + μ ⪰ 0).
    """
    d_in = _validate.positive_int("d_in", d_in)
    n_train = train_size(d_in, lam)
    targets = np.atleast_1d(_validate.real_array("norm2", norm2, lower=0.0)).ravel()
    seeds = seed_tuple(seeds)
    d_out = _validate.positive_int("d_out", d_out)
    teacher_scale = _validate.nonnegative("teacher_scale", teacher_scale)
    label_noise = _validate.nonnegative("label_noise", label_noise)
    shape = (len(seeds), targets.size)
    mu, train, gen = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train, d_out)
        x, teacher, student0 = data.x, teacher_scale * data.teacher, data.student0
        y = data.labels(teacher_scale, label_noise)
        nu, v = np.linalg.eigh(x.T @ x / n_train)
        nu = np.clip(nu, 0.0, None)
        b = v.T @ (x.T @ y / n_train)
        s0e = v.T @ student0
        for j, r2 in enumerate(targets):
            m, se = _secular_minimiser(nu, b, float(r2), s0e)
            s = v @ se
            mu[i, j] = m
            train[i, j] = ((x @ s - y) ** 2).sum() / (n_train * d_out)
            gen[i, j] = ((s - teacher) ** 2).sum() / d_out
    return SampleLandscape(targets, mu, train, gen)
