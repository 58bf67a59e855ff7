"""Command-line interface: ``grok-theory <command> ...`` (also ``python -m grok_theory``).

Each command lives in its own module of this package and exposes ``register(subparsers)``,
which adds a sub-parser whose ``func`` attribute takes the parsed arguments and returns an
exit code. Only the module of the command being run is imported (``grok-theory --help`` imports
none of them): the other commands appear in the parser as stubs carrying their one-line summary
from :data:`COMMANDS`.

User errors (``ValueError``/``TypeError`` from parameter checks, and command-line syntax errors)
print one line to stderr naming the command and exit with status 2; a closed output pipe
(``grok-theory verify --list | head``) ends the command quietly; ``--help`` on every command shows
examples.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

#: command name -> (module in this package, one-line summary shown by ``grok-theory --help``),
#: in the order of ``--help``. The summary must equal the ``help=`` the module registers (tested).
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("verify", "re-run every derivation and numeric/simulation check"),
    "formula": ("formula", "show one formula (text, --latex, --sympy, --srepr, --steps)"),
    "latex": ("latex", "export formulas as LaTeX, Markdown and JSON"),
    "check": ("check", "check a candidate formula against the exact theory on a grid"),
    "mp": ("mp", "Marchenko-Pastur Laplace transforms E[nu^power e^{-s nu}] (float64 or any precision)"),
    "curves": ("curves", "train/generalisation loss, weight norm and accuracies at given times"),
    "grok-time": ("grok_time", "train/generalisation crossing times and their difference"),
    "simulate": ("simulate", "train the linear teacher-student model by real GD and compare with theory"),
    "reproduce": ("reproduce", "redraw the papers' figures (theory against simulations)"),
    "landscape": ("landscape", "reduced landscape: min train loss and its test loss at fixed ||S||"),
    "large-init": ("large_init", "generalisation time after large initialisation with weight decay"),
    "dichotomy": ("dichotomy", "Lyu et al. 2024: kernel -> rich transition (diagonal nets, matrix completion)"),
    "separability": ("separability", "Beck et al. 2025: logistic grokking at the edge of separability"),
    "thermal": ("thermal", "Langevin/SGLD noise: loss fluctuations, dimensions, grokking times"),
}

#: command modules, in the order they appear in ``--help``
COMMAND_MODULES = tuple(module for module, _ in COMMANDS.values())

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


def _version() -> str:
    from grok_theory import __version__

    return f"grok-theory {__version__}"


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``grok-theory`` parser.

    Parameters
    ----------
    commands : sequence of str, optional
        Register only these commands in full (importing their modules); the others are stubs
        with their summary. ``None`` registers every command (for documentation and tests).
    """
    parser = OneLineErrorParser(
        prog="grok-theory",
        description="Exactly solvable theory of grokking (Levi, Beck & Bar-Sinai 2024 and relatives).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if commands is None or name in commands:
            importlib.import_module(f"{__name__}.{module}").register(sub)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the first argument that is not an option), if any."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _quiet_broken_pipe() -> int:
    """The reader of our stdout has gone (``... | head``): drop further output, exit like SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (e.g. captured in tests)
        pass
    return 141


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        command = _command_in(argv)
        parser = build_parser([command] if command else [])
        args = parser.parse_args(argv)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    name = " ".join(filter(None, (args.command, getattr(args, "what", None))))
    from grok_theory.mp.angle_rule import QuadratureError

    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (ValueError, TypeError, QuadratureError, OSError) as exc:  # OSError: e.g. an unwritable --out
        print(f"grok-theory {name}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"grok-theory {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
