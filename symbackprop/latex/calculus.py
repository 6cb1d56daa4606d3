"""Derivatives (∂, d/dx, ∇) and big operators (∑, ∏) for the Builder."""

from __future__ import annotations

from typing import Optional, Union

import sympy as sp

from symbackprop.latex.nodes import (Factor, Frac, MulTok, Sarg, SemanticError,
                                     SumN, Tok, is_tok, sarg_items, simple_items,
                                     term_items, unwrap)
from symbackprop.latex.records import DerivOp
from symbackprop.latex.vocabulary import index_symbol, replace_symbol, unbounded_upper


class CalculusMixin:
    """Derivative and sum/product reading; mixed into ``Builder``."""

    # ----------------------------------------------------------- ∂ and d/dx

    def _partial(self, items: list, i: int, f: Factor) -> tuple[sp.Basic, int]:
        if any(k == "sub" for k, _ in f.scripts):
            var = self._op_vars(f, r"\partial")
            operand = self._rest(items, i + 1, r"\partial_x", f.pos)
            return self._derivative(operand, var, f.pos), len(items)
        n = len(items)
        if (i + 4 < n and isinstance(items[i + 2], MulTok) and items[i + 2].op == "/"
                and is_tok(items[i + 3], "partial") and isinstance(items[i + 1], Factor)
                and isinstance(items[i + 4], Factor)):
            num = self._unit(items, i + 1)[0]
            var = self._var(items[i + 4])
            if var is None:
                raise SemanticError("malformed partial derivative: expected ∂x after '/'",
                                    items[i + 4].pos)
            return self._derivative(num, [var], f.pos), i + 5
        if f.scripts:
            raise SemanticError("a bare ∂ with scripts", f.pos)
        if i + 1 < n and isinstance(items[i + 1], Factor):
            g = unwrap(items[i + 1])
            info = self._symbol(g, prefix=r"\partial ")
            if info is not None:
                return self._sym_value(info, g.pos), i + 2
        raise SemanticError("a bare ∂ must be followed by a symbol (∂w) or used in "
                            "\\frac{\\partial E}{\\partial w} / ∂E/∂w", f.pos)

    def _op_vars(self, f: Factor, what: str) -> list:
        subs = [s for k, s in f.scripts if k == "sub"]
        if len(subs) != 1 or len(f.scripts) != 1:
            raise SemanticError(f"{what} needs exactly one subscript (the variable)", f.pos)
        items = sarg_items(subs[0])
        if len(items) != 1:
            raise SemanticError(f"{what}_x: the subscript must be one variable", subs[0].pos)
        var = self._var(items[0])
        if var is None:
            raise SemanticError(f"{what}_x: cannot differentiate with respect to this", subs[0].pos)
        return [var]

    def _var(self, f: Factor) -> Optional[tuple]:
        """A differentiation variable ``(v, n)`` from ``x``, ``w_{jk}``, ``x^2``."""
        try:
            v = self._factor(unwrap(f))[0]
        except SemanticError:
            return None
        count = 1
        if isinstance(v, sp.Pow) and v.exp.is_Integer and v.exp > 0:
            v, count = v.base, int(v.exp)
        if isinstance(v, (sp.Symbol, sp.Indexed)) or (
                isinstance(v, sp.Function) and not isinstance(v, sp.Derivative)):
            return (v, count)
        return None

    def _derivative(self, expr: sp.Basic, vars_: list, pos: int) -> sp.Basic:
        try:
            return sp.Derivative(expr, *vars_, evaluate=False)
        except (ValueError, TypeError) as exc:
            raise SemanticError(f"cannot build the derivative: {exc}", pos) from exc

    def _frac(self, fr: Frac) -> Union[sp.Basic, DerivOp]:
        num, den = sarg_items(fr.num), sarg_items(fr.den)
        kind = None
        if num and is_tok(num[0], "partial"):
            kind = "partial"
        elif num and self._is_d(num[0]):
            kind = "d"
        if kind is not None:
            order = self._order(num[0])
            vars_ = self._den_vars(den, kind)
            if vars_ is None and kind == "partial":
                raise SemanticError("malformed partial derivative: the denominator must "
                                    "read \\partial x (\\partial x \\partial y, \\partial x^2)",
                                    fr.den.pos)
            if vars_ is not None:
                if order is not None and order != sum(n for _, n in vars_):
                    raise SemanticError("derivative order mismatch between numerator "
                                        "and denominator", fr.pos)
                if len(num) == 1:
                    return DerivOp(vars_)
                return self._derivative(self._product(num, 1, fr.pos), vars_, fr.pos)
        return self._div(self._arg_factors(fr.num), self._arg_factors(fr.den), fr.pos)

    def _arg_factors(self, s: Sarg) -> list:
        """A fraction part as separate factors, so 2(x+y)/x keeps SymPy's own shape."""
        if s.seq is not None:
            items = simple_items(s.seq)
            if items:
                return self._factors(items, 0, s.pos)
        return [self._arg(s)]

    def _is_d(self, f: object) -> bool:
        if not isinstance(f, Factor):
            return False
        p = unwrap(f).primary
        ok = isinstance(p, Tok) and ((p.kind == "letter" and p.text == "d")
                                     or (p.kind == "text" and p.text == r"\text{d}"))
        return ok and all(k == "sup" for k, _ in f.scripts)

    def _order(self, f: Factor) -> Optional[int]:
        sups = [s for k, s in f.scripts if k == "sup"]
        if not sups:
            return None
        v = self._arg(sups[0])
        if not (v.is_Integer and v > 0):
            raise SemanticError("the order of a derivative must be a positive integer", sups[0].pos)
        return int(v)

    def _den_vars(self, den: list, kind: str) -> Optional[list]:
        out = []
        i = 0
        while i < len(den):
            marker = den[i]
            is_marker = (is_tok(marker, "partial") if kind == "partial" else self._is_d(marker))
            if not is_marker or marker.scripts or i + 1 >= len(den):
                return None
            var = self._var(den[i + 1]) if isinstance(den[i + 1], Factor) else None
            if var is None:
                return None
            out.append(var)
            i += 2
        return out or None

    # ----------------------------------------------------------- sums ∑ ∏

    def _bigop(self, f: Factor, body: sp.Basic) -> sp.Basic:
        subs = [s for k, s in f.scripts if k == "sub"]
        sups = [s for k, s in f.scripts if k == "sup"]
        if len(subs) > 1 or len(sups) > 1 or any(k == "prime" for k, _ in f.scripts):
            raise SemanticError("malformed \\sum/\\prod scripts", f.pos)
        if not subs:
            raise SemanticError("\\sum without a summation index", f.pos)
        vars_, lower = self._bounds(subs[0])
        upper = self._arg(sups[0]) if sups else None
        limits = []
        for v in vars_:
            body = replace_symbol(body, v.name, v)
            limits.append((v, lower if lower is not None else sp.Integer(1),
                           upper if upper is not None else unbounded_upper(v)))
        cls = sp.Sum if f.primary.text == r"\sum" else sp.Product
        # \sum_{i,j} is \sum_i \sum_j: SymPy's first limit is the innermost
        return cls(body, *reversed(limits))

    def _bounds(self, s: Sarg) -> tuple[list, Optional[sp.Basic]]:
        if s.tok is not None:
            if s.tok.kind in ("letter", "greek"):
                return [index_symbol(self._tok_name(s.tok))], None
            raise SemanticError("the summation index must be a letter", s.pos)
        seq = s.seq
        if len(seq.seps) > 1 or (seq.seps and seq.seps[0] != "="):
            if all(x == "," for x in seq.seps):
                return [v for part in seq.parts for v in self._index_vars(part)], None
            raise SemanticError("summation subscript must read k, k=1 or i,j", s.pos)
        vars_ = self._index_vars(seq.parts[0])
        lower = self.sum(seq.parts[1]) if seq.seps else None
        return vars_, lower

    def _index_vars(self, part: SumN) -> list:
        items = term_items(part)
        if not items or not all(is_tok(x, "letter", "greek") for x in items) or any(
                k != "prime" for x in items for k, _ in x.scripts):
            if items and any(is_tok(x, "ellipsis") for x in items):
                raise SemanticError("ellipsis in a summation index is not supported", part.pos)
            raise SemanticError("the summation index must be letters", part.pos)
        return [index_symbol(self._tok_name(x.primary) + "'" * sum(n for _, n in x.scripts))
                for x in items]

