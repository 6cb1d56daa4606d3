r"""Conditions written in a row: found, cut out of the expression, read as relationals.

A condition qualifies a statement; it is never part of an expression and
never a claim of its own.  Recognised (``normalise`` has already turned the
condition words into markers):

* a keyword before the condition, after the statement (suffix) or before it
  (prefix): ``a = b \text{ if } i = j``, ``\text{If } i=j, \; a = b``,
  ``a = b \quad \text{for } k \ne j``, ``\forall k``, ``\text{where } i = j``;
* a Japanese postfix word: ``（i=j のとき）``, ``i = j のとき、a = b``;
* a bare parenthesised relation of indices set off by a space or a separator:
  ``a = b \quad (i \neq j)``, ``t_k \ (k = 1, 2, \dots, K)`` — only when its
  text is index-shaped (letters, digits, ``+ -``, relations, commas, dots), so
  ``p(y=k|x)`` and ``f(x)`` stay expressions.

A prefix condition ends at a separator (``\quad``, ``\Rightarrow``, …), at a
``:`` or at the first comma followed by something holding a relation (the
statement); a suffix condition runs to the next separator or the end of the
row.  Comma-separated pieces without a relation continue a range; ``\text{and}``
followed by a relation adds a condition (between statements it stays a separator).

Reading (``read``): every side must be *index-shaped* — integers, symbols,
indexed symbols, and integer-linear combinations of them (``i``, ``L - 1``,
``N_b``) — so nothing is misread as a condition on a big expression.  A chain
``0 < i \le n`` gives one relational per step; a range ``k = 1, \dots, n`` (or
``k = 1, 2, \ldots, K``; descending ``i = N-1, N-2, \dots, 1`` too) gives
``(Ge(k, 1), Le(k, n))``, or only ``Ge(k, 1)`` when it has no last value.
A ``where`` clause that does not read as such a condition stays what it was
before (a statement separator: ``\text{where } z = Wx + b`` is a definition).
``\text{for all } k`` and other conditions without a relation are dropped
(they state no assumption).  Symbols are matched to the chain afterwards
(``match_symbols``): a name that occurs in the chain's expressions takes that
symbol; an index letter (``ParseOptions.index_letters``) otherwise becomes
``Symbol(name, integer=True)``, as the Builder makes indices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import sympy as sp

from symbackprop.latex.errors import TOO_DEEP, UnexpectedInput, parser, too_deep
from symbackprop.latex.normalise import Text
from symbackprop.latex.rows import has_relation
from symbackprop.latex.transform import SemanticError, ToAst

__all__ = ["Found", "CondError", "extract", "read", "match_symbols"]


class CondError(Exception):
    """A condition that cannot be read; ``pos`` is an offset of the row it was cut from."""

    def __init__(self, pos: int, reason: str) -> None:
        super().__init__(reason)
        self.pos, self.reason = pos, reason


@dataclass
class Found:
    """A condition cut out of a row: its text, whether it precedes its statement,
    and ``anchor``, the offset in the cleaned row where it was cut."""

    text: Text
    prefix: bool
    anchor: int
    keyword: str


_MARKER = re.compile(r"\\@(if|for|where|fi)(?![A-Za-z])")
_SEP = re.compile(r"\\(Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|to|rightarrow|"
                  r"therefore|quad|qquad|@sep|@and)(?![A-Za-z])")
_OPEN = re.compile(r"\\begin\{[^{}]*\}(?:\{[^{}]*\})?|\\\{|\\lvert(?![A-Za-z])|"
                   r"\\lVert(?![A-Za-z])|[({\[]")
_CLOSE = re.compile(r"\\end\{[^{}]*\}|\\\}|\\rvert(?![A-Za-z])|\\rVert(?![A-Za-z])|[)}\]]")
_INDEXY = re.compile(r"^(?:\s|[A-Za-z0-9'+\-,=<>]|_\{?[A-Za-z0-9]+\}?|\\(?:neq?|leq?|geq?|lt|gt|"
                     r"ldots|cdots|dots|dotsc|ell|quad)(?![A-Za-z]))*$")
_ELLIPSIS = re.compile(r"^\s*(?:\\(?:cdots|ldots|dotsc|dotsb|dots)(?![A-Za-z])|\.\.\.)\s*$")
_REL = {"=": sp.Eq, r"\neq": sp.Ne, "<": sp.Lt, ">": sp.Gt, r"\le": sp.Le, r"\ge": sp.Ge}


def _events(t: str) -> list:
    """Top-level (depth 0) events of a normalised row: (kind, start, end, arg)."""
    out, depth, i, group = [], 0, 0, None
    while i < len(t):
        m = _OPEN.match(t, i)
        if m:
            if depth == 0 and m.group(0) == "(":
                group = i
            depth += 1
            i = m.end()
            continue
        m = _CLOSE.match(t, i)
        if m:
            depth -= 1
            if depth == 0 and m.group(0) == ")" and group is not None:
                out.append(("group", group, m.end(), None))
            if depth <= 0:
                group = None
            depth = max(depth, 0)
            i = m.end()
            continue
        if depth == 0:
            for kind, rx in (("marker", _MARKER), ("sep", _SEP)):
                m = rx.match(t, i)
                if m:
                    out.append((kind, i, m.end(), m.group(1)))
                    i = m.end()
                    break
            else:
                if t[i] == ",":
                    out.append(("comma", i, i + 1, None))
                elif t[i] == ":" and not t.startswith(":=", i):
                    out.append(("colon", i, i + 1, None))
                i += 2 if t[i] == "\\" else 1
            continue
        i += 2 if t[i] == "\\" else 1
    return out


def _pieces(t: str, a: int, b: int, colon: bool = False) -> list:
    """(start, end) of the comma-separated pieces of ``t[a:b]`` (top level only)."""
    cuts = [(a + s, a + e) for k, s, e, arg in _events(t[a:b])
            if k == "comma" or (colon and k == "colon") or arg == "@and"]
    starts = [a] + [e for _s, e in cuts]
    ends = [s for s, _e in cuts] + [b]
    return list(zip(starts, ends))


def _groups(t: str, pieces: list, prefix: bool) -> tuple[list, Optional[int]]:
    """Group pieces into conditions (a relation piece plus relation-free range items).
    A prefix condition stops at the first later piece with a relation: its start is
    where the statement begins (second result)."""
    groups: list = []
    for a, b in pieces:
        if not t[a:b].strip():
            continue
        if groups and not has_relation(t[a:b]):
            groups[-1][1] = b
        elif groups and prefix and not t[:a].rstrip().endswith(r"\@and"):
            return groups, a
        else:
            groups.append([a, b])
    return groups, None


def extract(row: Text, where_ok=None) -> tuple[Text, list]:
    """Cut the conditions out of a normalised row: (the row without them, [Found]).
    ``where_ok(text)`` says whether a ``where`` clause reads as a condition (else it
    stays a statement separator)."""
    t = row.text
    if "\\@" not in t.replace("\\@sep", "") and "(" not in t:
        if "," in t and _is_range(t):
            return Text(), [Found(row, False, 0, "range")]
        return row, []
    events = _events(t)
    cuts: list = []      # (a, b): removed
    seps: list = []      # (a, b): replaced by a separator (a where clause that is a statement)
    found: list = []     # (a, b, prefix, keyword, cut_a, cut_b)
    bounds = [e for e in events if e[0] in ("sep", "marker")]

    def boundary_before(pos: int) -> int:
        prev = [e[2] for e in bounds if e[2] <= pos] + [b for _a, b in cuts if b <= pos]
        return max(prev, default=0)

    def boundary_after(pos: int) -> int:
        nxt = [e[1] for e in bounds if e[1] >= pos]
        return min(nxt, default=len(t))

    for kind, ms, me, word in events:
        if kind != "marker" or word == "fi":
            continue
        end = boundary_after(me)
        while t.startswith(r"\@and", end) and has_relation(t[end + 5:boundary_after(end + 5)]):
            end = boundary_after(end + 5)   # if i = j and k = l: one condition list
        prefix = not t[boundary_before(ms):ms].strip()
        groups, stmt = _groups(t, _pieces(t, me, end, colon=prefix), prefix)
        if not groups:
            if word == "for":
                cuts.append((ms, me))
                continue
            raise CondError(me, "a condition word ('if', 'where', …) without a condition")
        if word == "where" and not all(_INDEXY.match(t[a:b]) and (where_ok is None or where_ok(
                row.slice(a, b))) for a, b in groups):
            seps.append((ms, me))
            continue
        cut_end = stmt if stmt is not None else end
        cuts.append((ms, cut_end))
        for a, b in groups:
            found.append((a, b, prefix, word, ms, cut_end))
    for kind, ms, me, word in events:
        if kind != "marker" or word != "fi":
            continue
        start = boundary_before(ms)
        after = me
        rest = t[after:boundary_after(me)]
        if rest.lstrip().startswith(","):
            after += len(rest) - len(rest.lstrip()) + 1
        prefix = bool(t[after:boundary_after(me)].strip())
        pieces = _pieces(t, start, ms)
        # walk back: the condition is the last relation piece and the range items after it
        k = len(pieces) - 1
        while k > 0 and not has_relation(t[pieces[k][0]:pieces[k][1]]):
            k -= 1
        a, b = pieces[k]
        cut_start = pieces[k - 1][1] if k > 0 else start
        cuts.append((cut_start, after))
        found.append((a, b, prefix, "fi", cut_start, after))
    for kind, gs, ge, _ in events:
        if kind != "group" or any(a <= gs < b for a, b in cuts):
            continue
        inner = t[gs + 1:ge - 1]
        marks = [e for e in _events(inner) if e[0] == "marker"]
        fi = [e for e in marks if e[3] == "fi"]
        before = t[boundary_before(gs):gs]
        after_text = t[ge:boundary_after(ge)]
        set_off = gs == 0 or t[gs - 1].isspace() or not before.strip() \
            or before.rstrip().endswith(",")
        if marks and marks[0][3] != "fi" and not inner[:marks[0][1]].strip():
            a, b = gs + 1 + marks[0][2], ge - 1   # (\text{if } i = j)
            if len(marks) > 1:
                raise CondError(gs + 1 + marks[1][1], "two condition words in one parenthesis")
        elif fi:
            a, b = gs + 1, gs + 1 + fi[0][1]
            if inner[fi[0][2]:].strip():
                raise CondError(gs + 1 + fi[0][2], "text after 'のとき' inside the parentheses")
        elif has_relation(inner) and _INDEXY.match(inner) and set_off \
                and (not after_text.strip() or after_text.lstrip().startswith(",")):
            a, b = gs + 1, ge - 1
        else:
            continue
        cuts.append((gs, ge))
        found.append((a, b, not before.strip() and bool(after_text.strip()), "paren", gs, ge))
    seps += [(e[1], e[2]) for e in events if e[3] == "@and"
             and not any(a <= e[1] < b for a, b in cuts)]
    left = _MARKER.search(_blank(t, cuts + seps))
    if left:
        raise CondError(left.start(), "a condition word inside a group or formula")
    return _rebuild(row, cuts, seps, found)


def _is_range(t: str) -> bool:
    """A whole row that is a range ``i = 1, 2, \\cdots, N`` (and nothing else)."""
    pieces = [t[a:b] for a, b in _pieces(t, 0, len(t))]
    return len(pieces) > 2 and bool(_INDEXY.match(t)) and has_relation(pieces[0]) \
        and not any(has_relation(p) for p in pieces[1:]) \
        and any(_ELLIPSIS.match(p) for p in pieces[1:])


def _blank(t: str, spans: list) -> str:
    chars = list(t)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _rebuild(row: Text, cuts: list, seps: list, found: list) -> tuple[Text, list]:
    removed = [False] * len(row.chars)
    for a, b in cuts:
        for n in range(a, b):
            removed[n] = True
    sep_at = {a: b for a, b in seps}
    out, new_index, n = Text(), [], 0
    while n < len(row.chars):
        new_index.append(len(out.chars))
        if n in sep_at:
            out.emit(r" \@sep ", row.src[n])
            for _ in range(n, sep_at[n] - 1):
                new_index.append(len(out.chars))
            n = sep_at[n]
            continue
        if not removed[n]:
            out.chars.append(row.chars[n])
            out.src.append(row.src[n])
        n += 1
    new_index.append(len(out.chars))
    conds = [Found(row.slice(a, b), prefix, new_index[cb if prefix else ca], word)
             for a, b, prefix, word, ca, cb in found]
    return out, conds


# ----------------------------------------------------------------- reading


def _relation(text: Text, builder) -> list:
    """``i \\ne j`` / ``0 < i \\le n`` → [Ne(i, j)] / [Lt(0, i), Le(i, n)]."""
    try:
        tree = parser().parse(text.text)
    except UnexpectedInput as e:
        raise CondError(getattr(e, "pos_in_stream", None) or 0,
                        "cannot read the condition") from None
    if too_deep(tree) is not None:
        raise CondError(0, TOO_DEEP)
    stmts = ToAst(text.text).transform(tree)
    if len(stmts) != 1 or stmts[0].continued or not stmts[0].ops:
        raise CondError(0, "a condition must be one relation such as i = j or k \\ne j")
    st = stmts[0]
    if any(op not in _REL for op in st.ops):
        raise CondError(st.pos, f"'{st.ops[0]}' is not a condition")
    exprs = _build(builder, st.exprs)
    return [_REL[op](a, b) for a, op, b in zip(exprs, st.ops, exprs[1:])]


def _build(builder, sums: list) -> list:
    try:
        exprs = [builder.sum(s) for s in sums]
    except SemanticError as e:
        raise CondError(e.pos, e.message) from None
    except (TypeError, ValueError, AttributeError) as e:
        raise CondError(0, f"cannot build the condition ({e})") from None
    for e in exprs:
        if not _index_shaped(e):
            raise CondError(0, "a condition must relate indices (i = j, k \\ne j, k = 1, …, n)")
    return exprs


def _index_shaped(e) -> bool:
    if isinstance(e, (sp.Integer, sp.Symbol, sp.Indexed)):
        return True
    if isinstance(e, sp.Add):
        return all(_index_shaped(a) for a in e.args)
    if isinstance(e, sp.Mul):
        nums = [a for a in e.args if isinstance(a, sp.Integer)]
        rest = [a for a in e.args if not isinstance(a, sp.Integer)]
        return len(rest) == 1 and len(nums) == len(e.args) - 1 and _index_shaped(rest[0])
    return False


def _expr(text: Text, builder):
    try:
        tree = parser().parse(text.text)
    except UnexpectedInput:
        raise CondError(0, "cannot read a value of the range") from None
    if too_deep(tree) is not None:
        raise CondError(0, TOO_DEEP)
    stmts = ToAst(text.text).transform(tree)
    if len(stmts) != 1 or stmts[0].ops:
        raise CondError(0, "a range value must be an expression")
    return _build(builder, stmts[0].exprs)[0]


def _range(text: Text, pieces: list, builder) -> list:
    """``k = 1, 2, \\dots, n`` → [Ge(k, 1), Le(k, n)]."""
    t = text.text
    first = _relation(text.slice(*pieces[0]), builder)
    if len(first) != 1 or not isinstance(first[0], sp.Eq) \
            or not isinstance(first[0].lhs, (sp.Symbol, sp.Indexed)):
        raise CondError(pieces[0][0], "a range must start with 'k = first value'")
    var, lo = first[0].lhs, first[0].rhs
    items = [text.slice(a, b) for a, b in pieces[1:]]
    if not any(_ELLIPSIS.match(it.text) for it in items):
        raise CondError(pieces[1][0], "a list of values without '\\dots' is not a range")
    values = [None if _ELLIPSIS.match(it.text) else _expr(it, builder) for it in items]
    hi = values[-1]
    step = values[0] - lo if values[0] is not None and len(values) > 1 else None
    if step is not None and step.is_number and step < 0:
        lo, hi = hi, lo
        if lo is None:
            raise CondError(len(t), "a descending range needs its last value")
    out = [sp.Ge(var, lo)]
    if hi is not None:
        out.append(sp.Le(var, hi))
    return [c for c in out if c is not sp.true]


def read(found: Found, builder) -> list:
    """The relationals a condition states (raises ``CondError`` with a row offset)."""
    text = found.text
    out: list = []
    for a, b in _groups(text.text, _pieces(text.text, 0, len(text.text)), False)[0]:
        piece = text.slice(a, b)
        if found.keyword == "for" and not has_relation(piece.text):
            continue  # \forall k, \text{for all } k: no assumption to record
        sub = _pieces(piece.text, 0, len(piece.text))
        try:
            rels = _range(piece, sub, builder) if len(sub) > 1 else _relation(piece, builder)
        except CondError as e:
            raise CondError(a + e.pos, e.reason) from None
        out.extend(r for r in rels if r is not sp.true)
    return out


def match_symbols(conds, exprs, index_letters) -> tuple:
    """Give the conditions the chain's own symbols (same name ⇒ same symbol); other
    index letters become ``Symbol(name, integer=True)``."""
    known: dict = {}
    for e in exprs:
        if e is None or not isinstance(e, sp.Basic):
            continue
        labels = {b.label for b in e.atoms(sp.IndexedBase)}
        for s in e.atoms(sp.Symbol) - labels:
            known.setdefault(s.name, s)
    out = []
    for c in conds:
        sub = {}
        for s in c.atoms(sp.Symbol):
            if s.name in known:
                sub[s] = known[s.name]
            elif s.name.rstrip("'") in index_letters:
                sub[s] = sp.Symbol(s.name, integer=True)
        c2 = c.xreplace(sub) if sub else c
        if c2 is not sp.true:
            out.append(c2)
    return tuple(out)
