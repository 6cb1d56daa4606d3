"""One point of the prime-field route: both sides of every (layer, quantity) group, in bulk.

At a point (a random prime p, every parameter uniform in F_p, the assumptions solved) the
claimed side is the derivation's closed forms over all entries of a group
(:class:`.compiled.CompiledForms`, or entry by entry through :class:`.closed.ClosedForms`
where a form is outside its reach) and the independent side is reverse mode from the
network's description (:class:`.layered.LayeredReference`).  Both are computed before the
point's collision bound is read, so every application and division is counted.

A group whose two lists of values are equal passes the point with one error
ε = :meth:`.modular.ModularDomain.point_error` of the difference's common bound; an entry
whose values differ is a formal difference (for the real functions to confirm).
"""

from __future__ import annotations

from itertools import product
from operator import itemgetter
from typing import Any, Optional, Sequence, Union

from ..derive import Derivation
from .closed import ClosedForms, OutOfRange, Unreadable
from .compiled import CompiledForms, Fallback
from .field_arrays import FieldParams, mod, sum_rec
from .layered import LayeredReference
from .modular import ModularDomain

GroupKey = tuple[int, str]
#: What an entry did at a point: ("pass", ε), ("differs", None), ("error", reason); None: no value here.
Result = Optional[tuple[str, Any]]


Members = Union[range, list[tuple[int, int]]]


def group_entries(entries: Sequence[tuple[int, str, tuple]], sizes: Sequence[int]) -> dict[GroupKey, Members]:
    """(layer, quantity) → its members: a range of positions in ``entries`` when they are the
    whole group in row-major order (place = position − start), else [(position, place)]."""
    out: dict[GroupKey, Members] = {}
    j, total = 0, len(entries)
    while j < total:
        layer, quantity, key = entries[j]
        g = (layer, quantity)
        shape = _shape(sizes, layer, quantity)
        m = _count(shape)
        if g not in out and _whole(entries[j:j + m], layer, quantity, shape):
            out[g] = range(j, j + m)
            j += m
            continue
        if len(key) != len(shape) or not all(1 <= k <= w for k, w in zip(key, shape)):
            raise KeyError(f"{quantity} {key} of layer {layer} is not an entry at sizes {tuple(sizes)}")
        members = out.get(g)
        if not isinstance(members, list):
            members = out[g] = pairs(members) if members is not None else []
        members.append((j, (key[0] - 1) * sizes[layer] + key[1] - 1 if quantity == "weight" else key[0] - 1))
        j += 1
    return out


def _shape(sizes: Sequence[int], layer: int, quantity: str) -> tuple[int, ...]:
    if quantity == "weight":
        return (sizes[layer - 1], sizes[layer])
    return (sizes[layer - 1],) if quantity == "input" else (sizes[layer],)


def _whole(run: Sequence[tuple[int, str, tuple]], layer: int, quantity: str, shape: tuple[int, ...]) -> bool:
    """Whether ``run`` is every entry of (layer, quantity) in row-major order (C-level passes)."""
    return (len(run) == _count(shape) and set(map(itemgetter(0), run)) == {layer}
            and set(map(itemgetter(1), run)) == {quantity} and list(map(itemgetter(2), run)) == _keys(shape))


def _count(shape: tuple[int, ...]) -> int:
    return shape[0] * (shape[1] if len(shape) > 1 else 1)


def _keys(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every key of a group of this shape, in row-major order."""
    return list(product(*(range(1, w + 1) for w in shape)))


def pairs(members: Members) -> list[tuple[int, int]]:
    """Members as [(position in the entries, place in the group's row-major list)]."""
    if isinstance(members, range):
        return list(zip(members, range(len(members))))
    return list(members)


class FieldPoint:
    """Both sides of the wanted groups at one point of F_p."""

    def __init__(self, d: Derivation, sizes: Sequence[int], dom: ModularDomain, params: FieldParams,
                 groups: Sequence[GroupKey]) -> None:
        net = d.network
        self.dom, self.sizes, self.d, self.params = dom, tuple(sizes), d, params
        self.reference = LayeredReference(dom, sizes, [l.activation for l in net.layers],
                                          [l.bias for l in net.layers], net.loss, params)
        closed = CompiledForms(d, sizes, dom, params)
        entrywise = False
        for n in range(len(sizes) - 1, 0, -1):
            for kind in ("u", "y", "delta"):
                try:
                    closed.quantity(kind, n)
                except Fallback:
                    entrywise = True
        self.entrywise: Optional[ClosedForms] = None
        if entrywise:  # a quantity the bulk evaluator does not read: touch all entry by entry
            self.entrywise = ClosedForms(d, sizes, dom, params)
            for n in range(len(sizes) - 1, 0, -1):
                for kind in ("u", "y", "delta"):
                    for a in range(1, sizes[n] + 1):
                        try:
                            self.entrywise.lookup(kind, n, (a,))
                        except (OutOfRange, Unreadable, TypeError):
                            pass
        self.closed: dict[GroupKey, Any] = {}
        for g in groups:
            try:
                self.closed[g] = closed.group(*g)
            except Fallback:
                self.closed[g] = None
            except ZeroDivisionError:
                self.closed[g] = ZeroDivisionError
        self.ref = {g: self.reference.group(*g) for g in groups}
        for g in groups:  # groups read entry by entry: their values now, before the bound
            if self.closed[g] is None:
                self.closed[g] = self._entrywise(g)

    def _entrywise(self, g: GroupKey) -> dict[int, Any]:
        if self.entrywise is None:
            self.entrywise = ClosedForms(self.d, self.sizes, self.dom, self.params)
        layer, quantity = g
        out: dict[int, Any] = {}
        width = self.sizes[layer]
        for flat in range(len(self.ref[g][0])):
            key = (flat // width + 1, flat % width + 1) if quantity == "weight" else (flat + 1,)
            try:
                out[flat] = self.entrywise.entry(layer, quantity, key)
            except (ZeroDivisionError, OutOfRange, Unreadable, TypeError) as exc:
                out[flat] = exc
        return out

    def results(self, g: GroupKey, members: Members, collisions: float
                ) -> Union[tuple[str, float], list[tuple[int, Result]]]:
        """("pass", ε) when every member of group g passed alike; else each member
        (position, place): passed with ε, differs, error, or None (a denominator vanished:
        no value at this point)."""
        closed, (rhs, rrec) = self.closed[g], self.ref[g]
        dom = self.dom
        if closed is ZeroDivisionError:
            return [(j, None) for j, _ in pairs(members)]
        if isinstance(closed, tuple):
            lhs, lrec = closed
            err = dom.point_error(mod(dom, 0, sum_rec(dom, [lrec, rrec], 2)), collisions)
            if lhs == rhs:
                return ("pass", err)
            return [(j, ("pass", err) if lhs[f] == rhs[f] else ("differs", None)) for j, f in pairs(members)]
        out: list[tuple[int, Result]] = []
        for j, f in pairs(members):
            value = closed.get(f)
            if isinstance(value, ZeroDivisionError):
                out.append((j, None))
            elif isinstance(value, Exception):
                out.append((j, ("error", str(value))))
            else:
                other = mod(dom, rhs[f], rrec)
                out.append((j, ("pass", dom.point_error(value - other, collisions)) if value.v == other.v
                            else ("differs", None)))
        return out
