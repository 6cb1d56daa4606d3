r"""Check the mathematics of a document: every relation a claim, decided or explained.

The pipeline (docs/architecture.md)::

    document ─► extract ─► read (row by row, bounded) ─► walk (definitions in force per
    section; doubt rules) ─► decide (the prover's one engine) ─► guards ─► ClaimResult per step

:func:`check_fragments` is that pipeline as one function; :func:`check_document`,
:func:`check_text` and :func:`check_claim` are its entry points.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Sequence

from ..errors import ParseError
from ..latex.extract import Fragment, extract, extract_file
from .doubt_rules import DOUBT_RULES
from .contexts import Setting, heading_claims_last, settings
from .given import Placed, as_given, place
from .named_functions import declared
from .guards import GUARDS
from .index_rules import INDEX_RULES
from .read import PARSE_OPTIONS, read, read_fragment
from .results import CATEGORIES, ClaimResult, DocumentResult, exit_code
from .walk import Checker, Options

__all__ = ["ClaimResult", "DocumentResult", "check_document", "check_text", "check_claim",
           "check_fragments", "exit_code", "PARSE_OPTIONS", "CATEGORIES", "GUARDS", "DOUBT_RULES",
           "RULE_NAMES", "DEFAULT_TIMEOUT", "default_budget"]

#: Seconds per fragment parse and per step, unless the caller says otherwise.
DEFAULT_TIMEOUT = 5.0
#: The document budget (:func:`default_budget`): base, per fragment, cap — in seconds.
BUDGET_BASE, BUDGET_PER_FRAGMENT, BUDGET_MAX = 60.0, 0.5, 1800.0
READING_SHARE = 0.5  # the share of the budget reading may use before the walk begins
RULE_NAMES = (frozenset(g.name for g in GUARDS) | frozenset(r.name for r in DOUBT_RULES)
              | frozenset(r.name for r in INDEX_RULES))
#: Single letters applied as functions by the reader (``f(x)``): not a juxtaposed product.
FUNCTION_LETTERS = frozenset(n for n in PARSE_OPTIONS.function_names if len(n) == 1)

Progress = Callable[[int, int], None]


def _positive(value: Any, what: str) -> float:
    seconds = float(value)
    if not (seconds > 0 and seconds < float("inf")):
        raise ValueError(f"{what} must be a positive number of seconds, not {value!r}")
    return seconds


def _options(timeout: Optional[float], disabled: Sequence[str] = (), definitions: bool = True,
             deadline: Optional[float] = None) -> Options:
    seconds = _positive(timeout if timeout is not None else DEFAULT_TIMEOUT, "timeout")
    unknown = set(disabled) - RULE_NAMES
    if unknown:
        raise ValueError(f"unknown rule {', '.join(sorted(unknown))}; known: {', '.join(sorted(RULE_NAMES))}")
    return Options(seconds, frozenset(disabled), definitions, deadline)


def default_budget(fragments: int) -> float:
    """Seconds a document may take in all: :data:`BUDGET_BASE` plus :data:`BUDGET_PER_FRAGMENT`
    per fragment, at most :data:`BUDGET_MAX` — generous for notes (a seed takes 1–5 s), a
    bound for a document of 10^5 equations."""
    return min(BUDGET_MAX, BUDGET_BASE + BUDGET_PER_FRAGMENT * fragments)


def check_fragments(fragments: Sequence[Fragment], *, name: str = "<document>",
                    timeout: Optional[float] = DEFAULT_TIMEOUT, progress: Optional[Progress] = None,
                    disabled: Sequence[str] = (), budget: Optional[float] = None,
                    started: Optional[float] = None, given: Sequence = ()) -> DocumentResult:
    """Read and check extracted fragments in document order (the whole pipeline), within
    ``budget`` seconds in all (default :func:`default_budget`), counted from ``started`` (the
    extraction's start) or now: what it does not reach is listed in ``unreached``, never
    silently dropped.  ``given``: networks from a spec (checker/given.py), their definitions
    placed among the document's for the lines each governs; results are the document's only."""
    start = time.monotonic() if started is None else started
    budget = default_budget(len(fragments)) if budget is None else _positive(budget, "budget")
    options = _options(timeout, disabled, deadline=start + budget)
    total = 2 * len(fragments)  # each fragment is read, then checked
    reading_ends = start + READING_SHARE * budget  # the walk keeps the rest of the budget
    names = declared(fragments)  # $H$ is the Heaviside step function: H(u) an application
    readings = read(fragments, options.timeout, progress and (lambda n: progress(n, total)), reading_ends,
                    replace(PARSE_OPTIONS, declared_functions=names))
    letters = FUNCTION_LETTERS | {n for n, _w in names}
    placed = place(readings, given, options.timeout) if given else Placed(readings, frozenset())
    readings = heading_claims_last(placed.readings) if not given else placed.readings
    whole = Setting(tuple(range(len(readings))), frozenset(range(len(readings))))
    walks = [_walk(readings, s, options, letters, placed.withdraw if s == whole else frozenset(),
                   progress and (lambda n: progress(len(readings) + n, total)))
             for s in (settings(readings) if not given else None) or [whole]]
    if progress:
        progress(total, total)
    claims = sorted((c for w in walks for c in w.claims), key=lambda c: c.fragment_line)
    walked = {i for w in walks for i in w.walked}
    own = [i for i, r in enumerate(readings) if r.fragment.line != 0]  # not a spec's row
    done = [readings[i] for i in own if i in walked]
    unreached = tuple({"line": f.line, "source": f.source}
                      for f in [readings[i].fragment for i in own if i not in walked] + list(fragments[len(own):]))
    unparsed = tuple(u for r in done for u in r.unparsed)
    rows = sum(_rows(r) for r in done)
    parsed = sum(1 for r in done if r.parsed is not None)
    return DocumentResult(name, len(fragments), parsed, tuple(claims), unparsed, time.monotonic() - start, rows,
                          unreached, budget, tuple(d for w in walks for d in w.definitions))


@dataclass(frozen=True)
class _Walked:
    claims: list
    walked: tuple  # indices of the readings walked (of its own, for a setting of a collection)
    definitions: tuple


def _walk(readings: Sequence, setting: Setting, options: Options, letters: frozenset, withdraw: frozenset,
          progress: Optional[Callable[[int], None]]) -> _Walked:
    """One walk over the readings of ``setting``; the claims and definitions of its own readings."""
    mine = setting.own
    checker = Checker([readings[i] for i in setting.walk], options, letters, withdraw)
    claims = []
    for claim in checker.run():
        if claim.fragment_line != 0 and setting.walk[checker.pos[0]] in mine:  # line 0: a spec's row
            claims.append(claim)
            if progress:
                progress(checker.pos[0])
    reached = setting.walk if checker.stopped_at is None else setting.walk[:checker.stopped_at]
    lines = {readings[i].fragment.line for i in mine}
    return _Walked(claims, tuple(i for i in reached if i in mine),
                   tuple(d for d in checker.table.history() if d.line in lines or d.line == 0))


def _rows(r) -> int:
    read_rows = sum(len(c.row_texts) for c in r.parsed.chains) if r.parsed is not None else 0
    return read_rows + len(r.unparsed)


def check_document(path: str | os.PathLike[str], *, timeout: Optional[float] = DEFAULT_TIMEOUT,
                   progress: Optional[Progress] = None, disabled: Sequence[str] = (),
                   budget: Optional[float] = None, network=None) -> DocumentResult:
    """Check every relation in the document at ``path`` (md, tex, txt, html, rst, ipynb); with a
    spec ``network`` (a Network, or the networks of checker/given.py, each for its lines), its
    forward pass and loss are definitions where the document leaves them out."""
    started = time.monotonic()
    return check_fragments(extract_file(path), name=str(path), timeout=timeout, progress=progress,
                           disabled=disabled, budget=budget, started=started, given=as_given(network))


def check_text(text: str, kind: str = "markdown", *, name: str = "<text>",
               timeout: Optional[float] = DEFAULT_TIMEOUT, progress: Optional[Progress] = None,
               disabled: Sequence[str] = (), budget: Optional[float] = None) -> DocumentResult:
    """Check a document given as text of ``kind`` (see :data:`symbackprop.latex.extract.KINDS`)."""
    return check_fragments(extract(text, kind), name=name, timeout=timeout, progress=progress,
                           disabled=disabled, budget=budget)


def check_claim(latex: str, *, timeout: Optional[float] = DEFAULT_TIMEOUT) -> list[ClaimResult]:
    """Check one LaTeX relation as a one-line document (a chain ``a = b = c`` gives a result
    per step; a first side nothing defines, ``δ_k = y_k − t_k``, is a definition, as in a
    document).  Raises :class:`ParseError` when the text cannot be read or holds no relation."""
    options = _options(timeout)
    frag = Fragment(latex, 1, 1 + latex.count("\n"), True, None)
    reading = read_fragment(frag, options.timeout)
    if reading.parsed is None:
        raise ParseError(reading.unparsed[0]["reason"] if reading.unparsed else f"cannot read {latex!r}")
    if reading.unparsed:
        raise ParseError(f"cannot read the row {reading.unparsed[0]['source']!r}: {reading.unparsed[0]['reason']}")
    if not any(c.ops for c in reading.parsed.chains):
        raise ParseError(f"no relation in {latex!r}: write a claim such as a = b")
    return list(Checker([reading], options, FUNCTION_LETTERS).run())
