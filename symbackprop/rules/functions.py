"""The scalar functions of neural networks as opaque SymPy functions.

Each class knows its own derivative (``fdiff``), so differentiation keeps the
textbook form σ′(u) = σ(u)(1 − σ(u)) instead of expanding σ into exponentials.
``rewrite(exp)`` gives the elementary definition.  Every other form of these functions
(printed, read, computed, verified) is their row of the notation table
(:mod:`symbackprop.rules.function_rows`).
"""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):
    """σ(u) = 1 / (1 + e^{−u});  σ′(u) = σ(u)(1 − σ(u))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + sp.exp(-u))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)


class relu(sp.Function):
    """ReLU(u) = max(0, u);  ReLU′(u) = H(u) (Heaviside step, u ≠ 0)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0])

    @classmethod
    def eval(cls, u):
        if u.is_number and u.is_real:
            return sp.Max(0, u)
        return None

    def _eval_rewrite_as_Max(self, u, **kwargs):
        return sp.Max(0, u)

    def _eval_is_real(self):
        return self.args[0].is_real


class softplus(sp.Function):
    """softplus(u) = log(1 + e^{u});  softplus′(u) = σ(u)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, u, **kwargs):
        return sp.log(1 + sp.exp(u))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)
