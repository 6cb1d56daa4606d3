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
    ("duplicate-index", HEAD + INPUT + HIDDEN + layer(size='"n"', index='"j"', activation='"softmax"'),
     "layers[2].index", ["'j'", "layers[1].index"]),
    ("index-is-notation-letter", HEAD + INPUT + layer(size='"m"', index='"w"', activation='"tanh"'),
     "layers[1].index", ["'w'", "notation.weight"]),
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
    ("size-is-index-letter", HEAD + INPUT + layer(size='"k"', index='"j"', activation='"tanh"') + OUTPUT,
     "layers[1].size", ["size name 'k'", "layers[2].index"]),
    ("size-is-own-index", HEAD + INPUT + layer(size='"j"', index='"j"', activation='"tanh"'),
     "layers[1].size", ["size name 'j'", "layers[1].index"]),
    ("size-is-notation-letter", HEAD + layer(size='"x"', index='"i"') + HIDDEN, "layers[0].size",
     ["size name 'x'", "notation.input"]),
    ("size-vs-custom-notation", GOOD + '[notation]\nactivation = "m"\n', "layers[1].size",
     ["size name 'm'", "notation.activation"]),
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
