"""``grok-theory mp``: Marchenko–Pastur expectations from the command line."""
from __future__ import annotations

import argparse
import math
import time

from grok_theory.cli._output import add_format_arguments, fmt_number, number_arguments, print_csv, print_json, print_table
from grok_theory.mp.law import MarchenkoPastur

EXAMPLES = """examples:
  grok-theory mp --lam 0.9 --s 1 1e3 1e6            E[e^{-sν}] at three times
  grok-theory mp --lam 0.5 --s 10 --power 1 --dps 50  one value to 50 digits
  grok-theory mp --lam 1.5 --s 1e8 --log --json      its logarithm, as JSON
  grok-theory mp --lam 0.9 --s 1 10 100 --csv         a CSV table
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "mp",
        help="Marchenko-Pastur Laplace transforms E[nu^power e^{-s nu}] (float64 or any precision)",
        description="Evaluate E[ν^power e^{−sν}] over the Marchenko–Pastur law of ratio lam "
        "(atom included), the building block of every learning curve, with its moments and edges.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--lam", type=float, required=True, help="ratio d_in/N_tr (> 0)")
    p.add_argument("--s", type=str, nargs="+", default=["0", "1", "10", "100", "1e3", "1e6"],
                   help="one or more decay rates s >= 0 (default: a few decades)")
    p.add_argument("--power", type=int, default=0, help="power of ν (integer >= 0; default 0)")
    p.add_argument("--dps", type=int, default=None, help="decimal digits (mpmath); default float64")
    p.add_argument("--log", action="store_true", help="print the natural logarithm (no underflow)")
    add_format_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    mp = MarchenkoPastur(args.lam)
    rows = []
    fn = mp.log_laplace if args.log else mp.laplace
    for s, arg in zip(args.s, number_arguments("s", args.s, args.dps)):
        start = time.perf_counter()
        value = fn(arg, power=args.power, dps=args.dps)
        rows.append((s, value, (time.perf_counter() - start) * 1e3))
    label = f"log E[nu^{args.power} e^(-s nu)]" if args.log else f"E[nu^{args.power} e^(-s nu)]"
    if args.json:
        print_json({
            "lam": args.lam, "lower": mp.lower, "upper": mp.upper, "atom": mp.atom,
            "power": args.power, "dps": args.dps, "log": args.log,
            "values": [{"s": s, "value": fmt_number(v, args.dps)} for s, v, _ in rows],
        })
        return 0
    if args.csv:
        print_csv(["s", label, "ms"], [(s, v, round(t, 3)) for s, v, t in rows], args.dps)
        return 0
    print(f"Marchenko-Pastur law, lam = {args.lam}: support [{mp.lower:.6g}, {mp.upper:.6g}], atom {mp.atom:.6g}")
    digits = args.dps or 16
    print_table(["s", label, "ms"], [(s, fmt_number(v, digits) if args.dps else v, f"{t:.2f}") for s, v, t in rows])
    if args.dps is None and not args.log and any(v == 0.0 and not math.isinf(v) for _, v, _ in rows):
        print("(0.0 = below the float64 range; use --log or --dps)")
    return 0
