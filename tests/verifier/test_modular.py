"""The prime-field route: proves only within the threshold, agrees with the rational route,
and keeps degree bounds tight enough for deep networks."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive import Derivation, derive
from symbackprop.model import Layer, Network
from symbackprop.rules import sigmoid
from symbackprop.spec import load
from symbackprop.verdict import Status
from symbackprop.verifier import randomized
from symbackprop.verifier.modular import ModularDomain, primes_in_range, random_prime
from symbackprop.verifier.randomized import PROOF_THRESHOLD, identity_test, modular_test
from symbackprop.verify import entries_of, verify

DERIVATIONS = Path(__file__).resolve().parents[2] / "derivations"
LETTERS = "acdefghijklmnopqrsvzABCDFGHIJKLMNOPQRSVXZ"


def spec(name: str) -> Derivation:
    return derive(load(DERIVATIONS / f"{name}.toml"))


def keys(d: Derivation, sizes) -> list:
    return [(e.layer, e.quantity, e.key) for g in entries_of(d.network, sizes) for e in g]


def change(d: Derivation, layer: int, quantity: str, how) -> Derivation:
    ld = d.layer(layer)
    r = getattr(ld, quantity)
    steps = r.steps + (dataclasses.replace(r.steps[-1], expr=how(r.rhs), rule="mutation"),)
    ld = dataclasses.replace(ld, **{quantity: dataclasses.replace(r, steps=steps)})
    return dataclasses.replace(d, layers=tuple(ld if l.layer == layer else l for l in d.layers))


def deep(depth: int, width: int) -> Derivation:
    layers = [Layer(width, LETTERS[0])] + [Layer(width, LETTERS[i], "sigmoid") for i in range(1, depth)]
    return derive(Network(tuple(layers + [Layer(width, LETTERS[depth], "softmax")]), "cross_entropy"))


def stated_bound(method: str) -> float:
    m = re.search(r"error ≤ ([0-9.e+-]+)", method)
    assert m, method
    return float(m[1])


# ── the field ───────────────────────────────────────────────────────────────
def test_random_primes_are_primes_of_the_stated_size():
    rng = random.Random(5)
    ps = {random_prime(rng, 61) for _ in range(5)}
    assert len(ps) == 5 and all(sp.isprime(p) and 2 ** 60 <= p < 2 ** 61 for p in ps)
    assert primes_in_range(61) > 2 ** 60 / 61


def test_a_sum_over_a_common_denominator_keeps_its_degree():
    """Σ_k a_k / S with S = Σ_k a_k: the lcm of the denominators is S, not S^n."""
    dom = ModularDomain(random.Random(1), 61)
    a = [dom.draw() for _ in range(50)]
    total = a[0]
    for v in a[1:]:
        total = total + v
    ys = [v / total for v in a]
    s = ys[0]
    for y in ys[1:]:
        s = s + y
    assert s == 1 and s.den.deg == 1 and s.num <= 2
    assert dom.point_error(s - 1) < 1e-10


def test_a_zero_divisor_is_a_zero_division():
    dom = ModularDomain(random.Random(2), 61)
    x = dom.draw()
    with pytest.raises(ZeroDivisionError):
        _ = x / (x - x)


# ── the two routes agree ────────────────────────────────────────────────────
def flip(d: Derivation) -> Derivation:
    return change(d, d.network.depth, "delta", lambda e: -e)


def tiny(d: Derivation) -> Derivation:
    s = d.network.symbols[2]
    return change(d, 2, "delta", lambda e: e + sp.Rational(1, 10 ** 40) * s.y[s.index])


def sigmoid_written_out(d: Derivation) -> Derivation:
    s = d.network.symbols[1]
    u = s.u[s.index]
    return change(d, 1, "delta", lambda e: e.xreplace({sigmoid(u): 1 / (1 + sp.exp(-u))}))


def drop_factor(d: Derivation) -> Derivation:
    s = d.network.symbols[1]
    return change(d, 1, "delta", lambda e: e.xreplace({1 - sigmoid(s.u[s.index]): sp.Integer(1)}))


@pytest.mark.parametrize("name,mutation", [("classification", None), ("regression", None),
                                           ("deep_tanh_relu", None), ("classification", flip),
                                           ("classification", tiny), ("classification", drop_factor),
                                           ("classification", sigmoid_written_out),
                                           ("regression", drop_factor)])
def test_field_and_rational_routes_agree(name, mutation):
    d = spec(name)
    d = mutation(d) if mutation else d
    sizes = (3, 2, 3, 2, 3) if name == "deep_tanh_relu" else (3, 2, 3)
    ks = keys(d, sizes)
    field = modular_test(d, sizes, ks, seed=11)
    exact = identity_test(d, sizes, ks, seed=11)
    assert [f.kind == "differs" for f in field] == [q.kind == "differs" for q in exact]
    assert all(f.bound <= PROOF_THRESHOLD for f in field if f.kind == "same")
    assert any(f.kind == "differs" for f in field) == (mutation is not None)


@pytest.mark.slow
def test_a_field_difference_is_refuted_only_through_the_real_functions():
    """The field route finds a formal difference; the verdict is refuted with a witness
    (real functions, re-checked), or inconclusive where the real functions agree."""
    report = verify(flip(spec("classification")), (2, 2, 2))
    bad = [c for c in report.checks if c.entry == "δ^(2)[1]"][0]
    assert bad.verdict.refuted and bad.verdict.witness is not None
    assert "real functions" in bad.verdict.method
    written = verify(sigmoid_written_out(spec("classification")), (2, 2, 2))
    assert {c.verdict.status for c in written.checks if c.layer == 1 and c.quantity == "delta"} \
        == {Status.INCONCLUSIVE}


# ── the bound is never vacuous ──────────────────────────────────────────────
def test_depth_20_is_proved_within_the_threshold_or_inconclusive():
    report = verify(deep(20, 3), [3] * 21)
    for c in report.checks:
        if c.verdict.proved:
            assert stated_bound(c.verdict.method) <= PROOF_THRESHOLD, c.verdict.method
        else:
            assert c.verdict.status is Status.INCONCLUSIVE
    assert report.verdict.proved  # the degrees stay small: it is proved


def test_a_weak_bound_is_inconclusive_not_proved(monkeypatch):
    """Small primes and one point: equal at the point, bound above the threshold."""
    monkeypatch.setattr(randomized, "PRIME_BITS", 24)
    monkeypatch.setattr(randomized, "MAX_POINTS", 1)
    report = verify(spec("classification"), (5, 5, 5))
    assert not any(c.verdict.proved for c in report.checks)
    assert report.verdict.status is Status.INCONCLUSIVE and report.exit_code() == 3
    reason = report.checks[0].verdict.reason
    assert "error bound reached only" in reason and f"> {PROOF_THRESHOLD:.0e}" in reason


def test_depth_32_width_16_is_proved_within_the_threshold():
    report = verify(deep(32, 16), [16] * 33)
    assert report.verdict.proved
    assert max(stated_bound(c.verdict.method) for c in report.checks) <= PROOF_THRESHOLD


@pytest.mark.slow
def test_depth_32_width_16_is_proved_with_61_bit_primes(monkeypatch):
    """With p ≈ 2^61 each point gives about deg/p: a few points reach the threshold."""
    monkeypatch.setattr(randomized, "PRIME_BITS", 61)
    d = deep(32, 16)
    out = modular_test(d, [16] * 33, keys(d, [16] * 33), seed=3)
    assert {r.kind for r in out} == {"same"} and max(r.bound for r in out) <= PROOF_THRESHOLD
