"""The derivation report's data: the network table, the forward pass, each layer's lemmas and
results with their rules, the batch (matrix) summary and the title, in the report's language.

The verification section comes from :func:`.verification_context.verification_context`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from ..derive import Derivation
from ..matrix import batch_entries, batch_factor, example_letters, matrix_letter
from ..present import derivation_data
from ..printing import latex
from .context import as_rich, fill, messages
from .verification_context import verification_context


def layer_name(m: Mapping[str, Any], n: int, depth: int) -> str:
    """Input layer, hidden layer (numbered when there are several), output layer."""
    names = m["layer_names"]
    if n == 0:
        return names["input"]
    if n == depth:
        return names["output"]
    return names["hidden"] if depth == 2 else fill(names["hidden_n"], n=str(n))


def rule_rich(m: Mapping[str, Any], step: Mapping[str, Any]) -> str:
    """The rule of one step as rich text: its name and, when given, which identity or assumption."""
    text = as_rich(step["rule_name"])
    if step.get("detail"):
        parts = [m["details"].get(p.strip(), as_rich(p.strip())) for p in step["detail"].split(",")]
        text += m["colon"] + ", ".join(parts)
    return text


def _block(m: Mapping[str, Any], r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": r["name"],
        "title": m["roles"].get(r["name"], r["name"]),
        "lhs": r["lhs"],
        "rhs": r["rhs"],
        "steps": [{"latex": s["latex"], "rule_rich": rule_rich(m, s)} for s in r["steps"]],
    }


def _braced(s: str) -> str:
    return "{" + s + "}" if "^" in s else s


def matrix_lhs(d: Derivation, n: int) -> dict[str, str]:
    """The left-hand sides of the batch formulas of layer ``n`` (Δ, ∂E/∂W, ∂E/∂b, ∂E/∂Y below),
    in the letters :mod:`symbackprop.matrix` uses for the right-hand sides."""
    nt = d.network.notation
    sup = f"^{{({n})}}"
    below = matrix_letter(nt.input) if n == 1 else matrix_letter(nt.activation) + f"^{{({n - 1})}}"
    E = nt.loss

    def grad(x: str) -> str:
        return rf"\frac{{\partial {E}}}{{\partial {_braced(x)}}}"

    return {
        "delta": _braced(matrix_letter(nt.delta) + sup),
        "weight": grad(matrix_letter(nt.weight) + sup),
        "bias": grad(nt.bias + sup),
        "input": grad(below),
    }


def derivation_context(d: Derivation, lang: str, verification: Optional[Mapping[str, Any]] = None,
                       verification_note: str = "", source: str = "") -> dict[str, Any]:
    """Everything the derivation templates print, in ``lang``.

    ``verification`` is the JSON of a :class:`~symbackprop.verify.VerificationReport`
    (or None, then ``verification_note`` — a key of ``messages.verification`` or a
    text — says why there is none).  ``source`` names the spec in the header comment.
    """
    m = messages(lang)
    data = derivation_data(d, lang)
    net = d.network
    depth = net.depth
    sizes = [latex(s.size, net) for s in net.symbols]

    table = []
    for row in data["table"]:
        n = row["layer"]
        table.append({
            "layer": n,
            "name": layer_name(m, n, depth),
            "index_latex": row["index"],
            "size_latex": sizes[n],
            "activation": m["activations"].get(row["activation"], row["activation"]) if n else None,
            "bias": None if n == 0 else (m["derivation"]["yes"] if row["bias"] else m["derivation"]["no"]),
        })

    layers = []
    for ld in data["layers"]:
        n = ld["layer"]
        results = {r["name"]: r for r in ld["results"]}
        mlhs = matrix_lhs(d, n)
        matrix_rows = [{"lhs": mlhs[q], "rhs": ld["matrix"][q]}
                       for q in ("delta", "weight", "bias", "input") if ld["matrix"].get(q)]
        activation = m["activations"].get(ld["activation"], ld["activation"])
        intro = fill(m["derivation"]["layer_intro"], activation=as_rich(activation),
                     index=ld["index"], size=sizes[n],
                     bias="" if ld["bias"] else m["derivation"]["layer_no_bias"])
        if ld["activation"] in m["derivation"]["activation_notes"]:  # ReLU: off the kink, H the step
            u = f"{d.network.notation.preactivation}_{{{ld['index']}}}"
            intro += " " + fill(m["derivation"]["activation_notes"][ld["activation"]], u=u)
        shown = " ".join(row["rhs"] for row in matrix_rows)
        entries = batch_entries(d, n, shown + " " + " ".join(row["lhs"] for row in matrix_rows))
        note = ("odot" if r"\odot" in shown else "") + ("ones" if r"\mathbf{1}" in shown else "")
        layers.append({
            "layer": n,
            "output": ld["output"],
            "matrix_note_rich": m["derivation"]["matrix_note_" + (note or "plain") + ("_mean" if batch_factor(net) else "")],
            "batch_entries": [{"lhs": lhs, "rhs": rhs} for lhs, rhs in entries],
            "batch_entries_rich": fill(m["derivation"]["batch_entries"], p=example_letters(net)[0]),
            "heading": fill(m["derivation"]["layer_heading"], n=str(n), name=layer_name(m, n, depth)),
            "intro_rich": intro,
            "lemmas": [_block(m, r) for r in ld["lemmas"]],
            "results": [_block(m, r) for r in ld["results"]],
            "summary": {
                "index": [{"lhs": r["lhs"], "rhs": r["rhs"]} for r in results.values()],
                "matrix": matrix_rows,
            },
        })

    lhs_of = {(ld["layer"], r["name"]): r["lhs"] for ld in data["layers"] for r in ld["results"]}
    training = training_context(m, data.get("training"), depth)
    if training:
        lhs_of.update({(layer["layer"], b["name"]): b["lhs"] for layer in training["layers"]
                       for b in layer["results"]})
    biases = {bool(ld["bias"]) for ld in data["layers"]}
    prose = "all" if biases == {True} else "none" if biases == {False} else "some"
    title, spec_title = derivation_title(m, lang, data, depth)
    return {
        "lang": lang,
        "m": m,
        "generated_by": fill(m["generated_by"], source=(source or m["unnamed_source"]) + spec_title),
        "title": title,
        "intro_rich": m["derivation"]["intro_" + prose],
        "forward_intro_rich": m["derivation"]["forward_intro_" + prose],
        "loss_rich": fill(m["derivation"]["loss_intro"],
                          loss=as_rich(m["losses"].get(data["loss"], data["loss_title"]))),
        "assumptions": [a["latex"] for a in data["assumptions"]],
        "table": table,
        "loss": [{"lhs": f["lhs"], "rhs": f["rhs"]} for f in data["forward"] if f["name"] == "loss"],
        "forward": [{"layer": f["layer"], "name": f["name"], "lhs": f["lhs"], "rhs": f["rhs"]}
                    for f in data["forward"] if f["name"] != "loss"],
        "layers": layers,
        "training": training,
        "verification": verification_context(m, net, verification, verification_note, lhs_of, lang),
    }


def training_context(m: Mapping[str, Any], data: Optional[Mapping[str, Any]], depth: int
                     ) -> Optional[dict[str, Any]]:
    """The training section (a spec with ``[training]``; None without): what one step of gradient
    descent does, then per layer the update rules with their steps and their batch form."""
    if not data:
        return None
    mt = m["training"]
    intro = fill(mt["intro_mean" if data["mean"] else "intro_sum"], rate=data["learning_rate_latex"],
                 batch=data["batch_latex"], index=data["index"], step=data["step_latex"])
    layers = []
    for layer in data["layers"]:
        n = layer["layer"]
        layers.append({
            "layer": n,
            "heading": fill(m["derivation"]["layer_heading"], n=str(n), name=layer_name(m, n, depth)),
            "results": [_block(m, r) for r in layer["results"]],
            "matrix": [{"lhs": x["lhs"], "rhs": x["rhs"]} for x in layer["matrix"]],
        })
    return {"heading": mt["heading"], "intro_rich": intro, "rules_intro_rich": mt["rules_intro"],
            "matrix_intro_rich": mt["matrix_intro"], "layers": layers}


_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


def derivation_title(m: Mapping[str, Any], lang: str, data: Mapping[str, Any], depth: int) -> tuple[str, str]:
    """(the report's title, the spec's own title for the header comment when it is not shown).

    The spec's title is shown when it is written in the report's language (any title in
    English; a title with Japanese in it in Japanese); otherwise, and when the spec has none,
    the title says what the network is, from its layers and loss."""
    own = (data.get("title") or "").strip()
    if own and (lang == "en" or _JAPANESE.search(own)):
        return own, ""
    md = m["derivation"]
    acts = [m["activations"].get(ld["activation"], ld["activation"]) for ld in data["layers"]]
    output, hidden = acts[0] if data["layers"][0]["output"] else acts[-1], []
    for ld, name in sorted(zip(data["layers"], acts), key=lambda p: p[0]["layer"]):
        if not ld["output"] and name not in hidden:
            hidden.append(name)
    loss = m["losses"].get(data["loss"], data["loss_title"])
    key = "title_from_network" if hidden else "title_from_network_no_hidden"
    title = fill(md[key], layers=str(depth + 1), hidden=md["title_list_separator"].join(hidden),
                 output=output, loss=loss)
    return title, (fill(md["spec_title"], title=own) if own else "")
