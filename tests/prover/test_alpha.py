"""Both sides identical up to the names of their summation indices: proved before any
derivative is carried out (prover/engine.prove, α-conversion by symbolic.canonical_dummies)."""

import sympy as sp

from symbackprop.prover import prove

k1, k2, j = sp.symbols("k' k'' j", integer=True)
n = sp.Symbol("n", integer=True, positive=True)
a, w, x = sp.IndexedBase("a"), sp.IndexedBase("w"), sp.IndexedBase("x")


def test_sums_that_differ_only_in_their_index_names_are_proved_as_identical():
    inner = sp.Derivative(sp.tanh(sp.Sum(w[j, k1] * x[j], (j, 1, n))), w[j, k1])
    lhs = sp.Sum(a[k1] * inner, (k1, 1, n))
    rhs = lhs.xreplace({k1: k2})
    v = prove(lhs, rhs, timeout=5.0)
    assert v.proved and "up to the names of their summation indices" in v.method


def test_a_free_index_is_no_summation_index():
    """a_{k'} and a_{k''} with k', k'' free are two entries: nothing is renamed."""
    v = prove(a[k1], a[k2], timeout=5.0)
    assert not v.proved
