"""Vector and matrix steps whose entries are written out: checked entry by entry.

A step with explicit matrices (``pmatrix`` …) or matrices of symbolic size written with
ellipses (:class:`~symbackprop.latex.patterns.PatternMatrix`) is instantiated at concrete
sizes — the symbolic sizes get the numbers 2, 3, 4, … in their order, pairwise different,
so a missing transpose is a shape error or a wrong entry, never an accident of square
matrices — and evaluated: products in their written order, sums, transposes, Hadamard
products (``∗``, ``\\odot``) and functions applied entrywise.  Then

* a product or sum whose shapes do not fit, or two sides of different shapes, is *refuted*
  by its shapes alone (no values can repair them);
* equal shapes are compared entry by entry with the scalar decider: a refuted entry refutes
  the step (its witness kept); every entry proved proves the step only when no size was
  symbolic — at chosen sizes it is evidence, not a proof, and the step stays inconclusive;
* a side with a vector or matrix that has no written entries (``W^{l} \\bm{y}``) is not
  checked here (the step stays *inconclusive*, category ``vector``): a symbol is read as a
  scalar, so it never makes a shape error, and a side that is only symbols is never called
  "a number" against a written matrix.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..latex.patterns import MatrixProduct, PatternMatrix
from ..latex.vocabulary import HADAMARD, TRANSPOSE
from .guards import Outcome, open_

FIRST_SIZE = 2        # symbolic sizes become 2, 3, 4, … (pairwise different, none square by accident)
MAX_ENTRIES = 36      # entries compared one by one at most
SHAPES = "shapes of the written matrices"  # the method of a refutation by shapes alone


class Mismatch(Exception):
    """Shapes that do not fit: the message says which."""


class Unwritten(Exception):
    """A vector or matrix without written entries: nothing to compare entry by entry."""


def choose_sizes(*exprs: sp.Basic) -> dict:
    """Each symbolic size of the pattern matrices in ``exprs`` → 2, 3, 4, … (sorted by name),
    and every symbol of the same name with it: the Q of ``w_{1Q}`` and the Q of ``Σ_k^Q`` are
    one width, whatever assumptions the reader gave each."""
    sizes: set = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            for p in e.atoms(PatternMatrix):
                sizes |= p.sizes
    by_name = {str(s): sp.Integer(FIRST_SIZE + n) for n, s in enumerate(sorted(sizes, key=sp.default_sort_key))}
    chosen = {s: by_name[str(s)] for s in sizes}
    for e in exprs:
        if isinstance(e, sp.Basic):
            chosen.update({x: by_name[str(x)] for x in sp.preorder_traversal(e)
                           if isinstance(x, (sp.Symbol, sp.Indexed)) and str(x) in by_name})
    return chosen


def shape(m: sp.MatrixBase) -> str:
    return f"{m.rows}×{m.cols}"


def _matrix(v) -> bool:
    return isinstance(v, sp.MatrixBase)


def _scalar(v):
    """A 1×1 matrix is its entry (``a^T b`` is a number)."""
    return v[0, 0] if _matrix(v) and v.shape == (1, 1) else v


def concrete(e: sp.Basic):
    """The value of ``e`` once every size is a number: an ImmutableMatrix or a scalar."""
    if isinstance(e, PatternMatrix):
        m = e.at({})
        if m is None:
            raise Unwritten(f"a matrix of unknown size {e.rows}×{e.cols}")
        return m
    if _matrix(e):
        return sp.ImmutableMatrix(e)
    if not _holds_matrix(e):
        return e
    if isinstance(e, (MatrixProduct, sp.Mul)):
        return _product([concrete(f) for f in e.args])
    if isinstance(e, sp.Add):
        return _sum([concrete(t) for t in e.args])
    if isinstance(e, sp.Function) and e.func == TRANSPOSE:
        v = concrete(e.args[0])
        return v.T if _matrix(v) else v
    if isinstance(e, sp.Function) and e.func == HADAMARD:
        x, y = (concrete(a) for a in e.args)
        if _matrix(x) and _matrix(y):
            if x.shape != y.shape:
                raise Mismatch(f"an entrywise product of a {shape(x)} and a {shape(y)} matrix")
            return x.multiply_elementwise(y)
        return _product([x, y])
    if isinstance(e, sp.Function) and len(e.args) == 1:  # f(A): f on every entry
        v = concrete(e.args[0])
        return v.applyfunc(e.func) if _matrix(v) else e.func(v)
    raise Unwritten("a vector or matrix inside an expression that is not a sum, product, "
                    "transpose or entrywise function")


def _holds_matrix(e: sp.Basic) -> bool:
    return any(isinstance(x, (sp.MatrixBase, PatternMatrix, MatrixProduct)) for x in sp.preorder_traversal(e))


def _product(values: list):
    acc = sp.Integer(1)
    for v in values:
        if _matrix(acc) and _matrix(v):
            if acc.cols != v.rows:
                raise Mismatch(f"a {shape(acc)} matrix times a {shape(v)} matrix")
            acc = acc * v
        else:
            acc = acc * v
    return acc


def _sum(values: list):
    values = [_scalar(v) for v in values]
    matrices = [v for v in values if _matrix(v)]
    if not matrices:
        return sp.Add(*values)
    if len(matrices) != len(values):
        raise Mismatch(f"a {shape(matrices[0])} matrix plus a number")
    if len({m.shape for m in matrices}) != 1:
        raise Mismatch(f"a {shape(matrices[0])} matrix plus a "
                       f"{shape(next(m for m in matrices if m.shape != matrices[0].shape))} matrix")
    out = matrices[0]
    for m in matrices[1:]:
        out = out + m
    return out


def _at(sizes: dict) -> str:
    named = {sp.latex(s): v for s, v in sizes.items()}
    return ", ".join(f"{n} = {v}" for n, v in sorted(named.items()))


def matrix_step(a: sp.Expr, b: sp.Expr, decide: Callable[[sp.Expr, sp.Expr], Outcome]) -> Outcome:
    """Decide ``a = b`` entry by entry (``decide``: the scalar decider of the walk)."""
    sizes = choose_sizes(a, b)
    where = f" (at {_at(sizes)})" if sizes else ""
    sides = []
    for name, e in (("left", a), ("right", b)):
        try:
            sides.append(_scalar(concrete(e.xreplace(sizes))))
        except Mismatch as exc:
            return Outcome("refuted", "", f"the {name} side has {exc}: the shapes do not fit{where}",
                           SHAPES + where)
        except Unwritten:
            return open_("vector", "a vector or matrix claim; only claims whose entries are written out "
                                   "are checked")
        except (TypeError, ValueError, AttributeError) as exc:
            return open_("vector", f"cannot evaluate this matrix expression ({type(exc).__name__})")
    left, right = sides
    if _matrix(left) != _matrix(right) and any(not _matrix(v) and v.free_symbols for v in sides):
        return open_("vector", "one side is written out as a matrix, the other names vectors or matrices "
                               "whose entries are not written: not compared")
    if _matrix(left) != _matrix(right) or (_matrix(left) and left.shape != right.shape):
        return Outcome("refuted", "", f"the left side is {_kind(left)}, the right side {_kind(right)}{where}",
                       SHAPES + where)
    if not _matrix(left):
        return _entry_outcome([((1, 1), decide(left, right))], sizes, where)
    if left.rows * left.cols > MAX_ENTRIES:
        return open_("vector", f"a {shape(left)} matrix claim: more than {MAX_ENTRIES} entries to compare")
    results = []
    for i in range(left.rows):
        for j in range(left.cols):
            out = decide(left[i, j], right[i, j])
            results.append(((i + 1, j + 1), out))
            if out.status == "refuted":
                break
        else:
            continue
        break
    return _entry_outcome(results, sizes, where)


def _kind(v) -> str:
    return f"a {shape(v)} matrix" if _matrix(v) else "a number"


def _entry_outcome(results: list, sizes: dict, where: str) -> Outcome:
    for (i, j), out in results:
        if out.status == "refuted":
            return Outcome("refuted", out.category, f"entry ({i}, {j}){where}: {out.reason}",
                           out.method + where, out.witness, None)
    undecided = [((i, j), o) for (i, j), o in results if o.status != "proved"]
    if undecided:
        (i, j), o = undecided[0]
        return open_(o.category or "vector", f"entry ({i}, {j}){where}: {o.reason}", o.method)
    if sizes:
        return open_("vector", f"holds entry by entry{where}, sizes chosen for the check: evidence, "
                               f"not a proof for every size")
    return Outcome("proved", "", "", f"entry by entry ({results[0][1].method})" if results else "entry by entry")
