"""The scalar functions of neural networks as opaque SymPy functions.

Each class knows its own derivative (``fdiff``), so differentiation keeps the
textbook form σ′(u) = σ(u)(1 − σ(u)) instead of expanding σ into exponentials.
``rewrite(exp)`` / ``explicit`` give the elementary definition for evaluation.
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


#: Functions that printers and parsers must know by name.
NETWORK_FUNCTIONS: dict[str, type[sp.Function]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "softplus": softplus,
}


def explicit(expr: sp.Expr) -> sp.Expr:
    """Replace σ, ReLU, softplus by their elementary definitions."""
    return expr.replace(sigmoid, lambda u: 1 / (1 + sp.exp(-u))).replace(
        relu, lambda u: sp.Max(0, u)
    ).replace(softplus, lambda u: sp.log(1 + sp.exp(u)))


def _np_sigmoid(u):
    """σ(u) = 1 / (1 + e^{−u}), as e^{−log(1 + e^{−u})} (no overflow)."""
    import numpy as np

    return np.exp(-np.logaddexp(0.0, -u))


def _np_relu(u):
    """ReLU(u) = max(0, u)."""
    import numpy as np

    return np.maximum(u, 0.0)


def _np_softplus(u):
    """softplus(u) = log(1 + e^{u}) (no overflow)."""
    import numpy as np

    return np.logaddexp(0.0, u)


def _np_heaviside(u, h0=None):
    """H(u) = 1 for u > 0, 0 for u ≤ 0: H(0) = 0 always, ReLU′(0) taken as 0 as frameworks do
    (SymPy's second argument is ignored)."""
    import numpy as np

    return np.heaviside(u, 0.0)


#: NumPy implementations for ``lambdify(..., modules=[NUMPY_FUNCTIONS, "numpy"])``.
NUMPY_FUNCTIONS: dict[str, object] = {
    "sigmoid": _np_sigmoid,
    "relu": _np_relu,
    "softplus": _np_softplus,
    "Heaviside": _np_heaviside,
}
