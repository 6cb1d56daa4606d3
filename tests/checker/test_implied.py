"""Definitions a step implies (checker/implied.py): ∂u_k/∂w = ∂(Σ_q y_q w_{qk} + b_k)/∂w reads
u_k := Σ_q y_q w_{qk} + b_k from that line on; an explicit definition later replaces it."""

import pytest
import sympy as sp

from symbackprop.checker import check_text, implied
from symbackprop.checker.read import PARSE_OPTIONS
from symbackprop.checker.table import SymbolTable
from symbackprop.latex.parse import parse_math


def _sides(latex: str):
    (chain,) = parse_math(latex, PARSE_OPTIONS).chains
    return chain.exprs[0], chain.exprs[1]


U_K = r"\frac{\partial u_k}{\partial w_{jk}} = \frac{\partial(\sum_{q=1}^m y_q w_{qk} + b_k)}{\partial w_{jk}}"


def test_a_quantity_written_out_under_the_derivative_is_defined_by_it():
    name, value, text = implied.substituted(*_sides(U_K), SymbolTable())
    assert str(name) == "u[k]" and value.has(sp.Sum) and "implied definition" in text


def test_the_identity_activation_is_read_from_du_over_du():
    name, value, _ = implied.substituted(*_sides(r"\frac{\partial y_k}{\partial u_k} = \frac{\partial u_k}{\partial u_k}"),
                                         SymbolTable())
    assert (str(name), str(value)) == ("y[k]", "u[k]")


@pytest.mark.parametrize("latex", [
    r"\frac{\partial u_k}{\partial w_{jk}} = \frac{\partial(\sum_{q=1}^m y_q w_{qk} + b_k)}{\partial b_k}",  # other variable
    r"\frac{\partial E}{\partial w_{jk}} = \frac{\partial (t_k)}{\partial w_{jk}}",          # no dependence shown
    r"\frac{\partial E}{\partial y_k} = \frac{\partial E}{\partial y_k}",                     # the same quantity
    r"\frac{\partial E}{\partial w} = \frac{\partial}{\partial w} \frac{\partial E}{\partial u}",  # a derivative
])
def test_steps_that_write_nothing_out_imply_nothing(latex):
    assert implied.substituted(*_sides(latex), SymbolTable()) is None


def test_a_defined_quantity_is_never_redefined_by_a_step():
    table = SymbolTable()
    a, b = _sides(U_K)
    table.define(a.expr, b.expr + 1, 1)
    assert implied.substituted(a, b, table) is None


REGRESSION = (
    "$$\\frac{\\partial u_k}{\\partial w_{jk}} = \\frac{\\partial}{\\partial w_{jk}}"
    "\\left(\\sum_{q=1}^{m} y_q w_{qk} + b_k\\right) = y_j$$\n\n"
    "$$\\frac{\\partial E}{\\partial y_k} = \\frac{\\partial}{\\partial y_k}"
    "\\left(\\frac{1}{2} \\sum_{k=1}^{n} (y_k - t_k)^2\\right) = y_k - t_k$$\n\n"
    "$$\\frac{\\partial y_k}{\\partial u_k} = \\frac{\\partial u_k}{\\partial u_k} = 1$$\n\n")


def _claim(text: str, line: int):
    (c,) = [c for c in check_text(text, timeout=5.0).claims if c.line == line]
    return c


def test_later_claims_are_decided_through_the_implied_definitions():
    right = _claim(REGRESSION + "$$\\frac{\\partial E}{\\partial u_k} = y_k - t_k$$\n", 7)
    assert right.status == "proved"
    wrong = _claim(REGRESSION + "$$\\frac{\\partial E}{\\partial u_k} = t_k - y_k$$\n", 7)
    assert wrong.status == "refuted" and wrong.witness is not None


def test_without_the_reading_the_claim_stays_open(monkeypatch):
    monkeypatch.setattr(implied, "substituted", lambda a, b, table: None)
    assert _claim(REGRESSION + "$$\\frac{\\partial E}{\\partial u_k} = y_k - t_k$$\n", 7).status == "inconclusive"


CLASSIFICATION = (
    "$$E = - \\sum_{k=1}^{n} t_k \\log y_k$$\n\n"
    "$$y_k = \\frac{\\exp(u_k)}{\\sum_{k'=1}^{n} \\exp(u_{k'})}$$\n\n"
    "$$\\sum_{k=1}^{n} t_k = 1$$\n\n")


def test_an_explicit_definition_later_replaces_what_a_step_implied():
    text = REGRESSION + CLASSIFICATION + "$$\\frac{\\partial E}{\\partial u_k} = y_k - t_k$$\n"
    results = check_text(text, timeout=5.0).claims
    (e,) = [c for c in results if c.line == 7]
    assert e.category == "definition" and "in place of what line 3 implied" in e.reason
    (last,) = [c for c in results if c.line == 13]
    assert last.status == "proved"   # softmax + CE, not the implied identity + ½SSE


def test_a_step_of_the_document_replaces_a_definition_given_with_network(tmp_path):
    """--network gives E := CE ahead of the document; the regression section writes ½SSE under
    the derivative: its own reading wins there (the spec is one network, a document may have two)."""
    from symbackprop import spec
    from symbackprop.checker import check_document

    net = spec.loads('loss = "cross_entropy"\n[[layers]]\nsize = "m"\nindex = "j"\n'
                     '[[layers]]\nsize = "n"\nindex = "k"\nactivation = "softmax"\n')
    doc = tmp_path / "regression.md"
    doc.write_text("$$\\frac{\\partial E}{\\partial y_k} = \\frac{\\partial}{\\partial y_k}"
                   "\\left(\\frac{1}{2} \\sum_{k=1}^{n} (y_k - t_k)^2\\right)$$\n\n"
                   "$$\\frac{\\partial E}{\\partial y_k} = y_k - t_k$$\n", encoding="utf-8")
    claims = check_document(doc, timeout=5.0, network=net).claims
    assert [c.status for c in claims if c.line == 3] == ["proved"]
    assert "implied definition" in claims[0].reason
