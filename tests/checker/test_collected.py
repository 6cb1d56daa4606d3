"""Batch matrices filled in words (checker/collected.py): the sentence read, what it gives the
entry reader, and what it must not."""

from __future__ import annotations

import pytest

from symbackprop.checker import check_text
from symbackprop.checker.collected import Collected, collected
from symbackprop.latex.extract import extract


def _collected(text: str) -> list[Collected]:
    return collected(extract(text, "markdown"), "n", "N")


@pytest.mark.parametrize("text, want", [
    ("With targets $t_{nk}$, collected in the $N \\times n_L$ matrix $T$, the loss is",
     [("T", "t", True)]),
    ("The error is $\\delta^{(l)}_{nj} = 1$, and $\\Delta^{(l)}$ is the $n_l \\times N$ matrix of these errors.",
     [("Delta^{(l)}", "delta", False)]),
    ("同じように $\\bm{u}^{l}_n$、$\\bm{t}_n$ を並べて $U^{l}$、$T$ を作る。",
     [("U^{l}", "u", None), ("T", "t", None)]),
])
def test_a_sentence_that_collects_a_quantity_into_a_matrix_states_its_entries(text, want):
    assert [(c.name, c.base, c.examples_row) for c in _collected(text)] == want


@pytest.mark.parametrize("text", [
    "Targets $t_{nk}$ and the $N \\times n_L$ matrix $T$ are given.",               # no collecting words
    "We collect the targets $t_{k}$ in the matrix $T$.",                               # no batch index
    "We collect the targets $t_{nk}$. The matrix $T$ is what the library returns.",    # another sentence
    "We collect the outputs $y_{nk}$ in the matrix $T$.",                              # another letter
    "We collect $\\delta^{(l)}_{nj}$ in the matrix $\\Delta^{(l+1)}$.",                # another label
])
def test_no_statement_without_the_collecting_words_the_batch_index_or_the_same_letter(text):
    assert _collected(text) == []


ROWS = r"""# Batch

$$u^{(l)}_{nj} = \sum_i y^{(l-1)}_{ni} w^{(l)}_{ij} + b^{(l)}_j$$

$$y^{(l)}_{nj} = f(u^{(l)}_{nj})$$

Collect them into matrices with one row per sample, $(Y^{(l)})_{nj} = y^{(l)}_{nj}$ and
$(U^{(l)})_{nj} = u^{(l)}_{nj}$.

With targets $t_{nk}$, COLLECTED in the $N \times n_L$ matrix $T$, the loss is

$$E = \frac{1}{2} \sum_{n=1}^{N} \sum_k (y^{(L)}_{nk} - t_{nk})^2$$

The error is $\delta^{(l)}_{nj} = \frac{\partial E}{\partial u^{(l)}_{nj}}$, and $\Delta^{(l)}$ is the
$N \times n_l$ matrix of these errors. In the output layer

$$\Delta^{(L)} = f'(U^{(L)}) \odot CLAIM$$
"""


@pytest.mark.parametrize("words, claim, status", [
    ("collected", r"(Y^{(L)} - T)", "proved"),
    ("collected", r"(T - Y^{(L)})", "refuted"),     # the sign: T's and Δ's entries are the document's
    ("written", r"(T - Y^{(L)})", "inconclusive"),  # T named only: its entries are a convention
])
def test_a_claim_on_matrices_filled_in_words_is_decided_entry_by_entry(words, claim, status):
    doc = ROWS.replace("COLLECTED", words).replace("CLAIM", claim)
    c = check_text(doc, timeout=10).claims[-1]
    assert c.status == status, (c.status, c.reason)
