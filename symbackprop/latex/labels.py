r"""Layer labels folded into names: the one place labels are formatted.

The Builder folds a layer label into the symbol name: ``a^{l+1}_j`` →
``IndexedBase("a^{l+1}")[j]``, ``w^{(l)}`` → ``"w^{(l)}"``, ``b^{mid}_k`` →
``"b^{mid}"``.  A label is either an index expression (letters, Greek, primes,
``±`` integers: ``l``, ``L-1``, ``d-1``, ``\ell+1``; letters are integer
symbols) or a word/other text (``mid``, ``out`` — ``\text{out}`` folds as
``out`` —, ``*``, ``x,l``).  Written brackets ``(…)``/``[…]`` are kept in the
name (``label_brackets``).  Index labels are printed canonically
(``1+l`` → ``l+1``, spaces dropped).

``with_label(*split_label(n), brackets=label_brackets(n)) == n`` for every name
the Builder folds; ``relabel("w^{(l)}", lambda l: l + 1) == "w^{(l+1)}"``.
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Union

import sympy as sp

from symbackprop.latex.vocabulary import index_symbol
from symbackprop.notation import GREEK_NAMES

Label = Union[sp.Expr, str, None]

_TERM = r"(?:[0-9]+|(?:[A-Za-z]|\\[A-Za-z]+)'*)"
_INDEX = re.compile(rf"^[+-]?{_TERM}(?:[+-]{_TERM})*$")
_WORD = re.compile(r"^\\text\{([A-Za-z]+)\}$")


def parse_label(text: str) -> Label:
    """Label text (no brackets) → index expression or word/text."""
    text = re.sub(r"\s+", "", text)
    m = _WORD.match(text)
    if m:
        return m.group(1)
    if not _INDEX.match(text) or not re.search(r"[A-Za-z]", text):
        return text
    names = re.findall(r"\\?[A-Za-z]+'*", text)
    if any(n.startswith("\\") and n[1:].rstrip("'") not in GREEK_NAMES for n in names):
        return text
    if any(not n.startswith("\\") and len(n.rstrip("'")) > 1 for n in names):
        return text
    value = sp.Integer(0)
    for sign, term in re.findall(rf"([+-]?)({_TERM})", text):
        v = sp.Integer(term) if term[0].isdigit() else index_symbol(term.lstrip("\\"))
        value += -v if sign == "-" else v
    return value


def format_label(label: Label) -> str:
    """The text of a label as folded into names (``l + 1`` → ``l+1``, ``ell`` → ``\\ell``)."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    text = sp.sstr(label, order="lex").replace(" ", "")
    return re.sub(r"[A-Za-z]+", lambda m: "\\" + m.group(0) if m.group(0) in GREEK_NAMES
                  else m.group(0), text)


def with_label(base: str, label: Label, brackets: str = "") -> str:
    """``base`` with ``label`` folded in: ``with_label("a", l + 1) == "a^{l+1}"``."""
    if label is None:
        return base
    text = format_label(label)
    if brackets:
        text = f"{brackets[0]}{text}{brackets[1]}"
    return f"{base}^{{{text}}}"


def _split(name: str) -> Optional[tuple[str, str]]:
    if not name.endswith("}"):
        return None
    depth = 0
    for k in range(len(name) - 1, -1, -1):
        c = name[k]
        depth += {"}": 1, "{": -1}.get(c, 0)
        if depth == 0:
            if k >= 1 and name[k - 1] == "^":
                return name[:k - 1], name[k + 1:-1]
            return None
    return None


def label_brackets(name: str) -> str:
    """``"()"``, ``"[]"`` or ``""``: how the label of ``name`` was bracketed."""
    parts = _split(name)
    if parts is None:
        return ""
    text = parts[1]
    for b in ("()", "[]"):
        if text.startswith(b[0]) and text.endswith(b[1]):
            return b
    return ""


def split_label(name: str) -> tuple[str, Label]:
    """``"a^{l+1}"`` → ``("a", l + 1)``; ``"b^{mid}"`` → ``("b", "mid")``; no label → ``(name, None)``."""
    parts = _split(name)
    if parts is None:
        return name, None
    base, text = parts
    b = label_brackets(name)
    if b:
        text = text[1:-1]
    return base, parse_label(text)


def relabel(name: str, fn: Callable[[sp.Expr], sp.Expr]) -> str:
    """Apply ``fn`` to an index label, keeping brackets: ``w^{(l)}`` → ``w^{(l+1)}``."""
    base, label = split_label(name)
    if label is None or isinstance(label, str):
        return name
    return with_label(base, fn(label), label_brackets(name))
