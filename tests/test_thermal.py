"""Thermal noise (Jules et al. 2023): Langevin/SGLD teacher–student, fluctuation dimensions, exponential wall."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from grok_theory.linear.model import TeacherStudent
from grok_theory.thermal import ExponentialWall, LangevinTeacherStudent
from grok_theory.thermal import fluctuation as fl
from grok_theory.thermal.simplified_loss import point_statistics
from grok_theory.thermal.simulate import simulate_langevin


def _lt(lam=0.5, temp=1e-4, d_in=100, **kw):
    return LangevinTeacherStudent(TeacherStudent(lam, **kw), temp, d_in)


# -- validation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw, name", [({"temp": -1.0}, "temperature"), ({"d_in": 0}, "d_in"), ({"temp": "abc"}, "temperature")])
def test_invalid_parameters_name_the_parameter(kw, name):
    with pytest.raises((ValueError, TypeError), match=name):
        _lt(**kw)


def test_invalid_simulation_arguments():
    with pytest.raises(ValueError, match="replicas"):
        simulate_langevin(10, 0.5, 1e-3, [0, 1], replicas=1)
    with pytest.raises(ValueError, match="loop"):
        simulate_langevin(10, 0.5, 1e-3, [0, 1], dynamics="flow", method="loop")
    with pytest.raises(ValueError, match="caps"):
        ExponentialWall([])


# -- exact curves -----------------------------------------------------------------------------------------
def test_zero_temperature_is_the_noiseless_model():
    m = _lt(temp=0.0, lr=0.05, weight_decay=0.01, label_noise=0.2)
    t = np.array([0.0, 10.0, 300.0])
    assert np.array_equal(m.train_loss_mean(t), m.model.train_loss(t))
    assert m.gen_loss_var(t) == 0 and m.thermal_train_mean(t) == 0


def test_thermal_mean_is_linear_and_variance_quadratic_plus_linear_in_T():
    t = np.array([5.0, 50.0, 500.0])
    m1, m2, m3 = (_lt(temp=T, lr=0.05, weight_decay=0.02, label_noise=0.3) for T in (1e-4, 2e-4, 3e-4))
    assert np.allclose(m2.thermal_gen_mean(t), 2 * m1.thermal_gen_mean(t), rtol=1e-13)
    v1, v2, v3 = m1.train_loss_var(t), m2.train_loss_var(t), m3.train_loss_var(t)
    # Var = A T² + B T: fit A, B from T = 1e-4, 2e-4 and predict T = 3e-4
    A = (v2 - 2 * v1) / (2 * 1e-8)
    B = (v1 - A * 1e-8) / 1e-4
    assert np.allclose(v3, A * 9e-8 + B * 3e-4, rtol=1e-9)
    assert np.all(A > 0) and np.all(B > 0)  # both the quadratic and the drift term are present at finite t


@pytest.mark.parametrize("dyn", ["flow", "gd"])
def test_float_and_dps_paths_agree(dyn):
    m = _lt(lam=2.0, temp="0.0001", lr=0.05, weight_decay=0.02, label_noise=0.3, dynamics=dyn)
    for fn in (m.train_loss_mean, m.gen_loss_var, m.train_loss_var):
        hi = fn(300, dps=30)
        assert isinstance(hi, mpmath.mpf)
        assert float(hi) == pytest.approx(float(fn(300.0)), rel=1e-13)


@pytest.mark.parametrize("lam", [0.5, 2.0])
@pytest.mark.parametrize("est", ["var", "mean"])
def test_equipartition_counts_the_stiff_directions(lam, est):
    m = _lt(lam=lam, temp=1e-3, d_in=100, d_out=2, lr=0.01, label_noise=0.3)
    D = fl.stationary_dimension(m, "train", est)
    assert D == pytest.approx(fl.rank_dimension(m), rel=1e-12)  # 2·min(100, N): an integer count


def test_gen_statistics_diverge_with_free_modes():
    m = _lt(lam=2.0, temp=1e-3)
    st = m.stationary()
    assert math.isinf(st["gen_mean"]) and math.isinf(st["gen_var"]) and math.isfinite(st["train_var"])
    # the diffusion of the d_in(1 − 1/λ) null modes: ⟨L_gen⟩ grows by 2ηT d_in (1 − 1/λ) per step
    t = np.array([1e4, 2e4])
    slope = np.diff(m.thermal_gen_mean(t))[0] / 1e4
    assert slope == pytest.approx(2 * 0.01 * 1e-3 * 100 * 0.5, rel=1e-6)


def test_weight_decay_dimension_is_the_ridge_spectrum():
    m = _lt(lam=0.5, temp=1e-3, weight_decay=0.2, lr=0.01)
    d1, d2 = fl.ridge_dimensions(m)
    assert fl.stationary_dimension(m, "train", "mean") == pytest.approx(d1, rel=1e-12)
    assert d2 < d1 < 100
    # D_var = quadratic part d2 + a drift part ∝ 1/T: halving T raises D_var by exactly the drift part
    hi = LangevinTeacherStudent(m.model, 5e-4, 100)
    drift = fl.stationary_dimension(m) - d2
    assert fl.stationary_dimension(hi) - d2 == pytest.approx(2 * drift, rel=1e-10)


def test_sgld_step_inflates_the_dimension():
    flow = _lt(lam=0.5, temp=1e-3, lr=0.2)
    sgld = _lt(lam=0.5, temp=1e-3, lr=0.2, dynamics="gd")
    assert fl.stationary_dimension(flow, "train", "mean") == pytest.approx(100, rel=1e-12)
    assert fl.stationary_dimension(sgld, "train", "mean") > 110


@pytest.mark.parametrize("lam", [0.5, 2.0, 0.9])
def test_correlation_time_diverges_at_the_interpolation_threshold(lam):
    m = _lt(lam=lam, temp=1e-3, d_out=2, lr=0.05)
    assert fl.integrated_time(m) == pytest.approx(2 / (4 * 0.05 * abs(1 - lam)), rel=1e-12)
    c = fl.autocovariance(m, [0.0, 10.0, 100.0])
    assert c[0] == pytest.approx(m.stationary()["train_var"], rel=1e-12) and c[0] > c[1] > c[2] > 0


# -- temperature and grokking ----------------------------------------------------------------------
def test_noise_delays_grokking_and_kills_it_above_the_critical_temperature():
    base = TeacherStudent(0.5, lr=0.01)
    cold = fl.grokking_time(LangevinTeacherStudent(base, 0.0, 100), 1e-3)
    warm = fl.grokking_time(LangevinTeacherStudent(base, 1e-6, 100), 1e-3)
    assert warm["t_train"] > cold["t_train"] and warm["t_gen"] > cold["t_gen"] and warm["delta"] > cold["delta"]
    tc = fl.critical_temperatures(LangevinTeacherStudent(base, 1e-6, 100), 1e-3)
    assert tc["gen"] == pytest.approx(1e-3 * 0.5 / 200, rel=1e-12)
    assert tc["train"] == pytest.approx(1e-3 / 200, rel=1e-12)
    memorise_only = fl.grokking_time(LangevinTeacherStudent(base, 1.05 * tc["gen"], 100), 1e-3)
    assert math.isfinite(memorise_only["t_train"]) and math.isinf(memorise_only["t_gen"])


def test_null_space_diffusion_undoes_generalisation():
    """λ > 1, γ = 0: after generalising, ⟨L_gen⟩ climbs back over ε/4 at about
    (ε/4 − L_gen(∞))/(2ηT d_in (1 − 1/λ)) (the range modes' thermal part makes it a little earlier)."""
    base = TeacherStudent(2.0, lr=0.01, teacher_scale=0.02, init_scale=0.02)
    m = LangevinTeacherStudent(base, 1e-8, 100)
    r = fl.grokking_time(m, 1e-3, t_max=1e8)
    assert math.isfinite(r["t_gen"]) and r["t_gen"] < r["t_regress"] < math.inf
    assert m.gen_loss_mean(r["t_regress"]) == pytest.approx(2.5e-4, rel=1e-9)
    estimate = (2.5e-4 - base.gen_loss_limit()) / (2 * 0.01 * 1e-8 * 100 * 0.5)
    assert 0.98 * estimate < r["t_regress"] < estimate


def test_first_order_delay_of_the_train_crossing():
    """δt ≈ ΔL_thermal(t*)/|dL/dt(t*)| for small T: the error is second order (measured, ratio → 1)."""
    base = TeacherStudent(0.5, lr=0.01)
    t0 = fl.crossing_time(LangevinTeacherStudent(base, 0.0, 100), "train", 2.5e-4)
    slope = (base.train_loss(t0 * 1.0001) - base.train_loss(t0 * 0.9999)) / (2e-4 * t0)
    errs = []
    for T in (1e-9, 1e-8):
        m = LangevinTeacherStudent(base, T, 100)
        exact = fl.crossing_time(m, "train", 2.5e-4) - t0
        first = m.thermal_train_mean(t0) / -slope
        errs.append(abs(first / exact - 1))
    assert errs[0] < errs[1] < 0.05


# -- exponential wall -------------------------------------------------------------------------------------
def test_wall_point_statistics_limits_and_precision():
    p = point_statistics(np.array([1e-8, 1e4]))
    assert p["d_var"][0] < 0.12 and p["d_var"][1] == pytest.approx(2, abs=1e-3)
    hi = point_statistics("0.3", dps=30)
    lo = point_statistics(0.3)
    for k in ("mean", "var", "q"):
        assert float(hi[k]) == pytest.approx(lo[k], rel=1e-13)
    x = np.logspace(-8, 4, 200)
    q = point_statistics(x)["q"]
    assert 0.7 < q.min() < 0.8 and q.max() < 1  # quadratic-like to within 25 %, never above 1


def test_logistic_simulation_runs_and_validates():
    from grok_theory.thermal.simplified_loss import simulate_logistic

    r = simulate_logistic(4, 8, 2.0, 0.05, steps=200, walkers=20, seeds=range(2), descent_steps=200)
    assert r.d_var.shape == (2,) and np.all(r.d_var > 0) and np.all(r.near <= 8)
    with pytest.raises(ValueError, match="radius"):
        simulate_logistic(4, 8, 0.0, 0.05)


def test_wall_curvature_grows_with_temperature_while_d_counts_boundary_points():
    caps = np.concatenate([np.zeros(5), np.full(20, 40.0)])  # 5 points at the boundary, 20 deep inside
    w = ExponentialWall(caps)
    cold, warm = w.statistics(1e-3), w.statistics(1e-1)
    assert warm["curvature"] > cold["curvature"] > w.quadratic_curvature()
    assert 10 <= cold["d_var"] < 12 and w.near_boundary_count(1e-3) == 5


# -- simulations ------------------------------------------------------------------------------------------
def _z(sim, model, t, names):
    curves = {"train_mean": model.train_loss_mean, "gen_mean": model.gen_loss_mean, "train_var": model.train_loss_var,
              "gen_var": model.gen_loss_var}
    return max(float(np.max(np.abs(sim.mean(n) - curves[n](t)) / sim.sem(n))) for n in names)


@pytest.mark.slow
def test_flow_simulation_matches_theory():
    """Exact-transition Langevin flow at λ = 2 (null-space diffusion); the SGLD loop and the
    exponential wall are simulated by the derivations' checks (tests/test_verify.py)."""
    t = np.array([30, 300, 1500])
    r = simulate_langevin(40, 2.0, 2e-3, t, seeds=range(8), replicas=6, dynamics="flow", lr=0.1, progress=False)
    m = LangevinTeacherStudent(TeacherStudent(r.params["lam"], dynamics="flow", lr=0.1), 2e-3, 40)
    assert _z(r, m, t, ("train_mean", "gen_mean", "train_var", "gen_var")) < 4.5


def test_loop_and_spectral_share_the_data_stream():
    """Same seed → same data: at T = 0 the literal loop and the exact path give the same losses."""
    t = np.array([0, 5, 50])
    a = simulate_langevin(12, 0.5, 0.0, t, seeds=[3], replicas=2, lr=0.1, method="loop", progress=False)
    b = simulate_langevin(12, 0.5, 0.0, t, seeds=[3], replicas=2, lr=0.1, method="spectral", progress=False)
    assert np.allclose(a.train_loss, b.train_loss, rtol=1e-10) and np.allclose(a.gen_loss, b.gen_loss, rtol=1e-10)


def test_derivations_are_registered():
    from grok_theory.symbolic import registry

    assert [i for i in registry.ids() if i.startswith("jules2023.")] == [
        "jules2023.ou_mode", "jules2023.thermal_mean", "jules2023.thermal_variance", "jules2023.equipartition",
        "jules2023.ridge_dimension", "jules2023.sgld_bias", "jules2023.critical_temperature", "jules2023.autocorrelation",
        "jules2023.exponential_wall"]


# -- command line ------------------------------------------------------------------------------------------
def test_cli_dimension_json_matches_library(capsys):
    import json

    from grok_theory.cli import main

    assert main(["thermal", "dimension", "--lam", "0.5", "--weight-decay", "0.1", "--temperature", "1e-4", "--d-in", "100",
                 "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    m = _lt(lam=0.5, temp=1e-4, weight_decay=0.1)
    assert row["D_var"] == pytest.approx(fl.stationary_dimension(m), rel=1e-14)
    assert row["ridge_mean"] == pytest.approx(fl.ridge_dimensions(m)[0], rel=1e-14)


def test_cli_errors_are_one_line(capsys):
    from grok_theory.cli import main

    assert main(["thermal", "curves", "--lam", "0.5", "--temperature", "-1", "--d-in", "10", "--t", "1"]) == 2
    err = capsys.readouterr().err
    assert "temperature" in err and err.count("\n") == 1
