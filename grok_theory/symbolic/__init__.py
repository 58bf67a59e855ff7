"""The symbolic layer: derivation records and their checks, the formula registry, ``verify`` and LaTeX.

The record API (:mod:`~grok_theory.symbolic.records`) is public: a theorist writes a derivation as
a :class:`Derivation` of :class:`Step` s with checks (:func:`numeric_check`, :func:`simulation_check`,
:func:`printed_check`, :func:`approximation_check`) exactly as the built-in catalogue does.
"""
from grok_theory.symbolic.records import (
    Check,
    CheckResult,
    Derivation,
    DerivationError,
    Step,
    approximation_check,
    digits_agree,
    digits_agreed,
    gaussian_mean_square,
    is_zero,
    numeric_check,
    printed_check,
    run_standalone,
    series_agree,
    simulation_check,
)

__all__ = [
    "Step", "Derivation", "DerivationError", "Check", "CheckResult", "is_zero", "series_agree", "digits_agree",
    "digits_agreed", "numeric_check", "simulation_check", "printed_check", "approximation_check", "run_standalone",
    "gaussian_mean_square",
]
