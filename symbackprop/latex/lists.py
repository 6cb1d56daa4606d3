r"""Top-level comma lists in a row (``y_1 = 0.15, y_2 = 0.85``; ``u_1, u_2, \ldots``).

Each item is a statement of its own; an ellipsis ends a list and is no statement; after a
comma, a range (``k = 1, \dots, n``) or an inequality (``u > 0``) is a condition of the item
before it, never a claim (``parse._read_row`` applies these).
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from symbackprop.latex.build import Builder

#: A list item ``u > 0`` after ``f(u) = 1,`` is the condition of the item before it.
CONDITION_OPS = {"<": sp.StrictLessThan, ">": sp.StrictGreaterThan, r"\le": sp.LessThan,
                 r"\ge": sp.GreaterThan, r"\neq": sp.Unequality}


def is_ellipsis_item(st) -> bool:
    r"""A list item that is only an ellipsis (``x_1, x_2, \ldots``)."""
    return (not st.ops and len(st.exprs) == 1 and len(st.exprs[0].parts) == 1
            and Builder._is_ellipsis(st.exprs[0].parts[0][1]))


def is_index(x, builder: Builder) -> bool:
    return isinstance(x, sp.Symbol) and x.name.rstrip("'") in builder.index_letters


def list_range(asts: list, i: int) -> Optional[int]:
    r"""After ``k = 1`` (at ``i - 1``): listed numbers, at least one ellipsis, then one listed
    bare item, the list's end (``k = 1, 2, \dots, n``).  The index of that last item, or None."""
    seen = False
    while i < len(asts) and asts[i].listed and not asts[i].ops:
        if is_ellipsis_item(asts[i]):
            seen = True
        elif seen:
            return i if i + 1 == len(asts) or not asts[i + 1].listed else None
        i += 1
    return None
