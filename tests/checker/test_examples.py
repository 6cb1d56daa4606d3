"""A document that writes the example's index on every quantity, read at one example (checker/examples.py)."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.examples import example_index, one_example
from symbackprop.checker.names import tex
from symbackprop.checker.read import read
from symbackprop.latex.extract import extract

ROWS = (
    "$$u^{(l)}_{nj} = \\sum_i y^{(l-1)}_{ni} w^{(l)}_{ij} + b^{(l)}_j$$\n\n"
    "$$y^{(l)}_{nj} = f(u^{(l)}_{nj})$$\n\n"
    "$$E = \\frac{1}{2} \\sum_{n=1}^{N} \\sum_k (y^{(L)}_{nk} - t_{nk})^2$$\n\n"
    "The error is $\\delta^{(l)}_{nj} = \\frac{\\partial E}{\\partial u^{(l)}_{nj}}$.\n\n"
)


def _readings(text: str):
    return read(extract(text, "markdown"), 5.0, None, None)


def _last(text: str, timeout: float = 5.0):
    return check_text(text, timeout=timeout).claims[-1]


def test_the_example_index_is_the_letter_of_the_batch_sum_at_one_place_of_every_quantity():
    ix = example_index(_readings(ROWS))
    assert ix is not None and ix.letter.name == "n" and ix.position == 0 and str(ix.size) == "N"


def test_a_unit_letter_is_no_example_index():
    # k runs from 1 too, at the last place of y_{nk} and t_{nk}, but w_{jk} beside w_{ij}: a unit's letter
    text = ROWS + "$$u^{(l+1)}_{nk} = \\sum_j y^{(l)}_{nj} w^{(l+1)}_{jk}$$\n"
    assert example_index(_readings(text)).letter.name == "n"
    assert example_index(_readings("$$E = \\sum_{k=1}^{K} (y_k - t_k)^2$$\n")) is None


def _gradient_step():
    """The example index of ROWS, the letters n, i, j, y, δ, w, N and ∂E/∂w_{ij}."""
    n, i, j = (sp.Symbol(c, integer=True) for c in "nij")
    y, d, w = sp.IndexedBase("y^{(l-1)}"), sp.IndexedBase("\\delta^{(l)}"), sp.IndexedBase("w^{(l)}")
    return example_index(_readings(ROWS)), n, i, j, y, d, w, sp.Symbol("N", integer=True), \
        sp.Derivative(sp.Symbol("E"), w[i, j])


def test_a_step_is_read_at_one_example_and_a_batch_sum_becomes_its_term():
    ix, n, i, j, y, d, w, N, grad = _gradient_step()
    out = one_example((grad, sp.Sum(y[n, i] * d[n, j], (n, 1, N)) / N), ix)
    assert [tex(e) for e in out] == [tex(grad), tex(y[i] * d[j] / N)]


def test_a_side_not_linear_in_a_batch_sum_and_a_free_example_on_one_side_are_kept_as_written():
    ix, n, i, j, y, d, w, N, grad = _gradient_step()
    assert one_example((grad, sp.Sum(y[n, i] * d[n, j], (n, 1, N)) ** 2), ix) is None  # (Σ_n f)² is no f²
    assert one_example((grad, y[n, i] * d[n, j]), ix) is None  # free n on one side: the index rule's
    assert one_example((grad, w[i, j]), ix) is None  # nothing of an example on the right


def test_the_gradient_of_a_batch_written_with_the_example_index_is_proved():
    c = _last(ROWS + "$$\\frac{\\partial E}{\\partial w^{(L)}_{jk}} = \\sum_{n=1}^{N} \\delta^{(L)}_{nk} y^{(L-1)}_{nj}$$\n")
    assert c.status == "proved", c.reason


def test_a_spurious_one_over_n_is_refuted():
    # E is the sum over the batch: the gradient carries no 1/N (a batch of two equal examples)
    c = _last(ROWS + "$$\\frac{\\partial E}{\\partial w^{(L)}_{jk}} = \\frac{1}{N} \\sum_{n=1}^{N} "
                     "\\delta^{(L)}_{nk} y^{(L-1)}_{nj}$$\n", timeout=30.0)  # its witness is checked through two layers
    assert c.status == "refuted", c.reason


def test_a_missing_sum_over_the_batch_is_refuted_not_proved_at_one_example():
    # read at one example, Σ_n δ y and δ y agree: the chain is kept as written (free n on one side)
    c = _last(ROWS + "$$\\frac{\\partial E}{\\partial w^{(L)}_{jk}} = \\delta^{(L)}_{nk} y^{(L-1)}_{nj}$$\n")
    assert c.status != "proved", c.method


def test_a_stated_batch_matrix_is_read_entry_by_entry_with_its_rows_the_examples():
    text = ROWS + ("$(Y^{(l)})_{nj} = y^{(l)}_{nj}$ and $(U^{(l)})_{nj} = u^{(l)}_{nj}$.\n\n"
                   "$$Y^{(l)} = f(U^{(l)})$$\n")
    c = _last(text)
    assert c.status == "proved" and "entry" in c.reason, c.reason


def test_a_statement_of_entries_is_never_refuted_by_its_shapes():
    text = ROWS + "The weight matrix $W^{(l)} = (w^{(l)}_{ij})$ is $n_{l-1} \\times n_l$.\n"
    assert all(c.status != "refuted" for c in check_text(text, timeout=5.0).claims)
