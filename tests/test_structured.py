"""Structured inputs: the generalised Marchenko–Pastur law, the two-point form and the structured model."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from grok_theory.linear.grokking import grokking_time, phase_diagram
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.structured import StructuredTeacherStudent, simulate_structured
from grok_theory.mp.generalised import GeneralisedMarchenkoPastur, NodeSet, RootError, TwoPoint
from grok_theory.mp.law import MarchenkoPastur


@pytest.mark.parametrize("lam", [0.3, 0.9, 1.5, 4.0])
def test_identity_is_marchenko_pastur_float(lam: float) -> None:
    g, m = GeneralisedMarchenkoPastur.identity(lam), MarchenkoPastur(lam)
    assert g.support == [(pytest.approx(m.lower, rel=1e-15), pytest.approx(m.upper, rel=1e-15))]
    assert g.atom == pytest.approx(m.atom, rel=1e-15)
    x = np.linspace(m.lower, m.upper, 9)[1:-1]
    np.testing.assert_allclose(g.pdf(x), m.pdf(x), rtol=2e-15)
    for s in (0.0, 1.0, 100.0, 700.0):
        for power in (0, 1):
            assert g.expect(lambda v: v**power, s=s) == pytest.approx(m.laplace(s, power=power), rel=1e-14)


def test_identity_is_marchenko_pastur_to_the_digit() -> None:
    a = GeneralisedMarchenkoPastur.identity("0.3").expect(lambda v: v**2, dps=25, s="2.5")
    b = MarchenkoPastur("0.3").expect(lambda v: v**2, dps=25, s="2.5")
    with mpmath.workdps(25):
        assert abs(a / b - 1) < mpmath.mpf(10) ** -24
    (lo, hi), = GeneralisedMarchenkoPastur.identity("0.3").edges(dps=30)
    with mpmath.workdps(30):
        assert abs(lo - (1 - mpmath.sqrt(mpmath.mpf("0.3"))) ** 2) < mpmath.mpf(10) ** -29


def test_dps_paths_are_per_call_and_thread_safe() -> None:
    """Threads at different dps each get their own digits; mpmath.mp is never touched (issue 14).

    Reference: the third moment of the MP law, 1 + 3λ + λ² (Narayana), at λ = 3/10 exactly.
    """
    import threading

    law = GeneralisedMarchenkoPastur.identity("0.3")
    got: dict[int, object] = {}

    def run(dps: int) -> None:
        got[dps] = law.expect(lambda v: v**3, dps=dps)

    threads = [threading.Thread(target=run, args=(d,)) for d in (15, 25, 40, 60)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert mpmath.mp.dps == 15
    with mpmath.workdps(80):
        exact = mpmath.mpf(199) / 100
        for dps, value in got.items():
            assert abs(value / exact - 1) < mpmath.mpf(10) ** (1 - dps), dps
    with pytest.raises(ZeroDivisionError):
        law.expect(lambda v: 1 / (v - v), dps=30)
    assert mpmath.mp.dps == 15
    model = StructuredTeacherStudent(0.5, weight_decay=0.01)
    a = model.gen_loss("300", dps=30)
    assert mpmath.mp.dps == 15 and a.context is mpmath.mp


@pytest.mark.parametrize("lam", [0.5, 2.0])
def test_power_law_moments(lam: float) -> None:
    """(1/d) E Tr A = ⟨σ⟩ and (1/d) E Tr A² = ⟨σ²⟩ + λ⟨σ⟩² (moments of a sample covariance)."""
    g = GeneralisedMarchenkoPastur.power_law(lam, 1.0, 80)
    assert g.expect(np.ones_like) == pytest.approx(1.0, rel=1e-13)
    assert g.expect(lambda v: v) == pytest.approx(1.0, rel=1e-13)
    s2 = float(np.sum(g.pi * g.sigma**2))
    assert g.expect(lambda v: v * v) == pytest.approx(s2 + lam, rel=1e-12)
    assert g.expect(np.ones_like, weights=g.sigma) == pytest.approx(1.0, rel=1e-13)  # (1/d) Tr Σ
    assert g.atom_mass() == pytest.approx(max(0.0, 1 - 1 / lam), rel=1e-14)
    # certified away from the edges (at an edge z' → 0 and the Kantorovich disc reaches the real axis)
    a, b = g.support[0]
    g.zeta(np.linspace(a + 0.01 * (b - a), b - 0.01 * (b - a), 50), certify=True)


def test_stieltjes_matches_quadrature() -> None:
    g = GeneralisedMarchenkoPastur(0.5, [0.5, 2.0])
    z = 0.7 + 1.0j
    quad = g.expect(lambda v: (1 / (v - z)).real) + 1j * g.expect(lambda v: (1 / (v - z)).imag)
    assert abs(g.stieltjes(z) - quad) < 1e-13


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="lam"):
        GeneralisedMarchenkoPastur(1, [1.0])
    with pytest.raises(ValueError, match="values"):
        GeneralisedMarchenkoPastur(0.5, [1.0, -2.0])
    with pytest.raises(ValueError, match="weights"):
        GeneralisedMarchenkoPastur(0.5, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="lr"):
        StructuredTeacherStudent(0.5, exponent=1.0, n_atoms=50, dynamics="gd", lr=1.0)
    with pytest.raises(ValueError, match="exponent"):
        StructuredTeacherStudent(0.5, exponent=-1.0)
    with pytest.raises(RootError):
        GeneralisedMarchenkoPastur.identity(0.5)._certify(np.array([1.0]), np.array([1.0 + 1e-3j]))


@pytest.mark.parametrize("lam", [0.5, 2.0])
def test_two_point_reduces_for_isotropic_weight(lam: float) -> None:
    """W = I: (1/d) Tr[Σ φ ψ] is a single Σ-weighted expectation; K, k₀ vanish, c₀₀ is the Σ-weighted atom."""
    g = GeneralisedMarchenkoPastur.power_law(lam, 0.8, 60)
    tp = TwoPoint(NodeSet(g, g.rule().panels, 10), np.ones(len(g.sigma)))
    x = tp.nodes.x
    assert np.max(np.abs(tp.K)) < 1e-12 * np.max(np.abs(tp.kd))
    assert tp.form(np.exp(-2 * x), np.exp(-3 * x), 1.0, 1.0) == pytest.approx(
        g.expect(lambda v: np.exp(-5 * v), weights=g.sigma), rel=1e-12)
    assert tp.c00 == pytest.approx(g.atom_mass(g.sigma), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("kw", [dict(), dict(weight_decay=0.01, label_noise=0.2), dict(init_scale=0.5, d_out=3),
                                dict(dynamics="gd", lr=0.1)])
@pytest.mark.parametrize("lam", [0.5, 1.5])
def test_isotropic_reduces_to_teacher_student(lam: float, kw: dict) -> None:
    model, ref = StructuredTeacherStudent(lam, **kw), TeacherStudent(lam, **kw)
    t = np.array([0.0, 10.0, 300.0, 3000.0])
    for name in ("log_train_loss", "log_gen_loss"):
        np.testing.assert_allclose(getattr(model, name)(t), getattr(ref, name)(t), rtol=0, atol=5e-11)
    np.testing.assert_allclose(model.weight_norm(t), ref.weight_norm(t), rtol=1e-12)


def test_grokking_interface() -> None:
    iso = StructuredTeacherStudent(0.9)
    a, b = grokking_time(iso, 1e-3), grokking_time(TeacherStudent(0.9), 1e-3)
    assert a.delta == pytest.approx(b.delta, rel=1e-9)
    m = StructuredTeacherStudent(0.5, exponent=1.0, alignment=1.0, n_atoms=60)
    res = grokking_time(m, 1e-3)
    assert m.gen_loss(res.t_gen) == pytest.approx(1e-3 / 4, rel=1e-10)
    assert m.train_loss(res.t_train) == pytest.approx(1e-3 / 4, rel=1e-10)
    pd = phase_diagram(("exponent", [0.0, 1.0]), ("alignment", [0.0, 1.0]), eps=1e-3,
                       base=StructuredTeacherStudent(0.5, n_atoms=60))
    assert pd.delta.shape == (2, 2) and np.all(np.isfinite(pd.delta))
    assert pd.delta[1, 1] == pytest.approx(grokking_time(StructuredTeacherStudent(0.5, 1.0, 1.0, 60), 1e-3).delta, rel=1e-9)


def test_quadrature_error_and_dps() -> None:
    m = StructuredTeacherStudent(2.0, exponent=1.0, alignment=-1.0, n_atoms=60)
    assert np.max(m.quadrature_error("gen", np.array([1.0, 100.0, 1e4]))) < 1e-10
    iso = StructuredTeacherStudent(0.5, weight_decay=0.01)  # dps paths: fast for Σ = I (see docs for their cost)
    with mpmath.workdps(20):
        assert abs(iso.train_loss("300", dps=20) / TeacherStudent(0.5, weight_decay=0.01).train_loss("300", dps=20) - 1) < 1e-18
        assert abs(iso.gen_loss("300", dps=20) / TeacherStudent(0.5, weight_decay=0.01).gen_loss("300", dps=20) - 1) < 1e-18
    with pytest.raises(NotImplementedError):
        m.gen_loss(1.0, dps=20)


def test_spectral_simulation_is_literal_gd() -> None:
    m = StructuredTeacherStudent(0.5, exponent=1.0, alignment=1.0, n_atoms=40, dynamics="gd", lr=0.02,
                                 label_noise=0.2, weight_decay=0.01)
    a = simulate_structured(m, [0, 1, 7, 20], seeds=[3])
    b = simulate_structured(m, [0, 1, 7, 20], seeds=[3], method="loop")
    for k in ("train_loss", "gen_loss", "weight_norm"):
        np.testing.assert_allclose(getattr(a, k), getattr(b, k), rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("lam,kw", [(0.5, dict(alignment=1.0)), (2.0, dict(alignment=-1.0, weight_decay=0.01))])
def test_simulation_z_scores(lam: float, kw: dict) -> None:
    model = StructuredTeacherStudent(lam, exponent=1.0, n_atoms=100, dynamics="gd", lr=0.01, **kw)
    t = np.array([10, 300, 3000])
    sim = simulate_structured(model, t, seeds=range(10))
    for k in ("train_loss", "gen_loss"):
        z = (sim.mean(k) - getattr(model, k)(t.astype(float))) / sim.sem(k)
        assert np.all(np.abs(z) < 4.0), (k, z)
    assert math.isfinite(float(sim.mean("weight_norm")[-1]))


def test_cli_takes_structured_data(capsys):
    """--exponent/--alignment switch the theory commands to StructuredTeacherStudent; exponent 0 is Levi's model."""
    import json

    from grok_theory.cli import main

    assert main(["grok-time", "--lam", "0.9", "--eps", "1e-3", "--exponent", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"].startswith("StructuredTeacherStudent(")
    iso = grokking_time(TeacherStudent(0.9), 1e-3)
    assert out["delta"] == pytest.approx(iso.delta, rel=1e-9)
    assert main(["grok-time", "--lam", "0.9", "--eps", "1e-3", "--exponent", "1", "--alignment", "1", "--json"]) == 0
    steep = json.loads(capsys.readouterr().out)
    ref = grokking_time(StructuredTeacherStudent(0.9, exponent=1.0, alignment=1.0), 1e-3)
    assert steep["delta"] == pytest.approx(ref.delta, rel=1e-12) and steep["delta"] > out["delta"]
    assert main(["grok-time", "--lam", "0.9", "--exponent", "-1"]) == 2
    assert "exponent" in capsys.readouterr().err
