"""The rows of the notation table for the package's own network functions: σ, H, tanh, ReLU, softplus.

Each row (:class:`~symbackprop.rules.forms.FunctionForms`) is written once here with every
form of its function; the sections below hold what the rows point to, one banner per function:
its NumPy function (no overflow), its kernel for generated code (NumPy and torch sources, each
with the identity as docstring), and the verifier's own definition (f at the reals, f′ from
v and f(v), f(−w) from f(w)) — written independently of the activation registry's rule
(:mod:`symbackprop.rules.activations`), which ``verify`` checks against it.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from .forms import Degenerate, FunctionForms, Kernel, VerifierForm
from .functions import relu, sigmoid, softplus


# ── σ, the logistic sigmoid ────────────────────────────────────────────────
def np_sigmoid(u):
    """σ(u) = 1 / (1 + e^{−u}), as e^{−log(1 + e^{−u})} (no overflow)."""
    import numpy as np

    return np.exp(-np.logaddexp(0.0, -u))


def real_sigma(v: Any) -> Any:
    """σ(v) = 1/(1 + e^{−v})."""
    return 1 / (1 + mpmath.exp(-v))


def d_sigma(dom: Any, v: Any, fv: Any) -> Any:
    """σ′(v) = σ(v)(1 − σ(v))."""
    return fv * (1 - fv)


def reflect_sigma(fw: Any, w: Any) -> Any:
    """σ(−w) = 1 − σ(w)."""
    return 1 - fw


SIGMOID_KERNEL = Kernel("sigmoid", '''\
def sigmoid(u, out=None):
    """σ(u) = 1/(1 + e^{−u}); for very negative u, e^{−u} = inf gives σ = 0 exactly."""
    with np.errstate(over="ignore"):
        e = np.negative(u, out=out)
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)
''', '''\
def sigmoid(u, out=None):
    """σ(u) = 1/(1 + e^{−u}) (torch.sigmoid: no overflow, σ = 0 exactly for very negative u)."""
    return torch.sigmoid(u, out=out)
''')


# ── H, the Heaviside step (ReLU′) ──────────────────────────────────────────
def np_heaviside(u, h0=None):
    """H(u) = 1 for u > 0, 0 for u ≤ 0: H(0) = 0 always, ReLU′(0) taken as 0 as frameworks do
    (SymPy's second argument is ignored)."""
    import numpy as np

    return np.heaviside(u, 0.0)


def real_step(v: Any) -> Any:
    """H(v) = [v > 0]; H(0) is no value (a kink of ReLU)."""
    if abs(v) < mpmath.mpf(10) ** (-(mpmath.mp.dps - 5)):
        raise Degenerate("H(0)")
    return mpmath.mpf(1) if v > 0 else mpmath.mpf(0)


def d_step(dom: Any, v: Any, fv: Any) -> Any:
    """H′(v) = 0  (v ≠ 0)."""
    return 0 * fv


def reflect_step(fw: Any, w: Any) -> Any:
    """H(−w) = 1 − H(w)  (w ≠ 0)."""
    return 1 - fw


HEAVISIDE_KERNEL = Kernel("heaviside", '''\
def heaviside(u, out=None):
    """H(u) = 1 for u > 0, else 0 (H(0) = 0: ReLU′(0) taken as 0, as frameworks do)."""
    if out is None:
        out = np.empty_like(u)
    return np.greater(u, 0.0, out=out)
''', '''\
def heaviside(u, out=None):
    """H(u) = 1 for u > 0, else 0 (H(0) = 0: ReLU′(0) taken as 0, as frameworks do)."""
    if out is None:
        out = torch.empty_like(u)
    return torch.gt(u, _C0, out=out)
''', ("0",), "Convention: ReLU′(0) = H(0) = 0, as PyTorch and JAX take it.")


# ── tanh (SymPy's, printed by SymPy; the libraries have it) ────────────────
def d_tanh(dom: Any, v: Any, fv: Any) -> Any:
    """tanh′(v) = 1 − tanh²(v)."""
    return 1 - fv * fv


def reflect_tanh(fw: Any, w: Any) -> Any:
    """tanh(−w) = −tanh(w)."""
    return -fw


# ── ReLU, the rectifier ────────────────────────────────────────────────────
def np_relu(u):
    """ReLU(u) = max(0, u)."""
    import numpy as np

    return np.maximum(u, 0.0)


def real_relu(v: Any) -> Any:
    """ReLU(v) = max(0, v)."""
    return v if v > 0 else mpmath.mpf(0)


def d_relu(dom: Any, v: Any, fv: Any) -> Any:
    """ReLU′(v) = H(v)  (v ≠ 0)."""
    return dom.apply("H", v)


def reflect_shifted(fw: Any, w: Any) -> Any:
    """softplus(−w) = softplus(w) − w;  ReLU(−w) = ReLU(w) − w."""
    return fw - w


RELU_KERNEL = Kernel("relu", '''\
def relu(u, out=None):
    """ReLU(u) = max(0, u)."""
    return np.maximum(u, 0.0, out=out)
''', '''\
def relu(u, out=None):
    """ReLU(u) = max(0, u)."""
    return torch.clamp_min(u, _C0, out=out)
''', ("0",))


# ── softplus ───────────────────────────────────────────────────────────────
def np_softplus(u):
    """softplus(u) = log(1 + e^{u}) (no overflow)."""
    import numpy as np

    return np.logaddexp(0.0, u)


def real_softplus(v: Any) -> Any:
    """softplus(v) = log(1 + e^{v})."""
    return mpmath.log1p(mpmath.exp(v))


def d_softplus(dom: Any, v: Any, fv: Any) -> Any:
    """softplus′(v) = σ(v)."""
    return dom.apply("sigma", v)


SOFTPLUS_KERNEL = Kernel("softplus", '''\
def softplus(u, out=None):
    """softplus(u) = log(1 + e^{u}), as log(e^0 + e^u) without overflow."""
    return np.logaddexp(0.0, u, out=out)
''', '''\
def softplus(u, out=None):
    """softplus(u) = log(1 + e^{u}), as log(e^u + e^0) without overflow (exact: no threshold)."""
    return torch.logaddexp(u, _C0, out=out)
''', ("0",))


# ── elementary definitions (the prover opens the functions up) ─────────────
def sigmoid_definition(u: sp.Expr) -> sp.Expr:
    """σ(u) = 1/(1 + e^{−u})."""
    return 1 / (1 + sp.exp(-u))


def relu_definition(u: sp.Expr) -> sp.Expr:
    """ReLU(u) = max(0, u)."""
    return sp.Max(0, u)


def softplus_definition(u: sp.Expr) -> sp.Expr:
    """softplus(u) = log(1 + e^{u})."""
    return sp.log(1 + sp.exp(u))


# ── the rows ───────────────────────────────────────────────────────────────
#: In this order the spec's name rules list them (``spec_names.printer_names``).
ROWS: tuple[FunctionForms, ...] = (
    FunctionForms("sigmoid", sigmoid, "the logistic sigmoid σ(u)", r"\sigma", "σ", "σ",
                  VerifierForm("sigma", real_sigma, d_sigma, reflect_sigma),
                  numpy=np_sigmoid, kernel=SIGMOID_KERNEL, reads=("sigmoid",),
                  definition=sigmoid_definition),
    FunctionForms("Heaviside", sp.Heaviside, "the Heaviside step H(u) = ReLU′(u)", "H", "H", "H",
                  VerifierForm("H", real_step, d_step, reflect_step),
                  numpy=np_heaviside, kernel=HEAVISIDE_KERNEL),
    FunctionForms("tanh", sp.tanh, "the hyperbolic tangent tanh(u)", r"\tanh", "tanh", "tanh",
                  VerifierForm("tanh", mpmath.tanh, d_tanh, reflect_tanh, symengine="tanh"),
                  reads=("tanh",), sympy_prints=True),
    FunctionForms("relu", relu, "the rectifier ReLU(u)", r"\operatorname{ReLU}", "ReLU", "ReLU",
                  VerifierForm("relu", real_relu, d_relu, reflect_shifted),
                  numpy=np_relu, kernel=RELU_KERNEL, reads=("relu", "ReLU"),
                  definition=relu_definition),
    FunctionForms("softplus", softplus, "softplus(u)", r"\operatorname{softplus}", "softplus",
                  "softplus", VerifierForm("softplus", real_softplus, d_softplus, reflect_shifted),
                  numpy=np_softplus, kernel=SOFTPLUS_KERNEL, reads=("softplus",),
                  definition=softplus_definition),
)
