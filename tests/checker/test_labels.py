"""A definition written for a general layer holds at every layer (checker/labels.py)."""

import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.labels import at_label, shift, split

GENERAL = "$$z^l_j = \\sum_k w^l_{jk} a^{l-1}_k + b^l_j$$\n\n$$a^l_j = \\sigma(z^l_j)$$\n\n"


def test_labels_are_read_back_as_expressions():
    l, L = sp.Symbol("l"), sp.Symbol("L")
    assert split("z^{l+1}")[2] == l + 1 and split("a^{L-1}")[2] == L - 1 and split("w") is None
    assert at_label("z^{l+1}", "z^{l}") == (l, l + 1, ("", ""))
    assert at_label("z^{l}", "z^{L}") is None  # a definition at L speaks of L only


def test_a_general_definition_is_shifted_as_a_whole():
    l = sp.Symbol("l")
    j, k = sp.symbols("j k", integer=True)
    body = sp.IndexedBase("w^{l}")[j, k] * sp.IndexedBase("a^{l-1}")[k] + sp.IndexedBase("b^{l}")[j]
    shifted = shift(body, l, l + 1, ("", ""))
    assert {str(a.base.label) for a in shifted.atoms(sp.Indexed)} == {"w^{l+1}", "a^{l}", "b^{l+1}"}


def test_the_next_layer_written_without_its_bias_is_an_erratum():
    doc = GENERAL + "$$z^{l+1}_k = \\sum_j w^{l+1}_{kj} a^l_j$$\n"
    (claim,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 5]
    assert claim.status == "refuted" and "line 1" in claim.reason and "b^{l+1}_{k}" in (claim.expected or "")


def test_the_next_layer_written_right_is_not_refuted():
    doc = GENERAL + "$$z^{l+1}_k = \\sum_j w^{l+1}_{kj} a^l_j + b^{l+1}_k$$\n"
    assert all(c.status != "refuted" for c in check_text(doc, timeout=5.0).claims)


def test_a_general_definition_with_a_slip_decides_nothing_at_other_layers():
    doc = ("$$u_k = \\sum_j w_{jk} y_j$$\n\n$$a^l_j = \\sigma(\\sum_k w^l_{jk} a^{l-1}_k + b^l_k)$$\n\n"
           "$$a^L_j = \\sigma(z^L_j)$$\n")
    claims = check_text(doc, timeout=5.0).claims
    assert [c.status for c in claims if c.line == 5] == ["inconclusive"]


LOOSE = ("$$a^{l}_j = \\sigma\\left( \\sum_k w^{l}_{jk} a^{l-1}_k + b^l_k \\right)$$\n\n"   # a stray k: loose
         "$$z^l_j = \\sum_k w^l_{jk} a^{l-1}_k+b^l_j$$\n\n")


def test_sums_over_one_layer_run_alike_whatever_their_letter():
    """Σ_j a^l_j and the general definition's Σ_k at l + 1 both run over the width of layer l."""
    doc = GENERAL + "$$z^{l+1}_k = \\sum_j w^{l+1}_{kj} a^l_j + b^{l+1}_k$$\n"
    (claim,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 5]
    assert claim.status == "proved"


def test_a_loose_definition_that_cannot_matter_does_not_block_the_erratum():
    """nnadl: z^{l+1} without its bias is wrong whatever the (loose) definition of a^l says."""
    (claim,) = [c for c in check_text(LOOSE + "$$z^{l+1}_k = \\sum_j w^{l+1}_{kj} a^l_j$$\n", timeout=5.0).claims
                if c.line == 5]
    assert claim.status == "refuted" and "kept as variables, the difference does not involve them" in claim.method


def test_a_loose_definition_that_could_matter_still_blocks():
    """The difference a^l_1 depends on the loose quantity: no refutation through it."""
    (claim,) = [c for c in check_text(LOOSE + "$$z^{l+1}_k = \\sum_j w^{l+1}_{kj} a^l_j + b^{l+1}_k + a^l_1$$\n",
                                      timeout=5.0).claims if c.line == 5]
    assert claim.status == "inconclusive" and claim.category == "loose"


DELTA = ("$$E = \\frac{1}{2}\\sum_k (y_k - t_k)^2$$\n\n$$y_k = \\sigma(u_k)$$\n\n"
         "Define $\\delta_k = \\frac{\\partial E}{\\partial u_k}$. Then\n\n")


def test_the_value_of_a_quantity_defined_as_a_derivative_is_a_claim():
    """δ_k := ∂E/∂u_k, then 'δ_k = …' is the derivation's result, checked — not a new definition."""
    (claim,) = [c for c in check_text(DELTA + "$$\\delta_k = (t_k - y_k) y_k (1 - y_k)$$\n", timeout=5.0).claims
                if c.line == 7]
    assert claim.status == "refuted" and "by line 5" in claim.reason
    (claim,) = [c for c in check_text(DELTA + "$$\\delta_k = (y_k - t_k) y_k (1 - y_k)$$\n", timeout=5.0).claims
                if c.line == 7]
    assert claim.status == "proved"


def test_sums_over_two_layers_are_never_taken_for_one():
    """Σ_j a^l_j and Σ_k a^{l-1}_k run over different widths: equal only by accident, never proved."""
    claims = check_text(GENERAL + "$$\\sum_j a^l_j = \\sum_k a^{l-1}_k$$\n", timeout=5.0).claims
    (claim,) = [c for c in claims if c.line == 5]
    assert claim.status != "proved"


def test_a_label_instance_is_worked_out_once_per_state_of_the_definitions():
    """SymbolTable._at_label is remembered (labels are parsed by SymPy: it was the most of the
    time of a step in nnadl-chap2) — and worked out anew once the definitions change."""
    from symbackprop.checker.table import SymbolTable

    j, k = sp.symbols("j k", integer=True)
    table = SymbolTable()
    table.define(sp.IndexedBase("z^{l}")[j], sp.IndexedBase("a^{l-1}")[j], 1)
    z = sp.IndexedBase("z^{l+1}")[k]
    first = table._at_label(z)
    assert first is not None and first.rhs == sp.IndexedBase("a^{l}")[j]
    assert table._at_label(z) is first
    table.define(sp.IndexedBase("z^{l}")[j], 2 * sp.IndexedBase("a^{l-1}")[j], 2)
    assert table._at_label(z).rhs == 2 * sp.IndexedBase("a^{l}")[j]


#: the general layer's forward pass with the layer below named by the label's letter (M_i, φ_i)
LABEL_LETTER = r"""$$z^{i+1}_{k} = \sum_{j=1}^{M_{i}} w^{i+1}_{kj} \phi_i(z^{i}_{j})$$

$$\frac{\partial z^{i+1}_{k}}{\partial w^{i+1}_{kj}} = \phi_i(z^{i}_{j})$$

$$\frac{\partial z^{i+1}_{k}}{\partial w^{i+1}_{kj}} = \phi_i(z^{i}_{k})$$
"""


def test_a_definition_whose_right_side_names_the_layer_below_by_the_labels_letter_is_not_loose():
    """``M_i`` and ``φ_i`` beside ``z^{i+1}_k`` hold the letter of the left side's label, no unit of
    another layer: the definition is a function of what its left side names, so claims that use
    it are decided (the δ recursion of our identities report had been left open as "loose")."""
    _definition, right, wrong = check_text(LABEL_LETTER).claims
    assert "free index" not in _definition.reason
    assert right.status == "proved", (right.category, right.reason)
    assert wrong.status == "refuted", (wrong.category, wrong.reason)

