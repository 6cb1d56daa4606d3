"""Verdicts: proved, refuted with a witness, or inconclusive with a reason — never a guess.

Shared by the verifier, the prover and the document checker.  JSON field names
follow DESIGN.md: ``status``, ``reason``, ``witness``, ``expected`` (plus ``method``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional


class Status(str, Enum):
    """The three possible outcomes of a check."""

    PROVED = "proved"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Witness:
    """Values of every free symbol at which the two sides differ, and both sides' values."""

    values: dict[str, str]
    lhs: str
    rhs: str
    difference: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"values": dict(self.values), "lhs": self.lhs, "rhs": self.rhs,
                "difference": self.difference}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    ``method`` says how it was decided (e.g. "symbolic (all sizes)",
    "exact at sizes (3, 4, 2)", "randomized exact, error ≤ 1e-30").  A refuted
    verdict must carry a witness; an inconclusive one a reason.
    """

    status: Status
    reason: str = ""
    method: str = ""
    witness: Optional[Witness] = None
    expected: Optional[str] = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if self.status is Status.REFUTED and self.witness is None:
            raise ValueError("a refuted verdict needs a witness")
        if self.status is Status.INCONCLUSIVE and not self.reason:
            raise ValueError("an inconclusive verdict needs a reason")

    @property
    def proved(self) -> bool:
        return self.status is Status.PROVED

    @property
    def refuted(self) -> bool:
        return self.status is Status.REFUTED

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "reason": self.reason,
            "method": self.method,
            "witness": self.witness.to_json() if self.witness else None,
            "expected": self.expected,
        }


def proved(method: str, reason: str = "") -> Verdict:
    """A proof, saying how it was obtained."""
    return Verdict(Status.PROVED, reason=reason, method=method)


def refuted(witness: Witness, method: str, reason: str = "", expected: Optional[str] = None) -> Verdict:
    """A disproof with its counterexample."""
    return Verdict(Status.REFUTED, reason=reason, method=method, witness=witness, expected=expected)


def inconclusive(reason: str, method: str = "") -> Verdict:
    """Neither proved nor refuted, and why."""
    return Verdict(Status.INCONCLUSIVE, reason=reason, method=method)


def exit_code(verdicts) -> int:
    """DESIGN.md exit codes: 0 all proved, 1 something refuted, 3 inconclusive only."""
    statuses = {v.status for v in verdicts}
    if Status.REFUTED in statuses:
        return 1
    if Status.INCONCLUSIVE in statuses:
        return 3
    return 0
