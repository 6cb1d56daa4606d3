"""Last preparations of a step: every quantity real, logarithms of positive products split,
primed summation letters sharing their range, and the sizes of sums written without bounds."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import sympy as sp

from .derivatives import NONSMOOTH
from .names import is_opaque, is_quantity, key


def one_sided_unknowns(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """An unknown derivative on one side only: the step cannot be proved (it would have to cancel)."""
    def unknowns(e):
        return {a for a in e.atoms(sp.Indexed, sp.Symbol) if is_opaque(a)}
    return unknowns(lhs) != unknowns(rhs)


def realify(exprs: Sequence[sp.Basic]) -> tuple[list[sp.Basic], list[str]]:
    """Every quantity real; the bare factors of log arguments positive (where logs are real).
    Returns the expressions and the names taken positive."""
    bases, syms = set(), set()
    for e in exprs:
        bases |= e.atoms(sp.IndexedBase)
        syms |= {s for s in e.atoms(sp.Symbol) if is_quantity(s)}
    labels = {b.label for b in bases}
    positive: set = set()
    if not any(e.atoms(*NONSMOOTH) for e in exprs):
        for e in exprs:
            for lg in e.atoms(sp.log):
                for f in sp.Mul.make_args(lg.args[0]):
                    f = f.base if isinstance(f, sp.Pow) else f
                    if isinstance(f, (sp.Symbol, sp.Indexed)):
                        positive.add(key(f))
    def assume(name: str) -> dict:
        return {"positive": True} if name in positive else {"real": True}
    bmap = {b: sp.IndexedBase(str(b.label), **assume(str(b.label))) for b in bases}
    smap = {s: sp.Symbol(s.name, **assume(s.name)) for s in syms if s not in labels}
    return [e.xreplace(bmap).xreplace(smap) for e in exprs], sorted(positive)


def domain_note(positive: Sequence[str]) -> str:
    """What a verdict on a step with logarithms rests on: the names :func:`realify` took positive."""
    return f"; for {', '.join(positive)} > 0, where the logarithms are real" if positive else ""


def split_log(arg: sp.Expr) -> sp.Expr:
    """log(ab) = log a + log b, log(aᵖ) = p log a for positive a, b; log(eˣ) = x for real x."""
    if isinstance(arg, sp.exp) and arg.args[0].is_extended_real:
        return arg.args[0]
    if arg.is_Mul and all(p.is_positive for p in arg.args):
        return sp.Add(*(split_log(p) for p in arg.args))
    if arg.is_Pow and arg.base.is_positive and arg.exp.is_extended_real:
        return arg.exp * split_log(arg.base)
    return sp.log(arg)


def expand_logs(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: split_log(e.args[0]))


def primed_sizes(expr: sp.Expr) -> sp.Expr:
    """Σ_{k'} without bounds runs like Σ_k: ``n_{k'}`` → ``n_{k}``."""
    mapping = {}
    for s in expr.free_symbols:
        m = re.fullmatch(r"n_\{([A-Za-z])'+\}", getattr(s, "name", ""))
        if m:
            mapping[s] = sp.Symbol(f"n_{{{m.group(1)}}}", **s.assumptions0)
    return expr.xreplace(mapping) if mapping else expr


def implicit_sizes(exprs: Iterable[sp.Expr]) -> set:
    return {s for e in exprs for s in e.free_symbols if re.fullmatch(r"n_\{.+\}", getattr(s, "name", ""))}
