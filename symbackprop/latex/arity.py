"""One quantity, one number of indices within a fragment.

``w_{jk}`` is two indices and ``w_{1k}`` too (unit 1 to unit k), but in
``\\sum_{k=1}^{n} (a_{2k-1} + a_{2k})`` the ``a`` of ``a_{2k-1}`` has one index, so ``a_{2k}``
is the entry 2k, not the two-index entry (2, k).  Where a fragment uses a quantity with one
index, its two-index occurrences written as a number and a letter are read as one product.
"""

from __future__ import annotations

import sympy as sp


def one_arity(exprs: list) -> list:
    """``exprs`` with one number of indices per quantity: ``a[2, k]`` read as ``a[2k]`` wherever
    ``a`` also has one index, and ``w[11]`` as ``w[1, 1]`` wherever ``w`` has two indices led by a
    letter (``w_{PQ}``, ``w_{P1}``: the corners of a matrix ``w_{11} … w_{PQ}``)."""
    atoms = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            atoms |= e.atoms(sp.Indexed)
    two = {a.base for a in atoms if len(a.indices) == 2 and not a.indices[0].is_Integer}  # w_{P1}, w_{jk}
    single = {a.base for a in atoms if len(a.indices) == 1 and not (a.base in two and _two_digits(a.indices[0]))}
    mapping = {a: a.base[a.indices[0] * a.indices[1]] for a in atoms
               if a.base in single and a.base not in two and len(a.indices) == 2
               and a.indices[0].is_Integer and isinstance(a.indices[1], sp.Symbol)}
    mapping.update({a: a.base[divmod(int(a.indices[0]), 10)] for a in atoms
                    if a.base in two and a.base not in single and len(a.indices) == 1
                    and _two_digits(a.indices[0])})
    if not mapping:
        return exprs
    return [e.xreplace(mapping) if isinstance(e, sp.Basic) else e for e in exprs]


def _two_digits(i: sp.Basic) -> bool:
    """An index written as two nonzero digits (``11``, ``23``): two one-digit indices."""
    return bool(i.is_Integer and 11 <= int(i) <= 99 and int(i) % 10 != 0)
