"""``grok-theory formula ID [--from SOURCE]``: one formula as text, LaTeX, SymPy or srepr.

Only the module defining ID is imported and built (the registry's id → module index).
"""
from __future__ import annotations

import argparse

import sympy

from grok_theory.cli._sources import SOURCE_HELP, load_sources
from grok_theory.symbolic import latex, registry

EXAMPLES = """examples:
  grok-theory formula levi2024.eq9             # statement, source, assumptions and the result
  grok-theory formula levi2024.eq9 --latex     # LaTeX for a paper
  grok-theory formula levi2024.eq16 --srepr    # exact SymPy representation (reload with sympy.sympify)
  grok-theory formula --list
  grok-theory formula me.sched_dt --from my_derivations.py --latex   # one of your own derivations
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("formula", help="show one formula (text, --latex, --sympy, --srepr, --steps)",
                              description="Show one registered formula by its id.", epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("id", nargs="?", help="formula id, e.g. levi2024.eq9")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="LaTeX of the result")
    fmt.add_argument("--sympy", action="store_true", help="the result as a SymPy expression (str)")
    fmt.add_argument("--srepr", action="store_true", help="SymPy srepr of the result (exact, reloadable)")
    fmt.add_argument("--steps", action="store_true", help="the whole derivation, step by step")
    p.add_argument("--list", action="store_true", help="list the formula ids")
    p.add_argument("--from", dest="source", metavar="SOURCE", help=SOURCE_HELP.replace("default", "default: look ID up in"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list or not args.id:
        if not args.list:
            raise ValueError("give a formula id (see --list)")
        print("\n".join([d.id for d in load_sources([args.source])] if args.source
                        else registry.ids() + list(registry.plugin_ids())))
        return 0
    try:
        if args.source:
            pool = {d.id: d for d in load_sources([args.source])}
            if args.id not in pool:
                raise registry.unknown_id(args.id, list(pool))
            d = pool[args.id]
        elif args.id in registry.INDEX and not args.steps:
            d = registry.entry(args.id)  # display fields from the generated index: nothing is built
        else:
            d = registry.get(args.id)  # builds only the module defining the id (or loads the plugins)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    if args.latex:
        print(latex.to_latex(d.result))
    elif args.sympy:
        print(sympy.sstr(d.result))
    elif args.srepr:
        print(sympy.srepr(d.result))
    elif args.steps:
        print(d.pretty())
    else:
        print(f"{d.id}: {d.statement}")
        if d.source:
            print(f"source: {d.source}")
        for a in d.assumptions:
            print(f"assume: {a}")
        if d.numeric:
            print(f"implemented by: {d.numeric}")
        print(sympy.pretty(d.result, use_unicode=True))
    return 0
