"""Escaping plain text for TeX and Markdown, and rich text (text with $formula$ parts)."""

from __future__ import annotations

import pytest

from symbackprop.render.escape import md_escape, plain, rich, rich_parts, tex_escape

TEX_CASES = [
    ("plain words", "plain words"),
    ("50% & more", r"50\% \& more"),
    ("a_b #1", r"a\_b \#1"),
    ("$x$ {y}", r"\$x\$ \{y\}"),
    ("~^", r"\textasciitilde{}\textasciicircum{}"),
    ("back\\slash", r"back\textbackslash{}slash"),
    ("分類：ソフトマックス関数", "分類：ソフトマックス関数"),
    ("two\nlines", "two lines"),
]


@pytest.mark.parametrize("text, expected", TEX_CASES)
def test_tex_escape(text, expected):
    assert tex_escape(text) == expected


MD_CASES = [
    ("plain words", "plain words"),
    ("a_b *c*", r"a\_b \*c\*"),
    ("[link](x)", r"\[link\](x)"),
    ("<b> | #", r"&lt;b&gt; \| \#"),
    ("$5", r"\$5"),
    ("日本語", "日本語"),
]


@pytest.mark.parametrize("text, expected", MD_CASES)
def test_md_escape(text, expected):
    assert md_escape(text) == expected


def test_rich_splits_text_and_formulas():
    parts = list(rich_parts(r"error $\delta$ costs \$5 and $x_{1}$"))
    assert parts == [("text", "error "), ("math", r"\delta"), ("text", " costs $5 and "),
                     ("math", "x_{1}")]


def test_rich_escapes_only_the_text():
    out = rich(r"50% of $a_{1}$", tex_escape, lambda m: f"${m}$")
    assert out == r"50\% of $a_{1}$"
    assert plain(r"50% of $a_{1}$") == "50% of a_{1}"
