"""Figures for structured inputs (optional extra ``plot``; matplotlib is imported lazily).

``FIGURES`` maps names to ``(quick: bool) -> matplotlib.figure.Figure``:

* ``structured-delta``: Δt (and t*_tr) against the power-law exponent of the input spectrum
  (σ_k ∝ k^{-exponent}, 200 atoms) for teacher alignments −1, 0, 1, 2 at λ = 0.5 and 0.9
  (flow, η = 0.01, ε = 1e-3, loss criterion);
* ``structured-create``: λ = 2 with weight decay 1e-3 — the generalisation-loss floor and Δt over
  (exponent, alignment): isotropic data never generalises (floor > ε/4), a steep spectrum with an
  aligned teacher does, i.e. structure *creates* grokking;
* ``structured-curves``: L_tr and L_gen against t (theory lines) with real GD on sampled data
  (points, seed mean ± SEM) for three (exponent, alignment) settings at λ = 0.9.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grok_theory.figures.reproduce import pyplot
from grok_theory.linear.grokking import grokking_time, phase_diagram
from grok_theory.linear.structured import StructuredTeacherStudent, simulate_structured

__all__ = ["FIGURES", "fig_structured_delta", "fig_structured_create", "fig_structured_curves"]

EPS = 1e-3


def fig_structured_delta(quick: bool = False) -> Any:
    """Δt and t*_tr against the spectrum's exponent, one line per teacher alignment."""
    plt = pyplot()
    exps = np.linspace(0.0, 1.5, 3 if quick else 10)
    aligns = (0.0, 1.0) if quick else (-1.0, 0.0, 1.0, 2.0)
    n = 30 if quick else 200
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, lam in zip(axes, (0.5, 0.9)):
        pd = phase_diagram(("exponent", exps), ("alignment", aligns), eps=EPS,
                           base=StructuredTeacherStudent(lam, n_atoms=n))
        for j, a in enumerate(aligns):
            line, = ax.semilogy(exps, pd.delta[:, j], "o-", label=f"alignment {a:g}: Δt")
            ax.semilogy(exps, pd.t_train[:, j], ":", color=line.get_color(), lw=1)
        ax.set_xlabel("exponent of the input spectrum (σ_k ∝ k^-exponent)")
        ax.set_title(f"λ = {lam}: Δt (solid), t*_tr (dotted); {n} atoms, ε = {EPS:g}", fontsize=9)
    axes[0].set_ylabel("GD steps")
    axes[0].legend(fontsize=8)
    fig.suptitle("Grokking time with structured inputs (gradient flow, η = 0.01, loss criterion ε/4)")
    fig.tight_layout()
    return fig


def fig_structured_create(quick: bool = False) -> Any:
    """λ = 2, γ = 1e-3: L_gen floor (t → ∞) relative to ε/4, and Δt, over (exponent, alignment)."""
    plt = pyplot()
    exps = np.linspace(0.0, 2.0, 3 if quick else 9)
    aligns = np.linspace(-1.0, 2.0, 3 if quick else 7)
    n = 30 if quick else 200
    base = StructuredTeacherStudent(2.0, n_atoms=n, weight_decay=1e-3)
    floor = np.array([[StructuredTeacherStudent(2.0, exponent=e, alignment=a, n_atoms=n, weight_decay=1e-3).gen_loss_limit()
                       for a in aligns] for e in exps])
    pd = phase_diagram(("exponent", exps), ("alignment", aligns), eps=EPS, base=base)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    im = axes[0].pcolormesh(aligns, exps, np.log10(floor / (EPS / 4)), shading="nearest", cmap="RdBu_r", vmin=-2, vmax=2)
    axes[0].contour(aligns, exps, np.log10(floor / (EPS / 4)), levels=[0.0], colors="k")
    fig.colorbar(im, ax=axes[0], label="log10(L_gen(∞) / (ε/4))")
    axes[0].set_title("generalisation floor (black: = ε/4; above it, never generalises)", fontsize=9)
    dl = np.where(np.isfinite(pd.delta), np.log10(np.maximum(pd.delta, 1.0)), np.nan)
    im2 = axes[1].pcolormesh(aligns, exps, dl, shading="nearest", cmap="viridis")
    fig.colorbar(im2, ax=axes[1], label="log10 Δt (blank: never generalises)")
    axes[1].set_title("grokking time Δt", fontsize=9)
    for ax in axes:
        ax.set_xlabel("teacher alignment (b_k ∝ σ_k^alignment)")
        ax.set_ylabel("exponent of the input spectrum")
    fig.suptitle(f"λ = 2, weight decay 1e-3, {n} atoms, ε = {EPS:g}: structure creates grokking")
    fig.tight_layout()
    return fig


def fig_structured_curves(quick: bool = False) -> Any:
    """Theory curves against real GD on sampled structured data (λ = 0.9, d_in = n_atoms)."""
    plt = pyplot()
    n = 30 if quick else 200
    seeds = range(2 if quick else 10)
    t = np.unique(np.round(np.geomspace(1, 2e5, 8 if quick else 24))).astype(int)
    tt = np.geomspace(1, 2e5, 40 if quick else 200)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
    for ax, (e, a) in zip(axes, ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0))):
        m = StructuredTeacherStudent(0.9, exponent=e, alignment=a, n_atoms=n, dynamics="gd", lr=0.01 if e < 1 else 0.005)
        sim = simulate_structured(m, t, seeds=seeds, d_in=n if e == 0 else None)
        for name, label in (("train_loss", "L_tr"), ("gen_loss", "L_gen")):
            line, = ax.loglog(tt, getattr(m, name)(tt), label=f"{label} theory")
            ax.errorbar(t, sim.mean(name), yerr=sim.sem(name), fmt="o", ms=3, color=line.get_color(),
                        label=f"{label} GD, {len(sim.seeds)} seeds")
        g = grokking_time(m, EPS)
        ax.axhline(EPS / 4, color="grey", lw=0.6, ls=":")
        ax.set_title(f"exponent {e:g}, alignment {a:g} (η = {m.lr:g}): Δt = {g.delta:.3g}", fontsize=9)
        ax.set_xlabel("t (GD steps)")
    axes[0].set_ylabel("loss")
    axes[0].set_ylim(1e-8, 3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"λ = 0.9, d_in = {n}: deterministic equivalents vs real GD on sampled data")
    fig.tight_layout()
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES: dict[str, Callable[[bool], Any]] = {
    "structured-delta": fig_structured_delta,
    "structured-create": fig_structured_create,
    "structured-curves": fig_structured_curves,
}
