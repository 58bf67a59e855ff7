"""Crossing and grokking times: solver vs dense-grid bisection, edge cases, asymptotics as printed."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from grok_theory.linear import asymptotics as A
from grok_theory.linear.grokking import crossing_time, grokking_time
from grok_theory.linear.model import TeacherStudent
from tests.conftest import assert_digits


def _dense_bisection(model, which, thr, lo, hi):
    curve = model.train_loss if which == "train" else model.gen_loss
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if curve(mid) > thr else (lo, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("model", [TeacherStudent(0.5), TeacherStudent(0.9, weight_decay=1e-4), TeacherStudent(1.0),
                                   TeacherStudent(0.7, d_out=4, dynamics="gd"), TeacherStudent(0.6, label_noise=0.01)],
                         ids=repr)
@pytest.mark.parametrize("which", ["train", "gen"])
def test_crossing_vs_dense_grid(model, which):
    eps = 1e-3
    t = crossing_time(model, which, eps)
    curve = model.train_loss if which == "train" else model.gen_loss
    grid = np.geomspace(1e-2, 1e9, 4000)
    vals = curve(grid)
    i = int(np.flatnonzero(vals <= eps / 4)[0])
    ref = _dense_bisection(model, which, eps / 4, grid[i - 1], grid[i])
    assert t == pytest.approx(ref, rel=1e-10)


def test_zero_and_never():
    assert crossing_time(TeacherStudent(0.5, d_out=4000), "gen", 1e-3) == 0.0  # L(0) = 1/4000 < eps/4
    g = grokking_time(TeacherStudent(1.5), 1e-3)  # null space never learned
    assert math.isfinite(g.t_train) and g.t_gen == math.inf and g.delta == math.inf
    g = grokking_time(TeacherStudent(0.9, weight_decay=0.01), 1e-3)  # floor above the threshold
    assert g.t_gen == math.inf
    g = grokking_time(TeacherStudent(0.5, label_noise=0.1), 1e-3)  # noisy training floor σ²(1−λ) > eps/4
    assert g.t_train == math.inf and g.delta == math.inf


def test_critical_lam_finite_grokking_time():
    g = grokking_time(TeacherStudent(1.0), 1e-3)
    assert 0 < g.t_train < g.t_gen < math.inf
    # power law at λ = 1: L_gen ≈ 1/√(π s), s = 4ηt, so t*_gen ≈ 1/(π (ε/4)² · 4η)
    assert g.t_gen == pytest.approx(1 / (math.pi * (1e-3 / 4) ** 2 * 0.04), rel=1e-3)


def test_accuracy_criterion_is_levi_at_95_percent():
    m = TeacherStudent(0.7)
    a = crossing_time(m, "gen", 1e-3, criterion="accuracy", level=math.erf(math.sqrt(2)))
    assert a == pytest.approx(crossing_time(m, "gen", 1e-3), rel=1e-9)


def test_crossing_at_precision():
    m = TeacherStudent(0.9)
    t = crossing_time(m, "gen", 1e-3, dps=30)
    with mpmath.workdps(40):
        assert_digits(m.gen_loss(t, dps=35), mpmath.mpf(1e-3) / 4, 28, what="L_gen(t*) = eps/4 (binary eps)")
    assert float(t) == pytest.approx(crossing_time(m, "gen", 1e-3), rel=1e-10)


def test_asymptotic_formulas_as_printed():
    lam, lr, eps, t = 0.49, 0.01, 1e-3, 1000.0
    q = 0.7
    assert A.levi2024_eq22(t, lam, lr) == pytest.approx(math.exp(-4 * lr * 0.09 * t) / (16 * math.sqrt(math.pi) * lam**0.75 * 10**1.5))
    assert A.levi2024_eq11_gen(t, lam, lr) == pytest.approx(A.levi2024_eq22(t, lam, lr) / 0.09)
    assert A.levi2024_eq12(lam, lr) == pytest.approx(math.log(1 / 0.3) / (0.02 * 0.09))
    assert A.levi2024_eq16_delta(lam, lr) == pytest.approx(math.log(1.7) / (0.02 * 0.09))
    assert A.levi2024_eq16_gen_floor(1e-3, lam) == pytest.approx(1e-6 / (4 * 0.51**3))
    # Eq. 24 is the Lambert-W solution of Eq. 22 = eps/4: check it solves it
    t_star = A.levi2024_eq24_train(eps, lam, lr)
    assert A.levi2024_eq22(t_star, lam, lr) == pytest.approx(eps / 4, rel=1e-10)
    assert A.levi2024_eq11_gen(A.levi2024_eq24_gen(eps, lam, lr), lam, lr) == pytest.approx(eps / 4, rel=1e-10)
    assert math.isnan(A.levi2024_eq26(1e-3, 0.9, lr))  # printed form undefined there
    del q


def test_error_table_claims_recomputed():
    """Two entries of docs/asymptotics.md, recomputed: Eq. 12 at (0.9, 1e-3) and the Eq. 16 factor 2."""
    g = grokking_time(TeacherStudent(0.9), 1e-3)
    assert A.levi2024_eq12(0.9, 0.01) / g.delta - 1 == pytest.approx(1.75, abs=0.01)
    m = TeacherStudent(0.5, weight_decay=1e-6)
    assert A.levi2024_eq16_gen_floor(1e-6, 0.5) / m.gen_loss_limit() == pytest.approx(2.0, rel=1e-4)
    assert A.levi2024_eq16_gen_floor_corrected(1e-6, 0.5) / m.gen_loss_limit() == pytest.approx(1.0, rel=1e-4)


def test_phase_diagram_cells_equal_direct_calls():
    from grok_theory.linear.grokking import phase_diagram

    lams, wds = np.array([0.3, 0.9]), np.array([1e-5, 3e-2])
    pd = phase_diagram(("lam", lams), ("weight_decay", wds), eps=1e-3)
    assert pd.delta.shape == (2, 2)
    for i, lam in enumerate(lams):
        for j, wd in enumerate(wds):
            g = grokking_time(TeacherStudent(lam, weight_decay=wd), 1e-3)
            assert pd.delta[i, j] == (g.delta if math.isfinite(g.delta) else math.inf)
    assert pd.no_grokking[1, 1]  # λ = 0.9, γ = 0.03: floor above eps/4
    with pytest.raises(ValueError, match="axis"):
        phase_diagram(("lr", [0.1]), ("lam", [0.5]))


def test_d_out_max_is_the_argmax():
    from grok_theory.linear.grokking import d_out_max

    d_best, delta_best = d_out_max(0.9, 0.01)
    deltas = [grokking_time(TeacherStudent(0.9, d_out=d), 0.01, criterion="accuracy").delta for d in range(1, 3 * d_best + 3)]
    assert delta_best == pytest.approx(max(deltas))
    assert int(np.argmax(deltas)) + 1 == d_best
    assert d_best > 1  # the maximum is interior (Levi Fig. 2)
