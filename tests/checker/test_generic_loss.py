"""The loss's gradient by a kept layer made an unknown (checker/frozen.generic_loss, used by
checker/chain.generic_first), the quantities the definitions bring in kept when no derivative acts
on them (frozen.identity_in_quantities), and one kept quantity alone (frozen.narrower)."""

from pathlib import Path

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.frozen import generic_loss, identity_in_quantities, narrower
from symbackprop.checker.table import SymbolTable

p, q, q2 = sp.symbols("p q q'", integer=True)
c, h = sp.symbols("c h", integer=True, positive=True)
u, w, y, b, t, delta = (sp.IndexedBase(n) for n in ("u", "w", "y", "b", "t", "delta"))
E = sp.Symbol("E")
U_Q = ("u", ("q",))


def _output_layer() -> SymbolTable:
    """u_q = Σ_p y_p w_{pq} + b_q, y_p = tanh(u_p), y_q = softmax, E = −Σ t log y, δ_q = ∂E/∂u_q."""
    table = SymbolTable(layered=True)
    table.define(y[p], sp.tanh(u[p]), 1)
    table.define(u[q], sp.Sum(y[p] * w[p, q], (p, 1, h)) + b[q], 2)
    table.define(y[q], sp.exp(u[q]) / sp.Sum(sp.exp(u[q2]), (q2, 1, c)), 3)
    table.define(E, -sp.Sum(t[q] * sp.log(y[q]), (q, 1, c)), 4)
    table.define(delta[q], sp.Derivative(E, u[q]), 5)
    return table


def test_the_gradient_by_a_kept_quantity_is_one_unknown_on_both_sides():
    table = _output_layer()
    s = sp.Symbol("s")
    sides = generic_loss(table, sp.Derivative(E, u[q]) * s, delta[q] * s, frozenset({U_Q}))
    assert sides is not None
    lhs, rhs, names = sides
    assert lhs == rhs and names == "∂E/∂u_{q}"
    assert not lhs.has(E) and not lhs.has(sp.Derivative)


@pytest.mark.parametrize("a", [
    E + sp.Derivative(E, u[q]),            # the loss itself, not only its gradient
    sp.Derivative(E, w[p, q]),             # by a quantity not kept
    sp.Derivative(sp.Derivative(E, u[q]), w[p, q]),  # the gradient differentiated again
])
def test_the_loss_used_otherwise_is_not_made_generic(a):
    assert generic_loss(_output_layer(), a, delta[q], frozenset({U_Q})) is None


def test_the_quantities_a_definition_brings_in_are_kept_when_no_derivative_acts_on_them():
    """∂u_q/∂b_q: y_p comes in with the definition of u_q, and does not depend on b_q."""
    table = _output_layer()
    kept = identity_in_quantities(table, sp.Derivative(u[q], b[q]), sp.Integer(1))
    assert ("y", ("p",)) in kept and ("u", ("p",)) in kept
    assert U_Q not in kept


def test_one_kept_quantity_alone_is_offered():
    """Σ_{q'} ∂E/∂y_{q'} ∂y_{q'}/∂u_q: with y kept too, 1/y_{q'} stays a variable that the
    softmax derivative cannot cancel; u_q alone is a valid kept set."""
    table = _output_layer()
    a = sp.Sum(sp.Derivative(E, y[q2]) * sp.Derivative(y[q2], u[q]), (q2, 1, c))
    options = narrower(table, a, sp.Integer(0), frozenset({U_Q, ("y", ("q",))}))
    assert frozenset({U_Q}) in options
    assert narrower(table, a, sp.Integer(0), frozenset({U_Q})) == []


#: The forward pass and loss of reports/deep_tanh_relu.en.md: tanh, ReLU, tanh, softmax.
NETWORK = (Path(__file__).resolve().parents[2] / "reports" / "deep_tanh_relu.en.md").read_text(
    encoding="utf-8").split("## Layer 4")[0] + "\n$$\\delta_{q} = \\frac{\\partial E}{\\partial u_{q}}$$\n\n$$CLAIM$$\n"


def _last(claim: str):
    return check_text(NETWORK.replace("CLAIM", claim), timeout=5.0).claims[-1]


def test_a_first_layer_gradient_is_proved_with_the_loss_generic():
    """Written out through four layers, this step ran out of its 5 s; with ∂E/∂u_j unknown it
    is G_j ∂u_j/∂w_ij = G_j x_i — and ∂E/∂w_ij, taken through u_j, the same."""
    c = _last(r"\frac{\partial E}{\partial u_{j}} \frac{\partial u_{j}}{\partial w_{ij}} = \delta_{j} x_{i}")
    assert c.status == "proved", c.reason
    assert "∂E/∂u_{j} kept unknown" in c.method
    c = _last(r"\frac{\partial E}{\partial w_{ij}} = \delta_{j} x_{i}")
    assert c.status == "proved" and "∂E/∂u_{j} kept unknown" in c.method, c.reason


def test_an_error_signal_stops_at_the_layer_its_right_side_names():
    """δ_j = (1 − tanh² u_j) Σ_k δ_k w_{jk}: ∂E/∂u_j goes through u_k, and ∂E/∂u_k — a
    pre-activation itself — stays: the unknown is ∂E/∂u_k, not ∂E/∂u_p a layer further up."""
    c = _last(r"\delta_{j} = \left(1 - \tanh^{2}{\left(u_{j} \right)}\right) \sum_{k=1}^{h_{2}} \delta_{k} w_{jk}")
    assert c.status == "proved", c.reason
    assert "∂E/∂u_{k} kept unknown" in c.method


def test_an_output_weight_gradient_keeps_the_input_as_written():
    """∂E/∂w_{pq} = δ_q y_p: y_p, on which no derivative acts, is no longer written out through
    three layers while the step is taken through u_q (chain._applied_keeping_cuts)."""
    c = _last(r"\frac{\partial E}{\partial w_{pq}} = \delta_{q} y_{p}")
    assert c.status == "proved", c.reason


@pytest.mark.slow
@pytest.mark.parametrize("claim", [
    r"\frac{\partial E}{\partial u_{j}} \frac{\partial u_{j}}{\partial w_{ij}} = 2 \delta_{j} x_{i}",
    r"\frac{\partial E}{\partial w_{ij}} = \delta_{i} x_{j}",
    r"\frac{\partial E}{\partial b_{j}} = \delta_{j} x_{i}",
    r"\frac{\partial E}{\partial x_{i}} = \sum_{j=1}^{h_{1}} \delta_{j} w_{ji}",
])
def test_a_wrong_first_layer_gradient_is_never_proved(claim):
    assert _last(claim).status != "proved"
