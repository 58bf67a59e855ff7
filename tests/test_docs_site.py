"""The Sphinx documentation site (docs/): it builds with warnings as errors, its API reference documents
every public name, its gallery shows every figure image, and its formula catalogue shows the statuses of
a recorded verify run that covers exactly the registered formulas.

The build runs in CI (the ``test`` extra includes the ``docs`` extra); outside CI it is skipped when
Sphinx is not installed (``pip install -e ".[docs]"``).
"""
from __future__ import annotations

import html
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grok_theory.symbolic import registry
from grok_theory.symbolic.verify import STATUSES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
from grok_docs import public_modules  # noqa: E402


def recorded_run() -> dict:
    return json.loads((DOCS / "_data" / "verify_status.json").read_text(encoding="utf-8"))


def test_recorded_verify_run_covers_exactly_the_registry():
    """docs/_data/verify_status.json (scripts/record_verify_status.py) lists exactly the registered ids, in
    order, each with a status, and its provenance; rerun the script after adding or removing a formula."""
    run = recorded_run()
    assert [r["id"] for r in run["records"]] == registry.ids(), "run python scripts/record_verify_status.py"
    assert all(r["status"] in STATUSES for r in run["records"])
    assert run["counts"] == {s: sum(r["status"] == s for r in run["records"]) for s in STATUSES}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", run["date"]) and run["seconds"] > 0
    assert sum(r["seconds"] for r in run["records"]) <= run["seconds"] * 1.01
    assert run["counts"]["fail"] == 0, "the recorded run has failures: fix them before recording"


def test_every_public_module_is_under_a_layer_of_the_api_index():
    """docs/api/index.md lists layers (packages, recursively) and top-level modules; every public module of
    grok_theory is one of them or inside one, so a new module cannot be left out of the reference."""
    text = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (grok_theory(?:\.\w+)?)$", text, flags=re.M))
    roots = {".".join(m.split(".")[:2]) for m in public_modules()}
    assert roots == listed


def _sphinx_available() -> bool:
    try:
        for mod in ("sphinx", "myst_parser", "numpydoc", "pydata_sphinx_theme"):
            importlib.import_module(mod)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built from a copy of docs/ (nothing is written into the work tree) with ``-W --keep-going``."""
    if not _sphinx_available():
        if os.environ.get("CI"):
            pytest.fail("the docs dependencies are missing: the test extra must include grok-theory[docs]")
        pytest.skip('Sphinx is not installed: pip install -e ".[docs]"')
    tmp = tmp_path_factory.mktemp("site")
    src = tmp / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated", "__pycache__"))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "1", "-q", "-b", "html",
                           str(src), str(tmp / "html")], capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    return proc, tmp / "html", src, seconds


@pytest.mark.slow
def test_site_builds_without_warnings(site):
    proc, out, _, seconds = site
    assert proc.returncode == 0, f"sphinx -W failed after {seconds:.0f} s:\n{proc.stderr[-5000:]}"
    for page in ["index", "user_guide", "formulas", "gallery", "errata", "benchmarks", "models/thermal", "api/index"]:
        assert (out / f"{page}.html").exists(), page
    assert "mathjax" in (out / "formulas.html").read_text(encoding="utf-8").lower()


def _documented_ids(out: Path, module: str) -> set[str]:
    page = out / "api" / "generated" / f"{module}.html"
    return set(re.findall(r'\bid="([\w.]+)"', page.read_text(encoding="utf-8"))) if page.exists() else set()


@pytest.mark.slow
def test_api_reference_documents_every_public_name(site):
    """Each public module has a page; each name in its ``__all__`` is documented there, or, when it is
    defined in another module of grok_theory (a package's lazy re-export), on that module's page."""
    _, out, _, _ = site
    missing = []
    for modname in public_modules():
        ids = _documented_ids(out, modname)
        assert ids, f"no API page for {modname}"
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", ()):
            if name.startswith("__"):
                continue
            home = getattr(getattr(mod, name), "__module__", None)
            if isinstance(home, str) and home.startswith("grok_theory") and home != modname:
                ok = f"{home}.{name}" in _documented_ids(out, home)
            else:
                ok = f"{modname}.{name}" in ids
            if not ok:
                missing.append(f"{modname}.{name}")
    assert not missing, f"public names without API documentation: {missing}"


@pytest.mark.slow
def test_gallery_and_catalogue_pages(site):
    """The gallery shows every image of docs/figures/ with a caption; the catalogue shows every formula's
    recorded status."""
    from grok_theory.figures.reproduce import summaries

    _, out, _, _ = site
    gallery = (out / "gallery.html").read_text(encoding="utf-8")
    for png in sorted((DOCS / "figures").glob("*.png")):
        assert re.search(rf'<img[^>]+src="[^"]*{re.escape(png.name)}"', gallery), png.name
    for name, summary in summaries().items():
        assert f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{name}</span></code>" in gallery, name
    catalogue = html.unescape(re.sub(r"<[^>]+>", "", (out / "formulas.html").read_text(encoding="utf-8")))
    run = recorded_run()
    for r in run["records"]:
        assert r["id"] in catalogue
    statuses = re.findall(r"Verify status: (\S+) \(recorded", catalogue)
    assert statuses == [r["status"] for r in run["records"]]
