"""Adding an activation is one registry entry and one notation row (symbackprop/rules/notation_table.py).

A toy activation, cube(u) = u³/3 + u with cube′(u) = 1 + u² (smooth, odd, increasing), is
added for one test with :func:`symbackprop.rules.registration.registered` — its
:class:`Activation` and its :class:`FunctionForms` row, nothing else — and then derived,
verified, evaluated (against a hand-written NumPy computation), printed in LaTeX, text and
MathML (and its LaTeX read back), proved about by the prover, and generated as code for NumPy
and torch whose loss and gradients match ``evaluate``.  A consumer that kept a private table of
functions would not know ``cube`` and fails here.  Afterwards the registries are as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from symbackprop.codegen import compile as compile_code
from symbackprop.derive import derive
from symbackprop.evaluate import evaluate
from symbackprop.latex.parse import parse_math
from symbackprop.printing import latex, text
from symbackprop.prover.engine import prove
from symbackprop.render.mathml import function_names, to_mathml
from symbackprop.rules import ACTIVATIONS
from symbackprop.rules.activations import Activation
from symbackprop.rules.forms import FunctionForms, Kernel, VerifierForm
from symbackprop.rules.notation_table import form_of, row_named
from symbackprop.rules.registration import registered
from symbackprop.spec import from_dict
from symbackprop.spec_names import printer_names
from symbackprop.verdict import Status
from symbackprop.verify import verify


# ── the toy: its SymPy function, its registry entry, its notation row ─────
class cube(sp.Function):
    """cube(u) = u³/3 + u;  cube′(u) = 1 + u²."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 + self.args[0] ** 2

    def _eval_is_real(self):
        return self.args[0].is_real


def cube_function(u: sp.Expr) -> sp.Expr:
    """f(u) = cube(u) = u³/3 + u."""
    return cube(u)


def cube_derivative(u: sp.Expr) -> sp.Expr:
    """f′(u) = 1 + u²."""
    return 1 + u ** 2


def cube_definition(u: sp.Expr) -> sp.Expr:
    """cube(u) = u³/3 + u."""
    return u ** 3 / 3 + u


def np_cube(u):
    """cube(u) = u³/3 + u."""
    return u * u * u / 3.0 + u


def real_cube(v: Any) -> Any:
    """cube(v) = v³/3 + v."""
    return v ** 3 / 3 + v


def d_cube(dom: Any, v: Any, fv: Any) -> Any:
    """cube′(v) = 1 + v²."""
    return 1 + v * v


def reflect_odd(fw: Any, w: Any) -> Any:
    """cube(−w) = −cube(w)."""
    return -fw


CUBE_KERNEL = Kernel("cube", '''\
def cube(u, out=None):
    """cube(u) = u³/3 + u (computed whole first: out may be u)."""
    v = u * u * u / 3.0 + u
    if out is None:
        return v
    out[...] = v
    return out
''', '''\
def cube(u, out=None):
    """cube(u) = u³/3 + u (computed whole first: out may be u)."""
    v = u * u * u / 3.0 + u
    return v if out is None else out.copy_(v)
''')

CUBE = Activation("cube", r"\operatorname{cube}", cube_function, cube_derivative,
                  matrix_derivative=r"(1 + {0} \odot {0})")
CUBE_ROW = FunctionForms("cube", cube, "the toy cube u³/3 + u", r"\operatorname{cube}", "cube", "cube",
                         VerifierForm("cube", real_cube, d_cube, reflect_odd),
                         numpy=np_cube, kernel=CUBE_KERNEL, reads=("cube",), definition=cube_definition)

SPEC = {"title": "toy: cube hidden layer", "loss": "sse", "layers": [
    {"size": "l", "index": "i"},
    {"size": "m", "index": "j", "activation": "cube"},
    {"size": "n", "index": "k", "activation": "identity"}]}

u = sp.Symbol("u", real=True)


@pytest.fixture
def toy():
    """The toy registered for one test (its activation and its row), then removed."""
    with registered(CUBE, CUBE_ROW):
        yield from_dict(SPEC)


def by_hand(x, t, Ws, bs) -> dict:
    """The toy network in plain NumPy: u¹ = x W¹ + b¹, y¹ = u³/3 + u, y² = y¹ W² + b²,
    E = ½ Σ (y² − t)², and its gradients by the chain rule."""
    u1 = x @ Ws[0] + bs[0]
    y1 = u1 ** 3 / 3 + u1
    y2 = y1 @ Ws[1] + bs[1]
    d2 = y2 - t
    d1 = (1 + u1 ** 2) * (Ws[1] @ d2)
    return {"loss": 0.5 * np.sum(d2 ** 2), "y": y2, "delta": [d1, d2], "dW": [np.outer(x, d1), np.outer(y1, d2)],
            "db": [d1, d2], "dx": Ws[0] @ d1}


def params(seed: int = 7, sizes=(3, 4, 2)) -> tuple:
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
    Ws = [rng.normal(scale=0.6, size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    bs = [rng.normal(scale=0.6, size=b) for b in sizes[1:]]
    return x, t, Ws, bs


# ── the toy through every consumer ─────────────────────────────────────────
def test_the_toy_is_derived_and_verified(toy):
    d = derive(toy)
    hidden = d.layer(1).delta.rhs
    assert hidden.has(toy.symbols[1].u[toy.symbols[1].index] ** 2), f"δ¹ should hold cube′ = 1 + u²: {hidden}"
    report = verify(d)
    assert report.exit_code() == 0, [c.verdict.reason for c in report.checks if c.verdict.status is not Status.PROVED]
    symbolic = verify(d, (2, 2, 2), symbolic=True)  # the SymEngine route proves every entry itself
    assert {c.verdict.method for c in symbolic.checks} == {"exact symbolic (expand) at sizes (2, 2, 2)"}


def test_a_wrong_rule_for_the_toy_is_refuted():
    """The verifier's own cube′ is independent of the registry's: a wrong rule is caught."""
    wrong = Activation("cube", r"\operatorname{cube}", cube_function, lambda v: 1 + 2 * v ** 2)
    with registered(wrong, CUBE_ROW):
        assert verify(derive(from_dict(SPEC))).exit_code() == 1


def test_the_toy_is_evaluated_as_by_hand(toy):
    x, t, Ws, bs = params()
    got = evaluate(derive(toy), {"x": x.tolist(), "t": t.tolist(), "W": [w.tolist() for w in Ws],
                                  "b": [b.tolist() for b in bs]})
    want = by_hand(x, t, Ws, bs)
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-12)
    np.testing.assert_allclose(got["y"], want["y"], rtol=1e-12)
    np.testing.assert_allclose(got["dx"], want["dx"], rtol=1e-12)
    for key in ("delta", "dW", "db"):
        for g, w in zip(got[key], want[key]):
            np.testing.assert_allclose(g, w, rtol=1e-12, err_msg=key)


def test_the_toy_is_printed_in_its_forms_and_read_back(toy):
    d = derive(toy)
    forward = next(r for r in d.forward if r.layer == 1 and r.rhs.has(cube))
    assert r"\operatorname{cube}\left(u_{j}\right)" in latex(forward.rhs, toy)
    assert "cube(u_j)" in text(forward.rhs, toy)
    mathml = to_mathml(latex(forward.rhs, toy))
    assert "<mi>cube</mi>" in mathml and "cube" in function_names()  # an operator name, spaced as TeX
    for tex in (latex(cube(u)), r"\operatorname{cube}(u)", "cube(u)"):
        read = parse_math(tex + " = 0").chains[0].exprs[0]
        assert read.func is cube and str(read.args[0]) == "u", tex
    assert any(p.shows == "cube" and "cube" in p.spellings for p in printer_names())


def test_the_prover_opens_the_toy_up(toy):
    verdict = prove(sp.Derivative(cube(u), u), 1 + u ** 2, timeout=20)
    assert verdict.status is Status.PROVED, verdict.reason
    assert prove(sp.Derivative(cube(u), u), 1 + 2 * u ** 2, timeout=20).status is Status.REFUTED


@pytest.mark.parametrize("target", ["numpy", "torch"])
def test_the_toys_generated_code_matches_evaluate(toy, target):
    if target == "torch":
        torch = pytest.importorskip("torch")
    d = derive(toy)
    code = compile_code(d, target=target)
    assert "def cube(u, out=None):" in code.source
    rows = [params(seed) for seed in range(3)]
    x0, t0, Ws, bs = rows[0]
    X, T = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    P = {"W": [w.tolist() for w in Ws], "b": [b.tolist() for b in bs]}
    each = [evaluate(d, {"x": x.tolist(), "t": t.tolist(), **P}) for x, t, _, _ in rows]
    args = (X, T, Ws, bs)
    if target == "torch":
        args = tuple(torch.as_tensor(np.asarray(a)) if not isinstance(a, list)
                     else [torch.as_tensor(w) for w in a] for a in args)
    got = code.gradients(*args)
    num = (lambda a: a.numpy()) if target == "torch" else np.asarray
    np.testing.assert_allclose(float(got["loss"]), sum(e["loss"] for e in each), rtol=1e-12)
    np.testing.assert_allclose(num(got["dx"]), np.array([e["dx"] for e in each]), rtol=1e-12)
    for n in range(2):
        np.testing.assert_allclose(num(got["dW"][n]), sum(np.array(e["dW"][n]) for e in each), rtol=1e-12)
        np.testing.assert_allclose(num(got["db"][n]), sum(np.array(e["db"][n]) for e in each), rtol=1e-12)


def test_the_registries_are_restored():
    with registered(CUBE, CUBE_ROW):
        assert form_of(cube(u)) is CUBE_ROW and ACTIVATIONS["cube"] is CUBE
    assert form_of(cube(u)) is None and row_named("cube") is None and "cube" not in ACTIVATIONS
    assert parse_math(r"\operatorname{cube}(u) = 0").chains[0].exprs[0].func is not cube
    assert not any(p.shows == "cube" for p in printer_names()) and "cube" not in function_names()


def test_an_elementwise_activation_needs_its_row():
    with pytest.raises(Exception, match="cube"):
        with registered(CUBE):
            pass
    assert "cube" not in ACTIVATIONS
