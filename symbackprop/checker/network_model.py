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
comment, never guessed.  The spec prints as the TOML the core reads (``derive``, ``verify``),
so a user can correct it and check the document against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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

    def to_toml(self, source: str = "") -> str:
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
    """The network of the ``definitions`` (in document order) — see the module docstring."""
    model = NetworkModel()
    by_name: dict = {}
    for d in definitions:
        layer = preactivation(d) if getattr(d, "shape", "") == "indexed" else None
        same = next((x for x in model.layers if layer is not None and _same_layer(x, layer)), None)
        if same is not None and same.index != layer.index:  # u_r = Σ_j y_j w_jr + b_r beside u_k
            model.notes.append(f"{layer.name}_{layer.index} (line {d.line}) is {same.name}_{same.index} "
                               f"written with the letter {layer.index}: one layer")
        elif layer is not None and layer.index not in {x.index for x in model.layers}:
            model.layers.append(layer)
            by_name[(layer.name, layer.index)] = layer
    for d in definitions:
        if getattr(d, "shape", "") != "indexed" or not isinstance(d.lhs, sp.Indexed) or len(d.lhs.indices) != 1:
            continue
        pres = [a for a in d.rhs.atoms(sp.Indexed) if (_name(a), str(a.indices[0])) in by_name and len(a.indices) == 1]
        if len({(_name(a), str(a.indices[0])) for a in pres}) != 1 or str(d.lhs.indices[0]) != str(pres[0].indices[0]):
            continue
        if d.rhs.has(sp.Derivative) or _name(d.lhs).lstrip("\\").startswith(ERROR_SIGNALS):
            continue  # δ_k := ∂E/∂u_k names a derivative, not an activation
        layer = by_name[(_name(pres[0]), str(pres[0].indices[0]))]
        found = _activation(d.rhs, pres[0], seconds) or "unread"
        if layer.activation not in ("", "unread", found):  # the last one in force is shown
            model.notes.append(f"line {d.line} gives the layer {layer.index} the activation {found}, "
                               f"after {layer.activation} (lines {', '.join(map(str, layer.lines))}): "
                               "the document describes more than one network; the last is shown")
        layer.activation, layer.output = found, _name(d.lhs)
        layer.lines = sorted(set(layer.lines) | {d.line})
    order = _ordered(model.layers)
    if order is None:
        model.notes.append("the layers do not form one chain (each fed by the one below)")
        return model
    model.layers = order
    if any(x.labelled for x in order):
        model.notes.append("the document writes a general layer (a layer label): one instance is shown; "
                           "write out as many layers as the network has, each with its activation")
    out = model.layers[-1] if model.layers else None
    for d in definitions:
        if getattr(d, "shape", "") == "symbol" and out is not None and out.output:
            target = next((a.base for a in d.rhs.atoms(sp.Indexed) if _name(a) not in (out.output,)), None)
            outputs = [a.base for a in d.rhs.atoms(sp.Indexed) if _name(a) == out.output]
            if target is not None and outputs:
                found = _loss(d.rhs, outputs[0], target, seconds)
                if model.loss and found != model.loss:
                    model.notes.append(f"line {d.line} gives the loss {found or 'another one'}, after "
                                       f"{model.loss} (line {model.loss_line}); the last is shown")
                model.loss, model.loss_line = found, (d.line if found else None)
    return model


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


def model_toml(model: NetworkModel, source: str = "") -> str:
    """The spec TOML of ``model``, each item with the lines it rests on; what is unknown says so."""
    lines = [f"# The network {source or 'the document'} describes, as read by symbackprop check --show-network.",
             "# Correct what is wrong and give it back with --network.",
             f'title = "Network of {source or "the document"}"']
    if not model.layers:
        lines.append("# no layer could be read: no definition of the form u_j = Σ_i w_ij x_i (+ b_j)")
        return "\n".join(lines) + "\n"
    lines.append(f'loss = "{model.loss}"' + (f"  # line {model.loss_line}" if model.loss else "")
                 if model.loss else '# loss = ?  (E is not defined in the document, or not as a known loss)')
    first = model.layers[0]
    lines += ["", "[[layers]]              # the input", f'size = "n_{first.fed_by}"', f'index = "{first.fed_by}"']
    for x in model.layers:
        where = f"line{'s' if len(x.lines) > 1 else ''} {', '.join(map(str, x.lines))}"
        lines += ["", f"[[layers]]              # {where}",
                  f'size = "n_{x.index}"', f'index = "{x.index}"']
        if x.activation in ACTIVATIONS:
            lines.append(f'activation = "{x.activation}"')
        else:
            lines.append("# activation = ?  (" + ("left generic in the document: choose one" if x.activation == "generic"
                                                 else "not read from the document") + ")")
        if x.bias is False:
            lines.append("bias = false")
    orders = {x.weight_order for x in model.layers}
    lines += ["", "[notation]"]
    if len(orders) == 1:
        lines.append(f'weight_order = "{orders.pop()}"')
    for role, value in (("weight", first.weight), ("preactivation", first.name),
                        ("input", first.inputs), ("activation", model.layers[-1].output)):
        if value and value.isalpha():
            lines.append(f'{role} = "{value}"')
    lines += [f"# {n}" for n in model.notes]
    return "\n".join(lines) + "\n"


def spec_fragments(network) -> list:
    """The forward pass and the loss of a spec ``network`` (the core's derivation, printed in its
    ``[notation]``) as definitions ahead of a document, and the loss's assumptions (Σ_k t_k = 1
    for cross-entropy): ``check DOC --network SPEC.toml`` checks the document against them.
    Their line is 0 (not the document's); what they give is reported as "definition"."""
    from ..derive import derive
    from ..latex.extract import Fragment
    from ..printing import latex

    def tex(e) -> str:  # Σ over a whole layer written as the document's own Σ_k (its width n_{k})
        return _WHOLE_LAYER_SUM.sub(lambda m: rf"\sum_{{{m.group(1)}}}", latex(e, network))

    d = derive(network)
    rows = [f"{tex(r.lhs)} := {tex(r.rhs)}" for r in d.forward]
    rows += [f"{tex(a.lhs)} = {tex(a.rhs)}" for a in d.assumptions]
    return [Fragment(row, 0, 0, True, None) for row in rows]


_WHOLE_LAYER_SUM = re.compile(r"\\sum_\{([A-Za-z]'*)=1\}\^\{(?:[^{}]|\{[^{}]*\})*\}")
