"""TeacherStudent curves vs an independent quadrature of the per-mode solution.

The reference integrates the mode formula (h = e^{−c(ν+g)t} or (1 − c(ν+g))^t, fixed point
D* = (E − gT)/(ν+g)) against the raw MP density with scripts/precompute_mp_reference.integrate
(mpmath.quad in ν with both edges desingularised), sharing no code with the angle rule.
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_theory.linear.model import TeacherStudent, accuracy_from_loss, loss_at_accuracy
from grok_theory.mp.law import MarchenkoPastur
from tests.conftest import assert_digits

_spec = importlib.util.spec_from_file_location(
    "precompute_mp_reference", Path(__file__).resolve().parents[1] / "scripts" / "precompute_mp_reference.py")
REF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REF)


def reference(model: TeacherStudent, which: str, t: str, dps: int = 45):
    """Independent value of a curve at time t (string), at dps digits."""
    with mpmath.workdps(dps):
        lam, d = mpmath.mpf(model.lam), model.d_out
        c, g = 2 * mpmath.mpf(model.lr) / d, mpmath.mpf(model.weight_decay) / 2
        a2, tau2, s2 = mpmath.mpf(model.init_scale) ** 2, mpmath.mpf(model.teacher_scale) ** 2, mpmath.mpf(model.label_noise) ** 2
        tm = mpmath.mpf(t)

        def mode(nu):
            h = (1 - c * (nu + g)) ** tm if model.dynamics == "gd" else mpmath.exp(-c * (nu + g) * tm)
            w = 1 - h
            if g == 0 and nu == 0:
                r, rc, nf, q = 0, 1, 0, 0
            else:
                r, rc, nf, q = g / (nu + g), nu / (nu + g), nu / (nu + g) ** 2, nu / (nu + g)
            clean = tau2 / (2 * d) * (r + rc * h) ** 2 + a2 / (2 * d) * h**2
            if which == "gen":
                return clean + lam * s2 * nf * w * w
            if which == "train":
                return nu * clean + lam * s2 * (nu * nf * w * w - 2 * q * w) + s2
            return tau2 / 2 * (rc * w) ** 2 + a2 / 2 * h**2 + d * lam * s2 * nf * w * w

        decay = 2 * c * tm if model.dynamics == "flow" else None
        val = REF.integrate(lam, mode, "tanh-sinh", s=decay)
        if lam > 1:
            val += (1 - 1 / lam) * mode(mpmath.mpf(0))
        return val


CASES = [
    dict(lam=0.5),
    dict(lam=1.7),
    dict(lam=0.9, d_out=3, lr=0.02, weight_decay=0.01, init_scale=1.5, teacher_scale=0.7, label_noise=0.3),
    dict(lam=2.0, d_out=2, weight_decay=0.05, init_scale=2.0, label_noise=0.2),
    dict(lam=0.3, lr=0.1, weight_decay=0.02, init_scale=0.5, teacher_scale=1.2, label_noise=0.4),
    dict(lam=1.0, label_noise=0.1),
]


@pytest.mark.parametrize("dynamics", ["flow", "gd"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("which", ["train", "gen", "norm"])
def test_curves_match_independent_quadrature(case, dynamics, which):
    model = TeacherStudent(**case, dynamics=dynamics)
    fn = {"train": model.train_loss, "gen": model.gen_loss, "norm": model.weight_norm}[which]
    for t in ("0", "37", "2500"):
        ref = reference(model, which, t)
        assert_digits(fn(t, dps=32), ref, 30, what=f"{which} t={t}")
        assert float(fn(float(t))) == pytest.approx(float(ref), rel=1e-12)


def test_levi_eq7_8_and_eq9():
    """d_out = 1, γ = 0, default init, flow: L_tr = E[ν e^{−4ηνt}], L_gen = E[e^{−4ηνt}]."""
    for lam in (0.1, 0.9, 1.5):
        m, law = TeacherStudent(lam), MarchenkoPastur(lam)
        t = np.array([0.0, 10.0, 1e3, 1e5])
        np.testing.assert_allclose(m.train_loss(t), law.laplace(0.04 * t, power=1), rtol=1e-13)
        np.testing.assert_allclose(m.gen_loss(t), law.laplace(0.04 * t), rtol=1e-13)


def test_init_scale_rescales_losses_without_weight_decay():
    """Levi §3.1.3: S → αS multiplies both losses by (1 + α²)/2 when γ = σ = 0."""
    t = np.array([0.0, 50.0, 5e3])
    for alpha in (0.0, 3.0):
        m, base = TeacherStudent(0.7, init_scale=alpha), TeacherStudent(0.7)
        np.testing.assert_allclose(m.gen_loss(t), (1 + alpha**2) / 2 * base.gen_loss(t), rtol=1e-13)
        np.testing.assert_allclose(m.train_loss(t), (1 + alpha**2) / 2 * base.train_loss(t), rtol=1e-13)


def test_label_noise_floors_are_the_least_squares_values():
    s2 = 0.04
    assert TeacherStudent(0.5, label_noise=0.2).gen_loss_limit() == pytest.approx(0.5 * s2 / 0.5, rel=1e-12)
    assert TeacherStudent(0.5, label_noise=0.2).train_loss_limit() == pytest.approx(s2 * 0.5, rel=1e-12)
    m = TeacherStudent(1.5, label_noise=0.2)
    assert m.gen_loss_limit() == pytest.approx(s2 / 0.5 + (1 - 1 / 1.5), rel=1e-12)
    assert abs(m.train_loss_limit()) < 1e-15
    assert TeacherStudent(1.0, label_noise=0.2).gen_loss_limit() == math.inf


def test_gd_tends_to_flow_as_lr_vanishes():
    flow = TeacherStudent(0.8, weight_decay=0.01, label_noise=0.1, lr=0.01)
    ts = np.array([100.0, 3000.0])
    errs = []
    for factor in (1, 10, 100):
        gd = TeacherStudent(0.8, weight_decay=0.01, label_noise=0.1, lr=0.01 / factor, dynamics="gd")
        errs.append(np.max(np.abs(gd.gen_loss(ts * factor) / flow.gen_loss(ts) - 1)))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3
    assert errs[1] / errs[2] == pytest.approx(10, rel=0.2)  # first order in lr


def test_late_times_tiny_but_correct():
    m = TeacherStudent(0.5)
    assert m.gen_loss(1e9) == 0.0  # below float64 range ...
    log_val = m.log_gen_loss(1e9)
    assert log_val == pytest.approx(MarchenkoPastur(0.5).log_laplace(4e7), rel=1e-14)  # ... its log is exact
    assert math.isfinite(m.log_train_loss(1e9))
    with np.errstate(all="raise"):
        TeacherStudent(1.0).gen_loss(np.array([0.0, 1e9]))


def test_unstable_gd_names_the_bound():
    with pytest.raises(ValueError, match=r"lr=.*unstable.*d_out/\(lam_\+ \+ weight_decay/2\)"):
        TeacherStudent(0.5, lr=0.7, dynamics="gd")


@pytest.mark.parametrize("kw,name", [(dict(lam=0), "lam"), (dict(lam=1, d_out=0), "d_out"), (dict(lam=1, lr=-1), "lr"),
                                     (dict(lam=1, weight_decay=-0.1), "weight_decay"), (dict(lam=1, label_noise=float("nan")), "label_noise"),
                                     (dict(lam=1, dynamics="euler"), "dynamics")])
def test_bad_parameters(kw, name):
    with pytest.raises((ValueError, TypeError), match=name):
        TeacherStudent(**kw)


def test_accuracy_maps():
    assert accuracy_from_loss(1e-3 / 4, 1e-3, 1) == pytest.approx(math.erf(math.sqrt(2)), rel=1e-14)
    assert loss_at_accuracy(math.erf(math.sqrt(2)), 1e-3, 1) == pytest.approx(1e-3 / 4, rel=1e-12)
    # χ² form (Eq. 13) and the total-error convention
    from scipy import stats
    assert accuracy_from_loss(0.01, 0.02, 5) == pytest.approx(stats.chi2(5).cdf(5 * 0.02 / 0.01), rel=1e-13)
    assert accuracy_from_loss(0.01, 0.02, 5, "total") == pytest.approx(stats.chi2(5).cdf(0.02 / 0.01), rel=1e-13)
    assert_digits(accuracy_from_loss("0.01", 0.02, 5, dps=30), stats.chi2(5).cdf(10.0), 14)


@settings(max_examples=25, deadline=None)
@given(lam=st.floats(0.05, 4.0), t=st.lists(st.floats(0, 1e6), min_size=2, max_size=8),
       d_out=st.integers(1, 5), eps=st.floats(1e-6, 1e-1))
def test_properties(lam, t, d_out, eps):
    m = TeacherStudent(lam, d_out=d_out)
    ts = np.sort(np.array(t))
    for curve in (m.train_loss, m.gen_loss):
        v = curve(ts)
        assert np.all(v >= 0)
        assert np.all(np.diff(v) <= 1e-12 * v[:-1] + 1e-300)  # γ = σ = 0: non-increasing
    for acc in (m.train_accuracy(ts, eps), m.gen_accuracy(ts, eps)):
        assert np.all((acc >= 0) & (acc <= 1))


@pytest.mark.parametrize("lam,lr,t", [(1.5, 0.01, 1e9), (1.8, 0.05, 5.3e6)])
def test_gd_null_modes_keep_their_plateau_at_late_times(lam, lr, t):
    """λ > 1, discrete GD: the atom's modes never decay (γ = 0); the curve must tend to the exact floor."""
    m = TeacherStudent(lam, lr=lr, dynamics="gd")
    assert m.gen_loss(t) == pytest.approx(m.gen_loss_limit(), rel=1e-12)
    assert m.gen_loss(1e3) == pytest.approx(float(m.gen_loss(1e3, dps=20)), rel=1e-12)


def test_gd_oscillating_modes():
    """c(λ₊ + g) > 1: stable but alternating modes; whole steps only, float path = mp path = simulation."""
    from grok_theory.linear.simulate import simulate_linear

    kw = dict(lr=0.1, weight_decay=3e-3, label_noise=0.1)
    m = TeacherStudent(2.0, dynamics="gd", **kw)
    assert m.oscillates
    for t in (1, 3, 100):
        for name in ("gen_loss", "train_loss", "weight_norm"):
            assert getattr(m, name)(t) == pytest.approx(float(getattr(m, name)(t, dps=20)), rel=1e-12), (name, t)
    with pytest.raises(ValueError, match="whole GD steps"):
        m.gen_loss(1.5)
    t = np.array([0, 1, 2, 3, 10, 100, 1000])
    sim = simulate_linear(300, lam=2.0, t=t, seeds=range(16), progress=False, **kw)
    theory = TeacherStudent(sim.params["lam"], dynamics="gd", **kw)
    for name in ("gen_loss", "train_loss", "weight_norm"):  # z ≤ 4.5 as in tests/test_simulate.py
        assert np.all(np.abs(sim.mean(name) - getattr(theory, name)(t)) <= 4.5 * sim.sem(name)), name


def test_gd_oscillating_upper_edge_dominates():
    """λ = 0.5, η = 0.34: |ρ(λ₊)| rivals ρ(λ₋); the curve must still equal the raw-density quadrature."""

    from grok_theory.mp import reference

    m = TeacherStudent(0.5, lr=0.34, dynamics="gd")
    c = mpmath.mpf(2 * 0.34)
    for t in (20, 200, 800):
        with mpmath.workdps(30):  # L_tr = E[ν ρ^{2t}], split at the sign change ρ = 0
            ref = reference.integrate(mpmath.mpf(0.5), lambda nu: nu * (1 - c * nu) ** (2 * t), nu_points={1 / c: mpmath.mpf("0.01")})
        assert m.train_loss(t) == pytest.approx(float(ref), rel=1e-12)
        assert_digits(m.train_loss(t, dps=20), ref, 18, what=f"t={t}")


def test_oscillating_gd_is_refused_where_only_real_t_or_the_lower_edge_is_assumed():
    from grok_theory.linear.grokking import crossing_time
    from grok_theory.linear.late_time import late_time_series

    m = TeacherStudent(0.5, lr=0.34, dynamics="gd")
    with pytest.raises(ValueError, match="oscillate"):
        crossing_time(m, "train", 1e-3)
    with pytest.raises(ValueError, match="upper edge"):
        late_time_series(m, "train")


@pytest.mark.parametrize("lam", [0.5, 1.0, 2.0, "3/2"])
def test_limits_without_noise_or_weight_decay_dps(lam):
    """γ = σ = 0: the smooth part of the t → ∞ integrand is identically 0 (it used to raise
    QuadratureError at dps); only the null modes keep their error, atom·(τ² + α²)/(2 d_out)."""
    from fractions import Fraction

    import mpmath

    m = TeacherStudent(lam, init_scale=2, d_out=3)
    lam_q = Fraction(lam)
    atom = max(Fraction(0), 1 - 1 / lam_q)
    exact = atom * Fraction(1 + 4, 2 * 3)
    got = m.gen_loss_limit(dps=30)
    with mpmath.workdps(50):
        assert abs(got - mpmath.mpf(exact.numerator) / exact.denominator) <= mpmath.mpf(10) ** -30 * max(1, float(exact))
    assert m.train_loss_limit(dps=30) == 0 and m.train_loss_limit() == 0
    assert m.gen_loss_limit() == pytest.approx(float(exact), rel=1e-15, abs=0)
    if lam_q != 1:
        assert float(m.gen_loss(1e9)) == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
