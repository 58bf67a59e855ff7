"""``grok-theory curves``: losses, weight norm and accuracies of the teacher-student model."""
from __future__ import annotations

import argparse

from grok_theory.cli._model_args import add_model_arguments, model_from_args
from grok_theory.cli._output import fmt_number, number_arguments, print_csv, print_json, print_table

EXAMPLES = """examples:
  grok-theory curves --lam 0.9 --t 0 100 1e3 1e4 1e5
  grok-theory curves --lam 0.9 --weight-decay 1e-3 --dynamics gd --t 1e4 --eps 1e-3 --json
  grok-theory curves --lam 0.5 --label-noise 0.1 --t 1e3 --dps 30
  grok-theory curves --lam 1.5 --d-out 5 --t 1e2 1e3 1e4 --csv > curves.csv
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("curves", help="train/generalisation loss, weight norm and accuracies at given times",
                              description="Exact learning curves of the linear teacher-student model (Levi et al. 2024).",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(p)
    p.add_argument("--t", type=str, nargs="+", default=["0", "10", "100", "1e3", "1e4", "1e5"],
                   help="one or more times in GD steps (whole numbers with --dynamics gd)")
    p.add_argument("--eps", type=float, default=1e-3, help="accuracy threshold (default 1e-3)")
    p.add_argument("--convention", choices=("mean", "total"), default="mean",
                   help="threshold the per-output mean (Levi) or the total squared error")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = model_from_args(args)
    if args.dynamics == "gd":
        fractional = [t for t, x in zip(args.t, number_arguments("t", args.t, None)) if x != int(x)]
        if fractional:
            raise ValueError(f"--t must be whole GD steps with --dynamics gd, got {fractional[0]}")
    rows = []
    for t, arg in zip(args.t, number_arguments("t", args.t, args.dps)):
        rows.append({
            "t": t,
            "train_loss": model.train_loss(arg, dps=args.dps),
            "gen_loss": model.gen_loss(arg, dps=args.dps),
            "weight_norm": model.weight_norm(arg, dps=args.dps),
            "train_accuracy": model.train_accuracy(arg, args.eps, args.convention, dps=args.dps),
            "gen_accuracy": model.gen_accuracy(arg, args.eps, args.convention, dps=args.dps),
        })
    if args.json:
        print_json({"model": repr(model), "eps": args.eps, "convention": args.convention, "dps": args.dps,
                    "rows": [{k: (v if k == "t" else fmt_number(v, args.dps)) for k, v in r.items()} for r in rows]})
        return 0
    keys = ["t", "train_loss", "gen_loss", "weight_norm", "train_accuracy", "gen_accuracy"]
    if args.csv:
        print_csv(keys, [[r[k] for k in keys] for r in rows], args.dps)
        return 0
    print(repr(model))
    print_table(keys, [[r[k] for k in keys] for r in rows])
    return 0
