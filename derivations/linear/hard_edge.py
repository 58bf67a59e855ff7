"""Derivations: the smallest eigenvalue of Σ_tr at the hard edge with parameter a = |N_tr − d_in|, and the
hard-to-soft crossover (issue 19).

Run ``python derivations/linear/hard_edge.py``; the tests and ``grok-theory verify`` import :func:`derivations`.

W = XᵀX for a real Gaussian X of size m × n (m = max(N_tr, d_in), n = min, a = m − n): the nonzero
eigenvalues of Σ_tr are those of W/N_tr. The eigenvalues of W have the Laguerre orthogonal
(β = 1) density ∝ ∏ λ_i^{(a−1)/2} e^{−λ_i/2} ∏_{i<j} |λ_i − λ_j| (James 1964).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from grok_theory.mp import edge  # noqa: E402
from grok_theory.mp.precision import context, prec_of, result, to_ctx  # noqa: E402
from grok_theory.mp.wishart import sample_spectrum  # noqa: E402
from grok_theory.symbolic import (Derivation, Step, approximation_check, is_zero, numeric_check,  # noqa: E402
                                  run_standalone, series_agree, simulation_check)

x, y = sp.symbols("x y", positive=True)
l1, l2 = sp.symbols("lambda_1 lambda_2", positive=True)
n, a, j = sp.symbols("n a j", positive=True, integer=True)


def finite_n_a3(nn: int, yy):
    """Exact P(λ_min(XᵀX) > y) for m = n + 3 (a = 3): e^{−ny/2} Σ_j C(n, j) y^j/(j + 1)!."""
    return sp.exp(-nn * yy / 2) * sum(sp.binomial(nn, k) * yy**k / sp.factorial(k + 1) for k in range(nn + 1))


def _n2_direct(a_val: int) -> sp.Expr:
    """P(λ_min > y) at n = 2 by integrating the LOE density ∝ (λ₁λ₂)^{(a−1)/2} e^{−(λ₁+λ₂)/2} |λ₁ − λ₂| (λ₁ > λ₂)."""
    w = (l1 * l2) ** sp.Rational(a_val - 1, 2) * sp.exp(-(l1 + l2) / 2) * (l1 - l2)
    inner = sp.integrate(w, (l1, l2, sp.oo))
    num = sp.integrate(inner, (l2, y, sp.oo))
    return sp.simplify(num / num.subs(y, 0))


def _mc_survival(nn: int, a_val: int, xs, sets: int = 10000, seed: int = 91):
    """(exact P(n λ_min > x), Monte Carlo proportion, binomial s.e.) from exact bidiagonal samples."""
    def run():
        lmin = sample_spectrum(nn, nn + a_val, sets, rng=seed, smallest=1)[:, 0] * (nn + a_val)  # λ_min(XᵀX)
        p = np.array([np.mean(nn * lmin > v) for v in xs])
        exact = [float(finite_n_a3(nn, sp.Rational(v) / nn)) if a_val == 3 else math.exp(-v / 2) for v in xs]
        return exact, p, np.sqrt(np.maximum(p * (1 - p), 1 / sets) / sets)
    return run


def _e2_toeplitz(a_val: int, xx, dps: int):
    """E₂^hard in the variable x: e^{−x} det[I_{j−k}(2√x)]_{j,k<a} (Forrester & Hughes 1994, β = 2)."""
    ctx = context(prec_of(dps))
    xm = to_ctx(xx, ctx)
    r = 2 * ctx.sqrt(xm)
    return result(ctx.exp(-xm) * ctx.det(ctx.matrix([[ctx.besseli(jj - k, r) for k in range(a_val)] for jj in range(a_val)])), dps)


def hard_edge_a() -> Derivation:
    e1 = sp.Function("E_1")
    closed = {0: sp.exp(-x / 2 - sp.sqrt(x)), 1: sp.exp(-x / 2), 3: sp.exp(-x / 2) * sp.besseli(1, 2 * sp.sqrt(x)) / sp.sqrt(x)}
    series_a3 = sp.Sum(x**j / (sp.factorial(j) * sp.factorial(j + 1)), (j, 0, sp.oo))
    steps = [
        Step("shift λ = y + μ in P(λ_min > y): the Vandermonde is shift invariant, so for a = 1 (weight e^{−λ/2}) "
             "P(λ_min(W) > y) = e^{−ny/2} exactly at every n",
             sp.Eq(sp.Symbol("P(λ_min > y)|_{a=1}"), sp.exp(-n * y / 2)), "James density, change of variables",
             lambda: is_zero(_n2_direct(1) - sp.exp(-y)), "sympy: direct double integral at n = 2 equals e^{−y}"),
        Step("a = 3 (weight λ e^{−λ/2}): P = e^{−ny/2} E_{a=1}[det(y + W)]/E_{a=1}[det W]; with E[k×k principal minor] "
             "= m!/(m−k)! (m = n + 1) this is e^{−ny/2} Σ_j C(n, j) y^j/(j + 1)!",
             sp.Eq(sp.Symbol("P(λ_min > y)|_{a=3}"), sp.exp(-n * y / 2) * sp.Sum(sp.binomial(n, j) * y**j / sp.factorial(j + 1), (j, 0, n))),
             "shift, then expand det(y + W) in principal minors",
             lambda: all(is_zero(_n2_direct(3) - finite_n_a3(2, y)) for _ in [0]),
             "sympy: direct double integral at n = 2 equals the sum"),
        Step("hard-edge limit y = x/n: C(n, j)(x/n)^j → x^j/j!, so E₁(x; 3) = e^{−x/2} Σ_j x^j/(j!(j+1)!) = e^{−x/2} I₁(2√x)/√x",
             sp.Eq(e1(x, 3), closed[3]), "termwise limit (dominated by e^{x})",
             lambda: series_agree(sp.besseli(1, 2 * sp.sqrt(x)) / sp.sqrt(x),
                                  sum(x**k / (sp.factorial(k) * sp.factorial(k + 1)) for k in range(9)), x, 8),
             "sympy: series of I₁(2√x)/√x equals Σ x^j/(j!(j+1)!) to O(x⁸)"),
        Step("general a: E₁(x; a) = lim P(n λ_min(W) > x) = det(I − C_x) on L²(0, 1), C_x(u, v) = √x J_a(2√(x u v)) "
             "(a = 0 is Edelman's e^{−x/2−√x})",
             sp.Eq(e1(x, a), sp.Symbol("det(I − C_x)")), "Desrosiers & Forrester 2006 (Fredholm form of Forrester 2000)",
             lambda: True, "theorem cited; checked against the closed forms a = 0, 1, 3 (30 digits), against "
                           "det(I − C)det(I + C) = E₂ at a = 2, and against exact samples below"),
        Step("finite n: scaling x = c_n λ_min with c_n = (√m' + √n')²/4 = n + (a − 1)/2 + O(1/n) (m' = m − ½, n' = n − ½) "
             "removes the O(1/n) error: at a = 1 the exact law has c_n = n; at a = 3, with c_n = n + δ/4, the 1/n term of the "
             "exact sum is y F·(δ/8 − 1/2) + y F'·(1 − δ/4) (F = ₀F₁(; 2; y), using y F'' + 2F' = F), zero at δ = 4 = 2(a − 1)",
             sp.Eq(sp.Symbol("c_n"), (sp.sqrt(n + a - sp.Rational(1, 2)) + sp.sqrt(n - sp.Rational(1, 2))) ** 2 / 4),
             "expansion of the exact a = 3 law in 1/n",
             lambda: is_zero(sp.limit(((sp.sqrt(n + a - sp.Rational(1, 2)) + sp.sqrt(n - sp.Rational(1, 2))) ** 2 / 4
                                       - n - (a - 1) / sp.Integer(2)), n, sp.oo)),
             "sympy: (√m' + √n')²/4 − n − (a − 1)/2 → 0"),
    ]
    checks = [
        numeric_check(f"E₁(x; {av}) at x = {xv}: Fredholm determinant vs closed form", 
                      lambda dps, av=av, xv=xv: edge.hard_edge_cdf(xv, av, dps=dps),
                      lambda dps, av=av, xv=xv: 1 - closed[av].subs(x, sp.Rational(xv)).evalf(dps), digits=30)
        for av, xv in ((0, "7/10"), (1, "3/2"), (3, "1"))
    ]
    checks.append(numeric_check(
        "a = 2, x = 1: det(I − C_x)·det(I + C_x) vs E₂ = e^{−x} det[I_{j−k}(2√x)] (β = 2, Forrester–Hughes)",
        lambda dps: edge.hard_edge_determinant(1, 2, -1, dps=dps) * edge.hard_edge_determinant(1, 2, 1, dps=dps),
        lambda dps: _e2_toeplitz(2, 1, dps), digits=30))
    checks.append(simulation_check("P(n λ_min(XᵀX) > x), a = 3, n = 20: exact finite-n sum vs 10000 exact (bidiagonal) spectra",
                                   _mc_survival(20, 3, [1, 2, 4, 8]), quick=True))
    checks.append(simulation_check("P(n λ_min(XᵀX) > x), a = 1, n = 20: e^{−x/2} vs 10000 exact (bidiagonal) spectra",
                                   _mc_survival(20, 1, [0.5, 1, 2, 4]), quick=True))
    checks += [approximation_check(f"median of ν_min at d_in = {d}, N_tr = {nn} (a = {nn - d}): hard-edge law vs 4000 exact samples",
                                   lambda d=d, nn=nn: edge.smallest_eigenvalue_law(d, nn, "hard").quantile(0.5),
                                   lambda d=d, nn=nn: float(np.median(sample_spectrum(d, nn, 4000, rng=53, smallest=1)[:, 0])))
               for d, nn in ((50, 52), (200, 202), (200, 210))]
    return Derivation("finite_size.hard_edge_a",
                      "law of the smallest eigenvalue of Σ_tr with a = |N_tr − d_in| fixed (β = 1 hard edge)",
                      ["real Gaussian data", "a = |N_tr − d_in| fixed, d_in → ∞"], steps,
                      sp.Eq(sp.Symbol("P(c_n N_tr ν_min > x)"), e1(x, a)),
                      "Forrester 2000; Desrosiers & Forrester 2006; Edelman 1988 (a = 0)",
                      "grok_theory.mp.edge.hard_edge_cdf", checks=tuple(checks))


def hard_to_soft() -> Derivation:
    m_, n_ = sp.symbols("m' n'", positive=True)
    c_n = (sp.sqrt(m_) + sp.sqrt(n_)) ** 2 / 4
    mu = (sp.sqrt(m_) - sp.sqrt(n_)) ** 2
    steps = [
        Step("the Bessel turning point x = a²/4 (J_a(2√x) turns from exponential to oscillatory) is mapped by the scale "
             "c_n = (√m' + √n')²/4 exactly onto the Marchenko–Pastur edge μ₋ = (√m' − √n')², since m' − n' = a",
             sp.Eq(c_n * mu, (m_ - n_) ** 2 / 4), "difference of squares",
             lambda: is_zero(sp.expand(c_n * mu - (m_ - n_) ** 2 / 4)), "sympy: expands to 0"),
        Step("near the turning point the hard-edge law tends to TW₁ with width 2^{2/3} a^{4/3} in s = 4x "
             "(Borodin & Forrester 2003); the soft-edge width σ₋ mapped by 4c_n is a(√m+√n)(√m−√n)^{1/3}(mn)^{−1/6}: the ratio "
             "((√m + √n)/(2(mn)^{1/4}))^{2/3} = 1 + O((a/n)²), 1.010 at λ = 1/2",
             sp.Eq(sp.Symbol("w"), ((sp.sqrt(m_) + sp.sqrt(n_)) / (2 * (m_ * n_) ** sp.Rational(1, 4))) ** sp.Rational(2, 3)),
             "ratio of widths",
             lambda: abs(float((((1 + sp.sqrt(2)) / (2 * 2 ** sp.Rational(1, 4))) ** sp.Rational(2, 3)).evalf()) - 1.0101) < 1e-3,
             "numeric: 1.0101 at m = 2n"),
    ]
    checks = tuple(
        approximation_check(f"median of ν_min at d_in = {d}, N_tr = {nn}: hard-edge law (a = {nn - d}) vs 4000 exact samples",
                            lambda d=d, nn=nn: edge.smallest_eigenvalue_law(d, nn, "hard").quantile(0.5),
                            lambda d=d, nn=nn: float(np.median(sample_spectrum(d, nn, 4000, rng=57, smallest=1)[:, 0])))
        for d, nn in ((50, 56), (200, 400)))
    return Derivation("finite_size.hard_to_soft", "one law for the smallest eigenvalue from the hard to the soft edge",
                      ["real Gaussian data", "d_in → ∞; any a = |N_tr − d_in|"], steps,
                      sp.Eq(sp.Symbol("P(ν_min ≤ ν)"), 1 - sp.Function("E_1")(c_n * sp.Symbol("N_tr") * sp.Symbol("ν"), m_ - n_)),
                      "this project (hard edge scaled to the MP edge); Borodin & Forrester 2003 for a → ∞",
                      "grok_theory.mp.edge.smallest_eigenvalue_law", checks=checks)


def derivations() -> list[Derivation]:
    """All derivations of this module, in reading order."""
    return [hard_edge_a(), hard_to_soft()]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
