"""The command-line interface: outputs, JSON, precision, and one-line user errors (exit 2)."""
from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import pytest

from grok_theory.cli import main
from grok_theory.linear.grokking import grokking_time
from grok_theory.linear.model import TeacherStudent


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_mp_json_matches_library(capsys):
    code, out, _ = run(capsys, "mp", "--lam", "0.9", "--s", "1", "1e6", "--log", "--json")
    assert code == 0
    data = json.loads(out)
    from grok_theory import MarchenkoPastur
    assert data["values"][1]["value"] == pytest.approx(MarchenkoPastur(0.9).log_laplace(1e6), rel=1e-15)


def test_grok_time_json_with_dps(capsys):
    code, out, _ = run(capsys, "grok-time", "--lam", "0.7", "--eps", "1e-6", "--dps", "25", "--json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data["delta"], str) and len(data["delta"].replace(".", "")) >= 25
    ref = grokking_time(TeacherStudent(0.7), 1e-6)
    assert float(data["delta"]) == pytest.approx(ref.delta, rel=1e-9)
    assert mpmath.mpf(data["t_gen"]) > mpmath.mpf(data["t_train"])


def test_curves_table_and_json(capsys):
    code, out, _ = run(capsys, "curves", "--lam", "0.9", "--weight-decay", "1e-3", "--t", "0", "1e4", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    m = TeacherStudent(0.9, weight_decay=1e-3)
    assert rows[1]["gen_loss"] == pytest.approx(m.gen_loss(1e4), rel=1e-14)
    code, out, _ = run(capsys, "curves", "--lam", "0.9", "--t", "10")
    assert code == 0 and "gen_accuracy" in out


@pytest.mark.parametrize("argv,needle", [
    (["mp", "--lam", "-1"], "lam must be a finite real > 0"),
    (["curves", "--lam", "0.5", "--t", "abc"], "t must be a real number"),
    (["grok-time", "--lam", "0.5", "--lr", "5", "--dynamics", "gd"], "unstable"),
    (["grok-time", "--lam", "0.5", "--eps", "0"], "eps must be > 0"),
])
def test_user_errors_one_line_exit_2(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_module_entry_point_and_help():
    out = subprocess.run([sys.executable, "-m", "grok_theory", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for cmd in ("mp", "curves", "grok-time"):
        assert cmd in out.stdout


def test_simulate_one_and_two_layer(capsys):
    code, out, _ = run(capsys, "simulate", "--d-in", "40", "--lam", "0.8", "--t", "0", "50", "--seeds", "3", "--json")
    assert code == 0 and len(json.loads(out)["gen_loss_sim"]) == 2
    code, out, _ = run(capsys, "simulate", "--d-in", "30", "--lam", "0.5", "--d-h", "20", "--t", "0", "50",
                       "--seeds", "2", "--json")
    data = json.loads(out)
    assert code == 0 and {"gen_loss_frozen", "gen_loss_coupled"} <= set(data)
