"""A derivation as plain data (LaTeX and text strings): what the CLI prints and templates receive."""

from __future__ import annotations

from typing import Any, Collection, Optional

from .derive import Assumption, Derivation, Result
from .printing import latex, text
from .rules import activation as lookup_activation
from .rules import loss as lookup_loss
from .rules.steps import step_rule
from .text_printer import fits, to_ascii

_ROLE_TITLES = {
    "delta": "error signal δ = ∂E/∂u",
    "weight": "weight gradient ∂E/∂w",
    "bias": "bias gradient ∂E/∂b",
    "input": "input gradient ∂E/∂y (layer below)",
    "loss_gradient": "derivative of the loss",
    "activation_derivative": "derivative of the activation",
    "du_dw": "∂u/∂w",
    "du_db": "∂u/∂b",
    "du_dy": "∂u/∂y (layer below)",
    "preactivation": "weighted input",
    "activation": "activation",
    "loss": "loss",
    "weight_update": "update of the weights (one step)",
    "bias_update": "update of the bias (one step)",
}


#: What :func:`derivation_data` can hold: LaTeX strings, text strings, matrix forms.
PARTS = ("latex", "text", "matrix")


def result_data(r: Result, net, lang: str = "en", parts: Collection[str] = PARTS) -> dict[str, Any]:
    """One equation with its steps: LaTeX and text for each side and step, and the rule names.

    ``parts`` names the renderings to include ("latex", "text"); the others are left out.
    """
    want_latex, want_text = "latex" in parts, "text" in parts
    data: dict[str, Any] = {"name": r.name, "title": _ROLE_TITLES.get(r.name, r.name), "layer": r.layer}
    if want_latex:
        data.update(lhs=latex(r.lhs, net), rhs=latex(r.rhs, net))
    if want_text:
        data.update(lhs_text=text(r.lhs, net), rhs_text=text(r.rhs, net))
    steps = []
    for s in r.steps:
        step: dict[str, Any] = {}
        if want_latex:
            step["latex"] = latex(s.expr, net)
        if want_text:
            step["text"] = text(s.expr, net)
        step.update(rule=s.rule, rule_name=step_rule(s.rule).name(lang), detail=s.detail)
        steps.append(step)
    data["steps"] = steps
    return data


def derivation_data(d: Derivation, lang: str = "en", parts: Collection[str] = PARTS) -> dict[str, Any]:
    """The whole derivation as JSON-ready data (used by ``derive --format json`` and reports).

    ``parts`` (a subset of :data:`PARTS`) leaves out what a caller does not print:
    ``derive`` as text needs neither LaTeX nor the matrix forms.
    """
    net = d.network
    matrices: dict[int, Any] = {}
    if "matrix" in parts:
        from .matrix import matrix_forms

        matrices = {m.layer: m for m in matrix_forms(d)}
    layers = []
    for ld in d.layers:
        layer = net.layers[ld.layer]
        below = net.layers[ld.layer - 1]
        data: dict[str, Any] = {
            "layer": ld.layer,
            "output": ld.layer == net.depth,
            "index": layer.index,
            "index_below": below.index,
            "size": str(layer.size),
            "activation": layer.activation,
            "activation_latex": lookup_activation(layer.activation).latex,
            "bias": layer.bias,
            "results": [result_data(r, net, lang, parts) for r in ld.results],
            "lemmas": [result_data(r, net, lang, parts) for r in ld.lemmas],
        }
        if "matrix" in parts:
            m = matrices[ld.layer]
            data["matrix"] = {"delta": m.delta, "weight": m.weight, "bias": m.bias, "input": m.input}
        layers.append(data)
    assumptions = []
    for a in used_assumptions(d):
        item: dict[str, str] = {}
        if "latex" in parts:
            item["latex"] = f"{latex(a.lhs, net)} = {latex(a.rhs, net)}"
        if "text" in parts:
            item["text"] = f"{text(a.lhs, net)} = {text(a.rhs, net)}"
        item["rule"] = a.rule
        assumptions.append(item)
    out = {
        "title": net.title,
        "loss": net.loss,
        "loss_title": lookup_loss(net.loss).title,
        "notation": {k: getattr(net.notation, k) for k in net.notation.keys()},
        "table": [
            {"layer": n, "index": l.index, "size": str(l.size),
             "activation": l.activation, "bias": l.bias if n else None}
            for n, l in enumerate(net.layers)
        ],
        "assumptions": assumptions,
        "forward": [result_data(r, net, lang, parts) for r in d.forward],
        "layers": layers,
    }
    if d.updates:
        out["training"] = training_data(d, lang, parts)
    return out


def training_data(d: Derivation, lang: str = "en", parts: Collection[str] = PARTS) -> dict[str, Any]:
    """The ``[training]`` table and the update rules of every layer (output first): each rule with
    its steps (:func:`result_data`) and, with ``"matrix"`` in ``parts``, the batch forms."""
    from .training import step_symbol

    net = d.network
    tr = net.training
    data: dict[str, Any] = {"optimizer": tr.optimizer, "mean": tr.mean, "index": tr.index,
                            "learning_rate": str(tr.rate), "batch": str(tr.batch),
                            "step": str(step_symbol(net))}
    if "latex" in parts:
        data.update(learning_rate_latex=latex(tr.rate, net), batch_latex=latex(tr.batch, net),
                    step_latex=latex(step_symbol(net), net))
    data["layers"] = [{"layer": lu.layer, "results": [result_data(r, net, lang, parts) for r in lu.results],
                       **({"matrix": [{"quantity": m.quantity, "lhs": m.lhs, "rhs": m.rhs} for m in lu.matrix]}
                          if "matrix" in parts else {})}
                      for lu in d.updates]
    return data


def used_assumptions(d: Derivation) -> tuple[Assumption, ...]:
    """The assumptions some step of ``d`` uses (rule "assumption", the rule names in its detail).

    The loss rule states what it may need (Σ_k t_k = 1 for cross-entropy); only a derivation
    that takes that step relies on it (softmax output does, sigmoid output does not), so only
    then is it printed.
    """
    used = {name.strip()
            for ld in d.layers for r in ld.lemmas + ld.results for s in r.steps
            if s.rule == "assumption" for name in s.detail.split(",")}
    return tuple(a for a in d.assumptions if a.rule in used)


def derivation_text(d: Derivation, ascii: bool = False, encoding: Optional[str] = None) -> str:
    """A terminal rendering: per layer the closed forms, then the steps with their rules.

    Unicode maths (:mod:`symbackprop.text_printer`); ASCII with ``ascii=True``, or when the
    text cannot be written in ``encoding`` (the terminal's, e.g. ``sys.stdout.encoding``).
    """
    out = _derivation_unicode(d)
    return to_ascii(out) if ascii or not fits(out, encoding) else out


def _derivation_unicode(d: Derivation) -> str:
    data = derivation_data(d, parts=("text",))
    out = [data["title"] or "Derivation", ""]
    out.append(f"loss: {data['loss_title']} ({data['loss']})")
    for a in data["assumptions"]:
        out.append(f"assumption: {a['text']}")
    out.append("")
    out.append("forward pass:")
    for f in data["forward"]:
        out.append(f"  {f['lhs_text']} = {f['rhs_text']}")
    for layer in data["layers"]:
        kind = "output layer" if layer["output"] else "hidden layer"
        out += ["", f"Layer {layer['layer']} ({kind}, index {layer['index']}, width {layer['size']}, "
                    f"{layer['activation']}{'' if layer['bias'] else ', no bias'})"]
        for r in layer["results"]:
            out.append(f"  {r['lhs_text']} = {r['rhs_text']}")
        out.append("  steps:")
        for r in layer["lemmas"] + layer["results"]:
            out.append(_steps_text(r))
    training = data.get("training")
    if training:
        average = "mean" if training["mean"] else "sum"
        out += ["", f"Training: {training['optimizer']}, learning rate {training['learning_rate']}, "
                    f"batch {training['batch']} (index {training['index']}, {average} of the examples' losses)"]
        for layer in training["layers"]:
            out.append(f"  layer {layer['layer']}:")
            for r in layer["results"]:
                out.append(_steps_text(r))
    return "\n".join(out) + "\n"


def _steps_text(r: dict[str, Any]) -> str:
    lines = []
    pad = " " * (4 + len(r["lhs_text"]))
    for i, s in enumerate(r["steps"]):
        head = f"    {r['lhs_text']}" if i == 0 else pad
        rule = s["rule_name"] + (f": {s['detail']}" if s["detail"] else "")
        lines.append(f"{head} = {s['text']}    [{rule}]")
    return "\n".join(lines)


def derivation_latex_document(d: Derivation) -> str:
    """The closed forms and their steps as LaTeX ``align*`` blocks (no preamble)."""
    data = derivation_data(d, parts=("latex",))
    out = []
    for layer in data["layers"]:
        out.append(rf"% layer {layer['layer']}")
        for r in layer["lemmas"] + layer["results"]:
            rows = []
            for i, s in enumerate(r["steps"]):
                lhs = r["lhs"] if i == 0 else ""
                rule = s["rule_name"].replace("_", r"\_")
                rows.append(rf"{lhs} &= {s['latex']} && \text{{({rule})}}")
            out.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(out) + "\n"
