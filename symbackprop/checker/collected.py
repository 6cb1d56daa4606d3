r"""Batch matrices a sentence fills with a quantity's entries.

Notes often say in words what a batch matrix holds instead of writing ``T = (t_{nk})``:

* "With targets $t_{nk}$, collected in the $N \times n_L$ matrix $T$, …"
* "The error … is $\delta^{(l)}_{nj} = …$, and $\Delta^{(l)}$ is the $N \times n_l$ matrix of these
  errors."
* "同じように $\bm{u}^{l}_n$、$\bm{\delta}^{l}_n$、$\bm{t}_n$ を並べて $U^{l}$、$\Delta^{l}$、$T$ を作る。"

Such a sentence is read as the statement that the matrix ``M`` (a formula of its own: an
upper-case name, with a layer label or none) holds the entries of the quantity written with
``M``'s lower-case letter and label in the same sentence (``T`` ← ``t_{nk}``, ``Δ^{(l)}`` ←
``δ^{(l)}_{nj}``, ``T`` ← ``\bm{t}_n``), one per example of the batch.  Only when:

* the sentence says it collects or arranges (collect, stack, gather, arrange, assemble, "matrix
  of", 並べ, まとめ) — "$Y$ and $U$ are $N \times n_l$" names sizes only;
* that quantity carries the batch's index (``n`` in ``t_{nk}``, the subscript of ``\bm{t}_n``).

Which of the matrix's indices is the example comes from the size the sentence states (``N \times
n_L``: the examples are the rows) or, without one, from the document's other batch matrices
(``component_facts.DocumentComponents``); a sentence stops at ``.``, ``。``, ``!``, ``?`` or a
paragraph's end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

import sympy as sp

from .labels import split
from .size_statements import MAX_NAME, TIMES, size as size_of

_COLLECTS = re.compile(r"collect|stack|gather|arrang|assembl|matri(?:x|ces)\s+of\b|並べ|まとめ", re.I)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[。！？]")
_NAME = re.compile(r"^\s*(?:\\(?:mathbf|bm|boldsymbol)\s*\{\s*)?(?P<name>\\?[A-Za-z]+)\s*\}?\s*(?P<label>\^\s*\{[^{}]*\}|\^\s*\w)?\s*$")
_QUANTITY = re.compile(r"(?:\\(?:mathbf|bm|boldsymbol)\s*\{\s*)?(?P<base>\\?[A-Za-z]+)\s*\}?\s*(?P<label>\^\s*\{[^{}]*\}|\^\s*\w)?"
                       r"\s*_\s*(?P<sub>\{[^{}]*\}|\w)")


@dataclass(frozen=True)
class Collected:
    """The matrix ``name`` holds the entries of the quantity of letter ``base`` at its label
    (``T``: ``t``; ``Delta^{(l)}``: ``delta^{(l)}``); ``examples_row``: the examples are its rows (True), columns (False), or as
    the document's other batch matrices (None).  Stated at ``line``."""

    name: str
    base: str
    examples_row: Optional[bool]
    line: int


def _name(source: str) -> Optional[tuple[str, str]]:
    """``(letter, label)`` of a fragment that is one name (``T``, ``\\Delta^{(l)}``), else None."""
    m = _NAME.match(source) if len(source) <= MAX_NAME else None
    if m is None:
        return None
    return m["name"].lstrip("\\"), re.sub(r"\s+", "", m["label"] or "")


def _sentences(fragments: Sequence) -> list[list[int]]:
    """The fragments grouped by sentence (indices into ``fragments``, in order)."""
    out: list[list[int]] = []
    for i, f in enumerate(fragments):
        prev = fragments[i - 1] if i else None
        joined = prev is not None and prev.after == f.before and not prev.display and not f.display \
            and not _SENTENCE_END.search(f.before) and f.line - prev.end_line <= 3
        if joined:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _entries(source: str, letter: str, label: str, batch: str) -> bool:
    """Does ``source`` write ``letter^{label}`` with the batch index ``batch`` among its indices?"""
    for m in _QUANTITY.finditer(source):
        if m["base"].lstrip("\\") != letter or re.sub(r"\s+", "", m["label"] or "") != label:
            continue
        if batch in re.findall(r"[A-Za-z]", m["sub"]):
            return True
    return False


def _rows(source: str, size: str) -> Optional[bool]:
    """From a size ``A \\times B`` in ``source``: are the examples (the batch size ``size``) its rows?"""
    m = TIMES.match(source)
    if m is None:
        return None
    a, b = size_of(m["a"]), size_of(m["b"])
    return True if str(a) == size else False if str(b) == size else None


def collected(fragments: Sequence, batch: str, size: str) -> list[Collected]:
    """Every statement of the kind above in ``fragments`` (the document's, in order), for the
    batch index ``batch`` (``n``) of the batch size ``size`` (``N``)."""
    out: list[Collected] = []
    for group in _sentences(fragments):
        words = " ".join([fragments[group[0]].before] + [fragments[i].after for i in group])
        if not _COLLECTS.search(words):
            continue
        rows = next((r for i in group for r in [_rows(fragments[i].source, size)] if r is not None), None)
        for i in group:
            named = _name(fragments[i].source)
            if named is None or not named[0][:1].isupper():
                continue
            letter, label = named[0][:1].lower() + named[0][1:], named[1]
            if any(_entries(fragments[j].source, letter, label, batch) for j in group if j != i):
                out.append(Collected(named[0] + label, letter, rows, fragments[i].line))
    return out


def _indexed(readings: Sequence) -> list:
    return [i for r in readings if r.parsed is not None for chain in r.parsed.chains for e in chain.exprs
            if isinstance(e, sp.Basic) for i in e.atoms(sp.Indexed)]


def example_first(readings: Sequence, letter: str, batch: sp.Symbol) -> Optional[bool]:
    """Does the document write the quantity of letter ``letter`` with the batch index first
    (``t_{nk}``: True), last (``t_{jn}``: False) — None where it does not, or both."""
    names = [[str(x) for x in i.indices] for i in _indexed(readings)
             if str(i.base.label).split("^")[0] == letter and len(i.indices) == 2]
    places = {ix.index(str(batch)) == 0 for ix in names if str(batch) in ix}
    return places.pop() if len(places) == 1 else None


def paired_layer(readings: Sequence, letter: str, batch: sp.Symbol) -> Optional[sp.Expr]:
    """The one layer whose labelled quantity the document adds to or subtracts from the
    unlabelled ``letter``'s entries at the same unit index (``y^{(L)}_{nk} − t_{nk}``: L)."""
    labels = set()
    for r in readings:
        for chain in r.parsed.chains if r.parsed is not None else ():
            for e in chain.exprs:
                for add in e.atoms(sp.Add) if isinstance(e, sp.Basic) else ():
                    mine = [i for a in add.args for i in a.atoms(sp.Indexed) if str(i.base.label) == letter]
                    units = {str(x) for i in mine for x in i.indices} - {str(batch)}
                    labels |= {split(str(i.base.label))[2] for a in add.args for i in a.atoms(sp.Indexed)
                               if mine and split(str(i.base.label)) and {str(x) for x in i.indices} - {str(batch)} <= units}
    return labels.pop() if len(labels) == 1 else None
