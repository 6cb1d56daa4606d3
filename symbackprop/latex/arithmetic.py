r"""Arithmetic as written: number-only arithmetic is never evaluated while parsing.

* A sum, product, quotient or power **all of whose operands are numbers**
  (``3 \times 11 + 2 \times 5``, ``2^{3}``, ``5 - 3``) is built with
  ``evaluate=False``, so ``3 \times 11 + 2 \times 5 = 43`` reads
  ``Add(Mul(3, 11), Mul(2, 5)) = 43``, not ``43 = 43``.  SymPy evaluates it when
  the prover simplifies (``expr.doit()`` / ``sp.simplify``).
* Any operation with such an unevaluated operand is built unevaluated too
  (otherwise SymPy would flatten and fold it): ``x + 3 \times 11`` keeps ``3·11``.
* Numbers inside a product with symbols combine as SymPy does (``2 \cdot 3 x`` →
  ``6x``, ``\frac{3x}{2}`` → ``3x/2``).
* ``\frac{p}{q}`` / ``p/q`` of two integers in lowest terms is the number
  ``Rational(p, q)`` (a way of writing a number); ``\frac{6}{4}`` stays ``6·4⁻¹``.
* Decimal literals are exact: ``3.3`` → ``Rational(33, 10)`` from the text.
  ``decimal_places(source)`` gives the most decimal places written in a
  statement's source text (``None`` when it has no decimal literal), for a
  checker that compares rounded values.
* A number-only power whose value would exceed ``MAX_DIGITS`` decimal digits
  (``10^{10^{10}}``) raises ``SemanticError("number too large")``;
  ``2^{2^{2^{2^{2}}}}`` (19 729 digits) is kept unevaluated.  A power with a
  literal exponent beyond ±1000 is unevaluated (``(2x)^{10^9}`` would expand).
"""

from __future__ import annotations

import math
import re
from typing import Optional

import sympy as sp

from symbackprop.latex.nodes import SemanticError

MAX_DIGITS = 100_000
_DECIMAL = re.compile(r"(?<![\w.])\d+\.(\d+)")
_TEXT = re.compile(r"\\(?:text|mbox|mathrm|operatorname)\s*\{[^{}]*\}|\\tag\{[^{}]*\}")


def decimal_places(source: str) -> Optional[int]:
    """Most decimal places among decimal literals in ``source`` (``"0.39"`` → 2)."""
    found = [len(m.group(1)) for m in _DECIMAL.finditer(_TEXT.sub(" ", source))]
    return max(found) if found else None


def number(text: str) -> sp.Rational:
    """A numeric literal, exact: ``"3.3"`` → ``Rational(33, 10)``."""
    return sp.Rational(text)


def is_written(v) -> bool:
    """Number-only arithmetic that SymPy would fold (built unevaluated)."""
    if isinstance(v, (sp.Add, sp.Mul)):
        return all(is_numeric(a) for a in v.args)
    if isinstance(v, sp.Pow):
        return (is_numeric(v.base) and is_numeric(v.exp)
                and (v.exp.is_Integer or is_written(v.base) or is_written(v.exp)))
    return False


def is_numeric(v) -> bool:
    return isinstance(v, sp.Number) or is_written(v)


def has_written(v) -> bool:
    """``v`` holds unevaluated number arithmetic reachable through Add/Mul/Pow."""
    if is_written(v):
        return True
    return isinstance(v, (sp.Add, sp.Mul, sp.Pow)) and any(has_written(a) for a in v.args)


def _keep(values: list) -> bool:
    return (len(values) >= 2 and all(is_numeric(v) for v in values)) or any(
        has_written(v) for v in values)


def _log10(v) -> float:
    """An upper estimate of |log10 |v|| for number-only arithmetic."""
    if isinstance(v, sp.Integer):
        n = abs(int(v))
        return 0.0 if n == 0 else len(str(n)) if n > 10 ** 15 else math.log10(n)
    if isinstance(v, sp.Rational):
        return abs(_log10(sp.Integer(v.p))) + _log10(sp.Integer(v.q))
    if isinstance(v, sp.Float):
        return abs(math.log10(abs(float(v)))) if v else 0.0
    if isinstance(v, sp.Add):
        return max(_log10(a) for a in v.args) + math.log10(len(v.args))
    if isinstance(v, sp.Mul):
        return sum(_log10(a) for a in v.args)
    if isinstance(v, sp.Pow):
        if v.base in (sp.S.Zero, sp.S.One, sp.S.NegativeOne):
            return 0.0
        le = _log10(v.exp)
        return math.inf if le > 300 else 10 ** le * _log10(v.base)
    return 0.0


def guard(v, pos: int = 0):
    if is_written(v) and _log10(v) > MAX_DIGITS:
        raise SemanticError("number too large: this number has more than "
                            f"{MAX_DIGITS} digits", pos)
    return v


def add(values: list, pos: int = 0):
    if _keep(values):
        return guard(sp.Add(*values, evaluate=False), pos)
    return sp.Add(*values)


def mul(values: list, pos: int = 0):
    if _keep(values):
        return guard(sp.Mul(*values, evaluate=False), pos)
    return sp.Mul(*values)


def neg(v):
    if has_written(v):
        return sp.Mul(sp.S.NegativeOne, v, evaluate=False)
    return -v


def power(base, exponent, pos: int = 0):
    """``base**exponent`` for scalars, never evaluating number arithmetic.  A truth value (a
    relation the reader evaluated, ``(1 < 0)^2``) has no power."""
    if not all(isinstance(x, sp.Expr) for x in (base, exponent)):
        raise SemanticError("a relation or truth value cannot be raised to a power", pos)
    if _keep([base, exponent]) or (exponent.is_Number and abs(exponent) > 1000):
        return guard(sp.Pow(base, exponent, evaluate=False), pos)
    return sp.Pow(base, exponent)


def quotient(num: list, den: list, pos: int = 0):
    """``num[0]·num[1]… / (den[0]·den[1]…)`` (no matrices)."""
    if any(d == 0 for d in den):
        raise SemanticError("division by zero", pos)
    if (len(num) == len(den) == 1 and isinstance(num[0], sp.Integer)
            and isinstance(den[0], sp.Integer) and den[0] > 0
            and math.gcd(int(num[0]), int(den[0])) == 1):
        return sp.Rational(int(num[0]), int(den[0]))
    counted = ([] if num == [sp.S.One] else list(num)) + list(den)
    if _keep(counted) or any(has_written(v) for v in num):
        return guard(sp.Mul(*num, *[sp.Pow(d, -1, evaluate=False) for d in den],
                            evaluate=False), pos)
    return sp.Mul(*num, *[sp.Pow(d, -1) for d in den])


def rebuild(expr, args):
    """``expr.func(*args)``, unevaluated when ``expr`` holds written arithmetic."""
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)) and has_written(expr):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)
