r"""The network a document describes, as a spec (``check DOC --show-network``).

From the document's definitions (in document order) the layers are read:

* a **pre-activation** ``P_j := Σ_i W_{ij} Q_i (+ B_j)`` gives a layer with index ``j`` fed by
  the quantity ``Q`` of the layer with index ``i``, the weight letter and its index order
  (``W_{ij}``: from i to j, ``from_to``), and whether it has a bias;
* an **activation** ``A_j := F(P_j)`` names the layer's activation when ``F(P_j)`` equals one of
  the core's activation rules (proved by the prover, not matched by eye: σ, tanh, ReLU,
  softplus, identity, softmax); an unspecified ``φ_l`` is said to be generic;
* the **loss** ``E := …`` is named when it equals one of the core's losses for the output
  layer's activation and the target letter (sse, mse, cross-entropy, binary cross-entropy).

Each layer and the loss say which lines they rest on; what cannot be read is said in a
comment, never guessed.  A document that describes several networks one after another (a
regression section, then a classification section on the same layers) gives each with the
lines it governs (:func:`networks`).  The spec prints as the TOML the core reads (``derive``,
``verify``; checker/network_toml.py), so a user can correct it and check the document against
it (``--network``, checker/given.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..rules import ACTIVATIONS, LOSSES
from .decide import decide
from .labels import split
from .names import key

#: Seconds for each comparison with a rule.
RULE_SECONDS = 1.0


@dataclass
class Layer:
    index: str
    name: str = ""                 # the pre-activation's name (u, z^{l})
    fed_by: str = ""               # the index letter of the layer below
    inputs: str = ""               # the name of the quantity fed in (x, y, a^{l-1})
    weight: str = ""
    weight_order: str = ""
    bias: Optional[bool] = None
    activation: str = ""           # a rule name, "generic", or "" (not read)
    output: str = ""               # the activation's name (y, a^{l})
    lines: list = field(default_factory=list)
    labelled: bool = False         # written for a general layer (z^{l}): one instance of many


@dataclass
class NetworkModel:
    layers: list = field(default_factory=list)
    loss: str = ""
    loss_line: Optional[int] = None
    notes: list = field(default_factory=list)
    lines: Optional[tuple] = None  # (first, last): the lines it governs, where a document describes several

    def to_toml(self, source: str = "") -> str:
        """The spec TOML (checker/network_toml.py), each item with the lines it rests on."""
        from .network_toml import model_toml

        return model_toml(self, source)


def _name(e: sp.Basic) -> str:
    k = key(e) or ""
    parts = split(k)
    return parts[0] if parts else k


#: Names of error signals: their recursions (δ_j = Σ_k w_jk δ_k) have the shape of a layer's sum
#: but run backwards.
ERROR_SIGNALS = ("delta", "Delta", "xi", "Xi", "epsilon", "varepsilon")


def preactivation(d) -> Optional[Layer]:
    """The layer a definition ``P_j := Σ_i W_{ij} Q_i (+ B_j)`` gives (a pre-activation: a sum over
    the layer below, weighted, with at most a bias beside it), or None."""
    lhs, rhs = d.lhs, d.rhs
    if any(_name(a).lstrip("\\").startswith(ERROR_SIGNALS) for a in (lhs, *rhs.atoms(sp.Indexed))) \
            or rhs.has(sp.Derivative):
        return None
    if not (isinstance(lhs, sp.Indexed) and len(lhs.indices) == 1 and isinstance(lhs.indices[0], sp.Symbol)):
        return None
    j = lhs.indices[0]
    sums = [t for t in sp.Add.make_args(rhs) if isinstance(t, sp.Sum) and len(t.limits) == 1]
    rest = [t for t in sp.Add.make_args(rhs) if t not in sums]
    if len(sums) != 1 or len(rest) > 1:
        return None
    s = sums[0]
    i = s.limits[0][0]
    ws = [a for a in s.function.atoms(sp.Indexed) if set(a.indices) == {i, j} and len(a.indices) == 2]
    qs = [a for a in s.function.atoms(sp.Indexed) if a.indices == (i,)]
    if len(ws) != 1 or len(qs) != 1 or s.function != ws[0] * qs[0]:
        return None
    bias = None
    if rest:
        if not (isinstance(rest[0], sp.Indexed) and rest[0].indices == (j,)):
            return None
        bias = True
    return Layer(str(j), _name(lhs), str(i), _name(qs[0]), _name(ws[0]),
                 "from_to" if ws[0].indices == (i, j) else "to_from", bias if bias else False, lines=[d.line],
                 labelled=split(key(lhs) or "") is not None)


def _same_layer(a: Layer, b: Layer) -> bool:
    """Two pre-activations that differ only in the letter of their own layer."""
    return (a.name, a.fed_by, a.inputs, a.weight, a.weight_order, a.bias) == \
        (b.name, b.fed_by, b.inputs, b.weight, b.weight_order, b.bias)


def _activation(rhs: sp.Basic, pre: sp.Indexed, seconds: float) -> str:
    if isinstance(rhs, AppliedUndef) and rhs.args == (pre,):
        return "generic"
    j = pre.indices[0]
    jj = sp.Dummy("j", integer=True)
    n = sp.Dummy("n", integer=True, positive=True)
    for name in sorted(ACTIVATIONS):
        rule = ACTIVATIONS[name]
        try:
            want = rule.function(pre) if rule.elementwise else rule.vector_function(pre.base, j, jj, n)
        except (TypeError, ValueError, AttributeError):
            continue
        if not rule.elementwise:  # Σ over the layer (softmax): the document's own bound
            sums = list(rhs.atoms(sp.Sum))
            if len(sums) != 1:
                continue
            want = want.xreplace({n: sums[0].limits[0][2]})
        if decide(rhs, want, (), seconds, refute=False).verdict.proved:
            return name
    return ""


def _loss(rhs: sp.Basic, output: sp.IndexedBase, target: sp.IndexedBase, seconds: float) -> str:
    sums = list(rhs.atoms(sp.Sum))
    if not sums:
        return ""
    k, _lo, n = sums[0].limits[0]
    for name in sorted(LOSSES):
        want = LOSSES[name].function(output, target, k, n)
        if decide(rhs, want, (), seconds, refute=False).verdict.proved:
            return name
    return ""


def infer(definitions, seconds: float = RULE_SECONDS) -> NetworkModel:
    """The network of the ``definitions`` (in document order) — see the module docstring: the last
    one in force where the document describes several, with a note for each change."""
    found = networks(definitions, seconds)
    last = found[-1]
    notes = list(dict.fromkeys(n for m in found for n in m.notes))
    return NetworkModel(last.layers, last.loss, last.loss_line, notes)


def networks(definitions, seconds: float = RULE_SECONDS, last_line: Optional[int] = None) -> list:
    """Every network the ``definitions`` describe, one after another, each with the lines it
    governs (:attr:`NetworkModel.lines`).

    A document may describe several networks on one set of layers (a regression section with an
    identity output and ½SSE, then a classification section with softmax and cross-entropy).  A
    new network begins at a definition that gives an item (a layer's activation, the loss) a rule
    other than the one the current network has already given it; an item the current network has
    not given yet takes its rule without a new network (the loss at line 201 begins the
    classifier, its softmax at line 205 belongs to it).  Each network governs the lines from where
    it begins to the line before the next one begins: definitions hold until replaced, so the
    lines between hold the earlier network's claims."""
    layers, notes = _layers(definitions)
    if not layers:
        return [NetworkModel(notes=notes + [_found(definitions)])]
    order = _ordered(layers)
    if order is None:
        return [NetworkModel(layers, notes=notes + ["the layers do not form one chain (each fed by the one below)"])]
    if any(x.labelled for x in order):
        notes.append("the document writes a general layer (a layer label): one instance is shown; "
                     "write out as many layers as the network has, each with its activation")
    events = _activations(definitions, {(x.name, x.index): x for x in order}, seconds)
    outputs = [e.output for e in events if order and e.item == ("activation", order[-1].index)]
    if outputs:
        events += _losses(definitions, outputs[-1], seconds)
    return _split(order, sorted(events, key=lambda e: e.line), notes, last_line or _last_line(definitions))


@dataclass(frozen=True)
class _Event:
    """A definition that gives an item (``("activation", j)`` or ``("loss",)``) a rule ("" unread)."""

    line: int
    item: tuple
    rule: str
    output: str = ""


def _layers(definitions) -> tuple[list, list]:
    """The pre-activations (one layer per index letter) and the notes on what was merged."""
    layers: list = []
    notes: list = []
    for d in definitions:
        layer = preactivation(d) if getattr(d, "shape", "") == "indexed" else None
        same = next((x for x in layers if layer is not None and _same_layer(x, layer)), None)
        if same is not None and same.index != layer.index:  # u_r = Σ_j y_j w_jr + b_r beside u_k
            notes.append(f"{layer.name}_{layer.index} (line {d.line}) is {same.name}_{same.index} "
                         f"written with the letter {layer.index}: one layer")
        elif layer is not None and layer.index not in {x.index for x in layers}:
            layers.append(layer)
    return layers, notes


def _activations(definitions, by_name: dict, seconds: float) -> list:
    """``A_j := F(P_j)`` for a pre-activation ``P_j`` read: the rule F is (proved), in order."""
    out = []
    for d in definitions:
        if getattr(d, "shape", "") != "indexed" or not isinstance(d.lhs, sp.Indexed) or len(d.lhs.indices) != 1:
            continue
        pres = [a for a in d.rhs.atoms(sp.Indexed) if (_name(a), str(a.indices[0])) in by_name and len(a.indices) == 1]
        if len({(_name(a), str(a.indices[0])) for a in pres}) != 1 or str(d.lhs.indices[0]) != str(pres[0].indices[0]):
            continue
        if d.rhs.has(sp.Derivative) or _name(d.lhs).lstrip("\\").startswith(ERROR_SIGNALS):
            continue  # δ_k := ∂E/∂u_k names a derivative, not an activation
        layer = by_name[(_name(pres[0]), str(pres[0].indices[0]))]
        out.append(_Event(d.line, ("activation", layer.index), _activation(d.rhs, pres[0], seconds) or "unread",
                          _name(d.lhs)))
    return out


def _losses(definitions, output: str, seconds: float) -> list:
    """``E := …`` of the output ``output`` and a target: the loss rule it is (proved), in order."""
    out = []
    for d in definitions:
        if getattr(d, "shape", "") != "symbol":
            continue
        target = next((a.base for a in d.rhs.atoms(sp.Indexed) if _name(a) not in (output,)), None)
        outputs = [a.base for a in d.rhs.atoms(sp.Indexed) if _name(a) == output]
        if target is not None and outputs:
            out.append(_Event(d.line, ("loss",), _loss(d.rhs, outputs[0], target, seconds)))
    return out


def _split(order: list, events: list, notes: list, last_line: int) -> list:
    """The networks the ``events`` describe on the layers ``order`` (see :func:`networks`)."""
    state: dict = {}     # item → (rule, lines, output) in force
    given: set = set()   # the items the current network has given
    begins, own, found = 1, [], []
    for e in events:
        old = state.get(e.item)
        what = f"the layer {e.item[1]} the activation" if e.item[0] == "activation" else "the loss"
        if old is not None and e.item in given and old[0] != e.rule:
            earlier = f"lines {', '.join(map(str, old[1]))}" if len(old[1]) > 1 else f"line {old[1][0]}"
            if _known(old[0]) and _known(e.rule):  # a rule replaced by another: another network
                found.append(_model(order, state, notes + own, (begins, e.line - 1)))
                begins, own, given = e.line, [], set()
                own.append(f"line {e.line} gives {what} {e.rule}, after {old[0]} ({earlier}): "
                           f"the document describes another network from line {e.line}")
            else:
                own.append(f"line {e.line} gives {what} {_said(e.rule)}, after {_said(old[0])} ({earlier}); "
                           "the last is shown")
        elif old is not None and old[0] != e.rule:  # given by the network before: this one's own
            own.append(f"line {e.line} gives {what} {_said(e.rule)}, after {_said(old[0])} "
                       f"(line {old[1][-1]}) in the network before")
        same = old is not None and old[0] == e.rule and e.item in given
        state[e.item] = (e.rule, sorted(set(old[1]) | {e.line}) if same else [e.line], e.output)
        given.add(e.item)
    found.append(_model(order, state, notes + own, (begins, max(last_line, begins))))
    return found


#: How many of the definitions found a network without layers names.
FOUND_SHOWN = 8


def _found(definitions) -> str:
    """What the document defines, where no layer could be read from it (what was found; the
    TOML's comment says what is missing)."""
    shown = [f"{sp.latex(d.lhs)} (line {d.line})" for d in list(definitions)[:FOUND_SHOWN]]
    if not shown:
        return "found no definition (nothing written as q = … first, nor implied by a step)"
    more = f" and {len(definitions) - FOUND_SHOWN} more" if len(definitions) > FOUND_SHOWN else ""
    return f"found the definitions of {', '.join(shown)}{more}: none is a layer's pre-activation"


def _known(rule: str) -> bool:
    return rule in ACTIVATIONS or rule in LOSSES


def _said(rule: str) -> str:
    return rule if _known(rule) else "another one"


def _model(order: list, state: dict, notes: list, lines: tuple) -> NetworkModel:
    """One network: the layers with the activations in force, the loss in force, its lines."""
    layers = []
    for x in order:
        rule, at, output = state.get(("activation", x.index), ("", [], ""))
        layers.append(replace(x, activation=rule, output=output or x.output,
                              lines=sorted(set(x.lines) | set(at))))
    loss, at, _ = state.get(("loss",), ("", [], ""))
    return NetworkModel(layers, loss if _known(loss) else "", at[-1] if _known(loss) else None, list(notes),
                        lines)


def _last_line(definitions) -> int:
    return max((d.line for d in definitions), default=1)


def _ordered(layers: list) -> Optional[list]:
    """The layers from the input up: each fed by the one before it."""
    if not layers:
        return []
    by_index = {x.index: x for x in layers}
    firsts = [x for x in layers if x.fed_by not in by_index]
    if len(firsts) != 1:
        return None
    out = [firsts[0]]
    while len(out) < len(layers):
        nxt = [x for x in layers if x.fed_by == out[-1].index]
        if len(nxt) != 1:
            return None
        out.append(nxt[0])
    return out
