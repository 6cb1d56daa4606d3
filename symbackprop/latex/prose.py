"""The prose around each math fragment (``Fragment.before``, ``Fragment.after``): what a sentence
says about a formula ("$Δ^{(l)}$ is the $N \\times n_l$ matrix") lives in the words between them."""

from __future__ import annotations

import re

BEFORE_CHARS = 160  # how much of the prose before a fragment is kept (a sentence's link: "is the", "は")


def prose_around(text: str, raws: list) -> list[tuple[str, str]]:
    """For each fragment of ``raws`` (in order), the prose before it (from the previous one's end)
    and after it (to the next one's start), each cut at a blank line (another paragraph says
    nothing about it) and to :data:`BEFORE_CHARS` characters next to the fragment."""
    out = []
    for n, r in enumerate(raws):
        start = raws[n - 1].end if n else 0
        stop = raws[n + 1].start if n + 1 < len(raws) else len(text)
        before = re.split(r"\n[ \t]*\n", text[start:r.start] if r.start >= start else "")[-1]
        after = re.split(r"\n[ \t]*\n", text[r.end:stop] if stop >= r.end else "")[0]
        out.append((before[-BEFORE_CHARS:], after[:BEFORE_CHARS]))
    return out
