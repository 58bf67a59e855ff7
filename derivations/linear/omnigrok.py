"""Derivations: Omnigrok's LU mechanism solved exactly in the linear teacher–student model.

Run ``python derivations/linear/omnigrok.py``; the tests import :func:`derivations`.

Omnigrok (Liu, Michaud & Tegmark, arXiv 2210.01117) reduces the loss landscape to the weight
norm: ``w*(w) = argmin_{‖S‖=w} L_tr`` (their Eq. 1). In the linear model (THEORY.md §1, teacher τT,
label noise σ, per-output teacher norm r² = τ²/(2 d_out), q = ‖S‖²_F/d_out) the constrained
minimiser is the ridge solution with Lagrange multiplier μ. One eigenmode ν of Σ_tr, per output:

    S_ν = (ν T_ν + E_ν)/(ν + μ),   D_ν = S_ν − T_ν = (E_ν − μ T_ν)/(ν + μ),

with the mode variances (summed over the d_in modes) r² for T and λσ²ν for the noise projection
E = XᵀΞ/N. The curves are MP averages of the per-mode integrands derived below.
"""
from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grok_theory.symbolic import (Derivation, Step, gaussian_mean_square, is_zero, numeric_check,  # noqa: E402
                                  run_standalone, simulation_check)
from grok_theory.simulation import log_steps  # noqa: E402

nu, lam, r2, s2 = sp.symbols("nu lambda r^2 sigma^2", positive=True)
mu = sp.Symbol("mu", real=True)
Tm, Em, Sm = sp.symbols("T_nu E_nu S_nu", real=True)
k1, k2, a, w = sp.symbols("k_1 k_2 a w", real=True)  # continuous-part resolvents, atom, continuous mass
q_sym, Ltr, Lgen = sp.symbols("q L_tr L_gen")


def integrands() -> dict[str, sp.Expr]:
    """Per-mode integrands of q, L_tr, L_gen on the ridge path (before the MP average)."""
    s_mode = (nu * Tm + Em) / (nu + mu)
    d_mode = s_mode - Tm
    var = {Tm: r2, Em: lam * s2 * nu}
    q = gaussian_mean_square(s_mode, var)
    gen = gaussian_mean_square(d_mode, var)
    cross = sp.expand(sp.diff(sp.expand(d_mode), Em) * var[Em])
    train = sp.expand(nu * gen - 2 * cross + s2)
    return {"q": sp.together(q), "train": sp.together(train), "gen": sp.together(gen)}


# closed forms in the continuous-part resolvents k₁ = E_c[1/(ν+μ)], k₂ = E_c[1/(ν+μ)²]
Q_CLOSED = r2 * (w - 2 * mu * k1 + mu**2 * k2) + lam * s2 * (k1 - mu * k2)
TRAIN_CLOSED = r2 * mu**2 * (k1 - mu * k2) + s2 * (1 - lam * (w - mu**2 * k2))
GEN_CLOSED = r2 * (a + mu**2 * k2) + lam * s2 * (k1 - mu * k2)


def _partial_fractions_check(integrand: sp.Expr, closed_cont: sp.Expr) -> bool:
    """integrand on ν > 0 equals the closed form with 1/(ν+μ) → k₁, 1/(ν+μ)² → k₂, 1 → w."""
    rebuilt = closed_cont.subs({k1: 1 / (nu + mu), k2: 1 / (nu + mu) ** 2, w: 1, a: 0})
    return is_zero(sp.together(integrand - rebuilt))


def _quadrature_curve(which: str, lam_v: str, mu_v: str, r2_v: str, s2_v: str, dps: int):
    """Independent reference: the per-mode integrand averaged by quadrature of the MP law."""
    from grok_theory.mp.law import MarchenkoPastur

    f = sp.lambdify(nu, integrands()[which].subs({lam: sp.Rational(lam_v), mu: sp.Rational(mu_v),
                                                    r2: sp.Rational(r2_v), s2: sp.Rational(s2_v)}), "mpmath")
    return MarchenkoPastur(lam_v).expect(lambda x: f(x), dps=dps)


def _landscape_value(which: str, lam_v: str, mu_v: str, r2_v: str, s2_v: str, dps: int):
    from grok_theory.linear.landscape import ReducedLandscape

    d_out = 1
    L = ReducedLandscape(float(sp.Rational(lam_v)), d_out=d_out, teacher_scale=float(sp.sqrt(2 * sp.Rational(r2_v))),
                         label_noise=float(sp.sqrt(sp.Rational(s2_v))))
    mu_q = sp.Rational(mu_v)
    with mpmath.workdps(dps + 10):
        mu_mp = mpmath.mpf(int(mu_q.p)) / int(mu_q.q)
    p = L.at_multiplier(mu_mp, dps=dps)
    return {"q": p.norm2 / d_out, "train": p.train, "gen": p.gen}[which]


def ridge_path() -> Derivation:
    ints = integrands()
    lagrange_mode = sp.diff(nu * Sm**2 - 2 * (nu * Tm + Em) * Sm + mu * Sm**2, Sm)
    sol = sp.solve(lagrange_mode, Sm)[0]
    steps = [
        Step("Lagrange condition of min L_tr on ‖S‖ = R, per mode: ∂_S[νS² − 2bS + μS²] = 0, b = νT + E",
             sp.Eq(Sm, sol), "L_tr = (1/N)‖XS − Y‖² = Σ_ν (νS² − 2bS) + const; Σ_tr + μ ⪰ 0 at the global minimum "
             "(trust-region subproblem)", lambda: is_zero(sol - (nu * Tm + Em) / (nu + mu)), "sympy: solve, difference 0"),
        Step("q integrand E[S_ν²]", sp.Eq(sp.Symbol("ℓ_q"), ints["q"]), "independent T, E",
             lambda: _partial_fractions_check(ints["q"], Q_CLOSED), "sympy: partial fractions equal the k₁,k₂ form"),
        Step("L_tr integrand νE[D²] − 2E[D·E] + σ²", sp.Eq(sp.Symbol("ℓ_tr"), ints["train"]),
             "(1/N)‖XD − Ξ‖² in the eigenbasis",
             lambda: _partial_fractions_check(ints["train"], TRAIN_CLOSED), "sympy: partial fractions equal the k₁,k₂ form"),
        Step("L_gen integrand E[D_ν²]", sp.Eq(sp.Symbol("ℓ_gen"), ints["gen"]), "D = S − T",
             lambda: _partial_fractions_check(ints["gen"], GEN_CLOSED), "sympy: partial fractions equal the k₁,k₂ form"),
        Step("the atom ν = 0 (λ > 1) contributes 0 to q, r² to L_gen, σ² to L_tr (μ > 0)",
             sp.Tuple(ints["q"].subs(nu, 0), ints["gen"].subs(nu, 0), ints["train"].subs(nu, 0)),
             "null modes carry no data", lambda: is_zero(ints["q"].subs(nu, 0)) and is_zero(ints["gen"].subs(nu, 0) - r2)
             and is_zero(ints["train"].subs(nu, 0) - s2), "sympy: substitution"),
        Step("train closed form: the constant σ² carries mass 1 = a + w, the atom's σ² is part of it",
             sp.Eq(Ltr, TRAIN_CLOSED), "E[σ²] = σ²",
             lambda: is_zero(TRAIN_CLOSED.subs({k1: 0, k2: 0, mu: 0}) - s2 * (1 - lam * w)), "sympy: substitution"),
    ]
    checks = []
    for which in ("q", "train", "gen"):
        for lam_v, mu_v, s2_v in (("1/2", "1/4", "1/16"), ("2", "1/4", "1/4"), ("1/2", "-1/40", "1/16")):
            checks.append(numeric_check(
                f"{which} at λ={lam_v}, μ={mu_v}, r²=1/2, σ²={s2_v}: Stieltjes closed form vs MP quadrature",
                lambda dps, wh=which, l=lam_v, m=mu_v, s=s2_v: _landscape_value(wh, l, m, "1/2", s, dps),
                lambda dps, wh=which, l=lam_v, m=mu_v, s=s2_v: _quadrature_curve(wh, l, m, "1/2", s, dps), digits=30))
    checks.append(simulation_check("reduced landscape at fixed norm: secular-equation minimiser on sampled data "
                                   "(d_in=400, 16 seeds) vs theory, λ ∈ {2, 1/2}", _sim_landscape, max_z=4.0, quick=False,
                                   bias="MP landscape; the 1/d_in correction of the secular equation is not derived "
                                        "(expected O(1/d_in) relative)"))
    return Derivation(
        "omnigrok.ridge_path", "Omnigrok's reduced landscape (Eq. 1) is the ridge path: (q, L_tr, L_gen) in closed form",
        ["self-averaging (Levi Eq. 34)", "k₁ = E_c[1/(ν+μ)] = m(−μ), k₂ = m′(−μ) over the continuous MP part",
         "μ > −λ₋ (λ < 1) or μ > 0 (λ ≥ 1)"], steps,
        sp.Eq(sp.Tuple(q_sym, Ltr, Lgen), sp.Tuple(Q_CLOSED, TRAIN_CLOSED, GEN_CLOSED)),
        "Liu, Michaud & Tegmark 2023 (Omnigrok), Eq. 1 and Fig. 1", "grok_theory.linear.landscape.ReducedLandscape.at_multiplier",
        checks=tuple(checks))


def _sim_landscape():
    import numpy as np

    from grok_theory.linear.landscape import ReducedLandscape, sample_landscape

    theory, mean, sem = [], [], []
    for lam_v, sigma, norms in ((2.0, 0.0, [0.1, 0.3, 1.0, 2.5]), (0.5, 0.3, [0.3, 0.8, 1.2, 1.6])):
        L = ReducedLandscape(lam_v, teacher_scale=2**0.5, label_noise=sigma)
        th = L.at_norm(norms)
        S = sample_landscape(400, lam_v, norms, seeds=range(16), teacher_scale=2**0.5, label_noise=sigma)
        for name in ("train", "gen"):
            keep = getattr(th, name) > 0
            theory.append(getattr(th, name)[keep])
            mean.append(S.mean(name)[keep])
            sem.append(S.sem(name)[keep])
    return np.concatenate(theory), np.concatenate(mean), np.concatenate(sem)


def lagrange_slope() -> Derivation:
    ints = integrands()
    dq = sp.together(sp.diff(ints["q"], mu))
    dtr = sp.together(sp.diff(ints["train"], mu))
    steps = [
        Step("dℓ_q/dμ = −2ν(r²ν + λσ²)/(ν+μ)³ < 0: the norm decreases along the path", sp.Eq(sp.Symbol("dℓ_q/dμ"), dq),
             "differentiate", lambda: is_zero(dq + 2 * nu * (r2 * nu + lam * s2) / (nu + mu) ** 3), "sympy: simplifies to 0"),
        Step("dℓ_tr/dμ = −μ dℓ_q/dμ per mode, hence dL_tr/dq = −μ", sp.Eq(sp.Symbol("dℓ_tr/dμ"), -mu * dq),
             "the envelope theorem for the constrained minimum", lambda: is_zero(dtr + mu * dq), "sympy: simplifies to 0"),
        Step("with weight decay the stationary norm of L_tr + (γ/2)q has μ = γ/2", sp.Eq(mu, sp.Symbol("gamma") / 2),
             "d/dq[L_tr + (γ/2)q] = −μ + γ/2 (Levi Eq. 3: the decay term (γ/d_out)S is the gradient of (γ/2)q)",
             lambda: True, "follows from the previous step (no separate check)"),
    ]
    return Derivation("omnigrok.lagrange_slope", "slope of the reduced train loss: dL_tr/dq = −μ (L for λ ≥ 1, U for λ < 1)",
                      ["ridge path (omnigrok.ridge_path)"], steps, sp.Eq(sp.Derivative(Ltr, q_sym), -mu),
                      "Omnigrok §2 (L-shape; footnote 2) and the landscape with weight decay",
                      "grok_theory.linear.landscape.ReducedLandscape.at_multiplier")


def goldilocks() -> Derivation:
    ints = integrands()
    dgen = sp.together(sp.diff(ints["gen"], mu))
    steps = [
        Step("dℓ_gen/dμ = 2ν(r²μ − λσ²)/(ν+μ)³", sp.Eq(sp.Symbol("dℓ_gen/dμ"), dgen), "differentiate",
             lambda: is_zero(dgen - 2 * nu * (r2 * mu - lam * s2) / (nu + mu) ** 3), "sympy: simplifies to 0"),
        Step("E[ν/(ν+μ)³] > 0, so L_gen decreases for μ < λσ²/r² and increases after: one minimum",
             sp.Eq(mu, lam * s2 / r2), "sign of r²μ − λσ²", lambda: is_zero(sp.solve(r2 * mu - lam * s2, mu)[0] - lam * s2 / r2),
             "sympy: solve"),
    ]
    return Derivation("omnigrok.goldilocks", "the Goldilocks norm: the reduced test loss is minimal at μ_opt = λσ²/r²; "
                      "without label noise at the knee (λ > 1) or at least squares (λ < 1)",
                      ["ridge path (omnigrok.ridge_path)"], steps, sp.Eq(sp.Symbol("mu_opt"), lam * s2 / r2),
                      "Omnigrok §2 (U-shape, Goldilocks zone); Dobriban & Wager 2018",
                      "grok_theory.linear.landscape.ReducedLandscape.goldilocks")


def knee() -> Derivation:
    lp = sp.Symbol("lambda'", positive=True)  # companion ratio 1/λ
    m0 = 1 / (1 - lp)
    dm0 = sp.simplify(-(lp * m0**2 + m0) / (lp - 1))
    k10 = sp.simplify((m0 / lam**2).subs(lp, 1 / lam))
    k20 = sp.simplify((dm0 / lam**3).subs(lp, 1 / lam))
    qk = sp.simplify(Q_CLOSED.subs({mu: 0, w: 1 / lam, k1: k10, k2: k20}))
    genk = sp.simplify(GEN_CLOSED.subs({mu: 0, a: 1 - 1 / lam, k1: k10, k2: k20}))
    trk = sp.simplify(TRAIN_CLOSED.subs({mu: 0, w: 1 / lam, k1: k10, k2: k20}))
    # near-knee (σ = 0): q ≈ q_k + q′μ, L_tr ≈ ∫ μ dq, L_gen − floor ≈ r² k₂(0) μ²
    D = sp.Symbol("Delta", positive=True)  # q_k − q
    dq0 = -2 * (r2 * k10 + lam * s2 * k20)
    mu_of_D = D / (-dq0)
    tr_near = sp.simplify((mu_of_D**2 / 2 * (-dq0)).subs(s2, 0))
    gen_near = sp.simplify((r2 * k20 * mu_of_D**2).subs(s2, 0))
    lam_small = sp.Symbol("lambda", positive=True)
    # λ < 1: no atom, k₁(0) = 1/(1−λ), k₂(0) = 1/(1−λ)³ (mp.stieltjes: m(0) = 1/(1−λ))
    ratio_small = sp.simplify((1 / (1 - lam_small) ** 3) / (1 / (1 - lam_small)))  # k₂(0)/k₁(0)
    steps = [
        Step("λ > 1: the continuous part of MP(λ) is λ⁻¹·MP(1/λ) scaled by λ (companion XXᵀ/N), so "
             "k₁ = m̃(−μ/λ)/λ², k₂ = m̃′(−μ/λ)/λ³",
             sp.Eq(sp.Symbol("E_c[f(ν)]"), sp.Symbol("λ⁻¹ E_{MP(1/λ)}[f(λν)]")),
             "the nonzero eigenvalues of XᵀX/N and XXᵀ/N coincide", _companion_check,
             "numeric: 30 digits, quadrature of both laws at λ = 2, 3, f = 1/(ν+1/3), ν/(ν+1/3)²"),
        Step("m̃′(0) = 1/(1−λ′)³ from λ′zm² + (z+λ′−1)m + 1 = 0 differentiated at z = 0", sp.Eq(sp.Symbol("m̃′(0)"), dm0),
             "implicit differentiation", lambda: is_zero(dm0 - 1 / (1 - lp) ** 3), "sympy: simplifies to 0"),
        Step("k₁(0) = E_c[1/ν] = 1/(λ(λ−1)), k₂(0) = E_c[1/ν²] = 1/(λ−1)³", sp.Tuple(k10, k20), "λ′ = 1/λ",
             lambda: is_zero(k10 - 1 / (lam * (lam - 1))) and is_zero(k20 - 1 / (lam - 1) ** 3), "sympy: simplifies to 0"),
        Step("knee (min-norm interpolator): q_k = r²/λ + σ²/(λ−1), L_tr = 0, L_gen = r²(1−1/λ) + σ²/(λ−1)",
             sp.Tuple(qk, trk, genk), "μ = 0 in omnigrok.ridge_path",
             lambda: is_zero(qk - r2 / lam - s2 / (lam - 1)) and is_zero(trk) and is_zero(genk - r2 * (1 - 1 / lam) - s2 / (lam - 1)),
             "sympy: simplifies to 0"),
        Step("near the knee (σ = 0, Δ = q_k − q): L_tr ≈ λ(λ−1)Δ²/(4r²)", sp.Eq(Ltr, tr_near),
             "dL_tr/dq = −μ, μ ≈ Δ/|q′(0)|, q′(0) = −2r²k₁(0)",
             lambda: is_zero(tr_near - lam * (lam - 1) * D**2 / (4 * r2)), "sympy: simplifies to 0"),
        Step("near the knee (σ = 0): L_gen − r²(1−1/λ) ≈ λ²Δ²/(4r²(λ−1)); right of the knee the slope is 1",
             sp.Eq(Lgen - r2 * (1 - 1 / lam), gen_near), "dℓ_gen/dμ = 2r²μν/(ν+μ)³ → L_gen − floor ≈ r²k₂(0)μ²",
             lambda: is_zero(gen_near - lam**2 * D**2 / (4 * r2 * (lam - 1))), "sympy: simplifies to 0"),
        Step("λ < 1 (σ = 0): both curves are quadratic on both sides of q_k = r², ratio L_gen/L_tr → (1−λ)⁻²",
             sp.Eq(Lgen / Ltr, ratio_small), "k₁(0) = 1/(1−λ), k₂(0) = 1/(1−λ)³ (no atom): "
             "ratio = r²k₂(0)/q′(0)² ÷ 1/(2|q′(0)|) = k₂(0)/k₁(0)",
             lambda: is_zero(ratio_small - 1 / (1 - lam_small) ** 2), "sympy: simplifies to 0"),
    ]
    checks = (
        numeric_check("knee k₁(0) at λ = 3: companion closed form vs quadrature of E_c[1/ν]",
                      lambda dps: _resolvent_value(3, 0, dps)[0], lambda dps: _cont_quad(3, lambda x: 1 / x, dps), digits=30),
        numeric_check("knee k₂(0) at λ = 3: companion closed form vs quadrature of E_c[1/ν²]",
                      lambda dps: _resolvent_value(3, 0, dps)[1], lambda dps: _cont_quad(3, lambda x: 1 / x**2, dps), digits=30),
    )
    return Derivation("omnigrok.knee", "the knee of the L (min-norm interpolator) and the quadratic/linear U around it",
                      ["λ > 1 unless stated", "ridge path (omnigrok.ridge_path)"], steps,
                      sp.Eq(q_sym, r2 / lam + s2 / (lam - 1)), "Omnigrok Fig. 1 (L and U), footnote 2",
                      "grok_theory.linear.landscape.ReducedLandscape.knee", checks=checks)


def _resolvent_value(lam_v, mu_v, dps):
    from grok_theory.linear.landscape import ReducedLandscape

    return ReducedLandscape(lam_v).resolvents(mu_v, dps=dps)


def _cont_quad(lam_v, f, dps):
    """E_c[f] by quadrature of the raw continuous MP density (independent of the angle rule)."""
    with mpmath.workdps(dps + 10):
        lv = mpmath.mpf(lam_v)
        lo, hi = (1 - mpmath.sqrt(lv)) ** 2, (1 + mpmath.sqrt(lv)) ** 2
        # ν = c + ρ cos θ removes the square-root edges
        c, rho = (lo + hi) / 2, (hi - lo) / 2

        def g(th):
            x = c + rho * mpmath.cos(th)
            return f(x) * (rho * mpmath.sin(th)) ** 2 / (2 * mpmath.pi * lv * x)

        return mpmath.quad(g, [0, mpmath.pi / 2, mpmath.pi])


def _companion_check() -> bool:
    from grok_theory.mp.law import MarchenkoPastur

    with mpmath.workdps(45):
        third = mpmath.mpf(1) / 3
        for lv in (2, 3):
            for f in (lambda x: 1 / (x + third), lambda x: x / (x + third) ** 2):
                direct = _cont_quad(lv, f, 35)
                comp = MarchenkoPastur(mpmath.mpf(1) / lv).expect(lambda y: f(lv * y), dps=35) / lv
                if abs(direct - comp) > mpmath.mpf(10) ** -30 * abs(direct):
                    return False
    return True


def flat_branch() -> Derivation:
    # S = S_mn + V, V ⟂ range; D = (S_mn − T) + V; ⟨V, S_mn − T⟩ = −⟨V, P_null T⟩
    v2, tn, c = sp.symbols("v^2 t_n c", real=True)  # ‖V‖², ‖P_null T‖, cosine between V and P_null T
    gen_knee = sp.Symbol("L_gen^knee")
    gen = gen_knee + v2 - 2 * c * sp.sqrt(v2) * tn
    steps = [
        Step("the minimiser is S_mn + V, V ∈ null(X) (hard case of the trust region, μ = 0); L_tr unchanged",
             sp.Eq(Ltr, 0), "XV = 0", lambda: True, "definition (no separate check)"),
        Step("L_gen = L_gen(knee) + ‖V‖² − 2⟨V, P_null T⟩ (per output)", sp.Eq(Lgen, gen),
             "S_mn lies in the row space of X, orthogonal to V",
             lambda: is_zero(sp.expand(gen.subs(c, 0) - gen_knee - v2)), "sympy: c = 0 for V independent of T"),
        Step("V independent of the teacher (random init direction): unit slope in q",
             sp.Eq(Lgen, gen_knee + (q_sym - sp.Symbol("q_k"))), "E⟨V, P_null T⟩ = 0",
             lambda: True, "follows from the previous step"),
        Step("bounds over the degenerate set: c = ±1 gives (√(r²a) ∓ √(q−q_k))² + noise part",
             sp.Eq(Lgen, gen.subs(c, 1)), "Cauchy–Schwarz", lambda: is_zero(sp.expand(
                 gen.subs({c: 1, tn: sp.sqrt(r2 * a), gen_knee: r2 * a}) - (sp.sqrt(r2 * a) - sp.sqrt(v2)) ** 2)),
             "sympy: expand"),
    ]
    return Derivation("omnigrok.flat_branch", "beyond the knee (λ > 1) the train loss is flat and the test loss rises "
                      "linearly in q with unit slope (Omnigrok's 'useless weights' = null(X))",
                      ["λ > 1", "V independent of T"], steps, sp.Eq(Lgen, gen_knee + q_sym - sp.Symbol("q_k")),
                      "Omnigrok footnote 2", "grok_theory.linear.landscape.ReducedLandscape.at_norm")


# -- large-initialisation grokking ----------------------------------------------------------------
eta, gam, d, alpha, tau, t = sp.symbols("eta gamma d_out alpha tau t", positive=True)
delta = sp.Symbol("delta", positive=True)
S0, T0 = sp.symbols("S_0 T_0", real=True)
Dn = sp.Function("D")
n_step = sp.Symbol("n", integer=True, nonnegative=True)


def null_decay() -> Derivation:
    c, g = 2 * eta / d, gam / 2
    # Levi Eq. 3 on a null mode (ν = 0, no data, no noise): D_{n+1} = (1 − cg) D_n − c g τT
    sol = sp.rsolve(Dn(n_step + 1) - (1 - c * g) * Dn(n_step) + c * g * tau * T0, Dn(n_step), {Dn(0): alpha * S0 - tau * T0})
    rho = 1 - eta * gam / d
    claimed = rho**n_step * alpha * S0 - tau * T0
    a_sym = sp.Symbol("a", positive=True)
    ms = gaussian_mean_square(claimed, {S0: 1 / (2 * d), T0: 1 / (2 * d)})  # per output entry variance 1/(2 d_in d_out) × d_in modes
    steps = [
        Step("null mode of Levi Eq. 3: S_{t+1} = S_t − (ηγ/d_out) S_t (no data gradient)", sp.Eq(Dn(n_step), sol),
             "rsolve of the affine recursion with ν = 0", lambda: is_zero(sp.simplify(sol - claimed)), "sympy: rsolve, difference 0"),
        Step("so P_null S_t = (1 − ηγ/d_out)^t P_null S_0 exactly (the teacher's null part is never learned)",
             sp.Eq(sp.Symbol("P_null S_t"), rho**n_step * sp.Symbol("P_null S_0")), "D = S − τT",
             lambda: is_zero(sp.expand(claimed + tau * T0 - rho**n_step * alpha * S0)), "sympy: simplifies to 0"),
        Step("null contribution to L_gen(t) − L_gen(∞): a α²/(2 d_out) ρ^{2t} (a = 1 − 1/λ modes, ⟨S₀,T⟩ averages to 0)",
             sp.Eq(sp.Symbol("ΔL_null"), a_sym * alpha**2 / (2 * d) * sp.Symbol("rho^{2t}")),
             "mean square over independent S₀, T; teacher part τ²/(2d_out) is t-independent",
             lambda: is_zero(sp.expand(a_sym * (ms - tau**2 / (2 * d)) - a_sym * alpha**2 / (2 * d) * rho ** (2 * n_step))),
             "sympy: expand"),
    ]
    checks = (simulation_check("excess L_gen(t) − L_gen(∞) and excess norm ‖S_t‖² − ‖S_∞‖² vs real GD (d_in=400, λ=2, "
                               "α=10, η=0.05, γ=0.01, 16 seeds, t = 10…6000); finite-d: MP + c₁/d_in", _sim_large_init_curves, max_z=None,
                               seeds=16, quick=False),)
    return Derivation("omnigrok.null_decay", "the null-space part of the student decays exactly as (1 − ηγ/d_out)^t",
                      ["λ > 1 (atom of mass a = 1 − 1/λ)", "full-batch GD with weight decay (Levi Eq. 3)"], steps,
                      sp.Eq(sp.Symbol("P_null S_t"), rho**t * sp.Symbol("P_null S_0")),
                      "Omnigrok §2: w(t) ≈ w₀e^{−γt}; Xu, Vardi & Safran 2026, θ_⊥ = (1−ηλ)^t θ_⊥(0)",
                      "grok_theory.linear.large_init.null_norm2", checks=checks)


def _sim_large_init_curves():
    import numpy as np

    from dataclasses import replace

    from grok_theory.linear import large_init as li
    from grok_theory.linear.finite_bias import finite_excess
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.linear.simulate import simulate_linear

    m = TeacherStudent(2.0, lr=0.05, weight_decay=1e-2, init_scale=10, dynamics="gd")
    t = np.array([10, 100, 1000, 3000, 6000, 10**9])
    r = simulate_linear(400, lam=2.0, lr=0.05, weight_decay=1e-2, init_scale=10, t=t, seeds=range(16), progress=False)
    tt = t[:-1].astype(float)
    exc = r.gen_loss[:, :-1] - r.gen_loss[:, -1:]
    nrm = r.weight_norm[:, :-1] - r.weight_norm[:, -1:]
    theory = np.concatenate([li.gen_excess(m, tt), m.weight_norm(tt) - m.weight_norm_limit()])
    mean = np.concatenate([exc.mean(0), nrm.mean(0)])
    sem = np.concatenate([exc.std(0, ddof=1), nrm.std(0, ddof=1)]) / np.sqrt(exc.shape[0])
    mr = replace(m, lam=r.params["lam"])  # the realised λ = d_in/N_tr
    finite = np.concatenate([finite_excess(mr, name, tt, float(t[-1]), 400) for name in ("gen", "norm")])
    return theory, mean, sem, finite


def generalisation_time() -> Derivation:
    a_sym = sp.Symbol("a", positive=True)
    rho = 1 - eta * gam / d
    tg = sp.log(a_sym * alpha**2 / (2 * d * delta)) / (-2 * sp.log(rho))
    w0, wc = alpha * sp.sqrt(a_sym / 2), sp.sqrt(d * delta)
    omni = sp.log(w0 / wc) / (-sp.log(rho))
    x = sp.Symbol("x", positive=True)  # x = ηγ/d_out
    lead = sp.series(1 / (-sp.log(1 - x)), x, 0, 1).removeO()
    steps = [
        Step("excess criterion L_gen − L_gen(∞) ≤ δ met by the null modes at a α²ρ^{2t}/(2d_out) = δ", sp.Eq(t, tg),
             "omnigrok.null_decay; range modes decay faster (rate ≥ 2η(λ₋+γ/2)/d_out)",
             lambda: is_zero(sp.simplify(sp.expand_log((a_sym * alpha**2 / (2 * d) * rho ** (2 * tg)).rewrite(sp.exp), force=True) - delta))
             or is_zero(sp.simplify(sp.expand_log(sp.log(a_sym * alpha**2 / (2 * d)) + 2 * tg * sp.log(rho) - sp.log(delta), force=True))),
             "sympy: log of the crossing condition simplifies to 0"),
        Step("this is Omnigrok's t = ln(w₀/w_c)/γ with w = ‖P_null S‖, w₀ = α√(a/2), w_c = √(d_out δ), rate −ln(1−ηγ/d_out)",
             sp.Eq(t, omni), "‖P_null S_t‖² = d_out × null excess",
             lambda: is_zero(sp.expand_log(sp.simplify(tg - omni), force=True)), "sympy: expand_log, difference 0"),
        Step("learning rate restored: 1/(−ln(1−x)) = 1/x − 1/2 + O(x), x = ηγ/d_out, so t ≈ d_out ln(w₀/w_c)/(ηγ)",
             sp.Eq(sp.Symbol("1/(-ln(1-x))"), lead), "Taylor series",
             lambda: is_zero(lead - (1 / x - sp.Rational(1, 2))), "sympy: series"),
    ]
    checks = (
        numeric_check("law vs exact MP time (root of L_gen(t) − L_gen(∞) = δ), λ=2, η=0.05, γ=0.01, α=10, δ=1e-3",
                      lambda dps: _tg_law(), lambda dps: _tg_exact(), digits=10),
        simulation_check("t_gen (excess δ = 0.05) from real GD, d_in=400, λ=2, α=10, η=0.05, γ=0.01, 16 seeds; finite-d: "
                         "crossing of MP + c₁/d_in (single-run curvature term not included)", _sim_tgen, max_z=None,
                         seeds=16, quick=False),
    )
    return Derivation("omnigrok.generalisation_time",
                      "large-initialisation generalisation time: t_gen = ln(aα²/(2 d_out δ))/(−2 ln(1 − ηγ/d_out))",
                      ["λ > 1", "excess criterion L_gen(t) − L_gen(∞) ≤ δ (reachable for every λ)",
                       "range modes already converged (γ ≪ λ₋)"], steps, sp.Eq(t, tg),
                      "Omnigrok §2: t ≈ ln(w₀/w_c)/γ", "grok_theory.linear.large_init.generalisation_time_law", checks=checks)


def _tg_model():
    from grok_theory.linear.model import TeacherStudent

    return TeacherStudent(2.0, lr=0.05, weight_decay=1e-2, init_scale=10, dynamics="gd")


def _tg_law():
    from grok_theory.linear.large_init import generalisation_time_law

    return generalisation_time_law(_tg_model(), 1e-3)


def _tg_exact():
    from grok_theory.linear.large_init import generalisation_time as gt

    return gt(_tg_model(), 1e-3)


def _sim_tgen():
    import numpy as np

    from dataclasses import replace

    from grok_theory.linear.finite_bias import finite_crossing_time
    from grok_theory.linear.finite_size import mean_curve
    from grok_theory.linear.large_init import generalisation_time as gt
    from grok_theory.linear.simulate import first_crossing, simulate_linear

    m, dl = _tg_model(), 0.05
    theory = gt(m, dl)
    t = log_steps(3 * theory, 400)
    r = simulate_linear(400, lam=2.0, lr=0.05, weight_decay=1e-2, init_scale=10, t=np.append(t, 10**9), seeds=range(16),
                        progress=False)
    tc = first_crossing(t, r.gen_loss[:, :-1] - r.gen_loss[:, -1:], dl, rising=False)
    mr = replace(m, lam=r.params["lam"])
    floor = float(mean_curve(mr, "gen", np.array([1e9]), 400)[0])
    finite = finite_crossing_time(mr, "gen", dl, 400, offset=floor, t_guess=theory)
    return [theory], [tc.mean()], [tc.std(ddof=1) / np.sqrt(tc.shape[0])], [finite]


def fixed_norm() -> Derivation:
    b = sp.Symbol("b", real=True)
    s_fix = b / (nu + mu)
    stepped = s_fix - eta * (2 / d) * (nu * s_fix - b)
    steps = [
        Step("a ridge point S = b/(ν+μ) is a fixed point of projected GD: one GD step multiplies every mode by 1 + 2ημ/d_out",
             sp.Eq(sp.Symbol("S − η∇L_tr"), sp.factor(stepped)), "∇L_tr = (2/d_out)(Σ_tr S − XᵀY/N), per mode (2/d_out)(νS − b)",
             lambda: is_zero(sp.simplify(stepped - (1 + 2 * eta * mu / d) * s_fix)), "sympy: simplifies to 0"),
        Step("a null mode (ν = 0, b = 0) is untouched by the step and divided by the same rescaling 1 + 2ημ/d_out",
             sp.Eq(sp.Symbol("V_{t+1}"), sp.Symbol("V_t") / (1 + 2 * eta * mu / d)), "projection R/‖S − η∇‖ = 1/(1 + 2ημ/d_out)",
             lambda: is_zero(sp.diff(stepped.subs({nu: 0, b: 0}), mu)), "sympy: the null-mode update does not involve data"),
        Step("below the knee (μ > 0) the null part decays like weight decay γ_eff = 2μ(R); at/above the knee (μ = 0) it is "
             "frozen in direction and L_gen = L_gen(knee) + (q − q_k)", sp.Eq(sp.Symbol("gamma_eff"), 2 * mu),
             "compare Levi Eq. 3 null factor 1 − ηγ/d_out ≈ 1/(1 + ηγ/d_out)",
             lambda: is_zero(sp.series(1 / (1 + 2 * eta * mu / d) - (1 - eta * (2 * mu) / d), eta, 0, 2).removeO()),
             "sympy: series to O(η²)"),
    ]
    checks = (simulation_check("projected GD at fixed norm (d_in=200, λ=2, α=10, 16 seeds, 2000 steps): final L_tr, L_gen "
                               "vs the reduced landscape below (q = 0.1, 0.2) and above (q = 0.5, 1.0) the knee q_k = 0.25",
                               _sim_fixed_norm, quick=False,
                               bias="MP landscape; the 1/d_in correction of projected GD is not derived (expected O(1/d_in) relative)"),)
    return Derivation("omnigrok.fixed_norm", "training at fixed norm: below the knee it converges to the ridge point without "
                      "delay (γ_eff = 2μ(R)); above the knee the null component is frozen and the test loss never drops",
                      ["projected GD, rescaled to ‖S‖ = R after every step (Omnigrok's procedure)"], steps,
                      sp.Eq(sp.Symbol("V_{t+1}/V_t"), 1 / (1 + 2 * eta * mu / d)), "Omnigrok §4, Fig. 7b",
                      "grok_theory.linear.fixed_norm.projected_gd", checks=checks)


def _sim_fixed_norm():
    import numpy as np

    from grok_theory.linear.fixed_norm import fixed_norm_limit, projected_gd
    from grok_theory.linear.landscape import ReducedLandscape

    L = ReducedLandscape(2.0)
    theory, mean, sem = [], [], []
    for n2 in (0.1, 0.2, 0.5, 1.0):
        r = projected_gd(200, 2.0, n2, [2000], lr=0.05, init_scale=10, seeds=range(16))
        p = fixed_norm_limit(L, n2)
        theory.append(p.gen), mean.append(r.mean("gen_loss")[-1]), sem.append(r.sem("gen_loss")[-1])
        if p.train > 0:
            theory.append(p.train), mean.append(r.mean("train_loss")[-1]), sem.append(r.sem("train_loss")[-1])
    return np.array(theory), np.array(mean), np.array(sem)


def derivations() -> list[Derivation]:
    return [ridge_path(), lagrange_slope(), goldilocks(), knee(), flat_branch(), null_decay(), generalisation_time(), fixed_norm()]



if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
