r"""Splitting a normalised fragment into rows.

``split_rows`` cuts at ``\\`` outside braces and matrices and joins rows that
continue the previous expression (a row starting with ``+``/``-`` without a
relation of its own, a row after an unclosed delimiter or after a trailing
operator).  The helpers say where a row sits in the source (``row_source``,
``row_line``) and whether it continues a chain (``starts_with_relation``).
"""

from __future__ import annotations

import re

from symbackprop.latex.normalise import Text

__all__ = ["split_rows", "row_source", "row_line", "starts_with_relation", "has_relation"]

_ROW_START_OP = re.compile(
    r"^\s*(?:\\(?:quad|qquad|@sep)\s*)*(\+|-|\\cdot|\\times|\\odot|\\ast)(?![A-Za-z])")
_LEAD_SEP = re.compile(r"^\s*(?:\\(?:quad|qquad|@sep)(?![A-Za-z])\s*)+")
_ENDS_WITH_OP = re.compile(r"(\+|-|=|\\cdot|\\times|\\odot|\\approx|\\le|\\ge)\s*$")
_OPENERS = re.compile(r"\(|\[|\\\{|\\lvert|\\lVert")
_CLOSERS = re.compile(r"\)|\]|\\\}|\\rvert|\\rVert")


def split_rows(text: Text) -> list:
    """Split on ``\\\\`` outside braces/matrices; join continuation rows."""
    t = text.text
    rows, depth, env, start, i = [], 0, 0, 0, 0
    while i < len(t):
        if t.startswith("\\\\", i):
            if depth == 0 and env == 0:
                rows.append(text.slice(start, i))
                start = i + 2
            i += 2
            continue
        if t.startswith("\\begin{", i):
            env += 1
        elif t.startswith("\\end{", i):
            env -= 1
        elif t[i] == "\\":
            i += 2
            continue
        elif t[i] == "{":
            depth += 1
        elif t[i] == "}":
            depth -= 1
        i += 1
    rows.append(text.slice(start, len(t)))
    rows = [_trim(r) for r in rows]
    joined: list = []
    for r in rows:
        rt = r.text
        if not rt.strip():
            continue
        if joined and ((_ROW_START_OP.match(rt) and not has_relation(rt))
                       or _unbalanced(joined[-1].text) or _ENDS_WITH_OP.search(joined[-1].text)):
            m = _LEAD_SEP.match(rt)
            if m:
                r = r.slice(m.end(), len(rt))
            prev = joined[-1]
            joined[-1] = Text(prev.chars + [" "] + r.chars,
                               prev.src + [prev.src[-1] if prev.src else 0] + r.src)
        else:
            joined.append(r)
    return joined


_REL_CMD = re.compile(r"\\(approx|neq?|leq?q?|geq?q?|lt|gt|equiv|simeq|propto|coloneqq|"
                      r"leftarrow|gets|in)(?![A-Za-z])|[=<>]")


def has_relation(t: str) -> bool:
    """Does the row hold a relation outside braces (k=1 in \\sum_{k=1} does not count)?"""
    depth = 0
    for pos, ch in enumerate(t):
        if ch == "{" and (pos == 0 or t[pos - 1] != "\\"):
            depth += 1
        elif ch == "}" and (pos == 0 or t[pos - 1] != "\\"):
            depth -= 1
        elif depth == 0 and _REL_CMD.match(t, pos) and not (pos and t[pos - 1] == "\\"):
            return True
    return False


def _unbalanced(t: str) -> bool:
    return len(_OPENERS.findall(t)) > len(_CLOSERS.findall(t))


def _trim(r: Text) -> Text:
    """Strip spaces and a trailing '.' or ',' (sentence punctuation)."""
    t = r.text
    end = len(t.rstrip())
    while end > 0 and t[end - 1] in ".," and not t[:end].endswith("...") \
            and not (end >= 2 and t[end - 2] == "\\"):
        end = len(t[:end - 1].rstrip())
    start = len(t) - len(t.lstrip())
    return r.slice(start, max(start, end))




_LEAD_REL = re.compile(r"^\s*(?:\\(?:quad|qquad|@sep)(?![A-Za-z])\s*)*(?:" + _REL_CMD.pattern + ")")


def starts_with_relation(text: str) -> bool:
    """Does the normalised row start with a relation (``= c``, ``&= c``: a continuation)?"""
    return bool(_LEAD_REL.match(text))


_TAIL = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|\\(?:left|right|[bB]igg?[lrm]?)(?![A-Za-z])\s*"
                   r"(?:\\[A-Za-z]+|\\.|.)|\\[A-Za-z]+|\\.", re.S)


def row_source(source: str, row: Text) -> str:
    """The source text of a row, including a leading alignment '&'."""
    if not row.src:
        return ""
    a, b = row.src[0], row.src[-1] + 1
    m = _TAIL.match(source, b - 1)   # the last character came from a command: take all of it
    if m and source[b - 1] == "\\":
        b = m.end()
    k = a - 1
    while k >= 0 and source[k] in " \t":
        k -= 1
    if k >= 0 and source[k] == "&":
        a = k
    return source[a:b].strip()


def row_line(source: str, row: Text) -> int:
    """0-based line offset, within ``source``, where the row's text starts (past a ``\\\\``
    and the white space the row may begin with)."""
    if not row.src:
        return 0
    pos = row.src[0]
    if source.startswith("\\\\", pos):
        pos += 2
    while pos < len(source) and source[pos] in " \t\r\n":
        pos += 1
    return source.count("\n", 0, min(pos, len(source)))
