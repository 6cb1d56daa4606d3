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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import sympy as sp

from ..prover.runner import inline
from .doubts import Doubts
from .guards import Outcome
from .names import key, keys, tex
from .table import Definition, SymbolTable

if TYPE_CHECKING:  # pragma: no cover
    from .walk import Checker

#: Seconds for the first try with the defined variables of a step kept as variables, when it
#: may only prove (a refutation, where the values are reached, gets the step's whole bound).
FROZEN_SECONDS = 1.0


def _derivative_variables(exprs) -> list[sp.Basic]:
    return [v for e in exprs for d in e.atoms(sp.Derivative) for v in d.variables]


def freezable(table: SymbolTable, a: sp.Expr, b: sp.Expr) -> frozenset:
    """Defined quantities the step differentiates by, and nowhere differentiates: ``u_k`` in
    ``∂E/∂u_k = y_k − t_k``.  Kept as variables, the step is an identity in them, and a proof
    of it holds with their definitions put in afterwards (the chain rule)."""
    names = table.names()
    seen = (a, b, *(table.apply(e)[0] for e in (a, b)))  # δ_k := ∂E/∂u_k differentiates by u too
    variables = {key(v) for v in _derivative_variables(seen)} & names
    if not variables:
        return frozenset()
    frozen = frozenset(variables)
    for e in (a, b):
        applied, _notes = table.apply(e, frozen)
        if any(keys(d.expr) & frozen - {key(v) for v in d.variables} for d in applied.atoms(sp.Derivative)):
            return frozenset()  # differentiated by something else: its definition matters
    return frozen


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


def reached_through(table: SymbolTable, frozen: frozenset, sides: tuple, written: tuple) -> Optional[str]:
    """Why every value of the ``frozen`` quantities in the ``sides`` (from the step as ``written``)
    is reached — ``"every value of u_{k} is reached through b_{k} (line 12)"`` — or ``None`` when it may not
    be: a kept quantity without a definition, two definitions for one name, a parameter that is
    defined, shared, or appears in the step or in a stated assumption."""
    occurrences = [v for v in _derivative_variables(written + tuple(table.apply(e)[0] for e in written))
                   if key(v) in frozen]
    occurrences += [e for s in sides for e in s.atoms(sp.Indexed) if key(e) in frozen]
    chosen: dict[str, Definition] = {}
    for e in occurrences:
        d = table.lookup(e)
        if d is None or chosen.setdefault(key(e), d).line != d.line:
            return None
    used = set().union(*(keys(s) for s in sides), *(keys(c) | keys(v) for c, v, _l in table.constraints))
    names = table.names()
    parts, taken = [], set()
    for name, d in sorted(chosen.items()):
        p = own_parameter(d)
        if p is None or key(p) in used | names | taken:
            return None
        if any(key(p) in keys(other.rhs) for other in chosen.values() if other is not d):
            return None
        taken.add(key(p))
        parts.append(f"every value of {tex(d.lhs)} is reached through {tex(p)} (line {d.line})")
    return "; ".join(parts) if parts and len(chosen) == len(frozen) else None


def kept_as_variables(checker: "Checker", frag, a: sp.Expr, b: sp.Expr, frozen: frozenset,
                      extra: Sequence) -> Optional[Outcome]:
    """The step decided with the ``frozen`` quantities kept as variables: proved, refuted where
    every value they take is reached (:func:`reached_through`), or None (the walk goes on)."""
    doubts = Doubts()
    res = inline(checker._prepare_step, frag, a, b, doubts, frozen, extra, seconds=checker.timeout)
    if not res.ok or isinstance(res.value, Outcome) or doubts.blocks_proof:
        return None
    lhs, rhs, pairs, positive, assumption = res.value
    table = checker.table
    reach = None if doubts.items or assumption else \
        reached_through(table, frozen, tuple(table.apply(e, frozen)[0] for e in (a, b)), (a, b))
    budget = min(checker.timeout, FROZEN_SECONDS) if reach is None else checker.timeout
    d = checker._decide(lhs, rhs, pairs, budget, reach is not None)
    domain = f"; for {', '.join(positive)} > 0, where the logarithms are real" if positive else ""
    kept = f"; {', '.join(sorted(frozen))} kept as variables" + "".join(f"; {x}" for x in doubts.assumed)
    if d.verdict.proved:
        return Outcome("proved", "", d.verdict.reason, f"{d.verdict.method}{kept}{domain}")
    return checker._confirmed(frag, d, f"{kept}; {reach}") if d.verdict.refuted else None
