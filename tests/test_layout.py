"""The package layout: layers import one way, the top level is lazy, shared helpers are public and tested."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grok_theory.linear.simulate import (null_space_basis, sample_dataset, simulate_chunked,
                                         simulate_linear)
from grok_theory.simulation import log_steps

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "grok_theory"

#: the layers above the model families, in order; everything else in grok_theory/ is the engine (mp)
#: or a model family (linear, dichotomy, and each family added beside them)
PRESENTATION = ("symbolic", "figures", "cli")
SHARED = {"_validate", "_lazy", "simulation", "parallel", "_display"}
FAMILIES = sorted(p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()
                  and p.name not in PRESENTATION and p.name != "mp")
#: what each layer may import from grok_theory, besides itself and the shared private helpers
ALLOWED = {
    "mp": set(),
    **{family: {"mp", *FAMILIES} for family in FAMILIES},
    "symbolic": set(),
    "figures": {"mp", *FAMILIES, "symbolic"},
}


def _grok_imports(path: Path) -> set[str]:
    """First component below grok_theory of every module ``path`` imports (at any depth)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names] if node.module == "grok_theory" else [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "grok_theory" and len(parts) > 1:
                out.add(parts[1])
    return out


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_one_way(layer):
    bad = {}
    for path in (PKG / layer).glob("*.py"):
        extra = _grok_imports(path) - ALLOWED[layer] - SHARED - {layer}
        if extra:
            bad[path.name] = sorted(extra)
    assert not bad, f"grok_theory/{layer} reaches {bad}"


def test_engine_and_models_do_not_import_the_presentation_layers():
    assert {"linear", "dichotomy"} <= set(FAMILIES)
    for layer in ("mp", *FAMILIES):
        for path in (PKG / layer).glob("*.py"):
            assert not _grok_imports(path) & {"figures", "cli", "symbolic"}, path


def test_top_level_names_are_lazy():
    code = ("import sys, grok_theory; heavy = [m for m in ('sympy', 'scipy', 'grok_theory.mp.law', "
            "'grok_theory.linear.model') if m in sys.modules]; print(heavy); "
            "from grok_theory import MarchenkoPastur, TeacherStudent, grokking_time, crossing_time, phase_diagram; "
            "print(TeacherStudent.__module__, grokking_time.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first == "[]", first
    assert second == "grok_theory.linear.model grok_theory.linear.grokking"


def test_unknown_top_level_name_is_an_attribute_error():
    import grok_theory

    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        grok_theory.nosuch  # noqa: B018
    assert "TeacherStudent" in dir(grok_theory)


def test_log_steps():
    t = log_steps(1e5, 40, include_zero=True)
    assert t[0] == 0 and t[1] == 1 and t[-1] == 100_000
    assert np.all(np.diff(t) > 0) and t.dtype == np.int64
    assert len(log_steps(3000, 80)) <= 80 and log_steps(3000, 80)[0] == 1
    ratios = t[-10:][1:] / t[-10:][:-1]
    np.testing.assert_allclose(ratios, 10 ** (5 / 39), rtol=2e-3)  # log-spaced where rounding does not merge
    for bad in (0, -1, float("nan"), 0.4):
        with pytest.raises(ValueError, match="t_max"):
            log_steps(bad)


def test_sample_dataset_stream_and_scales():
    a, b = sample_dataset(3, 20, 10, 2, 5), sample_dataset(np.random.default_rng(3), 20, 10, 2, 5)
    for k in ("x", "teacher", "student0", "noise", "x_test"):
        assert np.array_equal(getattr(a, k), getattr(b, k))
    assert a.x.shape == (10, 20) and a.teacher.shape == (20, 2) and a.noise.shape == (10, 2) and a.x_test.shape == (5, 20)
    big = sample_dataset(0, 400, 400, 5)
    assert abs((big.teacher**2).sum() - 0.5) < 0.1  # ‖T‖² ≈ 1/2 (THEORY.md §1)
    np.testing.assert_allclose(a.labels(2.0, 0.5), a.x @ (2 * a.teacher) + 0.5 * a.noise)


def test_null_space_basis():
    x = np.random.default_rng(1).standard_normal((6, 10))
    basis = null_space_basis(x)
    assert basis.shape == (4, 10)
    np.testing.assert_allclose(basis @ basis.T, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(x @ basis.T, 0, atol=1e-12)
    assert null_space_basis(np.random.default_rng(2).standard_normal((12, 10))).shape == (0, 10)


def test_chunked_simulation_is_one_run():
    t = np.array([0, 3, 10, 30, 100])
    kw = dict(lam=0.8, d_out=3, seeds=range(2), n_test=50)
    whole = simulate_linear(40, t=t, **kw)
    parts = simulate_chunked(40, t, chunk_elems=2 * 50 * 3, **kw)  # two record times per chunk
    assert np.array_equal(parts.t, whole.t)
    for k in ("train_loss", "gen_loss", "test_accuracy"):
        np.testing.assert_allclose(getattr(parts, k), getattr(whole, k), rtol=1e-10, atol=0)
    with pytest.raises(ValueError, match="lam or n_train"):
        simulate_chunked(40, t)


def test_curve_family_uses_the_model_interface_only():
    tree = ast.parse((PKG / "linear" / "curve_family.py").read_text(encoding="utf-8"))
    private = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
               and n.value.id in ("m", "model") and n.attr.startswith("_")}
    assert not private, private


def test_no_private_names_across_subpackages():
    """A private name (``_x``) is imported only within its own subpackage; across layers and
    families the interface is public (the shared private *modules* ``_validate``, ``_lazy``,
    ``_display`` are imported as modules)."""
    crossing = []
    for path in sorted(PKG.rglob("*.py")):
        own = path.relative_to(PKG).parts[0] if len(path.relative_to(PKG).parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grok_theory.")):
                continue
            source = node.module.split(".")[1]
            private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            if private and source != own:
                crossing.append(f"{path.relative_to(PKG)}: from {node.module} import {', '.join(private)}")
    assert not crossing, crossing
