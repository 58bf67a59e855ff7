"""Two-layer networks (Levi §4): manual gradients, and the kernel theories vs simulation.

Tolerance: |theory − seed mean| ≤ 4.5 standard errors of the seed mean (measured), compared
only while the loss is within ~1.5 decades of its initial value (later the finite-sample
spectrum edge dominates, docs/simulations.md).
"""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.linear.two_layer import _ACT, gradients, kernel_theory, simulate_two_layer

Z = 4.5


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((7, 5)), rng.standard_normal((7, 3))
    s0, s1 = 0.3 * rng.standard_normal((5, 4)), 0.3 * rng.standard_normal((4, 3))
    act, dact = _ACT[activation]
    g0, g1 = gradients(x, y, s0, s1, act, dact)

    def loss(a, b):
        return ((act(x @ a) @ b - y) ** 2).sum() / (7 * 3)

    h = 1e-6
    for (i, j) in [(0, 0), (2, 1), (4, 3)]:
        e = np.zeros_like(s0)
        e[i, j] = h
        assert (loss(s0 + e, s1) - loss(s0 - e, s1)) / (2 * h) == pytest.approx(g0[i, j], rel=1e-7, abs=1e-12)
    for (i, j) in [(0, 0), (3, 2)]:
        e = np.zeros_like(s1)
        e[i, j] = h
        assert (loss(s0, s1 + e) - loss(s0, s1 - e)) / (2 * h) == pytest.approx(g1[i, j], rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_kernel_theories_match_simulation(activation):
    t = np.array([0, 100, 300, 800])
    sim = simulate_two_layer(60, 0.5, 60, 2, lr=0.01, activation=activation, t=t, seeds=range(8), progress=False)
    mean, sem = sim.gen_loss_test.mean(0), sim.gen_loss_test.std(0, ddof=1) / np.sqrt(8)
    assert mean[-1] / mean[0] > 0.03  # still inside the self-averaging window
    for mode in ("frozen", "coupled"):
        pred = np.mean([kernel_theory(sim.params["lam"], 60, 2, 0.01, t, sim.a0[i, 0], sim.a1[i, 0], sim.d0_norm2[i],
                                      sim.teacher_norm2[i], mode)["gen_loss"] for i in range(8)], axis=0)
        assert np.all(np.abs(pred - mean) <= Z * sem), (mode, pred / mean - 1)


def test_balancedness_invariant_in_coupled_theory():
    out = kernel_theory(0.5, 100, 3, 0.01, [0, 500, 2000], 0.5, 0.45, 0.01, 0.004, "coupled")
    np.testing.assert_allclose(out["a0"] - out["a1"], 0.05, rtol=1e-9)


def test_non_whole_record_times_rejected():
    """t = 2.7 is not a GD step: raise instead of truncating to 2."""
    with pytest.raises(ValueError, match="whole GD steps"):
        simulate_two_layer(10, 2.0, 8, t=[2.7], seeds=(0,))
