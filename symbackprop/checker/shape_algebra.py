r"""Shapes of named vectors and matrices: a product or a sum whose shapes cannot fit.

A step read with its products in written order (``ParseOptions.ordered_products``) is given a
shape per side, from what the document says (:mod:`.shape_facts`): a bold vector of layer ``l``
has as many entries as that layer has units, ``n_{l}``; a matrix whose entries the document
names (``W^{l} = (w^{l}_{ij})_{ij}``) has rows and columns by the layers of its indices; a matrix
the document writes out has the written shape.  Then

* a product whose inner sizes are the widths of two different layers (``W^{l}`` is
  ``n_{l-1}×n_{l}``, ``\mathbf{y}^{l-1}`` has ``n_{l-1}`` rows), a sum or a Hadamard product
  ``⊙`` of different shapes, or two sides of different shapes, fails for a network whose layers
  have different widths, which the document allows: the step is *refuted by its shapes*;
* whatever else is unknown (a plain symbol the document gives no shape, a size it names
  otherwise: ``P``, ``D_l``) makes the shape unknown, and nothing is refuted.

A vector may be a column or a row: every orientation of the step's vectors is tried, and the
step is refuted only when none fits.  Two sides that differ only as a vector and its transpose
are not refuted (a document may write a vector as a row).  ``\ast`` is read as ``⊙`` when it
joins two operands of the same shape and leaves the shape unknown otherwise (it may be a
product).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Callable, Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from .names import key, tex

WIDTH = sp.Function("n")  # the width of the layer with this label
MAX_VECTORS = 5           # at most 2**5 orientations tried


class Unknown(Exception):
    """A shape the document does not give."""


class Mismatch(Exception):
    """Shapes that cannot fit: the message says which; ``slip`` names the kind and the shapes
    (one slip written twice is reported once)."""

    def __init__(self, message: str, slip: tuple = ()) -> None:
        super().__init__(message)
        self.slip = slip


@dataclass(frozen=True)
class Refutation:
    """Why a step fails by its shapes, and the slip (kind and shapes) it is."""

    reason: str
    slip: tuple


@dataclass(frozen=True)
class Shape:
    rows: sp.Expr
    cols: sp.Expr
    scalar: bool = False

    def show(self) -> str:
        return "a number" if self.scalar else f"{_dim(self.rows)}×{_dim(self.cols)}"


SCALAR = Shape(sp.Integer(1), sp.Integer(1), True)


@dataclass(frozen=True)
class Vector:
    """A named vector of ``length`` entries, a column or a row as the orientation tried says."""

    name: str
    length: sp.Expr


@dataclass(frozen=True)
class Either:
    """A matrix the document gives more than one shape (it sums ``w_{ij}`` over ``i`` in one part
    and over ``j`` in another): each is tried, and a step is refuted only when it fails for all."""

    shapes: tuple


def _dim(d: sp.Expr) -> str:
    if isinstance(d, AppliedUndef) and d.func == WIDTH:
        return f"n_{{{tex(d.args[0]).replace(' ', '')}}}"
    widths = {x: sp.Symbol(_dim(x)) for x in d.atoms(AppliedUndef) if x.func == WIDTH}
    return tex(d.xreplace(widths)) if widths else tex(d)


def independent(a: sp.Expr, b: sp.Expr) -> Optional[bool]:
    """Are two sizes different for some network the document allows?  True for the widths of
    two different layers, or a width and the batch size or 1; None when the document does not say."""
    if a == b:
        return False
    widths = [isinstance(d, AppliedUndef) and d.func == WIDTH for d in (a, b)]
    if all(widths):
        return True
    if any(widths):
        other = b if widths[0] else a
        return True if (other == 1 or (isinstance(other, sp.Symbol) and other.is_integer)) else None
    return True if (a.is_Integer and b.is_Integer) else None


def _untied(d: sp.Expr) -> sp.Expr:
    """``d`` with every layer width at its label less its integer part (``n_{l+1}``, ``n_{l-1}`` → ``n_{l}``)."""
    return d.replace(lambda x: isinstance(x, AppliedUndef) and x.func == WIDTH,
                     lambda x: WIDTH(sp.Add(*[t for t in sp.Add.make_args(sp.expand(x.args[0])) if not t.is_Integer])))


class Shaper:
    """The shape of an expression under one orientation of its vectors (see the module docstring)."""

    def __init__(self, named: Callable[[sp.Basic], Optional[object]], orientation: dict,
                 lenient: bool = False, tied: bool = False) -> None:
        self.named, self.orientation, self.lenient, self.tied = named, orientation, lenient, tied

    def independent(self, a: sp.Expr, b: sp.Expr) -> Optional[bool]:
        """:func:`independent`, with the widths of labels one integer apart taken as one width
        where the document has activation layers (``y^{l} = f(y^{l-1})``: ``n_{l} = n_{l-1}``)."""
        return independent(_untied(a), _untied(b)) if self.tied else independent(a, b)

    def vector(self, name: str, length: sp.Expr) -> Shape:
        return Shape(length, sp.Integer(1)) if self.orientation.get(name, "col") == "col" else Shape(sp.Integer(1), length)

    def __call__(self, e: sp.Basic) -> Shape:
        if e.is_number:
            return SCALAR
        if isinstance(e, (sp.Symbol, sp.Indexed)):
            found = self.named(e)
            if found is None:
                raise Unknown(tex(e))
            if isinstance(found, Vector):
                return self.vector(found.name, found.length)
            if isinstance(found, Either):
                return found.shapes[self.orientation.get(("either", tex(e)), 0)]
            if isinstance(found, sp.Basic):  # a matrix the document writes out
                return self(found)
            return found
        if isinstance(e, (MatrixProduct, sp.Mul)):
            return self._product(list(e.args))  # a commutative Mul: the reader's scalar factors
        if isinstance(e, sp.Add):
            return self._sum(list(e.args))
        if isinstance(e, sp.Pow):
            if self(e.base).scalar and self(e.exp).scalar:
                return SCALAR
            raise Unknown(tex(e))
        if isinstance(e, sp.Function) and e.func == TRANSPOSE:
            s = self(e.args[0])
            return s if s.scalar else Shape(s.cols, s.rows)
        if isinstance(e, sp.Function) and e.func == HADAMARD:
            x, y = (self(a) for a in e.args)
            if x.scalar or y.scalar or x == y:
                return y if x.scalar else x
            if self.lenient:  # ``\ast`` may be a product
                raise Unknown("an entrywise product of different shapes")
            if not (self.independent(x.rows, y.rows) or self.independent(x.cols, y.cols)):
                raise Unknown("sizes the document does not relate")
            raise Mismatch(f"an entrywise product of a {x.show()} and a {y.show()} matrix", ("⊙", x, y))
        if isinstance(e, sp.Derivative):
            return self._derivative(e)
        if isinstance(e, sp.Sum):
            return self(e.function)
        if isinstance(e, PatternMatrix):
            return _block(self(e.template), e.rows, e.cols)
        if isinstance(e, sp.MatrixBase):
            entries = {self(x) for x in e}
            if len(entries) != 1:
                raise Unknown("a written matrix with entries of different shapes")
            return _block(entries.pop(), sp.Integer(e.rows), sp.Integer(e.cols))
        if isinstance(e, sp.Function) and len(e.args) == 1:  # f(A): f on every entry
            return self(e.args[0])
        raise Unknown(tex(e))

    def _derivative(self, d: sp.Derivative) -> Shape:
        if len(d.variables) != 1:
            raise Unknown(tex(d))
        (x,) = d.variables
        if isinstance(d.expr, AppliedUndef) and d.expr.args == (x,):  # f'(A): entrywise
            return self(x)
        try:
            scalar = self(d.expr).scalar
        except Unknown:  # ∂E/∂W with E a plain name: a number differentiated
            scalar = isinstance(d.expr, sp.Symbol) and self.named(d.expr) is None
        if scalar:  # the gradient has the shape of W
            return self(x)
        raise Unknown(tex(d))

    def _product(self, factors: list) -> Shape:
        acc: Optional[Shape] = None
        for f in factors:
            s = self(f)
            if s.scalar:
                continue
            if acc is None:
                acc = s
                continue
            if self.independent(acc.cols, s.rows):
                raise Mismatch(f"a {acc.show()} matrix times {tex(f)}, a {s.show()} matrix", ("·", acc, s))
            if acc.cols != s.rows:
                raise Unknown("inner sizes the document does not relate")
            acc = Shape(acc.rows, s.cols)
        return acc or SCALAR

    def _sum(self, terms: list) -> Shape:
        shapes = [self(t) for t in terms]
        matrices = [s for s in shapes if not s.scalar]
        if not matrices:
            return SCALAR
        if len(matrices) != len(shapes):
            raise Unknown("a number added to a vector or matrix")
        first = matrices[0]
        for s in matrices[1:]:
            if self.independent(first.rows, s.rows) or self.independent(first.cols, s.cols):
                raise Mismatch(f"a {first.show()} matrix plus a {s.show()} matrix", ("+", first, s))
            if s != first:
                raise Unknown("sizes the document does not relate")
        return first


def _block(entry: Shape, rows: sp.Expr, cols: sp.Expr) -> Shape:
    """A written matrix of ``rows``×``cols`` entries of shape ``entry``: numbers, a row of
    column vectors, or a column of row vectors."""
    if entry.scalar:
        return Shape(rows, cols)
    if rows == 1 and entry.cols == 1:  # a row of columns
        return Shape(entry.rows, cols)
    if cols == 1 and entry.rows == 1:  # a column of rows
        return Shape(rows, entry.cols)
    if rows == 1 and entry.rows == 1:  # a row of rows: one long row
        return Shape(sp.Integer(1), cols * entry.cols)
    if cols == 1 and entry.cols == 1:  # a column of columns: one long column
        return Shape(rows * entry.rows, sp.Integer(1))
    raise Unknown("a written matrix of vectors or matrices")


def shape_refutation(a: sp.Basic, b: sp.Basic, named: Callable[[sp.Basic], Optional[object]],
                     vectors: list, lenient: bool = False, tied: bool = False) -> Optional[Refutation]:
    """Why the step ``a = b`` fails by its shapes for every orientation of its ``vectors``, or None
    (``tied``: the document has activation layers, see :meth:`Shaper.independent`)."""
    reasons = []
    fixed = written_columns(a) | written_columns(b)
    free = [v for v in vectors if v not in fixed]
    either = {}  # the matrices with more than one shape, each tried
    for x in sorted((x for e in (a, b) for x in e.atoms(sp.Symbol, sp.Indexed)), key=str):
        found = named(x)
        if isinstance(found, Either):
            either[("either", tex(x))] = range(len(found.shapes))
    for chosen, picked in product(product(("col", "row"), repeat=min(len(free), MAX_VECTORS)), product(*either.values())):
        orientation = {**dict(zip(free, chosen)), **{v: "col" for v in fixed}, **dict(zip(either, picked))}
        shaper = Shaper(named, orientation, lenient, tied)
        sides = []
        for side, e in (("left", a), ("right", b)):
            try:
                sides.append(shaper(e))
            except Mismatch as exc:
                reasons.append(Refutation(f"the {side} side has {exc}: the shapes do not fit", exc.slip))
                break
            except Unknown:
                return None
        if len(sides) < 2:
            continue
        left, right = sides
        if left.scalar or right.scalar:
            return None  # numbers, or a number beside a vector: a broadcast or an entry may be meant
        rows, cols = shaper.independent(left.rows, right.rows), shaper.independent(left.cols, right.cols)
        if rows is False and cols is False:
            return None
        if rows is None or cols is None:
            return None
        if 1 in (left.rows, left.cols) and (left.rows, left.cols) == (right.cols, right.rows):
            return None  # a vector and its transpose: written as a row here
        reasons.append(Refutation(f"the left side is {left.show()}, the right side {right.show()}", ("=", left, right)))
    return reasons[0] if reasons else None


def written_columns(e: sp.Basic) -> set:
    r"""The vectors a written matrix sets side by side as its columns, ``(\mathbf{y}_1 ⋯ \mathbf{y}_N)``,
    or stacks as transposed rows, ``((\mathbf{δ}_1)^{T}; ⋯; (\mathbf{δ}_N)^{T})``: columns, as the
    document writes them (a row of row vectors would be one long row, which no one writes so), also
    under a function on every entry, ``(f(\mathbf{y}_1) ⋯ f(\mathbf{y}_N))``."""
    out = set()
    for p in e.atoms(PatternMatrix):
        t = p.template
        while isinstance(t, AppliedUndef) and t.func not in (TRANSPOSE, HADAMARD) and len(t.args) == 1:
            t = t.args[0]  # (f(y_1) ⋯ f(y_N)): f on every entry keeps the shape
        if p.rows == 1 and isinstance(t, (sp.Symbol, sp.Indexed)):
            out.add(key(t))
        elif p.cols == 1 and isinstance(t, sp.Function) and t.func == TRANSPOSE and isinstance(t.args[0], (sp.Symbol, sp.Indexed)):
            out.add(key(t.args[0]))
    return out - {None}
