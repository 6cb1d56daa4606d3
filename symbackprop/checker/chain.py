r"""The chain rule through the next layer: ``∂E/∂w_{jk}`` by way of ``u_k``, ``∂E/∂u_j`` by way of ``u_k``.

*Rule.*  For ``∂F/∂v`` (a weight, a bias, an activation ``y_j``, a pre-activation ``u_j``, an
input) the *cut* is the nearest pre-activation downstream of ``v`` — ``u_k := Σ_j w_{jk} y_j + b_k``,
found by following which definition uses what.  When the differentiated expression, with the
definitions put in but ``u`` and ``v`` kept, holds no ``v`` of its own, the chain rule is exact:

    ∂F/∂v = Σ_{k'} ∂F/∂u_{k'} · ∂u_{k'}/∂v,

and it is applied again to ``∂F/∂u_{k'}`` down to the last layer.  The step rewritten this way
differentiates by defined quantities only through their definitions, so the kept-variables route
(:mod:`.frozen`) decides it: an identity in the kept ``u`` proves it (the chain rule with the
definitions put in afterwards), and a counterexample refutes it where every value of each kept
``u`` is reached through its own bias.  Without it, the whole network is expanded into one
expression in ``w``, ``y``, ``b`` — correct, and often too slow for the step's time bound.
The new sum runs over the width written for the cut's index letter (or the reader's own ``n_k``
for sums written without bounds).

*Labelled layers* (``u^{(l)}_j``, ``z^{l+1}_k``): the cut is the general pre-activation put at the
label where ``v`` enters it (``u^{(l+1)}`` for ``u^{(l)}`` and ``y^{(l)}``, ``u^{(l)}`` for ``w^{(l)}``),
found through the definitions for every layer (:func:`.order.consumers`), and only where
everything computed from ``v`` passes through it (:func:`.order.only_through`: no skip
connection).  A cut at a later label than ``v``'s is taken only where the step itself names that
label (``δ^{(l+1)}_k``): there is a layer ``l + 1``, so ``l`` is no output layer, and ``E``, written
at the output layer ``L``, depends on ``u^{(l)}`` through ``u^{(l+1)}`` only.  The new sum takes the
letter and bound of a sum the step writes over that layer.
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from .frozen import freeze_key, freezable
from ..latex.vocabulary import unbounded_upper
from .labels import split
from .layers import tag_layers
from .names import key, letter, letters_of
from .network_model import preactivation
from .order import consumers, forward_definitions, name_of, names_in, only_through
from .scan import DocumentScan
from .table import Definition, SymbolTable


def kept_layer(table: SymbolTable, scan: DocumentScan, a: sp.Expr, b: sp.Expr) -> tuple:
    """``(a, b, frozen)``: the step with each ``∂F/∂v`` taken through the next layer's
    pre-activation downstream of ``v`` and that layer kept (the module docstring), else with its
    defined derivative variables kept (:func:`.frozen.freezable`); ``frozen`` empty when neither
    applies."""
    used = {s.name for e in (a, b) for s in e.free_symbols | _bound(e)}
    labels = {parts[2] for e in (a, b) for q in e.atoms(sp.Indexed) for parts in [split(key(q) or "")] if parts}
    sums = [s for e in (a, b) for s in e.atoms(sp.Sum) if len(s.limits) == 1]
    for sides in (_applied_keeping_cuts(table, scan, a, b), [a, b]):
        rewritten = sides
        for _ in range(4):  # ∂E/∂b_j → Σ_j' ∂E/∂u_j' ∂u_j'/∂b_j, then ∂E/∂u_j' through u_k: down to the last layer
            deeper = [e.replace(lambda x: isinstance(x, sp.Derivative),
                                lambda d: _through_layer(table, scan, d, used, labels, sums) or d)
                      for e in rewritten]
            if deeper == rewritten:
                break
            rewritten = deeper
        if rewritten != sides:
            frozen = freezable(table, *rewritten)
            if frozen:
                return rewritten[0], rewritten[1], frozen
    return a, b, freezable(table, a, b)


def _applied_keeping_cuts(table: SymbolTable, scan: DocumentScan, a: sp.Expr, b: sp.Expr) -> list:
    """The sides with the definitions put in but the layers the derivatives go through kept:
    ``∂w_{jk}`` named as ``∂E/∂w_{jk}`` is a derivative only once its definition is in, and E is
    then put in down to u_k."""
    applied = [table.apply(e)[0] for e in (a, b)]
    variables = {v for e in applied for d in e.atoms(sp.Derivative) for v in d.variables if isinstance(v, sp.Indexed)}
    labels = {parts[2] for e in (a, b) for q in e.atoms(sp.Indexed) for parts in [split(key(q) or "")] if parts}
    cuts = [_cut(table, scan, v) if split(key(v) or "") is None else _labelled_cut(table, v, labels)
            for v in sorted(variables, key=str)]
    kept = frozenset(freeze_key(table, c.lhs) for c in cuts if c is not None)
    if not kept:
        return [a, b]
    kept |= {freeze_key(table, v) for v in variables if table.lookup(v) is not None}  # u_j of ∂E/∂u_j, everywhere
    done = [table.apply(e, kept) for e in (a, b)]
    if any(notes for _e, notes in done):  # a loose definition, a guessed letter: its doubt must reach the step
        return [a, b]
    return [e for e, _notes in done]


def _bound(e: sp.Basic) -> set:
    return {v for s in e.atoms(sp.Sum) for v in s.variables}


def _tagged(table: SymbolTable, scan: DocumentScan, exprs: list) -> Optional[list]:
    return tag_layers(exprs, set(scan.layer_letters)) if table.layered else exprs


def _cut(table: SymbolTable, scan: DocumentScan, v: sp.Indexed) -> Optional[Definition]:
    """The pre-activation of the next layer downstream of ``v`` (``u_k := Σ_j w_{jk} y_j + b_k``
    for ``w_{jk}``, ``b_k``, ``y_j`` and ``u_j``): the nearest forward definition, following who
    uses what, that sums over the layer below; None when two are equally near or none is."""
    tagged = _tagged(table, scan, [v])
    if tagged is None:
        return None
    forward = {name: ds[-1] for name, ds in forward_definitions(table, scan.layer_letters, table.layered).items()}
    frontier, seen = {name_of(tagged[0])}, set()
    for _ in range(4):
        users = {name for name, (_d, used) in forward.items() if used & frontier and name not in seen}
        cuts = [forward[name][0] for name in sorted(users) if preactivation(forward[name][0]) is not None]
        if cuts:
            return cuts[0] if len(cuts) == 1 else None
        seen |= users
        frontier = users
    return None


def _labelled_cut(table: SymbolTable, p: sp.Indexed, labels: set) -> Optional[Definition]:
    """The general pre-activation at the label where the labelled ``p`` enters it (module
    docstring), or None: two are equally near, none is, something from ``p`` bypasses it, or it
    stands at a label the step does not name."""
    frontier = {key(p)}
    for _ in range(3):
        users = set().union(*(consumers(table, n) for n in frontier))
        cuts = [d for n in sorted(users) for d in [table.lookup(sp.IndexedBase(sp.Symbol(n))[sp.Symbol("j", integer=True)])]
                if d is not None and preactivation(d) is not None]
        if cuts:
            if len(cuts) != 1 or not only_through(table, key(p), key(cuts[0].lhs)):
                return None
            here, there = split(key(p))[2], split(key(cuts[0].lhs))[2]
            return cuts[0] if sp.expand(there - here) == 0 or there in labels else None
        frontier = users
    return None


def _written_sum(u: sp.Indexed, sums: list) -> Optional[tuple]:
    """(letter, bound) of a sum the step writes over ``u``'s layer (``Σ_k δ^{(l+1)}_k``), if one."""
    label = split(key(u) or "")
    for s in sums:
        x, _lo, hi = s.limits[0]
        if any(split(key(q) or "") is not None and split(key(q))[2] == label[2] and x in q.indices
               for q in s.function.atoms(sp.Indexed)) and label is not None:
            return letter(x), hi
    return None


def _through_layer(table: SymbolTable, scan: DocumentScan, d: sp.Derivative, used: set,
                   labels: set = frozenset(), sums: list = ()) -> Optional[sp.Expr]:
    """``∂F/∂p`` as ``Σ_{k'} ∂F/∂u_{k'} ∂u_{k'}/∂p`` (see the module docstring), or None."""
    if len(d.variable_count) != 1 or d.variable_count[0][1] != 1 or not isinstance(d.variables[0], sp.Indexed):
        return None
    p = d.variables[0]
    user = _cut(table, scan, p) if split(key(p) or "") is None else _labelled_cut(table, p, labels)
    if user is None or len(user.lhs.indices) != 1 or letter(user.lhs.indices[0]) is None \
            or d.expr == user.lhs or not table.layered and key(d.expr) == key(user.lhs):
        return None
    u = user.lhs
    written = _written_sum(u, sums)
    bounds = {written[1]} if written is not None else \
        scan.letter_bounds.get(letters_of(u)[0], set()) or {unbounded_upper(u.indices[0])}
    if len(bounds) != 1:
        return None  # two widths written for u's letter: no range for the new sum
    kept = frozenset({freeze_key(table, u), freeze_key(table, p)})
    inside, _notes = table.apply(d.expr, kept)
    tagged = _tagged(table, scan, [inside, p])
    if tagged is None or name_of(tagged[1]) in names_in(tagged[0]):
        return None  # F holds p outside u (weight decay, a skip connection): no such chain rule
    name = (written[0] if written is not None else letters_of(u)[0]) + "'"
    while name in used:
        name += "'"
    used.add(name)
    k = sp.Symbol(name, integer=True)
    u_k = u.xreplace({u.indices[0]: k})
    body = user.rhs.xreplace({u.indices[0]: k})
    (hi,) = bounds
    return sp.Sum(sp.Derivative(d.expr, u_k) * sp.Derivative(body, p), (k, 1, hi))
