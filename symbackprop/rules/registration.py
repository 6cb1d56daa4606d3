"""Adding an activation: one registry entry and the notation rows of its functions.

An elementwise activation y = f(u) is an :class:`~symbackprop.rules.activations.Activation`
(f and f′ as named rules, what ``derive`` reads) and a notation row for f
(:class:`~symbackprop.rules.forms.FunctionForms`: how f is printed, read, computed and
independently defined for the verifier), named alike: the verifier writes the activation
named ``a`` as y_k = f(u_k) with f the row named ``a``.  :func:`registered` adds both for a
``with`` block and restores the registries afterwards — nothing is registered on import.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .activations import ACTIVATIONS, Activation
from .forms import FunctionForms
from .notation_table import added, form


@contextmanager
def registered(activation: Activation, *forms: FunctionForms) -> Iterator[Activation]:
    """``activation`` in the registry and ``forms`` in the notation table inside the block."""
    if activation.name in ACTIVATIONS:
        raise ValueError(f"the activation {activation.name!r} is registered already")
    with added(*forms):
        if activation.elementwise:
            form(activation.name)  # an elementwise activation needs the row of its function
        ACTIVATIONS[activation.name] = activation
        try:
            yield activation
        finally:
            del ACTIVATIONS[activation.name]
