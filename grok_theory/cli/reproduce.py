"""``grok-theory reproduce``: redraw the papers' figures (PNG and PDF) from theory and simulations."""
from __future__ import annotations

import argparse

from grok_theory.cli._output import add_executor_arguments
from grok_theory.figures.reproduce import MissingMatplotlib, render, summaries
from grok_theory.parallel import executor_from

EXAMPLES = """examples:
  grok-theory reproduce fig1 --quick              one figure, small simulations (< 1 minute)
  grok-theory reproduce all --quick --out figs    every figure into figs/
  grok-theory reproduce fig4 --out paper          the paper's sizes (slow; progress on stderr)
  grok-theory reproduce all --out figs --workers 2   the paper's sizes, two figures at a time
  grok-theory reproduce --list                    the available figure names

needs the plot extra: pip install 'grok-theory[plot]'
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("reproduce", help="redraw the papers' figures (theory against simulations)",
                              description="Draw figures of Levi et al. (2024) and related papers: exact theory curves "
                              "against seed means of real gradient-descent simulations. Writes NAME.png and NAME.pdf.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", metavar="NAME", help="figure names (fig1 ... fig6 and others: see --list) or 'all'")
    p.add_argument("--out", default=".", help="output directory (default: the current directory)")
    p.add_argument("--quick", action="store_true", help="small simulations and grids (each figure < 1 minute)")
    p.add_argument("--format", nargs="+", default=["png", "pdf"], choices=("png", "pdf", "svg"),
                   help="file formats (default: png pdf)")
    p.add_argument("--list", action="store_true", help="list the available figures and exit")
    add_executor_arguments(p, "figures (one figure: its seeds, grid rows or networks)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.list:
            for name, summary in summaries().items():
                print(f"{name:20s} {summary}")
            return 0
        if not args.names:
            raise ValueError("give one or more figure names, or 'all' (see --list)")
        with executor_from(args.workers, args.scheduler) as executor:
            render(args.names, args.out, quick=args.quick, formats=tuple(args.format), executor=executor)
    except MissingMatplotlib as exc:
        raise ValueError(str(exc)) from None
    return 0
