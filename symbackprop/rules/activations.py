"""Activation functions as data: one named function per rule, the identity in its docstring.

An elementwise activation y = f(u) is described by ``function`` (f) and
``derivative`` (f′ written in the activation's own terms).  A vector activation
(softmax) is described by its Jacobian ∂y_a/∂u_b.  The engine only looks rules
up here; it never names a particular activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from ..errors import UnknownRuleError
from .functions import relu, sigmoid, softplus

Expr = sp.Expr


# ── identity ───────────────────────────────────────────────────────────────
def identity_function(u: Expr) -> Expr:
    """f(u) = u."""
    return u


def identity_derivative(u: Expr) -> Expr:
    """f′(u) = 1."""
    return sp.Integer(1)


# ── logistic sigmoid ───────────────────────────────────────────────────────
def sigmoid_function(u: Expr) -> Expr:
    """σ(u) = 1 / (1 + e^{−u})."""
    return sigmoid(u)


def sigmoid_derivative(u: Expr) -> Expr:
    """σ′(u) = σ(u)(1 − σ(u))."""
    return sigmoid(u) * (1 - sigmoid(u))


# ── hyperbolic tangent ─────────────────────────────────────────────────────
def tanh_function(u: Expr) -> Expr:
    """tanh(u) = (e^{u} − e^{−u}) / (e^{u} + e^{−u})."""
    return sp.tanh(u)


def tanh_derivative(u: Expr) -> Expr:
    """tanh′(u) = 1 − tanh²(u)."""
    return 1 - sp.tanh(u) ** 2


# ── rectified linear unit ──────────────────────────────────────────────────
def relu_function(u: Expr) -> Expr:
    """ReLU(u) = max(0, u)."""
    return relu(u)


def relu_derivative(u: Expr) -> Expr:
    """ReLU′(u) = H(u), the Heaviside step (for u ≠ 0)."""
    return sp.Heaviside(u)


# ── softplus ───────────────────────────────────────────────────────────────
def softplus_function(u: Expr) -> Expr:
    """softplus(u) = log(1 + e^{u})."""
    return softplus(u)


def softplus_derivative(u: Expr) -> Expr:
    """softplus′(u) = σ(u)."""
    return sigmoid(u)


# ── softmax (a vector activation) ──────────────────────────────────────────
def softmax_function(u: sp.IndexedBase, k: Expr, dummy: sp.Symbol, size: Expr) -> Expr:
    """y_k = e^{u_k} / Σ_{k'} e^{u_{k'}}."""
    return sp.exp(u[k]) / sp.Sum(sp.exp(u[dummy]), (dummy, 1, size))


def softmax_jacobian(y: sp.IndexedBase, a: Expr, b: Expr) -> Expr:
    """∂y_a/∂u_b = y_a(δ_{ab} − y_b)."""
    return y[a] * (sp.KroneckerDelta(a, b) - y[b])


@dataclass(frozen=True)
class Activation:
    """One activation rule: a name, its LaTeX, and either (f, f′) or a Jacobian."""

    name: str
    latex: str
    function: Optional[Callable[[Expr], Expr]] = None
    derivative: Optional[Callable[[Expr], Expr]] = None
    vector_function: Optional[Callable[..., Expr]] = None
    jacobian: Optional[Callable[[sp.IndexedBase, Expr, Expr], Expr]] = None
    #: LaTeX of f′ applied elementwise to a matrix argument (batch form), "{}" = argument.
    matrix_derivative: str = ""

    @property
    def elementwise(self) -> bool:
        """True when y_k depends on u_k alone (diagonal Jacobian)."""
        return self.jacobian is None

    @property
    def derivative_rule(self) -> Callable:
        """The rule whose docstring states the derivative identity."""
        return self.derivative if self.elementwise else self.jacobian


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", r"\mathrm{id}", identity_function, identity_derivative,
                   matrix_derivative=r"\mathbf{1}"),
        Activation("sigmoid", r"\sigma", sigmoid_function, sigmoid_derivative,
                   matrix_derivative=r"\sigma({0}) \odot (1 - \sigma({0}))"),
        Activation("tanh", r"\tanh", tanh_function, tanh_derivative,
                   matrix_derivative=r"(1 - \tanh^{{2}}({0}))"),
        Activation("relu", r"\operatorname{ReLU}", relu_function, relu_derivative,
                   matrix_derivative=r"H({0})"),
        Activation("softplus", r"\operatorname{softplus}", softplus_function, softplus_derivative,
                   matrix_derivative=r"\sigma({0})"),
        Activation("softmax", r"\operatorname{softmax}", vector_function=softmax_function,
                   jacobian=softmax_jacobian),
    )
}


def activation(name: str) -> Activation:
    """Look an activation up by name; an unknown name lists the allowed ones."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise UnknownRuleError(
            f"unknown activation {name!r}; allowed: {', '.join(sorted(ACTIVATIONS))}"
        ) from None
