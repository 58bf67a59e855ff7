"""The MP-law derivations re-run, and the derivation checks can fail."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from grok_theory.derivations.mp import mp_law
from grok_theory import MarchenkoPastur
from grok_theory.symbolic import Derivation, DerivationError, Step, digits_agree, is_zero, series_agree

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in mp_law.derivations()}


IDS = ["mp.semicircle", "mp.moments", "mp.stieltjes", "mp.cdf", "mp.inverse_moments", "levi2024.eq9",
       "mp.laplace_critical"]


def test_ids_are_stable(derivations):
    """(Every registered derivation is re-verified in tests/test_verify.py.)"""
    assert list(derivations) == IDS
    for d in derivations.values():
        assert d.numeric and d.numeric.startswith("grok_theory.")
        assert d.checks, f"{d.id} has no numeric check"


def test_a_wrong_step_is_caught():
    lam = sp.Symbol("lam", positive=True)
    wrong = Derivation(
        "test.wrong", "a false moment", [], [
            Step("E[ν³] = 1 + 3λ + 2λ² (false: the λ² coefficient is 1)", sp.Integer(0), "none",
                 lambda: is_zero(1 + 3 * lam + 2 * lam**2 - mp_law.narayana_moment(3, lam)), "sympy"),
        ], sp.Integer(0))
    with pytest.raises(DerivationError, match="step 1"):
        wrong.verify()


def test_helpers_can_fail():
    x = sp.Symbol("x")
    assert not is_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1 + x)
    assert is_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1)
    assert not series_agree(sp.exp(x), 1 + x + x**2 / 2, x, 4)
    assert series_agree(sp.exp(x), 1 + x + x**2 / 2 + x**3 / 6, x, 4)
    assert digits_agree(mpmath.pi, sp.pi, 40)
    assert not digits_agree(mpmath.mpf("3.14159265358979"), sp.pi, 20)


def test_cdf_closed_form_equals_implementation(derivations):
    """Triangle: the derived expression (as printed) vs MarchenkoPastur.cdf vs nothing shared."""
    expr = derivations["mp.cdf"].result.rhs
    lam, phi = sp.Symbol("lambda", positive=True), sp.Symbol("φ")
    for lv in ("0.3", "2.5"):
        mp = MarchenkoPastur(lv)
        for frac in ("0.2", "0.7"):
            with mpmath.workdps(40):
                lo, hi = mp._params()["lower"], mp._params()["upper"]
                x = lo + (hi - lo) * mpmath.mpf(frac)
                ph = mpmath.acos((1 + mpmath.mpf(lv) - x) / (2 * mpmath.sqrt(mpmath.mpf(lv))))
                closed = sp.N(expr.subs({lam: sp.Rational(lv), phi: sp.Float(str(ph), 45)}), 40)
                assert digits_agree(mp.cdf(x, dps=40) - mp._params()["atom"], closed, 35)


def test_runs_standalone():
    out = subprocess.run([sys.executable, str(ROOT / "derivations" / "mp" / "mp_law.py")], capture_output=True, text=True,
                         timeout=300, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("verified:") == len(IDS)
