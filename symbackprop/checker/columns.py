r"""A mini-batch step read column by column, each column at width one.

Notes write a batch matrix as the row of its samples' vectors, ``Δ^{l} = (\bm{δ}_1^{l} ⋯
\bm{δ}_N^{l})``, and then a step whose one side is written out column by column and whose other
side names batch matrices: ``(W^{l+1}\bm{δ}_n^{l+1} ∗ f_l'(\bm{u}_n^{l}))_n = W^{l+1}Δ^{l+1} ∗
f_L'(U^{l})``.  Column ``n`` of the named side is taken through the written definitions (a batch
matrix as the last factor of a product, inside an entrywise function, ⊙, sums and scalar
multiples keeps its columns apart), and the two columns are compared as a vector step read at
width one (:mod:`.width_one`): an instance of the step, so a counterexample refutes it.

A gradient of the loss, ``∂E/∂Y^{l}``, has the shape of ``Y^{l}``: its column ``n`` is
``∂E/∂\bm{y}_n^{l}``, read at width one as one unknown number — only where both sides hold the
same unknown gradients (``∂E/∂\bm{y}^{l} ⊙ f'(\bm{u}^{l})`` against ``∂E/∂Y^{l} ⊙ f'(U^{l})``; a
gradient against its closed form is no such step).  Only steps whose columns hold no other
derivative than an activation's (``f'(\bm{u})``) and no two names for one letter
(``\bm{y}_n^{l}`` beside ``\bm{y}_n^{l-1}`` may be one computed from the other) are read.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from .order import upstream
from .scan import BOLD
from .width_one import one_name_per_letter

COLUMN = sp.Symbol("n", integer=True, positive=True)  # the sample whose column is compared
GRADIENT = r"\partial"  # a gradient read at width one: the unknown \partial{E}{\mathbf{y}^{l}[n]}


def _batch(e: sp.Basic, named: Callable) -> Optional[PatternMatrix]:
    """The written definition of a batch matrix ``e``: a row of one sample's column vectors."""
    if not isinstance(e, sp.Symbol):
        return None
    found = named(e)
    if isinstance(found, PatternMatrix) and found.rows == 1 and isinstance(found.template, sp.Indexed) \
            and BOLD.search(str(found.template.base.label)):
        return found
    return None


def column(e: sp.Basic, named: Callable) -> Optional[sp.Basic]:
    """Column :data:`COLUMN` of ``e``, or None where it does not keep columns apart."""
    batch = _batch(e, named)
    if batch is not None:
        return batch.template.xreplace({batch.c: COLUMN})
    if isinstance(e, PatternMatrix):
        return e.template.xreplace({e.c: COLUMN}) if e.rows == 1 else None
    if not any(_batch(x, named) is not None or isinstance(x, PatternMatrix) for x in sp.preorder_traversal(e)):
        return e  # W^{l+1}, a number: the same for every column
    if isinstance(e, MatrixProduct):
        *head, last = e.args
        if any(column(h, named) is not h for h in head):
            return None  # a batch matrix that is not the last factor mixes the columns
        rest = column(last, named)
        return None if rest is None else MatrixProduct(*head, rest)
    if isinstance(e, (sp.Add, sp.Mul)) or (isinstance(e, sp.Function) and e.func == HADAMARD):
        parts = [column(a, named) for a in e.args]
        return None if any(p is None for p in parts) else e.func(*parts)
    if isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef) and e.expr.args == e.variables:
        x = column(e.variables[0], named)
        return None if x is None else sp.Derivative(e.expr.func(x), x)
    if _gradient(e):  # ∂E/∂Y: column n is ∂E/∂y_n (the gradient has the shape of Y)
        x = column(e.variables[0], named)
        return None if x is None else sp.Derivative(e.expr, x)
    if isinstance(e, AppliedUndef) and len(e.args) == 1 and e.func != TRANSPOSE:
        x = column(e.args[0], named)
        return None if x is None else e.func(x)
    return None


def _gradient(e: sp.Basic) -> bool:
    """``∂E/∂x``: a named number (the loss) differentiated by one variable."""
    return isinstance(e, sp.Derivative) and isinstance(e.expr, sp.Symbol) and len(e.variables) == 1


def at_width_one(e: sp.Basic) -> sp.Basic:
    """Every vector and matrix with one entry: products commute, ⊙ is the product, a transpose
    is the entry, a sample's vector ``\\bm{u}_n^{l}`` one number, a gradient ``∂E/∂\\bm{y}_n^{l}``
    one unknown number (:data:`GRADIENT` and the name it is of)."""
    def flat(x: sp.Basic) -> sp.Basic:
        if _gradient(x):
            return sp.Symbol(f"{GRADIENT}{{{x.expr}}}{{{flat(x.variables[0])}}}")
        if isinstance(x, sp.Indexed) and BOLD.search(str(x.base.label)):
            return sp.Symbol(f"{x.base.label}[{','.join(map(str, x.indices))}]")
        if isinstance(x, MatrixProduct) or (isinstance(x, sp.Function) and x.func == HADAMARD):
            return sp.Mul(*[flat(a) for a in x.args])
        if isinstance(x, sp.Function) and x.func == TRANSPOSE:
            return flat(x.args[0])
        if isinstance(x, sp.Derivative):
            inner, var = flat(x.expr), flat(x.variables[0])
            return sp.Derivative(inner, var)
        if not x.args or isinstance(x, (sp.Symbol, sp.Indexed)):
            return x
        return x.func(*[flat(a) for a in x.args])
    return flat(e)


def _components(name: str) -> str:
    r"""``\mathbf{y}^{l}[n]`` → ``y^{l}``: the name of the vector's entries."""
    return re.sub(r"\\(mathbf|bm|boldsymbol|vec)\s*\{(\\?[A-Za-z]+)\}", r"\2", name.split("[", 1)[0])


def readable(a: sp.Basic, b: sp.Basic, table=None) -> bool:
    """Only activations' derivatives, one name per letter, and no vector whose entries the
    document computes from another's (``y^{l}_j = f(u^{l}_j)``: ``\bm{y}_n^{l}`` and ``\bm{u}_n^{l}``
    are not two free numbers) — see the module docstring."""
    if any(not (isinstance(d.expr, AppliedUndef) and d.expr.args == d.variables)
           for e in (a, b) for d in e.atoms(sp.Derivative)):
        return False
    gradients = [{s for s in e.free_symbols if s.name.startswith(GRADIENT)} for e in (a, b)]
    if gradients[0] != gradients[1]:
        return False  # an unknown gradient on one side only is no number the other side can match
    names = {s.name for e in (a, b) for s in e.free_symbols
             if isinstance(s, sp.Symbol) and not s.is_integer and not s.name.startswith(GRADIENT)} - _points(a, b)
    if not one_name_per_letter(names):
        return False
    entries = {_components(n) for n in names if BOLD.search(n)}
    j = sp.Symbol("j", integer=True)
    return table is None or not any(upstream(table, sp.IndexedBase(e)[j]) & (entries - {e}) for e in entries)


def _points(a: sp.Basic, b: sp.Basic) -> set:
    r"""The names that stand only where an activation's derivative is taken, ``f'(\bm{y}_n^{l-1})``
    beside ``f'(\bm{y}_n^{l})``: for an activation the document leaves general, ``f'`` at two
    different values are two free numbers, whatever one value is computed from the other (a
    witness ``y^{l-1} = a``, ``y^{l} = b ≠ a`` with ``f'(a)``, ``f'(b)`` given is met by a network
    whose ``f`` also has ``f(a) = b``: a polynomial through those three conditions)."""
    points = {d.variables[0] for e in (a, b) for d in e.atoms(sp.Derivative) if isinstance(d.variables[0], sp.Symbol)}
    elsewhere = {s for e in (a, b) for s in e.replace(
        lambda x: isinstance(x, sp.Derivative), lambda x: sp.Integer(1)).free_symbols}
    return {p.name for p in points - elsewhere}


def columns_step(a: sp.Basic, b: sp.Basic, named: Callable, table=None) -> Optional[tuple[sp.Basic, sp.Basic]]:
    """The step's column :data:`COLUMN` on both sides, read at width one, or None."""
    if not any(isinstance(x, PatternMatrix) for e in (a, b) for x in sp.preorder_traversal(e)):
        return None
    ca, cb = column(a, named), column(b, named)
    if ca is None or cb is None or ca == a or cb == b:
        return None
    ca, cb = at_width_one(ca), at_width_one(cb)
    return (ca, cb) if readable(ca, cb, table) else None


def same_columns(a: sp.Basic, b: sp.Basic, named: Callable) -> bool:
    """Is column :data:`COLUMN` of both sides one expression, products in written order (for every
    sample ``n``: the two batch matrices are equal)?  Where one side is written out and the other
    names batch matrices: ``(∂E/∂\\bm{y}_n ⊙ f'(\\bm{u}_n))_n = ∂E/∂Y ⊙ f'(U)``."""
    if not any(isinstance(x, PatternMatrix) for e in (a, b) for x in sp.preorder_traversal(e)):
        return False
    if any(isinstance(e, sp.Symbol) for e in (a, b)):
        return False  # Y = (y_1 ⋯ y_N): what the entries of Y are, not a claim about them
    ca, cb = column(a, named), column(b, named)
    return ca is not None and cb is not None and ca != a and cb != b and ca == cb
