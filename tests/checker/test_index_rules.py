"""Index discipline: errata the indices alone show (checker/index_rules.py)."""

import pytest

from symbackprop.checker import check_text
from symbackprop.checker.index_rules import INDEX_RULES

CORRECT = {
    "summed-free-index": "$$u_j = \\sum_i w_{ij} x_i + b_j$$\n\n$$\\frac{\\partial E}{\\partial w_{ij}} = \\delta_j x_i$$\n",
    "stray-free-index": "$$u_k = \\sum_j w_{jk} y_j + b_k$$\n\n$$u_j = \\sum_i w_{ij} x_i + b_j$$\n",
}


def statuses(doc, disabled=()):
    return [c.status for c in check_text(doc, timeout=3.0, disabled=list(disabled)).claims]


@pytest.mark.parametrize("rule", INDEX_RULES, ids=[r.name for r in INDEX_RULES])
def test_each_rule_refutes_its_example_with_the_reason_and_no_made_up_witness(rule):
    claims = check_text(rule.example, timeout=3.0).claims
    (bad,) = [c for c in claims if c.status == "refuted"]
    assert rule.name in bad.method and "index" in bad.reason and bad.witness is None
    assert rule.rationale


@pytest.mark.parametrize("rule", INDEX_RULES, ids=[r.name for r in INDEX_RULES])
def test_without_the_rule_its_example_is_not_refuted_by_it(rule):
    claims = check_text(rule.example, timeout=3.0, disabled=[rule.name]).claims
    assert not any(rule.name in (c.method or "") for c in claims)


@pytest.mark.parametrize("name", list(CORRECT))
def test_the_correct_form_is_not_refuted(name):
    assert "refuted" not in statuses(CORRECT[name])


def test_a_verbatim_copy_of_a_refuted_formula_refers_to_its_first_place():
    doc = ("$$u_k = \\sum_j w_{jk} y_j + b_k$$\n\n$$u_j = \\sum_i w_{ij} x_i + b_k$$\n\n"
           "A margin copy:\n\n$$u_j = \\sum_i w_{ij} x_i + b_k,$$\n")
    claims = check_text(doc, timeout=3.0).claims[1:]
    assert [c.status for c in claims] == ["refuted", "inconclusive"]
    assert "line 3" in claims[1].reason


def test_a_display_joined_to_the_previous_one_is_not_judged_by_its_indices():
    # "= Σ_k …" continues whatever display came before (a pop-up copy may stand there)
    doc = ("$$\\frac{\\partial z_k}{\\partial z_j} = w_{kj} \\sigma'(z_j)$$\n\n"
           "$$= \\sum_k \\frac{\\partial z_k}{\\partial z_j} d_k$$\n")
    assert not any("index discipline" in (c.method or "") for c in check_text(doc, timeout=3.0).claims)


def test_a_width_named_by_the_layer_letter_of_a_label_is_no_stray_index():
    """z^{i+1}_k = Σ_{j=1}^{M_i} w^{i+1}_{kj} φ_i(z^i_j): the width M_i carries the layer letter i,
    which the left side has in its label (our proofs report was refuted here)."""
    letters = "$$s_{n} = \\sum_{i=1}^{N} c_{i}$$\n\n"  # i is an index letter of the document
    doc = letters + "$$z^{i+1}_{k} = \\sum_{j=1}^{M_{i}} w^{i+1}_{kj} \\phi_{i}(z^{i}_{j})$$\n"
    assert "refuted" not in statuses(doc)
    stray = letters + "$$z^{i+1}_{k} = \\sum_{j=1}^{M_{i}} w^{i+1}_{kj} \\phi_{i}(z^{i}_{j}) + b^{i+1}_{j}$$\n"
    assert "refuted" in statuses(stray)  # b_j: another unit's bias, still a stray
