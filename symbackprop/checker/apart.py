"""A step that leans on a loose definition, decided without it where it cannot matter.

A definition whose right side has a stray free index (``a^l_j = σ(Σ_k w_{jk} a_k + b_k)``) is
an erratum itself; a step that uses it is not decided through it (category ``loose``).  But a
step may not need it: ``z^{l+1}_k = Σ_j w^{l+1}_{kj} a^l_j`` holds or fails whatever ``a^l_j``
is.  Here the loose quantities are kept as variables and the step decided briefly: a proof
holds for every value of them; a refutation stands only if the difference of the sides is
proved free of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import sympy as sp

from ..verdict import Status
from .doubts import Doubts
from .guards import Outcome
from .relations import renamed

if TYPE_CHECKING:
    from .walk import Checker

#: seconds for each of the two brief decisions
BRIEF_SECONDS = 1.0


def apart_from(self: "Checker", frag, a: sp.Expr, b: sp.Expr, frozen: frozenset, extra: Sequence) -> Optional[Outcome]:
    """The step decided with the ``frozen`` quantities (whose definitions are loose) kept as
    variables, briefly: a proof holds for every value of them; a refutation stands only if
    the difference of the sides is proved free of them (equal with each renamed), so no
    definition of them could repair it."""
    if not frozen:
        return None
    doubts = Doubts()
    prepared = self._prepare_step(frag, a, b, doubts, frozen, extra)
    if isinstance(prepared, Outcome) or doubts.items or prepared[4]:
        return None
    lhs, rhs, pairs, _positive, _assumption = prepared
    d = self._decide(lhs, rhs, pairs, min(self.timeout, BRIEF_SECONDS), True)
    kept = f"{', '.join(sorted(frozen))} kept as variables"
    if d.verdict.proved:
        return Outcome("proved", "", d.verdict.reason, f"{d.verdict.method}; {kept}")
    if d.verdict.status is not Status.REFUTED:
        return None
    diff = lhs - rhs
    if not self._decide(diff, renamed(diff, frozen), pairs, min(self.timeout, BRIEF_SECONDS), False).verdict.proved:
        return None
    return self._confirmed(frag, d, f"; {kept}, the difference does not involve them")
