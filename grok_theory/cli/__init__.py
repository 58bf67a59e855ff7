"""Command-line interface: ``grok-theory <command> ...`` (also ``python -m grok_theory``).

Each command lives in its own module of this package and exposes ``register(subparsers)``,
which adds a sub-parser whose ``func`` attribute takes the parsed arguments and returns an
exit code. User errors (``ValueError``/``TypeError`` from parameter checks) print one line to
stderr and exit with status 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: command modules, in the order they appear in ``--help``
COMMAND_MODULES = ("mp", "curves", "grok_time", "simulate", "dichotomy")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grok-theory",
        description="Exactly solvable theory of grokking (Levi, Beck & Bar-Sinai 2024 and relatives).",
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
    except (ValueError, TypeError) as exc:
        print(f"grok-theory {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
