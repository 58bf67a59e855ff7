"""Reproduce the figures of the papers the toolkit implements (``grok-theory reproduce``).

A figure module exposes ``FIGURES: dict[str, Callable[[bool], matplotlib.figure.Figure]]``;
each function takes ``quick`` (small simulations, ≤ 1 minute) and returns a figure drawn with
the Agg backend. The simulation-heavy ones also take ``executor=`` (see :func:`render`). This module collects the figures of every module in :data:`FIGURE_MODULES`
and writes them as PNG and PDF. Plotting needs the optional ``plot`` extra (matplotlib).
"""
from __future__ import annotations

import importlib
import inspect
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any

__all__ = ["FIGURE_MODULES", "MissingMatplotlib", "figures", "pyplot", "require_matplotlib", "render", "summaries",
           "takes_executor"]

#: modules (in grok_theory/figures/) whose ``FIGURES`` dicts make up ``grok-theory reproduce``
FIGURE_MODULES = ("levi", "late_time", "omnigrok", "dichotomy", "separability", "structured", "thermal", "finite_size")

INSTALL_HINT = "matplotlib is required for figures: pip install 'grok-theory[plot]'"


class MissingMatplotlib(ImportError):
    """Raised when a figure is requested without the optional ``plot`` extra."""


def require_matplotlib() -> Any:
    """Import matplotlib with the non-interactive Agg backend, or raise :class:`MissingMatplotlib`."""
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - exercised by monkeypatching in the tests
        raise MissingMatplotlib(INSTALL_HINT) from None
    matplotlib.use("Agg")
    return matplotlib


def pyplot() -> Any:
    """``matplotlib.pyplot`` with the Agg backend, or raise :class:`MissingMatplotlib` (the figure modules' loader)."""
    require_matplotlib()
    import matplotlib.pyplot as plt

    return plt


def figures() -> dict[str, Callable[[bool], Any]]:
    """All registered figures, ``{name: function(quick) -> Figure}``, in module order.

    Raises ValueError if two modules register the same name.
    """
    out: dict[str, Callable[[bool], Any]] = {}
    for mod in FIGURE_MODULES:
        for name, fn in importlib.import_module(f"grok_theory.figures.{mod}").FIGURES.items():
            if name in out:
                raise ValueError(f"figure name {name!r} is registered twice (module {mod!r})")
            out[name] = fn
    return out


def summaries() -> dict[str, str]:
    """``{name: one-line summary}`` of every registered figure: the first paragraph of its function's
    docstring (shown by ``grok-theory reproduce --list`` and as the caption in the documentation's gallery)."""
    return {name: " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split()) for name, fn in figures().items()}


def takes_executor(fn: Callable[..., Any]) -> bool:
    """Whether a figure function accepts ``executor=`` (parallel work inside the figure)."""
    try:
        return "executor" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False


def _draw(name: str, out_dir: str, quick: bool, formats: tuple[str, ...],
          executor: Executor | None = None) -> tuple[list[Path], float]:
    """Draw one figure (its work on ``executor`` if given) and save it in every format; the paths and the seconds."""
    plt = pyplot()
    start = time.perf_counter()
    fn = figures()[name]
    fig = fn(quick, executor=executor) if executor is not None else fn(quick)
    paths = []
    for fmt in formats:
        path = Path(out_dir) / f"{name}.{fmt}"
        fig.savefig(path, dpi=130 if fmt == "png" else None)
        paths.append(path)
    plt.close(fig)
    return paths, time.perf_counter() - start


def render(names: Iterable[str], out_dir: str | Path = ".", quick: bool = False,
           formats: tuple[str, ...] = ("png", "pdf"), log: Callable[[str], None] | None = None,
           executor: Executor | None = None) -> list[Path]:
    """Draw the named figures and save each as ``<out_dir>/<name>.<fmt>``; return the paths.

    Parameters
    ----------
    names : iterable of str
        Figure names (see :func:`figures`), or ``"all"``.
    out_dir : path
        Created if missing.
    quick : bool
        Small simulations and grids (each figure ≤ 1 minute).
    formats : tuple of str
        File formats understood by matplotlib.
    log : callable, optional
        Receives one progress line per figure (default: stderr).
    executor : concurrent.futures.Executor, optional
        Parallel work, at one level only (never a pool inside a pool): with one figure that
        accepts ``executor=`` (:func:`takes_executor`: the simulation-heavy ones, e.g. Levi
        Figs. 1–5) its seeds / grid rows / networks run on the executor and the figure is drawn
        here; otherwise the figures are drawn in parallel on it, one serial task per figure (a
        process pool or a Dask cluster whose workers see ``out_dir``; matplotlib is not
        thread-safe, so not threads). Either way the figures equal the serial ones.
    """
    pyplot()  # fail early without matplotlib
    available = figures()
    names = list(names)
    if "all" in names:
        names = list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; choose from: all, {', '.join(available)}")
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mode = "quick" if quick else "paper sizes"

    def done(name: str, paths: list[Path], seconds: float) -> None:
        log(f"{name}: wrote {', '.join(str(p) for p in paths)} ({seconds:.1f} s)")

    if executor is not None and len(names) == 1 and takes_executor(available[names[0]]):
        log(f"{names[0]}: drawing ({mode}), its work on {type(executor).__name__} ...")
        results = [_draw(names[0], str(out), quick, tuple(formats), executor)]
        done(names[0], *results[0])
    elif executor is None:
        results = []
        for name in names:
            log(f"{name}: drawing ({mode}) ...")
            results.append(_draw(name, str(out), quick, tuple(formats)))
            done(name, *results[-1])
    else:
        from grok_theory.parallel import limited_call

        log(f"drawing {len(names)} figure(s) ({mode}) on {type(executor).__name__} ...")
        futures = {executor.submit(limited_call, _draw, name, str(out), quick, tuple(formats)): name for name in names}
        for fut in as_completed(futures):
            done(futures[fut], *fut.result())
        results = [fut.result() for fut in futures]  # in the order of names
    return [p for paths, _ in results for p in paths]
