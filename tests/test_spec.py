"""Spec (TOML) → Network: every bad spec gives one line naming file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symbackprop.errors import SpecError
from symbackprop.model import Network
from symbackprop.spec import from_dict, load, loads

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"

INPUT = '[[layers]]\nsize = "l"\nindex = "i"\n'
HIDDEN = '[[layers]]\nsize = "m"\nindex = "j"\nactivation = "sigmoid"\n'
OUTPUT = '[[layers]]\nsize = "n"\nindex = "k"\nactivation = "softmax"\n'
HEAD = 'title = "t"\nloss = "cross_entropy"\n'
GOOD = HEAD + INPUT + HIDDEN + OUTPUT

TRAINING = '[training]\nindex = "s"\nlearning_rate = "eta"\nbatch = "N"\n'
ACTS = "allowed: identity, relu, sigmoid, softmax, softplus, tanh"
LOSSES = "allowed: binary_cross_entropy, cross_entropy, mse, sse"


def layer(**kv: str) -> str:
    """A [[layers]] table from raw TOML values."""
    return "[[layers]]\n" + "".join(f"{k} = {v}\n" for k, v in kv.items())


# (id, TOML text, key path, fragments the message must contain)
BAD = [
    ("syntax", 'loss = "sse"\ntitle = = 1\n', "(syntax)", ["invalid TOML", "(at line 2, column 9)"]),
    ("syntax-duplicate-key", 'loss = "sse"\nloss = "mse"\n', "(syntax)", ["invalid TOML", "line 2"]),
    ("syntax-col", "loss sse\n", "(syntax)", ["invalid TOML", "(at line 1, column 6)"]),
    ("missing-loss", 'title = "t"\n' + INPUT + HIDDEN, "loss", ["missing", LOSSES]),
    ("unknown-loss", 'loss = "hinge"\n' + INPUT + HIDDEN, "loss", ["unknown loss 'hinge'", LOSSES]),
    ("loss-not-string", "loss = 3\n" + INPUT + HIDDEN, "loss", ["must be a string", LOSSES]),
    ("missing-layers", HEAD, "layers", ["missing", "[[layers]]"]),
    ("layers-not-array", HEAD + "layers = 3\n", "layers", ["array of tables", "integer 3"]),
    ("one-layer", HEAD + INPUT, "layers", ["1 layer(s) given", "at least one layer above"]),
    ("no-layers", HEAD + "layers = []\n", "layers", ["0 layer(s) given"]),
    ("layer-not-table", HEAD + 'layers = [{size = "l", index = "i"}, 7]\n', "layers[1]",
     ["must be a table", "integer 7"]),
    ("missing-size", HEAD + INPUT + layer(index='"j"', activation='"tanh"'), "layers[1].size",
     ["missing", "positive integer"]),
    ("size-zero", HEAD + INPUT + layer(size="0", index='"j"', activation='"tanh"'),
     "layers[1].size", ["must be positive, not 0"]),
    ("size-negative", HEAD + layer(size="-3", index='"i"') + HIDDEN, "layers[0].size",
     ["must be positive, not -3"]),
    ("size-float", HEAD + INPUT + layer(size="2.5", index='"j"', activation='"tanh"'),
     "layers[1].size", ["whole number", "2.5"]),
    ("size-bool", HEAD + INPUT + layer(size="true", index='"j"', activation='"tanh"'),
     "layers[1].size", ["not a boolean (true)"]),
    ("size-array", HEAD + INPUT + layer(size="[3]", index='"j"', activation='"tanh"'),
     "layers[1].size", ["positive integer or a symbol name", "array"]),
    ("size-not-identifier", HEAD + INPUT + layer(size='"2m"', index='"j"', activation='"tanh"'),
     "layers[1].size", ["'2m' is not a symbol name"]),
    ("size-quoted-number", HEAD + INPUT + layer(size='"3"', index='"j"', activation='"tanh"'),
     "layers[1].size", ["without quotes"]),
    ("missing-index", HEAD + INPUT + layer(size='"m"', activation='"tanh"'), "layers[1].index",
     ["missing", "single letter"]),
    ("index-two-letters", HEAD + INPUT + layer(size='"m"', index='"jj"', activation='"tanh"'),
     "layers[1].index", ["single letter", "'jj'"]),
    ("index-digit", HEAD + INPUT + layer(size='"m"', index='"1"', activation='"tanh"'),
     "layers[1].index", ["single letter"]),
    ("index-not-string", HEAD + INPUT + layer(size='"m"', index="1", activation='"tanh"'),
     "layers[1].index", ["single letter", "integer 1"]),
    ("input-activation", HEAD + layer(size='"l"', index='"i"', activation='"tanh"') + HIDDEN,
     "layers[0].activation", ["input layer has no activation"]),
    ("input-bias", HEAD + layer(size='"l"', index='"i"', bias="false") + HIDDEN,
     "layers[0].bias", ["input layer has no bias"]),
    ("missing-activation", HEAD + INPUT + layer(size='"m"', index='"j"'), "layers[1].activation",
     ["missing", ACTS]),
    ("unknown-activation", HEAD + INPUT + HIDDEN + layer(size='"n"', index='"k"', activation='"gelu"'),
     "layers[2].activation", ["unknown activation 'gelu'", ACTS]),
    ("activation-not-string", HEAD + INPUT + layer(size='"m"', index='"j"', activation="1"),
     "layers[1].activation", ["must be a string", ACTS]),
    ("bias-not-bool", HEAD + INPUT + layer(size='"m"', index='"j"', activation='"tanh"', bias='"yes"'),
     "layers[1].bias", ["true or false", "string 'yes'"]),
    ("bias-int", HEAD + INPUT + layer(size='"m"', index='"j"', activation='"tanh"', bias="1"),
     "layers[1].bias", ["true or false", "integer 1"]),
    ("unknown-top-key", 'layer = 1\n' + GOOD, "layer",
     ["unknown key (did you mean 'layers'?)", "allowed: title, loss, layers, notation"]),
    ("unknown-layer-key", HEAD + INPUT + layer(size='"m"', index='"j"', activation='"tanh"', act='"x"'),
     "layers[1].act", ["unknown key", "allowed: size, index, activation, bias"]),
    ("unknown-notation-key", GOOD + '[notation]\nsymbol = "w"\n', "notation.symbol",
     ["unknown key", "allowed: weight, bias, preactivation, activation, input, target, loss, delta, "
      "weight_order"]),
    ("notation-not-table", 'notation = "w"\n' + GOOD, "notation", ["must be a table", "string 'w'"]),
    ("notation-not-string", GOOD + "[notation]\nweight = 1\n", "notation.weight",
     ["non-empty string", "integer 1"]),
    ("notation-empty", GOOD + '[notation]\nbias = " "\n', "notation.bias", ["non-empty string"]),
    ("weight-order", GOOD + '[notation]\nweight_order = "up_down"\n', "notation.weight_order",
     ["unknown order 'up_down'", "allowed: from_to, to_from"]),
    ("title-not-string", "title = 1\n" + 'loss = "sse"\n' + INPUT + HIDDEN, "title",
     ["must be a string", "integer 1"]),
    # [training]: one line per problem, like every other table
    ("training-not-table", 'training = "sgd"\n' + GOOD, "training", ["must be a table", "string 'sgd'"]),
    ("training-unknown-key", GOOD + TRAINING + "rate = 1\n", "training.rate",
     ["unknown key", "allowed: optimizer, learning_rate, batch, mean, index"]),
    ("training-momentum", GOOD + TRAINING + 'optimizer = "momentum"\n', "training.optimizer",
     ["momentum is not derived", "allowed: sgd"]),
    ("training-unknown-optimizer", GOOD + TRAINING + 'optimizer = "sgdd"\n', "training.optimizer",
     ["unknown optimizer 'sgdd' (did you mean 'sgd'?)", "allowed: sgd"]),
    ("training-missing-rate", GOOD + '[training]\nindex = "s"\nbatch = "N"\n', "training.learning_rate",
     ["missing", "positive number"]),
    ("training-rate-negative", GOOD + '[training]\nindex = "s"\nbatch = "N"\nlearning_rate = -0.1\n',
     "training.learning_rate", ["positive finite number, not -0.1"]),
    ("training-rate-nan", GOOD + '[training]\nindex = "s"\nbatch = "N"\nlearning_rate = nan\n',
     "training.learning_rate", ["positive finite number, not nan"]),
    ("training-rate-bool", GOOD + '[training]\nindex = "s"\nbatch = "N"\nlearning_rate = true\n',
     "training.learning_rate", ["symbol name or a positive number", "boolean true"]),
    ("training-rate-not-symbol", GOOD + '[training]\nindex = "s"\nbatch = "N"\nlearning_rate = "0.1"\n',
     "training.learning_rate", ["not a symbol name", "without quotes"]),
    ("training-missing-batch", GOOD + '[training]\nindex = "s"\nlearning_rate = "eta"\n', "training.batch",
     ["missing", "positive integer"]),
    ("training-batch-zero", GOOD + '[training]\nindex = "s"\nlearning_rate = "eta"\nbatch = 0\n',
     "training.batch", ["must be positive, not 0"]),
    ("training-mean-not-bool", GOOD + TRAINING + "mean = 1\n", "training.mean",
     ["true (the mean over the batch) or false (the sum)", "integer 1"]),
    ("training-index-two-letters", GOOD + '[training]\nindex = "nn"\nlearning_rate = "eta"\nbatch = "N"\n',
     "training.index", ["single letter", "'nn'"]),
]


def check(err: SpecError, source: str, key: str, fragments: list[str]) -> None:
    """The message is one line, starts with ``{source}: {key}: `` and holds every fragment."""
    message = str(err)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{source}: {key}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("text, key, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_spec_file(tmp_path: Path, text: str, key: str, fragments: list[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load(path)
    check(info.value, str(path), key, fragments)


@pytest.mark.parametrize("text, key, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_spec_string(text: str, key: str, fragments: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        loads(text, "inline.toml")
    check(info.value, "inline.toml", key, fragments)


def test_messages_are_distinct() -> None:
    """Each case has its own message."""
    messages = []
    for _, text, _, _ in BAD:
        with pytest.raises(SpecError) as info:
            loads(text, "s.toml")
        messages.append(str(info.value))
    assert len(set(messages)) == len(messages)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(SpecError) as info:
        load(path)
    check(info.value, str(path), "(file)", ["file not found"])


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load(tmp_path)
    check(info.value, str(tmp_path), "(file)", ["is a directory"])


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "\xe9"\n'.encode("latin-1"))
    with pytest.raises(SpecError) as info:
        load(path)
    check(info.value, str(path), "(file)", ["not UTF-8"])


def test_top_level_not_a_table() -> None:
    with pytest.raises(SpecError) as info:
        from_dict([1, 2], "data.json")
    check(info.value, "data.json", "(top level)", ["must be a table", "array"])


def test_newline_in_value_stays_one_line() -> None:
    text = HEAD.replace('"t"', '"a\\nb"') + INPUT + layer(size='"m"', index='"j"', activation='"x\\ny"')
    with pytest.raises(SpecError) as info:
        loads(text, "multi\nline.toml")
    assert "\n" not in str(info.value)


def test_default_source_name() -> None:
    with pytest.raises(SpecError) as info:
        loads('loss = "sse"\n')
    assert str(info.value).startswith("<string>: layers: ")


def test_model_error_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ModelError the checks miss still leaves as one SpecError with the file prefix."""
    from symbackprop import spec
    from symbackprop.errors import ModelError

    def broken(*args: object, **kwargs: object) -> Network:
        raise ModelError("something the spec checks did not foresee")

    monkeypatch.setattr(spec, "Network", broken)
    with pytest.raises(SpecError) as info:
        loads(GOOD, "g.toml")
    check(info.value, "g.toml", "(network)", ["did not foresee"])


# ── good specs ─────────────────────────────────────────────────────────────
SPECS = sorted(DERIVATIONS.glob("*.toml"))


def test_derivations_present() -> None:
    names = {p.stem for p in SPECS}
    assert {"regression", "classification", "general_n_layer", "perceptron",
            "deep_tanh_relu", "binary_classifier"} <= names


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_derivation_loads(path: Path) -> None:
    net = load(path)
    assert isinstance(net, Network)
    assert net.title and net.depth >= 1
    assert path.read_text(encoding="utf-8").lstrip().startswith("#")  # cites its seed
    assert "seed" in path.read_text(encoding="utf-8")


def test_minimal_spec_defaults() -> None:
    net = loads('loss = "sse"\n' + INPUT + layer(size="3", index='"j"', activation='"identity"'))
    assert net.title == ""
    assert net.layers[1].size == sp.Integer(3) and net.layers[1].bias is True
    assert net.notation.weight == "w" and net.notation.weight_order == "from_to"


def shape(net: Network) -> list[tuple[str, str, object, bool]]:
    return [(str(l.size), l.index, l.activation, l.bias) for l in net.layers]


def test_round_trip_general_n_layer() -> None:
    net = load(DERIVATIONS / "general_n_layer.toml")
    assert net.loss == "sse" and net.depth == 4
    assert shape(net)[0][:3] == ("M0", "m", None)
    assert shape(net)[1:] == [("M1", "n", "sigmoid", False), ("M2", "k", "sigmoid", False),
                              ("M3", "p", "sigmoid", False), ("M4", "q", "identity", False)]
    assert all(isinstance(l.size, sp.Symbol) and l.size.is_positive and l.size.is_integer
               for l in net.layers)
    n = net.notation
    assert (n.activation, n.preactivation, n.delta, n.weight_order) == ("a", "z", r"\xi", "to_from")
    assert (n.weight, n.bias, n.input, n.target, n.loss) == ("w", "b", "x", "t", "E")


def test_round_trip_deep_tanh_relu() -> None:
    net = load(DERIVATIONS / "deep_tanh_relu.toml")
    assert net.loss == "cross_entropy" and net.depth == 4
    assert [l.activation for l in net.layers] == [None, "tanh", "relu", "tanh", "softmax"]
    assert [l.bias for l in net.layers[1:]] == [True, False, True, True]
    assert len({l.index for l in net.layers}) == 5
    assert net.notation.weight_order == "from_to"


def test_round_trip_binary_classifier_integer_width() -> None:
    net = load(DERIVATIONS / "binary_classifier.toml")
    assert net.layers[-1].size == sp.Integer(1)
    assert (net.layers[-1].activation, net.loss) == ("sigmoid", "binary_cross_entropy")


# ── names: unambiguous or rejected (issue 13, item 2) ──────────────────────
from symbackprop.errors import SpecNameClash  # noqa: E402
from symbackprop.spec_names import (CLASH_RULES, find_clash, glyph, printer_names,  # noqa: E402
                                    spec_names)


def net(*layers: str, notation: str = "", loss: str = "cross_entropy") -> str:
    """A spec from [[layers]] tables and the body of a [notation] table."""
    return f'loss = "{loss}"\n' + "".join(layers) + (f"[notation]\n{notation}" if notation else "")


IN = layer(size='"l"', index='"i"')
OUT = layer(size='"n"', index='"k"', activation='"sigmoid"')

# (id, spec, the rule that rejects it, the whole message for source "spec.toml")
CLASHES = [
    # notation vs notation
    ("notation-same", net(IN, OUT, notation='activation = "u"\n'), "same_spelling",
     'notation.activation = "u" clashes with notation.preactivation = "u"; choose different symbols'),
    ("notation-prints-alike", net(IN, OUT, notation='weight = "\\\\omega"\nbias = "ω"\n'), "prints_alike",
     "notation.bias = \"ω\" clashes with notation.weight = '\\omega' (both print as ω); "
     "choose different symbols"),
    ("notation-matrix-letter", net(IN, OUT, notation='target = "Y"\n'), "same_matrix_letter",
     'notation.target = "Y" clashes with notation.activation = "y" (both print as Y in the batch '
     "(matrix) form); choose different symbols"),
    # index vs index
    ("index-index", net(IN, layer(size='"m"', index='"j"', activation='"tanh"'),
                        layer(size='"n"', index='"j"', activation='"softmax"')), "same_spelling",
     'layers[2].index = "j" clashes with layers[1].index = "j"; choose different symbols'),
    # index vs size
    ("size-is-index-letter", net(IN, layer(size='"k"', index='"j"', activation='"tanh"'), OUT),
     "same_spelling", 'layers[1].size = "k" clashes with layers[2].index = "k"; choose different symbols'),
    ("size-is-own-index", net(IN, layer(size='"j"', index='"j"', activation='"tanh"')), "same_spelling",
     'layers[1].size = "j" clashes with layers[1].index = "j"; choose different symbols'),
    ("size-prints-as-index", net(IN, layer(size='"n"', index='"λ"', activation='"tanh"'),
                                 layer(size='"lamda"', index='"k"', activation='"softmax"')),
     "prints_alike", 'layers[2].size = "lamda" clashes with layers[1].index = "λ" (both print as λ); '
     "choose different symbols"),
    # notation vs index / size
    ("index-is-notation-letter", net(IN, layer(size='"m"', index='"w"', activation='"tanh"')),
     "same_spelling", 'layers[1].index = "w" clashes with notation.weight = "w"; choose different symbols'),
    ("size-is-notation-letter", net(layer(size='"x"', index='"i"'), OUT), "same_spelling",
     'layers[0].size = "x" clashes with notation.input = "x"; choose different symbols'),
    ("size-vs-custom-notation", net(IN, OUT, notation='activation = "n"\n'), "same_spelling",
     'layers[1].size = "n" clashes with notation.activation = "n"; choose different symbols'),
    ("size-prints-as-delta", net(layer(size='"xi"', index='"i"'), OUT, notation='delta = "\\\\xi"\n'),
     "prints_alike", "layers[0].size = \"xi\" clashes with notation.delta = '\\xi' (both print as ξ); "
     "choose different symbols"),
    ("size-E-prints-as-loss", net(layer(size='"E"', index='"i"'), OUT, notation='loss = "L"\n'),
     "prints_alike", 'layers[0].size = "E" clashes with notation.loss = "L" (both print as L); '
     "choose different symbols"),
    ("size-reads-as-entry", net(layer(size='"y_1"', index='"i"'), OUT), "reads_as_entry",
     'layers[0].size = "y_1" clashes with notation.activation = "y" (y_1 reads as an entry of y); '
     "choose different symbols"),
    # size vs size
    ("size-size", net(layer(size='"h1"', index='"i"'), layer(size='"h_1"', index='"k"', activation='"tanh"')),
     "prints_alike", 'layers[1].size = "h_1" clashes with layers[0].size = "h1" (both print as h_1); '
     "choose different symbols"),
    # any of them vs a function name the printers write
    ("size-H", net(IN, layer(size='"H"', index='"k"', activation='"relu"')), "printer_name",
     'layers[1].size = "H" clashes with H, the Heaviside step H(u) = ReLU′(u), which the printers '
     "write; choose a different symbol"),
    ("size-sigma", net(IN, layer(size='"sigma"', index='"k"', activation='"sigmoid"')), "printer_name",
     'layers[1].size = "sigma" clashes with σ, the logistic sigmoid σ(u), which the printers write; '
     "choose a different symbol"),
    ("index-e", net(layer(size='"l"', index='"e"'), OUT), "printer_name",
     'layers[0].index = "e" clashes with e, the exponential e^u (exp(u) in text), which the printers '
     "write; choose a different symbol"),
    ("notation-sigma", net(IN, OUT, notation='activation = "\\\\sigma"\n'), "printer_name",
     "notation.activation = '\\sigma' clashes with σ, the logistic sigmoid σ(u), which the printers "
     "write; choose a different symbol"),
    ("delta-letter-elsewhere", net(layer(size='"l"', index='"δ"'), OUT, notation='delta = "\\\\xi"\n'),
     "printer_name", 'layers[0].index = "δ" clashes with δ, the error signal δ = ∂E/∂u (section titles), '
     "which the printers write; choose a different symbol"),
]


def _clash_names(text: str):
    """The spec's names as spec.py hands them to the rules."""
    from symbackprop.spec import _notation, tomllib

    data = tomllib.loads(text)
    notation = _notation("spec.toml", data.get("notation", {}))
    return spec_names(notation, ((t["size"], t["index"]) for t in data["layers"]))


@pytest.mark.parametrize("text, rule, message", [c[1:] for c in CLASHES], ids=[c[0] for c in CLASHES])
def test_clash_is_one_line_naming_both(tmp_path: Path, text: str, rule: str, message: str) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecNameClash) as info:
        load(path)
    assert str(info.value) == f"{path}: {message}"
    assert find_clash(_clash_names(text)).rule == rule


@pytest.mark.parametrize("text, rule", [c[1:3] for c in CLASHES], ids=[c[0] for c in CLASHES])
def test_each_rule_is_needed(text: str, rule: str) -> None:
    """With its rule disabled, the example is no longer rejected by that rule (as the checker's guards)."""
    clash = find_clash(_clash_names(text), disabled=[rule])
    assert clash is None or clash.rule != rule


def test_every_rule_has_an_example_and_a_rationale() -> None:
    rules = {c[2] for c in CLASHES}
    assert {r.name for r in CLASH_RULES} | {"printer_name"} == rules
    assert all(len(r.rationale) > 40 for r in CLASH_RULES)


@pytest.mark.parametrize("printer", printer_names(), ids=[p.shows for p in printer_names()])
def test_every_printer_name_is_rejected_in_every_spelling(printer) -> None:
    """Each spelling as a width (when it is an identifier) and as a notation letter."""
    for spelling in sorted(printer.spellings):
        with pytest.raises(SpecNameClash, match=f"notation.bias = .* clashes with {printer.shows}, "):
            loads(net(IN, OUT, notation=f"bias = '{spelling}'\n"), "spec.toml")
        if spelling.isidentifier():
            with pytest.raises(SpecNameClash, match="layers\\[1\\].size = .* clashes with "):
                loads(net(IN, layer(size=f'"{spelling}"', index='"k"', activation='"tanh"')), "spec.toml")


@pytest.mark.parametrize("text", [
    net(layer(size='"n"', index='"i"'), layer(size='"n"', index='"k"', activation='"tanh"')),  # equal widths
    net(IN, OUT, notation='delta = "δ"\n'),             # δ is the delta notation's own letter
    net(IN, OUT, notation='activation = "a"\ntarget = "Y"\n'),  # Y differs from A in the batch form
    net(layer(size='"M_1"', index='"m"'), OUT),         # a subscripted width of no quantity
], ids=["same-width", "delta-owns-δ", "target-Y", "subscripted-width"])
def test_unambiguous_specs_load(text: str) -> None:
    assert isinstance(loads(text, "spec.toml"), Network)


def test_matrix_letter_is_one_function() -> None:
    """The spec's name rules and the batch printer use the one table (symbackprop.notation)."""
    from symbackprop.matrix import matrix_letter as printed
    from symbackprop.notation import matrix_letter
    from symbackprop.spec_names import matrix_letter as checked

    assert printed is matrix_letter is checked
    assert [matrix_letter(x) for x in ("y", r"\delta", r"\xi", r"\varepsilon", "W")] == ["Y", r"\Delta", r"\Xi", "E", "W"]


def _heads(printed: str) -> str:
    """The function name a printed application starts with: ``\\sigma\\left(`` → σ, ``exp(`` → exp."""
    import re

    m = re.match(r"\\(?:operatorname|mathrm)\{(\w+)\}|\\?[^\W\d_]+", printed)
    assert m, printed
    return glyph(m.group(1) or m.group(0))


def test_printer_names_cover_what_the_printers_write() -> None:
    """Derive every activation and loss; every function, sum and derivative printed in any step,
    in LaTeX and in text, starts with a name of printer_names() (a new function name fails here)."""
    from symbackprop.derive import derive
    from symbackprop.model import Layer
    from symbackprop.printing import latex, text
    from symbackprop.rules import ACTIVATIONS, LOSSES

    spellings = set().union(*(p.spellings for p in printer_names()))
    elementwise = [a for a in sorted(ACTIVATIONS) if ACTIVATIONS[a].elementwise]
    nets = [Network((Layer("l", "i"), *[Layer("m", c, a) for c, a in zip("jpqrs", elementwise)],
                     Layer("n", "k", out)), loss)
            for out in ("softmax", "sigmoid") for loss in sorted(LOSSES)]
    seen = set()
    for network in nets:
        d = derive(network)
        exprs = [s.expr for r in d.forward for s in r.steps]
        exprs += [s.expr for ld in d.layers for r in ld.lemmas + ld.results for s in r.steps]
        for expr in exprs:
            for e in sp.preorder_traversal(expr):
                if isinstance(e, sp.KroneckerDelta):
                    assert latex(e).startswith("[") and text(e).startswith("[")  # Iverson bracket
                elif isinstance(e, (sp.Function, sp.Sum)):
                    seen |= {_heads(latex(e, network)), _heads(text(e, network))}
                elif isinstance(e, sp.Derivative):
                    assert r"\partial" in latex(e, network) and "∂" in text(e, network)
    seen |= {_heads(a.latex) for a in ACTIVATIONS.values()}  # the layer table
    assert seen - spellings == set(), seen
    assert {"σ", "H", "tanh", "ReLU", "softplus", "e", "exp", "log", "Σ", "id"} <= seen


# ── [training] ─────────────────────────────────────────────────────────────
@pytest.mark.parametrize("table, rate, batch, mean, index", [
    ('learning_rate = "eta"\nbatch = "N"\nindex = "s"', sp.Symbol("eta", positive=True),
     sp.Symbol("N", integer=True, positive=True), True, "s"),
    ('learning_rate = 0.1\nbatch = 32\nmean = false\nindex = "s"', sp.Rational(1, 10), sp.Integer(32), False, "s"),
    ('optimizer = "sgd"\nlearning_rate = 2\nbatch = "B"\nindex = "q"', sp.Integer(2),
     sp.Symbol("B", integer=True, positive=True), True, "q"),
])
def test_training_table_is_read(table: str, rate: sp.Expr, batch: sp.Expr, mean: bool, index: str) -> None:
    tr = loads(GOOD + "[training]\n" + table + "\n").training
    assert (tr.rate, tr.batch, tr.mean, tr.index, tr.optimizer) == (rate, batch, mean, index, "sgd")


def test_no_training_table_no_training() -> None:
    assert loads(GOOD).training is None


@pytest.mark.parametrize("table, message", [
    ('learning_rate = "eta"\nbatch = "N"', 'training.index = "n" clashes with layers[2].size = "n"'),
    ('learning_rate = "eta"\nbatch = "m"\nindex = "s"', 'training.batch = "m" clashes with layers[1].size = "m"'),
    ('learning_rate = "E"\nbatch = "N"\nindex = "s"', 'training.learning_rate = "E" clashes with notation.loss'),
    ('learning_rate = "eta"\nbatch = "N"\nindex = "k"', 'training.index = "k" clashes with layers[2].index'),
])
def test_training_names_that_clash_are_refused(table: str, message: str) -> None:
    with pytest.raises(SpecError) as err:
        loads(GOOD + "[training]\n" + table + "\n", "s.toml")
    assert message in str(err.value) and "\n" not in str(err.value)
