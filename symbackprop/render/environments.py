"""One Jinja2 environment per output kind: ``tex``, ``md``, ``html``.

Templates are looked up first in the user's folder (``--templates DIR``), then
in the built-in ``templates/`` folder, so a user file of the same name
(``derivation.tex.j2``, a partial such as ``_preamble.tex.j2`` …) overrides
the built-in one.

Every kind escapes by default: a value printed by a template is plain text
unless a filter marks it as already written for the output.  The filters have
the same names in every kind, so the templates read alike:

========== ============================== ========================= ====================
filter     what the value is              TeX / Markdown            HTML
========== ============================== ========================= ====================
(none)     plain text                     escaped for TeX / GFM     HTML-escaped
``math``   a LaTeX formula, inline        ``$…$``                   ``<math>`` (MathML)
``display`` a LaTeX formula, displayed    ``\\[…\\]`` / ``$$…$$``     ``<math display=block>``
``latex``  a LaTeX formula, to place      as it is                  HTML-escaped source
           inside a math environment
``rich``   a fixed text with ``$…$``      text escaped, formulas    text escaped, formulas
                                          kept                      as MathML
``mathtext`` rich text inside a formula   ``\\text{…}`` pieces        (as ``rich``)
``comment`` text for a comment line       one line                  one line, no ``--``
========== ============================== ========================= ====================

TeX templates use delimiters that do not clash with TeX's braces:
``\\VAR{x}`` prints, ``\\BLOCK{if …}`` … ``\\BLOCK{endif}`` controls, ``\\#{…}``
comments.  Markdown and HTML templates use Jinja's usual ``{{ }}``/``{% %}``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Callable, Optional

import jinja2
from markupsafe import Markup

from .escape import Raw, html_escape, md_escape, rich, tex_escape
from .mathml import to_mathml

KINDS = ("tex", "md", "html")
BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


def _finalizer(escape: Callable[[object], str]) -> Callable[[object], str]:
    """Escape every printed value that is not marked :class:`Raw`; ``None`` prints nothing."""

    def finalize(value: object) -> str:
        if isinstance(value, Raw):
            return value
        if value is None:
            return ""
        return escape(value)

    return finalize


def _comment(text: object) -> Raw:
    """Text for an HTML comment (Markdown and HTML): one line, no ``--``."""
    return Raw(" ".join(str(text).splitlines()).replace("--", "- -"))


# ── TeX ────────────────────────────────────────────────────────────────────
def _tex_filters() -> dict[str, Callable]:
    def math(s: str) -> Raw:
        return Raw(f"${s}$")

    def display(s: str) -> Raw:
        return Raw(f"\\[\n{s}\n\\]")

    def latex(s: str) -> Raw:
        return Raw(s)

    def rich_tex(s: str) -> Raw:
        return Raw(rich(s, tex_escape, lambda m: f"${m}$"))

    def mathtext(s: str) -> Raw:
        return Raw(rich(s, lambda t: rf"\text{{{tex_escape(t)}}}", lambda m: m))

    return {"math": math, "display": display, "latex": latex, "rich": rich_tex,
            "mathtext": mathtext, "text": lambda s: Raw(tex_escape(s)),
            "comment": lambda s: Raw(" ".join(str(s).splitlines()))}


# ── Markdown (GitHub: $…$ inline, $$…$$ displayed, rendered by MathJax) ────
def _mathjax_text(text: str) -> str:
    """Text for MathJax's ``\\text{…}``: braces, backslashes and dollars cannot appear in it."""
    return "".join(" " if c in "{}\\$" else c for c in text)


def _md_filters() -> dict[str, Callable]:
    def math(s: str) -> Raw:
        return Raw(f"${s}$")

    def display(s: str) -> Raw:
        return Raw(f"$$\n{s}\n$$")

    def latex(s: str) -> Raw:
        return Raw(s)

    def rich_md(s: str) -> Raw:
        return Raw(rich(s, md_escape, lambda m: f"${m}$"))

    def mathtext(s: str) -> Raw:
        return Raw(rich(s, lambda t: rf"\text{{{_mathjax_text(t)}}}", lambda m: m))

    return {"math": math, "display": display, "latex": latex, "rich": rich_md,
            "mathtext": mathtext, "text": lambda s: Raw(md_escape(s)), "comment": _comment}


# ── HTML (MathML, autoescaped) ─────────────────────────────────────────────
def _html_filters() -> dict[str, Callable]:
    def math(s: str) -> Markup:
        return Markup(to_mathml(s))

    def display(s: str) -> Markup:
        return Markup(to_mathml(s, display=True))

    def latex(s: str) -> Markup:
        return html_escape(s)

    def rich_html(s: str) -> Markup:
        return Markup(rich(s, html_escape, to_mathml))

    return {"math": math, "display": display, "latex": latex, "rich": rich_html,
            "mathtext": rich_html, "text": html_escape, "comment": lambda s: Markup(_comment(s))}


_KIND_SETTINGS = {
    "tex": dict(
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        autoescape=False, finalize=_finalizer(tex_escape),
    ),
    "md": dict(autoescape=False, finalize=_finalizer(md_escape)),
    "html": dict(autoescape=True),
}
_KIND_FILTERS = {"tex": _tex_filters, "md": _md_filters, "html": _html_filters}


def environment(kind: str, templates: Optional[os.PathLike | str] = None) -> jinja2.Environment:
    """The Jinja2 environment for ``kind`` (tex, md or html), with an optional user template folder."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}; allowed: {', '.join(KINDS)}")
    folder = None if templates is None else str(Path(templates).resolve())
    return _environment(kind, folder)


@functools.lru_cache(maxsize=None)
def _environment(kind: str, folder: Optional[str]) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **_KIND_SETTINGS[kind],
    )
    env.filters.update(_KIND_FILTERS[kind]())
    return env


def template_name(report: str, kind: str) -> str:
    """The file name of a report's template: ``derivation.tex.j2``."""
    return f"{report}.{kind}.j2"
