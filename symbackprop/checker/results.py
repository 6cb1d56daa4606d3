"""What the checker reports: one :class:`ClaimResult` per step, one :class:`DocumentResult`
per document, and the exit code of ``symbackprop check`` (docs/contracts.md, "Check results")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..verdict import Status, exit_code_of, latex_text, one_line

#: Categories of inconclusive steps, most telling first (a step reports the first that applies).
CATEGORIES = ("definition", "redefinition", "condition", "assumption", "notation", "loose", "undefined",
              "dependence", "later", "function", "vector", "needs Σ t = 1", "bounds", "rounding", "ellipsis",
              "domain", "letters", "kronecker", "unparsed row", "approximation", "inequality", "relation",
              "update rule", "recursion", "declaration", "follows", "unsupported", "timed out", "no proof")

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

    def __repr__(self) -> str:
        why = f" ({self.category or one_line(self.reason, 40)})" if self.status != "proved" and \
            (self.category or self.reason) else ""
        return f"<ClaimResult line {self.line} {self.status}{why}: {one_line(self.source or self.statement, 70)}>"

    def _repr_latex_(self) -> str:
        said = [self.status] + [x for x in (self.category, self.reason) if x and self.status != "proved"]
        row = rf"\displaystyle {self.statement or self.source} \quad {latex_text('(' + ': '.join(said) + ')')}"
        if self.witness:
            at = ", ".join(f"{k} = {v}" for k, v in self.witness.get("values", {}).items())
            row += r" \\ " + latex_text(f"witness: {at}")
        if self.expected:
            row += r" \\ " + latex_text(f"expected: {self.expected}")
        return r"$\begin{array}{l}" + row + r"\end{array}$"


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
    unreached: tuple[dict, ...] = ()  # fragments the budget did not reach (line, source)
    budget: Optional[float] = None    # the document's time budget in seconds
    definitions: tuple = field(default=(), repr=False, compare=False)  # every definition read, in order

    def network(self):
        """The network the document describes (checker/network_model.py), read from its definitions."""
        from .network_model import infer

        return infer(self.definitions)

    def networks(self, last_line: Optional[int] = None) -> list:
        """Every network the document describes, one after another, each with the lines it
        governs up to ``last_line`` (default: the last line a claim or definition stands on)."""
        from .network_model import networks

        last = max([c.end_line for c in self.claims] + [d.line for d in self.definitions], default=1)
        return networks(self.definitions, last_line=last_line or last)

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
                "unreached": len(self.unreached), "seconds": round(self.seconds, 3)}

    def __repr__(self) -> str:
        return (f"<DocumentResult {one_line(repr(self.file), 40)}: {len(self.claims)} claims, "
                f"{self.count('proved')} proved, {self.count('refuted')} refuted, "
                f"{self.count('inconclusive')} inconclusive; {self.fragments} fragments>")

    def _repr_latex_(self) -> str:
        """One row per claim: its line, its status, the statement."""
        rows = [r"\text{line} & \text{status} & \text{statement} \\ \hline"]
        for c in self.claims:
            rows.append(f"{c.line} & {latex_text(c.status)} & {c.statement or latex_text(c.source)} \\\\")
        head = latex_text(f"{self.file}: {len(self.claims)} claims, {self.count('proved')} proved, "
                          f"{self.count('refuted')} refuted, {self.count('inconclusive')} inconclusive")
        return (r"$\begin{array}{l}" + head + r" \\ \begin{array}{rll}" + " ".join(rows)
                + r"\end{array}\end{array}$")

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "claims": [c.to_json() for c in self.claims],
                "summary": self.summary(), "unparsed": list(self.unparsed),
                "unreached": list(self.unreached), "budget": self.budget}


def exit_code(results: Iterable[DocumentResult]) -> int:
    """docs/contracts.md for ``check`` (verdict.exit_code_of): 1 something refuted, 0 no erratum found (something
    decided, every fragment reached), 3 nothing could be decided (inconclusive only, or no
    claims at all) or the budget ran out before the end of a document."""
    results = list(results)
    return exit_code_of((c.status for r in results for c in r.claims), some_proved_suffices=True,
                        complete=not any(r.unreached for r in results))
