"""The ``figure-gallery`` directive: every figure of ``grok-theory reproduce --list``, in its order,
with its summary as the caption and the image drawn into docs/figures/NAME.png (if there is one),
then any other image of docs/figures/, captioned by the text that embeds it in the docs pages."""
from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

#: ``![alt](figures/NAME.png)`` in a Markdown page
EMBED = re.compile(r"!\[([^\]]*)\]\((?:\.\./)?figures/([\w.-]+)\.png\)")


def embeds(docs: Path) -> dict[str, list[tuple[str, str]]]:
    """``{image name: [(page, alt text), ...]}`` for every figure embedded in a docs page."""
    out: dict[str, list[tuple[str, str]]] = {}
    for page in sorted(docs.rglob("*.md")):
        rel = page.relative_to(docs)
        if rel.parts[0].startswith("_") or page.name == "gallery.md":
            continue
        for alt, name in EMBED.findall(page.read_text(encoding="utf-8")):
            out.setdefault(name, []).append((rel.with_suffix("").as_posix(), alt))
    return out


def gallery_markdown(docs: Path, current: str) -> list[str]:
    """The gallery as MyST Markdown lines (``current``: the gallery page's docname, for relative links)."""
    from grok_theory.figures.reproduce import summaries

    fig_dir = docs / "figures"
    seen = embeds(docs)
    up = "../" * current.count("/")
    lines: list[str] = []

    def where(name: str) -> str:
        pages = sorted({page for page, _ in seen.get(name, ())})
        return ("Discussed in: " + ", ".join(f"{{doc}}`/{p}`" for p in pages) + ".") if pages else ""

    def figure(name: str, caption: str) -> list[str]:
        return [f":::{{figure}} {up}figures/{name}.png", f":alt: {name}", f":name: gallery-{name}", ":width: 100%", "",
                f"`{name}` — {caption}" if caption else f"`{name}`", "", where(name), ":::", ""]

    missing = []
    for name, summary in summaries().items():
        if not (fig_dir / f"{name}.png").exists():
            missing.append((name, summary))
            continue
        lines += figure(name, summary)
    if missing:
        lines += [":::{rubric} Not drawn here yet", ":::", "",
                  "These figures are registered but have no image in `docs/figures/`; draw one with "
                  "`grok-theory reproduce NAME --out docs/figures --format png`.", ""]
        lines += [f"* `{name}` — {summary}" for name, summary in missing] + [""]
    registered = set(summaries())
    others = sorted(p.stem for p in fig_dir.glob("*.png") if p.stem not in registered)
    if others:
        lines += [":::{rubric} Other figures", ":::", "", "Images of the docs pages that are not `reproduce` figures.", ""]
        for name in others:
            lines += figure(name, next((a for _, a in seen.get(name, ()) if a), ""))
    return lines


class FigureGallery(SphinxDirective):
    """``` ```{figure-gallery} ``` ```: the gallery of docs/figures/ (see the module docstring)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        docs = Path(self.env.srcdir)
        self.env.note_dependency(str(docs / "figures"))
        container = nodes.container()
        self.state.nested_parse(StringList(gallery_markdown(docs, self.env.docname)), self.content_offset, container)
        return container.children
