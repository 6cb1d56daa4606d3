"""The first look (prover/passes.py): two random points at the smallest instance before any
symbolic work, so a wrong step is refuted even where the symbolic passes would run out of time."""

import sympy as sp

from symbackprop.prover import prove

k = sp.Symbol("k", integer=True)
n = sp.Symbol("n", integer=True, positive=True)
x = sp.IndexedBase("x")


def _passes(v):
    return [name for name, _status, _t in v.details["passes"]]


def test_a_wrong_claim_is_refuted_before_the_symbolic_passes():
    v = prove(sp.Sum(sp.tanh(x[k]) ** 2, (k, 1, n)), sp.Sum(1 - sp.tanh(x[k]) ** 2, (k, 1, n)))
    assert v.refuted and _passes(v) == ["prepare", "first_look"]
    assert v.witness is not None and "counterexample at" in v.method


def test_a_true_claim_goes_on_to_be_proved():
    v = prove(sp.Sum(2 * x[k], (k, 1, n)), 2 * sp.Sum(x[k], (k, 1, n)))
    assert v.proved and "first_look" in _passes(v)


def test_a_claim_that_may_only_be_proved_takes_no_first_look():
    v = prove(sp.Sum(2 * x[k], (k, 1, n)), 2 * sp.Sum(x[k], (k, 1, n)), refute=False)
    assert v.proved and "first_look" not in _passes(v)


t = sp.IndexedBase("t")
b, B, z = sp.Symbol("b", integer=True), sp.Symbol("B", integer=True, positive=True), sp.Symbol("z")


def test_a_constraint_over_its_own_sum_keeps_the_first_look():
    v = prove(sp.Sum(t[k], (k, 1, n)) * sp.tanh(z) ** 2, 1 - sp.tanh(z) ** 2,
              assumptions=[sp.Eq(sp.Sum(t[k], (k, 1, n)), 1)])
    assert v.refuted and _passes(v) == ["prepare", "first_look"]


def test_a_constraint_with_a_free_index_gets_no_first_look_verdict():
    """Σ_k t_{bk} = 1 holds for every row b; solved at one b only, a point would break it in
    another row: the first look decides nothing, and the claim is proved as before."""
    v = prove(sp.Sum(t[b, k], (k, 1, n), (b, 1, B)), B, assumptions=[sp.Eq(sp.Sum(t[b, k], (k, 1, n)), 1)])
    assert v.proved and dict((p, s) for p, s, _t in v.details["passes"])["first_look"] == "no verdict"
