r"""Matrices written with ellipses, read as a pattern of symbolic size.

A textbook writes a matrix of symbolic size by its corners and dots::

    \begin{pmatrix} w_{11} & \cdots & w_{1Q} \\ \vdots & \ddots & \vdots \\ w_{P1} & \cdots & w_{PQ} \end{pmatrix}

Read as :class:`PatternMatrix`: an entry template ``w_{rc}``, a row variable r running
1…P and a column variable c running 1…Q.  The template is found, not guessed: among the
ways of turning the 1s of the first entry into r or c, the one that reproduces every other
written entry (the last row with r = P, the last column with c = Q, a second row with
r = 2, …) exactly; when none or several different ones do, the matrix is not read.

A pattern matrix is non-commutative, so a product keeps its written order
(:class:`MatrixProduct`); the checker instantiates it at concrete sizes
(:meth:`PatternMatrix.at`) before it decides anything.
"""

from __future__ import annotations

import itertools
from typing import Optional, Sequence

import sympy as sp

#: more 1s than this in a corner entry and the pattern search (3^k candidates) is not tried
MAX_ONES = 7


class PatternMatrix(sp.Expr):
    """Entry (r, c) = ``template`` for r = 1…``rows``, c = 1…``cols`` (sizes may be symbols)."""

    is_commutative = False

    def __new__(cls, template: sp.Expr, r: sp.Symbol, rows: sp.Expr, c: sp.Symbol, cols: sp.Expr):
        return sp.Expr.__new__(cls, template, r, sp.sympify(rows), c, sp.sympify(cols))

    template = property(lambda self: self.args[0])
    r = property(lambda self: self.args[1])
    rows = property(lambda self: self.args[2])
    c = property(lambda self: self.args[3])
    cols = property(lambda self: self.args[4])

    @property
    def sizes(self) -> set:
        """The symbolic sizes (rows, cols that are not numbers)."""
        return {s for s in (self.rows, self.cols) if not s.is_Integer}

    def at(self, sizes: dict) -> Optional[sp.ImmutableMatrix]:
        """The explicit matrix once every size is a number (None if one is not)."""
        rows, cols = self.rows.xreplace(sizes), self.cols.xreplace(sizes)
        if not (rows.is_Integer and cols.is_Integer and rows > 0 and cols > 0):
            return None
        t = self.template.xreplace(sizes)
        return sp.ImmutableMatrix(int(rows), int(cols),
                                  lambda i, j: t.xreplace({self.r: sp.Integer(i + 1), self.c: sp.Integer(j + 1)}))

    def _latex(self, printer) -> str:
        corner = lambda r, c: printer._print(self.template.xreplace({self.r: r, self.c: c}))  # noqa: E731
        one = sp.Integer(1)
        if self.cols == 1:
            return rf"\begin{{pmatrix}} {corner(one, one)} \\ \vdots \\ {corner(self.rows, one)} \end{{pmatrix}}"
        if self.rows == 1:
            return rf"\begin{{pmatrix}} {corner(one, one)} & \cdots & {corner(one, self.cols)} \end{{pmatrix}}"
        return (rf"\begin{{pmatrix}} {corner(one, one)} & \cdots & {corner(one, self.cols)} \\ "
                rf"\vdots & \ddots & \vdots \\ {corner(self.rows, one)} & \cdots & "
                rf"{corner(self.rows, self.cols)} \end{{pmatrix}}")

    _symbackprop_latex = _latex  # the notation printer's print method

    def _sympystr(self, printer) -> str:
        return f"({printer._print(self.template)})_{{{self.r}=1..{self.rows}, {self.c}=1..{self.cols}}}"


class MatrixProduct(sp.Expr):
    """A product with a pattern matrix in it, its factors in written order (evaluated once
    the sizes are numbers)."""

    is_commutative = False

    def __new__(cls, *factors: sp.Basic):
        return sp.Expr.__new__(cls, *factors)

    def _latex(self, printer) -> str:
        return " ".join(printer.parenthesize(f, 50) if isinstance(f, sp.Add) else printer._print(f)
                        for f in self.args)

    _symbackprop_latex = _latex

    def _sympystr(self, printer) -> str:
        return " · ".join(printer._print(f) for f in self.args)


def has_pattern(e: sp.Basic) -> bool:
    """True if a matrix written with ellipses occurs in ``e``."""
    return isinstance(e, sp.Basic) and e.has(PatternMatrix)


# ── reading the pattern ─────────────────────────────────────────────────────
def read_pattern(grid: Sequence[Sequence[Optional[sp.Expr]]]) -> Optional[PatternMatrix]:
    """``grid``: the written cells, ``None`` for an ellipsis.  A row of ellipses marks the rows
    between, a column of ellipses the columns between (at most one of each).  Returns the
    pattern, or None when the entries do not follow one (the reader then says why)."""
    rows = [i for i, row in enumerate(grid) if any(x is not None for x in row)]
    cols = [j for j in range(len(grid[0])) if any(grid[i][j] is not None for i in rows)]
    dotted_rows = [i for i in range(len(grid)) if i not in rows]
    dotted_cols = [j for j in range(len(grid[0])) if j not in cols]
    if len(dotted_rows) > 1 or len(dotted_cols) > 1 or (not dotted_rows and not dotted_cols):
        return None
    if any(grid[i][j] is None for i in rows for j in cols):
        return None  # an ellipsis beside entries in the same row and column: not a pattern
    if (dotted_rows and not any(i > dotted_rows[0] for i in rows)) or \
            (dotted_cols and not any(j > dotted_cols[0] for j in cols)):
        return None  # no last row or column after the dots: the size is not written
    row_at = _positions(rows, dotted_rows)
    col_at = _positions(cols, dotted_cols)
    cells = {(row_at[i], col_at[j]): grid[i][j] for i in rows for j in cols}
    return _find(cells, bool(dotted_rows), bool(dotted_cols))


_N, _M = sp.Symbol("N_rows"), sp.Symbol("M_cols")  # placeholders for the unknown sizes


def _positions(written: list[int], dotted: list[int]) -> dict[int, sp.Expr]:
    """Written index → its place: 1, 2, … before the dots, N − k … N after them."""
    if not dotted:
        return {i: sp.Integer(n + 1) for n, i in enumerate(written)}
    before = [i for i in written if i < dotted[0]]
    after = [i for i in written if i > dotted[0]]
    places = {i: sp.Integer(n + 1) for n, i in enumerate(before)}
    places.update({i: sp.Symbol("END") - (len(after) - 1 - n) for n, i in enumerate(after)})
    return places


def _ones(e: sp.Basic) -> int:
    return sum(1 for x in sp.preorder_traversal(e) if x == 1 and isinstance(x, sp.Integer))


def _replace_ones(e: sp.Basic, choice: Sequence[Optional[sp.Symbol]]) -> sp.Basic:
    """``e`` with its k-th Integer 1 (preorder) replaced by ``choice[k]`` (None keeps it)."""
    counter = iter(choice)

    def walk(x: sp.Basic) -> sp.Basic:
        if isinstance(x, sp.Integer) and x == 1:
            new = next(counter)
            return x if new is None else new
        if not x.args:
            return x
        args = [walk(a) for a in x.args]
        return x.func(*args) if any(a is not b for a, b in zip(args, x.args)) else x

    return walk(e)


def _candidates(first: sp.Expr, last: sp.Expr) -> list[sp.Expr]:
    """Sizes the last entry may hold where the first holds a 1: symbols and indexed names
    that the first entry does not contain."""
    seen = {x for x in sp.preorder_traversal(first) if isinstance(x, (sp.Symbol, sp.Indexed))}
    return [x for x in sp.preorder_traversal(last)
            if isinstance(x, (sp.Symbol, sp.Indexed)) and x not in seen and not x.is_Integer]


def _find(cells: dict, row_dots: bool, col_dots: bool) -> Optional[PatternMatrix]:
    one = sp.Integer(1)
    first = cells.get((one, one))
    if first is None or _ones(first) > MAX_ONES:
        return None
    end = sp.Symbol("END")
    last_row = [k for k in cells if isinstance(k[0], sp.Expr) and k[0].has(end)]
    last_col = [k for k in cells if isinstance(k[1], sp.Expr) and k[1].has(end)]
    row_sizes = _size_options(first, [cells[k] for k in last_row]) if row_dots else [None]
    col_sizes = _size_options(first, [cells[k] for k in last_col]) if col_dots else [None]
    r, c = sp.Dummy("r", integer=True, positive=True), sp.Dummy("c", integer=True, positive=True)
    found = set()
    k = _ones(first)
    for n_rows in row_sizes:
        for n_cols in col_sizes:
            for choice in itertools.product((None, r, c), repeat=k):
                if (r in choice) != row_dots or (c in choice) != col_dots:
                    continue
                t = _replace_ones(first, choice)
                if all(_fits(t, r, c, place, value, n_rows, n_cols) for place, value in cells.items()):
                    found.add((t, n_rows, n_cols))
    if len({(t.xreplace({r: _N, c: _M}), n, m) for t, n, m in found}) != 1:
        return None  # no pattern, or two that disagree: the matrix is not read
    t, n_rows, n_cols = found.pop()
    if (row_dots and n_rows is None) or (col_dots and n_cols is None):
        return None
    rows = n_rows if row_dots else sp.Integer(max(int(p[0]) for p in cells))
    cols = n_cols if col_dots else sp.Integer(max(int(p[1]) for p in cells))
    return PatternMatrix(t, r, rows, c, cols)


def _size_options(first: sp.Expr, lasts: list) -> list:
    options: list = []
    for last in lasts[:1]:
        options = list(dict.fromkeys(_candidates(first, last)))
    return options or [None]


def _fits(t: sp.Expr, r: sp.Symbol, c: sp.Symbol, place: tuple, value: sp.Expr, n_rows, n_cols) -> bool:
    end = sp.Symbol("END")
    i = place[0].xreplace({end: n_rows}) if n_rows is not None else place[0]
    j = place[1].xreplace({end: n_cols}) if n_cols is not None else place[1]
    if i.has(end) or j.has(end):
        return False
    try:
        return t.xreplace({r: i, c: j}) == value
    except (TypeError, ValueError):
        return False
