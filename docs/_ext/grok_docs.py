"""Local Sphinx extension of the grok-theory site: the module lists of the API reference, the figure
gallery (gallery.py: one figure per ``grok-theory reproduce`` name, captioned by its summary) and the
command-line reference (cli_help.py: every command's ``--help``)."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

#: grok_theory subpackages left out of the API reference (the literate derivations are documented
#: by the formula catalogue; ``__main__`` is ``python -m grok_theory``)
SKIP = {"derivations", "__main__"}


def public_modules() -> list[str]:
    """Every public module of grok_theory (no part of the dotted name starts with ``_``), sorted."""
    import grok_theory

    names = [m.name for m in pkgutil.walk_packages(grok_theory.__path__, "grok_theory.")
             if not any(part.startswith("_") or part in SKIP for part in m.name.split(".")[1:])]
    return ["grok_theory", *sorted(names)]


def is_package(modname: str) -> bool:
    return hasattr(importlib.import_module(modname), "__path__")


def reexports() -> dict[str, list[tuple[str, str]]]:
    """``{package: [(name, defining module), ...]}`` for every public package.

    A package's ``__all__`` names objects defined in its submodules (loaded lazily); the API
    reference documents each once, in its defining module, and the package page links there.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for modname in public_modules():
        mod = importlib.import_module(modname)
        if not hasattr(mod, "__path__"):
            continue
        rows = []
        for name in getattr(mod, "__all__", ()):
            home = getattr(getattr(mod, name), "__module__", None)
            if home and home != modname:
                rows.append((name, home))
        out[modname] = rows
    return out


def submodules() -> dict[str, list[str]]:
    """``{package: [its public submodules and subpackages]}`` (one level; the API index lists the
    layers of ``grok_theory`` itself, so its entry is empty)."""
    mods = public_modules()
    out = {m: [n for n in mods if n.rpartition(".")[0] == m] for m in mods if is_package(m)}
    out["grok_theory"] = []
    return out


def _numpydoc_with_one_template(app) -> None:
    """Make numpydoc compile its docstring template once per build instead of once per object.

    ``numpydoc.docscrape_sphinx.get_doc_object`` builds a new Jinja environment and recompiles
    ``numpydoc_docstring.rst`` on every call (twice per documented object: signature and
    docstring), about a sixth of this site's build time. numpydoc's ``setup`` takes the function
    as a parameter (``get_doc_object_``); this installs the same function with the template cached.
    """
    import numpydoc.numpydoc as nd
    from numpydoc import docscrape, docscrape_sphinx as ds

    cache: dict[int, object] = {}  # by id of the builder argument (numpydoc passes the app or None)

    def get_doc_object(obj, what=None, doc=None, config=None, builder=None):
        config = {} if config is None else config
        key = id(builder)
        if key not in cache:
            ds.get_doc_object(None, what="object", doc="", config=config, builder=builder)  # compiles it
            cache[key] = config["template"]
        config["template"] = cache[key]
        return docscrape.get_doc_object(obj, what=what, doc=doc, config=config, class_doc=ds.SphinxClassDoc,
                                        func_doc=ds.SphinxFunctionDoc, obj_doc=ds.SphinxObjDoc)

    if getattr(nd, "get_doc_object", None) is ds.get_doc_object:  # the numpydoc this was written for
        nd.get_doc_object = get_doc_object


def setup(app):  # noqa: D103 - Sphinx entry point
    from cli_help import CliHelp
    from gallery import FigureGallery

    app.add_directive("figure-gallery", FigureGallery)
    app.add_directive("cli-help", CliHelp)
    app.connect("builder-inited", _numpydoc_with_one_template)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
