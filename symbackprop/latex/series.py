"""Ellipsis series ``t_1 + t_2 + \\cdots + t_m`` folded into ``Sum``."""

from __future__ import annotations

from typing import Optional

import sympy as sp

from symbackprop.latex.nodes import SemanticError
from symbackprop.latex.vocabulary import (index_symbol, plain)


def fold_series(values: list, index_letters, pos: int) -> sp.Basic:
    """``t_1 + t_2 + \\cdots + t_m (+ extra)`` → ``Sum(t_q, (q, 1, m)) + extra``.

    ``values`` are the signed terms in order, ``None`` marking an ellipsis.  The
    terms on both sides of the ellipses must differ in exactly one index value
    (``y_2 w_{2k}`` … ``y_m w_{mk}``); earlier terms that continue the pattern
    with consecutive values set the lower bound.  Anything else raises
    ``SemanticError("ellipsis pattern not recognised ...")``.
    """
    gaps = [k for k, v in enumerate(values) if v is None]
    first, last = gaps[0], gaps[-1]
    if first == 0 or last == len(values) - 1:
        raise SemanticError("ellipsis pattern not recognised: the series needs a term "
                            "before and after the ellipsis", pos)
    a_term, z_term = values[first - 1], values[last + 1]
    pair = _index_difference(a_term, z_term)
    if pair is None:
        raise SemanticError("ellipsis pattern not recognised: the terms around the "
                            "ellipsis must differ in one index", pos)
    a, z = pair
    q = _fresh_index(values, index_letters)
    template = a_term.xreplace({x: x.base[tuple(q if i == a else i for i in x.indices)]
                                for x in a_term.atoms(sp.Indexed)})
    if template.xreplace({q: z}) != z_term:
        raise SemanticError("ellipsis pattern not recognised: the last term does not "
                            "follow the first", pos)
    lo, start = a, first - 1
    for k in range(first - 2, -1, -1):
        v = _index_value(template, q, values[k])
        if v is None or sp.simplify(lo - v) != 1:
            break
        lo, start = v, k
    for k in range(first, last + 1):
        if values[k] is not None and _index_value(template, q, values[k]) is None:
            raise SemanticError(f"ellipsis pattern not recognised: {values[k]} does not "
                                "follow the pattern", pos)
    extras = values[:start] + values[last + 2:]
    return sp.Add(*extras, sp.Sum(template, (q, plain(lo), plain(z))))


def _index_difference(a: sp.Basic, z: sp.Basic) -> Optional[tuple]:
    diffs = set()
    for x in a.atoms(sp.Indexed):
        same = [y for y in z.atoms(sp.Indexed)
                if y.base == x.base and len(y.indices) == len(x.indices)]
        if len(same) != 1:
            continue
        diffs |= {(p, r) for p, r in zip(x.indices, same[0].indices) if p != r}
    return diffs.pop() if len(diffs) == 1 else None


def _index_value(template: sp.Basic, q: sp.Symbol, term: sp.Basic) -> Optional[sp.Basic]:
    for x in template.atoms(sp.Indexed):
        if q not in x.indices:
            continue
        p = x.indices.index(q)
        for y in term.atoms(sp.Indexed):
            if y.base == x.base and len(y.indices) == len(x.indices):
                v = y.indices[p]
                if template.xreplace({q: v}) == term:
                    return v
    return None


def _fresh_index(values: list, index_letters) -> sp.Symbol:
    used = {s.name for v in values if v is not None for s in v.atoms(sp.Symbol)}
    for name in ["q", "r", "s", "p", *sorted(index_letters)] + [f"q_{{{n}}}" for n in range(1, 99)]:
        if name not in used:
            return index_symbol(name)
    raise SemanticError("no free index name for the ellipsis series")  # pragma: no cover
