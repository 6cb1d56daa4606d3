r"""What a document says about the shapes of its vectors and matrices (for :mod:`.shape_algebra`).

* **Bold names** (``\bm{y}^{l-1}``, ``\mathbf{u}_n^{l}``) are vectors with one entry per unit of
  their layer: ``n_{l-1}`` entries.
* **Matrices whose entries the document names**, ``W^{l+1} = (w^{l+1}_{ij})_{ij}``: row ``i``,
  column ``j``.  Which layers ``i`` and ``j`` run over comes from the document's own forward
  definition with those entries, ``u^{l}_j = Σ_i w^{l}_{ij} y^{l-1}_i``: ``i`` is summed with
  ``y^{l-1}``, ``j`` is the index of ``u^{l}`` — so ``W^{l}`` is ``n_{l-1}×n_{l}``, and ``W^{l+1}``
  is ``n_{l}×n_{l+1}``.  Such a statement holds in the section that holds the part it is made in
  (its sibling subsections share the notation; a later part of the document may renumber).
* **Matrices the document writes out** as the first step of a chain, ``Y^{l} = (\bm{y}_1^{l} ⋯
  \bm{y}_N^{l})``, have the written shape (``n_{l}×N``) wherever the name is used.
* Sizes (integer symbols such as ``N``), the entries of indexed quantities, and a plain symbol
  differentiated by a vector or matrix (``E`` in ``∂E/∂W``) are numbers.  Every other name has
  no shape the document gives, and a step that needs it is not refuted.
"""

from __future__ import annotations

import dataclasses
import re
from itertools import product
from typing import Optional, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..latex.parse import parse_math
from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from ..prover.runner import inline
from .columns import columns_step, same_columns
from .examples import rewritten
from .labels import at_general_label, general_label, general_variable, shift, split
from .names import key, tex
from .scopes import within
from .order import memo
from .read import PARSE_OPTIONS
from .scan import BOLD
from .size_statements import stated_shape, statements as size_statements
from .shape_algebra import SCALAR, WIDTH, Either, Mismatch, Refutation, Shape, Shaper, Unknown, Vector, shape_refutation

ORDERED = dataclasses.replace(PARSE_OPTIONS, ordered_products=True)
#: a fragment that may define a matrix by a formula: ``U^{l} = …``, ``\\Delta^{(l)} = …``
_MATRIX_NAME = re.compile(r"^\s*(?:[A-Z]|\\[A-Z][a-z]+)\s*(?:\^\s*\{?\(?[A-Za-z0-9+\- ]+\)?\}?)?\s*=")
PARSE_SECONDS = 2.0
#: ``W^{l+1} = (w^{l+1}_{ij})_{ij}`` once spaces, ``\left`` and ``\right`` are gone.
_STATEMENT = re.compile(
    r"\{?(?P<name>\\?[A-Za-z]+(?:\^\{[^{}]*\})?)\}?=\((?P<base>\\?[a-z]+)"
    r"(?:_\{(?P<i>[a-z])(?P<j>[a-z])\}(?:\^\{(?P<lab>[^{}]*)\})?|\^\{(?P<lab2>[^{}]*)\}_\{(?P<i2>[a-z])(?P<j2>[a-z])\})"
    r"\)(?:_\{(?P<r>[a-z])(?P<c>[a-z])\})?")


#: ``\bm{b}^{l} = (b^{l}_{j})_{j}``: a vector whose entries the document names.
_VECTOR_STATEMENT = re.compile(
    r"\{?(?P<name>\\?[A-Za-z]+(?:\{[A-Za-z]\})?(?:\^\{[^{}]*\})?)\}?=\((?P<base>\\?[a-z]+)"
    r"(?:_\{?(?P<i>[a-z])\}?(?:\^\{(?P<lab>[^{}]*)\})?|\^\{(?P<lab2>[^{}]*)\}_\{?(?P<i2>[a-z])\}?)"
    r"\)_\{?(?P<r>[a-z])\}?(?![a-z])")


#: ``(Y^{(l)})_{nj} = y^{(l)}_{nj}``: a matrix whose entry (n, j) the document names.
_ENTRY_STATEMENT = re.compile(
    r"\(\{?(?P<name>\\?[A-Za-z]+(?:\^\{[^{}]*\})?)\}?\)_\{(?P<r>[a-z])(?P<c>[a-z])\}=(?P<base>\\?[a-z]+)"
    r"(?:_\{(?P<i>[a-z])(?P<j>[a-z])\}(?:\^\{(?P<lab>[^{}]*)\})?|\^\{(?P<lab2>[^{}]*)\}_\{(?P<i2>[a-z])(?P<j2>[a-z])\})")


def _name(written: str) -> str:
    """A stated name as the reader names it: ``\\bm{b}`` → ``\\mathbf{b}``, ``\\Delta`` → ``Delta``."""
    name = re.sub(r"\\(bm|boldsymbol)\{", r"\\mathbf{", written)
    return name if name.startswith("\\mathbf") else name.lstrip("\\")


def _compact(source: str) -> str:
    return re.sub(r"\\(left|right)\b|\s+|&", "", source)


@dataclasses.dataclass(frozen=True)
class Statement:
    """``name = (base^{label}_{row col})``, made in ``section``."""

    name: str
    base: str
    label: str
    row: str
    col: str
    section: tuple
    letters: tuple = ()  # the entry's two index letters, in order


class ShapeFacts:
    """The shapes a document gives its names (see the module docstring), read once."""

    def __init__(self, readings: Sequence, examples=None) -> None:
        self.readings = readings
        self.examples = examples  # read at one example (examples.py), as the walk reads them
        self._ordered: dict = {}
        self.statements: list[Statement] = []
        self.written: dict = {}
        for reading in readings:
            self._statements(reading.fragment)
        self.formulas: dict = {}  # U^{l} = (W^{l})^{T} Y^{l-1} + b 1^{T}: a matrix defined by a formula
        for reading in readings:
            self._written(reading)
        self.sized = size_statements([r.fragment for r in readings])  # "Δ^{(l)} is the N×n_l matrix"
        #: every written relation ``x_i = … Σ …`` (a definition or a claim: what the document means by its sums)
        self.sums = [(c.exprs[0], c.exprs[1]) for r in readings for c in getattr(r.parsed, "chains", ()) or ()
                     if len(c.exprs) >= 2 and c.ops and c.ops[0] == "=" and isinstance(c.exprs[0], sp.Indexed)
                     and isinstance(c.exprs[1], sp.Basic) and c.exprs[1].has(sp.Sum)]

    def ordered(self, reading, source: Optional[str] = None) -> Optional[object]:
        """The fragment (or ``source``, a rewriting of it) read with its products in written
        order (None if it cannot be)."""
        src = reading.fragment.source if source is None else source
        if src not in self._ordered:  # ``\ast``: an entrywise product where the shapes agree
            out = inline(parse_math, re.sub(r"\\ast\b", r"\\odot ", src), ORDERED, seconds=PARSE_SECONDS)
            self._ordered[src] = rewritten(out.value, self.examples) if out.ok else None
        return self._ordered[src]

    def _statements(self, frag) -> None:
        section = tuple(getattr(frag, "section", ()) or ())
        for m in _VECTOR_STATEMENT.finditer(_compact(frag.source)):
            i = m["i"] or m["i2"]
            if m["r"] == i:
                self.statements.append(Statement(_name(m["name"]), m["base"].lstrip("\\"),
                                                 m["lab"] or m["lab2"] or "", "i", "", section, (i,)))
        for m in [*_STATEMENT.finditer(_compact(frag.source)), *_ENTRY_STATEMENT.finditer(_compact(frag.source))]:
            i, j = (m["i"], m["j"]) if m["i"] else (m["i2"], m["j2"])
            row, col = (m["r"], m["c"]) if m["r"] else (i, j)
            if {row, col} != {i, j}:
                continue
            row_pos, col_pos = (0, 1) if row == i else (1, 0)  # which index of the entry is the row
            self.statements.append(Statement(_name(m["name"]), m["base"].lstrip("\\"), m["lab"] or m["lab2"] or "",
                                             "ij"[row_pos], "ij"[col_pos],
                                             tuple(getattr(frag, "section", ()) or ()), (i, j)))

    def _written(self, reading) -> None:
        src = reading.fragment.source
        parsed = self.ordered(reading) if "matrix" in src or _MATRIX_NAME.match(src) else None
        for chain in getattr(parsed, "chains", ()) if parsed is not None else ():
            exprs = chain.exprs
            if len(exprs) < 2 or chain.ops[0] != "=" or not isinstance(exprs[0], sp.Symbol) or exprs[1] is None:
                continue
            if isinstance(exprs[1], (PatternMatrix, sp.MatrixBase)):
                self.written.setdefault(exprs[0].name, exprs[1])
            elif not BOLD.search(exprs[0].name) and exprs[1].atoms(MatrixProduct):
                self.formulas.setdefault(exprs[0].name, exprs[1])

    def _formula_shape(self, name: str, section: tuple, table) -> Optional[Shape]:
        """The shape of the formula the document defines ``name`` by (at its label, or at a
        general one shifted), where every orientation of its vectors that fits gives one shape;
        its names are shaped without formulas (no chain of definitions is followed)."""
        formula = self.formulas.get(name)
        found = at_general_label(name, self.formulas) if formula is None else None
        if found is not None:
            formula = self._shifted(self.formulas, *found)
        if formula is None:
            return None
        vectors = sorted({key(x) for x in formula.atoms(sp.Symbol, sp.Indexed) if BOLD.search(str(key(x)) or "")})
        if len(vectors) > 3:
            return None
        named = lambda e: None if str(key(e) or "") in self.formulas else self.named(e, section, table, formulas=False)  # noqa: E731
        shapes = set()
        for chosen in product(("col", "row"), repeat=len(vectors)):
            shaper = Shaper(named, dict(zip(vectors, chosen)))
            for term in sp.Add.make_args(formula):  # a sum has its terms' shape (b 1^{T}: 1 has no width)
                try:
                    shapes.add(shaper(term))
                except (Unknown, Mismatch):
                    continue
        return shapes.pop() if len(shapes) == 1 else None

    def sides(self, reading, chain: int, step: int, first: Optional[int] = None) -> Optional[tuple]:
        """The two sides of step ``step`` of chain ``chain`` as read in written order (the left
        one from position ``first`` of the chain when given), or None."""
        parsed = self.ordered(reading)
        exprs = parsed.chains[chain].exprs if parsed is not None and chain < len(parsed.chains) else ()
        left = step - 1 if first is None else first
        if step >= len(exprs) or exprs[left] is None or exprs[step] is None:
            return None
        return exprs[left], exprs[step]

    def statement(self, reading, chain: int, step: int) -> str:
        """The step as LaTeX with its products in written order ("" if it cannot be read so)."""
        sides = self.sides(reading, chain, step)
        return f"{tex(sides[0])} {self.ordered(reading).chains[chain].ops[step - 1]} {tex(sides[1])}" if sides else ""

    def stated(self, name: str, section: tuple) -> Optional[Statement]:
        """The statement of ``name``'s entries in force in ``section``: one made in the section's
        part of the document (its parent section) first, else any — a matrix's entries are a
        layer's quantities, which hold in every section (``scopes.LASTING``)."""
        want = split(name)
        found = [s for s in self.statements if s.name == name or (
            (have := split(s.name)) and want and have[0] == want[0] and general_label(s.name))]
        # a statement for a general layer holds at every label (W^{l} → W^{l+1}, W^{l+1} → W^{l})
        near = [s for s in found if within(section, s.section[:-1])]
        return (near or found or [None])[0]

    def states_entries(self, a: sp.Basic, b: sp.Basic) -> bool:
        """Is ``a = b`` one of the statements of entries (``W = (w_{ij})`` read as ``W = w_{ij}``,
        ``(Y)_{nj} = y_{nj}``)?  It says what the entries are: it is no claim to refute."""
        if not isinstance(b, sp.Indexed):
            return False
        letters = tuple(map(str, b.indices))
        name = getattr(a, "name", None) or (str(a.base.label) if isinstance(a, sp.Indexed) else None)
        return any(s.name == name and str(b.base.label).startswith(s.base) and
                   (letters == s.letters or set(letters) == set(s.letters)) for s in self.statements)

    def refutation(self, reading, chain: int, step: int, table, first: Optional[int] = None) -> Optional[Refutation]:
        """Why step ``step`` of chain ``chain`` of ``reading`` fails by its shapes (its left side
        taken from position ``first`` of the chain when given: the chain's start), or None."""
        sides = self.sides(reading, chain, step, first)
        if sides is None:
            return None
        a, b = sides
        section = tuple(getattr(reading.fragment, "section", ()) or ())
        vectors = sorted({key(x) for e in (a, b) for x in e.atoms(sp.Symbol, sp.Indexed)
                          if BOLD.search(str(key(x)) or "")})
        lenient = bool(re.search(r"\\ast\b|\*", reading.fragment.source))
        sizes = frozenset(x for e in (a, b) for s in e.atoms(sp.Sum) for _v, _lo, hi in s.limits
                          for x in hi.free_symbols) | frozenset(x for e in (a, b) for p in e.atoms(PatternMatrix)
                                                                  for x in p.sizes)
        return shape_refutation(a, b, lambda e: self.named(e, section, table, sizes), vectors, lenient,
                                activation_step(a, b))

    def columns(self, reading, chain: int, step: int, table) -> Optional[tuple]:
        """The step's column ``n`` on both sides at width one (:mod:`.columns`), or None."""
        sides = self.sides(reading, chain, step)
        section = tuple(getattr(reading.fragment, "section", ()) or ())
        return columns_step(*sides, lambda e: self.named(e, section, table), table) if sides else None

    def same_columns(self, reading, chain: int, step: int, table) -> bool:
        """Is the step's column ``n`` one expression on both sides (:func:`.columns.same_columns`)?"""
        sides = self.sides(reading, chain, step)
        section = tuple(getattr(reading.fragment, "section", ()) or ())
        return bool(sides) and same_columns(*sides, lambda e: self.named(e, section, table))

    def named(self, e: sp.Basic, section: tuple, table, sizes: frozenset = frozenset(),
              formulas: bool = True) -> Optional[object]:
        """The shape of one name: a :class:`Shape`, a :class:`Vector`, a written matrix
        (an expression), or None when the document gives none."""
        name = str(key(e) or "")
        if BOLD.search(name):
            parts = split(name)
            return Vector(name, WIDTH(parts[2])) if parts else None
        if isinstance(e, sp.Indexed) or e.is_integer or e in sizes or name in {str(x) for x in sizes}:
            return SCALAR
        if name in self.written:
            return self.written[name]
        general = self._written_at_label(name)
        if general is not None:
            return general
        by_formula = self._formula_shape(name, section, table) if formulas else None
        if by_formula is not None:
            return by_formula
        sized = stated_shape(self.sized, name)
        s = self.stated(name, section)  # the definitions searched once per state of the table
        found = memo(table, ("stated", s, name), lambda: self._stated(s, table, name, self.sums)) if s is not None else None
        if sized is None or found in (None, sized):
            return sized or found
        shapes = set(found.shapes if isinstance(found, Either) else (found,)) | {sized}
        return Either(tuple(sorted(shapes, key=str)))  # the words and the sums disagree: both are tried

    def _written_at_label(self, name: str) -> Optional[sp.Basic]:
        """``Δ^{l+1}`` from ``Δ^{l} = (δ_1^{l} ⋯ δ_N^{l})`` written for a general layer ``l``."""
        found = at_general_label(name, self.written)
        return self._shifted(self.written, *found) if found is not None else None

    @staticmethod
    def _shifted(exprs: dict, name: str, var: sp.Symbol, target: sp.Expr) -> sp.Basic:
        """``exprs[name]``, written for layer ``var``, at ``var = target``."""
        parts = split(name)
        return shift(exprs[name], var, target, (parts[1], parts[3]))

    @staticmethod
    def _stated(s: Statement, table, name: str, sums: list) -> Optional[Shape]:
        """``n_{rows}×n_{cols}`` for the stated matrix at ``name``'s label, its layers from a
        forward definition or relation (``sums``) that sums its entries (``u^{l}_j = Σ_i w^{l}_{ij} y^{l-1}_i``; an
        unlabelled ``w_{ij}`` in ``y^{l}_i = Σ_j w_{ij} y^{l-1}_j`` is layer l's or layer l−1's).  None
        where none does; both (:class:`Either`) where the document sums them in two orders (one part's
        ``W`` is another's transpose)."""
        want = split(name)
        if want is None or not s.label:
            return None
        shapes = set()
        for lhs, rhs in [(d.lhs, d.rhs) for d in table.history()] + sums:
            own = split(str(key(lhs) or "")) if isinstance(lhs, sp.Indexed) else None
            if own is None or len(lhs.indices) != 1 or not isinstance(rhs, sp.Basic):
                continue
            for total in rhs.atoms(sp.Sum):
                (v, *_r), = total.limits if len(total.limits) == 1 else ((None,),)
                for w in total.function.atoms(sp.Indexed):
                    parts = split(str(key(w) or ""))
                    if (parts or (str(w.base.label),))[0] != s.base or len(w.indices) != 2 or v not in w.indices:
                        continue
                    others = [q for q in total.function.atoms(sp.Indexed) if q is not w and v in q.indices]
                    inputs = [split(str(key(q) or "")) for q in others]
                    if len(inputs) != 1 or inputs[0] is None or lhs.indices[0] not in w.indices:
                        continue
                    # an unlabelled w_{ij} is the weight of the layer it feeds or of the one it reads
                    for label in ([parts[2]] if parts else [own[2], inputs[0][2]]):
                        shift = want[2] - label
                        layer_of = {v: inputs[0][2] + shift, lhs.indices[0]: own[2] + shift}
                        first, second = (layer_of[i] for i in w.indices)
                        rows, cols = (first, second) if s.row == "i" else (second, first)
                        shapes.add(Shape(WIDTH(sp.expand(rows)), WIDTH(sp.expand(cols))))
        return (shapes.pop() if len(shapes) == 1 else Either(tuple(sorted(shapes, key=str)))) if shapes else None


def activation_step(a: sp.Basic, b: sp.Basic) -> bool:
    r"""Does the step hold a function applied to a vector of one layer beside the same letter's
    vector of another (``(\mathbf{y}^{l+1}_1 ⋯) = (f(\mathbf{y}^{l}_1) ⋯)``)?  Then it states an
    activation layer, whose width is the width below: the two labels' widths are not taken as
    different.  (A derivative ``f'(\mathbf{u}^{l})`` states none.)"""
    def labelled(x: sp.Basic) -> Optional[tuple]:
        name = str(key(x) or "")
        parts = split(name) if BOLD.search(name) else None
        return (parts[0], parts[2]) if parts else None

    plain = [e.replace(lambda d: isinstance(d, sp.Derivative), lambda d: sp.Integer(0)) for e in (a, b)]
    inside = {labelled(x) for e in plain for f in e.atoms(AppliedUndef) if f.func not in (TRANSPOSE, HADAMARD)
              for x in f.atoms(sp.Symbol, sp.Indexed)}
    every = {labelled(x) for e in (a, b) for x in e.atoms(sp.Symbol, sp.Indexed)}
    return any(p[0] == q[0] and p[1] != q[1] and sp.expand(p[1] - q[1]).is_Integer
               for p in inside - {None} for q in every - {None})
