"""Figures for Beck, Levi & Bar-Sinai (arXiv 2410.04489), theory against simulation.

* ``beck-threshold``: exact P_sep(λ) (Wendel) for N = 40, 200, 4000 with the normal approximation
  and LP Monte Carlo frequencies (the λ_c = ½ threshold and its √(N−1)/(2N) width; Prop. 3.3);
* ``beck-norms``: the large-d σ‖S_∞‖ = r(λ) (λ < ½) and margin κ(λ) (λ > ½) against sampled data
  (Newton / NNLS per seed), with the two-point model's S_∞ for contrast (Prop. 3.4, Fig. 1 upper right);
* ``beck-fig9``: two-point model, √log(t*_gen/t*_tr) against −log(1 − 2λ): exact flow, the ε → 0
  limit and Eq. 41 (slope 1/√2) (Fig. 9);
* ``beck-fig3``: two-point model, time for the population accuracy to reach 0.95 (logistic flow)
  on a (σ, 1 − 2λ) grid: it diverges only when both σ → ∞ and λ → ½ (Fig. 3 right);
* ``beck-grokking``: real GD accuracies at λ = 0.3, 0.4, 0.45, 0.55 (σ = 5) with the late-time
  t_gen law and A_∞ (Fig. 1), and the divergence of the grokking time at λ_c: Beck's large-d
  σ → ∞ law against Levi's linear-regression Δt at λ → 1.

Every figure is ``(quick: bool = False) -> Figure``; quick uses fewer seeds/points (≲ 1 min).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from grok_theory.figures.reproduce import pyplot
from grok_theory.separability import counting, dynamics, margin
from grok_theory.separability.simulate import sample, simulate_logistic

__all__ = ["FIGURES"]


def fig_threshold(quick: bool = False):
    """Beck et al.: exact Wendel/Cover separability probability against λ = d/N (N = 40, 200, 4000), its
    normal approximation and an LP Monte Carlo; right: the approximation's error."""
    plt = pyplot()
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    rng = np.random.default_rng(0)
    for n, colour in ((40, "C0"), (200, "C1"), (4000, "C2")):
        ds = np.unique(np.linspace(max(1, n * 0.3), n * 0.7, 80).astype(int))
        p = np.array([float(counting.separability_probability(int(d), n)) for d in ds])
        ax[0].plot(ds / n, p, color=colour, label=f"N = {n} exact")
        ax[0].plot(ds / n, counting.separability_normal(ds, n), color=colour, ls=":", lw=1)
        ax[1].semilogy(ds / n, np.abs(counting.separability_normal(ds, n) / p - 1) + 1e-17, color=colour,
                       label=f"N = {n}")
    draws = 40 if quick else 300
    ds = np.arange(12, 29, 4)
    freq = [np.mean([counting.is_separable(rng.standard_normal((40, d))) for _ in range(draws)]) for d in ds]
    ax[0].errorbar(ds / 40, freq, yerr=[math.sqrt(max(f * (1 - f), 1 / draws) / draws) for f in freq], fmt="o",
                   color="C0", label=f"LP Monte Carlo, N = 40 ({draws} draws)")
    ax[0].axvline(0.5, color="grey", lw=0.5)
    ax[0].set(xlabel="λ = d/N", ylabel="P(separable from the origin)", title="Wendel/Cover: λ_c = ½ (dotted: normal approx.)")
    ax[0].legend(fontsize=8)
    ax[1].set(xlabel="λ = d/N", ylabel="|normal / exact − 1|", title="error of Φ((2d − N)/√(N−1))")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig_norms(quick: bool = False):
    """Beck et al.: σ‖S_∞‖ in the inseparable phase (large-d fixed point, two-point model, sampled data)
    and the max-margin in the separable phase (Gardner κ(λ) against NNLS)."""
    plt = pyplot()
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    lams = np.array([0.1, 0.3, 0.4, 0.45, 0.48, 0.49]) if quick else \
        np.array([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.43, 0.45, 0.47, 0.48, 0.49, 0.495, 0.498])
    r = np.array([margin.bias_free_limit(float(x)).norm for x in lams])
    ax[0].plot(lams, r, "k-", label="large d: r(λ) (fixed point)")
    ax[0].plot(lams, [dynamics.TwoPointModel(float(x)).s_inf() for x in lams], "C3--", label="two-point model S_∞ (σ = 1)")
    n, seeds = (100, 3) if quick else (400, 12)
    for lam in (0.2, 0.3, 0.4, 0.45):
        vals = []
        for s in range(seeds):
            x = sample(n, int(round(lam * n)), 1.0, s)
            if not counting.is_separable(x):
                vals.append(np.linalg.norm(margin.bias_free_minimum(x)[0]))
        ax[0].errorbar(lam, np.mean(vals), yerr=np.std(vals, ddof=1) / math.sqrt(len(vals)), fmt="o", color="C0",
                       label=f"sampled, N = {n}" if lam == 0.2 else None)
    ax[0].set(xlabel="λ", ylabel="σ‖S_∞‖", yscale="log", title="inseparable phase: ‖S_∞‖ diverges at λ → ½⁻")
    ax[0].legend(fontsize=8)
    lam_s = np.linspace(0.51, 0.9, 40)
    ax[1].plot(lam_s, margin.gardner_margin(lam_s), "k-", label="large d: Gardner κ(λ)")
    for lam in (0.55, 0.6, 0.7, 0.8):
        vals = [margin.max_margin(sample(n, int(round(lam * n)), 1.0, s)).margin for s in range(seeds)]
        ax[1].errorbar(lam, np.mean(vals), yerr=np.std(vals, ddof=1) / math.sqrt(seeds), fmt="o", color="C0",
                       label=f"NNLS max-margin, N = {n}" if lam == 0.55 else None)
    ax[1].set(xlabel="λ", ylabel="margin / σ", title="separable phase: max-margin from the origin")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig9(quick: bool = False):
    """Beck Fig. 9: √log(t*_gen/t*_tr) of the two-point model against −log(1 − 2λ): exact flow, its ε → 0
    limit and the printed Eq. 41."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    x = np.geomspace(1e-4, 1e-1, 6 if quick else 14)  # 1 − 2λ
    lams = (1 - x) / 2
    limit = [math.sqrt(dynamics.TwoPointModel(float(l)).log_ratio_limit()) for l in lams]
    ax.plot(-np.log(x), limit, "k-", label="ε → 0 limit √(σ²S_∞²/2 − log Z_∞)")
    ax.plot(-np.log(x), [math.sqrt(dynamics.TwoPointModel(float(l)).log_ratio_printed(41)) for l in lams], "C3--",
            label="Eq. 41: |log(1−2λ)|/√2")
    for sig, eps, mk in ((1.0, 1e-6, "s"), (1.0, 1e-20, "o"), (30.0, 1e-10, "x")):
        vals = []
        for l in lams:
            tt, tg = dynamics.TwoPointModel(float(l), sigma=sig).crossing_times(eps, t_max=1e60)
            vals.append(math.sqrt(math.log(tg / tt)))
        ax.plot(-np.log(x), vals, mk, mfc="none", label=f"exact flow, σ = {sig:g}, ε = {eps:g}")
    ax.set(xlabel="−log(1 − 2λ)", ylabel="√log(t*_gen / t*_tr)", title="two-point model, Fig. 9 (the limit is σ-independent; large σ reaches it)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig3_right(quick: bool = False):
    """Beck Fig. 3 (right): grokking time (A_gen = 0.95) of the two-point logistic flow over (1 − 2λ, σ)."""
    plt = pyplot()
    n = 6 if quick else 14
    sig = np.geomspace(1, 100, n)
    x = np.geomspace(1e-4, 0.5, n)  # 1 − 2λ
    grid = np.array([[dynamics.two_point_accuracy_time(dynamics.TwoPointModel((1 - xx) / 2, sigma=float(ss)))
                      for xx in x] for ss in sig])
    fig, ax = plt.subplots(figsize=(6.5, 5))
    im = ax.pcolormesh(x, sig, np.log10(grid), shading="nearest", cmap="viridis")
    fig.colorbar(im, ax=ax, label="log₁₀ t (A_gen = 0.95), η = 1")
    ax.set(xscale="log", yscale="log", xlabel="1 − 2λ", ylabel="σ",
           title="two-point model, logistic flow: grokking time (Fig. 3 right)")
    fig.tight_layout()
    return fig


def fig_grokking(quick: bool = False):
    """Beck et al.: logistic grokking by real GD near λ_c = ½ (N = 200, σ = 5) against the t_gen law and
    A_∞; critical slowing down, Beck vs Levi."""
    from grok_theory.linear.grokking import grokking_time
    from grok_theory.linear.model import TeacherStudent

    plt = pyplot()
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.5))
    seeds = range(2 if quick else 6)
    for lam, steps, colour in ((0.3, 4000, "C0"), (0.4, 8000 if quick else 20000, "C1"),
                               (0.45, 15000 if quick else 60000, "C2"), (0.55, 5000 if quick else 20000, "C3")):
        run = simulate_logistic(200, lam, sigma=5.0, lr=0.02, steps=steps, seeds=seeds)
        t = np.maximum(run.t, 1)
        ax[0].semilogx(t, run.mean("gen_acc"), color=colour, label=f"λ = {lam}: gen")
        ax[0].semilogx(t, run.mean("train_acc"), color=colour, ls=":", lw=1)
        ok = ~run.separable
        if ok.any():
            law = np.exp(dynamics.gaussian_log_grokking_time(run.s_inf_norm[ok], run.z_min[ok], run.lr))
            ax[0].axvline(np.mean(law), color=colour, ls="--", lw=0.8)
        if run.separable.any():
            a_inf = margin.limiting_accuracy(run.margin[run.separable], run.sigma)
            ax[0].axhline(np.mean(a_inf), color=colour, ls="-.", lw=0.8)
    ax[0].axhline(0.95, color="grey", lw=0.5)
    ax[0].set(xlabel="GD step", ylabel="accuracy", title="GD, N = 200, σ = 5, η = 0.02 (dotted: train; dashed: t_gen law; "
              "dash-dot: A_∞)")
    ax[0].title.set_fontsize(8)
    ax[0].legend(fontsize=8)
    delta = np.geomspace(2e-3, 0.2, 4 if quick else 12)
    beck = [math.log10(dynamics.gaussian_grokking_time(0.5 - dl, lr=0.01)) for dl in delta]
    ax[1].plot(2 * delta, beck, "k-o", ms=3, label="Beck (large d, σ → ∞): log₁₀ t_gen, x = 1 − 2λ")
    levi = [math.log10(grokking_time(TeacherStudent(1 - dl), 1e-3).delta) for dl in delta]
    ax[1].plot(delta, levi, "C0-s", ms=3, label="Levi (linear regression): log₁₀ Δt, x = 1 − λ")
    ax[1].set(xscale="log", xlabel="distance to λ_c", ylabel="log₁₀ time (η = 0.01)",
              title="critical slowing down: exp(c/√(1−2λ)) vs (1−√λ)⁻² log")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES: dict[str, Callable[[bool], object]] = {
    "beck-threshold": fig_threshold,
    "beck-norms": fig_norms,
    "beck-fig9": fig9,
    "beck-fig3": fig3_right,
    "beck-grokking": fig_grokking,
}
