"""Training at fixed weight norm (Omnigrok §4, Fig. 7b: "de-grokking" by holding the norm).

Projected GD on the sphere ‖S‖²_F = R²: S ← R (S − η∇L_tr)/‖S − η∇L_tr‖ (Omnigrok's
"rescale after every step"). In the linear model its fixed points satisfy ∇L_tr ∝ S, i.e. the
Lagrange condition (Σ_tr + μ)S = XᵀY/N of :mod:`grok_theory.linear.landscape`, and the data gradient
never touches the null space of X, so the null component V of S is only rescaled:

    V_{t+1} = V_t · R/‖S_t − η∇L_tr(S_t)‖  →  V_t ∝ (1 + 2ημ(R)/d_out)^{−t}  near the fixed point

(``omnigrok.fixed_norm``). Hence, exactly:

* **below the knee** (R² < R_mn², μ(R) > 0): holding the norm acts like weight decay
  γ_eff = 2μ(R); the run converges to the ridge point of the reduced landscape, train and test
  together, with no grokking delay;
* **at or above the knee** (μ = 0): V keeps its direction and the norm R² − R_mn² forever;
  L_gen stays at L_gen(knee) + (R² − R_mn²)/d_out (never generalises), L_tr → 0.

:func:`projected_gd` simulates the procedure on sampled data (same seed stream as
:func:`grok_theory.linear.simulate.simulate_linear`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grok_theory import _validate
from grok_theory.simulation import SeedStats, seed_tuple, train_size
from grok_theory.linear.landscape import LandscapePoint, ReducedLandscape
from grok_theory.linear.simulate import null_space_basis, sample_dataset
from grok_theory._display import field_html, field_repr

__all__ = ["FixedNormResult", "projected_gd", "fixed_norm_limit", "null_contraction"]


def fixed_norm_limit(landscape: ReducedLandscape, norm2: float) -> LandscapePoint:
    """The t → ∞ outcome of projected GD at ‖S‖²_F = ``norm2`` from a random initialisation:
    the reduced landscape point (the flat branch with a random null direction above the knee)."""
    return landscape.at_norm(norm2, "random")


def null_contraction(landscape: ReducedLandscape, norm2: float, lr: float) -> float:
    """Per-step factor of the null component near the fixed point: 1/(1 + 2ημ(R)/d_out) (1 at/above the knee)."""
    lr = _validate.positive("lr", lr)
    mu = landscape.multiplier_at_norm(norm2)
    return 1 / (1 + 2 * lr * mu / landscape.d_out)


@dataclass(frozen=True)
class FixedNormResult(SeedStats):
    """Curves of projected GD, arrays of shape (n_seeds, n_times)."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    train_loss: np.ndarray
    gen_loss: np.ndarray
    null_norm2: np.ndarray


def projected_gd(d_in: int, lam: float, norm2: float, t: Any, lr: float = 0.05, init_scale: float = 1.0,
                 seeds: Any = (0, 1, 2, 3), d_out: int = 1, teacher_scale: float = 1.0,
                 label_noise: float = 0.0) -> FixedNormResult:
    """Full-batch GD on L_tr (Levi Eq. 3 without weight decay) projected back to ‖S‖²_F = ``norm2``
    after every step, starting from α·S₀ rescaled to that norm. Records L_tr (noisy labels),
    L_gen = ‖S − τT‖²/d_out and the squared null-space norm ‖P_null S‖² at the steps ``t``.

    Only the direction of S₀ matters: the start is rescaled to ‖S‖²_F = ``norm2``, so ``init_scale``
    (> 0) cancels and is kept for signature parity with :func:`grok_theory.linear.simulate.simulate_linear`.
    ``t`` are whole GD steps (≥ 0).
    """
    d_in = _validate.positive_int("d_in", d_in)
    n_train = train_size(d_in, lam)
    norm2 = _validate.positive("norm2", norm2)
    lr = _validate.positive("lr", lr)
    init_scale = _validate.positive("init_scale", init_scale)
    d_out = _validate.positive_int("d_out", d_out)
    teacher_scale = _validate.nonnegative("teacher_scale", teacher_scale)
    label_noise = _validate.nonnegative("label_noise", label_noise)
    times = np.sort(_validate.gd_times("t", t))
    seeds = seed_tuple(seeds)
    shape = (len(seeds), times.size)
    train, gen, null = np.empty(shape), np.empty(shape), np.empty(shape)
    radius = math.sqrt(norm2)
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train, d_out)
        x, teacher = data.x, teacher_scale * data.teacher
        y = data.labels(teacher_scale, label_noise)
        s = init_scale * data.student0
        s *= radius / np.linalg.norm(s)
        null_basis = null_space_basis(x)
        step, j = 0, 0
        while j < times.size:
            if step == times[j]:
                train[i, j] = ((x @ s - y) ** 2).sum() / (n_train * d_out)
                gen[i, j] = ((s - teacher) ** 2).sum() / d_out
                null[i, j] = ((null_basis @ s) ** 2).sum()
                j += 1
                continue
            s = s - lr * (2 / d_out) * (x.T @ (x @ s - y)) / n_train
            s *= radius / np.linalg.norm(s)
            step += 1
    return FixedNormResult(times, train, gen, null)
