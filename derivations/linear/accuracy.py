"""Derivations: accuracy as a function of the loss (Levi et al. 2024, Eqs. 10 and 13).

Run ``python derivations/linear/accuracy.py``; the tests and ``grok-theory verify`` import :func:`derivations`.

For a fresh input x ~ N(0, I) the error of the student is e = Dᵀx ∈ R^{d_out}, Gaussian with
covariance DᵀD given D. A sample counts as correct when its per-output mean squared error
‖e‖²/d_out is below ε (Levi's convention). For d_out = 1, e ~ N(0, ‖D‖²) exactly and
‖D‖² = L_gen. For d_out > 1 the paper takes DᵀD ≈ L_gen·I (isotropy), so ‖e‖²/L_gen ~ χ²_{d_out};
the exact law is a generalised χ² with the eigenvalues of DᵀD as weights.
"""
from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp

if __package__ in (None, ""):  # allow `python derivations/linear/accuracy.py` from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from grok_theory.linear.model import accuracy_from_loss  # noqa: E402
from grok_theory.linear.simulate import simulate_linear  # noqa: E402
from grok_theory.symbolic import Derivation, Step, is_zero, numeric_check, run_standalone, simulation_check  # noqa: E402

e, x, X = sp.symbols("e x X", real=True)
L, eps = sp.symbols("L varepsilon", positive=True)
k = sp.Symbol("d_out", positive=True, integer=True)
MAX_D = 6


def _per_seed_check(d_out: int, lam: float, t: int, eps_: float, seeds: int = 12):
    """Seed means of (test accuracy, Eq. 10/13 applied to that seed's own L_gen), and their paired standard error."""
    def run() -> tuple:
        res = simulate_linear(200, lam=lam, d_out=d_out, t=[t], seeds=range(seeds), eps=eps_, n_test=4000, progress=False)
        predicted = accuracy_from_loss(res.gen_loss[:, 0], eps_, d_out)
        diff = res.test_accuracy[:, 0] - predicted
        return [float(predicted.mean())], [float(res.test_accuracy[:, 0].mean())], [float(diff.std(ddof=1) / np.sqrt(seeds))]
    return run


def eq10() -> Derivation:
    density = sp.exp(-e**2 / (2 * L)) / sp.sqrt(2 * sp.pi * L)
    prob = sp.integrate(density, (e, -sp.sqrt(eps), sp.sqrt(eps)))
    result = sp.erf(sp.sqrt(eps / (2 * L)))
    steps = [
        Step("given D, the error on a fresh input is e = Dᵀx ~ N(0, ‖D‖²) and ‖D‖² = L_gen (d_out = 1)",
             sp.Eq(sp.Symbol("p(e)"), density), "x ~ N(0, I_{d_in}) is Gaussian and isotropic", lambda: True,
             "definition (no separate check)"),
        Step("P(e² < ε) = ∫_{−√ε}^{√ε} p(e) de = erf(√(ε/(2L)))", sp.Eq(sp.Symbol("A"), prob), "Gaussian integral",
             lambda: is_zero(prob - result), "sympy: integrate, difference simplifies to 0"),
        Step("Levi's criterion L = ε/4 is accuracy erf(√2) ≈ 95.45 %", sp.Eq(sp.Symbol("A(L = ε/4)"), result.subs(L, eps / 4)),
             "substitution", lambda: is_zero(result.subs(L, eps / 4) - sp.erf(sp.sqrt(2))), "sympy: substitution"),
    ]
    checks = (
        numeric_check("A at L = 3e-4, ε = 1e-3: accuracy_from_loss vs mpmath.quad of the Gaussian density",
                      lambda dps: accuracy_from_loss(mpmath.mpf("3e-4"), 1e-3, 1, dps=dps),
                      lambda dps: mpmath.quad(lambda u: mpmath.npdf(u, 0, mpmath.sqrt(mpmath.mpf("3e-4"))),
                                              [-mpmath.sqrt(mpmath.mpf(1e-3)), 0, mpmath.sqrt(mpmath.mpf(1e-3))])),
        simulation_check("test accuracy of real GD (λ = 0.7, t = 1500, ε = 1e-3, d_in = 200, 4000 test samples, 12 seeds) "
                         "vs Eq. 10 at each seed's own ‖D‖²", _per_seed_check(1, 0.7, 1500, 1e-3), max_z=4.5,
                         bias="none from the spectrum: the prediction uses each seed's own ‖D‖² (no MP average)"),
    )
    return Derivation("levi2024.eq10", "accuracy of a one-output linear student as a function of its loss",
                      ["d_out = 1", "x ~ N(0, I)", "correct ⇔ squared error < ε"], steps, sp.Eq(sp.Symbol("A"), result),
                      "Levi et al. 2024, Eq. 10", "grok_theory.linear.model.accuracy_from_loss", checks=checks)


def eq13() -> Derivation:
    def chi2_cdf(dd: int) -> sp.Expr:
        density = x ** (sp.Rational(dd, 2) - 1) * sp.exp(-x / 2) / (2 ** sp.Rational(dd, 2) * sp.gamma(sp.Rational(dd, 2)))
        return sp.integrate(density, (x, 0, X))

    result = sp.lowergamma(k / 2, k * eps / (2 * L)) / sp.gamma(k / 2)
    steps = [
        Step("isotropy DᵀD ≈ L·I: ‖e‖²/L is a sum of d_out squared standard normals, χ²_{d_out}",
             sp.Eq(sp.Symbol("‖e‖²/L"), sp.Symbol("χ²_{d_out}")), "Levi's approximation above Eq. 13", lambda: True,
             "approximation (measured by the simulation check)"),
        Step(f"the χ²_d CDF is γ(d/2, X/2)/Γ(d/2), d = 1..{MAX_D}", sp.Eq(sp.Symbol("F_{χ²_d}(X)"), sp.lowergamma(k / 2, X / 2) / sp.gamma(k / 2)),
             "integrate the χ² density", lambda: all(is_zero(chi2_cdf(dd) - sp.lowergamma(sp.Rational(dd, 2), X / 2) / sp.gamma(sp.Rational(dd, 2)))
                                                     for dd in range(1, MAX_D + 1)), f"sympy: integrate, d = 1..{MAX_D}"),
        Step("mean convention ‖e‖²/d_out < ε ⇔ χ² < d_out ε/L", sp.Eq(sp.Symbol("A"), result), "substitution X = d_out ε/L",
             lambda: True, "substitution (no separate check)"),
        Step("d_out = 1 gives Eq. 10", sp.Eq(sp.Symbol("A_{d=1}"), result.subs(k, 1)), "γ(1/2, u) = √π erf(√u)",
             lambda: is_zero(result.subs(k, 1) - sp.erf(sp.sqrt(eps / (2 * L)))), "sympy: simplifies to 0"),
    ]
    checks = (
        numeric_check("A at d_out = 5, L = 3e-4, ε = 1e-3: accuracy_from_loss vs mpmath.quad of the χ²_5 density",
                      lambda dps: accuracy_from_loss(mpmath.mpf("3e-4"), 1e-3, 5, dps=dps),
                      lambda dps: mpmath.quad(lambda u: u ** 1.5 * mpmath.exp(-u / 2) / (mpmath.mpf(2) ** 2.5 * mpmath.gamma(2.5)),
                                              [0, 5 * mpmath.mpf(1e-3) / mpmath.mpf("3e-4")])),
        simulation_check("test accuracy of real GD (λ = 0.7, d_out = 5, t = 8000, ε = 1e-3, d_in = 200, 12 seeds) vs "
                         "the isotropic χ² Eq. 13 at each seed's own L_gen", _per_seed_check(5, 0.7, 8000, 1e-3), max_z=4.5,
                         bias="no MP average (each seed's own L_gen); the isotropy DᵀD ≈ L·I is the approximation tested"),
    )
    return Derivation("levi2024.eq13", "accuracy with d_out outputs (isotropic χ² approximation)",
                      ["DᵀD ≈ L_gen·I (isotropy)", "correct ⇔ ‖e‖²/d_out < ε"], steps, sp.Eq(sp.Symbol("A"), result),
                      "Levi et al. 2024, Eq. 13", "grok_theory.linear.model.accuracy_from_loss", checks=checks)


def derivations() -> list[Derivation]:
    """All derivations of this family, in reading order."""
    return [eq10(), eq13()]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
