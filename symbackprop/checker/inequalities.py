"""Inequalities a document states: ``a \\ge b`` and ``a \\le b``, proved or left open.

``(σ(u) − ½)² ≥ 0``, ``e^{u} ≥ 0``, ``E ≥ 0`` with ``E = ½Σ(y − t)²``: the step is prepared like
an equality (the definitions in force put in, symbols real, the doubt rules asked) and the
difference is decided by the prover's sign decider (``prove.prove_nonnegative``: SymPy's sign
rules, a square of a real number is ≥ 0).  Only a proof is taken from it: its counterexamples
come from a random search that gives function applications free values (σ(u) = 5), so a
failing inequality is left open with the reason, never refuted.  Strict inequalities (``<``,
``>``) stay unchecked: a sign rule shows ≥ 0 far more often than > 0.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..prove import prove_nonnegative
from .guards import Outcome, open_
from .realify import domain_note

#: The relations decided here: which side is the larger.
ORIENTATION = {r"\ge": 1, r"\geq": 1, r"\le": -1, r"\leq": -1}
NOT_SHOWN = "an inequality is proved only by sign rules (a square is ≥ 0); not shown here, not refuted"


def _sums_of_nonnegative_terms(expr: sp.Expr) -> sp.Expr:
    """Each sum of terms the sign rules show nonnegative, over a range that is not reversed,
    replaced by a nonnegative unknown: a sum of such terms is ≥ 0 (SymPy's rules do not look
    inside a ``Sum``).  ``Σ_{k=1}^{n}`` up to a name counts the n units of a layer (a width is
    never negative); a range reversed by numbers is a negative sum (Karr's convention), so it is
    left alone."""
    def bound(s: sp.Sum) -> sp.Basic:
        terms_ok = s.function.is_nonnegative
        ranges_ok = all((hi - lo + 1).is_nonnegative or (lo == 1 and isinstance(hi, (sp.Symbol, sp.Indexed)))
                        for _v, lo, hi in s.limits)
        return sp.Dummy("sum", nonnegative=True) if terms_ok and ranges_ok else s

    return expr.replace(lambda e: isinstance(e, sp.Sum), bound)


def inequality(a: sp.Expr, op: str, b: sp.Expr, prepare: Callable, seconds: float) -> Outcome:
    """``a op b`` for ``op`` in :data:`ORIENTATION`; ``prepare(a, b, doubts)`` is the walk's
    preparation of a step: ``(lhs, rhs, pairs, positive, assumption)`` or an outcome already."""
    from .doubts import Doubts

    doubts = Doubts()
    prepared = prepare(a, b, doubts)
    if isinstance(prepared, Outcome):
        return prepared
    if doubts.blocks_proof:
        return open_(doubts.category(), doubts.reason())
    lhs, rhs, positive = prepared[0], prepared[1], prepared[3]
    v = prove_nonnegative(_sums_of_nonnegative_terms(ORIENTATION[op] * (lhs - rhs)), timeout=seconds)
    if v.proved:
        return Outcome("proved", "", v.reason, v.method + domain_note(positive))
    return open_("inequality", NOT_SHOWN)
