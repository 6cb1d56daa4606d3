r"""The networks a document describes, printed as spec TOML (``check DOC --show-network``).

One network prints as exactly the spec the core reads (``derive``, ``verify``): a user can copy
it into ``derivations/``.  A document that describes several networks one after another
(checker/network_model.networks) prints an array of them, each a spec table with the lines it
governs::

    [[networks]]
    lines = [1, 200]              # its forward pass and loss hold for these lines only
    title = "…"
    loss = "sse"                  # line 153
    [[networks.layers]]           # the input
    …
    [networks.notation]
    …

``check --network`` reads both forms back (checker/given.py); ``derive`` reads one network, so a
table of the array is what it takes.  A document with no layer prints ``networks = []``: nothing
to give back, and said so.  Every item keeps the comment that names the lines it rests on, and
whatever could not be read is a comment saying why, never a guess.
"""

from __future__ import annotations

from typing import Sequence

from ..rules import ACTIVATIONS

#: What no layer means, in the TOML's comment.
NO_LAYER = "# no layer could be read: no definition of the form u_j = Σ_i w_ij x_i (+ b_j)"


def model_toml(model, source: str = "") -> str:
    """The spec TOML of one network ``model``, each item with the lines it rests on; what is
    unknown says so."""
    doc = source or "the document"
    head = [f"# The network {doc} describes, as read by symbackprop check --show-network.",
            "# Correct what is wrong and give it back with --network."]
    if not model.layers:
        return "\n".join(head + [f'title = "Network of {doc}"', NO_LAYER]) + "\n"
    return "\n".join(head + _spec(model, f"Network of {doc}", "")) + "\n"


def networks_toml(models: Sequence, source: str = "") -> str:
    """The spec TOML of the networks a document describes: one network as :func:`model_toml`,
    several as an array of spec tables with their lines, none as ``networks = []``."""
    doc = source or "the document"
    if len(models) == 1 and models[0].layers:
        return model_toml(models[0], source)
    if not any(m.layers for m in models):
        notes = [f"# {n}" for m in models for n in m.notes]
        return "\n".join([f"# The network {doc} describes, as read by symbackprop check --show-network.",
                          NO_LAYER, *notes,
                          "networks = []          # nothing to give back with --network"]) + "\n"
    out = [f"# The networks {doc} describes, one after another, as read by symbackprop check --show-network.",
           "# Each [[networks]] table is a spec (the keys derive reads) with the lines it governs:",
           "# its forward pass and loss are definitions for the claims of those lines only.",
           "# Correct what is wrong and give it back with --network (derive takes one table)."]
    for m in models:
        first, last = m.lines
        out += ["", "[[networks]]", f"lines = [{first}, {last}]",
                *_spec(m, f"Network of {doc}, lines {first}-{last}", "networks.")]
    return "\n".join(out) + "\n"


def _spec(model, title: str, prefix: str) -> list:
    """The lines of one spec table (its keys under ``prefix``: "" or "networks.")."""
    lines = [f'title = "{title}"']
    lines.append(f'loss = "{model.loss}"' + (f"  # line {model.loss_line}" if model.loss else "")
                 if model.loss else '# loss = ?  (E is not defined in the document, or not as a known loss)')
    first = model.layers[0]
    table = f"[[{prefix}layers]]".ljust(23)
    lines += ["", f"{table} # the input", f'size = "n_{first.fed_by}"', f'index = "{first.fed_by}"']
    for x in model.layers:
        where = f"line{'s' if len(x.lines) > 1 else ''} {', '.join(map(str, x.lines))}"
        lines += ["", f"{table} # {where}", f'size = "n_{x.index}"', f'index = "{x.index}"']
        if x.activation in ACTIVATIONS:
            lines.append(f'activation = "{x.activation}"')
        else:
            lines.append("# activation = ?  (" + ("left generic in the document: choose one" if x.activation == "generic"
                                                 else "not read from the document") + ")")
        if x.bias is False:
            lines.append("bias = false")
    orders = {x.weight_order for x in model.layers}
    lines += ["", f"[{prefix}notation]"]
    if len(orders) == 1:
        lines.append(f'weight_order = "{orders.pop()}"')
    for role, value in (("weight", first.weight), ("preactivation", first.name),
                        ("input", first.inputs), ("activation", model.layers[-1].output)):
        if value and value.isalpha():
            lines.append(f'{role} = "{value}"')
    lines += [f"# {n}" for n in model.notes]
    return lines
