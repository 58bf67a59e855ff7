"""Figures for Omnigrok's mechanisms in the linear model (``grok-theory reproduce omnigrok-lu|omnigrok-time``).

* ``omnigrok-lu``: the reduced train (L) and test (U) losses against the squared weight norm, theory
  (:mod:`grok_theory.linear.landscape`) and the exact constrained minimiser of sampled data
  (:func:`~grok_theory.linear.landscape.sample_landscape`), for λ = 2 (with and without label noise) and
  λ = 1/2 (both curves U-shaped).
* ``tanhuang-schedule``: null-space norm under weight decay, constant input noise and Tan–Huang's
  adaptive schedule (:mod:`grok_theory.linear.robustness`), theory and real noisy GD.
* ``omnigrok-time``: generalisation time after large initialisation (:mod:`grok_theory.linear.large_init`)
  against α for several γ, and against γ together with the γ-independent train time; exact MP
  times, the null-space law, and real GD (:func:`~grok_theory.linear.simulate.simulate_linear`).

matplotlib is imported lazily (the ``plot`` extra).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grok_theory.figures.reproduce import pyplot
from grok_theory.simulation import log_steps

__all__ = ["FIGURES", "lu_figure", "time_figure"]


def lu_figure(quick: bool = False) -> Any:
    """Omnigrok Fig. 1/2a in the linear model: L-shaped reduced train loss, U-shaped test loss."""
    from grok_theory.linear.landscape import ReducedLandscape, sample_landscape

    plt = pyplot()
    d_in, seeds = (200, range(4)) if quick else (400, range(12))
    panels = [(2.0, 0.0, "λ = 2 (d_in > N), σ = 0"), (2.0, 0.3, "λ = 2, label noise σ = 0.3"),
              (0.5, 0.0, "λ = 1/2 (N > d_in): double U")]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), constrained_layout=True)
    for ax, (lam, sigma, title) in zip(axes, panels):
        land = ReducedLandscape(lam, teacher_scale=2**0.5, label_noise=sigma)  # r² = 1
        knee = land.knee()
        hi = 3.0 * knee.norm2
        grid = np.linspace(0.02, hi, 160)
        th = land.at_norm(grid)
        ax.plot(grid, th.train, color="C0", label="train (theory)")
        ax.plot(grid, th.gen, color="C3", label="test (theory)")
        pts = np.linspace(0.1, hi * 0.95, 7)
        sim = sample_landscape(d_in, lam, pts, seeds=seeds, teacher_scale=2**0.5, label_noise=sigma)
        ax.errorbar(pts, sim.mean("train"), sim.sem("train"), fmt="o", color="C0", ms=4,
                    label=f"train: sampled exact minimiser, d_in = {d_in}")
        ax.errorbar(pts, sim.mean("gen"), sim.sem("gen"), fmt="s", color="C3", ms=4, label="test: sampled exact minimiser")
        ax.axvline(knee.norm2, color="gray", ls=":", lw=1, label="knee: min-norm / least-squares solution")
        gold = land.goldilocks()
        ax.plot([gold.norm2], [gold.gen], marker="*", color="k", ms=12, ls="none", label="Goldilocks (test min)")
        ax.set_xlabel("‖S‖²_F (fixed norm)")
        ax.set_ylabel("reduced loss")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.set_title(title)
    # the key below the panels, where it covers no data
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=6, fontsize=8, frameon=False)
    fig.suptitle("Omnigrok's LU mechanism, exact in the linear teacher–student model "
                 f"(points: seed mean ± SEM of {len(seeds)} sampled data sets)")
    return fig


def time_figure(quick: bool = False) -> Any:
    """Omnigrok Fig. 2c in the linear model: t_gen ∝ ln α / (ηγ), train time independent of γ."""
    from grok_theory.linear import large_init as li
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.linear.simulate import first_crossing, simulate_linear

    plt = pyplot()
    delta, lr, lam = 0.05, 0.05, 2.0
    base = TeacherStudent(lam, lr=lr, weight_decay=1e-2, init_scale=10.0, dynamics="gd")
    d_in, seeds = (200, range(4)) if quick else (400, range(8))

    def sim_tgen(model):
        tg = li.generalisation_time(model, delta)
        grid = log_steps(3 * tg, 300)
        r = simulate_linear(d_in, lam=lam, lr=model.lr, weight_decay=model.weight_decay, init_scale=model.init_scale,
                            t=np.append(grid, 10**9), seeds=seeds, progress=False, n_test=10)
        tc = first_crossing(grid, r.gen_loss[:, :-1] - r.gen_loss[:, -1:], delta, rising=False)
        tr = first_crossing(grid, r.train_loss[:, :-1], 1e-3 / 4, rising=False)
        return tc.mean(), tc.std(ddof=1) / np.sqrt(len(tc)), tr.mean()

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4), constrained_layout=True)
    alphas = np.geomspace(1, 100, 9 if quick else 25)
    for i, g in enumerate((3e-3, 1e-2, 3e-2)):
        m = replace(base, weight_decay=g)
        exact = [li.generalisation_time(replace(m, init_scale=a), delta) for a in alphas]
        law = [li.generalisation_time_law(replace(m, init_scale=a), delta) for a in alphas]
        ax1.plot(alphas, exact, color=f"C{i}", label=f"γ = {g:g}: exact (MP)")
        ax1.plot(alphas, law, color=f"C{i}", ls="--", lw=1, label="null-space law (Omnigrok)" if i == 0 else None)
    sim_alphas = (3.0, 10.0, 30.0) if not quick else (10.0,)
    for k, a in enumerate(sim_alphas):
        mean, sem, _ = sim_tgen(replace(base, init_scale=a))
        ax1.errorbar([a], [mean], [sem], fmt="o", color="C1", ms=5,
                     label=f"real GD, γ = 0.01 (seed mean ± SEM, d_in = {d_in})" if k == 0 else None)
    ax1.set_xscale("log")
    ax1.set_xlabel("initialisation scale α")
    ax1.set_ylabel(f"t_gen (steps): L_gen − L_gen(∞) ≤ {delta}")
    ax1.set_title("t_gen vs α", fontsize=10)
    ax1.legend(fontsize=8)

    gammas = np.geomspace(1e-3, 1e-1, 9 if quick else 25)
    to = li.trade_off(base, gammas, delta=delta, eps=1e-3)
    ax2.plot(gammas, to.t_gen, color="C3", label="t_gen (exact)")
    ax2.plot(gammas, [li.generalisation_time_law(replace(base, weight_decay=g), delta) for g in gammas], color="C3", ls="--",
             lw=1, label="ln(w₀/w_c)/(−ln(1−ηγ)) (Omnigrok, lr restored)")
    ax2.plot(gammas, to.t_train, color="C0", label="t_train: L_tr ≤ ε/4 (exact)")
    for k, g in enumerate((3e-3, 3e-2) if not quick else (3e-2,)):
        mean, sem, tr = sim_tgen(replace(base, weight_decay=g))
        ax2.errorbar([g], [mean], [sem], fmt="o", color="C3", ms=5, label="t_gen, real GD (mean ± SEM)" if k == 0 else None)
        ax2.plot([g], [tr], "o", color="C0", ms=5, label="t_train, real GD" if k == 0 else None)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("weight decay γ")
    ax2.set_ylabel("steps")
    ax3 = ax2.twinx()
    ax3.plot(gammas, to.gen_limit, color="gray", ls=":", label="L_gen(∞) (ridge μ = γ/2)")
    ax3.set_ylabel("plateau L_gen(∞)", color="gray")
    ax2.set_title("t_gen ∝ 1/γ, t_train flat, plateau rises (α = 10)", fontsize=10)
    # both y axes in one key, below the panel where it covers no data
    handles = ax2.get_legend_handles_labels()[0] + ax3.get_legend_handles_labels()[0]
    ax2.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.suptitle(f"Large-initialisation grokking in the linear model (λ = {lam}, η = {lr}, d_out = 1; dots: real GD, d_in = {d_in})")
    return fig


def schedule_figure(quick: bool = False) -> Any:
    """Tan–Huang in the linear model: null-space norm under weight decay, constant input noise and
    the adaptive schedule (theory and real noisy GD)."""
    from grok_theory.linear import large_init as li
    from grok_theory.linear import robustness as rb
    from grok_theory.linear.model import TeacherStudent

    plt = pyplot()
    seeds = range(3) if quick else range(8)
    base = TeacherStudent(2.0, lr=0.05, weight_decay=0.01, init_scale=10.0, dynamics="gd")
    t = log_steps(3000 if quick else 8000, 80)
    tt = t.astype(float)
    fig, ax = plt.subplots(figsize=(7.5, 4.6), constrained_layout=True)
    runs = [("weight decay γ = 0.01", dict(input_noise=0.0), li.null_norm2(base, tt), "C0"),
            ("+ input noise σ = 0.2 (γ_eff = γ + 2σ²)", dict(input_noise=0.2),
             li.null_norm2(rb.with_input_noise(base, 0.2), tt) + rb.null_noise_variance(base, 0.2, t), "C2")]
    for label, kw, theory, col in runs:
        r = rb.simulate_input_noise(100, 2.0, t=t, lr=0.05, weight_decay=0.01, init_scale=10.0, seeds=seeds, **kw)
        ax.plot(tt, theory, color=col, label=f"{label}: theory")
        ax.plot(tt, r.mean("null_norm2"), "o", color=col, ms=3)
    r = rb.simulate_input_noise(100, 2.0, 0.0, t, lr=0.05, weight_decay=0.01, init_scale=10.0, seeds=seeds,
                                schedule=(0.5, 0.1, 1e-3))
    mf = rb.schedule_mean_field(base, 0.5, 0.1, 1e-3, int(t.max()), fluctuations=True)
    ax.plot(mf.t[1:], mf.null_norm2[1:], color="C3", label="Tan–Huang schedule (λ₁=0.5, λ₂=0.1): mean field + fluctuations")
    ax.plot(tt, r.mean("null_norm2"), "o", color="C3", ms=3)
    from grok_theory.linear.landscape import ReducedLandscape

    s_star = rb.schedule_fixed_points(base, 0.5, 0.1, 1e-3)[0]
    ridge = ReducedLandscape(2.0).at_multiplier(base.weight_decay / 2 + s_star**2)
    floor = rb.null_noise_floor(base, s_star, rb.stationary_train_loss(base, s_star), ridge.norm2)
    ax.axhline(floor, color="C3", ls="--", lw=1, label=f"schedule: null noise floor at σ* = {s_star:.3f}")
    mf0 = rb.schedule_mean_field(base, 0.5, 0.1, 1e-3, int(t.max()))
    ax.plot(mf0.t[1:], mf0.null_norm2[1:], color="C3", ls=":", label="schedule: noise-free mean field")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 100)
    ax.set_xlabel("GD steps")
    ax.set_ylabel("‖P_null S‖²  (excess test loss)")
    ax.set_title(f"Input noise is weight decay; the adaptive schedule is trapped at σ* ≈ {s_star:.2f} "
                 "(dots: real GD, d_in = 100)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES = {"omnigrok-lu": lu_figure, "omnigrok-time": time_figure, "tanhuang-schedule": schedule_figure}
