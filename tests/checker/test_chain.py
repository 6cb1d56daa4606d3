"""The chain rule through the layer a parameter feeds (checker/chain.py): ∂E/∂w_{jk} of an
output layer written only as u_k = Σ_j w_{jk} y_j + b_k, decided with u_k kept."""

import re

import pytest
import sympy as sp

from symbackprop.checker import chain, check_text

OUTPUT_LAYER = ("$$u_k = \\sum_{j=1}^{m} w_{jk} y_j + b_k$$\n\n"
                "$$y_k = \\sigma(u_k)$$\n\n"
                "$$E = \\frac{1}{2} \\sum_{k=1}^{n} (y_k - t_k)^2$$\n\n")
SIGMA_PRIME = "\\sigma(u_k)(1 - \\sigma(u_k))"


def _last(text: str, timeout: float = 5.0):
    return check_text(text, timeout=timeout).claims[-1]


@pytest.mark.parametrize("claim", [
    f"\\frac{{\\partial E}}{{\\partial w_{{jk}}}} = (y_k - t_k) {SIGMA_PRIME} y_j",
    f"\\frac{{\\partial E}}{{\\partial b_k}} = (y_k - t_k) {SIGMA_PRIME}",
])
def test_the_gradients_of_an_output_layer_are_proved_through_u(claim):
    c = _last(OUTPUT_LAYER + f"$${claim}$$\n")
    assert c.status == "proved" and re.search(r"u_\{k\}[^;]* kept as variables", c.method), c.reason


@pytest.mark.parametrize("wrong", [
    f"(y_k - t_k) {SIGMA_PRIME} y_k",             # the output for the input
    f"(t_k - y_k) {SIGMA_PRIME} y_j",             # sign
    "(y_k - t_k) y_j",                            # σ′ dropped
    "(y_k - t_k) \\sigma(u_k)(1 + \\sigma(u_k)) y_j",  # σ′ wrong
    f"(y_k - t_k) {SIGMA_PRIME} w_{{jk}}",        # the weight for the input
])
def test_a_wrong_weight_gradient_is_refuted_with_a_witness(wrong):
    c = _last(OUTPUT_LAYER + f"$$\\frac{{\\partial E}}{{\\partial w_{{jk}}}} = {wrong}$$\n")
    assert c.status == "refuted" and c.witness is not None, c.reason


def test_without_the_rule_the_whole_network_is_expanded_and_runs_out(monkeypatch):
    monkeypatch.setattr(chain, "_through_layer", lambda *args: None)
    c = _last(OUTPUT_LAYER + f"$$\\frac{{\\partial E}}{{\\partial w_{{jk}}}} = (y_k - t_k) {SIGMA_PRIME} y_j$$\n",
              timeout=1.0)
    assert c.status == "inconclusive"


def test_a_loss_that_holds_the_weight_itself_is_not_taken_through_u():
    """Weight decay: E holds w outside u_k, so ∂E/∂w is not Σ ∂E/∂u ∂u/∂w alone."""
    decay = OUTPUT_LAYER.replace("(y_k - t_k)^2$$", "(y_k - t_k)^2 + \\frac{\\lambda}{2} \\sum_{j=1}^{m} "
                                 "\\sum_{k=1}^{n} w_{jk}^2$$")
    c = _last(decay + f"$$\\frac{{\\partial E}}{{\\partial w_{{jk}}}} = (y_k - t_k) {SIGMA_PRIME} y_j$$\n")
    assert c.status != "proved"


#: The network of reports/classification: sigmoid hidden layer, softmax output, cross-entropy.
TWO_LAYERS = ("$$u_j = \\sum_{i=1}^{l} x_i w_{ij} + b_j$$\n\n"
              "$$y_j = \\sigma(u_j)$$\n\n"
              "$$u_k = \\sum_{j=1}^{m} y_j w_{jk} + b_k$$\n\n"
              "$$y_k = \\frac{e^{u_k}}{\\sum_{k'=1}^{n} e^{u_{k'}}}$$\n\n"
              "$$E = - \\sum_{k=1}^{n} t_k \\log(y_k)$$\n\n"
              "$$\\sum_{k=1}^{n} t_k = 1$$\n\n"
              "$$\\delta_k = \\frac{\\partial E}{\\partial u_k}$$\n\n")
HIDDEN_SIGMA_PRIME = "\\sigma(u_j)(1 - \\sigma(u_j))"


@pytest.mark.parametrize("claim", [
    f"\\frac{{\\partial E}}{{\\partial u_j}} = {HIDDEN_SIGMA_PRIME} \\sum_{{k=1}}^{{n}} \\delta_k w_{{jk}}",
    f"\\frac{{\\partial E}}{{\\partial w_{{ij}}}} = x_i {HIDDEN_SIGMA_PRIME} \\sum_{{k=1}}^{{n}} \\delta_k w_{{jk}}",
    f"\\frac{{\\partial E}}{{\\partial b_j}} = {HIDDEN_SIGMA_PRIME} \\sum_{{k=1}}^{{n}} \\delta_k w_{{jk}}",
    "\\frac{\\partial E}{\\partial y_j} = \\sum_{k=1}^{n} \\delta_k w_{jk}",
])
def test_the_hidden_layer_is_proved_through_the_next_layer(claim):
    """∂E/∂u_j = Σ_k ∂E/∂u_k ∂u_k/∂u_j with u_k kept: E stays −Σ t log softmax(u)."""
    c = _last(TWO_LAYERS + f"$${claim}$$\n")
    assert c.status == "proved" and "u_{k}" in c.method, c.reason


@pytest.mark.parametrize("wrong", [
    f"{HIDDEN_SIGMA_PRIME} \\sum_{{k=1}}^{{n}} \\delta_k w_{{kj}}",      # indices swapped
    "\\sigma(u_j)(1 + \\sigma(u_j)) \\sum_{k=1}^{n} \\delta_k w_{jk}",    # σ′ wrong
    "\\sum_{k=1}^{n} \\delta_k w_{jk}",                                    # σ′ dropped
    f"{HIDDEN_SIGMA_PRIME} \\sum_{{k=1}}^{{n}} (t_k - y_k) w_{{jk}}",     # sign
])
def test_a_wrong_hidden_error_signal_is_refuted(wrong):
    c = _last(TWO_LAYERS + f"$$\\frac{{\\partial E}}{{\\partial u_j}} = {wrong}$$\n")
    assert c.status == "refuted" and c.witness is not None, c.reason


def test_a_loose_definition_keeps_its_doubt_through_the_chain_rule():
    """δ_j := y_j(1 − y_j) w_jk δ_k (k free on the right: an erratum, kept as what the document
    means) — claims that use it are not decided, on the chain-rule route too (md-softmax-en
    mutant-05 had two false alarms when the route put the definitions in without their doubts)."""
    doc = (TWO_LAYERS + "$$\\delta_j = y_j (1 - y_j) w_{jk} \\delta_k$$\n\n"
           "$$\\frac{\\partial E}{\\partial b_j} = \\delta_j$$\n")
    c = _last(doc)
    assert c.status == "inconclusive" and c.category == "loose", c.reason


@pytest.mark.parametrize("base,wrong", [
    (TWO_LAYERS, "\\frac{\\partial E}{\\partial u_j} = y_j - t_j"),                      # the output's δ
    (TWO_LAYERS, "\\frac{\\partial E}{\\partial y_j} = \\delta_j"),                       # σ′ where none is
    (TWO_LAYERS, "\\frac{\\partial E}{\\partial x_i} = \\sum_{j=1}^{m} \\delta_j w_{ji}"),  # the other weight
    (TWO_LAYERS, "\\frac{\\partial E}{\\partial b_j} = \\sum_{k=1}^{n} \\delta_k"),       # no weight, no σ′
    (OUTPUT_LAYER, "\\frac{\\partial E}{\\partial y_j} = \\sum_{k=1}^{n} (y_k - t_k) w_{jk}"),  # σ′ dropped
    (OUTPUT_LAYER, "\\frac{\\partial E}{\\partial b_k} = y_k - t_k"),                    # σ′ dropped
], ids=range(6))
def test_no_wrong_gradient_is_proved_through_the_next_layer(base, wrong):
    """The chain-rule route proves in the kept quantities; a wrong gradient of either layer must
    never come out proved (today each of these is refuted with a witness)."""
    assert _last(base + f"$${wrong}$$\n").status != "proved"


# ── labelled layers: a general layer l, the loss written at the output layer L ──

LABELLED = ("$$u^{(l)}_j = \\sum_i y^{(l-1)}_i w^{(l)}_{ij} + b^{(l)}_j$$\n\n"
            "$$y^{(l)}_j = f(u^{(l)}_j)$$\n\n"
            "$$E = \\frac{1}{2} \\sum_k (y^{(L)}_k - t_k)^2$$\n\n"
            "The error is $\\delta^{(l)}_j = \\frac{\\partial E}{\\partial u^{(l)}_j}$.\n\n")
RECURSION = "$$\\delta^{(l)}_j = f'(u^{(l)}_j) \\sum_k \\delta^{(l+1)}_k w^{(l+1)}_{jk}$$\n"


def test_the_recursion_of_a_general_layer_is_proved_through_the_layer_above():
    # E is written at L; at a general l it depends on u^{(l)} through u^{(l+1)} only (the step names l + 1)
    c = _last(LABELLED + RECURSION)
    assert c.status == "proved" and "u^{(l)}" in c.method, c.reason


def test_the_gradients_of_a_general_layer_are_proved_through_its_own_preactivation():
    for claim in ("\\frac{\\partial E}{\\partial w^{(l)}_{ij}} = \\delta^{(l)}_j y^{(l-1)}_i",
                  "\\frac{\\partial E}{\\partial b^{(l)}_j} = \\delta^{(l)}_j"):
        c = _last(LABELLED + f"$${claim}$$\n")
        assert c.status == "proved", (claim, c.reason)


def test_a_skip_connection_keeps_the_chain_rule_from_the_layer_above():
    # a residual layer, y^{(l)} = f(u^{(l)}) + y^{(l-2)}: y^{(l)} feeds y^{(l+2)} too, so E does not
    # depend on u^{(l)} through u^{(l+1)} alone (the recursion misses a term)
    skip = LABELLED.replace("y^{(l)}_j = f(u^{(l)}_j)$$", "y^{(l)}_j = f(u^{(l)}_j) + y^{(l-2)}_j$$")
    c = _last(skip + RECURSION)
    assert c.status != "proved", c.method


def test_a_sum_over_a_layer_runs_to_its_width_though_a_loss_inside_reuses_its_letter():
    from symbackprop.checker.scan import _layer_widths
    k, i = sp.Symbol("k", integer=True), sp.Symbol("i", integer=True)
    y, t, u = sp.IndexedBase("y^{(L)}"), sp.IndexedBase("t"), sp.IndexedBase("u^{(l+1)}")
    loss = sp.Sum((y[k] - t[k]) ** 2, (k, 1, sp.Symbol("n_{k}", integer=True, positive=True)))
    outer = sp.Sum(sp.Derivative(loss, u[k]), (k, 1, sp.Symbol("n_{k}", integer=True, positive=True)))
    assert str(_layer_widths(outer).limits[0][2]).replace(" ", "") == "n^{(l+1)}"


def test_an_output_quantity_is_no_constant_of_a_derivative_by_a_general_layer():
    # y^{(L)} may be computed from u^{(l)} (L − l is no number): ∂(y^{(L)}_k u^{(l)}_j)/∂u^{(l)}_j is not
    # y^{(L)}_k (it was proved so, y^{(L)} taken for a constant)
    c = _last(LABELLED + "$$\\frac{\\partial}{\\partial u^{(l)}_j} \\left( y^{(L)}_k u^{(l)}_j \\right) = y^{(L)}_k$$\n")
    assert c.status != "proved", c.method


DELTA = r"""
$$z^{l}_{j} = \sum_{k} w^{l}_{jk} a^{l-1}_{k} + b^{l}_{j}$$

$$a^{l}_{j} = \sigma(z^{l}_{j})$$

$$\delta^{l}_{j} := \frac{\partial C}{\partial z^{l}_{j}}$$

$$\delta^{l}_{j} = \sum_k w^{l+1}_{INDEX} \delta^{l+1}_k \sigma'(z^{l}_{j})$$
"""


def test_a_value_of_delta_with_an_activation_derivative_is_a_claim_not_a_redefinition():
    """δ := ∂C/∂z, then δ written with σ'(z) but no ∂C: a value of δ, checked (the weight's
    indices swapped is refuted); only a formula holding ∂C/∂… again may define δ anew."""
    from symbackprop.checker.derivatives import loss_derivatives
    wrong = check_text(DELTA.replace("INDEX", "jk"), timeout=8.0).claims[-1]
    assert wrong.status == "refuted" and "by line" in wrong.reason
    assert check_text(DELTA.replace("INDEX", "kj"), timeout=8.0).claims[-1].status == "proved"
    z, C = sp.Symbol("z"), sp.Symbol("C")
    assert loss_derivatives(sp.Derivative(C, z) * sp.Derivative(sp.Function("f")(z), z)) == {C}
