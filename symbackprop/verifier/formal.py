"""Number domains for the verifier: exact values on a tower of freed atoms, and the reals.

*Formal* (:class:`FormalDomain`).  Every parameter and every atom f(v) — σ, tanh, exp,
log, H, ReLU, softplus — is an independent indeterminate.  An atom is keyed on f and
the *value* of its argument at the point: equal arguments give the same indeterminate,
and by the reflection rules f(−v) is written through f(v) (σ(−v) = 1 − σ(v), …).  A
value is an exact rational together with bounds (N, D) on the total degrees of a
numerator and a denominator of the rational function it is the value of, so that

    P(a non-zero rational function N/D vanishes at the point) ≤ N / (|S| − D)

(Schwartz–Zippel) when every indeterminate is drawn uniformly from S.  Two formally
different atom arguments that take equal (or opposite) values would merge two
indeterminates; :meth:`FormalDomain.collision_bound` bounds that chance by the same
lemma.  An identity that holds for independent atoms holds for the real functions.

*Real* (:class:`RealDomain`).  The real functions in mpmath at the working precision;
``log`` is log|v| (only derivatives are compared, and (log|v|)′ = 1/v), and H at 0
raises :class:`~symbackprop.rules.forms.Degenerate` (each function's ``real`` form, from the
notation table, :func:`.definitions.function`).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Union

import mpmath

from .definitions import function

Number = Union[int, Fraction]


class Formal:
    """The exact value ``q`` of a rational function whose numerator and denominator have
    total degree at most ``num`` and ``den``."""

    __slots__ = ("q", "num", "den")

    def __init__(self, q: Fraction, num: int = 0, den: int = 0) -> None:
        self.q, self.num, self.den = q, num, den

    @staticmethod
    def lift(o: Any) -> "Formal":
        if isinstance(o, Formal):
            return o
        if isinstance(o, (int, Fraction)):
            return Formal(Fraction(o))
        return NotImplemented

    def __add__(self, o: Any) -> "Formal":
        o = Formal.lift(o)
        if o is NotImplemented:
            return o
        return Formal(self.q + o.q, max(self.num + o.den, o.num + self.den), self.den + o.den)

    __radd__ = __add__

    def __neg__(self) -> "Formal":
        return Formal(-self.q, self.num, self.den)

    def __sub__(self, o: Any) -> "Formal":
        o = Formal.lift(o)
        if o is NotImplemented:
            return o
        return self + (-o)

    def __rsub__(self, o: Any) -> "Formal":
        return Formal.lift(o) + (-self)

    def __mul__(self, o: Any) -> "Formal":
        o = Formal.lift(o)
        if o is NotImplemented:
            return o
        return Formal(self.q * o.q, self.num + o.num, self.den + o.den)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> "Formal":
        o = Formal.lift(o)
        if o is NotImplemented:
            return o
        return Formal(self.q / o.q, self.num + o.den, self.den + o.num)

    def __rtruediv__(self, o: Any) -> "Formal":
        return Formal.lift(o) / self

    def __pow__(self, k: int) -> "Formal":
        if not isinstance(k, int):
            raise TypeError(f"only integer powers are rational functions, not ^{k}")
        if k >= 0:
            return Formal(self.q ** k, self.num * k, self.den * k)
        return Formal(self.q ** k, self.den * -k, self.num * -k)

    def __eq__(self, o: object) -> bool:
        return isinstance(o, Formal) and self.q == o.q

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Formal({self.q}, deg ≤ {self.num}/{self.den})"


def difference_bound(a: Formal, b: Formal, size: int) -> float:
    """P(a − b vanishes at a uniform point of S^k | denominators do not) when a − b ≢ 0."""
    num = max(a.num + b.den, b.num + a.den)
    den = a.den + b.den
    return min(1.0, num / max(1, size - den))


class FormalDomain:
    """Independent indeterminates drawn from S = {0, …, 2^bits − 1}; atoms keyed on their
    argument's value (see the module docstring)."""

    def __init__(self, rng: random.Random, bits: int = 64) -> None:
        self.rng, self.size = rng, 2 ** bits
        self.atoms: dict[tuple[str, Fraction], Formal] = {}
        self.calls: dict[str, int] = {}          # applications per function: ≥ distinct atoms
        self.arg_degree: dict[str, int] = {}     # max over arguments of num + den

    def draw(self) -> Formal:
        """A fresh indeterminate's value."""
        return Formal(Fraction(self.rng.randrange(self.size)), 1, 0)

    def const(self, q: Number) -> Formal:
        return Formal(Fraction(q))

    def apply(self, name: str, v: Any) -> Formal:
        """name(v) as an indeterminate keyed on (name, value of v), reflected to v ≥ 0."""
        reflection = function(name).reflection
        v = Formal.lift(v)
        self.calls[name] = self.calls.get(name, 0) + 1
        self.arg_degree[name] = max(self.arg_degree.get(name, 0), v.num + v.den)
        if v.q < 0 and reflection is not None:
            return reflection(self._atom(name, -v.q), -v)
        return self._atom(name, v.q)

    def _atom(self, name: str, q: Fraction) -> Formal:
        key = (name, q)
        hit = self.atoms.get(key)
        if hit is None:
            hit = self.atoms[key] = self.draw()
        return hit

    def collision_bound(self) -> float:
        """P(two formally different arguments of one function take equal or opposite values):
        a union bound over pairs of applications, 2·C(m, 2)·(N_a + D_b …)/|S|."""
        total = 0.0
        for name, m in self.calls.items():
            pairs = m * (m - 1) // 2
            total += 2 * pairs * 2 * self.arg_degree[name] / self.size
        return min(1.0, total)


# ── the reals ─────────────────────────────────────────────────────────────
class RealDomain:
    """The real functions at mpmath's working precision (set by the caller)."""

    def const(self, q: Number) -> Any:
        q = Fraction(q)
        return mpmath.mpf(q.numerator) / q.denominator

    def apply(self, name: str, v: Any) -> Any:
        return function(name).real(v)
