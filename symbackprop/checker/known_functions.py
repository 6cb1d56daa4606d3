"""When an equation about a known function is a claim, and when it gives the name a new meaning.

``σ(u) = 1/(1 + e^{u})`` writes the logistic function with its own building blocks, so it
is a statement about σ and is checked (a sign slip is refuted).  ``σ(z) = z`` or
``σ(z) = max(0, z)`` ("suppose we replace σ by …") writes a different function: the
document gives the letter a new meaning, which is noted, not refuted.  The table says, per
known function, which functions a formula *for it* is built from.
"""

from __future__ import annotations

import sympy as sp

from ..rules.functions import relu, sigmoid, softplus

#: Known function → the functions a formula for it is written with (itself included).
RELATIVES: dict = {
    sigmoid: (sp.exp, sp.tanh, sigmoid),
    sp.tanh: (sp.exp, sp.sinh, sp.cosh, sigmoid, sp.tanh),
    softplus: (sp.exp, sp.log, softplus),
    relu: (sp.Max, sp.Heaviside, sp.Abs, relu),
    sp.exp: (sp.exp, sp.log, sp.sinh, sp.cosh),
    sp.log: (sp.exp, sp.log),
    sp.sinh: (sp.exp, sp.sinh, sp.cosh), sp.cosh: (sp.exp, sp.sinh, sp.cosh),
    sp.atanh: (sp.log, sp.atanh, sp.tanh),
}


def speaks_of(fn: type, rhs: sp.Basic) -> bool:
    """Is ``fn(x) = rhs`` a statement about the known ``fn`` (its right side written with
    ``fn``'s relatives), rather than a new meaning for the name?"""
    relatives = RELATIVES.get(fn)
    if relatives is None:
        return True  # no table entry: the equation is a claim about the known function
    used = {a.func for a in rhs.atoms(sp.Function, sp.Max, sp.Min, sp.Abs, sp.Heaviside)}
    return bool(used & set(relatives))
