"""The closed-form evaluator against SymPy's own route (instantiate: xreplace, doit, resolve)."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.instantiate import instantiate, parameter_table
from symbackprop.spec import load
from symbackprop.verifier.closed import ClosedForms, OutOfRange, Unreadable
from symbackprop.verifier.formal import RealDomain
from symbackprop.verifier.randomized import sympy_value
from symbackprop.verify import default_sizes, entries_of

SPECS = sorted((Path(__file__).resolve().parents[2] / "derivations").glob("*.toml"))


def rational_point(sizes, biases, seed: int = 5) -> dict[tuple, Fraction]:
    rng = random.Random(seed)
    return {k: Fraction(rng.randint(1, 99), 100) if k[0] == "t" else Fraction(rng.randint(-99, 99) or 1, 53)
            for k in parameter_table(sizes, biases)}


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_entry_agrees_with_the_instantiated_closed_form(spec):
    d = derive(load(spec))
    sizes = default_sizes(d.network)
    biases = [l.bias for l in d.network.layers]
    at = rational_point(sizes, biases)
    inst = instantiate(d, sizes)
    names = parameter_table(sizes, biases)
    checked = 0
    with mpmath.workdps(40):
        dom = RealDomain()
        cf = ClosedForms(d, sizes, dom, {k: dom.const(v) for k, v in at.items()})
        values = {names[k]: mpmath.mpf(v.numerator) / v.denominator for k, v in at.items()}
        for group in entries_of(d.network, sizes):
            for e in group:
                ours = cf.entry(e.layer, e.quantity, e.key)
                theirs = sympy_value(inst.entries(e.layer, e.quantity)[e.key], values)
                assert abs(ours - theirs) < mpmath.mpf(10) ** -30 * max(1, abs(theirs)), e.name
                checked += 1
    assert checked == sum(len(g) for g in entries_of(d.network, sizes))


def test_a_weight_that_does_not_exist_is_out_of_range():
    d = derive(load(SPECS[0].parent / "regression.toml"))
    net = d.network
    s, j = net.symbols[2], net.symbols[1].index
    ld = d.layer(2)
    swapped = ld.input.rhs.xreplace({s.w[j, s.index]: s.w[s.index, j]})
    cf = ClosedForms(d, (3, 2, 3), RealDomain(), {k: 1 for k in parameter_table((3, 2, 3), [False, True, True])})
    with pytest.raises(OutOfRange, match="not a parameter"):
        cf.expression(swapped, {j: 3})


def test_unreadable_forms_are_refused():
    d = derive(load(SPECS[0].parent / "perceptron.toml"))
    s = d.network.symbols[1]
    cf = ClosedForms(d, (2, 1), RealDomain(), {k: 1 for k in parameter_table((2, 1), [False, True])})
    with pytest.raises(Unreadable):
        cf.expression(sp.sqrt(s.u[s.index]), {s.index: 1})
    with pytest.raises(Unreadable):
        cf.expression(sp.Abs(s.u[s.index]), {s.index: 1})
    with pytest.raises(Unreadable):
        cf.expression(sp.Symbol("zeta"), {})


def test_kronecker_delta_and_nested_sums():
    d = derive(load(SPECS[0].parent / "perceptron.toml"))
    i, k = sp.symbols("i k")
    n = d.network.layers[1].size
    cf = ClosedForms(d, (2, 3), RealDomain(), {})
    expr = sp.Sum(sp.Sum(sp.KroneckerDelta(i, k) * (i + 2 * k), (i, 1, n)), (k, 1, n))
    assert cf.expression(expr, {}) == 3 * (1 + 2 + 3)
