"""The index structure of a claim (prover/claim.py): ranges read off by letter."""

import sympy as sp

from symbackprop.checker.names import tex
from symbackprop.prover.claim import make_claim

i, j, k = sp.symbols("i j k", integer=True)
n1, n2 = sp.symbols("n1 n2", integer=True, positive=True)
w, v = sp.IndexedBase("w"), sp.IndexedBase("v")


def test_one_letter_bound_by_sums_over_two_ranges_gives_each_its_own():
    """Σ_{k≤n1} w_{ik} and Σ_{k≤n2} w_{kj} v_k: the columns of w run to n1, its rows to n2; a free
    j in a column ranges to n1 only (read by letter, k's two ranges made j ≤ n2 too)."""
    lhs = sp.Sum(w[i, k], (k, 1, n1)) + sp.Sum(w[k, j] * v[k], (k, 1, n2))
    claim = make_claim(lhs, 0)
    assert set(claim.candidates[j]) == {(1, n1)}
    assert set(claim.candidates[i]) == {(1, n2)}


def test_a_dummy_that_is_also_a_free_index_is_renamed():
    """w_{kj} Σ_{j≤n2} v_j beside a free j: the sum's j is another index."""
    lhs = sp.Sum(w[k, j] * sp.Sum(v[j], (j, 1, n2)), (k, 1, n1))
    claim = make_claim(lhs, 0)
    assert j in claim.free_indices
    assert all(d != j for s in claim.lhs0.atoms(sp.Sum) for d in s.variables)
    assert (1, n2) not in claim.candidates.get(j, ())


def test_a_printed_dummy_never_takes_the_letter_of_an_enclosing_sum():
    inner = sp.Dummy("k", integer=True)
    e = sp.Sum(w[k, j] * sp.Sum(v[inner] * w[k, inner], (inner, 1, n2)), (k, 1, n1))
    out = tex(e)
    assert "w_{k,k}" not in out.replace(" ", "") and "w_{kk}" not in out.replace(" ", "") and "k'" in out
