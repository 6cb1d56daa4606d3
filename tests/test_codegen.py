"""Generated NumPy code: agrees with batch_backprop and with torch.autograd, is valid, deterministic Python."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from symbackprop.codegen import CodegenError, compile, generate
from symbackprop.cli import build_parser
from symbackprop.derive import Derivation, derive
from symbackprop.matrix import batch_backprop
from symbackprop.model import Layer, Network
from symbackprop.spec import load

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "derivations").glob("*.toml"))
ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "softplus", "softmax"]
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]
#: Output activations whose values lie in the loss's domain (log y, log(1 − y)).
OUTPUTS = {"sse": ACTIVATIONS, "mse": ACTIVATIONS,
           "cross_entropy": ["sigmoid", "softplus", "softmax"],
           "binary_cross_entropy": ["sigmoid", "softmax"]}
PAIRS = [(h, o, l) for h, l in itertools.product(ACTIVATIONS, LOSSES) for o in OUTPUTS[l]]

_DERIVED: dict[Network, Derivation] = {}


def derived(net: Network) -> Derivation:
    if net not in _DERIVED:
        _DERIVED[net] = derive(net)
    return _DERIVED[net]


def two_layer(hidden: str, output: str, loss: str) -> Network:
    seed = zlib.crc32(f"{hidden}|{output}|{loss}".encode())
    return Network((Layer(3, "i"), Layer(4, "j", hidden, bias=seed % 3 != 0),
                    Layer(3, "k", output, bias=seed % 5 != 0)), loss)


def deep(seed: int) -> Network:
    rng = np.random.default_rng(seed)
    loss = LOSSES[seed % len(LOSSES)]
    depth = 3 + seed % 3
    letters = "ijkpqrs"
    layers = [Layer(int(rng.integers(2, 6)), "i")]
    for n in range(1, depth + 1):
        act = str(rng.choice(OUTPUTS[loss] if n == depth else ACTIVATIONS))
        layers.append(Layer(int(rng.integers(2, 6)), letters[n], act, bias=bool(rng.integers(0, 2))))
    return Network(tuple(layers), loss)


def concrete(net: Network) -> tuple[int, ...]:
    """The spec's widths, symbols set to 3, 4, 5, …."""
    return tuple(int(l.size) if l.size.is_Integer else 3 + n for n, l in enumerate(net.layers))


def batch(net: Network, sizes, seed: int, rows: int = 7, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=scale, size=(rows, sizes[0]))
    Ws = [rng.normal(scale=scale, size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    bs = [rng.normal(scale=scale, size=b) if l.bias else None for b, l in zip(sizes[1:], net.layers[1:])]
    n = sizes[-1]
    if net.loss == "cross_entropy" and n > 1:
        T = np.eye(n)[rng.integers(0, n, size=rows)]
    else:
        T = rng.uniform(0.1, 0.9, size=(rows, n))
    return X, T, Ws, bs


def close(got, want, rtol: float, what: str) -> None:
    """Entrywise |got − want| ≤ rtol·(|want| + max|want|)  (relative to the array's scale)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    err = np.max(np.abs(got - want) / (np.abs(want) + scale)) if want.size else 0.0
    assert err <= rtol, f"{what}: relative error {err:.3g} > {rtol:g}"


def agree(got: dict, want: dict, rtol: float, what: str) -> None:
    close(got["loss"], want["loss"], rtol, f"{what} loss")
    close(got["dx"], want["dx"], rtol, f"{what} dx")
    for key in ("dW", "db"):
        assert len(got[key]) == len(want[key])
        for n, (g, w) in enumerate(zip(got[key], want[key]), start=1):
            if w is None:
                assert g is None, f"{what} {key}[{n}] should be None"
            else:
                close(g, w, rtol, f"{what} {key}[{n}]")
    if "y" in want:
        close(got["y"], want["y"], rtol, f"{what} y")
    if "delta" in want:
        for n, (g, w) in enumerate(zip(got["delta"], want["delta"]), start=1):
            close(g, w, rtol, f"{what} delta[{n}]")


# ── against the batch form of symbackprop.matrix ───────────────────────────
@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_spec_matches_batch_backprop(spec: Path) -> None:
    net = load(spec)
    d = derived(net)
    X, T, Ws, bs = batch(net, concrete(net), seed=zlib.crc32(spec.stem.encode()))
    agree(compile(d).gradients(X, T, Ws, bs), batch_backprop(d)(X, T, Ws, bs), 1e-10, spec.stem)


@pytest.mark.parametrize("hidden,output,loss", PAIRS)
def test_two_layer_networks_match_batch_backprop(hidden: str, output: str, loss: str) -> None:
    net = two_layer(hidden, output, loss)
    d = derived(net)
    X, T, Ws, bs = batch(net, (3, 4, 3), seed=zlib.crc32(f"{hidden}{output}{loss}".encode()))
    c = compile(d)
    got = c.gradients(X, T, Ws, bs)
    agree(got, batch_backprop(d)(X, T, Ws, bs), 1e-10, f"{hidden}/{output}/{loss}")
    assert c.loss(X, T, Ws, bs) == got["loss"]
    np.testing.assert_array_equal(c.forward(X, Ws, bs), got["y"])


@pytest.mark.parametrize("seed", range(8))
def test_deep_random_networks_match_batch_backprop(seed: int) -> None:
    net = deep(seed)
    d = derived(net)
    X, T, Ws, bs = batch(net, concrete(net), seed)
    agree(compile(d).gradients(X, T, Ws, bs), batch_backprop(d)(X, T, Ws, bs), 1e-10,
          f"seed={seed} {[l.activation for l in net.layers[1:]]} {net.loss}")


# ── against torch.autograd (an independent engine), when torch is installed ─
def torch_gradients(torch, net: Network, X, T, Ws, bs, dtype, loss=None) -> dict:
    """Loss and gradients by torch.autograd, with the loss written the way a torch user would
    (``loss(u, y)``, given, replaces it: u and y are the output layer's)."""
    F = torch.nn.functional
    leaf = lambda a: torch.tensor(np.asarray(a), dtype=dtype, requires_grad=True)  # noqa: E731
    x, Wt = leaf(X), [leaf(W) for W in Ws]
    bt = [leaf(b) if b is not None else None for b in bs]
    t = torch.tensor(np.asarray(T), dtype=dtype)
    acts = {"identity": lambda u: u, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu, "softplus": F.softplus, "softmax": lambda u: torch.softmax(u, 1)}
    y, u = x, None
    for layer, W, b in zip(net.layers[1:], Wt, bt):
        u = y @ W + (b if b is not None else 0)
        y = acts[layer.activation](u)
    out = net.layers[-1].activation
    if loss is not None:
        E = loss(u, y)
    elif net.loss == "sse":
        E = 0.5 * ((y - t) ** 2).sum()
    elif net.loss == "mse":
        E = ((y - t) ** 2).sum() / y.shape[1]
    elif net.loss == "cross_entropy" and out == "softmax":   # soft targets allowed (torch ≥ 1.10)
        E = F.cross_entropy(u, t, reduction="sum")
    elif net.loss == "cross_entropy":
        logy = {"softmax": lambda: torch.log_softmax(u, 1), "sigmoid": lambda: F.logsigmoid(u)}.get(
            out, lambda: torch.log(y))()
        E = -(t * logy).sum()
    elif out == "sigmoid":
        E = F.binary_cross_entropy_with_logits(u, t, reduction="sum")
    else:
        E = -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).sum()
    params = [x] + Wt + [b for b in bt if b is not None]
    grads = iter(torch.autograd.grad(E, params))
    dx = next(grads).numpy()
    dW = [next(grads).numpy() for _ in Wt]
    db = [next(grads).numpy() if b is not None else None for b in bt]
    return {"loss": E.item(), "y": y.detach().numpy(), "dW": dW, "db": db, "dx": dx}


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _torch():
    return pytest.importorskip("torch", reason="torch is not installed (pip install torch): "
                                               "the batch_backprop comparison stands alone")


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_spec_matches_torch(spec: Path) -> None:
    torch = _torch()
    net = load(spec)
    X, T, Ws, bs = batch(net, concrete(net), seed=zlib.crc32(spec.stem.encode()) + 1)
    want = torch_gradients(torch, net, X, T, Ws, bs, torch.float64)
    agree(compile(derived(net)).gradients(X, T, Ws, bs), want, 1e-10, spec.stem)


@pytest.mark.parametrize("hidden,output,loss", PAIRS)
def test_two_layer_networks_match_torch(hidden: str, output: str, loss: str) -> None:
    torch = _torch()
    net = two_layer(hidden, output, loss)
    X, T, Ws, bs = batch(net, (3, 4, 3), seed=zlib.crc32(f"torch{hidden}{output}{loss}".encode()))
    want = torch_gradients(torch, net, X, T, Ws, bs, torch.float64)
    agree(compile(derived(net)).gradients(X, T, Ws, bs), want, 1e-10, f"{hidden}/{output}/{loss}")


@pytest.mark.parametrize("seed", range(8))
def test_deep_random_networks_match_torch(seed: int) -> None:
    torch = _torch()
    net = deep(seed)
    X, T, Ws, bs = batch(net, concrete(net), seed + 100)
    want = torch_gradients(torch, net, X, T, Ws, bs, torch.float64)
    agree(compile(derived(net)).gradients(X, T, Ws, bs), want, 1e-10, f"seed={seed}")


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_float32_stays_float32_and_matches_torch(spec: Path) -> None:
    torch = _torch()
    net = load(spec)
    X, T, Ws, bs = batch(net, concrete(net), seed=5)
    as32 = lambda a: None if a is None else np.asarray(a, dtype=np.float32)  # noqa: E731
    X, T, Ws, bs = as32(X), as32(T), [as32(W) for W in Ws], [as32(b) for b in bs]
    got = compile(derived(net), dtype="float32").gradients(X, T, Ws, bs)
    for key in ("y", "dx"):
        assert got[key].dtype == np.float32, key
    for key in ("delta", "dW", "db"):
        assert all(a is None or a.dtype == np.float32 for a in got[key]), key
    agree(got, torch_gradients(torch, net, X, T, Ws, bs, torch.float32), 2e-5, spec.stem)


# ── targets that do not sum to one (symbackprop.exact) ─────────────────────
TARGET_KINDS = ("soft", "label_smoothed", "unnormalised")
SMOOTHING = 0.1


def soft_batch(net: Network, kind: str, seed: int):
    """A batch whose targets a loss accepts beyond one-hot: rows that are distributions,
    label-smoothed rows (1 − ε)·one-hot + ε/n (and the class of each row), or positive rows
    whose sums are not 1.  One output unit: t in (0, 1), 1 − ε/2, t > 1."""
    X, _, Ws, bs = batch(net, concrete(net), seed)
    rng = np.random.default_rng(seed)
    rows, n = X.shape[0], concrete(net)[-1]
    labels = rng.integers(0, n, size=rows)
    if kind == "soft":
        T = rng.uniform(0.1, 0.9, size=(rows, 1)) if n == 1 else rng.dirichlet(np.ones(n), rows)
    elif kind == "label_smoothed":
        T = (1 - SMOOTHING) * np.eye(n)[labels] + SMOOTHING / (n if n > 1 else 2)
    else:
        T = rng.uniform(0.2, 1.5, size=(rows, n)) + (1.0 if n == 1 else 0.0)
        assert np.all(np.abs(T.sum(axis=1) - 1) > 1e-3)
    return X, T, Ws, bs, labels


def max_abs_difference(got: dict, want: dict) -> float:
    """max |got − want| over loss, y, dW, db and dx."""
    pairs = [(got["loss"], want["loss"]), (got["y"], want["y"]), (got["dx"], want["dx"])]
    pairs += list(zip(got["dW"], want["dW"])) + [(g, w) for g, w in zip(got["db"], want["db"])
                                                  if w is not None]
    return max(float(np.max(np.abs(np.asarray(g, float) - np.asarray(w, float))))
               for g, w in pairs)


@pytest.mark.parametrize("kind", TARGET_KINDS)
@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_targets_not_summing_to_one_match_torch(spec: Path, kind: str) -> None:
    """codegen and the batch form against torch.autograd (float64, to 1e-8); label smoothing
    of a softmax + cross-entropy network is torch's own (``label_smoothing=ε``)."""
    torch = _torch()
    net = load(spec)
    d = derived(net)
    X, T, Ws, bs, labels = soft_batch(net, kind, seed=zlib.crc32(f"{spec.stem}{kind}".encode()))
    loss = None
    if kind == "label_smoothed" and net.layers[-1].activation == "softmax" \
            and net.loss == "cross_entropy":
        index = torch.tensor(labels)
        loss = lambda u, y: torch.nn.functional.cross_entropy(  # noqa: E731
            u, index, label_smoothing=SMOOTHING, reduction="sum")
    want = torch_gradients(torch, net, X, T, Ws, bs, torch.float64, loss)
    assert max_abs_difference(compile(d).gradients(X, T, Ws, bs), want) <= 1e-8
    assert max_abs_difference(batch_backprop(d)(X, T, Ws, bs), want) <= 1e-8


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_module_docstring_states_the_assumptions(spec: Path) -> None:
    """Every module says what it relies on: nothing; where the derivation assumed Σ_k t_k = 1,
    it names the textbook δ, the assumption and the exact form it uses instead."""
    net = load(spec)
    doc = ast.get_docstring(ast.parse(generate(derived(net))))
    assert "Assumptions: none" in doc
    lifted = net.loss == "cross_entropy" and net.layers[-1].activation == "softmax"
    k = str(net.symbols[-1].index)
    assert ("= 1 (targets_sum_to_one)" in doc) == lifted
    if lifted:
        # the sums as symbackprop.printing writes them (Σ_k=1..n or Σ_{k=1}^{n})
        assert f"δ_{k} = y_{k} − t_{k} assumes Σ" in doc and f"t_{k} = 1 (targets_sum_to_one)" in doc
        assert f"used here instead: δ_{k} = y_{k}" in doc and f"t_{k}'" in doc and f"− t_{k}" in doc
        assert "T.sum(axis=1, keepdims=True)" in doc
    assert ("ReLU′(0) = H(0) = 0" in doc) == any(l.activation == "relu" for l in net.layers[1:])


def test_out_overwrites_the_gradient_arrays_of_an_earlier_result() -> None:
    net = load(ROOT / "derivations" / "deep_tanh_relu.toml")
    c = compile(derived(net))
    first = c.gradients(*batch(net, concrete(net), seed=11))
    kept = [id(a) for a in first["dW"] + first["db"] + [first["dx"]] if a is not None]
    X, T, Ws, bs = batch(net, concrete(net), seed=12)
    again = c.gradients(X, T, Ws, bs, out=first)
    assert [id(a) for a in again["dW"] + again["db"] + [again["dx"]] if a is not None] == kept
    agree(again, c.gradients(X, T, Ws, bs), 0.0, "out=")


# ── numerical stability ────────────────────────────────────────────────────
def test_softmax_cross_entropy_with_huge_logits_stays_finite() -> None:
    net = load(ROOT / "derivations" / "classification.toml")
    X, T, Ws, bs = batch(net, (3, 4, 5), seed=3)
    Ws[1] *= 2000.0  # logits in the thousands: exp overflows without the shift
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        got = compile(derived(net)).gradients(X, T, Ws, bs)
    assert np.isfinite(got["loss"]) and got["loss"] > 0
    assert all(np.all(np.isfinite(a)) for a in got["dW"] + [got["dx"]])
    torch = _torch_or_none()
    if torch is not None:
        agree(got, torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "huge logits")


def test_binary_cross_entropy_with_saturated_sigmoid_stays_finite() -> None:
    net = load(ROOT / "derivations" / "binary_classifier.toml")
    X, T, Ws, bs = batch(net, (3, 4, 1), seed=4)
    Ws[1] *= 500.0  # σ(u) rounds to 0 or 1: log(1 − y) would be −inf
    got = compile(derived(net)).gradients(X, T, Ws, bs)
    assert np.isfinite(got["loss"])
    torch = _torch_or_none()
    if torch is not None:
        agree(got, torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "saturated")


def test_sigmoid_of_large_negative_input_is_exactly_zero_without_warnings() -> None:
    mod = compile(derived(two_layer("sigmoid", "sigmoid", "sse"))).module
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = mod.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


# ── the written module ─────────────────────────────────────────────────────
@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_written_module_is_self_contained_python(spec: Path) -> None:
    source = generate(derived(load(spec)), source=f"derivations/{spec.name}")
    builtins_compile = __builtins__["compile"] if isinstance(__builtins__, dict) else __builtins__.compile
    builtins_compile(source, spec.name, "exec")
    tree = ast.parse(source)
    imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"numpy"}
    doc = ast.get_docstring(tree)
    assert f"derivations/{spec.name}" in doc and "Δ" in doc and "Generated by symbackprop" in doc


def test_cli_writes_an_importable_module(tmp_path: Path) -> None:
    parser = build_parser()
    out = tmp_path / "classification_backprop.py"
    args = parser.parse_args(["codegen", str(ROOT / "derivations" / "classification.toml"),
                              "--target", "numpy", "-o", str(out)])
    assert args.run(args) == 0
    spec = importlib.util.spec_from_file_location("classification_backprop", out)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert not any(name.startswith("symbackprop") for name in vars(mod))
    net = load(ROOT / "derivations" / "classification.toml")
    X, T, Ws, bs = batch(net, (3, 4, 5), seed=8)
    agree(mod.gradients(X, T, Ws, bs), batch_backprop(derived(net))(X, T, Ws, bs), 1e-10, "cli")


def test_cli_float32_to_stdout(capsys) -> None:
    parser = build_parser()
    args = parser.parse_args(["codegen", str(ROOT / "derivations" / "perceptron.toml"),
                              "--dtype", "float32"])
    assert args.run(args) == 0
    assert "DTYPE = np.float32" in capsys.readouterr().out


def test_generation_is_deterministic_across_processes() -> None:
    code = ("from symbackprop.codegen import generate; from symbackprop.spec import load; "
            "import sys; sys.stdout.write(generate(load('derivations/deep_tanh_relu.toml'), "
            "source='derivations/deep_tanh_relu.toml'))")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        outs.append(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                                   capture_output=True, text=True).stdout)
    assert outs[0] == outs[1]
    assert outs[0] == generate(derived(load(ROOT / "derivations" / "deep_tanh_relu.toml")),
                               source="derivations/deep_tanh_relu.toml")


# ── errors ─────────────────────────────────────────────────────────────────
def test_wrong_parameter_lists_are_reported() -> None:
    net = two_layer("relu", "sigmoid", "sse")   # layer 1 has no bias (crc32 % 3 == 0) or has one
    c = compile(derived(net))
    X, T, Ws, bs = batch(net, (3, 4, 3), seed=1)
    with pytest.raises(ValueError, match="2 weight matrices"):
        c.gradients(X, T, Ws[:1], bs[:1])
    missing = next((n for n, b in enumerate(bs) if b is None), None)
    if missing is not None:
        bad = list(bs)
        bad[missing] = np.zeros(Ws[missing].shape[1])
        with pytest.raises(ValueError, match=f"layer {missing + 1} has no bias"):
            c.gradients(X, T, Ws, bad)


def test_unknown_dtype_and_target_name_the_allowed_values() -> None:
    d = derived(two_layer("tanh", "identity", "sse"))
    with pytest.raises(CodegenError, match="allowed: float64, float32"):
        compile(d, dtype="int8")
    with pytest.raises(CodegenError, match="allowed: numpy, torch"):
        generate(d, target="c")
