"""Tests for symbackprop.latex.extract: tables per format, tricky cases, real documents, properties."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.errors import ParseError
from symbackprop.latex.extract import Fragment, extract, extract_file, kind_of

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def rows(fragments: list[Fragment]) -> list[tuple[str, int, int, bool, str | None]]:
    """The comparable part of fragments: (source, line, end_line, display, environment)."""
    return [(f.source, f.line, f.end_line, f.display, f.environment) for f in fragments]


# ───────────────────────────── Markdown ─────────────────────────────

MARKDOWN = [
    ("inline", "Let $x+1$ be.", [("x+1", 1, 1, False, None)]),
    ("display multi-line", "a\n$$\nE = 1\n$$\nb", [("E = 1", 2, 4, True, None)]),
    ("display one line", "x $$E=mc^2$$ y", [("E=mc^2", 1, 1, True, None)]),
    ("paren and bracket", "\\(a\\) then\n\\[\nb\n\\]", [("a", 1, 1, False, None), ("b", 2, 4, True, None)]),
    ("math fence", "text\n```math\nE = mc^2\n```\n", [("E = mc^2", 2, 4, True, None)]),
    ("code fence hides math", "```python\nx = '$a$'\n```\n$b$", [("b", 4, 4, False, None)]),
    ("tilde fence hides math", "~~~\n$a$\n~~~\n", []),
    ("unclosed fence runs to end", "$a$\n```\n$b$\n", [("a", 1, 1, False, None)]),
    ("code span hides math", "`$a$` and $b$", [("b", 1, 1, False, None)]),
    ("double-backtick code span", "``a`$b$`` $c$", [("c", 1, 1, False, None)]),
    ("currency", "costs $5 and $10 today", []),
    ("opener before space", "between $ x $ here", []),
    ("escaped dollar", "\\$x$ y $z$", [("z", 1, 1, False, None)]),
    ("space before closer allowed", "$y_1, \\ldots $ and $E$",
     [("y_1, \\ldots", 1, 1, False, None), ("E", 1, 1, False, None)]),
    ("inline stops at blank line", "$a\n\nb$", []),
    ("inline spans lines in a paragraph", "$a +\nb$", [("a +\nb", 1, 2, False, None)]),
    ("unclosed display skipped", "$$a\n\n$b$", [("b", 3, 3, False, None)]),
    ("environment", "x\n\\begin{align}\na &= b\n\\end{align}\n",
     [("a &= b", 2, 4, True, "align")]),
    ("starred environment", "\\begin{align*}a\\end{align*}", [("a", 1, 1, True, "align")]),
    ("environment inside $$ is one fragment", "$$\\begin{aligned}a &= b\\end{aligned}$$",
     [("\\begin{aligned}a &= b\\end{aligned}", 1, 1, True, None)]),
    ("hugo displaymath", "{{< displaymath >}}\n\\begin{align}\nE\n\\end{align}\n{{< /displaymath >}}",
     [("\\begin{align}\nE\n\\end{align}", 1, 5, True, None)]),
    ("hugo math", "a {{< math >}}x^2{{< /math >}} b", [("x^2", 1, 1, False, None)]),
    ("escaped paren form", "see \\\\(x\\\\) here", [("x", 1, 1, False, None)]),
    ("html comment hides math", "<!-- $a$ -->\n$b$", [("b", 2, 2, False, None)]),
    ("dollar inside display is kept", "$$a \\text{ if $x$}$$", [("a \\text{ if $x$}", 1, 1, True, None)]),
]


@pytest.mark.parametrize("name, text, expected", MARKDOWN, ids=[c[0] for c in MARKDOWN])
def test_markdown(name: str, text: str, expected: list[tuple]) -> None:
    assert rows(extract(text, "markdown")) == expected


# ───────────────────────────── LaTeX ─────────────────────────────

LATEX = [
    ("comment hides math", "$x$ % $y$\n$z$", [("x", 1, 1, False, None), ("z", 2, 2, False, None)]),
    ("escaped percent is no comment", "100\\% $z$", [("z", 1, 1, False, None)]),
    ("starred equation", "\\begin{equation*}\na = b\n\\end{equation*}", [("a = b", 1, 3, True, "equation")]),
    ("aligned inside equation is one fragment",
     "\\begin{equation}\n\\begin{aligned}\na &= b\n\\end{aligned}\n\\end{equation}",
     [("\\begin{aligned}\na &= b\n\\end{aligned}", 1, 5, True, "equation")]),
    ("aligned alone", "\\begin{aligned}a\\end{aligned}", [("a", 1, 1, True, "aligned")]),
    ("comment inside environment dropped", "\\begin{align}\na &= b % note $\n\\\\ c &= d\n\\end{align}",
     [("a &= b\n\\\\ c &= d", 1, 4, True, "align")]),
    ("brackets and dollars", "\\[ a \\] \\( b \\) $$c$$",
     [("a", 1, 1, True, None), ("b", 1, 1, False, None), ("c", 1, 1, True, None)]),
    ("alignat argument dropped", "\\begin{alignat}{2}\na &= b\n\\end{alignat}", [("a &= b", 1, 3, True, "alignat")]),
    ("math environment is inline", "\\begin{math}x\\end{math}", [("x", 1, 1, False, "math")]),
    ("displaymath environment", "\\begin{displaymath}x\\end{displaymath}", [("x", 1, 1, True, "displaymath")]),
    ("TeX pairs dollars plainly", "$5 and $10", [("5 and", 1, 1, False, None)]),
    ("escaped dollar inside math", "\\$ $a\\$b$", [("a\\$b", 1, 1, False, None)]),
    ("verb hides math", "\\verb|$a$| $b$", [("b", 1, 1, False, None)]),
    ("verbatim hides math", "\\begin{verbatim}\n$a$\n\\end{verbatim}\n$b$", [("b", 4, 4, False, None)]),
    ("unclosed environment skipped", "\\begin{align}\na\n$b$", [("b", 3, 3, False, None)]),
    ("nested same environment", "\\begin{split}a\\begin{split}b\\end{split}\\end{split}",
     [("a\\begin{split}b\\end{split}", 1, 1, True, "split")]),
    ("double backslash then bracket is no display", "a \\\\[2pt] b", []),
    ("other environments are scanned inside", "\\begin{figure}$x$\\end{figure}", [("x", 1, 1, False, None)]),
]


@pytest.mark.parametrize("name, text, expected", LATEX, ids=[c[0] for c in LATEX])
def test_latex(name: str, text: str, expected: list[tuple]) -> None:
    assert rows(extract(text, "latex")) == expected


# ───────────────────────────── plain text (seed format) ─────────────────────────────

TEXT = [
    ("inmath and blmath", "@inmath{x^{2}} and @blmath{\n\\frac{a}{b}\n}",
     [("x^{2}", 1, 1, False, None), ("\\frac{a}{b}", 1, 3, True, None)]),
    ("nested braces in blmath",
     "p\n@blmath{\n\\begin{aligned}\nz &= \\sum_{j=1}^{M_{i-1}} w\n\\end{aligned}\n}\nq",
     [("\\begin{aligned}\nz &= \\sum_{j=1}^{M_{i-1}} w\n\\end{aligned}", 2, 6, True, None)]),
    ("escaped braces", "@inmath{i \\in \\{1, 2\\}}", [("i \\in \\{1, 2\\}", 1, 1, False, None)]),
    ("unclosed blmath skipped", "@blmath{ a\n$b$", [("b", 2, 2, False, None)]),
    ("multi-line paren", "x\n\\(\nE\n\\)\n", [("E", 2, 4, False, None)]),
    ("dollars too", "$$a$$ and $b$", [("a", 1, 1, True, None), ("b", 1, 1, False, None)]),
]


@pytest.mark.parametrize("name, text, expected", TEXT, ids=[c[0] for c in TEXT])
def test_text(name: str, text: str, expected: list[tuple]) -> None:
    assert rows(extract(text, "text")) == expected


def test_markdown_has_no_at_macros() -> None:
    assert extract("@inmath{x}", "markdown") == []


# ───────────────────────────── HTML ─────────────────────────────

CONFIG = "<script type=\"text/x-mathjax-config\">MathJax.Hub.Config({tex2jax: {inlineMath: [['$','$']]}});</script>\n"
HTML = [
    ("entities", "<p>\\(a &lt; b\\)</p>", [("a < b", 1, 1, False, None)]),
    ("escaped paren", "<p>\\\\(x\\\\)</p>", [("x", 1, 1, False, None)]),
    ("escaped bracket", "<p>\\\\[y\n\\\\]</p>", [("y", 1, 2, True, None)]),
    ("script math/tex", '<script type="math/tex">a &amp; b</script>', [("a & b", 1, 1, False, None)]),
    ("script display", '<p>\n<script type="math/tex; mode=display">\nE\n</script>', [("E", 2, 4, True, None)]),
    ("plain script ignored", '<script>var s = "$$a$$ \\\\(b\\\\)";</script>', []),
    ("code and pre ignored", "<code>\\(a\\)</code><pre>$$b$$</pre><style>x{content:'\\(c\\)'}</style>", []),
    ("single dollar off by default", "<p>$a$</p>", []),
    ("single dollar on by config", CONFIG + "<p>$a$</p>", [("a", 2, 2, False, None)]),
    ("dollar in attribute ignored", CONFIG + '<a href="#$s$">x</a>', []),
    ("environment with entities", "\\begin{eqnarray}\na &amp;=&amp; b\n\\end{eqnarray}",
     [("a &=& b", 1, 3, True, "eqnarray")]),
    ("tags inside display dropped", "$$a<br>b <i>c</i>$$", [("ab c", 1, 1, True, None)]),
    ("comment ignored", "<!-- \\(a\\) -->\\(b\\)", [("b", 1, 1, False, None)]),
]


@pytest.mark.parametrize("name, text, expected", HTML, ids=[c[0] for c in HTML])
def test_html(name: str, text: str, expected: list[tuple]) -> None:
    assert rows(extract(text, "html")) == expected


# ───────────────────────────── reStructuredText ─────────────────────────────

RST = [
    ("directive paragraphs and role", ".. math::\n\n   a = b\n\n   c = d\n\nText :math:`e^x` end.",
     [("a = b", 3, 3, True, None), ("c = d", 5, 5, True, None), ("e^x", 7, 7, False, None)]),
    ("directive argument", ".. math:: x + y", [("x + y", 1, 1, True, None)]),
    ("options skipped", ".. math::\n   :label: eq1\n\n   a\n   = b\n", [("a\n= b", 4, 5, True, None)]),
    ("literal block hides role", "Example::\n\n   :math:`a`\n\n:math:`b`", [("b", 5, 5, False, None)]),
    ("code block hides role", ".. code-block:: rst\n\n   :math:`a`\n", []),
    ("role spans lines", ":math:`a\nb`", [("a\nb", 1, 2, False, None)]),
    ("dollars are not rst math", "$a$ and \\(b\\)", []),
]


@pytest.mark.parametrize("name, text, expected", RST, ids=[c[0] for c in RST])
def test_rst(name: str, text: str, expected: list[tuple]) -> None:
    assert rows(extract(text, "rst")) == expected


# ───────────────────────────── notebooks ─────────────────────────────


def notebook(*cells: tuple[str, object]) -> str:
    """A pretty-printed notebook, as Jupyter writes it, from (cell_type, source) pairs."""
    return json.dumps({"cells": [{"cell_type": t, "metadata": {}, "source": s} for t, s in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 4}, indent=1, ensure_ascii=False)


def line_containing(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` containing ``needle`` (the independent oracle)."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_notebook_positions() -> None:
    raw = notebook(
        ("code", ["x = '$a$'\n"]),
        ("markdown", ["# Title\n", "Let $x$ be\n", "$$\n", "y = 1\n", "$$"]),
        ("markdown", "one string with $z$"),
    )
    got = extract(raw, "ipynb")
    assert [(f.source, f.display, f.cell, f.cell_line) for f in got] == [
        ("x", False, 1, 2), ("y = 1", True, 1, 3), ("z", False, 2, 1)]
    assert got[0].line == got[0].end_line == line_containing(raw, '"Let $x$ be\\n"')
    assert got[1].line == line_containing(raw, '"$$\\n"')
    assert got[1].end_line == line_containing(raw, '"$$"') and got[1].end_line == got[1].line + 2
    assert got[2].line == line_containing(raw, "one string with")


def test_notebook_compact_json() -> None:
    raw = json.dumps({"cells": [{"cell_type": "markdown", "source": ["$a$\n", "$b$"]}]})
    got = extract(raw, "ipynb")
    assert [(f.source, f.line, f.cell, f.cell_line) for f in got] == [("a", 1, 0, 1), ("b", 1, 0, 2)]


def test_notebook_format_3() -> None:
    raw = json.dumps({"worksheets": [{"cells": [{"cell_type": "code", "input": "$a$"},
                                                {"cell_type": "markdown", "source": ["$b$"]}]}]}, indent=1)
    assert [(f.source, f.line, f.cell) for f in extract(raw, "ipynb")] == [("b", line_containing(raw, '"$b$"'), 1)]


def test_notebook_too_deep() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        extract("[" * 100000 + "]" * 100000, "ipynb")


@pytest.mark.parametrize("raw, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be an object"),
    ('{"metadata": {}}', "no 'cells'"),
])
def test_notebook_errors(raw: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        extract(raw, "ipynb")


# ───────────────────────────── files and kinds ─────────────────────────────


@pytest.mark.parametrize("name, kind", [
    ("a.md", "markdown"), ("a.markdown", "markdown"), ("a.tex", "latex"), ("a.txt", "text"),
    ("a.html", "html"), ("a.HTM", "html"), ("a.rst", "rst"), ("a.ipynb", "ipynb"), ("a.xyz", "text"), ("README", "text"),
])
def test_kind_of(name: str, kind: str) -> None:
    assert kind_of(name) == kind


@pytest.mark.parametrize("suffix, text, expected", [
    (".md", "a\n$x$", [("x", 2, 2, False, None)]),
    (".tex", "% $y$\n$x$", [("x", 2, 2, False, None)]),
    (".txt", "@blmath{x}", [("x", 1, 1, True, None)]),
    (".rst", ":math:`x`", [("x", 1, 1, False, None)]),
    (".html", "<b>\\(x\\)</b>", [("x", 1, 1, False, None)]),
])
def test_extract_file(tmp_path: Path, suffix: str, text: str, expected: list[tuple]) -> None:
    path = tmp_path / f"doc{suffix}"
    path.write_text(text, encoding="utf-8")
    assert rows(extract_file(path)) == expected


@pytest.mark.parametrize("kind", ["markdown", "text", "latex", "html"])
def test_crlf_and_mask_characters(kind: str) -> None:
    text = "a\r\n```\r\n$q$\r\n```\r\n$$\r\nx\x00\x01\r\n$$\r\n"
    expected = [("x", 5, 7, True, None)] if kind != "latex" else [("q", 3, 3, False, None), ("x", 5, 7, True, None)]
    assert rows(extract(text, kind)) == expected


def test_unreadable_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe$x$")
    with pytest.raises(ParseError, match="not UTF-8"):
        extract_file(bad)
    with pytest.raises(ParseError, match="cannot read"):
        extract_file(tmp_path / "missing.md")
    with pytest.raises(ParseError, match="unknown document kind"):
        extract("$x$", "docx")


# ───────────────────────────── robustness ─────────────────────────────

PATHOLOGICAL = [
    "$a " * 20000, "$$a " * 20000, "\\(" * 20000, "\\begin{align}" * 5000, "@blmath{" * 20000,
    "`" * 3 + "\n" + "`a " * 20000, "{{< math >}}" * 5000, "<a " * 20000, "% $" * 20000, ".. math::\n" * 5000,
    "$a$5 " * 20000, "\\\\" * 20000 + "$",
    # a table row whose remark cell holds many formulas; a table of many continued rows (latex/cells.py)
    r"<table><tr><td>\(a\)</td><td>\(= b\)</td><td>(rule " + r"\(c\) " * 40000 + "</td></tr></table>",
    r"<table><tr><td>\(a\)</td><td>\(= b\)</td></tr>" + r"<tr><td></td><td>\(= b\)</td></tr>" * 5000 + "</table>",
]


@pytest.mark.parametrize("kind", ["markdown", "latex", "text", "html", "rst"])
def test_pathological_inputs_are_fast(kind: str) -> None:
    for text in PATHOLOGICAL:
        start = time.perf_counter()
        extract(text, kind)
        assert time.perf_counter() - start < 3, (kind, text[:20])


@settings(max_examples=300, deadline=None, print_blob=True)
@given(st.text(alphabet="$\\`{}@()[]<>%&;:\n ax1~-*.", max_size=200),
       st.sampled_from(["markdown", "latex", "text", "html", "rst", "ipynb"]))
def test_never_crashes(text: str, kind: str) -> None:
    if kind == "ipynb":
        text = notebook(("markdown", text))
    n_lines = text.count("\n") + 1
    for f in extract(text, kind):
        assert 1 <= f.line <= f.end_line <= n_lines


PROSE = st.text(alphabet="abcxyz 0123456789.,;:()[]=+-*/!?'\"#|あいう数式", max_size=30)
MATH = st.lists(st.sampled_from(["x", "y_1", "\\frac{a}{b}", "+", " ", "\\sum_{k}", "^2", "{}", "\\\\", "&=", "\n",
                                 "\\delta", "(", ")", "|", "'"]), min_size=1, max_size=12).map("".join)


@settings(max_examples=300, deadline=None, print_blob=True)
@given(st.lists(PROSE, min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(0, 100), MATH, PROSE, PROSE), min_size=1, max_size=5),
       st.sampled_from(["markdown", "text", "html", "latex"]))
def test_inserted_display_math_is_recovered(prose: list[str], inserts: list, kind: str) -> None:
    """Random prose with ``prefix$$math$$suffix`` lines at known places gives back each math and line."""
    lines = list(prose)
    for where, math, before, after in inserts:
        lines.insert(where % (len(lines) + 1), (before, math, after))
    text, expected, line = [], [], 1
    for item in lines:
        if isinstance(item, tuple):
            before, math, after = item
            expected.append((math.strip(), line, line + math.count("\n"), True, None))
            item = f"{before}$${math}$${after}"
        text.append(item)
        line += item.count("\n") + 1
    assert rows(extract("\n".join(text), kind)) == expected


# ───────────────────────────── the real documents ─────────────────────────────


def real(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared test material {path} is absent")
    return path


# Counts checked independently: (number of "$$")/2 plus (remaining "$")/2 per file or cell,
# "{{< displaymath >}}" openers, "\begin{eqnarray}" openers, and "$" left after removing tags/scripts.
COUNTS = [
    ("seeds/000_a95a9fd27c711a75.txt", 48),
    ("seeds/001_895d7f909b551a00.txt", 42),
    ("seeds/004_1a0fd6a722884e4f.txt", 6),
    ("corpus/nn-backprop-ja.md", 205),
    ("corpus/nnadl-chap2.html", 381),
    ("corpus/13_Basics_of_Neural_Networks.ipynb", 221),
]


@pytest.mark.parametrize("relative, count", COUNTS, ids=[c[0] for c in COUNTS])
def test_real_document_counts(relative: str, count: int) -> None:
    fragments = extract_file(real(relative))
    assert len(fragments) == count > 0
    for f in fragments:
        assert f.source and "\x00" not in f.source and "\x01" not in f.source


# Each row was checked by opening the file at the line.
SPOTS = [
    ("seeds/000_a95a9fd27c711a75.txt", 39, 39, True, "\\partial w_{jk} = \\frac{\\partial E}{\\partial w_{jk}}"),
    ("seeds/000_a95a9fd27c711a75.txt", 35, 35, False, "\\frac{\\partial E}{\\partial w_{jk}}"),
    ("seeds/000_a95a9fd27c711a75.txt", 241, 245, True,
     "\\begin{aligned}\n \\delta_k &= y_k - t_k \\\\\n \\partial w_{jk} &= y_j \\delta_k \\\\\n"
     " \\partial b_k &= \\delta_k\n \\end{aligned}"),
    ("seeds/001_895d7f909b551a00.txt", 8, 13, True,
     "\\begin{aligned}\nz^i_k &=\\sum_{j=1}^{M_{i-1}} w^i_{kj} a^{i-1}_j \\\\\na^i_k &= \\phi_i(z^i_k)\n\\end{aligned}"),
    ("seeds/001_895d7f909b551a00.txt", 6, 6, False, "i \\in \\{1, 2, \\cdots, N \\}"),
    ("seeds/004_1a0fd6a722884e4f.txt", 46, 48, False,
     "\\displaystyle\\frac{\\partial E}{\\partial W}={\\color{red}\\frac{\\partial E}{\\partial A}}"
     "\\frac{\\partial A}{\\partial Z}\\frac{\\partial Z}{\\partial W}"),
    ("corpus/nn-backprop-ja.md", 23, 25, True, "y_j^l = f_l\\left( u_j^{l} \\right)"),
    ("corpus/nn-backprop-ja.md", 49, 49, False, "y_1^{L}, y_2^{L}, \\ldots,"),
    ("corpus/nnadl-chap2.html", 135, 136, False, "\\partial\nC / \\partial w"),
    ("corpus/nnadl-chap2.html", 188, 190, True,
     "a^{l}_j = \\sigma\\left( \\sum_k w^{l}_{jk} a^{l-1}_k + b^l_k \\right),\n\\tag{23}"),
    ("corpus/13_Basics_of_Neural_Networks.ipynb", 143, 145, True, "{\\bf u}_1 = {\\bf W}_{10}{\\bf h}_0 + {\\bf b}_1"),
    ("corpus/13_Basics_of_Neural_Networks.ipynb", 59, 59, False, "x_1"),
]


@pytest.mark.parametrize("relative, line, end_line, display, source", SPOTS,
                         ids=[f"{s[0]}:{s[1]}" for s in SPOTS])
def test_real_document_spots(relative: str, line: int, end_line: int, display: bool, source: str) -> None:
    at_line = [f for f in extract_file(real(relative)) if f.line == line]
    assert [(f.end_line, f.display, f.source) for f in at_line if f.source == source] == [(end_line, display, source)]


def test_real_notebook_cells() -> None:
    got = {f.source: f for f in extract_file(real("corpus/13_Basics_of_Neural_Networks.ipynb"))}
    assert (got["x_1"].cell, got["x_1"].cell_line) == (2, 23)
    formula = got["{\\bf u}_1 = {\\bf W}_{10}{\\bf h}_0 + {\\bf b}_1"]
    assert (formula.cell, formula.cell_line) == (5, 5)


def test_real_html_environments() -> None:
    fragments = extract_file(real("corpus/nnadl-chap2.html"))
    assert sum(f.environment == "eqnarray" for f in fragments) == 79
    assert not [f for f in fragments if "&amp;" in f.source or "&lt;" in f.source or "&gt;" in f.source]
    assert [(f.line, f.source) for f in fragments if f.source == "\\epsilon > 0"] == [(783, "\\epsilon > 0")]


# ── bare display lines in Markdown (math written without $…$) ──────────────────
BARE_DOC = """# Gradients

The loss is

E = \\frac{1}{2} \\sum_k (y_k - t_k)^2

and its derivative, where \\frac{a}{b} = c is prose,

\\frac{\\partial E}{\\partial y_k} = y_k - t_k

```
\\frac{\\partial E}{\\partial w} = 0
```

- \\frac{a}{b} = c in a list item
損失 \\frac{a}{b} = c
Inline $\\sigma(u) = \\frac{1}{1+e^{-u}}$ stays as it was.
"""


def test_bare_display_lines_are_extracted_and_prose_is_not():
    frags = extract(BARE_DOC, "markdown")
    assert [(f.line, f.source, f.display) for f in frags] == [
        (5, r"E = \frac{1}{2} \sum_k (y_k - t_k)^2", True),
        (9, r"\frac{\partial E}{\partial y_k} = y_k - t_k", True),
        (17, r"\sigma(u) = \frac{1}{1+e^{-u}}", False),
    ]


def test_bare_lines_are_a_markdown_reading_only():
    assert [f.line for f in extract(BARE_DOC, "latex")] == [17]


def test_mathml_with_its_tex_source_is_read_from_the_annotation() -> None:
    """Our HTML reports (and MathJax's MathML output) keep the TeX in an annotation."""
    text = ('<p>Before</p>\n<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><semantics>'
            '<mrow><mi>x</mi><mo>=</mo><mi>y</mi></mrow>\n'
            '<annotation encoding="application/x-tex">x_{k} &lt; y</annotation></semantics></math>\n'
            '<p>inline <math display="inline"><semantics><mi>z</mi>'
            '<annotation encoding="application/x-tex">z</annotation></semantics></math></p>\n'
            '<math><mi>w</mi></math>\n')
    frags = extract(text, "html")
    assert [(f.source, f.line, f.display) for f in frags] == [("x_{k} < y", 2, True), ("z", 4, False)]


def test_our_mathml_keeps_the_tex_it_was_made_from() -> None:
    from symbackprop.render.mathml import to_mathml

    out = to_mathml(r"\frac{a}{b} < c", display=True)
    assert '<annotation encoding="application/x-tex">\\frac{a}{b} &lt; c</annotation>' in out
    assert extract(f"<p>{out}</p>", "html")[0].source == r"\frac{a}{b} < c"


def test_the_prose_around_each_fragment_is_kept_within_its_paragraph():
    from symbackprop.latex.extract import extract
    text = "Intro.\n\nSo $Y$ and $U$ are $N \\times n$ matrices.\n\nNext $x$."
    y, u, size, x = extract(text, "markdown")
    assert (y.before, y.after) == ("So ", " and ")
    assert (size.before, size.after) == (" are ", " matrices.")
    assert x.before == "Next " and "matrices" not in x.before

def test_an_equation_set_over_the_cells_and_rows_of_a_table_is_one_display() -> None:
    """HTML has no aligned rows: ``lhs`` in one cell and ``= rhs`` in the next are one formula, and
    ``= rhs`` first in the next row (its left cell empty) continues it, not the formula of the rule
    cell between them (our HTML reports set every derivation so), and a formula in that remark is
    part of it, as in an annotation column ``&& \\text{(rule: …)}``; nothing else is joined."""
    mathml = ('<math><semantics><mi>x</mi><annotation encoding="application/x-tex">{}</annotation>'
              '</semantics></math>')
    text = ('<table>\n'
            f'<tr><td class="lhs">{mathml.format("Y")}</td><td>{mathml.format("= (y_{jp})_{pj}")}</td>'
            f'<td>(rule: {mathml.format("q = r")})</td></tr>\n'
            f'<tr><td class="lhs"></td><td>{mathml.format("= z")}</td></tr>\n'
            '</table>\n'
            '<table>\n'
            r'<tr><td>\(a\)</td><td> \(\le b\) </td><td>(rule: \(= c\))</td></tr>' '\n'
            r'<tr><td>\(p\)</td><td>\(q\)</td></tr>' '\n'
            r'<tr><td></td><td>\(= s\)</td></tr>' '\n'
            r'<tr><td>prose \(= t\)</td></tr>' '\n'
            '</table>\n')
    frags = extract(text, "html")
    assert [(f.source, f.line, f.end_line) for f in frags] == [
        ("\\begin{aligned} Y & = (y_{jp})_{pj} \\\\\n & = z \\end{aligned}", 2, 3),
        (r"a \le b", 6, 6), ("p", 7, 7), ("q", 7, 7), ("= s", 8, 8), ("= t", 9, 9)]
