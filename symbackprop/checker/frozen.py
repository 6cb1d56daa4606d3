r"""Defined quantities kept as variables: ``u_k`` in ``∂E/∂u_k = y_k − t_k``.

*Proof.*  When a step differentiates by defined quantities ``u`` and nothing in it
differentiates ``u`` by anything else, the step is an identity in ``u``: by the chain rule
it holds with the definition of ``u`` put in afterwards whenever it holds with ``u`` a
variable.  So a proof with ``u`` kept as variables proves the step (:func:`freezable`).

*Refutation.*  A counterexample with ``u`` as variables refutes the step only if its values
of ``u`` can be reached by the network.  They can when the definition of every kept quantity
adds a free parameter of its own, ``u_k = Σ_j w_{jk} y_j + b_k``: whatever the rest is,
``b_k = u_k − Σ_j w_{jk} y_j`` gives ``u_k`` any value, for every ``k`` at once, and ``b``
appears nowhere else in the step (:func:`reached_through`).  Without such a parameter (no
bias, or a bias shared with the rest of the step) the kept form may only prove.

*The loss's gradient kept unknown* (:func:`generic_loss`): with the layers kept as variables, a
step that speaks of the loss only through ``∂E/∂u_{k'}`` is proved for every value of those
gradients, so for theirs — a proof only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import sympy as sp

from ..prover.runner import inline
from .doubts import Doubts
from .guards import Outcome
from .names import key, keys, letters_of, plain_symbols, tex
from .order import memo
from .table import Definition, SymbolTable, kept_in

if TYPE_CHECKING:  # pragma: no cover
    from .walk import Checker

#: Seconds for the first try with the defined variables of a step kept as variables, when it
#: may only prove (a refutation, where the values are reached, gets the step's whole bound).
FROZEN_SECONDS = 1.0


def _derivative_variables(exprs) -> list[sp.Basic]:
    return [v for e in exprs for d in e.atoms(sp.Derivative) for v in d.variables]


def freeze_key(table: SymbolTable, e: sp.Basic):
    """How a kept quantity is named in a frozen set: by its name, or — where index letters name
    layers — by name and letters, so that the hidden ``u_j`` is kept and the output ``u_k``,
    computed from it, is not."""
    if table.layered and isinstance(e, sp.Indexed):
        return key(e), letters_of(e)
    return key(e)


def kept_names(frozen: frozenset) -> str:
    """``u, w_{jk}``: the frozen set as a reader writes it."""
    return ", ".join(sorted(f if isinstance(f, str) else f"{f[0]}_{{{''.join(map(str, f[1]))}}}" for f in frozen))


def _same(table: SymbolTable, x: sp.Basic, v: sp.Basic) -> bool:
    if isinstance(v, sp.Indexed) and isinstance(x, sp.Indexed) and table.layered:
        return key(x) == key(v) and letters_of(x) == letters_of(v)
    return key(x) == key(v)


def depends(table: SymbolTable, a: sp.Basic, v: sp.Basic, depth: int = 8) -> bool:
    """See :func:`_reaches` (remembered per state of the definitions: asked for every atom of
    every derivative of every claim)."""
    return memo(table, ("depends", a, v, depth), lambda: _reaches(table, a, v, depth))


def _reaches(table: SymbolTable, a: sp.Basic, v: sp.Basic, depth: int = 8) -> bool:
    """May the quantity ``a`` change with ``v``: is ``v`` (by name, and by index letters where
    letters name layers) among what ``a`` is computed from, through its definitions?  The
    output ``u_k`` is, with ``w_{jk}`` and with the hidden ``u_j``; ``u_j`` (from ``w_{ij}``)
    is not with ``w_{jk}``.  Unsure (a quantity without definition met deeper) counts as yes
    only where the name matches."""
    frontier, seen = [a], set()
    for _ in range(depth):
        nxt = []
        for q in frontier:
            body = table.body(q)
            for x in (body.atoms(sp.Indexed) | plain_symbols(body) if body is not None else ()):
                if _same(table, x, v):
                    return True
                if key(x) is not None and (str(x) not in seen):
                    seen.add(str(x))
                    nxt.append(x)
        frontier = nxt
    return False


def _kept_inside(table: SymbolTable, d: sp.Derivative, frozen: frozenset) -> list:
    """The kept quantities that ``d`` differentiates by something other than themselves, on
    which that something may act."""
    return [a for a in d.expr.atoms(sp.Indexed) | plain_symbols(d.expr) if kept_in(a, frozen)
            and any(freeze_key(table, a) != freeze_key(table, v) and depends(table, a, v) for v in d.variables)]


def _differentiated(table: SymbolTable, e: sp.Expr, frozen: frozenset) -> list[sp.Derivative]:
    """The derivatives of ``e`` (definitions in, the ``frozen`` kept) that differentiate a kept
    quantity by something else (``∂u_k/∂w_{jk}``)."""
    applied, _notes = table.apply(e, frozen)
    return [d for d in applied.atoms(sp.Derivative) if _kept_inside(table, d, frozen)]


def through_definitions(table: SymbolTable, e: sp.Expr, frozen: frozenset) -> sp.Expr:
    """``e`` with every derivative of a kept quantity by something else taken through the
    definition of that quantity, one level (``∂u_k/∂w_{jk}`` with ``u_k := Σ_j w_{jk} y_j + b_k``
    put in): the same value, and the kept quantity then differentiated by nothing else."""

    def unfold(d: sp.Derivative) -> sp.Basic:
        inside = _kept_inside(table, d, frozen)
        bodies = {a: table.body(a) for a in inside}
        if not inside or any(b is None for b in bodies.values()):
            return d
        return sp.Derivative(d.expr.xreplace(bodies), *d.variable_count)

    return e.replace(lambda x: isinstance(x, sp.Derivative), unfold)


def freezable(table: SymbolTable, a: sp.Expr, b: sp.Expr) -> frozenset:
    """Defined quantities the step differentiates by, and nowhere differentiates but through
    their definitions (:func:`through_definitions`): ``u_k`` in ``∂E/∂u_k = y_k − t_k`` and in
    ``∂E/∂u_k ∂u_k/∂w_{jk} = δ_k y_j``.  Kept as variables, the step is an identity in them,
    and a proof of it holds with their definitions put in afterwards (the chain rule)."""
    names = table.names()
    seen = (a, b, *(table.apply(e)[0] for e in (a, b)))  # δ_k := ∂E/∂u_k differentiates by u too
    candidates = frozenset(freeze_key(table, v) for v in _derivative_variables(seen) if key(v) in names)
    # all of them, else one alone (the hidden u_j of ∂E/∂u_j, with the output u_k computed from it)
    for frozen in [candidates, *(frozenset({c}) for c in sorted(candidates, key=str))] if candidates else []:
        if not any(_differentiated(table, through_definitions(table, e, frozen), frozen) for e in (a, b)):
            return frozen
    return frozenset()


def narrower(table: SymbolTable, a: sp.Expr, b: sp.Expr, frozen: frozenset) -> list[frozenset]:
    """The single quantities of a ``frozen`` set of several that are freezable alone (the
    criterion of :func:`freezable`): ``u_q`` of ``Σ_{q'} ∂E/∂y_{q'} ∂y_{q'}/∂u_q``, where keeping
    ``y_q`` too leaves ``1/y_{q'}`` a variable that the softmax derivative, taken through the
    definition of ``y``, cannot cancel.  Each is a valid kept set by the same proof."""
    if len(frozen) < 2:
        return []
    return [frozenset({c}) for c in sorted(frozen, key=str) if not any(
        _differentiated(table, through_definitions(table, e, frozenset({c})), frozenset({c})) for e in (a, b))]


def own_parameter(d: Definition) -> Optional[sp.Indexed]:
    """The free parameter ``d`` adds with a constant coefficient, one entry per entry of its
    left side (``b_k`` in ``u_k := Σ_j w_{jk} y_j + b_k``) and used nowhere else in it."""
    if not isinstance(d.lhs, sp.Indexed) or not isinstance(d.rhs, sp.Add):
        return None
    own = sorted(map(str, d.lhs.indices))
    for term in d.rhs.args:
        coeff, p = term.as_coeff_Mul()
        if (isinstance(p, sp.Indexed) and coeff != 0 and sorted(map(str, p.indices)) == own
                and len(set(map(str, p.indices))) == len(own) and key(p) != key(d.lhs)
                and key(p) not in keys(d.rhs - term)):
            return p
    return None


def _quantities(table: SymbolTable, e: sp.Basic) -> set:
    """The quantities ``e`` holds, named as in a frozen set (with their letters where letters
    name layers: the output bias ``b_k`` is not the hidden ``b_j``)."""
    return keys(e) if not table.layered else \
        {freeze_key(table, x) for x in e.atoms(sp.Indexed)} | {key(x) for x in plain_symbols(e)}


def reached_through(table: SymbolTable, frozen: frozenset, sides: tuple, written: tuple,
                    values: tuple = ()) -> Optional[str]:
    """Why every value of the ``frozen`` quantities in the ``sides`` (from the step as ``written``)
    is reached — ``"every value of u_{k} is reached through b_{k} (line 12)"`` — or ``None`` when it may not
    be: a kept quantity without a definition, two definitions for one name, a parameter that is
    defined, shared, or appears in the step (its ``values`` once the derivatives are carried
    out, when given: ``b_k`` inside ``∂u_k/∂w_{jk}`` is gone there) or in a stated assumption."""
    occurrences = [v for v in _derivative_variables(written + tuple(table.apply(e)[0] for e in written))
                   if kept_in(v, frozen)]
    occurrences += [e for s in sides for e in s.atoms(sp.Indexed) if kept_in(e, frozen)]
    chosen: dict = {}
    for e in occurrences:
        d = table.lookup(e)
        if d is None or chosen.setdefault(freeze_key(table, e), d).line != d.line:
            return None
    used = set().union(*(_quantities(table, s) for s in values or sides),
                       *(keys(c) | keys(v) for c, v, _l in table.constraints))
    names = table.names()
    parts, taken = [], set()
    for name, d in sorted(chosen.items(), key=lambda nd: str(nd[0])):
        p = own_parameter(d)
        if p is None or key(p) in names or {key(p), freeze_key(table, p)} & (used | taken):
            return None
        if any(freeze_key(table, p) in _quantities(table, other.rhs) for other in chosen.values() if other is not d):
            return None
        taken.add(freeze_key(table, p))
        parts.append(f"every value of {tex(d.lhs)} is reached through {tex(p)} (line {d.line})")
    return "; ".join(parts) if parts and len(chosen) == len(frozen) else None


def _carried_out(e: sp.Expr) -> sp.Expr:
    """``e`` with its derivatives of written expressions carried out where that is quick
    (``∂(Σ_i w_{ij} x_i + b_j)/∂w_{ij}``: the bias ``b_j`` is gone from the value), else as it is."""
    out = inline(lambda: e.replace(lambda x: isinstance(x, sp.Derivative), lambda x: x.doit()), seconds=0.5)
    return out.value if out.ok else e


def identity_in_quantities(table: SymbolTable, a: sp.Expr, b: sp.Expr) -> frozenset:
    """The defined quantities of a step that no derivative of it acts on: all of them when it
    differentiates nothing (``Σ_{p'} y_{p'} [p = p'] = y_p``), else those that depend on no
    variable it differentiates by (``y_{p'}`` in ``∂u_q/∂w_{pq} = ∂/∂w_{pq} (b_q + Σ_{p'} y_{p'}
    w_{p'q})``: a layer below, by the definitions).  An identity in them holds with their
    definitions put in (equals for equals; ∂ of a quantity independent of v by v is 0 either
    way), so a proof with them kept as variables proves the step — without writing ``y_p`` out
    through four layers first.  The quantities the definitions bring in count too (``y_p`` in
    ``∂u_q/∂b_q``, from the definition of ``u_q``): every defined quantity is asked."""
    seen = (a, b, *(table.apply(e)[0] for e in (a, b)))
    variables = _derivative_variables(seen)
    names = table.names()
    occurrences = [x for e in seen for x in e.atoms(sp.Indexed) | plain_symbols(e) if key(x) in names]
    occurrences += [d.lhs for d in table.definitions() if isinstance(d.lhs, (sp.Indexed, sp.Symbol))]
    acted_on = {freeze_key(table, x) for x in occurrences
                if any(_same(table, x, v) or depends(table, x, v) for v in variables)}
    return frozenset(freeze_key(table, x) for x in occurrences) - acted_on


def defined_symbols(table: SymbolTable) -> frozenset:
    """The names of the plain symbols the definitions in force define (the loss ``E``)."""
    return frozenset(n for n in table.names() if (d := table.lookup(sp.Symbol(n))) is not None
                     and d.shape == "symbol")


def _gradient_unknown(table: SymbolTable, loss: str, v: sp.Indexed) -> sp.Indexed:
    """The unknown that stands for ``∂E/∂v``: one indexed family per loss and kept quantity
    (named with the letters of ``v`` where letters name layers: ``∂E/∂u_{k}`` is not
    ``∂E/∂u_{p}``), at the indices of ``v``."""
    by = f"{key(v)}_{{{''.join(map(str, letters_of(v)))}}}" if table.layered else str(key(v))
    return sp.IndexedBase(f"∂{loss}/∂{by}")[v.indices]


def generic_loss(table: SymbolTable, a: sp.Expr, b: sp.Expr, frozen: frozenset) -> Optional[tuple]:
    r"""The step with each ``∂E/∂v`` — a defined plain symbol (the loss) differentiated once by a
    kept quantity ``v`` — made an unknown ``G_v`` (:func:`_gradient_unknown`), or None when the
    loss is used otherwise too (undifferentiated, by a quantity not kept, inside another ∂), when
    nothing is replaced, or when putting the definitions in raises a doubt.

    *Proof.*  With the kept quantities as variables (see the module docstring) the step is an
    equation between expressions in which the loss occurs only through the values ``∂E/∂v``,
    each at the same point of the network on both sides.  If it holds for *every* value of the
    unknowns ``G_v`` (one per family and index, equal indices giving equal unknowns), it holds
    for ``G_v = ∂E/∂v`` in particular: ``Σ_{k'} ∂E/∂u_{k'} ∂u_{k'}/∂w_{jk} = δ_k y_j`` with
    ``δ_k := ∂E/∂u_k`` is proved without writing E out through the layers above ``u``.  A
    counterexample proves nothing (no loss may give the values it chose): a proof only."""
    losses = defined_symbols(table)
    if not losses:
        return None
    applied = [table.apply(e, frozen | losses) for e in (a, b)]
    if any(notes for _e, notes in applied):
        return None
    found: dict = {}

    def gradient(d: sp.Derivative) -> bool:
        return (isinstance(d.expr, sp.Symbol) and d.expr.name in losses and len(d.variable_count) == 1
                and d.variable_count[0][1] == 1 and isinstance(d.variables[0], sp.Indexed)
                and kept_in(d.variables[0], frozen))

    for e, _notes in applied:
        for d in e.atoms(sp.Derivative):
            if gradient(d):
                found[d] = _gradient_unknown(table, d.expr.name, d.variables[0])
            elif any(gradient(inner) for inner in d.expr.atoms(sp.Derivative)) or \
                    any(s.name in losses for s in d.expr.free_symbols if isinstance(s, sp.Symbol)):
                return None  # the loss inside another derivative: its gradient is no constant there
    sides = [e.xreplace(found) for e, _notes in applied]
    if not found or any(isinstance(s, sp.Symbol) and s.name in losses for e in sides for s in e.free_symbols):
        return None
    return sides[0], sides[1], ", ".join(sorted({str(g.base.label) for g in found.values()}))


def kept_as_variables(checker: "Checker", frag, a: sp.Expr, b: sp.Expr, frozen: frozenset,
                      extra: Sequence, prove_only: bool = False) -> Optional[Outcome]:
    """The step decided with the ``frozen`` quantities kept as variables: proved, refuted where
    every value they take is reached (:func:`reached_through`; never when ``prove_only``), or
    None (the walk goes on)."""
    a, b = (through_definitions(checker.table, e, frozen) for e in (a, b))
    return decided_kept(checker, frag, a, b, frozen, extra, prove_only)


def decided_kept(checker: "Checker", frag, a: sp.Expr, b: sp.Expr, frozen: frozenset,
                  extra: Sequence, prove_only: bool, note: str = "") -> Optional[Outcome]:
    """See :func:`kept_as_variables` (``a``, ``b`` taken through the definitions already)."""
    doubts = Doubts()
    res = inline(checker._prepare_step, frag, a, b, doubts, frozen, extra, seconds=checker.timeout)
    if not res.ok or isinstance(res.value, Outcome) or doubts.blocks_proof:
        return None
    lhs, rhs, pairs, positive, assumption = res.value
    table = checker.table
    reach = None if doubts.items or assumption or prove_only else \
        reached_through(table, frozen, tuple(table.apply(e, frozen)[0] for e in (a, b)), (a, b),
                        tuple(_carried_out(e) for e in (lhs, rhs)))
    budget = min(checker.timeout, FROZEN_SECONDS) if reach is None else checker.timeout
    d = checker._decide(lhs, rhs, pairs, budget, reach is not None)
    domain = f"; for {', '.join(positive)} > 0, where the logarithms are real" if positive else ""
    present = [x for e in (lhs, rhs) for x in e.atoms(sp.Indexed) | plain_symbols(e)]
    shown = frozenset(f for f in frozen if any(kept_in(x, frozenset({f})) for x in present)) or frozen
    kept = f"; {kept_names(shown)} kept as variables{note}"
    if d.verdict.proved:
        return Outcome("proved", "", d.verdict.reason, f"{d.verdict.method}{kept}{doubts.notes()}{domain}")
    return checker._confirmed(frag, d, f"{kept}{doubts.notes(refuted=True)}; {reach}") if d.verdict.refuted else None
