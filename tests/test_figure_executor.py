"""Figure functions take ``executor=``; ``render`` uses it inside one figure or across figures, never nested."""
from __future__ import annotations

from concurrent.futures import Executor, Future

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from grok_theory.figures import levi, reproduce  # noqa: E402


class CountingExecutor(Executor):
    """Runs each task at once in this process and counts them (a stand-in for a pool)."""

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def submit(self, fn, /, *args, **kwargs):
        self.tasks.append(getattr(args[0], "__name__", "?") if args else fn.__name__)
        fut: Future = Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


def test_heavy_figures_take_an_executor():
    figs = reproduce.figures()
    for name in ("fig1", "fig2", "fig3", "fig4", "fig5"):
        assert reproduce.takes_executor(figs[name]), name
    assert not reproduce.takes_executor(figs["fig6"])


def _curves(fig):
    return [np.asarray(line.get_ydata(), dtype=float) for ax in fig.axes for line in ax.get_lines()]


def test_fig5_on_an_executor_equals_serial(monkeypatch):
    # a small Fig. 5 (the quick sizes cut further): the executor's runs must give the serial figure
    real = levi.simulate_two_layer

    def small(**kw):
        kw.update(d_in=12, t=kw["t"][kw["t"] <= 40])
        return real(**kw)

    monkeypatch.setattr(levi, "log_steps", lambda *a, **k: np.array([0, 5, 40]))
    monkeypatch.setattr(levi, "simulate_two_layer", small)
    serial = _curves(levi.fig5(True))
    pool = CountingExecutor()
    parallel = _curves(levi.fig5(True, executor=pool))
    assert pool.tasks == ["small"] * 8  # 4 networks × 2 seeds, one task each
    assert len(serial) == len(parallel) > 0
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_render_one_figure_passes_the_executor_in(tmp_path, monkeypatch):
    seen = {}

    def fake(quick, executor=None):
        seen["executor"] = executor
        return reproduce.pyplot().figure()

    monkeypatch.setattr(reproduce, "figures", lambda: {"heavy": fake, "light": lambda quick: reproduce.pyplot().figure()})
    pool = CountingExecutor()
    reproduce.render(["heavy"], tmp_path, formats=("png",), log=lambda m: None, executor=pool)
    assert seen["executor"] is pool and pool.tasks == []  # drawn here, the figure's own work on the pool
    reproduce.render(["heavy", "light"], tmp_path, formats=("png",), log=lambda m: None, executor=pool)
    assert seen["executor"] is None and pool.tasks == ["_draw", "_draw"]  # one serial task per figure
    pool.tasks.clear()
    reproduce.render(["light"], tmp_path, formats=("png",), log=lambda m: None, executor=pool)
    assert pool.tasks == ["_draw"]  # a figure without executor= is one task
