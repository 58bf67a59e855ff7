"""Figures for the late-time series (optional extra ``plot``; matplotlib is imported lazily).

``FIGURES`` maps names to ``(quick: bool) -> matplotlib.figure.Figure``:

* ``late-time-error``: relative error of the truncated late-time series against the exact
  curves, as a function of t, for 1, 2, 4 and 8 Watson terms (λ = 0.5, 0.9; L_tr plain, L_gen
  plain and uniform);
* ``grokking-time-approx``: Δt against ε — exact (``grokking_time``), the series root
  (``grokking_time_approx``), Eq. 12 and Eq. 26 as printed — and their relative errors.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grok_theory.linear import asymptotics as printed
from grok_theory.linear.grokking import grokking_time
from grok_theory.linear.late_time import grokking_time_approx, late_time_series
from grok_theory.linear.model import TeacherStudent
from grok_theory.figures.reproduce import pyplot

__all__ = ["FIGURES", "fig_late_time_error", "fig_grokking_time_approx"]


def fig_late_time_error(quick: bool = False) -> Any:
    """Relative error of the series, series/exact − 1 in absolute value, against t for N = 1, 2, 4, 8 terms (d_out = 1, γ = 0, flow, η = 0.01)."""
    plt = pyplot()
    times = np.geomspace(10, 1e5, 12 if quick else 40)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
    for row, lam in enumerate((0.5, 0.9)):
        m = TeacherStudent(lam)
        exact = {"train": m.train_loss(times), "gen": m.gen_loss(times)}
        for col, (which, uniform, title) in enumerate((("train", False, "L_tr (Eq. 22 = first term)"),
                                                       ("gen", False, "L_gen plain (Eq. 11 = first term)"),
                                                       ("gen", True, "L_gen uniform (Eq. 23 + regular part)"))):
            ax = axes[row, col]
            for order in (1, 2, 4, 8):
                ser = late_time_series(m, which, order=order, uniform=uniform, optimal=False)
                err = np.abs(ser(times) / exact[which] - 1)
                ax.loglog(times, np.maximum(err, 1e-16), label=f"N = {order}")
            ax.set_title(f"λ = {lam}: {title}", fontsize=9)
            ax.axhline(1e-2, color="grey", lw=0.5, ls=":")
            if row == 1:
                ax.set_xlabel("t (GD steps)")
            if col == 0:
                ax.set_ylabel("|series / exact − 1|")
    axes[0, 0].legend(fontsize=8)
    axes[0, 0].set_ylim(1e-16, 1e4)
    fig.suptitle("Late-time series vs exact curves (η = 0.01, d_out = 1); floor ≈ 1e-15 is float64")
    fig.tight_layout()
    return fig


def fig_grokking_time_approx(quick: bool = False) -> Any:
    """Δt(ε) at λ = 0.3, 0.7, 0.9: exact, series root, Eq. 12, Eq. 26; lower row: relative errors."""
    plt = pyplot()
    eps = np.geomspace(1e-8, 1e-2, 7 if quick else 25)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    for col, lam in enumerate((0.3, 0.7, 0.9)):
        m = TeacherStudent(lam)
        exact = np.array([grokking_time(m, e).delta for e in eps])
        series = grokking_time_approx(lam, eps)
        eq12 = np.full_like(eps, printed.levi2024_eq12(lam, 0.01))
        eq26 = np.array([printed.levi2024_eq26(e, lam, 0.01) for e in eps])
        ax, axe = axes[0, col], axes[1, col]
        ax.loglog(eps, exact, "ko", ms=4, label="exact")
        ax.loglog(eps, series, "C0-", label="series root (6 terms)")
        ax.loglog(eps, eq12, "C1--", label="Eq. 12")
        ax.loglog(eps, eq26, "C2-.", label="Eq. 26 (printed)")
        ax.set_title(f"λ = {lam}")
        for y, style, lab in ((series, "C0-", "series"), (eq12, "C1--", "Eq. 12"), (eq26, "C2-.", "Eq. 26")):
            axe.loglog(eps, np.maximum(np.abs(y / exact - 1), 1e-16), style, label=lab)
        axe.axhline(1e-2, color="grey", lw=0.5, ls=":")
        axe.set_xlabel("ε")
    axes[0, 0].set_ylabel("Δt (GD steps)")
    axes[1, 0].set_ylabel("|approx / exact − 1|")
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].legend(fontsize=8)
    fig.suptitle("Grokking time: derived late-time series vs Levi Eqs. 12 and 26 (η = 0.01, d_out = 1, flow)")
    fig.tight_layout()
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES: dict[str, Callable[[bool], Any]] = {
    "late-time-error": fig_late_time_error,
    "grokking-time-approx": fig_grokking_time_approx,
}
