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


ROWS = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$Y^{l} = \begin{pmatrix} \bm{y}_1^{l} & \cdots & \bm{y}_N^{l} \end{pmatrix}$$

$$\Delta^{l} = \begin{pmatrix} \bm{\delta}_1^{l} & \cdots & \bm{\delta}_N^{l} \end{pmatrix}$$

$$\frac{\partial E}{\partial W^{l}} = \frac{1}{N} \sum_{n=1}^{N} \bm{y}_n^{l-1} \left(\bm{\delta}_n^{l}\right)^{\top}
= \frac{1}{N} \begin{pmatrix} \bm{y}_1^{l-1} & \bm{y}_2^{l-1} & \cdots \bm{y}_N^{l-1} \end{pmatrix}
\begin{pmatrix} \left(\bm{\delta}_1^{LABEL}\right)^{\top} \\ \vdots \\ \left(\bm{\delta}_N^{LABEL}\right)^{\top} \end{pmatrix}
= \frac{1}{N} Y^{l-1} \left(\Delta^{l}\right)^{\top}$$
"""


def test_stacked_rows_of_the_wrong_layer_are_refuted_once():
    """A row of example vectors (its last ``&`` missing) times a column of their transposes: the
    vectors are columns as written, so rows of δ^{l-1} give a n_{l-1}×n_{l-1} matrix; the next
    step, back to the truth, is wrong only through that row (one slip, one report)."""
    *_, wrong, back = check_text(ROWS.replace("LABEL", "l-1"), timeout=5.0).claims
    assert wrong.status == "refuted" and "n_{l-1}×n_{l-1}" in wrong.reason
    assert back.status == "inconclusive" and back.category == "follows", back.reason
    assert all(c.status != "refuted" for c in check_text(ROWS.replace("LABEL", "l"), timeout=5.0).claims)


def test_a_row_of_example_vectors_fixes_them_as_columns():
    from symbackprop.checker.shape_algebra import written_columns
    from symbackprop.latex.parse import parse_expr
    row = parse_expr(r"\begin{pmatrix} \bm{y}_1 & \cdots & \bm{y}_N \end{pmatrix}")
    stacked = parse_expr(r"\begin{pmatrix} (\bm{d}_1)^{\top} \\ \vdots \\ (\bm{d}_N)^{\top} \end{pmatrix}")
    assert written_columns(row) == {r"\mathbf{y}"} and written_columns(stacked) == {r"\mathbf{d}"}
    assert written_columns(parse_expr(r"\begin{pmatrix} \bm{y}_1 \\ \vdots \\ \bm{y}_N \end{pmatrix}")) == set()


ACTIVATION = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$Y^{l} = \begin{pmatrix} \bm{y}_1^{l} & \cdots & \bm{y}_N^{l} \end{pmatrix}$$

$$Y^{l+1} = \begin{pmatrix} \bm{y}_1^{l+1} & \cdots & \bm{y}_N^{l+1} \end{pmatrix}
= \begin{pmatrix} f(\bm{y}_1^{l}) & \cdots & f(\bm{y}_N^{l}) \end{pmatrix}$$
"""


def test_an_activation_layer_written_out_is_not_refuted_by_its_widths():
    """``y^{l+1}_n = f(y^{l}_n)``: a layer of the activation alone, as wide as the one below."""
    from symbackprop.checker.shape_facts import activation_step
    assert all(c.status != "refuted" for c in check_text(ACTIVATION, timeout=5.0).claims)
    y1, y0, u1 = (sp.Symbol(rf"\mathbf{{{a}}}^{{{b}}}") for a, b in (("y", "l+1"), ("y", "l"), ("u", "l+1")))
    f = sp.Function("f")
    assert activation_step(y1, f(y0)) and not activation_step(u1, f(y0))
    assert not activation_step(y1, sp.Derivative(f(y0), y0))  # f'(y^{l}) states no layer


def test_widths_tied_by_an_activation_layer_are_not_taken_as_different():
    from symbackprop.checker.shape_algebra import shape_refutation
    from symbackprop.latex.parse import parse_expr
    a = parse_expr(r"\begin{pmatrix} \bm{y}_1^{l+1} & \cdots & \bm{y}_N^{l+1} \end{pmatrix}")
    b = parse_expr(r"\begin{pmatrix} f(\bm{y}_1^{l}) & \cdots & f(\bm{y}_N^{l}) \end{pmatrix}")
    named = lambda e: Vector(str(e.base.label), WIDTH(sp.sympify(str(e.base.label)[-4:-1].strip("{^")))) \
        if isinstance(e, sp.Indexed) else (SCALAR if e.is_integer or str(e) == "N" else None)  # noqa: E731
    vectors = [r"\mathbf{y}^{l+1}", r"\mathbf{y}^{l}"]
    assert shape_refutation(a, b, named, vectors) is not None       # n_{l+1}×N against n_{l}×N
    assert shape_refutation(a, b, named, vectors, tied=True) is None


def test_a_matrix_with_two_shapes_is_refuted_only_where_both_fail():
    from symbackprop.checker.shape_algebra import Either, shape_refutation
    v0, v1 = sp.Symbol(r"\mathbf{v}^{l}"), sp.Symbol(r"\mathbf{v}^{l+1}")
    named = {W: Either((Shape(WIDTH(l - 1), WIDTH(l)), Shape(WIDTH(l + 1), WIDTH(l)))),
             v0: Vector(v0.name, WIDTH(l)), v1: Vector(v1.name, WIDTH(l + 1))}.get
    vectors = [v0.name, v1.name]
    assert shape_refutation(v1, MatrixProduct(W, v0), named, vectors) is None   # the second shape fits
    assert shape_refutation(v0, MatrixProduct(W, v0), named, vectors) is not None


def test_an_unlabelled_weight_summed_the_other_way_gives_the_matrix_both_shapes():
    """``u^{l}_j = Σ_i w^{l}_{ij} y^{l-1}_i`` and, for another kind of layer, ``y^{l}_i = Σ_j
    w_{ij} y^{l-1}_j``: the unlabelled w is layer l's or layer l−1's, so W^{l} has three shapes."""
    from symbackprop.checker.shape_algebra import Either
    from symbackprop.checker.shape_facts import ShapeFacts, Statement
    from symbackprop.latex.parse import parse_math

    def relation(src):
        (chain,) = parse_math(src).chains
        return chain.exprs[0], chain.exprs[1]

    class Table:
        history = staticmethod(lambda: [])

    stated = Statement("W^{l}", "w", "l", "i", "j", (), ("i", "j"))
    sums = [relation(r"u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}")]
    assert ShapeFacts._stated(stated, Table, "W^{l}", sums) == Shape(WIDTH(l - 1), WIDTH(l))
    both = ShapeFacts._stated(stated, Table, "W^{l}", sums + [relation(r"y^{l}_{i} = \sum_{j} w_{ij} y^{l-1}_{j}")])
    assert isinstance(both, Either) and Shape(WIDTH(l + 1), WIDTH(l)) in both.shapes and len(both.shapes) == 3


FORMULA = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$W^{l} = (w^{l}_{ij})$.

$$Y^{l} = \begin{pmatrix} \bm{y}^{l}_1 & \cdots & \bm{y}^{l}_N \end{pmatrix}$$

$$\Delta^{l} = \begin{pmatrix} \bm{\delta}^{l}_1 & \cdots & \bm{\delta}^{l}_N \end{pmatrix}$$

$$U^{l} = (W^{l})^{\top} Y^{l-1} + \bm{b}^{l} \bm{1}^{\top}$$

$$\Delta^{l} = f'(U^{LABEL}) \odot (W^{l+1} \Delta^{l+1})$$
"""


def test_a_matrix_defined_by_a_formula_has_its_shape():
    """U^{l} = (W^{l})^T Y^{l-1} + b 1^T is n_l×N (the ones vector has no width: the terms that
    have a shape agree), so f'(U^{l+1}) ⊙ (W^{l+1} Δ^{l+1}) does not fit."""
    wrong = check_text(FORMULA.replace("LABEL", "l+1"), timeout=5.0).claims[-1]
    assert wrong.status == "refuted" and "n_{l+1}×N" in wrong.reason
    assert check_text(FORMULA.replace("LABEL", "l"), timeout=5.0).claims[-1].status != "refuted"
