"""Derivations: learning curves of the linear teacher–student model from its definition.

Run ``python derivations/teacher_student.py``; the tests import :func:`derivations`.

One eigenmode ν of Σ_tr (a row of D = S − T in the eigenbasis, per output) obeys, under
full-batch GD with c = 2η/d_out, g = γ/2 and label-noise projection E_ν (Levi Eq. 3 plus noise),

    D_{t+1} = (1 − c(ν+g)) D_t + c(E_ν − g T_ν),            (GD)
    dD/dt   = −c[(ν+g) D − E_ν + g T_ν].                     (flow)

Initial condition D_0 = α S_ν − τ T_ν. S_ν, T_ν, E_ν are independent, zero-mean, with
per-mode variances 1/(2 d_in) (per output entry: 1/(2 d_in d_out), summed over d_out outputs
and divided by d_out in the loss) and σ²ν/N_tr for the noise (E = XᵀΞ/N, ‖Xv‖² = N ν).
The loss is d_in/d_out times the MP average of the mode's mean square, and d_in/N_tr = λ.
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grok_theory.symbolic import Derivation, Step, is_zero  # noqa: E402

nu, g, c, t, lam, d = sp.symbols("nu g c t lambda d", positive=True)
alpha, tau, sigma, eta, gamma = sp.symbols("alpha tau sigma eta gamma", positive=True)
S, T, E, D0 = sp.symbols("S T E D_0")
n = sp.Symbol("n", integer=True, nonnegative=True)
h = sp.Symbol("h")  # the mode factor ρ^t or e^{−c(ν+g)t}
Dfun = sp.Function("D")


def _mean_square(expr: sp.Expr, variances: dict) -> sp.Expr:
    """E[expr²] for expr linear in independent zero-mean variables with the given variances."""
    expr = sp.expand(expr)
    return sp.expand(sum(sp.diff(expr, v) ** 2 * var for v, var in variances.items()))


def mode_solutions() -> list[Derivation]:
    fixed = (E - g * T) / (nu + g)
    rho = 1 - c * (nu + g)
    sol_gd = sp.rsolve(Dfun(n + 1) - rho * Dfun(n) - c * (E - g * T), Dfun(n), {Dfun(0): D0})
    claimed_gd = fixed + (D0 - fixed) * rho**n
    ode = sp.Eq(sp.Derivative(Dfun(t), t), -c * ((nu + g) * Dfun(t) - E + g * T))
    sol_flow = sp.dsolve(ode, Dfun(t), ics={Dfun(0): D0}).rhs
    claimed_flow = fixed + (D0 - fixed) * sp.exp(-c * (nu + g) * t)
    gd = Derivation(
        "levi2024.mode_solution_gd", "exact discrete-GD solution of one eigenmode",
        ["γ ≥ 0", "label noise projection E_ν"], [
            Step("SymPy's rsolve of the affine recursion", sp.Eq(Dfun(n), sol_gd), "linear recurrence with constant coefficients",
                 lambda: is_zero(sp.simplify(sol_gd - claimed_gd)), "sympy: rsolve, difference simplifies to 0"),
        ], sp.Eq(Dfun(n), claimed_gd), "Levi et al. 2024, Eq. 3 (noise added)", "grok_theory.model.TeacherStudent")
    flow = Derivation(
        "levi2024.mode_solution_flow", "gradient-flow solution of one eigenmode (fixed point D* = (E − gT)/(ν+g))",
        ["γ ≥ 0", "η → 0 at fixed ηt"], [
            Step("SymPy's dsolve of the linear ODE", sp.Eq(Dfun(t), sol_flow), "integrating factor e^{c(ν+g)t}",
                 lambda: is_zero(sp.simplify(sol_flow - claimed_flow)), "sympy: dsolve, difference simplifies to 0"),
            Step("the fixed point is Levi's D_∞ = −(γ/2)(Σ+γ/2)^{-1} T without noise", sp.Eq(sp.Symbol("D_∞"), fixed.subs(E, 0)),
                 "t → ∞", lambda: is_zero(fixed.subs(E, 0) + g * T / (nu + g)), "sympy: simplifies to 0"),
        ], sp.Eq(Dfun(t), claimed_flow), "Levi et al. 2024, Eqs. 4, 31", "grok_theory.model.TeacherStudent")
    return [gd, flow]


def _integrands() -> dict[str, sp.Expr]:
    """Per-mode contributions to L_gen, L_tr and ‖S‖² (before the MP average), from the solution."""
    fixed = (E - g * tau * T) / (nu + g)  # the teacher is τT
    D_t = fixed + (alpha * S - tau * T - fixed) * h
    var_in = sp.Rational(1, 2)  # d_in · 1/(2 d_in): the mode variance times the number of modes
    var = {S: var_in, T: var_in, E: lam * sigma**2 * nu * d}  # d_in · d σ²ν/N = d λ σ² ν (summed over outputs)
    gen = _mean_square(D_t, var) / d
    # train: (1/d)[ν D² − 2 D E] + σ²; E[D E] = coefficient of E in D times Var(E)
    cross = sp.expand(sp.diff(sp.expand(D_t), E) * var[E])
    train = sp.expand(nu * gen - 2 * cross / d + sigma**2)
    norm = _mean_square(D_t + tau * T, var)
    return {"gen": gen, "train": train, "norm": norm}


def loss_curves() -> list[Derivation]:
    ints = _integrands()
    r = g / (nu + g)
    implemented_gen = (tau**2 / (2 * d) * (r + (1 - r) * h) ** 2 + alpha**2 / (2 * d) * h**2
                       + lam * sigma**2 * nu * (1 - h) ** 2 / (nu + g) ** 2)
    implemented_train = (nu * (tau**2 / (2 * d) * (r + (1 - r) * h) ** 2 + alpha**2 / (2 * d) * h**2)
                         + lam * sigma**2 * (nu**2 * (1 - h) ** 2 / (nu + g) ** 2 - 2 * nu * (1 - h) / (nu + g)) + sigma**2)
    implemented_norm = (tau**2 / 2 * (nu / (nu + g)) ** 2 * (1 - h) ** 2 + alpha**2 / 2 * h**2
                        + d * lam * sigma**2 * nu * (1 - h) ** 2 / (nu + g) ** 2)
    # Levi Eq. 15 (σ = 0, α = τ = 1, d = 1, flow h = e^{−2η(ν+γ/2)t}, c = 2η, g = γ/2)
    hf = sp.exp(-2 * eta * (nu + gamma / 2) * t)
    eq15 = sp.Rational(1, 2) * (sp.exp(-4 * eta * (nu + gamma / 2) * t) + ((hf * nu + gamma / 2) / (nu + gamma / 2)) ** 2)
    ours15 = ints["gen"].subs({sigma: 0, alpha: 1, tau: 1, d: 1}).subs({h: hf, g: gamma / 2})
    # Eq. 21: dL_gen/dt = −4η L_tr (γ = σ = 0, α = τ = 1, d = 1, flow)
    h0 = sp.exp(-2 * eta * nu * t)
    gen0 = ints["gen"].subs({sigma: 0, alpha: 1, tau: 1, d: 1, g: 0}).subs(h, h0)
    train0 = ints["train"].subs({sigma: 0, alpha: 1, tau: 1, d: 1, g: 0}).subs(h, h0)
    # init scale: with g = σ = 0 the curves scale by (1 + α²)/2 relative to α = 1
    scale = sp.simplify(ints["gen"].subs({sigma: 0, g: 0, tau: 1}) / ints["gen"].subs({sigma: 0, g: 0, tau: 1, alpha: 1}))
    # label noise: the noise part grows from 0 (t = 0, h = 1) to λσ²ν/(ν+g)² (t → ∞, h = 0)
    noise_part = ints["gen"] - ints["gen"].subs(sigma, 0)
    steps = [
        Step("L_gen integrand from the mode solution", sp.Eq(sp.Symbol("ℓ_gen(ν)"), implemented_gen),
             "mean square over independent S, T, E; modes × variance = ½ (and dλσ²ν for noise)",
             lambda: is_zero(ints["gen"] - sp.expand(implemented_gen)), "sympy: simplifies to 0"),
        Step("L_tr integrand (ν D² − 2 D·E)/d + σ²", sp.Eq(sp.Symbol("ℓ_tr(ν)"), implemented_train),
             "(1/N)‖XD − Ξ‖² in the eigenbasis; E[D·E] from the coefficient of E in D",
             lambda: is_zero(ints["train"] - sp.expand(implemented_train)), "sympy: simplifies to 0"),
        Step("‖S‖² integrand", sp.Eq(sp.Symbol("ℓ_S(ν)"), implemented_norm), "S = D + τT",
             lambda: is_zero(ints["norm"] - sp.expand(implemented_norm)), "sympy: simplifies to 0"),
        Step("reduces to Levi Eq. 15 (σ = 0, α = τ = d = 1, flow)", sp.Eq(sp.Symbol("ℓ_gen"), eq15),
             "h = e^{−2η(ν+γ/2)t}", lambda: is_zero(sp.simplify(ours15 - eq15)), "sympy: simplifies to 0"),
        Step("Levi Eq. 21: dL_gen/dt = −4η L_tr per mode (γ = σ = 0)", sp.Eq(sp.Derivative(sp.Symbol("ℓ_gen"), t), -4 * eta * sp.Symbol("ℓ_tr")),
             "h = e^{−2ηνt}", lambda: is_zero(sp.simplify(sp.diff(gen0, t) + 4 * eta * train0)), "sympy: simplifies to 0"),
        Step("initial scale α multiplies the γ = σ = 0 curves by (1 + α²)/2 (Levi §3.1.3)", sp.Eq(sp.Symbol("L(α)/L(1)"), scale),
             "D_0 = αS − T", lambda: is_zero(scale - (1 + alpha**2) / 2), "sympy: simplifies to 0"),
        Step("label noise: the noise part of ℓ_gen is 0 at t = 0 and λσ²ν/(ν+g)² at t → ∞", sp.Eq(sp.Symbol("ℓ_noise"), noise_part),
             "the noise enters the dynamics through E = XᵀΞ/N (contrary to Levi §3.1.3)",
             lambda: is_zero(noise_part.subs(h, 1)) and is_zero(noise_part.subs(h, 0) - lam * sigma**2 * nu / (nu + g) ** 2),
             "sympy: substitution"),
    ]
    return [Derivation("levi2024.eq15", "train/generalisation loss and weight-norm integrands, all parameters",
                       ["self-averaging (Levi Eq. 34): cross terms between independent vectors vanish",
                        "L = E_MP[ℓ(ν)], ν ~ Marchenko–Pastur(λ)"], steps,
                       sp.Eq(sp.Symbol("L_gen"), sp.Symbol("E_MP")*implemented_gen), "Levi et al. 2024, Eqs. 7–8, 15, 21",
                       "grok_theory.model.TeacherStudent.gen_loss")]


def derivations() -> list[Derivation]:
    return mode_solutions() + loss_curves()


def main() -> int:
    for dv in derivations():
        print(dv.pretty())
        print(f"  verified: {len(dv.verify())} steps\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
