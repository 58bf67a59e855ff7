"""Tan & Huang's robustness view of grokking (arXiv 2311.06597) in the linear teacher–student model.

* **Input noise is weight decay.** Training on x + Δ, Δ ~ N(0, σ² I) drawn afresh, with clean
  labels y = Tᵀx: E_Δ L_tr^noisy = L_tr + (σ²/d_out)‖S‖²_F exactly, whose gradient adds
  (2σ²/d_out) S. In Levi's convention (Eq. 3: the decay term is (γ/d_out) S) that is
  **γ_eff = 2σ²** for every d_out; in PyTorch's (``weight_decay`` adds wd·S to the gradient of
  the mean-squared loss) it is wd_eff = 2σ²/d_out (``tanhuang.input_noise``). The *mean* GD
  dynamics are those of :class:`~grok_theory.linear.model.TeacherStudent` with weight decay γ + 2σ²;
  the fresh noise adds a stochastic floor (measured by :func:`simulate_input_noise`).
* **Robustness is the weight norm.** For the linear map f(x) = Sᵀx, the input sensitivity
  E‖f(x + Δ) − f(x)‖²/d_out = σ²‖S‖²_F/d_out exactly, and the MSE Hessian 2Σ_tr does not depend
  on S (no "sharpness" dynamics).
* **Adaptive schedule** σ(t) = max(λ₁(1 − A_tr(t)), λ₂): once the training accuracy is ≈ 1 the
  null space decays at η(γ + 2λ₂²)/d_out, a late-time speed-up of (γ + 2λ₂²)/γ over plain weight
  decay, paid for by the ridge bias of μ = γ/2 + λ₂².
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import optimize, signal, special

from grok_theory import _validate
from grok_theory.simulation import SeedStats, accuracy_fraction, gd_stable, seed_tuple, train_size
from grok_theory.linear.landscape import ReducedLandscape
from grok_theory.linear.large_init import generalisation_time_law
from grok_theory.linear.model import TeacherStudent, accuracy_from_loss
from grok_theory.linear.simulate import null_space_basis, sample_dataset
from grok_theory._display import field_html, field_repr

__all__ = ["effective_weight_decay", "with_input_noise", "input_sensitivity", "schedule_speedup", "null_noise_floor", "null_noise_variance",
           "stationary_train_loss", "schedule_fixed_points", "schedule_generalisation_time",
           "ScheduleCurves", "schedule_mean_field", "NoisyInputResult", "simulate_input_noise"]

_CONVENTIONS = ("levi", "pytorch")


#: largest input-noise std accepted: its weight-decay equivalent 2σ² stays within the model's range (1e100)
NOISE_MAX = 1e50


def _noise(name: str, value: Any) -> float:
    sigma = _validate.nonnegative(name, value)
    _validate.at_most(NOISE_MAX, (name, sigma))
    return sigma


def effective_weight_decay(input_noise: float, d_out: int = 1, convention: str = "levi") -> float:
    """Weight decay equivalent to Gaussian input noise of std σ with clean labels.

    ``convention="levi"``: γ in Levi Eq. 3 (decay term (γ/d_out)S): 2σ².
    ``convention="pytorch"``: torch ``weight_decay`` on the mean-squared loss: 2σ²/d_out.
    """
    sigma = _noise("input_noise", input_noise)
    d_out = _validate.positive_int("d_out", d_out)
    _validate.choice("convention", convention, _CONVENTIONS)
    return 2 * sigma**2 if convention == "levi" else 2 * sigma**2 / d_out


def with_input_noise(model: TeacherStudent, input_noise: float) -> TeacherStudent:
    """The model whose (exact) mean dynamics are those of training on noisy inputs: γ → γ + 2σ²."""
    return replace(model, weight_decay=model.weight_decay + effective_weight_decay(input_noise, model.d_out))


def input_sensitivity(model: TeacherStudent, t: Any, input_noise: float) -> Any:
    """E‖Sᵀ(x+Δ) − Sᵀx‖²/d_out = σ²‖S_t‖²_F/d_out, with the MP weight-norm curve of ``model``."""
    sigma = _noise("input_noise", input_noise)
    return sigma**2 * model.weight_norm(t) / model.d_out


def schedule_speedup(weight_decay: float, floor_noise: float) -> float:
    """Late-time speed-up of the null-space decay under Tan–Huang's schedule: (γ + 2λ₂²)/γ."""
    g = _validate.positive("weight_decay", weight_decay)
    lam2 = _validate.nonnegative("floor_noise", floor_noise)
    return (g + 2 * lam2**2) / g


def null_noise_floor(model: TeacherStudent, input_noise: float, train_loss: float, norm2: float) -> float:
    """Stationary E‖P_null S‖²_F left by fresh input noise (leading order in η):

        η(λ − 1)[L_tr + σ²‖S‖²_F/d_out] · 2σ²/(γ + 2σ²)   (to leading order in η).

    The null-space part of the noisy gradient, (2/(N d_out)) P_null[Δᵀ(XD) + (ΔᵀΔ − Nσ²)S], has
    variance (4σ²(d_in − N)/(N d_out²))[d_out L_tr + σ²‖S‖²]; the null modes contract by
    1 − η(γ + 2σ²)/d_out per step. ``train_loss`` and ``norm2`` are the stationary values (for
    instance the limits of :func:`with_input_noise`).
    """
    sigma = _validate.nonnegative("input_noise", input_noise)
    if sigma == 0 or model.lam <= 1:
        return 0.0
    g_eff = model.weight_decay + 2 * sigma**2
    injected = model.lr**2 * 4 * sigma**2 * (model.lam - 1) / model.d_out**2 * (model.d_out * train_loss + sigma**2 * norm2)
    return injected / (1 - (1 - model.lr * g_eff / model.d_out) ** 2)  # geometric sum of ρ^{2k}


def null_noise_variance(model: TeacherStudent, input_noise: float, t: Any) -> np.ndarray:
    """E‖P_null S_t‖²_F accumulated from the fresh input noise up to step t (leading order in η):

        Σ_{s<t} ρ^{2(t−1−s)} η² (4σ²(λ−1)/d_out²)[d_out L_tr(s) + σ²‖S_s‖²_F],  ρ = 1 − η(γ+2σ²)/d_out,

    with L_tr(s), ‖S_s‖² the mean-dynamics curves of :func:`with_input_noise` (gradient flow). Its
    t → ∞ limit is :func:`null_noise_floor`. Add :func:`grok_theory.linear.large_init.null_norm2` of the
    mean model for the total.
    """
    sigma = _noise("input_noise", input_noise)
    times = _validate.gd_times("t", t)
    if sigma == 0 or model.lam <= 1 or times.max() == 0:
        return np.zeros(times.shape)
    m = with_input_noise(replace(model, dynamics="flow"), sigma)  # the source is O(η²): flow curves suffice
    steps = np.arange(int(times.max()), dtype=float)
    # the source is smooth in s: evaluate on a log grid and interpolate its logarithm
    knots = np.unique(np.concatenate([[0.0], np.geomspace(1.0, max(steps[-1], 1.0), 300)]))
    src = (m.lr**2 * 4 * sigma**2 * (m.lam - 1) / m.d_out**2
           * (m.d_out * m.train_loss(knots) + sigma**2 * m.weight_norm(knots)))
    source = np.exp(np.interp(steps, knots, np.log(np.maximum(src, np.finfo(float).tiny))))  # underflow: ~0
    rho2 = (1 - m.lr * m.weight_decay / m.d_out) ** 2
    # one pass of acc_{s+1} = ρ²·acc_s + source_s (acc_0 = 0): acc[s] is the sum up to step s + 1
    acc = signal.lfilter([1.0], [1.0, -rho2], source)
    return np.where(times > 0, acc[np.maximum(times - 1, 0)], 0.0)


def stationary_train_loss(model: TeacherStudent, input_noise: float) -> float:
    """Clean training loss at stationarity under fresh input noise (d_out = 1, leading order in the noise):

        L_tr = L_tr^ridge(μ) + λ E_c[ν η² q_ν/(1 − (1 − 2η(ν+μ))²)],   q_ν = 4σ²[L_tr^ridge + (ν + σ²)‖S‖²],

    μ = γ/2 + σ². The first term is the ridge point the mean dynamics reach
    (:mod:`grok_theory.linear.landscape`); the second is the variance the fresh noise pumps into each range
    mode ν (per-step injected variance (4σ²/N)[L_tr + (ν + σ²)‖S‖²], contraction ρ_ν = 1 − 2η(ν+μ)),
    weighted by ν (``tanhuang.noise_fluctuations``).
    """
    sigma = _noise("input_noise", input_noise)
    if model.d_out != 1:
        raise ValueError(f"d_out={model.d_out!r}: the fluctuation term is derived for d_out = 1 only")
    mu = model.weight_decay / 2 + sigma**2
    ridge = ReducedLandscape(model.lam, teacher_scale=model.teacher_scale, label_noise=model.label_noise).at_multiplier(mu)
    if sigma == 0:
        return float(ridge.train)
    eta = model.lr

    def f(nu: np.ndarray) -> np.ndarray:
        q = 4 * sigma**2 * (ridge.train + (nu + sigma**2) * ridge.norm2)
        return np.where(nu > 0, nu * eta**2 * q / (1 - (1 - 2 * eta * (nu + mu)) ** 2), 0.0)

    return float(ridge.train + model.lam * model.law.expect(f))


def schedule_fixed_points(model: TeacherStudent, lam1: float, lam2: float, eps: float, grid: int = 400) -> list[float]:
    """Self-consistent noise levels of Tan–Huang's schedule, σ = max(λ₁(1 − A_tr(σ)), λ₂), d_out = 1.

    A_tr(σ) = erf(√(eps/(2 L_tr))) (Levi Eq. 10) with L_tr = :func:`stationary_train_loss` at noise σ.
    Returned in decreasing order; the run starts at σ ≈ λ₁ (A_tr ≈ 0), so it is trapped by the first
    *stable* fixed point below λ₁ (where σ − max(…) changes sign from − to + going up), which may lie
    far above λ₂.
    """
    lam1, lam2 = _noise("lam1", lam1), _noise("lam2", lam2)
    if lam1 < 1e-150:  # the σ grid runs down from λ₁ in relative steps
        raise ValueError(f"lam1 must be >= 1e-150, got {lam1!r}")
    eps = _validate.positive("eps", eps)

    def f(s: float) -> float:
        acc = special.erf(math.sqrt(eps / (2 * stationary_train_loss(model, s))))
        return max(lam1 * (1 - acc), lam2) - s

    xs = np.linspace(lam1, max(lam2, 1e-6), grid)
    vals = np.array([f(x) for x in xs])
    roots = []
    for a, b, fa, fb in zip(xs[:-1], xs[1:], vals[:-1], vals[1:]):
        if fa == 0:
            roots.append(float(a))
        elif fa * fb < 0:
            roots.append(float(optimize.brentq(f, b, a, xtol=1e-12)))
    if vals[-1] == 0 or abs(xs[-1] - lam2) < 1e-12 and abs(vals[-1]) < 1e-12:
        roots.append(float(xs[-1]))
    return sorted(set(roots), reverse=True)


def schedule_generalisation_time(model: TeacherStudent, delta: float, lam1: float, lam2: float, eps: float) -> float:
    """Null-space law at the noise level that traps the schedule (the largest fixed point below λ₁):
    ln(a α²/(2δ))/(−2 ln(1 − η(γ + 2σ*²))), d_out = 1, excess criterion on the null part."""
    sigma_star = schedule_fixed_points(model, lam1, lam2, eps)[0]
    return generalisation_time_law(with_input_noise(model, sigma_star), delta)


@dataclass(frozen=True)
class ScheduleCurves:
    """Mean-field curves under the adaptive noise schedule, one entry per GD step 0..t_max."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    sigma: np.ndarray
    train_loss: np.ndarray
    gen_loss: np.ndarray
    null_norm2: np.ndarray


def schedule_mean_field(model: TeacherStudent, lam1: float, lam2: float, eps: float, t_max: int,
                        nodes: int = 400, fluctuations: bool = False) -> ScheduleCurves:
    """Mean dynamics of GD under Tan–Huang's schedule σ_t = max(λ₁(1 − A_tr(t)), λ₂).

    Each MP mode follows Levi Eq. 3 with the step-dependent decay γ_t = γ + 2σ_t²
    (:func:`effective_weight_decay`); A_tr(t) is Levi's accuracy of the mean-field L_tr(t)
    (:func:`grok_theory.linear.model.accuracy_from_loss`, mean convention). The MP average uses the
    angle substitution ν = 1 + λ + 2√λ cos θ (E_c[f] = (2/π)∫ f sin²θ/ν dθ, midpoint rule with
    ``nodes`` points) plus the atom. With ``fluctuations=True`` (d_out = 1) the accuracy is computed
    from L_tr plus the quasi-static noise contribution of :func:`stationary_train_loss`,
    λE_c[ν η² 4σ²(L_tr + (ν + σ²)‖S_t‖²)/(1 − ρ_ν²)] at the previous step's σ and the current L_tr,
    ‖S_t‖²; the recorded ``train_loss`` is then that sum. Otherwise the fluctuations are ignored.
    """
    lam1, lam2 = _validate.nonnegative("lam1", lam1), _validate.nonnegative("lam2", lam2)
    eps = _validate.positive("eps", eps)
    t_max = _validate.nonnegative_int("t_max", t_max)
    lam = model.lam
    theta = (np.arange(nodes) + 0.5) * math.pi / nodes
    nu = 1 + lam + 2 * math.sqrt(lam) * np.cos(theta)
    w = (2 / nodes) * np.sin(theta) ** 2 / nu
    atom = model.law.atom
    nu = np.append(nu, 0.0)
    w = np.append(w, atom)
    tau2, a2, d = model.teacher_scale**2, model.init_scale**2, model.d_out
    z = tau2 / 2
    x = np.full(nu.shape, (a2 + tau2) / 2)  # E[D²] per mode (× number of modes)
    y = np.full(nu.shape, -tau2 / 2)  # E[D T]
    c = 2 * model.lr / d
    if fluctuations and d != 1:
        raise ValueError(f"d_out={d!r}: fluctuations=True is derived for d_out = 1 only")
    cont = nu > 0
    out = {k: np.empty(t_max + 1) for k in ("sigma", "train_loss", "gen_loss", "null_norm2")}
    sig = lam1
    for step in range(t_max + 1):
        ltr = float((w * nu * x).sum()) / d
        if fluctuations:
            s2 = float((w * (x + 2 * y + z)).sum())  # ‖S_t‖²
            g_prev = (model.weight_decay + 2 * sig**2) / 2
            kern = nu[cont] * model.lr**2 * 4 * sig**2 / (1 - (1 - c * (nu[cont] + g_prev)) ** 2)
            ltr += lam * float((w[cont] * kern * (ltr + (nu[cont] + sig**2) * s2)).sum())
        acc = float(accuracy_from_loss(ltr, eps, d))
        sig = max(lam1 * (1 - acc), lam2)
        out["sigma"][step], out["train_loss"][step] = sig, ltr
        out["gen_loss"][step] = float((w * x).sum()) / d
        out["null_norm2"][step] = atom * (x[-1] + 2 * y[-1] + z)
        g = (model.weight_decay + 2 * sig**2) / 2
        a_, b_ = 1 - c * (nu + g), c * g
        x, y = a_ * a_ * x - 2 * a_ * b_ * y + b_ * b_ * z, a_ * y - b_ * z
    return ScheduleCurves(np.arange(t_max + 1), **out)


@dataclass(frozen=True)
class NoisyInputResult(SeedStats):
    """Curves of GD on noisy inputs, arrays of shape (n_seeds, n_times)."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    train_loss: np.ndarray  # on the clean training inputs
    gen_loss: np.ndarray
    weight_norm: np.ndarray
    null_norm2: np.ndarray


def simulate_input_noise(d_in: int, lam: float, input_noise: float, t: Any, lr: float = 0.05, weight_decay: float = 0.0,
                         init_scale: float = 1.0, seeds: Any = (0, 1, 2, 3), d_out: int = 1, teacher_scale: float = 1.0,
                         schedule: tuple[float, float, float] | None = None) -> NoisyInputResult:
    """Full-batch GD on inputs perturbed afresh every step, with clean labels (Tan & Huang §3.2).

    Step: S ← S − η[(2/d_out)(X+Δ)ᵀ((X+Δ)S − XτT)/N + (γ/d_out)S], Δ_ij ~ N(0, σ²).
    ``schedule=(lam1, lam2, eps)`` replaces σ by Tan–Huang's σ_t = max(λ₁(1 − A_tr), λ₂), with
    A_tr the clean training accuracy at threshold eps (per-output mean convention).
    Data are drawn as in :func:`grok_theory.linear.simulate.simulate_linear` (same seed stream); the input
    noise uses a second stream seeded by (seed, 1).
    """
    d_in = _validate.positive_int("d_in", d_in)
    n_train = train_size(d_in, lam)
    sigma = _validate.nonnegative("input_noise", input_noise)
    lr = _validate.positive("lr", lr)
    wd = _validate.nonnegative("weight_decay", weight_decay)
    times = np.sort(_validate.gd_times("t", t))
    seeds = seed_tuple(seeds)
    d_out = _validate.positive_int("d_out", d_out)
    init_scale = _validate.nonnegative("init_scale", init_scale)
    teacher_scale = _validate.nonnegative("teacher_scale", teacher_scale)
    sigma_max = sigma
    if schedule is not None:
        if not isinstance(schedule, (tuple, list)) or len(schedule) != 3:
            raise TypeError(f"schedule must be a tuple (lam1, lam2, eps), got {schedule!r}")
        lam1, lam2 = _validate.nonnegative("schedule lam1", schedule[0]), _validate.nonnegative("schedule lam2", schedule[1])
        eps = _validate.positive("schedule eps", schedule[2])
        sigma_max = max(lam1, lam2)
    shape = (len(seeds), times.size)
    out = {k: np.empty(shape) for k in ("train_loss", "gen_loss", "weight_norm", "null_norm2")}
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train, d_out)
        noise_rng = np.random.default_rng((seed, 1))
        x, teacher = data.x, teacher_scale * data.teacher
        y = data.labels(teacher_scale)
        s = init_scale * data.student0
        null_basis = null_space_basis(x)
        # the same bound as simulate_linear, on the mean curvature E[(X+Δ)ᵀ(X+Δ)]/N = Σ_tr + σ²I
        gd_stable(float(np.linalg.eigvalsh(x.T @ x / n_train)[-1]) + sigma_max**2, lr, d_out, wd)
        step, j = 0, 0
        while j < times.size:
            resid = x @ s - y
            if step == times[j]:
                out["train_loss"][i, j] = (resid**2).sum() / (n_train * d_out)
                out["gen_loss"][i, j] = ((s - teacher) ** 2).sum() / d_out
                out["weight_norm"][i, j] = (s**2).sum()
                out["null_norm2"][i, j] = ((null_basis @ s) ** 2).sum()
                j += 1
                continue
            sig = sigma
            if schedule is not None:
                acc = float(accuracy_fraction((resid**2).sum(axis=1), eps, d_out, "mean"))
                sig = max(lam1 * (1 - acc), lam2)
            xn = x + sig * noise_rng.standard_normal(x.shape) if sig > 0 else x
            grad = (2 / d_out) * (xn.T @ (xn @ s - y)) / n_train + (wd / d_out) * s
            s = s - lr * grad
            step += 1
        # the loop records before stepping, so every requested time is covered
    if not all(np.all(np.isfinite(v)) for v in out.values()):
        raise ValueError(f"lr={lr!r} is unstable for GD with input_noise={sigma!r}: the noisy run diverged (reduce lr)")
    return NoisyInputResult(times, **out)
