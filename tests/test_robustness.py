"""Tan–Huang in the linear model: input noise = weight decay, sensitivity = norm, schedule, noise floor."""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.linear import large_init as li
from grok_theory.linear import robustness as rb
from grok_theory.derivations.linear import robustness as drv
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import first_crossing


def test_effective_weight_decay_conventions():
    assert rb.effective_weight_decay(0.3) == pytest.approx(0.18)
    assert rb.effective_weight_decay(0.3, d_out=4, convention="pytorch") == pytest.approx(0.045)
    m = rb.with_input_noise(TeacherStudent(2.0, weight_decay=0.01), 0.1)
    assert m.weight_decay == pytest.approx(0.03)
    with pytest.raises(ValueError, match="convention"):
        rb.effective_weight_decay(0.1, convention="keras")


def test_input_sensitivity_is_norm():
    m = TeacherStudent(2.0, init_scale=3.0, d_out=2)
    t = np.array([0.0, 100.0])
    assert rb.input_sensitivity(m, t, 0.2) == pytest.approx(0.04 * m.weight_norm(t) / 2)


def test_schedule_speedup():
    assert rb.schedule_speedup(0.01, 0.1) == pytest.approx(3.0)


def test_noise_variance_tends_to_floor():
    m = TeacherStudent(2.0, lr=0.05, init_scale=10)
    late = rb.null_noise_variance(m, 0.2, [5000])[0]  # (1 − 2ησ²)^{2·5000} = e^{−40}
    mm = rb.with_input_noise(m, 0.2)
    floor = rb.null_noise_floor(m, 0.2, mm.train_loss_limit(), mm.weight_norm_limit())
    assert late == pytest.approx(floor, rel=1e-3)


def test_mean_field_with_constant_noise_matches_exact_curves():
    """λ₁ = λ₂ = σ: constant noise; the node rule vs the exact MP curves of the weight-decay model."""
    base = TeacherStudent(2.0, lr=0.05, weight_decay=0.01, init_scale=10, dynamics="gd")
    mf = rb.schedule_mean_field(base, 0.2, 0.2, 1e-3, 400)
    exact = rb.with_input_noise(base, 0.2)
    t = np.array([0.0, 50.0, 400.0])
    assert mf.gen_loss[[0, 50, 400]] == pytest.approx(exact.gen_loss(t), rel=1e-8)
    assert mf.train_loss[[0, 50, 400]] == pytest.approx(exact.train_loss(t), rel=1e-6)
    assert mf.null_norm2[[0, 50, 400]] == pytest.approx(li.null_norm2(exact, t), rel=1e-10)


@pytest.mark.slow
def test_noise_vs_decay_simulation():
    (ch,) = [c for c in drv.input_noise().checks if c.kind == "simulation"]
    res = ch.run()
    assert res.ok, res.note


@pytest.mark.slow
def test_adaptive_schedule_beats_late_time_ratio():
    """Measured: the schedule generalises much faster than the late-time ratio (γ+2λ₂²)/γ = 5/3 predicts,
    because fresh noise keeps the clean train accuracy low and σ stays in its λ₁ phase."""
    t = np.unique(np.round(np.geomspace(1, 4000, 100)).astype(int))
    kw = dict(lr=0.05, weight_decay=0.03, init_scale=10, seeds=range(3))
    plain = rb.simulate_input_noise(100, 2.0, 0.0, t, **kw)
    sched = rb.simulate_input_noise(100, 2.0, 0.0, t, schedule=(0.5, 0.1, 1e-3), **kw)
    tp = first_crossing(t, plain.null_norm2, 1e-2, rising=False)
    ts = first_crossing(t, sched.null_norm2, 1e-2, rising=False)
    assert np.all(np.isfinite(ts)) and tp.mean() / ts.mean() > rb.schedule_speedup(0.03, 0.1)


def test_stationary_train_loss_without_noise_is_ridge():
    m = TeacherStudent(2.0, lr=0.05, weight_decay=0.02, init_scale=10)
    assert rb.stationary_train_loss(m, 0.0) == pytest.approx(m.train_loss_limit(), rel=1e-10)
    assert rb.stationary_train_loss(m, 0.2) > rb.with_input_noise(m, 0.2).train_loss_limit()
    with pytest.raises(ValueError, match="d_out"):
        rb.stationary_train_loss(TeacherStudent(2.0, d_out=2), 0.1)


def test_schedule_fixed_points_are_roots_and_trap_the_dynamics():
    from scipy import special

    base = TeacherStudent(2.0, lr=0.05, weight_decay=0.01, init_scale=10, dynamics="gd")
    roots = rb.schedule_fixed_points(base, 0.5, 0.1, 1e-3)
    for s in roots:
        acc = special.erf(np.sqrt(1e-3 / (2 * rb.stationary_train_loss(base, s))))
        assert max(0.5 * (1 - acc), 0.1) == pytest.approx(s, abs=1e-9)
    assert roots[0] > 3 * 0.1  # trapped far above λ₂
    # independent route: the fluctuation-corrected mean-field dynamics settle on the largest root
    mf = rb.schedule_mean_field(base, 0.5, 0.1, 1e-3, 3000, fluctuations=True)
    assert mf.sigma[-1] == pytest.approx(roots[0], rel=1e-6)
    assert rb.schedule_generalisation_time(base, 1e-2, 0.5, 0.1, 1e-3) < li.generalisation_time_law(base, 1e-2) / 10


@pytest.mark.slow
@pytest.mark.parametrize("i", [0, 1])
def test_fluctuation_simulation_checks(i):
    res = drv.noise_fluctuations().checks[i].run()
    assert res.ok, res.note


def test_non_whole_record_times_rejected():
    """t = 2.7 is not a GD step: raise instead of truncating to 2."""
    with pytest.raises(ValueError, match="whole GD steps"):
        rb.simulate_input_noise(10, 2.0, 0.1, [2.7], seeds=(0,))
    with pytest.raises(ValueError, match="whole GD steps"):
        rb.null_noise_variance(TeacherStudent(2.0, lr=0.05), 0.1, [2.7])
