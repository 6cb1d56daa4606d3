"""Reverse-mode gradients of E from the network's description, against SymPy's own diff."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symbackprop.rules.forms import Degenerate
from symbackprop.verifier.formal import FormalDomain, RealDomain
from symbackprop.verifier.tape import Reference, Tape

SIZES = (2, 3, 2)
ACTS = ["identity", "sigmoid", "tanh", "relu", "softplus", "softmax"]
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]
SYMPY_ACT = {
    "identity": lambda u: list(u),
    "sigmoid": lambda u: [1 / (1 + sp.exp(-v)) for v in u],
    "tanh": lambda u: [sp.tanh(v) for v in u],
    "relu": lambda u: [sp.Function("relu")(v) for v in u],
    "softplus": lambda u: [sp.log(1 + sp.exp(v)) for v in u],
    "softmax": lambda u: [sp.exp(v) / sum(sp.exp(w) for w in u) for v in u],
}
SYMPY_LOSS = {
    "sse": lambda y, t: sum((a - b) ** 2 for a, b in zip(y, t)) / 2,
    "mse": lambda y, t: sum((a - b) ** 2 for a, b in zip(y, t)) / len(y),
    "cross_entropy": lambda y, t: -sum(b * sp.log(a) for a, b in zip(y, t)),
    "binary_cross_entropy": lambda y, t: -sum(b * sp.log(a) + (1 - b) * sp.log(1 - a) for a, b in zip(y, t)),
}


def sympy_network(hidden: str, output: str, loss: str):
    """E in SymPy with probes ε (added to u) and η (added to y^1): (E, parameters, probes)."""
    params: dict[tuple, sp.Symbol] = {}
    x = [params.setdefault(("x", i), sp.Symbol(f"x{i}")) for i in range(1, SIZES[0] + 1)]
    y, probes = x, {}
    for n, act in ((1, hidden), (2, output)):
        u = []
        for a in range(1, SIZES[n] + 1):
            eps = probes.setdefault(("eps", n, a), sp.Symbol(f"eps{n}_{a}"))
            w = [params.setdefault(("w", n, p, a), sp.Symbol(f"w{n}_{p}_{a}")) for p in range(1, SIZES[n - 1] + 1)]
            b = params.setdefault(("b", n, a), sp.Symbol(f"b{n}_{a}"))
            u.append(sum(yp * wp for yp, wp in zip(y, w)) + b + eps)
        y = SYMPY_ACT[act](u)
        if n == 1:
            y = [v + probes.setdefault(("eta", p), sp.Symbol(f"eta{p}")) for p, v in enumerate(y, 1)]
    t = [params.setdefault(("t", k), sp.Symbol(f"t{k}")) for k in range(1, SIZES[-1] + 1)]
    return SYMPY_LOSS[loss](y, t), params, probes


def point(params, seed: int) -> dict[tuple, Fraction]:
    rng = random.Random(seed)
    return {k: Fraction(rng.randint(1, 99), 100) if k[0] == "t" else Fraction(rng.randint(-150, 150) or 1, 97)
            for k in params}


def regular_point(params, output: str, loss: str):
    """A point where E is defined (ReLU + BCE needs y > 0), and the tape at it (80 digits)."""
    dom = RealDomain()
    for seed in range(50):
        at = point(params, seed)
        try:
            with mpmath.workdps(80):
                return at, Reference(dom, SIZES, ["identity", "tanh", output], [False, True, True], loss,
                                     {k: dom.const(v) for k, v in at.items()})
        except Degenerate:
            continue
    raise AssertionError("no regular point")


@pytest.mark.parametrize("output,loss", list(itertools.product(ACTS, LOSSES)))
def test_every_entry_matches_central_differences_of_sympys_E(output, loss):
    """∂E/∂v ≈ (E(v + h) − E(v − h)) / 2h with h = 10^-25 at 80 digits (error ≈ h²), E written
    by SymPy and evaluated by lambdify: a route that shares nothing with the tape."""
    E, params, probes = sympy_network("tanh", output, loss)
    at, ref = regular_point(params, output, loss)
    names = list(params.values()) + list(probes.values())
    f = sp.lambdify(names, E, modules=[{"relu": lambda v: v if v > 0 else 0 * v}, "mpmath"])
    with mpmath.workdps(80):
        base = {params[k]: mpmath.mpf(v.numerator) / v.denominator for k, v in at.items()}
        base.update({s: mpmath.mpf(0) for s in probes.values()})
        h = mpmath.mpf(10) ** -25

        def slope(var: sp.Symbol):
            hi, lo = dict(base), dict(base)
            hi[var] += h
            lo[var] -= h
            return mpmath.re(f(*[hi[n] for n in names]) - f(*[lo[n] for n in names])) / (2 * h)

        cases = [((2, "delta", (a,)), probes["eps", 2, a]) for a in (1, 2)]
        cases += [((1, "delta", (a,)), probes["eps", 1, a]) for a in (1, 2, 3)]
        cases += [((2, "input", (p,)), probes["eta", p]) for p in (1, 2, 3)]
        cases += [((1, "input", (i,)), params["x", i]) for i in (1, 2)]
        cases += [((k[1], "weight", k[2:]), v) for k, v in params.items() if k[0] == "w"]
        cases += [((k[1], "bias", k[2:]), v) for k, v in params.items() if k[0] == "b"]
        assert len(cases) == 2 + 3 + 3 + 2 + 12 + 5
        for entry, var in cases:
            got, want = ref.entry(*entry), slope(var)
            assert abs(got - want) < mpmath.mpf(10) ** -30 * max(1, abs(want)), (entry, got, want)


def test_adjoints_of_a_small_expression():
    dom = FormalDomain(random.Random(3))
    tape = Tape(dom)
    a, b = tape.leaf(dom.const(3)), tape.leaf(dom.const(5))
    f = (a * b + a ** 2) / b - a          # ∂f/∂a = 1 + 2a/b − 1 = 6/5;  ∂f/∂b = −a²/b² = −9/25
    adj = tape.adjoints(f)
    assert adj[a.index].q == Fraction(6, 5) and adj[b.index].q == Fraction(-9, 25)
    g = tape.apply("sigma", a)            # σ′ = σ(1 − σ)
    s = g.value
    assert tape.adjoints(g)[a.index] == s * (1 - s)
