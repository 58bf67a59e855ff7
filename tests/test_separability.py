"""Tests of grok_theory.separability (Beck, Levi & Bar-Sinai, arXiv 2410.04489)."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize, nnls
from scipy.stats import binom

from grok_theory.separability import counting, dynamics, margin
from grok_theory.separability.simulate import sample, simulate_logistic


# ------------------------------------------------------------------ counting
@pytest.mark.parametrize("n", [2, 3, 10, 41, 200])
def test_psep_matches_binomial_cdf(n):
    for d in range(1, n + 2):
        exact = counting.separability_probability(d, n)
        assert isinstance(exact, Fraction)
        assert float(exact) == pytest.approx(binom.cdf(d - 1, n - 1, 0.5), rel=1e-12, abs=1e-300)


def test_psep_threshold_half_and_symmetry():
    for n in (2, 10, 100, 1000):
        assert counting.separability_probability(n // 2, n) == Fraction(1, 2)
    # P_sep(d, N) + P_sep(N − d, N) = 1 (binomial symmetry), and d >= N is certain
    for d in range(1, 30):
        assert counting.separability_probability(d, 30) + counting.separability_probability(30 - d, 30) == 1 or d == 30
    assert counting.separability_probability(7, 5) == 1


def test_psep_dps_against_incomplete_beta():
    val = counting.separability_probability(1920, 4000, dps=40)
    with mpmath.workdps(50):
        ref = mpmath.betainc(4000 - 1 - 1919, 1920, 0, mpmath.mpf(1) / 2, regularized=True)
        assert abs(val / ref - 1) < mpmath.mpf(10) ** -38
    assert float(val) == pytest.approx(5.70e-3, rel=2e-3)  # the anchors note's number


def test_normal_approximation_and_width():
    # the error shrinks with N at fixed z = (2d − N)/√(N−1) = 1
    errs = []
    for n in (101, 1001, 10001):
        d = int(round((n + math.sqrt(n - 1)) / 2))
        errs.append(abs(float(counting.separability_normal(d, n)) / float(counting.separability_probability(d, n)) - 1))
    assert errs[0] > errs[1] > errs[2]
    assert counting.width(401) == pytest.approx(20 / 802)


def test_is_separable_constructed():
    pos = np.abs(np.random.default_rng(0).standard_normal((20, 3))) + 0.1
    assert counting.is_separable(pos)
    cross = np.vstack([np.eye(3), -np.eye(3)])
    assert not counting.is_separable(cross)
    assert not counting.is_separable(np.array([[1.0], [-2.0]]))


@pytest.mark.parametrize("bad", [dict(d=0, n_points=3), dict(d=2, n_points=-1), dict(d=2.5, n_points=4)])
def test_counting_validation(bad):
    with pytest.raises((ValueError, TypeError), match="d|n_points"):
        counting.separability_probability(**bad)


# ------------------------------------------------------------------ margins
def test_max_margin_is_distance_to_hull():
    x = np.random.default_rng(4).standard_normal((25, 18))
    mm = margin.max_margin(x)
    assert mm.separable
    n = x.shape[0]
    res = minimize(lambda a: np.sum((x.T @ a) ** 2), np.ones(n) / n, jac=lambda a: 2 * x @ (x.T @ a),
                   bounds=[(0, None)] * n, constraints=[{"type": "eq", "fun": lambda a: a.sum() - 1}], method="SLSQP",
                   options={"ftol": 1e-16, "maxiter": 2000})
    assert mm.margin == pytest.approx(math.sqrt(res.fun), rel=1e-6)
    assert (x @ mm.direction).min() == pytest.approx(mm.margin, rel=1e-9)
    assert not margin.max_margin(np.vstack([np.eye(2), -np.eye(2)])).separable


def test_extended_svm_against_direct_ldp():
    x = 2.0 * np.random.default_rng(5).standard_normal((30, 21))
    w = margin.extended_svm(x)
    g = -np.hstack([x, np.ones((30, 1))])
    e = np.vstack([g.T, np.ones((1, 30))])
    f = np.zeros(23)
    f[-1] = 1
    alpha, _ = nnls(e, f)
    r = e @ alpha - f
    np.testing.assert_allclose(w, -r[:-1] / r[-1], rtol=1e-7, atol=1e-10)
    inside = np.vstack([np.eye(3), -np.eye(3)])
    np.testing.assert_array_equal(margin.extended_svm(inside), [0, 0, 0, -1])


def test_gardner_margin_roundtrip_and_dps():
    lams = np.array([0.51, 0.6, 0.9, 3.0])
    k = margin.gardner_margin(lams)
    np.testing.assert_allclose(margin.gardner_lambda(k), lams, rtol=1e-13)
    assert margin.gardner_margin(0.4) == 0.0
    k30 = margin.gardner_margin("0.6", dps=30)
    with mpmath.workdps(40):
        integral = mpmath.quad(lambda u: (u + k30) ** 2 * mpmath.npdf(u), [-k30, 0, mpmath.inf])
        assert abs(integral - mpmath.mpf("0.6")) < mpmath.mpf(10) ** -28
    assert float(margin.limiting_accuracy(0.1, 5.0)) == pytest.approx(0.5 * (1 + math.erf(1 / (0.5 * math.sqrt(2)))))
    with pytest.raises(ValueError, match="lam"):
        margin.gardner_margin(-1.0)


def test_bias_free_limit_fixed_point_in_z_space():
    lim = margin.bias_free_limit(0.3)
    with mpmath.workdps(20):
        r, a = mpmath.mpf(lim.norm), mpmath.mpf(lim.log_c)
        w = lambda z: mpmath.lambertw(mpmath.exp(a + r * z)).real  # noqa: E731
        pts = [-mpmath.inf, -a / r - 2, -a / r, -a / r + 2, mpmath.inf]
        assert abs(mpmath.quad(lambda z: mpmath.npdf(z) / (1 + w(z)), pts) - 0.7) < 1e-11
        assert abs(mpmath.quad(lambda z: mpmath.npdf(z) * w(z) ** 2, pts) / r**2 - 0.3) < 1e-11
        assert abs(mpmath.quad(lambda z: mpmath.npdf(z) * w(z), pts) / mpmath.exp(a) - lim.z_min) < 1e-11
    with pytest.raises(ValueError, match="lam"):
        margin.bias_free_limit(0.5)


@pytest.mark.slow
def test_bias_free_limit_against_sampled_minimisers():
    lim = margin.bias_free_limit(0.3)
    norms, zs = [], []
    for seed in range(10):
        s, z = margin.bias_free_minimum(sample(300, 90, 1.0, seed))
        norms.append(np.linalg.norm(s))
        zs.append(z)
    for vals, theory in ((norms, lim.norm), (zs, lim.z_min)):
        zscore = (np.mean(vals) - theory) / (np.std(vals, ddof=1) / math.sqrt(len(vals)))
        assert abs(zscore) < 4, (np.mean(vals), theory)


def test_bias_free_minimum_is_stationary_and_refuses_separable():
    x = sample(120, 30, 2.0, 1)
    s, z = margin.bias_free_minimum(x)
    e = np.exp(x @ s)
    assert np.linalg.norm(x.T @ e / len(e)) < 1e-8 * np.linalg.norm(x)
    assert z == pytest.approx(e.mean())
    with pytest.raises(ValueError, match="separable"):
        margin.bias_free_minimum(sample(20, 15, 1.0, 0) @ np.eye(15) + 5.0)


# ------------------------------------------------------------------ two-point model
def test_two_point_s_inf_is_the_minimiser():
    m = dynamics.TwoPointModel(0.3, sigma=2.0)
    x1, x2 = m.points
    grad = lambda s: -x1 * 0 + (x1 * math.exp(s * x1) + x2 * math.exp(s * x2)) / 2  # noqa: E731
    assert abs(grad(m.s_inf())) < 1e-14
    assert m.s_inf() == pytest.approx(math.log(1 - 2 * 0.3) / (2 * (0.3 - 1)) / 2.0)  # printed form, σ = 2 rescaled
    with pytest.raises(ValueError, match="lam"):
        m2 = dynamics.TwoPointModel(0.6)
        m2.s_inf()


def test_two_point_critical_flow_closed_form():
    S, _ = dynamics.TwoPointModel(0.5).flow(np.array([1e6, 1e10]))
    exact = [float(mpmath.log(1 + mpmath.lambertw(t / 2).real)) for t in (1e6, 1e10)]
    np.testing.assert_allclose(S, exact, rtol=1e-6)


def test_two_point_accuracy_time_needs_large_sigma():
    near = dynamics.TwoPointModel(0.4995, sigma=20.0)
    t_near = dynamics.two_point_accuracy_time(near)
    assert t_near > 1e4 * dynamics.two_point_accuracy_time(dynamics.TwoPointModel(0.25, sigma=20.0))
    assert dynamics.two_point_accuracy_time(dynamics.TwoPointModel(0.4995, sigma=1.0)) < 1  # σ = 1: no delay
    with pytest.raises(ValueError, match="level"):
        dynamics.two_point_accuracy_time(near, level=1.5)


def test_two_point_separable_rates_and_ratio_law():
    m = dynamics.TwoPointModel(0.75)
    assert m.svm() == pytest.approx((0.4, -0.8))
    S, b = m.flow(np.array([1e30]))
    assert b[0] / math.log(1e30) == pytest.approx(-0.8, rel=0.03)
    m3 = dynamics.TwoPointModel(0.3)
    tt, tg = m3.crossing_times(1e-10)
    assert math.log(tg / tt) == pytest.approx(m3.log_ratio_limit(), rel=1e-3)


# ------------------------------------------------------------------ simulation
def test_simulate_logistic_shapes_and_accuracy_formula():
    run = simulate_logistic(60, 0.3, sigma=3.0, lr=0.05, steps=300, seeds=[1, 2], geometry=True)
    assert run.gen_acc.shape == (2, run.t.size) and run.t[0] == 0
    from scipy.special import ndtr

    np.testing.assert_allclose(run.gen_acc[:, -1], ndtr(-run.bias[:, -1] / (3.0 * run.s_norm[:, -1])))
    again = simulate_logistic(60, 0.3, sigma=3.0, lr=0.05, steps=300, seeds=[1, 2], geometry=False)
    np.testing.assert_array_equal(run.bias, again.bias)
    assert np.all(~run.separable) and np.all(np.isfinite(run.s_inf_norm))
    with pytest.raises(ValueError, match="level"):
        simulate_logistic(60, 0.3, level=0.3)


@pytest.mark.slow
def test_gd_grokking_time_follows_late_time_law():
    """Real GD t_gen vs log t = z_A σ‖S_∞‖ − log(ηZ_∞) per seed: measured offset at λ = 0.4 is O(1) in log t."""
    run = simulate_logistic(150, 0.4, sigma=5.0, lr=0.02, steps=20000, seeds=range(3))
    ok = ~run.separable
    pred = dynamics.gaussian_log_grokking_time(run.s_inf_norm[ok], run.z_min[ok], run.lr)
    diff = np.log(run.t_gen[ok]) - pred
    assert np.all(np.isfinite(diff)) and np.all(np.abs(diff) < 1.0), diff
    assert np.all(run.t_train[ok] < run.t_gen[ok] / 2)  # grokking: train accuracy first


# ------------------------------------------------------------------ CLI, registry, figures
def test_cli_probability_json(capsys):
    from grok_theory.cli import main

    assert main(["separability", "probability", "--d", "20", "--n", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["exact"] == "1/2"
    assert main(["separability", "margin", "--lam", "0.6", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["kappa"] == pytest.approx(float(margin.gardner_margin(0.6)))


def test_cli_help_has_examples(capsys):
    from grok_theory.cli import main

    with pytest.raises(SystemExit):
        main(["separability", "--help"])
    assert "grok-theory separability probability" in capsys.readouterr().out


def test_registry_and_figures():
    from grok_theory.derivations.separability import beck2025
    from grok_theory.figures import separability as figs
    from grok_theory.figures.reproduce import FIGURE_MODULES
    from grok_theory.symbolic import registry

    assert "separability.beck2025" in registry.DERIVATION_MODULES and "separability" in FIGURE_MODULES
    records = {d.id: d for d in beck2025.derivations()}
    assert set(records) == {"beck2025.wendel", "beck2025.svm", "beck2025.gardner", "beck2025.s_inf",
                            "beck2025.two_point", "beck2025.grok_ratio", "beck2025.grok_time"}
    for i in ("beck2025.wendel", "beck2025.two_point"):
        records[i].verify()
    printed = [c for c in records["beck2025.two_point"].checks if c.kind == "printed"][0].run()
    assert printed.ok  # the printed S_∞ agrees with the derivation
    assert {"beck-threshold", "beck-norms", "beck-fig9", "beck-fig3", "beck-grokking"} == set(figs.FIGURES)
