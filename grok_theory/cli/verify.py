"""``grok-theory verify [SOURCE ...]``: run every derivation and every numeric, simulation and printed-equation check."""
from __future__ import annotations

import argparse
import sys
import time

from grok_theory.cli._output import add_format_arguments, print_csv, print_json
from grok_theory.cli._sources import add_source_argument, catalogue_and_plugins, load_sources
from grok_theory.symbolic import registry
from grok_theory.symbolic.verify import verify

EXAMPLES = """examples:
  grok-theory verify                   # everything (simulations included; a few minutes)
  grok-theory verify --quick           # skip the slow simulation checks (under a minute)
  grok-theory verify --id levi2024.eq9 levi2024.eq16 --json
  grok-theory verify --quick --csv > verify.csv   # the table as CSV (columns as in --json)
  grok-theory verify --list            # the formula ids (catalogue, then installed plugins)
  grok-theory verify my_derivations.py # your own derivations (a file or module defining derivations())
  grok-theory verify mypkg.derivs --id me.eq1 --notes

status: pass | fail | mismatch (the paper's printed equation disagrees with the derivation;
see docs/errata.md) | n/a. Exit status 1 if any formula fails.
"""

HEADERS = ("id", "status", "steps", "digits", "sim |z|", "seconds", "source")
#: the CSV columns: the table's, named as the fields of ``--json`` (digits ``inf`` = exact agreement; empty = n/a)
CSV_FIELDS = ("id", "status", "steps", "digits", "simulation", "seconds", "source")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="re-run every derivation and numeric/simulation check",
                              description="Re-run every SymPy derivation, compare each library implementation with "
                              "independent high-precision quadrature, each theory with simulations of real "
                              "gradient descent, and each printed equation of the papers with its derivation.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_argument(p)
    p.add_argument("--quick", action="store_true", help="skip slow checks (simulations at scale)")
    p.add_argument("--id", nargs="+", metavar="ID", help="verify only these formula ids")
    add_format_arguments(p)
    p.add_argument("--list", action="store_true", help="list the formula ids and exit")
    p.add_argument("--notes", action="store_true", help="print every check's note (default: failures and mismatches)")
    p.set_defaults(func=run)


def _cell(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else ("exact" if x == float("inf") else format(x, fmt))


def _list(args: argparse.Namespace) -> None:
    if args.source:
        for d in load_sources(args.source):
            print(d.id)
        return
    for fid in registry.ids():
        print(fid)
    for fid, plugin in registry.plugin_ids().items():
        print(f"{fid}  [plugin {plugin}]")


def run(args: argparse.Namespace) -> int:
    if args.list:
        _list(args)
        return 0
    pool = load_sources(args.source) if args.source else None
    try:
        if pool is not None:  # the user's sources: --id selects among them
            known = [d.id for d in pool]
            for i in args.id or ():
                if i not in known:
                    raise registry.unknown_id(i, known)
            ids = args.id
        elif args.id:  # builds only the modules defining these ids
            pool = [registry.get(i) for i in args.id]
            ids = [d.id for d in pool]
        else:
            ids, pool = None, catalogue_and_plugins()
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    start = time.perf_counter()
    widths = (30, 8, 5, 7, 7, 7)

    def show(rec) -> None:
        cells = (rec.id, rec.status, str(rec.steps), _cell(rec.digits, ".1f"), _cell(rec.simulation, ".2f"),
                 f"{rec.seconds:.1f}", rec.source or "")
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths + (0,))).rstrip(), flush=True)
        if args.notes or rec.status in ("fail", "mismatch"):
            for part in rec.note.split(" | "):
                if part:
                    print(f"    {part}", flush=True)

    table = not (args.json or args.csv)
    if table:
        print("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths + (0,))).rstrip())
    records = list(verify(ids, quick=args.quick, on_record=show if table else None, derivations=pool))
    counts = {s: sum(r.status == s for r in records) for s in ("pass", "fail", "mismatch", "n/a")}
    if args.json:
        print_json([r.to_json() for r in records])
    elif args.csv:
        print_csv(CSV_FIELDS, [[getattr(r, f) for f in CSV_FIELDS] for r in records])
    else:
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"\n{len(records)} formulas: {summary} in {time.perf_counter() - start:.0f} s"
              + (" (--quick: slow checks skipped)" if args.quick else ""))
    if counts["fail"]:
        print(f"grok-theory verify: {counts['fail']} formula(s) failed", file=sys.stderr)
        return 1
    return 0
