"""Command-line interface: ``grok-theory <command> ...`` (also ``python -m grok_theory``).

Each command lives in its own module of this package and exposes ``register(subparsers)``,
which adds a sub-parser whose ``func`` attribute takes the parsed arguments and returns an
exit code. User errors (``ValueError``/``TypeError`` from parameter checks, and command-line
syntax errors) print one line to stderr and exit with status 2; ``--help`` on every command
shows examples.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from grok_theory.mp.angle_rule import QuadratureError

#: command modules, in the order they appear in ``--help``
COMMAND_MODULES = ("verify", "formula", "latex", "check", "mp", "curves", "grok_time", "simulate", "reproduce", "landscape",
                   "large_init", "dichotomy", "separability", "thermal")


EXAMPLES = """examples:
  grok-theory verify --quick                             re-run every derivation and check
  grok-theory formula levi2024.eq9 --latex               one formula, as LaTeX
  grok-theory verify my_derivations.py                   your own derivations through the same checks
  grok-theory check delta_t "log(1/(1-sqrt(lam)))/(2*lr*(1-sqrt(lam))**2)" --grid lam=0.1,0.9 --set eps=1e-3
                                                         a candidate formula vs the exact theory
  grok-theory curves --lam 0.9 --t 1e3 1e4 1e5          exact learning curves
  grok-theory grok-time --lam 0.9 --eps 1e-3             train/generalisation crossing times
  grok-theory simulate --d-in 300 --lam 0.9 --t 0 1e3 1e4  real GD next to the theory
  grok-theory reproduce fig1 --quick                     redraw Levi et al. Fig. 1
  grok-theory separability probability --d 1980 --n 4000  Beck et al.: exact separability probability
  grok-theory COMMAND --help                             options and examples of one command
"""


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:  # noqa: D102 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="grok-theory",
        description="Exactly solvable theory of grokking (Levi, Beck & Bar-Sinai 2024 and relatives).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, QuadratureError, OSError) as exc:  # OSError: e.g. an unwritable --out
        print(f"grok-theory {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"grok-theory {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
