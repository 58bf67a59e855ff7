"""docs/api.md is generated from the docstrings and must be regenerated when they change."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("make_api_docs", ROOT / "scripts" / "make_api_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_api_reference_is_in_sync():
    script = load_script()
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == script.render(), (
        "docs/api.md is out of date: run python scripts/make_api_docs.py")


def test_api_reference_covers_the_public_api():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in ("TeacherStudent", "crossing_time(", "simulate_linear(", "phase_diagram(", "render(", "fig1("):
        assert name in text, name
    assert " at 0x" not in text  # no memory addresses: the page is reproducible
