"""The heading path of each math fragment (``Fragment.section``): the titles of the headings it
stands under, from the top level down.

The checker scopes what a document says by section (a side example's ``y = f(x)``, the notation
of one identity of a catalog, a matrix's shape stated for one layer convention), so each reader
gives every fragment the headings above it:

* Markdown (and notebooks' markdown cells): ATX headings ``#`` … ``######`` and setext headings
  (a line underlined with ``===`` or ``---``), outside code, comments and a front matter;
* LaTeX: ``\\chapter``, ``\\section``, ``\\subsection``, ``\\subsubsection`` (starred too);
* HTML: ``<h1>`` … ``<h6>`` (a formula in a heading kept as its TeX, ``$…$``);
* reST: a title underlined (or over- and underlined) with a punctuation character, the levels in
  the order the styles first appear, as docutils assigns them.

A fragment written in a heading (``## $\\partial u_k/\\partial w_{jk} = y_j$``) belongs to that
heading's section: a heading counts from its first character.  Titles are kept with their
whitespace normalised; their markup is kept (it is only compared, and shown in reports).
Offsets are those of the text the fragments' ``_Raw`` offsets refer to, so this runs beside
:func:`symbackprop.latex.prose.prose_around`.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from typing import NamedTuple, Sequence

from .delimiters import BARRIER, NEUTRAL, _mask, _mask_html, _mask_latex, _mask_markdown, _pairs


class Heading(NamedTuple):
    """A heading at offset ``start``: its level (1 the top), its title, and ``end``: the offset
    past its text (a fragment that begins before it is written in the heading)."""

    start: int
    level: int
    title: str
    end: int = -1


Outline = tuple  # the open headings, ((level, title), …), from the top down


def _title(text: str) -> str:
    """``text`` with runs of whitespace as one space, trimmed."""
    return " ".join(text.split())


# ───────────────────────────── Markdown ─────────────────────────────

_ATX = re.compile(r"(?m)^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"(?m)^ {0,3}(=+|-+)[ \t]*$")
_FRONT_MATTER = re.compile(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|$)", re.S)
#: a line that cannot be the text of a setext heading (a list item, a quote, a table, a fence, …)
_NOT_SETEXT_TEXT = re.compile(r"\s*(?:[-*+>|#]|\d+[.)]\s|\$\$|`{3}|~{3}|\\\]|\\end\b)")


def _atx_title(rest: str) -> str:
    """An ATX heading's text without its closing sequence (``## Loss ##`` → Loss)."""
    rest = rest.rstrip(" \t")
    bare = rest.rstrip("#")
    return rest if bare and bare[-1] not in " \t" else bare


def _markdown(text: str) -> list[Heading]:
    """ATX and setext headings of Markdown ``text``; code, HTML comments and a YAML front
    matter (``---`` … ``---`` at the very start) hide what looks like a heading."""
    spans, _ = _mask_markdown(text)
    front = _FRONT_MATTER.match(text)
    if front:
        spans = spans + [(0, front.end(), BARRIER)]
    masked = _mask(text, spans)
    out = [Heading(m.start(), len(m.group(1)), _title(_atx_title(m.group(2) or "")), m.end())
           for m in _ATX.finditer(masked)]
    for m in _SETEXT.finditer(masked):
        start = masked.rfind("\n", 0, max(0, m.start() - 1)) + 1  # the line above
        above = masked[start:max(start, m.start() - 1)]
        if (m.start() == 0 or not above.strip() or BARRIER in above or _NOT_SETEXT_TEXT.match(above)
                or above.rstrip().endswith("$$")):
            continue
        if len(above) - len(above.lstrip(" ")) > 3:
            continue
        out.append(Heading(start, 1 if m.group(1)[0] == "=" else 2, _title(above), m.end()))
    return sorted(out)


# ───────────────────────────── LaTeX ─────────────────────────────

_LATEX_LEVELS = {"chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3}
_LATEX = re.compile(r"\\(chapter|section|subsection|subsubsection)\*?\s*(?:\[[^\]\n]*\]\s*)?\{")
TITLE_CHARS = 2000  # a longer "title" is an unclosed brace or tag, not a heading


def _latex(text: str) -> list[Heading]:
    """``\\chapter`` … ``\\subsubsection`` (starred or with a short title) outside comments and
    verbatim; the title is the braced argument (braces paired once, in one pass)."""
    spans, _ = _mask_latex(text)
    masked = _mask(text, spans)
    close = _pairs(masked, re.compile(r"\\.|([{}])", re.S), "{")
    out = []
    for m in _LATEX.finditer(masked):
        end = close.get(m.end() - 1)
        if end is not None and end.start() - m.end() <= TITLE_CHARS:
            title = masked[m.end():end.start()].replace(NEUTRAL, "")
            out.append(Heading(m.start(), _LATEX_LEVELS[m.group(1)], _title(title), end.end()))
    return out


# ───────────────────────────── HTML ─────────────────────────────

_HTML_OPEN = re.compile(r"<h([1-6])\b[^<>]*>", re.I)
_HTML_CLOSE = re.compile(r"</h([1-6])\s*>", re.I)
_MATHML_TEX = re.compile(r"<math\b.*?<annotation\b[^<>]*application/x-tex[^<>]*>(.*?)</annotation>.*?</math\s*>",
                         re.I | re.S)


def _html(text: str) -> list[Heading]:
    """``<h1>`` … ``<h6>`` outside comments, scripts and code, each closed by the next closing
    tag of its level; a MathML formula in a title is kept as the TeX it carries, other tags
    are dropped."""
    spans, _ = _mask_html(text)
    hidden = _mask(text, [s for s in spans if s[2] == BARRIER])
    closers: dict[str, list[re.Match[str]]] = {}
    for c in _HTML_CLOSE.finditer(text):
        closers.setdefault(c.group(1), []).append(c)
    starts = {level: [c.start() for c in cs] for level, cs in closers.items()}
    out = []
    for m in _HTML_OPEN.finditer(text):
        same = closers.get(m.group(1), [])
        k = bisect_right(starts.get(m.group(1), []), m.end())
        if hidden[m.start()] == BARRIER or k >= len(same) or same[k].start() - m.end() > TITLE_CHARS:
            continue
        inner = _MATHML_TEX.sub(lambda t: f"${html.unescape(t.group(1)).strip()}$", text[m.end():same[k].start()])
        title = html.unescape(re.sub(r"<[^<>]*>", " ", inner))
        out.append(Heading(m.start(), int(m.group(1)), _title(title), same[k].end()))
    return out


# ───────────────────────────── reStructuredText ─────────────────────────────

_RST_RULE = re.compile(r"([!-/:-@\[-`{-~])\1+[ \t]*")


def _rst(text: str) -> list[Heading]:
    """Titles underlined (optionally also overlined) with one punctuation character repeated,
    at least as long as the title; the levels in the order the styles first appear."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    styles: list[tuple[str, bool]] = []
    out = []
    i = 1
    while i < len(lines):
        rule, title = lines[i], lines[i - 1]
        if (_RST_RULE.fullmatch(rule) and title.strip() and title[:1] not in " \t"
                and not _RST_RULE.fullmatch(title) and len(rule.rstrip()) >= len(title.rstrip())):
            over = i >= 2 and lines[i - 2].rstrip() == rule.rstrip()
            style = (rule[0], over)
            if style not in styles:
                styles.append(style)
            out.append(Heading(offsets[i - 2 if over else i - 1], styles.index(style) + 1, _title(title),
                               offsets[i] + len(rule)))
            i += 2
            continue
        i += 1
    return out


_READERS = {"markdown": _markdown, "latex": _latex, "html": _html, "rst": _rst}


def headings(text: str, kind: str) -> list[Heading]:
    """The headings of ``text`` read as ``kind``, in order (none for a kind without headings)."""
    reader = _READERS.get(kind)
    return sorted(reader(text)) if reader else []


def open_after(outline: Outline, heading: Heading) -> Outline:
    """The open headings once ``heading`` is reached: those above its level, then it."""
    return tuple(h for h in outline if h[0] < heading.level) + ((heading.level, heading.title),)


class Placed(NamedTuple):
    """Where a fragment stands: the heading path above it, and whether it is written in the last
    heading's title (``## $\\partial u_k/\\partial w_{jk} = y_j$``)."""

    path: tuple
    in_title: bool


def sections_of(text: str, kind: str, starts: Sequence[int], outline: Outline = ()) -> tuple[list[Placed], Outline]:
    """For each offset of ``starts``, where it stands (:class:`Placed`), and the outline at the
    end of ``text``.  ``outline``: the headings open before ``text`` begins (a notebook's earlier
    cells)."""
    heads = headings(text, kind)
    outlines = [outline]
    for h in heads:
        outlines.append(open_after(outlines[-1], h))
    at = [h.start for h in heads]
    out = []
    for start in starts:
        n = bisect_right(at, start)
        out.append(Placed(tuple(title for _level, title in outlines[n]), n > 0 and start < heads[n - 1].end))
    return out, outlines[-1]
