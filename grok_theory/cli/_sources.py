"""The SOURCE arguments of ``verify``, ``latex`` and ``formula``: the user's derivation files and modules."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from grok_theory.symbolic import Derivation

SOURCE_HELP = ("a .py file or importable module defining derivations() -> list[Derivation] "
               "(default: the built-in catalogue and installed plugins)")


def add_source_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="*", metavar="SOURCE", help=SOURCE_HELP)


def load_sources(sources: Sequence[str]) -> list[Derivation]:
    """The derivations of every SOURCE, in order; ValueError (one line) for an unloadable one or a duplicate id."""
    from grok_theory.symbolic import registry

    out: dict[str, Derivation] = {}
    for s in sources:
        try:
            records = registry.load_derivations(s)
        except (ImportError, SyntaxError) as exc:
            raise ValueError(f"source {s!r} cannot be imported: {type(exc).__name__}: {exc}") from None
        for d in records:
            if d.id in out:
                raise ValueError(f"formula id {d.id!r} is defined by two sources (again in {s!r})")
            out[d.id] = d
    return list(out.values())


def catalogue_and_plugins() -> list[Derivation]:
    """The built-in catalogue followed by the installed plugins' derivations (builds everything)."""
    from grok_theory.symbolic import registry

    return registry.all_derivations() + [d for ds in registry.plugin_derivations().values() for d in ds]
