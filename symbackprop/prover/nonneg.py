"""expr ≥ 0: proved from SymPy's assumptions only (e.g. a square of a real number), never numerically."""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

from ..bounded import bounded
from ..verdict import Verdict, Witness, inconclusive, proved, refuted
from .prepare import elementary
from .symbolic import value_atoms
from .witness import random_value


def _decide(expr: sp.Expr, seed: int) -> Verdict:
    if expr.is_nonnegative:
        return proved("SymPy assumptions (sign rules: a square of a real number is ≥ 0)")
    rng = random.Random(seed)
    atoms = sorted(value_atoms(expr), key=sp.default_sort_key)
    plain = elementary(expr)
    for _ in range(24):
        point = {a: random_value(a, rng) for a in atoms}
        v = sp.N(plain.xreplace(point), 50)
        if v.is_real and v < 0 and sp.N(plain.xreplace(point), 100) < 0:
            return refuted(Witness({str(k): str(p) for k, p in point.items()}, str(v), "0", str(v)),
                           method="random search (50 digits, confirmed at 100)")
    return inconclusive("sign not decided by SymPy's assumptions; no negative value found at 24 points")


def prove_nonnegative(expr: Any, *, timeout: float = 5.0) -> Verdict:
    """Decide expr ≥ 0 (for real symbols): proved, refuted with a point where it is negative, or why not."""
    expr = sp.sympify(expr, strict=True)
    out = bounded(_decide, expr, 0, seconds=timeout)
    if out.timed_out:
        return inconclusive(f"timed out after {timeout} s")
    if out.error:
        return inconclusive(f"failed: {out.error}")
    return out.value
