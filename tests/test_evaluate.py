"""evaluate(): numbers from the closed forms, checked against an independent autograd oracle."""

from __future__ import annotations

import copy
import importlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from symbackprop.derive import Derivation, Step, derive
from symbackprop.errors import ParamsError
from symbackprop.evaluate import (compile_closed_forms, evaluate, evaluate_json, gradcheck,
                                  random_params)
from symbackprop.model import Layer, Network, Notation
from symbackprop.spec import load

from .oracle import mlp_loss

ev = importlib.import_module("symbackprop.evaluate")  # the module (the package exports the function)

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "softplus", "softmax"]
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]
#: Output activations whose values lie in the loss's domain (log y, log(1 − y)).
OUTPUTS = {"sse": ACTIVATIONS, "mse": ACTIVATIONS,
           "cross_entropy": ["sigmoid", "softplus", "softmax"],
           "binary_cross_entropy": ["sigmoid", "softmax"]}
FIELDS = ("loss", "y", "delta", "dW", "db", "dx")

_DERIVED: dict[Network, Derivation] = {}


def derived(net: Network) -> Derivation:
    """derive(), once per network in this test session."""
    if net not in _DERIVED:
        _DERIVED[net] = derive(net)
    return _DERIVED[net]


def spec(name: str) -> Derivation:
    return derived(load(DERIVATIONS / f"{name}.toml"))


def random_network(loss: str, act: str, depth: int, seed: int) -> Network:
    """``depth`` layers above the input; ``act`` in every hidden layer slot it can take."""
    rng = np.random.default_rng(seed)
    letters = "ijkpqr"
    hidden = [act if n % 2 == 0 else str(rng.choice(ACTIVATIONS)) for n in range(depth - 1)]
    out = act if act in OUTPUTS[loss] else str(rng.choice(OUTPUTS[loss]))
    layers = [Layer("n0" if seed % 3 else int(rng.integers(1, 4)), letters[0])]
    for n, a in enumerate(hidden + [out], start=1):
        size: Any = f"n{n}"
        if n == depth and out == "softmax":
            size = int(rng.integers(2, 4)) if seed % 2 else size
        elif seed % 5 == 0:
            size = int(rng.integers(1, 4))
        layers.append(Layer(size, letters[n], a, bias=bool(rng.integers(0, 4))))
    return Network(tuple(layers), loss)


def describe(net: Network) -> dict:
    """The oracle's view: activation and loss names only."""
    return {"activations": [l.activation for l in net.layers[1:]], "loss": net.loss}


def rel_error(a: Any, b: Any) -> float:
    """‖a − b‖ / max(‖b‖, 1e-6) over all entries (0 when both are None)."""
    if a is None or b is None:
        return 0.0 if a is None and b is None else np.inf
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return np.inf
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-6))


def assert_agree(got: dict, want: dict, context: str, tol: float = 1e-8) -> None:
    """Every output field agrees to ``tol`` (per layer for delta, dW, db)."""
    for field in FIELDS:
        per_layer = field in ("delta", "dW", "db")
        pairs = list(zip(got[field], want[field])) if per_layer else [(got[field], want[field])]
        assert not per_layer or len(got[field]) == len(want[field]), f"{context}: {field} layers"
        err = max(rel_error(g, w) for g, w in pairs)
        assert err <= tol, (f"{context}: {field} differs by {err:.3g}\n"
                            f" got  {got[field]}\n want {want[field]}")


# ── the closed forms against the oracle ────────────────────────────────────
CASES = [(loss, act, depth) for loss in LOSSES for act in ACTIVATIONS for depth in (1, 2, 3, 4)]


@pytest.mark.parametrize("loss,act,depth", CASES, ids=[f"{l}-{a}-{d}" for l, a, d in CASES])
def test_agrees_with_oracle(loss: str, act: str, depth: int) -> None:
    seed = CASES.index((loss, act, depth))
    net = random_network(loss, act, depth, seed)
    d = derived(net)
    params = random_params(net, seed=seed)
    context = f"seed={seed} {net.loss} {[(str(l.size), l.activation, l.bias) for l in net.layers]}"
    assert_agree(evaluate(d, params), mlp_loss(describe(net), params), context)
    result = gradcheck(d, params, seed=seed)
    assert result.ok, f"{context}\n{result}"


@pytest.mark.parametrize("name", sorted(p.stem for p in DERIVATIONS.glob("*.toml")))
def test_specs_agree_with_oracle_and_gradcheck(name: str) -> None:
    d = spec(name)
    for seed in range(3):
        params = random_params(d.network, seed=seed)
        out = evaluate(d, params)
        assert_agree(out, mlp_loss(describe(d.network), params), f"{name} seed={seed}")
        result = gradcheck(d, params, seed=seed)
        assert result.ok, f"{name} seed={seed}\n{result}"
        assert result.coordinates > 0


def test_output_shapes_follow_the_contract() -> None:
    d = spec("deep_tanh_relu")
    params = random_params(d.network, sizes=[3, 4, 2, 5, 3], seed=1)
    out = evaluate(d, params)
    assert isinstance(out["loss"], float) and len(out["y"]) == 3 and len(out["dx"]) == 3
    assert [np.shape(w) for w in out["dW"]] == [np.shape(w) for w in params["W"]]
    assert [len(v) for v in out["delta"]] == [4, 2, 5, 3]
    assert [v is None for v in out["db"]] == [False, True, False, False]
    json.dumps(out)  # plain JSON


def test_to_from_notation_keeps_shapes() -> None:
    """W[n][p][a] joins p below to a above, whatever order the notation writes w in."""
    d = spec("general_n_layer")
    assert d.network.notation.weight_order == "to_from"
    plain = derived(replace(d.network, notation=Notation(weight_order="from_to")))
    params = random_params(d.network, sizes=[2, 3, 4, 5, 3], seed=2)
    out, ref = evaluate(d, params), evaluate(plain, params)
    assert [np.shape(w) for w in out["dW"]] == [(2, 3), (3, 4), (4, 5), (5, 3)]
    assert out == ref
    assert_agree(out, mlp_loss(describe(d.network), params), "general_n_layer to_from")


def test_relu_derivative_at_zero_is_zero() -> None:
    """H(0) = 0: a ReLU unit with u = 0 passes no gradient (as the oracle and PyTorch)."""
    net = Network((Layer(2, "i"), Layer(2, "j", "relu"), Layer(1, "k", "identity")), "sse")
    params = {"x": [1.0, -1.0], "t": [3.0], "W": [[[1.0, 2.0], [1.0, 0.5]], [[1.0], [1.0]]],
              "b": [[0.0, 0.0], [0.0]]}
    out = evaluate(derived(net), params)
    assert out["delta"][0][0] == 0.0 and out["delta"][0][1] != 0.0
    assert_agree(out, mlp_loss(describe(net), params), "relu at zero")


def test_compiled_once_per_derivation() -> None:
    d = spec("classification")
    assert compile_closed_forms(d) is compile_closed_forms(d)
    compiled = compile_closed_forms(d)
    params = random_params(d.network, seed=4)
    assert evaluate(compiled, params) == evaluate(d, params)


def test_evaluate_json_round_trip() -> None:
    d = spec("regression")
    params = random_params(d.network, seed=5)
    assert evaluate_json(d, json.dumps(params)) == evaluate(d, params)


# ── gradcheck must be able to fail ─────────────────────────────────────────
def broken(d: Derivation, layer: int, which: str) -> Derivation:
    """``d`` with one closed form of one layer negated (a sign error in the derivation)."""
    ld = d.layer(layer)
    result = getattr(ld, which)
    wrong = replace(result, steps=result.steps + (Step(-result.rhs, "sign error"),))
    layers = tuple(replace(x, **{which: wrong}) if x.layer == layer else x for x in d.layers)
    return replace(d, layers=layers)


@pytest.mark.parametrize("layer,which", [(2, "delta"), (1, "delta"), (2, "weight"),
                                         (1, "bias"), (1, "input")])
def test_gradcheck_catches_a_sign_error(layer: int, which: str) -> None:
    d = spec("classification")
    params = random_params(d.network, seed=6)
    assert gradcheck(d, params).ok
    result = gradcheck(broken(d, layer, which), params)
    assert not result.ok and result.max_rel_error > 1e-2, str(result)


def test_gradcheck_directions_alone_catch_a_sign_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ev, "MAX_COORDINATES", 0)
    d = spec("regression")
    params = random_params(d.network, seed=7)
    good, bad = gradcheck(d, params), gradcheck(broken(d, 1, "delta"), params)
    assert good.ok and good.coordinates == 0 and not good.worst
    assert not bad.ok and "MISMATCH" in str(bad)


# ── random_params ──────────────────────────────────────────────────────────
def test_random_params_targets_and_sizes() -> None:
    ce = random_params(spec("classification").network, sizes={"l": 2, "m": 3, "n": 4}, seed=8)
    assert sorted(ce["t"]) == [0.0, 0.0, 0.0, 1.0] and np.shape(ce["W"][1]) == (3, 4)
    bce = random_params(spec("binary_classifier").network, seed=8)
    assert len(bce["t"]) == 1 and 0 < bce["t"][0] < 1
    with pytest.raises(ParamsError, match=r"sizes\[2\]: the spec fixes the size of layer 2 at 1"):
        random_params(spec("binary_classifier").network, sizes=[2, 3, 2])


# ── bad params: one ParamsError line naming the field ──────────────────────
def edit(change: Callable[[dict], Any]) -> Callable[[dict], dict]:
    """A params edit: ``change`` mutates a deep copy (its return value is ignored)."""
    def apply(p: dict) -> dict:
        q = copy.deepcopy(p)
        change(q)
        return q
    return apply


def _set(path: tuple, value: Any) -> Callable[[dict], dict]:
    """The edit that sets ``params[path[0]][path[1]]… = value``."""
    def change(p: dict) -> None:
        target = p
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit(change)


C, B, G = "classification", "binary_classifier", "general_n_layer"
C345 = [3, 4, 5]  # classification at widths l, m, n = 3, 4, 5


def _grow_rows(key: int) -> Callable[[dict], dict]:
    """Add one column to W[key]."""
    return edit(lambda p: [r.append(0.0) for r in p["W"][key]])


def _transpose(key: int) -> Callable[[dict], dict]:
    """W[key] given as size_above × size_below."""
    return edit(lambda p: p["W"].__setitem__(key, np.transpose(p["W"][key]).tolist()))


# (id, spec, sizes input first, change, fragments of the message)
BAD = [
    ("not-object", C, None, lambda p: [1, 2], ["params: expected an object", "a list of 2"]),
    ("unknown-key", C, None, _set(("w",), 1), ["params: unknown key 'w'", "x, t, W, b"]),
    ("missing-x", C, None, edit(lambda p: p.pop("x")), ["x: missing key"]),
    ("missing-b", C, None, edit(lambda p: p.pop("b")), ["b: missing key", "2 vectors or nulls"]),
    ("missing-W", C, None, edit(lambda p: p.pop("W")), ["W: missing key", "2 matrices"]),
    ("x-not-list", C, None, _set(("x",), 3), ["x: expected a non-empty list of numbers"]),
    ("x-empty", C, None, _set(("x",), []), ["x: expected a non-empty list", "a list of 0"]),
    ("x-string", C, None, _set(("x", 1), "a"), ["x[1]: expected a number, got the string 'a'"]),
    ("x-bool", C, None, _set(("x", 0), True), ["x[0]: expected a number, got true"]),
    ("x-nan", C, None, _set(("x", 0), float("nan")), ["x[0]: expected a finite number"]),
    ("W-too-few", C, None, edit(lambda p: p["W"].pop()),
     ["W: expected a list of 2 entries", "a list of 1"]),
    ("b-too-many", C, None, edit(lambda p: p["b"].append(None)),
     ["b: expected a list of 2 entries", "a list of 3"]),
    ("W-ragged", C, C345, edit(lambda p: p["W"][1][2].pop()),
     ["W[1][2]: expected 5 numbers like W[1][0]", "got 4"]),
    ("W-null-entry", C, C345, _set(("W", 0, 1, 2), None),
     ["W[0][1][2]: expected a number, got null"]),
    ("W-row-not-list", C, C345, _set(("W", 0, 1), 2.0),
     ["W[0][1]: expected a non-empty list of numbers"]),
    ("W-wrong-rows", C, C345, edit(lambda p: p["W"][1].pop()),
     ["W[1] (layer 2): expected 4×5 (size of layer 1 × size of layer 2), got 3×5"]),
    # W[0] has a column too many: b[0] and W[1] say layer 1 has 4 neurons, so W[0] is wrong
    ("W-cols-vs-next", C, C345, _grow_rows(0),
     ["W[0] (layer 1): expected 3×4 (size of layer 0 × size of layer 1), got 3×5"]),
    ("x-vs-W", C, C345, edit(lambda p: p["x"].append(1.0)),
     ["W[0] (layer 1): expected 4×4 (size of layer 0 × size of layer 1), got 3×4",
      "the size of layer 0 is the length of x"]),
    ("spec-width", B, [3, 2, 1], _grow_rows(1),
     ["W[1] (layer 2): expected 2×1 (size of layer 1 × size of layer 2), got 2×2",
      "the spec fixes the size of layer 2 at 1"]),
    ("shared-width", "shared", [3, 4, 4], _grow_rows(1),
     ["W[1] (layer 2): expected 4×4 (size of layer 1 × size of layer 2), got 4×5",
      "layer 2 shares the size m with layer 1"]),
    # a transposed W (size_above × size_below): the expected shape comes from the other arrays
    ("W-transposed", C, [4, 3, 2], _transpose(1),
     ["W[1] (layer 2): expected 3×2 (size of layer 1 × size of layer 2), got 2×3; transposed? "
      "W[1] is size_below × size_above (W[1][j][k] joins neuron j of layer 1 to neuron k of "
      "layer 2), whatever the notation's weight_order"]),
    ("W-transposed-first", C, [2, 3, 4], _transpose(0),
     ["W[0] (layer 1): expected 2×3 (size of layer 0 × size of layer 1), got 3×2; "
      "the size of layer 0 is the length of x; transposed?"]),
    ("W-transposed-no-bias", G, [2, 3, 4, 5, 3], _transpose(1),   # to_from notation, no b
     ["W[1] (layer 2): expected 3×4 (size of layer 1 × size of layer 2), got 4×3; transposed?"]),
    ("W-transposed-last", G, [2, 3, 4, 5, 3], _transpose(3),
     ["W[3] (layer 4): expected 5×3 (size of layer 3 × size of layer 4), got 3×5; transposed?"]),
    ("W-transposed-fixed", B, [3, 2, 1], _transpose(1),
     ["W[1] (layer 2): expected 2×1 (size of layer 1 × size of layer 2), got 1×2; "
      "the spec fixes the size of layer 2 at 1; transposed?"]),
    ("b-length", C, C345, edit(lambda p: p["b"][0].pop()),
     ["b[0]: expected 4 numbers (size of layer 1), got 3"]),
    ("b-null-with-bias", C, None, _set(("b", 1), None),
     ["b[1]: layer 2 has a bias; expected a list of", "got null"]),
    ("b-without-bias", G, None, _set(("b", 2), [0.0, 0.0]),
     ["b[2]: layer 3 has no bias (bias = false in the spec); expected null, got a list of 2"]),
    ("t-length", C, C345, edit(lambda p: p["t"].append(0.0)),
     ["t: expected 5 numbers (size of the output layer 2), got 6"]),
    ("t-length-one", B, [2, 2, 1], edit(lambda p: p["t"].append(0.5)),
     ["t: expected 1 number (size of the output layer 2), got 2"]),
    ("t-not-list", C, None, _set(("t",), None), ["t: expected a non-empty list", "got null"]),
    ("domain", B, [2, 2, 1], _set(("W", 1), [[1e3], [1e3]]), ["loss: not finite", "domain"]),
]


def _bad_spec(name: str) -> Derivation:
    if name == "shared":
        layers = (Layer("l", "i"), Layer("m", "j", "tanh"), Layer("m", "k", "sigmoid"))
        return derived(Network(layers, "sse"))
    return spec(name)


@pytest.mark.parametrize("name,sizes,change,fragments", [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_bad_params(name: str, sizes: Any, change: Callable[[dict], Any],
                    fragments: list[str]) -> None:
    d = _bad_spec(name)
    params = change(random_params(d.network, sizes=sizes, seed=9))
    with pytest.raises(ParamsError) as info:
        evaluate(d, params)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    assert ("transposed?" in message) == any("transposed?" in f for f in fragments), message


def test_bad_json_names_line_and_column() -> None:
    with pytest.raises(ParamsError, match=r"params: invalid JSON: .* \(at line 2, column 8\)"):
        evaluate_json(spec("regression"), '{"x": [1],\n "t": [}')


# ── PyTorch, when it is installed ──────────────────────────────────────────
def torch_outputs(torch: Any, net: Network, params: dict) -> dict:
    """The same outputs from torch.autograd in float64 (δ via retain_grad on u)."""
    f64 = dict(dtype=torch.float64, requires_grad=True)
    x = torch.tensor(params["x"], **f64)
    Ws = [torch.tensor(w, **f64) for w in params["W"]]
    bs = [torch.tensor(b, **f64) if b is not None else None for b in params["b"]]
    t = torch.tensor(params["t"], dtype=torch.float64)
    acts = {"identity": lambda u: u, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu, "softplus": torch.nn.functional.softplus,
            "softmax": lambda u: torch.softmax(u, 0)}
    losses = {"sse": lambda y: 0.5 * ((y - t) ** 2).sum(), "mse": lambda y: ((y - t) ** 2).mean(),
              "cross_entropy": lambda y: -(t * torch.log(y)).sum(),
              "binary_cross_entropy":
                  lambda y: -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).sum()}
    y, us = x, []
    for layer, W, b in zip(net.layers[1:], Ws, bs):
        u = y @ W + (b if b is not None else 0)
        u.retain_grad()
        us.append(u)
        y = acts[layer.activation](u)
    E = losses[net.loss](y)
    E.backward()
    return {"loss": E.item(), "y": y.tolist(), "delta": [u.grad.tolist() for u in us],
            "dW": [W.grad.tolist() for W in Ws],
            "db": [b.grad.tolist() if b is not None else None for b in bs], "dx": x.grad.tolist()}


TORCH_CASES = [c for n, c in enumerate(CASES) if n % 3 == 0]


@pytest.mark.parametrize("loss,act,depth", TORCH_CASES,
                         ids=[f"{l}-{a}-{d}" for l, a, d in TORCH_CASES])
def test_agrees_with_torch(loss: str, act: str, depth: int) -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed; the oracle stands alone")
    seed = CASES.index((loss, act, depth))
    net = random_network(loss, act, depth, seed)
    params = random_params(net, seed=seed)
    got = evaluate(derived(net), params)
    assert_agree(got, torch_outputs(torch, net, params), f"torch seed={seed}")


# ── targets that do not sum to one: the exact forms (symbackprop.exact) ────
TARGET_KINDS = ("soft", "label_smoothed", "unnormalised")
SPECS = sorted(p.stem for p in DERIVATIONS.glob("*.toml"))


def targets(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Targets a loss accepts beyond one-hot: a distribution, (1 − ε)·one-hot + ε/n with
    ε = 0.1, or positive numbers whose sum is not 1.  One output unit (binary cross-entropy):
    t in (0, 1), 1 − ε/2, and t > 1."""
    if kind == "soft":
        return rng.uniform(0.1, 0.9, size=1) if n == 1 else rng.dirichlet(np.ones(n))
    if kind == "label_smoothed":
        return np.array([1 - 0.05]) if n == 1 else 0.9 * np.eye(n)[rng.integers(n)] + 0.1 / n
    t = rng.uniform(0.2, 1.5, size=n)
    return t if abs(t.sum() - 1) > 0.1 else t * 2


def max_abs_difference(got: dict, want: dict) -> float:
    """max |got − want| over every number of every field (inf when a shape differs)."""
    worst = 0.0
    for field in FIELDS:
        pairs = zip(got[field], want[field]) if field in ("delta", "dW", "db") else \
            [(got[field], want[field])]
        for g, w in pairs:
            if g is None or w is None:
                assert g is None and w is None, field
                continue
            g, w = np.asarray(g, float), np.asarray(w, float)
            worst = max(worst, float(np.max(np.abs(g - w))) if g.shape == w.shape else np.inf)
    return worst


@pytest.mark.parametrize("kind", TARGET_KINDS)
@pytest.mark.parametrize("name", SPECS)
def test_targets_not_summing_to_one_agree_with_torch(name: str, kind: str) -> None:
    """eval and gradcheck on soft, label-smoothed and unnormalised targets, against
    torch.autograd in float64 (the textbook δ_k = y_k − t_k would be off by y_k(Σ t − 1))."""
    torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch): "
                                               "the oracle and gradcheck stand alone below")
    d = spec(name)
    rng = np.random.default_rng(sum(map(ord, name + kind)))
    params = random_params(d.network, seed=int(rng.integers(1000)))
    params["t"] = targets(kind, len(params["t"]), rng).tolist()
    got = evaluate(d, params)
    assert max_abs_difference(got, torch_outputs(torch, d.network, params)) <= 1e-8


@pytest.mark.parametrize("kind", TARGET_KINDS)
@pytest.mark.parametrize("name", SPECS)
def test_targets_not_summing_to_one_agree_with_oracle_and_gradcheck(name: str, kind: str) -> None:
    d = spec(name)
    rng = np.random.default_rng(sum(map(ord, name + kind)) + 1)
    params = random_params(d.network, seed=int(rng.integers(1000)))
    params["t"] = targets(kind, len(params["t"]), rng).tolist()
    assert_agree(evaluate(d, params), mlp_loss(describe(d.network), params), f"{name} {kind}")
    result = gradcheck(d, params, seed=3)
    assert result.ok, f"{name} {kind}\n{result}"


def test_the_issue_example_through_the_command_line(tmp_path: Path, capsys) -> None:
    """t = [1, 1, 0.5] with softmax + cross-entropy: δ_k = y_k Σ_{k'} t_{k'} − t_k, exit 0."""
    from symbackprop.cli import main

    params = {"x": [0.5, -1.0], "t": [1, 1, 0.5], "W": [[[0.1, 0.2], [0.3, -0.4]],
              [[0.5, -0.2, 0.1], [0.3, 0.7, -0.6]]], "b": [[0.0, 0.1], [0.2, 0.0, -0.1]]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(params))
    assert main(["eval", str(DERIVATIONS / "classification.toml"), "--params", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    y, t = np.array(out["y"]), np.array(params["t"])
    np.testing.assert_allclose(out["delta"][1], y * t.sum() - t, rtol=0, atol=1e-15)
    assert np.max(np.abs(np.array(out["delta"][1]) - (y - t))) > 0.1   # the textbook form is off


def test_a_transposed_weight_through_the_command_line(tmp_path: Path, capsys) -> None:
    from symbackprop.cli import main

    params = random_params(spec("classification").network, sizes=[4, 3, 2], seed=1)
    params["W"][1] = np.transpose(params["W"][1]).tolist()
    path = tmp_path / "p.json"
    path.write_text(json.dumps(params))
    assert main(["eval", str(DERIVATIONS / "classification.toml"), "--params", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected 3×2" in err and "got 2×3; transposed?" in err


def test_exact_forms_are_proved_for_every_target() -> None:
    """The verifier, told of no assumption, proves the exact forms and refutes the textbook
    δ_k = y_k − t_k (which it proves under Σ_k t_k = 1)."""
    from symbackprop.exact import exact_forms
    from symbackprop.verify import verify

    d = spec("classification")
    forms = exact_forms(d)
    assert forms.derivation.assumptions == () and [x.layer for x in forms.lifted] == [2]
    assert verify(d, [2, 3, 3]).verdict.status == "proved"
    assert verify(forms.derivation, [2, 3, 3]).verdict.status == "proved"
    assert verify(replace(d, assumptions=()), [2, 3, 3]).verdict.status == "refuted"


PAIRS = [(out, loss) for loss in LOSSES for out in OUTPUTS[loss]]


@pytest.mark.parametrize("out,loss", PAIRS, ids=[f"{o}-{l}" for o, l in PAIRS])
def test_only_softmax_cross_entropy_leans_on_an_assumption(out: str, loss: str) -> None:
    """Per output activation and loss: which results the exact forms change (only δ of a
    softmax + cross-entropy output), and that those forms need no assumption (verify)."""
    from symbackprop.exact import exact_forms
    from symbackprop.verify import verify

    net = Network((Layer(2, "i"), Layer(3, "j", "tanh"), Layer(3, "k", out)), loss)
    forms = exact_forms(derived(net))
    assert [(x.layer, x.lhs) for x in forms.lifted] == (
        [(2, net.symbols[2].delta[net.symbols[2].index])]
        if (out, loss) == ("softmax", "cross_entropy") else [])
    assert verify(forms.derivation).verdict.status == "proved"


def test_a_form_changed_after_the_assumption_keeps_its_values_where_the_assumption_holds() -> None:
    """R edited after the assumption step (here negated): the numbers use R + (G − A(G)), which
    is R for one-hot targets (so gradcheck still sees the sign error) and adds y(Σ t − 1)."""
    d = broken(spec("classification"), 2, "delta")
    params = random_params(d.network, sizes=[2, 3, 4], seed=10)
    for t in ([0.0, 1.0, 0.0, 0.0], [0.5, 1.0, 0.25, 1.0]):
        params["t"] = t
        out = evaluate(d, params)
        y, t = np.array(out["y"]), np.array(t)
        np.testing.assert_allclose(out["delta"][1], -(y - t) + y * (t.sum() - 1), atol=1e-15)
