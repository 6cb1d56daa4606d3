"""The kernels a generated module may define, each with its identity as docstring, per target.

:mod:`symbackprop.codegen_render` copies into the written module only the kernels its
formulas call (σ, ReLU, softplus, H, softmax with its row log-sum-exp), in the target's
library: the NumPy module imports NumPy only, the torch module torch only.  Every kernel
takes ``out=`` (the buffer to write; None: a new array).  A torch kernel compares with the
module constant ``_C0`` (a 0-d DTYPE tensor): a Python scalar argument costs torch a
wrapped tensor per call (≈ 3 µs, measured), more than the op itself at small sizes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kernel:
    """A function of the written module: its name and its source for each target (docstring = identity)."""

    name: str
    numpy: str
    torch: str
    constants: tuple[str, ...] = ()     # scalars the torch source reads as 0-d constants (_C0 = 0)

    @property
    def source(self) -> str:
        """The NumPy source (the default target)."""
        return self.numpy


KERNELS: dict[str, Kernel] = {k.name: k for k in (
    Kernel("linear", '''\
def linear(b, y, w, out=None):
    """y w + b (b None: no bias)."""
    out = np.matmul(y, w, out=out)
    if b is not None:
        out += b
    return out
''', '''\
def linear(b, y, w, out=None):
    """y w + b (b None: no bias), by torch.addmm / torch.mm.

    For a short y (≤ 128 rows) and a long inner dimension (≥ 1024), the product is summed
    over blocks of 512 rows of w: on MKL one call takes 1.3–1.4× longer there (measured,
    batch 64, widths 1024 and 2048, float32 and float64; benchmarks/bench_codegen.py).
    """
    rows, inner = y.shape
    if rows > 128 or inner < 1024:
        return torch.mm(y, w, out=out) if b is None else torch.addmm(b, y, w, out=out)
    out = torch.mm(y[:, :512], w[:512], out=out) if b is None else torch.addmm(b, y[:, :512], w[:512], out=out)
    for k in range(512, inner, 512):
        out.addmm_(y[:, k:k + 512], w[k:k + 512])
    return out
'''),
    Kernel("sigmoid", '''\
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
'''),
    Kernel("relu", '''\
def relu(u, out=None):
    """ReLU(u) = max(0, u)."""
    return np.maximum(u, 0.0, out=out)
''', '''\
def relu(u, out=None):
    """ReLU(u) = max(0, u)."""
    return torch.clamp_min(u, _C0, out=out)
''', ("0",)),
    Kernel("softplus", '''\
def softplus(u, out=None):
    """softplus(u) = log(1 + e^{u}), as log(e^0 + e^u) without overflow."""
    return np.logaddexp(0.0, u, out=out)
''', '''\
def softplus(u, out=None):
    """softplus(u) = log(1 + e^{u}), as log(e^u + e^0) without overflow (exact: no threshold)."""
    return torch.logaddexp(u, _C0, out=out)
''', ("0",)),
    Kernel("heaviside", '''\
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
''', ("0",)),
    Kernel("softmax", '''\
def softmax(u, out=None):
    """y_k = e^{u_k} / Σ_{k'} e^{u_{k'}} per row, shifted by the row maximum m (no overflow).

    Also returns L = log Σ_{k'} e^{u_{k'}} = m + log Σ_{k'} e^{u_{k'} − m} per row
    (a column), so that log y_k = u_k − L stays finite.
    """
    m = u.max(axis=1, keepdims=True)
    y = np.subtract(u, m, out=out)
    np.exp(y, out=y)
    s = y.sum(axis=1, keepdims=True)
    y /= s
    np.log(s, out=s)
    s += m
    return y, s
''', '''\
def softmax(u, out=None):
    """y_k = e^{u_k} / Σ_{k'} e^{u_{k'}} per row, shifted by the row maximum m (no overflow).

    Also returns L = log Σ_{k'} e^{u_{k'}} = m + log Σ_{k'} e^{u_{k'} − m} per row
    (a column), so that log y_k = u_k − L stays finite.
    """
    m = torch.amax(u, 1, keepdim=True)
    y = torch.sub(u, m, out=out)
    torch.exp(y, out=y)
    s = torch.sum(y, 1, keepdim=True)
    y /= s
    s.log_()
    s += m
    return y, s
'''),
)}
