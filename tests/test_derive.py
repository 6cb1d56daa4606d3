"""The derivation engine: textbook closed forms, honest forms where nothing cancels, steps."""

from __future__ import annotations

import itertools

import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.model import Layer, Network
from symbackprop.rules import ACTIVATIONS, LOSSES, sigmoid
from symbackprop.rules.steps import STEP_RULES


def net(hidden: str, output: str, loss: str, bias: bool = True) -> Network:
    return Network((Layer("l", "i"), Layer("m", "j", hidden, bias), Layer("n", "k", output, bias)), loss)


def syms(n: Network):
    s = n.symbols
    return s[1], s[2], n.target


@pytest.mark.parametrize("output,loss", [
    ("identity", "sse"),
    ("softmax", "cross_entropy"),
    ("sigmoid", "binary_cross_entropy"),
])
def test_cancelling_pairings_give_y_minus_t(output, loss):
    n = net("sigmoid", output, loss)
    h, o, t = syms(n)
    k = o.index
    assert sp.expand(derive(n).layer(2).delta.rhs - (o.y[k] - t[k])) == 0
    assert derive(n).layer(2).delta.rhs == o.y[k] - t[k]  # literally, not just equal


def test_sigmoid_sse_keeps_honest_form():
    n = net("sigmoid", "sigmoid", "sse")
    _, o, t = syms(n)
    k = o.index
    rhs = derive(n).layer(2).delta.rhs
    assert sp.expand(rhs - (o.y[k] - t[k]) * o.y[k] * (1 - o.y[k])) == 0
    assert rhs != o.y[k] - t[k]


def test_mse_gives_two_over_n():
    n = net("tanh", "identity", "mse")
    _, o, t = syms(n)
    k = o.index
    assert sp.simplify(derive(n).layer(2).delta.rhs - 2 * (o.y[k] - t[k]) / o.size) == 0


def test_softmax_sse_keeps_full_jacobian_sum():
    n = net("sigmoid", "softmax", "sse")
    _, o, t = syms(n)
    k, kp = o.index, o.dummy
    rhs = derive(n).layer(2).delta.rhs
    expected = o.y[k] * ((o.y[k] - t[k]) - sp.Sum((o.y[kp] - t[kp]) * o.y[kp], (kp, 1, o.size)))
    concrete = {o.size: 3}
    diff = (rhs - expected).subs(concrete).doit()
    assert sp.expand(diff) == 0
    assert rhs.has(sp.Sum)


@pytest.mark.parametrize("name,fprime", [
    ("sigmoid", lambda u: sigmoid(u) * (1 - sigmoid(u))),
    ("tanh", lambda u: 1 - sp.tanh(u) ** 2),
    ("relu", lambda u: sp.Heaviside(u)),
    ("softplus", lambda u: sigmoid(u)),
    ("identity", lambda u: sp.Integer(1)),
])
def test_hidden_delta_textbook_form(name, fprime):
    n = net(name, "softmax", "cross_entropy")
    h, o, _ = syms(n)
    j, k = h.index, o.index
    expected = fprime(h.u[j]) * sp.Sum(o.delta[k] * o.w[j, k], (k, 1, o.size))
    assert sp.expand(derive(n).layer(1).delta.rhs - expected) == 0


def test_hidden_softmax_uses_full_jacobian():
    n = net("softmax", "identity", "sse")
    h, o, _ = syms(n)
    j, jp, k = h.index, h.dummy, o.index
    g = lambda i: sp.Sum(o.delta[k] * o.w[i, k], (k, 1, o.size))  # noqa: E731
    expected = h.y[j] * (g(j) - sp.Sum(h.y[jp] * g(jp), (jp, 1, h.size)))
    diff = (derive(n).layer(1).delta.rhs - expected).subs({h.size: 3, o.size: 2}).doit()
    assert sp.expand(diff) == 0


def test_weight_bias_input_gradients():
    n = net("sigmoid", "softmax", "cross_entropy")
    d = derive(n)
    for layer in (1, 2):
        s, below = n.symbols[layer], n.symbols[layer - 1]
        a, p = s.index, below.index
        ld = d.layer(layer)
        assert sp.expand(ld.weight.rhs - below.y[p] * s.delta[a]) == 0
        assert ld.bias.rhs == s.delta[a]
        assert ld.input.rhs == sp.Sum(s.delta[a] * s.w[p, a], (a, 1, s.size))


def test_no_bias_layer_has_no_bias_gradient():
    d = derive(net("tanh", "identity", "sse", bias=False))
    assert all(ld.bias is None for ld in d.layers)


@pytest.mark.parametrize("hidden,output,loss", list(itertools.product(
    sorted(ACTIVATIONS), sorted(ACTIVATIONS), sorted(LOSSES))))
def test_every_pairing_derives_without_raw_kronecker_or_piecewise(hidden, output, loss):
    d = derive(net(hidden, output, loss))
    for ld in d.layers:
        for r in ld.results:
            assert not r.rhs.has(sp.KroneckerDelta), (r.name, r.rhs)
            assert not r.rhs.has(sp.Piecewise), (r.name, r.rhs)
            assert all(step.rule in STEP_RULES for step in r.steps)


def test_steps_follow_the_seed_order():
    """Seed 000: δ_k = ∂E/∂u_k = ∂E/∂y_k ∂y_k/∂u_k, then ∂w_jk = ∂E/∂u_k ∂u_k/∂w_jk = y_j δ_k."""
    d = derive(net("sigmoid", "identity", "sse"))
    out = d.layer(2)
    assert [s.rule for s in out.delta.steps][:2] == ["definition", "chain_rule"]
    assert [s.rule for s in out.weight.steps] == ["chain_rule", "substitution"]
    names = [r.name for r in out.lemmas]
    assert names[:2] == ["loss_gradient", "activation_derivative"]
    lossgrad = out.lemmas[0]
    assert [s.rule for s in lossgrad.steps] == ["definition", "differentiation", "kronecker"]


def test_softmax_cross_entropy_states_its_assumption():
    d = derive(net("sigmoid", "softmax", "cross_entropy"))
    rules = [s.rule for s in d.layer(2).delta.steps]
    assert "assumption" in rules and "multivariate_chain_rule" in rules
    assert len(d.assumptions) == 1
    o = d.network.symbols[2]
    assert d.assumptions[0].lhs == sp.Sum(d.network.target[o.index], (o.index, 1, o.size))


def test_deep_network_derives_every_layer():
    layers = [Layer("d", "i")] + [Layer(f"h{n}", c, a) for n, (c, a) in
                                  enumerate(zip("jkpqr", ["tanh", "relu", "softmax", "sigmoid"]))]
    layers.append(Layer("c", "s", "softmax"))
    d = derive(Network(tuple(layers), "cross_entropy"))
    assert [ld.layer for ld in d.layers] == [5, 4, 3, 2, 1]
    # δ of each hidden layer refers to the δ of the layer above
    for ld in d.layers[1:]:
        above = d.network.symbols[ld.layer + 1]
        assert ld.delta.rhs.has(above.delta)
