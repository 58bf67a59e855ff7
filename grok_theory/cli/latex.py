"""``grok-theory latex``: export every formula as LaTeX (document and snippets), Markdown and JSON."""
from __future__ import annotations

import argparse

from grok_theory.symbolic import latex, registry

EXAMPLES = """examples:
  grok-theory latex --out formulas/         # formulas.tex, formulas.md, formulas.json, snippets/<id>.tex
  cd formulas && pdflatex formulas.tex
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("latex", help="export every formula as LaTeX, Markdown and JSON",
                              description="Write formulas.tex (a complete document, each formula with \\label{<id>}, "
                              "its assumptions and source), formulas.md, formulas.json (with each formula's SymPy "
                              "srepr, reloadable exactly) and one snippets/<id>.tex per formula.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    written = latex.export(args.out, registry.all_derivations())
    n = sum(1 for p in written if p.parent.name == "snippets")
    print(f"wrote {args.out}/formulas.tex, formulas.md, formulas.json and {n} snippets in {args.out}/snippets/")
    return 0
