"""Shared output helpers for the CLI: aligned tables, JSON, CSV, number formatting."""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import mpmath

from grok_theory.mp.precision import context, prec_of


def fmt_number(x: Any, dps: int | None = None) -> Any:
    """JSON-ready number: float for the float64 path, decimal string of ``dps`` digits else.

    Infinities and NaN become the strings ``"inf"``, ``"-inf"``, ``"nan"``.
    """
    if dps is not None:
        if isinstance(x, (mpmath.mpf, int, float)):
            ctx = context(prec_of(dps + 5))  # private: mpf(x) at the global 15 digits would round x to double
            return ctx.nstr(ctx.convert(x), dps, strip_zeros=False)
        return str(x)
    if isinstance(x, (mpmath.mpf,)):
        x = float(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned plain-text table (numbers formatted with 12 significant digits)."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.12g}"
        if isinstance(v, mpmath.mpf):
            return mpmath.nstr(v, 20)
        return str(v)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths)))
    for r in text:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2))


def number_arguments(name: str, values: Sequence[str], dps: int | None) -> list[Any]:
    """Validate numeric command-line strings: floats on the float64 path, the exact strings with ``--dps``.

    Raises ValueError naming the flag for anything that is not a finite real number.
    """
    out = []
    for v in values:
        try:
            x = float(v)
        except ValueError:
            raise ValueError(f"{name} must be a real number, got {v!r}") from None
        if not math.isfinite(x):
            raise ValueError(f"{name} must be finite, got {v!r}")
        out.append(v if dps is not None else x)
    return out


def add_format_arguments(p: argparse.ArgumentParser) -> None:
    """The output-format flags every table-printing command shares: ``--json`` or ``--csv``."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="machine-readable JSON output")
    g.add_argument("--csv", action="store_true", help="comma-separated table (header row first, full precision)")


def csv_cell(v: Any, dps: int | None = None) -> str:
    """A CSV field: floats round-trip exactly (``repr``), mpmath numbers to ``dps`` digits, None empty."""
    if v is None:
        return ""
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, dps or 20, strip_zeros=False)
    if isinstance(v, float):
        return repr(float(v))  # numpy 2 reprs np.float64 as "np.float64(…)"
    return str(v)


def print_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], dps: int | None = None) -> None:
    """Print a CSV table (RFC 4180 quoting) to stdout."""
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(headers)
    for row in rows:
        w.writerow([csv_cell(v, dps) for v in row])


def gd_steps(text: str) -> int:
    """argparse type for a number of GD steps: a whole number >= 0, written as ``1000`` or ``1e3``."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of GD steps, got {text!r}") from None
    if not (math.isfinite(x) and x >= 0 and x == int(x)):
        raise argparse.ArgumentTypeError(f"must be a whole number of GD steps >= 0, got {text!r}")
    return int(x)


def add_executor_arguments(p: argparse.ArgumentParser, what: str) -> None:
    """``--workers N`` (a local process pool) and ``--scheduler ADDRESS`` (a Dask cluster) for sweeps."""
    g = p.add_argument_group("parallel runs (results identical to the serial run)")
    ex = g.add_mutually_exclusive_group()
    ex.add_argument("--workers", type=int, default=None, metavar="N",
                    help=f"split the {what} across N local worker processes (one BLAS thread each)")
    ex.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help=f"split the {what} across a running Dask cluster, e.g. tcp://host:8786 "
                    "(pip install 'grok-theory[dask]')")
