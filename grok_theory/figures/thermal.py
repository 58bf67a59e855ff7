"""Figures for thermal noise (Jules et al. 2023) in the solvable models (``grok-theory reproduce thermal-…``).

* ``thermal-curves``: mean ± one thermal standard deviation of the train and generalisation losses under
  SGLD / Langevin flow (:class:`~grok_theory.thermal.langevin.LangevinTeacherStudent`) against real runs
  on sampled data (:func:`~grok_theory.thermal.simulate.simulate_langevin`).
* ``thermal-dimension``: the effective dimension read from the fluctuations, D_var = 2 Var L/T² and
  D_mean = 2⟨ΔL⟩/T, against T — linear model (flat at d_out·rank without weight decay; the ridge
  spectrum plus a 1/T drift part with it) and the exponential-wall loss model (counts the points
  near the boundary; curvature ⟨L⟩ grows with T; Var/(T⟨ΔL⟩) ≈ 1), with simulations.
* ``thermal-grokking``: train and generalisation crossing times of the mean losses and their gap
  against T, with the critical temperatures.

The paper's own figures (a fully connected network on random data) were not read; these are the
solvable-model counterparts of its claims. matplotlib is imported lazily (the ``plot`` extra).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from grok_theory.figures.reproduce import pyplot
from grok_theory.simulation import log_steps

__all__ = ["FIGURES", "curves_figure", "dimension_figure", "grokking_figure"]


def curves_figure(quick: bool = False) -> Any:
    """⟨L⟩ ± √Var L against t: theory (exact MP) and real SGLD / Langevin-flow runs."""
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.thermal.langevin import LangevinTeacherStudent
    from grok_theory.thermal.simulate import simulate_langevin

    plt = pyplot()
    d_in, seeds, reps = (30, range(3), 4) if quick else (80, range(12), 10)
    temp = 2e-3
    panels = [("gd", 0.3, dict(lr=0.1, weight_decay=0.02, label_noise=0.3), "SGLD, λ = 0.3, γ = 0.02, σ = 0.3"),
              ("flow", 2.0, dict(lr=0.1), "Langevin flow, λ = 2, γ = 0: null-space diffusion")]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), constrained_layout=True)
    for ax, (dyn, lam, kw, title) in zip(axes, panels):
        t_sim = log_steps(3000, 5 if quick else 8)
        t_sim = t_sim[t_sim > 0]
        sim = simulate_langevin(d_in, lam, temp, t_sim, seeds=seeds, replicas=reps, dynamics=dyn, progress=False, **kw)
        m = LangevinTeacherStudent(TeacherStudent(sim.params["lam"], dynamics=dyn, **kw), temp, d_in)
        grid = np.unique(np.round(np.logspace(0, math.log10(3000), 20 if quick else 60)))
        for which, color in (("train", "C0"), ("gen", "C3")):
            mean = m.train_loss_mean(grid) if which == "train" else m.gen_loss_mean(grid)
            sd = np.sqrt(m.train_loss_var(grid) if which == "train" else m.gen_loss_var(grid))
            ax.plot(grid, mean, color=color, label=f"⟨L_{which}⟩ (theory)")
            ax.fill_between(grid, mean - sd, mean + sd, color=color, alpha=0.2, lw=0)
            ax.errorbar(t_sim, sim.mean(f"{which}_mean"), np.sqrt(sim.mean(f"{which}_var")), fmt="o", ms=4, color=color,
                        capsize=2, label=f"SGLD runs ± thermal sd, d_in={d_in}, {len(sim.seeds)}×{reps}")
            zero = m.model.train_loss(grid) if which == "train" else m.model.gen_loss(grid)
            ax.plot(grid, zero, color=color, ls=":", lw=1, label=f"L_{which} at T = 0")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("t (steps)")
        ax.set_ylabel("loss")
        ax.set_title(title, fontsize=10)
    axes[1].set_ylim(1e-4, None)  # the T = 0 train loss of λ > 1 interpolates (→ 0 geometrically)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Thermal noise in the linear teacher–student model, T = {temp:g}: mean ± one thermal standard deviation")
    return fig


def dimension_figure(quick: bool = False) -> Any:
    """Effective dimension from the fluctuations against T: linear model and the exponential wall."""
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.thermal import fluctuation as fl
    from grok_theory.thermal.langevin import LangevinTeacherStudent
    from grok_theory.thermal.simplified_loss import ExponentialWall, simulate_wall
    from grok_theory.thermal.simulate import simulate_langevin

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), constrained_layout=True)
    temps = np.logspace(-6, -1, 10 if quick else 30)
    d_in = 60
    ax = axes[0]
    for wd, color in ((0.0, "C0"), (0.1, "C3")):
        for lam, ls in ((0.5, "-"), (2.0, "--")):
            base = TeacherStudent(lam, lr=0.01, weight_decay=wd, label_noise=0.3)
            dv = [fl.stationary_dimension(LangevinTeacherStudent(base, T, d_in)) for T in temps]
            ax.plot(temps, dv, color=color, ls=ls, label=f"D_var, λ={lam}, γ={wd}")
            if wd > 0:
                ax.axhline(fl.ridge_dimensions(LangevinTeacherStudent(base, 1.0, d_in))[1], color=color, ls=ls, lw=0.7)
    # simulation: stationary SGLD (λ = 2, γ = 0): D_var per seed
    sim_t = [1e-4, 1e-3, 1e-2] if not quick else [1e-3]
    for T in sim_t:
        r = simulate_langevin(d_in, 2.0, T, [20000], seeds=range(3 if quick else 8), replicas=6 if quick else 8, lr=0.01,
                              label_noise=0.3, progress=False)
        est = 2 * r.train_var[:, 0] / T**2
        ax.errorbar([T], [est.mean()], [est.std(ddof=1) / math.sqrt(len(est))], fmt="ko", ms=4)
    ax.plot([], [], "ko", label="SGLD runs, λ=2, γ=0 (d_in=60)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("D_var = 2 Var L_tr / T²")
    ax.set_title("linear model: d_out·rank (γ = 0); ridge + 1/T drift (γ > 0)", fontsize=9)
    ax.legend(fontsize=7)

    # exponential wall with random-data-like caps: margins |z|·κ of n points
    rng = np.random.default_rng(0)
    caps = np.abs(rng.standard_normal(40)) * 4.0
    wall = ExponentialWall(caps)
    tw = np.logspace(-5, 1, 60)
    st = [wall.statistics(T) for T in tw]
    ax = axes[1]
    ax.plot(tw, [s["d_var"] for s in st], color="C0", label="D_var (exact)")
    ax.plot(tw, [s["d_mean"] for s in st], color="C2", ls="--", label="D_mean (exact)")
    ax.step(tw, [2 * wall.near_boundary_count(T) for T in tw], color="k", lw=0.8, where="mid",
            label="2 × #{points with e^{−M_i} ≥ T}")
    # walkers start at their caps and must diffuse a distance ~ M_i + ln T: a relaxation time ~ M²/T, so the
    # runs are made only where they equilibrate within the budget (T ≥ 1 for caps up to ≈ 10)
    ws = [1.0, 3.0] if not quick else [3.0]
    for T in ws:
        s = simulate_wall(caps, T, lr=1e-2, steps=2000 if quick else 20000, walkers=50 if quick else 100, seeds=range(3))
        dv = 2 * s.var_loss / T**2
        ax.errorbar([T], [dv.mean()], [dv.std(ddof=1) / math.sqrt(len(dv))], fmt="ko", ms=4)
    ax.plot([], [], "ko", label="Langevin runs (reflected EM, T ≥ 1)")
    ax.set_xscale("log")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("effective dimension")
    ax.set_title("exponential wall, 40 random caps: D counts the points near the boundary", fontsize=9)
    ax.legend(fontsize=7)

    ax = axes[2]
    ax.plot(tw, [s["curvature"] for s in st], color="C3", label="⟨Σ ∂²ℓ/∂u²⟩ = ⟨L⟩ sampled at T")
    ax.axhline(wall.quadratic_curvature(), color="C3", ls=":", label="curvature at the minimum (quadratic model)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("curvature")
    ax2 = ax.twinx()
    ax2.plot(tw, [s["q"] for s in st], color="C4", label="Var/(T⟨ΔL⟩) (= 1 for any quadratic well)")
    ax2.set_ylim(0.5, 1.1)
    ax2.set_ylabel("Var/(T⟨ΔL⟩)")
    ax.legend(fontsize=7, loc="upper left")
    ax2.legend(fontsize=7, loc="lower right")
    ax.set_title("higher curvature at higher T, quadratic-like statistics at each T", fontsize=9)
    fig.suptitle("Fluctuation dimension (Jules et al. 2023's estimator) in the solvable models")
    return fig


def grokking_figure(quick: bool = False) -> Any:
    """Crossing times of the mean losses and their gap against T (λ = 1/2, ε = 1e-3, d_in = 100)."""
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.thermal import fluctuation as fl
    from grok_theory.thermal.langevin import LangevinTeacherStudent

    plt = pyplot()
    base, d_in, eps = TeacherStudent(0.5, lr=0.01), 100, 1e-3
    tc = fl.critical_temperatures(LangevinTeacherStudent(base, 1.0, d_in), eps)
    temps = np.concatenate([[0.0], np.logspace(-10, math.log10(tc["train"]) - 1e-3, 6 if quick else 40)])
    rows = [fl.grokking_time(LangevinTeacherStudent(base, T, d_in), eps, t_max=1e5) for T in temps]
    fig, ax = plt.subplots(figsize=(7, 4.4), constrained_layout=True)
    x = np.where(temps > 0, temps, 1e-11)
    ax.plot(x, [r["t_train"] for r in rows], "C0-", label="t_train: ⟨L_tr⟩ = ε/4")
    ax.plot(x, [r["t_gen"] for r in rows], "C3-", label="t_gen: ⟨L_gen⟩ = ε/4")
    ax.plot(x, [r["delta"] for r in rows], "k--", label="Δt = t_gen − t_train")
    ax.axvline(tc["gen"], color="C3", ls=":", label=f"T_c,gen = ε(1−λ)/(2 d_in) = {tc['gen']:.3g}")
    ax.axvline(tc["train"], color="C0", ls=":", label=f"T_c,train = ε/(2 d_in) = {tc['train']:.3g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("temperature T (leftmost point: T = 0)")
    ax.set_ylabel("steps")
    ax.set_title("Langevin flow, λ = 1/2, η = 0.01, ε = 1e-3, d_in = 100: noise delays, then prevents, grokking",
                 fontsize=9)
    ax.legend(fontsize=7)
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES = {"thermal-curves": curves_figure, "thermal-dimension": dimension_figure, "thermal-grokking": grokking_figure}
