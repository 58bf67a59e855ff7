"""``grok-theory verify``: every registered formula verifies, and failures are reported as failures."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from grok_theory.symbolic import registry
from grok_theory.cli import main
from grok_theory.symbolic import Derivation, Step, numeric_check, printed_check
from grok_theory.symbolic.verify import STATUSES, verify_derivation

ERRATA = (Path(__file__).resolve().parents[1] / "docs" / "errata.md").read_text(encoding="utf-8")
IDS = registry.ids()


SLOW_IDS = [fid for fid in IDS if any(not c.quick for c in registry.get(fid).checks)]


def _assert_verifies(fid: str, quick: bool) -> None:
    """Symbolic steps and checks hold (a failing check of any kind makes the status "fail"); a mismatch
    with the printed paper is documented in the errata."""
    d = registry.get(fid)
    rec = verify_derivation(d, quick=quick)
    assert rec.status in ("pass", "mismatch"), rec.note
    assert rec.steps == len(d.steps)
    if rec.status == "mismatch":
        assert f"`{fid}`" in ERRATA, (
            f"{fid} disagrees with the printed paper but docs/errata.md does not mention it")
    if not quick:
        assert rec.simulation is not None or not any(c.kind == "simulation" for c in d.checks)


@pytest.mark.parametrize("fid", [fid for fid in IDS if fid not in SLOW_IDS])
def test_formula_verifies_quick(fid):
    """Formulas whose checks are all quick (the others: every check, quick ones included, below)."""
    _assert_verifies(fid, quick=True)


@pytest.mark.slow
@pytest.mark.parametrize("fid", SLOW_IDS)
def test_formula_verifies_with_simulations(fid):
    _assert_verifies(fid, quick=False)


def _toy(**kw) -> Derivation:
    x = sp.Symbol("x")
    base = dict(id="toy.id", statement="toy", assumptions=[], result=sp.Eq(sp.Symbol("y"), x**2), source="Toy 2024, Eq. 1",
                steps=[Step("square", x**2, "algebra", lambda: sp.expand((x + 1) ** 2 - 2 * x - 1) == x**2, "sympy: expand")])
    return Derivation(**{**base, **kw})


def test_statuses_can_fail_and_mismatch():
    assert verify_derivation(_toy()).status == "pass"
    bad_step = _toy(steps=[Step("wrong", 0, "none", lambda: False, "sympy")])
    assert verify_derivation(bad_step).status == "fail"
    bad_number = _toy(checks=(numeric_check("wrong digits", lambda dps: mpmath.mpf(1), lambda dps: 1 + mpmath.mpf(10) ** -20, digits=30),))
    rec = verify_derivation(bad_number)
    assert rec.status == "fail" and 19 < rec.digits < 21
    raises = _toy(checks=(numeric_check("raises", lambda dps: 1 / 0, lambda dps: 1),))
    assert verify_derivation(raises).status == "fail" and "ZeroDivisionError" in verify_derivation(raises).note
    printed = _toy(checks=(printed_check("factor 2", lambda: 2.0, lambda: 1.0),))
    assert verify_derivation(printed).status == "mismatch"
    assert verify_derivation(_toy(steps=[])).status == "n/a"


def test_cli_json_records(capsys):
    assert main(["verify", "--quick", "--json", "--id", "levi2024.eq9", "levi2024.eq16"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in recs] == ["levi2024.eq9", "levi2024.eq16"]
    for r in recs:
        assert {"id", "source", "status", "digits", "simulation", "note"} <= set(r) and r["status"] in STATUSES
    assert recs[0]["status"] == "pass" and float(recs[0]["digits"]) >= 30
    assert recs[1]["status"] == "mismatch" and "printed/derived" in recs[1]["note"]


def test_cli_exit_code_on_failure(monkeypatch, capsys):
    failing = _toy(id="toy.failing", steps=[Step("wrong", 0, "none", lambda: False, "sympy")])
    monkeypatch.setattr(registry, "_registry", lambda: {"toy.failing": failing})
    assert main(["verify"]) == 1
    out = capsys.readouterr()
    assert "toy.failing" in out.out and "fail" in out.out and "failed" in out.err


def test_cli_unknown_id_and_list(capsys):
    assert main(["verify", "--id", "levi2024.eq99"]) == 2
    assert "levi2024.eq99" in capsys.readouterr().err
    assert main(["verify", "--list"]) == 0
    assert capsys.readouterr().out.split() == IDS


def test_quick_skips_slow_checks():
    d = registry.get("levi2024.eq15")
    rec = verify_derivation(dataclasses.replace(d, checks=tuple(c for c in d.checks if not c.quick)), quick=True)
    assert rec.simulation is None and "skipped" in rec.note


def test_cli_csv_is_the_json_table(monkeypatch, capsys):
    """``verify --csv``: one row per formula with the --json fields of the table; exit status 1 on a failure."""
    import csv
    import io

    from grok_theory.cli.verify import CSV_FIELDS

    toys = {"toy.pass": _toy(id="toy.pass", source="Toy 2024, Eq. 1, with a comma"),
            "toy.mismatch": _toy(id="toy.mismatch", checks=(printed_check("factor 2", lambda: 2.0, lambda: 1.0),)),
            "toy.fail": _toy(id="toy.fail", source=None, steps=[Step("wrong", 0, "none", lambda: False, "sympy")])}
    monkeypatch.setattr(registry, "_registry", lambda: toys)
    assert main(["verify", "--csv"]) == 1
    out = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(out.out)))
    assert rows[0] == list(CSV_FIELDS) and "failed" in out.err
    assert main(["verify", "--json"]) == 1
    recs = json.loads(capsys.readouterr().out)
    assert [r[0] for r in rows[1:]] == [r["id"] for r in recs] == list(toys)
    for row, rec in zip(rows[1:], recs):
        got = dict(zip(CSV_FIELDS, row))
        assert got["status"] == rec["status"] and int(got["steps"]) == rec["steps"]
        assert got["source"] == (rec["source"] or "") and got["simulation"] == ""
        assert float(got["seconds"]) >= 0
    assert [r[1] for r in rows[1:]] == ["pass", "mismatch", "fail"]
    with pytest.raises(SystemExit) as exc:  # one output format at a time
        main(["verify", "--csv", "--json"])
    assert exc.value.code == 2
