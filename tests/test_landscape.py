"""Omnigrok's reduced landscape in the linear model: closed forms, derivations, finite-d checks."""
from __future__ import annotations


import numpy as np
import pytest

from grok_theory.derivations.linear import omnigrok
from grok_theory.linear.landscape import ReducedLandscape, sample_landscape
from grok_theory.linear.model import TeacherStudent

IDS = ["omnigrok.ridge_path", "omnigrok.lagrange_slope", "omnigrok.goldilocks", "omnigrok.knee", "omnigrok.flat_branch"]


@pytest.fixture(scope="module")
def derivs():
    return {d.id: d for d in omnigrok.derivations()}


@pytest.mark.parametrize("lam,sigma,tau,d_out", [(2.0, 0.0, 1.0, 1), (2.0, 0.3, 1.4, 3), (0.5, 0.2, 1.0, 1), (1.0, 0.0, 1.0, 2),
                                                  (5.0, 0.1, 0.7, 1)])
@pytest.mark.parametrize("mu", [0.01, 0.3, 3.0])
def test_ridge_path_is_weight_decay_limit(lam, sigma, tau, d_out, mu):
    """Independent method: t → ∞ of GD with weight decay γ = 2μ (TeacherStudent, MP quadrature)."""
    L = ReducedLandscape(lam, d_out=d_out, teacher_scale=tau, label_noise=sigma)
    m = TeacherStudent(lam, d_out=d_out, weight_decay=2 * mu, teacher_scale=tau, label_noise=sigma, init_scale=0.0)
    p = L.at_multiplier(mu)
    assert p.norm2 == pytest.approx(m.weight_norm_limit(), rel=1e-11)
    assert p.train == pytest.approx(m.train_loss_limit(), rel=1e-10, abs=1e-15)
    assert p.gen == pytest.approx(m.gen_loss_limit(), rel=1e-11)


def test_knee_values():
    L = ReducedLandscape(3.0, teacher_scale=1.2, label_noise=0.4)
    r2, s2 = 1.2**2 / 2, 0.16
    k = L.knee()
    assert k.norm2 == pytest.approx(r2 / 3 + s2 / 2, rel=1e-13)
    assert k.train == pytest.approx(0.0, abs=1e-15)
    assert k.gen == pytest.approx(r2 * (2 / 3) + s2 / 2, rel=1e-13)


def test_lagrange_slope_by_finite_differences():
    L = ReducedLandscape(0.5, teacher_scale=1.0, label_noise=0.3)
    for mu in (-0.05, 0.02, 0.4):
        h = 1e-5
        a, b = L.at_multiplier(mu - h), L.at_multiplier(mu + h)
        assert (b.train - a.train) / (b.norm2 - a.norm2) == pytest.approx(-mu, rel=1e-6, abs=1e-9)


def test_goldilocks_is_the_minimum():
    for lam in (0.5, 2.0):
        L = ReducedLandscape(lam, teacher_scale=2**0.5, label_noise=0.3)
        g = L.goldilocks()
        assert g.mu == pytest.approx(lam * 0.09, rel=1e-12)
        grid = np.linspace(max(L.mu_min, 0) + 1e-3, 1.0, 2001)
        gen = L.at_multiplier(grid).gen
        assert grid[np.argmin(gen)] == pytest.approx(g.mu, abs=1e-3)
        assert gen.min() >= g.gen - 1e-12
        if lam > 1:  # with noise the Goldilocks norm lies left of the knee, with L_tr > 0
            assert g.norm2 < L.knee().norm2 and g.train > 0


def test_L_and_U_shapes():
    L = ReducedLandscape(2.0, teacher_scale=2**0.5)
    k = L.knee()
    p = L.at_norm([0.2 * k.norm2, 0.6 * k.norm2, 2 * k.norm2, 5 * k.norm2])
    assert np.all(np.diff(p.train[:2]) < 0) and np.all(p.train[2:] == 0)
    # right arm: unit slope in q = norm2/d_out; 1.0 and 2.5 at r² = 1 (λ = 2)
    assert p.gen[2:] == pytest.approx([1.0, 2.5], rel=1e-12)
    assert p.gen[0] > p.gen[1] > k.gen
    best, worst = L.at_norm(2 * k.norm2, "best").gen, L.at_norm(2 * k.norm2, "worst").gen
    assert best == pytest.approx(0.0, abs=1e-12) and worst == pytest.approx(2.0, rel=1e-12)


def test_double_U_below_lam_one():
    L = ReducedLandscape(0.5, teacher_scale=2**0.5)  # r² = 1: least squares at q = 1
    p = L.at_norm([0.5, 1.0, 1.5])
    assert p.train[1] == pytest.approx(0.0, abs=1e-14) and p.gen[1] == pytest.approx(0.0, abs=1e-14)
    assert p.train[0] > 0 and p.train[2] > 0 and p.gen[2] > 0 and p.mu[2] < 0
    # knee ratios
    e = L.knee_expansion()
    assert e["gen_over_train"] == pytest.approx(1 / (1 - 0.5) ** 2, rel=1e-12)
    for dq in (1e-3, -1e-3):
        x = L.at_norm(1.0 - dq)
        assert x.train == pytest.approx(e["train_curvature"] * dq**2, rel=5e-3)
        assert x.gen == pytest.approx(e["gen_curvature"] * dq**2, rel=5e-3)


def test_knee_expansion_left_side():
    L = ReducedLandscape(2.0, teacher_scale=2**0.5)
    e = L.knee_expansion()
    assert e["train_curvature"] == pytest.approx(2 * 1 / 4, rel=1e-12)  # λ(λ−1)/(4r²)
    assert e["gen_curvature"] == pytest.approx(4 / 4, rel=1e-12)  # λ²/(4r²(λ−1))
    dq = 1e-3
    x = L.at_norm(L.knee().norm2 - dq)
    assert x.train == pytest.approx(e["train_curvature"] * dq**2, rel=1e-2)
    assert x.gen - L.knee().gen == pytest.approx(e["gen_curvature"] * dq**2, rel=1e-2)


def test_at_norm_inverts_at_multiplier():
    L = ReducedLandscape(0.7, teacher_scale=1.0, label_noise=0.2, d_out=2)
    for mu in (-0.02, 0.1, 2.0):  # λ₋ = 0.0267
        p = L.at_multiplier(mu)
        assert L.multiplier_at_norm(p.norm2) == pytest.approx(mu, rel=1e-9)


def test_gd_endpoint_norm():
    L = ReducedLandscape(2.0)
    assert L.gd_endpoint_norm(10.0) == pytest.approx(L.knee().norm2 + 100 * 0.5 / 2, rel=1e-12)


def test_validation():
    with pytest.raises(ValueError, match="lam"):
        ReducedLandscape(-1.0)
    with pytest.raises(ValueError, match="mu"):
        ReducedLandscape(2.0).at_multiplier(-0.1)
    with pytest.raises(ValueError, match="mu"):
        ReducedLandscape(0.25).at_multiplier(-0.25)  # λ₋ = 0.25
    with pytest.raises(ValueError, match="null_part"):
        ReducedLandscape(2.0).at_norm(1.0, "sideways")


def test_sample_landscape_hits_constraint_and_beats_neighbours():
    """The secular-equation minimiser has the requested norm and is a constrained minimum."""
    S = sample_landscape(60, 2.0, [0.2, 1.0], seeds=(0, 1), teacher_scale=2**0.5)
    assert S.mu.shape == (2, 2) and np.all(S.mu[:, 1] == 0) and np.all(S.mu[:, 0] > 0)
    assert np.all(S.train[:, 1] < 1e-20)
