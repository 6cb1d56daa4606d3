"""Index letters that name layers, made part of the quantity.

Many notes write one symbol for every layer and let the index letters say which:
``u_j = Σ_i w_{ij} x_i + b_j`` for the hidden layer, ``u_k = Σ_j w_{jk} y_j + b_k`` for
the output layer.  To SymPy ``w_{ij}`` and ``w_{jk}`` are entries of one array ``w``, so
∂/∂w_{jk} would also hit the hidden layer's weights.  In a document whose letters name
layers (:attr:`DocumentScan.layered`) each indexed quantity is tagged with its letters
before anything is differentiated: ``w_{ij}`` → ``w⟨ij⟩[i, j]``, ``w_{jk'}`` →
``w⟨jk⟩[j, k']`` (a primed or renamed dummy keeps its letter).  The tags are consistent
across the step, its definitions and the stated constraints, so the chain rule runs
through the layers as the document means.

A quantity that also occurs with an index that names no layer (``y_1``, ``w_{q k}`` from a
series, ``u_{k+1}``) cannot be tagged: the step is then left as it was (the "letters"
doubt of :mod:`.derivatives` keeps it from being decided wrongly).
"""

from __future__ import annotations

from typing import Iterable, Optional

import sympy as sp

from .names import letter

#: Between the name and the letters of a tagged quantity (not a character LaTeX input contains).
TAG = "⟨{}⟩"


def _tag(e: sp.Indexed, letters: set) -> Optional[sp.Indexed]:
    tags = [letter(i) for i in e.indices]
    if any(t is None or t not in letters for t in tags):
        return None
    name = str(e.base.label)
    if "⟨" in name:
        return e
    return sp.IndexedBase(name + TAG.format("".join(tags)))[e.indices]


def tag_layers(exprs: Iterable[sp.Basic], letters: set) -> Optional[list]:
    """``exprs`` with every indexed quantity tagged by its index letters, or None when some
    quantity occurs with an index that names no layer (then nothing is tagged)."""
    exprs = list(exprs)
    atoms = set().union(*(e.atoms(sp.Indexed) for e in exprs)) if exprs else set()
    mapping, untaggable = {}, set()
    for a in atoms:
        t = _tag(a, letters)
        if t is None:
            untaggable.add(str(a.base.label))
        else:
            mapping[a] = t
    if untaggable & {str(a.base.label) for a in mapping}:
        return None
    return [e.xreplace(mapping) for e in exprs]


def retagged(e: sp.Expr, tagging: bool, letters: set) -> sp.Expr:
    """Definitions put in after tagging (the variables of derivatives carried out) are tagged
    too; where that is impossible the expression is kept as it is."""
    if not tagging:
        return e
    out = tag_layers([e], letters)
    return out[0] if out is not None else e
