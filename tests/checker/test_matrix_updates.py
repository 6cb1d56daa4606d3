"""Matrix update rules read in written order (checker/matrix_updates.py, ShapeSteps._update_rule):
``W(τ+1) = W(τ) − \\frac{η}{N} Yᵀ Δ`` claims ``∂E/∂W = \\frac{1}{N} Yᵀ Δ``, decided entry by entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.matrix_updates import gradient_claim, scaled
from symbackprop.latex.patterns import MatrixProduct

DOC = (Path(__file__).parent / "data" / "matrix_update_rules.md").read_text(encoding="utf-8")
RULE_LINE = next(i for i, line in enumerate(DOC.splitlines(), 1) if "RULE_W" in line)


def _rules(w: str, b: str = r"\frac{\eta}{N} {\Delta^{(2)}}^{\top} \mathbf{1}") -> list:
    claims = check_text(DOC.replace("RULE_W", w).replace("RULE_B", b), timeout=10).claims
    return [c for c in claims if c.line >= RULE_LINE]


def test_the_rules_of_a_batch_are_proved_by_the_gradient_they_put_in():
    w, b = _rules(r"\frac{\eta}{N} {Y^{(1)}}^{\top} {\Delta^{(2)}}")
    assert (w.status, b.status) == ("proved", "proved"), (w.reason, b.reason)
    assert r"\frac{\partial E}{\partial W^{(2)}} = \frac{1}{N}" in w.reason


@pytest.mark.parametrize("rule", [
    r"\frac{\eta}{N} {\Delta^{(2)}} {Y^{(1)}}^{\top}",   # the factors in the wrong order (as numbers: equal)
    r"\frac{\eta}{N} {\Delta^{(2)}}^{\top} {Y^{(1)}}",   # the transpose of the gradient
    r"\eta {Y^{(1)}}^{\top} {\Delta^{(2)}}",              # the sum for the mean (the factor 1/N dropped)
    r"(-\frac{\eta}{N}) {Y^{(1)}}^{\top} {\Delta^{(2)}}",  # a step up the gradient
])
def test_a_wrong_matrix_rule_is_refuted(rule):
    """Read as numbers, every one of these has the form of a descent step and was left open
    ("only its form is checked"); the first one's products commute into the right rule."""
    w, _b = _rules(rule)
    assert w.status == "refuted", (w.status, w.reason)


def test_the_learning_rate_is_divided_out_of_the_written_product_only():
    eta, n = sp.symbols("eta N")
    y, d, w = sp.symbols("Y Delta W")
    product = MatrixProduct(eta / n, y, d)
    assert scaled(-product, -1 / eta) == MatrixProduct(1 / n, y, d)
    assert gradient_claim(w, w - product, sp.Symbol("E"))[1] == MatrixProduct(1 / n, y, d)
    assert gradient_claim(w, w - MatrixProduct(eta / n, y, w), sp.Symbol("E")) is None  # W in its own step
    assert gradient_claim(w, w - MatrixProduct(1 / n, y, d), sp.Symbol("E")) is None    # no learning rate
