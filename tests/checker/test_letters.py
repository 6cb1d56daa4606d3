"""Index letters and layers (checker/table.py: SymbolTable._choose, scan.linked_letters): two
letters name two layers only where some two-index quantity (a weight w_{jk}) joins them."""

from symbackprop.checker import check_text

SOFTMAX = ("$$y_k = \\frac{\\exp(u_k)}{\\sum_j \\exp(u_j)}$$\n\n"
           "$$E = -\\sum_j t_j \\log y_j$$\n\n")


def _line(doc: str, line: int):
    return [c for c in check_text(doc, timeout=5.0).claims if c.line == line]


def test_one_layer_written_with_two_letters_is_one_layer():
    """y_j is the y_k of the softmax under another letter: a sign slip in ∂E/∂y_j is refuted."""
    (c,) = _line(SOFTMAX + "$$\\frac{\\partial E}{\\partial y_j} = \\frac{t_j}{y_j}$$\n", 5)
    assert c.status == "refuted", c.reason


def test_the_right_gradient_under_the_other_letter_is_proved():
    (c,) = _line(SOFTMAX + "$$\\frac{\\partial E}{\\partial y_j} = -\\frac{t_j}{y_j}$$\n", 5)
    assert c.status == "proved", c.reason


def test_letters_a_weight_joins_may_be_two_layers():
    """u_k = Σ_j w_{jk} x_j: j is the layer below, whose activation the document leaves open;
    the sigmoid of y_k is no value for y_j, so 1 − y_j² (tanh there) is not refuted from it."""
    doc = ("$$u_k = \\sum_j w_{jk} x_j$$\n\n$$y_k = \\sigma(u_k)$$\n\n"
           "$$\\frac{\\partial y_j}{\\partial u_j} = 1 - y_j^2$$\n")
    (c,) = _line(doc, 5)
    assert c.status != "refuted", c.reason


def test_a_wrong_gradient_under_the_other_letter_is_never_proved():
    (c,) = _line(SOFTMAX + "$$\\frac{\\partial E}{\\partial y_j} = -\\frac{2 t_j}{y_j}$$\n", 5)
    assert c.status != "proved", c.method
