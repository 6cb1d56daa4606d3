"""A point's parameters and an entry's outcome, shared by every route of the randomized test.

* :func:`parameter_keys` — every parameter x_i, w^ℓ_pa, b^ℓ_a, t_k by key and name;
* :func:`solve_assumptions` — the stated assumptions (Σ_k t_k = 1) solved for one target each,
  so a point lies on the subspace where they hold;
* :class:`Outcome` — one entry's result at the points drawn.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, MutableMapping, Optional, Sequence

from ..derive import Derivation
from ..instantiate import parameter_table
from .closed import ClosedForms
from .formal import Formal


class AssumptionError(ValueError):
    """A stated assumption that is not affine in one free target."""


@dataclass(frozen=True)
class Outcome:
    """One entry's result: "same" (bound ≤ PROOF_THRESHOLD for the field route), "weak" (equal
    at every point, bound above the threshold), "differs" (point or None), "error" (reason)."""

    kind: str
    bound: float = 1.0
    point: Optional[dict[str, Fraction]] = None
    lhs: Any = None
    rhs: Any = None
    reason: str = ""


# ── points ───────────────────────────────────────────────────────────────
def parameter_keys(d: Derivation, sizes: Sequence[int]) -> dict[tuple, str]:
    """(key → parameter name) for x, w, b, t in the instantiation's order and names."""
    return {k: s.name for k, s in parameter_table(sizes, [l.bias for l in d.network.layers]).items()}


def solve_assumptions(d: Derivation, sizes: Sequence[int], domain: Any,
                      params: MutableMapping[tuple, Any]) -> MutableMapping[tuple, Any]:
    """Replace one target per assumption (the last free one it depends on) by its solution.

    Each assumption lhs = rhs must be affine in that target: g(t) = lhs − rhs is evaluated
    at t = 0, 1, 2 and t = −g(0)/(g(1) − g(0)) is used when g(2) − g(1) = g(1) − g(0).
    """
    fixed: set[tuple] = set()
    zero, one, two = (domain.const(v) for v in (0, 1, 2))
    for a in d.assumptions:
        for k in range(sizes[-1], 0, -1):
            key = ("t", k)
            if key in fixed:
                continue

            def g(v: Any) -> Any:
                trial = ChainMap({key: v}, params)
                cf = ClosedForms(d, sizes, domain, trial)
                return cf.expression(a.lhs, {}) - cf.expression(a.rhs, {})

            g0, g1, g2 = g(zero), g(one), g(two)
            slope = g1 - g0
            if not _equal(g2 - g1, slope):
                raise AssumptionError(f"the assumption {a.lhs} = {a.rhs} is not affine in t_{k}")
            if _is_zero(slope):
                continue
            params[key] = -g0 / slope
            fixed.add(key)
            break
        else:
            raise AssumptionError(f"cannot apply the assumption {a.lhs} = {a.rhs} ({a.rule})")
    return params


def _equal(a: Any, b: Any) -> bool:
    return (a.q == b.q) if isinstance(a, Formal) else bool(a == b)


def _is_zero(a: Any) -> bool:
    return (a.q == 0) if isinstance(a, Formal) else bool(a == 0)
