"""Matrices, cases and quotients for the Builder; products of matrix values."""

from __future__ import annotations

import sympy as sp

from symbackprop.latex import arithmetic
from symbackprop.latex.arity import one_arity
from symbackprop.latex.nodes import CasesN, MatrixN, SemanticError
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
