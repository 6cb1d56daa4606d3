r"""Shapes stated for matrices in a formula or in a sentence (checker/size_statements.py): only
the links "is/are", "and", "は/を" are read, and only a statement with a layer width is kept."""

import pytest
import sympy as sp

from symbackprop.checker.shape_algebra import WIDTH, Shape
from symbackprop.checker.size_statements import size, stated_shape, statements
from symbackprop.latex.extract import extract

l, N = sp.Symbol("l"), sp.Symbol("N", integer=True, positive=True)


def _found(text: str) -> dict:
    return {s.name: (s.rows, s.cols) for s in statements(extract(text, "markdown"))}


@pytest.mark.parametrize("text", [
    r"The errors form $\Delta^{(l)}$, the $N \times n_l$ matrix of the samples' errors.",
    r"Then $\Delta^{(l)}$ is the $N \times n_l$ matrix of these errors.",
    r"$U^{(l)}$ and $\Delta^{(l)}$ are $N \times n_l$.",
    r"$\Delta^{(l)}$ は $N \times n_l$ 行列である。",
    r"$\Delta^{(l)} \in \mathbb{R}^{N \times n_{l}}$.",
])
def test_a_stated_shape_is_read(text):
    found = _found(text)
    if "form" in text:  # a size after a comma, no link: states nothing
        assert found == {}
    else:
        assert found["Delta^{(l)}"] == (N, WIDTH(l))


@pytest.mark.parametrize("text", [
    r"$W^{l}$ は $P \times Q$ 行列とする。",              # no layer width: the sizes are named anew
    r"Multiply $X^{(l)}$ by an $N \times n_l$ matrix.",   # no link
    r"$X^{(l)}$ is $N \times n_l$ times smaller.",        # the sentence goes on as no statement of a shape
])
def test_nothing_else_is_a_statement(text):
    assert _found(text) == {}


def test_both_names_before_and_get_the_shape():
    found = _found(r"so $Y^{(l)}$ and $U^{(l)}$ are $N \times n_l$ and")
    assert set(found) == {"Y^{(l)}", "U^{(l)}"}


def test_a_statement_at_a_general_label_holds_at_every_label():
    found = statements(extract(r"$\Delta^{l}$ は $n_{l} \times N$ 行列。", "markdown"))
    assert stated_shape(found, "Delta^{l+1}") == Shape(WIDTH(l + 1), N)
    assert stated_shape(found, "Y^{l}") is None


def test_sizes():
    assert size("n_{l-1}") == WIDTH(l - 1) and size("n^{(l)}") == WIDTH(l) and size("3") == 3
    assert size("N") == N and size(r"\frac{a}{b}") is None
