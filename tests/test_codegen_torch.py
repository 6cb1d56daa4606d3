"""``codegen --target torch``: plain torch tensor ops (no autograd) against torch.autograd and the NumPy target.

Every activation and loss of the registries is written in the torch target and checked at a
tiny size in float64 against torch.autograd (to 1e-10).  Skipped cleanly without torch.
"""

from __future__ import annotations

import ast
import importlib.util
import zlib
from pathlib import Path

import numpy as np
import pytest

from symbackprop.codegen import CodegenError, compile, generate
from symbackprop.cli import build_parser
from symbackprop.rules import ACTIVATIONS as ACTIVATION_RULES
from symbackprop.rules import LOSSES as LOSS_RULES
from symbackprop.spec import load

from .test_codegen import (ACTIVATIONS, LOSSES, PAIRS, ROOT, SPECS, agree, batch, concrete, deep,
                           derived, torch_gradients, two_layer)

torch = pytest.importorskip("torch", reason="torch is not installed: the torch target is not tested")


def numpy_result(got: dict) -> dict:
    """A torch result with every tensor as a NumPy array (for the comparisons of test_codegen)."""
    conv = lambda a: None if a is None else (a if isinstance(a, float) else a.numpy())  # noqa: E731
    return {"loss": got["loss"], "y": conv(got["y"]), "dx": conv(got["dx"]),
            "dW": [conv(a) for a in got["dW"]], "db": [conv(a) for a in got["db"]],
            "delta": [conv(a) for a in got["delta"]]}


def test_every_registered_activation_and_loss_is_covered() -> None:
    """The pairs below run through the registries the codegen reads: nothing is left out."""
    assert set(ACTIVATIONS) == set(ACTIVATION_RULES)
    assert set(LOSSES) == set(LOSS_RULES)


@pytest.mark.parametrize("hidden,output,loss", PAIRS)
def test_two_layer_networks_match_autograd(hidden: str, output: str, loss: str) -> None:
    net = two_layer(hidden, output, loss)
    X, T, Ws, bs = batch(net, (3, 4, 3), seed=zlib.crc32(f"target torch{hidden}{output}{loss}".encode()))
    c = compile(derived(net), target="torch")
    got = c.gradients(X, T, Ws, bs)
    assert isinstance(got["loss"], float) and got["y"].dtype == torch.float64
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10,
          f"{hidden}/{output}/{loss}")
    agree(numpy_result(got), compile(derived(net)).gradients(X, T, Ws, bs), 1e-12, "numpy target")
    assert c.loss(X, T, Ws, bs) == got["loss"]
    assert torch.equal(c.forward(X, Ws, bs), got["y"])


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_spec_matches_autograd(spec: Path) -> None:
    net = load(spec)
    X, T, Ws, bs = batch(net, concrete(net), seed=zlib.crc32(spec.stem.encode()) + 7)
    got = compile(derived(net), target="torch").gradients(X, T, Ws, bs)
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, spec.stem)


@pytest.mark.parametrize("seed", range(6))
def test_deep_random_networks_match_autograd(seed: int) -> None:
    net = deep(seed)
    X, T, Ws, bs = batch(net, concrete(net), seed + 300)
    got = compile(derived(net), target="torch").gradients(X, T, Ws, bs)
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10,
          f"seed={seed} {[l.activation for l in net.layers[1:]]} {net.loss}")


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_float32_stays_float32(spec: Path) -> None:
    net = load(spec)
    X, T, Ws, bs = batch(net, concrete(net), seed=5)
    as32 = lambda a: None if a is None else np.asarray(a, dtype=np.float32)  # noqa: E731
    X, T, Ws, bs = as32(X), as32(T), [as32(W) for W in Ws], [as32(b) for b in bs]
    got = compile(derived(net), dtype="float32", target="torch").gradients(X, T, Ws, bs)
    for key in ("y", "dx"):
        assert got[key].dtype == torch.float32, key
    for key in ("delta", "dW", "db"):
        assert all(a is None or a.dtype == torch.float32 for a in got[key]), key
    assert all(a.dtype == torch.float32 for a in got["work"].values() if a is not None)
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float32), 2e-5, spec.stem)


def test_tensors_that_require_grad_are_accepted_and_no_graph_is_built() -> None:
    net = load(ROOT / "derivations" / "deep_tanh_relu.toml")
    X, T, Ws, bs = batch(net, concrete(net), seed=21)
    leaf = lambda a: None if a is None else torch.tensor(a, requires_grad=True)  # noqa: E731
    got = compile(derived(net), target="torch").gradients(leaf(X), torch.tensor(T), [leaf(W) for W in Ws],
                                                           [leaf(b) for b in bs])
    assert not got["dW"][0].requires_grad and got["dW"][0].grad_fn is None
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "leaves")


@pytest.mark.parametrize("target", ["numpy", "torch"])
def test_out_reuses_every_buffer(target: str) -> None:
    """With out= an earlier result, the call allocates no array: every buffer is the earlier one."""
    net = load(ROOT / "derivations" / "deep_tanh_relu.toml")
    c = compile(derived(net), target=target)
    first = c.gradients(*batch(net, concrete(net), seed=11))
    kept = {name: id(a) for name, a in first["work"].items() if a is not None}
    X, T, Ws, bs = batch(net, concrete(net), seed=12)
    fresh = c.gradients(X, T, Ws, bs)
    again = c.gradients(X, T, Ws, bs, out=first)
    assert {name: id(a) for name, a in again["work"].items() if a is not None} == kept
    assert [id(a) for a in again["dW"]] == [id(a) for a in first["dW"]]
    as_np = numpy_result if target == "torch" else (lambda r: r)
    agree(as_np(again), as_np(fresh), 0.0, "out=")


def test_softmax_cross_entropy_with_huge_logits_stays_finite() -> None:
    net = load(ROOT / "derivations" / "classification.toml")
    X, T, Ws, bs = batch(net, (3, 4, 5), seed=3)
    Ws[1] *= 2000.0
    got = compile(derived(net), target="torch").gradients(X, T, Ws, bs)
    assert np.isfinite(got["loss"]) and all(torch.isfinite(a).all() for a in got["dW"] + [got["dx"]])
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "huge logits")


def test_binary_cross_entropy_with_saturated_sigmoid_stays_finite() -> None:
    net = load(ROOT / "derivations" / "binary_classifier.toml")
    X, T, Ws, bs = batch(net, (3, 4, 1), seed=4)
    Ws[1] *= 500.0
    got = compile(derived(net), target="torch").gradients(X, T, Ws, bs)
    assert np.isfinite(got["loss"])
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "saturated")


# ── the written modules import only their library ─────────────────────────
def _imports(source: str) -> set[str]:
    tree = ast.parse(source)
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_each_target_imports_only_its_library(spec: Path) -> None:
    d = derived(load(spec))
    assert _imports(generate(d, target="numpy")) == {"numpy"}
    source = generate(d, target="torch", source=f"derivations/{spec.name}")
    assert _imports(source) == {"torch"} and "np." not in source
    assert "needs only PyTorch" in ast.get_docstring(ast.parse(source))


def test_cli_target_torch_writes_an_importable_module(tmp_path: Path) -> None:
    parser = build_parser()
    out = tmp_path / "deep_backprop_torch.py"
    spec_path = ROOT / "derivations" / "deep_tanh_relu.toml"
    args = parser.parse_args(["codegen", str(spec_path), "--target", "torch", "--dtype", "float32",
                              "-o", str(out)])
    assert args.run(args) == 0
    spec = importlib.util.spec_from_file_location("deep_backprop_torch", out)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.DTYPE is torch.float32
    net = load(spec_path)
    X, T, Ws, bs = batch(net, concrete(net), seed=8)
    want = compile(derived(net), dtype="float32").gradients(X, T, Ws, bs)
    agree(numpy_result(mod.gradients(X, T, Ws, bs)), want, 2e-5, "cli torch")


def test_unknown_target_names_the_allowed_ones() -> None:
    with pytest.raises(CodegenError, match="allowed: numpy, torch"):
        generate(derived(two_layer("tanh", "identity", "sse")), target="jax")


def test_forward_products_in_blocks_of_the_inner_dimension_match_autograd() -> None:
    """A short batch and inner widths ≥ 1024 take the blocked product of the torch ``linear``
    kernel (with a last block shorter than 512, with and without bias)."""
    net = load(ROOT / "derivations" / "deep_tanh_relu.toml")
    sizes = (1100, 1030, 6, 5, 4)
    X, T, Ws, bs = batch(net, sizes, seed=31, scale=0.05)
    got = compile(derived(net), target="torch").gradients(X, T, Ws, bs)
    agree(numpy_result(got), torch_gradients(torch, net, X, T, Ws, bs, torch.float64), 1e-10, "blocked")
    assert "out.addmm_(y[:, k:k + 512], w[k:k + 512])" in compile(derived(net), target="torch").source


# ── step: the derived update rules against torch.optim.SGD ────────────────
TRAINED = ROOT / "derivations" / "minibatch_classifier.toml"


def torch_sgd(net, X, T, Ws, bs, lr: float, steps: int) -> tuple[list, list]:
    """The same network in torch (u = y @ W + b, the spec's activations), the loss of a batch the
    mean of the examples' cross-entropies, trained by ``torch.optim.SGD`` for ``steps`` steps."""
    params = [torch.nn.Parameter(torch.tensor(W, dtype=torch.float64)) for W in Ws]
    biases = [torch.nn.Parameter(torch.tensor(b, dtype=torch.float64)) for b in bs]
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    acts = {"sigmoid": torch.sigmoid, "softmax": lambda u: torch.softmax(u, 1)}
    opt = torch.optim.SGD(params + biases, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        y = x
        for layer, W, b in zip(net.layers[1:], params, biases):
            y = acts[layer.activation](y @ W + b)
        loss = -(t * torch.log(y)).sum(1).mean()
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in params], [b.detach().numpy() for b in biases]


@pytest.mark.parametrize("target", ["numpy", "torch"])
def test_step_matches_torch_sgd(target: str) -> None:
    """Two steps of the generated ``step`` agree with two steps of torch.optim.SGD to 1e-10."""
    net = load(TRAINED)
    X, T, Ws, bs = batch(net, concrete(net), seed=11, rows=5)
    c = compile(derived(net), target=target)
    params = {"W": Ws, "b": bs}
    for _ in range(2):
        params = c.step(params, X, T, 0.3)
    want_W, want_b = torch_sgd(net, X, T, Ws, bs, 0.3, 2)
    conv = (lambda a: a.numpy()) if target == "torch" else (lambda a: a)  # noqa: E731
    worst = max(float(np.max(np.abs(conv(g) - w))) for g, w in zip(params["W"] + params["b"], want_W + want_b))
    assert worst < 1e-10, worst
    assert not np.array_equal(Ws[0], conv(params["W"][0]))  # it moved


def test_step_leaves_its_arguments_unchanged_and_exists_only_with_training() -> None:
    net = load(TRAINED)
    X, T, Ws, bs = batch(net, concrete(net), seed=12, rows=3)
    before = [W.copy() for W in Ws]
    compile(derived(net)).step({"W": Ws, "b": bs}, X, T, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip(before, Ws))
    with pytest.raises(CodegenError, match="no \\[training\\] table"):
        compile(derived(load(ROOT / "derivations" / "classification.toml"))).step({"W": Ws, "b": bs}, X, T, 0.1)
