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

*The loss kept generic* (:func:`generic_first`, tried first, a proof only): the gradients of the
loss are taken only up to the highest layer the step reaches, and there made unknowns
(:func:`.frozen.generic_loss`) — an identity for every value of ``∂E/∂u_{k'}`` holds for its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import sympy as sp

from .frozen import (decided_kept, defined_symbols, depends, freeze_key, freezable, generic_loss,
                     identity_in_quantities, kept_as_variables, narrower, through_definitions)
from ..latex.vocabulary import unbounded_upper
from .labels import split
from .layers import tag_layers
from .names import key, letter, letters_of
from .network_model import preactivation
from .order import consumers, forward_definitions, name_of, names_in, only_through
from .scan import DocumentScan
from .table import Definition, SymbolTable

if TYPE_CHECKING:  # pragma: no cover
    from .guards import Outcome
    from .walk import Checker


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


def kept_routes(checker: "Checker", frag, a: sp.Expr, b: sp.Expr, extra: Sequence) -> Optional["Outcome"]:
    """The step decided with defined quantities kept as variables (:mod:`.frozen`), or None: the
    loss kept generic first (:func:`generic_first`), then the layers the derivatives go through
    kept (:func:`kept_layer`) with the quantities no derivative acts on (a proof only), as they
    are (a refutation where their values are reached), and each of several alone (a proof only)."""
    quick = generic_first(checker, frag, a, b, extra)
    if quick is not None:
        return quick
    table = checker.table
    a_kept, b_kept, frozen = kept_layer(table, checker.scan, a, b)  # ∂E/∂w_jk through u_k too
    independent = identity_in_quantities(table, a_kept, b_kept) - frozen
    tries = ([(frozen | independent, True)] if independent else []) + ([(frozen, False)] if frozen else [])
    tries += [(one | independent, True) for one in narrower(table, a_kept, b_kept, frozen)]
    for kept, prove_only in tries:
        quick = kept_as_variables(checker, frag, a_kept, b_kept, kept, extra, prove_only)
        if quick is not None and (quick.status == "proved" or not prove_only):
            return quick
    return None


def _labels(a: sp.Expr, b: sp.Expr) -> set:
    """The layer labels the step names (``l + 1`` of ``δ^{(l+1)}_k``)."""
    return {parts[2] for e in (a, b) for q in e.atoms(sp.Indexed) for parts in [split(key(q) or "")] if parts}


def generic_first(checker: "Checker", frag, a: sp.Expr, b: sp.Expr, extra: Sequence) -> Optional["Outcome"]:
    r"""The step proved with the loss's gradient by one layer kept unknown, or None.

    Every ``∂E/∂v`` of the step (E a defined plain symbol, the loss) is taken through the next
    layers (the chain rule of the module docstring) only up to the *top* layer of the step —
    the highest pre-activation a gradient of it goes through, ``u_k`` for ``∂E/∂w_{ij} =
    ∂E/∂u_j ∂u_j/∂w_{ij}`` (``∂E/∂u_j`` through ``u_k``, ``∂E/∂w_{ij}`` through ``u_j``, then
    ``u_k``) — and not on to the output: both sides then speak of ``∂E/∂u_{k'}`` alone, which
    :func:`.frozen.generic_loss` makes unknowns.  Each rewriting is exact (the chain rule), so
    a proof for every value of the unknowns, with the layers kept as variables, proves the step
    (the proofs of :mod:`.frozen`); a proof only, tried with the short bound of such tries."""
    table, scan = checker.table, checker.scan
    losses = defined_symbols(table)
    if not losses:
        return None
    sides = _applied_keeping_cuts(table, scan, a, b)
    top = _top_layer(table, scan, sides, losses, _labels(a, b))
    if top is None:
        return None

    def below_top(d: sp.Derivative) -> bool:
        return (isinstance(d, sp.Derivative) and isinstance(d.expr, sp.Symbol) and d.expr.name in losses
                and len(d.variables) == 1 and freeze_key(table, d.variables[0]) != top)

    used = {s.name for e in (a, b) for s in e.free_symbols | _bound(e)}
    labels, sums = _labels(a, b), [s for e in (a, b) for s in e.atoms(sp.Sum) if len(s.limits) == 1]
    rewritten = sides
    for _ in range(4):
        deeper = [e.replace(below_top, lambda d: _through_layer(table, scan, d, used, labels, sums) or d)
                  for e in rewritten]
        if deeper == rewritten:
            break
        rewritten = deeper
    frozen = freezable(table, *rewritten)
    if not frozen:
        return None
    kept = frozen | identity_in_quantities(table, *rewritten)
    generic = generic_loss(table, *(through_definitions(table, e, kept) for e in rewritten), kept)
    if generic is None:
        return None
    out = decided_kept(checker, frag, generic[0], generic[1], kept, extra, True,
                       f"; {generic[2]} kept unknown (the step holds whatever the loss's gradient)")
    return out if out is not None and out.status == "proved" else None


def _top_layer(table: SymbolTable, scan: DocumentScan, sides: list, losses: frozenset, labels: set):
    """The frozen key of the highest layer the step's gradients of the loss go through: for each
    ``∂E/∂v`` the pre-activation ``v`` itself, else the one next to ``v`` (or ``v`` where none
    follows), the one computed from all the others; None when there is none such or no gradient
    of the loss.  (``δ_j = (1 − y_j²) Σ_k δ_k w_{jk}`` reaches u_k: ∂E/∂u_j goes through u_k,
    ∂E/∂u_k stays.)"""
    found = {}
    for e in sides:
        for d in e.atoms(sp.Derivative):
            if isinstance(d.expr, sp.Symbol) and d.expr.name in losses and len(d.variables) == 1 \
                    and isinstance(d.variables[0], sp.Indexed):
                v = d.variables[0]
                own = table.lookup(v)
                cut = None if own is not None and preactivation(own) is not None else \
                    _cut(table, scan, v) if split(key(v) or "") is None else _labelled_cut(table, v, labels)
                q = cut.lhs if cut is not None else v
                found[freeze_key(table, q)] = q
    for k, q in found.items():
        if all(k == j or depends(table, q, other) for j, other in found.items()):
            return k
    return None


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
    kept |= identity_in_quantities(table, a, b)  # y_p of δ_q y_p: no ∂ acts on it, it stays as written
    kept |= defined_symbols(table)  # E stays E: its gradient may be kept generic (frozen.generic_loss)
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
