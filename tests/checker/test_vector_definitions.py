"""A vector-form definition read as the definition of its entries (checker/vector_definitions.py),
the softmax read by its entries (components.ACROSS_ENTRIES), and the two guards that came with
them: a definition's entries are no claim of their own, and a step is an assumption only if it is
one as written (relations.assumption_shape)."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.components import Component, EntryReader
from symbackprop.checker.relations import assumption_shape
from symbackprop.checker.vector_definitions import entry_definition

#: A forward pass in vector form only; the entries a^{L}_j, z^{L}_j are used by the cost and later steps.
VECTOR_FORWARD = (
    "Each layer computes $z^{l} = w^{l} a^{l-1} + b^{l}$ and $a^{l} = \\sigma(z^{l})$.\n\n"      # line 1
    "The cost is $C = \\frac{1}{2} \\sum_j (a^{L}_j - y_j)^2$.\n\n"                                # line 3
)

#: Hidden layers in index form, a softmax output layer in vector form.
SOFTMAX = (
    "The forward pass is $u^{l}_j = \\sum_i w^{l}_{ji} y^{l-1}_i + b^{l}_j$ and $y^{l}_j = f(u^{l}_j)$.\n"   # line 1
    "The output layer is $\\mathbf{y}^{L} = \\mathrm{softmax}(\\mathbf{u}^{L})$.\n\n"                        # line 2
)


def _claims(doc: str, line: int):
    return [c for c in check_text(doc, timeout=5.0).claims if c.line == line]


def test_a_vector_definition_is_never_refuted_through_its_own_entries():
    # its entries read as a claim compared a^{l}_j with σ(z^{l}_j), two free numbers: refuted at 5/4
    doc = VECTOR_FORWARD + "$$\\delta^{L}_j = (a^{L}_j - y_j) \\sigma'(z^{L}_j)$$\n"
    for c in _claims(doc, 1):
        assert c.status != "refuted", (c.statement, c.reason)


def test_an_entrywise_vector_definition_defines_its_entries():
    # the entries z^{l}_j are written (line 5), so σ(z^{l}) has entries too
    doc = VECTOR_FORWARD + "$$\\delta^{L}_j = (a^{L}_j - y_j) \\sigma'(z^{L}_j)$$\n"
    (c,) = [c for c in _claims(doc, 1) if "sigma" in c.statement]
    assert c.category == "definition", c.reason
    assert "entry by entry, a^{l}_{j} = \\sigma\\left(z^{l}_{j}\\right)" in c.reason, c.reason


def test_an_unwritten_entry_is_not_defined():
    (c,) = [c for c in _claims(VECTOR_FORWARD, 1) if "sigma" in c.statement]  # z^{l}_j is never written
    assert c.category == "definition" and "entry by entry" not in c.reason, c.reason


def test_a_product_with_a_matrix_of_unstated_orientation_defines_no_entries():
    # which index of w^{l} is its row the document never says: z^{l}_j is not known
    doc = VECTOR_FORWARD + "Here $w^{l}_{jk}$ is a weight, $b^{l}_j$ a bias and $z^{l}_j$ an input.\n"
    (c,) = [c for c in _claims(doc, 1) if "b^{l}" in c.statement]
    assert c.category == "definition" and "entry by entry" not in c.reason, c.reason


def test_the_entries_of_a_vector_definition_prove_a_claim_about_them():
    doc = VECTOR_FORWARD + "$$\\frac{\\partial a^{L}_j}{\\partial z^{L}_j} = a^{L}_j (1 - a^{L}_j)$$\n"
    (c,) = _claims(doc, 5)
    assert c.status == "proved", c.reason


def test_the_softmax_jacobian_is_proved_from_the_vector_definition():
    doc = SOFTMAX + "$$\\frac{\\partial y^{L}_k}{\\partial u^{L}_j} = y^{L}_k (\\delta_{kj} - y^{L}_j)$$\n"
    (c,) = _claims(doc, 4)
    assert c.status == "proved", c.reason


def test_a_softmax_read_entry_by_entry_would_make_this_wrong_claim_true_it_is_refuted():
    """∂y_k/∂u_j = 0 (k ≠ j) holds for a function applied on every entry, not for the softmax; once the
    definitions were put in, no derivative was left, and the step was taken as a stated assumption."""
    doc = SOFTMAX + "$$\\frac{\\partial y^{L}_k}{\\partial u^{L}_j} = 0$$\n"
    (c,) = _claims(doc, 4)
    assert c.status == "refuted", (c.category, c.reason)


def test_the_softmax_entry_is_a_quotient_over_the_vectors_own_entries():
    u = sp.Symbol("u^{L}")
    comp = Component(sp.IndexedBase(u), (sp.Symbol("L"),), True)
    reader = EntryReader(lambda s: comp if s == u else None, {"vectors": "col"}, list("jkpq"))
    e = reader(sp.Function("softmax")(u))
    k = sp.Symbol("k", integer=True)
    entry = e.at(k, None)
    (total,) = entry.atoms(sp.Sum)
    q = total.limits[0][0]
    assert entry == sp.exp(comp.base[k]) / sp.Sum(sp.exp(comp.base[q]), (q, 1, sp.Symbol("n^{(L)}", integer=True, positive=True)))


def test_entry_definition_needs_one_reading_under_every_orientation():
    a, z = sp.Symbol("a^{l}"), sp.Symbol("z^{l}")
    comps = {a: Component(sp.IndexedBase(a), (sp.Symbol("l"),), True),
             z: Component(sp.IndexedBase(z), (sp.Symbol("l"),), True)}
    lhs, rhs = entry_definition(a, sp.Function("sigma")(z), comps.get)
    assert lhs.base == comps[a].base and rhs == sp.Function("sigma")(comps[z].base[lhs.indices[0]])
    assert entry_definition(a, sp.Symbol("W") * z, comps.get) is None  # W has no entries: not read


def test_a_step_with_a_derivative_as_written_is_no_assumption():
    t, u = sp.IndexedBase("t"), sp.Symbol("u")
    k = sp.Symbol("k", integer=True)
    assert assumption_shape(sp.Sum(t[k], (k, 1, 3)), sp.Integer(1), set(), (sp.Sum(t[k], (k, 1, 3)), sp.Integer(1)))
    written = (sp.Derivative(sp.Function("y")(u), u), sp.Integer(0))
    assert not assumption_shape(sp.exp(u) - sp.exp(u), sp.Integer(0), set(), written)


def test_a_softmax_output_beside_the_general_hidden_layer_is_its_own_definition():
    # y^{l}_j = f(u^{l}_j) put in at l = L is no definition of the softmax layer's entries: not refuted
    (c,) = _claims(SOFTMAX + "$$E = -\\sum_k t_k \\log y^{L}_k$$\n", 2)
    assert c.status == "inconclusive" and c.category == "definition" and "entry by entry" in c.reason, c.reason


# ── a stated one-hot target beside a softmax layer ──

ONE_HOT = SOFTMAX + "The target is one-hot, $\\sum_k t_k = 1$, and $$E = -\\sum_k t_k \\log y^{L}_k$$\n\n"   # line 4


def test_a_stated_assumption_on_other_quantities_leaves_the_step_alone():
    """Σ_k p_k = 1 names no quantity of the softmax Jacobian: its sum and size (n_k, the range of the
    letter k) entered the decision, whose instances then put j past the width of layer L: no proof."""
    doc = SOFTMAX + "A prior: $\\sum_k p_k = 1$.\n\n$$\\frac{\\partial y^{L}_k}{\\partial u^{L}_j} = y^{L}_k (\\delta_{kj} - y^{L}_j)$$\n"
    (c,) = _claims(doc, 6)
    assert c.status == "proved", c.reason


def test_an_unlabelled_target_summed_beside_the_output_layer_runs_over_its_units():
    """t_k is summed with y^{L}_k in the loss, so Σ_k t_k = 1 runs over layer L's units: the one-hot
    assumption is the one the output error needs (before: over n_k, and the step was left open)."""
    (c,) = _claims(ONE_HOT + "$$\\frac{\\partial E}{\\partial u^{L}_k} = y^{L}_k - t_k$$\n", 6)
    assert c.status == "proved", c.reason


def test_related_keeps_only_the_assumptions_that_share_a_quantity_with_the_step():
    from symbackprop.checker.relations import related

    t, y = sp.IndexedBase("t"), sp.IndexedBase("y^{L}")
    k = sp.Symbol("k", integer=True)
    n = sp.Symbol("n_{k}", integer=True, positive=True)
    one_hot = (sp.Sum(t[k], (k, 1, n)), sp.Integer(1))
    assert related([one_hot], y[k], y[k] ** 2) == []
    assert related([one_hot], t[k], y[k]) == [one_hot]


def test_a_function_of_the_whole_vector_is_never_read_entry_by_entry():
    """normalize(u) may mix the entries: read entry by entry (as any function was), or through the
    hidden layers' y^{l}_j = f(u^{l}_j) put in at L, it proved ∂y_k/∂u_j = δ_kj ∂y_k/∂u_k."""
    doc = SOFTMAX.replace("\\mathrm{softmax}", "\\mathrm{normalize}") + (
        "$$\\frac{\\partial y^{L}_k}{\\partial u^{L}_j} = \\delta_{kj} \\frac{\\partial y^{L}_k}{\\partial u^{L}_k}$$\n")
    (c,) = _claims(doc, 4)
    assert c.status != "proved", c.method
    (d,) = _claims(doc, 2)
    assert "entry by entry" not in d.reason, d.reason
