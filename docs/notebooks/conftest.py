"""Run the tutorial notebooks as tests (nbmake), with the plain ``python -m pytest`` command.

``docs/notebooks`` is in pytest's ``testpaths`` (pyproject.toml); this file collects its notebooks
through nbmake without the ``--nbmake`` flag (with the flag, nbmake collects them itself). Each
notebook runs top to bottom in a fresh kernel and fails on the first failing cell; every notebook
asserts its numbers against an independent computation. Without nbmake (it is in the ``test``
extra) the notebooks are skipped. Kernels use one BLAS thread: the notebooks' problems are small
and the suite shares two cores (OpenBLAS threads made a d_in = 100 simulation 7x slower there).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix != ".ipynb" or parent.config.getoption("nbmake", default=False):
        return None
    try:
        from nbmake.pytest_items import NotebookFile
    except ImportError:
        return None
    return NotebookFile.from_parent(parent, path=file_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """One BLAS thread in the notebook's kernel (a subprocess started during the call)."""
    if not getattr(item, "nbmake", False):
        yield
        return
    saved = {v: os.environ.get(v) for v in _BLAS_VARS}
    os.environ.update({v: "1" for v in _BLAS_VARS})
    try:
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old
