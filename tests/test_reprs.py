"""Every result object prints in one short line and displays as an HTML table (or LaTeX) in Jupyter."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest
import sympy as sp

import grok_theory
from grok_theory.linear.model import TeacherStudent

#: parameter records and scalar results (the generated dataclass repr is the constructor call; GrokkingTime
#: has _repr_latex_), and the derivation parts (Step, Check, CheckResult: one-line reprs of their own)
PLAIN = {"TeacherStudent", "StructuredTeacherStudent", "LangevinTeacherStudent", "Quantity", "XuSetup", "TwoPointModel",
         "ExponentialWall", "EdgeTerm", "CatalogueEntry", "LandscapePoint", "TradeOff", "XuTimes", "MaxMargin",
         "BiasFreeLimit", "SmallestEigenvalueLaw", "GrokkingTime", "Step", "Check", "CheckResult"}


def _public_dataclasses():
    out = []
    for m in pkgutil.walk_packages(grok_theory.__path__, "grok_theory."):
        if any(part in m.name for part in (".cli", "__main__", ".figures")):
            continue
        mod = importlib.import_module(m.name)
        for name, cls in vars(mod).items():
            if (inspect.isclass(cls) and cls.__module__ == mod.__name__ and not name.startswith("_")
                    and dataclasses.is_dataclass(cls)):
                out.append(cls)
    return out


def test_array_holding_results_have_summarising_reprs():
    """A dataclass with array fields must not use the generated repr (which prints whole arrays)."""
    missing = []
    for cls in _public_dataclasses():
        if cls.__name__ in PLAIN:
            continue
        generated = cls.__repr__.__code__.co_filename == "<string>"
        if generated or not hasattr(cls, "_repr_html_"):
            missing.append(cls.__qualname__)
    assert not missing, f"result classes without a summarising __repr__ and _repr_html_: {missing}"


def test_field_repr_summarises_arrays():
    from grok_theory.linear.simulate import sample_dataset

    data = sample_dataset(0, 50, 100)
    text = repr(data)
    assert len(text) < 400 and "array(100, 50) in [" in text
    lo, hi = data.x.min(), data.x.max()
    assert f"[{lo:.4g}, {hi:.4g}]" in text  # the printed range is the array's
    html = data._repr_html_()
    assert html.startswith("<table>") and "array(100, 50)" in html


def test_grokking_time_distribution_display():
    from grok_theory.linear.finite_size import grokking_time_distribution

    dist = grokking_time_distribution(TeacherStudent(0.5), 1e-3, d_in=40, n_sets=30, rng=1)
    html = dist._repr_html_()
    cells = re.findall(r"<td>([^<]*)</td>", html)
    i = cells.index("delta")
    assert float(cells[i + 1]) == pytest.approx(dist.delta.mean, rel=1e-5)
    assert float(cells[i + 5]) == pytest.approx(np.median(dist.delta.samples), rel=1e-5)
    assert float(cells[i + 8]) == pytest.approx(dist.mp.delta, rel=1e-5)
    assert "<td>" in dist.t_gen._repr_html_()


def test_derivation_and_verify_record_display():
    from grok_theory.symbolic import Derivation, equality_step, numeric_check
    from grok_theory.symbolic.verify import verify_derivation

    x = sp.Symbol("x")
    d = Derivation("test.display", "a square", [], [equality_step("expand", (x + 1) ** 2, x**2 + 2 * x + 1, "algebra")],
                   sp.Eq(sp.Symbol("y"), x**2),
                   checks=(numeric_check("3 squared", lambda dps: 9, lambda dps: 3**2, digits=10),
                           numeric_check("wrong", lambda dps: 10, lambda dps: 9, digits=10)))
    html = d._repr_html_()
    assert "test.display" in html and "$$" in html and "expand" in html and "3 squared" in html
    rec = verify_derivation(d)
    assert rec.status == "fail"
    rows = re.findall(r"<tr><td>numeric</td><td>(\w+)</td>", rec._repr_html_())
    assert rows == ["pass", "FAIL"]


def test_curve_family_and_late_time_series_reprs():
    from grok_theory.linear.curve_family import CurveFamily
    from grok_theory.linear.late_time import late_time_series

    fam = CurveFamily([TeacherStudent(0.9), TeacherStudent(0.9, dynamics="gd")], ["train", "gen"])
    assert repr(fam) == "CurveFamily(lam=0.9, 2 problems: 1 train, 1 gen; 1 discrete GD)"
    text = repr(late_time_series(TeacherStudent(0.5), "gen"))
    assert text.startswith("LateTimeSeries(rate ") and len(text) < 200
