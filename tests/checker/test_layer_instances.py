"""A claim for a general layer checked at each layer the document has (checker/layer_instances.py),
and what it rests on: quantities at a layer number reached through a layer's own definition
(a^{(2)} = z^{(2)}, then the general z^{(l)}), sums over a layer's width as written."""

import re

import pytest

from symbackprop.checker import check_text

pytestmark = pytest.mark.slow  # each a whole document checked, some steps to their time bound

#: A two-layer regression network: the general forward pass, numbered layers, an identity output.
NETWORK = (
    "$$z^{(l)}_j = \\sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$$\n\n"   # line 1
    "The hidden layer: $a^{(1)}_j = \\sigma(z^{(1)}_j)$. The output: $a^{(2)}_j = z^{(2)}_j$.\n\n"  # line 3
    "$$E = \\frac{1}{2} \\sum_j \\left(a^{(2)}_j - y_j\\right)^2$$\n\n"   # line 5
    "Let $\\delta^{(l)}_j = \\frac{\\partial E}{\\partial z^{(l)}_j}$.\n\n"   # line 7
)


def _at(doc: str, line: int):
    (claim,) = [c for c in check_text(NETWORK + doc, timeout=5.0).claims if c.line == line]
    return claim


def test_the_hidden_delta_is_proved_through_the_output_layers_own_definition():
    """δ^{(1)} needs E through a^{(2)} := z^{(2)} down to z^{(1)} by the general z^{(l)}, and Σ_k over
    δ^{(2)}_k runs over layer 2 as written (read over a width of its own, it was refuted)."""
    claim = _at("$$\\delta^{(1)}_j = \\sigma'(z^{(1)}_j) \\sum_k w^{(2)}_{kj} \\delta^{(2)}_k$$\n", 9)
    assert claim.status == "proved", claim.reason


@pytest.mark.parametrize("wrong", ["w^{(1)}_{kj}", "w^{(2)}_{jk}"])
def test_a_wrong_weight_in_the_hidden_delta_is_refuted(wrong):
    claim = _at(f"$$\\delta^{{(1)}}_j = \\sigma'(z^{{(1)}}_j) \\sum_k {wrong} \\delta^{{(2)}}_k$$\n", 9)
    assert claim.status == "refuted", claim.reason


def test_a_refuted_expected_formula_never_prints_a_captured_index():
    """The dummy of a sum put in by a definition is printed with a letter of its own (k'), never
    with the letter of the sum around it (w^{(1)}_{kk} would be another formula)."""
    claim = _at("$$\\delta^{(1)}_j = \\sigma'(z^{(1)}_j) \\sum_k w^{(1)}_{kj} \\delta^{(2)}_k$$\n", 9)
    assert claim.status == "refuted" and claim.expected and "w^{(1)}_{kk}" not in claim.expected


def test_a_general_gradient_with_the_wrong_layer_is_refuted_at_a_layer_of_the_document():
    claim = _at("$$\\frac{\\partial E}{\\partial w^{(l)}_{jk}} = \\delta^{(l)}_j a^{(l)}_k$$\n", 9)
    assert claim.status == "refuted", claim.reason
    assert re.search(r"at l = [12], a layer the document has \(l = 1, 2\)", claim.method), claim.method


def test_the_general_gradient_is_not_refuted():
    claim = _at("$$\\frac{\\partial E}{\\partial w^{(l)}_{jk}} = \\delta^{(l)}_j a^{(l-1)}_k$$\n", 9)
    assert claim.status != "refuted", claim.reason


def test_a_formula_that_holds_at_the_hidden_layer_only_is_not_refuted():
    """σ′ holds at the sigmoid layer 1 and fails at the identity layer 2: written for a general l,
    it may have been meant for the hidden layers; no layer is chosen for the author."""
    claim = _at("$$\\frac{\\partial a^{(l)}_j}{\\partial z^{(l)}_j} = a^{(l)}_j \\left(1 - a^{(l)}_j\\right)$$\n", 9)
    assert claim.status != "refuted", claim.reason


@pytest.mark.parametrize("wrong", ["2 \\delta^{(l)}_j", "\\delta^{(l)}_j a^{(l-1)}_j", "\\delta^{(l-1)}_j"])
def test_no_wrong_general_formula_is_proved_at_the_layers(wrong):
    """Proved at every layer the document has only when it holds there: wrong factors, indices
    and labels of a general-layer gradient are never proved."""
    claim = _at(f"$$\\frac{{\\partial E}}{{\\partial b^{{(l)}}_j}} = {wrong}$$\n", 9)
    assert claim.status != "proved", claim.method


# ── a general layer l with the loss at a symbolic output layer L ──

GENERAL = ("$$u^{(l)}_j = \\sum_i y^{(l-1)}_i w^{(l)}_{ij} + b^{(l)}_j$$\n\n"
           "$$y^{(l)}_j = f(u^{(l)}_j)$$\n\n"
           "$$E = \\frac{1}{2} \\sum_k (y^{(L)}_k - t_k)^2$$\n\n"
           "The error is $\\delta^{(l)}_j = \\frac{\\partial E}{\\partial u^{(l)}_j}$.\n\n")


def _last(doc: str):
    return check_text(doc, timeout=10.0).claims[-1]


@pytest.mark.parametrize("wrong", [
    "\\delta^{(l)}_j = f(u^{(l)}_j) \\sum_k \\delta^{(l+1)}_k w^{(l+1)}_{jk}",      # f for f'
    "\\delta^{(l)}_j = f'(u^{(l)}_j) \\sum_k \\delta^{(l+1)}_k w^{(l+1)}_{kj}",     # swapped index
    "\\frac{\\partial E}{\\partial w^{(l)}_{ij}} = \\delta^{(l)}_j y^{(l)}_i",        # wrong layer
])
def test_a_wrong_formula_for_every_layer_is_refuted_where_its_top_layer_is_the_output(wrong):
    c = _last(GENERAL + f"$${wrong}$$\n")
    assert c.status == "refuted" and "output layer L" in c.method, (c.reason, c.method)


def test_the_output_formula_written_with_the_general_letter_is_not_refuted():
    # it holds at l = L, the one layer where it can be put: no verdict from one instance
    c = _last(GENERAL + "$$\\delta^{(l)}_j = f'(u^{(l)}_j) (y^{(l)}_j - t_j)$$\n")
    assert c.status == "inconclusive", c.method


def test_an_output_layer_defined_its_own_way_is_a_new_definition_not_an_erratum():
    doc = ("$$u^{(l)}_j = \\sum_i y^{(l-1)}_i w^{(l)}_{ij} + b^{(l)}_j$$\n\n$$y^{(l)}_j = f(u^{(l)}_j)$$\n\n"
           "The output layer is a softmax, $$y^{(L)}_k = \\frac{e^{u^{(L)}_k}}{\\sum_{k'} e^{u^{(L)}_{k'}}}$$\n")
    c = _last(doc)
    assert c.status == "inconclusive" and c.category == "redefinition", c.reason


def test_a_property_of_tanh_in_the_recursion_is_no_erratum_when_f_may_be_tanh():
    # (1 − y²) is f′ for f = tanh: the named-activation guard excuses it — with ∂tanh(u_i)/∂u_j kept
    # (freeing the arguments of f had made it 0, and the step was refuted for tanh as well)
    c = _last(GENERAL + "$$\\delta^{(l)}_j = (1 - (y^{(l)}_j)^2) \\sum_k \\delta^{(l+1)}_k w^{(l+1)}_{jk}$$\n")
    assert c.status != "refuted", c.method


def test_a_bound_written_for_the_letter_elsewhere_refutes_nothing_at_the_top():
    # Σ_{k=1}^{Q} elsewhere makes the reader run Σ_k to Q, while the loss sums the output layer to its
    # own width: a witness with Q ≠ n^{(L)} is no counterexample to the chain rule
    doc = GENERAL.replace("\\sum_k (y^{(L)}_k - t_k)^2", "\\sum_i (y^{(L)}_i - t_i)^2") + ("For a matrix, $$\\sum_{k=1}^{Q} a_k b_k = c$$\n\n"
                     "$$\\frac{\\partial E}{\\partial y^{(l)}_j} = \\sum_k \\frac{\\partial E}{\\partial y^{(l+1)}_k} "
                     "\\frac{\\partial y^{(l+1)}_k}{\\partial y^{(l)}_j}$$\n")
    c = _last(doc)
    assert c.status != "refuted", c.method


def test_an_instance_that_runs_out_of_time_is_the_reason_given(monkeypatch):
    """The general step is open for want of a dependence, which the instance at l = L − 1 is there
    to get round: when that instance runs out of time, the step is open because time ran out (a
    slower machine, not the document), and the reason says so and where."""
    from symbackprop.checker import layer_instances
    from symbackprop.checker.guards import open_

    monkeypatch.setattr(layer_instances, "_without_side_effects",
                        lambda *_a, **_k: open_("timed out", "timed out after 1 s"))
    c = _last(GENERAL + "$$\\delta^{(l)}_j = f(u^{(l)}_j) \\sum_k \\delta^{(l+1)}_k w^{(l+1)}_{jk}$$\n")
    assert c.status == "inconclusive" and c.category == "timed out", (c.category, c.reason)
    assert "output layer L" in c.reason and "timed out after 1 s" in c.reason, c.reason


def test_an_instance_at_a_numbered_layer_that_runs_out_of_time_is_the_reason_given(monkeypatch):
    from symbackprop.checker import layer_instances
    from symbackprop.checker.guards import open_

    monkeypatch.setattr(layer_instances, "_without_side_effects",
                        lambda *_a, **_k: open_("timed out", "timed out after 1 s"))
    c = _at("$$\\frac{\\partial E}{\\partial w^{(l)}_{jk}} = \\delta^{(l)}_j a^{(l)}_k$$\n", 9)
    assert c.status == "inconclusive" and c.category == "timed out", (c.category, c.reason)
    assert "a layer the document has (l = 1, 2)" in c.reason, c.reason
