"""Issue 16: start-up cost, CLI consistency, progress, executors (processes and Dask), test command."""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from grok_theory import cli
from grok_theory.cli import COMMANDS, build_parser, main
from grok_theory.simulation import Progress

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def modules_after(code: str) -> set[str]:
    """The modules loaded by ``code`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


# --- start-up -----------------------------------------------------------------------------------

def test_import_loads_no_numerics():
    loaded = modules_after("import grok_theory")
    assert not {"numpy", "sympy", "scipy", "mpmath"} & loaded


def test_help_imports_no_command_module():
    loaded = modules_after("import contextlib, io\nfrom grok_theory.cli import main\n"
                           "with contextlib.redirect_stdout(io.StringIO()):\n    main([])")
    assert not {m for m in loaded if m.startswith("grok_theory.cli.")}
    assert not {"numpy", "sympy", "scipy"} & loaded


def test_grok_time_imports_neither_sympy_nor_scipy_integrate():
    loaded = modules_after("import contextlib, io\nfrom grok_theory.cli import main\n"
                           "with contextlib.redirect_stdout(io.StringIO()):\n    main(['grok-time', '--lam', '0.9'])")
    assert "grok_theory.cli.grok_time" in loaded
    assert not {"sympy", "scipy.integrate", "grok_theory.cli.verify"} & loaded


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    from grok_theory import __version__
    assert capsys.readouterr().out.strip() == f"grok-theory {__version__}"


def test_stub_summaries_are_the_registered_help():
    """--help lists the commands from COMMANDS without importing them: the text must be the module's."""
    full = build_parser()
    action = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    registered = {a.dest: a.help for a in action._choices_actions}
    assert registered == {name: summary for name, (_, summary) in COMMANDS.items()}
    lazy = build_parser([])
    assert lazy.format_help() == full.format_help()


# --- CLI consistency ----------------------------------------------------------------------------

def walk(parser: argparse.ArgumentParser, name: str = "grok-theory"):
    yield name, parser
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for sub_name, sub in a.choices.items():
                yield from walk(sub, f"{name} {sub_name}")


def test_every_option_has_help_and_every_parser_examples():
    for name, p in walk(build_parser()):
        assert "examples:" in (p.epilog or ""), name
        for a in p._actions:
            if a.option_strings and not isinstance(a, (argparse._HelpAction, argparse._VersionAction)):
                assert a.help and a.help.strip(), (name, a.option_strings)


def test_every_table_command_takes_csv():
    """A command (or dichotomy subcommand) with --json also has --csv (verify included: its table's rows)."""
    for name, p in walk(build_parser()):
        opts = {o for a in p._actions for o in a.option_strings}
        if "--json" in opts:
            assert "--csv" in opts, name


def test_lambda_means_d_in_over_n_tr_in_help():
    """λ/lambda in help text only as d_in/N_tr (weight decay is γ)."""
    for name, p in walk(build_parser()):
        for a in p._actions:
            text = a.help or ""
            if re.search(r"λ|\blambda\b", text):
                assert "d_in/N_tr" in text, (name, a.option_strings, text)
        text = p.format_help()
        assert not re.search(r"weight[ -]decay\s*\(?λ|λ\s*=\s*α|λ values|λ → 0", text), name  # λ as weight decay


@pytest.mark.parametrize("argv", [
    ["landscape", "--lam", "2", "--norm2", "0.1", "1", "--csv"],
    ["dichotomy", "normaliser", "--alpha", "10", "30", "--csv"],
    ["dichotomy", "matrix", "--d", "8", "--fraction", "0.4", "--steps", "10", "100", "--csv"],
])
def test_csv_tables(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 and all(v not in ("", None) for r in rows for v in r.values())
    json_code, json_out, _ = run(capsys, *[a for a in argv if a != "--csv"], "--json")
    assert json_code == 0 and json.loads(json_out)


@pytest.mark.parametrize("argv, prefix, needle", [
    (["curves", "--lam", "0.9", "--t", "10.5", "--dynamics", "gd"], "grok-theory curves: error:", "whole GD steps"),
    (["dichotomy", "matrix", "--fraction", "2"], "grok-theory dichotomy matrix: error:", "fraction"),
    (["dichotomy", "matrix", "--d", "x"], "grok-theory dichotomy matrix: error:", "--d"),
    (["simulate", "--d-in", "10", "--lam", "0.9", "--workers", "0"], "grok-theory simulate: error:", "workers"),
    (["grok-time", "--lam", "-1"], "grok-theory grok-time: error:", "lam"),
])
def test_errors_are_one_line_naming_the_subcommand(capsys, argv, prefix, needle):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(prefix) and needle in err, err


def test_whole_gd_times_still_accepted(capsys):
    code, out, _ = run(capsys, "curves", "--lam", "0.9", "--t", "1e3", "10", "--dynamics", "gd", "--csv")
    assert code == 0 and len(out.splitlines()) == 3


def test_closed_pipe_is_quiet():
    """``grok-theory ... | head``: the reader goes away; no traceback, no 'Broken pipe' message."""
    proc = subprocess.Popen([sys.executable, "-m", "grok_theory", "mp", "--lam", "0.9", "--s", *(["1"] * 200)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command writes anything
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == "" and proc.returncode == 141, (proc.returncode, err)


def test_readme_and_ci_run_the_same_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    command = re.search(r'^python -m pip install --quiet -e "\.\[test\]" && (python -m pytest.*)$', ci, re.M).group(1)
    assert f'python -m pip install --quiet -e ".[test]" && {command}' in readme
    assert "-n 2" not in re.search(r"addopts = \"(.*)\"", (ROOT / "pyproject.toml").read_text()).group(1)
    assert "import xdist" in command  # -n 2 only when pytest-xdist is installed


# --- progress -----------------------------------------------------------------------------------

class CountingTTY(io.StringIO):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, s):
        self.writes += 1
        return super().write(s)

    def isatty(self):
        return True


def test_progress_is_throttled(monkeypatch):
    pytest.importorskip("tqdm")
    err = CountingTTY()
    monkeypatch.setattr(sys, "stderr", err)
    bar = Progress(20_000, True, label="seeds")
    for _ in range(20_000):
        bar.step()
    assert bar.done == 20_000 and 0 < err.writes < 100, err.writes


def test_progress_fallback_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails
    err = CountingTTY()
    monkeypatch.setattr(sys, "stderr", err)
    auto = Progress(5000, None, after=0.0)
    for _ in range(5000):
        auto.step()
    assert err.getvalue() == ""  # automatic bar: quiet without tqdm
    shown = Progress(5000, True)
    for _ in range(5000):
        shown.step()
    lines = err.getvalue().splitlines()
    assert 1 <= len(lines) <= 3 and lines[-1].startswith("simulate: 5000/5000 seeds"), lines


# --- executors ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2) as ex:
        yield ex


def test_phase_diagram_on_executor_equals_serial(pool):
    from grok_theory.linear.grokking import phase_diagram

    args = (("lam", np.linspace(0.2, 1.8, 7)), ("weight_decay", [0.0, 1e-3, 1e-2]))
    serial, parallel = phase_diagram(*args), phase_diagram(*args, executor=pool)
    for k in ("x_values", "y_values", "delta", "t_train", "t_gen"):
        assert np.array_equal(getattr(serial, k), getattr(parallel, k)), k
    assert (serial.x_name, serial.y_name) == (parallel.x_name, parallel.y_name)


def test_d_out_max_on_executor_equals_serial(pool):
    from grok_theory.linear.grokking import d_out_max

    assert d_out_max(0.9, 1e-2, lr=0.1, executor=pool) == d_out_max(0.9, 1e-2, lr=0.1)


def test_simulations_on_executor_equal_serial(pool):
    from grok_theory.linear.simulate import simulate_linear, simulate_two_layer

    kw = dict(lam=0.9, t=[0, 10, 100], seeds=range(5))
    serial, parallel = simulate_linear(60, **kw), simulate_linear(60, executor=pool, **kw)
    assert parallel.seeds == serial.seeds and parallel.params == serial.params
    for k in ("t", "train_loss", "gen_loss", "gen_loss_test", "train_accuracy", "test_accuracy", "weight_norm"):
        assert np.array_equal(getattr(serial, k), getattr(parallel, k)), k
    two = dict(t=[0, 10], seeds=range(3))
    a, b = simulate_two_layer(20, 0.9, 10, **two), simulate_two_layer(20, 0.9, 10, executor=pool, **two)
    for k in ("train_loss", "gen_loss_test", "a0", "a1", "d0_norm2", "teacher_norm2"):
        assert np.array_equal(getattr(a, k), getattr(b, k)), k


def test_cli_workers_equal_serial(capsys):
    argv = ["simulate", "--d-in", "40", "--lam", "0.9", "--seeds", "4", "--t", "0", "10", "--csv"]
    code, serial, _ = run(capsys, *argv)
    code2, parallel, _ = run(capsys, *argv, "--workers", "2")
    assert code == code2 == 0 and serial == parallel


def test_render_on_executor(monkeypatch, tmp_path):
    """reproduce.render: same files, one task per figure (a thread pool here: the figure is patched in)."""
    pytest.importorskip("matplotlib")
    from grok_theory.figures import reproduce

    def tiny(quick):
        fig, ax = reproduce.pyplot().subplots(figsize=(2, 2))
        ax.plot([0, 1], [1, 0], label="theory")
        return fig

    monkeypatch.setattr(reproduce, "figures", lambda: {"tiny": tiny, "tiny2": tiny})
    serial = reproduce.render(["tiny", "tiny2"], tmp_path / "a", formats=("png",), log=lambda m: None)
    with ThreadPoolExecutor(1) as ex:
        parallel = reproduce.render(["tiny", "tiny2"], tmp_path / "b", formats=("png",), log=lambda m: None, executor=ex)
    assert [p.name for p in serial] == [p.name for p in parallel] == ["tiny.png", "tiny2.png"]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(serial, parallel))


def test_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    from grok_theory.linear.grokking import phase_diagram
    from grok_theory.linear.simulate import simulate_linear

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ex = client.get_executor()
        args = (("lam", np.linspace(0.3, 1.5, 4)), ("d_out", [1, 5]))
        assert np.array_equal(phase_diagram(*args).delta, phase_diagram(*args, executor=ex).delta)
        kw = dict(lam=0.9, t=[0, 10], seeds=range(4))
        assert np.array_equal(simulate_linear(40, **kw).gen_loss, simulate_linear(40, executor=ex, **kw).gen_loss)


def test_scheduler_without_a_cluster_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = run(capsys, "simulate", "--d-in", "10", "--lam", "0.9", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "pip install 'grok-theory[dask]'" in err and err.count("\n") == 1


# --- rich reprs ---------------------------------------------------------------------------------

def test_rich_reprs():
    from grok_theory.linear.grokking import grokking_time, phase_diagram
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.linear.simulate import simulate_linear, simulate_two_layer

    pd = phase_diagram(("lam", np.linspace(0.3, 1.5, 22)), ("weight_decay", np.linspace(0, 0.1, 13)))
    text = pd._repr_html_()
    assert text.count("<tr>") == 1 + 21 and text.count("<th>") == 1 + 12 and "∞" in text and repr(pd) in text
    sim = simulate_linear(20, lam=0.9, t=[0, 10], seeds=range(3))
    text = sim._repr_html_()
    assert text.count("<tr>") == 3 and f"{sim.mean('gen_loss')[1]:.6g}" in text and "3 seeds" in text
    two = simulate_two_layer(10, 0.9, 4, t=[0, 5], seeds=range(2))
    assert f"{two.train_loss[:, 1].mean():.6g}" in two._repr_html_()
    g = grokking_time(TeacherStudent(0.9), 1e-3)
    assert f"{g.delta:.6g}" in g._repr_latex_() and "GrokkingTime(" in repr(g)


def test_figures_doc_covers_every_figure():
    from grok_theory.figures.reproduce import figures

    text = (ROOT / "docs" / "figures.md").read_text(encoding="utf-8")
    for name in figures():
        assert f"`{name}`" in text, name
        image = f"figures/{name}.png"
        if f"({image})" in text:  # every image shown exists
            assert (ROOT / "docs" / image).exists(), name
