"""Code generation: a self-contained, vectorised NumPy (or torch) module for one network.

The module is written from the derivation, in the batch form of
:mod:`symbackprop.matrix` (rows are examples, ``W{ℓ}`` has shape n_{ℓ−1} × n_ℓ):

    U{ℓ} = Y{ℓ−1} W{ℓ} + b{ℓ},   Y{ℓ} = f_ℓ(U{ℓ})                   (forward)
    Δ{ℓ} = the derived δ^ℓ, with y → Y{ℓ}, u → U{ℓ}, t → T,
           Σ_c δ_c w_{ac} → G{ℓ} = Δ{ℓ+1} W{ℓ+1}ᵀ and Σ_{a'} → a row sum
    ∂E/∂W{ℓ} = Y{ℓ−1}ᵀ Δ{ℓ},  ∂E/∂b{ℓ} = Δ{ℓ}ᵀ 1,  ∂E/∂X = Δ{1} W{1}ᵀ,

with E summed over the batch.  So the output Δ is the derived closed form with every
stated assumption lifted (:mod:`symbackprop.exact`: softmax + cross-entropy gives
Δ = Y ⊙ rowsum(T) − T, no Jacobian, exact for soft or unnormalised T; the module's
docstring says so), a hidden Δ is
f′(U) ⊙ G with f′ written in the layer's own outputs where the rule allows
(σ′ = Y(1 − Y): σ is not computed twice), and a softmax hidden layer gets
Y ⊙ (G − rowsum(G ⊙ Y)).  The loss is evaluated through the stable identities of
:data:`~symbackprop.codegen_plan.LOG_RULES` (log-softmax by the row log-sum-exp, log σ by softplus).

The pipeline reads top to bottom in :func:`generate`: plan the layers
(:func:`~symbackprop.codegen_plan.plan`, pass 1, in :mod:`symbackprop.codegen_plan`), then
write the module (:func:`render`, in :mod:`symbackprop.codegen_render` for every target,
expressions printed by :mod:`symbackprop.codegen_printer`).  :func:`compile` executes the source
and returns the callables.  The NumPy module imports NumPy only; the torch module
(``target="torch"``, :mod:`symbackprop.codegen_torch`) imports torch only and runs
without autograd.
"""

from __future__ import annotations

import builtins
import itertools
import linecache
import types
from dataclasses import dataclass, field
from typing import Optional, Union

from .codegen_plan import CodegenError, Plan, plan
from .derive import Derivation, derive
from .model import Network

DTYPES = ("float64", "float32")
TARGETS = ("numpy", "torch")


# ── pass 2: write the module (symbackprop.codegen_render, one renderer for every target) ──
def _dialect(target: str):
    if target not in TARGETS:
        raise CodegenError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}")
    if target == "torch":
        from .codegen_torch import TORCH
        return TORCH
    from .codegen_render import NUMPY
    return NUMPY


def render(plan_: Plan, source: str = "", dtype: str = "float64", target: str = "numpy") -> str:
    """Pass 2: the module's source text (see :mod:`symbackprop.codegen_render`)."""
    from .codegen_render import render as write
    return write(plan_, _dialect(target), source, dtype)


def generate(derivation: Union[Derivation, Network], source: str = "", dtype: str = "float64",
             target: str = "numpy") -> str:
    """The source of a module with ``forward``, ``loss`` and ``gradients`` for the network.

    ``target``: ``"numpy"`` (imports NumPy only) or ``"torch"`` (plain torch tensor ops under
    ``torch.no_grad()``, imports torch only).
    """
    _dialect(target)
    dtype = _dtype_name(dtype)
    d = derive(derivation) if isinstance(derivation, Network) else derivation
    return render(plan(d), source, dtype, target)


def _dtype_name(dtype) -> str:
    name = getattr(dtype, "__name__", None) or str(dtype)
    name = name[len("torch."):] if name.startswith("torch.") else name
    name = {"double": "float64", "float": "float64", "single": "float32"}.get(name, name)
    if name not in DTYPES:
        raise CodegenError(f"unsupported dtype {dtype!r}; allowed: {', '.join(DTYPES)}")
    return name


@dataclass(frozen=True)
class Compiled:
    """The callables of a generated module, with its source."""

    source: str = field(repr=False)
    module: types.ModuleType = field(repr=False)
    dtype: str = "float64"
    target: str = "numpy"

    def loss(self, X, T, Ws, bs) -> float:
        """E summed over the batch."""
        return self.module.loss(X, T, Ws, bs)

    def gradients(self, X, T, Ws, bs, input_grad: bool = True, out: Optional[dict] = None) -> dict:
        """loss, y, delta, dW, db, dx (lists from layer 1 up), like :func:`~symbackprop.matrix.batch_backprop`,
        and ``work`` (every buffer of the call).

        ``out``: an earlier result whose arrays are overwritten (no new allocation).
        """
        return self.module.gradients(X, T, Ws, bs, input_grad, out)

    def forward(self, X, Ws, bs):
        """The network output."""
        return self.module.forward(X, Ws, bs)

    def step(self, params: dict, X, T, *lr) -> dict:
        """One step of the derived update rules (a spec with ``[training]`` only): ``params`` is
        ``{"W": [...], "b": [...]}``; returns new arrays in that form (``params`` unchanged)."""
        if not hasattr(self.module, "step"):
            raise CodegenError("this network has no [training] table: no update rules to step by")
        return self.module.step(params, X, T, *lr)


_MODULE_NUMBERS = itertools.count(1)


def compile(derivation: Union[Derivation, Network], dtype="float64",  # noqa: A001
            target: str = "numpy") -> Compiled:
    """Generate the module for ``derivation`` (``target`` numpy or torch) and load it; returns its callables.

    For speed, bind the functions once: ``g = compile(d).module.gradients``.
    """
    name = _dtype_name(dtype)
    source = generate(derivation, dtype=name, target=target)
    number = next(_MODULE_NUMBERS)
    filename = f"<symbackprop.codegen {number}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks
    module = types.ModuleType(f"symbackprop_generated_{number}")
    module.__file__ = filename
    exec(builtins.compile(source, filename, "exec"), module.__dict__)
    return Compiled(source, module, name, target)
