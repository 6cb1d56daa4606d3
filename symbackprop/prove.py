"""``prove(lhs, rhs, *, assumptions, ranges, timeout, sizes) -> Verdict`` — the public entry point.

The engine lives in :mod:`symbackprop.prover` (one module per group of passes):

    prepare → nonsmooth → canonical → index_aware → concrete → witness

``proved`` says how (exact symbolic proof for all sizes, or exact at each listed
concrete size when the statement is about fixed sizes); ``refuted`` carries a witness
that was substituted back and confirmed; anything else is ``inconclusive`` with the
reason (timed out, unsupported, only numerically consistent …).
"""

from __future__ import annotations

from .prover import PASSES, UnsupportedClaim, prove
from .prover.nonneg import prove_nonnegative

__all__ = ["prove", "prove_nonnegative", "PASSES", "UnsupportedClaim"]
