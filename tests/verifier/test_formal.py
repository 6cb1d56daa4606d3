"""Exact values with degree bounds, freed atoms keyed on values, the real functions."""

from __future__ import annotations

import operator
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symbackprop.rules.forms import Degenerate
from symbackprop.verifier.formal import Formal, FormalDomain, RealDomain, difference_bound

A, B, C = sp.symbols("a b c")
SYMBOLS = (A, B, C)


def trees(depth: int = 4):
    """Rational functions of a, b, c as (SymPy expression, builder over Formal values)."""
    leaf = st.one_of(st.sampled_from(SYMBOLS), st.integers(-3, 3).map(sp.Integer))
    return st.recursive(leaf, lambda sub: st.one_of(
        st.tuples(st.sampled_from("+-*/"), sub, sub),
        st.tuples(st.just("^"), sub, st.integers(-2, 3))), max_leaves=12)


OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
       "^": operator.pow}


def build(t, leaf):
    """The tree with each leaf replaced by ``leaf(leaf)``; exponents stay integers."""
    if not isinstance(t, tuple):
        return leaf(t)
    op, x, y = t
    return OPS[op](build(x, leaf), y if op == "^" else build(y, leaf))


@settings(max_examples=150, deadline=None)
@given(trees(), st.lists(st.integers(-10**6, 10**6), min_size=3, max_size=3))
def test_value_is_exact_and_degrees_are_bounds(tree, point):
    values = {s: Formal(Fraction(v), 1, 0) for s, v in zip(SYMBOLS, point)}
    try:
        f = build(tree, lambda s: values[s] if isinstance(s, sp.Symbol) else Formal(Fraction(int(s))))
    except ZeroDivisionError:
        return
    expr = build(tree, lambda s: s)
    if expr.has(sp.zoo, sp.nan):
        return
    exact = expr.subs({s: v for s, v in zip(SYMBOLS, point)})
    if exact.has(sp.zoo, sp.nan):
        return
    assert f.q == Fraction(int(sp.numer(exact)), int(sp.denom(exact)))
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    if num != 0:
        assert sp.Poly(num, *SYMBOLS).total_degree() <= f.num
        assert sp.Poly(den, *SYMBOLS).total_degree() <= f.den


def test_degree_rules():
    x = Formal(Fraction(3), 1, 0)
    assert (x * x + 1).num == 2 and (x * x + 1).den == 0
    assert ((x + 1) / (x * x)).num == 1 and ((x + 1) / (x * x)).den == 2
    assert (x ** -3).num == 0 and (x ** -3).den == 3
    with pytest.raises(TypeError):
        x ** Fraction(1, 2)
    assert difference_bound(x * x, x, 2 ** 64) == 2 / 2 ** 64


def test_atoms_are_keyed_on_values_and_reflected():
    dom = FormalDomain(random.Random(1))
    v = dom.draw() * 3 + 1
    same = dom.draw() * 0 + v.q           # another route to the same value
    assert dom.apply("sigma", v) == dom.apply("sigma", same)
    assert dom.apply("sigma", v) != dom.apply("tanh", v)
    assert dom.apply("sigma", -v) == 1 - dom.apply("sigma", v)
    assert dom.apply("tanh", -v) == -dom.apply("tanh", v)
    assert dom.apply("H", -v) == 1 - dom.apply("H", v)
    assert dom.apply("relu", -v) == dom.apply("relu", v) - v
    assert dom.apply("softplus", -v) == dom.apply("softplus", v) - v
    assert dom.apply("exp", -v) * dom.apply("exp", v) == Formal(Fraction(1))
    assert dom.apply("log", -v) != dom.apply("log", v)   # log has no reflection
    with pytest.raises(ValueError):
        dom.apply("sinh", v)


def test_collision_bound_counts_pairs_of_applications():
    dom = FormalDomain(random.Random(2))
    assert dom.collision_bound() == 0
    for _ in range(10):
        dom.apply("exp", dom.draw() * dom.draw())   # argument degree 2
    # 2 · C(10, 2) · 2 · 2 / 2^64
    assert dom.collision_bound() == pytest.approx(2 * 45 * 2 * 2 / 2 ** 64)


def test_real_functions():
    dom = RealDomain()
    with mpmath.workdps(30):
        assert dom.apply("sigma", dom.const(0)) == mpmath.mpf(1) / 2
        assert dom.apply("log", dom.const(-2)) == mpmath.log(2)      # log|v|: same derivative
        assert dom.apply("relu", dom.const(Fraction(-1, 3))) == 0
        assert dom.apply("softplus", dom.const(0)) == mpmath.log(2)
        with pytest.raises(Degenerate):
            dom.apply("H", dom.const(0))
        with pytest.raises(Degenerate):
            dom.apply("log", dom.const(0))
