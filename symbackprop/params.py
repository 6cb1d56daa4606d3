"""Numeric parameters in: the ``eval`` JSON checked against a network (docs/numbers.md).

``x`` (the input vector), ``t`` (the target vector), ``W`` (one matrix per layer above
the input, ``W[n]`` of shape size of layer n × size of layer n + 1, so ``W[n][j][k]``
joins neuron j below to neuron k above whatever the notation's ``weight_order``) and
``b`` (one vector per layer above the input, ``null`` where the layer has no bias).
Every problem is one :class:`~symbackprop.errors.ParamsError` line that names the field.

Symbolic widths are read from the parameters.  A width is seen by every array that
spans it (x, the columns of the W below, the rows of the W above, b, t), so one wrong
array is outvoted by the others, and a tie goes to the arrays that cannot be
transposed (x, b, t) or to a matrix whose other side is already right: a transposed
``W`` is reported as such, against the shape the rest of the parameters imply.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NoReturn, Optional, Sequence

import numpy as np
import sympy as sp

from .errors import ParamsError
from .model import Network


@dataclass(frozen=True)
class Params:
    """Checked parameters as float arrays (0-based); ``sizes`` = widths, input first."""

    x: np.ndarray
    t: np.ndarray
    W: tuple[np.ndarray, ...]
    b: tuple[Optional[np.ndarray], ...]
    sizes: tuple[int, ...]

    def widths(self, network: Network) -> dict[sp.Symbol, int]:
        """The value of every symbolic width."""
        return {l.size: n for l, n in zip(network.layers, self.sizes)
                if isinstance(l.size, sp.Symbol)}


KEYS = ("x", "t", "W", "b")


def fail(message: str) -> NoReturn:
    """Raise the one-line ParamsError ``message``."""
    raise ParamsError(message)


def _kind(value: Any) -> str:
    """How a JSON value reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    return f"{type(value).__name__} {value!r}"


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars as plain lists and numbers."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value


def _numbers(k: int) -> str:
    """"1 number", "3 numbers"."""
    return f"{k} number" + ("" if k == 1 else "s")


def _number(value: Any, field: str) -> float:
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{field}: expected a number, got {_kind(value)}")
    if not math.isfinite(value):
        fail(f"{field}: expected a finite number, got {value}")
    return float(value)


def _vector(value: Any, field: str) -> np.ndarray:
    value = _plain(value)
    if not isinstance(value, (list, tuple)) or not value:
        fail(f"{field}: expected a non-empty list of numbers, got {_kind(value)}")
    return np.array([_number(v, f"{field}[{i}]") for i, v in enumerate(value)])


def _matrix(value: Any, field: str) -> np.ndarray:
    value = _plain(value)
    if not isinstance(value, (list, tuple)) or not value:
        fail(f"{field}: expected a non-empty list of rows, got {_kind(value)}")
    rows = [_vector(r, f"{field}[{i}]") for i, r in enumerate(value)]
    for i, r in enumerate(rows):
        if len(r) != len(rows[0]):
            fail(f"{field}[{i}]: expected {_numbers(len(rows[0]))} like {field}[0] "
                 f"(rows must have equal length), got {len(r)}")
    return np.array(rows)


# ── widths: every array that spans a width votes ──────────────────────────
@dataclass(frozen=True)
class Witness:
    """A length some array gives a width.  A matrix is trusted in a tie only when its
    other side (``other`` layer, ``other_length``) matches; a vector (other None) always."""

    length: int
    other: Optional[int] = None
    other_length: int = 0


def _witnesses(net: Network, x: np.ndarray, W: Sequence[np.ndarray], rawb: Sequence[Any],
               rawt: Any) -> dict[sp.Symbol, list[Witness]]:
    """For each symbolic width, in layer order: x, W below (columns), W above (rows), b, t."""
    L = net.depth
    votes: dict[sp.Symbol, list[Witness]] = {}
    for n, layer in enumerate(net.layers):
        if not isinstance(layer.size, sp.Symbol):
            continue
        seen = votes.setdefault(layer.size, [])
        if n == 0:
            seen.append(Witness(len(x)))
        if n > 0:
            seen.append(Witness(W[n - 1].shape[1], n - 1, W[n - 1].shape[0]))
        if n < L:
            seen.append(Witness(W[n].shape[0], n + 1, W[n].shape[1]))
        if n > 0 and layer.bias and isinstance(rawb[n - 1], (list, tuple)):
            seen.append(Witness(len(rawb[n - 1])))
        if n == L and isinstance(rawt, (list, tuple)):
            seen.append(Witness(len(rawt)))
    return votes


def _choose(witnesses: Sequence[Witness],
            width: Callable[[int], Optional[int]]) -> tuple[Optional[int], int]:
    """(the length most witnesses give, or among tied ones the first trusted; None while
    no tied one is trusted yet) and the first tied length, the last resort."""
    counts = Counter(w.length for w in witnesses)
    top = max(counts.values())
    leaders = [w.length for w in witnesses if counts[w.length] == top]
    trusted = [w.length for w in witnesses if counts[w.length] == top
               and (w.other is None or width(w.other) == w.other_length)]
    if len(set(leaders)) == 1:
        return leaders[0], leaders[0]
    return (trusted[0] if trusted else None), leaders[0]


def _resolve_sizes(net: Network, x: np.ndarray, W: Sequence[np.ndarray], rawb: Sequence[Any],
                   rawt: Any) -> list[int]:
    """Widths, input first: fixed by the spec, else the length most arrays give it; a tie
    goes to a trusted witness (see :class:`Witness`) once the widths it leans on are known,
    and when none can become trusted, to the first array in layer order."""
    votes = _witnesses(net, x, W, rawb, rawt)
    known: dict[sp.Symbol, int] = {}

    def width(n: int) -> Optional[int]:
        size = net.layers[n].size
        return int(size) if isinstance(size, sp.Integer) else known.get(size)

    pending = list(votes)
    while pending:
        progress = False
        for sym in list(pending):
            choice, _ = _choose(votes[sym], width)
            if choice is not None:
                known[sym] = choice
                pending.remove(sym)
                progress = True
        if not progress:
            sym = pending.pop(0)
            known[sym] = _choose(votes[sym], width)[1]
    return [width(n) for n in range(len(net.layers))]


def _why(net: Network, n: int, got: int, want: int) -> str:
    """Why layer n must have width ``want``: the spec, x, or a width shared with another layer."""
    size = net.layers[n].size
    if got == want:
        return ""
    if isinstance(size, sp.Integer):
        return f"; the spec fixes the size of layer {n} at {want}"
    if n == 0:
        return "; the size of layer 0 is the length of x"
    first = next(m for m, l in enumerate(net.layers) if l.size == size)
    return f"; layer {n} shares the size {size} with layer {first}" if first != n else ""


def _check_weights(net: Network, W: Sequence[np.ndarray], sizes: Sequence[int]) -> None:
    """W[n] must be size of layer n × size of layer n + 1 (the weights of layer n + 1)."""
    for n, m in enumerate(W):
        want = (sizes[n], sizes[n + 1])
        if m.shape == want:
            continue
        reason = _why(net, n, m.shape[0], want[0]) or _why(net, n + 1, m.shape[1], want[1])
        if m.shape == want[::-1]:
            reason += (f"; transposed? W[{n}] is size_below × size_above (W[{n}][j][k] joins "
                       f"neuron j of layer {n} to neuron k of layer {n + 1}), whatever the "
                       f"notation's weight_order")
        fail(f"W[{n}] (layer {n + 1}): expected {want[0]}×{want[1]} (size of layer {n} × size "
             f"of layer {n + 1}), got {m.shape[0]}×{m.shape[1]}{reason}")


def check_params(network: Network, params: Any) -> Params:
    """Validate a params dict against ``network``; every problem is one ParamsError line."""
    if not isinstance(params, Mapping):
        fail(f"params: expected an object with keys {', '.join(KEYS)}, got {_kind(params)}")
    for key in params:
        if key not in KEYS:
            fail(f"params: unknown key {key!r}; expected {', '.join(KEYS)}")
    L = network.depth
    for key in KEYS:
        if key not in params:
            what = {"x": "the input vector", "t": "the target vector",
                    "W": f"{L} matrices, one per layer above the input",
                    "b": f"{L} vectors or nulls, one per layer above the input"}[key]
            fail(f"{key}: missing key (expected {what})")
    x = _vector(params["x"], "x")
    rawW, rawb = _plain(params["W"]), _plain(params["b"])
    for key, raw in (("W", rawW), ("b", rawb)):
        if not isinstance(raw, (list, tuple)) or len(raw) != L:
            fail(f"{key}: expected a list of {L} entr{'y' if L == 1 else 'ies'} "
                 f"(one per layer above the input, layer 1 first), got {_kind(raw)}")
    W = [_matrix(m, f"W[{n}]") for n, m in enumerate(rawW)]
    rawb = [_plain(v) for v in rawb]
    sizes = _resolve_sizes(network, x, W, rawb, _plain(params["t"]))
    if len(x) != sizes[0]:
        fail(f"x: expected {_numbers(sizes[0])} (size of layer 0), got {len(x)}"
             + _why(network, 0, len(x), sizes[0]))
    _check_weights(network, W, sizes)
    b: list[Optional[np.ndarray]] = []
    for n, (raw, layer) in enumerate(zip(rawb, network.layers[1:])):
        if not layer.bias:
            if raw is not None:
                fail(f"b[{n}]: layer {n + 1} has no bias (bias = false in the spec); "
                     f"expected null, got {_kind(raw)}")
            b.append(None)
            continue
        if raw is None:
            fail(f"b[{n}]: layer {n + 1} has a bias; "
                 f"expected a list of {_numbers(sizes[n + 1])}, got null")
        vec = _vector(raw, f"b[{n}]")
        if len(vec) != sizes[n + 1]:
            fail(f"b[{n}]: expected {_numbers(sizes[n + 1])} (size of layer {n + 1}), "
                 f"got {len(vec)}")
        b.append(vec)
    t = _vector(params["t"], "t")
    if len(t) != sizes[-1]:
        fail(f"t: expected {_numbers(sizes[-1])} (size of the output layer {L}), got {len(t)}")
    return Params(x, t, tuple(W), tuple(b), tuple(sizes))
