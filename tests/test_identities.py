"""The catalog: every identity proved (statement and each step), every mutation refuted with a valid witness."""

from __future__ import annotations

from dataclasses import replace as dc_replace

import sympy as sp
import pytest
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop import identities as cat
from symbackprop.derive import derive
from symbackprop.identities import IDENTITIES, UnknownIdentityError, identity
from symbackprop.identity_proofs import prove_all, prove_entry, prove_identity
from symbackprop.model import Layer, Network
from symbackprop.prove import prove
from symbackprop.rules import activations as act_registry
from symbackprop.rules import losses as loss_registry
from symbackprop.rules.functions import sigmoid
from symbackprop.rules.notation_table import explicit
from symbackprop.verdict import Status


# ── an independent check of a reported witness ────────────────────────────
# The prover rewrites σ, tanh … into exponentials before differentiating; this check
# does not: it uses ``doit`` (SymPy's rules, ``sigmoid.fdiff``) on the claim as stated,
# so a witness is confirmed by a second route.  test_prove.py imports it from here.

def _definitions(assumptions):
    out = []
    for a in assumptions:
        if isinstance(a, sp.Eq) and isinstance(a.lhs, (sp.Symbol, sp.Indexed)):
            inner = a.rhs.atoms(sp.Indexed)
            if not isinstance(a.lhs, sp.Indexed) or all(e.base != a.lhs.base for e in inner):
                out.append(a)
    return out


def _substitute_definitions(expr, definitions):
    for _ in range(4):
        for d in definitions:
            if isinstance(d.lhs, sp.Symbol):
                expr = expr.subs(d.lhs, d.rhs)
            else:
                pat, body = d.lhs, d.rhs
                expr = expr.replace(
                    lambda e, pat=pat: isinstance(e, sp.Indexed) and e.base == pat.base,
                    lambda e, pat=pat, body=body: body.subs(dict(zip(pat.indices, e.indices)), simultaneous=True))
    return expr


def _at(expr, definitions, details):
    expr = _substitute_definitions(sp.sympify(expr), definitions)
    expr = expr.xreplace(details["instance"]).doit()
    for f, lam in details["functions"].items():
        expr = expr.replace(f, lam).doit()
    return expr.xreplace(details["substitution"])


def assert_valid_witness(lhs, rhs, assumptions, verdict) -> None:
    """The witness names every unknown, satisfies the assumptions, and the sides differ there."""
    w, d = verdict.witness, verdict.details
    assert w is not None and w.values
    if d.get("kink"):
        (x, x0), = d["substitution"].items()
        h = sp.Symbol("h", positive=True)
        f = explicit(lhs.expr if isinstance(lhs, sp.Derivative) else rhs.expr)
        left = sp.limit((f.subs(x, x0 - h) - f.subs(x, x0)) / (-h), h, 0, "+")
        right = sp.limit((f.subs(x, x0 + h) - f.subs(x, x0)) / h, h, 0, "+")
        assert left != right, "the derivative exists at the reported kink"
        return
    for atom in d["substitution"]:
        assert str(atom) in w.values
    for key, value in d["instance"].items():
        assert w.values[str(key)] == str(value)
    defs = _definitions(assumptions)
    for a in assumptions:
        if a in defs:
            continue
        if isinstance(a, sp.Ne):
            assert _at(a.lhs - a.rhs, defs, d) != 0
        else:
            assert sp.simplify(_at(a.lhs - a.rhs, defs, d)) == 0, f"witness violates {a}"
    diff = _at(lhs - rhs, defs, d)
    value = sp.N(diff, 60)
    assert value.is_number and abs(value) > 1e-20, f"the sides agree at the witness: {diff}"


sig, u, U, Y, T, W = cat.sig, cat.u, cat.U, cat.Y, cat.T, cat.W
i, j, k, n = cat.i, cat.j, cat.k, cat.n
half = sp.Rational(1, 2)


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_every_entry_is_proved_with_every_step(name):
    v = prove_identity(name)
    assert v.status is Status.PROVED, (v.reason, v.method)
    parts = v.details["parts"]
    assert parts and all(p.verdict.proved for p in parts)
    assert v.details["statement"].proved
    assert "exact" in v.method and "numerically" not in v.method


def test_softmax_cross_entropy_is_proved_for_symbolic_n():
    v = prove_identity("softmax_cross_entropy")
    assert v.proved and "for all n" in v.method and "exact symbolic proof" in v.method
    assert "assumption" in v.method  # Σ t = 1 was used
    assert v.details["statement"].details["passes"][-1][0] == "index_aware"


def test_max_sigmoid_derivative_rests_on_checked_facts():
    v = prove_identity("sigmoid_max_derivative")
    facts = [p for p in v.details["parts"] if p.label == "fact"]
    assert len(facts) == 3 and all(f.verdict.proved for f in facts)
    assert "3 facts proved" in v.method


# ── mutations: sign flipped, index swapped, factor dropped ─────────────────
def _delta_recursion_parts():
    z, w1 = sp.IndexedBase("z^{i}", real=True), sp.IndexedBase("w^{i+1}", real=True)
    xi1, phi = sp.IndexedBase(r"\xi^{i+1}", real=True), sp.Function("phi_i")
    M1 = sp.Symbol("M_{i+1}", integer=True, positive=True)
    nn, kk = cat.index_symbol("n"), cat.index_symbol("k")
    return z, w1, xi1, phi, M1, nn, kk


def _recursion(kind):
    z, w1, xi1, phi, M1, nn, kk = _delta_recursion_parts()
    dphi = sp.Derivative(phi(z[nn]), z[nn])
    if kind == "factor":
        return sp.Sum(xi1[kk] * w1[kk, nn], (kk, 1, M1))
    return dphi * sp.Sum(xi1[kk] * w1[nn, kk], (kk, 1, M1))


def _batch(kind):
    ident = IDENTITIES["batch_outer_products"]
    me = ident.rhs
    jj, ii = me.i, me.j
    if kind == "index":
        return MatrixElement(me.parent, ii, jj)
    return -me


MUTATIONS = [
    ("sigmoid_derivative", "factor dropped (σ′ = σ)", lambda I: sig),
    ("sigmoid_derivative", "sign flipped", lambda I: sig * (sig - 1)),
    ("tanh_derivative", "sign flipped", lambda I: 1 + sp.tanh(u) ** 2),
    ("tanh_derivative", "power dropped", lambda I: 1 - sp.tanh(u)),
    ("softplus_derivative", "sign flipped", lambda I: sigmoid(-u)),
    ("relu_derivative", "sign flipped", lambda I: sp.Heaviside(-u)),
    ("relu_derivative", "factor dropped", lambda I: sp.Integer(1)),
    ("softmax_jacobian", "sign flipped", lambda I: Y[i] * (cat.delta(i, j) + Y[j])),
    ("softmax_jacobian", "index swapped", lambda I: Y[i] * (cat.delta(i, j) - Y[i])),
    ("softmax_jacobian", "factor dropped", lambda I: Y[i] * cat.delta(i, j)),
    ("logsumexp_gradient", "factor dropped", lambda I: sp.exp(U[k])),
    ("logsumexp_gradient", "sign flipped", lambda I: -Y[k]),
    ("softmax_cross_entropy", "sign flipped", lambda I: T[k] - Y[k]),
    ("softmax_cross_entropy", "term dropped", lambda I: Y[k]),
    ("sigmoid_binary_cross_entropy", "sign flipped", lambda I: T[k] - Y[k]),
    ("sigmoid_binary_cross_entropy", "extra σ′ factor", lambda I: Y[k] * (1 - Y[k]) * (Y[k] - T[k])),
    ("identity_sum_of_squares", "sign flipped", lambda I: T[k] - Y[k]),
    ("identity_sum_of_squares", "factor ½ kept", lambda I: half * (Y[k] - T[k])),
    ("mean_squared_error_gradient", "factor 2 dropped", lambda I: (Y[k] - T[k]) / n),
    ("mean_squared_error_gradient", "sign flipped", lambda I: 2 * (T[k] - Y[k]) / n),
    ("preactivation_weight", "index swapped", lambda I: Y[k]),
    ("preactivation_weight", "sign flipped", lambda I: -Y[j]),
    ("preactivation_bias", "sign flipped", lambda I: sp.Integer(-1)),
    ("preactivation_input", "index swapped", lambda I: W[k, j]),
    ("preactivation_input", "sign flipped", lambda I: -W[j, k]),
    ("delta_recursion", "factor dropped (φ′)", lambda I: _recursion("factor")),
    ("delta_recursion", "index swapped (w_nk)", lambda I: _recursion("index")),
    ("batch_outer_products", "index swapped", lambda I: _batch("index")),
    ("batch_outer_products", "sign flipped", lambda I: _batch("sign")),
    ("sigmoid_max_derivative", "sign flipped", lambda I: (sig + half) ** 2),
]


@pytest.mark.parametrize("name,kind,mutate", MUTATIONS, ids=[f"{m[0]}-{m[1]}" for m in MUTATIONS])
def test_mutation_is_refuted_with_a_valid_witness(name, kind, mutate):
    ident = IDENTITIES[name]
    rhs = mutate(ident)
    v = prove(ident.lhs, rhs, assumptions=ident.assumptions)
    assert v.status is Status.REFUTED, (kind, v.reason, v.method)
    assert_valid_witness(ident.lhs, rhs, ident.assumptions, v)


def test_every_entry_has_a_mutation():
    assert {m[0] for m in MUTATIONS} == set(IDENTITIES)


def test_index_swapped_bias_derivative_is_refuted():
    """∂u_k/∂b_j = 1 fails for j ≠ k."""
    ident = IDENTITIES["preactivation_bias"]
    lhs = cat.D(U[k], cat.Bias[j])
    v = prove(lhs, 1, assumptions=ident.assumptions)
    assert v.refuted
    assert v.witness.values["j"] != v.witness.values["k"]
    assert_valid_witness(lhs, sp.Integer(1), ident.assumptions, v)


def test_wrong_fact_is_refuted():
    v = prove(sp.Subs(cat.D(sig, u), u, 0), half)
    assert v.refuted and v.witness.lhs == "1/4"


# ── assumptions that matter ────────────────────────────────────────────────
NEEDY = [name for name, ident in IDENTITIES.items() if ident.essential_assumptions]


def test_the_needy_entries_are_the_expected_ones():
    assert set(NEEDY) == {"softmax_cross_entropy", "relu_derivative"}


@pytest.mark.parametrize("name", NEEDY)
def test_without_its_assumption_the_entry_is_not_proved(name):
    """Refuted with a valid witness (softmax + CE at n = 1), or blocked where the claim has no
    value to compare (ReLU′ at its kink)."""
    ident = IDENTITIES[name]
    v = prove(ident.lhs, ident.rhs, assumptions=ident.definitions)
    assert v.status in (Status.REFUTED, Status.INCONCLUSIVE), (v.reason, v.method)
    if v.refuted:
        assert_valid_witness(ident.lhs, ident.rhs, ident.definitions, v)


def test_relu_without_u_nonzero_is_not_proved():
    """Without u ≠ 0 the kink blocks the proof; it is no witness (the derivative has no value there)."""
    ident = IDENTITIES["relu_derivative"]
    v = prove(ident.lhs, ident.rhs)
    assert v.status is Status.INCONCLUSIVE and v.witness is None
    assert "u ≠ 0" in v.reason


def test_cross_entropy_without_targets_summing_to_one_fails_at_n_1():
    ident = IDENTITIES["softmax_cross_entropy"]
    v = prove(ident.lhs, ident.rhs, assumptions=ident.definitions)
    assert v.witness.values["n"] == "1" and v.witness.values["t[1]"] != "1"


# ── catalog API ────────────────────────────────────────────────────────────
def test_entries_have_latex_steps_and_rule_names():
    for ident in IDENTITIES.values():
        assert ident.statement_latex and ident.title
        assert ident.steps, ident.name
        for tex, rule in ident.step_table:
            assert tex and rule.isidentifier()


def test_unknown_identity_lists_the_names():
    with pytest.raises(UnknownIdentityError, match="softmax_cross_entropy"):
        identity("no_such_identity")


def test_prove_all_returns_verdicts_in_catalog_order():
    names = ["preactivation_bias", "sigmoid_derivative"]
    out = prove_all(names=names)
    assert list(out) == names and all(v.proved for v in out.values())


# ── the catalog proves the registry's rules, the ones derive() uses ────────
# derive() asks ``rules.activation(name)`` for f, f′ (``.function``, ``.derivative``) or for
# softmax (``.vector_function``, ``.jacobian``), and ``rules.loss(name)`` for E
# (``.function``) and its assumptions.  The entries below state exactly those rules, so a
# rule broken in the registry is a catalog entry that is no longer proved.

def _net(hidden: str, output: str, loss: str) -> Network:
    return Network((Layer("l", "i"), Layer("m", "j", hidden), Layer("n", "k", output)), loss)


#: entry → the network whose derivation uses the same rule, and the layer (1 hidden, 2 output).
ACTIVATION_ENTRIES = {
    "sigmoid_derivative": (_net("sigmoid", "identity", "sse"), 1),
    "tanh_derivative": (_net("tanh", "identity", "sse"), 1),
    "softplus_derivative": (_net("softplus", "identity", "sse"), 1),
    "relu_derivative": (_net("relu", "identity", "sse"), 1),
    "softmax_jacobian": (_net("sigmoid", "softmax", "cross_entropy"), 2),
}


@pytest.mark.parametrize("name", list(ACTIVATION_ENTRIES))
def test_activation_entry_states_the_derivative_derive_uses(name):
    """The entry's right side is, symbol for symbol, the f′ (or Jacobian) lemma of derive()."""
    net, layer = ACTIVATION_ENTRIES[name]
    s = net.symbols[layer]
    lemma = next(r for r in derive(net).layer(layer).lemmas if r.name == "activation_derivative")
    ident = IDENTITIES[name]
    if name == "softmax_jacobian":  # derive: ∂y_{k'}/∂u_k; the entry: ∂y_i/∂u_j
        engine = lemma.rhs.xreplace({s.y: Y, s.dummy: i, s.index: j})
    else:
        engine = lemma.rhs.xreplace({s.u[s.index]: u})
    assert engine == ident.rhs, (engine, ident.rhs)


LOSS_ENTRIES = {
    "softmax_cross_entropy": "cross_entropy",
    "sigmoid_binary_cross_entropy": "binary_cross_entropy",
    "identity_sum_of_squares": "sse",
    "mean_squared_error_gradient": "mse",
}


@pytest.mark.parametrize("name,loss", list(LOSS_ENTRIES.items()))
def test_loss_entry_defines_e_as_derive_writes_it(name, loss):
    """E := the loss of derive()'s forward pass (its output y, target t, index k → y, t, k', n)."""
    net = _net("sigmoid", "sigmoid", loss)
    out = net.symbols[-1]
    forward = derive(net).forward[-1]
    assert forward.name == "loss"
    engine = forward.rhs.xreplace({out.y: Y, net.target: T, out.index: cat.k1, out.size: n})
    definitions = {a.lhs: a.rhs for a in IDENTITIES[name].assumptions if isinstance(a, sp.Eq)}
    assert definitions[cat.E] == engine


def _broken_sigmoid_prime(x):
    return sigmoid(x) * (1 + sigmoid(x))


#: (registry, rule, field, broken version, what is wrong) → the entries that must stop being proved.
#: (ASCII descriptions: a test id must be selectable again by its node id, as mutmut does.)
BREAKS = [
    ("activation", "sigmoid", "derivative", _broken_sigmoid_prime, "sigma' is sigma(1 + sigma)",
     {"sigmoid_derivative", "sigmoid_binary_cross_entropy", "sigmoid_max_derivative"}),
    ("activation", "sigmoid", "function", lambda x: sp.tanh(x), "sigma is tanh",
     {"sigmoid_derivative", "sigmoid_binary_cross_entropy", "sigmoid_max_derivative"}),
    ("activation", "tanh", "derivative", lambda x: 1 + sp.tanh(x) ** 2, "tanh' is 1 + tanh^2",
     {"tanh_derivative"}),
    ("activation", "softplus", "derivative", lambda x: sigmoid(-x), "softplus' is sigma(-u)",
     {"softplus_derivative"}),
    ("activation", "relu", "derivative", lambda x: sp.Heaviside(-x), "ReLU' is H(-u)",
     {"relu_derivative"}),
    ("activation", "identity", "derivative", lambda x: sp.Integer(2), "id' is 2",
     {"identity_sum_of_squares"}),
    ("activation", "softmax", "jacobian", lambda y, a, b: y[a] * (cat.delta(a, b) + y[b]),
     "dy_a/du_b is y_a(delta_ab + y_b)", {"softmax_jacobian"}),
    ("activation", "softmax", "vector_function",
     lambda v, a, d, size: sp.exp(2 * v[a]) / sp.Sum(sp.exp(2 * v[d]), (d, 1, size)), "softmax(2u)",
     {"softmax_jacobian", "logsumexp_gradient", "softmax_cross_entropy"}),
    ("loss", "sse", "function", lambda y, t, d, size: sp.Sum((y[d] - t[d]) ** 2, (d, 1, size)),
     "1/2 dropped", {"identity_sum_of_squares"}),
    ("loss", "mse", "function", lambda y, t, d, size: sp.Sum((y[d] - t[d]) ** 2, (d, 1, size)),
     "1/n dropped", {"mean_squared_error_gradient"}),
    ("loss", "cross_entropy", "function", lambda y, t, d, size: sp.Sum(t[d] * sp.log(y[d]), (d, 1, size)),
     "sign flipped", {"softmax_cross_entropy"}),
    ("loss", "cross_entropy", "assumptions", (), "sum of t is 1 not stated", {"softmax_cross_entropy"}),
    ("loss", "binary_cross_entropy", "function",
     lambda y, t, d, size: -sp.Sum(t[d] * sp.log(y[d]), (d, 1, size)), "(1 - t) log(1 - y) dropped",
     {"sigmoid_binary_cross_entropy"}),
]


def _fingerprint(ident):
    return sp.srepr((ident.lhs, ident.rhs, sp.Tuple(*ident.assumptions), sp.Tuple(*(s.expr for s in ident.steps))))


@pytest.mark.parametrize("registry,name,field,broken,what,entries", BREAKS,
                         ids=[f"{b[1]}.{b[2]}-{b[4]}" for b in BREAKS])
def test_a_rule_broken_in_the_registry_is_an_entry_no_longer_proved(monkeypatch, registry, name, field,
                                                                    broken, what, entries):
    """Exactly the entries that state the rule change, and none of them is proved any more."""
    table = act_registry.ACTIVATIONS if registry == "activation" else loss_registry.LOSSES
    monkeypatch.setitem(table, name, dc_replace(table[name], **{field: broken}))
    rebuilt = {n: getattr(cat, n)() for n in IDENTITIES}
    changed = {n for n, ident in rebuilt.items() if _fingerprint(ident) != _fingerprint(IDENTITIES[n])}
    assert changed == entries
    for n in sorted(entries):
        v = prove_entry(rebuilt[n], timeout=3.0)
        assert not v.proved, (n, what, v.method)


#: entry → (activation, the function its first step writes f out with, does ``explicit`` write it
#: out, what the registry's f(u) knows of its sign)
WRITTEN_OUT = {
    "sigmoid_derivative": ("sigmoid", sp.exp, True, True),
    "tanh_derivative": ("tanh", sp.exp, False, None),
    "softplus_derivative": ("softplus", sp.log, True, None),
    "relu_derivative": ("relu", sp.Max, True, None),
}


@pytest.mark.parametrize("name", list(WRITTEN_OUT))
def test_the_definition_step_writes_out_the_registry_function(name):
    """The entry's first step D(f(u)) = D(definition) is the registry's f written out as the
    prover (``explicit``) and SymPy (``rewrite``) write it, with the same values (``evalf``)."""
    act, target, by_explicit, positive = WRITTEN_OUT[name]
    f = cat.rule(act).function(u)
    written = IDENTITIES[name].steps[0].expr.expr
    assert f.rewrite(target) == written
    if by_explicit:
        assert explicit(f) == written
    assert f.is_real is True and f.is_positive is positive
    assert cat.rule(act).function(sp.Symbol("z")).is_positive is None  # nothing known off the real line
    for x in (sp.Integer(0), sp.Rational(1, 3), sp.Rational(-2, 3)):
        value = cat.rule(act).function(x)
        assert abs(sp.N(value, 40) - sp.N(written.subs(u, x), 40)) < 1e-35, (act, x, value)


@pytest.mark.parametrize("act", [name for name, a in act_registry.ACTIVATIONS.items() if a.elementwise])
def test_the_registry_function_differentiates_to_the_registry_derivative(act):
    """SymPy's d/du of the registry's f (the class's own fdiff) is the registry's f′: the two
    statements of each rule agree."""
    rule = cat.rule(act)
    assert sp.diff(rule.function(u), u) == rule.derivative(u)
