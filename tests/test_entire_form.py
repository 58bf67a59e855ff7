"""The pole-free (entire) form of the model's curves and the high-precision crossing times it
serves (issue 14: weight decay at dps=30).

References are independent of the engine: the per-mode solution integrated against the raw
Marchenko–Pastur density by mpmath.quad (``tests.test_model.reference``), and for crossing times
the residual of that reference at the returned time.
"""
from __future__ import annotations

import math

import mpmath
import pytest

from grok_theory.linear import entire_form
from grok_theory.linear.grokking import grokking_time
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp.precision import context
from tests.conftest import assert_digits
from tests.test_model import reference

# small weight decay: the pole ν = −γ/2 of the split form sits next to the lower edge λ₋
SMALL_WD = [
    (dict(lam=0.9, weight_decay=1e-3, label_noise=0.01), "2471", 45),
    (dict(lam=0.5, weight_decay=1e-3, label_noise=0.01, dynamics="gd", lr=0.2), "2471", 45),
    (dict(lam=1.5, weight_decay=1e-3, label_noise=0.3, d_out=2, init_scale=0.7), "2471", 45),
    (dict(lam=1.0, weight_decay=1e-4, label_noise=0.1), "2471", 45),
    # the split form raised QuadratureError here (its parts cancel); the reference sums σ² and
    # −σ² to a train loss of 1.6e-18, so it runs at 60 digits
    (dict(lam=2.0, label_noise=0.2, dynamics="gd", lr=0.15), "300", 60),
]


@pytest.mark.parametrize("case,t,ref_dps", SMALL_WD,
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) if isinstance(c, dict) else str(c))
def test_curves_with_small_weight_decay_match_raw_density_quadrature(case, t, ref_dps):
    model = TeacherStudent(**case)
    for which, fn in (("train", model.train_loss), ("gen", model.gen_loss), ("norm", model.weight_norm)):
        assert_digits(fn(t, dps=32), reference(model, which, t, ref_dps), 30, what=f"{which} t={t}")


@pytest.mark.parametrize("case", [c for c, _, _ in SMALL_WD[:3]], ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_entire_integrand_is_the_mode_solution(case):
    """F (+ the train constant σ²(1 − λ) per mode) equals the model's per-mode curve, including at
    ν within 1e-6 of the removable singularity ν = −γ/2 (complex arguments are not needed: real ν
    off the support are points of the same analytic function)."""
    model = TeacherStudent(**case)
    ctx = context(200)
    g = ctx.mpf(model.weight_decay) / 2
    for t in (ctx.mpf(3), ctx.mpf(2471)):
        for which in ("train", "gen", "norm"):
            F, _, _ = entire_form.entire_integrand(model, which, t, ctx)
            for nu in (ctx.mpf("0.3"), ctx.mpf(model.law.lower), ctx.mpf(2), -g + ctx.mpf("1e-6")):
                h = 1 - ctx.mpf(model.lr) * 2 / model.d_out * (nu + g)
                h = h**t if model.dynamics == "gd" else ctx.exp(-2 * ctx.mpf(model.lr) / model.d_out * (nu + g) * t)
                r, rc = g / (nu + g), nu / (nu + g)
                lam, s2, d = ctx.mpf(model.lam), ctx.mpf(model.label_noise) ** 2, model.d_out
                tau2, a2 = ctx.mpf(model.teacher_scale) ** 2, ctx.mpf(model.init_scale) ** 2
                clean = tau2 / (2 * d) * (r + rc * h) ** 2 + a2 / (2 * d) * h**2
                nf, w = nu / (nu + g) ** 2, 1 - h
                expect = {"gen": clean + lam * s2 * nf * w * w,
                          "train": nu * clean + lam * s2 * (nu * nf * w * w - 2 * rc * w) + s2 - s2 * (1 - lam),
                          "norm": tau2 / 2 * (rc * w) ** 2 + a2 / 2 * h**2 + d * lam * s2 * nf * w * w}[which]
                got = F(nu)
                assert abs(got - expect) <= ctx.mpf(10) ** -40 * max(abs(expect), ctx.mpf(1e-30)), (which, t, nu)


def test_split_form_agrees_with_entire_form(monkeypatch):
    """At a time where both apply, the model's split form (static + decaying parts, poles at −γ/2)
    and the entire form agree to the requested digits."""
    model = TeacherStudent(0.9, weight_decay=1e-3, label_noise=0.01, d_out=2)
    values = {}
    for which in ("train", "gen", "norm"):
        values[which] = model._curve_mp(which, "5000", 30, False)
    monkeypatch.setattr("grok_theory.linear.model.entire_form_preferred", lambda *a: False)
    model2 = TeacherStudent(0.9, weight_decay=1e-3, label_noise=0.01, d_out=2)
    for which in ("train", "gen", "norm"):
        assert_digits(model2._curve_mp(which, "5000", 30, False), values[which], 29, what=which)


def test_form_choice():
    model = TeacherStudent(0.9, weight_decay=1e-3, label_noise=0.01)
    assert entire_form.entire_form_preferred(model, "gen", 2471.0, 39)  # crossing times: entire form
    assert not entire_form.entire_form_preferred(model, "gen", 1e8, 39)  # late: split form (skips nodes)
    assert entire_form.entire_form_preferred(TeacherStudent(0.9, label_noise=0.1), "train", 1e8, 39)  # decays whole


def test_grokking_time_dps_with_weight_decay_independent():
    """t_train, t_gen and delta at dps=30 carry 30 digits: each time's residual in the independent
    reference, divided by the slope of log L, is below 1e-30 of it; delta is their difference."""
    model = TeacherStudent(0.5, weight_decay=1e-3, label_noise=0.01)
    eps = mpmath.mpf(1e-3)  # the binary float, as the solver takes it
    g = grokking_time(model, 1e-3, dps=30)
    assert math.isfinite(g.t_gen) and g.delta > 0
    true = {}
    for which, t in (("train", g.t_train), ("gen", g.t_gen)):
        with mpmath.workdps(45):
            ts = mpmath.nstr(t, 40)
            resid = mpmath.log(reference(model, which, ts)) - mpmath.log(eps / 4)
            # slope of log L from float64 differences (a few digits suffice: it multiplies 1e-30)
            curve = model.log_train_loss if which == "train" else model.log_gen_loss
            slope = (curve(float(t) * (1 + 1e-6)) - curve(float(t) * (1 - 1e-6))) / (2e-6 * float(t))
            true[which] = mpmath.mpf(t) - resid / slope
            assert abs(true[which] - t) <= mpmath.mpf(10) ** -30 * t, (which, t, true[which])
    with mpmath.workdps(45):
        delta_true = true["gen"] - true["train"]
        assert abs(g.delta - delta_true) <= mpmath.mpf(10) ** -30 * abs(delta_true)
