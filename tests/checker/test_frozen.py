"""Defined quantities kept as variables (checker/frozen.py): a refutation in them stands only
when every value they take is reached through a parameter of their own (the bias)."""

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.frozen import own_parameter
from symbackprop.checker.table import Definition

k, j = sp.symbols("k j", integer=True)
u, w, y, b, c = (sp.IndexedBase(n) for n in "uwybc")
n = sp.Symbol("n_j", integer=True, positive=True)
LAYER = sp.Sum(w[j, k] * y[j], (j, 1, n))


def definition(rhs, lhs=u[k]):
    return Definition(lhs, rhs, 3, "indexed")


@pytest.mark.parametrize("rhs, parameter", [
    (LAYER + b[k], b[k]),
    (LAYER - 2 * b[k], b[k]),
    (LAYER, None),                      # no bias: u_k may not reach every value
    (LAYER + b[j], None),               # not one entry per u_k
    (LAYER + sp.Symbol("b"), None),     # one bias shared by every u_k
    (LAYER + w[k, k], None),            # w also in the rest
    (LAYER + c[k] * b[k], None),        # a coefficient that is a quantity, not a constant
    (LAYER + u[k], None),               # the quantity itself
])
def test_own_parameter(rhs, parameter):
    assert own_parameter(definition(rhs)) == parameter


SOFTMAX = r"""
$$u_k = \sum_j w_{jk} x_j{BIAS}$$

$$y_k = \frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}$$

$$E = -\sum_k t_k \log y_k$$

The targets are one-hot: $\sum_k t_k = 1$.

Define $\delta_k = \frac{\partial E}{\partial u_k}$. Then

$$\delta_k = {CLAIM}$$
"""


def _claim(bias: str, claim: str):
    text = SOFTMAX.replace("{BIAS}", bias).replace("{CLAIM}", claim)
    result = check_text(text, timeout=5.0)
    return [c for c in result.claims if c.source.strip().startswith(r"\delta_k =") and "partial" not in c.source][-1]


def test_a_wrong_error_signal_is_refuted_with_the_bias_reaching_every_value():
    c = _claim(" + b_k", "t_k - y_k")
    assert c.status == "refuted"
    assert "every value of u_{k} is reached through b_{k}" in c.method
    assert c.witness and any(name.startswith("u") for name in c.witness["values"])


def test_the_right_error_signal_is_proved():
    assert _claim(" + b_k", "y_k - t_k").status == "proved"


def test_without_a_bias_the_kept_form_does_not_refute():
    c = _claim("", "t_k - y_k")
    assert "reached through" not in c.method
    assert c.status != "refuted" or not any(name.startswith("u") for name in c.witness["values"])


def test_a_bias_in_the_claim_itself_is_no_free_parameter():
    c = _claim(" + b_k", "t_k - y_k + b_k")
    assert "reached through" not in c.method


def test_the_method_reads_in_japanese():
    from symbackprop.render.translate import Translator

    c = _claim(" + b_k", "t_k - y_k")
    tr = Translator("ja")
    out = tr.rich(c.method)
    assert not tr.leftovers and "どの値にもなる" in out


# Letter-layered documents: the hidden u_j is kept, the output u_k (computed from it) is not.
TWO_LAYERS = r"""
$$u_j = \sum_i w_{ij} x_i + b_j$$

$$y_j = \sigma(u_j)$$

$$u_k = \sum_j w_{jk} y_j + b_k$$

$$y_k = \frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}$$

$$E = -\sum_k t_k \log y_k$$

Define $\delta_k = \frac{\partial E}{\partial u_k}$ and $\delta_j = \frac{\partial E}{\partial u_j}$.

$$CLAIM$$
"""


def _layered(claim: str):
    result = check_text(TWO_LAYERS.replace("CLAIM", claim), timeout=10.0)
    return [c for c in result.claims if c.source.strip() == claim]


@pytest.mark.slow
def test_a_derivative_of_a_kept_quantity_by_a_weight_goes_through_its_definition():
    (c,) = _layered(r"\frac{\partial E}{\partial u_k} \frac{\partial u_k}{\partial w_{jk}} = \delta_k y_j")
    assert c.status == "proved"
    assert "kept as variables" in c.method


@pytest.mark.slow
def test_the_hidden_layer_is_kept_apart_from_the_output_layer():
    from symbackprop.checker.frozen import depends, freezable
    from symbackprop.checker.walk import Checker
    checkers = []
    original = Checker._claim

    def spy(self, *args, **kwargs):
        checkers.append(self)
        return original(self, *args, **kwargs)

    Checker._claim = spy
    try:
        _layered(r"x_i = x_i")   # any cheap claim: the table is what is looked at
    finally:
        Checker._claim = original
    table = checkers[-1].table
    assert table.layered
    j, k = sp.symbols("j k", integer=True)
    U, W, D = sp.IndexedBase("u"), sp.IndexedBase("w"), sp.IndexedBase("delta")
    assert depends(table, U[k], U[j]) and depends(table, U[k], W[j, k])
    assert not depends(table, U[j], W[j, k])
    assert freezable(table, D[j], sp.Integer(0)) == frozenset({("u", ("j",))})


@pytest.mark.slow
@pytest.mark.parametrize("claim", [
    r"\frac{\partial E}{\partial u_k} \frac{\partial u_k}{\partial w_{jk}} = \delta_j y_k",   # indices swapped
    r"\frac{\partial E}{\partial u_k} \frac{\partial u_k}{\partial w_{jk}} = \delta_k y_k",   # the output, not the input
    r"\delta_j = y_j (1 + y_j) \sum_k w_{jk} \delta_k",                                       # σ' with a sign slip
    r"\delta_j = y_j (1 - y_j) w_{jk} \delta_k",                                              # the sum dropped
    r"\frac{\partial E}{\partial u_j} \frac{\partial u_j}{\partial w_{ij}} = \delta_j y_j",   # y_j for x_i
])
def test_no_wrong_step_of_a_letter_layered_network_is_proved(claim):
    """Kept by name and letters (the hidden u_j kept, the output u_k computed from it): a wrong
    step never comes out proved."""
    (c,) = _layered(claim)
    assert c.status != "proved", c.method


# ── the quantities no derivative of a step acts on, kept as variables (identity_in_quantities) ──

DEEP = ("$$u_j = \\sum_i x_i w_{ij} + b_j$$\n\n$$y_j = \\tanh(u_j)$$\n\n"
        "$$u_k = \\sum_j y_j w_{jk}$$\n\n$$y_k = \\max(0, u_k)$$\n\n"
        "$$u_p = \\sum_k y_k w_{kp} + b_p$$\n\n$$y_p = \\tanh(u_p)$$\n\n")


def test_a_step_that_differentiates_nothing_is_proved_as_an_identity_in_its_quantities():
    c = check_text(DEEP + "$$\\sum_{p'=1}^{n} y_{p'} [p = p'] = y_p$$\n", timeout=5.0).claims[-1]
    assert c.status == "proved" and "y" in c.method and "kept as variables" in c.method, c.reason


def test_a_quantity_below_the_differentiated_layer_is_kept_and_one_above_is_not():
    from symbackprop.checker.frozen import identity_in_quantities
    from symbackprop.checker.read import read
    from symbackprop.checker.walk import Checker
    from symbackprop.checker import _options, FUNCTION_LETTERS
    from symbackprop.latex.extract import extract

    checker = Checker(read(extract(DEEP, "markdown"), 5.0, None, None), _options(5.0), FUNCTION_LETTERS)
    list(checker.run())  # the definitions in force
    p, q = sp.Symbol("p", integer=True), sp.Symbol("k", integer=True)
    step = (sp.Derivative(sp.IndexedBase("u")[p], sp.IndexedBase("w")[q, p]),
            sp.Sum(sp.IndexedBase("y")[q] * sp.IndexedBase("w")[q, p], (q, 1, 3)))
    kept = identity_in_quantities(checker.table, *step)
    assert "u" not in kept  # u_p is computed from w_{kp}: the derivative acts on it
    # a wrong value stays refutable: no proof comes from keeping what a derivative acts on
    c = check_text(DEEP + "$$\\frac{\\partial u_p}{\\partial w_{kp}} = 2 y_k$$\n", timeout=5.0).claims[-1]
    assert c.status != "proved", c.method
