r"""A recursion over layers written where its quantity is not yet defined.

``ξ^{i}_n = Σ_k ∂z^{i+1}_k/∂z^{i}_n ξ^{i+1}_k`` (or ``δ^{l}_j = σ'(z^{l}_j) Σ_k δ^{l+1}_k w^{l+1}_{kj}``)
as the first formula of ξ gives a layer's quantity through the same quantity one layer up.
Recorded as ξ's definition, every later ``ξ^{i+1}_k`` would be unfolded upwards, layer after
layer (``ξ^{i+8}``), and no step holding it could be decided.  It is read as a claim instead:
proved where it holds whatever ξ is; never refuted, as ξ at two layers are not two independent
unknowns (without ξ's definition the relation between them is exactly what is claimed).  A
forward definition (``y^{l}_j = f(y^{l-1}_j)``: the same quantity one layer *down*) stays a
definition: the table unfolds it towards the input, as it does every forward pass.
"""

from __future__ import annotations

import sympy as sp

from .guards import Outcome, open_
from .labels import general_variable, split
from .names import tex


def recursion(a: sp.Basic, b: sp.Basic) -> bool:
    """Is ``a = b`` a backward recursion: ``a`` at a general label (``ξ^{i}_n``), ``b`` holding the
    same quantity at a label above it (``ξ^{i+1}_k``)?"""
    have = split(str(a.base.label)) if isinstance(a, sp.Indexed) else None
    var = general_variable(str(a.base.label)) if have else None
    if var is None:
        return False
    for x in b.atoms(sp.Indexed) if isinstance(b, sp.Basic) else ():
        other = split(str(x.base.label))
        if other and (other[0], other[1], other[3]) == (have[0], have[1], have[3]):
            up = sp.expand(other[2] - have[2])
            if up.is_Integer and up > 0:
                return True
    return False


def as_claim(out: Outcome, a: sp.Basic) -> Outcome:
    """The recursion's verdict as a claim: a refutation set its two layers' values apart."""
    if out.status != "refuted":
        return out
    return open_("recursion", f"{tex(a)} is given through the same quantity at a layer above, which the document "
                              "does not define before: a recursion, not checked (the two layers' values are not "
                              "independent unknowns)")
