"""The torch target: the same module as the NumPy one, in plain torch tensor ops.

``symbackprop codegen SPEC --target torch`` writes it.  No autograd: the public functions run
under ``torch.no_grad()`` and compute the derived Δ of every layer with ``torch.mm`` /
``torch.addmm`` and elementwise calls, each with ``out=`` a buffer (all reused with ``out=`` an
earlier result).  The formulas, the plan and the kernel table are shared with the NumPy target
(:mod:`symbackprop.codegen_render`, :mod:`symbackprop.codegen_kernels`); only the spelling differs.
The written module imports torch only.
"""

from __future__ import annotations

from .codegen_printer import BatchPrinter
from .codegen_emit import Dialect

#: NumPy names whose torch function is spelled differently.
RENAMED = {"power": "pow", "absolute": "abs", "arctanh": "atanh", "arctan": "atan",
           "arcsin": "asin", "arccos": "acos", "amax": "amax", "amin": "amin"}


class TorchPrinter(BatchPrinter):
    """torch source for batch expressions: ``torch.`` functions, ``.sum(1, keepdim=True)`` row sums."""

    def _module_format(self, fqn, register=True):
        out = super()._module_format(fqn, register)
        if out.startswith("np."):
            name = out[3:]
            return "torch." + RENAMED.get(name, name)
        return out

    def _print_RowSum(self, expr) -> str:
        arg = self._print(expr.args[0])
        return f"{arg if expr.args[0].is_Symbol else '(' + arg + ')'}.sum(1, keepdim=True)"

    def _print_TotalSum(self, expr) -> str:
        return f"torch.sum({self._print(expr.args[0])})"


TORCH = Dialect(
    name="torch", library="PyTorch", ns="torch", imports=("import torch",), printer=TorchPrinter,
    asarray="torch.as_tensor({x}, dtype=DTYPE)",
    copy="{dest}.copy_({src})",
    binary={"add": "torch.add", "sub": "torch.sub", "mul": "torch.mul", "div": "torch.div",
            "pow": "torch.pow"},
    matmul="torch.mm({a}, {b}, out={out})",
    addmm="torch.addmm({b}, {a}, {w}, out={out})",
    linear="linear({b}, {a}, {w}, out={out})",
    addcmul="torch.addcmul({a}, {x}, {y}, value={c}, out={out})",
    dot="torch.dot({a}.reshape(-1), {b}.reshape(-1))",
    colsum="torch.sum({a}, 0, out={out})",
    total="torch.sum({a})",
    no_grad="torch.no_grad()",
    scalar_constants=True)
