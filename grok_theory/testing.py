"""Assertions for your own pytest suite: your derivations pass grok-theory's verification.

>>> from grok_theory.testing import assert_verified, assert_all_verified
>>> def test_my_result():
...     assert_verified(my_derivation())                  # steps + every check
>>> def test_all_mine():
...     assert_all_verified("derivations_of_mine.py", quick=True)   # a file, module or list

A failure raises ``AssertionError`` whose message names the formula, its status and every failed
step or check with the measured numbers (digits agreed, ``|z|``, residual), e.g.::

    me.sched_dt: status fail (3 steps, 2 checks)
      FAIL Δt under the schedule vs direct root: 3.1 digits (need 12, computed at 22); implementation/reference − 1 = 7.9e-4

A printed-equation mismatch (``status == "mismatch"``) is a finding, not a failure: allowed
unless ``allow_mismatch=False``.
"""
from __future__ import annotations

from collections.abc import Iterable

from grok_theory.symbolic.records import Derivation
from grok_theory.symbolic.verify import VerifyRecord, verify_derivation

__all__ = ["assert_verified", "assert_all_verified", "failure_message"]


def failure_message(rec: VerifyRecord) -> str:
    """A readable account of a verification record: status, then each failed step/check (then the others)."""
    n_checks = sum(c["ok"] is not None for c in rec.checks)
    lines = [f"{rec.id}: status {rec.status} ({rec.steps} steps, {n_checks} checks)"]
    lines += [f"  {part}" for part in rec.note.split(" | ") if part]
    return "\n".join(lines)


def assert_verified(derivation: Derivation, quick: bool = False, allow_mismatch: bool = True) -> VerifyRecord:
    """Assert that ``derivation``'s steps and checks all hold; return its :class:`~grok_theory.symbolic.verify.VerifyRecord`.

    Parameters
    ----------
    derivation : Derivation
    quick : bool
        Skip checks marked ``quick=False`` (simulations at scale).
    allow_mismatch : bool
        Accept ``status == "mismatch"`` (a printed formula that disagrees with the derivation).

    Raises
    ------
    AssertionError
        With :func:`failure_message` of the record.
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(f"derivation must be a grok_theory.symbolic.Derivation, got {type(derivation).__name__}")
    rec = verify_derivation(derivation, quick=quick)
    if rec.status == "fail" or (rec.status == "mismatch" and not allow_mismatch) or rec.status == "n/a":
        raise AssertionError(failure_message(rec) + ("\n  (a record without steps or checks verifies nothing)"
                                                     if rec.status == "n/a" else ""))
    return rec


def assert_all_verified(source: object, quick: bool = False, allow_mismatch: bool = True) -> list[VerifyRecord]:
    """Assert every derivation of ``source`` verifies; one AssertionError listing all failures.

    ``source`` is anything :func:`grok_theory.symbolic.registry.load_derivations` accepts: a
    ``.py`` path, a module name or object defining ``derivations()``, or an iterable of records
    (ids must not collide with the built-in catalogue).
    """
    from grok_theory.symbolic.registry import load_derivations

    records = load_derivations(source if not isinstance(source, Iterable) or isinstance(source, str) else list(source))
    if not records:
        raise AssertionError(f"source {source!r} defines no derivations")
    out, failed = [], []
    for d in records:
        try:
            out.append(assert_verified(d, quick=quick, allow_mismatch=allow_mismatch))
        except AssertionError as exc:
            failed.append(str(exc))
    if failed:
        raise AssertionError(f"{len(failed)} of {len(records)} derivations failed verification:\n" + "\n".join(failed))
    return out
