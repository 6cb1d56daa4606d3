"""The prover: exact proofs say how, refutations carry checked witnesses, nothing numeric is 'proved'."""

from __future__ import annotations

import io
import json
import time
from types import SimpleNamespace

import pytest
import sympy as sp

from symbackprop.prove import prove, prove_nonnegative
from symbackprop.cli.prove import run_prove
from symbackprop.prover.claim import make_claim, sort_assumptions
from symbackprop.prover.symbolic import canonical_dummies, normal_form
from symbackprop.rules.functions import relu, sigmoid, softplus
from symbackprop.verdict import Status

from .test_identities import assert_valid_witness

u = sp.Symbol("u", real=True)
x, y = sp.symbols("x y", real=True)
n = sp.Symbol("n", integer=True, positive=True)
k, k1, k2, j = (sp.Symbol(s, integer=True, positive=True) for s in ("k", "k'", "k''", "j"))
U, T, Y = (sp.IndexedBase(s, real=True) for s in ("u", "t", "y"))
E = sp.Symbol("E")
sig = sigmoid(u)


# ── scalar claims ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("lhs,rhs", [
    (sp.Derivative(sig, u), sig * (1 - sig)),
    (sp.Derivative(sp.tanh(u), u), 1 - sp.tanh(u) ** 2),
    (sp.Derivative(softplus(u), u), sig),
    ((x + y) ** 2, x ** 2 + 2 * x * y + y ** 2),
])
def test_true_scalar_identities_are_proved_exactly(lhs, rhs):
    v = prove(lhs, rhs)
    assert v.status is Status.PROVED and v.method.startswith("exact symbolic proof")
    assert v.witness is None


def test_sigma_prime_equals_sigma_is_refuted_with_a_witness():
    """σ′ = σ — accepted by a popular checker — is false."""
    v = prove(sp.Derivative(sig, u), sig)
    assert v.status is Status.REFUTED
    assert set(v.witness.values) == {"u"}
    assert v.witness.lhs != v.witness.rhs and v.witness.difference
    assert v.details["check"] in ("exact", "100 digits")
    assert_valid_witness(sp.Derivative(sig, u), sig, (), v)


def test_the_proof_of_sigma_prime_does_not_use_the_stored_rule(monkeypatch):
    """σ is rewritten as 1/(1 + e^{−u}) before differentiating: a wrong fdiff cannot leak in."""
    monkeypatch.setattr(sigmoid, "fdiff", lambda self, argindex=1: sigmoid(self.args[0]))
    v = prove(sp.Derivative(sig, u), sig * (1 - sig))
    assert v.proved


def test_witness_with_exact_difference_for_rational_claims():
    v = prove((x + 1) ** 2, x ** 2 + 1)
    assert v.refuted and v.details["check"] == "exact"
    assert sp.Rational(v.witness.difference) == 2 * sp.Rational(v.witness.values["x"])


# ── ReLU and its kink ──────────────────────────────────────────────────────
def test_relu_derivative_is_heaviside_off_the_kink():
    v = prove(sp.Derivative(relu(u), u), sp.Heaviside(u), assumptions=[sp.Ne(u, 0)])
    assert v.proved and "u ≠ 0" in v.method


def test_relu_derivative_at_the_kink_is_no_witness():
    """At u = 0 ReLU has one-sided derivatives 0 and 1: no derivative, so no value to compare.
    The kink blocks the proof (and says which assumption would remove it) but refutes nothing."""
    v = prove(sp.Derivative(relu(u), u), sp.Heaviside(u))
    assert v.status is Status.INCONCLUSIVE and v.witness is None
    assert "u = 0" in v.reason and "u ≠ 0" in v.reason and "0 and 1" in v.reason


def test_a_wrong_derivative_is_refuted_away_from_the_kink():
    v = prove(sp.Derivative(sp.Abs(x), x), 1)
    assert v.refuted and sp.Rational(v.witness.values["x"]) < 0


def test_a_kink_at_a_symbolic_point_blocks_a_proof():
    """d|x − a|/dx = sign(x − a) fails to exist at x = a, wherever a is."""
    v = prove(sp.Derivative(sp.Abs(x - y), x), sp.sign(x - y))
    assert v.status is Status.INCONCLUSIVE and "x = y" in v.reason
    assert prove(sp.Derivative(sp.Abs(x - y), x), sp.sign(x - y), assumptions=[sp.Ne(x, y)]).proved


def test_witnesses_respect_exclusions():
    v = prove(sp.Derivative(relu(u), u), 1, assumptions=[sp.Ne(u, 0)])
    assert v.refuted and sp.Rational(v.witness.values["u"]) < 0


def test_an_undecided_kink_blocks_a_proof():
    """d(|x| y)/dx = sign(x) y holds only for x ≠ 0; undecided there, so not 'proved'."""
    v = prove(sp.Derivative(sp.Abs(x) * y, x), sp.sign(x) * y)
    assert v.status is Status.INCONCLUSIVE and "kink" in v.reason
    assert prove(sp.Derivative(sp.Abs(x) * y, x), sp.sign(x) * y, assumptions=[sp.Ne(x, 0)]).proved


def test_a_differentiable_kink_is_no_obstacle():
    assert prove(sp.Derivative(sp.Max(0, x) ** 2, x), 2 * sp.Max(0, x)).proved


# ── sums with symbolic bounds ──────────────────────────────────────────────
SOFTMAX = sp.Eq(Y[k], sp.exp(U[k]) / sp.Sum(sp.exp(U[k2]), (k2, 1, n)))
CE = sp.Eq(E, -sp.Sum(T[k1] * sp.log(Y[k1]), (k1, 1, n)))
ONE_HOT = sp.Eq(sp.Sum(T[k1], (k1, 1, n)), 1)


def test_softmax_cross_entropy_is_proved_for_every_n():
    v = prove(sp.Derivative(E, U[k]), Y[k] - T[k], assumptions=[CE, SOFTMAX, ONE_HOT])
    assert v.proved and v.method.startswith("exact symbolic proof for all n")
    assert v.details["ranges"][k] == (1, n)


def test_softmax_cross_entropy_without_one_hot_targets_is_refuted():
    v = prove(sp.Derivative(E, U[k]), Y[k] - T[k], assumptions=[CE, SOFTMAX])
    assert v.refuted and v.witness.values["n"] == "1"
    assert_valid_witness(sp.Derivative(E, U[k]), Y[k] - T[k], [CE, SOFTMAX], v)


def test_constraint_is_satisfied_by_the_witness():
    wrong = Y[k] + T[k]
    v = prove(sp.Derivative(E, U[k]), wrong, assumptions=[CE, SOFTMAX, ONE_HOT], sizes=(2,))
    assert v.refuted
    ts = [sp.Rational(val) for key, val in v.witness.values.items() if key.startswith("t[")]
    assert sum(ts) == 1
    assert_valid_witness(sp.Derivative(E, U[k]), wrong, [CE, SOFTMAX, ONE_HOT], v)


def test_agreement_at_small_sizes_is_not_a_proof_for_all_sizes():
    """Σ_{k=1}^{n} [k = 4] = 0 holds for n ≤ 3 only."""
    lhs = sp.Sum(sp.KroneckerDelta(k1, 4), (k1, 1, n))
    v = prove(lhs, 0)
    assert v.status is Status.INCONCLUSIVE
    assert "exact at sizes n ∈ {1, 2, 3}; no proof for all n" in v.reason
    w = prove(lhs, 0, sizes=(1, 2, 3, 4))
    assert w.refuted and w.witness.values["n"] == "4"


def test_fixed_sizes_are_proved_value_by_value():
    """⌊j/4⌋ = 0 for j ∈ {1, 2, 3}: exact at every index value of a fixed range is a proof."""
    v = prove(sp.floor(j / 4), 0, ranges={j: (1, 3)})
    assert v.proved and v.method.startswith("exact at every value of j")


def test_definitions_apply_for_every_index():
    claim = make_claim(sp.Derivative(Y[j], U[k]), 0, [SOFTMAX])
    assert claim.lhs0.has(sp.exp(U[j])) and not claim.lhs0.has(Y[j])
    assert claim.ranges[j] == (1, n) and claim.sizes == (n,)


def test_assumptions_are_sorted_by_kind():
    kinds = sort_assumptions([CE, ONE_HOT, sp.Ne(u, 0), (x, y + 1)])
    assert kinds.definitions == ((CE.lhs, CE.rhs), (x, y + 1))
    assert kinds.constraints == ((ONE_HOT.lhs, ONE_HOT.rhs),)
    assert kinds.exclusions == ((u, 0),)


def test_canonical_dummies_make_alpha_equivalent_sums_equal():
    a = sp.Sum(T[k1] * U[k1], (k1, 1, n))
    b = sp.Sum(T[k2] * U[k2], (k2, 1, n))
    assert a != b and canonical_dummies(a) == canonical_dummies(b)
    assert normal_form(a - b) == 0


# ── limits: time, unsupported input, never a numeric proof ─────────────────
def test_explosive_expression_is_inconclusive_within_the_bound():
    xs = sp.symbols("x1:7")
    s, s2 = sp.Add(*xs), sp.Add(*(2 * v for v in xs))
    start = time.monotonic()
    v = prove(s ** 30, s ** 15 * s2 ** 15 / 2 ** 15, timeout=2.0)
    elapsed = time.monotonic() - start
    assert v.status is Status.INCONCLUSIVE
    assert "timed out" in v.reason
    assert elapsed < 2.0 + 1.5


def test_numeric_agreement_is_never_proved():
    """A true identity SymPy cannot show in time: only 'numerically consistent', never 'proved'."""
    xs = sp.symbols("x1:7")
    s, s2 = sp.Add(*xs), sp.Add(*(2 * v for v in xs))
    v = prove(s ** 30, s ** 15 * s2 ** 15 / 2 ** 15, timeout=3.0)
    assert v.status is Status.INCONCLUSIVE and not v.proved
    assert "numerically consistent" in v.reason or "timed out" in v.reason


def test_unsupported_assumption_is_inconclusive():
    v = prove(x, x, assumptions=[sp.Gt(x, 0)])
    assert v.status is Status.INCONCLUSIVE and "unsupported" in v.reason


def test_matrix_sides_are_unsupported():
    v = prove(sp.Matrix([x]), sp.Matrix([x]))
    assert v.status is Status.INCONCLUSIVE and "matrix" in v.reason


def test_verdict_json_has_the_design_fields():
    data = prove(sp.Derivative(sig, u), sig).to_json()
    assert {"status", "reason", "witness", "expected", "method"} <= set(data)
    assert data["status"] == "refuted" and "u" in data["witness"]["values"]
    json.dumps(data)


def test_nonnegative():
    assert prove_nonnegative((sig - sp.Rational(1, 2)) ** 2).proved
    v = prove_nonnegative(x - 1)
    assert v.refuted and sp.Rational(v.witness.values["x"]) < 1


# ── the command ────────────────────────────────────────────────────────────
def _run(**kw):
    args = SimpleNamespace(names=[], list=False, all=False, format="text", timeout=5.0)
    for key, value in kw.items():
        setattr(args, key, value)
    out, err = io.StringIO(), io.StringIO()
    return run_prove(args, out, err), out.getvalue(), err.getvalue()


def test_cli_list():
    code, out, _ = _run(list=True)
    assert code == 0 and "softmax_cross_entropy" in out and "sigmoid_max_derivative" in out
    code, out, _ = _run(list=True, format="json")
    assert code == 0 and {e["name"] for e in json.loads(out)} >= {"relu_derivative", "delta_recursion"}


def test_cli_one_name_text_and_json():
    code, out, _ = _run(names=["softmax_cross_entropy"])
    assert code == 0 and "proved" in out and "step 1" in out and "for all n" in out
    code, out, _ = _run(names=["preactivation_bias"], format="json")
    data = json.loads(out)
    assert code == 0 and data["summary"]["proved"] == 1
    item = data["identities"][0]
    assert item["status"] == "proved" and all(s["status"] == "proved" for s in item["steps"])


def test_cli_unknown_name_exits_2_with_the_list():
    code, out, err = _run(names=["nope"])
    assert code == 2 and "softmax_cross_entropy" in err and out == ""


@pytest.mark.parametrize("kw", [{}, {"list": True, "all": True}, {"all": True, "names": ["x"]}])
def test_cli_usage_errors_exit_2(kw):
    code, _, err = _run(**kw)
    assert code == 2 and "exactly one" in err


def test_cli_rejects_a_nonpositive_timeout():
    code, _, err = _run(all=True, timeout=0)
    assert code == 2 and "--timeout" in err


def test_cli_exit_codes_follow_the_verdicts(monkeypatch):
    """0 all proved, 1 something refuted, 3 inconclusive only (docs/contracts.md)."""
    from symbackprop import identity_proofs
    from symbackprop.verdict import Witness, inconclusive, refuted

    fake = {"preactivation_bias": inconclusive("timed out"),
            "sigmoid_derivative": refuted(Witness({"u": "1"}, "1", "2"), "m")}
    monkeypatch.setattr(identity_proofs, "prove_identity", lambda name, timeout: fake[name])
    assert _run(names=["preactivation_bias"])[0] == 3
    code, out, _ = _run(names=["preactivation_bias", "sigmoid_derivative"])
    assert code == 1 and "refuted" in out and "inconclusive" in out


def test_derivative_of_an_undefined_symbol_is_never_proved_zero():
    """∂E/∂w with E undefined: SymPy would say 0; the prover must not call ∂E/∂w = 0 proved."""
    E, w = sp.symbols("E w")
    v = prove(sp.Derivative(E, w), 0)
    assert v.status.value == "inconclusive" and "E depends on w" in v.reason
    y = sp.IndexedBase("y")
    k, j = sp.symbols("k j", integer=True)
    assert prove(sp.Derivative(y[k], sp.IndexedBase("x")[j]), 0).status.value == "inconclusive"


@pytest.mark.parametrize("lhs, rhs, status", [
    # ∂(E²)/∂w never mentions w: E must depend on w, how is not stated (SymPy says 0)
    (lambda E, w, x, b: sp.Derivative(E ** 2, w), lambda E, w, x, b: 0, "inconclusive"),
    (lambda E, w, x, b: sp.Derivative(sp.exp(E), w), lambda E, w, x, b: 0, "inconclusive"),
    # true for every dependence of E on w
    (lambda E, w, x, b: sp.Derivative(E + 1, w), lambda E, w, x, b: sp.Derivative(E, w), "proved"),
    (lambda E, w, x, b: sp.Derivative(3 * E, w), lambda E, w, x, b: 3 * sp.Derivative(E, w), "proved"),
    (lambda E, w, x, b: sp.Derivative(E ** 2, w), lambda E, w, x, b: 2 * E * sp.Derivative(E, w), "proved"),
    # the expression mentions w: its other symbols are constants, as a textbook reads them
    (lambda E, w, x, b: sp.Derivative(w * x + b, w), lambda E, w, x, b: x, "proved"),
])
def test_an_open_dependence_proves_only_what_holds_for_every_dependence(lhs, rhs, status):
    syms = sp.symbols("E w x b")
    v = prove(lhs(*syms), rhs(*syms))
    assert v.status.value == status, (v.reason, v.method)
    if status == "inconclusive":
        assert "E depends on w" in v.reason


def test_an_open_dependence_on_an_indexed_variable_is_never_proved_zero():
    """∂(E²)/∂w_{pa} and ∂(y_k²)/∂w_{ij}: the expression never mentions the variable, so its
    dependence is open (SymPy would say 0).  ∂y_{k'}/∂y_k stays a decidable Kronecker delta."""
    E = sp.Symbol("E")
    w, y = sp.IndexedBase("w"), sp.IndexedBase("y")
    p, a_, i, j = sp.symbols("p a i j", integer=True)
    kk, kp = sp.symbols("k k'", integer=True)
    for expr in (sp.Derivative(E ** 2, w[p, a_]), sp.Derivative(y[kk] ** 2, w[i, j])):
        v = prove(expr, 0)
        assert v.status.value == "inconclusive" and "depends on" in v.reason, (expr, v.reason)
    v = prove(sp.Derivative(y[kp], y[kk]), sp.KroneckerDelta(kp, kk))
    assert v.proved, (v.reason, v.method)


def test_an_undecided_pass_before_a_proof_does_not_block_it():
    """Only a kink blocks later proofs; a pass that cannot decide (the canonical one, here) must
    not turn a later proof into 'away from the kink'."""
    n = sp.Symbol("n", integer=True, positive=True)
    kk = sp.Symbol("k", integer=True)
    a, t = sp.IndexedBase("a"), sp.IndexedBase("t")
    v = prove(sp.Sum(a[kk] * sp.KroneckerDelta(kk, sp.Integer(1)), (kk, 1, n)), a[1])
    assert v.proved and "kink" not in (v.method + v.reason), (v.reason, v.method)
