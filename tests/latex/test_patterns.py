r"""Matrices written with ellipses: the pattern is found from the written entries, or the matrix
is not read — never guessed."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.errors import ParseError
from symbackprop.latex.parse import parse_math
from symbackprop.latex.patterns import MatrixProduct, PatternMatrix

P, Q, N = (sp.Symbol(s, integer=True) for s in "PQN")


def side(src: str) -> sp.Basic:
    return parse_math(src + " = 0").chains[0].exprs[0]


W = r"""\begin{pmatrix} w_{11} & \cdots & w_{1Q} \\ w_{21} & \cdots & w_{2Q} \\ \vdots & \ddots & \vdots \\
w_{P1} & \cdots & w_{PQ} \end{pmatrix}"""


def test_a_matrix_by_its_corners():
    m = side(W)
    assert isinstance(m, PatternMatrix) and (m.rows, m.cols) == (P, Q)
    w = sp.IndexedBase("w")
    assert m.at({P: sp.Integer(2), Q: sp.Integer(3)}) == sp.ImmutableMatrix(2, 3, lambda i, j: w[i + 1, j + 1])


@pytest.mark.parametrize("src,rows,cols", [
    (r"\begin{pmatrix} a_1 \\ a_2 \\ \vdots \\ a_P \end{pmatrix}", P, 1),
    (r"\begin{pmatrix} y_1 & y_2 & \cdots & y_N \end{pmatrix}", 1, N),
    (r"\begin{pmatrix} \sum_{k}^{Q} \delta_{k} w_{1k} \\ \vdots \\ \sum_{k}^{Q} \delta_{k} w_{Pk} \end{pmatrix}", P, 1),
])
def test_vectors_by_their_ends(src, rows, cols):
    m = side(src)
    assert isinstance(m, PatternMatrix) and (m.rows, m.cols) == (rows, cols)


def test_the_sum_limit_is_not_taken_for_the_row_index():
    """Σ_k^Q has a 1 (its lower limit) that must stay 1 in every row."""
    m = side(r"\begin{pmatrix} \sum_{k}^{Q} \delta_{k} w_{1k} \\ \vdots \\ \sum_{k}^{Q} \delta_{k} w_{Pk} \end{pmatrix}")
    k = sp.Symbol("k", integer=True)
    entry = m.at({P: sp.Integer(3), Q: sp.Integer(2)})[2, 0]
    assert isinstance(entry, sp.Sum) and entry.limits[0][1] == 1


@pytest.mark.parametrize("src", [
    r"\begin{pmatrix} a_1 \\ b_2 \\ \vdots \\ a_P \end{pmatrix}",      # the second row breaks the pattern
    r"\begin{pmatrix} a_1 \\ \vdots \\ b_P \end{pmatrix}",             # first and last are different letters
    r"\begin{pmatrix} y_1 & a \cdots b \end{pmatrix}",                # an ellipsis between two entries in one cell
    r"\begin{pmatrix} 1 & \cdots \end{pmatrix}",                        # no last entry: the size is not written
])
def test_no_pattern_is_not_read(src):
    with pytest.raises(ParseError):
        side(src)


def test_a_product_keeps_its_written_order():
    e = side(W + r" \begin{pmatrix} x_1 \\ \vdots \\ x_Q \end{pmatrix}")
    assert isinstance(e, MatrixProduct) and [type(a) for a in e.args] == [PatternMatrix, PatternMatrix]
    assert e.args[0].cols == Q and e.args[1].rows == Q


def test_two_digit_indices_beside_two_index_corners_are_two_indices():
    exprs = parse_math(r"w_{11} = w_{1Q} = w_{P1} = w_{PQ}").chains[0].exprs
    w = sp.IndexedBase("w")
    assert exprs[0] == w[1, 1] and exprs[1] == w[1, Q]


def test_a_one_index_quantity_keeps_its_products():
    (e, last) = parse_math(r"\sum_{k=1}^{n} (a_{2k-1} + a_{2k}) = a_{11}").chains[0].exprs
    assert last == sp.IndexedBase("a")[11]


@pytest.mark.parametrize("src", [
    r"\begin{pmatrix} y_1 & y_2 & \cdots y_N \end{pmatrix}",      # the & after the ellipsis is missing
    r"\begin{pmatrix} y_1 & y_2 \cdots & y_N \end{pmatrix}",      # the & before it
    r"\begin{pmatrix} y_1 & y_2 & \cdots & y_N & \end{pmatrix}",  # a trailing &: an empty last cell
])
def test_a_row_read_as_it_renders(src):
    """``⋯ y_N`` in one cell renders as the two cells it is meant to be; a trailing ``&`` adds a
    cell that renders as nothing."""
    three = {N: sp.Integer(3)}
    assert side(src).at(three) == side(r"\begin{pmatrix} y_1 & y_2 & \cdots & y_N \end{pmatrix}").at(three)


def test_a_trailing_ampersand_in_one_row_only_is_still_a_ragged_matrix():
    with pytest.raises(ParseError):
        side(r"\begin{pmatrix} a & b & c \\ d & e & \end{pmatrix}")
