"""Functions a document names in its prose: ``where $H$ is the Heaviside step function``.

A letter applied to a variable (``H(u)``) is read as a product unless the reader knows it is a
function (latex/build.py); a letter that is a *known* function only in this document is
declared in words, beside the letter, in the sentence that introduces it.  Each entry of
:data:`NAMED_IN_PROSE` is a function the reader can take from such a sentence: its word (the
key of :data:`~symbackprop.latex.vocabulary.DECLARABLE_FUNCTIONS`) and the words that name it.
Only names that say which function they mean count: "Heaviside", "unit step", ヘヴィサイド —
not "a step function" (the perceptron's ±1 step is one too).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

from ..latex.extract import Fragment
from .names import GREEK_ALTERNATION


class NamedInProse(NamedTuple):
    """A function a sentence can name: the reader's word for it and the pattern of its names."""

    word: str
    names: re.Pattern


#: The functions a document may declare in words.
NAMED_IN_PROSE: tuple[NamedInProse, ...] = (
    NamedInProse("heaviside", re.compile(r"heaviside|unit[ -]step|ヘヴィサイド|ヘビサイド|単位ステップ", re.I)),
)

#: ``H``, ``H(u)``, ``\theta``, ``\theta(x)``: a letter, alone or applied to one variable.
_LETTER = re.compile(r"\s*(?P<name>[A-Za-z]|\\(?:" + GREEK_ALTERNATION + r")(?![A-Za-z]))\s*(?:(?:\\left\s*)?\(\s*[A-Za-z](?:_\{?\w\}?)?\s*(?:\\right\s*)?\))?\s*")
#: Where a sentence ends, in the prose beside a fragment.
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[。．！？]|\n\s*\n")
#: How far beside the letter a sentence is read for the function's name (characters).
NEAR = 80


def declared(fragments: Sequence[Fragment]) -> tuple[tuple[str, str], ...]:
    """``(letter, word)`` for every letter the document's prose names a function of
    :data:`NAMED_IN_PROSE` (the letter written alone or applied, in the sentence's prose on
    either side of it, within :data:`NEAR` characters)."""
    out: dict = {}
    for f in fragments:
        m = _LETTER.fullmatch(f.source or "")
        if not m:
            continue
        before = _SENTENCE_END.split(f.before or "")[-1][-NEAR:]
        after = _SENTENCE_END.split(f.after or "")[0][:NEAR]
        for named in NAMED_IN_PROSE:
            if named.names.search(before) or named.names.search(after):
                out.setdefault(m.group("name").lstrip("\\"), named.word)
    return tuple(sorted(out.items()))
