r"""A case the prose states for the display that follows: "for the output layer, $i = N$".

Notes derive for a general layer ``i`` and then turn to the last one with "最終層 $i = N$ に
ついては" or "for $l = L$": the next display writes ``ξ^N_n = ∂E/∂a^N_n φ'_i(z^N_n)``, where
``φ_i`` *is* ``φ_N``.  The case is applied to that display only — every name labelled by the
layer variable relabelled (``φ_i`` → ``φ_N``, ``a^{i-1}`` → ``a^{N-1}``) — and the statement
itself is not a claim.
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from .labels import shift

#: How many lines below the case its display may begin ("for $i = N$:" and the display under it).
NEAR = 3
#: Bracket styles of layer labels (``a^{l}``, ``a^{(l)}``, ``a^{[l]}``).
STYLES = (("", ""), ("(", ")"), ("[", "]"))


def stated_case(a: sp.Basic, b: sp.Basic, label_letters: frozenset) -> Optional[tuple[sp.Symbol, sp.Expr]]:
    """``i = N`` (or ``l = 2``) with ``i`` a layer letter of the document: ``(i, N)``."""
    if isinstance(a, sp.Symbol) and a.name in label_letters and a.name.islower() \
            and (isinstance(b, sp.Symbol) or (b.is_Integer and b >= 0)) and a != b:
        return sp.Symbol(a.name), b
    return None


def in_case(expr: sp.Basic, case: Optional[tuple[sp.Symbol, sp.Expr]]) -> sp.Basic:
    """``expr`` with the layer variable of ``case`` put at its value, in every label style."""
    if case is None or not isinstance(expr, sp.Basic):
        return expr
    var, value = case
    for style in STYLES:
        expr = shift(expr, var, value, style)
    return expr


def next_case(pending: Optional[tuple], fragment) -> Optional[tuple[sp.Symbol, sp.Expr]]:
    """The case ``pending`` (stated at a line) for ``fragment``: only a display that is the very
    next piece of mathematics and begins at most :data:`NEAR` lines below it."""
    if pending is None or not getattr(fragment, "display", False):
        return None
    case, line = pending
    return case if 0 <= fragment.line - line <= NEAR else None
