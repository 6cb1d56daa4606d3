"""The kernels a generated module may define, each with its identity as docstring, per target.

:mod:`symbackprop.codegen_render` copies into the written module only the kernels its
formulas call, in the target's library (the NumPy module imports NumPy only, the torch module
torch only).  The network functions' kernels (σ, ReLU, softplus, H) are their rows' in the
notation table (:mod:`symbackprop.rules.function_rows`); the forward product ``linear`` and
softmax with its row log-sum-exp are here.  Every kernel takes ``out=`` (the buffer to write; None: a new array).  A torch kernel compares with the
module constant ``_C0`` (a 0-d DTYPE tensor): a Python scalar argument costs torch a
wrapped tensor per call (≈ 3 µs, measured), more than the op itself at small sizes.
"""

from __future__ import annotations

from .codegen_plan import CodegenError
from .rules.forms import Kernel
from .rules.notation_table import rows

#: the kernels of the written module that are no network function's
OWN_KERNELS: dict[str, Kernel] = {k.name: k for k in (
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


def kernel(name: str) -> Kernel:
    """The kernel called ``name``: one of :data:`OWN_KERNELS` or a notation row's."""
    if name in OWN_KERNELS:
        return OWN_KERNELS[name]
    for r in rows():
        if r.kernel is not None and r.kernel.name == name:
            return r.kernel
    raise CodegenError(f"no kernel {name!r} (add it to a notation row or to symbackprop.codegen_kernels)")
