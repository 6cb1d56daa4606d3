"""An independent oracle: reverse-mode autodiff on scalars (micrograd style, float64).

Shares no code with symbackprop: the network is rebuilt from activation and loss
NAMES with its own definitions, and gradients come from the chain rule applied
node by node (``Value.backward``), not from any closed form.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Optional, Sequence


class Value:
    """A scalar node: its value, its gradient ∂E/∂self, and how to push the gradient back."""

    def __init__(self, data: float, parents: tuple["Value", ...] = (),
                 local: tuple[float, ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents   # children in the graph point back to their inputs
        self.local = local       # ∂self/∂parent, one per parent

    @staticmethod
    def lift(v: "Value | float") -> "Value":
        return v if isinstance(v, Value) else Value(v)

    def __add__(self, o: "Value | float") -> "Value":
        o = Value.lift(o)
        return Value(self.data + o.data, (self, o), (1.0, 1.0))

    def __mul__(self, o: "Value | float") -> "Value":
        o = Value.lift(o)
        return Value(self.data * o.data, (self, o), (o.data, self.data))

    def __truediv__(self, o: "Value | float") -> "Value":
        o = Value.lift(o)
        return Value(self.data / o.data, (self, o), (1 / o.data, -self.data / o.data ** 2))

    def __neg__(self) -> "Value":
        return self * -1.0

    def __sub__(self, o: "Value | float") -> "Value":
        return self + (-Value.lift(o))

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, o: float) -> "Value":
        return Value.lift(o) - self

    def __rtruediv__(self, o: float) -> "Value":
        return Value.lift(o) / self

    def exp(self) -> "Value":
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self) -> "Value":
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def tanh(self) -> "Value":
        th = math.tanh(self.data)
        return Value(th, (self,), (1 - th * th,))

    def sigmoid(self) -> "Value":
        e = math.exp(-abs(self.data))          # σ(u) = 1/(1 + e^{−u}) = e^{u}/(1 + e^{u})
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        return Value(s, (self,), (s * (1 - s),))

    def relu(self) -> "Value":
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def softplus(self) -> "Value":
        sp = max(self.data, 0.0) + math.log1p(math.exp(-abs(self.data)))
        return Value(sp, (self,), (Value(self.data).sigmoid().data,))

    def backward(self) -> None:
        """Set .grad of every node to ∂self/∂node (reverse topological order, no recursion)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, d in zip(node.parents, node.local):
                parent.grad += d * node.grad


def total(values: Iterable[Value]) -> Value:
    out = Value(0.0)
    for v in values:
        out = out + v
    return out


def softmax(u: Sequence[Value]) -> list[Value]:
    """y_k = e^{u_k − m} / Σ e^{u_k' − m} (m = max u, a constant shift)."""
    m = max(v.data for v in u)
    e = [(v - m).exp() for v in u]
    s = total(e)
    return [v / s for v in e]


ELEMENTWISE: dict[str, Callable[[Value], Value]] = {
    "identity": lambda v: v, "sigmoid": Value.sigmoid, "tanh": Value.tanh,
    "relu": Value.relu, "softplus": Value.softplus,
}

LOSSES: dict[str, Callable[[list[Value], list[float]], Value]] = {
    "sse": lambda y, t: total((a - b) * (a - b) for a, b in zip(y, t)) * 0.5,
    "mse": lambda y, t: total((a - b) * (a - b) for a, b in zip(y, t)) / len(y),
    "cross_entropy": lambda y, t: -total(b * a.log() for a, b in zip(y, t)),
    "binary_cross_entropy": lambda y, t: -total(b * a.log() + (1 - b) * (1 - a).log()
                                                for a, b in zip(y, t)),
}


class Graph:
    """The forward pass of one network as Values: leaves x, W, b, offsets; outputs y, E."""

    def __init__(self, activations: Sequence[str], loss: str, params: dict) -> None:
        self.x = [Value(v) for v in params["x"]]
        self.W = [[[Value(v) for v in row] for row in m] for m in params["W"]]
        self.b: list[Optional[list[Value]]] = [
            [Value(v) for v in vec] if vec is not None else None for vec in params["b"]]
        self.offsets: list[list[Value]] = []   # zero added to every u: its grad is δ = ∂E/∂u
        y = self.x
        for act, W, b in zip(activations, self.W, self.b):
            u = [total(y[p] * W[p][a] for p in range(len(y))) for a in range(len(W[0]))]
            if b is not None:
                u = [ua + ba for ua, ba in zip(u, b)]
            zero = [Value(0.0) for _ in u]
            self.offsets.append(zero)
            u = [ua + z for ua, z in zip(u, zero)]
            y = softmax(u) if act == "softmax" else [ELEMENTWISE[act](v) for v in u]
        self.y = y
        self.E = LOSSES[loss](y, list(params["t"]))
        self.E.backward()


def mlp_loss(network: dict, params: dict) -> dict:
    """E, y and every gradient of the network ``{"activations": [...], "loss": name}``."""
    g = Graph(network["activations"], network["loss"], params)
    grads = lambda vs: [v.grad for v in vs]  # noqa: E731
    return {
        "loss": g.E.data,
        "y": [v.data for v in g.y],
        "delta": [grads(z) for z in g.offsets],
        "dW": [[grads(row) for row in m] for m in g.W],
        "db": [grads(v) if v is not None else None for v in g.b],
        "dx": grads(g.x),
    }
