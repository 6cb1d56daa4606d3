"""Top-level comma lists in a row: items are statements; a range or an inequality after a
comma is a condition of the item before it; an ellipsis ends a list; ``\\in`` declares."""

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.latex.parse import parse_math

k = sp.Symbol("k", integer=True)
n, K, u = sp.Symbol("n", integer=True), sp.Symbol("K"), sp.Symbol("u")


def chains(tex):
    return [(c.exprs, c.ops, c.conditions) for c in parse_math(tex).chains]


@pytest.mark.parametrize("tex, n_chains, ops", [
    (r"y_1 = 0.15, y_2 = 0.85", 2, [("=",), ("=",)]),
    (r"w_{11}, w_{21}, \dots", 2, [(), ()]),
    (r"y_1^{L}, y_2^{L}, \ldots,", 2, [(), ()]),
    (r"\frac{\partial E}{\partial w_{ij}},\ \frac{\partial E}{\partial y_{j}}", 2, [(), ()]),
    (r"a = b, \quad c = d", 2, [("=",), ("=",)]),
])
def test_a_list_is_read_item_by_item(tex, n_chains, ops):
    got = parse_math(tex)
    assert not got.unparsed
    assert len(got.chains) == n_chains and [c.ops for c in got.chains] == ops


@pytest.mark.parametrize("tex", [
    r"a_k = b_k, \quad k = 1, \dots, n",
    r"a_k = b_k, k = 1, 2, \ldots, n",
    r"a_k = b_k \quad (k = 1, \dots, n)",
])
def test_a_range_after_a_comma_is_a_condition_not_a_claim(tex):
    (exprs, ops, conds), = chains(tex)
    assert ops == ("=",) and conds == ((sp.Ge(k, 1), sp.Le(k, n)),)


def test_an_inequality_after_a_comma_is_a_condition_of_the_item_before():
    (exprs, ops, conds), = chains(r"r'(u) = 1, u > 0")
    assert ops == ("=",) and conds == ((u > 0,),)


def test_function_arguments_keep_their_commas():
    (exprs, ops, _), = chains(r"f(a, b) = a")
    assert isinstance(exprs[0], sp.Function("f")(sp.Symbol("a"), sp.Symbol("b")).func)


def test_a_membership_is_a_declaration_and_never_a_claim():
    r = check_text("Let $$W \\in \\mathbb{R}^{2 \\times 3}$$ be the weights.\n", timeout=3.0)
    assert not r.unparsed
    assert [(c.status, c.category) for c in r.claims] == [("inconclusive", "declaration")]


def test_listed_values_are_checked_one_by_one():
    r = check_text("$$a = 2 + 2, \\quad b = 3 \\times 11 + 2 = 33$$\n", timeout=3.0)
    assert [c.status for c in r.claims if c.category != "definition"] == ["refuted"]


@pytest.mark.parametrize("tex", [r"\times", r"\sigma'", r"f_L'", r"\sum_{j'}", r"\odot \sigma'(z^l)", r"\leftarrow"])
def test_a_mention_of_notation_is_read_without_a_claim(tex):
    got = parse_math(tex)
    assert got.chains == () and got.unparsed == ()


@pytest.mark.parametrize("tex", [r"x +", r"\frac{a}", r"a = )", r"\odot )", r"\times \frac{a}"])
def test_a_broken_formula_is_no_mention(tex):
    with pytest.raises(Exception):
        parse_math(tex)
