"""Deciding a prepared step: the prover's one engine, run in this process.

Every claim of a document is decided by :func:`symbackprop.prover.engine.prove` — the
same pass loop as ``symbackprop.prove()`` and ``prove --claim`` — with the
:func:`~symbackprop.prover.runner.inline` runner (a ``SIGALRM`` timer instead of a fork
per pass: most document steps take milliseconds).  ``refute=False`` when the document
leaves something open, so no time is spent looking for a counterexample that could not
be reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import sympy as sp

from ..prover.claim import UnsupportedClaim, make_claim
from ..prover.engine import prove
from ..prover.runner import inline
from ..prover.symbolic import index_rounds
from ..verdict import Verdict
from .folding import document_tex, folded

#: Seconds for the value the right side should have (shown with a refutation).
EXPECTED_SECONDS = 1.0


@dataclass(frozen=True)
class Decision:
    """A verdict on ``lhs = rhs`` under ``pairs`` (stated equalities and exclusions)."""

    verdict: Verdict
    lhs: sp.Expr
    rhs: sp.Expr
    pairs: tuple = ()


def decide(lhs: sp.Expr, rhs: sp.Expr, pairs: Sequence = (), seconds: float = 5.0,
           refute: bool = True, generic: Sequence[str] = ()) -> Decision:
    """``lhs = rhs`` decided by the prover's engine within ``seconds``; ``generic`` names the
    functions the document leaves arbitrary on purpose (generic.py)."""
    v = prove(lhs, rhs, assumptions=list(pairs), timeout=seconds, refute=refute, runner=inline,
              generic_functions=generic)
    return Decision(v, lhs, rhs, tuple(pairs))


def expected(d: Decision, definitions: Sequence = (), written: Callable = lambda e: e) -> Optional[str]:
    """The value the right side should have: the left side with its derivatives carried out
    (by the textbook rules, σ′ = σ(1 − σ)), Kronecker deltas collapsed, simplified — or the
    left side as it stands when that does not finish in :data:`EXPECTED_SECONDS` — written in
    the document's notation with its ``definitions`` (folding.py: ``y_k − t_k``, not softmax)
    and its names for the layers' widths (``written``: ``DocumentScan.written_widths``)."""
    try:
        claim = make_claim(d.lhs, d.rhs, list(d.pairs))
    except (UnsupportedClaim, sp.SympifyError, TypeError, ValueError):
        return None

    def value() -> sp.Expr:
        e = d.lhs.replace(lambda x: isinstance(x, sp.Derivative), lambda x: x.doit())
        e, _used = index_rounds(e, claim)
        if not e.has(sp.KroneckerDelta):
            e = e.doit()
        return sp.simplify(e)

    out = inline(value, seconds=EXPECTED_SECONDS)
    shown = inline(folded, out.value if out.ok else d.lhs, definitions, seconds=EXPECTED_SECONDS)
    return document_tex(written(shown.value if shown.ok else (out.value if out.ok else d.lhs)))
