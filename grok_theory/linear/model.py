"""The linear teacher–student model of Levi, Beck & Bar-Sinai (2024) and its exact curves.

Model (THEORY.md §1): x ~ N(0, I_{d_in}), λ = d_in/N_tr, teacher T and student S in
R^{d_in×d_out}, entries of T and S_0 iid N(0, 1/(2 d_in d_out)) times ``teacher_scale`` τ and
``init_scale`` α; training labels y = Tᵀx + ξ with ξ ~ N(0, σ² I) (``label_noise`` σ).
Full-batch GD with step η (``lr``) and weight decay γ, Levi Eq. 3 with the noise term:

    D_{t+1} = D_t − c[(Σ_tr + g) D_t − E + g T],   c = 2η/d_out,  g = γ/2,  E = XᵀΞ/N_tr.

In the eigenbasis of Σ_tr each mode ν is an affine recursion with fixed point
D*_ν = (E_ν − g T_ν)/(ν + g), so D_ν(t) = D*_ν + (D_ν(0) − D*_ν) h_ν(t) with

    h_ν(t) = e^{−c(ν+g)t}      (gradient flow, ``dynamics="flow"``),
    h_ν(t) = (1 − c(ν+g))^t    (discrete GD, ``dynamics="gd"``).

Averaging over T, S_0, Ξ (E‖E_ν‖² = d_out σ² ν/N_tr) and over the Marchenko–Pastur law of ν
(self-averaging approximation, Levi Eq. 34), with r = g/(ν+g) (r = 0 for g = 0):

    L_gen = E[(τ²/2d)(r + (1−r)h)² + (α²/2d) h² + λσ² ν (1−h)²/(ν+g)²]
    L_tr  = E[ν{(τ²/2d)(r + (1−r)h)² + (α²/2d) h²}] + E[λσ² ν²(1−h)²/(ν+g)² − 2λσ² ν(1−h)/(ν+g)] + σ²
    ‖S‖²  = E[(τ²/2)(1−r)²(1−h)² + (α²/2) h² + d λσ² ν (1−h)²/(ν+g)²]

(derivation module ``derivations/linear/teacher_student.py``). For σ = γ = 0, α = τ = 1, d_out = 1 and
flow these are Levi Eqs. 7–8; with γ they are Eq. 15.

Numerics: the clean (noise-free) parts are sums of E[C_k(ν) h^k] with C_k ≥ 0, evaluated by the
engine with the decay ``e^{−skν}`` resolved at the lower edge (so late times keep full relative
precision, and their logarithms are available below the float64 range); the noise parts are
smooth saturating functions evaluated directly.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np

from grok_theory import _validate
from grok_theory.linear.entire_form import entire_curve_mp, entire_form_preferred
from grok_theory.mp.angle_rule import LN10, QuadratureError
from grok_theory.mp.law import MarchenkoPastur
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, sum_cancelling, to_ctx, vectorize

__all__ = ["TeacherStudent", "accuracy_from_loss", "loss_at_accuracy"]

_DYNAMICS = ("flow", "gd")
_CONVENTIONS = ("mean", "total")


def log_abs_one_minus(x: Any) -> np.ndarray:
    """log|1 − x| elementwise, through log1p where 1 − x > 0 (discrete-GD mode factors ρ = 1 − x;
    ρ < 0 for stable but oscillating modes)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(x < 1, np.log1p(-np.minimum(x, 1.0)), np.log(np.abs(1 - x)))


def accuracy_from_loss(loss: Any, eps: float, d_out: int, convention: str = "mean", dps: int | None = None) -> Any:
    """Accuracy as a function of the loss (Levi Eqs. 10 and 13).

    Under the isotropic approximation the error ``Dᵀx`` of a sample has ``‖Dᵀx‖² = L·χ²_{d_out}``
    (L the per-output mean squared error). ``convention="mean"`` (Levi's) counts a sample as
    correct when ``‖Dᵀx‖²/d_out < eps``, giving ``A = P(χ²_d < d·eps/L)``, i.e.
    ``1 − Γ(d/2, d·eps/(2L))/Γ(d/2)`` (Eq. 13; for d = 1, ``erf(√(eps/(2L)))``, Eq. 10).
    ``convention="total"`` thresholds the total ``‖Dᵀx‖² < eps``: ``A = P(χ²_d < eps/L)``.

    ``loss`` must be ≥ 0 and not NaN (``ValueError`` otherwise); a negative loss within round-off,
    ``|L| ≤ 1e-12·eps``, counts as 0 (accuracy 1).
    """
    _validate.choice("convention", convention, _CONVENTIONS)
    if dps is None or isinstance(eps, (float, np.floating)):
        eps = eps_f = _validate.positive("eps", eps)
    else:  # exact eps (int, str, Fraction, mpf) stays exact in the dps path
        try:
            e = mpmath.mpf(eps.numerator) / eps.denominator if hasattr(eps, "denominator") else mpmath.mpf(eps)
        except (TypeError, ValueError):
            raise TypeError(f"eps must be a real number, got {eps!r}") from None
        if not (mpmath.isfinite(e) and e > 0):
            raise ValueError(f"eps must be a finite real > 0, got {eps!r}")
        eps_f = float(e)
    d_out = _validate.positive_int("d_out", d_out)
    dps = _validate.dps_value(dps)
    _check_loss(loss, eps_f)
    scale = d_out if convention == "mean" else 1
    if dps is not None:
        ctx = context(prec_of(dps + 5))
        L = max(to_ctx(exact_scalar("loss", loss, lower=None)[0], ctx), 0)
        e = to_ctx(exact_scalar("eps", eps, lower=0.0, strict=True)[0], ctx)
        out = ctx.mpf(1) if L == 0 else ctx.gammainc(ctx.mpf(d_out) / 2, 0, scale * e / (2 * L), regularized=True)
        return result(out, dps)
    L = np.asarray(loss, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):  # a subnormal loss gives x = inf, accuracy 1
        x = np.where(L > 0, scale * eps / (2 * np.where(L > 0, L, 1.0)), np.inf)
    from scipy import special  # here, not at module level: import time of the CLI

    out = special.gammainc(d_out / 2, x)
    return float(out) if out.ndim == 0 else out


def _check_loss(loss: Any, eps: Any) -> None:
    """Reject NaN and negative losses (beyond round-off, 1e-12·eps) given to an accuracy."""
    if isinstance(loss, mpmath.mpf):
        bad = mpmath.isnan(loss) or loss < -1e-12 * float(eps)
    else:
        try:
            arr = np.asarray(loss, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"loss must be real numbers, got {loss!r}") from None
        bad = bool(np.any(np.isnan(arr)) or np.any(arr < -1e-12 * float(eps)))
    if bad:
        raise ValueError(f"loss must be >= 0 and not NaN, got {loss!r}")


def loss_at_accuracy(level: float, eps: float, d_out: int, convention: str = "mean") -> float:
    """The loss at which :func:`accuracy_from_loss` equals ``level`` (accuracy is decreasing in L).

    For d_out = 1, mean convention and level = erf(√2) ≈ 0.9545 this is Levi's eps/4.
    """
    if not 0 < _validate.real_scalar("level", level) < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    eps, d_out = _validate.positive("eps", eps), _validate.positive_int("d_out", d_out)
    _validate.choice("convention", convention, _CONVENTIONS)
    scale = d_out if convention == "mean" else 1
    from scipy import special

    x = float(special.gammaincinv(d_out / 2, level))
    if not x > 0:
        raise ValueError(f"level={level!r} is too small: its loss threshold is beyond the float range")
    return scale * eps / (2 * x)


def _ctx_of(x: Any) -> Any:
    """The mpmath context of an mpmath number (False for floats and arrays)."""
    return getattr(x, "context", False) if hasattr(x, "_mpf_") else False


@lru_cache(maxsize=1024)
def _law(lam: Any) -> MarchenkoPastur:
    """The (immutable) law of a given λ, shared by the models built with it (phase diagrams)."""
    return MarchenkoPastur(lam)


class GradientRates:
    """The two rate constants of full-batch GD on the squared loss (shared by the linear models):
    each eigenmode of the sample covariance relaxes at ``c (ν + g)``."""

    lr: float
    d_out: int
    weight_decay: float

    @property
    def c(self) -> float:
        """Mode rate per step, 2η/d_out."""
        return 2 * self.lr / self.d_out

    @property
    def g(self) -> float:
        """Eigenvalue shift γ/2 from weight decay."""
        return self.weight_decay / 2


@dataclass(frozen=True)
class TeacherStudent(GradientRates):
    """Linear teacher–student model trained by full-batch GD or gradient flow (Levi §3).

    Parameters
    ----------
    lam : float > 0
        d_in/N_tr.
    d_out : int ≥ 1
        Output dimension.
    lr : float > 0
        Learning rate η.
    weight_decay : float ≥ 0
        γ (PyTorch-style: the update adds (γ/d_out)·S, Levi Eq. 3).
    init_scale : float ≥ 0
        α: the student starts at α S_0.
    teacher_scale : float ≥ 0
        τ: the teacher is τ T.
    label_noise : float ≥ 0
        σ: std of Gaussian noise added to every training label.
    dynamics : {"flow", "gd"}
        Gradient flow (η → 0 at fixed ηt) or exact discrete GD with step η.

    Notes
    -----
    Time ``t`` counts GD steps in both cases. Discrete GD needs ``lr < d_out/(λ₊ + γ/2)`` (every
    mode contracts), checked at construction.
    """

    lam: float
    d_out: int = 1
    lr: float = 0.01
    weight_decay: float = 0.0
    init_scale: float = 1.0
    teacher_scale: float = 1.0
    label_noise: float = 0.0
    dynamics: str = "flow"
    law: MarchenkoPastur = field(init=False, repr=False, compare=False)
    #: the parameters as given (int, Fraction, str, mpf, SymPy numbers kept exact; floats as is),
    #: converted at the working precision of every ``dps=`` call
    exact: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        exact = {}
        for name, strict in (("lam", True), ("lr", True), ("weight_decay", False), ("init_scale", False),
                             ("teacher_scale", False), ("label_noise", False)):
            kept, as_float = exact_scalar(name, getattr(self, name), lower=0.0, strict=strict)
            exact[name] = kept
            set_(self, name, as_float)
        set_(self, "exact", exact)
        set_(self, "d_out", _validate.positive_int("d_out", self.d_out))
        _validate.choice("dynamics", self.dynamics, _DYNAMICS)
        _validate.square_finite(("init_scale", self.init_scale), ("teacher_scale", self.teacher_scale), ("label_noise", self.label_noise))
        _validate.at_most(_validate.MAGNITUDE_MAX, ("lr", self.lr), ("weight_decay", self.weight_decay))
        set_(self, "law", _law(exact["lam"]))
        if self.dynamics == "gd":
            bound = self.d_out / (self.law.upper + self.weight_decay / 2)
            if self.lr >= bound:
                raise ValueError(
                    f"lr={self.lr!r} is unstable for discrete GD: need lr < d_out/(lam_+ + weight_decay/2) = {bound:.6g}"
                )

    def _repr_latex_(self) -> str:
        """Jupyter display: the model's parameters in the paper's notation."""
        parts = [rf"\lambda = {self.lam:g}", rf"d_{{\mathrm{{out}}}} = {self.d_out}", rf"\eta = {self.lr:g}",
                 rf"\gamma = {self.weight_decay:g}", rf"\alpha = {self.init_scale:g}", rf"\tau = {self.teacher_scale:g}",
                 rf"\sigma = {self.label_noise:g}"]
        kind = "gradient flow" if self.dynamics == "flow" else "discrete GD"
        return r"$\mathrm{TeacherStudent}:\ " + r",\ ".join(parts) + rf"$ ({kind})"

    # -- derived constants ------------------------------------------------------------------
    def _k(self, mp: Any) -> dict[str, Any]:
        """Model constants as floats (``mp`` false), or as numbers of the mpmath context ``mp``
        (``True``: the global one) converted exactly from the parameters as given."""
        if not mp:
            return {"c": 2 * self.lr / self.d_out, "g": self.weight_decay / 2, "lam": self.lam,
                    "tau2": self.teacher_scale**2, "a2": self.init_scale**2, "s2": self.label_noise**2,
                    "lower": self.law.lower}
        ctx = mpmath.mp if mp is True else mp
        cached = getattr(ctx, "_ts_cache", None)
        if cached is not None and cached[0] is self:
            return cached[1]
        x = {name: to_ctx(v, ctx) for name, v in self.exact.items()}
        out = {"c": 2 * x["lr"] / self.d_out, "g": x["weight_decay"] / 2, "lam": x["lam"],
               "tau2": x["teacher_scale"] ** 2, "a2": x["init_scale"] ** 2, "s2": x["label_noise"] ** 2,
               "lower": self.law._params(None if mp is True else ctx)["lower"]}
        if mp is not True:
            ctx._ts_cache = (self, out)
        return out

    def _ratio(self, nu: Any) -> tuple[Any, Any]:
        """(r, 1 − r) with r = g/(ν+g); for g = 0, r = 0 and 1 − r = 1 (also at ν = 0)."""
        g = self._k(_ctx_of(nu))["g"]
        if g == 0:
            return 0 * nu, 0 * nu + 1
        return g / (nu + g), nu / (nu + g)

    def _noise_factor(self, nu: Any) -> Any:
        """ν/(ν+g)² (0 at ν = 0: null-space modes see no noise)."""
        g = self._k(_ctx_of(nu))["g"]
        if isinstance(nu, np.ndarray):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(nu > 0, nu / (nu + g) ** 2, 0.0)
        return nu / (nu + g) ** 2 if nu > 0 else 0 * nu

    # -- the mode factor h^k ----------------------------------------------------------------
    def _decay_rate(self, k: int, t: Any) -> Any:
        """Rate s of the factor e^{−sν} that carries the lower-edge decay of h^k."""
        kk = self._k(isinstance(t, mpmath.mpf))
        if self.dynamics == "flow":
            return k * kk["c"] * t
        return k * t * kk["c"] / (1 - kk["c"] * (kk["lower"] + kk["g"]))

    def _h_power_reduced(self, k: int, t: Any, nu: Any, mp: bool) -> Any:
        """h(ν)^k e^{sν} e^{−K}: the smooth remainder after taking out e^{−sν} and e^{K}."""
        if self.dynamics == "flow" or k == 0:
            return 1 if not isinstance(nu, np.ndarray) else np.ones_like(nu)
        # h^k e^{sν} e^{−K} = exp(kt·(log(1−x) + x)),  x = c(ν−λ₋)/(1 − c(λ₋+g)) ≥ 0
        kk = self._k(mp)
        c, g, lower = kk["c"], kk["g"], kk["lower"]
        x = c * (nu - lower) / (1 - c * (lower + g))
        if mp:  # (x ≤ 1 unless the model oscillates, which takes the unfactorised path, _curve_mp)
            return mpmath.exp(k * t * (mpmath.log1p(-x) + x))
        # x ≥ 1: the oscillating modes ν ≥ ν₀ (ρ(ν₀) = 0), left out where the upper edge is
        # negligible (_upper_edge_log_bound); the remainder vanishes like (1 − x)^{kt} at x = 1
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x < 1, np.exp(k * t * (np.log1p(-np.minimum(x, 1.0)) + x)), 0.0)

    def edge_rate(self, k: int = 1) -> float:
        """Rate s per unit time of the factor e^{−sν} that carries the lower-edge decay of h^k.

        k·c for gradient flow; k·c/(1 − c(λ₋+g)) for discrete GD (the slope of −log h at λ₋).
        """
        return float(self._decay_rate(k, 1.0))

    @property
    def oscillates(self) -> bool:
        """Discrete GD with modes ρ(ν) = 1 − c(ν+g) < 0 near λ₊ (stable, but alternating in sign)."""
        return self.dynamics == "gd" and self.c * (self.law.upper + self.g) > 1

    def _whole_steps(self, t: Any) -> None:
        if np.any(np.asarray(t, dtype=float) % 1 != 0):
            raise ValueError(f"t must be whole GD steps when modes oscillate (lr={self.lr!r} > d_out/(lam_+ + "
                             f"weight_decay/2) / 2 = {self.d_out / (2 * (self.law.upper + self.g)):.6g}), got t={t!r}")

    def _atom_log_term(self, coef: Callable[[Any], Any], k: int, t: np.ndarray) -> np.ndarray | None:
        """log(atom·C_k(0)·h(0)^k) for GD at λ > 1: the null modes, added exactly (no over/underflow)."""
        c0 = float(np.asarray(coef(np.zeros(1)), dtype=float).ravel()[0])
        if self.law.atom == 0 or c0 <= 0:
            return None
        return math.log(self.law.atom * c0) + k * t * math.log1p(-self.c * self.g)

    def _log_edge_factor(self, k: int, t: Any) -> Any:
        """log of the constant taken out of h^k: −kcgt (flow) or kt·log ρ(λ₋) + sλ₋ (GD)."""
        kk = self._k(isinstance(t, mpmath.mpf))
        c, g, lower = kk["c"], kk["g"], kk["lower"]
        if self.dynamics == "flow":
            return -k * c * g * t
        if isinstance(t, mpmath.mpf):
            return k * t * mpmath.log(1 - c * (lower + g)) + self._decay_rate(k, t) * lower
        return k * t * math.log1p(-c * (lower + g)) + self._decay_rate(k, t) * lower

    def mode_factor(self, t: Any, nu: Any, mp: bool = False) -> Any:
        """h(ν, t): the factor by which a mode of Σ_tr eigenvalue ν has decayed after time t.

        h = e^{−c(ν+g)t} (gradient flow) or (1 − c(ν+g))^t (discrete GD, signed for oscillating
        modes at whole steps), c = 2η/d_out, g = γ/2 (Levi Eqs. 4, 15). ``mp=True`` evaluates with
        mpmath at the working precision of the caller's context.
        """
        kk = self._k(mp)
        c, g = kk["c"], kk["g"]
        if mp:
            ctx = mpmath.mp if mp is True else mp
            if self.dynamics == "flow":
                return ctx.exp(-c * (nu + g) * t)
            rho = 1 - c * (nu + g)
            if ctx.isint(t):
                return rho ** int(t)
            return ctx.exp(t * ctx.log(rho))
        if self.dynamics == "flow":
            return np.exp(-c * (nu + g) * t)
        a = c * (nu + g)
        mag = np.exp(t * log_abs_one_minus(a))
        return np.where((a > 1) & (np.asarray(t) % 2 == 1), -mag, mag)  # oscillating modes (t whole)

    # -- coefficients -------------------------------------------------------------------------
    def mode_coefficients(self, which: str, mp: bool = False) -> list[tuple[int, Callable[[Any], Any]]]:
        """[(k, C_k)] with the noise-free part of the curve = Σ_k E[C_k(ν) h(ν, t)^k], C_k ≥ 0.

        ``which`` is ``"train"`` or ``"gen"``; h is :meth:`mode_factor`. The coefficients are the
        teacher and initialisation parts of the mode solution (Levi Eq. 15, App. D).
        """
        kk = self._k(mp)
        tau2, a2, d = kk["tau2"], kk["a2"], self.d_out
        weight = (lambda nu: nu) if which == "train" else (lambda nu: 1 + 0 * nu)

        def c0(nu: Any) -> Any:
            r, _ = self._ratio(nu)
            return weight(nu) * tau2 / (2 * d) * r * r

        def c1(nu: Any) -> Any:
            r, rc = self._ratio(nu)
            return weight(nu) * tau2 / d * r * rc

        def c2(nu: Any) -> Any:
            _, rc = self._ratio(nu)
            return weight(nu) * (tau2 / (2 * d) * rc * rc + a2 / (2 * d))

        terms = [(2, c2)]
        if self.g > 0 and tau2 > 0:
            terms = [(0, c0), (1, c1), (2, c2)]
        return terms

    def _noise_term(self, which: str, t: Any, mp: Any, decaying: bool = False) -> Callable[[Any], Any]:
        """The label-noise part (and for the norm, the saturating teacher part) as a function of ν.

        ``t = None`` gives its t → ∞ value (h = 0); ``decaying=True`` the difference from that
        value, written in h (w² − 1 = h² − 2h, w − 1 = −h) so that it keeps its relative precision
        where h is tiny."""
        kk = self._k(mp)
        lam, s2, d, tau2, g = kk["lam"], kk["s2"], self.d_out, kk["tau2"], kk["g"]

        def f(nu: Any) -> Any:
            nf = self._noise_factor(nu)
            if decaying:
                h = self.mode_factor(t, nu, mp)
                w2m1 = h * h - 2 * h
                if which == "gen":
                    return lam * s2 * nf * w2m1
                if which == "train":
                    # ν·nf = r̄², q = r̄: λσ²(r̄²(h² − 2h) + 2r̄h) = λσ²(r̄²h² + 2r̄rh), no cancellation
                    if not nu > 0 and self.law.atom > 0:
                        return 0 * nu  # null modes: the residual is the noise itself at all times
                    r, rc = self._ratio(nu)
                    return lam * s2 * (rc * rc * h * h + 2 * rc * r * h)
                _, rc = self._ratio(nu)
                return (d * lam * s2 * nf + tau2 / 2 * rc * rc) * w2m1
            w = 1 - self.mode_factor(t, nu, mp) if t is not None else 1 + 0 * nu  # t = None: t → ∞
            if which == "gen":
                return lam * s2 * nf * w * w
            if which == "train":
                q = nu / (nu + g) if g > 0 else (1 + 0 * nu)
                if isinstance(nu, np.ndarray):
                    q = np.where(nu > 0, q, 0.0)
                elif not nu > 0 and self.law.atom > 0:
                    q = 0 * nu  # null modes (λ > 1); at λ ≤ 1, ν = 0 takes the continuous limit
                return lam * s2 * (nu * nf * w * w - 2 * q * w) + s2
            _, rc = self._ratio(nu)
            return d * lam * s2 * nf * w * w + tau2 / 2 * rc * rc * w * w

        return f

    def _saturated_noise(self, which: str, ctx: Any) -> Any:
        """The t → ∞ value of the noise part of L_gen (or of the norm's static part) without weight
        decay, in closed form: λσ²·m·E[1/ν; ν > 0] (+ τ²/2 for the norm, m = d_out, else 1), with
        E[1/ν; ν > 0] = 1/(1 − λ) for λ < 1 and 1/(λ(λ − 1)) for λ > 1 (for λ > 1 the continuous
        part is MP(1/λ) scaled by λ with mass 1/λ). Infinite at λ = 1."""
        kk = self._k(ctx)
        lam, s2 = kk["lam"], kk["s2"]
        inv_nu = 1 / (1 - lam) if lam < 1 else 1 / (lam * (lam - 1))
        if which == "gen":
            return lam * s2 * inv_nu
        return self.d_out * lam * s2 * inv_nu + kk["tau2"] / 2

    def train_noise_floor(self, mp: Any = False) -> Any:
        """The label-noise part of L_tr(∞) in closed form (float, or a number of the context ``mp``).

        With N∞(ν) = λσ²(ν²/(ν+g)² − 2ν/(ν+g)) + σ² = σ²(1 − λ) + λσ²g²/(ν+g)² on ν > 0 and σ² on the
        null modes (the same expression at ν = 0), the atom (1 − 1/λ)⁺ cancels σ²(1 − λ) for λ > 1::

            E[N∞] = σ²(1 − λ)⁺ + λσ²g² E_c[1/(ν+g)²],
            E_c[1/(ν+g)²] = 2(R + g + 1 + λ) / (max(1, λ) R (R + abs(1 − λ) + g)²),  R = √((g+λ₋)(g+λ₊)),

        the derivative of the continuous part of the Stieltjes transform, E_c[1/(ν+g)] =
        2/(max(1, λ)(R + abs(1 − λ) + g)) (R² = g² + 2(1+λ)g + (1−λ)²: every term positive, so the
        floor keeps full relative precision where the loss has decayed to it). Derivation
        ``levi2024.train_noise_floor``.
        """
        kk = self._k(mp)
        lam, s2, g = kk["lam"], kk["s2"], kk["g"]
        base = s2 * (1 - lam) if lam < 1 else 0 * s2
        if g == 0 or s2 == 0:
            return base
        sqrt = mp.sqrt if mp else math.sqrt
        one_m = abs(1 - lam)
        R = sqrt(g * (g + 2 * (1 + lam)) + one_m * one_m)
        mu = lam if lam > 1 else 1 + 0 * lam
        ec2 = 2 * (R + g + 1 + lam) / (mu * R * (R + one_m + g) ** 2)
        return base + lam * s2 * g * g * ec2

    def _has_static_part(self, which: str) -> bool:
        return self.label_noise > 0 or which == "norm"

    def mode_curve(self, which: str, t: Any, nu: Any) -> np.ndarray:
        """The contribution f(t, ν) of one eigenvalue ν of Σ_tr, so that curve(t) = E[f(t, ν)].

        The expectation is over the spectral law of Σ_tr: Marchenko–Pastur for the curves of this
        class; given one data set, the average over teacher, initialisation and label noise of the
        loss is exactly (1/d_in) Σ_i f(t, ν_i) over its d_in eigenvalues (zeros included), since
        T, S_0 and Ξ are isotropic (module docstring). ``which`` is "train", "gen" or "norm";
        ``t`` and ``nu`` broadcast (float64).
        """
        _validate.choice("which", which, ("train", "gen", "norm"))
        nu = np.asarray(nu, dtype=float)
        t = np.asarray(t, dtype=float)
        if which == "norm":
            clean = [(2, lambda x: self.init_scale**2 / 2 + 0 * x)]
        else:
            clean = self.mode_coefficients(which)
        h = self.mode_factor(t, nu)
        out = sum(coef(nu) * h**k for k, coef in clean)
        if self._has_static_part(which):
            out = out + self._noise_term(which, t, False)(nu)
        return np.asarray(out, dtype=float)

    # -- evaluation --------------------------------------------------------------------------
    def _curve(self, which: str, t: Any, dps: int | None, log: bool) -> Any:
        if dps is not None:
            return vectorize("t", t, lambda tt: self._curve_mp(which, tt, dps, log))
        t_arr = _validate.real_array("t", t, lower=0.0, upper=_validate.MAGNITUDE_MAX)
        flat = np.atleast_1d(t_arr).ravel()
        near_critical = self.g > 0 and abs(self.law._log_lam) < 1e-4
        if self.oscillates:
            self._whole_steps(flat)
        # near λ = 1 with weight decay the pole ν = −γ/2 of the split form and that of 1/ν both sit
        # at the lower edge (the float rule lost up to 6e-10 there); oscillating modes have |h|
        # peaking at both edges, and the float rule resolves the lower one only. There, and where
        # the float rule cannot certify a value, the certified edge rule of the dps path is used
        # (17 digits, rounded to float64)
        out = np.full(flat.shape, np.nan)
        every_mode_oscillates = self.oscillates and self.c * (self.law.lower + self.g) >= 1
        if not near_critical and not every_mode_oscillates:
            try:
                lv = self._curve_float(which, flat)
            except QuadratureError:
                lv = np.array([self._curve_float_or_nan(which, flat[i : i + 1]) for i in range(flat.size)])
            ok = ~np.isnan(lv)
            if self.oscillates:
                with np.errstate(invalid="ignore"):
                    # the modes beyond ρ = 0 were left out: accept where their share is below 2^-64
                    ok &= self._upper_edge_log_bound(which, flat) < lv - 45.0
            out[ok] = lv[ok] if log else np.exp(lv[ok])
        for i in np.flatnonzero(np.isnan(out)):
            out[i] = float(self._curve_mp(which, float(flat[i]), 17, log))
        out = out.reshape(t_arr.shape)
        return float(out) if out.ndim == 0 else out

    def _curve_float_or_nan(self, which: str, t: np.ndarray) -> float:
        try:
            return float(self._curve_float(which, t)[0])
        except QuadratureError:
            return math.nan

    def _upper_edge_log_bound(self, which: str, t: np.ndarray) -> np.ndarray:
        """log of a bound on the decaying terms' share from the oscillating modes ν > ν₀ (ρ(ν₀) = 0),
        Σ_k max C_k·|ρ(λ₊)|^{kt} (|ρ| increases towards λ₊ there). The float rule of
        :meth:`_curve_float` leaves these modes out; the label-noise part keeps them."""
        c, g = self.c, self.g
        rho_hi = abs(1 - c * (self.law.upper + g))
        nu = np.linspace(max(1 / c - g, self.law.lower), self.law.upper, 257)
        with np.errstate(divide="ignore"):
            terms = [math.log(2 * max(float(np.max(np.abs(coef(nu)))), 1e-300)) + k * t * math.log(rho_hi)
                     for k, coef in self._decaying_terms(which)[0] if k > 0]
            return np.logaddexp.reduce(np.vstack(terms), axis=0) if terms else np.full(t.shape, -np.inf)

    def _decaying_terms(self, which: str) -> tuple[list, int, set[int], Any]:
        """The terms E[C_k(ν) h^k] of the float path: ``(terms, n_own, no_atom, noise_log)``.

        ``n_own`` of them are the clean ones (:meth:`mode_coefficients`, or the initial norm); the
        rest carry the train label-noise part above its floor. ``no_atom``: indices of terms that
        hold on ν > 0 only. ``noise_log``: for gradient flow without weight decay, a function of
        t giving log λσ²E[e^{−2cνt}; ν > 0] (the train noise part above its floor), else None.
        """
        if which == "norm":
            clean = [(2, lambda nu: self.init_scale**2 / 2 + 0 * nu)]
        else:
            clean = self.mode_coefficients(which)
        n_own = len(clean)
        no_atom: set[int] = set()
        noise_log = None
        if which == "train" and self.label_noise > 0:
            # the train noise part is its floor E[N∞] (closed form, train_noise_floor) plus
            # N − N∞ = λσ²(r̄²h² + 2r̄rh) on ν > 0 (r̄ = ν/(ν+g), r = g/(ν+g); the null modes keep σ²):
            # decaying terms like the clean ones, no cancellation between the floor and the decay
            ls2, g = self.lam * self.label_noise**2, self.g
            if g == 0 and self.dynamics == "flow":
                # λσ² E[e^{−2cνt}; ν > 0]: a certified Laplace transform (of the dual law for λ > 1,
                # as the generic rule lost up to 5e-11 to the step at ν = 0 near λ = 1)
                def noise_log(t: np.ndarray) -> np.ndarray:
                    return math.log(ls2) + self._log_continuous_laplace(self._decay_rate(2, t))
            elif g == 0:
                # λσ²h² on ν > 0 (its continuation to ν = 0 is λσ²); the null modes keep σ² (in the floor)
                no_atom.add(len(clean))
                clean = list(clean) + [(2, lambda nu: ls2 + 0 * nu)]
            else:
                clean = list(clean) + [(2, lambda nu: ls2 * (nu / (nu + g)) ** 2),
                                       (1, lambda nu: 2 * ls2 * nu * g / (nu + g) ** 2)]
        return clean, n_own, no_atom, noise_log

    def _curve_float(self, which: str, flat: np.ndarray) -> np.ndarray:
        """log of the curve at the times ``flat`` (float64; for oscillating GD the modes beyond
        ρ = 0 are left out of the decaying terms, see :meth:`_upper_edge_log_bound`)."""
        law = self.law
        logs = []
        clean, n_own, no_atom, noise = self._decaying_terms(which)
        exact_train_noise = which == "train" and self.label_noise > 0
        noise_log = None if noise is None else noise(flat)
        for idx, (k, coef) in enumerate(clean):
            if self.dynamics == "flow" and self.g == 0 and k == 2 and idx < n_own:
                # C_2 = K (gen, norm) or K·ν (train): the engine's certified Laplace transform
                power = 1 if which == "train" else 0
                K = float(coef(np.ones(1))[0])
                if K == 0:
                    continue
                lv = math.log(K) + law.log_laplace(self._decay_rate(k, flat), power=power)
            elif self.dynamics == "flow" or k == 0:
                lv = law.log_expect(coef, s=self._decay_rate(k, flat)) + self._log_edge_factor(k, flat)
            else:
                # the atom's modes (λ > 1) are added exactly: inside the factorised form their
                # factor h(0)^k would be a product of an overflowing and an underflowing term
                lv = np.array([
                    law.log_expect(lambda nu, tt=tt, coef=coef: coef(nu) * self._h_power_reduced(k, tt, nu, False),
                                   s=self._decay_rate(k, tt), continuous=True)
                    + self._log_edge_factor(k, tt)
                    for tt in flat
                ])
                atom_lv = None if idx in no_atom else self._atom_log_term(coef, k, flat)
                if atom_lv is not None:
                    lv = np.logaddexp(lv, atom_lv)
            logs.append(np.atleast_1d(lv))
        if noise_log is not None:
            logs.append(np.atleast_1d(noise_log))
        with np.errstate(divide="ignore"):
            total_log = np.logaddexp.reduce(np.vstack(logs), axis=0) if logs else np.full(flat.shape, -np.inf)
        if exact_train_noise:
            floor = float(self.train_noise_floor())
            if floor > 0:
                with np.errstate(divide="ignore"):
                    total_log = np.logaddexp(total_log, math.log(floor))
        elif self._has_static_part(which):
            static = np.array([law.expect(self._noise_term(which, tt, False)) for tt in flat])
            with np.errstate(divide="ignore", invalid="ignore"):
                total_log = np.logaddexp(total_log, np.log(np.maximum(static, 0.0)))
        return total_log

    def _log_continuous_laplace(self, s: Any) -> Any:
        """log E[e^{−sν}; ν > 0] (float64, certified). For λ > 1 the continuous part of MP(λ) is
        MP(1/λ) scaled by λ with mass 1/λ (the nonzero eigenvalues of XᵀX/N are those of XXᵀ/N), so
        E[e^{−sν}; ν > 0] = λ⁻¹ E_{MP(1/λ)}[e^{−λsμ}]: no atom to subtract."""
        law = self.law
        if law.atom == 0:
            return law.log_laplace(s)
        return law.dual.log_laplace(self.lam * np.asarray(s, dtype=float)) - law._log_lam

    def _edge_rates(self, k: int, t: float) -> tuple[float, float]:
        """Decay rates (per unit ν) of h^k away from the lower and the upper edge of the support.

        Flow: k·c·t at the lower edge, no upper peak. GD: |ρ(ν)|^{kt}, ρ = 1 − c(ν+g), is largest
        at the edges; its log-slopes there are k·t·c/ρ(λ₋) and, for oscillating modes
        (ρ(λ₊) < 0), k·t·c/|ρ(λ₊)| (``inf``: no peak at that edge).
        """
        c, g = self.c, self.g
        if self.dynamics == "flow" or k == 0:
            return k * c * t, 0.0
        rho_lo, rho_hi = 1 - c * (self.law.lower + g), 1 - c * (self.law.upper + g)
        s_lo = k * t * c / abs(rho_lo) if rho_lo != 0 else math.inf  # (ρ(λ₋) < 0: every mode oscillates)
        s_hi = k * t * c / -rho_hi if rho_hi < 0 else 0.0
        return s_lo, s_hi

    def _part_mp(self, part: tuple, digits: int) -> Any:
        """E[F] of one part of a curve; time-independent ("static") parts are cached per model."""
        if part[0] != "static":
            make, s_lo, s_hi, pc, *atom = part  # atom: optional make_atom (the null modes' F)
            return self.law.edge_expect_mp(make, digits, s_lo, s_hi, make_atom=atom[0] if atom else None,
                                           pole_correct=pc)[0]
        _, which, make, s_lo, s_hi, pc = part
        cache = self.__dict__.setdefault("_static_cache", {})
        key = (which, digits)
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            # raw mpmath numbers: picklable, of no context
            cache[key] = self.law.edge_expect_mp(make, digits, s_lo, s_hi, pole_correct=pc)[0]._mpf_
        return context(prec_of(digits + 10)).make_mpf(cache[key])

    def _curve_mp(self, which: str, t: Any, dps: int, log: bool) -> Any:
        """The curve to ``dps`` digits: every part E[F(ν)] by the certified edge rule
        (:meth:`MarchenkoPastur.edge_expect_mp`) in a private mpmath context, with the
        parameters converted exactly at the working precision."""
        t_kept, tf = exact_scalar("t", t, lower=0.0)
        if self.oscillates:
            self._whole_steps(tf)
        if entire_form_preferred(self, which, tf, dps + 3):
            # one integrand entire in ν (no pole at ν = −γ/2): the cheaper form at moderate times
            return entire_curve_mp(self, which, t_kept, tf, dps, log)
        parts: list[tuple[Any, float, float, bool]] = []  # (make_F, s_lo, s_hi, pole_correct)
        consts: list[Callable[[Any], Any]] = []  # exact constants (make_value(ctx))

        def t_of(ctx: Any) -> Any:
            return to_ctx(t_kept, ctx)

        clean = [(2, None)] if which == "norm" else self.mode_coefficients(which)
        for k, coef in clean:
            if coef is not None and np.all(coef(np.array([0.0, 0.5, 1.0, 2.0])) == 0):
                continue
            s_lo, s_hi = self._edge_rates(k, tf)

            def make(ctx: Any, k: int = k) -> Any:
                tm = t_of(ctx)
                a2 = self._k(ctx)["a2"]
                coef_c = dict(self.mode_coefficients(which, mp=ctx))[k] if which != "norm" else (lambda nu: a2 / 2 + 0 * nu)
                if k == 0:
                    return coef_c
                return lambda nu: coef_c(nu) * self.mode_factor(tm, nu, ctx) ** k

            parts.append(("static", f"clean{k}-{which}", make, s_lo, s_hi, True) if k == 0 else (make, s_lo, s_hi, True))
        if self._has_static_part(which) and (tf > 0 or which == "train"):  # (1 − h) = 0 at t = 0
            s1_lo, s1_hi = self._edge_rates(1, tf)
            smooth = self.g > 0  # without weight decay ν/(ν+g)² = 1/ν: no pole correction at ν = 0
            kappa = 2 * math.sqrt(self.lam) * max(s1_lo if math.isfinite(s1_lo) else 0.0, s1_hi)
            # (at λ = 1 without weight decay the saturated gen/norm noise λσ²/ν is not integrable)
            critical = self.g == 0 and self.law.lower == 0 and which != "train"
            # without weight decay the split form's decaying part (h² − 2h)/ν has a pole at ν = 0,
            # a distance λ₋ from the support: a rule of n ≈ 2·digits/|ln λ| nodes, of which the
            # ≈ n·√(digits/κ) next to λ₋ are evaluated (its saturated part is in closed form). The
            # whole term (1 − h)²/ν is analytic there (0 at ν = 0, so the pole correction is exact)
            # and needs ≈ 2√(κ·digits) nodes: fewer when κ·|ln λ| < digits (next to λ = 1)
            nepers = (dps + 3) * LN10
            near_pole = self.g == 0 and which != "train" and not critical and kappa * abs(math.log(self.lam)) < nepers
            if kappa <= 30 or critical or near_pole or (self.dynamics == "gd" and s1_lo == math.inf):
                # the train noise integrand λσ²(ν·nf·w² − 2qw) + σ² is analytic at ν = 0 also
                # for γ = 0 (ν·nf = q = 1), and its value there, σ² (w = 0), is the null modes': the
                # pole correction applies (without it λ = 0.999 needs > 65536 nodes)
                parts.append((lambda ctx: self._noise_term(which, t_of(ctx), ctx), 0.0, 0.0, smooth or which == "train" or near_pole))
            else:
                # late: the saturated part (h = 0) and a part decaying with h, resolved at the edge
                if which == "train":
                    # E[N∞] in closed form (train_noise_floor; for λ ≥ 1 the continuous part's
                    # −σ²(λ−1)/λ and the null modes' σ²(1 − 1/λ) cancel exactly: no quadrature of
                    # a cancelling sum)
                    consts.append(lambda ctx: self.train_noise_floor(ctx))
                elif self.g == 0:
                    consts.append(lambda ctx: self._saturated_noise(which, ctx))
                else:
                    parts.append(("static", which, lambda ctx: self._noise_term(which, None, ctx), 0.0, 0.0, smooth))

                def make_dec(ctx: Any) -> Any:
                    return self._noise_term(which, t_of(ctx), ctx, decaying=True)

                if which == "train" and self.g == 0 and self.law.atom > 0:
                    # λσ²h² on ν > 0: F is its analytic continuation (λσ² at ν = 0, so the pole
                    # correction applies near λ = 1⁺) and the null modes, which do not decay, enter
                    # through make_atom = 0
                    def make_dec_cont(ctx: Any) -> Any:
                        kk, tm = self._k(ctx), t_of(ctx)
                        return lambda nu: kk["lam"] * kk["s2"] * self.mode_factor(tm, nu, ctx) ** 2

                    parts.append((make_dec_cont, s1_lo, s1_hi, True, lambda ctx: ctx.mpf(0)))
                else:
                    # (train, γ = 0, λ ≤ 1: λσ²h² is analytic at ν = 0 and F(0) is its value there)
                    parts.append((make_dec, s1_lo, s1_hi, smooth or which == "train"))  # (oscillating GD: both edges)
        # the time-dependent parts share one rule (one set of nodes): the slowest decay decides
        # which nodes may be skipped, the fastest the resolution (the initial node count)
        dynamic = [p for p in parts if p[0] != "static" and len(p) == 4]  # (parts with their own atom stay apart)
        if len(dynamic) > 1:
            makes = [p[0] for p in dynamic]

            def make_all(ctx: Any, makes: list = makes) -> Any:
                fs = [mk(ctx) for mk in makes]
                return lambda nu: ctx.fsum(f(nu) for f in fs)

            parts = [p for p in parts if p[0] == "static" or len(p) > 4] + [
                (make_all, min(p[1] for p in dynamic), max(p[2] for p in dynamic), all(p[3] for p in dynamic))]
        def evaluate(digits: int) -> list[Any]:
            return [self._part_mp(part, digits) for part in parts] + [make(context(prec_of(digits + 5))) for make in consts]

        total = sum_cancelling(evaluate, dps, what=f"the parts of the {which} curve at t={t!r}", error=QuadratureError)
        if log:
            return result(total.context.log(total) if total > 0 else (total.context.ninf if total == 0 else total.context.nan), dps)
        return result(total, dps)

    def train_loss(self, t: Any, dps: int | None = None, certified: bool = False) -> Any:
        """Training loss L_tr(t) on the labels the optimiser sees (Levi Eqs. 7–8, 15; noise derived).

        Vectorised over numpy arrays of ``t`` (GD steps); with ``dps`` a scalar ``t`` gives an
        mpmath number to that many digits. ``certified=True`` (needs ``dps`` and python-flint,
        the ``certified`` extra) returns a :class:`~grok_theory.mp.certified.Interval` that
        rigorously contains the value, of width ≤ 10^(−dps) times it (Arb).
        """
        if certified:
            return self._certified("train", t, dps)
        return self._curve("train", t, _validate.dps_value(dps), log=False)

    def gen_loss(self, t: Any, dps: int | None = None, certified: bool = False) -> Any:
        """Generalisation loss L_gen(t) = ‖S(t) − T‖²/d_out on clean labels (Levi Eqs. 2, 8, 15).

        ``certified=True``: an enclosing interval, as for :meth:`train_loss`."""
        if certified:
            return self._certified("gen", t, dps)
        return self._curve("gen", t, _validate.dps_value(dps), log=False)

    def _certified(self, which: str, t: Any, dps: int | None) -> Any:
        """Arb enclosure of a curve (module grok_theory.mp.certified) on the pole-free form."""
        from grok_theory.linear.entire_form import arb_integrand
        from grok_theory.mp.certified import arb_expect, require_flint

        dps = _validate.dps_value(dps)
        if dps is None:
            raise ValueError("certified=True needs dps (the digits the interval must carry)")
        require_flint()
        t_kept, tf = exact_scalar("t", t, lower=0.0)
        if self.dynamics == "gd" and self.oscillates:
            self._whole_steps(tf)
        try:
            scale = float(self._curve(which, tf, None, log=False))
        except (QuadratureError, ArithmeticError):
            scale = 0.0
        return arb_expect(self.exact["lam"], lambda flint: arb_integrand(self, which, t_kept, flint), dps,
                          scale if scale > 0 and math.isfinite(scale) else 0.0)

    def weight_norm(self, t: Any, dps: int | None = None) -> Any:
        """Expected squared Frobenius norm ‖S(t)‖²_F of the student."""
        return self._curve("norm", t, _validate.dps_value(dps), log=False)

    def log_train_loss(self, t: Any, dps: int | None = None) -> Any:
        """log L_tr(t), accurate where L_tr underflows float64."""
        return self._curve("train", t, _validate.dps_value(dps), log=True)

    def log_gen_loss(self, t: Any, dps: int | None = None) -> Any:
        """log L_gen(t), accurate where L_gen underflows float64."""
        return self._curve("gen", t, _validate.dps_value(dps), log=True)

    # -- limits ---------------------------------------------------------------------------------
    def _limit(self, which: str, dps: int | None) -> Any:
        """t → ∞: h → 0 except on null modes without weight decay (ν = 0, g = 0), where h = 1."""
        if self.label_noise > 0 and self.g == 0 and self.law.lower == 0 and which in ("gen", "norm"):
            return math.inf if dps is None else mpmath.inf  # E[1/ν] diverges at λ = 1
        null_keep = self.g == 0 and self.law.atom > 0  # null modes (the atom) keep h = 1
        if which == "train" and self.label_noise > 0:
            # the clean part E[ν τ²/(2d) r²] (0 without weight decay) plus the noise floor in
            # closed form (train_noise_floor): no cancelling quadrature of σ² − 2λσ²E[q] + …
            g, d = self.g, self.d_out
            if dps is None:
                clean = 0.0
                if g > 0 and self.teacher_scale > 0:
                    tau2 = self.teacher_scale**2
                    clean = float(self.law.expect(lambda nu: nu * tau2 / (2 * d) * (g / (nu + g)) ** 2))
                return clean + float(self.train_noise_floor())
            ctx = context(prec_of(dps + 5))
            clean = ctx.mpf(0)
            if g > 0 and self.teacher_scale > 0:
                def make_clean(c: Any) -> Callable[[Any], Any]:
                    kk = self._k(c)
                    return lambda nu: nu * kk["tau2"] / (2 * d) * (kk["g"] / (nu + kk["g"])) ** 2
                clean = ctx.convert(self.law.edge_expect_mp(make_clean, dps + 3)[0])
            return result(clean + self.train_noise_floor(ctx), dps)

        def make(mp: Any) -> Callable[[Any], Any]:
            kk = self._k(mp)
            lam, s2, d, tau2, g = kk["lam"], kk["s2"], self.d_out, kk["tau2"], kk["g"]

            def f(nu: Any) -> Any:
                r, rc = self._ratio(nu)
                nf = self._noise_factor(nu)
                if which == "gen":
                    return tau2 / (2 * d) * r * r + lam * s2 * nf
                if which == "train":
                    # for g = 0 both ν·ν/(ν+g)² and ν/(ν+g) are 1 on ν > 0
                    q = nu / (nu + g) if g > 0 else 1 + 0 * nu
                    nu_nf = nu * nf if g > 0 else 1 + 0 * nu
                    return nu * tau2 / (2 * d) * r * r + lam * s2 * (nu_nf - 2 * q) + s2
                return tau2 / 2 * rc * rc + d * lam * s2 * nf

            return f

        def extra(mp: Any) -> Any:
            kk = self._k(mp)
            if which == "gen":
                return (kk["tau2"] + kk["a2"]) / (2 * self.d_out)
            return kk["s2"] if which == "train" else kk["a2"] / 2

        if self.g == 0 and self.label_noise == 0 and which in ("gen", "train"):
            # every mode with ν > 0 reaches the teacher exactly: only the null modes' error remains
            if dps is None:
                return self.law.atom * extra(False) if null_keep and which == "gen" else 0.0
            ctx = context(prec_of(dps + 3))
            if not (null_keep and which == "gen"):
                return result(ctx.mpf(0), dps)
            return result(self.law._params(ctx)["atom"] * extra(ctx), dps)
        if dps is None:
            f = make(False)
            if not null_keep:
                return self.law.expect(f)
            ex = extra(False)
            return self.law.expect(lambda nu: np.where(nu == 0, ex, f(nu)))
        atom = (lambda ctx: extra(ctx)) if null_keep else None
        smooth = not (self.label_noise > 0 and self.g == 0)
        value, _ = self.law.edge_expect_mp(make, dps + 3, make_atom=atom, pole_correct=smooth)
        return result(value, dps)

    def train_loss_limit(self, dps: int | None = None) -> Any:
        """lim_{t→∞} L_tr."""
        return self._limit("train", _validate.dps_value(dps))

    def gen_loss_limit(self, dps: int | None = None) -> Any:
        """lim_{t→∞} L_gen (the weight-decay / null-space / noise floor)."""
        return self._limit("gen", _validate.dps_value(dps))

    def weight_norm_limit(self, dps: int | None = None) -> Any:
        """lim_{t→∞} ‖S‖²_F."""
        return self._limit("norm", _validate.dps_value(dps))

    # -- accuracies -------------------------------------------------------------------------------
    def train_accuracy(self, t: Any, eps: float, convention: str = "mean", dps: int | None = None) -> Any:
        """Training accuracy at threshold ``eps`` (Levi Eq. 10 / 13; see :func:`accuracy_from_loss`)."""
        eps = _validate.positive("eps", eps)
        return accuracy_from_loss(self.train_loss(t, dps=dps), eps, self.d_out, convention, dps)

    def gen_accuracy(self, t: Any, eps: float, convention: str = "mean", dps: int | None = None) -> Any:
        """Generalisation accuracy at threshold ``eps`` (Levi Eq. 10 / 13)."""
        eps = _validate.positive("eps", eps)
        return accuracy_from_loss(self.gen_loss(t, dps=dps), eps, self.d_out, convention, dps)
