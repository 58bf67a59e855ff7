"""Figures for finite d_in (optional extra ``plot``; matplotlib is imported lazily).

``FIGURES`` maps names to ``(quick: bool) -> matplotlib.figure.Figure``:

* ``finite-size-times``: densities of the generalisation crossing time t_gen over data sets at
  λ = 0.5 and 0.9 for several d_in (data-averaged loss and single runs), with the MP value;
* ``finite-size-spread``: relative spread std/mean of t_train and t_gen against d_in;
* ``finite-size-mean``: the data-averaged train loss above MP at d_in = 400, λ = 1.5 (Monte Carlo
  over sampled spectra) against the 1/d_in correction c₁(t)/d_in.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grok_theory.figures.reproduce import pyplot
from grok_theory.linear.finite_size import conditional_curve, grokking_time_distribution, mean_curve_correction
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp.wishart import n_train_for, sample_spectrum

__all__ = ["FIGURES", "fig_times", "fig_spread", "fig_mean"]

EPS, LR = 1e-3, 0.01


def fig_times(quick: bool = False) -> Any:
    """Density of t_gen over data sets (kernel estimate), λ = 0.5 and 0.9, data-averaged and single runs."""
    plt = pyplot()
    sets = 150 if quick else 2000
    dims = (50, 200) if quick else (100, 400, 1600)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, lam in zip(axes, (0.5, 0.9)):
        for d in dims:
            for runs, ls in (("average", "-"), ("single", ":")):
                dist = grokking_time_distribution(TeacherStudent(lam, lr=LR), EPS, d, n_sets=sets, runs=runs, rng=d)
                x = np.linspace(dist.t_gen.quantile(0.005), dist.t_gen.quantile(0.995), 200)
                ax.plot(x, dist.t_gen.density(x), ls=ls, label=f"d_in = {d}, {runs}")
        ax.axvline(dist.mp.t_gen, color="k", lw=0.8, label="Marchenko–Pastur")
        ax.set_title(f"λ = {lam}: t_gen (L_gen = ε/4, ε = {EPS:g}, η = {LR:g}, flow); {sets} data sets", fontsize=9)
        ax.set_xlabel("t_gen (GD steps)")
        ax.set_ylabel("density")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def fig_spread(quick: bool = False) -> Any:
    """Relative standard deviation of the crossing times against d_in (log–log)."""
    plt = pyplot()
    sets = 100 if quick else 1000
    dims = np.array([25, 50, 100] if quick else [50, 100, 200, 400, 800, 1600])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for lam, marker in ((0.5, "o"), (0.9, "s")):
        for runs, ls in (("average", "-"), ("single", ":")):
            rel = {"t_train": [], "t_gen": []}
            for d in dims:
                dist = grokking_time_distribution(TeacherStudent(lam, lr=LR), EPS, int(d), n_sets=sets, runs=runs, rng=int(d) + 1)
                for k in rel:
                    td = getattr(dist, k)
                    rel[k].append(td.std / td.mean)
            for k, col in (("t_train", "C0"), ("t_gen", "C3")):
                ax.loglog(dims, rel[k], marker=marker, ls=ls, color=col, label=f"{k}, λ = {lam}, {runs}")
    ax.loglog(dims, 0.5 * dims[0] / dims, "k--", lw=0.7, label="∝ 1/d_in")
    ax.loglog(dims, 0.5 * (dims[0] / dims) ** (2 / 3), "k-.", lw=0.7, label="∝ d_in^{-2/3}")
    ax.set_xlabel("d_in")
    ax.set_ylabel("std / mean over data sets")
    ax.set_title(f"Spread of the crossing times (ε = {EPS:g}, η = {LR:g}, flow); {sets} sets per point", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig


def fig_mean(quick: bool = False) -> Any:
    """E_X[L_tr(t | X)]/L_MP − 1 at d_in = 400, λ = 1.5: Monte Carlo vs c₁/(d_in L_MP)."""
    plt = pyplot()
    d, lam = (100, 1.5) if quick else (400, 1.5)
    sets = 200 if quick else 4000
    n = n_train_for(d, lam)
    m = TeacherStudent(d / n, lr=LR)
    t = np.geomspace(1, 1e4, 12 if quick else 40)
    vals = conditional_curve(m, "train", t, sample_spectrum(d, n, sets, rng=7))
    base = m.train_loss(t)
    mean, se = vals.mean(axis=0) / base - 1, vals.std(axis=0, ddof=1) / np.sqrt(sets) / base
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.errorbar(t, 100 * mean, yerr=200 * se, fmt="o", ms=3, label=f"{sets} sampled spectra (±2 s.e.)")
    ax.plot(t, 100 * mean_curve_correction(m, "train", t) / d / base, label="c₁(t)/d_in (1/d_in theory)")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel("t (GD steps)")
    ax.set_ylabel("E_X[L_tr]/L_MP − 1 (%)")
    ax.set_title(f"Finite-size excess of the train loss, d_in = {d}, λ = {d / n:.3g}, η = {LR:g} (flow)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES = {"finite-size-times": fig_times, "finite-size-spread": fig_spread, "finite-size-mean": fig_mean}
