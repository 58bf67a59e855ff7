"""CLI usability (help with examples, --csv, one-line errors, flag spelling) and result reprs."""
from __future__ import annotations

import argparse
import csv
import io
import json

import pytest

from grok_theory import MarchenkoPastur
from grok_theory.cli import build_parser, main
from grok_theory.linear.grokking import grokking_time, phase_diagram
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import simulate_linear


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_help_with_examples():
    subs = subparsers()
    assert {"mp", "curves", "grok-time", "simulate", "reproduce"} <= set(subs)
    for name, p in subs.items():
        text = p.format_help()
        assert "examples:" in text and f"grok-theory {name}" in text.split("examples:")[1], name
    assert "examples:" in build_parser().format_help()


def test_flag_spelling_is_consistent():
    """Long options use hyphens (never underscores); shared parameters have one spelling."""
    spellings: dict[str, set[str]] = {}
    for name, p in subparsers().items():
        for a in p._actions:
            for opt in a.option_strings:
                if opt.startswith("--"):
                    assert "_" not in opt, (name, opt)
                    spellings.setdefault(opt.replace("-", ""), set()).add(opt)
    assert all(len(v) == 1 for v in spellings.values()), spellings


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_curves_csv_round_trips_floats(capsys):
    code, out, _ = run(capsys, "curves", "--lam", "0.9", "--t", "0", "1e4", "--csv")
    assert code == 0
    rows = read_csv(out)
    assert [r["t"] for r in rows] == ["0", "1e4"]
    assert float(rows[1]["gen_loss"]) == TeacherStudent(0.9).gen_loss(1e4)  # repr() is exact


@pytest.mark.parametrize("argv,column", [
    (["mp", "--lam", "0.5", "--s", "1", "10", "--csv"], "E[nu^0 e^(-s nu)]"),
    (["grok-time", "--lam", "0.9", "--csv"], "delta"),
    (["simulate", "--d-in", "30", "--lam", "0.5", "--t", "0", "1e2", "--seeds", "2", "--csv"], "gen_loss_theory"),
])
def test_csv_on_every_table_command(capsys, argv, column):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    rows = read_csv(out)
    assert rows and all(float(r[column]) >= 0 for r in rows)


def test_grok_time_csv_matches_json(capsys):
    _, out_csv, _ = run(capsys, "grok-time", "--lam", "0.7", "--eps", "1e-4", "--csv")
    _, out_json, _ = run(capsys, "grok-time", "--lam", "0.7", "--eps", "1e-4", "--json")
    assert float(read_csv(out_csv)[0]["delta"]) == json.loads(out_json)["delta"]


@pytest.mark.parametrize("argv,needle", [
    (["curves", "--t", "1"], "required: --lam"),
    (["curves", "--lam", "0.9", "--dynamics", "euler"], "invalid choice: 'euler'"),
    (["curves", "--lam", "0.9", "--json", "--csv"], "not allowed with argument"),
    (["simulate", "--d-in", "10", "--lam", "0.5", "--t", "1.5"], "whole number of GD steps"),
    (["nonsense"], "invalid choice: 'nonsense'"),
    (["mp", "--lam", "0.5", "--power", "x"], "invalid int value"),
])
def test_usage_errors_are_one_line_exit_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "usage:" not in err


def test_unwritable_output_directory_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = run(capsys, "reproduce", "fig6", "--quick", "--out", str(blocker / "sub"))
    assert code == 2 and err.startswith("grok-theory reproduce: error:") and err.count("\n") == 1


def test_reprs_are_short_and_informative():
    g = grokking_time(TeacherStudent(0.9), 1e-3)
    assert repr(g).startswith("GrokkingTime(t_train=2408.46")
    latex = g._repr_latex_()
    assert latex.startswith("$") and r"\Delta t = 20481.3" in latex
    assert r"\infty" in grokking_time(TeacherStudent(1.5), 1e-3)._repr_latex_()
    pd = phase_diagram(("lam", [0.5, 1.5]), ("d_out", [1, 2]))
    assert repr(pd).startswith("PhaseDiagram(lam: 2 values") and "2/4 cells never generalise" in repr(pd)
    sim = simulate_linear(30, lam=0.5, t=[0, 10], seeds=range(2))
    r = repr(sim)
    assert len(r) < 400 and "2 seeds × 2 times" in r and "d_in=30" in r
    assert r"\lambda = 0.9" in TeacherStudent(0.9)._repr_latex_()
    assert "3.79737" in MarchenkoPastur(0.9)._repr_latex_()  # λ₊ = (1 + √0.9)²
