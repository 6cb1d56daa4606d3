"""What a step comes to when it is not decided: the relations that are never checked, and the
undecided verdict classified by its real cause (a time-out first, then the rest)."""

from __future__ import annotations

from ..verdict import Verdict
from .guards import Outcome, open_

EXPLICIT_DEFINING_OPS = frozenset({":=", r"\equiv"})
UNCHECKED_OPS = {
    r"\approx": ("approximation", "an approximation (≈) is not checked"),
    r"\simeq": ("approximation", "an approximation (≃) is not checked"),
    r"\propto": ("relation", "a proportionality (∝) is not checked"),
    "<": ("inequality", "an inequality is not checked"),
    ">": ("inequality", "an inequality is not checked"),
    r"\le": ("inequality", "an inequality is not checked"),
    r"\ge": ("inequality", "an inequality is not checked"),
    r"\neq": ("condition", "an inequation (≠) states a condition; not checked"),
    r"\leftarrow": ("update rule", "an update rule (←) is an assignment, not a claim"),
    r"\in": ("declaration", "a membership (∈) declares a set or a shape; not checked"),
}


def timed_out(v: Verdict) -> bool:
    return "timed out" in v.reason or "time limit" in v.reason


def undecided(v: Verdict) -> Outcome:
    """An undecided verdict by its real cause: a time-out, an unsupported claim, a kink (the
    document's domain), else no proof found."""
    reason = v.reason
    if timed_out(v):
        return open_("timed out", reason, v.method)
    if reason.startswith("unsupported"):
        return open_("unsupported", reason, v.method)
    if "at the kink" in reason:  # a derivative that does not exist there: the document's domain
        return open_("domain", reason, v.method)
    return open_("no proof", reason, v.method)


def first_report(seen: dict, formula: tuple, line: int, out: Outcome) -> Outcome:
    """A formula repeated verbatim (a pop-up or margin copy) is reported at its first place;
    its copies refer to it.  ``seen`` maps (formula, step) to the line first refuted."""
    if out.status != "refuted":
        return out
    first = seen.setdefault(formula, line)
    if first == line:
        return out
    return open_("follows", f"the same formula as at line {first}, refuted there", out.method)


def of_bounded_run(res, seconds: float, phase: str) -> Outcome:
    """The outcome of a step run under its time bound (``prover.runner.inline``): its own, or
    *timed out* (with the phase it was in), or *unsupported* (with the error's first line)."""
    if res.timed_out:
        return open_("timed out", f"timed out after {seconds:g} s while {phase}")
    if res.error:
        if res.error.startswith("UnsupportedClaim"):
            return open_("unsupported", "unsupported claim: " + res.error.split(": ", 1)[-1])
        return open_("unsupported", f"cannot check this step ({res.error.splitlines()[0][:160]})")
    return res.value
