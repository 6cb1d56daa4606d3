"""Spec (TOML) → :class:`~symbackprop.model.Network`.

Every problem is one :class:`SpecError` whose one-line message reads
``{file}: {key}: {problem}; allowed: {values}``.  Key paths count layers from
the input up, ``layers[0]`` being the input layer (ℓ = 0 in the model).
Two names that would print alike (the rules of :mod:`symbackprop.spec_names`)
give a :class:`SpecNameClash` naming both:
``{file}: {key} = "{value}" clashes with {other key} = "{value}"; choose different symbols``.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, NoReturn, Union

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .errors import ModelError, SpecError, SpecNameClash
from .model import OPTIMIZERS, WEIGHT_ORDERS, Layer, Network, Notation, Training
from .rules import ACTIVATIONS, LOSSES
from .spec_names import find_clash, notation_problem, spec_names

#: The keys each table may hold.
ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    "top level": ("title", "loss", "layers", "notation", "training"),
    "layer": ("size", "index", "activation", "bias"),
    "notation": Notation.keys(),
    "training": ("optimizer", "learning_rate", "batch", "mean", "index"),
}

#: Optimizers a spec may name that are not derived, and why (one line each).
NOT_DERIVED = {
    "momentum": "momentum is not derived (its velocity is state carried between steps; "
                "symbackprop derives the plain gradient-descent step)",
    "adam": "Adam is not derived (its moment estimates are state carried between steps)",
}

_TOML_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string",
               list: "array", dict: "table"}


def load(path: Union[str, os.PathLike[str]], letter_layered: bool = False) -> Network:
    """Read the TOML spec at ``path`` into a Network (``letter_layered``: see :func:`from_dict`)."""
    return loads(read_text(path), os.fspath(path), letter_layered)


def read_text(path: Union[str, os.PathLike[str]]) -> str:
    """The text of the spec file at ``path`` (a byte-order mark read past); every problem is one
    :class:`SpecError` line."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8-sig")  # a byte order mark (Windows editors) is no TOML error
    except FileNotFoundError:
        _fail(source, "(file)", "file not found")
    except IsADirectoryError:
        _fail(source, "(file)", "is a directory, not a spec file")
    except UnicodeDecodeError as e:
        _fail(source, "(file)", f"not UTF-8 text ({e.reason} at byte {e.start})")
    except OSError as e:
        _fail(source, "(file)", f"cannot read: {e.strerror or e}")
    return text


#: The deepest nesting of arrays and inline tables a spec may have (a spec needs 2: an
#: inline table in an array).  tomllib parses nested values recursively, so deeper text
#: would end in a RecursionError instead of a message.
MAX_NESTING = 32


def _nesting(text: str) -> tuple[int, int]:
    """(deepest nesting of ``[``/``{`` values, offset where it is reached) in TOML ``text``,
    skipping strings and comments.  Table headers (``[x]``, ``[[x]]``) count too but stay shallow."""
    depth = best = where = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if c == '"' and text[j] == "\\":
                    j += 1
                elif len(quote) == 1 and text[j] == "\n":
                    break  # unterminated: tomllib says so
                j += 1
            i = j + len(quote) - 1
        elif c in "[{":
            depth += 1
            if depth > best:
                best, where = depth, i
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return best, where


def loads(text: str, source: str = "<string>", letter_layered: bool = False) -> Network:
    """Read a TOML spec from a string; ``source`` names it in error messages."""
    return from_dict(parse(text, source), source, letter_layered)


def parse(text: str, source: str = "<string>") -> dict:
    """The TOML ``text`` as a dict, its nesting bounded (:data:`MAX_NESTING`); every problem is
    one :class:`SpecError` line."""
    if not isinstance(text, str):
        _fail(source, "(file)", f"expected TOML text, not {type(text).__name__}")
    depth, where = _nesting(text)
    if depth > MAX_NESTING:
        line = text.count("\n", 0, where) + 1
        _fail(source, "(syntax)", f"invalid TOML: arrays or tables nested more than {MAX_NESTING} "
                                  f"deep (line {line}); a spec needs at most 2")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        _fail(source, "(syntax)", f"invalid TOML: {e}")
    return data


def from_dict(data: Any, source: str = "<dict>", letter_layered: bool = False) -> Network:
    """Build a Network from an already parsed spec (a dict shaped like the TOML).

    ``letter_layered`` (``check --network`` only): the input may have the activation's letter
    when every layer has an index letter of its own — notes that write ``u_k = Σ_j w_{jk} y_j``
    with y_j the layer below and y_k the output, the letters telling the layers apart.  derive,
    verify and report refuse such a spec (their batch forms would print one matrix Y for both)."""
    if not isinstance(data, dict):
        _fail(source, "(top level)", f"must be a table, not {_describe(data)}")
    if "networks" in data:  # what check --show-network prints for a document of several networks
        _fail(source, "networks", "a file of several networks (check --show-network) is read by check "
                                  "--network; for this command copy one [[networks]] table out as a spec "
                                  "(its keys without lines, [[layers]] for [[networks.layers]])")
    _check_keys(source, data, "top level", "")
    title = data.get("title", "")
    if not isinstance(title, str):
        _fail(source, "title", f"must be a string, not {_describe(title)}")
    if "loss" not in data:
        _fail(source, "loss", "missing", sorted(LOSSES))
    loss = _choice(source, "loss", data["loss"], LOSSES, "loss")
    notation = _notation(source, data.get("notation", {}))
    layers = _layers(source, data)
    training = _training(source, data["training"]) if "training" in data else None
    names = spec_names(notation, ((t["size"], t["index"]) for t in data["layers"]),
                       data.get("training") if training is not None else None)
    indices = [t["index"] for t in data["layers"]]
    if letter_layered and notation.input == notation.activation and len(set(indices)) == len(indices):
        names = [n for n in names if n.key != "notation.input"]
    clash = find_clash(names)
    if clash is not None:
        raise SpecNameClash(clash.message(source))
    try:
        return Network(layers, loss, title, notation, training)
    except ModelError as e:  # a rule the checks above missed: still one SpecError
        _fail(source, "(network)", str(e))


# ── tables ─────────────────────────────────────────────────────────────────
def _notation(source: str, raw: Any) -> Notation:
    """The [notation] table: string values, a known weight order."""
    if not isinstance(raw, dict):
        _fail(source, "notation", f"must be a table ([notation]), not {_describe(raw)}")
    _check_keys(source, raw, "notation", "notation.")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            _fail(source, f"notation.{key}", f"must be a non-empty string, not {_describe(value)}")
        problem = notation_problem(key, value)
        if problem:
            _fail(source, f"notation.{key}", problem)
    order = raw.get("weight_order", WEIGHT_ORDERS[0])
    if order not in WEIGHT_ORDERS:
        _fail(source, "notation.weight_order", f"unknown order {order!r}", WEIGHT_ORDERS)
    try:
        return Notation(**raw)
    except ModelError as e:
        _fail(source, "notation", str(e))


def _layers(source: str, data: dict) -> tuple[Layer, ...]:
    """The [[layers]] array: two or more layers, each well formed (names are checked together later)."""
    if "layers" not in data:
        _fail(source, "layers", "missing; write one [[layers]] table per layer, input first")
    raw = data["layers"]
    if not isinstance(raw, list):
        _fail(source, "layers", f"must be an array of tables ([[layers]]), not {_describe(raw)}")
    if len(raw) < 2:
        _fail(source, "layers", f"{len(raw)} layer(s) given; need the input layer "
                                "and at least one layer above it")
    return tuple(_layer(source, n, table) for n, table in enumerate(raw))


def _layer(source: str, n: int, raw: Any) -> Layer:
    """One [[layers]] table; the input layer (n = 0) has no activation and no bias."""
    key = f"layers[{n}]"
    if not isinstance(raw, dict):
        _fail(source, key, f"must be a table ([[layers]]), not {_describe(raw)}")
    _check_keys(source, raw, "layer", key + ".")
    size = _size(source, f"{key}.size", raw.get("size"))
    index = raw.get("index")
    if index is None:
        _fail(source, f"{key}.index", 'missing; give a single letter such as "j"')
    if not (isinstance(index, str) and len(index) == 1 and index.isalpha()):
        _fail(source, f"{key}.index", f"must be a single letter, not {_describe(index)}")
    if n == 0:
        for extra in ("activation", "bias"):
            if extra in raw:
                _fail(source, f"{key}.{extra}", f"the input layer has no {extra}; remove this key")
        return Layer(size, index)
    if "activation" not in raw:
        _fail(source, f"{key}.activation", "missing (every layer above the input needs one)",
              sorted(ACTIVATIONS))
    activation = _choice(source, f"{key}.activation", raw["activation"], ACTIVATIONS, "activation")
    bias = raw.get("bias", True)
    if not isinstance(bias, bool):
        _fail(source, f"{key}.bias", f"must be true or false, not {_describe(bias)}")
    return Layer(size, index, activation, bias)


def _training(source: str, raw: Any) -> Training:
    """The [training] table: the optimizer (sgd), the learning rate (a symbol name or a positive
    number), the batch size (a symbol name or a positive integer), mean or sum over the batch,
    and the letter of an example."""
    if not isinstance(raw, dict):
        _fail(source, "training", f"must be a table ([training]), not {_describe(raw)}")
    _check_keys(source, raw, "training", "training.")
    optimizer = raw.get("optimizer", OPTIMIZERS[0])
    if isinstance(optimizer, str) and optimizer.lower() in NOT_DERIVED:
        _fail(source, "training.optimizer", NOT_DERIVED[optimizer.lower()], OPTIMIZERS)
    optimizer = _choice(source, "training.optimizer", optimizer, OPTIMIZERS, "optimizer")
    if "learning_rate" not in raw:
        _fail(source, "training.learning_rate", 'missing; give a symbol name such as "eta" or a '
                                                "positive number such as 0.1")
    rate = _rate(source, "training.learning_rate", raw["learning_rate"])
    if "batch" not in raw:
        _fail(source, "training.batch", 'missing; give a symbol name such as "N" or a positive integer')
    batch = _size(source, "training.batch", raw["batch"])
    mean = raw.get("mean", True)
    if not isinstance(mean, bool):
        _fail(source, "training.mean", f"must be true (the mean over the batch) or false (the sum), "
                                       f"not {_describe(mean)}")
    index = raw.get("index", "n")
    if not (isinstance(index, str) and len(index) == 1 and index.isalpha()):
        _fail(source, "training.index", f"must be a single letter, not {_describe(index)}")
    return Training(rate, batch, mean, index, optimizer)


# ── values ─────────────────────────────────────────────────────────────────
def _rate(source: str, key: str, value: Any) -> Union[int, float, str]:
    """A learning rate: a symbol name (an identifier, a positive real) or a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        _fail(source, key, f"must be a symbol name or a positive number, not {_describe(value)}")
    if isinstance(value, str):
        if not value.isidentifier():
            _fail(source, key, f"{value!r} is not a symbol name (an identifier such as eta or alpha); "
                               "write a number without quotes")
        return value
    if not (value > 0 and value != float("inf")):  # nan fails value > 0
        _fail(source, key, f"must be a positive finite number, not {value!r}")
    return value



def _size(source: str, key: str, value: Any) -> Union[int, str]:
    """A width: a positive integer or a symbol name (an identifier)."""
    if value is None:
        _fail(source, key, 'missing; give a symbol name such as "m" or a positive integer')
    if isinstance(value, bool):
        _fail(source, key,
              f"must be a positive integer or a symbol name, not a boolean ({_toml(value)})")
    if isinstance(value, float):
        _fail(source, key, f"must be a whole number, not float {value!r}")
    if isinstance(value, int):
        if value <= 0:
            _fail(source, key, f"must be positive, not {value}")
        return value
    if isinstance(value, str):
        if not value.isidentifier():
            hint = "; write a number without quotes" if value.strip().isdigit() else ""
            _fail(source, key,
                  f"{value!r} is not a symbol name (an identifier such as m or M_1){hint}")
        return value
    _fail(source, key, f"must be a positive integer or a symbol name, not {_describe(value)}")


def _choice(source: str, key: str, value: Any, registry: Iterable[str], what: str) -> str:
    """A name from a registry (an activation, a loss)."""
    allowed = sorted(registry)
    if not isinstance(value, str):
        _fail(source, key, f"must be a string, not {_describe(value)}", allowed)
    if value not in allowed:
        _fail(source, key, f"unknown {what} {value!r}{_hint(value, allowed)}", allowed)
    return value


def _check_keys(source: str, table: dict, kind: str, prefix: str) -> None:
    """Reject any key that the table ``kind`` does not allow."""
    allowed = ALLOWED_KEYS[kind]
    for key in table:
        if key not in allowed:
            _fail(source, prefix + key, f"unknown key{_hint(key, allowed)}", allowed)


# ── messages ───────────────────────────────────────────────────────────────
def _fail(source: str, key: str, problem: str, allowed: Iterable[str] = ()) -> NoReturn:
    """Raise the one-line SpecError ``{file}: {key}: {problem}; allowed: {values}``."""
    message = f"{source}: {key}: {problem}"
    values = ", ".join(allowed)
    if values:
        message += f"; allowed: {values}"
    raise SpecError(" ".join(message.splitlines()))


def _hint(value: str, allowed: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(value, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _toml(value: Any) -> str:
    """A scalar written as TOML writes it."""
    return ("true" if value else "false") if isinstance(value, bool) else repr(value)


def _describe(value: Any) -> str:
    """The TOML type of a value, with the value itself when it is a scalar."""
    kind = _TOML_TYPES.get(type(value), type(value).__name__)
    return f"{kind} {_toml(value)}" if isinstance(value, (bool, int, float, str)) else kind
