"""The field route in bulk: the compiled closed forms against SymPy's own closed forms and the
entry-by-entry evaluator, the layered tape against the scalar tape, and wrong forms refuted
at widths where the bulk route is what runs."""

from __future__ import annotations

import dataclasses
import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive import Derivation, derive
from symbackprop.instantiate import instantiate, parameter_table
from symbackprop.rules import sigmoid
from symbackprop.spec import load
from symbackprop.verdict import Status
from symbackprop.verifier.closed import ClosedForms
from symbackprop.verifier.definitions import function_name
from symbackprop.verifier.compiled import CompiledForms, Fallback
from symbackprop.verifier.field_arrays import FieldParams, Rec, rec_of, sum_rec, uniform
from symbackprop.verifier.field_route import group_entries, pairs
from symbackprop.verifier.layered import LayeredReference
from symbackprop.verifier.modular import ModularDomain
from symbackprop.verifier.randomized import PROOF_THRESHOLD, modular_test
from symbackprop.verifier.tape import Reference
from symbackprop.verify import default_sizes, entry_groups, verify

DERIVATIONS = Path(__file__).resolve().parents[2] / "derivations"
SPECS = sorted(DERIVATIONS.glob("*.toml"))


def spec(name: str) -> Derivation:
    return derive(load(DERIVATIONS / f"{name}.toml"))


def other_sizes(d: Derivation) -> tuple[int, ...]:
    """Symbolic widths 4, 3, 5, 2, … by first appearance (fixed widths kept)."""
    chosen: dict = {}
    out = []
    for layer in d.network.layers:
        if isinstance(layer.size, sp.Symbol):
            out.append(chosen.setdefault(layer.size, (4, 3, 5, 2, 6)[len(chosen) % 5]))
        else:
            out.append(int(layer.size))
    return tuple(out)


def point(d: Derivation, sizes, seed: int = 7) -> tuple[ModularDomain, FieldParams]:
    dom = ModularDomain(random.Random(seed), 192)
    return dom, FieldParams(dom, sizes, [l.bias for l in d.network.layers])


def field_value(e: sp.Expr, values: dict, dom: ModularDomain):
    """SymPy's instantiated closed form walked in F_p: the same atoms (keyed on their
    argument's value) as every evaluator of the field route."""
    if isinstance(e, sp.Symbol):
        return values[e]
    if e.is_Rational:
        return dom.const(Fraction(int(e.p), int(e.q)))
    if e.is_Add or e.is_Mul:
        out = field_value(e.args[0], values, dom)
        for a in e.args[1:]:
            v = field_value(a, values, dom)
            out = out + v if e.is_Add else out * v
        return out
    if e.is_Pow and e.exp.is_Integer:
        return field_value(e.base, values, dom) ** int(e.exp)
    if isinstance(e, sp.Function) and function_name(e) is not None:
        return dom.apply(function_name(e), field_value(e.args[0], values, dom))
    raise TypeError(f"cannot walk {e}")


CASES = [pytest.param(p, which, id=f"{p.stem}-{which}",  # the deep spec at 4, 3, 5, …: 9 s of SymPy
                       marks=[pytest.mark.slow] if which == "other" and p.stem.startswith("deep") else [])
         for p in SPECS for which in ("default", "other")]


@pytest.mark.parametrize("path,which", CASES)
def test_compiled_forms_agree_with_sympy_substitution_and_the_entrywise_walk(path, which):
    d = derive(load(path))
    sizes = default_sizes(d.network) if which == "default" else other_sizes(d)
    dom, params = point(d, sizes)
    compiled = CompiledForms(d, sizes, dom, params)
    entrywise = ClosedForms(d, sizes, dom, params)
    inst = instantiate(d, sizes)
    names = parameter_table(sizes, [l.bias for l in d.network.layers])
    values = {names[k]: params[k] for k in names}
    checked = 0
    for layer, quantity, keys in entry_groups(d.network, sizes):
        got, rec = compiled.group(layer, quantity)
        assert len(got) == len(keys) and isinstance(rec, Rec)
        for v, key in zip(got, keys):
            assert v == entrywise.entry(layer, quantity, key).v, (layer, quantity, key)
            assert v == field_value(inst.entries(layer, quantity)[key], values, dom).v, (layer, quantity, key)
            checked += 1
    assert checked == sum(len(keys) for _, _, keys in entry_groups(d.network, sizes))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_the_layered_tape_agrees_with_the_scalar_tape(path):
    d = derive(load(path))
    net = d.network
    sizes = other_sizes(d)
    dom, params = point(d, sizes, seed=3)
    args = (dom, sizes, [l.activation for l in net.layers], [l.bias for l in net.layers], net.loss, params)
    bulk, scalar = LayeredReference(*args), Reference(*args)
    for layer, quantity, keys in entry_groups(net, sizes):
        got, _ = bulk.group(layer, quantity)
        assert got == [scalar.entry(layer, quantity, k).v for k in keys], (layer, quantity)


# ── bounds of whole arrays ──────────────────────────────────────────────────
def test_a_common_bound_takes_the_lcm_of_the_denominators():
    dom = ModularDomain(random.Random(1), 61)
    a, b = dom.draw(), dom.draw()
    s = a + b
    xs = [a / s, b / s, (a * b) / s]
    r = rec_of(dom, xs)
    assert r.den.deg == 1 and r.num == 2          # one denominator s; the largest numerator a·b
    r2 = rec_of(dom, [a / s, b / a])
    assert r2.den.deg == 2 and r2.num == 2        # lcm(s, a): each numerator times the other factor
    total = sum_rec(dom, [r], 1000)
    assert total.num == r.num and total.h == r.h + 10 and total.den is r.den


def test_uniform_values_lie_in_the_field():
    dom = ModularDomain(random.Random(2), 24)
    vals = uniform(dom, 5000)
    assert all(0 <= v < dom.p for v in vals) and len(set(vals)) > 4000


def test_members_are_ranges_for_whole_groups_and_lists_otherwise():
    d = spec("classification")
    sizes = (3, 2, 4)
    flat = [(n, q, k) for n, q, keys in entry_groups(d.network, sizes) for k in keys]
    groups = group_entries(flat, sizes)
    assert all(isinstance(m, range) for m in groups.values())
    assert pairs(groups[(2, "weight")])[:3] == [(4, 0), (5, 1), (6, 2)]
    shuffled = flat[::-1]
    groups = group_entries(shuffled, sizes)
    w = dict(pairs(groups[(2, "weight")]))
    for j, f in w.items():
        p, a = shuffled[j][2]
        assert f == (p - 1) * 4 + a - 1


def test_an_entry_outside_the_sizes_is_refused_not_compared_with_a_neighbour():
    with pytest.raises(KeyError, match="not an entry"):
        group_entries([(2, "weight", (1, 5))], (3, 2, 4))
    with pytest.raises(KeyError, match="not an entry"):
        group_entries([(1, "delta", (0,))], (3, 2, 4))


def test_an_index_outside_its_quantity_falls_back_to_the_entrywise_walk():
    """Swapped w indices at non-square widths: the bulk evaluator does not guess; the
    field route still says which entries name no weight."""
    d = spec("regression")
    s, j = d.network.symbols[2], d.network.symbols[1].index
    ld = d.layer(2)
    r = ld.input
    swapped = r.rhs.xreplace({s.w[j, s.index]: s.w[s.index, j]})
    steps = r.steps + (dataclasses.replace(r.steps[-1], expr=swapped, rule="mutation"),)
    ld = dataclasses.replace(ld, input=dataclasses.replace(r, steps=steps))
    d = dataclasses.replace(d, layers=tuple(ld if l.layer == 2 else l for l in d.layers))
    sizes = (3, 2, 3)
    dom, params = point(d, sizes)
    with pytest.raises(Fallback):
        CompiledForms(d, sizes, dom, params).group(2, "input")
    ks = [(n, q, k) for n, q, keys in entry_groups(d.network, sizes) for k in keys]
    out = dict(zip(ks, modular_test(d, sizes, ks, seed=2)))
    assert out[(2, "input", (1,))].kind == "error" and "not a parameter" in out[(2, "input", (1,))].reason
    assert out[(2, "delta", (1,))].kind == "same"


# ── wrong forms at widths where the bulk route runs ─────────────────────────
def mutate(d: Derivation, layer: int, quantity: str, how) -> Derivation:
    ld = d.layer(layer)
    r = getattr(ld, quantity)
    steps = r.steps + (dataclasses.replace(r.steps[-1], expr=how(r.rhs), rule="mutation"),)
    ld = dataclasses.replace(ld, **{quantity: dataclasses.replace(r, steps=steps)})
    return dataclasses.replace(d, layers=tuple(ld if l.layer == layer else l for l in d.layers))


def drop_sigmoid_factor(d: Derivation) -> Derivation:
    s = d.network.symbols[1]
    return mutate(d, 1, "delta", lambda e: e.xreplace({1 - sigmoid(s.u[s.index]): sp.Integer(1)}))


def test_a_mutated_delta_differs_at_width_64_and_nothing_else_does():
    d = drop_sigmoid_factor(spec("classification"))
    sizes = (64, 64, 64)
    ks = [(n, q, k) for n, q, keys in entry_groups(d.network, sizes) for k in keys]
    out = modular_test(d, sizes, ks, seed=4)
    for (layer, quantity, _), r in zip(ks, out):
        if layer == 1:
            assert r.kind == "differs", (layer, quantity)
        else:
            assert r.kind == "same" and r.bound <= PROOF_THRESHOLD


def test_an_output_delta_off_by_a_tiny_term_differs_everywhere_at_width_96():
    d = spec("classification")
    s = d.network.symbols[2]
    d = mutate(d, 2, "delta", lambda e: e + sp.Rational(1, 10 ** 40) * s.y[s.index])
    sizes = (96, 96, 96)
    ks = [(n, q, k) for n, q, keys in entry_groups(d.network, sizes) for k in keys]
    assert {r.kind for r in modular_test(d, sizes, ks, seed=9)} == {"differs"}


def test_a_mutated_delta_is_refuted_with_a_rechecked_witness_at_width_64():
    """A hidden layer of width 64 (narrow input and output keep the real-function stage,
    one evaluation per refuted entry, to a few hundred entries)."""
    report = verify(drop_sigmoid_factor(spec("classification")), (4, 64, 4), timeout=120)
    assert report.verdict.status is Status.REFUTED and report.exit_code() == 1
    bad = [c for c in report.checks if c.verdict.refuted]
    assert {(c.layer, c.quantity) for c in bad} == {(1, "delta"), (1, "weight"), (1, "bias"), (1, "input")}
    assert all(c.verdict.proved for c in report.checks if c.layer == 2)
    first = bad[0].verdict
    assert first.witness is not None and "real functions" in first.method
    assert sum("SymPy substitution" in c.verdict.reason for c in bad) >= 2


# ── the bulk evaluator on every kind of node ────────────────────────────────
def test_every_node_kind_agrees_with_the_entrywise_walk():
    d = spec("classification")
    net = d.network
    s0, s1, s2 = net.symbols
    i, j, k = s0.index, s1.index, s2.index
    l, m, n = (layer.size for layer in net.layers)
    sizes = (4, 3, 5)
    dom, params = point(d, sizes, seed=11)
    compiled = CompiledForms(d, sizes, dom, params)
    entrywise = ClosedForms(d, sizes, dom, params)
    u1, y1, u2, y2, w2, t = s1.u[j], s1.y[j], s2.u[k], s2.y[k], s2.w[j, k], net.target[k]
    exprs = [
        sp.Sum(sp.Sum(sp.KroneckerDelta(j, k) * (j + 2 * k), (j, 1, m)), (k, 1, n)),
        sp.Sum(w2 * y1 * y1, (j, 1, m)),                      # three factors hold the summed index
        sp.Sum(2 * s2.delta[k] * w2 + t, (k, 1, n)),          # a sum of terms under Σ
        s1.y[1] * u2 + s0.y[i],                               # a fixed index, broadcasting
        j * u1 - sp.Rational(3, 7),                           # an index as a value
        u1 ** 3 + 1 / u1 + sigmoid(u1) ** 2,                  # powers, a division per entry
        sp.Sum(y1, (k, 1, n)) + sp.Sum(y2, (k, 3, 2)),        # a term free of k; an empty range
        sp.KroneckerDelta(j, 2) * y1 * w2,                    # δ with a number; two free indices
        sp.exp(-u2) * sp.log(y2) + sp.tanh(u1),               # reflections through the domain
    ]
    ranges = {i: (1, 4), j: (1, 3), k: (1, 5)}
    for e in exprs:
        free = tuple(sorted((x for x in e.free_symbols if x in ranges), key=str))
        t_ = compiled.eval(e, {x: ranges[x] for x in free})
        dims = tuple(ranges[x][1] for x in free)
        got = compiled.arrange(t_, free, dims)
        want = [entrywise.expression(e, dict(zip(free, idx))).v
                for idx in itertools.product(*(range(1, dd + 1) for dd in dims))]
        assert got == want, e


def test_transposed_weight_gradients_differ_at_square_widths():
    """∂E/∂w_jk written δ_j y_k: every index is in range at square widths, so only the
    values can tell — and they do, off the diagonal."""
    d = spec("classification")
    s1, s2 = d.network.symbols[1], d.network.symbols[2]
    j, k = s1.index, s2.index
    d = mutate(d, 2, "weight", lambda e: e.xreplace({s2.delta[k]: s2.delta[j], s1.y[j]: s1.y[k]}))
    sizes = (5, 5, 5)
    ks = [(n, q, key) for n, q, keys in entry_groups(d.network, sizes) for key in keys]
    out = dict(zip(ks, modular_test(d, sizes, ks, seed=1)))
    for p in range(1, 6):
        for a in range(1, 6):
            assert out[(2, "weight", (p, a))].kind == ("same" if p == a else "differs"), (p, a)
