"""The prime-field domain: both sides evaluated modulo a random prime, with degree and height
bounds that make a passed point a stated probability.

*Values.*  Every parameter and every atom f(v) is an independent uniform element of F_p,
for a prime p drawn uniformly from the primes in [2^(b−1), 2^b) (rejection sampling), so
arithmetic is on Python integers of b bits; division is by the modular inverse, and a
zero divisor raises :class:`ZeroDivisionError` (the caller redraws the point).  Atoms are
keyed on the value of their argument as in :class:`.formal.FormalDomain`; "negative"
means the representative in ((p−1)/2, p), so f(−v) is written through f(v) by the
reflection rules (σ(−v) = 1 − σ(v), …) exactly as over ℚ.

*Bounds.*  A value is the image of a rational function N/D with N ∈ ℤ[x] and D a product
of *denominator factors* (each the numerator of a divisor, or an integer constant).
Each value carries deg N, h ≥ log₂‖N‖₁ and D as an interned multiset of factors
(:class:`Den`).  Sums take the least common multiple of the factor multisets, so a sum of
n terms over one common denominator does not multiply its degree by n:

    deg(a + b) ≤ max(deg N_a + deg L/D_a, deg N_b + deg L/D_b),  L = lcm(D_a, D_b),
    h(a + b)   ≤ max(h_a + h(L/D_a), h_b + h(L/D_b)) + 1,
    a·b: degrees and heights add, multisets add;   a/b = N_a D_b / (D_a N_b).

*The error of one point* (:meth:`ModularDomain.point_error`).  If the difference
N/D ≢ 0 over ℚ, pick a non-zero coefficient c of N (|c| ≤ 2^h).  It vanishes mod p for at
most h/(b−1) primes of the range, out of at least π_b of them; otherwise N mod p is a
non-zero polynomial of degree ≤ deg N and vanishes at a uniform point with probability
≤ deg N / 2^(b−1) (Schwartz–Zippel).  Two formally different atom arguments (or divisors)
with equal or opposite values would merge two indeterminates (or two factors): a union
bound over pairs of applications, by the same lemma.  The point is conditioned on no
divisor vanishing (probability ≥ 1 − r, r the same sum over divisions), so

    ε = (deg N / 2^(b−1) + h/((b−1)·π_b) + collisions) / (1 − r).
"""

from __future__ import annotations

import functools
import math
import random
from fractions import Fraction
from typing import Any, Optional, Union

from sympy import isprime

from .definitions import function

Number = Union[int, Fraction]


def random_prime(rng: random.Random, bits: int) -> int:
    """A prime drawn uniformly from the primes in [2^(bits−1), 2^bits): uniform integers,
    rejected until prime."""
    lo, hi = 1 << (bits - 1), 1 << bits
    while True:
        x = rng.randrange(lo, hi) | 1
        if x < hi and isprime(x):
            return x


@functools.lru_cache(maxsize=None)
def primes_in_range(bits: int) -> float:
    """A lower bound on the number of primes in [2^(bits−1), 2^bits) (Rosser–Schoenfeld:
    x/ln x < π(x) < 1.25506 x/ln x for x ≥ 17)."""
    hi, lo = 2.0 ** bits, 2.0 ** (bits - 1)
    return max(1.0, hi / math.log(hi) - 1.25506 * lo / math.log(lo))


class Den:
    """An interned multiset of denominator factors: ``factors`` is ((factor id, count), …)
    sorted; ``deg`` and ``height`` are the sums over its copies."""

    __slots__ = ("factors", "deg", "height", "uid", "lcm_memo", "mul_memo")

    def __init__(self, factors: tuple, deg: int, height: int, uid: int) -> None:
        self.factors, self.deg, self.height, self.uid = factors, deg, height, uid
        self.lcm_memo: dict[int, "Den"] = {}
        self.mul_memo: dict[int, "Den"] = {}


class Mod:
    """A value of F_p with the bounds of the rational function it is the image of."""

    __slots__ = ("v", "num", "h", "den", "dom")

    def __init__(self, dom: "ModularDomain", v: int, num: int, h: int, den: Den) -> None:
        self.dom, self.v, self.num, self.h, self.den = dom, v, num, h, den

    def _lift(self, o: Any) -> "Mod":
        return o if isinstance(o, Mod) else self.dom.const(o)

    def __add__(self, o: Any) -> "Mod":
        o = self._lift(o)
        a, b, dom = self.den, o.den, self.dom
        if a is b:
            return Mod(dom, (self.v + o.v) % dom.p, max(self.num, o.num), max(self.h, o.h) + 1, a)
        L = dom.lcm(a, b)
        return Mod(dom, (self.v + o.v) % dom.p,
                   max(self.num + L.deg - a.deg, o.num + L.deg - b.deg),
                   max(self.h + L.height - a.height, o.h + L.height - b.height) + 1, L)

    __radd__ = __add__

    def __neg__(self) -> "Mod":
        return Mod(self.dom, (-self.v) % self.dom.p, self.num, self.h, self.den)

    def __sub__(self, o: Any) -> "Mod":
        return self + (-self._lift(o))

    def __rsub__(self, o: Any) -> "Mod":
        return self._lift(o) + (-self)

    def __mul__(self, o: Any) -> "Mod":
        o = self._lift(o)
        dom = self.dom
        return Mod(dom, self.v * o.v % dom.p, self.num + o.num, self.h + o.h, dom.times(self.den, o.den))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> "Mod":
        o = self._lift(o)
        dom = self.dom
        inv = dom.inverse(o)
        return Mod(dom, self.v * inv % dom.p, self.num + o.den.deg, self.h + o.den.height,
                   dom.times(self.den, dom.factor(o)))

    def __rtruediv__(self, o: Any) -> "Mod":
        return self._lift(o) / self

    def __pow__(self, k: int) -> "Mod":
        if not isinstance(k, int):
            raise TypeError(f"only integer powers are rational functions, not ^{k}")
        if k < 0:
            return self.dom.const(1) / (self ** -k)
        out = self.dom.const(1)
        for _ in range(k):
            out = out * self
        return out

    def __eq__(self, o: object) -> bool:
        if isinstance(o, (int, Fraction)):
            o = self.dom.const(o)
        return isinstance(o, Mod) and self.v == o.v

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Mod({self.v}, deg ≤ {self.num}/{self.den.deg}, h ≤ {self.h})"


class ModularDomain:
    """F_p for a random prime p of ``bits`` bits; independent uniform indeterminates; atoms
    keyed on their argument's value; the bookkeeping of :meth:`point_error`."""

    def __init__(self, rng: random.Random, bits: int) -> None:
        self.rng, self.bits = rng, bits
        self.p = random_prime(rng, bits)
        self.half = (self.p - 1) // 2
        self.one_den = Den((), 0, 0, 0)
        self.dens: dict[tuple, Den] = {(): self.one_den}
        self.factor_ids: dict[tuple, int] = {}
        self.factor_bounds: list[tuple[int, int]] = []
        self.atoms: dict[tuple[str, int], Mod] = {}
        self.calls: dict[str, int] = {}            # applications per function
        self.arg_bound: dict[str, tuple[int, int]] = {}  # max (degree, height) of an argument difference
        self.divisions = 0
        self.div_bound = (0, 0)                    # max (degree, height) of a divisor's numerator
        self.div_risk = 0.0                        # Σ P(a divisor vanishes) over divisions
        self.inverses: dict[int, int] = {}          # v → v⁻¹ mod p (every division still counted)

    # ── values ────────────────────────────────────────────────────────────
    def draw(self) -> Mod:
        """A fresh indeterminate's value: uniform in F_p."""
        return Mod(self, self.rng.randrange(self.p), 1, 0, self.one_den)

    def const(self, q: Number) -> Mod:
        """An integer a (numerator a) or a fraction a/b (the constant b a denominator factor)."""
        q = Fraction(q)
        a, b = q.numerator, q.denominator
        h = max(0, abs(a).bit_length())
        if b == 1:
            return Mod(self, a % self.p, 0, h, self.one_den)
        if b % self.p == 0:
            raise ZeroDivisionError("a constant denominator vanishes modulo p")
        den = self._den(((self._factor(("const", b), 0, b.bit_length()), 1),))
        return Mod(self, a * pow(b, -1, self.p) % self.p, 0, h, den)

    def apply(self, name: str, v: Any) -> Mod:
        """name(v) as an indeterminate keyed on (name, value of v), reflected to v ≤ (p−1)/2."""
        reflection = function(name).reflection
        v = v if isinstance(v, Mod) else self.const(v)
        self.calls[name] = self.calls.get(name, 0) + 1
        deg, h = self.arg_bound.get(name, (0, 0))
        self.arg_bound[name] = (max(deg, v.num + v.den.deg), max(h, v.h + v.den.height))
        if v.v > self.half and reflection is not None:
            return reflection(self._atom(name, self.p - v.v), -v)
        return self._atom(name, v.v)

    def _atom(self, name: str, value: int) -> Mod:
        key = (name, value)
        hit = self.atoms.get(key)
        if hit is None:
            hit = self.atoms[key] = self.draw()
        return hit

    # ── denominators ──────────────────────────────────────────────────────
    def inverse(self, o: Mod) -> int:
        """1/o mod p, counting the division; ZeroDivisionError when o ≡ 0."""
        if o.v == 0:
            raise ZeroDivisionError("a divisor vanishes modulo p")
        self.divisions += 1
        self.div_bound = (max(self.div_bound[0], o.num + o.den.deg), max(self.div_bound[1], o.h + o.den.height))
        self.div_risk += o.num / (1 << (self.bits - 1)) + o.h / ((self.bits - 1) * primes_in_range(self.bits))
        inv = self.inverses.get(o.v)
        if inv is None:
            inv = self.inverses[o.v] = pow(o.v, -1, self.p)
        return inv

    def factor(self, o: Mod) -> Den:
        """The factor multiset {numerator of o}, keyed on o's value and bounds."""
        return self._den(((self._factor(("num", o.v, o.num, o.h, o.den.uid), o.num, o.h), 1),))

    def _factor(self, key: tuple, deg: int, height: int) -> int:
        fid = self.factor_ids.get(key)
        if fid is None:
            fid = self.factor_ids[key] = len(self.factor_bounds) + 1
            self.factor_bounds.append((deg, height))
        return fid

    def _den(self, factors: tuple, deg: Optional[int] = None, height: Optional[int] = None) -> Den:
        """The interned multiset; ``deg`` and ``height`` (the sums over its copies) when the
        caller already knows them."""
        hit = self.dens.get(factors)
        if hit is None:
            if deg is None or height is None:
                deg = sum(self.factor_bounds[f - 1][0] * c for f, c in factors)
                height = sum(self.factor_bounds[f - 1][1] * c for f, c in factors)
            hit = self.dens[factors] = Den(factors, deg, height, len(self.dens))
        return hit

    def lcm(self, a: Den, b: Den) -> Den:
        """The least common multiple of two factor multisets (maximum counts); its degree and
        height are a's plus what b's larger counts add."""
        hit = a.lcm_memo.get(b.uid)
        if hit is None:
            big, small = (a, b) if len(a.factors) >= len(b.factors) else (b, a)
            counts = dict(big.factors)
            deg, height, bounds = big.deg, big.height, self.factor_bounds
            for f, c in small.factors:
                have = counts.get(f, 0)
                if c > have:
                    counts[f] = c
                    deg += (c - have) * bounds[f - 1][0]
                    height += (c - have) * bounds[f - 1][1]
            hit = a.lcm_memo[b.uid] = b.lcm_memo[a.uid] = self._den(tuple(sorted(counts.items())), deg, height)
        return hit

    def lcm_many(self, dens: list) -> Den:
        """The least common multiple of many factor multisets in one pass (maximum counts)."""
        counts: dict[int, int] = {}
        for d in {d.uid: d for d in dens}.values():
            for f, c in d.factors:
                if counts.get(f, 0) < c:
                    counts[f] = c
        return self._den(tuple(sorted(counts.items())))

    def times(self, a: Den, b: Den) -> Den:
        """The product of two factor multisets (counts add)."""
        if b is self.one_den:
            return a
        if a is self.one_den:
            return b
        hit = a.mul_memo.get(b.uid)
        if hit is None:
            big, small = (a, b) if len(a.factors) >= len(b.factors) else (b, a)
            counts = dict(big.factors)
            for f, c in small.factors:
                counts[f] = counts.get(f, 0) + c
            hit = a.mul_memo[b.uid] = b.mul_memo[a.uid] = self._den(tuple(sorted(counts.items())),
                                                                    a.deg + b.deg, a.height + b.height)
        return hit

    # ── the error of one point ────────────────────────────────────────────
    def _pair_term(self, deg: int, height: int) -> float:
        return deg / (1 << (self.bits - 1)) + height / ((self.bits - 1) * primes_in_range(self.bits))

    def collision_bound(self) -> float:
        """P(two formally different arguments of one function, or two divisors, take equal
        or opposite values): 2 · C(m, 2) · (degree and height terms) per function.  With
        arguments N₁/D₁, N₂/D₂ of deg N + deg D ≤ d and h + h(D) ≤ g, N₁D₂ ∓ N₂D₁ has degree
        ≤ 2d and height ≤ 2g + 1."""
        total = 0.0
        for name, m in self.calls.items():
            deg, h = self.arg_bound[name]
            total += 2 * (m * (m - 1) // 2) * self._pair_term(2 * deg, 2 * h + 1)
        md = self.divisions
        total += (md * (md - 1) // 2) * self._pair_term(2 * self.div_bound[0], 2 * self.div_bound[1] + 1)
        return total

    def point_error(self, difference: Mod, collisions: Optional[float] = None) -> float:
        """P(this point passes | the difference ≢ 0 over ℚ), as in the module docstring."""
        c = self.collision_bound() if collisions is None else collisions
        if self.div_risk >= 0.5:
            return 1.0
        return min(1.0, (self._pair_term(difference.num, difference.h) + c) / (1 - self.div_risk))
