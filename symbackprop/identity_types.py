"""What an identity of the catalog is: a statement lhs = rhs under assumptions, a proof as a
chain of steps (each with the rule that licenses it), facts the statement rests on and
premises taken as given.  The entries are in :mod:`symbackprop.identities`; proving them is
:mod:`symbackprop.identity_proofs`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .printing import latex
from .prover.claim import sort_assumptions


@dataclass(frozen=True)
class ProofStep:
    """One link of the chain: the expression reached and the rule that gives it."""

    expr: sp.Expr
    rule: str
    note: str = ""

    @property
    def latex(self) -> str:
        return latex(self.expr)


@dataclass(frozen=True)
class Fact:
    """A further claim the statement rests on: lhs = rhs, or lhs ≥ 0 (``kind="nonnegative"``)."""

    title: str
    lhs: sp.Expr
    rhs: sp.Expr = sp.Integer(0)
    kind: str = "equal"


@dataclass(frozen=True)
class Identity:
    """A named identity: statement, assumptions, proof steps, facts and premises (rules taken as given)."""

    name: str
    title: str
    statement_latex: str
    lhs: sp.Expr
    rhs: sp.Expr
    assumptions: tuple = ()
    steps: tuple[ProofStep, ...] = ()
    ranges: tuple[tuple[sp.Symbol, tuple[sp.Expr, sp.Expr]], ...] = ()
    facts: tuple[Fact, ...] = ()
    premises: tuple[str, ...] = ()
    notation: tuple[str, ...] = ()  # keys of the report's sentences naming its symbols (proofs.notation)

    @property
    def assumptions_latex(self) -> tuple[str, ...]:
        return tuple(latex(a) for a in self.assumptions)

    @property
    def essential_assumptions(self) -> tuple:
        """The assumptions that are not definitions (Σ t = 1, u ≠ 0): without them the claim fails."""
        kinds = sort_assumptions(self.assumptions)
        defs = set(kinds.definitions)
        return tuple(a for a in self.assumptions if (a.lhs, a.rhs) not in defs)

    @property
    def definitions(self) -> tuple:
        return tuple(a for a in self.assumptions if a not in self.essential_assumptions)

    @property
    def step_table(self) -> tuple[tuple[str, str], ...]:
        """(LaTeX, rule name) per step."""
        return tuple((s.latex, s.rule) for s in self.steps)

    def chain(self) -> list[tuple[sp.Expr, sp.Expr, str]]:
        """The links (from, to, rule) that together prove lhs = rhs."""
        exprs = [self.lhs] + [s.expr for s in self.steps]
        links = [(exprs[n], exprs[n + 1], self.steps[n].rule) for n in range(len(self.steps))]
        if not self.steps or self.steps[-1].expr != self.rhs:
            links.append((exprs[-1], self.rhs, "statement"))
        return links
