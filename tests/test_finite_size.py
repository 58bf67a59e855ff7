"""Finite d_in: Wishart sampler, edge laws, grokking-time distributions, 1/d_in corrections."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from grok_theory.linear.finite_size import (TimeDistribution, conditional_curve, crossing_times, grokking_time_distribution,
                                            mean_curve, mean_curve_correction, sample_single_runs, single_run_curve)
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import first_crossing, simulate_linear
from grok_theory.mp import edge
from grok_theory.mp.wishart import dense_spectrum, n_train_for, sample_spectrum

DATA = Path(__file__).parent / "data"


# -- the sampler ---------------------------------------------------------------------------------
@pytest.mark.parametrize("d, n", [(20, 40), (30, 30), (40, 25)])
def test_sampler_exact_moments(d, n):
    """E (1/d) Tr Σ = 1 and E (1/d) Tr Σ² = 1 + d/n + 1/n exactly (real Wishart), z-tested."""
    sp = sample_spectrum(d, n, 3000, rng=11)
    for vals, exact in ((sp.mean(axis=1), 1.0), ((sp**2).mean(axis=1), 1 + d / n + 1 / n)):
        z = (vals.mean() - exact) / (vals.std(ddof=1) / math.sqrt(vals.size))
        assert abs(z) < 4, (d, n, z)
    assert np.all(np.diff(sp, axis=1) >= 0)
    assert np.all(sp[:, : max(d - n, 0)] == 0) and np.all(sp[:, max(d - n, 0):] > 0)


@pytest.mark.parametrize("d, n", [(30, 60), (30, 30), (30, 20)])
def test_sampler_matches_dense_eigvalsh(d, n):
    """Bidiagonal vs sampled matrices: same law of the smallest nonzero and the largest eigenvalue."""
    a = sample_spectrum(d, n, 1500, rng=1)
    b = dense_spectrum(d, n, 1500, rng=2)
    k = max(d - n, 0)
    for col in (k, d - 1):
        assert stats.ks_2samp(a[:, col], b[:, col]).pvalue > 1e-3


def test_sampler_smallest_and_validation():
    full = sample_spectrum(50, 30, 3, rng=4)
    small = sample_spectrum(50, 30, 3, rng=4, smallest=4)
    np.testing.assert_allclose(small, full[:, 20:24], rtol=1e-10)
    assert n_train_for(1000, 0.9) == 1111
    with pytest.raises(ValueError, match="smallest"):
        sample_spectrum(50, 30, smallest=31)
    with pytest.raises(ValueError, match="d_in"):
        sample_spectrum(0, 30)
    with pytest.raises(ValueError, match="lam"):
        n_train_for(10, -1.0)


# -- the model's per-eigenvalue contribution ------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(lam=0.5), dict(lam=1.5, weight_decay=1e-3, label_noise=0.1, d_out=3),
                                dict(lam=0.9, dynamics="gd", lr=0.2, init_scale=2.0, weight_decay=0.01)])
def test_mode_curve_integrates_to_the_curves(kw):
    m = TeacherStudent(**kw)
    for which, curve in (("train", m.train_loss), ("gen", m.gen_loss), ("norm", m.weight_norm)):
        for t in (0.0, 30.0, 1000.0):
            assert m.law.expect(lambda x: m.mode_curve(which, t, x)) == pytest.approx(curve(t), rel=1e-12)


# -- single-run curves vs real gradient descent (the data-averaged curve vs literal GD over many teachers
#    is the simulation check of finite_size.conditional_average, run by tests/test_verify.py) ----------
def _modes_from_data(model, ds):
    n, d = ds.x.shape
    nu, v = np.linalg.eigh(ds.x.T @ ds.x / n)
    nu = np.clip(nu, 0, None)
    nu[: max(d - n, 0)] = 0
    T, S0 = -model.teacher_scale * (v.T @ ds.teacher), model.init_scale * (v.T @ ds.student0)
    E = v.T @ (ds.x.T @ (model.label_noise * ds.noise) / n)
    C = np.where((nu + model.g > 0)[:, None], E / np.where(nu + model.g > 0, nu + model.g, 1)[:, None], 0.0)

    def dot(a, b):
        return (a * b).sum(-1)[None]
    from grok_theory.linear.finite_size import SingleRunModes
    return SingleRunModes(nu[None], dot(T, T), dot(S0, S0), dot(C, C), dot(T, S0), dot(T, C), dot(S0, C),
                          np.array([((model.label_noise * ds.noise) ** 2).sum() / n]))


@pytest.mark.parametrize("kw, d, lam", [(dict(weight_decay=0.02, label_noise=0.3, d_out=3, init_scale=1.5, lr=0.05), 40, 1.5),
                                        (dict(label_noise=0.1, lr=0.05), 30, 0.8)])
def test_single_run_curve_equals_simulate_linear(kw, d, lam):
    """The single-run formula in the eigenbasis reproduces real GD of the same draw to round-off."""
    from grok_theory.linear.simulate import sample_dataset
    n = round(d / lam)
    m = TeacherStudent(lam=d / n, dynamics="gd", **kw)
    t = np.array([0, 3, 30, 300, 3000])
    sim = simulate_linear(d, n_train=n, t=t, seeds=[5], n_test=1, **kw)
    modes = _modes_from_data(m, sample_dataset(5, d, n, m.d_out, 1))
    np.testing.assert_allclose(single_run_curve(m, "gen", t, modes)[0], sim.gen_loss[0], rtol=1e-11)
    np.testing.assert_allclose(single_run_curve(m, "train", t, modes)[0], sim.train_loss[0], rtol=1e-11)


# -- crossing times ----------------------------------------------------------------------------------
def test_crossing_times_vs_brentq():
    from scipy.optimize import brentq
    m = TeacherStudent(0.7, lr=0.01)
    sp = sample_spectrum(60, n_train_for(60, 0.7), 5, rng=3)
    level = 2.5e-4
    got = crossing_times(lambda rows, t: conditional_curve(m, "gen", t, sp[rows]), 5, level, t_guess=2000.0)
    for i in range(5):
        ref = brentq(lambda t: conditional_curve(m, "gen", t, sp[i:i + 1])[0] - level, 10, 1e6, xtol=1e-12, rtol=1e-14)
        assert got[i] == pytest.approx(ref, rel=1e-10)
    # a level already met at t = 0, and one never met (λ > 1 keeps a null-space floor)
    assert crossing_times(lambda rows, t: conditional_curve(m, "gen", t, sp[rows]), 5, 10.0)[0] == 0.0
    m2 = TeacherStudent(1.5)
    sp2 = sample_spectrum(30, 20, 3, rng=1)
    assert np.all(np.isinf(crossing_times(lambda rows, t: conditional_curve(m2, "gen", t, sp2[rows]), 3, 1e-3)))


def test_distribution_dense_vs_bidiagonal():
    """Data-averaged crossing times: prediction from bidiagonal spectra vs real sampled matrices."""
    m = TeacherStudent(0.9, lr=0.01, dynamics="gd")
    d = 40
    real = grokking_time_distribution(m, 1e-3, d, spectra=dense_spectrum(d, n_train_for(d, 0.9), 400, rng=5))
    pred = grokking_time_distribution(m, 1e-3, d, n_sets=400, rng=6)
    for a, b in ((real.t_train, pred.t_train), (real.t_gen, pred.t_gen)):
        assert stats.ks_2samp(a.samples, b.samples).pvalue > 1e-3
    assert pred.n_train == 44 and pred.model.lam == pytest.approx(40 / 44)


@pytest.mark.slow
def test_single_run_distribution_vs_real_gd():
    """Single runs: predicted crossing-time law vs 300 real GD runs (simulate_linear, own X, T, S_0)."""
    d, lam, eps = 30, 0.5, 1e-3
    n = n_train_for(d, lam)
    m = TeacherStudent(d / n, lr=0.01, dynamics="gd")
    pred = grokking_time_distribution(m, eps, d, n_sets=600, runs="single", rng=9)
    grid = np.unique(np.round(np.geomspace(1, 3 * pred.t_gen.quantile(0.999), 300)).astype(np.int64))
    sim = simulate_linear(d, n_train=n, t=grid, seeds=range(300), n_test=1, lr=0.01)
    for which, key in (("t_train", "train_loss"), ("t_gen", "gen_loss")):
        real = first_crossing(sim.t, getattr(sim, key), eps / 4, rising=False)
        assert stats.ks_2samp(real, getattr(pred, which).samples).pvalue > 1e-3, which


def test_time_distribution_methods():
    rng = np.random.default_rng(0)
    td = TimeDistribution(rng.lognormal(3.0, 0.2, 4000))
    assert td.mean == pytest.approx(math.exp(3.02), rel=0.02)
    assert td.quantile(0.5) == pytest.approx(math.exp(3.0), rel=0.02)
    lo, hi = td.quantile_interval(0.5)
    assert lo < td.quantile(0.5) < hi
    grid = np.linspace(0, 80, 2001)
    assert np.trapezoid(td.density(grid), grid) == pytest.approx(1.0, abs=2e-3)
    assert td.cdf(td.quantile(0.3)) == pytest.approx(0.3, abs=1e-3)
    with_inf = TimeDistribution(np.array([1.0, 2.0, np.inf, np.inf]))
    assert with_inf.never == 0.5 and math.isinf(with_inf.mean) and math.isinf(with_inf.quantile(0.9))
    with pytest.raises(ValueError, match="q"):
        td.quantile(1.5)


def test_distribution_validation():
    m = TeacherStudent(0.5)
    with pytest.raises(ValueError, match="runs"):
        grokking_time_distribution(m, 1e-3, 20, runs="both")
    with pytest.raises(ValueError, match="eps"):
        grokking_time_distribution(m, -1.0, 20)
    with pytest.raises(ValueError, match="n_sets"):
        grokking_time_distribution(m, 1e-3, 20, n_sets=1)
    with pytest.raises(ValueError, match="spectra"):
        grokking_time_distribution(m, 1e-3, 20, spectra=np.ones((3, 7)))


# -- 1/d_in corrections ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lam", [0.5, 1.0, 1.5])
def test_mean_correction_vs_monte_carlo(lam):
    """E_X[L(t|X)] − L_MP(t) vs c₁(t)/d at early times (d = 60, 3000 spectra), z-tested; the
    prediction must also be closer than the MP value alone."""
    d = 60
    n = n_train_for(d, lam)
    m = TeacherStudent(d / n, weight_decay=1e-3, label_noise=0.1)
    sp = sample_spectrum(d, n, 3000, rng=21)
    t = np.array([10.0, 50.0])
    for which in ("train", "gen"):
        vals = conditional_curve(m, which, t, sp)
        mean, se = vals.mean(axis=0), vals.std(axis=0, ddof=1) / math.sqrt(len(vals))
        pred = mean_curve(m, which, t, d)
        assert np.all(np.abs(mean - pred) < 4 * se), (which, (mean - pred) / se)


def test_mean_correction_levi_closed_form():
    """Levi's L_gen = E[e^{−sν}] (flow, γ = 0, d_out = 1): c₁ = (e^{−sλ₋} + e^{−sλ₊})/4 − ½ e^{−s(1+λ)} I₀(2s√λ)."""
    for lam in (0.3, 1.0, 2.0):
        m = TeacherStudent(lam, lr=0.01)
        t = np.array([1.0, 100.0, 1000.0])
        s = 4 * 0.01 * t
        lo, hi = (1 - math.sqrt(lam)) ** 2, (1 + math.sqrt(lam)) ** 2
        ref = (np.exp(-s * lo) + np.exp(-s * hi)) / 4 - 0.5 * special.ive(0, 2 * s * math.sqrt(lam)) * np.exp(-s * lo)
        np.testing.assert_allclose(mean_curve_correction(m, "gen", t), ref, rtol=1e-12, atol=1e-300)


# -- edge laws --------------------------------------------------------------------------------------------
def test_tracy_widom_goe_moments_match_published():
    mean, var = edge.tracy_widom_goe_moments()
    assert mean == pytest.approx(edge.TW1_MEAN, abs=1e-11)
    assert var == pytest.approx(edge.TW1_VAR, abs=1e-11)


def test_tracy_widom_float_vs_stored_high_precision():
    """Float64 F₁ and F₁' vs 18-digit values of the mpmath path (stored offline by
    scripts/precompute_tw1_reference.py); the table interpolation error."""
    ref = json.loads((DATA / "tw1_reference.json").read_text())
    for row in ref["cdf"]:
        assert edge.tracy_widom_goe_cdf(row["s"]) == pytest.approx(float(row["F1"]), abs=2e-13)
        assert edge.tracy_widom_goe_table()(row["s"]) == pytest.approx(float(row["F1"]), abs=1e-6)
    for row in ref["pdf"]:
        assert edge.tracy_widom_goe_pdf(row["s"]) == pytest.approx(float(row["f1"]), abs=1e-11)
    assert edge.tracy_widom_goe_cdf(edge.tracy_widom_goe_quantile(0.3)) == pytest.approx(0.3, abs=1e-12)


def test_tracy_widom_mp_path_low_precision():
    """The mpmath path runs and agrees with float64 (its high-precision values are stored offline)."""
    v = edge.tracy_widom_goe_cdf("2", dps=8)
    assert abs(float(v) - edge.tracy_widom_goe_cdf(2.0)) < 1e-8


@pytest.mark.parametrize("d, n, kind", [(200, 400, "soft"), (40, 40, "hard"), (150, 100, "soft")])
def test_smallest_eigenvalue_law_vs_samples(d, n, kind):
    """ν_min from 3000 exact samples vs the asymptotic law: Kolmogorov distance below the 1 % critical
    value plus the measured asymptotic error of this size (docs: ≤ 0.012 at d = 200, λ = 0.5)."""
    law = edge.smallest_eigenvalue_law(d, n, kind)
    assert law.kind == kind
    nu = sample_spectrum(d, n, 3000, rng=31, smallest=1)[:, 0]
    assert stats.kstest(nu, law.cdf).statistic < 1.63 / math.sqrt(3000) + 0.02
    assert law.quantile(0.5) == pytest.approx(np.median(nu), rel=0.05)
    assert law.cdf(law.quantile(0.7)) == pytest.approx(0.7, abs=1e-5)


def test_hard_edge_closed_form():
    q = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(edge.hard_edge_cdf(edge.hard_edge_quantile(q)), q, rtol=1e-13)
    with pytest.raises(ValueError, match="q"):
        edge.hard_edge_quantile(1.0)


# -- derivations --------------------------------------------------------------------------------------------
def test_derivation_ids_registered():
    """(Steps and checks of every registered derivation are re-run by tests/test_verify.py.)"""
    from grok_theory.derivations.linear import finite_size as fs
    from grok_theory.symbolic.registry import DERIVATION_MODULES
    assert "linear.finite_size" in DERIVATION_MODULES
    assert [d.id for d in fs.derivations()] == ["finite_size.conditional_average", "finite_size.single_run",
                                                "finite_size.mean_correction", "finite_size.hard_edge", "finite_size.soft_edge"]


def test_prediction_vs_stored_real_data_sets():
    """Current prediction (1000 bidiagonal spectra) vs the stored medians of 2000 real data sets
    (dense eigvalsh, scripts/finite_size_ensembles.py): the 95 % intervals overlap."""
    rows = json.loads((DATA / "finite_size_ensembles.json").read_text())
    row = next(r for r in rows if r["part"] == "dense" and r["d_in"] == 50 and abs(r["lam"] - 50 / 56) < 1e-12)
    pred = grokking_time_distribution(TeacherStudent(row["lam"], lr=0.01, dynamics="gd"), 1e-3, 50, n_sets=1000, rng=77)
    for k in ("t_train", "t_gen"):
        lo, hi = getattr(pred, k).quantile_interval(0.5)
        rlo, rhi = row[k]["q0.5"]["real_ci"]
        assert lo <= rhi and rlo <= hi, (k, (lo, hi), (rlo, rhi))


def test_edge_crossing_time_at_the_hard_edge():
    """At λ = 1 the generalisation crossing is carried by ν_min: the hard-edge quantiles of t_gen vs
    the stored real data sets (d_in = 50, 2000 sets; measured within 7 % at q = 0.1, 0.5, 0.9)."""
    from grok_theory.linear.finite_size import edge_crossing_time
    rows = json.loads((DATA / "finite_size_ensembles.json").read_text())
    row = next(r for r in rows if r["part"] == "dense" and r["d_in"] == 50 and r["lam"] == 1.0)
    m = TeacherStudent(1.0, lr=0.01, dynamics="gd")
    pred = edge_crossing_time(m, "gen", 1e-3, 50, [0.1, 0.5, 0.9])
    real = [row["t_gen"][f"q{q}"]["real"] for q in (0.1, 0.5, 0.9)]
    np.testing.assert_allclose(pred, real, rtol=0.15)
    # flow, γ = 0, d_out = 1: t = log(1/(d L*))/(2c ν_min) in closed form
    flow = TeacherStudent(1.0, lr=0.01)
    nu = edge.smallest_eigenvalue_law(50, 50).quantile(0.5)
    assert edge_crossing_time(flow, "gen", 1e-3, 50, 0.5) == pytest.approx(math.log(1 / (50 * 2.5e-4)) / (2 * 0.02 * nu), rel=1e-10)
    with pytest.raises(ValueError, match="q"):
        edge_crossing_time(flow, "gen", 1e-3, 50, 1.0)


def test_stored_ensembles_prediction_vs_real_data_sets():
    """Every stored data-averaged row (scripts/finite_size_ensembles.py, dense part: d_in = 50, 200, 500,
    five λ, 2000 real and 2000 bidiagonal data sets): the quantiles 0.1, 0.5, 0.9 of t_train and t_gen agree
    within 4 standard errors of the difference (each read off its order-statistic 95 % interval) and no
    two-sample KS p-value is below 0.001."""
    rows = [r for r in json.loads((DATA / "finite_size_ensembles.json").read_text()) if r["part"] == "dense"]
    assert {(r["d_in"], round(r["lam"], 1)) for r in rows} >= {(d, lam) for d in (50, 200, 500) for lam in (0.5, 0.9, 1.0, 1.5)}
    for r in rows:
        for k in ("t_train", "t_gen"):
            x = r[k]
            if x["never_pred"] > 0.9 and x["never_real"] > 0.9:
                continue
            for q in ("q0.1", "q0.5", "q0.9"):
                v = x[q]
                se = math.hypot(*((ci[1] - ci[0]) / 3.92 for ci in (v["pred_ci"], v["real_ci"])))
                assert abs(v["pred"] - v["real"]) < 4 * se, (r["d_in"], r["lam"], k, q, v)
            assert x["ks_p"] > 1e-3, (r["d_in"], r["lam"], k)
