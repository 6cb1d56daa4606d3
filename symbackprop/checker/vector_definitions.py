r"""A vector-form definition read as the definition of its entries.

``a^{l} = σ(z^{l})`` defines, entry by entry, ``a^{l}_j = σ(z^{l}_j)`` for every ``j``;
``\mathbf{y}^{L} = \operatorname{softmax}(\mathbf{u}^{L})`` defines ``y^{L}_k =
e^{u^{L}_k} / Σ_{k'} e^{u^{L}_{k'}}``.  A document that states its forward pass in vector form
and its gradients in index form (``∂C/∂w^{L}_{jk} = δ^{L}_j a^{L-1}_k``) needs the entries: the
vector name itself, kept as one number, says nothing about them (and ``w^{l} a^{l-1}`` read as
a product of two numbers would be wrong).

The entries are read by :mod:`.components` (the definition of the operations, exact for every
size).  A definition is recorded only where the reading is unambiguous: the left side is a
vector whose entries the document writes (``a^{l}_j``), nothing defines those entries yet, and
every orientation the document leaves open (a vector as a column or a row, which index of a
matrix is its row) gives the same entries — ``z^{l} = w^{l} a^{l-1} + b^{l}`` with ``w``'s
row never stated defines nothing; ``a^{l} = σ(z^{l})`` is the same under all of them.

The other half of the contract (:func:`of_another_line`): a vector definition is not a claim
about entries that only it defines.  Read entry by entry as a claim, its left side would be
compared with its own definition (proved, vacuously) or, where nothing defines the entries,
with nothing (a false alarm: ``a^{l}_j`` and ``z^{l}_j`` are free numbers, and
``a^{l}_j = σ(z^{l}_j)`` "fails" at ``a^{l}_j = 5/4``).
"""

from __future__ import annotations

from typing import Callable, Optional

import sympy as sp

from .entry_claims import index_claims, same_reading
from .names import tex

Claim = Callable[[sp.Expr, sp.Expr], object]


def entry_definition(a: sp.Symbol, b: sp.Expr, components: Callable, vectors: frozenset = frozenset(),
                     allowed: Optional[Callable[[dict], bool]] = None) -> Optional[tuple[sp.Indexed, sp.Expr]]:
    """``(a_i, b_i)``: the entry ``i`` of both sides of the vector definition ``a = b``, the same
    under every orientation ``allowed`` that fits; None where the reading is not unique, does not
    fit, or ``a`` is not a vector with entries (a matrix definition is left to the written forms)."""
    comp = components(a)
    if comp is None or len(comp.axes) != 1:
        return None
    read = [r for _choice, r in index_claims(a, b, components, vectors, allowed)]
    if not read or any(r.lhs is None for r in read):
        return None
    first = read[0]
    if not all(same_reading(first, r) for r in read[1:]):
        return None
    if not (isinstance(first.lhs, sp.Indexed) and first.lhs.base == comp.base and len(first.free) == 1
            and first.lhs.indices == first.free and not first.rhs.has(sp.Derivative)):
        return None
    return first.lhs, first.rhs


def of_another_line(claim: Claim, table, line: int) -> Claim:
    """``claim`` for the entry readings of a step recorded as a definition: an entry claim whose
    left side is an entry that nothing but this line defines is no claim (None)."""
    def entry_claim(x: sp.Expr, y: sp.Expr):
        if isinstance(x, sp.Indexed):
            lines = {d.line for d in _entry_definitions(table, x, at_label=True)}
            if not lines or line in lines:  # defined by nothing, or by this very step
                return None
        return claim(x, y)

    return entry_claim


def _entry_definitions(table, x: sp.Indexed, at_label: bool = False) -> list:
    """The definitions in force of the entries of ``x``'s name, whatever their index letter (``u^{l}_j``
    for ``u^{l}_k``); ``at_label``: a general layer's at ``x``'s label among them (a softmax output
    ``\mathbf{y}^{L}`` still defines its own entries beside the hidden layers' ``y^{l}_j = f(u^{l}_j)``)."""
    return [d for d in table.definitions(x if at_label else None)
            if isinstance(d.lhs, sp.Indexed) and d.lhs.base == x.base]


def of_vector(steps, table, frag, a: sp.Expr, b: sp.Expr) -> Optional[tuple[sp.Indexed, sp.Expr]]:
    """The entry definition of the step ``a = b`` of ``frag`` (see :func:`entry_definition`), with
    the document's components and the orientations its other vector-form definitions fix; None
    where ``a`` is no name, its entries are defined already, or the reading is not unique."""
    if not isinstance(a, sp.Symbol) or not isinstance(b, sp.Expr):
        return None
    comps = steps.components
    section = tuple(getattr(frag, "section", ()) or ())
    resolve = comps.resolver(section, table)
    comp = resolve(a)
    if comp is None or _entry_definitions(table, comp.entry(sp.Symbol("i", integer=True))):
        return None
    reading = next((r for r in steps.readings if r.fragment is frag), None)
    return entry_definition(a, b, resolve, comps.vectors, comps.allowed(section, table, reading))


def entry_note(entries: Optional[tuple]) -> str:
    """What a recorded vector definition says of its entries, as a ``; …`` clause of its reason."""
    return f"; entry by entry, {tex(entries[0])} = {tex(entries[1])}" if entries else ""


def own_vector(definitions, e: sp.Indexed) -> bool:
    """Do ``definitions`` define ``e``'s vector at ``e``'s own label by a function of the whole
    vector (``\mathbf{y}^{L} = normalize(\mathbf{u}^{L})``)?  Then the general layer's
    ``y^{l}_j = f(u^{l}_j)`` is not that layer's: put in at ``L``, it would prove
    ``∂y^{L}_k/∂u^{L}_j = 0`` for ``k ≠ j`` (:meth:`.table.SymbolTable._shifted`)."""
    from .component_facts import entry_name
    from .components import of_whole_vectors
    from .names import key

    return any(d.shape == "symbol" and entry_name(str(key(d.lhs))) == key(e) and of_whole_vectors(sp.sympify(d.rhs))
               for d in definitions)
