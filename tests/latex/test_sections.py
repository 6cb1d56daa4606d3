"""Heading paths of fragments (``Fragment.section``, latex/sections.py): one table per format."""

from __future__ import annotations

import json
import time

import pytest

from symbackprop.latex.extract import extract
from symbackprop.latex.sections import headings

MARKDOWN = """---
title: x
# not a heading
---
# Top

$a = 1$

## Loss   ##

$E = 2$

```
# code, not a heading
$c = 3$
```

### Deep

$d = 4$

## $\\partial u_k/\\partial w_{jk} = y_j$

Setext
------

$s = 5$

<!-- # hidden -->
$t = 6$
"""

LATEX = r"""\documentclass{article}
% \section{commented}
\begin{document}
$a = 1$
\section{Loss $E$}
$E = 2$
\subsection*{Deep \textbf{part}}
$d = 4$
\section[short]{Second}
\begin{verbatim}
\section{verbatim}
\end{verbatim}
$s = 5$
\end{document}
"""

HTML = """<html><body><h1>Top</h1><p>\\(a = 1\\)</p>
<h2 id="x">Layer <math display="inline"><semantics><mi>u</mi>
<annotation encoding="application/x-tex">u_{k}</annotation></semantics></math></h2><p>\\(b = 2\\)</p>
<!-- <h2>hidden</h2> --><pre><h2>code</h2></pre><h3>Deep</h3><p>\\(d = 4\\)</p></body></html>"""

RST = """Title
=====

:math:`a = 1`

Loss
----

:math:`E = 2`

======
Over
======

:math:`o = 3`

Second
------

.. math::

   s = 5
"""


@pytest.mark.parametrize("kind, text, expected", [
    ("markdown", MARKDOWN, [("Top",), ("Top", "Loss"), ("Top", "Loss", "Deep"),
                            ("Top", r"$\partial u_k/\partial w_{jk} = y_j$"),  # the heading's own formula
                            ("Top", "Setext"), ("Top", "Setext")]),
    ("latex", LATEX, [(), ("Loss $E$",), ("Loss $E$",), ("Loss $E$", r"Deep \textbf{part}"), ("Second",)]),
    ("html", HTML, [("Top",), ("Top", "Layer $u_{k}$"), ("Top", "Layer $u_{k}$"), ("Top", "Layer $u_{k}$", "Deep")]),
    ("rst", RST, [("Title",), ("Title", "Loss"), ("Title", "Loss", "Over"), ("Title", "Second")]),
])
def test_each_fragment_gets_the_heading_path_it_stands_under(kind: str, text: str, expected: list) -> None:
    """Code, comments, verbatim and a front matter hide what looks like a heading; a formula in
    a heading belongs to its section; titles keep their markup with whitespace normalised."""
    assert [f.section for f in extract(text, kind)] == expected


def test_rest_levels_follow_the_order_the_underline_styles_first_appear() -> None:
    assert [(h.level, h.title) for h in headings(RST, "rst")] == [(1, "Title"), (2, "Loss"), (3, "Over"), (2, "Second")]


def test_a_text_file_has_no_sections() -> None:
    assert [f.section for f in extract("# Top\n\n$a = 1$\n", "text")] == [()]


def test_a_notebook_carries_its_headings_across_cells() -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Top\n", "\n", "$a = 1$"]},
             {"cell_type": "code", "metadata": {}, "source": ["# a comment\n"], "outputs": [], "execution_count": None},
             {"cell_type": "markdown", "metadata": {}, "source": ["$b = 2$\n", "## Sub\n", "$c = 3$"]}]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    assert [f.section for f in extract(nb, "ipynb")] == [("Top",), ("Top",), ("Top", "Sub")]


def test_a_setext_underline_needs_a_paragraph_line_above() -> None:
    """``---`` after a blank line is a rule, after a list item or a display no heading."""
    text = "# Top\n\n---\n\n- item\n---\n\n$$x = 1$$\n---\n\n$y = 2$\n"
    assert [h.title for h in headings(text, "markdown")] == ["Top"]


@pytest.mark.parametrize("kind, text", [
    ("markdown", "# " + " " * 60000 + "x"), ("markdown", "#\n" * 30000), ("markdown", "a\n-\n" * 20000),
    ("latex", "\\section{" * 20000), ("html", "<h1>" * 20000), ("rst", "a\n=\n" * 20000),
])
def test_pathological_headings_are_fast(kind: str, text: str) -> None:
    start = time.perf_counter()
    headings(text, kind)
    assert time.perf_counter() - start < 2, (kind, text[:20])


@pytest.mark.parametrize("kind, text", [
    ("markdown", "# Top\n\n$a = 1$\n\n## $b = 2$ and more\n\n$c = 3$\n"),
    ("latex", "\\section{Top}\n$a = 1$\n\\subsection{$b = 2$ and more}\n$c = 3$\n"),
    ("html", "<h1>Top</h1><p>\\(a = 1\\)</p><h2>\\(b = 2\\) and more</h2><p>\\(c = 3\\)</p>"),
    ("rst", "Top\n===\n\n:math:`a = 1`\n\n:math:`b = 2` and more\n-------------------------\n\n:math:`c = 3`\n"),
])
def test_a_formula_written_in_a_heading_is_marked_as_such(kind, text):
    """``Fragment.heading``: the checker reads a heading's claim after its section (contexts.py);
    a formula of the section's body, right below the heading, is not in the heading."""
    marks = {f.source.strip(): f.heading for f in extract(text, kind)}
    assert marks == {"a = 1": False, "b = 2": True, "c = 3": False}, marks
