r"""Marks in an aligned derivation that are not its mathematics, or mean one thing only.

* The annotation column: ``a &= b && \text{(chain rule)}`` — prose about the step after ``&&``
  (math inside it too) is no part of the row.
* The Iverson bracket of two indices, ``[k = k']``: the Kronecker delta.
"""

from __future__ import annotations

import re

#: ``[k = k']``: two index letters (primed or not) in square brackets.
IVERSON = re.compile(r"\[\s*([A-Za-z]'*)\s*=\s*([A-Za-z]'*)\s*\]")
_ANNOTATION = re.compile(r"&&(?:\s|\\q?quad(?![A-Za-z])|\\[,;:!])*\\(?:text|textrm|textit|mbox)(?![A-Za-z])")


def annotation_end(s: str, i: int) -> int | None:
    r"""``&& \text{(chain rule)}``: the annotation column of an aligned row, prose about the step
    (math inside it too: ``\text{(identity: }∂y_a/∂u_b = …\text{)}``) — where the row ends
    (its ``\\``, an ``\end``, or the end), so it is skipped whole; None for anything else
    (``a &= b && c &= d``: two equations side by side)."""
    if not _ANNOTATION.match(s, i):
        return None
    depth, j = 0, i
    while j < len(s):
        if s[j] == "\\" and depth == 0 and (s.startswith("\\\\", j) or s.startswith("\\end{", j)):
            return j
        if s[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        j += 1
    return j
