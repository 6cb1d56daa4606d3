r"""The index-form claims of a vector or matrix step and their verdict (for :mod:`.components`).

Each orientation the document leaves open (all vectors columns or all rows; which index of
each matrix is its row) gives one reading of the step; the document's own vector-form
definitions narrow them (:meth:`~.component_facts.DocumentComponents.allowed`).  The step is
proved when every reading's index claim is proved, refuted when every one is refuted and the
components are the document's own, and refuted by its shapes when it fits no orientation the
document's own definitions leave; orientations that disagree leave it open, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Callable, Optional, Sequence

import sympy as sp

from .batches import BatchLoss
from .components import (EXAMPLES, LETTERS, MAX_CHOICES, ONES, Component, EntryReader, IllTyped,
                         Unreadable, label_clash, matrix_letter, shape, transposed)
from .guards import Outcome, open_
from .names import tex

#: The method of a step that fits no orientation the document's own definitions leave.
SHAPES_OF_ORIENTATION = ("shapes of the vectors and matrices from their entries, under every orientation the document "
                         "leaves open")
#: The method of a step decided entry by entry.
ENTRIES = "entry by entry in index notation (the definition of the matrix operations: exact for every size)"


@dataclass(frozen=True)
class Reading:
    """One orientation's index-form claim: ``lhs = rhs`` at free indices ``free`` (None: the
    step does not fit under that orientation)."""

    lhs: Optional[sp.Expr]
    rhs: Optional[sp.Expr]
    free: tuple
    own: bool
    why: str = ""  # why the step does not fit, when it does not
    labels: bool = False  # it does not fit only because two layer labels may differ in width
    factors: tuple = (1, 1)  # the batch size's factors of the two sides (1/N of a mean)


def conventions(matrices: Sequence[str]) -> list[dict]:
    """Every orientation: all vectors columns or all rows, and each matrix either index its row."""
    return [{"vectors": v, **dict(zip(matrices, rows))} for v in ("col", "row")
            for rows in product((0, 1), repeat=len(matrices))]


def index_claims(a: sp.Basic, b: sp.Basic, components: Callable[[sp.Basic], Optional[Component]],
                 vectors: frozenset = frozenset(), allowed: Optional[Callable[[dict], bool]] = None,
                 batch: Optional[BatchLoss] = None) -> list[tuple]:
    """``(orientation, reading)``: the index-form claim of ``a = b`` under each orientation
    ``allowed`` (see the module docstring); [] when the step cannot be read entry by entry."""
    names = sorted({s for e in (a, b) for s in e.free_symbols | {v for d in e.atoms(sp.Derivative) for v in d.variables}
                     if isinstance(s, sp.Symbol)}, key=str)
    comps = {s.name: c for s in names for c in [components(s)] if c is not None}
    if not comps:
        return []
    batched = any(EXAMPLES in c.axes for c in comps.values()) or any(s.name == ONES for s in names)
    bases = sorted({matrix_letter(c) for c in comps.values() if len(c.axes) == 2 and c.stated_row is None})
    taken = {s.name for e in (a, b) for s in e.free_symbols if isinstance(s, sp.Symbol) and len(s.name) == 1} | {
        i.name for e in (a, b) for x in e.atoms(sp.Indexed) for i in x.indices if isinstance(i, sp.Symbol)}
    letters = [ch for ch in LETTERS if ch not in taken]
    out: list = []
    for choice in conventions(bases[:MAX_CHOICES]):
        if allowed is not None and not allowed(choice):
            continue
        reader = EntryReader(lambda x: comps.get(getattr(x, "name", None)), choice, letters, vectors,
                             batch if batched else None)
        reader.used |= taken
        side = a
        try:
            left = reader(a)
            side = b
            right = reader(b)
        except IllTyped as exc:  # a side that does not fit is refuted by its own names' entries
            mine = {k: v for k, v in comps.items() if k in {s.name for s in side.free_symbols}}
            out.append((choice, Reading(None, None, (), own(mine) and not reader.assumed, f"{exc}", labels=exc.labels)))
            continue
        except Unreadable:
            return []
        if left.scalar and right.scalar:
            return []  # an index-form step already: nothing to read entry by entry
        if None in (left.rows, left.cols) and (left.rows, left.cols) == (right.cols, right.rows):
            right = transposed(right)  # a vector and its transpose: a document may write it as a row
        if (left.rows, left.cols) != (right.rows, right.cols):
            out.append((choice, Reading(None, None, (), own(comps) and not reader.assumed,
                                        f"the left side is {shape(left)}, the right side {shape(right)}",
                                        labels=label_clash([(left.rows, right.rows), (left.cols, right.cols)]))))
            continue
        if {left.scope, right.scope} in ({"total", "none"}, {"total", "one"}):
            return []  # a total beside one example's entries
        r, c = reader.index(left.rows), reader.index(left.cols)
        out.append((choice, Reading(left.at(r, c), right.at(r, c), tuple(x for x in (r, c) if x is not None),
                                    own(comps) and not reader.assumed, factors=(left.factor, right.factor))))
    return out


def _self_oriented(typed: list, readings: list, claim: Callable, tied: bool) -> Outcome:
    """A step that fits only some of the orientations the document leaves open: wrong if it
    fails under each one it fits (the others do not even fit — not only through two layer
    labels an activation layer ties) — the entries being the document's own; else open, as its
    holding would rest on the orientation it chose itself."""
    sure = all(r.own and not (r.lhs is None and r.labels and tied) for r in readings)
    outs = [(r, claim(r.lhs, r.rhs)) for r in typed] if sure else []
    if outs and all(o is not None and o.status == "refuted" for _r, o in outs):
        r, first = outs[0]
        return Outcome("refuted", first.category, f"{_entry(r)}: {first.reason}; under the other orientations "
                                                  f"the shapes do not fit", f"{first.method}; {ENTRIES}",
                       first.witness, first.expected)
    return open_("vector", "the step fits only some of the orientations the document leaves open (a "
                           "vector as a column or a row, which index of a matrix is its row)", ENTRIES)


def _vectors_only(read: list) -> bool:
    """Do the orientations that do not fit differ from fitting ones in how the vectors stand
    only, and are their entries the document's own?  ``u = W^{T} y`` with ``W``'s entries stated
    does not fit vectors as rows: the document's vectors are columns, whatever the step.  Which
    index of a matrix is its row is what a document may leave open (the issue's rule): a step
    fitting one choice of it only fixes it itself, and is not decided."""
    rest = lambda choice: {k: v for k, v in choice.items() if k != "vectors"}
    fitting = [rest(c) for c, r in read if r.lhs is not None]
    return all(r.own and rest(c) in fitting for c, r in read if r.lhs is None)


def own(comps: dict) -> bool:
    """Are all the components the document's own (not the upper/lower-case convention)?"""
    return all(v.own for v in comps.values())


def same_reading(x: Reading, y: Reading) -> bool:
    """The same claim up to the names of its free indices (a column and a row read alike)."""
    if x.lhs is None or y.lhs is None:
        return x.lhs is None and y.lhs is None
    if len(x.free) != len(y.free):
        return False
    swap = dict(zip(y.free, x.free))
    return sp.Eq(x.lhs, x.rhs) == sp.Eq(y.lhs.xreplace(swap), y.rhs.xreplace(swap))


def decide_by_entries(a: sp.Basic, b: sp.Basic, components: Callable[[sp.Basic], Optional[Component]],
                      claim: Callable[[sp.Expr, sp.Expr], Optional[Outcome]], vectors: frozenset = frozenset(),
                      allowed: Optional[Callable[[dict], bool]] = None, batch: Optional[BatchLoss] = None,
                      tied: bool = False) -> Optional[Outcome]:
    """The step ``a = b`` decided entry by entry (see the module docstring), or None."""
    readings: list[Reading] = []
    read = index_claims(a, b, components, vectors, allowed, batch)
    for _choice, r in read:
        if not any(same_reading(r, o) for o in readings):
            readings.append(r)
    typed = [r for r in readings if r.lhs is not None]
    # a shape mismatch is its own refutation — of two layer labels only where the document gives
    # them different widths (no activation layer y^{l} = f(y^{l-1}) ties them)
    if not typed and read and all(r.own and not (r.labels and tied) for _c, r in read):
        how = (f"as the document's own vector-form definitions orient its vectors and matrices "
               f"({_orientation(read[0][0])})" if len(read) == 1 else "under every orientation of its vectors and matrices")
        return Outcome("refuted", "", f"{read[0][1].why}: the shapes do not fit, {how}", SHAPES_OF_ORIENTATION)
    if not typed:
        return None  # a reading by a convention: the shapes of the document's own names may say more (shape_algebra)
    if len(typed) < len(readings) and not _vectors_only(read):
        return _self_oriented(typed, readings, claim, tied)
    if any(sp.simplify(r.factors[0] - r.factors[1]) != 0 for r in typed):
        return _factors(typed, claim)
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


def _factors(typed: list, claim: Callable) -> Optional[Outcome]:
    """Sides whose entries agree for one example but carry different factors of the batch size
    (``X^{T} Δ`` and ``(1/N) X^{T} Δ``) differ by ``(c₁ − c₂) Σ_n a_n``: refuted where an example
    makes the entry ``a`` nonzero (a batch of two such examples, N = 2, is the witness)."""
    if len(typed) != 1 or not typed[0].own:
        return open_("vector", "the sides carry different factors of the batch size", ENTRIES)
    r = typed[0]
    same, nonzero = claim(r.lhs, r.rhs), claim(r.rhs, sp.Integer(0))
    sizes = {x for f in r.factors for x in sp.sympify(f).free_symbols}
    at_two = [sp.sympify(f).subs({x: 2 for x in sizes}) for f in r.factors]
    if same is None or nonzero is None or same.status != "proved" or nonzero.status != "refuted" or at_two[0] == at_two[1]:
        return open_("vector", f"the sides carry different factors of the batch size ({tex(r.factors[0])} and "
                               f"{tex(r.factors[1])})", ENTRIES)
    return Outcome("refuted", "", f"{_entry(r)} holds for each example, but the sides carry the factors "
                                  f"{tex(r.factors[0])} and {tex(r.factors[1])} of the batch size: for a batch of two "
                                  f"examples where {tex(r.rhs)} ≠ 0 ({nonzero.reason}) they differ",
                   f"{same.method}; {ENTRIES}", nonzero.witness)


def _orientation(choice: dict) -> str:
    said = ["vectors are columns" if choice.get("vectors") == "col" else "vectors are rows"]
    said += [f"the first index of {k} is its row" if v == 0 else f"the second index of {k} is its row"
             for k, v in choice.items() if k != "vectors"]
    return ", ".join(said)


def _entry(r: Reading) -> str:
    return f"entry {', '.join(tex(x) for x in r.free)} of both sides, {tex(r.lhs)} = {tex(r.rhs)}"
