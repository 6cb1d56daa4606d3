"""The one notation table: every network function with all its forms, read by every consumer.

The printers (LaTeX :mod:`symbackprop.printing`, text :mod:`symbackprop.text_printer`, MathML
:mod:`symbackprop.render.mathml`), the LaTeX reader (:mod:`symbackprop.latex.vocabulary` and
its grammar), ``evaluate`` and the batch form (:func:`numpy_functions`), code generation
(kernels and printers for NumPy and torch), the prover (:func:`explicit`), the spec's name
rules and the verifier (:mod:`symbackprop.verifier.definitions`) all look functions up here,
at the time they need them, so a row added with :func:`added` is known to all of them.

The rows of the package itself are :data:`symbackprop.rules.function_rows.ROWS`; nothing is
registered on import beyond them.  Greek letters have their own table in
:mod:`symbackprop.notation` (command names and glyphs), which the reader's grammar reads too.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

import sympy as sp

from ..errors import UnknownRuleError
from .forms import FunctionForms
from .function_rows import ROWS

__all__ = ["FunctionForms", "rows", "form", "row_named", "form_of", "verifier_row", "read_as", "reads",
           "numpy_functions", "explicit", "added"]


class _Table:
    """The rows in force and their indices (by name, by SymPy class, by verifier name, by word)."""

    def __init__(self, rows: tuple[FunctionForms, ...]) -> None:
        self.rows: tuple[FunctionForms, ...] = ()
        self.install(rows)

    def install(self, rows: tuple[FunctionForms, ...]) -> None:
        """Make ``rows`` the table, refusing two rows that share a name, class, verifier name or word."""
        by_name, by_class, by_verifier, by_word = {}, {}, {}, {}
        for r in rows:
            for index, key, what in ((by_name, r.name, "name"), (by_class, r.function, "SymPy function"),
                                     (by_verifier, r.verifier.name, "verifier name"),
                                     *((by_word, w, "reading") for w in r.reads)):
                if key in index:
                    raise ValueError(f"notation rows {index[key].name!r} and {r.name!r} share the {what} {key!r}")
                index[key] = r
        self.rows, self.by_name, self.by_class = tuple(rows), by_name, by_class
        self.by_verifier, self.by_word = by_verifier, by_word


_TABLE = _Table(ROWS)


def rows() -> tuple[FunctionForms, ...]:
    """Every row in force, the package's own first."""
    return _TABLE.rows


def form(name: str) -> FunctionForms:
    """The row named ``name`` (``"sigmoid"``); an unknown name lists the known ones."""
    try:
        return _TABLE.by_name[name]
    except KeyError:
        raise UnknownRuleError(f"no notation row {name!r}; known: {', '.join(sorted(_TABLE.by_name))}") from None


def row_named(name: str) -> Optional[FunctionForms]:
    """The row named ``name``, or None."""
    return _TABLE.by_name.get(name)


def form_of(expr: Any) -> Optional[FunctionForms]:
    """The row of an application ``f(u)`` or of the function ``f`` itself, or None."""
    func = expr if isinstance(expr, type) else getattr(expr, "func", None)
    return _TABLE.by_class.get(func)


def verifier_row(name: str) -> Optional[FunctionForms]:
    """The row whose verifier name is ``name`` (``"sigma"``), or None."""
    return _TABLE.by_verifier.get(name)


def read_as(word: str) -> Optional[FunctionForms]:
    """The row the LaTeX reader takes ``word`` for (``relu``, ``ReLU``), or None."""
    return _TABLE.by_word.get(word)


def reads() -> dict[str, Callable[..., sp.Expr]]:
    """Every word the reader takes for a network function → the function."""
    return {w: r.function for w, r in _TABLE.by_word.items()}


def numpy_functions() -> dict[str, Callable[..., Any]]:
    """SymPy function name → NumPy function, for ``lambdify(..., modules=[this, "numpy"])``."""
    return {r.function.__name__: r.numpy for r in _TABLE.rows if r.numpy is not None}


def explicit(expr: sp.Expr) -> sp.Expr:
    """Every network function with an elementary definition replaced by it
    (σ(u) = 1/(1 + e^{−u}), ReLU(u) = max(0, u), softplus(u) = log(1 + e^{u}))."""
    for r in _TABLE.rows:
        if r.definition is not None:
            expr = expr.replace(r.function, r.definition)
    return expr


@contextmanager
def added(*new: FunctionForms) -> Iterator[None]:
    """The table with ``new`` rows added, for the ``with`` block; restored afterwards."""
    before = _TABLE.rows
    _TABLE.install(before + tuple(new))
    try:
        yield
    finally:
        _TABLE.install(before)
