"""Proving the catalog (:mod:`symbackprop.identities`): an identity's statement, every step of
its proof and every fact, each decided by :func:`symbackprop.prove.prove`; the identity is
proved when its statement is and every part is."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Optional

import sympy as sp

from .identities import IDENTITIES, identity
from .identity_types import Identity
from .printing import latex
from .prove import prove, prove_nonnegative
from .verdict import Verdict, inconclusive, proved

#: Seconds per claim (statement, each step, each fact) when proving the catalog.
CATALOG_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One checked part of a proof: a step (rule) or a fact, and its verdict."""

    label: str
    latex: str
    verdict: Verdict


def _prove(ident: Identity, lhs: sp.Expr, rhs: sp.Expr, timeout: float) -> Verdict:
    return prove(lhs, rhs, assumptions=ident.assumptions, ranges=dict(ident.ranges) or None, timeout=timeout)


def check_parts(ident: Identity, timeout: float = CATALOG_TIMEOUT) -> tuple[Check, ...]:
    """Every step of the chain and every fact, each decided by the prover."""
    out = [Check(rule, latex(b), _prove(ident, a, b, timeout)) for a, b, rule in ident.chain()]
    for f in ident.facts:
        v = (prove_nonnegative(f.lhs, timeout=timeout) if f.kind == "nonnegative"
             else _prove(ident, f.lhs, f.rhs, timeout))
        out.append(Check("fact", f.title, v))
    return tuple(out)


def _combine(statement: Verdict, parts: tuple[Check, ...]) -> Verdict:
    """The identity's verdict: the statement's, provided every step and fact is proved."""
    bad = [(n, c) for n, c in enumerate(parts, 1) if not c.verdict.proved]
    if statement.refuted:
        return statement
    if not bad:
        steps = sum(1 for c in parts if c.label != "fact")
        facts = len(parts) - steps
        extra = f"; {steps} proof steps checked" + (f", {facts} facts proved" if facts else "")
        if statement.proved:
            return replace(statement, method=statement.method + extra)
        links = "; ".join(sorted({c.verdict.method for c in parts}))
        return proved(f"chain of checked steps ({links})")
    n, c = bad[0]
    what = f"part {n} ({c.label}) is {c.verdict.status.value}: {c.verdict.reason or c.verdict.method}"
    if statement.proved:
        return inconclusive(f"the statement is proved ({statement.method}) but {what}", method=statement.method)
    return inconclusive(f"{statement.reason}; {what}", method=statement.method)


def prove_identity(name: str, timeout: float = CATALOG_TIMEOUT) -> Verdict:
    """Prove the named identity and every step of its proof; details hold the per-part verdicts."""
    return prove_entry(identity(name), timeout)


def prove_entry(ident: Identity, timeout: float = CATALOG_TIMEOUT) -> Verdict:
    """Prove an entry, in the catalog or freshly built (e.g. ``sigmoid_derivative()`` after
    a registry change), and every step of its proof."""
    start = time.monotonic()
    statement = _prove(ident, ident.lhs, ident.rhs, timeout)
    parts = check_parts(ident, timeout)
    v = _combine(statement, parts)
    details = dict(v.details)
    details.update(statement=statement, parts=parts, seconds=round(time.monotonic() - start, 3))
    return replace(v, details=details)


def prove_all(timeout: float = CATALOG_TIMEOUT, names: Optional[list[str]] = None) -> dict[str, Verdict]:
    """Every identity in the catalog (or the named ones), in catalog order."""
    return {name: prove_identity(name, timeout) for name in (names or list(IDENTITIES))}
