"""The outputs shown in README.md and docs/user_guide.md are what the code prints today.

scripts/refresh_doc_outputs.py re-runs every shown example (``>>>`` blocks as doctests, and the
``$ grok-theory ...`` / tour commands whose output is shown) and pastes the real output; this test
runs the same examples and fails on any difference (outputs with timings are not compared).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("refresh_doc_outputs", ROOT / "scripts" / "refresh_doc_outputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["README.md", "docs/user_guide.md"])
def test_shown_outputs_are_current(name):
    pytest.importorskip("matplotlib")  # the tour draws a figure
    script = load_script()
    stale = []

    def compare(what, old, new):
        if old != new:
            stale.append(f"{what}\n  shown: {old}\n  now:   {new}")

    script.refresh(ROOT / name, compare, run_timed=False)
    assert not stale, "run python scripts/refresh_doc_outputs.py:\n" + "\n".join(stale)


def test_the_script_finds_the_examples():
    script = load_script()
    seen = []
    script.refresh(ROOT / "README.md", lambda what, old, new: seen.append(what), run_timed=False)
    assert any("grokking_time(m, eps=1e-3)" in w for w in seen)
    assert any("$ grok-theory grok-time --lam 0.9 --eps 1e-3" in w for w in seen)
