"""LaTeX, Markdown and JSON export of the formula registry (``grok-theory latex``, ``grok-theory formula``).

Every registered derivation's ``result`` is printed by SymPy's LaTeX printer, with one change:
symbols whose names are written in Unicode mathematics (``"ℓ_gen(ν)"``, ``"E[1/ν]"``) are
translated character by character to LaTeX macros, so the output compiles with a plain
``pdflatex`` (only ``amsmath`` and ``amssymb`` are used). Text (statements, assumptions,
sources) is escaped the same way. ``formulas.json`` carries each result's SymPy ``srepr`` so
it can be reloaded exactly with :func:`load_srepr`.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import sympy
from sympy.printing.latex import LatexPrinter

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # records import this module for Derivation.latex()
    from grok_theory.symbolic.records import Derivation

__all__ = ["UnknownCharacterError", "to_latex", "text_to_latex", "equation", "document", "markdown", "records",
           "load_srepr", "export"]

#: Unicode characters of the derivations' names and texts, as LaTeX math
MATH_CHARS: dict[str, str] = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "ζ": r"\zeta", "η": r"\eta",
    "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma",
    "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi",
    "Ψ": r"\Psi", "Ω": r"\Omega", "ℓ": r"\ell", "ℒ": r"\mathcal{L}", "∂": r"\partial", "∇": r"\nabla",
    "−": "-", "–": "-", "—": "-", "·": r"\cdot", "×": r"\times", "±": r"\pm", "∓": r"\mp", "√": r"\surd",
    "∞": r"\infty", "∫": r"\int", "∑": r"\sum", "‖": r"\|", "∥": r"\|", "≥": r"\geq", "≤": r"\leq", "≠": r"\neq",
    "≈": r"\approx", "≃": r"\simeq", "≡": r"\equiv", "∝": r"\propto", "≪": r"\ll", "≫": r"\gg", "≲": r"\lesssim",
    "≳": r"\gtrsim", "∈": r"\in", "∉": r"\notin", "⊆": r"\subseteq", "∪": r"\cup", "⊙": r"\odot", "⊥": r"\perp",
    "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow", "∀": r"\forall", "⟨": r"\langle", "⟩": r"\rangle", "…": r"\dots", "′": "'",
    "§": r"\S", "½": r"\tfrac12", "¼": r"\tfrac14", "✓": r"\checkmark",
}

#: combining accents (letters such as ḣ, Ṡ, ŷ decompose into a base letter and these)
ACCENTS = {"\u0307": r"\dot", "\u0308": r"\ddot", "\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar"}

#: superscript and subscript characters; a run of them becomes one ^{…} or _{…}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵀᵗ", "0123456789+-Tt"))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ᵢⱼₓ", "0123456789+-ijx"))

_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?")
_TEXT_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}", "<": r"$<$",
                 ">": r"$>$", "|": r"$|$"}


class UnknownCharacterError(ValueError):
    """A character with no LaTeX translation in :data:`MATH_CHARS`."""


_SCRIPT_RUN = re.compile(f"[{''.join(SUPERSCRIPTS)}]+|[{''.join(SUBSCRIPTS)}]+")


def _char(c: str) -> str:
    if c in SUPERSCRIPTS or c in SUBSCRIPTS:
        return _script(c)
    if c in MATH_CHARS:
        return MATH_CHARS[c]
    base, *marks = unicodedata.normalize("NFD", c)
    if marks and all(m in ACCENTS for m in marks) and (base.isascii() or base in MATH_CHARS):
        out = MATH_CHARS.get(base, base)
        for m in marks:
            out = f"{ACCENTS[m]}{{{out}}}"
        return out
    raise UnknownCharacterError(f"no LaTeX for the character {c!r} (U+{ord(c):04X}); add it to "
                                "grok_theory.symbolic.latex.MATH_CHARS")


def _accented(text: str, i: int) -> tuple[str | None, int]:
    r"""A base character followed by combining accents at ``text[i]`` (e.g. ``"ρ\u0307"``) as ``\dot{\rho}``.

    Returns ``(None, i)`` when no combining mark follows.
    """
    j = i + 1
    while j < len(text) and unicodedata.combining(text[j]):
        j += 1
    if j == i + 1:
        return None, i
    base = text[i]
    out = base if base.isascii() else _char(base)
    for m in text[i + 1:j]:
        if m not in ACCENTS:
            raise UnknownCharacterError(f"no LaTeX for the combining character U+{ord(m):04X} after {base!r}; add it "
                                        "to grok_theory.symbolic.latex.ACCENTS")
        out = f"{ACCENTS[m]}{{{out}}}"
    return out, j


def _script(run: str) -> str:
    """A run of superscript (or subscript) characters as one ``^{…}`` (``_{…}``)."""
    if run[0] in SUPERSCRIPTS:
        return "^{" + "".join(SUPERSCRIPTS[c] for c in run) + "}"
    return "_{" + "".join(SUBSCRIPTS[c] for c in run) + "}"


def _math_name(name: str) -> str:
    """A Unicode-mathematics symbol name as LaTeX math: ``"ℓ_gen(ν)"`` → ``\\ell_{gen}(\\nu)``."""
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c == "_":
            m = re.match(r"[A-Za-z0-9]+", name[i + 1:])
            run = m.group(0) if m else ""
            out.append("_{" + run + "}")
            i += 1 + len(run)
            continue
        run = _SCRIPT_RUN.match(name, i)
        if run:
            out.append(_script(run.group(0)))
            i = run.end()
            continue
        accented, end = _accented(name, i)
        if accented:
            out.append(accented)
            i = end
            continue
        if c == " ":
            out.append(r"\ ")
        elif c == "%":
            out.append(r"\%")
        elif c.isascii():
            out.append(c)
        else:
            macro = _char(c)
            follows = name[i + 1:i + 2]
            out.append(macro + (" " if macro[-1].isalpha() and follows.isascii() and follows.isalpha() else ""))
        i += 1
    return "".join(out).rstrip()


class _Printer(LatexPrinter):
    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        if _PLAIN_NAME.fullmatch(expr.name):
            return super()._print_Symbol(expr, style)
        return "{" + _math_name(expr.name) + "}"


def to_latex(expr: object) -> str:
    """LaTeX of a SymPy expression or equation, Unicode-named symbols translated to macros."""
    return _Printer().doprint(expr)


def text_to_latex(text: str) -> str:
    """Plain text (statements, assumptions) as LaTeX text mode: specials escaped, mathematics in ``$…$``."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        run = _SCRIPT_RUN.match(text, i)
        if run:
            out.append("$" + _script(run.group(0)) + "$")
            i = run.end()
            continue
        accented, end = _accented(text, i)
        if accented:
            out.append("$" + accented + "$")
            i = end
            continue
        i += 1
        if c in _TEXT_SPECIAL:
            out.append(_TEXT_SPECIAL[c])
        elif c.isascii():
            out.append(c)
        else:
            out.append("$" + _char(c) + "$")
    return "".join(out).replace("$$", "")


def equation(d: Derivation) -> str:
    """The result of ``d`` as a labelled ``equation`` environment."""
    return f"\\begin{{equation}}\\label{{{d.id}}}\n{to_latex(d.result)}\n\\end{{equation}}\n"


def _block(d: Derivation) -> str:
    lines = [f"\\subsection*{{\\texttt{{{text_to_latex(d.id)}}}}}", text_to_latex(d.statement) + ".", ""]
    if d.source:
        lines.append(f"\\noindent Source: {text_to_latex(d.source)}.\\par")
    if d.assumptions:
        lines.append("\\noindent Assumptions: " + "; ".join(text_to_latex(a) for a in d.assumptions) + ".\\par")
    lines.append(equation(d))
    return "\n".join(lines)


def document(derivations: Iterable[Derivation]) -> str:
    """A complete LaTeX document with every formula, its label, source and assumptions."""
    body = "\n".join(_block(d) for d in derivations)
    return ("\\documentclass[10pt]{article}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2cm]{geometry}\n\\allowdisplaybreaks\n"
            "\\title{grok-theory: formula catalogue}\n\\date{}\n\\begin{document}\n\\maketitle\n"
            "Every formula below is derived by SymPy in \\texttt{derivations/} and re-checked by "
            "\\texttt{grok-theory verify}; labels are the formula ids.\n\n"
            f"{body}\n\\end{{document}}\n")


def markdown(derivations: Iterable[Derivation], preamble: str = "",
             sections: Mapping[str, str] | None = None) -> str:
    """The catalogue as Markdown with ``$$…$$`` display mathematics.

    Parameters
    ----------
    derivations : iterable of Derivation
        The formulas, one section each, in order.
    preamble : str
        Markdown placed after the introduction (e.g. a summary of a recorded verify run).
    sections : mapping of str to str, optional
        Markdown appended to the section of the formula with that id (e.g. its verify status).
    """
    parts = ["# Formula catalogue\n", "Generated by `grok-theory latex` (do not edit by hand). Every formula is derived "
             "by SymPy in `derivations/` and re-checked by `grok-theory verify`.\n"]
    if preamble:
        parts.append(preamble.rstrip("\n") + "\n")
    for d in derivations:
        parts.append(f"## `{d.id}`\n\n{d.statement}.\n")
        if d.source:
            parts.append(f"Source: {d.source}.\n")
        if d.assumptions:
            parts.append("Assumptions: " + "; ".join(d.assumptions) + ".\n")
        parts.append(f"$$\n{to_latex(d.result)}\n$$\n")
        if sections and d.id in sections:
            parts.append(sections[d.id].rstrip("\n") + "\n")
    return "\n".join(parts)


def records(derivations: Iterable[Derivation]) -> list[dict]:
    """JSON-ready records: id, statement, assumptions, source, numeric implementation, LaTeX and SymPy srepr."""
    return [{"id": d.id, "statement": d.statement, "assumptions": list(d.assumptions), "source": d.source,
             "numeric": d.numeric, "latex": to_latex(d.result), "srepr": sympy.srepr(d.result)} for d in derivations]


def load_srepr(text: str) -> sympy.Basic:
    """Rebuild a SymPy expression from its ``srepr`` (as stored in ``formulas.json``)."""
    namespace: dict = {}
    exec("from sympy import *", namespace)  # srepr is evaluable in SymPy's namespace by design
    return eval(text, namespace)


def export(out_dir: str | Path, derivations: Iterable[Derivation]) -> list[Path]:
    """Write ``formulas.tex``, ``formulas.md``, ``formulas.json`` and one ``<id>.tex`` snippet per formula.

    ``derivations`` is any iterable of records, e.g. ``registry.all_derivations()`` for the catalogue.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ds = list(derivations)
    written = []
    for name, text in (("formulas.tex", document(ds)), ("formulas.md", markdown(ds)),
                       ("formulas.json", json.dumps(records(ds), indent=1, ensure_ascii=False) + "\n")):
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    snippets = out / "snippets"
    snippets.mkdir(exist_ok=True)
    for d in ds:
        path = snippets / f"{d.id}.tex"
        path.write_text(equation(d), encoding="utf-8")
        written.append(path)
    return written
