"""Arrays of F_p values with one bound for the whole array (the field route's bulk arithmetic).

A :class:`.modular.Mod` carries, per value, the bounds of the rational function N/D it is
the image of (deg N, h ≥ log₂‖N‖₁, D a multiset of factors).  The O(n²) parts of both
sides of the field route (a layer's Σ_p y_p w_pa, its transpose, the outer product δ·y)
are plain Python integers modulo p with one :class:`Rec` valid for every entry:

*A common bound* (:func:`rec_of`).  Entries N_j/D_j with D_j dividing L = lcm_j D_j are
N_j (L/D_j) / L, so every entry is a numerator of degree ≤ max_j (deg N_j + deg L − deg D_j)
and height ≤ max_j (h_j + h(L) − h(D_j)) over the one denominator L.

*Rules* (the same as :class:`.modular.Mod`'s, applied once per array):

    a·b:  deg and h add, the multisets add;
    Σ of m terms over a common L:  deg ≤ max_j deg_j(L),  h ≤ max_j h_j(L) + ⌈log₂ m⌉

(‖Σ_j N_j‖₁ ≤ m · max_j ‖N_j‖₁).  Only O(n) values (atoms f(v), divisions) go through
:class:`.modular.Mod` one by one, so every application and division is still counted by
the domain for its collision and divisor bounds.
"""

from __future__ import annotations

import gc
from collections.abc import MutableMapping
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple, Sequence

from .modular import Den, Mod, ModularDomain


class Rec(NamedTuple):
    """One bound for every entry of an array: numerator degree, height, denominator multiset."""

    num: int
    h: int
    den: Den


def ceil_log2(m: int) -> int:
    """⌈log₂ m⌉ for m ≥ 1 (0 for m ≤ 1): the height a sum of m terms may gain."""
    return max(0, (m - 1).bit_length())


def lcm_all(dom: ModularDomain, dens: Sequence[Den]) -> Den:
    """The least common multiple of several factor multisets (maximum counts), in one pass."""
    distinct = {d.uid: d for d in dens}
    if len(distinct) <= 2:
        L = dom.one_den
        for d in distinct.values():
            L = dom.lcm(L, d)
        return L
    return dom.lcm_many(list(distinct.values()))


def rec_of(dom: ModularDomain, values: Sequence[Mod]) -> Rec:
    """The common bound of several values: their denominators' lcm L, each numerator
    multiplied by L/D_j."""
    L = lcm_all(dom, [m.den for m in values])
    num = max((m.num + L.deg - m.den.deg for m in values), default=0)
    h = max((m.h + L.height - m.den.height for m in values), default=0)
    return Rec(num, h, L)


def sum_rec(dom: ModularDomain, recs: Sequence[Rec], terms: int) -> Rec:
    """The bound of a sum of ``terms`` values, each bounded by one of ``recs``."""
    L = lcm_all(dom, [r.den for r in recs])
    num = max(r.num + L.deg - r.den.deg for r in recs)
    h = max(r.h + L.height - r.den.height for r in recs)
    return Rec(num, h + ceil_log2(terms), L)


def mul_rec(dom: ModularDomain, *recs: Rec) -> Rec:
    """The bound of a product: degrees and heights add, denominator multisets add."""
    num = h = 0
    den = dom.one_den
    for r in recs:
        num, h, den = num + r.num, h + r.h, dom.times(den, r.den)
    return Rec(num, h, den)


def pow_rec(dom: ModularDomain, r: Rec, k: int) -> Rec:
    """The bound of v^k, k ≥ 0."""
    return mul_rec(dom, *([r] * k)) if k else Rec(0, 1, dom.one_den)


def mod(dom: ModularDomain, v: int, r: Rec) -> Mod:
    """One entry of an array as a value with the array's bound."""
    return Mod(dom, v, r.num, r.h, r.den)


def mods(dom: ModularDomain, values: Sequence[int], r: Rec) -> list[Mod]:
    """Every entry of an array as values with the array's bound."""
    return [Mod(dom, v, r.num, r.h, r.den) for v in values]


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while millions of values are made (every
    generation-2 pass would walk all of them: at width 1,024 that was 45 % of verify's time);
    restored, and so run as usual, afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def uniform(dom: ModularDomain, count: int) -> list[int]:
    """``count`` independent uniform elements of F_p (``bits``-bit draws below p, rejection
    sampling: p ≥ 2^(bits−1), so at least half are kept)."""
    p, bits, get = dom.p, dom.bits, dom.rng.getrandbits
    out: list[int] = []
    while len(out) < count:
        v = get(bits)
        if v < p:
            out.append(v)
    return out


class FieldParams(MutableMapping):
    """A point: every parameter an independent uniform element of F_p.  Weights are held as
    flat row-major (p, a) lists of integers per layer (bound: degree 1, height 0); x, b, t
    as values.  As a mapping it answers ("x", i), ("w", ℓ, p, a), ("b", ℓ, a), ("t", k)
    (the entry-by-entry evaluators' view); ``t`` entries may be replaced (assumptions)."""

    def __init__(self, dom: ModularDomain, sizes: Sequence[int], biases: Sequence[bool]) -> None:
        self.dom, self.sizes = dom, tuple(sizes)
        self.leaf = Rec(1, 0, dom.one_den)
        self.small: dict[tuple, Mod] = {}
        self.weights: dict[int, list[int]] = {}
        self.order: list[tuple] = []
        for i, v in enumerate(uniform(dom, sizes[0]), 1):
            self.small["x", i] = mod(dom, v, self.leaf)
        for n in range(1, len(sizes)):
            self.weights[n] = uniform(dom, sizes[n - 1] * sizes[n])
            if biases[n]:
                for a, v in enumerate(uniform(dom, sizes[n]), 1):
                    self.small["b", n, a] = mod(dom, v, self.leaf)
        for k, v in enumerate(uniform(dom, sizes[-1]), 1):
            self.small["t", k] = mod(dom, v, self.leaf)

    def vector(self, kind: str, n: int = 0) -> list[Mod]:
        """x, t (n = 0) or b^n as a list of values, index 1 first."""
        width = self.sizes[0] if kind == "x" else self.sizes[-1] if kind == "t" else self.sizes[n]
        return [self.small[(kind, i) if kind in ("x", "t") else (kind, n, i)] for i in range(1, width + 1)]

    def __getitem__(self, key: tuple) -> Mod:
        if key[0] == "w":
            _, n, p, a = key
            if not (1 <= p <= self.sizes[n - 1] and 1 <= a <= self.sizes[n]):
                raise KeyError(key)
            return mod(self.dom, self.weights[n][(p - 1) * self.sizes[n] + a - 1], self.leaf)
        return self.small[key]

    def __setitem__(self, key: tuple, value: Any) -> None:
        if key[0] != "t":
            raise KeyError(f"only targets are replaced at a point, not {key}")
        self.small[key] = value

    def __delitem__(self, key: tuple) -> None:
        raise KeyError("parameters are not removed")

    def __iter__(self) -> Iterator[tuple]:
        yield from (k for k in self.small if k[0] == "x")
        for n, W in self.weights.items():
            yield from (("w", n, p, a) for p in range(1, self.sizes[n - 1] + 1)
                        for a in range(1, self.sizes[n] + 1))
            yield from (k for k in self.small if k[0] == "b" and k[1] == n)
        yield from (k for k in self.small if k[0] == "t")

    def __len__(self) -> int:
        return len(self.small) + sum(len(W) for W in self.weights.values())
