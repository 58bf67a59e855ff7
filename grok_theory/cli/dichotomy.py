"""``grok-theory dichotomy``: Lyu et al.'s kernel → rich transition in its exactly solvable models."""
from __future__ import annotations

import argparse

import numpy as np

from grok_theory.dichotomy import diagonal_net as dn
from grok_theory.dichotomy import transition as dc
from grok_theory.dichotomy import matrix_completion as mc
from grok_theory.cli._output import add_format_arguments, gd_steps, print_csv, print_json, print_table

EXAMPLES = """examples:
  grok-theory dichotomy transition --alpha 10 1e3 1e5 --weight-decay 1e-3
  grok-theory dichotomy normaliser --c 0.5 --p 1 --alpha 1e2 1e3 1e4
  grok-theory dichotomy matrix --d 30 --fraction 0.1 --alpha 10 --weight-decay 1e-4
  grok-theory dichotomy WHAT --help        options and examples of one model

weight decay is written gamma here (Lyu et al. call it lambda; in this toolkit lambda = d_in/N_tr)
"""

TRANSITION_EXAMPLES = """examples:
  grok-theory dichotomy transition                                  the n = 1, d = 2 toy, default grid
  grok-theory dichotomy transition --alpha 10 1e3 1e5 --weight-decay 1e-3
  grok-theory dichotomy transition --n 8 --d 16 --sparsity 2 --seed 1 --json
  grok-theory dichotomy transition --weight-decay 1e-2 1e-3 --csv > transition.csv
"""

NORMALISER_EXAMPLES = """examples:
  grok-theory dichotomy normaliser
  grok-theory dichotomy normaliser --c 0.5 --p 1 --alpha 1e2 1e3 1e4
  grok-theory dichotomy normaliser --c 0.25 --p 2 --csv
"""

MATRIX_EXAMPLES = """examples:
  grok-theory dichotomy matrix --d 30 --fraction 0.1 --alpha 10 --weight-decay 1e-4
  grok-theory dichotomy matrix --d 20 --fraction 0.2 --steps 1e3 1e4 1e5 --json
  grok-theory dichotomy matrix --d 30 --seed 2 --csv > matrix.csv
"""


def _subcommand(sub: argparse._SubParsersAction, name: str, help: str, description: str,
                examples: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=description, epilog=examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("dichotomy", help="Lyu et al. 2024: kernel -> rich transition (diagonal nets, matrix completion)",
                              description="Exact gradient flow of diagonal linear networks and symmetric matrix completion "
                              "with large initialisation α and weight decay γ, next to the γ → 0 transition law "
                              "t* = (ln α + s*)/γ and the kernel/rich limiting predictors.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    t = _subcommand(sub, "transition", "regression: s*, width, predicted vs simulated transition times",
                    "Diagonal linear network on a regression task: the γ → 0 limit flow gives the shifted "
                    "transition time s* and width; each (α, γ) run integrates the exact gradient flow and "
                    "reports where the progress φ from the kernel to the rich predictor crosses 1/2.",
                    TRANSITION_EXAMPLES)
    t.add_argument("--n", type=int, default=0, help="samples (default 0: the n = 1, d = 2 toy x = (1, 2), y = 1)")
    t.add_argument("--d", type=int, default=16, help="input dimension when --n > 0 (default 16)")
    t.add_argument("--sparsity", type=int, default=2, help="non-zeros of the teacher w* (default 2)")
    t.add_argument("--seed", type=int, default=1, help="seed of the random data and teacher (default 1)")
    t.add_argument("--alpha", type=float, nargs="+", default=[10.0, 1e3, 1e5],
                   help="initialisation scales α, u = v = α·1 (default 10 1e3 1e5)")
    t.add_argument("--weight-decay", type=float, nargs="+", default=[1e-2, 1e-3],
                   help="weight decays γ (default 1e-2 1e-3)")
    add_format_arguments(t)
    t.set_defaults(func=run_transition)
    nz = _subcommand(sub, "normaliser", "classification: Theorem 3.4's normaliser, printed vs derived vs exact flow",
                     "Exponential-loss toy x = (1, 2): the network output at T⁻ = (1 − c) ln α / γ with "
                     "γ = α^(−p), against Lyu Theorem 3.4's printed normaliser log(α^c/γ), the derived "
                     "log(α^(2c)/γ) and the quasi-static margin (see docs/errata.md).", NORMALISER_EXAMPLES)
    nz.add_argument("--c", type=float, default=0.5, help="fraction c in T⁻ = (1 − c) ln α / γ (default 0.5)")
    nz.add_argument("--p", type=float, default=1.0, help="weight decay γ = α^(−p) (default 1)")
    nz.add_argument("--alpha", type=float, nargs="+", default=[1e2, 1e3, 1e4, 1e5],
                    help="initialisation scales α (default 1e2 1e3 1e4 1e5)")
    add_format_arguments(nz)
    nz.set_defaults(func=run_normaliser)
    m = _subcommand(sub, "matrix", "matrix completion of the multiplication table (Lyu Fig. 3)",
                    "Symmetric matrix completion W = UUᵀ − VVᵀ of the d × d multiplication table from a "
                    "random fraction of its entries, gradient flow from U = V = αI with weight decay γ, "
                    "against the nuclear-norm (rich) solution and the kernel plateau.", MATRIX_EXAMPLES)
    m.add_argument("--d", type=int, default=30, help="table size d (default 30)")
    m.add_argument("--fraction", type=float, default=0.1, help="observed fraction of the d² entries, in (0, 1) (default 0.1)")
    m.add_argument("--seed", type=int, default=1, help="seed of the observed entries (default 1)")
    m.add_argument("--alpha", type=float, default=10.0, help="initialisation scale α (default 10)")
    m.add_argument("--weight-decay", type=float, default=1e-4, help="weight decay γ (default 1e-4)")
    m.add_argument("--lr", type=float, default=0.1, help="learning rate, only to express times in GD steps (default 0.1)")
    m.add_argument("--steps", type=gd_steps, nargs="+", default=[10, 10**4, 10**5, 3 * 10**5, 10**6, 2 * 10**6],
                   help="record GD steps (whole numbers, e.g. 1e5)")
    add_format_arguments(m)
    m.set_defaults(func=run_matrix)


def _print_rows(args: argparse.Namespace, rows: list[dict]) -> None:
    keys = list(rows[0])
    (print_csv if args.csv else print_table)(keys, [[r[k] for k in keys] for r in rows])


def _regression_data(args) -> tuple[np.ndarray, np.ndarray]:
    if args.n == 0:
        return np.array([[1.0, 2.0]]), np.array([1.0])
    if not 0 < args.n < args.d or not 0 < args.sparsity <= args.d:
        raise ValueError(f"need 0 < n < d and 0 < sparsity <= d, got n={args.n}, d={args.d}, sparsity={args.sparsity}")
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.n, args.d))
    w = np.zeros(args.d)
    w[rng.choice(args.d, args.sparsity, replace=False)] = rng.standard_normal(args.sparsity)
    return X, X @ w


def run_transition(args: argparse.Namespace) -> int:
    X, y = _regression_data(args)
    flow = dc.reweighted_flow(X, y)
    s_star, width = flow.crossing(0.5), flow.width()
    grid = np.linspace(s_star - 4, s_star + 6, 2001)
    rows = []
    for lam in args.weight_decay:
        for a in args.alpha:
            ok = grid + np.log(a) >= 0
            tr = dn.gradient_flow(X, y, "squared", a, lam, (grid[ok] + np.log(a)) / lam)
            ph = dc.progress(tr.w, flow.w_kernel, flow.w_rich)
            s_half = dc.crossing(grid[ok], ph, 0.5)
            w_sim = dc.crossing(grid[ok], ph, 0.1) - dc.crossing(grid[ok], ph, 0.9)
            rows.append(dict(alpha=a, weight_decay=lam, t_star_theory=dc.transition_time(s_star, a, lam),
                             t_star_sim=(s_half + np.log(a)) / lam, s_half_sim=s_half, width_sim=w_sim,
                             relative_width=width / (np.log(a) + s_star)))
    out = dict(s_star=s_star, width=width, w_kernel=flow.w_kernel.tolist(), w_rich=flow.w_rich.tolist(), runs=rows)
    if args.json:
        print_json(out)
        return 0
    if not args.csv:
        print(f"gamma -> 0 limit: s* = {s_star:.6f}, width (phi 0.9 -> 0.1) = {width:.6f}; t* = (ln alpha + s*)/gamma")
    _print_rows(args, rows)
    return 0


def run_normaliser(args: argparse.Namespace) -> int:
    x = np.array([[1.0, 2.0]])
    x_norm_sq = float((x[0] ** 2).sum())
    rows = []
    for a in args.alpha:
        lam = a ** (-args.p)
        T = (1 - args.c) * np.log(a) / lam
        f = float(dn.gradient_flow(x, [1.0], "exponential", a, lam, [T]).predict(x)[0, 0])
        rows.append(dict(alpha=a, weight_decay=lam, f_flow=f, printed=dc.kernel_normaliser(a, lam, args.c, printed=True),
                         derived=dc.kernel_normaliser(a, lam, args.c),
                         quasi_static=float(dc.kernel_margin_quasistatic(x_norm_sq, 1, a, lam, T))))
    out = dict(c=args.c, p=args.p, slope_printed=args.c + args.p, slope_derived=2 * args.c + args.p, runs=rows)
    if args.json:
        print_json(out)
        return 0
    if not args.csv:
        print(f"n = 1 exp-loss toy x = (1, 2): f(T-) vs gamma_ntk Z(alpha); slopes in ln alpha: printed {args.c + args.p}, "
              f"derived {2 * args.c + args.p}")
    _print_rows(args, rows)
    return 0


def run_matrix(args: argparse.Namespace) -> int:
    prob = mc.multiplication_problem(args.d, args.fraction, args.seed)
    steps = np.asarray(args.steps, dtype=float)
    tr = mc.gradient_flow(prob, args.alpha, args.weight_decay, args.lr * steps)
    W = mc.nuclear_norm_completion(prob, args.weight_decay)
    out = dict(d=args.d, n=prob.n, plateau_test_mse=mc.plateau_test_mse(prob),
               rich_test_mse=float(prob.test_loss(W)), rich_norm=float(np.sqrt(np.abs(np.linalg.eigvalsh(W)).sum())),
               rank_one_norm=mc.rank_one_rich_state(prob, args.weight_decay)[1],
               initial_norm=args.alpha * np.sqrt(2 * args.d),
               runs=[dict(steps=s, train_mse=a, test_mse=b, norm=c, invariant_rel_error=e) for s, a, b, c, e in
                     zip(args.steps, tr.train_loss.tolist(), tr.test_loss.tolist(), tr.norm.tolist(),
                         tr.invariant_error.tolist())])
    if args.json:
        print_json(out)
        return 0
    if not args.csv:
        for k, v in out.items():
            if k != "runs":
                print(f"{k}: {v if isinstance(v, int) else float(v)}")
    _print_rows(args, out["runs"])
    return 0
