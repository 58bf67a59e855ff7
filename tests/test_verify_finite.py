"""Simulation checks against the finite-d_in prediction: the check API, the bound, and that a wrong theory fails."""
from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grok_theory.linear.finite_bias import finite_crossing_time, finite_curves, finite_excess  # noqa: E402
from grok_theory.linear.finite_size import mean_curve_correction  # noqa: E402
from grok_theory.linear.grokking import crossing_time  # noqa: E402
from grok_theory.linear.model import TeacherStudent  # noqa: E402
from grok_theory.symbolic import simulation_check, simultaneous_z_bound  # noqa: E402


def test_finite_prediction_decides_and_both_z_reported():
    # mean 1.10 ± 0.01: the d → ∞ value 1.0 is 10 SE off, the finite prediction 1.105 is 0.5 SE off
    r = simulation_check("x", lambda: ([1.0], [1.10], [0.01], [1.105]), max_z=4).run()
    assert r.ok and r.z == pytest.approx(0.5) and r.z_limit == pytest.approx(10.0)
    assert "vs finite-d = 0.50, vs d → ∞ = 10.00" in r.note and "10.50 standard errors" in r.note
    bad = simulation_check("x", lambda: ([1.10], [1.10], [0.01], [1.0]), max_z=4).run()
    assert not bad.ok and bad.z == pytest.approx(10.0) and bad.z_limit == 0.0  # a wrong finite prediction fails


def test_three_tuple_and_bias_note_are_backward_compatible():
    r = simulation_check("x", lambda: ([1.0, 2.0], [1.01, 2.0], [0.01, 0.1]), max_z=4, bias="not derived").run()
    assert r.ok and r.z == pytest.approx(1.0) and r.z_limit is None and r.bound == 4
    assert r.note.endswith("finite size: not derived")
    with pytest.raises(ValueError, match="max_z"):
        simulation_check("x", lambda: ([1.0], [1.0], [1.0]), max_z=0)
    with pytest.raises(ValueError, match="run"):
        simulation_check("x", lambda: ([1.0], [1.0]), max_z=1).run.__call__()


def test_simultaneous_bound():
    # one comparison, normal: the two-sided 1 − α quantile √2 erfinv(1 − α), by mpmath
    assert simultaneous_z_bound(1, alpha=1e-3) == pytest.approx(float(mpmath.sqrt(2) * mpmath.erfinv(1 - mpmath.mpf("1e-3"))), rel=1e-12)
    # Bonferroni: n comparisons at α are one comparison at α/n
    assert simultaneous_z_bound(12, alpha=1e-3) == pytest.approx(simultaneous_z_bound(1, alpha=1e-3 / 12), rel=1e-12)
    # estimated standard errors (few seeds) need a wider bound, approaching the normal one
    assert simultaneous_z_bound(12, seeds=8) > simultaneous_z_bound(12, seeds=32) > simultaneous_z_bound(12)
    for bad in (dict(comparisons=0), dict(comparisons=2, seeds=1), dict(comparisons=2, alpha=1.5)):
        with pytest.raises(ValueError):
            simultaneous_z_bound(**bad)
    r = simulation_check("x", lambda: (np.zeros(12), np.zeros(12), np.ones(12)), max_z=None, seeds=16).run()
    assert r.bound == pytest.approx(simultaneous_z_bound(12, seeds=16)) and "Bonferroni over 12 points" in r.note


def test_finite_bias_helpers():
    m = TeacherStudent(0.6, weight_decay=1e-3, label_noise=0.1, d_out=2)
    t = np.array([10.0, 300.0])
    mp, fin = finite_curves(m, ("gen_loss", "train"), t, 50)
    np.testing.assert_allclose(mp, np.concatenate([m.gen_loss(t), m.train_loss(t)]), rtol=1e-14)
    np.testing.assert_allclose(fin - mp, np.concatenate([mean_curve_correction(m, w, t) for w in ("gen", "train")]) / 50,
                               rtol=1e-10, atol=1e-16)
    exc = finite_excess(m, "norm", t, 1e6, 50)
    assert exc.shape == (2,) and np.all(np.isfinite(exc))
    # d_in = None is the MP crossing: agrees with grokking.crossing_time (independent root finder), level ε/4
    clean = TeacherStudent(0.6, d_out=2)
    tg = finite_crossing_time(clean, "gen", 1e-2 / 4, None, t_guess=1e3)
    assert np.isfinite(tg) and tg == pytest.approx(float(crossing_time(clean, "gen", 1e-2)), rel=1e-9)
    # the 1/d_in correction raises the loss at late times, so the crossing comes later
    assert tg < finite_crossing_time(clean, "gen", 1e-2 / 4, 100, t_guess=1e3) < 2 * tg
    with pytest.raises(ValueError, match="name"):
        finite_curves(m, ("loss",), t, 50)


@pytest.mark.slow
def test_late_bias_check_rejects_mp_and_wrong_lambda():
    """d_in = 400, λ = 1.5 (issue 19): MP + c₁/d_in passes, MP alone and MP at λ = 1.45 are rejected."""
    from derivations.linear import finite_size as fs
    from grok_theory.symbolic import registry

    sims = [c for c in registry.get("finite_size.mean_correction").checks if c.kind == "simulation"]
    late = sims[1].run()  # the registered check (d_in = 400)
    assert late.ok and late.z < late.bound < 8 < late.z_limit  # MP is ≥ 8 standard errors off at t = 1000, 3000
    mp_only = simulation_check("MP alone", lambda: fs.late_bias_run()()[:3], max_z=None).run()
    assert not mp_only.ok and mp_only.z == pytest.approx(late.z_limit)
    wrong = simulation_check("λ = 1.45", fs.late_bias_run(theory_lam=1.45), max_z=None).run()
    assert not wrong.ok


def test_wishart_second_moment_used_by_structured_check():
    """E (1/d) Tr (XᵀX/N)² = (1 + 1/N) m₂ + (d/N) m₁² for rows x ~ N(0, Σ), Σ diagonal: exact Isserlis
    moments of a d = 2 Gaussian (SymPy), then the sum over N independent rows."""
    import sympy as sp

    s1, s2, N = sp.symbols("s1 s2 N", positive=True)
    z1, z2 = sp.symbols("z1 z2")
    x = sp.Matrix([sp.sqrt(s1) * z1, sp.sqrt(s2) * z2])
    moments = {4: 3, 2: 1, 0: 1}

    def expect(expr):  # E over independent standard normals z1, z2 (odd powers vanish)
        poly = sp.Poly(sp.expand(expr), z1, z2)
        return sum(c * (moments.get(a, 0) * moments.get(b, 0)) for (a, b), c in poly.terms())

    xxT = x * x.T
    one = (xxT * xxT).applyfunc(expect)  # E[x xᵀ x xᵀ]
    Sig = sp.diag(s1, s2)
    # N rows: N·E[xxᵀxxᵀ] + N(N − 1)Σ², trace/(d N²)
    lhs = sp.simplify((N * one.trace() + N * (N - 1) * (Sig * Sig).trace()) / (2 * N**2))
    m1, m2 = (s1 + s2) / 2, (s1**2 + s2**2) / 2
    assert sp.simplify(lhs - ((1 + 1 / N) * m2 + (2 / N) * m1**2)) == 0
