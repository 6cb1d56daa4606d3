r"""A document that writes every per-example quantity with the example's index, read at one example.

Notes on mini-batches often carry the example's index on every quantity of the forward and
backward pass and never write a one-example form::

    u^{(l)}_{nj} = Σ_i y^{(l-1)}_{ni} w^{(l)}_{ij} + b^{(l)}_j,    E = ½ Σ_{n=1}^{N} Σ_k (y^{(L)}_{nk} − t_{nk})².

Such a document is read at one example (:func:`one_example`): the example's index is dropped
from every quantity it indexes (``u^{(l)}_{nj} → u^{(l)}_j``) and a sum over the batch becomes its
term (``Σ_{n=1}^{N} y_{ni} δ_{nj} → y_i δ_j``); factors of the batch size (``1/N``) stay.

*Why that decides the step* (the rule of :func:`.batches.per_example_claim`, for every step at
once): the examples share the parameters and each one's quantities are computed alike, so a
step each of whose sides is one example's (the same free ``n``) or ``c Σ_n`` of one example's
terms holds for every batch iff it holds at one example with the factors kept:
``c_L Σ_n f(x_n) = c_R Σ_n g(x_n)`` for all batches ⟺ ``c_L f(x) = c_R g(x)`` for every example
``x`` (⟸ term by term; ⟹ a batch of ``N`` equal examples).  A derivative by one example's
quantity reaches that example's terms only (``∂E/∂u_{nj} = c ∂E_n/∂u_{nj}``), one by a shared
parameter all of them (``∂E/∂w = c Σ_n ∂E_n/∂w``): both are read at one example alike.

*Guards* (a chain that fails one is left as written, and the walk reads it so — the index
discipline refutes ``∂E/∂w_{ij} = y_{ni} δ_{nj}``, free ``n`` on one side only):

* the example's letter ``n`` is found from the document's loss ``E = c Σ_{n=1}^{N} …`` whose terms
  hold quantities indexed by ``n`` at one position (first or last) of two or more indices, and
  every quantity the document indexes with ``n`` has it at that position;
* in a chain, every member has ``n`` free or none has (one example's, or totals and parameters);
  a member that holds the examples (one example's quantities, a sum over them or the batch's loss)
  beside one that holds none (but 0) is left as written (``Σ_n f(x_n) = g`` is no one-example claim);
* a sum over the batch stands where the member is linear in it (terms, factors free of it,
  a derivative of it, another sum) — ``(Σ_n f)²`` is not ``f²`` at one example;
* after the rewrite no ``n`` is left.

A document that states its batch loss as ``E = c Σ_n E_n`` reads ``E = c E_{n}``, with ``E_{n}``
one symbol for the loss of one example (its definition ``E_n = ½ Σ_j (y_{jn} − t_{jn})²`` read at
one example): ``∂E/∂w`` is then ``c ∂E_{n}/∂w``, the factor in ``E`` itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import sympy as sp

from ..latex.patterns import MatrixProduct
from .batches import DELTA, BatchLoss, batch_total
from .components import BOLD_NAME
from .labels import split


@dataclass(frozen=True)
class ExampleIndex:
    """The examples of a batch: letter ``n`` (1 … ``size``) at index ``position`` (0 or −1) of the
    per-example quantities; ``loss``: the batch's loss as stated (its factor 1 when the document's
    own ``E`` holds it)."""

    letter: sp.Symbol
    size: sp.Expr
    position: int
    loss: BatchLoss
    holders: frozenset = frozenset()  # the letters of the quantities the example's index indexes (y, δ, t)


def _chains(readings) -> Iterable:
    for r in readings:
        yield from getattr(r.parsed, "chains", ()) if r.parsed is not None else ()


def _positions(exprs: Iterable[sp.Basic], n: sp.Symbol) -> set:
    """Where ``n`` stands among the indices of the quantities of two or more indices that hold it."""
    out: set = set()
    for e in exprs:
        for x in e.atoms(sp.Indexed) if isinstance(e, sp.Basic) else ():
            if len(x.indices) >= 2 and n in x.indices:
                out |= {0 if x.indices[0] == n else -1 if x.indices[-1] == n else 1}
    return out


def _candidates(e: sp.Basic) -> list:
    """The letters of the sums in ``e`` that run from 1: (n, N)."""
    return list(dict.fromkeys((lim[0], lim[2]) for s in e.atoms(sp.Sum) for lim in s.limits
                              if lim[1] == 1 and isinstance(lim[0], sp.Symbol)))


def example_index(readings: Sequence) -> Optional[ExampleIndex]:
    """The document's examples (see the module docstring), or None."""
    chains = list(_chains(readings))
    everything = [e for c in chains for e in c.exprs if isinstance(e, sp.Basic)]
    for chain in chains:
        exprs = chain.exprs
        if len(exprs) < 2 or not chain.ops or chain.ops[0] != "=" or not isinstance(exprs[0], sp.Symbol) \
                or not isinstance(exprs[1], sp.Expr):
            continue
        stated = batch_total(exprs[0], exprs[1])
        inside = [exprs[1]] + ([d.rhs for d in _definitions_of(chains, stated.term)] if stated is not None else [])
        for n, size in _candidates(exprs[1]):
            where = _positions(inside, n)
            if len(where) != 1 or 1 in where or _positions(everything, n) != where \
                    or getattr(size, "name", "") == f"n_{{{n}}}" or not _always(everything, n, min(where)):
                continue
            # the factor is 1: read at one example, the document's own E holds it (E = c E_{n})
            loss = BatchLoss(exprs[0], sp.Integer(1), n, size, 0, stated.term if stated is not None else None, True)
            return ExampleIndex(n, size, where.pop(), loss, _holders(everything, n))
    return None


def _always(exprs: Sequence, n: sp.Symbol, position: int) -> bool:
    """Is every quantity that holds ``n`` written with ``n`` at ``position`` wherever it stands
    (``y_{nj}``, ``y_{ni}``: the example's index; not ``w_{jk}`` beside ``w_{ij}``, a unit's)?"""
    holders = _holders(exprs, n)
    return all(x.indices[position] == n for e in exprs for x in e.atoms(sp.Indexed)
               if _letter(x.base.label) in holders and len(x.indices) >= 2)


def _letter(name: sp.Basic) -> str:
    """``w`` of ``w^{(l+1)}`` and of ``w^{(l)}``: one quantity at two layers."""
    name = str(name)
    return (split(name) or (name,))[0]


def _holders(exprs: Sequence, n: sp.Symbol) -> frozenset:
    return frozenset(_letter(x.base.label) for e in exprs for x in e.atoms(sp.Indexed)
                     if len(x.indices) >= 2 and n in x.indices)


def _definitions_of(chains, term: sp.Basic) -> list:
    out = []
    for c in chains:
        if len(c.exprs) >= 2 and c.exprs[0] == term and isinstance(c.exprs[1], sp.Basic):
            out.append(sp.Eq(term, c.exprs[1], evaluate=False))
    return out


class _Unreadable(Exception):
    pass


def _holds_examples(e: sp.Basic, ix: ExampleIndex) -> bool:
    """Does ``e`` hold the examples: one example's quantity, a sum over them, the batch's loss, or a
    batch matrix (``Y^{l-1}`` beside ``y^{l-1}_{ni}``, ``Δ^{l}`` beside ``δ^{l}_{nj}``)?"""
    n = ix.letter
    matrices = {s for s in e.free_symbols if _letter(s.name)[:1].isupper()
                and _letter(s.name)[:1].lower() + _letter(s.name)[1:] in ix.holders}
    patterns = any(BOLD_NAME.search(str(x.base.label)) for x in e.atoms(sp.Indexed))  # (y_1 ⋯ y_N)
    return e.has(n) or (isinstance(ix.loss.name, sp.Symbol) and e.has(ix.loss.name)) or bool(matrices) or patterns


def _rewrite(e: sp.Basic, ix: ExampleIndex, linear: bool = True) -> sp.Basic:
    n = ix.letter
    if isinstance(e, sp.Sum) and any(lim[0] == n for lim in e.limits):
        if not linear or len([lim for lim in e.limits if lim[0] == n]) != 1:
            raise _Unreadable("a sum over the batch where the side is not linear in it")
        (lim,) = [lim for lim in e.limits if lim[0] == n]
        if lim[1] != 1:
            raise _Unreadable("a sum over part of the batch")
        others = [x for x in e.limits if x[0] != n]
        body = _rewrite(e.function, ix, True)
        return sp.Sum(body, *others) if others else body
    if isinstance(e, sp.Indexed) and n in e.indices:
        return _quantity(e, ix)
    if isinstance(e, sp.KroneckerDelta) and n in e.args:
        other = [a for a in e.args if a != n]
        if len(other) != 1:
            raise _Unreadable("a Kronecker delta of two examples")
        return DELTA[other[0]]  # δ_{nj}: example n's error signal, never a delta of an example and a unit
    if not e.args or isinstance(e, (sp.IndexedBase, sp.Symbol)):
        return e
    if isinstance(e, sp.Derivative):
        return sp.Derivative(_rewrite(e.expr, ix, linear), *[(_rewrite(v, ix, False), k) for v, k in e.variable_count])
    if isinstance(e, sp.Add) or (isinstance(e, sp.Sum)):
        keep = linear
    elif isinstance(e, (sp.Mul, MatrixProduct)):  # (written order: the same product)
        keep = linear and sum(_has_batch_sum(a, n) for a in e.args) <= 1
    else:
        keep = False
    return e.func(*(_rewrite(a, ix, keep) for a in e.args))


def _has_batch_sum(e: sp.Basic, n: sp.Symbol) -> bool:
    return any(any(lim[0] == n for lim in s.limits) for s in e.atoms(sp.Sum))


def _quantity(e: sp.Indexed, ix: ExampleIndex) -> sp.Basic:
    """``y_{nj} → y_j``; ``E_n → E_{n}`` (one symbol: the loss of one example, so that the batch's
    ``E = c Σ_n E_n`` reads ``E = c E_{n}``); ``\\mathbf{y}_n → \\mathbf{y}``."""
    idx = e.indices
    if len(idx) == 1:
        name = str(e.base.label)
        if BOLD_NAME.search(name):
            return sp.Symbol(name)
        if e.base == getattr(ix.loss.term, "base", None):
            return sp.Symbol(f"{name}_{{{ix.letter}}}")
        raise _Unreadable(f"{name} indexed by the example alone")
    if idx[ix.position] != ix.letter or list(idx).count(ix.letter) != 1:
        raise _Unreadable("the example's index in another place")
    kept = [i for k, i in enumerate(idx) if k != (ix.position % len(idx))]
    return e.base[tuple(kept)]


def one_example(exprs: Sequence, ix: ExampleIndex) -> Optional[tuple]:
    """The members of a chain read at one example, or None where a guard of the module docstring
    keeps the chain as written."""
    present = [e for e in exprs if isinstance(e, sp.Basic)]
    if not any(e.has(ix.letter) for e in present):
        return None
    free = {_free_example(e, ix.letter) for e in present}
    if len(free) != 1:
        return None
    holds = {_holds_examples(e, ix) for e in present if e != 0}
    if len(holds) != 1:
        return None
    size = {s: sp.Symbol(s.name, integer=True, positive=True) for e in present for s in e.free_symbols
            if s.name == str(ix.size)}  # 1/N: the batch's size (a sum over it is gone), a number
    try:
        out = tuple(_rewrite(e, ix).xreplace(size) if isinstance(e, sp.Basic) else e for e in exprs)
    except (_Unreadable, TypeError, ValueError):
        return None
    if any(isinstance(e, sp.Basic) and e.has(ix.letter) for e in out):
        return None
    return out


def _free_example(e: sp.Basic, n: sp.Symbol) -> bool:
    bound = {lim[0] for s in e.atoms(sp.Sum) for lim in s.limits}
    return n in e.free_symbols or (n not in bound and e.has(n))


def at_one_example(readings: Sequence, ix: Optional[ExampleIndex]) -> list:
    """The readings with every chain that can be read at one example so read (see the module docstring)."""
    if ix is None:
        return list(readings)
    out = []
    for r in readings:
        if r.parsed is None:
            out.append(r)
            continue
        out.append(dataclasses.replace(r, parsed=rewritten(r.parsed, ix)))
    return out


def rewritten(parsed, ix: Optional[ExampleIndex]):
    """``parsed`` with its chains read at one example where they can be."""
    if ix is None or parsed is None:
        return parsed
    chains = []
    for c in parsed.chains:
        new = one_example(c.exprs, ix)
        chains.append(dataclasses.replace(c, exprs=type(c.exprs)(new)) if new is not None else c)
    return dataclasses.replace(parsed, chains=tuple(chains))


def batch_of_defined(ix: Optional[ExampleIndex], table, a: sp.Symbol) -> bool:
    """``Δ^{(l)}`` in a document read at one example whose ``δ^{(l)}_j`` are defined: the batch matrix
    of those entries, so ``Δ^{(l)} = …`` is a claim about them, not a new definition."""
    from .component_facts import entries_defined

    lower = sp.Symbol(a.name[:1].lower() + a.name[1:])
    return ix is not None and a.name[:1].isupper() and entries_defined(table, lower)
