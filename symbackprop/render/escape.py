"""Escaping plain text for each output kind, and the marker for text that is already formatted.

Every value a template prints goes through the environment's escape function
unless it is :class:`Raw` (TeX, Markdown) or :class:`markupsafe.Markup`
(HTML).  Formulas reach the templates as LaTeX strings and are marked raw by
the filters ``math`` and ``latex`` (see :mod:`symbackprop.render.environments`).

*Rich* text — the fixed texts in ``messages/*.json`` — may hold formulas
between single dollars, ``"error signal $\\delta = \\partial E/\\partial u$"``:
the text parts are escaped, the formula parts are kept as LaTeX (or turned
into MathML for HTML).  A literal dollar in rich text is written ``\\$``.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from markupsafe import Markup, escape


class Raw(str):
    """A string already written for the output (TeX or Markdown): printed as it is."""

    __slots__ = ()


# ── TeX ────────────────────────────────────────────────────────────────────
_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_TEX_PATTERN = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))


def tex_escape(text: object) -> str:
    """Plain text → TeX source that prints it (``50% of a_b`` → ``50\\% of a\\_b``).

    Japanese and other non-ASCII text passes through (LuaTeX reads UTF-8);
    line breaks become spaces so that a value cannot end a paragraph.
    """
    s = _TEX_PATTERN.sub(lambda m: _TEX_SPECIALS[m.group()], str(text))
    return " ".join(s.splitlines()) if "\n" in s else s


# ── Markdown (GitHub) ──────────────────────────────────────────────────────
_MD_PATTERN = re.compile(r"([\\`*_\[\]#|$~])")


def md_escape(text: object) -> str:
    """Plain text → Markdown that prints it: punctuation GitHub reads as markup gets a backslash,
    ``<`` and ``>`` become entities, line breaks become spaces."""
    s = _MD_PATTERN.sub(r"\\\1", str(text))
    s = s.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(s.splitlines()) if "\n" in s else s


def html_escape(text: object) -> Markup:
    """Plain text → HTML (the environment's autoescape does the same)."""
    return escape(text)


# ── rich text: text with $formula$ parts ───────────────────────────────────
_RICH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def rich_parts(text: str) -> Iterator[tuple[str, str]]:
    """Split rich text into ``("text", …)`` and ``("math", …)`` parts, in order."""
    pos = 0
    for m in _RICH.finditer(text):
        if m.start() > pos:
            yield "text", text[pos:m.start()].replace(r"\$", "$")
        yield "math", m.group(1)
        pos = m.end()
    if pos < len(text):
        yield "text", text[pos:].replace(r"\$", "$")


def rich(text: str, escape_text: Callable[[str], str], math: Callable[[str], str]) -> str:
    """Rich text written with the given text escape and formula writer."""
    return "".join(escape_text(s) if kind == "text" else math(s) for kind, s in rich_parts(text))


def plain(text: str) -> str:
    """Rich text with the dollars removed (for places that take no markup, e.g. an HTML title)."""
    return "".join(s for _, s in rich_parts(text))
