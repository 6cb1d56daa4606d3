"""Find the LaTeX math fragments of a document, with the lines they sit on.

Pipeline: ``mask`` (hide code, comments, tags) → ``scan`` (pair delimiters) →
``Fragment`` (offsets become 1-based lines).  Every search only moves forward
and pairing tables are built in one pass, so the work is linear in the size of
the document; no regex can backtrack catastrophically.

Unclosed delimiters are skipped: the opener is read as plain text and scanning
goes on right after it.  Inline ``$…$`` may not cross a blank line.  Outside
TeX files it follows pandoc's rule with one change: the opening ``$`` is
followed by a non-space and the closing ``$`` is not followed by a digit (so
``$5 and $10`` is no math), but, as in MathJax, a space may precede the closing
``$`` (real documents write ``$y_1, \\ldots $``).  TeX files pair ``$`` as TeX does.
HTML reads single ``$`` only when its MathJax/KaTeX configuration says so.

Notebook fragments sit on the file line of the JSON string that holds them (a
cell whose source is one string puts all its fragments on that one line);
``cell_line`` gives the line inside the cell.  TeX comments are dropped from
sources.  Not handled: Markdown indented code blocks (only fences and code
spans hide math) and the suffix form of the reST role (```…`:math:``).
"""

from __future__ import annotations

import os
from pathlib import Path

from symbackprop.errors import ParseError
from symbackprop.latex.delimiters import (  # noqa: F401  (Fragment and the masks are public here)
    BARRIER, MATH_ENVIRONMENTS, NEUTRAL, Fragment, _line_finder, _Scanner, _TOKENS)
from symbackprop.latex.formats import _notebook, _scan_rst
from symbackprop.latex.prose import prose_around
from symbackprop.latex.sections import sections_of

KINDS = ("markdown", "latex", "text", "html", "rst", "ipynb")
SUFFIX_KINDS = {
    ".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".txt": "text",
    ".html": "html", ".htm": "html", ".rst": "rst", ".ipynb": "ipynb",
}

# ───────────────────────────── public face ─────────────────────────────


def kind_of(path: str | os.PathLike[str]) -> str:
    """The document kind for a path, from its suffix; unknown suffixes read as text."""
    return SUFFIX_KINDS.get(Path(path).suffix.lower(), "text")


def extract_file(path: str | os.PathLike[str]) -> list[Fragment]:
    """Fragments of the file at ``path``, its kind taken from the suffix."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise ParseError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    return extract(text, kind_of(path))


def extract(text: str, kind: str) -> list[Fragment]:
    """Every math fragment of ``text`` read as ``kind`` (one of ``KINDS``), in order."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as in text-mode reads
    text = text.replace(BARRIER, " ").replace(NEUTRAL, " ")  # the mask characters must not occur
    if kind == "ipynb":
        return _notebook(text)
    if kind == "rst":
        raws = _scan_rst(text)
    elif kind in _TOKENS:
        raws = _Scanner(text, kind).run()
    else:
        raise ParseError(f"unknown document kind {kind!r}; use one of {', '.join(KINDS)}")
    line = _line_finder(text)
    sections, _ = sections_of(text, kind, [r.start for r in raws])
    return [Fragment(r.source, line(r.start), line(max(r.start, r.end - 1)), r.display, r.environment,
                     source_line=line(r.first if r.first is not None else r.start), before=before, after=after,
                     section=placed.path, heading=placed.in_title)
            for r, (before, after), placed in zip(raws, prose_around(text, raws), sections)]
