"""The independent side in bulk: reverse mode over F_p with each layer's sum as one step.

The same differentiation as :class:`.tape.Reference` — E written out from the network's
description and differentiated in reverse mode, with the verifier's own activations,
losses and derivative rules (:mod:`.definitions`) on scalar tape nodes — except that each
layer's pre-activation is one recorded step instead of n_{ℓ−1} products and sums:

    forward   u_a = Σ_p y_p w_pa + b_a                    (one dot product per a)
    backward  ∂E/∂w_pa = y_p · ū_a,  ∂E/∂b_a = ū_a,  ȳ_p += Σ_a w_pa ū_a     (ū = ∂E/∂u)

— the chain rule through u_a = Σ_p y_p w_pa + b_a, whose local partials are
∂u_a/∂y_p = w_pa, ∂u_a/∂w_pa = y_p, ∂u_a/∂b_a = 1.  The step runs when the backward sweep
reaches the layer's u nodes (every ū_a is then complete: u_a is only used after it is
made).  Values are integers mod p with one bound per array (:mod:`.field_arrays`);
nothing here reads the derivation.
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Sequence

from .definitions import LOSSES, activation
from .field_arrays import FieldParams, Rec, mod, mul_rec, rec_of, sum_rec
from .modular import Mod, ModularDomain
from .tape import Node, Tape, _TapeDomain


class _Linear:
    """One layer's u = Σ_p y_p w_p· + b, recorded for the backward sweep."""

    def __init__(self, layer: int, y: list[Node], u: list[Node], W: list[int], width: int) -> None:
        self.layer, self.y, self.u, self.W, self.width = layer, y, u, W, width


class LayeredReference:
    """Every gradient entry of E at one point of F_p, from the network's description alone.

    ``group(layer, quantity)`` gives all entries of δ, ∂E/∂w (row-major over (p, a)),
    ∂E/∂b or ∂E/∂y^{layer−1} as integers mod p with one bound."""

    def __init__(self, dom: ModularDomain, sizes: Sequence[int], activations: Sequence[str],
                 biases: Sequence[bool], loss: str, params: FieldParams) -> None:
        self.dom, self.sizes, self.p = dom, tuple(sizes), dom.p
        tape = Tape(dom)
        self.tape = tape
        self.u: dict[int, list[Node]] = {}
        self.y: dict[int, list[Node]] = {0: [tape.leaf(m) for m in params.vector("x")]}
        self.linear: dict[int, _Linear] = {}   # node index of the layer's first u → the step
        L = len(sizes) - 1
        for n in range(1, L + 1):
            self.u[n] = self._forward(n, params, biases[n])
            self.y[n] = activation(activations[n])(_TapeDomain(tape), self.u[n])
        t = [tape.leaf(m) for m in params.vector("t")]
        self.loss = LOSSES[loss](_TapeDomain(tape), self.y[L], t)
        self.weight: dict[int, tuple[list[int], Rec]] = {}
        self.adj = self._sweep()

    def _forward(self, n: int, params: FieldParams, bias: bool) -> list[Node]:
        dom, p, mul = self.dom, self.p, operator.mul
        y = self.y[n - 1]
        ym = [node.value for node in y]
        yv, ry = [m.v for m in ym], rec_of(dom, ym)
        W, width = params.weights[n], self.sizes[n]
        rec = sum_rec(dom, [mul_rec(dom, ry, params.leaf)], len(y))
        vals = [sum(map(mul, yv, W[a::width])) for a in range(width)]
        if bias:
            b = params.vector("b", n)
            rec = sum_rec(dom, [rec, rec_of(dom, b)], 2)
            vals = [v + m.v for v, m in zip(vals, b)]
        u = [Node(self.tape, mod(dom, v % p, rec)) for v in vals]
        self.linear[u[0].index] = _Linear(n, y, u, W, width)
        return u

    def _sweep(self) -> list[Optional[Mod]]:
        """∂E/∂node for every node; each layer's step when the sweep reaches its u nodes."""
        nodes = self.tape.nodes
        adj: list[Optional[Any]] = [None] * len(nodes)
        adj[self.loss.index] = self.dom.const(1)
        for node in reversed(nodes[: self.loss.index + 1]):
            i = node.index
            a = adj[i]
            if a is not None:
                for parent, partial in node.parents:
                    contrib = a * partial
                    j = parent.index
                    adj[j] = contrib if adj[j] is None else adj[j] + contrib
            step = self.linear.get(i)
            if step is not None:
                self._backward(step, adj)
        return adj

    def _backward(self, step: _Linear, adj: list[Optional[Any]]) -> None:
        dom, p, mul, zero = self.dom, self.p, operator.mul, self.dom.const(0)
        ub = [zero if adj[node.index] is None else adj[node.index] for node in step.u]
        gu, ru = [m.v for m in ub], rec_of(dom, ub)
        ym = [node.value for node in step.y]
        yv, ry = [m.v for m in ym], rec_of(dom, ym)
        self.weight[step.layer] = ([y * g % p for y in yv for g in gu], mul_rec(dom, ry, ru))
        width, W = step.width, step.W
        rec = sum_rec(dom, [mul_rec(dom, ru, Rec(1, 0, dom.one_den))], width)
        for r, node in enumerate(step.y):
            back = mod(dom, sum(map(mul, W[r * width:(r + 1) * width], gu)) % p, rec)
            j = node.index
            adj[j] = back if adj[j] is None else adj[j] + back

    def group(self, layer: int, quantity: str) -> tuple[list[int], Rec]:
        """Every entry of one (layer, quantity) and their common bound."""
        if quantity == "weight":
            return self.weight[layer]
        nodes = self.y[layer - 1] if quantity == "input" else self.u[layer]
        if quantity not in ("delta", "bias", "input"):
            raise KeyError(quantity)
        zero = self.dom.const(0)
        ms = [zero if self.adj[node.index] is None else self.adj[node.index] for node in nodes]
        return [m.v for m in ms], rec_of(self.dom, ms)
