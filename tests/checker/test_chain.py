"""The chain rule through the layer a parameter feeds (checker/chain.py): ∂E/∂w_{jk} of an
output layer written only as u_k = Σ_j w_{jk} y_j + b_k, decided with u_k kept."""

import pytest

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
    assert c.status == "proved" and "u_{k} kept as variables" in c.method, c.reason


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
