"""Update rules of gradient descent (checker/updates.py): p ← p − η G claims G = ∂E/∂p."""

import pytest

from symbackprop.checker import check_text

NET = ("$$y = \\sum_j v_j h_j + c$$\n\n"
       "$$E = \\frac{1}{2} (y - t)^2$$\n\n")


def _row(update: str):
    (c,) = [c for c in check_text(NET + f"$${update}$$\n", timeout=5.0).claims if c.line == 5]
    return c


def test_the_descent_step_is_proved_by_its_form():
    c = _row("w \\leftarrow w - \\eta \\frac{\\partial E}{\\partial w}")
    assert c.status == "proved" and "gradient-descent step" in c.method


def test_an_ascent_step_is_refuted():
    c = _row("w \\gets w + \\eta \\frac{\\partial E}{\\partial w}")
    assert c.status == "refuted" and "gradient ascent" in c.reason
    assert c.expected == "w - \\eta \\frac{\\partial E}{\\partial w}"


def test_the_gradient_put_in_is_checked_against_the_loss():
    c = _row("v_j \\leftarrow v_j - \\alpha (y - t) h_j")
    assert c.status == "proved" and "the update rule says" in c.method


@pytest.mark.parametrize("wrong", ["v_j + \\alpha (y - t) h_j", "v_j - \\alpha (t - y) h_j"])
def test_a_wrong_gradient_in_an_update_is_refuted(wrong):
    c = _row(f"v_j \\leftarrow {wrong}")
    assert c.status == "refuted" and c.witness is not None and c.expected.startswith("v_{j} - \\alpha")


@pytest.mark.parametrize("other", ["v_j - \\eta ((y - t) h_j + \\lambda v_j)",   # weight decay
                                   "v_j + m_j",                                      # no learning rate
                                   "v_j - \\eta (y - t) h_j + \\mu m_j"])            # momentum
def test_other_updates_stay_unchecked_assignments(other):
    c = _row(f"v_j \\leftarrow {other}")
    assert c.status == "inconclusive" and c.category == "update rule"


@pytest.mark.parametrize("wrong", ["v_j - \\eta \\cdot 2 (y - t) h_j", "v_j - \\eta (y - t)",
                                   "v_j - \\eta \\frac{\\partial E}{\\partial c}"])
def test_no_wrong_update_is_proved(wrong):
    assert _row(f"v_j \\leftarrow {wrong}").status != "proved"
