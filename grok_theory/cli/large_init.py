"""``grok-theory large-init``: large-initialisation grokking (Omnigrok §2) in the linear model."""
from __future__ import annotations

import argparse
import math

from grok_theory import _validate
from grok_theory.linear import large_init as li
from grok_theory.cli._model_args import add_model_arguments, model_from_args
from grok_theory.cli._output import fmt_number, print_csv, print_json, print_table

EXAMPLES = """examples:
  grok-theory large-init --lam 2 --init-scale 10 --weight-decay 1e-2 --lr 0.05 --dynamics gd
  grok-theory large-init --lam 2 --init-scale 1 3 10 30 --weight-decay 1e-3 --lr 0.05 --json
  grok-theory large-init --lam 2 --init-scale 10 --weight-decay 1e-2 --criterion absolute --delta 0.3
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("large-init", help="generalisation time after large initialisation with weight decay",
                              description="Exact generalisation time (MP curves), the null-space law "
                              "ln(a alpha^2/(2 d_out delta))/(-2 ln(1 - lr*wd/d_out)) = Omnigrok's ln(w0/wc)/gamma with "
                              "the learning rate restored, and the train time. Generalisation: L_gen(t) - L_gen(inf) <= "
                              "delta (criterion 'excess', default) or L_gen(t) <= delta ('absolute').",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
                              conflict_handler="resolve")
    add_model_arguments(p)
    # several init scales in one call: replaces the single --init-scale of the model group
    p.add_argument("--init-scale", type=float, nargs="+", default=[1.0],
                   help="student initialisation scale(s) alpha, one row each (default 1)")
    p.add_argument("--delta", type=float, default=1e-3, help="generalisation threshold (default 1e-3)")
    p.add_argument("--criterion", choices=("excess", "absolute"), default="excess",
                   help="excess over the t->inf floor (reachable for lam > 1) or absolute L_gen")
    p.add_argument("--eps", type=float, default=1e-3, help="train threshold: L_tr <= eps/4 (Levi; default 1e-3)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.dps is not None:
        raise ValueError("--dps is not supported by large-init (float64 only)")
    _validate.positive("delta", args.delta)
    _validate.positive("eps", args.eps)
    rows = []
    for alpha in args.init_scale:
        ns = argparse.Namespace(**{**vars(args), "init_scale": float(alpha)})
        model = model_from_args(ns)
        w0, wc = float(alpha) * math.sqrt(model.law.atom / 2), math.sqrt(model.d_out * args.delta)
        rows.append({
            "init_scale": float(alpha),
            "t_gen": li.generalisation_time(model, args.delta, args.criterion),
            # the null-space law needs null modes (λ > 1); for λ ≤ 1 it has nothing to describe
            "t_gen_law": (li.generalisation_time_law(model, args.delta)
                          if args.criterion == "excess" and model.law.atom > 0 else math.nan),
            "t_train": li.train_time(model, args.eps),
            "gen_loss_limit": model.gen_loss_limit(),
            "w0": w0, "wc": wc,
        })
    if args.json:
        print_json({"lam": args.lam, "lr": args.lr, "weight_decay": args.weight_decay, "d_out": args.d_out,
                    "dynamics": args.dynamics, "delta": args.delta, "criterion": args.criterion, "eps": args.eps,
                    "rows": [{k: fmt_number(v) for k, v in r.items()} for r in rows]})
        return 0
    keys = list(rows[0])
    if args.csv:
        print_csv(keys, [[r[k] for k in keys] for r in rows])
        return 0
    print(f"lam={args.lam} lr={args.lr} weight_decay={args.weight_decay} d_out={args.d_out} dynamics={args.dynamics} "
          f"criterion={args.criterion} delta={args.delta}")
    print_table(keys, [[r[k] for k in keys] for r in rows])
    if rows and math.isnan(rows[0]["t_gen_law"]) and args.criterion == "excess":
        print("t_gen_law = nan: lam <= 1 has no null space, so Omnigrok's null-space law does not apply")
    return 0
