"""Re-run the examples shown in README.md and docs/user_guide.md and paste their real output.

    python scripts/refresh_doc_outputs.py            # rewrite the outputs in place
    python scripts/refresh_doc_outputs.py --check    # exit 1 if a deterministic output is stale

Two kinds of example are refreshed:

* ```` ```python ```` blocks of ``>>>`` examples, run in order in one namespace per file (what
  doctest does: the printed output and the repr of each expression);
* ```` ```text ```` / ```` ``` ```` blocks of ``$ grok-theory ...`` or ``$ python docs/examples/tour.py``
  commands whose output is shown (the lines up to the next ``$`` line), run in-process. An
  output shown as an excerpt (a line ``...``) keeps its excerpt: the header, the lines whose first
  word (a formula id) was shown, ``...`` and the last line.

Outputs that contain timings (``verify``, ``mp``'s ms column, ``reproduce``, ``latex``) are
refreshed by the script but not compared by ``--check`` (tests/test_doc_outputs.py runs the
check). Commands whose output is not shown are not run.
"""
from __future__ import annotations

import argparse
import contextlib
import doctest
import io
import os
import re
import runpy
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = (ROOT / "README.md", ROOT / "docs" / "user_guide.md")

#: commands whose output contains wall-clock timings: refreshed, never compared
TIMED = ("verify", "mp", "reproduce", "latex")

FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(language, first line, end line) of every fenced block (the lines strictly inside the fences)."""
    out, start, lang = [], None, ""
    for i, line in enumerate(lines):
        m = FENCE.match(line)
        if not m:
            continue
        if start is None:
            start, lang = i + 1, m.group(1)
        else:
            out.append((lang, start, i))
            start = None
    return out


def run_python_block(text: str, namespace: dict) -> list[tuple[int, int, str]]:
    """Run the ``>>>`` examples of ``text``; (first want line, want line count, new want) of each."""
    parser = doctest.DocTestParser()
    out = []
    for ex in parser.get_examples(text):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(compile(ex.source, "<doc>", "single"), namespace)
            except Exception as exc:  # noqa: BLE001 - shown as doctest shows it
                print(f"Traceback (most recent call last):\n  ...\n{type(exc).__name__}: {exc}")
        want_line = ex.lineno + len(ex.source.splitlines())
        out.append((want_line, len(ex.want.splitlines()), buf.getvalue()))
    return out


def run_command(command: str) -> str:
    """Output of one shown shell command, run in-process (stdout and stderr, as a terminal shows them)."""
    argv = shlex.split(command, comments=True)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        if argv[0] == "grok-theory":
            from grok_theory.cli import main

            try:
                main(argv[1:])
            except SystemExit:  # argparse: --help, usage errors
                pass
        elif argv[:2] == ["python", "docs/examples/tour.py"]:
            cwd = os.getcwd()
            with tempfile.TemporaryDirectory() as tmp:
                os.chdir(tmp)
                try:
                    runpy.run_path(str(ROOT / "docs" / "examples" / "tour.py"), run_name="__main__")
                finally:
                    os.chdir(cwd)
        else:
            raise ValueError(f"cannot run {command!r}")
    return buf.getvalue()


def excerpt(old: list[str], new: list[str]) -> list[str]:
    """Keep an excerpted output an excerpt: header, the rows shown before, '...', last line."""
    keep = {ln.split()[0] for ln in old[1:] if ln.strip() and ln.strip() != "..."}
    rows = [ln for ln in new[1:-1] if ln.strip() and ln.split()[0] in keep and not ln.startswith(" ")]
    last = [ln for ln in new if ln.strip()][-1]
    return [new[0], *rows, "...", last]


def is_timed(command: str) -> bool:
    argv = shlex.split(command, comments=True)
    return argv[0] == "grok-theory" and len(argv) > 1 and argv[1] in TIMED


def refresh(path: Path, compare: Callable[[str, list[str], list[str]], None] | None = None,
            run_timed: bool = True) -> str:
    """The text of ``path`` with every shown output re-run; ``compare(what, old, new)`` sees each
    deterministic one; ``run_timed=False`` leaves the timed outputs as they are (not run)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    namespace: dict = {"__name__": "__doc__"}
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement lines)
    for lang, start, end in blocks(lines):
        body = lines[start:end]
        if lang == "python" and any(ln.startswith(">>>") for ln in body):
            for want_line, n_want, new in run_python_block("\n".join(body) + "\n", namespace):
                old = body[want_line:want_line + n_want]
                new_lines = [ln.rstrip() for ln in new.rstrip("\n").split("\n")] if new else []
                if compare:
                    compare(f"{path.name}: {body[want_line - 1].strip()}", old, new_lines)
                edits.append((start + want_line, start + want_line + n_want, new_lines))
        elif lang in ("", "text", "console"):
            cmds = [i for i, ln in enumerate(body) if ln.startswith("$ ")]
            for k, i in enumerate(cmds):
                stop = cmds[k + 1] if k + 1 < len(cmds) else len(body)
                old = body[i + 1:stop]
                while old and not old[-1].strip():
                    old = old[:-1]
                if not old:
                    continue  # output not shown
                command = body[i][2:]
                if is_timed(command) and not run_timed:
                    continue
                new_lines = [ln.rstrip() for ln in run_command(command).rstrip("\n").split("\n")]
                if any(ln.strip() == "..." for ln in old):
                    new_lines = excerpt(old, new_lines)
                if compare and not is_timed(command):
                    compare(f"{path.name}: $ {command}", old, new_lines)
                edits.append((start + i + 1, start + i + 1 + len(old), new_lines))
    for a, b, new_lines in sorted(edits, reverse=True):
        lines[a:b] = new_lines
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report stale deterministic outputs, change nothing")
    args = ap.parse_args()
    stale = []

    def compare(what: str, old: list[str], new: list[str]) -> None:
        if old != new:
            stale.append(what)

    for path in FILES:
        text = refresh(path, compare)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for what in stale:
        print(("stale: " if args.check else "refreshed: ") + what)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
