"""``grok-theory grok-time``: crossing times and the grokking time of the teacher-student model."""
from __future__ import annotations

import argparse

from grok_theory.cli._model_args import add_model_arguments, model_from_args
from grok_theory.cli._output import fmt_number, print_csv, print_json, print_table
from grok_theory.linear.grokking import grokking_time, threshold

EXAMPLES = """examples:
  grok-theory grok-time --lam 0.9 --eps 1e-3
  grok-theory grok-time --lam 0.9 --d-out 50 --criterion accuracy --level 0.95
  grok-theory grok-time --lam 0.7 --eps 1e-6 --dps 30 --json
  grok-theory grok-time --lam 0.5 --weight-decay 1e-3 --csv
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("grok-time", help="train/generalisation crossing times and their difference",
                              description="Times at which the train and generalisation criteria are first met "
                              "(loss: L = eps/4; accuracy: accuracy = level) and the grokking time between them.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(p)
    p.add_argument("--eps", type=float, default=1e-3, help="accuracy threshold (default 1e-3)")
    p.add_argument("--criterion", choices=("loss", "accuracy"), default="loss", help="Levi's L = eps/4, or accuracy = level")
    p.add_argument("--level", type=float, default=0.95, help="accuracy level for --criterion accuracy")
    p.add_argument("--convention", choices=("mean", "total"), default="mean", help="accuracy convention")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = model_from_args(args)
    g = grokking_time(model, args.eps, args.criterion, args.level, args.convention, dps=args.dps)
    thr = threshold(model, args.eps, args.criterion, args.level, args.convention)
    out = {"t_train": g.t_train, "t_gen": g.t_gen, "delta": g.delta}
    if args.json:
        print_json({"model": repr(model), "eps": args.eps, "criterion": args.criterion, "level": args.level,
                    "threshold_loss": thr, **{k: fmt_number(v, args.dps) for k, v in out.items()}})
        return 0
    if args.csv:
        print_csv(["t_train", "t_gen", "delta", "threshold_loss"], [[*out.values(), thr]], args.dps)
        return 0
    print(repr(model))
    print(f"criterion: loss reaches {thr:.6g}" + (f" (accuracy {args.level})" if args.criterion == "accuracy" else " (eps/4)"))
    print_table(["", "steps"], [[k, fmt_number(v, args.dps) if args.dps else v] for k, v in out.items()])
    return 0
