r"""Vector and matrix steps read entry by entry in index notation (checker/components.py,
component_facts.py): ``δ^{l} = ((w^{l+1})^{T} δ^{l+1}) ⊙ σ'(z^{l})`` is decided as
``δ^{l}_k = σ'(z^{l}_k) Σ_j δ^{l+1}_j w^{l+1}_{jk}`` — proved for every size, refuted at an entry —
with the orientation of vectors and matrices taken from the document's own vector-form
definitions, never assumed."""

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.components import Component, EntryReader, IllTyped, width
from symbackprop.checker.entry_claims import ENTRIES, SHAPES_OF_ORIENTATION
from symbackprop.checker.scan import scan, total_of_terms
from symbackprop.latex.extract import extract
from symbackprop.latex.parse import parse_math
from symbackprop.latex.patterns import MatrixProduct
from symbackprop.latex.vocabulary import TRANSPOSE

l = sp.Symbol("l")
W, a, d = sp.Symbol("w^{l}"), sp.Symbol("a^{l-1}"), sp.Symbol("delta^{l}")
COMPONENTS = {W: Component(sp.IndexedBase(W), (l, l - 1), True),
              a: Component(sp.IndexedBase(a), (l - 1,), True), d: Component(sp.IndexedBase(d), (l,), True)}


def _reader(choice=None):
    return EntryReader(COMPONENTS.get, choice or {"vectors": "col"}, list("pqrs"))


def test_a_product_is_a_sum_over_the_inner_layer():
    p, q = sp.symbols("p q", integer=True)
    e = _reader()(MatrixProduct(W, a))
    assert (e.rows, e.cols) == (l, None)
    assert e.at(q, None) == sp.Sum(sp.IndexedBase(W)[q, p] * sp.IndexedBase(a)[p], (p, 1, width(l - 1)))


def test_a_column_times_a_row_is_the_outer_product():
    j, k = sp.symbols("j k", integer=True)
    e = _reader()(MatrixProduct(d, TRANSPOSE(a)))
    assert (e.rows, e.cols) == (l, l - 1)
    assert e.at(j, k) == sp.IndexedBase(d)[j] * sp.IndexedBase(a)[k]


def test_inner_sizes_of_two_layers_do_not_fit():
    with pytest.raises(IllTyped):
        _reader()(MatrixProduct(TRANSPOSE(W), a))   # w^T is (l-1)×l, a^{l-1} has l-1 rows
    with pytest.raises(IllTyped):
        _reader({"vectors": "col", "w": 1})(MatrixProduct(W, a))  # w read with its second index as row


def test_a_total_of_indexed_terms_is_a_number_not_a_vector():
    E, N, n = sp.Symbol("E"), sp.Symbol("N", integer=True), sp.Symbol("n", integer=True)
    assert total_of_terms(E, sp.Sum(sp.IndexedBase(E)[n], (n, 1, N)) / N)
    assert not total_of_terms(E, sp.Sum(sp.IndexedBase(sp.Symbol("y"))[n], (n, 1, N)))
    text = "$$E = \\frac{1}{N} \\sum_{n=1}^{N} E_{n}$$\n\n$$\\frac{\\partial E}{\\partial w} = \\frac{1}{N} \\sum_{n=1}^{N} \\frac{\\partial E_n}{\\partial w}$$\n"
    frags = extract(text, "markdown")
    assert "E" not in scan([(f, parse_math(f.source)) for f in frags]).vectors


FORWARD = r"""
# Backpropagation in vector form

$$z^{l}_{j} = \sum_{k} w^{l}_{jk} a^{l-1}_{k} + b^{l}_{j}$$

$$a^{l}_{j} = \sigma(z^{l}_{j})$$

$$\delta^{l}_{j} := \frac{\partial C}{\partial z^{l}_{j}}$$

VECTOR_FORM
"""
VECTOR_FORM = r"""In vector form the forward pass reads

$$z^{l} = w^{l} a^{l-1} + b^{l}$$
"""


def _claims(claim: str, vector_form: str = VECTOR_FORM, letter: str = "w"):
    doc = FORWARD.replace("VECTOR_FORM", vector_form) + "\n$$" + claim + "$$\n"
    if letter != "w":
        doc = doc.replace("w^{l}_{jk}", f"{letter.lower()}^{{l}}_{{jk}}")
    return check_text(doc, timeout=10).claims


def _last(claim: str, **kw):
    return _claims(claim, **kw)[-1]


@pytest.mark.parametrize("claim", [
    r"\delta^{l} = ((w^{l+1})^{T} \delta^{l+1}) \odot \sigma'(z^{l})",
    r"a^{l} = \sigma(z^{l})",
    r"z^{l} = b^{l} + w^{l} a^{l-1}",
    r"\delta^{l} = \sigma'(z^{l}) \odot ((\delta^{l+1})^{T} w^{l+1})^{T}",
])
def test_correct_vector_steps_are_proved_entry_by_entry(claim):
    c = _last(claim)
    assert c.status == "proved", (c.reason, c.method)
    assert ENTRIES in c.method


def test_the_forward_vector_definition_does_not_orient_itself():
    """``z^{l} = w^{l} a^{l-1} + b^{l}`` is the only formula saying which index of ``w^{l}`` is its
    row: it holds with the first, fails with the second.  Oriented by itself it was proved — by
    the orientation it chose; the same reading proved ``u = W y`` and ``u = W^{T} y`` alike."""
    forward = next(c for c in _claims(r"a^{l} = \sigma(z^{l})") if c.statement.startswith("z^{l} ="))
    assert forward.status == "inconclusive" and "only some of the orientations" in forward.reason


def test_the_forward_vector_definition_is_checked_entry_by_entry_where_the_entries_are_stated():
    stated = VECTOR_FORM.replace("In vector form", "With $w^{l} = (w^{l}_{jk})_{jk}$, in vector form")
    forward = next(c for c in _claims(r"a^{l} = \sigma(z^{l})", vector_form=stated) if c.statement.startswith("z^{l} ="))
    assert forward.status == "proved" and ENTRIES in forward.method, (forward.status, forward.reason)


@pytest.mark.parametrize("claim, by_shapes", [
    (r"\delta^{l} = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^{l})", True),        # the transpose dropped
    (r"\delta^{l} = ((w^{l+1})^{T} \delta^{l+1}) \odot \sigma(z^{l})", False),  # σ for σ′
    (r"\delta^{l} = ((w^{l})^{T} \delta^{l+1}) \odot \sigma'(z^{l})", True),    # the weights of the wrong layer
    (r"z^{l} = w^{l} a^{l-1}", False),                                          # the bias dropped
    (r"z^{l} = w^{l} a^{l} + b^{l}", True),                                     # the input of the wrong layer
])
def test_wrong_vector_steps_are_refuted(claim, by_shapes):
    c = _last(claim)
    assert c.status == "refuted", (c.reason, c.method)
    if by_shapes:
        assert SHAPES_OF_ORIENTATION in c.method or "shapes" in c.method
    else:
        assert ENTRIES in c.method and c.witness


def test_no_orientation_is_assumed_where_the_document_gives_none():
    """Without a vector-form definition, w may have either index as its row: the step with the
    transpose dropped fits one orientation and not the other — not refuted."""
    c = _last(r"\delta^{l} = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^{l})", vector_form="")
    assert c.status == "inconclusive"
    right = _last(r"\delta^{l} = ((w^{l+1})^{T} \delta^{l+1}) \odot \sigma'(z^{l})", vector_form="")
    assert right.status == "inconclusive"   # it fits only one of the orientations either


def test_an_upper_case_matrix_read_by_convention_proves_but_never_refutes():
    vector_form = VECTOR_FORM.replace("w^{l} a^{l-1}", "W^{l} a^{l-1}")
    good = _last(r"\delta^{l} = ((W^{l+1})^{T} \delta^{l+1}) \odot \sigma'(z^{l})", vector_form=vector_form)
    assert good.status == "proved", good.reason
    bad = _last(r"\delta^{l} = ((W^{l+1})^{T} \delta^{l+1}) \odot \sigma(z^{l})", vector_form=vector_form)
    assert bad.status == "inconclusive" and "upper-case" in bad.reason


def test_a_name_without_components_is_never_a_number_to_refute_with():
    """``a^{x,l-1}`` (the activation of example x) has no entries in the document: read as a number,
    ``w^{l} a^{x,l-1}`` would be a matrix and the step would not fit — a false alarm."""
    c = _last(r"z^{x,l} = w^{l} a^{x,l-1} + b^{l}")
    assert c.status != "refuted", c.reason


# ── a batch whose rows are examples (the batch form of our own reports) ──
BATCH = r"""
# A regression network

$$u_{j} = \sum_{i=1}^{l} x_{i} w_{ij} + b_{j}$$

$$y_{j} = \sigma(u_{j})$$

$$u_{k} = \sum_{j=1}^{m} y_{j} w_{jk} + b_{k}$$

$$y_{k} = u_{k}$$

$$E = \frac{1}{2} \sum_{k=1}^{n} (y_{k} - t_{k})^{2}$$

$$\delta_{k} := \frac{\partial E}{\partial u_{k}}$$

$$\delta_{j} := \frac{\partial E}{\partial u_{j}}$$

Entry by entry, with row $p$ of each batch matrix the example $p$ of the batch:

$$
\begin{aligned}
E &= \sum_{p=1}^{N} E_{p} \\
X &= \left(x_{ip}\right)_{pi} \\
{Y^{(1)}} &= \left(y_{jp}\right)_{pj} \\
{Y^{(2)}} &= \left(y_{kp}\right)_{pk} \\
T &= \left(t_{kp}\right)_{pk} \\
{U^{(1)}} &= \left(u_{jp}\right)_{pj} \\
{\Delta^{(1)}} &= \left(\delta_{jp}\right)_{pj} \\
{\Delta^{(2)}} &= \left(\delta_{kp}\right)_{pk} \\
{W^{(1)}} &= \left(w_{ij}\right)_{ij} \\
{W^{(2)}} &= \left(w_{jk}\right)_{jk} \\
{b^{(2)}} &= \left(b_{k}\right)_{k}
\end{aligned}
$$

The batch form:
"""


def _batch_claim(claim: str):
    return check_text(BATCH + "\n$$" + claim + "$$\n", timeout=10).claims[-1]


@pytest.mark.parametrize("claim", [
    r"{\Delta^{(2)}} = {Y^{(2)}} - T",
    r"\frac{\partial E}{\partial {W^{(2)}}} = {Y^{(1)}}^{\top} {\Delta^{(2)}}",
    r"\frac{\partial E}{\partial {b^{(2)}}} = {\Delta^{(2)}}^{\top} \mathbf{1}",
    r"{\Delta^{(1)}} = \sigma({U^{(1)}}) \odot (1 - \sigma({U^{(1)}})) \odot \left({\Delta^{(2)}} {W^{(2)}}^{\top}\right)",
    r"\frac{\partial E}{\partial {Y^{(1)}}} = {\Delta^{(2)}} {W^{(2)}}^{\top}",
])
def test_batch_formulas_are_proved_at_one_example(claim):
    c = _batch_claim(claim)
    assert c.status == "proved", (c.reason, c.method)
    assert ENTRIES in c.method


@pytest.mark.parametrize("claim, why", [
    (r"\frac{\partial E}{\partial {W^{(2)}}} = {\Delta^{(2)}}^{\top} {Y^{(1)}}", "shapes"),          # transposed
    (r"\frac{\partial E}{\partial {Y^{(1)}}} = {\Delta^{(2)}} {W^{(2)}}", "shapes"),                  # no transpose
    (r"{\Delta^{(2)}} = T - {Y^{(2)}}", "differ"),                                                     # sign
    (r"\frac{\partial E}{\partial {W^{(2)}}} = \frac{1}{N} {Y^{(1)}}^{\top} {\Delta^{(2)}}", "factor"),  # a mean for a sum
    (r"\frac{\partial E}{\partial {b^{(2)}}} = {\Delta^{(2)}} \mathbf{1}", "shapes"),                 # rows summed
])
def test_wrong_batch_formulas_are_refuted(claim, why):
    c = _batch_claim(claim)
    assert c.status == "refuted", (c.reason, c.method)
    assert why in c.reason


def test_a_step_mixing_two_examples_is_not_read_at_one():
    """Y^{T} 1 1^{T} Δ sums y of one example times δ of another: at one example it would be Y^{T} Δ."""
    c = _batch_claim(r"\frac{\partial E}{\partial {W^{(2)}}} = {Y^{(1)}}^{\top} \mathbf{1} \mathbf{1}^{\top} {\Delta^{(2)}}")
    assert c.status != "proved", c.reason


ACTIVATION_LAYER = r"""
An activation layer keeps the width of the layer below:

$$y^{l}_{j} = f(y^{l-1}_{j})$$

$$\frac{\partial E}{\partial \bm{y}^{l-1}} = \frac{\partial E}{\partial \bm{y}^{l}} \odot f'(\bm{y}^{l-1})$$
"""


def test_two_layer_labels_are_not_two_widths_unless_the_document_says_so():
    """y^{l} = f(y^{l-1}) entry by entry: layers l-1 and l have one width, and the step is right;
    read with n^{(l-1)} ≠ n^{(l)} it would not fit (nn-backprop-ja l.383 was a false alarm)."""
    c = check_text(ACTIVATION_LAYER, timeout=10).claims[-1]
    assert c.status != "refuted", c.reason


def _as_html_table(markdown: str) -> str:
    r"""``markdown`` as an HTML page: every ``$$…$$`` a paragraph, the rows of an aligned block
    set as a table, ``lhs`` and ``= rhs`` in cells of their own (as our HTML reports set them)."""
    import re

    def block(m: re.Match) -> str:
        body = m.group(1).strip()
        inner = re.fullmatch(r"\\begin\{aligned\}(.*)\\end\{aligned\}", body, re.S)
        if not inner:
            return f"<p>\\[{body}\\]</p>"
        rows = [r.split("&=") for r in inner.group(1).split(r"\\")]
        return "<table>" + "".join(f"<tr><td>\\({a.strip()}\\)</td><td>\\(= {b.strip()}\\)</td></tr>\n"
                                   for a, b in rows) + "</table>"

    return re.sub(r"\$\$(.*?)\$\$", block, markdown, flags=re.S)


def test_a_batch_stated_in_the_cells_of_an_html_table_is_read_as_in_an_aligned_block():
    """``{Y^{(1)}}`` and ``= (y_{jp})_{pj}`` in two cells of a row state the batch matrix as the
    aligned row does (``latex/cells.py``); read cell by cell, the batch form was left open."""
    claim = r"\frac{\partial E}{\partial {W^{(2)}}} = {Y^{(1)}}^{\top} {\Delta^{(2)}}"
    c = check_text(_as_html_table(BATCH + "\n$$" + claim + "$$\n"), "html", timeout=10).claims[-1]
    assert c.status == "proved", (c.reason, c.method)
    assert ENTRIES in c.method


WRITTEN_WIDTH = r"""# Net

$$u^{l}_{k} = \sum_{j=1}^{n_{l-1}} y^{l-1}_{j} w^{l}_{jk}$$

STATEMENT In vector form,

$$\bm{u}^{l} = CLAIM$$
"""


@pytest.mark.parametrize("statement, claim, status", [
    (r"Let $W^{l} = (w^{l}_{jk})_{jk}$.", r"(W^{l})^{\top}\bm{y}^{l-1}", "proved"),
    (r"Let $W^{l} = (w^{l}_{jk})_{jk}$.", r"W^{l}\bm{y}^{l-1}", "refuted"),
    ("", r"(W^{l})^{\top}\bm{y}^{l-1}", "inconclusive"),  # W's rows stated nowhere: either formula
    ("", r"W^{l}\bm{y}^{l-1}", "inconclusive"),           # may be the document's, neither is proved
])
def test_a_sum_up_to_the_documents_name_for_a_width_runs_over_the_layer(statement, claim, status):
    r"""``Σ_{j=1}^{n_{l-1}} y^{l-1}_j …`` runs over layer l − 1, the width the entry reader calls
    ``n^{(l-1)}``: kept as two widths, the correct ``u = W^{T} y`` was refuted (a false alarm) and,
    without a statement of W's entries, each orientation was proved by the formula choosing it."""
    doc = WRITTEN_WIDTH.replace("STATEMENT", statement).replace("CLAIM", claim)
    c = check_text(doc, timeout=10).claims[-1]
    assert c.status == status, (c.status, c.reason)


def test_a_step_failing_under_every_orientation_it_fits_is_refuted_without_a_vector_form():
    """``z^{l} = w^{l} a^{l-1}`` (the bias dropped), nothing else saying which index of ``w^{l}``
    is its row: with the first it misses ``b^{l}_j``, with the second the shapes do not fit —
    wrong either way (md-vector-en/mutant-01, whose words "row j and column k" are not read)."""
    c = _last(r"z^{l} = w^{l} a^{l-1}", vector_form="")
    assert c.status == "refuted" and "under the other orientations the shapes do not fit" in c.reason, c.reason
