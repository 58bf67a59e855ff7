"""The figures of Levi, Beck & Bar-Sinai (ICLR 2024), redrawn from the toolkit.

Every panel puts the exact theory (:class:`grok_theory.linear.model.TeacherStudent`, discrete GD at the
simulated λ = d_in/N_tr) against seed means of real full-batch GD
(:func:`grok_theory.linear.simulate.simulate_linear`; shaded bands = ±1 seed standard deviation).
Diamonds / stars mark where the theory's train / generalisation accuracy reaches 95 %.
Settings follow the captions (η = 0.01, d_in = 1000, ε = 1e-3; THEORY.md §3); where a caption
leaves a setting open, the choice is stated in the figure title and in docs/figures.md.

``quick=True`` shrinks d_in, the number of seeds and the grids so that each figure takes well
under a minute; ``quick=False`` uses the paper's sizes (Fig. 5 then trains 1000-d_h-5 networks
for 2·10⁴ steps: seconds for the linear networks, which GD runs in the eigenbasis of the sample
covariance, but about an hour per tanh seed at d_h = 200 on one core).

The simulation-heavy figures (1–5) take ``executor=`` (any :class:`concurrent.futures.Executor`):
their seeds, phase-diagram rows or networks are computed on it, with results identical to the
serial run. :func:`grok_theory.figures.reproduce.render` passes its executor into a figure when
it draws one figure, and draws figures in parallel (each serially) when it draws several.

matplotlib is imported inside the functions (optional ``plot`` extra).
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from grok_theory.linear import asymptotics
from grok_theory.simulation import Progress, log_steps
from grok_theory.linear.grokking import crossing_time, d_out_max, grokking_time, phase_diagram
from grok_theory.linear.model import TeacherStudent, accuracy_from_loss
from grok_theory.linear.late_time import grokking_time_approx
from grok_theory.figures.reproduce import pyplot
from grok_theory.linear.simulate import SimulationResult, simulate_chunked, simulate_linear
from grok_theory.linear.two_layer import kernel_theory, simulate_two_layer

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["FIGURES", "fig1", "fig2", "fig3", "fig4", "fig5", "fig6"]

LR, EPS, LEVEL = 0.01, 1e-3, 0.95
COLORS = ("tab:red", "tab:blue", "tab:purple")
#: the accuracy level of the markers; 95 % as in the captions (Fig. 4: A(t*) = 0.95)
MARK = dict(criterion="accuracy", level=LEVEL)


def _say(msg: str) -> None:
    print(f"  {msg}", file=sys.stderr, flush=True)


def _band(ax: Any, t: np.ndarray, values: np.ndarray, color: str, ls: str, label: str | None = None) -> None:
    """Seed mean (line) and ±1 seed standard deviation (band); t = 0 is drawn at t = 0.5 on log axes."""
    x = np.where(t > 0, t, 0.5)
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=1) if values.shape[0] > 1 else np.zeros_like(mean)
    ax.plot(x, mean, ls=ls, color=color, lw=2.4, label=label)
    ax.fill_between(x, np.maximum(mean - sd, mean * 1e-3 if ax.get_yscale() == "log" else -np.inf), mean + sd,
                    color=color, alpha=0.2, lw=0)


def _theory_lines(ax_loss: Any, ax_acc: Any | None, model: TeacherStudent, t: np.ndarray, eps: float) -> None:
    """Black theory curves: train dashed, generalisation solid, plus the 95 % markers."""
    x = np.where(t > 0, t, 0.5).astype(float)
    tr, ge = model.train_loss(t.astype(float)), model.gen_loss(t.astype(float))
    ax_loss.plot(x, tr, "k--", lw=0.8)
    ax_loss.plot(x, ge, "k-", lw=0.8)
    if ax_acc is not None:
        ax_acc.plot(x, accuracy_from_loss(tr, eps, model.d_out), "k--", lw=0.8)
        ax_acc.plot(x, accuracy_from_loss(ge, eps, model.d_out), "k-", lw=0.8)
    for which, marker in (("train", "D"), ("gen", "*")):
        ts = crossing_time(model, which, eps, **MARK)
        if not (0 < ts <= t.max()):
            continue
        curve = model.train_loss if which == "train" else model.gen_loss
        kw = dict(marker=marker, ms=8 if marker == "D" else 13, mfc="gold", mec="k", zorder=5, ls="none")
        ax_loss.plot([ts], [curve(ts)], **kw)
        if ax_acc is not None:
            ax_acc.plot([ts], [LEVEL], **kw)


def _curves_panels(axes: Sequence[Any], runs: Sequence[tuple[str, dict]], d_in: int, seeds: int, t: np.ndarray,
                   eps: float, n_test: int = 1000, executor: Executor | None = None) -> None:
    """Left: losses; centre: accuracies; each run = (label, model/simulation keyword arguments)."""
    ax_l, ax_a = axes
    ax_l.set(xscale="log", yscale="log")
    ax_a.set(xscale="log")
    for (label, kw), color in zip(runs, COLORS):
        _say(f"simulating {label} (d_in = {d_in}, {seeds} seeds)")
        sim = simulate_chunked(d_in, t, seeds=range(seeds), eps=eps, lr=LR, n_test=n_test, executor=executor, **kw)
        _band(ax_l, sim.t, sim.train_loss, color, "--")
        _band(ax_l, sim.t, sim.gen_loss_test, color, "-", label)
        _band(ax_a, sim.t, sim.train_accuracy, color, "--")
        _band(ax_a, sim.t, sim.test_accuracy, color, "-", label)
        model = TeacherStudent(sim.params["lam"], lr=LR, dynamics="gd", **{k: v for k, v in kw.items() if k != "lam"})
        _theory_lines(ax_l, ax_a, model, sim.t, eps)
    ax_l.set(xlabel="GD steps t", ylabel="loss", title="losses: train (dashed), gen. (solid)", ylim=(1e-9, 5))
    ax_a.set(xlabel="GD steps t", ylabel="accuracy", ylim=(-0.02, 1.02), title=f"accuracies (ε = {eps:g})")
    ax_l.legend(fontsize=8, loc="lower left")


def _finite_delta(model: TeacherStudent, eps: float, **kw: Any) -> float:
    """Δt, or NaN where it is infinite or beyond the range the quadrature resolves."""
    try:
        d = grokking_time(model, eps, **kw).delta
    except ValueError:
        return math.nan
    return d if math.isfinite(d) else math.nan


def _new_figure(ncols: int = 3, nrows: int = 1, title: str = "") -> tuple[Any, Any]:
    plt = pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.9 * nrows), layout="constrained")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig, axes


def fig1(quick: bool = False, executor: Executor | None = None) -> Any:
    """Levi Fig. 1: losses, accuracies and Δt as functions of λ (d_out = 1, γ = 0)."""
    d_in, seeds = (200, 4) if quick else (1000, 8)
    fig, ax = _new_figure(title=f"Levi et al. Fig. 1 — η = {LR}, d_in = {d_in}, d_out = 1, ε = {EPS:g}, {seeds} seeds"
                          + (" (quick)" if quick else ""))
    t = log_steps(1e5, 40 if quick else 64, include_zero=True)
    _curves_panels(ax[:2], [(f"λ = {lam}", dict(lam=lam)) for lam in (0.1, 0.9, 1.5)], d_in, seeds, t, EPS,
                   executor=executor)
    lams = np.linspace(0.02, 0.98, 25 if quick else 60)
    for eps, color in zip((1e-2, 1e-3, 1e-4, 1e-5), ("tab:orange", "tab:blue", "tab:green", "tab:brown")):
        # Levi's definition for d_out = 1: both losses reach eps/4 (accuracy erf(√2) ≈ 95.45 %)
        ax[2].plot(lams, [_finite_delta(TeacherStudent(lam, lr=LR), eps) for lam in lams], color=color, label=f"ε = {eps:g}")
    ax[2].plot(lams, [asymptotics.levi2024_eq12(lam, LR) for lam in lams], "k--", label="Eq. 12 (ε → 0)")
    ax[2].set(yscale="log", xlabel="λ = d_in / N_tr", ylabel="Δt (GD steps)", title="grokking time (L = ε/4, flow)")
    ax[2].legend(fontsize=8)
    return fig


def fig2(quick: bool = False, executor: Executor | None = None) -> Any:
    """Levi Fig. 2: the effect of the output dimension at λ = 0.9, and Δt(d_out) with its maximum."""
    d_in, seeds = (200, 3) if quick else (1000, 6)
    fig, ax = _new_figure(title=f"Levi et al. Fig. 2 — λ = 0.9, η = {LR}, d_in = {d_in}, ε = {EPS:g}, {seeds} seeds"
                          + (" (quick)" if quick else ""))
    t = log_steps(3e5, 36 if quick else 56, include_zero=True)
    _curves_panels(ax[:2], [(f"d_out = {d}", dict(lam=0.9, d_out=d)) for d in (1, 50, 700)], d_in, seeds, t, EPS,
                   n_test=400 if quick else 1000, executor=executor)
    d_grid = np.unique(np.round(np.geomspace(1, 1000, 22 if quick else 60)).astype(int))
    lams = (0.5, 0.9) if quick else (0.5, 0.7, 0.9, 0.95)
    for lam, color in zip(lams, ("tab:green", "tab:orange", "tab:blue", "tab:brown")):
        _say(f"Δt(d_out) at λ = {lam} and its maximum")

        def delta(d: int) -> float:
            return _finite_delta(TeacherStudent(lam, d_out=int(d), lr=LR), EPS, **MARK)

        deltas = np.array([delta(d) for d in d_grid])
        ax[2].plot(d_grid, deltas, color=color, label=f"λ = {lam}")
        if quick:  # integers between the grid neighbours of the grid maximum (Δt is unimodal in d_out)
            i = int(np.nanargmax(deltas))
            cand = range(int(d_grid[max(i - 1, 0)]), int(d_grid[min(i + 1, len(d_grid) - 1)]) + 1)
            d_best, delta_best = max(((d, delta(d)) for d in cand), key=lambda pair: pair[1])
        else:  # complete search over every d_out
            d_best, delta_best = d_out_max(lam, EPS, LR, executor=executor, **MARK)
        ax[2].plot([d_best], [delta_best], "o", color=color, mec="k")
        ax[2].annotate(f"{d_best}", (d_best, delta_best), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax[2].set(xscale="log", yscale="log", xlabel="d_out", ylabel="Δt (GD steps)",
              title="grokking time; ● = d_out_max" + (" (local search)" if quick else " (complete search)"))
    ax[2].legend(fontsize=8)
    return fig


def fig3(quick: bool = False, executor: Executor | None = None) -> Any:
    """Levi Fig. 3: the effect of weight decay at λ = 0.9, and Δt(γ) for several λ."""
    d_in, seeds = (200, 4) if quick else (1000, 8)
    fig, ax = _new_figure(title=f"Levi et al. Fig. 3 — λ = 0.9, η = {LR}, d_in = {d_in}, d_out = 1, ε = {EPS:g}, "
                          f"{seeds} seeds" + (" (quick)" if quick else ""))
    t = log_steps(1e5, 40 if quick else 64, include_zero=True)
    _curves_panels(ax[:2], [(f"γ = {g:g}", dict(lam=0.9, weight_decay=g)) for g in (1e-5, 1e-3, 1e-2)],
                   d_in, seeds, t, EPS, executor=executor)
    gammas = np.geomspace(1e-6, 1e-1, 18 if quick else 50)
    lams = (0.5, 0.9) if quick else (0.3, 0.5, 0.7, 0.9)
    for lam, color in zip(lams, ("tab:green", "tab:orange", "tab:blue", "tab:brown")):
        _say(f"Δt(γ) at λ = {lam}")
        deltas = np.array([_finite_delta(TeacherStudent(lam, lr=LR, weight_decay=g), EPS, **MARK) for g in gammas])
        ax[2].plot(gammas, deltas, color=color, label=f"λ = {lam}")
        never = np.flatnonzero(~np.isfinite(deltas))
        if never.size:  # generalisation saturates below 95 %: shade from the first such γ
            ax[2].axvspan(gammas[never[0]], gammas[-1], color="0.5", alpha=0.12, lw=0)
            ax[2].axvline(gammas[never[0]], color=color, lw=0.8, ls=":")
    ax[2].set(xscale="log", yscale="log", xlabel="weight decay γ", ylabel="Δt (GD steps)",
              title="grokking time; grey: gen. saturates below 95 %")
    ax[2].legend(fontsize=8)
    return fig


def phase_rows(x: tuple[str, Any], y: tuple[str, Any], base: TeacherStudent, progress: bool | None = None,
               executor: Executor | None = None) -> np.ndarray:
    """Δt of :func:`grok_theory.linear.grokking.phase_diagram` (A(t*) = 0.95, ε = EPS), one x value at a
    time so that a progress bar can report on long grids (or, with ``executor``, rows split across
    it); shape (len(x values), len(y values))."""
    if executor is not None:
        return np.asarray(phase_diagram(x, y, eps=EPS, base=base, executor=executor, **MARK).delta)
    name, values = x
    bar = Progress(len(values), progress, label="phase diagram", unit="rows")
    rows = []
    for v in values:
        rows.append(phase_diagram((name, [v]), y, eps=EPS, base=base, **MARK).delta[0])
        bar.step()
    return np.array(rows)


#: colour of the cells where generalisation never reaches the criterion (Fig. 4), outside the colour map
NEVER_COLOR = "0.55"


def _log_delta(delta: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(delta), np.log10(np.maximum(delta, 0) + 1), np.nan)


def _phase_panel(ax: Any, x: tuple[str, Any], y: tuple[str, Any], z: np.ndarray, norm: Any, xlabel: str,
                 ylabel: str, title: str) -> Any:
    """One Δt panel on the shared colour scale ``norm``; NaN cells (never groks) in :data:`NEVER_COLOR`."""
    plt = pyplot()
    cmap = plt.get_cmap("viridis").with_extremes(bad=NEVER_COLOR)
    mesh = ax.pcolormesh(np.asarray(x[1], dtype=float), np.asarray(y[1], dtype=float), np.ma.masked_invalid(z.T),
                         cmap=cmap, norm=norm, shading="nearest")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return mesh


def fig4(quick: bool = False, executor: Executor | None = None) -> Any:
    """Levi Fig. 4: phase diagrams of Δt over (γ, d_out), (γ, λ), (d_out, λ), on one colour scale."""
    n = 10 if quick else 40
    fig, ax = _new_figure(title=f"Levi et al. Fig. 4 — Δt at A(t*) = 0.95, η = {LR}, ε = {EPS:g}, {n}×{n} grid"
                          + (" (quick)" if quick else ""))
    gammas = np.geomspace(1e-6, 1e-1, n)
    d_outs = np.unique(np.round(np.geomspace(1, 300, n)).astype(int))
    lams = np.linspace(0.05, 1.5, n)
    base = TeacherStudent(0.9, lr=LR)
    panels = [
        (("weight_decay", gammas), ("d_out", d_outs), "weight decay γ", "d_out", "λ = 0.9"),
        (("weight_decay", gammas), ("lam", lams), "weight decay γ", "λ = d_in/N_tr", "d_out = 1"),
        (("d_out", d_outs), ("lam", lams), "d_out", "λ = d_in/N_tr", "γ = 0"),
    ]
    z = []
    for x, y, _, _, title in panels:
        _say(f"phase diagram ({x[0]}, {y[0]}) at {title}")
        z.append(_log_delta(phase_rows(x, y, base, executor=executor)))
    finite = np.concatenate([v[np.isfinite(v)] for v in z])
    plt = pyplot()
    norm = plt.Normalize(finite.min(), finite.max()) if finite.size else plt.Normalize(0, 1)
    for a, (x, y, xl, yl, title), zz in zip(ax, panels, z):
        mesh = _phase_panel(a, x, y, zz, norm, xl, yl, title)
    fig.colorbar(mesh, ax=list(ax), label="log₁₀(1 + Δt)  (one scale for all panels)", shrink=0.9)
    from matplotlib.patches import Patch

    ax[0].legend(handles=[Patch(color=NEVER_COLOR, label="never groks (A_gen < 95 %)")], loc="upper left",
                 bbox_to_anchor=(0, -0.16), fontsize=8, frameon=False)
    for a in ax[:2]:
        a.set_xscale("log")
    ax[0].set_yscale("log")
    ax[2].set_xscale("log")
    return fig


def fig5(quick: bool = False, executor: Executor | None = None) -> Any:
    """Levi Fig. 5: two-layer 1000-d_h-5 networks (linear and tanh) against the frozen-kernel theory (Eq. 19)."""
    if quick:
        d_in, seeds, lr, t_max, n_t = 100, 2, 0.2, 2000, 14
    else:
        d_in, seeds, lr, t_max, n_t = 1000, 3, LR, 20000, 24
    lam, d_out, eps = 0.5, 5, 1e-4
    fig, ax = _new_figure(2, 2, f"Levi et al. Fig. 5 — {d_in}-d_h-{d_out}, λ = {lam}, η = {lr}, ε = {eps:g}, "
                          f"{seeds} seeds" + (" (quick: smaller d_in, larger η)" if quick else "")
                          + "; black: frozen kernel (Eq. 19)")
    t = log_steps(t_max, n_t, include_zero=True)
    x = np.where(t > 0, t, 0.5)
    runs = {(act, d_h): dict(d_in=d_in, lam=lam, d_h=d_h, d_out=d_out, lr=lr, activation=act, t=t, eps=eps)
            for act in ("linear", "tanh") for d_h in (50, 200)}
    sims = _two_layer_runs(runs, seeds, executor)
    for row, act in enumerate(("linear", "tanh")):
        ax_l, ax_a = ax[row]
        ax_l.set(xscale="log", yscale="log")
        ax_a.set(xscale="log")
        for d_h, color in zip((50, 200), ("tab:blue", "tab:red")):
            sim = sims[act, d_h]
            _band(ax_l, t, sim.train_loss, color, "--")
            _band(ax_l, t, sim.gen_loss_test, color, "-", f"d_h = {d_h}")
            _band(ax_a, t, sim.train_accuracy, color, "--")
            _band(ax_a, t, sim.test_accuracy, color, "-", f"d_h = {d_h}")
            preds = [kernel_theory(sim.params["lam"], d_in, d_out, lr, t, sim.a0[i, 0], sim.a1[i, 0], sim.d0_norm2[i],
                                   sim.teacher_norm2[i], "frozen") for i in range(seeds)]
            for key, ls in (("train_loss", "--"), ("gen_loss", "-")):
                loss = np.mean([p[key] for p in preds], axis=0)
                ax_l.plot(x, loss, "k", ls=ls, lw=0.9)
                ax_a.plot(x, accuracy_from_loss(loss, eps, d_out), "k", ls=ls, lw=0.9)
        ax_l.set(xlabel="GD steps t", ylabel="loss", title=f"{act} hidden layer: losses")
        ax_a.set(xlabel="GD steps t", ylabel="accuracy", ylim=(-0.02, 1.02), title=f"{act} hidden layer: accuracies")
        ax_l.legend(fontsize=8, loc="lower left")
    return fig


def _two_layer_runs(runs: dict[Any, dict], seeds: int, executor: Executor | None) -> dict[Any, Any]:
    """:func:`simulate_two_layer` for every configuration in ``runs`` over ``range(seeds)``.

    Serially one configuration after the other; with an ``executor`` every (configuration, seed)
    is one task, all submitted at once, the costliest (largest d_h, tanh) first, and each
    configuration's seeds are joined in order (the same result as the serial run).
    """
    if executor is None:
        out = {}
        for key, kw in runs.items():
            _say(f"two-layer {kw['activation']}, d_h = {kw['d_h']}")
            out[key] = simulate_two_layer(seeds=range(seeds), **kw)
        return out
    from grok_theory.parallel import join_seed_results, limited_call

    def cost(key: Any) -> tuple[int, bool]:
        return runs[key]["d_h"], runs[key]["activation"] != "linear"

    order = sorted(runs, key=cost, reverse=True)
    _say(f"{len(runs) * seeds} two-layer runs on {type(executor).__name__}")
    futures = {(key, s): executor.submit(limited_call, simulate_two_layer, seeds=(s,), progress=False, **runs[key])
               for key in order for s in range(seeds)}
    return {key: join_seed_results([futures[key, s].result() for s in range(seeds)], [1] * seeds) for key in runs}


def fig6(quick: bool = False) -> Any:
    """Levi Fig. 6: exact losses against the late-time formulas (Eqs. 11, 22, 23) at λ = 0.9; Δt(ε) vs Eqs. 12, 24, 26."""
    lam = 0.9
    model = TeacherStudent(lam, lr=LR)
    fig, ax = _new_figure(title=f"Levi et al. Fig. 6 — λ = {lam}, η = {LR}, d_out = 1, gradient flow")
    t = np.geomspace(10, 1e6, 80 if quick else 300)
    exact_tr, exact_ge = np.exp(model.log_train_loss(t)), np.exp(model.log_gen_loss(t))
    approx = {
        "Eq. 22 (train)": np.array([asymptotics.levi2024_eq22(x, lam, LR) for x in t]),
        "Eq. 23 (gen)": np.array([asymptotics.levi2024_eq23(x, lam, LR) for x in t]),
        "Eq. 11 (gen)": np.array([asymptotics.levi2024_eq11_gen(x, lam, LR) for x in t]),
    }
    styles = {"Eq. 22 (train)": ("tab:red", "--"), "Eq. 23 (gen)": ("tab:blue", "--"), "Eq. 11 (gen)": ("tab:blue", "-.")}
    ax[0].plot(t, exact_tr, color="pink", lw=4, label="exact train (Eq. 8)")
    ax[0].plot(t, exact_ge, color="lightblue", lw=4, label="exact gen (Eq. 8)")
    for name, vals in approx.items():
        color, ls = styles[name]
        ax[0].plot(t, np.where(vals > 0, vals, np.nan), color=color, ls=ls, label=name)
        ref = exact_tr if "train" in name else exact_ge
        ax[1].plot(t, np.abs(vals / ref - 1), color=color, ls=ls, label=name)
    ax[0].set(xscale="log", yscale="log", xlabel="GD steps t", ylabel="loss", title="losses at late times")
    # readable range: down to 1e-12 (Levi's ε range), over the times the losses take to get there
    floor = 1e-12
    t_end = t[np.argmax(exact_ge < floor)] if np.any(exact_ge < floor) else t[-1]
    ax[0].set(ylim=(floor, 2), xlim=(t[0], t_end))
    ax[0].legend(fontsize=7)
    ax[1].set(xscale="log", yscale="log", xlabel="GD steps t", ylabel="|approx / exact − 1|", title="relative error")
    ax[1].legend(fontsize=7)
    eps_grid = np.geomspace(1e-12, 1e-2, 12 if quick else 40)
    exact = [grokking_time(model, e).delta for e in eps_grid]
    ax[2].plot(eps_grid, exact, color="k", lw=2.5, label="exact (L = ε/4)")
    ax[2].plot(eps_grid, [asymptotics.levi2024_eq24_gen(e, lam, LR) - asymptotics.levi2024_eq24_train(e, lam, LR)
                          for e in eps_grid], "tab:orange", ls="--", label="Eq. 24 (Lambert W)")
    ax[2].plot(eps_grid, [asymptotics.levi2024_eq26(e, lam, LR) for e in eps_grid], "tab:green", ls="-.", label="Eq. 26")
    ax[2].axhline(asymptotics.levi2024_eq12(lam, LR), color="tab:red", ls=":", label="Eq. 12 (ε → 0)")
    ax[2].plot(eps_grid, grokking_time_approx(lam, eps_grid, LR), "tab:purple", ls="--",
               label="late-time series root (grok_theory.linear.late_time)")
    ax[2].set(xscale="log", yscale="log", xlabel="ε", ylabel="Δt (GD steps)", title="grokking time vs ε")
    ax[2].legend(fontsize=7)
    return fig


#: the figures of this module, for ``grok-theory reproduce``
FIGURES: dict[str, Callable[[bool], Any]] = {
    "fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4, "fig5": fig5, "fig6": fig6,
}
