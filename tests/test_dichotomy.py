"""Lyu et al. dichotomy: diagonal networks, the transition law and the derivations (derivations/dichotomy/lyu2024.py)."""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.dichotomy import diagonal_net as dn
from grok_theory.dichotomy import transition as dc
from grok_theory.derivations.dichotomy import lyu2024 as dv

TOY_X, TOY_Y = np.array([[1.0, 2.0]]), np.array([1.0])


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in dv.derivations()}


def test_ids(derivations):
    assert set(derivations) == {
        "lyu2024.diag_invariant", "lyu2024.diag_closed_ode", "lyu2024.diag_norm", "lyu2024.diag_kernel_limit",
        "lyu2024.diag_rich_limit", "lyu2024.transition_law", "lyu2024.kernel_normaliser", "lyu2024.mc_invariant",
        "lyu2024.mc_plateau", "lyu2024.ts_link", "lyu2024.shift_symmetry"}


def test_invariant_and_norm_general_init():
    """uv e^{2λt} conserved for unequal u(0) ≠ v(0), any loss (raw-parameter integrator)."""
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((3, 4)), np.array([1.0, -1.0, 1.0])
    u0, v0 = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 2, 4)
    tr = dn.gradient_flow_parameters(X, y, "logistic", u0, v0, 0.1, [0.0, 3.0, 10.0])
    np.testing.assert_allclose(tr.uv * np.exp(0.2 * tr.t)[:, None], np.broadcast_to(u0 * v0, (3, 4)), rtol=1e-8)
    beta = 2 * u0 * v0 * np.exp(-0.2 * tr.t)[:, None]
    np.testing.assert_allclose(tr.norm_sq, np.hypot(tr.w, beta).sum(1), rtol=1e-9)


@pytest.mark.parametrize("loss", ["squared", "exponential", "logistic"])
def test_exact_integrator_matches_raw(loss):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 5))
    y = rng.standard_normal(3) if loss == "squared" else np.array([1.0, -1.0, 1.0])
    t = [0.5, 5.0, 40.0]
    a = dn.gradient_flow(X, y, loss, 1.5, 0.05, t)
    b = dn.gradient_flow_parameters(X, y, loss, 1.5, 1.5, 0.05, t)
    np.testing.assert_allclose(a.w, b.w, atol=1e-8)
    np.testing.assert_allclose(a.norm_sq, b.norm_sq, rtol=1e-8)


def test_gd_invariant_drift_is_second_order():
    """GD: u v/(α²(1 − ηλ)^{2k}) = Π(1 − 4η²g²/(1 − ηλ)²): O(η²) per step, so O(η) at fixed ηk."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((3, 6)), rng.standard_normal(3)
    drift = []
    for lr in (0.002, 0.001):
        steps = int(round(2.0 / lr))
        tr = dn.gradient_descent(X, y, "squared", 1.0, 0.1, lr, [steps])
        drift.append(np.max(np.abs(tr.uv[0] / (1 - lr * 0.1) ** (2 * steps) - 1)))
    assert 1.7 < drift[0] / drift[1] < 2.3
    flow = dn.gradient_flow(X, y, "squared", 1.0, 0.1, [2.0])
    tr = dn.gradient_descent(X, y, "squared", 1.0, 0.1, 0.001, [2000])
    assert np.max(np.abs(tr.w - flow.w)) < 0.05 * np.max(np.abs(flow.w))


def test_toy_kernel_then_rich():
    lam = 0.01
    for a, w1_plus in ((1e2, 0.0668), (1e3, 0.0221), (1e4, 0.0070)):
        T = np.array([0.5, 1.5]) * np.log(a) / lam
        tr = dn.gradient_flow(TOY_X, TOY_Y, "squared", a, lam, T)
        np.testing.assert_allclose(tr.w[0], [0.2, 0.4], atol=1e-5)
        assert abs(tr.w[1, 0] - w1_plus) < 6e-4


def test_limit_predictors():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 15))
    wstar = np.zeros(15)
    wstar[:2] = [1.0, -1.0]
    y = X @ wstar
    np.testing.assert_allclose(dn.min_l1_interpolant(X, y), wstar, atol=1e-8)  # exact recovery, n = 6 ≥ 2k log
    w2 = dn.min_l2_interpolant(X, y)
    np.testing.assert_allclose(X @ w2, y, atol=1e-10)
    ys = np.sign(X @ rng.standard_normal(15))
    w = dn.max_l2_margin(X, ys)
    m = ys * (X @ w)
    # KKT: every point has margin ≥ min margin, and w is a nonnegative combination of the support vectors
    sv = m < m.min() * (1 + 1e-9)
    coef = np.linalg.lstsq((ys[sv, None] * X[sv]).T, w, rcond=None)[0]
    assert np.all(coef > 0) and np.allclose((ys[sv, None] * X[sv]).T @ coef, w)
    w1 = dn.max_l1_margin(X, ys)
    assert abs(np.abs(w1).sum() - 1) < 1e-12 and np.min(ys * (X @ w1)) > 0


def test_l1_regularized_kkt():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((8, 12))
    y = np.sign(X[:, 0] + 0.3 * rng.standard_normal(8))
    for loss, yy in (("logistic", y), ("squared", X[:, 0] - X[:, 1])):
        w = dn.l1_regularized(X, yy, loss, 0.05)
        assert dn.l1_kkt_residual(X, yy, loss, 0.05, w) < 1e-6
    np.testing.assert_allclose(dn.l1_regularized(TOY_X, TOY_Y, "squared", 0.01), [0.0, 0.5 - 0.01 / 16], atol=1e-12)


def test_flow_end_state_is_lasso():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((4, 8))
    y = X[:, 0] * 1.0 + X[:, 3] * 0.5
    lam = 0.01
    tr = dn.gradient_flow(X, y, "squared", 10.0, lam, [(np.log(10.0) + 400) / lam])  # one |g_k| = 0.98 λ/2: slow
    lasso = dn.l1_regularized(X, y, "squared", lam)
    np.testing.assert_allclose(tr.w[0], lasso, atol=1e-7)
    np.testing.assert_allclose(tr.norm_sq[0], np.abs(lasso).sum(), rtol=1e-5)


@pytest.mark.slow
def test_transition_law_over_decades():
    """λt½ − ln α → s* of the λ → 0 flow, for α over 3 decades and λ over 2 decades; error O(λ)."""
    rng = np.random.default_rng(1)  # a data set where basis pursuit recovers w* (n = 8, d = 16, 2-sparse)
    X = rng.standard_normal((8, 16))
    wstar = np.zeros(16)
    wstar[[1, 6]] = [1.0, -0.7]
    y = X @ wstar
    flow = dc.reweighted_flow(X, y)
    s_star, width = flow.crossing(0.5), flow.width()
    grid = np.linspace(s_star - 3, s_star + 5, 1601)
    errs = {}
    for lam in (1e-2, 1e-3):
        for a in (10.0, 1e2, 1e4):
            tr = dn.gradient_flow(X, y, "squared", a, lam, (grid + np.log(a)) / lam)
            ph = dc.progress(tr.w, flow.w_kernel, flow.w_rich)
            errs[lam, a] = (dc.crossing(grid, ph, 0.5) - s_star,
                            dc.crossing(grid, ph, 0.1) - dc.crossing(grid, ph, 0.9) - width)
    for lam in (1e-2, 1e-3):
        e = np.array([errs[lam, a] for a in (10.0, 1e2, 1e4)])
        assert np.all(np.abs(e) < 40 * lam), (lam, e)
    # O(λ): the error falls ~10× per decade of λ
    assert abs(errs[1e-3, 1e2][0]) < 0.2 * abs(errs[1e-2, 1e2][0])


def test_naive_quasistatic_is_wrong_on_toy():
    flow = dc.reweighted_flow(TOY_X, TOY_Y)
    w = flow(2.0)
    naive = dc.quasi_static_interpolant(TOY_X, TOY_Y, 2 * np.exp(-4.0))
    assert abs(w[0] - naive[0]) > 0.05
    tr = dn.gradient_flow(TOY_X, TOY_Y, "squared", 1e3, 1e-4, [(2.0 + np.log(1e3)) / 1e-4])
    assert abs(tr.w[0, 0] - w[0]) < 1e-3


def test_toy_s_star_and_width():
    flow = dc.reweighted_flow(TOY_X, TOY_Y)
    # independent: direct GF at λ = 10⁻⁴ (error O(λ))
    grid = np.linspace(1.0, 3.0, 801)
    tr = dn.gradient_flow(TOY_X, TOY_Y, "squared", 1e3, 1e-4, (grid + np.log(1e3)) / 1e-4)
    ph = dc.progress(tr.w, [0.2, 0.4], [0.0, 0.5])
    assert abs(dc.crossing(grid, ph, 0.5) - flow.crossing(0.5)) < 1e-4
    assert dc.transition_time(flow.crossing(0.5), 1e3, 1e-4) == pytest.approx((np.log(1e3) + flow.crossing(0.5)) / 1e-4)


def test_normaliser_slope():
    """Along λ = α⁻¹, c = ½: d f(T⁻)/d ln α approaches 2c + p = 2, not the paper's c + p = 1.5."""
    f = [dv._toy_margin(a) for a in (1e3, 1e5)]
    slope = (f[1] - f[0]) / np.log(100.0)
    assert abs(slope - 2.0) < abs(slope - 1.5)
    assert 1.8 < slope < 2.0


def test_rich_norms():
    assert dc.rich_norm_sparse_classification(1e-3, [1 / 3, 1], [0.75, 0.25]) == pytest.approx(4.317, abs=5e-4)
    assert dc.rich_margin_toy(1e-2) == pytest.approx(0.5 * np.log(400))


def test_validation():
    with pytest.raises(ValueError, match="loss"):
        dn.gradient_flow(TOY_X, TOY_Y, "hinge", 1.0, 0.1, [1.0])
    with pytest.raises(ValueError, match="init_scale"):
        dn.gradient_flow(TOY_X, TOY_Y, "squared", -1.0, 0.1, [1.0])
    with pytest.raises(ValueError, match="c must"):
        dc.kernel_normaliser(10.0, 0.1, 1.5)
    assert dn.init_scale_from_norm(128.0, 8) == pytest.approx(32.0)
    with pytest.raises(ValueError, match="full row rank"):
        dc.reweighted_flow(np.ones((2, 3)), [1.0, 1.0])


def test_cli_transition_json(capsys):
    import json

    from grok_theory.cli import main
    assert main(["dichotomy", "transition", "--alpha", "100", "--weight-decay", "1e-3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert abs(out["runs"][0]["s_half_sim"] - out["s_star"]) < 2e-3
    assert main(["dichotomy", "transition", "--n", "3", "--d", "2"]) == 2


def test_cli_matrix_steps_and_summary(capsys):
    """--steps takes whole GD steps (1e3 ok, 2.5 rejected); the summary prints `key: value` lines."""
    import json

    from grok_theory.cli import main
    assert main(["dichotomy", "matrix", "--d", "8", "--steps", "10", "1e3"]) == 0
    out = capsys.readouterr().out
    assert "d: 8" in out and "np.float64" not in out and "{" not in out
    line = next(s for s in out.splitlines() if s.startswith("initial_norm: "))
    assert float(line.split(": ")[1]) == pytest.approx(10.0 * np.sqrt(16), rel=1e-15)
    assert main(["dichotomy", "matrix", "--d", "8", "--steps", "1e3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["steps"] == 1000
    with pytest.raises(SystemExit):
        main(["dichotomy", "matrix", "--d", "8", "--steps", "2.5"])


def test_sparse_accuracy_clt_vs_sampled():
    X, y, ws = dc.sparse_classification_data(64, 400, 3, seed=3)
    w = dn.max_l2_margin(X, y)
    rng = np.random.default_rng(4)
    Xt = rng.choice([-1.0, 1.0], size=(4000, 400))
    sampled = np.mean(np.sign(Xt @ w) == np.sign(Xt[:, :3] @ ws[:3]))
    sem = np.sqrt(sampled * (1 - sampled) / 4000)
    assert abs(dc.sparse_test_accuracy(w, ws, 3)[0] - sampled) < 4 * sem + 0.005  # + CLT error allowance


def test_misgrok_accuracy_exact_vs_sampled():
    X, y, ws = dc.misgrokking_data(16, 50, 4.0, seed=5)
    w = dn.max_l1_margin(X, y)
    Xt, yt, _ = dc.misgrokking_data(20000, 50, 4.0, seed=5)  # same w* (same seed), fresh points beyond the first 16
    Xt, yt = Xt[16:], yt[16:]
    sampled = np.mean(np.sign(Xt @ w) == yt)
    sem = np.sqrt(sampled * (1 - sampled) / yt.size)
    assert abs(dc.misgrokking_test_accuracy(w, ws, 4.0)[0] - sampled) < 4 * sem


@pytest.mark.slow
def test_kernel_phase_duration():
    """Lemmas C.5 / D.2: λT_max − ln α is constant for regression; classification needs −½ ln ln A (L = 2)."""
    raw, corrected, reg = [], [], []
    for a in (1e2, 1e4, 1e6):
        lam = 1 / a
        s = np.linspace(-4.0, 2.0, 301)
        for loss, out in (("exponential", raw), ("squared", reg)):
            tr = dn.gradient_flow(TOY_X, TOY_Y, loss, a, lam, (s + np.log(a)) / lam, rtol=1e-7)
            out.append(dc.crossing(s, tr.kernel_deviation(), 0.1))
        corrected.append(raw[-1] + 0.5 * np.log(np.log(a**2 / lam)))
    assert np.ptp(reg) < 1e-3
    assert np.ptp(raw) > 0.3 and np.ptp(corrected) < 0.5 * np.ptp(raw)


def test_gradient_descent_steps_accept_whole_floats():
    """Record steps written as floats (1e1) are whole GD steps; 2.7 is rejected, not truncated."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 8)), rng.standard_normal(5)
    a = dn.gradient_descent(X, y, "squared", 1.0, 0.1, 0.01, [10])
    b = dn.gradient_descent(X, y, "squared", 1.0, 0.1, 0.01, [1e1])
    np.testing.assert_array_equal(a.w, b.w)
    with pytest.raises(ValueError, match="whole GD steps"):
        dn.gradient_descent(X, y, "squared", 1.0, 0.1, 0.01, [2.7])
    with pytest.raises(ValueError, match="non-decreasing"):
        dn.gradient_descent(X, y, "squared", 1.0, 0.1, 0.01, [10, 5])
