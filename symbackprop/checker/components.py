r"""A vector or matrix step read entry by entry, in index notation.

``δ^{l} = ((w^{l+1})^{T} δ^{l+1}) ⊙ σ'(z^{l})`` says, entry by entry,

    δ^{l}_j = (Σ_{q=1}^{n^{(l+1)}} w^{l+1}_{qj} δ^{l+1}_q) σ'(z^{l}_j)      for every j,

and that index-form claim is decided like any other step of the document (its definitions
in force).  The translation is the definition of the operations, so it is exact for every
size: a proved entry proves the step, and a refuted entry (its index inside its range)
refutes it.

* **Components.**  A name has entries where the document writes them: a vector ``a^{l}`` whose
  entries ``a^{l}_j`` the document uses (the same name, or a bold ``\mathbf{y}^{l}`` with
  ``y^{l}_i``) has one entry per unit of layer ``l``; a matrix ``w^{l}`` with entries
  ``w^{l}_{jk}`` has rows and columns by the layers of its two indices, read from the
  document's own forward definition (``z^{l}_j = Σ_k w^{l}_{jk} a^{l-1}_k + b^{l}_j``: ``j`` in
  layer ``l``, ``k`` in layer ``l − 1``).  An upper-case matrix ``W^{l}`` takes the entries
  ``w^{l}_{ij}`` of its lower-case letter; what ``W^{l} = (w^{l}_{ij})_{ij}`` states
  (:mod:`.shape_facts`) fixes which index is the row.
* **Orientations.**  A vector may be a column or a row, and a matrix whose orientation the
  document never states may have either index as its row: every orientation under which
  both sides are defined (inner sizes the widths of the same layer) is read, and the step is
  decided only when all of them agree.  Refutations need components the document gives
  itself (the same name indexed, a bold vector's letter, or a stated matrix): a lower-case
  letter read for an upper-case matrix is a convention, which may prove but never refutes.
* **Operations.**  Products in written order (``(AB)_{rc} = Σ_q A_{rq} B_{qc}``, the sum
  over the width of the layer the inner size is), transposes, sums, ``⊙``, numbers and
  scalars, a function applied entrywise (``σ(z^{l})``, ``σ'(z^{l})``), a gradient of a
  scalar by a vector or matrix (``(∂C/∂a^{L})_j = ∂C/∂a^{L}_j``).  Anything else — a written
  matrix (:mod:`.matrices` reads those), a sum over vectors, a name without components —
  leaves the step to the other readings.
* **Letters and batches.**  Where index letters name layers (``y_j``, ``w_{jk}``, no labels), an
  axis is a letter; the matrices' entries are stated (``W^{(2)} = (w_{jk})_{jk}``).  Where the
  document states the loss of a batch, ``E = Σ_{n=1}^{N} E_n`` (or its mean), the index ``n`` of
  ``Y^{(1)} = (y_{jn})_{nj}`` numbers the examples: row ``n`` holds example ``n``'s ``y_j``.  A
  step each of whose entries is either one example's (row ``n`` from row ``n`` only) or a sum
  over the examples of one example's terms (``Y^{T} Δ``, ``∂E/∂W``) holds for every batch iff
  it holds for a batch of one example: the entries are read at one example (its index
  dropped), the factors of the batch size (``1/N``) compared apart.  A step that mixes two
  examples, or a total with a term of no example, is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Optional

import sympy as sp

from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from .batches import BatchLoss
from .labels import split
from ..notation import GREEK_NAMES
from .names import tex

MAX_CHOICES = 6          # at most 2**6 orientations read
BOLD_NAME = re.compile(r"\\(?:mathbf|bm|boldsymbol|vec|mathsf)\{([A-Za-z\\]+)\}")
LETTERS = "jkpqrsmvxz"
#: The axis of the examples of a batch (rows or columns of a batch matrix).
EXAMPLES = "examples"
ONES = r"\mathbf{1}"   # a column of ones, as long as the batch


class Unreadable(Exception):
    """The expression has no entries this module can write."""


class IllTyped(Exception):
    """Under the orientation read, inner sizes or summands are widths of different layers;
    ``labels``: only layer labels disagree (``n^{(l)}`` against ``n^{(l-1)}``), which a document
    with activation layers (``y^{l} = f(y^{l-1})``, one width) may not mean as different."""

    def __init__(self, message: str, labels: bool = False) -> None:
        super().__init__(message)
        self.labels = labels


def label_clash(pairs) -> bool:
    """Do the disagreeing axes in ``pairs`` differ only as two layer labels?"""
    def label(x) -> bool:
        return x is not None and x != EXAMPLES and not isinstance(x, Letter)

    clashes = [(x, y) for x, y in pairs if not (x is None and y is None) and (x is None or y is None or not _same_axis(x, y))]
    return bool(clashes) and all(label(x) and label(y) for x, y in clashes)


@dataclass(frozen=True)
class Letter:
    """An axis named by an index letter (where letters name layers): the ``j`` of ``y_j``."""

    letter: str


@dataclass(frozen=True)
class Component:
    """What a name's entries are: ``base`` with one index (a vector along ``axes[0]``) or two
    (a matrix, index 0 along ``axes[0]``, index 1 along ``axes[1]``); an axis is a layer label,
    a :class:`Letter` or :data:`EXAMPLES` (that index dropped: the entry is one example's).
    ``own``: the document gives the entries itself (refutable), not by the upper/lower-case
    convention."""

    base: sp.IndexedBase
    axes: tuple
    own: bool
    stated_row: Optional[int] = None  # which index is the row, as the document states

    def entry(self, *indices) -> sp.Expr:
        kept = [i for i, ax in zip(indices, self.axes) if ax != EXAMPLES]
        return self.base[tuple(kept)] if kept else self.base.label


@dataclass(frozen=True)
class Entries:
    """A side read entry by entry: the axes of its rows and columns (None: one row or one
    column), its entry at indices ``(r, c)``; ``scope``: "none" (no example's), "one" (row or
    column n is example n's), "total" (a sum over the examples of one example's terms, read at one
    example); ``factor``: the batch size's factor (``1/N``) kept apart."""

    rows: object
    cols: object
    at: Callable[[Optional[sp.Symbol], Optional[sp.Symbol]], sp.Expr]
    scope: str = "none"
    factor: sp.Expr = sp.Integer(1)

    @property
    def scalar(self) -> bool:
        return self.rows is None and self.cols is None


def matrix_letter(comp: Component) -> str:
    """The letter of a matrix's entries (``w`` of ``w^{l+1}``): its orientation is the document's
    at every label."""
    parts = split(str(comp.base.label))
    return parts[0] if parts else str(comp.base.label)


def width(axis) -> sp.Symbol:
    """The width of an axis as the document scan names it: ``n^{(l+1)}`` for a layer label,
    ``n_{k}`` for a letter (the scan puts in the range the document writes for it)."""
    if isinstance(axis, Letter):
        return sp.Symbol(f"n_{{{axis.letter}}}", integer=True, positive=True)
    return sp.Symbol(f"n^{{({axis})}}", integer=True, positive=True)


def size(axis) -> str:
    return "1" if axis is None else ("N" if axis == EXAMPLES else tex(width(axis)))


def shape(e: Entries) -> str:
    return f"{size(e.rows)}×{size(e.cols)}"


def _same_axis(a, b) -> bool:
    if isinstance(a, Letter) or isinstance(b, Letter) or EXAMPLES in (a, b):
        return a == b
    return sp.expand(a - b) == 0


def transposed(e: Entries) -> Entries:
    """(Aᵀ)_{rc} = A_{cr}."""
    return replace(e, rows=e.cols, cols=e.rows, at=lambda r, c: e.at(c, r))


def _const(e: sp.Expr) -> Entries:
    return Entries(None, None, lambda r, c: e)


def _scope(*parts: Entries, total_allowed: bool = False) -> str:
    """The scope of entries built from ``parts`` entry by entry (see :class:`Entries`)."""
    scopes = {p.scope for p in parts} - {"none"}
    if not scopes:
        return "none"
    if scopes == {"one"}:
        return "one"
    if scopes == {"total"} and total_allowed and sum(p.scope == "total" for p in parts) == 1:
        return "total"
    raise Unreadable("a step that mixes the examples of a batch")


def _name_of(e: sp.Basic) -> str:
    return getattr(e.func, "__name__", "")


def _softmax(reader: "EntryReader", x: Entries) -> Entries:
    """softmax(x)_r = e^{x_r} / Σ_q e^{x_q}, the sum over the vector's own entries (over a batch
    matrix's units, one example at a time).  Not a function on every entry: ∂y_k/∂u_j ≠ 0 for k ≠ j."""
    axes = [ax for ax in (x.rows, x.cols) if ax is not None and ax != EXAMPLES]
    if len(axes) != 1 or x.scope == "total" or x.factor != 1:
        raise Unreadable("the softmax of a matrix")
    axis = axes[0]
    q = reader.index(axis)
    along_rows = x.rows == axis
    total = sp.Sum(sp.exp(x.at(q, None) if along_rows else x.at(None, q)), (q, 1, width(axis)))
    return replace(x, at=lambda r, c: sp.exp(x.at(r, c)) / total)


#: Functions of a whole vector, by the entries they give (not applied entry by entry).
ACROSS_ENTRIES: dict[str, Callable[["EntryReader", Entries], Entries]] = {"softmax": _softmax}
#: Named functions that act on every entry of a vector or matrix (the activations, elementary functions).
ENTRYWISE = frozenset({"sigmoid", "tanh", "relu", "softplus", "exp", "log", "sin", "cos", "sinh", "cosh", "Abs",
                       "sign", "Heaviside", "sqrt"})


def of_whole_vectors(e: sp.Basic) -> bool:
    """Does ``e`` apply a function to a whole vector whose entries it may mix (``normalize(u)``,
    ``softmax(u)``), rather than entry by entry?"""
    return any(len(f.args) == 1 and f.func not in (TRANSPOSE, HADAMARD) and not acts_on_entries(f)
               for f in e.atoms(sp.Function))


def acts_on_entries(e: sp.Basic) -> bool:
    """Is ``e`` a function applied to every entry: a named activation or elementary function, or
    a function letter (``f``, ``f_{l}``, ``σ^{(l)}``, ``φ_i``)?  Any other name (``normalize``,
    ``diag``, ``LayerNorm``) may mix the entries, and read entry by entry it would prove
    ``∂y_k/∂u_j = 0`` for ``k ≠ j``: the step is not read."""
    name = _name_of(e)
    base = re.split(r"[_^'{]", name)[0]
    return name in ENTRYWISE or len(base) == 1 or base in GREEK_NAMES


class EntryReader:
    """Reads one side under one choice of orientations (``"vectors"``: "col"/"row"; a matrix
    letter → which index is its row), with fresh letters for the indices and sums it writes."""

    def __init__(self, components: Callable[[sp.Basic], Optional[Component]], choice: dict,
                 letters: list, vectors: frozenset = frozenset(), batch: Optional[BatchLoss] = None) -> None:
        self.components, self.choice, self.letters, self.vectors = components, choice, letters, vectors
        self.batch = batch  # the loss of a batch, when the step holds batch matrices
        self.used: set = set()
        self.assumed = False  # a name without components taken for a number

    def scalar(self, s: sp.Symbol, cost: bool = False) -> bool:
        """A name without components is a number when it is a size, or a plain letter the document
        never writes as a vector (η, λ; and a cost C, E differentiated by a vector or matrix) —
        taken so, the reading may prove but never refute (``assumed``); a decorated name
        (``a^{x,l}``, bold, labelled) or an unlabelled capital (X, W, T) may be a vector or matrix."""
        if s.is_integer:
            return True
        if re.search(r"[\^_{]", s.name.lstrip("\\")) or s.name in self.vectors:
            return False
        if cost:  # ∂C/∂a: what a gradient is taken of is a number
            return True
        if len(s.name) == 1 and s.name.isupper():
            return False
        self.assumed = True
        return True

    def index(self, axis) -> Optional[sp.Symbol]:
        """An index along ``axis``: none for the examples (read at one example), the axis's own
        letter where free, else a fresh one."""
        if axis is None or axis == EXAMPLES:
            return None
        if isinstance(axis, Letter) and axis.letter not in self.used:
            self.used.add(axis.letter)
            return sp.Symbol(axis.letter, integer=True)
        for ch in self.letters:
            if ch not in self.used:
                self.used.add(ch)
                return sp.Symbol(ch, integer=True)
        raise Unreadable("no free letter for an index")

    def __call__(self, e: sp.Basic) -> Entries:
        if e.is_number or isinstance(e, sp.Indexed):
            return _const(e)
        if isinstance(e, sp.Symbol):
            return self._name(e)
        if isinstance(e, (MatrixProduct, sp.Mul)):
            acc = _const(sp.Integer(1))
            for f in e.args:
                acc = self._product(acc, self(f))
            return acc
        if isinstance(e, sp.Add):
            return self._entrywise([self(t) for t in e.args], sp.Add)
        if isinstance(e, sp.Function) and e.func == HADAMARD:
            return self._entrywise([self(t) for t in e.args], sp.Mul)
        if isinstance(e, sp.Function) and e.func == TRANSPOSE:
            x = self(e.args[0])
            return transposed(x)
        if isinstance(e, sp.Pow):
            base, exp = self(e.base), self(e.exp)
            if not (base.scalar and exp.scalar and base.scope == exp.scope == "none" and exp.factor == 1):
                raise Unreadable(tex(e))
            if base.factor != 1 and e.exp.is_number:  # 1/N
                return Entries(None, None, lambda r, c: sp.Integer(1), factor=base.factor ** e.exp)
            return _const(sp.Pow(base.at(None, None), exp.at(None, None)))
        if isinstance(e, sp.Derivative):
            return self._derivative(e)
        if isinstance(e, PatternMatrix) and self.batch is not None:
            return self._examples(e)
        if isinstance(e, (PatternMatrix, sp.MatrixBase, sp.Sum)):
            raise Unreadable(tex(e))
        if isinstance(e, sp.Function) and len(e.args) == 1 and _name_of(e) in ACROSS_ENTRIES:
            return ACROSS_ENTRIES[_name_of(e)](self, self(e.args[0]))
        if isinstance(e, sp.Function) and not acts_on_entries(e):
            raise Unreadable(tex(e))
        if isinstance(e, sp.Function) and len(e.args) == 1:  # f(A): f on every entry
            x = self(e.args[0])
            if x.scope == "total":
                raise Unreadable("a function of a sum over the examples")
            return replace(x, at=lambda r, c: e.func(x.at(r, c)))
        raise Unreadable(tex(e))

    def _name(self, s: sp.Symbol) -> Entries:
        if s.name == ONES and self.batch is not None:
            return Entries(EXAMPLES, None, lambda r, c: sp.Integer(1))
        comp = self.components(s)
        if comp is None:
            if self.batch is not None and s.name == self.batch_size():
                if self.batch.within:  # read at one example: N is a number in the entries
                    return _const(sp.Symbol(s.name, integer=True, positive=True))
                return Entries(None, None, lambda r, c: sp.Integer(1), factor=s)
            if self.scalar(s):
                return _const(s)
            raise Unreadable(tex(s))
        scope = "one" if EXAMPLES in comp.axes else "none"
        if len(comp.axes) == 1:
            (axis,) = comp.axes
            if self.choice.get("vectors", "col") == "col":
                return Entries(axis, None, lambda r, c: comp.entry(r), scope)
            return Entries(None, axis, lambda r, c: comp.entry(c), scope)
        row = comp.stated_row if comp.stated_row is not None else self.choice.get(matrix_letter(comp), 0)
        if row == 0:
            return Entries(comp.axes[0], comp.axes[1], lambda r, c: comp.entry(r, c), scope)
        return Entries(comp.axes[1], comp.axes[0], lambda r, c: comp.entry(c, r), scope)

    def _examples(self, p: PatternMatrix) -> Entries:
        """``(W \\mathbf{y}_1 ⋯ W \\mathbf{y}_N)``: column n is example n's column (``((\\mathbf{δ}_1)^T; ⋯)``:
        row n its row), read at one example (the bold ``\\mathbf{y}_n`` is that example's vector)."""
        size = str(self.batch.size)
        across = p.c if (str(p.rows), str(p.cols)) == ("1", size) else p.r if (str(p.rows), str(p.cols)) == (size, "1") else None
        if across is None:
            raise Unreadable(tex(p))
        t = p.template.replace(lambda x: isinstance(x, sp.Indexed) and x.indices == (across,)
                               and BOLD_NAME.search(str(x.base.label)) is not None, lambda x: sp.Symbol(str(x.base.label)))
        if t.has(across):
            raise Unreadable("a pattern whose examples are not its bold vectors")
        cell = self(t)
        if cell.scope != "none" or cell.factor != 1:
            raise Unreadable(tex(p))
        if across == p.c:  # one column per example: its cells are columns
            if cell.rows is None or cell.cols is not None:
                raise IllTyped(f"a pattern of {shape(cell)} cells, one column per example")
            return Entries(cell.rows, EXAMPLES, lambda r, c: cell.at(r, None), "one")
        if cell.cols is None or cell.rows is not None:
            raise IllTyped(f"a pattern of {shape(cell)} cells, one row per example")
        return Entries(EXAMPLES, cell.cols, lambda r, c: cell.at(None, c), "one")

    def batch_size(self) -> str:
        return str(self.batch.size) if self.batch else "N"

    def _product(self, a: Entries, b: Entries) -> Entries:
        factor = a.factor * b.factor
        if a.scalar or b.scalar:
            scope = _scope(a, b, total_allowed=True)
            if a.scalar and b.scalar:
                return Entries(None, None, lambda r, c: a.at(None, None) * b.at(None, None), scope, factor)
            if a.scalar:
                return Entries(b.rows, b.cols, lambda r, c: a.at(None, None) * b.at(r, c), scope, factor)
            return Entries(a.rows, a.cols, lambda r, c: a.at(r, c) * b.at(None, None), scope, factor)
        if a.cols is None and b.rows is None:  # a column times a row: the outer product
            if EXAMPLES in (a.rows, b.cols) and a.rows == b.cols:
                raise Unreadable("two examples in one entry")
            return Entries(a.rows, b.cols, lambda r, c: a.at(r, None) * b.at(None, c), _scope(a, b), factor)
        if a.cols is None or b.rows is None or not _same_axis(a.cols, b.rows):
            raise IllTyped(f"a {shape(a)} matrix times a {shape(b)} one", label_clash([(a.cols, b.rows)]))
        if a.cols == EXAMPLES:  # Σ_n A_{rn} B_{nc}: a total over the examples, read at one
            if {a.scope, b.scope} - {"one", "none"} or EXAMPLES in (a.rows, b.cols):
                raise Unreadable("a sum over the examples of terms of several examples")
            return Entries(a.rows, b.cols, lambda r, c: a.at(r, None) * b.at(None, c), "total", factor)
        scope = _scope(a, b, total_allowed=True)
        axis, q = a.cols, self.index(a.cols)
        return Entries(a.rows, b.cols, lambda r, c: sp.Sum(a.at(r, q) * b.at(q, c), (q, 1, width(axis))),
                       scope, factor)

    @staticmethod
    def _entrywise(parts: list, op) -> Entries:
        shapes = {(p.rows, p.cols) for p in parts if not p.scalar}
        if len(shapes) > 1:
            first = next(p for p in parts if not p.scalar)
            raise IllTyped("terms of different shapes: " + ", ".join(sorted({shape(p) for p in parts if not p.scalar})),
                           all(label_clash([(first.rows, p.rows), (first.cols, p.cols)]) for p in parts
                               if not p.scalar and (p.rows, p.cols) != (first.rows, first.cols)))
        if op is sp.Add and shapes and any(p.scalar and not p.at(None, None).is_number for p in parts):
            raise Unreadable("a number added to a vector or matrix")  # 1 − σ(U): a number, on every entry
        factors = {p.factor for p in parts}
        if op is sp.Add and len(factors) > 1:
            raise Unreadable("terms with different factors of the batch size")
        scope = _scope(*parts, total_allowed=op is sp.Mul)
        factor = factors.pop() if op is sp.Add else sp.Mul(*[p.factor for p in parts])
        rows, cols = shapes.pop() if shapes else (None, None)
        return Entries(rows, cols, lambda r, c: op(*[p.at(None, None) if p.scalar else p.at(r, c) for p in parts]),
                       scope, factor)

    def _derivative(self, d: sp.Derivative) -> Entries:
        if len(d.variable_count) != 1 or d.variable_count[0][1] != 1:
            raise Unreadable(tex(d))
        x, f = d.variables[0], d.expr
        if isinstance(x, sp.Symbol) and self.components(x) is None and not x.is_integer:
            raise Unreadable(tex(d))  # ∂C/∂a: a gradient by a vector whose entries the document never writes
        var = self(x)
        if var.scalar:
            return _const(d)
        one = self.batch is not None and self.batch.within and isinstance(f, sp.Symbol) and \
            f.name == f"{self.batch.name}_{{{self.batch.index}}}"  # E_{n}: the loss of the one example read
        if isinstance(f, sp.Symbol) and self.components(f) is None and (one or self.scalar(f, cost=True)):
            if self.batch is None:  # ∂C/∂a: a gradient
                return replace(var, at=lambda r, c: sp.Derivative(f, var.at(r, c)))
            if f != self.batch.name and not one:
                raise Unreadable(f"{tex(f)} beside the loss of a batch")
            # ∂E/∂W = factor Σ_n ∂E_n/∂W (a total); ∂E/∂Y: row n is factor ∂E_n/∂y_n (one example's)
            return Entries(var.rows, var.cols, lambda r, c: sp.Derivative(f, var.at(r, c)),
                           "one" if var.scope == "one" else "total", self.batch.factor)
        if isinstance(f, sp.Function) and f.args == (x,):  # f'(z): on every entry
            return replace(var, at=lambda r, c: sp.Derivative(f.func(var.at(r, c)), var.at(r, c)))
        raise Unreadable(tex(d))
