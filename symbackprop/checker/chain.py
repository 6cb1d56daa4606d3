r"""The chain rule through the layer a parameter feeds: ``∂E/∂w_{jk}`` by way of ``u_k``.

*Rule.*  A weight or bias ``p`` that the document defines nowhere and that one forward
definition uses, ``u_k := Σ_j w_{jk} y_j + b_k``, reaches everything computed after it only
through that layer.  When the differentiated expression, with the definitions put in and the
layer's ``u`` kept, holds no ``p`` of its own, the chain rule is exact:

    ∂F/∂p = Σ_{k'} ∂F/∂u_{k'} · ∂u_{k'}/∂p.

The step rewritten this way differentiates by the defined ``u`` and by ``p`` only inside
``u``'s definition, so the kept-variables route (:mod:`.frozen`) decides it: an identity in
``u`` proves it (the chain rule with the definition put in afterwards), and a counterexample
refutes it where every value of ``u`` is reached through its bias.  Without it, the whole
network is expanded into one expression in ``w``, ``y``, ``b`` — correct, and often too slow
for the step's time bound.
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from .frozen import freeze_key, freezable
from .layers import tag_layers
from .names import letter, letters_of
from .order import name_of, names_in
from .scan import DocumentScan
from .table import Definition, SymbolTable


def kept_layer(table: SymbolTable, scan: DocumentScan, a: sp.Expr, b: sp.Expr) -> tuple:
    """``(a, b, frozen)``: the step with its defined derivative variables kept (:func:`.frozen.freezable`),
    else with each ``∂F/∂p`` of a parameter taken through the layer ``p`` feeds and that layer's
    quantity kept; ``frozen`` empty when neither applies."""
    frozen = freezable(table, a, b)
    if frozen:
        return a, b, frozen
    used = {s.name for e in (a, b) for s in e.free_symbols | _bound(e)}
    for sides in ([a, b], _applied_keeping_users(table, scan, a, b)):
        rewritten = [e.replace(lambda x: isinstance(x, sp.Derivative),
                               lambda d: _through_layer(table, scan, d, used) or d) for e in sides]
        if rewritten != sides:
            return rewritten[0], rewritten[1], freezable(table, *rewritten)
    return a, b, frozenset()


def _applied_keeping_users(table: SymbolTable, scan: DocumentScan, a: sp.Expr, b: sp.Expr) -> list:
    """The sides with the definitions put in but the layers the parameters feed kept: ``∂w_{jk}``
    named as ``∂E/∂w_{jk}`` (a derivative only once its definition is in), E put in down to u_k."""
    applied = [table.apply(e)[0] for e in (a, b)]
    params = {v for e in applied for d in e.atoms(sp.Derivative) for v in d.variables if isinstance(v, sp.Indexed)}
    users = [_user(table, scan, p) for p in sorted(params, key=str)]
    kept = frozenset(freeze_key(table, u.lhs) for u in users if u is not None)
    return [table.apply(e, kept)[0] for e in (a, b)] if kept else [a, b]


def _bound(e: sp.Basic) -> set:
    return {v for s in e.atoms(sp.Sum) for v in s.variables}


def _tagged(table: SymbolTable, scan: DocumentScan, exprs: list) -> Optional[list]:
    return tag_layers(exprs, set(scan.layer_letters)) if table.layered else exprs


def _user(table: SymbolTable, scan: DocumentScan, p: sp.Indexed) -> Optional[Definition]:
    """The one forward definition that uses the parameter ``p`` (by name, and by layer letters
    where letters name layers), or None."""
    tagged = _tagged(table, scan, [p])
    if tagged is None or table.lookup(p) is not None:
        return None
    own = name_of(tagged[0])
    users = []
    for d in table._defs.values():
        if d.shape != "indexed" or d.rhs.has(sp.Derivative) or not isinstance(d.lhs, sp.Indexed):
            continue
        sides = _tagged(table, scan, [d.lhs, d.rhs])
        if sides is not None and own in names_in(sides[1]):
            users.append(d)
    return users[0] if len(users) == 1 else None


def _through_layer(table: SymbolTable, scan: DocumentScan, d: sp.Derivative, used: set) -> Optional[sp.Expr]:
    """``∂F/∂p`` as ``Σ_{k'} ∂F/∂u_{k'} ∂u_{k'}/∂p`` (see the module docstring), or None."""
    if len(d.variable_count) != 1 or d.variable_count[0][1] != 1 or not isinstance(d.variables[0], sp.Indexed):
        return None
    p = d.variables[0]
    user = _user(table, scan, p)
    if user is None or len(user.lhs.indices) != 1 or letter(user.lhs.indices[0]) is None:
        return None
    u = user.lhs
    bounds = scan.letter_bounds.get(letters_of(u)[0], set())
    if len(bounds) != 1:
        return None  # the width of u's layer is not written once: no range for the new sum
    kept = frozenset({freeze_key(table, u)})
    inside, _notes = table.apply(d.expr, kept)
    tagged = _tagged(table, scan, [inside, p])
    if tagged is None or name_of(tagged[1]) in names_in(tagged[0]):
        return None  # F holds p outside u (weight decay, a skip connection): no such chain rule
    name = letters_of(u)[0] + "'"
    while name in used:
        name += "'"
    used.add(name)
    k = sp.Symbol(name, integer=True)
    u_k = u.xreplace({u.indices[0]: k})
    body = user.rhs.xreplace({u.indices[0]: k})
    (hi,) = bounds
    return sp.Sum(sp.Derivative(d.expr, u_k) * sp.Derivative(body, p), (k, 1, hi))
