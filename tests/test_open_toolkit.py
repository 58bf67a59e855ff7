"""grok-theory as an open toolkit (issue 15): the user's own derivations through verify/latex/formula,
entry-point plugins, grok_theory.testing, candidate formulas against the exact theory, the lazy
registry and the tutorial example."""
from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sympy as sp

from grok_theory.cli import main
from grok_theory.symbolic import Derivation, DerivationError, equality_step, registry
from grok_theory.testing import assert_all_verified, assert_verified

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "own_derivation.py"

# a user's file: one true claim (with a numeric check) and one false claim (numeric check and a symbolic step)
USER_FILE = '''
import mpmath, sympy as sp
from grok_theory.symbolic import Derivation, equality_step, numeric_check

x = sp.Symbol("x", positive=True)


def derivations():
    good = Derivation(
        "me.sin_double", "sin 2x = 2 sin x cos x", [], [equality_step("double angle", sp.sin(2 * x),
        2 * sp.sin(x) * sp.cos(x), "trig")], sp.sin(2 * x),
        checks=(numeric_check("at x = 0.3", lambda dps: mpmath.sin(mpmath.mpf(3) / 5),
                              lambda dps: 2 * mpmath.sin(mpmath.mpf(3) / 10) * mpmath.cos(mpmath.mpf(3) / 10)),))
    bad = Derivation(
        "me.pi_approx", "pi = 22/7 (false)", [], [], sp.Rational(22, 7),
        checks=(numeric_check("22/7 vs pi", lambda dps: mpmath.mpf(22) / 7, lambda dps: mpmath.pi, digits=10),))
    return [good, bad]
'''


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def user_file(tmp_path):
    path = tmp_path / "my_derivations.py"
    path.write_text(USER_FILE)
    return path


# -- public API: short reprs, measured discrepancies -------------------------------------------------

def test_reprs_are_one_short_line_for_the_whole_catalogue():
    for d in registry.all_derivations():
        text = repr(d)
        assert "\n" not in text and len(text) < 200 and d.id in text, text
        assert all(len(repr(s)) < 140 and "\n" not in repr(s) for s in d.steps)
        assert all(len(repr(c)) < 120 and "\n" not in repr(c) for c in d.checks)


def test_equality_step_reports_the_residual():
    x = sp.Symbol("x")
    d = Derivation("me.wrong", "false identity", [], [equality_step("claim", (x + 1) ** 2, x**2 + 1, "algebra")], x)
    with pytest.raises(DerivationError, match=r"lhs − rhs = 2\*x ≠ 0"):
        d.verify()


# -- the lazy registry ------------------------------------------------------------------------------

def test_static_index_is_complete_and_correct():
    assert registry.INDEX == registry.build_index(), "stale index: run python scripts/make_registry_index.py"
    for fid, module in registry.INDEX.items():
        d = registry.module_derivations(module)[fid]
        assert registry.ENTRIES[fid] == registry.entry_of(d), fid
        e = registry.entry(fid)
        assert sp.srepr(e.result) == sp.srepr(d.result) and e.statement == d.statement
    assert registry.ids() == [d.id for d in registry.all_derivations()]


def _imported_derivation_modules(*argv: str) -> tuple[int, list[str]]:
    code = ("import sys\nfrom grok_theory.cli import main\nrc = main(%r)\n"
            "print('MODULES', sorted(m for m in sys.modules if m.startswith('grok_theory.derivations.')))\n"
            "sys.exit(rc)" % (list(argv),))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    line = [s for s in proc.stdout.splitlines() if s.startswith("MODULES")][-1]
    mods = [m for m in eval(line.split(" ", 1)[1]) if m.count(".") == 3]  # grok_theory.derivations.<family>.<module>
    return proc.returncode, mods


def test_formula_and_verify_id_build_only_the_defining_module():
    rc, mods = _imported_derivation_modules("formula", "levi2024.eq9", "--latex")
    assert rc == 0 and mods == []  # served from the generated index: no module built
    rc, mods = _imported_derivation_modules("verify", "--id", "levi2024.eq10", "--quick")
    assert rc == 0 and mods == ["grok_theory.derivations.linear.accuracy"]


def test_unknown_id_fails_with_close_matches(capsys):
    code, _, err = run(capsys, "formula", "levi2024.eq1S")
    assert code == 2 and "levi2024.eq15" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "verify", "--id", "levi2024.eq1S")
    assert code == 2 and "did you mean" in err


# -- user sources -----------------------------------------------------------------------------------

def test_verify_user_file_false_claim_fails_with_discrepancy(capsys, user_file):
    code, out, _ = run(capsys, "verify", str(user_file), "--json")
    recs = {r["id"]: r for r in json.loads(out)}
    assert code == 1
    assert recs["me.sin_double"]["status"] == "pass" and recs["me.sin_double"]["steps"] == 1
    bad = recs["me.pi_approx"]
    assert bad["status"] == "fail"
    rel = 22 / 7 / math.pi - 1  # the measured discrepancy is reported
    assert f"implementation/reference − 1 = {rel:.4g}" in bad["note"]
    assert 3 < bad["digits"] < 3.7


def test_verify_list_id_formula_and_latex_from_a_source(capsys, user_file, tmp_path):
    code, out, _ = run(capsys, "verify", str(user_file), "--list")
    assert code == 0 and out.split() == ["me.sin_double", "me.pi_approx"]
    code, out, _ = run(capsys, "verify", str(user_file), "--id", "me.sin_double")
    assert code == 0 and "1 pass" in out
    code, out, _ = run(capsys, "formula", "me.sin_double", "--from", str(user_file), "--latex")
    assert code == 0 and out.strip() == r"\sin{\left(2 x \right)}"
    code, _, _ = run(capsys, "latex", str(user_file), "--out", str(tmp_path / "tex"))
    assert code == 0
    tex = (tmp_path / "tex" / "formulas.tex").read_text()
    assert r"\label{me.sin_double}" in tex and r"\label{levi2024.eq9}" not in tex
    assert json.loads((tmp_path / "tex" / "formulas.json").read_text())[1]["id"] == "me.pi_approx"


def test_source_colliding_with_the_catalogue_is_rejected(capsys, tmp_path):
    path = tmp_path / "clash.py"
    path.write_text(USER_FILE.replace('"me.sin_double"', '"levi2024.eq9"'))
    code, _, err = run(capsys, "verify", str(path))
    assert code == 2 and "levi2024.eq9" in err and "already in the built-in catalogue" in err
    code, _, err = run(capsys, "verify", "no_such_module_xyz")
    assert code == 2 and "cannot be imported" in err
    with pytest.raises(TypeError, match="not a grok_theory.symbolic.Derivation"):
        registry.load_derivations(lambda: [1, 2])


def test_importable_module_source(capsys, tmp_path, monkeypatch):
    (tmp_path / "mine_mod.py").write_text(USER_FILE)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [d.id for d in registry.load_derivations("mine_mod")] == ["me.sin_double", "me.pi_approx"]


def test_entry_point_plugin(capsys, tmp_path, monkeypatch):
    (tmp_path / "plugin_derivs.py").write_text(USER_FILE.replace("me.", "plugin."))
    dist = tmp_path / "grok_plugin_demo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: grok-plugin-demo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[grok_theory.derivations]\ndemo = plugin_derivs\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, out, _ = run(capsys, "verify", "--list")
    assert code == 0 and "plugin.sin_double  [plugin demo]" in out and "levi2024.eq9" in out
    assert registry.get("plugin.sin_double").id == "plugin.sin_double"
    code, out, _ = run(capsys, "verify", "--id", "plugin.sin_double", "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "pass"


# -- grok_theory.testing ------------------------------------------------------------------------------

def test_assert_verified_messages(user_file):
    good, bad = registry.load_derivations(user_file)
    assert assert_verified(good).status == "pass"
    with pytest.raises(AssertionError) as info:
        assert_verified(bad)
    msg = str(info.value)
    assert msg.startswith("me.pi_approx: status fail") and "FAIL 22/7 vs pi" in msg and "implementation/reference − 1" in msg
    with pytest.raises(AssertionError, match="1 of 2 derivations failed"):
        assert_all_verified(str(user_file))


# -- candidate formulas -------------------------------------------------------------------------------

def test_candidate_eq12_against_exact_delta_t():
    from grok_theory.linear.asymptotics import levi2024_eq12
    from grok_theory.linear.grokking import grokking_time
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.candidate import check_candidate

    grid = {"lam": [0.1, 0.5, 0.9], "eps": [1e-2, 1e-6]}
    r = check_candidate("delta_t", "log(1/(1 - sqrt(λ)))/(2*η*(1 - sqrt(λ))**2)", grid)
    for row in r.rows():  # the symbolic candidate agrees with the library's printed Eq. 12 at every point
        exact = grokking_time(TeacherStudent(row["lam"], lr=0.01), row["eps"]).delta
        assert row["rel_error"] == pytest.approx(levi2024_eq12(row["lam"], 0.01) / exact - 1, rel=1e-12)
    assert (r.worst["lam"], r.worst["eps"]) == (0.9, 1e-2) and r.worst["rel_error"] > 1
    printed = check_candidate("delta_t", levi2024_eq12, grid)  # the library's printed form, as a Python function
    assert printed.rel_error == pytest.approx(r.rel_error, rel=1e-12)
    assert printed.to_json()["candidate"] == "grok_theory.linear.asymptotics.levi2024_eq12"
    undefined = check_candidate("delta_t", levi2024_eq12, {"lam": [0.5, 1.5]}, {"eps": 1e-3})  # λ ≥ 1: ValueError → NaN
    assert undefined.undefined == 1 and undefined.worst["lam"] == 0.5


def test_candidate_exact_formula_and_errors():
    from grok_theory.candidate import check_candidate

    r = check_candidate("mp_laplace", "exp(-s*(1+lam))*besseli(1, 2*sqrt(lam)*s)/(sqrt(lam)*s)",  # Levi Eq. 9
                        {"lam": [0.3, 0.9, 2.0], "s": [0.5, 5.0]}, {"power": 1})
    assert r.max_abs_rel_error < 1e-12
    wrong = check_candidate("mp_laplace", "exp(-s*(1+lam))", {"lam": [0.5], "s": [1.0]}, {"power": 1})
    assert wrong.max_abs_rel_error > 0.1
    with pytest.raises(ValueError, match="'x' is not a parameter of 'L_gen'"):
        check_candidate("L_gen", "x*t", {"t": [1]}, {"lam": 0.5})
    with pytest.raises(ValueError, match="needs t"):
        check_candidate("L_gen", "lam", {"lam": [0.5]})
    with pytest.raises(ValueError, match="quantity='L_test'"):
        check_candidate("L_test", "lam", {"lam": [0.5]})


def test_check_cli(capsys, tmp_path):
    code, out, _ = run(capsys, "check", "mp_moment", "1 + lam", "--grid", "lam=0.1,2", "--set", "k=2", "--csv",
                       "--tol", "1e-13")
    assert code == 0 and out.splitlines()[0] == "lam,exact,candidate,rel_error"
    code, out, err = run(capsys, "check", "mp_moment", "1 + 2*lam", "--grid", "lam=0.1,2", "--set", "k=2", "--json",
                         "--tol", "1e-3", "--plot", str(tmp_path / "err.png"))
    data = json.loads(out)
    assert code == 1 and data["worst"]["lam"] == 2.0 and data["max_abs_rel_error"] == pytest.approx(2 / 3)
    assert (tmp_path / "err.png").stat().st_size > 1000 and "exceeds --tol" in err


# -- the tutorial ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_tutorial_example_verifies_and_exports(capsys, tmp_path):
    recs = assert_all_verified(str(EXAMPLE))
    assert [r.id for r in recs] == ["tutorial.schedule_dt"] and recs[0].simulation is not None
    module = sys.modules[[m for m in sys.modules if m.startswith("grok_theory_user_own_derivation")][0]]
    with pytest.raises(AssertionError, match="implementation/reference − 1 = 0.3"):
        assert_verified(module.wrong_schedule_dt())
    # the simulation can tell: the constant-rate Δt (no schedule) is rejected by the same seeds
    theory, mean, sem = module._simulated_delta()()
    constant = module.grokking_time(module.TeacherStudent(module.LAM, lr=module.LR1), module.EPS).delta
    assert abs(theory[2] - mean[2]) / sem[2] < 4.5 < abs(constant - mean[2]) / sem[2]
    code, _, _ = run(capsys, "latex", str(EXAMPLE), "--out", str(tmp_path))
    assert code == 0 and r"\label{tutorial.schedule_dt}" in (tmp_path / "formulas.tex").read_text()
    text = (ROOT / "docs" / "tutorial_own_derivation.md").read_text()
    assert "docs/examples/own_derivation.py" in text and "grok-theory verify docs/examples/own_derivation.py" in text
