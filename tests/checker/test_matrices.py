"""Vector and matrix steps with written entries, checked entry by entry at concrete sizes."""

from __future__ import annotations

import pytest

from symbackprop.checker import check_text

W = r"""\begin{pmatrix} w_{11} & \cdots & w_{1Q} \\ \vdots & \ddots & \vdots \\ w_{P1} & \cdots & w_{PQ} \end{pmatrix}"""


def claims(body: str) -> list:
    return list(check_text("$$\n" + body + "\n$$\n").claims)


def test_a_product_whose_shapes_do_not_fit_is_refuted_by_its_shapes():
    """W is P×Q; a vector of P rows cannot stand to its right (a missing transpose)."""
    (c,) = claims(r"\begin{pmatrix} s_1 \\ \vdots \\ s_P \end{pmatrix} = " + W +
                  r" \begin{pmatrix} x_1 \\ \vdots \\ x_P \end{pmatrix}")
    assert c.status == "refuted" and "2×3 matrix times a 2×1 matrix" in c.reason
    assert c.witness is None and c.method.startswith("shapes")


def test_the_right_product_is_not_refuted():
    (c,) = claims(r"\begin{pmatrix} \sum_{k=1}^{Q} w_{1k} x_k \\ \vdots \\ \sum_{k=1}^{Q} w_{Pk} x_k \end{pmatrix} = "
                  + W + r" \begin{pmatrix} x_1 \\ \vdots \\ x_Q \end{pmatrix}")
    assert c.status == "inconclusive" and c.category == "vector" and "evidence, not a proof" in c.reason


def test_a_wrong_entry_is_refuted_with_its_witness():
    (c,) = claims(r"\begin{pmatrix} \sum_{k=1}^{Q} w_{1k} x_k \\ \vdots \\ \sum_{k=1}^{Q} w_{Pk} x_k \end{pmatrix} = "
                  + W + r" \begin{pmatrix} 2 x_1 \\ \vdots \\ 2 x_Q \end{pmatrix}")
    assert c.status == "refuted" and c.reason.startswith("entry (1, 1)") and c.witness


def test_explicit_matrices_are_proved_entry_by_entry():
    (c,) = claims(r"\begin{pmatrix} a & b \end{pmatrix} \begin{pmatrix} c \\ d \end{pmatrix} = a c + b d")
    assert c.status == "proved"


@pytest.mark.parametrize("body", [
    r"\begin{pmatrix} a \\ b \end{pmatrix} = \begin{pmatrix} a & b \end{pmatrix}",
    r"\begin{pmatrix} y_1 & \cdots & y_N \end{pmatrix} = \begin{pmatrix} y_1 \\ \vdots \\ y_N \end{pmatrix}",
])
def test_sides_of_different_shapes_are_refuted(body):
    (c,) = claims(body)
    assert c.status == "refuted" and "the left side is a" in c.reason


@pytest.mark.parametrize("body", [
    r"\begin{pmatrix} y_1 & \cdots & y_N \end{pmatrix} = f(Y)",     # Y's entries are not written
    r"\begin{pmatrix} W y_1 & \cdots & W y_N \end{pmatrix} = W Y",
])
def test_a_side_without_written_entries_is_never_a_number(body):
    out = claims(body)
    assert all(c.status != "refuted" for c in out)


def test_a_step_after_a_shape_erratum_follows_it():
    out = claims(r"\begin{pmatrix} s_1 \\ \vdots \\ s_P \end{pmatrix} &= " + W +
                 r" \begin{pmatrix} x_1 \\ \vdots \\ x_P \end{pmatrix} \\ &= W x")
    assert [c.status for c in out] == ["refuted", "inconclusive"] and out[1].category == "follows"


def test_a_step_spanning_rows_reports_its_whole_span():
    body = (r"s &= \begin{pmatrix} a_1 \\ \vdots \\ a_P \end{pmatrix}" + "\n" + r"\\ &= \begin{pmatrix}" + "\n"
            + r"b_1 \\" + "\n" + r"\vdots \\" + "\n" + r"b_P \end{pmatrix}")
    out = claims(r"\begin{aligned}" + body + r"\end{aligned}")
    assert out[-1].end_line > out[-1].line
