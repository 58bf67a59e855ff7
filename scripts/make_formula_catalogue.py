"""Regenerate docs/formulas.md, the formula catalogue, from the registry and the recorded verify run.

    python scripts/make_formula_catalogue.py     # after adding or changing a formula
    python scripts/record_verify_status.py       # re-runs verify first (~3 minutes), then this

Every formula's section shows its status, the numbers measured by each of its checks and the
seconds it took, as recorded by the last verify run in docs/_data/verify_status.json (written by
scripts/record_verify_status.py; nothing here is typed by hand). tests/test_latex.py fails when the
committed catalogue is out of date.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grok_theory.symbolic import latex  # noqa: E402
from grok_theory.symbolic import registry  # noqa: E402

OUT = ROOT / "docs" / "formulas.md"
STATUS = ROOT / "docs" / "_data" / "verify_status.json"
MARKS = {True: "✓", False: "✗", None: "–"}


def escape(text: str) -> str:
    """Plain text as Markdown: every ASCII punctuation character that Markdown could read is escaped."""
    return "".join("\\" + c if c in "\\`*_[]{}<>#+!|$~" else c for c in text)


def cell(x: float | str | None, fmt: str) -> str:
    return "n/a" if x is None else ("exact" if x == "inf" else format(x, fmt))


def load_run(path: Path = STATUS) -> dict:
    """The recorded verify run (docs/_data/verify_status.json)."""
    return json.loads(path.read_text(encoding="utf-8"))


def status_section(rec: dict, date: str) -> str:
    """A formula's recorded verify status and its checks' measured numbers, as Markdown."""
    lines = [f"**Verify status: {rec['status']}** (recorded {date}; {rec['steps']} symbolic steps re-run, "
             f"{rec['seconds']:.1f} s)" + (":" if rec["checks"] else "."), ""]
    for c in rec["checks"]:
        verdict = {True: "holds", None: "skipped", False: "mismatch" if c["kind"] == "printed" else "fails"}[c["ok"]]
        lines.append(f"* {MARKS[c['ok']]} {c['kind']} ({verdict}): {escape(c['note'] or c['description'])}")
    return "\n".join(lines) + "\n"


def preamble(run: dict) -> str:
    """The recorded run's provenance, its counts, and a table of every formula's status."""
    counts = ", ".join(f"{v} {k}" for k, v in run["counts"].items())
    kind = "quick (slow checks skipped)" if run["quick"] else "full (simulation checks included)"
    lines = [f"The verify status of every formula is from the {kind} run `{run['command']}` on {run['date']} "
             f"(grok-theory {run['grok_theory']}, commit `{run['commit']}`, Python {run['python']}): "
             f"{len(run['records'])} formulas, {counts}, in {run['seconds']:.0f} s. "
             "A *mismatch* is a paper's printed equation that disagrees with its derivation "
             "(see [the errata](errata.md)); the derivation and every other check hold.", "",
             "| formula | status | digits vs quadrature | max abs z (simulation) | seconds |",
             "| --- | --- | --- | --- | --- |"]
    for r in run["records"]:
        anchor = r["id"].replace(".", "").lower()  # the heading slug (GitHub and MyST alike)
        lines.append(f"| [`{r['id']}`](#{anchor}) | {r['status']} | {cell(r['digits'], '.1f')} | "
                     f"{cell(r['simulation'], '.2f')} | {r['seconds']:.1f} |")
    return "\n".join(lines) + "\n"


def render(run: dict | None = None) -> str:
    """docs/formulas.md from the registry and the recorded run (default: docs/_data/verify_status.json)."""
    run = load_run() if run is None else run
    date = run["date"][:10]
    sections = {r["id"]: status_section(r, date) for r in run["records"]}
    return latex.markdown(registry.all_derivations(), preamble=preamble(run), sections=sections)


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT} ({len(registry.ids())} formulas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
