"""Generate docs/api.md, the API reference, from the docstrings of grok_theory's public modules.

    python scripts/make_api_docs.py            # rewrite docs/api.md
    python scripts/make_api_docs.py --check    # exit 1 if docs/api.md is out of date

Every module and subpackage ``grok_theory.<...>`` (not private, not the CLI package, not the derivations) is
documented: its docstring, then each public name (``__all__``, else the functions and classes
defined in it) with its signature and docstring; classes list their public methods and
properties. tests/test_api_docs.py regenerates the page and compares.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "api.md"
SKIP = {"cli", "derivations", "__main__"}

HEADER = """# API reference

Generated from the docstrings by `python scripts/make_api_docs.py` (do not edit by hand;
`tests/test_api_docs.py` fails when this page is out of date). Command-line usage:
`grok-theory --help` and `grok-theory COMMAND --help`; a tour: [user_guide.md](user_guide.md).
"""


def public_modules() -> list[str]:
    import grok_theory

    names = [m.name for m in pkgutil.walk_packages(grok_theory.__path__, "grok_theory.")
             if not any(part.startswith("_") or part in SKIP for part in m.name.split(".")[1:])]
    return ["grok_theory"] + sorted(names)


def public_names(mod: ModuleType) -> list[str]:
    if hasattr(mod, "__all__"):
        return list(mod.__all__)
    return sorted(n for n, v in vars(mod).items()
                  if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
                  and getattr(v, "__module__", None) == mod.__name__)


def signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "(...)"


def doc(obj: object) -> str:
    text = inspect.getdoc(obj) or "*(no docstring)*"
    return text.strip()


def document_class(name: str, cls: type) -> list[str]:
    lines = [f"### class `{name}{signature(cls)}`", "", doc(cls), ""]
    for attr, value in sorted(vars(cls).items()):
        if attr.startswith("_") and attr not in ("__call__",):
            continue
        if isinstance(value, property):
            lines += [f"- **`{name}.{attr}`** (property) — {doc(value).splitlines()[0]}"]
        elif inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod)):
            fn = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            first = doc(fn).split("\n\n")[0].replace("\n", " ")
            lines += [f"- **`{name}.{attr}{signature(fn)}`** — {first}"]
    return lines + [""]


def document_module(modname: str) -> list[str]:
    mod = importlib.import_module(modname)
    lines = [f"## `{modname}`", "", doc(mod), ""]
    for name in public_names(mod):
        obj = getattr(mod, name)
        home = getattr(obj, "__module__", modname)
        if home != modname:  # re-exported: documented where it is defined
            if modname == "grok_theory":
                lines += [f"- `{name}` (from [`{home}`](#{home.replace('.', '')}))"]
            continue
        if inspect.isclass(obj):
            lines += document_class(name, obj)
        elif callable(obj):
            lines += [f"### `{name}{signature(obj)}`", "", doc(obj), ""]
        elif modname == "grok_theory":
            lines += [f"- `{name}` = `{obj!r}`"]
        else:
            lines += [f"### `{name}`", "", _constant(obj), ""]
    return lines


def _constant(obj: object) -> str:
    """One line for a module constant; a dict of callables (a figure table) by its keys only."""
    if isinstance(obj, dict) and obj and all(callable(v) for v in obj.values()):
        return f"Constant; a table of {len(obj)} callables: " + ", ".join(f"`{k}`" for k in obj) + "."
    text = repr(obj)
    return f"Constant; value `{text}`." if len(text) < 200 and " at 0x" not in text else "Constant."


def render() -> str:
    parts = [HEADER]
    parts.append("Modules: " + ", ".join(f"[`{m}`](#{m.replace('.', '')})" for m in public_modules()) + "\n")
    for modname in public_modules():
        parts.append("\n".join(document_module(modname)))
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/api.md differs from the docstrings")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/api.md is out of date: run python scripts/make_api_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
