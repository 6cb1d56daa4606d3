"""Closed forms at concrete widths, as scalar SymPy expressions in the parameters only.

At widths (n_0, …, n_L) every index runs over 1..n_ℓ, every Σ becomes a finite
sum, and every network quantity is resolved down to the parameters:

    y^0_i = x_i,   u^ℓ_a = Σ_p y^{ℓ−1}_p w^ℓ_{pa} + b^ℓ_a,   y^ℓ = f_ℓ(u^ℓ),
    δ^ℓ_a = (the derived closed form, with δ^{ℓ+1} replaced by its own instance).

σ, ReLU, softplus, tanh, Heaviside stay opaque function applications.  The
parameters are plain scalar symbols with stable names (:func:`parameter_name`):
``x_1``, ``w2_1_3`` (layer 2, neuron 1 below, neuron 3 above), ``b2_3``, ``t_1``.
Shared subexpressions (u, y, δ of every layer) are built once and reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

import sympy as sp

from .derive import Derivation
from .errors import ModelError, SizeError
from .model import Network

Key = tuple[int, ...]
Entries = dict[Key, sp.Expr]

QUANTITIES = ("delta", "weight", "bias", "input")
MAX_ENTRIES = 2_500_000  # entries one verification may check (width 1,024 at three layers is 2.1 M)


# ── parameter names ─────────────────────────────────────────────────────────
def input_symbol(i: int) -> sp.Symbol:
    """x_i, the i-th input (y^0_i)."""
    return sp.Symbol(f"x_{i}")


def weight_symbol(layer: int, p: int, a: int) -> sp.Symbol:
    """w{ℓ}_{p}_{a}: the weight of layer ℓ joining neuron p below to neuron a above."""
    return sp.Symbol(f"w{layer}_{p}_{a}")


def bias_symbol(layer: int, a: int) -> sp.Symbol:
    """b{ℓ}_{a}: the bias of neuron a of layer ℓ."""
    return sp.Symbol(f"b{layer}_{a}")


def target_symbol(k: int) -> sp.Symbol:
    """t_k, the k-th target."""
    return sp.Symbol(f"t_{k}")


def parameter_table(sizes: Sequence[int], biases: Sequence[bool]) -> dict[tuple, sp.Symbol]:
    """Every parameter, keyed ("x", i) / ("w", ℓ, p, a) / ("b", ℓ, a) / ("t", k), in a fixed order."""
    table: dict[tuple, sp.Symbol] = {}
    for i in range(1, sizes[0] + 1):
        table[("x", i)] = input_symbol(i)
    for n in range(1, len(sizes)):
        for p in range(1, sizes[n - 1] + 1):
            for a in range(1, sizes[n] + 1):
                table[("w", n, p, a)] = weight_symbol(n, p, a)
        if biases[n]:
            for a in range(1, sizes[n] + 1):
                table[("b", n, a)] = bias_symbol(n, a)
    for k in range(1, sizes[-1] + 1):
        table[("t", k)] = target_symbol(k)
    return table


def concrete_sizes(net: Network, sizes: Sequence[int]) -> tuple[int, ...]:
    """Check ``sizes`` against the network (one per layer; fixed widths must agree)."""
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) != len(net.layers):
        raise ModelError(f"need {len(net.layers)} sizes (one per layer, input first), got {len(sizes)}")
    chosen: dict[sp.Symbol, int] = {}
    for n, (layer, s) in enumerate(zip(net.layers, sizes)):
        if s <= 0:
            raise ModelError(f"sizes must be positive, not {s} (layer {n})")
        if isinstance(layer.size, sp.Integer) and int(layer.size) != s:
            raise ModelError(f"layer {n} has fixed width {layer.size}, not {s}")
        if isinstance(layer.size, sp.Symbol) and chosen.setdefault(layer.size, s) != s:
            raise ModelError(f"width {layer.size} is shared by several layers; give them one size")
    count = entry_count(sizes)
    if count > MAX_ENTRIES:
        raise SizeError(f"sizes {','.join(map(str, sizes))} mean {count:,} entries to check (δ, ∂E/∂w, "
                        f"∂E/∂b, ∂E/∂y); the bound is {MAX_ENTRIES:,} (about width "
                        f"{_width_at_bound(len(sizes)):,} at {len(sizes)} layers): choose smaller sizes")
    return sizes


def entry_count(sizes: Sequence[int]) -> int:
    """Entries of every closed form at these widths: Σ_ℓ n_{ℓ−1}n_ℓ + 2n_ℓ + n_{ℓ−1}
    (∂E/∂w, δ and ∂E/∂b, ∂E/∂y).  Computed before anything is built, so a size that cannot
    fit is refused in microseconds, not after gigabytes."""
    return sum(a * b + 2 * b + a for a, b in zip(sizes, sizes[1:]))


def _width_at_bound(layers: int) -> int:
    """The largest equal width n with entry_count((n,)*layers) ≤ MAX_ENTRIES."""
    n = int((MAX_ENTRIES / max(1, layers - 1)) ** 0.5)
    while n > 1 and entry_count((n,) * layers) > MAX_ENTRIES:
        n -= 1
    return n


# ── the instance ────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Instance:
    """The closed forms of a Derivation at concrete widths, entry by entry.

    ``delta[ℓ][(a,)]`` = δ^ℓ_a, ``weight[ℓ][(p, a)]`` = ∂E/∂w^ℓ_{pa},
    ``bias[ℓ][(a,)]`` = ∂E/∂b^ℓ_a (empty without bias), ``input[ℓ][(p,)]`` =
    ∂E/∂y^{ℓ−1}_p (``input[1]`` is ∂E/∂x).  ``assumptions`` solves the stated
    assumptions for one target each, e.g. {t_3: 1 − t_1 − t_2} for Σ_k t_k = 1.
    """

    derivation: Derivation
    sizes: tuple[int, ...]
    parameters: dict[tuple, sp.Symbol]
    delta: dict[int, Entries]
    weight: dict[int, Entries]
    bias: dict[int, Entries]
    input: dict[int, Entries]
    u: dict[int, Entries]
    y: dict[int, Entries]
    loss: sp.Expr
    assumptions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    def entries(self, layer: int, quantity: str) -> Entries:
        """The entries of one quantity ("delta", "weight", "bias", "input") of one layer."""
        if quantity not in QUANTITIES:
            raise KeyError(f"unknown quantity {quantity!r}; allowed: {', '.join(QUANTITIES)}")
        return getattr(self, quantity)[layer]

    @property
    def input_gradient(self) -> Entries:
        """∂E/∂x_i, the input gradient of layer 1."""
        return self.input[1]

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """Every parameter symbol: inputs, then weights and biases by layer, then targets."""
        return tuple(self.parameters.values())


def quantity_kinds(net: Network) -> dict[sp.IndexedBase, tuple[str, int]]:
    """Each internal indexed name → (kind, layer): "x" (y^0), "y", "u", "w", "b", "delta", "t"."""
    kinds: dict[sp.IndexedBase, tuple[str, int]] = {net.target: ("t", 0)}
    for s in net.symbols:
        kinds[s.y] = ("x", 0) if s.layer == 0 else ("y", s.layer)
        for name in ("u", "w", "b", "delta"):
            base = getattr(s, name)
            if base is not None:
                kinds[base] = (name, s.layer)
    return kinds


class _Resolver:
    """Resolve the internal indexed names at concrete widths, memoising every entry."""

    def __init__(self, d: Derivation, sizes: tuple[int, ...]) -> None:
        net = d.network
        self.d, self.net, self.sizes = d, net, sizes
        self.widths = {l.size: sp.Integer(s) for l, s in zip(net.layers, sizes)
                       if isinstance(l.size, sp.Symbol)}
        self.forward = {(r.name, r.layer): r.rhs for r in d.forward}
        self.memo: dict[tuple, sp.Expr] = {}
        self.kinds = quantity_kinds(net)
        self.closed = {ld.layer: ld for ld in d.layers}

    def at(self, expr: sp.Expr, values: Mapping[sp.Symbol, int]) -> sp.Expr:
        """expr with free indices set, widths substituted, sums done, names resolved."""
        subs = {k: sp.Integer(v) for k, v in values.items()}
        subs.update(self.widths)
        expr = expr.xreplace(subs)
        if expr.has(sp.Sum):
            expr = expr.doit()
        return self.resolve(expr)

    def resolve(self, expr: sp.Expr) -> sp.Expr:
        """Replace every indexed quantity by its instance (parameters or memoised forms)."""
        table = {e: self.lookup(e) for e in expr.atoms(sp.Indexed)}
        return expr.xreplace(table) if table else expr

    def lookup(self, e: sp.Indexed) -> sp.Expr:
        """The instance of one indexed quantity at concrete indices."""
        try:
            kind, n = self.kinds[e.base]
        except KeyError:
            raise ModelError(f"cannot instantiate unknown quantity {e}") from None
        idx = tuple(int(i) for i in e.indices)
        if not self.in_range(kind, n, idx):
            return sp.Symbol(f"{e.base}[{', '.join(map(str, idx))}]")  # not a parameter: verify says so
        if kind == "x":
            return input_symbol(*idx)
        if kind == "t":
            return target_symbol(*idx)
        if kind == "w":
            return weight_symbol(n, *idx)
        if kind == "b":
            return bias_symbol(n, *idx)
        key = (kind, n, idx)
        if key not in self.memo:
            self.memo[key] = self.build(kind, n, idx)
        return self.memo[key]

    def in_range(self, kind: str, n: int, idx: Key) -> bool:
        """Whether the indices name a neuron (or weight) that exists at these widths."""
        widths = {"x": (self.sizes[0],), "t": (self.sizes[-1],),
                  "w": (self.sizes[n - 1], self.sizes[n]) if n >= 1 else ()}
        shape = widths.get(kind, (self.sizes[n],))
        return len(idx) == len(shape) and all(1 <= i <= w for i, w in zip(idx, shape))

    def build(self, kind: str, n: int, idx: Key) -> sp.Expr:
        """u, y from the forward definitions; δ from the derived closed form."""
        s = self.net.symbols[n]
        if kind == "u":
            return self.at(self.forward[("preactivation", n)], {s.index: idx[0]})
        if kind == "y":
            return self.at(self.forward[("activation", n)], {s.index: idx[0]})
        if kind == "delta":
            return self.at(self.closed[n].delta.rhs, {s.index: idx[0]})
        raise ModelError(f"cannot instantiate {kind} of layer {n}")


def _entries(width_above: int, width_below: Optional[int],
             make: Callable[..., sp.Expr]) -> Entries:
    if width_below is None:
        return {(a,): make(a) for a in range(1, width_above + 1)}
    return {(p, a): make(p, a) for p in range(1, width_below + 1) for a in range(1, width_above + 1)}


def _assumptions(d: Derivation, r: _Resolver) -> dict[sp.Symbol, sp.Expr]:
    """Solve each stated assumption (linear in the targets) for its last free target."""
    out: dict[sp.Symbol, sp.Expr] = {}
    targets = [target_symbol(k) for k in range(r.sizes[-1], 0, -1)]
    for a in d.assumptions:
        eq = sp.expand((r.at(a.lhs, {}) - r.at(a.rhs, {})).xreplace(out))
        pick = next((t for t in targets if eq.has(t) and t not in out), None)
        coeff = eq.coeff(pick) if pick is not None else sp.Integer(0)
        if pick is None or coeff.has(pick) or coeff.is_zero or (eq - coeff * pick).has(pick):
            raise ModelError(f"cannot apply the assumption {a.lhs} = {a.rhs} ({a.rule})")
        value = sp.expand(-(eq - coeff * pick) / coeff)
        out = {k: v.xreplace({pick: value}) for k, v in out.items()}
        out[pick] = value
    return out


def instantiate(derivation: Derivation, sizes: Sequence[int]) -> Instance:
    """Every closed form of ``derivation`` at widths ``sizes`` (input first), entry by entry."""
    net = derivation.network
    sizes = concrete_sizes(net, sizes)
    r = _Resolver(derivation, sizes)
    delta, weight, bias, inp, u, y = ({} for _ in range(6))
    for ld in sorted(derivation.layers, key=lambda ld: -ld.layer):  # output first: δ memo fills top-down
        n = ld.layer
        s, below = net.symbols[n], net.symbols[n - 1]
        a_, p_ = s.index, below.index
        delta[n] = _entries(sizes[n], None, lambda a: r.lookup(s.delta[a]))
        weight[n] = _entries(sizes[n], sizes[n - 1],
                             lambda p, a: r.at(ld.weight.rhs, {p_: p, a_: a}))
        bias[n] = (_entries(sizes[n], None, lambda a: r.at(ld.bias.rhs, {a_: a}))
                   if ld.bias is not None else {})
        inp[n] = _entries(sizes[n - 1], None, lambda p: r.at(ld.input.rhs, {p_: p}))
        u[n] = _entries(sizes[n], None, lambda a: r.lookup(s.u[a]))
        y[n] = _entries(sizes[n], None, lambda a: r.lookup(s.y[a]))
    loss = r.at(r.forward[("loss", net.depth)], {})
    params = parameter_table(sizes, [l.bias for l in net.layers])
    return Instance(derivation, sizes, params, delta, weight, bias, inp, u, y, loss,
                    _assumptions(derivation, r))


def instantiate_entry(derivation: Derivation, sizes: Sequence[int], layer: int, quantity: str,
                      key: Key) -> sp.Expr:
    """One closed form at widths ``sizes`` (only the quantities it needs are resolved)."""
    net = derivation.network
    sizes = concrete_sizes(net, sizes)
    r = _Resolver(derivation, sizes)
    ld = r.closed[layer]
    a_, p_ = net.symbols[layer].index, net.symbols[layer - 1].index
    if quantity == "delta":
        return r.lookup(net.symbols[layer].delta[key[0]])
    if quantity == "weight":
        return r.at(ld.weight.rhs, {p_: key[0], a_: key[1]})
    if quantity == "bias" and ld.bias is not None:
        return r.at(ld.bias.rhs, {a_: key[0]})
    if quantity == "input":
        return r.at(ld.input.rhs, {p_: key[0]})
    raise ModelError(f"no {quantity} closed form in layer {layer}")


def assumptions_at(derivation: Derivation, sizes: Sequence[int]) -> dict[sp.Symbol, sp.Expr]:
    """The stated assumptions at widths ``sizes``, each solved for one target."""
    return _assumptions(derivation, _Resolver(derivation, concrete_sizes(derivation.network, sizes)))
