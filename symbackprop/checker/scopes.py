"""Which definitions are in force in a section (``SymbolTable.enter``): the scoping rule.

A document's sections share its notation.  Measured on the dev set, the corpus and our reports
(docs/architecture.md, the ``scopes.py`` row), a definition holds from where it is stated to the
end of the document, in every later section, until the name is defined again:

* a layer's quantities (``u_j``, ``w^{l}_{jk}``: indexed) belong to the network, whatever the
  section;
* a plain symbol or a function (``E``, ``f``) is defined once, in a "Loss" or "Setup" section,
  and used in the sibling sections that follow ("Output layer", "Hidden layer"): a rule that
  kept it in its own section (the first design) left 23 of the 106 claims of
  ``nn-backprop-ja.md`` without their loss;
* a redefinition at the depth of the definition it replaces, or above (a classification
  section after a regression one; ``E = (1/N) Σ_n E_n`` of a mini-batch chapter) replaces the
  name for the rest of the document, in document order;
* a redefinition in a deeper section (an aside, ``### Example: E = y^3`` under the network's
  ``## Loss``) holds in that section and its subsections.  After it neither meaning is sure —
  the aside's would leak into the network's notation (a false alarm), the old one would be
  wrong where the deeper section began a new part — so the name is defined nowhere until it is
  defined again: its steps are left open, not decided on a guess.
"""

from __future__ import annotations

from typing import Iterable

LASTING = ("indexed", "atom")  # a layer's quantities: never scoped


def within(section: tuple, scope: tuple) -> bool:
    """Is ``section`` (a heading path) ``scope`` or one of its subsections?"""
    return tuple(section[:len(scope)]) == tuple(scope)


def in_force(history: Iterable[tuple], section: tuple) -> dict:
    """The definitions of ``history`` (``(key, Definition)`` in document order) in force in
    ``section``, by key, in the order they were made (the last one of a key wins)."""
    out: dict = {}
    depth: dict = {}  # key → depth of the section of its lasting definition
    for tk, d in history:
        local = d.shape not in LASTING and tk in depth and len(d.section) > depth[tk]
        if not local:
            depth[tk] = len(d.section)
        out.pop(tk, None)
        if not local or within(section, d.section):
            out[tk] = d
    return out
