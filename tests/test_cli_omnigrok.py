"""CLI: ``landscape`` and ``large-init`` commands."""
from __future__ import annotations

import json

import mpmath
import pytest

from grok_theory.linear import large_init as li
from grok_theory.cli import main
from grok_theory.linear.landscape import ReducedLandscape
from grok_theory.linear.model import TeacherStudent


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_landscape_json_matches_library(capsys):
    code, out, _ = run(capsys, "landscape", "--lam", "2", "--label-noise", "0.3", "--norm2", "0.2", "1.5", "--json")
    assert code == 0
    data = json.loads(out)
    ref = ReducedLandscape(2.0, label_noise=0.3).at_norm([0.2, 1.5])
    assert [r["gen_loss"] for r in data["rows"]] == pytest.approx(list(ref.gen), rel=1e-14)
    assert data["goldilocks"]["mu"] == pytest.approx(2 * 0.09 / 0.5)


def test_landscape_dps_keeps_digits(capsys):
    code, out, _ = run(capsys, "landscape", "--lam", "0.5", "--mu", "0.1", "--dps", "30", "--json")
    assert code == 0
    row = json.loads(out)["rows"][0]
    ref = ReducedLandscape(0.5).at_multiplier("0.1", dps=40)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(row["gen_loss"]) - ref.gen) < mpmath.mpf(10) ** -28 * ref.gen
        assert mpmath.mpf(row["mu"]) == mpmath.mpf("0.1")


def test_landscape_table_and_errors(capsys):
    code, out, _ = run(capsys, "landscape", "--lam", "2")
    assert code == 0 and "knee: norm2=0.25" in out
    code, _, err = run(capsys, "landscape", "--lam", "2", "--norm2", "1", "--dps", "20")
    assert code == 2 and "--dps needs --mu" in err
    code, _, err = run(capsys, "landscape", "--lam", "2", "--mu", "-1")
    assert code == 2 and "mu must be" in err


def test_large_init_json_matches_library(capsys):
    code, out, _ = run(capsys, "large-init", "--lam", "2", "--init-scale", "3", "10", "--weight-decay", "1e-2",
                       "--lr", "0.05", "--dynamics", "gd", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    for row, alpha in zip(rows, (3.0, 10.0)):
        m = TeacherStudent(2.0, lr=0.05, weight_decay=1e-2, init_scale=alpha, dynamics="gd")
        assert row["t_gen"] == pytest.approx(li.generalisation_time(m, 1e-3), rel=1e-12)
        assert row["t_gen_law"] == pytest.approx(li.generalisation_time_law(m, 1e-3), rel=1e-12)


def test_large_init_table(capsys):
    code, out, _ = run(capsys, "large-init", "--lam", "2", "--init-scale", "10", "--weight-decay", "1e-2", "--lr", "0.05",
                       "--criterion", "absolute", "--delta", "0.3")
    assert code == 0 and "t_gen" in out and "criterion=absolute" in out


def test_large_init_csv_matches_library(capsys):
    """--csv prints a header row and one full-precision row per init scale (it used to be ignored)."""
    import csv
    import io

    code, out, _ = run(capsys, "large-init", "--lam", "2", "--init-scale", "3", "10", "--weight-decay", "1e-2",
                       "--lr", "0.05", "--dynamics", "gd", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["init_scale"]) for r in rows] == [3.0, 10.0]
    for row, alpha in zip(rows, (3.0, 10.0)):
        m = TeacherStudent(2.0, lr=0.05, weight_decay=1e-2, init_scale=alpha, dynamics="gd")
        assert float(row["t_gen"]) == li.generalisation_time(m, 1e-3)  # repr round-trips exactly
        assert float(row["w0"]) == pytest.approx(alpha * (0.5 / 2) ** 0.5, rel=1e-15)


def test_figures_registered():
    from grok_theory.figures import omnigrok as plots_omnigrok

    assert set(plots_omnigrok.FIGURES) == {"omnigrok-lu", "omnigrok-time", "tanhuang-schedule"}
    assert all(callable(f) for f in plots_omnigrok.FIGURES.values())
