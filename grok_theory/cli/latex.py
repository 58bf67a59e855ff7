"""``grok-theory latex [SOURCE ...] --out DIR``: export formulas as LaTeX (document and snippets), Markdown and JSON."""
from __future__ import annotations

import argparse

from grok_theory.cli._sources import add_source_argument, catalogue_and_plugins, load_sources
from grok_theory.symbolic import latex

EXAMPLES = """examples:
  grok-theory latex --out formulas/         # formulas.tex, formulas.md, formulas.json, snippets/<id>.tex
  cd formulas && pdflatex formulas.tex
  grok-theory latex my_derivations.py --out mine/   # your own derivations (a file or module defining derivations())
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("latex", help="export formulas as LaTeX, Markdown and JSON",
                              description="Write formulas.tex (a complete document, each formula with \\label{<id>}, "
                              "its assumptions and source), formulas.md, formulas.json (with each formula's SymPy "
                              "srepr, reloadable exactly) and one snippets/<id>.tex per formula — of the built-in "
                              "catalogue (and installed plugins) or of the given SOURCEs.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_argument(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    derivations = load_sources(args.source) if args.source else catalogue_and_plugins()
    written = latex.export(args.out, derivations)
    n = sum(1 for p in written if p.parent.name == "snippets")
    print(f"wrote {args.out}/formulas.tex, formulas.md, formulas.json and {n} snippets in {args.out}/snippets/")
    return 0
