"""Langevin gradient flow and SGLD in the linear teacher–student model, exactly.

Model and conventions are those of :class:`grok_theory.model.TeacherStudent` (THEORY.md §1):
D = S − τT, Σ_tr = XᵀX/N, c = 2η/d_out, g = γ/2. GD descends the objective

    F(S) = L_tr(S) + (γ/(2 d_out)) ‖S‖²_F        (its gradient is Levi Eq. 3's update / η).

Thermal noise at temperature T ≥ 0 (derivation ``jules2023.ou_mode``):

* ``dynamics="gd"`` (SGLD):   S ← S − η∇F(S) + √(2ηT) ξ,   ξ ~ N(0, I) iid per step and entry;
* ``dynamics="flow"``:        dS = −η∇F dt + √(2ηT) dB_t  (t in GD steps; the η → 0 limit at fixed ηt).

For small η both sample p(S) ∝ exp(−F(S)/T) (the Gibbs measure of the objective). The update is
linear, so D(t) = D_det(t) + Z(t) with D_det the noiseless path (``TeacherStudent``) and Z
independent of the data, Z(0) = 0. In the eigenbasis of Σ_tr every entry of Z is an independent
Ornstein–Uhlenbeck process with rate a = c(ν + g) and variance

    v(ν, t) = 2ηT (1 − e^{−2at}) / (2a)        (flow),   stationary T d_out / (2(ν + g)),
    v(ν, t) = 2ηT (1 − ρ^{2t}) / (1 − ρ²)      (SGLD, ρ = 1 − a),  stationary T d_out / ((ν + g)(2 − a)),

and v = 2ηT t on a free mode (ν = g = 0: diffusion in the null space of X).

Averaging over Z, then over T, S_0, label noise and the MP law (self-averaging, Levi Eq. 34),
with q = (g + νh)/(ν + g) (q = h for g = 0), h the noiseless mode factor
(derivations ``jules2023.thermal_mean``, ``jules2023.thermal_variance``):

    ⟨L_tr⟩ = L_tr^{T=0}(t) + d_in E[ν v]
    ⟨L_gen⟩ = L_gen^{T=0}(t) + d_in E[v]
    Var L_tr = (2/d_out) d_in E[ν² v²] + (4/d_out) E[v · (q²(λσ²ν + τ²ν²/(2d_out)) + α²ν²h²/(2d_out))]
    Var L_gen = (2/d_out) d_in E[v²]   + (4/d_out) E[v · ((τ²/(2d_out)) q² + (α²/(2d_out)) h² + λσ²ν(1−h)²/(ν+g)²)]

Var is the variance over the Langevin noise at fixed data (what a run's fluctuations measure),
averaged over data. The thermal parts are extensive (∝ d_in): the number of modes enters, so
``d_in`` is a parameter. The T = 0 parts are :class:`TeacherStudent`'s curves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from grok_theory import _validate
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx
from grok_theory.linear.model import TeacherStudent, log_abs_one_minus

__all__ = ["LangevinTeacherStudent"]

_KINDS = ("train_mean", "gen_mean", "train_var", "gen_var")


def _temperature(value: Any) -> Any:
    """Validate T ≥ 0, keeping exact inputs (str, Fraction, mpf, int) for the dps path."""
    if isinstance(value, str):
        try:
            x = mpmath.mpf(value)
        except (ValueError, TypeError):
            raise ValueError(f"temperature must be a real number >= 0, got {value!r}") from None
        if not mpmath.isfinite(x) or x < 0:
            raise ValueError(f"temperature must be finite and >= 0, got {value!r}")
        return value
    _validate.nonnegative("temperature", value)
    return value


@dataclass(frozen=True)
class LangevinTeacherStudent:
    """The linear teacher–student model under Langevin noise (flow) or SGLD (discrete GD).

    Parameters
    ----------
    model : TeacherStudent
        The noiseless model (λ, d_out, η, γ, α, τ, σ, dynamics); its curves are the T = 0 parts.
    temperature : float ≥ 0 (or an exact str / Fraction / mpf)
        T of the Gibbs measure exp(−F/T) of the objective F = L_tr + (γ/(2d_out))‖S‖².
    d_in : int ≥ 1
        Input dimension (number of modes): thermal parts of the losses are proportional to it.

    Examples
    --------
    >>> from grok_theory.linear.model import TeacherStudent
    >>> m = LangevinTeacherStudent(TeacherStudent(0.5, lr=0.05), temperature=1e-4, d_in=100)
    >>> round(m.train_loss_mean(1e4) / 1e-4, 3)     # d_out·rank·T/2 = 50 T at equilibrium
    50.0
    """

    model: TeacherStudent
    temperature: Any
    d_in: int
    T: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.model, TeacherStudent):
            raise TypeError(f"model must be a TeacherStudent, got {self.model!r}")
        object.__setattr__(self, "temperature", _temperature(self.temperature))
        object.__setattr__(self, "d_in", _validate.positive_int("d_in", self.d_in))
        object.__setattr__(self, "T", exact_scalar("temperature", self.temperature)[1])

    # -- constants -------------------------------------------------------------------------------
    def _k(self, mp: Any) -> dict[str, Any]:
        """Constants as floats (``mp`` false) or as numbers of the private mpmath context ``mp``,
        converted exactly from the parameters as given (cached on the thread-private context)."""
        m = self.model
        if not mp:
            conv = float
            temp = self.T
        else:
            cached = getattr(mp, "_lts_cache", None)
            if cached is not None and cached[0] is self:
                return cached[1]
            conv = lambda name: to_ctx(m.exact[name], mp)  # noqa: E731
            temp = to_ctx(exact_scalar("temperature", self.temperature)[0], mp)
        get = (lambda name: getattr(m, name)) if not mp else conv
        out = {"eta": get("lr"), "c": 2 * get("lr") / m.d_out, "g": get("weight_decay") / 2, "T": temp,
               "lam": get("lam"), "d": m.d_out, "n": self.d_in, "tau2": get("teacher_scale") ** 2,
               "a2": get("init_scale") ** 2, "s2": get("label_noise") ** 2}
        if mp:
            mp._lts_cache = (self, out)
        return out

    # -- per-mode quantities ---------------------------------------------------------------------
    def mode_variance(self, nu: Any, t: Any, dps: int | None = None) -> Any:
        """Variance v(ν, t) of one entry of the thermal part Z in the mode ν (``t = inf``: stationary).

        Flow: 2ηT t·(1 − e^{−2at})/(2at); SGLD: 2ηT (1 − ρ^{2t})/(1 − ρ²); a = c(ν+g), ρ = 1 − a
        (derivation ``jules2023.ou_mode``). ``inf`` for a free mode (ν = g = 0) at t = ∞.
        """
        if dps is None:
            return self._v(np.asarray(nu, dtype=float), float(t), mp=False)
        ctx = context(prec_of(dps + 10))
        tk = _time_kept(t)
        tm = ctx.inf if tk is None else to_ctx(tk, ctx)
        return result(self._v(to_ctx(exact_scalar("nu", nu)[0], ctx), tm, mp=ctx), dps)

    def _v(self, nu: Any, t: Any, mp: bool) -> Any:
        k = self._k(mp)
        a = k["c"] * (nu + k["g"])
        pre = 2 * k["eta"] * k["T"]
        flow = self.model.dynamics == "flow"
        if mp:
            ctx = mp
            if a == 0:
                return ctx.inf if ctx.isinf(t) else pre * t
            if ctx.isinf(t):
                return pre / (2 * a) if flow else pre / (a * (2 - a))
            if flow:
                return pre * (-ctx.expm1(-2 * a * t)) / (2 * a)
            if a == 1:
                return pre if t > 0 else 0 * pre
            return pre * (-ctx.expm1(2 * t * ctx.log(abs(1 - a)))) / (a * (2 - a))
        a = np.asarray(a, dtype=float)
        safe = np.where(a > 0, a, 1.0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if math.isinf(t):
                val = pre / (2 * safe) if flow else pre / (safe * (2 - safe))
                return np.where(a > 0, val, np.inf)
            if flow:
                val = pre * (-np.expm1(-2 * safe * t)) / (2 * safe)
            else:
                val = pre * (-np.expm1(2 * t * log_abs_one_minus(safe))) / (safe * (2 - safe))
        return np.where(a > 0, val, pre * t)

    def _h(self, nu: Any, t: Any, mp: bool) -> Any:
        """Noiseless mode factor h (``TeacherStudent.mode_factor``); at t = ∞ 0, except 1 on a free mode."""
        if (mp.isinf(t) if mp else math.isinf(t)):
            k = self._k(mp)
            a = k["c"] * (nu + k["g"])
            if mp:
                return mp.mpf(1) if a == 0 else mp.mpf(0)
            return np.where(a == 0, 1.0, 0.0)
        return self.model.mode_factor(t, nu, mp)

    def _mean_squares(self, nu: Any, t: Any, mp: Any) -> tuple[Any, Any]:
        """(d_in E[D_det²], d_in E[G²]) per entry of the mode ν, G = Σ_tr D_det − E the train-loss gradient.

        d_in E[D_det²] is TeacherStudent's L_gen integrand; both from ``jules2023.thermal_variance``.
        """
        k = self._k(mp)
        g, d, lam, s2, tau2, a2 = k["g"], k["d"], k["lam"], k["s2"], k["tau2"], k["a2"]
        h = self._h(nu, t, mp)
        if g == 0:
            q = h
            if mp:
                nf = (1 - h) ** 2 / nu if nu > 0 else 0 * nu
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    nf = np.where(nu > 0, (1 - h) ** 2 / np.where(nu > 0, nu, 1.0), 0.0)
        else:
            q = (g + nu * h) / (nu + g)
            nf = nu * (1 - h) ** 2 / (nu + g) ** 2
        gen = tau2 / (2 * d) * q * q + a2 / (2 * d) * h * h + lam * s2 * nf
        grad = q * q * (lam * s2 * nu + tau2 * nu * nu / (2 * d)) + a2 * nu * nu * h * h / (2 * d)
        return gen, grad

    def _kernel(self, kind: str, nu: Any, t: Any, mp: bool) -> Any:
        k = self._k(mp)
        n, d = k["n"], k["d"]
        v = self._v(nu, t, mp)
        if kind.startswith("train"):
            # null modes (ν = 0) never enter the train loss, even where v = ∞
            if mp:
                if not nu > 0:
                    return 0 * nu
            else:
                v = np.where(nu > 0, v, 0.0)
        if kind == "train_mean":
            return n * nu * v
        if kind == "gen_mean":
            return n * v
        gen_ms, grad_ms = self._mean_squares(nu, t, mp)
        if kind == "train_var":
            return 2 * n * nu * nu * v * v / d + 4 * grad_ms * v / d
        return 2 * n * v * v / d + 4 * gen_ms * v / d

    def _diverges(self, kind: str, t: Any) -> bool:
        """Stationary gen statistics of a model with free modes (λ ≥ 1, γ = 0) are infinite."""
        if not kind.startswith("gen") or not (math.isinf(float(t))) or self.model.weight_decay > 0:
            return False
        return self.model.lam >= 1

    def _thermal(self, kind: str, t: Any, dps: int | None) -> Any:
        law = self.model.law
        if self.T == 0:
            return 0.0 if dps is None else result(0, dps)
        if dps is not None:
            tk = _time_kept(t)  # None: t = ∞
            tf = math.inf if tk is None else exact_scalar("t", tk)[1]
            if self._diverges(kind, tf):
                return result(mpmath.inf, dps)
            if self.model.dynamics == "gd" and tk is not None:
                self._check_whole(tf)

            def kernel(nu: Any) -> Any:
                # nu is a number of the engine's private context: work in that context
                ctx = nu.context
                tm = ctx.inf if tk is None else to_ctx(tk, ctx)
                return self._kernel(kind, nu, tm, ctx)

            return result(law.expect(kernel, dps=dps + 5), dps)
        if isinstance(t, float) and math.isinf(t):
            return math.inf if self._diverges(kind, t) else float(law.expect(lambda nu: self._kernel(kind, nu, math.inf, False)))
        t_arr = _validate.real_array("t", t, lower=0.0)
        flat = np.atleast_1d(t_arr).ravel()
        if self.model.dynamics == "gd":
            self._check_whole(flat)
        out = np.array([float(law.expect(lambda nu, tt=tt: self._kernel(kind, nu, tt, False))) for tt in flat])
        out = out.reshape(t_arr.shape)
        return float(out) if out.ndim == 0 else out

    def _check_whole(self, t: Any) -> None:
        """SGLD with oscillating modes (ρ < 0) is defined at whole steps only."""
        m = self.model
        if m.c * (m.law.upper + m.g) > 1 and np.any(np.asarray(t, dtype=float) % 1 != 0):
            raise ValueError(f"t must be whole SGLD steps when modes oscillate (lr={m.lr!r}), got t={t!r}")

    # -- public curves ---------------------------------------------------------------------------
    def thermal_train_mean(self, t: Any, dps: int | None = None) -> Any:
        """Thermal excess ⟨L_tr⟩ − L_tr^{T=0} = d_in E[ν v(ν, t)]."""
        return self._thermal("train_mean", t, _validate.dps_value(dps))

    def thermal_gen_mean(self, t: Any, dps: int | None = None) -> Any:
        """Thermal excess ⟨L_gen⟩ − L_gen^{T=0} = d_in E[v(ν, t)]."""
        return self._thermal("gen_mean", t, _validate.dps_value(dps))

    def train_loss_mean(self, t: Any, dps: int | None = None) -> Any:
        """⟨L_tr(t)⟩ at temperature T: the noiseless curve plus the thermal excess."""
        dps = _validate.dps_value(dps)
        return self.model.train_loss(t, dps=dps) + self.thermal_train_mean(t, dps)

    def gen_loss_mean(self, t: Any, dps: int | None = None) -> Any:
        """⟨L_gen(t)⟩ at temperature T: the noiseless curve plus the thermal excess."""
        dps = _validate.dps_value(dps)
        return self.model.gen_loss(t, dps=dps) + self.thermal_gen_mean(t, dps)

    def train_loss_var(self, t: Any, dps: int | None = None) -> Any:
        """Variance of L_tr(t) over the Langevin noise (data-averaged)."""
        return self._thermal("train_var", t, _validate.dps_value(dps))

    def gen_loss_var(self, t: Any, dps: int | None = None) -> Any:
        """Variance of L_gen(t) over the Langevin noise (data-averaged)."""
        return self._thermal("gen_var", t, _validate.dps_value(dps))

    def statistic(self, kind: str, t: Any, dps: int | None = None) -> Any:
        """One thermal statistic by name: ``"train_mean"``/``"gen_mean"`` (thermal excesses of the means),
        ``"train_var"``/``"gen_var"`` (variances) at ``t``; ``t = math.inf`` gives the stationary value."""
        _validate.choice("kind", kind, _KINDS)
        return self._thermal(kind, t, _validate.dps_value(dps))

    # -- t → ∞ -------------------------------------------------------------------------------------
    def stationary(self, dps: int | None = None) -> dict[str, Any]:
        """Stationary statistics: means and variances of both losses as t → ∞ (``inf`` where they diverge).

        Keys: ``train_mean``, ``gen_mean``, ``train_var``, ``gen_var``, ``thermal_train``, ``thermal_gen``.
        """
        dps = _validate.dps_value(dps)
        inf = math.inf
        out = {"thermal_train": self._thermal("train_mean", inf, dps), "thermal_gen": self._thermal("gen_mean", inf, dps),
               "train_var": self._thermal("train_var", inf, dps), "gen_var": self._thermal("gen_var", inf, dps)}
        out["train_mean"] = _limit(self.model.train_loss_limit, dps) + out["thermal_train"]
        out["gen_mean"] = _limit(self.model.gen_loss_limit, dps) + out["thermal_gen"]
        return out


def _limit(fn: Any, dps: int | None) -> Any:
    """A TeacherStudent t → ∞ limit (an identically vanishing one, e.g. L_tr(∞) at σ = γ = 0, is an exact 0)."""
    return fn(dps=dps)


def _time_kept(t: Any) -> Any:
    """A time of the dps path kept exactly (int, Fraction, str, mpf, SymPy; float as is); None for t = ∞."""
    if isinstance(t, float) and math.isinf(t) and t > 0:
        return None
    if isinstance(t, mpmath.mpf) and mpmath.isinf(t) and t > 0:
        return None
    return exact_scalar("t", t, lower=0.0)[0]
