"""The NumPy printer of batch expressions (:class:`BatchPrinter`): ``np.`` functions, kernel
calls (a network function with a kernel in its notation row: σ, ReLU, softplus, H) and row
sums.  The torch printer (:mod:`symbackprop.codegen_torch`) derives from it."""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from .codegen_plan import CodegenError
from .rules.notation_table import form_of


class BatchPrinter(NumPyPrinter):
    """NumPy source for batch expressions: ``np.`` prefix, kernels, row sums."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": True})
        self.kernels: set[str] = set()

    def _module_format(self, fqn, register=True):
        out = super()._module_format(fqn, register)
        return "np." + out[len("numpy."):] if out.startswith("numpy.") else out

    def _kernel(self, name: str, expr) -> str:
        self.kernels.add(name)
        return f"{name}({self._print(expr.args[0])})"

    def _print_Function(self, expr) -> str:
        """A network function by its row's kernel; any other as the library's function."""
        row = form_of(expr)
        if row is not None and row.kernel is not None:
            return self._kernel(row.kernel.name, expr)
        return super()._print_Function(expr)

    _print_Heaviside = _print_Function  # NumPyPrinter has its own, which the class would reach first

    def _print_RowSum(self, expr) -> str:
        arg = self._print(expr.args[0])
        return f"{arg if expr.args[0].is_Symbol else '(' + arg + ')'}.sum(axis=1, keepdims=True)"

    def _print_TotalSum(self, expr) -> str:
        return f"np.sum({self._print(expr.args[0])})"

    def _print_Symbol(self, expr) -> str:
        return expr.name

    def _as_ordered_terms(self, expr, order=None):
        """Positive terms first, as a textbook writes them: Y2 - T, not -T + Y2."""
        terms = super()._as_ordered_terms(expr, order)
        return sorted(terms, key=lambda t: t.could_extract_minus_sign())

    def function_name(self, func: type) -> str:
        """The name the module calls ``func`` by (a kernel or a NumPy ufunc)."""
        probe = sp.Symbol("_")
        call = self.doprint(func(probe))
        if not call.endswith("(_)"):
            raise CodegenError(f"cannot call {func.__name__} elementwise in NumPy")
        return call[:-3]
