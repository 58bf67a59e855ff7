"""The main job works from a plain (non-editable) wheel install, outside the checkout."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_runs_verify_outside_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("grok_theory-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=True)  # dependencies from this environment
    py = env_dir / "bin" / "python"
    inst = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], capture_output=True, text=True,
                          timeout=300)
    assert inst.returncode == 0, inst.stderr[-2000:]
    where = subprocess.run([str(py), "-c", "import grok_theory.derivations.linear.accuracy as m; print(m.__file__)"],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(env_dir)), where.stdout  # the installed copy, not the checkout
    run = subprocess.run([str(env_dir / "bin" / "grok-theory"), "verify", "--quick", "--id", "levi2024.eq9", "levi2024.eq16"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "levi2024.eq9" in run.stdout and "pass" in run.stdout and "mismatch" in run.stdout


def test_source_checkout_runs_without_installation(tmp_path):
    """``python -m grok_theory verify`` from the repository root, with no grok-theory installed.

    ``-S`` skips site processing, so no installed (or editable) copy of the package is visible;
    the dependencies come from this environment's site-packages, given as plain path entries.
    """
    import sysconfig

    env = {"PYTHONPATH": f"{ROOT}:{sysconfig.get_paths()['purelib']}:{sysconfig.get_paths()['platlib']}",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-S", "-c", "import importlib.util as u; print(u.find_spec('grok_theory.derivations'))"],
                           capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert probe.stdout.strip() == "None", probe.stdout + probe.stderr  # nothing installed is visible
    run = subprocess.run([sys.executable, "-S", "-m", "grok_theory", "verify", "--quick", "--id", "levi2024.eq9"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "levi2024.eq9" in run.stdout and "pass" in run.stdout
