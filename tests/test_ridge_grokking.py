"""Xu, Vardi & Safran's ridge-regression grokking: exact map to Levi's model, exact t1/t2 vs their bounds."""
from __future__ import annotations

import math

import numpy as np
import pytest

from grok_theory.linear.ridge_grokking import XuSetup
from grok_theory.linear.simulate import simulate_linear


def test_mapping_reproduces_their_gd_step():
    """One literal step of their Eq. 2 (θ-space) equals simulate_linear's step on S = θ/√m."""
    s = XuSetup(n=20, m=60, ridge=1e-2, eta=0.5)
    kw = s.simulation_kwargs()
    r = simulate_linear(t=[0, 1], seeds=(5,), method="loop", n_test=5, progress=False, **kw)
    from grok_theory.linear.simulate import sample_dataset

    data = sample_dataset(5, s.m, s.n, 1, 5)
    x, teacher, student0 = data.x, data.teacher, data.student0
    phi = x / math.sqrt(s.m)
    theta0 = math.sqrt(s.m) * kw["init_scale"] * student0
    theta_star = math.sqrt(s.m) * kw["teacher_scale"] * teacher
    theta1 = theta0 - s.eta / s.n * phi.T @ (phi @ (theta0 - theta_star)) - s.eta * s.ridge * theta0
    gen1 = ((theta1 - theta_star) ** 2).sum() / s.m  # their population loss
    train1 = ((phi @ (theta1 - theta_star)) ** 2).sum() / (2 * s.n)  # their L_n
    assert r.gen_loss[0, 1] == pytest.approx(gen1, rel=1e-12)
    assert r.train_loss[0, 1] / 2 == pytest.approx(train1, rel=1e-12)


def test_defaults_exact_times_and_bounds():
    t = XuSetup().times()
    assert t.t1 < t.t1_bound_eq8 and t.t1 < t.t1_bound_eq6  # their upper bounds hold
    assert t.t2 > t.t2_bound_eq8 and t.t2 > t.t2_bound_eq7 and t.t2 > t.t2_bound_thm45  # lower bounds hold
    assert t.t2_bound_thm45 == pytest.approx(2 * t.t2_bound_eq7, rel=1e-3)  # Eq. 7 used ln(1−x) ≥ −2x
    assert t.t1_step == math.floor(t.t1) and t.t2_step == math.ceil(t.t2)


def test_scalings():
    base = XuSetup()
    assert XuSetup(ridge=1e-5).t2() / base.t2() == pytest.approx(10, rel=2e-3)  # t2 ∝ 1/λ
    assert abs(XuSetup(ridge=1e-5).t1() / base.t1() - 1) < 0.02  # λ does not enter t1
    assert XuSetup(teacher_norm=0.0).t2() < base.t2()


def test_validation():
    with pytest.raises(ValueError, match="m must exceed n"):
        XuSetup(n=100, m=50)
    with pytest.raises(ValueError, match="ridge"):
        XuSetup(ridge=0.0)

