"""Derivations: learning curves of the teacher–student model with structured inputs (any Σ, any teacher).

Run ``python derivations/linear/structured.py``; the tests import :func:`derivations`.

Derivations
-----------
structured.silverstein      the Silverstein equation in the renormalised variable ζ = −1/m̲:
                            z(ζ) = ζ(1 − λ Σ π σ/(σ − ζ)); edges at z'(ζ) = 0; Σ = I gives MP
structured.two_point        (1/d)Tr[ΣR(z₁)WR(z₂)] ≍ w₁w₂ (p(ζ₁) − p(ζ₂))/(z₁ − z₂), w = ζ/z
structured.losses           L_tr, L_gen, ‖S‖² as weighted expectations and the two-point form
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grok_theory.linear.model import TeacherStudent  # noqa: E402
from grok_theory.linear.structured import StructuredTeacherStudent, simulate_structured  # noqa: E402
from grok_theory.mp.generalised import GeneralisedMarchenkoPastur, NodeSet, TwoPoint  # noqa: E402
from grok_theory.mp.law import MarchenkoPastur  # noqa: E402
from grok_theory.symbolic import (Derivation, Step, approximation_check, is_zero, numeric_check,  # noqa: E402
                                  run_standalone, simulation_check)

z, z1, z2, m, lam = sp.symbols("z z_1 z_2 m lambda")
zeta, zeta1, zeta2 = sp.symbols("zeta zeta_1 zeta_2")
s1, s2, p1, p2, c1, c2 = sp.symbols("sigma_1 sigma_2 pi_1 pi_2 c_1 c_2", positive=True)
nu, g, h, lam_p, sig2 = sp.symbols("nu g h lambda_p sigma_n2", positive=True)
T, S, E = sp.symbols("T S E")
alpha, tau = sp.symbols("alpha tau", positive=True)

#: a two-atom population spectrum with exact rational atoms (ζ, z, λ, weights stay symbolic): the
#: rational identities below are then decided by ``sympy.cancel`` in seconds
ATOMS = ((sp.Rational(1, 2), sp.Rational(1, 3)), (sp.Integer(2), sp.Rational(2, 3)))
#: the same with symbolic atoms, for the displayed results (not simplified)
SYMBOLIC_ATOMS = ((s1, p1), (s2, p2))


def _z_of(zt: sp.Expr, atoms: tuple = ATOMS) -> sp.Expr:
    return zt * (1 - lam * sum(p * s / (s - zt) for s, p in atoms))


# -- structured.silverstein -----------------------------------------------------------------------
def _raw_density_2atom(lam_: Any, sig: tuple, pis: tuple) -> Any:
    """Independent reference: x ↦ density from the cubic's roots (mpmath.polyroots; no Newton, no edge rule)."""
    a1, a2 = sig
    q1, q2 = pis
    Z, X = sp.symbols("Z X")
    # x(σ₁−ζ)(σ₂−ζ) = ζ[(σ₁−ζ)(σ₂−ζ) − λ(π₁σ₁(σ₂−ζ) + π₂σ₂(σ₁−ζ))]  ⇔  a cubic in ζ
    poly = sp.Poly(sp.expand(Z * ((a1 - Z) * (a2 - Z) - lam_ * (q1 * a1 * (a2 - Z) + q2 * a2 * (a1 - Z)))
                             - X * (a1 - Z) * (a2 - Z)), Z)
    coeffs = [sp.lambdify(X, cf, "mpmath") for cf in poly.all_coeffs()]

    def density(x: Any) -> Any:
        roots = mpmath.polyroots([mpmath.mpmathify(cf(x)) for cf in coeffs], maxsteps=100, extraprec=40)
        zt = max(roots, key=lambda r: mpmath.im(r))
        if mpmath.im(zt) <= 0:
            return mpmath.mpf(0)
        return sum(mpmath.mpf(q) * a * mpmath.im(zt) / abs(a - zt) ** 2 for a, q in
                   zip((mpmath.mpf(a1), mpmath.mpf(a2)), (q1, q2))) / (mpmath.pi * x)

    return density


def _mp_quadratic_ok(resid: sp.Expr, quadratic: sp.Expr) -> bool:
    """The numerator of ``resid`` is ``quadratic`` times a nonzero factor free of m."""
    ratio = sp.cancel(sp.numer(resid) / quadratic)
    return m not in ratio.free_symbols and not is_zero(ratio) and sp.denom(ratio).free_symbols.isdisjoint({m})


def silverstein() -> Derivation:
    m_of = zeta / (z * (1 - zeta))  # Σ = I: m = (1/z) ζ/(1 − ζ)
    # eliminate ζ: ζ = zm/(1 + zm); z(ζ) = z must then be MP's quadratic λzm² + (z + λ − 1)m + 1 = 0
    zeta_m = z * m / (1 + z * m)
    mp_quadratic = lam * z * m**2 + (z + lam - 1) * m + 1
    resid = sp.together(_z_of(zeta_m, ((1, 1),)) - z)
    crit = sp.diff(_z_of(zeta), zeta) - (1 - lam * sum(p * s**2 / (s - zeta) ** 2 for s, p in ATOMS))
    steps = [
        Step("Silverstein: z = −1/m̲ + λ Σ π σ/(1 + σ m̲); with m̲ = −1/ζ it is explicit in ζ",
             sp.Eq(z, _z_of(zeta)), "Silverstein & Choi 1995, Eq. 1.6; m̲ = −1/ζ",
             lambda: is_zero(sp.together(_z_of(zeta) - (-1 / (-1 / zeta) + lam * sum(
                 p * s / (1 + s * (-1 / zeta)) for s, p in ATOMS)))), "sympy: simplifies to 0 (two atoms σ = 1/2, 2 with π = 1/3, 2/3; ζ, λ, c symbolic)"),
        Step("for Σ = I the d×d Stieltjes transform m = ζ/(z(1 − ζ)) satisfies MP's quadratic",
             sp.Eq(mp_quadratic, 0), "eliminate ζ = zm/(1 + zm) (the inverse of m(ζ))",
             lambda: _mp_quadratic_ok(resid, mp_quadratic) and is_zero(m_of.subs(zeta, zeta_m) - m),
             "sympy: the numerator of z(ζ(m)) − z is MP's quadratic times a factor free of m"),
        Step("support edges: z'(ζ) = 1 − λ Σ π σ²/(σ − ζ)², zero at the critical points",
             sp.Eq(sp.Derivative(z, zeta), 1 - lam * sp.Symbol("Σπσ²/(σ−ζ)²")), "differentiate z(ζ)",
             lambda: is_zero(sp.simplify(crit)), "sympy: simplifies to 0 (two atoms σ = 1/2, 2 with π = 1/3, 2/3; ζ, λ, c symbolic)"),
    ]

    def mp_moment(dps: int) -> Any:
        return GeneralisedMarchenkoPastur.identity("0.3").expect(lambda v: v**2, dps=dps, s="2.5")

    def two_atom(dps: int) -> Any:
        law = GeneralisedMarchenkoPastur("0.3", ["1/2", 2])
        return mpmath.mpf(law.expect(lambda v: v * v * np.exp(-0.7 * v)))  # the float64 engine

    def two_atom_ref(dps: int) -> Any:
        law = GeneralisedMarchenkoPastur("0.3", ["1/2", 2])
        lam_, sig, pis = sp.Rational(3, 10), (sp.Rational(1, 2), sp.Integer(2)), (sp.Rational(1, 2), sp.Rational(1, 2))
        pts = sorted({float(e) for ab in law.support for e in ab})
        pts = [pts[0] * 0.9] + pts + [pts[-1] * 1.1]
        with mpmath.workdps(dps + 5):
            rho = _raw_density_2atom(lam_, sig, pis)
            f = lambda x: x * x * mpmath.exp(-mpmath.mpf("0.7") * x) * rho(x)  # noqa: E731
            return mpmath.quad(f, [mpmath.mpf(p) for p in pts])

    def sampled() -> tuple:
        law = GeneralisedMarchenkoPastur(0.5, [0.5, 2.0])
        d, seeds = 200, 16
        sig_full = np.repeat([0.5, 2.0], d // 2)
        vals = []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            x = rng.standard_normal((2 * d, d)) * np.sqrt(sig_full)
            ev = np.linalg.eigvalsh(x.T @ x / (2 * d))
            vals.append([np.mean(np.exp(-ev)), np.mean(ev * ev), np.mean(sig_full * 0) + np.mean(np.exp(-2 * ev))])
        vals = np.array(vals)
        theory = [law.expect(lambda v: np.exp(-v)), law.expect(lambda v: v * v), law.expect(lambda v: np.exp(-2 * v))]
        # finite d: E (1/d) Tr (XᵀX/N)² = (1 + 1/N) m₂ + (d/N) m₁² exactly (Wick: E[(XᵀX)²] = N(N+1)Σ² + N Tr(Σ) Σ),
        # m_k = (1/d) Tr Σ^k; the exponentials keep the d → ∞ value (their 1/d correction is not derived for Σ ≠ I)
        m1, m2 = float(np.mean(sig_full)), float(np.mean(sig_full**2))
        finite = [theory[0], (1 + 1 / (2 * d)) * m2 + 0.5 * m1**2, theory[2]]
        return theory, vals.mean(0), vals.std(0, ddof=1) / np.sqrt(seeds), finite

    checks = (
        numeric_check("Σ = I, λ = 3/10: E[ν² e^{−2.5ν}] of GeneralisedMarchenkoPastur vs MarchenkoPastur.expect",
                      mp_moment, lambda dps: MarchenkoPastur("0.3").expect(lambda v: v**2, dps=dps, s="2.5"), digits=25),
        numeric_check("two atoms σ ∈ {1/2, 2}, λ = 3/10: E[ν² e^{−0.7ν}] by the float64 engine (Newton, graded "
                      "composite Gauss–Legendre) vs tanh-sinh quadrature of the density from the cubic's roots "
                      "(mpmath.polyroots)", two_atom, two_atom_ref, digits=10, quick=False),
        simulation_check("two atoms σ ∈ {1/2, 2}, λ = 1/2: E[e^{−ν}], E[ν²], E[e^{−2ν}] vs eigenvalues of sampled "
                         "XᵀX/N (d = 200, 16 seeds); finite-d: E[ν²] exact at N = 400, the exponentials at d → ∞ "
                         "(1/d correction not derived for Σ ≠ I)", sampled, max_z=None, seeds=16),
    )
    return Derivation("structured.silverstein", "generalised Marchenko–Pastur law of XᵀX/N for x ~ N(0, Σ)",
                      ["d, N → ∞ at λ = d/N", "population spectrum H = Σ_k π_k δ_{σ_k}"], steps,
                      sp.Eq(z, _z_of(zeta, SYMBOLIC_ATOMS)), "Silverstein & Choi 1995; Silverstein 1995",
                      "grok_theory.mp.generalised.GeneralisedMarchenkoPastur", checks=checks)


# -- structured.two_point --------------------------------------------------------------------------
def two_point() -> Derivation:
    q = lambda s, zz, zt: zt / (zz * (s - zt))  # noqa: E731  (R(z))_kk ≍ −1/(z(1 + σ_k m̲)) = ζ/(z(σ_k − ζ))
    Z1, Z2 = _z_of(zeta1), _z_of(zeta2)
    # second-order deterministic equivalent of (1/d)Tr[Σ R₁ W R₂]: ⟨σw q₁q₂⟩ + λ a₁a₂⟨σw q₁q₂⟩⟨σ² q₁q₂⟩/(1 − D)
    # = N/(1 − D), N = ⟨c q₁ q₂⟩ with c = σw, D = λ⟨σ² q₁ q₂⟩ a₁a₂, a = −z m̲ = z/ζ (the left weight is Σ)
    N = sum(p * c * q(s, Z1, zeta1) * q(s, Z2, zeta2) for (s, p), c in zip(ATOMS, (c1, c2)))
    D = lam * sum(p * s**2 * q(s, Z1, zeta1) * q(s, Z2, zeta2) for s, p in ATOMS) * (Z1 / zeta1) * (Z2 / zeta2)
    pfun = lambda zt: sum(p * (c / s) * zt / (s - zt) for (s, p), c in zip(ATOMS, (c1, c2)))  # noqa: E731
    claimed = (zeta1 / Z1) * (zeta2 / Z2) * (pfun(zeta1) - pfun(zeta2)) / (Z1 - Z2)
    w_, p_ = sp.Function("w"), sp.Function("p")
    display = sp.Eq(sp.Symbol("G"), w_(zeta1) * w_(zeta2) * (p_(zeta1) - p_(zeta2)) / (z1 - z2))
    steps = [
        Step("the denominator: 1 − D = (z₁ − z₂)/(ζ₁ − ζ₂) (Silverstein equation at z₁ and z₂)",
             sp.Eq(1 - sp.Symbol("D"), (z1 - z2) / (zeta1 - zeta2)), "partial fractions of σ²/((σ−ζ₁)(σ−ζ₂))",
             lambda: is_zero(sp.together(1 - D - (Z1 - Z2) / (zeta1 - zeta2))), "sympy: simplifies to 0 (two atoms σ = 1/2, 2 with π = 1/3, 2/3; ζ, λ, c symbolic)"),
        Step("G = N/(1 − D) = w₁w₂ (p(ζ₁) − p(ζ₂))/(z₁ − z₂), w = ζ/z, p = Σ π (c/σ) ζ/(σ − ζ)",
             sp.Eq(sp.Symbol("G"), sp.Symbol("w_1") * sp.Symbol("w_2") * (sp.Symbol("p_1") - sp.Symbol("p_2")) / (z1 - z2)),
             "c/((σ−ζ₁)(σ−ζ₂)) is σ⁻¹c times the divided difference of ζ/(σ−ζ)",
             lambda: is_zero(sp.together(N / (1 - D) - claimed)), "sympy: simplifies to 0 (two atoms σ = 1/2, 2 with π = 1/3, 2/3; ζ, λ, c symbolic)"),
        Step("for W = I (c = σ) the resolvent identity ΣR₁R₂ = Σ(R₁ − R₂)/(z₁ − z₂) holds for the equivalent too",
             sp.Eq(sp.Symbol("G"), (sp.Symbol("m_Σ(z_1)") - sp.Symbol("m_Σ(z_2)")) / (z1 - z2)),
             "m_Σ(z) = (1/z) Σ π σ ζ/(σ − ζ) (one-point deterministic equivalent)",
             lambda: is_zero(sp.cancel(claimed.subs({c1: ATOMS[0][0], c2: ATOMS[1][0]})
                                       - (sum(p * s * zeta1 / (s - zeta1) for s, p in ATOMS) / Z1
                                          - sum(p * s * zeta2 / (s - zeta2) for s, p in ATOMS) / Z2) / (Z1 - Z2))), "sympy: simplifies to 0 (two atoms σ = 1/2, 2 with π = 1/3, 2/3; ζ, λ, c symbolic)"),
    ]

    def reduction() -> tuple[float, float]:
        law = GeneralisedMarchenkoPastur.power_law(2.0, 0.8, 100)
        nodes = NodeSet(law, law.rule().panels, 10)
        tp = TwoPoint(nodes, np.ones(len(law.sigma)))  # W = I
        phi, psi = np.exp(-2 * nodes.x), np.exp(-3 * nodes.x)
        return tp.form(phi, psi, 1.0, 1.0), law.expect(lambda v: np.exp(-5 * v), weights=law.sigma)

    def sampled() -> tuple:
        law = GeneralisedMarchenkoPastur(2.0, [0.5, 1.5])
        bv = np.array([3.0, 0.2])
        nodes = NodeSet(law, law.rule().panels, 10)
        tp = TwoPoint(nodes, bv)
        phi = np.exp(-nodes.x)
        theory = tp.form(phi, phi, 1.0, 1.0)
        d, seeds = 200, 24
        sig_full, b_full = np.repeat([0.5, 1.5], d // 2), np.repeat(bv, d // 2)
        vals = []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            x = rng.standard_normal((d // 2, d)) * np.sqrt(sig_full)
            ev, v = np.linalg.eigh(x.T @ x / (d // 2))
            hm = (v * np.exp(-np.maximum(ev, 0))) @ v.T
            vals.append(np.sum(sig_full[:, None] * hm * b_full[None, :] * hm) / d)
        vals = np.array(vals)
        return [theory], [vals.mean()], [vals.std(ddof=1) / np.sqrt(seeds)]

    checks = (
        approximation_check("W = I (power law α = 0.8, 100 atoms, λ = 2): two-point form F(e^{−2ν}, e^{−3ν}) "
                            "(float64 quadrature of K, k_d, k₀, c₀₀) vs the single expectation E_Σ[e^{−5ν}]",
                            lambda: reduction()[0], lambda: reduction()[1]),
        simulation_check("σ ∈ {1/2, 3/2}, b ∈ {3, 1/5}, λ = 2: (1/d)Tr[Σ e^{−A} B e^{−A}] vs sampled matrices "
                         "(d = 200, 24 seeds)", sampled, max_z=4.0,
                         bias="deterministic equivalent (d → ∞); its 1/d correction is not derived for Σ ≠ I"),
    )
    return Derivation("structured.two_point", "two-resolvent deterministic equivalent and its real-axis kernel",
                      ["d, N → ∞ at λ = d/N", "W diagonal in Σ's eigenbasis; the left weight is Σ itself"], steps,
                      display, "Couillet & Liao 2022 (two-resolvent equivalents); "
                      "Hastie et al. 2022 (ridge bias, z₁ = z₂)", "grok_theory.mp.generalised.TwoPoint", checks=checks)


# -- structured.losses -----------------------------------------------------------------------------
def losses() -> Derivation:
    r = g / (nu + g)
    Q = r + (1 - r) * h
    ours = -Q * tau * T + h * alpha * S + (1 - h) * E / (nu + g)
    fixed = (E - g * tau * T) / (nu + g)
    isotropic = fixed + (alpha * S - tau * T - fixed) * h  # the rsolve/dsolve mode solution (levi2024.mode_solution_*)
    noise_train = lam_p * sig2 * (nu**2 * (1 - h) ** 2 / (nu + g) ** 2 - 2 * nu * (1 - h) / (nu + g)) + sig2
    steps = [
        Step("the solution in operator form: D(t) = −Q(A) τT + h(A) α S₀ + (1 − h(A))(A + g)⁻¹E, Q = r + (1 − r)h",
             sp.Eq(sp.Symbol("D"), ours), "levi2024.mode_solution_gd/flow, mode by mode of A = Σ_tr",
             lambda: is_zero(sp.simplify(ours - isotropic)), "sympy: simplifies to 0"),
        Step("with E[TTᵀ] = τ²B/(2d), E[S₀S₀ᵀ] = α²I/(2d), E[EEᵀ] = σ²d_out A/N: L_gen = (1/d_out)Tr[Σ E DDᵀ] "
             "= (τ²/2d_out)F_{Σ,B}(Q,Q) + (α²/2d_out)E_Σ[h²] + λσ²E_Σ[ν(1−h)²/(ν+g)²]",
             sp.Eq(sp.Symbol("L_gen"), sp.Symbol("(τ²/2d)F_ΣB(Q,Q) + (α²/2d)E_Σ[h²] + λσ²E_Σ[ν(1−h)²/(ν+g)²]")),
             "independent zero-mean T, S₀, Ξ; Tr[Σ f(A) B f(A)] is the two-point form (structured.two_point)",
             lambda: True, "operator algebra; checked numerically (Σ = I) and by simulation below"),
        Step("train noise part without cancellation: λσ²(ν²(1−h)²/(ν+g)² − 2ν(1−h)/(ν+g)) + σ² = λσ²Q² + σ²(1 − λ)",
             sp.Eq(noise_train, lam_p * sig2 * Q**2 + sig2 * (1 - lam_p)), "complete the square in ν(1−h)/(ν+g)",
             lambda: is_zero(sp.simplify(noise_train - (lam_p * sig2 * Q**2 + sig2 * (1 - lam_p)))),
             "sympy: simplifies to 0"),
    ]

    def iso(which: str) -> float:
        kw = dict(weight_decay=0.02, init_scale=1.3, teacher_scale=0.7, label_noise=0.2, d_out=2)
        m, ref = StructuredTeacherStudent(0.6, **kw), TeacherStudent(0.6, **kw)
        return getattr(m, which)(400.0), getattr(ref, which)(400.0)

    def sim() -> tuple:
        t = np.array([10, 100, 1000, 5000])
        out = []
        for lam_, kw in ((0.5, dict(exponent=1.0, alignment=1.0)), (2.0, dict(exponent=1.0, alignment=-1.0, weight_decay=0.01,
                                                                               label_noise=0.2))):
            model = StructuredTeacherStudent(lam_, n_atoms=150, dynamics="gd", lr=0.01, **kw)
            res = simulate_structured(model, t, seeds=range(12))
            for k in ("train_loss", "gen_loss"):
                out.append((getattr(model, k)(t.astype(float)), res.mean(k), res.sem(k)))
        return tuple(np.concatenate(v) for v in zip(*out))

    def mp_iso(dps: int) -> Any:
        return StructuredTeacherStudent(0.6, weight_decay=0.02, teacher_scale=0.7).gen_loss("400", dps=dps)

    def mp_iso_ref(dps: int) -> Any:
        return TeacherStudent(0.6, weight_decay=0.02, teacher_scale=0.7).gen_loss("400", dps=dps)

    checks = (
        approximation_check("Σ = I (exponent 0): StructuredTeacherStudent.gen_loss vs TeacherStudent.gen_loss at t = 400 "
                            "(λ = 0.6, γ = 0.02, α = 1.3, τ = 0.7, σ = 0.2, d_out = 2)",
                            lambda: iso("gen_loss")[0], lambda: iso("gen_loss")[1]),
        approximation_check("Σ = I: train_loss vs TeacherStudent.train_loss at t = 400 (same parameters)",
                            lambda: iso("train_loss")[0], lambda: iso("train_loss")[1]),
        numeric_check("Σ = I at dps: gen_loss at t = 400 (λ = 0.6, γ = 0.02, τ = 0.7; generalised law, certified "
                      "edge-relative Newton) vs TeacherStudent.gen_loss (MP angle rule)", mp_iso, mp_iso_ref, digits=25),
        simulation_check("L_tr, L_gen at t = 10, 100, 1000, 5000: real GD on sampled data, power law α = 1, "
                         "d_in = 150, 12 seeds; (λ = 1/2, alignment 1) and (λ = 2, alignment −1, γ = 0.01, σ = 0.2)",
                         sim, max_z=4.0, bias="generalised MP (d → ∞); the 1/d_in correction is not derived for Σ ≠ I"),
    )
    return Derivation("structured.losses", "train/generalisation loss of the teacher–student model with covariance Σ "
                      "and teacher power B", ["deterministic equivalents (d, N → ∞ at λ = d/N)",
                                              "teacher columns with E[TTᵀ] = τ²B/(2d), B diagonal in Σ's basis"],
                      steps, sp.Eq(sp.Symbol("L_gen"), sp.Symbol("(τ²/2d)F_ΣB(Q,Q) + (α²/2d)E_Σ[h²] + λσ²E_Σ[ν(1−h)²/(ν+g)²]")),
                      None, "grok_theory.linear.structured.StructuredTeacherStudent", checks=checks)


def derivations() -> list[Derivation]:
    return [silverstein(), two_point(), losses()]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
