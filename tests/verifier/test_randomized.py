"""The randomized identity test: proves with a stated bound, never passes a difference."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive import Assumption, Derivation, derive
from symbackprop.rules import sigmoid
from symbackprop.spec import load
from symbackprop.verifier.formal import FormalDomain
from symbackprop.verifier.randomized import (TARGET_BOUND, AssumptionError, identity_test,
                                             parameter_keys, real_comparison, solve_assumptions)
from symbackprop.verify import entries_of

DERIVATIONS = Path(__file__).resolve().parents[2] / "derivations"


def spec(name: str) -> Derivation:
    return derive(load(DERIVATIONS / f"{name}.toml"))


def keys(d: Derivation, sizes) -> list:
    return [(e.layer, e.quantity, e.key) for g in entries_of(d.network, sizes) for e in g]


def change_delta(d: Derivation, layer: int, change) -> Derivation:
    ld = d.layer(layer)
    r = ld.delta
    steps = r.steps + (dataclasses.replace(r.steps[-1], expr=change(r.rhs), rule="mutation"),)
    ld = dataclasses.replace(ld, delta=dataclasses.replace(r, steps=steps))
    return dataclasses.replace(d, layers=tuple(ld if l.layer == layer else l for l in d.layers))


@pytest.mark.parametrize("name,sizes", [("classification", (12, 12, 12)), ("regression", (16, 16, 16)),
                                        ("deep_tanh_relu", (5, 4, 6, 3, 4))])
def test_correct_closed_forms_are_identities_within_the_bound(name, sizes):
    d = spec(name)
    out = identity_test(d, sizes, keys(d, sizes), seed=7)
    assert {r.kind for r in out} == {"same"}
    assert all(0 < r.bound <= TARGET_BOUND for r in out)


def test_a_difference_of_ten_to_the_minus_forty_is_found():
    """Exact arithmetic: a perturbation far below any floating-point precision differs."""
    d = spec("classification")
    s = d.network.symbols[2]
    tiny = change_delta(d, 2, lambda e: e + sp.Rational(1, 10 ** 40) * s.y[s.index])
    out = identity_test(tiny, (3, 3, 3), keys(tiny, (3, 3, 3)), seed=1)
    by_entry = dict(zip(keys(tiny, (3, 3, 3)), out))
    assert by_entry[(2, "delta", (1,))].kind == "differs"
    assert by_entry[(1, "delta", (1,))].kind == "differs"      # δ^1 is built from δ^2
    assert by_entry[(2, "input", (1,))].kind == "differs"


def test_a_formal_difference_of_equal_real_functions():
    """σ(u) written as 1/(1 + e^{−u}): a different formal expression, the same real function."""
    d = spec("classification")
    s = d.network.symbols[1]
    u = s.u[s.index]
    written = change_delta(d, 1, lambda e: e.xreplace({sigmoid(u): 1 / (1 + sp.exp(-u))}))
    ks = [(1, "delta", (1,)), (1, "delta", (2,))]
    assert {r.kind for r in identity_test(written, (2, 2, 2), ks, seed=3)} == {"differs"}
    assert {r.kind for r in real_comparison(written, (2, 2, 2), ks, 3, seed=3, digits=50)} == {"same"}


def test_real_comparison_finds_a_witness():
    d = spec("classification")
    wrong = change_delta(d, 2, lambda e: -e)
    out = real_comparison(wrong, (2, 2, 2), [(2, "delta", (1,))], 3, seed=2, digits=50)
    assert out[0].kind == "differs" and set(out[0].point) >= {"x_1", "w1_1_1", "t_1", "t_2"}
    assert sum(Fraction(v) for k, v in out[0].point.items() if k.startswith("t_")) == 1  # Σ t = 1


def test_assumptions_are_solved_for_one_target():
    d = spec("classification")
    sizes = (2, 2, 4)
    dom = FormalDomain(__import__("random").Random(4))
    params = {k: dom.draw() for k in parameter_keys(d, sizes)}
    solved = solve_assumptions(d, sizes, dom, params)
    assert sum(solved["t", k].q for k in range(1, 5)) == 1
    assert solved["t", 4].num <= 2 and solved["t", 4].den <= 1      # affine in the others
    k = d.network.symbols[2].index
    t = d.network.target
    n = d.network.layers[2].size
    squared = dataclasses.replace(d, assumptions=(Assumption(sp.Sum(t[k] ** 2, (k, 1, n)), sp.Integer(1), "x"),))
    with pytest.raises(AssumptionError, match="not affine"):
        solve_assumptions(squared, sizes, dom, {kk: dom.draw() for kk in parameter_keys(d, sizes)})


def test_unreadable_closed_forms_are_errors_not_verdicts():
    d = spec("classification")
    s = d.network.symbols[1]
    odd = change_delta(d, 1, lambda e: e * sp.Abs(s.u[s.index]))
    out = identity_test(odd, (2, 2, 2), [(1, "delta", (1,))], seed=1)
    assert out[0].kind == "error" and "Abs" in out[0].reason
