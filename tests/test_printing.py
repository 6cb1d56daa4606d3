"""Printing in the document's notation."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.model import Layer, Network, Notation
from symbackprop.printing import latex, text


def classification(**notation) -> Network:
    return Network((Layer("l", "i"), Layer("m", "j", "sigmoid"), Layer("n", "k", "softmax")),
                   "cross_entropy", notation=Notation(**notation))


def closed_forms(n: Network) -> dict[tuple[int, str], str]:
    d = derive(n)
    return {(ld.layer, r.name): latex(r.rhs, n) for ld in d.layers for r in ld.results}


def test_textbook_forms_in_latex():
    forms = closed_forms(classification())
    assert forms[(2, "delta")] == "y_{k} - t_{k}"
    assert forms[(2, "weight")] == r"y_{j} \delta_{k}"
    assert forms[(2, "bias")] == r"\delta_{k}"
    assert forms[(2, "input")] == r"\sum_{k=1}^{n} \delta_{k} w_{jk}"
    assert forms[(1, "delta")] == (r"\sigma\left(u_{j}\right) \left(1 - \sigma\left(u_{j}\right)\right) "
                                   r"\sum_{k=1}^{n} \delta_{k} w_{jk}")
    assert forms[(1, "weight")] == r"x_{i} \delta_{j}"


def test_to_from_order_swaps_weight_indices():
    forms = closed_forms(classification(weight_order="to_from"))
    assert forms[(2, "input")] == r"\sum_{k=1}^{n} \delta_{k} w_{kj}"


@pytest.mark.parametrize("key,value,expected", [
    ("weight", "W", r"W_{jk}"),
    ("delta", r"\xi", r"\xi_{k}"),
])
def test_letters_follow_notation(key, value, expected):
    forms = closed_forms(classification(**{key: value}))
    assert expected in forms[(2, "input")]


def test_lhs_uses_notation_letters():
    n = classification(activation="a", preactivation="z", loss="L")
    d = derive(n)
    assert latex(d.layer(2).weight.lhs, n) == r"\frac{\partial L}{\partial w_{jk}}"
    assert latex(d.layer(1).delta.steps[0].expr, n) == r"\frac{\partial L}{\partial z_{j}}"


def test_kronecker_never_prints_as_delta():
    n = classification()
    o = n.symbols[2]
    expr = o.y[o.dummy] * (sp.KroneckerDelta(o.dummy, o.index) - o.y[o.index])
    out = latex(expr, n)
    assert r"\delta" not in out and "[" in out
    assert "δ" not in text(expr, n)


def test_superscript_only_where_indices_do_not_tell_the_layer():
    n = classification()
    o, h = n.symbols[2], n.symbols[1]
    assert latex(o.y[o.index], n) == "y_{k}"
    assert latex(o.y[1], n) == "y^{(2)}_{1}"
    assert latex(h.w[1, 2], n) == "w^{(1)}_{1,2}"
    assert text(o.y[2], n) == "y⁽²⁾_2"
    assert text(o.y[2], n, ascii=True) == "y^(2)_2"


def test_text_printer_uses_notation():
    n = classification()
    d = derive(n)
    assert text(d.layer(2).delta.rhs, n) == "y_k − t_k"
    assert text(d.layer(2).weight.lhs, n) == "∂E/∂w_jk"


def test_repr_latex_for_jupyter():
    out = derive(classification())._repr_latex_()
    assert out.startswith("$") and r"\delta_{k} &= y_{k} - t_{k}" in out


@pytest.mark.parametrize("expr,expected", [
    (1 / (1 - sp.Symbol("y")), r"\frac{1}{1 - y}"),
    (sp.Symbol("y") - 1 / (1 - sp.Symbol("y")), r"y - \frac{1}{1 - y}"),
    (1 / (1 - sp.Symbol("y")) ** 2, r"\frac{1}{\left(1 - y\right)^{2}}"),
])
def test_reciprocals_print_as_fractions(expr, expected):
    assert latex(expr) == expected
