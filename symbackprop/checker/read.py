r"""Reading: each extracted fragment parsed row by row, under the time bound.

A fragment is parsed by :func:`symbackprop.latex.parse.parse_math` in this process under
the :func:`~symbackprop.prover.runner.inline` timer; one that runs out is reported as
*timed out while parsing* and the document goes on.  A display that starts with a
relation (``= c``) continues the last chain of the display before it.  Rows that could
not be read are kept with their line and reason.
"""

from __future__ import annotations

import time

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from ..errors import ParseError
from ..latex.extract import Fragment
from ..latex.parse import ParseOptions, Parsed, parse_math
from ..prover.runner import inline

#: How documents are read: ``\delta_{jj'}`` is a Kronecker delta (the error signal δ_k has one index).
PARSE_OPTIONS = ParseOptions(kronecker=True)


@dataclass(frozen=True)
class Reading:
    """A fragment and what was read of it: ``parsed`` (None if nothing could be read) and the
    rows that could not be read, as ``{"line", "end_line", "source", "reason"}``."""

    fragment: Fragment
    parsed: Optional[Parsed]
    unparsed: tuple = ()

    def line_of(self, chain: Any, step: int) -> int:
        """The 1-based file line of a step: where its right side stands (its row)."""
        lines = getattr(chain, "lines", ()) or ()
        if step < len(lines) and lines[step] is not None:
            return source_line(self.fragment) + int(lines[step])
        return self.fragment.line

    def end_of(self, chain: Any, step: int) -> int:
        """The last file line of a step's right side: the line before the next step's row, or
        the end of the display for the last step (a right side may span rows: a pmatrix)."""
        line = self.line_of(chain, step)
        if step < len(chain.ops):
            return max(line, self.line_of(chain, step + 1) - 1)
        return max(line, self.fragment.end_line)


def source_line(frag: Fragment) -> int:
    """The file line of the fragment's first row (``\\begin{align}`` may stand on the line before)."""
    return frag.source_line or frag.line


def _first_line(reason: str) -> str:
    return (reason or "").splitlines()[0] if reason else "could not be read"


def read_fragment(frag: Fragment, seconds: float, options: ParseOptions = PARSE_OPTIONS) -> Reading:
    """One fragment, parsed within ``seconds``."""
    out = inline(parse_math, frag.source, options, seconds=seconds)
    whole = {"line": frag.line, "end_line": frag.end_line, "source": frag.source}
    if out.timed_out:
        return Reading(frag, None, ({**whole, "reason": f"timed out while parsing (after {seconds:g} s)"},))
    if out.error:
        reason = out.error.split(": ", 1)[-1] if out.error.startswith("ParseError") else out.error
        return Reading(frag, None, ({**whole, "reason": _first_line(reason)},))
    parsed: Parsed = out.value
    base = source_line(frag)
    rows = tuple({"line": base + r.line, "end_line": base + r.line + r.source.count("\n"),
                  "source": r.source, "reason": _first_line(r.reason)}
                 for r in getattr(parsed, "unparsed", ()))
    return Reading(frag, parsed, rows)


def _continued(reading: Reading, previous: Optional[Reading]) -> Reading:
    """A display whose first chain starts with a relation takes its left side from the last
    expression of the previous display's last chain."""
    parsed = reading.parsed
    if parsed is None or not parsed.chains or not getattr(parsed.chains[0], "continues_previous", False):
        return reading
    left = None
    if previous is not None and previous.parsed is not None and previous.parsed.chains:
        left = previous.parsed.chains[-1].exprs[-1]
    first = dataclasses.replace(parsed.chains[0], exprs=(left,) + tuple(parsed.chains[0].exprs[1:]))
    return dataclasses.replace(reading, parsed=dataclasses.replace(parsed, chains=(first,) + parsed.chains[1:]))


def read(fragments: Sequence[Fragment], seconds: float,
         progress: Optional[Callable[[int], None]] = None, deadline: Optional[float] = None,
         options: ParseOptions = PARSE_OPTIONS) -> list[Reading]:
    """Every fragment read, in document order, displays continued across fragments; reading
    stops at ``deadline`` (time.monotonic), so the result may be a prefix of ``fragments``."""
    out: list[Reading] = []
    previous: Optional[Reading] = None
    for n, frag in enumerate(fragments):
        if deadline is not None and time.monotonic() > deadline:
            break
        if progress:
            progress(n)
        r = _continued(read_fragment(frag, seconds, options), previous)
        out.append(r)
        if r.parsed is not None and r.parsed.chains:
            previous = r
    return out


def parse_claim(latex: str) -> Parsed:
    """One claim given as LaTeX (``prove --claim``): parsed, or :class:`ParseError`."""
    parsed = parse_math(latex, PARSE_OPTIONS)
    if not any(c.ops for c in parsed.chains):
        raise ParseError(f"no relation in {latex!r}: write a claim such as a = b")
    return parsed
