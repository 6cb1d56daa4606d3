"""What each fragment is read with (checker/contexts.py): a heading's claim after its section,
and a collection of lemmas setting by setting."""

from __future__ import annotations

from symbackprop.checker import check_text
from symbackprop.checker.contexts import heading_claims_last, settings
from symbackprop.checker.read import read
from symbackprop.latex.extract import extract


def _readings(text: str) -> list:
    return read(extract(text, "markdown"), 5.0)


HEADING_CLAIM = r"""## $\partial u_{k}/\partial w_{jk} = y_{j}$

Assuming: $u_{k} := b_{k} + \sum_{j'=1}^{m} y_{j'} w_{j'k}$
"""


def test_a_heading_claim_is_read_with_the_definitions_of_its_section():
    """Read where it stands, ``∂u_k/∂w_{jk} = y_j`` came before ``u_k``'s definition: ``y_j`` became
    the name of the derivative and the claim was never decided."""
    claims = check_text(HEADING_CLAIM).claims
    heading = next(c for c in claims if c.line == 1)
    assert heading.status == "proved", (heading.status, heading.reason)
    assert [c.line for c in claims] == sorted(c.line for c in claims)  # reported in document order


def test_a_heading_that_defines_stays_where_it_stands():
    doc = ("## The loss $E = \\frac{1}{2} \\sum_{k=1}^{n} (y_{k} - t_{k})^{2}$\n\n"
           "$$\\frac{\\partial E}{\\partial y_{k}} = y_{k} - t_{k}$$\n")
    order = [r.fragment.line for r in heading_claims_last(_readings(doc))]
    assert order == [1, 3]
    assert check_text(doc).claims[-1].status == "proved"


def test_a_heading_claim_moves_after_the_last_fragment_of_its_section_and_subsections():
    doc = HEADING_CLAIM + "\n### Detail\n\n$$a = 1$$\n\n## Next\n\n$$b = 2$$\n"
    order = [(r.fragment.line, r.fragment.source.strip()[:8]) for r in heading_claims_last(_readings(doc))]
    assert [line for line, _s in order] == [3, 7, 1, 11]


LEMMAS = r"""# Identities

## Logistic output

Assuming: $u_{k} := b_{k} + \sum_{j'=1}^{m} y_{j'} w_{j'k}$, $y_{k} := \sigma(u_{k})$

$$\frac{\partial u_{k}}{\partial b_{k}} = 1$$

## Jacobian of softmax

Assuming: $y_{k} := \frac{e^{u_{k}}}{\sum_{k'=1}^{n} e^{u_{k'}}}$

$$\frac{\partial y_{k}}{\partial u_{j}} = y_{k} \left([k = j] - y_{j}\right)$$
"""


def test_a_collection_of_lemmas_is_read_lemma_by_lemma():
    """The two sections define ``y_k`` differently and each introduces what it uses: in the
    second, ``y_j`` is the softmax at ``j`` — not another layer because the first section's
    ``u_k`` sums over ``j'`` (read as one document, the Jacobian was left open)."""
    parts = settings(_readings(LEMMAS))
    assert parts is not None and len(parts) == 3
    jacobian = [c for c in check_text(LEMMAS).claims if c.line == 13]
    assert jacobian and all(c.status == "proved" for c in jacobian), [(c.status, c.reason) for c in jacobian]


def test_sections_of_one_derivation_are_not_a_collection():
    """The output sections use the loss a sibling section defines: parts of one whole, however
    differently they define ``y_k``."""
    doc = r"""# Backprop

## Loss

$$E = \frac{1}{2} \sum_{k=1}^{n} (y_{k} - t_{k})^{2}$$

## Regression output

$$y_{k} = u_{k}$$

$$\frac{\partial E}{\partial u_{k}} = y_{k} - t_{k}$$

## Logistic output

$$y_{k} = \sigma(u_{k})$$

$$\frac{\partial E}{\partial u_{k}} = (y_{k} - t_{k}) y_{k} (1 - y_{k})$$
"""
    assert settings(_readings(doc)) is None
    assert [c.status for c in check_text(doc).claims if c.line in (11, 17)] == ["proved", "proved"]


def test_sections_in_another_branch_keep_a_collection_from_forming():
    """Sibling subsections of one chapter, beside another chapter: parts of the document."""
    doc = "# A\n\n$$z := 1$$\n\n# B\n\n## B1\n\n$$y := 1$$\n\n$$y = 1$$\n\n## B2\n\n$$y := 2$$\n\n$$y = 2$$\n"
    assert settings(_readings(doc)) is None
    assert settings(_readings(doc.split("# B\n", 1)[1].replace("## ", "# "))) is not None
