"""The symbolic layer: derivation records and their checks, the formula registry, ``verify`` and LaTeX.

The record API is public and stable (docs/verify.md, docs/tutorial_own_derivation.md): a theorist
writes a derivation as a :class:`Derivation` of :class:`Step` s with checks exactly as the built-in
catalogue does, and runs it through the same machinery.

Records
    :class:`Derivation`, :class:`Step`, :func:`equality_step`, :class:`Check`, :class:`CheckResult`,
    :class:`DerivationError`.
Checks
    :func:`numeric_check` (implementation vs independent reference, digits),
    :func:`simulation_check` (theory vs real training, z-score), :func:`printed_check` (a paper's
    printed equation vs the derivation), :func:`approximation_check` (measured error of an
    approximation).
SymPy helpers
    :func:`is_zero`, :func:`series_agree`, :func:`digits_agree`, :func:`digits_agreed`,
    :func:`relative_error`, :func:`gaussian_mean_square`.
Running
    :func:`verify_derivation` (one record → a :class:`~grok_theory.symbolic.verify.VerifyRecord`),
    :func:`load_derivations` (a user's file or module → records), :func:`run_standalone`;
    ``grok_theory.testing`` for pytest; ``grok_theory.candidate`` to check a candidate
    formula against the exact theory.
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
    equality_step,
    gaussian_mean_square,
    is_zero,
    numeric_check,
    printed_check,
    relative_error,
    run_standalone,
    series_agree,
    simulation_check,
    simultaneous_z_bound,
)

__all__ = [
    "Step", "Derivation", "DerivationError", "Check", "CheckResult", "is_zero", "series_agree", "digits_agree",
    "digits_agreed", "numeric_check", "simulation_check", "printed_check", "approximation_check", "run_standalone",
    "gaussian_mean_square", "equality_step", "relative_error", "verify_derivation", "load_derivations",
    "simultaneous_z_bound",
]


from grok_theory._lazy import lazy_exports  # noqa: E402

# the runners import the registry: loaded on first use, not with the records
__getattr__, __dir__ = lazy_exports(__name__, {"verify_derivation": "grok_theory.symbolic.verify",
                                               "load_derivations": "grok_theory.symbolic.registry"})
