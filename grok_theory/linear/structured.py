"""The linear teacher–student model with structured inputs: any input covariance Σ and teacher alignment.

Model (docs/models/structured.md). Inputs ``x ~ N(0, Σ)`` with Σ's eigenvalues σ_k (the
population spectrum, normalised to ``Tr Σ/d = 1``: by default ``σ_k ∝ k^{-exponent}``,
k = 1..n_atoms); λ = d_in/N_tr. Teacher T and student S in R^{d_in×d_out}; in Σ's eigenbasis the
teacher's columns are independent with ``E[T Tᵀ] = τ² B/(2 d_in)``, ``B = diag(b_k)``,
``b_k ∝ σ_k^{alignment}`` normalised so that ``⟨σ b⟩ = 1`` (the label variance is τ²/2 whatever the
alignment; alignment 0 is the isotropic teacher, > 0 puts the teacher's power on high-variance
directions — a source condition). ``S_0`` has ``E[S_0 S_0ᵀ] = α² I/(2 d_in)``; label noise σ_n.
Full-batch GD as in :mod:`grok_theory.linear.model` (``c = 2η/d_out``, ``g = γ/2``, A = Σ_tr):

    D(t) = −Q(A) T + h(A) S_0 + (1 − h(A))(A + g)^{-1} E,    Q = r + (1 − r) h,  r = g/(A + g),

with h = e^{−c(A+g)t} (flow) or (1 − c(A+g))^t (GD). Averaging over T, S_0 and the noise
(derivation ``structured.losses``),

    L_tr  = (1/d_out)[(τ²/2) E_B[ν Q²] + (α²/2) E[ν h²]] + λσ_n² E[ν²(1−h)²/(ν+g)² − 2ν(1−h)/(ν+g)] + σ_n²,
    L_gen = (1/d_out)[(τ²/2) F_{Σ,B}(Q, Q) + (α²/2) E_Σ[h²]] + λσ_n² E_Σ[ν(1−h)²/(ν+g)²],
    ‖S‖²  = (τ²/2) E_B[(1−r)²(1−h)²] + (α²/2) E[h²] + d_out λσ_n² E[ν(1−h)²/(ν+g)²],

where ``E_W[f] = (1/d) Tr[W f(A)]`` are expectations over the weighted generalised
Marchenko–Pastur law (:class:`~grok_theory.mp.generalised.GeneralisedMarchenkoPastur`; weights
1, b_k, σ_k) and ``F_{Σ,B}(φ, ψ) = (1/d) Tr[Σ φ(A) B ψ(A)]`` is the two-point form
(:class:`~grok_theory.mp.generalised.TwoPoint`): the generalisation loss of an anisotropic
teacher is *not* a single expectation — Σ and B do not commute with A. For Σ = I these are the
isotropic model's curves (:class:`grok_theory.linear.model.TeacherStudent`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from collections.abc import Callable

import mpmath
import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx
from grok_theory.simulation import SeedStats, seed_tuple
from grok_theory.linear.model import GradientRates, accuracy_from_loss, loss_at_accuracy
from grok_theory.mp.generalised import GeneralisedMarchenkoPastur, NodeSet, TwoPoint
from grok_theory._display import field_html, field_repr

__all__ = ["StructuredTeacherStudent", "StructuredSimulation", "population_spectrum", "simulate_structured"]

_DYNAMICS = ("flow", "gd")
#: nepers below which a decaying node factor is dropped (e^{-50} ≈ 2e-22 of the edge value)
_DROP = 50.0
#: Gauss–Legendre points per panel of the model's node set (the check uses 2×)
_MODEL_N = 10


def population_spectrum(exponent: float, n_atoms: int) -> tuple[float, ...]:
    """``σ_k = k^{-exponent}/mean``, k = 1..n_atoms (Tr Σ/d = 1); a single atom 1 for exponent 0."""
    exponent = _validate.nonnegative("exponent", exponent)
    n_atoms = _validate.positive_int("n_atoms", n_atoms)
    if exponent == 0:
        return (1.0,)
    s = np.arange(1, n_atoms + 1, dtype=float) ** (-exponent)
    return tuple(s / s.mean())


@lru_cache(maxsize=64)
def _law(lam: float, population: tuple[float, ...]) -> GeneralisedMarchenkoPastur:
    return GeneralisedMarchenkoPastur(lam, population)


@lru_cache(maxsize=64)
def _two_point(lam: float, population: tuple[float, ...], alignment: float, n: int) -> TwoPoint:
    law = _law(lam, population)
    nodes = NodeSet(law, law.rule().panels, n)
    return TwoPoint(nodes, _teacher_weights(law.sigma, law.pi, alignment))


def _teacher_weights(sigma: np.ndarray, pi: np.ndarray, alignment: float) -> np.ndarray:
    """b_k ∝ σ_k^alignment with ⟨σ b⟩ = Σ π σ b = 1."""
    b = sigma**alignment
    return b / np.sum(pi * sigma * b)


@dataclass(frozen=True)
class StructuredTeacherStudent(GradientRates):
    """Teacher–student model on inputs with covariance Σ and an aligned teacher (see module docstring).

    Parameters
    ----------
    lam : float > 0, ≠ 1
        d_in/N_tr.
    exponent : float ≥ 0
        Population spectrum σ_k ∝ k^{-exponent}, k = 1..n_atoms (0: Σ = I).
    alignment : float
        Teacher power b_k ∝ σ_k^alignment (0: isotropic teacher).
    n_atoms : int ≥ 1
        Number of population eigenvalues (the d_in of the finite model the law describes).
    population : tuple of float, optional
        Explicit population eigenvalues (normalised to mean 1), overriding exponent/n_atoms.
    d_out, lr, weight_decay, init_scale, teacher_scale, label_noise, dynamics
        As in :class:`grok_theory.linear.model.TeacherStudent`.
    """

    lam: float
    exponent: float = 0.0
    alignment: float = 0.0
    n_atoms: int = 200
    d_out: int = 1
    lr: float = 0.01
    weight_decay: float = 0.0
    init_scale: float = 1.0
    teacher_scale: float = 1.0
    label_noise: float = 0.0
    dynamics: str = "flow"
    population: tuple[float, ...] | None = None
    law: GeneralisedMarchenkoPastur = field(init=False, repr=False, compare=False)
    #: the population eigenvalues used (normalised to mean 1)
    spectrum: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "lam", _validate.positive("lam", self.lam))
        if self.lam == 1:
            raise ValueError("lam must be > 0 and != 1 for StructuredTeacherStudent, got 1")
        set_(self, "exponent", _validate.nonnegative("exponent", self.exponent))
        set_(self, "alignment", _validate.real_scalar("alignment", self.alignment))
        set_(self, "n_atoms", _validate.positive_int("n_atoms", self.n_atoms))
        set_(self, "d_out", _validate.positive_int("d_out", self.d_out))
        set_(self, "lr", _validate.positive("lr", self.lr))
        set_(self, "weight_decay", _validate.nonnegative("weight_decay", self.weight_decay))
        set_(self, "init_scale", _validate.nonnegative("init_scale", self.init_scale))
        set_(self, "teacher_scale", _validate.nonnegative("teacher_scale", self.teacher_scale))
        set_(self, "label_noise", _validate.nonnegative("label_noise", self.label_noise))
        _validate.choice("dynamics", self.dynamics, _DYNAMICS)
        if self.population is None:
            pop = population_spectrum(self.exponent, self.n_atoms)
        else:
            pop = np.asarray(self.population, dtype=float).ravel()
            if pop.size == 0 or not np.all(np.isfinite(pop)) or np.any(pop <= 0):
                raise ValueError(f"population must be finite reals > 0, got {self.population!r}")
            pop = tuple(pop / pop.mean())
            set_(self, "population", tuple(float(p) for p in np.asarray(self.population, dtype=float).ravel()))
        set_(self, "spectrum", tuple(float(p) for p in pop))
        set_(self, "law", _law(self.lam, self.spectrum))
        if self.dynamics == "gd":
            bound = self.d_out / (2 * (self.law.upper + self.weight_decay / 2))
            if self.lr >= bound:
                raise ValueError(f"lr={self.lr!r} must be < d_out/(2(nu_max + weight_decay/2)) = {bound:.6g} for "
                                 "discrete GD here (no oscillating modes)")

    # -- constants --------------------------------------------------------------------------------
    @property
    def teacher_weights(self) -> np.ndarray:
        """b_k per distinct population eigenvalue (aligned with ``law.sigma``), ⟨σ b⟩ = 1."""
        return _teacher_weights(self.law.sigma, self.law.pi, self.alignment)

    def _tp(self, n: int = _MODEL_N) -> TwoPoint:
        return _two_point(self.lam, self.spectrum, self.alignment, n)

    # -- mode factors -------------------------------------------------------------------------------
    def _log_h(self, t: float, x: Any) -> Any:
        """log h(ν, t) (flow: −c(ν+g)t; GD: t·log(1 − c(ν+g)))."""
        if self.dynamics == "flow":
            return -self.c * (x + self.g) * t
        return t * np.log1p(-self.c * (x + self.g))

    def _log_h_rel(self, t: float, d0: np.ndarray) -> np.ndarray:
        """log h(ν)/h(a₀) at ν − a₀ = d0 ≥ 0, without cancellation."""
        if self.dynamics == "flow":
            return -self.c * d0 * t
        return t * np.log1p(-self.c * d0 / (1 - self.c * (self.law.lower + self.g)))

    # -- the curves ----------------------------------------------------------------------------------
    def _terms(self, which: str, t: np.ndarray, n: int = _MODEL_N) -> list[tuple[np.ndarray, np.ndarray]]:
        """The curve at times ``t`` as [(log scale, value)], summed as Σ e^{scale}·value (late-time safe).

        Node functions carry h/h(a₀) ≤ 1 (a₀ the lowest edge); the factors h(a₀)^k are the scales.
        """
        tp = self._tp(n)
        nodes, law = tp.nodes, self.law
        a0 = law.lower
        d0 = nodes.delta + (nodes.a - a0)
        x = nodes.x
        g, d = self.g, self.d_out
        tau2, a2, s2, lam = self.teacher_scale**2, self.init_scale**2, self.label_noise**2, self.lam
        b = self.teacher_weights
        ones = np.ones_like(b)
        t = np.asarray(t, dtype=float)
        zero = np.zeros(t.shape)
        lh = self._log_h(t, a0)  # (T,)
        lrel = self._log_h_rel(t[:, None], d0[None, :])  # (T, M)
        ht = np.exp(np.maximum(lrel, -745.0))
        ht[lrel < -_DROP] = 0.0
        r = g / (x + g) if g > 0 else np.zeros_like(x)
        rc = 1 - r
        h0 = np.exp(self._log_h(t, 0.0))  # null modes (λ > 1)
        atom = law.atom > 0
        om = nodes.w
        dens: dict[str, np.ndarray] = {}

        def single(key: str, weights: np.ndarray, f: np.ndarray) -> np.ndarray:
            if key not in dens:
                dens[key] = om * nodes.density(weights)
            return np.asarray(f @ dens[key] if np.ndim(f) == 2 else np.full(t.shape, float(np.sum(f * dens[key]))))

        terms: list[tuple[np.ndarray, np.ndarray]] = []
        if which == "train":
            # (τ²/2d) E_B[ν Q²] with Q² = r² + 2 r r̄ h + r̄² h²; ν Q² vanishes on the null modes
            if tau2 > 0:
                if g > 0:
                    terms.append((zero, tau2 / (2 * d) * single("b", b, x * r * r)))
                    terms.append((lh, tau2 / d * single("b", b, (x * r * rc) * ht)))
                terms.append((2 * lh, tau2 / (2 * d) * single("b", b, (x * rc * rc) * ht * ht)))
            if a2 > 0:
                terms.append((2 * lh, a2 / (2 * d) * single("1", ones, x * ht * ht)))
            if s2 > 0:
                # λσ²(ν nf w² − 2 q w) + σ² = λσ² Q² + σ²(1 − λ) on ν > 0 and σ² on the null modes:
                # L = λσ² E_cont[Q²] + σ²(1 − λ)⁺ (no cancellation where the student interpolates, λ > 1)
                if g > 0:
                    terms.append((zero, lam * s2 * single("1", ones, r * r)))
                    terms.append((lh, 2 * lam * s2 * single("1", ones, (r * rc) * ht)))
                terms.append((2 * lh, lam * s2 * single("1", ones, (rc * rc) * ht * ht)))
                terms.append((zero, np.full(t.shape, s2 * max(0.0, 1 - lam))))
        elif which == "gen":
            if tau2 > 0:
                k = tau2 / (2 * d)
                if g > 0:  # Q(0) = r(0) = 1 on the null modes
                    one0 = 1.0 if atom else 0.0
                    terms.append((zero, np.full(t.shape, k * tp.form(r, r, one0, one0))))
                    terms.append((lh, 2 * k * tp.forms(r, rc * ht, one0, 0.0)))
                    terms.append((2 * lh, k * tp.forms(rc * ht, rc * ht, 0.0, 0.0)))
                else:  # Q = h, h(0) = 1
                    terms.append((2 * lh, k * tp.forms(ht, ht, 0.0, 0.0)))
                    if atom:
                        terms.append((zero, np.full(t.shape, k * tp.c00)))
                        terms.append((lh, 2 * k * (ht @ (tp.k0 * om))))
            if a2 > 0:
                terms.append((2 * lh, a2 / (2 * d) * single("s", law.sigma, ht * ht)))
                if atom:
                    terms.append((zero, a2 / (2 * d) * law.atom_mass(law.sigma) * h0 * h0))
            if s2 > 0:
                hx = ht * np.exp(lh)[:, None]
                terms.append((zero, lam * s2 * single("s", law.sigma, (x / (x + g) ** 2) * (1 - hx) ** 2)))
        else:  # norm: S = (1 − Q)T + h S_0 + noise
            hx = ht * np.exp(lh)[:, None]
            if tau2 > 0:
                terms.append((zero, tau2 / 2 * single("b", b, rc * rc * (1 - hx) ** 2)))
            if a2 > 0:
                terms.append((2 * lh, a2 / 2 * single("1", ones, ht * ht)))
                if atom:
                    terms.append((zero, a2 / 2 * law.atom * h0 * h0))
            if s2 > 0:
                terms.append((zero, d * lam * s2 * single("1", ones, (x / (x + g) ** 2) * (1 - hx) ** 2)))
        return terms

    def _eval(self, which: str, t: Any, log: bool, n: int = _MODEL_N) -> Any:
        t_arr = _validate.real_array("t", t, lower=0.0)
        flat = np.atleast_1d(t_arr).ravel()
        terms = self._terms(which, flat, n)
        scales = np.vstack([np.broadcast_to(e, flat.shape) for e, _ in terms])
        vals = np.vstack([np.broadcast_to(v, flat.shape) for _, v in terms])
        live = vals != 0
        top = np.max(np.where(live, scales, -np.inf), axis=0)
        top = np.where(np.isfinite(top), top, 0.0)
        total = np.sum(np.where(live, vals * np.exp(np.minimum(scales - top, 0.0)), 0.0), axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(total > 0, top + np.log(np.where(total > 0, total, 1.0)), -np.inf) if log else total * np.exp(top)
        out = out.reshape(t_arr.shape)
        return float(out) if out.ndim == 0 else out

    def _check_dps(self, which: str, dps: int | None) -> None:
        if dps is not None:
            raise NotImplementedError(
                f"{which}: dps= is available for the train loss only (train_loss_mp); the generalisation loss of an "
                "anisotropic teacher is a two-point form, evaluated in float64")

    def train_loss(self, t: Any, dps: int | None = None) -> Any:
        """Training loss L_tr(t) (module docstring; derivation ``structured.losses``)."""
        if _validate.dps_value(dps) is not None:
            return self.train_loss_mp(t, dps)
        return self._eval("train", t, False)

    def gen_loss(self, t: Any, dps: int | None = None) -> Any:
        """Generalisation (population) loss ``Tr[Dᵀ Σ D]/d_out`` (two-point form for the teacher part)."""
        if _validate.dps_value(dps) is not None:
            return self.gen_loss_mp(t, dps)
        return self._eval("gen", t, False)

    def weight_norm(self, t: Any, dps: int | None = None) -> Any:
        """Expected ‖S(t)‖²_F."""
        self._check_dps("weight_norm", _validate.dps_value(dps))
        return self._eval("norm", t, False)

    def log_train_loss(self, t: Any, dps: int | None = None) -> Any:
        """log L_tr(t), accurate where L_tr underflows float64."""
        if _validate.dps_value(dps) is not None:
            return mpmath.log(self.train_loss_mp(t, dps))
        return self._eval("train", t, True)

    def log_gen_loss(self, t: Any, dps: int | None = None) -> Any:
        """log L_gen(t), accurate where L_gen underflows float64."""
        if _validate.dps_value(dps) is not None:
            return mpmath.log(self.gen_loss_mp(t, dps))
        return self._eval("gen", t, True)

    def quadrature_error(self, which: str, t: Any) -> Any:
        """``|L(n=10 points per panel) − L(n=20)|/L``: the measured error of the float64 curves."""
        _validate.choice("which", which, ("train", "gen", "norm"))
        a = np.asarray(self._eval(which, t, True, _MODEL_N))
        b = np.asarray(self._eval(which, t, True, 2 * _MODEL_N))
        return np.abs(np.expm1(a - b))

    # -- arbitrary precision (single expectations only) ----------------------------------------------
    def _mp_ok(self) -> bool:
        return self.alignment == 0 or len(self.law.sigma) == 1

    def _mp_factors(self, t: Any) -> Callable[[Any], tuple[Any, ...]]:
        """``ctx -> (c, g, t, τ²/(2 d_out), α²/(2 d_out))`` as numbers of the mpmath context ``ctx``
        (t kept exact: int, Fraction, str, mpf; cached per context)."""
        t_kept, _ = exact_scalar("t", t)

        @lru_cache(maxsize=4)
        def factors(ctx: Any) -> tuple[Any, ...]:
            d = self.d_out
            return (2 * ctx.mpf(self.lr) / d, ctx.mpf(self.weight_decay) / 2, to_ctx(t_kept, ctx),
                    ctx.mpf(self.teacher_scale) ** 2 / (2 * d), ctx.mpf(self.init_scale) ** 2 / (2 * d))

        return factors

    def train_loss_mp(self, t: Any, dps: int) -> mpmath.mpf:
        """L_tr(t) to ``dps`` digits (gradient flow, no label noise): weighted expectations of the law."""
        dps = _validate.dps_value(dps)
        if self.dynamics != "flow" or self.label_noise > 0:
            raise NotImplementedError("train_loss at dps=: gradient flow without label noise only")
        factors = self._mp_factors(t)

        def q2(nu: Any) -> Any:
            c, g, tm, teacher, _ = factors(nu.context)
            h = nu.context.exp(-c * (nu + g) * tm)
            r = g / (nu + g) if g > 0 else 0
            return teacher * nu * (r + (1 - r) * h) ** 2

        def init(nu: Any) -> Any:
            c, g, tm, _, a2 = factors(nu.context)
            return a2 * nu * nu.context.exp(-2 * c * g * tm)

        ctx = context(prec_of(dps + 10))
        val = ctx.convert(self.law.expect(q2, weights=self.teacher_weights, dps=dps + 5))
        if self.init_scale > 0:
            c, _, tm, _, _ = factors(ctx)
            val += ctx.convert(self.law.expect(init, dps=dps + 5, s=2 * c * tm))
        return result(val, dps)

    def gen_loss_mp(self, t: Any, dps: int) -> mpmath.mpf:
        """L_gen(t) to ``dps`` digits when it is a single expectation (isotropic teacher or Σ = I; flow, no noise)."""
        dps = _validate.dps_value(dps)
        if not self._mp_ok() or self.dynamics != "flow" or self.label_noise > 0:
            raise NotImplementedError("gen_loss at dps=: isotropic teacher (alignment 0) or Σ = I, gradient flow, "
                                      "no label noise; the anisotropic teacher's two-point form is float64 only")
        factors = self._mp_factors(t)
        b0 = float(self.teacher_weights[0])

        def f(nu: Any) -> Any:
            c, g, tm, teacher, a2 = factors(nu.context)
            h = nu.context.exp(-c * (nu + g) * tm)
            r = g / (nu + g) if g > 0 else 0
            return teacher * b0 * (r + (1 - r) * h) ** 2 + a2 * h * h

        return self.law.expect(f, weights=self.law.sigma, dps=dps)

    # -- limits and accuracies ------------------------------------------------------------------------
    def _limit(self, which: str) -> float:
        """t → ∞ (h → 0 except on null modes without weight decay)."""
        return self._eval(which, 1e15 / max(self.c * max(self.law.lower + self.g, 1e-300), 1e-300), False) \
            if (self.law.lower + self.g) > 0 else float("nan")

    def train_loss_limit(self, dps: int | None = None) -> float:
        """lim_{t→∞} L_tr (float64)."""
        self._check_dps("train_loss_limit", _validate.dps_value(dps))
        return self._limit("train")

    def gen_loss_limit(self, dps: int | None = None) -> float:
        """lim_{t→∞} L_gen (the weight-decay / null-space / noise floor; float64)."""
        self._check_dps("gen_loss_limit", _validate.dps_value(dps))
        return self._limit("gen")

    def train_accuracy(self, t: Any, eps: float, convention: str = "mean", dps: int | None = None) -> Any:
        """Training accuracy at threshold ``eps`` (Levi Eq. 10 / 13 applied to the loss)."""
        eps = _validate.positive("eps", eps)
        return accuracy_from_loss(self.train_loss(t, dps=dps), eps, self.d_out, convention, dps)

    def gen_accuracy(self, t: Any, eps: float, convention: str = "mean", dps: int | None = None) -> Any:
        """Generalisation accuracy at threshold ``eps`` (Gaussian error of variance L_gen per output)."""
        eps = _validate.positive("eps", eps)
        return accuracy_from_loss(self.gen_loss(t, dps=dps), eps, self.d_out, convention, dps)

    # -- crossing and grokking times ------------------------------------------------------------------
    def first_crossing(self, which: str, level: float) -> tuple[float, float, float]:
        """First t with L(t) ≤ level, and its grid bracket: ``(t, t_lo, t_hi)``.

        The curve on the log-t grid of :mod:`grok_theory.linear.grokking` (8 per decade, 1e-3 to
        1e13, one vectorised evaluation), then Brent's method on log L in log t inside the first
        bracket (xtol 1e-13). ``t = inf`` when the grid never reaches the level. This is the hook
        :func:`grok_theory.linear.grokking.crossing_time` (and so ``grokking_time``,
        ``phase_diagram``) uses for models whose curves are not Marchenko–Pastur expectations.
        """
        _validate.choice("which", which, ("train", "gen"))
        level = _validate.positive("level", level)
        thr = math.log(level)
        if self._eval(which, 0.0, True) <= thr:
            return 0.0, 0.0, 0.0
        grid = np.geomspace(1e-3, 1e13, 129)
        vals = self._eval(which, grid, True)
        below = np.flatnonzero(vals <= thr)
        if not below.size:
            return math.inf, grid[-1], math.inf
        i = int(below[0])
        if i == 0:
            root = optimize.brentq(lambda tt: self._eval(which, tt, True) - thr, 0.0, grid[0], xtol=1e-16, rtol=1e-13)
            return float(root), 0.0, float(grid[0])
        f = lambda u: self._eval(which, math.exp(u), True) - thr  # noqa: E731
        root = math.exp(optimize.brentq(f, math.log(grid[i - 1]), math.log(grid[i]), xtol=1e-13, rtol=1e-13))
        return float(root), float(grid[i - 1]), float(grid[i])

    def crossing_time(self, which: str, level: float) -> float:
        """First t with L(t) ≤ level (see :meth:`first_crossing`)."""
        return self.first_crossing(which, level)[0]

    def grokking_time(self, eps: float, criterion: str = "loss", level: float = 0.95, convention: str = "mean") -> tuple[float, float, float]:
        """(t_train, t_gen, Δt) for the loss criterion eps/4 or the accuracy ``level`` (as grokking.threshold)."""
        eps = _validate.positive("eps", eps)
        _validate.choice("criterion", criterion, ("loss", "accuracy"))
        thr = eps / 4 if criterion == "loss" else loss_at_accuracy(level, eps, self.d_out, convention)
        tt = self.crossing_time("train", thr)
        tg = self.crossing_time("gen", thr)
        return tt, tg, (tg - tt if math.isfinite(tg) else math.inf)


@dataclass(frozen=True)
class StructuredSimulation(SeedStats):
    """Curves of real GD on sampled structured data; arrays have shape (n_seeds, n_times).

    ``gen_loss`` is the exact population loss ``Tr[Dᵀ Σ D]/d_out`` of the trained student (no test
    set needed), ``train_loss`` the loss on the (noisy) training labels, ``weight_norm`` ‖S‖²_F.
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    seeds: tuple[int, ...]
    train_loss: np.ndarray
    gen_loss: np.ndarray
    weight_norm: np.ndarray


def simulate_structured(model: StructuredTeacherStudent, t: Any, seeds: Any = (0,), d_in: int | None = None,
                        method: str = "spectral") -> StructuredSimulation:
    """Train ``model`` by real full-batch GD on sampled data and record its curves at steps ``t``.

    The data of seed s are :func:`grok_theory.linear.simulate.sample_dataset` (isotropic z, T₀,
    S₀, Ξ in that stream order) mapped to the model: inputs ``x_k = √σ_k z_k``, teacher rows
    ``T_k = τ √b_k T₀ₖ``, student ``α S₀``, noise ``σ_n Ξ``, with σ_k the model's population
    eigenvalues (``d_in = n_atoms`` for a power law; required for Σ = I) and N_tr = round(d_in/λ).

    Parameters
    ----------
    model : StructuredTeacherStudent
        Its ``dynamics`` is ignored: this is discrete GD with step ``lr`` (compare with
        ``dynamics="gd"``).
    t : array_like of int ≥ 0
        Record times (GD steps).
    seeds : iterable of int
    d_in : int, optional
        Input dimension when the spectrum has a single atom.
    method : {"spectral", "loop"}
        Closed-form GD in the eigenbasis of Σ_tr, or literal GD iterations (slow; a check).
    """
    from grok_theory.linear.simulate import sample_dataset

    _validate.choice("method", method, ("spectral", "loop"))
    times = _validate.gd_times("t", t)
    seeds = seed_tuple(seeds)
    spec = np.asarray(model.spectrum)
    if spec.size == 1:
        if d_in is None:
            raise ValueError("d_in is required when the population spectrum is a single atom (Σ = I)")
        spec = np.full(_validate.positive_int("d_in", d_in), spec[0])
    elif d_in is not None and d_in != spec.size:
        raise ValueError(f"d_in={d_in!r} must equal the number of population eigenvalues ({spec.size})")
    d = spec.size
    n = max(1, round(d / model.lam))
    b = spec**model.alignment
    b = b / np.mean(spec * b)
    c, g, d_out = model.c, model.g, model.d_out
    out = {k: np.empty((len(seeds), len(times))) for k in ("train_loss", "gen_loss", "weight_norm")}
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d, n, d_out, 1)
        x = data.x * np.sqrt(spec)
        teacher = model.teacher_scale * np.sqrt(b)[:, None] * data.teacher
        s0 = model.init_scale * data.student0
        xi = model.label_noise * data.noise
        y = x @ teacher + xi
        if method == "loop":
            s, step = s0.copy(), 0
            for j, tt in enumerate(times):
                while step < tt:
                    s = s - model.lr * ((2 / d_out) * x.T @ (x @ s - y) / n + (model.weight_decay / d_out) * s)
                    step += 1
                dd = s - teacher
                out["train_loss"][i, j] = np.sum((x @ s - y) ** 2) / (n * d_out)
                out["gen_loss"][i, j] = np.sum(spec[:, None] * dd * dd) / d_out
                out["weight_norm"][i, j] = np.sum(s * s)
            continue
        a = x.T @ x / n
        nu, v = np.linalg.eigh(a)
        nu = np.maximum(nu, 0.0)
        e = v.T @ (x.T @ xi / n)
        tt_ = v.T @ teacher
        d0 = v.T @ (s0 - teacher)
        rho = 1 - c * (nu + g)
        drive = c * (e - g * tt_)
        xi2 = np.sum(xi * xi) / n
        for j, tt in enumerate(times):
            rt = rho ** float(tt)
            geo = np.where(np.abs(1 - rho) > 0, (1 - rt) / np.where(np.abs(1 - rho) > 0, 1 - rho, 1.0), float(tt))
            dt = rt[:, None] * d0 + geo[:, None] * drive
            dx = v @ dt
            out["train_loss"][i, j] = (np.sum(nu[:, None] * dt * dt) - 2 * np.sum(dt * e) + xi2) / d_out
            out["gen_loss"][i, j] = np.sum(spec[:, None] * dx * dx) / d_out
            sx = dx + teacher
            out["weight_norm"][i, j] = np.sum(sx * sx)
    return StructuredSimulation(times, seeds, **out)
