r"""What a document leaves generic (checker/generic.py): the activation its forward pass applies
(``y_j = f(u_j)``) is generic like ``φ_l``: a step that fails for one choice of it is refuted;
a function the forward pass does not apply stays the author's (unspecified)."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.generic import forward_activations
from symbackprop.checker.table import SymbolTable

FORWARD = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$y^{l}_{j} = f(u^{l}_{j})$$

$$CLAIM$$
"""


def _last(claim: str):
    return check_text(FORWARD.replace("CLAIM", claim), timeout=5.0).claims[-1]


def test_a_wrong_index_through_the_forward_activation_is_refuted():
    c = _last(r"\frac{\partial u^{l}_{j}}{\partial w^{l}_{ij}} = y^{l-1}_{j}")
    assert c.status == "refuted"
    assert c.witness and "f" in c.witness["values"]


def test_the_right_derivative_is_proved():
    assert _last(r"\frac{\partial u^{l}_{j}}{\partial w^{l}_{ij}} = y^{l-1}_{i}").status == "proved"


def test_a_function_the_forward_pass_does_not_apply_stays_unspecified():
    c = _last(r"g(u^{l}_{j}) = 2 u^{l}_{j}")
    assert c.status == "inconclusive"
    assert "g is not specified" in c.reason


def test_forward_activations_are_functions_of_one_indexed_quantity():
    u, y, w = (sp.IndexedBase(n) for n in "uyw")
    j = sp.Symbol("j", integer=True)
    table = SymbolTable()
    table.define(y[j], sp.Function("f")(u[j]), 3)
    table.define(u[j], sp.Function("g")(w[j] + 1), 4)   # not of one quantity: not an activation
    assert forward_activations(table) == frozenset({"f"})
