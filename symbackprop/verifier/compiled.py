"""The claimed side in bulk: each closed form evaluated once over all its entries in F_p.

:class:`.closed.ClosedForms` walks a closed form's SymPy tree once per entry.  Here a
(sub)expression e is evaluated once as a :class:`Tensor` over its free indices, every
index running over its range (the layer's width, or a Σ's limits):

    [e](i₁, …, i_r)  for all (i₁, …, i_r)  —  one flat row-major list of integers mod p
                                              and one bound (:class:`.field_arrays.Rec`).

Indexed names are the network's quantities at these widths (x, t, w, b from the point;
u, y from the derivation's forward definitions; δ from its closed form), each computed
once; sums are loops (Σ_k a_k b_jk as one dot product per j); products and sums of
tensors broadcast over the union of their indices; f(·) and divisions go through the
domain value by value, so atoms, applications and divisors are counted as before.
Subexpressions are memoised on (expression, ranges of its free indices).

Anything else — an index that is not a plain letter or number, a range that is not the
quantity's width (an out-of-range entry), an unknown function — raises :class:`Fallback`:
that quantity is evaluated entry by entry by :class:`.closed.ClosedForms`, which says why.
The derivation's closed forms are what is evaluated; nothing is read from the tape.
"""

from __future__ import annotations

import itertools
import operator
from fractions import Fraction
from typing import Any, Sequence

import sympy as sp

from ..derive import Derivation
from ..instantiate import quantity_kinds
from .definitions import function_name
from .field_arrays import FieldParams, Rec, ceil_log2, mods, mul_rec, pow_rec, rec_of, sum_rec
from .modular import ModularDomain

Range = tuple[int, int]


class Fallback(Exception):
    """A form (or an index) the bulk evaluator does not read: evaluate it entry by entry."""


class Tensor:
    """Values of an expression over named indices: ``values`` flat, row-major over ``axes``
    (``dims`` entries each, index lo … hi), one bound ``rec`` for all of them."""

    __slots__ = ("axes", "dims", "values", "rec")

    def __init__(self, axes: tuple, dims: tuple, values: list[int], rec: Rec) -> None:
        self.axes, self.dims, self.values, self.rec = axes, dims, values, rec


class CompiledForms:
    """The closed forms of ``derivation`` at ``sizes`` over all entries at one point."""

    def __init__(self, derivation: Derivation, sizes: Sequence[int], dom: ModularDomain,
                 params: FieldParams) -> None:
        net = derivation.network
        self.net, self.sizes, self.dom, self.params, self.p = net, tuple(sizes), dom, params, dom.p
        self.widths = {l.size: s for l, s in zip(net.layers, sizes) if isinstance(l.size, sp.Symbol)}
        self.forward = {(r.name, r.layer): r.rhs for r in derivation.forward}
        self.closed = {ld.layer: ld for ld in derivation.layers}
        self.kinds = quantity_kinds(net)
        self.memo: dict[tuple, Tensor] = {}
        self.quantities: dict[tuple[str, int], Tensor] = {}
        self.order: dict[sp.Symbol, int] = {}

    # ── the groups ───────────────────────────────────────────────────────
    def group(self, layer: int, quantity: str) -> tuple[list[int], Rec]:
        """Every entry of δ / ∂E/∂w / ∂E/∂b / ∂E/∂y^{layer−1} of ``layer``, in index order
        (weights row-major over (p, a)), and their common bound."""
        a_, p_ = self.net.symbols[layer].index, self.net.symbols[layer - 1].index
        if quantity == "delta":
            t = self.quantity("delta", layer)
            return t.values, t.rec
        ld = self.closed[layer]
        na, np_ = (1, self.sizes[layer]), (1, self.sizes[layer - 1])
        if quantity == "weight":
            if a_ == p_:
                raise Fallback("one letter for two layers")
            axes, ranges = (p_, a_), {p_: np_, a_: na}
            expr = ld.weight.rhs
        elif quantity == "bias":
            if ld.bias is None:
                raise Fallback(f"layer {layer} has no bias")
            axes, ranges, expr = (a_,), {a_: na}, ld.bias.rhs
        elif quantity == "input":
            axes, ranges, expr = (p_,), {p_: np_}, ld.input.rhs
        else:
            raise KeyError(quantity)
        self.order = {s: i for i, s in enumerate(axes)}
        t = self.eval(expr, ranges)
        return self.arrange(t, axes, tuple(ranges[s][1] for s in axes)), t.rec

    def quantity(self, kind: str, n: int) -> Tensor:
        """u^n, y^n or δ^n over layer n's own index, each computed once."""
        key = (kind, n)
        hit = self.quantities.get(key)
        if hit is None:
            s = self.net.symbols[n].index
            expr = {"u": lambda: self.forward[("preactivation", n)],
                    "y": lambda: self.forward[("activation", n)],
                    "delta": lambda: self.closed[n].delta.rhs}[kind]()
            saved, self.order = self.order, {s: 0}
            try:
                t = self.eval(expr, {s: (1, self.sizes[n])})
            finally:
                self.order = saved
            hit = self.quantities[key] = Tensor((s,), (self.sizes[n],), self.arrange(t, (s,), (self.sizes[n],)), t.rec)
        return hit

    # ── the evaluator ────────────────────────────────────────────────────
    def eval(self, e: sp.Expr, ranges: dict[sp.Symbol, Range]) -> Tensor:
        """e over the indices of ``ranges`` that occur free in it."""
        free = tuple(sorted(((str(s), ranges[s]) for s in e.free_symbols if s in ranges)))
        key = (e, free)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._eval(e, ranges)
        return hit

    def _eval(self, e: sp.Expr, ranges: dict[sp.Symbol, Range]) -> Tensor:
        if isinstance(e, sp.Indexed):
            return self._indexed(e, ranges)
        if e.is_Add:
            return self._combine([self.eval(a, ranges) for a in e.args], add=True)
        if e.is_Mul:
            return self._combine([self.eval(a, ranges) for a in e.args], add=False)
        if e.is_Pow:
            if not e.exp.is_Integer:
                raise Fallback(f"a non-integer power: {e}")
            return self._power(self.eval(e.base, ranges), int(e.exp))
        if e.is_Rational:
            return self._scalar(self.dom.const(Fraction(int(e.p), int(e.q))))
        if isinstance(e, sp.Symbol):
            if e in ranges:
                lo, hi = ranges[e]
                vals = [self.dom.const(i) for i in range(lo, hi + 1)]
                return Tensor((e,), (hi - lo + 1,), [m.v for m in vals], rec_of(self.dom, vals))
            if e in self.widths:
                return self._scalar(self.dom.const(self.widths[e]))
            raise Fallback(f"the symbol {e} has no value")
        if isinstance(e, sp.Sum):
            return self._sum(e, ranges)
        if isinstance(e, sp.KroneckerDelta):
            return self._kronecker(e, ranges)
        name = function_name(e) if isinstance(e, sp.Function) else None
        if name is not None:
            t = self.eval(e.args[0], ranges)
            out = [self.dom.apply(name, m) for m in mods(self.dom, t.values, t.rec)]
            return Tensor(t.axes, t.dims, [m.v for m in out], rec_of(self.dom, out))
        raise Fallback(f"cannot evaluate {type(e).__name__}: {e}")

    def _scalar(self, m: Any) -> Tensor:
        return Tensor((), (), [m.v], rec_of(self.dom, [m]))

    def _number(self, e: sp.Expr) -> int:
        done = e.xreplace({k: sp.Integer(v) for k, v in self.widths.items()})
        if not done.is_Integer:
            raise Fallback(f"the limit {e} is not a number here")
        return int(done)

    def _indexed(self, e: sp.Indexed, ranges: dict[sp.Symbol, Range]) -> Tensor:
        try:
            kind, n = self.kinds[e.base]
        except KeyError:
            raise Fallback(f"unknown quantity {e}") from None
        if kind == "w":
            base = Tensor(("p", "a"), (self.sizes[n - 1], self.sizes[n]), self.params.weights[n], self.params.leaf)
        elif kind in ("x", "t", "b"):
            vals = self.params.vector(kind, n)
            base = Tensor(("i",), (len(vals),), [m.v for m in vals], rec_of(self.dom, vals))
        else:
            base = self.quantity(kind, n)
        if len(e.indices) != len(base.dims):
            raise Fallback(f"{e} has {len(e.indices)} indices")
        return self._select(base, e.indices, ranges)

    def _select(self, base: Tensor, indices: tuple, ranges: dict[sp.Symbol, Range]) -> Tensor:
        """base[i₁, …] with each index a letter over the quantity's whole width, or a number."""
        axes, fixed = [], []
        for i, width in zip(indices, base.dims):
            if isinstance(i, sp.Symbol) and i in ranges:
                if ranges[i] != (1, width) or i in axes:
                    raise Fallback(f"index {i} over {ranges[i]} on a quantity of width {width}")
                axes.append(i)
                fixed.append(None)
            else:
                k = self._number(i)
                if not 1 <= k <= width:
                    raise Fallback(f"index {k} out of 1…{width}")
                fixed.append(k - 1)
        if all(f is None for f in fixed):
            return Tensor(tuple(axes), base.dims, base.values, base.rec)
        if len(base.dims) == 1:
            return Tensor((), (), [base.values[fixed[0]]], base.rec)
        rows, cols = base.dims
        if fixed[0] is not None and fixed[1] is not None:
            return Tensor((), (), [base.values[fixed[0] * cols + fixed[1]]], base.rec)
        if fixed[0] is not None:
            return Tensor(tuple(axes), (cols,), base.values[fixed[0] * cols:(fixed[0] + 1) * cols], base.rec)
        return Tensor(tuple(axes), (rows,), base.values[fixed[1]::cols], base.rec)

    def _sorted_axes(self, ts: Sequence[Tensor]) -> tuple[tuple, tuple]:
        dims: dict = {}
        for t in ts:
            dims.update(zip(t.axes, t.dims))
        axes = tuple(sorted(dims, key=lambda s: (self.order.get(s, len(self.order)), str(s))))
        return axes, tuple(dims[s] for s in axes)

    def _combine(self, ts: list[Tensor], add: bool) -> Tensor:
        """Σ or Π of tensors, broadcast over the union of their indices."""
        p, dom = self.p, self.dom
        if add:
            rec = sum_rec(dom, [t.rec for t in ts], len(ts))
        else:
            rec = mul_rec(dom, *[t.rec for t in ts])
        axes, dims = self._sorted_axes(ts)
        vals: list[int] | None = None
        vaxes: tuple = ()
        first = {s: i for i, s in enumerate(axes)}
        for t in ts if add else sorted(ts, key=lambda t: (-len(t.axes), min(map(first.get, t.axes), default=0))):
            if vals is None:
                vals, vaxes = list(t.values), t.axes
                continue
            if not add and not set(t.axes) & set(vaxes) and _is_prefix_order(vaxes, t.axes, axes):
                vals = [x * y % p for x in vals for y in t.values]  # an outer product
                vaxes = vaxes + t.axes
                continue
            sub = _union(vaxes, t.axes, axes)
            subdims = tuple(dims[axes.index(s)] for s in sub)
            left = self.arrange(Tensor(vaxes, tuple(dims[axes.index(s)] for s in vaxes), vals, rec), sub, subdims)
            right = self.arrange(t, sub, subdims)
            op = operator.add if add else operator.mul
            vals = [op(x, y) % p for x, y in zip(left, right)]
            vaxes = sub
        assert vals is not None
        full = self.arrange(Tensor(vaxes, tuple(dims[axes.index(s)] for s in vaxes), vals, rec), axes, dims)
        return Tensor(axes, dims, full, rec)

    def _power(self, t: Tensor, k: int) -> Tensor:
        if k >= 0:
            return Tensor(t.axes, t.dims, [pow(v, k, self.p) for v in t.values], pow_rec(self.dom, t.rec, k))
        out = [m ** k for m in mods(self.dom, t.values, t.rec)]  # 1/m^|k|: divisions counted
        return Tensor(t.axes, t.dims, [m.v for m in out], rec_of(self.dom, out))

    def _sum(self, e: sp.Sum, ranges: dict[sp.Symbol, Range]) -> Tensor:
        inner = dict(ranges)
        summed = []
        for var, lo, hi in e.limits:
            inner[var] = (self._number(lo), self._number(hi))
            summed.append(var)
            if inner[var][0] > inner[var][1]:  # an empty range: Σ = 0, the body never evaluated
                return self._scalar(self.dom.const(0))
        body = e.function
        if len(summed) == 1 and body.is_Mul:
            done = self._contract(body, summed[0], inner)
            if done is not None:
                return done
        t = self.eval(body, inner)
        for var in summed:
            t = self._reduce(t, var, inner[var])
        return t

    def _contract(self, body: sp.Mul, var: sp.Symbol, ranges: dict[sp.Symbol, Range]) -> Tensor | None:
        """Σ_var A·B·C with A, B the only factors holding var and sharing no other index:
        one dot product per pair of A's and B's other indices."""
        ts = [self.eval(a, ranges) for a in body.args]
        with_var = [t for t in ts if var in t.axes]
        if len(with_var) != 2 or any(len(t.axes) > 2 for t in with_var):
            return None
        A, B = with_var
        if set(A.axes) & set(B.axes) != {var}:
            return None
        lo, hi = ranges[var]
        fa, fb = _fibres(A, var), _fibres(B, var)
        p, mul = self.p, operator.mul
        vals = [sum(map(mul, x, y)) % p for x in fa for y in fb]
        oa = tuple(s for s in A.axes if s != var)
        ob = tuple(s for s in B.axes if s != var)
        dims = tuple(d for s, d in zip(A.axes, A.dims) if s != var) + \
            tuple(d for s, d in zip(B.axes, B.dims) if s != var)
        rec = sum_rec(self.dom, [mul_rec(self.dom, A.rec, B.rec)], hi - lo + 1)
        rest = [t for t in ts if var not in t.axes]
        out = Tensor(oa + ob, dims, vals, rec)
        return self._combine([out] + rest, add=False) if rest else out

    def _reduce(self, t: Tensor, var: sp.Symbol, rng: Range) -> Tensor:
        lo, hi = rng
        count = max(0, hi - lo + 1)
        if count == 0:
            return self._scalar(self.dom.const(0))
        if var not in t.axes:  # Σ of a term free of var: count copies
            return Tensor(t.axes, t.dims, [v * count % self.p for v in t.values],
                          Rec(t.rec.num, t.rec.h + ceil_log2(count), t.rec.den))
        i = t.axes.index(var)
        outer, n = _prod(t.dims[:i]), t.dims[i]
        inner = _prod(t.dims[i + 1:])
        p, vals, block = self.p, t.values, n * inner
        out = [sum(vals[o * block + r:(o + 1) * block:inner]) % p for o in range(outer) for r in range(inner)]
        return Tensor(t.axes[:i] + t.axes[i + 1:], t.dims[:i] + t.dims[i + 1:], out,
                      Rec(t.rec.num, t.rec.h + ceil_log2(count), t.rec.den))

    def _kronecker(self, e: sp.KroneckerDelta, ranges: dict[sp.Symbol, Range]) -> Tensor:
        axes, spans, fixed = [], [], []
        for i in e.args:
            if isinstance(i, sp.Symbol) and i in ranges:
                axes.append(i)
                spans.append(range(ranges[i][0], ranges[i][1] + 1))
            else:
                fixed.append(self._number(i))
        if len(set(axes)) != len(axes):
            raise Fallback(f"{e}")
        vals = [int(len(set(c + tuple(fixed))) == 1) for c in itertools.product(*spans)]
        rec = Rec(0, 1, self.dom.one_den)
        return Tensor(tuple(axes), tuple(len(s) for s in spans), vals, rec)

    # ── layout ───────────────────────────────────────────────────────────
    def arrange(self, t: Tensor, axes: tuple, dims: tuple) -> list[int]:
        """t's values laid out row-major over ``axes`` (a superset of t's), broadcast."""
        if t.axes == axes:
            return t.values
        size = _prod(dims)
        if not t.axes:
            return t.values * size
        if len(axes) == 2 and len(t.axes) == 1:
            if t.axes[0] == axes[0]:
                return [v for v in t.values for _ in range(dims[1])]
            return t.values * dims[0]
        if len(axes) == 2 and t.axes == (axes[1], axes[0]):
            cols = dims[0]
            return [v for c in range(cols) for v in t.values[c::cols]]
        strides = {}
        step = 1
        for s, d in zip(reversed(t.axes), reversed(t.dims)):
            strides[s] = step
            step *= d
        steps = [strides.get(s, 0) for s in axes]
        vals = t.values
        return [vals[sum(i * s for i, s in zip(idx, steps))] for idx in itertools.product(*map(range, dims))]


def _prod(dims: Sequence[int]) -> int:
    out = 1
    for d in dims:
        out *= d
    return out


def _union(a: tuple, b: tuple, order: tuple) -> tuple:
    both = set(a) | set(b)
    return tuple(s for s in order if s in both)


def _is_prefix_order(a: tuple, b: tuple, order: tuple) -> bool:
    """a's indices all come before b's in ``order`` (so a ⊗ b is already row-major)."""
    return bool(a) and bool(b) and max(order.index(s) for s in a) < min(order.index(s) for s in b)


def _fibres(t: Tensor, var: sp.Symbol) -> list[list[int]]:
    """t as lists along var, one per value of its other index (row-major)."""
    if len(t.axes) == 1:
        return [t.values]
    rows, cols = t.dims
    if t.axes[1] == var:
        return [t.values[r * cols:(r + 1) * cols] for r in range(rows)]
    return [t.values[c::cols] for c in range(cols)]
