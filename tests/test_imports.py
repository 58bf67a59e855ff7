"""Every module imports on its own in a fresh interpreter (catches circular imports)."""
from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import grok_theory

MODULES = sorted(m.name for m in pkgutil.walk_packages(grok_theory.__path__, "grok_theory.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_alone(module):
    out = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
