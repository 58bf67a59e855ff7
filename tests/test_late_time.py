"""Late-time series, crossing and grokking times from it (grok_theory.linear.late_time) vs the exact engine."""
import math

import mpmath
import numpy as np
import pytest

from grok_theory.linear.grokking import crossing_time, grokking_time
from grok_theory.linear.late_time import crossing_time_approx, grokking_time_approx, late_time_series, pole_integrals
from grok_theory.linear.model import TeacherStudent


@pytest.mark.parametrize("kw", [dict(lam=0.3), dict(lam=0.9), dict(lam=1.0), dict(lam=1.5),
                                dict(lam=0.9, weight_decay=1e-3), dict(lam=0.9, dynamics="gd"),
                                dict(lam=1.5, weight_decay=1e-3, dynamics="gd"), dict(lam=0.7, d_out=3)])
@pytest.mark.parametrize("which", ["train", "gen"])
def test_series_converges_to_exact_curve(kw, which):
    m = TeacherStudent(**kw)
    exact = m.train_loss if which == "train" else m.gen_loss
    ser = late_time_series(m, which, order=8)
    errs = [abs(ser(t) / exact(t) - 1) for t in (1e3, 1e4)]
    # the series is asymptotic: the error must fall with t and be tiny at late times
    assert errs[1] < 1e-11
    assert errs[1] < errs[0] or errs[0] < 1e-13


def test_error_order_of_truncation():
    """Relative error of the N-term series falls like t^{-N} (fit-free: slope between two late times)."""
    m = TeacherStudent(0.5)
    with mpmath.workdps(40):
        ts = (mpmath.mpf(2000), mpmath.mpf(4000))
        exact = [m.train_loss(t, dps=40) for t in ts]
    for order in (1, 2, 3):
        ser = late_time_series(m, "train", order=order, dps=40)
        with mpmath.workdps(40):
            e = [abs(ser.mp_value(t) - x) / x for t, x in zip(ts, exact)]
            slope = float(mpmath.log(e[0] / e[1]) / mpmath.log(2))
        assert abs(slope - order) < 0.1, (order, slope)


def test_pole_integrals_against_quadrature():
    with mpmath.workdps(30):
        for beta in (mpmath.mpf(1) / 2, -mpmath.mpf(1) / 2):
            b, sig = mpmath.mpf("0.3"), mpmath.mpf("7")
            got = pole_integrals(beta, b, sig)
            for m in (0, 1, 2):
                # w = u²: an integrand smooth at 0 for the independent quadrature
                ref = mpmath.quad(lambda u: 2 * u ** (2 * beta + 1) * mpmath.exp(-sig * u * u) / (u * u + b) ** m, [0, 1, mpmath.inf])
                assert abs(got[m] / ref - 1) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize("lam", [0.05, 0.3, 0.7, 0.95])
@pytest.mark.parametrize("eps", [1e-2, 1e-5, 1e-8])
def test_grokking_time_within_one_percent(lam, eps):
    exact = grokking_time(TeacherStudent(lam), eps).delta
    approx = grokking_time_approx(lam, eps)
    assert abs(approx / exact - 1) < 1e-2


def test_vectorised_over_eps_and_inf_when_no_grokking():
    eps = np.array([1e-3, 1e-6])
    out = grokking_time_approx(0.5, eps)
    assert out.shape == (2,)
    assert out[1] == pytest.approx(grokking_time_approx(0.5, 1e-6))
    assert math.isinf(grokking_time_approx(0.9, 1e-6, weight_decay=1e-3))  # below the floor
    assert math.isinf(grokking_time_approx(1.5, 1e-3))


def test_crossing_time_weight_decay_gd():
    m = TeacherStudent(0.9, weight_decay=1e-3, dynamics="gd")
    for which in ("train", "gen"):
        assert crossing_time_approx(m, which, 1e-3) == pytest.approx(crossing_time(m, which, 1e-3), rel=1e-9)


def test_levi_eq24_is_the_newton_start():
    from grok_theory.linear.asymptotics import levi2024_eq24_gen, levi2024_eq24_train

    m = TeacherStudent(0.5)
    assert crossing_time_approx(m, "train", 1e-3, order=1, newton=0, uniform=False) == pytest.approx(
        levi2024_eq24_train(1e-3, 0.5, 0.01), rel=1e-12)
    assert crossing_time_approx(m, "gen", 1e-3, order=1, newton=0, uniform=False) == pytest.approx(
        levi2024_eq24_gen(1e-3, 0.5, 0.01), rel=1e-12)


def test_rejects_label_noise():
    with pytest.raises(ValueError, match="label_noise"):
        late_time_series(TeacherStudent(0.5, label_noise=0.1), "gen")


def test_figures_build_quick():
    pytest.importorskip("matplotlib")
    from grok_theory.figures.late_time import FIGURES

    fig = FIGURES["grokking-time-approx"](True)
    assert len(fig.axes) == 6
