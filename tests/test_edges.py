"""The engine at its edges (issue 14): oscillating GD, λ → 1, late times, exact parameters,
per-call precision, high-precision crossing times, sweeps that never fail whole.

References are independent of the engine: mpmath.quad on the raw density
(:mod:`grok_theory.mp.reference`), Arb's certified ``acb.integral`` (python-flint) in the
angle variable ν = 1 + λ − 2√λ cos θ, and exact identities (L_gen(0) = (α² + τ²)/(2 d_out)).
"""
from __future__ import annotations

import math
import threading
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_theory.linear.grokking import crossing_time, d_out_max, grokking_time, phase_diagram
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp import MarchenkoPastur, QuadratureError
from grok_theory.mp import reference
from tests.conftest import assert_digits

flint = pytest.importorskip("flint")

EDGE_LAMS = [1e-3, 0.5, 1 - 1e-6, 1.0, 1 + 1e-6, 3.0, 1e3]


# --- certified reference: Arb in the angle variable ---------------------------------------------


def arb_expect(lam: str, make_F, dps: int, log10_scale: float = 0.0):
    """E[F(ν)] (continuous part + atom·F(0)) by Arb's certified integration in θ.

    (2/π)∫₀^π F(ν) sin²θ/ν dθ with ν = 1 + λ − 2√λ cos θ. ``make_F()`` (called at the working
    precision) returns F mapping an acb to an acb. Returns an arb ball (its radius certifies
    the digits). For λ near 1 use :func:`arb_laplace`.
    """
    old = flint.ctx.dps
    flint.ctx.dps = dps + 10
    try:
        lam_b = flint.arb(lam)
        sq = lam_b.sqrt()
        F = make_F()

        def integrand(theta, analytic):
            nu = 1 + lam_b - 2 * sq * theta.cos()
            return F(nu) * theta.sin() ** 2 / nu

        tol = flint.arb(10) ** (int(log10_scale) - dps - 10)  # absolute tolerance at the value's scale
        val = flint.acb.integral(integrand, 0, flint.arb.pi(), abs_tol=tol, rel_tol=tol).real * 2 / flint.arb.pi()
        atom = 1 - 1 / lam_b
        if atom > 0:
            val += atom * F(flint.acb(0)).real
        return val
    finally:
        flint.ctx.dps = old


def arb_laplace(lam: str, s: str, dps: int):
    """E[e^{−sν}] = 1 + (2/π)∫₀^π (e^{−sν} − 1)/ν · sin²θ dθ (exact for every λ, atom included),
    with the entire integrand written as −s·₁F₁(1; 2; −sν), certified by Arb at any λ."""
    old = flint.ctx.dps
    flint.ctx.dps = dps + 10
    try:
        lam_b, s_b = flint.arb(lam), flint.arb(s)
        sq = lam_b.sqrt()

        def integrand(theta, analytic):
            nu = 1 + lam_b - 2 * sq * theta.cos()
            return -s_b * (-s_b * nu).hypgeom_1f1(1, 2) * theta.sin() ** 2

        return 1 + flint.acb.integral(integrand, 0, flint.arb.pi()).real * 2 / flint.arb.pi()
    finally:
        flint.ctx.dps = old


def arb_to_mpf(x, dps):
    with mpmath.workdps(dps + 10):
        return mpmath.mpf(x.mid().str(dps + 10, radius=False))


def arb_digits_ok(value, ball, digits, what=""):
    """|value − mid| ≤ 10^{−digits}|mid| and the ball itself certifies that many digits."""
    mid = arb_to_mpf(ball, digits + 5)
    with mpmath.workdps(digits + 10):
        rad = mpmath.mpf(ball.rad().str(5, radius=False))
        assert rad <= abs(mid) * mpmath.mpf(10) ** (-digits - 2), f"{what}: Arb ball too wide"
    assert_digits(value, mid, digits, what=what)


# --- 1. the reproductions of issue 14 ---------------------------------------------------------


def test_oscillating_gd_train_loss_matches_dps_and_quadrature():
    m = TeacherStudent(1.0, lr=0.225, dynamics="gd")
    assert m.oscillates
    got = m.train_loss(10000)
    hi = TeacherStudent(1, lr="0.225", dynamics="gd").train_loss(10000, dps=30)  # lr exactly 9/40
    # independent: E[ν ρ(ν)^{2t}], ρ = 1 − 0.45ν, by mpmath.quad on the raw density
    with mpmath.workdps(30):
        c = mpmath.mpf("0.45")
        ref = reference.expect(1, lambda nu: nu * (1 - c * nu) ** 20000 * mpmath.exp(9000 * nu), s=9000)
    assert_digits(hi, ref, 20, what="oscillating GD dps vs quadrature")
    assert abs(got - float(ref)) <= 1e-14 * float(ref)
    assert 3.2e-7 < got < 3.4e-7


def test_oscillating_gd_log_gen_loss_is_finite():
    m = TeacherStudent(0.5, lr=0.3088311755, dynamics="gd")
    got = m.log_gen_loss(10000)
    assert math.isfinite(got)
    assert abs(got - float(m.log_gen_loss(10000, dps=25))) <= 1e-13 * abs(got)


def test_oscillating_gd_upper_edge_peak_against_quadrature():
    # lr close to the bound: |ρ(λ₊)| > ρ(λ₋), so the upper-edge (alternating) modes dominate
    m = TeacherStudent("0.5", lr="0.34", dynamics="gd")
    for t in (201, 200):
        with mpmath.workdps(30):
            c = 2 * mpmath.mpf("0.34")
            ref = reference.expect(0.5, lambda nu: (1 - c * nu) ** (2 * t) * nu)
        assert_digits(m.train_loss(t, dps=25), ref, 20, what=f"upper-edge GD t={t}")
        assert abs(m.train_loss(t) - float(ref)) <= 1e-13 * float(ref)


def test_gd_initial_loss_is_exact():
    m = TeacherStudent(0.5, dynamics="gd", lr=0.2)
    assert m.gen_loss(0) == pytest.approx(1.0, rel=1e-15)
    assert_digits(m.gen_loss(0, dps=30), 1, 29, what="L_gen(0)")


@pytest.mark.parametrize("lam", [0.999, 1.001, 1 - 1e-6, 1 + 1e-6])
def test_dps_path_near_the_critical_point(lam):
    m = TeacherStudent(lam)
    assert_digits(m.gen_loss(0, dps=15), 1, 14)
    for t in (1.0, 100.0, 1e4, 1e8):
        with mpmath.workdps(50):  # L_gen = E[e^{−2ctν}], c = 2η (flow, γ = 0, default init), η the double 0.01
            s = 4 * mpmath.mpf(0.01) * t
        ref = m.law.laplace(s, dps=30)
        assert_digits(m.gen_loss(t, dps=25), ref, 24, what=f"lam={lam} t={t}")
        assert abs(m.log_gen_loss(t) - float(mpmath.log(ref))) <= 1e-13 * max(1.0, abs(float(mpmath.log(ref))))


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("t", [1e9, 1e12])
def test_dps_path_at_late_times(lam, t):
    m = TeacherStudent(lam)
    with mpmath.workdps(50):
        s = 4 * mpmath.mpf(0.01) * t
    ref = m.law.log_laplace(s, dps=30)
    assert_digits(m.log_gen_loss(t, dps=20), ref, 19, what=f"late lam={lam} t={t}")


def test_discrete_gd_dps_at_late_times():
    m = TeacherStudent(0.5, dynamics="gd")
    v = m.log_gen_loss(1e9, dps=20)
    assert abs(float(v) - m.log_gen_loss(1e9)) <= 1e-13 * abs(float(v))
    # independent: log E[ρ^{2t}] = 2t log ρ(λ₋) + log E[(ρ/ρ₋)^{2t}], by the raw-density quadrature
    with mpmath.workdps(40):
        c = 2 * mpmath.mpf(0.01)  # the double 0.01, exactly
        lo, _ = reference.edges(0.5)
        rho0 = 1 - c * lo
        s = 2 * mpmath.mpf(10) ** 9 * c / rho0
        scaled = reference.integrate(0.5, lambda nu: ((1 - c * nu) / rho0) ** (2 * 10**9) * mpmath.exp(s * (nu - lo)) * mpmath.exp(-s * (nu - lo)), s=s)
        ref = 2 * mpmath.mpf(10) ** 9 * mpmath.log(rho0) + mpmath.log(scaled)
    assert_digits(v, ref, 18, what="GD late-time")


# --- 2. the domain edges against Arb -----------------------------------------------------------


@pytest.mark.parametrize("lam", ["0.001", "0.5", "0.999999", "1", "1.000001", "3", "1000"])
@pytest.mark.parametrize("dps", [30, 60])
def test_laplace_against_arb(lam, dps):
    law = MarchenkoPastur(lam)
    for s in ("0.1", "10", "1000"):
        if abs(float(lam) - 1) < 0.1:  # near the pole of 1/ν: the entire subtracted form
            lost = int(-law.log_laplace(float(s)) / math.log(10)) + 5  # digits its sum cancels
            ball = arb_laplace(lam, s, dps + lost)
        else:
            ball = arb_expect(lam, lambda s=s: (lambda nu: (-flint.arb(s) * nu).exp()), dps,
                              law.log_laplace(float(s)) / math.log(10) - 2)
        arb_digits_ok(law.laplace(s, dps=dps), ball, dps - 1, what=f"lam={lam} s={s} dps={dps}")


def test_model_with_weight_decay_and_noise_against_arb():
    # L_gen = E[(τ²/2d)(r + (1−r)h)² + (α²/2d)h² + λσ²ν(1−h)²/(ν+g)²], r = g/(ν+g), h = e^{−c(ν+g)t}
    lam, lr, wd, sigma, d, t = "0.9", "0.01", "0.001", "0.1", 2, 1000
    m = TeacherStudent(lam, d_out=d, lr=lr, weight_decay=wd, label_noise=sigma)

    def make_F():
        L, c, g, s2 = flint.arb(lam), 2 * flint.arb(lr) / d, flint.arb(wd) / 2, flint.arb(sigma) ** 2

        def F(nu):
            r = g / (nu + g)
            h = (-c * (nu + g) * t).exp()
            return (r + (1 - r) * h) ** 2 / (2 * d) + h * h / (2 * d) + L * s2 * nu * (1 - h) ** 2 / (nu + g) ** 2

        return F

    ball = arb_expect(lam, make_F, 40)
    arb_digits_ok(m.gen_loss(t, dps=30), ball, 29, what="gen with weight decay and noise")
    assert abs(m.gen_loss(t) - float(arb_to_mpf(ball, 20))) <= 1e-13 * float(arb_to_mpf(ball, 20))


lam_edge_st = st.one_of(st.sampled_from([1.0, 1 - 1e-6, 1 + 1e-6, 1e-3, 1e3]),
                        st.floats(min_value=-3, max_value=3).map(lambda x: 10.0**x))
t_edge_st = st.one_of(st.just(0.0), st.floats(min_value=-2, max_value=12).map(lambda x: 10.0**x))


@settings(max_examples=25, deadline=None)
@given(lam=lam_edge_st, t=t_edge_st, which=st.sampled_from(["train", "gen"]))
def test_float_path_matches_certified_laplace_over_the_domain(lam, t, which):
    """Flow, γ = 0: L_gen = E[e^{−sν}], L_tr = E[ν e^{−sν}] with s = 2ct, from the certified rule."""
    m = TeacherStudent(lam)
    with mpmath.workdps(50):
        s = 4 * mpmath.mpf(0.01) * t
    ref = m.law.log_laplace(s, power=1 if which == "train" else 0, dps=25)
    got = m.log_train_loss(t) if which == "train" else m.log_gen_loss(t)
    assert abs(got - float(ref)) <= 2e-14 * max(1.0, abs(float(ref)))
    hi = m.log_train_loss(t, dps=20) if which == "train" else m.log_gen_loss(t, dps=20)
    assert_digits(hi, ref, 19) if ref != 0 else None


@settings(max_examples=10, deadline=None)
@given(lam=st.sampled_from([0.3, 1.0, 1 + 1e-6, 2.5]), frac=st.floats(0.55, 0.98), t=st.integers(0, 5000),
       wd=st.sampled_from([0.0, 1e-3]))
def test_gd_every_stable_lr_float_vs_dps(lam, frac, t, wd):
    """Discrete GD up to the stability bound (oscillating modes included): float64 vs dps path."""
    law = MarchenkoPastur(lam)
    m = TeacherStudent(lam, lr=frac / (law.upper + wd / 2), weight_decay=wd, dynamics="gd")
    hi = m.log_gen_loss(t, dps=25)
    assert abs(m.log_gen_loss(t) - float(hi)) <= 1e-13 * max(1.0, abs(float(hi)))


# --- 3. exact parameters, vectorised dps -------------------------------------------------------


def test_exact_parameters_stay_exact():
    vals = [TeacherStudent(lam=Fraction(9, 10), lr=Fraction(1, 100)).gen_loss(1000, dps=30),
            TeacherStudent(lam="0.9", lr="0.01").gen_loss(1000, dps=30),
            TeacherStudent(lam=sympy.Rational(9, 10), lr=sympy.Rational(1, 100)).gen_loss(1000, dps=30)]
    with mpmath.workdps(50):
        ref = reference.laplace(mpmath.mpf(9) / 10, 40)  # s = 2·(2η)·t = 40 exactly
    for v in vals:
        assert_digits(v, ref, 29, what="exact lam = 9/10")
    floaty = TeacherStudent(lam=0.9, lr=0.01).gen_loss(1000, dps=30)
    with mpmath.workdps(40):
        assert abs(floaty - ref) > mpmath.mpf(10) ** -20 * ref  # 0.9 the double differs from 9/10


def test_vectorised_dps():
    m = TeacherStudent("0.5")
    out = m.gen_loss([1, "10", Fraction(100)], dps=30)
    assert isinstance(out, list) and len(out) == 3
    for v, t in zip(out, (1, 10, 100)):
        assert_digits(v, m.gen_loss(t, dps=30), 30)
    arr = m.law.laplace(np.array([0.5, 2.0]), dps=40)
    assert arr.shape == (2,) and all(isinstance(x, mpmath.mpf) for x in arr)


def test_exact_string_is_read_exactly_and_bad_strings_rejected():
    assert TeacherStudent("0.9").exact["lam"] == "0.9"
    with pytest.raises(ValueError, match="lam"):
        TeacherStudent("zero point nine")
    with pytest.raises(ValueError, match="lam"):
        TeacherStudent("-1")


# --- 4. precision per call -----------------------------------------------------------------------


def test_precision_is_per_call_and_thread_safe():
    m = TeacherStudent(0.7)
    digits = list(range(15, 101, 5))
    refs = {d: m.gen_loss(100.0, dps=d + 10) for d in digits}
    with pytest.raises(QuadratureError):
        m.law.expect(lambda x: 1 / (x - 1), dps=20)  # a pole on the support: raises
    assert mpmath.mp.dps == 15 and mpmath.mp.prec == 53
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(ds):
        try:
            for d in ds:
                results[d] = m.gen_loss(100.0, dps=d)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(digits[i::8],)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for d in digits:
        assert_digits(results[d], refs[d], d - 1, what=f"dps={d}")
    assert mpmath.mp.dps == 15 and mpmath.mp.prec == 53


# --- 6. high-precision crossing and grokking times ------------------------------------------------


def test_grokking_time_at_30_digits():
    m = TeacherStudent(0.9)
    g = grokking_time(m, 1e-3, dps=30)
    g64 = grokking_time(m, 1e-3)
    assert abs(float(g.t_gen) - g64.t_gen) <= 1e-12 * g64.t_gen
    with mpmath.workdps(60):
        thr = mpmath.log(mpmath.mpf(1e-3) / 4)
        assert_digits(g.delta, g.t_gen - g.t_train, 30, what="delta at precision")
        for t, curve in ((g.t_gen, m.log_gen_loss), (g.t_train, m.log_train_loss)):
            # the root is bracketed to 1e-29 relative: the curve changes sign across it
            assert curve(t * (1 - mpmath.mpf(10) ** -29), dps=40) > thr > curve(t * (1 + mpmath.mpf(10) ** -29), dps=40)


def test_crossing_time_accuracy_criterion_at_precision():
    m = TeacherStudent(0.5, d_out=3)
    t = crossing_time(m, "gen", 1e-3, criterion="accuracy", level=0.95, dps=25)
    acc = m.gen_accuracy(t, 1e-3, dps=30)
    assert abs(acc - mpmath.mpf("0.95")) < mpmath.mpf(10) ** -20


# --- 7. sweeps never fail whole -------------------------------------------------------------------


@pytest.mark.parametrize("init_scale", [1.0050505050505052, 0.6919191919191919])
def test_issue_cells_simply_work(init_scale):
    # cells of phase_diagram(lam × init_scale, linspace(0.5, 1.5, 100) each) that used to fail
    m = TeacherStudent(0.5808080808080808, init_scale=init_scale)
    g = grokking_time(m, 1e-3)
    assert math.isfinite(g.delta) and g.delta > 0
    hi = grokking_time(m, 1e-3, dps=20)
    assert abs(g.t_train - float(hi.t_train)) <= 1e-12 * g.t_train
    assert abs(g.t_gen - float(hi.t_gen)) <= 1e-12 * g.t_gen


def test_phase_diagram_reports_failed_cells_and_returns_the_rest(monkeypatch):
    import grok_theory.linear.grokking as gk

    real = gk._solve_family

    def flaky(fam, log_thr):  # one cell (λ = 0.7, α = 1.2) is made uncomputable
        if any(m.lam == 0.7 and m.init_scale == 1.2 for m in fam.models):
            raise QuadratureError("synthetic failure")
        return real(fam, log_thr)

    monkeypatch.setattr(gk, "_solve_family", flaky)
    pd = phase_diagram(("lam", [0.5, 0.7]), ("init_scale", [1.0, 1.2]), eps=1e-3)
    assert pd.status[1, 1] == "failed" and "synthetic failure" in pd.failures[(1, 1)]
    assert np.isnan(pd.delta[1, 1])
    ok = [(0, 0), (0, 1), (1, 0)]
    for i, j in ok:
        assert pd.status[i, j] == "ok"
        ref = grokking_time(TeacherStudent(pd.x_values[i], init_scale=pd.y_values[j]), 1e-3)
        assert pd.delta[i, j] == pytest.approx(ref.delta, rel=1e-12)
    assert "failed" in repr(pd)


def test_phase_diagram_lam_by_d_out_runs_whole():
    pd = phase_diagram(("lam", [0.5, 0.9, 1.0, 1.5]), ("d_out", [1, 3, 10]), eps=1e-3)
    assert pd.status.shape == (4, 3)
    assert set(pd.status.ravel()) <= {"ok", "no grokking", "failed"}
    assert np.all(np.isfinite(pd.delta[pd.status == "ok"]))

