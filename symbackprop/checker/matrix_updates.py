r"""Update rules in matrix form, ``W(τ+1) = W(τ) − \frac{η}{N} Y^{T} Δ``: the claim they make.

A rule ``p(τ+1) = p(τ) − η G`` says that ``G`` is ``∂E/∂p`` (:mod:`.updates`).  Read as numbers,
a matrix rule's products commute (``Y^{T} Δ`` and ``Δ Y^{T}`` alike), so the scalar reading only
checks its form.  Read with its products in written order (:meth:`.ShapeFacts.ordered`), the rule
gives the matrix claim ``∂E/∂W = \frac{1}{N} Y^{T} Δ``, which is then read entry by entry like
any matrix step (:mod:`.entry_claims`): the learning rate is divided out of the scalar factor of
the written product, nothing else is moved.
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from ..latex.patterns import MatrixProduct
from .updates import RATES


def scaled(e: sp.Expr, c: sp.Expr) -> sp.Expr:
    """``c · e`` with the number ``c`` put into the scalar factor of a product written in order
    (``MatrixProduct(η/N, Yᵀ, Δ)`` times ``−1/η`` is ``MatrixProduct(−1/N, Yᵀ, Δ)``)."""
    if isinstance(e, MatrixProduct):
        first, *rest = e.args
        if first.is_commutative:
            number = sp.expand(c * first)
            return (MatrixProduct(number, *rest) if number != 1 else MatrixProduct(*rest)) if rest else number
        return MatrixProduct(c, *e.args)
    if isinstance(e, sp.Mul):
        numbers = [f for f in e.args if f.is_commutative]
        others = [f for f in e.args if not f.is_commutative]
        if len(others) == 1:
            return scaled(others[0], c * sp.Mul(*numbers))
    return sp.expand(c * e)


def gradient_claim(p: sp.Basic, value: sp.Basic, loss: sp.Symbol) -> Optional[tuple[sp.Expr, sp.Expr]]:
    """``(∂E/∂p, G)`` for the new value ``value = p − η G`` of the parameter ``p`` (products in
    written order), or None: not one step of a rate named like one, or ``G`` still holds ``p``
    or the rate (weight decay, a rate inside the gradient)."""
    if not isinstance(p, sp.Symbol) or not isinstance(value, sp.Expr):
        return None
    rest = value - p
    if not isinstance(rest, sp.Basic) or rest.has(p) or len(sp.Add.make_args(rest)) != 1:
        return None
    rates = [s for s in rest.free_symbols if isinstance(s, sp.Symbol) and s.name.lstrip("\\") in RATES]
    if len(rates) != 1:
        return None
    step = scaled(rest, -1 / rates[0])
    if step.has(rates[0]) or step.has(p):
        return None
    return sp.Derivative(loss, p), step
