"""Pass 1 of the text printer: an *equal* SymPy expression in the form a textbook prints.

* a sum over a range of one element becomes its term at that index;
* numeric factors of a product are multiplied out, and a constant factor of a single sum is
  moved into the sum;
* products and sums that SymPy ordered canonically are put in textbook order (numbers, then
  quantities and function values, then brackets, then logarithms, then sums; positive and
  simpler terms first); products and sums the engine built in textbook order keep it.

The result is built with ``evaluate=False`` so SymPy does not undo the order; pass 2 is
:mod:`symbackprop.text_printer`.  tests/test_text_output.py evaluates both forms at random
points.
"""

from __future__ import annotations

import sympy as sp


def textbook_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` rewritten for printing: trivial sums removed, numbers multiplied out, textbook
    order.  The value is unchanged (equal as a SymPy expression, not merely alike)."""
    if not isinstance(expr, sp.Basic):
        return expr
    return _tb(expr)


def _rebuild(e: sp.Basic, args: list) -> sp.Basic:
    """``e`` with new arguments, without letting SymPy reorder or distribute them."""
    if list(args) == list(e.args):
        return e
    if isinstance(e, (sp.Add, sp.Mul, sp.Pow)):
        return e.func(*args, evaluate=False)
    if isinstance(e, sp.Derivative):
        return sp.Derivative(*args, evaluate=False)
    return e.func(*args)


def _subs(e: sp.Basic, mapping: dict) -> sp.Basic:
    """Substitute symbols, keeping unevaluated products and sums as they are."""
    if e in mapping:
        return mapping[e]
    if not e.args or not e.has(*mapping):
        return e
    if isinstance(e, sp.Sum):
        bound = {d for d, *_ in e.limits}
        inner = {k: v for k, v in mapping.items() if k not in bound}
        limits = [(d, _subs(lo, inner), _subs(hi, inner)) for d, lo, hi in e.limits]
        return sp.Sum(_subs(e.function, inner), *limits)
    return _rebuild(e, [_subs(a, mapping) for a in e.args])


def _tb(e: sp.Basic) -> sp.Basic:
    if e.is_Atom or isinstance(e, (sp.Indexed, sp.IndexedBase, sp.Tuple)):
        return e
    if isinstance(e, sp.Sum):
        return _tb_sum(e)
    if isinstance(e, sp.Mul):
        return _tb_mul(e)
    if isinstance(e, sp.Add):
        return _tb_add(e)
    if isinstance(e, sp.Derivative):
        return _rebuild(e, [_tb(e.expr), *e.args[1:]])
    return _rebuild(e, [_tb(a) for a in e.args])


def _tb_sum(e: sp.Sum) -> sp.Basic:
    """A limit whose range has one element is replaced by that element."""
    body, limits = e.function, list(e.limits)
    kept = []
    while limits:
        d, lo, hi = limits.pop(0)
        if sp.expand(hi - lo) == 0:
            body = _subs(body, {d: lo})
            limits = [(x, _subs(a, {d: lo}), _subs(b, {d: lo})) for x, a, b in limits]
            kept = [(x, _subs(a, {d: lo}), _subs(b, {d: lo})) for x, a, b in kept]
        else:
            kept.append((d, lo, hi))
    body = _tb(body)
    return sp.Sum(body, *kept) if kept else body


def _is_canonical_mul(e: sp.Mul) -> bool:
    return sp.Mul(*e.args) == e and tuple(sp.Mul(*e.args).args) == e.args


def _is_canonical_add(e: sp.Add) -> bool:
    return tuple(sp.Add(*e.args).args) == e.args


def _scalar(f: sp.Expr, dummies: set) -> bool:
    """A factor that may move into a sum: a number, or 1/n for a quantity free of the dummies."""
    if f.is_Number:
        return True
    return (isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative
            and not (f.free_symbols & dummies) and not f.has(sp.Sum, sp.Indexed))


def _tb_mul(e: sp.Mul) -> sp.Expr:
    canonical = _is_canonical_mul(e)
    args = [_tb(a) for a in e.args]
    if canonical:  # flatten what a trivial sum left behind
        flat = []
        for a in args:
            flat.extend(a.args if isinstance(a, sp.Mul) else [a])
        args = flat
    return _product(args, canonical)


def _product(args: list, sort: bool) -> sp.Expr:
    """The product of ``args`` (already in textbook form): numbers multiplied into one leading
    coefficient, a constant factor moved into a single sum, factors sorted if ``sort``."""
    coeff = sp.Integer(1)
    rest = []
    for a in args:
        if a.is_Number:
            coeff *= a
        else:
            rest.append(a)
    if coeff == 0:
        return sp.Integer(0)
    sums = [a for a in rest if isinstance(a, sp.Sum)]
    if len(sums) == 1:
        s = sums[0]
        dummies = {d for d, *_ in s.limits}
        others = [a for a in rest if a is not s]
        if all(_scalar(a, dummies) for a in others) and (abs(coeff) != 1 or others):
            body = s.function
            factors = list(body.args) if isinstance(body, sp.Mul) else [body]
            inside = sp.Sum(_product([abs(coeff), *factors, *others], sort=False), *s.limits)
            return sp.Mul(-1, inside, evaluate=False) if coeff < 0 else inside
    if sort:
        rest.sort(key=_factor_rank)
    if coeff != 1:
        rest.insert(0, coeff)
    if not rest:
        return sp.Integer(1)
    return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)


def _factor_rank(f: sp.Expr) -> tuple:
    """Numbers, quantities and function values, brackets, logarithms, sums."""
    if f.is_Number:
        return (0, "")
    if isinstance(f, sp.Sum):
        return (4, "")
    if isinstance(f, sp.log):
        return (3, "")
    if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative:
        return _factor_rank(f.base)  # a denominator: the printer moves it under the line
    base = f.base if isinstance(f, sp.Pow) else f
    if isinstance(base, sp.Add):
        return (2, "" if base.has(sp.Function) else str(base))
    return (1, "")


def is_negative(term: sp.Expr) -> bool:
    if term.is_Number:
        return bool(term.is_negative)
    if isinstance(term, sp.Mul) and term.args:
        return is_negative(term.args[0])
    return False


def _size(e: sp.Expr) -> int:
    return sum(1 for _ in sp.preorder_traversal(e))


def _tb_add(e: sp.Add) -> sp.Expr:
    canonical = _is_canonical_add(e)
    args = [_tb(a) for a in e.args]
    if canonical:
        args.sort(key=lambda t: (is_negative(t), t.is_Number is True, _size(t)))
    return sp.Add(*args, evaluate=False)
