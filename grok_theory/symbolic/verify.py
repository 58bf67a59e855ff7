"""``verify``: re-run every derivation and every check of the formula registry.

For each registered :class:`~grok_theory.symbolic.Derivation` the symbolic steps are re-run,
then its checks: library implementation vs independent quadrature (digits agreed),
theory vs simulation of real gradient descent (z-score from the seed spread), and the paper's
printed equation vs the derivation. The outcome is one :class:`VerifyRecord` per formula with
status

* ``pass``     every step and check holds;
* ``fail``     a step or a numeric/simulation check failed (or raised);
* ``mismatch`` everything holds, but the paper's printed equation disagrees with the
  derivation — a finding, documented in docs/errata.md with the corrected form;
* ``n/a``      the record has nothing to run (no steps and no checks).
"""
from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from grok_theory.symbolic import registry

from grok_theory.symbolic import Check, CheckResult, Derivation, DerivationError

__all__ = ["STATUSES", "VerifyRecord", "verify_derivation", "verify"]

#: the statuses of a verified formula (see the module docstring)
STATUSES = ("pass", "fail", "mismatch", "n/a")


@dataclass(repr=False)
class VerifyRecord:
    """The verification outcome of one formula (the rows of ``grok-theory verify --json``).

    Attributes
    ----------
    id, source : str
        Formula id and the paper equation it reproduces (``None`` if none).
    status : str
        One of :data:`STATUSES`.
    digits : float or None
        Fewest significant digits agreed over the numeric checks run (``None``: no numeric check).
    simulation : float or None
        Largest absolute z-score over the simulation checks run (``None``: none run).
    note : str
        Measured numbers of every check, failures first.
    steps : int
        Symbolic steps re-run.
    checks : list of dict
        Per check: ``kind``, ``description``, ``ok``, ``digits``, ``z`` (simulation: vs the finite-size
        prediction when there is one), ``z_limit`` (vs the d → ∞ theory, when a finite-size prediction
        was compared), ``note`` (skipped checks
        in quick mode have ``ok = None``).
    seconds : float
        Wall time.
    """

    id: str
    source: str | None
    status: str
    digits: float | None
    simulation: float | None
    note: str
    steps: int = 0
    checks: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self) -> str:
        measured = "".join(f", {k}={v:.3g}" for k, v in (("digits", self.digits), ("simulation", self.simulation))
                           if v is not None)
        return f"VerifyRecord({self.id!r}, {self.status}{measured}, {self.steps} steps, {self.seconds:.2f} s)"

    def _repr_html_(self) -> str:
        """Jupyter: the status line and one row per check (kind, passed, digits or |z|, description)."""
        from grok_theory._display import html_table

        rows = [[c.get("kind"), {True: "pass", False: "FAIL", None: "skipped"}[c.get("ok")],
                 c.get("digits") if c.get("digits") is not None else "", c.get("z") if c.get("z") is not None else "",
                 c.get("description", "")] for c in self.checks]
        src = f", {self.source}" if self.source else ""
        caption = f"{self.id}: {self.status} ({self.steps} steps re-checked, {len(self.checks)} checks, {self.seconds:.2f} s{src})"
        return html_table(caption, ["check", "result", "digits", "|z|", "description"], rows, max_rows=40)

    def failures(self) -> list[str]:
        """The notes of the failed steps and checks (empty unless ``status == "fail"``)."""
        return [part for part in self.note.split(" | ") if part.startswith("FAIL ")]

    def to_json(self) -> dict:
        """JSON-ready dict (infinite digits, i.e. exact agreement, become the string ``"inf"``)."""
        out = asdict(self)
        for c in [out, *out["checks"]]:
            if isinstance(c.get("digits"), float) and math.isinf(c["digits"]):
                c["digits"] = "inf"
        return out


def _run_check(check: Check) -> CheckResult:
    try:
        return check.run()
    except Exception as exc:  # a check that raises is a failed check, reported with its error
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return CheckResult(False, note=f"{check.description}: raised {type(exc).__name__}: {exc} "
                                       f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")


def verify_derivation(d: Derivation, quick: bool = False) -> VerifyRecord:
    """Verify one derivation: its symbolic steps, then its checks (``quick``: skip slow checks)."""
    start = time.perf_counter()
    notes_fail: list[str] = []
    notes: list[str] = []
    try:
        n_steps = len(d.verify())
    except DerivationError as exc:
        n_steps = 0
        notes_fail.append(f"FAIL {exc}")
    except Exception as exc:
        n_steps = 0
        notes_fail.append(f"FAIL derivation raised {type(exc).__name__}: {exc}")
    records, digits, zs, mismatch = [], [], [], False
    for check in d.checks:
        if quick and not check.quick:
            records.append({"kind": check.kind, "description": check.description, "ok": None, "digits": None,
                            "z": None, "z_limit": None, "note": "skipped (--quick)"})
            notes.append(f"{check.description}: skipped (--quick)")
            continue
        r = _run_check(check)
        records.append({"kind": check.kind, "description": check.description, "ok": r.ok, "digits": r.digits,
                        "z": r.z, "z_limit": r.z_limit, "note": r.note})
        if check.kind == "numeric" and r.digits is not None:
            digits.append(r.digits)
        if check.kind == "simulation" and r.z is not None:
            zs.append(r.z)
        if r.ok:
            notes.append(r.note)
        elif check.kind == "printed" and r.digits is not None:
            mismatch = True
            notes.insert(0, "MISMATCH " + r.note)
        else:
            notes_fail.append("FAIL " + r.note)
    if notes_fail:
        status = "fail"
    elif not d.steps and not d.checks:
        status = "n/a"
    else:
        status = "mismatch" if mismatch else "pass"
    return VerifyRecord(d.id, d.source, status, min(digits) if digits else None, max(zs) if zs else None,
                        " | ".join(notes_fail + notes), n_steps, records, time.perf_counter() - start)


def verify(ids: Iterable[str] | None = None, quick: bool = False,
           on_record: Callable[[VerifyRecord], None] | None = None,
           derivations: Iterable[Derivation] | None = None) -> Iterator[VerifyRecord]:
    """Verify formulas, yielding one :class:`VerifyRecord` each, in order.

    Parameters
    ----------
    ids : iterable of str, optional
        Formula ids to verify; looked up in ``derivations`` if given, else in the registry (which
        builds only the modules defining them). ``None``: all of ``derivations``, or the whole catalogue.
    quick : bool
        Skip slow checks.
    on_record : callable, optional
        Called with each record as soon as it is ready.
    derivations : iterable of Derivation, optional
        The records to verify instead of the catalogue (e.g. ``registry.load_derivations("mine.py")``).

    Raises KeyError for an unknown id before running anything.
    """
    if derivations is not None:
        pool = {d.id: d for d in derivations}
        if ids is None:
            targets = list(pool.values())
        else:
            missing = [i for i in ids if i not in pool]
            if missing:
                raise registry.unknown_id(missing[0], list(pool))
            targets = [pool[i] for i in ids]
    else:
        targets = registry.all_derivations() if ids is None else [registry.get(i) for i in ids]
    for d in targets:
        rec = verify_derivation(d, quick)
        if on_record:
            on_record(rec)
        yield rec
