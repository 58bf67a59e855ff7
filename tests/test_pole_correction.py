"""The pole-corrected angle rule (C) for E[e^{−sν}] in float64 (angle_rule module docstring)."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from grok_theory.mp.law import MarchenkoPastur


@pytest.mark.parametrize("lam", [0.8, 0.9, 0.97, 1.1, 1.25])
@pytest.mark.parametrize("s", [0.5, 5.0, 20.0])
def test_pole_term_is_the_trapezoid_error(lam, s):
    """With n far too small to resolve the pole of 1/ν, the plain rule is wrong and the rule
    plus the exact pole term (|1−λ|/λ) e^{sλ₋} qⁿ/(1−qⁿ) is right to float64 precision."""
    law = MarchenkoPastur(lam)
    ref = law.laplace(s, dps=30)
    n = np.array([32])
    sa = np.array([s])
    plain = law._rule_direct_float(sa, 0, n, np.array([False]))[0]
    corrected = law._rule_direct_float(sa, 0, n, np.array([True]))[0]

    def value(scaled):
        return mpmath.mpf(scaled) * mpmath.exp(-mpmath.mpf(s) * mpmath.mpf(law.lower)) + law.atom

    assert abs(value(plain) / ref - 1) > 1e-4  # the pole matters at this n
    assert abs(value(corrected) / ref - 1) < 1e-15


@pytest.mark.parametrize("lam", [0.3, 0.9, 0.99, 0.999, 1.01, 2.0])
def test_float_laplace_full_precision(lam):
    """laplace(s) (p = 0) over 1e-3 … 1e8 vs 25-digit values: ≤ 1e-15 relative."""
    law = MarchenkoPastur(lam)
    s = np.geomspace(1e-3, 1e8, 23)
    vals = law.laplace(s)
    for si, v in zip(s, vals):
        ref = law.laplace(float(si), dps=25)
        if ref > 1e-300:
            assert abs(v / ref - 1) <= 1e-15, si


@pytest.mark.parametrize("lam", ["0.9", "1.5"])
@pytest.mark.parametrize("s", ["1", "10"])
def test_mp_laplace_pole_corrected_vs_raw_density_quadrature(lam, s):
    """dps = 30 (the pole-corrected rule is chosen there) vs mpmath.quad of the raw density."""
    law = MarchenkoPastur(lam)
    value = law.laplace(s, dps=30)
    with mpmath.workdps(45):
        lm, sm = mpmath.mpf(lam), mpmath.mpf(s)
        lo, hi = (1 - mpmath.sqrt(lm)) ** 2, (1 + mpmath.sqrt(lm)) ** 2
        dens = lambda x: mpmath.exp(-sm * x) * mpmath.sqrt((hi - x) * (x - lo)) / (2 * mpmath.pi * lm * x)  # noqa: E731
        ref = mpmath.quad(dens, [lo, (lo + hi) / 2, hi]) + max(0, 1 - 1 / lm)
        assert abs(value / ref - 1) < mpmath.mpf(10) ** -30
