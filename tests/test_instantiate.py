"""Closed forms at concrete widths: spot checks against forms computed by hand at sizes (2, 2, 2)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.errors import ModelError
from symbackprop.instantiate import instantiate
from symbackprop.model import Layer, Network
from symbackprop.rules import relu, sigmoid
from symbackprop.spec import load

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"

x1, x2 = sp.symbols("x_1 x_2")
t1, t2 = sp.symbols("t_1 t_2")


def w(n: int, p: int, a: int) -> sp.Symbol:
    return sp.Symbol(f"w{n}_{p}_{a}")


def b(n: int, a: int) -> sp.Symbol:
    return sp.Symbol(f"b{n}_{a}")


def u1(j: int) -> sp.Expr:
    """u^1_j = x_1 w^1_{1j} + x_2 w^1_{2j} + b^1_j."""
    return x1 * w(1, 1, j) + x2 * w(1, 2, j) + b(1, j)


def same(a: sp.Expr, c: sp.Expr) -> bool:
    return sp.expand(a - c) == 0


@pytest.fixture(scope="module")
def regression():
    """sigmoid hidden layer, identity output, SSE, at (2, 2, 2)."""
    return instantiate(derive(load(DERIVATIONS / "regression.toml")), (2, 2, 2))


def test_parameters_have_stable_names(regression):
    names = [s.name for s in regression.symbols]
    assert names[:2] == ["x_1", "x_2"]
    assert "w2_1_2" in names and "b1_2" in names and names[-2:] == ["t_1", "t_2"]
    assert regression.parameters[("w", 2, 1, 2)] == w(2, 1, 2)
    assert len(names) == 2 + (4 + 2) * 2 + 2


def test_regression_entries_by_hand(regression):
    s1, s2 = sigmoid(u1(1)), sigmoid(u1(2))
    y2 = {k: w(2, 1, k) * s1 + w(2, 2, k) * s2 + b(2, k) for k in (1, 2)}
    d2 = {k: y2[k] - (t1, t2)[k - 1] for k in (1, 2)}
    assert same(regression.delta[2][(1,)], d2[1])
    assert same(regression.weight[2][(1, 2)], s1 * d2[2])          # ∂E/∂w^2_{12} = y_1 δ_2
    assert same(regression.bias[2][(2,)], d2[2])
    d1 = s1 * (1 - s1) * (w(2, 1, 1) * d2[1] + w(2, 1, 2) * d2[2])  # δ^1_1 = σ′ Σ_k w_{1k} δ_k
    assert same(regression.delta[1][(1,)], d1)
    d1b = s2 * (1 - s2) * (w(2, 2, 1) * d2[1] + w(2, 2, 2) * d2[2])
    assert same(regression.input[1][(1,)], w(1, 1, 1) * d1 + w(1, 1, 2) * d1b)  # ∂E/∂x_1
    assert same(regression.weight[1][(2, 1)], x2 * d1)


def test_softmax_cross_entropy_by_hand():
    inst = instantiate(derive(load(DERIVATIONS / "classification.toml")), (2, 2, 2))
    s = [sigmoid(u1(1)), sigmoid(u1(2))]
    z = [sp.exp(w(2, 1, k) * s[0] + w(2, 2, k) * s[1] + b(2, k)) for k in (1, 2)]
    assert same(inst.delta[2][(2,)], z[1] / (z[0] + z[1]) - t2)       # δ_k = y_k − t_k
    assert inst.assumptions == {t2: 1 - t1}                           # Σ_k t_k = 1
    assert same(inst.y[2][(1,)], z[0] / (z[0] + z[1]))


def test_relu_without_bias_by_hand():
    net = Network((Layer(2, "i"), Layer(2, "j", "relu", bias=False), Layer(2, "k", "identity")), "sse")
    inst = instantiate(derive(net), (2, 2, 2))
    assert inst.bias[1] == {}
    r = [relu(x1 * w(1, 1, j) + x2 * w(1, 2, j)) for j in (1, 2)]
    d2 = [w(2, 1, k) * r[0] + w(2, 2, k) * r[1] + b(2, k) - (t1, t2)[k - 1] for k in (1, 2)]
    h = sp.Heaviside(x1 * w(1, 1, 2) + x2 * w(1, 2, 2))
    assert same(inst.delta[1][(2,)], h * (w(2, 2, 1) * d2[0] + w(2, 2, 2) * d2[1]))


def test_sizes_are_checked():
    d = derive(load(DERIVATIONS / "binary_classifier.toml"))
    with pytest.raises(ModelError, match="fixed width 1"):
        instantiate(d, (2, 2, 2))
    with pytest.raises(ModelError, match="need 3 sizes"):
        instantiate(d, (2, 1))


def test_out_of_range_index_is_not_a_parameter():
    """w_2[k, j] instead of w_2[j, k] at widths (2, 3, 2) names weights that do not exist."""
    d = derive(load(DERIVATIONS / "regression.toml"))
    s2, j = d.network.symbols[2], d.network.symbols[1].index
    ld = d.layer(2)
    rhs = ld.input.rhs.xreplace({s2.w[j, s2.index]: s2.w[s2.index, j]})
    steps = ld.input.steps + (dataclasses.replace(ld.input.steps[-1], expr=rhs),)
    bad = dataclasses.replace(ld, input=dataclasses.replace(ld.input, steps=steps))
    d = dataclasses.replace(d, layers=tuple(bad if l.layer == 2 else l for l in d.layers))
    inst = instantiate(d, (2, 3, 2))
    names = {str(e) for e in inst.input[2][(3,)].free_symbols}
    assert {"w_2[1, 3]", "w_2[2, 3]"} <= names
    assert not names & {"w2_1_3", "w2_2_3"} and "w_2[1, 3]" not in {s.name for s in inst.symbols}


def test_deep_spec_is_memoised_and_fast():
    d = derive(load(DERIVATIONS / "deep_tanh_relu.toml"))
    start = time.perf_counter()
    inst = instantiate(d, (3, 2, 3, 2, 3))
    assert time.perf_counter() - start < 5
    assert set(inst.delta) == {1, 2, 3, 4} and inst.bias[2] == {}
    assert len(inst.weight[1]) == 6 and len(inst.input[1]) == 3
    top = inst.delta[4][(1,)]
    assert any(e is top for e in sp.preorder_traversal(inst.input[4][(1,)]))  # δ^4 built once, shared
