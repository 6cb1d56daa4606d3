r"""Definitions a step implies without the form ``name = …``.

Two readings, each a named rule whose docstring states when it applies:

* :func:`alias` — ``… = g_w`` with ``g_w`` used nowhere before: a new name for the other side.
* :func:`substituted` — ``∂u_k/∂w_{jk} = ∂(Σ_q y_q w_{qk} + b_k)/∂w_{jk}``: the document puts
  u_k's definition under the derivative, the way textbooks and blogs introduce it.  Read as
  ``u_k := Σ_q y_q w_{qk} + b_k`` from that line on, with the line named in the verdict.

Each returns ``(name, value, text)`` for the walk to record, or None.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import sympy as sp

from ..prover.symbolic import canonical_dummies
from .names import definable, is_opaque, key, keys, self_reference, tex

Implied = tuple[sp.Expr, sp.Expr, str]


def alias(a: sp.Expr, b: sp.Expr, chain: Sequence, table, first_seen: dict, pos: tuple) -> Optional[Implied]:
    """``… = g_w`` with ``g_w`` used nowhere before and appearing in no other side of its chain:
    a new name for the other side, not a claim.  Two names that nothing defines are a relation
    between them (the walk says so; ``"both"`` in the text)."""
    new = [x for x in (b, a) if definable(x) in ("symbol", "indexed") and table.lookup(x) is None
           and not is_opaque(x)]
    if len(new) == 2:
        return a, b, "both"
    new = [x for x in new if first_seen.get(key(x), pos) >= pos
           and not any(key(x) in keys(e) for e in chain if e is not x and isinstance(e, sp.Basic))]
    if not new:
        return None
    name, other = new[0], (a if new[0] is b else b)
    if self_reference(name, other):
        return None
    return name, other, f"{tex(name)} names the other side (a definition)"


def substituted(a: sp.Expr, b: sp.Expr, table, weak: Callable = lambda d: False) -> Optional[Implied]:
    """``∂A/∂v = ∂B/∂v`` (the same variables, in the same order) where A is a quantity nothing
    has defined so far and B is an expression that is neither A nor a derivative: the document
    differentiates A by writing out what A is, so ``A := B`` holds from this line on (an implied
    definition; ``∂y_k/∂u_k = ∂u_k/∂u_k`` reads y_k := u_k, the identity activation).  A quantity
    the document has defined is never redefined this way: the step is then an ordinary claim.
    Only a ``weak`` definition gives way (one a step implied, or a spec's given with ``--network``):
    the document's own writing says more about its section than a reading of another part."""
    if not (isinstance(a, sp.Derivative) and isinstance(b, sp.Derivative)):
        return None
    if tuple(a.variable_count) != tuple(b.variable_count):
        return None
    name, value = a.expr, b.expr
    known = table.lookup(name) if definable(name) in ("symbol", "indexed") else None
    if definable(name) not in ("symbol", "indexed") or is_opaque(name) or (known is not None and not weak(known)):
        return None
    if value == name or value.has(sp.Derivative) or self_reference(name, value):
        return None
    if not any(value.has(v.base if isinstance(v, sp.Indexed) else v) for v, _ in a.variable_count):
        return None  # ∂E/∂w = ∂(t)/∂w: no dependence shown (w_{qk} under Σ_q shows w_{jk}'s)
    value = _dummies_as_differentiated(value, [v for v, _ in a.variable_count])
    if known is not None and canonical_dummies(known.rhs) == canonical_dummies(value):
        return None  # what is in force already, up to the names of summation indices
    return name, value, (f"{tex(name)} = {tex(value)} read from this step, which writes it out under "
                         "the derivative (an implied definition, used by later claims)")


def _dummies_as_differentiated(value: sp.Expr, variables: list) -> sp.Expr:
    """Σ_q y_q w_{qk} differentiated by w_{jk}: the dummy q stands where the variable has j, so
    it is renamed j (α-conversion, the same sum) when j is free nowhere in ``value`` and is not
    another dummy of that sum — in documents whose index letters name layers, j then says which
    layer the summed quantities belong to."""
    free = {s for s in value.free_symbols}
    for s in list(value.atoms(sp.Sum)):
        dummies = {lim[0] for lim in s.limits}
        renames = {}
        for v in variables:
            if not isinstance(v, sp.Indexed):
                continue
            for term in s.function.atoms(sp.Indexed):
                if term.base != v.base or len(term.indices) != len(v.indices):
                    continue
                for d, letter in zip(term.indices, v.indices):
                    if d in dummies and isinstance(letter, sp.Symbol) and letter not in free \
                            and letter not in dummies and d not in renames:
                        renames[d] = letter
        if renames:
            value = value.xreplace({s: s.xreplace(renames)})
    return value


def replacing(name: sp.Expr, line: int) -> str:
    """What an explicit definition says when it replaces a weak one (an implied reading, or the
    spec's at line 0)."""
    was = "the spec's (--network)" if line == 0 else f"what line {line} implied"
    return f"definition of {tex(name)}, in place of {was}, used by later claims"


def statement(a, op: str, b) -> str:
    """A step as one line of LaTeX (empty when a side is not an expression)."""
    if isinstance(a, sp.Basic) and isinstance(b, sp.Basic):
        return f"{tex(a)} {op} {tex(b)}"
    return ""
