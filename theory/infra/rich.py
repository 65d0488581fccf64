"""A small document model shared by the formula sheet (LaTeX) and the report (HTML).

A document is a list of :class:`Block`: headings, paragraphs, display formulas and list items. Text is
plain text in which ``$...$`` marks inline LaTeX math; the plain parts are escaped for the target
format, the math parts are passed through (typeset by pdflatex in the sheet, by KaTeX in the report).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Literal

Kind = Literal["section", "subsection", "text", "math", "item"]

_INLINE = re.compile(r"(\$[^$]+\$)")
_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "#": r"\#",
                  "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
                  "|": r"\textbar{}", "<": r"\textless{}", ">": r"\textgreater{}"}


@dataclass(frozen=True)
class Block:
    """One block: ``kind`` and its content (rich text, or the LaTeX of a display formula for ``math``)."""

    kind: Kind
    content: str
    anchor: str = ""


def latex_plain(text: str) -> str:
    """Plain text with LaTeX's special characters escaped."""
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)


def _rich(text: str, plain, math) -> str:
    return "".join(math(part) if _INLINE.fullmatch(part) else plain(part) for part in _INLINE.split(text))


def rich_latex(text: str) -> str:
    """Rich text as LaTeX: plain parts escaped, ``$...$`` kept."""
    return _rich(text, latex_plain, lambda m: m)


def rich_html(text: str) -> str:
    """Rich text as HTML: plain parts escaped, ``$...$`` in a span KaTeX renders."""
    return _rich(text, html.escape, lambda m: f"<span class='tex'>{html.escape(m[1:-1])}</span>")


def to_latex(blocks: Iterable[Block]) -> str:
    """LaTeX body (breqn's dmath* for display formulas, so long ones break across lines)."""
    out: list[str] = []
    in_list = False
    for b in blocks:
        if b.kind == "item" and not in_list:
            out.append(r"\begin{itemize}")
            in_list = True
        elif b.kind != "item" and in_list:
            out.append(r"\end{itemize}")
            in_list = False
        if b.kind == "section":
            out.append(rf"\section*{{{rich_latex(b.content)}}}")
        elif b.kind == "subsection":
            out.append(rf"\subsection*{{{rich_latex(b.content)}}}")
        elif b.kind == "text":
            out.append(rich_latex(b.content) + "\n")
        elif b.kind == "math":
            out.append(r"\begin{dmath*}" + b.content + r"\end{dmath*}")
        else:
            out.append(r"\item " + rich_latex(b.content))
    if in_list:
        out.append(r"\end{itemize}")
    return "\n".join(out)


def to_html(blocks: Iterable[Block], heading_level: int = 2) -> str:
    """HTML fragment; display formulas are ``div.texd`` elements KaTeX renders in display mode."""
    out: list[str] = []
    in_list = False
    for b in blocks:
        if b.kind == "item" and not in_list:
            out.append("<ul>")
            in_list = True
        elif b.kind != "item" and in_list:
            out.append("</ul>")
            in_list = False
        anchor = f" id='{html.escape(b.anchor)}'" if b.anchor else ""
        if b.kind in ("section", "subsection"):
            h = heading_level + (b.kind == "subsection")
            out.append(f"<h{h}{anchor}>{rich_html(b.content)}</h{h}>")
        elif b.kind == "text":
            out.append(f"<p{anchor}>{rich_html(b.content)}</p>")
        elif b.kind == "math":
            out.append(f"<div class='texd'{anchor}>{html.escape(b.content)}</div>")
        else:
            out.append(f"<li{anchor}>{rich_html(b.content)}</li>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)
