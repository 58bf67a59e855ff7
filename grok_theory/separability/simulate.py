"""Real gradient descent on the constant-label logistic model, on sampled Gaussian data (seeds).

Beck, Levi & Bar-Sinai (arXiv 2410.04489) §3.1: x_i ~ N(0, σ² I_d), i = 1..N, every label −1,
f = Sᵀx + b, L = (1/N) Σ log(1 + e^{f(x_i)}), full-batch GD S ← S − η∇_S L, b ← b − η∂_b L from
S = 0, b = 0. The population accuracy of (S, b) is exact: A_gen = Φ(−b/(σ‖S‖)).

For every seed the run also records the sample's geometry: separable from the origin (LP),
its max-margin (NNLS), and, if inseparable, the bias-free minimiser's σ‖S_∞‖ and Z_∞ — the
quantities the late-time theory is written in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, ndtr

from grok_theory import _validate as v
from grok_theory.separability.margin import bias_free_minimum, max_margin
from grok_theory.simulation import SeedStats
from grok_theory._display import field_html, field_repr

__all__ = ["LogisticRun", "simulate_logistic", "sample"]


def sample(n_points: int, d: int, sigma: float, seed: int) -> np.ndarray:
    """The training sample of one seed: N points of N(0, σ² I_d) (numpy default_rng(seed))."""
    return sigma * np.random.default_rng(seed).standard_normal((n_points, d))


@dataclass(frozen=True)
class LogisticRun(SeedStats):
    """GD trajectories, shape (n_seeds, n_times) unless noted.

    Attributes
    ----------
    t : ndarray (n_times,)
        Recorded GD steps.
    gen_acc, train_acc, bias, s_norm, train_loss : ndarray
        A_gen = Φ(−b/(σ‖S‖)), fraction of training points with f < 0, b, ‖S‖, logistic train loss.
    t_gen, t_train : ndarray (n_seeds,)
        First GD step at which gen / train accuracy reach ``level`` (inf if never within ``steps``).
    separable : ndarray (n_seeds,) of bool
    margin : ndarray (n_seeds,)
        Raw max-margin M of each sample (0 if inseparable).
    s_inf_norm, z_min : ndarray (n_seeds,)
        σ‖S_∞‖ and Z_∞ of the bias-free minimiser (NaN for separable samples).
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    gen_acc: np.ndarray
    train_acc: np.ndarray
    bias: np.ndarray
    s_norm: np.ndarray
    train_loss: np.ndarray
    t_gen: np.ndarray
    t_train: np.ndarray
    separable: np.ndarray
    margin: np.ndarray
    s_inf_norm: np.ndarray
    z_min: np.ndarray
    sigma: float
    lr: float
    level: float


def simulate_logistic(n_points: int, lam: float, sigma: float = 5.0, lr: float = 0.01, steps: int = 10_000,
                      seeds: Any = range(4), record: Any = None, level: float = 0.95,
                      geometry: bool = True) -> LogisticRun:
    """Full-batch GD on the constant-label logistic model, all seeds batched.

    Parameters
    ----------
    n_points : int >= 2
        N.
    lam : float
        d/N; d = round(λN) >= 1.
    sigma : float > 0
        Data scale σ.
    lr : float > 0
        Learning rate η (stable for η σ² λ-ish ≲ 2; checked: loss must stay finite).
    steps : int
        Number of GD steps.
    seeds : iterable of int
    record : array of int, optional
        Steps to record (default: 40 log-spaced steps up to ``steps``).
    level : float in (½, 1)
        Accuracy level for t_gen, t_train (Beck et al. use 0.95).
    geometry : bool
        Also compute each sample's separability, margin, σ‖S_∞‖ and Z_∞.
    """
    n_points = v.positive_int("n_points", n_points)
    if n_points < 2:
        raise ValueError(f"n_points must be >= 2, got {n_points!r}")
    lam = v.positive("lam", lam)
    d = int(round(lam * n_points))
    if d < 1:
        raise ValueError(f"lam * n_points must round to d >= 1, got lam={lam!r}, n_points={n_points!r}")
    sigma, lr = v.positive("sigma", sigma), v.positive("lr", lr)
    steps = v.positive_int("steps", steps)
    level = v.real_scalar("level", level)
    if not 0.5 < level < 1:
        raise ValueError(f"level must be in (1/2, 1), got {level!r}")
    seeds = [v.nonnegative_int("seed", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    rec = np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, 40))]).astype(np.int64)) if record is None \
        else v.gd_times("record", record)
    if rec.max() > steps:
        raise ValueError(f"record steps must be <= steps={steps}, got max {rec.max()}")

    x = np.stack([sample(n_points, d, sigma, s) for s in seeds])  # (k, N, d)
    k = len(seeds)
    S = np.zeros((k, d))
    b = np.zeros(k)
    out = {name: np.zeros((k, rec.size)) for name in ("gen_acc", "train_acc", "bias", "s_norm", "train_loss")}
    t_gen = np.full(k, np.inf)
    t_train = np.full(k, np.inf)
    j = 0
    for step in range(steps + 1):
        f = np.einsum("knd,kd->kn", x, S) + b[:, None]
        norm = np.linalg.norm(S, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            gen = np.where(norm > 0, ndtr(-b / (sigma * norm)), (b < 0).astype(float))
        tr = (f < 0).mean(axis=1)
        t_gen = np.where(np.isinf(t_gen) & (gen >= level), step, t_gen)
        t_train = np.where(np.isinf(t_train) & (tr >= level), step, t_train)
        if j < rec.size and step == rec[j]:
            loss = np.logaddexp(0, f).mean(axis=1)
            if not np.all(np.isfinite(loss)):
                raise ArithmeticError(f"GD diverged (lr={lr} too large for sigma={sigma})")
            for name, val in (("gen_acc", gen), ("train_acc", tr), ("bias", b), ("s_norm", norm), ("train_loss", loss)):
                out[name][:, j] = val
            j += 1
        if step == steps:
            break
        g = expit(f) / n_points  # dL/df_i
        S = S - lr * np.einsum("knd,kn->kd", x, g)
        b = b - lr * g.sum(axis=1)

    sep = np.zeros(k, bool)
    marg = np.zeros(k)
    s_inf = np.full(k, np.nan)
    z_min = np.full(k, np.nan)
    if geometry:
        for i in range(k):
            mm = max_margin(x[i])
            sep[i], marg[i] = mm.separable, mm.margin
            if not mm.separable:
                s_vec, z = bias_free_minimum(x[i])
                s_inf[i], z_min[i] = sigma * np.linalg.norm(s_vec), z
    return LogisticRun(rec, out["gen_acc"], out["train_acc"], out["bias"], out["s_norm"], out["train_loss"], t_gen,
                       t_train, sep, marg, s_inf, z_min, sigma, lr, level)
