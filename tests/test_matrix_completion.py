"""Symmetric matrix completion with weight decay (Lyu §3.3.3): invariants, kernel plateau, nuclear-norm end state."""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.dichotomy import matrix_completion as mc


@pytest.fixture(scope="module")
def problem():
    return mc.multiplication_problem(8, 0.35, seed=2)


@pytest.fixture(scope="module")
def flow(problem):
    # kernel phase t ≤ 50 (β = 2α²e^{−2λt} ≫ |W|), rich end t = 1500 (λt − ln α ≈ 14)
    return mc.gradient_flow(problem, 3.0, 0.01, [0.0, 1.0, 20.0, 50.0, 300.0, 1500.0], keep_w=True, rtol=1e-10,
                            atol=1e-12)


def test_multiplication_table():
    X = mc.multiplication_table(97)
    assert np.linalg.matrix_rank(X) == 1
    assert np.abs(np.linalg.eigvalsh(X)).sum() == pytest.approx(96 * 193 / (6 * 97), rel=1e-12)  # ‖u‖² = (d−1)(2d−1)/(6d)


def test_invariant_and_smoothed_nuclear_norm(flow):
    assert np.max(flow.invariant_error[:5]) < 1e-7  # UᵀV = α²e^{−2λt}I (relative to α²e^{−2λt})
    np.testing.assert_allclose(flow.norm_sq, flow.norm_formula, rtol=1e-8)  # ‖θ‖² = tr√(W² + β²I)


def test_kernel_plateau(problem, flow):
    K = mc.kernel_predictor(problem)
    W = flow.W[2]  # t = 20: fitted, still kernel
    assert np.max(np.abs(W - K)) < 0.02 * np.max(np.abs(K))
    assert flow.test_loss[2] == pytest.approx(mc.plateau_test_mse(problem), rel=0.05)
    # the kernel predictor is exactly zero off Ω ∪ Ωᵀ and fits Ω
    mask = np.zeros_like(K, dtype=bool)
    mask[problem.rows, problem.cols] = mask[problem.cols, problem.rows] = True
    assert np.all(K[~mask] == 0) and np.allclose(K[mask], problem.target[mask])


def _objective(problem, W, lam):
    return problem.train_loss(W) + lam / 2 * np.abs(np.linalg.eigvalsh(W)).sum()


def test_rich_end_state_is_nuclear_norm_minimiser(problem, flow):
    """β → 0: ‖θ‖² → ‖W‖_*, and W(∞) attains the convex minimum of Eq. 42 (to 10⁻⁵ relative).

    Measured: the unperturbed flow (σ = 0) ends 1e-6 (relative) above the FISTA minimum with a
    different W (a negative eigenvalue −0.06 the minimiser lacks): Remark 3.13's saddle caveat.
    """
    W_star = mc.nuclear_norm_completion(problem, 0.01, iterations=20000, tol=1e-13)
    W = flow.W[-1]
    assert flow.norm_sq[-1] == pytest.approx(np.abs(np.linalg.eigvalsh(W)).sum(), rel=1e-6)
    f_flow, f_star = _objective(problem, W, 0.01), _objective(problem, W_star, 0.01)
    assert f_star <= f_flow + 1e-12
    assert (f_flow - f_star) / f_star < 1e-5


def test_gd_tracks_flow(problem, flow):
    gd = mc.gradient_descent(problem, 3.0, 0.01, 0.01, [2000, 5000])
    assert abs(gd.test_loss[0] - flow.test_loss[2]) < 0.02 * flow.test_loss[2]
    assert np.max(gd.invariant_error) < 1e-3  # O(η²) per step against (1 − ηλ)^{2k}


def test_validation():
    with pytest.raises(ValueError, match="fraction"):
        mc.multiplication_problem(10, 1.5)
    with pytest.raises(ValueError, match="init_scale"):
        mc.gradient_flow(mc.multiplication_problem(5, 0.5), -1.0, 0.1, [1.0])


def test_gradient_descent_steps_accept_whole_floats(problem):
    """Record steps written as floats (1e1) are whole GD steps; 2.7 is rejected, not truncated."""
    a = mc.gradient_descent(problem, 3.0, 0.01, 0.01, [10])
    b = mc.gradient_descent(problem, 3.0, 0.01, 0.01, [1e1])
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    with pytest.raises(ValueError, match="whole GD steps"):
        mc.gradient_descent(problem, 3.0, 0.01, 0.01, [2.7])
