"""The ``cli-help`` directive: ``grok-theory --help`` and the ``--help`` of every command and
subcommand, as the installed parser prints them (so the page cannot disagree with the program)."""
from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

#: the width the help is formatted to (argparse reads $COLUMNS)
WIDTH = "100"


def walk(parser: argparse.ArgumentParser, name: str = "grok-theory") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser of the command line, depth first: ``(command line, parser)``."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from walk(sub, f"{name} {sub_name}")


class CliHelp(SphinxDirective):
    """``` ```{cli-help} ``` ```: one rubric and literal block per command (see the module docstring)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from grok_theory.cli import build_parser

        old = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = WIDTH
        try:
            out: list[nodes.Node] = []
            for name, parser in walk(build_parser()):
                parser.prog = name
                out.append(nodes.rubric(text=f"{name} --help", ids=[nodes.make_id(f"cli-{name}")]))
                text = parser.format_help().rstrip()
                out.append(nodes.literal_block(text, text, language="text"))
            return out
        finally:
            if old is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = old
