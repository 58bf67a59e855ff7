"""``grok-theory check QUANTITY FORMULA --grid NAME=V1,V2 ...``: a candidate formula against the exact theory."""
from __future__ import annotations

import argparse
import sys

from grok_theory.cli._output import add_format_arguments, print_csv, print_json, print_table

EXAMPLES = """examples:
  # Levi et al. Eq. 12 against the exact grokking time (docs/asymptotics.md, Eq. 12 column)
  grok-theory check delta_t "log(1/(1 - sqrt(lam)))/(2*lr*(1 - sqrt(lam))**2)" --grid lam=0.1,0.5,0.9 --grid eps=1e-3,1e-6
  grok-theory check mp_moment "1 + lam" --grid lam=0.1,0.5,2 --set k=2 --tol 1e-12
  grok-theory check L_gen "exp(-4*lr*t*(1-sqrt(lam))**2)" --grid t=10,100,1000 --set lam=0.5 --plot err.png --csv
  grok-theory check --list            # the quantities and their parameters

Symbols: lam (λ), lr (η), eps (ε), t, d_out, weight_decay (γ), init_scale (α), teacher_scale (τ),
label_noise (σ), s, power, k. Exit status 1 if --tol is given and some |relative error| exceeds it
(or the candidate is undefined somewhere).
"""


def _assignment(text: str) -> tuple[str, list]:
    name, sep, values = text.partition("=")
    if not sep or not name or not values:
        raise argparse.ArgumentTypeError(f"expected NAME=V1,V2,..., got {text!r}")
    out = []
    for v in values.split(","):
        try:
            x = float(v)
        except ValueError:
            out.append(v)  # e.g. dynamics=gd
            continue
        out.append(int(x) if name.strip() in ("d_out", "power", "k") and x == int(x) else x)
    return name.strip(), out


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help="check a candidate formula against the exact theory on a grid",
                              description="Evaluate a candidate closed form (SymPy syntax) for a named quantity next to "
                              "the exact value at every point of a parameter grid: relative error per point and the "
                              "worst point.", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("quantity", nargs="?", help="L_tr, L_gen, weight_norm, t_train, t_gen, delta_t, mp_laplace, mp_moment")
    p.add_argument("formula", nargs="?", help="the candidate, e.g. \"log(1/(1-sqrt(lam)))/(2*lr*(1-sqrt(lam))**2)\"")
    p.add_argument("--grid", action="append", type=_assignment, default=[], metavar="NAME=V1,V2,...",
                   help="a grid axis (repeat for a product grid)")
    p.add_argument("--set", action="append", type=_assignment, default=[], metavar="NAME=V",
                   help="a fixed parameter (default: the model's defaults, lr = 0.01, d_out = 1, ...)")
    p.add_argument("--tol", type=float, help="exit status 1 if some |relative error| exceeds this")
    p.add_argument("--plot", metavar="FILE", help="save |relative error| against the first grid axis (needs matplotlib)")
    p.add_argument("--list", action="store_true", help="list the quantities and their parameters")
    add_format_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grok_theory.candidate import QUANTITIES, check_candidate

    if args.list:
        for q in QUANTITIES.values():
            params = ", ".join(n if d is None else f"{n}={d}" for n, d in q.parameters.items())
            print(f"{q.name:12s} {q.description}\n{'':12s} parameters: {params}")
        return 0
    if not args.quantity or not args.formula:
        raise ValueError("give a QUANTITY and a FORMULA (see --list and --help)")
    fixed = {}
    for name, values in args.set:
        if len(values) != 1:
            raise ValueError(f"--set {name} takes one value, got {len(values)}")
        fixed[name] = values[0]
    grid = dict(args.grid)
    result = check_candidate(args.quantity, args.formula, grid, fixed)
    rows = [[*(r[a] for a in result.axes), r["exact"], r["candidate"], r["rel_error"]] for r in result.rows()]
    headers = [*result.axes, "exact", "candidate", "rel_error"]
    if args.json:
        print_json(result.to_json())
    elif args.csv:
        print_csv(headers, rows)
    else:
        print(f"{args.quantity} vs {result.candidate}")
        print_table(headers, rows)
        w = result.worst
        print(f"\nworst |relative error| = {abs(w['rel_error']):.3g} at "
              + ", ".join(f"{a}={w[a]}" for a in result.axes)
              + (f"; undefined at {result.undefined} point(s)" if result.undefined else ""))
    if args.plot:
        try:
            result.plot(args.plot)
        except ImportError as exc:  # MissingMatplotlib: the table is printed, the plot needs the extra
            raise ValueError(f"--plot: {exc}") from None
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.tol is not None and (result.undefined or result.max_abs_rel_error > args.tol):
        print(f"grok-theory check: |relative error| {result.max_abs_rel_error:.3g} exceeds --tol {args.tol:g}"
              + (f" or the candidate is undefined at {result.undefined} point(s)" if result.undefined else ""),
              file=sys.stderr)
        return 1
    return 0
