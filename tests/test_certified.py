"""certified=True: Arb enclosures (python-flint) of MP expectations and of the model's curves.

Each interval must contain the engine's dps=50 value (an independent method: the nested
trapezoid rule in mpmath) and be at most 10^(−30) times the value wide at dps=30.
"""
from __future__ import annotations

import sys
import time

import mpmath
import pytest

from grok_theory.linear.model import TeacherStudent
from grok_theory.mp import MarchenkoPastur, QuadratureError
from grok_theory.mp.certified import Interval

pytest.importorskip("flint")

DPS = 30


def _check(interval: Interval, value) -> None:
    assert isinstance(interval, Interval)
    assert value in interval, (interval, value)
    assert interval.width <= mpmath.mpf(10) ** -DPS * abs(value), (interval.width, value)
    assert value in interval.to_mpi()


@pytest.mark.parametrize("lam", ["1e-3", "0.5", "1", "3", "1e3"])
def test_laplace_and_expect_enclose_the_value(lam):
    law = MarchenkoPastur(lam)
    for s, power in (("0.1", 0), ("10", 1), ("1000", 0)):
        _check(law.laplace(s, power, dps=DPS, certified=True), law.laplace(s, power, dps=50))
    f = lambda nu: 1 / (nu + 2)  # noqa: E731  (arithmetic works on mpf and on Arb balls alike)
    _check(law.expect(f, dps=DPS, s="5", certified=True), law.expect(f, dps=50, s="5"))


MODELS = [
    dict(lam=0.9, weight_decay=1e-3, label_noise=0.01),
    dict(lam="1.5", weight_decay="0.001", label_noise="0.3", d_out=2, init_scale="0.7"),
    dict(lam=1.0, label_noise=0.1),
    dict(lam=0.5, weight_decay=1e-3, label_noise=0.01, dynamics="gd", lr=0.2),
    dict(lam=1e3, weight_decay=0.1, d_out=3),
    dict(lam="0.999", weight_decay="0.001", label_noise="0.01"),
]


@pytest.mark.parametrize("case", MODELS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_model_curves_enclose_the_value(case):
    model = TeacherStudent(**case)
    for t in ("37", "2471"):
        _check(model.gen_loss(t, dps=DPS, certified=True), model.gen_loss(t, dps=50))
        _check(model.train_loss(t, dps=DPS, certified=True), model.train_loss(t, dps=50))


def test_refusals():
    model = TeacherStudent("1.000001", weight_decay=1e-3)
    start = time.process_time()
    with pytest.raises(QuadratureError, match="not available"):
        model.gen_loss(37, dps=DPS, certified=True)
    assert time.process_time() - start < 1
    with pytest.raises(ValueError, match="needs dps"):
        TeacherStudent(0.5).gen_loss(37, certified=True)
    with pytest.raises(ValueError, match="needs dps"):
        MarchenkoPastur(0.5).laplace(1.0, certified=True)


def test_missing_flint_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    with pytest.raises(ImportError, match=r"grok-theory\[certified\]"):
        MarchenkoPastur(0.5).laplace(1.0, dps=20, certified=True)
    with pytest.raises(ImportError, match=r"grok-theory\[certified\]"):
        TeacherStudent(0.5).train_loss(3, dps=20, certified=True)
