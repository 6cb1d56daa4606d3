r"""Vector and matrix steps refuted by the shapes of their named vectors and matrices
(checker/shape_algebra.py, shape_facts.py, shape_steps.py): only from shapes the document gives
(bold vectors of a layer, matrices whose entries it names, matrices it writes out), never from
an assumed orientation or an unknown name."""

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.shape_algebra import (SCALAR, WIDTH, Mismatch, Shape, Shaper, Unknown, Vector,
                                               independent)
from symbackprop.latex.patterns import MatrixProduct
from symbackprop.latex.vocabulary import HADAMARD, TRANSPOSE

l = sp.Symbol("l")
W, y, u = sp.Symbol("W"), sp.Symbol(r"\mathbf{y}"), sp.Symbol(r"\mathbf{u}")
NAMED = {W: Shape(WIDTH(l - 1), WIDTH(l)), y: Vector("y", WIDTH(l - 1)), u: Vector("u", WIDTH(l))}


def _shape(e, orientation=None, lenient=False):
    return Shaper(NAMED.get, orientation or {}, lenient)(e)


def test_a_product_of_two_layers_widths_does_not_fit():
    with pytest.raises(Mismatch):
        _shape(MatrixProduct(W, y))
    assert _shape(MatrixProduct(TRANSPOSE(W), y)) == Shape(WIDTH(l), sp.Integer(1))
    assert _shape(MatrixProduct(y, W), {"y": "row"}) == Shape(sp.Integer(1), WIDTH(l))


def test_an_entrywise_product_of_different_shapes():
    with pytest.raises(Mismatch):
        _shape(HADAMARD(y, u))
    with pytest.raises(Unknown):   # \ast: it may be a product
        _shape(HADAMARD(y, u), lenient=True)


def test_unknown_names_and_numbers():
    with pytest.raises(Unknown):
        _shape(MatrixProduct(sp.Symbol("V"), y))
    assert _shape(sp.Integer(3)) == SCALAR


@pytest.mark.parametrize("a, b, expected", [
    (WIDTH(l), WIDTH(l - 1), True), (WIDTH(l), WIDTH(l), False), (WIDTH(l), sp.Integer(1), True),
    (WIDTH(l), sp.Symbol("P"), None), (sp.Integer(2), sp.Integer(3), True),
])
def test_independent(a, b, expected):
    assert independent(a, b) is expected


FORWARD = r"""
## Forward

$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$y^{l}_{j} = f(u^{l}_{j})$$

In vector form, with STATEMENT,

$$CLAIM$$
"""


def _claim(claim: str, statement: str = r"$W^{l} = (w^{l}_{ij})_{ij}$"):
    result = check_text(FORWARD.replace("STATEMENT", statement).replace("CLAIM", claim), timeout=5.0)
    return result.claims[-1]


def test_a_missing_transpose_is_refuted_by_the_shapes_the_document_gives():
    c = _claim(r"\bm{u}^{l} = W^{l} \bm{y}^{l-1}")
    assert c.status == "refuted"
    assert "shapes do not fit" in c.reason and "n_{l-1}×n_{l}" in c.reason
    assert "W^{l} \\mathbf{y}^{l-1}" in c.statement.replace(" ", " ")   # the products as written


@pytest.mark.parametrize("claim", [
    r"\bm{u}^{l} = (W^{l})^\top \bm{y}^{l-1}",
    r"\bm{u}^{l} = \bm{y}^{l-1} W^{l}",          # row vectors: fits
])
def test_a_product_that_fits_is_not_refuted(claim):
    assert _claim(claim).status != "refuted"


def test_without_a_statement_of_the_entries_no_orientation_is_assumed():
    assert _claim(r"\bm{u}^{l} = W^{l} \bm{y}^{l-1}", statement="the weights").status != "refuted"


def test_one_slip_one_report():
    text = FORWARD.replace("STATEMENT", r"$W^{l} = (w^{l}_{ij})_{ij}$").replace(
        "CLAIM", r"\bm{u}^{l} = W^{l} \bm{y}^{l-1}") + "\nOnce more:\n\n$$\\bm{u}^{l} = W^{l}\\bm{y}^{l-1} + 0$$\n"
    first, again = check_text(text, timeout=5.0).claims[-2:]
    assert first.status == "refuted"
    assert again.status == "inconclusive" and again.category == "follows" and "same slip" in again.reason


BATCH = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$Y^{l} = \begin{pmatrix} \bm{y}_1^{l} & \bm{y}_2^{l} & \cdots & \bm{y}_N^{l} \end{pmatrix}$$

$$\frac{\partial E}{\partial W^{l}} = \frac{1}{N} \sum_{n=1}^{N} \bm{y}_n^{l-1} \left(\frac{\partial E}{\partial \bm{y}_n^{l}}\right)^{\top} = \frac{1}{N} Y^{LABEL} \left(\frac{\partial E}{\partial Y^{l}}\right)^{\top}$$
"""


def test_a_batch_matrix_of_the_wrong_layer_is_refuted():
    wrong = check_text(BATCH.replace("LABEL", "l"), timeout=5.0).claims[-1]
    assert wrong.status == "refuted" and "n_{l-1}×n_{l}" in wrong.reason
    right = check_text(BATCH.replace("LABEL", "l-1"), timeout=5.0).claims[-1]
    assert right.status != "refuted"


def test_the_parse_option_keeps_the_written_order():
    import dataclasses
    from symbackprop.latex.parse import ParseOptions, parse_math
    (chain,) = parse_math(r"a = W x", dataclasses.replace(ParseOptions(), ordered_products=True)).chains
    assert isinstance(chain.exprs[1], MatrixProduct) and [str(f) for f in chain.exprs[1].args] == ["W", "x"]


def test_a_step_whose_scalar_reading_ran_out_of_time_is_still_checked_by_its_shapes(monkeypatch):
    from symbackprop.checker import walk
    from symbackprop.checker.guards import open_

    original = walk.Checker._bounded_relation

    def slow(self, frag, si, a, op, b, exprs, conds):  # the vector step only: the definitions stand
        if "W^{l}" in frag.source and "bm{u}" in frag.source:
            return open_("timed out", "timed out after 5 s while deciding")
        return original(self, frag, si, a, op, b, exprs, conds)

    monkeypatch.setattr(walk.Checker, "_bounded_relation", slow)
    c = _claim(r"\bm{u}^{l} = W^{l} \bm{y}^{l-1}")
    assert c.status == "refuted" and "shapes do not fit" in c.reason
