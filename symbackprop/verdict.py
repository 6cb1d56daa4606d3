"""Verdicts: proved, refuted with a witness, or inconclusive with a reason — never a guess.

Shared by the verifier, the prover and the document checker.  JSON field names
follow docs/contracts.md ("Verdicts"): ``status``, ``reason``, ``witness``, ``expected`` (plus ``method``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Optional

_LATEX_SPECIALS = {"\\": r"\backslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%",
                   "#": r"\#", "&": r"\&", "$": r"\$", "^": r"\hat{}", "~": r"\sim{}"}


def one_line(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut with … after ``limit`` characters (for short reprs)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def latex_text(text: str) -> str:
    """``text`` as a LaTeX ``\\text{…}`` group (special characters escaped, for ``_repr_latex_``)."""
    return r"\text{" + "".join(_LATEX_SPECIALS.get(ch, ch) for ch in str(text)) + "}"


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

    def __repr__(self) -> str:
        at = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return f"<Witness {one_line(at, 60)}: lhs {one_line(self.lhs, 20)} ≠ rhs {one_line(self.rhs, 20)}>"


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

    def summary(self) -> str:
        """One line: the status, then how (proved) or why (refuted, inconclusive)."""
        said = self.method if self.proved else (self.reason or self.method)
        if self.witness is not None:
            said += ("; " if said else "") + "witness " + ", ".join(
                f"{k}={v}" for k, v in self.witness.values.items())
        return f"{self.status.value}: {said}" if said else self.status.value

    def __repr__(self) -> str:
        return f"<Verdict {one_line(self.summary())}>"

    def _repr_latex_(self) -> str:
        head = rf"\textbf{{{self.status.value}}}"
        said = self.method if self.proved else (self.reason or self.method)
        rows = [head + (r"\ " + latex_text(f"({said})") if said else "")]
        if self.witness is not None:
            at = ", ".join(f"{k} = {v}" for k, v in self.witness.values.items())
            rows.append(latex_text(f"witness: {at}; lhs = {self.witness.lhs}, rhs = {self.witness.rhs}"))
        if self.expected:
            rows.append(latex_text(f"expected: {self.expected}"))
        return "$" + r" \\ ".join(rows) + "$" if len(rows) == 1 else \
            r"$\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}$"

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


def exit_code_of(statuses: Iterable[str], *, some_proved_suffices: bool = False, complete: bool = True) -> int:
    """The one exit-code policy (docs/contracts.md): 1 something refuted; 3 the work was not
    complete (``complete`` False: a budget ran out); then, for ``check``
    (``some_proved_suffices``: a document's undecided claims are expected), 0 when anything
    was proved and 3 when nothing was; otherwise 3 when anything is inconclusive, else 0."""
    statuses = set(statuses)
    if "refuted" in statuses:
        return 1
    if not complete:
        return 3
    if some_proved_suffices:
        return 0 if "proved" in statuses else 3
    return 3 if "inconclusive" in statuses else 0


def exit_code(verdicts) -> int:
    """The exit code of a set of verdicts: 0 all proved, 1 something refuted, 3 inconclusive only."""
    return exit_code_of(v.status.value for v in verdicts)


# ── for result types that hold many verdicts (VerificationReport) ──────────────
def report_repr(report: Any) -> str:
    """A short repr of a verification report (``title``, ``sizes``, ``checks``, ``verdict``,
    ``seconds``): ``<VerificationReport 'Regression…': proved, 24 entries at sizes (3, 2, 3) in 1.2 s>``."""
    name = type(report).__name__
    return (f"<{name} {one_line(repr(report.title), 40)}: {report.verdict.status.value}, "
            f"{len(report.checks)} entries at sizes {tuple(report.sizes)} in {report.seconds:.1f} s>")


def report_latex(report: Any) -> str:
    """``_repr_latex_`` of a verification report: one row per layer and quantity with its verdict."""
    groups: dict[tuple, list] = {}
    for c in report.checks:
        groups.setdefault((c.layer, c.quantity), []).append(c.verdict.status)
    rows = [r"\text{layer} & \text{quantity} & \text{entries} & \text{verdict} \\ \hline"]
    for (layer, quantity), statuses in groups.items():
        worst = next(s for s in (Status.REFUTED, Status.INCONCLUSIVE, Status.PROVED) if s in statuses)
        rows.append(rf"{layer} & {latex_text(quantity)} & {len(statuses)} & {latex_text(worst.value)} \\")
    title = latex_text(f"{report.title or 'verification'}: {report.verdict.status.value}, "
                       f"{len(report.checks)} entries at sizes {tuple(report.sizes)}")
    return (r"$\begin{array}{l}" + title + r" \\ \begin{array}{rlrl}" + " ".join(rows)
            + r"\end{array}\end{array}$")
