"""Reading is bounded and row by row: a labelled matrix cannot hang a check, one bad row
does not sink its block, a display starting with '=' continues the previous chain."""

import time

import pytest

from symbackprop.checker import check_document, check_text

LABELLED_MATRIX = r"""# A layer

$$
W^{(d)} = \begin{bmatrix} w_{11} & w_{12} & w_{13} \\ w_{21} & w_{22} & w_{23} \\ w_{31} & w_{32} & w_{33}\end{bmatrix}^{(d)}
$$

$$
\frac{\partial}{\partial y} \frac{1}{2}(y-t)^2 = y - t
$$

$$
\begin{aligned}
\frac{d}{dx} x^2 &= 2x \\
&= \text{\oops}{ \\
&= 3x
\end{aligned}
$$
"""


def test_a_labelled_matrix_display_finishes_within_its_bound_and_the_rest_is_decided():
    t0 = time.monotonic()
    r = check_text(LABELLED_MATRIX, timeout=2.0)
    elapsed = time.monotonic() - t0
    assert elapsed < 30  # a hang would never return; the bound is 2 s per fragment and step
    statuses = {c.statement: c.status for c in r.claims}
    assert statuses.get(r"\frac{\partial}{\partial y} \left(\frac{\left(y - t\right)^{2}}{2}\right) = y - t") == "proved"


def test_one_bad_row_does_not_sink_its_block():
    doc = "$$\\begin{aligned}\n\\frac{d}{dx} x^2 &= 2x \\\\\n&= x \\oslash b \\\\\n&= 3x\n\\end{aligned}$$\n"
    r = check_text(doc, timeout=3.0)
    by_line = {c.line: c for c in r.claims}
    assert by_line[2].status == "proved"
    assert [u["line"] for u in r.unparsed] == [3]
    assert by_line[4].status == "inconclusive" and by_line[4].category == "unparsed row"


def test_a_display_starting_with_equals_continues_the_previous_chain():
    doc = "$$\\frac{d}{dx} x^2$$\n\n$$= 3x$$\n"
    r = check_text(doc, timeout=3.0)
    assert [c.status for c in r.claims] == ["refuted"]
    assert r.claims[0].line == 3


@pytest.mark.parametrize("doc", [
    "\\documentclass{article}\n\\begin{document}\n\\begin{align}\na &= b \\\\\n&= 2c \\\\\n&= 5c\n\\end{align}\n\\end{document}\n",
    "Text\n\n$$\n\\begin{aligned}\na &= b \\\\\n&= 2c \\\\\n&= 5c\n\\end{aligned}\n$$\n",
], ids=["tex align, opener on its own line", "md $$ on its own line"])
def test_rows_are_reported_on_their_own_lines_when_the_opener_stands_alone(doc, tmp_path):
    path = tmp_path / ("doc.tex" if doc.startswith("\\documentclass") else "doc.md")
    path.write_text(doc, encoding="utf-8")
    lines = doc.splitlines()
    r = check_document(path, timeout=3.0)
    (bad,) = [c for c in r.claims if c.status == "refuted"]
    assert lines[bad.line - 1].strip() == "&= 5c", (bad.line, lines)


def test_a_slip_is_reported_once_not_again_where_the_chain_returns_to_the_truth():
    doc = "$$\\begin{aligned}\n\\frac{d}{dx} x^2 &= 2x \\\\\n&= 3x \\\\\n&= 2x \\\\\n&= 5x\n\\end{aligned}$$\n"
    by_line = {c.line: c for c in check_text(doc, timeout=3.0).claims}
    assert by_line[3].status == "refuted"                         # 2x = 3x: the slip
    assert (by_line[4].status, by_line[4].category) == ("inconclusive", "follows")  # 3x = 2x: back to the truth
    assert "line 3" in by_line[4].reason
    assert by_line[5].status == "refuted"                         # 2x = 5x: a slip of its own
