"""Tests of the Marchenko–Pastur engine against independent references.

References: tests/data/mp_reference.json (mpmath.quad on the raw density in ν, two rules,
≥ 50 agreeing digits, made by scripts/precompute_mp_reference.py), mpmath's Bessel
functions (Levi Eq. 9 closed form), and exact identities.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_theory import MarchenkoPastur, QuadratureError, narayana_moment
from tests.conftest import assert_digits

REF = json.loads((Path(__file__).parent / "data" / "mp_reference.json").read_text())
LAMS = ["0.05", "0.3", "0.5", "0.9", "0.99", "1", "1.01", "1.5", "4"]

lam_st = st.floats(min_value=0.02, max_value=20.0, allow_nan=False)


def _ids(entry: dict) -> str:
    return f"lam={entry['lam']}-s={entry['s']}-p={entry['power']}"


# --- reference values ---------------------------------------------------------------


def test_reference_grid_is_complete():
    keys = {(e["lam"], e["s"], e["power"]) for e in REF["laplace"]}
    assert {k[0] for k in keys} == set(LAMS)
    assert max(float(k[1]) for k in keys) >= 1e6
    assert min(e["digits_agreed"] for e in REF["laplace"]) >= 50


@pytest.mark.parametrize("entry", REF["laplace"], ids=_ids)
def test_laplace_mp_matches_reference_to_32_digits(entry):
    mp = MarchenkoPastur(entry["lam"])
    value = mp.laplace(entry["s"], power=entry["power"], dps=34)
    with mpmath.workdps(80):
        assert_digits(value, mpmath.mpf(entry["value"]), 32, what=_ids(entry))


@pytest.mark.parametrize("entry", REF["laplace"], ids=_ids)
def test_laplace_float64_full_relative_precision(entry):
    mp = MarchenkoPastur(entry["lam"])
    s = float(entry["s"])
    with mpmath.workdps(80):
        ref = mpmath.mpf(entry["value"])
        log_ref = mpmath.log(ref)
    got_log = mp.log_laplace(s, power=entry["power"])
    # the logarithm to (almost) float64 resolution, including values far below 1e-308
    assert abs(got_log - float(log_ref)) <= 1e-13 * max(1.0, abs(float(log_ref))), _ids(entry)
    if float(log_ref) > -700:
        got = mp.laplace(s, power=entry["power"])
        assert abs(got / float(ref) - 1) <= 1e-12, _ids(entry)


def test_laplace_vectorised_equals_scalar_calls():
    mp = MarchenkoPastur(0.9)
    s = np.array([[0.0, 1e-3, 0.7], [3.0, 1e2, 1e5]])
    vec = mp.laplace(s, power=1)
    assert vec.shape == s.shape
    for idx in np.ndindex(s.shape):
        assert vec[idx] == pytest.approx(mp.laplace(float(s[idx]), power=1), rel=1e-14)


@pytest.mark.parametrize("entry", REF["cdf"], ids=lambda e: f"lam={e['lam']}-x={e['x'][:12]}")
def test_cdf_matches_reference(entry):
    mp = MarchenkoPastur(entry["lam"])
    with mpmath.workdps(80):
        ref = mpmath.mpf(entry["value"])
    assert_digits(mp.cdf(entry["x"], dps=40), ref, 35, what="cdf")
    assert abs(mp.cdf(float(entry["x"])) - float(ref)) <= 1e-13


@pytest.mark.parametrize("entry", REF["stieltjes"], ids=lambda e: f"lam={e['lam']}-z={e['z']}")
def test_stieltjes_matches_reference(entry):
    mp = MarchenkoPastur(entry["lam"])
    z = complex(entry["z"])
    with mpmath.workdps(80):
        ref = mpmath.mpc(mpmath.mpf(entry["re"]), mpmath.mpf(entry["im"]))
        # the reference reads z as the exact decimal it is written as
        got = mp.stieltjes(mpmath.mpc(mpmath.mpf(repr(z.real)), mpmath.mpf(repr(z.imag))), dps=40)
        assert abs(got - ref) <= mpmath.mpf(10) ** -35 * abs(ref)
    assert abs(mp.stieltjes(z) - complex(ref)) <= 1e-13 * abs(complex(ref))


# --- independent closed forms ----------------------------------------------------------


@pytest.mark.parametrize("lam", ["0.1", "0.7", "1", "2.5"])
@pytest.mark.parametrize("s", ["0.25", "3", "400", "2e5"])
@pytest.mark.parametrize("dps", [15, 30, 60, 100])
def test_levi_eq9_bessel_closed_form_any_precision(lam, s, dps):
    """E[ν e^{−sν}] = e^{−s(1+λ)} I₁(2s√λ)/(s√λ) (Levi Eq. 9) at several precisions."""
    value = MarchenkoPastur(lam).laplace(s, power=1, dps=dps)
    with mpmath.workdps(dps + 20):
        lm, sm = mpmath.mpf(lam), mpmath.mpf(s)
        ref = mpmath.exp(-sm * (1 + lm)) * mpmath.besseli(1, 2 * sm * mpmath.sqrt(lm)) / (sm * mpmath.sqrt(lm))
    assert_digits(value, ref, dps - 1, what=f"eq9 lam={lam} s={s} dps={dps}")


@pytest.mark.parametrize("s", ["0.5", "7", "3e3", "1e7"])
def test_critical_lam_power0_bessel_form(s):
    """At λ = 1: E[e^{−sν}] = e^{−2s}(I₀(2s) + I₁(2s)) (derivation mp.laplace_power0_marcum)."""
    value = MarchenkoPastur(1).laplace(s, dps=40)
    with mpmath.workdps(60):
        sm = mpmath.mpf(s)
        ref = mpmath.exp(-2 * sm) * (mpmath.besseli(0, 2 * sm) + mpmath.besseli(1, 2 * sm))
    assert_digits(value, ref, 39, what=f"lam=1 s={s}")


def test_late_time_power_law_at_lam_one_in_float():
    # E[e^{−sν}] ~ 1/√(π s) at λ = 1 (no gap): check the float path at s = 1e8
    s = 1e8
    with mpmath.workdps(30):
        sm = mpmath.mpf(s)
        ref = mpmath.exp(-2 * sm) * (mpmath.besseli(0, 2 * sm) + mpmath.besseli(1, 2 * sm))
    assert MarchenkoPastur(1.0).laplace(s) == pytest.approx(float(ref), rel=1e-12)


# --- moments ------------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(0, 9))
def test_moments_exact_and_numeric(k):
    lam = sympy.Symbol("lam", positive=True)
    poly = MarchenkoPastur(0.3).moment(k, symbolic=True)
    assert sympy.expand(poly - narayana_moment(k, lam)) == 0
    exact = MarchenkoPastur("0.3").moment(k, exact=True)
    assert exact == poly.subs(lam, sympy.Rational(3, 10))
    assert isinstance(exact, sympy.Rational)
    # the quadrature agrees with the closed form (independent path: expect of ν^k)
    value = MarchenkoPastur("0.3").expect(lambda x: x**k, dps=40)
    assert_digits(value, sympy.N(exact, 60), 38, what=f"moment {k}")
    assert MarchenkoPastur(0.3).moment(k) == pytest.approx(float(exact), rel=1e-15)


def test_moment_low_orders_symbolic():
    lam = sympy.Symbol("lam", positive=True)
    mp = MarchenkoPastur(2)
    assert mp.moment(1, symbolic=True) == 1
    assert sympy.expand(mp.moment(2, symbolic=True) - (1 + lam)) == 0
    assert sympy.expand(mp.moment(3, symbolic=True) - (1 + 3 * lam + lam**2)) == 0


def test_exact_input_types_are_read_exactly():
    assert MarchenkoPastur(Fraction(1, 3)).moment(2, exact=True) == sympy.Rational(4, 3)
    assert MarchenkoPastur(sympy.Rational(1, 3)).moment(2, exact=True) == sympy.Rational(4, 3)
    v = MarchenkoPastur("0.1").laplace(0, power=2, dps=50)
    with mpmath.workdps(60):
        assert_digits(v, mpmath.mpf("1.1"), 49, what="E[nu^2] at lam = 1/10 exactly")
        # the binary float 0.1 is a different lam, visibly so at 50 digits
        assert abs(MarchenkoPastur(0.1).laplace(0, power=2, dps=50) - mpmath.mpf("1.1")) > mpmath.mpf(10) ** -20


# --- the atom and the CDF -------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.3, 1.0, 1.5, 4.0])
def test_cdf_edges_atom_and_normalisation(lam):
    mp = MarchenkoPastur(lam)
    assert mp.atom == pytest.approx(max(0.0, 1 - 1 / lam), abs=1e-15)
    assert mp.cdf(-1e-12) == 0.0
    assert mp.cdf(0.0) == pytest.approx(mp.atom, abs=1e-15)
    assert mp.cdf(mp.upper) == 1.0
    assert mp.cdf(mp.lower + 1e-300) == pytest.approx(mp.atom, abs=1e-12)
    # the continuous mass is min(1, 1/λ): E[1] through the density
    assert mp.expect(np.ones_like) == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize("lam", [0.3, 0.99, 1.0, 2.0])
def test_cdf_derivative_is_pdf(lam):
    mp = MarchenkoPastur(lam)
    x = np.linspace(mp.lower, mp.upper, 41)[1:-1]
    h = 1e-6
    deriv = (mp.cdf(x + h) - mp.cdf(x - h)) / (2 * h)
    np.testing.assert_allclose(deriv, mp.pdf(x), rtol=1e-6)


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0])
def test_rvs_follows_the_law(lam):
    from scipy import stats

    mp = MarchenkoPastur(lam)
    draws = mp.rvs(20000, rng=1234)
    assert draws.shape == (20000,)
    zeros = np.count_nonzero(draws == 0)
    # atom frequency within 5 binomial standard deviations
    sd = math.sqrt(20000 * mp.atom * (1 - mp.atom)) + 1e-9
    assert abs(zeros - 20000 * mp.atom) <= 5 * sd + 1e-9
    cont = draws[draws > 0]
    ks = stats.kstest(cont, lambda x: (mp.cdf(x) - mp.atom) / (1 - mp.atom))
    assert ks.pvalue > 1e-3
    assert np.array_equal(mp.rvs(50, rng=7), mp.rvs(50, rng=7))


# --- property tests ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(lam=lam_st)
def test_normalisation_mean_second_moment(lam):
    mp = MarchenkoPastur(lam)
    assert mp.laplace(0.0) == pytest.approx(1.0, rel=1e-14)
    assert mp.laplace(0.0, power=1) == pytest.approx(1.0, rel=1e-14)
    assert mp.laplace(0.0, power=2) == pytest.approx(1 + lam, rel=1e-14)
    assert mp.expect(lambda x: x) == pytest.approx(1.0, rel=1e-13)
    assert mp.expect(lambda x: x * x) == pytest.approx(1 + lam, rel=1e-13)


@settings(max_examples=40, deadline=None)
@given(lam=lam_st, x=st.lists(st.floats(-1.0, 40.0), min_size=2, max_size=30))
def test_cdf_monotone_in_unit_interval(lam, x):
    mp = MarchenkoPastur(lam)
    xs = np.sort(np.array(x))
    F = mp.cdf(xs)
    assert np.all((F >= 0) & (F <= 1))
    assert np.all(np.diff(F) >= -1e-15)


@settings(max_examples=60, deadline=None)
@given(lam=lam_st, re=st.floats(-50, 50), im=st.floats(1e-6, 50))
def test_stieltjes_symmetry_and_herglotz(lam, re, im):
    mp = MarchenkoPastur(lam)
    z = complex(re, im)
    m = mp.stieltjes(z)
    assert m.imag > 0
    assert mp.stieltjes(z.conjugate()) == pytest.approx(m.conjugate(), rel=1e-12, abs=1e-300)
    # the defining quadratic: λ z m² + (z + λ − 1) m + 1 = 0
    resid = lam * z * m * m + (z + lam - 1) * m + 1
    assert abs(resid) <= 1e-9 * (1 + abs(lam * z * m * m) + abs((z + lam - 1) * m))


@settings(max_examples=30, deadline=None)
@given(lam=lam_st, s0=st.floats(0.0, 1e4), h=st.floats(1e-3, 10.0), power=st.integers(0, 2))
def test_laplace_completely_monotone(lam, s0, h, power):
    """(−1)^k Δ_h^k L(s) ≥ 0 for k ≤ 3, and L(s)·L(s+2h) ≥ L(s+h)² (log-convexity)."""
    mp = MarchenkoPastur(lam)
    s = s0 + h * np.arange(4)
    logL = mp.log_laplace(s, power=power)
    assert np.all(np.diff(logL) <= 1e-12 * np.abs(logL[:-1]) + 1e-13)  # decreasing
    assert logL[0] + logL[2] >= 2 * logL[1] - 1e-11 * (1 + abs(logL[1]))
    L = np.exp(logL - logL[0])
    for k in range(1, 4):
        assert (-1) ** k * np.diff(L, n=k)[0] >= -1e-12 * 2**k


# --- expect --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lam", ["0.4", "1", "2.5"])
def test_expect_resolvent_equals_stieltjes(lam):
    mp = MarchenkoPastur(lam)
    with mpmath.workdps(50):
        ref = mp.stieltjes(-2, dps=45).real
    assert_digits(mp.expect(lambda x: 1 / (x + 2), dps=40), ref, 39, what="E[1/(ν+2)]")
    assert mp.expect(lambda x: 1 / (x + 2)) == pytest.approx(float(ref), rel=1e-13)


@pytest.mark.parametrize("lam", [0.3, 1.0, 1.7])
@pytest.mark.parametrize("s", [0.0, 0.5, 50.0, 5e4])
def test_expect_with_decay_matches_laplace(lam, s):
    mp = MarchenkoPastur(lam)
    assert mp.expect(lambda x: x * x, s=s) == pytest.approx(mp.laplace(s, power=2), rel=1e-12)
    assert mp.log_expect(lambda x: np.ones_like(x), s=s) == pytest.approx(mp.log_laplace(s), rel=1e-12, abs=1e-14)
    assert_digits(mp.expect(lambda x: x, dps=30, s=s), mp.laplace(s, power=1, dps=35), 29, what="expect vs laplace")


def test_expect_rejects_uncertifiable_function():
    mp = MarchenkoPastur(0.5)
    with pytest.raises(QuadratureError):
        mp.expect(lambda x: 1 if x < 1 else 0, dps=40)


def test_expect_requires_vectorised_function():
    with pytest.raises(ValueError, match="vectorised"):
        MarchenkoPastur(0.5).expect(lambda x: 1.0)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "-2", "abc", sympy.Integer(0)])
def test_bad_lam_value(bad):
    with pytest.raises(ValueError, match="lam"):
        MarchenkoPastur(bad)


@pytest.mark.parametrize("bad", [None, 1 + 2j, True, [0.5], sympy.Symbol("x")])
def test_bad_lam_type(bad):
    with pytest.raises(TypeError, match="lam"):
        MarchenkoPastur(bad)


def test_bad_arguments_name_the_parameter():
    mp = MarchenkoPastur(0.5)
    with pytest.raises(ValueError, match="power"):
        mp.laplace(1.0, power=-1)
    with pytest.raises(TypeError, match="power"):
        mp.laplace(1.0, power=1.5)
    with pytest.raises(ValueError, match="s must be >= 0"):
        mp.laplace(-1.0)
    with pytest.raises(ValueError, match="s must be finite"):
        mp.laplace([1.0, np.nan])
    with pytest.raises(ValueError, match="dps"):
        mp.laplace(1.0, dps=0)
    with pytest.raises(TypeError, match="dps"):
        mp.laplace(1.0, dps=10.5)
    with pytest.raises(TypeError, match="s must be a scalar"):
        mp.laplace([1.0, [2.0]], dps=20)
    with pytest.raises(ValueError, match="k must be >= 0"):
        mp.moment(-1)
    with pytest.raises(TypeError, match="f must be callable"):
        mp.expect(3.0)
    with pytest.raises(ValueError, match="z must be finite"):
        mp.stieltjes(complex(np.inf, 0))


@pytest.mark.parametrize("lam", ["1.000001", "0.999999", "1.0001", Fraction(999, 1000)])
@pytest.mark.parametrize("s", [40.0, 4e7])
def test_float_path_with_exact_lam_near_one(lam, s):
    """λ given exactly near 1: the float64 path takes log λ and |1 − λ|/λ from λ as given.

    From the float64 λ, 1 − λ keeps only ~10 digits at λ = 1 + 1e-6; the pole term then put the
    float64 laplace 4.5e-13 (relative) off the exact value (measured before the fix)."""
    import mpmath

    law = MarchenkoPastur(lam)
    exact = law.laplace(s, dps=30)
    with mpmath.workdps(30):
        assert abs(law.laplace(s) / exact - 1) < 2e-15
        assert abs(law.cdf(0.5) / law.cdf(0.5, dps=30) - 1) < 2e-15


def _quad_continuous(lam: float, f, s: float) -> mpmath.mpf:
    """E[f(ν) e^{−sν}; ν > 0] by mpmath.quad on the MP density, split geometrically from λ₋."""
    with mpmath.workdps(40):
        lam_m = mpmath.mpf(lam)
        lo, hi = (1 - mpmath.sqrt(lam_m)) ** 2, (1 + mpmath.sqrt(lam_m)) ** 2
        pts = sorted({lo, hi, *(lo + mpmath.mpf(10) ** k for k in range(-16, 1) if lo + mpmath.mpf(10) ** k < hi)})
        return +mpmath.quad(lambda nu: mpmath.sqrt((hi - nu) * (nu - lo)) / (2 * mpmath.pi * lam_m * nu) * f(nu) * mpmath.exp(-s * nu), pts)


# (where λ₋ ≫ 1/s, e.g. λ = 1.5 at s = 1e4, this quad reference is off by 2e-7 while the engine's
# float64 and dps values agree with Arb's enclosure, so those points are not used)
@pytest.mark.parametrize("lam, s", [(1.000001, 0.0), (1.000001, 1e2), (1.000001, 1e4), (1.001, 1e4), (1.5, 0.0),
                                    (1.5, 1e2), (30.0, 0.0)])
def test_float64_expect_above_one_through_the_dual_law(lam, s):
    """For λ > 1 the float64 expect/log_expect average the continuous part through MP(1/λ) (no rule
    across the step between the atom and the continuous part starting at λ₋ ≈ 0). Before, at
    λ = 1 + 1e-6: expect(1/(1+ν)) off by 1.3e-14, log_expect(1/(1+ν), s=1e4) by 4.3e-10. Against
    mpmath.quad on the density; ``continuous=True`` leaves the atom out."""
    law = MarchenkoPastur(lam)
    cont = _quad_continuous(lam, lambda nu: 1 / (1 + nu), s)
    full = cont + law.atom
    assert abs(law.expect(lambda nu: 1 / (1 + nu), s=s) / full - 1) < 4e-15
    assert abs(law.expect(lambda nu: 1 / (1 + nu), s=s, continuous=True) / cont - 1) < 4e-15
    assert abs(law.log_expect(lambda nu: 1 / (1 + nu), s=s) - mpmath.log(full)) < 4e-15
    assert abs(law.log_expect(lambda nu: 1 / (1 + nu), s=s, continuous=True) - mpmath.log(cont)) < 4e-15 * max(1, abs(float(mpmath.log(cont))))
    got = law.expect(lambda nu, ctx: 1 / (1 + nu), dps=25, s=s, continuous=True)
    assert abs(got / cont - 1) < 1e-24
    with pytest.raises(ValueError, match="continuous"):
        law.expect(lambda nu: nu, dps=20, certified=True, continuous=True)
    with pytest.raises(TypeError, match="continuous"):
        law.expect(lambda nu: nu, continuous="yes")


def test_dual_law_is_exact():
    """MP(1/λ) keeps λ exact: rational inputs as fractions, irrational SymPy numbers as SymPy numbers."""
    assert MarchenkoPastur("1.5").dual == MarchenkoPastur(Fraction(2, 3))
    assert MarchenkoPastur(sympy.sqrt(2)).dual == MarchenkoPastur(1 / sympy.sqrt(2))
