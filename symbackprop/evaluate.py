"""Numbers from the closed forms: every formula of a Derivation, lambdified and run.

Forward (the definitions of :func:`~symbackprop.derive.derive`), for ℓ = 1 … L:

    u^ℓ_a = Σ_p y^{ℓ−1}_p w^ℓ_{pa} + b^ℓ_a,   y^ℓ = f_ℓ(u^ℓ),   E = loss(y^L, t),   y^0 = x.

Backward, from the output down: δ^ℓ_a, ∂E/∂w^ℓ_{pa}, ∂E/∂b^ℓ_a and ∂E/∂y^{ℓ−1}_p are the
derived closed forms with every stated assumption lifted (:mod:`~symbackprop.exact`:
softmax + cross-entropy gives δ_k = y_k Σ_{k'} t_{k'} − t_k, exact for any t, where the
derivation writes y_k − t_k under Σ_k t_k = 1), in index form with symbolic widths and
``Sum``, lambdified to NumPy and evaluated at every value of their free indices at once
(the indices are passed as broadcasting ``arange`` arrays).  Arrays are 1-based: index 0 is padded with NaN, so an
off-by-one would show.  No separate numeric backprop exists here.

Conventions: ReLU′ = H with H(0) = 0 (as PyTorch and JAX do), whatever SymPy's H(0) = ½.
Parameters in and out: docs/numbers.md (checked by :mod:`~symbackprop.params`); ``W[n]``,
``b[n]`` (JSON position n = 0 … L−1) belong to layer ℓ = n + 1, and ``W[n][p][a]`` joins
neuron p below to neuron a above whatever the notation.
"""

from __future__ import annotations

import json
import math
import weakref
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np
import sympy as sp

from .derive import Derivation, Result
from .exact import exact_forms
from .model import Network
from .params import KEYS, Params, check_params, fail
from .rules.notation_table import numpy_functions

__all__ = ["KEYS", "Params", "check_params", "compile_closed_forms", "evaluate", "evaluate_json",
           "gradcheck", "random_params"]

# ── compiling closed forms ─────────────────────────────────────────────────
@dataclass(frozen=True)
class Closed:
    """One lambdified closed form lhs = rhs: ``fn(*arrays, *widths, *indices)``."""

    name: str                       # where the value is stored (``u_1``, ``delta_2``, ``E`` …)
    fn: Callable[..., Any]
    arrays: tuple[str, ...]         # IndexedBase names the formula reads
    widths: tuple[sp.Symbol, ...]   # symbolic widths it reads
    indices: tuple[sp.Symbol, ...]  # free indices, in the order of the lhs
    shape: tuple[sp.Expr, ...]      # the width each free index runs over

    def __call__(self, env: Mapping[str, np.ndarray],
                 widths: Mapping[sp.Symbol, int]) -> np.ndarray:
        """The value at every index tuple (a 0-d array when there is no free index)."""
        dims = tuple(int(sp.sympify(s).xreplace(widths)) for s in self.shape)
        mesh = np.ix_(*(np.arange(1, d + 1) for d in dims)) if dims else ()
        out = self.fn(*(env[a] for a in self.arrays), *(widths[w] for w in self.widths), *mesh)
        return np.broadcast_to(np.asarray(out, dtype=float), dims).copy()


def _lhs_indices(lhs: sp.Expr) -> tuple[sp.Symbol, ...]:
    """The free indices of an lhs: those of its one Indexed (none for E)."""
    found = list(lhs.atoms(sp.Indexed))
    if len(found) > 1:
        raise AssertionError(f"an lhs with more than one indexed quantity: {lhs}")
    return tuple(found[0].indices) if found else ()


def compile_result(name: str, result: Result, network: Network) -> Closed:
    """Lambdify ``result.rhs``; every symbol is renamed to a safe identifier (``j'`` → ``_j_p``)."""
    rhs = result.rhs
    if rhs.has(sp.Derivative):
        raise AssertionError(f"{result.name} of layer {result.layer} is not a closed form: {rhs}")
    indices = _lhs_indices(result.lhs)
    arrays = sorted({b.name for b in rhs.atoms(sp.IndexedBase)})
    labels = {b.label for b in rhs.atoms(sp.IndexedBase)}
    width_set = set(network.width_symbols())
    free = {s for s in rhs.free_symbols if isinstance(s, sp.Symbol) and s not in labels}
    stray = free - width_set - set(indices)
    if stray:
        raise AssertionError(f"{result.name} of layer {result.layer} has unknown symbols {stray}")
    widths = tuple(w for w in network.width_symbols() if w in free)
    safe: dict[sp.Symbol, sp.Symbol] = {}
    for s in sorted(rhs.atoms(sp.Symbol) | set(indices), key=str):
        base = "_" + "".join(c if c.isalnum() or c == "_" else "_p" for c in s.name)
        while base in {t.name for t in safe.values()}:
            base += "_"
        safe[s] = sp.Symbol(base)
    args = ([safe[sp.Symbol(a)] for a in arrays] + [safe[w] for w in widths]
            + [safe[i] for i in indices])
    fn = sp.lambdify(args, rhs.xreplace(safe), modules=[numpy_functions(), "numpy"])
    shape = tuple(network.ranges[i][1] for i in indices)
    return Closed(name, fn, tuple(arrays), widths, indices, shape)


@dataclass(frozen=True)
class CompiledLayer:
    """The lambdified δ, ∂E/∂w, ∂E/∂b (None without bias) and ∂E/∂y_below of one layer."""

    layer: int
    delta: Closed
    weight: Closed
    bias: Optional[Closed]
    input: Closed


@dataclass(frozen=True)
class Compiled:
    """A derivation with every closed form lambdified: forward in order, layers output-first."""

    network: Network
    forward: tuple[Closed, ...]
    layers: tuple[CompiledLayer, ...]


_CACHE: "weakref.WeakKeyDictionary[Derivation, Compiled]" = weakref.WeakKeyDictionary()


def compile_closed_forms(derivation: Derivation) -> Compiled:
    """Lambdify every exact form of ``derivation`` (:mod:`~symbackprop.exact`: no stated
    assumption relied on) once, cached per derivation."""
    hit = _CACHE.get(derivation)
    if hit is not None:
        return hit
    net = derivation.network
    exact = exact_forms(derivation).derivation
    forward = []
    for r in exact.forward:
        found = list(r.lhs.atoms(sp.Indexed))
        name = found[0].base.name if found else str(r.lhs)
        forward.append(compile_result(name, r, net))
    layers = []
    for ld in exact.layers:
        s = net.symbols[ld.layer]
        layers.append(CompiledLayer(
            ld.layer,
            compile_result(s.delta.name, ld.delta, net),
            compile_result(f"dw_{ld.layer}", ld.weight, net),
            compile_result(f"db_{ld.layer}", ld.bias, net) if ld.bias is not None else None,
            compile_result(f"dy_{ld.layer - 1}", ld.input, net),
        ))
    compiled = Compiled(net, tuple(forward), tuple(layers))
    _CACHE[derivation] = compiled
    return compiled


# ── running the closed forms ───────────────────────────────────────────────
Env = dict[str, np.ndarray]  # IndexedBase name → padded (1-based) array


def _pad(a: np.ndarray) -> np.ndarray:
    """1-based storage: prepend NaN along every axis (a scalar stays as it is)."""
    if np.ndim(a) == 0:
        return np.asarray(a, dtype=float)
    return np.pad(np.asarray(a, dtype=float), [(1, 0)] * np.ndim(a), constant_values=np.nan)


def _environment(net: Network, p: Params) -> Env:
    """The inputs by their IndexedBase names: y_0 = x, t, w_ℓ, b_ℓ."""
    env = {net.symbols[0].y.name: _pad(p.x), net.target.name: _pad(p.t)}
    for n, (w, b) in enumerate(zip(p.W, p.b), start=1):
        env[net.symbols[n].w.name] = _pad(w)
        if b is not None:
            env[net.symbols[n].b.name] = _pad(b)
    return env


def run_forward(compiled: Compiled, p: Params) -> tuple[Env, dict[sp.Symbol, int]]:
    """u^ℓ, y^ℓ and E from their definitions; returns the (padded) environment and the widths."""
    env, widths = _environment(compiled.network, p), p.widths(compiled.network)
    with np.errstate(all="ignore"):
        for c in compiled.forward:
            env[c.name] = _pad(c(env, widths))
    return env, widths


def loss_value(compiled: Compiled, p: Params) -> float:
    """E at the parameters ``p``, from the forward definitions."""
    env, _ = run_forward(compiled, p)
    return float(env[compiled.network.loss_symbol.name])


def _backward(compiled: Compiled, env: Env, widths: Mapping[sp.Symbol, int]) -> Env:
    """δ, ∂E/∂w, ∂E/∂b, ∂E/∂y_below of every layer, output first (unpadded results)."""
    out: Env = {}
    with np.errstate(all="ignore"):
        for cl in compiled.layers:
            for c in (cl.delta, cl.weight, cl.bias, cl.input):
                if c is not None:
                    out[c.name] = c(env, widths)
                    env[c.name] = _pad(out[c.name])
    return out


def _finite(value: np.ndarray, field: str) -> Any:
    """A JSON-ready number or list; a NaN or ±∞ is a ParamsError naming the field."""
    bad = np.asarray(value)[~np.isfinite(value)]
    if bad.size:
        fail(f"{field}: not finite ({bad.flat[0]}) at these params: they leave the domain of "
             "a formula (log of y ≤ 0, log of 1 − y ≤ 0, overflow)")
    return np.asarray(value).tolist()


def evaluate(derivation: Union[Derivation, Compiled], params: Any) -> dict:
    """loss, y, delta, dW, db, dx (docs/numbers.md, "Output") from the closed forms."""
    compiled = derivation if isinstance(derivation, Compiled) else compile_closed_forms(derivation)
    net = compiled.network
    p = check_params(net, params)
    env, widths = run_forward(compiled, p)
    grads = _backward(compiled, env, widths)
    L = net.depth
    rng = range(1, L + 1)
    return {
        "loss": _finite(env[net.loss_symbol.name], "loss"),
        "y": _finite(env[net.symbols[L].y.name][1:], "y"),
        "delta": [_finite(grads[net.symbols[n].delta.name], f"delta[{n - 1}]") for n in rng],
        "dW": [_finite(grads[f"dw_{n}"], f"dW[{n - 1}]") for n in rng],
        "db": [_finite(grads[f"db_{n}"], f"db[{n - 1}]") if f"db_{n}" in grads else None
               for n in rng],
        "dx": _finite(grads["dy_0"], "dx"),
    }


def evaluate_json(derivation: Union[Derivation, Compiled], text: str) -> dict:
    """:func:`evaluate` on params given as JSON text; bad JSON names its line and column."""
    try:
        params = json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"params: invalid JSON: {e.msg} (at line {e.lineno}, column {e.colno})")
    return evaluate(derivation, params)


# ── random parameters ──────────────────────────────────────────────────────
def random_params(network: Union[Network, Derivation],
                  sizes: Union[Sequence[int], Mapping[str, int], None] = None,
                  seed: int = 0) -> dict:
    """A valid params dict: x, b ~ N(0,1), W ~ N(0, 1/fan_in); t one-hot (cross_entropy or
    softmax output), in (0.1, 0.9) (binary_cross_entropy), N(0,1) otherwise.

    ``sizes`` gives the widths, input first, or by width name; others are drawn from 2…4.
    """
    net = network.network if isinstance(network, Derivation) else network
    rng = np.random.default_rng(seed)
    if sizes is not None and not isinstance(sizes, Mapping) and len(sizes) != len(net.layers):
        fail(f"sizes: expected {len(net.layers)} widths (input first), got {len(sizes)}")
    named = dict(sizes) if isinstance(sizes, Mapping) else {}
    listed = sizes if sizes is not None and not isinstance(sizes, Mapping) else None
    dims: list[int] = []
    for n, layer in enumerate(net.layers):
        want = listed[n] if listed is not None else named.get(str(layer.size))
        if isinstance(layer.size, sp.Integer):
            if want is not None and int(want) != int(layer.size):
                fail(f"sizes[{n}]: the spec fixes the size of layer {n} at {layer.size}, "
                     f"got {want}")
            want = int(layer.size)
        if want is None:
            want = named[str(layer.size)] = int(rng.integers(2, 5))
        dims.append(int(want))
    x = rng.normal(size=dims[0])
    W = [rng.normal(size=(a, c)) / math.sqrt(a) for a, c in zip(dims, dims[1:])]
    b = [rng.normal(size=c) if l.bias else None for c, l in zip(dims[1:], net.layers[1:])]
    n_out = dims[-1]
    if net.loss == "cross_entropy" or net.layers[-1].activation == "softmax":
        t = np.eye(n_out)[rng.integers(n_out)]
    elif net.loss == "binary_cross_entropy":
        t = rng.uniform(0.1, 0.9, size=n_out)
    else:
        t = rng.normal(size=n_out)
    return {"x": x.tolist(), "t": t.tolist(), "W": [w.tolist() for w in W],
            "b": [v.tolist() if v is not None else None for v in b]}


# ── finite-difference gradient check ───────────────────────────────────────
@dataclass(frozen=True)
class Discrepancy:
    """One comparison: the closed form against central differences of E."""

    field: str        # "W[0][1][2]", "b[1][0]", "x[3]", or "direction 2"
    analytic: float
    numeric: float
    rel_error: float  # |analytic − numeric| / max(|analytic|, |numeric|, atol/rtol)


@dataclass(frozen=True)
class GradcheckResult:
    """ok ⇔ every rel_error ≤ rtol, i.e. |a − n| ≤ max(rtol·max(|a|, |n|), atol)."""

    ok: bool
    max_rel_error: float
    directions: tuple[Discrepancy, ...]  # ⟨∇E, v⟩ against (E(θ+εv) − E(θ−εv)) / 2ε
    worst: tuple[Discrepancy, ...]       # per parameter (x, W[n], b[n]), its worst coordinate
    coordinates: int                     # how many coordinates were checked one by one

    def __str__(self) -> str:
        head = "ok" if self.ok else "MISMATCH"
        lines = [f"gradcheck {head}: max relative error {self.max_rel_error:.3g}"]
        lines += [f"  {d.field}: analytic {d.analytic:.10g}, numeric {d.numeric:.10g}, "
                  f"rel {d.rel_error:.3g}" for d in self.directions + self.worst]
        return "\n".join(lines)


#: Per-coordinate differences are taken when the network has at most this many parameters.
MAX_COORDINATES = 500


def _flatten(p: Params) -> tuple[list[tuple[str, tuple[int, ...]]], np.ndarray]:
    """(field, shape) of x, W[n], b[n] and all their entries as one vector θ."""
    parts = [("x", p.x)] + [(f"W[{n}]", w) for n, w in enumerate(p.W)] + \
            [(f"b[{n}]", v) for n, v in enumerate(p.b) if v is not None]
    return [(f, a.shape) for f, a in parts], np.concatenate([a.ravel() for _, a in parts])


def _unflatten(p: Params, layout: list[tuple[str, tuple[int, ...]]], theta: np.ndarray) -> Params:
    """Params with x, W, b read back from θ."""
    pieces, start = {}, 0
    for f, shape in layout:
        size = int(np.prod(shape))
        pieces[f] = theta[start:start + size].reshape(shape)
        start += size
    W = tuple(pieces[f"W[{n}]"] for n in range(len(p.W)))
    b = tuple(pieces.get(f"b[{n}]") for n in range(len(p.b)))
    return replace(p, x=pieces["x"], W=W, b=b)


def _rel(a: float, n: float, floor: float) -> float:
    """|a − n| / max(|a|, |n|, floor); ∞ when either is not finite."""
    if not (math.isfinite(a) and math.isfinite(n)):
        return math.inf
    return abs(a - n) / max(abs(a), abs(n), floor)


def _per_coordinate(layout: list[tuple[str, tuple[int, ...]]], g: np.ndarray,
                    slope: Callable[[np.ndarray], float], floor: float) -> list[Discrepancy]:
    """For each parameter (x, W[n], b[n]): its worst coordinate, ∂E/∂θ_i against differences."""
    worst, start = [], 0
    for field, shape in layout:
        entries = []
        for flat, pos in enumerate(np.ndindex(*shape)):
            e = np.zeros(g.size)
            e[start + flat] = 1.0
            a, n = float(g[start + flat]), slope(e)
            entries.append(Discrepancy(field + "".join(f"[{i}]" for i in pos), a, n,
                                       _rel(a, n, floor)))
        worst.append(max(entries, key=lambda d: d.rel_error))
        start += len(entries)
    return worst


def gradcheck(derivation: Union[Derivation, Compiled], params: Any, *, eps: float = 1e-6,
              rtol: float = 1e-5, atol: float = 1e-8, seed: int = 0,
              directions: int = 3) -> GradcheckResult:
    """Compare the closed-form gradients with central differences of E (forward definitions):
    along ``directions`` random unit directions, and coordinate by coordinate when the
    network has at most MAX_COORDINATES parameters.  A mismatch is reported, not raised.
    """
    compiled = derivation if isinstance(derivation, Compiled) else compile_closed_forms(derivation)
    p = check_params(compiled.network, params)
    env, widths = run_forward(compiled, p)
    grads = _backward(compiled, env, widths)
    layers = range(1, compiled.network.depth + 1)
    analytic = replace(p, x=grads["dy_0"], W=tuple(grads[f"dw_{n}"] for n in layers),
                       b=tuple(grads.get(f"db_{n}") for n in layers))
    layout, theta = _flatten(p)
    _, g = _flatten(analytic)
    floor = atol / rtol

    def slope(v: np.ndarray) -> float:
        """(E(θ + εv) − E(θ − εv)) / 2ε."""
        up = loss_value(compiled, _unflatten(p, layout, theta + eps * v))
        down = loss_value(compiled, _unflatten(p, layout, theta - eps * v))
        return (up - down) / (2 * eps)

    rng = np.random.default_rng(seed)
    checks = []
    for k in range(directions):
        v = rng.normal(size=theta.size)
        v /= np.linalg.norm(v)
        a, n = float(g @ v), slope(v)
        checks.append(Discrepancy(f"direction {k}", a, n, _rel(a, n, floor)))
    worst = _per_coordinate(layout, g, slope, floor) if theta.size <= MAX_COORDINATES else []
    top = max((d.rel_error for d in checks + worst), default=0.0)
    return GradcheckResult(top <= rtol, top, tuple(checks), tuple(worst),
                           theta.size if worst else 0)
