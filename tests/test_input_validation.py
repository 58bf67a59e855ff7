"""Regression tests for the bad-input items of issue 14: each call below used to hang, raise a
bare Python/numpy error, warn, or silently substitute a value. Now each raises ValueError/TypeError
naming the parameter (quickly), or returns the documented value."""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest

from grok_theory import _validate
from grok_theory.cli import main as cli_main
from grok_theory.dichotomy import diagonal_net as dn
from grok_theory.dichotomy import matrix_completion as mc
from grok_theory.dichotomy import transition as tr
from grok_theory.linear import asymptotics as asy
from grok_theory.linear import landscape, robustness, two_layer
from grok_theory.linear.late_time import ORDER_MAX, late_time_series
from grok_theory.linear.model import TeacherStudent, accuracy_from_loss
from grok_theory.linear.simulate import simulate_linear
from grok_theory.mp import MarchenkoPastur
from grok_theory.mp.law import MOMENT_K_MAX
from grok_theory.simulation import LAM_RTOL, seed_tuple, train_size

X = np.array([[1.0, 0.5, -0.3, 0.2], [0.1, -1.0, 0.4, 0.7]])
Y = np.array([0.7, -0.2])


def refuses(exc, match, fn, *args, **kwargs):
    """``fn`` raises ``exc`` whose message matches ``match``, within a second of CPU, without warnings."""
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(exc, match=match):
            fn(*args, **kwargs)
    assert time.process_time() - start < 1.0


# -- hangs ----------------------------------------------------------------------------------------
def test_nan_tolerances_and_s_start_no_longer_hang():
    problem = mc.multiplication_problem(6, 0.3)
    refuses(ValueError, "rtol", mc.gradient_flow, problem, 0.1, 0.01, [0, 1], rtol=math.nan)
    refuses(ValueError, "tol", mc.nuclear_norm_completion, problem, 0.01, tol=math.nan)
    refuses(ValueError, "iterations", mc.nuclear_norm_completion, problem, 0.01, iterations=10**9)
    refuses(ValueError, "s_start", tr.ReweightedFlow, X, Y, s_start=math.nan)
    refuses(ValueError, "s_start", tr.ReweightedFlow, X, Y, s_start=-1e6)  # overflowed β = 2e^{−2s}
    refuses(ValueError, "rtol", tr.ReweightedFlow, X, Y, rtol=math.nan)
    refuses(ValueError, "rtol", tr.ReweightedFlow, X, Y, rtol=1e-320)  # below scipy's floor: was a warning
    refuses(ValueError, "rtol", dn.gradient_flow, X, Y, "squared", 0.1, 0.1, [0, 1], rtol=math.nan)


def test_unbounded_costs_have_documented_bounds():
    refuses(ValueError, r"dps must be <= 1000 \(an integer in \[1, 1000\]\)", MarchenkoPastur(0.5).laplace, 1.0, dps=10**6)
    refuses(ValueError, "dps", TeacherStudent(0.5).gen_loss, 1.0, dps=_validate.DPS_MAX + 1)
    refuses(ValueError, r"k must be <= 1000 \(an integer in \[0, 1000\]\)", MarchenkoPastur(0.5).moment, 10**6)
    assert MOMENT_K_MAX == 1000 and _validate.DPS_MAX == 1000
    refuses(ValueError, "order", late_time_series, TeacherStudent(0.5), order=ORDER_MAX + 1)
    refuses(ValueError, "d", mc.multiplication_problem, 10**7)  # was a 728 TiB allocation
    refuses(ValueError, "seeds", simulate_linear, 10, 0.5, seeds=10**7)


def test_moment_beyond_float_range_is_inf_not_an_error():
    assert MarchenkoPastur(0.5).moment(1000) == math.inf
    # huge Narayana coefficients with a small λ: summed exactly (was OverflowError)
    assert math.isfinite(MarchenkoPastur(0.01).moment(1000))
    assert MarchenkoPastur(0.5).moment(3) == pytest.approx(1 + 3 * 0.5 + 0.25)


# -- bare Python errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn,args,name", [
    (asy.levi2024_eq22, (0.0, 0.5, 0.01), "t"),  # ZeroDivisionError
    (asy.levi2024_eq23, (0.0, 0.5, 0.01), "t"),
    (asy.levi2024_eq22, (-1e300, 0.5, 0.01), "t"),  # OverflowError
    (asy.levi2024_eq24_train, (0.0, 0.5, 0.01), "eps"),
    (asy.levi2024_eq24_gen, (-1.0, 0.5, 0.01), "eps"),  # returned −12.3
    (asy.levi2024_eq12, (0.5, 0.0), "lr"),
    (asy.levi2024_eq12, (0.5, None), "lr"),
    (asy.levi2024_eq12, ("x", 0.01), "lam"),
])
def test_asymptotics_refuse_bad_arguments(fn, args, name):
    refuses((ValueError, TypeError), name, fn, *args)


def test_asymptotics_do_not_overflow_in_range():
    assert asy.levi2024_eq22(1e300, 0.5, 1e10) == 0.0  # (ηt)^{3/2} overflowed while the value underflows
    assert asy.levi2024_eq22(1e-300, 0.5, 1e-10) == math.inf  # the form diverges as t → 0
    assert asy.levi2024_eq12(0.5, 1e-320) == math.inf


def test_two_layer_and_kernel_theory():
    refuses(ValueError, "d_out", two_layer.kernel_theory, 0.5, 10, 0, 0.01, [0, 1], 0.5, 0.5, 1.0, 1.0)
    refuses(ValueError, "t", two_layer.kernel_theory, 0.5, 10, 1, 0.01, [], 0.5, 0.5, 1.0, 1.0)
    refuses(ValueError, "lr", two_layer.simulate_two_layer, 4, 0.5, 3, lr=1e3, t=(0, 50))  # overflow warnings
    refuses(ValueError, "lr", dn.gradient_descent, X, np.sign(Y), "squared", 0.1, 0.1, 1e3, [0, 100])


def test_diagonal_net_data_checks():
    refuses(ValueError, "X", dn.min_l2_interpolant, np.zeros((0, 3)), [])  # returned zeros
    refuses(ValueError, "X", dn.min_l1_interpolant, X * np.nan, Y)
    refuses(ValueError, "loss", dn.gradient_descent, X, Y, "hinge", 0.1, 0.1, 0.01, [1])


def test_transition_helpers():
    refuses(ValueError, "margins", tr.rich_norm_sparse_classification, 0.1, [math.nan])
    refuses(ValueError, "margins", tr.rich_norm_sparse_classification, 0.1, [-1.0])  # brentq's bare error
    refuses(ValueError, "weight_decay", tr.rich_norm_sparse_classification, 5.0, [1.0])
    refuses(ValueError, "x_max", tr.rich_margin_toy, 0.1, 0)  # log(0) warning
    refuses(ValueError, "t", tr.kernel_margin_quasistatic, 1.0, 1, 1.0, 0.1, math.nan)  # returned NaN
    refuses(ValueError, "s_star", tr.transition_time, math.nan, 1.0, 1.0)  # returned NaN
    refuses(ValueError, "level", tr.crossing, [0, 1, 2], [1, 0.5, 0], math.nan)  # returned NaN


def test_large_scales_rejected_before_overflow():
    refuses(ValueError, "init_scale", TeacherStudent, 2.0, init_scale=1e200)  # OverflowError in the CLI
    refuses(ValueError, "lam", MarchenkoPastur, 1e300)  # overflow warnings everywhere
    refuses(ValueError, "t", TeacherStudent(0.5).gen_loss, 1e300)


# -- silent substitutions -------------------------------------------------------------------------
def test_accuracy_from_loss_nan_and_negative():
    refuses(ValueError, "loss", accuracy_from_loss, math.nan, 1e-3, 1)  # was 1.0
    refuses(ValueError, "loss", accuracy_from_loss, -1.0, 1e-3, 1)  # was 1.0
    refuses(ValueError, "loss", accuracy_from_loss, math.nan, 1e-3, 1, dps=20)
    refuses(ValueError, "convention", accuracy_from_loss, 0.1, 1e-3, 1, convention="bogus")
    refuses(ValueError, "eps", accuracy_from_loss, 0.1, 0.0, 1)
    assert accuracy_from_loss(-1e-17, 1e-3, 1) == 1.0  # round-off of an exact 0 (|L| <= 1e-12·eps)


def test_seeds_int_means_that_many_seeds():
    sim = simulate_linear(10, 0.5, seeds=2, t=(0, 5))
    assert sim.seeds == (0, 1) and sim.train_loss.shape == (2, 2)
    assert two_layer.simulate_two_layer(4, 0.5, 3, t=(0, 5), seeds=3).train_loss.shape == (3, 2)
    assert seed_tuple(range(3, 5)) == (3, 4)
    refuses(ValueError, "seeds", simulate_linear, 10, 0.5, seeds=(), t=(0, 5))  # NaN means with a warning
    refuses(ValueError, "seeds", simulate_linear, 10, 0.5, seeds=0, t=(0, 5))
    refuses(TypeError, "seeds", simulate_linear, 10, 0.5, seeds=[1.5], t=(0, 5))  # was truncated to 1
    refuses(TypeError, "seeds", simulate_linear, 10, 0.5, seeds="a", t=(0, 5))
    refuses(ValueError, "seeds", simulate_linear, 10, 0.5, seeds=[-1], t=(0, 5))


def test_lam_realised_within_tolerance_or_refused():
    refuses(ValueError, "lam", simulate_linear, 20, 1e300)  # silently ran λ = 20
    refuses(ValueError, "lam", simulate_linear, 20, 15.0)  # N_tr = 1 gives λ = 20: 33% off
    refuses(ValueError, "lam", simulate_linear, 3, 1e-320)  # round(inf): OverflowError
    sim = simulate_linear(20, 0.7, t=(0,))  # N_tr = 29: λ = 0.6897, within LAM_RTOL
    assert sim.params["lam"] == 20 / 29 and sim.params["lam_requested"] == 0.7
    assert abs(sim.params["lam"] / 0.7 - 1) <= LAM_RTOL
    assert train_size(20, 0.5) == 40


def test_one_stability_check_for_all_linear_simulations():
    refuses(ValueError, "lr.*unstable", simulate_linear, 20, 0.5, lr=10, t=(0, 5))
    refuses(ValueError, "lr.*unstable", simulate_linear, 20, 0.5, lr=10, t=(0, 5), method="loop")  # returned inf
    refuses(ValueError, "lr.*unstable", robustness.simulate_input_noise, 20, 0.5, 0.1, (0, 5), lr=10)  # returned inf


def test_landscape_roundoff_clipped_within_tolerance():
    p = landscape.ReducedLandscape(0.5).at_norm(0.5)  # the least-squares point: exact zeros
    assert p.gen == 0.0 and p.train >= 0.0  # gen was −2.8e-17
    assert landscape.ReducedLandscape(100, label_noise=0.1).knee().train == 0.0  # was −8.9e-18
    assert landscape._clip_roundoff(-1e-3, 1.0) == -1e-3  # a real negative value stays visible
    refuses(ValueError, "norm2", landscape.ReducedLandscape(0.5, teacher_scale=0.0).at_norm, 0.5)  # math domain error


# -- command line -----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv,name", [
    (["simulate", "--d-in", "20", "--lam", "0.5", "--t", "0", "5", "--seeds", "0"], "--seeds"),  # exit 0 with NaNs
    (["simulate", "--d-in", "20", "--lam", "1e300", "--t", "0", "5"], "lam"),
    (["large-init", "--lam", "2", "--init-scale", "10", "--weight-decay", "1e-2", "--delta", "-1"], "delta"),
    (["large-init", "--lam", "2", "--init-scale", "1e200", "--weight-decay", "1e-2"], "init_scale"),  # traceback
    (["curves", "--lam", "0.9", "--t", "1e3", "--dps", "100000"], "dps"),
])
def test_cli_one_line_exit_2(argv, name, capsys):
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err
