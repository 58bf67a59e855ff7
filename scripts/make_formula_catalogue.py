"""Regenerate docs/formulas.md, the formula catalogue, from the registry (run after adding a formula).

    python scripts/make_formula_catalogue.py

tests/test_latex.py fails when the committed catalogue is out of date.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from grok_theory.symbolic import latex
from grok_theory.symbolic import registry  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "formulas.md"


def main() -> int:
    OUT.write_text(latex.markdown(registry.all_derivations()), encoding="utf-8")
    print(f"wrote {OUT} ({len(registry.ids())} formulas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
