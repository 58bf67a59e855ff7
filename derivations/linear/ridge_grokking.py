"""Derivations: Xu, Vardi & Safran's ridge-regression grokking (arXiv 2601.19791) as Levi's model.

Run ``python derivations/linear/ridge_grokking.py``; the tests import :func:`derivations`.

Per eigenmode κ of (1/n)ΦᵀΦ (their GD, Eq. 2): θ' = θ − ηκ(θ − θ*) − ηλ_r θ. With x = √m φ the
training covariance is Σ_tr = m ΦᵀΦ/n, so Levi's mode is ν = mκ, and S = θ/√m, T = θ*/√m.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grok_theory.symbolic import Derivation, Step, is_zero, numeric_check, run_standalone, simulation_check  # noqa: E402

eta, lr_r, kappa, m, n = sp.symbols("eta lambda_r kappa m n", positive=True)
theta, theta_s = sp.symbols("theta theta^*", real=True)
nu2, c = sp.symbols("nu^2 c", positive=True)


def mapping() -> Derivation:
    S, T = theta / sp.sqrt(m), theta_s / sp.sqrt(m)
    xu_next = theta - eta * kappa * (theta - theta_s) - eta * lr_r * theta
    lr, gam, nu = eta / (2 * m), 2 * m * lr_r, m * kappa
    levi_next = S - lr * (2 * nu * (S - T) + gam * S)
    ln_xu = sp.Rational(1, 2) * kappa * (theta - theta_s) ** 2  # (1/2n)‖Φ(θ−θ*)‖² per mode
    ltr_levi = nu * (S - T) ** 2  # Dᵀ Σ_tr D per mode
    steps = [
        Step("one GD step per mode coincides with Levi Eq. 3 at lr = η/(2m), γ = 2mλ_r, ν = mκ, S = θ/√m",
             sp.Eq(sp.Symbol("S'"), levi_next), "Levi: S' = S − lr[2ν(S − T) + γS] (d_out = 1)",
             lambda: is_zero(sp.simplify(levi_next - xu_next / sp.sqrt(m))), "sympy: simplifies to 0"),
        Step("their training loss L_n is half of Levi's L_tr", sp.Eq(sp.Symbol("L_n"), ltr_levi / 2),
             "(1/2n)‖Φ(θ−θ*)‖² = ½ (θ−θ*)ᵀ(ΦᵀΦ/n)(θ−θ*)", lambda: is_zero(sp.simplify(ln_xu - ltr_levi / 2)),
             "sympy: simplifies to 0"),
        Step("their population loss E⟨θ−θ*, φ⟩² = ‖θ−θ*‖²/m is Levi's L_gen = ‖S − T‖²",
             sp.Eq(sp.Symbol("L"), (S - T) ** 2), "E φφᵀ = I/m", lambda: is_zero(sp.simplify((theta - theta_s) ** 2 / m - (S - T) ** 2)),
             "sympy: simplifies to 0"),
        Step("θ⁽⁰⁾ ~ N(0, ν²I) is S₀ with init_scale α = √(2ν²) (Levi entries N(0, α²/(2m)))",
             sp.Eq(sp.Symbol("alpha"), sp.sqrt(2 * nu2)), "variance of S = θ/√m is ν²/m = α²/(2m)",
             lambda: _solve_init_scale() == [sp.sqrt(2 * nu2)], "sympy: solve α²/(2m) = ν²/m for α > 0"),
    ]
    return Derivation("xu2026.mapping", "Xu–Vardi–Safran ridge regression with Gaussian features is Levi's model with "
                      "λ = m/n, lr = η/(2m), γ = 2mλ_r, α = √(2ν²), τ = √(2/m)‖θ*‖", ["φ ~ N(0, I/m)", "d_out = 1"], steps,
                      sp.Eq(sp.Tuple(sp.Symbol("lr"), sp.Symbol("gamma")), sp.Tuple(eta / (2 * m), 2 * m * lr_r)),
                      "Xu, Vardi & Safran 2026, Eqs. 1–2, §5.1", "grok_theory.linear.ridge_grokking.XuSetup.model")


def _solve_init_scale() -> list:
    """The init scales α > 0 whose Levi variance α²/(2m) equals the variance ν²/m of S = θ/√m."""
    al = sp.Symbol("alpha", positive=True)
    return sp.solve(sp.Eq(al**2 / (2 * m), nu2 / m), al)


def t2_law() -> Derivation:
    a = 1 - n / m
    floor = a * sp.Symbol("‖θ*‖²") / m
    law = sp.log(a * nu2 / (c - floor)) / (-2 * sp.log(1 - eta * lr_r))
    steps = [
        Step("late times: L(θ⁽ᵗ⁾) ≈ floor + (1 − n/m)ν²(1 − ηλ_r)^{2t} (null modes; omnigrok.null_decay with "
             "α²/2 = ν², γη/d_out = ηλ_r), floor = (1 − n/m)‖θ*‖²/m + O(λ_r)", sp.Eq(sp.Symbol("t_2"), law),
             "solve floor + aν²ρ^{2t} = c", lambda: is_zero(sp.simplify(sp.expand_log(
                 sp.log(a * nu2) + 2 * law * sp.log(1 - eta * lr_r) - sp.log(c - floor), force=True))),
             "sympy: log of the crossing condition simplifies to 0"),
    ]
    checks = (
        numeric_check("null law vs exact MP crossing of L = c at the §5.1 defaults (n=100, m=1000, ν²=1, λ=1e-4, η=1)",
                      lambda dps: _t2_law_value(), lambda dps: _t2_exact_value(), digits=8),
        simulation_check("t₁ and t₂ from real GD at the §5.1 defaults (m=1000, n=100, 8 seeds) vs the exact MP times; "
                         "finite-d: crossings of MP + c₁/d_in (single-run curvature term not included)",
                         _sim_times, max_z=None, seeds=8, quick=False),
    )
    return Derivation("xu2026.t2", "exact t₂ of Xu et al. from the null-space decay, beside their lower bounds",
                      ["λ_r ≪ λ⁺_min: the range modes have converged", "c above the floor"], steps, sp.Eq(sp.Symbol("t_2"), law),
                      "Xu, Vardi & Safran 2026, Eqs. 7–8, Thm 4.5", "grok_theory.linear.ridge_grokking.XuSetup.t2", checks=checks)


def _t2_law_value():
    from grok_theory.linear.ridge_grokking import XuSetup

    s = XuSetup()
    floor = s.model().gen_loss_limit()
    return math.log((1 - s.n / s.m) * s.nu2 / (s.c - floor)) / (-2 * math.log1p(-s.eta * s.ridge))


def _t2_exact_value():
    from grok_theory.linear.ridge_grokking import XuSetup

    return XuSetup().t2()


def _sim_times():
    import numpy as np

    from grok_theory.linear.ridge_grokking import XuSetup

    from grok_theory.linear.finite_bias import finite_crossing_time

    s = XuSetup()
    t1, t2 = s.simulate_times(seeds=range(8))
    m = s.model()  # λ = m/n is realised exactly
    finite = [finite_crossing_time(m, "train", 2 * s.eps, s.m, t_guess=s.t1()),
              finite_crossing_time(m, "gen", s.c, s.m, t_guess=s.t2())]
    return (np.array([s.t1(), s.t2()]), np.array([t1.mean(), t2.mean()]),
            np.array([t1.std(ddof=1), t2.std(ddof=1)]) / np.sqrt(t1.shape[0]), np.array(finite))


def derivations() -> list[Derivation]:
    return [mapping(), t2_law()]



if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
