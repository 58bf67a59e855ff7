"""The formula registry and the check types of grok_theory.symbolic."""
from __future__ import annotations

import math

import mpmath
import pytest

from grok_theory.symbolic import registry
from grok_theory.symbolic import digits_agreed, numeric_check, printed_check, simulation_check


def test_ids_unique_and_resolvable():
    ids = registry.ids()
    assert len(ids) == len(set(ids))
    for fid in ids:
        assert registry.get(fid).id == fid


def test_unknown_id_suggests_close_ones():
    with pytest.raises(KeyError, match="levi2024.eq15"):
        registry.get("levi2024.eq1S")


def test_digits_agreed():
    assert digits_agreed(1.0, 1.0) == math.inf
    assert digits_agreed(1.001, 1.0) == pytest.approx(3.0, abs=1e-6)
    assert digits_agreed(1e-12, 0) == pytest.approx(12.0, abs=1e-6)


def test_numeric_check_passes_and_fails():
    good = numeric_check("pi", lambda dps: mpmath.pi, lambda dps: 4 * mpmath.atan(1), digits=40)
    bad = numeric_check("pi", lambda dps: mpmath.mpf("3.14159"), lambda dps: mpmath.pi, digits=10)
    assert good.run().ok and good.run().digits >= 40
    r = bad.run()
    assert not r.ok and 5 < r.digits < 7


def test_simulation_and_printed_checks_can_fail():
    assert simulation_check("z", lambda: ([1.0], [1.1], [0.05]), max_z=4).run().ok
    r = simulation_check("z", lambda: ([1.0], [1.5], [0.05]), max_z=4).run()
    assert not r.ok and r.z == pytest.approx(10.0)
    mismatch = printed_check("factor 2", lambda: 2.0, lambda: 1.0).run()
    assert not mismatch.ok and "1" in mismatch.note
