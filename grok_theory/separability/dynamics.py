"""Long-time gradient-flow dynamics and grokking times of the constant-label logistic model.

Beck, Levi & Bar-Sinai (arXiv 2410.04489). Late in training the logistic loss is its exponential
tail L_e = (1/N) Σ e^{Sᵀx_i + b} (Eq. 6); with conformal time τ = ∫ e^{b} dt (Eq. 8) the S-flow is
the bias-free flow of Z(S) = (1/N) Σ e^{Sᵀx_i}, and d(e^{−b})/dt = η Z(S). Hence, in the
inseparable phase (λ < ½), S → S_∞ = argmin Z and

    e^{−b(t)} = η Z_∞ t + O(1),  so  b(t) = −log(η Z_∞ t) + o(1)            (Table 1, λ < ½),

and the generalisation accuracy Φ(−b/(σ‖S‖)) reaches a level A when
log(η Z_∞ t) = Φ⁻¹(A) σ‖S_∞‖. Its large-d value uses σ‖S_∞‖ → r(λ), Z_∞ → Z_∞(λ) of
:func:`~grok_theory.separability.margin.bias_free_limit`, which diverges like r ≈ C (½ − λ)^{−1/2}.

The two-point model (Eq. 11): x_1 = −σ, x_2 = σ(1 − 2λ), L = ½(e^{Sx_1+b} + e^{Sx_2+b}), with a
Gaussian population x ~ N(0, σ²) for the test loss e^{b + σ²S²/2} and accuracy Φ(−b/(σ|S|)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grok_theory import _validate as v
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx

__all__ = ["TwoPointModel", "two_point_accuracy_time", "gaussian_grokking_time", "gaussian_log_grokking_time", "critical_amplitude"]


def _lam_sigma(lam: Any, sigma: Any) -> tuple[float, float]:
    lam = v.positive("lam", lam)
    sigma = v.positive("sigma", sigma)
    if lam >= 1:
        raise ValueError(f"lam must be in (0, 1) for the two-point model (x_2 = σ(1 − 2λ) >= −σ), got {lam!r}")
    return lam, sigma


@dataclass(frozen=True)
class TwoPointModel:
    """The one-dimensional two-point model of Beck et al. Eq. 11 under exponential-loss gradient flow.

    Parameters
    ----------
    lam : float in (0, 1)
        Plays λ = d/N: x_2 = σ(1 − 2λ) is positive (inseparable, λ < ½) or negative (separable).
    sigma : float > 0
        Data scale σ.
    lr : float > 0
        η; the flow dw/dt = −η∇L is the small-step limit of GD, so t counts GD steps of size η.
    """

    lam: float
    sigma: float = 1.0
    lr: float = 1.0

    def __post_init__(self) -> None:
        _lam_sigma(self.lam, self.sigma)
        v.positive("lr", self.lr)

    @property
    def points(self) -> tuple[float, float]:
        return -self.sigma, self.sigma * (1 - 2 * self.lam)

    def s_inf(self, dps: int | None = None) -> Any:
        """S_∞ = log(1/(1 − 2λ)) / (2σ(1 − λ)) (λ < ½): the minimiser of ½(e^{−σS} + e^{σ(1−2λ)S}).

        Beck et al. §4 print S_∞ = log(1 − 2λ)/(2(λ − 1)) for σ = 1 (the same number).
        """
        if self.lam >= 0.5:
            raise ValueError(f"lam must be < 1/2 for a finite S_inf, got {self.lam!r}")
        if dps is None:
            return math.log(1 / (1 - 2 * self.lam)) / (2 * self.sigma * (1 - self.lam))
        ctx = context(prec_of(dps + 5))
        lam = to_ctx(exact_scalar("lam", self.lam, lower=None)[0], ctx)
        s = to_ctx(exact_scalar("sigma", self.sigma, lower=None)[0], ctx)
        return result(ctx.log(1 / (1 - 2 * lam)) / (2 * s * (1 - lam)), dps)

    def z_inf(self) -> float:
        """Z_∞ = min_S ½(e^{Sx_1} + e^{Sx_2}) (λ < ½)."""
        s = self.s_inf()
        x1, x2 = self.points
        return 0.5 * (math.exp(s * x1) + math.exp(s * x2))

    def margin(self) -> float:
        """Raw margin M = min(σ, σ(2λ − 1)) of the separable case (λ > ½); 0 for λ <= ½."""
        return 0.0 if self.lam <= 0.5 else min(self.sigma, self.sigma * (2 * self.lam - 1))

    def svm(self) -> tuple[float, float]:
        """Extended hard-margin SVM (S, b): (0, −1) for λ <= ½, (M, −1)/(1 + M²) for λ > ½ (Table 1 rates)."""
        m = self.margin()
        return m / (1 + m * m), -1 / (1 + m * m)

    def table1(self, t: Any) -> tuple[np.ndarray, np.ndarray]:
        """Beck et al. Table 1 as printed (σ = 1 there): late-time b(t) and S(t)."""
        t = v.real_array("t", t, lower=1.0)
        lam = self.lam
        if lam < 0.5:
            return -np.log(t), np.full_like(t, self.s_inf())
        if lam == 0.5:
            return -np.log(t), np.log(np.log(t))
        m = 2 * lam - 1
        return -np.log(t) / (1 + m * m), m / (1 + m * m) * np.log(t)

    def flow(self, t: Any, s0: float = 0.0, b0: float = 0.0, loss: str = "exponential", rtol: float = 1e-11) -> tuple[np.ndarray, np.ndarray]:
        """(S(t), b(t)) of the gradient flow dS/dt = −η ∂L/∂S, db/dt = −η ∂L/∂b (scipy LSODA in log time).

        ``loss``: ``"exponential"`` (Eq. 11) or ``"logistic"`` (½Σ log(1 + e^{Sx_i + b})).
        Integrated in s = log(1 + t) with the variable B = −b, stable to t ~ 1e30.
        """
        from scipy.integrate import solve_ivp
        from scipy.special import expit

        v.choice("loss", loss, ("exponential", "logistic"))
        t = np.atleast_1d(v.real_array("t", t, lower=0.0))
        x = np.array(self.points)
        eta = self.lr

        def rhs(s, y):
            S, b = y
            f = S * x + b
            g = 0.5 * (np.exp(f) if loss == "exponential" else expit(f))
            dt_ds = math.exp(s)
            return [-eta * dt_ds * float(g @ x), -eta * dt_ds * float(g.sum())]

        s_eval = np.log1p(t)
        order = np.argsort(s_eval)
        sol = solve_ivp(rhs, (0.0, float(s_eval.max())), [s0, b0], method="LSODA", t_eval=s_eval[order], rtol=rtol,
                        atol=1e-12)
        if not sol.success:
            raise ArithmeticError(f"two-point flow failed: {sol.message}")
        S, b = np.empty_like(t), np.empty_like(t)
        S[order], b[order] = sol.y
        return S, b

    def losses(self, S: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        """Exponential train loss ½Σe^{Sx_i+b} and Gaussian test loss E e^{σZS + b} = e^{b + σ²S²/2}."""
        S, b = np.asarray(S, float), np.asarray(b, float)
        x1, x2 = self.points
        return 0.5 * (np.exp(S * x1 + b) + np.exp(S * x2 + b)), np.exp(b + 0.5 * (self.sigma * S) ** 2)

    def log_ratio_limit(self) -> float:
        """lim_{ε→0} log(t*_gen/t*_tr) = σ²S_∞²/2 − log Z_∞ (loss threshold ε; λ < ½) [derived].

        Late in the inseparable phase L_tr = e^{b}Z_∞ and L_gen = e^{b + σ²S_∞²/2} with
        e^{−b} = ηZ_∞ t + O(1), so t*_tr ≈ 1/(ηε) and t*_gen ≈ e^{σ²S_∞²/2}/(ηZ_∞ε).
        """
        return 0.5 * (self.sigma * self.s_inf()) ** 2 - math.log(self.z_inf())

    def log_ratio_printed(self, eq: int = 41) -> float:
        """Beck et al.'s printed law for log(t*_gen/t*_tr) (σ = 1): Eq. 41 ½log²(1 − 2λ); Eq. 40 adds log 2."""
        base = 0.5 * math.log(1 - 2 * self.lam) ** 2
        return base if eq == 41 else base + math.log(2)

    def crossing_times(self, eps: float, t_max: float = 1e30, n: int = 4000) -> tuple[float, float]:
        """First flow times at which the train and the test (exponential) losses fall below ε."""
        eps = v.positive("eps", eps)
        t = np.concatenate([[0.0], np.geomspace(1e-3, t_max, n)])
        S, b = self.flow(t)
        out = []
        for curve in self.losses(S, b):
            logc = np.log(curve)
            below = np.nonzero(logc <= math.log(eps))[0]
            if below.size == 0 or below[0] == 0:
                out.append(math.nan if below.size == 0 else 0.0)
                continue
            i = below[0]
            lt = np.log(t[i - 1:i + 1] + 1e-300)
            frac = (logc[i - 1] - math.log(eps)) / (logc[i - 1] - logc[i])
            out.append(float(np.exp(lt[0] + frac * (lt[1] - lt[0]))))
        return out[0], out[1]


def _first_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """First t (log-linear interpolation) at which y rises to ``level``; inf if never."""
    above = np.nonzero(y >= level)[0]
    if above.size == 0:
        return math.inf
    i = above[0]
    if i == 0:
        return float(t[0])
    frac = (level - y[i - 1]) / (y[i] - y[i - 1])
    return float(np.exp(np.log(t[i - 1]) + frac * (np.log(t[i]) - np.log(t[i - 1]))))


def two_point_accuracy_time(model: TwoPointModel, level: float = 0.95, loss: str = "logistic", t_max: float = 1e30,
                            n: int = 3000) -> float:
    """First flow time at which the population accuracy Φ(−b/(σ|S|)) of the two-point model reaches ``level``.

    The grokking time of Beck et al. Fig. 3 (right), which uses this definition; inf if not reached by ``t_max``.
    """
    level = v.real_scalar("level", level)
    if not 0.5 < level < 1:
        raise ValueError(f"level must be in (1/2, 1), got {level!r}")
    from scipy.special import ndtr

    t = np.geomspace(1e-3, t_max, n)
    S, b = model.flow(t, loss=loss)
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = np.where(S != 0, ndtr(-b / (model.sigma * np.abs(S))), (b < 0).astype(float))
    return _first_crossing(t, acc, level)


def gaussian_log_grokking_time(norm: Any, z_min: Any, lr: float, level: float = 0.95) -> Any:
    """Late-time law log t_gen = Φ⁻¹(A)·σ‖S_∞‖ − log(η Z_∞) for the Gaussian model (λ < ½).

    ``norm`` = σ‖S_∞‖ (sampled, or r(λ) at large d), ``z_min`` = Z_∞. Valid when S has reached
    S_∞ before b does (large σ, Prop. 3.5): the σ → ∞ limit of the grokking time.
    """
    from scipy.special import ndtri

    v.positive("lr", lr)
    level = v.real_scalar("level", level)
    if not 0.5 < level < 1:
        raise ValueError(f"level must be in (1/2, 1), got {level!r}")
    return ndtri(level) * np.asarray(norm, float) - np.log(lr * np.asarray(z_min, float))


def gaussian_grokking_time(lam: float, lr: float, level: float = 0.95) -> float:
    """Large-d σ → ∞ grokking time t_gen(λ) = e^{Φ⁻¹(A) r(λ)}/(η Z_∞(λ)) (λ < ½), in GD steps."""
    from grok_theory.separability.margin import bias_free_limit

    lim = bias_free_limit(lam)
    return float(np.exp(gaussian_log_grokking_time(lim.norm, lim.z_min, lr, level)))


def critical_amplitude(lams: Any) -> tuple[float, float]:
    """Fit r(λ) = C (½ − λ)^{−p} to the exact large-d r at the given λ (least squares in logs): (C, p).

    A measurement of the divergence of σ‖S_∞‖ at λ → ½⁻ (not a derived constant).
    """
    from grok_theory.separability.margin import bias_free_limit

    lams = v.real_array("lams", lams)
    r = np.array([bias_free_limit(float(x)).norm for x in lams])
    slope, icpt = np.polyfit(np.log(0.5 - lams), np.log(r), 1)
    return float(np.exp(icpt)), float(-slope)
