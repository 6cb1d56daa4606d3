"""Every rule of the registries has every form the package writes or reads it in.

An activation or loss is one registry entry (symbackprop/rules/), and each network function it
uses (σ, ReLU, softplus, tanh and the step H of their derivatives) is one row of the notation
table (symbackprop/rules/notation_table.py): printed (LaTeX, text, MathML), read back from
LaTeX, evaluated in NumPy, written into generated code for both targets, and defined
independently by the verifier.  Here every row is driven through every consumer; a row
lacking a form fails, naming the row and the form.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp

from symbackprop.codegen import generate
from symbackprop.codegen_kernels import kernel
from symbackprop.codegen_printer import BatchPrinter
from symbackprop.codegen_torch import TorchPrinter
from symbackprop.latex.parse import parse_math
from symbackprop.model import Layer, Network, make_size
from symbackprop.printing import latex, text
from symbackprop.render.mathml import to_mathml
from symbackprop.rules import ACTIVATIONS, LOSSES
from symbackprop.rules.forms import FunctionForms, VerifierForm
from symbackprop.rules.notation_table import form_of, numpy_functions, rows
from symbackprop.verifier.definitions import activation, function, function_name, unsupported
from symbackprop.verifier.formal import RealDomain
from symbackprop.verifier.symbolic import to_symengine

u = sp.Symbol("u", real=True)
ROWS = {r.name: r for r in rows()}


def read(tex: str) -> sp.Expr:
    return parse_math(tex + " = 0").chains[0].exprs[0]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_network_function_is_printed_in_its_forms(name):
    row = ROWS[name]
    f = row.function(u)
    assert form_of(f) is row, f"{name}: the table does not find its own function"
    tex = latex(f)
    assert tex.startswith(row.latex), f"{name}: LaTeX form {row.latex!r} not printed: {tex}"
    assert text(f) == f"{row.text}(u)", f"{name}: text form {row.text!r} not printed: {text(f)}"
    mathml = to_mathml(tex).split("<annotation")[0]
    assert f"<mi>{row.mathml}</mi>" in mathml and "operatorname" not in mathml, \
        f"{name}: MathML form {row.mathml!r} not shown: {mathml}"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_network_function_reads_back(name):
    row = ROWS[name]
    if not row.reads:
        assert name == "Heaviside", f"{name}: no reading (FunctionForms.reads)"
        return
    assert read(latex(row.function(u))).func is row.function, f"{name}: its LaTeX does not read back"
    for word in row.reads:
        for tex in (rf"\operatorname{{{word}}}(u)", f"{word}(u)"):
            assert read(tex).func is row.function, f"{name}: the reading {tex!r} is not {name}"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_network_function_is_computed_in_numpy_and_generated_code(name):
    row = ROWS[name]
    value = sp.lambdify([u], row.function(u), modules=[numpy_functions(), "numpy"])(0.7)
    assert math.isclose(float(value), float(row.verifier.real(mpmath.mpf("0.7"))), rel_tol=1e-12), \
        f"{name}: the NumPy form disagrees with the verifier's real form"
    for printer in (BatchPrinter(), TorchPrinter()):
        call = printer.function_name(row.function)
        if row.kernel is None:
            assert call.startswith(("np.", "torch.")), f"{name}: no {type(printer).__name__} form"
        else:
            assert call == row.kernel.name and kernel(call) is row.kernel, f"{name}: kernel {call!r}"
    if row.kernel is not None:
        for target in ("numpy", "torch"):
            source = getattr(row.kernel, target)
            assert f"def {row.kernel.name}(u, out=None):" in source, f"{name}: no {target} kernel"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_network_function_is_defined_by_the_verifier(name):
    """The verifier's form agrees with itself: f′ with the central difference of f, f(−w) with
    its reflection, the same function by name, in SymEngine."""
    row = ROWS[name]
    v, h, dom = mpmath.mpf("0.7"), mpmath.mpf("1e-20"), RealDomain()
    assert function_name(row.function(u)) == row.verifier.name and function(row.verifier.name) is row.verifier
    with mpmath.workdps(50):
        slope = (row.verifier.real(v + h) - row.verifier.real(v - h)) / (2 * h)
        assert abs(row.verifier.derivative(dom, v, row.verifier.real(v)) - slope) < 1e-15, \
            f"{name}: the verifier's derivative is not f′"
        if row.verifier.reflection is not None:
            assert abs(row.verifier.reflection(row.verifier.real(v), v) - row.verifier.real(-v)) < 1e-30, \
                f"{name}: the verifier's reflection is not f(−w)"
    assert to_symengine(row.function(sp.Symbol("u"))) is not None


def test_a_row_lacking_a_form_names_the_row_and_the_form():
    verifier = VerifierForm("g", mpmath.exp, lambda dom, v, fv: fv)
    with pytest.raises(ValueError, match=r"'g' lacks its mathml form"):
        FunctionForms("g", sp.exp, "a function", r"\operatorname{g}", "g", "", verifier)


def _net(activation_name: str, loss: str) -> Network:
    hidden = "tanh" if activation_name == "softmax" else activation_name
    return Network((Layer(make_size(3), "i"), Layer(make_size(2), "j", hidden),
                    Layer(make_size(2), "k", activation_name)), loss, f"{activation_name} + {loss}")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_elementwise_activation_has_the_row_of_its_function(name):
    if ACTIVATIONS[name].elementwise and name != "identity":
        assert name in ROWS, f"activation {name}: no notation row {name!r} (rules/function_rows.py)"
    assert activation(name) is not None, f"activation {name}: no definition in the verifier"


@pytest.mark.parametrize("activation_name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_rule_is_defined_by_the_verifier_and_written_by_codegen(activation_name, loss):
    assert unsupported([activation_name], loss) is None, f"{activation_name}/{loss}: no definition in the verifier"
    net = _net(activation_name, loss)
    for target in ("numpy", "torch"):
        source = generate(net, target=target)
        assert "def gradients" in source, f"{activation_name}/{loss}: no {target} code"
