"""LaTeX → MathML for the HTML reports (MathML Core, which Chromium renders natively).

The reports' formulas exist once, as LaTeX strings written by our printer
(:mod:`symbackprop.printing`, :mod:`symbackprop.matrix`); the HTML page shows
the same strings as MathML, so the three formats cannot drift apart.  The
conversion is done by ``latex2mathml``; a few passes over its tree then fit the
output to MathML Core, each a small function below:

* :func:`limits_under_over` — Σ keeps its limits below and above, also inside ``\\left( \\right)``;
* :func:`flat_primes` — ``k'`` is the letter followed by ′ (a superscripted ′ is raised twice);
* :func:`bold_characters` — ``\\mathbf{1}`` becomes 𝟏 (``mathvariant="bold"`` is not in MathML Core);
* :func:`names_as_identifiers` — ``\\operatorname{ReLU}`` is an identifier ``<mi>``, not an operator;
* :func:`snug_fences` — ``\\left( \\right)`` around nothing tall are plain parentheses;
* :func:`function_spacing` — a thin space after ``\\log`` and friends, and before them after a
  letter or a script (``t_k \\log``), as in TeX;
* :func:`upright_capital_greek` — Δ, Ξ upright, as in TeX.

The import of ``latex2mathml`` happens on first use, so the TeX and Markdown
reports work without it.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from typing import Callable

from ..errors import SymbackpropError
from ..rules.notation_table import rows

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_LARGE_OPERATORS = {"\u2211", "\u220f", "\u222b"}  # Σ, Π, ∫
_PRIMES = {"\u2032", "\u2033", "\u2034"}  # ′ ″ ‴
_TALL = {"mfrac", "munderover", "munder", "mover", "mtable", "mroot", "msqrt"}
#: operator names of elementary maths; a network function's come from its notation row
_FUNCTION_NAMES = frozenset({"log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "max", "min",
                             "softmax", "det", "tr"})


def function_names() -> frozenset[str]:
    """The identifiers set as operator names (a thin space as TeX's ``\\operatorname``): the
    elementary ones and each network function's MathML name of more than one letter (ReLU,
    softplus, tanh; a one-letter σ or H is an ordinary italic identifier, as TeX sets it)."""
    return _FUNCTION_NAMES | {r.mathml for r in rows() if len(r.mathml) > 1}


class MathMLError(SymbackpropError):
    """A LaTeX string could not be turned into MathML; install latex2mathml or report the formula."""


# ── passes over the tree (each returns nothing and edits in place) ─────────
def limits_under_over(root: ET.Element) -> None:
    """``<msubsup><mo>∑</mo>…`` → ``<munderover>`` (and msub → munder, msup → mover)."""
    renames = {"msubsup": "munderover", "msub": "munder", "msup": "mover"}
    for el in root.iter():
        if el.tag in renames and len(el) and el[0].tag == "mo" and el[0].text in _LARGE_OPERATORS:
            el.tag = renames[el.tag]


def flat_primes(root: ET.Element) -> None:
    """``<msup><mi>k</mi><mi>′</mi></msup>`` → ``<mrow><mi>k</mi><mi>′</mi></mrow>`` (also ″, ‴)."""
    for el in root.iter("msup"):
        if len(el) == 2 and (el[1].text or "").strip() in _PRIMES and el[1].tag in ("mi", "mo"):
            el.tag = "mrow"
            el[1].tag = "mi"


def _is_fence(el: ET.Element, form: str) -> bool:
    return el.tag == "mo" and el.get("stretchy") == "true" and el.get("form") == form


def snug_fences(root: ET.Element) -> None:
    """``\\left( u_k \\right)`` around nothing tall: plain parentheses, as TeX sets them
    (a stretchy fence gets wide side bearings in the browser even when it does not grow)."""
    for el in root.iter("mrow"):
        if len(el) >= 2 and _is_fence(el[0], "prefix") and _is_fence(el[-1], "postfix"):
            if not any(d.tag in _TALL for d in el.iter()):
                for mo in (el[0], el[-1]):
                    mo.attrib.clear()
                    mo.set("stretchy", "false")


_BOLD_RANGES = (("A", 0x1D400, 26), ("a", 0x1D41A, 26), ("0", 0x1D7CE, 10))


def _bold_char(ch: str) -> str:
    for first, bold, count in _BOLD_RANGES:
        offset = ord(ch) - ord(first)
        if 0 <= offset < count:
            return chr(bold + offset)
    return ch


def bold_characters(root: ET.Element) -> None:
    """``<mn mathvariant="bold">1</mn>`` → ``<mn>𝟏</mn>`` (Unicode mathematical bold)."""
    for el in root.iter():
        if el.get("mathvariant") == "bold" and el.text:
            el.text = "".join(_bold_char(c) for c in el.text)
            del el.attrib["mathvariant"]


def names_as_identifiers(root: ET.Element) -> None:
    """``<mo>ReLU</mo>`` → ``<mi>ReLU</mi>`` (a multi-letter name is an identifier)."""
    for el in root.iter("mo"):
        text = el.text or ""
        if len(text) > 1 and text[0].isalpha() and text.isalnum():
            el.tag = "mi"


def _is_function(el: ET.Element, names: frozenset[str]) -> bool:
    """``log``, or ``tanh^{2}`` / ``σ′``-like scripts whose base is such a name."""
    if el.tag == "mi":
        return el.text in names
    return el.tag in ("msup", "msub", "msubsup") and len(el) > 0 and _is_function(el[0], names)


def _first_leaf(el: ET.Element) -> ET.Element:
    while el.tag == "mrow" and len(el):
        el = el[0]
    return el


_CLOSERS = {")", "]", "}", "|", "\u2016", "\u232a", "\u27e9"}


def _last_leaf(el: ET.Element) -> ET.Element:
    while el.tag == "mrow" and len(el):
        el = el[-1]
    return el


def _ordinary_before(el: ET.Element) -> bool:
    """Whether TeX puts a thin space between ``el`` and an operator name after it (Ord–Op,
    Close–Op, Op–Op): anything but an operator, a relation or an opening fence."""
    if el.tag == "mspace":
        return False
    if el.tag != "mo":
        last = _last_leaf(el)
        return last.tag != "mo" or (last.text or "").strip() in _CLOSERS
    return (el.text or "").strip() in _CLOSERS or (el.text or "").strip() in _LARGE_OPERATORS


def function_spacing(root: ET.Element) -> None:
    """A thin space after ``log``, ``exp``, ``tanh^{2}`` … unless a parenthesis or a prime
    follows (TeX's Op–Ord spacing), and before one that follows a letter, a script or a
    closing bracket (``t_k \\log y_k``: Ord–Op; without it the browser sets "t_klog");
    only between the items of a row, never inside a script."""
    names = function_names()
    for parent in list(root.iter()):
        if parent.tag not in ("math", "mrow", "mtd", "mstyle"):
            continue
        children = list(parent)
        for prev, el, nxt in zip([None, *children], children, [*children[1:], None]):
            if not _is_function(el, names):
                continue
            if prev is not None and _ordinary_before(prev):
                parent.insert(list(parent).index(el), ET.Element("mspace", width="0.1667em"))
            if nxt is None:
                continue
            first = _first_leaf(nxt)
            if (first.text or "").strip() in ("(", "[", "{") or (first.text or "").strip() in _PRIMES:
                continue
            parent.insert(list(parent).index(el) + 1, ET.Element("mspace", width="0.1667em"))


_UPPER_GREEK = set("ΓΔΘΛΞΠΣΥΦΨΩ")


def upright_capital_greek(root: ET.Element) -> None:
    """``<mi>Δ</mi>`` → upright, as TeX sets capital Greek (a single-letter ``<mi>`` is italic)."""
    for el in root.iter("mi"):
        if el.text in _UPPER_GREEK and "mathvariant" not in el.attrib:
            el.set("mathvariant", "normal")


PASSES: tuple[Callable[[ET.Element], None], ...] = (
    limits_under_over, flat_primes, snug_fences, bold_characters, names_as_identifiers,
    function_spacing, upright_capital_greek)


# ── conversion ─────────────────────────────────────────────────────────────
@functools.lru_cache(maxsize=None)
def _converter():
    try:
        from latex2mathml.converter import convert
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MathMLError("HTML reports need the package latex2mathml "
                          "(pip install 'latex2mathml>=3.77,<4')") from exc
    return convert


def to_mathml(latex: str, display: bool = False) -> str:
    """One ``<math>`` element for ``latex``; ``display`` makes a block (centred) formula.

    Inline formulas are still typeset in display style (full-size fractions,
    limits below and above Σ), as the rows of an ``align`` in the TeX report.
    """
    return _to_mathml(latex, display, function_names())


@functools.lru_cache(maxsize=4096)
def _to_mathml(latex: str, display: bool, names: frozenset[str]) -> str:
    """:func:`to_mathml`, remembered per state of the notation table (``names``)."""
    try:
        out = _converter()(latex, display="block")
    except MathMLError:
        raise
    except Exception as exc:  # latex2mathml raises many kinds of errors
        raise MathMLError(f"cannot convert to MathML: {latex!r} ({exc})") from exc
    try:
        root = ET.fromstring(out.replace(f' xmlns="{MATHML_NS}"', "", 1))
    except ET.ParseError as exc:
        raise MathMLError(f"not well-formed MathML for {latex!r}: {exc}") from None
    for apply in PASSES:
        apply(root)
    root.attrib.clear()
    semantics = ET.Element("semantics")  # the TeX source kept beside the presentation (check reads it)
    row = ET.SubElement(semantics, "mrow")
    row.extend(list(root))
    ET.SubElement(semantics, "annotation", {"encoding": "application/x-tex"}).text = latex
    root[:] = [semantics]
    root.set("xmlns", MATHML_NS)
    root.set("display", "block" if display else "inline")
    if not display:
        root.set("displaystyle", "true")
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)
