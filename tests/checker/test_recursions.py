"""A backward recursion written before its quantity is defined (checker/recursions.py)."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.recursions import recursion


def test_a_recursion_over_layers_is_no_definition():
    r"""``ξ^{i}_n = Σ_k ∂z^{i+1}_k/∂z^{i}_n ξ^{i+1}_k`` as the first formula of ξ relates two layers;
    recorded as ξ's definition, every later ξ^{i+1}_k was unfolded layer after layer (ξ^{i+8})
    and the identities report's δ-recursion proof was left open, step by step."""
    i, n, k = sp.Symbol("i"), sp.Symbol("n"), sp.Symbol("k")
    xi_i, xi_next = sp.IndexedBase(sp.Symbol("xi^{i}")), sp.IndexedBase(sp.Symbol("xi^{i+1}"))
    assert recursion(xi_i[n], 2 * xi_next[k])
    assert not recursion(xi_i[n], 2 * sp.IndexedBase(sp.Symbol("z^{i+1}"))[k])  # another quantity
    assert not recursion(sp.IndexedBase(sp.Symbol("xi^{L}"))[n], xi_next[k])      # not a general label
    y, y_below = sp.IndexedBase(sp.Symbol("y^{l}")), sp.IndexedBase(sp.Symbol("y^{l-1}"))
    assert not recursion(y[k], sp.Function("f")(y_below[k]))                      # a forward definition
    doc = (r"$$z^{i+1}_{k} := \sum_{j=1}^{M_{i}} w^{i+1}_{kj} \phi_{i}(z^{i}_{j})$$" "\n\n"
           r"$$\xi^{i}_{n} = \sum_{k=1}^{M_{i+1}} \frac{\partial z^{i+1}_{k}}{\partial z^{i}_{n}} \xi^{i+1}_{k}$$" "\n\n"
           r"$$\sum_{k=1}^{M_{i+1}} \frac{\partial z^{i+1}_{k}}{\partial z^{i}_{n}} \xi^{i+1}_{k} = "
           r"\sum_{k=1}^{M_{i+1}} \phi_{i}'(z^{i}_{n}) w^{i+1}_{kn} \xi^{i+1}_{k}$$" "\n")
    last = check_text(doc, timeout=10).claims[-1]
    assert last.status == "proved", (last.status, last.reason)


def test_a_recursion_the_document_does_not_define_is_never_refuted():
    """Read as a claim with ξ at two layers as two unknowns, a correct recursion 'failed' at a
    witness setting them apart (seed 001's ξ recursion read alone)."""
    doc = r"$$\xi^{i}_{n} = \phi_{i}'(z^{i}_{n}) \sum_{k=1}^{M_{i+1}} \xi^{i+1}_{k} w^{i+1}_{kn}$$" "\n"
    (c,) = check_text(doc, timeout=10).claims
    assert c.status == "inconclusive" and c.category == "recursion", (c.status, c.reason)
