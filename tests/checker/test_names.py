"""Names and printing (checker/names.py)."""

import sympy as sp

from symbackprop.checker.names import tex


def test_a_number_too_long_for_str_is_printed_as_such():
    """Python refuses str() of an integer past 4,300 digits (a fuzz seed wrote 10^{10^4}): the
    fallback printer must not raise either — printing never stops a check."""
    huge = sp.Integer(10) ** 5000
    assert tex(huge * sp.Symbol("x")) == "(a number too long to print)"
    assert tex(sp.Symbol("x") + 1) == "x + 1"
