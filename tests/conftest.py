"""Shared test helpers (mpmath-style precision comparisons)."""
from __future__ import annotations

import os

# two pytest-xdist workers share the 2 cores: one BLAS thread each (effective before numpy loads)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import mpmath  # noqa: E402
import pytest  # noqa: E402


def assert_digits(value, reference, digits: int, *, what: str = "") -> None:
    """Assert |value - reference| <= 10**-digits * |reference| (relative), in mpmath.

    A reference of exactly zero is compared absolutely.
    """
    value = mpmath.mpmathify(value)
    reference = mpmath.mpmathify(reference)
    with mpmath.workdps(digits + 20):
        err = abs(value - reference)
        scale = abs(reference) if reference != 0 else mpmath.mpf(1)
        rel = err / scale
        assert rel <= mpmath.mpf(10) ** (-digits), (
            f"{what}: {mpmath.nstr(value, digits + 3)} vs reference {mpmath.nstr(reference, digits + 3)}"
            f" (relative error {mpmath.nstr(rel, 3)} > 1e-{digits})"
        )


@pytest.fixture
def digits_check():
    return assert_digits
