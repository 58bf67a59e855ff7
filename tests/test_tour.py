"""The worked example docs/examples/tour.py runs and prints what the user guide shows."""
from __future__ import annotations

import runpy
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parents[1] / "docs" / "examples" / "tour.py"


def test_tour_runs(capsys):
    pytest.importorskip("matplotlib")
    runpy.run_path(str(TOUR), run_name="__main__")
    out = capsys.readouterr().out
    for needle in ("1. MarchenkoPastur(lam=0.9)", "3. GrokkingTime(t_train=2408.46", "4. SimulationResult(",
                   "5. d_out_max", "6. drew fig6.png"):
        assert needle in out, needle
    guide = (TOUR.parents[1] / "user_guide.md").read_text(encoding="utf-8")
    assert "3. GrokkingTime(t_train=2408.463181, t_gen=22889.74786, delta=20481.28468)" in guide
