"""Every rule of the registries has every form the package writes or reads it in.

An activation or loss is one registry entry (symbackprop/rules/), but each network function
(σ, ReLU, softplus and the step H of their derivatives) is also printed (LaTeX, text, MathML),
read back from LaTeX, evaluated in NumPy, written into generated code for both targets, and
defined independently by the verifier.  Forgetting one of these forms is silent in use; here
it fails, naming the rule and the form.
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.codegen import generate
from symbackprop.latex.parse import parse_math
from symbackprop.model import Layer, Network, make_size
from symbackprop.printing import latex, text
from symbackprop.render.mathml import to_mathml
from symbackprop.rules import ACTIVATIONS, LOSSES
from symbackprop.rules.functions import NETWORK_FUNCTIONS, NUMPY_FUNCTIONS
from symbackprop.verifier.closed import FUNCTION_NAMES
from symbackprop.verifier.definitions import unsupported
from symbackprop.verifier.symbolic import _FUNCTIONS as SYMENGINE_FUNCTIONS

u = sp.Symbol("u", real=True)


@pytest.mark.parametrize("name", sorted(NETWORK_FUNCTIONS))
def test_every_network_function_has_every_form(name):
    f = NETWORK_FUNCTIONS[name](u)
    tex = latex(f)
    assert name not in tex or name == "softplus", f"{name}: the LaTeX printer writes the Python name: {tex}"
    assert parse_math(tex + " = 0").chains[0].exprs[0].func == type(f), f"{name}: {tex} does not read back"
    assert "operatorname" not in to_mathml(tex).split("<annotation")[0], f"{name}: MathML of {tex}"
    assert "**" not in text(f) and text(f) != str(f) or name == "softplus", f"{name}: text {text(f)}"
    assert name in NUMPY_FUNCTIONS, f"{name}: no NumPy form (rules/functions.NUMPY_FUNCTIONS)"
    assert name in FUNCTION_NAMES, f"{name}: the verifier cannot evaluate it (verifier/closed.FUNCTION_NAMES)"
    assert name in SYMENGINE_FUNCTIONS, f"{name}: no SymEngine form (verifier/symbolic)"


def test_the_step_of_the_derivatives_has_its_forms():
    assert "Heaviside" in NUMPY_FUNCTIONS and "Heaviside" in FUNCTION_NAMES


def _net(activation: str, loss: str) -> Network:
    hidden = "tanh" if activation == "softmax" else activation
    return Network((Layer(make_size(3), "i"), Layer(make_size(2), "j", hidden), Layer(make_size(2), "k", activation)),
                   loss, f"{activation} + {loss}")


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_rule_is_defined_by_the_verifier_and_written_by_codegen(activation, loss):
    assert unsupported([activation], loss) is None, f"{activation}/{loss}: no definition in verifier/definitions"
    net = _net(activation, loss)
    for target in ("numpy", "torch"):
        source = generate(net, target=target)
        assert "def gradients" in source, f"{activation}/{loss}: no {target} code"
