"""Raw math fragments by character offsets: hide code, comments and tags (``mask``), then
pair the math delimiters in one forward pass (``_Scanner``) — Markdown, plain text, HTML
(MathJax/KaTeX) and LaTeX.  The public face is :mod:`symbackprop.latex.extract`.

Every search only moves forward and pairing tables are built in one pass, so the work is
linear in the size of the document; no regex can backtrack catastrophically.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Callable, NamedTuple

from .cells import join_row_cells

MATH_ENVIRONMENTS = (
    "equation", "align", "aligned", "eqnarray", "split", "gather", "gathered",
    "multline", "alignat", "alignedat", "flalign", "math", "displaymath",
)
_INLINE_ENVIRONMENTS = frozenset({"math"})

BARRIER = "\x00"  # masked text no fragment may cross (code, scripts, verbatim)
NEUTRAL = "\x01"  # masked text a fragment may contain but drops (tags, TeX comments)


@dataclass(frozen=True)
class Fragment:
    """One math fragment: its LaTeX as written and where it sits in the file."""

    source: str
    line: int
    end_line: int
    display: bool
    environment: str | None
    cell: int | None = None
    cell_line: int | None = None
    source_line: int | None = None  # where ``source`` begins (an opener may stand on the line before)
    before: str = ""  # the prose between the previous fragment (or the paragraph's start) and this one
    after: str = ""   # the prose between this fragment and the next (or the paragraph's end)
    section: tuple = ()  # the heading path it stands under, top level first (latex/sections.py)
    heading: bool = False  # written in the title of the last heading of ``section``


class _Raw(NamedTuple):
    """A fragment by character offsets: ``start`` of the opener, ``end`` past the closer."""

    start: int
    end: int
    source: str
    display: bool
    environment: str | None = None
    first: int | None = None  # offset where the source begins (past the opener and blank space)


# ───────────────────────────── small helpers ─────────────────────────────

def _line_finder(text: str) -> Callable[[int], int]:
    """A function from character offset to 1-based line."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return lambda offset: bisect_right(starts, offset)


def _unescaped(text: str, i: int) -> bool:
    """True when the character at ``i`` is not escaped by an odd run of backslashes."""
    j = i
    while j > 0 and text[j - 1] == "\\":
        j -= 1
    return (i - j) % 2 == 0


def _mask(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each span (start, end, char) overwritten by char, newlines kept."""
    out, pos = [], 0
    for start, end, char in sorted(spans):
        start = max(start, pos)
        if start >= end:
            continue
        out += [text[pos:start], re.sub(r"[^\n]", char, text[start:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _pairs(text: str, pattern: re.Pattern[str], opener: str) -> dict[int, re.Match[str]]:
    """Opener offset → match of its closer, pairing ``pattern`` hits with a stack."""
    stack: list[int] = []
    table: dict[int, re.Match[str]] = {}
    for m in pattern.finditer(text):
        if m.group(1) == opener:
            stack.append(m.start())
        elif m.group(1) and stack:
            table[stack.pop()] = m
    return table


class _Finder:
    """First match of a pattern at or after ``start`` that passes ``ok``; cached for rising starts."""

    def __init__(self, text: str, pattern: str, ok: Callable[[re.Match[str]], bool]) -> None:
        self.text, self.pattern, self.ok = text, re.compile(pattern), ok
        self.lo: int | None = None
        self.hit: re.Match[str] | None = None

    def next(self, start: int) -> re.Match[str] | None:
        if self.lo is not None and self.lo <= start and (self.hit is None or start <= self.hit.start()):
            return self.hit
        pos = start
        while (m := self.pattern.search(self.text, pos)) and not self.ok(m):
            pos = m.start() + 1
        self.lo, self.hit = start, m
        return m


# ───────────────────────────── masking passes ─────────────────────────────

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_HTML_COMMENT = re.compile(r"<!--")


def _mask_markdown(text: str) -> tuple[list[tuple[int, int, str]], list[_Raw]]:
    """Hide code fences, code spans and HTML comments; read ```math fences as display math."""
    spans: list[tuple[int, int, str]] = []
    found: list[_Raw] = []
    pos, fence = 0, None  # fence = (char run, info, start offset, body start)
    for line in text.split("\n"):
        end = pos + len(line)
        if fence is None:
            m = _FENCE_OPEN.fullmatch(line)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                fence = (m.group(1), m.group(2).strip(), pos, min(end + 1, len(text)))
        elif re.fullmatch(rf"[ \t]*{re.escape(fence[0][0])}{{{len(fence[0])},}}[ \t]*", line):
            _, info, start, body = fence
            if info.split()[:1] == ["math"] or info.strip("{}. ") == "math":
                found.append(_Raw(start, end, text[body:pos].strip(), True))
            spans.append((start, end, BARRIER))
            fence = None
        pos = end + 1
    if fence is not None:  # an unclosed fence runs to the end (CommonMark); math in it is skipped
        spans.append((fence[2], len(text), BARRIER))
    fenced = _mask(text, spans)
    spans += _code_spans(fenced)
    pos = 0
    while m := _HTML_COMMENT.search(fenced, pos):
        close = fenced.find("-->", m.end())
        pos = len(text) if close < 0 else close + 3
        spans.append((m.start(), pos, BARRIER))
    return spans, found


def _code_spans(text: str) -> list[tuple[int, int, str]]:
    """Inline code spans: a backtick run closed by the next run of the same length in the paragraph."""
    runs = [m for m in re.finditer(r"`+", text) if _unescaped(text, m.start())]
    by_length: dict[int, list[int]] = {}
    for m in runs:
        by_length.setdefault(len(m.group()), []).append(m.start())
    ends = sorted(_paragraph_ends(text) + [m.start() for m in re.finditer(BARRIER + "+", text)])
    spans, done = [], 0
    for m in runs:
        if m.start() < done:
            continue
        same = by_length[len(m.group())]
        k = bisect_right(same, m.start())
        if k < len(same) and same[k] < _after(ends, m.start(), len(text)):
            done = same[k] + len(m.group())
            spans.append((m.start(), done, BARRIER))
    return spans


_HTML_SKIP = re.compile(r"<!--|<(script|style|pre|code|textarea|math)\b([^<>]*)>|</?[A-Za-z][^<>]*>", re.I)
_TEX_ANNOTATION = re.compile(r"""<annotation\b[^<>]*encoding\s*=\s*["']application/x-tex["'][^<>]*>(.*?)</annotation>""",
                             re.I | re.S)


def _mask_html(text: str) -> tuple[list[tuple[int, int, str]], list[_Raw]]:
    """Hide tags, comments, scripts, styles and code; read math/tex scripts as fragments."""
    spans: list[tuple[int, int, str]] = []
    found: list[_Raw] = []
    pos = 0
    while m := _HTML_SKIP.search(text, pos):
        if m.group() == "<!--":
            close = text.find("-->", m.end())
            pos = len(text) if close < 0 else close + 3
        elif m.group(1):
            close_m = re.compile(rf"</{m.group(1)}\s*>", re.I).search(text, m.end())
            pos = close_m.end() if close_m else len(text)
            kind = re.search(r"""type\s*=\s*["']?math/tex([^"'>]*)""", m.group(2), re.I)
            if kind and close_m and m.group(1).lower() == "script":
                body = html.unescape(text[m.end():close_m.start()]).strip()
                found.append(_Raw(m.start(), pos, body, "mode=display" in kind.group(1).replace(" ", "")))
            tex = _TEX_ANNOTATION.search(text, m.end(), close_m.start()) if close_m and m.group(1).lower() == "math" else None
            if tex:  # MathML with its TeX source (our own HTML reports, MathJax's output)
                found.append(_Raw(m.start(), pos, html.unescape(tex.group(1)).strip(), "block" in m.group(2)))
        else:
            pos = m.end()
            spans.append((m.start(), pos, NEUTRAL))
            continue
        spans.append((m.start(), pos, BARRIER))
    return spans, found


_TEX_SKIP = re.compile(
    r"%|\\begin\s*\{(verbatim\*?|Verbatim\*?|lstlisting|minted|comment)\}|\\verb\*?([^A-Za-z\s])|\\.", re.S
)


def _mask_latex(text: str) -> tuple[list[tuple[int, int, str]], list[_Raw]]:
    """Hide ``%`` comments (not ``\\%``), verbatim environments and ``\\verb``."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while m := _TEX_SKIP.search(text, pos):
        pos = m.end()
        if m.group() == "%":
            eol = text.find("\n", m.start())
            pos = len(text) if eol < 0 else eol
            spans.append((m.start(), pos, NEUTRAL))
        elif m.group(1):
            close = text.find(f"\\end{{{m.group(1)}}}", m.end())
            pos = len(text) if close < 0 else close + len(m.group(1)) + 6
            spans.append((m.start(), pos, BARRIER))
        elif m.group(2):
            eol = text.find("\n", m.end())
            close = text.find(m.group(2), m.end(), len(text) if eol < 0 else eol)
            if close >= 0:
                pos = close + 1
                spans.append((m.start(), pos, BARRIER))
    return spans, []


_MASKS = {"markdown": _mask_markdown, "text": _mask_markdown, "html": _mask_html, "latex": _mask_latex}


# ───────────────────────────── the delimiter scanner ─────────────────────────────

_ENV = r"\\begin\s*\{(?P<env>(?:" + "|".join(MATH_ENVIRONMENTS) + r")\*?)\}"
_SHORTCODE = r"\{\{[<%]\s*(?P<sc>displaymath|math)\s*[>%]\}\}"
_TEXT_LIKE = rf"(?P<esc>\\\\[(\[])|{_ENV}|(?P<open>\\[(\[])|\\.|(?P<dollar>\$\$?)|{_SHORTCODE}"
_TOKENS = {
    "latex": re.compile(rf"{_ENV}|(?P<open>\\[(\[])|\\.|(?P<dollar>\$\$?)", re.S),
    "markdown": re.compile(_TEXT_LIKE, re.S),
    "html": re.compile(_TEXT_LIKE, re.S),
    "text": re.compile(_TEXT_LIKE + r"|@(?P<at>inmath|blmath)\{", re.S),
}
_CLOSERS = {"(": ")", "[": "]"}
_HTML_INLINE_DOLLAR = re.compile(
    r"""inlineMath['"]?\s*:\s*\[\s*\[\s*['"]\$['"]|left\s*:\s*['"]\$['"]\s*,\s*right\s*:\s*['"]\$['"]\s*,\s*display\s*:\s*false"""
)


def _paragraph_ends(text: str) -> list[int]:
    """Offsets of blank lines: inline math and code spans end before them."""
    return [m.start() for m in re.finditer(r"(?m)^[ \t]*$", text)]


def _after(sorted_offsets: list[int], pos: int, default: int) -> int:
    """The first offset in ``sorted_offsets`` at or after ``pos``, else ``default``."""
    k = bisect_left(sorted_offsets, pos)
    return sorted_offsets[k] if k < len(sorted_offsets) else default


_MATH_COMMAND = re.compile(r"\\(frac|dfrac|sum|prod|partial|sqrt|sigma|delta|cdot|times|nabla|log|exp|"
                           r"tanh|mathbf|bm|boldsymbol|odot|left|right)(?![A-Za-z])")
_PROSE_WORD = re.compile(r"[A-Za-z]{4,}|[^\x00-\x7f]")
_MARKDOWN_LEAD = re.compile(r"\s*([#>|*+-]|\d+[.)]\s)")


def bare_display_math(line: str) -> bool:
    """A Markdown line that is one LaTeX formula written without ``$``: it holds a relation and
    a math command, and outside ``\\text{…}`` and command names no prose (a word of four or
    more letters, a non-ASCII letter), no code or delimiters, and no list or heading marker."""
    s = line.strip()
    if not s or "=" not in s or any(c in s for c in "$`" + BARRIER + NEUTRAL) or _MARKDOWN_LEAD.match(s):
        return False
    if not _MATH_COMMAND.search(s):
        return False
    bare = re.sub(r"\\[A-Za-z]+", " ", re.sub(r"\\(text|mathrm|operatorname)\s*\{[^{}]*\}", " ", s))
    return not _PROSE_WORD.search(bare)


class _Scanner:
    """One forward pass over masked text pairing math delimiters of one kind."""

    def __init__(self, text: str, kind: str) -> None:
        spans, self.found = _MASKS[kind](text)
        self.kind, self.text, self.original = kind, _mask(text, spans), text
        self.tokens = _TOKENS[kind]
        self.barriers = [m.start() for m in re.finditer(BARRIER + "+", self.text)]
        self.paragraphs = _paragraph_ends(self.text)
        self.single_dollar = kind != "html" or bool(_HTML_INLINE_DOLLAR.search(text))
        self.finders: dict[str, _Finder] = {}
        self.envs: dict[str, dict[int, re.Match[str]]] = {}
        self.braces: dict[int, re.Match[str]] | None = None

    def run(self) -> list[_Raw]:
        """All fragments, ordered by their opening offset."""
        out, pos = list(self.found), 0
        while m := self.tokens.search(self.text, pos):
            raw = self._at(m)
            if raw is not None:
                out.append(raw)
            pos = raw.end if raw is not None else m.end()
        if self.kind == "markdown":
            out += self._bare_lines(out)
        if self.kind == "html":  # ``lhs`` and ``= rhs`` in two cells of a table row: one formula
            return join_row_cells(self.original, out)
        return sorted(out)

    def _bare_lines(self, found: list[_Raw]) -> list[_Raw]:
        """Lines outside every fragment and code block that are display math written without
        delimiters (see :func:`bare_display_math`)."""
        taken = sorted((r.start, r.end) for r in found)
        out, start = [], 0
        for line in self.text.split("\n"):
            end = start + len(line)
            i = bisect_right(taken, (end, end))
            free = i == 0 or taken[i - 1][1] <= start
            if free and bare_display_math(line):
                lead = len(line) - len(line.lstrip())
                out.append(_Raw(start + lead, end, line.strip(), True))
            start = end + 1
        return out

    def _at(self, m: re.Match[str]) -> _Raw | None:
        """The fragment opened by token ``m``, or None (not an opener, or unclosed)."""
        if m["env"]:
            return self._environment(m)
        if m["open"] or m.groupdict().get("esc"):
            opener = m.group()
            closer = re.escape(opener[:-1] + _CLOSERS[opener[-1]])
            ok = self._unescaped_close if len(opener) == 2 else self._any_close
            return self._pair(m, closer, ok, display=opener[-1] == "[")
        if m["dollar"] == "$$":
            return self._pair(m, r"\$\$", self._unescaped_close, display=True)
        if m["dollar"] == "$":
            if self.kind == "latex":
                return self._pair(m, r"\$", self._unescaped_close, display=False, inline=True)
            nxt = self.text[m.end():m.end() + 1]
            if not self.single_dollar or not nxt or nxt.isspace():
                return None
            return self._pair(m, r"\$", self._dollar_close, display=False, inline=True)
        if m.groupdict().get("sc"):
            name = m["sc"]
            closer = rf"\{{\{{[<%]\s*/\s*{name}\s*[>%]\}}\}}"
            return self._pair(m, closer, self._any_close, display=name == "displaymath")
        if m.groupdict().get("at"):
            close = self._brace_pairs().get(m.end() - 1)
            if close is None or close.end() > self._limit(m.start()):
                return None
            return _Raw(m.start(), close.end(), self._clean(m.end(), close.start()), m["at"] == "blmath",
                        first=self._first(m.end(), close.start()))
        return None

    def _any_close(self, c: re.Match[str]) -> bool:
        """Any occurrence of the closer closes."""
        return True

    def _unescaped_close(self, c: re.Match[str]) -> bool:
        """A closer whose first character is not escaped by a backslash."""
        return _unescaped(self.text, c.start())

    def _dollar_close(self, c: re.Match[str]) -> bool:
        """A closing ``$``: not escaped and not before a digit (``$5 and $10`` is no math)."""
        i, t = c.start(), self.text
        return _unescaped(t, i) and not t[i + 1:i + 2].isdigit()

    def _limit(self, pos: int, inline: bool = False) -> int:
        """How far a fragment opened at ``pos`` may reach: the next barrier (or blank line)."""
        limit = _after(self.barriers, pos, len(self.text))
        return min(limit, _after(self.paragraphs, pos, limit)) if inline else limit

    def _pair(self, m: re.Match[str], closer: str, ok: Callable[[re.Match[str]], bool],
              display: bool, inline: bool = False) -> _Raw | None:
        """Close the opener ``m`` at the first acceptable ``closer`` before the limit."""
        key = f"{closer} {ok.__name__}"
        if key not in self.finders:
            self.finders[key] = _Finder(self.text, closer, ok)
        close = self.finders[key].next(m.end())
        if close is None or close.end() > self._limit(m.start(), inline):
            return None
        return _Raw(m.start(), close.end(), self._clean(m.end(), close.start()), display,
                    first=self._first(m.end(), close.start()))

    def _environment(self, m: re.Match[str]) -> _Raw | None:
        """``\\begin{name}…\\end{name}``, nesting-aware; source is the body."""
        name = m["env"]
        if name not in self.envs:
            pattern = re.compile(rf"\\(begin|end)\s*\{{{re.escape(name)}\}}")
            self.envs[name] = _pairs(self.text, pattern, "begin")
        close = self.envs[name].get(m.start())
        if close is None or close.end() > self._limit(m.start()):
            return None
        base = name.rstrip("*")
        body = self._clean(m.end(), close.start())
        if base in ("alignat", "alignedat"):
            body = re.sub(r"^\{\s*\d+\s*\}", "", body).strip()
        if base in ("aligned", "alignedat", "gathered"):
            body = re.sub(r"^\[[a-z]\]", "", body).strip()
        return _Raw(m.start(), close.end(), body, base not in _INLINE_ENVIRONMENTS, base,
                    first=self._first(m.end(), close.start()))

    def _brace_pairs(self) -> dict[int, re.Match[str]]:
        """Opening brace offset → its closing brace (escaped braces do not count)."""
        if self.braces is None:
            self.braces = _pairs(self.text, re.compile(r"\\.|([{}])", re.S), "{")
        return self.braces

    def _first(self, start: int, end: int) -> int:
        """Where the source begins: its first line is the fragment's line, so that the rows of
        ``\\begin{align}`` on a line of its own are counted from the right line."""
        seg = self.text[start:end]
        return start + len(seg) - len(seg.lstrip(" \t\n\x01"))

    def _clean(self, start: int, end: int) -> str:
        """The source between two offsets: masked bits dropped, entities decoded in HTML."""
        source = re.sub(r"[ \t]*\x01+(?=\n|$)|\x01+", "", self.text[start:end]).strip()
        return html.unescape(source) if self.kind == "html" else source
