"""Derivations: Tan & Huang's robustness view (arXiv 2311.06597) in the linear teacher–student model.

Run ``python derivations/robustness.py``; the tests import :func:`derivations`.

Training inputs are perturbed afresh every step, x → x + Δ with Δ ~ N(0, σ² I) and clean labels
y = Tᵀx. The loss normalisation is Levi's (Eq. 1): L = (1/(N d_out)) Σ_i ‖Sᵀx_i − y_i‖², and the
weight-decay convention is Levi Eq. 3 (decay term (ηγ/d_out) S per step).
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grok_theory.symbolic import Derivation, Step, is_zero, printed_check, simulation_check  # noqa: E402

sigma, eta, d = sp.symbols("sigma eta d_out", positive=True)
gamma = sp.Symbol("gamma", positive=True)
K = 3  # explicit input dimension for the symbolic expectation (the identity holds for any)
xs = sp.symbols(f"x1:{K + 1}", real=True)
ss = sp.symbols(f"s1:{K + 1}", real=True)
ts = sp.symbols(f"t1:{K + 1}", real=True)
ds = sp.symbols(f"delta1:{K + 1}", real=True)


def _gaussian_expectation(expr: sp.Expr) -> sp.Expr:
    """E over independent Δ_i ~ N(0, σ²) of a polynomial of degree ≤ 2 in the Δ_i."""
    poly = sp.Poly(sp.expand(expr), *ds)
    out = sp.Integer(0)
    for monom, coeff in poly.terms():
        if sum(monom) == 0:
            out += coeff
        elif sum(monom) == 2 and max(monom) == 2:
            out += coeff * sigma**2
        elif sum(monom) > 2:
            raise ValueError("degree > 2 not needed here")
    return sp.expand(out)


def input_noise() -> Derivation:
    pred_noisy = sum(s * (x + dd) for s, x, dd in zip(ss, xs, ds))
    label = sum(t * x for t, x in zip(ts, xs))
    mean_loss = _gaussian_expectation((pred_noisy - label) ** 2)
    clean = sp.expand(sum((s - t) * x for s, t, x in zip(ss, ts, xs)) ** 2)
    norm2 = sum(s**2 for s in ss)
    S = sp.Symbol("S")
    penalty_grad = sp.diff(sigma**2 / d * S**2, S)  # (σ²/d_out)‖S‖² per entry
    gamma_eff = sp.solve(sp.Eq(gamma / d * S, penalty_grad), gamma)[0]
    steps = [
        Step("E_Δ of one sample's squared error = clean squared error + σ²‖S‖² (per output)",
             sp.Eq(sp.Symbol("E_Δ(Sᵀ(x+Δ) − Tᵀx)²"), sp.Symbol("((S−T)ᵀx)²") + sigma**2 * sp.Symbol("‖S‖²")),
             "E[Δ] = 0, E[ΔΔᵀ] = σ²I; cross term linear in Δ", lambda: is_zero(mean_loss - clean - sigma**2 * norm2),
             f"sympy: explicit expectation in d_in = {K}"),
        Step("averaged over samples and outputs: E_Δ L^noisy = L_tr + (σ²/d_out)‖S‖²_F",
             sp.Eq(sp.Symbol("E L^noisy"), sp.Symbol("L_tr") + sigma**2 / d * sp.Symbol("‖S‖²_F")),
             "Levi Eq. 1 normalisation 1/(N d_out)", lambda: True, "follows from step 1"),
        Step("its gradient adds (2σ²/d_out)S; Levi Eq. 3's decay term is (γ/d_out)S, so γ_eff = 2σ² (any d_out)",
             sp.Eq(sp.Symbol("gamma_eff"), gamma_eff), "match the two terms",
             lambda: is_zero(gamma_eff - 2 * sigma**2), "sympy: solve"),
        Step("PyTorch's weight_decay adds wd·S to the gradient of the same mean loss: wd_eff = 2σ²/d_out = γ_eff/d_out",
             sp.Eq(sp.Symbol("wd_eff"), 2 * sigma**2 / d), "torch.optim.SGD(weight_decay=wd); Levi's γ = d_out·wd",
             lambda: is_zero(gamma_eff / d - 2 * sigma**2 / d), "sympy: simplifies to 0"),
    ]
    checks = (
        printed_check("THEORY.md §4 / notes: γ_eff = 2σ² (Levi convention), at σ = 0.3", lambda: 2 * 0.3**2,
                      lambda: float(gamma_eff.subs(sigma, 0.3))),
        simulation_check("input noise σ = 0.2 (fresh per step) vs weight decay 2σ² = 0.08 plus the derived accumulated noise variance: "
                         "‖P_null S_t‖² at t = 250, 500, 1000, 1500 (d_in=100, λ=2, α=10, η=0.05, 8 seeds)",
                         _sim_noise_vs_decay, quick=False),
    )
    return Derivation("tanhuang.input_noise", "Gaussian input noise with clean labels is weight decay with γ_eff = 2σ² "
                      "(Levi convention; 2σ²/d_out in PyTorch's)", ["fresh noise every step, Δ ~ N(0, σ²I)", "clean labels"],
                      steps, sp.Eq(sp.Symbol("gamma_eff"), 2 * sigma**2), "Tan & Huang 2023, §3.2 (perturbation speeds up generalisation)",
                      "grok_theory.robustness.effective_weight_decay", checks=checks)


def _sim_noise_vs_decay():
    import numpy as np

    from grok_theory import large_init as li
    from grok_theory import robustness as rb
    from grok_theory.model import TeacherStudent

    t = [250, 500, 1000, 1500]
    r = rb.simulate_input_noise(100, 2.0, 0.2, t, lr=0.05, init_scale=10, seeds=range(8))
    m = rb.with_input_noise(TeacherStudent(2.0, lr=0.05, init_scale=10, dynamics="gd"), 0.2)
    tt = np.array(t, float)
    theory = li.null_norm2(m, tt) + rb.null_noise_variance(TeacherStudent(2.0, lr=0.05, init_scale=10), 0.2, t)
    return theory, r.mean("null_norm2"), r.sem("null_norm2")


def sensitivity() -> Derivation:
    pert = _gaussian_expectation((sum(s * (x + dd) for s, x, dd in zip(ss, xs, ds)) - sum(s * x for s, x in zip(ss, xs))) ** 2)
    steps = [
        Step("E_Δ|f(x+Δ) − f(x)|² = σ²‖S‖² for f(x) = Sᵀx: robustness is the weight norm", sp.Eq(sp.Symbol("E|Δf|²"), pert),
             "linearity", lambda: is_zero(pert - sigma**2 * sum(s**2 for s in ss)), f"sympy: explicit expectation in d_in = {K}"),
        Step("the MSE Hessian 2Σ_tr/d_out does not depend on S: no sharpness dynamics in the linear model",
             sp.Eq(sp.Symbol("∇²L_tr"), 2 * sp.Symbol("Σ_tr") / d), "L_tr is quadratic in S", lambda: True, "definition"),
    ]
    return Derivation("tanhuang.sensitivity", "input sensitivity of the linear student equals σ²‖S‖²_F/d_out",
                      ["Δ ~ N(0, σ²I)"], steps, sp.Eq(sp.Symbol("E|Δf|²/d_out"), sigma**2 * sp.Symbol("‖S‖²_F") / d),
                      "Tan & Huang 2023, Lemma 3.1 (Ma & Ying robustness bound)", "grok_theory.robustness.input_sensitivity")


def derivations() -> list[Derivation]:
    return [input_noise(), sensitivity()]


def main() -> int:
    from grok_theory.derivations._main import run

    return run(derivations())


if __name__ == "__main__":
    sys.exit(main())
