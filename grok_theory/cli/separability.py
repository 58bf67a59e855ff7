"""``grok-theory separability``: Beck, Levi & Bar-Sinai's grokking at the edge of linear separability."""
from __future__ import annotations

import argparse
import math

import numpy as np

from grok_theory.cli._output import add_format_arguments, fmt_number, gd_steps, print_csv, print_json, print_table
from grok_theory.separability import counting, dynamics, margin
from grok_theory.separability.simulate import simulate_logistic

EXAMPLES = """examples:
  grok-theory separability probability --d 1980 --n 4000 --dps 30   exact Wendel/Cover P_sep
  grok-theory separability margin --lam 0.52 0.6 0.8 --sigma 5       large-d margin κ(λ), limiting accuracy
  grok-theory separability s-inf --lam 0.3 0.45 0.49 --lr 0.01       large-d σ‖S_∞‖, Z_∞, σ→∞ grokking time
  grok-theory separability two-point --lam 0.3 0.45 0.49 --eps 1e-10 Eq. 11 model: ratio law vs Eqs. 40-41
  grok-theory separability simulate --n 200 --lam 0.3 --sigma 5 --lr 0.02 --steps 6000 --seeds 4 --json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("separability", help="Beck et al. 2025: logistic grokking at the edge of separability",
                              description="Constant-label logistic regression on Gaussian data (λ = d/N = d_in/N_tr, noise σ): "
                              "exact separability probabilities, max-margin and S_∞ large-d limits, the two-point "
                              "model's grokking-time law, and real GD next to them.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    # each subcommand shows its own lines of EXAMPLES
    lines = EXAMPLES.splitlines()[1:]

    def add(name: str, help: str) -> argparse.ArgumentParser:
        own = "\n".join(ln for ln in lines if f"separability {name} " in ln)
        return sub.add_parser(name, help=help, description=help, epilog=f"examples:\n{own}\n",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    pr = add("probability", "P_sep(d, N) exact (Wendel), with the normal approximation")
    pr.add_argument("--d", type=int, nargs="+", required=True, help="input dimensions d (one row each)")
    pr.add_argument("--n", type=int, required=True, help="number of points N")
    pr.add_argument("--dps", type=int, default=None, help="digits (default: exact fraction, shown to 17 digits)")
    add_format_arguments(pr)
    pr.set_defaults(func=run_probability)
    mg = add("margin", "large-d max-margin κ(λ) and A_∞ = Φ(1/(σ²κ)) (λ > ½)")
    mg.add_argument("--lam", type=float, nargs="+", required=True, help="ratios λ = d_in/N_tr (> ½)")
    mg.add_argument("--sigma", type=float, default=5.0, help="input noise σ (default 5)")
    add_format_arguments(mg)
    mg.set_defaults(func=run_margin)
    si = add("s-inf", "large-d σ‖S_∞‖ = r(λ), Z_∞ and the σ → ∞ grokking time (λ < ½)")
    si.add_argument("--lam", type=float, nargs="+", required=True, help="ratios λ = d_in/N_tr (< ½)")
    si.add_argument("--lr", type=float, default=0.01, help="learning rate η (default 0.01)")
    si.add_argument("--level", type=float, default=0.95, help="accuracy level of the grokking time (default 0.95)")
    add_format_arguments(si)
    si.set_defaults(func=run_s_inf)
    tp = add("two-point", "Eq. 11 model: S_∞, ratio law vs Eqs. 40-41 and the exact flow")
    tp.add_argument("--lam", type=float, nargs="+", required=True, help="ratios λ = d_in/N_tr")
    tp.add_argument("--sigma", type=float, default=1.0, help="input noise σ (default 1)")
    tp.add_argument("--eps", type=float, default=1e-10, help="loss threshold of t*_tr, t*_gen")
    add_format_arguments(tp)
    tp.set_defaults(func=run_two_point)
    sm = add("simulate", "real GD on sampled Gaussian data, per seed, next to the late-time law")
    sm.add_argument("--n", type=int, default=200, help="number of training points N (default 200)")
    sm.add_argument("--lam", type=float, default=0.3, help="ratio λ = d_in/N_tr (default 0.3)")
    sm.add_argument("--sigma", type=float, default=5.0, help="input noise σ (default 5)")
    sm.add_argument("--lr", type=float, default=0.02, help="learning rate η (default 0.02)")
    sm.add_argument("--steps", type=gd_steps, default=6000, help="GD steps (whole number, default 6000)")
    sm.add_argument("--seeds", type=int, default=4, help="number of seeds 0..n-1 (default 4)")
    add_format_arguments(sm)
    sm.set_defaults(func=run_simulate)


def _emit(args: argparse.Namespace, rows: list[dict], header: str = "") -> int:
    if args.json:
        print_json(rows)
        return 0
    keys = list(rows[0])
    if args.csv:
        print_csv(keys, [[r[k] for k in keys] for r in rows])
        return 0
    if header:
        print(header)
    print_table(keys, [[r[k] for k in keys] for r in rows])
    return 0


def run_probability(args: argparse.Namespace) -> int:
    rows = []
    for d in args.d:
        exact = counting.separability_probability(d, args.n)
        val = counting.separability_probability(d, args.n, dps=args.dps or 17)
        rows.append(dict(d=d, n=args.n, lam=d / args.n, p_sep=fmt_number(val, args.dps) if args.json else val,
                         p_normal=float(counting.separability_normal(d, args.n)) if args.n > 1 else math.nan,
                         exact=f"{exact.numerator}/{exact.denominator}" if args.n <= 64 else "(fraction, 2^N denominator)"))
    return _emit(args, rows, f"finite-size width w_N = sqrt(N-1)/(2N) = {float(counting.width(args.n)):.6g}"
                 if args.n > 1 else "")


def run_margin(args: argparse.Namespace) -> int:
    rows = []
    for lam in args.lam:
        k = float(margin.gardner_margin(lam))
        rows.append(dict(lam=lam, kappa=k, margin=args.sigma * k,
                         a_inf=float(margin.limiting_accuracy(args.sigma * k, args.sigma))))
    return _emit(args, rows)


def run_s_inf(args: argparse.Namespace) -> int:
    rows = []
    for lam in args.lam:
        lim = margin.bias_free_limit(lam)
        rows.append(dict(lam=lam, r=lim.norm, z_inf=lim.z_min,
                         log_t_gen=float(dynamics.gaussian_log_grokking_time(lim.norm, lim.z_min, args.lr, args.level))))
    return _emit(args, rows, "sigma -> inf, large d: log t_gen = z_A r(lam) - log(lr Z_inf)")


def run_two_point(args: argparse.Namespace) -> int:
    rows = []
    for lam in args.lam:
        m = dynamics.TwoPointModel(lam, args.sigma)
        row = dict(lam=lam, s_inf=m.s_inf() if lam < 0.5 else math.inf, margin=m.margin())
        if lam < 0.5:
            ttr, tgen = m.crossing_times(args.eps)
            row.update(log_ratio_limit=m.log_ratio_limit(), log_ratio_flow=math.log(tgen / ttr),
                       eq41=m.log_ratio_printed(41), eq40=m.log_ratio_printed(40))
        rows.append(row)
    keys = {k for r in rows for k in r}
    rows = [{k: r.get(k, math.nan) for k in ("lam", "s_inf", "margin", "log_ratio_limit", "log_ratio_flow", "eq41",
                                             "eq40") if k in keys} for r in rows]
    if args.json:
        rows = [{k: fmt_number(v) for k, v in r.items()} for r in rows]
    return _emit(args, rows, f"two-point model, sigma = {args.sigma}, eps = {args.eps} (flow ratio: exponential-loss GF)")


def run_simulate(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    run = simulate_logistic(args.n, args.lam, args.sigma, args.lr, args.steps, range(args.seeds))
    pred = dynamics.gaussian_log_grokking_time(run.s_inf_norm, run.z_min, args.lr, run.level)
    rows = [dict(seed=i, separable=bool(run.separable[i]), margin=float(run.margin[i]),
                 sigma_s_inf=float(run.s_inf_norm[i]), z_inf=float(run.z_min[i]), t_train=float(run.t_train[i]),
                 t_gen=float(run.t_gen[i]), t_gen_law=float(np.exp(pred[i])), gen_acc_end=float(run.gen_acc[i, -1]))
            for i in range(args.seeds)]
    if args.json:
        rows = [{k: fmt_number(v) for k, v in r.items()} for r in rows]
    return _emit(args, rows, f"GD, N = {args.n}, lam = {args.lam}, sigma = {args.sigma}, lr = {args.lr}, "
                 f"{args.steps} steps; t_gen_law = exp(z_A sigma|S_inf| - log(lr Z_inf))")
