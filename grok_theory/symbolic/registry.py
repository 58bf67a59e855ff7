"""The formula registry: every derivation of grok-theory, by its stable id.

Derivations live in the literate modules of the top-level ``derivations/`` folder, one
subfolder per model family (``derivations/linear/teacher_student.py``, ...). Installed, the folder
is the subpackage ``grok_theory.derivations``; run from a source checkout without installation,
:func:`derivations_package` maps the same folder to that name. Each module exposes
``derivations() -> list[Derivation]``; :data:`DERIVATION_MODULES` lists them in catalogue order
and ids must be unique across modules.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from grok_theory.symbolic import Derivation

__all__ = ["DERIVATION_MODULES", "all_derivations", "derivations_package", "get", "ids"]

#: modules of ``grok_theory.derivations``, in the order of the formula catalogue
DERIVATION_MODULES: tuple[str, ...] = (
    "mp.mp_law",
    "linear.teacher_student", "linear.accuracy", "linear.asymptotics", "linear.two_layer", "linear.omnigrok",
    "linear.robustness", "linear.ridge_grokking",
    "dichotomy.lyu2024",
)

_PACKAGE = "grok_theory.derivations"


def derivations_package() -> ModuleType:
    """The package ``grok_theory.derivations``: installed, or the source tree's ``derivations/`` folder.

    A wheel installs ``derivations/`` as ``grok_theory.derivations``; in a source checkout that is
    not installed (``python -m grok_theory`` from the repository root) the folder beside the
    package is registered under the same name, so both layouts import the same modules.
    """
    if _PACKAGE in sys.modules:
        return sys.modules[_PACKAGE]
    try:
        return importlib.import_module(_PACKAGE)
    except ModuleNotFoundError as exc:
        if exc.name != _PACKAGE:
            raise
    folder = Path(__file__).resolve().parents[2] / "derivations"
    spec = importlib.util.spec_from_file_location(_PACKAGE, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None or not folder.is_dir():
        raise ModuleNotFoundError(f"no {_PACKAGE}: neither installed nor found at {folder}", name=_PACKAGE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_PACKAGE] = module
    spec.loader.exec_module(module)
    return module


@cache
def _registry() -> dict[str, Derivation]:
    out: dict[str, Derivation] = {}
    derivations_package()
    for name in DERIVATION_MODULES:
        module = importlib.import_module(f"{_PACKAGE}.{name}")
        for d in module.derivations():
            if d.id in out:
                raise RuntimeError(f"duplicate formula id {d.id!r} (in derivations/{name.replace('.', '/')}.py)")
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
