"""The formula registry: every derivation of grok-theory, by its stable id.

Derivations live in the literate modules of ``derivations/`` (installed as the subpackage
``grok_theory.derivations``); each module exposes ``derivations() -> list[Derivation]``.
:data:`DERIVATION_MODULES` lists them in catalogue order; ids must be unique across modules.
"""
from __future__ import annotations

import importlib
from functools import cache

from grok_theory.symbolic import Derivation

__all__ = ["DERIVATION_MODULES", "all_derivations", "get", "ids"]

#: modules of ``grok_theory.derivations``, in the order of the formula catalogue
DERIVATION_MODULES: tuple[str, ...] = ("mp_law", "teacher_student", "accuracy", "asymptotics", "two_layer", "omnigrok",
                                         "robustness", "ridge_grokking", "dichotomy")


@cache
def _registry() -> dict[str, Derivation]:
    out: dict[str, Derivation] = {}
    for name in DERIVATION_MODULES:
        module = importlib.import_module(f"grok_theory.derivations.{name}")
        for d in module.derivations():
            if d.id in out:
                raise RuntimeError(f"duplicate formula id {d.id!r} (in derivations/{name}.py)")
            out[d.id] = d
    return out


def all_derivations() -> list[Derivation]:
    """Every registered derivation, in catalogue order."""
    return list(_registry().values())


def ids() -> list[str]:
    """Every registered formula id, in catalogue order."""
    return list(_registry())


def get(formula_id: str) -> Derivation:
    """The derivation with id ``formula_id``; ``KeyError`` listing close ids if there is none."""
    reg = _registry()
    if formula_id not in reg:
        import difflib

        close = difflib.get_close_matches(formula_id, list(reg), n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known ids: {', '.join(reg)}"
        raise KeyError(f"formula_id={formula_id!r} is not a registered formula{hint}")
    return reg[formula_id]
