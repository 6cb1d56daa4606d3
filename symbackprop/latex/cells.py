r"""An equation that an HTML table spreads over the cells of one row is one formula.

HTML has no ``aligned`` environment, so documents (our own HTML reports among them) set an
aligned row ``lhs &= rhs`` as a table row: the left side in one cell, ``= rhs`` in the next,
each its own math element.  Read cell by cell, the left side alone is a mere mention and
``= rhs`` a continuation parsed on its own; what reads a statement whole — ``Y^{(1)} =
(y_{jp})_{pj}``, a matrix whose entries the document names (:mod:`symbackprop.checker.shape_facts`)
— never sees it, though a reader sees one equation.  So a math element that starts with a
relation and stands in the cell right after the cell of another math element of the same row
is joined to it, as the columns of an aligned row are.  Nothing else is joined: a cell with
prose before its formula, a row's first cell, math elements in one cell, or cells of two rows.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence, TypeVar

#: A formula that continues the one before it: it starts with a relation.
_RELATION_FIRST = re.compile(
    r"\s*(?:=|<|>|:=|\\(?:leq?|geq?|neq?|approx|equiv|simeq|propto|coloneqq|leftarrow|gets)(?![A-Za-z]))")
#: Only the boundary between two cells of one row: ``</td> <td class="…">``.
_CELL_BOUNDARY = re.compile(r"\s*</t[dh]\s*>\s*<t[dh]\b[^<>]*>\s*", re.I)

R = TypeVar("R", bound=NamedTuple)


def join_row_cells(text: str, found: Sequence[R]) -> list[R]:
    """``found`` (math elements by offsets, in order, each with ``start``, ``end``, ``source``,
    ``display``) with every element that continues the one in the cell before it, within a
    row, joined to that one: ``lhs`` and ``= rhs`` become ``lhs = rhs``."""
    out: list[R] = []
    for raw in sorted(found):
        prev = out[-1] if out else None
        if prev is not None and _RELATION_FIRST.match(raw.source) \
                and _CELL_BOUNDARY.fullmatch(text, prev.end, raw.start):
            out[-1] = prev._replace(end=raw.end, source=f"{prev.source} {raw.source.lstrip()}",
                                    display=prev.display or raw.display)
        else:
            out.append(raw)
    return out
