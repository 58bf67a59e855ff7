"""The formula registry: every derivation of grok-theory by its stable id, and the user's own.

Derivations live in the literate modules of the top-level ``derivations/`` folder, one
subfolder per model family (``derivations/linear/teacher_student.py``, ...). Installed, the folder
is the subpackage ``grok_theory.derivations``; run from a source checkout without installation,
:func:`derivations_package` maps the same folder to that name. Each module exposes
``derivations() -> list[Derivation]``; :data:`DERIVATION_MODULES` lists them in catalogue order
and ids must be unique across modules.

The registry is lazy: :data:`INDEX` (generated into ``_catalogue_index.py`` by
``python scripts/make_registry_index.py`` and checked against the modules by the tests) maps
each id to its module, so :func:`get` imports and builds only that module and :func:`ids` builds
nothing. :func:`all_derivations` builds every module.

Beyond the catalogue, :func:`load_derivations` reads a user's *source* — a ``.py`` file or an
importable module defining ``derivations()`` — and third-party packages register modules in the
entry-point group :data:`ENTRY_POINT_GROUP` (``grok_theory.derivations``), read by
:func:`plugin_derivations`. Their ids may not collide with the catalogue's.
"""
from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Union

from grok_theory.symbolic import Derivation
from grok_theory.symbolic import _catalogue_index
from grok_theory.symbolic._catalogue_index import ENTRIES

__all__ = ["DERIVATION_MODULES", "ENTRY_POINT_GROUP", "INDEX", "all_derivations", "build_index", "derivations_package",
           "get", "ids", "entry", "entry_of", "CatalogueEntry", "unknown_id", "load_derivations", "module_derivations", "plugin_derivations", "plugin_ids", "Source"]

#: formula id -> module of ``grok_theory.derivations`` defining it (generated into ``_catalogue_index.py``)
INDEX: dict[str, str] = _catalogue_index.INDEX

#: modules of ``grok_theory.derivations``, in the order of the formula catalogue
DERIVATION_MODULES: tuple[str, ...] = (
    "mp.mp_law",
    "linear.teacher_student", "linear.accuracy", "linear.asymptotics", "linear.two_layer", "linear.omnigrok",
    "linear.robustness", "linear.ridge_grokking", "linear.structured", "linear.finite_size", "linear.hard_edge",
    "dichotomy.lyu2024",
    "separability.beck2025",
    "thermal.jules2023",
)

#: the entry-point group through which installed packages register derivation modules
ENTRY_POINT_GROUP = "grok_theory.derivations"

#: what :func:`load_derivations` accepts
Source = Union[str, Path, ModuleType, Callable[[], Iterable[Derivation]], Iterable[Derivation]]

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


def _records(derivations: Any, origin: str) -> list[Derivation]:
    """Validate what a ``derivations()`` returned: a list of Derivation with unique ids."""
    if isinstance(derivations, Derivation):
        derivations = [derivations]
    try:
        out = list(derivations)
    except TypeError:
        raise TypeError(f"{origin}: derivations() must return a list of Derivation, got {type(derivations).__name__}") from None
    seen: set[str] = set()
    for d in out:
        if not isinstance(d, Derivation):
            raise TypeError(f"{origin}: derivations() returned a {type(d).__name__}, not a grok_theory.symbolic.Derivation")
        if d.id in seen:
            raise ValueError(f"{origin}: duplicate formula id {d.id!r}")
        seen.add(d.id)
    return out


@cache
def module_derivations(name: str) -> dict[str, Derivation]:
    """The derivations of one catalogue module (``"linear.accuracy"``), built once, by id."""
    if name not in DERIVATION_MODULES:
        raise ValueError(f"name={name!r} is not a catalogue module; known: {', '.join(DERIVATION_MODULES)}")
    derivations_package()
    module = importlib.import_module(f"{_PACKAGE}.{name}")
    return {d.id: d for d in _records(module.derivations(), f"derivations/{name.replace('.', '/')}.py")}


@cache
def _registry() -> dict[str, Derivation]:
    out: dict[str, Derivation] = {}
    for name in DERIVATION_MODULES:
        for fid, d in module_derivations(name).items():
            if fid in out:
                raise RuntimeError(f"duplicate formula id {fid!r} (in derivations/{name.replace('.', '/')}.py)")
            out[fid] = d
    return out


def build_index() -> dict[str, str]:
    """id → module of the whole catalogue, by building every module (what :data:`INDEX` must equal)."""
    out: dict[str, str] = {}
    for name in DERIVATION_MODULES:
        for fid in module_derivations(name):
            out[fid] = name
    return out


def all_derivations() -> list[Derivation]:
    """Every derivation of the built-in catalogue, in catalogue order (builds every module)."""
    return list(_registry().values())


def ids() -> list[str]:
    """Every formula id of the built-in catalogue, in catalogue order (from :data:`INDEX`; builds nothing)."""
    return list(INDEX)


def unknown_id(formula_id: str, known: list[str]) -> KeyError:
    """The KeyError for an unknown ``formula_id``, naming up to five close ids among ``known``."""
    close = difflib.get_close_matches(formula_id, known, n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see grok-theory verify --list"
    return KeyError(f"formula_id={formula_id!r} is not a registered formula{hint}")


def get(formula_id: str) -> Derivation:
    """The derivation with id ``formula_id``, building only the module that defines it.

    Looks in the built-in catalogue, then in the installed plugins (:func:`plugin_derivations`).
    ``KeyError`` listing close ids if there is none.
    """
    if formula_id in INDEX:
        records = module_derivations(INDEX[formula_id])
        if formula_id not in records:
            raise RuntimeError(f"stale registry index: {formula_id!r} is not in derivations/"
                               f"{INDEX[formula_id].replace('.', '/')}.py; run python scripts/make_registry_index.py")
        return records[formula_id]
    plugins = {d.id: d for ds in plugin_derivations().values() for d in ds}
    if formula_id in plugins:
        return plugins[formula_id]
    raise unknown_id(formula_id, list(INDEX) + list(plugins))


@dataclass(frozen=True)
class CatalogueEntry:
    """A catalogue formula's display fields without building its derivation (for ``grok-theory formula``).

    ``result`` is the exact SymPy expression (rebuilt from its srepr); ``module`` the defining module.
    """

    id: str
    statement: str
    source: str | None
    assumptions: tuple[str, ...]
    numeric: str | None
    result: Any
    module: str


def entry_of(d: Derivation) -> dict:
    """The display fields of a built record, as stored in ENTRIES (the result as its SymPy srepr)."""
    import sympy

    return {"statement": d.statement, "source": d.source, "assumptions": list(d.assumptions), "numeric": d.numeric,
            "srepr": sympy.srepr(d.result)}


def entry(formula_id: str) -> CatalogueEntry:
    """The catalogue formula ``formula_id`` from the generated index, building nothing.

    ``KeyError`` with close ids if it is not in the catalogue (plugins and sources: use :func:`get`).
    """
    if formula_id not in ENTRIES:
        raise unknown_id(formula_id, list(INDEX))
    from grok_theory.symbolic.latex import load_srepr

    e = ENTRIES[formula_id]
    return CatalogueEntry(formula_id, e["statement"], e["source"], tuple(e["assumptions"]), e["numeric"],
                          load_srepr(e["srepr"]), INDEX[formula_id])


# -- the user's own derivations -------------------------------------------------------------------

def _import_file(path: Path) -> ModuleType:
    """Import a ``.py`` file under a private module name (its folder on sys.path while it runs)."""
    path = path.resolve()
    if not path.is_file():
        raise ValueError(f"source={str(path)!r}: no such file")
    name = f"grok_theory_user_{path.stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"source={str(path)!r} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path.remove(str(path.parent))
    return module


def _catalogue_collisions(records: list[Derivation], origin: str) -> None:
    taken = [d.id for d in records if d.id in INDEX]
    if taken:
        where = ", ".join(f"{i} (derivations/{INDEX[i].replace('.', '/')}.py)" for i in taken)
        raise ValueError(f"{origin}: formula id(s) already in the built-in catalogue: {where}; ids must be unique — "
                         f"prefix yours, e.g. 'yourname.{taken[0]}'")


def load_derivations(source: Source) -> list[Derivation]:
    """The derivations of a user's ``source``, validated.

    Parameters
    ----------
    source : str, Path, module, callable or iterable of Derivation
        A path to a ``.py`` file, the dotted name of an importable module, a module object, or a
        callable — each defining/returning ``derivations()`` — or the records themselves.

    Raises
    ------
    ValueError
        No such file; an id duplicated within the source or already in the built-in catalogue.
    TypeError
        ``derivations()`` missing, or not returning :class:`Derivation` records.
    ModuleNotFoundError
        A dotted name that cannot be imported.
    """
    origin = repr(str(source)) if isinstance(source, (str, Path)) else getattr(source, "__name__", type(source).__name__)
    if isinstance(source, (str, Path)):
        text = str(source)
        path = Path(text)
        module = _import_file(path) if text.endswith(".py") or path.is_file() else importlib.import_module(text)
        source = module
    if isinstance(source, ModuleType):
        fn = getattr(source, "derivations", None)
        if not callable(fn):
            raise TypeError(f"source {origin} defines no derivations() function")
        found = fn()
    elif callable(source) and not isinstance(source, Derivation):
        found = source()
    else:
        found = source
    records = _records(found, f"source {origin}")
    _catalogue_collisions(records, f"source {origin}")
    return records


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def plugin_derivations() -> dict[str, list[Derivation]]:
    """Derivations of the installed packages registered in the :data:`ENTRY_POINT_GROUP` entry points.

    Each entry point names a module defining ``derivations()`` (``"pkg.derivs"``) or the function
    itself (``"pkg.derivs:derivations"``). Returns ``{entry-point name: records}``; loaded per call
    (the entry points of the current ``sys.path``). Ids may not collide with the catalogue or
    between plugins (ValueError).
    """
    out: dict[str, list[Derivation]] = {}
    seen: dict[str, str] = {}
    for ep in _entry_points():
        records = load_derivations(ep.load())
        for d in records:
            if d.id in seen:
                raise ValueError(f"formula id {d.id!r} registered by both plugins {seen[d.id]!r} and {ep.name!r}")
            seen[d.id] = ep.name
        out[ep.name] = records
    return out


def plugin_ids() -> dict[str, str]:
    """id → entry-point name of every installed plugin derivation."""
    return {d.id: name for name, ds in plugin_derivations().items() for d in ds}
