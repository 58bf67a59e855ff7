"""Derivations: the linear model at finite d_in — losses given the data, single runs, 1/d_in corrections, edges.

Run ``python derivations/linear/finite_size.py``; the tests and ``grok-theory verify`` import :func:`derivations`.

Given one data set X (N_tr × d_in), Σ_tr = XᵀX/N_tr = Σ_i ν_i u_i u_iᵀ. In the eigenbasis, mode i of
D = S − τT (a row vector in R^{d_out}) is, at time t (module ``teacher_student``),

    D_i(t) = −τ T_i a_i + α S_i h_i + E_i (1 − h_i)/(ν_i + g),   a_i = r_i + (1 − r_i) h_i,  r_i = g/(ν_i + g),

with T_i, S_i ~ N(0, I/(2 d_in d_out)) (rotations of isotropic Gaussians stay isotropic) and
E_i = u_iᵀXᵀΞ/N_tr = √(ν_i/N_tr) ξ_i, ξ_i = v_iᵀΞ ~ N(0, σ² I) for the left singular vectors v_i
(X u_i = √(N_tr ν_i) v_i). Everything below follows from this representation.
"""
from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import sympy as sp

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from grok_theory.linear.finite_size import conditional_curve, mean_curve, mean_curve_correction, single_run_curve  # noqa: E402
from grok_theory.linear.model import TeacherStudent  # noqa: E402
from grok_theory.mp import edge  # noqa: E402
from grok_theory.mp.wishart import dense_spectrum, sample_spectrum  # noqa: E402
from grok_theory.symbolic import (Derivation, Step, approximation_check, gaussian_mean_square, is_zero,  # noqa: E402
                                  numeric_check, run_standalone, simulation_check)

nu, g, lam, s = sp.symbols("nu g lambda s", positive=True)
tau, alpha, sigma = sp.symbols("tau alpha sigma", positive=True)
h = sp.Symbol("h")
d_in, d_out, N = sp.symbols("d_in d_out N_tr", positive=True)
p, n = sp.symbols("p n", positive=True)  # dimension and sample count in the Wishart moments
x = sp.Symbol("x", positive=True)
theta = sp.Symbol("theta", real=True)
Tq, Sq, Xq = sp.symbols("T S xi")  # one output component of T_i, S_i, ξ_i


# -- 1. the loss given the data ----------------------------------------------------------------------------------
def _literal_gd_given_x(seed: int = 7, d: int = 20, n_tr: int = 25, K: int = 2000, lr: float = 0.05, wd: float = 0.01,
                        sig: float = 0.2, times: tuple = (10, 100, 300)):
    """One fixed X; K independent (T, S_0, Ξ) draws trained by literal GD (the K columns of one
    d_out = 1 problem each); (prediction, mean, s.e.) of the train and gen losses."""
    def run():
        rng = np.random.default_rng(seed)
        model = TeacherStudent(d / n_tr, lr=lr, weight_decay=wd, label_noise=sig, dynamics="gd")
        xx = rng.standard_normal((n_tr, d))
        sd = 1 / math.sqrt(2 * d)
        teacher, st = sd * rng.standard_normal((d, K)), sd * rng.standard_normal((d, K))
        y = xx @ teacher + sig * rng.standard_normal((n_tr, K))
        spec = np.clip(np.linalg.eigvalsh(xx.T @ xx / n_tr), 0, None)[None]
        pred, mean, se, step = [], [], [], 0
        for t in times:
            while step < t:
                st -= lr * (2 * xx.T @ (xx @ st - y) / n_tr + wd * st)
                step += 1
            for which, vals in (("gen", ((st - teacher) ** 2).sum(axis=0)), ("train", ((xx @ st - y) ** 2).sum(axis=0) / n_tr)):
                pred.append(conditional_curve(model, which, t, spec)[0])
                mean.append(vals.mean())
                se.append(vals.std(ddof=1) / math.sqrt(K))
        return pred, mean, se
    return run


def conditional_average() -> Derivation:
    a = sp.Symbol("r") + (1 - sp.Symbol("r")) * h
    r = sp.Symbol("r")
    # one output component of D_i (the d_out components are iid; L sums them and divides by d_out)
    Di = -tau * Tq * a + alpha * Sq * h + sp.sqrt(nu / N) * Xq * (1 - h) / (nu + g)
    var = {Tq: 1 / (2 * d_in * d_out), Sq: 1 / (2 * d_in * d_out), Xq: sigma**2}
    per_mode = d_out * gaussian_mean_square(Di, var) / d_out  # E‖D_i‖²/d_out
    claimed = (tau**2 * a**2 + alpha**2 * h**2) / (2 * d_out) / d_in + sigma**2 * nu * (1 - h) ** 2 / (N * (nu + g) ** 2)
    model_form = ((tau**2 / (2 * d_out)) * a**2 + (alpha**2 / (2 * d_out)) * h**2
                  + (d_in / N) * sigma**2 * nu * (1 - h) ** 2 / (nu + g) ** 2) / d_in
    result = sp.Eq(sp.Symbol("E[L_gen | X]"), sp.Sum(sp.Symbol("f(t, ν_i)"), (sp.Symbol("i"), 1, d_in)) / d_in)
    steps = [
        Step("mode i in the eigenbasis of Σ_tr: D_i = −τT_i a_i + αS_i h_i + √(ν_i/N_tr) ξ_i (1−h_i)/(ν_i+g)",
             sp.Eq(sp.Symbol("D_i"), Di), "mode solution (derivation levi2024.mode_solution_gd/flow) with "
             "D* = (E_i − gτT_i)/(ν_i+g), D_0 = αS_i − τT_i; T, S_0, Ξ rotated by the eigenvectors stay iid Gaussian",
             lambda: True, "definition (no separate check)"),
        Step("average over T, S_0, Ξ given X: E‖D_i‖²/d_out", sp.Eq(sp.Symbol("E‖D_i‖²/d_out"), per_mode),
             "independent zero-mean Gaussians: E[(Σ a_k z_k)²] = Σ a_k² Var z_k",
             lambda: is_zero(per_mode - claimed), "sympy: gaussian_mean_square, difference simplifies to 0"),
        Step("= (1/d_in)·f(t, ν_i), f the model's MP integrand with λ = d_in/N_tr (TeacherStudent.mode_curve)",
             sp.Eq(sp.Symbol("E‖D_i‖²/d_out"), model_form), "λ = d_in/N_tr",
             lambda: is_zero(claimed - model_form), "sympy: difference simplifies to 0"),
    ]

    def mode_integral(dps):
        m = TeacherStudent(0.7, weight_decay=1e-3, label_noise=0.2, init_scale=1.5)
        return mpmath.mpf(float(m.law.expect(lambda v: m.mode_curve("gen", 300.0, v))))

    checks = (
        numeric_check("λ = 0.7, γ = 1e-3, σ = 0.2, α = 1.5, t = 300: the MP average of mode_curve vs the model's gen_loss",
                      mode_integral, lambda dps: TeacherStudent(0.7, weight_decay=1e-3, label_noise=0.2, init_scale=1.5).gen_loss(300, dps=dps),
                      digits=13),
        simulation_check("one X (d_in = 20, N_tr = 25), 2000 teacher/init/noise draws by literal GD (η = 0.05, γ = 0.01, "
                         "σ = 0.2; t = 10, 100, 300) vs (1/d_in) Σ f(t, ν_i)", _literal_gd_given_x(), max_z=4.0,
                         bias="none: the prediction is exact for the given X"),
    )
    return Derivation("finite_size.conditional_average",
                      "given the data, the loss averaged over teacher, initialisation and label noise is the empirical-spectrum "
                      "average of the MP integrand", ["T, S_0, Ξ iid Gaussian (isotropic)", "any fixed X"], steps, result,
                      None, "grok_theory.linear.finite_size.conditional_curve", checks=checks)


# -- 2. single runs -------------------------------------------------------------------------------------------------
def _single_vs_gd():
    from grok_theory.linear.finite_size import SingleRunModes
    from grok_theory.linear.simulate import sample_dataset, simulate_linear

    kw = dict(weight_decay=0.02, label_noise=0.3, d_out=3, init_scale=1.5, lr=0.05)
    dd, nn = 40, 27
    m = TeacherStudent(dd / nn, dynamics="gd", **kw)
    ts = np.array([3, 30, 300, 3000])
    sim = simulate_linear(dd, n_train=nn, t=ts, seeds=[5], n_test=1, **kw)
    ds = sample_dataset(5, dd, nn, m.d_out, 1)
    ev, v = np.linalg.eigh(ds.x.T @ ds.x / nn)
    ev = np.clip(ev, 0, None)
    ev[: dd - nn] = 0
    T, S0 = -m.teacher_scale * (v.T @ ds.teacher), m.init_scale * (v.T @ ds.student0)
    E = v.T @ (ds.x.T @ (m.label_noise * ds.noise) / nn)
    C = E / (ev + m.g)[:, None]

    def dot(a, b):
        return (a * b).sum(-1)[None]
    modes = SingleRunModes(ev[None], dot(T, T), dot(S0, S0), dot(C, C), dot(T, S0), dot(T, C), dot(S0, C),
                           np.array([((m.label_noise * ds.noise) ** 2).sum() / nn]))
    mine = np.concatenate([single_run_curve(m, "gen", ts, modes)[0], single_run_curve(m, "train", ts, modes)[0]])
    ref = np.concatenate([sim.gen_loss[0], sim.train_loss[0]])
    return float(np.max(np.abs(mine / ref - 1)))


def single_run() -> Derivation:
    A, B, C, a = sp.symbols("A B C a")  # −τT_i, αS_i, E_i/(ν+g) components and the teacher coefficient
    Di = A * a + B * h + C * (1 - h)
    sq = sp.expand(Di**2)
    six = sp.expand(a**2 * A**2 + h**2 * B**2 + (1 - h) ** 2 * C**2 + 2 * a * h * A * B + 2 * a * (1 - h) * A * C
                    + 2 * h * (1 - h) * B * C)
    Ei = (nu + g) * C
    de = sp.expand(Di * Ei)
    de_claim = sp.expand((nu + g) * (a * A * C + h * B * C + (1 - h) * C**2))
    steps = [
        Step("gen loss: L_gen = (1/d_out) Σ_i ‖D_i‖², ‖D_i‖² from six per-mode sufficient statistics",
             sp.Eq(sp.Symbol("‖D_i‖²"), six), "expand the square", lambda: is_zero(sq - six), "sympy: expand, difference 0"),
        Step("train loss on the optimiser's labels: (1/N_tr)‖XD − Ξ‖² = Σ_i ν_i‖D_i‖² − 2Σ_i D_i·E_i + ‖Ξ‖²/N_tr, "
             "D_i·E_i = (ν_i+g)[a A·C + h B·C + (1−h)‖C‖²]", sp.Eq(sp.Symbol("D_i·E_i"), de_claim),
             "XᵀX/N = Σ_tr, XᵀΞ/N = E; E_i = (ν_i+g) C_i", lambda: is_zero(de - de_claim), "sympy: expand, difference 0"),
        Step("‖Ξ‖² = Σ_{i ≤ rank} ‖ξ_i‖² + σ²χ²_{(N_tr − rank) d_out} (the part of Ξ orthogonal to the columns of X)",
             sp.Eq(sp.Symbol("‖Ξ‖²"), sp.Symbol("Σ‖ξ_i‖² + σ²χ²")), "Ξ isotropic; {v_i} extended to an orthonormal basis of R^N",
             lambda: True, "definition (checked by the numeric check against real GD)"),
    ]
    checks = (
        numeric_check("single_run_curve from the eigen-decomposition of one draw (d_in = 40, N_tr = 27, d_out = 3, γ = 0.02, "
                      "σ = 0.3, α = 1.5, GD η = 0.05) vs simulate_linear of the same draw (max relative difference → digits)",
                      lambda dps: mpmath.mpf(1) + _single_vs_gd(), lambda dps: mpmath.mpf(1), digits=10),
    )
    return Derivation("finite_size.single_run", "the losses of one run at finite d_in from per-mode Gaussian statistics",
                      ["T_i, S_i ~ N(0, I/(2 d_in d_out))", "E_i = √(ν_i/N_tr) ξ_i, ξ_i ~ N(0, σ²I)"], steps,
                      sp.Eq(sp.Symbol("L_gen"), sp.Sum(sp.Symbol("‖D_i‖²"), (sp.Symbol("i"), 1, d_in)) / d_out),
                      None, "grok_theory.linear.finite_size.single_run_curve", checks=checks)


# -- 3. the 1/d_in correction of the mean curves --------------------------------------------------------------------
def _narayana(k: int) -> sp.Expr:
    return sp.expand(sum(lam**r / (r + 1) * sp.binomial(k, r) * sp.binomial(k - 1, r) for r in range(k)))


def _arcsine_moment(k: int) -> sp.Expr:
    m, R = 1 + lam, 2 * sp.sqrt(lam)
    return sp.expand(sp.integrate(sp.expand((m + R * sp.cos(theta)) ** k), (theta, 0, sp.pi)) / sp.pi)


def _c1_moment(k: int) -> sp.Expr:
    lo, hi = (1 - sp.sqrt(lam)) ** 2, (1 + sp.sqrt(lam)) ** 2
    return sp.expand((lo**k + hi**k) / 4 - _arcsine_moment(k) / 2)


#: exact E Tr W^k of a real Wishart W = XᵀX, X n × p iid N(0, 1) (k = 1, 2, 3; e.g. Letac & Massam 2004)
_WISHART_TRACE = {1: n * p, 2: n * p * (n + p + 1), 3: n * p * (n**2 + p**2 + 3 * n * p + 3 * n + 3 * p + 4)}


def _exact_first_order(k: int) -> sp.Expr:
    """p × (E (1/p) Tr (W/n)^k − MP_k) at n = p/λ, to first order in 1/p."""
    e = (_WISHART_TRACE[k] / (p * n**k)).subs(n, p / lam)
    eps_ = sp.Symbol("epsilon", positive=True)
    series = sp.series(sp.simplify(e.subs(p, 1 / eps_)), eps_, 0, 2).removeO()
    return sp.expand(series.coeff(eps_, 1))


def _mc_mean_correction(d: int = 60, lam_: float = 1.5, sets: int = 3000, t=(30.0, 100.0)):
    """Real data sets (X sampled, eigvalsh): the data average of L_tr(t | X) vs L_MP + c₁/d."""
    def run():
        nn = round(d / lam_)
        m = TeacherStudent(d / nn)
        sp_ = dense_spectrum(d, nn, sets, rng=41)
        vals = conditional_curve(m, "train", np.array(t), sp_)
        return (m.train_loss(np.array(t)), vals.mean(axis=0), vals.std(axis=0, ddof=1) / math.sqrt(sets),
                mean_curve(m, "train", np.array(t), d))
    return run


@functools.lru_cache(maxsize=4)
def _sampled_train_curves(d: int, lam_: float, sets: int, t: tuple) -> tuple:
    """Data-averaged L_tr(t | X) of ``sets`` data sets (spectra by the exact bidiagonal sampler, seed 19):
    (realised λ, per-set values (sets, len(t)))."""
    nn = round(d / lam_)
    m = TeacherStudent(d / nn)
    return d / nn, conditional_curve(m, "train", np.array(t), sample_spectrum(d, nn, sets, rng=19))


def late_bias_run(d: int = 400, lam_: float = 1.5, sets: int = 600, t: tuple = (300.0, 1000.0, 3000.0),
                  theory_lam: float | None = None):
    """The issue-19 setting: seed mean of L_tr(t | X) over ``sets`` data sets at d_in = 400, λ = 1.5, where the
    mean sits 0.4 %, 3 % and 19 % above MP. Returns ``run`` for :func:`simulation_check`: (MP, mean, sem,
    MP + c₁/d_in), the theory taken at ``theory_lam`` instead of the realised λ if given (a wrong theory, to
    show the check can fail)."""
    def run():
        lam_real, vals = _sampled_train_curves(d, lam_, sets, tuple(t))
        m = TeacherStudent(lam_real if theory_lam is None else theory_lam)
        tt = np.array(t)
        return (m.train_loss(tt), vals.mean(axis=0), vals.std(axis=0, ddof=1) / math.sqrt(sets),
                mean_curve(m, "train", tt, d))
    return run


def mean_correction() -> Derivation:
    f = sp.Function("f")
    result = sp.Eq(sp.Symbol("E_X[(1/d_in) Σ_i f(ν_i)]"),
                   sp.Symbol("∫f dMP_λ") + ((f(sp.Symbol("λ_-")) + f(sp.Symbol("λ_+"))) / 4
                                             - sp.Symbol("E_arcsine[f]") / 2) / d_in)
    levi_c1 = ((sp.exp(-s * (1 - sp.sqrt(lam)) ** 2) + sp.exp(-s * (1 + sp.sqrt(lam)) ** 2)) / 4
               - sp.exp(-s * (1 + lam)) * sp.besseli(0, 2 * s * sp.sqrt(lam)) / 2)

    def arcsine_laplace_check() -> bool:
        """(1/π)∫₀^π e^{−s(1+λ+2√λ cos θ)} dθ = e^{−s(1+λ)} I₀(2s√λ) at three (s, λ), 30 digits."""
        with mpmath.workdps(40):
            for s_, l_ in (("0.7", "0.3"), ("15", "1"), ("40", "2.5")):
                sv, lv = mpmath.mpf(s_), mpmath.mpf(l_)
                q = mpmath.quad(lambda th: mpmath.exp(-sv * (1 + lv + 2 * mpmath.sqrt(lv) * mpmath.cos(th))), [0, mpmath.pi]) / mpmath.pi
                if abs(q / (mpmath.exp(-sv * (1 + lv)) * mpmath.besseli(0, 2 * sv * mpmath.sqrt(lv))) - 1) > mpmath.mpf(10) ** -30:
                    return False
        return True

    steps = [
        Step("Bai–Silverstein CLT, mean term for real Gaussian entries: E Σ_i f(ν_i) − d_in ∫f dMP_λ → "
             "(f(λ₋)+f(λ₊))/4 − (1/2π)∫ f(x)/√(4λ − (x−1−λ)²) dx", result,
             "Bai & Silverstein, Ann. Probab. 32 (2004) 553, Thm 1.1 (κ = 2, β = 1); the last integral is ½E_arcsine[f]",
             lambda: True, "theorem cited (checked on exact moments below and by simulation)"),
        Step("f = ν: coefficient of 1/d_in in the exact E (1/p) Tr Σ equals the formula (= 0)",
             sp.Eq(sp.Symbol("c₁[ν]"), sp.Integer(0)), "exact real-Wishart trace moment",
             lambda: is_zero(_c1_moment(1) - _exact_first_order(1)) and is_zero(_c1_moment(1) - sp.Integer(0)),
             "sympy: arcsine moment by integration, exact moment's series in 1/p; differences 0"),
        Step("f = ν²: coefficient of 1/d_in of the exact moment equals the formula (= λ)",
             sp.Eq(sp.Symbol("c₁[ν²]"), lam), "E Tr W² = np(n+p+1)",
             lambda: is_zero(_c1_moment(2) - _exact_first_order(2)) and is_zero(_c1_moment(2) - lam),
             "sympy: arcsine moment by integration, exact moment's series in 1/p; differences 0"),
        Step("f = ν³: coefficient of 1/d_in of the exact moment equals the formula",
             sp.Eq(sp.Symbol("c₁[ν³]"), 3 * lam**2 + 3 * lam), "E Tr W³ = np(n² + p² + 3np + 3n + 3p + 4)",
             lambda: is_zero(_c1_moment(3) - _exact_first_order(3)) and is_zero(_c1_moment(3) - (3 * lam**2 + 3 * lam)),
             "sympy: arcsine moment by integration, exact moment's series in 1/p; differences 0"),
        Step("the arcsine Laplace transform: E_arcsine[e^{−sν}] = e^{−s(1+λ)} I₀(2s√λ)",
             sp.Eq(sp.Symbol("E_arcsine[e^{−sν}]"), sp.exp(-s * (1 + lam)) * sp.besseli(0, 2 * s * sp.sqrt(lam))),
             "ν = 1+λ+2√λ cos θ, (1/π)∫₀^π e^{z cos θ} dθ = I₀(z)",
             arcsine_laplace_check, "numeric: mpmath.quad of the angle integral, 30 digits at (s, λ) = (0.7, 0.3), (15, 1), (40, 2.5)"),
        Step("Levi's L_gen = E[e^{−sν}] (flow, γ = 0, d_out = 1, s = 4ηt): c₁(t)", sp.Eq(sp.Symbol("c₁"), levi_c1),
             "substitute f = e^{−sν}", lambda: True, "substitution (checked numerically in the tests)"),
    ]

    def impl(dps):
        return mpmath.mpf(float(mean_curve_correction(TeacherStudent(0.6, weight_decay=1e-3, label_noise=0.1), "train", 200.0)))

    def ref(dps):
        m = TeacherStudent(0.6, weight_decay=1e-3, label_noise=0.1)
        lo, hi = (1 - math.sqrt(0.6)) ** 2, (1 + math.sqrt(0.6)) ** 2
        fe = lambda v: float(m.mode_curve("train", 200.0, v))  # noqa: E731
        arc = mpmath.quad(lambda th: fe(1.6 + 2 * math.sqrt(0.6) * math.cos(float(th))), [0, mpmath.pi]) / mpmath.pi
        return (fe(lo) + fe(hi)) / 4 - arc / 2

    checks = (
        numeric_check("c₁(t = 200) for λ = 0.6, γ = 1e-3, σ = 0.1 (train): Gauss–Chebyshev vs mpmath.quad over the angle",
                      impl, ref, digits=12),
        simulation_check("3000 real data sets (d_in = 60, λ = 1.5, X sampled, eigvalsh): mean of L_tr(t | X) at t = 30, 100 "
                         "vs L_MP + c₁/d_in", _mc_mean_correction(), max_z=None),
        simulation_check("600 data sets at d_in = 400, λ = 1.5 (N_tr = 267; spectra by the exact bidiagonal sampler): mean "
                         "of L_tr(t | X) at t = 300, 1000, 3000 vs L_MP + c₁/d_in (MP alone is rejected here)",
                         late_bias_run(), max_z=None),
        approximation_check("the same at d_in = 400, λ = 1.5, t = 1000: MP alone vs MP + c₁/d_in (relative; an independent "
                            "check measured real GD 3.3 % above MP there)",
                            lambda: TeacherStudent(1.5).train_loss(1000.0),
                            lambda: mean_curve(TeacherStudent(1.5), "train", 1000.0, 400)),
    )
    return Derivation("finite_size.mean_correction", "the O(1/d_in) correction of the data-averaged learning curves",
                      ["real Gaussian data", "fixed t, d_in → ∞ at fixed λ = d_in/N_tr"], steps, result,
                      "Bai & Silverstein 2004, Thm 1.1 (applied to the model's integrand)",
                      "grok_theory.linear.finite_size.mean_curve_correction", checks=checks)


# -- 4. edges ---------------------------------------------------------------------------------------------------------
def _edge_median(d: int, n_tr: int, sets: int = 2000):
    nu_min = sample_spectrum(d, n_tr, sets, rng=51, smallest=1)[:, 0]
    return float(np.median(nu_min))


def hard_edge() -> Derivation:
    cdf = 1 - sp.exp(-x / 2 - sp.sqrt(x))
    dens = (1 + sp.sqrt(x)) / (2 * sp.sqrt(x)) * sp.exp(-x / 2 - sp.sqrt(x))
    steps = [
        Step("Edelman: n·λ_min(XᵀX) for square real Gaussian X has limiting density (1+√x)/(2√x)·e^{−x/2−√x}",
             sp.Eq(sp.Symbol("p(x)"), dens), "Edelman, SIAM J. Matrix Anal. Appl. 9 (1988) 543, Cor. 3.1",
             lambda: True, "theorem cited (measured against exact samples below)"),
        Step("its distribution function", sp.Eq(sp.Symbol("P(n²ν_min ≤ x)"), cdf), "integrate from 0",
             lambda: is_zero(sp.diff(cdf, x) - dens) and is_zero(cdf.subs(x, 0)), "sympy: derivative equals the density, value 0 at 0"),
        Step("Σ_tr = XᵀX/N_tr with N_tr = d_in = n: ν_min = λ_min(XᵀX)/n, so n²ν_min has this law", sp.Eq(sp.Symbol("ν_min"), x / sp.Symbol("n") ** 2),
             "scaling", lambda: True, "substitution (no separate check)"),
    ]
    checks = tuple(
        approximation_check(f"median of ν_min at d_in = N_tr = {d}: hard-edge law vs 2000 exact (bidiagonal) samples",
                            lambda d=d: edge.smallest_eigenvalue_law(d, d).quantile(0.5), lambda d=d: _edge_median(d, d),
                            quick=d <= 50)
        for d in (50, 400))
    return Derivation("finite_size.hard_edge", "law of the smallest eigenvalue of Σ_tr at λ = 1 (hard edge, β = 1)",
                      ["real Gaussian data", "d_in = N_tr → ∞"], steps, sp.Eq(sp.Symbol("P(d_in² ν_min ≤ x)"), cdf),
                      "Edelman 1988, Cor. 3.1", "grok_theory.mp.edge.hard_edge_cdf", checks=checks)


def soft_edge() -> Derivation:
    m_, n_ = sp.symbols("m' n'", positive=True)
    mu = (sp.sqrt(m_) - sp.sqrt(n_)) ** 2
    sg = (sp.sqrt(m_) - sp.sqrt(n_)) * (1 / sp.sqrt(n_) - 1 / sp.sqrt(m_)) ** sp.Rational(1, 3)
    lam_sym = sp.Symbol("lambda", positive=True)
    # leading orders at n' = λ m' (λ < 1): μ/m' → (1 − √λ)², σ/m'^{1/3} → (1 − √λ)^{4/3} λ^{−1/6}
    sg_lead = sp.simplify((sg / m_ ** sp.Rational(1, 3)).subs(n_, lam_sym * m_))
    steps = [
        Step("soft edge: (μ₋ − N_tr ν_min)/σ₋ → TW₁ with μ₋ = (√m' − √n')², σ₋ = (√m' − √n')(1/√n' − 1/√m')^{1/3}",
             sp.Eq(sp.Symbol("σ₋"), sg), "Feldheim & Sodin 2010 (limit); m' = max − ½, n' = min − ½ as in Ma 2012",
             lambda: True, "theorem cited; the finite-size accuracy is measured"),
        Step("σ₋ ∝ d_in^{1/3} while μ₋ ∝ d_in: relative fluctuations of ν_min are O(d_in^{−2/3})",
             sp.Eq(sp.Symbol("σ₋/m'^{1/3}"), sg_lead), "n' = λm'",
             lambda: is_zero(sg_lead - (1 - sp.sqrt(lam_sym)) ** sp.Rational(4, 3) * lam_sym ** sp.Rational(-1, 6)),
             "sympy: simplifies to (1−√λ)^{4/3} λ^{−1/6}"),
        Step("used on the log scale: log(N_tr ν_min) ≈ log μ₋ − (σ₋/μ₋)·TW₁ (same limit, first order in σ₋/μ₋)",
             sp.Eq(sp.Symbol("log(N ν_min)"), sp.log(mu) - sg / mu * sp.Symbol("TW₁")), "delta method",
             lambda: True, "approximation (measured below and in docs/models/finite_size.md)"),
    ]
    checks = tuple(
        approximation_check(f"median of ν_min at d_in = {d}, N_tr = {nn}: soft-edge law vs 2000 exact samples",
                            lambda d=d, nn=nn: edge.smallest_eigenvalue_law(d, nn).quantile(0.5), lambda d=d, nn=nn: _edge_median(d, nn),
                            quick=d <= 50)
        for d, nn in ((50, 100), (400, 800), (400, 404)))
    return Derivation("finite_size.soft_edge", "law of the smallest eigenvalue of Σ_tr away from λ = 1 (Tracy–Widom GOE)",
                      ["real Gaussian data", "λ ≠ 1 fixed, d_in → ∞"], steps,
                      sp.Eq(sp.Symbol("P(ν_min ≤ x)"), 1 - sp.Function("F_1")((sp.log(mu / N) - sp.log(x)) / (sg / mu))),
                      "Feldheim & Sodin 2010; Ma 2012", "grok_theory.mp.edge.smallest_eigenvalue_law", checks=checks)


def derivations() -> list[Derivation]:
    """All derivations of this family, in reading order."""
    return [conditional_average(), single_run(), mean_correction(), hard_edge(), soft_edge()]


if __name__ == "__main__":
    sys.exit(run_standalone(derivations()))
