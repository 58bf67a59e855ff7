"""Fixed-norm training (projected GD): exact outcome below and above the knee."""
from __future__ import annotations

import math

import pytest

from grok_theory.linear.fixed_norm import fixed_norm_limit, null_contraction, projected_gd
from grok_theory.linear.landscape import ReducedLandscape, sample_landscape


def test_null_contraction_below_knee_uses_sample_multiplier():
    """Per-step null factor 1/(1 + 2ημ) with μ the multiplier of the same sample (secular equation)."""
    lr, n2 = 0.05, 0.2  # μ ≈ 0.12: null decays slowly enough to stay above round-off (~1e-32)
    r = projected_gd(60, 2.0, n2, [1000, 1100], lr=lr, init_scale=10, seeds=(3,))  # range transient ~ (1 − 2ηλ₋)^t gone
    mu = sample_landscape(60, 2.0, n2, seeds=(3,)).mu[0, 0]
    measured = math.sqrt(r.null_norm2[0, 1] / r.null_norm2[0, 0]) ** (1 / 100)
    assert measured == pytest.approx(1 / (1 + 2 * lr * mu), rel=1e-9)
    # the converged point is the sample's constrained minimiser
    ref = sample_landscape(60, 2.0, n2, seeds=(3,))
    r2 = projected_gd(60, 2.0, n2, [3000], lr=lr, init_scale=10, seeds=(3,))
    assert r2.gen_loss[0, 0] == pytest.approx(ref.gen[0, 0], rel=1e-9)
    assert r2.train_loss[0, 0] == pytest.approx(ref.train[0, 0], rel=1e-9)


def test_above_knee_null_part_frozen():
    r = projected_gd(60, 2.0, 1.0, [3000, 4000], lr=0.05, init_scale=10, seeds=(0,))
    assert r.null_norm2[0, 1] == pytest.approx(r.null_norm2[0, 0], rel=1e-10)
    assert r.train_loss[0, 1] < 1e-20
    ref = sample_landscape(60, 2.0, 1.0, seeds=(0,))  # the flat branch along the initial null direction
    assert r.gen_loss[0, 1] == pytest.approx(ref.gen[0, 0], rel=1e-9)


def test_theory_helpers():
    L = ReducedLandscape(2.0)
    assert null_contraction(L, 1.0, 0.05) == 1.0
    assert null_contraction(L, 0.1, 0.05) < 1
    assert fixed_norm_limit(L, 1.0).gen == pytest.approx(1.0, rel=1e-12)  # 0.25 + (1 − 0.25)



def test_non_whole_record_times_rejected():
    """t = 2.7 is not a GD step: raise instead of truncating to 2; whole floats (1e1) are accepted."""
    with pytest.raises(ValueError, match="whole GD steps"):
        projected_gd(10, 2.0, 0.5, [2.7], seeds=(0,))
    r = projected_gd(10, 2.0, 0.5, [1e1], seeds=(0,))
    assert list(r.t) == [10]


def test_parameter_validation():
    """init_scale = 0 has no direction to rescale (was NaN); the other parameters are checked too."""
    with pytest.raises(ValueError, match="init_scale"):
        projected_gd(10, 2.0, 0.5, [1], init_scale=0.0, seeds=(0,))
    with pytest.raises(ValueError, match="d_out"):
        projected_gd(10, 2.0, 0.5, [1], d_out=0, seeds=(0,))
    with pytest.raises(TypeError, match="d_out"):
        projected_gd(10, 2.0, 0.5, [1], d_out=1.5, seeds=(0,))
    with pytest.raises(ValueError, match="teacher_scale"):
        projected_gd(10, 2.0, 0.5, [1], teacher_scale=-1.0, seeds=(0,))
    with pytest.raises(ValueError, match="label_noise"):
        projected_gd(10, 2.0, 0.5, [1], label_noise=float("nan"), seeds=(0,))


def test_init_scale_only_sets_direction():
    """The start is rescaled to the norm, so any init_scale > 0 gives the same run."""
    a = projected_gd(10, 2.0, 0.5, [0, 5], init_scale=1.0, seeds=(1,))
    b = projected_gd(10, 2.0, 0.5, [0, 5], init_scale=7.0, seeds=(1,))
    assert a.gen_loss == pytest.approx(b.gen_loss, rel=1e-12)
    assert a.train_loss == pytest.approx(b.train_loss, rel=1e-12)
