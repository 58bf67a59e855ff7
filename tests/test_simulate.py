"""Simulations of real GD: spectral vs loop, determinism, and agreement with the theory.

Tolerance for theory vs simulation: |seed mean − theory| ≤ Z · (standard error of the seed
mean), Z = 4.5, with 16 seeds at d_in = 300. The standard error is measured from the seed
spread in each run; Z = 4.5 keeps the false-alarm rate of ~50 comparisons below 1e-3 for
Gaussian means. Times stop at 2000 steps: later the spread is set by the few smallest sample
eigenvalues (heavy-tailed, see docs/simulations.md).
"""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import simulate_linear

Z = 4.5


def test_spectral_equals_loop():
    kw = dict(d_in=60, lam=0.8, d_out=2, lr=0.05, weight_decay=0.01, init_scale=1.3, teacher_scale=0.8,
              label_noise=0.2, t=[0, 1, 7, 50, 300], seeds=[1, 2], eps=0.05)
    a, b = simulate_linear(**kw), simulate_linear(**kw, method="loop")
    for name in ("train_loss", "gen_loss", "gen_loss_test", "weight_norm", "train_accuracy", "test_accuracy"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-10, err_msg=name)


def test_deterministic_and_shapes():
    a = simulate_linear(40, lam=1.5, t=[0, 5], seeds=[3, 4, 5])
    b = simulate_linear(40, lam=1.5, t=[0, 5], seeds=[3, 4, 5])
    assert a.gen_loss.shape == (3, 2) and a.params["n_train"] == 27
    np.testing.assert_array_equal(a.gen_loss, b.gen_loss)
    assert not np.array_equal(a.gen_loss[0], a.gen_loss[1])


def test_bad_input():
    with pytest.raises(ValueError, match="exactly one of lam and n_train"):
        simulate_linear(10)
    with pytest.raises(ValueError, match="whole GD steps"):
        simulate_linear(10, lam=1, t=[0.5])
    with pytest.raises(ValueError, match="method"):
        simulate_linear(10, lam=1, method="adam")
    with pytest.raises(ValueError, match="unstable"):
        simulate_linear(10, lam=1, lr=5.0)


CASES = [
    (0.5, {}), (0.9, {}), (1.0, {}), (1.5, {}), (0.9, dict(weight_decay=0.01)), (1.5, dict(weight_decay=0.02)),
    (0.7, dict(d_out=5)), (0.7, dict(init_scale=2.0)), (0.7, dict(label_noise=0.2)), (1.2, dict(label_noise=0.1)),
]


@pytest.mark.parametrize("lam,kw", CASES, ids=[f"lam={c[0]},{c[1]}" for c in CASES])
def test_theory_matches_simulation(lam, kw):
    t = np.array([0, 100, 500, 2000])
    sim = simulate_linear(300, lam=lam, t=t, seeds=range(16), lr=0.01, eps=1e-2, **kw)
    theory = TeacherStudent(sim.params["lam"], lr=0.01, dynamics="gd", **kw)
    for name, curve in (("gen_loss", theory.gen_loss), ("train_loss", theory.train_loss),
                        ("weight_norm", theory.weight_norm), ("gen_loss_test", theory.gen_loss)):
        err = np.abs(sim.mean(name) - curve(t))
        assert np.all(err <= Z * sim.sem(name)), (name, sim.mean(name), curve(t), sim.sem(name))
    acc = theory.gen_accuracy(t, 1e-2)
    assert np.all(np.abs(sim.mean("test_accuracy") - acc) <= Z * sim.sem("test_accuracy") + 0.02)


@pytest.mark.slow
def test_paper_scale_figure1_settings():
    """d_in = 1000, Levi Fig. 1 settings (λ = 0.1, 0.9, 1.5, η = 0.01, GD), 6 seeds."""
    t = np.array([0, 300, 1000, 3000])
    for lam in (0.1, 0.9, 1.5):
        sim = simulate_linear(1000, lam=lam, t=t, seeds=range(6), lr=0.01)
        theory = TeacherStudent(sim.params["lam"], lr=0.01, dynamics="gd")
        for name, curve in (("gen_loss", theory.gen_loss), ("train_loss", theory.train_loss)):
            assert np.all(np.abs(sim.mean(name) - curve(t)) <= Z * sim.sem(name)), (lam, name)


@pytest.mark.parametrize("lam", [0.5, 0.9])
def test_grokking_time_from_simulated_accuracy(lam):
    """95 % crossings of the simulated train/test accuracies vs grokking_time(criterion="accuracy")."""
    from grok_theory.linear.grokking import grokking_time
    from grok_theory.linear.simulate import first_crossing

    t = np.unique(np.round(np.geomspace(1, 2e5, 300)).astype(int))
    sim = simulate_linear(300, lam=lam, t=t, seeds=range(12), eps=1e-3, n_test=4000, progress=False)
    theory = grokking_time(TeacherStudent(sim.params["lam"], dynamics="gd"), 1e-3, criterion="accuracy", level=0.95)
    for measured, expected in ((first_crossing(sim.t, sim.train_accuracy, 0.95), theory.t_train),
                               (first_crossing(sim.t, sim.test_accuracy, 0.95), theory.t_gen)):
        assert np.all(np.isfinite(measured))
        sem = measured.std(ddof=1) / np.sqrt(measured.size)
        assert abs(measured.mean() - expected) <= Z * sem, (measured.mean(), expected, sem)


def test_first_crossing_interpolates():
    from grok_theory.linear.simulate import first_crossing

    t = np.array([0, 10, 100, 1000])
    vals = np.array([[0.0, 0.5, 0.9, 1.0], [0.96, 0.97, 0.98, 0.99], [0, 0, 0, 0.1]])
    out = first_crossing(t, vals, 0.95)
    assert 100 < out[0] < 1000 and out[1] == 0 and out[2] == np.inf
    assert out[0] == pytest.approx(10 ** (2 + 0.5), rel=1e-12)  # halfway between 0.9 and 1.0 in log t


def test_spectral_equals_loop_with_oscillating_modes():
    """1 < c(ν + g) < 2 for the top modes: ρ < 0 alternates in sign; the spectral path must follow it."""
    kw = dict(d_in=60, lam=2.0, lr=0.1, weight_decay=3e-3, label_noise=0.1, t=[0, 1, 2, 3, 10, 101], seeds=[0, 1])
    a, b = simulate_linear(**kw), simulate_linear(**kw, method="loop")
    for name in ("train_loss", "gen_loss", "weight_norm"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-10, err_msg=name)
