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
``code``    source text shown verbatim     ``\texttt`` / a code span  ``<code>``, escaped
                                          whose fence no backtick
                                          inside can close
========== ============================== ========================= ====================

TeX templates use delimiters that do not clash with TeX's braces:
``\\VAR{x}`` prints, ``\\BLOCK{if …}`` … ``\\BLOCK{endif}`` controls, ``\\#{…}``
comments.  Markdown and HTML templates use Jinja's usual ``{{ }}``/``{% %}``.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Callable, Optional

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import SymbackpropError

from .escape import Raw, html_escape, md_escape, rich, tex_escape
from .mathml import MathMLError, to_mathml

KINDS = ("tex", "md", "html")


class TemplateRefused(SymbackpropError):
    """A template that cannot be used: a link out of its folder, a syntax error, an unsafe call."""
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
            "comment": lambda s: Raw(" ".join(str(s).splitlines())),
            "code": lambda s: Raw(rf"\texttt{{{tex_escape(s)}}}")}


# ── Markdown (GitHub: $…$ inline, $$…$$ displayed, rendered by MathJax) ────
def _mathjax_text(text: str) -> str:
    """Text for MathJax's ``\\text{…}``: braces, backslashes and dollars cannot appear in it."""
    return "".join(" " if c in "{}\\$" else c for c in text)


def md_code(text: object) -> Raw:
    """A GitHub-Markdown code span holding ``text`` verbatim on one line: the fence is one
    backtick longer than the longest run inside, so no backtick can close it early and let
    raw HTML (``<script>``) through; spaces pad a content that starts or ends with one."""
    body = " ".join(str(text).splitlines())
    fence = "`" * (max((len(r) for r in re.findall("`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return Raw(f"{fence}{pad}{body}{pad}{fence}")


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
            "mathtext": mathtext, "text": lambda s: Raw(md_escape(s)), "comment": _comment,
            "code": md_code}


# ── HTML (MathML, autoescaped) ─────────────────────────────────────────────
def _html_filters() -> dict[str, Callable]:
    def math(s: str) -> Markup:
        return Markup(to_mathml(s))

    def display(s: str) -> Markup:
        return Markup(to_mathml(s, display=True))

    def latex(s: str) -> Markup:
        return html_escape(s)

    def formula(s: str) -> str:
        """A formula of rich text as MathML; one the converter cannot read is shown as code."""
        try:
            return to_mathml(s)
        except MathMLError:
            return f"<code>{html_escape(s)}</code>"

    def rich_html(s: str) -> Markup:
        return Markup(rich(s, html_escape, formula))

    return {"math": math, "display": display, "latex": latex, "rich": rich_html,
            "mathtext": rich_html, "text": html_escape, "comment": lambda s: Markup(_comment(s)),
            "code": lambda s: Markup(f"<code>{html_escape(s)}</code>")}


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


class ConfinedLoader(jinja2.FileSystemLoader):
    """A user's template folder: a template is read only if its real path lies inside the
    folder, so a symbolic link cannot copy another file (``/etc/passwd``) into a report."""

    def get_source(self, environment: jinja2.Environment, template: str):  # type: ignore[override]
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        if filename is not None and not Path(filename).resolve().is_relative_to(root):
            raise TemplateRefused(f"template {template}: a link out of the templates folder {root}; "
                                  f"copy the file into the folder instead")
        return source, filename, uptodate


@functools.lru_cache(maxsize=None)
def _environment(kind: str, folder: Optional[str]) -> jinja2.Environment:
    """Sandboxed: a template (a user's included) can print values and call their public
    methods, but reach no Python internals (``"".__class__.__mro__`` is refused)."""
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(ConfinedLoader(folder))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = SandboxedEnvironment(
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
