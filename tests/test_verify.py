"""The independent verifier: correct closed forms are proved, wrong ones never are.

Witnesses are re-checked here by a route of their own: SymPy differentiates the
instantiated loss E (not the verifier's SymEngine E) and both sides are
evaluated at the witness with SymPy's evalf.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import mpmath
import pytest
import sympy as sp

from symbackprop.derive import Derivation, derive
from symbackprop.instantiate import instantiate
from symbackprop.model import Layer, Network
from symbackprop.rules import sigmoid
from symbackprop.spec import load
from symbackprop.verdict import Status
from symbackprop.verify import VerificationReport, default_sizes, verify

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
SPECS = sorted(DERIVATIONS.glob("*.toml"))
ACTS = ["identity", "sigmoid", "tanh", "relu", "softplus", "softmax"]
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]

with warnings.catch_warnings():  # "slow" marks the long part: deselect with -m "not slow"
    warnings.simplefilter("ignore")
    SLOW = pytest.mark.slow


def three_layers(hidden: str, output: str, loss: str) -> Network:
    return Network((Layer("l", "i"), Layer("m", "j", hidden), Layer("n", "k", output)), loss)


def assert_all_proved(report: VerificationReport) -> None:
    bad = [(c.entry, c.verdict.status.value, c.verdict.reason) for c in report.checks
           if not c.verdict.proved]
    assert not bad, f"{report.title} at {report.sizes}: {bad[:3]}"
    assert report.verdict.proved and report.exit_code() == 0


# ── every spec ─────────────────────────────────────────────────────────────
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_spec_is_proved(spec: Path):
    net = load(spec)
    report = verify(net)
    assert report.sizes == default_sizes(net)
    assert_all_proved(report)
    assert report.seconds < 30
    data = report.to_json()
    assert data["summary"]["proved"] == len(data["checks"]) > 0
    assert {"layer", "quantity", "entry", "status", "reason", "method", "witness",
            "expected"} <= set(data["checks"][0])
    assert "exact" in report.table() and "proved" in report.table()


def test_default_sizes():
    assert default_sizes(load(DERIVATIONS / "deep_tanh_relu.toml")) == (3, 2, 3, 2, 3)
    assert default_sizes(load(DERIVATIONS / "binary_classifier.toml")) == (3, 2, 1)


# ── every activation × loss ────────────────────────────────────────────────
CASES = list(itertools.product(["sigmoid", "tanh", "softmax"], ACTS, LOSSES, [(2, 3, 2), (3, 2, 3)]))
FAST = [c for c in CASES if c[0] == "sigmoid" and c[3] == (2, 3, 2)]
PAIRINGS = [pytest.param(*c, marks=() if c in FAST else SLOW, id=f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
            for c in CASES]


@pytest.mark.parametrize("hidden,output,loss,sizes", PAIRINGS)
def test_activation_loss_pairing_is_proved(hidden, output, loss, sizes):
    assert_all_proved(verify(three_layers(hidden, output, loss), sizes))


# ── mutations ──────────────────────────────────────────────────────────────
def mutate(d: Derivation, layer: int, quantity: str, change: Callable[[sp.Expr], sp.Expr]) -> Derivation:
    """The derivation with one closed form changed (a new last step)."""
    ld = d.layer(layer)
    r = getattr(ld, quantity)
    new = r.steps + (dataclasses.replace(r.steps[-1], expr=change(r.rhs), rule="mutation"),)
    assert new[-1].expr != r.rhs, "the mutation changed nothing"
    ld = dataclasses.replace(ld, **{quantity: dataclasses.replace(r, steps=new)})
    return dataclasses.replace(d, layers=tuple(ld if l.layer == layer else l for l in d.layers))


def spec(name: str) -> Derivation:
    return derive(load(DERIVATIONS / f"{name}.toml"))


def drop_sigmoid_factor(d: Derivation) -> Derivation:
    """δ^1_j = σ(u_j) Σ_k δ_k w_jk (the factor 1 − σ(u_j) dropped)."""
    s = d.network.symbols[1]
    return mutate(d, 1, "delta", lambda e: e.xreplace({1 - sigmoid(s.u[s.index]): sp.Integer(1)}))


def flip_output_sign(d: Derivation) -> Derivation:
    """δ_k = t_k − y_k."""
    return mutate(d, d.network.depth, "delta", lambda e: -e)


def swap_weight_indices(d: Derivation) -> Derivation:
    """∂E/∂y_j = Σ_k δ_k w_kj (indices of w swapped)."""
    n = d.network.depth
    s, j = d.network.symbols[n], d.network.symbols[n - 1].index
    return mutate(d, n, "input", lambda e: e.xreplace({s.w[j, s.index]: s.w[s.index, j]}))


def drop_input_factor(d: Derivation) -> Derivation:
    """∂E/∂w_jk = δ_k (the factor y_j dropped)."""
    n = d.network.depth
    y = d.network.symbols[n - 1].y[d.network.symbols[n - 1].index]
    return mutate(d, n, "weight", lambda e: e.xreplace({y: sp.Integer(1)}))


def double_bias(d: Derivation) -> Derivation:
    """∂E/∂b_k = 2 δ_k."""
    return mutate(d, d.network.depth, "bias", lambda e: 2 * e)


def mse_half(d: Derivation) -> Derivation:
    """δ_k = (y_k − t_k)/n for the MSE (the factor 2 dropped)."""
    return mutate(d, d.network.depth, "delta", lambda e: e / 2)


def tanh_prime_wrong(d: Derivation) -> Derivation:
    """tanh′ = 1 − tanh (instead of 1 − tanh²) in δ^1."""
    return mutate(d, 1, "delta", lambda e: e.replace(lambda x: x.is_Pow and isinstance(x.base, sp.tanh),
                                                     lambda x: x.base))


def heaviside_dropped(d: Derivation) -> Derivation:
    """ReLU′ = 1 in δ^2 (H(u) dropped)."""
    return mutate(d, 2, "delta", lambda e: e.replace(sp.Heaviside, lambda *a: sp.Integer(1)))


def softmax_sum_dropped(d: Derivation) -> Derivation:
    """softmax + SSE: δ_k = y_k (y_k − t_k), the Σ_k' term dropped."""
    return mutate(d, 2, "delta", lambda e: e.replace(lambda x: isinstance(x, sp.Sum), lambda x: 0))


def assumption_removed(d: Derivation) -> Derivation:
    """softmax + CE with δ_k = y_k − t_k but without Σ_k t_k = 1."""
    return dataclasses.replace(d, assumptions=())


MUTATIONS = [  # (name, derivation, mutation, sizes or None, first offending entry)
    ("drop (1 − σ)", lambda: spec("classification"), drop_sigmoid_factor, None, "δ^(1)[1]"),
    ("flip output sign", lambda: spec("classification"), flip_output_sign, None, "δ^(2)[1]"),
    ("swap w indices", lambda: spec("regression"), swap_weight_indices, (3, 3, 3), "∂E/∂y^(1)[1]"),
    ("drop y_j in ∂w", lambda: spec("binary_classifier"), drop_input_factor, None, "∂E/∂w^(2)[1,1]"),
    ("double ∂b", lambda: spec("perceptron"), double_bias, None, "∂E/∂b^(1)[1]"),
    ("MSE without 2", lambda: derive(three_layers("sigmoid", "identity", "mse")), mse_half, None,
     "δ^(2)[1]"),
    ("tanh′ = 1 − tanh", lambda: spec("deep_tanh_relu"), tanh_prime_wrong, None, "δ^(1)[1]"),
    ("ReLU′ = 1", lambda: spec("deep_tanh_relu"), heaviside_dropped, None, "δ^(2)[1]"),
    ("softmax+SSE Σ dropped", lambda: derive(three_layers("tanh", "softmax", "sse")),
     softmax_sum_dropped, None, "δ^(2)[1]"),
    ("Σt = 1 not assumed", lambda: spec("classification"), assumption_removed, None, "δ^(2)[1]"),
]


REAL_FUNCTIONS = {  # the real functions, for lambdify with mpmath
    "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)),
    "relu": lambda v: max(v, 0),
    "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
    "Heaviside": lambda v, *h0: 1 if v > 0 else 0,
}


def value_at(expr: sp.Expr, values: dict[sp.Symbol, sp.Rational]) -> mpmath.mpf:
    """expr at the witness, through lambdify with mpmath at 40 digits."""
    names = sorted(values, key=str)
    f = sp.lambdify(names, expr, modules=[REAL_FUNCTIONS, "mpmath"])
    with mpmath.workdps(40):
        return f(*[mpmath.mpf(int(values[n].p)) / int(values[n].q) for n in names])


def recheck_witness(d: Derivation, report: VerificationReport, most: int = 2) -> int:
    """Substitute refuted weight/bias witnesses into the closed form and into SymPy's own
    ∂E (of the instantiated E); return how many were re-checked."""
    inst = instantiate(d, report.sizes)
    done = 0
    for c in report.checks:
        m = re.fullmatch(r"∂E/∂([wb])\^\((\d+)\)\[([\d,]+)\]", c.entry)
        if not (c.verdict.refuted and m) or done == most:
            continue
        letter, layer, key = m[1], int(m[2]), tuple(int(i) for i in m[3].split(","))
        wit = c.verdict.witness
        values = {sp.Symbol(k): sp.Rational(v) for k, v in wit.values.items()}
        assert set(values) >= set(inst.symbols)
        quantity = "weight" if letter == "w" else "bias"
        lhs = value_at(inst.entries(layer, quantity)[key], values)
        var = sp.Symbol(f"{letter}{layer}_{'_'.join(map(str, key))}")
        rhs = value_at(sp.diff(inst.loss, var), values)
        scale = max(1, abs(lhs), abs(rhs))
        assert abs(lhs - rhs) > 1e-20 * scale
        assert abs(lhs - mpmath.mpf(wit.lhs)) < 1e-15 * scale
        assert abs(rhs - mpmath.mpf(wit.rhs)) < 1e-15 * scale
        done += 1
    return done


@pytest.mark.parametrize("name,make,change,sizes,entry", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_wrong_formula_is_refuted(name, make, change, sizes, entry):
    d = change(make())
    report = verify(d, sizes)
    assert not any(c.verdict.proved for c in report.checks if c.entry == entry)
    assert report.verdict.status is Status.REFUTED and report.exit_code() == 1
    first = next(c for c in report.checks if c.verdict.refuted)
    assert first.entry == entry, report.table()
    assert entry in report.table() and entry in report.verdict.reason
    data = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert data["summary"]["refuted"] > 0 and data["summary"]["exit_code"] == 1
    assert next(c for c in data["checks"] if c["status"] == "refuted")["witness"]["values"]
    wit = first.verdict.witness
    assert wit is not None and wit.difference and set(wit.values) >= {"x_1", "t_1"}
    if d.network.loss == "cross_entropy" and d.assumptions:  # the witness respects Σ t = 1
        ts = [sp.Rational(v) for k, v in wit.values.items() if k.startswith("t_")]
        assert sum(ts) == 1
    if any(re.match(r"∂E/∂[wb]", c.entry) and c.verdict.refuted for c in report.checks):
        assert recheck_witness(d, report) > 0


def test_out_of_range_weight_is_not_proved():
    """Swapped w indices at non-square widths name weights that do not exist: inconclusive."""
    report = verify(swap_weight_indices(spec("regression")))
    bad = [c for c in report.checks if c.entry == "∂E/∂y^(1)[1]"][0]
    assert bad.verdict.status is Status.INCONCLUSIVE and "not a parameter" in bad.verdict.reason
    assert report.exit_code() in (1, 3)


def test_the_assumption_is_applied_on_both_sides():
    """With Σ t = 1 the same δ is proved; the witness without it has Σ t ≠ 1."""
    d = spec("classification")
    assert_all_proved(verify(d))
    report = verify(assumption_removed(d))
    wit = next(c for c in report.checks if c.verdict.refuted).verdict.witness
    assert sum(sp.Rational(v) for k, v in wit.values.items() if k.startswith("t_")) != 1


def test_report_shapes():
    report = verify(load(DERIVATIONS / "perceptron.toml"), (2, 1))
    assert report.sizes == (2, 1)
    assert [c.quantity for c in report.checks] == ["delta", "weight", "weight", "bias", "input", "input"]
    assert [c.entry for c in report.checks][:3] == ["δ^(1)[1]", "∂E/∂w^(1)[1,1]", "∂E/∂w^(1)[2,1]"]
    lines = report.table().splitlines()
    assert lines[0].split(" | ")[:3] == ["layer", "quantity", "entries"]
    assert len(lines) == 2 + 4 + 1


# ── equal forms written differently ────────────────────────────────────────
def test_reflected_sigmoid_is_proved():
    """1 − σ(u) written as σ(−u): the atoms' reflection rules make it an exact identity."""
    d = spec("classification")
    s = d.network.symbols[1]
    u = s.u[s.index]
    assert_all_proved(verify(mutate(d, 1, "delta", lambda e: e.xreplace({1 - sigmoid(u): sigmoid(-u)}))))


def test_sigmoid_written_out_is_inconclusive_not_refuted():
    """σ(u) written as 1/(1 + e^{−u}) differs only as a formal expression in free atoms:
    the real functions agree, so the verdict is inconclusive (never refuted, never proved)."""
    d = spec("classification")
    s = d.network.symbols[1]
    u = s.u[s.index]
    report = verify(mutate(d, 1, "delta", lambda e: e.xreplace({sigmoid(u): 1 / (1 + sp.exp(-u))})))
    changed = [c for c in report.checks if c.layer == 1 and c.quantity == "delta"]
    assert all(c.verdict.status is Status.INCONCLUSIVE for c in changed)
    assert "formal" in changed[0].verdict.reason
    assert report.exit_code() == 3


def test_a_rule_the_verifier_does_not_know_is_inconclusive(monkeypatch):
    """An activation with no notation row of its function has no definition in the verifier."""
    from symbackprop.verifier import definitions
    monkeypatch.setattr(definitions, "row_named", lambda name: None)
    report = verify(three_layers("softplus", "identity", "sse"), (2, 2, 2))
    assert report.exit_code() == 3 and "softplus" in report.checks[0].verdict.reason


# ── when the exact checks time out ─────────────────────────────────────────
@pytest.fixture
def exact_checks_hang(monkeypatch):
    """The randomized exact test never finishes (its bounded call then times out)."""
    module = sys.modules["symbackprop.verify"]

    def hang(*args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(module, "identity_test", hang)
    monkeypatch.setattr(module, "modular_test", hang)


def test_numeric_agreement_alone_is_inconclusive(exact_checks_hang):
    report = verify(load(DERIVATIONS / "perceptron.toml"), (2, 1), timeout=2)
    assert {c.verdict.status for c in report.checks} == {Status.INCONCLUSIVE}
    assert report.checks[0].verdict.reason == \
        "numerically consistent at 5 points (50 digits); exact check timed out"
    assert report.exit_code() == 3


def test_numeric_difference_is_refuted_when_exact_times_out(exact_checks_hang):
    report = verify(double_bias(spec("perceptron")), (2, 1), timeout=2)
    bias = [c for c in report.checks if c.quantity == "bias"]
    assert bias[0].verdict.refuted and bias[0].verdict.witness is not None
    assert all(c.verdict.status is Status.INCONCLUSIVE for c in report.checks if c.quantity != "bias")


# ── methods and widths ─────────────────────────────────────────────────────
def stated_bound(method: str) -> float:
    m = re.search(r"error ≤ ([0-9.e+-]+)", method)
    assert m, method
    return float(m[1])


@pytest.mark.parametrize("name", ["classification", "regression"])
def test_wide_networks_are_proved_with_a_stated_error_bound(name):
    report = verify(spec(name), (12, 12, 12))
    assert_all_proved(report)
    methods = {c.verdict.method for c in report.checks}
    method = methods.pop()
    assert not methods and "randomized exact mod" in method and "at sizes (12, 12, 12)" in method
    assert 0 < stated_bound(report.checks[0].verdict.method) <= 1e-30


def test_symbolic_gives_a_deterministic_proof_at_small_sizes():
    report = verify(spec("classification"), (2, 2, 2), symbolic=True)
    assert_all_proved(report)
    assert {c.verdict.method for c in report.checks} == {"exact symbolic (expand) at sizes (2, 2, 2)"}


def test_symbolic_leaves_what_it_cannot_prove_to_the_randomized_test():
    """σ(u) written as 1/(1 + e^{−u}) in δ^1: expansion with freed atoms cannot prove it
    either, so those entries stay inconclusive; the rest are proved by expansion."""
    d = spec("classification")
    s = d.network.symbols[1]
    u = s.u[s.index]
    report = verify(mutate(d, 1, "delta", lambda e: e.xreplace({sigmoid(u): 1 / (1 + sp.exp(-u))})),
                    (2, 2, 2), symbolic=True)
    by = {c.entry: c.verdict for c in report.checks}
    assert by["δ^(2)[1]"].proved and "expand" in by["δ^(2)[1]"].method
    assert by["δ^(1)[1]"].status is Status.INCONCLUSIVE


def test_a_wrong_formula_is_refuted_at_a_wide_size():
    report = verify(flip_output_sign(spec("classification")), (10, 10, 10))
    refuted = [c for c in report.checks if c.verdict.refuted]
    assert report.exit_code() == 1 and len(refuted) == len(report.checks)  # δ^2 feeds everything
    reasons = [c.verdict.reason for c in refuted if c.layer == 2 and c.quantity == "weight"]
    assert sum("SymPy substitution" in r for r in reasons) == 2
    assert all("SymPy substitution" in r or "graph evaluators" in r for r in reasons)
    assert recheck_witness(flip_output_sign(spec("classification")), report, most=1) == 1


def test_an_assumption_the_verifier_cannot_solve_is_inconclusive_with_the_reason():
    from symbackprop.derive import Assumption

    d = spec("classification")
    t, k = d.network.target, d.network.symbols[2].index
    squared = dataclasses.replace(d, assumptions=(
        Assumption(sp.Sum(t[k] ** 2, (k, 1, d.network.layers[2].size)), sp.Integer(1), "unit_norm"),))
    report = verify(squared, (2, 2, 2))
    assert {c.verdict.status for c in report.checks} == {Status.INCONCLUSIVE}
    assert "not affine" in report.checks[0].verdict.reason and report.exit_code() == 3


# ── sizes whose work cannot fit are refused before any work ────────────────
def test_sizes_beyond_the_time_bound_are_refused_with_the_estimate():
    from symbackprop.errors import SizeError
    from symbackprop.verify import estimated_seconds, refuse_beyond_the_bound

    with pytest.raises(SizeError, match=r"300,014 entries, about 3 s to check, over the --timeout of 2 s"):
        refuse_beyond_the_bound((100000, 2, 2), 2.0)
    refuse_beyond_the_bound((3, 2, 3), 30.0)
    assert estimated_seconds((3, 2, 3)) < 0.01


def test_verify_refuses_before_building_entries(monkeypatch):
    module = sys.modules["symbackprop.verify"]
    from symbackprop.errors import SizeError

    def never(*args, **kwargs):
        raise AssertionError("entries were built")

    monkeypatch.setattr(module, "entries_of", never)
    monkeypatch.setattr(module, "entry_groups", never)
    with pytest.raises(SizeError):
        module.verify(load(DERIVATIONS / "regression.toml"), (100000, 2, 2), timeout=2.0)
