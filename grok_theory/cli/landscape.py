"""``grok-theory landscape``: Omnigrok's reduced train/test losses at fixed weight norm (L and U curves)."""
from __future__ import annotations

import argparse

from grok_theory.cli._output import add_format_arguments, fmt_number, number_arguments, print_csv, print_json, print_table
from grok_theory.linear.landscape import ReducedLandscape

EXAMPLES = """examples:
  grok-theory landscape --lam 2 --norm2 0.1 0.25 0.5 1 2
  grok-theory landscape --lam 0.5 --label-noise 0.3 --norm2 0.5 1 1.5 --json
  grok-theory landscape --lam 2 --mu 0.25 --dps 30
  grok-theory landscape --lam 2 --norm2 0.1 0.5 1 2 --csv > landscape.csv   (the rows; knee/Goldilocks in --json)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("landscape", help="reduced landscape: min train loss and its test loss at fixed ||S||",
                              description="Omnigrok's reduced landscape (Eq. 1) in the linear teacher-student model: the "
                              "ridge path through the Marchenko-Pastur Stieltjes transform, the flat branch beyond the "
                              "minimum-norm interpolator (lam > 1), the knee and the Goldilocks norm.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_argument_group("model")
    g.add_argument("--lam", type=float, required=True, help="ratio d_in/N_tr (> 0)")
    g.add_argument("--d-out", type=int, default=1, help="output dimension (default 1)")
    g.add_argument("--teacher-scale", type=float, default=1.0, help="teacher scale (default 1: ||T||^2 = 1/2)")
    g.add_argument("--label-noise", type=float, default=0.0, help="std of Gaussian training-label noise (default 0)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--norm2", type=str, nargs="+", help="squared Frobenius norms ||S||^2 (float64)")
    where.add_argument("--mu", type=str, nargs="+", help="Lagrange multipliers (ridge parameters); allows --dps")
    p.add_argument("--null-part", choices=("random", "best", "worst"), default="random",
                   help="null-space direction on the flat branch (default: independent of the teacher)")
    p.add_argument("--dps", type=int, default=None, help="decimal digits (mpmath; with --mu only)")
    add_format_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    land = ReducedLandscape(args.lam, d_out=args.d_out, teacher_scale=args.teacher_scale, label_noise=args.label_noise)
    if args.dps is not None and args.mu is None:
        raise ValueError("--dps needs --mu (the norm inversion is float64)")
    if args.mu is not None:
        points = [land.at_multiplier(v, dps=args.dps) for v in number_arguments("mu", args.mu, args.dps)]
    else:
        norms = number_arguments("norm2", args.norm2 or ["0.1", "0.25", "0.5", "1", "2"], None)
        points = [land.at_norm(v, args.null_part) for v in norms]
    rows = [{"norm2": p.norm2, "mu": p.mu, "train_loss": p.train, "gen_loss": p.gen} for p in points]
    knee = land.knee()
    special = {"knee": {"norm2": knee.norm2, "gen_loss": knee.gen, "train_loss": knee.train}}
    if land.r2 > 0:
        gold = land.goldilocks()
        special["goldilocks"] = {"mu": gold.mu, "norm2": gold.norm2, "gen_loss": gold.gen, "train_loss": gold.train}
    if args.json:
        print_json({"landscape": repr(land), "dps": args.dps,
                    "rows": [{k: fmt_number(v, args.dps) for k, v in r.items()} for r in rows],
                    **{k: {kk: fmt_number(vv) for kk, vv in v.items()} for k, v in special.items()}})
        return 0
    keys = ["norm2", "mu", "train_loss", "gen_loss"]
    if args.csv:
        print_csv(keys, [[r[k] for k in keys] for r in rows], args.dps)
        return 0
    print(repr(land))
    print_table(keys, [[r[k] for k in keys] for r in rows])
    for name, vals in special.items():
        print(f"{name}: " + ", ".join(f"{k}={float(v):.10g}" for k, v in vals.items()))
    return 0
