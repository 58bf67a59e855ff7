"""Sphinx configuration of the grok-theory documentation site.

Build it from the repository root (tests/test_docs_site.py builds it the same way):

    pip install -e ".[docs]" && python -m sphinx -W -b html docs docs/_build/html

Pages are MyST Markdown (docs/*.md, docs/models/*.md); the API reference (docs/api/) is generated
by autosummary from the docstrings (numpydoc style); the formula gallery and the figure gallery
are filled from the registry and the recorded verify run by the local extension _ext/grok_docs.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import grok_theory  # noqa: E402
from grok_docs import reexports, submodules  # noqa: E402

project = "grok-theory"
author = "the grok-theory developers"
copyright = "2024–2026, the grok-theory developers"
release = version = grok_theory.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "grok_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "_data", "_ext", "_templates", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# --- MyST: $…$ and $$…$$ maths (rendered by MathJax), LaTeX environments, heading anchors ---
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# --- API reference: autosummary writes one page per module (docs/api/generated/, not committed) ---
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's public names are its __all__
autosummary_imported_members = False
autosummary_context = {"reexports": reexports(), "submodules": submodules()}
autodoc_default_options = {"members": True, "undoc-members": True, "member-order": "bysource"}
autodoc_typehints = "none"          # the numpydoc Parameters sections carry the types
autodoc_preserve_defaults = True    # signatures show `dps=None`, not evaluated defaults
numpydoc_show_class_members = False  # members are documented by autodoc below the class
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- HTML ---
html_theme = "pydata_sphinx_theme"
html_title = f"grok-theory {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
