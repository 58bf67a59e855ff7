"""Rich display of result objects in Jupyter (``_repr_html_``): small HTML tables, no dependencies."""
from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any


def cell(v: Any) -> str:
    """A table cell: numbers to 6 significant digits, ∞ for infinities, escaped text otherwise."""
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return html.escape(str(v))
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return "nan" if math.isnan(x) else f"{x:.6g}"


def html_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], max_rows: int = 20) -> str:
    """An HTML table with a caption; beyond ``max_rows`` rows the middle is elided (first and last kept)."""
    rows = list(rows)
    if len(rows) > max_rows:
        half = max_rows // 2
        rows = rows[:half] + [["⋮"] * len(headers)] + rows[-half:]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return (f"<table><caption style='text-align:left'>{html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def summary(v: Any, width: int = 60) -> str:
    """One short text for a field value: arrays as shape and finite range, numbers to 6 digits."""
    import numpy as np

    if isinstance(v, np.ndarray):
        if v.size <= 4:
            return np.array2string(v, precision=6, separator=", ")
        if v.dtype.kind in "fiu":
            finite = v[np.isfinite(v)] if v.dtype.kind == "f" else v
            rng = f" in [{finite.min():.4g}, {finite.max():.4g}]" if finite.size else " (no finite value)"
            return f"array{v.shape}{rng}"
        return f"array{v.shape} of {v.dtype}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if type(v).__name__ == "mpf":
        import mpmath

        return mpmath.nstr(v, 15)
    if isinstance(v, dict) and len(v) > 6:
        return "{" + ", ".join(map(str, list(v)[:6])) + f", … ({len(v)} keys)}}"
    if isinstance(v, (list, tuple)) and len(v) > 6:
        return f"{type(v).__name__} of {len(v)}"
    text = repr(v)
    return text if len(text) <= width else text[:width - 1] + "…"


def _fields(obj: Any) -> list[tuple[str, Any]]:
    import dataclasses

    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]


def field_repr(self: Any) -> str:
    """``__repr__`` for result dataclasses: every field on one line, arrays summarised by shape and range
    (assign ``__repr__ = field_repr`` in the class body; ``@dataclass`` keeps it)."""
    return f"{type(self).__name__}(" + ", ".join(f"{k}={summary(v)}" for k, v in _fields(self)) + ")"


def field_html(self: Any) -> str:
    """``_repr_html_`` for result dataclasses: a table of the fields (arrays summarised)."""
    return html_table(type(self).__name__, ["field", "value"], [[k, summary(v, 120)] for k, v in _fields(self)],
                      max_rows=60)
