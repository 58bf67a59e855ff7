"""``grok-theory reproduce`` and the figure modules: every figure renders in quick mode."""
from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from grok_theory.figures import reproduce  # noqa: E402
from grok_theory.cli import main  # noqa: E402


def test_every_module_is_collected():
    names = set(reproduce.figures())
    assert {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "omnigrok-lu", "lyu-fig1a", "grokking-time-approx"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(reproduce.figures()))
def test_every_figure_renders_quick(tmp_path, name):
    (path,) = reproduce.render([name], tmp_path, quick=True, formats=("png",), log=lambda msg: None)
    assert path.stem == name
    assert path.stat().st_size > 20_000, path  # a drawn figure, not an empty canvas


def test_cli_writes_png_and_pdf(tmp_path, capsys):
    assert main(["reproduce", "fig6", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "fig6.png").stat().st_size > 20_000
    assert (tmp_path / "fig6.pdf").read_bytes().startswith(b"%PDF")
    assert "fig6: wrote" in capsys.readouterr().err


def test_cli_list(capsys):
    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("fig1") and "Levi Fig. 6" in out


@pytest.mark.parametrize("argv,needle", [
    (["reproduce", "fig99", "--quick"], "unknown figure 'fig99'"),
    (["reproduce"], "give one or more figure names"),
])
def test_cli_user_errors(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_matplotlib_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert main(["reproduce", "fig1", "--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'grok-theory[plot]'" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", sorted(reproduce.figures()))
def test_every_figure_without_matplotlib_raises_the_hint(monkeypatch, name):
    """Each figure function loads matplotlib through reproduce.pyplot before any simulation."""
    fn = reproduce.figures()[name]
    for mod in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, mod, None)  # import -> ImportError
    with pytest.raises(reproduce.MissingMatplotlib, match=r"pip install 'grok-theory\[plot\]'"):
        fn(True)


def test_fig6_shows_the_late_time_series_root():
    """Fig. 6 draws grok_theory.linear.late_time.grokking_time_approx beside the paper's formulas, close to the exact Δt."""
    import matplotlib

    from grok_theory.figures import levi as plots_levi

    matplotlib.use("Agg")
    fig = plots_levi.fig6(quick=True)
    lines = {line.get_label(): line for line in fig.axes[2].get_lines()}
    ours, exact = lines["late-time series root (grok_theory.linear.late_time)"], lines["exact (L = ε/4)"]
    np.testing.assert_allclose(ours.get_ydata(), exact.get_ydata(), rtol=0.01)  # docs/asymptotics.md: < 0.2 %
