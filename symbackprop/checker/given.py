r"""Networks given with ``check DOC --network SPEC.toml``: read, printed as definitions, placed.

A spec file holds one network (the core's spec, for the whole document) or several
(``[[networks]]`` tables, each with ``lines = [first, last]``: what ``--show-network`` prints for a
document that describes several networks one after another, checker/network_toml.py).  Each
network's forward pass and loss become definitions (line 0, the spec's) for the claims of its
lines only, under three rules that keep a spec from saying more than it should:

* **The document's own definitions stand where it writes them.**  A spec row for a quantity the
  document defines within the network's lines (written, or implied by a step:
  ``∂u_k/∂w_{jk} = ∂(Σ_q y_q w_{qk} + b_k)/∂w_{jk}``, checker/implied.py) is left out: a claim
  above the document's definition stays "defined only later", as without the spec, and none is
  decided by a definition the document replaces a few lines on.  The same holds for the loss's
  assumption (``Σ_k t_k = 1``) where the document states it: it stays the document's assumption.
* **The spec's rows stand at the first line of their network** and hold for its lines: one for
  a quantity the document defined above them (the layer both networks share, or the regression
  section's ½SSE) replaces that definition there.
* **They end with their lines** (``SymbolTable.withdraw``): what they replaced is in force again,
  and the next network's rows begin.  A row for a quantity the document never writes (the
  instance ``z_k`` a general layer ``z^{i}_k`` is shown as) is left out: it can decide nothing,
  and would only be named among the quantities a proof kept.

So a spec printed by ``--show-network`` and given back decides every claim as the document
alone does, and a spec for a document that states its network only in prose gives the
definitions the prose leaves out.  ``--network`` also takes what ``--show-network`` prints for a
document it could read only in part: a layer without ``activation`` and a spec without ``loss``
give no definition for them (the document's own, or none), and ``networks = []`` gives nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import sympy as sp

from .. import spec
from ..errors import SpecError
from ..latex.extract import Fragment
from ..model import Network
from . import implied
from .names import definable, key, keys, letters_of, shorthand
from .read import Reading, read_fragment
from .scan import _NOTHING_DEFINED, DEFINING_OPS, scan

#: Placeholders for what a partial spec leaves to the document (never printed as definitions).
_LEFT_OPEN = {"activation": "identity", "loss": "sse"}


@dataclass(frozen=True)
class GivenNetwork:
    """A network given with ``--network``: the lines it governs (``last`` None: to the end), and
    which of its items the spec states (a layer's activation, the loss) — the rest is left to
    the document."""

    network: Network
    first: int = 1
    last: Optional[int] = None
    activations: tuple = ()   # per layer above the input: stated? (empty: every one)
    loss: bool = True

    def covers(self, line: int) -> bool:
        return self.first <= line and (self.last is None or line <= self.last)

    def states_activation(self, n: int) -> bool:
        return not self.activations or self.activations[n - 1]


@dataclass(frozen=True)
class Placed:
    """The document's readings with the spec rows put in, and where the spec's definitions end
    (reading positions, before which they are withdrawn)."""

    readings: list
    withdraw: frozenset


# ── reading a spec file ────────────────────────────────────────────────────
def as_given(network: Any) -> tuple:
    """A :class:`Network` (the whole document), a :class:`GivenNetwork`, or several."""
    if network is None:
        return ()
    if isinstance(network, Network):
        return (GivenNetwork(network),)
    if isinstance(network, GivenNetwork):
        return (network,)
    return tuple(x for n in network for x in as_given(n))


def load(path: Union[str, os.PathLike]) -> tuple:
    """The networks of the spec file at ``path`` (one or several); a problem is one SpecError line."""
    source = os.fspath(path)
    return loads(spec.read_text(path), source)


def loads(text: str, source: str = "<string>") -> tuple:
    data = spec.parse(text, source)
    if "networks" not in data:
        return (_one(data, source, (1, None)),)
    if set(data) != {"networks"}:
        _fail(source, ", ".join(sorted(set(data) - {"networks"})),
              "a file of several networks holds only [[networks]] tables (each a spec with its lines)")
    raw = data["networks"]
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        _fail(source, "networks", "must be an array of tables ([[networks]])")
    out = [_one({k: v for k, v in t.items() if k != "lines"}, f"{source}: networks[{n}]",
                _lines(source, n, t.get("lines"))) for n, t in enumerate(raw)]
    out.sort(key=lambda g: g.first)
    for a, b in zip(out, out[1:]):
        if a.last is None or a.last >= b.first:
            _fail(source, "networks", f"the lines of two networks overlap (from line {b.first}); "
                                      "each line belongs to one network at most")
    return tuple(out)


def _lines(source: str, n: int, raw: Any) -> tuple:
    ok = isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, int) and not isinstance(x, bool) and x >= 1
                                                         for x in raw) and raw[0] <= raw[1]
    if not ok:
        _fail(source, f"networks[{n}].lines", f"must be [first, last], two line numbers with first ≤ last, "
                                              f"not {raw!r}")
    return raw[0], raw[1]


def _one(data: dict, source: str, lines: tuple) -> GivenNetwork:
    """One spec table; a missing activation or loss is left to the document (see the module)."""
    if not isinstance(data, dict):
        _fail(source, "(top level)", "must be a table")
    data = dict(data)
    layers = data.get("layers")
    stated: tuple = ()
    if isinstance(layers, list) and all(isinstance(t, dict) for t in layers):
        stated = tuple("activation" in t for t in layers[1:])
        data["layers"] = [t if n == 0 or "activation" in t else {**t, "activation": _LEFT_OPEN["activation"]}
                          for n, t in enumerate(layers)]
    loss = "loss" in data
    data.setdefault("loss", _LEFT_OPEN["loss"])
    network = spec.from_dict(data, source, letter_layered=True)
    return GivenNetwork(network, lines[0], lines[1], stated if not all(stated) else (), loss)


def _fail(source: str, key_: str, problem: str) -> None:
    raise SpecError(" ".join(f"{source}: {key_}: {problem}".splitlines()))


# ── the definitions a network gives ────────────────────────────────────────
def rows(given: GivenNetwork) -> list:
    """The forward pass and the loss the spec states, printed in its ``[notation]`` (sums over a
    whole layer written ``Σ_k``, as documents write them), then the loss's assumptions."""
    from ..derive import assumptions_of, loss_expression, output_definition, preactivation
    from ..printing import latex

    net = given.network

    def tex(e: sp.Basic) -> str:
        return _WHOLE_LAYER_SUM.sub(lambda m: rf"\sum_{{{m.group(1)}}}", latex(e, net))

    out = []
    for n in range(1, len(net.layers)):
        s, below = net.symbols[n], net.symbols[n - 1]
        out.append(f"{tex(s.u[s.index])} := {tex(preactivation(net, n, below.index))}")
        if given.states_activation(n):
            out.append(f"{tex(s.y[s.index])} := {tex(output_definition(net, n))}")
    if given.loss:
        out.append(f"{tex(net.loss_symbol)} := {tex(loss_expression(net, net.symbols[-1].index))}")
        out += [f"{tex(a.lhs)} = {tex(a.rhs)}" for a in assumptions_of(net)]
    return out


_WHOLE_LAYER_SUM = re.compile(r"\\sum_\{([A-Za-z]'*)=1\}\^\{(?:[^{}]|\{[^{}]*\})*\}")


# ── placing them among the document's readings ─────────────────────────────
def place(readings: Sequence[Reading], given: Sequence[GivenNetwork], seconds: float) -> Placed:
    """The spec rows of each network put in before the first reading of its lines, by the rules
    of the module docstring."""
    doc = scan([(r.fragment, r.parsed) for r in readings])
    written, stated = _written(readings)
    lines = [r.fragment.line for r in readings]
    merged: list = []
    withdraw: set = set()
    starts: dict = {}
    ends: set = set()
    for g in given:
        begin = next((i for i, line in enumerate(lines) if line >= g.first), len(lines))
        end = next((i for i, line in enumerate(lines) if g.last is not None and line > g.last), len(lines))
        if begin < end:  # a network with no reading in its lines governs nothing
            starts.setdefault(begin, []).append(g)
            ends.add(end)
    for i in range(len(readings) + 1):
        if i in ends:
            withdraw.add(len(merged))
        for g in starts.get(i, ()):
            rows_read = [read_fragment(Fragment(row, 0, 0, True, None), seconds) for row in rows(g)]
            merged += [r for r in rows_read if _stands(r, g, doc, written, stated)]
        if i < len(readings):
            merged.append(readings[i])
    return Placed(merged, frozenset(withdraw))


def _quantity(e: Any) -> Optional[tuple]:
    """What a definition's left side names: its key, and its index letters (y_j is not y_k)."""
    kind = definable(e) if isinstance(e, sp.Basic) else None
    if kind not in ("symbol", "indexed"):
        return None
    return (key(e), letters_of(e) if isinstance(e, sp.Indexed) else ())


def _written(readings: Sequence[Reading]) -> tuple:
    """What the document defines, written or implied by a step, with the line; and the
    relations it states, ``(lhs, rhs, line)``."""
    defined, stated = [], []
    for r in readings:
        if r.parsed is None:
            continue
        for chain in r.parsed.chains:
            exprs = [shorthand(e) if isinstance(e, sp.Basic) else e for e in chain.exprs]
            if not chain.ops or chain.ops[0] not in DEFINING_OPS or len(exprs) < 2:
                continue
            found = implied.substituted(exprs[0], exprs[1], _NOTHING_DEFINED)
            name = _quantity(found[0] if found else exprs[0])
            if name is not None:
                defined.append((name, r.fragment.line))
            if isinstance(exprs[0], sp.Basic) and isinstance(exprs[1], sp.Basic):
                stated.append((exprs[0], exprs[1], r.fragment.line))
    return defined, stated


def _stands(r: Reading, g: GivenNetwork, doc, written: list, stated: list) -> bool:
    """Does the spec row ``r`` stand in the lines of ``g``: not what the document itself defines
    or states there?"""
    if r.parsed is None or len(r.parsed.chains) != 1 or len(r.parsed.chains[0].exprs) != 2:
        return False
    a, b = r.parsed.chains[0].exprs
    if not set(keys(a)) & set(doc.first_seen):
        return False  # the document never writes it (z_k beside its z^{i}_k): it decides nothing
    name = _quantity(a) if r.parsed.chains[0].ops[0] == ":=" else None
    if name is None:  # an assumption of the loss: the document's own statement of it stands
        same = _canonical(doc, a, b)
        return not any(g.covers(line) and _canonical(doc, x, y) == same for x, y, line in stated)
    return not any(n == name and g.covers(line) for n, line in written)


def _canonical(doc, a: sp.Basic, b: sp.Basic) -> tuple:
    from ..prover.symbolic import canonical_dummies

    return tuple(canonical_dummies(doc.sized(x)) for x in (a, b))
