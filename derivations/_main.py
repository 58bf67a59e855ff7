"""Shared standalone runner of the literate derivation modules (``python derivations/<topic>.py``)."""
from __future__ import annotations

from collections.abc import Iterable

from grok_theory.symbolic import Derivation


def run(derivations: Iterable[Derivation]) -> int:
    """Print every derivation, verify its steps and run its quick numeric/printed checks."""
    for dv in derivations:
        print(dv.pretty())
        print(f"  verified: {len(dv.verify())} steps")
        for ch in dv.checks:
            if ch.quick:
                print(f"  check: {ch.run().note}")
        print()
    return 0
