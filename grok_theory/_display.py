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
