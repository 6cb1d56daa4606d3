"""Loss functions as data: one named function per rule, the definition in its docstring.

A loss is written as an explicit sum over the output index; its gradient
∂E/∂y_k is *derived* by the engine (differentiation + index collapse), not
stored here.  Assumptions a loss needs (Σ_k t_k = 1) are data too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from ..errors import UnknownRuleError

Expr = sp.Expr


def sum_of_squares(y: sp.IndexedBase, t: sp.IndexedBase, k: sp.Symbol, n: Expr) -> Expr:
    """E = ½ Σ_k (y_k − t_k)²."""
    return sp.Rational(1, 2) * sp.Sum((y[k] - t[k]) ** 2, (k, 1, n))


def mean_squared_error(y: sp.IndexedBase, t: sp.IndexedBase, k: sp.Symbol, n: Expr) -> Expr:
    """E = (1/n) Σ_k (y_k − t_k)²."""
    return sp.Sum((y[k] - t[k]) ** 2, (k, 1, n)) / n


def cross_entropy(y: sp.IndexedBase, t: sp.IndexedBase, k: sp.Symbol, n: Expr) -> Expr:
    """E = −Σ_k t_k log y_k."""
    return -sp.Sum(t[k] * sp.log(y[k]), (k, 1, n))


def binary_cross_entropy(y: sp.IndexedBase, t: sp.IndexedBase, k: sp.Symbol, n: Expr) -> Expr:
    """E = −Σ_k (t_k log y_k + (1 − t_k) log(1 − y_k))."""
    return -sp.Sum(t[k] * sp.log(y[k]) + (1 - t[k]) * sp.log(1 - y[k]), (k, 1, n))


# ── assumptions a loss may state ───────────────────────────────────────────
def targets_sum_to_one(t: sp.IndexedBase, k: sp.Symbol, n: Expr) -> tuple[Expr, Expr]:
    """Σ_k t_k = 1 (the targets are a probability distribution, e.g. one-hot)."""
    return sp.Sum(t[k], (k, 1, n)), sp.Integer(1)


@dataclass(frozen=True)
class Loss:
    """One loss rule: a name, a LaTeX title, E as a function, and its assumptions."""

    name: str
    title: str
    function: Callable[[sp.IndexedBase, sp.IndexedBase, sp.Symbol, Expr], Expr]
    assumptions: tuple[Callable[[sp.IndexedBase, sp.Symbol, Expr], tuple[Expr, Expr]], ...] = field(
        default=()
    )


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("sse", "sum of squared errors", sum_of_squares),
        Loss("mse", "mean squared error", mean_squared_error),
        Loss("cross_entropy", "cross-entropy", cross_entropy, (targets_sum_to_one,)),
        Loss("binary_cross_entropy", "binary cross-entropy", binary_cross_entropy),
    )
}


def loss(name: str) -> Loss:
    """Look a loss up by name; an unknown name lists the allowed ones."""
    try:
        return LOSSES[name]
    except KeyError:
        raise UnknownRuleError(
            f"unknown loss {name!r}; allowed: {', '.join(sorted(LOSSES))}"
        ) from None
