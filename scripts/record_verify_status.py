"""Run ``grok-theory verify`` over the catalogue and record the outcome for the documentation.

    python scripts/record_verify_status.py           # the full run (simulations included; ~3 minutes)
    python scripts/record_verify_status.py --quick   # slow checks skipped (recorded as such)

Writes docs/_data/verify_status.json — when and where the run was made (UTC date, grok-theory
version, git commit, Python, platform), whether it was quick, its wall-clock seconds, the
status counts, and every formula's record as ``grok-theory verify --json`` prints it — then
regenerates docs/formulas.md, whose sections show these recorded statuses
(scripts/make_formula_catalogue.py). tests/test_docs_site.py fails when the recorded ids differ
from the registry's. Exit status 1 if a formula failed (the file is written all the same).
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grok_theory import __version__  # noqa: E402
from grok_theory.symbolic import registry  # noqa: E402
from grok_theory.symbolic.verify import STATUSES, verify  # noqa: E402

OUT = ROOT / "docs" / "_data" / "verify_status.json"


def git_commit() -> str | None:
    """The checked-out commit (with ``+dirty`` when the work tree has changes), or None outside git."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def record(quick: bool = False) -> dict:
    """Verify every catalogue formula (printing one line each to stderr); the run as a JSON-ready dict."""
    date = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    commit = git_commit()  # the code being verified: taken before the run
    start = time.perf_counter()
    records = []
    for rec in verify(None, quick=quick):
        print(f"{rec.id:32s} {rec.status:9s} {rec.seconds:6.1f} s", file=sys.stderr, flush=True)
        records.append(rec.to_json())
    return {
        "command": "python scripts/record_verify_status.py" + (" --quick" if quick else ""),
        "date": date,
        "grok_theory": __version__,
        "commit": commit,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "quick": quick,
        "seconds": round(time.perf_counter() - start, 1),
        "counts": {s: sum(r["status"] == s for r in records) for s in STATUSES},
        "records": records,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the slow checks (simulations at scale)")
    args = ap.parse_args(argv)
    run = record(args.quick)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(run['records'])} formulas, {run['counts']}, {run['seconds']} s")
    missing = set(registry.ids()) - {r["id"] for r in run["records"]}
    assert not missing, missing
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_formula_catalogue.py")], check=True)
    return 1 if run["counts"]["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
