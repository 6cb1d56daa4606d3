r"""A mini-batch step read column by column at width one (checker/columns.py): column n of a
side that names batch matrices is taken through their written definitions; a counterexample of
the columns refutes the step, and columns that hold related vectors are not read."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.columns import COLUMN, at_width_one, column
from symbackprop.latex.patterns import MatrixProduct, PatternMatrix
from symbackprop.latex.vocabulary import HADAMARD, TRANSPOSE

BATCH = r"""
$$u^{l}_{j} = \sum_{i} w^{l}_{ij} y^{l-1}_{i}$$

$$y^{l}_{j} = f_{l}(u^{l}_{j})$$

$$E = \frac{1}{2} \sum_{j} (y^{L}_{j} - t_{j})^2$$

$$U^{l} = \begin{pmatrix} \bm{u}_1^{l} & \bm{u}_2^{l} & \cdots & \bm{u}_N^{l} \end{pmatrix}$$

$$\Delta^{l} = \begin{pmatrix} \bm{\delta}_1^{l} & \bm{\delta}_2^{l} & \cdots & \bm{\delta}_N^{l} \end{pmatrix}$$

$$Y^{l} = \begin{pmatrix} \bm{y}_1^{l} & \bm{y}_2^{l} & \cdots & \bm{y}_N^{l} \end{pmatrix}$$

For $l \neq L$,

$$CLAIM$$
"""

ROW = (r"\begin{pmatrix} W^{l+1}\bm{\delta}_1^{l+1} \odot f_l'(\bm{u}_1^{l}) & \cdots & "
       r"W^{l+1}\bm{\delta}_N^{l+1} \odot f_l'(\bm{u}_N^{l}) \end{pmatrix}")


def _last(claim: str):
    return check_text(BATCH.replace("CLAIM", claim), timeout=5.0).claims[-1]


def test_the_activation_of_another_layer_is_refuted_column_by_column():
    c = _last(ROW + r" = W^{l+1} \Delta^{l+1} \odot f_L'(U^{l})")
    assert c.status == "refuted"
    assert "column n of both sides" in c.method and "width one" in c.method
    assert {"f_{l}", "f_{L}"} <= set(c.witness["values"])


def test_the_right_batch_form_is_not_refuted():
    assert _last(ROW + r" = W^{l+1} \Delta^{l+1} \odot f_l'(U^{l})").status != "refuted"


def test_columns_of_related_vectors_are_not_read():
    # y^l_j = f_l(u^l_j): the columns y_n and f_l(u_n) are one value, not two free numbers
    row = r"\begin{pmatrix} f_l(\bm{u}_1^{l}) & \cdots & f_l(\bm{u}_N^{l}) \end{pmatrix}"
    assert _last(r"Y^{l} = " + row).status != "refuted"


def test_a_batch_matrix_before_another_factor_mixes_the_columns():
    n, c = sp.Symbol("n"), sp.Symbol("c")
    X = sp.Symbol("X")
    written = PatternMatrix(sp.IndexedBase(r"\mathbf{x}")[c], sp.Symbol("r"), 1, c, sp.Symbol("N"))
    named = {X: written}.get
    W = sp.Symbol("W")
    assert column(MatrixProduct(W, X), named) == MatrixProduct(W, sp.IndexedBase(r"\mathbf{x}")[COLUMN])
    assert column(MatrixProduct(X, W), named) is None
    assert column(TRANSPOSE(X), named) is None
    assert at_width_one(HADAMARD(W, sp.IndexedBase(r"\mathbf{x}")[n])) == W * sp.Symbol(r"\mathbf{x}[n]")


GRADIENTS = (r"\begin{pmatrix} \frac{\partial E}{\partial \bm{y}_1^{l}} \odot f_l'(\bm{y}_1^{POINT}) & \cdots & "
             r"\frac{\partial E}{\partial \bm{y}_N^{l}} \odot f_l'(\bm{y}_N^{POINT}) \end{pmatrix}")


def test_a_gradient_of_a_batch_matrix_has_its_columns():
    """∂E/∂Y^{l}: column n is ∂E/∂y_n^{l}; one expression column by column is a proof."""
    c = _last(GRADIENTS.replace("POINT", "l") + r" = \frac{\partial E}{\partial Y^{l}} \odot f_l'(Y^{l})")
    assert c.status == "proved" and "column n of both sides is one expression" in c.reason
    c = _last(r"\frac{\partial E}{\partial Y^{l}} = \begin{pmatrix} \frac{\partial E}{\partial \bm{y}_1^{l}} & "
              r"\cdots & \frac{\partial E}{\partial \bm{y}_N^{l}} \end{pmatrix}")
    assert c.status == "proved"


def test_an_activation_derivative_taken_at_the_wrong_layer_is_refuted():
    """f_l' at y^{l-1} against f_l' at y^{l}: two free numbers for a general activation (the
    unknown gradient stands on both sides alike)."""
    from symbackprop.checker.columns import _points
    c = _last(GRADIENTS.replace("POINT", "l-1") + r" = \frac{\partial E}{\partial Y^{l}} \odot f_l'(Y^{l})")
    assert c.status == "refuted"
    f, g = sp.Function("f"), sp.Symbol(r"\partial{E}{\mathbf{y}^{l}[n]}")
    y0, y1 = sp.Symbol(r"\mathbf{y}^{l-1}[n]"), sp.Symbol(r"\mathbf{y}^{l}[n]")
    assert _points(g * sp.Derivative(f(y0), y0), g * sp.Derivative(f(y1), y1)) == {y0.name, y1.name}
    assert _points(y1 * sp.Derivative(f(y0), y0), sp.Derivative(f(y1), y1)) == {y0.name}


def test_a_gradient_on_one_side_only_is_not_read():
    from symbackprop.checker.columns import readable
    g, y = sp.Symbol(r"\partial{E}{\mathbf{y}^{l}[n]}"), sp.Symbol(r"\mathbf{y}^{l}[n]")
    assert not readable(g, y - 1) and readable(g * y, g * y)
    # the points of f' are free numbers only where nothing else names them
    f = sp.Function("f")
    y0 = sp.Symbol(r"\mathbf{y}^{l-1}[n]")
    assert readable(g * sp.Derivative(f(y0), y0), g * sp.Derivative(f(y), y))
    assert not readable(g * y0, g * y)  # two values of one letter as numbers: one may be the other's input


def test_a_batch_step_whose_columns_differ_is_never_proved():
    """The proof by columns needs one expression on both sides: a wrong layer in f' (y_n beside U),
    a batch matrix before another factor, or a transposed one is never proved."""
    wrong = _last(GRADIENTS.replace("POINT", "l") + r" = \frac{\partial E}{\partial Y^{l}} \odot f_l'(U^{l})")
    assert wrong.status != "proved"
    mixed = _last(r"\begin{pmatrix} \bm{\delta}_1^{l} & \cdots & \bm{\delta}_N^{l} \end{pmatrix} = \Delta^{l} W^{l}")
    assert mixed.status != "proved"
    from symbackprop.checker.columns import same_columns
    X = sp.Symbol("X")
    written = PatternMatrix(sp.IndexedBase(r"\mathbf{x}")[sp.Symbol("c")], sp.Symbol("r"), 1, sp.Symbol("c"),
                            sp.Symbol("N"))
    assert not same_columns(TRANSPOSE(X), TRANSPOSE(written), {X: written}.get)
    assert not same_columns(X, written, {X: written}.get)  # X = (x_1 ⋯ x_N): its entries, no claim
