"""Index discipline: errata that the indices alone show, whatever the network is.

A relation between indexed quantities holds for every value of its free indices, so both
sides must have the same free indices.  Each rule below is a named function whose docstring
states why a mismatch is an erratum; it returns the reason, or None when it does not apply.
They are refutations without a numeric witness: no value of the quantities can repair the
indices (the reason names the index and the side).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from ..prover.claim import bound_symbols, index_structure
from .labels import split
from .names import key, letter, tex


@dataclass(frozen=True)
class IndexRule:
    name: str
    fn: Callable[[sp.Expr, sp.Expr, set], Optional[str]]
    example: str

    @property
    def rationale(self) -> str:
        return (self.fn.__doc__ or "").strip()


def _free(e: sp.Expr) -> set:
    return {i for i in index_structure([e])[1] if isinstance(i, sp.Symbol) and letter(i)}


def _label_letters(e: sp.Expr) -> set:
    """The letters in the layer labels of the quantities in ``e`` (i of z^{i+1}_k)."""
    out = set()
    for q in e.atoms(sp.Indexed) | e.free_symbols:
        parts = split(key(q) or "") if isinstance(q, (sp.Indexed, sp.Symbol)) else None
        if parts is not None:
            out |= {letter(x) for x in sp.sympify(parts[2]).free_symbols if isinstance(x, sp.Symbol)}
    return out


def of_the_label(a: sp.Expr, b: sp.Expr, i: sp.Symbol) -> bool:
    """The index ``i``, free in ``b`` but not an index of ``a``, is the layer letter of ``a``'s label
    and no index of a quantity of ``b``: ``M_i`` or ``φ_i`` beside ``z^{i+1}_k`` names the layer
    below by the label's letter, it is no unit of another layer."""
    summands = {x for q in b.replace(lambda e: isinstance(e, sp.Sum), lambda e: e.function).atoms(sp.Indexed)
                for x in q.indices}
    return letter(i) in _label_letters(a) and i not in summands


def summed_free_index(a: sp.Expr, b: sp.Expr, layer_letters: set) -> Optional[str]:
    """``∂E/∂w_{jk} = Σ_k δ_k x_{jk}``: the left side depends on k, the right side sums k away,
    so it is the same for every k — the sum runs over the index it should keep."""
    summed = {d for d in bound_symbols(b)}
    lost = sorted(str(i) for i in _free(a) - _free(b) if any(letter(d) == letter(i) for d in summed))
    if lost:
        return (f"the index {', '.join(lost)} is free on the left side but summed on the right "
                f"({tex(b)} does not depend on {', '.join(lost)})")
    return None


def stray_free_index(a: sp.Expr, b: sp.Expr, layer_letters: set) -> Optional[str]:
    """``u_j = Σ_i w_{ij} x_i + b_k``: an index free on the right side that the left side lacks
    belongs to another unit (another layer, where letters name layers): the right side is not
    a function of the left side's indices alone.  Applies when the left side has indices of its
    own and the stray one is an index letter of the document."""
    left = _free(a)
    if not left:
        return None
    # z^{i+1}_k has the layer letter i in its label: the width M_i is no stray
    stray = sorted(str(i) for i in _free(b) - left if letter(i) in layer_letters and not of_the_label(a, b, i))
    if stray:
        return (f"the index {', '.join(stray)} is free on the right side but not on the left "
                f"({tex(a)} has only {', '.join(sorted(str(i) for i in left))})")
    return None


#: The rules, in the order they run (the first that applies refutes the step).
INDEX_RULES: tuple[IndexRule, ...] = (
    IndexRule("summed-free-index", summed_free_index,
              "$$u_j = \\sum_i w_{ij} x_i + b_j$$\n\n$$\\frac{\\partial E}{\\partial w_{ij}} = \\sum_j \\delta_j x_i$$\n"),
    IndexRule("stray-free-index", stray_free_index,
              "$$u_k = \\sum_j w_{jk} y_j + b_k$$\n\n$$u_j = \\sum_i w_{ij} x_i + b_k$$\n"),
)


def index_erratum(a: sp.Expr, b: sp.Expr, layer_letters: set, disabled: frozenset = frozenset()
                  ) -> Optional[tuple[str, str]]:
    """(rule name, reason) of the first rule that applies, or None."""
    for rule in INDEX_RULES:
        if rule.name in disabled:
            continue
        why = rule.fn(a, b, layer_letters)
        if why:
            return rule.name, why
    return None
