r"""Shapes a document states for its matrices, in a formula or in a sentence.

* ``W^{(l)} \in \mathbb{R}^{n_{l-1} \times n_l}`` anywhere in a formula;
* a sentence that links names to a size written as its own formula: "$\Delta^{(l)}$ is the
  $N \times n_l$ matrix", "$Y^{(l)}$ and $U^{(l)}$ are $N \times n_l$", "$W^{l}$ は
  $n_{l-1} \times n_l$ 行列", "$W^{l} = (w^{l}_{ij})$ を $n_{l-1} \times n_l$ 行列とする".

Only the prose between the fragments is read, and only these links: "is"/"are" (with "a", "an",
"the"), and between several names ","/"and"/"、"/"と"; in Japanese "は"/"を".  After the size the
sentence must go on as a statement of a matrix does ("matrix", "行列", a punctuation mark, the
end) — "$X$ is $A \times B$ times …" states nothing.

A size is a layer's width where it is a letter indexed by a layer label (``n_l``, ``n_{l-1}``,
``n^{(l)}``): ``WIDTH(label)``; a statement is kept only when one of its sizes is such a width
(``P \times Q`` names the widths anew and says nothing the shapes can use), and its other size,
a plain letter (``N``), is a number apart from every width — the batch size.  A statement made
for a general label (``Δ^{(l)}``) holds at every label (``Δ^{(l+1)}`` is ``N×n_{l+1}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

import sympy as sp

from ..latex.parse import parse_expr
from .labels import at_general_label
from .names import key
from .shape_algebra import WIDTH, Shape

_EN_LINK = re.compile(r"(?:^|\s)(?:is|are)\s+(?:(?:an?|the)\s+)?(?:real\s+)?$")
_JA_LINK = re.compile(r"^\s*[はを]\s*$")
_AND = re.compile(r"^\s*(?:,|,?\s*and|、|と)\s*$")
_GOES_ON = re.compile(r"^\s*(?:(?:real\s+)?matri(?:x|ces)|行列|[.,;:、。)）]|$|で|な|の行列|and\b)")
TIMES = re.compile(  # a size fragment, A \times B
    r"^\s*(?P<a>[^\\]+?|\\[A-Za-z]+[^\\]*?)\s*\\times\s*(?P<b>.+?)\s*$")
_IN_R = re.compile(r"(?P<name>[^,;$]+?)\s*\\in\s*\\mathbb\s*\{?R\}?\s*\^\s*\{(?P<a>[^{}]*(?:\{[^{}]*\}[^{}]*)*?)"
                   r"\\times(?P<b>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_SIZE = re.compile(r"^(?P<letter>[A-Za-z])\s*(?:_\s*\{?\s*(?P<sub>[^{}]+?)\s*\}?|\^\s*\{\s*\((?P<sup>[^{}()]+)\)\s*\})$")
MAX_NAME = 60  # characters of a name fragment worth parsing


@dataclass(frozen=True)
class SizeStatement:
    """``name`` is a ``rows``×``cols`` matrix (made at ``line``)."""

    name: str
    rows: sp.Expr
    cols: sp.Expr
    line: int


def size(text: str) -> Optional[sp.Expr]:
    """A width ``WIDTH(label)`` for ``n_{l-1}``, ``n^{(l)}``; a symbol for a plain letter; a number."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if re.fullmatch(r"\d+", text):
        return sp.Integer(int(text))
    if re.fullmatch(r"[A-Za-z]", text):
        return sp.Symbol(text, integer=True, positive=True)
    m = _SIZE.match(text)
    if not m:
        return None
    label = (m["sub"] or m["sup"]).replace(" ", "")
    try:
        value = sp.sympify(label, locals={c: sp.Symbol(c) for c in set(re.findall(r"[A-Za-z]", label))})
    except (sp.SympifyError, SyntaxError, TypeError):
        return None
    return WIDTH(value) if isinstance(value, sp.Expr) else None


def _pair(a: str, b: str) -> Optional[tuple]:
    rows, cols = size(a), size(b)
    if rows is None or cols is None or not any(isinstance(x, sp.Function) for x in (rows, cols)):
        return None
    return rows, cols


def _name(source: str) -> Optional[str]:
    """The name a fragment is (``W^{l}``), or the left side of its one equation (``W^{l} = (w_{ij})``)."""
    text = source.split("=", 1)[0].strip()
    if not text or len(text) > MAX_NAME or "\\times" in text:
        return None
    try:
        e = parse_expr(text)
    except Exception:  # noqa: BLE001 — a fragment that is no name states nothing
        return None
    return str(key(e)) if isinstance(e, sp.Symbol) and key(e) else None


def statements(fragments: Iterable) -> list[SizeStatement]:
    """Every size statement of the document's ``fragments`` (in order; see the module docstring)."""
    frags, out = list(fragments), []
    for n, f in enumerate(frags):
        for m in _IN_R.finditer(f.source):
            pair, name = _pair(m["a"], m["b"]), _name(m["name"].split(",")[-1])
            if pair and name:
                out.append(SizeStatement(name, *pair, f.line))
        m = TIMES.match(f.source)
        after = f.after
        if not m or n == 0 or not (_EN_LINK.search(f.before) or _JA_LINK.match(f.before)) or not _GOES_ON.match(after):
            continue
        pair = _pair(m["a"], m["b"])
        k = n - 1
        while pair and k >= 0:
            name = _name(frags[k].source)
            if name is None:
                break
            out.append(SizeStatement(name, *pair, f.line))
            if not _AND.match(frags[k].before):
                break
            k -= 1
    return out


def stated_shape(found: list[SizeStatement], name: str) -> Optional[Shape]:
    """The shape ``found`` states for ``name``: made for it, or for its letter at a general label
    (``Δ^{(l)}`` → ``Δ^{(l+1)}``: every width's label shifted alike)."""
    for s in found:
        if s.name == name:
            return Shape(s.rows, s.cols)
    general = at_general_label(name, [s.name for s in found])
    if general is None:
        return None
    other, var, target = general
    s = next(s for s in found if s.name == other)
    return Shape(*(d.xreplace({var: target}) for d in (s.rows, s.cols)))
