"""Derivations: late-time asymptotics of the learning curves and the grokking time (Levi App. B).

Run ``python derivations/linear/asymptotics.py``; the tests import :func:`derivations`.

Setting (Levi Eqs. 7–9): d_out = 1, γ = 0, gradient flow, default initialisation, s = 4ηt,
q = √λ, λ₋ = (1 − q)², x = ν − λ₋ (distance from the lower edge):

    L_tr(s) = E[ν e^{−sν}],  L_gen(s) = E[e^{−sν}],  dL_gen/ds = −L_tr.

The MP measure near the lower edge is p(ν)dν = √x · √(4q − x)/(2πq²(λ₋ + x)) dx, and Watson's
lemma, ∫₀^∞ x^{n+1/2} e^{−sx} dx = Γ(n+3/2) s^{−n−3/2}, turns the Taylor series of the smooth
factor into the complete asymptotic series of each curve. The training factor √(4q−x)/(2πq²)
has radius 4q; the generalisation factor has the pole 1/(λ₋+x) at distance λ₋, which makes its
plain series useless near λ = 1 — integrating the training series from s to ∞ instead gives a
series of incomplete gamma functions that is uniform in λ₋ (its first term is Levi's Eq. 23).
The general case (weight decay, discrete GD, d_out, λ > 1) is implemented numerically in
``grok_theory.linear.late_time`` from the same two steps; the ids are:

levi2024.late_time_series  edge expansion + Watson's lemma to any order; uniform L_gen series
levi2024.eq22 / eq11       the leading terms (printed forms compared)
levi2024.eq23              the first uniform term of L_gen (printed form compared)
levi2024.eq24              crossing times: the Lambert-W solution of the leading term
levi2024.eq12              the ε → 0 limit of Δt;  levi2024.eq26: the next order (the printed
                           Eq. 26 is an inconsistent truncation: measured mismatch)
levi2024.critical_scaling  Δt as λ → 1 at fixed ε: finite, with the scaling form
levi2024.gen_loss_exact    L_gen as a convergent Bessel series and as ∫ of Eq. 9
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import mpmath
import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grok_theory.linear import asymptotics as printed  # noqa: E402
from grok_theory.symbolic import (  # noqa: E402
    Derivation,
    Step,
    is_zero,
    numeric_check,
    printed_check,
    run_standalone,
    simulation_check,
)

q, x, s, eta, t, eps, lm = sp.symbols("q x s eta t epsilon lambda_-", positive=True)
n = sp.Symbol("n", integer=True, nonnegative=True)
u, z = sp.symbols("u z", positive=True)
LAM = q**2
LOWER, UPPER = (1 - q) ** 2, (1 + q) ** 2
ORDER = 8  # symbolic terms checked


def edge_factor(which: str) -> sp.Expr:
    """Smooth factor A(x) with f(ν) p(ν) dν = √x A(x) dx (f = ν for train, 1 for gen)."""
    base = sp.sqrt(4 * q - x) / (2 * sp.pi * q**2)
    return base if which == "train" else base / (LOWER + x)


_EDGE_COEFFICIENTS: dict[str, tuple[sp.Expr, ...]] = {}  # which -> (A_0, …, A_{N−1}), the longest computed


def edge_coefficients(which: str, order: int = ORDER) -> list[sp.Expr]:
    """Taylor coefficients A_0 … A_{order−1} of :func:`edge_factor` at x = 0 (exact in q).

    Each coefficient is simplified once per ``which``: a request for more terms than are cached
    expands to the new order and simplifies only the new coefficients (the simplified A_k does not
    depend on the order of the expansion it is read from).
    """
    have = _EDGE_COEFFICIENTS.get(which, ())
    if len(have) < order:
        ser = sp.series(edge_factor(which), x, 0, order).removeO()
        have = have + tuple(sp.simplify(ser.coeff(x, k)) for k in range(len(have), order))
        _EDGE_COEFFICIENTS[which] = have
    return list(have[:order])


def plain_series(which: str, order: int = ORDER) -> sp.Expr:
    """e^{−λ₋ s} Σ_n A_n Γ(n+3/2) s^{−n−3/2} (Watson's lemma)."""
    a = edge_coefficients(which, order)
    return sp.exp(-LOWER * s) * sum(a[k] * sp.gamma(k + sp.Rational(3, 2)) * s ** (-k - sp.Rational(3, 2))
                                    for k in range(order))


def hankel_train(order: int = ORDER) -> sp.Expr:
    """Eq. 9 with the Hankel expansion I₁(z) ~ e^z/√(2πz) Σ (−1)^k a_k(1)/z^k, z = 2qs."""
    zz = 2 * q * s
    a = [sp.prod([(4 - (2 * j - 1) ** 2) for j in range(1, k + 1)]) / (sp.factorial(k) * 8**k) for k in range(order)]
    inner = sum((-1) ** k * a[k] / zz**k for k in range(order))
    return sp.exp(-s * (1 + LAM)) * sp.exp(zz) / sp.sqrt(2 * sp.pi * zz) * inner / (q * s)


# -- numerical references (independent of grok_theory.linear.late_time and of the engine) ---------------
def _exact_train(lam: mpmath.mpf, s_: mpmath.mpf) -> mpmath.mpf:
    """Levi Eq. 9: e^{−s(1+λ)} I₁(2s√λ)/(s√λ)."""
    r = mpmath.sqrt(lam)
    return mpmath.exp(-s_ * (1 + lam)) * mpmath.besseli(1, 2 * s_ * r) / (s_ * r)


def _exact_gen_integral(lam: mpmath.mpf, s_: mpmath.mpf) -> mpmath.mpf:
    """L_gen(s) − L_gen(∞) = ∫_s^∞ L_tr(u) du (Eq. 21), by quadrature in v = λ₋(u − s)."""
    low = (1 - mpmath.sqrt(lam)) ** 2
    if low == 0:
        return mpmath.quad(lambda v: _exact_train(lam, s_ + v), [0, s_, mpmath.inf])
    return mpmath.quad(lambda v: _exact_train(lam, s_ + v / low), [0, 1, 10, mpmath.inf]) / low


def gen_loss_bessel_series(lam: mpmath.mpf, s_: mpmath.mpf, tol_digits: int | None = None) -> mpmath.mpf:
    """Exact L_gen(s) for γ = 0 as a convergent series of modified Bessel functions.

    With ν = 1 + λ − 2q cos θ, ν p(ν)dν = (2/π) sin²θ dθ and the Poisson kernel
    1/ν = (1/|1−λ|)(1 + 2 Σ_{m≥1} r^m cos mθ), r = min(q, 1/q):

        L_gen = (1 − 1/λ)⁺ + e^{−s(1+λ)}/|1−λ| Σ_{m≥0} ε_m r^m [I_m(z) − (I_{m+2}(z) + I_{|m−2|}(z))/2],

    z = 2qs, ε_0 = 1, ε_m = 2 (derivation ``levi2024.gen_loss_exact``). Geometric convergence
    (ratio r; I_m(z) ≤ I_0(z)); λ ≠ 1 (at λ = 1 use ``mp.laplace_critical``).
    """
    tol = mpmath.mpf(10) ** (-(tol_digits or mpmath.mp.dps) - 5)
    r = mpmath.sqrt(lam) if lam < 1 else 1 / mpmath.sqrt(lam)
    zz = 2 * mpmath.sqrt(lam) * s_
    scale = mpmath.besseli(0, zz)
    total, m, rm = mpmath.mpf(0), 0, mpmath.mpf(1)
    while True:
        term = (1 if m == 0 else 2) * rm * (mpmath.besseli(m, zz) - (mpmath.besseli(m + 2, zz) + mpmath.besseli(abs(m - 2), zz)) / 2)
        total += term
        if rm * scale < tol * abs(total) and m > 2:
            break
        m += 1
        rm *= r
    atom = max(mpmath.mpf(0), 1 - 1 / lam)
    return atom + mpmath.exp(-s_ * (1 + lam)) * total / abs(1 - lam)


# -- derivations -------------------------------------------------------------------------------
def late_time_series() -> Derivation:
    # the full coefficient lists (ORDER terms; the gen ones cost about a second of simplify) are
    # built inside the checks, so that constructing the derivation stays cheap
    c_tr = lambda: edge_coefficients("train")
    c_gen = lambda: edge_coefficients("gen")
    k = sp.Symbol("k", integer=True, nonnegative=True)
    closed_tr = sp.sqrt(4 * q) / (2 * sp.pi * q**2) * sp.binomial(sp.Rational(1, 2), k) * (-1 / (4 * q)) ** k
    # uniform generalisation series: ∫_s^∞ e^{−λ₋u} u^{−n−3/2} du = λ₋^{n+1/2} Γ(−n−1/2, λ₋ s)
    term = lm ** (n + sp.Rational(1, 2)) * sp.uppergamma(-n - sp.Rational(1, 2), lm * s)
    integrand = sp.exp(-lm * s) * s ** (-n - sp.Rational(3, 2))

    def cauchy_product_ok() -> bool:
        g, tr = c_gen(), c_tr()
        return all(abs(sp.N((LOWER * g[m] + (g[m - 1] if m else 0) - tr[m]).subs(q, qv), 50)) < 1e-40
                   for m in range(ORDER) for qv in (sp.Rational(3, 10), sp.Rational(7, 10)))

    def error_order() -> bool:
        from grok_theory.linear.late_time import late_time_series as lts
        from grok_theory.linear.model import TeacherStudent

        m = TeacherStudent(0.5)
        ts_ = ("2000", "4000")
        with mpmath.workdps(40):
            exact = [_exact_train(mpmath.mpf("0.5"), 4 * mpmath.mpf(0.01) * mpmath.mpf(tv)) for tv in ts_]
            for order in (1, 2, 3, 4):
                ser = lts(m, "train", order=order, dps=40, optimal=False)
                e = [abs(ser.mp_value(tv) - x) / x for tv, x in zip(ts_, exact)]
                if abs(mpmath.log(e[0] / e[1]) / mpmath.log(2) - order) > 0.1:
                    return False
        return True

    steps = [
        Step("the MP density near the lower edge: (λ₊−ν)(ν−λ₋) = x(4q − x)", sp.Eq((UPPER - (LOWER + x)) * x, x * (4 * q - x)),
             "λ₊ − λ₋ = 4q", lambda: is_zero(sp.expand((UPPER - (LOWER + x)) * x - x * (4 * q - x))), "sympy: polynomial identity"),
        Step("Watson's lemma: the Laplace transform of x^{n+1/2}", sp.Eq(sp.Integral(x ** (n + sp.Rational(1, 2)) * sp.exp(-s * x), (x, 0, sp.oo)),
                                                                         sp.gamma(n + sp.Rational(3, 2)) * s ** (-n - sp.Rational(3, 2))),
             "Euler's integral for Γ; the interval beyond the edge's neighbourhood is exponentially small",
             lambda: all(is_zero(sp.integrate(x ** (j + sp.Rational(1, 2)) * sp.exp(-s * x), (x, 0, sp.oo))
                                 - sp.gamma(j + sp.Rational(3, 2)) * s ** (-j - sp.Rational(3, 2))) for j in range(3)),
             "sympy: integrate for n = 0, 1, 2"),
        Step("training-loss edge coefficients in closed form", sp.Eq(sp.Symbol("A_k^{tr}"), closed_tr),
             "binomial series of √(4q − x)",
             lambda: all(is_zero(a - closed_tr.subs(k, j)) for j, a in enumerate(c_tr())), f"sympy: k < {ORDER}"),
        Step("the training series is the Hankel expansion of Eq. 9 (I₁ at z = 2qs)", sp.Eq(sp.Symbol("L_tr"), plain_series("train", 4)),
             "same asymptotic expansion; the e^{−z} part of I₁ is the upper edge",
             lambda: is_zero(sp.simplify(sp.expand(plain_series("train") * sp.exp(LOWER * s) - hankel_train() * sp.exp(LOWER * s)))),
             f"sympy: {ORDER} terms simplify to 0"),
        Step("leading generalisation coefficient: A_0^{gen} = A_0^{tr}/(1−√λ)²",
             sp.Eq(sp.Symbol("A_0^{gen}"), edge_coefficients("gen", 1)[0]), "the factor 1/(λ₋ + x) at x = 0",
             lambda: is_zero(edge_coefficients("gen", 1)[0] - edge_coefficients("train", 1)[0] / LOWER),
             "sympy: simplifies to 0"),
        Step("plain L_gen coefficients grow like λ₋^{−n}: A_n^{gen} = Σ_j A_j^{tr} (−1)^{n−j} λ₋^{j−n−1}",
             sp.Eq(sp.Symbol("A_n^{gen}"), sp.Sum(sp.Symbol("A_j^{tr}") * (-1) ** (n - sp.Symbol("j")) * LOWER ** (sp.Symbol("j") - n - 1), (sp.Symbol("j"), 0, n))),
             "Cauchy product with the geometric series of 1/(λ₋ + x): radius λ₋ → 0 as λ → 1",
             cauchy_product_ok,
             f"numeric: 50 digits at √λ = 3/10, 7/10 for n < {ORDER} of λ₋A_n^gen + A_(n−1)^gen = A_n^tr "
             "((λ₋ + x)·gen factor = train factor)"),
        Step("uniform L_gen: each training term integrates to an incomplete gamma function", sp.Eq(sp.Derivative(term, s), -integrand),
             "L_gen(s) = L_gen(∞) + ∫_s^∞ L_tr (Eq. 21); the remainder stays O(s^{−N}) relative, uniformly in λ₋",
             lambda: all(is_zero(sp.simplify(sp.diff(term.subs(n, j), s) + integrand.subs(n, j))) for j in range(4)),
             "sympy: d/ds for n = 0..3"),
        Step("λ = 1 (λ₋ = 0): power laws, L_tr ~ Σ A_n Γ(n+3/2) s^{−n−3/2}, L_gen ~ Σ A_n Γ(n+3/2) s^{−n−1/2}/(n+1/2)",
             sp.Eq(sp.Symbol("L_gen(λ=1)"), 1 / sp.sqrt(sp.pi * s)), "λ₋^{n+1/2}Γ(−n−1/2, λ₋s) → s^{−n−1/2}/(n+1/2) as λ₋ → 0",
             lambda: is_zero(sp.limit(term.subs(n, 0), lm, 0) - 2 / sp.sqrt(s))
             and is_zero((edge_coefficients("train", 1)[0] * sp.gamma(sp.Rational(3, 2)) * 2).subs(q, 1) - 1 / sp.sqrt(sp.pi)),
             "sympy: limit λ₋ → 0 and the q = 1 prefactor"),
        Step("the N-term truncation error is O(s^{−N}) relative: the library series reproduces every coefficient",
             sp.Eq(sp.Symbol(r"\epsilon_N(s)"), sp.Symbol("C_N") * s ** (-sp.Symbol("N", positive=True))),
             "Watson's lemma remainder; fit-free: the slope of log|error| between s = 80 and 160",
             error_order, "numeric: 40 digits, λ = 1/2, slopes N ± 0.1 for N = 1..4 vs Eq. 9"),
        Step("λ > 1: the same expansions with q > 1 plus the atom (1 − 1/λ) in L_gen (the plateau)",
             sp.Eq(sp.Symbol(r"L_{gen}(\infty)"), 1 - 1 / LAM), "ν = 0 modes never decay for γ = 0",
             lambda: is_zero(sp.Rational(1, 1) - (1 - 1 / LAM) - 1 / LAM), "sympy: continuous mass 1/λ + atom = 1"),
    ]
    # general case (weight decay, discrete GD): h^k = ρ₀^{kt} e^{−σ w} with the edge variable w
    c, g, kk, rho0 = sp.symbols("c g k rho_0", positive=True)
    w = -(rho0 / c) * sp.log(1 - c * x / rho0)
    gd_ok = lambda: is_zero(sp.simplify(sp.expand_log(sp.log(rho0 ** (kk * t) * sp.exp(-(kk * t * c / rho0) * w))
                                                     - kk * t * sp.log(rho0 - c * x), force=True)))
    b, sig = sp.symbols("b sigma", positive=True)
    beta = sp.Rational(1, 2)
    J1 = sp.gamma(beta + 1) * b**beta * sp.exp(b * sig) * sp.uppergamma(-beta, b * sig)
    J2 = -sp.gamma(beta + 1) * (sp.exp(b * sig) * sp.uppergamma(-beta, b * sig) * (beta * b ** (beta - 1) + sig * b**beta) - sig ** (-beta) / b)
    steps += [
        Step("discrete GD: (1 − c(ν+g))^{kt} = ρ₀^{kt} e^{−σw}, σ = ktc/ρ₀, w = −(ρ₀/c) log(1 − cx/ρ₀)",
             sp.Eq(sp.Symbol("h^k"), rho0 ** (kk * t) * sp.exp(-(kk * t * c / rho0) * w)), "ρ₀ = 1 − c(λ₋+g); Watson in w",
             gd_ok, "sympy: logarithms agree"),
        Step("pole terms: J₁ = ∫₀^∞ w^{1/2}e^{−σw}/(w+b) dw = Γ(3/2)b^{1/2}e^{bσ}Γ(−1/2, bσ), J₂ = −∂J₁/∂b",
             sp.Eq(sp.Symbol("J_2"), J2), "a pole of the smooth factor at w = −b (ν = 0, ν = −γ/2) integrated exactly",
             lambda: is_zero(sp.simplify(J2 + sp.diff(J1, b))), "sympy: derivative simplifies to 0"),
        Step("…and J₁ satisfies its defining ODE ∂σJ₁ = bJ₁ − Γ(3/2)σ^{−3/2}", sp.Eq(sp.Derivative(sp.Symbol("J_1"), sig), b * sp.Symbol("J_1") - sp.gamma(beta + 1) * sig ** (-beta - 1)),
             "w/(w+b) = 1 − b/(w+b)", lambda: is_zero(sp.simplify(sp.diff(J1, sig) - b * J1 + sp.gamma(beta + 1) * sig ** (-beta - 1))),
             "sympy: simplifies to 0"),
    ]

    def lib(which: str, lam: str, t_: str, order: int, decaying: bool = False, **kw):
        from grok_theory.linear.late_time import late_time_series as lts
        from grok_theory.linear.model import TeacherStudent

        def run(dps: int):
            ser = lts(TeacherStudent(float(lam), **kw), which, order=order, dps=dps)
            return ser.mp_value(t_, decaying_only=decaying)
        return run

    # the model's lr is the binary float 0.01: the references use the same number
    def ref_train(lam: str, t_: str):
        return lambda dps: _exact_train(mpmath.mpf(lam), 4 * mpmath.mpf(0.01) * mpmath.mpf(t_))

    def ref_gen(lam: str, t_: str):
        return lambda dps: _exact_gen_integral(mpmath.mpf(lam), 4 * mpmath.mpf(0.01) * mpmath.mpf(t_))

    def ref_engine(which: str, t_: str, decaying: bool = False, **kw):
        from grok_theory.linear.model import TeacherStudent

        def run(dps: int):
            m = TeacherStudent(**kw)
            val = (m.train_loss if which == "train" else m.gen_loss)(mpmath.mpf(t_), dps=dps)
            return val - (m.gen_loss_limit(dps=dps) if decaying else 0)
        return run

    checks = (
        numeric_check("L_tr, 8-term series at λ = 0.5, t = 1e6 (s = 4e4) vs Eq. 9 (Bessel): every coefficient to O(s^-8)",
                      lib("train", "0.5", "1e6", 8), ref_train("0.5", "1e6"), digits=30),
        numeric_check("L_gen, uniform 8-term series at λ = 0.9375 (λ₋s = 3.6), t = 1e5 vs ∫_s^∞ Eq. 9 (quadrature)",
                      lib("gen", "0.9375", "1e5", 8), ref_gen("0.9375", "1e5"), digits=30),
        numeric_check("L_gen − L_gen(∞), uniform 10-term series, λ = 0.9375, γ = 2^-20 (poles at ν = 0 and −γ/2 almost merge), "
                      "discrete GD, t = 1e5 vs the engine",
                      lib("gen", "0.9375", "1e5", 10, weight_decay=2.0**-20, dynamics="gd", decaying=True),
                      ref_engine("gen", "1e5", decaying=True, lam=0.9375, weight_decay=2.0**-20, dynamics="gd"), digits=30, quick=False),
    )
    def sim_delta():
        import numpy as np

        from grok_theory.linear.finite_bias import finite_crossing_time
        from grok_theory.linear.late_time import grokking_time_approx
        from grok_theory.linear.model import TeacherStudent
        from grok_theory.linear.simulate import first_crossing, simulate_linear
        from grok_theory.simulation import log_steps
        theory, mean, sem, finite = [], [], [], []
        for lam in (0.5, 0.7):
            n_train = round(400 / lam)
            lam_eff = 400 / n_train
            th = grokking_time_approx(lam_eff, 1e-3, dynamics="gd")
            grid = log_steps(3e4, 180)
            res = simulate_linear(400, n_train=n_train, t=grid, seeds=range(32), eps=1e-3, n_test=10, progress=False)
            d = (first_crossing(res.t, res.gen_loss, 2.5e-4, rising=False)
                 - first_crossing(res.t, res.train_loss, 2.5e-4, rising=False))
            theory.append(th)
            mean.append(float(np.mean(d)))
            sem.append(float(np.std(d, ddof=1) / np.sqrt(d.size)))
            m = TeacherStudent(lam_eff, dynamics="gd")
            finite.append(finite_crossing_time(m, "gen", 2.5e-4, 400, t_guess=th)
                          - finite_crossing_time(m, "train", 2.5e-4, 400))
        return theory, mean, sem, finite

    checks = checks + (simulation_check("Δt from the series (discrete GD) vs real GD, d_in = 400, λ = 0.5 and 0.7, ε = 1e-3, 32 seeds; "
                                        "finite-d: Δt between the crossings of MP + c₁/d_in (exact MP curves, not the series; "
                                        "single-run curvature term not included)", sim_delta, max_z=None, seeds=32),)
    result = sp.Eq(sp.Symbol("L_gen"), sp.Sum(sp.Symbol("B_n") * lm ** (n + sp.Rational(1, 2)) * sp.uppergamma(-n - sp.Rational(1, 2), lm * s), (n, 0, sp.oo)))
    return Derivation("levi2024.late_time_series",
                      "complete late-time series: L_tr ~ e^{−λ₋s} Σ B_n s^{−n−3/2}, B_n = A_n Γ(n+3/2); uniform L_gen ~ Σ B_n λ₋^{n+1/2} Γ(−n−1/2, λ₋s)",
                      ["d_out = 1, γ = 0, flow, default init for the symbolic steps (general case: grok_theory.linear.late_time)",
                       "s = 4ηt → ∞", "q = √λ"], steps, result, "Levi et al. 2024, App. B (extended to all orders)",
                      "grok_theory.linear.late_time.late_time_series", checks=checks)


def _leading_train() -> sp.Expr:
    return plain_series("train", 1)


def _leading_gen_plain() -> sp.Expr:
    return plain_series("gen", 1)


def eq22_eq11_eq23() -> list[Derivation]:
    lead_tr = _leading_train().subs(s, 4 * eta * t)
    lead_gen = _leading_gen_plain().subs(s, 4 * eta * t)
    eq22 = sp.exp(-4 * eta * (1 - q) ** 2 * t) / (16 * sp.sqrt(sp.pi) * q**sp.Rational(3, 2) * (eta * t) ** sp.Rational(3, 2))
    B0 = edge_coefficients("train", 1)[0] * sp.gamma(sp.Rational(3, 2))
    unif0 = (B0 * (1 - q) * sp.uppergamma(-sp.Rational(1, 2), LOWER * s)).subs(s, 4 * eta * t)
    xx = 4 * eta * t * (1 - q) ** 2
    eq23 = (sp.sqrt(eta * t) * sp.exp(-xx) / (2 * sp.sqrt(sp.pi) * eta * t * q**sp.Rational(3, 2))
            - (1 - q) * sp.uppergamma(sp.Rational(1, 2), xx) / (sp.sqrt(sp.pi) * q**sp.Rational(3, 2)))
    pt = {"lam": 0.3, "t": 1000.0, "lr": 0.01}
    val = lambda e: float(sp.N(e.subs({q: sp.sqrt(sp.Rational(3, 10)), eta: sp.Rational(1, 100), t: 1000}), 30))
    d22 = Derivation(
        "levi2024.eq22", "leading late-time training loss", ["d_out = 1, γ = 0, flow", "ηt ≫ 1"],
        [Step("first Watson term equals the printed Eq. 22", sp.Eq(sp.Symbol("L_tr"), lead_tr), "n = 0 term of levi2024.late_time_series",
              lambda: is_zero(sp.simplify(lead_tr - eq22)), "sympy: simplifies to 0")],
        sp.Eq(sp.Symbol("L_tr"), eq22), "Levi et al. 2024, Eqs. 11, 22", "grok_theory.linear.asymptotics.levi2024_eq22",
        checks=(printed_check("Eq. 22 as printed vs the derived leading term at λ = 0.3, t = 1000",
                              lambda: printed.levi2024_eq22(pt["t"], pt["lam"], pt["lr"]), lambda: val(lead_tr)),))
    d11 = Derivation(
        "levi2024.eq11", "leading late-time losses: L_gen ≃ L_tr/(1−√λ)² (plain series; non-uniform as λ → 1)",
        ["d_out = 1, γ = 0, flow", "ηt(1−√λ)² ≫ 1 for L_gen"],
        [Step("first plain Watson term of L_gen", sp.Eq(sp.Symbol("L_gen"), lead_gen), "A_0^{gen} = A_0^{tr}/λ₋",
              lambda: is_zero(sp.simplify(lead_gen - eq22 / (1 - q) ** 2)), "sympy: simplifies to 0")],
        sp.Eq(sp.Symbol("L_gen"), eq22 / (1 - q) ** 2), "Levi et al. 2024, Eq. 11", "grok_theory.linear.asymptotics.levi2024_eq11_gen",
        checks=(printed_check("Eq. 11 (gen) as printed vs the derived leading plain term at λ = 0.3, t = 1000",
                              lambda: printed.levi2024_eq11_gen(pt["t"], pt["lam"], pt["lr"]), lambda: val(lead_gen)),))
    d23 = Derivation(
        "levi2024.eq23", "first term of the uniform L_gen series (∫_s^∞ of Eq. 22)", ["d_out = 1, γ = 0, flow"],
        [Step("B_0 λ₋^{1/2} Γ(−1/2, λ₋s) equals the printed Eq. 23", sp.Eq(sp.Symbol("L_gen"), unif0),
              "Γ(−1/2, z) = 2z^{−1/2}e^{−z} − 2Γ(1/2, z)",
              lambda: bool(abs(sp.N((unif0 - eq23).subs({q: sp.sqrt(sp.Rational(3, 10)), eta: sp.Rational(1, 100), t: 700}), 50)
                          / sp.N(eq23.subs({q: sp.sqrt(sp.Rational(3, 10)), eta: sp.Rational(1, 100), t: 700}), 50)) < 1e-40),
              "numeric: 40 digits at λ = 3/10, η = 1/100, t = 700")],
        sp.Eq(sp.Symbol("L_gen"), eq23), "Levi et al. 2024, Eq. 23", "grok_theory.linear.asymptotics.levi2024_eq23",
        checks=(printed_check("Eq. 23 as printed vs the derived first uniform term at λ = 0.3, t = 1000",
                              lambda: printed.levi2024_eq23(pt["t"], pt["lam"], pt["lr"]), lambda: val(unif0)),))
    return [d22, d11, d23]


def lambert_start(which: str) -> sp.Expr:
    """t* solving (leading term) = ε/4: t = 3/(8ηλ₋) W((2λ₋/3)(4P/ε)^{2/3}), L ≈ P e^{−λ₋s} s^{−3/2}."""
    P = (edge_coefficients(which, 1)[0] * sp.gamma(sp.Rational(3, 2)))
    zarg = sp.Rational(2, 3) * LOWER * (4 * P / eps) ** sp.Rational(2, 3)
    return 3 / (8 * eta * LOWER) * sp.LambertW(zarg)


def eq24() -> Derivation:
    t_tr, t_gen = lambert_start("train"), lambert_start("gen")
    P = edge_coefficients("train", 1)[0] * sp.gamma(sp.Rational(3, 2))
    ss = 4 * eta * t_tr
    residual = lambda: sp.simplify(sp.expand_log(sp.log(P) - LOWER * ss - sp.Rational(3, 2) * sp.log(ss) - sp.log(eps / 4),
                                                 force=True))
    inner_printed = (LAM ** sp.Rational(3, 2) / sp.pi + 1 / (sp.pi * LAM ** sp.Rational(3, 2)) - 6 * LAM / sp.pi + 15 * q / sp.pi
                     - 6 / (sp.pi * LAM) + 15 / (sp.pi * q) - 20 / sp.pi)
    zval = {q: sp.sqrt(sp.Rational(1, 2)), eta: sp.Rational(1, 100), eps: sp.Rational(1, 1000)}
    steps = [
        Step("the Lambert-W solution of Eq. 22 = ε/4", sp.Eq(sp.Symbol("t^*_{tr}"), t_tr), "W(z)e^{W(z)} = z",
             lambda: bool(abs(sp.N(residual().subs(zval), 40)) < 1e-35), "numeric: 40 digits at λ = 1/2, ε = 1e-3 (W is transcendental)"),
        Step("the printed cube-root polynomial is (1−√λ)⁶/(πλ^{3/2})", sp.Eq(inner_printed, (1 - q) ** 6 / (sp.pi * q**3)),
             "binomial expansion of (1−q)⁶", lambda: is_zero(sp.simplify(inner_printed - (1 - q) ** 6 / (sp.pi * q**3))),
             "sympy: simplifies to 0"),
    ]
    ev = lambda e, lam, ep: float(sp.N(e.subs({q: sp.sqrt(sp.Rational(lam)), eta: sp.Rational(1, 100), eps: sp.Rational(ep)}), 30))
    checks = (
        printed_check("Eq. 24 t*_tr as printed vs the derived Lambert-W root at λ = 0.5, ε = 1e-3",
                      lambda: printed.levi2024_eq24_train(1e-3, 0.5, 0.01), lambda: ev(t_tr, "1/2", "1/1000")),
        printed_check("Eq. 24 t*_gen as printed vs the derived Lambert-W root at λ = 0.5, ε = 1e-3",
                      lambda: printed.levi2024_eq24_gen(1e-3, 0.5, 0.01), lambda: ev(t_gen, "1/2", "1/1000")),
    )
    return Derivation("levi2024.eq24", "crossing times of the leading late-time terms (Lambert W); the Newton start of grok_theory.linear.late_time",
                      ["d_out = 1, γ = 0, flow", "criterion L(t*) = ε/4"], steps,
                      sp.Eq(sp.Symbol("t^*_{tr}"), t_tr), "Levi et al. 2024, Eq. 24", "grok_theory.linear.asymptotics.levi2024_eq24_train",
                      checks=checks)


def eps_expansion() -> list[Derivation]:
    """Δt as ε → 0: D/(4ηλ₋) − (3/2)(D+1)/(4ηλ₋ x) + O(x^{−2}), x = λ₋ s*_tr, D = 2 log(1/(1−√λ))."""
    D = 2 * sp.log(1 / (1 - q))
    a_tr, a_gen = edge_coefficients("train", 2), edge_coefficients("gen", 2)
    c_tr = sp.Rational(3, 2) * a_tr[1] / a_tr[0]   # L = P e^{−λ₋s}s^{−3/2}(1 + c/s + …)
    c_gen = sp.Rational(3, 2) * a_gen[1] / a_gen[0]
    X = sp.Symbol("x_tr", positive=True)  # λ₋ s*_tr
    delta = sp.Symbol("Delta")  # λ₋ Δs
    # Δ = D − (3/2) log(1 + Δ/X) + λ₋(c_gen − c_tr)/X + O(X^{-2}); solve to O(1/X)
    first = D - (sp.Rational(3, 2) * D - LOWER * (c_gen - c_tr)) / X
    eq12_limit = sp.limit(first, X, sp.oo) / (4 * eta * LOWER)
    eq12_printed = sp.log(1 / (1 - q)) / (2 * eta * (1 - q) ** 2)
    corrected = (D - 3 * (D + 1) / (2 * X)) / (4 * eta * LOWER)  # = first/(4ηλ₋) by step 1 of levi2024.eq26
    steps12 = [
        Step("W(Cz) − W(z) → log C as z → ∞: the leading Δs is log of the coefficient ratio over λ₋",
             sp.Eq(sp.Symbol("λ₋Δs"), D), "A_0^{gen}/A_0^{tr} = (1−√λ)^{−2}",
             lambda: is_zero(sp.simplify(a_gen[0] / a_tr[0] - sp.exp(D))),
             "sympy: the coefficient ratio is e^D = (1−√λ)^{−2}"),
        Step("Eq. 12 is that limit in units of t", sp.Eq(sp.Symbol(r"\Delta t"), eq12_limit), "s = 4ηt",
             lambda: is_zero(sp.simplify(eq12_limit - eq12_printed)), "sympy: simplifies to 0"),
    ]
    steps26 = [
        Step("next-order coefficients of the two plain series (relative 1/s corrections)",
             sp.Eq(sp.Symbol("c_gen − c_tr"), sp.simplify(c_gen - c_tr)), "A_1/A_0 of each smooth factor times Γ(5/2)/Γ(3/2)",
             lambda: is_zero(sp.simplify(c_gen - c_tr + sp.Rational(3, 2) / LOWER))
             and is_zero(sp.simplify(first - (D - 3 * (D + 1) / (2 * X)))), "sympy: equals −3/(2λ₋); Δ = D − 3(D+1)/(2x)"),
        Step("Δ = λ₋Δs solves Δ = D − (3/2)log(1 + Δ/x) + λ₋(c_gen − c_tr)/x + O(x⁻²); to O(1/x)",
             sp.Eq(delta, sp.simplify(first)), "expand log(1 + Δ/x) and iterate once",
             lambda: is_zero(sp.simplify(sp.series(D - sp.Rational(3, 2) * sp.log(1 + first / X) + LOWER * (c_gen - c_tr) / X - first, X, sp.oo, 2).removeO())),
             "sympy: the residual is O(x^-2)"),
    ]
    ev_pt = dict(lam=0.5, eps=1e-10, lr=0.01)

    def derived26() -> float:
        x_tr = float(sp.N((LOWER * 4 * eta * lambert_start("train")).subs({q: sp.sqrt(sp.Rational(1, 2)), eta: sp.Rational(1, 100),
                                                                            eps: sp.Rational(1, 10**10)}), 30))
        return float(sp.N(corrected.subs({q: sp.sqrt(sp.Rational(1, 2)), eta: sp.Rational(1, 100), X: x_tr}), 30))

    d12 = Derivation("levi2024.eq12", "the ε → 0 limit of the grokking time", ["d_out = 1, γ = 0, flow", "ε → 0 at fixed λ < 1"],
                     steps12, sp.Eq(sp.Symbol(r"\Delta t"), eq12_printed), "Levi et al. 2024, Eq. 12", "grok_theory.linear.asymptotics.levi2024_eq12",
                     checks=(printed_check("Eq. 12 as printed vs the derived ε → 0 limit at λ = 0.5",
                                           lambda: printed.levi2024_eq12(0.5, 0.01),
                                           lambda: float(sp.N(eq12_limit.subs({q: sp.sqrt(sp.Rational(1, 2)), eta: sp.Rational(1, 100)}), 30))),))
    d26 = Derivation("levi2024.eq26", "grokking time to O(1/x), x = λ₋ s*_tr = (3/2)W(z_tr) (Eq. 24): the consistent next order of Eq. 12",
                     ["d_out = 1, γ = 0, flow", "x_tr ≫ 1 and λ₋ s*_gen ≫ 1 (fails as λ → 1 at fixed ε)"], steps26,
                     sp.Eq(sp.Symbol(r"\Delta t"), corrected), "Levi et al. 2024, Eq. 26 (corrected)", "grok_theory.linear.asymptotics.levi2024_eq26_corrected",
                     checks=(printed_check("Eq. 26 as printed vs the derived O(1/x) expansion at λ = 0.5, ε = 1e-10 (Eq. 26 drops the "
                                           "1/s corrections of the late-time series, which are of the same order as its log-log term)",
                                           lambda: printed.levi2024_eq26(ev_pt["eps"], ev_pt["lam"], ev_pt["lr"]), derived26),))
    return [d12, d26]


def critical_scaling() -> Derivation:
    """λ → 1 at fixed ε: Δs → s_gen(λ=1) = 16/(πε²) − …; the scaling form δ²s_gen = X(ε/(4B₀δ))."""
    dlt, X = sp.symbols("delta X", positive=True)
    B0 = edge_coefficients("train", 1)[0] * sp.gamma(sp.Rational(3, 2))
    gen_lead = B0 * dlt * sp.uppergamma(-sp.Rational(1, 2), X)  # at λ₋ s = X, λ₋ = δ²
    small_x = 2 / sp.sqrt(X) - 2 * sp.sqrt(sp.pi)
    steps = [
        Step("uniform leading L_gen with δ = 1 − √λ, X = δ²s: L_gen ≈ B₀ δ Γ(−1/2, X)", sp.Eq(sp.Symbol("L_gen"), gen_lead),
             "levi2024.eq23 in scaling variables", lambda: is_zero(sp.simplify(gen_lead.subs(dlt, 1 - q) - B0 * (1 - q) * sp.uppergamma(-sp.Rational(1, 2), X))),
             "sympy: substitution"),
        Step("Γ(−1/2, X) = 2X^{−1/2} − 2√π + O(X^{1/2}): at fixed ε and δ → 0 the crossing tends to the λ = 1 power law s = 16/(πε²)",
             sp.Eq(sp.Symbol("Γ(−1/2,X)"), small_x), "small-X expansion",
             lambda: all(abs(mpmath.gammainc(-0.5, xv) - (2 / mpmath.sqrt(xv) - 2 * mpmath.sqrt(mpmath.pi))) < 3 * mpmath.sqrt(xv)
                         for xv in (mpmath.mpf(10) ** -4, mpmath.mpf(10) ** -8)),
             "numeric: remainder < 3√X at X = 1e-4, 1e-8"),
        Step("closed crossover form: with 2X^{−1/2} − 2√π = U, s*_gen = X/δ² = 16/(π(λ^{3/4}ε + 4δ)²)",
             sp.Eq(sp.Symbol("s*_gen"), 16 / (sp.pi * (q ** sp.Rational(3, 2) * eps + 4 * dlt) ** 2)),
             "U = ε/(4B₀δ), B₀ = 1/(2√π λ^{3/4})",
             lambda: is_zero(sp.simplify((4 / (eps / (4 * B0 * dlt) + 2 * sp.sqrt(sp.pi)) ** 2 / dlt**2)
                                         - 16 / (sp.pi * (q ** sp.Rational(3, 2) * eps + 4 * dlt) ** 2))),
             "sympy: simplifies to 0"),
        Step("so δ²s*_gen = X*(U) with Γ(−1/2, X*) = U = ε/(4B₀δ): Eq. 12's divergence holds only for U ≪ 1 (δ ≫ ε)",
             sp.Eq(sp.Symbol("s*_gen(λ=1)"), 16 / (sp.pi * eps**2)), "2B₀X^{−1/2}δ = ε/4 with B₀(q=1) = 1/(2√π)",
             lambda: is_zero(sp.simplify(((8 * B0 / eps) ** 2).subs(q, 1) - 16 / (sp.pi * eps**2))), "sympy: simplifies to 0"),
    ]

    def lib(dps: int):
        from grok_theory.linear.late_time import crossing_time_approx
        from grok_theory.linear.model import TeacherStudent
        return mpmath.mpf(crossing_time_approx(TeacherStudent(1.0, lr=0.01), "gen", 1e-3, order=10))

    def ref(dps: int):
        # exact λ = 1 curve L_gen = e^{−2s}(I₀(2s) + I₁(2s)) (mp.laplace_critical), root by mpmath
        f = lambda ss: mpmath.exp(-2 * ss) * (mpmath.besseli(0, 2 * ss) + mpmath.besseli(1, 2 * ss)) - mpmath.mpf(1e-3) / 4
        return mpmath.findroot(f, 16 / (mpmath.pi * mpmath.mpf(1e-3) ** 2)) / (4 * mpmath.mpf(0.01))

    return Derivation("levi2024.critical_scaling", "generalisation time as λ → 1 at fixed ε: t*_gen ≃ 4/(πη(λ^{3/4}ε + 4(1−√λ))²), finite at λ = 1",
                      ["d_out = 1, γ = 0, flow", "δ = 1 − √λ → 0 at fixed ε"], steps,
                      sp.Eq(sp.Symbol("t^*_{gen}"), 4 / (sp.pi * eta * (q ** sp.Rational(3, 2) * eps + 4 * (1 - q)) ** 2)),
                      "Levi et al. 2024, remark after Eq. 12", "grok_theory.linear.late_time.critical_gen_time",
                      checks=(numeric_check("t*_gen at λ = 1, ε = 1e-3: series root (10 terms) vs the root of the exact closed form",
                                            lib, ref, digits=12),))


def gen_loss_exact() -> Derivation:
    th = sp.Symbol("theta", positive=True)
    r = sp.Symbol("r", positive=True)
    m = sp.Symbol("m", integer=True, positive=True)
    # Poisson kernel: 1/(1 + r² − 2r cos θ) = (1/(1−r²))(1 + 2Σ r^m cos mθ); with ν = 1+λ−2q cos θ, λ<1: r = q
    poisson_lhs = 1 / (1 + r**2 - 2 * r * sp.cos(th))
    poisson_partial = (1 + 2 * sum(r**k * sp.cos(k * th) for k in range(1, 12))) / (1 - r**2)
    steps = [
        Step("Poisson kernel expansion of 1/ν (λ < 1: r = √λ; λ > 1: r = 1/√λ and a factor 1/λ)", sp.Eq(poisson_lhs, sp.Sum(r**m * sp.cos(m * th), (m, -sp.oo, sp.oo)) / (1 - r**2)),
             "geometric series of r e^{±iθ}", lambda: bool(abs(sp.N((poisson_lhs - poisson_partial).subs({r: sp.Rational(1, 5), th: sp.Rational(7, 10)}), 30)) < 1e-7),
             "numeric: 11 terms at r = 1/5, θ = 0.7 agree to 7 digits (remainder r^12)"),
        Step("(1/π)∫₀^π cos(mθ) e^{z cos θ} dθ = I_m(z), sin²θ = (1 − cos 2θ)/2", sp.Eq(sp.Symbol("L_gen"), sp.Symbol("atom") + sp.exp(-s * (1 + LAM)) / sp.Abs(1 - LAM)
                                                                                                        * sp.Sum(sp.Symbol("ε_m") * sp.Symbol("r") ** m * (sp.besseli(m, 2 * q * s) - (sp.besseli(m + 2, 2 * q * s) + sp.besseli(sp.Abs(m - 2), 2 * q * s)) / 2), (m, 0, sp.oo))),
             "integral representation of I_m; cos mθ cos 2θ = (cos(m+2)θ + cos(m−2)θ)/2",
             lambda: bool(abs(gen_loss_bessel_series(mpmath.mpf("0.3"), mpmath.mpf(2)) - _exact_gen_integral(mpmath.mpf("0.3"), mpmath.mpf(2))) < mpmath.mpf(10) ** -12),
             "numeric: 12 digits at λ = 0.3, s = 2 vs ∫ of Eq. 9"),
        Step("L_gen is holonomic: (d/ds) of the Bessel ODE for L_tr gives a 3rd-order linear ODE with solutions of exponential rates 0, −λ₋, −λ₊",
             sp.Eq(sp.Derivative(sp.Symbol("L_gen"), s), -sp.Symbol("L_tr")), "Eq. 21; L_tr = e^{−λ₊s} ₁F₁(3/2; 3; 4√λ s) (Kummer)",
             lambda: bool(abs(mpmath.exp(-(1 + mpmath.sqrt(mpmath.mpf("0.3"))) ** 2 * 2) * mpmath.hyp1f1(1.5, 3, 4 * mpmath.sqrt(mpmath.mpf("0.3")) * 2)
                         - _exact_train(mpmath.mpf("0.3"), mpmath.mpf(2))) < mpmath.mpf(10) ** -14),
             "numeric: Kummer form vs Eq. 9 at λ = 0.3, s = 2"),
    ]

    def lib(dps: int):
        return gen_loss_bessel_series(mpmath.mpf("0.5"), 4 * mpmath.mpf(0.01) * 1000)  # the model's lr is the float 0.01

    def engine(dps: int):
        from grok_theory.linear.model import TeacherStudent
        return TeacherStudent(0.5).gen_loss(mpmath.mpf(1000), dps=dps)  # s = 4·0.01·1000 = 40

    def lib_gt1(dps: int):
        return gen_loss_bessel_series(mpmath.mpf("1.5"), 4 * mpmath.mpf(0.01) * 100)

    def engine_gt1(dps: int):
        from grok_theory.linear.model import TeacherStudent
        return TeacherStudent(1.5).gen_loss(mpmath.mpf(100), dps=dps)

    return Derivation("levi2024.gen_loss_exact",
                      "exact L_gen (γ = 0): a convergent Bessel series, and L_gen = L_gen(∞) + ∫_s^∞ L_tr (Eq. 9); closed form only at λ = 1",
                      ["d_out = 1, γ = 0, flow, default init", "λ ≠ 1 for the series (λ = 1: e^{−2s}(I₀(2s)+I₁(2s)), mp.laplace_critical)"],
                      steps, sp.Eq(sp.Symbol("L_gen"), sp.Symbol(r"L_{gen}(\infty)") + sp.Integral(sp.exp(-u * (1 + LAM)) * sp.besseli(1, 2 * q * u) / (q * u), (u, s, sp.oo))),
                      "Levi et al. 2024, §3.1.1 ('no closed form for L_gen')", "grok_theory.derivations.linear.asymptotics.gen_loss_bessel_series",
                      checks=(numeric_check("Bessel series vs the engine, λ = 0.5, s = 40", lib, engine, digits=30),
                              numeric_check("Bessel series vs the engine, λ = 1.5 (atom), s = 4", lib_gt1, engine_gt1, digits=30)))


LAMBDA = sp.Symbol("lambda", positive=True)


def _in_lambda(d: Derivation) -> Derivation:
    """The result with q = √λ written out (the steps keep q, in which they are rational)."""
    return replace(d, result=d.result.subs(q, sp.sqrt(LAMBDA)))


def derivations() -> list[Derivation]:
    return [_in_lambda(d) for d in (late_time_series(), *eq22_eq11_eq23(), eq24(), *eps_expansion(), critical_scaling(),
                                    gen_loss_exact())]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
