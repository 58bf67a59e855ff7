"""Figures for Lyu et al. (2024): Fig. 1a (grokking), Fig. 1b (misgrokking), Fig. 3 (matrix completion)
and the transition-law collapse, with the exact theory overlaid.

Every figure is ``(quick: bool = False) -> matplotlib.figure.Figure``; ``quick=True`` uses a reduced size
(d = 2000 for Fig. 1a, 30 000 for Fig. 1b, d = 40 with 15% observed for Fig. 3) and runs in well under a minute, ``quick=False`` the
paper's scale (d = 10⁵ for Fig. 1, d = 97 with 5% observed for Fig. 3; minutes). Dynamics: exact gradient flow,
plotted against GD steps = t/lr at the paper's learning rates (the theory is gradient flow; the
paper's GD at these rates follows it closely). Weight decay is written γ in the figure text, as in Levi et al.
(Lyu et al. call it λ; in this toolkit λ = d_in/N_tr).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grok_theory.dichotomy import diagonal_net as dn
from grok_theory.dichotomy import transition as dc
from grok_theory.dichotomy import matrix_completion as mc
from grok_theory.figures.reproduce import pyplot
from grok_theory.simulation import log_steps

__all__ = ["FIGURES", "MISGROK_GAMMA", "fig1a_data", "fig1b_data", "fig3_data", "transition_data"]

#: the separation of Lyu's misgrokking distribution (their γ; Fig. 1b)
MISGROK_GAMMA = 25.0


def fig1a_data(quick: bool = False, seed: int = 0) -> dict:
    """Sparse linear classification (n = 256, k = 3, ‖θ(0)‖ = 128, γ = 10⁻³, lr 0.01, logistic loss)."""
    n, d, k, lr, lam = 256, (2000 if quick else 100_000), 3, 0.01, 1e-3
    X, y, w_star = dc.sparse_classification_data(n, d, k, seed)
    alpha = dn.init_scale_from_norm(128.0, d)
    steps = log_steps(2e6, 80)
    tr = dn.gradient_flow(X, y, "logistic", alpha, lam, lr * steps, method="RK45", rtol=1e-6)
    margins = np.abs(X[:, :k] @ w_star[:k]) / k
    return dict(steps=steps, train_acc=(np.sign(tr.predict(X)) == y).mean(1), test_acc=dc.sparse_test_accuracy(tr.w, w_star, k),
                train_loss=dn.loss_value("logistic", tr.predict(X), y).mean(1), norm=tr.norm,
                norm_kernel=128.0 * np.exp(-lam * lr * steps), norm_rich=dc.rich_norm_sparse_classification(lam, margins),
                d=d, lr=lr, weight_decay=lam)


def fig1b_data(quick: bool = False, seed: int = 0) -> dict:
    """Misgrokking (n = 32, separation :data:`MISGROK_GAMMA` = 25, ‖θ(0)‖ = 128, γ = 10⁻³, lr 0.01, logistic loss)."""
    n, d, lr, lam = 32, (30_000 if quick else 100_000), 0.01, 1e-3  # quick: d = 30 000, a reduced size chosen for run time
    X, y, w_star = dc.misgrokking_data(n, d, MISGROK_GAMMA, seed)
    alpha = dn.init_scale_from_norm(128.0, d)
    steps = log_steps(2e7, 80)
    tr = dn.gradient_flow(X, y, "logistic", alpha, lam, lr * steps, method="RK45", rtol=1e-6)
    w1 = dn.max_l1_margin(X, y)
    m1 = y * (X @ w1)
    return dict(steps=steps, train_acc=(np.sign(tr.predict(X)) == y).mean(1),
                test_acc=dc.misgrokking_test_accuracy(tr.w, w_star, MISGROK_GAMMA),
                train_loss=dn.loss_value("logistic", tr.predict(X), y).mean(1), norm=tr.norm,
                norm_kernel=128.0 * np.exp(-lam * lr * steps), norm_rich=dc.rich_norm_sparse_classification(lam, m1),
                acc_l2=float(dc.misgrokking_test_accuracy(dn.max_l2_margin(X, y), w_star, MISGROK_GAMMA)[0]),
                acc_l1=float(dc.misgrokking_test_accuracy(w1, w_star, MISGROK_GAMMA)[0]), d=d, lr=lr, weight_decay=lam)


def fig3_data(quick: bool = False, seed: int = 1) -> dict:
    """Matrix completion of the multiplication table (α = 10, γ = 10⁻⁴, lr 0.1; 5% observed at d = 97, 15% at d = 40 if quick)."""
    d, lr, lam, alpha = (40 if quick else 97), 0.1, 1e-4, 10.0
    prob = mc.multiplication_problem(d, 0.05 if not quick else 0.15, seed)
    steps = log_steps(2e6, 60, include_zero=True)
    tr = mc.gradient_flow(prob, alpha, lam, lr * steps)
    W_rich = mc.nuclear_norm_completion(prob, lam, iterations=3000)
    return dict(steps=steps, train_loss=tr.train_loss, test_loss=tr.test_loss, norm=tr.norm,
                norm_kernel=alpha * np.sqrt(2 * d) * np.exp(-lam * lr * steps), plateau=mc.plateau_test_mse(prob),
                rich_test=float(prob.test_loss(W_rich)), rich_norm=float(np.sqrt(np.abs(np.linalg.eigvalsh(W_rich)).sum())),
                d=d, n=prob.n, lr=lr, weight_decay=lam)


def transition_data(quick: bool = False, seed: int = 1) -> dict:
    """Progress φ(s) of direct gradient flows at several (α, γ) against the γ → 0 limit flow."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, 16))
    w_star = np.zeros(16)
    w_star[[1, 6]] = [1.0, -0.7]
    y = X @ w_star
    flow = dc.reweighted_flow(X, y)
    grid = np.linspace(-3.0, 8.0, 441)
    runs = {}
    pairs = [(10.0, 1e-2), (1e4, 1e-2), (10.0, 1e-3), (1e4, 1e-3)] if quick else \
        [(a, lam) for lam in (1e-2, 1e-3, 1e-4) for a in (10.0, 1e3, 1e6)]
    for a, lam in pairs:
        ok = grid + np.log(a) >= 0
        tr = dn.gradient_flow(X, y, "squared", a, lam, (grid[ok] + np.log(a)) / lam)
        ph = np.full(grid.shape, np.nan)
        ph[ok] = dc.progress(tr.w, flow.w_kernel, flow.w_rich)
        runs[(a, lam)] = ph
    return dict(s=grid, limit=flow.progress(grid), runs=runs, s_star=flow.crossing(0.5), width=flow.width())


def _classification_figure(plt, data: dict, title: str, extra: Callable | None = None):
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.4, 7.0), sharex=True, layout="constrained")
    ax1.semilogx(data["steps"], 100 * data["train_acc"], label="train")
    ax1.semilogx(data["steps"], 100 * data["test_acc"], label="test")
    ax1.set_ylabel("accuracy (%)")
    ax1.set_ylim(40, 102)
    if extra:
        extra(ax1)
    ax1.legend(loc="lower left")
    ax1.set_title(title)
    ax2.loglog(data["steps"], data["train_loss"], color="C0", label="train loss")
    ax2.set_ylabel("train loss")
    ax2.set_xlabel("GD steps (= t / lr, gradient flow)")
    ax3 = ax2.twinx()
    ax3.loglog(data["steps"], data["norm"], color="C3", label="‖θ‖ (flow)")
    ax3.loglog(data["steps"], data["norm_kernel"], "k--", lw=1, label="‖θ(0)‖·e^(−γt) (kernel phase)")
    ax3.axhline(data["norm_rich"], color="k", ls=":", lw=1, label=f"rich KKT norm {data['norm_rich']:.3f}")
    ax3.set_ylim(1, 300)
    ax3.set_ylabel("‖θ‖₂")
    # every curve of the lower panel (both y axes) in one key, below the panels where it covers no data
    handles = ax2.get_legend_handles_labels()[0] + ax3.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def figure_1a(quick: bool = False):
    """Lyu Fig. 1a: grokking in sparse linear classification with a diagonal network."""
    plt = pyplot()
    data = fig1a_data(quick)
    return _classification_figure(plt, data, f"Lyu Fig. 1a: diagonal net, k = 3 sparse, d = {data['d']}")


def figure_1b(quick: bool = False):
    """Lyu Fig. 1b: misgrokking (large-L²-margin data)."""
    plt = pyplot()
    data = fig1b_data(quick)

    def extra(ax):
        ax.axhline(100 * data["acc_l2"], color="k", ls="--", lw=1, label=f"max-L² margin {100 * data['acc_l2']:.1f}%")
        ax.axhline(100 * data["acc_l1"], color="k", ls=":", lw=1, label=f"max-L¹ margin {100 * data['acc_l1']:.1f}%")

    return _classification_figure(plt, data, f"Lyu Fig. 1b: misgrokking, separation {MISGROK_GAMMA:g}, d = {data['d']}", extra)


def figure_3(quick: bool = False):
    """Lyu Fig. 3: matrix completion of the multiplication table."""
    plt = pyplot()
    data = fig3_data(quick)
    s = np.maximum(data["steps"], 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.4), layout="constrained")
    ax.loglog(s, data["train_loss"], label="train MSE")
    ax.loglog(s, data["test_loss"], label="test MSE")
    ax.axhline(data["plateau"], color="k", ls="--", lw=1, label=f"kernel predictor {data['plateau']:.4f}")
    ax.axhline(data["rich_test"], color="k", ls=":", lw=1, label=f"nuclear-norm (Eq. 42) {data['rich_test']:.2g}")
    ax.set_ylim(1e-8, 1)
    ax.set_xlabel("GD steps (= t / lr, gradient flow)")
    ax.set_ylabel("MSE")
    ax2 = ax.twinx()
    ax2.loglog(s, data["norm"], color="C3", label="‖θ‖")
    ax2.loglog(s, data["norm_kernel"], "k-.", lw=1, label="α√(2d)·e^(−γt)")
    ax2.axhline(data["rich_norm"], color="C3", ls=":", lw=1, label=f"√‖W‖_* = {data['rich_norm']:.3f}")
    ax2.set_ylabel("‖θ‖₂")
    ax2.set_ylim(1, 300)
    # one key for both y axes, below the axes where it covers no data
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    ax.set_title(f"Lyu Fig. 3: multiplication table, d = {data['d']}, |Ω| = {data['n']}")
    return fig


def figure_transition(quick: bool = False):
    """Collapse of the regression transition in s = γt − ln α onto the γ → 0 limit flow, and the O(γ) residual."""
    plt = pyplot()
    data = transition_data(quick)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6.4, 6.4), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for (a, lam), ph in data["runs"].items():
        ax.plot(data["s"], ph, lw=1, label=f"α = {a:g}, γ = {lam:g}")
        ax2.semilogy(data["s"], np.abs(ph - data["limit"]), lw=1)
    ax.plot(data["s"], data["limit"], "k--", lw=2, label="γ → 0 limit (reweighted LS flow)")
    ax.axvline(data["s_star"], color="gray", lw=0.8)
    ax.set_ylabel("φ = ‖w − w_L¹‖ / ‖w_L² − w_L¹‖")
    ax.set_title(f"transition law: s* = {data['s_star']:.4f}, width(0.9→0.1) = {data['width']:.3f}")
    ax.legend(fontsize=7)
    ax2.set_xlabel("s = γt − ln α")
    ax2.set_ylabel("|φ − φ_limit|  (∝ γ, α-free)")
    ax2.set_ylim(1e-7, 1)
    fig.tight_layout()
    return fig


#: the figures of this module, for ``grok-theory reproduce`` (name -> function(quick) -> Figure)
FIGURES: dict[str, Callable] = {
    "lyu-fig1a": figure_1a,
    "lyu-fig1b": figure_1b,
    "lyu-fig3": figure_3,
    "lyu-transition": figure_transition,
}
