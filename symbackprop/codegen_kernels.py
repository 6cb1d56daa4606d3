"""The NumPy kernels a generated module may define, each with its identity as docstring.

:mod:`symbackprop.codegen` copies into the written module only the kernels its formulas
call (σ, ReLU, softplus, H, softmax with its row log-sum-exp); the written module imports
NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kernel:
    """A NumPy function of the written module: its name and its source (docstring = identity)."""

    name: str
    source: str


KERNELS: dict[str, Kernel] = {k.name: k for k in (
    Kernel("sigmoid", '''\
def sigmoid(u, out=None):
    """σ(u) = 1/(1 + e^{−u}); for very negative u, e^{−u} = inf gives σ = 0 exactly."""
    with np.errstate(over="ignore"):
        e = np.negative(u, out=out)
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)
'''),
    Kernel("relu", '''\
def relu(u, out=None):
    """ReLU(u) = max(0, u)."""
    return np.maximum(u, 0.0, out=out)
'''),
    Kernel("softplus", '''\
def softplus(u, out=None):
    """softplus(u) = log(1 + e^{u}), as log(e^0 + e^u) without overflow."""
    return np.logaddexp(0.0, u, out=out)
'''),
    Kernel("heaviside", '''\
def heaviside(u):
    """H(u) = 1 for u > 0, else 0 (H(0) = 0: ReLU′(0) taken as 0, as frameworks do)."""
    return (u > 0).astype(u.dtype)
'''),
    Kernel("softmax", '''\
def softmax(u):
    """y_k = e^{u_k} / Σ_{k'} e^{u_{k'}} per row, shifted by the row maximum m (no overflow).

    Also returns L = log Σ_{k'} e^{u_{k'}} = m + log Σ_{k'} e^{u_{k'} − m} per row
    (a column), so that log y_k = u_k − L stays finite.
    """
    m = u.max(axis=1, keepdims=True)
    y = np.subtract(u, m)
    np.exp(y, out=y)
    s = y.sum(axis=1, keepdims=True)
    y /= s
    np.log(s, out=s)
    s += m
    return y, s
'''),
)}
