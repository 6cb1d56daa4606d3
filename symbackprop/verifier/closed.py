"""The claimed side: the derivation's closed forms evaluated at concrete indices over a domain.

At widths (n_0, …, n_L) and a point (values of x, w, b, t), every Σ runs over its
range, every [i = j] is decided, and every network quantity is evaluated once:

    y^0_i = x_i,  u^ℓ_a, y^ℓ_a  from the derivation's forward definitions,
    δ^ℓ_a        from its closed form (δ^{ℓ+1} from its own memoised values).

The shared quantities make the cost ≈ Σ n_{ℓ−1} n_ℓ operations instead of the size of
the fully written-out expressions.  Functions are applied through the domain by the
verifier's names (sigmoid → sigma, Heaviside → H: ``definitions.function_name``, from the
notation table).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import sympy as sp

from ..derive import Derivation
from ..instantiate import quantity_kinds
from .definitions import function_name

Key = tuple[int, ...]

class OutOfRange(LookupError):
    """An indexed quantity whose indices name no neuron or weight at these widths."""


class Unreadable(ValueError):
    """A form the evaluator cannot read (an unknown function, a non-integer power, …)."""


class ClosedForms:
    """Entries of the closed forms of ``derivation`` at ``sizes`` and one point.

    ``params`` maps ("x", i), ("w", ℓ, p, a), ("b", ℓ, a), ("t", k) to domain values.
    """

    def __init__(self, derivation: Derivation, sizes: Sequence[int], domain: Any,
                 params: Mapping[tuple, Any]) -> None:
        net = derivation.network
        self.d, self.net, self.sizes, self.domain, self.params = derivation, net, tuple(sizes), domain, params
        self.widths: dict[sp.Symbol, int] = {l.size: s for l, s in zip(net.layers, sizes)
                                             if isinstance(l.size, sp.Symbol)}
        self.forward = {(r.name, r.layer): r.rhs for r in derivation.forward}
        self.closed = {ld.layer: ld for ld in derivation.layers}
        self.kinds = quantity_kinds(net)
        self.memo: dict[tuple, Any] = {}

    # ── entries ──────────────────────────────────────────────────────────
    def entry(self, layer: int, quantity: str, key: Key) -> Any:
        """δ ("delta"), ∂E/∂w ("weight"), ∂E/∂b ("bias"), ∂E/∂y^{layer−1} ("input")."""
        ld = self.closed[layer]
        a_, p_ = self.net.symbols[layer].index, self.net.symbols[layer - 1].index
        if quantity == "delta":
            return self.lookup("delta", layer, key)
        if quantity == "weight":
            return self.value(ld.weight.rhs, {p_: key[0], a_: key[1]})
        if quantity == "bias":
            if ld.bias is None:
                raise Unreadable(f"layer {layer} has no bias")
            return self.value(ld.bias.rhs, {a_: key[0]})
        if quantity == "input":
            return self.value(ld.input.rhs, {p_: key[0]})
        raise KeyError(quantity)

    def expression(self, expr: sp.Expr, values: Mapping[sp.Symbol, int]) -> Any:
        """Any expression in the network's names (an assumption, say) at index values."""
        return self.value(expr, dict(values))

    # ── the evaluator ────────────────────────────────────────────────────
    def value(self, e: sp.Expr, env: dict[sp.Symbol, int]) -> Any:
        """e at the point, indices bound by ``env`` (widths known)."""
        if isinstance(e, sp.Indexed):
            kind, n = self._kind(e)
            return self.lookup(kind, n, tuple(self._index(i, env) for i in e.indices))
        if e.is_Add:
            return _fold(lambda a, b: a + b, [self.value(a, env) for a in e.args])
        if e.is_Mul:
            return _fold(lambda a, b: a * b, [self.value(a, env) for a in e.args])
        if e.is_Pow:
            if not e.exp.is_Integer:
                raise Unreadable(f"a non-integer power in a closed form: {e}")
            return self.value(e.base, env) ** int(e.exp)
        if e.is_Rational:
            return self.domain.const(Fraction(int(e.p), int(e.q)))
        if isinstance(e, sp.Symbol):
            if e in env:
                return self.domain.const(env[e])
            if e in self.widths:
                return self.domain.const(self.widths[e])
            raise Unreadable(f"the symbol {e} has no value at these sizes")
        if isinstance(e, sp.Sum):
            return self._sum(e.function, list(e.limits), env)
        if isinstance(e, sp.KroneckerDelta):
            return self.domain.const(int(self._index(e.args[0], env) == self._index(e.args[1], env)))
        name = function_name(e) if isinstance(e, sp.Function) else None
        if name is not None:
            return self.domain.apply(name, self.value(e.args[0], env))
        raise Unreadable(f"cannot evaluate {type(e).__name__} in a closed form: {e}")

    def _sum(self, body: sp.Expr, limits: list, env: dict[sp.Symbol, int]) -> Any:
        var, lo, hi = limits[0]
        lo, hi = self._index(lo, env), self._index(hi, env)
        terms = []
        for i in range(lo, hi + 1):
            inner = {**env, var: i}
            terms.append(self._sum(body, limits[1:], inner) if len(limits) > 1 else self.value(body, inner))
        return _fold(lambda a, b: a + b, terms) if terms else self.domain.const(0)

    def _index(self, i: sp.Expr, env: Mapping[sp.Symbol, int]) -> int:
        if i.is_Integer:
            return int(i)
        if isinstance(i, sp.Symbol):
            if i in env:
                return env[i]
            if i in self.widths:
                return self.widths[i]
        done = i.xreplace({k: sp.Integer(v) for k, v in {**self.widths, **env}.items()})
        if not done.is_Integer:
            raise Unreadable(f"the index {i} has no value here")
        return int(done)

    def _kind(self, e: sp.Indexed) -> tuple[str, int]:
        try:
            return self.kinds[e.base]
        except KeyError:
            raise Unreadable(f"unknown quantity {e}") from None

    # ── the quantities, each computed once ──────────────────────────────
    def lookup(self, kind: str, n: int, idx: Key) -> Any:
        """The value of one indexed quantity at concrete indices."""
        key = (kind, n, idx)
        hit = self.memo.get(key)
        if hit is None:
            try:
                hit = ("ok", self._build(kind, n, idx))
            except (OutOfRange, Unreadable) as exc:
                hit = ("error", exc)
            self.memo[key] = hit
        if hit[0] == "error":
            raise hit[1]
        return hit[1]

    def _build(self, kind: str, n: int, idx: Key) -> Any:
        if not self._in_range(kind, n, idx):
            base = {"x": "x", "t": "t"}.get(kind, f"{kind}^({n})")
            raise OutOfRange(f"{base}[{', '.join(map(str, idx))}] is not a parameter at sizes {self.sizes}")
        if kind == "x":
            return self.params["x", idx[0]]
        if kind == "t":
            return self.params["t", idx[0]]
        if kind == "w":
            return self.params["w", n, idx[0], idx[1]]
        if kind == "b":
            return self.params["b", n, idx[0]]
        index = {self.net.symbols[n].index: idx[0]}
        if kind == "u":
            return self.value(self.forward[("preactivation", n)], index)
        if kind == "y":
            return self.value(self.forward[("activation", n)], index)
        if kind == "delta":
            return self.value(self.closed[n].delta.rhs, index)
        raise Unreadable(f"cannot evaluate {kind} of layer {n}")

    def _in_range(self, kind: str, n: int, idx: Key) -> bool:
        shape = {"x": (self.sizes[0],), "t": (self.sizes[-1],),
                 "w": (self.sizes[n - 1], self.sizes[n]) if n >= 1 else ()}.get(kind, (self.sizes[n],))
        return len(idx) == len(shape) and all(1 <= i <= w for i, w in zip(idx, shape))


def _fold(op: Callable[[Any, Any], Any], values: list) -> Any:
    total = values[0]
    for v in values[1:]:
        total = op(total, v)
    return total
