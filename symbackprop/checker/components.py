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
  matrix (:mod:`.matrices` reads those), a sum over vectors, a name without components, a
  batch matrix — leaves the step to the other readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Callable, Optional, Sequence

import sympy as sp

from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from .guards import Outcome, open_
from .labels import split
from .names import tex

#: The method of a step that fits no orientation the document's own definitions leave.
SHAPES_OF_ORIENTATION = "shapes of the vectors and matrices, oriented as the document's vector-form definitions read them"
#: The method of a step decided entry by entry.
ENTRIES = "entry by entry in index notation (the definition of the matrix operations: exact for every size)"
MAX_CHOICES = 6          # at most 2**6 orientations read
BOLD_NAME = re.compile(r"\\(?:mathbf|bm|boldsymbol|vec|mathsf)\{([A-Za-z\\]+)\}")
_LETTERS = "jkpqrsmvxz"


class Unreadable(Exception):
    """The expression has no entries this module can write."""


class IllTyped(Exception):
    """Under the orientation read, inner sizes or summands are widths of different layers."""


@dataclass(frozen=True)
class Component:
    """What a name's entries are: ``base`` with one index (a vector of layer ``axes[0]``) or two
    (a matrix with index 0 in layer ``axes[0]`` and index 1 in layer ``axes[1]``); ``own``: the
    document gives them itself (refutable), not by the upper/lower-case convention."""

    base: sp.IndexedBase
    axes: tuple
    own: bool
    stated_row: Optional[int] = None  # which index is the row, as the document states


@dataclass(frozen=True)
class Entries:
    """A side read entry by entry: the layers its rows and columns run over (None: one row or
    one column) and its entry at indices ``(r, c)``."""

    rows: Optional[sp.Expr]
    cols: Optional[sp.Expr]
    at: Callable[[Optional[sp.Symbol], Optional[sp.Symbol]], sp.Expr]

    @property
    def scalar(self) -> bool:
        return self.rows is None and self.cols is None


def matrix_letter(comp: Component) -> str:
    """The letter of a matrix's entries (``w`` of ``w^{l+1}``): its orientation is the document's
    at every label."""
    parts = split(str(comp.base.label))
    return parts[0] if parts else str(comp.base.label)


def width(label: sp.Expr) -> sp.Symbol:
    """The width of the layer with this label, as the document scan names it (``n^{(l+1)}``)."""
    return sp.Symbol(f"n^{{({label})}}", integer=True, positive=True)


def _const(e: sp.Expr) -> Entries:
    return Entries(None, None, lambda r, c: e)


class EntryReader:
    """Reads one side under one choice of orientations (name → "col"/"row" for vectors, name →
    row index 0/1 for matrices), with fresh letters for the sums it writes."""

    def __init__(self, components: Callable[[sp.Basic], Optional[Component]], choice: dict,
                 letters: list, vectors: frozenset = frozenset()) -> None:
        self.components, self.choice, self.letters, self.vectors = components, choice, letters, vectors
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
        if not cost and len(s.name) == 1 and s.name.isupper():
            return False
        self.assumed = True
        return True

    def fresh(self) -> sp.Symbol:
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
            return Entries(x.cols, x.rows, lambda r, c: x.at(c, r))
        if isinstance(e, sp.Pow):
            base, exp = self(e.base), self(e.exp)
            if base.scalar and exp.scalar:
                return _const(sp.Pow(base.at(None, None), exp.at(None, None)))
            raise Unreadable(tex(e))
        if isinstance(e, sp.Derivative):
            return self._derivative(e)
        if isinstance(e, (PatternMatrix, sp.MatrixBase, sp.Sum)):
            raise Unreadable(tex(e))
        if isinstance(e, sp.Function) and len(e.args) == 1:  # f(A): f on every entry
            x = self(e.args[0])
            return Entries(x.rows, x.cols, lambda r, c: e.func(x.at(r, c)))
        raise Unreadable(tex(e))

    def _name(self, s: sp.Symbol) -> Entries:
        comp = self.components(s)
        if comp is None:
            if self.scalar(s):
                return _const(s)
            raise Unreadable(tex(s))
        if len(comp.axes) == 1:
            (layer,) = comp.axes
            if self.choice.get("vectors", "col") == "col":
                return Entries(layer, None, lambda r, c: comp.base[r])
            return Entries(None, layer, lambda r, c: comp.base[c])
        row = comp.stated_row if comp.stated_row is not None else self.choice.get(matrix_letter(comp), 0)
        if row == 0:
            return Entries(comp.axes[0], comp.axes[1], lambda r, c: comp.base[r, c])
        return Entries(comp.axes[1], comp.axes[0], lambda r, c: comp.base[c, r])

    def _product(self, a: Entries, b: Entries) -> Entries:
        if a.scalar and b.scalar:
            return _const(a.at(None, None) * b.at(None, None))
        if a.scalar:
            return Entries(b.rows, b.cols, lambda r, c: a.at(None, None) * b.at(r, c))
        if b.scalar:
            return Entries(a.rows, a.cols, lambda r, c: a.at(r, c) * b.at(None, None))
        if a.cols is None and b.rows is None:  # a column times a row: the outer product
            return Entries(a.rows, b.cols, lambda r, c: a.at(r, None) * b.at(None, c))
        if a.cols is None or b.rows is None or sp.expand(a.cols - b.rows) != 0:
            raise IllTyped(f"a {_shape(a)} matrix times a {_shape(b)} one")
        layer, q = a.cols, self.fresh()
        return Entries(a.rows, b.cols, lambda r, c: sp.Sum(a.at(r, q) * b.at(q, c), (q, 1, width(layer))))

    @staticmethod
    def _entrywise(parts: list, op) -> Entries:
        shapes = {(p.rows, p.cols) for p in parts if not p.scalar}
        if len(shapes) > 1:
            raise IllTyped("terms of different shapes: " + ", ".join(sorted({_shape(p) for p in parts if not p.scalar})))
        if not shapes:
            return _const(op(*[p.at(None, None) for p in parts]))
        if op is sp.Add and any(p.scalar for p in parts):
            raise Unreadable("a number added to a vector or matrix")
        rows, cols = shapes.pop()
        return Entries(rows, cols, lambda r, c: op(*[p.at(None, None) if p.scalar else p.at(r, c) for p in parts]))

    def _derivative(self, d: sp.Derivative) -> Entries:
        if len(d.variable_count) != 1 or d.variable_count[0][1] != 1:
            raise Unreadable(tex(d))
        x, f = d.variables[0], d.expr
        if isinstance(x, sp.Symbol) and self.components(x) is None and not x.is_integer:
            raise Unreadable(tex(d))  # ∂C/∂a: a gradient by a vector whose entries the document never writes
        var = self(x)
        if var.scalar:
            return _const(d)
        if isinstance(f, sp.Symbol) and self.components(f) is None and self.scalar(f, cost=True):
            return Entries(var.rows, var.cols, lambda r, c: sp.Derivative(f, var.at(r, c)))  # ∂C/∂a: a gradient
        if isinstance(f, sp.Function) and f.args == (x,):  # f'(z): on every entry
            return Entries(var.rows, var.cols, lambda r, c: sp.Derivative(f.func(var.at(r, c)), var.at(r, c)))
        raise Unreadable(tex(d))


@dataclass(frozen=True)
class Reading:
    """One orientation's index-form claim: ``lhs = rhs`` at free indices ``free`` (None: the
    step does not fit under that orientation)."""

    lhs: Optional[sp.Expr]
    rhs: Optional[sp.Expr]
    free: tuple
    own: bool
    why: str = ""  # why the step does not fit, when it does not


def conventions(matrices: Sequence[str]) -> list[dict]:
    """Every orientation: all vectors columns or all rows, and each matrix either index its row."""
    return [{"vectors": v, **dict(zip(matrices, rows))} for v in ("col", "row")
            for rows in product((0, 1), repeat=len(matrices))]


def index_claims(a: sp.Basic, b: sp.Basic, components: Callable[[sp.Basic], Optional[Component]],
                 vectors: frozenset = frozenset(), allowed: Optional[Callable[[dict], bool]] = None) -> list[tuple]:
    """``(orientation, reading)``: the index-form claim of ``a = b`` under each orientation
    ``allowed`` (see the module docstring); [] when the step cannot be read entry by entry."""
    names = sorted({s for e in (a, b) for s in e.free_symbols | {v for d in e.atoms(sp.Derivative) for v in d.variables}
                     if isinstance(s, sp.Symbol)}, key=str)
    comps = {s.name: c for s in names for c in [components(s)] if c is not None}
    if not comps:
        return []
    bases = sorted({matrix_letter(c) for c in comps.values() if len(c.axes) == 2 and c.stated_row is None})
    taken = {ch for e in (a, b) for s in e.free_symbols for ch in re.findall(r"[A-Za-z]", str(s))}
    letters = [ch for ch in _LETTERS if ch not in taken]
    out: list[Reading] = []
    for choice in conventions(bases[:MAX_CHOICES]):
        if allowed is not None and not allowed(choice):
            continue
        reader = EntryReader(lambda x: comps.get(getattr(x, "name", None)), choice, letters, vectors)
        try:
            left, right = reader(a), reader(b)
        except IllTyped as exc:
            out.append((choice, Reading(None, None, (), own(comps) and not reader.assumed, f"{exc}")))
            continue
        except Unreadable:
            return []
        if left.scalar and right.scalar:
            return []  # an index-form step already: nothing to read entry by entry
        if (left.rows, left.cols) != (right.rows, right.cols):
            out.append((choice, Reading(None, None, (), own(comps) and not reader.assumed, f"the left side is {_shape(left)}, "
                                                                    f"the right side {_shape(right)}")))
            continue
        r = reader.fresh() if left.rows is not None else None
        c = reader.fresh() if left.cols is not None else None
        out.append((choice, Reading(left.at(r, c), right.at(r, c), tuple(x for x in (r, c) if x is not None),
                                    own(comps) and not reader.assumed)))
    return out


def own(comps: dict) -> bool:
    """Are all the components the document's own (not the upper/lower-case convention)?"""
    return all(v.own for v in comps.values())


def _size(layer: Optional[sp.Expr]) -> str:
    return "1" if layer is None else tex(width(layer))


def _shape(e: Entries) -> str:
    return f"{_size(e.rows)}×{_size(e.cols)}"


def _same(x: Reading, y: Reading) -> bool:
    """The same claim up to the names of its free indices (a column and a row read alike)."""
    if x.lhs is None or y.lhs is None:
        return x.lhs is None and y.lhs is None
    if len(x.free) != len(y.free):
        return False
    swap = dict(zip(y.free, x.free))
    return sp.Eq(x.lhs, x.rhs) == sp.Eq(y.lhs.xreplace(swap), y.rhs.xreplace(swap))


def decide_by_entries(a: sp.Basic, b: sp.Basic, components: Callable[[sp.Basic], Optional[Component]],
                      claim: Callable[[sp.Expr, sp.Expr], Optional[Outcome]], vectors: frozenset = frozenset(),
                      allowed: Optional[Callable[[dict], bool]] = None) -> Optional[Outcome]:
    """The step ``a = b`` decided entry by entry (see the module docstring), or None."""
    readings: list[Reading] = []
    read = index_claims(a, b, components, vectors, allowed)
    for _choice, r in read:
        if not any(_same(r, o) for o in readings):
            readings.append(r)
    typed = [r for r in readings if r.lhs is not None]
    if not typed and len(read) == 1 and allowed is not None and read[0][1].own:
        return Outcome("refuted", "", f"{read[0][1].why}: the shapes do not fit, read as the document's own "
                                      f"vector-form definitions orient its vectors and matrices ({_orientation(read[0][0])})",
                       SHAPES_OF_ORIENTATION)
    if not typed:
        return None  # fits under no orientation: the shapes say why (shape_algebra)
    if len(typed) < len(readings):
        return open_("vector", "the step fits only some of the orientations the document leaves open (a "
                               "vector as a column or a row, which index of a matrix is its row)", ENTRIES)
    outs = [(r, claim(r.lhs, r.rhs)) for r in typed]
    if any(o is None for _r, o in outs):
        return None
    first_reading, first = outs[0]
    where = _entry(first_reading)
    if all(o.status == "proved" for _r, o in outs):
        return Outcome("proved", "", f"{where}: {first.reason}".rstrip(": "), f"{first.method}; {ENTRIES}")
    if all(o.status == "refuted" for _r, o in outs) and all(r.own for r, _o in outs):
        return Outcome("refuted", first.category, f"{where}: {first.reason}", f"{first.method}; {ENTRIES}",
                       first.witness, first.expected)
    if len(outs) > 1 and {o.status for _r, o in outs} >= {"proved", "refuted"}:
        return open_("vector", "the orientations the document leaves open (a vector as a column or a row, "
                               "which index of a matrix is its row) disagree entry by entry", ENTRIES)
    if all(o.status == "refuted" for _r, o in outs):
        return open_("vector", f"{where} fails, read with entries the document does not state itself (an "
                               f"upper-case matrix with its lower-case letter's entries, or a name taken for a "
                               f"number): {first.reason}", ENTRIES)
    undecided = next(o for _r, o in outs if o.status != "proved")
    return open_(undecided.category or "vector", f"{where}: {undecided.reason}",
                 f"{undecided.method}; {ENTRIES}".lstrip("; "))


def _orientation(choice: dict) -> str:
    said = ["vectors are columns" if choice.get("vectors") == "col" else "vectors are rows"]
    said += [f"the first index of {k} is its row" if v == 0 else f"the second index of {k} is its row"
             for k, v in choice.items() if k != "vectors"]
    return ", ".join(said)


def _entry(r: Reading) -> str:
    return f"entry {', '.join(tex(x) for x in r.free)} of both sides, {tex(r.lhs)} = {tex(r.rhs)}"
