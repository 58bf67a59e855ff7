"""``grok-theory thermal``: Langevin / SGLD noise in the solvable models (Jules et al. 2023)."""
from __future__ import annotations

import argparse
import math

from grok_theory.cli._model_args import add_model_arguments, model_from_args
from grok_theory.cli._output import fmt_number, number_arguments, print_csv, print_json, print_table

EXAMPLES = """examples:
  grok-theory thermal curves --lam 0.5 --temperature 1e-4 --d-in 100 --t 10 100 1000
  grok-theory thermal curves --lam 2 --temperature 1e-4 --d-in 100 --t 300 --dps 30 --dynamics gd --lr 0.05
  grok-theory thermal dimension --lam 2 --temperature 1e-3 --d-in 100 --json
  grok-theory thermal dimension --lam 0.5 --weight-decay 0.1 --temperature 1e-4 --d-in 100
  grok-theory thermal grok-time --lam 0.5 --d-in 100 --temperature 0 1e-7 1e-6 2e-6 --eps 1e-3
  grok-theory thermal wall --caps 0 2 5 10 --temperature 1e-3 1e-2 1e-1
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("thermal", help="Langevin/SGLD noise: loss fluctuations, dimensions, grokking times",
                              description="Thermal (Langevin) noise in the linear teacher-student model and in the "
                              "exponential-wall loss model (Jules et al. 2023, derived here). Temperature T is that of "
                              "the Gibbs measure exp(-F/T), F = L_tr + (weight_decay/(2 d_out))|S|^2; --dynamics gd is "
                              "SGLD, flow the Langevin gradient flow.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="thermal_command", metavar="WHAT")

    c = sub.add_parser("curves", help="mean and thermal standard deviation of L_tr and L_gen at times t",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(c)
    c.add_argument("--temperature", type=float, required=True, help="temperature T >= 0")
    c.add_argument("--t", nargs="+", required=True, help="times (steps)")
    c.set_defaults(func=run_curves)

    d = sub.add_parser("dimension", help="stationary effective dimensions from the fluctuations",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(d)
    d.add_argument("--temperature", type=float, required=True, help="temperature T > 0")
    d.set_defaults(func=run_dimension)

    g = sub.add_parser("grok-time", help="crossing times of the mean losses at eps/4 against temperature",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(g)
    g.add_argument("--temperature", type=float, nargs="+", required=True, help="temperatures T >= 0, one row each")
    g.add_argument("--eps", type=float, default=1e-3, help="accuracy threshold; level eps/4 (default 1e-3)")
    g.set_defaults(func=run_grok_time)

    w = sub.add_parser("wall", help="exponential-wall loss model: fluctuation statistics at temperatures T",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    w.add_argument("--caps", type=float, nargs="+", required=True, help="largest margins M_i of the points")
    w.add_argument("--temperature", type=float, nargs="+", required=True, help="temperatures T > 0, one row each")
    fmt = w.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable JSON output")
    fmt.add_argument("--csv", action="store_true", help="comma-separated table")
    w.set_defaults(func=run_wall)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _common(p: argparse.ArgumentParser) -> None:
    add_model_arguments(p)
    p.add_argument("--d-in", type=int, required=True, help="input dimension (number of modes; thermal parts scale with it)")


def _lt(args: argparse.Namespace, temperature: float):
    from grok_theory.thermal.langevin import LangevinTeacherStudent

    return LangevinTeacherStudent(model_from_args(args), temperature, args.d_in)


def _emit(args: argparse.Namespace, header: dict, keys: list[str], rows: list[list], dps: int | None = None) -> int:
    if args.json:
        print_json({**header, "rows": [{k: fmt_number(v, dps) for k, v in zip(keys, r)} for r in rows]})
    elif args.csv:
        print_csv(keys, rows, dps)
    else:
        print(" ".join(f"{k}={v}" for k, v in header.items()))
        print_table(keys, rows)
    return 0


def run_curves(args: argparse.Namespace) -> int:
    m = _lt(args, args.temperature)
    times = number_arguments("--t", args.t, args.dps)
    rows = []
    for t in times:
        tt = t if args.dps is not None else float(t)
        tr, gm = m.train_loss_mean(tt, dps=args.dps), m.gen_loss_mean(tt, dps=args.dps)
        vt, vg = m.train_loss_var(tt, dps=args.dps), m.gen_loss_var(tt, dps=args.dps)
        sqrt = (lambda x: x**0.5) if args.dps is None else (lambda x: x.sqrt() if hasattr(x, "sqrt") else x**0.5)
        rows.append([t, tr, sqrt(vt), gm, sqrt(vg)])
    keys = ["t", "train_mean", "train_sd", "gen_mean", "gen_sd"]
    return _emit(args, {"lam": args.lam, "temperature": args.temperature, "d_in": args.d_in, "dynamics": args.dynamics},
                 keys, rows, args.dps)


def run_dimension(args: argparse.Namespace) -> int:
    from grok_theory.thermal import fluctuation as fl

    m = _lt(args, args.temperature)
    row = [fl.stationary_dimension(m, "train", "var", args.dps), fl.stationary_dimension(m, "train", "mean", args.dps),
           fl.rank_dimension(m), *fl.ridge_dimensions(m, args.dps), m.d_in * m.model.d_out,
           fl.integrated_time(m, args.dps) if args.dynamics == "flow" else math.nan]
    keys = ["D_var", "D_mean", "d_out_rank", "ridge_mean", "ridge_quadratic", "parameters", "tau_steps"]
    return _emit(args, {"lam": args.lam, "temperature": args.temperature, "d_in": args.d_in,
                        "weight_decay": args.weight_decay, "dynamics": args.dynamics}, keys, [row], args.dps)


def run_grok_time(args: argparse.Namespace) -> int:
    from grok_theory.thermal import fluctuation as fl

    if args.dps is not None:
        raise ValueError("--dps is not supported by thermal grok-time (float64 only)")
    rows = []
    for T in args.temperature:
        r = fl.grokking_time(_lt(args, T), args.eps)
        rows.append([T, r["t_train"], r["t_gen"], r["delta"], r["t_regress"]])
    tc = fl.critical_temperatures(_lt(args, 0.0), args.eps)
    header = {"lam": args.lam, "d_in": args.d_in, "eps": args.eps, "T_c_train": tc["train"], "T_c_gen": tc["gen"]}
    if args.json:
        header = {k: fmt_number(v) for k, v in header.items()}
    return _emit(args, header, ["temperature", "t_train", "t_gen", "delta", "t_regress"], rows)


def run_wall(args: argparse.Namespace) -> int:
    from grok_theory.thermal.simplified_loss import ExponentialWall

    wall = ExponentialWall(args.caps)
    keys = ["temperature", "mean", "var", "d_var", "d_mean", "q", "curvature", "near_boundary"]
    rows = []
    for T in args.temperature:
        s = wall.statistics(T)
        rows.append([T, s["mean"], s["var"], s["d_var"], s["d_mean"], s["q"], s["curvature"], wall.near_boundary_count(T)])
    return _emit(args, {"points": len(args.caps), "floor": wall.floor, "quadratic_curvature": wall.quadratic_curvature()},
                 keys, rows)


