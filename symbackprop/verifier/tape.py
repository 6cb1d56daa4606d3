"""The independent side: E written out from the network's description, differentiated in
reverse mode over any number domain.

    u^ℓ_a = Σ_p y^{ℓ−1}_p w^ℓ_{pa} + b^ℓ_a,   y^ℓ = f_ℓ(u^ℓ),   E = loss(y^L, t);
    δ^ℓ_a = ∂E/∂u^ℓ_a,  ∂E/∂w^ℓ_{pa},  ∂E/∂b^ℓ_a,  ∂E/∂y^{ℓ−1}_p  (y^0 = x)

are the adjoints of the corresponding nodes: one forward and one backward sweep give
every entry, on the shared graph of ≈ Σ n_{ℓ−1} n_ℓ nodes.  The local derivatives are
the verifier's own rules (``derivative`` of :func:`.definitions.function`).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .definitions import LOSSES, activation, function

Key = tuple[int, ...]


class Node:
    """A value on the tape and the local partial derivatives to its parents."""

    __slots__ = ("tape", "value", "parents", "index")

    def __init__(self, tape: "Tape", value: Any, parents: tuple = ()) -> None:
        self.tape, self.value, self.parents = tape, value, parents
        self.index = len(tape.nodes)
        tape.nodes.append(self)

    def _node(self, o: Any) -> "Node":
        return o if isinstance(o, Node) else Node(self.tape, self.tape.domain.const(o))

    def __add__(self, o: Any) -> "Node":
        o = self._node(o)
        return Node(self.tape, self.value + o.value, ((self, 1), (o, 1)))

    __radd__ = __add__

    def __neg__(self) -> "Node":
        return Node(self.tape, -self.value, ((self, -1),))

    def __sub__(self, o: Any) -> "Node":
        o = self._node(o)
        return Node(self.tape, self.value - o.value, ((self, 1), (o, -1)))

    def __rsub__(self, o: Any) -> "Node":
        return self._node(o) - self

    def __mul__(self, o: Any) -> "Node":
        o = self._node(o)
        return Node(self.tape, self.value * o.value, ((self, o.value), (o, self.value)))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> "Node":
        o = self._node(o)
        q = self.value / o.value
        return Node(self.tape, q, ((self, 1 / o.value), (o, -q / o.value)))

    def __rtruediv__(self, o: Any) -> "Node":
        return self._node(o) / self

    def __pow__(self, k: int) -> "Node":
        if not isinstance(k, int):
            raise TypeError(f"only integer powers, not ^{k}")
        return Node(self.tape, self.value ** k, ((self, k * self.value ** (k - 1)),))


class Tape:
    """Nodes in creation order (a topological order) over a number domain."""

    def __init__(self, domain: Any) -> None:
        self.domain, self.nodes = domain, []

    def leaf(self, value: Any) -> Node:
        return Node(self, value)

    def apply(self, name: str, v: Node) -> Node:
        """name(v), with the verifier's derivative rule as the local partial."""
        fv = self.domain.apply(name, v.value)
        return Node(self, fv, ((v, function(name).derivative(self.domain, v.value, fv)),))

    def adjoints(self, root: Node) -> list[Optional[Any]]:
        """∂root/∂node for every node (None where root does not depend on it)."""
        adj: list[Optional[Any]] = [None] * len(self.nodes)
        adj[root.index] = self.domain.const(1)
        for node in reversed(self.nodes[: root.index + 1]):
            a = adj[node.index]
            if a is None:
                continue
            for parent, partial in node.parents:
                contrib = a * partial
                j = parent.index
                adj[j] = contrib if adj[j] is None else adj[j] + contrib
        return adj


class Reference:
    """Every gradient entry of E at one point, from the network's description alone.

    ``params`` maps ("x", i), ("w", ℓ, p, a), ("b", ℓ, a), ("t", k) to domain values.
    """

    def __init__(self, domain: Any, sizes: Sequence[int], activations: Sequence[str],
                 biases: Sequence[bool], loss: str, params: Mapping[tuple, Any]) -> None:
        tape = Tape(domain)
        self.sizes = tuple(sizes)
        self.leaves = {k: tape.leaf(v) for k, v in params.items()}
        L = len(sizes) - 1
        x = [self.leaves["x", i] for i in range(1, sizes[0] + 1)]
        self.u, self.y = forward(tape, sizes, activations, biases, self.leaves, x)
        t = [self.leaves["t", k] for k in range(1, sizes[-1] + 1)]
        self.loss = example_loss(tape, loss, self.y[L], t)
        self.adj = tape.adjoints(self.loss)
        self.zero = domain.const(0)

    def _of(self, node: Node) -> Any:
        a = self.adj[node.index]
        return self.zero if a is None else a

    def entry(self, layer: int, quantity: str, key: Key) -> Any:
        """δ ("delta"), ∂E/∂w ("weight"), ∂E/∂b ("bias"), ∂E/∂y^{layer−1} ("input")."""
        if quantity == "delta":
            return self._of(self.u[layer][key[0] - 1])
        if quantity == "weight":
            return self._of(self.leaves["w", layer, key[0], key[1]])
        if quantity == "bias":
            return self._of(self.leaves["b", layer, key[0]])
        if quantity == "input":
            return self._of(self.y[layer - 1][key[0] - 1])
        raise KeyError(quantity)


def forward(tape: Tape, sizes: Sequence[int], activations: Sequence[str], biases: Sequence[bool],
            leaves: Mapping[tuple, Node], x: list[Node]) -> tuple[dict[int, list[Node]], dict[int, list[Node]]]:
    """u^ℓ and y^ℓ of every layer for the input nodes ``x``: u^ℓ_a = Σ_p y^{ℓ−1}_p w^ℓ_{pa} + b^ℓ_a,
    y^ℓ = f_ℓ(u^ℓ), the weights and biases read from ``leaves`` (("w", ℓ, p, a), ("b", ℓ, a))."""
    u: dict[int, list[Node]] = {}
    y: dict[int, list[Node]] = {0: x}
    for n in range(1, len(sizes)):
        layer = []
        for a in range(1, sizes[n] + 1):
            total = None
            for p in range(1, sizes[n - 1] + 1):
                term = y[n - 1][p - 1] * leaves["w", n, p, a]
                total = term if total is None else total + term
            if biases[n]:
                total = total + leaves["b", n, a]
            layer.append(total)
        u[n] = layer
        y[n] = _activate(tape, activations[n], layer)
    return u, y


def example_loss(tape: Tape, loss: str, y: list[Node], t: list[Node]) -> Node:
    """E of one example: the verifier's definition of the loss at the output nodes ``y``."""
    return LOSSES[loss](_TapeDomain(tape), y, t)


class _TapeDomain:
    """The definitions' view of a tape: ``apply`` records the node."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape

    def apply(self, name: str, v: Node) -> Node:
        return self.tape.apply(name, v)


def _activate(tape: Tape, name: str, u: list[Node]) -> list[Node]:
    return activation(name)(_TapeDomain(tape), u)

