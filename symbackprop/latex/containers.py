"""Matrices, cases and quotients for the Builder; products of matrix values."""

from __future__ import annotations

import sympy as sp

from symbackprop.latex import arithmetic
from symbackprop.latex.arity import one_arity
from symbackprop.latex.nodes import CasesN, HTerm, MatrixN, SemanticError, SumN, TermN, is_tok
from symbackprop.latex.patterns import MatrixProduct, has_pattern, read_pattern
from symbackprop.latex.vocabulary import RELATIONAL


class ContainersMixin:
    """Matrix, cases and division building; mixed into ``Builder``."""

    # ----------------------------------------------------------- containers

    def _div(self, num: list, den: list, pos: int) -> sp.Basic:
        if any(d == 0 for d in den):
            raise SemanticError("division by zero", pos)
        if any(isinstance(d, sp.MatrixBase) for d in num + den):
            return mul(num, pos) / mul(den, pos)
        return arithmetic.quotient(num, den, pos)

    def _matrix(self, m: MatrixN) -> sp.Basic:
        dotted = False
        m = MatrixN([[c for cell in r for c in _missing_ampersand(cell)] for r in m.rows], m.pos)
        for r in m.rows:
            for cell in r:
                if any(self._is_ellipsis(ht) for _, ht in cell.parts):
                    if len(cell.parts) != 1:
                        raise SemanticError("an ellipsis beside an entry in one cell of a matrix "
                                            "(a missing &?)", cell.pos)
                    dotted = True
        if dotted:
            return self._pattern(m)
        rows = [[self.sum(c) for c in r] for r in m.rows]
        if len({len(r) for r in rows}) != 1:
            raise SemanticError("matrix rows have different lengths", m.pos)
        return sp.ImmutableMatrix(rows)

    def _pattern(self, m: MatrixN) -> sp.Basic:
        """A matrix of symbolic size written with ellipses (:mod:`symbackprop.latex.patterns`)."""
        grid = [[None if self._is_ellipsis(c.parts[0][1]) else self.sum(c) for c in r] for r in m.rows]
        flat = one_arity([x for r in grid for x in r if x is not None])  # w_{11} beside w_{PQ}: (1, 1)
        it = iter(flat)
        grid = [[None if x is None else next(it) for x in r] for r in grid]
        if len({len(r) for r in grid}) != 1:
            raise SemanticError("matrix rows have different lengths", m.pos)
        pattern = read_pattern(grid)
        if pattern is None:
            raise SemanticError("a matrix with ellipses whose entries follow no one pattern "
                                "(first, second and last entries must differ only in their indices)", m.pos)
        return pattern

    def _cases(self, c: CasesN) -> sp.Basic:
        pieces = []
        for value, conds, ops in c.rows:
            v = self.sum(value)
            if not ops:
                cond = self.sum(conds[0])
                if cond == sp.Symbol("otherwise"):
                    cond = sp.true
                elif not isinstance(cond, sp.core.relational.Relational):
                    raise SemanticError("a cases condition must be a relation or "
                                        "\\text{otherwise}", conds[0].pos)
            else:
                vals = [self.sum(x) for x in conds]
                rels = []
                for a, op, b in zip(vals, ops, vals[1:]):
                    if op not in RELATIONAL:
                        raise SemanticError(f"unsupported relation {op} in a condition", c.pos)
                    rels.append(RELATIONAL[op](a, b))
                cond = sp.And(*rels) if len(rels) > 1 else rels[0]
            pieces.append((v, cond))
        try:
            return sp.Piecewise(*pieces)
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot build cases: {exc}", c.pos) from exc


def mul(factors: list, pos: int) -> sp.Basic:
    if len(factors) == 1:
        return factors[0]
    if any(has_pattern(x) for x in factors):
        return MatrixProduct(*factors)  # evaluated once the sizes are numbers
    try:
        if not any(isinstance(x, sp.MatrixBase) for x in factors):
            return arithmetic.mul(factors, pos)
        out = factors[0]
        for x in factors[1:]:
            out = out * x
        return out
    except (TypeError, ValueError) as exc:
        raise SemanticError(f"cannot multiply these factors: {exc}", pos) from exc


def matrix_add(values: list) -> sp.Basic:
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _missing_ampersand(cell: SumN) -> list:
    r"""A cell that is an ellipsis and one entry side by side (``\cdots \bm{y}_N``, ``y_1 \cdots``)
    as the two cells it renders as: the ``&`` between them is missing, and the printed row reads
    ``… y_N`` either way.  Only a cell of one product whose first or last factor is a bare
    ellipsis and whose other factors hold no ellipsis is split; anything else stays one cell."""
    if len(cell.parts) != 1:
        return [cell]
    sign, ht = cell.parts[0]
    if len(ht.terms) != 1 or len(ht.terms[0].items) < 2:
        return [cell]
    items = ht.terms[0].items
    dots = [n for n, f in enumerate(items) if is_tok(f, "ellipsis")]
    if dots not in ([0], [len(items) - 1]) or getattr(items[dots[0]], "scripts", None):
        return [cell]
    rest = items[1:] if dots == [0] else items[:-1]
    if any(not hasattr(f, "primary") for f in (rest[0], rest[-1])):  # a dangling operator
        return [cell]

    def one(part: list, pos: int) -> SumN:
        return SumN([(None, HTerm([TermN(part, pos)], pos))], pos)

    ellipsis = one([items[dots[0]]], items[dots[0]].pos)
    entry = one(rest, rest[0].pos)
    entry.parts[0] = (sign, entry.parts[0][1])
    return [ellipsis, entry] if dots == [0] else [entry, ellipsis]
