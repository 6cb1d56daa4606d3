r"""Vectors read at width one (checker/width_one.py): the scalar reading of a vector step is its
instance with one entry per vector, so it may refute the step and never prove it; and it is
used only when nothing in the step ties a vector to its entries."""

import pytest

from symbackprop.checker import check_text
from symbackprop.checker.width_one import READING, letter

# u is a vector here (written with and without indices), so its steps are vector steps.
VECTOR_U = r"""
$$u_j = \sum_i w_{ij} x_i$$

$$y_j = \tanh(u_j)$$

For the vector $u$ the derivative of the activation is

$$CLAIM$$
"""


def _last(claim: str):
    result = check_text(VECTOR_U.replace("CLAIM", claim), timeout=5.0)
    return [c for c in result.claims if c.line > 5][-1]


def test_a_wrong_derivative_of_an_entrywise_function_is_refuted_at_width_one():
    c = _last(r"\frac{d}{du} \tanh(u) = 1 + \tanh^2(u)")
    assert c.status == "refuted"
    assert READING in c.method


def test_an_entrywise_step_is_proved_as_before_without_naming_the_instance():
    c = _last(r"\frac{d}{du} \tanh(u) = 1 - \tanh^2(u)")
    assert c.status == "proved"
    assert READING not in c.method


def test_a_product_of_vectors_is_not_proved_through_the_instance():
    c = _last(r"\mathbf{a} \mathbf{b} = \mathbf{b} \mathbf{a}")   # commutes at width one only
    assert c.status == "inconclusive"
    assert c.category == "vector"


@pytest.mark.parametrize("claim", [
    r"\frac{d}{du} \tanh(u) = 1 + \tanh^2(u_j)",       # the vector and its entry: unrelated as scalars
    r"\frac{d}{du} \tanh(u) = \sum_i (1 - \tanh^2(u))",  # a sum over a width the witness may choose
    r"\frac{d}{du} \tanh(u) = (1 - \tanh^2(u))^\top",   # a transpose (read as an unknown function)
])
def test_steps_that_tie_a_vector_to_its_entries_or_size_are_not_read_at_width_one(claim):
    c = _last(claim)
    assert c.status != "refuted" or READING not in c.method


@pytest.mark.parametrize("name, expected", [
    (r"\mathbf{u}^{l}", "u"), (r"\bm{y}", "y"), (r"\delta_k", r"\delta"), ("W^{l+1}", "W"), ("E", "E"),
])
def test_letter(name, expected):
    assert letter(name) == expected


def test_the_method_reads_in_japanese():
    from symbackprop.render.translate import Translator
    tr = Translator("ja")
    out = tr.rich(READING)
    assert not tr.leftovers and "幅 1" in out
