"""Xu, Vardi & Safran (arXiv 2601.19791): provable grokking in ridge regression, made exact.

Their setting (§2, §5.1): features φ(x) ~ N(0, I_m/m), n samples, realizable teacher θ*, student
θ ∈ R^m from θ⁽⁰⁾ ~ N(0, ν² I_m), GD with step η on (1/2n)‖Φ(θ − θ*)‖² + (λ_r/2)‖θ‖² (their Eq. 2;
λ_r is their weight decay "λ"). Writing S = θ/√m and x = √m φ ~ N(0, I_m) maps it *exactly* onto
Levi's model (THEORY.md §1) with d_out = 1 and

    lam = m/n,   lr = η/(2m),   weight_decay = 2 m λ_r,   init_scale = √2 ν,   teacher_scale = √(2/m)‖θ*‖,

(the GD steps coincide: lr·2Σ_tr = (η/n)ΦᵀΦ and lr·weight_decay = ηλ_r), their population loss
L(θ) = E(⟨θ − θ*, φ⟩)² is Levi's L_gen, and their training loss L_n(θ) = ½ Levi's L_tr.
Their times (Thm 4.2)

    t₁(ε) = max{t : L_n(θ⁽ᵗ⁾) ≥ ε},     t₂(c) = min{t : L(θ⁽ᵗ⁾) ≤ c}

are therefore crossing times of the exact MP curves (``xu2026.mapping``), which we put beside
their bounds: Eq. 6/7 (Thm 4.2) and the Gaussian-feature Eq. 8 (Remark A.14).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grok_theory import _validate
from grok_theory.linear.grokking import crossing_time
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import first_crossing, simulate_linear
from grok_theory.simulation import log_steps

__all__ = ["XuSetup", "XuTimes"]


@dataclass(frozen=True)
class XuTimes:
    """Exact (MP) t₁, t₂ (real-valued crossings and Xu's integer definitions) and the printed bounds."""

    t1: float
    t2: float
    t1_step: int
    t2_step: int
    t1_bound_eq8: float
    t2_bound_eq8: float
    t1_bound_eq6: float
    t2_bound_eq7: float
    t2_bound_thm45: float


@dataclass(frozen=True)
class XuSetup:
    """One parameter point of Xu, Vardi & Safran's ridge-regression experiment (defaults: §5.1).

    Parameters
    ----------
    n, m : int
        Samples and feature dimension (m > n).
    nu2 : float
        Initialisation variance ν².
    ridge : float
        Their weight decay λ (called ``ridge`` here: ``lam`` is d_in/N_tr throughout grok-theory).
    eta : float
        Their step size η.
    teacher_norm : float
        ‖θ*‖ (0 for their zero teacher, Thm 4.1).
    eps, c : float
        Train threshold ε and test threshold c (both 0.01 in all their experiments).
    """

    n: int = 100
    m: int = 1000
    nu2: float = 1.0
    ridge: float = 1e-4
    eta: float = 1.0
    teacher_norm: float = 1.0
    eps: float = 0.01
    c: float = 0.01

    def __post_init__(self) -> None:
        _validate.positive_int("n", self.n)
        _validate.positive_int("m", self.m)
        if self.m <= self.n:
            raise ValueError(f"m must exceed n (over-parameterised), got m={self.m}, n={self.n}")
        for name in ("nu2", "ridge", "eta", "eps", "c"):
            _validate.positive(name, getattr(self, name))
            _validate.at_most(_validate.MAGNITUDE_MAX, (name, getattr(self, name)))
        _validate.nonnegative("teacher_norm", self.teacher_norm)

    # -- the exact map onto Levi's model ------------------------------------------------------
    def model(self) -> TeacherStudent:
        """Levi's TeacherStudent (discrete GD) with exactly Xu et al.'s dynamics."""
        return TeacherStudent(self.m / self.n, d_out=1, lr=self.eta / (2 * self.m), weight_decay=2 * self.m * self.ridge,
                              init_scale=math.sqrt(2 * self.nu2), teacher_scale=math.sqrt(2 / self.m) * self.teacher_norm,
                              dynamics="gd")

    def simulation_kwargs(self) -> dict:
        """Arguments for :func:`grok_theory.linear.simulate.simulate_linear` reproducing their §5.1 runs."""
        mdl = self.model()
        return dict(d_in=self.m, n_train=self.n, lr=mdl.lr, weight_decay=mdl.weight_decay, init_scale=mdl.init_scale,
                    teacher_scale=mdl.teacher_scale)

    @property
    def lambda_min_plus(self) -> float:
        """MP limit of λ⁺_min(ΦᵀΦ) = (1 − √(n/m))² (their Remark 4.3)."""
        return (1 - math.sqrt(self.n / self.m)) ** 2

    # -- exact times and bounds ---------------------------------------------------------------
    def t1(self) -> float:
        """Exact (MP) time after which L_n < ε: L_tr (= 2 L_n) crosses 2ε."""
        return float(crossing_time(self.model(), "train", 4 * (2 * self.eps)))

    def t2(self) -> float:
        """Exact (MP) time at which L = L_gen first reaches c."""
        return float(crossing_time(self.model(), "gen", 4 * self.c))

    def bounds(self, lambda_min_plus: float | None = None) -> dict[str, float]:
        """Their printed bounds at this point (λ⁺_min defaults to the MP edge).

        * Eq. 8 (Gaussian features, ηλ ≤ 0.01): t₂ ≥ ln((m−n)ν²/(8mε))/(2.02ηλ),
          t₁ ≤ n ln(14mν²/ε)/(2ηλ⁺_min);
        * Eq. 6: t₁ ≤ n ln(6b²‖θ⁽⁰⁾‖²/ε)/(2ηλ⁺_min) with b² = 3/2, ‖θ⁽⁰⁾‖² = mν² (its mean);
        * Eq. 7: t₂ ≥ ln(((m−n)ν²/2)(√(c/λ_min(Σ)) + ‖θ*‖)⁻²)/(4ηλ), λ_min(Σ) = 1/m;
        * Thm 4.5: the same argument with log base 1 − ηλ, i.e. /(−2 ln(1−ηλ)) in place of /(4ηλ).
        """
        lmp = self.lambda_min_plus if lambda_min_plus is None else _validate.positive("lambda_min_plus", lambda_min_plus)
        n, m, nu2, er, eta = self.n, self.m, self.nu2, self.ridge, self.eta
        arg7 = (m - n) * nu2 / 2 / (math.sqrt(self.c * m) + self.teacher_norm) ** 2
        return {
            "t1_eq8": n * math.log(14 * m * nu2 / self.eps) / (2 * eta * lmp),
            "t2_eq8": math.log((m - n) * nu2 / (8 * m * self.eps)) / (2.02 * eta * er),
            "t1_eq6": n * math.log(6 * 1.5 * m * nu2 / self.eps) / (2 * eta * lmp),
            "t2_eq7": math.log(arg7) / (4 * eta * er),
            "t2_thm45": math.log(arg7) / (-2 * math.log1p(-eta * er)),
        }

    def times(self) -> XuTimes:
        t1, t2 = self.t1(), self.t2()
        b = self.bounds()
        return XuTimes(t1, t2, int(math.floor(t1)), int(math.ceil(t2)), b["t1_eq8"], b["t2_eq8"], b["t1_eq6"],
                       b["t2_eq7"], b["t2_thm45"])

    def simulate_times(self, seeds=(0, 1, 2, 3), t_max: float | None = None, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
        """t₁, t₂ per seed from real GD (:func:`simulate_linear`, exact discrete steps), Xu's integer definitions
        evaluated on a dense record grid (log-interpolated between records)."""
        t_hi = t_max if t_max is not None else 3 * self.t2()
        grid = log_steps(t_hi, points)
        grid = np.concatenate([[0], grid])
        r = simulate_linear(t=grid, seeds=seeds, progress=False, n_test=10, **self.simulation_kwargs())
        t1 = first_crossing(grid, r.train_loss / 2, self.eps, rising=False)
        t2 = first_crossing(grid, r.gen_loss, self.c, rising=False)
        return t1, t2
