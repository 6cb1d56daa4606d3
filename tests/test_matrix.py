"""The batch form: NumPy built from the derivation agrees with finite differences of the batch loss."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from symbackprop.derive import derive
from symbackprop.matrix import batch_backprop, matrix_forms
from symbackprop.model import Layer, Network

ACTS = ["identity", "sigmoid", "tanh", "relu", "softplus", "softmax"]
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]


def random_case(net: Network, sizes, batch: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.5, size=(batch, sizes[0]))
    Ws = [rng.normal(scale=0.5, size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    bs = [rng.normal(size=b) if l.bias else None for b, l in zip(sizes[1:], net.layers[1:])]
    n = sizes[-1]
    if net.loss == "cross_entropy":
        T = np.eye(n)[rng.integers(0, n, size=batch)]
    else:
        T = rng.uniform(0.1, 0.9, size=(batch, n))
    return X, T, Ws, bs


def central_difference(f, arrays, eps=1e-5):
    grads = []
    for A in arrays:
        if A is None:
            grads.append(None)
            continue
        G = np.zeros_like(A)
        for idx in np.ndindex(A.shape):
            old = A[idx]
            A[idx] = old + eps
            hi = f()
            A[idx] = old - eps
            lo = f()
            A[idx] = old
            G[idx] = (hi - lo) / (2 * eps)
        grads.append(G)
    return grads


@pytest.mark.parametrize("hidden,output,loss", [
    (h, o, l) for h, o, l in itertools.product(ACTS, ACTS, LOSSES)
    if not (l == "binary_cross_entropy" and o in ("identity", "relu", "tanh", "softplus"))
    and not (l == "cross_entropy" and o in ("identity", "relu", "tanh", "softplus"))
])
def test_batch_form_matches_finite_differences(hidden, output, loss):
    seed = zlib.crc32(f"{hidden}|{output}|{loss}".encode())
    net = Network((Layer(3, "i"), Layer(4, "j", hidden), Layer(3, "k", output, bias=hidden != "relu")), loss)
    run = batch_backprop(derive(net))
    X, T, Ws, bs = random_case(net, (3, 4, 3), batch=5, seed=seed)
    out = run(X, T, Ws, bs)
    loss_of = lambda: run(X, T, Ws, bs)["loss"]  # noqa: E731
    num_W = central_difference(loss_of, Ws)
    num_b = central_difference(loss_of, bs)
    num_x = central_difference(loss_of, [X])[0]
    for got, want in zip(out["dW"] + out["db"] + [out["dx"]], num_W + num_b + [num_x]):
        if want is None:
            assert got is None
            continue
        err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
        assert err < 1e-6, f"seed={seed} err={err}"


SOFT = [("softmax", "cross_entropy"), ("sigmoid", "cross_entropy"), ("softplus", "cross_entropy"),
        ("softmax", "binary_cross_entropy"), ("sigmoid", "binary_cross_entropy"),
        ("softmax", "sse"), ("identity", "mse")]


@pytest.mark.parametrize("output,loss", SOFT)
def test_batch_form_is_exact_for_targets_not_summing_to_one(output, loss):
    """Rows of T that are distributions, or positive with sums 2 … 4: the batch Δ is the exact
    form (softmax + cross-entropy: Y ⊙ rowsum(T) − T), so it matches finite differences."""
    seed = zlib.crc32(f"soft|{output}|{loss}".encode())
    net = Network((Layer(3, "i"), Layer(4, "j", "tanh"), Layer(3, "k", output)), loss)
    run = batch_backprop(derive(net))
    X, _, Ws, bs = random_case(net, (3, 4, 3), batch=4, seed=seed)
    rng = np.random.default_rng(seed)
    for T in (rng.dirichlet(np.ones(3), 4), rng.uniform(0.7, 1.3, size=(4, 3))):
        out = run(X, T, Ws, bs)
        loss_of = lambda: run(X, T, Ws, bs)["loss"]  # noqa: E731
        for got, want in zip(out["dW"] + out["db"] + [out["dx"]],
                             central_difference(loss_of, Ws) + central_difference(loss_of, bs)
                             + central_difference(loss_of, [X])):
            err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
            assert err < 1e-6, f"seed={seed} rowsums={T.sum(axis=1)} err={err}"


def test_matrix_latex_names_follow_notation():
    net = Network((Layer(2, "i"), Layer(3, "j", "sigmoid", bias=False), Layer(2, "k", "softmax")),
                  "cross_entropy")
    forms = {m.layer: m for m in matrix_forms(derive(net))}
    assert forms[2].delta == "{Y^{(2)}} - T"
    assert forms[2].weight == r"{Y^{(1)}}^{\top} {\Delta^{(2)}}"
    assert forms[1].bias is None
    assert r"\odot" in forms[1].delta
