r"""An equation that an HTML table sets over cells and rows is one aligned display.

HTML has no ``aligned`` environment, so documents (our own HTML reports among them) set the
rows of a derivation as table rows: the left side in one cell, ``= rhs`` in the next, each its
own math element, and each further step ``= rhs`` in the same column of the next row, with the
left cell empty — often beside a cell that names the step's rule, which may hold a formula of
its own (``(identity: σ'(u) = σ(u)(1 − σ(u)))``).  Read element by element, the left side alone
is a mere mention, ``Y^{(1)}`` and ``= (y_{jp})_{pj}`` are never one statement, and a row's
``= rhs`` continues whatever display stood last — the rule cell's formula, which makes a false
step (``1/(1 + e^{−u}) = e^{−u}/(1 + e^{−u})²``).  So, as a reader sees them:

* a math element that starts with a relation, in the cell right after the cell of another math
  element of the same row, is joined to it (``lhs = rhs``);
* a math element that starts with a relation and is the first thing of its row (the cells before
  it empty) continues the display of the row above when that row set a relation in the same
  column: the rows become one ``aligned`` display, each at its own line;
* a cell after the equation's that opens with prose (``(identity: …)``) is the row's annotation
  column, as ``&& \text{(identity: …)}`` is in TeX (:mod:`.annotations` skips it to the row's
  end): the formulas in it are part of the remark, not read.

Nothing else is joined: a cell with prose before its formula, math elements in one cell, rows of
two tables, or a row whose relation stands in another column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence, TypeVar

#: A formula that continues the one before it: it starts with a relation.
_RELATION_FIRST = re.compile(
    r"\s*(?:=|<|>|:=|\\(?:leq?|geq?|neq?|approx|equiv|simeq|propto|coloneqq|leftarrow|gets)(?![A-Za-z]))")
#: Only the boundary between two cells of one row: ``</td> <td class="…">``.
_CELL_BOUNDARY = re.compile(r"\s*</t[dh]\s*>\s*<t[dh]\b[^<>]*>\s*", re.I)
_TABLE_TAG = re.compile(r"<(/?)(table|tr|td|th)\b[^<>]*>", re.I)
#: Blank space and tags only (read from a cell's or row's start: it stops at the first text).
_TAGS_ONLY = re.compile(r"\s*(?:<[^<>]*>\s*)*")

R = TypeVar("R", bound=NamedTuple)


@dataclass
class _Place:
    """Where a math element stands: table (None outside every table), row, cell, and the
    offset where its row begins."""

    table: int | None
    row: int
    cell: int
    row_start: int
    cell_start: int = 0


class _Tables:
    """Table, row and cell of an offset, from the table tags before it (nested tables kept apart)."""

    def __init__(self, text: str) -> None:
        self.offsets: list[int] = []
        self.places: list[_Place] = []
        stack: list[_Place] = []
        count = 0
        for m in _TABLE_TAG.finditer(text):
            closing, tag = m.group(1), m.group(2).lower()
            if tag == "table" and not closing:
                count += 1
                stack.append(_Place(count, -1, -1, m.end(), m.end()))
            elif tag == "table" and stack:
                stack.pop()
            elif stack and not closing and tag == "tr":
                stack[-1] = _Place(stack[-1].table, stack[-1].row + 1, -1, m.end(), m.end())
            elif stack and not closing:  # td, th
                stack[-1] = _Place(stack[-1].table, stack[-1].row, stack[-1].cell + 1, stack[-1].row_start, m.end())
            self.offsets.append(m.end())
            self.places.append(stack[-1] if stack else _Place(None, -1, -1, m.end()))

    def at(self, offset: int) -> _Place:
        k = bisect_right(self.offsets, offset)
        return self.places[k - 1] if k else _Place(None, -1, -1, 0)


@dataclass
class _Display:
    """Math elements joined into one display: its rows, each a list of sources (a source after
    the first of a row or display carries the newlines that stood before it)."""

    index: int                     # its place in the output
    place: _Place                  # where its last row's relation stands
    rows: list = field(default_factory=list)


def join_row_cells(text: str, found: Sequence[R]) -> list[R]:
    """``found`` (math elements by offsets, each with ``start``, ``end``, ``source``,
    ``display``) with the elements of an equation set over table cells and rows joined (see the
    module docstring): ``lhs`` and ``= rhs`` become ``lhs = rhs``; rows of further steps become
    rows of one ``aligned`` display, each on the line it stands on."""
    tables = _Tables(text)
    out: list[R] = []
    displays: list[_Display] = []
    open_: dict[int, _Display] = {}  # by table: the display whose last row may be continued
    for raw in sorted(found):
        place = tables.at(raw.start)
        prev = out[-1] if out else None
        relation = bool(_RELATION_FIRST.match(raw.source))
        shown = open_.get(place.table) if place.table is not None else None
        if relation and prev is not None and place.table is not None \
                and _CELL_BOUNDARY.fullmatch(text, prev.end, raw.start):
            if shown is None or shown.index != len(out) - 1 or shown.place.row != place.row:
                shown = open_[place.table] = _Display(len(out) - 1, place, [[prev.source]])
                displays.append(shown)
            shown.rows[-1].append("\n" * text.count("\n", prev.end, raw.start) + raw.source.lstrip())
            shown.place = place
            out[-1] = prev._replace(end=raw.end, display=prev.display or raw.display)
            continue
        if relation and shown is not None and shown.place.row == place.row - 1 \
                and shown.place.cell == place.cell and _only_tags(text, place.row_start, raw.start):
            joined = out[shown.index]
            shown.rows.append(["\n" * text.count("\n", joined.end, raw.start) + raw.source.lstrip()])
            shown.place = place
            out[shown.index] = joined._replace(end=raw.end, display=joined.display or raw.display)
            continue
        if shown is not None and shown.place.row == place.row and shown.place.cell < place.cell \
                and not _only_tags(text, place.cell_start, raw.start):
            continue  # a formula inside the remark beside the equation: its annotation column
        out.append(raw)
    for shown in displays:
        out[shown.index] = out[shown.index]._replace(source=_source(shown.rows))
    return sorted(out)


def _only_tags(text: str, start: int, end: int) -> bool:
    """Nothing but tags and blank space between ``start`` and ``end`` (linear: the match stops at
    the first text, so a long cell costs no more than its leading tags)."""
    return _TAGS_ONLY.match(text, start, end).end() == end


def _source(rows: list) -> str:
    """One row: ``lhs = rhs``; several: an ``aligned`` display, each row on the line it stands on
    (a continued row's left side left empty, as ``&= …``)."""
    if len(rows) == 1:
        return " ".join(rows[0])
    first, *more = rows
    body = f"{first[0]} & {' '.join(first[1:])}"
    for row in more:
        lead = len(row[0]) - len(row[0].lstrip("\n"))
        body += " \\\\" + "\n" * lead + f" & {' '.join([row[0].lstrip(chr(10)), *row[1:]])}"
    return f"\\begin{{aligned}} {body} \\end{{aligned}}"
