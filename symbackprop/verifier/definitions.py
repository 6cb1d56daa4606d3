"""The verifier's own definitions, written once for any number domain.

A domain supplies ``+ − × ÷`` and integer powers on its values (exact rationals with
freed atoms, mpmath reals, SymEngine expressions, tape nodes) and ``apply(name, v)``
for the functions below.  The activations and losses here are written from their textbook
definitions, sharing nothing with :mod:`symbackprop.rules.activations` /
:mod:`symbackprop.rules.losses`; what a network function is to the verifier — σ(v) at the
reals, σ′(v) = σ(v)(1 − σ(v)), σ(−w) = 1 − σ(w) — is the ``verifier`` form of its row in
the notation table (:mod:`symbackprop.rules.function_rows`), written apart from the
registry's derivative rule, which is what ``verify`` checks.  exp and log are the domains'
elementary functions (:data:`ELEMENTARY`).

An elementwise activation named ``a`` is y_k = f(u_k) with f the notation row named ``a``
(sigmoid, tanh, relu, softplus, or a row added with its activation,
:func:`symbackprop.rules.registration.registered`).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Optional, Protocol, Sequence

import mpmath
import sympy as sp

from ..rules.forms import Degenerate, VerifierForm
from ..rules.notation_table import form_of, row_named, verifier_row


class Domain(Protocol):
    """What the definitions need from a number domain besides arithmetic."""

    def apply(self, name: str, v: Any) -> Any:
        """name(v) for a name :func:`function` knows."""


# ── the elementary functions: exp and log ──────────────────────────────────
def d_exp(dom: Domain, v: Any, fv: Any) -> Any:
    """exp′(v) = exp(v)."""
    return fv


def reflect_exp(fw: Any, w: Any) -> Any:
    """exp(−w) = 1/exp(w)."""
    return 1 / fw


def d_log(dom: Domain, v: Any, fv: Any) -> Any:
    """log′(v) = 1/v."""
    return 1 / v


def real_log(v: Any) -> Any:
    """log|v| (only derivatives are compared, and (log|v|)′ = 1/v); log 0 is no value."""
    if v == 0:
        raise Degenerate("log 0")
    return mpmath.log(abs(v))


ELEMENTARY: dict[str, VerifierForm] = {
    "exp": VerifierForm("exp", mpmath.exp, d_exp, reflect_exp, symengine="exp"),
    "log": VerifierForm("log", real_log, d_log, symengine="log"),
}
_SYMPY_ELEMENTARY = {sp.exp: "exp", sp.log: "log"}


def function(name: str) -> VerifierForm:
    """The verifier's definition of the function it calls ``name`` (``"sigma"``, ``"exp"``)."""
    if name in ELEMENTARY:
        return ELEMENTARY[name]
    row = verifier_row(name)
    if row is None:
        raise ValueError(f"unknown function {name!r}")
    return row.verifier


def function_name(expr: sp.Basic) -> Optional[str]:
    """The verifier's name of a SymPy application's function (sigmoid(u) → ``"sigma"``), or None."""
    if expr.func in _SYMPY_ELEMENTARY:
        return _SYMPY_ELEMENTARY[expr.func]
    row = form_of(expr)
    return row.verifier.name if row is not None else None


# ── activations: u (a layer's pre-activations) ↦ y ─────────────────────────
def act_identity(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = u_a."""
    return list(u)


def act_elementwise(name: str, dom: Domain, u: Sequence[Any]) -> list:
    """y_a = f(u_a), f the verifier's function ``name``."""
    return [dom.apply(name, v) for v in u]


def act_softmax(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = exp(u_a) / Σ_b exp(u_b)."""
    e = [dom.apply("exp", v) for v in u]
    total = _sum(e)
    return [v / total for v in e]


#: the activations that apply no network function of their own
OWN_ACTIVATIONS: dict[str, Callable[[Domain, Sequence[Any]], list]] = {
    "identity": act_identity, "softmax": act_softmax,
}


def activation(name: str) -> Optional[Callable[[Domain, Sequence[Any]], list]]:
    """The verifier's definition of the activation ``name`` (u ↦ y), or None: one of
    :data:`OWN_ACTIVATIONS`, else y_a = f(u_a) with f the notation row named ``name``."""
    if name in OWN_ACTIVATIONS:
        return OWN_ACTIVATIONS[name]
    row = row_named(name)
    return partial(act_elementwise, row.verifier.name) if row is not None else None


# ── losses: (y, t) ↦ E ─────────────────────────────────────────────────────
def loss_sse(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = ½ Σ_k (y_k − t_k)²."""
    return _sum([(a - b) ** 2 for a, b in zip(y, t)]) / 2


def loss_mse(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = (1/n) Σ_k (y_k − t_k)²."""
    return _sum([(a - b) ** 2 for a, b in zip(y, t)]) / len(y)


def loss_cross_entropy(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = −Σ_k t_k log y_k."""
    return -_sum([b * dom.apply("log", a) for a, b in zip(y, t)])


def loss_binary_cross_entropy(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = −Σ_k (t_k log y_k + (1 − t_k) log(1 − y_k))."""
    return -_sum([b * dom.apply("log", a) + (1 - b) * dom.apply("log", 1 - a) for a, b in zip(y, t)])


LOSSES: dict[str, Callable[[Domain, Sequence[Any], Sequence[Any]], Any]] = {
    "sse": loss_sse, "mse": loss_mse, "cross_entropy": loss_cross_entropy,
    "binary_cross_entropy": loss_binary_cross_entropy,
}


def _sum(values: Sequence[Any]) -> Any:
    """Σ values, starting from the first (no integer 0 mixed into a domain value)."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def unsupported(activations: Sequence[str], loss: str) -> str | None:
    """Why the verifier cannot write E (a definition missing from its own tables), or None."""
    missing = [f"activation {a!r}" for a in activations if activation(a) is None]
    if loss not in LOSSES:
        missing.append(f"loss {loss!r}")
    return f"the verifier has no definition of {', '.join(missing)}" if missing else None
