"""What the checker reports: one :class:`ClaimResult` per step, one :class:`DocumentResult`
per document, and the exit code of ``symbackprop check`` (DESIGN.md, "Check results")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..verdict import Status

#: Categories of inconclusive steps, most telling first (a step reports the first that applies).
CATEGORIES = ("definition", "redefinition", "condition", "assumption", "notation", "loose", "undefined",
              "dependence", "later", "function", "vector", "needs Σ t = 1", "bounds", "rounding", "ellipsis",
              "domain", "letters", "kronecker", "unparsed row", "approximation", "inequality", "relation",
              "update rule", "declaration", "follows", "unsupported", "timed out", "no proof")

@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one step of one relation chain of a document."""

    line: int
    end_line: int
    source: str
    chain: int
    step: int
    relation: str
    statement: str
    status: str
    reason: str = ""
    category: str = ""
    method: str = ""
    witness: Optional[dict] = None
    expected: Optional[str] = None
    seconds: float = 0.0
    fragment_line: int = 0   # the first line of the display the step stands in
    section: tuple = ()      # the heading path of the section it stands in

    def to_json(self) -> dict[str, Any]:
        """The claim as docs/contracts.md has it: ``line`` is the line of the step's row."""
        return {"line": self.line, "end_line": self.end_line, "fragment_line": self.fragment_line or self.line,
                "section": list(self.section), "source": self.source,
                "chain": self.chain, "step": self.step, "relation": self.relation,
                "statement": self.statement, "status": self.status, "reason": self.reason,
                "category": self.category, "method": self.method, "witness": self.witness,
                "expected": self.expected}


@dataclass(frozen=True)
class DocumentResult:
    """Every claim of a document, the fragments that could not be read, and the counts."""

    file: str
    fragments: int
    parsed: int
    claims: tuple[ClaimResult, ...]
    unparsed: tuple[dict, ...] = ()   # fragments and rows that could not be read (line, source, reason)
    seconds: float = 0.0
    rows: int = 0                     # rows read (of the fragments that parsed) plus rows that were not

    def count(self, status: str) -> int:
        return sum(1 for c in self.claims if c.status == status)

    def summary(self) -> dict[str, Any]:
        """Fragments found and parsed; claims proved, refuted, inconclusive (by reason)."""
        by_reason: dict[str, int] = {}
        for c in self.claims:
            if c.status == Status.INCONCLUSIVE.value:
                by_reason[c.category] = by_reason.get(c.category, 0) + 1
        order = {c: n for n, c in enumerate(CATEGORIES)}
        by_reason = dict(sorted(by_reason.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
        proved_, refuted_ = self.count("proved"), self.count("refuted")
        return {"fragments": self.fragments, "parsed": self.parsed,
                "unparsed": self.fragments - self.parsed, "rows": self.rows,
                "unparsed_rows": len(self.unparsed) - (self.fragments - self.parsed), "claims": len(self.claims),
                "proved": proved_, "refuted": refuted_, "inconclusive": self.count("inconclusive"),
                "decided": proved_ + refuted_, "inconclusive_by_reason": by_reason,
                "seconds": round(self.seconds, 3)}

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "claims": [c.to_json() for c in self.claims],
                "summary": self.summary(), "unparsed": list(self.unparsed)}


def exit_code(results: Iterable[DocumentResult]) -> int:
    """DESIGN.md for ``check``: 1 something refuted, 0 no erratum found (something decided),
    3 nothing could be decided (inconclusive only, or no claims at all)."""
    statuses = {c.status for r in results for c in r.claims}
    if "refuted" in statuses:
        return 1
    return 0 if "proved" in statuses else 3
