"""Derivations: the Marchenko–Pastur law and the closed forms the engine uses.

Run ``python derivations/mp/mp_law.py`` to print every derivation step by step with its check;
the tests import :func:`derivations` and re-run all checks.

Conventions: ``q = √λ > 0`` is the base symbol (λ = q²), so that edges, densities and
Weierstrass-substituted trigonometric integrands are rational in ``q`` and every identity is
decided exactly by ``sympy.cancel``. The angle variable is ``θ`` with
``ν(θ) = 1 + λ − 2√λ cos θ`` and ``t = tan(θ/2)``.

Derivations
-----------
mp.semicircle   ν p(ν) dν = (2/π) sin²θ dθ, and the continuous mass min(1, 1/λ)
mp.moments      E[ν^k] = Narayana polynomials (exact in symbolic λ, k ≤ 12)
mp.stieltjes    the quadratic λzm² + (z+λ−1)m + 1 = 0 and its root with m ~ −1/z
mp.cdf          the closed-form CDF in the angle variable
mp.inverse_moments  E[1/ν] = 1/(1−λ), E[1/ν²] = 1/(1−λ)³ (λ < 1); E[ν⁻¹; ν > 0] = 1/(λ(λ−1)) (λ > 1)
levi2024.eq9        E[ν e^{−sν}] = e^{−s(1+λ)} I₁(2s√λ)/(s√λ)   (Levi et al. 2024, Eq. 9)
mp.laplace_critical E[e^{−sν}] = e^{−2s}(I₀(2s) + I₁(2s)) at λ = 1
"""
from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import sympy as sp

if __package__ in (None, ""):  # allow `python derivations/mp/mp_law.py` from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import dataclasses  # noqa: E402

from grok_theory.mp import reference  # noqa: E402
from grok_theory.mp.law import MarchenkoPastur, narayana_moment  # noqa: E402
from grok_theory.symbolic import (Derivation, Step, digits_agree, is_zero, numeric_check,  # noqa: E402
                                  run_standalone, series_agree)

q, lam, theta, t, s, z, k = sp.symbols("q lambda theta t s z k", positive=True)
S = sp.Symbol("S")  # stands for √(z−λ₊)·√(z−λ₋)
P = sp.Symbol("p", positive=True)  # q = 1/(1+p) parametrises λ < 1, q = 1+p parametrises λ > 1
MOMENT_ORDER = 12
SERIES_ORDER = 10

# the law in terms of q = √λ
LAM = q**2
LOWER, UPPER = (1 - q) ** 2, (1 + q) ** 2
A_COEF, B_COEF = 1 + q**2, 2 * q  # ν = a − b cos θ


def _nu_of_cos(c: sp.Expr) -> sp.Expr:
    return A_COEF - B_COEF * c


def _weierstrass() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """cos θ, sin θ and dθ/dt for t = tan(θ/2)."""
    return (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2), 2 / (1 + t**2)


def semicircle() -> Derivation:
    c = sp.Symbol("c")  # cos θ
    nu = _nu_of_cos(c)
    radicand = (UPPER - nu) * (nu - LOWER)
    sin_sq = 1 - c**2
    # with sin θ ≥ 0 on [0, π]: √radicand = 2q sin θ and dν/dθ = 2q sin θ
    density_times_nu_dnu = (2 * q) * (2 * q) / (2 * sp.pi * LAM)  # times sin²θ
    cos_t, sin_t, dth = _weierstrass()
    nu_t = _nu_of_cos(cos_t)
    # sin²θ/ν = (cos θ/b + a/b²) + r/(a − b cos θ),  r = −(1−λ)²/(4λ)
    r = -((1 - LAM) ** 2) / (4 * LAM)
    split = sin_sq / nu - (c / B_COEF + A_COEF / B_COEF**2 + r / nu)
    # ∫₀^π dθ/(a − b cos θ): antiderivative (2/|a²−b²|^{1/2}) atan(A tan(θ/2)), A = (1+q)/|1−q|
    mass = {}
    for case, absval in (("λ<1", 1 - q), ("λ>1", q - 1)):
        amp = (1 + q) / absval
        anti_t = 2 / (absval * (1 + q)) * sp.atan(amp * t)
        deriv_ok = is_zero(sp.cancel(sp.diff(anti_t, t) - dth / nu_t))
        # (2/π)[aπ/b² + r·π/((1−q)(1+q))·sign] : the t → ∞ limit of atan is π/2, so ∫₀^π = π/|1−λ|
        total = sp.Rational(2) * (A_COEF / B_COEF**2 + r / (absval * (1 + q)))
        mass[case] = (deriv_ok, sp.factor(total))
    steps = [
        Step("the product under the square root factorises", sp.Eq(sp.Symbol("(λ₊−ν)(ν−λ₋)"), 4 * LAM * sin_sq),
             "ν = 1 + λ − 2√λ cos θ; λ± = (1 ± √λ)²", lambda: is_zero(sp.expand(radicand - 4 * LAM * sin_sq)),
             "sympy: polynomial identity in q, cos θ"),
        Step("ν p(ν) dν/dθ is (2/π) sin²θ", sp.Eq(sp.Symbol("ν p(ν) dν/dθ"), density_times_nu_dnu * sp.sin(theta) ** 2),
             "p = √(...)/(2πλν); √(4λ sin²θ) = 2√λ sin θ for θ ∈ [0, π]; dν/dθ = 2√λ sin θ",
             lambda: is_zero(sp.simplify(density_times_nu_dnu - 2 / sp.pi)), "sympy: simplifies to 0"),
        Step("partial fractions of sin²θ/ν", sp.Eq(sp.Symbol("sin²θ/ν"), c / B_COEF + A_COEF / B_COEF**2 + r / nu),
             "polynomial division in cos θ", lambda: is_zero(sp.cancel(split)), "sympy: rational identity"),
        Step("antiderivative of 1/(a − b cos θ) for λ < 1", sp.Symbol("d/dθ [2 atan(A tan(θ/2))/|1−λ|] = 1/ν"),
             "Weierstrass substitution t = tan(θ/2)", lambda: mass["λ<1"][0], "sympy: rational identity in t"),
        Step("antiderivative of 1/(a − b cos θ) for λ > 1", sp.Symbol("same with |1−√λ| = √λ − 1"),
             "Weierstrass substitution t = tan(θ/2)", lambda: mass["λ>1"][0], "sympy: rational identity in t"),
        Step("continuous mass for λ < 1 is 1", sp.Eq(sp.Symbol("m_c"), mass["λ<1"][1]),
             "(2/π)[aπ/b² + rπ/|1−λ|]", lambda: is_zero(mass["λ<1"][1] - 1), "sympy: simplifies to 0"),
        Step("continuous mass for λ > 1 is 1/λ", sp.Eq(sp.Symbol("m_c"), mass["λ>1"][1]),
             "(2/π)[aπ/b² + rπ/|1−λ|]", lambda: is_zero(mass["λ>1"][1] - 1 / LAM), "sympy: simplifies to 0"),
    ]
    result = sp.Eq(sp.Symbol("E[f(ν)]"), sp.Symbol("(1−1/λ)⁺ f(0) + (2/π)∫₀^π f(ν(θ)) sin²θ/ν(θ) dθ"))
    return Derivation("mp.semicircle", "ν p(ν) is a unit semicircle in the angle variable; the atom makes up the mass",
                      ["λ > 0", "ν(θ) = 1 + λ − 2√λ cos θ, θ ∈ [0, π]"], steps, result, "Levi et al. 2024, Eq. 6",
                      "grok_theory.mp.law.MarchenkoPastur.expect")


def moments() -> Derivation:
    c = sp.cos(theta)

    def semicircle_moment(order: int) -> sp.Expr:
        integrand = sp.expand((A_COEF - B_COEF * c) ** order * sp.sin(theta) ** 2)
        return sp.expand(sp.integrate(integrand, (theta, 0, sp.pi)) * 2 / sp.pi)

    def check() -> bool:
        return all(is_zero(semicircle_moment(kk - 1) - narayana_moment(kk, LAM)) for kk in range(1, MOMENT_ORDER + 1))

    r = sp.Symbol("r", integer=True, nonnegative=True)
    general = sp.Sum(lam**r / (r + 1) * sp.binomial(k, r) * sp.binomial(k - 1, r), (r, 0, k - 1))
    steps = [
        Step("E[ν^k] = E_semicircle[ν^{k−1}] for k ≥ 1 (the atom contributes 0^k = 0)",
             sp.Eq(sp.Symbol("E[ν^k]"), sp.Symbol("(2/π)∫₀^π ν(θ)^{k−1} sin²θ dθ")), "mp.semicircle",
             lambda: True, "follows from mp.semicircle (no separate check)"),
        Step(f"the semicircle integrals equal the Narayana polynomials, k = 1..{MOMENT_ORDER}",
             sp.Eq(sp.Symbol("E[ν^k]"), general),
             "exact integration of the trigonometric polynomial; Narayana numbers count non-crossing partitions by blocks",
             check, f"sympy: exact polynomial identity in λ for k ≤ {MOMENT_ORDER}"),
    ]
    return Derivation("mp.moments", "moments of the MP law are Narayana polynomials in λ", ["λ > 0", "k ≥ 1"],
                      steps, sp.Eq(sp.Symbol("E[ν^k]"), general), "Marchenko & Pastur 1967",
                      "grok_theory.mp.law.MarchenkoPastur.moment")


def stieltjes() -> Derivation:
    B = z + LAM - 1
    m_closed = -2 / (B + S)
    # S² = (z − λ₊)(z − λ₋) = (z + λ − 1)² − 4λz
    quad_on_root = sp.numer(sp.together(LAM * z * m_closed**2 + B * m_closed + 1))
    reduced = sp.expand(quad_on_root).subs(S**2, (z - UPPER) * (z - LOWER))
    def series_check() -> bool:
        w = sp.Symbol("w", positive=True)  # w = 1/z
        series = -sum(narayana_moment(kk, LAM) * w ** (kk + 1) for kk in range(0, 16))
        residual = sp.expand(LAM * series**2 / w + (1 / w + LAM - 1) * series + 1)
        poly = sp.Poly(residual, w)
        return all(is_zero(poly.coeff_monomial(w**j)) for j in range(0, 15))

    def branch_check() -> bool:
        # numeric: the closed form with principal roots equals E[1/(ν−z)] by quadrature
        with mpmath.workdps(40):
            for lv, zv in ((mpmath.mpf("0.3"), mpmath.mpc(-1, 0.5)), (mpmath.mpf(3), mpmath.mpc(2, -1))):
                lo, hi = (1 - mpmath.sqrt(lv)) ** 2, (1 + mpmath.sqrt(lv)) ** 2
                dens = lambda x: mpmath.sqrt((hi - x) * (x - lo)) / (2 * mpmath.pi * lv * x) / (x - zv)
                ref = mpmath.quad(dens, [lo, hi]) + max(0, 1 - 1 / lv) * (-1 / zv)
                closed = -2 / (zv + lv - 1 + mpmath.sqrt(zv - hi) * mpmath.sqrt(zv - lo))
                if not abs(closed - ref) < mpmath.mpf(10) ** -30 * abs(ref):
                    return False
        return True

    # near z = 0 (left of the support) S(z) = −√((λ₊−z)(λ₋−z)); λ < 1 via q = 1/(1+p), λ > 1 via q = 1+p
    p = P
    s_near0 = -sp.sqrt((UPPER - z) * (LOWER - z))
    m_near0 = m_closed.subs(S, s_near0)
    at_zero_small = sp.simplify(sp.limit(m_near0.subs(q, 1 / (1 + p)), z, 0))
    pole_large = sp.simplify(sp.limit((z * m_near0).subs(q, 1 + p), z, 0))
    steps = [
        Step("the closed form solves the quadratic", sp.Eq(LAM * z * sp.Symbol("m") ** 2 + B * sp.Symbol("m") + 1, 0),
             "substitute m = −2/(z+λ−1+S) and S² = (z−λ₊)(z−λ₋)", lambda: is_zero(reduced),
             "sympy: polynomial identity after S² reduction"),
        Step("the moment series −Σ E[ν^k]/z^{k+1} solves the quadratic to O(z^{−16})", sp.Symbol("m(z) = −Σ E[ν^k] z^{−k−1}"),
             "Narayana moments (mp.moments)", series_check, "sympy: coefficients of 1/z^j vanish, j < 15"),
        Step("principal square roots give the branch of E[1/(ν−z)] (cut on [λ₋, λ₊], m ~ −1/z)",
             sp.Eq(sp.Symbol("m(z)"), m_closed), "quadrature of the raw density at two complex z", branch_check,
             "numeric: 30 digits at (λ, z) = (0.3, −1+0.5i), (3, 2−i)"),
        Step("λ < 1: m(0) = 1/(1−λ) = E[1/ν]", sp.Eq(sp.Symbol("m(0)"), at_zero_small), "S(z) = −√((λ₊−z)(λ₋−z)) near 0, S(0) = −(1−λ)",
             lambda: is_zero(at_zero_small - (1 / (1 - LAM)).subs(q, 1 / (1 + p))), "sympy: limit, q = 1/(1+p)"),
        Step("λ > 1: the atom gives the pole −(1−1/λ)/z", sp.Eq(sp.Symbol("lim z m(z)"), pole_large), "S(z) = −√((λ₊−z)(λ₋−z)) near 0, S(0) = −(λ−1)",
             lambda: is_zero(pole_large + (1 - 1 / LAM).subs(q, 1 + p)), "sympy: limit, q = 1+p"),
    ]
    return Derivation("mp.stieltjes", "the Stieltjes transform of the MP law in closed form",
                      ["λ > 0", "z ∉ [λ₋, λ₊]", "S = √(z−λ₊)·√(z−λ₋), principal roots"], steps,
                      sp.Eq(sp.Symbol("m(z)"), m_closed.subs(q, sp.sqrt(lam))), "Marchenko & Pastur 1967",
                      "grok_theory.mp.law.MarchenkoPastur.stieltjes")


def cdf() -> Derivation:
    cos_t, sin_t, dth = _weierstrass()
    nu_t = _nu_of_cos(cos_t)
    target = 2 / sp.pi * sin_t**2 / nu_t * dth  # dF/dt
    checks = {}
    closed = {}
    for case, absval in (("λ<1", 1 - q), ("λ>1", q - 1)):
        amp = (1 + q) / absval
        theta_t = 2 * sp.atan(t)
        F = (sin_t / q + A_COEF * theta_t / (2 * LAM) - (absval * (1 + q) / LAM) * sp.atan(amp * t)) / sp.pi
        closed[case] = F
        checks[case] = is_zero(sp.cancel(sp.diff(F, t) - target))
    F_crit = (sin_t + 2 * sp.atan(t)) / sp.pi  # λ = 1
    crit_target = (2 / sp.pi * sin_t**2 / nu_t * dth).subs(q, 1)
    phi = sp.Symbol("φ")
    shown = (sp.sin(phi) / sp.sqrt(lam) + (1 + lam) * phi / (2 * lam)
             - sp.Abs(1 - lam) / lam * sp.atan((1 + sp.sqrt(lam)) / sp.Abs(1 - sp.sqrt(lam)) * sp.tan(phi / 2))) / sp.pi
    steps = [
        Step("dF/dt equals the density (λ < 1)", sp.Eq(sp.Symbol("F_c"), closed["λ<1"]),
             "t = tan(φ/2); F_c(t=0) = 0", lambda: checks["λ<1"], "sympy: rational identity in t, q"),
        Step("dF/dt equals the density (λ > 1)", sp.Eq(sp.Symbol("F_c"), closed["λ>1"]),
             "t = tan(φ/2); F_c(t=0) = 0", lambda: checks["λ>1"], "sympy: rational identity in t, q"),
        Step("λ = 1: the arctan term drops", sp.Eq(sp.Symbol("F_c"), F_crit), "|1−λ| = 0",
             lambda: is_zero(sp.cancel(sp.diff(F_crit, t) - crit_target)), "sympy: rational identity in t"),
        Step("F_c at the lower edge is 0", sp.Eq(sp.Symbol("F_c(λ₋)"), 0), "t = 0",
             lambda: all(is_zero(F.subs(t, 0)) for F in closed.values()), "sympy: substitution"),
        Step("F_c at the upper edge is min(1, 1/λ)", sp.Symbol("F_c(λ₊) = min(1, 1/λ)"), "t → ∞",
             lambda: is_zero(sp.limit(closed["λ<1"].subs(q, 1 / (1 + P)), t, sp.oo) - 1)
             and is_zero(sp.limit(closed["λ>1"].subs(q, 1 + P), t, sp.oo) - 1 / (1 + P) ** 2),
             "sympy: limit (q = 1/(1+p) and q = 1+p)"),
    ]
    return Derivation("mp.cdf", "closed-form CDF of the continuous part in the angle φ = arccos((1+λ−x)/(2√λ))",
                      ["λ > 0", "x ∈ [λ₋, λ₊]", "the atom (1−1/λ)⁺ is added for x ≥ 0"], steps,
                      sp.Eq(sp.Symbol("F_c(x)"), shown), None, "grok_theory.mp.law.MarchenkoPastur.cdf")


def laplace_power1() -> Derivation:
    closed = sp.exp(-s * (1 + lam)) * sp.besseli(1, 2 * s * sp.sqrt(lam)) / (s * sp.sqrt(lam))
    moment_series = sum((-s) ** j / sp.factorial(j) * narayana_moment(j + 1, lam) for j in range(SERIES_ORDER))
    kappa = sp.Symbol("kappa", positive=True)
    bessel_integral = sp.integrate(sp.expand(sp.series(sp.exp(kappa * sp.cos(theta)), kappa, 0, 8).removeO()
                                             * sp.sin(theta) ** 2), (theta, 0, sp.pi)) / sp.pi

    def numeric() -> bool:
        from grok_theory.mp.law import MarchenkoPastur  # the implementation, for the triangle's second leg

        with mpmath.workdps(60):
            for lv, sv in (("0.3", "2"), ("0.9", "150"), ("2.5", "0.7")):
                l_, s_ = mpmath.mpf(lv), mpmath.mpf(sv)
                ref = mpmath.exp(-s_ * (1 + l_)) * mpmath.besseli(1, 2 * s_ * mpmath.sqrt(l_)) / (s_ * mpmath.sqrt(l_))
                if not digits_agree(MarchenkoPastur(lv).laplace(sv, power=1, dps=50), ref, 48):
                    return False
        return True

    steps = [
        Step("E[ν e^{−sν}] is a semicircle average of e^{−sν}", sp.Symbol("E[ν e^{−sν}] = (2/π)∫₀^π e^{−s(1+λ−2√λ cos θ)} sin²θ dθ"),
             "mp.semicircle with f(ν) = ν e^{−sν}", lambda: True, "follows from mp.semicircle (no separate check)"),
        Step("(1/π)∫₀^π e^{κ cos θ} sin²θ dθ = I₁(κ)/κ", sp.Eq(sp.Symbol("(1/π)∫ e^{κcosθ} sin²θ dθ"), sp.besseli(1, kappa) / kappa),
             "integral representation of I₁; checked on the Taylor series in κ",
             lambda: series_agree(bessel_integral, sp.besseli(1, kappa) / kappa, kappa, 8), "sympy: series to O(κ⁸)"),
        Step(f"Taylor coefficients in s are the moments: Σ (−s)^j E[ν^(j+1)]/j!, j < {SERIES_ORDER}",
             sp.Eq(sp.Symbol("E[ν e^{−sν}]"), closed), "mp.moments",
             lambda: series_agree(closed, moment_series, s, SERIES_ORDER), f"sympy: series in s to O(s^{SERIES_ORDER}), symbolic λ"),
        Step("the engine agrees with the Bessel closed form", sp.Symbol("MarchenkoPastur.laplace(s, power=1)"),
             "verification triangle: closed form vs implementation", numeric, "numeric: 48 digits at 3 points"),
    ]
    return Derivation("levi2024.eq9", "the training-loss integral E[ν e^{−sν}] in closed form",
                      ["λ > 0", "s > 0"], steps, sp.Eq(sp.Symbol("E[ν e^{−sν}]"), closed),
                      "Levi et al. 2024, Eq. 9 (with s = 4ηt)", "grok_theory.mp.law.MarchenkoPastur.laplace")


def laplace_critical() -> Derivation:
    closed = sp.exp(-2 * s) * (sp.besseli(0, 2 * s) + sp.besseli(1, 2 * s))
    moment_series = sum((-s) ** j / sp.factorial(j) * narayana_moment(j, sp.Integer(1)) for j in range(SERIES_ORDER + 2))
    steps = [
        Step("at λ = 1 the moments are the Catalan numbers and the Taylor series match",
             sp.Eq(sp.Symbol("E[e^{−sν}]|_{λ=1}"), closed), "mp.moments at λ = 1",
             lambda: series_agree(closed, moment_series, s, SERIES_ORDER + 2), f"sympy: series in s to O(s^{SERIES_ORDER + 2})"),
        Step("both sides are entire in s with the same Taylor series at 0, hence equal",
             sp.Symbol("uniqueness of analytic continuation"), "E[e^{−sν}] is entire (compact support); so is the Bessel form",
             lambda: True, "argument (no separate check)"),
    ]
    return Derivation("mp.laplace_critical", "the generalisation-loss integral at λ = 1 in closed form",
                      ["λ = 1"], steps, sp.Eq(sp.Symbol("E[e^{−sν}]"), closed), None,
                      "grok_theory.mp.law.MarchenkoPastur.laplace")


def _engine_vs_quadrature(what: str, lam_: str, engine, ref, digits: int = 30):
    """numeric check: the engine at dps against mpmath.quad on the raw density (grok_theory.mp.reference)."""
    return numeric_check(f"{what} at λ = {lam_}: engine vs raw-density quadrature",
                         lambda dps: engine(MarchenkoPastur(lam_), dps), lambda dps: ref(mpmath.mpf(lam_)), digits)


def _stieltjes_quadrature(lam_: mpmath.mpf, zz: mpmath.mpc) -> mpmath.mpc:
    cont = reference.integrate(lam_, lambda nu: 1 / (nu - zz), nu_points={zz.real: abs(zz.imag)})
    return cont + max(0, 1 - 1 / lam_) * (-1 / zz)


def _checks() -> dict[str, tuple]:
    """Numeric checks of each result: the library's implementation vs independent quadrature."""
    f = lambda nu: 1 / (nu + mpmath.mpf(1) / 2)  # a generic smooth test function
    return {
        "mp.semicircle": tuple(_engine_vs_quadrature("E[1/(ν+1/2)]", l, lambda m, dps: m.expect(f, dps=dps),
                                                     lambda lam_: reference.expect(lam_, f)) for l in ("0.3", "2.5")),
        "mp.moments": tuple(_engine_vs_quadrature("E[ν^5]", l, lambda m, dps: mpmath.mpf(m.moment(5, exact=True)),
                                                  lambda lam_: reference.expect(lam_, lambda nu: nu**5)) for l in ("0.7", "1")),
        "mp.stieltjes": tuple(_engine_vs_quadrature(f"m({zz})", l, lambda m, dps, zz=zz: m.stieltjes(complex(zz), dps=dps),
                                                    lambda lam_, zz=zz: _stieltjes_quadrature(lam_, mpmath.mpc(complex(zz))))
                              for l, zz in (("0.5", "3-2j"), ("1.5", "-0.7+0.2j"))),
        "mp.cdf": tuple(_engine_vs_quadrature(f"F({x})", l, lambda m, dps, x=x: m.cdf(x, dps=dps),
                                              lambda lam_, x=x: reference.cdf(lam_, x)) for l, x in (("0.5", "0.7"), ("2", "1.5"))),
        "levi2024.eq9": tuple(_engine_vs_quadrature(f"E[ν e^(−{ss}ν)]", l, lambda m, dps, ss=ss: m.laplace(ss, power=1, dps=dps),
                                                    lambda lam_, ss=ss: reference.laplace(lam_, ss, 1)) for l, ss in (("0.5", "100"), ("1.5", "10"))),
        "mp.inverse_moments": (
            numeric_check("E[1/ν²] at λ = 0.6: engine vs the derived 1/(1−λ)³",
                          lambda dps: MarchenkoPastur("0.6").expect(lambda nu: 1 / nu**2, dps=dps),
                          lambda dps: 1 / (1 - mpmath.mpf("0.6")) ** 3),
            numeric_check("E[ν⁻¹; ν > 0] at λ = 2.5: raw-density quadrature vs the derived 1/(λ(λ−1))",
                          lambda dps: reference.integrate("2.5", lambda nu: 1 / nu),
                          lambda dps: 1 / (mpmath.mpf("2.5") * mpmath.mpf("1.5")))),
        "mp.laplace_critical": (_engine_vs_quadrature("E[e^(−1000ν)]", "1", lambda m, dps: m.laplace("1000", dps=dps),
                                                      lambda lam_: reference.laplace(lam_, 1000, 0)),),
    }


def inverse_moments() -> Derivation:
    """E[1/ν], E[1/ν²] (λ < 1) and the continuous part's E[1/ν] (λ > 1) from the Stieltjes equation."""
    m, A, B0, B1, B2 = sp.symbols("m A B_0 B_1 B_2")
    quad = LAM * z * m**2 + (z + LAM - 1) * m + 1
    # λ < 1: m is regular at z = 0 with m(z) = E[1/ν] + E[1/ν²] z + O(z²)
    reg = sp.expand(quad.subs(m, B0 + B1 * z + B2 * z**2))
    sol = sp.solve([reg.coeff(z, 0), reg.coeff(z, 1)], [B0, B1], dict=True)[0]
    # λ > 1: the atom gives a pole: m(z) = A/z + B0 + O(z)
    sing = sp.expand(z * quad.subs(m, A / z + B0 + B1 * z))
    poles = sp.solve(sing.coeff(z, 0), A)
    a_atom = -(1 - 1 / LAM)
    b_atom = sp.solve(sing.coeff(z, 1).subs(A, a_atom), B0)[0]
    inv1, inv2, inv_c = 1 / (1 - LAM), 1 / (1 - LAM) ** 3, 1 / (LAM * (LAM - 1))
    steps = [
        Step("m(z) = E[1/(ν−z)] solves the MP quadratic", sp.Eq(quad, 0), "mp.stieltjes", lambda: True,
             "follows from mp.stieltjes (no separate check)"),
        Step("λ < 1: the regular branch at z = 0 has m(0) = E[1/ν] = 1/(1−λ)", sp.Eq(sp.Symbol("E[1/ν]"), inv1),
             "z⁰ coefficient of the quadratic", lambda: is_zero(sol[B0] - inv1), "sympy: solve, difference simplifies to 0"),
        Step("λ < 1: m'(0) = E[1/ν²] = 1/(1−λ)³", sp.Eq(sp.Symbol("E[1/ν²]"), inv2), "z¹ coefficient",
             lambda: is_zero(sol[B1] - inv2), "sympy: solve, difference simplifies to 0"),
        Step("λ > 1: the pole residue is −(1 − 1/λ), the atom", sp.Eq(sp.Symbol("A"), a_atom), "z⁰ coefficient of z·quadratic",
             lambda: any(is_zero(p_ - a_atom) for p_ in poles), "sympy: solve"),
        Step("λ > 1: the continuous part's E[1/ν] is 1/(λ(λ−1))", sp.Eq(sp.Symbol("E_c[1/ν]"), inv_c),
             "z¹ coefficient; m_c(z) = m(z) − A/z", lambda: is_zero(b_atom - inv_c), "sympy: solve, difference simplifies to 0"),
    ]
    result = sp.Eq(sp.Symbol("E[1/ν]"), 1 / (1 - lam))
    return Derivation("mp.inverse_moments", "negative moments of the MP law: E[1/ν] = 1/(1−λ), E[1/ν²] = 1/(1−λ)³ "
                      "for λ < 1; E[ν⁻¹; ν > 0] = 1/(λ(λ−1)) for λ > 1",
                      ["λ ≠ 1", "the Stieltjes transform is analytic at z = 0 for λ < 1 (λ₋ > 0)"], steps, result,
                      "Levi et al. 2024, App. D", "grok_theory.mp.law.MarchenkoPastur.expect")


def derivations() -> list[Derivation]:
    """All derivations of this family, in reading order."""
    checks = _checks()
    found = [semicircle(), moments(), stieltjes(), cdf(), inverse_moments(), laplace_power1(), laplace_critical()]
    return [dataclasses.replace(d, checks=checks.get(d.id, ())) for d in found]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
